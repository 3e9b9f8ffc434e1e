/* SPDX-License-Identifier: MIT */
/* The SQLite backend's record mapping: binds a record's fields by table and reads them back. */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "sqlite_internal.h"

#define NAME_SEPARATOR '\x1f' /* joins the display names of one record in one column */

void vg__sq_bind_text(sqlite3_stmt *stmt, int index, const char *text)
{
    sqlite3_bind_text(stmt, index, text, -1, SQLITE_STATIC);
}

/* Copies len bytes of src into dst[size] and terminates it; when they do not fit, it cuts
 * before the UTF-8 sequence that would not fit whole. */
static void copy_bytes(char *dst, size_t size, const unsigned char *src, size_t len)
{
    if (len >= size) {
        len = size - 1;
        while (len > 0 && (src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Copies a column's text into a fixed-size field: truncated to fit, always terminated. */
static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    copy_bytes(dst, size, src, src ? strlen((const char *)src) : 0);
}

/* Joins the display names into out[VG_LANG_COUNT * VG_DISPLAY_NAME_SIZE], which always
 * fits them: each is shorter than its slot, and the separators take the terminators' place. */
static int join_names(char *out, size_t *out_len, vg_store_conn *conn,
                      const char (*names)[VG_DISPLAY_NAME_SIZE])
{
    size_t i, n, len = 0;

    for (i = 0; i < VG_LANG_COUNT; i++) {
        n = strnlen(names[i], VG_DISPLAY_NAME_SIZE - 1);
        if (memchr(names[i], NAME_SEPARATOR, n)) {
            snprintf(conn->errmsg, sizeof conn->errmsg,
                     "display name %zu contains the byte 0x1F, which cannot be stored", i);
            return VG_EINVAL;
        }
        if (i > 0)
            out[len++] = NAME_SEPARATOR;
        memcpy(out + len, names[i], n);
        len += n;
    }
    *out_len = len;
    return VG_OK;
}

/* Splits a joined column back into the names; a missing part becomes "". */
static void split_names(char (*names)[VG_DISPLAY_NAME_SIZE], const unsigned char *text,
                        size_t len)
{
    const unsigned char *end = text + len, *sep;
    size_t i;

    for (i = 0; i < VG_LANG_COUNT; i++) {
        sep = text < end ? memchr(text, NAME_SEPARATOR, (size_t)(end - text)) : NULL;
        copy_bytes(names[i], VG_DISPLAY_NAME_SIZE, text, (size_t)((sep ? sep : end) - text));
        text = sep ? sep + 1 : end;
    }
}

static int bind_field(vg_store_conn *conn, sqlite3_stmt *stmt, int index, const vg__field *f,
                      const unsigned char *record, const char *what)
{
    const void *p = record + f->offset;
    char joined[VG_LANG_COUNT * VG_DISPLAY_NAME_SIZE];
    size_t len;
    int64_t i64;
    double d;
    int i, rc = SQLITE_MISUSE;

    switch (f->kind) {
    case VG__FIELD_ID:
        rc = sqlite3_bind_null(stmt, index);
        break;
    case VG__FIELD_INT:
        assert(f->size == sizeof i); /* a table names the kind of its field */
        memcpy(&i, p, sizeof i);
        rc = sqlite3_bind_int(stmt, index, i);
        break;
    case VG__FIELD_INT64:
        assert(f->size == sizeof i64);
        memcpy(&i64, p, sizeof i64);
        rc = sqlite3_bind_int64(stmt, index, i64);
        break;
    case VG__FIELD_TEXT:
        rc = sqlite3_bind_text(stmt, index, p, (int)strnlen(p, f->size), SQLITE_STATIC);
        break;
    case VG__FIELD_HASH:
        rc = sqlite3_bind_blob(stmt, index, p, (int)f->size, SQLITE_STATIC);
        break;
    case VG__FIELD_NAMES:
        if ((rc = join_names(joined, &len, conn, p)) != VG_OK)
            return rc;
        /* `joined` dies with this call: SQLite keeps a copy */
        rc = sqlite3_bind_text(stmt, index, joined, (int)len, SQLITE_TRANSIENT);
        break;
    case VG__FIELD_DOUBLE:
        assert(f->size == sizeof d);
        memcpy(&d, p, sizeof d);
        rc = sqlite3_bind_double(stmt, index, d);
        break;
    }
    if (rc != SQLITE_OK) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "cannot bind the %s of a %s: %s",
                 f->column, what, sqlite3_errstr(rc));
        return VG_ESTORE;
    }
    return VG_OK;
}

int vg__sq_bind_record(vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                       const void *record)
{
    size_t i;
    int rc;

    for (i = 0; i < rec->count; i++)
        if ((rc = bind_field(conn, stmt, (int)i + 1, &rec->fields[i], record, rec->what)) != VG_OK)
            return rc;
    return VG_OK;
}

static int read_field(vg_store_conn *conn, sqlite3_stmt *stmt, int col, const vg__field *f,
                      const char *what, unsigned char *record)
{
    void *p = record + f->offset;
    int64_t i64;
    double d;
    int i, bytes;

    switch (f->kind) {
    case VG__FIELD_ID:
    case VG__FIELD_INT64:
        i64 = sqlite3_column_int64(stmt, col);
        memcpy(p, &i64, sizeof i64);
        break;
    case VG__FIELD_INT:
        i = sqlite3_column_int(stmt, col);
        memcpy(p, &i, sizeof i);
        break;
    case VG__FIELD_TEXT:
        copy_text(p, f->size, sqlite3_column_text(stmt, col));
        break;
    case VG__FIELD_HASH:
        bytes = sqlite3_column_bytes(stmt, col);
        if (sqlite3_column_type(stmt, col) != SQLITE_BLOB || bytes != (int)f->size) {
            snprintf(conn->errmsg, sizeof conn->errmsg,
                     "a stored %s has a %s of %d bytes, not %zu", what, f->column, bytes,
                     f->size);
            return VG_ESTORE_CORRUPT;
        }
        memcpy(p, sqlite3_column_blob(stmt, col), f->size);
        break;
    case VG__FIELD_NAMES:
        split_names(p, sqlite3_column_text(stmt, col), (size_t)sqlite3_column_bytes(stmt, col));
        break;
    case VG__FIELD_DOUBLE:
        d = sqlite3_column_double(stmt, col);
        memcpy(p, &d, sizeof d);
        break;
    }
    return VG_OK;
}

static int read_record(void *out, vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec)
{
    size_t i;
    int rc;

    memset(out, 0, rec->size);
    if (rec->version)
        memcpy(out, &rec->version, sizeof rec->version);
    for (i = 0; i < rec->count; i++)
        if ((rc = read_field(conn, stmt, (int)i, &rec->fields[i], rec->what, out)) != VG_OK)
            return rc;
    return VG_OK;
}

int vg__sq_next(void *out, vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                const char *what)
{
    int rc = sqlite3_step(stmt);

    if (rc == SQLITE_ROW)
        rc = read_record(out, conn, stmt, rec);
    else if (rc == SQLITE_DONE)
        rc = VG_ENOTFOUND;
    else
        rc = vg__sq_error(conn, rc, what);
    if (rc != VG_OK)
        sqlite3_reset(stmt);
    return rc;
}

int vg__sq_list_end(sqlite3_stmt *stmt, int rc)
{
    sqlite3_reset(stmt);
    return rc == VG_ENOTFOUND ? VG_OK : rc;
}

int vg__sq_get_row(void *out, vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                   const char *what)
{
    int rc = vg__sq_next(out, conn, stmt, rec, what);
    sqlite3_reset(stmt);
    return rc;
}

int vg__sq_get_by_text(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                       const char *key, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, key);
    return vg__sq_get_row(out, conn, stmt, rec, what);
}

