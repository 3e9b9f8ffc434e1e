/* SPDX-License-Identifier: MIT */
/* Payments end to end on a fake clock, on every storage target: orders and their prices,
 * ECPay's checkout form and callback, Paddle webhooks, the subscription lifecycle across
 * weeks and months, the sandbox, and no secret in any message or log line. Callbacks are
 * built and signed here as the providers would; each is delivered again, from two processes
 * at once, forged and altered. Every scenario ends with the wallets' invariants, the orders'
 * (a fulfilled package granted exactly once), and vg_check. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "payments/payments_wire.h"
#include "test_support.h"

#define SEC INT64_C(1000000)
#define MINUTE (60 * SEC)
#define HOUR (3600 * SEC)
#define DAY (86400 * SEC)

/* Wednesday 2026-11-11 16:40:00 UTC: Thursday 00:40 in Taiwan. */
#define T0 (INT64_C(1794415200) * SEC)
#define T0_TAIWAN "2026/11/12 00:40:00"
/* T0 plus one calendar month: 2026-12-11 16:40 (November has 30 days), then 2027-01-11. */
#define T0_PLUS_1M (T0 + 30 * DAY)
#define T0_PLUS_2M (T0_PLUS_1M + 31 * DAY)

/* ECPay's public stage merchant (../shared/docs/providers.md §6.4). */
#define MERCHANT_ID "3002607"
#define HASH_KEY "pwFHCqoQZGmho4w6"
#define HASH_IV "EkRm7iFT261dpevs"
#define PADDLE_SECRET "pdl_ntfset_01hv8x2test7Kq9Zs4WnYt3Lm"
#define PADDLE_SECRET_NEXT "pdl_ntfset_01hv8x3rotated5Rb2Pq8Vc1Xy"
#define SANDBOX_PADDLE_SECRET "pdl_ntfset_vidgo_sandbox_only" /* lib/payments/settings.c */
#define STAGE_URL "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5"
#define PRODUCTION_URL "https://payment.ecpay.com.tw/Cashier/AioCheckOut/V5"
#define RETURN_URL "https://vidgo.example/pay/ecpay/notify"
#define ORDER_TTL_S 3600

#define MAX_USERS 128
#define MAX_ORDERS 512
#define BODY_SIZE 4096

static const char *const secrets[] = {HASH_KEY, HASH_IV, PADDLE_SECRET, PADDLE_SECRET_NEXT,
                                      SANDBOX_PADDLE_SECRET};

typedef struct fixture {
    char location[512];
    int unavailable;
    vg_ctx *ctx;
    vg_time now;
    /* how the context is opened */
    int sandbox, production, no_keys;
    const char *paddle_secrets; /* NULL: PADDLE_SECRET */
    int64_t users[MAX_USERS];
    int user_count;
    /* what the log callback and the message checks saw */
    int log_lines, debug_lines, messages_checked, leaks;
    char leak[512];
} fixture;

/* ---- secrets in messages and log lines ------------------------------------------------------- */

static void scan(fixture *f, const char *text)
{
    size_t i;
    if (!text)
        return;
    for (i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(text, secrets[i])) {
            if (!f->leaks++)
                snprintf(f->leak, sizeof f->leak, "%s", text);
        }
}

static void on_log(vg_log_level level, const char *message, void *payload)
{
    fixture *f = payload;
    f->log_lines++;
    f->debug_lines += level == VG_LOG_DEBUG;
    scan(f, message);
}

/* Scans the messages a call left behind; returns its status. */
static int seen(fixture *f, int rc)
{
    if (f->ctx)
        scan(f, vg_ctx_errmsg(f->ctx));
    scan(f, vg_error_last());
    f->messages_checked++;
    return rc;
}

/* ---- the context ----------------------------------------------------------------------------- */

static void config_for(fixture *f, vg_config *config)
{
    test_config_init(config, f->location);
    config->clock = test_fake_clock;
    config->clock_payload = &f->now;
    config->log = on_log;
    config->log_payload = f;
    config->log_level = VG_LOG_DEBUG;
    if (!f->no_keys) {
        config->payments.ecpay_merchant_id = MERCHANT_ID;
        config->payments.ecpay_hash_key = HASH_KEY;
        config->payments.ecpay_hash_iv = HASH_IV;
        config->payments.paddle_webhook_secret =
            f->paddle_secrets ? f->paddle_secrets : PADDLE_SECRET;
    }
    config->payments.ecpay_stage = !f->production;
    config->payments.sandbox = f->sandbox;
    config->payments.order_ttl_s = ORDER_TTL_S;
}

static void open_ctx(fixture *f)
{
    vg_config config;
    config_for(f, &config);
    f->ctx = test_open(&config);
}

static void close_ctx(fixture *f)
{
    vg_close(f->ctx);
    f->ctx = NULL;
}

/* Opens the store again with other payment settings (set f->sandbox, ... first). */
static void reopen(fixture *f)
{
    close_ctx(f);
    open_ctx(f);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = T0;
    if (test_try_fresh_location(f->location, sizeof f->location, "payments") != 0) {
        f->unavailable = 1;
        return 0;
    }
    open_ctx(f);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (f->ctx)
        close_ctx(f);
    free(f);
    return 0;
}

#define FIXTURE(state)                                                                             \
    fixture *f = *(state);                                                                         \
    if (f->unavailable)                                                                            \
    test_unavailable(f->location)

/* ---- users, balances, orders ----------------------------------------------------------------- */

