// The Electron demo's renderer: a plain web page (no Node) that loads a pack from the app's resources
// (app://bundle/models/…), classifies images the main process opens for it (window.resnetEdge, from the preload)
// or that are dropped on it, and shows the top-5 with the web demo's view.
import { load, type Classifier, type ImageInput } from 'resnet-edge';
import { $, dropZone, loadCallbacks, showBackend, showError, showResults } from '../../../web/src/view.ts';
import '../../../web/src/style.css';
import type { DesktopApi } from '../bridge.ts';

declare global {
  interface Window { resnetEdge: DesktopApi }
}

let clf: Classifier | undefined;
let busy: Promise<unknown> = Promise.resolve();
/** One step at a time, in order: loads and classifications never overlap. */
const then = (step: () => Promise<void>) => (busy = busy.then(step));

async function loadModel(): Promise<void> {
  $('error').hidden = true;
  const name = ($('model-choice') as HTMLSelectElement).value;
  const old = clf;
  clf = undefined;
  old?.dispose();
  document.body.dataset.ready = 'false';
  try {
    clf = await load({
      model: new URL(`models/${name}`, location.href).href, ...loadCallbacks(() => clf),
    });
    showBackend(clf);
    document.body.dataset.ready = 'true';
  } catch (e) {
    showError(e);
  }
}

async function classify(input: ImageInput, preview: Blob): Promise<void> {
  const c = clf;
  if (!c) return;
  $('error').hidden = true;
  const img = $('preview') as HTMLImageElement;
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(preview);
  img.hidden = false;
  const t = performance.now();
  try {
    showResults(await c.classify(input), performance.now() - t, c.backend);
  } catch (e) {
    showError(e);
  }
}

async function openImage(): Promise<void> {
  try {
    const opened = await window.resnetEdge.openImage();
    if (opened) await classify(opened.bytes, new Blob([opened.bytes as Uint8Array<ArrayBuffer>]));
  } catch (e) {
    showError(e);
  }
}

async function start(): Promise<void> {
  const models = await window.resnetEdge.listModels();
  $('model-choice').replaceChildren(...models.map((name) => new Option(name, name)));
  await loadModel();
}

dropZone((file) => then(() => classify(file, file)));
$('open').addEventListener('click', () => then(openImage));
$('load').addEventListener('click', () => then(loadModel));
then(() => start().catch(showError));
