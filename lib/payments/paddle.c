/* SPDX-License-Identifier: MIT */
/* Paddle Billing webhooks: verified, then each event processed once — a completed
 * transaction pays its order; subscription events move the user's subscription. */
#include <cJSON.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payments_internal.h"

/* Paddle's subscription statuses and what they mean here. */
static const struct {
    const char *status;
    vg_subscription_state state;
} statuses[] = {
    {"active", VG_SUBSCRIPTION_ACTIVE},     {"trialing", VG_SUBSCRIPTION_ACTIVE},
    {"past_due", VG_SUBSCRIPTION_PAST_DUE}, {"paused", VG_SUBSCRIPTION_EXPIRED},
    {"canceled", VG_SUBSCRIPTION_EXPIRED},
};

static const char *str(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

static const cJSON *obj(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    return cJSON_IsObject(item) ? item : NULL;
}

/* custom_data.vidgo_user as a number or a string of digits; 0 when absent. */
static int64_t custom_user(const cJSON *data)
{
    const cJSON *custom = obj(data, "custom_data"), *user;
    if (!custom || !(user = cJSON_GetObjectItemCaseSensitive(custom, "vidgo_user")))
        return 0;
    if (cJSON_IsNumber(user) && user->valuedouble >= 1 && user->valuedouble < 9e15)
        return (int64_t)user->valuedouble;
    if (cJSON_IsString(user) && strspn(user->valuestring, "0123456789") ==
                                    strlen(user->valuestring) && strlen(user->valuestring) < 16)
        return strtoll(user->valuestring, NULL, 10);
    return 0;
}

/* ---- recording an event once -------------------------------------------------------------- */

typedef struct event_args {
    vg_store_webhook_event event;
    vg_store_subscription *sub; /* when not NULL: written in the same transaction */
    int duplicate;
} event_args;

static int event_body(vg__txn *txn, void *payload)
{
    event_args *a = payload;
    int rc = vg__webhook_event_insert(txn, &a->event);
    a->duplicate = rc == VG_EEXISTS;
    if (a->duplicate) {
        vg_error_clear();
        return VG_OK;
    }
    if (rc == VG_OK && a->sub)
        rc = vg__subscription_put(txn, a->sub);
    return rc;
}

/* ---- the events -------------------------------------------------------------------------- */

static int on_transaction(vg_webhook_result *out, vg_ctx *ctx, const cJSON *data)
{
    const cJSON *custom = obj(data, "custom_data"), *totals = obj(obj(data, "details"), "totals");
    const char *number = str(custom, "vidgo_order"), *currency = str(data, "currency_code"),
               *total = str(totals, "total"), *id = str(data, "id");
    vg_store_order o;
    int64_t amount;
    int rc;

    if (!number || !currency || !total || !id || strspn(total, "0123456789") != strlen(total) ||
        !*total || strlen(total) > 15 || strlen(number) >= VG_ORDER_NUMBER_SIZE)
        return vg__fail(ctx, VG_EINVAL, "paddle: a transaction needs custom_data.vidgo_order, "
                                        "currency_code and details.totals.total");
    amount = strtoll(total, NULL, 10);
    rc = vg__order_pay(&o, ctx, number, "paddle", id, amount, currency);
    if (rc == VG_ENOTFOUND)
        return vg__fail(ctx, rc, "paddle: there is no order %.20s", number);
    if (rc == VG_OK)
        out->order_id = o.id;
    return rc;
}

/* The subscription a subscription event describes; *ignore when VidGo does not act on it. */
static int read_subscription(vg_store_subscription *sub, vg_ctx *ctx, const cJSON *data,
                             const char *type)
{
    const cJSON *period = obj(data, "current_billing_period"),
                *scheduled = obj(data, "scheduled_change");
    const char *status = str(data, "status"), *id = str(data, "id"),
               *plan = str(obj(data, "custom_data"), "vidgo_plan"), *action;
    vg_plan p;
    size_t i;

    memset(sub, 0, sizeof *sub);
    sub->user_id = custom_user(data);
    if (!sub->user_id || !status || !id || strlen(id) >= sizeof sub->provider_ref)
        return vg__fail(ctx, VG_EINVAL, "paddle: a subscription needs an id, a status and "
                                        "custom_data.vidgo_user");
    for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
        if (strcmp(statuses[i].status, status) == 0)
            break;
    if (i == sizeof statuses / sizeof statuses[0])
        return vg__fail(ctx, VG_EINVAL, "paddle: unknown subscription status %.20s", status);
    sub->state = statuses[i].state;
    if (strcmp(type, "subscription.canceled") == 0)
        sub->state = VG_SUBSCRIPTION_EXPIRED;
    action = str(scheduled, "action");
    if (sub->state == VG_SUBSCRIPTION_ACTIVE && action && strcmp(action, "cancel") == 0)
        sub->state = VG_SUBSCRIPTION_CANCELED;
    vg_plan_init(&p, VG_PLAN_VERSION);
    if (!plan || vg_plan_get(&p, ctx, plan) != VG_OK || !p.paid)
        return vg__fail(ctx, VG_EINVAL, "paddle: custom_data.vidgo_plan is not a paid plan");
    snprintf(sub->plan, sizeof sub->plan, "%s", plan);
    snprintf(sub->provider, sizeof sub->provider, "paddle");
    snprintf(sub->provider_ref, sizeof sub->provider_ref, "%s", id);
    if (!period || !str(period, "starts_at") || !str(period, "ends_at") ||
        vg_time_parse(&sub->period_start, str(period, "starts_at")) != VG_OK ||
        vg_time_parse(&sub->period_end, str(period, "ends_at")) != VG_OK) {
        if (sub->state != VG_SUBSCRIPTION_EXPIRED)
            return vg__fail(ctx, VG_EINVAL, "paddle: the subscription has no billing period");
        sub->period_start = sub->period_end = vg_ctx_now(ctx);
    }
    sub->started_at = sub->period_start;
    sub->updated_at = vg_ctx_now(ctx);
    return VG_OK;
}

int vg_paddle_webhook(vg_webhook_result *out, vg_ctx *ctx, const char *signature,
                      const char *body, size_t body_len)
{
    vg_store_subscription sub;
    vg_user user;
    event_args a;
    const cJSON *data;
    const char *id, *type;
    cJSON *root = NULL;
    int rc, is_sub;

    if (!out || !ctx || !signature || !body)
        return vg__fail(ctx, VG_EINVAL, "vg_paddle_webhook: NULL argument");
    if (out->version != VG_WEBHOOK_RESULT_VERSION)
        return vg__fail(ctx, VG_EVERSION, "webhook result version %u is not %u", out->version,
                        VG_WEBHOOK_RESULT_VERSION);
    if ((rc = vg_paddle_verify(ctx, signature, body, body_len, NULL, 0)) != VG_OK)
        return rc;
    memset(out, 0, sizeof *out);
    out->version = VG_WEBHOOK_RESULT_VERSION;
    root = cJSON_ParseWithLength(body, body_len);
    id = str(root, "event_id");
    type = str(root, "event_type");
    data = obj(root, "data");
    if (!id || !type || !data || strlen(id) >= sizeof out->event_id ||
        strlen(type) >= sizeof out->event_type) {
        rc = vg__fail(ctx, VG_EINVAL, "paddle: the event has no event_id, event_type or data");
        goto done;
    }
    snprintf(out->event_id, sizeof out->event_id, "%s", id);
    snprintf(out->event_type, sizeof out->event_type, "%s", type);
    memset(&a, 0, sizeof a);
    snprintf(a.event.provider, sizeof a.event.provider, "paddle");
    snprintf(a.event.event_id, sizeof a.event.event_id, "%s", id);
    snprintf(a.event.event_type, sizeof a.event.event_type, "%s", type);
    a.event.received_at = vg_ctx_now(ctx);
    is_sub = strncmp(type, "subscription.", 13) == 0;

    if (strcmp(type, "transaction.completed") == 0) {
        /* idempotent by the order: done before the event is recorded, so a crash in
         * between is repaired by the redelivery */
        if ((rc = on_transaction(out, ctx, data)) != VG_OK)
            goto done;
    } else if (is_sub) {
        if ((rc = read_subscription(&sub, ctx, data, type)) != VG_OK)
            goto done;
        vg_user_init(&user, VG_USER_VERSION);
        if ((rc = vg_user_get(&user, ctx, sub.user_id)) != VG_OK)
            goto done;
        out->user_id = sub.user_id;
        a.sub = &sub;
    } else {
        out->ignored = 1;
    }
    if ((rc = vg__txn_run(ctx, VG_TXN_WRITE, event_body, &a)) != VG_OK)
        goto done;
    out->duplicate = a.duplicate;
    if (is_sub) /* the plan follows the subscription, idempotently */
        rc = vg__subscription_sync_plan(ctx, sub.user_id);
    vg__log(ctx, VG_LOG_INFO, "paddle: %s %s%s", type, id,
            a.duplicate ? " (a duplicate; nothing changed)" : "");
done:
    cJSON_Delete(root);
    return rc;
}
