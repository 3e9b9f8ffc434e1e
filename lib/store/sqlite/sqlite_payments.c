/* SPDX-License-Identifier: MIT */
/* The SQLite backend's payments: orders, subscriptions, promotions, redemptions, webhook
 * events and the aggregate figures of the administrators' statistics. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vidgo/payments.h"

#include "sqlite_internal.h"

/*
 * Every record goes through the shared field tables (record_fields.c), and every method
 * first checks its arguments with record_fields.c (vg__record_check, vg__text_check,
 * vg__order_filter_check, vg__limit_check): a text without its terminator would be cut, so
 * it is VG_EINVAL before any statement runs.
 *
 * A taken key is an answer: order_insert, redemption_insert and webhook_event_insert are
 * INSERT ... ON CONFLICT DO NOTHING, and a row not inserted is VG_EEXISTS. SQLite has one
 * writer at a time (BEGIN IMMEDIATE), so a second writer of the same key waits for the
 * first to commit and then finds it taken.
 *
 * order_update is optimistic, as job_update: UPDATE ... WHERE id = ? AND version = ?; when
 * it changes no row, a read of the version tells VG_ESTATE from VG_ENOTFOUND.
 */

_Static_assert(VG_ORDER_CREATED == 0 && VG_ORDER_PENDING == 1 && VG_ORDER_PAID == 2,
               "the SQL of orders (sqlite_backend.c, sqlite_schema.c) writes unpaid as state < 2");

/* Runs a bound SELECT of one integer into *out. */
static int query_int64(int64_t *out, vg_store_conn *conn, sqlite3_stmt *stmt, const char *what)
{
    int rc = sqlite3_step(stmt);

    if (rc == SQLITE_ROW) {
        *out = sqlite3_column_int64(stmt, 0);
        rc = VG_OK;
    } else {
        rc = vg__sq_error(conn, rc == SQLITE_DONE ? SQLITE_ERROR : rc, what);
    }
    sqlite3_reset(stmt);
    return rc;
}

/* --- orders ---------------------------------------------------------------------------- */

int vg__sq_order_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_order *order)
{
    const char *what = "cannot store an order";
    sqlite3_stmt *stmt;
    char detail[160];
    int64_t taken = 0;
    int rc;

    if (!conn)
        return VG_EINVAL;
    rc = vg__sq_bind_checked(&stmt, conn, SQ_ORDER_INSERT, &vg__order_record, order, what);
    if (rc != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, 1); /* a new order is at version 1, whatever it says */
    if ((rc = vg__sq_insert_new(conn, stmt, what)) == VG_EEXISTS) {
        /* which key was taken: the number, or else the user's idempotency key */
        if ((rc = vg__sq_stmt(&stmt, conn, SQ_ORDER_NUMBER_TAKEN)) != VG_OK)
            return rc;
        vg__sq_bind_text(stmt, 1, order->number);
        if ((rc = query_int64(&taken, conn, stmt, what)) != VG_OK)
            return rc;
        if (taken)
            snprintf(detail, sizeof detail, "the order number \"%s\" is taken", order->number);
        else
            snprintf(detail, sizeof detail, "user %lld has an order with that idempotency key",
                     (long long)order->user_id);
        return vg__sq_say(conn, VG_EEXISTS, what, detail);
    }
    if (rc == VG_OK && out_id)
        *out_id = sqlite3_last_insert_rowid(conn->db);
    return rc;
}

int vg__sq_order_get(vg_store_order *out, vg_store_conn *conn, int64_t id, int for_update)
{
    (void)for_update; /* the write transaction's lock covers every row */
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__sq_say(conn, VG_EINVAL, "cannot read an order", "a NULL argument");
    return vg__sq_get_by_id(out, conn, SQ_ORDER_GET, &vg__order_record, id,
                            "cannot read an order");
}

int vg__sq_order_find(vg_store_order *out, vg_store_conn *conn, const char *number,
                      int for_update)
{
    (void)for_update;
    if (!conn)
        return VG_EINVAL;
    return vg__sq_get_by_text_checked(out, conn, SQ_ORDER_FIND, &vg__order_record, number,
                                      VG_STORE_ORDER_NUMBER_SIZE, "order number",
                                      "cannot find an order");
}

int vg__sq_order_find_key(vg_store_order *out, vg_store_conn *conn, int64_t user_id,
                          const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_get_by_key_checked(out, conn, SQ_ORDER_FIND_KEY, &vg__order_record, user_id,
                                     idempotency_key, "cannot find an order");
}