static int64_t add_user(fixture *f, const char *plan)
{
    char email[64];
    int64_t id;
    assert_true(f->user_count < MAX_USERS);
    snprintf(email, sizeof email, "u%d-%s@test.vidgo", f->user_count, plan);
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

static const char *plan_of(fixture *f, int64_t user)
{
    static vg_user u;
    vg_user_init(&u, VG_USER_VERSION);
    assert_status(vg_user_get(&u, f->ctx, user), VG_OK);
    return u.plan;
}

static vg_subscription subscription_of(fixture *f, int64_t user)
{
    vg_subscription s;
    assert_status(seen(f, vg_subscription_get(&s, f->ctx, user)), VG_OK);
    return s;
}

static vg_order order_of(fixture *f, int64_t id)
{
    vg_order o;
    assert_status(vg_order_get(&o, f->ctx, id), VG_OK);
    return o;
}

static int request_order(fixture *f, vg_order *out, int64_t user, vg_order_kind kind,
                         const char *item, const char *provider, const char *currency,
                         const char *key)
{
    vg_order_request r = VG_ORDER_REQUEST_INIT;
    r.user_id = user;
    r.kind = kind;
    r.item = item;
    r.provider = provider;
    r.currency = currency;
    r.idempotency_key = key;
    return seen(f, vg_order_create(out, f->ctx, &r));
}

static vg_order new_order(fixture *f, int64_t user, vg_order_kind kind, const char *item,
                          const char *provider, const char *key)
{
    vg_order o;
    assert_status(request_order(f, &o, user, kind, item, provider, NULL, key), VG_OK);
    assert_int_equal(o.state, VG_ORDER_CREATED);
    return o;
}

typedef struct order_list {
    vg_order items[MAX_ORDERS];
    int count;
} order_list;

static int collect_order(const vg_order *order, void *payload)
{
    order_list *l = payload;
    if (l->count == MAX_ORDERS)
        return 1;
    l->items[l->count++] = *order;
    return 0;
}

static int order_count(fixture *f, int64_t user)
{
    order_list *l = calloc(1, sizeof *l);
    int n;
    assert_non_null(l);
    assert_status(vg_orders_list(f->ctx, user, 0, 1000, collect_order, l), VG_OK);
    n = l->count;
    free(l);
    return n;
}

typedef struct ledger_count {
    const char *reference; /* GRANT rows with this reference; NULL: rows of `type` */
    vg_ledger_type type;
    int n;
} ledger_count;

static int count_rows(const vg_ledger_entry *e, void *payload)
{
    ledger_count *c = payload;
    if (c->reference ? e->type == VG_LEDGER_GRANT && strcmp(e->reference, c->reference) == 0
                     : e->type == c->type)
        c->n++;
    return 0;
}

/* GRANT rows of the user that name the order ("order:<number>"). */
static int grants_for(fixture *f, int64_t user, const char *number)
{
    char reference[64];
    ledger_count c = {reference, VG_LEDGER_GRANT, 0};
    snprintf(reference, sizeof reference, "order:%s", number);
    assert_status(vg_credits_history(f->ctx, user, 0, 1000, count_rows, &c), VG_OK);
    return c.n;
}

static int rows_of_type(fixture *f, int64_t user, vg_ledger_type type)
{
    ledger_count c = {NULL, type, 0};
    assert_status(vg_credits_history(f->ctx, user, 0, 1000, count_rows, &c), VG_OK);
    return c.n;
}

/* Spends one use of a service: a hold, captured. */
static void spend(fixture *f, int64_t user, const char *service, const char *key)
{
    char k[64];
    vg_hold h;
    snprintf(k, sizeof k, "%s-hold", key);
    assert_status(vg_credits_hold(&h, f->ctx, user, service, "test", k), VG_OK);
    snprintf(k, sizeof k, "%s-capture", key);
    assert_status(vg_credits_capture(&h, f->ctx, h.id, k), VG_OK);
}

/* ---- the invariants -------------------------------------------------------------------------- */

static void print_problem(const char *check, const char *subject, const char *detail, void *payload)
{
    (void)payload;
    print_error("vg_check: %s: %s: %s\n", check, subject, detail);
}

/* Each wallet adds up with nothing held; every order settled (none left PAID); a fulfilled
 * package granted exactly once and any other order never; each user's plan is what their
 * subscription says; no secret was seen; and vg_check agrees. */
static void assert_invariants(fixture *f)
{
    order_list *l = calloc(1, sizeof *l);
    size_t problems = 12345;
    int i;

    assert_non_null(l);
    for (i = 0; i < f->user_count; i++) {
        vg_balance b = balance_of(f, f->users[i]);
        vg_subscription s;
        assert_int_equal(b.available, b.subscription + b.purchased + b.bonus);
        assert_int_equal(b.total, b.available + b.held);
        assert_true(b.subscription >= 0 && b.purchased >= 0 && b.bonus >= 0);
        assert_int_equal(b.held, 0);
        assert_int_equal(b.free_uses_held, 0);
        s = subscription_of(f, f->users[i]);
        if (s.state != VG_SUBSCRIPTION_NONE)
            assert_string_equal(plan_of(f, f->users[i]),
                                s.state == VG_SUBSCRIPTION_EXPIRED ? "demo" : s.plan);
    }
    assert_status(vg_orders_list(f->ctx, 0, 0, 1000, collect_order, l), VG_OK);
    for (i = 0; i < l->count; i++) {
        const vg_order *o = &l->items[i];
        int want = o->kind == VG_ORDER_PACKAGE && o->state == VG_ORDER_FULFILLED;
        if (o->state == VG_ORDER_PAID)
            fail_msg("order %s was paid but never fulfilled", o->number);
        if (grants_for(f, o->user_id, o->number) != want)
            fail_msg("order %s (%s) has %d grants, expected %d", o->number,
                     vg_order_state_name(o->state), grants_for(f, o->user_id, o->number), want);
    }
    free(l);
    if (f->leaks)
        fail_msg("%d messages or log lines hold a secret, the first: %s", f->leaks, f->leak);
    assert_status(vg_check(&problems, f->ctx, print_problem, NULL), VG_OK);
    assert_int_equal(problems, 0);
}

/* What a refused callback must leave as it was. */
typedef struct snapshot {
    vg_order order;
    vg_balance balance;
    char plan[VG_NAME_SIZE];
    vg_subscription sub;
    int orders;
} snapshot;

static snapshot take(fixture *f, int64_t order_id, int64_t user)
{
    snapshot s;
    memset(&s, 0, sizeof s);
    if (order_id)
        s.order = order_of(f, order_id);
    s.balance = balance_of(f, user);
    snprintf(s.plan, sizeof s.plan, "%s", plan_of(f, user));
    s.sub = subscription_of(f, user);
    s.orders = order_count(f, 0);
    return s;
}

static void assert_unchanged(fixture *f, const snapshot *s, int64_t order_id, int64_t user)
{
    snapshot now = take(f, order_id, user);
    assert_int_equal(now.order.state, s->order.state);
    assert_int_equal(now.order.paid_at, s->order.paid_at);
    assert_int_equal(now.order.fulfilled_at, s->order.fulfilled_at);
    assert_string_equal(now.order.provider_ref, s->order.provider_ref);
    assert_string_equal(now.order.failure, s->order.failure);
    assert_int_equal(now.balance.total, s->balance.total);
    assert_int_equal(now.balance.purchased, s->balance.purchased);
    assert_int_equal(now.balance.subscription, s->balance.subscription);
    assert_int_equal(now.balance.bonus, s->balance.bonus);
    assert_int_equal(now.balance.ledger_seq, s->balance.ledger_seq);
    assert_string_equal(now.plan, s->plan);
    assert_int_equal(now.sub.state, s->sub.state);
    assert_string_equal(now.sub.plan, s->sub.plan);
    assert_string_equal(now.sub.next_plan, s->sub.next_plan);
    assert_int_equal(now.sub.period_start, s->sub.period_start);
    assert_int_equal(now.sub.period_end, s->sub.period_end);
    assert_int_equal(now.orders, s->orders);
}

/* ---- ECPay's callback, as ECPay would send it ------------------------------------------------ */

typedef struct ecpay_cb {
    const char *number;
    const char *merchant; /* NULL: ours */
    const char *rtn_code; /* NULL: "1" */
    const char *rtn_msg;  /* NULL: "Succeeded" / "Failed" */
    int64_t amount;
    const char *trade_no; /* NULL: made from the number */
    const char *key, *iv; /* the keys it is signed with; NULL: ours */
    const char *mac;      /* a CheckMacValue to send instead; "": none */
    const char *extra;    /* raw text appended to the signed body */
} ecpay_cb;

static void ecpay_body(fixture *f, char *out, size_t size, const ecpay_cb *cb)
{
    char date[VG__TAIWAN_TIME_SIZE], amount[24], trade_no[32], mac[65];
    vg_form_field fields[20];
    size_t n = 0, len;
    int paid = !cb->rtn_code || strcmp(cb->rtn_code, "1") == 0;

    assert_status(vg__taiwan_time(date, f->now), VG_OK);
    snprintf(amount, sizeof amount, "%lld", (long long)cb->amount);
    snprintf(trade_no, sizeof trade_no, "2311%.16s", cb->number + 2);
    fields[n++] = (vg_form_field){"CustomField1", ""};
    fields[n++] = (vg_form_field){"MerchantID", cb->merchant ? cb->merchant : MERCHANT_ID};
    fields[n++] = (vg_form_field){"MerchantTradeNo", cb->number};
    fields[n++] = (vg_form_field){"PaymentDate", date};
    fields[n++] = (vg_form_field){"PaymentType", "Credit_CreditCard"};
    fields[n++] = (vg_form_field){"PaymentTypeChargeFee", "5"};
    fields[n++] = (vg_form_field){"RtnCode", cb->rtn_code ? cb->rtn_code : "1"};
    fields[n++] = (vg_form_field){"RtnMsg", cb->rtn_msg ? cb->rtn_msg
                                            : paid      ? "Succeeded"
                                                        : "Failed"};
    fields[n++] = (vg_form_field){"SimulatePaid", "0"};
    fields[n++] = (vg_form_field){"StoreID", ""};
    fields[n++] = (vg_form_field){"TradeAmt", amount};
    fields[n++] = (vg_form_field){"TradeDate", date};
    fields[n++] = (vg_form_field){"TradeNo", cb->trade_no ? cb->trade_no : trade_no};
    assert_status(vg_ecpay_check_mac(mac, fields, n, cb->key ? cb->key : HASH_KEY,
                                     cb->iv ? cb->iv : HASH_IV, 1),
                  VG_OK);
    if (!cb->mac || *cb->mac)
        fields[n++] = (vg_form_field){"CheckMacValue", cb->mac ? cb->mac : mac};
    assert_status(vg__form_encode(out, size, &len, fields, n), VG_OK);
    if (cb->extra)
        snprintf(out + len, size - len, "%s", cb->extra);
}

static int ecpay_deliver(fixture *f, vg_order *out, char reply[64], const char *body)
{
    vg_order ignored;
    memset(reply, 0, 64);
    return seen(f, vg_ecpay_callback(out ? out : &ignored, reply, 64, f->ctx, body, strlen(body)));
}

/* The genuine callback that says the order was paid. */
static void ecpay_paid_body(fixture *f, char *out, size_t size, const vg_order *o)
{
    ecpay_cb cb = {o->number, NULL, NULL, NULL, o->amount_minor, NULL, NULL, NULL, NULL, NULL};
    ecpay_body(f, out, size, &cb);
}

static void assert_refused(fixture *f, const char *body, int want, const char *reply_prefix)
{
    char reply[64];
    assert_status(ecpay_deliver(f, NULL, reply, body), want);
    assert_int_equal(strncmp(reply, "0|", 2), 0);
    if (reply_prefix)
        assert_string_equal(reply, reply_prefix);
}

/* Buys a package or a plan through ECPay: the order, its checkout form, the callback. */
static vg_order buy(fixture *f, int64_t user, vg_order_kind kind, const char *item, const char *key)
{
    char body[BODY_SIZE], reply[64];
    vg_ecpay_form form;
    vg_order o = new_order(f, user, kind, item, "ecpay", key), paid;

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    ecpay_paid_body(f, body, sizeof body, &o);
    assert_status(ecpay_deliver(f, &paid, reply, body), VG_OK);
    assert_string_equal(reply, "1|OK");
    assert_int_equal(paid.id, o.id);
    assert_int_equal(paid.state, VG_ORDER_FULFILLED);
    return paid;
}

/* ---- Paddle's webhooks, as Paddle would send them -------------------------------------------- */

static void to_hex(char *out, const unsigned char *bin, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < len; i++) {
        out[2 * i] = digits[bin[i] >> 4];
        out[2 * i + 1] = digits[bin[i] & 15];
    }
    out[2 * len] = '\0';
}

/* The h1 of body at ts under secret. */
static void paddle_h1(char out[65], const char *secret, long long ts, const char *body)
{
    char ts_text[24];
    unsigned char mac[32];
    vg__hmac_part parts[3];
    snprintf(ts_text, sizeof ts_text, "%lld", ts);
    parts[0] = (vg__hmac_part){ts_text, strlen(ts_text)};
    parts[1] = (vg__hmac_part){":", 1};
    parts[2] = (vg__hmac_part){body, strlen(body)};
    vg__hmac_sha256(mac, secret, strlen(secret), parts, 3);
    to_hex(out, mac, sizeof mac);
}

static void paddle_sign(char *header, size_t size, const char *secret, long long ts,
                        const char *body)
{
    char h1[65];
    paddle_h1(h1, secret, ts, body);
    snprintf(header, size, "ts=%lld;h1=%s", ts, h1);
}

static long long now_s(fixture *f)
{
    return (long long)(f->now / SEC);
}

static void paddle_txn_body(char *out, size_t size, const char *event_id, const char *number,
                            const char *currency, long long total)
{
    snprintf(out, size,
             "{\"event_id\":\"%s\",\"event_type\":\"transaction.completed\","
             "\"occurred_at\":\"2026-11-11T16:40:00.000000Z\",\"notification_id\":\"ntf_%s\","
             "\"data\":{\"id\":\"txn_%s\",\"status\":\"completed\",\"currency_code\":\"%s\","
             "\"details\":{\"totals\":{\"subtotal\":\"%lld\",\"tax\":\"0\",\"total\":\"%lld\"}},"
             "\"custom_data\":{\"vidgo_order\":\"%s\"}}}",
             event_id, event_id + 4, number, currency, total, total, number);
}

static void paddle_sub_body(char *out, size_t size, const char *event_id, const char *type,
                            const char *status, const char *user, const char *plan, vg_time start,
                            vg_time end, const char *scheduled_action)
{
    char starts[VG_TIME_TEXT_SIZE], ends[VG_TIME_TEXT_SIZE], scheduled[160];
    assert_status(vg_time_format(starts, sizeof starts, start), VG_OK);
    assert_status(vg_time_format(ends, sizeof ends, end), VG_OK);
    if (scheduled_action)
        snprintf(scheduled, sizeof scheduled,
                 "{\"action\":\"%s\",\"effective_at\":\"%s\",\"resume_at\":null}", scheduled_action,
                 ends);
    else
        snprintf(scheduled, sizeof scheduled, "null");
    snprintf(out, size,
             "{\"event_id\":\"%s\",\"event_type\":\"%s\",\"occurred_at\":\"%s\","
             "\"data\":{\"id\":\"sub_01hv8y\",\"status\":\"%s\",\"currency_code\":\"USD\","
             "\"custom_data\":{\"vidgo_user\":%s,\"vidgo_plan\":\"%s\"},"
             "\"current_billing_period\":{\"starts_at\":\"%s\",\"ends_at\":\"%s\"},"
             "\"scheduled_change\":%s}}",
             event_id, type, starts, status, user, plan, starts, ends, scheduled);
}

static int paddle_deliver_as(fixture *f, vg_webhook_result *out, const char *secret, long long ts,
                             const char *body)
{
    char header[256];
    paddle_sign(header, sizeof header, secret, ts, body);
    memset(out, 0, sizeof *out);
    out->version = VG_WEBHOOK_RESULT_VERSION;
    return seen(f, vg_paddle_webhook(out, f->ctx, header, body, strlen(body)));
}

static int paddle_deliver(fixture *f, vg_webhook_result *out, const char *body)
{
    return paddle_deliver_as(f, out, PADDLE_SECRET, now_s(f), body);
}

/* ---- two processes at once ------------------------------------------------------------------- */

#define RACE_ORDERS 12

typedef struct shared {
    int fresh[2];             /* callbacks that changed something (not duplicates) */
    int arrived[RACE_ORDERS]; /* the processes at each order's barrier */
    int failed;               /* a process gave up: the other stops waiting */
    char why[2][256];         /* a child's failure */
} shared;

