/* SPDX-License-Identifier: MIT */
/* The public credit calls: each one transaction, idempotent on its caller's key. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "credits_internal.h"

#define KEY_MAX 200

typedef struct credit_op credit_op;

/* One mutating credit call: its request, how it changes a loaded wallet, its outcome. */
struct credit_op {
    const char *name;
    int (*apply)(credit_op *op, vg__wallet *wl);
    const char *key;
    int64_t user_id;                /* from the caller, or from the hold */
    int64_t hold_id;                /* calls on a hold */
    vg_credit_kind kind;            /* grant */
    int64_t amount;
    vg_time expires_at;
    const char *reference;
    const char *service;            /* hold */
    const char *plan;               /* change_plan */
    /* outcome */
    int status;
    int replayed;
    vg_balance balance;
    vg_store_hold hold;
};

/* Outcomes that are answers, stored and replayed like successes. */
static int is_refusal(int status)
{
    static const int refusals[] = {VG_EINSUFFICIENT_CREDITS, VG_EDEMO_USED_UP, VG_EHOLD_SETTLED,
                                   VG_EHOLD_EXPIRED, VG_ESTATE};
    size_t i;
    for (i = 0; i < sizeof refusals / sizeof refusals[0]; i++)
        if (status == refusals[i])
            return 1;
    return 0;
}

static int key_valid(vg_ctx *ctx, const char *key)
{
    size_t n = key ? strlen(key) : 0;
    if (n == 0 || n > KEY_MAX)
        return vg__fail(ctx, VG_EINVAL, "an idempotency key of 1..%d bytes is required", KEY_MAX);
    if (!vg__utf8_valid(key))
        return vg__fail(ctx, VG_EUTF8, "the idempotency key is not valid UTF-8");
    return VG_OK;
}

static int text_valid(vg_ctx *ctx, const char *text, size_t max, const char *what)
{
    if (text && (strlen(text) >= max || !vg__utf8_valid(text)))
        return vg__fail(ctx, strlen(text) >= max ? VG_EINVAL : VG_EUTF8,
                        "%s must be valid UTF-8 of at most %zu bytes", what, max - 1);
    return VG_OK;
}

/* A digest of everything the request asks for, to tell a repeat from a different request. */
static void fingerprint(unsigned char out[VG_STORE_HASH_SIZE], const credit_op *op)
{
    char text[512];
    int n = snprintf(text, sizeof text, "%s|%lld|%lld|%d|%lld|%lld|%zu:%s|%zu:%s|%zu:%s", op->name,
                     (long long)op->user_id, (long long)op->hold_id, (int)op->kind,
                     (long long)op->amount, (long long)op->expires_at,
                     op->reference ? strlen(op->reference) : 0, op->reference ? op->reference : "",
                     op->service ? strlen(op->service) : 0, op->service ? op->service : "",
                     op->plan ? strlen(op->plan) : 0, op->plan ? op->plan : "");
    crypto_generichash(out, VG_STORE_HASH_SIZE, (const unsigned char *)text,
                       (unsigned long long)(n < (int)sizeof text ? n : (int)sizeof text - 1), NULL, 0);
}

static int load_hold(vg__txn *txn, vg_store_hold *out, int64_t hold_id, int for_update)
{
    int rc = vg__hold_get(txn, out, hold_id, for_update);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_ENOTFOUND, "no hold with id %lld", (long long)hold_id);
    return rc;
}

static int replay(credit_op *op, vg__txn *txn, const vg_store_idempotency *rec)
{
    int rc = vg__outcome_decode(rec->result, &op->balance, op->hold_id || op->service ? &op->hold : NULL);
    if (rc != VG_OK)
        return vg__fail(txn->ctx, rc, "the stored outcome of key \"%.40s\" is damaged", op->key);
    if (op->hold.id) { /* the strings of a hold never change: read them back */
        vg_store_hold now;
        if ((rc = load_hold(txn, &now, op->hold.id, 0)) != VG_OK)
            return rc;
        memcpy(op->hold.service, now.service, sizeof now.service);
        memcpy(op->hold.reference, now.reference, sizeof now.reference);
    } else if (op->service) { /* a refused hold was never stored: the request names it */
        snprintf(op->hold.service, sizeof op->hold.service, "%s", op->service);
        snprintf(op->hold.reference, sizeof op->hold.reference, "%s",
                 op->reference ? op->reference : "");
    }
    op->status = rec->status;
    op->replayed = 1;
    return VG_OK;
}

