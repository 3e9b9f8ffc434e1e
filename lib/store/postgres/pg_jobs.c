/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's generation jobs, their inputs and the inspiration gallery. */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

/*
 * Jobs and examples go through the shared field tables (record_fields.c); an input's data,
 * which they cannot describe, is the two columns after its fields: `size` and `data`, a
 * BYTEA sent as a binary parameter (not copied) and read back from bytea's hex output into
 * the connection's buffer, which lives until the next call on the connection, as input_get
 * promises (the next begin frees it).
 *
 * Every method first checks its arguments with record_fields.c (vg__record_check,
 * vg__text_check, vg__job_filter_check), so that a text too long or a NaN is VG_EINVAL in
 * both built-in backends, before any statement runs and with the transaction still usable.
 *
 * A taken idempotency key is an answer, not a failure: job_insert is INSERT ... ON CONFLICT
 * (user_id, idempotency_key) DO NOTHING RETURNING id, and no row back is VG_EEXISTS with the
 * transaction still usable. A second writer of the same new key waits for the first to
 * commit, then finds it taken.
 *
 * job_update is optimistic: UPDATE ... WHERE id = $id AND version = $version. At READ
 * COMMITTED, an UPDATE that meets a row another transaction changed and committed meanwhile
 * re-checks its WHERE on the new row, so two writers of one version cannot both succeed:
 * the second changes nothing, and job_update then tells VG_ESTATE (the job is there, at
 * another version) from VG_ENOTFOUND.
 *
 * job_claim is one statement: an UPDATE of the job that a sub-select picks with FOR UPDATE
 * SKIP LOCKED. The sub-select locks the first due job in the order of the queue, passing
 * over the rows other transactions hold locked (a job another worker is claiming right
 * now), so workers in any number of processes never wait for each other and never take the
 * same job: a row whose claim committed while the sub-select ran is read again as committed,
 * and its new lease makes it not due. The UPDATE then takes the lease and returns the row.
 */

_Static_assert(VG_STORE_JOB_FINAL == 3, "the SQL of jobs writes VG_STORE_JOB_FINAL as 3");

/* Placeholders $1 .. $53: a job's fields but its id. */
#define PG_D53                                                                                     \
    PG_D21 ", $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, "   \
           "$38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50, $51, $52, $53"

/* The jobs job_claim looks at: the predicate of the partial index vg_jobs_open. */
#define JOB_OPEN "(state < 3 OR settled = 0)"
/* The filters of a job list: $1 user_id (0: any), $2 scope (NULL: any), $3 active_only, $4
 * the id bound (id < $4), $5 the limit. Each statement states them all, leading with the
 * one its index serves; the casts give each parameter its type once for all its uses. */
#define JOBS_LIST "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE "
#define JOBS_LIST_END " ORDER BY id DESC LIMIT $5"

#define SQL(id) [id - PG_JOBS_FIRST]
const char *const vg__pg_jobs_sql[PG_PAYMENTS_FIRST - PG_JOBS_FIRST] = {
    SQL(PG_JOB_INSERT) = "INSERT INTO vg_jobs (" VG__JOB_DATA ") VALUES (" PG_D53 ") "
                         "ON CONFLICT (user_id, idempotency_key) DO NOTHING RETURNING id",
    SQL(PG_JOB_GET) = "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE id = $1",
    SQL(PG_JOB_GET_FOR_UPDATE) = "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE id = $1 FOR UPDATE",
    SQL(PG_JOB_FIND) =
        "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE user_id = $1 AND idempotency_key = $2",
    /* $1 .. $53 the fields ($1 the version it was read at), $54 the id */
    SQL(PG_JOB_UPDATE) =
        "UPDATE vg_jobs SET (" VG__JOB_DATA ") = ($1::bigint + 1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "$10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, "
        "$27, $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, "
        "$44, $45, $46, $47, $48, $49, $50, $51, $52, $53) WHERE id = $54 AND version = $1",
    SQL(PG_JOB_VERSION) = "SELECT version FROM vg_jobs WHERE id = $1",
    /* $1 now, $2 aged_before, $3 and $4 the lease */
    SQL(PG_JOB_CLAIM) =
        "UPDATE vg_jobs SET lease_owner = $3, lease_until = $4, version = version + 1 "
        "WHERE id = (SELECT id FROM vg_jobs WHERE " JOB_OPEN " AND lease_until <= $1::bigint "
        "AND ((state < 3 AND next_run_at <= $1) OR (state >= 3 AND settled = 0)) "
        "ORDER BY (priority = 1 OR created_at < $2::bigint) DESC, created_at, id "
        "LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING " VG__JOB_COLUMNS,
    SQL(PG_JOBS_LIST_ALL) = JOBS_LIST "id < $4::bigint AND ($1::bigint = 0 OR user_id = $1) "
                            "AND ($2::text IS NULL OR scope = $2) "
                            "AND ($3::int = 0 OR state < 3)" JOBS_LIST_END,
    SQL(PG_JOBS_LIST_USER) = JOBS_LIST "user_id = $1::bigint AND id < $4::bigint "
                             "AND ($2::text IS NULL OR scope = $2) "
                             "AND ($3::int = 0 OR state < 3)" JOBS_LIST_END,
    SQL(PG_JOBS_LIST_ACTIVE_SCOPE) = JOBS_LIST "scope = $2::text AND state < 3 AND id < $4::bigint "
                                     "AND ($1::bigint = 0 OR user_id = $1) "
                                     "AND ($3::int = 0 OR state < 3)" JOBS_LIST_END,
    /* an input binds its fields as $1 .. $3, then its size and data; a hash already stored
     * inserts nothing */
    SQL(PG_INPUT_PUT) = "INSERT INTO vg_job_inputs (" VG__INPUT_COLUMNS ", size, data) "
                        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING",
    SQL(PG_INPUT_GET) =
        "SELECT " VG__INPUT_COLUMNS ", size, data FROM vg_job_inputs WHERE hash = $1",
    SQL(PG_GALLERY_INSERT) =
        "INSERT INTO vg_gallery (" VG__EXAMPLE_DATA ") VALUES (" PG_D10 ") RETURNING id",
    /* _ANY: $1 lang (NULL: any); _TOPIC: $1 topic, $2 lang (NULL: any) */
    SQL(PG_GALLERY_LIST_ANY) = "SELECT " VG__EXAMPLE_COLUMNS " FROM vg_gallery "
                               "WHERE $1::text IS NULL OR lang = $1 ORDER BY id",
    SQL(PG_GALLERY_LIST_TOPIC) = "SELECT " VG__EXAMPLE_COLUMNS " FROM vg_gallery "
                                 "WHERE topic = $1 AND ($2::text IS NULL OR lang = $2) ORDER BY id",
    SQL(PG_GALLERY_DELETE) = "DELETE FROM vg_gallery WHERE id = $1",
};

