/* SPDX-License-Identifier: MIT */
/* The conformance suite for the version-6 methods of a backend: orders (their versions and
 * lists), subscriptions, promotions and their redemptions, webhook events processed once, and
 * the aggregate figures, as include/vidgo/sys/store.h says. */
#include <limits.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conformance.h"

/* --- what the backend must have ---------------------------------------------------------- */

/* Fails the test unless the backend says it is of version 6 and has each of its methods
 * (calling a missing one would crash the suite). */
static void require_payments(const vg_store_backend *b)
{
    const struct {
        const char *name;
        int present;
    } methods[] = {
        {"order_insert", b->order_insert != NULL},
        {"order_get", b->order_get != NULL},
        {"order_find", b->order_find != NULL},
        {"order_find_key", b->order_find_key != NULL},
        {"order_update", b->order_update != NULL},
        {"orders_list", b->orders_list != NULL},
        {"subscription_put", b->subscription_put != NULL},
        {"subscription_get", b->subscription_get != NULL},
        {"subscriptions_due", b->subscriptions_due != NULL},
        {"promo_put", b->promo_put != NULL},
        {"promo_get", b->promo_get != NULL},
        {"promos_list", b->promos_list != NULL},
        {"redemption_insert", b->redemption_insert != NULL},
        {"redemption_find", b->redemption_find != NULL},
        {"redemptions_count", b->redemptions_count != NULL},
        {"webhook_event_insert", b->webhook_event_insert != NULL},
        {"stats_query", b->stats_query != NULL},
    };
    size_t i;

    if (b->version < 6)
        fail_msg("the %s backend is of version %u, not 6", b->name, b->version);
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!methods[i].present)
            fail_msg("the %s backend has no %s", b->name, methods[i].name);
    /* the methods of version 5 too: the figures of jobs are read from them */
    if (!b->job_insert)
        fail_msg("the %s backend has no job_insert", b->name);
}

/* raw_begin() on a backend that has the methods of version 6. */
static raw_store pay_begin(const char *label)
{
    require_payments(target->backend());
    return raw_begin(label);
}

/* --- records to write -------------------------------------------------------------------- */

/* A hash: zero bytes first, inside and last (so it is no C string), bytes >= 0x80, and the
 * rest set by `seed`. */
static void make_hash(unsigned char hash[VG_STORE_HASH_SIZE], int seed)
{
    size_t i;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        hash[i] = (unsigned char)(seed * 41 + i * 23 + 0x91);
    hash[0] = 0;
    hash[13] = 0;
    hash[VG_STORE_HASH_SIZE - 1] = 0;
}

/* Writes UTF-8 text that fills a field of `size` bytes (size - 1 bytes and the terminator):
 * `head`, then `fill` repeated, then a four-byte character in the last four bytes. */
static void fill_text(char *out, size_t size, const char *head, char fill)
{
    static const char tail[] = "🎬";
    size_t head_len = strlen(head), end = size - 1 - (sizeof tail - 1);
    assert_true(size > sizeof tail && head_len <= end);
    memcpy(out, head, head_len);
    memset(out + head_len, fill, end - head_len);
    memcpy(out + end, tail, sizeof tail);
}

/* An order whose every text fills its field (UTF-8 to the last byte: the currency is "€", three
 * bytes), whose numbers are distinct, set by `seed` and reach the ends of their types, and
 * whose id and version hold values an insert must ignore. */
static vg_store_order make_order(int64_t user_id, int seed)
{
    vg_store_order o;
    char head[128];
    memset(&o, 0, sizeof o);
    o.id = 888888;
    o.version = 77;
    snprintf(head, sizeof head, "VG%d-", seed);
    fill_text(o.number, sizeof o.number, head, 'N');
    o.user_id = user_id;
    snprintf(head, sizeof head, "order-%d-冪等キー ", seed);
    fill_text(o.idempotency_key, sizeof o.idempotency_key, head, 'k');
    make_hash(o.request_hash, seed);
    o.kind = 1;
    snprintf(head, sizeof head, "pkg%d_", seed);
    fill_text(o.item, sizeof o.item, head, 'i');
    o.state = 3;
    snprintf(head, sizeof head, "prov%d_", seed);
    fill_text(o.provider, sizeof o.provider, head, 'p');
    snprintf(o.currency, sizeof o.currency, "€");
    assert_int_equal(strlen(o.currency), sizeof o.currency - 1);
    o.amount_minor = INT64_MAX - seed;
    o.discount_pct = INT_MIN + seed;
    o.credits = INT64_MIN + seed;
    snprintf(head, sizeof head, "txn_%d-交易-", seed);
    fill_text(o.provider_ref, sizeof o.provider_ref, head, 'r');
    snprintf(head, sizeof head, "declined «%d» it's \"a\" \\ 100%% _x_\n\t", seed);
    fill_text(o.failure, sizeof o.failure, head, 'f');
    o.created_at = 1700000000001111LL + seed;
    o.updated_at = 1700000000002222LL + seed;
    o.paid_at = 1700000000003333LL + seed;
    o.fulfilled_at = 1700000000004444LL + seed;
    o.expires_at = 1700000000005555LL + seed;
    return o;
}

/* A plain order of `user_id`: number and key "<name>", in `state`, expiring at expires_at. */
static vg_store_order plain_order(int64_t user_id, const char *name, int state,
                                  vg_time expires_at)
{
    vg_store_order o;
    memset(&o, 0, sizeof o);
    snprintf(o.number, sizeof o.number, "%s", name);
    o.user_id = user_id;
    snprintf(o.idempotency_key, sizeof o.idempotency_key, "%s", name);
    snprintf(o.item, sizeof o.item, "credits_50");
    o.state = state;
    snprintf(o.provider, sizeof o.provider, "ecpay");
    snprintf(o.currency, sizeof o.currency, "TWD");
    o.amount_minor = 299;
    o.credits = 50;
    o.created_at = 1000;
    o.updated_at = 1000;
    o.expires_at = expires_at;
    return o;
}

static vg_store_subscription make_subscription(int64_t user_id, int seed)
{
    vg_store_subscription s;
    char head[64];
    memset(&s, 0, sizeof s);
    s.user_id = user_id;
    snprintf(head, sizeof head, "plan%d_", seed);
    fill_text(s.plan, sizeof s.plan, head, 'p');
    s.state = INT_MAX - seed;
    snprintf(head, sizeof head, "paddle%d_", seed);
    fill_text(s.provider, sizeof s.provider, head, 'v');
    snprintf(head, sizeof head, "sub_%d-訂閱-", seed);
    fill_text(s.provider_ref, sizeof s.provider_ref, head, 'r');
    snprintf(head, sizeof head, "next%d_", seed);
    fill_text(s.next_plan, sizeof s.next_plan, head, 'n');
    s.started_at = INT64_MIN + seed;
    s.period_start = 1700000000001000LL + seed;
    s.period_end = INT64_MAX - seed;
    s.updated_at = 1700000000003000LL + seed;
    return s;
}

/* A subscription of `user_id` in `state` whose period ends at period_end. */
static vg_store_subscription plain_subscription(int64_t user_id, int state, vg_time period_end)
{
    vg_store_subscription s;
    memset(&s, 0, sizeof s);
    s.user_id = user_id;
    snprintf(s.plan, sizeof s.plan, "pro");
    s.state = state;
    snprintf(s.provider, sizeof s.provider, "ecpay");
    s.period_start = period_end - 30;
    s.period_end = period_end;
    return s;
}

static vg_store_promo make_promo(const char *code_head, int seed)
{
    vg_store_promo p;
    char head[64];
    memset(&p, 0, sizeof p);
    fill_text(p.code, sizeof p.code, code_head, 'X');
    p.bonus_credits = INT64_MAX - seed;
    p.bonus_ttl_days = INT_MAX - seed;
    p.valid_from = INT64_MIN + seed;
    p.valid_until = 1700000000009999LL + seed;
    p.max_redemptions = INT_MIN + seed;
    p.per_user = 3 + seed;
    snprintf(head, sizeof head, "starter pro pro_plus %d 方案 ", seed);
    fill_text(p.plans, sizeof p.plans, head, 'q');
    p.active = 1;
    p.redeemed = 5000000000LL + seed;
    p.created_at = 1700000000000123LL + seed;
    return p;
}

/* A plain promotion: `code`, active, nothing redeemed. */
static vg_store_promo plain_promo(const char *code)
{
    vg_store_promo p;
    memset(&p, 0, sizeof p);
    snprintf(p.code, sizeof p.code, "%s", code);
    p.bonus_credits = 10;
    p.active = 1;
    return p;
}

static vg_store_redemption make_redemption(const char *code, int64_t user_id, const char *key,
                                           int64_t credits)
{
    vg_store_redemption r;
    memset(&r, 0, sizeof r);
    snprintf(r.code, sizeof r.code, "%s", code);
    r.user_id = user_id;
    snprintf(r.idempotency_key, sizeof r.idempotency_key, "%s", key);
    r.credits = credits;
    r.at = 1700000000000000LL + credits;
    return r;
}

static vg_store_webhook_event make_event(const char *provider, const char *event_id)
{
    vg_store_webhook_event e;
    memset(&e, 0, sizeof e);
    snprintf(e.provider, sizeof e.provider, "%s", provider);
    snprintf(e.event_id, sizeof e.event_id, "%s", event_id);
    snprintf(e.event_type, sizeof e.event_type, "transaction.completed");
    e.received_at = 1700000000000777LL;
    return e;
}

/* --- comparing what was read ------------------------------------------------------------- */

#define SAME(field) assert_int_equal(got->field, want->field)
#define SAME_TEXT(field) assert_string_equal(got->field, want->field)
#define SAME_BYTES(field) assert_memory_equal(got->field, want->field, sizeof want->field)

static void assert_order_is(const vg_store_order *got, const vg_store_order *want)
{
    SAME(id);
    SAME(version);
    SAME_TEXT(number);
    SAME(user_id);
    SAME_TEXT(idempotency_key);
    SAME_BYTES(request_hash);
    SAME(kind);
    SAME_TEXT(item);
    SAME(state);
    SAME_TEXT(provider);
    SAME_TEXT(currency);
    SAME(amount_minor);
    SAME(discount_pct);
    SAME(credits);
    SAME_TEXT(provider_ref);
    SAME_TEXT(failure);
    SAME(created_at);
    SAME(updated_at);
    SAME(paid_at);
    SAME(fulfilled_at);
    SAME(expires_at);
}

static void assert_subscription_is(const vg_store_subscription *got,
                                   const vg_store_subscription *want)
{
    SAME(user_id);
    SAME_TEXT(plan);
    SAME(state);
    SAME_TEXT(provider);
    SAME_TEXT(provider_ref);
    SAME_TEXT(next_plan);
    SAME(started_at);
    SAME(period_start);
    SAME(period_end);
    SAME(updated_at);
}

static void assert_promo_is(const vg_store_promo *got, const vg_store_promo *want)
{
    SAME_TEXT(code);
    SAME(bonus_credits);
    SAME(bonus_ttl_days);
    SAME(valid_from);
    SAME(valid_until);
    SAME(max_redemptions);
    SAME(per_user);
    SAME_TEXT(plans);
    SAME(active);
    SAME(redeemed);
    SAME(created_at);
}

static void assert_redemption_is(const vg_store_redemption *got,
                                 const vg_store_redemption *want)
{
    SAME_TEXT(code);
    SAME(user_id);
    SAME_TEXT(idempotency_key);
    SAME(credits);
    SAME(at);
}

/* Inserts an order and returns its id; `order` then reads as stored (its id, version 1). */
static int64_t insert_order(raw_store *s, vg_store_order *order)
{
    int64_t id = 0;
    assert_int_equal(s->b->order_insert(&id, s->conn, order), VG_OK);
    assert_true(id > 0);
    order->id = id;
    order->version = 1;
    return id;
}

