/* SPDX-License-Identifier: MIT */
/* An order's life after it is made: sent to the provider, paid (checked against what it
 * costs), fulfilled exactly once, failed, or refunded. Each change is one write
 * transaction on the locked order; fulfilment's wallet calls are idempotent by the order's
 * number, so a crash between them and the order's last write is repaired by the next
 * callback. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "payments_internal.h"

/* The change a transaction applies to a locked order. */
typedef struct change {
    vg_store_order *order;
    const char *number;
    int64_t id;
    int (*apply)(struct change *c, vg_ctx *ctx);
    /* the payment, for apply_paid */
    const char *provider, *provider_ref, *currency, *why;
    int64_t amount_minor;
    vg_time now;
    int already; /* set by apply: nothing to change */
    vg__txn *txn;
} change;

static int change_body(vg__txn *txn, void *payload)
{
    change *c = payload;
    c->txn = txn;
    int rc = c->number ? vg__order_find(txn, c->order, c->number, 1)
                       : vg__order_get(txn, c->order, c->id, 1);
    c->already = 0;
    if (rc != VG_OK)
        return rc;
    if ((rc = c->apply(c, txn->ctx)) != VG_OK || c->already)
        return rc;
    c->order->updated_at = c->now;
    if ((rc = vg__order_update(txn, c->order)) == VG_OK)
        c->order->version++;
    return rc;
}

static int run_change(vg_ctx *ctx, change *c)
{
    c->now = vg_ctx_now(ctx);
    return vg__txn_run(ctx, VG_TXN_WRITE, change_body, c);
}

/* ---- paid, then fulfilled ------------------------------------------------------------------- */

static int apply_paid(change *c, vg_ctx *ctx)
{
    vg_store_order *o = c->order;

    if (o->state == VG_ORDER_PAID || o->state == VG_ORDER_FULFILLED) {
        c->already = 1; /* a repeated callback */
        return VG_OK;
    }
    if (o->state == VG_ORDER_REFUNDED)
        return vg__fail(ctx, VG_EORDER_STATE, "order %s was refunded", o->number);
    if (strcmp(o->provider, c->provider) != 0)
        return vg__fail(ctx, VG_EORDER_STATE, "order %s is paid through %s, not %s",
                        o->number, o->provider, c->provider);
    if (c->amount_minor != o->amount_minor || strcmp(c->currency, o->currency) != 0)
        return vg__fail(ctx, VG_EAMOUNT_MISMATCH, "order %s costs %" PRId64 " %s, the "
                        "payment says %" PRId64 " %.3s", o->number, o->amount_minor,
                        o->currency, c->amount_minor, c->currency);
    /* A payment is accepted even after the order expired or a first attempt failed: the
     * money arrived, and the user gets what they paid for. */
    o->state = VG_ORDER_PAID;
    o->paid_at = c->now;
    snprintf(o->provider_ref, sizeof o->provider_ref, "%s", c->provider_ref);
    o->failure[0] = '\0';
    return VG_OK;
}

/* Fulfilment, in the transaction that marks the order FULFILLED: a subscription's month is
 * written there too, so that two callbacks can never both extend it. */
static int apply_fulfilled(change *c, vg_ctx *ctx)
{
    (void)ctx;
    if (c->order->state != VG_ORDER_PAID) {
        c->already = 1;
        return VG_OK;
    }
    c->order->state = VG_ORDER_FULFILLED;
    c->order->fulfilled_at = c->now;
    return c->order->kind == VG_ORDER_SUBSCRIPTION
               ? vg__subscription_extend(c->txn, c->order, c->now)
               : VG_OK;
}

