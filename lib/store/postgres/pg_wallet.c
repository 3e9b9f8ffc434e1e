/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's users, wallets, bonus lots, holds, ledger rows and idempotency keys. */
#include <stdint.h>
#include <string.h>

#include "pg_internal.h"

/*
 * `for_update` takes SELECT ... FOR UPDATE in a write transaction: the core reads the user
 * and then the wallet that way before it touches any other row of that user, so the two
 * row locks serialise every change of one wallet while other users' calls run beside it.
 * In a read transaction (read only, one snapshot) the flag is moot and ignored.
 *
 * The columns of each record follow the order of its field table (record_fields.c); a
 * VG__FIELD_ID field is selected but never written: *_DATA leaves it out, and the INSERT
 * returns the id the store assigned.
 */

#define SQL(id) [id - PG_WALLET_FIRST]
const char *const vg__pg_wallet_sql[PG_ACCOUNTS_FIRST - PG_WALLET_FIRST] = {
    /* A taken key (e-mail, ledger seq, idempotency key) returns no row instead of failing,
     * so that the transaction goes on: PostgreSQL aborts a transaction at its first error. */
    SQL(PG_USER_INSERT) = "INSERT INTO vg_users (" VG__USER_DATA ") VALUES (" PG_D5 ") "
                          "ON CONFLICT (email) DO NOTHING RETURNING id",
    SQL(PG_USER_GET) = "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE id = $1",
    SQL(PG_USER_GET_FOR_UPDATE) =
        "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE id = $1 FOR UPDATE",
    SQL(PG_USER_FIND) = "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE email = $1",
    SQL(PG_USER_SET_PLAN) = "UPDATE vg_users SET plan = $2 WHERE id = $1",
    SQL(PG_USERS_LIST) =
        "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE id > $1 ORDER BY id LIMIT $2",
    SQL(PG_WALLET_GET) = "SELECT " VG__WALLET_COLUMNS " FROM vg_wallets WHERE user_id = $1",
    SQL(PG_WALLET_GET_FOR_UPDATE) =
        "SELECT " VG__WALLET_COLUMNS " FROM vg_wallets WHERE user_id = $1 FOR UPDATE",
    SQL(PG_WALLET_PUT) =
        "INSERT INTO vg_wallets (" VG__WALLET_COLUMNS ") VALUES (" PG_D10 ") "
        "ON CONFLICT (user_id) DO UPDATE SET subscription = excluded.subscription, "
        "purchased = excluded.purchased, bonus = excluded.bonus, held = excluded.held, "
        "free_uses = excluded.free_uses, free_uses_held = excluded.free_uses_held, "
        "week_start = excluded.week_start, last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash",
    SQL(PG_LOT_INSERT) =
        "INSERT INTO vg_bonus_lots (" VG__LOT_DATA ") VALUES (" PG_D5 ") RETURNING id",
    SQL(PG_LOT_UPDATE) = "UPDATE vg_bonus_lots SET remaining = $2 WHERE id = $1",
    SQL(PG_LOT_GET) = "SELECT " VG__LOT_COLUMNS " FROM vg_bonus_lots WHERE id = $1",
    SQL(PG_LOTS_LIST) = "SELECT " VG__LOT_COLUMNS " FROM vg_bonus_lots "
                        "WHERE user_id = $1 AND remaining > 0 ORDER BY expires_at, id",
    SQL(PG_HOLD_INSERT) =
        "INSERT INTO vg_holds (" VG__HOLD_DATA ") VALUES (" PG_D14 ") RETURNING id",
    SQL(PG_HOLD_UPDATE) =
        "UPDATE vg_holds SET state = $2, forfeited = $3, settled_at = $4 WHERE id = $1",
    SQL(PG_HOLD_GET) = "SELECT " VG__HOLD_COLUMNS " FROM vg_holds WHERE id = $1",
    SQL(PG_HOLD_GET_FOR_UPDATE) =
        "SELECT " VG__HOLD_COLUMNS " FROM vg_holds WHERE id = $1 FOR UPDATE",
    SQL(PG_HOLDS_LIST_OPEN) = "SELECT " VG__HOLD_COLUMNS " FROM vg_holds " /* 0: VG_HOLD_OPEN */
                              "WHERE user_id = $1 AND state = 0 ORDER BY expires_at, id",
    SQL(PG_HOLD_PART_INSERT) =
        "INSERT INTO vg_hold_parts (" VG__HOLD_PART_COLUMNS ") VALUES (" PG_D3 ")",
    SQL(PG_HOLD_PARTS_LIST) =
        "SELECT " VG__HOLD_PART_COLUMNS " FROM vg_hold_parts WHERE hold_id = $1 ORDER BY lot_id",
    SQL(PG_LEDGER_APPEND) = "INSERT INTO vg_ledger (" VG__LEDGER_COLUMNS ") VALUES (" PG_D21 ") "
                            "ON CONFLICT (user_id, seq) DO NOTHING RETURNING seq",
    SQL(PG_LEDGER_LIST_ASC) = "SELECT " VG__LEDGER_COLUMNS " FROM vg_ledger "
                              "WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
    SQL(PG_LEDGER_LIST_DESC) = "SELECT " VG__LEDGER_COLUMNS " FROM vg_ledger "
                               "WHERE user_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3",
    SQL(PG_IDEMPOTENCY_GET) =
        "SELECT " VG__IDEMPOTENCY_COLUMNS " FROM vg_idempotency WHERE user_id = $1 AND key = $2",
    SQL(PG_IDEMPOTENCY_PUT) =
        "INSERT INTO vg_idempotency (" VG__IDEMPOTENCY_COLUMNS ") VALUES (" PG_D6 ") "
        "ON CONFLICT (user_id, key) DO NOTHING RETURNING user_id",
};