static vg_store_order get_order(const vg_store_backend *b, vg_store_conn *conn, int64_t id)
{
    vg_store_order got;
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(b->order_get(&got, conn, id, 0), VG_OK);
    return got;
}

/* Inserts a user on `plan` (which must exist) and returns its id. */
static int64_t add_user_on(raw_store *s, const char *email, const char *plan)
{
    vg_user user;
    int64_t id = 0;
    memset(&user, 0, sizeof user);
    user.version = VG_USER_VERSION;
    snprintf(user.email, sizeof user.email, "%s", email);
    snprintf(user.plan, sizeof user.plan, "%s", plan);
    user.verified = 1;
    user.active = 1;
    user.created_at = 1700000000000000LL;
    assert_int_equal(s->b->user_insert(&id, s->conn, &user), VG_OK);
    return id;
}

/* Puts a plan named `name` (only its name matters here). */
static void put_plan(raw_store *s, const char *name, int rank)
{
    vg_plan plan;
    memset(&plan, 0, sizeof plan);
    plan.version = VG_PLAN_VERSION;
    snprintf(plan.name, sizeof plan.name, "%s", name);
    plan.rank = rank;
    plan.active = 1;
    assert_int_equal(s->b->plan_put(s->conn, &plan), VG_OK);
}

/* --- lists ------------------------------------------------------------------------------- */

#define MAX_LISTED 1100

/* What a list gave, in order; it stops the listing after stop_after (0: never). */
typedef struct listed {
    int count, stop_after;
    int64_t ids[MAX_LISTED];    /* orders: ids; subscriptions: user ids */
    char codes[16][VG_STORE_PROMO_CODE_SIZE];
    vg_store_order last_order;
    vg_store_subscription last_subscription;
    vg_store_promo last_promo;
} listed;

static int note_order(const vg_store_order *order, void *payload)
{
    listed *l = payload;
    if (l->count < MAX_LISTED)
        l->ids[l->count] = order->id;
    l->last_order = *order;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static int note_subscription(const vg_store_subscription *subscription, void *payload)
{
    listed *l = payload;
    if (l->count < MAX_LISTED)
        l->ids[l->count] = subscription->user_id;
    l->last_subscription = *subscription;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static int note_promo(const vg_store_promo *promo, void *payload)
{
    listed *l = payload;
    if (l->count < 16)
        snprintf(l->codes[l->count], sizeof l->codes[0], "%s", promo->code);
    l->last_promo = *promo;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static listed *list_orders(const vg_store_backend *b, vg_store_conn *conn, int64_t user_id,
                           int64_t before_id, int max_state, vg_time expires_before, int limit)
{
    static listed l;
    vg_store_order_filter filter = {user_id, before_id, max_state, expires_before, limit};
    memset(&l, 0, sizeof l);
    assert_int_equal(b->orders_list(conn, &filter, note_order, &l), VG_OK);
    return &l;
}

static listed *list_due(const vg_store_backend *b, vg_store_conn *conn, vg_time due_before,
                        int min_state, int max_state, int limit)
{
    static listed l;
    memset(&l, 0, sizeof l);
    assert_int_equal(b->subscriptions_due(conn, due_before, min_state, max_state, limit,
                                          note_subscription, &l),
                     VG_OK);
    return &l;
}

/* Fails unless the list gave exactly the n ids, in that order. */
static void assert_ids(const listed *l, int n, ...)
{
    va_list args;
    int i;
    if (l->count != n)
        fail_msg("the list gave %d items, not %d", l->count, n);
    va_start(args, n);
    for (i = 0; i < n; i++) {
        int64_t want = va_arg(args, int64_t);
        if (l->ids[i] != want)
            fail_msg("item %d is %lld, not %lld", i, (long long)l->ids[i], (long long)want);
    }
    va_end(args);
}

static int64_t count_redemptions(raw_store *s, const char *code, int64_t user_id)
{
    int64_t n = -1;
    assert_int_equal(s->b->redemptions_count(&n, s->conn, code, user_id), VG_OK);
    return n;
}

/* ============================================================================================
 * Orders: records
 * ========================================================================================== */

static void test_order_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = pay_begin("order-roundtrip");
    vg_store_order order = make_order(add_user(&s, "roundtrip@example.com"), 1), got;
    (void)state;
    insert_order(&s, &order);
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    raw_reopen_for_reading(&s);
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->order_find(&got, s.conn, order.number, 0), VG_OK);
    assert_order_is(&got, &order);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->order_find_key(&got, s.conn, order.user_id, order.idempotency_key),
                     VG_OK);
    assert_order_is(&got, &order);
    raw_end(&s);
}

static void test_order_insert_assigns_increasing_ids_and_version_1(void **state)
{
    raw_store s = pay_begin("order-ids");
    int64_t user = add_user(&s, "ids@example.com");
    vg_store_order a = make_order(user, 1), b = make_order(user, 2), got;
    (void)state;
    insert_order(&s, &a);
    insert_order(&s, &b);
    assert_true(b.id > a.id);
    assert_true(a.id != 888888);
    got = get_order(s.b, s.conn, a.id);
    assert_int_equal(got.version, 1); /* not the 77 it was given */
    got = get_order(s.b, s.conn, b.id);
    assert_int_equal(got.version, 1);
    raw_end(&s);
}

static void test_order_insert_accepts_a_null_out_id(void **state)
{
    raw_store s = pay_begin("order-null-out");
    vg_store_order order = make_order(add_user(&s, "nullout@example.com"), 3), got;
    (void)state;
    assert_int_equal(s.b->order_insert(NULL, s.conn, &order), VG_OK);
    assert_int_equal(s.b->order_find(&got, s.conn, order.number, 0), VG_OK);
    order.id = got.id;
    order.version = 1;
    assert_order_is(&got, &order);
    raw_end(&s);
}

static void test_order_insert_with_a_taken_number_is_eexists_and_keeps_the_first(void **state)
{
    raw_store s = pay_begin("order-taken-number");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_order first = plain_order(ann, "VG0001", 0, 0);
    vg_store_order again = plain_order(bob, "VG0001", 1, 0), other, got;
    int64_t id = -5;
    (void)state;
    insert_order(&s, &first);
    snprintf(again.idempotency_key, sizeof again.idempotency_key, "another key");
    assert_int_equal(s.b->order_insert(&id, s.conn, &again), VG_EEXISTS);
    assert_int_equal(id, -5); /* nothing written to out_id */
    assert_non_null(strstr(s.b->errmsg(s.conn), "number"));
    assert_int_equal(s.b->order_find(&got, s.conn, "VG0001", 0), VG_OK);
    assert_order_is(&got, &first);
    assert_int_equal(s.b->order_find_key(&got, s.conn, bob, "another key"), VG_ENOTFOUND);
    /* the transaction goes on */
    other = plain_order(bob, "VG0002", 0, 0);
    insert_order(&s, &other);
    raw_reopen_for_reading(&s);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, 2);
    raw_end(&s);
}

static void test_order_insert_with_a_taken_key_is_eexists_and_keeps_the_first(void **state)
{
    raw_store s = pay_begin("order-taken-key");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_order first = plain_order(ann, "VG0001", 0, 0);
    vg_store_order again = plain_order(ann, "VG0002", 1, 0);
    vg_store_order other_user = plain_order(bob, "VG0003", 0, 0);
    vg_store_order other_key = plain_order(ann, "VG0004", 0, 0), got;
    int64_t id = -5;
    (void)state;
    insert_order(&s, &first);
    snprintf(again.idempotency_key, sizeof again.idempotency_key, "VG0001");
    assert_int_equal(s.b->order_insert(&id, s.conn, &again), VG_EEXISTS);
    assert_int_equal(id, -5);
    assert_non_null(strstr(s.b->errmsg(s.conn), "idempotency key"));
    assert_int_equal(s.b->order_find(&got, s.conn, "VG0002", 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find_key(&got, s.conn, ann, "VG0001"), VG_OK);
    assert_order_is(&got, &first);
    /* the transaction goes on: the same key of another user, another key of the same user */
    snprintf(other_user.idempotency_key, sizeof other_user.idempotency_key, "VG0001");
    insert_order(&s, &other_user);
    insert_order(&s, &other_key);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->order_find_key(&got, s.conn, bob, "VG0001"), VG_OK);
    assert_order_is(&got, &other_user);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, 3);
    raw_end(&s);
}

static void test_order_insert_for_a_user_who_does_not_exist_is_econstraint(void **state)
{
    raw_store s = pay_begin("order-no-user");
    vg_store_order order = plain_order(987654321, "VG0001", 0, 0);
    (void)state;
    assert_int_equal(s.b->order_insert(NULL, s.conn, &order), VG_ECONSTRAINT);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    raw_end(&s);
}

static void test_order_text_longer_than_its_field_is_einval_and_stores_nothing(void **state)
{
    raw_store s = pay_begin("order-too-long");
    int64_t user = add_user(&s, "toolong@example.com");
    vg_store_order order, good = plain_order(user, "VG-good", 0, 0), got;
    struct {
        size_t offset, size;
        const char *column;
    } texts[] = {
        {offsetof(vg_store_order, number), VG_STORE_ORDER_NUMBER_SIZE, "number"},
        {offsetof(vg_store_order, idempotency_key), VG_STORE_KEY_SIZE, "idempotency_key"},
        {offsetof(vg_store_order, item), VG_NAME_SIZE, "item"},
        {offsetof(vg_store_order, provider), VG_NAME_SIZE, "provider"},
        {offsetof(vg_store_order, currency), VG_STORE_CURRENCY_SIZE, "currency"},
        {offsetof(vg_store_order, provider_ref), VG_STORE_REF_SIZE, "provider_ref"},
        {offsetof(vg_store_order, failure), VG_STORE_TITLE_SIZE, "failure"},
    };
    size_t i;
    (void)state;
    insert_order(&s, &good);
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        order = plain_order(user, "VG-too-long", 0, 0);
        memset((char *)&order + texts[i].offset, 'x', texts[i].size); /* no terminator */
        assert_int_equal(s.b->order_insert(NULL, s.conn, &order), VG_EINVAL);
        assert_non_null(strstr(s.b->errmsg(s.conn), texts[i].column));
        /* an update is refused likewise, and leaves the order as it was */
        order = good;
        memset((char *)&order + texts[i].offset, 'x', texts[i].size);
        assert_int_equal(s.b->order_update(s.conn, &order), VG_EINVAL);
    }
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, 1);
    got = get_order(s.b, s.conn, good.id);
    assert_order_is(&got, &good);
    raw_end(&s);
}

