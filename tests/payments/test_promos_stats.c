/* SPDX-License-Identifier: MIT */
/* Promotion codes and the administrators' figures on a fake clock: editing and its refusals,
 * redemption with its bonus and expiry, idempotent repeats, per-user and total limits, the
 * validity window, plan restrictions, a grant lost to a crash, two processes and two threads
 * racing for the last redemption, and the figures of a small hand-made store. Every
 * scenario ends with the wallets' invariants and vg_check. */
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "store/store.h"
#include "test_support.h"

#define SEC INT64_C(1000000)
#define DAY (INT64_C(86400) * SEC)
#define WEDNESDAY (INT64_C(1795600800) * SEC)
#define MAX_USERS 8
#define STARTER_WEEKLY 25
#define DEFAULT_BONUS_DAYS 90
#define RACE_ROUNDS 4

typedef struct fixture {
    char location[512];
    int unavailable;
    vg_ctx *ctx;
    vg_time now;
    int64_t users[MAX_USERS];
    int user_count;
} fixture;

static vg_ctx *open_ctx(fixture *f)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    test_config_init(&config, f->location);
    config.clock = test_fake_clock;
    config.clock_payload = &f->now;
    config.log_level = VG_LOG_NONE;
    config.payments.sandbox = 1; /* orders paid by simulated callbacks */
    return vg_open(&ctx, &config) == VG_OK ? ctx : NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    if (test_try_fresh_location(f->location, sizeof f->location, "promos") != 0) {
        f->unavailable = 1;
        return 0;
    }
    f->ctx = open_ctx(f);
    return f->ctx ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    vg_close(f->ctx);
    free(f);
    return 0;
}

#define FIXTURE(state)                                                                             \
    fixture *f = *(state);                                                                         \
    if (f->unavailable)                                                                            \
    test_unavailable(f->location)

/* ---- helpers -------------------------------------------------------------------------------- */

static int64_t add_user(fixture *f, const char *plan)
{
    char email[64];
    int64_t id;
    snprintf(email, sizeof email, "u%d-%s@test.vidgo", f->user_count, plan);
    assert_status(vg_user_add_verified(&id, f->ctx, email, plan), VG_OK);
    assert_true(f->user_count < MAX_USERS);
    f->users[f->user_count++] = id;
    return id;
}

static vg_balance balance_of(fixture *f, int64_t user)
{
    vg_balance b;
    assert_status(vg_credits_balance(&b, f->ctx, user), VG_OK);
    return b;
}

/* An active promotion of `bonus` credits and no other condition. */
static vg_promo promo_of(const char *code, int64_t bonus)
{
    vg_promo p;
    memset(&p, 0, sizeof p);
    p.version = VG_PROMO_VERSION;
    snprintf(p.code, sizeof p.code, "%s", code);
    p.bonus_credits = bonus;
    p.active = 1;
    return p;
}

static vg_promo promo_read(fixture *f, const char *code)
{
    vg_promo p;
    assert_status(vg_promo_get(&p, f->ctx, code), VG_OK);
    return p;
}

typedef struct grants {
    int count;
    int64_t credits;
    vg_time last_effective_at;
    char last_reference[VG_REFERENCE_SIZE];
} grants;

static int count_grant(const vg_ledger_entry *e, void *payload)
{
    grants *g = payload;
    if (e->type != VG_LEDGER_GRANT)
        return 0;
    if (g->count == 0) { /* newest first: the first one seen is the last made */
        g->last_effective_at = e->effective_at;
        snprintf(g->last_reference, sizeof g->last_reference, "%s", e->reference);
    }
    g->count++;
    g->credits += e->amount;
    return 0;
}

static grants grants_of(fixture *f, int64_t user)
{
    grants g;
    memset(&g, 0, sizeof g);
    assert_status(vg_credits_history(f->ctx, user, 0, 1000, count_grant, &g), VG_OK);
    return g;
}

static void print_problem(const char *check, const char *subject, const char *detail, void *payload)
{
    (void)payload;
    print_error("vg_check: %s: %s: %s\n", check, subject, detail);
}

/* Each wallet adds up, nothing is left held, and vg_check agrees. */
static void assert_invariants(fixture *f)
{
    size_t problems = 12345;
    int i;
    for (i = 0; i < f->user_count; i++) {
        vg_balance b = balance_of(f, f->users[i]);
        assert_int_equal(b.available, b.subscription + b.purchased + b.bonus);
        assert_int_equal(b.total, b.available + b.held);
        assert_true(b.subscription >= 0 && b.purchased >= 0 && b.bonus >= 0);
        assert_int_equal(b.held, 0);
    }
    assert_status(vg_check(&problems, f->ctx, print_problem, NULL), VG_OK);
    assert_int_equal(problems, 0);
}

/* ---- editing and reading ------------------------------------------------------------------ */

static void test_a_code_is_stored_upper_case_and_read_in_any_case(void **state)
{
    FIXTURE(state);
    vg_promo p = promo_of("spring-sale_2026", 40), got;
    p.bonus_ttl_days = 14;
    p.valid_from = WEDNESDAY - DAY;
    p.valid_until = WEDNESDAY + 30 * DAY;
    p.max_redemptions = 500;
    snprintf(p.plans, sizeof p.plans, "  starter   pro ");
    p.redeemed = 77;     /* the library's, ignored */
    p.created_at = 1234; /* likewise */
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);

    got = promo_read(f, "SPRING-SALE_2026");
    assert_int_equal(got.version, VG_PROMO_VERSION);
    assert_string_equal(got.code, "SPRING-SALE_2026");
    assert_int_equal(got.bonus_credits, 40);
    assert_int_equal(got.bonus_ttl_days, 14);
    assert_int_equal(got.valid_from, WEDNESDAY - DAY);
    assert_int_equal(got.valid_until, WEDNESDAY + 30 * DAY);
    assert_int_equal(got.max_redemptions, 500);
    assert_int_equal(got.per_user, 1); /* 0 means 1 */
    assert_string_equal(got.plans, "starter pro");
    assert_int_equal(got.active, 1);
    assert_int_equal(got.redeemed, 0);
    assert_int_equal(got.created_at, WEDNESDAY);
    got = promo_read(f, "Spring-Sale_2026");
    assert_string_equal(got.code, "SPRING-SALE_2026");
    assert_invariants(f);
}

