/* SPDX-License-Identifier: MIT */
/* The wallet (include/vidgo/credits.h): balances, grants, holds, the ledger, maintenance. */
#include "groups.h"

/* ---- enums ------------------------------------------------------------------------------ */

/* Indexed by vg_credit_kind (which starts at 1) and vg_hold_state. */
static const char *const credit_kinds[] = {NULL, "purchased", "bonus"};
static const char *const hold_states[] = {"open", "captured", "released", "expired", "refunded"};

static const char *credit_kind_name(int kind)
{
    return vgn_name_in(credit_kinds, COUNT(credit_kinds), kind);
}

/* Reads an optional credit kind ('purchased' when absent). */
static vg_credit_kind op_credit_kind(vgn_op *op, napi_value value)
{
    int kind = vgn_read_name(op, value, "kind", 1, credit_kind_name, COUNT(credit_kinds));
    return kind > 0 ? (vg_credit_kind)kind : VG_CREDIT_PURCHASED;
}

/* ---- records ---------------------------------------------------------------------------- */

vgn_val *vgn_balance_val(const vg_balance *b)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "userId", b->user_id);
    vgn_set_int(o, "subscription", b->subscription);
    vgn_set_int(o, "purchased", b->purchased);
    vgn_set_int(o, "bonus", b->bonus);
    vgn_set_int(o, "held", b->held);
    vgn_set_int(o, "available", b->available);
    vgn_set_int(o, "total", b->total);
    vgn_set_int(o, "freeUses", b->free_uses);
    vgn_set_int(o, "freeUsesHeld", b->free_uses_held);
    vgn_set_time(o, "nextReset", b->next_reset);
    vgn_set_time(o, "nextBonusExpiry", b->next_bonus_expiry);
    vgn_set_int(o, "nextBonusExpiryAmount", b->next_bonus_expiry_amount);
    vgn_set_int(o, "ledgerSeq", b->ledger_seq);
    return o;
}

static vgn_val *hold_val(const vg_hold *h)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", h->id);
    vgn_set_int(o, "userId", h->user_id);
    vgn_set_str(o, "service", h->service);
    vgn_set_str(o, "reference", h->reference);
    vgn_set_int(o, "price", h->price);
    vgn_set_int(o, "fromBonus", h->from_bonus);
    vgn_set_int(o, "fromSubscription", h->from_subscription);
    vgn_set_int(o, "fromPurchased", h->from_purchased);
    vgn_set_bool(o, "freeUse", h->free_use);
    vgn_set_str(o, "state", vgn_name_in(hold_states, COUNT(hold_states), (int)h->state));
    vgn_set_int(o, "forfeited", h->forfeited);
    vgn_set_time(o, "createdAt", h->created_at);
    vgn_set_time(o, "expiresAt", h->expires_at);
    vgn_set_time(o, "settledAt", h->settled_at);
    vgn_set(o, "balance", vgn_balance_val(&h->balance));
    return o;
}

static vgn_val *ledger_val(const vg_ledger_entry *e)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "seq", e->seq);
    vgn_set_time(o, "at", e->at);
    vgn_set_time(o, "effectiveAt", e->effective_at);
    vgn_set_str(o, "type", vg_ledger_type_name(e->type));
    vgn_set_int(o, "amount", e->amount);
    vgn_set_int(o, "bonus", e->bonus);
    vgn_set_int(o, "subscription", e->subscription);
    vgn_set_int(o, "purchased", e->purchased);
    vgn_set_int(o, "freeUses", e->free_uses);
    vgn_set_int(o, "bonusAfter", e->bonus_after);
    vgn_set_int(o, "subscriptionAfter", e->subscription_after);
    vgn_set_int(o, "purchasedAfter", e->purchased_after);
    vgn_set_int(o, "totalAfter", e->total_after);
    vgn_set_int(o, "freeUsesAfter", e->free_uses_after);
    vgn_set_str(o, "service", e->service ? e->service : "");
    vgn_set_str(o, "reference", e->reference ? e->reference : "");
    vgn_set_str(o, "idempotencyKey", e->idempotency_key ? e->idempotency_key : "");
    vgn_set_int(o, "holdId", e->hold_id);
    return o;
}

