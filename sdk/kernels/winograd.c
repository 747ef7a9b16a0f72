// 3×3 stride-1 convolutions by Winograd's F(2×2, 3×3), in integers, giving exactly the direct convolution's sums
// (so the same outputs as im2col + GEMM, bit for bit) with 16 multiplies per 2×2 outputs instead of 36.
//
// Per 4×4 input tile d (codes, the zero point outside the image) and 3×3 filter g:
//   V = Bᵀ d B        (integers in [−508, 508]: i16)
//   U = (2G) g (2G)ᵀ  (4 · G g Gᵀ, integers in [−1143, 1143]: i16; packed once)
//   4 · Y = Aᵀ [Σ_c U ⊙ V] A, and Y = the direct sums for the tile's 2×2 outputs.
// The 16 products Σ_c U_ξ V_ξ are 16 GEMMs over the input channels with i32x4.dot_i16x8_s (in both builds). An
// intermediate sum may wrap in int32, but every step is a ring operation and the result, 4·Y, fits: it is exact.
// This halves the multiplies where they cost two instructions per 8 (SIMD128, and relaxed SIMD without VNNI); with
// VNNI one instruction does 16 and the direct GEMM stays faster (sdk/src/int8/resnet.ts picks).
#include "epilogue.h"

// Bᵀ = [[1,0,−1,0], [0,1,1,0], [0,−1,1,0], [0,1,0,−1]] applied to 4 vectors.
#define BT(o, a, b, c, d) do { (o)[0] = wasm_i16x8_sub(a, c); (o)[1] = wasm_i16x8_add(b, c); \
  (o)[2] = wasm_i16x8_sub(c, b); (o)[3] = wasm_i16x8_sub(b, d); } while (0)

// Input transform of tiles [tile_begin, tile_end) of an h×w×c image of codes (c % 8 == 0; padding 1, outside = zp)
// into v: [tile][16][c] i16, tiles row-major over ceil(h/2) × ceil(w/2).
EXPORT(wino_input) void wino_input(const uint8_t* x, int h, int w, int c, int zp, int16_t* v, int tile_begin, int tile_end) {
  const int tw = (w + 1) / 2;
  const v128_t vzp = wasm_i16x8_splat(zp);
  for (int t = tile_begin; t < tile_end; t++) {
    const int y0 = 2 * (t / tw) - 1, x0 = 2 * (t % tw) - 1;
    int16_t* dst = v + t * 16 * c;
    const uint8_t* row[4];
    int col_ok[4];
    for (int i = 0; i < 4; i++) {
      row[i] = y0 + i >= 0 && y0 + i < h ? x + (y0 + i) * w * c : 0;
      col_ok[i] = x0 + i >= 0 && x0 + i < w;
    }
    for (int ch = 0; ch < c; ch += 8) {
      v128_t d[4][4], t4[4][4];
      for (int i = 0; i < 4; i++) {
        for (int j = 0; j < 4; j++) d[i][j] = row[i] && col_ok[j] ? wasm_u16x8_load8x8(row[i] + (x0 + j) * c + ch) : vzp;
      }
      for (int j = 0; j < 4; j++) {  // columns: Bᵀ d
        v128_t o[4];
        BT(o, d[0][j], d[1][j], d[2][j], d[3][j]);
        for (int i = 0; i < 4; i++) t4[i][j] = o[i];
      }
      for (int i = 0; i < 4; i++) {  // rows: (Bᵀ d) B
        v128_t o[4];
        BT(o, t4[i][0], t4[i][1], t4[i][2], t4[i][3]);
        for (int j = 0; j < 4; j++) wasm_v128_store(dst + (4 * i + j) * c + ch, o[j]);
      }
    }
  }
}

// 2G = [[2,0,0], [1,1,1], [1,−1,1], [0,0,2]] applied to 3 vectors (i16: |values| ≤ 3 · 381 = 1143).
#define G2(o, a, b, c) do { (o)[0] = wasm_i16x8_add(a, a); (o)[1] = wasm_i16x8_add(wasm_i16x8_add(a, b), c); \
  (o)[2] = wasm_i16x8_add(wasm_i16x8_sub(a, b), c); (o)[3] = wasm_i16x8_add(c, c); } while (0)

