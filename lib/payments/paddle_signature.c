/* SPDX-License-Identifier: MIT */
/* Paddle Billing's Paddle-Signature header (providers.md §7): HMAC-SHA256 of "<ts>:<body>",
 * several h1 values and several secrets during a rotation, and the timestamp's tolerance. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "payments_wire.h"

#define US_PER_S INT64_C(1000000)
#define TS_MAX_DIGITS 12 /* Unix seconds up to the year 33658; keeps ts * 10^6 in an int64 */

const char *vg__paddle_secret(vg_ctx *ctx)
{
    return ctx->payments.paddle_secret;
}

int vg__paddle_tolerance_s(vg_ctx *ctx)
{
    return ctx->payments.paddle_tolerance_s ? ctx->payments.paddle_tolerance_s
                                            : VG__PADDLE_TOLERANCE_S;
}

void vg__hmac_sha256(unsigned char out[32], const void *key, size_t key_len,
                     const vg__hmac_part *parts, size_t count)
{
    crypto_auth_hmacsha256_state st;
    size_t i;

    crypto_auth_hmacsha256_init(&st, key, key_len);
    for (i = 0; i < count; i++)
        if (parts[i].len)
            crypto_auth_hmacsha256_update(&st, parts[i].data, parts[i].len);
    crypto_auth_hmacsha256_final(&st, out);
    sodium_memzero(&st, sizeof st);
}

/* --- the header ------------------------------------------------------------------------------- */

typedef struct sig_header {
    const char *ts; /* the digits as sent: they are what was signed */
    size_t ts_len;
    int64_t ts_s;
    unsigned char h1[VG__PADDLE_MAX_H1][crypto_auth_hmacsha256_BYTES];
    size_t h1_count;
} sig_header;

/* One "key=value" entry; 0 when it is malformed. Unknown keys (h2=...) are skipped. */
static int read_entry(sig_header *h, const char *key, size_t key_len, const char *value,
                      size_t value_len)
{
    size_t i;

    if (key_len == 2 && memcmp(key, "ts", 2) == 0) {
        if (h->ts || value_len == 0 || value_len > TS_MAX_DIGITS)
            return 0;
        h->ts_s = 0;
        for (i = 0; i < value_len; i++) {
            if (value[i] < '0' || value[i] > '9')
                return 0;
            h->ts_s = h->ts_s * 10 + (value[i] - '0');
        }
        h->ts = value;
        h->ts_len = value_len;
    } else if (key_len == 2 && memcmp(key, "h1", 2) == 0) {
        unsigned char *mac;
        if (h->h1_count == VG__PADDLE_MAX_H1 || value_len != 2 * crypto_auth_hmacsha256_BYTES)
            return 0;
        mac = h->h1[h->h1_count];
        for (i = 0; i < crypto_auth_hmacsha256_BYTES; i++) {
            int hi = vg__hex_value(value[2 * i]), lo = vg__hex_value(value[2 * i + 1]);
            if (hi < 0 || lo < 0)
                return 0;
            mac[i] = (unsigned char)(hi << 4 | lo);
        }
        h->h1_count++;
    }
    return 1;
}

/* "ts=<digits>;h1=<64 hex>[;h1=...][;other=...]" in any order: exactly one ts, at least one
 * h1, no empty entry. Returns 0 when malformed. */
static int parse_header(sig_header *h, const char *header)
{
    const char *p = header;

    memset(h, 0, sizeof *h);
    if (strnlen(header, VG__PADDLE_HEADER_MAX + 1) > VG__PADDLE_HEADER_MAX)
        return 0;
    for (;;) {
        const char *end = strchr(p, ';'), *eq;
        if (!end)
            end = p + strlen(p);
        eq = memchr(p, '=', (size_t)(end - p));
        if (!eq || eq == p || !read_entry(h, p, (size_t)(eq - p), eq + 1, (size_t)(end - eq - 1)))
            return 0;
        if (!*end)
            break;
        p = end + 1;
    }
    return h->ts && h->h1_count > 0;
}

/* --- verification ----------------------------------------------------------------------------- */

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The next space-separated secret at or after *p (length in *len), or NULL; advances *p. */
static const char *next_secret(const char **p, size_t *len)
{
    const char *start = *p, *end;
    while (is_space(*start))
        start++;
    for (end = start; *end && !is_space(*end); end++)
        ;
    *p = end;
    *len = (size_t)(end - start);
    return *len ? start : NULL;
}

/* 1 when the MAC under any secret equals any h1; every pair is compared, whatever matches. */
static int any_matches(const sig_header *h, const char *secrets, const char *body, size_t body_len)
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    const vg__hmac_part parts[3] = {{h->ts, h->ts_len}, {":", 1}, {body, body_len}};
    const char *p = secrets, *key;
    size_t key_len, i;
    int match = 0;

    while ((key = next_secret(&p, &key_len)) != NULL) {
        vg__hmac_sha256(mac, key, key_len, parts, 3);
        for (i = 0; i < h->h1_count; i++)
            match |= sodium_memcmp(mac, h->h1[i], sizeof mac) == 0;
    }
    sodium_memzero(mac, sizeof mac);
    return match;
}

int vg_paddle_verify(vg_ctx *ctx, const char *signature, const char *body, size_t body_len,
                     const char *secret, int tolerance_s)
{
    sig_header h;
    const char *p;
    size_t len;
    vg_time now;
    int64_t ts_us, tol_us;
    int rc = VG_OK;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_paddle_verify: ctx is NULL");
    if (!signature || (!body && body_len) || tolerance_s < 0)
        return vg__fail(ctx, VG_EINVAL, "vg_paddle_verify: invalid arguments");
    if (!parse_header(&h, signature))
        return vg__fail(ctx, VG_EINVAL,
                        "paddle webhook: the Paddle-Signature header is not "
                        "\"ts=<seconds>;h1=<64 hex digits>\"");
    if (!secret)
        secret = vg__paddle_secret(ctx);
    p = secret ? secret : "";
    if (!next_secret(&p, &len)) {
        rc = vg__fail(ctx, VG_ECONFIG,
                      "paddle webhook: no endpoint secret (set "
                      "payments.paddle_webhook_secret or PADDLE_WEBHOOK_SECRET)");
        goto done;
    }
    /* The signature before the clock: an unsigned request learns nothing about our time. */
    if (!any_matches(&h, secret, body ? body : "", body_len)) {
        rc = vg__fail(ctx, VG_ESIGNATURE, "paddle webhook: no h1 signature matches");
        goto done;
    }
    if (tolerance_s == 0)
        tolerance_s = vg__paddle_tolerance_s(ctx);
    now = vg_ctx_now(ctx);
    ts_us = h.ts_s * US_PER_S;
    tol_us = (int64_t)tolerance_s * US_PER_S;
    /* Written without a subtraction that could overflow: ts_us <= 10^18, tol_us < 2^52. */
    if (now > ts_us + tol_us)
        rc = vg__fail(ctx, VG_EREPLAY, "paddle webhook: the timestamp is more than %d s old",
                      tolerance_s);
    else if (now < ts_us - tol_us)
        rc = vg__fail(ctx, VG_EREPLAY,
                      "paddle webhook: the timestamp is more than %d s in the future", tolerance_s);
done:
    sodium_memzero(&h, sizeof h);
    return rc;
}
