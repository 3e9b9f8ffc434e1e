/* SPDX-License-Identifier: MIT */
/* The block cache: moderation verdicts remembered by the hash of the normalised prompt, so
 * that a blocked prompt sent again costs no moderation call. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "cache_state.h"

#define DEFAULT_BLOCK_TTL_S (7 * 86400)

typedef struct block_args {
    vg_store_block block;
    int found;
} block_args;

static int block_hash(vg_ctx *ctx, unsigned char hash[VG_STORE_HASH_SIZE], const char *prompt)
{
    char normalized[VG_STORE_PROMPT_SIZE];
    int rc = vg__prompt_normalize(normalized, sizeof normalized, NULL, prompt);
    if (rc != VG_OK)
        return vg__fail(ctx, rc, "%s", vg_error_last());
    crypto_generichash(hash, VG_STORE_HASH_SIZE, (const unsigned char *)normalized,
                       strlen(normalized), (const unsigned char *)"vidgo.block.v1", 14);
    return VG_OK;
}

static int put_body(vg__txn *txn, void *payload)
{
    return vg__block_put(txn, &((block_args *)payload)->block);
}

int vg_block_put(vg_ctx *ctx, const char *prompt, const char *reason, int ttl_s)
{
    block_args a;
    size_t i, n = reason ? strlen(reason) : 0;
    int rc;

    if (!ctx || !prompt || !reason)
        return vg__fail(ctx, VG_EINVAL, "vg_block_put: NULL argument");
    if (n == 0 || n >= sizeof a.block.reason || ttl_s < 0)
        return vg__fail(ctx, VG_EINVAL, "a block reason has 1..%zu bytes; ttl_s >= 0",
                        sizeof a.block.reason - 1);
    for (i = 0; i < n; i++)
        if (reason[i] < 0x21 || reason[i] > 0x7e)
            return vg__fail(ctx, VG_EINVAL, "a block reason is printable ASCII");
    memset(&a, 0, sizeof a);
    if ((rc = block_hash(ctx, a.block.prompt_hash, prompt)) != VG_OK)
        return rc;
    memcpy(a.block.reason, reason, n + 1);
    a.block.created_at = vg_ctx_now(ctx);
    a.block.expires_at =
        a.block.created_at + (vg_time)(ttl_s ? ttl_s : DEFAULT_BLOCK_TTL_S) * 1000000;
    return vg__txn_run(ctx, VG_TXN_WRITE, put_body, &a);
}

static int get_body(vg__txn *txn, void *payload)
{
    block_args *a = payload;
    int rc = vg__block_get(txn, &a->block, a->block.prompt_hash);
    a->found = rc == VG_OK && a->block.expires_at > vg_ctx_now(txn->ctx);
    return rc == VG_ENOTFOUND ? VG_OK : rc;
}

int vg_block_get(char *reason, size_t size, vg_ctx *ctx, const char *prompt)
{
    block_args a;
    int rc;

    if (!reason || size == 0 || !ctx || !prompt)
        return vg__fail(ctx, VG_EINVAL, "vg_block_get: NULL argument");
    memset(&a, 0, sizeof a);
    if ((rc = block_hash(ctx, a.block.prompt_hash, prompt)) != VG_OK ||
        (rc = vg__txn_run(ctx, VG_TXN_READ, get_body, &a)) != VG_OK)
        return rc;
    if (!a.found)
        return VG_ENOTFOUND;
    snprintf(reason, size, "%s", a.block.reason);
    return VG_OK;
}