static void test_an_unknown_or_malformed_code_reads_as_invalid(void **state)
{
    FIXTURE(state);
    vg_promo got;
    assert_status(vg_promo_get(&got, f->ctx, "NOPE"), VG_EPROMO_INVALID);
    assert_status(vg_promo_get(&got, f->ctx, "not a code!"), VG_EPROMO_INVALID);
    assert_status(vg_promo_get(&got, f->ctx, ""), VG_EPROMO_INVALID);
    assert_status(vg_promo_get(NULL, f->ctx, "NOPE"), VG_EINVAL);
    assert_status(vg_promo_get(&got, NULL, "NOPE"), VG_EINVAL);
    assert_status(vg_promo_get(&got, f->ctx, NULL), VG_EINVAL);
    assert_invariants(f);
}

static void test_replacing_a_code_keeps_its_redeemed_count_and_creation_time(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_promo p = promo_of("WELCOME", 10), got;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "welcome", "r1"), VG_OK);
    f->now += DAY;
    p.bonus_credits = 15;
    p.max_redemptions = 9;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    got = promo_read(f, "WELCOME");
    assert_int_equal(got.bonus_credits, 15);
    assert_int_equal(got.max_redemptions, 9);
    assert_int_equal(got.redeemed, 1);
    assert_int_equal(got.created_at, WEDNESDAY);
    assert_invariants(f);
}

/* One invalid variant of a valid promotion and what vg_promo_put says to it. */
typedef struct bad_promo {
    const char *what;
    void (*spoil)(vg_promo *p);
    int want;
    int spoils_code; /* 1: the code itself is what is wrong */
} bad_promo;

static void empty_code(vg_promo *p)
{
    p->code[0] = '\0';
}
static void long_code(vg_promo *p)
{
    memset(p->code, 'A', sizeof p->code);
}
static void spaced_code(vg_promo *p)
{
    snprintf(p->code, sizeof p->code, "GOOD CODE");
}
static void accented_code(vg_promo *p)
{
    snprintf(p->code, sizeof p->code, "CAF\xc3\x89");
}
static void dotted_code(vg_promo *p)
{
    snprintf(p->code, sizeof p->code, "GOOD.CODE");
}
static void zero_bonus(vg_promo *p)
{
    p->bonus_credits = 0;
}
static void negative_bonus(vg_promo *p)
{
    p->bonus_credits = -5;
}
static void huge_bonus(vg_promo *p)
{
    p->bonus_credits = 1000001;
}
static void negative_ttl(vg_promo *p)
{
    p->bonus_ttl_days = -1;
}
static void long_ttl(vg_promo *p)
{
    p->bonus_ttl_days = 3651;
}
static void empty_window(vg_promo *p)
{
    p->valid_from = p->valid_until = WEDNESDAY;
}
static void reversed_window(vg_promo *p)
{
    p->valid_from = WEDNESDAY + DAY;
    p->valid_until = WEDNESDAY;
}
static void negative_from(vg_promo *p)
{
    p->valid_from = -1;
}
static void negative_max(vg_promo *p)
{
    p->max_redemptions = -1;
}
static void negative_per_user(vg_promo *p)
{
    p->per_user = -2;
}
static void unknown_plan(vg_promo *p)
{
    snprintf(p->plans, sizeof p->plans, "pro gold");
}
static void upper_plan(vg_promo *p)
{
    snprintf(p->plans, sizeof p->plans, "PRO");
}
static void overlong_plan(vg_promo *p)
{
    memset(p->plans, 'p', 40);
}
static void unterminated_plans(vg_promo *p)
{
    memset(p->plans, 'p', sizeof p->plans);
}
static void future_version(vg_promo *p)
{
    p->version = VG_PROMO_VERSION + 1;
}
static void zero_version(vg_promo *p)
{
    p->version = 0;
}

static const bad_promo bad_promos[] = {
    {"empty code", empty_code, VG_EINVAL, 1},
    {"33-byte code", long_code, VG_EINVAL, 1},
    {"code with a space", spaced_code, VG_EINVAL, 1},
    {"code with a letter outside A-Z", accented_code, VG_EINVAL, 1},
    {"code with a dot", dotted_code, VG_EINVAL, 1},
    {"no bonus", zero_bonus, VG_EINVAL},
    {"negative bonus", negative_bonus, VG_EINVAL},
    {"bonus over a million", huge_bonus, VG_EINVAL},
    {"negative bonus life", negative_ttl, VG_EINVAL},
    {"bonus life over ten years", long_ttl, VG_EINVAL},
    {"empty window", empty_window, VG_EINVAL},
    {"window ending before it starts", reversed_window, VG_EINVAL},
    {"negative start", negative_from, VG_EINVAL},
    {"negative total limit", negative_max, VG_EINVAL},
    {"negative per-user limit", negative_per_user, VG_EINVAL},
    {"an unknown plan", unknown_plan, VG_EPLAN_UNKNOWN},
    {"a plan name in upper case", upper_plan, VG_EPLAN_UNKNOWN},
    {"a plan name of 40 bytes", overlong_plan, VG_EPLAN_UNKNOWN},
    {"plans without a terminator", unterminated_plans, VG_EINVAL},
    {"a future version", future_version, VG_EVERSION},
    {"version 0", zero_version, VG_EVERSION},
};

static void test_every_refused_promotion_changes_nothing(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_promo good = promo_of("KEEPME", 10), before, after, fresh;
    size_t i;

    good.bonus_ttl_days = 7;
    snprintf(good.plans, sizeof good.plans, "starter");
    assert_status(vg_promo_put(f->ctx, &good), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "KEEPME", "k"), VG_OK);
    before = promo_read(f, "KEEPME");
    for (i = 0; i < sizeof bad_promos / sizeof bad_promos[0]; i++) {
        vg_promo bad = good;
        bad.bonus_credits = 99; /* what a wrongly accepted replacement would show */
        bad_promos[i].spoil(&bad);
        test_status_is(vg_promo_put(f->ctx, &bad), bad_promos[i].want, bad_promos[i].what, __FILE__,
                       __LINE__);
        after = promo_read(f, "KEEPME");
        assert_memory_equal(&before, &after, sizeof before);
        /* as a new code, nothing is created either */
        fresh = bad;
        if (!bad_promos[i].spoils_code) {
            snprintf(fresh.code, sizeof fresh.code, "NEW%zu", i);
            assert_status(vg_promo_put(f->ctx, &fresh), bad_promos[i].want);
            assert_status(vg_promo_get(&after, f->ctx, fresh.code), VG_EPROMO_INVALID);
        }
    }
    assert_status(vg_promo_put(NULL, &good), VG_EINVAL);
    assert_status(vg_promo_put(f->ctx, NULL), VG_EINVAL);
    assert_int_equal(grants_of(f, u).count, 1);
    assert_invariants(f);
}

