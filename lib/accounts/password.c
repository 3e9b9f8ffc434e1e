/* SPDX-License-Identifier: MIT */
/* Passwords: the policy, argon2id hashing behind a gate that bounds how many run at once,
 * and verification that takes as long for an unknown address as for a known one. */
#include <sodium.h>
#include <string.h>
#include <strings.h>

#include "accounts_internal.h"

/* Counts the code points of valid UTF-8. */
static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

int vg__password_check(vg_ctx *ctx, const char *password, const char *email)
{
    size_t len;

    if (!password)
        return vg__fail(ctx, VG_EINVAL, "the password is NULL");
    len = strlen(password);
    if (len > VG_PASSWORD_MAX_BYTES)
        return vg__fail(ctx, VG_EPASSWORD_POLICY, "a password has at most %d bytes",
                        VG_PASSWORD_MAX_BYTES);
    if (!vg__utf8_valid(password))
        return vg__fail(ctx, VG_EUTF8, "the password is not valid UTF-8");
    if (utf8_chars(password) < VG_PASSWORD_MIN_CHARS)
        return vg__fail(ctx, VG_EPASSWORD_POLICY, "a password has at least %d characters",
                        VG_PASSWORD_MIN_CHARS);
    if (email && strcasecmp(password, email) == 0)
        return vg__fail(ctx, VG_EPASSWORD_POLICY, "the password must not be the e-mail address");
    return VG_OK;
}

static void gate_enter(vg_ctx *ctx)
{
    pthread_mutex_lock(&ctx->hash_gate.lock);
    while (ctx->hash_gate.running >= ctx->hash_gate.max)
        pthread_cond_wait(&ctx->hash_gate.free, &ctx->hash_gate.lock);
    if (++ctx->hash_gate.running > ctx->hash_gate.peak)
        ctx->hash_gate.peak = ctx->hash_gate.running;
    ctx->hash_gate.runs++;
    pthread_mutex_unlock(&ctx->hash_gate.lock);
}

static void gate_leave(vg_ctx *ctx)
{
    pthread_mutex_lock(&ctx->hash_gate.lock);
    ctx->hash_gate.running--;
    pthread_cond_signal(&ctx->hash_gate.free);
    pthread_mutex_unlock(&ctx->hash_gate.lock);
}

int vg__hash_gate_peak(vg_ctx *ctx)
{
    int peak;
    pthread_mutex_lock(&ctx->hash_gate.lock);
    peak = ctx->hash_gate.peak;
    pthread_mutex_unlock(&ctx->hash_gate.lock);
    return peak;
}

long vg__hash_gate_runs(vg_ctx *ctx)
{
    long runs;
    pthread_mutex_lock(&ctx->hash_gate.lock);
    runs = ctx->hash_gate.runs;
    pthread_mutex_unlock(&ctx->hash_gate.lock);
    return runs;
}

int vg__password_hash(vg_ctx *ctx, char out[VG_STORE_PWHASH_SIZE], const char *password)
{
    int rc;

    _Static_assert(crypto_pwhash_STRBYTES <= VG_STORE_PWHASH_SIZE, "an argon2id string fits");
    gate_enter(ctx);
    rc = crypto_pwhash_str_alg(out, password, strlen(password), ctx->pwhash_opslimit,
                               ctx->pwhash_memlimit, crypto_pwhash_ALG_ARGON2ID13);
    gate_leave(ctx);
    if (rc != 0)
        return vg__fail(ctx, VG_ENOMEM, "cannot hash the password: out of memory");
    return VG_OK;
}

/* The dummy hash, made once per context with its cost, from a password nobody knows. */
static const char *dummy_hash(vg_ctx *ctx)
{
    char password[VG_REFRESH_TOKEN_SIZE], hash[VG_STORE_PWHASH_SIZE];

    pthread_mutex_lock(&ctx->hash_gate.lock);
    if (ctx->hash_gate.dummy_hash[0]) {
        pthread_mutex_unlock(&ctx->hash_gate.lock);
        return ctx->hash_gate.dummy_hash;
    }
    pthread_mutex_unlock(&ctx->hash_gate.lock);
    vg__token_new(password, sizeof password, "");
    if (vg__password_hash(ctx, hash, password) != VG_OK)
        return NULL;
    pthread_mutex_lock(&ctx->hash_gate.lock);
    if (!ctx->hash_gate.dummy_hash[0])
        memcpy(ctx->hash_gate.dummy_hash, hash, sizeof ctx->hash_gate.dummy_hash);
    pthread_mutex_unlock(&ctx->hash_gate.lock);
    return ctx->hash_gate.dummy_hash;
}

int vg__password_verify(vg_ctx *ctx, const char *hash, const char *password)
{
    /* made on the first sign-in of either kind, so that neither kind pays for it alone */
    const char *dummy = dummy_hash(ctx);
    const char *against = hash && hash[0] ? hash : dummy;
    int ok;

    if (!against)
        return 0;
    gate_enter(ctx);
    ok = crypto_pwhash_str_verify(against, password, strlen(password)) == 0;
    gate_leave(ctx);
    return ok && against == hash;
}
