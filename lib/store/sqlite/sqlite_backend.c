/* SPDX-License-Identifier: MIT */
/* The SQLite backend: connections, pragmas, a fair busy handler, transactions, statements. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_internal.h"

static const char *const stmt_sql[SQ_STMT_COUNT] = {
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SCHEMA_HAS_TABLE] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'vg_schema_migrations'",
    [SQ_SCHEMA_FOREIGN_TABLES] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'",
    [SQ_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM vg_schema_migrations",
    [SQ_SCHEMA_RECORD] =
        "INSERT INTO vg_schema_migrations (version, applied_at) VALUES (?1, ?2)",
    [SQ_META_GET] = "SELECT value FROM vg_meta WHERE key = ?1",
    [SQ_META_PUT] = "INSERT INTO vg_meta (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [SQ_META_DELETE] = "DELETE FROM vg_meta WHERE key = ?1",
    [SQ_EVENT_APPEND] = "INSERT INTO vg_events (at, kind, detail) VALUES (?1, ?2, ?3)",
    [SQ_EVENT_LIST] =
        "SELECT id, at, kind, detail FROM vg_events WHERE id > ?1 ORDER BY id LIMIT ?2",
    [SQ_INTEGRITY_CHECK] = "PRAGMA integrity_check",
    [SQ_FOREIGN_KEY_CHECK] = "PRAGMA foreign_key_check",
};

/* SQLite's primary result codes and the vg_status each one means. */
static const struct {
    int sqlite_code;
    int status;
} error_map[] = {
    {SQLITE_BUSY, VG_EBUSY},           {SQLITE_LOCKED, VG_EBUSY},
    {SQLITE_NOMEM, VG_ENOMEM},         {SQLITE_READONLY, VG_ESTORE_READONLY},
    {SQLITE_CORRUPT, VG_ESTORE_CORRUPT}, {SQLITE_NOTADB, VG_ESTORE_CORRUPT},
    {SQLITE_CANTOPEN, VG_ESTORE_OPEN}, {SQLITE_PERM, VG_ESTORE_OPEN},
    {SQLITE_AUTH, VG_ESTORE_OPEN},     {SQLITE_CONSTRAINT, VG_ECONSTRAINT},
    {SQLITE_IOERR, VG_EIO},            {SQLITE_FULL, VG_EIO},
    {SQLITE_TOOBIG, VG_ERANGE},
};

int vg__sq_error(vg_store_conn *conn, int rc, const char *what)
{
    size_t i;
    int primary = rc & 0xff;

    snprintf(conn->errmsg, sizeof conn->errmsg, "%s: %s", what,
             conn->db ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc));
    for (i = 0; i < sizeof error_map / sizeof error_map[0]; i++)
        if (error_map[i].sqlite_code == primary)
            return error_map[i].status;
    return VG_ESTORE;
}

int vg__sq_stmt(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id)
{
    sqlite3_stmt **slot = &conn->stmts[id];
    int rc;

    if (!*slot) {
        rc = sqlite3_prepare_v3(conn->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) {
            *slot = NULL;
            return vg__sq_error(conn, rc, "cannot prepare a statement");
        }
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    *out = *slot;
    return VG_OK;
}

int vg__sq_run(vg_store_conn *conn, sq_stmt id, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc = vg__sq_stmt(&stmt, conn, id);
    return rc == VG_OK ? vg__sq_exec(conn, stmt, what) : rc;
}

int vg__sq_exec(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        rc = vg__sq_error(conn, rc, what);
        sqlite3_reset(stmt);
        return rc;
    }
    sqlite3_reset(stmt);
    return VG_OK;
}

int vg__sq_exec_script(vg_store_conn *conn, const char *sql, const char *what)
{
    const char *tail = sql;
    sqlite3_stmt *stmt = NULL;
    int rc;

    while (tail && *tail) {
        rc = sqlite3_prepare_v2(conn->db, tail, -1, &stmt, &tail);
        if (rc != SQLITE_OK)
            return vg__sq_error(conn, rc, what);
        if (!stmt) /* only whitespace or comments were left */
            break;
        rc = vg__sq_exec(conn, stmt, what);
        sqlite3_finalize(stmt);
        if (rc != VG_OK)
            return rc;
    }
    return VG_OK;
}

