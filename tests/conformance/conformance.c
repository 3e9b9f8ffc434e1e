/* SPDX-License-Identifier: MIT */
/* The storage conformance suite: what every backend must do, run once per backend (the
 * accounts methods of version 3 are in conformance_accounts.c). */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "conformance.h"

const store_target *target;

const char *fresh(const char *label)
{
    static char location[512];
    if (target->fresh_location(location, sizeof location, label) != 0) {
        /* CI sets VIDGO_REQUIRE_PG=1: a server it cannot reach is a failure, not a skip */
        if (store_target_required() && strcmp(target->name, "postgresql") == 0)
            fail_msg("%s (VIDGO_REQUIRE_PG=1)", location);
        print_message("skipped: %s\n", location);
        skip();
    }
    return location;
}

static int open_ctx_flags(vg_ctx **ctx, const char *location, unsigned int flags, int busy_ms)
{
    vg_config config;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = location;
    config.store_backend = target->backend();
    config.flags = flags;
    config.busy_timeout_ms = busy_ms;
    return vg_open(ctx, &config);
}

static vg_ctx *open_ctx(const char *location)
{
    vg_ctx *ctx = NULL;
    if (open_ctx_flags(&ctx, location, VG_OPEN_CREATE, 0) != VG_OK)
        fail_msg("vg_open(%s): %s", location, vg_error_last());
    return ctx;
}

vg_store_conn *connect_raw(const char *location, int busy_ms)
{
    vg_store_params params = {VG_STORE_PARAMS_VERSION, location, VG_OPEN_CREATE, busy_ms, NULL, NULL};
    vg_store_conn *conn = NULL;
    char err[256];
    if (target->backend()->connect(&conn, &params, err, sizeof err) != VG_OK)
        fail_msg("connect(%s): %s", location, err);
    return conn;
}

/* --- small transaction bodies -------------------------------------------------------- */

typedef struct kv {
    const char *key;
    const char *value;
    char *read; /* what a read found (caller frees) */
    int status;
} kv;

static int put_body(vg__txn *txn, void *payload)
{
    kv *p = payload;
    return vg__meta_put(txn, p->key, p->value);
}

static int get_body(vg__txn *txn, void *payload)
{
    kv *p = payload;
    p->read = NULL;
    p->status = vg__meta_get(txn, &p->read, p->key, 0);
    return VG_OK;
}

static int put_then_cancel_body(vg__txn *txn, void *payload)
{
    int rc = put_body(txn, payload);
    if (rc == VG_OK)
        rc = vg__event_append(txn, "test.cancelled", "must not survive");
    return rc == VG_OK ? VG_ECANCELLED : rc;
}

/* Reads key through ctx; returns its value (caller frees) or NULL if absent. */
static char *read_key(vg_ctx *ctx, const char *key)
{
    kv p = {key, NULL, NULL, 0};
    assert_int_equal(vg__txn_run(ctx, VG_TXN_READ, get_body, &p), VG_OK);
    if (p.status == VG_ENOTFOUND)
        return NULL;
    assert_int_equal(p.status, VG_OK);
    return p.read;
}

static void write_key(vg_ctx *ctx, const char *key, const char *value)
{
    kv p = {key, value, NULL, 0};
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, put_body, &p), VG_OK);
}

typedef struct journal {
    int count;
    char kinds[16][32];
    char details[16][96];
    int64_t ids[16];
} journal;

static int collect_event(int64_t id, vg_time at, const char *kind, const char *detail, void *payload)
{
    journal *j = payload;
    (void)at;
    if (j->count < 16) {
        j->ids[j->count] = id;
        snprintf(j->kinds[j->count], sizeof j->kinds[0], "%s", kind);
        snprintf(j->details[j->count], sizeof j->details[0], "%s", detail);
    }
    j->count++;
    return 0;
}

/* How many events of a kind a journal holds; opening a store may add events of its own
 * (such as the seeding of the catalog), so tests look for the kinds they mean. */
static int count_kind(const journal *j, const char *kind)
{
    int i, n = 0;
    for (i = 0; i < j->count && i < 16; i++)
        n += strcmp(j->kinds[i], kind) == 0;
    return n;
}

static int find_kind(const journal *j, const char *kind)
{
    int i;
    for (i = 0; i < j->count && i < 16; i++)
        if (strcmp(j->kinds[i], kind) == 0)
            return i;
    return -1;
}

/* --- schema -------------------------------------------------------------------------- */