/* Waits until both processes reach the barrier of order i, so that they deliver its
 * callback at the same moment. */
static void barrier(shared *sh, int i)
{
    __atomic_add_fetch(&sh->arrived[i], 1, __ATOMIC_SEQ_CST);
    while (__atomic_load_n(&sh->arrived[i], __ATOMIC_SEQ_CST) < 2 &&
           !__atomic_load_n(&sh->failed, __ATOMIC_SEQ_CST))
        sched_yield();
}

typedef int (*child_fn)(fixture *f, vg_ctx *ctx, int proc, const void *arg, shared *out);

/* Runs fn in two forked processes, each with its own context on the same store, released
 * together. The parent's context is closed meanwhile: no connection crosses a fork. */
static void in_two_processes(fixture *f, child_fn fn, const void *arg, shared *sh)
{
    int ready[2], go[2], proc, status;
    pid_t pids[2];
    char byte;

    close_ctx(f);
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    for (proc = 0; proc < 2; proc++) {
        pids[proc] = fork();
        assert_true(pids[proc] >= 0);
        if (pids[proc] == 0) {
            vg_config config;
            vg_ctx *ctx = NULL;
            int rc;
            config_for(f, &config);
            if (vg_open(&ctx, &config) != VG_OK) {
                snprintf(sh->why[proc], sizeof sh->why[proc], "vg_open: %s", vg_error_last());
                _exit(write(ready[1], "r", 1) == 1 ? 20 : 21); /* the parent need not wait */
            }
            f->ctx = ctx;
            if (write(ready[1], "r", 1) != 1 || read(go[0], &byte, 1) != 1)
                _exit(21);
            rc = fn(f, ctx, proc, arg, sh);
            if (rc != 0)
                __atomic_store_n(&sh->failed, 1, __ATOMIC_SEQ_CST);
            vg_close(ctx);
            if (rc == 0 && f->leaks) {
                snprintf(sh->why[proc], sizeof sh->why[proc], "a secret leaked: %.200s", f->leak);
                rc = 22;
            }
            _exit(rc);
        }
    }
    for (proc = 0; proc < 2; proc++)
        assert_int_equal(read(ready[0], &byte, 1), 1);
    assert_int_equal(write(go[1], "gg", 2), 2);
    for (proc = 0; proc < 2; proc++) {
        assert_int_equal(waitpid(pids[proc], &status, 0), pids[proc]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("process %d failed (status 0x%x): %s", proc, status, sh->why[proc]);
    }
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    open_ctx(f);
}

static shared *shared_new(void)
{
    shared *sh = mmap(NULL, sizeof *sh, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(sh != MAP_FAILED);
    memset(sh, 0, sizeof *sh);
    return sh;
}

/* ==== orders ================================================================================== */

typedef struct offer {
    const char *name;
    int64_t list_price;
} offer;

static int find_list_price(const vg_package_offer *o, void *payload)
{
    offer *want = payload;
    if (strcmp(o->package->name, want->name) != 0)
        return 0;
    want->list_price = o->package->price_twd;
    return 1;
}

static void test_a_package_costs_the_catalog_price_less_the_plans_discount(void **state)
{
    FIXTURE(state);
    int64_t pro = add_user(f, "pro"), starter = add_user(f, "starter");
    offer o50 = {"credits_50", 0};
    vg_plan plan;
    vg_order o;
    size_t i;

    assert_status(vg_packages_list(f->ctx, NULL, find_list_price, &o50), VG_OK);
    assert_int_equal(o50.list_price, 229);
    vg_plan_init(&plan, VG_PLAN_VERSION);
    assert_status(vg_plan_get(&plan, f->ctx, "pro"), VG_OK);
    assert_int_equal(plan.topup_discount_pct, 10);

    o = new_order(f, pro, VG_ORDER_PACKAGE, "credits_50", "ecpay", "p1");
    assert_int_equal(o.user_id, pro);
    assert_int_equal(o.kind, VG_ORDER_PACKAGE);
    assert_string_equal(o.item, "credits_50");
    assert_string_equal(o.provider, "ecpay");
    assert_string_equal(o.currency, "TWD");
    assert_int_equal(o.discount_pct, 10);
    assert_int_equal(o.amount_minor, (o50.list_price * 90 + 50) / 100); /* 206.1 -> 206 */
    assert_int_equal(o.amount_minor, 206);
    assert_int_equal(o.credits, 50);
    assert_int_equal(o.created_at, T0);
    assert_int_equal(o.expires_at, T0 + ORDER_TTL_S * SEC);
    assert_int_equal(o.paid_at, 0);
    assert_int_equal(strlen(o.number), 20);
    assert_int_equal(strncmp(o.number, "VG", 2), 0);
    for (i = 0; i < strlen(o.number); i++)
        assert_true((o.number[i] >= 'A' && o.number[i] <= 'Z') ||
                    (o.number[i] >= '0' && o.number[i] <= '9'));

    /* a starter user pays the list price */
    o = new_order(f, starter, VG_ORDER_PACKAGE, "credits_50", "ecpay", "s1");
    assert_int_equal(o.amount_minor, 229);
    assert_int_equal(o.discount_pct, 0);

    /* a plan costs its monthly price, without a discount */
    o = new_order(f, starter, VG_ORDER_SUBSCRIPTION, "starter", "ecpay", "s2");
    assert_int_equal(o.kind, VG_ORDER_SUBSCRIPTION);
    assert_int_equal(o.amount_minor, 299);
    assert_int_equal(o.discount_pct, 0);
    assert_int_equal(o.credits, 0);
    o = new_order(f, pro, VG_ORDER_SUBSCRIPTION, "pro_plus", "ecpay", "p2");
    assert_int_equal(o.amount_minor, 999);
    assert_int_equal(o.discount_pct, 0);

    /* found again by id and by number */
    {
        vg_order by_id, by_number;
        by_id = order_of(f, o.id);
        assert_status(vg_order_find(&by_number, f->ctx, o.number), VG_OK);
        assert_int_equal(by_id.id, o.id);
        assert_int_equal(by_number.id, o.id);
        assert_string_equal(by_number.number, o.number);
    }
    assert_int_equal(order_count(f, pro), 2);
    assert_int_equal(order_count(f, starter), 2);
    assert_int_equal(order_count(f, 0), 4);
    assert_invariants(f);
}

static void test_usd_orders_through_paddle_use_the_price_table(void **state)
{
    FIXTURE(state);
    int64_t pro = add_user(f, "pro"), starter = add_user(f, "starter");
    vg_order o;

    o = new_order(f, pro, VG_ORDER_PACKAGE, "credits_50", "paddle", "p1");
    assert_string_equal(o.currency, "USD"); /* Paddle's default */
    assert_string_equal(o.provider, "paddle");
    assert_int_equal(o.discount_pct, 10);
    assert_int_equal(o.amount_minor, 719); /* 7.99 less 10 %, rounded half up */
    assert_int_equal(o.credits, 50);
    o = new_order(f, starter, VG_ORDER_PACKAGE, "credits_120", "paddle", "s1");
    assert_int_equal(o.amount_minor, 1699);
    o = new_order(f, starter, VG_ORDER_SUBSCRIPTION, "pro", "paddle", "s2");
    assert_int_equal(o.amount_minor, 1999);
    assert_int_equal(o.discount_pct, 0);
    assert_status(
        request_order(f, &o, starter, VG_ORDER_PACKAGE, "credits_20", "paddle", "EUR", "s3"),
        VG_OK);
    assert_string_equal(o.currency, "EUR");
    assert_int_equal(o.amount_minor, 319);
    assert_status(
        request_order(f, &o, pro, VG_ORDER_SUBSCRIPTION, "pro_plus", "paddle", "USD", "p2"), VG_OK);
    assert_int_equal(o.amount_minor, 3299);
    assert_invariants(f);
}

static void test_the_same_key_returns_the_same_order_and_another_request_conflicts(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro"), v = add_user(f, "pro");
    vg_order a = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "k1"), b, c;

    b = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "k1");
    assert_int_equal(b.id, a.id);
    assert_string_equal(b.number, a.number);
    assert_int_equal(b.amount_minor, a.amount_minor);
    assert_status(request_order(f, &c, u, VG_ORDER_PACKAGE, "credits_120", "ecpay", NULL, "k1"),
                  VG_EIDEMPOTENCY_CONFLICT);
    assert_status(request_order(f, &c, u, VG_ORDER_PACKAGE, "credits_50", "paddle", NULL, "k1"),
                  VG_EIDEMPOTENCY_CONFLICT);
    assert_status(request_order(f, &c, u, VG_ORDER_SUBSCRIPTION, "pro", "ecpay", NULL, "k1"),
                  VG_EIDEMPOTENCY_CONFLICT);
    assert_int_equal(order_count(f, u), 1);
    /* keys are per user */
    c = new_order(f, v, VG_ORDER_PACKAGE, "credits_50", "ecpay", "k1");
    assert_true(c.id != a.id);
    /* still the same order once it is paid */
    buy(f, u, VG_ORDER_PACKAGE, "credits_50", "k1");
    assert_status(request_order(f, &b, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", NULL, "k1"),
                  VG_OK);
    assert_int_equal(b.id, a.id);
    assert_int_equal(b.state, VG_ORDER_FULFILLED);
    assert_int_equal(order_count(f, u), 1);
    assert_int_equal(balance_of(f, u).purchased, 50);
    assert_invariants(f);
}

static void test_bad_order_requests_change_nothing(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    snapshot before = take(f, 0, u);
    vg_order_request r = VG_ORDER_REQUEST_INIT;
    vg_order o;

    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_7", "ecpay", NULL, "b1"),
                  VG_ESERVICE_UNKNOWN);
    assert_status(request_order(f, &o, u, VG_ORDER_SUBSCRIPTION, "gold", "ecpay", NULL, "b2"),
                  VG_EPLAN_UNKNOWN);
    assert_status(request_order(f, &o, u, VG_ORDER_SUBSCRIPTION, "demo", "ecpay", NULL, "b3"),
                  VG_EPLAN_UNKNOWN);
    assert_status(request_order(f, &o, u, VG_ORDER_SUBSCRIPTION, "demo", "paddle", NULL, "b3p"),
                  VG_EPLAN_UNKNOWN);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "TWD", "b4"),
                  VG_ECURRENCY);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "EUR", "b5"),
                  VG_ECURRENCY);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "USD", "b6"),
                  VG_ECURRENCY);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "JPY", "b7"),
                  VG_ECURRENCY);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "usd", "b8"),
                  VG_ECURRENCY);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "stripe", NULL, "b9"),
                  VG_EINVAL);
    assert_status(request_order(f, &o, u, (vg_order_kind)7, "credits_50", "ecpay", NULL, "b10"),
                  VG_EINVAL);
    assert_status(
        request_order(f, &o, 999999, VG_ORDER_PACKAGE, "credits_50", "ecpay", NULL, "b11"),
        VG_ENOTFOUND);
    /* NULLs */
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, NULL, "ecpay", NULL, "b12"), VG_EINVAL);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", NULL, NULL, "b13"),
                  VG_EINVAL);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", NULL, NULL),
                  VG_EINVAL);
    assert_status(request_order(f, &o, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", NULL, ""),
                  VG_EINVAL);
    assert_status(request_order(f, &o, 0, VG_ORDER_PACKAGE, "credits_50", "ecpay", NULL, "b14"),
                  VG_EINVAL);
    r.user_id = u;
    r.item = "credits_50";
    r.provider = "ecpay";
    r.idempotency_key = "b15";
    assert_status(seen(f, vg_order_create(NULL, f->ctx, &r)), VG_EINVAL);
    assert_status(seen(f, vg_order_create(&o, NULL, &r)), VG_EINVAL);
    assert_status(seen(f, vg_order_create(&o, f->ctx, NULL)), VG_EINVAL);
    r.version = 99;
    assert_status(seen(f, vg_order_create(&o, f->ctx, &r)), VG_EVERSION);
    /* and lookups of what is not there */
    assert_status(seen(f, vg_order_get(&o, f->ctx, 424242)), VG_ENOTFOUND);
    assert_status(seen(f, vg_order_get(&o, f->ctx, 0)), VG_EINVAL);
    assert_status(seen(f, vg_order_find(&o, f->ctx, "VG000000000000000000")), VG_ENOTFOUND);
    assert_status(seen(f, vg_order_find(&o, f->ctx, NULL)), VG_EINVAL);
    assert_status(seen(f, vg_orders_list(f->ctx, 0, 0, 0, collect_order, NULL)), VG_EINVAL);
    assert_unchanged(f, &before, 0, u);
    assert_int_equal(order_count(f, 0), 0);
    /* the keys of refused requests are free for a good one */
    o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "b4");
    assert_int_equal(o.amount_minor, 206);
    assert_invariants(f);
}

