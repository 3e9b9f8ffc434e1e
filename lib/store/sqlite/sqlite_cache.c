/* SPDX-License-Identifier: MIT */
/* The SQLite backend's similarity cache: entries, embeddings, block verdicts and counters. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

/*
 * The fixed fields of an entry or an embedding go through the shared field tables
 * (record_fields.c); the vector, which they cannot describe, is bound and read here as the
 * column after them: a BLOB of dimension * 4 bytes, float32 in the machine's byte order.
 * A vector read back is copied into the connection's buffer (conn->vector), because a blob
 * SQLite hands out may lie anywhere in a page, not aligned for floats; the copy lives until
 * the next read on the connection, which is what cache_entry_get and embedding_get promise
 * and more than a list's callback needs.
 */

/* Makes conn->vector hold at least `bytes`; what it held before is not kept. */
static int vector_room(vg_store_conn *conn, size_t bytes)
{
    void *grown;

    if (bytes <= conn->vector_capacity)
        return VG_OK;
    grown = conn->alloc ? conn->alloc(conn->vector, bytes, conn->alloc_payload)
                        : realloc(conn->vector, bytes);
    if (!grown) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "out of memory for a vector of %zu bytes",
                 bytes);
        return VG_ENOMEM;
    }
    conn->vector = grown;
    conn->vector_capacity = bytes;
    return VG_OK;
}

/* Binds a vector of `dimension` floats as a BLOB at `index`; VG_EINVAL for no vector. */
static int bind_vector(vg_store_conn *conn, sqlite3_stmt *stmt, int index, const float *vector,
                       int dimension, const char *what)
{
    int rc;

    if (!vector || dimension < 1 || dimension > INT_MAX / (int)sizeof(float)) {
        snprintf(conn->errmsg, sizeof conn->errmsg,
                 "cannot store a %s without a vector of 1 or more floats (dimension %d)", what,
                 dimension);
        return VG_EINVAL;
    }
    rc = sqlite3_bind_blob(stmt, index, vector, dimension * (int)sizeof(float), SQLITE_STATIC);
    if (rc != SQLITE_OK) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "cannot bind the vector of a %s: %s", what,
                 sqlite3_errstr(rc));
        return rc == SQLITE_TOOBIG ? VG_ERANGE : VG_ESTORE;
    }
    return VG_OK;
}

/* Reads the vector in column `col` of the current row, which must hold *dimension floats,
 * into *out. With may_be_null (a tombstone), a NULL column gives a NULL vector and dimension
 * 0; any other mismatch is VG_ESTORE_CORRUPT. */
static int read_vector(const float **out, int *dimension, vg_store_conn *conn,
                       sqlite3_stmt *stmt, int col, int may_be_null, const char *what)
{
    const void *blob;
    int type = sqlite3_column_type(stmt, col), bytes, rc;

    if (type == SQLITE_NULL && may_be_null) {
        *out = NULL;
        *dimension = 0;
        return VG_OK;
    }
    blob = sqlite3_column_blob(stmt, col);
    bytes = sqlite3_column_bytes(stmt, col);
    if (type != SQLITE_BLOB || *dimension < 1 ||
        (size_t)bytes != (size_t)*dimension * sizeof(float)) {
        snprintf(conn->errmsg, sizeof conn->errmsg,
                 "a stored %s has a vector of %d bytes (%s), not %d floats", what, bytes,
                 type == SQLITE_NULL ? "NULL" : type == SQLITE_BLOB ? "BLOB" : "not a BLOB",
                 *dimension);
        return VG_ESTORE_CORRUPT;
    }
    if (!blob) { /* SQLite ran out of memory reading it */
        snprintf(conn->errmsg, sizeof conn->errmsg, "cannot read the vector of a %s: %s", what,
                 sqlite3_errmsg(conn->db));
        return VG_ENOMEM;
    }
    if ((rc = vector_room(conn, (size_t)bytes)) != VG_OK)
        return rc;
    memcpy(conn->vector, blob, (size_t)bytes);
    *out = conn->vector;
    return VG_OK;
}

/* Binds a record's fields as ?1 .. ?n and its vector as ?n+1, runs the statement and, with
 * out_id, writes the id the store assigned. */
static int write_with_vector(int64_t *out_id, vg_store_conn *conn, sq_stmt id,
                             const vg__record *rec, const void *record, const float *vector,
                             int dimension, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    if ((rc = vg__sq_bind_record(conn, stmt, rec, record)) != VG_OK ||
        (rc = bind_vector(conn, stmt, (int)rec->count + 1, vector, dimension, rec->what)) !=
            VG_OK) {
        sqlite3_reset(stmt);
        return rc;
    }
    rc = vg__sq_exec(conn, stmt, what);
    if (rc == VG_OK && out_id)
        *out_id = sqlite3_last_insert_rowid(conn->db);
    return rc;
}

/* --- cache entries --------------------------------------------------------------------- */

/* Reads the vector of the entry just read from a row of VG__CACHE_ENTRY_COLUMNS, vector. */
static int read_entry_vector(vg_store_cache_entry *entry, vg_store_conn *conn,
                             sqlite3_stmt *stmt)
{
    return read_vector(&entry->vector, &entry->dimension, conn, stmt,
                       (int)vg__cache_entry_record.count, entry->deleted != 0,
                       vg__cache_entry_record.what);
}

