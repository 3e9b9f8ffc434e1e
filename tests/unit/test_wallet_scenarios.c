/* SPDX-License-Identifier: MIT */
/* The credit wallet, scenario by scenario on a fake clock: weekly resets, bonus expiry,
 * spending order, holds and their settlement, plan changes, the demo, maintenance,
 * idempotency and bad input; every scenario ends with the wallet invariants checked. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "test_support.h"

#define SEC INT64_C(1000000)
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY (86400 * SEC)
#define WEEK (7 * DAY)
#define WEDNESDAY (INT64_C(1795600800) * SEC) /* 2026-11-25T10:00:00Z, where every test starts */
#define MONDAY (INT64_C(1795996800) * SEC)    /* 2026-11-30T00:00:00Z, the next reset */
#define HOLD_TTL (7200 * SEC)                 /* vg_config.hold_ttl_s by default */
#define MAX_AMOUNT INT64_C(1000000000000)     /* the largest grant (10^12) */
#define MAX_USERS 256

/* --- shared helpers ---------------------------------------------------------------------- */

typedef struct fixture {
    char location[512];               /* the store, on the target under test */
    int unavailable;                  /* the target cannot run here: location is the reason */
    vg_ctx *ctx;
    vg_time now;                      /* what the fake clock says */
    vg_expired_refund expired_refund; /* wallet rules the store is opened with */
    int regrant_ttl_days;
    int64_t users[MAX_USERS];         /* every user created, for the invariants */
    int user_count;
} fixture;

static void open_store(fixture *f)
{
    vg_config config;
    test_config_init(&config, f->location);
    config.clock = test_fake_clock;
    config.clock_payload = &f->now;
    config.expired_refund = f->expired_refund;
    config.regrant_ttl_days = f->regrant_ttl_days;
    f->ctx = test_open(&config);
}

/* Closes the store and opens the same one again (with the fixture's wallet rules). */
static void reopen_store(fixture *f)
{
    vg_close(f->ctx);
    f->ctx = NULL;
    open_store(f);
}

/* A fresh store on the target under test (the test skips when the target cannot run here:
 * see fixture_of()). */
static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    if (test_try_fresh_location(f->location, sizeof f->location, "scenario") != 0) {
        f->unavailable = 1;
        return 0;
    }
    open_store(f);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_close(f->ctx);
    free(f);
    return 0;
}

/* The fixture of a test, which is skipped here when the target cannot run. */
static fixture *fixture_of(void **state)
{
    fixture *f = *state;
    if (f->unavailable)
        test_unavailable(f->location);
    return f;
}

static int64_t add_user(fixture *f, const char *plan)
{
    char email[64];
    int64_t id;
    assert_true(f->user_count < MAX_USERS);
    snprintf(email, sizeof email, "user%d@example.com", f->user_count);
    assert_status(vg_user_add_verified(&id, f->ctx, email, plan), VG_OK);
    f->users[f->user_count++] = id;
    return id;
}

static vg_balance balance_of(fixture *f, int64_t user)
{
    vg_balance b;
    assert_status(vg_credits_balance(&b, f->ctx, user), VG_OK);
    return b;
}

static vg_balance grant(fixture *f, int64_t user, vg_credit_kind kind, int64_t amount,
                        vg_time expires_at, const char *key)
{
    vg_balance b;
    assert_status(vg_credits_grant(&b, f->ctx, user, kind, amount, expires_at, "test", key), VG_OK);
    return b;
}

static vg_hold hold(fixture *f, int64_t user, const char *service, const char *key)
{
    vg_hold h;
    assert_status(vg_credits_hold(&h, f->ctx, user, service, "job", key), VG_OK);
    assert_int_equal(h.state, VG_HOLD_OPEN);
    return h;
}

typedef int (*settle_fn)(vg_hold *, vg_ctx *, int64_t, const char *);

static vg_hold settle(fixture *f, settle_fn call, int64_t hold_id, const char *key)
{
    vg_hold h;
    assert_status(call(&h, f->ctx, hold_id, key), VG_OK);
    return h;
}

/* One use of a service, held and captured; the capture's key is the hold's plus "/c". */
static void spend(fixture *f, int64_t user, const char *service, const char *key)
{
    char capture_key[128];
    vg_hold h = hold(f, user, service, key);
    snprintf(capture_key, sizeof capture_key, "%s/c", key);
    settle(f, vg_credits_capture, h.id, capture_key);
}

static void assert_buckets(const vg_balance *b, int64_t subscription, int64_t purchased,
                           int64_t bonus, int64_t held)
{
    if (b->subscription != subscription || b->purchased != purchased || b->bonus != bonus ||
        b->held != held)
        fail_msg("buckets sub %lld pur %lld bonus %lld held %lld, expected %lld %lld %lld %lld",
                 (long long)b->subscription, (long long)b->purchased, (long long)b->bonus,
                 (long long)b->held, (long long)subscription, (long long)purchased,
                 (long long)bonus, (long long)held);
}

static void assert_same_balance(const vg_balance *a, const vg_balance *b)
{
    assert_int_equal(a->user_id, b->user_id);
    assert_buckets(a, b->subscription, b->purchased, b->bonus, b->held);
    assert_int_equal(a->available, b->available);
    assert_int_equal(a->total, b->total);
    assert_int_equal(a->free_uses, b->free_uses);
    assert_int_equal(a->free_uses_held, b->free_uses_held);
    assert_int_equal(a->next_reset, b->next_reset);
    assert_int_equal(a->next_bonus_expiry, b->next_bonus_expiry);
    assert_int_equal(a->next_bonus_expiry_amount, b->next_bonus_expiry_amount);
    assert_int_equal(a->ledger_seq, b->ledger_seq);
}

static void assert_same_hold(const vg_hold *a, const vg_hold *b)
{
    assert_int_equal(a->id, b->id);
    assert_int_equal(a->user_id, b->user_id);
    assert_string_equal(a->service, b->service);
    assert_string_equal(a->reference, b->reference);
    assert_int_equal(a->price, b->price);
    assert_int_equal(a->from_bonus, b->from_bonus);
    assert_int_equal(a->from_subscription, b->from_subscription);
    assert_int_equal(a->from_purchased, b->from_purchased);
    assert_int_equal(a->free_use, b->free_use);
    assert_int_equal(a->state, b->state);
    assert_int_equal(a->forfeited, b->forfeited);
    assert_int_equal(a->created_at, b->created_at);
    assert_int_equal(a->expires_at, b->expires_at);
    assert_int_equal(a->settled_at, b->settled_at);
    assert_same_balance(&a->balance, &b->balance);
}

/* The wallet is exactly as it was (the balance read again, ledger_seq included). */
static void assert_unchanged(fixture *f, int64_t user, const vg_balance *before)
{
    vg_balance now = balance_of(f, user);
    assert_same_balance(&now, before);
}

/* A ledger row copied out of the history callback (its strings live only in the call). */
typedef struct ledger_row {
    vg_ledger_entry e; /* string pointers cleared: read the arrays below */
    char service[VG_NAME_SIZE];
    char reference[VG_REFERENCE_SIZE];
    char key[256];
} ledger_row;

typedef struct row_list {
    ledger_row rows[16];
    int count;
} row_list;

static int collect_row(const vg_ledger_entry *e, void *payload)
{
    row_list *l = payload;
    if (l->count < 16) {
        ledger_row *r = &l->rows[l->count];
        r->e = *e;
        snprintf(r->service, sizeof r->service, "%s", e->service);
        snprintf(r->reference, sizeof r->reference, "%s", e->reference);
        snprintf(r->key, sizeof r->key, "%s", e->idempotency_key);
        r->e.service = r->e.reference = r->e.idempotency_key = NULL;
    }
    l->count++;
    return 0;
}

