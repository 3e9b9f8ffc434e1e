/* SPDX-License-Identifier: MIT */
/* Loading a wallet, applying what is due in time order, the hash-chained ledger, saving. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "wallet.h"

#define NEVER INT64_MAX
#define MONDAY_1970 (INT64_C(4) * 86400 * 1000000) /* 1970-01-05, the first Monday */

vg_time vg__week_start(vg_time t)
{
    int64_t d = t - MONDAY_1970;
    int64_t weeks = d >= 0 ? d / VG__WEEK_US : -((-d + VG__WEEK_US - 1) / VG__WEEK_US);
    return MONDAY_1970 + weeks * VG__WEEK_US;
}

vg_time vg_credits_next_reset(vg_time t)
{
    return vg__week_start(t) + VG__WEEK_US;
}

void vg__wallet_rules_of(const vg_ctx *ctx, vg__wallet_rules *out)
{
    const int64_t s = 1000000, day = 86400 * s;
    out->hold_ttl = (ctx->hold_ttl_s > 0 ? ctx->hold_ttl_s : 7200) * s;
    out->bonus_ttl = (ctx->bonus_ttl_days > 0 ? ctx->bonus_ttl_days : 90) * day;
    out->regrant_ttl = (ctx->regrant_ttl_days > 0 ? ctx->regrant_ttl_days : 7) * day;
    out->expired_refund = ctx->expired_refund;
}

void vg__ledger_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_ctx *ctx,
                     const vg_store_ledger_row *r)
{
    crypto_generichash_state state;
    char numbers[512];
    int n = snprintf(numbers, sizeof numbers,
                     "vidgo-ledger-v1|%lld|%lld|%lld|%lld|%d|%lld|%lld|%lld|%lld|%d|%lld|%lld|"
                     "%lld|%lld|%d|%lld|%zu|%zu|%zu|",
                     (long long)r->user_id, (long long)r->seq, (long long)r->at,
                     (long long)r->effective_at, r->type, (long long)r->amount,
                     (long long)r->bonus, (long long)r->subscription, (long long)r->purchased,
                     r->free_uses, (long long)r->bonus_after, (long long)r->subscription_after,
                     (long long)r->purchased_after, (long long)r->total_after, r->free_uses_after,
                     (long long)r->hold_id, strlen(r->service), strlen(r->reference),
                     strlen(r->idempotency_key));

    crypto_generichash_init(&state, ctx->secret, ctx->secret_len, VG_STORE_HASH_SIZE);
    crypto_generichash_update(&state, (const unsigned char *)numbers, (unsigned long long)n);
    crypto_generichash_update(&state, (const unsigned char *)r->service, strlen(r->service));
    crypto_generichash_update(&state, (const unsigned char *)r->reference, strlen(r->reference));
    crypto_generichash_update(&state, (const unsigned char *)r->idempotency_key,
                              strlen(r->idempotency_key));
    crypto_generichash_update(&state, r->prev_hash, VG_STORE_HASH_SIZE);
    crypto_generichash_final(&state, out, VG_STORE_HASH_SIZE);
}

static int keep_row(const vg_store_ledger_row *row, void *payload)
{
    *(vg_store_ledger_row *)payload = *row;
    return 1;
}