static void test_order_get_and_find_of_unknown_ones_are_notfound(void **state)
{
    raw_store s = pay_begin("order-unknown");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_order order = plain_order(ann, "VGabc", 0, 0), got;
    (void)state;
    snprintf(order.idempotency_key, sizeof order.idempotency_key, "Key");
    insert_order(&s, &order);
    assert_int_equal(s.b->order_get(&got, s.conn, order.id + 1, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_get(&got, s.conn, 0, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_get(&got, s.conn, -1, 1), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find(&got, s.conn, "VGABC", 0), VG_ENOTFOUND); /* exact case */
    assert_int_equal(s.b->order_find(&got, s.conn, "VGab", 1), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find(&got, s.conn, "", 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find_key(&got, s.conn, bob, "Key"), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find_key(&got, s.conn, ann, "key"), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find_key(&got, s.conn, ann, "Key "), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find(&got, s.conn, "VGabc", 1), VG_OK);
    assert_int_equal(s.b->order_find_key(&got, s.conn, ann, "Key"), VG_OK);
    raw_end(&s);
}

static void test_order_find_takes_a_number_and_key_that_fill_their_fields(void **state)
{
    raw_store s = pay_begin("order-find-long");
    int64_t user = add_user(&s, "findlong@example.com");
    vg_store_order order = make_order(user, 4), got;
    char number[VG_STORE_ORDER_NUMBER_SIZE + 1], key[VG_STORE_KEY_SIZE + 1];
    (void)state;
    insert_order(&s, &order);
    assert_int_equal(strlen(order.number), VG_STORE_ORDER_NUMBER_SIZE - 1);
    assert_int_equal(s.b->order_find(&got, s.conn, order.number, 0), VG_OK);
    assert_int_equal(got.id, order.id);
    assert_int_equal(s.b->order_find_key(&got, s.conn, user, order.idempotency_key), VG_OK);
    assert_int_equal(got.id, order.id);
    memset(number, 'n', VG_STORE_ORDER_NUMBER_SIZE);
    number[VG_STORE_ORDER_NUMBER_SIZE] = '\0'; /* 21 bytes */
    memset(key, 'k', VG_STORE_KEY_SIZE);
    key[VG_STORE_KEY_SIZE] = '\0'; /* 201 bytes */
    assert_int_equal(s.b->order_find(&got, s.conn, number, 0), VG_EINVAL);
    assert_int_equal(s.b->order_find_key(&got, s.conn, user, key), VG_EINVAL);
    raw_end(&s);
}

/* ============================================================================================
 * Orders: updates and their versions
 * ========================================================================================== */

static void test_order_update_writes_every_field_and_bumps_the_version(void **state)
{
    raw_store s = pay_begin("order-update");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_order order = make_order(ann, 1), changed, got;
    (void)state;
    insert_order(&s, &order);
    changed = make_order(bob, 2); /* every field differs: the number, user and key too */
    changed.id = order.id;
    changed.version = 1;
    assert_int_equal(s.b->order_update(s.conn, &changed), VG_OK);
    changed.version = 2;
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &changed);
    assert_int_equal(s.b->order_find(&got, s.conn, changed.number, 0), VG_OK);
    assert_int_equal(s.b->order_find(&got, s.conn, order.number, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find_key(&got, s.conn, bob, changed.idempotency_key), VG_OK);
    assert_int_equal(s.b->order_find_key(&got, s.conn, ann, order.idempotency_key),
                     VG_ENOTFOUND);
    changed.state = 6;
    assert_int_equal(s.b->order_update(s.conn, &changed), VG_OK);
    raw_reopen_for_reading(&s);
    changed.version = 3;
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &changed);
    raw_end(&s);
}

static void test_order_update_with_a_stale_version_is_estate_and_changes_nothing(void **state)
{
    raw_store s = pay_begin("order-stale");
    vg_store_order order = make_order(add_user(&s, "stale@example.com"), 1), stale, got;
    (void)state;
    insert_order(&s, &order);
    stale = order;
    order.state = 2;
    order.paid_at = 5000;
    assert_int_equal(s.b->order_update(s.conn, &order), VG_OK); /* now at version 2 */
    order.version = 2;
    stale.state = 4;
    snprintf(stale.failure, sizeof stale.failure, "too late");
    assert_int_equal(s.b->order_update(s.conn, &stale), VG_ESTATE); /* read at version 1 */
    assert_true(strlen(s.b->errmsg(s.conn)) > 0);
    stale.version = 3; /* a version the order never had */
    assert_int_equal(s.b->order_update(s.conn, &stale), VG_ESTATE);
    stale.version = 0;
    assert_int_equal(s.b->order_update(s.conn, &stale), VG_ESTATE);
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    raw_reopen_for_reading(&s);
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    raw_end(&s);
}

static void test_order_update_of_an_unknown_id_is_notfound(void **state)
{
    raw_store s = pay_begin("order-update-unknown");
    vg_store_order order = make_order(add_user(&s, "unknown@example.com"), 1), got;
    int64_t id;
    (void)state;
    id = insert_order(&s, &order);
    order.id = id + 1000;
    assert_int_equal(s.b->order_update(s.conn, &order), VG_ENOTFOUND);
    order.id = 0;
    assert_int_equal(s.b->order_update(s.conn, &order), VG_ENOTFOUND);
    got = get_order(s.b, s.conn, id);
    assert_int_equal(got.version, 1);
    raw_end(&s);
}

static void test_of_two_writers_of_one_order_version_only_the_first_succeeds(void **state)
{
    raw_store s = pay_begin("order-two-writers");
    vg_store_order order = make_order(add_user(&s, "writers@example.com"), 1), mine, theirs, got;
    vg_store_conn *other;
    (void)state;
    insert_order(&s, &order);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    other = connect_raw(s.location, 1000);

    /* both read version 1 */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    mine = get_order(s.b, s.conn, order.id);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(other, VG_TXN_READ), VG_OK);
    theirs = get_order(s.b, other, order.id);
    assert_int_equal(s.b->commit(other), VG_OK);

    theirs.state = 2;
    assert_int_equal(s.b->begin(other, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->order_update(other, &theirs), VG_OK);
    assert_int_equal(s.b->commit(other), VG_OK);
    mine.state = 5;
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->order_update(s.conn, &mine), VG_ESTATE);
    got = get_order(s.b, s.conn, order.id);
    assert_int_equal(got.state, 2);
    assert_int_equal(got.version, 2);
    s.b->disconnect(other);
    raw_end(&s);
}

/* A read with for_update of one kind of record, by the key the test wrote. */
typedef int (*locking_read)(raw_store *s, vg_store_conn *conn);

static int64_t locked_user;

static int lock_order_by_id(raw_store *s, vg_store_conn *conn)
{
    vg_store_order got;
    vg_store_order_filter mine = {locked_user, 0, -1, 0, 1};
    listed l;
    memset(&l, 0, sizeof l);
    if (s->b->orders_list(conn, &mine, note_order, &l) != VG_OK || l.count != 1)
        return VG_ESTORE;
    return s->b->order_get(&got, conn, l.ids[0], 1);
}

static int lock_order_by_number(raw_store *s, vg_store_conn *conn)
{
    vg_store_order got;
    return s->b->order_find(&got, conn, "VG-locked", 1);
}

static int lock_subscription(raw_store *s, vg_store_conn *conn)
{
    vg_store_subscription got;
    return s->b->subscription_get(&got, conn, locked_user, 1);
}

static int lock_promo(raw_store *s, vg_store_conn *conn)
{
    vg_store_promo got;
    return s->b->promo_get(&got, conn, "LOCKED", 1);
}

static void test_reads_for_update_hold_off_a_second_writer_until_commit(void **state)
{
    static const struct {
        const char *name;
        locking_read read;
    } reads[] = {
        {"order_get", lock_order_by_id},
        {"order_find", lock_order_by_number},
        {"subscription_get", lock_subscription},
        {"promo_get", lock_promo},
    };
    raw_store s = pay_begin("for-update");
    vg_store_order order;
    vg_store_subscription subscription;
    vg_store_promo promo = plain_promo("LOCKED");
    vg_store_conn *other;
    size_t i;
    int rc;
    (void)state;
    locked_user = add_user(&s, "lock@example.com");
    order = plain_order(locked_user, "VG-locked", 0, 0);
    subscription = plain_subscription(locked_user, 1, 5000);
    insert_order(&s, &order);
    assert_int_equal(s.b->subscription_put(s.conn, &subscription), VG_OK);
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    other = connect_raw(s.location, 200);

    for (i = 0; i < sizeof reads / sizeof reads[0]; i++) {
        assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
        assert_int_equal(reads[i].read(&s, s.conn), VG_OK);
        rc = s.b->begin(other, VG_TXN_WRITE);
        if (rc == VG_OK) { /* a server database: the row lock holds the second writer off */
            rc = reads[i].read(&s, other);
            s.b->rollback(other);
        }
        if (rc != VG_EBUSY)
            fail_msg("%s with for_update let a second writer through: %s", reads[i].name,
                     vg_error_name(rc));
        assert_int_equal(s.b->commit(s.conn), VG_OK);

        assert_int_equal(s.b->begin(other, VG_TXN_WRITE), VG_OK);
        assert_int_equal(reads[i].read(&s, other), VG_OK);
        assert_int_equal(s.b->commit(other), VG_OK);
    }
    s.b->disconnect(other);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    raw_end(&s);
}

/* ============================================================================================
 * Orders: lists
 * ========================================================================================== */

static void test_orders_list_gives_every_field_newest_first(void **state)
{
    raw_store s = pay_begin("orders-list-fields");
    int64_t user = add_user(&s, "fields@example.com");
    vg_store_order orders[3];
    listed *l;
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        orders[i] = make_order(user, 10 + i);
        insert_order(&s, &orders[i]);
    }
    l = list_orders(s.b, s.conn, 0, 0, -1, 0, 1000);
    assert_ids(l, 3, orders[2].id, orders[1].id, orders[0].id);
    assert_order_is(&l->last_order, &orders[0]); /* the whole record reaches the callback */
    raw_reopen_for_reading(&s);
    l = list_orders(s.b, s.conn, user, 0, -1, 0, 1000);
    assert_ids(l, 3, orders[2].id, orders[1].id, orders[0].id);
    assert_order_is(&l->last_order, &orders[0]);
    raw_end(&s);
}

static void test_orders_list_filters_by_user(void **state)
{
    raw_store s = pay_begin("orders-list-user");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    int64_t a1, b1, a2, b2;
    vg_store_order o;
    (void)state;
    o = plain_order(ann, "A1", 0, 0), a1 = insert_order(&s, &o);
    o = plain_order(bob, "B1", 0, 0), b1 = insert_order(&s, &o);
    o = plain_order(ann, "A2", 3, 0), a2 = insert_order(&s, &o);
    o = plain_order(bob, "B2", 6, 0), b2 = insert_order(&s, &o);
    assert_ids(list_orders(s.b, s.conn, ann, 0, -1, 0, 1000), 2, a2, a1);
    assert_ids(list_orders(s.b, s.conn, bob, 0, -1, 0, 1000), 2, b2, b1);
    assert_ids(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000), 4, b2, a2, b1, a1);
    assert_ids(list_orders(s.b, s.conn, 987654321, 0, -1, 0, 1000), 0);
    raw_end(&s);
}

static void test_orders_list_pages_with_before_id_and_limit(void **state)
{
    raw_store s = pay_begin("orders-list-paging");
    int64_t user = add_user(&s, "paging@example.com"), ids[7];
    vg_store_order o;
    char name[16];
    listed *l;
    int i;
    (void)state;
    for (i = 0; i < 7; i++) {
        snprintf(name, sizeof name, "VG-%d", i);
        o = plain_order(user, name, 0, 0);
        ids[i] = insert_order(&s, &o);
    }
    l = list_orders(s.b, s.conn, 0, 0, -1, 0, 3);
    assert_ids(l, 3, ids[6], ids[5], ids[4]);
    l = list_orders(s.b, s.conn, 0, ids[4], -1, 0, 3); /* id < before_id */
    assert_ids(l, 3, ids[3], ids[2], ids[1]);
    l = list_orders(s.b, s.conn, user, ids[1], -1, 0, 3);
    assert_ids(l, 1, ids[0]);
    l = list_orders(s.b, s.conn, user, ids[0], -1, 0, 3);
    assert_ids(l, 0);
    l = list_orders(s.b, s.conn, user, ids[6] + 1, -1, 0, 1);
    assert_ids(l, 1, ids[6]);
    raw_end(&s);
}

