/* SPDX-License-Identifier: MIT */
/* Subscriptions: a month of a plan bought by an order, renewed by the next one, downgraded
 * or cancelled at the period's end, expired back to demo. The subscription record is the
 * truth; the user's plan follows it (at once, and again lazily if a step was cut short). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "payments_internal.h"

#define SUB_BATCH 100

vg_time vg__add_month(vg_time t)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    time_t secs = (time_t)(t / 1000000);
    vg_time micros = t % 1000000;
    struct tm tm;
    int last;

    gmtime_r(&secs, &tm);
    tm.tm_mon += 1;
    if (tm.tm_mon == 12) {
        tm.tm_mon = 0;
        tm.tm_year += 1;
    }
    last = days[tm.tm_mon];
    if (tm.tm_mon == 1 && ((tm.tm_year % 4 == 0 && tm.tm_year % 100 != 0) ||
                           (tm.tm_year + 1900) % 400 == 0))
        last = 29;
    if (tm.tm_mday > last)
        tm.tm_mday = last; /* Jan 31 + 1 month = Feb 28 (or 29) */
    return (vg_time)timegm(&tm) * 1000000 + micros;
}

static int active(int state)
{
    return state == VG_SUBSCRIPTION_ACTIVE || state == VG_SUBSCRIPTION_PAST_DUE ||
           state == VG_SUBSCRIPTION_CANCELED;
}

int vg__subscription_extend(vg__txn *txn, const vg_store_order *order, vg_time now)
{
    vg_store_subscription sub;
    int rc = vg__subscription_get(txn, &sub, order->user_id, 1), renew;

    if (rc == VG_ENOTFOUND) {
        memset(&sub, 0, sizeof sub);
        sub.user_id = order->user_id;
    } else if (rc != VG_OK) {
        return rc;
    }
    renew = active(sub.state) && sub.period_end > now &&
            (strcmp(sub.plan, order->item) == 0 || strcmp(sub.next_plan, order->item) == 0);
    if (renew && strcmp(sub.plan, order->item) != 0) {
        /* the paid renewal of a scheduled downgrade: the current plan runs to the period's
         * end, and apply_due starts the lower plan then (it finds this order) */
        if (sub.state == VG_SUBSCRIPTION_CANCELED)
            sub.state = VG_SUBSCRIPTION_ACTIVE;
        sub.updated_at = now;
        return vg__subscription_put(txn, &sub);
    }
    if (renew) {
        sub.period_start = sub.period_end;
    } else {
        if (!active(sub.state))
            sub.started_at = now;
        sub.period_start = now; /* a new plan (an upgrade, or after expiry) starts now */
    }
    sub.period_end = vg__add_month(sub.period_start);
    snprintf(sub.plan, sizeof sub.plan, "%s", order->item);
    sub.next_plan[0] = '\0';
    sub.state = VG_SUBSCRIPTION_ACTIVE;
    snprintf(sub.provider, sizeof sub.provider, "%s", order->provider);
    if (strcmp(order->provider, "paddle") != 0)
        sub.provider_ref[0] = '\0';
    sub.updated_at = now;
    return vg__subscription_put(txn, &sub);
}

/* ---- reading, and the plan that follows -------------------------------------------------- */

typedef struct sub_args {
    vg_store_subscription *sub;
    int64_t user_id;
    int (*apply)(struct sub_args *a, vg__txn *txn);
    vg_time now;
    const char *plan;
    int changed;
} sub_args;

static int sub_body(vg__txn *txn, void *payload)
{
    sub_args *a = payload;
    int rc = vg__subscription_get(txn, a->sub, a->user_id, a->apply != NULL);

    a->changed = 0;
    if (rc == VG_ENOTFOUND) {
        memset(a->sub, 0, sizeof *a->sub);
        a->sub->user_id = a->user_id;
        snprintf(a->sub->plan, sizeof a->sub->plan, "demo");
        a->sub->state = VG_SUBSCRIPTION_NONE;
        rc = VG_OK;
    }
    if (rc != VG_OK || !a->apply)
        return rc;
    if ((rc = a->apply(a, txn)) != VG_OK || !a->changed)
        return rc;
    a->sub->updated_at = a->now;
    return vg__subscription_put(txn, a->sub);
}

