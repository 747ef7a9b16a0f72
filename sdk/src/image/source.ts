/** Every image input the SDK accepts -> RawImage. */
import { ImageError } from '../errors.js';
import type { RawImage } from '../preprocess.js';
import { decodeImage } from './decode.js';

/** Pixels you already have: ImageData, or any {data, width, height[, channels]} with 1, 3 or 4 bytes per pixel. */
export interface PixelData {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** Bytes per pixel; inferred from data.length when omitted. */
  channels?: 1 | 3 | 4;
}

/** ImageData-like pixels, or encoded JPEG/PNG bytes (Uint8Array, Node Buffer, ArrayBuffer). */
export type ImageInput = PixelData | Uint8Array | ArrayBuffer;

function fromPixels(p: PixelData): RawImage {
  const { width, height, data } = p;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError('IMAGE_INVALID', `Image is ${width}×${height}; width and height must be positive integers.`);
  }
  const channels = p.channels ?? data.length / (width * height);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new ImageError('IMAGE_INVALID', `Image data has ${data.length} bytes for ${width}×${height} pixels: expected 1, 3 or 4 bytes per pixel.`);
  }
  if (data.length !== width * height * channels) {
    throw new ImageError('IMAGE_INVALID', `Image data has ${data.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`);
  }
  return { data, width, height, channels };
}

export async function toRawImage(input: ImageInput): Promise<RawImage> {
  if (input instanceof ArrayBuffer) return decodeImage(new Uint8Array(input));
  if (input instanceof Uint8Array) return decodeImage(input);
  if (input && typeof input === 'object' && 'data' in input && 'width' in input && 'height' in input
    && (input.data instanceof Uint8Array || input.data instanceof Uint8ClampedArray)) {
    return fromPixels(input);
  }
  throw new ImageError('IMAGE_UNSUPPORTED', `Unsupported image input (${Object.prototype.toString.call(input)}). Pass ImageData, {data, width, height, channels} pixels, or JPEG/PNG bytes.`);
}