int vg__sq_order_update(vg_store_conn *conn, const vg_store_order *order)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_update_versioned(conn, SQ_ORDER_UPDATE, SQ_ORDER_VERSION, &vg__order_record,
                                   order, order ? order->id : 0, order ? order->version : 0,
                                   "cannot update an order");
}

int vg__sq_orders_list(vg_store_conn *conn, const vg_store_order_filter *filter,
                       vg_store_order_fn callback, void *payload)
{
    const char *what = "cannot list orders";
    vg_store_order order;
    sqlite3_stmt *stmt;
    sq_stmt id;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__order_filter_check(conn->errmsg, sizeof conn->errmsg, what, filter,
                                     callback != NULL)) != VG_OK)
        return rc;
    /* the statement whose index serves the filter: every one applies all of it */
    id = filter->expires_before != 0 && filter->max_state >= 0 &&
                 filter->max_state < VG_ORDER_PAID
             ? SQ_ORDERS_LIST_UNPAID_EXPIRING
         : filter->user_id != 0 ? SQ_ORDERS_LIST_USER
                                : SQ_ORDERS_LIST_ALL;
    if ((rc = vg__sq_stmt_with_id(&stmt, conn, id, filter->user_id)) != VG_OK)
        return rc;
    sqlite3_bind_int64(stmt, 2, filter->before_id != 0 ? filter->before_id : INT64_MAX);
    sqlite3_bind_int(stmt, 3, filter->max_state);
    sqlite3_bind_int64(stmt, 4, filter->expires_before);
    sqlite3_bind_int(stmt, 5, filter->limit);
    while ((rc = vg__sq_next(&order, conn, stmt, &vg__order_record, what)) == VG_OK)
        if (callback(&order, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- subscriptions --------------------------------------------------------------------- */

int vg__sq_subscription_put(vg_store_conn *conn, const vg_store_subscription *subscription)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_write_checked(NULL, conn, SQ_SUBSCRIPTION_PUT, &vg__subscription_record,
                                subscription, "cannot store a subscription");
}

int vg__sq_subscription_get(vg_store_subscription *out, vg_store_conn *conn, int64_t user_id,
                            int for_update)
{
    (void)for_update;
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__sq_say(conn, VG_EINVAL, "cannot read a subscription", "a NULL argument");
    return vg__sq_get_by_id(out, conn, SQ_SUBSCRIPTION_GET, &vg__subscription_record, user_id,
                            "cannot read a subscription");
}

int vg__sq_subscriptions_due(vg_store_conn *conn, vg_time due_before, int min_state,
                             int max_state, int limit, vg_store_subscription_fn callback,
                             void *payload)
{
    const char *what = "cannot list subscriptions";
    vg_store_subscription subscription;
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__sq_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((rc = vg__limit_check(conn->errmsg, sizeof conn->errmsg, what, limit,
                              VG__SUBSCRIPTIONS_DUE_MAX)) != VG_OK ||
        (rc = vg__sq_stmt_with_id(&stmt, conn, SQ_SUBSCRIPTIONS_DUE, due_before)) != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 2, min_state);
    sqlite3_bind_int(stmt, 3, max_state);
    sqlite3_bind_int(stmt, 4, limit);
    while ((rc = vg__sq_next(&subscription, conn, stmt, &vg__subscription_record, what)) == VG_OK)
        if (callback(&subscription, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

/* --- promotions and their redemptions -------------------------------------------------- */

int vg__sq_promo_put(vg_store_conn *conn, const vg_store_promo *promo)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_write_checked(NULL, conn, SQ_PROMO_PUT, &vg__promo_record, promo,
                                "cannot store a promotion");
}

int vg__sq_promo_get(vg_store_promo *out, vg_store_conn *conn, const char *code, int for_update)
{
    (void)for_update;
    if (!conn)
        return VG_EINVAL;
    return vg__sq_get_by_text_checked(out, conn, SQ_PROMO_GET, &vg__promo_record, code,
                                      VG_STORE_PROMO_CODE_SIZE, "code", "cannot read a promotion");
}

int vg__sq_promos_list(vg_store_conn *conn, vg_store_promo_fn callback, void *payload)
{
    const char *what = "cannot list promotions";
    vg_store_promo promo;
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__sq_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((rc = vg__sq_stmt(&stmt, conn, SQ_PROMOS_LIST)) != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&promo, conn, stmt, &vg__promo_record, what)) == VG_OK)
        if (callback(&promo, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_redemption_insert(vg_store_conn *conn, const vg_store_redemption *redemption)
{
    const char *what = "cannot store a redemption";
    sqlite3_stmt *stmt;
    char detail[96];
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__sq_bind_checked(&stmt, conn, SQ_REDEMPTION_INSERT, &vg__redemption_record,
                           redemption, what)) != VG_OK)
        return rc;
    if ((rc = vg__sq_insert_new(conn, stmt, what)) == VG_EEXISTS) {
        snprintf(detail, sizeof detail, "user %lld has a redemption with that idempotency key",
                 (long long)redemption->user_id);
        return vg__sq_say(conn, VG_EEXISTS, what, detail);
    }
    return rc;
}

int vg__sq_redemption_find(vg_store_redemption *out, vg_store_conn *conn, int64_t user_id,
                           const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__sq_get_by_key_checked(out, conn, SQ_REDEMPTION_FIND, &vg__redemption_record,
                                     user_id, idempotency_key, "cannot find a redemption");
}

int vg__sq_redemptions_count(int64_t *out, vg_store_conn *conn, const char *code,
                             int64_t user_id)
{
    const char *what = "cannot count redemptions";
    sqlite3_stmt *stmt;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__sq_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, code,
                             VG_STORE_PROMO_CODE_SIZE, "code")) != VG_OK ||
        (rc = vg__sq_stmt(&stmt, conn, SQ_REDEMPTIONS_COUNT)) != VG_OK)
        return rc;
    vg__sq_bind_text(stmt, 1, code);
    sqlite3_bind_int64(stmt, 2, user_id);
    return query_int64(out, conn, stmt, what);
}