/* Up to 16 rows with seq < before_seq (0: the newest), newest first. */
static row_list history(fixture *f, int64_t user, int64_t before_seq, int limit)
{
    row_list l;
    memset(&l, 0, sizeof l);
    assert_status(vg_credits_history(f->ctx, user, before_seq, limit, collect_row, &l), VG_OK);
    return l;
}

static ledger_row newest_row(fixture *f, int64_t user)
{
    row_list l = history(f, user, 0, 1);
    assert_int_equal(l.count, 1);
    return l.rows[0];
}

/* What the whole ledger of a user adds up to. */
typedef struct ledger_sum {
    int64_t rows, amount, newest_seq, newest_total_after;
    int64_t by_type[16];
} ledger_sum;

static int add_row(const vg_ledger_entry *e, void *payload)
{
    ledger_sum *s = payload;
    if (s->rows == 0) {
        s->newest_seq = e->seq;
        s->newest_total_after = e->total_after;
    }
    s->rows++;
    s->amount += e->amount;
    if (e->type > 0 && e->type < 16)
        s->by_type[e->type]++;
    return 0;
}

static ledger_sum sum_ledger(fixture *f, int64_t user)
{
    ledger_sum s;
    memset(&s, 0, sizeof s);
    assert_status(vg_credits_history(f->ctx, user, 0, 1000, add_row, &s), VG_OK);
    assert_true(s.rows < 1000);
    return s;
}

static int64_t count_rows(fixture *f, int64_t user, vg_ledger_type type)
{
    return sum_ledger(f, user).by_type[type];
}

static void print_problem(const char *check, const char *subject, const char *detail,
                          void *payload)
{
    (void)payload;
    print_error("vg_check: %s: %s: %s\n", check, subject, detail);
}

/* The end of every scenario: each wallet's arithmetic, its ledger, and vg_check. */
static void assert_invariants(fixture *f)
{
    size_t problems = 12345;
    int i;

    for (i = 0; i < f->user_count; i++) {
        vg_balance b = balance_of(f, f->users[i]);
        ledger_sum s = sum_ledger(f, f->users[i]);
        assert_int_equal(b.available, b.subscription + b.purchased + b.bonus);
        assert_int_equal(b.total, b.available + b.held);
        assert_true(b.subscription >= 0 && b.purchased >= 0 && b.bonus >= 0 && b.held >= 0);
        assert_true(b.free_uses >= 0 && b.free_uses_held >= 0);
        assert_int_equal(b.next_reset, vg_credits_next_reset(f->now));
        assert_int_equal(s.newest_seq, b.ledger_seq);
        assert_int_equal(s.newest_total_after, b.total);
        assert_int_equal(s.amount, b.total);
    }
    assert_status(vg_check(&problems, f->ctx, print_problem, NULL), VG_OK);
    assert_int_equal(problems, 0);
}

/* A starter wallet with every bucket in use: subscription 3 (22 spent), purchased 20, and
 * two bonus grants, A (3 credits, expiring in 30 days, granted first) and B (2 credits,
 * expiring in 10 days). Returns the user; *a_expiry and *b_expiry get the expiries. */
static int64_t three_buckets(fixture *f, vg_time *a_expiry, vg_time *b_expiry)
{
    int64_t u = add_user(f, "starter");
    vg_balance b;

    spend(f, u, "style_effects", "tb-1");
    spend(f, u, "style_effects", "tb-2");
    spend(f, u, "image_1024", "tb-3");
    spend(f, u, "image_1024", "tb-4");
    *a_expiry = f->now + 30 * DAY;
    *b_expiry = f->now + 10 * DAY;
    grant(f, u, VG_CREDIT_PURCHASED, 20, 0, "tb-pur");
    grant(f, u, VG_CREDIT_BONUS, 3, *a_expiry, "tb-a");
    b = grant(f, u, VG_CREDIT_BONUS, 2, *b_expiry, "tb-b");
    assert_buckets(&b, 3, 20, 5, 0);
    assert_int_equal(b.next_bonus_expiry, *b_expiry);
    return u;
}

/* The mutating calls, as data, for the idempotency and bad-key tests. */
typedef enum call_kind { GRANT, HOLD, CAPTURE, RELEASE, REFUND, CHANGE_PLAN, CALL_KINDS } call_kind;

typedef struct call {
    call_kind kind;
    int64_t target;  /* the user; the hold for CAPTURE, RELEASE and REFUND */
    const char *arg; /* HOLD: the service; CHANGE_PLAN: the plan */
    int64_t amount;  /* GRANT: purchased credits */
} call;

typedef struct outcome {
    int status;
    vg_balance balance;
    vg_hold hold;
} outcome;

static outcome perform(fixture *f, const call *c, const char *key)
{
    static const settle_fn settles[] = {vg_credits_capture, vg_credits_release,
                                        vg_credits_refund};
    outcome o;
    memset(&o, 0, sizeof o);
    switch (c->kind) {
    case GRANT:
        o.status = vg_credits_grant(&o.balance, f->ctx, c->target, VG_CREDIT_PURCHASED, c->amount,
                                    0, NULL, key);
        break;
    case HOLD:
        o.status = vg_credits_hold(&o.hold, f->ctx, c->target, c->arg, NULL, key);
        o.balance = o.hold.balance;
        break;
    case CAPTURE:
    case RELEASE:
    case REFUND:
        o.status = settles[c->kind - CAPTURE](&o.hold, f->ctx, c->target, key);
        o.balance = o.hold.balance;
        break;
    case CHANGE_PLAN:
        o.status = vg_credits_change_plan(&o.balance, f->ctx, c->target, c->arg, key);
        break;
    case CALL_KINDS:
    default:
        fail_msg("unknown call kind %d", (int)c->kind);
    }
    return o;
}

static outcome perform_ok(fixture *f, const call *c, const char *key)
{
    outcome o = perform(f, c, key);
    assert_status(o.status, VG_OK);
    return o;
}

/* Repeats a call with its key, then again after closing and reopening the store: each
 * repeat gives the first outcome (status, balance, and the hold if there is one) and leaves
 * the wallet as it is. */
static void expect_replay(fixture *f, int64_t user, const call *c, const char *key,
                          const outcome *first)
{
    int pass;
    for (pass = 0; pass < 2; pass++) {
        vg_balance before;
        outcome again;
        if (pass == 1)
            reopen_store(f);
        before = balance_of(f, user);
        again = perform(f, c, key);
        assert_status(again.status, first->status);
        if (c->kind != GRANT && c->kind != CHANGE_PLAN && first->hold.id != 0)
            assert_same_hold(&again.hold, &first->hold);
        if (first->status == VG_OK || c->kind != CHANGE_PLAN)
            assert_same_balance(&again.balance, &first->balance);
        assert_unchanged(f, user, &before);
    }
}

/* The call with this key is refused as a conflict, and the wallet is left as it was. */
static void expect_conflict(fixture *f, int64_t user, const call *c, const char *key)
{
    vg_balance before = balance_of(f, user);
    assert_status(perform(f, c, key).status, VG_EIDEMPOTENCY_CONFLICT);
    assert_unchanged(f, user, &before);
}

/* --- weekly reset ------------------------------------------------------------------------ */

static void test_the_weekly_reset_happens_at_monday_midnight_utc_not_a_second_before(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_balance b;
    ledger_row r;

    spend(f, u, "hd_enhance", "spend");
    b = balance_of(f, u);
    assert_buckets(&b, 15, 0, 0, 0);
    assert_int_equal(b.next_reset, MONDAY);

    f->now = MONDAY - SEC; /* Sunday 23:59:59 */
    b = balance_of(f, u);
    assert_buckets(&b, 15, 0, 0, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_WEEKLY_RESET), 0);

    f->now = MONDAY;
    b = balance_of(f, u);
    assert_buckets(&b, 25, 0, 0, 0);
    assert_int_equal(b.next_reset, MONDAY + WEEK);
    assert_int_equal(count_rows(f, u, VG_LEDGER_WEEKLY_RESET), 1);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_WEEKLY_RESET);
    assert_int_equal(r.e.effective_at, MONDAY);
    assert_int_equal(r.e.subscription, 10);
    assert_int_equal(r.e.total_after, 25);
    assert_invariants(f);
}

