// 3×3 stride-1 convolutions by Winograd's F(m×m, 3×3), m = 2 or 4, in integers, giving exactly the direct
// convolution's sums (so the same outputs as im2col + GEMM, bit for bit) with (m+2)² multiplies per m×m outputs
// instead of 9·m²: 16 per 4 outputs (F2), 36 per 16 (F4).
//
// Per (m+2)×(m+2) input tile d (codes, the zero point outside the image) and 3×3 filter g, with integer matrices:
//   F2: V = Bᵀ d B (|V| ≤ 4·127), U = (2G) g (2G)ᵀ (|U| ≤ 9·127), 4·Y = Aᵀ [Σ_c U ⊙ V] A;
//   F4: V = Bᵀ d B (|V| ≤ 100·127), U = G' g G'ᵀ with G' = diag(4, 6, 6, 24, 24, 1) G (|U| ≤ 49·127), and
//       576·Y = A'ᵀ [Σ_c U ⊙ V] A' with A' = diag(6, 4, 4, 1, 1, 24) A (576 / (s_i s_j) undoes each U's scale);
// Y being the direct sums for the tile's outputs. U and V are i16; the 16 or 36 products Σ_c U_ξ V_ξ are GEMMs over
// the input channels with i32x4.dot_i16x8_s (in both builds). An intermediate sum may wrap in int32, but every step
// is a ring operation, so the result is exact mod 2³²: F2's 4·Y fits; F4's 576·Y = 64·(9·Y) does not always, but
// 64·Y ≡ 576·Y · 9⁻¹ (mod 2³²), which gives Y exactly when |Y| < 2²⁵: resnet.ts runs F4 only on layers where
// 127 · Σ|w8| of every filter stays below that (always up to 231 input channels).
// This cuts the multiplies where they cost two instructions per 8 (SIMD128, and relaxed SIMD without VNNI); with
// VNNI one instruction does 16 and the direct GEMM stays faster (sdk/src/int8/resnet.ts picks).
#include "codes.h"
#include "epilogue.h"

#define ADD wasm_i16x8_add
#define SUB wasm_i16x8_sub
#define SHL wasm_i16x8_shl

// Bᵀ applied to m+2 vectors: F2 [[1,0,−1,0], [0,1,1,0], [0,−1,1,0], [0,1,0,−1]]; F4 [[4,0,−5,0,1,0],
// [0,−4,−4,1,1,0], [0,4,−4,−1,1,0], [0,−2,−1,2,1,0], [0,2,−1,−2,1,0], [0,4,0,−5,0,1]].
static inline __attribute__((always_inline)) void bt(v128_t* o, const v128_t* d, const int m) {
  if (m == 2) {
    o[0] = SUB(d[0], d[2]); o[1] = ADD(d[1], d[2]); o[2] = SUB(d[2], d[1]); o[3] = SUB(d[1], d[3]);
    return;
  }
  const v128_t a = SUB(d[4], SHL(d[2], 2)), b = SUB(d[3], SHL(d[1], 2)), c = SUB(d[4], d[2]), e = SHL(SUB(d[3], d[1]), 1);
  o[0] = ADD(SHL(SUB(d[0], d[2]), 2), c);
  o[1] = ADD(a, b); o[2] = SUB(a, b);
  o[3] = ADD(c, e); o[4] = SUB(c, e);
  o[5] = ADD(SHL(SUB(d[1], d[3]), 2), SUB(d[5], d[3]));
}

// The scaled G applied to 3 vectors: F2 2G = [[2,0,0], [1,1,1], [1,−1,1], [0,0,2]]; F4 G' = [[1,0,0], [−1,−1,−1],
// [−1,1,−1], [1,2,4], [1,−2,4], [0,0,1]].
static inline __attribute__((always_inline)) void gt(v128_t* o, const v128_t* g, const int m) {
  if (m == 2) {
    o[0] = ADD(g[0], g[0]); o[1] = ADD(ADD(g[0], g[1]), g[2]); o[2] = ADD(SUB(g[0], g[1]), g[2]); o[3] = ADD(g[2], g[2]);
    return;
  }
  const v128_t s = ADD(g[0], SHL(g[2], 2)), t = SHL(g[1], 1);
  o[0] = g[0];
  o[1] = SUB(wasm_i16x8_splat(0), ADD(ADD(g[0], g[1]), g[2]));
  o[2] = SUB(g[1], ADD(g[0], g[2]));
  o[3] = ADD(s, t); o[4] = SUB(s, t);
  o[5] = g[2];
}