int vg__order_pay(vg_store_order *out, vg_ctx *ctx, const char *number, const char *provider,
                  const char *provider_ref, int64_t amount_minor, const char *currency)
{
    char key[64], reference[48];
    change c;
    int rc;

    memset(&c, 0, sizeof c);
    c.order = out;
    c.number = number;
    c.apply = apply_paid;
    c.provider = provider;
    c.provider_ref = provider_ref ? provider_ref : "";
    c.currency = currency;
    c.amount_minor = amount_minor;
    if ((rc = run_change(ctx, &c)) != VG_OK)
        return rc;
    if (out->state == VG_ORDER_FULFILLED)
        return VG_OK;
    if (!c.already)
        vg__log(ctx, VG_LOG_INFO, "order %s: paid (%s %s)", out->number, provider,
                out->provider_ref);
    snprintf(key, sizeof key, "order:%s:fulfil", out->number);
    if (out->kind == VG_ORDER_PACKAGE) {
        /* idempotent by the order: a crash before FULFILLED is repaired by the next call */
        snprintf(reference, sizeof reference, "order:%s", out->number);
        if ((rc = vg_credits_grant(NULL, ctx, out->user_id, VG_CREDIT_PURCHASED, out->credits,
                                   0, reference, key)) != VG_OK)
            return rc;
    }
    c.apply = apply_fulfilled;
    if ((rc = run_change(ctx, &c)) != VG_OK)
        return rc;
    if (!c.already)
        vg__log(ctx, VG_LOG_INFO, "order %s: fulfilled", out->number);
    /* the user's plan follows the subscription (again, idempotently, if this repeats) */
    return out->kind == VG_ORDER_SUBSCRIPTION ? vg__subscription_sync_plan(ctx, out->user_id)
                                              : VG_OK;
}

/* ---- failed, pending, refunded --------------------------------------------------------------- */

static int apply_failed(change *c, vg_ctx *ctx)
{
    (void)ctx;
    if (c->order->state != VG_ORDER_CREATED && c->order->state != VG_ORDER_PENDING) {
        c->already = 1; /* a paid order is never failed by a late word */
        return VG_OK;
    }
    c->order->state = VG_ORDER_FAILED;
    snprintf(c->order->failure, sizeof c->order->failure, "%s", c->why);
    return VG_OK;
}

int vg__order_fail(vg_store_order *out, vg_ctx *ctx, const char *number, const char *why)
{
    change c;
    memset(&c, 0, sizeof c);
    c.order = out;
    c.number = number;
    c.apply = apply_failed;
    c.why = why;
    return run_change(ctx, &c);
}

static int apply_pending(change *c, vg_ctx *ctx)
{
    if (c->order->state == VG_ORDER_PENDING) {
        c->already = 1;
        return VG_OK;
    }
    if (c->order->state != VG_ORDER_CREATED)
        return vg__fail(ctx, VG_EORDER_STATE, "order %s is %s", c->order->number,
                        vg_order_state_name(c->order->state));
    if (c->order->expires_at && c->order->expires_at <= c->now)
        return vg__fail(ctx, VG_EORDER_STATE, "order %s expired", c->order->number);
    c->order->state = VG_ORDER_PENDING;
    return VG_OK;
}

int vg__order_mark_pending(vg_store_order *out, vg_ctx *ctx, int64_t id)
{
    change c;
    memset(&c, 0, sizeof c);
    c.order = out;
    c.id = id;
    c.apply = apply_pending;
    return run_change(ctx, &c);
}

static int apply_refunded(change *c, vg_ctx *ctx)
{
    vg_store_order *o = c->order;
    if (o->state != VG_ORDER_PAID && o->state != VG_ORDER_FULFILLED)
        return vg__fail(ctx, VG_EORDER_STATE, "order %s is %s, not paid", o->number,
                        vg_order_state_name(o->state));
    if (o->kind == VG_ORDER_PACKAGE)
        /* the wallet has no operation that takes purchased credits back */
        return vg__fail(ctx, VG_EUNSUPPORTED, "a package's credits cannot be taken back: "
                                              "refund it through support");
    o->state = VG_ORDER_REFUNDED;
    snprintf(o->failure, sizeof o->failure, "refunded: %.100s", c->why);
    return VG_OK;
}

int vg_order_refund(vg_order *out, vg_ctx *ctx, int64_t order_id, const char *reason)
{
    vg_store_order o;
    change c;
    int rc;

    if (!ctx || order_id <= 0 || !reason || !vg__utf8_valid(reason))
        return vg__fail(ctx, VG_EINVAL, "vg_order_refund: ctx, order id or reason missing");
    memset(&c, 0, sizeof c);
    c.order = &o;
    c.id = order_id;
    c.apply = apply_refunded;
    c.why = reason;
    if ((rc = run_change(ctx, &c)) != VG_OK)
        return rc;
    vg__log(ctx, VG_LOG_INFO, "order %s: refunded", o.number);
    /* a refunded month ends now: back to the demo plan */
    rc = vg__subscription_end(ctx, o.user_id);
    if (out)
        vg__order_public(out, &o);
    return rc;
}
