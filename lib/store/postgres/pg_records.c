/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's record mapping (text parameters and columns by field table), meta
 * settings, the event journal and the check. */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_internal.h"

#define NAME_SEPARATOR '\x1f' /* joins the display names of one record in one column */

/* --- parameters ------------------------------------------------------------------------ */

void vg__pg_params_init(pg_params *p)
{
    p->count = 0;
    p->used = 0;
}

/* Takes n bytes of the arena. Texts that are terminated in their record are not copied: a
 * ledger row (16 numbers, 2 hashes, 3 texts) needs about 900 of its 4096, a cache entry
 * whose texts all fill their fields (2048 + 1024 + 256 + 128 bytes) about 3800, and a job
 * (whose texts are always terminated: vg__record_check) about 1100 for its 37 numbers, a
 * double and 2 hashes. */
static char *arena_take(pg_params *p, size_t n)
{
    char *at = p->arena + p->used;
    assert(p->used + n <= sizeof p->arena);
    p->used += n;
    return at;
}

static void add_value(pg_params *p, const char *value)
{
    assert(p->count < PG_MAX_PARAMS);
    p->lengths[p->count] = 0;
    p->formats[p->count] = 0;
    p->values[p->count++] = value;
}

void vg__pg_param_text(pg_params *p, const char *text)
{
    add_value(p, text);
}

void vg__pg_param_int64(pg_params *p, int64_t value)
{
    char *text = arena_take(p, 24);
    snprintf(text, 24, "%" PRId64, value);
    add_value(p, text);
}

void vg__pg_param_blob(pg_params *p, const void *data, size_t size)
{
    assert(size <= INT_MAX);
    add_value(p, data);
    p->lengths[p->count - 1] = (int)size;
    p->formats[p->count - 1] = 1;
}

/*
 * Doubles travel as text, which printf and strtod write and read in the locale's numeric
 * format: a host that set LC_NUMERIC to a language with a decimal comma would send "0,5".
 * They are written and read in the "C" locale, set for the calling thread only (uselocale)
 * while they are. "%.17g" and PostgreSQL's output (extra_float_digits = 3, pg_backend.c) are
 * exact both ways.
 */
static locale_t c_numeric;
static pthread_once_t c_numeric_once = PTHREAD_ONCE_INIT;

static void make_c_numeric(void)
{
    c_numeric = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
}

/* Switches the calling thread to the "C" numeric format; returns what to restore (0 when
 * the "C" locale could not be made: the process's then stands). */
static locale_t numeric_c_begin(void)
{
    pthread_once(&c_numeric_once, make_c_numeric);
    return c_numeric ? uselocale(c_numeric) : (locale_t)0;
}

static void numeric_c_end(locale_t previous)
{
    if (previous)
        uselocale(previous);
}

static void param_double(pg_params *p, double d)
{
    char *text = arena_take(p, 32);
    locale_t previous;

    if (isnan(d)) {
        snprintf(text, 32, "NaN");
    } else if (isinf(d)) {
        snprintf(text, 32, "%s", d > 0 ? "Infinity" : "-Infinity");
    } else {
        previous = numeric_c_begin();
        snprintf(text, 32, "%.17g", d);
        numeric_c_end(previous);
    }
    add_value(p, text);
}

static double column_double(const PGresult *res, int row, int col)
{
    locale_t previous;
    double d;

    if (PQgetisnull(res, row, col))
        return 0;
    previous = numeric_c_begin();
    d = strtod(PQgetvalue(res, row, col), NULL); /* also "Infinity", "-Infinity", "NaN" */
    numeric_c_end(previous);
    return d;
}

void vg__pg_param_limit(pg_params *p, int limit)
{
    if (limit < 0)
        add_value(p, NULL); /* LIMIT NULL: none */
    else
        vg__pg_param_int64(p, limit);
}

/* Joins the display names with 0x1F into the arena; VG_EINVAL if a name holds 0x1F. */
static int add_names(pg_params *p, vg_store_conn *conn,
                     const char (*names)[VG_DISPLAY_NAME_SIZE])
{
    char *out = arena_take(p, VG_LANG_COUNT * VG_DISPLAY_NAME_SIZE);
    size_t i, n, len = 0;
    char detail[96];

    for (i = 0; i < VG_LANG_COUNT; i++) {
        n = strnlen(names[i], VG_DISPLAY_NAME_SIZE - 1);
        if (memchr(names[i], NAME_SEPARATOR, n)) {
            snprintf(detail, sizeof detail,
                     "display name %zu contains the byte 0x1F, which cannot be stored", i);
            return vg__pg_say(conn, VG_EINVAL, "cannot write a record", detail);
        }
        if (i > 0)
            out[len++] = NAME_SEPARATOR;
        memcpy(out + len, names[i], n);
        len += n;
    }
    out[len] = '\0';
    add_value(p, out);
    return VG_OK;
}

