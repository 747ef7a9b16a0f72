/*
 * Pillow's antialiased resize (ImagingResample's horizontal and vertical passes with 8-bit rounding), in SIMD128, on
 * the decoded pixels where decode.c left them: the same integer arithmetic as sdk/src/image/resample.ts, which
 * computes the taps (22-bit fixed point, non-negative, summing to 1 << 22) and calls these two. tests/jpeg.test.ts
 * checks both give the same bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <wasm_simd128.h>

#define EXPORT(name) __attribute__((export_name(#name)))
#define PRECISION_BITS 22
#define HALF (1 << (PRECISION_BITS - 1))

/* (HALF + Σ pixel·tap) >> 22, clamped to 0..255: Pillow's clip8 (the sums stay below 2^30). */
static inline v128_t clip8x4(v128_t acc) { return wasm_i32x4_shr(acc, PRECISION_BITS); }
static inline uint8_t clip8(int32_t acc) { int32_t v = acc >> PRECISION_BITS; return v < 0 ? 0 : v > 255 ? 255 : v; }

/*
 * The horizontal pass: rows [row_first, row_first + rows) of a `channels`-byte image (1, 3 or 4) resampled into cw
 * RGB pixels each (gray repeated, alpha dropped), output pixel x from source pixels start[x] .. + count[x] with taps
 * k[x * ksize ..]. Rows land in `out`, cw * 3 bytes apart. Reads one byte past a pixel (decode.c leaves 16 spare).
 */
EXPORT(resample_rows) void resample_rows(const uint8_t *data, int width, int channels, int row_first, int rows,
                                         const int32_t *start, const int32_t *count, const int32_t *k, int ksize,
                                         int cw, uint8_t *out) {
  for (int r = 0; r < rows; r++) {
    const uint8_t *row = data + (size_t)(row_first + r) * width * channels;
    uint8_t *o = out + (size_t)r * cw * 3;
    for (int x = 0; x < cw; x++, o += 3) {
      const int32_t *kx = k + x * ksize;
      const uint8_t *p = row + (size_t)start[x] * channels;
      int n = count[x];
      if (channels == 1) {
        int32_t acc = HALF;
        for (int t = 0; t < n; t++) acc += p[t] * kx[t];
        o[0] = o[1] = o[2] = clip8(acc);
        continue;
      }
      v128_t acc = wasm_i32x4_splat(HALF);
      for (int t = 0; t < n; t++, p += channels) {
        v128_t px = wasm_u32x4_extend_low_u16x8(wasm_u16x8_extend_low_u8x16(wasm_v128_load32_zero(p)));
        acc = wasm_i32x4_add(acc, wasm_i32x4_mul(px, wasm_i32x4_splat(kx[t])));
      }
      v128_t v = clip8x4(acc);
      v128_t bytes = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(v, v), wasm_i16x8_splat(0));
      o[0] = wasm_u8x16_extract_lane(bytes, 0);
      o[1] = wasm_u8x16_extract_lane(bytes, 1);
      o[2] = wasm_u8x16_extract_lane(bytes, 2);
    }
  }
}

/*
 * The vertical pass: output row y from rows start[y] .. + count[y] of `rows_in` (stride bytes apart; row 0 there is
 * source row `row_first`) with taps k[y * ksize ..], into `out` (stride bytes per row), 16 bytes at a time.
 */
EXPORT(resample_columns) void resample_columns(const uint8_t *rows_in, int stride, int row_first, int out_rows,
                                               const int32_t *start, const int32_t *count, const int32_t *k, int ksize,
                                               uint8_t *out) {
  for (int y = 0; y < out_rows; y++) {
    const int32_t *ky = k + y * ksize;
    const uint8_t *first = rows_in + (size_t)(start[y] - row_first) * stride;
    int n = count[y], i = 0;
    for (; i + 16 <= stride; i += 16) {
      v128_t a0 = wasm_i32x4_splat(HALF), a1 = a0, a2 = a0, a3 = a0;
      for (int t = 0; t < n; t++) {
        v128_t px = wasm_v128_load(first + (size_t)t * stride + i), c = wasm_i32x4_splat(ky[t]);
        v128_t lo = wasm_u16x8_extend_low_u8x16(px), hi = wasm_u16x8_extend_high_u8x16(px);
        a0 = wasm_i32x4_add(a0, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(lo), c));
        a1 = wasm_i32x4_add(a1, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(lo), c));
        a2 = wasm_i32x4_add(a2, wasm_i32x4_mul(wasm_u32x4_extend_low_u16x8(hi), c));
        a3 = wasm_i32x4_add(a3, wasm_i32x4_mul(wasm_u32x4_extend_high_u16x8(hi), c));
      }
      v128_t bytes = wasm_u8x16_narrow_i16x8(wasm_i16x8_narrow_i32x4(clip8x4(a0), clip8x4(a1)),
                                             wasm_i16x8_narrow_i32x4(clip8x4(a2), clip8x4(a3)));
      wasm_v128_store(out + (size_t)y * stride + i, bytes);
    }
    for (; i < stride; i++) {
      int32_t acc = HALF;
      for (int t = 0; t < n; t++) acc += first[(size_t)t * stride + i] * ky[t];
      out[(size_t)y * stride + i] = clip8(acc);
    }
  }
}
