/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's catalog: plans, services and top-up packages, each keyed by name. */
#include "pg_internal.h"

/* The columns of each record, in the order of its field table below: statements select
 * them in this order and write them as $1, $2, ... */
#define PLAN_COLUMNS                                                                               \
    "name, rank, price_twd, weekly_credits, free_uses, topup_discount_pct, max_resolution, "       \
    "max_fps, watermark, priority_queue, effects, paid, active, display_names"
#define SERVICE_COLUMNS                                                                            \
    "name, kind, credits, api_cost_micro_usd, min_plan, subscribers_only, resolution, "            \
    "max_duration_s, provider, internal, active, display_names"
#define PACKAGE_COLUMNS "name, credits, price_twd, active, display_names"

#define SQL(id) [id - PG_CATALOG_FIRST]
const char *const vg__pg_catalog_sql[PG_WALLET_FIRST - PG_CATALOG_FIRST] = {
    /* upserted by name */
    SQL(PG_PLAN_PUT) =
        "INSERT INTO vg_plans (" PLAN_COLUMNS ") VALUES (" PG_D14 ") "
        "ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, price_twd = excluded.price_twd, "
        "weekly_credits = excluded.weekly_credits, free_uses = excluded.free_uses, "
        "topup_discount_pct = excluded.topup_discount_pct, "
        "max_resolution = excluded.max_resolution, max_fps = excluded.max_fps, "
        "watermark = excluded.watermark, priority_queue = excluded.priority_queue, "
        "effects = excluded.effects, paid = excluded.paid, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_PLAN_GET) = "SELECT " PLAN_COLUMNS " FROM vg_plans WHERE name = $1",
    SQL(PG_PLANS_LIST) = "SELECT " PLAN_COLUMNS " FROM vg_plans ORDER BY rank, name",
    SQL(PG_SERVICE_PUT) =
        "INSERT INTO vg_services (" SERVICE_COLUMNS ") VALUES (" PG_D12 ") "
        "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, credits = excluded.credits, "
        "api_cost_micro_usd = excluded.api_cost_micro_usd, min_plan = excluded.min_plan, "
        "subscribers_only = excluded.subscribers_only, resolution = excluded.resolution, "
        "max_duration_s = excluded.max_duration_s, provider = excluded.provider, "
        "internal = excluded.internal, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_SERVICE_GET) = "SELECT " SERVICE_COLUMNS " FROM vg_services WHERE name = $1",
    SQL(PG_SERVICES_LIST) = "SELECT " SERVICE_COLUMNS " FROM vg_services ORDER BY name",
    SQL(PG_PACKAGE_PUT) =
        "INSERT INTO vg_packages (" PACKAGE_COLUMNS ") VALUES (" PG_D5 ") "
        "ON CONFLICT (name) DO UPDATE SET credits = excluded.credits, "
        "price_twd = excluded.price_twd, active = excluded.active, "
        "display_names = excluded.display_names",
    SQL(PG_PACKAGE_GET) = "SELECT " PACKAGE_COLUMNS " FROM vg_packages WHERE name = $1",
    SQL(PG_PACKAGES_LIST) = "SELECT " PACKAGE_COLUMNS " FROM vg_packages ORDER BY credits, name",
};

_Static_assert(sizeof(vg_service_kind) == sizeof(int), "PGF_INT holds the kind as an int");
_Static_assert(offsetof(vg_plan, version) == 0 && offsetof(vg_service, version) == 0 &&
                   offsetof(vg_package, version) == 0,
               "pg_record.version is written at the start of the record");