static void test_orders_list_max_state_keeps_states_up_to_it(void **state)
{
    raw_store s = pay_begin("orders-list-state");
    int64_t user = add_user(&s, "state@example.com"), ids[7];
    vg_store_order o;
    char name[16];
    int i;
    (void)state;
    for (i = 0; i < 7; i++) { /* states 0 .. 6 */
        snprintf(name, sizeof name, "VG-s%d", i);
        o = plain_order(user, name, i, 0);
        ids[i] = insert_order(&s, &o);
    }
    assert_ids(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000), 7, ids[6], ids[5], ids[4], ids[3],
               ids[2], ids[1], ids[0]);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 0, 0, 1000), 1, ids[0]);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 1, 0, 1000), 2, ids[1], ids[0]);
    assert_ids(list_orders(s.b, s.conn, user, 0, 3, 0, 1000), 4, ids[3], ids[2], ids[1], ids[0]);
    assert_ids(list_orders(s.b, s.conn, user, 0, 6, 0, 1000), 7, ids[6], ids[5], ids[4], ids[3],
               ids[2], ids[1], ids[0]);
    raw_end(&s);
}

static void test_orders_list_expires_before_keeps_orders_expiring_strictly_before(void **state)
{
    raw_store s = pay_begin("orders-list-expiry");
    int64_t user = add_user(&s, "expiry@example.com");
    int64_t never, early, edge, late, paid_early, pending_early;
    vg_store_order o;
    (void)state;
    o = plain_order(user, "never", 0, 0), never = insert_order(&s, &o); /* 0: no expiry */
    o = plain_order(user, "early", 0, 100), early = insert_order(&s, &o);
    o = plain_order(user, "edge", 0, 500), edge = insert_order(&s, &o);
    o = plain_order(user, "late", 1, 900), late = insert_order(&s, &o);
    o = plain_order(user, "paid-early", 3, 50), paid_early = insert_order(&s, &o);
    o = plain_order(user, "pending-early", 1, 400), pending_early = insert_order(&s, &o);
    /* the unpaid ones that expire before 500: 0 < expires_at < 500 */
    assert_ids(list_orders(s.b, s.conn, 0, 0, 1, 500, 1000), 2, pending_early, early);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 0, 500, 1000), 1, early);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 1, 501, 1000), 3, pending_early, edge, early);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 1, 1, 1000), 0);
    /* any state, and states up to 3 */
    assert_ids(list_orders(s.b, s.conn, 0, 0, -1, 500, 1000), 3, pending_early, paid_early,
               early);
    assert_ids(list_orders(s.b, s.conn, 0, 0, 3, 1000, 1000), 5, pending_early, paid_early, late,
               edge, early);
    /* 0: any expiry, the orders that never expire included */
    assert_ids(list_orders(s.b, s.conn, 0, 0, 1, 0, 1000), 5, pending_early, late, edge, early,
               never);
    raw_end(&s);
}

static void test_orders_list_combines_its_filters(void **state)
{
    raw_store s = pay_begin("orders-list-combined");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    int64_t a[4], b[2];
    vg_store_order o;
    (void)state;
    o = plain_order(ann, "a0", 0, 100), a[0] = insert_order(&s, &o);
    o = plain_order(bob, "b0", 0, 100), b[0] = insert_order(&s, &o);
    o = plain_order(ann, "a1", 1, 200), a[1] = insert_order(&s, &o);
    o = plain_order(ann, "a2", 2, 200), a[2] = insert_order(&s, &o);
    o = plain_order(bob, "b1", 1, 300), b[1] = insert_order(&s, &o);
    o = plain_order(ann, "a3", 1, 300), a[3] = insert_order(&s, &o);
    assert_ids(list_orders(s.b, s.conn, ann, 0, 1, 1000, 1000), 3, a[3], a[1], a[0]);
    assert_ids(list_orders(s.b, s.conn, ann, a[3], 1, 1000, 1000), 2, a[1], a[0]);
    assert_ids(list_orders(s.b, s.conn, ann, a[3], 1, 1000, 1), 1, a[1]);
    assert_ids(list_orders(s.b, s.conn, ann, 0, 1, 250, 1000), 2, a[1], a[0]);
    assert_ids(list_orders(s.b, s.conn, bob, 0, 1, 250, 1000), 1, b[0]);
    assert_ids(list_orders(s.b, s.conn, ann, 0, 2, 250, 1000), 3, a[2], a[1], a[0]);
    assert_ids(list_orders(s.b, s.conn, 0, b[1], 1, 1000, 1000), 3, a[1], b[0], a[0]);
    raw_end(&s);
}

static void test_orders_list_limit_must_be_1_to_1000(void **state)
{
    raw_store s = pay_begin("orders-list-limit");
    int64_t user = add_user(&s, "limit@example.com");
    vg_store_order_filter filter = {0, 0, -1, 0, 0};
    vg_store_order o;
    char name[16];
    listed l;
    int i;
    (void)state;
    for (i = 0; i < 1001; i++) {
        snprintf(name, sizeof name, "L%d", i);
        o = plain_order(user, name, 0, 0);
        assert_int_equal(s.b->order_insert(NULL, s.conn, &o), VG_OK);
    }
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->orders_list(s.conn, &filter, note_order, &l), VG_EINVAL);
    filter.limit = -1;
    assert_int_equal(s.b->orders_list(s.conn, &filter, note_order, &l), VG_EINVAL);
    filter.limit = 1001;
    assert_int_equal(s.b->orders_list(s.conn, &filter, note_order, &l), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "limit"));
    assert_int_equal(l.count, 0);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, 1000);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1)->count, 1);
    raw_end(&s);
}

static void test_orders_list_stops_when_the_callback_returns_nonzero(void **state)
{
    raw_store s = pay_begin("orders-list-stop");
    int64_t user = add_user(&s, "stop@example.com");
    vg_store_order_filter filter = {0, 0, -1, 0, 1000};
    vg_store_order o;
    char name[16];
    listed l;
    int i;
    (void)state;
    for (i = 0; i < 5; i++) {
        snprintf(name, sizeof name, "S%d", i);
        o = plain_order(user, name, 0, 0);
        insert_order(&s, &o);
    }
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    assert_int_equal(s.b->orders_list(s.conn, &filter, note_order, &l), VG_OK);
    assert_int_equal(l.count, 2);
    raw_end(&s);
}

/* ============================================================================================
 * Subscriptions
 * ========================================================================================== */

static void test_subscription_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = pay_begin("subscription-roundtrip");
    vg_store_subscription sub = make_subscription(add_user(&s, "sub@example.com"), 1), got;
    (void)state;
    assert_int_equal(s.b->subscription_put(s.conn, &sub), VG_OK);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->subscription_get(&got, s.conn, sub.user_id, 0), VG_OK);
    assert_subscription_is(&got, &sub);
    raw_reopen_for_reading(&s);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->subscription_get(&got, s.conn, sub.user_id, 1), VG_OK);
    assert_subscription_is(&got, &sub);
    raw_end(&s);
}

static void test_subscription_put_replaces_the_users_one(void **state)
{
    raw_store s = pay_begin("subscription-replace");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_subscription first = make_subscription(ann, 1), second = make_subscription(ann, 2);
    vg_store_subscription bobs = make_subscription(bob, 3), got;
    (void)state;
    assert_int_equal(s.b->subscription_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->subscription_put(s.conn, &bobs), VG_OK);
    assert_int_equal(s.b->subscription_put(s.conn, &second), VG_OK); /* every field differs */
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->subscription_get(&got, s.conn, ann, 0), VG_OK);
    assert_subscription_is(&got, &second);
    assert_int_equal(s.b->subscription_get(&got, s.conn, bob, 0), VG_OK);
    assert_subscription_is(&got, &bobs);
    assert_int_equal(list_due(s.b, s.conn, INT64_MAX, INT_MIN, INT_MAX, 1000)->count, 2);
    raw_end(&s);
}

static void test_subscription_get_of_a_user_without_one_is_notfound(void **state)
{
    raw_store s = pay_begin("subscription-none");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_subscription sub = plain_subscription(ann, 1, 100), got;
    (void)state;
    assert_int_equal(s.b->subscription_put(s.conn, &sub), VG_OK);
    assert_int_equal(s.b->subscription_get(&got, s.conn, bob, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->subscription_get(&got, s.conn, bob, 1), VG_ENOTFOUND);
    assert_int_equal(s.b->subscription_get(&got, s.conn, 0, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->subscription_get(&got, s.conn, ann, 0), VG_OK);
    raw_end(&s);
}

static void test_subscription_put_for_a_user_who_does_not_exist_is_econstraint(void **state)
{
    raw_store s = pay_begin("subscription-no-user");
    vg_store_subscription sub = plain_subscription(987654321, 1, 100);
    (void)state;
    assert_int_equal(s.b->subscription_put(s.conn, &sub), VG_ECONSTRAINT);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    raw_end(&s);
}

static void test_subscription_text_longer_than_its_field_is_einval(void **state)
{
    raw_store s = pay_begin("subscription-too-long");
    int64_t user = add_user(&s, "toolong@example.com");
    vg_store_subscription good = plain_subscription(user, 1, 100), sub, got;
    const size_t offsets[] = {
        offsetof(vg_store_subscription, plan), offsetof(vg_store_subscription, provider),
        offsetof(vg_store_subscription, provider_ref), offsetof(vg_store_subscription, next_plan),
    };
    const size_t sizes[] = {VG_NAME_SIZE, VG_NAME_SIZE, VG_STORE_REF_SIZE, VG_NAME_SIZE};
    size_t i;
    (void)state;
    assert_int_equal(s.b->subscription_put(s.conn, &good), VG_OK);
    for (i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        sub = plain_subscription(user, 2, 200);
        memset((char *)&sub + offsets[i], 'x', sizes[i]);
        assert_int_equal(s.b->subscription_put(s.conn, &sub), VG_EINVAL);
    }
    assert_int_equal(s.b->subscription_get(&got, s.conn, user, 0), VG_OK);
    assert_subscription_is(&got, &good);
    raw_end(&s);
}

/* Five users with subscriptions: period ends 300, 100, 200, 200, 400 in states 1, 1, 3, 2, 1. */
static void five_subscriptions(raw_store *s, int64_t users[5])
{
    static const vg_time ends[5] = {300, 100, 200, 200, 400};
    static const int states[5] = {1, 1, 3, 2, 1};
    vg_store_subscription sub;
    char email[32];
    int i;
    for (i = 0; i < 5; i++) {
        snprintf(email, sizeof email, "due%d@example.com", i);
        users[i] = add_user(s, email);
        sub = plain_subscription(users[i], states[i], ends[i]);
        assert_int_equal(s->b->subscription_put(s->conn, &sub), VG_OK);
    }
}

static void test_subscriptions_due_lists_those_ending_by_due_before_by_period_end(void **state)
{
    raw_store s = pay_begin("subscriptions-due");
    int64_t u[5];
    listed *l;
    (void)state;
    five_subscriptions(&s, u);
    /* period_end <= due_before, by period_end, then by user */
    assert_ids(list_due(s.b, s.conn, 99, 0, 10, 1000), 0);
    assert_ids(list_due(s.b, s.conn, 100, 0, 10, 1000), 1, u[1]);
    assert_ids(list_due(s.b, s.conn, 200, 0, 10, 1000), 3, u[1], u[2], u[3]);
    assert_ids(list_due(s.b, s.conn, 399, 0, 10, 1000), 4, u[1], u[2], u[3], u[0]);
    l = list_due(s.b, s.conn, INT64_MAX, 0, 10, 1000);
    assert_ids(l, 5, u[1], u[2], u[3], u[0], u[4]);
    assert_int_equal(l->last_subscription.period_end, 400); /* the whole record */
    assert_string_equal(l->last_subscription.plan, "pro");
    raw_end(&s);
}

static void test_subscriptions_due_keeps_states_in_the_range(void **state)
{
    raw_store s = pay_begin("subscriptions-due-states");
    int64_t u[5];
    (void)state;
    five_subscriptions(&s, u);
    assert_ids(list_due(s.b, s.conn, 1000, 1, 1, 1000), 3, u[1], u[0], u[4]);
    assert_ids(list_due(s.b, s.conn, 1000, 2, 3, 1000), 2, u[2], u[3]);
    assert_ids(list_due(s.b, s.conn, 1000, 3, 3, 1000), 1, u[2]);
    assert_ids(list_due(s.b, s.conn, 1000, 1, 2, 1000), 4, u[1], u[3], u[0], u[4]);
    assert_ids(list_due(s.b, s.conn, 1000, 4, 10, 1000), 0);
    assert_ids(list_due(s.b, s.conn, 1000, 3, 2, 1000), 0); /* an empty range */
    assert_ids(list_due(s.b, s.conn, 250, 1, 2, 1000), 2, u[1], u[3]);
    raw_end(&s);
}

static void test_subscriptions_due_returns_at_most_limit_which_must_be_1_to_1000(void **state)
{
    raw_store s = pay_begin("subscriptions-due-limit");
    int64_t u[5];
    listed l;
    (void)state;
    five_subscriptions(&s, u);
    assert_ids(list_due(s.b, s.conn, 1000, 0, 10, 2), 2, u[1], u[2]);
    assert_ids(list_due(s.b, s.conn, 1000, 0, 10, 1), 1, u[1]);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->subscriptions_due(s.conn, 1000, 0, 10, 0, note_subscription, &l),
                     VG_EINVAL);
    assert_int_equal(s.b->subscriptions_due(s.conn, 1000, 0, 10, -1, note_subscription, &l),
                     VG_EINVAL);
    assert_int_equal(s.b->subscriptions_due(s.conn, 1000, 0, 10, 1001, note_subscription, &l),
                     VG_EINVAL);
    assert_int_equal(l.count, 0);
    l.stop_after = 2; /* and stops when the callback says so */
    assert_int_equal(s.b->subscriptions_due(s.conn, 1000, 0, 10, 1000, note_subscription, &l),
                     VG_OK);
    assert_int_equal(l.count, 2);
    raw_end(&s);
}

/* ============================================================================================
 * Promotions
 * ========================================================================================== */

static void test_promo_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = pay_begin("promo-roundtrip");
    vg_store_promo promo = make_promo("SPRING-2025-", 1), got;
    listed l;
    (void)state;
    assert_int_equal(strlen(promo.code), VG_STORE_PROMO_CODE_SIZE - 1);
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->promo_get(&got, s.conn, promo.code, 0), VG_OK);
    assert_promo_is(&got, &promo);
    raw_reopen_for_reading(&s);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->promo_get(&got, s.conn, promo.code, 1), VG_OK);
    assert_promo_is(&got, &promo);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->promos_list(s.conn, note_promo, &l), VG_OK);
    assert_int_equal(l.count, 1);
    assert_promo_is(&l.last_promo, &promo);
    raw_end(&s);
}

