/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's payments: orders, subscriptions, promotions, redemptions, webhook
 * events and the aggregate figures of the administrators' statistics. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "vidgo/payments.h"

#include "pg_internal.h"

/*
 * Every record goes through the shared field tables (record_fields.c), and every method
 * first checks its arguments with record_fields.c (vg__record_check, vg__text_check,
 * vg__order_filter_check, vg__limit_check), so that a text too long is VG_EINVAL in both
 * built-in backends, before any statement runs and with the transaction still usable.
 *
 * A taken key is an answer, not a failure: order_insert, redemption_insert and
 * webhook_event_insert are INSERT ... ON CONFLICT DO NOTHING RETURNING ..., and no row back
 * is VG_EEXISTS with the transaction still usable. A second writer of the same new key
 * waits for the first to commit (the unique index holds it), then finds it taken; if the
 * first rolls back, the second inserts. A user or a promotion that does not exist fails the
 * foreign key (VG_ECONSTRAINT), which aborts the transaction.
 *
 * order_update is optimistic, as job_update: UPDATE ... WHERE id = $id AND version =
 * $version. At READ COMMITTED an UPDATE that meets a row another transaction changed and
 * committed meanwhile re-checks its WHERE on the new row, so of two writers of one version
 * only the first succeeds; the second changes nothing, and a read of the version tells
 * VG_ESTATE from VG_ENOTFOUND.
 *
 * With for_update in a write transaction, order_get, order_find, subscription_get and
 * promo_get add FOR UPDATE.
 *
 * The figures of stats_query are SQL aggregates. sum() of BIGINT is NUMERIC in PostgreSQL,
 * cast back to BIGINT (a sum beyond it fails: SQLSTATE 22003, VG_ESTORE, as SQLite's integer
 * overflow). Keys are ordered by bytes, as SQLite orders them: plans and currencies are
 * columns of COLLATE "C", a ledger row's service is ordered with COLLATE "C".
 */

_Static_assert(VG_ORDER_CREATED == 0 && VG_ORDER_PENDING == 1 && VG_ORDER_PAID == 2,
               "the SQL of orders (pg_payments.c, pg_backend.c) writes unpaid as state < 2");

/* Placeholders $1 .. $20: an order's fields but its id. */
#define PG_D20 PG_D16 ", $17, $18, $19, $20"

/* The orders not yet paid: the predicate of the partial index vg_orders_unpaid_by_expiry. */
#define ORDER_UNPAID "state < 2"
/* The filters of an order list: $1 user_id (0: any), $2 the id bound (id < $2), $3
 * max_state (-1: any), $4 expires_before (0: any), $5 the limit. Each statement states them
 * all, leading with the one its index serves; the casts give each parameter its type. */
#define ORDERS_LIST "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE "
#define ORDERS_LIST_END                                                                            \
    "AND ($3::int = -1 OR state <= $3) "                                                           \
    "AND ($4::bigint = 0 OR (expires_at > 0 AND expires_at < $4)) ORDER BY id DESC LIMIT $5"

