/**
 * Image -> normalized NHWC float32, exactly as torchvision does it on a PIL image:
 * Resize(shorter side, bilinear with antialiasing, Pillow's fixed-point arithmetic),
 * CenterCrop (Python's round-half-even offsets), ToTensor (/255) and Normalize (float32).
 * Only the part of the resized image that survives the crop is computed; the numbers are the same.
 */
import { ImageError } from './errors.js';
import type { Preprocess } from './pack/format.js';

/** Decoded pixels, row-major, interleaved 8-bit channels (1 gray, 3 RGB, 4 RGBA; alpha is dropped as PIL's convert('RGB')). */
export interface RawImage { data: Uint8Array | Uint8ClampedArray; width: number; height: number; channels: 1 | 3 | 4 }

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for output positions [first, first + count). */
function coefficients(inSize: number, outSize: number, first: number, count: number) {
  const scale = inSize / outSize;
  const filterscale = Math.max(scale, 1);
  const support = filterscale; // bilinear filter support is 1
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(count), taps = new Int32Array(count), k = new Float64Array(count * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < count; i++) {
    const center = (first + i + 0.5) * scale;
    const ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const n = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < n; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      w[x] = t < 1 ? 1 - t : 0;
      ww += w[x];
    }
    for (let x = 0; x < n; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    start[i] = xmin; taps[i] = n;
  }
  return { start, taps, k, ksize };
}

const clip8 = (ss: number): number => (ss <= 0 ? 0 : ss >= ONE * 256 ? 255 : Math.floor(ss / ONE));

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

function rgbAt(img: RawImage): (pixel: number, c: number) => number {
  const { data, channels } = img;
  return channels === 1 ? (p) => data[p] : (p, c) => data[p * channels + c];
}

/**
 * Resized-then-cropped RGB window, uint8, [crop*crop*3]: pixels (left..left+crop, top..top+crop) of the
 * image resized to outW×outH. When outW×outH equals the input size nothing is resampled (as PIL).
 */
function resizeWindow(img: RawImage, outW: number, outH: number, left: number, top: number, crop: number): Uint8Array {
  const px = rgbAt(img);
  const out = new Uint8Array(crop * crop * 3);
  const needH = outW !== img.width, needV = outH !== img.height;
  const ch = needH ? coefficients(img.width, outW, left, crop) : null;
  const cv = needV ? coefficients(img.height, outH, top, crop) : null;
  // Horizontal pass over the source rows the vertical pass reads (or the cropped rows when there is none).
  const rowFirst = cv ? cv.start[0] : top;
  const rowLast = cv ? cv.start[crop - 1] + cv.taps[crop - 1] : top + crop;
  const rows = rowLast - rowFirst;
  const tmp = new Uint8Array(rows * crop * 3);
  for (let r = 0; r < rows; r++) {
    const rowBase = (rowFirst + r) * img.width;
    for (let x = 0; x < crop; x++) {
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (ch) {
          let ss = HALF;
          const k0 = x * ch.ksize, s = ch.start[x];
          for (let t = 0; t < ch.taps[x]; t++) ss += px(rowBase + s + t, c) * ch.k[k0 + t];
          v = clip8(ss);
        } else v = px(rowBase + left + x, c);
        tmp[(r * crop + x) * 3 + c] = v;
      }
    }
  }
  for (let y = 0; y < crop; y++) {
    for (let i = 0; i < crop * 3; i++) {
      if (!cv) { out[y * crop * 3 + i] = tmp[y * crop * 3 + i]; continue; }
      let ss = HALF;
      const k0 = y * cv.ksize, s = cv.start[y] - rowFirst;
      for (let t = 0; t < cv.taps[y]; t++) ss += tmp[(s + t) * crop * 3 + i] * cv.k[k0 + t];
      out[y * crop * 3 + i] = clip8(ss);
    }
  }
  return out;
}

/** Checks a raw image's fields, so bad input fails with a clear error instead of garbage. */
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

/** The model input for one image: Float32Array [crop, crop, 3] (NHWC without N), normalized. */
export function preprocess(img: RawImage, p: Preprocess): Float32Array {
  checkRawImage(img);
  const [w, h] = resizedSize(img.width, img.height, p.resize);
  const left = roundHalfEven((w - p.crop) / 2), top = roundHalfEven((h - p.crop) / 2);
  const pixels = resizeWindow(img, w, h, left, top, p.crop);
  const out = new Float32Array(pixels.length);
  const mean = p.mean.map(Math.fround), std = p.std.map(Math.fround);
  for (let i = 0; i < pixels.length; i++) {
    const c = i % 3;
    out[i] = Math.fround(Math.fround(pixels[i] / 255) - mean[c]) / std[c];
  }
  return out;
}
