// resnet-edge's int8 kernels for WebAssembly SIMD (built by tools/build-kernels.mjs into two modules: one with
// relaxed SIMD, one with plain SIMD128; the SDK picks by feature detection).
//
// Convolution = im2col + GEMM. Activations are quantized per tensor, dynamically, to unsigned 7-bit codes with a
// zero point: x ≈ scale · (q − zp), q ∈ [0, 127]. Weights are the pack's int8, symmetric per output channel
// (w ≈ wscale[n] · w8, w8 ∈ [−127, 127]), repacked once. The GEMM accumulates u7 × s8 products in int32 exactly,
// then one fused epilogue per output: (acc − zp · Σw8) · scale · wscale[n] + bias[n] (+ residual) (ReLU).
//
// Why 7 bits: relaxed SIMD's i32x4.relaxed_dot_i8x16_i7x16_add_s is exact only when the second operand's top bit
// is clear; codes in [0, 127] make it exact on every implementation, so both paths compute the same integers.
#include "codes.h"
#include "epilogue.h"

#ifdef RELAXED
// 16 u7 × s8 products summed into 4 int32 lanes (groups of 4), added to acc, in one of two forms:
// fused: i32x4.relaxed_dot_i8x16_i7x16_add, one instruction where the CPU has VNNI (vpdpbusd), five on x86 without
// (V8 rebuilds a vector of ones each time); paired: i16x8.relaxed_dot_i8x16_i7x16_s (pairs, exact: |sum| ≤ 2·127·127)
// then a pairwise widening add, three instructions everywhere. sdk/src/int8/dot-form.ts times both and the faster
// is set with set_dot_form (a global in linear memory: the worker threads of a shared memory read the same one).
#define DOT_FUSED(acc, w, x) wasm_i32x4_relaxed_dot_i8x16_i7x16_add((w), (x), (acc))
#define DOT_PAIRED(acc, w, x) wasm_i32x4_add((acc), wasm_i32x4_extadd_pairwise_i16x8(wasm_i16x8_relaxed_dot_i8x16_i7x16((w), (x))))
#define DOT(acc, w, x) (paired ? DOT_PAIRED(acc, w, x) : DOT_FUSED(acc, w, x))
static int dot_form;  // 0 fused, 1 paired
EXPORT(set_dot_form) void set_dot_form(int paired) { dot_form = paired; }
EXPORT(path) int path(void) { return 1; }
typedef int8_t packed_t;  // pack_weights' layout: 16 k deep per step
#define KSTEP 16
#define LOAD_X(p) wasm_v128_load(p)  // 16 codes (bytes)
#else
// The same sums with SIMD128, 8 at a time: i32x4.dot_i16x8_s of the codes and the weights, both stored as i16
// (codes.h; pack_weights: V8 ran the GEMM 16 % faster than widening int8 weights in the loop, and 12 % faster again
// stepping 8 deep instead of 16, whose twice as many live vectors spilled).
#define DOT(acc, w, x) wasm_i32x4_add((acc), wasm_i32x4_dot_i16x8((w), (x)))
EXPORT(path) int path(void) { return 0; }
typedef int16_t packed_t;  // 8 k deep per step
#define KSTEP 8
#define LOAD_X(p) LOAD_CODES8(p)
#endif

// Bytes per packed weight (pack_weights' output is npad · kpad of them) and per activation code (codes.h).
EXPORT(packed_weight_size) int packed_weight_size(void) { return sizeof(packed_t); }
EXPORT(code_size) int code_size(void) { return sizeof(code_t); }

// ---------------------------------------------------------------------------------------------------------------
// Quantization: min/max, then codes. out_params[0] = scale, ((int32_t*)out_params)[1] = zero point. The min/max
// usually comes from the GEMM that wrote the activation (its range); threads split both passes (minmax_f32 on slices,
// their extremes combined, quant_params, quantize_codes on slices): the same bytes.

