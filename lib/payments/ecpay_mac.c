/* SPDX-License-Identifier: MIT */
/* ECPay's CheckMacValue (providers.md §6.3): sorted fields between HashKey and HashIV,
 * URL-encoded the .NET way, lower-cased, hashed with SHA-256 or a small RFC 1321 MD5. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "payments_wire.h"

/* The sort below is quadratic and allocation-free; ECPay's forms have a few dozen fields. */
#define ECPAY_MAX_FIELDS 256

/* --- MD5 (RFC 1321) --------------------------------------------------------------------------- */

/* floor(|sin(i + 1)| * 2^32) */
static const uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613, 0xfd469501,
    0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821,
    0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
    0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a,
    0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70,
    0x289b7ec6, 0xeaa127fa, 0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
    0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391};

/* The left rotations of each round's four steps. */
static const unsigned char md5_r[4][4] = {
    {7, 12, 17, 22}, {5, 9, 14, 20}, {4, 11, 16, 23}, {6, 10, 15, 21}};

static uint32_t rotl(uint32_t x, unsigned int c)
{
    return x << c | x >> (32 - c);
}

static void md5_block(uint32_t state[4], const unsigned char *p)
{
    uint32_t m[16], a = state[0], b = state[1], c = state[2], d = state[3], f, t;
    unsigned int i, g;

    for (i = 0; i < 16; i++)
        m[i] = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 | (uint32_t)p[4 * i + 2] << 16 |
               (uint32_t)p[4 * i + 3] << 24;
    for (i = 0; i < 64; i++) {
        if (i < 16) {
            f = (b & c) | (~b & d);
            g = i;
        } else if (i < 32) {
            f = (d & b) | (~d & c);
            g = (5 * i + 1) % 16;
        } else if (i < 48) {
            f = b ^ c ^ d;
            g = (3 * i + 5) % 16;
        } else {
            f = c ^ (b | ~d);
            g = (7 * i) % 16;
        }
        t = d;
        d = c;
        c = b;
        b += rotl(a + f + md5_k[i] + m[g], md5_r[i / 16][i % 4]);
        a = t;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
}

void vg__md5_init(vg__md5 *md5)
{
    md5->state[0] = 0x67452301;
    md5->state[1] = 0xefcdab89;
    md5->state[2] = 0x98badcfe;
    md5->state[3] = 0x10325476;
    md5->bytes = 0;
}

void vg__md5_update(vg__md5 *md5, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t used = (size_t)(md5->bytes % 64);

    md5->bytes += len;
    while (len > 0) {
        size_t take = 64 - used < len ? 64 - used : len;
        memcpy(md5->block + used, p, take);
        used += take;
        p += take;
        len -= take;
        if (used == 64) {
            md5_block(md5->state, md5->block);
            used = 0;
        }
    }
}

void vg__md5_final(vg__md5 *md5, unsigned char out[16])
{
    static const unsigned char pad[64] = {0x80};
    unsigned char length[8];
    uint64_t bits = md5->bytes * 8;
    size_t used = (size_t)(md5->bytes % 64), i;

    for (i = 0; i < 8; i++)
        length[i] = (unsigned char)(bits >> (8 * i));
    /* 0x80, zeros up to 56 mod 64, then the bit length little-endian */
    vg__md5_update(md5, pad, used < 56 ? 56 - used : 120 - used);
    vg__md5_update(md5, length, 8);
    for (i = 0; i < 16; i++)
        out[i] = (unsigned char)(md5->state[i / 4] >> (8 * (i % 4)));
    sodium_memzero(md5, sizeof *md5);
}

/* --- the encoded string, written to a buffer or fed to a hash --------------------------------- */

enum sink_kind { SINK_TEXT, SINK_SHA256, SINK_MD5 };

typedef struct sink {
    enum sink_kind kind;
    char *out; /* SINK_TEXT: the caller's buffer (may be NULL) of size bytes */
    size_t size;
    size_t len; /* bytes produced so far */
    crypto_hash_sha256_state sha256;
    vg__md5 md5;
    unsigned char buf[256]; /* the hashes are fed in chunks */
    size_t used;
} sink;

static void sink_flush(sink *s)
{
    if (s->kind == SINK_SHA256)
        crypto_hash_sha256_update(&s->sha256, s->buf, s->used);
    else if (s->kind == SINK_MD5)
        vg__md5_update(&s->md5, s->buf, s->used);
    s->used = 0;
}

static void sink_put(sink *s, char c)
{
    if (s->kind == SINK_TEXT) {
        if (s->len + 1 < s->size)
            s->out[s->len] = c;
    } else {
        if (s->used == sizeof s->buf)
            sink_flush(s);
        s->buf[s->used++] = (unsigned char)c;
    }
    s->len++;
}

/* Steps 5 and 6 on one byte: kept (lower-cased), space to '+', else "%xx" in lower case. */
static void sink_encode(sink *s, const char *text)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)text;

    for (; *p; p++) {
        if (vg__form_keeps(*p)) {
            sink_put(s, (char)(*p >= 'A' && *p <= 'Z' ? *p + ('a' - 'A') : *p));
        } else if (*p == ' ') {
            sink_put(s, '+');
        } else {
            sink_put(s, '%');
            sink_put(s, hex[*p >> 4]);
            sink_put(s, hex[*p & 15]);
        }
    }
}