void vg__pg_param_hash(pg_params *p, const unsigned char *hash, size_t size)
{
    static const char digits[] = "0123456789abcdef";
    char *text = arena_take(p, 2 * size + 3);
    size_t i;

    text[0] = '\\';
    text[1] = 'x';
    for (i = 0; i < size; i++) {
        text[2 + 2 * i] = digits[hash[i] >> 4];
        text[3 + 2 * i] = digits[hash[i] & 15];
    }
    text[2 + 2 * size] = '\0';
    add_value(p, text);
}

/* A fixed-size text field: itself when terminated, else a terminated copy. */
static void add_text(pg_params *p, const char *text, size_t size)
{
    size_t n = strnlen(text, size);
    char *copy;

    if (n < size) {
        add_value(p, text);
        return;
    }
    copy = arena_take(p, n + 1);
    memcpy(copy, text, n);
    copy[n] = '\0';
    add_value(p, copy);
}

/* A value the backend cannot store is a display name holding 0x1F. */
int vg__pg_param_record(pg_params *p, vg_store_conn *conn, const vg__record *rec,
                        const void *record)
{
    const unsigned char *base = record;
    const vg__field *f;
    int64_t i64;
    double d;
    int i;
    size_t k;

    for (k = 0; k < rec->count; k++) {
        f = &rec->fields[k];
        switch (f->kind) {
        case VG__FIELD_ID:
            break; /* the store assigns it */
        case VG__FIELD_INT:
            assert(f->size == sizeof i); /* a table names the kind of its field */
            memcpy(&i, base + f->offset, sizeof i);
            vg__pg_param_int64(p, i);
            break;
        case VG__FIELD_INT64:
            assert(f->size == sizeof i64);
            memcpy(&i64, base + f->offset, sizeof i64);
            vg__pg_param_int64(p, i64);
            break;
        case VG__FIELD_TEXT:
            add_text(p, (const char *)base + f->offset, f->size);
            break;
        case VG__FIELD_HASH:
            vg__pg_param_hash(p, base + f->offset, f->size);
            break;
        case VG__FIELD_NAMES:
            if (add_names(p, conn, (const void *)(base + f->offset)) != VG_OK)
                return VG_EINVAL;
            break;
        case VG__FIELD_DOUBLE:
            assert(f->size == sizeof d);
            memcpy(&d, base + f->offset, sizeof d);
            param_double(p, d);
            break;
        }
    }
    return VG_OK;
}

/* --- columns --------------------------------------------------------------------------- */

