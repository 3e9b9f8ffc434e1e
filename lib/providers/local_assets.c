/* SPDX-License-Identifier: MIT */
/* The offline provider's placeholder pictures, written without an image library: PNG (CRC-32,
 * Adler-32, a small fixed-Huffman deflate), animated GIF (LZW), a 5x7 bitmap font, and the
 * picture itself, all labelled "VIDGO OFFLINE PLACEHOLDER". */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "local_assets.h"

#define MAX_SIDE 16384

/* ---- bytes -------------------------------------------------------------------------------- */

static void *mem_alloc(vg_ctx *ctx, size_t size)
{
    return ctx ? vg__alloc(ctx, size) : vg__hook_alloc(NULL, NULL, size);
}

static void mem_free(vg_ctx *ctx, void *p)
{
    if (ctx)
        vg__free(ctx, p);
    else
        vg__hook_free(NULL, NULL, p);
}

void vg__bytes_put(vg__bytes *b, const void *data, size_t len)
{
    if (b->failed || len == 0)
        return;
    if (b->cap - b->len < len) {
        size_t cap = b->cap ? b->cap : 256;
        unsigned char *grown;
        while (cap - b->len < len && cap < SIZE_MAX / 2)
            cap *= 2;
        if (cap - b->len < len || !(grown = mem_alloc(b->ctx, cap))) {
            b->failed = 1;
            return;
        }
        if (b->len)
            memcpy(grown, b->data, b->len);
        mem_free(b->ctx, b->data);
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

static void put_u8(vg__bytes *b, unsigned v)
{
    unsigned char c = (unsigned char)v;
    vg__bytes_put(b, &c, 1);
}

static void store_be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void put_be32(vg__bytes *b, uint32_t v)
{
    unsigned char c[4];
    store_be32(c, v);
    vg__bytes_put(b, c, 4);
}

static void put_le16(vg__bytes *b, unsigned v)
{
    unsigned char c[2] = {(unsigned char)v, (unsigned char)(v >> 8)};
    vg__bytes_put(b, c, 2);
}

void vg__bytes_free(vg__bytes *b)
{
    mem_free(b->ctx, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- checksums ---------------------------------------------------------------------------- */

uint32_t vg__crc32(uint32_t crc, const unsigned char *data, size_t len)
{
    /* the reflected polynomial 0xEDB88320, four bits at a time */
    static const uint32_t nibble[16] = {
        0x00000000, 0x1DB71064, 0x3B6E20C8, 0x26D930AC, 0x76DC4190, 0x6B6B51F4,
        0x4DB26158, 0x5005713C, 0xEDB88320, 0xF00F9344, 0xD6D6A3E8, 0xCB61B38C,
        0x9B64C2B0, 0x86D3D2D4, 0xA00AE278, 0xBDBDF21C,
    };
    size_t i;
    crc = ~crc;
    for (i = 0; i < len; i++) {
        crc ^= data[i];
        crc = (crc >> 4) ^ nibble[crc & 15];
        crc = (crc >> 4) ^ nibble[crc & 15];
    }
    return ~crc;
}

uint32_t vg__adler32(uint32_t adler, const unsigned char *data, size_t len)
{
    uint32_t a = adler & 0xFFFF, b = adler >> 16;
    while (len > 0) {
        size_t n = len < 5552 ? len : 5552; /* the most bytes before b can overflow */
        len -= n;
        while (n--) {
            a += *data++;
            b += a;
        }
        a %= 65521;
        b %= 65521;
    }
    return (b << 16) | a;
}

/* ---- deflate (RFC 1951, one block of fixed Huffman codes) ----------------------------------- */

typedef struct bit_writer {
    vg__bytes *out;
    uint32_t bits;
    int count;
} bit_writer;

/* Appends count bits of value, least significant first. */
static void put_bits(bit_writer *w, uint32_t value, int count)
{
    w->bits |= value << w->count;
    w->count += count;
    while (w->count >= 8) {
        put_u8(w->out, w->bits & 0xFF);
        w->bits >>= 8;
        w->count -= 8;
    }
}

/* Appends a Huffman code, which deflate stores most significant bit first. */
static void put_code(bit_writer *w, uint32_t code, int len)
{
    uint32_t reversed = 0;
    int i;
    for (i = 0; i < len; i++)
        reversed |= ((code >> i) & 1u) << (len - 1 - i);
    put_bits(w, reversed, len);
}

/* A literal/length symbol 0..287 in the fixed code (RFC 1951 §3.2.6). */
static void put_symbol(bit_writer *w, int sym)
{
    if (sym < 144)
        put_code(w, 0x30 + (uint32_t)sym, 8);
    else if (sym < 256)
        put_code(w, 0x190 + (uint32_t)(sym - 144), 9);
    else if (sym < 280)
        put_code(w, (uint32_t)(sym - 256), 7);
    else
        put_code(w, 0xC0 + (uint32_t)(sym - 280), 8);
}

static const unsigned short length_base[29] = {
    3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258,
};
static const unsigned char length_extra[29] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                               2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
static const unsigned short dist_base[30] = {
    1,   2,   3,   4,   5,   7,    9,    13,   17,   25,   33,   49,    65,    97,    129,
    193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577,
};
static const unsigned char dist_extra[30] = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                             6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

/* A match of len (3..258) bytes at distance dist (1..32768). */
static void put_match(bit_writer *w, int len, int dist)
{
    int i = 28, j = 29;
    while (length_base[i] > len)
        i--;
    put_symbol(w, 257 + i);
    put_bits(w, (uint32_t)(len - length_base[i]), length_extra[i]);
    while (dist_base[j] > dist)
        j--;
    put_code(w, (uint32_t)j, 5);
    put_bits(w, (uint32_t)(dist - dist_base[j]), dist_extra[j]);
}

/* How many bytes from pos repeat those dist bytes back (at most 258). */
static size_t match_length(const unsigned char *data, size_t len, size_t pos, size_t dist)
{
    size_t n = 0;
    if (dist == 0 || pos < dist)
        return 0;
    while (n < 258 && pos + n < len && data[pos + n] == data[pos + n - dist])
        n++;
    return n;
}

void vg__zlib_compress(vg__bytes *out, const unsigned char *data, size_t len, size_t stride)
{
    /* Pictures repeat the previous pixel (3 bytes back) or the row above (stride back):
     * trying those two distances finds most of what a full matcher would. */
    const size_t dists[2] = {3, stride <= 32768 ? stride : 0};
    bit_writer w = {out, 0, 0};
    size_t pos = 0;

    put_u8(out, 0x78); /* deflate, 32 KiB window */
    put_u8(out, 0x01); /* no dictionary, check bits: 0x7801 % 31 == 0 */
    put_bits(&w, 1, 1); /* the final block */
    put_bits(&w, 1, 2); /* fixed Huffman codes */
    while (pos < len) {
        size_t best = 0, best_dist = 0, i, n;
        for (i = 0; i < 2; i++)
            if ((n = match_length(data, len, pos, dists[i])) > best) {
                best = n;
                best_dist = dists[i];
            }
        if (best >= 3) {
            put_match(&w, (int)best, (int)best_dist);
            pos += best;
        } else {
            put_symbol(&w, data[pos++]);
        }
    }
    put_symbol(&w, 256); /* end of block */
    if (w.count > 0)
        put_bits(&w, 0, 8 - w.count);
    put_be32(out, vg__adler32(1, data, len));
}

/* ---- PNG ---------------------------------------------------------------------------------- */

static void put_chunk(vg__bytes *out, const char *type, const unsigned char *data, size_t len)
{
    uint32_t crc = vg__crc32(0, (const unsigned char *)type, 4);
    put_be32(out, (uint32_t)len);
    vg__bytes_put(out, type, 4);
    vg__bytes_put(out, data, len);
    put_be32(out, vg__crc32(crc, data, len));
}

int vg__png_encode(vg__bytes *out, int w, int h, const unsigned char *rgb, const char *comment)
{
    static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    vg__bytes raw = {out->ctx, NULL, 0, 0, 0}, z = {out->ctx, NULL, 0, 0, 0};
    size_t row = (size_t)w * 3 + 1;
    unsigned char ihdr[13];
    int y, rc = VG_OK;

    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE || !rgb)
        return vg__fail(NULL, VG_EINVAL, "png: %dx%d is not a picture size", w, h);
    for (y = 0; y < h; y++) {
        put_u8(&raw, 0); /* filter: none */
        vg__bytes_put(&raw, rgb + (size_t)y * (row - 1), row - 1);
    }
    if (!raw.failed)
        vg__zlib_compress(&z, raw.data, raw.len, row);
    vg__bytes_put(out, signature, sizeof signature);
    store_be32(ihdr, (uint32_t)w);
    store_be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;  /* bits per sample */
    ihdr[9] = 2;  /* RGB */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filters, no interlace */
    put_chunk(out, "IHDR", ihdr, sizeof ihdr);
    if (comment) {
        vg__bytes text = {out->ctx, NULL, 0, 0, 0};
        vg__bytes_put(&text, "Comment", sizeof "Comment"); /* keyword, NUL, text */
        vg__bytes_put(&text, comment, strlen(comment));
        put_chunk(out, "tEXt", text.data, text.len);
        out->failed |= text.failed;
        vg__bytes_free(&text);
    }
    put_chunk(out, "IDAT", z.data, z.len);
    put_chunk(out, "IEND", NULL, 0);
    if (raw.failed || z.failed || out->failed)
        rc = vg__fail(NULL, VG_ENOMEM, "png: out of memory");
    vg__bytes_free(&raw);
    vg__bytes_free(&z);
    return rc;
}

int vg__png_write(const char *path, int w, int h, const unsigned char *rgb, const char *comment)
{
    vg__bytes png = {NULL, NULL, 0, 0, 0};
    int rc = vg__png_encode(&png, w, h, rgb, comment);
    if (rc == VG_OK)
        rc = vg__asset_write(NULL, path, png.data, png.len, 1, NULL);
    vg__bytes_free(&png);
    return rc;
}

/* ---- GIF ---------------------------------------------------------------------------------- */

/* The bits of a palette of `colors` entries (a power of two, 2..256), or 0. */
static int palette_bits(int colors)
{
    int bits;
    for (bits = 1; bits <= 8; bits++)
        if (colors == 1 << bits)
            return bits;
    return 0;
}

/* Appends len bytes as GIF data sub-blocks (at most 255 bytes each) and the terminator. */
static void put_sub_blocks(vg__bytes *out, const unsigned char *data, size_t len)
{
    while (len > 0) {
        size_t n = len < 255 ? len : 255;
        put_u8(out, (unsigned)n);
        vg__bytes_put(out, data, n);
        data += n;
        len -= n;
    }
    put_u8(out, 0);
}

int vg__gif_begin(vg__bytes *out, int w, int h, const unsigned char *palette, int colors,
                  const char *comment)
{
    static const unsigned char loop[19] = {0x21, 0xFF, 11,  'N', 'E', 'T', 'S', 'C', 'A', 'P',
                                           'E',  '2',  '.', '0', 3,   1,   0,   0,   0};
    int bits = palette_bits(colors);

    if (w < 1 || h < 1 || w > 65535 || h > 65535 || !bits || !palette)
        return vg__fail(NULL, VG_EINVAL, "gif: %dx%d with %d colours is not possible", w, h,
                        colors);
    vg__bytes_put(out, "GIF89a", 6);
    put_le16(out, (unsigned)w);
    put_le16(out, (unsigned)h);
    /* a global colour table of 2^bits entries, colour resolution bits */
    put_u8(out, 0x80u | (unsigned)(bits - 1) << 4 | (unsigned)(bits - 1));
    put_u8(out, 0); /* background colour */
    put_u8(out, 0); /* square pixels */
    vg__bytes_put(out, palette, (size_t)colors * 3);
    vg__bytes_put(out, loop, sizeof loop); /* NETSCAPE2.0: loop forever (count 0) */
    if (comment) {
        put_u8(out, 0x21);
        put_u8(out, 0xFE);
        put_sub_blocks(out, (const unsigned char *)comment, strlen(comment));
    }
    return out->failed ? vg__fail(NULL, VG_ENOMEM, "gif: out of memory") : VG_OK;
}

/* The state of an LZW encoder: the code table as a hash of (prefix code, next index) pairs,
 * and the bits not yet written, gathered into data sub-blocks. */
#define LZW_MAX_CODE 4096
#define LZW_SLOTS 8192

typedef struct lzw {
    vg__bytes *out;
    uint32_t keys[LZW_SLOTS]; /* (prefix << 8 | index) + 1; 0 is an empty slot */
    uint16_t codes[LZW_SLOTS];
    unsigned char block[255];
    size_t block_len;
    uint32_t bits;
    int count;
} lzw;

static void lzw_byte(lzw *z, unsigned v)
{
    z->block[z->block_len++] = (unsigned char)v;
    if (z->block_len == sizeof z->block) {
        put_u8(z->out, (unsigned)z->block_len);
        vg__bytes_put(z->out, z->block, z->block_len);
        z->block_len = 0;
    }
}

static void lzw_put(lzw *z, int code, int width)
{
    z->bits |= (uint32_t)code << z->count;
    z->count += width;
    while (z->count >= 8) {
        lzw_byte(z, z->bits & 0xFF);
        z->bits >>= 8;
        z->count -= 8;
    }
}

/* The slot of key: where it is, or the empty slot where it goes. */
static size_t lzw_slot(const lzw *z, uint32_t key)
{
    size_t i = (key * 2654435761u) & (LZW_SLOTS - 1);
    while (z->keys[i] && z->keys[i] != key)
        i = (i + 1) & (LZW_SLOTS - 1);
    return i;
}

void vg__gif_lzw(vg__bytes *out, const unsigned char *pixels, size_t n, int min_code_size)
{
    const int clear = 1 << min_code_size, end = clear + 1;
    int width = min_code_size + 1, next = end + 1, prefix;
    lzw *z = mem_alloc(out->ctx, sizeof *z);
    size_t i;

    if (!z) {
        out->failed = 1;
        return;
    }
    memset(z->keys, 0, sizeof z->keys);
    z->out = out;
    z->block_len = 0;
    z->bits = 0;
    z->count = 0;
    put_u8(out, (unsigned)min_code_size);
    lzw_put(z, clear, width);
    prefix = n ? pixels[0] : 0;
    for (i = 1; i < n; i++) {
        uint32_t key = ((uint32_t)prefix << 8 | pixels[i]) + 1;
        size_t slot = lzw_slot(z, key);
        if (z->keys[slot]) { /* the string goes on */
            prefix = z->codes[slot];
            continue;
        }
        lzw_put(z, prefix, width);
        z->keys[slot] = key;
        z->codes[slot] = (uint16_t)next;
        /* The decoder adds this entry one code later, and widens its codes once its next
         * free code reaches 2^width: the code after the next one is read wider. */
        if (next == 1 << width && width < 12)
            width++;
        if (++next == LZW_MAX_CODE) { /* the table is full: start again */
            lzw_put(z, clear, width);
            memset(z->keys, 0, sizeof z->keys);
            width = min_code_size + 1;
            next = end + 1;
        }
        prefix = pixels[i];
    }
    if (n)
        lzw_put(z, prefix, width);
    /* the decoder adds an entry on reading that last code, which may widen the end code */
    if (n && next == 1 << width && width < 12)
        width++;
    lzw_put(z, end, width);
    if (z->count > 0)
        lzw_byte(z, z->bits & 0xFF);
    if (z->block_len) {
        put_u8(out, (unsigned)z->block_len);
        vg__bytes_put(out, z->block, z->block_len);
    }
    put_u8(out, 0);
    mem_free(out->ctx, z);
}

int vg__gif_frame(vg__bytes *out, int colors, int x, int y, int w, int h,
                  const unsigned char *pixels, int delay_cs)
{
    int bits = palette_bits(colors);
    size_t i, n = (size_t)w * (size_t)h;

    if (!bits || x < 0 || y < 0 || w < 1 || h < 1 || x + w > 65535 || y + h > 65535 ||
        delay_cs < 0 || delay_cs > 65535 || !pixels)
        return vg__fail(NULL, VG_EINVAL, "gif: a %dx%d frame at %d,%d is not possible", w, h,
                        x, y);
    for (i = 0; i < n; i++)
        if (pixels[i] >= colors)
            return vg__fail(NULL, VG_EINVAL, "gif: pixel %zu is not in the palette", i);
    /* graphic control: disposal 1 (leave in place), no transparency */
    put_u8(out, 0x21);
    put_u8(out, 0xF9);
    put_u8(out, 4);
    put_u8(out, 1u << 2);
    put_le16(out, (unsigned)delay_cs);
    put_u8(out, 0);
    put_u8(out, 0);
    /* image descriptor: no local palette, not interlaced */
    put_u8(out, 0x2C);
    put_le16(out, (unsigned)x);
    put_le16(out, (unsigned)y);
    put_le16(out, (unsigned)w);
    put_le16(out, (unsigned)h);
    put_u8(out, 0);
    vg__gif_lzw(out, pixels, n, bits < 2 ? 2 : bits);
    return out->failed ? vg__fail(NULL, VG_ENOMEM, "gif: out of memory") : VG_OK;
}

int vg__gif_end(vg__bytes *out)
{
    put_u8(out, 0x3B);
    return out->failed ? vg__fail(NULL, VG_ENOMEM, "gif: out of memory") : VG_OK;
}

/* ---- files -------------------------------------------------------------------------------- */

static int write_all(int fd, const unsigned char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Flushes the folder of path, so that a rename or link in it reaches the disk. */
static void sync_folder(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    int fd;

    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else if ((size_t)(slash - path) < sizeof dir)
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    else
        return;
    if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
        fsync(fd);
        close(fd);
    }
}

int vg__asset_write(vg_ctx *ctx, const char *path, const unsigned char *data, size_t len,
                    int replace, int *written)
{
    const char *slash = strrchr(path, '/'), *step = "cannot create";
    size_t dir_len = slash ? (size_t)(slash - path) + 1 : 0, size = strlen(path) + 32;
    unsigned char rnd[6];
    char hex[2 * sizeof rnd + 1], *tmp;
    int fd = -1, err = 0, rc = VG_OK;

    if (written)
        *written = 0;
    if (!replace && access(path, F_OK) == 0)
        return VG_OK;
    if (!(tmp = mem_alloc(ctx, size)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    snprintf(tmp, size, "%.*s.%s.%s.tmp", (int)dir_len, path, path + dir_len, hex);
    if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644)) < 0) {
        err = errno;
        goto done;
    }
    step = "cannot write";
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        err = errno ? errno : EIO;
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        err = errno;
        goto done;
    }
    fd = -1;
    step = "cannot move into place";
    if (!replace) {
        /* written once: a link fails when the file is there (another poller made it) */
        int linked = link(tmp, path) == 0, there = !linked && errno == EEXIST;
        if (linked || there) {
            unlink(tmp);
            if (written)
                *written = linked;
            sync_folder(path);
            goto done;
        }
    }
    if (rename(tmp, path) != 0) { /* replace, or a file system without hard links */
        err = errno;
        goto done;
    }
    if (written)
        *written = 1;
    sync_folder(path);
done:
    if (fd >= 0)
        close(fd);
    if (err) {
        unlink(tmp);
        rc = vg__fail(ctx, VG_EIO, "local: %s %s: %s", step, path, strerror(err));
    }
    mem_free(ctx, tmp);
    return rc;
}

/* ---- the 5x7 font ------------------------------------------------------------------------- */

/* Each glyph: 7 rows, the 5 low bits of each row, 0x10 the leftmost column. */
static const struct glyph {
    char c;
    unsigned char rows[7];
} font[] = {
    {'A', {0x0E, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'B', {0x1E, 0x11, 0x11, 0x1E, 0x11, 0x11, 0x1E}},
    {'C', {0x0E, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0E}},
    {'D', {0x1C, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1C}},
    {'E', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x1F}},
    {'F', {0x1F, 0x10, 0x10, 0x1E, 0x10, 0x10, 0x10}},
    {'G', {0x0E, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0F}},
    {'H', {0x11, 0x11, 0x11, 0x1F, 0x11, 0x11, 0x11}},
    {'I', {0x0E, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0C}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1F}},
    {'M', {0x11, 0x1B, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0E, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'P', {0x1E, 0x11, 0x11, 0x1E, 0x10, 0x10, 0x10}},
    {'Q', {0x0E, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0D}},
    {'R', {0x1E, 0x11, 0x11, 0x1E, 0x14, 0x12, 0x11}},
    {'S', {0x0F, 0x10, 0x10, 0x0E, 0x01, 0x01, 0x1E}},
    {'T', {0x1F, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0E}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x0A, 0x0A, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0A}},
    {'X', {0x11, 0x11, 0x0A, 0x04, 0x0A, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0A, 0x04, 0x04, 0x04}},
    {'Z', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1F}},
    {'0', {0x0E, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0E}},
    {'1', {0x04, 0x0C, 0x04, 0x04, 0x04, 0x04, 0x0E}},
    {'2', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1F}},
    {'3', {0x1F, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0E}},
    {'4', {0x02, 0x06, 0x0A, 0x12, 0x1F, 0x02, 0x02}},
    {'5', {0x1F, 0x10, 0x1E, 0x01, 0x01, 0x11, 0x0E}},
    {'6', {0x06, 0x08, 0x10, 0x1E, 0x11, 0x11, 0x0E}},
    {'7', {0x1F, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0E, 0x11, 0x11, 0x0E, 0x11, 0x11, 0x0E}},
    {'9', {0x0E, 0x11, 0x11, 0x0F, 0x01, 0x02, 0x0C}},
    {' ', {0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0C, 0x0C}},
    {',', {0x00, 0x00, 0x00, 0x00, 0x0C, 0x04, 0x08}},
    {'-', {0x00, 0x00, 0x00, 0x1F, 0x00, 0x00, 0x00}},
    {':', {0x00, 0x0C, 0x0C, 0x00, 0x0C, 0x0C, 0x00}},
    {'!', {0x04, 0x04, 0x04, 0x04, 0x00, 0x00, 0x04}},
    {'?', {0x0E, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}},
    {'\'', {0x0C, 0x04, 0x08, 0x00, 0x00, 0x00, 0x00}},
    {'"', {0x0A, 0x0A, 0x0A, 0x00, 0x00, 0x00, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}},
    {'(', {0x02, 0x04, 0x08, 0x08, 0x08, 0x04, 0x02}},
    {')', {0x08, 0x04, 0x02, 0x02, 0x02, 0x04, 0x08}},
    {'&', {0x0C, 0x12, 0x14, 0x08, 0x15, 0x12, 0x0D}},
    {'+', {0x00, 0x04, 0x04, 0x1F, 0x04, 0x04, 0x00}},
    {'#', {0x0A, 0x0A, 0x1F, 0x0A, 0x1F, 0x0A, 0x0A}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
};