static void test_a_three_week_gap_gives_one_reset_row_and_this_weeks_credits(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_balance b;
    ledger_row r;

    spend(f, u, "hd_enhance", "spend");
    f->now = WEDNESDAY + 3 * WEEK; /* three Mondays went by unseen */
    b = balance_of(f, u);
    assert_buckets(&b, 25, 0, 0, 0);
    assert_int_equal(b.next_reset, MONDAY + 3 * WEEK);
    assert_int_equal(count_rows(f, u, VG_LEDGER_WEEKLY_RESET), 1);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_WEEKLY_RESET);
    assert_int_equal(r.e.effective_at, MONDAY + 2 * WEEK); /* the Monday of this week */
    assert_int_equal(r.e.subscription, 10);

    f->now = MONDAY + 3 * WEEK;
    balance_of(f, u);
    assert_int_equal(count_rows(f, u, VG_LEDGER_WEEKLY_RESET), 2);
    assert_invariants(f);
}

/* --- bonus expiry ------------------------------------------------------------------------ */

static void test_a_bonus_grant_expires_at_its_expiry_mid_week_not_before(void **state)
{
    fixture *f = fixture_of(state);
    const vg_time expiry = WEDNESDAY + 2 * DAY + 5 * HOUR + 30 * MINUTE; /* Friday 15:30 */
    int64_t u = add_user(f, "starter");
    vg_balance b;
    ledger_row r;

    b = grant(f, u, VG_CREDIT_BONUS, 7, expiry, "bonus");
    assert_buckets(&b, 25, 0, 7, 0);
    assert_int_equal(b.next_bonus_expiry, expiry);
    assert_int_equal(b.next_bonus_expiry_amount, 7);

    f->now = expiry - SEC;
    b = balance_of(f, u);
    assert_buckets(&b, 25, 0, 7, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_EXPIRY), 0);

    f->now = expiry;
    b = balance_of(f, u);
    assert_buckets(&b, 25, 0, 0, 0);
    assert_int_equal(b.next_bonus_expiry, 0);
    assert_int_equal(b.next_bonus_expiry_amount, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_EXPIRY), 1);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_EXPIRY);
    assert_int_equal(r.e.effective_at, expiry);
    assert_int_equal(r.e.bonus, -7);
    assert_int_equal(r.e.amount, -7);
    assert_int_equal(r.e.total_after, 25);
    assert_invariants(f);
}

static void test_a_bonus_grant_expires_ninety_days_after_it_by_default(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "pro");
    vg_balance b = grant(f, u, VG_CREDIT_BONUS, 4, 0, "bonus");
    assert_int_equal(b.next_bonus_expiry, WEDNESDAY + 90 * DAY);
    assert_int_equal(newest_row(f, u).e.effective_at, WEDNESDAY + 90 * DAY);

    f->now = WEDNESDAY + 90 * DAY - SEC;
    assert_int_equal(balance_of(f, u).bonus, 4);
    f->now = WEDNESDAY + 90 * DAY;
    assert_int_equal(balance_of(f, u).bonus, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_EXPIRY), 1);
    assert_invariants(f);
}

static void test_each_expired_bonus_grant_gets_its_own_expiry_row(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    row_list l;

    grant(f, u, VG_CREDIT_BONUS, 3, WEDNESDAY + DAY, "b1");
    grant(f, u, VG_CREDIT_BONUS, 5, WEDNESDAY + 2 * DAY, "b2");
    f->now = WEDNESDAY + 4 * DAY; /* both expired meanwhile, no call in between */
    assert_int_equal(balance_of(f, u).bonus, 0);
    l = history(f, u, 0, 2);
    assert_int_equal(l.rows[1].e.type, VG_LEDGER_EXPIRY);
    assert_int_equal(l.rows[1].e.effective_at, WEDNESDAY + DAY);
    assert_int_equal(l.rows[1].e.bonus, -3);
    assert_int_equal(l.rows[0].e.type, VG_LEDGER_EXPIRY);
    assert_int_equal(l.rows[0].e.effective_at, WEDNESDAY + 2 * DAY);
    assert_int_equal(l.rows[0].e.bonus, -5);
    assert_int_equal(count_rows(f, u, VG_LEDGER_EXPIRY), 2);
    assert_invariants(f);
}

/* --- holds --------------------------------------------------------------------------------- */

static void test_holds_spend_bonus_earliest_expiry_first_then_subscription_then_purchased(void **state)
{
    fixture *f = fixture_of(state);
    vg_time a_expiry, b_expiry;
    int64_t u = three_buckets(f, &a_expiry, &b_expiry);
    vg_hold h;

    /* 3 credits: all of B (expiring first), then 1 of A */
    h = hold(f, u, "image_1024", "h1");
    assert_int_equal(h.price, 3);
    assert_int_equal(h.from_bonus, 3);
    assert_int_equal(h.from_subscription, 0);
    assert_int_equal(h.from_purchased, 0);
    assert_buckets(&h.balance, 3, 20, 2, 3);
    assert_int_equal(h.balance.next_bonus_expiry, a_expiry);
    assert_int_equal(h.balance.next_bonus_expiry_amount, 2);

    /* 10 credits: the rest of A, then the subscription, then purchased */
    h = hold(f, u, "hd_enhance", "h2");
    assert_int_equal(h.from_bonus, 2);
    assert_int_equal(h.from_subscription, 3);
    assert_int_equal(h.from_purchased, 5);
    assert_buckets(&h.balance, 0, 15, 0, 13);
    assert_int_equal(h.balance.next_bonus_expiry, 0);
    assert_int_equal(h.balance.total, 28);
    assert_invariants(f);
}

static void test_capture_writes_one_debit_row_with_the_hold_parts(void **state)
{
    fixture *f = fixture_of(state);
    vg_time a_expiry, b_expiry;
    int64_t u = three_buckets(f, &a_expiry, &b_expiry);
    vg_hold h = hold(f, u, "hd_enhance", "h"), captured;
    ledger_row r;

    assert_int_equal(h.balance.ledger_seq, balance_of(f, u).ledger_seq); /* a hold writes none */
    captured = settle(f, vg_credits_capture, h.id, "c");
    assert_int_equal(captured.state, VG_HOLD_CAPTURED);
    assert_int_equal(captured.settled_at, f->now);
    assert_int_equal(captured.balance.ledger_seq, h.balance.ledger_seq + 1);
    assert_buckets(&captured.balance, 0, 18, 0, 0);
    assert_int_equal(captured.balance.total, h.balance.total - 10);

    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_DEBIT);
    assert_int_equal(r.e.amount, -10);
    assert_int_equal(r.e.bonus, -5);
    assert_int_equal(r.e.subscription, -3);
    assert_int_equal(r.e.purchased, -2);
    assert_int_equal(r.e.hold_id, h.id);
    assert_int_equal(r.e.total_after, 18);
    assert_string_equal(r.service, "hd_enhance");
    assert_string_equal(r.reference, "job");
    assert_string_equal(r.key, "c");
    assert_int_equal(count_rows(f, u, VG_LEDGER_DEBIT), 5); /* 4 from three_buckets */
    assert_invariants(f);
}