int64_t vg__pg_int64(const PGresult *res, int row, int col)
{
    return PQgetisnull(res, row, col) ? 0 : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

char *vg__pg_dup(vg_store_conn *conn, const PGresult *res, int row, int col)
{
    size_t n = (size_t)PQgetlength(res, row, col);
    char *copy = conn->alloc ? conn->alloc(NULL, n + 1, conn->alloc_payload) : malloc(n + 1);

    if (copy) {
        memcpy(copy, PQgetvalue(res, row, col), n);
        copy[n] = '\0';
    }
    return copy;
}

/* Copies len bytes of src into dst[size] and terminates it; when they do not fit, it cuts
 * before the UTF-8 sequence that would not fit whole. */
static void copy_bytes(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size) {
        len = size - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Splits a joined column back into the names; a missing part becomes "". */
static void split_names(char (*names)[VG_DISPLAY_NAME_SIZE], const char *text, size_t len)
{
    const char *end = text + len, *sep;
    size_t i;

    for (i = 0; i < VG_LANG_COUNT; i++) {
        sep = text < end ? memchr(text, NAME_SEPARATOR, (size_t)(end - text)) : NULL;
        copy_bytes(names[i], VG_DISPLAY_NAME_SIZE, text, (size_t)((sep ? sep : end) - text));
        text = sep ? sep + 1 : end;
    }
}

static int hex_digit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

int vg__pg_unhex(unsigned char *out, size_t size, const char *text, size_t len)
{
    size_t i;
    int hi, lo;

    if (len != 2 + 2 * size || text[0] != '\\' || text[1] != 'x')
        return -1;
    for (i = 0; i < size; i++) {
        hi = hex_digit(text[2 + 2 * i]);
        lo = hex_digit(text[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

static int read_field(vg_store_conn *conn, const PGresult *res, int row, int col,
                      const vg__field *f, const vg__record *rec, unsigned char *record)
{
    void *p = record + f->offset;
    const char *text = PQgetvalue(res, row, col);
    size_t len = (size_t)PQgetlength(res, row, col);
    char detail[160];
    int64_t i64;
    double d;
    int i;

    switch (f->kind) {
    case VG__FIELD_ID:
    case VG__FIELD_INT64:
        i64 = vg__pg_int64(res, row, col);
        memcpy(p, &i64, sizeof i64);
        break;
    case VG__FIELD_INT:
        i = (int)vg__pg_int64(res, row, col);
        memcpy(p, &i, sizeof i);
        break;
    case VG__FIELD_TEXT:
        copy_bytes(p, f->size, text, len);
        break;
    case VG__FIELD_HASH:
        if (vg__pg_unhex(p, f->size, text, len) != 0) {
            snprintf(detail, sizeof detail, "a stored %s has a %s of %zu bytes, not %zu",
                     rec->what, f->column, len > 2 ? (len - 2) / 2 : 0, f->size);
            return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read a record", detail);
        }
        break;
    case VG__FIELD_NAMES:
        split_names(p, text, len);
        break;
    case VG__FIELD_DOUBLE:
        d = column_double(res, row, col);
        memcpy(p, &d, sizeof d);
        break;
    }
    return VG_OK;
}

/* --- rows ------------------------------------------------------------------------------ */

int vg__pg_query(pg_rows *rows, vg_store_conn *conn, pg_stmt id, const pg_params *params,
                 const char *what)
{
    rows->next = 0;
    return vg__pg_exec(&rows->res, conn, id, params, what);
}

int vg__pg_next(void *out, vg_store_conn *conn, pg_rows *rows, const vg__record *rec)
{
    size_t i;
    int rc, row = rows->next;

    if (row >= PQntuples(rows->res))
        return VG_ENOTFOUND;
    rows->next++;
    memset(out, 0, rec->size);
    if (rec->version)
        memcpy(out, &rec->version, sizeof rec->version);
    for (i = 0; i < rec->count; i++)
        if ((rc = read_field(conn, rows->res, row, (int)i, &rec->fields[i], rec, out)) != VG_OK)
            return rc;
    return VG_OK;
}

int vg__pg_rows_end(pg_rows *rows, int rc)
{
    PQclear(rows->res);
    rows->res = NULL;
    return rc == VG_ENOTFOUND ? VG_OK : rc;
}

int vg__pg_get(void *out, vg_store_conn *conn, pg_stmt id, const pg_params *params,
               const vg__record *rec, const char *what)
{
    pg_rows rows;
    int rc = vg__pg_query(&rows, conn, id, params, what);

    if (rc != VG_OK)
        return rc;
    rc = vg__pg_next(out, conn, &rows, rec);
    PQclear(rows.res);
    return rc;
}

int vg__pg_get_by_text(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                       const char *key, const char *what)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_text(&p, key);
    return vg__pg_get(out, conn, id, &p, rec, what);
}

int vg__pg_get_by_id(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                     int64_t key, const char *what)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, key);
    return vg__pg_get(out, conn, id, &p, rec, what);
}

int vg__pg_get_by_id_text(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                          int64_t key, const char *text, const char *what)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, key);
    vg__pg_param_text(&p, text);
    return vg__pg_get(out, conn, id, &p, rec, what);
}

int vg__pg_get_by_text_checked(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                                const char *key, size_t size, const char *name,
                                const char *what)
{
    int rc;

    if (!out)
        return vg__pg_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, key, size, name)) != VG_OK)
        return rc;
    return vg__pg_get_by_text(out, conn, id, rec, key, what);
}

int vg__pg_get_by_key_checked(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                              int64_t user_id, const char *key, const char *what)
{
    int rc;

    if (!out)
        return vg__pg_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, key, VG_STORE_KEY_SIZE,
                             "idempotency key")) != VG_OK)
        return rc;
    return vg__pg_get_by_id_text(out, conn, id, rec, user_id, key, what);
}

