/* SPDX-License-Identifier: MIT */
/* The plans group of the addon: plans, services, top-up packages and the access check. */
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"

/* ---- records as field tables -----------------------------------------------------------
 * One table per record type says, for each JS key, where the value lives in the C struct
 * and how it converts; the same table turns a record into JS and a JS object into a record,
 * so what a get returns can be edited and put back as it is. */

typedef enum field_type {
    F_NAME, /* char[size], a name or text */
    F_CSTR, /* const char *, a string copied into the op (input only) */
    F_INT,  /* int */
    F_I64,  /* int64_t */
    F_BOOL, /* int, 0 or 1 */
    F_KIND, /* vg_service_kind, as "video", "image" or "effect" */
    F_NAMES /* char[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE], an object keyed by language tag */
} field_type;

typedef struct field {
    const char *key;
    field_type type;
    size_t offset;
    size_t size;
} field;

#define FIELD(T, key, type, member) {key, type, offsetof(T, member), sizeof(((T *)0)->member)}

_Static_assert(sizeof(vg_service_kind) == sizeof(int), "service kinds are stored as int");

static const field plan_fields[] = {
    FIELD(vg_plan, "name", F_NAME, name),
    FIELD(vg_plan, "rank", F_INT, rank),
    FIELD(vg_plan, "priceTwd", F_I64, price_twd),
    FIELD(vg_plan, "weeklyCredits", F_INT, weekly_credits),
    FIELD(vg_plan, "freeUses", F_INT, free_uses),
    FIELD(vg_plan, "topupDiscountPct", F_INT, topup_discount_pct),
    FIELD(vg_plan, "maxResolution", F_INT, max_resolution),
    FIELD(vg_plan, "maxFps", F_INT, max_fps),
    FIELD(vg_plan, "watermark", F_BOOL, watermark),
    FIELD(vg_plan, "priorityQueue", F_BOOL, priority_queue),
    FIELD(vg_plan, "effects", F_BOOL, effects),
    FIELD(vg_plan, "paid", F_BOOL, paid),
    FIELD(vg_plan, "active", F_BOOL, active),
    FIELD(vg_plan, "displayName", F_NAMES, display_name),
};

static const field service_fields[] = {
    FIELD(vg_service, "name", F_NAME, name),
    FIELD(vg_service, "kind", F_KIND, kind),
    FIELD(vg_service, "credits", F_INT, credits),
    FIELD(vg_service, "apiCostMicroUsd", F_I64, api_cost_micro_usd),
    FIELD(vg_service, "minPlan", F_NAME, min_plan),
    FIELD(vg_service, "subscribersOnly", F_BOOL, subscribers_only),
    FIELD(vg_service, "resolution", F_INT, resolution),
    FIELD(vg_service, "maxDurationS", F_INT, max_duration_s),
    FIELD(vg_service, "provider", F_NAME, provider),
    FIELD(vg_service, "internal", F_BOOL, internal),
    FIELD(vg_service, "active", F_BOOL, active),
    FIELD(vg_service, "displayName", F_NAMES, display_name),
};

static const field package_fields[] = {
    FIELD(vg_package, "name", F_NAME, name),
    FIELD(vg_package, "credits", F_I64, credits),
    FIELD(vg_package, "priceTwd", F_I64, price_twd),
    FIELD(vg_package, "active", F_BOOL, active),
    FIELD(vg_package, "displayName", F_NAMES, display_name),
};

static const field request_fields[] = {
    FIELD(vg_access_request, "service", F_CSTR, service),
    FIELD(vg_access_request, "resolution", F_INT, resolution),
    FIELD(vg_access_request, "durationS", F_INT, duration_s),
    FIELD(vg_access_request, "fps", F_INT, fps),
};

static const field access_fields[] = {
    FIELD(vg_access, "allowed", F_BOOL, allowed),
    FIELD(vg_access, "reason", F_INT, reason),
    FIELD(vg_access, "price", F_INT, price),
    FIELD(vg_access, "freeUse", F_BOOL, free_use),
    FIELD(vg_access, "watermark", F_BOOL, watermark),
    FIELD(vg_access, "cacheOnly", F_BOOL, cache_only),
    FIELD(vg_access, "priority", F_BOOL, priority),
};