static void test_an_empty_store_migrates_to_the_latest_schema(void **state)
{
    const char *location = fresh("empty");
    const vg_store_backend *b = target->backend();
    vg_store_conn *conn = connect_raw(location, 1000);
    journal j = {0};
    vg_ctx *ctx;
    int version = -1;
    (void)state;
    assert_int_equal(b->begin(conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->schema_get(&version, conn), VG_OK);
    assert_int_equal(version, 0);
    assert_int_equal(b->rollback(conn), VG_OK);
    b->disconnect(conn);

    ctx = open_ctx(location);
    assert_int_equal(vg_store_schema_version(&version, ctx), VG_OK);
    assert_int_equal(version, VG_STORE_SCHEMA_VERSION);
    assert_int_equal(vg_store_events(ctx, 0, 100, collect_event, &j), VG_OK);
    assert_string_equal(j.kinds[0], "store.created");
    assert_int_equal(count_kind(&j, "store.created"), 1);
    assert_int_equal(count_kind(&j, "schema.migrated"), 0);
    vg_close(ctx);
}

static void test_an_older_schema_is_upgraded_and_keeps_its_data(void **state)
{
    const char *location = fresh("older");
    const vg_store_backend *b = target->backend();
    vg_store_conn *conn = connect_raw(location, 1000);
    journal j = {0};
    vg_ctx *ctx;
    char *value, expected[32];
    int version;
    (void)state;
    assert_int_equal(b->begin(conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->schema_step(conn, 1, 0), VG_OK);
    assert_int_equal(b->meta_put(conn, "greeting", "héllo 世界"), VG_OK);
    assert_int_equal(b->commit(conn), VG_OK);
    assert_int_equal(b->begin(conn, VG_TXN_READ), VG_OK);
    assert_int_equal(b->schema_get(&version, conn), VG_OK);
    assert_int_equal(version, 1);
    assert_int_equal(b->commit(conn), VG_OK);
    b->disconnect(conn);

    ctx = open_ctx(location);
    assert_int_equal(vg_store_schema_version(&version, ctx), VG_OK);
    assert_int_equal(version, VG_STORE_SCHEMA_VERSION);
    value = read_key(ctx, "greeting");
    assert_string_equal(value, "héllo 世界");
    free(value);
    assert_int_equal(vg_store_events(ctx, 0, 100, collect_event, &j), VG_OK);
    assert_int_equal(count_kind(&j, "schema.migrated"), 1);
    assert_int_equal(count_kind(&j, "store.created"), 0);
    snprintf(expected, sizeof expected, "1 -> %d", VG_STORE_SCHEMA_VERSION);
    assert_non_null(strstr(j.details[find_kind(&j, "schema.migrated")], expected));
    vg_close(ctx);
}

static int migrate_down_body(vg__txn *txn, void *payload)
{
    return vg__schema_migrate(txn, *(int *)payload);
}

static void test_a_store_newer_than_the_library_is_refused(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("newer"));
    int older_library = VG_STORE_SCHEMA_VERSION - 1, version;
    (void)state;
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, migrate_down_body, &older_library),
                     VG_ESTORE_VERSION);
    assert_non_null(strstr(vg_error_last(), "newer"));
    assert_int_equal(vg_store_schema_version(&version, ctx), VG_OK);
    assert_int_equal(version, VG_STORE_SCHEMA_VERSION);
    vg_close(ctx);
}

static void test_schema_step_refuses_an_unknown_version(void **state)
{
    const vg_store_backend *b = target->backend();
    vg_store_conn *conn = connect_raw(fresh("unknown-step"), 1000);
    (void)state;
    assert_int_equal(b->begin(conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->schema_step(conn, VG_STORE_SCHEMA_VERSION + 1, 0), VG_EUNSUPPORTED);
    assert_int_equal(b->schema_step(conn, 0, 0), VG_EUNSUPPORTED);
    assert_true(strlen(b->errmsg(conn)) > 0);
    assert_int_equal(b->rollback(conn), VG_OK);
    b->disconnect(conn);
}

/* --- transactions -------------------------------------------------------------------- */

static void test_a_commit_is_seen_by_another_context(void **state)
{
    const char *location = fresh("commit");
    vg_ctx *writer = open_ctx(location), *reader = open_ctx(location);
    char *value;
    (void)state;
    assert_null(read_key(reader, "k"));
    write_key(writer, "k", "v1");
    value = read_key(reader, "k");
    assert_string_equal(value, "v1");
    free(value);
    vg_close(writer);
    vg_close(reader);
}

static void test_a_failed_body_rolls_everything_back(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("rollback"));
    kv p = {"k", "never", NULL, 0};
    journal j = {0};
    (void)state;
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, put_then_cancel_body, &p), VG_ECANCELLED);
    assert_null(read_key(ctx, "k"));
    assert_int_equal(vg_store_events(ctx, 0, 100, collect_event, &j), VG_OK);
    assert_int_equal(count_kind(&j, "test.cancelled"), 0);
    vg_close(ctx);
}

static int flaky_body(vg__txn *txn, void *payload)
{
    int *calls = payload;
    kv p = {"flaky", "done", NULL, 0};
    if (++*calls < 3)
        return VG_EBUSY;
    return put_body(txn, &p);
}

static int always_conflicting_body(vg__txn *txn, void *payload)
{
    (void)txn;
    ++*(int *)payload;
    return VG_ECONFLICT;
}

static void test_conflicts_are_retried_a_bounded_number_of_times(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("retry"));
    int calls = 0;
    char *value;
    (void)state;
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, flaky_body, &calls), VG_OK);
    assert_int_equal(calls, 3);
    value = read_key(ctx, "flaky");
    assert_string_equal(value, "done");
    free(value);
    calls = 0;
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, always_conflicting_body, &calls), VG_ECONFLICT);
    assert_int_equal(calls, VG__TXN_MAX_ATTEMPTS);
    vg_close(ctx);
}

static void test_a_locked_row_blocks_a_second_writer_until_commit(void **state)
{
    const char *location = fresh("lock");
    const vg_store_backend *b = target->backend();
    vg_ctx *ctx = open_ctx(location); /* creates the schema */
    vg_store_conn *first = connect_raw(location, 200), *second = connect_raw(location, 200);
    char *value = NULL;
    int rc;
    (void)state;
    write_key(ctx, "row", "0");
    assert_int_equal(b->begin(first, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->meta_get(&value, first, "row", 1), VG_OK);
    free(value);
    rc = b->begin(second, VG_TXN_WRITE);
    if (rc == VG_OK) {
        rc = b->meta_get(&value, second, "row", 1);
        b->rollback(second);
    }
    assert_int_equal(rc, VG_EBUSY);
    assert_int_equal(b->commit(first), VG_OK);
    assert_int_equal(b->begin(second, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->meta_get(&value, second, "row", 1), VG_OK);
    free(value);
    assert_int_equal(b->commit(second), VG_OK);
    b->disconnect(first);
    b->disconnect(second);
    vg_close(ctx);
}

static void test_a_read_only_context_refuses_writes(void **state)
{
    const char *location = fresh("readonly");
    vg_ctx *ctx = open_ctx(location), *ro;
    kv p = {"k", "v", NULL, 0};
    char *value;
    (void)state;
    write_key(ctx, "k", "before");
    vg_close(ctx);
    assert_int_equal(open_ctx_flags(&ro, location, VG_OPEN_READONLY, 0), VG_OK);
    assert_int_equal(vg__txn_run(ro, VG_TXN_WRITE, put_body, &p), VG_ESTORE_READONLY);
    value = read_key(ro, "k");
    assert_string_equal(value, "before");
    free(value);
    vg_close(ro);
}

/* --- records ------------------------------------------------------------------------- */

static int delete_body(vg__txn *txn, void *payload)
{
    return vg__meta_delete(txn, payload);
}

static void test_meta_values_round_trip_and_delete(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("meta"));
    size_t big_size = 1 << 20;
    char *big = malloc(big_size + 1), *value;
    (void)state;
    memset(big, 'x', big_size);
    big[big_size] = '\0';
    write_key(ctx, "a", "1");
    write_key(ctx, "a", "2"); /* replaces */
    write_key(ctx, "empty", "");
    write_key(ctx, "utf8", "ＶｉｄＧｏ 비디오 vídeo 影片");
    write_key(ctx, "big", big);
    value = read_key(ctx, "a");
    assert_string_equal(value, "2");
    free(value);
    value = read_key(ctx, "empty");
    assert_string_equal(value, "");
    free(value);
    value = read_key(ctx, "utf8");
    assert_string_equal(value, "ＶｉｄＧｏ 비디오 vídeo 影片");
    free(value);
    value = read_key(ctx, "big");
    assert_int_equal(strlen(value), big_size);
    free(value);
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, delete_body, "a"), VG_OK);
    assert_null(read_key(ctx, "a"));
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, delete_body, "a"), VG_ENOTFOUND);
    free(big);
    vg_close(ctx);
}