/* Parameters $1 (an id) and $2. */
static void id_and_int64(pg_params *p, int64_t id, int64_t value)
{
    vg__pg_params_init(p);
    vg__pg_param_int64(p, id);
    vg__pg_param_int64(p, value);
}

/* --- users --------------------------------------------------------------------------- */

int vg__pg_user_insert(int64_t *out_id, vg_store_conn *conn, const vg_user *user)
{
    int64_t id = 0;
    int rc = vg__pg_write(&id, conn, PG_USER_INSERT, &vg__user_record, user, VG_EEMAIL_TAKEN,
                          "cannot add a user");

    /* ON CONFLICT (email) answers a taken e-mail; a race it misses fails as 23505 */
    if (rc == VG_ECONSTRAINT && strcmp(conn->sqlstate, "23505") == 0)
        rc = VG_EEMAIL_TAKEN;
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__pg_user_get(vg_user *out, vg_store_conn *conn, int64_t id, int for_update)
{
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_USER_GET_FOR_UPDATE : PG_USER_GET,
                            &vg__user_record, id, "cannot read a user");
}

int vg__pg_user_find(vg_user *out, vg_store_conn *conn, const char *email)
{
    return vg__pg_get_by_text(out, conn, PG_USER_FIND, &vg__user_record, email,
                              "cannot find a user");
}

int vg__pg_user_set_plan(vg_store_conn *conn, int64_t id, const char *plan)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, id);
    vg__pg_param_text(&p, plan);
    /* an unknown plan fails its foreign key: the savepoint keeps the transaction usable,
     * as the statement's failure leaves it in SQLite */
    return vg__pg_change_one_guarded(conn, PG_USER_SET_PLAN, &p, "cannot change a user's plan");
}