/* --- webhook events -------------------------------------------------------------------- */

int vg__sq_webhook_event_insert(vg_store_conn *conn, const vg_store_webhook_event *event)
{
    const char *what = "cannot record a webhook event";
    sqlite3_stmt *stmt;
    char detail[160];
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__sq_bind_checked(&stmt, conn, SQ_WEBHOOK_EVENT_INSERT, &vg__webhook_event_record,
                           event, what)) != VG_OK)
        return rc;
    if ((rc = vg__sq_insert_new(conn, stmt, what)) == VG_EEXISTS) {
        snprintf(detail, sizeof detail, "%s's event \"%s\" was recorded before", event->provider,
                 event->event_id);
        return vg__sq_say(conn, VG_EEXISTS, what, detail);
    }
    return rc;
}

/* --- the aggregate figures ------------------------------------------------------------- */

/* The statement of each figure, indexed by vg_store_stat. */
static const sq_stmt stat_stmts[] = {
    [VG_STORE_STAT_USERS_PER_PLAN] = SQ_STAT_USERS_PER_PLAN,
    [VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS] = SQ_STAT_ACTIVE_SUBSCRIPTIONS,
    [VG_STORE_STAT_REVENUE] = SQ_STAT_REVENUE,
    [VG_STORE_STAT_LEDGER_BY_SERVICE] = SQ_STAT_LEDGER_BY_SERVICE,
    [VG_STORE_STAT_LEDGER_TOTAL] = SQ_STAT_LEDGER_TOTAL,
    [VG_STORE_STAT_JOB_COST] = SQ_STAT_JOB_COST,
};

int vg__sq_stats_query(vg_store_conn *conn, vg_store_stat stat, int arg,
                       vg_store_stat_fn callback, void *payload)
{
    const char *what = "cannot aggregate figures";
    sqlite3_stmt *stmt;
    char detail[64];
    const unsigned char *key;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__sq_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((int)stat < 0 || (size_t)stat >= sizeof stat_stmts / sizeof stat_stmts[0]) {
        snprintf(detail, sizeof detail, "no figure %d", (int)stat);
        return vg__sq_say(conn, VG_EINVAL, what, detail);
    }
    if ((rc = vg__sq_stmt(&stmt, conn, stat_stmts[stat])) != VG_OK)
        return rc;
    if (sqlite3_bind_parameter_count(stmt) > 0)
        sqlite3_bind_int(stmt, 1, arg);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        key = sqlite3_column_text(stmt, 0);
        if (callback(key ? (const char *)key : "", sqlite3_column_int64(stmt, 1),
                     sqlite3_column_int64(stmt, 2), payload) != 0)
            break;
    }
    rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? VG_OK : vg__sq_error(conn, rc, what);
    sqlite3_reset(stmt);
    return rc;
}