/* ---- redeeming ------------------------------------------------------------------------------- */

static void test_redeeming_grants_the_bonus_with_its_expiry(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u), after;
    vg_promo p = promo_of("BONUS30", 30);
    grants g;

    p.bonus_ttl_days = 14;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(&after, f->ctx, u, "bonus30", "redeem-1"), VG_OK);
    assert_int_equal(after.user_id, u);
    assert_int_equal(after.bonus, before.bonus + 30);
    assert_int_equal(after.total, before.total + 30);
    assert_int_equal(after.subscription, before.subscription);
    assert_int_equal(after.next_bonus_expiry, WEDNESDAY + 14 * DAY);
    assert_int_equal(after.next_bonus_expiry_amount, 30);
    g = grants_of(f, u);
    assert_int_equal(g.count, 1);
    assert_int_equal(g.credits, 30);
    assert_int_equal(g.last_effective_at, WEDNESDAY + 14 * DAY);
    assert_string_equal(g.last_reference, "promo:BONUS30");
    assert_int_equal(promo_read(f, "BONUS30").redeemed, 1);

    /* the bonus expires with its grant */
    f->now = WEDNESDAY + 14 * DAY;
    after = balance_of(f, u);
    assert_int_equal(after.bonus, 0);
    assert_invariants(f);
}

static void test_a_code_without_a_bonus_life_uses_the_wallet_default(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_balance after;
    vg_promo p = promo_of("DEFAULTLIFE", 12);
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(&after, f->ctx, u, "DEFAULTLIFE", "k"), VG_OK);
    assert_int_equal(after.next_bonus_expiry, WEDNESDAY + DEFAULT_BONUS_DAYS * DAY);
    assert_int_equal(after.next_bonus_expiry_amount, 12);
    assert_invariants(f);
}

static void test_the_same_key_repeats_the_first_redemption(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance first, again;
    vg_hold hold;
    vg_promo p = promo_of("TWICE", 20);

    p.per_user = 5;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(&first, f->ctx, u, "TWICE", "same-key"), VG_OK);
    /* the wallet moves on; a repeat reports the balance as it is now */
    assert_status(vg_credits_hold(&hold, f->ctx, u, "video_720p", "job-1", "h1"), VG_OK);
    assert_status(vg_credits_capture(&hold, f->ctx, hold.id, "c1"), VG_OK);
    f->now += 3600 * SEC;
    assert_status(vg_promo_redeem(&again, f->ctx, u, "twice", "same-key"), VG_OK);
    assert_int_equal(again.total, first.total - 5);
    assert_int_equal(again.bonus + again.subscription, first.bonus + first.subscription - 5);
    assert_int_equal(grants_of(f, u).count, 1);
    assert_int_equal(promo_read(f, "TWICE").redeemed, 1);

    /* or once its bonus life was edited: the first grant stands */
    p.bonus_ttl_days = 30;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(&again, f->ctx, u, "TWICE", "same-key"), VG_OK);
    assert_int_equal(again.next_bonus_expiry, WEDNESDAY + DEFAULT_BONUS_DAYS * DAY);
    assert_int_equal(grants_of(f, u).count, 1);

    /* a repeat is the first outcome even once the code was switched off */
    p.active = 0;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(&again, f->ctx, u, "TWICE", "same-key"), VG_OK);
    assert_int_equal(grants_of(f, u).count, 1);
    assert_invariants(f);
}

static void test_the_same_key_with_another_code_conflicts(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_promo a = promo_of("CODE-A", 10), b = promo_of("CODE-B", 50);
    vg_balance before;

    assert_status(vg_promo_put(f->ctx, &a), VG_OK);
    assert_status(vg_promo_put(f->ctx, &b), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "CODE-A", "k"), VG_OK);
    before = balance_of(f, u);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "CODE-B", "k"), VG_EIDEMPOTENCY_CONFLICT);
    /* even a code that does not exist: the key is looked at first */
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "CODE-C", "k"), VG_EIDEMPOTENCY_CONFLICT);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(promo_read(f, "CODE-B").redeemed, 0);
    assert_int_equal(grants_of(f, u).count, 1);
    /* another user may use the same key: keys are per user */
    assert_status(vg_promo_redeem(NULL, f->ctx, add_user(f, "pro"), "CODE-B", "k"), VG_OK);
    assert_invariants(f);
}

static void test_a_second_redemption_with_a_new_key_is_refused(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_promo p = promo_of("ONCE", 25);
    vg_balance before, out;

    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "ONCE", "first"), VG_OK);
    before = balance_of(f, u);
    memset(&out, 0x5a, sizeof out);
    assert_status(vg_promo_redeem(&out, f->ctx, u, "ONCE", "second"), VG_EPROMO_USED);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(promo_read(f, "ONCE").redeemed, 1);
    assert_int_equal(grants_of(f, u).count, 1);
    /* a refusal is not remembered: the key is free for another code */
    p = promo_of("OTHER", 5);
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "OTHER", "second"), VG_OK);
    assert_invariants(f);
}

static void test_a_per_user_limit_of_two_allows_two(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u), after;
    vg_promo p = promo_of("DOUBLE", 10);

    p.per_user = 2;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "DOUBLE", "k1"), VG_OK);
    assert_status(vg_promo_redeem(&after, f->ctx, u, "DOUBLE", "k2"), VG_OK);
    assert_int_equal(after.bonus, before.bonus + 20);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "DOUBLE", "k3"), VG_EPROMO_USED);
    assert_int_equal(balance_of(f, u).bonus, before.bonus + 20);
    assert_int_equal(grants_of(f, u).count, 2);
    assert_int_equal(promo_read(f, "DOUBLE").redeemed, 2);
    assert_invariants(f);
}