#define SQL(id) [id - PG_PAYMENTS_FIRST]
const char *const vg__pg_payments_sql[PG_STMT_COUNT - PG_PAYMENTS_FIRST] = {
    /* without a conflict target: a taken number or (user_id, idempotency_key) */
    SQL(PG_ORDER_INSERT) = "INSERT INTO vg_orders (" VG__ORDER_DATA ") VALUES (" PG_D20 ") "
                           "ON CONFLICT DO NOTHING RETURNING id",
    SQL(PG_ORDER_NUMBER_TAKEN) = "SELECT count(*) FROM vg_orders WHERE number = $1",
    SQL(PG_ORDER_GET) = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE id = $1",
    SQL(PG_ORDER_GET_FOR_UPDATE) =
        "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE id = $1 FOR UPDATE",
    SQL(PG_ORDER_FIND) = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE number = $1",
    SQL(PG_ORDER_FIND_FOR_UPDATE) =
        "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE number = $1 FOR UPDATE",
    SQL(PG_ORDER_FIND_KEY) = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders "
                             "WHERE user_id = $1 AND idempotency_key = $2",
    /* $1 .. $20 the fields ($1 the version it was read at), $21 the id */
    SQL(PG_ORDER_UPDATE) =
        "UPDATE vg_orders SET (" VG__ORDER_DATA ") = ($1::bigint + 1, $2, $3, $4, $5, $6, $7, "
        "$8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) "
        "WHERE id = $21 AND version = $1",
    SQL(PG_ORDER_VERSION) = "SELECT version FROM vg_orders WHERE id = $1",
    SQL(PG_ORDERS_LIST_ALL) =
        ORDERS_LIST "id < $2::bigint AND ($1::bigint = 0 OR user_id = $1) " ORDERS_LIST_END,
    SQL(PG_ORDERS_LIST_USER) =
        ORDERS_LIST "user_id = $1::bigint AND id < $2::bigint " ORDERS_LIST_END,
    SQL(PG_ORDERS_LIST_UNPAID_EXPIRING) =
        ORDERS_LIST ORDER_UNPAID " AND expires_at > 0 AND expires_at < $4::bigint "
                    "AND id < $2::bigint AND ($1::bigint = 0 OR user_id = $1) " ORDERS_LIST_END,
    SQL(PG_SUBSCRIPTION_PUT) =
        "INSERT INTO vg_subscriptions (" VG__SUBSCRIPTION_COLUMNS ") VALUES (" PG_D10 ") "
        "ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, state = excluded.state, "
        "provider = excluded.provider, provider_ref = excluded.provider_ref, "
        "next_plan = excluded.next_plan, started_at = excluded.started_at, "
        "period_start = excluded.period_start, period_end = excluded.period_end, "
        "updated_at = excluded.updated_at",
    SQL(PG_SUBSCRIPTION_GET) =
        "SELECT " VG__SUBSCRIPTION_COLUMNS " FROM vg_subscriptions WHERE user_id = $1",
    SQL(PG_SUBSCRIPTION_GET_FOR_UPDATE) = "SELECT " VG__SUBSCRIPTION_COLUMNS
                                          " FROM vg_subscriptions WHERE user_id = $1 FOR UPDATE",
    /* $1 due_before, $2 and $3 the states, $4 the limit */
    SQL(PG_SUBSCRIPTIONS_DUE) = "SELECT " VG__SUBSCRIPTION_COLUMNS " FROM vg_subscriptions "
                                "WHERE period_end <= $1 AND state >= $2 AND state <= $3 "
                                "ORDER BY period_end, user_id LIMIT $4",
    SQL(PG_PROMO_PUT) =
        "INSERT INTO vg_promos (" VG__PROMO_COLUMNS ") VALUES (" PG_D11 ") "
        "ON CONFLICT (code) DO UPDATE SET bonus_credits = excluded.bonus_credits, "
        "bonus_ttl_days = excluded.bonus_ttl_days, valid_from = excluded.valid_from, "
        "valid_until = excluded.valid_until, max_redemptions = excluded.max_redemptions, "
        "per_user = excluded.per_user, plans = excluded.plans, active = excluded.active, "
        "redeemed = excluded.redeemed, created_at = excluded.created_at",
    SQL(PG_PROMO_GET) = "SELECT " VG__PROMO_COLUMNS " FROM vg_promos WHERE code = $1",
    SQL(PG_PROMO_GET_FOR_UPDATE) =
        "SELECT " VG__PROMO_COLUMNS " FROM vg_promos WHERE code = $1 FOR UPDATE",
    SQL(PG_PROMOS_LIST) = "SELECT " VG__PROMO_COLUMNS " FROM vg_promos ORDER BY code",
    SQL(PG_REDEMPTION_INSERT) = "INSERT INTO vg_redemptions (" VG__REDEMPTION_COLUMNS ") "
                                "VALUES (" PG_D5 ") ON CONFLICT (user_id, idempotency_key) "
                                "DO NOTHING RETURNING user_id",
    SQL(PG_REDEMPTION_FIND) = "SELECT " VG__REDEMPTION_COLUMNS " FROM vg_redemptions "
                              "WHERE user_id = $1 AND idempotency_key = $2",
    SQL(PG_REDEMPTIONS_COUNT) = "SELECT count(*) FROM vg_redemptions "
                                "WHERE code = $1 AND ($2::bigint = 0 OR user_id = $2)",
    SQL(PG_WEBHOOK_EVENT_INSERT) =
        "INSERT INTO vg_webhook_events (" VG__WEBHOOK_EVENT_COLUMNS ") VALUES (" PG_D4 ") "
        "ON CONFLICT (provider, event_id) DO NOTHING RETURNING received_at",
    /* The figures of stats_query: each row is (key, a, b), by key; $1 is the argument (none
     * for USERS_PER_PLAN). Totals are one row, whatever matched. */
    SQL(PG_STAT_USERS_PER_PLAN) =
        "SELECT plan, count(*), 0 FROM vg_users GROUP BY plan ORDER BY plan",
    SQL(PG_STAT_ACTIVE_SUBSCRIPTIONS) =
        "SELECT '', count(*), 0 FROM vg_subscriptions WHERE state = $1",
    SQL(PG_STAT_REVENUE) = "SELECT currency, sum(amount_minor)::bigint, count(*) FROM vg_orders "
                           "WHERE state = $1 GROUP BY currency ORDER BY currency",
    SQL(PG_STAT_LEDGER_BY_SERVICE) = "SELECT service, (-sum(amount))::bigint, count(*) "
                                     "FROM vg_ledger WHERE type = $1 AND service <> '' "
                                     "GROUP BY service ORDER BY service COLLATE \"C\"",
    SQL(PG_STAT_LEDGER_TOTAL) =
        "SELECT '', coalesce(sum(amount), 0)::bigint, count(*) FROM vg_ledger WHERE type = $1",
    SQL(PG_STAT_JOB_COST) = "SELECT '', coalesce(sum(api_cost_micro_usd), 0)::bigint, count(*) "
                            "FROM vg_jobs WHERE state = $1",
};