static int run_sub(vg_ctx *ctx, sub_args *a, vg_txn_mode mode)
{
    a->now = vg_ctx_now(ctx);
    return vg__txn_run(ctx, mode, sub_body, a);
}

/* Finds a fulfilled order of the user for `plan` paid during the current period. */
typedef struct renewal_args {
    const vg_store_subscription *sub;
    int found;
} renewal_args;

static int renewal_one(const vg_store_order *o, void *payload)
{
    renewal_args *a = payload;
    if (o->kind == VG_ORDER_SUBSCRIPTION && o->state == VG_ORDER_FULFILLED &&
        strcmp(o->item, a->sub->next_plan) == 0 && o->fulfilled_at >= a->sub->period_start)
        a->found = 1;
    return a->found;
}

/* The period's end: a scheduled downgrade whose renewal was paid starts now; otherwise a
 * cancelled or unrenewed subscription expires. */
static int apply_due(sub_args *a, vg__txn *txn)
{
    vg_store_subscription *s = a->sub;
    vg_store_order_filter filter;
    renewal_args r = {s, 0};
    int rc;

    if (!active(s->state) || s->period_end > a->now)
        return VG_OK;
    if (s->next_plan[0]) {
        memset(&filter, 0, sizeof filter);
        filter.user_id = s->user_id;
        filter.max_state = -1;
        filter.limit = 50;
        if ((rc = vg__orders_list(txn, &filter, renewal_one, &r)) != VG_OK)
            return rc;
    }
    if (r.found) {
        snprintf(s->plan, sizeof s->plan, "%s", s->next_plan);
        s->period_start = s->period_end;
        s->period_end = vg__add_month(s->period_start);
        s->state = VG_SUBSCRIPTION_ACTIVE;
    } else {
        s->state = VG_SUBSCRIPTION_EXPIRED;
    }
    s->next_plan[0] = '\0';
    a->changed = 1;
    return VG_OK;
}

int vg__subscription_sync_plan(vg_ctx *ctx, int64_t user_id)
{
    vg_store_subscription sub;
    sub_args a = {&sub, user_id, NULL, 0, NULL, 0};
    const char *target;
    char key[96];
    vg_user user;
    int rc;

    if ((rc = run_sub(ctx, &a, VG_TXN_READ)) != VG_OK || sub.state == VG_SUBSCRIPTION_NONE)
        return rc;
    vg_user_init(&user, VG_USER_VERSION);
    if ((rc = vg_user_get(&user, ctx, user_id)) != VG_OK)
        return rc;
    target = active(sub.state) ? sub.plan : "demo";
    if (strcmp(user.plan, target) == 0)
        return VG_OK;
    snprintf(key, sizeof key, "subscription:%" PRId64 ":%s:%" PRId64, user_id, target,
             (int64_t)(active(sub.state) ? sub.period_start : sub.period_end));
    vg__log(ctx, VG_LOG_INFO, "user %" PRId64 ": plan %s -> %s (subscription %s)", user_id,
            user.plan, target, active(sub.state) ? "active" : "ended");
    return vg_credits_change_plan(NULL, ctx, user_id, target, key);
}

