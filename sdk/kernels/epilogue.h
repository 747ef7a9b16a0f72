// The GEMMs' shared tail (int8.c's direct GEMM and winograd.c's): four accumulators' lane sums, the fused epilogue
// (acc − zp · Σw8) · scale · wscale[n] + bias[n] (+ residual) (ReLU) on 4 output channels, and the range of what it
// writes: min(0, outputs…) and max(0, outputs…), the next quantization's (minmax_f32's) without reading them again.
#pragma once
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))

static inline v128_t hsum4(v128_t a0, v128_t a1, v128_t a2, v128_t a3) {
  v128_t s01 = wasm_i32x4_add(wasm_i32x4_shuffle(a0, a1, 0, 4, 1, 5), wasm_i32x4_shuffle(a0, a1, 2, 6, 3, 7));
  v128_t s23 = wasm_i32x4_add(wasm_i32x4_shuffle(a2, a3, 0, 4, 1, 5), wasm_i32x4_shuffle(a2, a3, 2, 6, 3, 7));
  return wasm_i32x4_add(wasm_i32x4_shuffle(s01, s23, 0, 1, 4, 5), wasm_i32x4_shuffle(s01, s23, 2, 3, 6, 7));
}

// Lane-wise running min and max, from 0.
typedef struct { v128_t lo, hi; } range_t;
static inline range_t range_start(void) { return (range_t){ wasm_f32x4_splat(0.f), wasm_f32x4_splat(0.f) }; }
static inline void range_add(range_t* r, v128_t v) {
  r->lo = wasm_f32x4_pmin(r->lo, v);
  r->hi = wasm_f32x4_pmax(r->hi, v);
}
// The lanes folded into *mn, *mx (which start at 0).
static inline void range_fold(range_t r, float* mn, float* mx) {
  for (int l = 0; l < 4; l++) {
    const float a = ((float*)&r.lo)[l], b = ((float*)&r.hi)[l];
    *mn = a < *mn ? a : *mn;
    *mx = b > *mx ? b : *mx;
  }
}
// Stores the folded range in out2[0], out2[1] (nothing when out2 is 0).
static inline void range_store(range_t r, float* out2) {
  float mn = 0.f, mx = 0.f;
  range_fold(r, &mn, &mx);
  if (out2) { out2[0] = mn; out2[1] = mx; }
}

static inline void epilogue(v128_t acc, const int32_t* wsum, const float* wscale, const float* bias, v128_t vzp,
                            v128_t vscale, const float* res, int relu, float* out, range_t* range) {
  v128_t v = wasm_f32x4_convert_i32x4(wasm_i32x4_sub(acc, wasm_i32x4_mul(vzp, wasm_v128_load(wsum))));
  v = wasm_f32x4_add(wasm_f32x4_mul(v, wasm_f32x4_mul(vscale, wasm_v128_load(wscale))), wasm_v128_load(bias));
  if (res) v = wasm_f32x4_add(v, wasm_v128_load(res));
  if (relu) v = wasm_f32x4_pmax(v, wasm_f32x4_splat(0.f));
  range_add(range, v);
  wasm_v128_store(out, v);
}
