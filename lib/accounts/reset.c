/* SPDX-License-Identifier: MIT */
/* Password reset: a single-use token e-mailed to the address, which sets a new password
 * and ends every session of the account. */
#include <inttypes.h>
#include <sodium.h>
#include <string.h>

#include "accounts_internal.h"
#include "../email/email_internal.h"

typedef struct forgot_args {
    char email[VG_EMAIL_SIZE];
    const char *caller;
    char token[VG_REFRESH_TOKEN_SIZE];
    int64_t user_id;  /* 0: nobody to write to */
    int lang;
    vg__verdict verdict;
} forgot_args;

static int forgot_body(vg__txn *txn, void *payload)
{
    forgot_args *a = payload;
    vg__limit_pair limits = {{VG__LIMIT_FORGOT_EMAIL, VG__LIMIT_FORGOT_CALLER},
                             {a->email, a->caller}};
    vg_time now = vg_ctx_now(txn->ctx);
    vg_store_token token;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    a->user_id = 0;
    rc = vg__limits_check(txn, &a->verdict, &limits, "too many password-reset requests");
    if (rc != VG_OK || a->verdict.code != VG_OK)
        return rc;
    rc = vg__limits_hit(txn, &limits);
    if (rc == VG_OK)
        rc = vg__user_lock_by_email(txn, &user, a->email);
    if (rc == VG_ENOTFOUND || (rc == VG_OK && !user.active))
        return VG_OK;
    if (rc == VG_OK)
        rc = vg__user_lang(txn, &a->lang, user.id);
    if (rc != VG_OK)
        return rc;
    rc = vg__tokens_close(txn, NULL, user.id, VG_TOKEN_RESET, NULL, VG_TOKEN_REPLACED, now);
    if (rc != VG_OK)
        return rc;
    memset(&token, 0, sizeof token);
    vg__keyed_hash(token.hash, txn->ctx, VG__KEY_TOKEN, a->token, NULL);
    token.kind = VG_TOKEN_RESET;
    token.user_id = user.id;
    token.state = VG_TOKEN_LIVE;
    token.issued_at = now;
    token.expires_at = now + (vg_time)VG_RESET_TTL_S * VG__US_PER_S;
    if ((rc = vg__token_insert(txn, &token)) == VG_OK)
        a->user_id = user.id;
    return rc;
}

int vg_account_forgot(vg_ctx *ctx, const char *email, const char *caller)
{
    forgot_args a;
    int rc;

    if (!ctx || !email)
        return vg__fail(ctx, VG_EINVAL, "vg_account_forgot: NULL argument");
    memset(&a, 0, sizeof a);
    if ((rc = vg__email_normalise(ctx, a.email, email)) != VG_OK ||
        (rc = vg__caller_check(ctx, caller)) != VG_OK)
        return rc;
    a.caller = caller;
    vg__token_new(a.token, sizeof a.token, VG__RESET_PREFIX);
    rc = vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_WRITE, forgot_body, &a), &a.verdict);
    if (rc == VG_OK && a.user_id &&
        vg__email_send(ctx, VG__EMAIL_RESET, a.lang, a.email, a.token) != VG_OK) {
        /* answered alike either way: the host learns of it from the log only */
        vg__log(ctx, VG_LOG_WARN, "password reset e-mail for user %" PRId64 " not sent: %s",
                a.user_id, vg_ctx_errmsg(ctx));
        vg_error_clear();
    }
    sodium_memzero(a.token, sizeof a.token);
    return rc;
}

typedef struct reset_args {
    unsigned char hash[VG_STORE_HASH_SIZE];
    vg_user user;
    vg_store_credential credential;
    int check_only;   /* the read pass: find the user, hash nothing */
    vg__verdict verdict;
} reset_args;

/* Reads the token (the write pass locks the user, then the token) and judges it. */
static int reset_token_judge(vg__txn *txn, reset_args *a, vg_store_token *token)
{
    vg_time now = vg_ctx_now(txn->ctx);
    int rc = vg__token_get(txn, token, a->hash, 0);

    if (rc == VG_OK && token->kind != VG_TOKEN_RESET)
        rc = VG_ENOTFOUND;
    if (rc == VG_OK)
        rc = vg__user_get(txn, &a->user, token->user_id, !a->check_only);
    if (rc == VG_OK && !a->check_only)
        rc = vg__token_get(txn, token, a->hash, 1);
    if (rc == VG_ENOTFOUND)
        vg__verdict_set(&a->verdict, VG_ETOKEN_INVALID, "not a password-reset token of this service");
    else if (rc != VG_OK)
        return rc;
    else if (token->state != VG_TOKEN_LIVE)
        vg__verdict_set(&a->verdict, VG_ETOKEN_REVOKED,
                        "this reset token was already used or replaced");
    else if (now >= token->expires_at)
        vg__verdict_set(&a->verdict, VG_ETOKEN_EXPIRED, "the reset token expired");
    else if (!a->user.active)
        vg__verdict_set(&a->verdict, VG_EACCOUNT_DISABLED, "the account is disabled");
    return VG_OK;
}