static void test_release_restores_every_bucket_exactly(void **state)
{
    fixture *f = fixture_of(state);
    vg_time a_expiry, b_expiry;
    int64_t u = three_buckets(f, &a_expiry, &b_expiry);
    const vg_balance before = balance_of(f, u);
    vg_hold h1 = hold(f, u, "image_1024", "h1"), h2 = hold(f, u, "hd_enhance", "h2"), released;

    released = settle(f, vg_credits_release, h2.id, "r2");
    assert_int_equal(released.state, VG_HOLD_RELEASED);
    assert_int_equal(released.forfeited, 0);
    released = settle(f, vg_credits_release, h1.id, "r1");
    assert_same_balance(&released.balance, &before);
    assert_unchanged(f, u, &before);
    assert_int_equal(count_rows(f, u, VG_LEDGER_FORFEIT), 0);
    assert_invariants(f);
}

static void test_release_after_a_monday_reset_forfeits_the_subscription_part(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h, released;
    vg_balance b;
    ledger_row r;

    spend(f, u, "hd_enhance", "s1");
    spend(f, u, "hd_enhance", "s2");
    grant(f, u, VG_CREDIT_PURCHASED, 10, 0, "p");
    f->now = MONDAY - 30 * MINUTE;
    h = hold(f, u, "hd_enhance", "h");
    assert_int_equal(h.from_subscription, 5);
    assert_int_equal(h.from_purchased, 5);

    f->now = MONDAY + 30 * MINUTE;
    released = settle(f, vg_credits_release, h.id, "r");
    assert_int_equal(released.state, VG_HOLD_RELEASED);
    assert_int_equal(released.forfeited, 5);
    b = released.balance;
    assert_buckets(&b, 25, 10, 0, 0); /* the week's credits, and the purchased part back */
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_FORFEIT);
    assert_int_equal(r.e.subscription, -5);
    assert_int_equal(r.e.purchased, 0);
    assert_int_equal(r.e.hold_id, h.id);
    assert_int_equal(r.e.total_after, 35);
    assert_int_equal(count_rows(f, u, VG_LEDGER_FORFEIT), 1);
    assert_invariants(f);
}

/* A starter user holds hd_enhance an hour before a 12-credit bonus grant expires (10 of
 * it in the hold) and releases it half an hour after; returns the released hold. */
static vg_hold release_after_bonus_expiry(fixture *f, int64_t u, vg_time *expiry)
{
    vg_hold h;
    *expiry = WEDNESDAY + DAY;
    grant(f, u, VG_CREDIT_BONUS, 12, *expiry, "bonus");
    f->now = *expiry - HOUR;
    h = hold(f, u, "hd_enhance", "h");
    assert_int_equal(h.from_bonus, 10);
    f->now = *expiry + 30 * MINUTE;
    h = settle(f, vg_credits_release, h.id, "r");
    assert_int_equal(h.state, VG_HOLD_RELEASED);
    return h;
}

static void test_release_after_the_bonus_grant_expired_forfeits_its_part(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_time expiry;
    vg_hold h = release_after_bonus_expiry(f, u, &expiry);
    row_list l;

    assert_int_equal(h.forfeited, 10);
    assert_buckets(&h.balance, 25, 0, 0, 0);
    assert_int_equal(h.balance.next_bonus_expiry, 0);
    l = history(f, u, 0, 2);
    assert_int_equal(l.rows[1].e.type, VG_LEDGER_EXPIRY); /* the 2 not held */
    assert_int_equal(l.rows[1].e.bonus, -2);
    assert_int_equal(l.rows[1].e.effective_at, expiry);
    assert_int_equal(l.rows[0].e.type, VG_LEDGER_FORFEIT);
    assert_int_equal(l.rows[0].e.bonus, -10);
    assert_int_equal(l.rows[0].e.total_after, 25);
    assert_invariants(f);
}

static void test_with_regrant_the_part_of_an_expired_grant_comes_back_as_a_new_grant(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u;
    vg_time expiry;
    vg_hold h;

    f->expired_refund = VG_EXPIRED_REFUND_REGRANT;
    f->regrant_ttl_days = 3;
    reopen_store(f);
    u = add_user(f, "starter");
    h = release_after_bonus_expiry(f, u, &expiry);
    assert_int_equal(h.forfeited, 0);
    assert_buckets(&h.balance, 25, 0, 10, 0);
    assert_int_equal(h.balance.next_bonus_expiry, f->now + 3 * DAY);
    assert_int_equal(h.balance.next_bonus_expiry_amount, 10);
    assert_int_equal(count_rows(f, u, VG_LEDGER_FORFEIT), 0);
    assert_int_equal(newest_row(f, u).e.type, VG_LEDGER_EXPIRY);

    f->now += 3 * DAY; /* the regranted part expires in its turn */
    assert_int_equal(balance_of(f, u).bonus, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_EXPIRY), 2);
    assert_invariants(f);
}

static void test_an_unsettled_hold_expires_after_the_hold_ttl_and_its_credits_return(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_1080p", "h"), later;
    const int64_t seq = h.balance.ledger_seq;

    assert_int_equal(h.expires_at, WEDNESDAY + HOLD_TTL);
    f->now = WEDNESDAY + HOLD_TTL - SEC;
    assert_status(vg_credits_hold_get(&later, f->ctx, h.id), VG_OK);
    assert_int_equal(later.state, VG_HOLD_OPEN);
    assert_buckets(&later.balance, 17, 0, 0, 8);

    f->now = WEDNESDAY + HOLD_TTL;
    assert_status(vg_credits_hold_get(&later, f->ctx, h.id), VG_OK);
    assert_int_equal(later.state, VG_HOLD_EXPIRED);
    assert_int_equal(later.forfeited, 0);
    assert_buckets(&later.balance, 25, 0, 0, 0);
    assert_int_equal(later.balance.ledger_seq, seq); /* nothing was spent: no row */
    assert_invariants(f);
}

static void test_capturing_an_expired_hold_is_refused_with_hold_expired(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_1080p", "h"), out;

    f->now = WEDNESDAY + HOLD_TTL + SEC;
    assert_status(vg_credits_capture(&out, f->ctx, h.id, "c"), VG_EHOLD_EXPIRED);
    assert_int_equal(out.state, VG_HOLD_EXPIRED);
    assert_buckets(&out.balance, 25, 0, 0, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_DEBIT), 0);
    assert_status(vg_credits_release(&out, f->ctx, h.id, "r"), VG_EHOLD_EXPIRED);
    assert_invariants(f);
}

static void test_settling_a_captured_hold_again_with_another_key_is_refused(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_1080p", "h"), out;
    vg_balance after;

    settle(f, vg_credits_capture, h.id, "c1");
    after = balance_of(f, u);
    assert_status(vg_credits_capture(&out, f->ctx, h.id, "c2"), VG_EHOLD_SETTLED);
    assert_int_equal(out.state, VG_HOLD_CAPTURED);
    assert_status(vg_credits_release(&out, f->ctx, h.id, "r1"), VG_EHOLD_SETTLED);
    assert_unchanged(f, u, &after);
    assert_int_equal(count_rows(f, u, VG_LEDGER_DEBIT), 1);
    assert_int_equal(after.total, 17);
    assert_invariants(f);
}

static void test_refunding_a_captured_hold_returns_its_credits_in_a_refund_row(void **state)
{
    fixture *f = fixture_of(state);
    vg_time a_expiry, b_expiry;
    int64_t u = three_buckets(f, &a_expiry, &b_expiry);
    const vg_balance before = balance_of(f, u);
    vg_hold h = hold(f, u, "hd_enhance", "h"), refunded, out;
    ledger_row r;

    settle(f, vg_credits_capture, h.id, "c");
    refunded = settle(f, vg_credits_refund, h.id, "f");
    assert_int_equal(refunded.state, VG_HOLD_REFUNDED);
    assert_int_equal(refunded.forfeited, 0);
    assert_buckets(&refunded.balance, 3, 20, 5, 0);
    assert_int_equal(refunded.balance.total, before.total);
    assert_int_equal(refunded.balance.next_bonus_expiry, b_expiry);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_REFUND);
    assert_int_equal(r.e.amount, 10);
    assert_int_equal(r.e.bonus, 5);
    assert_int_equal(r.e.subscription, 3);
    assert_int_equal(r.e.purchased, 2);
    assert_int_equal(r.e.hold_id, h.id);

    /* once refunded, a hold is not captured any more */
    assert_status(vg_credits_refund(&out, f->ctx, h.id, "f2"), VG_ESTATE);
    assert_int_equal(count_rows(f, u, VG_LEDGER_REFUND), 1);
    assert_invariants(f);
}