static int op_body(vg__txn *txn, void *payload)
{
    credit_op *op = payload;
    vg_store_idempotency rec;
    unsigned char digest[VG_STORE_HASH_SIZE];
    vg__wallet wl;
    int rc;

    op->status = VG_OK;
    op->replayed = 0;
    memset(&op->hold, 0, sizeof op->hold);
    if (op->hold_id) {
        if ((rc = load_hold(txn, &op->hold, op->hold_id, 0)) != VG_OK)
            return rc;
        op->user_id = op->hold.user_id;
    }
    /* Loading locks the user and its wallet first, so that two calls with the same new key
     * serialise here and the second replays the first; and what is due is applied even
     * before a replay. */
    if ((rc = vg__wallet_load(&wl, txn, op->user_id)) != VG_OK)
        return rc;
    fingerprint(digest, op);
    rc = vg__idempotency_get(txn, &rec, op->user_id, op->key);
    if (rc == VG_OK) {
        if (sodium_memcmp(rec.fingerprint, digest, sizeof digest) != 0)
            return vg__fail(txn->ctx, VG_EIDEMPOTENCY_CONFLICT,
                            "the idempotency key \"%.40s\" was used for another request", op->key);
        rc = replay(op, txn, &rec);
        return rc == VG_OK ? vg__wallet_save(&wl) : rc;
    }
    if (rc != VG_ENOTFOUND)
        return rc;
    if (op->hold_id && (rc = load_hold(txn, &op->hold, op->hold_id, 1)) != VG_OK)
        return rc; /* read again: loading the wallet may have expired it */

    rc = op->apply(op, &wl);
    if (rc != VG_OK && !is_refusal(rc))
        return rc;
    op->status = rc;
    if ((rc = vg__wallet_save(&wl)) != VG_OK || (rc = vg__wallet_balance(&wl, &op->balance)) != VG_OK)
        return rc;
    memset(&rec, 0, sizeof rec);
    rec.user_id = op->user_id;
    snprintf(rec.key, sizeof rec.key, "%s", op->key);
    memcpy(rec.fingerprint, digest, sizeof digest);
    rec.status = op->status;
    rec.created_at = wl.now;
    rc = vg__outcome_encode(rec.result, sizeof rec.result, &op->balance,
                            op->hold_id || op->service ? &op->hold : NULL);
    return rc == VG_OK ? vg__idempotency_put(txn, &rec) : rc;
}

/* Runs a credit call and returns its outcome's status (a refusal carries a message). */
static int run_op(vg_ctx *ctx, credit_op *op)
{
    int rc = vg__txn_run(ctx, VG_TXN_WRITE, op_body, op);
    if (rc != VG_OK)
        return rc;
    if (op->status != VG_OK && op->replayed)
        vg__fail(ctx, op->status, "repeated request: %s", vg_strerror(op->status, "en"));
    return op->status;
}

static void hold_out(vg_hold *out, const credit_op *op)
{
    const vg_store_hold *h = &op->hold;
    memset(out, 0, sizeof *out);
    out->version = VG_HOLD_VERSION;
    out->id = h->id;
    out->user_id = h->user_id;
    memcpy(out->service, h->service, sizeof out->service);
    memcpy(out->reference, h->reference, sizeof out->reference);
    out->price = h->price;
    out->from_bonus = h->from_bonus;
    out->from_subscription = h->from_subscription;
    out->from_purchased = h->from_purchased;
    out->free_use = h->free_use;
    out->state = (vg_hold_state)h->state;
    out->forfeited = h->forfeited;
    out->created_at = h->created_at;
    out->expires_at = h->expires_at;
    out->settled_at = h->settled_at;
    out->balance = op->balance;
}

/* --- the calls --------------------------------------------------------------------------- */

