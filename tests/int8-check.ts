/**
 * Scalar references for resnet-edge's int8 kernels (sdk/kernels/int8.c, winograd.c) and a check of one kernel instance against
 * them on random shapes. Float steps are emulated in float32 (Math.fround) in the kernels' order, so every result
 * must be bit-identical. Runs in Node (tests/int8-kernels.test.ts) and in Chromium (e2e/int8-kernels.test.ts).
 */
import type { Kernels } from '../sdk/src/int8/kernels.ts';

const f = Math.fround;
/** Round half to even, as f32x4.nearest and rintf. */
const rint = (x: number) => { const r = Math.round(x); return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r; };

function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

export function refQuantize(x: Float32Array): { q: Uint8Array; scale: number; zp: number } {
  let mn = 0, mx = 0;
  for (const v of x) { if (v < mn) mn = v; if (v > mx) mx = v; }
  let scale = f(f(mx - mn) / 127);
  if (!(scale > 0)) scale = 1;
  const zp = Math.min(127, Math.max(0, rint(f(-mn / scale))));
  const inv = f(1 / scale);
  const q = x.map((v) => Math.min(127, Math.max(0, f(rint(f(v * inv)) + zp))));
  return { q: Uint8Array.from(q), scale, zp };
}

/** min(0, x…) and max(0, x…), as minmax_f32 finds them (the quantization's range). */
export function refRange(x: ArrayLike<number>): number[] {
  let mn = 0, mx = 0;
  for (let i = 0; i < x.length; i++) {
    mn = x[i] < mn ? x[i] : mn;
    mx = x[i] > mx ? x[i] : mx;
  }
  return [mn, mx];
}

/** The ranges two calls wrote (two floats at each pointer), combined as the thread pool combines them. */
const joined = (K: Kernels, ptrs: number[]): number[] => refRange(ptrs.flatMap((p) => Array.from(K.f32(p, 2))));

export function refGemm(a: Uint8Array, m: number, kpad: number, w: Int8Array, n: number, wscale: Float32Array, bias: Float32Array,
  scale: number, zp: number, res: Float32Array | undefined, relu: boolean): Float32Array {
  const out = new Float32Array(m * n);
  for (let j = 0; j < n; j++) {
    let wsum = 0;
    for (let k = 0; k < kpad; k++) wsum += w[j * kpad + k];
    for (let i = 0; i < m; i++) {
      let acc = 0;
      for (let k = 0; k < kpad; k++) acc += a[i * kpad + k] * w[j * kpad + k];
      let v = f(f(f(acc - zp * wsum) * f(scale * wscale[j])) + bias[j]);
      if (res) v = f(v + res[i * n + j]);
      out[i * n + j] = relu ? Math.max(v, 0) : v;
    }
  }
  return out;
}

export function refIm2col(x: Uint8Array, h: number, w: number, c: number, k: number, stride: number, pad: number, kpad: number, zp: number) {
  const oh = Math.floor((h + 2 * pad - k) / stride) + 1, ow = Math.floor((w + 2 * pad - k) / stride) + 1;
  const out = new Uint8Array(oh * ow * kpad);
  for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) {
    for (let ky = 0; ky < k; ky++) for (let kx = 0; kx < k; kx++) for (let ch = 0; ch < c; ch++) {
      const iy = oy * stride + ky - pad, ix = ox * stride + kx - pad;
      out[(oy * ow + ox) * kpad + (ky * k + kx) * c + ch] = iy < 0 || iy >= h || ix < 0 || ix >= w ? zp : x[(iy * w + ix) * c + ch];
    }
  }
  return { out, oh, ow };
}

const differs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `index ${i}: ${a[i]} vs ${b[i]}`;
  return a.length === b.length ? '' : `length ${a.length} vs ${b.length}`;
};

