/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's similarity cache: entries, embeddings, block verdicts and counters. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/*
 * The fixed fields of an entry, an embedding or a verdict go through the shared field tables
 * (record_fields.c); the vector, which they cannot describe, is the column after them: a
 * BYTEA of dimension * 4 bytes, float32 in the machine's byte order, sent as a binary
 * parameter and read back from bytea's hex output into a buffer of the connection (text
 * from libpq is not aligned for floats). cache_entry_get and embedding_get share one buffer,
 * kept until the next read on the connection as they promise; cache_entries_changed has its
 * own, so that its callback may read an entry on the same connection.
 *
 * seq: readers in other processes follow the entries with "seq > the last one seen", so a
 * seq must never become visible after a larger one. Ids come from a sequence, and
 * concurrent transactions may commit them out of order (storage-backends.md, "Ids and
 * paging"); a seq would too. So every writer of a seq (cache_entry_insert and
 * cache_entry_delete) first takes a transaction-level advisory lock, CACHE_SEQ_LOCK, and
 * only then draws the next value of vg_cache_seq: writers of cache entries serialise, and
 * as the lock is released only after commit, they commit in the order of their seqs. A
 * drawn seq that rolls back, or that a delete of no live entry draws, leaves a gap, which
 * readers do not mind. cache_entry_touch keeps the seq and takes no lock. A writer waits
 * for the lock at most lock_timeout (VG_EBUSY); a deadlock with row locks taken in another
 * order is VG_ECONFLICT, and the core runs the transaction again.
 */

/* The writers of a seq: pg_advisory_xact_lock's 64-bit key space, "vidgoseq" in ASCII (the
 * first opening's lock, in pg_backend.c, is "vidgoscm"). */
#define CACHE_SEQ_LOCK "8532461364444358001"

#define SQL(id) [id - PG_CACHE_FIRST]
const char *const vg__pg_cache_sql[PG_JOBS_FIRST - PG_CACHE_FIRST] = {
    /* the function in FROM runs, and waits for the lock, before nextval is drawn */
    SQL(PG_CACHE_SEQ_NEXT) =
        "SELECT nextval('vg_cache_seq') FROM pg_advisory_xact_lock(" CACHE_SEQ_LOCK ")",
    /* binds every field but id (seq drawn, deleted and hits 0), then the vector */
    SQL(PG_CACHE_ENTRY_INSERT) = "INSERT INTO vg_cache_entries (" VG__CACHE_ENTRY_DATA
                                 ", vector) VALUES (" PG_D16 ") RETURNING id",
    /* a tombstone keeps everything but its vector (dimension 0, vector NULL), as in SQLite */
    SQL(PG_CACHE_ENTRY_DELETE) = "UPDATE vg_cache_entries SET deleted = 1, seq = $2, "
                                 "dimension = 0, vector = NULL WHERE id = $1 AND deleted = 0",
    SQL(PG_CACHE_ENTRY_TOUCH) = "UPDATE vg_cache_entries SET hits = hits + $2, last_hit_at = $3 "
                                "WHERE id = $1 AND deleted = 0",
    SQL(PG_CACHE_ENTRIES_CHANGED) = "SELECT " VG__CACHE_ENTRY_COLUMNS ", vector "
                                    "FROM vg_cache_entries WHERE seq > $1 ORDER BY seq LIMIT $2",
    SQL(PG_CACHE_ENTRY_GET) = "SELECT " VG__CACHE_ENTRY_COLUMNS ", vector "
                              "FROM vg_cache_entries WHERE id = $1 AND deleted = 0",
    SQL(PG_EMBEDDING_PUT) =
        "INSERT INTO vg_embeddings (" VG__EMBEDDING_COLUMNS ", vector) VALUES (" PG_D5 ") "
        "ON CONFLICT (prompt_hash, fingerprint) DO UPDATE SET created_at = excluded.created_at, "
        "dimension = excluded.dimension, vector = excluded.vector",
    SQL(PG_EMBEDDING_GET) = "SELECT " VG__EMBEDDING_COLUMNS ", vector FROM vg_embeddings "
                            "WHERE prompt_hash = $1 AND fingerprint = $2",
    SQL(PG_BLOCK_PUT) = "INSERT INTO vg_block_cache (" VG__BLOCK_COLUMNS ") VALUES (" PG_D4 ") "
                        "ON CONFLICT (prompt_hash) DO UPDATE SET reason = excluded.reason, "
                        "created_at = excluded.created_at, expires_at = excluded.expires_at",
    SQL(PG_BLOCK_GET) = "SELECT " VG__BLOCK_COLUMNS " FROM vg_block_cache WHERE prompt_hash = $1",
    /* A sum that would overflow BIGINT returns no row instead of failing (which would abort
     * the transaction): the sum is checked as numeric first. */
    SQL(PG_COUNTER_ADD) =
        "INSERT INTO vg_counters (name, value) VALUES ($1, $2) "
        "ON CONFLICT (name) DO UPDATE SET value = vg_counters.value + excluded.value "
        "WHERE vg_counters.value::numeric + excluded.value "
        "BETWEEN -9223372036854775808 AND 9223372036854775807 RETURNING value",
    SQL(PG_COUNTER_GET) = "SELECT value FROM vg_counters WHERE name = $1",
};