/* --- jobs ------------------------------------------------------------------------------ */

int vg__pg_job_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_job *job)
{
    const char *what = "cannot store a job";
    vg_store_job row;
    int64_t id = 0;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, &vg__job_record, job)) !=
        VG_OK)
        return rc;
    row = *job;
    row.version = 1; /* a new job is at version 1, whatever it says */
    rc = vg__pg_write(&id, conn, PG_JOB_INSERT, &vg__job_record, &row, VG_EEXISTS, what);
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__pg_job_get(vg_store_job *out, vg_store_conn *conn, int64_t id, int for_update)
{
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__pg_say(conn, VG_EINVAL, "cannot read a job", "a NULL argument");
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_JOB_GET_FOR_UPDATE : PG_JOB_GET,
                            &vg__job_record, id, "cannot read a job");
}

int vg__pg_job_find(vg_store_job *out, vg_store_conn *conn, int64_t user_id,
                    const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_get_by_key_checked(out, conn, PG_JOB_FIND, &vg__job_record, user_id,
                                     idempotency_key, "cannot find a job");
}

int vg__pg_job_update(vg_store_conn *conn, const vg_store_job *job)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_update_versioned(conn, PG_JOB_UPDATE, PG_JOB_VERSION, &vg__job_record, job,
                                   job ? job->id : 0, job ? job->version : 0,
                                   "cannot update a job");
}

int vg__pg_job_claim(vg_store_job *out, vg_store_conn *conn, const vg_store_job_claim *claim)
{
    const char *what = "cannot claim a job";
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out || !claim)
        return vg__pg_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, claim->lease_owner,
                             VG_STORE_WORKER_SIZE, "lease owner")) != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, claim->now);
    vg__pg_param_int64(&p, claim->aged_before);
    vg__pg_param_text(&p, claim->lease_owner);
    vg__pg_param_int64(&p, claim->lease_until);
    /* UPDATE ... RETURNING: the row as the lease left it, or none when no job is due */
    return vg__pg_get(out, conn, PG_JOB_CLAIM, &p, &vg__job_record, what);
}