/* ==== ECPay =================================================================================== */

static const char *field(const vg_ecpay_form *form, const char *name)
{
    size_t i;
    for (i = 0; i < form->count; i++)
        if (strcmp(form->fields[i].name, name) == 0)
            return form->fields[i].value;
    return NULL;
}

static void assert_form_signed(const vg_ecpay_form *form)
{
    vg_form_field fields[VG_ECPAY_FORM_FIELDS];
    char mac[65];
    size_t i;

    assert_true(form->count >= 2 && form->count <= VG_ECPAY_FORM_FIELDS);
    assert_string_equal(form->fields[form->count - 1].name, "CheckMacValue");
    for (i = 0; i + 1 < form->count; i++) {
        fields[i].name = form->fields[i].name;
        fields[i].value = form->fields[i].value;
        assert_null(strstr(form->fields[i].value, HASH_KEY));
        assert_null(strstr(form->fields[i].value, HASH_IV));
    }
    assert_status(vg_ecpay_check_mac(mac, fields, form->count - 1, HASH_KEY, HASH_IV, 1), VG_OK);
    assert_int_equal(strlen(mac), 64);
    assert_string_equal(form->fields[form->count - 1].value, mac);
}

static void test_the_ecpay_checkout_form_is_complete_and_signed(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "c1"), plan;
    vg_ecpay_form form, again;
    const char *number;
    size_t i;

    f->now += 10 * MINUTE; /* the form carries the order's creation time, not now */
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    assert_int_equal(form.version, VG_ECPAY_FORM_VERSION);
    assert_string_equal(form.action, STAGE_URL);
    assert_string_equal(field(&form, "MerchantID"), MERCHANT_ID);
    number = field(&form, "MerchantTradeNo");
    assert_non_null(number);
    assert_string_equal(number, o.number);
    assert_true(strlen(number) >= 1 && strlen(number) <= 20);
    for (i = 0; number[i]; i++)
        assert_true((number[i] >= 'A' && number[i] <= 'Z') ||
                    (number[i] >= 'a' && number[i] <= 'z') ||
                    (number[i] >= '0' && number[i] <= '9'));
    assert_string_equal(field(&form, "MerchantTradeDate"), T0_TAIWAN);
    assert_string_equal(field(&form, "PaymentType"), "aio");
    assert_string_equal(field(&form, "TotalAmount"), "206");
    assert_string_equal(field(&form, "EncryptType"), "1");
    assert_string_equal(field(&form, "ChoosePayment"), "ALL");
    assert_string_equal(field(&form, "ReturnURL"), RETURN_URL);
    assert_non_null(field(&form, "TradeDesc"));
    assert_non_null(field(&form, "ItemName"));
    assert_null(field(&form, "ClientBackURL"));
    assert_form_signed(&form);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_PENDING);

    /* again (the user came back to the page): the same signed form, still PENDING */
    assert_status(seen(f, vg_ecpay_checkout(&again, f->ctx, o.id, RETURN_URL,
                                            "https://vidgo.example/account", "Credit")),
                  VG_OK);
    assert_string_equal(field(&again, "MerchantTradeDate"), T0_TAIWAN);
    assert_string_equal(field(&again, "ClientBackURL"), "https://vidgo.example/account");
    assert_string_equal(field(&again, "ChoosePayment"), "Credit");
    assert_form_signed(&again);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_PENDING);

    /* a plan order */
    plan = new_order(f, u, VG_ORDER_SUBSCRIPTION, "pro_plus", "ecpay", "c2");
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, plan.id, RETURN_URL, NULL, NULL)),
                  VG_OK);
    assert_string_equal(field(&form, "TotalAmount"), "999");
    assert_string_equal(field(&form, "MerchantTradeNo"), plan.number);
    assert_form_signed(&form);

    /* production */
    f->production = 1;
    reopen(f);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    assert_string_equal(form.action, PRODUCTION_URL);
    assert_form_signed(&form);
    assert_invariants(f);
}

static void test_an_ecpay_checkout_is_refused_for_what_it_cannot_sell(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order paddle = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "r1");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "r2"), late;
    vg_ecpay_form form;

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, paddle.id, RETURN_URL, NULL, NULL)),
                  VG_ECURRENCY);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, 424242, RETURN_URL, NULL, NULL)),
                  VG_ENOTFOUND);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, NULL, NULL, NULL)), VG_EINVAL);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, "ftp://x.example/", NULL, NULL)),
                  VG_EINVAL);
    assert_status(seen(f, vg_ecpay_checkout(NULL, f->ctx, o.id, RETURN_URL, NULL, NULL)),
                  VG_EINVAL);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_CREATED);
    assert_int_equal(order_of(f, paddle.id).state, VG_ORDER_CREATED);
    /* an order past its time is not sent any more */
    late = new_order(f, u, VG_ORDER_PACKAGE, "credits_20", "ecpay", "r3");
    f->now += ORDER_TTL_S * SEC + SEC;
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, late.id, RETURN_URL, NULL, NULL)),
                  VG_EORDER_STATE);
    /* without merchant settings */
    f->no_keys = 1;
    reopen(f);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)),
                  VG_ECONFIG);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_CREATED);
    assert_invariants(f);
}

static void test_an_ecpay_callback_pays_and_fulfils_the_order(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_balance before = balance_of(f, u), after;
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "e1"), paid;
    vg_ecpay_form form;
    char body[BODY_SIZE], reply[64];

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    f->now += 3 * MINUTE;
    ecpay_paid_body(f, body, sizeof body, &o);
    assert_status(ecpay_deliver(f, &paid, reply, body), VG_OK);
    assert_string_equal(reply, "1|OK");
    assert_int_equal(paid.id, o.id);
    assert_int_equal(paid.state, VG_ORDER_FULFILLED);
    paid = order_of(f, o.id);
    assert_int_equal(paid.state, VG_ORDER_FULFILLED);
    assert_int_equal(paid.paid_at, T0 + 3 * MINUTE);
    assert_int_equal(paid.fulfilled_at, T0 + 3 * MINUTE);
    assert_int_equal(strncmp(paid.provider_ref, "2311", 4), 0);
    after = balance_of(f, u);
    assert_int_equal(after.purchased, before.purchased + 50);
    assert_int_equal(after.total, before.total + 50);
    assert_int_equal(after.ledger_seq, before.ledger_seq + 1);
    assert_int_equal(grants_for(f, u, o.number), 1);
    assert_string_equal(plan_of(f, u), "pro"); /* a package changes no plan */
    assert_invariants(f);
}

static void test_the_same_ecpay_callback_five_times_grants_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u), after;
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_120", "ecpay", "e1"), paid;
    char body[BODY_SIZE], reply[64];
    int i;

    ecpay_paid_body(f, body, sizeof body, &o);
    for (i = 0; i < 5; i++) {
        assert_status(ecpay_deliver(f, &paid, reply, body), VG_OK);
        assert_string_equal(reply, "1|OK");
        assert_int_equal(paid.state, VG_ORDER_FULFILLED);
        assert_int_equal(paid.fulfilled_at, T0); /* the first delivery's */
        f->now += 5 * MINUTE;
    }
    after = balance_of(f, u);
    assert_int_equal(after.purchased, before.purchased + 120);
    assert_int_equal(after.ledger_seq, before.ledger_seq + 1);
    assert_int_equal(grants_for(f, u, o.number), 1);
    assert_invariants(f);
}

typedef struct ecpay_race {
    char bodies[RACE_ORDERS][BODY_SIZE];
} ecpay_race;

static int deliver_ecpay_race(fixture *f, vg_ctx *ctx, int proc, const void *arg, shared *sh)
{
    const ecpay_race *race = arg;
    char reply[64];
    vg_order o;
    int i, round, rc;
    (void)f;
    for (i = 0; i < RACE_ORDERS; i++) {
        barrier(sh, i);
        for (round = 0; round < 3; round++) {
            rc = vg_ecpay_callback(&o, reply, sizeof reply, ctx, race->bodies[i],
                                   strlen(race->bodies[i]));
            if (rc != VG_OK || strcmp(reply, "1|OK") != 0 || o.state != VG_ORDER_FULFILLED) {
                snprintf(sh->why[proc], sizeof sh->why[proc], "order %d: %s, reply %s: %s", i,
                         vg_error_name(rc), reply, vg_ctx_errmsg(ctx));
                return 1;
            }
        }
    }
    return 0;
}

static void test_the_same_ecpay_callback_from_two_processes_grants_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    static ecpay_race race;
    vg_order orders[RACE_ORDERS];
    vg_balance before = balance_of(f, u), after;
    shared *sh = shared_new();
    static const char *const packages[] = {"credits_20", "credits_50", "credits_120"};
    static const int credits[] = {20, 50, 120};
    int64_t want = 0;
    int i;

    for (i = 0; i < RACE_ORDERS; i++) {
        char key[16];
        snprintf(key, sizeof key, "race%d", i);
        orders[i] = new_order(f, u, VG_ORDER_PACKAGE, packages[i % 3], "ecpay", key);
        want += credits[i % 3];
        ecpay_paid_body(f, race.bodies[i], sizeof race.bodies[i], &orders[i]);
    }
    in_two_processes(f, deliver_ecpay_race, &race, sh);
    munmap(sh, sizeof *sh);
    after = balance_of(f, u);
    assert_int_equal(after.purchased, before.purchased + want);
    assert_int_equal(after.ledger_seq, before.ledger_seq + RACE_ORDERS);
    for (i = 0; i < RACE_ORDERS; i++) {
        assert_int_equal(order_of(f, orders[i].id).state, VG_ORDER_FULFILLED);
        assert_int_equal(grants_for(f, u, orders[i].number), 1);
    }
    assert_invariants(f);
}