char *vg__sq_column_dup(vg_store_conn *conn, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(stmt, col);
    char *copy = conn->alloc ? conn->alloc(NULL, n + 1, conn->alloc_payload) : malloc(n + 1);

    if (copy) {
        if (n)
            memcpy(copy, text, n);
        copy[n] = '\0';
    }
    return copy;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * SQLite's own busy handler sleeps in growing steps (up to 100 ms), so a process that
 * keeps committing can starve one that waits. This one retries every 50-550 us with
 * jitter until the timeout, which gives waiting writers a fair chance at the lock.
 */
static int busy_handler(void *payload, int count)
{
    vg_store_conn *conn = payload;
    int64_t now = monotonic_ns();
    struct timespec pause;

    if (count == 0)
        conn->busy_started_ns = now;
    else if (now - conn->busy_started_ns >= (int64_t)conn->busy_timeout_ms * 1000000)
        return 0;
    pause.tv_sec = 0;
    pause.tv_nsec = 50000 + (long)randombytes_uniform(500000);
    nanosleep(&pause, NULL);
    return 1;
}

static const char *strip_scheme(const char *location)
{
    if (strncasecmp(location, "sqlite://", 9) == 0)
        return location + 9;
    if (strncasecmp(location, "sqlite:", 7) == 0)
        return location + 7;
    return location;
}

/* Explains, before SQLite tries, why a path cannot be a store. */
static int path_problem(const char *path, unsigned int flags, char *errbuf, size_t size)
{
    struct stat st;

    if (!*path) {
        snprintf(errbuf, size, "the store path is empty");
        return VG_ESTORE_OPEN;
    }
    if (strcmp(path, ":memory:") == 0) {
        snprintf(errbuf, size, "\":memory:\" is not supported: each pooled connection would "
                               "see its own empty database; use a file");
        return VG_ESTORE_OPEN;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(errbuf, size, "cannot open store at %s: it is a directory", path);
            return VG_ESTORE_OPEN;
        }
        if (access(path, (flags & VG_OPEN_READONLY) ? R_OK : R_OK | W_OK) != 0) {
            snprintf(errbuf, size, "cannot open store at %s: %s", path, strerror(errno));
            return VG_ESTORE_OPEN;
        }
        return VG_OK;
    }
    if (errno != ENOENT) {
        snprintf(errbuf, size, "cannot open store at %s: %s", path, strerror(errno));
        return VG_ESTORE_OPEN;
    }
    if (!(flags & VG_OPEN_CREATE) || (flags & VG_OPEN_READONLY)) {
        snprintf(errbuf, size, "no store at %s (create one with `vidgo init`)", path);
        return VG_ESTORE_OPEN;
    }
    return VG_OK;
}