#define GLYPH_W 5
#define GLYPH_H 7
#define ADVANCE 6 /* a glyph and a column of space */

/* The glyph of c ('?' for a character the font does not have). */
static const struct glyph *glyph_of(char c)
{
    size_t i, unknown = 0;
    if (c >= 'a' && c <= 'z')
        c = (char)(c - 'a' + 'A');
    for (i = 0; i < sizeof font / sizeof font[0]; i++) {
        if (font[i].c == c)
            return &font[i];
        if (font[i].c == '?')
            unknown = i;
    }
    return &font[unknown];
}

/* The text the font can show of a UTF-8 string: ASCII uppercased, other characters '?',
 * control characters as spaces; at most max characters, the last three "..." when cut. */
static void shown_text(char *out, size_t max, const char *text)
{
    const unsigned char *p = (const unsigned char *)(text ? text : "");
    size_t n = 0;

    while (*p && n < max) {
        unsigned char c = *p++;
        if (c >= 0x80) {
            while ((*p & 0xC0) == 0x80) /* one '?' per code point */
                p++;
            c = '?';
        } else if (c < 0x20 || c == 0x7F) {
            c = ' ';
        }
        out[n++] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
    }
    if (*p && max >= 3)
        memcpy(out + max - 3, "...", 3);
    out[n] = '\0';
}