/* --- vectors --------------------------------------------------------------------------- */

/* Makes buf hold at least `bytes`; what it held before is not kept. */
static int vector_room(vg_store_conn *conn, pg_vector *buf, size_t bytes)
{
    void *grown;

    if (bytes <= buf->capacity)
        return VG_OK;
    grown = conn->alloc ? conn->alloc(buf->data, bytes, conn->alloc_payload)
                        : realloc(buf->data, bytes);
    if (!grown)
        return vg__pg_say(conn, VG_ENOMEM, "cannot read a vector", "out of memory");
    buf->data = grown;
    buf->capacity = bytes;
    return VG_OK;
}

void vg__pg_vectors_free(vg_store_conn *conn)
{
    pg_vector *bufs[2] = {&conn->got, &conn->listed};
    size_t i;

    for (i = 0; i < 2; i++) {
        if (!bufs[i]->data)
            continue;
        if (conn->alloc)
            conn->alloc(bufs[i]->data, 0, conn->alloc_payload);
        else
            free(bufs[i]->data);
        bufs[i]->data = NULL;
        bufs[i]->capacity = 0;
    }
}

/* VG_EINVAL, before any statement runs, for a record without a vector to store. */
static int check_vector(vg_store_conn *conn, const float *vector, int dimension,
                        const char *what)
{
    char detail[96];

    if (vector && dimension >= 1 && dimension <= INT_MAX / (int)sizeof(float))
        return VG_OK;
    snprintf(detail, sizeof detail, "no vector of 1 or more floats (dimension %d)", dimension);
    return vg__pg_say(conn, VG_EINVAL, what, detail);
}

/* Adds a checked vector as a binary BYTEA parameter. */
static void param_vector(pg_params *p, const float *vector, int dimension)
{
    vg__pg_param_blob(p, vector, (size_t)dimension * sizeof(float));
}

/* Copies the vector of the row vg__pg_next just read (the column after the fields of `rec`),
 * which must hold *dimension floats, into buf and points *out at it. With may_be_null (a tombstone), a NULL column
 * gives a NULL vector and dimension 0; any other mismatch is VG_ESTORE_CORRUPT. */
