/* SPDX-License-Identifier: MIT */
/* What the files of the payments module share: settings, prices, reading and writing
 * orders, paying and fulfilling them, and the subscription a paid order starts. */
#ifndef VG_PAYMENTS_INTERNAL_H
#define VG_PAYMENTS_INTERNAL_H

#include "../core/internal.h"
#include "../store/store.h"
#include "payments_wire.h"

/* Settings (settings.c): checked before the context is made, copied in once its store is
 * open, wiped at close. */
int vg__payments_settings_check(const vg_config *config);
int vg__payments_settings_open(vg_ctx *ctx, const vg_config *config);
void vg__payments_settings_free(vg_ctx *ctx);

/* What an order costs (prices.c): the amount in minor units of currency, the discount
 * applied and a package's credits. TWD prices come from the catalog; other currencies
 * from the price table of prices.c. Returns VG_OK, VG_EPLAN_UNKNOWN, VG_ESERVICE_UNKNOWN,
 * VG_ECURRENCY, or a store error. */
int vg__order_price(int64_t *amount_minor, int *discount_pct, int64_t *credits, vg_ctx *ctx,
                    vg_order_kind kind, const char *item, const char *currency,
                    const char *user_plan);

/* The public view of a stored order. */
void vg__order_public(vg_order *out, const vg_store_order *order);

/* Reads an order by number (or id when number is NULL). */
int vg__order_load(vg_ctx *ctx, vg_store_order *out, int64_t id, const char *number);

/*
 * Records that an order was paid (provider_ref, the amount and currency the provider says;
 * checked against the order), then fulfils it: credits granted or the subscription started
 * or renewed, each exactly once whatever the number of calls. Fills *out. Returns VG_OK
 * (paid now, or paid before), VG_EAMOUNT_MISMATCH, VG_EORDER_STATE (expired, failed or
 * refunded), VG_ENOTFOUND, or a store error.
 */
int vg__order_pay(vg_store_order *out, vg_ctx *ctx, const char *number, const char *provider,
                  const char *provider_ref, int64_t amount_minor, const char *currency);

/* Marks an unpaid order failed (a verified callback said the payment did not go through). */
int vg__order_fail(vg_store_order *out, vg_ctx *ctx, const char *number, const char *why);

/* Moves an order from CREATED to PENDING (sent to the provider); PENDING stays. */
int vg__order_mark_pending(vg_store_order *out, vg_ctx *ctx, int64_t id);

/* Subscriptions (subscriptions.c). Inside an order's write transaction: starts or renews
 * the order's user's subscription to the order's plan for one month (a renewal of the
 * same plan, or of a scheduled downgrade, continues from the period's end; anything else
 * starts now). */
int vg__subscription_extend(vg__txn *txn, const vg_store_order *order, vg_time now);

/* Ends a user's subscription now (a refund): EXPIRED, back to the demo plan. */
int vg__subscription_end(vg_ctx *ctx, int64_t user_id);

/* Makes the user's plan the one their subscription says (demo once it expired), if it
 * differs; idempotent. */
int vg__subscription_sync_plan(vg_ctx *ctx, int64_t user_id);

/* The time one calendar month after t (the same day, or the month's last). */
vg_time vg__add_month(vg_time t);

#endif