static int append_events_body(vg__txn *txn, void *payload)
{
    char detail[32];
    int i, rc = VG_OK;
    for (i = 0; i < *(int *)payload && rc == VG_OK; i++) {
        snprintf(detail, sizeof detail, "event %d", i);
        rc = vg__event_append(txn, "test.event", detail);
    }
    return rc;
}

static int stop_after_three(int64_t id, vg_time at, const char *kind, const char *detail,
                            void *payload)
{
    collect_event(id, at, kind, detail, payload);
    return ((journal *)payload)->count == 3;
}

static void test_events_are_ordered_and_paged(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("events"));
    int n = 25, i;
    journal before = {0}, page1 = {0}, page2 = {0}, stopped = {0};
    (void)state;
    assert_int_equal(vg_store_events(ctx, 0, 16, collect_event, &before), VG_OK);
    assert_string_equal(before.kinds[0], "store.created");
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, append_events_body, &n), VG_OK);
    assert_int_equal(vg_store_events(ctx, before.ids[before.count - 1], 10, collect_event, &page1),
                     VG_OK);
    assert_int_equal(page1.count, 10);
    assert_string_equal(page1.details[0], "event 0");
    for (i = 1; i < 10; i++)
        assert_true(page1.ids[i] > page1.ids[i - 1]);
    assert_int_equal(vg_store_events(ctx, page1.ids[9], 10, collect_event, &page2), VG_OK);
    assert_int_equal(page2.count, 10);
    assert_true(page2.ids[0] > page1.ids[9]);
    assert_string_equal(page2.details[0], "event 10");
    assert_int_equal(vg_store_events(ctx, 0, 100, stop_after_three, &stopped), VG_OK);
    assert_int_equal(stopped.count, 3);
    vg_close(ctx);
}

static void test_check_passes_on_a_healthy_store(void **state)
{
    vg_ctx *ctx = open_ctx(fresh("check"));
    size_t problems = 99;
    (void)state;
    assert_int_equal(vg_check(&problems, ctx, NULL, NULL), VG_OK);
    assert_int_equal(problems, 0);
    vg_close(ctx);
}

/* --- records of version 2, through the backend's methods ------------------------------ */

raw_store raw_begin(const char *label)
{
    const char *location = fresh(label);
    raw_store s;
    snprintf(s.location, sizeof s.location, "%s", location);
    s.ctx = open_ctx(location);
    s.b = target->backend();
    s.conn = connect_raw(location, 1000);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    return s;
}

void raw_reopen_for_reading(raw_store *s)
{
    assert_int_equal(s->b->commit(s->conn), VG_OK);
    assert_int_equal(s->b->begin(s->conn, VG_TXN_READ), VG_OK);
}

void raw_end(raw_store *s)
{
    assert_int_equal(s->b->commit(s->conn), VG_OK);
    s->b->disconnect(s->conn);
    vg_close(s->ctx);
}

/* Display names in every slot: non-ASCII, one filling its slot (63 bytes), one ending in a
 * four-byte character. */
static void fill_display_names(char (*names)[VG_DISPLAY_NAME_SIZE], const char *name)
{
    static const char *const base[VG_LANG_COUNT] = {"Pro", "プロ", "專業版", "프로",
                                                    "Pro ñ 🎬"};
    size_t i;
    for (i = 0; i < VG_LANG_COUNT; i++)
        snprintf(names[i], VG_DISPLAY_NAME_SIZE, "%s %s", base[i], name);
    memset(names[1], 'x', VG_DISPLAY_NAME_SIZE - 1);
    names[1][VG_DISPLAY_NAME_SIZE - 1] = '\0';
}

static vg_plan make_plan(const char *name, int rank)
{
    vg_plan p;
    memset(&p, 0, sizeof p);
    p.version = VG_PLAN_VERSION;
    snprintf(p.name, sizeof p.name, "%s", name);
    p.rank = rank;
    p.price_twd = 1000 + rank;
    p.weekly_credits = 10 + rank;
    p.free_uses = 2;
    p.topup_discount_pct = 15;
    p.max_resolution = 2160;
    p.max_fps = 60;
    p.watermark = 1;
    p.priority_queue = 1;
    p.effects = 1;
    p.paid = 1;
    p.active = 1;
    fill_display_names(p.display_name, name);
    return p;
}

static vg_service make_service(const char *name, const char *min_plan)
{
    vg_service s;
    memset(&s, 0, sizeof s);
    s.version = VG_SERVICE_VERSION;
    snprintf(s.name, sizeof s.name, "%s", name);
    s.kind = VG_SERVICE_EFFECT;
    s.credits = 7;
    s.api_cost_micro_usd = 123456789012;
    snprintf(s.min_plan, sizeof s.min_plan, "%s", min_plan);
    s.subscribers_only = 1;
    s.resolution = 1080;
    s.max_duration_s = 10;
    snprintf(s.provider, sizeof s.provider, "runway");
    s.internal = 1;
    s.active = 1;
    fill_display_names(s.display_name, name);
    return s;
}