static int ledger_row(const vg_ledger_entry *e, void *array)
{
    vgn_push(array, ledger_val(e));
    return 0;
}

static vgn_val *report_val(const vg_maintenance_report *r)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "users", r->users);
    vgn_set_int(o, "weeklyResets", r->weekly_resets);
    vgn_set_int(o, "expiries", r->expiries);
    vgn_set_int(o, "holdsExpired", r->holds_expired);
    return o;
}

/* ---- pure calls ------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_time t;
} pure_op;

/* ledger_type_name(type) -> 'grant' | ... | null */
static napi_value ledger_type_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_ledger_type_name, NULL);
}

static void next_reset_exec(vgn_op *op)
{
    op->result = vgn_time(vg_credits_next_reset(((pure_op *)op)->t));
}

/* credits_next_reset(Date | ms) -> Date */
static napi_value credits_next_reset(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    pure_op *o = vgn_op_new(env, sizeof *o, next_reset_exec);
    if (!o)
        return NULL;
    o->t = vgn_op_time(&o->op, argv[0], "when", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* ---- wallet calls ----------------------------------------------------------------------- */

/* One op for every wallet call: the arguments each one uses. */
typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t user_id; /* or the hold's id */
    int64_t amount;
    int64_t before_seq;
    int64_t limit;
    vg_credit_kind kind;
    vg_time expires_at;
    const char *service; /* or the plan */
    const char *reference;
    const char *key;
} wallet_op;

static wallet_op *wallet_op_new(napi_env env, vgn_exec_fn exec, napi_value ctx)
{
    wallet_op *o = vgn_op_new(env, sizeof *o, exec);
    if (o)
        o->ctx = vgn_op_handle(&o->op, ctx, VGN_CONTEXT);
    return o;
}

static void balance_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    vg_balance b;
    if ((op->rc = vg_credits_balance(&b, o->ctx, o->user_id)) == VG_OK)
        op->result = vgn_balance_val(&b);
}