int vg__pg_write(int64_t *out_id, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                 const void *record, int taken, const char *what)
{
    PGresult *res;
    pg_params p;
    char detail[64];
    int rc;

    vg__pg_params_init(&p);
    if ((rc = vg__pg_param_record(&p, conn, rec, record)) != VG_OK)
        return rc;
    if ((rc = vg__pg_exec(&res, conn, id, &p, what)) != VG_OK)
        return rc;
    if (taken != VG_OK && PQntuples(res) == 0) {
        snprintf(detail, sizeof detail, "a %s with the same key exists", rec->what);
        rc = vg__pg_say(conn, taken, what, detail);
    } else if (out_id) {
        *out_id = vg__pg_int64(res, 0, 0);
    }
    PQclear(res);
    return rc;
}

int vg__pg_write_checked(int64_t *out_id, vg_store_conn *conn, pg_stmt id,
                         const vg__record *rec, const void *record, int taken,
                         const char *what)
{
    int rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, rec, record);

    return rc == VG_OK ? vg__pg_write(out_id, conn, id, rec, record, taken, what) : rc;
}

/* --- writes that change one row, or fail as an answer --------------------------------- */

/* Runs a statement in a savepoint, rolled back to on failure, so that the transaction goes
 * on as it does in SQLite, where a failed statement leaves the transaction open. */
static int exec_guarded(PGresult **out, vg_store_conn *conn, pg_stmt id,
                        const pg_params *params, const char *what)
{
    char message[sizeof conn->errmsg];
    int before = conn->aborted_status;
    int rc = vg__pg_exec(NULL, conn, PG_SAVEPOINT, NULL, what);

    if (rc != VG_OK)
        return rc;
    rc = vg__pg_exec(out, conn, id, params, what);
    if (rc == VG_OK) {
        if ((rc = vg__pg_exec(NULL, conn, PG_RELEASE, NULL, what)) != VG_OK && out) {
            PQclear(*out);
            *out = NULL;
        }
        return rc;
    }
    memcpy(message, conn->errmsg, sizeof message);
    if (vg__pg_exec(NULL, conn, PG_ROLLBACK_TO, NULL, what) == VG_OK &&
        vg__pg_exec(NULL, conn, PG_RELEASE, NULL, what) == VG_OK)
        conn->aborted_status = before; /* the transaction is as it was before the statement */
    memcpy(conn->errmsg, message, sizeof message);
    return rc;
}

static int change_one(vg_store_conn *conn, pg_stmt id, const pg_params *params, int guarded,
                      const char *what)
{
    PGresult *res;
    int rc = guarded ? exec_guarded(&res, conn, id, params, what)
                     : vg__pg_exec(&res, conn, id, params, what);

    if (rc != VG_OK)
        return rc;
    rc = strcmp(PQcmdTuples(res), "0") == 0 ? VG_ENOTFOUND : VG_OK;
    PQclear(res);
    return rc;
}

int vg__pg_change_one(vg_store_conn *conn, pg_stmt id, const pg_params *params,
                      const char *what)
{
    return change_one(conn, id, params, 0, what);
}

int vg__pg_change_one_guarded(vg_store_conn *conn, pg_stmt id, const pg_params *params,
                              const char *what)
{
    return change_one(conn, id, params, 1, what);
}

/* After an update that changed no row: VG_ESTATE if the record exists (at another version),
 * VG_ENOTFOUND if it does not. */
static int why_unchanged(vg_store_conn *conn, pg_stmt version, const vg__record *rec,
                         int64_t id, int64_t read_version, const char *what)
{
    PGresult *res;
    char detail[160];
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    if ((rc = vg__pg_exec(&res, conn, version, &p, what)) != VG_OK)
        return rc;
    if (PQntuples(res) == 0) {
        rc = VG_ENOTFOUND;
    } else {
        snprintf(detail, sizeof detail,
                 "%s %lld has changed since it was read (version %lld, not %lld)", rec->what,
                 (long long)id, (long long)vg__pg_int64(res, 0, 0), (long long)read_version);
        rc = vg__pg_say(conn, VG_ESTATE, what, detail);
    }
    PQclear(res);
    return rc;
}