/* Runs a query of one integer into *out. */
static int query_int64(int64_t *out, vg_store_conn *conn, pg_stmt id, const pg_params *params,
                       const char *what)
{
    PGresult *res;
    int rc = vg__pg_exec(&res, conn, id, params, what);

    if (rc != VG_OK)
        return rc;
    if (PQntuples(res) != 1)
        rc = vg__pg_say(conn, VG_ESTORE, what, "the count returned no row");
    else
        *out = vg__pg_int64(res, 0, 0);
    PQclear(res);
    return rc;
}

/* --- orders ---------------------------------------------------------------------------- */

int vg__pg_order_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_order *order)
{
    const char *what = "cannot store an order";
    vg_store_order row;
    char detail[160];
    int64_t id = 0, taken = 0;
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, &vg__order_record,
                               order)) != VG_OK)
        return rc;
    row = *order;
    row.version = 1; /* a new order is at version 1, whatever it says */
    rc = vg__pg_write(&id, conn, PG_ORDER_INSERT, &vg__order_record, &row, VG_EEXISTS, what);
    if (rc == VG_EEXISTS) {
        /* which key was taken: the number, or else the user's idempotency key */
        vg__pg_params_init(&p);
        vg__pg_param_text(&p, order->number);
        if ((rc = query_int64(&taken, conn, PG_ORDER_NUMBER_TAKEN, &p, what)) != VG_OK)
            return rc;
        if (taken)
            snprintf(detail, sizeof detail, "the order number \"%s\" is taken", order->number);
        else
            snprintf(detail, sizeof detail, "user %lld has an order with that idempotency key",
                     (long long)order->user_id);
        return vg__pg_say(conn, VG_EEXISTS, what, detail);
    }
    if (rc == VG_OK && out_id)
        *out_id = id;
    return rc;
}

int vg__pg_order_get(vg_store_order *out, vg_store_conn *conn, int64_t id, int for_update)
{
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__pg_say(conn, VG_EINVAL, "cannot read an order", "a NULL argument");
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_ORDER_GET_FOR_UPDATE
                                                             : PG_ORDER_GET,
                            &vg__order_record, id, "cannot read an order");
}

int vg__pg_order_find(vg_store_order *out, vg_store_conn *conn, const char *number,
                      int for_update)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_get_by_text_checked(
        out, conn, vg__pg_locking(conn, for_update) ? PG_ORDER_FIND_FOR_UPDATE : PG_ORDER_FIND,
        &vg__order_record, number, VG_STORE_ORDER_NUMBER_SIZE, "order number",
        "cannot find an order");
}

int vg__pg_order_find_key(vg_store_order *out, vg_store_conn *conn, int64_t user_id,
                          const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_get_by_key_checked(out, conn, PG_ORDER_FIND_KEY, &vg__order_record, user_id,
                                     idempotency_key, "cannot find an order");
}

int vg__pg_order_update(vg_store_conn *conn, const vg_store_order *order)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_update_versioned(conn, PG_ORDER_UPDATE, PG_ORDER_VERSION, &vg__order_record,
                                   order, order ? order->id : 0, order ? order->version : 0,
                                   "cannot update an order");
}

