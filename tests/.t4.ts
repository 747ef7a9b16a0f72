import { Kernels } from '../sdk/src/int8/kernels.ts';
let seed = 1;
const rnd = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32);
const ks = { relaxed: await Kernels.create('relaxed'), simd: await Kernels.create('simd') };
for (let trial = 0; trial < 30; trial++) {
  const m = 1 + Math.floor(rnd() * 9), n = 4 * (1 + Math.floor(rnd() * 5)), kpad = 16 * (1 + Math.floor(rnd() * 40));
  const a = Uint8Array.from({ length: m * kpad }, () => Math.floor(rnd() * 128));
  const w = Int8Array.from({ length: n * kpad }, () => Math.floor(rnd() * 255) - 127);
  const ref = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < kpad; k++) s += a[i * kpad + k] * w[j * kpad + k]; ref[i * n + j] = s; }
  const res: Record<string, Float32Array> = {};
  for (const [name, K] of Object.entries(ks)) {
    const pa = K.alloc(a.length), pw = K.alloc(w.length), pb = K.alloc(w.length), ws = K.alloc(n * 4), sc = K.alloc(n * 4), bi = K.alloc(n * 4), out = K.alloc(m * n * 4);
    K.u8(pa, a.length).set(a); K.i8(pw, w.length).set(w); K.f32(sc, n).fill(1); K.f32(bi, n).fill(0);
    K.k.pack_weights(pw, n, kpad, kpad, n, pb, ws);
    K.k.gemm_u7s8(pa, m, kpad, pb, n, ws, sc, bi, 1, 0, 0, 0, out, 0, m);
    res[name] = K.f32(out, m * n).slice();
  }
  const bad = (x: Float32Array) => x.findIndex((v, i) => v !== ref[i]);
  if (bad(res.relaxed) >= 0 || bad(res.simd) >= 0) console.log('trial', trial, m, n, kpad, 'relaxed bad at', bad(res.relaxed), res.relaxed[bad(res.relaxed)], ref[bad(res.relaxed)], 'simd bad', bad(res.simd));
}
console.log('done');