static void test_the_total_limit_counts_every_user(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "pro"), c = add_user(f, "demo");
    vg_balance before = balance_of(f, c);
    vg_promo p = promo_of("FIRST2", 10);

    p.max_redemptions = 2;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "FIRST2", "k"), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, b, "FIRST2", "k"), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, c, "FIRST2", "k"), VG_EPROMO_USED);
    assert_int_equal(balance_of(f, c).total, before.total);
    assert_int_equal(grants_of(f, c).count, 0);
    assert_int_equal(promo_read(f, "FIRST2").redeemed, 2);
    /* raising the limit lets the third in */
    p.max_redemptions = 3;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, c, "FIRST2", "k"), VG_OK);
    assert_int_equal(promo_read(f, "FIRST2").redeemed, 3);
    assert_invariants(f);
}

static void test_the_validity_window_is_read_on_the_clock(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "starter");
    vg_promo p = promo_of("WEEKEND", 10);

    p.valid_from = WEDNESDAY + 3 * DAY;
    p.valid_until = WEDNESDAY + 5 * DAY;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "WEEKEND", "k"), VG_EPROMO_EXPIRED);
    f->now = WEDNESDAY + 3 * DAY - 1;
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "WEEKEND", "k"), VG_EPROMO_EXPIRED);
    f->now = WEDNESDAY + 3 * DAY; /* the start is inside */
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "WEEKEND", "k"), VG_OK);
    f->now = WEDNESDAY + 5 * DAY - 1;
    assert_status(vg_promo_redeem(NULL, f->ctx, b, "WEEKEND", "k"), VG_OK);
    f->now = WEDNESDAY + 5 * DAY; /* the end is outside */
    assert_status(vg_promo_redeem(NULL, f->ctx, add_user(f, "pro"), "WEEKEND", "k"),
                  VG_EPROMO_EXPIRED);
    /* an earlier redemption still repeats after the window closed */
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "WEEKEND", "k"), VG_OK);
    assert_int_equal(promo_read(f, "WEEKEND").redeemed, 2);
    assert_int_equal(grants_of(f, a).count, 1);

    /* an open end on either side */
    p = promo_of("FROMNOW", 3);
    p.valid_from = f->now + DAY;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "FROMNOW", "k2"), VG_EPROMO_EXPIRED);
    f->now += 400 * DAY;
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "FROMNOW", "k2"), VG_OK);
    p = promo_of("UNTIL", 3);
    p.valid_until = f->now + DAY;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, a, "UNTIL", "k3"), VG_OK);
    f->now += DAY;
    assert_status(vg_promo_redeem(NULL, f->ctx, b, "UNTIL", "k3"), VG_EPROMO_EXPIRED);
    assert_invariants(f);
}

static void test_a_code_for_some_plans_refuses_the_others(void **state)
{
    FIXTURE(state);
    int64_t demo = add_user(f, "demo"), starter = add_user(f, "starter"), pro = add_user(f, "pro"),
            pro_plus = add_user(f, "pro_plus");
    vg_promo p = promo_of("PROONLY", 10);

    snprintf(p.plans, sizeof p.plans, "pro pro_plus");
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, demo, "PROONLY", "k"), VG_EPLAN_TOO_LOW);
    assert_status(vg_promo_redeem(NULL, f->ctx, starter, "PROONLY", "k"), VG_EPLAN_TOO_LOW);
    assert_status(vg_promo_redeem(NULL, f->ctx, pro, "PROONLY", "k"), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, pro_plus, "PROONLY", "k"), VG_OK);
    assert_int_equal(grants_of(f, starter).count, 0);
    assert_int_equal(promo_read(f, "PROONLY").redeemed, 2);
    /* a plan that is a prefix of a listed one is not listed */
    snprintf(p.plans, sizeof p.plans, "pro_plus");
    p.code[0] = 'Q';
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, pro, p.code, "k2"), VG_EPLAN_TOO_LOW);
    assert_invariants(f);
}

static void test_an_inactive_unknown_or_malformed_code_is_invalid(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    vg_promo p = promo_of("SLEEPING", 10);
    char long_key[130];

    p.active = 0;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", "k"), VG_EPROMO_INVALID);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "NOSUCHCODE", "k"), VG_EPROMO_INVALID);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "sleeping!", "k"), VG_EPROMO_INVALID);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "", "k"), VG_EPROMO_INVALID);
    assert_status(vg_promo_redeem(NULL, f->ctx, 999999, "SLEEPING", "k"), VG_ENOTFOUND);
    assert_status(vg_promo_redeem(NULL, NULL, u, "SLEEPING", "k"), VG_EINVAL);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, NULL, "k"), VG_EINVAL);
    assert_status(vg_promo_redeem(NULL, f->ctx, 0, "SLEEPING", "k"), VG_EINVAL);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", NULL), VG_EINVAL);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", ""), VG_EINVAL);
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", "\xff"), VG_EUTF8);
    memset(long_key, 'k', sizeof long_key - 1);
    long_key[sizeof long_key - 1] = '\0';
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", long_key), VG_EINVAL);
    long_key[128] = '\0';
    p.active = 1;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(promo_read(f, "SLEEPING").redeemed, 0);
    /* switched on, with the longest key */
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "SLEEPING", long_key), VG_OK);
    assert_int_equal(balance_of(f, u).total, before.total + 10);
    assert_invariants(f);
}

/* What a crash between the redemption's commit and the grant leaves behind. */
typedef struct half_redemption {
    const char *code;
    int64_t user_id;
    const char *key;
} half_redemption;

static int half_redeem_body(vg__txn *txn, void *payload)
{
    half_redemption *h = payload;
    vg_store_redemption r;
    vg_store_promo promo;
    int rc = vg__promo_get(txn, &promo, h->code, 1);
    if (rc != VG_OK)
        return rc;
    memset(&r, 0, sizeof r);
    snprintf(r.code, sizeof r.code, "%s", h->code);
    r.user_id = h->user_id;
    snprintf(r.idempotency_key, sizeof r.idempotency_key, "%s", h->key);
    r.credits = promo.bonus_credits;
    r.at = vg_ctx_now(txn->ctx);
    if ((rc = vg__redemption_insert(txn, &r)) != VG_OK)
        return rc;
    promo.redeemed++;
    return vg__promo_put(txn, &promo);
}

