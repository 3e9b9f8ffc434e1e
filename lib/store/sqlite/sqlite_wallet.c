/* SPDX-License-Identifier: MIT */
/* The SQLite backend's users, wallets, bonus lots, holds, ledger rows and idempotency keys. */
#include "sqlite_internal.h"

/*
 * `for_update` is a no-op on SQLite: a VG_TXN_WRITE transaction began with BEGIN IMMEDIATE,
 * which already holds the database's write lock, so no other writer can change a row this
 * transaction has read until it ends.
 *
 * Each table lists the fields in the order of the columns of its statements (USER_COLUMNS,
 * ... in sqlite_backend.c); an SQF_ID field is bound as NULL, so an INSERT assigns the id.
 */

_Static_assert(offsetof(vg_user, version) == 0, "sq_record.version is written at the start");

#define USER(kind, member) SQ_FIELD(vg_user, kind, member)
static const sq_field user_fields[] = {
    USER(SQF_ID, id),
    USER(SQF_TEXT, email),
    USER(SQF_TEXT, plan),
    USER(SQF_INT, verified),
    USER(SQF_INT, active),
    USER(SQF_INT64, created_at),
};
static const sq_record user_record = SQ_RECORD("user", vg_user, VG_USER_VERSION, user_fields);

#define WALLET(kind, member) SQ_FIELD(vg_store_wallet, kind, member)
static const sq_field wallet_fields[] = {
    WALLET(SQF_INT64, user_id),
    WALLET(SQF_INT64, subscription),
    WALLET(SQF_INT64, purchased),
    WALLET(SQF_INT64, bonus),
    WALLET(SQF_INT64, held),
    WALLET(SQF_INT, free_uses),
    WALLET(SQF_INT, free_uses_held),
    WALLET(SQF_INT64, week_start),
    WALLET(SQF_INT64, last_seq),
    WALLET(SQF_HASH, last_hash),
};
static const sq_record wallet_record = SQ_RECORD("wallet", vg_store_wallet, 0, wallet_fields);

#define LOT(kind, member) SQ_FIELD(vg_store_lot, kind, member)
static const sq_field lot_fields[] = {
    LOT(SQF_ID, id),
    LOT(SQF_INT64, user_id),
    LOT(SQF_INT64, amount),
    LOT(SQF_INT64, remaining),
    LOT(SQF_INT64, granted_at),
    LOT(SQF_INT64, expires_at),
};
static const sq_record lot_record = SQ_RECORD("bonus lot", vg_store_lot, 0, lot_fields);

#define HOLD(kind, member) SQ_FIELD(vg_store_hold, kind, member)
static const sq_field hold_fields[] = {
    HOLD(SQF_ID, id),
    HOLD(SQF_INT64, user_id),
    HOLD(SQF_TEXT, service),
    HOLD(SQF_TEXT, reference),
    HOLD(SQF_INT64, price),
    HOLD(SQF_INT64, from_bonus),
    HOLD(SQF_INT64, from_subscription),
    HOLD(SQF_INT64, from_purchased),
    HOLD(SQF_INT, free_use),
    HOLD(SQF_INT, state),
    HOLD(SQF_INT64, forfeited),
    HOLD(SQF_INT64, created_at),
    HOLD(SQF_INT64, expires_at),
    HOLD(SQF_INT64, settled_at),
    HOLD(SQF_INT64, week_start),
};
static const sq_record hold_record = SQ_RECORD("hold", vg_store_hold, 0, hold_fields);

#define PART(kind, member) SQ_FIELD(vg_store_hold_part, kind, member)
static const sq_field part_fields[] = {
    PART(SQF_INT64, hold_id),
    PART(SQF_INT64, lot_id),
    PART(SQF_INT64, amount),
};
static const sq_record part_record = SQ_RECORD("hold part", vg_store_hold_part, 0, part_fields);

#define LEDGER(kind, member) SQ_FIELD(vg_store_ledger_row, kind, member)
static const sq_field ledger_fields[] = {
    LEDGER(SQF_INT64, user_id),
    LEDGER(SQF_INT64, seq),
    LEDGER(SQF_INT64, at),
    LEDGER(SQF_INT64, effective_at),
    LEDGER(SQF_INT, type),
    LEDGER(SQF_INT64, amount),
    LEDGER(SQF_INT64, bonus),
    LEDGER(SQF_INT64, subscription),
    LEDGER(SQF_INT64, purchased),
    LEDGER(SQF_INT, free_uses),
    LEDGER(SQF_INT64, bonus_after),
    LEDGER(SQF_INT64, subscription_after),
    LEDGER(SQF_INT64, purchased_after),
    LEDGER(SQF_INT64, total_after),
    LEDGER(SQF_INT, free_uses_after),
    LEDGER(SQF_TEXT, service),
    LEDGER(SQF_TEXT, reference),
    LEDGER(SQF_TEXT, idempotency_key),
    LEDGER(SQF_INT64, hold_id),
    LEDGER(SQF_HASH, prev_hash),
    LEDGER(SQF_HASH, hash),
};
static const sq_record ledger_record =
    SQ_RECORD("ledger row", vg_store_ledger_row, 0, ledger_fields);

