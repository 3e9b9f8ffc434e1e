/* SPDX-License-Identifier: MIT */
/* Sessions: access tokens (HS256 JWT) with refresh tokens rotated on every use, reuse
 * detection, sign-out, and what ends sessions (disabling an account). */
#include <cJSON.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "accounts_internal.h"

static vg_time ttl_us(int configured_s, int default_s)
{
    return (vg_time)(configured_s ? configured_s : default_s) * VG__US_PER_S;
}

/* Signs the access token of a session for a user into out. */
static int access_token_sign(vg__txn *txn, vg_session *out, const vg_user *user)
{
    unsigned char key[32], jti_bytes[16];
    char jti[32], sub[24];
    vg_time now = vg_ctx_now(txn->ctx);
    int64_t iat = now / VG__US_PER_S;
    cJSON *claims = cJSON_CreateObject();
    char *payload = NULL;
    int rc;

    out->access_expires_at =
        (iat * VG__US_PER_S) + ttl_us(txn->ctx->access_ttl_s, VG__DEFAULT_ACCESS_TTL_S);
    randombytes_buf(jti_bytes, sizeof jti_bytes);
    sodium_bin2base64(jti, sizeof jti, jti_bytes, sizeof jti_bytes,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(sub, sizeof sub, "%" PRId64, user->id);
    if (claims && cJSON_AddStringToObject(claims, "sub", sub) &&
        cJSON_AddNumberToObject(claims, "sid", (double)out->session_id) &&
        cJSON_AddStringToObject(claims, "plan", user->plan) &&
        cJSON_AddNumberToObject(claims, "iat", (double)iat) &&
        cJSON_AddNumberToObject(claims, "exp", (double)(out->access_expires_at / VG__US_PER_S)) &&
        cJSON_AddStringToObject(claims, "jti", jti))
        payload = cJSON_PrintUnformatted(claims);
    cJSON_Delete(claims);
    if (!payload)
        return vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    vg__account_key(key, txn->ctx, VG__KEY_JWT);
    rc = vg__jwt_sign(out->access_token, sizeof out->access_token, key, sizeof key, payload);
    sodium_memzero(key, sizeof key);
    cJSON_free(payload);
    return rc == VG_OK ? VG_OK : vg__fail(txn->ctx, rc, "the access token does not fit");
}

/* Issues a new refresh token in the session of *out, and its access token. */
static int session_issue(vg__txn *txn, vg_session *out, const vg_user *user)
{
    vg_store_token token;
    vg_time now = vg_ctx_now(txn->ctx);
    int rc;

    memset(&token, 0, sizeof token);
    vg__token_new(out->refresh_token, sizeof out->refresh_token, VG__REFRESH_PREFIX);
    vg__keyed_hash(token.hash, txn->ctx, VG__KEY_TOKEN, out->refresh_token, NULL);
    token.kind = VG_TOKEN_REFRESH;
    token.user_id = user->id;
    token.session_id = out->session_id;
    token.state = VG_TOKEN_LIVE;
    token.issued_at = now;
    token.expires_at = now + ttl_us(txn->ctx->refresh_ttl_s, VG__DEFAULT_REFRESH_TTL_S);
    if ((rc = vg__token_insert(txn, &token)) != VG_OK)
        return rc;
    out->version = VG_SESSION_VERSION;
    out->user_id = user->id;
    out->refresh_expires_at = token.expires_at;
    return access_token_sign(txn, out, user);
}

int vg__session_start(vg__txn *txn, vg_session *out, const vg_user *user)
{
    vg_store_session session = {0, user->id, vg_ctx_now(txn->ctx), 0, VG_REVOKE_NONE};
    int rc = vg__session_insert(txn, &out->session_id, &session);
    return rc == VG_OK ? session_issue(txn, out, user) : rc;
}

int vg__sessions_end_all(vg__txn *txn, int *out_count, int64_t user_id, int reason)
{
    vg_time now = vg_ctx_now(txn->ctx);
    int rc = vg__sessions_revoke(txn, out_count, user_id, 0, now, reason);
    if (rc == VG_OK)
        rc = vg__tokens_close(txn, NULL, user_id, VG_TOKEN_REFRESH, NULL, VG_TOKEN_REVOKED, now);
    return rc;
}

/* Reads a refresh token's record and locks its user, then the token, in that order (the
 * order every writer of a user's records follows). *verdict explains a refusal. */
static int refresh_token_lock(vg__txn *txn, vg__verdict *verdict, vg_store_token *token,
                              vg_user *user, const char *refresh_token)
{
    unsigned char hash[VG_STORE_HASH_SIZE];
    int rc;

    vg__keyed_hash(hash, txn->ctx, VG__KEY_TOKEN, refresh_token, NULL);
    rc = vg__token_get(txn, token, hash, 0);
    if (rc == VG_OK && token->kind != VG_TOKEN_REFRESH)
        rc = VG_ENOTFOUND;
    if (rc == VG_OK)
        rc = vg__user_get(txn, user, token->user_id, 1);
    if (rc == VG_OK)
        rc = vg__token_get(txn, token, hash, 1);
    if (rc == VG_ENOTFOUND) {
        vg__verdict_set(verdict, VG_ETOKEN_INVALID, "not a refresh token of this service");
        return VG_OK;
    }
    return rc;
}

typedef struct refresh_args {
    const char *token;
    vg_session *out;
    vg__verdict verdict;
} refresh_args;

static int refresh_body(vg__txn *txn, void *payload)
{
    refresh_args *a = payload;
    vg_time now = vg_ctx_now(txn->ctx);
    vg_store_session session;
    vg_store_token token;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = refresh_token_lock(txn, &a->verdict, &token, &user, a->token);
    if (rc != VG_OK || a->verdict.code != VG_OK)
        return rc;
    if ((rc = vg__session_get(txn, &session, token.session_id, 1)) != VG_OK)
        return rc;
    if (token.state == VG_TOKEN_USED && !session.revoked_at) {
        /* a spent token came back: someone holds a copy; end the whole family */
        vg__log(txn->ctx, VG_LOG_WARN, "refresh token reuse: session %" PRId64 " of user %" PRId64
                " revoked", session.id, user.id);
        vg__verdict_set(&a->verdict, VG_ETOKEN_REVOKED,
                        "this refresh token was already used; the session is revoked");
        return vg__sessions_revoke(txn, NULL, user.id, session.id, now, VG_REVOKE_REUSE);
    }
    if (token.state != VG_TOKEN_LIVE || session.revoked_at)
        vg__verdict_set(&a->verdict, VG_ETOKEN_REVOKED, "the session was revoked");
    else if (now >= token.expires_at)
        vg__verdict_set(&a->verdict, VG_ETOKEN_EXPIRED, "the refresh token expired");
    else if (!user.active)
        vg__verdict_set(&a->verdict, VG_EACCOUNT_DISABLED, "the account is disabled");
    if (a->verdict.code != VG_OK)
        return VG_OK;
    rc = vg__tokens_close(txn, NULL, user.id, VG_TOKEN_REFRESH, token.hash, VG_TOKEN_USED, now);
    if (rc != VG_OK)
        return rc;
    a->out->session_id = session.id;
    return session_issue(txn, a->out, &user);
}

int vg_session_refresh(vg_session *out, vg_ctx *ctx, const char *refresh_token)
{
    char token[VG_REFRESH_TOKEN_SIZE];
    refresh_args a;
    int rc;

    if (!out || !ctx || !refresh_token)
        return vg__fail(ctx, VG_EINVAL, "vg_session_refresh: NULL argument");
    if (!vg__token_well_formed(refresh_token, VG__REFRESH_PREFIX))
        return vg__fail(ctx, VG_ETOKEN_INVALID, "not a refresh token of this service");
    /* the token may live in *out (refreshing a session in place) */
    snprintf(token, sizeof token, "%s", refresh_token);
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    a.token = token;
    a.out = out;
    rc = vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_WRITE, refresh_body, &a), &a.verdict);
    if (rc != VG_OK)
        sodium_memzero(out, sizeof *out);
    sodium_memzero(token, sizeof token);
    return rc;
}