#define MAX_FIELDS 16
_Static_assert(COUNT(plan_fields) <= MAX_FIELDS && COUNT(service_fields) <= MAX_FIELDS &&
                   COUNT(package_fields) <= MAX_FIELDS && COUNT(request_fields) <= MAX_FIELDS,
               "record_read has room for every key");

/* vg_service_kind values by index; the C API has no name function for them. */
static const char *const kind_names[] = {"video", "image", "effect"};

static const char *kind_name(int kind)
{
    return vgn_name_in(kind_names, COUNT(kind_names), kind);
}

static vgn_val *kind_val(int kind)
{
    return kind_name(kind) ? vgn_str(kind_name(kind)) : vgn_int(kind); /* newer than us */
}

static vgn_val *names_val(const char (*names)[VG_DISPLAY_NAME_SIZE])
{
    vgn_val *o = vgn_object();
    for (size_t i = 0; i < VG_LANG_COUNT; i++)
        vgn_set_str(o, vg_lang_tag(i), names[i]); /* the library's tags are static */
    return o;
}

static vgn_val *field_val(const field *f, const char *rec)
{
    const char *p = rec + f->offset;
    switch (f->type) {
    case F_NAME:
        return vgn_strn(p, strnlen(p, f->size));
    case F_CSTR:
        return vgn_str(*(const char *const *)p);
    case F_INT:
        return vgn_int(*(const int *)p);
    case F_I64:
        return vgn_int(*(const int64_t *)p);
    case F_BOOL:
        return vgn_bool(*(const int *)p);
    case F_KIND:
        return kind_val(*(const int *)p);
    case F_NAMES:
        return names_val((const char (*)[VG_DISPLAY_NAME_SIZE])p);
    }
    return vgn_null();
}

/* Returns a JS object tree of a record described by a field table. */
static vgn_val *record_val(const field *fields, size_t count, const void *rec)
{
    vgn_val *o = vgn_object();
    for (size_t i = 0; i < count; i++)
        vgn_set(o, fields[i].key, field_val(&fields[i], rec));
    return o;
}

static vgn_val *plan_val(const vg_plan *p)
{
    return record_val(plan_fields, COUNT(plan_fields), p);
}

static vgn_val *service_val(const vg_service *s)
{
    return record_val(service_fields, COUNT(service_fields), s);
}

static vgn_val *package_val(const vg_package *p)
{
    return record_val(package_fields, COUNT(package_fields), p);
}

static vgn_val *offer_val(const vg_package_offer *offer)
{
    vgn_val *o = vgn_object();
    vgn_set(o, "package", package_val(offer->package));
    vgn_set_int(o, "discountPct", offer->discount_pct);
    vgn_set_int(o, "priceTwd", offer->price_twd);
    return o;
}

/* The decision, plus reasonCode: the refusal's stable name ('VG_EPLAN_TOO_LOW') or null. */
static vgn_val *access_val(const vg_access *a)
{
    vgn_val *o = record_val(access_fields, COUNT(access_fields), a);
    vgn_set(o, "reasonCode", a->reason ? vgn_str(vg_error_name(a->reason)) : vgn_null());
    return o;
}

/* ---- reading a JS object into a record (main thread) ------------------------------------ */

/* Returns 1 when every own enumerable key of obj is one of keys[0..count). */
static int keys_known(vgn_op *op, napi_value obj, const char *const *keys, size_t count,
                      const char *what)
{
    napi_env env = op->env;
    napi_value names, key;
    uint32_t n = 0;
    char buf[64];
    size_t len;

    if (napi_get_all_property_names(env, obj, napi_key_own_only,
                                    napi_key_enumerable | napi_key_skip_symbols,
                                    napi_key_numbers_to_strings, &names) != napi_ok ||
        napi_get_array_length(env, names, &n) != napi_ok) {
        vgn_op_reject(op, VGN_TYPE_ERROR, "%s: its properties cannot be read", what);
        return 0;
    }
    for (uint32_t i = 0; i < n; i++) {
        size_t k = 0;
        if (napi_get_element(env, names, i, &key) != napi_ok ||
            napi_get_value_string_utf8(env, key, buf, sizeof buf, &len) != napi_ok) {
            vgn_op_reject(op, VGN_TYPE_ERROR, "%s: its properties cannot be read", what);
            return 0;
        }
        while (k < count && strcmp(keys[k], buf) != 0)
            k++;
        if (k == count) {
            vgn_op_reject(op, VGN_RANGE_ERROR, "%s has no property '%.40s'", what, buf);
            return 0;
        }
    }
    return 1;
}