static vg_package make_package(const char *name, int64_t credits)
{
    vg_package p;
    memset(&p, 0, sizeof p);
    p.version = VG_PACKAGE_VERSION;
    snprintf(p.name, sizeof p.name, "%s", name);
    p.credits = credits;
    p.price_twd = credits * 3;
    p.active = 1;
    fill_display_names(p.display_name, name);
    return p;
}

/* Names met by a list call, in order; it stops the listing after stop_after (0: never). */
typedef struct names {
    int count, stop_after;
    char items[16][VG_NAME_SIZE];
} names;

static int note_name(names *n, const char *name)
{
    if (n->count < 16)
        snprintf(n->items[n->count], VG_NAME_SIZE, "%s", name);
    n->count++;
    return n->stop_after && n->count >= n->stop_after;
}

static int note_plan(const vg_plan *plan, void *payload)
{
    return note_name(payload, plan->name);
}

static int note_service(const vg_service *service, void *payload)
{
    return note_name(payload, service->name);
}

static int note_package(const vg_package *package, void *payload)
{
    return note_name(payload, package->name);
}

/* Where a name stands in a listing (-1: absent); stores may hold other, seeded records. */
static int position(const names *n, const char *name)
{
    int i;
    for (i = 0; i < n->count && i < 16; i++)
        if (strcmp(n->items[i], name) == 0)
            return i;
    return -1;
}

static void assert_in_order(const names *n, const char *a, const char *b, const char *c)
{
    assert_true(position(n, a) >= 0);
    assert_true(position(n, a) < position(n, b));
    assert_true(position(n, b) < position(n, c));
}

static void test_catalog_records_round_trip_replace_and_list_in_order(void **state)
{
    raw_store s = raw_begin("catalog");
    vg_plan pro = make_plan("zz_pro", 30), basic = make_plan("zz_basic", 20), plan;
    vg_plan starter = make_plan("zz_starter", 20), demo = make_plan("zz_demo", 10);
    vg_service effects = make_service("zz_effects", "zz_pro");
    vg_service video = make_service("zz_a", "zz_demo");
    vg_package p100 = make_package("zz_p100", 100), p50 = make_package("zz_p50", 50);
    vg_package b50 = make_package("zz_b50", 50), package;
    vg_service service;
    names plans = {0}, services = {0}, packages = {0}, stopped = {0, 1, {{0}}};
    (void)state;
    memset(demo.display_name[VG_LANG_COUNT - 1], 0, VG_DISPLAY_NAME_SIZE); /* a missing part */
    assert_int_equal(s.b->plan_put(s.conn, &pro), VG_OK);
    assert_int_equal(s.b->plan_put(s.conn, &starter), VG_OK);
    assert_int_equal(s.b->plan_put(s.conn, &demo), VG_OK);
    assert_int_equal(s.b->plan_put(s.conn, &basic), VG_OK);
    pro.price_twd = 2990; /* replaces by name */
    snprintf(pro.display_name[2], VG_DISPLAY_NAME_SIZE, "專業加強版");
    assert_int_equal(s.b->plan_put(s.conn, &pro), VG_OK);
    assert_int_equal(s.b->service_put(s.conn, &effects), VG_OK);
    assert_int_equal(s.b->service_put(s.conn, &video), VG_OK);
    video.kind = VG_SERVICE_VIDEO;
    assert_int_equal(s.b->service_put(s.conn, &video), VG_OK);
    assert_int_equal(s.b->package_put(s.conn, &p100), VG_OK);
    assert_int_equal(s.b->package_put(s.conn, &p50), VG_OK);
    assert_int_equal(s.b->package_put(s.conn, &b50), VG_OK);
    raw_reopen_for_reading(&s);

    assert_int_equal(s.b->plan_get(&plan, s.conn, "zz_pro"), VG_OK);
    assert_memory_equal(&plan, &pro, sizeof plan); /* every field, all five names */
    assert_string_equal(plan.display_name[2], "專業加強版");
    assert_int_equal(strlen(plan.display_name[1]), VG_DISPLAY_NAME_SIZE - 1);
    assert_int_equal(s.b->plan_get(&plan, s.conn, "zz_demo"), VG_OK);
    assert_memory_equal(&plan, &demo, sizeof plan);
    assert_string_equal(plan.display_name[VG_LANG_COUNT - 1], "");
    assert_int_equal(s.b->service_get(&service, s.conn, "zz_a"), VG_OK);
    assert_memory_equal(&service, &video, sizeof service);
    assert_int_equal(s.b->package_get(&package, s.conn, "zz_b50"), VG_OK);
    assert_memory_equal(&package, &b50, sizeof package);
    assert_int_equal(s.b->plan_get(&plan, s.conn, "zz_none"), VG_ENOTFOUND);
    assert_int_equal(s.b->service_get(&service, s.conn, "zz_none"), VG_ENOTFOUND);
    assert_int_equal(s.b->package_get(&package, s.conn, "zz_none"), VG_ENOTFOUND);

    assert_int_equal(s.b->plans_list(s.conn, note_plan, &plans), VG_OK);
    assert_in_order(&plans, "zz_demo", "zz_basic", "zz_starter"); /* by rank, then name */
    assert_true(position(&plans, "zz_starter") < position(&plans, "zz_pro"));
    assert_int_equal(s.b->services_list(s.conn, note_service, &services), VG_OK);
    assert_true(position(&services, "zz_a") >= 0);
    assert_true(position(&services, "zz_a") < position(&services, "zz_effects"));
    assert_int_equal(s.b->packages_list(s.conn, note_package, &packages), VG_OK);
    assert_in_order(&packages, "zz_b50", "zz_p50", "zz_p100"); /* by credits, then name */
    assert_int_equal(s.b->plans_list(s.conn, note_plan, &stopped), VG_OK);
    assert_int_equal(stopped.count, 1);
    raw_end(&s);
}