int vg_subscription_get(vg_subscription *out, vg_ctx *ctx, int64_t user_id)
{
    vg_store_subscription sub;
    sub_args a = {&sub, user_id, apply_due, 0, NULL, 0};
    vg_user user;
    int rc;

    if (!out || !ctx || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_subscription_get: out, ctx or user missing");
    vg_user_init(&user, VG_USER_VERSION);
    if ((rc = vg_user_get(&user, ctx, user_id)) != VG_OK)
        return rc;
    if ((rc = run_sub(ctx, &a, VG_TXN_WRITE)) != VG_OK ||
        (rc = vg__subscription_sync_plan(ctx, user_id)) != VG_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->version = VG_SUBSCRIPTION_VERSION;
    out->user_id = user_id;
    memcpy(out->plan, sub.plan, sizeof out->plan);
    out->state = (vg_subscription_state)sub.state;
    memcpy(out->provider, sub.provider, sizeof out->provider);
    memcpy(out->provider_ref, sub.provider_ref, sizeof out->provider_ref);
    memcpy(out->next_plan, sub.next_plan, sizeof out->next_plan);
    out->started_at = sub.started_at;
    out->period_start = sub.period_start;
    out->period_end = sub.period_end;
    return VG_OK;
}

/* ---- changes ------------------------------------------------------------------------------ */

static int apply_end(sub_args *a, vg__txn *txn)
{
    (void)txn;
    if (a->sub->state == VG_SUBSCRIPTION_NONE || a->sub->state == VG_SUBSCRIPTION_EXPIRED)
        return VG_OK;
    a->sub->state = VG_SUBSCRIPTION_EXPIRED;
    a->sub->period_end = a->now;
    a->sub->next_plan[0] = '\0';
    a->changed = 1;
    return VG_OK;
}

int vg__subscription_end(vg_ctx *ctx, int64_t user_id)
{
    vg_store_subscription sub;
    sub_args a = {&sub, user_id, apply_end, 0, NULL, 0};
    int rc = run_sub(ctx, &a, VG_TXN_WRITE);
    return rc == VG_OK ? vg__subscription_sync_plan(ctx, user_id) : rc;
}

static int apply_cancel(sub_args *a, vg__txn *txn)
{
    if (a->sub->state != VG_SUBSCRIPTION_ACTIVE && a->sub->state != VG_SUBSCRIPTION_PAST_DUE)
        return vg__fail(txn->ctx, VG_ESTATE, "there is no active subscription to cancel");
    a->sub->state = VG_SUBSCRIPTION_CANCELED;
    a->changed = 1;
    return VG_OK;
}

int vg_subscription_cancel(vg_subscription *out, vg_ctx *ctx, int64_t user_id)
{
    vg_store_subscription sub;
    sub_args a = {&sub, user_id, apply_cancel, 0, NULL, 0};
    int rc;

    if (!ctx || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_subscription_cancel: ctx or user missing");
    if ((rc = run_sub(ctx, &a, VG_TXN_WRITE)) != VG_OK)
        return rc;
    vg__log(ctx, VG_LOG_INFO, "user %" PRId64 ": subscription cancelled at the period's end",
            user_id);
    return out ? vg_subscription_get(out, ctx, user_id) : VG_OK;
}

/* A downgrade waits for the period's end (the renewal's order buys the lower plan). An
 * upgrade is bought: an order for the higher plan, which starts it now when paid. */
static int apply_change(sub_args *a, vg__txn *txn)
{
    vg_plan from, to;
    int rc;

    if (a->sub->state != VG_SUBSCRIPTION_ACTIVE && a->sub->state != VG_SUBSCRIPTION_PAST_DUE)
        return vg__fail(txn->ctx, VG_ESTATE, "there is no active subscription to change");
    vg_plan_init(&from, VG_PLAN_VERSION);
    vg_plan_init(&to, VG_PLAN_VERSION);
    if ((rc = vg__plan_get(txn, &from, a->sub->plan)) != VG_OK ||
        (rc = vg__plan_get(txn, &to, a->plan)) != VG_OK)
        return rc == VG_ENOTFOUND ? vg__fail(txn->ctx, VG_EPLAN_UNKNOWN, "no plan %.32s", a->plan)
                                  : rc;
    if (!to.paid || !to.active)
        return vg__fail(txn->ctx, VG_EPLAN_UNKNOWN, "%.32s cannot be subscribed to; cancel "
                                                    "instead", a->plan);
    if (to.rank >= from.rank)
        return vg__fail(txn->ctx, VG_EORDER_STATE, "an upgrade to %.32s is bought with an "
                                                   "order for it", a->plan);
    snprintf(a->sub->next_plan, sizeof a->sub->next_plan, "%s", a->plan);
    a->changed = 1;
    return VG_OK;
}

int vg_subscription_change(vg_subscription *out, vg_ctx *ctx, int64_t user_id,
                           const char *plan)
{
    vg_store_subscription sub;
    sub_args a = {&sub, user_id, apply_change, 0, plan, 0};
    int rc;

    if (!ctx || user_id <= 0 || !plan || strlen(plan) >= VG_NAME_SIZE)
        return vg__fail(ctx, VG_EINVAL, "vg_subscription_change: invalid arguments");
    if ((rc = run_sub(ctx, &a, VG_TXN_WRITE)) != VG_OK)
        return rc;
    vg__log(ctx, VG_LOG_INFO, "user %" PRId64 ": %s from the period's end", user_id, plan);
    return out ? vg_subscription_get(out, ctx, user_id) : VG_OK;
}

/* ---- the periods' ends, for everyone ----------------------------------------------------- */

static int collect_order(const vg_store_order *o, void *payload)
{
    struct {
        int64_t *ids;
        int n;
    } *list = payload;
    list->ids[list->n++] = o->id;
    return list->n == SUB_BATCH;
}

typedef struct due_args {
    int64_t users[SUB_BATCH];
    int count;
} due_args;

static int due_one(const vg_store_subscription *s, void *payload)
{
    due_args *a = payload;
    a->users[a->count++] = s->user_id;
    return a->count == SUB_BATCH;
}

typedef struct due_query {
    due_args *args;
    vg_time now;
} due_query;

static int due_body(vg__txn *txn, void *payload)
{
    due_query *q = payload;
    q->args->count = 0;
    return vg__subscriptions_due(txn, q->now, VG_SUBSCRIPTION_ACTIVE, VG_SUBSCRIPTION_CANCELED,
                                 SUB_BATCH, due_one, q->args);
}

/* Unpaid orders past their lifetime become EXPIRED (a late payment is still accepted). */
typedef struct expire_args {
    vg_time now;
    int expired, seen;
} expire_args;

static int expire_body(vg__txn *txn, void *payload)
{
    expire_args *a = payload;
    vg_store_order_filter filter;
    vg_store_order o;
    int64_t ids[SUB_BATCH];
    int i, rc;
    struct {
        int64_t *ids;
        int n;
    } list = {ids, 0};

    memset(&filter, 0, sizeof filter);
    filter.max_state = VG_ORDER_PENDING;
    filter.expires_before = a->now;
    filter.limit = SUB_BATCH;
    a->seen = 0;
    if ((rc = vg__orders_list(txn, &filter, collect_order, &list)) != VG_OK)
        return rc;
    a->seen = list.n;
    for (i = 0; i < list.n; i++) {
        if ((rc = vg__order_get(txn, &o, ids[i], 1)) != VG_OK)
            return rc;
        if (o.state > VG_ORDER_PENDING)
            continue;
        o.state = VG_ORDER_EXPIRED;
        o.updated_at = a->now;
        if ((rc = vg__order_update(txn, &o)) != VG_OK)
            return rc;
        a->expired++;
    }
    return VG_OK;
}

static int expire_orders(vg_ctx *ctx, int *changed)
{
    expire_args a;
    int rc;

    do {
        memset(&a, 0, sizeof a);
        a.now = vg_ctx_now(ctx);
        if ((rc = vg__txn_run(ctx, VG_TXN_WRITE, expire_body, &a)) != VG_OK)
            return rc;
        *changed += a.expired;
    } while (a.seen == SUB_BATCH);
    return VG_OK;
}

int vg_subscriptions_maintain(int *out_changed, vg_ctx *ctx)
{
    vg_subscription sub;
    due_args args;
    due_query q = {&args, 0};
    int changed = 0, i, rc;

    if (out_changed)
        *out_changed = 0;
    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_subscriptions_maintain: ctx is NULL");
    do {
        q.now = vg_ctx_now(ctx);
        if ((rc = vg__txn_run(ctx, VG_TXN_READ, due_body, &q)) != VG_OK)
            return rc;
        for (i = 0; i < args.count; i++) {
            if ((rc = vg_subscription_get(&sub, ctx, args.users[i])) != VG_OK)
                return rc;
            changed++;
        }
    } while (args.count == SUB_BATCH);
    if ((rc = expire_orders(ctx, &changed)) != VG_OK)
        return rc;
    if (out_changed)
        *out_changed = changed;
    return VG_OK;
}
