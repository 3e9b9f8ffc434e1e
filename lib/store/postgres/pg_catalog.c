/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's catalog: plans, services and top-up packages, each keyed by name. */
#include "pg_internal.h"

#define SQL(id) [id - PG_CATALOG_FIRST]
const char *const vg__pg_catalog_sql[PG_WALLET_FIRST - PG_CATALOG_FIRST] = {
    /* upserted by name */
    SQL(PG_PLAN_PUT) =
        "INSERT INTO vg_plans (" VG__PLAN_COLUMNS ") VALUES (" PG_D14 ") "
        "ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, price_twd = excluded.price_twd, "
        "weekly_credits = excluded.weekly_credits, free_uses = excluded.free_uses, "
        "topup_discount_pct = excluded.topup_discount_pct, "
        "max_resolution = excluded.max_resolution, max_fps = excluded.max_fps, "
        "watermark = excluded.watermark, priority_queue = excluded.priority_queue, "
        "effects = excluded.effects, paid = excluded.paid, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_PLAN_GET) = "SELECT " VG__PLAN_COLUMNS " FROM vg_plans WHERE name = $1",
    SQL(PG_PLANS_LIST) = "SELECT " VG__PLAN_COLUMNS " FROM vg_plans ORDER BY rank, name",
    SQL(PG_SERVICE_PUT) =
        "INSERT INTO vg_services (" VG__SERVICE_COLUMNS ") VALUES (" PG_D12 ") "
        "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, credits = excluded.credits, "
        "api_cost_micro_usd = excluded.api_cost_micro_usd, min_plan = excluded.min_plan, "
        "subscribers_only = excluded.subscribers_only, resolution = excluded.resolution, "
        "max_duration_s = excluded.max_duration_s, provider = excluded.provider, "
        "internal = excluded.internal, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_SERVICE_GET) = "SELECT " VG__SERVICE_COLUMNS " FROM vg_services WHERE name = $1",
    SQL(PG_SERVICES_LIST) = "SELECT " VG__SERVICE_COLUMNS " FROM vg_services ORDER BY name",
    SQL(PG_PACKAGE_PUT) =
        "INSERT INTO vg_packages (" VG__PACKAGE_COLUMNS ") VALUES (" PG_D5 ") "
        "ON CONFLICT (name) DO UPDATE SET credits = excluded.credits, "
        "price_twd = excluded.price_twd, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_PACKAGE_GET) = "SELECT " VG__PACKAGE_COLUMNS " FROM vg_packages WHERE name = $1",
    SQL(PG_PACKAGES_LIST) =
        "SELECT " VG__PACKAGE_COLUMNS " FROM vg_packages ORDER BY credits, name",
};

int vg__pg_plan_put(vg_store_conn *conn, const vg_plan *plan)
{
    return vg__pg_write(NULL, conn, PG_PLAN_PUT, &vg__plan_record, plan, VG_OK,
                        "cannot write a plan");
}

int vg__pg_plan_get(vg_plan *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_PLAN_GET, &vg__plan_record, name, "cannot read a plan");
}

int vg__pg_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload)
{
    pg_rows rows;
    vg_plan plan;
    int rc = vg__pg_query(&rows, conn, PG_PLANS_LIST, NULL, "cannot list plans");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&plan, conn, &rows, &vg__plan_record)) == VG_OK)
        if (callback(&plan, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_service_put(vg_store_conn *conn, const vg_service *service)
{
    return vg__pg_write(NULL, conn, PG_SERVICE_PUT, &vg__service_record, service, VG_OK,
                        "cannot write a service");
}

int vg__pg_service_get(vg_service *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_SERVICE_GET, &vg__service_record, name,
                              "cannot read a service");
}

int vg__pg_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload)
{
    pg_rows rows;
    vg_service service;
    int rc = vg__pg_query(&rows, conn, PG_SERVICES_LIST, NULL, "cannot list services");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&service, conn, &rows, &vg__service_record)) == VG_OK)
        if (callback(&service, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_package_put(vg_store_conn *conn, const vg_package *package)
{
    return vg__pg_write(NULL, conn, PG_PACKAGE_PUT, &vg__package_record, package, VG_OK,
                        "cannot write a package");
}

int vg__pg_package_get(vg_package *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_PACKAGE_GET, &vg__package_record, name,
                              "cannot read a package");
}

int vg__pg_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload)
{
    pg_rows rows;
    vg_package package;
    int rc = vg__pg_query(&rows, conn, PG_PACKAGES_LIST, NULL, "cannot list packages");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&package, conn, &rows, &vg__package_record)) == VG_OK)
        if (callback(&package, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}
