/* SPDX-License-Identifier: MIT */
/* The offline provider's encoders and text services (lib/providers/local_assets.c, local.c):
 * checksums against known values, the PNG layout, the GIF LZW decoded back by an independent
 * decoder (table resets and code widths included), the placeholders on disk, the word lists
 * and the enhancement template. The PNG's deflate stream is checked by Python's zlib in
 * tests/providers/test_local.py. */
#define _GNU_SOURCE /* memmem */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "providers/local_assets.h"
#include "providers/provider.h"

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* --- checksums ------------------------------------------------------------------------------ */

static void test_crc32_of_the_check_string(void **state)
{
    (void)state;
    assert_int_equal(vg__crc32(0, (const unsigned char *)"123456789", 9), 0xCBF43926u);
    assert_int_equal(vg__crc32(0, NULL, 0), 0);
    /* continuing a CRC gives the CRC of the whole */
    assert_int_equal(vg__crc32(vg__crc32(0, (const unsigned char *)"1234", 4),
                               (const unsigned char *)"56789", 5),
                     0xCBF43926u);
}

static void test_adler32_of_known_strings(void **state)
{
    static unsigned char big[100000];
    uint32_t a = 1, b = 0;
    size_t i;
    (void)state;
    assert_int_equal(vg__adler32(1, (const unsigned char *)"Wikipedia", 9), 0x11E60398u);
    assert_int_equal(vg__adler32(1, NULL, 0), 1);
    /* past the 5552-byte block where the sums are reduced */
    memset(big, 0xFF, sizeof big);
    for (i = 0; i < sizeof big; i++) {
        a = (a + 0xFF) % 65521;
        b = (b + a) % 65521;
    }
    assert_int_equal(vg__adler32(1, big, sizeof big), b << 16 | a);
}

/* --- PNG ------------------------------------------------------------------------------------- */

static void test_png_has_signature_header_comment_and_valid_chunk_crcs(void **state)
{
    unsigned char rgb[7 * 5 * 3];
    vg__bytes png = {NULL, NULL, 0, 0, 0};
    size_t pos = 8;
    int seen_ihdr = 0, seen_text = 0, seen_idat = 0, seen_iend = 0;
    (void)state;

    for (size_t i = 0; i < sizeof rgb; i++)
        rgb[i] = (unsigned char)(i * 7);
    assert_int_equal(vg__png_encode(&png, 7, 5, rgb, "hello"), VG_OK);
    assert_memory_equal(png.data, "\x89PNG\r\n\x1a\n", 8);
    while (pos + 12 <= png.len) {
        uint32_t len = be32(png.data + pos);
        const unsigned char *type = png.data + pos + 4, *data = type + 4;
        assert_true(pos + 12 + len <= png.len);
        assert_int_equal(be32(data + len), vg__crc32(0, type, 4 + len));
        if (memcmp(type, "IHDR", 4) == 0) {
            seen_ihdr = 1;
            assert_int_equal(len, 13);
            assert_int_equal(be32(data), 7);
            assert_int_equal(be32(data + 4), 5);
            assert_int_equal(data[8], 8); /* bit depth */
            assert_int_equal(data[9], 2); /* RGB */
        } else if (memcmp(type, "tEXt", 4) == 0) {
            seen_text = 1;
            assert_int_equal(len, sizeof "Comment" + 5);
            assert_memory_equal(data, "Comment\0hello", len);
        } else if (memcmp(type, "IDAT", 4) == 0) {
            seen_idat = 1;
            assert_int_equal(data[0], 0x78);
            assert_int_equal((data[0] << 8 | data[1]) % 31, 0);
        } else if (memcmp(type, "IEND", 4) == 0) {
            seen_iend = 1;
            assert_int_equal(pos + 12, png.len);
        }
        pos += 12 + len;
    }
    assert_true(seen_ihdr && seen_text && seen_idat && seen_iend);
    vg__bytes_free(&png);
}

static void test_png_refuses_impossible_sizes(void **state)
{
    unsigned char rgb[3] = {0};
    vg__bytes png = {NULL, NULL, 0, 0, 0};
    (void)state;
    assert_int_equal(vg__png_encode(&png, 0, 1, rgb, NULL), VG_EINVAL);
    assert_int_equal(vg__png_encode(&png, 1, -1, rgb, NULL), VG_EINVAL);
    assert_int_equal(vg__png_encode(&png, 1, 1, NULL, NULL), VG_EINVAL);
    vg__bytes_free(&png);
}

/* --- GIF LZW --------------------------------------------------------------------------------- */

