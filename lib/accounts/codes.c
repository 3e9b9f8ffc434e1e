/* SPDX-License-Identifier: MIT */
/* E-mail verification codes: issue (at most 5 an hour, the newest replaces the others),
 * delivery, and checking (15 minutes, the 3rd wrong try kills the code). */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts_internal.h"
#include "../email/email_internal.h"

#define HOUR_US (INT64_C(3600) * VG__US_PER_S)
#define MAX_ROWS 64 /* the codes of an hour an address can have, and then some */

void vg__code_new(char code[VG_CODE_DIGITS + 1])
{
    snprintf(code, VG_CODE_DIGITS + 1, "%06u", (unsigned)randombytes_uniform(1000000));
}

/* The codes of an address in the last hour, newest first. */
typedef struct code_rows {
    vg_store_code rows[MAX_ROWS];
    int count;
} code_rows;

static int collect_code(const vg_store_code *code, void *payload)
{
    code_rows *list = payload;
    if (list->count == MAX_ROWS)
        return 1;
    list->rows[list->count++] = *code;
    return 0;
}

static int codes_of_hour(vg__txn *txn, code_rows *list, const char *email)
{
    list->count = 0;
    return vg__codes_list(txn, email, vg_ctx_now(txn->ctx) - HOUR_US + 1, collect_code, list);
}

int vg__code_reserve(vg__txn *txn, vg__verdict *verdict, int64_t *out_id, int64_t user_id,
                     const char *email, const char *code)
{
    vg_time now = vg_ctx_now(txn->ctx);
    code_rows *list = vg__alloc(txn->ctx, sizeof *list);
    vg_store_code row;
    int i, sent = 0, rc;

    if (!list)
        return vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    if ((rc = codes_of_hour(txn, list, email)) != VG_OK)
        goto done;
    for (i = 0; i < list->count; i++) {
        if (list->rows[i].state == VG_CODE_SEND_FAILED)
            continue;
        if (++sent == VG_CODE_MAX_SENDS) { /* the oldest of the five leaves the hour first */
            verdict->retry_after_s =
                (int)((list->rows[i].created_at + HOUR_US - now + VG__US_PER_S - 1) /
                      VG__US_PER_S);
            if (verdict->retry_after_s < 1)
                verdict->retry_after_s = 1;
            vg__verdict_set(verdict, VG_ERATE_LIMITED,
                            "%d verification codes were sent to this address in the last hour",
                            VG_CODE_MAX_SENDS);
            goto done;
        }
    }
    memset(&row, 0, sizeof row);
    row.user_id = user_id;
    memcpy(row.email, email, strlen(email) + 1);
    vg__keyed_hash(row.code_hash, txn->ctx, VG__KEY_CODE, email, code);
    row.state = VG_CODE_SENDING;
    row.created_at = now;
    row.expires_at = now + (vg_time)VG_CODE_TTL_S * VG__US_PER_S;
    rc = vg__code_insert(txn, out_id, &row);
done:
    vg__free(txn->ctx, list);
    return rc;
}

static int close_code(vg__txn *txn, vg_store_code *row, int state)
{
    row->state = state;
    row->closed_at = vg_ctx_now(txn->ctx);
    return vg__code_update(txn, row);
}

int vg__code_settle(vg__txn *txn, int64_t code_id, int64_t user_id, const char *email, int sent)
{
    code_rows *list = vg__alloc(txn->ctx, sizeof *list);
    vg_store_code *mine = NULL;
    int i, newer_valid = 0, rc;

    if (!list)
        return vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    if ((rc = codes_of_hour(txn, list, email)) != VG_OK)
        goto done;
    for (i = 0; i < list->count && rc == VG_OK; i++) {
        vg_store_code *row = &list->rows[i];
        if (row->id == code_id)
            mine = row;
        else if (row->state == VG_CODE_PENDING && row->id > code_id)
            newer_valid = 1;
        else if (row->state == VG_CODE_PENDING && sent) /* an older code gives way */
            rc = close_code(txn, row, VG_CODE_REPLACED);
    }
    if (rc != VG_OK || !mine || mine->state != VG_CODE_SENDING)
        goto done;
    mine->user_id = user_id;
    if (!sent)
        rc = close_code(txn, mine, VG_CODE_SEND_FAILED);
    else if (newer_valid)
        rc = close_code(txn, mine, VG_CODE_REPLACED);
    else {
        mine->state = VG_CODE_PENDING;
        rc = vg__code_update(txn, mine);
    }
done:
    vg__free(txn->ctx, list);
    return rc;
}

