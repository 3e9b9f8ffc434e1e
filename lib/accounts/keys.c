/* SPDX-License-Identifier: MIT */
/* Secrets of the accounts domain: subkeys of the server secret, keyed hashes, random tokens,
 * and verdicts that a transaction records before they reach the caller. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts_internal.h"

static const char *const key_labels[] = {
    [VG__KEY_CODE] = "vidgo.code.v1",
    [VG__KEY_TOKEN] = "vidgo.token.v1",
    [VG__KEY_LIMIT] = "vidgo.limit.v1",
    [VG__KEY_JWT] = "vidgo.jwt.v1",
};

void vg__account_key(unsigned char key[32], const vg_ctx *ctx, vg__key_use use)
{
    const char *label = key_labels[use];
    crypto_generichash(key, 32, (const unsigned char *)label, strlen(label), ctx->secret,
                       ctx->secret_len);
}

void vg__keyed_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_ctx *ctx, vg__key_use use,
                    const char *part1, const char *part2)
{
    crypto_generichash_state state;
    unsigned char key[32];

    vg__account_key(key, ctx, use);
    crypto_generichash_init(&state, key, sizeof key, VG_STORE_HASH_SIZE);
    crypto_generichash_update(&state, (const unsigned char *)part1, strlen(part1) + 1);
    if (part2)
        crypto_generichash_update(&state, (const unsigned char *)part2, strlen(part2));
    crypto_generichash_final(&state, out, VG_STORE_HASH_SIZE);
    sodium_memzero(key, sizeof key);
    sodium_memzero(&state, sizeof state);
}

void vg__token_new(char *out, size_t size, const char *prefix)
{
    unsigned char bytes[VG__TOKEN_BYTES];
    size_t n = strlen(prefix);

    randombytes_buf(bytes, sizeof bytes);
    memcpy(out, prefix, n);
    sodium_bin2base64(out + n, size - n, bytes, sizeof bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(bytes, sizeof bytes);
}

int vg__token_well_formed(const char *token, const char *prefix)
{
    size_t n = strlen(prefix), len, i;
    const size_t body = sodium_base64_ENCODED_LEN(VG__TOKEN_BYTES,
                                                  sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1;

    if (!token || strncmp(token, prefix, n) != 0)
        return 0;
    len = strlen(token + n);
    if (len != body)
        return 0;
    for (i = 0; i < len; i++) {
        char c = token[n + i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return 0;
    }
    return 1;
}

void vg__verdict_set(vg__verdict *verdict, int code, const char *fmt, ...)
{
    va_list ap;
    verdict->code = code;
    va_start(ap, fmt);
    vsnprintf(verdict->message, sizeof verdict->message, fmt, ap);
    va_end(ap);
}

int vg__verdict_report(vg_ctx *ctx, int rc, const vg__verdict *verdict)
{
    if (rc != VG_OK)
        return rc;
    if (verdict->code == VG_ERATE_LIMITED)
        return vg__fail_retry(ctx, verdict->retry_after_s, verdict->message);
    if (verdict->code != VG_OK)
        return vg__fail(ctx, verdict->code, "%s", verdict->message);
    return VG_OK;
}
