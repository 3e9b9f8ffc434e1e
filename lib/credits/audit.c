/* SPDX-License-Identifier: MIT */
/* The wallet invariants vg_check verifies: each ledger replayed from its first row through
 * its hash chain, and the balances it ends at matched against the wallet, grants and holds. */
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "credits_internal.h"

#define PAGE 500

typedef struct replay {
    vg__txn *txn;
    vg_store_problem_fn report;
    void *payload;
    const vg_user *user;
    char subject[VG_EMAIL_SIZE + 32];
    vg_store_ledger_row last; /* the last row replayed (zeros before the first) */
    int broken;               /* a problem was reported: stop replaying this wallet */
    int64_t rows;
} replay;

static void problem(replay *r, const char *fmt, ...) VG__PRINTF(2, 3);

static void problem(replay *r, const char *fmt, ...)
{
    char detail[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    r->report("wallet.ledger", r->subject, detail, r->payload);
    r->broken = 1;
}

static int replay_row(const vg_store_ledger_row *row, void *payload)
{
    replay *r = payload;
    const vg_store_ledger_row *p = &r->last;
    unsigned char expected[VG_STORE_HASH_SIZE];

    if (row->seq != p->seq + 1)
        problem(r, "row %lld follows row %lld: a row is missing or out of order",
                (long long)row->seq, (long long)p->seq);
    else if (sodium_memcmp(row->prev_hash, p->hash, VG_STORE_HASH_SIZE) != 0)
        problem(r, "row %lld does not chain to row %lld", (long long)row->seq, (long long)p->seq);
    else {
        vg__ledger_hash(expected, r->txn->ctx, row);
        if (sodium_memcmp(expected, row->hash, VG_STORE_HASH_SIZE) != 0)
            problem(r, "row %lld was altered (its hash does not match)", (long long)row->seq);
        else if (row->bonus_after != p->bonus_after + row->bonus ||
                 row->subscription_after != p->subscription_after + row->subscription ||
                 row->purchased_after != p->purchased_after + row->purchased ||
                 row->free_uses_after != p->free_uses_after + row->free_uses ||
                 row->amount != row->bonus + row->subscription + row->purchased ||
                 row->total_after != row->bonus_after + row->subscription_after + row->purchased_after)
            problem(r, "row %lld: its amounts do not add up", (long long)row->seq);
        else if (row->bonus_after < 0 || row->subscription_after < 0 || row->purchased_after < 0 ||
                 row->free_uses_after < 0)
            problem(r, "row %lld leaves a bucket below zero", (long long)row->seq);
    }
    r->last = *row;
    r->rows++;
    return r->broken;
}

typedef struct sums {
    int64_t lots, held, held_bonus, held_subscription, held_purchased;
    int free_uses_held;
} sums;

static int add_lot(const vg_store_lot *lot, void *payload)
{
    ((sums *)payload)->lots += lot->remaining;
    return 0;
}

static int add_hold(const vg_store_hold *hold, void *payload)
{
    sums *s = payload;
    s->held += hold->price;
    s->held_bonus += hold->from_bonus;
    s->held_subscription += hold->from_subscription;
    s->held_purchased += hold->from_purchased;
    s->free_uses_held += hold->free_use;
    return 0;
}

/* Compares what the ledger says the user owns with the wallet, its grants and its holds. */
static int match_balances(replay *r)
{
    vg_store_wallet w;
    sums s = {0, 0, 0, 0, 0, 0};
    const vg_store_ledger_row *l = &r->last;
    int rc = vg__wallet_get(r->txn, &w, r->user->id, 0);

    if (rc == VG_ENOTFOUND) {
        problem(r, "the user has no wallet");
        return VG_OK;
    }
    if (rc != VG_OK || (rc = vg__lots_list(r->txn, w.user_id, add_lot, &s)) != VG_OK ||
        (rc = vg__holds_list_open(r->txn, w.user_id, add_hold, &s)) != VG_OK)
        return rc;
    if (w.last_seq != l->seq || sodium_memcmp(w.last_hash, l->hash, VG_STORE_HASH_SIZE) != 0)
        problem(r, "the wallet ends at row %lld, the ledger at row %lld", (long long)w.last_seq,
                (long long)l->seq);
    else if (w.subscription < 0 || w.purchased < 0 || w.bonus < 0 || w.held < 0 ||
             w.free_uses < 0 || w.free_uses_held < 0)
        problem(r, "a bucket is below zero (subscription %lld, purchased %lld)",
                (long long)w.subscription, (long long)w.purchased);
    else if (w.bonus != s.lots)
        problem(r, "bonus %lld but the grants hold %lld", (long long)w.bonus, (long long)s.lots);
    else if (w.held != s.held || w.free_uses_held != s.free_uses_held)
        problem(r, "held %lld but the open holds sum to %lld", (long long)w.held, (long long)s.held);
    else if (l->bonus_after != w.bonus + s.held_bonus ||
             l->subscription_after != w.subscription + s.held_subscription ||
             l->purchased_after != w.purchased + s.held_purchased ||
             l->free_uses_after != w.free_uses + w.free_uses_held)
        problem(r, "the ledger's balance %lld differs from the wallet's %lld",
                (long long)l->total_after,
                (long long)(w.bonus + w.subscription + w.purchased + w.held));
    else if (w.held > l->total_after)
        problem(r, "holds of %lld exceed the balance %lld", (long long)w.held,
                (long long)l->total_after);
    return VG_OK;
}

typedef struct audit {
    vg__txn *txn;
    vg_store_problem_fn report;
    void *payload;
    int rc;
    int64_t last_id;
    int seen;
} audit;

static int audit_user(const vg_user *user, void *payload)
{
    audit *a = payload;
    replay r;
    int64_t before;

    a->last_id = user->id;
    a->seen++;
    memset(&r, 0, sizeof r);
    r.txn = a->txn;
    r.report = a->report;
    r.payload = a->payload;
    r.user = user;
    snprintf(r.subject, sizeof r.subject, "user %lld <%s>", (long long)user->id, user->email);
    do {
        before = r.rows;
        a->rc = vg__ledger_list(a->txn, user->id, r.last.seq, PAGE, 1, replay_row, &r);
    } while (a->rc == VG_OK && !r.broken && r.rows - before == PAGE);
    if (a->rc == VG_OK && !r.broken)
        a->rc = match_balances(&r);
    return a->rc != VG_OK;
}

int vg__credits_audit(vg__txn *txn, vg_store_problem_fn report, void *payload)
{
    audit a = {txn, report, payload, VG_OK, 0, 0};
    int rc;

    if (txn->backend->version < 2)
        return VG_OK; /* no wallets in this backend */
    do {
        a.seen = 0;
        rc = vg__users_list(txn, a.last_id, 100, audit_user, &a);
    } while (rc == VG_OK && a.rc == VG_OK && a.seen == 100);
    return rc != VG_OK ? rc : a.rc;
}