// Input transform of tiles [tile_begin, tile_end) of an h×w×c image of codes (c % 8 == 0; padding 1, outside = zp)
// into v: [tile][(m+2)²][c] i16, tiles of m×m outputs row-major over ceil(h/m) × ceil(w/m).
static inline __attribute__((always_inline)) void input(const code_t* x, int h, int w, int c, int zp, int16_t* v,
                                                        int tile_begin, int tile_end, const int m) {
  const int T = m + 2, tw = (w + m - 1) / m;
  const v128_t vzp = wasm_i16x8_splat(zp);
  for (int t = tile_begin; t < tile_end; t++) {
    const int y0 = m * (t / tw) - 1, x0 = m * (t % tw) - 1;
    int16_t* dst = v + t * T * T * c;
    const code_t* row[6];
    int col_ok[6];
    for (int i = 0; i < T; i++) {
      row[i] = y0 + i >= 0 && y0 + i < h ? x + (y0 + i) * w * c : 0;
      col_ok[i] = x0 + i >= 0 && x0 + i < w;
    }
    for (int ch = 0; ch < c; ch += 8) {
      v128_t cols[6][6];  // cols[j] = Bᵀ of input column j
      for (int j = 0; j < T; j++) {
        v128_t d[6];
        for (int i = 0; i < T; i++) d[i] = row[i] && col_ok[j] ? LOAD_CODES8(row[i] + (x0 + j) * c + ch) : vzp;
        bt(cols[j], d, m);
      }
      for (int i = 0; i < T; i++) {  // rows: (Bᵀ d) B
        v128_t r[6], o[6];
        for (int j = 0; j < T; j++) r[j] = cols[j][i];
        bt(o, r, m);
        for (int j = 0; j < T; j++) wasm_v128_store(dst + (T * i + j) * c + ch, o[j]);
      }
    }
  }
}

EXPORT(wino_input) void wino_input(const code_t* x, int h, int w, int c, int zp, int16_t* v, int tile_begin,
                                   int tile_end, int m) {
  if (m == 4) input(x, h, w, c, zp, v, tile_begin, tile_end, 4);
  else input(x, h, w, c, zp, v, tile_begin, tile_end, 2);
}

// Weights [n][3][3][c] int8 (the im2col order; c % 8 == 0) -> u: for each block of 4 output channels, for each ξ of
// (m+2)², for each 8-wide step of c, 4 × 8 i16 (npad % 4 == 0, zeros past n); wsum[n] = Σ w8, as pack_weights gives
// it. 8 input channels at a time (contiguous in both layouts).
EXPORT(wino_pack_weights) void wino_pack_weights(const int8_t* w, int n, int c, int npad, int16_t* u, int32_t* wsum, int m) {
  const int T = m + 2;
  for (int o = 0; o < npad; o++) {
    v128_t s = wasm_i32x4_splat(0);
    for (int ch = 0; ch < c; ch += 8) {
      v128_t g[3][3], cols[3][6];
      for (int p = 0; p < 9; p++) g[p / 3][p % 3] = o < n ? wasm_i16x8_load8x8(w + (o * 9 + p) * c + ch) : wasm_i16x8_splat(0);
      for (int p = 0; p < 9; p++) s = wasm_i32x4_add(s, wasm_i32x4_extadd_pairwise_i16x8(g[p / 3][p % 3]));
      for (int j = 0; j < 3; j++) {  // columns: G' g
        const v128_t col[3] = {g[0][j], g[1][j], g[2][j]};
        gt(cols[j], col, m);
      }
      for (int i = 0; i < T; i++) {  // rows: (G' g) G'ᵀ
        v128_t r[3] = {cols[0][i], cols[1][i], cols[2][i]}, o6[6];
        gt(o6, r, m);
        for (int j = 0; j < T; j++) wasm_v128_store(u + ((o / 4) * T * T + T * i + j) * 4 * c + (ch / 8) * 32 + (o % 4) * 8, o6[j]);
      }
    }
    wsum[o] = wasm_i32x4_extract_lane(s, 0) + wasm_i32x4_extract_lane(s, 1) + wasm_i32x4_extract_lane(s, 2) + wasm_i32x4_extract_lane(s, 3);
  }
}

