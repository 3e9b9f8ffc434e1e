/* SPDX-License-Identifier: MIT */
/* The storage conformance suite: what every backend must do, run once per backend. */
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

#include "target.h"

static const conformance_target *target;

/* A fresh location for a store named after the test; skips the test if there is none. */
static const char *fresh(const char *label)
{
    static char location[512];
    if (target->fresh_location(location, sizeof location, label) != 0) {
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

static vg_store_conn *connect_raw(const char *location, int busy_ms)
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
    assert_int_equal(j.count, 1);
    assert_string_equal(j.kinds[0], "store.created");
    vg_close(ctx);
}

static void test_an_older_schema_is_upgraded_and_keeps_its_data(void **state)
{
    const char *location = fresh("older");
    const vg_store_backend *b = target->backend();
    vg_store_conn *conn = connect_raw(location, 1000);
    journal j = {0};
    vg_ctx *ctx;
    char *value;
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
    assert_int_equal(j.count, 1);
    assert_string_equal(j.kinds[0], "schema.migrated");
    assert_non_null(strstr(j.details[0], "1 -> 2"));
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
    assert_int_equal(j.count, 1); /* only store.created */
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
    journal page1 = {0}, page2 = {0}, stopped = {0};
    (void)state;
    assert_int_equal(vg__txn_run(ctx, VG_TXN_WRITE, append_events_body, &n), VG_OK);
    assert_int_equal(vg_store_events(ctx, 0, 10, collect_event, &page1), VG_OK);
    assert_int_equal(page1.count, 10);
    assert_string_equal(page1.kinds[0], "store.created");
    assert_string_equal(page1.details[1], "event 0");
    for (i = 1; i < 10; i++)
        assert_true(page1.ids[i] > page1.ids[i - 1]);
    assert_int_equal(vg_store_events(ctx, page1.ids[9], 10, collect_event, &page2), VG_OK);
    assert_int_equal(page2.count, 10);
    assert_true(page2.ids[0] > page1.ids[9]);
    assert_string_equal(page2.details[0], "event 9");
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
        cmocka_unit_test(test_concurrent_writers_from_two_processes_serialise),
    };
    int failed;

    if (argc < 2 || !(target = conformance_target_find(argv[1]))) {
        fprintf(stderr, "usage: %s BACKEND   (sqlite)\n", argv[0]);
        return 2;
    }
    setenv("VIDGO_SECRET", "6c6962766964676f2d636f6e666f726d616e63652d73756974652d7365637265", 1);
    cmocka_set_message_output(CM_OUTPUT_STDOUT);
    failed = cmocka_run_group_tests_name(target->name, tests, NULL, NULL);
    target->cleanup();
    return failed;
}
