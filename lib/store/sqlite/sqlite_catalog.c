/* SPDX-License-Identifier: MIT */
/* The SQLite backend's catalog: plans, services and top-up packages, each keyed by name. */
#include "sqlite_internal.h"

/* Each table lists the fields in the order of the columns of its statements (PLAN_COLUMNS,
 * ... in sqlite_backend.c). */

_Static_assert(sizeof(vg_service_kind) == sizeof(int), "SQF_INT holds the kind as an int");
_Static_assert(offsetof(vg_plan, version) == 0 && offsetof(vg_service, version) == 0 &&
                   offsetof(vg_package, version) == 0,
               "sq_record.version is written at the start of the record");

#define PLAN(kind, member) SQ_FIELD(vg_plan, kind, member)
static const sq_field plan_fields[] = {
    PLAN(SQF_TEXT, name),
    PLAN(SQF_INT, rank),
    PLAN(SQF_INT64, price_twd),
    PLAN(SQF_INT, weekly_credits),
    PLAN(SQF_INT, free_uses),
    PLAN(SQF_INT, topup_discount_pct),
    PLAN(SQF_INT, max_resolution),
    PLAN(SQF_INT, max_fps),
    PLAN(SQF_INT, watermark),
    PLAN(SQF_INT, priority_queue),
    PLAN(SQF_INT, effects),
    PLAN(SQF_INT, paid),
    PLAN(SQF_INT, active),
    PLAN(SQF_NAMES, display_name),
};
static const sq_record plan_record = SQ_RECORD("plan", vg_plan, VG_PLAN_VERSION, plan_fields);

#define SERVICE(kind, member) SQ_FIELD(vg_service, kind, member)
static const sq_field service_fields[] = {
    SERVICE(SQF_TEXT, name),
    SERVICE(SQF_INT, kind),
    SERVICE(SQF_INT, credits),
    SERVICE(SQF_INT64, api_cost_micro_usd),
    SERVICE(SQF_TEXT, min_plan),
    SERVICE(SQF_INT, subscribers_only),
    SERVICE(SQF_INT, resolution),
    SERVICE(SQF_INT, max_duration_s),
    SERVICE(SQF_TEXT, provider),
    SERVICE(SQF_INT, internal),
    SERVICE(SQF_INT, active),
    SERVICE(SQF_NAMES, display_name),
};
static const sq_record service_record =
    SQ_RECORD("service", vg_service, VG_SERVICE_VERSION, service_fields);

#define PACKAGE(kind, member) SQ_FIELD(vg_package, kind, member)
static const sq_field package_fields[] = {
    PACKAGE(SQF_TEXT, name),
    PACKAGE(SQF_INT64, credits),
    PACKAGE(SQF_INT64, price_twd),
    PACKAGE(SQF_INT, active),
    PACKAGE(SQF_NAMES, display_name),
};
static const sq_record package_record =
    SQ_RECORD("package", vg_package, VG_PACKAGE_VERSION, package_fields);

int vg__sq_plan_put(vg_store_conn *conn, const vg_plan *plan)
{
    return vg__sq_write(NULL, conn, SQ_PLAN_PUT, &plan_record, plan, "cannot write a plan");
}

int vg__sq_plan_get(vg_plan *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_PLAN_GET, &plan_record, name, "cannot read a plan");
}

int vg__sq_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_plan plan;
    int rc = vg__sq_stmt(&stmt, conn, SQ_PLANS_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&plan, conn, stmt, &plan_record, "cannot list plans")) == VG_OK)
        if (callback(&plan, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_service_put(vg_store_conn *conn, const vg_service *service)
{
    return vg__sq_write(NULL, conn, SQ_SERVICE_PUT, &service_record, service,
                        "cannot write a service");
}

int vg__sq_service_get(vg_service *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_SERVICE_GET, &service_record, name,
                              "cannot read a service");
}

int vg__sq_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_service service;
    int rc = vg__sq_stmt(&stmt, conn, SQ_SERVICES_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&service, conn, stmt, &service_record, "cannot list services")) ==
           VG_OK)
        if (callback(&service, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_package_put(vg_store_conn *conn, const vg_package *package)
{
    return vg__sq_write(NULL, conn, SQ_PACKAGE_PUT, &package_record, package,
                        "cannot write a package");
}

int vg__sq_package_get(vg_package *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_PACKAGE_GET, &package_record, name,
                              "cannot read a package");
}

int vg__sq_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_package package;
    int rc = vg__sq_stmt(&stmt, conn, SQ_PACKAGES_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&package, conn, stmt, &package_record, "cannot list packages")) ==
           VG_OK)
        if (callback(&package, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}