/* --- verifying an access token --------------------------------------------------------- */

typedef struct verify_args {
    vg_claims *claims;
    vg__verdict verdict;
} verify_args;

static int verify_body(vg__txn *txn, void *payload)
{
    verify_args *a = payload;
    vg_store_session session;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = vg__user_get(txn, &user, a->claims->user_id, 0);
    if (rc == VG_OK)
        rc = vg__session_get(txn, &session, a->claims->session_id, 0);
    if (rc == VG_ENOTFOUND || (rc == VG_OK && session.user_id != user.id))
        vg__verdict_set(&a->verdict, VG_ETOKEN_INVALID, "the token's user or session is gone");
    else if (rc != VG_OK)
        return rc;
    else if (!user.active)
        vg__verdict_set(&a->verdict, VG_EACCOUNT_DISABLED, "the account is disabled");
    else if (session.revoked_at)
        vg__verdict_set(&a->verdict, VG_ETOKEN_REVOKED, "the session was revoked");
    return VG_OK;
}

/* Reads a claim that must be a string of digits, or an integral number, as an id > 0. */
static int64_t id_claim(const cJSON *claims, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(claims, name);
    long long id = 0;
    char *end = NULL;

    if (cJSON_IsString(item) && item->valuestring[0] >= '1' && item->valuestring[0] <= '9') {
        id = strtoll(item->valuestring, &end, 10);
        return *end == '\0' ? id : 0;
    }
    if (cJSON_IsNumber(item) && item->valuedouble >= 1 && item->valuedouble < 9e15 &&
        item->valuedouble == (double)(long long)item->valuedouble)
        return (int64_t)item->valuedouble;
    return 0;
}