static int reset_body(vg__txn *txn, void *payload)
{
    reset_args *a = payload;
    vg_time now = vg_ctx_now(txn->ctx);
    vg_store_credential old;
    vg_store_token token;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = reset_token_judge(txn, a, &token);
    if (rc != VG_OK || a->verdict.code != VG_OK || a->check_only)
        return rc;
    rc = vg__credential_get(txn, &old, a->user.id);
    if (rc != VG_OK && rc != VG_ENOTFOUND)
        return rc;
    memcpy(a->credential.lang, rc == VG_OK ? old.lang : vg_ctx_lang(txn->ctx),
           VG_STORE_LANG_SIZE);
    a->credential.lang[VG_STORE_LANG_SIZE - 1] = '\0';
    a->credential.user_id = a->user.id;
    a->credential.password_changed_at = now;
    rc = vg__tokens_close(txn, NULL, a->user.id, VG_TOKEN_RESET, a->hash, VG_TOKEN_USED, now);
    if (rc == VG_OK)
        rc = vg__tokens_close(txn, NULL, a->user.id, VG_TOKEN_RESET, NULL, VG_TOKEN_REPLACED, now);
    if (rc == VG_OK)
        rc = vg__credential_put(txn, &a->credential);
    if (rc == VG_OK)
        rc = vg__sessions_end_all(txn, NULL, a->user.id, VG_REVOKE_PASSWORD);
    if (rc == VG_OK) /* the token came through the address: it is verified */
        rc = vg__user_set_status(txn, a->user.id, 1, a->user.active);
    return rc;
}

int vg_account_reset(int64_t *out_id, vg_ctx *ctx, const char *reset_token,
                     const char *new_password)
{
    reset_args *a;
    int rc;

    if (!ctx || !reset_token || !new_password)
        return vg__fail(ctx, VG_EINVAL, "vg_account_reset: NULL argument");
    if (!vg__token_well_formed(reset_token, VG__RESET_PREFIX))
        return vg__fail(ctx, VG_ETOKEN_INVALID, "not a password-reset token of this service");
    if (!(a = vg__calloc(ctx, 1, sizeof *a)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    vg__keyed_hash(a->hash, ctx, VG__KEY_TOKEN, reset_token, NULL);
    a->check_only = 1;
    rc = vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_READ, reset_body, a), &a->verdict);
    if (rc == VG_OK)
        rc = vg__password_check(ctx, new_password, a->user.email);
    if (rc == VG_OK)
        rc = vg__password_hash(ctx, a->credential.password_hash, new_password);
    if (rc == VG_OK) {
        a->check_only = 0;
        rc = vg__verdict_report(ctx, vg__txn_run(ctx, VG_TXN_WRITE, reset_body, a), &a->verdict);
    }
    if (rc == VG_OK && out_id)
        *out_id = a->user.id;
    sodium_memzero(a, sizeof *a);
    vg__free(ctx, a);
    return rc;
}

typedef struct lang_args {
    int64_t user_id;
    char *lang;
} lang_args;

static int lang_body(vg__txn *txn, void *payload)
{
    lang_args *a = payload;
    vg_user user;
    int lang, rc = vg__user_get(txn, &user, a->user_id, 0);

    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "no user has id %" PRId64, a->user_id);
    if (rc == VG_OK)
        rc = vg__user_lang(txn, &lang, a->user_id);
    if (rc == VG_OK)
        snprintf(a->lang, VG_LANG_TAG_SIZE, "%s", vg_lang_tag((size_t)lang));
    return rc;
}

int vg_account_lang(char *lang, vg_ctx *ctx, int64_t user_id)
{
    lang_args a = {user_id, lang};
    if (!lang || !ctx || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_account_lang: NULL argument or bad user id");
    return vg__txn_run(ctx, VG_TXN_READ, lang_body, &a);
}