// One ξ's products for two tiles and 4 output channels: Σ_c u · v, lanes summed per channel.
static inline void products(const int16_t* v0, const int16_t* v1, const int16_t* u, int c, v128_t* m0, v128_t* m1) {
  v128_t c00 = wasm_i32x4_splat(0), c01 = c00, c02 = c00, c03 = c00, c10 = c00, c11 = c00, c12 = c00, c13 = c00;
  for (int k = 0; k < c; k += 8, u += 32) {
    const v128_t x0 = wasm_v128_load(v0 + k), x1 = wasm_v128_load(v1 + k);
    const v128_t w0 = wasm_v128_load(u), w1 = wasm_v128_load(u + 8), w2 = wasm_v128_load(u + 16), w3 = wasm_v128_load(u + 24);
    c00 = wasm_i32x4_add(c00, wasm_i32x4_dot_i16x8(w0, x0)); c01 = wasm_i32x4_add(c01, wasm_i32x4_dot_i16x8(w1, x0));
    c02 = wasm_i32x4_add(c02, wasm_i32x4_dot_i16x8(w2, x0)); c03 = wasm_i32x4_add(c03, wasm_i32x4_dot_i16x8(w3, x0));
    c10 = wasm_i32x4_add(c10, wasm_i32x4_dot_i16x8(w0, x1)); c11 = wasm_i32x4_add(c11, wasm_i32x4_dot_i16x8(w1, x1));
    c12 = wasm_i32x4_add(c12, wasm_i32x4_dot_i16x8(w2, x1)); c13 = wasm_i32x4_add(c13, wasm_i32x4_dot_i16x8(w3, x1));
  }
  *m0 = hsum4(c00, c01, c02, c03);
  *m1 = hsum4(c10, c11, c12, c13);
}

// Aᵀ (F2 [[1,1,1,0], [0,1,−1,−1]]) or A'ᵀ (F4 [[6,4,4,1,1,0], [0,4,−4,2,−2,0], [0,4,4,4,4,0], [0,4,−4,8,−8,24]])
// applied to m+2 int32 vectors.
static inline __attribute__((always_inline)) void at(v128_t* y, const v128_t* s, const int m) {
  if (m == 2) {
    y[0] = wasm_i32x4_add(wasm_i32x4_add(s[0], s[1]), s[2]);
    y[1] = wasm_i32x4_sub(wasm_i32x4_sub(s[1], s[2]), s[3]);
    return;
  }
  const v128_t p = wasm_i32x4_shl(wasm_i32x4_add(s[1], s[2]), 2), q = wasm_i32x4_shl(wasm_i32x4_sub(s[1], s[2]), 2);
  const v128_t r = wasm_i32x4_add(s[3], s[4]), d = wasm_i32x4_sub(s[3], s[4]);
  y[0] = wasm_i32x4_add(wasm_i32x4_add(wasm_i32x4_mul(s[0], wasm_i32x4_splat(6)), p), r);
  y[1] = wasm_i32x4_add(q, wasm_i32x4_shl(d, 1));
  y[2] = wasm_i32x4_add(p, wasm_i32x4_shl(r, 2));
  y[3] = wasm_i32x4_add(wasm_i32x4_add(q, wasm_i32x4_shl(d, 3)), wasm_i32x4_mul(s[5], wasm_i32x4_splat(24)));
}

// The sums Y from the output transform's scaled ones: 4·Y (F2), 576·Y (F4: times 9⁻¹ mod 2³², then 64·Y ÷ 64).
static inline __attribute__((always_inline)) v128_t unscale(v128_t y, const int m) {
  if (m == 2) return wasm_i32x4_shr(y, 2);
  return wasm_i32x4_shr(wasm_i32x4_mul(y, wasm_i32x4_splat(0x38E38E39)), 6);
}