// min(0, x...) and max(0, x...) into out2[0], out2[1].
EXPORT(minmax_f32) void minmax_f32(const float* x, int n, float* out2) {
  range_t r = range_start();
  int i = 0;
  for (; i + 4 <= n; i += 4) range_add(&r, wasm_v128_load(x + i));
  float mn = 0.f, mx = 0.f;
  range_fold(r, &mn, &mx);
  for (; i < n; i++) { mn = x[i] < mn ? x[i] : mn; mx = x[i] > mx ? x[i] : mx; }
  out2[0] = mn;
  out2[1] = mx;
}

EXPORT(quant_params) void quant_params(float mn, float mx, float* out_params) {
  float scale = (mx - mn) / 127.f;
  if (!(scale > 0.f)) scale = 1.f;  // all zeros (or NaN: codes become 0)
  int zp = (int)__builtin_rintf(-mn / scale);
  zp = zp < 0 ? 0 : zp > 127 ? 127 : zp;
  out_params[0] = scale;
  ((int32_t*)out_params)[1] = zp;
}

EXPORT(quantize_codes) void quantize_codes(const float* x, int n, code_t* q, const float* params) {
  const float inv = 1.f / params[0];
  const int zp = ((const int32_t*)params)[1];
  const v128_t vinv = wasm_f32x4_splat(inv), vzp = wasm_f32x4_splat((float)zp);
  const v128_t vlo = wasm_f32x4_splat(0.f), vhi = wasm_f32x4_splat(127.f);
  const v128_t magic = wasm_f32x4_splat(8388608.f), low = wasm_i32x4_splat(0xFF);
  int i = 0;
  for (; i + 16 <= n; i += 16) {
    v128_t c[4];
    for (int j = 0; j < 4; j++) {
      v128_t v = wasm_f32x4_add(wasm_f32x4_nearest(wasm_f32x4_mul(wasm_v128_load(x + i + 4 * j), vinv)), vzp);
      // Clamped to [0, 127], NaN to 0 (pmax(0, NaN) is 0); then the integer read off the low mantissa bits of
      // v + 2^23 (exact for integers below 2^23): an add and an and, where i32x4.trunc_sat_f32x4_s is a sequence of
      // several instructions in V8 and JavaScriptCore.
      v = wasm_f32x4_pmin(vhi, wasm_f32x4_pmax(vlo, v));
      c[j] = wasm_v128_and(wasm_f32x4_add(v, magic), low);
    }
    v128_t s01 = wasm_i16x8_narrow_i32x4(c[0], c[1]), s23 = wasm_i16x8_narrow_i32x4(c[2], c[3]);
#ifdef RELAXED
    wasm_v128_store(q + i, wasm_u8x16_narrow_i16x8(s01, s23));
#else
    wasm_v128_store(q + i, s01);
    wasm_v128_store(q + i + 8, s23);
#endif
  }
  for (; i < n; i++) {
    float v = __builtin_rintf(x[i] * inv) + (float)zp;
    v = v < 0.f ? 0.f : v > 127.f ? 127.f : v;
    q[i] = (code_t)(int)(v == v ? v : 0.f);
  }
}

EXPORT(quantize_u7) void quantize_u7(const float* x, int n, code_t* q, float* out_params) {
  float mm[2];
  minmax_f32(x, n, mm);
  quant_params(mm[0], mm[1], out_params);
  quantize_codes(x, n, q, out_params);
}

// ---------------------------------------------------------------------------------------------------------------
// im2col: NHWC codes [h][w][c] -> rows [oh·ow][kpad], row = (ky, kx, c) patch (a patch row that lies in the image
// is one contiguous copy: ResNet's 7×7 stem on 3 channels made 49 copies of 3 codes); outside the image = zero point,
// tail up to kpad = 0 (the packed weights are 0 there). Writes rows [row_begin, row_end): each thread builds the rows
// of its own GEMM share.

static inline void fill_codes(code_t* dst, int zp, int c) {
#ifdef RELAXED
  __builtin_memset(dst, zp, c);
#else
  for (int i = 0; i < c; i++) dst[i] = (code_t)zp;
#endif
}