int vg__pg_update_versioned(vg_store_conn *conn, pg_stmt update, pg_stmt version,
                            const vg__record *rec, const void *record, int64_t id,
                            int64_t read_version, const char *what)
{
    pg_params p;
    int rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, rec, record);

    if (rc != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    if ((rc = vg__pg_param_record(&p, conn, rec, record)) != VG_OK)
        return rc;
    vg__pg_param_int64(&p, id);
    rc = vg__pg_change_one(conn, update, &p, what);
    return rc == VG_ENOTFOUND ? why_unchanged(conn, version, rec, id, read_version, what) : rc;
}

/* --- meta settings --------------------------------------------------------------------- */

int vg__pg_meta_get(char **out, vg_store_conn *conn, const char *key, int for_update)
{
    const char *what = "cannot read a setting";
    int lock = vg__pg_locking(conn, for_update);
    PGresult *res;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_text(&p, key);
    rc = vg__pg_exec(&res, conn, lock ? PG_META_GET_FOR_UPDATE : PG_META_GET, &p, what);
    /* A missing row cannot be locked, yet the core then writes it (the server secret, the
     * catalog's seeding): writers of one missing key queue on an advisory lock, then read
     * again, and a later one finds what an earlier one wrote. */
    if (rc == VG_OK && lock && PQntuples(res) == 0) {
        PQclear(res);
        if ((rc = vg__pg_exec(NULL, conn, PG_META_LOCK_KEY, &p, what)) != VG_OK)
            return rc;
        rc = vg__pg_exec(&res, conn, PG_META_GET_FOR_UPDATE, &p, what);
    }
    if (rc != VG_OK)
        return rc;
    if (PQntuples(res) == 0)
        rc = VG_ENOTFOUND;
    else if (!(*out = vg__pg_dup(conn, res, 0, 0)))
        rc = vg__pg_say(conn, VG_ENOMEM, what, "out of memory");
    PQclear(res);
    return rc;
}

int vg__pg_meta_put(vg_store_conn *conn, const char *key, const char *value)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_text(&p, key);
    vg__pg_param_text(&p, value);
    return vg__pg_exec(NULL, conn, PG_META_PUT, &p, "cannot write a setting");
}

int vg__pg_meta_delete(vg_store_conn *conn, const char *key)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_text(&p, key);
    return vg__pg_change_one(conn, PG_META_DELETE, &p, "cannot delete a setting");
}

/* --- events ---------------------------------------------------------------------------- */

int vg__pg_event_append(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event)
{
    PGresult *res;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, event->at);
    vg__pg_param_text(&p, event->kind);
    vg__pg_param_text(&p, event->detail);
    rc = vg__pg_exec(&res, conn, PG_EVENT_APPEND, &p, "cannot record an event");
    if (rc != VG_OK)
        return rc;
    if (out_id)
        *out_id = vg__pg_int64(res, 0, 0);
    PQclear(res);
    return VG_OK;
}

int vg__pg_event_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload)
{
    vg_store_event event;
    PGresult *res;
    pg_params p;
    int i, n, rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, after_id);
    vg__pg_param_limit(&p, limit);
    rc = vg__pg_exec(&res, conn, PG_EVENT_LIST, &p, "cannot list events");
    if (rc != VG_OK)
        return rc;
    for (i = 0, n = PQntuples(res); i < n; i++) {
        event.id = vg__pg_int64(res, i, 0);
        event.at = vg__pg_int64(res, i, 1);
        event.kind = PQgetvalue(res, i, 2);
        event.detail = PQgetvalue(res, i, 3);
        if (callback(&event, payload) != 0)
            break;
    }
    PQclear(res);
    return VG_OK;
}

/* --- the check ------------------------------------------------------------------------- */

/*
 * PostgreSQL has no integrity_check of its own (amcheck is an extension a deployment may
 * lack), and it enforces every foreign key itself. What can go wrong behind libvidgo's back
 * is a table dropped or renamed by hand: the check reports each table of the schema that
 * the connection does not see. It is one cheap catalog query.
 */
int vg__pg_check(vg_store_conn *conn, vg_store_problem_fn callback, void *payload)
{
    PGresult *res;
    int i, n, rc = vg__pg_exec(&res, conn, PG_CHECK_TABLES, NULL, "cannot check the database");

    if (rc != VG_OK)
        return rc;
    for (i = 0, n = PQntuples(res); i < n; i++)
        callback("postgresql.tables", PQgetvalue(res, i, 0), "the table is missing", payload);
    PQclear(res);
    return VG_OK;
}
