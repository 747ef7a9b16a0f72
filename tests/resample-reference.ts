/**
 * The preprocessing resize as first written: Pillow's fixed-point two-pass filter in plain loops (a float64 tap
 * table, one channel at a time). The SDK's fast version (sdk/src/image/resample.ts) must give the same bytes.
 */
import type { RawImage } from '../sdk/src/image/raw.ts';

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

function rgbAt(img: RawImage): (pixel: number, c: number) => number {
  const { data, channels } = img;
  return channels === 1 ? (p) => data[p] : (p, c) => data[p * channels + c];
}

/**
 * A cw×ch window of the image resized to outW×outH, at (left, top), as uint8 RGB [ch*cw*3].
 * When outW×outH equals the input size nothing is resampled (as PIL).
 */
export function resizeWindow(img: RawImage, outW: number, outH: number, left: number, top: number, cw: number, ch: number): Uint8Array {
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