static int read_vector(const float **out, int *dimension, vg_store_conn *conn, pg_vector *buf,
                       const pg_rows *rows, const vg__record *rec, int may_be_null)
{
    int row = rows->next - 1, col = (int)rec->count;
    size_t len = (size_t)PQgetlength(rows->res, row, col), bytes;
    int null = PQgetisnull(rows->res, row, col), rc;
    char detail[160];

    if (null && may_be_null) {
        *out = NULL;
        *dimension = 0;
        return VG_OK;
    }
    bytes = *dimension > 0 ? (size_t)*dimension * sizeof(float) : 0;
    if (null || bytes == 0 || len != 2 + 2 * bytes) {
        snprintf(detail, sizeof detail, "a stored %s has a vector of %s%zu bytes, not %d floats",
                 rec->what, null ? "NULL, " : "", len > 2 ? (len - 2) / 2 : 0, *dimension);
        return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read a record", detail);
    }
    if ((rc = vector_room(conn, buf, bytes)) != VG_OK)
        return rc;
    if (vg__pg_unhex((unsigned char *)buf->data, bytes, PQgetvalue(rows->res, row, col), len)) {
        snprintf(detail, sizeof detail, "a stored %s has a vector that is not bytea's hex",
                 rec->what);
        return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read a record", detail);
    }
    *out = buf->data;
    return VG_OK;
}

/* --- cache entries --------------------------------------------------------------------- */

/* Draws the next seq, once this transaction holds the lock of the writers of seqs. */
static int next_seq(int64_t *out, vg_store_conn *conn, const char *what)
{
    PGresult *res;
    int rc = vg__pg_exec(&res, conn, PG_CACHE_SEQ_NEXT, NULL, what);

    if (rc != VG_OK)
        return rc;
    *out = vg__pg_int64(res, 0, 0);
    PQclear(res);
    return VG_OK;
}

int vg__pg_cache_entry_insert(int64_t *out_id, vg_store_conn *conn,
                              const vg_store_cache_entry *entry)
{
    const char *what = "cannot add a cache entry";
    vg_store_cache_entry row = *entry;
    PGresult *res;
    pg_params p;
    int rc;

    if ((rc = check_vector(conn, entry->vector, entry->dimension, what)) != VG_OK ||
        (rc = next_seq(&row.seq, conn, what)) != VG_OK)
        return rc;
    row.deleted = 0;
    row.hits = 0;
    vg__pg_params_init(&p);
    if ((rc = vg__pg_param_record(&p, conn, &vg__cache_entry_record, &row)) != VG_OK)
        return rc;
    param_vector(&p, entry->vector, entry->dimension);
    if ((rc = vg__pg_exec(&res, conn, PG_CACHE_ENTRY_INSERT, &p, what)) != VG_OK)
        return rc;
    if (out_id)
        *out_id = vg__pg_int64(res, 0, 0);
    PQclear(res);
    return VG_OK;
}

int vg__pg_cache_entry_delete(vg_store_conn *conn, int64_t id)
{
    const char *what = "cannot delete a cache entry";
    int64_t seq;
    pg_params p;
    int rc = next_seq(&seq, conn, what);

    if (rc != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    vg__pg_param_int64(&p, seq);
    return vg__pg_change_one(conn, PG_CACHE_ENTRY_DELETE, &p, what);
}

int vg__pg_cache_entry_touch(vg_store_conn *conn, int64_t id, int64_t hits, vg_time at)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    vg__pg_param_int64(&p, hits);
    vg__pg_param_int64(&p, at);
    return vg__pg_change_one(conn, PG_CACHE_ENTRY_TOUCH, &p,
                             "cannot count a hit of a cache entry");
}

int vg__pg_cache_entries_changed(vg_store_conn *conn, int64_t after_seq, int limit,
                                 vg_store_cache_entry_fn callback, void *payload)
{
    vg_store_cache_entry entry;
    pg_rows rows;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, after_seq);
    vg__pg_param_limit(&p, limit);
    rc = vg__pg_query(&rows, conn, PG_CACHE_ENTRIES_CHANGED, &p,
                      "cannot list changed cache entries");
    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&entry, conn, &rows, &vg__cache_entry_record)) == VG_OK) {
        if ((rc = read_vector(&entry.vector, &entry.dimension, conn, &conn->listed, &rows,
                              &vg__cache_entry_record, entry.deleted != 0)) != VG_OK)
            break;
        if (callback(&entry, payload) != 0)
            break;
    }
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_cache_entry_get(vg_store_cache_entry *out, vg_store_conn *conn, int64_t id)
{
    pg_rows rows;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    rc = vg__pg_query(&rows, conn, PG_CACHE_ENTRY_GET, &p, "cannot read a cache entry");
    if (rc != VG_OK)
        return rc;
    rc = vg__pg_next(out, conn, &rows, &vg__cache_entry_record);
    if (rc == VG_OK)
        rc = read_vector(&out->vector, &out->dimension, conn, &conn->got, &rows,
                         &vg__cache_entry_record, out->deleted != 0);
    PQclear(rows.res);
    return rc;
}

