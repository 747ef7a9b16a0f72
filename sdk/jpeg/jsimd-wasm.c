/*
 * WebAssembly SIMD128 versions of libjpeg-turbo's two hottest decoder steps, through its own jsimd_* hooks (in place
 * of jsimd_none.c, which keeps every other step in C): YCbCr -> RGB (jdcolext.c's ycc_rgb_convert) and the 8x8 ISLOW
 * inverse DCT (jidctint.c's jpeg_idct_islow). Both compute what the C code computes, in the same 32-bit integer
 * arithmetic: the colour tables become their formulas, the IDCT's zero-column/zero-row shortcuts (which equal the
 * full computation) are not taken. tests/jpeg.test.ts checks the pixels against PIL's.
 */
#define jsimd_can_ycc_rgb jsimd_none_can_ycc_rgb
#define jsimd_ycc_rgb_convert jsimd_none_ycc_rgb_convert
#define jsimd_can_idct_islow jsimd_none_can_idct_islow
#define jsimd_idct_islow jsimd_none_idct_islow
#include "jsimd_none.c"
#undef jsimd_can_ycc_rgb
#undef jsimd_ycc_rgb_convert
#undef jsimd_can_idct_islow
#undef jsimd_idct_islow

#include <wasm_simd128.h>
#include "jdct.h"

/* ---- YCbCr -> RGB (3 bytes per pixel: decode.c asks for JCS_RGB only) ---- */

#define SCALEBITS 16
#define ONE_HALF ((JLONG)1 << (SCALEBITS - 1))
#define FIX(x) ((JLONG)((x) * (1L << SCALEBITS) + 0.5))

int jsimd_can_ycc_rgb(void) { return 1; }

static inline int clamp255(int v) { return v < 0 ? 0 : v > 255 ? 255 : v; }

/* Four pixels' R, G, B (before the clamp) from their y, cb - 128, cr - 128. */
static inline void ycc4(v128_t y, v128_t cb, v128_t cr, v128_t *r, v128_t *g, v128_t *b) {
  const v128_t half = wasm_i32x4_splat(ONE_HALF);
  *r = wasm_i32x4_add(y, wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(cr, wasm_i32x4_splat(FIX(1.40200))), half), SCALEBITS));
  *b = wasm_i32x4_add(y, wasm_i32x4_shr(wasm_i32x4_add(wasm_i32x4_mul(cb, wasm_i32x4_splat(FIX(1.77200))), half), SCALEBITS));
  v128_t gs = wasm_i32x4_add(wasm_i32x4_mul(cb, wasm_i32x4_splat(-FIX(0.34414))), half);
  gs = wasm_i32x4_add(gs, wasm_i32x4_mul(cr, wasm_i32x4_splat(-FIX(0.71414))));
  *g = wasm_i32x4_add(y, wasm_i32x4_shr(gs, SCALEBITS));
}

/* 16 bytes -> four i32x4 (lanes 0-3, 4-7, 8-11, 12-15), minus `bias`. */
static inline void widen16(v128_t v, int bias, v128_t out[4]) {
  v128_t lo = wasm_u16x8_extend_low_u8x16(v), hi = wasm_u16x8_extend_high_u8x16(v), k = wasm_i32x4_splat(bias);
  out[0] = wasm_i32x4_sub(wasm_u32x4_extend_low_u16x8(lo), k);
  out[1] = wasm_i32x4_sub(wasm_u32x4_extend_high_u16x8(lo), k);
  out[2] = wasm_i32x4_sub(wasm_u32x4_extend_low_u16x8(hi), k);
  out[3] = wasm_i32x4_sub(wasm_u32x4_extend_high_u16x8(hi), k);
}

/* Four i32x4 -> 16 bytes, each clamped to 0..255 (libjpeg's range_limit). */
static inline v128_t narrow16(const v128_t v[4]) {
  return wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v[0], v[1]), wasm_i16x8_narrow_i32x4(v[2], v[3]));
}

/* 16 pixels' R, G, B planes -> 48 interleaved bytes. */
static inline void store_rgb16(JSAMPROW out, v128_t r, v128_t g, v128_t b) {
  v128_t rg0 = wasm_i8x16_shuffle(r, g, 0, 16, 0, 1, 17, 0, 2, 18, 0, 3, 19, 0, 4, 20, 0, 5);
  v128_t o0 = wasm_i8x16_shuffle(rg0, b, 0, 1, 16, 3, 4, 17, 6, 7, 18, 9, 10, 19, 12, 13, 20, 15);
  v128_t rg1 = wasm_i8x16_shuffle(r, g, 21, 0, 6, 22, 0, 7, 23, 0, 8, 24, 0, 9, 25, 0, 10, 26);
  v128_t o1 = wasm_i8x16_shuffle(rg1, b, 0, 21, 2, 3, 22, 5, 6, 23, 8, 9, 24, 11, 12, 25, 14, 15);
  v128_t rg2 = wasm_i8x16_shuffle(r, g, 0, 11, 27, 0, 12, 28, 0, 13, 29, 0, 14, 30, 0, 15, 31, 0);
  v128_t o2 = wasm_i8x16_shuffle(rg2, b, 26, 1, 2, 27, 4, 5, 28, 7, 8, 29, 10, 11, 30, 13, 14, 31);
  wasm_v128_store(out, o0);
  wasm_v128_store(out + 16, o1);
  wasm_v128_store(out + 32, o2);
}

