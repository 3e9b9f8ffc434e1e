/* SPDX-License-Identifier: MIT */
/* The administrators' figures: users per plan, subscriptions, revenue, credits, API cost and
 * cache savings, read in one transaction so that they agree with each other. */
#include <stdio.h>
#include <string.h>

#include "../store/store.h"

/* The subscription states that count as active: the plan applies in each of them (a
 * canceled one until its period ends). */
static const int active_states[] = {VG_SUBSCRIPTION_ACTIVE, VG_SUBSCRIPTION_PAST_DUE,
                                    VG_SUBSCRIPTION_CANCELED};

/* The cache's store counters (lib/cache/lookup.c): served hits and what they saved. Shadow
 * hits were not served, so they save nothing. */
static const char *const hit_counters[] = {"cache.exact_hits", "cache.semantic_hits"};
#define SAVED_COUNTER "cache.saved_micro_usd"

/*
 * Each table holds at most VG_STATS_ROWS rows, the first keys in the store's order (by
 * name); a callback returns 1 to stop the query once its table is full, and the rows past
 * it are not shown — nor counted: an administrator with more plans, currencies or services
 * than that reads them from the store.
 */

static int plan_row(const char *key, int64_t a, int64_t b, void *payload)
{
    vg_admin_stats *s = payload;
    (void)b;
    if (s->plan_count >= VG_STATS_ROWS)
        return 1;
    snprintf(s->plans[s->plan_count].plan, sizeof s->plans[0].plan, "%s", key);
    s->plans[s->plan_count].users = a;
    s->plan_count++;
    return 0;
}

static int revenue_row(const char *key, int64_t a, int64_t b, void *payload)
{
    vg_admin_stats *s = payload;
    if (s->currency_count >= VG_STATS_ROWS)
        return 1;
    snprintf(s->revenue[s->currency_count].currency, sizeof s->revenue[0].currency, "%s", key);
    s->revenue[s->currency_count].amount_minor = a;
    s->revenue[s->currency_count].orders = b;
    s->currency_count++;
    return 0;
}

/* Debits by service: a is the credits (the negated sum of the rows' amounts), b the rows. */
static int debit_row(const char *key, int64_t a, int64_t b, void *payload)
{
    vg_admin_stats *s = payload;
    if (s->service_count >= VG_STATS_ROWS)
        return 1;
    snprintf(s->spent[s->service_count].service, sizeof s->spent[0].service, "%s", key);
    s->spent[s->service_count].credits = a;
    s->spent[s->service_count].uses = b;
    s->service_count++;
    return 0;
}

/* Refunds by service: a is the negated credits given back, so adding it takes them off; a
 * refunded capture is no longer a use. A service with refunds but no debit row shown (past
 * the table's end) is left out. */
static int refund_row(const char *key, int64_t a, int64_t b, void *payload)
{
    vg_admin_stats *s = payload;
    size_t i;
    for (i = 0; i < s->service_count; i++)
        if (strcmp(s->spent[i].service, key) == 0) {
            s->spent[i].credits += a;
            s->spent[i].uses -= b;
            break;
        }
    return 0;
}

/* A total: adds a to the int64_t the payload points to. */
static int add_total(const char *key, int64_t a, int64_t b, void *payload)
{
    (void)key;
    (void)b;
    *(int64_t *)payload += a;
    return 0;
}

static int stats_body(vg__txn *txn, void *payload)
{
    vg_admin_stats *s = payload;
    int64_t hits;
    size_t i;
    int rc;

    /* the body may run again after a conflict: start from nothing each time */
    memset(s, 0, sizeof *s);
    s->version = VG_ADMIN_STATS_VERSION;
    if ((rc = vg__stats_query(txn, VG_STORE_STAT_USERS_PER_PLAN, 0, plan_row, s)) != VG_OK)
        return rc;
    for (i = 0; i < sizeof active_states / sizeof active_states[0]; i++)
        if ((rc = vg__stats_query(txn, VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS, active_states[i],
                                  add_total, &s->active_subscriptions)) != VG_OK)
            return rc;
    /* Revenue is what fulfilled orders brought in. A refunded order leaves FULFILLED for
     * REFUNDED, so refunds are deducted by not being counted at all. */
    if ((rc = vg__stats_query(txn, VG_STORE_STAT_REVENUE, VG_ORDER_FULFILLED, revenue_row, s)) !=
        VG_OK)
        return rc;
    /* Credits granted: every GRANT row, purchased and bonus (the weekly subscription
     * credits are not grants). */
    if ((rc = vg__stats_query(txn, VG_STORE_STAT_LEDGER_TOTAL, VG_LEDGER_GRANT, add_total,
                              &s->credits_granted)) != VG_OK)
        return rc;
    /* Credits spent per service as they stand: captured holds minus refunded ones. */
    if ((rc = vg__stats_query(txn, VG_STORE_STAT_LEDGER_BY_SERVICE, VG_LEDGER_DEBIT, debit_row,
                              s)) != VG_OK ||
        (rc = vg__stats_query(txn, VG_STORE_STAT_LEDGER_BY_SERVICE, VG_LEDGER_REFUND, refund_row,
                              s)) != VG_OK)
        return rc;
    /* What the providers charged for the jobs that delivered. */
    if ((rc = vg__stats_query(txn, VG_STORE_STAT_JOB_COST, VG_JOB_SUCCEEDED, add_total,
                              &s->api_cost_micro_usd)) != VG_OK)
        return rc;
    for (i = 0; i < sizeof hit_counters / sizeof hit_counters[0]; i++) {
        if ((rc = vg__counter_get(txn, &hits, hit_counters[i])) != VG_OK)
            return rc;
        s->cache_hits += hits;
    }
    return vg__counter_get(txn, &s->cache_saved_micro_usd, SAVED_COUNTER);
}

int vg_admin_stats_get(vg_admin_stats *out, vg_ctx *ctx)
{
    vg_admin_stats s;
    int rc;

    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_admin_stats_get: NULL argument");
    if (out->version != VG_ADMIN_STATS_VERSION)
        return vg__fail(ctx, VG_EVERSION, "admin stats version %u is not %u", out->version,
                        VG_ADMIN_STATS_VERSION);
    if ((rc = vg__txn_run(ctx, VG_TXN_READ, stats_body, &s)) == VG_OK)
        *out = s;
    return rc;
}
