/*
 * resnet-edge's JPEG decoder: libjpeg-turbo 2.1.5's decompressor (Debian 12's source, the library PIL links) built
 * for WebAssembly by tools/build-jpeg.mjs, with this file as its front end and its memory manager.
 *
 * One decode at a time: begin(n) resets the arena and returns where to write the file's n bytes; decode(n, denom)
 * decodes them at 1/denom scale (libjpeg's scale_num/scale_denom, DCT-domain downscaling as PIL's draft() asks for)
 * into RGB (or gray) rows and returns their address; width(), height() and channels() describe them. Errors call
 * the imported fail(message) (JavaScript throws, unwinding this module; the next begin() frees everything).
 * alloc(n) takes more of the arena after the pixels, for resample.c.
 * Nothing here reads files, the clock or the environment.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#define JPEG_INTERNALS
#include "jinclude.h"
#include "jpeglib.h"
#include "jmemsys.h"

#define EXPORT(name) __attribute__((export_name(#name)))
/* A fatal error: JavaScript formats libjpeg's message (its printf template and parameters) and throws. */
__attribute__((import_module("env"), import_name("fail"))) _Noreturn void js_fail(const char *format, const void *parameters);

/* ---- the arena: a bump allocator over the module's memory, reset by begin() ---- */
extern unsigned char __heap_base;
static size_t arena_top;

static void *arena_alloc(size_t n) {
  size_t at = (arena_top + 15) & ~(size_t)15, end = at + n;
  if (end < at) return NULL;
  size_t have = __builtin_wasm_memory_size(0) << 16;
  if (end > have && __builtin_wasm_memory_grow(0, (end - have + 65535) >> 16) == (size_t)-1) return NULL;
  arena_top = end;
  return (void *)at;
}

/* jmemsys.h: libjpeg's system-dependent memory calls, on the arena (freed all at once by the next begin()). */
void *jpeg_get_small(j_common_ptr cinfo, size_t n) { return arena_alloc(n); }
void jpeg_free_small(j_common_ptr cinfo, void *p, size_t n) {}
void *jpeg_get_large(j_common_ptr cinfo, size_t n) { return arena_alloc(n); }
void jpeg_free_large(j_common_ptr cinfo, void *p, size_t n) {}
size_t jpeg_mem_available(j_common_ptr cinfo, size_t min, size_t max, size_t used) { return max; }
void jpeg_open_backing_store(j_common_ptr cinfo, backing_store_ptr info, long total) {
  ERREXIT(cinfo, JERR_NO_BACKING_STORE);
}
long jpeg_mem_init(j_common_ptr cinfo) { return 0; }
void jpeg_mem_term(j_common_ptr cinfo) {}

/* ---- errors: fatal ones go to JavaScript, warnings (corrupt but decodable data) are decoded through, as PIL does ---- */
static void error_exit(j_common_ptr cinfo) {
  struct jpeg_error_mgr *err = cinfo->err;
  int code = err->msg_code;
  const char *format = code > 0 && code <= err->last_jpeg_message ? err->jpeg_message_table[code] : "Bogus message code %d";
  if (code <= 0 || code > err->last_jpeg_message) err->msg_parm.i[0] = code;
  js_fail(format, &err->msg_parm);
}
static void emit_message(j_common_ptr cinfo, int level) {}
static void output_message(j_common_ptr cinfo) {}

/* ---- the decoder ---- */
static struct { unsigned width, height, channels; } out;

EXPORT(begin) unsigned char *begin(size_t n) {
  arena_top = (size_t)&__heap_base;
  return arena_alloc(n);
}

/* More memory after the decoded pixels (the resampler's taps and rows); 0 when there is none. */
EXPORT(alloc) void *alloc(size_t n) { return arena_alloc(n); }

EXPORT(decode) unsigned char *decode(const unsigned char *bytes, size_t n, unsigned denom) {
  struct jpeg_decompress_struct cinfo;
  struct jpeg_error_mgr err;
  cinfo.err = jpeg_std_error(&err);
  err.error_exit = error_exit;
  err.emit_message = emit_message;
  err.output_message = output_message;
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, bytes, n);
  jpeg_read_header(&cinfo, TRUE);
  if (cinfo.num_components != 1 && cinfo.num_components != 3) {
    js_fail("%d colour components (CMYK?); only RGB and gray JPEGs are read", &cinfo.num_components);
  }
  cinfo.out_color_space = cinfo.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  cinfo.scale_num = 1;
  cinfo.scale_denom = denom;
  jpeg_start_decompress(&cinfo);
  out.width = cinfo.output_width;
  out.height = cinfo.output_height;
  out.channels = cinfo.output_components;
  size_t stride = (size_t)out.width * out.channels;
  unsigned char *pixels = arena_alloc(stride * out.height + 16); /* + 16: resample.c reads whole pixels as 4 bytes */
  if (!pixels) js_fail("out of memory for the decoded pixels", NULL);
  while (cinfo.output_scanline < cinfo.output_height) {
    unsigned left = out.height - cinfo.output_scanline, count = left < 4 ? left : 4;
    JSAMPROW rows[4];
    for (unsigned i = 0; i < count; i++) rows[i] = pixels + (size_t)(cinfo.output_scanline + i) * stride;
    jpeg_read_scanlines(&cinfo, rows, count);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return pixels;
}

EXPORT(width) unsigned width(void) { return out.width; }
EXPORT(height) unsigned height(void) { return out.height; }
EXPORT(channels) unsigned channels(void) { return out.channels; }