static void read_names(vgn_op *op, napi_value value, char (*dst)[VG_DISPLAY_NAME_SIZE],
                       const char *name)
{
    const char *tags[VG_LANG_COUNT] = {0};
    char sub[96];
    napi_valuetype type;

    if (napi_typeof(op->env, value, &type) == napi_ok && type == napi_undefined)
        return;
    if (!vgn_check_object(op, value, name))
        return;
    for (size_t i = 0; i < VG_LANG_COUNT; i++)
        tags[i] = vg_lang_tag(i);
    if (!keys_known(op, value, tags, VG_LANG_COUNT, name))
        return;
    for (size_t i = 0; i < VG_LANG_COUNT; i++) {
        snprintf(sub, sizeof sub, "%s['%s']", name, tags[i]);
        vgn_read_text(op, vgn_op_prop(op, value, tags[i]), sub, 1, dst[i], VG_DISPLAY_NAME_SIZE);
    }
}

static void read_field(vgn_op *op, napi_value value, const field *f, char *rec, const char *name)
{
    char *p = rec + f->offset;
    int kind;
    switch (f->type) {
    case F_NAME:
        vgn_read_text(op, value, name, 0, p, f->size);
        break;
    case F_CSTR:
        *(const char **)p = vgn_op_string(op, value, name, 0);
        break;
    case F_INT:
        *(int *)p = vgn_op_int32(op, value, name, 1);
        break;
    case F_I64:
        *(int64_t *)p = vgn_op_int(op, value, name, 1);
        break;
    case F_BOOL:
        *(int *)p = vgn_op_bool(op, value, name, 1) != 0;
        break;
    case F_KIND:
        if ((kind = vgn_read_name(op, value, name, 0, kind_name, COUNT(kind_names))) >= 0)
            *(int *)p = kind;
        break;
    case F_NAMES:
        read_names(op, value, (char (*)[VG_DISPLAY_NAME_SIZE])p, name);
        break;
    }
}

/*
 * Fills a blank record from a JS object described by a field table: text fields and the
 * kind are required, absent numbers and booleans are 0 and false. Unknown keys are refused,
 * so a misspelt field does not pass silently. Errors are recorded in the op.
 */
static void record_read(vgn_op *op, napi_value obj, const field *fields, size_t count, void *rec,
                        const char *what)
{
    const char *keys[MAX_FIELDS] = {0};
    char name[64];

    if (!vgn_check_object(op, obj, what))
        return;
    for (size_t i = 0; i < count; i++)
        keys[i] = fields[i].key;
    if (!keys_known(op, obj, keys, count, what))
        return;
    for (size_t i = 0; i < count; i++) {
        snprintf(name, sizeof name, "%s.%s", what, fields[i].key);
        read_field(op, vgn_op_prop(op, obj, fields[i].key), &fields[i], rec, name);
    }
}

/* ---- init: blank records (sync) ----------------------------------------------------- */

typedef struct init_op {
    vgn_op op;
    unsigned int version;
    union {
        vg_plan plan;
        vg_service service;
        vg_package package;
    } u;
} init_op;

static void plan_init_exec(vgn_op *op)
{
    init_op *o = (init_op *)op;
    if ((op->rc = vg_plan_init(&o->u.plan, o->version)) == VG_OK)
        op->result = plan_val(&o->u.plan);
}

static void service_init_exec(vgn_op *op)
{
    init_op *o = (init_op *)op;
    if ((op->rc = vg_service_init(&o->u.service, o->version)) == VG_OK)
        op->result = service_val(&o->u.service);
}

static void package_init_exec(vgn_op *op)
{
    init_op *o = (init_op *)op;
    if ((op->rc = vg_package_init(&o->u.package, o->version)) == VG_OK)
        op->result = package_val(&o->u.package);
}

