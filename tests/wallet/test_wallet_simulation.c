/* SPDX-License-Identifier: MIT */
/* A long random walk through the wallet on a fake clock, checked after every step against an
 * independent model of the documented rules (docs/credits.md, DESIGN.md §4). */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "test_support.h"

#define DEFAULT_STEPS 3000
#define DEFAULT_SEED UINT64_C(0x5eed20260304)

#define SEC INT64_C(1000000)
#define MINUTE (60 * SEC)
#define HOUR (60 * MINUTE)
#define DAY (24 * HOUR)
#define WEEK (7 * DAY)
#define NEVER INT64_MAX

/* The wallet rules this simulation runs with (vg_config). */
#define HOLD_TTL_S (3 * 3600)
#define BONUS_TTL_DAYS 21
#define REGRANT_TTL_DAYS 5

/* The documented catalog (DESIGN.md §4), written out here rather than read from the library. */
typedef struct plan_rule {
    const char *name;
    int64_t weekly;
    int free_uses;
} plan_rule;

static const plan_rule plan_rules[] = {
    {"demo", 0, 2}, {"starter", 25, 0}, {"pro", 60, 0}, {"pro_plus", 125, 0},
};
#define PLAN_COUNT (sizeof plan_rules / sizeof plan_rules[0])

static const struct {
    const char *name;
    int64_t price;
} prices[] = {
    {"video_720p", 5},    {"video_1080p", 8}, {"video_4k", 12},  {"image_512", 2},
    {"image_1024", 3},    {"style_effects", 8}, {"hd_enhance", 10}, {"video_pro", 12},
};
#define PRICE_COUNT (sizeof prices / sizeof prices[0])

/* The users: one per plan, and a second starter. */
static const char *const user_plans[] = {"demo", "starter", "pro", "pro_plus", "starter"};
#define USERS (sizeof user_plans / sizeof user_plans[0])

/* --- random numbers: xorshift64*, seeded once and printed ---------------------------------- */

static uint64_t rng;

static uint64_t rnd(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * UINT64_C(2685821657736338717);
}

