/* SPDX-License-Identifier: MIT */
/* The SQLite backend's users, wallets, bonus lots, holds, ledger rows and idempotency keys. */
#include "sqlite_internal.h"

/*
 * `for_update` is a no-op on SQLite: a VG_TXN_WRITE transaction began with BEGIN IMMEDIATE,
 * which already holds the database's write lock, so no other writer can change a row this
 * transaction has read until it ends.
 */

/* --- users --------------------------------------------------------------------------- */

int vg__sq_user_insert(int64_t *out_id, vg_store_conn *conn, const vg_user *user)
{
    int64_t id;
    int rc = vg__sq_write(&id, conn, SQ_USER_INSERT, &vg__user_record, user, "cannot add a user");

    if (rc == VG_ECONSTRAINT && sqlite3_extended_errcode(conn->db) == SQLITE_CONSTRAINT_UNIQUE)
        return VG_EEMAIL_TAKEN; /* e-mail is the table's only UNIQUE column */
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__sq_user_get(vg_user *out, vg_store_conn *conn, int64_t id, int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_USER_GET, &vg__user_record, id, "cannot read a user");
}

int vg__sq_user_find(vg_user *out, vg_store_conn *conn, const char *email)
{
    return vg__sq_get_by_text(out, conn, SQ_USER_FIND, &vg__user_record, email,
                              "cannot find a user");
}

int vg__sq_user_set_plan(vg_store_conn *conn, int64_t id, const char *plan)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_USER_SET_PLAN, id);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 2, plan);
    return vg__sq_update_one(conn, stmt, "cannot change a user's plan");
}

int vg__sq_users_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_user_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_user user;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_USERS_LIST, after_id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, limit);
    while ((rc = vg__sq_next(&user, conn, stmt, &vg__user_record, "cannot list users")) == VG_OK)
        if (callback(&user, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- wallets and bonus lots ------------------------------------------------------------ */

int vg__sq_wallet_get(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_WALLET_GET, &vg__wallet_record, user_id,
                            "cannot read a wallet");
}

int vg__sq_wallet_put(vg_store_conn *conn, const vg_store_wallet *wallet)
{
    return vg__sq_write(NULL, conn, SQ_WALLET_PUT, &vg__wallet_record, wallet,
                        "cannot write a wallet");
}

int vg__sq_lot_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot)
{
    return vg__sq_write(out_id, conn, SQ_LOT_INSERT, &vg__lot_record, lot,
                        "cannot add a bonus lot");
}

int vg__sq_lot_update(vg_store_conn *conn, int64_t lot_id, int64_t remaining)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_LOT_UPDATE, lot_id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, remaining);
    return vg__sq_update_one(conn, stmt, "cannot update a bonus lot");
}

int vg__sq_lot_get(vg_store_lot *out, vg_store_conn *conn, int64_t lot_id)
{
    return vg__sq_get_by_id(out, conn, SQ_LOT_GET, &vg__lot_record, lot_id,
                            "cannot read a bonus lot");
}

int vg__sq_lots_list(vg_store_conn *conn, int64_t user_id, vg_store_lot_fn callback,
                     void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_lot lot;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_LOTS_LIST, user_id);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&lot, conn, stmt, &vg__lot_record, "cannot list bonus lots")) == VG_OK)
        if (callback(&lot, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- holds ------------------------------------------------------------------------------ */

int vg__sq_hold_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold)
{
    return vg__sq_write(out_id, conn, SQ_HOLD_INSERT, &vg__hold_record, hold, "cannot add a hold");
}

int vg__sq_hold_update(vg_store_conn *conn, const vg_store_hold *hold)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_HOLD_UPDATE, hold->id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, hold->state);
    sqlite3_bind_int64(stmt, 3, hold->forfeited);
    sqlite3_bind_int64(stmt, 4, hold->settled_at);
    return vg__sq_update_one(conn, stmt, "cannot update a hold");
}

int vg__sq_hold_get(vg_store_hold *out, vg_store_conn *conn, int64_t hold_id, int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_HOLD_GET, &vg__hold_record, hold_id,
                            "cannot read a hold");
}

int vg__sq_holds_list_open(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_hold hold;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_HOLDS_LIST_OPEN, user_id);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&hold, conn, stmt, &vg__hold_record, "cannot list holds")) == VG_OK)
        if (callback(&hold, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_hold_part_insert(vg_store_conn *conn, const vg_store_hold_part *part)
{
    return vg__sq_write(NULL, conn, SQ_HOLD_PART_INSERT, &vg__hold_part_record, part,
                        "cannot add a part of a hold");
}

int vg__sq_hold_parts_list(vg_store_conn *conn, int64_t hold_id,
                           vg_store_hold_part_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_hold_part part;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_HOLD_PARTS_LIST, hold_id);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&part, conn, stmt, &vg__hold_part_record,
                             "cannot list a hold's parts")) == VG_OK)
        if (callback(&part, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- the ledger and idempotency keys ---------------------------------------------------- */

int vg__sq_ledger_append(vg_store_conn *conn, const vg_store_ledger_row *row)
{
    return vg__sq_write(NULL, conn, SQ_LEDGER_APPEND, &vg__ledger_record, row,
                        "cannot append to the ledger");
}

int vg__sq_ledger_list(vg_store_conn *conn, int64_t user_id, int64_t from_seq, int limit,
                       int ascending, vg_store_ledger_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_ledger_row row;
    int rc = vg__sq_stmt_with_id(&stmt, conn,
                                 ascending ? SQ_LEDGER_LIST_ASC : SQ_LEDGER_LIST_DESC, user_id);

    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, from_seq);
    sqlite3_bind_int(stmt, 3, limit);
    while ((rc = vg__sq_next(&row, conn, stmt, &vg__ledger_record, "cannot read the ledger")) ==
           VG_OK)
        if (callback(&row, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_idempotency_get(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key)
{
    return vg__sq_get_by_id_text(out, conn, SQ_IDEMPOTENCY_GET, &vg__idempotency_record, user_id,
                                 key, "cannot read an idempotency key");
}

int vg__sq_idempotency_put(vg_store_conn *conn, const vg_store_idempotency *record)
{
    return vg__sq_write(NULL, conn, SQ_IDEMPOTENCY_PUT, &vg__idempotency_record, record,
                        "cannot store an idempotency key");
}