/* An LZW decoder written from the GIF89a specification (appendix F), as browsers read it:
 * codes widen when the next free code reaches 2^width, a clear code resets the table.
 * Decodes the sub-blocks at data into out (room for max); returns the pixel count or -1. */
static long lzw_decode(const unsigned char *data, size_t len, unsigned char *out, size_t max,
                       size_t *used)
{
    static uint16_t prefix[4096];
    static unsigned char suffix[4096], stack[4097];
    static unsigned char bytes[1 << 20];
    size_t nbytes = 0, pos = 1, bitpos = 0, n = 0;
    int min, clear, end, width, next, old = -1, first = 0;

    min = data[0];
    if (min < 2 || min > 8)
        return -1;
    while (pos < len && data[pos]) { /* gather the sub-blocks */
        size_t blen = data[pos];
        if (pos + 1 + blen > len || nbytes + blen > sizeof bytes)
            return -1;
        memcpy(bytes + nbytes, data + pos + 1, blen);
        nbytes += blen;
        pos += 1 + blen;
    }
    if (pos >= len)
        return -1;
    *used = pos + 1;
    clear = 1 << min;
    end = clear + 1;
    width = min + 1;
    next = end + 1;
    for (;;) {
        int code = 0, in, sp = 0, i;
        if (bitpos + (size_t)width > nbytes * 8)
            return -1; /* ran out before the end code */
        for (i = 0; i < width; i++, bitpos++)
            code |= ((bytes[bitpos / 8] >> (bitpos % 8)) & 1) << i;
        if (code == clear) {
            width = min + 1;
            next = end + 1;
            old = -1;
            continue;
        }
        if (code == end)
            break;
        if (old < 0) {
            if (code >= clear)
                return -1;
            if (n >= max)
                return -1;
            out[n++] = (unsigned char)code;
            old = first = code;
            continue;
        }
        in = code;
        if (code > next)
            return -1;
        if (code == next) { /* the KwKwK case */
            stack[sp++] = (unsigned char)first;
            code = old;
        }
        while (code > end) {
            stack[sp++] = suffix[code];
            code = prefix[code];
        }
        first = code;
        stack[sp++] = (unsigned char)code;
        if (n + (size_t)sp > max)
            return -1;
        while (sp > 0)
            out[n++] = stack[--sp];
        if (next < 4096) {
            prefix[next] = (uint16_t)old;
            suffix[next] = (unsigned char)first;
            next++;
            if (next == 1 << width && width < 12)
                width++;
        }
        old = in;
    }
    return (long)n;
}

/* Encodes n pixels and checks that they decode back exactly. */
static void check_lzw_round_trip(const unsigned char *pixels, size_t n, int min)
{
    vg__bytes out = {NULL, NULL, 0, 0, 0};
    unsigned char *back = malloc(n + 1);
    size_t used = 0;
    long got;

    assert_non_null(back);
    vg__gif_lzw(&out, pixels, n, min);
    assert_false(out.failed);
    got = lzw_decode(out.data, out.len, back, n + 1, &used);
    assert_int_equal(got, (long)n);
    assert_int_equal(used, out.len); /* the terminator ends the data */
    assert_memory_equal(back, pixels, n);
    free(back);
    vg__bytes_free(&out);
}

static void test_lzw_round_trips_runs_noise_and_table_resets(void **state)
{
    static const int mins[] = {2, 4, 8};
    size_t sizes[] = {1, 2, 3, 17, 255, 256, 1000, 5000, 70000, 300000};
    uint32_t seed = 12345;
    (void)state;

    for (size_t m = 0; m < sizeof mins / sizeof mins[0]; m++) {
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s];
            unsigned char *px = malloc(n);
            assert_non_null(px);
            /* noise: fills the table (4096 codes) again and again */
            for (size_t i = 0; i < n; i++) {
                seed = seed * 1103515245u + 12345u;
                px[i] = (unsigned char)((seed >> 16) % (1u << mins[m]));
            }
            check_lzw_round_trip(px, n, mins[m]);
            /* runs: long strings, and every code width */
            for (size_t i = 0; i < n; i++)
                px[i] = (unsigned char)((i / 97) % (1u << mins[m]));
            check_lzw_round_trip(px, n, mins[m]);
            memset(px, 1, n);
            check_lzw_round_trip(px, n, mins[m]);
            free(px);
        }
    }
}