static void test_a_forged_or_altered_ecpay_callback_is_refused_and_changes_nothing(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "f1"), other;
    vg_ecpay_form form;
    snapshot before;
    char body[BODY_SIZE], genuine[BODY_SIZE], reply[64], *p;
    ecpay_cb cb;

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    before = take(f, o.id, u);
    assert_int_equal(before.order.state, VG_ORDER_PENDING);
    ecpay_paid_body(f, genuine, sizeof genuine, &o);

#define CB(...) (cb = (ecpay_cb){__VA_ARGS__}, ecpay_body(f, body, sizeof body, &cb))
    /* a wrong MAC */
    CB(o.number, NULL, NULL, NULL, o.amount_minor, NULL, NULL, NULL,
       "6C51C9E6888DE861FD62FB1DD17029FC742634498FD813DC43D4243B5685B840", NULL);
    assert_refused(f, body, VG_ESIGNATURE, "0|CheckMacValue Error");
    /* no MAC */
    CB(o.number, NULL, NULL, NULL, o.amount_minor, NULL, NULL, NULL, "", NULL);
    assert_refused(f, body, VG_ESIGNATURE, NULL);
    /* the MD5 of the right fields where SHA-256 is due */
    {
        vg__form form2;
        char md5[65];
        assert_status(vg__form_parse(&form2, f->ctx, genuine, strlen(genuine)), VG_OK);
        assert_status(vg_ecpay_check_mac(md5, form2.fields, form2.count - 1, HASH_KEY, HASH_IV, 0),
                      VG_OK);
        vg__form_free(&form2);
        CB(o.number, NULL, NULL, NULL, o.amount_minor, NULL, NULL, NULL, md5, NULL);
        assert_refused(f, body, VG_ESIGNATURE, NULL);
    }
    /* TradeAmt changed, the MAC recomputed with a wrong key, or with a wrong IV */
    CB(o.number, NULL, NULL, NULL, 1, NULL, "wrongHashKey0000", NULL, NULL, NULL);
    assert_refused(f, body, VG_ESIGNATURE, "0|CheckMacValue Error");
    CB(o.number, NULL, NULL, NULL, 1, NULL, NULL, "wrongHashIV00000", NULL, NULL);
    assert_refused(f, body, VG_ESIGNATURE, NULL);
    /* TradeAmt changed in a genuine body, the MAC left as it was */
    snprintf(body, sizeof body, "%s", genuine);
    p = strstr(body, "TradeAmt=206");
    assert_non_null(p);
    memcpy(p, "TradeAmt=200", 12);
    assert_refused(f, body, VG_ESIGNATURE, NULL);
    /* RtnCode changed in a genuine body of an unpaid result */
    CB(o.number, NULL, "10100058", "Failed", o.amount_minor, NULL, NULL, NULL, NULL, NULL);
    p = strstr(body, "RtnCode=10100058");
    assert_non_null(p);
    memmove(p + 9, p + 16, strlen(p + 16) + 1);
    p[8] = '1';
    assert_non_null(strstr(body, "RtnCode=1&"));
    assert_refused(f, body, VG_ESIGNATURE, NULL);
    /* another merchant, properly signed */
    CB(o.number, "2000132", NULL, NULL, o.amount_minor, NULL, NULL, NULL, NULL, NULL);
    assert_refused(f, body, VG_EMERCHANT_MISMATCH, "0|MerchantID Error");
    /* an amount that differs from the order, properly signed */
    CB(o.number, NULL, NULL, NULL, o.amount_minor - 1, NULL, NULL, NULL, NULL, NULL);
    assert_refused(f, body, VG_EAMOUNT_MISMATCH, "0|Amount Error");
    CB(o.number, NULL, NULL, NULL, 229, NULL, NULL, NULL, NULL, NULL); /* the list price */
    assert_refused(f, body, VG_EAMOUNT_MISMATCH, "0|Amount Error");
    /* a duplicated field after the signed ones, in either case */
    assert_true(strlen(genuine) + 16 < sizeof body);
    strcpy(body, genuine);
    strcat(body, "&TradeAmt=1");
    assert_refused(f, body, VG_EINVAL, NULL);
    strcpy(body, genuine);
    strcat(body, "&rtncode=1");
    assert_refused(f, body, VG_EINVAL, NULL);
    strcpy(body, "TradeAmt=206&");
    strcat(body, genuine);
    assert_refused(f, body, VG_EINVAL, NULL);
    /* an order that is not there, properly signed */
    CB("VG000000000000000000", NULL, NULL, NULL, o.amount_minor, NULL, NULL, NULL, NULL, NULL);
    assert_refused(f, body, VG_ENOTFOUND, "0|Order Not Found");
    /* a paddle order paid through ECPay, properly signed */
    other = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "f2");
    CB(other.number, NULL, NULL, NULL, other.amount_minor, NULL, NULL, NULL, NULL, NULL);
    assert_status(ecpay_deliver(f, NULL, reply, body), VG_EORDER_STATE);
    assert_int_equal(strncmp(reply, "0|", 2), 0);
    assert_int_equal(order_of(f, other.id).state, VG_ORDER_CREATED);
    /* garbage */
    assert_refused(f, "MerchantID=3002607&TradeAmt=%zz", VG_EINVAL, NULL);
    assert_refused(f, "", VG_ESIGNATURE, NULL);
    assert_status(seen(f, vg_ecpay_callback(NULL, reply, sizeof reply, f->ctx, NULL, 0)),
                  VG_EINVAL);
#undef CB
    before.orders++; /* the paddle order */
    assert_unchanged(f, &before, o.id, u);
    assert_int_equal(grants_for(f, u, o.number), 0);

    /* the genuine callback still pays it */
    assert_status(ecpay_deliver(f, NULL, reply, genuine), VG_OK);
    assert_string_equal(reply, "1|OK");
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_FULFILLED);
    assert_int_equal(balance_of(f, u).purchased, before.balance.purchased + 50);
    assert_invariants(f);
}

static void test_an_unpaid_ecpay_result_fails_the_order_and_a_later_payment_pays_it(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "u1"), got;
    vg_balance before = balance_of(f, u);
    vg_ecpay_form form;
    char body[BODY_SIZE], reply[64];
    ecpay_cb declined = {o.number, NULL, "10100058", "Card declined", o.amount_minor, NULL, NULL,
                         NULL,     NULL, NULL};

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    ecpay_body(f, body, sizeof body, &declined);
    assert_status(ecpay_deliver(f, &got, reply, body), VG_OK);
    assert_string_equal(reply, "1|OK");
    assert_int_equal(got.state, VG_ORDER_FAILED);
    got = order_of(f, o.id);
    assert_int_equal(got.state, VG_ORDER_FAILED);
    assert_string_equal(got.failure, "Card declined");
    assert_int_equal(got.paid_at, 0);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(balance_of(f, u).ledger_seq, before.ledger_seq);
    assert_int_equal(grants_for(f, u, o.number), 0);
    /* the same failure again changes nothing */
    assert_status(ecpay_deliver(f, &got, reply, body), VG_OK);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_FAILED);

    /* the user tried again and it went through */
    f->now += 10 * MINUTE;
    ecpay_paid_body(f, body, sizeof body, &o);
    assert_status(ecpay_deliver(f, &got, reply, body), VG_OK);
    assert_string_equal(reply, "1|OK");
    got = order_of(f, o.id);
    assert_int_equal(got.state, VG_ORDER_FULFILLED);
    assert_string_equal(got.failure, "");
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 50);
    /* a late failure does not undo a payment */
    ecpay_body(f, body, sizeof body, &declined);
    assert_status(ecpay_deliver(f, &got, reply, body), VG_OK);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_FULFILLED);
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 50);
    assert_int_equal(grants_for(f, u, o.number), 1);
    assert_invariants(f);
}

/* ==== Paddle ================================================================================== */

static void test_a_paddle_transaction_completed_fulfils_a_usd_order(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "t1"), paid;
    vg_balance before = balance_of(f, u), after;
    vg_webhook_result r;
    char body[BODY_SIZE];

    paddle_txn_body(body, sizeof body, "evt_01hv8y0001", o.number, "USD", 719);
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    assert_int_equal(r.version, VG_WEBHOOK_RESULT_VERSION);
    assert_string_equal(r.event_id, "evt_01hv8y0001");
    assert_string_equal(r.event_type, "transaction.completed");
    assert_false(r.duplicate);
    assert_false(r.ignored);
    assert_int_equal(r.order_id, o.id);
    paid = order_of(f, o.id);
    assert_int_equal(paid.state, VG_ORDER_FULFILLED);
    assert_int_equal(strncmp(paid.provider_ref, "txn_", 4), 0);
    assert_int_equal(paid.paid_at, T0);
    after = balance_of(f, u);
    assert_int_equal(after.purchased, before.purchased + 50);
    assert_int_equal(after.ledger_seq, before.ledger_seq + 1);
    assert_invariants(f);
}

static void test_the_same_paddle_event_five_times_is_processed_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_300", "paddle", "t1");
    vg_balance before = balance_of(f, u);
    vg_webhook_result r;
    char body[BODY_SIZE];
    int i;

    paddle_txn_body(body, sizeof body, "evt_01hv8y0002", o.number, "USD", 3699);
    for (i = 0; i < 5; i++) {
        assert_status(paddle_deliver(f, &r, body), VG_OK);
        assert_int_equal(r.duplicate, i > 0);
        f->now += MINUTE; /* each redelivery newly signed, as Paddle does */
    }
    /* a second event about the same transaction pays nothing more */
    paddle_txn_body(body, sizeof body, "evt_01hv8y0003", o.number, "USD", 3699);
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    assert_false(r.duplicate);
    assert_int_equal(r.order_id, o.id);
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 300);
    assert_int_equal(balance_of(f, u).ledger_seq, before.ledger_seq + 1);
    assert_int_equal(grants_for(f, u, o.number), 1);
    assert_invariants(f);
}

typedef struct paddle_race {
    char bodies[RACE_ORDERS][BODY_SIZE];
} paddle_race;

static int deliver_paddle_race(fixture *f, vg_ctx *ctx, int proc, const void *arg, shared *sh)
{
    const paddle_race *race = arg;
    vg_webhook_result r;
    char header[256];
    int i, round, rc;
    for (i = 0; i < RACE_ORDERS; i++) {
        barrier(sh, i);
        for (round = 0; round < 2; round++) {
            paddle_sign(header, sizeof header, PADDLE_SECRET, now_s(f), race->bodies[i]);
            memset(&r, 0, sizeof r);
            r.version = VG_WEBHOOK_RESULT_VERSION;
            rc = vg_paddle_webhook(&r, ctx, header, race->bodies[i], strlen(race->bodies[i]));
            if (rc != VG_OK || r.order_id == 0) {
                snprintf(sh->why[proc], sizeof sh->why[proc], "event %d: %s: %s", i,
                         vg_error_name(rc), vg_ctx_errmsg(ctx));
                return 1;
            }
            sh->fresh[proc] += !r.duplicate;
        }
    }
    return 0;
}