#define PLAN(kind, member) PG_FIELD(vg_plan, kind, member)
static const pg_field plan_fields[] = {
    PLAN(PGF_TEXT, name),
    PLAN(PGF_INT, rank),
    PLAN(PGF_INT64, price_twd),
    PLAN(PGF_INT, weekly_credits),
    PLAN(PGF_INT, free_uses),
    PLAN(PGF_INT, topup_discount_pct),
    PLAN(PGF_INT, max_resolution),
    PLAN(PGF_INT, max_fps),
    PLAN(PGF_INT, watermark),
    PLAN(PGF_INT, priority_queue),
    PLAN(PGF_INT, effects),
    PLAN(PGF_INT, paid),
    PLAN(PGF_INT, active),
    PLAN(PGF_NAMES, display_name),
};
static const pg_record plan_record = PG_RECORD("plan", vg_plan, VG_PLAN_VERSION, plan_fields);

#define SERVICE(kind, member) PG_FIELD(vg_service, kind, member)
static const pg_field service_fields[] = {
    SERVICE(PGF_TEXT, name),
    SERVICE(PGF_INT, kind),
    SERVICE(PGF_INT, credits),
    SERVICE(PGF_INT64, api_cost_micro_usd),
    SERVICE(PGF_TEXT, min_plan),
    SERVICE(PGF_INT, subscribers_only),
    SERVICE(PGF_INT, resolution),
    SERVICE(PGF_INT, max_duration_s),
    SERVICE(PGF_TEXT, provider),
    SERVICE(PGF_INT, internal),
    SERVICE(PGF_INT, active),
    SERVICE(PGF_NAMES, display_name),
};
static const pg_record service_record =
    PG_RECORD("service", vg_service, VG_SERVICE_VERSION, service_fields);

#define PACKAGE(kind, member) PG_FIELD(vg_package, kind, member)
static const pg_field package_fields[] = {
    PACKAGE(PGF_TEXT, name),
    PACKAGE(PGF_INT64, credits),
    PACKAGE(PGF_INT64, price_twd),
    PACKAGE(PGF_INT, active),
    PACKAGE(PGF_NAMES, display_name),
};
static const pg_record package_record =
    PG_RECORD("package", vg_package, VG_PACKAGE_VERSION, package_fields);

int vg__pg_plan_put(vg_store_conn *conn, const vg_plan *plan)
{
    return vg__pg_write(NULL, conn, PG_PLAN_PUT, &plan_record, plan, VG_OK,
                        "cannot write a plan");
}

int vg__pg_plan_get(vg_plan *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_PLAN_GET, &plan_record, name, "cannot read a plan");
}

int vg__pg_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload)
{
    pg_rows rows;
    vg_plan plan;
    int rc = vg__pg_query(&rows, conn, PG_PLANS_LIST, NULL, "cannot list plans");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&plan, conn, &rows, &plan_record)) == VG_OK)
        if (callback(&plan, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_service_put(vg_store_conn *conn, const vg_service *service)
{
    return vg__pg_write(NULL, conn, PG_SERVICE_PUT, &service_record, service, VG_OK,
                        "cannot write a service");
}

int vg__pg_service_get(vg_service *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_SERVICE_GET, &service_record, name,
                              "cannot read a service");
}

int vg__pg_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload)
{
    pg_rows rows;
    vg_service service;
    int rc = vg__pg_query(&rows, conn, PG_SERVICES_LIST, NULL, "cannot list services");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&service, conn, &rows, &service_record)) == VG_OK)
        if (callback(&service, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}

int vg__pg_package_put(vg_store_conn *conn, const vg_package *package)
{
    return vg__pg_write(NULL, conn, PG_PACKAGE_PUT, &package_record, package, VG_OK,
                        "cannot write a package");
}

int vg__pg_package_get(vg_package *out, vg_store_conn *conn, const char *name)
{
    return vg__pg_get_by_text(out, conn, PG_PACKAGE_GET, &package_record, name,
                              "cannot read a package");
}

int vg__pg_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload)
{
    pg_rows rows;
    vg_package package;
    int rc = vg__pg_query(&rows, conn, PG_PACKAGES_LIST, NULL, "cannot list packages");

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__pg_next(&package, conn, &rows, &package_record)) == VG_OK)
        if (callback(&package, payload) != 0)
            break;
    return vg__pg_rows_end(&rows, rc);
}