static int apply_grant(credit_op *op, vg__wallet *wl)
{
    vg__wallet_rules rules;
    vg_store_ledger_row row;
    int64_t *bucket = op->kind == VG_CREDIT_BONUS ? &wl->w.bonus : &wl->w.purchased;
    int rc;

    if (*bucket > VG__MAX_AMOUNT - op->amount)
        return vg__fail(wl->txn->ctx, VG_ERANGE, "the balance would exceed %lld credits",
                        (long long)VG__MAX_AMOUNT);
    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_GRANT;
    if (op->kind == VG_CREDIT_BONUS) {
        vg_store_lot lot = {0, wl->user.id, op->amount, op->amount, wl->now, op->expires_at};
        vg__wallet_rules_of(wl->txn->ctx, &rules);
        if (!lot.expires_at)
            lot.expires_at = wl->now + rules.bonus_ttl;
        if (lot.expires_at <= wl->now)
            return vg__fail(wl->txn->ctx, VG_EINVAL, "a bonus grant must expire in the future");
        if ((rc = vg__lot_insert(wl->txn, &lot.id, &lot)) != VG_OK)
            return rc;
        row.bonus = op->amount;
        row.effective_at = lot.expires_at;
    } else {
        row.purchased = op->amount;
    }
    *bucket += op->amount;
    snprintf(row.reference, sizeof row.reference, "%s", op->reference ? op->reference : "");
    snprintf(row.idempotency_key, sizeof row.idempotency_key, "%s", op->key);
    return vg__ledger_write(wl, &row);
}

int vg_credits_grant(vg_balance *out, vg_ctx *ctx, int64_t user_id, vg_credit_kind kind,
                     int64_t amount, vg_time expires_at, const char *reference,
                     const char *idempotency_key)
{
    credit_op op = {"grant", apply_grant, idempotency_key, user_id, 0, kind, amount, expires_at,
                    reference, NULL, NULL, 0, 0, {0}, {0}};
    int rc;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_credits_grant: ctx is NULL");
    if ((rc = key_valid(ctx, idempotency_key)) != VG_OK ||
        (rc = text_valid(ctx, reference, VG_REFERENCE_SIZE, "reference")) != VG_OK)
        return rc;
    if (kind != VG_CREDIT_PURCHASED && kind != VG_CREDIT_BONUS)
        return vg__fail(ctx, VG_EINVAL, "unknown credit kind %d", (int)kind);
    if (amount <= 0 || amount > VG__MAX_AMOUNT)
        return vg__fail(ctx, VG_ERANGE, "a grant must be 1..%lld credits",
                        (long long)VG__MAX_AMOUNT);
    if (kind == VG_CREDIT_PURCHASED && expires_at)
        return vg__fail(ctx, VG_EINVAL, "purchased credits never expire");
    rc = run_op(ctx, &op);
    if (out && (rc == VG_OK || is_refusal(rc)))
        *out = op.balance;
    return rc;
}

static int apply_hold(credit_op *op, vg__wallet *wl)
{
    vg_service service;
    int rc = vg__service_load(wl->txn, &service, op->service);
    if (rc != VG_OK)
        return rc;
    if (!service.active || service.internal)
        return vg__fail(wl->txn->ctx, VG_ESERVICE_UNKNOWN, "the service %s is not offered",
                        service.name);
    return vg__wallet_hold(wl, &op->hold, &service, op->reference);
}

int vg_credits_hold(vg_hold *out, vg_ctx *ctx, int64_t user_id, const char *service,
                    const char *reference, const char *idempotency_key)
{
    credit_op op = {"hold", apply_hold, idempotency_key, user_id, 0, 0, 0, 0,
                    reference, service, NULL, 0, 0, {0}, {0}};
    int rc;

    if (!ctx || !out || !service)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_hold: NULL argument");
    if ((rc = key_valid(ctx, idempotency_key)) != VG_OK ||
        (rc = text_valid(ctx, reference, VG_REFERENCE_SIZE, "reference")) != VG_OK)
        return rc;
    rc = run_op(ctx, &op);
    if (rc == VG_OK || is_refusal(rc))
        hold_out(out, &op);
    return rc;
}

/* The hold must still be open; an expired one says so. */
static int hold_open(credit_op *op, vg__wallet *wl)
{
    if (op->hold.state == VG_HOLD_OPEN)
        return VG_OK;
    if (op->hold.state == VG_HOLD_EXPIRED)
        return vg__fail(wl->txn->ctx, VG_EHOLD_EXPIRED, "hold %lld expired and was released",
                        (long long)op->hold.id);
    return vg__fail(wl->txn->ctx, VG_EHOLD_SETTLED, "hold %lld was already %s",
                    (long long)op->hold.id,
                    op->hold.state == VG_HOLD_RELEASED ? "released" : "captured");
}