static void test_the_same_paddle_event_from_two_processes_is_processed_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro_plus");
    static paddle_race race;
    vg_order orders[RACE_ORDERS];
    vg_balance before = balance_of(f, u), after;
    shared *sh = shared_new();
    int i;

    for (i = 0; i < RACE_ORDERS; i++) {
        char key[16], event[32];
        snprintf(key, sizeof key, "race%d", i);
        snprintf(event, sizeof event, "evt_race%d", i);
        orders[i] = new_order(f, u, VG_ORDER_PACKAGE, "credits_120", "paddle", key);
        assert_int_equal(orders[i].amount_minor, 1359); /* 16.99 less 20 % */
        paddle_txn_body(race.bodies[i], sizeof race.bodies[i], event, orders[i].number, "USD",
                        orders[i].amount_minor);
    }
    in_two_processes(f, deliver_paddle_race, &race, sh);
    assert_int_equal(sh->fresh[0] + sh->fresh[1], RACE_ORDERS);
    munmap(sh, sizeof *sh);
    after = balance_of(f, u);
    assert_int_equal(after.purchased, before.purchased + 120 * RACE_ORDERS);
    assert_int_equal(after.ledger_seq, before.ledger_seq + RACE_ORDERS);
    for (i = 0; i < RACE_ORDERS; i++)
        assert_int_equal(grants_for(f, u, orders[i].number), 1);
    assert_invariants(f);
}

static void test_a_tampered_stale_or_wrong_paddle_webhook_changes_nothing(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "w1");
    vg_order ecpay = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "w2");
    snapshot before = take(f, o.id, u);
    vg_webhook_result r;
    char body[BODY_SIZE], tampered[BODY_SIZE], header[512], h1[65], good[65], *p;

    paddle_txn_body(body, sizeof body, "evt_w1", o.number, "USD", 719);
    /* tampered body: signed, then the total changed */
    paddle_sign(header, sizeof header, PADDLE_SECRET, now_s(f), body);
    snprintf(tampered, sizeof tampered, "%s", body);
    p = strstr(tampered, "\"total\":\"719\"");
    assert_non_null(p);
    memcpy(p, "\"total\":\"001\"", 13);
    memset(&r, 0, sizeof r);
    r.version = VG_WEBHOOK_RESULT_VERSION;
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, tampered, strlen(tampered))),
                  VG_ESIGNATURE);
    /* a body with a trailing space is another body */
    memcpy(tampered, body, strlen(body));
    memcpy(tampered + strlen(body), " ", 2);
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, tampered, strlen(tampered))),
                  VG_ESIGNATURE);
    /* the wrong secret */
    assert_status(paddle_deliver_as(f, &r, "pdl_ntfset_someone_else", now_s(f), body),
                  VG_ESIGNATURE);
    /* stale and future timestamps, properly signed */
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET, now_s(f) - 6, body), VG_EREPLAY);
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET, now_s(f) - 3600, body), VG_EREPLAY);
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET, now_s(f) + 60, body), VG_EREPLAY);
    /* signed now, delivered ten seconds later by the fake clock */
    paddle_sign(header, sizeof header, PADDLE_SECRET, now_s(f), body);
    f->now += 10 * SEC;
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, body, strlen(body))), VG_EREPLAY);
    /* the timestamp changed in a signed header */
    paddle_h1(h1, PADDLE_SECRET, now_s(f), body);
    snprintf(header, sizeof header, "ts=%lld;h1=%s", now_s(f) + 1, h1);
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, body, strlen(body))),
                  VG_ESIGNATURE);
    /* malformed headers */
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, "", body, strlen(body))), VG_EINVAL);
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, "h1=abc", body, strlen(body))), VG_EINVAL);
    snprintf(header, sizeof header, "ts=%lld", now_s(f));
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, body, strlen(body))), VG_EINVAL);
    /* properly signed, but the amount or the currency differs from the order */
    paddle_txn_body(tampered, sizeof tampered, "evt_w1", o.number, "USD", 700);
    assert_status(paddle_deliver(f, &r, tampered), VG_EAMOUNT_MISMATCH);
    paddle_txn_body(tampered, sizeof tampered, "evt_w1", o.number, "EUR", 719);
    assert_status(paddle_deliver(f, &r, tampered), VG_EAMOUNT_MISMATCH);
    /* properly signed, for an order that is not there, or an ECPay order */
    paddle_txn_body(tampered, sizeof tampered, "evt_w1", "VG000000000000000000", "USD", 719);
    assert_status(paddle_deliver(f, &r, tampered), VG_ENOTFOUND);
    paddle_txn_body(tampered, sizeof tampered, "evt_w1", ecpay.number, "TWD", 206);
    assert_status(paddle_deliver(f, &r, tampered), VG_EORDER_STATE);
    /* properly signed, not JSON */
    assert_status(paddle_deliver(f, &r, "{\"event_id\":"), VG_EINVAL);
    assert_unchanged(f, &before, o.id, u);
    assert_int_equal(order_of(f, ecpay.id).state, VG_ORDER_CREATED);

    /* none of them was recorded: the genuine event, under the same id, is processed; two h1
     * values (a rotation) where one matches */
    paddle_h1(good, PADDLE_SECRET, now_s(f), body);
    paddle_h1(h1, "pdl_ntfset_old_one", now_s(f), body);
    snprintf(header, sizeof header, "ts=%lld;h1=%s;h1=%s", now_s(f), h1, good);
    memset(&r, 0, sizeof r);
    r.version = VG_WEBHOOK_RESULT_VERSION;
    assert_status(seen(f, vg_paddle_webhook(&r, f->ctx, header, body, strlen(body))), VG_OK);
    assert_false(r.duplicate);
    assert_int_equal(r.order_id, o.id);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_FULFILLED);
    assert_int_equal(balance_of(f, u).purchased, before.balance.purchased + 50);
    assert_invariants(f);
}

static void test_paddle_webhooks_verify_under_either_secret_during_a_rotation(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order a = new_order(f, u, VG_ORDER_PACKAGE, "credits_20", "paddle", "a");
    vg_order b = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "b");
    vg_webhook_result r;
    char body[BODY_SIZE];

    f->paddle_secrets = PADDLE_SECRET " " PADDLE_SECRET_NEXT;
    reopen(f);
    paddle_txn_body(body, sizeof body, "evt_rot_a", a.number, "USD", a.amount_minor);
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET, now_s(f), body), VG_OK);
    paddle_txn_body(body, sizeof body, "evt_rot_b", b.number, "USD", b.amount_minor);
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET_NEXT, now_s(f), body), VG_OK);
    assert_int_equal(order_of(f, a.id).state, VG_ORDER_FULFILLED);
    assert_int_equal(order_of(f, b.id).state, VG_ORDER_FULFILLED);
    assert_int_equal(balance_of(f, u).purchased, 70);
    assert_invariants(f);
}

static void test_paddle_subscription_events_move_the_subscription_and_the_plan(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "demo");
    static const struct {
        const char *event, *type, *status, *plan, *scheduled;
        vg_subscription_state state;
    } steps[] = {
        {"evt_s2", "subscription.updated", "active", "pro", "cancel", VG_SUBSCRIPTION_CANCELED},
        {"evt_s3", "subscription.past_due", "past_due", "pro", NULL, VG_SUBSCRIPTION_PAST_DUE},
        {"evt_s4", "subscription.updated", "active", "pro_plus", NULL, VG_SUBSCRIPTION_ACTIVE},
    };
    vg_time start = T0, end = T0_PLUS_1M;
    vg_webhook_result r;
    vg_subscription s;
    snapshot before;
    char body[BODY_SIZE], user[24];
    size_t i;

    snprintf(user, sizeof user, "%lld", (long long)u);
    paddle_sub_body(body, sizeof body, "evt_s1", "subscription.created", "active", user, "pro",
                    start, end, NULL);
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    assert_int_equal(r.user_id, u);
    assert_false(r.duplicate);
    assert_false(r.ignored);
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(s.plan, "pro");
    assert_string_equal(s.provider, "paddle");
    assert_string_equal(s.provider_ref, "sub_01hv8y");
    assert_int_equal(s.period_start, start);
    assert_int_equal(s.period_end, end);
    assert_string_equal(plan_of(f, u), "pro");
    assert_int_equal(balance_of(f, u).subscription, 60); /* demo's 0 grows by pro's 60 */
    /* delivered again: a duplicate */
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    assert_true(r.duplicate);

    /* then, a day apart (vidgo_user now as a string): a cancel scheduled for the period's
     * end, the renewal payment failed, paid after all and upgraded to pro_plus */
    snprintf(user, sizeof user, "\"%lld\"", (long long)u);
    for (i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        f->now += DAY;
        paddle_sub_body(body, sizeof body, steps[i].event, steps[i].type, steps[i].status, user,
                        steps[i].plan, start, end, steps[i].scheduled);
        assert_status(paddle_deliver(f, &r, body), VG_OK);
        s = subscription_of(f, u);
        assert_int_equal(s.state, steps[i].state);
        assert_string_equal(s.plan, steps[i].plan);
        assert_string_equal(plan_of(f, u), steps[i].plan);
    }

    /* an event VidGo does not act on */
    f->now += DAY;
    before = take(f, 0, u);
    snprintf(body, sizeof body,
             "{\"event_id\":\"evt_s5\",\"event_type\":\"customer.updated\",\"data\":"
             "{\"id\":\"ctm_01\",\"email\":\"someone@example.com\"}}");
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    assert_true(r.ignored);
    assert_false(r.duplicate);
    assert_unchanged(f, &before, 0, u);
    /* a subscription event for a user who is not there */
    paddle_sub_body(body, sizeof body, "evt_s6", "subscription.updated", "active", "999999", "pro",
                    start, end, NULL);
    assert_status(paddle_deliver(f, &r, body), VG_ENOTFOUND);
    assert_unchanged(f, &before, 0, u);

    /* canceled: the subscription ended, the plan is demo */
    f->now += DAY;
    paddle_sub_body(body, sizeof body, "evt_s7", "subscription.canceled", "canceled", user,
                    "pro_plus", start, end, NULL);
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_EXPIRED);
    assert_string_equal(plan_of(f, u), "demo");
    assert_int_equal(balance_of(f, u).subscription, 0);
    assert_invariants(f);
}

/* ==== the subscription lifecycle ============================================================== */