static void test_a_refund_after_a_monday_reset_forfeits_the_subscription_part(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h, refunded;
    ledger_row r;

    spend(f, u, "hd_enhance", "s1");
    spend(f, u, "hd_enhance", "s2");
    grant(f, u, VG_CREDIT_PURCHASED, 10, 0, "p");
    f->now = MONDAY - HOUR;
    h = hold(f, u, "hd_enhance", "h");
    settle(f, vg_credits_capture, h.id, "c");
    f->now = MONDAY + HOUR;
    refunded = settle(f, vg_credits_refund, h.id, "f");
    assert_int_equal(refunded.forfeited, 5);
    assert_buckets(&refunded.balance, 25, 10, 0, 0);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_REFUND);
    assert_int_equal(r.e.subscription, 0);
    assert_int_equal(r.e.purchased, 5);
    assert_invariants(f);
}

static void test_refunding_an_open_hold_is_refused_with_estate(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_1080p", "h"), out;
    const vg_balance before = balance_of(f, u);

    assert_status(vg_credits_refund(&out, f->ctx, h.id, "f"), VG_ESTATE);
    assert_int_equal(out.state, VG_HOLD_OPEN);
    assert_unchanged(f, u, &before);
    assert_int_equal(count_rows(f, u, VG_LEDGER_REFUND), 0);
    /* the hold is still there to capture */
    assert_int_equal(settle(f, vg_credits_capture, h.id, "c").state, VG_HOLD_CAPTURED);
    assert_invariants(f);
}

/* --- plans and the demo ------------------------------------------------------------------ */

static void test_an_upgrade_mid_week_adds_the_weekly_difference_now(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_balance b;
    vg_user user;
    ledger_row r;

    spend(f, u, "image_1024", "s");
    assert_status(vg_credits_change_plan(&b, f->ctx, u, "pro", "up"), VG_OK);
    assert_buckets(&b, 22 + 35, 0, 0, 0);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_PLAN_CHANGE);
    assert_int_equal(r.e.subscription, 35);
    vg_user_init(&user, VG_USER_VERSION);
    assert_status(vg_user_get(&user, f->ctx, u), VG_OK);
    assert_string_equal(user.plan, "pro");

    f->now = MONDAY;
    assert_int_equal(balance_of(f, u).subscription, 60);
    assert_invariants(f);
}

/* Holds must not carry credits past a downgrade: holding 120 on Pro+, downgrading to
 * Starter and releasing once gave 125 subscription credits on a 25-credit plan, and each
 * upgrade/downgrade cycle added 100 more (found by the simulation). */
static void test_a_downgrade_caps_the_subscription_credits_of_open_holds_too(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "pro_plus");
    vg_hold holds[10], h;
    vg_balance b;
    char key[32];
    int i, cycle;

    for (cycle = 0; cycle < 3; cycle++) {
        for (i = 0; i < 10; i++) { /* 10 x video_4k = 120 of the 125 */
            snprintf(key, sizeof key, "c%d-h%d", cycle, i);
            holds[i] = hold(f, u, "video_4k", key);
        }
        snprintf(key, sizeof key, "c%d-down", cycle);
        assert_status(vg_credits_change_plan(&b, f->ctx, u, "starter", key), VG_OK);
        assert_int_equal(b.subscription, 5);
        for (i = 0; i < 10; i++) {
            snprintf(key, sizeof key, "c%d-r%d", cycle, i);
            h = settle(f, vg_credits_release, holds[i].id, key);
            assert_true(h.balance.subscription <= 25);
        }
        b = balance_of(f, u);
        assert_int_equal(b.subscription, 25); /* the new plan's week, not 125 */
        assert_int_equal(b.held, 0);
        assert_int_equal(newest_row(f, u).e.type, VG_LEDGER_FORFEIT);
        snprintf(key, sizeof key, "c%d-up", cycle);
        assert_status(vg_credits_change_plan(&b, f->ctx, u, "pro_plus", key), VG_OK);
        assert_int_equal(b.subscription, 125); /* 25 + the weekly difference of 100 */
    }
    assert_invariants(f);
}

static void test_a_downgrade_mid_week_keeps_at_most_the_new_weekly_amount(void **state)
{
    fixture *f = fixture_of(state);
    int64_t full = add_user(f, "pro"), spent = add_user(f, "pro");
    vg_balance b;
    int i;

    for (i = 0; i < 4; i++) {
        char key[16];
        snprintf(key, sizeof key, "s%d", i);
        spend(f, spent, "video_4k", key); /* 60 - 48 = 12 */
    }
    assert_status(vg_credits_change_plan(&b, f->ctx, full, "starter", "down"), VG_OK);
    assert_int_equal(b.subscription, 25);
    assert_int_equal(newest_row(f, full).e.subscription, -35);
    assert_status(vg_credits_change_plan(&b, f->ctx, spent, "starter", "down"), VG_OK);
    assert_int_equal(b.subscription, 12);
    assert_int_equal(newest_row(f, spent).e.type, VG_LEDGER_PLAN_CHANGE);
    assert_int_equal(newest_row(f, spent).e.subscription, 0);

    f->now = MONDAY;
    assert_int_equal(balance_of(f, full).subscription, 25);
    assert_int_equal(balance_of(f, spent).subscription, 25);
    assert_invariants(f);
}

static void test_a_demo_user_gets_two_free_uses_then_demo_used_up(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "demo");
    vg_balance b = balance_of(f, u);
    vg_hold h, out;
    ledger_row r;

    assert_int_equal(b.free_uses, 2);
    assert_int_equal(b.total, 0);
    h = hold(f, u, "video_720p", "f1");
    assert_int_equal(h.free_use, 1);
    assert_int_equal(h.price, 0);
    assert_int_equal(h.balance.free_uses, 1);
    assert_int_equal(h.balance.free_uses_held, 1);
    settle(f, vg_credits_capture, h.id, "f1/c");
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_DEBIT);
    assert_int_equal(r.e.amount, 0);
    assert_int_equal(r.e.free_uses, -1);
    assert_int_equal(r.e.free_uses_after, 1);
    spend(f, u, "image_512", "f2");

    assert_status(vg_credits_hold(&out, f->ctx, u, "image_512", NULL, "f3"), VG_EDEMO_USED_UP);
    b = balance_of(f, u);
    assert_int_equal(b.free_uses, 0);
    assert_int_equal(b.held, 0);

    f->now = MONDAY + WEEK; /* one-time: never reset */
    assert_int_equal(balance_of(f, u).free_uses, 0);
    assert_status(vg_credits_hold(&out, f->ctx, u, "image_512", NULL, "f4"), VG_EDEMO_USED_UP);
    assert_int_equal(count_rows(f, u, VG_LEDGER_WEEKLY_RESET), 0);
    assert_invariants(f);
}

static void test_a_released_free_use_comes_back(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "demo");
    vg_hold h = hold(f, u, "video_720p", "f1");
    h = settle(f, vg_credits_release, h.id, "r1");
    assert_int_equal(h.balance.free_uses, 2);
    assert_int_equal(h.balance.free_uses_held, 0);
    assert_int_equal(count_rows(f, u, VG_LEDGER_DEBIT), 0);
    assert_invariants(f);
}

