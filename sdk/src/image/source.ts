/** Every image input the SDK accepts -> RawImage (decoded, EXIF orientation applied). */
import { readFileBytes } from '#platform';
import { isNode } from '../env.js';
import { ImageError } from '../errors.js';
import { checkRawImage, type RawImage } from './raw.js';
import { drawablePixels, isDrawable, type DrawableImage } from './browser.js';
import { decodeImage, sniffFormat } from './decode.js';
import type { Pixels } from './jpeg.js';
import { applyOrientation, exifOrientation } from './orientation.js';

/** Pixels you already have: ImageData, or any {data, width, height[, channels]} with 1, 3 or 4 bytes per pixel. */
export interface PixelData {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Bytes per pixel; inferred from data.length when omitted. */
  channels?: 1 | 3 | 4;
}

/**
 * An image: pixels (ImageData or PixelData), encoded JPEG/PNG bytes (Uint8Array, Node Buffer, ArrayBuffer),
 * a Blob or File, a URL (a file path in Node), or anything a canvas draws: ImageBitmap, HTMLImageElement,
 * HTMLCanvasElement, OffscreenCanvas, HTMLVideoElement (its current frame), VideoFrame.
 */
export type ImageInput = PixelData | Uint8Array | ArrayBuffer | Blob | URL | string | DrawableImage;

function fromPixels(p: PixelData): RawImage {
  const { width, height, data } = p;
  // With a bad size, checkRawImage reports the size rather than a channel count derived from it.
  const channels = p.channels ?? (width > 0 && height > 0 ? data.length / (width * height) : 3);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new ImageError('IMAGE_INVALID', `Image data has ${data.length} bytes for ${width}×${height} pixels: expected 1, 3 or 4 bytes per pixel.`);
  }
  const img: RawImage = { data, width, height, channels };
  checkRawImage(img);
  return img;
}

/**
 * Encoded bytes, their format sniffed once: JPEG/PNG with our decoders (PIL-identical pixels), other formats through
 * the browser's decoder (`blob`: the Blob they came from, if any).
 */
async function fromBytes(bytes: Uint8Array, blob?: Blob, minSide?: number): Promise<Pixels> {
  const format = sniffFormat(bytes);
  const browser = typeof createImageBitmap === 'function' && (blob !== undefined || (typeof Blob === 'function' && typeof document !== 'undefined'));
  if (!format && browser) return owned(await fromBitmap(blob ?? new Blob([bytes as Uint8Array<ArrayBuffer>]), bytes.length));
  const orientation = format === 'jpeg' ? await exifOrientation(bytes) : 1;
  const pixels = await decodeImage(bytes, format, minSide);
  if (orientation === 1) return pixels;
  try { return owned(applyOrientation(pixels.image, orientation)); } finally { pixels.release(); }
}

const owned = (image: RawImage): Pixels => ({ image, borrowed: false, release: () => {} });

/** WebP, GIF, AVIF, … through createImageBitmap (EXIF orientation applied by the browser). */
async function fromBitmap(blob: Blob, byteLength: number): Promise<RawImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch (e) {
    throw new ImageError('IMAGE_DECODE', `The browser could not decode this ${blob.type || 'unknown'} blob (${byteLength} bytes): ${(e as Error).message}`, { cause: e });
  }
  try { return drawablePixels(bitmap); } finally { bitmap.close(); }
}

async function fromUrl(url: string, minSide?: number): Promise<Pixels> {
  if (isNode() && !/^(https?|data|blob):/i.test(url)) {
    try {
      return fromBytes(await readFileBytes(/^file:/i.test(url) ? new URL(url) : url), undefined, minSide);
    } catch (e) {
      if (e instanceof ImageError) throw e;
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') {
        throw new ImageError('IMAGE_NOT_FOUND', `There is no image file at ${url} (${code === 'EISDIR' ? 'it is a folder' : 'no such file'}).`, { cause: e });
      }
      throw new ImageError('IMAGE_INVALID', `Cannot read the image file ${url}: ${(e as Error).message}`, { cause: e });
    }
  }
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ImageError('IMAGE_INVALID', `Could not fetch the image ${url}: ${(e as Error).message}`, { cause: e });
  }
  if (res.status === 404 || res.status === 410) throw new ImageError('IMAGE_NOT_FOUND', `There is no image at ${url}: the server answered HTTP ${res.status}.`);
  if (!res.ok) throw new ImageError('IMAGE_INVALID', `Fetching the image ${url} answered HTTP ${res.status} ${res.statusText}.`);
  return fromBytes(new Uint8Array(await res.arrayBuffer()), undefined, minSide);
}

const isPixels = (v: object): v is PixelData =>
  'data' in v && 'width' in v && 'height' in v && (v.data instanceof Uint8Array || v.data instanceof Uint8ClampedArray);

/**
 * Any image input's pixels, to be read and then released: a JPEG's stay in the decoder's memory until release()
 * (no copy of a 12 MP image per call). `minSide` (preprocess 'fast'): a JPEG may be decoded at a DCT scale (1/2,
 * 1/4, 1/8) whose shorter side keeps at least that many pixels; everything else decodes at full size.
 */
export async function imagePixels(input: ImageInput, minSide?: number): Promise<Pixels> {
  if (input instanceof ArrayBuffer) return fromBytes(new Uint8Array(input), undefined, minSide);
  if (input instanceof Uint8Array) return fromBytes(input, undefined, minSide);
  if (typeof input === 'string') return fromUrl(input, minSide);
  if (input instanceof URL) return fromUrl(input.href, minSide);
  if (typeof Blob === 'function' && input instanceof Blob) return fromBytes(new Uint8Array(await input.arrayBuffer()), input, minSide);
  if (input && typeof input === 'object') {
    if (isPixels(input)) return owned(fromPixels(input));
    if (isDrawable(input)) return owned(drawablePixels(input));
  }
  throw new ImageError('IMAGE_UNSUPPORTED', `Unsupported image input (${Object.prototype.toString.call(input)}). Pass ImageData, {data, width, height, channels} pixels, JPEG/PNG bytes, a Blob, a URL or an image/canvas/video element.`);
}

/** Any image input's pixels, as an image of its own (copied out of the decoder where they were borrowed). */
export async function toRawImage(input: ImageInput, minSide?: number): Promise<RawImage> {
  const pixels = await imagePixels(input, minSide);
  if (!pixels.borrowed) return pixels.image;
  try { return { ...pixels.image, data: pixels.image.data.slice() }; } finally { pixels.release(); }
}