static void test_a_grant_lost_to_a_crash_is_made_by_redeeming_again(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    half_redemption h = {"CRASHY", u, "k-crash"};
    vg_balance before = balance_of(f, u), after;
    vg_promo p = promo_of("CRASHY", 35);

    p.bonus_ttl_days = 10;
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg__txn_run(f->ctx, VG_TXN_WRITE, half_redeem_body, &h), VG_OK);
    assert_int_equal(grants_of(f, u).count, 0);
    assert_int_equal(promo_read(f, "CRASHY").redeemed, 1);

    /* a day later the client retries: the grant is made, dated from the redemption */
    f->now += DAY;
    assert_status(vg_promo_redeem(&after, f->ctx, u, "CRASHY", "k-crash"), VG_OK);
    assert_int_equal(after.bonus, before.bonus + 35);
    assert_int_equal(after.next_bonus_expiry, WEDNESDAY + 10 * DAY);
    assert_int_equal(promo_read(f, "CRASHY").redeemed, 1);
    assert_int_equal(grants_of(f, u).count, 1);
    /* and once only */
    assert_status(vg_promo_redeem(&after, f->ctx, u, "CRASHY", "k-crash"), VG_OK);
    assert_int_equal(after.bonus, before.bonus + 35);
    assert_int_equal(grants_of(f, u).count, 1);
    /* the limit counted it: a new key is refused */
    assert_status(vg_promo_redeem(NULL, f->ctx, u, "CRASHY", "k-new"), VG_EPROMO_USED);
    assert_invariants(f);
}

/* ---- racing for the last redemption -----------------------------------------------------------
 */

/* The outcomes a racer may report, by its exit status; anything else fails the test. */
static const int race_outcomes[] = {VG_OK, VG_EPROMO_USED, VG_EIDEMPOTENCY_CONFLICT};
enum { RACE_WON, RACE_USED, RACE_CONFLICT, RACE_OUTCOMES };

/* Redeems in a child process once the parent's gun goes off, and exits with the index of
 * the outcome in race_outcomes (RACE_OUTCOMES for another). */
static void race_child(fixture *f, int64_t user, const char *code, const char *key, int ready_fd,
                       int gun_fd)
{
    vg_ctx *ctx = open_ctx(f);
    char byte = 'r';
    int rc, i;
    if (!ctx)
        _exit(RACE_OUTCOMES);
    if (write(ready_fd, &byte, 1) != 1 || read(gun_fd, &byte, 1) != 0)
        _exit(RACE_OUTCOMES);
    rc = vg_promo_redeem(NULL, ctx, user, code, key);
    for (i = 0; i < RACE_OUTCOMES && race_outcomes[i] != rc; i++)
        ;
    if (i == RACE_OUTCOMES)
        fprintf(stderr, "racer: %s: %s\n", vg_error_name(rc), vg_ctx_errmsg(ctx));
    vg_close(ctx);
    _exit(i);
}

/* Two processes, each with its own context, redeem at the same moment: users[i] redeems
 * codes[i] with keys[i]. Counts each outcome into out[RACE_OUTCOMES]. */
static void race(fixture *f, const int64_t users[2], const char *const codes[2],
                 const char *const keys[2], int out[RACE_OUTCOMES])
{
    int ready[2], gun[2], i;
    pid_t pids[2];

    memset(out, 0, RACE_OUTCOMES * sizeof out[0]);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(gun), 0);
    for (i = 0; i < 2; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            close(ready[0]);
            close(gun[1]);
            race_child(f, users[i], codes[i], keys[i], ready[1], gun[0]);
        }
    }
    close(ready[1]);
    close(gun[0]);
    for (i = 0; i < 2; i++) {
        char byte;
        assert_int_equal(read(ready[0], &byte, 1), 1);
    }
    close(gun[1]); /* both children read end-of-file at once */
    close(ready[0]);
    for (i = 0; i < 2; i++) {
        int status;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        if (WEXITSTATUS(status) >= RACE_OUTCOMES)
            fail_msg("%s: a racer ended with status %d", codes[i], WEXITSTATUS(status));
        out[WEXITSTATUS(status)]++;
    }
}

static void test_two_processes_racing_for_the_last_redemption_one_wins(void **state)
{
    FIXTURE(state);
    int64_t first = add_user(f, "starter");
    int64_t racers[2];
    int round, out[RACE_OUTCOMES];

    racers[0] = add_user(f, "starter");
    racers[1] = add_user(f, "pro");
    for (round = 0; round < RACE_ROUNDS; round++) {
        char code[16];
        const char *codes[2], *keys[2];
        vg_promo p;

        snprintf(code, sizeof code, "LAST%d", round);
        codes[0] = codes[1] = keys[0] = keys[1] = code; /* a key per round */
        p = promo_of(code, 7);
        p.max_redemptions = 2;
        assert_status(vg_promo_put(f->ctx, &p), VG_OK);
        assert_status(vg_promo_redeem(NULL, f->ctx, first, code, code), VG_OK);
        race(f, racers, codes, keys, out);
        assert_int_equal(out[RACE_WON], 1);
        assert_int_equal(out[RACE_USED], 1);
        assert_int_equal(promo_read(f, code).redeemed, 2);
    }
    assert_int_equal(grants_of(f, racers[0]).count + grants_of(f, racers[1]).count, RACE_ROUNDS);
    assert_int_equal(grants_of(f, racers[0]).credits + grants_of(f, racers[1]).credits,
                     7 * RACE_ROUNDS);
    assert_invariants(f);
}