/* plan_init([version]), service_init([version]), package_init([version]). */
static napi_value run_init(napi_env env, napi_callback_info info, vgn_exec_fn exec,
                           unsigned int current)
{
    VGN_ARGS(env, info, 1, argv);
    init_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->version = vgn_read_version(&o->op, argv[0], current);
    return vgn_op_run(&o->op, VGN_SYNC);
}

static napi_value plan_init(napi_env env, napi_callback_info info)
{
    return run_init(env, info, plan_init_exec, VG_PLAN_VERSION);
}

static napi_value service_init(napi_env env, napi_callback_info info)
{
    return run_init(env, info, service_init_exec, VG_SERVICE_VERSION);
}

static napi_value package_init(napi_env env, napi_callback_info info)
{
    return run_init(env, info, package_init_exec, VG_PACKAGE_VERSION);
}

/* ---- get: one record by name ---------------------------------------------------------- */

typedef struct get_op {
    vgn_op op;
    vg_ctx *ctx;
    const char *name;
    union {
        vg_plan plan;
        vg_service service;
    } u;
} get_op;

static void plan_get_exec(vgn_op *op)
{
    get_op *o = (get_op *)op;
    if ((op->rc = vg_plan_init(&o->u.plan, VG_PLAN_VERSION)) == VG_OK &&
        (op->rc = vg_plan_get(&o->u.plan, o->ctx, o->name)) == VG_OK)
        op->result = plan_val(&o->u.plan);
}

static void service_get_exec(vgn_op *op)
{
    get_op *o = (get_op *)op;
    if ((op->rc = vg_service_init(&o->u.service, VG_SERVICE_VERSION)) == VG_OK &&
        (op->rc = vg_service_get(&o->u.service, o->ctx, o->name)) == VG_OK)
        op->result = service_val(&o->u.service);
}

