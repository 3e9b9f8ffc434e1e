/* SPDX-License-Identifier: MIT */
/* Sign-in: rate limits first, then one argon2id verification whether or not the address
 * has an account, then the account's state, and a new session. */
#include <sodium.h>
#include <string.h>

#include "accounts_internal.h"

typedef struct login_args {
    char email[VG_EMAIL_SIZE];
    vg__limit_pair limits;           /* failures of the address and of the caller */
    vg_user user;                    /* user.id 0: no such account */
    vg_store_credential credential;  /* password_hash "": none */
    int password_ok;
    vg_session *out;
    vg__verdict verdict;
} login_args;

/* Read transaction: the limits, the account and its password hash. */
static int lookup_body(vg__txn *txn, void *payload)
{
    login_args *a = payload;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    memset(&a->user, 0, sizeof a->user);
    memset(&a->credential, 0, sizeof a->credential);
    rc = vg__limits_check(txn, &a->verdict, &a->limits, "too many failed sign-ins");
    if (rc != VG_OK || a->verdict.code != VG_OK)
        return rc;
    rc = vg__user_find(txn, &a->user, a->email);
    if (rc == VG_OK)
        rc = vg__credential_get(txn, &a->credential, a->user.id);
    return rc == VG_ENOTFOUND ? VG_OK : rc;
}

/* Write transaction after the hash: count a failure, or start the session. */
static int outcome_body(vg__txn *txn, void *payload)
{
    login_args *a = payload;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    if (!a->password_ok) {
        rc = vg__limits_hit(txn, &a->limits);
        vg__verdict_set(&a->verdict, VG_EAUTH_FAILED, "wrong e-mail address or password");
        return rc;
    }
    if ((rc = vg__user_get(txn, &user, a->user.id, 1)) != VG_OK)
        return rc;
    if (!user.verified)
        vg__verdict_set(&a->verdict, VG_ENOT_VERIFIED, "verify the e-mail address first");
    else if (!user.active)
        vg__verdict_set(&a->verdict, VG_EACCOUNT_DISABLED, "the account is disabled");
    if (a->verdict.code != VG_OK)
        return VG_OK;
    if ((rc = vg__limit_clear(txn, VG__LIMIT_LOGIN_EMAIL, a->email)) != VG_OK)
        return rc;
    return vg__session_start(txn, a->out, &user);
}

int vg_account_login(vg_session *out, vg_ctx *ctx, const char *email, const char *password,
                     const char *caller)
{
    login_args *a;
    int rc;

    if (!out || !ctx || !email || !password)
        return vg__fail(ctx, VG_EINVAL, "vg_account_login: NULL argument");
    memset(out, 0, sizeof *out);
    if (!*password || strlen(password) > VG_PASSWORD_MAX_BYTES)
        return vg__fail(ctx, VG_EINVAL, "a password has 1..%d bytes", VG_PASSWORD_MAX_BYTES);
    if ((rc = vg__caller_check(ctx, caller)) != VG_OK)
        return rc;
    if (!(a = vg__calloc(ctx, 1, sizeof *a)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    if ((rc = vg__email_normalise(ctx, a->email, email)) != VG_OK)
        goto done;
    a->limits = (vg__limit_pair){{VG__LIMIT_LOGIN_EMAIL, VG__LIMIT_LOGIN_CALLER},
                                 {a->email, caller}};
    a->out = out;
    rc = vg__txn_run(ctx, VG_TXN_READ, lookup_body, a);
    if (rc != VG_OK || a->verdict.code != VG_OK)
        goto report;
    /* one verification either way: against the account's hash, or a dummy of equal cost */
    a->password_ok = vg__password_verify(ctx, a->user.id ? a->credential.password_hash : NULL,
                                         password);
    rc = vg__txn_run(ctx, VG_TXN_WRITE, outcome_body, a);
report:
    rc = vg__verdict_report(ctx, rc, &a->verdict);
    if (rc != VG_OK)
        sodium_memzero(out, sizeof *out);
done:
    sodium_memzero(a, sizeof *a);
    vg__free(ctx, a);
    return rc;
}