static void test_the_same_redemption_sent_twice_at_once_grants_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    int64_t users[2];
    int round, out[RACE_OUTCOMES];

    users[0] = users[1] = u;
    for (round = 0; round < RACE_ROUNDS; round++) {
        char code[16], key[32];
        const char *codes[2], *keys[2];
        vg_promo p;

        snprintf(code, sizeof code, "DUP%d", round);
        snprintf(key, sizeof key, "the-same-click-%d", round);
        codes[0] = codes[1] = code;
        keys[0] = keys[1] = key;
        p = promo_of(code, 6);
        assert_status(vg_promo_put(f->ctx, &p), VG_OK);
        /* both get the one outcome: the second is a repeat of the first */
        race(f, users, codes, keys, out);
        assert_int_equal(out[RACE_WON], 2);
        assert_int_equal(promo_read(f, code).redeemed, 1);
    }
    assert_int_equal(grants_of(f, u).count, RACE_ROUNDS);
    assert_int_equal(balance_of(f, u).bonus, 6 * RACE_ROUNDS);
    assert_invariants(f);
}

static void test_one_key_sent_at_once_with_two_codes_redeems_one(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    int64_t users[2];
    int round, out[RACE_OUTCOMES];

    users[0] = users[1] = u;
    for (round = 0; round < RACE_ROUNDS; round++) {
        char code_a[16], code_b[16], key[32];
        const char *codes[2], *keys[2];
        vg_promo p;

        snprintf(code_a, sizeof code_a, "LEFT%d", round);
        snprintf(code_b, sizeof code_b, "RIGHT%d", round);
        snprintf(key, sizeof key, "one-key-%d", round);
        codes[0] = code_a;
        codes[1] = code_b;
        keys[0] = keys[1] = key;
        p = promo_of(code_a, 3);
        assert_status(vg_promo_put(f->ctx, &p), VG_OK);
        p = promo_of(code_b, 3);
        assert_status(vg_promo_put(f->ctx, &p), VG_OK);
        race(f, users, codes, keys, out);
        assert_int_equal(out[RACE_WON], 1);
        assert_int_equal(out[RACE_CONFLICT], 1);
        assert_int_equal(promo_read(f, code_a).redeemed + promo_read(f, code_b).redeemed, 1);
    }
    assert_int_equal(grants_of(f, u).count, RACE_ROUNDS);
    assert_invariants(f);
}

typedef struct racer {
    vg_ctx *ctx;
    int64_t user;
    const char *code;
    pthread_barrier_t *start;
    int rc;
} racer;

static void *race_thread(void *payload)
{
    racer *r = payload;
    pthread_barrier_wait(r->start);
    r->rc = vg_promo_redeem(NULL, r->ctx, r->user, r->code, r->code);
    return NULL;
}

static void test_two_threads_racing_for_the_last_redemption_one_wins(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "starter");
    int round, i;

    for (round = 0; round < RACE_ROUNDS; round++) {
        char code[16];
        pthread_barrier_t start;
        pthread_t threads[2];
        racer racers[2];
        vg_promo p;
        int won = 0, lost = 0;

        snprintf(code, sizeof code, "THREAD%d", round);
        p = promo_of(code, 4);
        p.max_redemptions = 1;
        assert_status(vg_promo_put(f->ctx, &p), VG_OK);
        pthread_barrier_init(&start, NULL, 2);
        for (i = 0; i < 2; i++) {
            racers[i].ctx = f->ctx;
            racers[i].user = i ? b : a;
            racers[i].code = code;
            racers[i].start = &start;
            racers[i].rc = 12345;
            assert_int_equal(pthread_create(&threads[i], NULL, race_thread, &racers[i]), 0);
        }
        for (i = 0; i < 2; i++) {
            pthread_join(threads[i], NULL);
            won += racers[i].rc == VG_OK;
            lost += racers[i].rc == VG_EPROMO_USED;
        }
        pthread_barrier_destroy(&start);
        assert_int_equal(won, 1);
        assert_int_equal(lost, 1);
        assert_int_equal(promo_read(f, code).redeemed, 1);
    }
    assert_int_equal(grants_of(f, a).count + grants_of(f, b).count, RACE_ROUNDS);
    assert_invariants(f);
}

/* ---- the administrators' figures ----------------------------------------------------------- */

static vg_admin_stats stats_of(fixture *f)
{
    vg_admin_stats s;
    memset(&s, 0, sizeof s);
    s.version = VG_ADMIN_STATS_VERSION;
    assert_status(vg_admin_stats_get(&s, f->ctx), VG_OK);
    assert_int_equal(s.version, VG_ADMIN_STATS_VERSION);
    return s;
}

static void test_the_figures_of_an_empty_store_are_zero(void **state)
{
    FIXTURE(state);
    vg_admin_stats s = stats_of(f);
    assert_int_equal(s.plan_count, 0);
    assert_int_equal(s.active_subscriptions, 0);
    assert_int_equal(s.currency_count, 0);
    assert_int_equal(s.credits_granted, 0);
    assert_int_equal(s.service_count, 0);
    assert_int_equal(s.api_cost_micro_usd, 0);
    assert_int_equal(s.cache_saved_micro_usd, 0);
    assert_int_equal(s.cache_hits, 0);
    assert_invariants(f);
}

static void test_the_figures_refuse_bad_arguments(void **state)
{
    FIXTURE(state);
    vg_admin_stats s;
    memset(&s, 0, sizeof s);
    assert_status(vg_admin_stats_get(&s, f->ctx), VG_EVERSION);
    s.version = VG_ADMIN_STATS_VERSION + 1;
    assert_status(vg_admin_stats_get(&s, f->ctx), VG_EVERSION);
    s.version = VG_ADMIN_STATS_VERSION;
    assert_status(vg_admin_stats_get(NULL, f->ctx), VG_EINVAL);
    assert_status(vg_admin_stats_get(&s, NULL), VG_EINVAL);
    assert_invariants(f);
}

static void test_a_table_stops_at_its_row_limit(void **state)
{
    FIXTURE(state);
    vg_admin_stats s;
    vg_plan plan;
    char email[64];
    int64_t id;
    int i;

    /* VG_STATS_ROWS + 2 plans of one user each: the first VG_STATS_ROWS by name are shown */
    assert_status(vg_plan_get(&plan, f->ctx, "starter"), VG_OK);
    for (i = 0; i < VG_STATS_ROWS + 2; i++) {
        snprintf(plan.name, sizeof plan.name, "plan_%02d", i);
        assert_status(vg_plan_put(f->ctx, &plan), VG_OK);
        snprintf(email, sizeof email, "p%d@test.vidgo", i);
        assert_status(vg_user_add_verified(&id, f->ctx, email, plan.name), VG_OK);
    }
    s = stats_of(f);
    assert_int_equal(s.plan_count, VG_STATS_ROWS);
    for (i = 0; i < VG_STATS_ROWS; i++) {
        snprintf(email, sizeof email, "plan_%02d", i);
        assert_string_equal(s.plans[i].plan, email);
        assert_int_equal(s.plans[i].users, 1);
    }
    assert_invariants(f);
}