static void test_promo_put_replaces_every_field_and_keeps_the_given_redeemed(void **state)
{
    raw_store s = pay_begin("promo-replace");
    vg_store_promo first = make_promo("WELCOME", 1), second = make_promo("WELCOME", 2), got;
    listed l;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &first), VG_OK);
    second.redeemed = 7; /* replaced as given, not kept from the first */
    second.active = 0;
    assert_int_equal(s.b->promo_put(s.conn, &second), VG_OK);
    assert_int_equal(s.b->promo_get(&got, s.conn, first.code, 0), VG_OK);
    assert_promo_is(&got, &second);
    second.redeemed = 0;
    assert_int_equal(s.b->promo_put(s.conn, &second), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->promo_get(&got, s.conn, first.code, 0), VG_OK);
    assert_promo_is(&got, &second);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->promos_list(s.conn, note_promo, &l), VG_OK);
    assert_int_equal(l.count, 1);
    raw_end(&s);
}

static void test_promo_get_of_an_unknown_code_is_notfound(void **state)
{
    raw_store s = pay_begin("promo-unknown");
    vg_store_promo promo = plain_promo("SPRING"), got;
    char code[VG_STORE_PROMO_CODE_SIZE + 1];
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    assert_int_equal(s.b->promo_get(&got, s.conn, "spring", 0), VG_ENOTFOUND); /* exact case */
    assert_int_equal(s.b->promo_get(&got, s.conn, "SPRIN", 0), VG_ENOTFOUND);
    assert_int_equal(s.b->promo_get(&got, s.conn, "SPRING ", 1), VG_ENOTFOUND);
    assert_int_equal(s.b->promo_get(&got, s.conn, "", 0), VG_ENOTFOUND);
    memset(code, 'C', VG_STORE_PROMO_CODE_SIZE);
    code[VG_STORE_PROMO_CODE_SIZE] = '\0'; /* 33 bytes */
    assert_int_equal(s.b->promo_get(&got, s.conn, code, 0), VG_EINVAL);
    assert_int_equal(s.b->promo_get(&got, s.conn, "SPRING", 0), VG_OK);
    raw_end(&s);
}

static void test_promos_list_orders_codes_by_their_bytes(void **state)
{
    static const char *const put[] = {"Z", "A_B", "AB", "A9", "A-B", "ÄPFEL", "a"};
    static const char *const want[] = {"A-B", "A9", "AB", "A_B", "Z", "a", "ÄPFEL"};
    raw_store s = pay_begin("promos-list");
    vg_store_promo promo;
    listed l;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof put / sizeof put[0]; i++) {
        promo = plain_promo(put[i]);
        assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    }
    raw_reopen_for_reading(&s);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->promos_list(s.conn, note_promo, &l), VG_OK);
    assert_int_equal(l.count, sizeof want / sizeof want[0]);
    for (i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(l.codes[i], want[i]);
    memset(&l, 0, sizeof l);
    l.stop_after = 3;
    assert_int_equal(s.b->promos_list(s.conn, note_promo, &l), VG_OK);
    assert_int_equal(l.count, 3);
    raw_end(&s);
}

static void test_promo_text_longer_than_its_field_is_einval(void **state)
{
    raw_store s = pay_begin("promo-too-long");
    vg_store_promo promo = plain_promo("GOOD"), got;
    listed l;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    memset(promo.code, 'C', sizeof promo.code);
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "code"));
    promo = plain_promo("GOOD");
    promo.bonus_credits = 99;
    memset(promo.plans, 'p', sizeof promo.plans);
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "plans"));
    assert_int_equal(s.b->promo_get(&got, s.conn, "GOOD", 0), VG_OK);
    assert_int_equal(got.bonus_credits, 10);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->promos_list(s.conn, note_promo, &l), VG_OK);
    assert_int_equal(l.count, 1);
    raw_end(&s);
}

/* ============================================================================================
 * Redemptions
 * ========================================================================================== */

static void test_redemption_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = pay_begin("redemption-roundtrip");
    int64_t user = add_user(&s, "redeem@example.com");
    vg_store_promo promo = make_promo("BIG-", 1);
    vg_store_redemption r, got;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    memset(&r, 0, sizeof r);
    memcpy(r.code, promo.code, sizeof r.code);
    r.user_id = user;
    fill_text(r.idempotency_key, sizeof r.idempotency_key, "redeem-兌換-", 'k');
    r.credits = INT64_MAX;
    r.at = INT64_MIN;
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->redemption_find(&got, s.conn, user, r.idempotency_key), VG_OK);
    assert_redemption_is(&got, &r);
    raw_reopen_for_reading(&s);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->redemption_find(&got, s.conn, user, r.idempotency_key), VG_OK);
    assert_redemption_is(&got, &r);
    assert_int_equal(count_redemptions(&s, promo.code, user), 1);
    raw_end(&s);
}

static void test_redemption_insert_with_a_taken_key_is_eexists_and_keeps_the_first(void **state)
{
    raw_store s = pay_begin("redemption-taken");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_promo a = plain_promo("CODE-A"), b = plain_promo("CODE-B");
    vg_store_redemption first = make_redemption("CODE-A", ann, "k1", 10);
    vg_store_redemption again = make_redemption("CODE-B", ann, "k1", 20), got;
    vg_store_redemption bobs = make_redemption("CODE-A", bob, "k1", 30);
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &a), VG_OK);
    assert_int_equal(s.b->promo_put(s.conn, &b), VG_OK);
    assert_int_equal(s.b->redemption_insert(s.conn, &first), VG_OK);
    assert_int_equal(s.b->redemption_insert(s.conn, &again), VG_EEXISTS);
    assert_non_null(strstr(s.b->errmsg(s.conn), "idempotency key"));
    assert_int_equal(s.b->redemption_insert(s.conn, &first), VG_EEXISTS);
    /* the transaction goes on: the same key of another user */
    assert_int_equal(s.b->redemption_insert(s.conn, &bobs), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, "k1"), VG_OK);
    assert_redemption_is(&got, &first);
    assert_int_equal(s.b->redemption_find(&got, s.conn, bob, "k1"), VG_OK);
    assert_redemption_is(&got, &bobs);
    assert_int_equal(count_redemptions(&s, "CODE-B", 0), 0);
    assert_int_equal(count_redemptions(&s, "CODE-A", 0), 2);
    raw_end(&s);
}

static void test_redemption_find_of_unknown_ones_is_notfound(void **state)
{
    raw_store s = pay_begin("redemption-unknown");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_promo promo = plain_promo("CODE");
    vg_store_redemption r = make_redemption("CODE", ann, "Key", 10), got;
    char key[VG_STORE_KEY_SIZE + 1];
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    assert_int_equal(s.b->redemption_find(&got, s.conn, bob, "Key"), VG_ENOTFOUND);
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, "key"), VG_ENOTFOUND);
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, "Key "), VG_ENOTFOUND);
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, ""), VG_ENOTFOUND);
    memset(key, 'k', VG_STORE_KEY_SIZE);
    key[VG_STORE_KEY_SIZE] = '\0';
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, key), VG_EINVAL);
    assert_int_equal(s.b->redemption_find(&got, s.conn, ann, "Key"), VG_OK);
    raw_end(&s);
}

static void test_redemptions_count_counts_a_codes_redemptions_by_user_and_by_all(void **state)
{
    raw_store s = pay_begin("redemptions-count");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    int64_t cy = add_user(&s, "cy@example.com");
    vg_store_promo a = plain_promo("SPRING"), b = plain_promo("SUMMER"), c = plain_promo("spring");
    vg_store_redemption r;
    char key[16];
    int i;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &a), VG_OK);
    assert_int_equal(s.b->promo_put(s.conn, &b), VG_OK);
    assert_int_equal(s.b->promo_put(s.conn, &c), VG_OK);
    assert_int_equal(count_redemptions(&s, "SPRING", 0), 0);
    assert_int_equal(count_redemptions(&s, "SPRING", ann), 0);
    assert_int_equal(count_redemptions(&s, "NOSUCH", 0), 0);
    for (i = 0; i < 3; i++) { /* ann: 3 of SPRING, bob: 2 of SPRING, 1 of SUMMER */
        snprintf(key, sizeof key, "a%d", i);
        r = make_redemption("SPRING", ann, key, 10);
        assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    }
    for (i = 0; i < 2; i++) {
        snprintf(key, sizeof key, "b%d", i);
        r = make_redemption("SPRING", bob, key, 10);
        assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    }
    r = make_redemption("SUMMER", bob, "b9", 10);
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    r = make_redemption("spring", cy, "c0", 10); /* another code: case counts */
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(count_redemptions(&s, "SPRING", 0), 5);
    assert_int_equal(count_redemptions(&s, "SPRING", ann), 3);
    assert_int_equal(count_redemptions(&s, "SPRING", bob), 2);
    assert_int_equal(count_redemptions(&s, "SPRING", cy), 0);
    assert_int_equal(count_redemptions(&s, "SUMMER", 0), 1);
    assert_int_equal(count_redemptions(&s, "SUMMER", ann), 0);
    assert_int_equal(count_redemptions(&s, "spring", 0), 1);
    assert_int_equal(count_redemptions(&s, "spring", cy), 1);
    raw_end(&s);
}