int vg__pg_orders_list(vg_store_conn *conn, const vg_store_order_filter *filter,
                       vg_store_order_fn callback, void *payload)
{
    const char *what = "cannot list orders";
    vg_store_order order;
    pg_rows rows;
    pg_params p;
    pg_stmt id;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__order_filter_check(conn->errmsg, sizeof conn->errmsg, what, filter,
                                     callback != NULL)) != VG_OK)
        return rc;
    /* the statement whose index serves the filter: every one applies all of it */
    id = filter->expires_before != 0 && filter->max_state >= 0 &&
                 filter->max_state < VG_ORDER_PAID
             ? PG_ORDERS_LIST_UNPAID_EXPIRING
         : filter->user_id != 0 ? PG_ORDERS_LIST_USER
                                : PG_ORDERS_LIST_ALL;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, filter->user_id);
    vg__pg_param_int64(&p, filter->before_id != 0 ? filter->before_id : INT64_MAX);
    vg__pg_param_int64(&p, filter->max_state);
    vg__pg_param_int64(&p, filter->expires_before);
    vg__pg_param_limit(&p, filter->limit);
    if ((rc = vg__pg_query(&rows, conn, id, &p, what)) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&order, conn, &rows, &vg__order_record)) == VG_OK)
        if (callback(&order, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- subscriptions --------------------------------------------------------------------- */

int vg__pg_subscription_put(vg_store_conn *conn, const vg_store_subscription *subscription)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_write_checked(NULL, conn, PG_SUBSCRIPTION_PUT, &vg__subscription_record,
                                subscription, VG_OK, "cannot store a subscription");
}

int vg__pg_subscription_get(vg_store_subscription *out, vg_store_conn *conn, int64_t user_id,
                            int for_update)
{
    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__pg_say(conn, VG_EINVAL, "cannot read a subscription", "a NULL argument");
    return vg__pg_get_by_id(out, conn,
                            vg__pg_locking(conn, for_update) ? PG_SUBSCRIPTION_GET_FOR_UPDATE
                                                             : PG_SUBSCRIPTION_GET,
                            &vg__subscription_record, user_id, "cannot read a subscription");
}

int vg__pg_subscriptions_due(vg_store_conn *conn, vg_time due_before, int min_state,
                             int max_state, int limit, vg_store_subscription_fn callback,
                             void *payload)
{
    const char *what = "cannot list subscriptions";
    vg_store_subscription subscription;
    pg_rows rows;
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__pg_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((rc = vg__limit_check(conn->errmsg, sizeof conn->errmsg, what, limit,
                              VG__SUBSCRIPTIONS_DUE_MAX)) != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, due_before);
    vg__pg_param_int64(&p, min_state);
    vg__pg_param_int64(&p, max_state);
    vg__pg_param_limit(&p, limit);
    if ((rc = vg__pg_query(&rows, conn, PG_SUBSCRIPTIONS_DUE, &p, what)) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&subscription, conn, &rows, &vg__subscription_record)) == VG_OK)
        if (callback(&subscription, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

/* --- promotions and their redemptions -------------------------------------------------- */

int vg__pg_promo_put(vg_store_conn *conn, const vg_store_promo *promo)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_write_checked(NULL, conn, PG_PROMO_PUT, &vg__promo_record, promo, VG_OK,
                                "cannot store a promotion");
}

int vg__pg_promo_get(vg_store_promo *out, vg_store_conn *conn, const char *code, int for_update)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_get_by_text_checked(
        out, conn, vg__pg_locking(conn, for_update) ? PG_PROMO_GET_FOR_UPDATE : PG_PROMO_GET,
        &vg__promo_record, code, VG_STORE_PROMO_CODE_SIZE, "code", "cannot read a promotion");
}

int vg__pg_promos_list(vg_store_conn *conn, vg_store_promo_fn callback, void *payload)
{
    const char *what = "cannot list promotions";
    vg_store_promo promo;
    pg_rows rows;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__pg_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((rc = vg__pg_query(&rows, conn, PG_PROMOS_LIST, NULL, what)) != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&promo, conn, &rows, &vg__promo_record)) == VG_OK)
        if (callback(&promo, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_redemption_insert(vg_store_conn *conn, const vg_store_redemption *redemption)
{
    const char *what = "cannot store a redemption";
    char detail[96];
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what, &vg__redemption_record,
                               redemption)) != VG_OK)
        return rc;
    rc = vg__pg_write(NULL, conn, PG_REDEMPTION_INSERT, &vg__redemption_record, redemption,
                      VG_EEXISTS, what);
    if (rc == VG_EEXISTS) {
        snprintf(detail, sizeof detail, "user %lld has a redemption with that idempotency key",
                 (long long)redemption->user_id);
        return vg__pg_say(conn, VG_EEXISTS, what, detail);
    }
    return rc;
}