/* A job of the store, tied to a settled hold, as the pipeline leaves one. */
typedef struct job_row {
    int64_t user_id;
    const char *key, *service;
    int state;
    int64_t hold_id;
    int charged;
    int64_t cost;
} job_row;

static int insert_job_body(vg__txn *txn, void *payload)
{
    const job_row *r = payload;
    vg_store_job j;
    int64_t id;
    vg_time now = vg_ctx_now(txn->ctx);
    memset(&j, 0, sizeof j);
    j.user_id = r->user_id;
    snprintf(j.idempotency_key, sizeof j.idempotency_key, "%s", r->key);
    snprintf(j.service, sizeof j.service, "%s", r->service);
    snprintf(j.scope, sizeof j.scope, "%s", r->service);
    snprintf(j.prompt, sizeof j.prompt, "a cat %s", r->key);
    snprintf(j.lang, sizeof j.lang, "en");
    j.state = r->state;
    j.hold_id = r->hold_id;
    j.settled = 1;
    j.charged = r->charged;
    j.api_cost_micro_usd = r->cost;
    j.created_at = j.updated_at = j.next_run_at = j.finished_at = now;
    return vg__job_insert(txn, &id, &j);
}

typedef struct sub_row {
    int64_t user_id;
    const char *plan;
    int state;
} sub_row;

static int put_subscription_body(vg__txn *txn, void *payload)
{
    const sub_row *r = payload;
    vg_store_subscription s;
    vg_time now = vg_ctx_now(txn->ctx);
    memset(&s, 0, sizeof s);
    s.user_id = r->user_id;
    snprintf(s.plan, sizeof s.plan, "%s", r->plan);
    s.state = r->state;
    snprintf(s.provider, sizeof s.provider, "ecpay");
    s.started_at = s.period_start = now - DAY;
    s.period_end = now + 20 * DAY;
    s.updated_at = now;
    return vg__subscription_put(txn, &s);
}

/* Holds a service for a user and captures it; returns the hold's id. */
static int64_t spend(fixture *f, int64_t user, const char *service, const char *key)
{
    vg_hold hold;
    char capture_key[64];
    assert_status(vg_credits_hold(&hold, f->ctx, user, service, key, key), VG_OK);
    snprintf(capture_key, sizeof capture_key, "%s-capture", key);
    assert_status(vg_credits_capture(&hold, f->ctx, hold.id, capture_key), VG_OK);
    return hold.id;
}

static const vg_admin_stats *spent_row_check(const vg_admin_stats *s, const char *service,
                                             int64_t credits, int64_t uses)
{
    size_t i;
    for (i = 0; i < s->service_count; i++)
        if (strcmp(s->spent[i].service, service) == 0) {
            assert_int_equal(s->spent[i].credits, credits);
            assert_int_equal(s->spent[i].uses, uses);
            return s;
        }
    fail_msg("no row for the service %s", service);
    return s;
}

static void test_the_figures_add_up_a_small_store(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "starter"), c = add_user(f, "pro"),
            d = add_user(f, "demo");
    int64_t video_a, image_a, video_b, image_c, video_d;
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    vg_cache_hit hit;
    vg_cache *cache = NULL;
    vg_promo p = promo_of("STATS40", 40);
    vg_hold hold;
    vg_admin_stats s;
    size_t i;

    /* grants: 100 purchased, 30 bonus, a promotion's 40 */
    assert_status(vg_credits_grant(NULL, f->ctx, a, VG_CREDIT_PURCHASED, 100, 0, "order-1", "g1"),
                  VG_OK);
    assert_status(vg_credits_grant(NULL, f->ctx, b, VG_CREDIT_BONUS, 30, 0, "gift", "g2"), VG_OK);
    assert_status(vg_promo_put(f->ctx, &p), VG_OK);
    assert_status(vg_promo_redeem(NULL, f->ctx, c, "STATS40", "k"), VG_OK);

    /* spending: a's video and image stand; b's video was refunded; c's image released;
     * d's video was a demo free use (a use, no credits) */
    video_a = spend(f, a, "video_720p", "va");
    image_a = spend(f, a, "image_512", "ia");
    video_b = spend(f, b, "video_720p", "vb");
    assert_status(vg_credits_refund(&hold, f->ctx, video_b, "vb-refund"), VG_OK);
    assert_status(vg_credits_hold(&hold, f->ctx, c, "image_512", "ic", "ic"), VG_OK);
    image_c = hold.id;
    assert_status(vg_credits_release(&hold, f->ctx, image_c, "ic-release"), VG_OK);
    video_d = spend(f, d, "video_720p", "vd");
    assert_status(vg_credits_hold_get(&hold, f->ctx, video_d), VG_OK);
    assert_int_equal(hold.free_use, 1);

    /* jobs: two delivered (counted), one failed (its cost not counted) */
    {
        job_row jobs[] = {
            {a, "job-va", "video_720p", VG_JOB_SUCCEEDED, video_a, 1, 50000},
            {a, "job-ia", "image_512", VG_JOB_SUCCEEDED, image_a, 1, 15000},
            {c, "job-ic", "image_512", VG_JOB_FAILED, image_c, 0, 30000},
        };
        for (i = 0; i < sizeof jobs / sizeof jobs[0]; i++)
            assert_status(vg__txn_run(f->ctx, VG_TXN_WRITE, insert_job_body, &jobs[i]), VG_OK);
    }
    /* subscriptions: active, past due and canceled count; expired does not */
    {
        sub_row subs[] = {
            {a, "starter", VG_SUBSCRIPTION_ACTIVE},
            {b, "starter", VG_SUBSCRIPTION_PAST_DUE},
            {c, "pro", VG_SUBSCRIPTION_CANCELED},
            {d, "starter", VG_SUBSCRIPTION_EXPIRED},
        };
        for (i = 0; i < sizeof subs / sizeof subs[0]; i++)
            assert_status(vg__txn_run(f->ctx, VG_TXN_WRITE, put_subscription_body, &subs[i]),
                          VG_OK);
    }
    /* the cache: an entry worth 40000 served twice, one miss */
    assert_status(vg_cache_open(&cache, f->ctx, NULL), VG_OK);
    scope.service = "video_720p";
    assert_status(vg_cache_put(NULL, cache, &scope, "a red sneaker on a white table",
                               "asset://sneaker", 40000, 0, 0, 0),
                  VG_OK);
    for (i = 0; i < 2; i++) {
        assert_status(vg_cache_lookup(&hit, cache, &scope, "a red sneaker on a white table", a),
                      VG_OK);
        assert_int_equal(hit.match, VG_CACHE_EXACT);
    }
    assert_status(vg_cache_lookup(&hit, cache, &scope, "a blue bicycle in the rain", a), VG_OK);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    vg_cache_close(cache);

    s = stats_of(f);
    assert_int_equal(s.plan_count, 3); /* by name */
    assert_string_equal(s.plans[0].plan, "demo");
    assert_int_equal(s.plans[0].users, 1);
    assert_string_equal(s.plans[1].plan, "pro");
    assert_int_equal(s.plans[1].users, 1);
    assert_string_equal(s.plans[2].plan, "starter");
    assert_int_equal(s.plans[2].users, 2);
    assert_int_equal(s.active_subscriptions, 3);
    assert_int_equal(s.currency_count, 0); /* no orders: see the next test */
    assert_int_equal(s.credits_granted, 100 + 30 + 40);
    assert_int_equal(s.service_count, 2);
    spent_row_check(&s, "image_512", 2, 1);
    spent_row_check(&s, "video_720p", 5, 2);
    assert_int_equal(s.api_cost_micro_usd, 50000 + 15000);
    assert_int_equal(s.cache_hits, 2);
    assert_int_equal(s.cache_saved_micro_usd, 2 * 40000);
    assert_invariants(f);
}