static int apply_capture(credit_op *op, vg__wallet *wl)
{
    int rc = hold_open(op, wl);
    return rc == VG_OK ? vg__wallet_capture(wl, &op->hold, op->key) : rc;
}

static int apply_release(credit_op *op, vg__wallet *wl)
{
    int rc = hold_open(op, wl);
    return rc == VG_OK ? vg__wallet_release(wl, &op->hold, VG_HOLD_RELEASED, op->key) : rc;
}

static int apply_refund(credit_op *op, vg__wallet *wl)
{
    if (op->hold.state != VG_HOLD_CAPTURED)
        return vg__fail(wl->txn->ctx, VG_ESTATE, "hold %lld is not captured, so it cannot be "
                        "refunded", (long long)op->hold.id);
    return vg__wallet_refund(wl, &op->hold, op->key);
}

static int settle_call(vg_hold *out, vg_ctx *ctx, int64_t hold_id, const char *key,
                       const char *name, int (*apply)(credit_op *, vg__wallet *))
{
    credit_op op = {name, apply, key, 0, hold_id, 0, 0, 0, NULL, NULL, NULL, 0, 0, {0}, {0}};
    int rc;

    if (!ctx || !out)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_%s: NULL argument", name);
    if (hold_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "hold ids are positive");
    if ((rc = key_valid(ctx, key)) != VG_OK)
        return rc;
    rc = run_op(ctx, &op);
    if (rc == VG_OK || is_refusal(rc))
        hold_out(out, &op);
    return rc;
}

int vg_credits_capture(vg_hold *out, vg_ctx *ctx, int64_t hold_id, const char *idempotency_key)
{
    return settle_call(out, ctx, hold_id, idempotency_key, "capture", apply_capture);
}

int vg_credits_release(vg_hold *out, vg_ctx *ctx, int64_t hold_id, const char *idempotency_key)
{
    return settle_call(out, ctx, hold_id, idempotency_key, "release", apply_release);
}

int vg_credits_refund(vg_hold *out, vg_ctx *ctx, int64_t hold_id, const char *idempotency_key)
{
    return settle_call(out, ctx, hold_id, idempotency_key, "refund", apply_refund);
}

static int apply_plan_change(credit_op *op, vg__wallet *wl)
{
    vg_store_ledger_row row;
    vg_plan plan;
    int64_t before = wl->w.subscription, after;
    int rc = vg__plan_load(wl->txn, &plan, op->plan);

    if (rc != VG_OK)
        return rc;
    if (plan.weekly_credits >= wl->plan.weekly_credits) /* upgrade: the difference now */
        after = before + (plan.weekly_credits - wl->plan.weekly_credits);
    else /* downgrade: at most the new weekly amount */
        after = before < plan.weekly_credits ? before : plan.weekly_credits;
    if ((rc = vg__user_set_plan(wl->txn, wl->user.id, plan.name)) != VG_OK)
        return rc;
    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_PLAN_CHANGE;
    row.subscription = after - before;
    snprintf(row.reference, sizeof row.reference, "plan:%s->%s", wl->plan.name, plan.name);
    snprintf(row.idempotency_key, sizeof row.idempotency_key, "%s", op->key);
    wl->w.subscription = after;
    wl->plan = plan;
    memcpy(wl->user.plan, plan.name, sizeof wl->user.plan);
    return vg__ledger_write(wl, &row);
}

int vg_credits_change_plan(vg_balance *out, vg_ctx *ctx, int64_t user_id, const char *plan,
                           const char *idempotency_key)
{
    credit_op op = {"plan", apply_plan_change, idempotency_key, user_id, 0, 0, 0, 0,
                    NULL, NULL, plan, 0, 0, {0}, {0}};
    int rc;

    if (!ctx || !plan)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_change_plan: NULL argument");
    if ((rc = key_valid(ctx, idempotency_key)) != VG_OK)
        return rc;
    rc = run_op(ctx, &op);
    if (out && rc == VG_OK)
        *out = op.balance;
    return rc;
}

/* --- reading ----------------------------------------------------------------------------- */

typedef struct read_op {
    int64_t user_id;
    int64_t hold_id;
    vg_balance balance;
    vg_store_hold hold;
} read_op;