/* --- the fields in ECPay's order -------------------------------------------------------------- */

static int is_check_mac(const vg_form_field *f)
{
    return vg__ascii_casecmp(f->name, "CheckMacValue") == 0;
}

/* Field i comes before field j: by name ignoring case, then by position. The sort is thus
 * stable, as PHP 8's uksort is: names equal but for case keep the order they were given in
 * (and since the whole string is lower-cased afterwards, that order is what is hashed). */
static int before(const vg_form_field *fields, size_t i, size_t j)
{
    int c = vg__ascii_casecmp(fields[i].name, fields[j].name);
    return c < 0 || (c == 0 && i < j);
}

/* The index of the first field after field prev (SIZE_MAX: from the start) in the order
 * above, CheckMacValue left out; SIZE_MAX when there is none. */
static size_t next_field(const vg_form_field *fields, size_t count, size_t prev)
{
    size_t i, best = SIZE_MAX;
    for (i = 0; i < count; i++) {
        if (is_check_mac(&fields[i]) || (prev != SIZE_MAX && !before(fields, prev, i)))
            continue;
        if (best == SIZE_MAX || before(fields, i, best))
            best = i;
    }
    return best;
}

static int check_args(const vg_form_field *fields, size_t count, const char *hash_key,
                      const char *hash_iv)
{
    size_t i;

    if ((!fields && count) || !hash_key || !hash_iv || !*hash_key || !*hash_iv)
        return vg__fail(NULL, VG_EINVAL, "ecpay: the fields, HashKey or HashIV are missing");
    if (count > ECPAY_MAX_FIELDS)
        return vg__fail(NULL, VG_EINVAL, "ecpay: more than %d fields", ECPAY_MAX_FIELDS);
    if (!vg__utf8_valid(hash_key) || !vg__utf8_valid(hash_iv))
        return vg__fail(NULL, VG_EUTF8, "ecpay: HashKey or HashIV is not UTF-8");
    for (i = 0; i < count; i++) {
        if (!fields[i].name || !*fields[i].name)
            return vg__fail(NULL, VG_EINVAL, "ecpay: field %zu has no name", i);
        if (is_check_mac(&fields[i]))
            continue;
        if (!fields[i].value)
            return vg__fail(NULL, VG_EINVAL, "ecpay: field %zu has no value", i);
        if (!vg__utf8_valid(fields[i].name) || !vg__utf8_valid(fields[i].value))
            return vg__fail(NULL, VG_EUTF8, "ecpay: field %zu is not UTF-8", i);
    }
    return VG_OK;
}

/* Steps 1-6 into s: "HashKey=<key>&<n1>=<v1>&...&HashIV=<iv>", encoded and lower-cased. */
static void write_text(sink *s, const vg_form_field *fields, size_t count, const char *hash_key,
                       const char *hash_iv)
{
    size_t i = SIZE_MAX;

    sink_encode(s, "HashKey=");
    sink_encode(s, hash_key);
    while ((i = next_field(fields, count, i)) != SIZE_MAX) {
        sink_encode(s, "&");
        sink_encode(s, fields[i].name);
        sink_encode(s, "=");
        sink_encode(s, fields[i].value);
    }
    sink_encode(s, "&HashIV=");
    sink_encode(s, hash_iv);
}