/* A number in lo..hi, both included. */
static int64_t rnd_range(int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* --- the fake clock -------------------------------------------------------------------------- */

static vg_time sim_now; /* what the store's clock (test_fake_clock) says */

/* --- small growable arrays -------------------------------------------------------------------- */

/* Returns `array` with room for `needed` elements of `size` bytes (capacity in *cap). */
static void *grow(void *array, int *cap, int needed, size_t size)
{
    if (needed <= *cap)
        return array;
    while (*cap < needed)
        *cap = *cap ? 2 * *cap : 64;
    array = realloc(array, (size_t)*cap * size);
    assert_non_null(array);
    return array;
}

typedef struct vec {
    int *v;
    int n, cap;
} vec;

static void vec_push(vec *x, int value)
{
    x->v = grow(x->v, &x->cap, x->n + 1, sizeof *x->v);
    x->v[x->n++] = value;
}

static void vec_remove(vec *x, int value)
{
    int i;
    for (i = 0; i < x->n; i++)
        if (x->v[i] == value) {
            x->v[i] = x->v[--x->n];
            return;
        }
    fail_msg("model: %d is not in the list", value);
}

/* --- the model ------------------------------------------------------------------------------- */

typedef struct m_lot {
    int user;
    int64_t remaining;
    vg_time expires_at;
} m_lot; /* a lot's index is its creation order */

typedef struct m_part {
    int lot;
    int64_t amount;
} m_part;

typedef struct m_hold {
    int64_t id;
    int user;
    const char *service;
    int64_t price, from_bonus, from_subscription, from_purchased;
    int free_use;
    vg_hold_state state;
    int64_t forfeited;
    int64_t back_bonus, back_subscription; /* what went back when it was last settled */
    vg_time expires_at, week_start;
    int first_part, part_count;
} m_hold;

typedef struct m_user {
    int64_t id;
    char email[64];
    const plan_rule *plan;
    int64_t subscription, purchased;
    int free_uses, free_uses_held;
    vg_time week_start;
    vec lots, open, captured, holds;
} m_user;

typedef struct m_balance {
    int64_t subscription, purchased, bonus, held;
    int free_uses, free_uses_held;
    vg_time next_reset, next_expiry;
    int64_t next_expiry_amount;
} m_balance;

typedef enum op_kind { OP_GRANT, OP_HOLD, OP_CAPTURE, OP_RELEASE, OP_REFUND, OP_PLAN } op_kind;
static const char *const op_names[] = {"grant", "hold", "capture", "release", "refund", "plan"};

/* One mutating call, as the caller makes it. */
typedef struct request {
    op_kind op;
    int user;                  /* the caller's; for calls on a hold, the hold's if it exists */
    vg_credit_kind kind;
    int64_t amount;
    vg_time expires_at;
    const char *service, *plan;
    int64_t hold_id;
    char reference[32];
    char key[24];              /* "k<n>": the n-th fresh call; n tells where it is recorded */
} request;

/* The ledger row a call writes last: its type (0: none expected) and its changes. */
typedef struct m_row {
    vg_ledger_type type;
    int64_t bonus, subscription, purchased;
    int free_uses;
} m_row;

/* What a call answered. */
typedef struct outcome {
    int status;
    int replayed;
    m_balance balance;
    int has_hold;
    m_hold hold;
    m_row row;
} outcome;

typedef struct key_record {
    int used;
    request request;
    outcome outcome;
} key_record;

/* A key, kept per user: the same text may mean different calls for different users. */
typedef struct key_slot {
    key_record by_user[USERS];
} key_slot;

/* How often things happened, to show what the walk went through. */
typedef struct coverage {
    long calls[OP_PLAN + 1], ok[OP_PLAN + 1], replays, conflicts, insufficient, demo_used_up, free_uses, settled,
        expired_refusals, estate, not_found, unknown, einval, resets, holds_expired,
        lots_expired, forfeited_bonus, forfeited_subscription, regrants, jumps, maintenance,
        checks, hold_reads, upgrades, downgrades, rows, shared_keys, capped_subscription;
} coverage;

typedef struct sim {
    vg_ctx *ctx;
    vg_expired_refund expired_refund;
    m_user users[USERS];
    m_lot *lots;
    int lot_count, lot_cap;
    m_hold *holds;
    int hold_count, hold_cap;
    m_part *parts;
    int part_count, part_cap;
    key_slot *keys;   /* indexed by fresh call */
    int key_count, key_cap;
    long steps, step;
    vec stored;       /* outcomes stored: key index * USERS + user */
    coverage seen;
    int64_t expired_in_refresh, lots_expired_in_refresh; /* for a maintenance report */
    char doing[256];  /* the step being made, for failure reports */
} sim;

static int is_refusal(int status)
{
    return status == VG_EINSUFFICIENT_CREDITS || status == VG_EDEMO_USED_UP ||
           status == VG_EHOLD_SETTLED || status == VG_EHOLD_EXPIRED || status == VG_ESTATE;
}

static const plan_rule *plan_rule_of(const char *name)
{
    size_t i;
    for (i = 0; i < PLAN_COUNT; i++)
        if (strcmp(plan_rules[i].name, name) == 0)
            return &plan_rules[i];
    return NULL;
}

static int64_t price_of(const char *service)
{
    size_t i;
    for (i = 0; i < PRICE_COUNT; i++)
        if (strcmp(prices[i].name, service) == 0)
            return prices[i].price;
    return -1;
}

static m_hold *hold_by_id(sim *s, int64_t id)
{
    int lo = 0, hi = s->hold_count - 1;
    while (lo <= hi) { /* ids grow with every hold placed */
        int mid = (lo + hi) / 2;
        if (s->holds[mid].id == id)
            return &s->holds[mid];
        if (s->holds[mid].id < id)
            lo = mid + 1;
        else
            hi = mid - 1;
    }
    return NULL;
}

static int new_lot(sim *s, int user, int64_t amount, vg_time expires_at)
{
    s->lots = grow(s->lots, &s->lot_cap, s->lot_count + 1, sizeof *s->lots);
    s->lots[s->lot_count].user = user;
    s->lots[s->lot_count].remaining = amount;
    s->lots[s->lot_count].expires_at = expires_at;
    vec_push(&s->users[user].lots, s->lot_count);
    return s->lot_count++;
}

/* The lot a hold spends first: the earliest expiry, then the oldest; -1 if none is left. */
static int first_lot(const sim *s, int user)
{
    const vec *lots = &s->users[user].lots;
    int i, best = -1;
    for (i = 0; i < lots->n; i++) {
        const m_lot *l = &s->lots[lots->v[i]];
        if (l->remaining > 0 &&
            (best < 0 || l->expires_at < s->lots[best].expires_at ||
             (l->expires_at == s->lots[best].expires_at && lots->v[i] < best)))
            best = lots->v[i];
    }
    return best;
}

/* The open hold that expires first (then the oldest); -1 if none. */
static int first_open_hold(const sim *s, int user)
{
    const vec *open = &s->users[user].open;
    int i, best = -1;
    for (i = 0; i < open->n; i++) {
        const m_hold *h = &s->holds[open->v[i]];
        if (best < 0 || h->expires_at < s->holds[best].expires_at ||
            (h->expires_at == s->holds[best].expires_at && h->id < s->holds[best].id))
            best = open->v[i];
    }
    return best;
}

static m_balance model_balance(const sim *s, int user)
{
    const m_user *w = &s->users[user];
    m_balance b;
    int i, first = first_lot(s, user);

    memset(&b, 0, sizeof b);
    b.subscription = w->subscription;
    b.purchased = w->purchased;
    for (i = 0; i < w->lots.n; i++)
        b.bonus += s->lots[w->lots.v[i]].remaining;
    for (i = 0; i < w->open.n; i++)
        b.held += s->holds[w->open.v[i]].price;
    b.free_uses = w->free_uses;
    b.free_uses_held = w->free_uses_held;
    b.next_reset = w->week_start + WEEK;
    b.next_expiry = first >= 0 ? s->lots[first].expires_at : 0;
    for (i = 0; i < w->lots.n && first >= 0; i++) /* all that expire at that moment */
        if (s->lots[w->lots.v[i]].expires_at == b.next_expiry)
            b.next_expiry_amount += s->lots[w->lots.v[i]].remaining;
    return b;
}

/* Gives a hold's parts back as of time `at`: a bonus part to its lot if the lot has not
 * expired by then (else forfeited, or regranted as a new lot living REGRANT_TTL_DAYS from
 * then), the subscription part unless a weekly reset came since the hold was placed — and
 * then only up to the plan's weekly amount less what the wallet and this week's other open
 * holds keep (a downgrade caps it) — the purchased part and a free use always. */
static void give_back(sim *s, m_hold *h, vg_time at)
{
    m_user *w = &s->users[h->user];
    int i;

    h->forfeited = h->back_bonus = h->back_subscription = 0;
    for (i = 0; i < h->part_count; i++) {
        const m_part *p = &s->parts[h->first_part + i];
        m_lot *lot = &s->lots[p->lot];
        if (lot->expires_at > at || s->expired_refund == VG_EXPIRED_REFUND_REGRANT)
            h->back_bonus += p->amount;
        if (lot->expires_at > at) {
            lot->remaining += p->amount;
        } else if (s->expired_refund == VG_EXPIRED_REFUND_REGRANT) {
            new_lot(s, h->user, p->amount, at + REGRANT_TTL_DAYS * DAY);
            s->seen.regrants++;
        } else {
            h->forfeited += p->amount;
            s->seen.forfeited_bonus++;
        }
    }
    if (h->week_start < w->week_start) {
        h->forfeited += h->from_subscription;
        s->seen.forfeited_subscription += h->from_subscription > 0;
    } else {
        int64_t room = w->plan->weekly - w->subscription;
        for (i = 0; i < w->open.n; i++) {
            const m_hold *other = &s->holds[w->open.v[i]];
            if (other != h && other->week_start == w->week_start)
                room -= other->from_subscription;
        }
        h->back_subscription = room <= 0 ? 0 : room < h->from_subscription ? room : h->from_subscription;
        h->forfeited += h->from_subscription - h->back_subscription;
        s->seen.capped_subscription += h->back_subscription < h->from_subscription;
        w->subscription += h->back_subscription;
    }
    w->purchased += h->from_purchased;
    w->free_uses += h->free_use;
}

/* Ends an open hold: captured, released or expired. */
static void close_hold(sim *s, m_hold *h, vg_hold_state state, vg_time at)
{
    m_user *w = &s->users[h->user];
    int index = (int)(h - s->holds);
    if (state != VG_HOLD_CAPTURED)
        give_back(s, h, at);
    else
        vec_push(&w->captured, index);
    w->free_uses_held -= h->free_use;
    vec_remove(&w->open, index);
    h->state = state;
}

/* Applies what is due up to now, in time order: each Monday's reset (first on a tie), hold
 * expiries (then), bonus lot expiries. */
static void model_refresh(sim *s, int user)
{
    m_user *w = &s->users[user];
    for (;;) {
        int h = first_open_hold(s, user), l = first_lot(s, user);
        vg_time t_reset = w->week_start + WEEK;
        vg_time t_hold = h >= 0 ? s->holds[h].expires_at : NEVER;
        vg_time t_lot = l >= 0 ? s->lots[l].expires_at : NEVER;

        if (t_reset <= sim_now && t_reset <= t_hold && t_reset <= t_lot) {
            w->subscription = w->plan->weekly;
            w->week_start = t_reset;
            s->seen.resets++;
        } else if (t_hold <= sim_now && t_hold <= t_lot) {
            close_hold(s, &s->holds[h], VG_HOLD_EXPIRED, t_hold);
            s->seen.holds_expired++;
            s->expired_in_refresh++;
        } else if (t_lot <= sim_now) {
            s->lots[l].remaining = 0;
            s->seen.lots_expired++;
            s->lots_expired_in_refresh++;
        } else {
            break;
        }
    }
}

/* Places a hold (the library chose its id). */
static int model_hold(sim *s, int user, const char *service, int64_t id, m_hold **out)
{
    m_user *w = &s->users[user];
    m_balance b = model_balance(s, user);
    int64_t price = price_of(service), need;
    m_hold h;
    int l;

    if (price < 0)
        return VG_ESERVICE_UNKNOWN;
    memset(&h, 0, sizeof h);
    h.id = id;
    h.user = user;
    h.service = service;
    h.state = VG_HOLD_OPEN;
    h.expires_at = sim_now + HOLD_TTL_S * SEC;
    h.week_start = w->week_start;
    h.first_part = s->part_count;
    if (w->plan->free_uses > 0 && w->free_uses > 0) {
        h.free_use = 1;
        w->free_uses--;
        w->free_uses_held++;
        s->seen.free_uses++;
    } else if (b.subscription + b.purchased + b.bonus < price) {
        return w->plan->free_uses > 0 ? VG_EDEMO_USED_UP : VG_EINSUFFICIENT_CREDITS;
    } else {
        h.price = need = price;
        while (need > 0 && (l = first_lot(s, user)) >= 0) {
            int64_t take = s->lots[l].remaining < need ? s->lots[l].remaining : need;
            m_part *p;
            s->lots[l].remaining -= take;
            s->parts = grow(s->parts, &s->part_cap, s->part_count + 1, sizeof *s->parts);
            /* the parts are kept by lot, oldest first: the order they go back in */
            for (p = &s->parts[s->part_count]; p > &s->parts[h.first_part] && p[-1].lot > l; p--)
                p[0] = p[-1];
            p->lot = l;
            p->amount = take;
            s->part_count++;
            h.part_count++;
            h.from_bonus += take;
            need -= take;
        }
        h.from_subscription = need < w->subscription ? need : w->subscription;
        need -= h.from_subscription;
        w->subscription -= h.from_subscription;
        h.from_purchased = need;
        w->purchased -= need;
    }
    if (s->hold_count > 0 && s->holds[s->hold_count - 1].id >= id)
        fail_msg("hold ids do not grow: %lld after %lld", (long long)id,
                 (long long)s->holds[s->hold_count - 1].id);
    s->holds = grow(s->holds, &s->hold_cap, s->hold_count + 1, sizeof *s->holds);
    s->holds[s->hold_count] = h;
    vec_push(&w->open, s->hold_count);
    vec_push(&w->holds, s->hold_count);
    *out = &s->holds[s->hold_count++];
    return VG_OK;
}

static int model_settle(sim *s, m_hold *h, op_kind op)
{
    if (op == OP_REFUND) {
        if (h->state != VG_HOLD_CAPTURED)
            return VG_ESTATE;
        give_back(s, h, sim_now);
        vec_remove(&s->users[h->user].captured, (int)(h - s->holds));
        h->state = VG_HOLD_REFUNDED;
        return VG_OK;
    }
    if (h->state == VG_HOLD_EXPIRED)
        return VG_EHOLD_EXPIRED;
    if (h->state != VG_HOLD_OPEN)
        return VG_EHOLD_SETTLED;
    close_hold(s, h, op == OP_CAPTURE ? VG_HOLD_CAPTURED : VG_HOLD_RELEASED, sim_now);
    return VG_OK;
}

static int model_plan(sim *s, int user, const char *name)
{
    m_user *w = &s->users[user];
    const plan_rule *to = plan_rule_of(name);
    if (!to)
        return VG_EPLAN_UNKNOWN;
    if (to->weekly >= w->plan->weekly) { /* an upgrade adds the difference */
        w->subscription += to->weekly - w->plan->weekly;
        s->seen.upgrades++;
    } else { /* a downgrade keeps at most the new weekly amount */
        if (w->subscription > to->weekly)
            w->subscription = to->weekly;
        s->seen.downgrades++;
    }
    w->plan = to;
    return VG_OK;
}

static int model_grant(sim *s, const request *q)
{
    m_user *w = &s->users[q->user];
    vg_time expires_at = q->expires_at ? q->expires_at : sim_now + BONUS_TTL_DAYS * DAY;
    if (q->kind == VG_CREDIT_PURCHASED) {
        w->purchased += q->amount;
        return VG_OK;
    }
    if (expires_at <= sim_now)
        return VG_EINVAL; /* a bonus must expire in the future */
    new_lot(s, q->user, q->amount, expires_at);
    return VG_OK;
}

static int same_request(const request *a, const request *b)
{
    if (a->op != b->op || a->user != b->user)
        return 0;
    switch (a->op) {
    case OP_GRANT:
        return a->kind == b->kind && a->amount == b->amount && a->expires_at == b->expires_at &&
               strcmp(a->reference, b->reference) == 0;
    case OP_HOLD:
        return strcmp(a->service, b->service) == 0 && strcmp(a->reference, b->reference) == 0;
    case OP_PLAN:
        return strcmp(a->plan, b->plan) == 0;
    default:
        return a->hold_id == b->hold_id;
    }
}

/* What the model says a call answers, and what it changes. `new_hold_id` is the id the
 * library gave a hold it placed (the model cannot know ids). */
/* The row a successful call writes last, by the documented rules (docs/credits.md). */
static m_row expected_row(const request *q, const m_hold *h, int64_t subscription_change)
{
    m_row r;
    memset(&r, 0, sizeof r);
    switch (q->op) {
    case OP_GRANT:
        r.type = VG_LEDGER_GRANT;
        *(q->kind == VG_CREDIT_BONUS ? &r.bonus : &r.purchased) = q->amount;
        break;
    case OP_CAPTURE:
        r.type = VG_LEDGER_DEBIT;
        r.bonus = -h->from_bonus;
        r.subscription = -h->from_subscription;
        r.purchased = -h->from_purchased;
        r.free_uses = -h->free_use;
        break;
    case OP_RELEASE: /* a row only for what could not go back */
        if (h->forfeited) {
            r.type = VG_LEDGER_FORFEIT;
            r.bonus = h->back_bonus - h->from_bonus;
            r.subscription = h->back_subscription - h->from_subscription;
        }
        break;
    case OP_REFUND:
        r.type = VG_LEDGER_REFUND;
        r.bonus = h->back_bonus;
        r.subscription = h->back_subscription;
        r.purchased = h->from_purchased;
        r.free_uses = h->free_use;
        break;
    case OP_PLAN:
        r.type = VG_LEDGER_PLAN_CHANGE;
        r.subscription = subscription_change;
        break;
    default: /* placing a hold moves credits, but not what the user owns */
        break;
    }
    return r;
}

static void model_call(sim *s, request *q, int64_t new_hold_id, outcome *out)
{
    key_record *rec;
    m_hold *h = NULL;
    int key_index;
    int64_t subscription_before;

    memset(out, 0, sizeof *out);
    /* arguments that are wrong whatever the state */
    if (q->op == OP_GRANT && (q->amount <= 0 || (q->kind == VG_CREDIT_PURCHASED && q->expires_at))) {
        out->status = q->amount <= 0 ? VG_ERANGE : VG_EINVAL;
        return;
    }
    if (q->op == OP_CAPTURE || q->op == OP_RELEASE || q->op == OP_REFUND) {
        if (!(h = hold_by_id(s, q->hold_id))) {
            out->status = VG_ENOTFOUND;
            return;
        }
        q->user = h->user;
    }
    /* the key: a repeat answers as the first time, another request with it is refused */
    key_index = (int)strtol(q->key + 1, NULL, 10);
    rec = &s->keys[key_index].by_user[q->user];
    if (rec->used) {
        if (!same_request(&rec->request, q)) {
            out->status = VG_EIDEMPOTENCY_CONFLICT;
            s->seen.conflicts++;
            return;
        }
        *out = rec->outcome;
        out->replayed = 1;
        s->seen.replays++;
        return;
    }
    model_refresh(s, q->user);
    subscription_before = s->users[q->user].subscription;
    switch (q->op) {
    case OP_GRANT:
        out->status = model_grant(s, q);
        break;
    case OP_HOLD:
        out->status = model_hold(s, q->user, q->service, new_hold_id, &h);
        out->has_hold = 1;
        break;
    case OP_PLAN:
        out->status = model_plan(s, q->user, q->plan);
        break;
    default:
        out->status = model_settle(s, h, q->op);
        out->has_hold = 1;
        break;
    }
    if (out->has_hold && h)
        out->hold = *h;
    out->balance = model_balance(s, q->user);
    if (out->status == VG_OK)
        out->row = expected_row(q, h, s->users[q->user].subscription - subscription_before);
    if (out->status == VG_OK || is_refusal(out->status)) {
        rec->used = 1;
        rec->request = *q;
        rec->outcome = *out;
        vec_push(&s->stored, key_index * (int)USERS + q->user);
    }
}

/* --- the library ------------------------------------------------------------------------------ */

static int library_call(sim *s, const request *q, vg_hold *hold, vg_balance *balance)
{
    const char *reference = q->reference[0] ? q->reference : NULL;
    int rc;
    memset(hold, 0, sizeof *hold);
    memset(balance, 0, sizeof *balance);
    switch (q->op) {
    case OP_GRANT:
        return vg_credits_grant(balance, s->ctx, s->users[q->user].id, q->kind, q->amount,
                                q->expires_at, reference, q->key);
    case OP_HOLD:
        rc = vg_credits_hold(hold, s->ctx, s->users[q->user].id, q->service, reference, q->key);
        break;
    case OP_CAPTURE:
        rc = vg_credits_capture(hold, s->ctx, q->hold_id, q->key);
        break;
    case OP_RELEASE:
        rc = vg_credits_release(hold, s->ctx, q->hold_id, q->key);
        break;
    case OP_REFUND:
        rc = vg_credits_refund(hold, s->ctx, q->hold_id, q->key);
        break;
    default:
        return vg_credits_change_plan(balance, s->ctx, s->users[q->user].id, q->plan, q->key);
    }
    *balance = hold->balance;
    return rc;
}

/* --- comparing --------------------------------------------------------------------------------- */

static void describe_user(const sim *s, int user)
{
    const m_user *w = &s->users[user];
    int i;
    print_message("  model of user %d (%s, %s): subscription %lld purchased %lld free uses %d "
                  "(+%d held), week of %lld\n", user, w->email, w->plan->name,
                  (long long)w->subscription, (long long)w->purchased, w->free_uses,
                  w->free_uses_held, (long long)w->week_start);
    for (i = 0; i < w->lots.n; i++) {
        const m_lot *l = &s->lots[w->lots.v[i]];
        if (l->remaining > 0 || l->expires_at > sim_now)
            print_message("    lot %d: %lld left, expires %lld (%+.2f days)\n", w->lots.v[i],
                          (long long)l->remaining, (long long)l->expires_at,
                          (double)(l->expires_at - sim_now) / (double)DAY);
    }
    for (i = 0; i < w->open.n; i++) {
        const m_hold *h = &s->holds[w->open.v[i]];
        print_message("    open hold %lld: %s %lld = bonus %lld + subscription %lld + purchased "
                      "%lld + free use %d, expires %+.2f h\n", (long long)h->id, h->service,
                      (long long)h->price, (long long)h->from_bonus,
                      (long long)h->from_subscription, (long long)h->from_purchased, h->free_use,
                      (double)(h->expires_at - sim_now) / (double)HOUR);
    }
}

static void print_balance(const char *who, const m_balance *b)
{
    print_message("  %s: subscription %lld purchased %lld bonus %lld held %lld free uses %d "
                  "(+%d held), next reset %lld, next bonus expiry %lld (%lld)\n", who,
                  (long long)b->subscription, (long long)b->purchased, (long long)b->bonus,
                  (long long)b->held, b->free_uses, b->free_uses_held, (long long)b->next_reset,
                  (long long)b->next_expiry, (long long)b->next_expiry_amount);
}

static m_balance from_library(const vg_balance *b)
{
    m_balance m;
    memset(&m, 0, sizeof m);
    m.subscription = b->subscription;
    m.purchased = b->purchased;
    m.bonus = b->bonus;
    m.held = b->held;
    m.free_uses = b->free_uses;
    m.free_uses_held = b->free_uses_held;
    m.next_reset = b->next_reset;
    m.next_expiry = b->next_bonus_expiry;
    m.next_expiry_amount = b->next_bonus_expiry_amount;
    return m;
}

static void disagree(const sim *s, int user, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Reports a disagreement between the model and the library, with both states, and fails. */
static void disagree(const sim *s, int user, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    print_message("step %ld of %ld, clock %lld: %s\n  disagreement: %s\n", s->step, s->steps,
                  (long long)sim_now, s->doing, what);
    if (user >= 0)
        describe_user(s, user);
    fail_msg("the library and the model disagree at step %ld: %s", s->step, what);
}

static void compare_balance(const sim *s, int user, const m_balance *expected,
                            const vg_balance *got, const char *where)
{
    m_balance g = from_library(got);
    const struct {
        const char *name;
        int64_t model, library;
    } fields[] = {
        {"subscription", expected->subscription, g.subscription},
        {"purchased", expected->purchased, g.purchased},
        {"bonus", expected->bonus, g.bonus},
        {"held", expected->held, g.held},
        {"free_uses", expected->free_uses, g.free_uses},
        {"free_uses_held", expected->free_uses_held, g.free_uses_held},
        {"next_reset", expected->next_reset, g.next_reset},
        {"next_bonus_expiry", expected->next_expiry, g.next_expiry},
        {"next_bonus_expiry_amount", expected->next_expiry_amount, g.next_expiry_amount},
        {"user_id", s->users[user].id, got->user_id},
        {"available", expected->subscription + expected->purchased + expected->bonus,
         got->available},
        {"total", expected->subscription + expected->purchased + expected->bonus + expected->held,
         got->total},
    };
    char differ[256] = "";
    size_t i, used = 0;

    for (i = 0; i < sizeof fields / sizeof fields[0] && used < sizeof differ; i++)
        if (fields[i].model != fields[i].library)
            used += (size_t)snprintf(differ + used, sizeof differ - used, " %s (model %lld, "
                                     "library %lld)", fields[i].name,
                                     (long long)fields[i].model, (long long)fields[i].library);
    if (!differ[0])
        return;
    print_balance("model  ", expected);
    print_balance("library", &g);
    disagree(s, user, "%s differs:%s", where, differ);
}

static void compare_hold(const sim *s, const m_hold *e, const vg_hold *got, const char *where)
{
    if (got->id == e->id && got->user_id == s->users[e->user].id &&
        strcmp(got->service, e->service) == 0 && got->price == e->price &&
        got->from_bonus == e->from_bonus && got->from_subscription == e->from_subscription &&
        got->from_purchased == e->from_purchased && got->free_use == e->free_use &&
        got->state == e->state && got->forfeited == e->forfeited &&
        got->expires_at == e->expires_at)
        return;
    disagree(s, e->user,
             "%s: hold %lld differs: model %s price %lld parts %lld/%lld/%lld free %d state %d "
             "forfeited %lld expires %lld; library %s price %lld parts %lld/%lld/%lld free %d "
             "state %d forfeited %lld expires %lld", where, (long long)e->id, e->service,
             (long long)e->price, (long long)e->from_bonus, (long long)e->from_subscription,
             (long long)e->from_purchased, e->free_use, (int)e->state, (long long)e->forfeited,
             (long long)e->expires_at, got->service, (long long)got->price,
             (long long)got->from_bonus, (long long)got->from_subscription,
             (long long)got->from_purchased, got->free_use, (int)got->state,
             (long long)got->forfeited, (long long)got->expires_at);
}

/* vg_credits_balance (which applies what is due) against the model. */
static void check_user(sim *s, int user)
{
    vg_balance got;
    m_balance expected;
    int rc = vg_credits_balance(&got, s->ctx, s->users[user].id);
    if (rc != VG_OK)
        disagree(s, user, "vg_credits_balance: %s (%s)", vg_error_name(rc), vg_ctx_errmsg(s->ctx));
    model_refresh(s, user);
    expected = model_balance(s, user);
    compare_balance(s, user, &expected, &got, "vg_credits_balance");
}

/* vg_credits_hold_get on one of the user's holds (it applies what is due too). */
static void check_some_hold(sim *s, int user)
{
    const vec *holds = &s->users[user].holds;
    vg_hold got;
    m_hold *h;
    m_balance expected;
    int rc;

    if (holds->n == 0)
        return;
    h = &s->holds[holds->v[rnd() % (uint64_t)holds->n]];
    rc = vg_credits_hold_get(&got, s->ctx, h->id);
    if (rc != VG_OK)
        disagree(s, user, "vg_credits_hold_get(%lld): %s", (long long)h->id, vg_error_name(rc));
    model_refresh(s, user);
    compare_hold(s, h, &got, "vg_credits_hold_get");
    expected = model_balance(s, user);
    compare_balance(s, user, &expected, &got.balance, "vg_credits_hold_get");
    s->seen.hold_reads++;
}

typedef struct row_read {
    int found;
    vg_ledger_entry entry;
    char key[32], reference[32];
} row_read;

static int read_row(const vg_ledger_entry *e, void *payload)
{
    row_read *r = payload;
    r->found = 1;
    r->entry = *e;
    snprintf(r->key, sizeof r->key, "%s", e->idempotency_key);
    snprintf(r->reference, sizeof r->reference, "%s", e->reference);
    return 1;
}

/* The last row a successful call wrote says what the model says it changed. */
static void check_row(sim *s, const request *q, const outcome *o, int64_t seq)
{
    const m_row *e = &o->row;
    row_read r;
    const vg_ledger_entry *g = &r.entry;
    int on_hold = q->op == OP_CAPTURE || q->op == OP_RELEASE || q->op == OP_REFUND;

    memset(&r, 0, sizeof r);
    if (vg_credits_history(s->ctx, s->users[q->user].id, seq + 1, 1, read_row, &r) != VG_OK ||
        !r.found)
        disagree(s, q->user, "row %lld of the ledger cannot be read", (long long)seq);
    if (g->seq != seq || g->type != e->type || g->bonus != e->bonus ||
        g->subscription != e->subscription || g->purchased != e->purchased ||
        g->free_uses != e->free_uses || g->amount != e->bonus + e->subscription + e->purchased ||
        strcmp(r.key, q->key) != 0 || g->hold_id != (on_hold ? q->hold_id : 0) ||
        (q->op == OP_GRANT && strcmp(r.reference, q->reference) != 0))
        disagree(s, q->user,
                 "ledger row %lld: model type %d bonus %lld subscription %lld purchased %lld "
                 "free uses %d; library type %d bonus %lld subscription %lld purchased %lld "
                 "free uses %d amount %lld key %s hold %lld reference %s", (long long)seq,
                 (int)e->type, (long long)e->bonus, (long long)e->subscription,
                 (long long)e->purchased, e->free_uses, (int)g->type, (long long)g->bonus,
                 (long long)g->subscription, (long long)g->purchased, g->free_uses,
                 (long long)g->amount, r.key, (long long)g->hold_id, r.reference);
    s->seen.rows++;
}

static void count_outcome(sim *s, const request *q, const outcome *o)
{
    coverage *c = &s->seen;
    c->calls[q->op]++;
    c->ok[q->op] += o->status == VG_OK;
    c->insufficient += o->status == VG_EINSUFFICIENT_CREDITS;
    c->demo_used_up += o->status == VG_EDEMO_USED_UP;
    c->settled += o->status == VG_EHOLD_SETTLED;
    c->expired_refusals += o->status == VG_EHOLD_EXPIRED;
    c->estate += o->status == VG_ESTATE;
    c->not_found += o->status == VG_ENOTFOUND;
    c->unknown += o->status == VG_ESERVICE_UNKNOWN || o->status == VG_EPLAN_UNKNOWN;
    c->einval += o->status == VG_EINVAL || o->status == VG_ERANGE;
}

/* Makes one call on the library and in the model, and compares what they answer, then the
 * balance of the user it concerns. */
static void run_call(sim *s, request q)
{
    vg_hold hold;
    vg_balance balance;
    outcome expected;
    int rc = library_call(s, &q, &hold, &balance);

    model_call(s, &q, rc == VG_OK && q.op == OP_HOLD ? hold.id : 0, &expected);
    count_outcome(s, &q, &expected);
    if (rc != expected.status)
        disagree(s, q.user, "status: model %s, library %s (%s)", vg_error_name(expected.status),
                 vg_error_name(rc), vg_ctx_errmsg(s->ctx));
    if (rc == VG_OK || is_refusal(rc)) {
        compare_balance(s, q.user, &expected.balance, &balance,
                        expected.replayed ? "the replayed balance" : "the call's balance");
        if (expected.has_hold && expected.hold.id)
            compare_hold(s, &expected.hold, &hold,
                         expected.replayed ? "the replayed hold" : "the call's hold");
        else if (expected.has_hold && hold.id != 0)
            disagree(s, q.user, "a refused hold has id %lld", (long long)hold.id);
    }
    if (rc == VG_OK && !expected.replayed && expected.row.type)
        check_row(s, &q, &expected, balance.ledger_seq);
    check_user(s, q.user);
}

/* --- the walk ---------------------------------------------------------------------------------- */

/* An index into `weights`, each as likely as its weight. */
static int pick_weighted(const int *weights, int count)
{
    int i, total = 0, r;
    for (i = 0; i < count; i++)
        total += weights[i];
    r = (int)(rnd() % (uint64_t)total);
    for (i = 0; r >= weights[i]; i++)
        r -= weights[i];
    return i;
}

static const char *random_service(void)
{
    return rnd() % 50 == 0 ? "no_such_service" : prices[rnd() % PRICE_COUNT].name;
}

/* A hold of the user for a call on holds: mostly one in the state the call wants, sometimes
 * any of the user's, now and then one that does not exist. Returns 0 if the user has none. */
static int64_t pick_hold(sim *s, int user, const vec *preferred)
{
    const vec *all = &s->users[user].holds;
    uint64_t r = rnd() % 100;
    if (r < 3)
        return s->hold_count ? s->holds[s->hold_count - 1].id + 1000 : 1000;
    if (r < 85 && preferred->n)
        return s->holds[preferred->v[rnd() % (uint64_t)preferred->n]].id;
    return all->n ? s->holds[all->v[rnd() % (uint64_t)all->n]].id : 0;
}

static void fresh_request(sim *s, request *q, op_kind op, int user)
{
    memset(q, 0, sizeof *q);
    q->op = op;
    q->user = user;
    s->keys = grow(s->keys, &s->key_cap, s->key_count + 1, sizeof *s->keys);
    memset(&s->keys[s->key_count], 0, sizeof s->keys[0]);
    snprintf(q->key, sizeof q->key, "k%d", s->key_count++);
}

/* The same key with a different request. */
static request conflicting(const request *r)
{
    static const op_kind settle[] = {OP_CAPTURE, OP_RELEASE, OP_REFUND};
    request q = *r;
    if (rnd() % 3 == 0) { /* a call of another kind for the same user */
        memset(&q, 0, sizeof q);
        memcpy(q.key, r->key, sizeof q.key);
        q.user = r->user;
        q.op = r->op == OP_HOLD ? OP_GRANT : OP_HOLD;
        q.kind = VG_CREDIT_PURCHASED;
        q.amount = 1;
        q.service = "image_512";
        return q;
    }
    switch (r->op) {
    case OP_GRANT:
        q.amount++;
        break;
    case OP_HOLD:
        q.service = strcmp(r->service, "image_512") == 0 ? "image_1024" : "image_512";
        break;
    case OP_PLAN:
        q.plan = strcmp(r->plan, "pro") == 0 ? "starter" : "pro";
        break;
    default:
        q.op = settle[(r->op - OP_CAPTURE + 1 + (int)(rnd() % 2)) % 3];
        break;
    }
    return q;
}

static void describe_request(sim *s, const request *q, const char *how)
{
    snprintf(s->doing, sizeof s->doing,
             "%s%s key %s user %d: kind %d amount %lld expires %lld service %s plan %s hold %lld",
             how, op_names[q->op], q->key, q->user, (int)q->kind, (long long)q->amount,
             (long long)q->expires_at, q->service ? q->service : "-", q->plan ? q->plan : "-",
             (long long)q->hold_id);
}

/* Moves the clock on by seconds to several weeks. */
static void jump(sim *s)
{
    static const int64_t spans[][2] = {
        {1 * SEC, 10 * MINUTE}, {10 * MINUTE, 6 * HOUR}, {6 * HOUR, 4 * DAY}, {4 * DAY, 5 * WEEK},
    };
    static const int weights[] = {55, 30, 12, 3};
    int i = pick_weighted(weights, (int)(sizeof weights / sizeof weights[0]));
    sim_now += rnd_range(spans[i][0], spans[i][1]);
    s->seen.jumps++;
}

static void maintenance(sim *s)
{
    vg_maintenance_report report;
    size_t user;
    int rc = vg_credits_maintenance(&report, s->ctx);

    if (rc != VG_OK)
        disagree(s, -1, "vg_credits_maintenance: %s", vg_error_name(rc));
    s->expired_in_refresh = s->lots_expired_in_refresh = 0;
    for (user = 0; user < USERS; user++)
        model_refresh(s, (int)user);
    if (report.users != (int64_t)USERS || report.holds_expired != s->expired_in_refresh ||
        report.expiries != s->lots_expired_in_refresh)
        disagree(s, -1, "maintenance: %lld users, %lld holds and %lld lots expired; the model "
                 "expired %lld holds and %lld lots", (long long)report.users,
                 (long long)report.holds_expired, (long long)report.expiries,
                 (long long)s->expired_in_refresh, (long long)s->lots_expired_in_refresh);
    for (user = 0; user < USERS; user++)
        check_user(s, (int)user);
    s->seen.maintenance++;
}

static void check_store(sim *s)
{
    size_t problems = 0;
    int rc = vg_check(&problems, s->ctx, NULL, NULL);
    if (rc != VG_OK || problems != 0)
        disagree(s, -1, "vg_check: %s with %zu problems", vg_error_name(rc), problems);
    s->seen.checks++;
}

/* What a step does, and how often (per cent). */
typedef enum step_kind { S_PURCHASE, S_BONUS, S_HOLD, S_CAPTURE, S_RELEASE, S_REFUND, S_PLAN,
                         S_REPEAT, S_CONFLICT, S_JUMP, S_MAINTENANCE, S_LOOK, S_BURST,
                         S_SHARED_KEY, S_KINDS } step_kind;
static const int step_weights[S_KINDS] = {3, 5, 24, 18, 7, 4, 2, 10, 4, 9, 2, 4, 6, 2};

/* Users are not equally busy: the demo and the first starter account most. */
static const int user_weights[USERS] = {30, 25, 15, 15, 15};

/* A new call of the given kind with a fresh key (a call on a hold when the user has none
 * becomes a hold). Returns 0 if the step is no call. */
static int fresh_call(sim *s, request *q, step_kind kind, int user)
{
    static const op_kind settle_ops[] = {[S_CAPTURE] = OP_CAPTURE, [S_RELEASE] = OP_RELEASE,
                                         [S_REFUND] = OP_REFUND};
    m_user *w = &s->users[user];
    uint64_t e;

    switch (kind) {
    case S_PURCHASE: /* now and then with an argument wrong whatever the state */
        e = rnd() % 100;
        fresh_request(s, q, OP_GRANT, user);
        q->kind = VG_CREDIT_PURCHASED;
        q->amount = e < 3 ? 0 : rnd_range(1, 20);
        q->expires_at = e >= 3 && e < 6 ? sim_now + DAY : 0; /* purchased credits never expire */
        snprintf(q->reference, sizeof q->reference, "order-%ld", s->step);
        return 1;
    case S_BONUS: /* the default expiry, soon (while holds are open), later, or in the past */
        e = rnd() % 100;
        fresh_request(s, q, OP_GRANT, user);
        q->kind = VG_CREDIT_BONUS;
        q->amount = rnd_range(1, 20);
        q->expires_at = e < 40   ? 0
                        : e < 65 ? sim_now + rnd_range(10 * MINUTE, 3 * HOUR)
                        : e < 97 ? sim_now + rnd_range(3 * HOUR, 60 * DAY)
                                 : sim_now - rnd_range(0, DAY);
        snprintf(q->reference, sizeof q->reference, "promo-%ld", s->step);
        return 1;
    case S_CAPTURE:
    case S_RELEASE:
    case S_REFUND:
        fresh_request(s, q, settle_ops[kind], user);
        q->hold_id = pick_hold(s, user, kind == S_REFUND ? &w->captured : &w->open);
        return q->hold_id ? 1 : fresh_call(s, q, S_HOLD, user); /* nothing to settle yet */
    case S_HOLD:
        fresh_request(s, q, OP_HOLD, user);
        q->service = random_service();
        snprintf(q->reference, sizeof q->reference, "job-%ld-%d", s->step, s->key_count);
        return 1;
    case S_PLAN:
        fresh_request(s, q, OP_PLAN, user);
        q->plan = rnd() % 20 == 0 ? "platinum" : plan_rules[rnd() % PLAN_COUNT].name;
        return 1;
    default:
        return 0;
    }
}

/* One step: a call (fresh, repeated or conflicting), a clock jump, maintenance or a look. */
static void step(sim *s)
{
    int user = pick_weighted(user_weights, (int)USERS);
    step_kind kind = (step_kind)pick_weighted(step_weights, S_KINDS);
    request q;

    sim_now += rnd_range(SEC, 5 * SEC);
    if ((kind == S_REPEAT || kind == S_CONFLICT || kind == S_SHARED_KEY) && s->stored.n > 0) {
        int stored = s->stored.v[rnd() % (uint64_t)s->stored.n];
        const key_record *rec = &s->keys[stored / (int)USERS].by_user[stored % (int)USERS];
        if (kind == S_SHARED_KEY) { /* another user's key is a fresh key for this one */
            if (user == rec->request.user ||
                s->keys[stored / (int)USERS].by_user[user].used)
                return;
            char key[sizeof q.key];
            memcpy(key, rec->request.key, sizeof key); /* a fresh call may move the records */
            fresh_call(s, &q, rnd() % 2 ? S_HOLD : S_PURCHASE, user);
            memcpy(q.key, key, sizeof q.key);
            s->seen.shared_keys++;
        } else {
            q = kind == S_REPEAT ? rec->request : conflicting(&rec->request);
        }
        describe_request(s, &q, kind == S_REPEAT     ? "repeat "
                                : kind == S_CONFLICT ? "conflicting "
                                                     : "another user's key: ");
        run_call(s, q);
    } else if (fresh_call(s, &q, kind == S_REPEAT || kind == S_CONFLICT || kind == S_SHARED_KEY
                                      ? S_HOLD : kind, user)) {
        describe_request(s, &q, "");
        run_call(s, q);
        if (rnd() % 5 == 0)
            check_some_hold(s, q.user);
    } else if (kind == S_JUMP) {
        jump(s);
        snprintf(s->doing, sizeof s->doing, "clock jump to %lld", (long long)sim_now);
        check_user(s, user);
    } else if (kind == S_BURST) { /* several generations started at once */
        int i, count = (int)rnd_range(3, 8);
        for (i = 0; i < count; i++) {
            fresh_call(s, &q, S_HOLD, user);
            describe_request(s, &q, "burst: ");
            run_call(s, q);
        }
    } else if (kind == S_MAINTENANCE) {
        snprintf(s->doing, sizeof s->doing, "maintenance");
        maintenance(s);
    } else {
        snprintf(s->doing, sizeof s->doing, "look at user %d", user);
        check_user(s, user);
        check_some_hold(s, user);
    }
}

/* --- the ledger's weekly resets: each on a Monday 00:00 UTC, at most one per week ---------- */

typedef struct reset_walk {
    vg_time last;     /* effective_at of the newer reset row seen (walking newest first) */
    int bad;
} reset_walk;

static int check_reset_row(const vg_ledger_entry *e, void *payload)
{
    static const vg_time monday_1970 = 4 * DAY; /* 1970-01-05 */
    reset_walk *w = payload;
    if (e->type != VG_LEDGER_WEEKLY_RESET)
        return 0;
    if ((e->effective_at - monday_1970) % WEEK != 0 || (w->last && e->effective_at >= w->last))
        w->bad = 1;
    w->last = e->effective_at;
    return w->bad;
}

static void check_reset_rows(sim *s, int user)
{
    reset_walk walk = {0, 0};
    vg_balance b;
    int64_t before;
    assert_int_equal(vg_credits_balance(&b, s->ctx, s->users[user].id), VG_OK);
    for (before = b.ledger_seq + 1; before > 1 && !walk.bad; before -= 1000)
        assert_int_equal(vg_credits_history(s->ctx, s->users[user].id, before, 1000,
                                            check_reset_row, &walk), VG_OK);
    if (walk.bad)
        disagree(s, user, "a WEEKLY_RESET row is not on a Monday, or two fall in one week");
}

/* --- running a whole simulation ---------------------------------------------------------------- */

static long env_number(const char *name, long fallback)
{
    const char *text = getenv(name);
    return text && *text ? strtol(text, NULL, 0) : fallback;
}

static void print_coverage(const sim *s)
{
    const coverage *c = &s->seen;
    int i;
    for (i = 0; i <= OP_PLAN; i++)
        print_message("  %-8s %6ld calls, %6ld ok\n", op_names[i], c->calls[i], c->ok[i]);
    print_message("  replays %ld, conflicts %ld; refused: insufficient %ld, demo used up %ld, "
                  "settled %ld, expired %ld, not captured %ld; not found %ld, unknown %ld, "
                  "invalid %ld\n", c->replays, c->conflicts, c->insufficient, c->demo_used_up,
                  c->settled, c->expired_refusals, c->estate, c->not_found, c->unknown, c->einval);
    print_message("  free uses %ld, weekly resets %ld, holds expired %ld, lots expired %ld, "
                  "bonus parts forfeited %ld, regranted %ld, subscription parts forfeited %ld, "
                  "capped after a downgrade %ld, upgrades %ld, downgrades %ld\n", c->free_uses,
                  c->resets, c->holds_expired, c->lots_expired, c->forfeited_bonus, c->regrants,
                  c->forfeited_subscription, c->capped_subscription, c->upgrades, c->downgrades);
    print_message("  clock jumps %ld, maintenance runs %ld, store checks %ld, hold reads %ld, "
                  "ledger rows checked %ld, keys shared by two users %ld\n", c->jumps,
                  c->maintenance, c->checks, c->hold_reads, c->rows, c->shared_keys);
}

static void simulate(vg_expired_refund expired_refund, const char *name)
{
    static sim s; /* large: not on the stack */
    char location[512];
    uint64_t seed = (uint64_t)env_number("VIDGO_SIM_SEED", (long)DEFAULT_SEED);
    vg_config config;
    size_t user;

    memset(&s, 0, sizeof s);
    test_fresh_location(location, sizeof location, name);
    s.steps = env_number("VIDGO_SIM_STEPS", DEFAULT_STEPS);
    s.expired_refund = expired_refund;
    rng = seed ? seed : 1;
    assert_int_equal(vg_time_parse(&sim_now, "2026-01-07T10:00:00Z"), VG_OK);
    sim_now += rnd_range(0, HOUR);
    print_message("%s: seed %" PRIu64 " (VIDGO_SIM_SEED), %ld steps (VIDGO_SIM_STEPS)\n", name,
                  seed, s.steps);

    test_config_init(&config, location);
    config.clock = test_fake_clock;
    config.clock_payload = &sim_now;
    config.log_level = VG_LOG_NONE;
    config.hold_ttl_s = HOLD_TTL_S;
    config.bonus_ttl_days = BONUS_TTL_DAYS;
    config.expired_refund = expired_refund;
    config.regrant_ttl_days = REGRANT_TTL_DAYS;
    s.ctx = test_open(&config);

    for (user = 0; user < USERS; user++) {
        m_user *w = &s.users[user];
        vg_time monday_1970 = 4 * DAY;
        snprintf(w->email, sizeof w->email, "sim-%zu-%s@example.com", user, user_plans[user]);
        assert_int_equal(vg_user_add_verified(&w->id, s.ctx, w->email, user_plans[user]), VG_OK);
        w->plan = plan_rule_of(user_plans[user]);
        w->subscription = w->plan->weekly;
        w->free_uses = w->plan->free_uses;
        w->week_start = sim_now - (sim_now - monday_1970) % WEEK;
        check_user(&s, (int)user);
    }
    for (s.step = 1; s.step <= s.steps; s.step++) {
        step(&s);
        if (s.step % 100 == 0)
            check_store(&s);
    }
    s.step--;
    snprintf(s.doing, sizeof s.doing, "the end");
    for (user = 0; user < USERS; user++) {
        check_user(&s, (int)user);
        check_reset_rows(&s, (int)user);
    }
    check_store(&s);
    print_coverage(&s);
    if (seed == DEFAULT_SEED && s.steps >= DEFAULT_STEPS) { /* the walk went everywhere */
        const coverage *c = &s.seen;
        assert_true(c->replays > 0 && c->conflicts > 0 && c->insufficient > 0 &&
                    c->demo_used_up > 0 && c->settled > 0 && c->expired_refusals > 0 &&
                    c->estate > 0 && c->resets > 0 && c->holds_expired > 0 &&
                    c->lots_expired > 0 && c->forfeited_subscription > 0 && c->downgrades > 0 &&
                    (expired_refund == VG_EXPIRED_REFUND_REGRANT ? c->regrants
                                                                 : c->forfeited_bonus) > 0);
    }

    vg_close(s.ctx);
    for (user = 0; user < USERS; user++) {
        free(s.users[user].lots.v);
        free(s.users[user].open.v);
        free(s.users[user].captured.v);
        free(s.users[user].holds.v);
    }
    free(s.lots);
    free(s.holds);
    free(s.parts);
    free(s.keys);
    free(s.stored.v);
}

static void test_the_wallet_follows_the_model_when_expired_parts_are_forfeited(void **state)
{
    (void)state;
    simulate(VG_EXPIRED_REFUND_FORFEIT, "forfeit");
}

static void test_the_wallet_follows_the_model_when_expired_parts_are_regranted(void **state)
{
    (void)state;
    simulate(VG_EXPIRED_REFUND_REGRANT, "regrant");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_wallet_follows_the_model_when_expired_parts_are_forfeited),
        cmocka_unit_test(test_the_wallet_follows_the_model_when_expired_parts_are_regranted),
    };
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