static void test_redemption_of_an_unknown_user_or_code_is_econstraint(void **state)
{
    raw_store s = pay_begin("redemption-orphans");
    int64_t user = add_user(&s, "orphan@example.com");
    vg_store_promo promo = plain_promo("REAL");
    vg_store_redemption no_user = make_redemption("REAL", 987654321, "k", 10);
    vg_store_redemption no_code = make_redemption("NOT-A-CODE", user, "k", 10);
    vg_store_redemption got;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->redemption_insert(s.conn, &no_user), VG_ECONSTRAINT);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->redemption_insert(s.conn, &no_code), VG_ECONSTRAINT);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s.b->redemption_find(&got, s.conn, user, "k"), VG_ENOTFOUND);
    assert_int_equal(count_redemptions(&s, "REAL", 0), 0);
    raw_end(&s);
}

static void test_redemption_text_longer_than_its_field_is_einval(void **state)
{
    raw_store s = pay_begin("redemption-too-long");
    int64_t user = add_user(&s, "toolong@example.com");
    vg_store_promo promo = plain_promo("CODE");
    vg_store_redemption r;
    char code[VG_STORE_PROMO_CODE_SIZE + 1];
    int64_t n = -1;
    (void)state;
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    r = make_redemption("CODE", user, "k", 10);
    memset(r.code, 'C', sizeof r.code);
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_EINVAL);
    r = make_redemption("CODE", user, "k", 10);
    memset(r.idempotency_key, 'k', sizeof r.idempotency_key);
    assert_int_equal(s.b->redemption_insert(s.conn, &r), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "idempotency_key"));
    memset(code, 'C', VG_STORE_PROMO_CODE_SIZE);
    code[VG_STORE_PROMO_CODE_SIZE] = '\0';
    assert_int_equal(s.b->redemptions_count(&n, s.conn, code, 0), VG_EINVAL);
    assert_int_equal(n, -1);
    assert_int_equal(count_redemptions(&s, "CODE", 0), 0); /* the transaction goes on */
    raw_end(&s);
}

/* ============================================================================================
 * Webhook events
 * ========================================================================================== */

static void test_a_webhook_event_is_recorded_once_per_provider_and_id(void **state)
{
    raw_store s = pay_begin("webhook-once");
    vg_store_webhook_event e = make_event("paddle", "evt_01H"), same;
    (void)state;
    assert_int_equal(s.b->webhook_event_insert(s.conn, &e), VG_OK);
    same = make_event("paddle", "evt_01H");
    snprintf(same.event_type, sizeof same.event_type, "subscription.updated");
    same.received_at = 99;
    assert_int_equal(s.b->webhook_event_insert(s.conn, &same), VG_EEXISTS);
    assert_non_null(strstr(s.b->errmsg(s.conn), "evt_01H"));
    /* the transaction goes on: the same id of another provider, another id, another case */
    same = make_event("ecpay", "evt_01H");
    assert_int_equal(s.b->webhook_event_insert(s.conn, &same), VG_OK);
    same = make_event("paddle", "evt_01h");
    assert_int_equal(s.b->webhook_event_insert(s.conn, &same), VG_OK);
    same = make_event("paddle", "evt_01H ");
    assert_int_equal(s.b->webhook_event_insert(s.conn, &same), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->webhook_event_insert(s.conn, &e), VG_EEXISTS); /* after commit too */
    same = make_event("ecpay", "evt_01H");
    assert_int_equal(s.b->webhook_event_insert(s.conn, &same), VG_EEXISTS);
    raw_end(&s);
}

static void test_a_webhook_event_fills_its_fields_and_refuses_longer_ones(void **state)
{
    raw_store s = pay_begin("webhook-sizes");
    vg_store_webhook_event e, again;
    (void)state;
    memset(&e, 0, sizeof e);
    fill_text(e.provider, sizeof e.provider, "prov_", 'p');
    fill_text(e.event_id, sizeof e.event_id, "evt_事件_", 'e');
    fill_text(e.event_type, sizeof e.event_type, "type.", 't');
    e.received_at = INT64_MAX;
    assert_int_equal(s.b->webhook_event_insert(s.conn, &e), VG_OK);
    again = e;
    assert_int_equal(s.b->webhook_event_insert(s.conn, &again), VG_EEXISTS);
    memset(again.event_id, 'x', sizeof again.event_id);
    assert_int_equal(s.b->webhook_event_insert(s.conn, &again), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "event_id"));
    again = e;
    memset(again.provider, 'x', sizeof again.provider);
    assert_int_equal(s.b->webhook_event_insert(s.conn, &again), VG_EINVAL);
    again = e;
    again.event_id[0] = 'E';
    memset(again.event_type, 'x', sizeof again.event_type);
    assert_int_equal(s.b->webhook_event_insert(s.conn, &again), VG_EINVAL);
    again.event_type[0] = '\0';
    assert_int_equal(s.b->webhook_event_insert(s.conn, &again), VG_OK); /* goes on */
    raw_end(&s);
}

/* ============================================================================================
 * Two connections at once: exactly one wins
 * ========================================================================================== */

#define RACE_ROUNDS 8

typedef enum race_kind { RACE_WEBHOOK, RACE_ORDER_KEY, RACE_ORDER_NUMBER } race_kind;

typedef struct racer {
    const vg_store_backend *b;
    vg_store_conn *conn;
    pthread_barrier_t *start;
    race_kind kind;
    int64_t user_id;
    int round, side;
    int rc;
    char message[300];
} racer;

/* One insert in its own write transaction, held a moment before commit so that the other
 * connection's transaction overlaps it. */
static void *run_racer(void *arg)
{
    racer *r = arg;
    vg_store_webhook_event event;
    vg_store_order order;
    char name[32], key[32];
    int rc;

    memset(&event, 0, sizeof event);
    memset(&order, 0, sizeof order);
    snprintf(name, sizeof name, "race-%d", r->round);
    if (r->kind == RACE_WEBHOOK) {
        event = make_event("paddle", name);
    } else { /* the same key with two numbers, or the same number with two keys (and users) */
        snprintf(key, sizeof key, "race-%d-%d", r->round, r->side);
        order = plain_order(r->user_id, r->kind == RACE_ORDER_KEY ? key : name, 0, 0);
        snprintf(order.idempotency_key, sizeof order.idempotency_key, "%s",
                 r->kind == RACE_ORDER_KEY ? name : key);
    }
    pthread_barrier_wait(r->start);
    rc = r->b->begin(r->conn, VG_TXN_WRITE);
    if (rc == VG_OK)
        rc = r->kind == RACE_WEBHOOK ? r->b->webhook_event_insert(r->conn, &event)
                                     : r->b->order_insert(NULL, r->conn, &order);
    if (rc == VG_OK || rc == VG_EEXISTS) {
        usleep(20000);
        if (r->b->commit(r->conn) != VG_OK)
            rc = VG_ESTORE;
    }
    if (rc != VG_OK && rc != VG_EEXISTS) {
        snprintf(r->message, sizeof r->message, "%s", r->b->errmsg(r->conn));
        r->b->rollback(r->conn);
    }
    r->rc = rc;
    return NULL;
}

/* Races two connections RACE_ROUNDS times; each round exactly one must insert. */
static void race(raw_store *s, race_kind kind, int64_t users[2])
{
    pthread_barrier_t start;
    pthread_t threads[2];
    racer racers[2];
    int round, i, wins;

    for (i = 0; i < 2; i++) {
        memset(&racers[i], 0, sizeof racers[i]);
        racers[i].b = s->b;
        racers[i].conn = connect_raw(s->location, 30000);
        racers[i].start = &start;
        racers[i].kind = kind;
        racers[i].side = i;
        /* the same key is raced by one user; the same number by two */
        racers[i].user_id = kind == RACE_ORDER_NUMBER ? users[i] : users[0];
    }
    for (round = 0; round < RACE_ROUNDS; round++) {
        assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
        for (i = 0; i < 2; i++) {
            racers[i].round = round;
            assert_int_equal(pthread_create(&threads[i], NULL, run_racer, &racers[i]), 0);
        }
        for (i = 0; i < 2; i++)
            pthread_join(threads[i], NULL);
        pthread_barrier_destroy(&start);
        for (i = 0, wins = 0; i < 2; i++) {
            if (racers[i].rc != VG_OK && racers[i].rc != VG_EEXISTS)
                fail_msg("round %d: %s: %s", round, vg_error_name(racers[i].rc),
                         racers[i].message);
            wins += racers[i].rc == VG_OK;
        }
        if (wins != 1)
            fail_msg("round %d: %d connections inserted, not 1", round, wins);
    }
    for (i = 0; i < 2; i++)
        s->b->disconnect(racers[i].conn);
}

static void test_two_connections_recording_one_webhook_event_at_once_one_wins(void **state)
{
    raw_store s = pay_begin("race-webhook");
    vg_store_webhook_event e;
    int64_t users[2] = {0, 0};
    char name[32];
    int round;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    race(&s, RACE_WEBHOOK, users);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    for (round = 0; round < RACE_ROUNDS; round++) {
        snprintf(name, sizeof name, "race-%d", round);
        e = make_event("paddle", name);
        assert_int_equal(s.b->webhook_event_insert(s.conn, &e), VG_EEXISTS);
    }
    raw_end(&s);
}

static void test_two_connections_inserting_one_order_key_at_once_one_wins(void **state)
{
    raw_store s = pay_begin("race-order-key");
    int64_t users[2];
    vg_store_order got;
    char name[32];
    int round;
    (void)state;
    users[0] = add_user(&s, "race@example.com");
    users[1] = users[0];
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    race(&s, RACE_ORDER_KEY, users);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, RACE_ROUNDS);
    for (round = 0; round < RACE_ROUNDS; round++) {
        snprintf(name, sizeof name, "race-%d", round);
        assert_int_equal(s.b->order_find_key(&got, s.conn, users[0], name), VG_OK);
        assert_int_equal(got.version, 1);
    }
    raw_end(&s);
}

static void test_two_connections_inserting_one_order_number_at_once_one_wins(void **state)
{
    raw_store s = pay_begin("race-order-number");
    int64_t users[2];
    vg_store_order got;
    char name[32];
    int round;
    (void)state;
    users[0] = add_user(&s, "ann@example.com");
    users[1] = add_user(&s, "bob@example.com");
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    race(&s, RACE_ORDER_NUMBER, users);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 1000)->count, RACE_ROUNDS);
    for (round = 0; round < RACE_ROUNDS; round++) {
        snprintf(name, sizeof name, "race-%d", round);
        assert_int_equal(s.b->order_find(&got, s.conn, name, 0), VG_OK);
    }
    raw_end(&s);
}

/* ============================================================================================
 * The aggregate figures, on a data set built by hand
 * ========================================================================================== */

#define MAX_STAT_ROWS 16

typedef struct stat_rows {
    int count, stop_after;
    char keys[MAX_STAT_ROWS][64];
    int64_t a[MAX_STAT_ROWS], b[MAX_STAT_ROWS];
} stat_rows;

static int note_stat(const char *key, int64_t a, int64_t b, void *payload)
{
    stat_rows *rows = payload;
    if (rows->count < MAX_STAT_ROWS) {
        snprintf(rows->keys[rows->count], sizeof rows->keys[0], "%s", key);
        rows->a[rows->count] = a;
        rows->b[rows->count] = b;
    }
    rows->count++;
    return rows->stop_after && rows->count >= rows->stop_after;
}

static stat_rows *query_stat(raw_store *s, vg_store_stat stat, int arg)
{
    static stat_rows rows;
    memset(&rows, 0, sizeof rows);
    assert_int_equal(s->b->stats_query(s->conn, stat, arg, note_stat, &rows), VG_OK);
    return &rows;
}