int vg__sq_get_by_id(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                     int64_t key, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, id, key);

    return rc == VG_OK ? vg__sq_get_row(out, conn, stmt, rec, what) : rc;
}

int vg__sq_get_by_id_text(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                          int64_t key, const char *text, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, id, key);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 2, text);
    return vg__sq_get_row(out, conn, stmt, rec, what);
}

int vg__sq_get_by_text_checked(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                                const char *key, size_t size, const char *name,
                                const char *what)
{
    int rc;

    if (!out)
        return vg__sq_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, key, size, name)) != VG_OK)
        return rc;
    return vg__sq_get_by_text(out, conn, id, rec, key, what);
}

int vg__sq_get_by_key_checked(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                              int64_t user_id, const char *key, const char *what)
{
    int rc;

    if (!out)
        return vg__sq_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, key, VG_STORE_KEY_SIZE,
                             "idempotency key")) != VG_OK)
        return rc;
    return vg__sq_get_by_id_text(out, conn, id, rec, user_id, key, what);
}

int vg__sq_stmt_with_id(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id, int64_t key)
{
    int rc = vg__sq_stmt(out, conn, id);

    if (rc == VG_OK)
        sqlite3_bind_int64(*out, 1, key);
    return rc;
}

int vg__sq_write(int64_t *out_id, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                 const void *record, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    if ((rc = vg__sq_bind_record(conn, stmt, rec, record)) != VG_OK) {
        sqlite3_reset(stmt);
        return rc;
    }
    rc = vg__sq_exec(conn, stmt, what);
    if (rc == VG_OK && out_id)
        *out_id = sqlite3_last_insert_rowid(conn->db);
    return rc;
}