static void test_a_subscription_lives_across_weeks_and_months(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "demo");
    vg_subscription s, out;
    vg_balance b;
    vg_time monday = vg_credits_next_reset(T0), upgrade_at;

    /* Wednesday 11 November: starter, bought through ECPay */
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_NONE);
    buy(f, u, VG_ORDER_SUBSCRIPTION, "starter", "month-1");
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(s.plan, "starter");
    assert_string_equal(s.provider, "ecpay");
    assert_int_equal(s.started_at, T0);
    assert_int_equal(s.period_start, T0);
    assert_int_equal(s.period_end, T0_PLUS_1M);
    assert_string_equal(plan_of(f, u), "starter");
    assert_int_equal(balance_of(f, u).subscription, 25);
    spend(f, u, "image_512", "w1");
    assert_int_equal(balance_of(f, u).subscription, 23);

    /* Monday 16 November: the week's credits again */
    f->now = monday + HOUR;
    b = balance_of(f, u);
    assert_int_equal(b.subscription, 25);
    assert_int_equal(rows_of_type(f, u, VG_LEDGER_WEEKLY_RESET), 1);
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_ACTIVE);

    /* Wednesday 9 December, two days before the period's end: renewed; the new month
     * continues from the end of this one */
    f->now = T0_PLUS_1M - 2 * DAY - 6 * HOUR;
    buy(f, u, VG_ORDER_SUBSCRIPTION, "starter", "month-2");
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(s.plan, "starter");
    assert_int_equal(s.started_at, T0);
    assert_int_equal(s.period_start, T0_PLUS_1M);
    assert_int_equal(s.period_end, T0_PLUS_2M);
    assert_string_equal(plan_of(f, u), "starter");

    /* Wednesday 16 December, mid-week: an upgrade to pro, bought, takes effect now; this
     * week's credits grow by the difference of the weekly amounts (60 - 25); the period
     * restarts */
    upgrade_at = vg_credits_next_reset(T0_PLUS_1M) + 2 * DAY + 12 * HOUR;
    f->now = upgrade_at;
    spend(f, u, "video_720p", "w2");
    b = balance_of(f, u);
    assert_int_equal(b.subscription, 20);
    buy(f, u, VG_ORDER_SUBSCRIPTION, "pro", "upgrade");
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(s.plan, "pro");
    assert_int_equal(s.started_at, T0);
    assert_int_equal(s.period_start, upgrade_at);
    assert_int_equal(s.period_end, upgrade_at + 31 * DAY); /* 16 Jan 2027 */
    assert_string_equal(plan_of(f, u), "pro");
    assert_int_equal(balance_of(f, u).subscription, 20 + 35);
    assert_int_equal(rows_of_type(f, u, VG_LEDGER_PLAN_CHANGE), 2); /* demo>starter>pro */

    /* Monday 21 December: pro's week */
    f->now = vg_credits_next_reset(upgrade_at) + HOUR;
    assert_int_equal(balance_of(f, u).subscription, 60);

    /* Wednesday 6 January: cancelled at the period's end */
    f->now = upgrade_at + 21 * DAY;
    assert_status(seen(f, vg_subscription_cancel(&out, f->ctx, u)), VG_OK);
    assert_int_equal(out.state, VG_SUBSCRIPTION_CANCELED);
    assert_int_equal(out.period_end, upgrade_at + 31 * DAY);
    assert_string_equal(plan_of(f, u), "pro");
    assert_status(seen(f, vg_subscription_cancel(&out, f->ctx, u)), VG_ESTATE);

    /* Monday 11 January: still pro's week */
    f->now = vg_credits_next_reset(f->now) + HOUR;
    assert_int_equal(balance_of(f, u).subscription, 60);
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_CANCELED);
    assert_string_equal(plan_of(f, u), "pro");

    /* a second before the period's end, and at it */
    f->now = upgrade_at + 31 * DAY - SEC;
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_CANCELED);
    assert_string_equal(plan_of(f, u), "pro");
    f->now = upgrade_at + 31 * DAY;
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_EXPIRED);
    assert_string_equal(plan_of(f, u), "demo");
    assert_int_equal(balance_of(f, u).subscription, 0);

    /* Monday 18 January: demo has no weekly credits */
    f->now = vg_credits_next_reset(f->now) + HOUR;
    assert_int_equal(balance_of(f, u).subscription, 0);
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_EXPIRED);
    assert_string_equal(plan_of(f, u), "demo");
    assert_status(seen(f, vg_subscription_cancel(&out, f->ctx, u)), VG_ESTATE);

    /* Wednesday 20 January: subscribed again, a new start */
    f->now += 2 * DAY;
    buy(f, u, VG_ORDER_SUBSCRIPTION, "starter", "again");
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_int_equal(s.started_at, f->now);
    assert_int_equal(s.period_start, f->now);
    assert_string_equal(plan_of(f, u), "starter");
    assert_int_equal(balance_of(f, u).subscription, 25);
    assert_invariants(f);
}

static void test_a_downgrade_waits_for_the_period_end_and_an_upgrade_must_be_bought(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "demo");
    vg_subscription s, out;
    snapshot before;

    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "starter")), VG_ESTATE);
    buy(f, u, VG_ORDER_SUBSCRIPTION, "pro", "month-1");
    assert_string_equal(plan_of(f, u), "pro");
    before = take(f, 0, u);
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "pro_plus")),
                  VG_EORDER_STATE);
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "pro")), VG_EORDER_STATE);
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "demo")), VG_EPLAN_UNKNOWN);
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "gold")), VG_EPLAN_UNKNOWN);
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, NULL)), VG_EINVAL);
    assert_unchanged(f, &before, 0, u);

    /* the downgrade is scheduled; pro stays */
    f->now += 3 * DAY;
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "starter")), VG_OK);
    assert_int_equal(out.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(out.plan, "pro");
    assert_string_equal(out.next_plan, "starter");
    assert_int_equal(out.period_end, T0_PLUS_1M);
    assert_string_equal(plan_of(f, u), "pro");
    assert_int_equal(balance_of(f, u).subscription, 60);

    /* the renewal's order, for the lower plan, paid two days before the period's end: pro
     * until then, starter from then */
    f->now = T0_PLUS_1M - 2 * DAY;
    buy(f, u, VG_ORDER_SUBSCRIPTION, "starter", "month-2");
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(plan_of(f, u), "pro");
    f->now = T0_PLUS_1M - SEC;
    assert_string_equal(subscription_of(f, u).plan, "pro");
    assert_string_equal(plan_of(f, u), "pro");
    f->now = T0_PLUS_1M + SEC;
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_ACTIVE);
    assert_string_equal(s.plan, "starter");
    assert_string_equal(s.next_plan, "");
    assert_int_equal(s.period_start, T0_PLUS_1M);
    assert_int_equal(s.period_end, T0_PLUS_2M);
    assert_string_equal(plan_of(f, u), "starter");
    assert_true(balance_of(f, u).subscription <= 25);
    f->now = vg_credits_next_reset(f->now) + HOUR;
    assert_int_equal(balance_of(f, u).subscription, 25);
    assert_invariants(f);
}

static void test_a_downgrade_without_a_renewal_ends_at_the_period_end(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "demo");
    vg_subscription out;

    buy(f, u, VG_ORDER_SUBSCRIPTION, "pro_plus", "month-1");
    assert_status(seen(f, vg_subscription_change(&out, f->ctx, u, "starter")), VG_OK);
    assert_string_equal(out.next_plan, "starter");
    f->now = T0_PLUS_1M - SEC;
    assert_string_equal(plan_of(f, u), "pro_plus");
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_ACTIVE);
    f->now = T0_PLUS_1M;
    out = subscription_of(f, u);
    assert_int_equal(out.state, VG_SUBSCRIPTION_EXPIRED);
    assert_string_equal(plan_of(f, u), "demo");
    assert_invariants(f);
}

#define PADDLE_SUBSCRIBERS 101

static void test_maintain_applies_the_period_ends_of_many_subscriptions_once(void **state)
{
    FIXTURE(state);
    int64_t plain = add_user(f, "demo"), cancelled = add_user(f, "demo"),
            renewed = add_user(f, "demo"), paddle[PADDLE_SUBSCRIBERS];
    vg_webhook_result r;
    char body[BODY_SIZE], user[24], event[32];
    int changed = -1, i;

    for (i = 0; i < PADDLE_SUBSCRIBERS; i++) {
        paddle[i] = add_user(f, "demo");
        snprintf(user, sizeof user, "%lld", (long long)paddle[i]);
        snprintf(event, sizeof event, "evt_many_%d", i);
        paddle_sub_body(body, sizeof body, event, "subscription.created", "active", user,
                        i % 2 ? "starter" : "pro", T0, T0_PLUS_1M - i * MINUTE, NULL);
        assert_status(paddle_deliver(f, &r, body), VG_OK);
    }
    buy(f, plain, VG_ORDER_SUBSCRIPTION, "starter", "m1");
    buy(f, cancelled, VG_ORDER_SUBSCRIPTION, "pro", "m1");
    buy(f, renewed, VG_ORDER_SUBSCRIPTION, "starter", "m1");
    assert_status(seen(f, vg_subscription_cancel(NULL, f->ctx, cancelled)), VG_OK);
    f->now = T0_PLUS_1M - DAY;
    buy(f, renewed, VG_ORDER_SUBSCRIPTION, "starter", "m2");

    /* nothing is due yet */
    assert_status(seen(f, vg_subscriptions_maintain(&changed, f->ctx)), VG_OK);
    assert_int_equal(changed, 0);
    assert_string_equal(plan_of(f, paddle[0]), "pro");
    assert_string_equal(plan_of(f, cancelled), "pro");

    f->now = T0_PLUS_1M + MINUTE;
    assert_status(seen(f, vg_subscriptions_maintain(&changed, f->ctx)), VG_OK);
    assert_int_equal(changed, PADDLE_SUBSCRIBERS + 2);
    for (i = 0; i < PADDLE_SUBSCRIBERS; i++)
        assert_string_equal(plan_of(f, paddle[i]), "demo");
    assert_string_equal(plan_of(f, plain), "demo");
    assert_string_equal(plan_of(f, cancelled), "demo");
    assert_string_equal(plan_of(f, renewed), "starter");
    assert_status(seen(f, vg_subscriptions_maintain(&changed, f->ctx)), VG_OK);
    assert_int_equal(changed, 0);
    assert_int_equal(subscription_of(f, paddle[7]).state, VG_SUBSCRIPTION_EXPIRED);
    assert_int_equal(subscription_of(f, renewed).state, VG_SUBSCRIPTION_ACTIVE);

    /* the renewed one's turn comes a month later */
    f->now = T0_PLUS_2M;
    assert_status(seen(f, vg_subscriptions_maintain(&changed, f->ctx)), VG_OK);
    assert_int_equal(changed, 1);
    assert_string_equal(plan_of(f, renewed), "demo");
    assert_status(seen(f, vg_subscriptions_maintain(&changed, f->ctx)), VG_OK);
    assert_int_equal(changed, 0);
    assert_status(seen(f, vg_subscriptions_maintain(NULL, NULL)), VG_EINVAL);
    assert_invariants(f);
}

