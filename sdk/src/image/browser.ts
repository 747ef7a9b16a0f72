/** Browser image sources (DOM elements, bitmaps, video frames) -> pixels, through a 2-D canvas. */
import { ImageError } from '../errors.js';
import type { RawImage } from './raw.js';
import { checkPixelCount } from './limits.js';
import type { Dom } from './dom-types.js';

/** Everything a canvas can draw that resnet-edge accepts (none of it exists in a Node-only project: see dom-types.ts). */
export type DrawableImage = Dom<'ImageBitmap'> | Dom<'HTMLImageElement'> | Dom<'HTMLCanvasElement'> | Dom<'OffscreenCanvas'>
  | Dom<'HTMLVideoElement'> | Dom<'VideoFrame'>;

const has = (name: string): boolean => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const is = (v: unknown, name: string): boolean => has(name) && v instanceof ((globalThis as Record<string, unknown>)[name] as new () => unknown);

export function isDrawable(v: unknown): v is DrawableImage {
  return ['ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'HTMLVideoElement', 'VideoFrame'].some((n) => is(v, n));
}

/** Natural size of a drawable, or an error saying why it has none yet. */
function sizeOf(src: DrawableImage): [number, number] {
  if (is(src, 'HTMLImageElement')) {
    const img = src as HTMLImageElement;
    if (!img.complete || img.naturalWidth === 0) {
      throw new ImageError('IMAGE_INVALID', 'The <img> has not finished loading (or failed to): await img.decode() before classifying it.');
    }
    return [img.naturalWidth, img.naturalHeight];
  }
  if (is(src, 'HTMLVideoElement')) {
    const v = src as HTMLVideoElement;
    if (v.readyState < 2 || v.videoWidth === 0) {
      throw new ImageError('IMAGE_INVALID', 'The <video> has no current frame yet (readyState < HAVE_CURRENT_DATA): wait for its "loadeddata" event.');
    }
    return [v.videoWidth, v.videoHeight];
  }
  if (is(src, 'VideoFrame')) {
    const f = src as VideoFrame;
    return [f.displayWidth, f.displayHeight];
  }
  const s = src as ImageBitmap | HTMLCanvasElement | OffscreenCanvas;
  return [s.width, s.height];
}

function canvas2d(w: number, h: number): CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D {
  if (has('OffscreenCanvas')) return new OffscreenCanvas(w, h).getContext('2d', { willReadFrequently: true })!;
  const c = document.createElement('canvas');
  c.width = w; c.height = h;
  return c.getContext('2d', { willReadFrequently: true })!;
}

/** Draws the source at its natural size and reads its RGBA pixels back. */
export function drawablePixels(src: DrawableImage): RawImage {
  const [w, h] = sizeOf(src);
  if (w < 1 || h < 1) throw new ImageError('IMAGE_INVALID', `The image is ${w}×${h}; it has no pixels to classify.`);
  checkPixelCount(w, h, 'The image');
  const ctx = canvas2d(w, h);
  ctx.drawImage(src as CanvasImageSource, 0, 0, w, h);
  const { data } = ctx.getImageData(0, 0, w, h);
  return { data, width: w, height: h, channels: 4 };
}