int vg__pg_users_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_user_fn callback, void *payload)
{
    pg_rows rows;
    pg_params p;
    vg_user user;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, after_id);
    vg__pg_param_limit(&p, limit);
    if ((rc = vg__pg_query(&rows, conn, PG_USERS_LIST, &p, "cannot list users")) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&user, conn, &rows, &vg__user_record)) == VG_OK)
        if (callback(&user, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- wallets and bonus lots ------------------------------------------------------------ */

int vg__pg_wallet_get(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update)
{
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_WALLET_GET_FOR_UPDATE
                                                             : PG_WALLET_GET,
                            &vg__wallet_record, user_id, "cannot read a wallet");
}

int vg__pg_wallet_put(vg_store_conn *conn, const vg_store_wallet *wallet)
{
    return vg__pg_write(NULL, conn, PG_WALLET_PUT, &vg__wallet_record, wallet, VG_OK,
                        "cannot write a wallet");
}

int vg__pg_lot_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot)
{
    int64_t id = 0;
    int rc = vg__pg_write(&id, conn, PG_LOT_INSERT, &vg__lot_record, lot, VG_OK,
                          "cannot add a bonus lot");
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__pg_lot_update(vg_store_conn *conn, int64_t lot_id, int64_t remaining)
{
    pg_params p;
    id_and_int64(&p, lot_id, remaining);
    return vg__pg_change_one(conn, PG_LOT_UPDATE, &p, "cannot update a bonus lot");
}

int vg__pg_lot_get(vg_store_lot *out, vg_store_conn *conn, int64_t lot_id)
{
    return vg__pg_get_by_id(out, conn, PG_LOT_GET, &vg__lot_record, lot_id,
                            "cannot read a bonus lot");
}

int vg__pg_lots_list(vg_store_conn *conn, int64_t user_id, vg_store_lot_fn callback,
                     void *payload)
{
    pg_rows rows;
    pg_params p;
    vg_store_lot lot;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, user_id);
    if ((rc = vg__pg_query(&rows, conn, PG_LOTS_LIST, &p, "cannot list bonus lots")) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&lot, conn, &rows, &vg__lot_record)) == VG_OK)
        if (callback(&lot, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- holds ------------------------------------------------------------------------------ */

int vg__pg_hold_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold)
{
    int64_t id = 0;
    int rc = vg__pg_write(&id, conn, PG_HOLD_INSERT, &vg__hold_record, hold, VG_OK,
                          "cannot add a hold");
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__pg_hold_update(vg_store_conn *conn, const vg_store_hold *hold)
{
    pg_params p;
    id_and_int64(&p, hold->id, hold->state);
    vg__pg_param_int64(&p, hold->forfeited);
    vg__pg_param_int64(&p, hold->settled_at);
    return vg__pg_change_one(conn, PG_HOLD_UPDATE, &p, "cannot update a hold");
}

int vg__pg_hold_get(vg_store_hold *out, vg_store_conn *conn, int64_t hold_id, int for_update)
{
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_HOLD_GET_FOR_UPDATE : PG_HOLD_GET,
                            &vg__hold_record, hold_id, "cannot read a hold");
}

int vg__pg_holds_list_open(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload)
{
    pg_rows rows;
    pg_params p;
    vg_store_hold hold;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, user_id);
    if ((rc = vg__pg_query(&rows, conn, PG_HOLDS_LIST_OPEN, &p, "cannot list holds")) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&hold, conn, &rows, &vg__hold_record)) == VG_OK)
        if (callback(&hold, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_hold_part_insert(vg_store_conn *conn, const vg_store_hold_part *part)
{
    return vg__pg_write(NULL, conn, PG_HOLD_PART_INSERT, &vg__hold_part_record, part, VG_OK,
                        "cannot add a part of a hold");
}

int vg__pg_hold_parts_list(vg_store_conn *conn, int64_t hold_id,
                           vg_store_hold_part_fn callback, void *payload)
{
    pg_rows rows;
    pg_params p;
    vg_store_hold_part part;
    int rc;

    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, hold_id);
    rc = vg__pg_query(&rows, conn, PG_HOLD_PARTS_LIST, &p, "cannot list a hold's parts");
    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&part, conn, &rows, &vg__hold_part_record)) == VG_OK)
        if (callback(&part, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- the ledger and idempotency keys ---------------------------------------------------- */

int vg__pg_ledger_append(vg_store_conn *conn, const vg_store_ledger_row *row)
{
    return vg__pg_write(NULL, conn, PG_LEDGER_APPEND, &vg__ledger_record, row, VG_ECONSTRAINT,
                        "cannot append to the ledger");
}

int vg__pg_ledger_list(vg_store_conn *conn, int64_t user_id, int64_t from_seq, int limit,
                       int ascending, vg_store_ledger_fn callback, void *payload)
{
    vg_store_ledger_row row;
    pg_rows rows;
    pg_params p;
    int rc;

    /* descending from 0 is from the newest: before any seq there can be */
    id_and_int64(&p, user_id, !ascending && from_seq == 0 ? INT64_MAX : from_seq);
    vg__pg_param_limit(&p, limit);
    rc = vg__pg_query(&rows, conn, ascending ? PG_LEDGER_LIST_ASC : PG_LEDGER_LIST_DESC, &p,
                      "cannot read the ledger");
    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&row, conn, &rows, &vg__ledger_record)) == VG_OK)
        if (callback(&row, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_idempotency_get(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key)
{
    return vg__pg_get_by_id_text(out, conn, PG_IDEMPOTENCY_GET, &vg__idempotency_record, user_id,
                                 key, "cannot read an idempotency key");
}

int vg__pg_idempotency_put(vg_store_conn *conn, const vg_store_idempotency *record)
{
    return vg__pg_write(NULL, conn, PG_IDEMPOTENCY_PUT, &vg__idempotency_record, record,
                        VG_ECONSTRAINT, "cannot store an idempotency key");
}