/* Fills claims from a verified payload; 0 if one of ours is missing or malformed. */
static int claims_read(vg_claims *out, const cJSON *json)
{
    const cJSON *plan = cJSON_GetObjectItemCaseSensitive(json, "plan");
    const cJSON *jti = cJSON_GetObjectItemCaseSensitive(json, "jti");
    const cJSON *iat = cJSON_GetObjectItemCaseSensitive(json, "iat");
    const cJSON *exp = cJSON_GetObjectItemCaseSensitive(json, "exp");

    memset(out, 0, sizeof *out);
    out->version = VG_CLAIMS_VERSION;
    out->user_id = id_claim(json, "sub");
    out->session_id = id_claim(json, "sid");
    if (!out->user_id || !out->session_id || !cJSON_IsString(plan) || !cJSON_IsString(jti) ||
        !cJSON_IsNumber(iat) || !cJSON_IsNumber(exp) ||
        strlen(plan->valuestring) >= sizeof out->plan || strlen(jti->valuestring) >= sizeof out->jti)
        return 0;
    memcpy(out->plan, plan->valuestring, strlen(plan->valuestring) + 1);
    memcpy(out->jti, jti->valuestring, strlen(jti->valuestring) + 1);
    out->issued_at = (vg_time)iat->valuedouble * VG__US_PER_S;
    out->expires_at = (vg_time)exp->valuedouble * VG__US_PER_S;
    return 1;
}