static vg_user make_user(const char *email, const char *plan)
{
    vg_user u;
    memset(&u, 0, sizeof u);
    u.version = VG_USER_VERSION;
    u.id = 999; /* ignored: the store assigns ids */
    snprintf(u.email, sizeof u.email, "%s", email);
    snprintf(u.plan, sizeof u.plan, "%s", plan);
    u.verified = 1;
    u.active = 1;
    u.created_at = 1700000000123;
    return u;
}

int64_t add_user(raw_store *s, const char *email)
{
    vg_plan plan = make_plan("zz_demo", 0);
    vg_user user = make_user(email, "zz_demo");
    int64_t id = 0;
    assert_int_equal(s->b->plan_put(s->conn, &plan), VG_OK);
    assert_int_equal(s->b->user_insert(&id, s->conn, &user), VG_OK);
    assert_true(id > 0);
    return id;
}

typedef struct users_seen {
    int count;
    int64_t ids[16];
} users_seen;

static int note_user(const vg_user *user, void *payload)
{
    users_seen *seen = payload;
    if (seen->count < 16)
        seen->ids[seen->count] = user->id;
    seen->count++;
    return 0;
}

static void test_users_are_numbered_found_refused_twice_and_paged(void **state)
{
    raw_store s = raw_begin("users");
    vg_user ana = make_user("ana@example.com", "zz_demo");
    vg_user bo = make_user("bö@例え.jp", "zz_demo");
    vg_user read;
    vg_plan pro = make_plan("zz_pro", 30);
    users_seen page1 = {0}, page2 = {0}, page3 = {0};
    int64_t ids[5];
    char email[32];
    int i;
    (void)state;
    ids[0] = add_user(&s, "first@example.com");
    assert_int_equal(s.b->user_insert(&ids[1], s.conn, &ana), VG_OK);
    assert_int_equal(s.b->user_insert(&ids[2], s.conn, &bo), VG_OK);
    assert_true(ids[1] > ids[0] && ids[2] > ids[1]);
    assert_int_equal(s.b->user_insert(NULL, s.conn, &ana), VG_EEMAIL_TAKEN);
    ana.id = ids[1];
    assert_int_equal(s.b->user_get(&read, s.conn, ids[1], 1), VG_OK);
    assert_memory_equal(&read, &ana, sizeof read);
    bo.id = ids[2];
    assert_int_equal(s.b->user_find(&read, s.conn, "bö@例え.jp"), VG_OK);
    assert_memory_equal(&read, &bo, sizeof read);
    assert_int_equal(s.b->user_find(&read, s.conn, "BÖ@例え.jp"), VG_ENOTFOUND); /* exact */
    assert_int_equal(s.b->user_get(&read, s.conn, ids[2] + 100, 0), VG_ENOTFOUND);

    assert_int_equal(s.b->plan_put(s.conn, &pro), VG_OK);
    assert_int_equal(s.b->user_set_plan(s.conn, ids[1], "zz_pro"), VG_OK);
    assert_int_equal(s.b->user_get(&read, s.conn, ids[1], 0), VG_OK);
    assert_string_equal(read.plan, "zz_pro");
    assert_int_equal(s.b->user_set_plan(s.conn, ids[2] + 100, "zz_pro"), VG_ENOTFOUND);
    assert_int_equal(s.b->user_set_plan(s.conn, ids[1], "zz_none"), VG_ECONSTRAINT);

    for (i = 3; i < 5; i++) {
        snprintf(email, sizeof email, "user%d@example.com", i);
        ana = make_user(email, "zz_demo");
        assert_int_equal(s.b->user_insert(&ids[i], s.conn, &ana), VG_OK);
    }
    assert_int_equal(s.b->users_list(s.conn, ids[0] - 1, 2, note_user, &page1), VG_OK);
    assert_int_equal(page1.count, 2);
    assert_true(page1.ids[0] == ids[0] && page1.ids[1] == ids[1]);
    assert_int_equal(s.b->users_list(s.conn, page1.ids[1], 2, note_user, &page2), VG_OK);
    assert_int_equal(page2.count, 2);
    assert_true(page2.ids[0] == ids[2] && page2.ids[1] == ids[3]);
    assert_int_equal(s.b->users_list(s.conn, page2.ids[1], 2, note_user, &page3), VG_OK);
    assert_int_equal(page3.count, 1);
    assert_true(page3.ids[0] == ids[4]);
    raw_end(&s);
}

static void test_a_wallet_round_trips_with_its_chain_hash(void **state)
{
    raw_store s = raw_begin("wallet");
    vg_store_wallet wallet, read;
    size_t i;
    (void)state;
    memset(&wallet, 0, sizeof wallet);
    wallet.user_id = add_user(&s, "wallet@example.com");
    assert_int_equal(s.b->wallet_get(&read, s.conn, wallet.user_id, 1), VG_ENOTFOUND);
    wallet.subscription = 11;
    wallet.purchased = 5000000000;
    wallet.bonus = 13;
    wallet.held = 14;
    wallet.free_uses = 2;
    wallet.free_uses_held = 1;
    wallet.week_start = 1700438400;
    wallet.last_seq = 17;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        wallet.last_hash[i] = (unsigned char)(i * 37); /* 0x00 first, and bytes >= 0x80 */
    assert_int_equal(s.b->wallet_put(s.conn, &wallet), VG_OK);
    assert_int_equal(s.b->wallet_get(&read, s.conn, wallet.user_id, 0), VG_OK);
    assert_memory_equal(&read, &wallet, sizeof read);
    wallet.subscription = 0; /* replaces */
    wallet.last_seq = 18;
    wallet.last_hash[31] ^= 0xff;
    assert_int_equal(s.b->wallet_put(s.conn, &wallet), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->wallet_get(&read, s.conn, wallet.user_id, 0), VG_OK);
    assert_memory_equal(&read, &wallet, sizeof read);
    raw_end(&s);
}

