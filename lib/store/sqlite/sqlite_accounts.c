/* SPDX-License-Identifier: MIT */
/* The SQLite backend's accounts: user status, credentials, codes, rate limits, sessions, tokens. */
#include "sqlite_internal.h"

/*
 * As in sqlite_wallet.c, `for_update` is a no-op here: a VG_TXN_WRITE transaction began with
 * BEGIN IMMEDIATE and already holds the database's write lock, so a row this transaction
 * read, or found missing, stays as it was until the transaction ends.
 */

/* --- users and credentials ------------------------------------------------------------- */

int vg__sq_user_set_status(vg_store_conn *conn, int64_t id, int verified, int active)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_USER_SET_STATUS, id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, verified);
    sqlite3_bind_int(stmt, 3, active);
    return vg__sq_update_one(conn, stmt, "cannot change a user's status");
}

int vg__sq_credential_put(vg_store_conn *conn, const vg_store_credential *credential)
{
    return vg__sq_write(NULL, conn, SQ_CREDENTIAL_PUT, &vg__credential_record, credential,
                        "cannot write a credential");
}

int vg__sq_credential_get(vg_store_credential *out, vg_store_conn *conn, int64_t user_id)
{
    return vg__sq_get_by_id(out, conn, SQ_CREDENTIAL_GET, &vg__credential_record, user_id,
                            "cannot read a credential");
}

/* --- verification codes ---------------------------------------------------------------- */

int vg__sq_code_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_code *code)
{
    return vg__sq_write(out_id, conn, SQ_CODE_INSERT, &vg__code_record, code,
                        "cannot add a verification code");
}

int vg__sq_code_update(vg_store_conn *conn, const vg_store_code *code)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_CODE_UPDATE, code->id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, code->user_id);
    sqlite3_bind_int(stmt, 3, code->attempts);
    sqlite3_bind_int(stmt, 4, code->state);
    sqlite3_bind_int64(stmt, 5, code->last_attempt_at);
    sqlite3_bind_int64(stmt, 6, code->closed_at);
    return vg__sq_update_one(conn, stmt, "cannot update a verification code");
}

int vg__sq_codes_list(vg_store_conn *conn, const char *email, vg_time since,
                      vg_store_code_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_code code;
    int rc = vg__sq_stmt(&stmt, conn, SQ_CODES_LIST);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, email);
    sqlite3_bind_int64(stmt, 2, since);
    while ((rc = vg__sq_next(&code, conn, stmt, &vg__code_record,
                             "cannot list verification codes")) == VG_OK)
        if (callback(&code, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- rate limits ----------------------------------------------------------------------- */

int vg__sq_limit_get(vg_store_limit *out, vg_store_conn *conn, const char *key, int for_update)
{
    (void)for_update;
    return vg__sq_get_by_text(out, conn, SQ_LIMIT_GET, &vg__limit_record, key,
                              "cannot read a rate limit");
}

int vg__sq_limit_put(vg_store_conn *conn, const vg_store_limit *limit)
{
    return vg__sq_write(NULL, conn, SQ_LIMIT_PUT, &vg__limit_record, limit,
                        "cannot write a rate limit");
}

/* --- sessions -------------------------------------------------------------------------- */

int vg__sq_session_insert(int64_t *out_id, vg_store_conn *conn,
                          const vg_store_session *session)
{
    return vg__sq_write(out_id, conn, SQ_SESSION_INSERT, &vg__session_record, session,
                        "cannot add a session");
}

int vg__sq_session_get(vg_store_session *out, vg_store_conn *conn, int64_t id, int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_SESSION_GET, &vg__session_record, id,
                            "cannot read a session");
}

int vg__sq_sessions_revoke(int *out_count, vg_store_conn *conn, int64_t user_id, int64_t id,
                           vg_time at, int reason)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_SESSIONS_REVOKE, user_id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, id); /* 0: every live session of the user */
    sqlite3_bind_int64(stmt, 3, at);
    sqlite3_bind_int(stmt, 4, reason);
    rc = vg__sq_exec(conn, stmt, "cannot revoke sessions");
    if (rc == VG_OK && out_count)
        *out_count = sqlite3_changes(conn->db);
    return rc;
}

/* --- single-use tokens ----------------------------------------------------------------- */

int vg__sq_token_insert(vg_store_conn *conn, const vg_store_token *token)
{
    /* a taken hash fails the primary key: VG_ECONSTRAINT, as vg__sq_error maps it */
    return vg__sq_write(NULL, conn, SQ_TOKEN_INSERT, &vg__token_record, token,
                        "cannot add a token");
}

int vg__sq_token_get(vg_store_token *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE], int for_update)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, SQ_TOKEN_GET);

    (void)for_update;
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_blob(stmt, 1, hash, VG_STORE_HASH_SIZE, SQLITE_STATIC);
    return vg__sq_get_row(out, conn, stmt, &vg__token_record, "cannot read a token");
}

int vg__sq_tokens_close(int *out_count, vg_store_conn *conn, int64_t user_id, int kind,
                        const unsigned char *hash, int state, vg_time at)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_TOKENS_CLOSE, user_id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, kind);
    if (hash) /* else ?3 stays NULL: every live token of that kind */
        sqlite3_bind_blob(stmt, 3, hash, VG_STORE_HASH_SIZE, SQLITE_STATIC);
    sqlite3_bind_int(stmt, 4, state);
    sqlite3_bind_int64(stmt, 5, at);
    rc = vg__sq_exec(conn, stmt, "cannot close tokens");
    if (rc == VG_OK && out_count)
        *out_count = sqlite3_changes(conn->db);
    return rc;
}