// Output transform of one tile (mm: its (m+2)² sums for 4 channels) and the epilogue of its outputs inside oh × ow.
static inline __attribute__((always_inline)) void finish(const v128_t* mm, int t, int oh, int ow, int n, int nb,
    const int32_t* wsum, const float* wscale, const float* bias, v128_t vzp, v128_t vscale, const float* res, int relu,
    float* out, range_t* range, const int m) {
  const int T = m + 2, tw = (ow + m - 1) / m, oy = m * (t / tw), ox = m * (t % tw);
  v128_t s[4][6];  // Aᵀ M, column by column
  for (int j = 0; j < T; j++) {
    v128_t col[6], y[4];
    for (int i = 0; i < T; i++) col[i] = mm[T * i + j];
    at(y, col, m);
    for (int i = 0; i < m; i++) s[i][j] = y[i];
  }
  for (int i = 0; i < m && oy + i < oh; i++) {
    v128_t y[4];
    at(y, s[i], m);
    for (int j = 0; j < m && ox + j < ow; j++) {
      const int p = (oy + i) * ow + ox + j;
      epilogue(unscale(y[j], m), wsum + nb, wscale + nb, bias + nb, vzp, vscale, res ? res + p * n + nb : 0, relu,
               out + p * n + nb, range);
    }
  }
}

static inline __attribute__((always_inline)) void gemm(const int16_t* v, int c, const int16_t* u, int n,
    const int32_t* wsum, const float* wscale, const float* bias, float scale, int zp, const float* res, int relu,
    float* out, int oh, int ow, int tile_begin, int tile_end, float* range_out, const int m) {
  const int TT = (m + 2) * (m + 2);
  range_t range = range_start();
  const v128_t vzp = wasm_i32x4_splat(zp), vscale = wasm_f32x4_splat(scale);
  int chunk = (128 * 1024 / (2 * TT * c)) & ~3;  // output channels whose packed weights (2·TT·c bytes each) fit in L2
  if (chunk < 4) chunk = 4;
  for (int n0 = 0; n0 < n; n0 += chunk) {
    const int n1 = n0 + chunk < n ? n0 + chunk : n;
    for (int t = tile_begin; t < tile_end; t += 2) {
      const int two = t + 1 < tile_end;
      for (int nb = n0; nb < n1; nb += 4) {
        v128_t m0[36], m1[36];
        for (int xi = 0; xi < TT; xi++) {
          const int16_t* v0 = v + (t * TT + xi) * c;
          products(v0, two ? v0 + TT * c : v0, u + ((nb / 4) * TT + xi) * 4 * c, c, &m0[xi], &m1[xi]);
        }
        finish(m0, t, oh, ow, n, nb, wsum, wscale, bias, vzp, vscale, res, relu, out, &range, m);
        if (two) finish(m1, t + 1, oh, ow, n, nb, wsum, wscale, bias, vzp, vscale, res, relu, out, &range, m);
      }
    }
  }
  range_store(range, range_out);
}

// The convolution's outputs of tiles [tile_begin, tile_end) from their transformed inputs v (wino_input) and the
// packed u (wino_pack_weights), with the direct GEMM's epilogue; out and res are [oh·ow][n] fp32, oh × ow = h × w;
// range: the outputs' min(0, …), max(0, …) (or 0).
EXPORT(wino_gemm) void wino_gemm(const int16_t* v, int c, const int16_t* u, int n, const int32_t* wsum,
                                 const float* wscale, const float* bias, float scale, int zp, const float* res, int relu,
                                 float* out, int oh, int ow, int tile_begin, int tile_end, float* range_out, int m) {
  if (m == 4) gemm(v, c, u, n, wsum, wscale, bias, scale, zp, res, relu, out, oh, ow, tile_begin, tile_end, range_out, 4);
  else gemm(v, c, u, n, wsum, wscale, bias, scale, zp, res, relu, out, oh, ow, tile_begin, tile_end, range_out, 2);
}
