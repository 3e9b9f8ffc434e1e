/* SPDX-License-Identifier: MIT */
/* The SQLite backend's connection: one sqlite3 handle with its cache of prepared statements. */
#ifndef VG_SQLITE_INTERNAL_H
#define VG_SQLITE_INTERNAL_H

#include <sqlite3.h>

#include "vidgo/errors.h"
#include "vidgo/sys/store.h"

/* Every statement the backend runs; their SQL is in the table of sqlite_backend.c. */
typedef enum sq_stmt {
    SQ_BEGIN_READ,
    SQ_BEGIN_WRITE,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SCHEMA_HAS_TABLE,
    SQ_SCHEMA_FOREIGN_TABLES,
    SQ_SCHEMA_VERSION,
    SQ_SCHEMA_RECORD,
    SQ_META_GET,
    SQ_META_PUT,
    SQ_META_DELETE,
    SQ_EVENT_APPEND,
    SQ_EVENT_LIST,
    SQ_INTEGRITY_CHECK,
    SQ_FOREIGN_KEY_CHECK,
    SQ_STMT_COUNT
} sq_stmt;

struct vg_store_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_STMT_COUNT];
    vg_alloc_fn alloc;
    void *alloc_payload;
    vg_txn_mode mode; /* of the current or last transaction */
    int busy_timeout_ms;
    int64_t busy_started_ns;
    char errmsg[512];
};

/* Gives the statement in *out, prepared on first use and reset for reuse. Returns VG_OK
 * or a store error (with the connection's message set). */
int vg__sq_stmt(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id);

/* Prepares and runs a statement that takes no parameters and returns no rows. */
int vg__sq_run(vg_store_conn *conn, sq_stmt id, const char *what);

/* Records SQLite's message for `rc` on the connection and returns the matching vg_status. */
int vg__sq_error(vg_store_conn *conn, int rc, const char *what);

/* Steps a statement that returns no rows to the end; returns VG_OK or an error. */
int vg__sq_exec(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what);

/* Runs one SQL text of DDL statements (prepared one by one). */
int vg__sq_exec_script(vg_store_conn *conn, const char *sql, const char *what);

/* Copies a column's text with the connection's allocator; NULL when out of memory. */
char *vg__sq_column_dup(vg_store_conn *conn, sqlite3_stmt *stmt, int col);

/* Schema and record methods (sqlite_schema.c, sqlite_records.c). */
int vg__sq_schema_get(int *out, vg_store_conn *conn);
int vg__sq_schema_step(vg_store_conn *conn, int to_version, vg_time now);
int vg__sq_meta_get(char **out, vg_store_conn *conn, const char *key, int for_update);
int vg__sq_meta_put(vg_store_conn *conn, const char *key, const char *value);
int vg__sq_meta_delete(vg_store_conn *conn, const char *key);
int vg__sq_event_append(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event);
int vg__sq_event_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload);
int vg__sq_check(vg_store_conn *conn, vg_store_problem_fn callback, void *payload);

#endif