typedef struct lots_seen {
    int count;
    vg_store_lot lots[16];
} lots_seen;

static int note_lot(const vg_store_lot *lot, void *payload)
{
    lots_seen *seen = payload;
    if (seen->count < 16)
        seen->lots[seen->count] = *lot;
    seen->count++;
    return 0;
}

static vg_store_lot make_lot(int64_t user_id, int64_t remaining, vg_time expires_at)
{
    vg_store_lot lot;
    memset(&lot, 0, sizeof lot);
    lot.user_id = user_id;
    lot.amount = remaining + 100;
    lot.remaining = remaining;
    lot.granted_at = 1000;
    lot.expires_at = expires_at;
    return lot;
}

static void test_bonus_lots_list_unspent_ones_earliest_expiry_first(void **state)
{
    raw_store s = raw_begin("lots");
    int64_t user = add_user(&s, "lots@example.com"), other = add_user(&s, "other@example.com");
    vg_store_lot lots[5], read;
    vg_time expiry[5] = {3000, 1000, 2000, 1000, 500};
    int64_t ids[5], other_id;
    lots_seen seen = {0};
    int i;
    (void)state;
    for (i = 0; i < 5; i++) {
        lots[i] = make_lot(user, 10 + i, expiry[i]);
        assert_int_equal(s.b->lot_insert(&ids[i], s.conn, &lots[i]), VG_OK);
        lots[i].id = ids[i];
    }
    lots[0] = make_lot(other, 99, 1);
    assert_int_equal(s.b->lot_insert(&other_id, s.conn, &lots[0]), VG_OK);
    lots[0] = make_lot(user, 10, expiry[0]);
    lots[0].id = ids[0];
    assert_int_equal(s.b->lot_update(s.conn, ids[4], 0), VG_OK); /* spent: no longer listed */
    assert_int_equal(s.b->lot_update(s.conn, ids[2], 1), VG_OK);
    lots[2].remaining = 1;
    assert_int_equal(s.b->lot_update(s.conn, other_id + 100, 1), VG_ENOTFOUND);
    assert_int_equal(s.b->lot_get(&read, s.conn, ids[4]), VG_OK);
    assert_int_equal(read.remaining, 0);
    assert_int_equal(s.b->lot_get(&read, s.conn, ids[2]), VG_OK);
    assert_memory_equal(&read, &lots[2], sizeof read);
    assert_int_equal(s.b->lot_get(&read, s.conn, other_id + 100), VG_ENOTFOUND);

    assert_int_equal(s.b->lots_list(s.conn, user, note_lot, &seen), VG_OK);
    assert_int_equal(seen.count, 4);
    assert_memory_equal(&seen.lots[0], &lots[1], sizeof read); /* 1000, the lower id */
    assert_memory_equal(&seen.lots[1], &lots[3], sizeof read); /* 1000 */
    assert_memory_equal(&seen.lots[2], &lots[2], sizeof read); /* 2000 */
    assert_memory_equal(&seen.lots[3], &lots[0], sizeof read); /* 3000 */
    raw_end(&s);
}

typedef struct holds_seen {
    int count;
    vg_store_hold holds[8];
    vg_store_hold_part parts[8];
} holds_seen;

static int note_hold(const vg_store_hold *hold, void *payload)
{
    holds_seen *seen = payload;
    if (seen->count < 8)
        seen->holds[seen->count] = *hold;
    seen->count++;
    return 0;
}

static int note_part(const vg_store_hold_part *part, void *payload)
{
    holds_seen *seen = payload;
    if (seen->count < 8)
        seen->parts[seen->count] = *part;
    seen->count++;
    return 0;
}

static vg_store_hold make_hold(int64_t user_id, vg_time expires_at)
{
    vg_store_hold h;
    memset(&h, 0, sizeof h);
    h.user_id = user_id;
    snprintf(h.service, sizeof h.service, "video_720p");
    snprintf(h.reference, sizeof h.reference, "job-%lld ü", (long long)expires_at);
    h.price = 12;
    h.from_bonus = 5;
    h.from_subscription = 4;
    h.from_purchased = 3;
    h.free_use = 1;
    h.state = VG_HOLD_OPEN;
    h.created_at = 100;
    h.expires_at = expires_at;
    h.week_start = 1700438400;
    return h;
}

static void test_holds_and_their_parts_round_trip_and_open_ones_list_by_expiry(void **state)
{
    raw_store s = raw_begin("holds");
    int64_t user = add_user(&s, "holds@example.com"), lot_ids[2];
    vg_store_hold holds[4], read;
    vg_store_hold_part part;
    vg_store_lot lot = make_lot(user, 50, 9000);
    vg_time expiry[4] = {300, 100, 200, 100};
    holds_seen open = {0}, parts = {0};
    int i;
    (void)state;
    for (i = 0; i < 4; i++) {
        holds[i] = make_hold(user, expiry[i]);
        assert_int_equal(s.b->hold_insert(&holds[i].id, s.conn, &holds[i]), VG_OK);
    }
    holds[1].state = VG_HOLD_CAPTURED;
    holds[1].forfeited = 2;
    holds[1].settled_at = 150;
    holds[1].price = 999; /* hold_update writes only state, forfeited and settled_at */
    assert_int_equal(s.b->hold_update(s.conn, &holds[1]), VG_OK);
    holds[1].price = 12;
    assert_int_equal(s.b->hold_get(&read, s.conn, holds[1].id, 1), VG_OK);
    assert_memory_equal(&read, &holds[1], sizeof read);
    read.id = holds[3].id + 100;
    assert_int_equal(s.b->hold_update(s.conn, &read), VG_ENOTFOUND);
    assert_int_equal(s.b->hold_get(&read, s.conn, holds[3].id + 100, 0), VG_ENOTFOUND);

    assert_int_equal(s.b->holds_list_open(s.conn, user, note_hold, &open), VG_OK);
    assert_int_equal(open.count, 3);
    assert_memory_equal(&open.holds[0], &holds[3], sizeof read); /* 100 (holds[1] captured) */
    assert_memory_equal(&open.holds[1], &holds[2], sizeof read); /* 200 */
    assert_memory_equal(&open.holds[2], &holds[0], sizeof read); /* 300 */

    for (i = 0; i < 2; i++)
        assert_int_equal(s.b->lot_insert(&lot_ids[i], s.conn, &lot), VG_OK);
    part = (vg_store_hold_part){holds[0].id, lot_ids[1], 3};
    assert_int_equal(s.b->hold_part_insert(s.conn, &part), VG_OK);
    part = (vg_store_hold_part){holds[0].id, lot_ids[0], 2};
    assert_int_equal(s.b->hold_part_insert(s.conn, &part), VG_OK);
    part = (vg_store_hold_part){holds[2].id, lot_ids[0], 4};
    assert_int_equal(s.b->hold_part_insert(s.conn, &part), VG_OK);
    assert_int_equal(s.b->hold_parts_list(s.conn, holds[0].id, note_part, &parts), VG_OK);
    assert_int_equal(parts.count, 2);
    assert_true(parts.parts[0].hold_id == holds[0].id && parts.parts[1].hold_id == holds[0].id);
    assert_true(parts.parts[0].lot_id + parts.parts[1].lot_id == lot_ids[0] + lot_ids[1]);
    assert_int_equal(parts.parts[0].amount + parts.parts[1].amount, 5);
    raw_end(&s);
}