typedef struct settle_args {
    int64_t code_id;
    int64_t user_id;
    const char *email;
    int sent;
    vg__code_finish_fn finish;
    void *payload;
} settle_args;

static int settle_body(vg__txn *txn, void *payload)
{
    settle_args *a = payload;
    int rc = VG_OK;

    if (a->sent && a->finish)
        rc = a->finish(txn, &a->user_id, a->payload);
    if (rc == VG_OK)
        rc = vg__code_settle(txn, a->code_id, a->user_id, a->email, a->sent);
    return rc;
}

int vg__code_deliver(vg_ctx *ctx, int64_t code_id, int64_t user_id, const char *email,
                     const char *code, int lang, vg__code_finish_fn finish, void *payload)
{
    settle_args a = {code_id, user_id, email, 1, finish, payload};
    int send_rc = vg__email_send(ctx, VG__EMAIL_VERIFY, lang, email, code);
    int rc;

    if (send_rc != VG_OK) {
        char why[VG__ERRMSG_SIZE];
        snprintf(why, sizeof why, "%s", vg_ctx_errmsg(ctx));
        a.sent = 0;
        rc = vg__txn_run(ctx, VG_TXN_WRITE, settle_body, &a);
        return rc != VG_OK ? rc : vg__fail(ctx, send_rc, "%s", why);
    }
    return vg__txn_run(ctx, VG_TXN_WRITE, settle_body, &a);
}

/* --- checking a code ------------------------------------------------------------------- */

typedef struct verify_args {
    char email[VG_EMAIL_SIZE];
    const char *code;
    vg__verdict verdict;
} verify_args;

static int verify_body(vg__txn *txn, void *payload)
{
    verify_args *a = payload;
    vg_time now = vg_ctx_now(txn->ctx);
    unsigned char hash[VG_STORE_HASH_SIZE];
    code_rows *list = NULL;
    vg_store_code *code = NULL;
    vg_user user;
    int i, rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    rc = vg__user_lock_by_email(txn, &user, a->email);
    if (rc == VG_ENOTFOUND) {
        vg__verdict_set(&a->verdict, VG_ECODE_EXPIRED, "no valid code was sent to this address");
        return VG_OK;
    }
    if (rc != VG_OK)
        return rc;
    if (user.verified) {
        vg__verdict_set(&a->verdict, VG_ESTATE, "this address is already verified");
        return VG_OK;
    }
    if (!(list = vg__alloc(txn->ctx, sizeof *list)))
        return vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    if ((rc = codes_of_hour(txn, list, a->email)) != VG_OK)
        goto done;
    for (i = 0; i < list->count && !code; i++)
        if (list->rows[i].state == VG_CODE_PENDING)
            code = &list->rows[i];
    if (!code) {
        vg__verdict_set(&a->verdict, VG_ECODE_EXPIRED,
                        "no valid code: it expired, was replaced or was never sent");
        goto done;
    }
    if (now >= code->expires_at) {
        vg__verdict_set(&a->verdict, VG_ECODE_EXPIRED, "the code expired; ask for a new one");
        rc = close_code(txn, code, VG_CODE_EXPIRED);
        goto done;
    }
    vg__keyed_hash(hash, txn->ctx, VG__KEY_CODE, a->email, a->code);
    code->last_attempt_at = now;
    if (sodium_memcmp(hash, code->code_hash, sizeof hash) == 0) {
        if ((rc = close_code(txn, code, VG_CODE_VERIFIED)) == VG_OK)
            rc = vg__user_set_status(txn, user.id, 1, user.active);
        goto done;
    }
    if (++code->attempts >= VG_CODE_MAX_TRIES) {
        vg__verdict_set(&a->verdict, VG_ECODE_EXHAUSTED,
                        "wrong code %d times: this code no longer works; ask for a new one",
                        code->attempts);
        rc = close_code(txn, code, VG_CODE_EXHAUSTED);
    } else {
        vg__verdict_set(&a->verdict, VG_ECODE_INVALID, "wrong code; %d tries left",
                        VG_CODE_MAX_TRIES - code->attempts);
        rc = vg__code_update(txn, code);
    }
done:
    vg__free(txn->ctx, list);
    return rc;
}

