/* SPDX-License-Identifier: MIT */
/* The server secret behind keyed hashes and token signatures: configured, from the
 * environment, or created once and kept in the store. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "../store/store.h"

#define SECRET_META_KEY "server_secret"
#define SECRET_ENV "VIDGO_SECRET"

static int secret_from_hex(vg_ctx *ctx, const char *hex, const char *origin)
{
    size_t len = 0;
    if (sodium_hex2bin(ctx->secret, sizeof ctx->secret, hex, strlen(hex), NULL, &len, NULL) != 0 ||
        len < VG__SECRET_MIN) {
        sodium_memzero(ctx->secret, sizeof ctx->secret);
        return vg__fail(ctx, VG_ECONFIG, "%s must be %d to %d bytes written in hex", origin,
                        VG__SECRET_MIN, VG__SECRET_MAX);
    }
    ctx->secret_len = len;
    return VG_OK;
}

static int secret_in_store(vg__txn *txn, void *payload)
{
    vg_ctx *ctx = payload;
    char *hex = NULL;
    char fresh[VG__SECRET_MIN * 2 + 1];
    unsigned char bytes[VG__SECRET_MIN];
    int rc = vg__meta_get(txn, &hex, SECRET_META_KEY, txn->mode == VG_TXN_WRITE);

    if (rc == VG_OK) {
        rc = secret_from_hex(ctx, hex, "the stored server secret");
        sodium_memzero(hex, strlen(hex));
        vg__free(ctx, hex);
        return rc;
    }
    if (rc != VG_ENOTFOUND || txn->mode != VG_TXN_WRITE)
        return rc;
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(fresh, sizeof fresh, bytes, sizeof bytes);
    rc = vg__meta_put(txn, SECRET_META_KEY, fresh);
    if (rc == VG_OK) {
        memcpy(ctx->secret, bytes, sizeof bytes);
        ctx->secret_len = sizeof bytes;
        vg__log(ctx, VG_LOG_WARN, "no server secret configured: created one and kept it in "
                                  "the store (set VIDGO_SECRET in production)");
    }
    sodium_memzero(fresh, sizeof fresh);
    sodium_memzero(bytes, sizeof bytes);
    return rc;
}

int vg__secret_load(vg_ctx *ctx, const vg_config *config)
{
    const char *env = getenv(SECRET_ENV);

    if (config->secret) {
        if (config->secret_len < VG__SECRET_MIN || config->secret_len > VG__SECRET_MAX)
            return vg__fail(ctx, VG_ECONFIG, "config.secret must be %d to %d bytes",
                            VG__SECRET_MIN, VG__SECRET_MAX);
        memcpy(ctx->secret, config->secret, config->secret_len);
        ctx->secret_len = config->secret_len;
        return VG_OK;
    }
    if (env && *env)
        return secret_from_hex(ctx, env, SECRET_ENV);
    return VG_OK;
}

int vg__secret_load_from_store(vg_ctx *ctx)
{
    int rc;

    if (ctx->secret_len)
        return VG_OK;
    if (!(ctx->flags & VG_OPEN_READONLY))
        return vg__txn_run(ctx, VG_TXN_WRITE, secret_in_store, ctx);
    rc = vg__txn_run(ctx, VG_TXN_READ, secret_in_store, ctx);
    if (rc == VG_ENOTFOUND) { /* a read-only context cannot keep a new one */
        randombytes_buf(ctx->secret, VG__SECRET_MIN);
        ctx->secret_len = VG__SECRET_MIN;
        vg__log(ctx, VG_LOG_WARN, "read-only store without a secret: tokens made by this "
                                  "context will not verify elsewhere");
        rc = VG_OK;
    }
    return rc;
}