typedef struct ledger_seen {
    int count;
    vg_store_ledger_row rows[8];
} ledger_seen;

static int note_row(const vg_store_ledger_row *row, void *payload)
{
    ledger_seen *seen = payload;
    if (seen->count < 8)
        seen->rows[seen->count] = *row;
    seen->count++;
    return 0;
}

/* A row whose every field differs from its neighbours' and from the other fields. */
static vg_store_ledger_row make_row(int64_t user_id, int64_t seq)
{
    vg_store_ledger_row r;
    int64_t base = seq * 100;
    size_t i;
    memset(&r, 0, sizeof r);
    r.user_id = user_id;
    r.seq = seq;
    r.at = base + 1;
    r.effective_at = base + 2;
    r.type = VG_LEDGER_DEBIT;
    r.amount = -(base + 3);
    r.bonus = base + 4;
    r.subscription = base + 5;
    r.purchased = base + 6;
    r.free_uses = -1;
    r.bonus_after = base + 7;
    r.subscription_after = base + 8;
    r.purchased_after = base + 9;
    r.total_after = 5000000000 + base;
    r.free_uses_after = 1;
    snprintf(r.service, sizeof r.service, "video_720p");
    snprintf(r.reference, sizeof r.reference, "order #%lld 注文", (long long)seq);
    snprintf(r.idempotency_key, sizeof r.idempotency_key, "key-%lld", (long long)seq);
    r.hold_id = base + 10;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++) {
        r.prev_hash[i] = (unsigned char)(seq - 1 + i * 3);
        r.hash[i] = (unsigned char)(seq + i * 3 + 0x80);
    }
    return r;
}

