/* SPDX-License-Identifier: MIT */
/* The SQLite schema, one migration per version, recorded in vg_schema_migrations. */
#include <stdio.h>

#include "sqlite_internal.h"

/* migrations[v] takes the schema from v - 1 to v. Never edit a released entry: add one. */
static const char *const migrations[] = {
    [1] = "CREATE TABLE vg_schema_migrations ("
          "  version    INTEGER PRIMARY KEY,"
          "  applied_at INTEGER NOT NULL"
          ");"
          "CREATE TABLE vg_meta ("
          "  key   TEXT PRIMARY KEY NOT NULL,"
          "  value TEXT NOT NULL"
          ") WITHOUT ROWID;",
    [2] = "CREATE TABLE vg_events ("
          "  id     INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  at     INTEGER NOT NULL,"
          "  kind   TEXT NOT NULL,"
          "  detail TEXT NOT NULL"
          ");",
};

#define LATEST ((int)(sizeof migrations / sizeof migrations[0]) - 1)

_Static_assert(LATEST == VG_STORE_SCHEMA_VERSION, "SQLite migrations and the core disagree");

static int count_query(vg_store_conn *conn, sq_stmt id, int64_t *out)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        rc = vg__sq_error(conn, rc, "cannot read the schema");
        sqlite3_reset(stmt);
        return rc;
    }
    *out = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return VG_OK;
}

int vg__sq_schema_get(int *out, vg_store_conn *conn)
{
    int64_t n;
    int rc;

    if ((rc = count_query(conn, SQ_SCHEMA_HAS_TABLE, &n)) != VG_OK)
        return rc;
    if (n == 0) {
        if ((rc = count_query(conn, SQ_SCHEMA_FOREIGN_TABLES, &n)) != VG_OK)
            return rc;
        if (n > 0) {
            snprintf(conn->errmsg, sizeof conn->errmsg,
                     "the database holds %lld tables but no libvidgo schema", (long long)n);
            return VG_ESTORE_CORRUPT;
        }
        *out = 0;
        return VG_OK;
    }
    if ((rc = count_query(conn, SQ_SCHEMA_VERSION, &n)) != VG_OK)
        return rc;
    *out = (int)n;
    return VG_OK;
}

int vg__sq_schema_step(vg_store_conn *conn, int to_version, vg_time now)
{
    sqlite3_stmt *stmt;
    int rc;

    if (to_version < 1 || to_version > LATEST) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "no migration to schema version %d",
                 to_version);
        return VG_EUNSUPPORTED;
    }
    if ((rc = vg__sq_exec_script(conn, migrations[to_version], "cannot migrate")) != VG_OK)
        return rc;
    if ((rc = vg__sq_stmt(&stmt, conn, SQ_SCHEMA_RECORD)) != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 1, to_version);
    sqlite3_bind_int64(stmt, 2, now);
    return vg__sq_exec(conn, stmt, "cannot record the migration");
}