static void test_a_refunded_free_use_comes_back(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "demo");
    vg_hold h = hold(f, u, "image_512", "f1");
    ledger_row r;

    settle(f, vg_credits_capture, h.id, "c1");
    h = settle(f, vg_credits_refund, h.id, "r1");
    assert_int_equal(h.state, VG_HOLD_REFUNDED);
    assert_int_equal(h.balance.free_uses, 2);
    r = newest_row(f, u);
    assert_int_equal(r.e.type, VG_LEDGER_REFUND);
    assert_int_equal(r.e.free_uses, 1);
    assert_int_equal(r.e.free_uses_after, 2);
    assert_invariants(f);
}

/* --- maintenance --------------------------------------------------------------------------- */

/* More users than one page (200) of maintenance: starters (a few with spent credits), one
 * demo (no weekly credits: no reset row), one with a bonus grant that expires before
 * Monday and one with a hold left open. */
static void test_maintenance_applies_what_is_due_to_every_wallet_once(void **state)
{
    enum { STARTERS = 203 };
    fixture *f = fixture_of(state);
    int64_t demo, with_bonus, with_hold, seq[MAX_USERS];
    vg_maintenance_report report;
    int64_t reset_rows = 0;
    int i;

    for (i = 0; i < STARTERS; i++) {
        int64_t u = add_user(f, "starter");
        if (i % 50 == 0)
            spend(f, u, "video_1080p", "s");
    }
    demo = add_user(f, "demo");
    with_bonus = add_user(f, "pro");
    grant(f, with_bonus, VG_CREDIT_BONUS, 6, WEDNESDAY + DAY, "b");
    with_hold = add_user(f, "pro_plus");
    hold(f, with_hold, "video_4k", "h");

    f->now = MONDAY + HOUR;
    assert_status(vg_credits_maintenance(&report, f->ctx), VG_OK);
    assert_int_equal(report.users, f->user_count);
    assert_int_equal(report.expiries, 1);
    assert_int_equal(report.holds_expired, 1);
    for (i = 0; i < f->user_count; i++) {
        ledger_sum s = sum_ledger(f, f->users[i]);
        assert_int_equal(s.by_type[VG_LEDGER_WEEKLY_RESET], f->users[i] == demo ? 0 : 1);
        reset_rows += s.by_type[VG_LEDGER_WEEKLY_RESET];
        seq[i] = s.newest_seq;
    }
    /* "weekly_resets: reset rows written" (credits.h). BUG found here and fixed in
     * lib/credits/wallet.c apply_reset: the demo wallet's row-less reset was counted too
     * (report 206, rows 205). */
    assert_int_equal(report.weekly_resets, reset_rows);
    assert_int_equal(count_rows(f, with_bonus, VG_LEDGER_EXPIRY), 1);

    /* a second run finds nothing due and writes nothing */
    assert_status(vg_credits_maintenance(&report, f->ctx), VG_OK);
    assert_int_equal(report.users, f->user_count);
    assert_int_equal(report.weekly_resets, 0);
    assert_int_equal(report.expiries, 0);
    assert_int_equal(report.holds_expired, 0);
    for (i = 0; i < f->user_count; i++)
        assert_int_equal(sum_ledger(f, f->users[i]).newest_seq, seq[i]);
    assert_invariants(f);
}

/* --- idempotency --------------------------------------------------------------------------- */

static void test_a_repeated_grant_replays_its_first_balance_and_changes_nothing(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const call c = {GRANT, u, NULL, 10};
    outcome first = perform_ok(f, &c, "g1");

    grant(f, u, VG_CREDIT_PURCHASED, 5, 0, "g2"); /* the wallet moves on */
    expect_replay(f, u, &c, "g1", &first);
    assert_int_equal(first.balance.purchased, 10);
    assert_int_equal(balance_of(f, u).purchased, 15);
    assert_int_equal(count_rows(f, u, VG_LEDGER_GRANT), 2);
    assert_invariants(f);
}

static void test_a_repeated_hold_replays_the_same_hold(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const call c = {HOLD, u, "video_720p", 0};
    outcome first = perform_ok(f, &c, "h1");

    hold(f, u, "image_512", "h2");
    expect_replay(f, u, &c, "h1", &first);
    assert_int_equal(balance_of(f, u).held, 7); /* two holds, not three */
    assert_invariants(f);
}

static void test_a_repeated_capture_replays_its_first_outcome(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_720p", "h");
    const call c = {CAPTURE, h.id, NULL, 0};
    outcome first = perform_ok(f, &c, "c1");

    settle(f, vg_credits_refund, h.id, "f1"); /* the hold moves on */
    expect_replay(f, u, &c, "c1", &first);
    assert_int_equal(first.hold.state, VG_HOLD_CAPTURED);
    assert_int_equal(count_rows(f, u, VG_LEDGER_DEBIT), 1);
    assert_int_equal(count_rows(f, u, VG_LEDGER_REFUND), 1);
    assert_invariants(f);
}

static void test_a_repeated_release_replays_its_first_outcome(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_720p", "h");
    const call c = {RELEASE, h.id, NULL, 0};
    outcome first = perform_ok(f, &c, "r1");

    spend(f, u, "image_512", "s");
    expect_replay(f, u, &c, "r1", &first);
    assert_int_equal(first.hold.state, VG_HOLD_RELEASED);
    assert_int_equal(balance_of(f, u).subscription, 23);
    assert_invariants(f);
}

static void test_a_repeated_refund_replays_its_first_outcome(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h = hold(f, u, "video_720p", "h");
    call c = {REFUND, h.id, NULL, 0};
    outcome first;

    settle(f, vg_credits_capture, h.id, "c");
    first = perform_ok(f, &c, "f1");
    spend(f, u, "image_512", "s");
    expect_replay(f, u, &c, "f1", &first);
    assert_int_equal(count_rows(f, u, VG_LEDGER_REFUND), 1);
    assert_int_equal(balance_of(f, u).subscription, 23);
    assert_invariants(f);
}

static void test_a_repeated_plan_change_replays_its_first_balance(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const call c = {CHANGE_PLAN, u, "pro", 0};
    outcome first = perform_ok(f, &c, "p1");
    vg_balance b;
    vg_user user;

    assert_int_equal(first.balance.subscription, 60);
    assert_status(vg_credits_change_plan(&b, f->ctx, u, "starter", "p2"), VG_OK);
    expect_replay(f, u, &c, "p1", &first);
    vg_user_init(&user, VG_USER_VERSION);
    assert_status(vg_user_get(&user, f->ctx, u), VG_OK);
    assert_string_equal(user.plan, "starter"); /* the replay did not move the user back */
    assert_int_equal(count_rows(f, u, VG_LEDGER_PLAN_CHANGE), 2);
    assert_invariants(f);
}

static void test_a_refusal_is_replayed_even_after_credits_arrive(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const call c = {HOLD, u, "video_1080p", 0};
    outcome first, fresh;

    spend(f, u, "hd_enhance", "s1");
    spend(f, u, "hd_enhance", "s2");
    first = perform(f, &c, "h");
    assert_status(first.status, VG_EINSUFFICIENT_CREDITS);
    grant(f, u, VG_CREDIT_PURCHASED, 20, 0, "g");
    expect_replay(f, u, &c, "h", &first);
    assert_int_equal(balance_of(f, u).held, 0);
    fresh = perform_ok(f, &c, "h-again"); /* a new key is a new request */
    assert_int_equal(fresh.hold.price, 8);
    assert_invariants(f);
}

/* A refused hold never exists in the store; its replay still names the request's service
 * and reference (once a bug: replay() read them back from the store only). */