/* ---- the picture -------------------------------------------------------------------------- */

/* The palette (indices into it). Colours come from the prompt's hash, so one prompt always
 * gives the same picture and different prompts look different. */
enum { C_BACK, C_BAND, C_ACCENT, C_TEXT, C_DARK, C_TRACK, C_SOFT, C_BAR, C_COUNT = 16 };

typedef struct canvas {
    int w, h;
    unsigned char *px; /* w*h palette indices */
} canvas;

static void fill(canvas *c, int x, int y, int w, int h, int color)
{
    int x1 = x + w, y1 = y + h, row;
    x = x < 0 ? 0 : x;
    y = y < 0 ? 0 : y;
    x1 = x1 > c->w ? c->w : x1;
    y1 = y1 > c->h ? c->h : y1;
    for (row = y; row < y1 && x < x1; row++)
        memset(c->px + (size_t)row * (size_t)c->w + (size_t)x, color, (size_t)(x1 - x));
}

static int text_width(const char *text, int scale)
{
    size_t n = strlen(text);
    return n ? (int)(n * ADVANCE - 1) * scale : 0;
}

/* Draws text centred on the canvas with its top at y, with a shadow. */
static void draw_text(canvas *c, int y, int scale, int color, const char *text)
{
    int x0 = (c->w - text_width(text, scale)) / 2, pass, row, col;
    const char *p;

    for (pass = 0; pass < 2; pass++) {
        int off = pass == 0 ? (scale + 1) / 2 : 0, x = x0 + off;
        for (p = text; *p; p++, x += ADVANCE * scale) {
            const struct glyph *g = glyph_of(*p);
            for (row = 0; row < GLYPH_H; row++)
                for (col = 0; col < GLYPH_W; col++)
                    if (g->rows[row] & (0x10 >> col))
                        fill(c, x + col * scale, y + off + row * scale, scale, scale,
                             pass == 0 ? C_DARK : color);
        }
    }
}

