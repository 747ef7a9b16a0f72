/**
 * Image -> normalized NHWC float32, exactly as torchvision does it on a PIL image:
 * Resize(shorter side, bilinear with antialiasing, Pillow's fixed-point arithmetic),
 * CenterCrop (Python's round-half-even offsets), ToTensor (/255) and Normalize (float32).
 * Only the part of the resized image that survives the crop is computed; the numbers are the same.
 */
import type { Preprocess } from './pack/format.js';

import { checkRawImage, type RawImage } from './image/raw.js';

export { checkRawImage, type RawImage };

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
 * A cw×ch window of the image resized to outW×outH, at (left, top), as uint8 RGB [ch*cw*3].
 * When outW×outH equals the input size nothing is resampled (as PIL).
 */
function resizeWindow(img: RawImage, outW: number, outH: number, left: number, top: number, cw: number, ch: number): Uint8Array {
  const px = rgbAt(img);
  const needH = outW !== img.width, needV = outH !== img.height;
  const kh = needH ? coefficients(img.width, outW, left, cw) : null;
  const kv = needV ? coefficients(img.height, outH, top, ch) : null;
  // Horizontal pass over the source rows the vertical pass reads (or the window's rows when there is none).
  const rowFirst = kv ? kv.start[0] : top;
  const rows = (kv ? kv.start[ch - 1] + kv.taps[ch - 1] : top + ch) - rowFirst;
  const tmp = new Uint8Array(rows * cw * 3);
  for (let r = 0; r < rows; r++) {
    const rowBase = (rowFirst + r) * img.width;
    for (let x = 0; x < cw; x++) {
      for (let c = 0; c < 3; c++) {
        let v: number;
        if (kh) {
          let ss = HALF;
          const k0 = x * kh.ksize, s = kh.start[x];
          for (let t = 0; t < kh.taps[x]; t++) ss += px(rowBase + s + t, c) * kh.k[k0 + t];
          v = clip8(ss);
        } else v = px(rowBase + left + x, c);
        tmp[(r * cw + x) * 3 + c] = v;
      }
    }
  }
  if (!kv) return tmp;
  const out = new Uint8Array(ch * cw * 3);
  for (let y = 0; y < ch; y++) {
    const k0 = y * kv.ksize, s = kv.start[y] - rowFirst;
    for (let i = 0; i < cw * 3; i++) {
      let ss = HALF;
      for (let t = 0; t < kv.taps[y]; t++) ss += tmp[(s + t) * cw * 3 + i] * kv.k[k0 + t];
      out[y * cw * 3 + i] = clip8(ss);
    }
  }
  return out;
}

/** ToTensor + Normalize in float32, as torchvision computes them. */
function normalize(pixels: Uint8Array, p: Preprocess): Float32Array {
  const out = new Float32Array(pixels.length);
  const mean = p.mean.map(Math.fround), std = p.std.map(Math.fround);
  for (let i = 0; i < pixels.length; i++) {
    const c = i % 3;
    out[i] = Math.fround(Math.fround(pixels[i] / 255) - mean[c]) / std[c];
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

/** Checks a raw image's fields, so bad input fails with a clear error instead of garbage. */
/** The model input for one image: Float32Array [crop, crop, 3] (NHWC without N), normalized. */
export function preprocess(img: RawImage, p: Preprocess): Float32Array {
  checkRawImage(img);
  const [w, h] = resizedSize(img.width, img.height, p.resize);
  const left = roundHalfEven((w - p.crop) / 2), top = roundHalfEven((h - p.crop) / 2);
  return normalize(resizeWindow(img, w, h, left, top, p.crop, p.crop), p);
}

/**
 * The paper's 10-crop test in torchvision's TenCrop order: top-left, top-right, bottom-left, bottom-right and
 * centre crops of the resized image, then the same five crops of its mirror image.
 */
export function tenCrops(img: RawImage, p: Preprocess): Float32Array[] {
  checkRawImage(img);
  const [w, h] = resizedSize(img.width, img.height, p.resize);
  const full = resizeWindow(img, w, h, 0, 0, w, h);
  const c = p.crop;
  const centre = [roundHalfEven((w - c) / 2), roundHalfEven((h - c) / 2)];
  const spots = [[0, 0], [w - c, 0], [0, h - c], [w - c, h - c], centre];
  const crops: Float32Array[] = [];
  for (const mirror of [false, true]) {
    for (const [l, t] of spots) crops.push(normalize(cropRgb(full, w, l, t, c, mirror), p));
  }
  return crops;
}
