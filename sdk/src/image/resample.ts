/**
 * Pillow's antialiased bilinear resize (ImagingResample: precompute_coeffs, normalize_coeffs_8bpc, then a horizontal
 * and a vertical pass, each rounding to 8 bits), byte for byte, written for speed: integer taps, the three channels of
 * a pixel in one loop, the vertical pass accumulating whole rows. Only a window of the output is computed (the crop),
 * from only the source rows it reads. A JPEG's pixels are resized by the same arithmetic in SIMD128 inside the decoder
 * (sdk/jpeg/resample.c, through jpeg.ts), from the taps computed here.
 */
import type { RawImage } from './raw.js';

const PRECISION_BITS = 22;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);

/** For output positions [first, first + count): the first source index, the tap count, and `ksize` taps each. */
export interface Taps { start: Int32Array; count: Int32Array; k: Int32Array; ksize: number }

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc (bilinear filter, support 1), as integers. */
export function taps(inSize: number, outSize: number, first: number, count: number): Taps {
  const scale = inSize / outSize, filterscale = Math.max(scale, 1), support = filterscale;
  const ksize = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(count), n = new Int32Array(count), k = new Int32Array(count * ksize);
  const w = new Float64Array(ksize);
  for (let i = 0; i < count; i++) {
    const center = (first + i + 0.5) * scale, ss = 1 / filterscale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const len = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let ww = 0;
    for (let x = 0; x < len; x++) {
      const t = Math.abs((x + xmin - center + 0.5) * ss);
      ww += w[x] = t < 1 ? 1 - t : 0;
    }
    for (let x = 0; x < len; x++) {
      const v = ww !== 0 ? w[x] / ww : w[x];
      k[i * ksize + x] = v < 0 ? Math.trunc(-0.5 + v * ONE) : Math.trunc(0.5 + v * ONE);
    }
    start[i] = xmin;
    n[i] = len;
  }
  return { start, count: n, k, ksize };
}

/** An accumulator (HALF + Σ pixel·tap) back to 8 bits. Taps are non-negative and sum to ONE: no overflow of int32. */
const clip8 = (ss: number): number => (ss <= 0 ? 0 : ss >= ONE * 256 ? 255 : ss >>> PRECISION_BITS);

/** One source row resampled horizontally into `out` (RGB, `cw` pixels), or copied from `left` when `kh` is null. */
function horizontalRow(img: RawImage, row: number, kh: Taps | null, left: number, cw: number, out: Uint8Array, at: number): void {
  const { data, channels: ch } = img;
  const base = row * img.width;
  if (!kh) {
    for (let x = 0, o = at; x < cw; x++, o += 3) {
      const p = (base + left + x) * ch;
      out[o] = data[p];
      out[o + 1] = data[ch === 1 ? p : p + 1];
      out[o + 2] = data[ch === 1 ? p : p + 2];
    }
    return;
  }
  const { start, count, k, ksize } = kh;
  for (let x = 0, o = at; x < cw; x++, o += 3) {
    const k0 = x * ksize, end = k0 + count[x];
    let p = (base + start[x]) * ch;
    if (ch === 1) {
      let r = HALF;
      for (let t = k0; t < end; t++, p++) r += data[p] * k[t];
      out[o] = out[o + 1] = out[o + 2] = clip8(r);
    } else {
      let r = HALF, g = HALF, b = HALF;
      for (let t = k0; t < end; t++, p += ch) {
        const c = k[t];
        r += data[p] * c; g += data[p + 1] * c; b += data[p + 2] * c;
      }
      out[o] = clip8(r); out[o + 1] = clip8(g); out[o + 2] = clip8(b);
    }
  }
}

/**
 * A cw×ch window at (left, top) of the image resized to outW×outH, as uint8 RGB [ch·cw·3]. A side whose size does
 * not change is not resampled (as PIL).
 */
export function resizeWindow(img: RawImage, outW: number, outH: number, left: number, top: number, cw: number, ch: number): Uint8Array {
  const kh = outW !== img.width ? taps(img.width, outW, left, cw) : null;
  const kv = outH !== img.height ? taps(img.height, outH, top, ch) : null;
  // The horizontal pass runs over the source rows the vertical pass reads (or the window's rows when there is none).
  const rowFirst = kv ? kv.start[0] : top;
  const rows = (kv ? kv.start[ch - 1] + kv.count[ch - 1] : top + ch) - rowFirst;
  const stride = cw * 3;
  const tmp = new Uint8Array(rows * stride);
  for (let r = 0; r < rows; r++) horizontalRow(img, rowFirst + r, kh, left, cw, tmp, r * stride);
  if (!kv) return tmp;
  const out = new Uint8Array(ch * stride), acc = new Int32Array(stride);
  for (let y = 0; y < ch; y++) {
    acc.fill(HALF);
    const k0 = y * kv.ksize, n = kv.count[y], s = kv.start[y] - rowFirst;
    for (let t = 0; t < n; t++) {
      const c = kv.k[k0 + t], from = (s + t) * stride;
      for (let i = 0; i < stride; i++) acc[i] += tmp[from + i] * c;
    }
    const o = y * stride;
    for (let i = 0; i < stride; i++) out[o + i] = clip8(acc[i]);
  }
  return out;
}

/** How a window of a resized image is computed: resizeWindow, or the decoder's SIMD version of it for its pixels. */
export type ResizeWindow = typeof resizeWindow;
