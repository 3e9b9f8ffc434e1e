/* SPDX-License-Identifier: MIT */
/* The SQLite backend's catalog: plans, services and top-up packages, each keyed by name. */
#include "sqlite_internal.h"

int vg__sq_plan_put(vg_store_conn *conn, const vg_plan *plan)
{
    return vg__sq_write(NULL, conn, SQ_PLAN_PUT, &vg__plan_record, plan, "cannot write a plan");
}

int vg__sq_plan_get(vg_plan *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_PLAN_GET, &vg__plan_record, name, "cannot read a plan");
}

int vg__sq_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_plan plan;
    int rc = vg__sq_stmt(&stmt, conn, SQ_PLANS_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&plan, conn, stmt, &vg__plan_record, "cannot list plans")) == VG_OK)
        if (callback(&plan, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_service_put(vg_store_conn *conn, const vg_service *service)
{
    return vg__sq_write(NULL, conn, SQ_SERVICE_PUT, &vg__service_record, service,
                        "cannot write a service");
}

int vg__sq_service_get(vg_service *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_SERVICE_GET, &vg__service_record, name,
                              "cannot read a service");
}

int vg__sq_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_service service;
    int rc = vg__sq_stmt(&stmt, conn, SQ_SERVICES_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&service, conn, stmt, &vg__service_record, "cannot list services")) ==
           VG_OK)
        if (callback(&service, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}

int vg__sq_package_put(vg_store_conn *conn, const vg_package *package)
{
    return vg__sq_write(NULL, conn, SQ_PACKAGE_PUT, &vg__package_record, package,
                        "cannot write a package");
}

int vg__sq_package_get(vg_package *out, vg_store_conn *conn, const char *name)
{
    return vg__sq_get_by_text(out, conn, SQ_PACKAGE_GET, &vg__package_record, name,
                              "cannot read a package");
}

int vg__sq_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload)
{
    sqlite3_stmt *stmt;
    vg_package package;
    int rc = vg__sq_stmt(&stmt, conn, SQ_PACKAGES_LIST);

    if (rc != VG_OK)
        return rc;
    while ((rc = vg__sq_next(&package, conn, stmt, &vg__package_record, "cannot list packages")) ==
           VG_OK)
        if (callback(&package, payload) != 0)
            break;
    return vg__sq_list_end(stmt, rc);
}
