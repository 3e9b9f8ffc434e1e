/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's accounts: credentials, verification codes, rate limits, sessions
 * and single-use tokens. */
#include <stdlib.h>

#include "pg_internal.h"

/*
 * The core reads the user row with for_update before it changes that user's credential,
 * codes, sessions or tokens, so those rows need no lock of their own; session_get and
 * token_get lock theirs when asked. A rate-limit counter is keyed by a string that may
 * have no row yet, and a missing row cannot be locked: limit_get with for_update first
 * takes an advisory lock on the key, as meta_get does for a missing setting.
 *
 * The columns of each record follow the order of its field table (record_fields.c).
 */

/* Rate-limit keys read for update: the two-int4 key space, "vglk" in ASCII and
 * hashtext(key) (meta keys use "vgmk"). */
#define LIMIT_LOCK "1986489451"

#define SQL(id) [id - PG_ACCOUNTS_FIRST]
const char *const vg__pg_accounts_sql[PG_CACHE_FIRST - PG_ACCOUNTS_FIRST] = {
    SQL(PG_USER_SET_STATUS) = "UPDATE vg_users SET verified = $2, active = $3 WHERE id = $1",
    SQL(PG_CREDENTIAL_PUT) =
        "INSERT INTO vg_credentials (" VG__CREDENTIAL_COLUMNS ") VALUES (" PG_D4 ") "
        "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
        "lang = excluded.lang, password_changed_at = excluded.password_changed_at",
    SQL(PG_CREDENTIAL_GET) =
        "SELECT " VG__CREDENTIAL_COLUMNS " FROM vg_credentials WHERE user_id = $1",
    SQL(PG_CODE_INSERT) = "INSERT INTO vg_email_verifications (" VG__CODE_DATA ") "
                          "VALUES (" PG_D9 ") RETURNING id",
    SQL(PG_CODE_UPDATE) = "UPDATE vg_email_verifications SET user_id = $2, attempts = $3, "
                          "state = $4, last_attempt_at = $5, closed_at = $6 WHERE id = $1",
    SQL(PG_CODES_LIST) = "SELECT " VG__CODE_COLUMNS " FROM vg_email_verifications "
                         "WHERE email = $1 AND created_at >= $2 ORDER BY id DESC",
    SQL(PG_LIMIT_GET) = "SELECT " VG__LIMIT_COLUMNS " FROM vg_rate_limits WHERE key = $1",
    SQL(PG_LIMIT_GET_FOR_UPDATE) =
        "SELECT " VG__LIMIT_COLUMNS " FROM vg_rate_limits WHERE key = $1 FOR UPDATE",
    SQL(PG_LIMIT_LOCK_KEY) = "SELECT pg_advisory_xact_lock(" LIMIT_LOCK ", hashtext($1))",
    SQL(PG_LIMIT_PUT) =
        "INSERT INTO vg_rate_limits (" VG__LIMIT_COLUMNS ") VALUES (" PG_D4 ") "
        "ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
        "window_start = excluded.window_start, blocked_until = excluded.blocked_until",
    SQL(PG_SESSION_INSERT) =
        "INSERT INTO vg_sessions (" VG__SESSION_DATA ") VALUES (" PG_D4 ") RETURNING id",
    SQL(PG_SESSION_GET) = "SELECT " VG__SESSION_COLUMNS " FROM vg_sessions WHERE id = $1",
    SQL(PG_SESSION_GET_FOR_UPDATE) =
        "SELECT " VG__SESSION_COLUMNS " FROM vg_sessions WHERE id = $1 FOR UPDATE",
    /* live sessions have revoked_at = 0 */
    SQL(PG_SESSIONS_REVOKE_ALL) = "UPDATE vg_sessions SET revoked_at = $2, revoked_reason = $3 "
                                  "WHERE user_id = $1 AND revoked_at = 0",
    SQL(PG_SESSIONS_REVOKE_ONE) = "UPDATE vg_sessions SET revoked_at = $3, revoked_reason = $4 "
                                  "WHERE user_id = $1 AND id = $2 AND revoked_at = 0",
    /* a taken hash returns no row instead of failing, so that the transaction goes on */
    SQL(PG_TOKEN_INSERT) = "INSERT INTO vg_tokens (" VG__TOKEN_COLUMNS ") VALUES (" PG_D8 ") "
                           "ON CONFLICT (hash) DO NOTHING RETURNING kind",
    SQL(PG_TOKEN_GET) = "SELECT " VG__TOKEN_COLUMNS " FROM vg_tokens WHERE hash = $1",
    SQL(PG_TOKEN_GET_FOR_UPDATE) =
        "SELECT " VG__TOKEN_COLUMNS " FROM vg_tokens WHERE hash = $1 FOR UPDATE",
    /* live tokens have state 0 (VG_TOKEN_LIVE) */
    SQL(PG_TOKENS_CLOSE_ALL) = "UPDATE vg_tokens SET state = $3, used_at = $4 "
                               "WHERE user_id = $1 AND kind = $2 AND state = 0",
    SQL(PG_TOKENS_CLOSE_ONE) = "UPDATE vg_tokens SET state = $4, used_at = $5 "
                               "WHERE user_id = $1 AND kind = $2 AND hash = $3 AND state = 0",
};

/* Runs an UPDATE and writes how many rows it changed to *out_count (may be NULL). */
static int change_counted(int *out_count, vg_store_conn *conn, pg_stmt id,
                          const pg_params *params, const char *what)
{
    PGresult *res;
    int rc = vg__pg_exec(&res, conn, id, params, what);

    if (rc != VG_OK)
        return rc;
    if (out_count)
        *out_count = (int)strtol(PQcmdTuples(res), NULL, 10);
    PQclear(res);
    return VG_OK;
}

