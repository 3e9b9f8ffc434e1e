/* SPDX-License-Identifier: MIT */
/* Registration: the checks, the password hash, the code e-mailed, and only then the account. */
#include <sodium.h>
#include <string.h>

#include "accounts_internal.h"

int vg__caller_check(vg_ctx *ctx, const char *caller)
{
    if (!caller)
        return VG_OK;
    if (!*caller || strlen(caller) > VG_CALLER_MAX_BYTES)
        return vg__fail(ctx, VG_EINVAL, "a caller key has 1..%d bytes", VG_CALLER_MAX_BYTES);
    if (!vg__utf8_valid(caller))
        return vg__fail(ctx, VG_EUTF8, "the caller key is not valid UTF-8");
    return VG_OK;
}

typedef struct register_args {
    vg_user user;
    vg_store_credential credential;
    const char *caller;
    char code[VG_CODE_DIGITS + 1];
    int64_t code_id;
    vg__verdict verdict;
} register_args;

/* First transaction: the caller's limit, the address free, a code reserved. */
static int reserve_body(vg__txn *txn, void *payload)
{
    register_args *a = payload;
    vg__limit_pair limits = {{VG__LIMIT_REGISTER_CALLER, VG__LIMIT_REGISTER_CALLER},
                             {a->caller, NULL}};
    vg_user existing;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = vg__limits_check(txn, &a->verdict, &limits, "too many registrations from this caller");
    if (rc == VG_OK && a->verdict.code == VG_OK)
        rc = vg__limits_hit(txn, &limits);
    if (rc != VG_OK || a->verdict.code != VG_OK)
        return rc;
    rc = vg__user_find(txn, &existing, a->user.email);
    if (rc == VG_OK) {
        vg__verdict_set(&a->verdict, VG_EEMAIL_TAKEN, "an account with this e-mail address exists");
        return VG_OK;
    }
    if (rc != VG_ENOTFOUND)
        return rc;
    return vg__code_reserve(txn, &a->verdict, &a->code_id, 0, a->user.email, a->code);
}

/* Runs in the transaction that settles the code, once the e-mail went out. */
static int create_account(vg__txn *txn, int64_t *user_id, void *payload)
{
    register_args *a = payload;
    int rc = vg__user_create(txn, &a->user);

    if (rc != VG_OK)
        return rc;
    *user_id = a->user.id;
    a->credential.user_id = a->user.id;
    a->credential.password_changed_at = vg_ctx_now(txn->ctx);
    return vg__credential_put(txn, &a->credential);
}

int vg_account_register(int64_t *out_id, vg_ctx *ctx, const char *email, const char *password,
                        const char *lang, const char *caller)
{
    register_args *a;
    int lang_index, rc;

    if (!ctx || !email || !password)
        return vg__fail(ctx, VG_EINVAL, "vg_account_register: NULL argument");
    lang_index = lang ? vg_lang_index(lang) : ctx->lang;
    if (lang_index < 0)
        return vg__fail(ctx, VG_EINVAL, "the language is not en, ja, zh-TW, ko or es");
    if ((rc = vg__caller_check(ctx, caller)) != VG_OK)
        return rc;
    if (!(a = vg__calloc(ctx, 1, sizeof *a)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    vg_user_init(&a->user, VG_USER_VERSION);
    if ((rc = vg__email_normalise(ctx, a->user.email, email)) != VG_OK ||
        (rc = vg__password_check(ctx, password, a->user.email)) != VG_OK)
        goto done;
    memcpy(a->user.plan, "demo", sizeof "demo");
    a->user.active = 1;
    memcpy(a->credential.lang, vg_lang_tag((size_t)lang_index),
           strlen(vg_lang_tag((size_t)lang_index)) + 1);
    a->caller = caller;
    if ((rc = vg__password_hash(ctx, a->credential.password_hash, password)) != VG_OK)
        goto done;
    vg__code_new(a->code);
    rc = vg__txn_run(ctx, VG_TXN_WRITE, reserve_body, a);
    if (rc == VG_OK && a->verdict.code == VG_OK)
        rc = vg__code_deliver(ctx, a->code_id, 0, a->user.email, a->code, lang_index,
                              create_account, a);
    rc = vg__verdict_report(ctx, rc, &a->verdict);
    if (rc == VG_OK && out_id)
        *out_id = a->user.id;
done:
    sodium_memzero(a, sizeof *a);
    vg__free(ctx, a);
    return rc;
}
