/* SPDX-License-Identifier: MIT */
/* The SQLite backend's records: meta settings, the event journal, and the integrity check. */
#include <stdio.h>

#include "sqlite_internal.h"

int vg__sq_meta_get(char **out, vg_store_conn *conn, const char *key, int for_update)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_META_GET);

    (void)for_update; /* BEGIN IMMEDIATE already holds the database's write lock */
    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, key);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        *out = vg__sq_column_dup(conn, stmt, 0);
        rc = *out ? VG_OK : VG_ENOMEM;
    } else if (rc == SQLITE_DONE) {
        rc = VG_ENOTFOUND;
    } else {
        rc = vg__sq_error(conn, rc, "cannot read a setting");
    }
    sqlite3_reset(stmt);
    return rc;
}

int vg__sq_meta_put(vg_store_conn *conn, const char *key, const char *value)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_META_PUT);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, key);
    vg__sq_bind_text(stmt, 2, value);
    return vg__sq_exec(conn, stmt, "cannot write a setting");
}

int vg__sq_meta_delete(vg_store_conn *conn, const char *key)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_META_DELETE);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, key);
    rc = vg__sq_exec(conn, stmt, "cannot delete a setting");
    if (rc == VG_OK && sqlite3_changes(conn->db) == 0)
        rc = VG_ENOTFOUND;
    return rc;
}

int vg__sq_event_append(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_EVENT_APPEND);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, event->at);
    vg__sq_bind_text(stmt, 2, event->kind);
    vg__sq_bind_text(stmt, 3, event->detail);
    rc = vg__sq_exec(conn, stmt, "cannot record an event");
    if (rc == VG_OK && out_id)
        *out_id = sqlite3_last_insert_rowid(conn->db);
    return rc;
}

int vg__sq_event_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_event event;
    int rc = vg__sq_stmt(&stmt, conn, SQ_EVENT_LIST);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, after_id);
    sqlite3_bind_int(stmt, 2, limit);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        event.id = sqlite3_column_int64(stmt, 0);
        event.at = sqlite3_column_int64(stmt, 1);
        event.kind = (const char *)sqlite3_column_text(stmt, 2);
        event.detail = (const char *)sqlite3_column_text(stmt, 3);
        if (callback(&event, payload) != 0) {
            rc = SQLITE_DONE;
            break;
        }
    }
    rc = rc == SQLITE_DONE ? VG_OK : vg__sq_error(conn, rc, "cannot list events");
    sqlite3_reset(stmt);
    return rc;
}

/* Runs a check PRAGMA and reports each row it returns, but a lone "ok". */
static int report_rows(vg_store_conn *conn, sq_stmt id, const char *check,
                       vg_store_problem_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    char detail[256];
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *first = (const char *)sqlite3_column_text(stmt, 0);
        if (id == SQ_INTEGRITY_CHECK) {
            if (first && sqlite3_stricmp(first, "ok") == 0)
                continue;
            callback(check, "database", first ? first : "?", payload);
        } else {
            snprintf(detail, sizeof detail, "row %lld references a missing row of %s",
                     (long long)sqlite3_column_int64(stmt, 1),
                     (const char *)sqlite3_column_text(stmt, 2));
            callback(check, first ? first : "?", detail, payload);
        }
    }
    rc = rc == SQLITE_DONE ? VG_OK : vg__sq_error(conn, rc, "cannot check the database");
    sqlite3_reset(stmt);
    return rc;
}

int vg__sq_check(vg_store_conn *conn, vg_store_problem_fn callback, void *payload)
{
    int rc = report_rows(conn, SQ_INTEGRITY_CHECK, "sqlite.integrity", callback, payload);
    if (rc == VG_OK)
        rc = report_rows(conn, SQ_FOREIGN_KEY_CHECK, "sqlite.foreign_keys", callback, payload);
    if (rc == VG_ESTORE_CORRUPT) { /* damage so bad the check stopped: that is its finding */
        callback("sqlite.integrity", "database", conn->errmsg, payload);
        rc = VG_OK;
    }
    return rc;
}