/* plan_get(ctx, name) and service_get(ctx, name). */
static napi_value run_get(napi_env env, napi_callback_info info, vgn_exec_fn exec)
{
    VGN_ARGS(env, info, 2, argv);
    get_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->name = vgn_op_string(&o->op, argv[1], "name", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static napi_value plan_get(napi_env env, napi_callback_info info)
{
    return run_get(env, info, plan_get_exec);
}

static napi_value service_get(napi_env env, napi_callback_info info)
{
    return run_get(env, info, service_get_exec);
}

/* ---- lists ---------------------------------------------------------------------------- */

typedef struct list_op {
    vgn_op op;
    vg_ctx *ctx;
    const char *plan; /* packages_list only; NULL: list prices */
} list_op;

static int plan_row(const vg_plan *p, void *a)
{
    vgn_push(a, plan_val(p));
    return 0;
}

static int service_row(const vg_service *s, void *a)
{
    vgn_push(a, service_val(s));
    return 0;
}

static int offer_row(const vg_package_offer *offer, void *a)
{
    vgn_push(a, offer_val(offer));
    return 0;
}

static void plans_list_exec(vgn_op *op)
{
    op->result = vgn_array();
    op->rc = vg_plans_list(((list_op *)op)->ctx, plan_row, op->result);
}

static void services_list_exec(vgn_op *op)
{
    op->result = vgn_array();
    op->rc = vg_services_list(((list_op *)op)->ctx, service_row, op->result);
}

static void packages_list_exec(vgn_op *op)
{
    list_op *o = (list_op *)op;
    op->result = vgn_array();
    op->rc = vg_packages_list(o->ctx, o->plan, offer_row, op->result);
}

/* plans_list(ctx), services_list(ctx), packages_list(ctx, [plan]). */
static napi_value run_list(napi_env env, napi_callback_info info, vgn_exec_fn exec, int by_plan)
{
    VGN_ARGS(env, info, 2, argv);
    list_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    if (by_plan)
        o->plan = vgn_op_string(&o->op, argv[1], "plan", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static napi_value plans_list(napi_env env, napi_callback_info info)
{
    return run_list(env, info, plans_list_exec, 0);
}

static napi_value services_list(napi_env env, napi_callback_info info)
{
    return run_list(env, info, services_list_exec, 0);
}

static napi_value packages_list(napi_env env, napi_callback_info info)
{
    return run_list(env, info, packages_list_exec, 1);
}

/* ---- put: create or replace ----------------------------------------------------------- */

typedef struct put_op {
    vgn_op op;
    vg_ctx *ctx;
    union {
        vg_plan plan;
        vg_service service;
        vg_package package;
    } u;
} put_op;

static void plan_put_exec(vgn_op *op)
{
    put_op *o = (put_op *)op;
    op->rc = vg_plan_put(o->ctx, &o->u.plan);
}

static void service_put_exec(vgn_op *op)
{
    put_op *o = (put_op *)op;
    op->rc = vg_service_put(o->ctx, &o->u.service);
}

static void package_put_exec(vgn_op *op)
{
    put_op *o = (put_op *)op;
    op->rc = vg_package_put(o->ctx, &o->u.package);
}

/* How each record type is put: its exec, its blank record, its fields. */
typedef struct put_kind {
    vgn_exec_fn exec;
    int (*init)(void *rec);
    const field *fields;
    size_t count;
    const char *what;
} put_kind;

static int plan_blank(void *rec)
{
    return vg_plan_init(rec, VG_PLAN_VERSION);
}

static int service_blank(void *rec)
{
    return vg_service_init(rec, VG_SERVICE_VERSION);
}

static int package_blank(void *rec)
{
    return vg_package_init(rec, VG_PACKAGE_VERSION);
}

static const put_kind put_plan = {plan_put_exec, plan_blank, plan_fields, COUNT(plan_fields),
                                  "plan"};
static const put_kind put_service = {service_put_exec, service_blank, service_fields,
                                     COUNT(service_fields), "service"};
static const put_kind put_package = {package_put_exec, package_blank, package_fields,
                                     COUNT(package_fields), "package"};

/* plan_put(ctx, plan), service_put(ctx, service), package_put(ctx, package): the record is
 * initialised and filled from the JS object here, on the main thread. */
static napi_value run_put(napi_env env, napi_callback_info info, const put_kind *k)
{
    VGN_ARGS(env, info, 2, argv);
    put_op *o = vgn_op_new(env, sizeof *o, k->exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    if (k->init(&o->u) != VG_OK)
        vgn_op_reject(&o->op, VGN_RANGE_ERROR, "%s: this library does not know the record version",
                      k->what);
    else
        record_read(&o->op, argv[1], k->fields, k->count, &o->u, k->what);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static napi_value plan_put(napi_env env, napi_callback_info info)
{
    return run_put(env, info, &put_plan);
}

static napi_value service_put(napi_env env, napi_callback_info info)
{
    return run_put(env, info, &put_service);
}

static napi_value package_put(napi_env env, napi_callback_info info)
{
    return run_put(env, info, &put_package);
}

/* ---- access check ------------------------------------------------------------------- */

typedef struct access_op {
    vgn_op op;
    vg_ctx *ctx;
    int64_t user_id;
    vg_access_request request;
    vg_access access;
} access_op;

static void access_check_exec(vgn_op *op)
{
    access_op *o = (access_op *)op;
    op->rc = vg_access_check(&o->access, o->ctx, o->user_id, &o->request);
    if (op->rc == VG_OK)
        op->result = access_val(&o->access);
}

/* access_check(ctx, userId, { service, resolution, durationS, fps }): the decision; it
 * rejects only when no decision could be made. */
static napi_value access_check(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    access_op *o = vgn_op_new(env, sizeof *o, access_check_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->request = (vg_access_request)VG_ACCESS_REQUEST_INIT;
    record_read(&o->op, argv[2], request_fields, COUNT(request_fields), &o->request, "request");
    return vgn_op_run(&o->op, VGN_ASYNC);
}

int vgn_register_plans(napi_env env, napi_value exports)
{
    static const vgn_function functions[] = {
        {"plan_init", plan_init},       {"service_init", service_init},
        {"package_init", package_init}, {"plan_get", plan_get},
        {"plans_list", plans_list},     {"plan_put", plan_put},
        {"service_get", service_get},   {"services_list", services_list},
        {"service_put", service_put},   {"packages_list", packages_list},
        {"package_put", package_put},   {"access_check", access_check},
    };
    return vgn_export(env, exports, functions, COUNT(functions));
}
