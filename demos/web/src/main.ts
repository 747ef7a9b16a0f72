/// <reference types="vite/client" />
// The demo page: load a pack with progress, classify a dropped/picked photo or the camera, show the top-5 as bars,
// the backend in use and why, and each inference's latency. Only resnet-edge's public API is used.
import { load, type BackendOption, type Classifier, type ImageInput } from 'resnet-edge';
import { $, dropZone, loadCallbacks, showBackend, showError, showResults } from './view.ts';
import { addExample, classifyTaught, forget, teaching } from './teach.ts';

const samples = import.meta.glob('../../assets/*.{png,jpg}', { eager: true, query: '?url', import: 'default' }) as Record<string, string>;

let clf: Classifier | undefined;
let busy: Promise<unknown> = Promise.resolve();
/** The photo on show (or the camera's video): what "Add as an example" teaches. */
let current: ImageInput | undefined;

async function loadModel(): Promise<void> {
  $('error').hidden = true;
  const url = ($('model-choice') as HTMLSelectElement).value === 'url' ? ($('model-url') as HTMLInputElement).value.trim() : undefined;
  const backend = ($('backend-choice') as HTMLSelectElement).value as BackendOption;
  const old = clf;
  clf = undefined;
  old?.dispose();
  document.body.dataset.ready = 'false';
  try {
    clf = await load({
      model: url || undefined, backend, ...loadCallbacks(() => clf),
    });
    showBackend(clf);
    document.body.dataset.ready = 'true';
  } catch (e) {
    showError(e);
  }
}

async function classify(input: ImageInput): Promise<void> {
  const c = clf;
  if (!c) return;
  $('error').hidden = true;
  const t = performance.now();
  try {
    const top = teaching() ? await classifyTaught(input) : await c.classify(input);
    showResults(top, performance.now() - t, c.backend);
  } catch (e) {
    showError(e);
  }
}

/** One classification at a time, in order. */
const enqueue = (input: ImageInput) => (busy = busy.then(() => classify(input)));

/** The photo is drawn on a canvas (not an <img> with a blob: URL), so that a strict CSP (img-src 'self') allows it. */
async function showPreview(file: File): Promise<void> {
  const preview = $('preview') as HTMLCanvasElement;
  try {
    const bitmap = await createImageBitmap(file);
    const scale = Math.min(1, 640 / Math.max(bitmap.width, bitmap.height));
    preview.width = Math.max(1, Math.round(bitmap.width * scale));
    preview.height = Math.max(1, Math.round(bitmap.height * scale));
    preview.getContext('2d')!.drawImage(bitmap, 0, 0, preview.width, preview.height);
    bitmap.close();
    preview.hidden = false;
  } catch {
    preview.hidden = true; // not an image the browser draws: the classifier says what is wrong
  }
}

function showFile(file: File): void {
  current = file;
  void showPreview(file);
  enqueue(file);
}

function wireInputs(): void {
  dropZone(showFile);
  ($('file') as HTMLInputElement).addEventListener('change', (e) => {
    const file = (e.target as HTMLInputElement).files?.[0];
    if (file) showFile(file);
  });
  document.querySelectorAll<HTMLButtonElement>('#samples button').forEach((b) => b.addEventListener('click', async () => {
    const url = Object.entries(samples).find(([k]) => k.endsWith(`/${b.dataset.sample}`))![1];
    const blob = await (await fetch(url)).blob();
    showFile(new File([blob], b.dataset.sample!, { type: blob.type }));
  }));
}

let stream: MediaStream | undefined;

async function toggleCamera(): Promise<void> {
  const video = $('video') as HTMLVideoElement;
  if (stream) {
    stream.getTracks().forEach((t) => t.stop());
    stream = undefined;
    if (current === video) current = undefined;
    video.hidden = true;
    $('camera').textContent = 'Turn on the camera';
    return;
  }
  try {
    stream = await navigator.mediaDevices.getUserMedia({ video: true });
  } catch (e) {
    showError(e);
    return;
  }
  video.srcObject = stream;
  current = video;
  video.hidden = false;
  await video.play();
  $('camera').textContent = 'Turn off the camera';
  const tick = async () => {
    if (!stream) return;
    await enqueue(video);
    setTimeout(tick, 250);
  };
  void tick();
}

$('model-choice').addEventListener('change', (e) => { $('model-url').hidden = (e.target as HTMLSelectElement).value !== 'url'; });
$('load').addEventListener('click', () => { busy = busy.then(loadModel); });
$('camera').addEventListener('click', () => void toggleCamera());
$('teach-add').addEventListener('click', () => { busy = busy.then(() => addExample(clf, current)); });
$('teach-forget').addEventListener('click', forget);
wireInputs();
busy = busy.then(loadModel);