#define IDEMPOTENCY(kind, member) SQ_FIELD(vg_store_idempotency, kind, member)
static const sq_field idempotency_fields[] = {
    IDEMPOTENCY(SQF_INT64, user_id),
    IDEMPOTENCY(SQF_TEXT, key),
    IDEMPOTENCY(SQF_HASH, fingerprint),
    IDEMPOTENCY(SQF_INT, status),
    IDEMPOTENCY(SQF_TEXT, result),
    IDEMPOTENCY(SQF_INT64, created_at),
};
static const sq_record idempotency_record =
    SQ_RECORD("idempotency record", vg_store_idempotency, 0, idempotency_fields);

/* --- users --------------------------------------------------------------------------- */

int vg__sq_user_insert(int64_t *out_id, vg_store_conn *conn, const vg_user *user)
{
    int64_t id;
    int rc = vg__sq_write(&id, conn, SQ_USER_INSERT, &user_record, user, "cannot add a user");

    if (rc == VG_ECONSTRAINT && sqlite3_extended_errcode(conn->db) == SQLITE_CONSTRAINT_UNIQUE)
        return VG_EEMAIL_TAKEN; /* e-mail is the table's only UNIQUE column */
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__sq_user_get(vg_user *out, vg_store_conn *conn, int64_t id, int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_USER_GET, &user_record, id, "cannot read a user");
}

int vg__sq_user_find(vg_user *out, vg_store_conn *conn, const char *email)
{
    return vg__sq_get_by_text(out, conn, SQ_USER_FIND, &user_record, email,
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
    while ((rc = vg__sq_next(&user, conn, stmt, &user_record, "cannot list users")) == VG_OK)
        if (callback(&user, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- wallets and bonus lots ------------------------------------------------------------ */

int vg__sq_wallet_get(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update)
{
    (void)for_update;
    return vg__sq_get_by_id(out, conn, SQ_WALLET_GET, &wallet_record, user_id,
                            "cannot read a wallet");
}

int vg__sq_wallet_put(vg_store_conn *conn, const vg_store_wallet *wallet)
{
    return vg__sq_write(NULL, conn, SQ_WALLET_PUT, &wallet_record, wallet,
                        "cannot write a wallet");
}

int vg__sq_lot_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot)
{
    return vg__sq_write(out_id, conn, SQ_LOT_INSERT, &lot_record, lot, "cannot add a bonus lot");
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
    return vg__sq_get_by_id(out, conn, SQ_LOT_GET, &lot_record, lot_id,
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
    while ((rc = vg__sq_next(&lot, conn, stmt, &lot_record, "cannot list bonus lots")) == VG_OK)
        if (callback(&lot, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- holds ------------------------------------------------------------------------------ */

int vg__sq_hold_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold)
{
    return vg__sq_write(out_id, conn, SQ_HOLD_INSERT, &hold_record, hold, "cannot add a hold");
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
    return vg__sq_get_by_id(out, conn, SQ_HOLD_GET, &hold_record, hold_id, "cannot read a hold");
}

int vg__sq_holds_list_open(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload)
{
    sqlite3_stmt *stmt;
    vg_store_hold hold;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_HOLDS_LIST_OPEN, user_id);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&hold, conn, stmt, &hold_record, "cannot list holds")) == VG_OK)
        if (callback(&hold, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_hold_part_insert(vg_store_conn *conn, const vg_store_hold_part *part)
{
    return vg__sq_write(NULL, conn, SQ_HOLD_PART_INSERT, &part_record, part,
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
    while ((rc = vg__sq_next(&part, conn, stmt, &part_record, "cannot list a hold's parts")) ==
           VG_OK)
        if (callback(&part, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- the ledger and idempotency keys ---------------------------------------------------- */

int vg__sq_ledger_append(vg_store_conn *conn, const vg_store_ledger_row *row)
{
    return vg__sq_write(NULL, conn, SQ_LEDGER_APPEND, &ledger_record, row,
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
    while ((rc = vg__sq_next(&row, conn, stmt, &ledger_record, "cannot read the ledger")) ==
           VG_OK)
        if (callback(&row, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_idempotency_get(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt_with_id(&stmt, conn, SQ_IDEMPOTENCY_GET, user_id);

    if (rc != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 2, key);
    return vg__sq_get_row(out, conn, stmt, &idempotency_record,
                          "cannot read an idempotency key");
}

int vg__sq_idempotency_put(vg_store_conn *conn, const vg_store_idempotency *record)
{
    return vg__sq_write(NULL, conn, SQ_IDEMPOTENCY_PUT, &idempotency_record, record,
                        "cannot store an idempotency key");
}
