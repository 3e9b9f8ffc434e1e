/* SPDX-License-Identifier: MIT */
/* The offline provider's placeholder pictures: a PNG and an animated GIF written without any
 * image library (CRC-32, Adler-32, a small fixed-Huffman deflate, a GIF LZW encoder), drawn
 * with a built-in 5x7 bitmap font and labelled as offline placeholders. */
#ifndef VG_PROVIDERS_LOCAL_ASSETS_H
#define VG_PROVIDERS_LOCAL_ASSETS_H

#include <stddef.h>
#include <stdint.h>

#include "core/internal.h"

/* The label every placeholder carries (PNG tEXt "Comment", GIF comment extension). */
#define VG__PLACEHOLDER_COMMENT "VidGo offline placeholder (no AI provider was called)"

/* A growing byte buffer. `failed` is set once an allocation fails; later appends do nothing.
 * ctx (may be NULL) gives the allocator. Release with vg__bytes_free. */
typedef struct vg__bytes {
    vg_ctx *ctx;
    unsigned char *data;
    size_t len, cap;
    int failed;
} vg__bytes;

void vg__bytes_put(vg__bytes *b, const void *data, size_t len);
void vg__bytes_free(vg__bytes *b);

/* CRC-32 (the one of PNG and zlib) and Adler-32 of len bytes, continuing from crc / adler
 * (start with 0 and 1). */
uint32_t vg__crc32(uint32_t crc, const unsigned char *data, size_t len);
uint32_t vg__adler32(uint32_t adler, const unsigned char *data, size_t len);

/* A zlib stream (one fixed-Huffman deflate block, matches against the previous pixel and the
 * row above) of len bytes appended to out; stride is the row length in bytes (<= 32768). */
void vg__zlib_compress(vg__bytes *out, const unsigned char *data, size_t len, size_t stride);

/* A whole PNG (8-bit RGB, w*h*3 bytes of rgb, a tEXt "Comment" chunk when comment is not
 * NULL) appended to out. Returns VG_OK, VG_EINVAL (size outside 1..16384), VG_ENOMEM. */
int vg__png_encode(vg__bytes *out, int w, int h, const unsigned char *rgb,
                   const char *comment);

/* The same written to path (see vg__asset_write). Returns VG_OK, VG_EINVAL, VG_ENOMEM,
 * VG_EIO; failures recorded on the calling thread. */
int vg__png_write(const char *path, int w, int h, const unsigned char *rgb,
                  const char *comment);

/* An animated GIF89a, built in three steps: begin (header, global palette of `colors`
 * entries, a power of two 2..256, rgb triples; the NETSCAPE2.0 loop-forever extension; a
 * comment extension when comment is not NULL), one call per frame (a w*h rectangle of
 * palette indices at x, y; delay in 1/100 s), end (the trailer). Frames draw over the previous
 * one (disposal "leave in place"). Return VG_OK, VG_EINVAL, VG_ENOMEM. */
int vg__gif_begin(vg__bytes *out, int w, int h, const unsigned char *palette, int colors,
                  const char *comment);
int vg__gif_frame(vg__bytes *out, int colors, int x, int y, int w, int h,
                  const unsigned char *pixels, int delay_cs);
int vg__gif_end(vg__bytes *out);

/* The LZW image data of n palette indices (each < 2^min_code_size) as GIF stores it: the
 * minimum code size byte, data sub-blocks, the zero-length terminator. */
void vg__gif_lzw(vg__bytes *out, const unsigned char *pixels, size_t n, int min_code_size);

/* Writes len bytes to path through a hidden temporary file in the same folder, flushed to
 * disk and then moved into place, so that a reader never sees part of a file. replace: the
 * move is a rename (an existing file is replaced); otherwise it is a link, so the file is
 * written once: when path already exists it is left alone and *written (may be NULL) is 0.
 * Returns VG_OK or VG_EIO, recorded on ctx (may be NULL) with the path. */
int vg__asset_write(vg_ctx *ctx, const char *path, const unsigned char *data, size_t len,
                    int replace, int *written);

/* What a placeholder shows. */
typedef struct vg__placeholder {
    int width, height;  /* of the picture */
    const char *kind;   /* "TEXT TO VIDEO", ... (shown as given, uppercase ASCII) */
    const char *prompt; /* UTF-8; its first characters shown in uppercase ASCII, others '?' */
} vg__placeholder;

/* Frames a second of a placeholder video. */
#define VG__PLACEHOLDER_FPS 10

/* Draws the placeholder as a PNG at path, written once (see vg__asset_write). Failures are
 * recorded on ctx (may be NULL: then memory comes from malloc). Returns VG_OK, VG_EINVAL,
 * VG_ENOMEM, VG_EIO. */
int vg__placeholder_png(vg_ctx *ctx, const char *path, const vg__placeholder *p);

/* Draws the placeholder as an animated GIF of `frames` frames (1..1000) at
 * VG__PLACEHOLDER_FPS that loops forever (the first frame whole, the others only the
 * animated band) at path, written once. Returns as vg__placeholder_png. */
int vg__placeholder_gif(vg_ctx *ctx, const char *path, const vg__placeholder *p, int frames);

#endif