/* --- users' status and credentials ----------------------------------------------------- */

int vg__pg_user_set_status(vg_store_conn *conn, int64_t id, int verified, int active)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    vg__pg_param_int64(&p, verified);
    vg__pg_param_int64(&p, active);
    return vg__pg_change_one(conn, PG_USER_SET_STATUS, &p, "cannot change a user's status");
}

int vg__pg_credential_put(vg_store_conn *conn, const vg_store_credential *credential)
{
    return vg__pg_write(NULL, conn, PG_CREDENTIAL_PUT, &vg__credential_record, credential, VG_OK,
                        "cannot write a credential");
}

int vg__pg_credential_get(vg_store_credential *out, vg_store_conn *conn, int64_t user_id)
{
    return vg__pg_get_by_id(out, conn, PG_CREDENTIAL_GET, &vg__credential_record, user_id,
                            "cannot read a credential");
}

/* --- verification codes ---------------------------------------------------------------- */

int vg__pg_code_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_code *code)
{
    /* vg__pg_write writes the new id only once the row is in */
    return vg__pg_write(out_id, conn, PG_CODE_INSERT, &vg__code_record, code, VG_OK,
                        "cannot record a verification code");
}

int vg__pg_code_update(vg_store_conn *conn, const vg_store_code *code)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, code->id);
    vg__pg_param_int64(&p, code->user_id);
    vg__pg_param_int64(&p, code->attempts);
    vg__pg_param_int64(&p, code->state);
    vg__pg_param_int64(&p, code->last_attempt_at);
    vg__pg_param_int64(&p, code->closed_at);
    return vg__pg_change_one(conn, PG_CODE_UPDATE, &p, "cannot update a verification code");
}

int vg__pg_codes_list(vg_store_conn *conn, const char *email, vg_time since,
                      vg_store_code_fn callback, void *payload)
{
    vg_store_code code;
    pg_rows rows;
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_text(&p, email);
    vg__pg_param_int64(&p, since);
    rc = vg__pg_query(&rows, conn, PG_CODES_LIST, &p, "cannot list verification codes");
    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&code, conn, &rows, &vg__code_record)) == VG_OK)
        if (callback(&code, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- rate limits ----------------------------------------------------------------------- */

int vg__pg_limit_get(vg_store_limit *out, vg_store_conn *conn, const char *key, int for_update)
{
    const char *what = "cannot read a rate limit";
    int lock = vg__pg_locking(conn, for_update);
    pg_params p;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_text(&p, key);
    /* The core reads a counter for update and then writes it, whether or not it existed:
     * writers of one key queue on the advisory lock, the row lock then keeps out a writer
     * that puts the counter without reading it first. */
    if (lock && (rc = vg__pg_exec(NULL, conn, PG_LIMIT_LOCK_KEY, &p, what)) != VG_OK)
        return rc;
    return vg__pg_get(out, conn, lock ? PG_LIMIT_GET_FOR_UPDATE : PG_LIMIT_GET, &p,
                      &vg__limit_record, what);
}

int vg__pg_limit_put(vg_store_conn *conn, const vg_store_limit *limit)
{
    return vg__pg_write(NULL, conn, PG_LIMIT_PUT, &vg__limit_record, limit, VG_OK,
                        "cannot write a rate limit");
}

/* --- sessions -------------------------------------------------------------------------- */

int vg__pg_session_insert(int64_t *out_id, vg_store_conn *conn,
                          const vg_store_session *session)
{
    return vg__pg_write(out_id, conn, PG_SESSION_INSERT, &vg__session_record, session, VG_OK,
                        "cannot record a session");
}

int vg__pg_session_get(vg_store_session *out, vg_store_conn *conn, int64_t id, int for_update)
{
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_SESSION_GET_FOR_UPDATE
                                                             : PG_SESSION_GET,
                            &vg__session_record, id, "cannot read a session");
}

int vg__pg_sessions_revoke(int *out_count, vg_store_conn *conn, int64_t user_id, int64_t id,
                           vg_time at, int reason)
{
    pg_params p;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, user_id);
    if (id != 0)
        vg__pg_param_int64(&p, id);
    vg__pg_param_int64(&p, at);
    vg__pg_param_int64(&p, reason);
    return change_counted(out_count, conn,
                          id != 0 ? PG_SESSIONS_REVOKE_ONE : PG_SESSIONS_REVOKE_ALL, &p,
                          "cannot revoke sessions");
}

/* --- tokens ---------------------------------------------------------------------------- */

int vg__pg_token_insert(vg_store_conn *conn, const vg_store_token *token)
{
    return vg__pg_write(NULL, conn, PG_TOKEN_INSERT, &vg__token_record, token, VG_ECONSTRAINT,
                        "cannot record a token");
}

int vg__pg_token_get(vg_store_token *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE], int for_update)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_hash(&p, hash, VG_STORE_HASH_SIZE);
    return vg__pg_get(out, conn,
                      vg__pg_locking(conn, for_update) ? PG_TOKEN_GET_FOR_UPDATE : PG_TOKEN_GET,
                      &p, &vg__token_record, "cannot read a token");
}

int vg__pg_tokens_close(int *out_count, vg_store_conn *conn, int64_t user_id, int kind,
                        const unsigned char *hash, int state, vg_time at)
{
    pg_params p;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, user_id);
    vg__pg_param_int64(&p, kind);
    if (hash)
        vg__pg_param_hash(&p, hash, VG_STORE_HASH_SIZE);
    vg__pg_param_int64(&p, state);
    vg__pg_param_int64(&p, at);
    return change_counted(out_count, conn, hash ? PG_TOKENS_CLOSE_ONE : PG_TOKENS_CLOSE_ALL, &p,
                          "cannot close tokens");
}