int vg__sq_write_checked(int64_t *out_id, vg_store_conn *conn, sq_stmt id,
                         const vg__record *rec, const void *record, const char *what)
{
    int rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, rec, record);

    return rc == VG_OK ? vg__sq_write(out_id, conn, id, rec, record, what) : rc;
}

int vg__sq_update_one(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what)
{
    int rc = vg__sq_exec(conn, stmt, what);

    if (rc == VG_OK && sqlite3_changes(conn->db) == 0)
        rc = VG_ENOTFOUND;
    return rc;
}

int vg__sq_bind_checked(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id,
                        const vg__record *rec, const void *record, const char *what)
{
    int rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, rec, record);

    if (rc == VG_OK && (rc = vg__sq_stmt(out, conn, id)) == VG_OK &&
        (rc = vg__sq_bind_record(conn, *out, rec, record)) != VG_OK)
        sqlite3_reset(*out);
    return rc;
}

int vg__sq_insert_new(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what)
{
    int rc = vg__sq_exec(conn, stmt, what);

    if (rc == VG_OK && sqlite3_changes(conn->db) == 0)
        rc = VG_EEXISTS;
    return rc;
}

/* After an update that changed no row: VG_ESTATE if the record exists (at another version),
 * VG_ENOTFOUND if it does not. */
static int why_unchanged(vg_store_conn *conn, sq_stmt version, const vg__record *rec,
                         int64_t id, int64_t read_version, const char *what)
{
    sqlite3_stmt *stmt;
    char detail[160];
    int rc = vg__sq_stmt_with_id(&stmt, conn, version, id);

    if (rc != VG_OK)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW) {
        snprintf(detail, sizeof detail,
                 "%s %lld has changed since it was read (version %lld, not %lld)", rec->what,
                 (long long)id, (long long)sqlite3_column_int64(stmt, 0),
                 (long long)read_version);
        rc = vg__sq_say(conn, VG_ESTATE, what, detail);
    } else if (rc == SQLITE_DONE) {
        rc = VG_ENOTFOUND;
    } else {
        rc = vg__sq_error(conn, rc, what);
    }
    sqlite3_reset(stmt);
    return rc;
}

int vg__sq_update_versioned(vg_store_conn *conn, sq_stmt update, sq_stmt version,
                            const vg__record *rec, const void *record, int64_t id,
                            int64_t read_version, const char *what)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_bind_checked(&stmt, conn, update, rec, record, what);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 1, id); /* the record binds its id as NULL */
    rc = vg__sq_update_one(conn, stmt, what);
    return rc == VG_ENOTFOUND ? why_unchanged(conn, version, rec, id, read_version, what) : rc;
}
