/* SPDX-License-Identifier: MIT */
/* Plans, services and packages: reading, listing, checked editing, and the first seeding. */
#include <string.h>

#include "plans_internal.h"

#define SEEDED_KEY "catalog_seeded"

int vg__name_valid(const char *name)
{
    size_t i;
    if (!name || !*name)
        return 0;
    for (i = 0; name[i]; i++)
        if (i >= VG_NAME_SIZE - 1 ||
            !((name[i] >= 'a' && name[i] <= 'z') || (name[i] >= '0' && name[i] <= '9') ||
              name[i] == '_'))
            return 0;
    return 1;
}

/* Fills a versioned record with zeros and its version; the three init calls share it. */
static int record_init(void *record, size_t size, unsigned int version, unsigned int known,
                       const char *what)
{
    if (!record)
        return vg__fail(NULL, VG_EINVAL, "%s is NULL", what);
    if (version < 1 || version > known)
        return vg__fail(NULL, VG_EVERSION, "%s version %u is not 1..%u", what, version, known);
    memset(record, 0, size);
    *(unsigned int *)record = version;
    return VG_OK;
}

int vg_plan_init(vg_plan *plan, unsigned int version)
{
    return record_init(plan, sizeof *plan, version, VG_PLAN_VERSION, "plan");
}

int vg_service_init(vg_service *service, unsigned int version)
{
    return record_init(service, sizeof *service, version, VG_SERVICE_VERSION, "service");
}

int vg_package_init(vg_package *package, unsigned int version)
{
    return record_init(package, sizeof *package, version, VG_PACKAGE_VERSION, "package");
}

/* Checks that a fixed-size text field is terminated and valid UTF-8. */
static int text_field_ok(vg_ctx *ctx, const char *text, size_t size, int required,
                         const char *field)
{
    if (!memchr(text, '\0', size))
        return vg__fail(ctx, VG_EINVAL, "%s is not NUL-terminated", field);
    if (!vg__utf8_valid(text))
        return vg__fail(ctx, VG_EUTF8, "%s is not valid UTF-8", field);
    if (required && !*text)
        return vg__fail(ctx, VG_EINVAL, "%s is empty", field);
    return VG_OK;
}

static int display_names_ok(vg_ctx *ctx, const char names[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE])
{
    int i, rc;
    for (i = 0; i < VG_LANG_COUNT; i++)
        if ((rc = text_field_ok(ctx, names[i], VG_DISPLAY_NAME_SIZE, 1, "display_name")) != VG_OK)
            return rc;
    return VG_OK;
}

/* Refuses a record whose version this library does not know. */
static int version_ok(vg_ctx *ctx, unsigned int version, unsigned int known, const char *what)
{
    if (version < 1 || version > known)
        return vg__fail(ctx, VG_EVERSION, "%s version %u is not 1..%u", what, version, known);
    return VG_OK;
}

static int plan_valid(vg_ctx *ctx, const vg_plan *p)
{
    int rc;
    if ((rc = version_ok(ctx, p->version, VG_PLAN_VERSION, "plan")) != VG_OK)
        return rc;
    if (!memchr(p->name, '\0', sizeof p->name) || !vg__name_valid(p->name))
        return vg__fail(ctx, VG_EINVAL, "plan name must be 1..31 of [a-z0-9_]");
    if (p->rank < 0 || p->price_twd < 0 || p->weekly_credits < 0 || p->free_uses < 0)
        return vg__fail(ctx, VG_EINVAL, "plan %s: rank, price and credits must not be negative",
                        p->name);
    if (p->weekly_credits > 1000000 || p->free_uses > 1000 || p->price_twd > 100000000)
        return vg__fail(ctx, VG_ERANGE, "plan %s: amounts out of range", p->name);
    if (p->topup_discount_pct < 0 || p->topup_discount_pct > 100)
        return vg__fail(ctx, VG_EINVAL, "plan %s: topup_discount_pct must be 0..100", p->name);
    if (p->max_resolution <= 0 || p->max_fps <= 0)
        return vg__fail(ctx, VG_EINVAL, "plan %s: max_resolution and max_fps must be positive",
                        p->name);
    return display_names_ok(ctx, p->display_name);
}