/* Pays an order through the sandbox's simulated callback; returns it. */
static vg_order order_paid(fixture *f, int64_t user, vg_order_kind kind, const char *item,
                           const char *provider, const char *key)
{
    vg_order_request r = VG_ORDER_REQUEST_INIT;
    vg_order o;
    r.user_id = user;
    r.kind = kind;
    r.item = item;
    r.provider = provider;
    r.idempotency_key = key;
    assert_status(vg_order_create(&o, f->ctx, &r), VG_OK);
    assert_status(vg_order_simulate_paid(&o, f->ctx, o.id), VG_OK);
    assert_int_equal(o.state, VG_ORDER_FULFILLED);
    return o;
}

static void test_revenue_counts_fulfilled_orders_per_currency(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "starter"), c = add_user(f, "starter");
    vg_order_request r = VG_ORDER_REQUEST_INIT;
    vg_order twd, usd, refunded, unpaid;
    vg_admin_stats s;

    twd = order_paid(f, a, VG_ORDER_PACKAGE, "credits_50", "ecpay", "o1");
    usd = order_paid(f, b, VG_ORDER_PACKAGE, "credits_20", "paddle", "o2");
    /* a refunded month leaves FULFILLED for REFUNDED: not revenue */
    refunded = order_paid(f, c, VG_ORDER_SUBSCRIPTION, "pro", "ecpay", "o3");
    assert_status(vg_order_refund(&refunded, f->ctx, refunded.id, "test"), VG_OK);
    assert_int_equal(refunded.state, VG_ORDER_REFUNDED);
    /* an order never paid is not revenue either */
    r.user_id = a;
    r.item = "credits_20";
    r.provider = "ecpay";
    r.idempotency_key = "o4";
    assert_status(vg_order_create(&unpaid, f->ctx, &r), VG_OK);

    s = stats_of(f);
    assert_int_equal(s.currency_count, 2); /* by code */
    assert_string_equal(s.revenue[0].currency, "TWD");
    assert_int_equal(s.revenue[0].amount_minor, twd.amount_minor);
    assert_int_equal(s.revenue[0].orders, 1);
    assert_string_equal(s.revenue[1].currency, "USD");
    assert_int_equal(s.revenue[1].amount_minor, usd.amount_minor);
    assert_int_equal(s.revenue[1].orders, 1);
    assert_true(twd.amount_minor > 0 && usd.amount_minor > 0);
    assert_int_equal(s.credits_granted, twd.credits + usd.credits);
    assert_int_equal(s.active_subscriptions, 0); /* the refunded month ended */
    assert_invariants(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_a_code_is_stored_upper_case_and_read_in_any_case),
        T(test_an_unknown_or_malformed_code_reads_as_invalid),
        T(test_replacing_a_code_keeps_its_redeemed_count_and_creation_time),
        T(test_every_refused_promotion_changes_nothing),
        T(test_redeeming_grants_the_bonus_with_its_expiry),
        T(test_a_code_without_a_bonus_life_uses_the_wallet_default),
        T(test_the_same_key_repeats_the_first_redemption),
        T(test_the_same_key_with_another_code_conflicts),
        T(test_a_second_redemption_with_a_new_key_is_refused),
        T(test_a_per_user_limit_of_two_allows_two),
        T(test_the_total_limit_counts_every_user),
        T(test_the_validity_window_is_read_on_the_clock),
        T(test_a_code_for_some_plans_refuses_the_others),
        T(test_an_inactive_unknown_or_malformed_code_is_invalid),
        T(test_a_grant_lost_to_a_crash_is_made_by_redeeming_again),
        T(test_two_processes_racing_for_the_last_redemption_one_wins),
        T(test_the_same_redemption_sent_twice_at_once_grants_once),
        T(test_one_key_sent_at_once_with_two_codes_redeems_one),
        T(test_two_threads_racing_for_the_last_redemption_one_wins),
        T(test_the_figures_of_an_empty_store_are_zero),
        T(test_the_figures_refuse_bad_arguments),
        T(test_a_table_stops_at_its_row_limit),
        T(test_the_figures_add_up_a_small_store),
        T(test_revenue_counts_fulfilled_orders_per_currency),
#undef T
    };
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