/* Runs a PRAGMA that answers with a row, such as journal_mode. */
static int run_pragma(vg_store_conn *conn, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(conn->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return vg__sq_error(conn, rc, "cannot configure the store");
    rc = vg__sq_exec(conn, stmt, "cannot configure the store");
    sqlite3_finalize(stmt);
    return rc;
}

static void sq_disconnect(vg_store_conn *conn)
{
    int i;
    if (!conn)
        return;
    for (i = 0; i < SQ_STMT_COUNT; i++)
        sqlite3_finalize(conn->stmts[i]);
    sqlite3_close_v2(conn->db); /* rolls back an open transaction */
    if (conn->alloc)
        conn->alloc(conn, 0, conn->alloc_payload);
    else
        free(conn);
}

static int sq_connect(vg_store_conn **out, const vg_store_params *params, char *errbuf,
                      size_t errbuf_size)
{
    const char *path = strip_scheme(params->location);
    int readonly = (params->flags & VG_OPEN_READONLY) != 0;
    int open_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                     (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                     (params->flags & VG_OPEN_CREATE && !readonly ? SQLITE_OPEN_CREATE : 0);
    vg_store_conn *conn;
    int rc;

    *out = NULL;
    if ((rc = path_problem(path, params->flags, errbuf, errbuf_size)) != VG_OK)
        return rc;
    conn = params->alloc ? params->alloc(NULL, sizeof *conn, params->alloc_payload)
                         : malloc(sizeof *conn);
    if (!conn) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VG_ENOMEM;
    }
    memset(conn, 0, sizeof *conn);
    conn->alloc = params->alloc;
    conn->alloc_payload = params->alloc_payload;
    conn->busy_timeout_ms = params->busy_timeout_ms;

    rc = sqlite3_open_v2(path, &conn->db, open_flags, NULL);
    if (rc != SQLITE_OK) {
        rc = vg__sq_error(conn, rc, "cannot open the store");
        goto fail;
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_handler(conn->db, busy_handler, conn);
    if ((!readonly && (rc = run_pragma(conn, "PRAGMA journal_mode = WAL")) != VG_OK) ||
        (rc = run_pragma(conn, "PRAGMA synchronous = NORMAL")) != VG_OK ||
        (rc = run_pragma(conn, "PRAGMA foreign_keys = ON")) != VG_OK)
        goto fail;
    *out = conn;
    return VG_OK;
fail:
    if (rc == VG_ESTORE_CORRUPT)
        snprintf(errbuf, errbuf_size, "%s is not a libvidgo store (%s)", path,
                 conn->db ? sqlite3_errmsg(conn->db) : "damaged");
    else
        snprintf(errbuf, errbuf_size, "%s (%s)", conn->errmsg, path);
    sq_disconnect(conn);
    return rc;
}

static const char *sq_errmsg(vg_store_conn *conn)
{
    return conn ? conn->errmsg : "";
}

static int sq_rollback(vg_store_conn *conn);

static int sq_begin(vg_store_conn *conn, vg_txn_mode mode)
{
    conn->mode = mode;
    return vg__sq_run(conn, mode == VG_TXN_WRITE ? SQ_BEGIN_WRITE : SQ_BEGIN_READ,
                      "cannot begin a transaction");
}

static int sq_commit(vg_store_conn *conn)
{
    int rc;
    if (sqlite3_get_autocommit(conn->db)) { /* SQLite ended the transaction after an error */
        if (conn->mode == VG_TXN_READ)
            return VG_OK; /* nothing was to be written */
        snprintf(conn->errmsg, sizeof conn->errmsg, "the transaction was rolled back by SQLite");
        return VG_ESTORE;
    }
    rc = vg__sq_run(conn, SQ_COMMIT, "cannot commit");
    /* Ending a read fails when damage was met inside it; what it read stands either way. */
    if (rc != VG_OK && conn->mode == VG_TXN_READ && sq_rollback(conn) == VG_OK)
        rc = VG_OK;
    return rc;
}

static int sq_rollback(vg_store_conn *conn)
{
    int i;
    if (sqlite3_get_autocommit(conn->db))
        return VG_OK; /* SQLite already rolled back (e.g. after SQLITE_FULL) */
    for (i = 0; i < SQ_STMT_COUNT; i++)
        if (conn->stmts[i])
            sqlite3_reset(conn->stmts[i]);
    return vg__sq_run(conn, SQ_ROLLBACK, "cannot roll back");
}

static const vg_store_backend sqlite_backend = {
    .version = VG_STORE_BACKEND_VERSION,
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .schema_get = vg__sq_schema_get,
    .schema_step = vg__sq_schema_step,
    .meta_get = vg__sq_meta_get,
    .meta_put = vg__sq_meta_put,
    .meta_delete = vg__sq_meta_delete,
    .event_append = vg__sq_event_append,
    .event_list = vg__sq_event_list,
    .check = vg__sq_check,
};

const vg_store_backend *vg_store_backend_sqlite(void)
{
    return &sqlite_backend;
}