int vg_session_verify(vg_claims *out, vg_ctx *ctx, const char *access_token)
{
    static const char *const reasons[] = {"", "the access token is malformed or forged",
                                          "the access token expired"};
    unsigned char key[32];
    verify_args a;
    vg_claims claims;
    void *json = NULL;
    int rc;

    if (!ctx || !access_token)
        return vg__fail(ctx, VG_EINVAL, "vg_session_verify: NULL argument");
    if (strlen(access_token) >= VG_ACCESS_TOKEN_SIZE)
        return vg__fail(ctx, VG_ETOKEN_INVALID, "%s", reasons[1]);
    vg__account_key(key, ctx, VG__KEY_JWT);
    rc = vg__jwt_verify(&json, access_token, key, sizeof key, vg_ctx_now(ctx));
    sodium_memzero(key, sizeof key);
    if (rc == VG_OK && !claims_read(&claims, json))
        rc = VG_ETOKEN_INVALID;
    vg__jwt_claims_free(json);
    if (rc != VG_OK)
        return vg__fail(ctx, rc, "%s", reasons[rc == VG_ETOKEN_EXPIRED ? 2 : 1]);
    memset(&a, 0, sizeof a);
    a.claims = &claims;
    rc = vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_READ, verify_body, &a), &a.verdict);
    if (rc == VG_OK && out)
        *out = claims;
    return rc;
}

/* --- signing out, ending sessions -------------------------------------------------------- */

typedef struct logout_args {
    const char *token;
    vg__verdict verdict;
} logout_args;

static int logout_body(vg__txn *txn, void *payload)
{
    logout_args *a = payload;
    vg_store_token token;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = refresh_token_lock(txn, &a->verdict, &token, &user, a->token);
    if (rc != VG_OK || a->verdict.code != VG_OK)
        return rc;
    rc = vg__sessions_revoke(txn, NULL, user.id, token.session_id, vg_ctx_now(txn->ctx),
                             VG_REVOKE_LOGOUT);
    if (rc == VG_OK)
        rc = vg__tokens_close(txn, NULL, user.id, VG_TOKEN_REFRESH, token.hash, VG_TOKEN_REVOKED,
                              vg_ctx_now(txn->ctx));
    return rc;
}

int vg_session_logout(vg_ctx *ctx, const char *refresh_token)
{
    logout_args a;

    if (!ctx || !refresh_token)
        return vg__fail(ctx, VG_EINVAL, "vg_session_logout: NULL argument");
    if (!vg__token_well_formed(refresh_token, VG__REFRESH_PREFIX))
        return vg__fail(ctx, VG_ETOKEN_INVALID, "not a refresh token of this service");
    memset(&a, 0, sizeof a);
    a.token = refresh_token;
    return vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_WRITE, logout_body, &a), &a.verdict);
}

typedef struct status_args {
    int64_t user_id;
    int active;     /* -1: leave as is */
    int count;
} status_args;

static int status_body(vg__txn *txn, void *payload)
{
    status_args *a = payload;
    vg_user user;
    int rc = vg__user_get(txn, &user, a->user_id, 1);

    a->count = 0;
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "no user has id %" PRId64, a->user_id);
    if (rc == VG_OK && a->active >= 0)
        rc = vg__user_set_status(txn, user.id, user.verified, a->active);
    if (rc == VG_OK && a->active != 1)
        rc = vg__sessions_end_all(txn, &a->count, user.id,
                                  a->active == 0 ? VG_REVOKE_DISABLED : VG_REVOKE_LOGOUT);
    return rc;
}

int vg_session_revoke_all(int *out_count, vg_ctx *ctx, int64_t user_id)
{
    status_args a = {user_id, -1, 0};
    int rc;

    if (!ctx || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_session_revoke_all: NULL context or bad user id");
    rc = vg__txn_run(ctx, VG_TXN_WRITE, status_body, &a);
    if (rc == VG_OK && out_count)
        *out_count = a.count;
    return rc;
}

int vg_account_set_active(vg_ctx *ctx, int64_t user_id, int active)
{
    status_args a = {user_id, active ? 1 : 0, 0};

    if (!ctx || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_account_set_active: NULL context or bad user id");
    return vg__txn_run(ctx, VG_TXN_WRITE, status_body, &a);
}
