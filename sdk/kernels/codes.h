// The activation codes' storage, shared by int8.c and winograd.c: quantize_codes writes them, im2col, the GEMM and
// Winograd's input transform read them. Values are u7 ([0, 127]) in both builds; relaxed SIMD's dot product takes
// them as bytes (16 per vector), SIMD128's i32x4.dot_i16x8_s as i16 (8 per vector): stored as i16 there, the GEMM
// loads them with a plain v128.load instead of widening bytes in its inner loop (ResNet-50's 1×1 GEMMs in a
// microbenchmark: −7 % in V8, −9 % in JavaScriptCore, Safari's engine), for twice the bytes of codes.
#pragma once
#include <stdint.h>
#include <wasm_simd128.h>

#ifdef RELAXED
typedef uint8_t code_t;
#define LOAD_CODES8(p) wasm_u16x8_load8x8(p)  // 8 codes as i16
#else
typedef int16_t code_t;
#define LOAD_CODES8(p) wasm_v128_load(p)
#endif