/* Loading applies what is due, so even reading a balance is a (small) write. */
static int balance_body(vg__txn *txn, void *payload)
{
    read_op *r = payload;
    vg__wallet wl;
    int rc;

    if (r->hold_id) {
        if ((rc = load_hold(txn, &r->hold, r->hold_id, 0)) != VG_OK)
            return rc;
        r->user_id = r->hold.user_id;
    }
    if ((rc = vg__wallet_load(&wl, txn, r->user_id)) != VG_OK)
        return rc;
    if (r->hold_id && (rc = load_hold(txn, &r->hold, r->hold_id, 0)) != VG_OK)
        return rc;
    if ((rc = vg__wallet_save(&wl)) != VG_OK)
        return rc;
    return vg__wallet_balance(&wl, &r->balance);
}

int vg_credits_balance(vg_balance *out, vg_ctx *ctx, int64_t user_id)
{
    read_op r = {user_id, 0, {0}, {0}};
    int rc;

    if (!ctx || !out)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_balance: NULL argument");
    rc = vg__txn_run(ctx, VG_TXN_WRITE, balance_body, &r);
    if (rc == VG_OK)
        *out = r.balance;
    return rc;
}

int vg_credits_hold_get(vg_hold *out, vg_ctx *ctx, int64_t hold_id)
{
    read_op r = {0, hold_id, {0}, {0}};
    credit_op op;
    int rc;

    if (!ctx || !out)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_hold_get: NULL argument");
    if (hold_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "hold ids are positive");
    rc = vg__txn_run(ctx, VG_TXN_WRITE, balance_body, &r);
    if (rc != VG_OK)
        return rc;
    memset(&op, 0, sizeof op);
    op.hold = r.hold;
    op.balance = r.balance;
    hold_out(out, &op);
    return VG_OK;
}

typedef struct history_query {
    int64_t user_id, before_seq;
    int limit;
    vg_ledger_fn callback;
    void *payload;
    int delivered;
} history_query;

static int forward_row(const vg_store_ledger_row *r, void *payload)
{
    history_query *q = payload;
    vg_ledger_entry e = {r->seq, r->at, r->effective_at, (vg_ledger_type)r->type, r->amount,
                         r->bonus, r->subscription, r->purchased, r->free_uses, r->bonus_after,
                         r->subscription_after, r->purchased_after, r->total_after,
                         r->free_uses_after, r->service, r->reference, r->idempotency_key,
                         r->hold_id};
    if (r->seq >= q->before_seq && q->before_seq) /* a retried transaction resumes */
        return 0;
    q->before_seq = r->seq;
    q->delivered++;
    return q->callback(&e, q->payload);
}

static int history_body(vg__txn *txn, void *payload)
{
    history_query *q = payload;
    vg_user user;
    int rc;

    user.version = VG_USER_VERSION;
    rc = vg__user_get(txn, &user, q->user_id, 0);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_ENOTFOUND, "no user with id %lld", (long long)q->user_id);
    if (rc != VG_OK || q->delivered >= q->limit)
        return rc;
    return vg__ledger_list(txn, q->user_id, q->before_seq, q->limit - q->delivered, 0, forward_row, q);
}

int vg_credits_history(vg_ctx *ctx, int64_t user_id, int64_t before_seq, int limit,
                       vg_ledger_fn callback, void *payload)
{
    history_query q = {user_id, before_seq, limit, callback, payload, 0};

    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_history: NULL argument");
    if (limit < 1 || limit > 1000 || before_seq < 0)
        return vg__fail(ctx, VG_EINVAL, "vg_credits_history: limit must be 1..1000");
    return vg__txn_run(ctx, VG_TXN_READ, history_body, &q);
}

static const char *const ledger_type_names[] = {
    [VG_LEDGER_OPEN] = "open",          [VG_LEDGER_GRANT] = "grant",
    [VG_LEDGER_DEBIT] = "debit",        [VG_LEDGER_REFUND] = "refund",
    [VG_LEDGER_WEEKLY_RESET] = "weekly_reset", [VG_LEDGER_EXPIRY] = "expiry",
    [VG_LEDGER_FORFEIT] = "forfeit",    [VG_LEDGER_PLAN_CHANGE] = "plan_change",
};

const char *vg_ledger_type_name(int type)
{
    return type > 0 && type < (int)(sizeof ledger_type_names / sizeof ledger_type_names[0])
               ? ledger_type_names[type]
               : NULL;
}