EXPORT(im2col_codes) void im2col_codes(const code_t* x, int h, int w, int c, int k, int stride, int pad,
                                       int oh, int ow, int kpad, int zp, code_t* out, int row_begin, int row_end) {
  const int kk = k * k * c;
  if (row_end > oh * ow) row_end = oh * ow;
  for (int r = row_begin; r < row_end; r++) {
    const int oy = r / ow, ox = r % ow;
    code_t* row = out + r * kpad;
    const int ix0 = ox * stride - pad;
    for (int ky = 0; ky < k; ky++) {
      const int iy = oy * stride + ky - pad;
      if (iy >= 0 && iy < h && ix0 >= 0 && ix0 + k <= w) {  // the patch row lies in the image: one copy
        __builtin_memcpy(row + ky * k * c, x + (iy * w + ix0) * c, k * c * sizeof(code_t));
        continue;
      }
      for (int kx = 0; kx < k; kx++) {
        const int ix = ox * stride + kx - pad;
        code_t* dst = row + (ky * k + kx) * c;
        if (iy < 0 || iy >= h || ix < 0 || ix >= w) fill_codes(dst, zp, c);
        else __builtin_memcpy(dst, x + (iy * w + ix) * c, c * sizeof(code_t));
      }
    }
    if (kpad > kk) __builtin_memset(row + kk, 0, (kpad - kk) * sizeof(code_t));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// GEMM with fused epilogue.
//   a:   [m][kpad] u7 codes (codes.h; kpad % 16 == 0)
//   b:   packed weights: for each block of 4 output channels, for each KSTEP-deep k step, 4 × KSTEP packed_t
//        (pack_weights: int8 16 deep with relaxed SIMD, i16 8 deep with SIMD128)
//   wsum[n] = Σ_k w8[n][k]; wscale[n], bias[n]: per output channel; n % 4 == 0 (the packer pads)
//   res: optional [m][n] fp32 added before the ReLU; out: [m][n] fp32; range: the outputs' min(0, …), max(0, …) (or 0)
// Blocking: a chunk of output channels whose weights fit in L2 stays there while every row pair streams by.

// The GEMM, specialised (inlined) per dot form: `paired` is a constant in each copy.
static inline __attribute__((always_inline)) void gemm(const code_t* a, int m, int kpad, const packed_t* b, int n,
    const int32_t* wsum, const float* wscale, const float* bias, float scale, int zp, const float* res, int relu,
    float* out, int row_begin, int row_end, float* range_out, const int paired) {
  range_t range = range_start();
  const v128_t vzp = wasm_i32x4_splat(zp), vscale = wasm_f32x4_splat(scale);
  int chunk = (128 * 1024 / (kpad * (int)sizeof(packed_t))) & ~3;
  if (chunk < 4) chunk = 4;
  if (row_end > m) row_end = m;
  for (int n0 = 0; n0 < n; n0 += chunk) {
    const int n1 = n0 + chunk < n ? n0 + chunk : n;
    for (int r = row_begin; r < row_end; r += 2) {
      const int two = r + 1 < row_end;
      const code_t* x0p = a + r * kpad;
      const code_t* x1p = two ? x0p + kpad : x0p;
      for (int nb = n0; nb < n1; nb += 4) {
        const packed_t* w = b + nb * kpad;
        v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        for (int k = 0; k < kpad; k += KSTEP, w += 4 * KSTEP) {
          const v128_t x0 = LOAD_X(x0p + k), x1 = LOAD_X(x1p + k);
          const v128_t w0 = wasm_v128_load(w), w1 = wasm_v128_load(w + KSTEP), w2 = wasm_v128_load(w + 2 * KSTEP), w3 = wasm_v128_load(w + 3 * KSTEP);
          c00 = DOT(c00, w0, x0); c01 = DOT(c01, w1, x0); c02 = DOT(c02, w2, x0); c03 = DOT(c03, w3, x0);
          c10 = DOT(c10, w0, x1); c11 = DOT(c11, w1, x1); c12 = DOT(c12, w2, x1); c13 = DOT(c13, w3, x1);
        }
        epilogue(hsum4(c00, c01, c02, c03), wsum + nb, wscale + nb, bias + nb, vzp, vscale,
                 res ? res + r * n + nb : 0, relu, out + r * n + nb, &range);
        if (two) epilogue(hsum4(c10, c11, c12, c13), wsum + nb, wscale + nb, bias + nb, vzp, vscale,
                          res ? res + (r + 1) * n + nb : 0, relu, out + (r + 1) * n + nb, &range);
      }
    }
  }
  range_store(range, range_out);
}

EXPORT(gemm_u7s8) void gemm_u7s8(const code_t* a, int m, int kpad, const packed_t* b, int n, const int32_t* wsum,
                                 const float* wscale, const float* bias, float scale, int zp, const float* res,
                                 int relu, float* out, int row_begin, int row_end, float* range) {
#ifdef RELAXED
  if (dot_form) gemm(a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out, row_begin, row_end, range, 1);
  else
#endif
  gemm(a, m, kpad, b, n, wsum, wscale, bias, scale, zp, res, relu, out, row_begin, row_end, range, 0);
}

// Repacks PyTorch-layout int8 weights [n][kh][kw][cin]-ordered rows (the caller permutes to (ky, kx, c) order)
// of length k into the GEMM's layout with kpad and npad (multiples of 16 and 4), and their row sums.
EXPORT(pack_weights) void pack_weights(const int8_t* w, int n, int k, int kpad, int npad, packed_t* out, int32_t* wsum) {
  for (int nb = 0; nb < npad; nb += 4) {
    for (int k0 = 0; k0 < kpad; k0 += KSTEP) {
      for (int j = 0; j < 4; j++) {
        packed_t* dst = out + nb * kpad + k0 * 4 + j * KSTEP;
        for (int t = 0; t < KSTEP; t++) {
          const int row = nb + j, col = k0 + t;
          dst[t] = row < n && col < k ? w[row * k + col] : 0;
        }
      }
    }
  }
  for (int row = 0; row < npad; row++) {
    int32_t s = 0;
    for (int col = 0; col < k && row < n; col++) s += w[row * k + col];
    wsum[row] = s;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Pooling on fp32 NHWC (c % 4 == 0). The 3×3 stride-2 max-pool writes output rows [row_begin, row_end) of ow
// outputs each (threads split them).

EXPORT(maxpool3s2) void maxpool3s2(const float* x, int h, int w, int c, int ow, float* out, int row_begin, int row_end) {
  for (int oy = row_begin; oy < row_end; oy++) {
    for (int ox = 0; ox < ow; ox++) {
      float* dst = out + (oy * ow + ox) * c;
      for (int ch = 0; ch < c; ch += 4) {
        v128_t m = wasm_f32x4_splat(-__builtin_inff());
        for (int ky = 0; ky < 3; ky++) {
          const int iy = oy * 2 + ky - 1;
          if (iy < 0 || iy >= h) continue;
          for (int kx = 0; kx < 3; kx++) {
            const int ix = ox * 2 + kx - 1;
            if (ix < 0 || ix >= w) continue;
            m = wasm_f32x4_pmax(m, wasm_v128_load(x + (iy * w + ix) * c + ch));
          }
        }
        wasm_v128_store(dst + ch, m);
      }
    }
  }
}

EXPORT(avgpool) void avgpool(const float* x, int hw, int c, float* out) {
  for (int ch = 0; ch < c; ch += 4) {
    v128_t s = wasm_f32x4_splat(0.f);
    for (int p = 0; p < hw; p++) s = wasm_f32x4_add(s, wasm_v128_load(x + p * c + ch));
    wasm_v128_store(out + ch, wasm_f32x4_div(s, wasm_f32x4_splat((float)hw)));
  }
}
