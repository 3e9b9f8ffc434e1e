/* SPDX-License-Identifier: MIT */
/* What an order costs: New Taiwan dollars from the editable catalog (plans and packages),
 * other currencies from the table below (Paddle's prices), with the plan's top-up discount
 * on packages. */
#include <string.h>

#include "payments_internal.h"

/* Monthly plans and packages in the currencies Paddle sells in, in minor units (cents).
 * A package or plan missing here cannot be sold in that currency (VG_ECURRENCY). */
static const struct {
    vg_order_kind kind;
    const char *item;
    const char *currency;
    int64_t amount_minor;
} price_table[] = {
    {VG_ORDER_SUBSCRIPTION, "starter", "USD", 999},
    {VG_ORDER_SUBSCRIPTION, "pro", "USD", 1999},
    {VG_ORDER_SUBSCRIPTION, "pro_plus", "USD", 3299},
    {VG_ORDER_SUBSCRIPTION, "starter", "EUR", 899},
    {VG_ORDER_SUBSCRIPTION, "pro", "EUR", 1799},
    {VG_ORDER_SUBSCRIPTION, "pro_plus", "EUR", 2999},
    {VG_ORDER_PACKAGE, "credits_20", "USD", 349},
    {VG_ORDER_PACKAGE, "credits_50", "USD", 799},
    {VG_ORDER_PACKAGE, "credits_120", "USD", 1699},
    {VG_ORDER_PACKAGE, "credits_300", "USD", 3699},
    {VG_ORDER_PACKAGE, "credits_20", "EUR", 319},
    {VG_ORDER_PACKAGE, "credits_50", "EUR", 729},
    {VG_ORDER_PACKAGE, "credits_120", "EUR", 1549},
    {VG_ORDER_PACKAGE, "credits_300", "EUR", 3379},
};

/* A package as offered to a plan, found by vg_packages_list. */
typedef struct offer_args {
    const char *name;
    int found;
    int64_t credits, price_twd;
    int discount_pct;
} offer_args;

static int find_offer(const vg_package_offer *offer, void *payload)
{
    offer_args *a = payload;
    if (strcmp(offer->package->name, a->name) != 0)
        return 0;
    a->found = 1;
    a->credits = offer->package->credits;
    a->price_twd = offer->price_twd;
    a->discount_pct = offer->discount_pct;
    return 1;
}

static int table_price(int64_t *out, vg_order_kind kind, const char *item, const char *currency)
{
    size_t i;
    for (i = 0; i < sizeof price_table / sizeof price_table[0]; i++)
        if (price_table[i].kind == kind && strcmp(price_table[i].item, item) == 0 &&
            strcmp(price_table[i].currency, currency) == 0) {
            *out = price_table[i].amount_minor;
            return 1;
        }
    return 0;
}

int vg__order_price(int64_t *amount_minor, int *discount_pct, int64_t *credits, vg_ctx *ctx,
                    vg_order_kind kind, const char *item, const char *currency,
                    const char *user_plan)
{
    offer_args offer = {item, 0, 0, 0, 0};
    vg_plan plan;
    int rc;

    *discount_pct = 0;
    *credits = 0;
    if (kind == VG_ORDER_SUBSCRIPTION) {
        vg_plan_init(&plan, VG_PLAN_VERSION);
        if ((rc = vg_plan_get(&plan, ctx, item)) != VG_OK)
            return rc;
        if (!plan.paid || !plan.active)
            return vg__fail(ctx, VG_EPLAN_UNKNOWN, "%s is not a plan one can subscribe to",
                            item);
        if (strcmp(currency, "TWD") == 0) {
            *amount_minor = plan.price_twd;
            return VG_OK;
        }
    } else {
        if ((rc = vg_packages_list(ctx, user_plan, find_offer, &offer)) != VG_OK)
            return rc;
        if (!offer.found)
            return vg__fail(ctx, VG_ESERVICE_UNKNOWN, "there is no package %.32s on offer", item);
        *credits = offer.credits;
        *discount_pct = offer.discount_pct;
        if (strcmp(currency, "TWD") == 0) {
            *amount_minor = offer.price_twd;
            return VG_OK;
        }
    }
    if (!table_price(amount_minor, kind, item, currency))
        return vg__fail(ctx, VG_ECURRENCY, "%.32s has no price in %.3s", item, currency);
    /* the plan's top-up discount, rounded half up as for TWD */
    *amount_minor = (*amount_minor * (100 - *discount_pct) + 50) / 100;
    return VG_OK;
}