int vg__ledger_write(vg__wallet *wl, vg_store_ledger_row *row)
{
    vg_store_ledger_row last;
    int rc;

    memset(&last, 0, sizeof last);
    if (wl->w.last_seq > 0) {
        rc = vg__ledger_list(wl->txn, wl->user.id, 0, 1, 0, keep_row, &last);
        if (rc != VG_OK)
            return rc;
        if (last.seq != wl->w.last_seq)
            return vg__fail(wl->txn->ctx, VG_ELEDGER_TAMPERED,
                            "the ledger of user %lld ends at row %lld, its wallet at %lld",
                            (long long)wl->user.id, (long long)last.seq, (long long)wl->w.last_seq);
    }
    row->user_id = wl->user.id;
    row->seq = wl->w.last_seq + 1;
    row->at = wl->now;
    if (!row->effective_at)
        row->effective_at = wl->now;
    row->amount = row->bonus + row->subscription + row->purchased;
    row->bonus_after = last.bonus_after + row->bonus;
    row->subscription_after = last.subscription_after + row->subscription;
    row->purchased_after = last.purchased_after + row->purchased;
    row->free_uses_after = last.free_uses_after + row->free_uses;
    row->total_after = row->bonus_after + row->subscription_after + row->purchased_after;
    memcpy(row->prev_hash, wl->w.last_hash, VG_STORE_HASH_SIZE);
    vg__ledger_hash(row->hash, wl->txn->ctx, row);
    if ((rc = vg__ledger_append(wl->txn, row)) != VG_OK)
        return rc;
    wl->w.last_seq = row->seq;
    memcpy(wl->w.last_hash, row->hash, VG_STORE_HASH_SIZE);
    return VG_OK;
}

int vg__wallet_load(vg__wallet *wl, vg__txn *txn, int64_t user_id)
{
    int rc;

    memset(wl, 0, sizeof *wl);
    wl->txn = txn;
    wl->now = wl->at = vg_ctx_now(txn->ctx);
    wl->user.version = VG_USER_VERSION;
    rc = vg__user_get(txn, &wl->user, user_id, 1);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_ENOTFOUND, "no user with id %lld", (long long)user_id);
    if (rc != VG_OK || (rc = vg__plan_load(txn, &wl->plan, wl->user.plan)) != VG_OK)
        return rc;
    rc = vg__wallet_get(txn, &wl->w, user_id, 1);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_EINVARIANT, "user %lld has no wallet", (long long)user_id);
    return rc == VG_OK ? vg__wallet_refresh(wl) : rc;
}

int vg__wallet_save(vg__wallet *wl)
{
    return vg__wallet_put(wl->txn, &wl->w);
}

int vg__wallet_open(vg__wallet *wl, vg__txn *txn, const vg_user *user, const vg_plan *plan)
{
    vg_store_ledger_row row;
    int rc;

    memset(wl, 0, sizeof *wl);
    wl->txn = txn;
    wl->now = wl->at = vg_ctx_now(txn->ctx);
    wl->user = *user;
    wl->plan = *plan;
    wl->w.user_id = user->id;
    wl->w.subscription = plan->weekly_credits;
    wl->w.free_uses = plan->free_uses;
    wl->w.week_start = vg__week_start(wl->now);
    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_OPEN;
    row.subscription = plan->weekly_credits;
    row.free_uses = plan->free_uses;
    snprintf(row.reference, sizeof row.reference, "plan:%s", plan->name);
    if ((rc = vg__ledger_write(wl, &row)) != VG_OK)
        return rc;
    return vg__wallet_save(wl);
}

/* --- what is due ------------------------------------------------------------------------ */

typedef struct first_hold {
    int found;
    vg_store_hold hold;
} first_hold;

static int take_first_hold(const vg_store_hold *hold, void *payload)
{
    first_hold *f = payload;
    f->found = 1;
    f->hold = *hold;
    return 1;
}

typedef struct first_lot {
    int found;
    vg_store_lot lot;
} first_lot;

static int take_first_lot(const vg_store_lot *lot, void *payload)
{
    first_lot *f = payload;
    f->found = 1;
    f->lot = *lot;
    return 1;
}

static int apply_reset(vg__wallet *wl, vg_time week)
{
    vg_store_ledger_row row;
    int64_t delta = wl->plan.weekly_credits - wl->w.subscription;

    wl->w.week_start = week;
    wl->w.subscription = wl->plan.weekly_credits;
    if (wl->plan.weekly_credits == 0 && delta == 0)
        return VG_OK; /* a plan without weekly credits has nothing to reset */
    wl->resets++; /* counts reset rows written (vg_maintenance_report.weekly_resets) */
    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_WEEKLY_RESET;
    row.effective_at = week;
    row.subscription = delta;
    snprintf(row.reference, sizeof row.reference, "plan:%s", wl->plan.name);
    return vg__ledger_write(wl, &row);
}