/* Fails unless row i is (key, a) and, when check_b, b. */
static void assert_stat_row(const stat_rows *rows, int i, const char *key, int64_t a,
                            int check_b, int64_t b)
{
    assert_true(i < rows->count);
    assert_string_equal(rows->keys[i], key);
    if (rows->a[i] != a)
        fail_msg("row %d (%s): a is %lld, not %lld", i, key, (long long)rows->a[i], (long long)a);
    if (check_b && rows->b[i] != b)
        fail_msg("row %d (%s): b is %lld, not %lld", i, key, (long long)rows->b[i], (long long)b);
}

static void append_row(raw_store *s, int64_t user_id, int64_t seq, int type, int64_t amount,
                       const char *service)
{
    vg_store_ledger_row row;
    memset(&row, 0, sizeof row);
    row.user_id = user_id;
    row.seq = seq;
    row.at = 1000 + seq;
    row.effective_at = row.at;
    row.type = type;
    row.amount = amount;
    snprintf(row.service, sizeof row.service, "%s", service);
    assert_int_equal(s->b->ledger_append(s->conn, &row), VG_OK);
}

static void add_job(raw_store *s, int64_t user_id, const char *key, int job_state,
                    int64_t cost)
{
    vg_store_job job;
    memset(&job, 0, sizeof job);
    job.user_id = user_id;
    snprintf(job.idempotency_key, sizeof job.idempotency_key, "%s", key);
    snprintf(job.service, sizeof job.service, "video_720p");
    job.state = job_state;
    job.api_cost_micro_usd = cost;
    assert_int_equal(s->b->job_insert(NULL, s->conn, &job), VG_OK);
}

static void add_paid_order(raw_store *s, int64_t user_id, const char *number, int order_state,
                           const char *currency, int64_t amount_minor)
{
    vg_store_order o = plain_order(user_id, number, order_state, 0);
    snprintf(o.currency, sizeof o.currency, "%s", currency);
    o.amount_minor = amount_minor;
    assert_int_equal(s->b->order_insert(NULL, s->conn, &o), VG_OK);
}

static void put_subscription(raw_store *s, int64_t user_id, int sub_state)
{
    vg_store_subscription sub = plain_subscription(user_id, sub_state, 5000);
    assert_int_equal(s->b->subscription_put(s->conn, &sub), VG_OK);
}

/* The data set: seven users on four plans, their subscriptions, ledger rows, jobs and orders.
 * The expected figures are written out in the tests below. */
static void build_figures(raw_store *s)
{
    int64_t ann, bob, cy, di, ed, flo, gus;

    put_plan(s, "zz_basic", 1);
    put_plan(s, "zz_pro", 2);
    put_plan(s, "zz_pro_plus", 3);
    ann = add_user(s, "ann@example.com"); /* zz_demo */
    bob = add_user(s, "bob@example.com");
    cy = add_user(s, "cy@example.com");
    di = add_user_on(s, "di@example.com", "zz_pro");
    ed = add_user_on(s, "ed@example.com", "zz_pro");
    flo = add_user_on(s, "flo@example.com", "zz_pro_plus");
    gus = add_user_on(s, "gus@example.com", "zz_basic");

    /* subscriptions: 2 active (1), 1 past due (2), 1 canceled (3) */
    put_subscription(s, di, 1);
    put_subscription(s, ed, 1);
    put_subscription(s, flo, 3);
    put_subscription(s, gus, 2);

    /* the ledger: types 1 open, 2 grant, 3 debit, 4 refund */
    append_row(s, ann, 1, 1, 25, "");
    append_row(s, ann, 2, 3, -5, "video_720p");
    append_row(s, ann, 3, 3, -10, "video_1080p");
    append_row(s, ann, 4, 3, -5, "video_720p");
    append_row(s, ann, 5, 2, 50, "");
    append_row(s, ann, 6, 4, 5, "video_720p");
    append_row(s, bob, 1, 1, 60, "");
    append_row(s, bob, 2, 3, -20, "effects_anime");
    append_row(s, bob, 3, 3, -5, "video_720p");
    append_row(s, bob, 4, 3, -7, ""); /* a debit of no service */
    append_row(s, bob, 5, 2, 100, "");
    append_row(s, cy, 1, 1, 125, "");
    append_row(s, cy, 2, 2, 3000000000LL, "top-up"); /* a grant with a service: no debit */
    append_row(s, bob, 6, 4, 3, "Zeta"); /* by bytes, "Zeta" comes before "alpha" */
    append_row(s, cy, 3, 4, 2, "alpha");

    /* jobs: state 4 cost 1000, 2500, 0; state 5 cost 700; state 1 cost 300 */
    add_job(s, ann, "j1", 4, 1000);
    add_job(s, bob, "j2", 4, 2500);
    add_job(s, cy, "j3", 4, 0);
    add_job(s, ann, "j4", 5, 700);
    add_job(s, bob, "j5", 1, 300);

    /* orders: fulfilled (3) in three currencies, one refunded (6), one pending (1) */
    add_paid_order(s, di, "o1", 3, "TWD", 299);
    add_paid_order(s, ed, "o2", 3, "TWD", 599);
    add_paid_order(s, flo, "o3", 3, "USD", 999);
    add_paid_order(s, gus, "o4", 3, "USD", 1999);
    add_paid_order(s, ann, "o5", 3, "EUR", 500);
    add_paid_order(s, bob, "o6", 6, "TWD", 299);
    add_paid_order(s, cy, "o7", 1, "TWD", 999);
}

static void test_stats_users_per_plan_counts_users_by_plan_in_key_order(void **state)
{
    raw_store s = pay_begin("stats-users");
    stat_rows *rows;
    (void)state;
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_USERS_PER_PLAN, 0);
    assert_int_equal(rows->count, 4);
    assert_stat_row(rows, 0, "zz_basic", 1, 0, 0);
    assert_stat_row(rows, 1, "zz_demo", 3, 0, 0);
    assert_stat_row(rows, 2, "zz_pro", 2, 0, 0);
    assert_stat_row(rows, 3, "zz_pro_plus", 1, 0, 0);
    raw_end(&s);
}

static void test_stats_active_subscriptions_counts_those_in_the_state(void **state)
{
    raw_store s = pay_begin("stats-subscriptions");
    stat_rows *rows;
    (void)state;
    rows = query_stat(&s, VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS, 1); /* an empty store: one row */
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 0, 0, 0);
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS, 1);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 2, 0, 0);
    rows = query_stat(&s, VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS, 3);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 1, 0, 0);
    rows = query_stat(&s, VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS, 4);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 0, 0, 0);
    raw_end(&s);
}

static void test_stats_revenue_sums_orders_in_the_state_by_currency(void **state)
{
    raw_store s = pay_begin("stats-revenue");
    stat_rows *rows;
    (void)state;
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_REVENUE, 3);
    assert_int_equal(rows->count, 3);
    assert_stat_row(rows, 0, "EUR", 500, 1, 1);
    assert_stat_row(rows, 1, "TWD", 898, 1, 2);
    assert_stat_row(rows, 2, "USD", 2998, 1, 2);
    rows = query_stat(&s, VG_STORE_STAT_REVENUE, 6);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "TWD", 299, 1, 1);
    rows = query_stat(&s, VG_STORE_STAT_REVENUE, 2); /* no order paid and not fulfilled */
    assert_int_equal(rows->count, 0);
    raw_end(&s);
}

static void test_stats_ledger_by_service_sums_a_types_rows_per_service(void **state)
{
    raw_store s = pay_begin("stats-ledger-service");
    stat_rows *rows;
    (void)state;
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_BY_SERVICE, 3); /* debits: credits spent */
    assert_int_equal(rows->count, 3);
    assert_stat_row(rows, 0, "effects_anime", 20, 1, 1);
    assert_stat_row(rows, 1, "video_1080p", 10, 1, 1);
    assert_stat_row(rows, 2, "video_720p", 15, 1, 3);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_BY_SERVICE, 4); /* refunds: negated */
    assert_int_equal(rows->count, 3);
    assert_stat_row(rows, 0, "Zeta", -3, 1, 1);
    assert_stat_row(rows, 1, "alpha", -2, 1, 1);
    assert_stat_row(rows, 2, "video_720p", -5, 1, 1);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_BY_SERVICE, 2);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "top-up", -3000000000LL, 1, 1);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_BY_SERVICE, 8);
    assert_int_equal(rows->count, 0);
    raw_end(&s);
}

static void test_stats_ledger_total_sums_a_types_rows(void **state)
{
    raw_store s = pay_begin("stats-ledger-total");
    stat_rows *rows;
    (void)state;
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_TOTAL, 3);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", -52, 1, 6);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_TOTAL, 2);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 3000000150LL, 1, 3);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_TOTAL, 1);
    assert_stat_row(rows, 0, "", 210, 1, 3);
    rows = query_stat(&s, VG_STORE_STAT_LEDGER_TOTAL, 7); /* none: one row of zeros */
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 0, 1, 0);
    raw_end(&s);
}

static void test_stats_job_cost_sums_the_api_cost_of_jobs_in_the_state(void **state)
{
    raw_store s = pay_begin("stats-job-cost");
    stat_rows *rows;
    (void)state;
    build_figures(&s);
    raw_reopen_for_reading(&s);
    rows = query_stat(&s, VG_STORE_STAT_JOB_COST, 4);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 3500, 1, 3);
    rows = query_stat(&s, VG_STORE_STAT_JOB_COST, 5);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 700, 1, 1);
    rows = query_stat(&s, VG_STORE_STAT_JOB_COST, 6);
    assert_int_equal(rows->count, 1);
    assert_stat_row(rows, 0, "", 0, 1, 0);
    raw_end(&s);
}

static void test_stats_query_of_an_unknown_figure_is_einval_and_stops_when_told(void **state)
{
    raw_store s = pay_begin("stats-arguments");
    stat_rows rows;
    (void)state;
    build_figures(&s);
    memset(&rows, 0, sizeof rows);
    assert_int_equal(s.b->stats_query(s.conn, (vg_store_stat)6, 0, note_stat, &rows), VG_EINVAL);
    assert_int_equal(s.b->stats_query(s.conn, (vg_store_stat)-1, 0, note_stat, &rows),
                     VG_EINVAL);
    assert_int_equal(s.b->stats_query(s.conn, VG_STORE_STAT_REVENUE, 3, NULL, &rows), VG_EINVAL);
    assert_int_equal(rows.count, 0);
    rows.stop_after = 1;
    assert_int_equal(s.b->stats_query(s.conn, VG_STORE_STAT_REVENUE, 3, note_stat, &rows), VG_OK);
    assert_int_equal(rows.count, 1);
    assert_string_equal(rows.keys[0], "EUR");
    raw_end(&s);
}

/* ============================================================================================
 * Arguments and transactions
 * ========================================================================================== */