/* The largest scale (1..8) at which chars characters fit the width with a margin. */
static int fit_scale(int width, int chars)
{
    int s = (width - 16) / (chars * ADVANCE);
    return s < 1 ? 1 : s > 8 ? 8 : s;
}

/* h, s, v in 0..359, 0..100, 0..100 to an RGB triple. */
static void hsv_rgb(unsigned char *rgb, int h, int s, int v)
{
    int c = v * s * 255 / 10000, hh = (h % 360) / 60, f = (h % 60) * c / 60;
    int m = v * 255 / 100 - c, r, g, b;
    static const signed char pick[6][3] = {{0, 1, 2}, {1, 0, 2}, {2, 0, 1},
                                           {2, 1, 0}, {1, 2, 0}, {0, 2, 1}};
    int part[3];
    part[0] = c;
    part[1] = hh % 2 == 0 ? f : c - f; /* rising on even sextants, falling on odd */
    part[2] = 0;
    r = part[pick[hh][0]];
    g = part[pick[hh][1]];
    b = part[pick[hh][2]];
    rgb[0] = (unsigned char)(r + m);
    rgb[1] = (unsigned char)(g + m);
    rgb[2] = (unsigned char)(b + m);
}

static void make_palette(unsigned char palette[C_COUNT * 3], const char *prompt)
{
    uint32_t hash = 2166136261u; /* FNV-1a */
    const unsigned char *p;
    int hue;

    for (p = (const unsigned char *)(prompt ? prompt : ""); *p; p++)
        hash = (hash ^ *p) * 16777619u;
    hue = (int)(hash % 360);
    memset(palette, 0, C_COUNT * 3);
    hsv_rgb(palette + C_BACK * 3, hue, 55, 30);
    hsv_rgb(palette + C_BAND * 3, hue, 45, 42);
    hsv_rgb(palette + C_ACCENT * 3, hue + 180, 80, 95);
    hsv_rgb(palette + C_TEXT * 3, hue, 4, 97);
    hsv_rgb(palette + C_DARK * 3, hue, 60, 10);
    hsv_rgb(palette + C_TRACK * 3, hue, 30, 60);
    hsv_rgb(palette + C_SOFT * 3, hue + 30, 25, 90);
    hsv_rgb(palette + C_BAR * 3, hue + 180, 70, 70);
}