static void test_lzw_widths_at_every_table_size(void **state)
{
    /* Stop the data at each number of table entries around the width changes: the end code
     * must be written at the width the decoder reads by then. */
    unsigned char px[20000];
    uint32_t seed = 7;
    (void)state;
    for (size_t i = 0; i < sizeof px; i++) {
        seed = seed * 1103515245u + 12345u;
        px[i] = (unsigned char)((seed >> 16) & 3);
    }
    for (size_t n = 1; n < 1200; n++)
        check_lzw_round_trip(px, n, 2);
    for (size_t n = 9000; n < sizeof px; n += 37)
        check_lzw_round_trip(px, n, 2);
}

static void test_gif_has_header_loop_comment_and_frames(void **state)
{
    unsigned char palette[16 * 3] = {0}, pixels[8 * 4];
    vg__bytes gif = {NULL, NULL, 0, 0, 0};
    (void)state;

    memset(pixels, 3, sizeof pixels);
    assert_int_equal(vg__gif_begin(&gif, 8, 4, palette, 16, "label"), VG_OK);
    assert_int_equal(vg__gif_frame(&gif, 16, 0, 0, 8, 4, pixels, 10), VG_OK);
    assert_int_equal(vg__gif_frame(&gif, 16, 2, 1, 4, 2, pixels, 10), VG_OK);
    assert_int_equal(vg__gif_end(&gif), VG_OK);
    assert_memory_equal(gif.data, "GIF89a\x08\x00\x04\x00", 10);
    assert_int_equal(gif.data[10], 0x80 | 3 << 4 | 3); /* a global table of 16 colours */
    assert_memory_equal(gif.data + 13 + 48, "\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00", 19);
    assert_memory_equal(gif.data + 13 + 48 + 19, "\x21\xfe\x05label\x00", 9);
    assert_int_equal(gif.data[gif.len - 1], 0x3B);
    vg__bytes_free(&gif);
}

static void test_gif_refuses_pixels_outside_the_palette(void **state)
{
    unsigned char palette[4 * 3] = {0}, pixels[4] = {0, 1, 2, 4};
    vg__bytes gif = {NULL, NULL, 0, 0, 0};
    (void)state;
    assert_int_equal(vg__gif_begin(&gif, 2, 2, palette, 3, NULL), VG_EINVAL);
    assert_int_equal(vg__gif_begin(&gif, 2, 2, palette, 4, NULL), VG_OK);
    assert_int_equal(vg__gif_frame(&gif, 4, 0, 0, 2, 2, pixels, 10), VG_EINVAL);
    vg__bytes_free(&gif);
}

/* --- placeholders on disk -------------------------------------------------------------------- */

static char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    data = malloc((size_t)n + 1);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