static void test_a_replayed_refused_hold_returns_the_same_hold_record(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold first, again;

    spend(f, u, "hd_enhance", "s1");
    spend(f, u, "hd_enhance", "s2");
    assert_status(vg_credits_hold(&first, f->ctx, u, "video_1080p", "job-9", "h"),
                  VG_EINSUFFICIENT_CREDITS);
    assert_string_equal(first.service, "video_1080p");
    assert_status(vg_credits_hold(&again, f->ctx, u, "video_1080p", "job-9", "h"),
                  VG_EINSUFFICIENT_CREDITS);
    assert_same_hold(&again, &first);
    assert_invariants(f);
}

static void test_a_key_reused_for_another_request_is_a_conflict_and_changes_nothing(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold h1, h2;

    perform_ok(f, &(call){GRANT, u, NULL, 10}, "grant");
    expect_conflict(f, u, &(call){GRANT, u, NULL, 11}, "grant");
    expect_conflict(f, u, &(call){HOLD, u, "image_512", 0}, "grant");

    h1 = perform_ok(f, &(call){HOLD, u, "video_720p", 0}, "hold").hold;
    expect_conflict(f, u, &(call){HOLD, u, "image_512", 0}, "hold");
    h2 = hold(f, u, "image_512", "hold-2");

    perform_ok(f, &(call){CAPTURE, h1.id, NULL, 0}, "capture");
    expect_conflict(f, u, &(call){CAPTURE, h2.id, NULL, 0}, "capture");
    expect_conflict(f, u, &(call){REFUND, h1.id, NULL, 0}, "capture");

    perform_ok(f, &(call){RELEASE, h2.id, NULL, 0}, "release");
    expect_conflict(f, u, &(call){RELEASE, h1.id, NULL, 0}, "release");

    perform_ok(f, &(call){REFUND, h1.id, NULL, 0}, "refund");
    expect_conflict(f, u, &(call){RELEASE, h1.id, NULL, 0}, "refund");

    perform_ok(f, &(call){CHANGE_PLAN, u, "pro", 0}, "plan");
    expect_conflict(f, u, &(call){CHANGE_PLAN, u, "pro_plus", 0}, "plan");
    expect_conflict(f, u, &(call){GRANT, u, NULL, 10}, "plan");
    assert_invariants(f);
}

static void test_idempotency_keys_belong_to_one_user(void **state)
{
    fixture *f = fixture_of(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "starter");

    grant(f, a, VG_CREDIT_PURCHASED, 10, 0, "order-1");
    assert_int_equal(grant(f, b, VG_CREDIT_PURCHASED, 7, 0, "order-1").purchased, 7);
    assert_int_equal(balance_of(f, a).purchased, 10);
    assert_invariants(f);
}

/* --- bad input ----------------------------------------------------------------------------- */

/* A refused call: the expected status, and the wallet as it was before the test's calls. */
static void expect_refused(fixture *f, int64_t user, const vg_balance *before, int got, int want,
                           const char *what)
{
    if (got != want)
        fail_msg("%s: %s, expected %s", what, vg_error_name(got), vg_error_name(want));
    assert_unchanged(f, user, before);
}

static void test_grant_amounts_outside_one_to_a_trillion_are_out_of_range(void **state)
{
    static const int64_t bad[] = {0, -1, -25, INT64_MIN, MAX_AMOUNT + 1, INT64_MAX};
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    size_t i;
    int kind;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
        for (kind = VG_CREDIT_PURCHASED; kind <= VG_CREDIT_BONUS; kind++)
            expect_refused(f, u, &before,
                           vg_credits_grant(NULL, f->ctx, u, (vg_credit_kind)kind, bad[i], 0, NULL,
                                            "bad-amount"),
                           VG_ERANGE, "grant amount");

    /* the largest grant is accepted; one more credit would overflow the bucket */
    grant(f, u, VG_CREDIT_PURCHASED, MAX_AMOUNT, 0, "max");
    before = balance_of(f, u);
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_PURCHASED, 1, 0, NULL, "one-more"),
                   VG_ERANGE, "bucket overflow");
    assert_int_equal(before.purchased, MAX_AMOUNT);
    assert_invariants(f);
}

static void test_bad_grant_kinds_and_expiries_are_refused(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const vg_balance before = balance_of(f, u);
    char reference[VG_REFERENCE_SIZE + 1];

    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, (vg_credit_kind)99, 5, 0, NULL, "k1"),
                   VG_EINVAL, "kind 99");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, (vg_credit_kind)0, 5, 0, NULL, "k2"),
                   VG_EINVAL, "kind 0");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_BONUS, 5, f->now - SEC, NULL, "k3"),
                   VG_EINVAL, "bonus expiring in the past");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_BONUS, 5, f->now, NULL, "k4"),
                   VG_EINVAL, "bonus expiring now");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_PURCHASED, 5, f->now + DAY, NULL,
                                    "k5"),
                   VG_EINVAL, "purchased with an expiry");
    memset(reference, 'r', VG_REFERENCE_SIZE);
    reference[VG_REFERENCE_SIZE] = '\0';
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_PURCHASED, 5, 0, reference, "k6"),
                   VG_EINVAL, "128-byte reference");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, f->ctx, u, VG_CREDIT_PURCHASED, 5, 0, "\xff", "k7"),
                   VG_EUTF8, "reference not UTF-8");
    expect_refused(f, u, &before,
                   vg_credits_grant(NULL, NULL, u, VG_CREDIT_PURCHASED, 5, 0, NULL, "k8"),
                   VG_EINVAL, "NULL ctx");
    /* a refused key stays free: nothing was stored under it */
    assert_int_equal(grant(f, u, VG_CREDIT_BONUS, 5, f->now + DAY, "k3").bonus, 5);
    assert_invariants(f);
}

static void test_unknown_users_services_plans_and_holds_are_refused(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    const int64_t nobody = u + 1000;
    const vg_balance before = balance_of(f, u);
    vg_hold h;
    vg_balance b;
    row_list l;

    expect_refused(f, u, &before,
                   vg_credits_grant(&b, f->ctx, nobody, VG_CREDIT_PURCHASED, 5, 0, NULL, "k"),
                   VG_ENOTFOUND, "grant to nobody");
    expect_refused(f, u, &before, vg_credits_hold(&h, f->ctx, nobody, "image_512", NULL, "k"),
                   VG_ENOTFOUND, "hold for nobody");
    expect_refused(f, u, &before, vg_credits_change_plan(&b, f->ctx, nobody, "pro", "k"),
                   VG_ENOTFOUND, "plan change for nobody");
    expect_refused(f, u, &before, vg_credits_balance(&b, f->ctx, nobody), VG_ENOTFOUND,
                   "balance of nobody");
    expect_refused(f, u, &before, vg_credits_history(f->ctx, nobody, 0, 10, collect_row, &l),
                   VG_ENOTFOUND, "history of nobody");
    expect_refused(f, u, &before, vg_credits_hold(&h, f->ctx, u, "video_8k", NULL, "k"),
                   VG_ESERVICE_UNKNOWN, "unknown service");
    expect_refused(f, u, &before, vg_credits_hold(&h, f->ctx, u, "runway_720p", NULL, "k"),
                   VG_ESERVICE_UNKNOWN, "the internal fallback service");
    expect_refused(f, u, &before, vg_credits_change_plan(&b, f->ctx, u, "enterprise", "k"),
                   VG_EPLAN_UNKNOWN, "unknown plan");
    expect_refused(f, u, &before, vg_credits_capture(&h, f->ctx, 424242, "k"), VG_ENOTFOUND,
                   "capture of no hold");
    expect_refused(f, u, &before, vg_credits_release(&h, f->ctx, 424242, "k"), VG_ENOTFOUND,
                   "release of no hold");
    expect_refused(f, u, &before, vg_credits_refund(&h, f->ctx, 424242, "k"), VG_ENOTFOUND,
                   "refund of no hold");
    expect_refused(f, u, &before, vg_credits_hold_get(&h, f->ctx, 424242), VG_ENOTFOUND,
                   "no hold");
    expect_refused(f, u, &before, vg_credits_capture(&h, f->ctx, 0, "k"), VG_EINVAL, "hold 0");
    expect_refused(f, u, &before, vg_credits_hold_get(&h, f->ctx, -1), VG_EINVAL, "hold -1");
    expect_refused(f, u, &before, vg_credits_hold(NULL, f->ctx, u, "image_512", NULL, "k"),
                   VG_EINVAL, "NULL hold out");
    expect_refused(f, u, &before, vg_credits_hold(&h, f->ctx, u, NULL, NULL, "k"), VG_EINVAL,
                   "NULL service");
    expect_refused(f, u, &before, vg_credits_change_plan(&b, f->ctx, u, NULL, "k"), VG_EINVAL,
                   "NULL plan");
    expect_refused(f, u, &before, vg_credits_balance(NULL, f->ctx, u), VG_EINVAL, "NULL balance");
    /* the key "k" was never stored: it still works */
    assert_int_equal(grant(f, u, VG_CREDIT_PURCHASED, 1, 0, "k").purchased, 1);
    assert_invariants(f);
}

