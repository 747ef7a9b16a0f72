/** The largest image resnet-edge decodes: 64 megapixels (8192 × 8192; a 48–50 MP phone photo fits). Its RGBA pixels take 256 MiB. */
import { ImageError } from '../errors.js';

export const MAX_PIXELS = 64 * 1024 * 1024;

/** Refuses an image above MAX_PIXELS before its pixels are decoded or drawn. */
export function checkPixelCount(width: number, height: number, what: string): void {
  if (width * height > MAX_PIXELS) {
    throw new ImageError('IMAGE_TOO_LARGE', `${what} is ${width}×${height} (${((width * height) / 1e6).toFixed(0)} megapixels), above resnet-edge's ${MAX_PIXELS / 2 ** 20}-megapixel limit (${MAX_PIXELS / 2 ** 20} × 2^20 pixels); scale it down first: the model sees a few hundred pixels a side.`);
  }
}
