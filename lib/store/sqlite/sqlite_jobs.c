/* SPDX-License-Identifier: MIT */
/* The SQLite backend's generation jobs, their inputs and the inspiration gallery. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_internal.h"

/*
 * Jobs and examples go through the shared field tables (record_fields.c); an input's data,
 * which they cannot describe, is bound and read here as the two columns after its fields:
 * `size` and `data`, a BLOB. The data read back is copied into the connection's buffer
 * (conn->input), because SQLite's own copy dies with the statement's reset: it lives until
 * the next call on the connection, as input_get promises, and the next begin frees it.
 *
 * Every method first checks its arguments with record_fields.c (vg__record_check,
 * vg__text_check, vg__job_filter_check): a text without its terminator would be cut, so it
 * is VG_EINVAL, as is a NaN, which SQLite would store as NULL.
 *
 * job_claim needs no lock of its own: the core calls it in a VG_TXN_WRITE transaction,
 * which holds the database's write lock from BEGIN IMMEDIATE on, so the choice of a job and
 * its lease are one step for every other process.
 */

_Static_assert(VG_STORE_JOB_FINAL == 3, "the SQL of jobs (sqlite_backend.c) writes it as 3");

/* --- jobs ------------------------------------------------------------------------------ */

int vg__sq_job_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_job *job)
{
    const char *what = "cannot store a job";
    sqlite3_stmt *stmt;
    char detail[96];
    int rc;

    if (!conn)
        return VG_EINVAL;
    rc = vg__sq_bind_checked(&stmt, conn, SQ_JOB_INSERT, &vg__job_record, job, what);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, 1); /* a new job is at version 1, whatever it says */
    if ((rc = vg__sq_insert_new(conn, stmt, what)) == VG_EEXISTS) { /* (user_id, key) */
        snprintf(detail, sizeof detail, "user %lld has a job with that idempotency key",
                 (long long)job->user_id);
        return vg__sq_say(conn, VG_EEXISTS, what, detail);
    }
    if (rc == VG_OK && out_id)
        *out_id = sqlite3_last_insert_rowid(conn->db);
    return rc;
}

int vg__sq_job_get(vg_store_job *out, vg_store_conn *conn, int64_t id, int for_update)
{
    (void)for_update; /* the write transaction's lock covers every row */
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__sq_say(conn, VG_EINVAL, "cannot read a job", "a NULL argument");
    return vg__sq_get_by_id(out, conn, SQ_JOB_GET, &vg__job_record, id, "cannot read a job");
}

int vg__sq_job_find(vg_store_job *out, vg_store_conn *conn, int64_t user_id,
                    const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_get_by_key_checked(out, conn, SQ_JOB_FIND, &vg__job_record, user_id,
                                     idempotency_key, "cannot find a job");
}

int vg__sq_job_update(vg_store_conn *conn, const vg_store_job *job)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_update_versioned(conn, SQ_JOB_UPDATE, SQ_JOB_VERSION, &vg__job_record, job,
                                   job ? job->id : 0, job ? job->version : 0,
                                   "cannot update a job");
}

int vg__sq_job_claim(vg_store_job *out, vg_store_conn *conn, const vg_store_job_claim *claim)
{
    const char *what = "cannot claim a job";
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out || !claim)
        return vg__sq_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, claim->lease_owner,
                             VG_STORE_WORKER_SIZE, "lease owner")) != VG_OK ||
        (rc = vg__sq_stmt_with_id(&stmt, conn, SQ_JOB_CLAIM, claim->now)) != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, claim->aged_before);
    vg__sq_bind_text(stmt, 3, claim->lease_owner);
    sqlite3_bind_int64(stmt, 4, claim->lease_until);
    /* UPDATE ... RETURNING: the row as the lease left it, or none when no job is due */
    return vg__sq_get_row(out, conn, stmt, &vg__job_record, what);
}

int vg__sq_jobs_list(vg_store_conn *conn, const vg_store_job_filter *filter,
                     vg_store_job_fn callback, void *payload)
{
    const char *what = "cannot list jobs";
    sqlite3_stmt *stmt;
    vg_store_job job;
    sq_stmt id;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__job_filter_check(conn->errmsg, sizeof conn->errmsg, what, filter,
                                   callback != NULL)) != VG_OK)
        return rc;
    /* the statement whose index serves the filter: every one applies all of it */
    id = filter->scope && filter->active_only ? SQ_JOBS_LIST_ACTIVE_SCOPE
         : filter->user_id != 0               ? SQ_JOBS_LIST_USER
                                              : SQ_JOBS_LIST_ALL;
    if ((rc = vg__sq_stmt_with_id(&stmt, conn, id, filter->user_id)) != VG_OK)
        return rc;
    if (filter->scope)
        vg__sq_bind_text(stmt, 2, filter->scope);
    sqlite3_bind_int(stmt, 3, filter->active_only != 0);
    sqlite3_bind_int64(stmt, 4, filter->before_id != 0 ? filter->before_id : INT64_MAX);
    sqlite3_bind_int(stmt, 5, filter->limit);
    while ((rc = vg__sq_next(&job, conn, stmt, &vg__job_record, what)) == VG_OK)
        if (callback(&job, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- inputs ---------------------------------------------------------------------------- */

void vg__sq_input_free(vg_store_conn *conn)
{
    if (!conn->input)
        return;
    if (conn->alloc)
        conn->alloc(conn->input, 0, conn->alloc_payload);
    else
        free(conn->input);
    conn->input = NULL;
    conn->input_capacity = 0;
}

/* Makes conn->input hold at least `bytes` (1 or more); what it held before is not kept. */
static int input_room(vg_store_conn *conn, size_t bytes)
{
    void *grown;

    if (bytes <= conn->input_capacity)
        return VG_OK;
    grown = conn->alloc ? conn->alloc(conn->input, bytes, conn->alloc_payload)
                        : realloc(conn->input, bytes);
    if (!grown) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "out of memory for an input of %zu bytes",
                 bytes);
        return VG_ENOMEM;
    }
    conn->input = grown;
    conn->input_capacity = bytes;
    return VG_OK;
}

