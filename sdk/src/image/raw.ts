/** Decoded pixels, the one type every image input becomes before preprocessing, and its check. */
import { ImageError } from '../errors.js';

/** Decoded pixels, row-major, interleaved 8-bit channels (1 gray, 3 RGB, 4 RGBA; alpha is dropped as PIL's convert('RGB')). */
export interface RawImage { data: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }

export function checkRawImage(img: RawImage): void {
  const { width, height, channels, data } = img;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new ImageError('IMAGE_INVALID', `Image size must be positive integers, got ${width}×${height}.`);
  }
  if (![1, 3, 4].includes(channels)) throw new ImageError('IMAGE_INVALID', `Image must have 1, 3 or 4 channels, got ${channels}.`);
  if (!data || data.length !== width * height * channels) {
    throw new ImageError('IMAGE_INVALID', `Image data has ${data?.length} bytes; ${width}×${height}×${channels} needs ${width * height * channels}.`);
  }
}

/** The image mirrored left to right (torchvision's RandomHorizontalFlip). */
export function mirrorRaw(img: RawImage): RawImage {
  const { width, height, channels, data } = img;
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const from = (y * width + x) * channels, to = (y * width + width - 1 - x) * channels;
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c];
    }
  }
  return { data: out, width, height, channels };
}