void jsimd_ycc_rgb_convert(j_decompress_ptr cinfo, JSAMPIMAGE input_buf, JDIMENSION input_row,
                           JSAMPARRAY output_buf, int num_rows) {
  JDIMENSION width = cinfo->output_width;
  while (--num_rows >= 0) {
    JSAMPROW y = input_buf[0][input_row], cb = input_buf[1][input_row], cr = input_buf[2][input_row], out = *output_buf++;
    input_row++;
    JDIMENSION col = 0;
    for (; col + 16 <= width; col += 16) {
      v128_t Y[4], B[4], R[4], r[4], g[4], b[4];
      widen16(wasm_v128_load(y + col), 0, Y);
      widen16(wasm_v128_load(cb + col), CENTERJSAMPLE, B);
      widen16(wasm_v128_load(cr + col), CENTERJSAMPLE, R);
      for (int i = 0; i < 4; i++) ycc4(Y[i], B[i], R[i], &r[i], &g[i], &b[i]);
      store_rgb16(out + col * 3, narrow16(r), narrow16(g), narrow16(b));
    }
    for (; col < width; col++) {
      int Y = y[col], xb = cb[col] - CENTERJSAMPLE, xr = cr[col] - CENTERJSAMPLE;
      out[col * 3] = clamp255(Y + (int)((FIX(1.40200) * xr + ONE_HALF) >> SCALEBITS));
      out[col * 3 + 1] = clamp255(Y + (int)((-FIX(0.34414) * xb + ONE_HALF - FIX(0.71414) * xr) >> SCALEBITS));
      out[col * 3 + 2] = clamp255(Y + (int)((FIX(1.77200) * xb + ONE_HALF) >> SCALEBITS));
    }
  }
}

/* ---- the 8x8 ISLOW inverse DCT: jidctint.c's two passes, four columns (then four rows) per vector ---- */

#define CONST_BITS 13
#define PASS1_BITS 2

int jsimd_can_idct_islow(void) { return 1; }

static inline v128_t mulk(v128_t v, int k) { return wasm_i32x4_mul(v, wasm_i32x4_splat(k)); }

/* One 1-D pass of jpeg_idct_islow on four lanes at once: in[k] holds coefficient k, out[k] output k, descaled by `shift`. */
static inline void idct8(const v128_t in[8], v128_t out[8], int shift) {
  v128_t z1 = mulk(wasm_i32x4_add(in[2], in[6]), 4433);                 /* FIX_0_541196100 */
  v128_t tmp2 = wasm_i32x4_add(z1, mulk(in[6], -15137));                 /* -FIX_1_847759065 */
  v128_t tmp3 = wasm_i32x4_add(z1, mulk(in[2], 6270));                   /* FIX_0_765366865 */
  v128_t tmp0 = wasm_i32x4_shl(wasm_i32x4_add(in[0], in[4]), CONST_BITS);
  v128_t tmp1 = wasm_i32x4_shl(wasm_i32x4_sub(in[0], in[4]), CONST_BITS);
  v128_t tmp10 = wasm_i32x4_add(tmp0, tmp3), tmp13 = wasm_i32x4_sub(tmp0, tmp3);
  v128_t tmp11 = wasm_i32x4_add(tmp1, tmp2), tmp12 = wasm_i32x4_sub(tmp1, tmp2);

  tmp0 = in[7]; tmp1 = in[5]; tmp2 = in[3]; tmp3 = in[1];
  z1 = wasm_i32x4_add(tmp0, tmp3);
  v128_t z2 = wasm_i32x4_add(tmp1, tmp2), z3 = wasm_i32x4_add(tmp0, tmp2), z4 = wasm_i32x4_add(tmp1, tmp3);
  v128_t z5 = mulk(wasm_i32x4_add(z3, z4), 9633);                        /* FIX_1_175875602 */
  tmp0 = mulk(tmp0, 2446);                                               /* FIX_0_298631336 */
  tmp1 = mulk(tmp1, 16819);                                              /* FIX_2_053119869 */
  tmp2 = mulk(tmp2, 25172);                                              /* FIX_3_072711026 */
  tmp3 = mulk(tmp3, 12299);                                              /* FIX_1_501321110 */
  z1 = mulk(z1, -7373);                                                  /* -FIX_0_899976223 */
  z2 = mulk(z2, -20995);                                                 /* -FIX_2_562915447 */
  z3 = wasm_i32x4_add(mulk(z3, -16069), z5);                             /* -FIX_1_961570560 */
  z4 = wasm_i32x4_add(mulk(z4, -3196), z5);                              /* -FIX_0_390180644 */
  tmp0 = wasm_i32x4_add(tmp0, wasm_i32x4_add(z1, z3));
  tmp1 = wasm_i32x4_add(tmp1, wasm_i32x4_add(z2, z4));
  tmp2 = wasm_i32x4_add(tmp2, wasm_i32x4_add(z2, z3));
  tmp3 = wasm_i32x4_add(tmp3, wasm_i32x4_add(z1, z4));

  const v128_t round = wasm_i32x4_splat(1 << (shift - 1));
#define DESCALED(x) wasm_i32x4_shr(wasm_i32x4_add((x), round), shift)
  out[0] = DESCALED(wasm_i32x4_add(tmp10, tmp3)); out[7] = DESCALED(wasm_i32x4_sub(tmp10, tmp3));
  out[1] = DESCALED(wasm_i32x4_add(tmp11, tmp2)); out[6] = DESCALED(wasm_i32x4_sub(tmp11, tmp2));
  out[2] = DESCALED(wasm_i32x4_add(tmp12, tmp1)); out[5] = DESCALED(wasm_i32x4_sub(tmp12, tmp1));
  out[3] = DESCALED(wasm_i32x4_add(tmp13, tmp0)); out[4] = DESCALED(wasm_i32x4_sub(tmp13, tmp0));
#undef DESCALED
}