int vg__sq_cache_entry_insert(int64_t *out_id, vg_store_conn *conn,
                              const vg_store_cache_entry *entry)
{
    /* the statement leaves out the id, seq, deleted and hits bound from the entry */
    return write_with_vector(out_id, conn, SQ_CACHE_ENTRY_INSERT, &vg__cache_entry_record,
                             entry, entry->vector, entry->dimension, "cannot add a cache entry");
}

int vg__sq_cache_entry_delete(vg_store_conn *conn, int64_t id)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_CACHE_ENTRY_DELETE, id);

    return rc == VG_OK ? vg__sq_update_one(conn, stmt, "cannot delete a cache entry") : rc;
}

int vg__sq_cache_entry_touch(vg_store_conn *conn, int64_t id, int64_t hits, vg_time at)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_CACHE_ENTRY_TOUCH, id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, hits);
    sqlite3_bind_int64(stmt, 3, at);
    return vg__sq_update_one(conn, stmt, "cannot count a hit of a cache entry");
}

int vg__sq_cache_entries_changed(vg_store_conn *conn, int64_t after_seq, int limit,
                                 vg_store_cache_entry_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_cache_entry entry;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_CACHE_ENTRIES_CHANGED, after_seq);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, limit);
    while ((rc = vg__sq_next(&entry, conn, stmt, &vg__cache_entry_record,
                             "cannot list changed cache entries")) == VG_OK) {
        if ((rc = read_entry_vector(&entry, conn, stmt)) != VG_OK)
            break;
        if (callback(&entry, payload) != 0)
            break;
    }
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_cache_entry_get(vg_store_cache_entry *out, vg_store_conn *conn, int64_t id)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_CACHE_ENTRY_GET, id);

    if (rc != VG_OK)
        return rc;
    rc = vg__sq_next(out, conn, stmt, &vg__cache_entry_record, "cannot read a cache entry");
    if (rc == VG_OK)
        rc = read_entry_vector(out, conn, stmt);
    sqlite3_reset(stmt);
    return rc;
}

/* --- embeddings ------------------------------------------------------------------------ */

int vg__sq_embedding_put(vg_store_conn *conn, const vg_store_embedding *embedding)
{
    return write_with_vector(NULL, conn, SQ_EMBEDDING_PUT, &vg__embedding_record, embedding,
                             embedding->vector, embedding->dimension,
                             "cannot write an embedding");
}

int vg__sq_embedding_get(vg_store_embedding *out, vg_store_conn *conn,
                         const unsigned char hash[VG_STORE_HASH_SIZE], const char *fingerprint)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_EMBEDDING_GET);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, VG_STORE_HASH_SIZE, SQLITE_STATIC);
    vg__sq_bind_text(stmt, 2, fingerprint);
    rc = vg__sq_next(out, conn, stmt, &vg__embedding_record, "cannot read an embedding");
    if (rc == VG_OK)
        rc = read_vector(&out->vector, &out->dimension, conn, stmt,
                         (int)vg__embedding_record.count, 0, vg__embedding_record.what);
    sqlite3_reset(stmt);
    return rc;
}

/* --- block verdicts -------------------------------------------------------------------- */

int vg__sq_block_put(vg_store_conn *conn, const vg_store_block *block)
{
    return vg__sq_write(NULL, conn, SQ_BLOCK_PUT, &vg__block_record, block,
                        "cannot write a block verdict");
}

int vg__sq_block_get(vg_store_block *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE])
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_BLOCK_GET);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, VG_STORE_HASH_SIZE, SQLITE_STATIC);
    return vg__sq_get_row(out, conn, stmt, &vg__block_record, "cannot read a block verdict");
}

/* --- counters -------------------------------------------------------------------------- */

int vg__sq_counter_get(int64_t *out, vg_store_conn *conn, const char *name)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_COUNTER_GET);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, name);
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        *out = 0; /* a counter that was never added to */
        rc = VG_OK;
    } else if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) == SQLITE_INTEGER) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = VG_OK;
    } else if (rc == SQLITE_ROW) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "the counter %.63s holds no integer", name);
        rc = VG_ESTORE_CORRUPT;
    } else {
        rc = vg__sq_error(conn, rc, "cannot read a counter");
    }
    sqlite3_reset(stmt);
    return rc;
}

/* Reads the counter and writes the sum, which the transaction's write lock keeps atomic;
 * the sum is checked here because SQLite's own `value + delta` turns to REAL on overflow. */
int vg__sq_counter_add(int64_t *out, vg_store_conn *conn, const char *name, int64_t delta)
{
    sqlite3_stmt *stmt;
    int64_t value = 0;
    int rc = vg__sq_counter_get(&value, conn, name);

    if (rc != VG_OK)
        return rc;
    if (delta > 0 ? value > INT64_MAX - delta : value < INT64_MIN - delta) {
        snprintf(conn->errmsg, sizeof conn->errmsg,
                 "the counter %.63s would overflow: %lld + %lld", name, (long long)value,
                 (long long)delta);
        return VG_ERANGE;
    }
    value += delta;
    if ((rc = vg__sq_stmt(&stmt, conn, SQ_COUNTER_PUT)) != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, name);
    sqlite3_bind_int64(stmt, 2, value);
    rc = vg__sq_exec(conn, stmt, "cannot write a counter");
    if (rc == VG_OK && out)
        *out = value;
    return rc;
}
