/* SPDX-License-Identifier: MIT */
/* Holds: placing one across the buckets in spending order, and settling it by capture,
 * release, expiry or refund, each part going back to where it came from when it can. */
#include <stdio.h>
#include <string.h>

#include "wallet.h"

/* Bonus lots collected in spending order until they cover an amount. */
typedef struct lot_pick {
    vg_ctx *ctx;
    vg_store_lot *lots;
    size_t count, capacity;
    int64_t covered, needed;
    int failed;
} lot_pick;

static int pick_lot(const vg_store_lot *lot, void *payload)
{
    lot_pick *p = payload;
    if (p->count == p->capacity) {
        size_t capacity = p->capacity ? 2 * p->capacity : 8;
        vg_store_lot *lots = vg__alloc(p->ctx, capacity * sizeof *lots);
        if (!lots) {
            p->failed = 1;
            return 1;
        }
        if (p->count)
            memcpy(lots, p->lots, p->count * sizeof *lots);
        vg__free(p->ctx, p->lots);
        p->lots = lots;
        p->capacity = capacity;
    }
    p->lots[p->count++] = *lot;
    p->covered += lot->remaining;
    return p->covered >= p->needed;
}

/* Takes `amount` from the bonus lots, earliest expiry first, recording each part of the hold. */
static int take_bonus(vg__wallet *wl, int64_t hold_id, int64_t amount)
{
    lot_pick pick = {wl->txn->ctx, NULL, 0, 0, 0, amount, 0};
    size_t i;
    int rc = vg__lots_list(wl->txn, wl->user.id, pick_lot, &pick);

    if (rc == VG_OK && pick.failed)
        rc = vg__fail(wl->txn->ctx, VG_ENOMEM, "out of memory");
    if (rc == VG_OK && pick.covered < amount)
        rc = vg__fail(wl->txn->ctx, VG_EINVARIANT, "user %lld: bonus grants hold less than "
                      "the wallet says", (long long)wl->user.id);
    for (i = 0; i < pick.count && amount > 0 && rc == VG_OK; i++) {
        int64_t take = pick.lots[i].remaining < amount ? pick.lots[i].remaining : amount;
        vg_store_hold_part part = {hold_id, pick.lots[i].id, take};
        rc = vg__lot_update(wl->txn, pick.lots[i].id, pick.lots[i].remaining - take);
        if (rc == VG_OK)
            rc = vg__hold_part_insert(wl->txn, &part);
        amount -= take;
    }
    vg__free(wl->txn->ctx, pick.lots);
    return rc;
}

int vg__wallet_hold(vg__wallet *wl, vg_store_hold *hold, const vg_service *service,
                    const char *reference)
{
    vg__wallet_rules rules;
    vg_store_wallet *w = &wl->w;
    int64_t available = w->bonus + w->subscription + w->purchased, need;
    int rc;

    vg__wallet_rules_of(wl->txn->ctx, &rules);
    memset(hold, 0, sizeof *hold);
    hold->user_id = wl->user.id;
    snprintf(hold->service, sizeof hold->service, "%s", service->name);
    snprintf(hold->reference, sizeof hold->reference, "%s", reference ? reference : "");
    hold->state = VG_HOLD_OPEN;
    hold->created_at = wl->now;
    hold->expires_at = wl->now + rules.hold_ttl;
    hold->week_start = w->week_start;

    if (wl->plan.free_uses > 0 && w->free_uses > 0) {
        hold->free_use = 1;
        w->free_uses--;
        w->free_uses_held++;
        return vg__hold_insert(wl->txn, &hold->id, hold);
    }
    hold->price = service->credits;
    if (available < hold->price) {
        if (wl->plan.free_uses > 0)
            return vg__fail(wl->txn->ctx, VG_EDEMO_USED_UP,
                            "the free uses of the demo are used up and %lld credits are left",
                            (long long)available);
        return vg__fail(wl->txn->ctx, VG_EINSUFFICIENT_CREDITS,
                        "%s costs %d credits; %lld are available", service->name,
                        service->credits, (long long)available);
    }
    need = hold->price;
    hold->from_bonus = need < w->bonus ? need : w->bonus;
    need -= hold->from_bonus;
    hold->from_subscription = need < w->subscription ? need : w->subscription;
    need -= hold->from_subscription;
    hold->from_purchased = need;
    if ((rc = vg__hold_insert(wl->txn, &hold->id, hold)) != VG_OK)
        return rc;
    if (hold->from_bonus && (rc = take_bonus(wl, hold->id, hold->from_bonus)) != VG_OK)
        return rc;
    w->bonus -= hold->from_bonus;
    w->subscription -= hold->from_subscription;
    w->purchased -= hold->from_purchased;
    w->held += hold->price;
    return VG_OK;
}