/* Checks that a code is exactly six ASCII digits. */
static int code_well_formed(const char *code)
{
    int i;
    for (i = 0; i < VG_CODE_DIGITS; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return code[VG_CODE_DIGITS] == '\0';
}

int vg_account_verify(vg_ctx *ctx, const char *email, const char *code)
{
    verify_args a;
    int rc;

    if (!ctx || !email || !code)
        return vg__fail(ctx, VG_EINVAL, "vg_account_verify: NULL argument");
    memset(&a, 0, sizeof a);
    if ((rc = vg__email_normalise(ctx, a.email, email)) != VG_OK)
        return rc;
    if (!code_well_formed(code))
        return vg__fail(ctx, VG_EINVAL, "a verification code is %d digits", VG_CODE_DIGITS);
    a.code = code;
    rc = vg__txn_run(ctx, VG_TXN_WRITE, verify_body, &a);
    return vg__verdict_report(ctx, rc, &a.verdict);
}

/* --- sending a new code ---------------------------------------------------------------- */

typedef struct resend_args {
    char email[VG_EMAIL_SIZE];
    char code[VG_CODE_DIGITS + 1];
    int64_t user_id;  /* 0: nothing to send */
    int64_t code_id;
    int lang;
    vg__verdict verdict;
} resend_args;

static int resend_body(vg__txn *txn, void *payload)
{
    resend_args *a = payload;
    vg_user user;
    int rc;

    memset(&a->verdict, 0, sizeof a->verdict);
    a->user_id = 0;
    rc = vg__user_lock_by_email(txn, &user, a->email);
    if (rc == VG_ENOTFOUND || (rc == VG_OK && (user.verified || !user.active)))
        return VG_OK;
    if (rc == VG_OK)
        rc = vg__user_lang(txn, &a->lang, user.id);
    if (rc != VG_OK)
        return rc;
    if ((rc = vg__code_reserve(txn, &a->verdict, &a->code_id, user.id, a->email, a->code)) ==
            VG_OK &&
        a->verdict.code == VG_OK)
        a->user_id = user.id;
    return rc;
}

int vg_account_resend(vg_ctx *ctx, const char *email)
{
    resend_args a;
    int rc;

    if (!ctx || !email)
        return vg__fail(ctx, VG_EINVAL, "vg_account_resend: NULL argument");
    memset(&a, 0, sizeof a);
    if ((rc = vg__email_normalise(ctx, a.email, email)) != VG_OK)
        return rc;
    vg__code_new(a.code);
    rc = vg__txn_run(ctx, VG_TXN_WRITE, resend_body, &a);
    if (rc == VG_OK && a.verdict.code == VG_OK && a.user_id)
        rc = vg__code_deliver(ctx, a.code_id, a.user_id, a.email, a.code, a.lang, NULL, NULL);
    sodium_memzero(a.code, sizeof a.code);
    return vg__verdict_report(ctx, rc, &a.verdict);
}
