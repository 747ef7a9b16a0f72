// Browser page for the e2e tests: every browser image type, loading from URLs, the Cache API.
import { load, type Classifier, type ImageInput } from 'resnet-edge';

let clf: Classifier | undefined;

async function init(packUrl: string): Promise<{ origin: string; backend: string }> {
  clf?.dispose();
  clf = await load({ model: packUrl, backend: 'wasm', wasmPaths: '/wasm/' });
  return { origin: clf.model.origin, backend: clf.backend };
}

function canvasWith(bitmap: ImageBitmap): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = bitmap.width; c.height = bitmap.height;
  c.getContext('2d')!.drawImage(bitmap, 0, 0);
  return c;
}

async function videoOf(canvas: HTMLCanvasElement): Promise<HTMLVideoElement> {
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = canvas.captureStream(30);
  await video.play();
  while (video.readyState < 2 || video.videoWidth === 0) await new Promise((r) => setTimeout(r, 20));
  return video;
}

/** Logits of the image at `url`, handed to the SDK as the given kind of source. */
async function logitsOf(kind: string, url: string): Promise<number[]> {
  const blob = await (await fetch(url)).blob();
  const bitmap = await createImageBitmap(blob);
  let input: ImageInput;
  let cleanup = () => {};
  switch (kind) {
    case 'url': input = url; break;
    case 'URL': input = new URL(url, location.href); break;
    case 'blob': input = blob; break;
    case 'file': input = new File([blob], 'photo', { type: blob.type }); break;
    case 'arraybuffer': input = await blob.arrayBuffer(); break;
    case 'imagebitmap': input = bitmap; break;
    case 'imagedata': input = canvasWith(bitmap).getContext('2d')!.getImageData(0, 0, bitmap.width, bitmap.height); break;
    case 'img': { const img = new Image(); img.src = url; await img.decode(); input = img; break; }
    case 'canvas': input = canvasWith(bitmap); break;
    case 'offscreencanvas': {
      const c = new OffscreenCanvas(bitmap.width, bitmap.height);
      c.getContext('2d')!.drawImage(bitmap, 0, 0);
      input = c;
      break;
    }
    case 'videoframe': { const f = new VideoFrame(canvasWith(bitmap), { timestamp: 0 }); input = f; cleanup = () => f.close(); break; }
    case 'video': { const v = await videoOf(canvasWith(bitmap)); input = v; cleanup = () => v.pause(); break; }
    default: throw new Error(`unknown kind ${kind}`);
  }
  try {
    return Array.from(await clf!.logits(input));
  } finally {
    cleanup();
  }
}

/** Logits of a <video>'s current frame as the app itself would read it back (drawImage + getImageData). */
async function videoReadback(url: string): Promise<number[][]> {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const v = await videoOf(canvasWith(bitmap));
  const c = document.createElement('canvas');
  c.width = v.videoWidth; c.height = v.videoHeight;
  const ctx = c.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(v, 0, 0);
  const own = Array.from(await clf!.logits(ctx.getImageData(0, 0, c.width, c.height)));
  const ours = Array.from(await clf!.logits(v));
  v.pause();
  return [own, ours];
}

async function corruptCachedPack(url: string): Promise<void> {
  const cache = await caches.open('resnet-edge-packs-v1');
  const bytes = new Uint8Array(await (await cache.match(url))!.arrayBuffer());
  bytes[bytes.length - 100] ^= 0xff;
  await cache.put(url, new Response(bytes));
}

Object.assign(globalThis, { resnetEdge: { init, logitsOf, videoReadback, corruptCachedPack } });