/* Where the animated band lies: rows band_y .. band_y + band_h. */
static void band_rows(const canvas *c, int *band_y, int *band_h)
{
    *band_y = c->h * 58 / 100;
    *band_h = c->h * 22 / 100 > 4 ? c->h * 22 / 100 : 4;
}

/* Everything that does not move: the frame, the label, the kind, the prompt, the footer. */
static void draw_still(canvas *c, const vg__placeholder *p)
{
    static const char title[] = "VIDGO OFFLINE PLACEHOLDER";
    static const char footer[] = "NO AI PROVIDER WAS CALLED";
    int big = fit_scale(c->w, (int)strlen(title)), mid = big > 1 ? big - 1 : 1;
    int small = (big + 1) / 2, border = big > 2 ? big / 2 : 1;
    char line[128];
    int chars = (c->w - 16) / (ADVANCE * small);

    fill(c, 0, 0, c->w, c->h, C_DARK);
    fill(c, border, border, c->w - 2 * border, c->h - 2 * border, C_BACK);
    draw_text(c, c->h * 10 / 100, big, C_TEXT, title);
    shown_text(line, sizeof line - 1, p->kind);
    draw_text(c, c->h * 28 / 100, mid, C_SOFT, line);
    shown_text(line, chars < 1 ? 1 : chars > 120 ? 120 : (size_t)chars, p->prompt);
    draw_text(c, c->h * 42 / 100, small, C_TEXT, line);
    draw_text(c, c->h * 86 / 100, small, C_SOFT, footer);
}