static int settle(vg__wallet *wl, vg_store_hold *hold, vg_hold_state state)
{
    hold->state = state;
    hold->settled_at = wl->at; /* an expiry applied late is dated when it was due */
    return vg__hold_update(wl->txn, hold);
}

static void describe_hold(vg_store_ledger_row *row, const vg_store_hold *hold, const char *key)
{
    snprintf(row->service, sizeof row->service, "%s", hold->service);
    snprintf(row->reference, sizeof row->reference, "%s", hold->reference);
    snprintf(row->idempotency_key, sizeof row->idempotency_key, "%s", key ? key : "");
    row->hold_id = hold->id;
}

int vg__wallet_capture(vg__wallet *wl, vg_store_hold *hold, const char *key)
{
    vg_store_ledger_row row;
    int rc;

    memset(&row, 0, sizeof row);
    row.type = VG_LEDGER_DEBIT;
    row.bonus = -hold->from_bonus;
    row.subscription = -hold->from_subscription;
    row.purchased = -hold->from_purchased;
    row.free_uses = -hold->free_use;
    describe_hold(&row, hold, key);
    if ((rc = vg__ledger_write(wl, &row)) != VG_OK)
        return rc;
    wl->w.held -= hold->price;
    wl->w.free_uses_held -= hold->free_use;
    return settle(wl, hold, VG_HOLD_CAPTURED);
}

/* Where the parts of a settled hold end up. */
typedef struct returned {
    int64_t bonus, subscription, purchased; /* back in their buckets */
    int64_t forfeited_bonus, forfeited_subscription;
} returned;

typedef struct part_walk {
    vg__wallet *wl;
    vg__wallet_rules rules;
    returned *back;
    vg_store_hold_part *parts;
    size_t count;
} part_walk;

static int collect_part(const vg_store_hold_part *part, void *payload)
{
    part_walk *walk = payload;
    vg_store_hold_part *parts = vg__alloc(walk->wl->txn->ctx, (walk->count + 1) * sizeof *parts);
    if (!parts)
        return 1;
    if (walk->count)
        memcpy(parts, walk->parts, walk->count * sizeof *parts);
    parts[walk->count++] = *part;
    vg__free(walk->wl->txn->ctx, walk->parts);
    walk->parts = parts;
    return 0;
}

/* Puts each bonus part back into its grant, or, if the grant expired meanwhile, forfeits
 * it or regrants it as configured. */
static int return_bonus(part_walk *walk, const vg_store_hold *hold)
{
    vg__wallet *wl = walk->wl;
    size_t i;
    int64_t listed = 0;
    int rc = vg__hold_parts_list(wl->txn, hold->id, collect_part, walk);

    for (i = 0; i < walk->count && rc == VG_OK; i++) {
        vg_store_hold_part *part = &walk->parts[i];
        vg_store_lot lot;
        listed += part->amount;
        if ((rc = vg__lot_get(wl->txn, &lot, part->lot_id)) != VG_OK)
            break;
        if (lot.expires_at > wl->at) {
            rc = vg__lot_update(wl->txn, lot.id, lot.remaining + part->amount);
            walk->back->bonus += part->amount;
        } else if (walk->rules.expired_refund == VG_EXPIRED_REFUND_REGRANT) {
            /* regranted when the part comes back (a hold's expiry, even if applied later):
             * when it is applied must not change what the user gets */
            vg_store_lot fresh = {0, wl->user.id, part->amount, part->amount, wl->at,
                                  wl->at + walk->rules.regrant_ttl};
            rc = vg__lot_insert(wl->txn, &fresh.id, &fresh);
            walk->back->bonus += part->amount;
        } else {
            walk->back->forfeited_bonus += part->amount;
        }
    }
    if (rc == VG_OK && listed != hold->from_bonus)
        rc = vg__fail(wl->txn->ctx, VG_EINVARIANT, "hold %lld: its parts sum to %lld, not %lld",
                      (long long)hold->id, (long long)listed, (long long)hold->from_bonus);
    vg__free(wl->txn->ctx, walk->parts);
    return rc;
}