static void test_null_arguments_are_einval(void **state)
{
    raw_store s = pay_begin("null-arguments");
    int64_t user = add_user(&s, "null@example.com"), n = -1;
    vg_store_order order = plain_order(user, "VG1", 0, 0), got;
    vg_store_order_filter filter = {0, 0, -1, 0, 10};
    vg_store_subscription sub;
    vg_store_promo promo;
    vg_store_redemption r;
    listed l;
    (void)state;
    memset(&l, 0, sizeof l);
    insert_order(&s, &order);
    assert_int_equal(s.b->order_insert(NULL, s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->order_get(NULL, s.conn, order.id, 0), VG_EINVAL);
    assert_int_equal(s.b->order_find(NULL, s.conn, "VG1", 0), VG_EINVAL);
    assert_int_equal(s.b->order_find(&got, s.conn, NULL, 0), VG_EINVAL);
    assert_int_equal(s.b->order_find_key(NULL, s.conn, user, "VG1"), VG_EINVAL);
    assert_int_equal(s.b->order_find_key(&got, s.conn, user, NULL), VG_EINVAL);
    assert_int_equal(s.b->order_update(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->orders_list(s.conn, NULL, note_order, &l), VG_EINVAL);
    assert_int_equal(s.b->orders_list(s.conn, &filter, NULL, &l), VG_EINVAL);
    assert_int_equal(s.b->subscription_put(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->subscription_get(NULL, s.conn, user, 0), VG_EINVAL);
    assert_int_equal(s.b->subscriptions_due(s.conn, 100, 0, 9, 10, NULL, &l), VG_EINVAL);
    assert_int_equal(s.b->promo_put(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->promo_get(NULL, s.conn, "CODE", 0), VG_EINVAL);
    assert_int_equal(s.b->promo_get(&promo, s.conn, NULL, 0), VG_EINVAL);
    assert_int_equal(s.b->promos_list(s.conn, NULL, &l), VG_EINVAL);
    assert_int_equal(s.b->redemption_insert(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->redemption_find(NULL, s.conn, user, "k"), VG_EINVAL);
    assert_int_equal(s.b->redemption_find(&r, s.conn, user, NULL), VG_EINVAL);
    assert_int_equal(s.b->redemptions_count(NULL, s.conn, "CODE", 0), VG_EINVAL);
    assert_int_equal(s.b->redemptions_count(&n, s.conn, NULL, 0), VG_EINVAL);
    assert_int_equal(s.b->webhook_event_insert(s.conn, NULL), VG_EINVAL);
    assert_int_equal(l.count, 0);
    assert_int_equal(n, -1);
    /* the transaction goes on */
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    assert_int_equal(s.b->subscription_get(&sub, s.conn, user, 0), VG_ENOTFOUND);
    raw_end(&s);
}

/* One record of each kind, written in the transaction of s. */
typedef struct pay_records {
    vg_store_order order;
    vg_store_subscription subscription;
    vg_store_promo promo;
    vg_store_redemption redemption;
    vg_store_webhook_event event;
} pay_records;

static pay_records write_pay_records(raw_store *s, int64_t user, int seed)
{
    pay_records r;
    r.order = make_order(user, seed);
    insert_order(s, &r.order);
    r.subscription = make_subscription(user, seed);
    assert_int_equal(s->b->subscription_put(s->conn, &r.subscription), VG_OK);
    r.promo = make_promo("COMMIT-", seed);
    assert_int_equal(s->b->promo_put(s->conn, &r.promo), VG_OK);
    r.redemption = make_redemption(r.promo.code, user, "redeem-1", 40);
    assert_int_equal(s->b->redemption_insert(s->conn, &r.redemption), VG_OK);
    r.event = make_event("paddle", "evt-commit");
    assert_int_equal(s->b->webhook_event_insert(s->conn, &r.event), VG_OK);
    return r;
}

static void test_payment_records_survive_commit_and_are_seen_from_another_connection(
    void **state)
{
    raw_store s = pay_begin("payments-commit");
    int64_t user = add_user(&s, "commit@example.com"), n = 0;
    pay_records r = write_pay_records(&s, user, 30);
    vg_store_order order;
    vg_store_subscription sub;
    vg_store_promo promo;
    vg_store_redemption redemption;
    vg_store_conn *reader;
    (void)state;
    raw_reopen_for_reading(&s);
    reader = connect_raw(s.location, 1000);
    assert_int_equal(s.b->begin(reader, VG_TXN_READ), VG_OK);
    order = get_order(s.b, reader, r.order.id);
    assert_order_is(&order, &r.order);
    assert_int_equal(s.b->subscription_get(&sub, reader, user, 0), VG_OK);
    assert_subscription_is(&sub, &r.subscription);
    assert_int_equal(s.b->promo_get(&promo, reader, r.promo.code, 0), VG_OK);
    assert_promo_is(&promo, &r.promo);
    assert_int_equal(s.b->redemption_find(&redemption, reader, user, "redeem-1"), VG_OK);
    assert_redemption_is(&redemption, &r.redemption);
    assert_int_equal(s.b->redemptions_count(&n, reader, r.promo.code, 0), VG_OK);
    assert_int_equal(n, 1);
    assert_int_equal(s.b->commit(reader), VG_OK);
    assert_int_equal(s.b->begin(reader, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->webhook_event_insert(reader, &r.event), VG_EEXISTS);
    assert_int_equal(s.b->commit(reader), VG_OK);
    s.b->disconnect(reader);
    raw_end(&s);
}

static void test_payment_records_roll_back_leaving_nothing(void **state)
{
    raw_store s = pay_begin("payments-rollback");
    int64_t user = add_user(&s, "rollback@example.com");
    pay_records r;
    vg_store_order order;
    vg_store_subscription sub;
    vg_store_promo promo;
    vg_store_redemption redemption;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK); /* the user stays */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    r = write_pay_records(&s, user, 31);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s.b->order_get(&order, s.conn, r.order.id, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->order_find(&order, s.conn, r.order.number, 0), VG_ENOTFOUND);
    assert_int_equal(list_orders(s.b, s.conn, 0, 0, -1, 0, 10)->count, 0);
    assert_int_equal(s.b->subscription_get(&sub, s.conn, user, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->promo_get(&promo, s.conn, r.promo.code, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->redemption_find(&redemption, s.conn, user, "redeem-1"), VG_ENOTFOUND);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->webhook_event_insert(s.conn, &r.event), VG_OK); /* not recorded */
    raw_end(&s);
}

static void test_order_changes_roll_back_to_the_committed_order(void **state)
{
    raw_store s = pay_begin("payments-undo");
    int64_t user = add_user(&s, "undo@example.com");
    vg_store_order order = make_order(user, 32), changed, got;
    vg_store_promo promo = make_promo("UNDO-", 32), replaced;
    (void)state;
    insert_order(&s, &order);
    assert_int_equal(s.b->promo_put(s.conn, &promo), VG_OK);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    changed = order;
    changed.state = 6;
    assert_int_equal(s.b->order_update(s.conn, &changed), VG_OK);
    replaced = promo;
    replaced.redeemed = 0;
    assert_int_equal(s.b->promo_put(s.conn, &replaced), VG_OK);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    got = get_order(s.b, s.conn, order.id);
    assert_order_is(&got, &order);
    assert_int_equal(s.b->promo_get(&replaced, s.conn, promo.code, 0), VG_OK);
    assert_promo_is(&replaced, &promo);
    raw_end(&s);
}

/* --- the group --------------------------------------------------------------------------- */

static void test_payment_methods_are_all_present(void **state)
{
    (void)state;
    require_payments(target->backend());
}

int conformance_payments_run(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_payment_methods_are_all_present),
        cmocka_unit_test(test_order_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_order_insert_assigns_increasing_ids_and_version_1),
        cmocka_unit_test(test_order_insert_accepts_a_null_out_id),
        cmocka_unit_test(test_order_insert_with_a_taken_number_is_eexists_and_keeps_the_first),
        cmocka_unit_test(test_order_insert_with_a_taken_key_is_eexists_and_keeps_the_first),
        cmocka_unit_test(test_order_insert_for_a_user_who_does_not_exist_is_econstraint),
        cmocka_unit_test(test_order_text_longer_than_its_field_is_einval_and_stores_nothing),
        cmocka_unit_test(test_order_get_and_find_of_unknown_ones_are_notfound),
        cmocka_unit_test(test_order_find_takes_a_number_and_key_that_fill_their_fields),
        cmocka_unit_test(test_order_update_writes_every_field_and_bumps_the_version),
        cmocka_unit_test(test_order_update_with_a_stale_version_is_estate_and_changes_nothing),
        cmocka_unit_test(test_order_update_of_an_unknown_id_is_notfound),
        cmocka_unit_test(test_of_two_writers_of_one_order_version_only_the_first_succeeds),
        cmocka_unit_test(test_reads_for_update_hold_off_a_second_writer_until_commit),
        cmocka_unit_test(test_orders_list_gives_every_field_newest_first),
        cmocka_unit_test(test_orders_list_filters_by_user),
        cmocka_unit_test(test_orders_list_pages_with_before_id_and_limit),
        cmocka_unit_test(test_orders_list_max_state_keeps_states_up_to_it),
        cmocka_unit_test(test_orders_list_expires_before_keeps_orders_expiring_strictly_before),
        cmocka_unit_test(test_orders_list_combines_its_filters),
        cmocka_unit_test(test_orders_list_limit_must_be_1_to_1000),
        cmocka_unit_test(test_orders_list_stops_when_the_callback_returns_nonzero),
        cmocka_unit_test(test_subscription_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_subscription_put_replaces_the_users_one),
        cmocka_unit_test(test_subscription_get_of_a_user_without_one_is_notfound),
        cmocka_unit_test(test_subscription_put_for_a_user_who_does_not_exist_is_econstraint),
        cmocka_unit_test(test_subscription_text_longer_than_its_field_is_einval),
        cmocka_unit_test(test_subscriptions_due_lists_those_ending_by_due_before_by_period_end),
        cmocka_unit_test(test_subscriptions_due_keeps_states_in_the_range),
        cmocka_unit_test(test_subscriptions_due_returns_at_most_limit_which_must_be_1_to_1000),
        cmocka_unit_test(test_promo_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_promo_put_replaces_every_field_and_keeps_the_given_redeemed),
        cmocka_unit_test(test_promo_get_of_an_unknown_code_is_notfound),
        cmocka_unit_test(test_promos_list_orders_codes_by_their_bytes),
        cmocka_unit_test(test_promo_text_longer_than_its_field_is_einval),
        cmocka_unit_test(test_redemption_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_redemption_insert_with_a_taken_key_is_eexists_and_keeps_the_first),
        cmocka_unit_test(test_redemption_find_of_unknown_ones_is_notfound),
        cmocka_unit_test(test_redemptions_count_counts_a_codes_redemptions_by_user_and_by_all),
        cmocka_unit_test(test_redemption_of_an_unknown_user_or_code_is_econstraint),
        cmocka_unit_test(test_redemption_text_longer_than_its_field_is_einval),
        cmocka_unit_test(test_a_webhook_event_is_recorded_once_per_provider_and_id),
        cmocka_unit_test(test_a_webhook_event_fills_its_fields_and_refuses_longer_ones),
        cmocka_unit_test(test_two_connections_recording_one_webhook_event_at_once_one_wins),
        cmocka_unit_test(test_two_connections_inserting_one_order_key_at_once_one_wins),
        cmocka_unit_test(test_two_connections_inserting_one_order_number_at_once_one_wins),
        cmocka_unit_test(test_stats_users_per_plan_counts_users_by_plan_in_key_order),
        cmocka_unit_test(test_stats_active_subscriptions_counts_those_in_the_state),
        cmocka_unit_test(test_stats_revenue_sums_orders_in_the_state_by_currency),
        cmocka_unit_test(test_stats_ledger_by_service_sums_a_types_rows_per_service),
        cmocka_unit_test(test_stats_ledger_total_sums_a_types_rows),
        cmocka_unit_test(test_stats_job_cost_sums_the_api_cost_of_jobs_in_the_state),
        cmocka_unit_test(test_stats_query_of_an_unknown_figure_is_einval_and_stops_when_told),
        cmocka_unit_test(test_null_arguments_are_einval),
        cmocka_unit_test(test_payment_records_survive_commit_and_are_seen_from_another_connection),
        cmocka_unit_test(test_payment_records_roll_back_leaving_nothing),
        cmocka_unit_test(test_order_changes_roll_back_to_the_committed_order),
    };
    char name[64];

    snprintf(name, sizeof name, "%s payments", target->name);
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