static void test_bad_idempotency_keys_are_refused_by_every_call(void **state)
{
    static const struct {
        const char *key;
        int status;
    } bad[] = {
        {NULL, VG_EINVAL},       {"", VG_EINVAL},          {"\xff", VG_EUTF8},
        {"ok\xc3", VG_EUTF8},    {"\xc0\xaf", VG_EUTF8},   {"\xed\xa0\x80", VG_EUTF8},
    };
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    vg_hold open_hold = hold(f, u, "image_512", "open");
    const vg_balance before = balance_of(f, u);
    char long_key[202];
    call calls[CALL_KINDS];
    outcome longest;
    size_t i;
    int k;

    calls[GRANT] = (call){GRANT, u, NULL, 5};
    calls[HOLD] = (call){HOLD, u, "image_512", 0};
    calls[CAPTURE] = (call){CAPTURE, open_hold.id, NULL, 0};
    calls[RELEASE] = (call){RELEASE, open_hold.id, NULL, 0};
    calls[REFUND] = (call){REFUND, open_hold.id, NULL, 0};
    calls[CHANGE_PLAN] = (call){CHANGE_PLAN, u, "pro", 0};
    memset(long_key, 'k', 201);
    long_key[201] = '\0';

    for (k = 0; k < CALL_KINDS; k++) {
        for (i = 0; i < sizeof bad / sizeof bad[0]; i++)
            expect_refused(f, u, &before, perform(f, &calls[k], bad[i].key).status,
                           bad[i].status, "bad key");
        expect_refused(f, u, &before, perform(f, &calls[k], long_key).status, VG_EINVAL,
                       "201-byte key");
    }
    long_key[200] = '\0'; /* 200 bytes is the longest key */
    longest = perform_ok(f, &calls[GRANT], long_key);
    assert_int_equal(longest.balance.purchased, 5);
    expect_replay(f, u, &calls[GRANT], long_key, &longest);
    assert_invariants(f);
}

/* --- history ------------------------------------------------------------------------------- */

static void test_history_pages_newest_first_before_a_seq(void **state)
{
    fixture *f = fixture_of(state);
    int64_t u = add_user(f, "starter");
    row_list page;
    int i;

    for (i = 1; i <= 6; i++) {
        char key[16];
        snprintf(key, sizeof key, "g%d", i);
        grant(f, u, VG_CREDIT_PURCHASED, i, 0, key); /* rows 2..7, row 1 opened the wallet */
    }
    page = history(f, u, 0, 3);
    assert_int_equal(page.count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(page.rows[i].e.seq, 7 - i);
    assert_int_equal(page.rows[0].e.purchased, 6);
    assert_string_equal(page.rows[0].key, "g6");

    page = history(f, u, page.rows[2].e.seq, 3);
    assert_int_equal(page.count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(page.rows[i].e.seq, 4 - i);

    page = history(f, u, 2, 3);
    assert_int_equal(page.count, 1);
    assert_int_equal(page.rows[0].e.type, VG_LEDGER_OPEN);
    assert_int_equal(page.rows[0].e.subscription, 25);
    assert_string_equal(page.rows[0].key, "");
    assert_int_equal(history(f, u, 1, 3).count, 0);
    assert_int_equal(history(f, u, 0, 1000).count, 7);

    assert_status(vg_credits_history(f->ctx, u, 0, 0, collect_row, &page), VG_EINVAL);
    assert_status(vg_credits_history(f->ctx, u, 0, 1001, collect_row, &page), VG_EINVAL);
    assert_status(vg_credits_history(f->ctx, u, -1, 10, collect_row, &page), VG_EINVAL);
    assert_status(vg_credits_history(f->ctx, u, 0, 10, NULL, NULL), VG_EINVAL);
    assert_status(vg_credits_history(NULL, u, 0, 10, collect_row, &page), VG_EINVAL);
    assert_invariants(f);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_the_weekly_reset_happens_at_monday_midnight_utc_not_a_second_before),
        T(test_a_three_week_gap_gives_one_reset_row_and_this_weeks_credits),
        T(test_a_bonus_grant_expires_at_its_expiry_mid_week_not_before),
        T(test_a_bonus_grant_expires_ninety_days_after_it_by_default),
        T(test_each_expired_bonus_grant_gets_its_own_expiry_row),
        T(test_holds_spend_bonus_earliest_expiry_first_then_subscription_then_purchased),
        T(test_capture_writes_one_debit_row_with_the_hold_parts),
        T(test_release_restores_every_bucket_exactly),
        T(test_release_after_a_monday_reset_forfeits_the_subscription_part),
        T(test_release_after_the_bonus_grant_expired_forfeits_its_part),
        T(test_with_regrant_the_part_of_an_expired_grant_comes_back_as_a_new_grant),
        T(test_an_unsettled_hold_expires_after_the_hold_ttl_and_its_credits_return),
        T(test_capturing_an_expired_hold_is_refused_with_hold_expired),
        T(test_settling_a_captured_hold_again_with_another_key_is_refused),
        T(test_refunding_a_captured_hold_returns_its_credits_in_a_refund_row),
        T(test_a_refund_after_a_monday_reset_forfeits_the_subscription_part),
        T(test_refunding_an_open_hold_is_refused_with_estate),
        T(test_an_upgrade_mid_week_adds_the_weekly_difference_now),
        T(test_a_downgrade_mid_week_keeps_at_most_the_new_weekly_amount),
        T(test_a_downgrade_caps_the_subscription_credits_of_open_holds_too),
        T(test_a_demo_user_gets_two_free_uses_then_demo_used_up),
        T(test_a_released_free_use_comes_back),
        T(test_a_refunded_free_use_comes_back),
        T(test_maintenance_applies_what_is_due_to_every_wallet_once),
        T(test_a_repeated_grant_replays_its_first_balance_and_changes_nothing),
        T(test_a_repeated_hold_replays_the_same_hold),
        T(test_a_repeated_capture_replays_its_first_outcome),
        T(test_a_repeated_release_replays_its_first_outcome),
        T(test_a_repeated_refund_replays_its_first_outcome),
        T(test_a_repeated_plan_change_replays_its_first_balance),
        T(test_a_refusal_is_replayed_even_after_credits_arrive),
        T(test_a_replayed_refused_hold_returns_the_same_hold_record),
        T(test_a_key_reused_for_another_request_is_a_conflict_and_changes_nothing),
        T(test_idempotency_keys_belong_to_one_user),
        T(test_grant_amounts_outside_one_to_a_trillion_are_out_of_range),
        T(test_bad_grant_kinds_and_expiries_are_refused),
        T(test_unknown_users_services_plans_and_holds_are_refused),
        T(test_bad_idempotency_keys_are_refused_by_every_call),
        T(test_history_pages_newest_first_before_a_seq),
    };
#undef T
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