// Weights [n][3][3][c] int8 (the im2col order; c % 8 == 0) -> u: for each block of 4 output channels, for each ξ of
// 16, for each 8-wide step of c, 4 × 8 i16 (npad % 4 == 0, zeros past n); wsum[n] = Σ w8, as pack_weights gives it.
// 8 input channels at a time (contiguous in both layouts).
EXPORT(wino_pack_weights) void wino_pack_weights(const int8_t* w, int n, int c, int npad, int16_t* u, int32_t* wsum) {
  for (int o = 0; o < npad; o++) {
    v128_t s = wasm_i32x4_splat(0);
    for (int ch = 0; ch < c; ch += 8) {
      v128_t g[3][3], gt[4][3];
      for (int p = 0; p < 9; p++) g[p / 3][p % 3] = o < n ? wasm_i16x8_load8x8(w + (o * 9 + p) * c + ch) : wasm_i16x8_splat(0);
      for (int p = 0; p < 9; p++) s = wasm_i32x4_add(s, wasm_i32x4_extadd_pairwise_i16x8(g[p / 3][p % 3]));
      for (int j = 0; j < 3; j++) {  // columns: (2G) g
        v128_t t[4];
        G2(t, g[0][j], g[1][j], g[2][j]);
        for (int i = 0; i < 4; i++) gt[i][j] = t[i];
      }
      for (int i = 0; i < 4; i++) {  // rows: ((2G) g) (2G)ᵀ
        v128_t t[4];
        G2(t, gt[i][0], gt[i][1], gt[i][2]);
        for (int j = 0; j < 4; j++) wasm_v128_store(u + ((o / 4) * 16 + 4 * i + j) * 4 * c + (ch / 8) * 32 + (o % 4) * 8, t[j]);
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

// Output transform of one tile (m: its 16 sums for 4 channels) and the epilogue of its outputs inside oh × ow.
static void finish(const v128_t* m, int t, int oh, int ow, int n, int nb, const int32_t* wsum, const float* wscale,
                   const float* bias, v128_t vzp, v128_t vscale, const float* res, int relu, float* out, range_t* range) {
  const int tw = (ow + 1) / 2, oy = 2 * (t / tw), ox = 2 * (t % tw);
  v128_t s[2][4];  // Aᵀ M, Aᵀ = [[1,1,1,0], [0,1,−1,−1]]
  for (int j = 0; j < 4; j++) {
    s[0][j] = wasm_i32x4_add(wasm_i32x4_add(m[j], m[4 + j]), m[8 + j]);
    s[1][j] = wasm_i32x4_sub(wasm_i32x4_sub(m[4 + j], m[8 + j]), m[12 + j]);
  }
  for (int i = 0; i < 2 && oy + i < oh; i++) {
    const v128_t y[2] = {wasm_i32x4_add(wasm_i32x4_add(s[i][0], s[i][1]), s[i][2]),
                         wasm_i32x4_sub(wasm_i32x4_sub(s[i][1], s[i][2]), s[i][3])};
    for (int j = 0; j < 2 && ox + j < ow; j++) {
      const int p = (oy + i) * ow + ox + j;
      epilogue(wasm_i32x4_shr(y[j], 2), wsum + nb, wscale + nb, bias + nb, vzp, vscale, res ? res + p * n + nb : 0,
               relu, out + p * n + nb, range);
    }
  }
}

// The convolution's outputs of tiles [tile_begin, tile_end) from their transformed inputs v (wino_input) and the
// packed u (wino_pack_weights), with the direct GEMM's epilogue; out and res are [oh·ow][n] fp32, oh × ow = h × w;
// range: the outputs' min(0, …), max(0, …) (or 0).
EXPORT(wino_gemm) void wino_gemm(const int16_t* v, int c, const int16_t* u, int n, const int32_t* wsum,
                                 const float* wscale, const float* bias, float scale, int zp, const float* res, int relu,
                                 float* out, int oh, int ow, int tile_begin, int tile_end, float* range_out) {
  range_t range = range_start();
  const v128_t vzp = wasm_i32x4_splat(zp), vscale = wasm_f32x4_splat(scale);
  int chunk = (128 * 1024 / (32 * c)) & ~3;  // output channels whose packed weights (32·c bytes each) fit in L2
  if (chunk < 4) chunk = 4;
  for (int n0 = 0; n0 < n; n0 += chunk) {
    const int n1 = n0 + chunk < n ? n0 + chunk : n;
    for (int t = tile_begin; t < tile_end; t += 2) {
      const int two = t + 1 < tile_end;
      for (int nb = n0; nb < n1; nb += 4) {
        v128_t m0[16], m1[16];
        for (int xi = 0; xi < 16; xi++) {
          const int16_t* v0 = v + (t * 16 + xi) * c;
          products(v0, two ? v0 + 16 * c : v0, u + ((nb / 4) * 16 + xi) * 4 * c, c, &m0[xi], &m1[xi]);
        }
        finish(m0, t, oh, ow, n, nb, wsum, wscale, bias, vzp, vscale, res, relu, out, &range);
        if (two) finish(m1, t + 1, oh, ow, n, nb, wsum, wscale, bias, vzp, vscale, res, relu, out, &range);
      }
    }
  }
  range_store(range, range_out);
}