int vg__pg_jobs_list(vg_store_conn *conn, const vg_store_job_filter *filter,
                     vg_store_job_fn callback, void *payload)
{
    const char *what = "cannot list jobs";
    vg_store_job job;
    pg_rows rows;
    pg_params p;
    pg_stmt id;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__job_filter_check(conn->errmsg, sizeof conn->errmsg, what, filter,
                                   callback != NULL)) != VG_OK)
        return rc;
    /* the statement whose index serves the filter: every one applies all of it */
    id = filter->scope && filter->active_only ? PG_JOBS_LIST_ACTIVE_SCOPE
         : filter->user_id != 0               ? PG_JOBS_LIST_USER
                                              : PG_JOBS_LIST_ALL;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, filter->user_id);
    vg__pg_param_text(&p, filter->scope); /* NULL: SQL NULL */
    vg__pg_param_int64(&p, filter->active_only != 0);
    vg__pg_param_int64(&p, filter->before_id != 0 ? filter->before_id : INT64_MAX);
    vg__pg_param_limit(&p, filter->limit);
    if ((rc = vg__pg_query(&rows, conn, id, &p, what)) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&job, conn, &rows, &vg__job_record)) == VG_OK)
        if (callback(&job, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- inputs ---------------------------------------------------------------------------- */

void vg__pg_input_free(vg_store_conn *conn)
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
    if (!grown)
        return vg__pg_say(conn, VG_ENOMEM, "cannot read an input", "out of memory");
    conn->input = grown;
    conn->input_capacity = bytes;
    return VG_OK;
}

int vg__pg_input_put(vg_store_conn *conn, const vg_store_input *input)
{
    static const unsigned char empty[1];
    const char *what = "cannot store an input";
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (input && !input->data && input->size > 0)
        return vg__pg_say(conn, VG_EINVAL, what, "its data is NULL");
    if ((rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, &vg__input_record,
                               input)) != VG_OK)
        return rc;
    if (input->size > INT_MAX) /* libpq's parameter lengths are ints */
        return vg__pg_say(conn, VG_ERANGE, what, "it is larger than 2 GiB");
    vg__pg_params_init(&p);
    if ((rc = vg__pg_param_record(&p, conn, &vg__input_record, input)) != VG_OK)
        return rc;
    vg__pg_param_int64(&p, (int64_t)input->size);
    vg__pg_param_blob(&p, input->size ? input->data : empty, input->size);
    return vg__pg_exec(NULL, conn, PG_INPUT_PUT, &p, what);
}

/* Decodes the data of the row vg__pg_next just read (its size and data follow the fields)
 * into the connection's buffer. */
static int read_input_data(vg_store_input *out, vg_store_conn *conn, const pg_rows *rows)
{
    int row = rows->next - 1, col = (int)vg__input_record.count, rc;
    int64_t size = vg__pg_int64(rows->res, row, col);
    const char *text = PQgetvalue(rows->res, row, col + 1);
    size_t len = (size_t)PQgetlength(rows->res, row, col + 1);
    char detail[128];

    if (size < 0 || PQgetisnull(rows->res, row, col + 1) || len != 2 + 2 * (size_t)size) {
        snprintf(detail, sizeof detail, "a stored input has %zu bytes of data, not the %lld it says",
                 len > 2 ? (len - 2) / 2 : 0, (long long)size);
        return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read an input", detail);
    }
    if ((rc = input_room(conn, size > 0 ? (size_t)size : 1)) != VG_OK)
        return rc;
    if (vg__pg_unhex(conn->input, (size_t)size, text, len) != 0)
        return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read an input",
                          "its data is not bytea's hex");
    out->data = conn->input;
    out->size = (size_t)size;
    return VG_OK;
}

int vg__pg_input_get(vg_store_input *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE])
{
    const char *what = "cannot read an input";
    pg_rows rows;
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out || !hash)
        return vg__pg_say(conn, VG_EINVAL, what, "a NULL argument");
    vg__pg_params_init(&p);
    vg__pg_param_hash(&p, hash, VG_STORE_HASH_SIZE);
    if ((rc = vg__pg_query(&rows, conn, PG_INPUT_GET, &p, what)) != VG_OK)
        return rc;
    rc = vg__pg_next(out, conn, &rows, &vg__input_record);
    if (rc == VG_OK)
        rc = read_input_data(out, conn, &rows);
    PQclear(rows.res);
    return rc;
}

/* --- the gallery ----------------------------------------------------------------------- */

int vg__pg_gallery_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_example *example)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_write_checked(out_id, conn, PG_GALLERY_INSERT, &vg__example_record, example,
                                VG_OK, "cannot add a gallery example");
}

int vg__pg_gallery_list(vg_store_conn *conn, const char *topic, const char *lang,
                        vg_store_example_fn callback, void *payload)
{
    const char *what = "cannot list the gallery";
    vg_store_example example;
    pg_rows rows;
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__pg_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((topic && (rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, topic,
                                       VG_NAME_SIZE, "topic")) != VG_OK) ||
        (lang && (rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, lang,
                                      VG_STORE_LANG_SIZE, "language")) != VG_OK))
        return rc;
    vg__pg_params_init(&p);
    if (topic)
        vg__pg_param_text(&p, topic);
    vg__pg_param_text(&p, lang); /* NULL: SQL NULL */
    rc = vg__pg_query(&rows, conn, topic ? PG_GALLERY_LIST_TOPIC : PG_GALLERY_LIST_ANY, &p, what);
    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&example, conn, &rows, &vg__example_record)) == VG_OK)
        if (callback(&example, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_gallery_delete(vg_store_conn *conn, int64_t id)
{
    pg_params p;

    if (!conn)
        return VG_EINVAL;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    return vg__pg_change_one(conn, PG_GALLERY_DELETE, &p, "cannot remove a gallery example");
}