/* Transposes the 4x4 block a[0..3] (rows) into b[0..3]. */
static inline void transpose4(const v128_t a[4], v128_t b[4]) {
  v128_t t0 = wasm_i32x4_shuffle(a[0], a[1], 0, 4, 1, 5), t1 = wasm_i32x4_shuffle(a[0], a[1], 2, 6, 3, 7);
  v128_t t2 = wasm_i32x4_shuffle(a[2], a[3], 0, 4, 1, 5), t3 = wasm_i32x4_shuffle(a[2], a[3], 2, 6, 3, 7);
  b[0] = wasm_i32x4_shuffle(t0, t2, 0, 1, 4, 5); b[1] = wasm_i32x4_shuffle(t0, t2, 2, 3, 6, 7);
  b[2] = wasm_i32x4_shuffle(t1, t3, 0, 1, 4, 5); b[3] = wasm_i32x4_shuffle(t1, t3, 2, 3, 6, 7);
}

/*
 * An 8x8 matrix as two halves: lo[k] holds row k's elements 0-3, hi[k] its elements 4-7. Transposing it gives, for
 * column k, rows 0-3 in lo[k] and rows 4-7 in hi[k].
 */
static inline void transpose8(const v128_t lo[8], const v128_t hi[8], v128_t tlo[8], v128_t thi[8]) {
  transpose4(lo, tlo);          /* rows 0-3, cols 0-3 */
  transpose4(hi, tlo + 4);      /* rows 0-3, cols 4-7 */
  transpose4(lo + 4, thi);      /* rows 4-7, cols 0-3 */
  transpose4(hi + 4, thi + 4);  /* rows 4-7, cols 4-7 */
}

/* range_limit[x & RANGE_MASK] of IDCT_range_limit: x's low 10 bits as a signed number, + 128, clamped to 0..255. */
static inline v128_t range_limit(v128_t x) {
  return wasm_i32x4_add(wasm_i32x4_shr(wasm_i32x4_shl(x, 22), 22), wasm_i32x4_splat(CENTERJSAMPLE));
}

void jsimd_idct_islow(j_decompress_ptr cinfo, jpeg_component_info *compptr, JCOEFPTR coef_block,
                      JSAMPARRAY output_buf, JDIMENSION output_col) {
  const ISLOW_MULT_TYPE *quant = (const ISLOW_MULT_TYPE *)compptr->dct_table;
  v128_t inlo[8], inhi[8], wslo[8], wshi[8], vlo[8], vhi[8], olo[8], ohi[8];
  for (int k = 0; k < 8; k++) { /* pass 1: columns; row k of coefficients, dequantized */
    v128_t c = wasm_v128_load(coef_block + 8 * k);
    inlo[k] = wasm_i32x4_mul(wasm_i32x4_extend_low_i16x8(c), wasm_v128_load(quant + 8 * k));
    inhi[k] = wasm_i32x4_mul(wasm_i32x4_extend_high_i16x8(c), wasm_v128_load(quant + 8 * k + 4));
  }
  idct8(inlo, wslo, CONST_BITS - PASS1_BITS);
  idct8(inhi, wshi, CONST_BITS - PASS1_BITS);
  transpose8(wslo, wshi, vlo, vhi); /* vlo[c]: workspace column c, rows 0-3 */
  idct8(vlo, olo, CONST_BITS + PASS1_BITS + 3); /* pass 2: rows 0-3, olo[c] = their output column c */
  idct8(vhi, ohi, CONST_BITS + PASS1_BITS + 3);
  v128_t rlo[8], rhi[8];
  for (int c = 0; c < 8; c++) { olo[c] = range_limit(olo[c]); ohi[c] = range_limit(ohi[c]); }
  transpose8(olo, ohi, rlo, rhi); /* rlo[r]: output row r, columns 0-3; rhi[r]: columns 4-7 */
  for (int r = 0; r < 8; r++) {
    v128_t row = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(rlo[r], rhi[r]), wasm_i16x8_splat(0));
    wasm_v128_store64_lane(output_buf[r] + output_col, row, 0);
  }
}