/* The band at frame i of frames: a square going to and fro along a track (once a second),
 * and a bar filling up over the whole clip. frames == 0: a still picture (no bar). */
static void draw_band(canvas *c, int i, int frames)
{
    int y, h, size, span, x, t, period = 2 * VG__PLACEHOLDER_FPS, margin = c->w / 10;

    band_rows(c, &y, &h);
    fill(c, 0, y, c->w, h, C_BAND);
    size = h * 6 / 10 > 2 ? h * 6 / 10 : 2;
    fill(c, margin, y + h / 2 - h / 20, c->w - 2 * margin, h / 10 > 1 ? h / 10 : 1, C_TRACK);
    span = c->w - 2 * margin - size;
    t = frames ? i % period : period / 4;
    x = margin + span * (t <= period / 2 ? t : period - t) / (period / 2);
    fill(c, x, y + (h - size) / 2, size, size, C_ACCENT);
    if (frames)
        fill(c, 0, y + h - h / 12 - 1, c->w * (i + 1) / frames, h / 12 + 1, C_BAR);
}

static int new_canvas(vg_ctx *ctx, canvas *c, const vg__placeholder *p)
{
    c->w = p->width;
    c->h = p->height;
    c->px = NULL;
    if (c->w < 16 || c->h < 16 || c->w > MAX_SIDE || c->h > MAX_SIDE)
        return vg__fail(ctx, VG_EINVAL, "local: a %dx%d placeholder is not possible", c->w,
                        c->h);
    if (!(c->px = mem_alloc(ctx, (size_t)c->w * (size_t)c->h)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    draw_still(c, p);
    return VG_OK;
}

int vg__placeholder_png(vg_ctx *ctx, const char *path, const vg__placeholder *p)
{
    unsigned char palette[C_COUNT * 3], *rgb = NULL;
    vg__bytes png = {ctx, NULL, 0, 0, 0};
    canvas c;
    size_t i, n;
    int rc;

    if (!path || !p)
        return vg__fail(ctx, VG_EINVAL, "local: no path or placeholder");
    if (access(path, F_OK) == 0) /* written once */
        return VG_OK;
    if ((rc = new_canvas(ctx, &c, p)) != VG_OK)
        goto done;
    draw_band(&c, 0, 0);
    make_palette(palette, p->prompt);
    n = (size_t)c.w * (size_t)c.h;
    if (!(rgb = mem_alloc(ctx, n * 3))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < n; i++)
        memcpy(rgb + i * 3, palette + c.px[i] * 3, 3);
    if ((rc = vg__png_encode(&png, c.w, c.h, rgb, VG__PLACEHOLDER_COMMENT)) != VG_OK)
        rc = vg__fail(ctx, rc, "local: cannot make the PNG placeholder (out of memory)");
    else
        rc = vg__asset_write(ctx, path, png.data, png.len, 0, NULL);
done:
    mem_free(ctx, c.px);
    mem_free(ctx, rgb);
    vg__bytes_free(&png);
    return rc;
}

int vg__placeholder_gif(vg_ctx *ctx, const char *path, const vg__placeholder *p, int frames)
{
    unsigned char palette[C_COUNT * 3];
    vg__bytes gif = {ctx, NULL, 0, 0, 0};
    int rc, i, band_y, band_h, delay = 100 / VG__PLACEHOLDER_FPS;
    canvas c;

    if (!path || !p || frames < 1 || frames > 1000)
        return vg__fail(ctx, VG_EINVAL, "local: no path, no placeholder or %d frames", frames);
    if (access(path, F_OK) == 0) /* written once */
        return VG_OK;
    if ((rc = new_canvas(ctx, &c, p)) != VG_OK)
        goto done;
    make_palette(palette, p->prompt);
    band_rows(&c, &band_y, &band_h);
    rc = vg__gif_begin(&gif, c.w, c.h, palette, C_COUNT, VG__PLACEHOLDER_COMMENT);
    for (i = 0; rc == VG_OK && i < frames; i++) {
        draw_band(&c, i, frames);
        if (i == 0)
            rc = vg__gif_frame(&gif, C_COUNT, 0, 0, c.w, c.h, c.px, delay);
        else /* only the band changes: the rows are contiguous in the canvas */
            rc = vg__gif_frame(&gif, C_COUNT, 0, band_y, c.w, band_h,
                               c.px + (size_t)band_y * (size_t)c.w, delay);
    }
    if (rc == VG_OK)
        rc = vg__gif_end(&gif);
    if (rc != VG_OK)
        rc = vg__fail(ctx, rc, "local: cannot make the GIF placeholder (%s)",
                      rc == VG_ENOMEM ? "out of memory" : "bad size");
    else
        rc = vg__asset_write(ctx, path, gif.data, gif.len, 0, NULL);
done:
    mem_free(ctx, c.px);
    vg__bytes_free(&gif);
    return rc;
}
