/*
 * libjpeg-turbo's jdatasrc.c, for its memory source (jpeg_mem_src) only: its stdio source would read with fread(),
 * which is defined away here, so that the module reads nothing but the bytes it is given.
 */
#include <stdio.h>
#define fread(buffer, size, count, file) 0
#include "jdatasrc.c"