static int apply_lot_expiry(vg__wallet *wl, const vg_store_lot *lot)
{
    vg_store_ledger_row row;
    int rc = vg__lot_update(wl->txn, lot->id, 0);

    if (rc != VG_OK)
        return rc;
    wl->w.bonus -= lot->remaining;
    wl->expiries++;
    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_EXPIRY;
    row.effective_at = lot->expires_at;
    row.bonus = -lot->remaining;
    snprintf(row.reference, sizeof row.reference, "bonus:%lld", (long long)lot->id);
    return vg__ledger_write(wl, &row);
}

int vg__wallet_refresh(vg__wallet *wl)
{
    first_hold hold;
    first_lot lot;
    vg_time t_hold, t_lot, t_other, t_reset;
    int rc;

    for (;;) {
        hold.found = lot.found = 0;
        if ((rc = vg__holds_list_open(wl->txn, wl->user.id, take_first_hold, &hold)) != VG_OK ||
            (rc = vg__lots_list(wl->txn, wl->user.id, take_first_lot, &lot)) != VG_OK)
            return rc;
        t_hold = hold.found ? hold.hold.expires_at : NEVER;
        t_lot = lot.found ? lot.lot.expires_at : NEVER;
        t_other = t_hold < t_lot ? t_hold : t_lot;
        t_reset = wl->w.week_start + VG__WEEK_US;
        if (t_reset <= wl->now && t_reset <= t_other) {
            /* every Monday up to the next other event collapses into one reset */
            rc = apply_reset(wl, vg__week_start(t_other < wl->now ? t_other : wl->now));
        } else if (t_other <= wl->now && t_hold <= t_lot) {
            wl->at = t_hold; /* grants still valid at that time take their parts back */
            rc = vg__wallet_release(wl, &hold.hold, VG_HOLD_EXPIRED, "");
            wl->at = wl->now;
            wl->holds_expired++;
        } else if (t_other <= wl->now) {
            rc = apply_lot_expiry(wl, &lot.lot);
        } else {
            break;
        }
        if (rc != VG_OK)
            return rc;
    }
    return VG_OK;
}

/* Adds up the lots that expire first (several may expire at the same instant). */
static int add_first_expiring(const vg_store_lot *lot, void *payload)
{
    first_lot *f = payload;
    if (f->found && lot->expires_at != f->lot.expires_at)
        return 1;
    if (f->found)
        f->lot.remaining += lot->remaining;
    else
        f->lot = *lot;
    f->found = 1;
    return 0;
}

int vg__wallet_balance(vg__wallet *wl, vg_balance *out)
{
    first_lot lot = {0};
    int rc = vg__lots_list(wl->txn, wl->user.id, add_first_expiring, &lot);

    if (rc != VG_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->version = VG_BALANCE_VERSION;
    out->user_id = wl->user.id;
    out->subscription = wl->w.subscription;
    out->purchased = wl->w.purchased;
    out->bonus = wl->w.bonus;
    out->held = wl->w.held;
    out->available = wl->w.subscription + wl->w.purchased + wl->w.bonus;
    out->total = out->available + out->held;
    out->free_uses = wl->w.free_uses;
    out->free_uses_held = wl->w.free_uses_held;
    out->next_reset = wl->w.week_start + VG__WEEK_US;
    if (out->next_reset <= wl->now)
        out->next_reset = vg_credits_next_reset(wl->now);
    out->next_bonus_expiry = lot.found ? lot.lot.expires_at : 0;
    out->next_bonus_expiry_amount = lot.found ? lot.lot.remaining : 0;
    out->ledger_seq = wl->w.last_seq;
    return VG_OK;
}