static void test_ledger_rows_are_unique_per_seq_and_listed_both_ways(void **state)
{
    raw_store s = raw_begin("ledger");
    int64_t user = add_user(&s, "ledger@example.com"), other = add_user(&s, "o@example.com");
    vg_store_ledger_row rows[6], row;
    ledger_seen asc = {0}, newest = {0}, older = {0};
    int i;
    (void)state;
    for (i = 1; i <= 5; i++) {
        rows[i] = make_row(user, i);
        assert_int_equal(s.b->ledger_append(s.conn, &rows[i]), VG_OK);
    }
    row = make_row(other, 1); /* another wallet's seq 1 */
    assert_int_equal(s.b->ledger_append(s.conn, &row), VG_OK);
    row = make_row(user, 3);
    row.amount = 1;
    assert_int_equal(s.b->ledger_append(s.conn, &row), VG_ECONSTRAINT);
    raw_reopen_for_reading(&s);

    assert_int_equal(s.b->ledger_list(s.conn, user, 2, 2, 1, note_row, &asc), VG_OK);
    assert_int_equal(asc.count, 2);
    assert_memory_equal(&asc.rows[0], &rows[3], sizeof row); /* every field, both hashes */
    assert_memory_equal(&asc.rows[1], &rows[4], sizeof row);
    assert_int_equal(s.b->ledger_list(s.conn, user, 0, 3, 0, note_row, &newest), VG_OK);
    assert_int_equal(newest.count, 3);
    for (i = 0; i < 3; i++)
        assert_memory_equal(&newest.rows[i], &rows[5 - i], sizeof row);
    assert_int_equal(s.b->ledger_list(s.conn, user, 4, 10, 0, note_row, &older), VG_OK);
    assert_int_equal(older.count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(older.rows[i].seq, 3 - i);
    raw_end(&s);
}

static void test_an_idempotency_record_is_stored_once_per_user_and_key(void **state)
{
    raw_store s = raw_begin("idempotency");
    vg_store_idempotency record, read;
    size_t i;
    (void)state;
    memset(&record, 0, sizeof record);
    record.user_id = 42;
    memset(record.key, 'k', VG_STORE_KEY_SIZE - 1); /* the longest key */
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        record.fingerprint[i] = (unsigned char)(255 - i);
    record.status = VG_EINSUFFICIENT_CREDITS;
    snprintf(record.result, sizeof record.result, "{\"subscription\":3,\"note\":\"餘額\"}");
    record.created_at = 1700000000;
    assert_int_equal(s.b->idempotency_get(&read, s.conn, 42, record.key), VG_ENOTFOUND);
    assert_int_equal(s.b->idempotency_put(s.conn, &record), VG_OK);
    assert_int_equal(s.b->idempotency_get(&read, s.conn, 42, record.key), VG_OK);
    assert_memory_equal(&read, &record, sizeof read);
    record.status = VG_OK;
    assert_int_equal(s.b->idempotency_put(s.conn, &record), VG_ECONSTRAINT);
    assert_int_equal(s.b->idempotency_get(&read, s.conn, 43, record.key), VG_ENOTFOUND);
    assert_int_equal(s.b->idempotency_get(&read, s.conn, 42, "other"), VG_ENOTFOUND);
    record.user_id = 43; /* the same key for another user is another record */
    assert_int_equal(s.b->idempotency_put(s.conn, &record), VG_OK);
    raw_end(&s);
}

/* --- concurrency ----------------------------------------------------------------------- */

#define WORKER_PROCESSES 2
#define WORKER_THREADS 2
#define INCREMENTS 150

typedef struct increment_job {
    const char *own_key;
} increment_job;

static int increment_body(vg__txn *txn, void *payload)
{
    const char *keys[] = {"counter", ((increment_job *)payload)->own_key};
    char *value, next[32];
    size_t i;
    int rc;

    for (i = 0; i < 2; i++) {
        value = NULL;
        rc = vg__meta_get(txn, &value, keys[i], 1);
        if (rc != VG_OK && rc != VG_ENOTFOUND)
            return rc;
        snprintf(next, sizeof next, "%ld", (value ? atol(value) : 0) + 1);
        free(value);
        if ((rc = vg__meta_put(txn, keys[i], next)) != VG_OK)
            return rc;
    }
    return VG_OK;
}

typedef struct worker_thread {
    vg_ctx *ctx;
    increment_job job;
    int failures;
} worker_thread;

static void *increment_many(void *arg)
{
    worker_thread *w = arg;
    int i;
    for (i = 0; i < INCREMENTS; i++)
        if (vg__txn_run(w->ctx, VG_TXN_WRITE, increment_body, &w->job) != VG_OK) {
            fprintf(stderr, "increment failed: %s\n", vg_error_last());
            w->failures++;
        }
    return NULL;
}

/* One worker process: its own context, WORKER_THREADS threads incrementing. */
static int run_worker_process(const char *location, int index)
{
    pthread_t threads[WORKER_THREADS];
    worker_thread workers[WORKER_THREADS];
    char keys[WORKER_THREADS][32];
    vg_ctx *ctx;
    int i, failures = 0;

    if (open_ctx_flags(&ctx, location, 0, 30000) != VG_OK)
        return 10;
    for (i = 0; i < WORKER_THREADS; i++) {
        snprintf(keys[i], sizeof keys[i], "count.%d.%d", index, i);
        workers[i] = (worker_thread){ctx, {keys[i]}, 0};
        pthread_create(&threads[i], NULL, increment_many, &workers[i]);
    }
    for (i = 0; i < WORKER_THREADS; i++) {
        pthread_join(threads[i], NULL);
        failures += workers[i].failures;
    }
    vg_close(ctx);
    return failures ? 1 : 0;
}

static void test_concurrent_writers_from_two_processes_serialise(void **state)
{
    const char *location = fresh("concurrent");
    vg_ctx *ctx = open_ctx(location);
    pid_t pids[WORKER_PROCESSES];
    char key[32], *value;
    int p, t, status;
    (void)state;
    for (p = 0; p < WORKER_PROCESSES; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0)
            _exit(run_worker_process(location, p));
    }
    for (p = 0; p < WORKER_PROCESSES; p++) {
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    value = read_key(ctx, "counter");
    assert_int_equal(atol(value), WORKER_PROCESSES * WORKER_THREADS * INCREMENTS);
    free(value);
    for (p = 0; p < WORKER_PROCESSES; p++)
        for (t = 0; t < WORKER_THREADS; t++) {
            snprintf(key, sizeof key, "count.%d.%d", p, t);
            value = read_key(ctx, key);
            assert_int_equal(atol(value), INCREMENTS);
            free(value);
        }
    vg_close(ctx);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_empty_store_migrates_to_the_latest_schema),
        cmocka_unit_test(test_an_older_schema_is_upgraded_and_keeps_its_data),
        cmocka_unit_test(test_a_store_newer_than_the_library_is_refused),
        cmocka_unit_test(test_schema_step_refuses_an_unknown_version),
        cmocka_unit_test(test_a_commit_is_seen_by_another_context),
        cmocka_unit_test(test_a_failed_body_rolls_everything_back),
        cmocka_unit_test(test_conflicts_are_retried_a_bounded_number_of_times),
        cmocka_unit_test(test_a_locked_row_blocks_a_second_writer_until_commit),
        cmocka_unit_test(test_a_read_only_context_refuses_writes),
        cmocka_unit_test(test_meta_values_round_trip_and_delete),
        cmocka_unit_test(test_events_are_ordered_and_paged),
        cmocka_unit_test(test_check_passes_on_a_healthy_store),
        cmocka_unit_test(test_catalog_records_round_trip_replace_and_list_in_order),
        cmocka_unit_test(test_users_are_numbered_found_refused_twice_and_paged),
        cmocka_unit_test(test_a_wallet_round_trips_with_its_chain_hash),
        cmocka_unit_test(test_bonus_lots_list_unspent_ones_earliest_expiry_first),
        cmocka_unit_test(test_holds_and_their_parts_round_trip_and_open_ones_list_by_expiry),
        cmocka_unit_test(test_ledger_rows_are_unique_per_seq_and_listed_both_ways),
        cmocka_unit_test(test_an_idempotency_record_is_stored_once_per_user_and_key),
        cmocka_unit_test(test_concurrent_writers_from_two_processes_serialise),
    };
    int failed;

    if (argc < 2 || !(target = store_target_find(argv[1]))) {
        fprintf(stderr, "usage: %s BACKEND   (sqlite, postgresql)\n", argv[0]);
        return 2;
    }
    setenv("VIDGO_SECRET", "6c6962766964676f2d636f6e666f726d616e63652d73756974652d7365637265", 1);
    cmocka_set_message_output(CM_OUTPUT_STDOUT);
    failed = cmocka_run_group_tests_name(target->name, tests, NULL, NULL);
    failed += conformance_accounts_run();
    failed += conformance_cache_run();
    failed += conformance_jobs_run();
    failed += conformance_payments_run();
    target->cleanup();
    return failed;
}