static int service_valid(vg_ctx *ctx, const vg_service *s)
{
    int rc;
    if ((rc = version_ok(ctx, s->version, VG_SERVICE_VERSION, "service")) != VG_OK)
        return rc;
    if (!memchr(s->name, '\0', sizeof s->name) || !vg__name_valid(s->name))
        return vg__fail(ctx, VG_EINVAL, "service name must be 1..31 of [a-z0-9_]");
    if (s->kind < VG_SERVICE_VIDEO || s->kind > VG_SERVICE_EFFECT)
        return vg__fail(ctx, VG_EINVAL, "service %s: unknown kind %d", s->name, (int)s->kind);
    if (s->credits <= 0 || s->credits > 1000000)
        return vg__fail(ctx, VG_ERANGE, "service %s: credits must be 1..1000000", s->name);
    if (s->api_cost_micro_usd < 0 || s->resolution < 0 || s->max_duration_s < 0)
        return vg__fail(ctx, VG_EINVAL, "service %s: cost, resolution and duration must not "
                                        "be negative", s->name);
    if ((rc = text_field_ok(ctx, s->provider, sizeof s->provider, 1, "provider")) != VG_OK)
        return rc;
    if (!memchr(s->min_plan, '\0', sizeof s->min_plan) || !vg__name_valid(s->min_plan))
        return vg__fail(ctx, VG_EPLAN_UNKNOWN, "service %s: min_plan is not a plan name", s->name);
    return display_names_ok(ctx, s->display_name);
}

static int package_valid(vg_ctx *ctx, const vg_package *p)
{
    int rc;
    if ((rc = version_ok(ctx, p->version, VG_PACKAGE_VERSION, "package")) != VG_OK)
        return rc;
    if (!memchr(p->name, '\0', sizeof p->name) || !vg__name_valid(p->name))
        return vg__fail(ctx, VG_EINVAL, "package name must be 1..31 of [a-z0-9_]");
    if (p->credits <= 0 || p->credits > 100000000 || p->price_twd < 0 || p->price_twd > 100000000)
        return vg__fail(ctx, VG_ERANGE, "package %s: credits must be 1..1e8, price 0..1e8",
                        p->name);
    return display_names_ok(ctx, p->display_name);
}

int vg__plan_load(vg__txn *txn, vg_plan *out, const char *name)
{
    int rc;
    out->version = VG_PLAN_VERSION;
    rc = vg__plan_get(txn, out, name);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_EPLAN_UNKNOWN, "no plan named \"%.31s\"", name);
    return rc;
}

int vg__service_load(vg__txn *txn, vg_service *out, const char *name)
{
    int rc;
    out->version = VG_SERVICE_VERSION;
    rc = vg__service_get(txn, out, name);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, VG_ESERVICE_UNKNOWN, "no service named \"%.31s\"", name);
    return rc;
}

int vg__catalog_seed(vg__txn *txn)
{
    char *seeded = NULL;
    size_t i;
    int rc = vg__meta_get(txn, &seeded, SEEDED_KEY, 1);

    if (rc == VG_OK) {
        vg__free(txn->ctx, seeded);
        return VG_OK;
    }
    if (rc != VG_ENOTFOUND)
        return rc;
    rc = VG_OK;
    for (i = 0; i < vg__seed_plan_count && rc == VG_OK; i++)
        rc = vg__plan_put(txn, &vg__seed_plans[i]);
    for (i = 0; i < vg__seed_service_count && rc == VG_OK; i++)
        rc = vg__service_put(txn, &vg__seed_services[i]);
    for (i = 0; i < vg__seed_package_count && rc == VG_OK; i++)
        rc = vg__package_put(txn, &vg__seed_packages[i]);
    if (rc == VG_OK)
        rc = vg__meta_put(txn, SEEDED_KEY, vg_version());
    if (rc == VG_OK)
        rc = vg__event_append(txn, "catalog.seeded", "plans, services and packages");
    return rc;
}

/* --- public calls ----------------------------------------------------------------------- */

typedef struct lookup {
    const char *name;
    void *out;
} lookup;

static int plan_get_body(vg__txn *txn, void *payload)
{
    lookup *l = payload;
    return vg__plan_load(txn, l->out, l->name);
}

