/* SPDX-License-Identifier: MIT */
/* The access rules: may this user use this service with these parameters now? The rules
 * are a table, checked in order; the first that refuses gives the reason. */
#include <string.h>

#include "../credits/wallet.h"

typedef struct access_case {
    const vg_user *user;
    const vg_plan *plan;
    const vg_plan *min_plan;
    const vg_service *service;
    const vg_access_request *request;
    const vg_store_wallet *wallet;
} access_case;

static int account_usable(const access_case *c)
{
    return c->user->active ? VG_OK : VG_EACCOUNT_DISABLED;
}

static int account_verified(const access_case *c)
{
    return c->user->verified ? VG_OK : VG_ENOT_VERIFIED;
}

static int service_requestable(const access_case *c)
{
    return c->service->internal || !c->service->active ? VG_ESERVICE_UNKNOWN : VG_OK;
}

static int subscription_present(const access_case *c)
{
    return c->service->subscribers_only && !c->plan->paid ? VG_ESUBSCRIBERS_ONLY : VG_OK;
}

static int effects_included(const access_case *c)
{
    return c->service->kind == VG_SERVICE_EFFECT && !c->plan->effects ? VG_EPLAN_TOO_LOW : VG_OK;
}

/* A plan's max_resolution counts video lines: effects work on an existing asset, and image
 * sizes (512, 1024 px) are not lines and open to every plan, so only videos are held to it. */
static int resolution_within_plan(const access_case *c)
{
    int resolution = c->request->resolution ? c->request->resolution : c->service->resolution;
    if (c->service->kind != VG_SERVICE_VIDEO)
        return VG_OK;
    return resolution > c->plan->max_resolution ? VG_ERESOLUTION : VG_OK;
}

/* 60 fps is a plan feature (Pro+), not a resolution. */
static int fps_within_plan(const access_case *c)
{
    return c->request->fps > c->plan->max_fps ? VG_EPLAN_TOO_LOW : VG_OK;
}

static int parameters_valid(const access_case *c)
{
    const vg_access_request *r = c->request;
    if (r->resolution < 0 || r->duration_s < 0 || r->fps < 0)
        return VG_EPARAMETER;
    if (r->resolution && c->service->resolution && r->resolution != c->service->resolution)
        return VG_EPARAMETER; /* each resolution is its own service, with its own price */
    if (r->duration_s && r->duration_s > c->service->max_duration_s)
        return VG_EPARAMETER;
    return VG_OK;
}

static int plan_rank_enough(const access_case *c)
{
    return c->plan->rank < c->min_plan->rank ? VG_EPLAN_TOO_LOW : VG_OK;
}

static int price_covered(const access_case *c)
{
    const vg_store_wallet *w = c->wallet;
    if (c->plan->free_uses > 0 && w->free_uses > 0)
        return VG_OK;
    if (w->bonus + w->subscription + w->purchased >= c->service->credits)
        return VG_OK;
    return c->plan->free_uses > 0 ? VG_EDEMO_USED_UP : VG_EINSUFFICIENT_CREDITS;
}

/* The rules in the order they are asked. */
static int (*const rules[])(const access_case *) = {
    account_usable,      account_verified, service_requestable, subscription_present,
    effects_included,    parameters_valid, resolution_within_plan, fps_within_plan,
    plan_rank_enough,    price_covered,
};

typedef struct access_query {
    int64_t user_id;
    const vg_access_request *request;
    vg_access result;
} access_query;

static int access_body(vg__txn *txn, void *payload)
{
    access_query *q = payload;
    vg_service service;
    vg_plan min_plan;
    vg__wallet wl;
    access_case c;
    size_t i;
    int rc;

    if ((rc = vg__wallet_load(&wl, txn, q->user_id)) != VG_OK ||
        (rc = vg__wallet_save(&wl)) != VG_OK ||
        (rc = vg__service_load(txn, &service, q->request->service)) != VG_OK ||
        (rc = vg__plan_load(txn, &min_plan, service.min_plan)) != VG_OK)
        return rc;
    c = (access_case){&wl.user, &wl.plan, &min_plan, &service, q->request, &wl.w};
    memset(&q->result, 0, sizeof q->result);
    q->result.version = 1;
    q->result.allowed = 1;
    for (i = 0; i < sizeof rules / sizeof rules[0]; i++)
        if ((q->result.reason = rules[i](&c)) != VG_OK) {
            q->result.allowed = 0;
            break;
        }
    q->result.free_use = wl.plan.free_uses > 0 && wl.w.free_uses > 0;
    q->result.price = q->result.free_use ? 0 : service.credits;
    q->result.watermark = wl.plan.watermark;
    q->result.cache_only = !wl.plan.paid && service.kind == VG_SERVICE_VIDEO;
    q->result.priority = wl.plan.priority_queue;
    return VG_OK;
}

int vg_access_check(vg_access *out, vg_ctx *ctx, int64_t user_id, const vg_access_request *request)
{
    access_query q = {user_id, request, {0}};
    int rc;

    if (!ctx || !out || !request || !request->service)
        return vg__fail(ctx, VG_EINVAL, "vg_access_check: NULL argument");
    if (request->version < 1 || request->version > VG_ACCESS_REQUEST_VERSION)
        return vg__fail(ctx, VG_EVERSION, "access request version %u is not 1..%d",
                        request->version, VG_ACCESS_REQUEST_VERSION);
    rc = vg__txn_run(ctx, VG_TXN_WRITE, access_body, &q);
    if (rc == VG_OK) {
        *out = q.result;
        if (!q.result.allowed)
            vg__fail(ctx, q.result.reason, "%s", vg_strerror(q.result.reason, vg_ctx_lang(ctx)));
    }
    return rc;
}