/** Runs every kernel of `K` on `trials` random shapes per kernel; returns one line per mismatch (none: correct). */
export function checkKernels(K: Kernels, trials = 40, seed = 7): string[] {
  const r = rng(seed), int = (lo: number, hi: number) => lo + Math.floor(r() * (hi - lo + 1));
  const fails: string[] = [];
  const put = <T extends Uint8Array | Int8Array | Int16Array | Float32Array>(data: T): number => {
    const p = K.alloc(data.byteLength);
    new Uint8Array(K.memory.buffer, p, data.byteLength).set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
    return p;
  };
  // Activation codes as the build stores them: bytes with relaxed SIMD, i16 on SIMD128 (sdk/kernels/codes.h).
  const cb = K.codeBytes;
  const putCodes = (codes: Uint8Array): number => put(cb === 2 ? Int16Array.from(codes) : codes);
  const readCodes = (p: number, n: number) => (cb === 2 ? new Int16Array(K.memory.buffer, p, n) : K.u8(p, n));
  for (let t = 0; t < trials; t++) {
    // GEMM + pack_weights: random m, n (with the packer's padding to 4), k (padded to 16), full epilogue.
    const m = int(1, 13), n = int(1, 37), k = int(1, 700), kpad = Math.ceil(k / 16) * 16, npad = Math.ceil(n / 4) * 4;
    const wRaw = Int8Array.from({ length: n * k }, () => int(-127, 127));
    const a = Uint8Array.from({ length: m * kpad }, (_, i) => (i % kpad < k ? int(0, 127) : 0));
    const wPad = new Int8Array(npad * kpad);
    for (let j = 0; j < n; j++) for (let c = 0; c < k; c++) wPad[j * kpad + c] = wRaw[j * k + c];
    const wscale = Float32Array.from({ length: npad }, (_, j) => (j < n ? r() * 0.01 : 0));
    const bias = Float32Array.from({ length: npad }, (_, j) => (j < n ? r() - 0.5 : 0));
    const res = t % 2 ? Float32Array.from({ length: m * npad }, () => r() * 4 - 2) : undefined;
    const scale = r() * 0.1, zp = int(0, 127), relu = t % 3 === 0;
    const packed = K.alloc(npad * kpad * K.k.packed_weight_size()), wsum = K.alloc(npad * 4), out = K.alloc(m * npad * 4);
    K.k.pack_weights(put(wRaw), n, k, kpad, npad, packed, wsum);
    // The rows in two calls (as two threads split them), each writing its outputs' range.
    const pa = putCodes(a), pws = put(wscale), pb = put(bias), pr = res ? put(res) : 0, rows = int(0, m), ranges = [K.alloc(8), K.alloc(8)];
    for (const [i, [b, e]] of [[0, rows], [rows, m]].entries()) {
      K.k.gemm_u7s8(pa, m, kpad, packed, npad, wsum, pws, pb, scale, zp, pr, relu ? 1 : 0, out, b, e, ranges[i]);
    }
    const want = refGemm(a, m, kpad, wPad, npad, wscale, bias, f(scale), zp, res, relu);
    const d = differs(K.f32(out, m * npad), want) || differs(joined(K, ranges), refRange(want));
    if (d) fails.push(`gemm m=${m} n=${n} k=${k} zp=${zp} relu=${relu} res=${!!res} split=${rows}: ${d}`);

    // Quantization: random lengths, ranges all-positive, all-negative or mixed (with a NaN, coded 0); zeros.
    const len = int(1, 3000), kind = t % 4;
    const x = Float32Array.from({ length: len }, () => (kind === 3 ? 0 : kind === 0 ? r() * 6 : kind === 1 ? -r() * 3 : (r() - 0.3) * 10));
    if (kind === 2) x[int(0, len - 1)] = NaN;
    const q = K.alloc(len * cb), params = K.alloc(8);
    K.k.quantize_u7(put(x), len, q, params);
    const wantQ = refQuantize(x);
    const got = { scale: K.f32(params, 1)[0], zp: K.i32(params + 4, 1)[0] };
    const dq = differs(readCodes(q, len), wantQ.q) || differs([got.scale, got.zp], [wantQ.scale, wantQ.zp]);
    if (dq) fails.push(`quantize n=${len} kind=${kind}: ${dq}`);

    // im2col: random image, kernel 1/3/7, stride 1/2, padding (k-1)/2.
    const c = int(1, 20), h = int(1, 17), w = int(1, 17), kk = [1, 3, 7][int(0, 2)], stride = int(1, 2), pad = (kk - 1) >> 1;
    if (h + 2 * pad >= kk && w + 2 * pad >= kk) {
      const img = Uint8Array.from({ length: h * w * c }, () => int(0, 127));
      const ckpad = Math.ceil((kk * kk * c) / 16) * 16, izp = int(0, 127);
      const ref = refIm2col(img, h, w, c, kk, stride, pad, ckpad, izp);
      const col = K.alloc(ref.out.length * cb);
      K.k.im2col_codes(putCodes(img), h, w, c, kk, stride, pad, ref.oh, ref.ow, ckpad, izp, col, 0, ref.oh * ref.ow);
      const di = differs(readCodes(col, ref.out.length), ref.out);
      if (di) fails.push(`im2col h=${h} w=${w} c=${c} k=${kk} s=${stride}: ${di}`);
    }

    // Winograd F(m×m, 3×3), m = 2 and 4 in turn (3×3, stride 1, padding 1; c % 8 == 0), against im2col + GEMM's
    // references, the tiles in two calls (as two threads split them), the output channels padded to 4; every 8th trial
    // at F4's limit: 224 channels of codes 127 and weights ±127 of one sign per filter, |sums| up to 9·224·127² ≈ 2²⁵.
    const wm = t % 2 ? 4 : 2, TT = (wm + 2) ** 2, extreme = t % 8 === 5;
    const wc = extreme ? 224 : 8 * int(1, 5), wh = int(1, 13), ww = int(1, 13), wn = int(1, 21), wnpad = Math.ceil(wn / 4) * 4, wkpad = Math.ceil((9 * wc) / 16) * 16;
    const codes = Uint8Array.from({ length: wh * ww * wc }, () => (extreme ? 127 : int(0, 127))), wzp = extreme ? 127 : int(0, 127);
    const filters = Int8Array.from({ length: wn * 9 * wc }, (_, i) => (extreme ? (Math.floor(i / (9 * wc)) % 2 ? -127 : 127) : int(-127, 127)));
    const filtersPad = new Int8Array(wnpad * wkpad);
    for (let j = 0; j < wn; j++) filtersPad.set(filters.subarray(j * 9 * wc, (j + 1) * 9 * wc), j * wkpad);
    const wres = t % 2 ? Float32Array.from({ length: wh * ww * wnpad }, () => r() * 4 - 2) : undefined;
    const wscale2 = Float32Array.from({ length: wnpad }, (_, j) => (j < wn ? r() * 0.01 : 0));
    const bias2 = Float32Array.from({ length: wnpad }, (_, j) => (j < wn ? r() - 0.5 : 0));
    const tiles = Math.ceil(wh / wm) * Math.ceil(ww / wm), split = int(0, tiles);
    const u = K.alloc(wnpad * 2 * TT * wc), wwsum = K.alloc(wnpad * 4), v = K.alloc(tiles * 2 * TT * wc), wout = K.alloc(wh * ww * wnpad * 4);
    const wx = putCodes(codes), ws = put(wscale2), wb = put(bias2), wr = wres ? put(wres) : 0;
    K.k.wino_pack_weights(put(filters), wn, wc, wnpad, u, wwsum, wm);
    for (const [i, [b, e]] of [[0, split], [split, tiles]].entries()) {
      K.k.wino_input(wx, wh, ww, wc, wzp, v, b, e, wm);
      K.k.wino_gemm(v, wc, u, wnpad, wwsum, ws, wb, scale, wzp, wr, relu ? 1 : 0, wout, wh, ww, b, e, ranges[i], wm);
    }
    const wcol = refIm2col(codes, wh, ww, wc, 3, 1, 1, wkpad, wzp).out;
    const wwant = refGemm(wcol, wh * ww, wkpad, filtersPad, wnpad, wscale2, bias2, f(scale), wzp, wres, relu);
    const dw = differs(K.f32(wout, wh * ww * wnpad), wwant) || differs(joined(K, ranges), refRange(wwant));
    if (dw) fails.push(`winograd F${wm} h=${wh} w=${ww} c=${wc} n=${wn} zp=${wzp} split=${split}/${tiles}: ${dw}`);

    // Max pool 3×3/2 (padding 1; its output rows in two calls, as two threads split them) and global average pool,
    // channels a multiple of 4.
    const pc = 4 * int(1, 6), ph = int(1, 15), pw = int(1, 15), oh = Math.floor((ph - 1) / 2) + 1, ow = Math.floor((pw - 1) / 2) + 1;
    const act = Float32Array.from({ length: ph * pw * pc }, () => r() * 8 - 4);
    const pin = put(act), mp = K.alloc(oh * ow * pc * 4), ap = K.alloc(pc * 4), prows = int(0, oh);
    K.k.maxpool3s2(pin, ph, pw, pc, ow, mp, 0, prows);
    K.k.maxpool3s2(pin, ph, pw, pc, ow, mp, prows, oh);
    K.k.avgpool(pin, ph * pw, pc, ap);
    const wantMax = new Float32Array(oh * ow * pc).fill(-Infinity), wantAvg = new Float32Array(pc);
    for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let ch = 0; ch < pc; ch++) {
      for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) {
        const iy = oy * 2 + dy, ix = ox * 2 + dx;
        if (iy >= 0 && iy < ph && ix >= 0 && ix < pw) wantMax[(oy * ow + ox) * pc + ch] = Math.max(wantMax[(oy * ow + ox) * pc + ch], act[(iy * pw + ix) * pc + ch]);
      }
    }
    for (let ch = 0; ch < pc; ch++) {
      let s = 0;
      for (let p = 0; p < ph * pw; p++) s = f(s + act[p * pc + ch]);
      wantAvg[ch] = f(s / (ph * pw));
    }
    const dp = differs(K.f32(mp, oh * ow * pc), wantMax) || differs(K.f32(ap, pc), wantAvg);
    if (dp) fails.push(`pool h=${ph} w=${pw} c=${pc}: ${dp}`);
  }
  return fails;
}