/* credits_balance(ctx, userId) */
static napi_value credits_balance(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    wallet_op *o = wallet_op_new(env, balance_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void grant_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    vg_balance b;
    op->rc = vg_credits_grant(&b, o->ctx, o->user_id, o->kind, o->amount, o->expires_at,
                              o->reference, o->key);
    if (op->rc == VG_OK)
        op->result = vgn_balance_val(&b);
}

/* credits_grant(ctx, userId, kind, amount, expiresAt, reference, key) */
static napi_value credits_grant(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 7, argv);
    wallet_op *o = wallet_op_new(env, grant_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->kind = op_credit_kind(&o->op, argv[2]);
    o->amount = vgn_op_int(&o->op, argv[3], "amount", 0);
    o->expires_at = vgn_op_time(&o->op, argv[4], "expiresAt", 1);
    o->reference = vgn_op_string(&o->op, argv[5], "reference", 1);
    o->key = vgn_op_string(&o->op, argv[6], "key", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void hold_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    vg_hold h;
    op->rc = vg_credits_hold(&h, o->ctx, o->user_id, o->service, o->reference, o->key);
    if (op->rc == VG_OK)
        op->result = hold_val(&h);
}

/* credits_hold(ctx, userId, service, reference, key) */
static napi_value credits_hold(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    wallet_op *o = wallet_op_new(env, hold_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->service = vgn_op_string(&o->op, argv[2], "service", 0);
    o->reference = vgn_op_string(&o->op, argv[3], "reference", 1);
    o->key = vgn_op_string(&o->op, argv[4], "key", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* Capture, release and refund share their signature: (out, ctx, hold_id, key). */
typedef int (*settle_fn)(vg_hold *out, vg_ctx *ctx, int64_t hold_id, const char *key);

static void settle(vgn_op *op, settle_fn fn)
{
    wallet_op *o = (wallet_op *)op;
    vg_hold h;
    if ((op->rc = fn(&h, o->ctx, o->user_id, o->key)) == VG_OK)
        op->result = hold_val(&h);
}

static void capture_exec(vgn_op *op)
{
    settle(op, vg_credits_capture);
}
static void release_exec(vgn_op *op)
{
    settle(op, vg_credits_release);
}
static void refund_exec(vgn_op *op)
{
    settle(op, vg_credits_refund);
}

static napi_value settle_call(napi_env env, napi_callback_info info, vgn_exec_fn exec)
{
    VGN_ARGS(env, info, 3, argv);
    wallet_op *o = wallet_op_new(env, exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "holdId", 0);
    o->key = vgn_op_string(&o->op, argv[2], "key", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* credits_capture|release|refund(ctx, holdId, key) */
static napi_value credits_capture(napi_env env, napi_callback_info info)
{
    return settle_call(env, info, capture_exec);
}

static napi_value credits_release(napi_env env, napi_callback_info info)
{
    return settle_call(env, info, release_exec);
}

static napi_value credits_refund(napi_env env, napi_callback_info info)
{
    return settle_call(env, info, refund_exec);
}

static void hold_get_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    vg_hold h;
    if ((op->rc = vg_credits_hold_get(&h, o->ctx, o->user_id)) == VG_OK)
        op->result = hold_val(&h);
}

/* credits_hold_get(ctx, holdId) */
static napi_value credits_hold_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    wallet_op *o = wallet_op_new(env, hold_get_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "holdId", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void change_plan_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    vg_balance b;
    if ((op->rc = vg_credits_change_plan(&b, o->ctx, o->user_id, o->service, o->key)) == VG_OK)
        op->result = vgn_balance_val(&b);
}

/* credits_change_plan(ctx, userId, plan, key) */
static napi_value credits_change_plan(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    wallet_op *o = wallet_op_new(env, change_plan_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->service = vgn_op_string(&o->op, argv[2], "plan", 0);
    o->key = vgn_op_string(&o->op, argv[3], "key", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void history_exec(vgn_op *op)
{
    wallet_op *o = (wallet_op *)op;
    op->result = vgn_array();
    op->rc = vg_credits_history(o->ctx, o->user_id, o->before_seq, (int)o->limit, ledger_row,
                                op->result);
}

/* credits_history(ctx, userId, beforeSeq, limit) -> one page, newest first */
static napi_value credits_history(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    wallet_op *o = wallet_op_new(env, history_exec, argv[0]);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->before_seq = vgn_op_int(&o->op, argv[2], "beforeSeq", 1);
    o->limit = vgn_op_int_in(&o->op, argv[3], "limit", 0, 1, 1000);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void maintenance_exec(vgn_op *op)
{
    vg_maintenance_report r;
    if ((op->rc = vg_credits_maintenance(&r, ((wallet_op *)op)->ctx)) == VG_OK)
        op->result = report_val(&r);
}

/* credits_maintenance(ctx) */
static napi_value credits_maintenance(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    wallet_op *o = wallet_op_new(env, maintenance_exec, argv[0]);
    if (!o)
        return NULL;
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static const vgn_function functions[] = {
    {"ledger_type_name", ledger_type_name}, {"credits_next_reset", credits_next_reset},
    {"credits_balance", credits_balance},   {"credits_grant", credits_grant},
    {"credits_hold", credits_hold},         {"credits_capture", credits_capture},
    {"credits_release", credits_release},   {"credits_refund", credits_refund},
    {"credits_hold_get", credits_hold_get}, {"credits_change_plan", credits_change_plan},
    {"credits_history", credits_history},   {"credits_maintenance", credits_maintenance},
};

int vgn_register_credits(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, COUNT(functions));
}
