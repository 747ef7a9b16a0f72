/**
 * Image -> normalized NHWC float32, exactly as torchvision does it on a PIL image:
 * Resize(shorter side, bilinear with antialiasing, Pillow's fixed-point arithmetic),
 * CenterCrop (Python's round-half-even offsets), ToTensor (/255) and Normalize (float32).
 * Only the part of the resized image that survives the crop is computed (image/resample.ts); the numbers are the same.
 */
import type { Preprocess } from './pack/format.js';

import { checkRawImage, type RawImage } from './image/raw.js';
import { resizeWindow, type ResizeWindow } from './image/resample.js';

/** Shorter side -> `size`, longer side truncated, as torchvision's _compute_resized_output_size. */
export function resizedSize(width: number, height: number, size: number): [number, number] {
  if (width <= height) return [size, Math.trunc((size * height) / width)];
  return [Math.trunc((size * width) / height), size];
}

/** Python's round(): half to even. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** ToTensor + Normalize in float32, as torchvision computes them: one table entry per channel and byte value. */
function normalize(pixels: Uint8Array, p: Preprocess): Float32Array {
  const table = new Float32Array(768);
  for (let c = 0; c < 3; c++) {
    const mean = Math.fround(p.mean[c]), std = Math.fround(p.std[c]);
    for (let v = 0; v < 256; v++) table[c * 256 + v] = Math.fround(Math.fround(v / 255) - mean) / std;
  }
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i += 3) {
    out[i] = table[pixels[i]];
    out[i + 1] = table[256 + pixels[i + 1]];
    out[i + 2] = table[512 + pixels[i + 2]];
  }
  return out;
}

/** A size×size RGB crop at (left, top) of a w-wide RGB image, optionally of its mirror image. */
function cropRgb(rgb: Uint8Array, w: number, left: number, top: number, size: number, mirror: boolean): Uint8Array {
  const out = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const sx = mirror ? w - 1 - (left + x) : left + x;
      const src = ((top + y) * w + sx) * 3, dst = (y * size + x) * 3;
      out[dst] = rgb[src]; out[dst + 1] = rgb[src + 1]; out[dst + 2] = rgb[src + 2];
    }
  }
  return out;
}

/** The model input for one image: Float32Array [crop, crop, 3] (NHWC without N), normalized. */
export function preprocess(img: RawImage, p: Preprocess, resize: ResizeWindow = resizeWindow): Float32Array {
  checkRawImage(img);
  const [w, h] = resizedSize(img.width, img.height, p.resize);
  const left = roundHalfEven((w - p.crop) / 2), top = roundHalfEven((h - p.crop) / 2);
  return normalize(resize(img, w, h, left, top, p.crop, p.crop), p);
}

/**
 * The paper's 10-crop test in torchvision's TenCrop order: top-left, top-right, bottom-left, bottom-right and
 * centre crops of the resized image, then the same five crops of its mirror image.
 */
export function tenCrops(img: RawImage, p: Preprocess, resize: ResizeWindow = resizeWindow): Float32Array[] {
  checkRawImage(img);
  const [w, h] = resizedSize(img.width, img.height, p.resize);
  const full = resize(img, w, h, 0, 0, w, h);
  const c = p.crop;
  const centre = [roundHalfEven((w - c) / 2), roundHalfEven((h - c) / 2)];
  const spots = [[0, 0], [w - c, 0], [0, h - c], [w - c, h - c], centre];
  const crops: Float32Array[] = [];
  for (const mirror of [false, true]) {
    for (const [l, t] of spots) crops.push(normalize(cropRgb(full, w, l, t, c, mirror), p));
  }
  return crops;
}
