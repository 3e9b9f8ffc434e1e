/* SPDX-License-Identifier: MIT */
/* vg_open and vg_close: configuration, bad input, bad stores, callbacks, threads, secrets. */
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/internal.h"

static char dir[] = "/tmp/vg-context-XXXXXX";

static const char *path_in_dir(const char *name)
{
    static char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

static int open_at(vg_ctx **ctx, const char *path, unsigned int flags)
{
    vg_config config;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path;
    config.flags = flags;
    return vg_open(ctx, &config);
}

/* Reads a whole file into a malloc'ed buffer; *size gets its length. */
static char *slurp(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static void expect_open_failure(const char *path, unsigned int flags, int code, const char *words)
{
    vg_ctx *ctx = (vg_ctx *)0x1;
    vg_error_clear();
    assert_int_equal(open_at(&ctx, path, flags), code);
    assert_null(ctx);
    assert_int_equal(vg_error_last_code(), code);
    if (!strstr(vg_error_last(), words))
        fail_msg("message \"%s\" lacks \"%s\"", vg_error_last(), words);
}

static void test_open_creates_a_store_at_the_latest_schema(void **state)
{
    vg_ctx *ctx;
    int version = -1;
    (void)state;
    assert_int_equal(open_at(&ctx, path_in_dir("new.db"), VG_OPEN_CREATE), VG_OK);
    assert_int_equal(vg_store_schema_version(&version, ctx), VG_OK);
    assert_int_equal(version, vg_store_schema_latest());
    assert_string_equal(vg_store_backend_name(ctx), "sqlite");
    assert_string_equal(vg_store_location(ctx), path_in_dir("new.db"));
    assert_string_equal(vg_ctx_lang(ctx), "en");
    vg_close(ctx);
}

static void test_null_arguments_are_refused(void **state)
{
    vg_ctx *ctx;
    vg_config config;
    int version;
    (void)state;
    assert_int_equal(vg_open(NULL, NULL), VG_EINVAL);
    assert_int_equal(vg_config_init(NULL, VG_CONFIG_VERSION), VG_EINVAL);
    assert_int_equal(vg_config_init(&config, 99), VG_EVERSION);
    assert_int_equal(vg_store_schema_version(NULL, NULL), VG_EINVAL);
    assert_int_equal(vg_store_schema_version(&version, NULL), VG_EINVAL);
    assert_int_equal(vg_check(NULL, NULL, NULL, NULL), VG_EINVAL);
    assert_int_equal(vg_store_events(NULL, 0, 10, NULL, NULL), VG_EINVAL);
    assert_string_equal(vg_store_backend_name(NULL), "");
    assert_string_equal(vg_store_location(NULL), "");
    assert_string_equal(vg_ctx_lang(NULL), "en");
    assert_int_equal(vg_ctx_errcode(NULL), VG_EINVAL);
    assert_true(strlen(vg_ctx_errmsg(NULL)) > 0);
    vg_close(NULL);

    assert_int_equal(open_at(&ctx, path_in_dir("args.db"), VG_OPEN_CREATE), VG_OK);
    assert_int_equal(vg_store_schema_version(NULL, ctx), VG_EINVAL);
    assert_int_equal(vg_ctx_errcode(ctx), VG_EINVAL);
    assert_true(strlen(vg_ctx_errmsg(ctx)) > 0);
    assert_int_equal(vg_store_events(ctx, 0, 0, (vg_event_fn)1, NULL), VG_EINVAL);
    assert_int_equal(vg_store_events(ctx, 0, 10001, (vg_event_fn)1, NULL), VG_EINVAL);
    vg_close(ctx);
}

static void test_bad_config_is_refused_before_touching_the_store(void **state)
{
    static const unsigned char short_secret[8] = {0};
    vg_ctx *ctx = NULL;
    vg_config config;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("never.db");

    config.version = 0;
    assert_int_equal(vg_open(&ctx, &config), VG_EVERSION);
    config.version = VG_CONFIG_VERSION;
    config.lang = "fr";
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    assert_non_null(strstr(vg_error_last(), "lang"));
    config.lang = "ja";
    config.flags = 0x80;
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    config.flags = VG_OPEN_CREATE;
    config.log_level = (vg_log_level)9;
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    config.log_level = VG_LOG_INFO;
    config.store_pool_size = -1;
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    config.store_pool_size = 0;
    config.busy_timeout_ms = -5;
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    config.busy_timeout_ms = 0;
    config.secret = short_secret;
    config.secret_len = sizeof short_secret;
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    assert_null(strstr(vg_error_last(), "\\x00")); /* no secret bytes in the message */
    config.secret = NULL;
    config.store = "\xff\xfe.db";
    assert_int_equal(vg_open(&ctx, &config), VG_EUTF8);
    assert_null(ctx);
    assert_int_equal(access(path_in_dir("never.db"), F_OK), -1);
}

static void test_a_directory_is_not_a_store(void **state)
{
    (void)state;
    expect_open_failure(dir, VG_OPEN_CREATE, VG_ESTORE_OPEN, "directory");
}

static void test_an_unwritable_path_is_refused(void **state)
{
    char path[512];
    FILE *f;
    (void)state;
    expect_open_failure("/proc/vidgo-test.db", VG_OPEN_CREATE, VG_ESTORE_OPEN, "/proc/vidgo-test.db");
    snprintf(path, sizeof path, "%s/plain-file", dir);
    f = fopen(path, "w");
    fclose(f);
    snprintf(path, sizeof path, "%s/plain-file/x.db", dir);
    expect_open_failure(path, VG_OPEN_CREATE, VG_ESTORE_OPEN, "Not a directory");
    expect_open_failure(path_in_dir("no-such-dir/x.db"), VG_OPEN_CREATE, VG_ESTORE_OPEN, "x.db");
    if (geteuid() != 0) { /* root may write anywhere: the mode check only binds other users */
        snprintf(path, sizeof path, "%s/readonly.db", dir);
        f = fopen(path, "w");
        fclose(f);
        chmod(path, 0444);
        expect_open_failure(path, VG_OPEN_CREATE, VG_ESTORE_OPEN, "Permission denied");
    }
}

static void test_a_missing_store_is_not_created_without_the_flag(void **state)
{
    (void)state;
    expect_open_failure(path_in_dir("absent.db"), 0, VG_ESTORE_OPEN, "vidgo init");
    assert_int_equal(access(path_in_dir("absent.db"), F_OK), -1);
}

static void test_an_empty_store_is_not_initialised_without_the_flag(void **state)
{
    const char *path = path_in_dir("empty.db");
    FILE *f = fopen(path, "wb");
    vg_ctx *ctx;
    (void)state;
    fclose(f); /* an empty file, as an empty PostgreSQL database */
    expect_open_failure(path, 0, VG_ESTORE_OPEN, "vidgo init");
    assert_int_equal(open_at(&ctx, path, VG_OPEN_CREATE), VG_OK);
    vg_close(ctx);
}

static void test_a_corrupt_file_is_refused_and_left_alone(void **state)
{
    static const char garbage[] = "this is not a database, just some text that is long enough";
    const char *path = path_in_dir("corrupt.db");
    FILE *f = fopen(path, "wb");
    size_t size;
    char *after;
    (void)state;
    for (int i = 0; i < 200; i++)
        fwrite(garbage, 1, sizeof garbage, f);
    fclose(f);
    expect_open_failure(path, VG_OPEN_CREATE, VG_ESTORE_CORRUPT, "not a libvidgo store");
    after = slurp(path, &size);
    assert_int_equal(size, 200 * sizeof garbage);
    assert_memory_equal(after, garbage, sizeof garbage);
    free(after);
}

/* Runs one SQL script on a file with SQLite itself, outside libvidgo. */
static void raw_sql(const char *path, const char *sql)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
        fail_msg("%s", sqlite3_errmsg(db));
    sqlite3_close(db);
}

static int raw_count(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *stmt;
    int n;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    n = sqlite3_column_int(stmt, 0);
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    return n;
}

static void test_a_foreign_sqlite_database_is_refused(void **state)
{
    const char *path = path_in_dir("foreign.db");
    (void)state;
    raw_sql(path, "CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT);");
    expect_open_failure(path, VG_OPEN_CREATE, VG_ESTORE_CORRUPT, "no libvidgo schema");
    assert_int_equal(raw_count(path, "SELECT count(*) FROM sqlite_schema"), 1);
}

static void test_a_newer_schema_is_refused_and_left_alone(void **state)
{
    const char *path = path_in_dir("newer.db");
    vg_ctx *ctx;
    int events;
    (void)state;
    assert_int_equal(open_at(&ctx, path, VG_OPEN_CREATE), VG_OK);
    vg_close(ctx);
    raw_sql(path, "INSERT INTO vg_schema_migrations (version, applied_at) VALUES (99, 0);");
    events = raw_count(path, "SELECT count(*) FROM vg_events");
    expect_open_failure(path, VG_OPEN_CREATE, VG_ESTORE_VERSION, "newer");
    assert_int_equal(raw_count(path, "SELECT max(version) FROM vg_schema_migrations"), 99);
    assert_int_equal(raw_count(path, "SELECT count(*) FROM vg_events"), events);
}

/* Makes a store at schema version 1 with the backend itself, as an old library left it. */
static void make_version_1_store(const char *path)
{
    const vg_store_backend *b = vg_store_backend_sqlite();
    vg_store_params params = {VG_STORE_PARAMS_VERSION, path, VG_OPEN_CREATE, 1000, NULL, NULL};
    vg_store_conn *conn;
    char err[256];
    assert_int_equal(b->connect(&conn, &params, err, sizeof err), VG_OK);
    assert_int_equal(b->begin(conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(b->schema_step(conn, 1, 0), VG_OK);
    assert_int_equal(b->commit(conn), VG_OK);
    b->disconnect(conn);
}

static void test_read_only_open_refuses_an_older_schema(void **state)
{
    const char *path = path_in_dir("older-ro.db");
    vg_ctx *ctx;
    (void)state;
    make_version_1_store(path);
    expect_open_failure(path, VG_OPEN_READONLY, VG_ESTORE_READONLY, "older");
    assert_int_equal(open_at(&ctx, path, 0), VG_OK); /* read-write upgrades it */
    vg_close(ctx);
    assert_int_equal(open_at(&ctx, path, VG_OPEN_READONLY), VG_OK);
    vg_close(ctx);
}

static vg_time fake_now = INT64_C(1795996800000000); /* 2026-11-30T00:00:00Z */

static vg_time fake_clock(void *payload)
{
    return *(vg_time *)payload;
}

static int first_event_time(int64_t id, vg_time at, const char *kind, const char *detail,
                            void *payload)
{
    (void)id, (void)detail;
    assert_string_equal(kind, "store.created");
    *(vg_time *)payload = at;
    return 1;
}

static void test_the_clock_callback_is_the_only_clock(void **state)
{
    vg_ctx *ctx;
    vg_config config;
    vg_time at = 0;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("clock.db");
    config.clock = fake_clock;
    config.clock_payload = &fake_now;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_int_equal(vg_ctx_now(ctx), fake_now);
    assert_int_equal(vg_store_events(ctx, 0, 10, first_event_time, &at), VG_OK);
    assert_int_equal(at, fake_now);
    vg_close(ctx);
}

typedef struct log_capture {
    int lines[VG_LOG_NONE];
    char last[256];
} log_capture;

static void capture_log(vg_log_level level, const char *message, void *payload)
{
    log_capture *cap = payload;
    cap->lines[level]++;
    snprintf(cap->last, sizeof cap->last, "%s", message);
}

static void test_log_lines_are_filtered_by_level(void **state)
{
    vg_ctx *ctx;
    vg_config config;
    log_capture cap;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("log.db");
    config.log = capture_log;
    config.log_payload = &cap;

    memset(&cap, 0, sizeof cap);
    config.log_level = VG_LOG_INFO;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    vg_close(ctx);
    assert_int_equal(cap.lines[VG_LOG_WARN], 1); /* the server secret was created */
    assert_int_equal(cap.lines[VG_LOG_INFO], 1);
    assert_non_null(strstr(cap.last, "opened sqlite store"));
    assert_int_equal(cap.lines[VG_LOG_DEBUG], 0);

    memset(&cap, 0, sizeof cap);
    config.log_level = VG_LOG_ERROR;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    vg_close(ctx);
    assert_int_equal(cap.lines[VG_LOG_INFO] + cap.lines[VG_LOG_WARN], 0);
}

typedef struct alloc_count {
    pthread_mutex_t lock;
    long live;
    long total;
} alloc_count;

static void *counting_alloc(void *ptr, size_t size, void *payload)
{
    alloc_count *c = payload;
    pthread_mutex_lock(&c->lock);
    if (size == 0)
        c->live--;
    else if (!ptr) {
        c->live++;
        c->total++;
    }
    pthread_mutex_unlock(&c->lock);
    if (size == 0) {
        free(ptr);
        return NULL;
    }
    return realloc(ptr, size);
}

static void test_the_allocator_hook_sees_every_allocation_freed(void **state)
{
    alloc_count count = {PTHREAD_MUTEX_INITIALIZER, 0, 0};
    vg_ctx *ctx;
    vg_config config;
    int version;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("alloc.db");
    config.alloc = counting_alloc;
    config.alloc_payload = &count;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_int_equal(vg_store_schema_version(&version, ctx), VG_OK);
    assert_true(count.live > 0);
    vg_close(ctx);
    assert_true(count.total >= 4);
    assert_int_equal(count.live, 0);
}

static void *read_schema_many_times(void *arg)
{
    vg_ctx *ctx = arg;
    int i, version;
    for (i = 0; i < 200; i++)
        if (vg_store_schema_version(&version, ctx) != VG_OK || version != vg_store_schema_latest())
            return (void *)1;
    return NULL;
}

static void test_one_context_serves_many_threads(void **state)
{
    pthread_t threads[8];
    vg_ctx *ctx;
    vg_config config;
    void *result;
    int i, failures = 0;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("threads.db");
    config.store_pool_size = 2; /* fewer connections than threads: they must wait their turn */
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    for (i = 0; i < 8; i++)
        pthread_create(&threads[i], NULL, read_schema_many_times, ctx);
    for (i = 0; i < 8; i++) {
        pthread_join(threads[i], &result);
        failures += result != NULL;
    }
    assert_int_equal(failures, 0);
    assert_true(ctx->pool.open_count <= 2);
    vg_close(ctx);
}

static void test_the_server_secret_comes_from_config_env_or_store(void **state)
{
    static const unsigned char configured[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    unsigned char stored[VG__SECRET_MAX];
    vg_ctx *ctx;
    vg_config config;
    (void)state;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path_in_dir("secret.db");

    unsetenv("VIDGO_SECRET");
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_int_equal(ctx->secret_len, 32);
    memcpy(stored, ctx->secret, 32);
    vg_close(ctx);
    assert_int_equal(vg_open(&ctx, &config), VG_OK); /* kept in the store: the same again */
    assert_memory_equal(ctx->secret, stored, 32);
    vg_close(ctx);

    setenv("VIDGO_SECRET", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", 1);
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_int_equal(ctx->secret[1], 0x11);
    vg_close(ctx);
    setenv("VIDGO_SECRET", "not-hex", 1);
    assert_int_equal(vg_open(&ctx, &config), VG_ECONFIG);
    assert_null(strstr(vg_error_last(), "not-hex"));
    unsetenv("VIDGO_SECRET");

    config.secret = configured;
    config.secret_len = sizeof configured;
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_memory_equal(ctx->secret, configured, sizeof configured);
    vg_close(ctx);
}

/* A caller built against vg_config version 1 has room for version 1's fields only. */
static void test_config_init_of_version_1_writes_only_version_1_fields(void **state)
{
    const size_t v1_size = offsetof(vg_config, access_ttl_s);
    unsigned char buf[sizeof(vg_config)];
    vg_config *config = (vg_config *)(void *)buf;
    size_t i;

    (void)state;
    memset(buf, 0xAB, sizeof buf);
    assert_int_equal(vg_config_init(config, 1), VG_OK);
    assert_int_equal(config->version, 1);
    assert_int_equal(config->flags, VG_OPEN_CREATE);
    for (i = v1_size; i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xAB);
    assert_int_equal(vg_config_init(config, 2), VG_OK);
    assert_int_equal(config->version, 2);
    assert_int_equal(config->smtp_tls, VG_SMTP_TLS_REQUIRED);
    assert_null(config->email_sender);
    for (i = offsetof(vg_config, providers); i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xAB);
    memset(buf, 0xAB, sizeof buf);
    assert_int_equal(vg_config_init(config, 3), VG_OK);
    assert_int_equal(config->version, 3);
    assert_int_equal(config->provider_mode, VG_PROVIDERS_AUTO);
    assert_null(config->providers[VG_PROVIDER_LEONARDO].api_key);
    assert_null(config->assets_dir);
    for (i = offsetof(vg_config, payments); i < sizeof buf; i++)
        assert_int_equal(buf[i], 0xAB);
    assert_int_equal(vg_config_init(config, 4), VG_OK);
    assert_null(config->payments.ecpay_merchant_id);
    assert_int_equal(config->payments.sandbox, 0);
    assert_int_equal(vg_config_init(config, 5), VG_EVERSION);
}

static void test_version_macros_match_the_library(void **state)
{
    char expected[32];
    (void)state;
    snprintf(expected, sizeof expected, "%d.%d.%d", VG_VERSION_MAJOR, VG_VERSION_MINOR,
             VG_VERSION_PATCH);
    assert_string_equal(vg_version(), expected);
    assert_string_equal(vg_version(), VG_VERSION_STRING);
    assert_int_equal(vg_version_number(), VG_VERSION_NUMBER);
    assert_int_equal(vg_config_version(), VG_CONFIG_VERSION);
    assert_int_equal(vg_config_size(), sizeof(vg_config));
    assert_int_equal(vg_global_init(), VG_OK);
    assert_int_equal(vg_global_init(), VG_OK);
    assert_int_equal(vg_store_backend_available("sqlite"), 1);
    assert_int_equal(vg_store_backend_available("oracle"), 0);
    assert_int_equal(vg_store_backend_available(NULL), 0);
}

static void test_a_postgres_url_needs_the_backend(void **state)
{
    (void)state;
    if (vg_store_backend_available("postgresql"))
        skip();
    expect_open_failure("postgresql://vidgo:hunter2@127.0.0.1:1/vidgo", VG_OPEN_CREATE,
                        VG_EUNSUPPORTED, "PostgreSQL");
    assert_null(strstr(vg_error_last(), "hunter2"));
}

static void test_passwords_in_the_location_are_never_shown(void **state)
{
    char path[512];
    vg_ctx *ctx;
    const char *shown;
    (void)state;
    /* Many empty passwords: each grows by "***", which once overflowed the copy. */
    snprintf(path, sizeof path, "%s/x?password=&password=&password=&password=&password=&password=&password=&password=&password=s3cret", dir);
    assert_int_equal(open_at(&ctx, path, VG_OPEN_CREATE), VG_OK);
    shown = vg_store_location(ctx);
    assert_null(strstr(shown, "s3cret"));
    assert_non_null(strstr(shown, "password=***&password=***&password=***&password=***&password=***&password=***&password=***&password=***&password=***"));
    vg_close(ctx);
}

/* NULL config.store: $VIDGO_DB, then $VIDGO_DATABASE_URL, then the seed's $DATABASE_URL
 * when it is a PostgreSQL URL (any other value belongs to the host and is ignored). */
static void test_the_store_location_comes_from_the_environment_in_order(void **state)
{
    char from_vidgo_db[512], from_database_url[512];
    vg_ctx *ctx;
    vg_config config;
    (void)state;
    snprintf(from_vidgo_db, sizeof from_vidgo_db, "%s/env-a.db", dir);
    snprintf(from_database_url, sizeof from_database_url, "%s/env-b.db", dir);
    vg_config_init(&config, VG_CONFIG_VERSION);
    setenv("VIDGO_DB", from_vidgo_db, 1);
    setenv("VIDGO_DATABASE_URL", from_database_url, 1);
    setenv("DATABASE_URL", "mysql://elsewhere/db", 1);
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_string_equal(vg_store_location(ctx), from_vidgo_db);
    vg_close(ctx);
    unsetenv("VIDGO_DB");
    assert_int_equal(vg_open(&ctx, &config), VG_OK);
    assert_string_equal(vg_store_location(ctx), from_database_url);
    vg_close(ctx);
    unsetenv("VIDGO_DATABASE_URL");
    setenv("DATABASE_URL", "postgresql+asyncpg://vidgo:pw@127.0.0.1:1/vidgo", 1);
    ctx = (vg_ctx *)0x1;
    if (vg_store_backend_available("postgresql"))
        assert_int_equal(vg_open(&ctx, &config), VG_ESTORE_CONNECT); /* nobody listens on :1 */
    else
        assert_int_equal(vg_open(&ctx, &config), VG_EUNSUPPORTED);
    assert_null(ctx);
    assert_null(strstr(vg_error_last(), ":pw@"));
    unsetenv("DATABASE_URL");
}

static int setup_dir(void **state)
{
    (void)state;
    return mkdtemp(dir) ? 0 : -1;
}

static int remove_dir(void **state)
{
    char cmd[600];
    (void)state;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_open_creates_a_store_at_the_latest_schema),
        cmocka_unit_test(test_null_arguments_are_refused),
        cmocka_unit_test(test_bad_config_is_refused_before_touching_the_store),
        cmocka_unit_test(test_a_directory_is_not_a_store),
        cmocka_unit_test(test_an_unwritable_path_is_refused),
        cmocka_unit_test(test_a_missing_store_is_not_created_without_the_flag),
        cmocka_unit_test(test_an_empty_store_is_not_initialised_without_the_flag),
        cmocka_unit_test(test_a_corrupt_file_is_refused_and_left_alone),
        cmocka_unit_test(test_a_foreign_sqlite_database_is_refused),
        cmocka_unit_test(test_a_newer_schema_is_refused_and_left_alone),
        cmocka_unit_test(test_read_only_open_refuses_an_older_schema),
        cmocka_unit_test(test_the_clock_callback_is_the_only_clock),
        cmocka_unit_test(test_log_lines_are_filtered_by_level),
        cmocka_unit_test(test_the_allocator_hook_sees_every_allocation_freed),
        cmocka_unit_test(test_one_context_serves_many_threads),
        cmocka_unit_test(test_the_server_secret_comes_from_config_env_or_store),
        cmocka_unit_test(test_config_init_of_version_1_writes_only_version_1_fields),
        cmocka_unit_test(test_version_macros_match_the_library),
        cmocka_unit_test(test_a_postgres_url_needs_the_backend),
        cmocka_unit_test(test_passwords_in_the_location_are_never_shown),
        cmocka_unit_test(test_the_store_location_comes_from_the_environment_in_order),
    };
    return cmocka_run_group_tests(tests, setup_dir, remove_dir);
}