int vg_plan_get(vg_plan *out, vg_ctx *ctx, const char *name)
{
    lookup l = {name, out};
    if (!out || !ctx || !name)
        return vg__fail(ctx, VG_EINVAL, "vg_plan_get: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, plan_get_body, &l);
}

static int service_get_body(vg__txn *txn, void *payload)
{
    lookup *l = payload;
    return vg__service_load(txn, l->out, l->name);
}

int vg_service_get(vg_service *out, vg_ctx *ctx, const char *name)
{
    lookup l = {name, out};
    if (!out || !ctx || !name)
        return vg__fail(ctx, VG_EINVAL, "vg_service_get: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, service_get_body, &l);
}

typedef struct listing {
    void *callback;
    void *payload;
    const vg_plan *plan; /* packages: the plan whose discount applies, or NULL */
} listing;

static int plans_list_body(vg__txn *txn, void *payload)
{
    listing *l = payload;
    return vg__plans_list(txn, (vg_plan_fn)l->callback, l->payload);
}

int vg_plans_list(vg_ctx *ctx, vg_plan_fn callback, void *payload)
{
    listing l = {(void *)callback, payload, NULL};
    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_plans_list: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, plans_list_body, &l);
}

static int services_list_body(vg__txn *txn, void *payload)
{
    listing *l = payload;
    return vg__services_list(txn, (vg_service_fn)l->callback, l->payload);
}

int vg_services_list(vg_ctx *ctx, vg_service_fn callback, void *payload)
{
    listing l = {(void *)callback, payload, NULL};
    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_services_list: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, services_list_body, &l);
}

static int plan_put_body(vg__txn *txn, void *payload)
{
    return vg__plan_put(txn, payload);
}

int vg_plan_put(vg_ctx *ctx, const vg_plan *plan)
{
    int rc;
    if (!ctx || !plan)
        return vg__fail(ctx, VG_EINVAL, "vg_plan_put: NULL argument");
    if ((rc = plan_valid(ctx, plan)) != VG_OK)
        return rc;
    return vg__txn_run(ctx, VG_TXN_WRITE, plan_put_body, (void *)plan);
}

static int service_put_body(vg__txn *txn, void *payload)
{
    const vg_service *service = payload;
    vg_plan plan;
    int rc = vg__plan_load(txn, &plan, service->min_plan);
    return rc == VG_OK ? vg__service_put(txn, service) : rc;
}

int vg_service_put(vg_ctx *ctx, const vg_service *service)
{
    int rc;
    if (!ctx || !service)
        return vg__fail(ctx, VG_EINVAL, "vg_service_put: NULL argument");
    if ((rc = service_valid(ctx, service)) != VG_OK)
        return rc;
    return vg__txn_run(ctx, VG_TXN_WRITE, service_put_body, (void *)service);
}

static int package_put_body(vg__txn *txn, void *payload)
{
    return vg__package_put(txn, payload);
}

int vg_package_put(vg_ctx *ctx, const vg_package *package)
{
    int rc;
    if (!ctx || !package)
        return vg__fail(ctx, VG_EINVAL, "vg_package_put: NULL argument");
    if ((rc = package_valid(ctx, package)) != VG_OK)
        return rc;
    return vg__txn_run(ctx, VG_TXN_WRITE, package_put_body, (void *)package);
}

static int offer_package(const vg_package *package, void *payload)
{
    listing *l = payload;
    vg_package_offer offer;

    if (!package->active)
        return 0;
    offer.package = package;
    offer.discount_pct = l->plan ? l->plan->topup_discount_pct : 0;
    offer.price_twd = (package->price_twd * (100 - offer.discount_pct) + 50) / 100;
    return ((vg_package_fn)l->callback)(&offer, l->payload);
}

typedef struct package_query {
    listing l;
    const char *plan_name;
    vg_plan plan;
} package_query;

static int packages_list_body(vg__txn *txn, void *payload)
{
    package_query *q = payload;
    int rc;
    q->l.plan = NULL;
    if (q->plan_name) {
        if ((rc = vg__plan_load(txn, &q->plan, q->plan_name)) != VG_OK)
            return rc;
        q->l.plan = &q->plan;
    }
    return vg__packages_list(txn, offer_package, &q->l);
}

int vg_packages_list(vg_ctx *ctx, const char *plan, vg_package_fn callback, void *payload)
{
    package_query q = {{(void *)callback, payload, NULL}, plan, {0}};
    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_packages_list: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, packages_list_body, &q);
}