static void test_placeholders_are_written_once_and_labelled(void **state)
{
    char dir[] = "/tmp/vg-local-assets-XXXXXX", png[128], gif[128];
    vg__placeholder p = {320, 180, "TEXT TO VIDEO", "Ein Glas – a red sneaker ✓"};
    struct stat before, after;
    size_t len;
    char *data;
    (void)state;

    assert_non_null(mkdtemp(dir));
    snprintf(png, sizeof png, "%s/a.png", dir);
    snprintf(gif, sizeof gif, "%s/a.gif", dir);
    assert_int_equal(vg__placeholder_png(NULL, png, &p), VG_OK);
    assert_int_equal(vg__placeholder_gif(NULL, gif, &p, 50), VG_OK);
    assert_int_equal(stat(gif, &before), 0);
    assert_true(before.st_size < 1024 * 1024);
    data = read_all(gif, &len);
    assert_non_null(memmem(data, len, VG__PLACEHOLDER_COMMENT, strlen(VG__PLACEHOLDER_COMMENT)));
    free(data);
    data = read_all(png, &len);
    assert_non_null(memmem(data, len, VG__PLACEHOLDER_COMMENT, strlen(VG__PLACEHOLDER_COMMENT)));
    free(data);
    /* a second writer leaves the file alone */
    assert_int_equal(vg__placeholder_gif(NULL, gif, &p, 50), VG_OK);
    assert_int_equal(stat(gif, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    assert_int_equal(before.st_mtime, after.st_mtime);
    unlink(png);
    unlink(gif);
    assert_int_equal(rmdir(dir), 0); /* no temporary file was left behind */
}

static void test_asset_write_fails_with_eio_and_the_path(void **state)
{
    (void)state;
    assert_int_equal(vg__asset_write(NULL, "/nonexistent-dir-vg/x.png",
                                     (const unsigned char *)"x", 1, 0, NULL),
                     VG_EIO);
    assert_non_null(strstr(vg_error_last(), "/nonexistent-dir-vg/x.png"));
}

/* --- moderation and enhancement -------------------------------------------------------------- */

static const char *verdict(const char *prompt)
{
    static vg_moderation m;
    memset(&m, 0, sizeof m);
    assert_int_equal(vg__local_moderate(&m, NULL, prompt), VG_OK);
    return m.blocked ? m.reason : "";
}

static void test_moderation_blocks_and_allows_in_five_languages(void **state)
{
    static const struct {
        const char *prompt, *reason;
    } cases[] = {
        {"a kitchen knife set on a wooden board", ""},
        {"Knife attack in a dark alley", "violence"},
        {"A NUDE model holding a perfume", "adult"},
        {"nude lipstick on a marble table", ""},
        {"massage gun for athletes", ""},
        {"a gun on a table", "illegal_goods"},
        {"cocaine on a mirror", "illegal_goods"},
        {"a nude child", "minors"},
        {"suicide note", "self_harm"},
        {"a swastika flag", "hate"},
        {"hand sanitizer that kills germs", ""},
        {"gunmetal grey watch", ""},
        {"zapatillas rojas en la playa", ""},
        {"una pistola sobre la mesa", "illegal_goods"},
        {"pistola de masaje para deportistas", ""},
        {"赤いスニーカーの広告", ""},
        {"ヌード写真", "adult"},
        {"殺人事件のシーン", "violence"},
        {"紅色情人節禮盒", ""},
        {"色情片的場景", "adult"},
        {"海洛因和針筒", "illegal_goods"},
        {"바나나치즈케이크 광고", ""},
        {"자살 장면", "self_harm"},
        {"권총을 든 남자", "illegal_goods"},
        {"누드톤 립스틱", ""},
        {"Gore-Tex hiking jacket", ""},
        {"gory horror scene", "violence"},
        {"熱情色彩的夏季洋裝", ""},
        {"살인적인 할인 이벤트", ""},
        {"마약베개 광고", ""},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = verdict(cases[i].prompt);
        if (strcmp(got, cases[i].reason) != 0)
            fail_msg("\"%s\": got \"%s\", want \"%s\"", cases[i].prompt, got, cases[i].reason);
    }
}

static void test_moderation_detail_names_the_list_and_reason(void **state)
{
    vg_moderation m;
    (void)state;
    memset(&m, 0, sizeof m);
    assert_int_equal(vg__local_moderate(&m, NULL, "knife attack"), VG_OK);
    assert_string_equal(m.detail, "local word list: violence (\"knife attack\", en)");
    assert_int_equal(vg__local_moderate(&m, NULL, "   "), VG_EPROMPT_EMPTY);
    assert_int_equal(vg__local_moderate(&m, NULL, "\xff"), VG_EUTF8);
}

static void test_enhance_wraps_the_prompt_in_the_template(void **state)
{
    char out[512], tiny[40];
    (void)state;
    assert_int_equal(vg__local_enhance(out, sizeof out, NULL, "  a red sneaker. ", NULL), VG_OK);
    assert_string_equal(out, "Product advertising video: a red sneaker. Studio lighting, clean "
                             "background, smooth camera motion, sharp focus on the product, "
                             "commercial style.");
    assert_int_equal(vg__local_enhance(out, sizeof out, NULL, "赤いスニーカー。", "ja"), VG_OK);
    assert_string_equal(out, "Product advertising video: 赤いスニーカー。. Studio lighting, "
                             "clean background, smooth camera motion, sharp focus on the "
                             "product, commercial style.");
    assert_int_equal(vg__local_enhance(tiny, sizeof tiny, NULL, "a red sneaker", NULL),
                     VG_EBUFSIZE);
    assert_int_equal(vg__local_enhance(out, sizeof out, NULL, " ", NULL), VG_EPROMPT_EMPTY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_of_the_check_string),
        cmocka_unit_test(test_adler32_of_known_strings),
        cmocka_unit_test(test_png_has_signature_header_comment_and_valid_chunk_crcs),
        cmocka_unit_test(test_png_refuses_impossible_sizes),
        cmocka_unit_test(test_lzw_round_trips_runs_noise_and_table_resets),
        cmocka_unit_test(test_lzw_widths_at_every_table_size),
        cmocka_unit_test(test_gif_has_header_loop_comment_and_frames),
        cmocka_unit_test(test_gif_refuses_pixels_outside_the_palette),
        cmocka_unit_test(test_placeholders_are_written_once_and_labelled),
        cmocka_unit_test(test_asset_write_fails_with_eio_and_the_path),
        cmocka_unit_test(test_moderation_blocks_and_allows_in_five_languages),
        cmocka_unit_test(test_moderation_detail_names_the_list_and_reason),
        cmocka_unit_test(test_enhance_wraps_the_prompt_in_the_template),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
