/*
 * libjpeg-turbo's jerror.c (its message table, jpeg_std_error) without its calls into stdio and the process: its
 * default handlers print to stderr, exit() and format with snprintf; decode.c replaces them before any decode and
 * JavaScript formats the message. Compiled in place of jerror.c, so that the module imports nothing but fail().
 */
#include <stdio.h>
#include <stdlib.h>
#undef stderr
#define stderr NULL
#define fprintf(...) 0
#define exit(status) __builtin_trap()
#define snprintf(buffer, size, ...) ((buffer)[0] = 0)
#include "jerror.c"