int vg__pg_redemption_find(vg_store_redemption *out, vg_store_conn *conn, int64_t user_id,
                           const char *idempotency_key)
{
    if (!conn)
        return VG_EINVAL;
    return vg__pg_get_by_key_checked(out, conn, PG_REDEMPTION_FIND, &vg__redemption_record,
                                     user_id, idempotency_key, "cannot find a redemption");
}

int vg__pg_redemptions_count(int64_t *out, vg_store_conn *conn, const char *code,
                             int64_t user_id)
{
    const char *what = "cannot count redemptions";
    pg_params p;
    int rc;

    if (!conn)
        return VG_EINVAL;
    if (!out)
        return vg__pg_say(conn, VG_EINVAL, what, "a NULL argument");
    if ((rc = vg__text_check(conn->errmsg, sizeof conn->errmsg, what, code,
                             VG_STORE_PROMO_CODE_SIZE, "code")) != VG_OK)
        return rc;
    vg__pg_params_init(&p);
    vg__pg_param_text(&p, code);
    vg__pg_param_int64(&p, user_id);
    return query_int64(out, conn, PG_REDEMPTIONS_COUNT, &p, what);
}

/* --- webhook events -------------------------------------------------------------------- */

int vg__pg_webhook_event_insert(vg_store_conn *conn, const vg_store_webhook_event *event)
{
    const char *what = "cannot record a webhook event";
    char detail[160];
    int rc;

    if (!conn)
        return VG_EINVAL;
    if ((rc = vg__record_check(conn->errmsg, sizeof conn->errmsg, what,
                               &vg__webhook_event_record, event)) != VG_OK)
        return rc;
    rc = vg__pg_write(NULL, conn, PG_WEBHOOK_EVENT_INSERT, &vg__webhook_event_record, event,
                      VG_EEXISTS, what);
    if (rc == VG_EEXISTS) {
        snprintf(detail, sizeof detail, "%s's event \"%s\" was recorded before", event->provider,
                 event->event_id);
        return vg__pg_say(conn, VG_EEXISTS, what, detail);
    }
    return rc;
}

/* --- the aggregate figures ------------------------------------------------------------- */

/* The statement of each figure, indexed by vg_store_stat, and whether it takes `arg`. */
static const struct {
    pg_stmt stmt;
    int takes_arg;
} stat_stmts[] = {
    [VG_STORE_STAT_USERS_PER_PLAN] = {PG_STAT_USERS_PER_PLAN, 0},
    [VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS] = {PG_STAT_ACTIVE_SUBSCRIPTIONS, 1},
    [VG_STORE_STAT_REVENUE] = {PG_STAT_REVENUE, 1},
    [VG_STORE_STAT_LEDGER_BY_SERVICE] = {PG_STAT_LEDGER_BY_SERVICE, 1},
    [VG_STORE_STAT_LEDGER_TOTAL] = {PG_STAT_LEDGER_TOTAL, 1},
    [VG_STORE_STAT_JOB_COST] = {PG_STAT_JOB_COST, 1},
};

int vg__pg_stats_query(vg_store_conn *conn, vg_store_stat stat, int arg,
                       vg_store_stat_fn callback, void *payload)
{
    const char *what = "cannot aggregate figures";
    PGresult *res;
    char detail[64];
    pg_params p;
    int i, n, rc;

    if (!conn)
        return VG_EINVAL;
    if (!callback)
        return vg__pg_say(conn, VG_EINVAL, what, "the callback is NULL");
    if ((int)stat < 0 || (size_t)stat >= sizeof stat_stmts / sizeof stat_stmts[0]) {
        snprintf(detail, sizeof detail, "no figure %d", (int)stat);
        return vg__pg_say(conn, VG_EINVAL, what, detail);
    }
    vg__pg_params_init(&p);
    if (stat_stmts[stat].takes_arg)
        vg__pg_param_int64(&p, arg);
    if ((rc = vg__pg_exec(&res, conn, stat_stmts[stat].stmt, &p, what)) != VG_OK)
        return rc;
    for (i = 0, n = PQntuples(res); i < n; i++)
        if (callback(PQgetvalue(res, i, 0), vg__pg_int64(res, i, 1), vg__pg_int64(res, i, 2),
                     payload) != 0)
            break;
    PQclear(res);
    return VG_OK;
}