int vg__sq_input_put(vg_store_conn *conn, const vg_store_input *input)
{
    static const unsigned char empty[1];
    const char *what = "cannot store an input";
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (input && !input->data && input->size > 0)
        return vg__sq_say(conn, VG_EINVAL, what, "its data is NULL");
    rc = vg__sq_bind_checked(&stmt, conn, SQ_INPUT_PUT, &vg__input_record, input, what);
    if (rc != VG_OK)
        return rc;
    /* the data is the caller's until the statement has run: not copied */
    rc = sqlite3_bind_blob64(stmt, 5, input->size ? input->data : empty, input->size,
                             SQLITE_STATIC);
    if (rc != SQLITE_OK) { /* beyond SQLite's length limit: SQLITE_TOOBIG */
        snprintf(conn->errmsg, sizeof conn->errmsg, "%s of %zu bytes: %s", what, input->size,
                 sqlite3_errstr(rc));
        sqlite3_reset(stmt);
        return rc == SQLITE_TOOBIG ? VG_ERANGE : VG_ESTORE;
    }
    sqlite3_bind_int64(stmt, 4, (sqlite3_int64)input->size);
    return vg__sq_exec(conn, stmt, what); /* a hash already stored inserts nothing */
}

/* Copies the data of the row vg__sq_next just read (its size and data follow the fields)
 * into the connection's buffer. */
static int read_input_data(vg_store_input *out, vg_store_conn *conn, sqlite3_stmt *stmt)
{
    int col = (int)vg__input_record.count, rc;
    sqlite3_int64 size = sqlite3_column_int64(stmt, col);
    const void *blob = sqlite3_column_blob(stmt, col + 1);
    int bytes = sqlite3_column_bytes(stmt, col + 1);

    if (sqlite3_column_type(stmt, col + 1) != SQLITE_BLOB || size != bytes) {
        snprintf(conn->errmsg, sizeof conn->errmsg,
                 "a stored input has %d bytes of data, not the %lld it says", bytes,
                 (long long)size);
        return VG_ESTORE_CORRUPT;
    }
    if (bytes > 0 && !blob) /* SQLite ran out of memory reading it */
        return vg__sq_error(conn, SQLITE_NOMEM, "cannot read an input");
    if ((rc = input_room(conn, bytes > 0 ? (size_t)bytes : 1)) != VG_OK)
        return rc;
    if (bytes > 0)
        memcpy(conn->input, blob, (size_t)bytes);
    out->data = conn->input;
    out->size = (size_t)bytes;
    return VG_OK;
}

int vg__sq_input_get(vg_store_input *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE])
{
    const char *what = "cannot read an input";
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out || !hash)
        return vg__sq_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__sq_stmt(&stmt, conn, SQ_INPUT_GET)) != VG_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, VG_STORE_HASH_SIZE, SQLITE_STATIC);
    rc = vg__sq_next(out, conn, stmt, &vg__input_record, what);
    if (rc == VG_OK)
        rc = read_input_data(out, conn, stmt);
    sqlite3_reset(stmt);
    return rc;
}

/* --- the gallery ----------------------------------------------------------------------- */

int vg__sq_gallery_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_example *example)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_write_checked(out_id, conn, SQ_GALLERY_INSERT, &vg__example_record, example,
                                "cannot add a gallery example");
}

int vg__sq_gallery_list(vg_store_conn *conn, const char *topic, const char *lang,
                        vg_store_example_fn callback, void *payload)
{
    const char *what = "cannot list the gallery";
    vg_store_example example;
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__sq_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((topic && (rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, topic,
                                       VG_NAME_SIZE, "topic")) != VG_OK) ||
        (lang && (rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, lang,
                                      VG_STORE_LANG_SIZE, "language")) != VG_OK))
        return rc;
    if ((rc = vg__sq_stmt(&stmt, conn, topic ? SQ_GALLERY_LIST_TOPIC : SQ_GALLERY_LIST_ANY)) !=
        VG_OK)
        return rc;
    if (topic)
        vg__sq_bind_text(stmt, 1, topic);
    if (lang)
        vg__sq_bind_text(stmt, 2, lang);
    while ((rc = vg__sq_next(&example, conn, stmt, &vg__example_record, what)) == VG_OK)
        if (callback(&example, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_gallery_delete(vg_store_conn *conn, int64_t id)
{
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__sq_stmt_with_id(&stmt, conn, SQ_GALLERY_DELETE, id)) != VG_OK)
        return rc;
    return vg__sq_update_one(conn, stmt, "cannot remove a gallery example");
}