typedef struct week_holds {
    int64_t week_start, except_id, subscription;
} week_holds;

static int add_week_hold(const vg_store_hold *hold, void *payload)
{
    week_holds *w = payload;
    if (hold->week_start == w->week_start && hold->id != w->except_id)
        w->subscription += hold->from_subscription;
    return 0;
}

/* Subscription credits come back only within this week and only up to the plan's weekly
 * amount, counting what other holds of this week keep: after a downgrade, releasing a hold
 * placed under the old plan must not give more than the new plan's week. */
static int return_subscription(vg__wallet *wl, const vg_store_hold *hold, returned *back)
{
    week_holds others = {wl->w.week_start, hold->id, 0};
    int64_t room;
    int rc;

    if (hold->week_start < wl->w.week_start) { /* a weekly reset came in between */
        back->forfeited_subscription = hold->from_subscription;
        return VG_OK;
    }
    if ((rc = vg__holds_list_open(wl->txn, wl->user.id, add_week_hold, &others)) != VG_OK)
        return rc;
    room = wl->plan.weekly_credits - wl->w.subscription - others.subscription;
    back->subscription = room <= 0 ? 0 : room < hold->from_subscription ? room : hold->from_subscription;
    back->forfeited_subscription = hold->from_subscription - back->subscription;
    return VG_OK;
}

/* Works out where each part of a hold goes back to, and moves the bonus parts. */
static int return_parts(vg__wallet *wl, const vg_store_hold *hold, returned *back)
{
    part_walk walk = {wl, {0}, back, NULL, 0};
    int rc = VG_OK;

    memset(back, 0, sizeof *back);
    vg__wallet_rules_of(wl->txn->ctx, &walk.rules);
    if (hold->from_bonus)
        rc = return_bonus(&walk, hold);
    if (rc == VG_OK && hold->from_subscription)
        rc = return_subscription(wl, hold, back);
    back->purchased = hold->from_purchased;
    return rc;
}

/* Returns a settled hold's parts to the wallet (see return_parts) and its free use. */
static int put_back(vg__wallet *wl, vg_store_hold *hold, returned *back)
{
    int rc = return_parts(wl, hold, back);
    if (rc != VG_OK)
        return rc;
    wl->w.bonus += back->bonus;
    wl->w.subscription += back->subscription;
    wl->w.purchased += back->purchased;
    wl->w.free_uses += hold->free_use;
    hold->forfeited = back->forfeited_bonus + back->forfeited_subscription;
    return VG_OK;
}

int vg__wallet_release(vg__wallet *wl, vg_store_hold *hold, vg_hold_state state, const char *key)
{
    vg_store_ledger_row row;
    returned back;
    int rc = put_back(wl, hold, &back);

    if (rc != VG_OK)
        return rc;
    wl->w.held -= hold->price;
    wl->w.free_uses_held -= hold->free_use;
    if (hold->forfeited) { /* what the user owned shrinks only by the forfeited parts */
        memset(&row, 0, sizeof row);
        row.type = VG_LEDGER_FORFEIT;
        row.bonus = -back.forfeited_bonus;
        row.subscription = -back.forfeited_subscription;
        describe_hold(&row, hold, key);
        if ((rc = vg__ledger_write(wl, &row)) != VG_OK)
            return rc;
    }
    return settle(wl, hold, state);
}

int vg__wallet_refund(vg__wallet *wl, vg_store_hold *hold, const char *key)
{
    vg_store_ledger_row row;
    returned back;
    int rc = put_back(wl, hold, &back);

    if (rc != VG_OK)
        return rc;
    memset(&row, 0, sizeof row); /* the debit is undone by what comes back */
    row.type = VG_LEDGER_REFUND;
    row.bonus = back.bonus;
    row.subscription = back.subscription;
    row.purchased = back.purchased;
    row.free_uses = hold->free_use;
    describe_hold(&row, hold, key);
    if ((rc = vg__ledger_write(wl, &row)) != VG_OK)
        return rc;
    return settle(wl, hold, VG_HOLD_REFUNDED);
}