int vg__ecpay_mac_text(char *out, size_t size, size_t *out_len, const vg_form_field *fields,
                       size_t count, const char *hash_key, const char *hash_iv)
{
    sink s;
    int rc;

    if (out_len)
        *out_len = 0;
    if (!out && size)
        return vg__fail(NULL, VG_EINVAL, "ecpay: the buffer is NULL");
    if (out && size)
        out[0] = '\0';
    if ((rc = check_args(fields, count, hash_key, hash_iv)) != VG_OK)
        return rc;
    memset(&s, 0, sizeof s);
    s.kind = SINK_TEXT;
    s.out = out;
    s.size = size;
    write_text(&s, fields, count, hash_key, hash_iv);
    if (out_len)
        *out_len = s.len;
    if (s.len >= size) {
        if (size)
            out[0] = '\0';
        return vg__fail(NULL, VG_EBUFSIZE, "ecpay: the MAC text needs %zu bytes", s.len + 1);
    }
    out[s.len] = '\0';
    return VG_OK;
}

int vg_ecpay_check_mac(char out[65], const vg_form_field *fields, size_t count,
                       const char *hash_key, const char *hash_iv, int sha256)
{
    static const char hex[] = "0123456789ABCDEF";
    unsigned char digest[crypto_hash_sha256_BYTES];
    size_t n, i;
    sink s;
    int rc;

    if (!out)
        return vg__fail(NULL, VG_EINVAL, "vg_ecpay_check_mac: out is NULL");
    out[0] = '\0';
    if ((rc = check_args(fields, count, hash_key, hash_iv)) != VG_OK)
        return rc;
    memset(&s, 0, sizeof s);
    if (sha256) {
        s.kind = SINK_SHA256;
        crypto_hash_sha256_init(&s.sha256);
    } else {
        s.kind = SINK_MD5;
        vg__md5_init(&s.md5);
    }
    write_text(&s, fields, count, hash_key, hash_iv);
    sink_flush(&s);
    if (sha256) {
        crypto_hash_sha256_final(&s.sha256, digest);
        n = crypto_hash_sha256_BYTES;
    } else {
        vg__md5_final(&s.md5, digest);
        n = 16;
    }
    for (i = 0; i < n; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * n] = '\0';
    /* the text holds HashKey and HashIV */
    sodium_memzero(&s, sizeof s);
    sodium_memzero(digest, sizeof digest);
    return VG_OK;
}

/* --- comparing and verifying ------------------------------------------------------------------ */

/* 1 for 0-9 a-f A-F, without a branch on c. */
static int hex_digit(unsigned char c)
{
    unsigned char l = (unsigned char)(c | 0x20);
    return ((c >= '0') & (c <= '9')) | ((l >= 'a') & (l <= 'f'));
}

int vg__ecpay_mac_equal(const char *a, const char *b)
{
    unsigned char x[64], y[64];
    size_t n, i;
    int hex = 1, same;

    if (!a || !b)
        return 0;
    n = strnlen(a, 65);
    if ((n != 64 && n != 32) || strnlen(b, 65) != n)
        return 0;
    for (i = 0; i < n; i++) {
        hex &= hex_digit((unsigned char)a[i]) & hex_digit((unsigned char)b[i]);
        x[i] = (unsigned char)(a[i] | 0x20); /* lower-cases A-F, leaves 0-9 alone */
        y[i] = (unsigned char)(b[i] | 0x20);
    }
    same = sodium_memcmp(x, y, n) == 0;
    sodium_memzero(x, sizeof x);
    sodium_memzero(y, sizeof y);
    return hex & same;
}

int vg__ecpay_form_verify(vg_ctx *ctx, const vg__form *form, const char *hash_key,
                          const char *hash_iv, int sha256)
{
    char want[65], why[VG__ERRMSG_SIZE];
    const char *got = NULL;
    size_t i;
    int rc;

    if (!form)
        return vg__fail(ctx, VG_EINVAL, "ecpay: the form is NULL");
    for (i = 0; i < form->count; i++)
        if (is_check_mac(&form->fields[i]))
            got = form->fields[i].value;
    if (!got)
        return vg__fail(ctx, VG_ESIGNATURE, "ecpay: the callback has no CheckMacValue");
    rc = vg_ecpay_check_mac(want, form->fields, form->count, hash_key, hash_iv, sha256);
    if (rc != VG_OK) {
        snprintf(why, sizeof why, "%s", vg_error_last()); /* the same buffer is written */
        return vg__fail(ctx, rc, "%s", why);
    }
    rc = vg__ecpay_mac_equal(got, want)
             ? VG_OK
             : vg__fail(ctx, VG_ESIGNATURE, "ecpay: CheckMacValue does not match");
    sodium_memzero(want, sizeof want);
    return rc;
}