static void test_a_refunded_subscription_order_ends_the_subscription_now(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "demo");
    vg_order o = buy(f, u, VG_ORDER_SUBSCRIPTION, "pro", "month-1"), refunded, unpaid;
    vg_subscription s;
    snapshot before;
    char body[BODY_SIZE], reply[64];

    assert_string_equal(plan_of(f, u), "pro");
    assert_int_equal(balance_of(f, u).subscription, 60);
    f->now += 2 * DAY;
    assert_status(seen(f, vg_order_refund(&refunded, f->ctx, o.id, "chargeback")), VG_OK);
    assert_int_equal(refunded.state, VG_ORDER_REFUNDED);
    assert_int_equal(order_of(f, o.id).state, VG_ORDER_REFUNDED);
    s = subscription_of(f, u);
    assert_int_equal(s.state, VG_SUBSCRIPTION_EXPIRED);
    assert_int_equal(s.period_end, T0 + 2 * DAY);
    assert_string_equal(plan_of(f, u), "demo");
    assert_int_equal(balance_of(f, u).subscription, 0);

    /* once only; an unpaid order, or one that is not there, cannot be refunded */
    before = take(f, o.id, u);
    assert_status(seen(f, vg_order_refund(&refunded, f->ctx, o.id, "again")), VG_EORDER_STATE);
    unpaid = new_order(f, u, VG_ORDER_SUBSCRIPTION, "pro", "ecpay", "month-2");
    before.orders++;
    assert_status(seen(f, vg_order_refund(&refunded, f->ctx, unpaid.id, "x")), VG_EORDER_STATE);
    assert_status(seen(f, vg_order_refund(&refunded, f->ctx, 424242, "x")), VG_ENOTFOUND);
    assert_status(seen(f, vg_order_refund(&refunded, f->ctx, o.id, NULL)), VG_EINVAL);
    /* the original callback delivered late pays nothing again */
    ecpay_paid_body(f, body, sizeof body, &o);
    assert_true(ecpay_deliver(f, NULL, reply, body) != VG_OK);
    assert_unchanged(f, &before, o.id, u);
    assert_int_equal(order_of(f, unpaid.id).state, VG_ORDER_CREATED);
    assert_invariants(f);
}

/* ==== the sandbox ============================================================================= */

static void test_the_sandbox_pays_orders_through_the_verification_path_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order e, p, s, got;
    vg_balance before;

    f->sandbox = 1;
    reopen(f);
    before = balance_of(f, u);
    e = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "e");
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, e.id)), VG_OK);
    assert_int_equal(got.id, e.id);
    assert_int_equal(got.state, VG_ORDER_FULFILLED);
    assert_int_equal(strncmp(got.provider_ref, "SB", 2), 0); /* the simulated TradeNo */
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 50);
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, e.id)), VG_OK);
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 50);

    p = new_order(f, u, VG_ORDER_PACKAGE, "credits_120", "paddle", "p");
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, p.id)), VG_OK);
    assert_int_equal(got.state, VG_ORDER_FULFILLED);
    assert_int_equal(strncmp(got.provider_ref, "txn_sandbox_", 12), 0);
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 170);
    f->now += MINUTE;
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, p.id)), VG_OK);
    assert_int_equal(balance_of(f, u).purchased, before.purchased + 170);
    assert_int_equal(balance_of(f, u).ledger_seq, before.ledger_seq + 2);

    /* a plan, through the sandbox */
    s = new_order(f, u, VG_ORDER_SUBSCRIPTION, "pro_plus", "ecpay", "s");
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, s.id)), VG_OK);
    assert_string_equal(plan_of(f, u), "pro_plus");
    assert_int_equal(subscription_of(f, u).state, VG_SUBSCRIPTION_ACTIVE);
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, 424242)), VG_ENOTFOUND);
    assert_invariants(f);
}

static void test_the_sandbox_without_keys_uses_its_own(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_order e, p, got;
    vg_ecpay_form form;

    f->sandbox = 1;
    f->no_keys = 1;
    reopen(f);
    e = new_order(f, u, VG_ORDER_PACKAGE, "credits_20", "ecpay", "e");
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, e.id, RETURN_URL, NULL, NULL)), VG_OK);
    assert_string_equal(form.action, STAGE_URL);
    assert_string_equal(field(&form, "MerchantID"), MERCHANT_ID);
    assert_form_signed(&form); /* the stage keys */
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, e.id)), VG_OK);
    assert_int_equal(got.state, VG_ORDER_FULFILLED);
    p = new_order(f, u, VG_ORDER_PACKAGE, "credits_20", "paddle", "p");
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, p.id)), VG_OK);
    assert_int_equal(got.state, VG_ORDER_FULFILLED);
    assert_int_equal(balance_of(f, u).purchased, 40);
    assert_invariants(f);
}

static void test_simulated_payments_are_refused_outside_the_sandbox(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order e = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "e");
    vg_order p = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "p"), got;
    snapshot before = take(f, e.id, u);

    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, e.id)), VG_EUNSUPPORTED);
    assert_status(seen(f, vg_order_simulate_paid(&got, f->ctx, p.id)), VG_EUNSUPPORTED);
    assert_status(seen(f, vg_order_simulate_paid(&got, NULL, p.id)), VG_EINVAL);
    assert_unchanged(f, &before, e.id, u);
    assert_int_equal(order_of(f, p.id).state, VG_ORDER_CREATED);
    assert_invariants(f);
}

/* ==== secrets ================================================================================= */

static void test_no_secret_appears_in_any_message_or_log_line(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "pro");
    vg_order o = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "ecpay", "x1");
    vg_order q = new_order(f, u, VG_ORDER_PACKAGE, "credits_50", "paddle", "x2");
    vg_webhook_result r;
    vg_ecpay_form form;
    char body[BODY_SIZE], reply[64], header[256];
    ecpay_cb cb;
    size_t i;

    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)), VG_OK);
    for (i = 0; i < form.count; i++)
        scan(f, form.fields[i].value);
    /* refusals of every kind */
    cb = (ecpay_cb){o.number, NULL, NULL, NULL, 1, NULL, "wrongHashKey0000", NULL, NULL, NULL};
    ecpay_body(f, body, sizeof body, &cb);
    assert_refused(f, body, VG_ESIGNATURE, NULL);
    cb = (ecpay_cb){o.number, "2000132", NULL, NULL, 206, NULL, NULL, NULL, NULL, NULL};
    ecpay_body(f, body, sizeof body, &cb);
    assert_refused(f, body, VG_EMERCHANT_MISMATCH, NULL);
    cb = (ecpay_cb){o.number, NULL, NULL, NULL, 1, NULL, NULL, NULL, NULL, NULL};
    ecpay_body(f, body, sizeof body, &cb);
    assert_refused(f, body, VG_EAMOUNT_MISMATCH, NULL);
    paddle_txn_body(body, sizeof body, "evt_x", q.number, "USD", 719);
    assert_status(paddle_deliver_as(f, &r, "pdl_ntfset_wrong", now_s(f), body), VG_ESIGNATURE);
    assert_status(paddle_deliver_as(f, &r, PADDLE_SECRET, now_s(f) - 600, body), VG_EREPLAY);
    assert_status(seen(f, vg_paddle_verify(f->ctx, "ts=1;h1=zz", body, strlen(body), NULL, 0)),
                  VG_EINVAL);
    paddle_sign(header, sizeof header, PADDLE_SECRET, now_s(f), body);
    assert_status(seen(f, vg_paddle_verify(f->ctx, header, body, strlen(body), NULL, 0)), VG_OK);
    assert_status(seen(f, vg_paddle_verify(f->ctx, header, body, strlen(body), "other", 0)),
                  VG_ESIGNATURE);
    assert_status(seen(f, vg_order_simulate_paid(NULL, f->ctx, o.id)), VG_EUNSUPPORTED);
    /* and the successes */
    ecpay_paid_body(f, body, sizeof body, &o);
    assert_status(ecpay_deliver(f, NULL, reply, body), VG_OK);
    paddle_txn_body(body, sizeof body, "evt_x", q.number, "USD", 719);
    assert_status(paddle_deliver(f, &r, body), VG_OK);
    /* the sandbox, with its own Paddle secret */
    f->sandbox = 1;
    f->no_keys = 1;
    reopen(f);
    q = new_order(f, u, VG_ORDER_PACKAGE, "credits_20", "paddle", "x3");
    assert_status(seen(f, vg_order_simulate_paid(NULL, f->ctx, q.id)), VG_OK);
    assert_status(paddle_deliver_as(f, &r, "pdl_ntfset_wrong", now_s(f), body), VG_ESIGNATURE);
    /* without merchant settings outside the sandbox */
    f->sandbox = 0;
    reopen(f);
    assert_status(seen(f, vg_ecpay_checkout(&form, f->ctx, o.id, RETURN_URL, NULL, NULL)),
                  VG_ECONFIG);
    assert_status(paddle_deliver(f, &r, body), VG_ECONFIG);

    print_message("%d log lines (%d at DEBUG) and %d messages scanned\n", f->log_lines,
                  f->debug_lines, f->messages_checked);
    assert_true(f->log_lines > 10);
    assert_true(f->messages_checked > 10);
    assert_int_equal(f->leaks, 0);
    f->no_keys = 0;
    reopen(f);
    assert_invariants(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_a_package_costs_the_catalog_price_less_the_plans_discount),
        T(test_usd_orders_through_paddle_use_the_price_table),
        T(test_the_same_key_returns_the_same_order_and_another_request_conflicts),
        T(test_bad_order_requests_change_nothing),
        T(test_the_ecpay_checkout_form_is_complete_and_signed),
        T(test_an_ecpay_checkout_is_refused_for_what_it_cannot_sell),
        T(test_an_ecpay_callback_pays_and_fulfils_the_order),
        T(test_the_same_ecpay_callback_five_times_grants_once),
        T(test_the_same_ecpay_callback_from_two_processes_grants_once),
        T(test_a_forged_or_altered_ecpay_callback_is_refused_and_changes_nothing),
        T(test_an_unpaid_ecpay_result_fails_the_order_and_a_later_payment_pays_it),
        T(test_a_paddle_transaction_completed_fulfils_a_usd_order),
        T(test_the_same_paddle_event_five_times_is_processed_once),
        T(test_the_same_paddle_event_from_two_processes_is_processed_once),
        T(test_a_tampered_stale_or_wrong_paddle_webhook_changes_nothing),
        T(test_paddle_webhooks_verify_under_either_secret_during_a_rotation),
        T(test_paddle_subscription_events_move_the_subscription_and_the_plan),
        T(test_a_subscription_lives_across_weeks_and_months),
        T(test_a_downgrade_waits_for_the_period_end_and_an_upgrade_must_be_bought),
        T(test_a_downgrade_without_a_renewal_ends_at_the_period_end),
        T(test_maintain_applies_the_period_ends_of_many_subscriptions_once),
        T(test_a_refunded_subscription_order_ends_the_subscription_now),
        T(test_the_sandbox_pays_orders_through_the_verification_path_once),
        T(test_the_sandbox_without_keys_uses_its_own),
        T(test_simulated_payments_are_refused_outside_the_sandbox),
        T(test_no_secret_appears_in_any_message_or_log_line),
#undef T
    };
    /* the settings come from each test's configuration, never from the environment */
    static const char *const variables[] = {"ECPAY_MERCHANT_ID",     "ECPAY_HASH_KEY",
                                            "ECPAY_HASH_IV",         "ECPAY_STAGE",
                                            "PADDLE_WEBHOOK_SECRET", "VIDGO_PAYMENTS_SANDBOX"};
    size_t i;
    for (i = 0; i < sizeof variables / sizeof variables[0]; i++)
        unsetenv(variables[i]);
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