/* --- embeddings ------------------------------------------------------------------------ */

int vg__pg_embedding_put(vg_store_conn *conn, const vg_store_embedding *embedding)
{
    const char *what = "cannot write an embedding";
    pg_params p;
    int rc;

    if ((rc = check_vector(conn, embedding->vector, embedding->dimension, what)) != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    if ((rc = vg__pg_param_record(&p, conn, &vg__embedding_record, embedding)) != VG_OK)
        return rc;
    param_vector(&p, embedding->vector, embedding->dimension);
    return vg__pg_exec(NULL, conn, PG_EMBEDDING_PUT, &p, what);
}

int vg__pg_embedding_get(vg_store_embedding *out, vg_store_conn *conn,
                         const unsigned char hash[VG_STORE_HASH_SIZE], const char *fingerprint)
{
    pg_rows rows;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_hash(&p, hash, VG_STORE_HASH_SIZE);
    vg__pg_param_text(&p, fingerprint);
    rc = vg__pg_query(&rows, conn, PG_EMBEDDING_GET, &p, "cannot read an embedding");
    if (rc != VG_OK)
        return rc;
    rc = vg__pg_next(out, conn, &rows, &vg__embedding_record);
    if (rc == VG_OK)
        rc = read_vector(&out->vector, &out->dimension, conn, &conn->got, &rows,
                         &vg__embedding_record, 0);
    PQclear(rows.res);
    return rc;
}

/* --- block verdicts -------------------------------------------------------------------- */

int vg__pg_block_put(vg_store_conn *conn, const vg_store_block *block)
{
    return vg__pg_write(NULL, conn, PG_BLOCK_PUT, &vg__block_record, block, VG_OK,
                        "cannot write a block verdict");
}

int vg__pg_block_get(vg_store_block *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE])
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_hash(&p, hash, VG_STORE_HASH_SIZE);
    return vg__pg_get(out, conn, PG_BLOCK_GET, &p, &vg__block_record,
                      "cannot read a block verdict");
}

/* --- counters -------------------------------------------------------------------------- */

int vg__pg_counter_add(int64_t *out, vg_store_conn *conn, const char *name, int64_t delta)
{
    const char *what = "cannot count";
    char detail[128];
    PGresult *res;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_text(&p, name);
    vg__pg_param_int64(&p, delta);
    if ((rc = vg__pg_exec(&res, conn, PG_COUNTER_ADD, &p, what)) != VG_OK)
        return rc;
    if (PQntuples(res) == 0) {
        snprintf(detail, sizeof detail, "the counter %.63s would overflow adding %lld", name,
                 (long long)delta);
        rc = vg__pg_say(conn, VG_ERANGE, what, detail);
    } else if (out) {
        *out = vg__pg_int64(res, 0, 0);
    }
    PQclear(res);
    return rc;
}

int vg__pg_counter_get(int64_t *out, vg_store_conn *conn, const char *name)
{
    PGresult *res;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_text(&p, name);
    if ((rc = vg__pg_exec(&res, conn, PG_COUNTER_GET, &p, "cannot read a counter")) != VG_OK)
        return rc;
    *out = PQntuples(res) > 0 ? vg__pg_int64(res, 0, 0) : 0; /* 0: never added to */
    PQclear(res);
    return VG_OK;
}
