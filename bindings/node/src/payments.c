/* SPDX-License-Identifier: MIT */
/* engine.payments natively: orders, ECPay, Paddle, the sandbox, subscriptions, promotion
 * codes and the administrators' figures. Everything that reads the store is async. */
#include "groups.h"

/* ---- enums ----------------------------------------------------------------------------- */

/* Indexed by vg_order_kind and vg_subscription_state. */
static const char *const order_kind_names[] = {"package", "subscription"};
static const char *const subscription_state_names[] = {"none", "active", "past_due", "canceled",
                                                       "expired"};

static const char *order_kind_name(int kind)
{
    return vgn_name_in(order_kind_names, COUNT(order_kind_names), kind);
}

static const char *subscription_state_name(int state)
{
    return vgn_name_in(subscription_state_names, COUNT(subscription_state_names), state);
}

/* ---- records ----------------------------------------------------------------------------- */

static vgn_val *order_val(const vg_order *r)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", r->id);
    vgn_set_str(o, "number", r->number);
    vgn_set_int(o, "userId", r->user_id);
    vgn_set_str(o, "kind", order_kind_name((int)r->kind));
    vgn_set_str(o, "item", r->item);
    vgn_set_str(o, "state", vg_order_state_name((int)r->state));
    vgn_set_str(o, "provider", r->provider);
    vgn_set_str(o, "currency", r->currency);
    vgn_set_int(o, "amountMinor", r->amount_minor);
    vgn_set_int(o, "discountPct", r->discount_pct);
    vgn_set_int(o, "credits", r->credits);
    vgn_set_str(o, "providerRef", r->provider_ref);
    vgn_set_str(o, "failure", r->failure);
    vgn_set_time(o, "createdAt", r->created_at);
    vgn_set_time(o, "paidAt", r->paid_at);
    vgn_set_time(o, "fulfilledAt", r->fulfilled_at);
    vgn_set_time(o, "expiresAt", r->expires_at);
    return o;
}

static vgn_val *subscription_val(const vg_subscription *s)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "userId", s->user_id);
    vgn_set_str(o, "plan", s->plan);
    vgn_set_str(o, "state", subscription_state_name((int)s->state));
    vgn_set_str(o, "provider", s->provider);
    vgn_set_str(o, "providerRef", s->provider_ref);
    vgn_set_str(o, "nextPlan", s->next_plan);
    vgn_set_time(o, "startedAt", s->started_at);
    vgn_set_time(o, "periodStart", s->period_start);
    vgn_set_time(o, "periodEnd", s->period_end);
    return o;
}

static vgn_val *promo_val(const vg_promo *p)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "code", p->code);
    vgn_set_int(o, "bonusCredits", p->bonus_credits);
    vgn_set_int(o, "bonusTtlDays", p->bonus_ttl_days);
    vgn_set_time(o, "validFrom", p->valid_from);
    vgn_set_time(o, "validUntil", p->valid_until);
    vgn_set_int(o, "maxRedemptions", p->max_redemptions);
    vgn_set_int(o, "perUser", p->per_user);
    vgn_set_str(o, "plans", p->plans);
    vgn_set_bool(o, "active", p->active);
    vgn_set_int(o, "redeemed", p->redeemed);
    vgn_set_time(o, "createdAt", p->created_at);
    return o;
}

static vgn_val *webhook_val(const vg_webhook_result *w)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "eventId", w->event_id);
    vgn_set_str(o, "eventType", w->event_type);
    vgn_set_bool(o, "duplicate", w->duplicate);
    vgn_set_bool(o, "ignored", w->ignored);
    vgn_set_int(o, "orderId", w->order_id);
    vgn_set_int(o, "userId", w->user_id);
    return o;
}

static vgn_val *stats_val(const vg_admin_stats *s)
{
    vgn_val *o = vgn_object(), *plans = vgn_array(), *revenue = vgn_array(), *spent = vgn_array();
    for (size_t i = 0; i < s->plan_count && i < VG_STATS_ROWS; i++) {
        vgn_val *row = vgn_object();
        vgn_set_str(row, "plan", s->plans[i].plan);
        vgn_set_int(row, "users", s->plans[i].users);
        vgn_push(plans, row);
    }
    for (size_t i = 0; i < s->currency_count && i < VG_STATS_ROWS; i++) {
        vgn_val *row = vgn_object();
        vgn_set_str(row, "currency", s->revenue[i].currency);
        vgn_set_int(row, "amountMinor", s->revenue[i].amount_minor);
        vgn_set_int(row, "orders", s->revenue[i].orders);
        vgn_push(revenue, row);
    }
    for (size_t i = 0; i < s->service_count && i < VG_STATS_ROWS; i++) {
        vgn_val *row = vgn_object();
        vgn_set_str(row, "service", s->spent[i].service);
        vgn_set_int(row, "credits", s->spent[i].credits);
        vgn_set_int(row, "uses", s->spent[i].uses);
        vgn_push(spent, row);
    }
    vgn_set(o, "plans", plans);
    vgn_set_int(o, "activeSubscriptions", s->active_subscriptions);
    vgn_set(o, "revenue", revenue);
    vgn_set_int(o, "creditsGranted", s->credits_granted);
    vgn_set(o, "spent", spent);
    vgn_set_int(o, "apiCostMicroUsd", s->api_cost_micro_usd);
    vgn_set_int(o, "cacheSavedMicroUsd", s->cache_saved_micro_usd);
    vgn_set_int(o, "cacheHits", s->cache_hits);
    return o;
}

/* ---- names ------------------------------------------------------------------------------- */

/* order_state_name(state) → "created", ..., or null. */
static napi_value order_state_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_order_state_name, NULL);
}

/* ---- orders ---------------------------------------------------------------------------- */

/* One op shape serves every call that answers an order. */
typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t id;
    const char *text; /* a number, or a reason */
    vg_order_request request;
    vg_order order;
} order_op;

static void order_done(vgn_op *op, int rc)
{
    op->rc = rc;
    op->result = order_val(&((order_op *)op)->order);
}

static void create_exec(vgn_op *op)
{
    order_op *o = (order_op *)op;
    order_done(op, vg_order_create(&o->order, o->ctx, &o->request));
}

static void get_exec(vgn_op *op)
{
    order_op *o = (order_op *)op;
    order_done(op, vg_order_get(&o->order, o->ctx, o->id));
}

static void find_exec(vgn_op *op)
{
    order_op *o = (order_op *)op;
    order_done(op, vg_order_find(&o->order, o->ctx, o->text));
}

static void refund_exec(vgn_op *op)
{
    order_op *o = (order_op *)op;
    order_done(op, vg_order_refund(&o->order, o->ctx, o->id, o->text));
}

static void simulate_exec(vgn_op *op)
{
    order_op *o = (order_op *)op;
    order_done(op, vg_order_simulate_paid(&o->order, o->ctx, o->id));
}

static order_op *order_op_new(napi_env env, napi_value ctx, vgn_exec_fn exec)
{
    order_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->order.version = VG_ORDER_VERSION;
    o->ctx = vgn_op_handle(&o->op, ctx, VGN_CONTEXT);
    return o;
}

/* order_create(ctx, { userId, kind, item, provider, currency, idempotencyKey }). */
static napi_value order_create(napi_env env, napi_callback_info info)
{
    static const vg_order_request init = VG_ORDER_REQUEST_INIT;
    VGN_ARGS(env, info, 2, argv);
    order_op *o = order_op_new(env, argv[0], create_exec);
    if (!o)
        return NULL;
    vg_order_request *r = &o->request;
    int kind;
    *r = init;
    r->user_id = vgn_op_int(&o->op, vgn_op_prop(&o->op, argv[1], "userId"), "userId", 0);
    kind = vgn_read_name(&o->op, vgn_op_prop(&o->op, argv[1], "kind"), "kind", 1, order_kind_name,
                         COUNT(order_kind_names));
    if (kind >= 0)
        r->kind = (vg_order_kind)kind;
    r->item = vgn_op_string(&o->op, vgn_op_prop(&o->op, argv[1], "item"), "item", 0);
    r->provider = vgn_op_string(&o->op, vgn_op_prop(&o->op, argv[1], "provider"), "provider", 0);
    r->currency = vgn_op_string(&o->op, vgn_op_prop(&o->op, argv[1], "currency"), "currency", 1);
    r->idempotency_key =
        vgn_op_string(&o->op, vgn_op_prop(&o->op, argv[1], "idempotencyKey"), "idempotencyKey", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* Calls of the shape (ctx, id[, text]) → Promise of an order. */
static napi_value run_by_id(napi_env env, napi_callback_info info, vgn_exec_fn exec,
                            const char *text_name)
{
    VGN_ARGS(env, info, 3, argv);
    order_op *o = order_op_new(env, argv[0], exec);
    if (!o)
        return NULL;
    o->id = vgn_op_int(&o->op, argv[1], "orderId", 0);
    if (text_name)
        o->text = vgn_op_string(&o->op, argv[2], text_name, 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static napi_value order_get(napi_env env, napi_callback_info info)
{
    return run_by_id(env, info, get_exec, NULL);
}

static napi_value order_refund(napi_env env, napi_callback_info info)
{
    return run_by_id(env, info, refund_exec, "reason");
}

static napi_value order_simulate_paid(napi_env env, napi_callback_info info)
{
    return run_by_id(env, info, simulate_exec, NULL);
}

/* order_find(ctx, number) → Promise of an order. */
static napi_value order_find(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    order_op *o = order_op_new(env, argv[0], find_exec);
    if (!o)
        return NULL;
    o->text = vgn_op_string(&o->op, argv[1], "number", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t user_id, before_id;
    int limit;
} list_op;

static int order_row(const vg_order *order, void *array)
{
    vgn_push(array, order_val(order));
    return 0;
}

static void list_exec(vgn_op *op)
{
    list_op *o = (list_op *)op;
    op->result = vgn_array();
    op->rc = vg_orders_list(o->ctx, o->user_id, o->before_id, o->limit, order_row, op->result);
}

/* orders_list(ctx, userId, beforeId, limit) → Promise of orders, newest first. */
static napi_value orders_list(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    list_op *o = vgn_op_new(env, sizeof *o, list_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 1);
    o->before_id = vgn_op_int(&o->op, argv[2], "beforeId", 1);
    o->limit = vgn_op_int32(&o->op, argv[3], "limit", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- ECPay ------------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_form_field *fields;
    size_t count;
    const char *key, *iv;
    int sha256;
} mac_op;

static void mac_exec(vgn_op *op)
{
    mac_op *o = (mac_op *)op;
    char out[65];
    op->rc = vg_ecpay_check_mac(out, o->fields, o->count, o->key, o->iv, o->sha256);
    op->result = vgn_str(out);
}

/* Reads [[name, value], ...] into fields the op owns. */
static void read_fields(mac_op *o, napi_value array)
{
    napi_env env = o->op.env;
    bool is_array = false;
    uint32_t n = 0;
    napi_is_array(env, array, &is_array);
    if (!is_array) {
        vgn_op_reject(&o->op, VGN_TYPE_ERROR, "fields must be an array of [name, value] pairs");
        return;
    }
    napi_get_array_length(env, array, &n);
    o->fields = vgn_op_alloc(&o->op, (n ? n : 1) * sizeof *o->fields);
    o->count = n;
    for (uint32_t i = 0; o->fields && i < n; i++) {
        napi_value pair, name, value;
        uint32_t len = 0;
        napi_get_element(env, array, i, &pair);
        if (napi_get_array_length(env, pair, &len) != napi_ok || len != 2) {
            vgn_op_reject(&o->op, VGN_TYPE_ERROR, "fields[%u] must be a [name, value] pair", i);
            return;
        }
        napi_get_element(env, pair, 0, &name);
        napi_get_element(env, pair, 1, &value);
        o->fields[i].name = vgn_op_string(&o->op, name, "field name", 0);
        o->fields[i].value = vgn_op_string(&o->op, value, "field value", 0);
    }
}

/* ecpay_check_mac(fields, hashKey, hashIv, sha256) → upper-case hex. Pure. */
static napi_value ecpay_check_mac(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    mac_op *o = vgn_op_new(env, sizeof *o, mac_exec);
    if (!o)
        return NULL;
    read_fields(o, argv[0]);
    o->key = vgn_op_string(&o->op, argv[1], "hashKey", 0);
    o->iv = vgn_op_string(&o->op, argv[2], "hashIv", 0);
    o->sha256 = vgn_op_bool(&o->op, argv[3], "sha256", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t order_id;
    const char *return_url, *client_back_url, *choose_payment;
    vg_ecpay_form form;
} checkout_op;

static void checkout_exec(vgn_op *op)
{
    checkout_op *o = (checkout_op *)op;
    vgn_val *r = vgn_object(), *fields = vgn_array();
    o->form.version = VG_ECPAY_FORM_VERSION;
    op->rc = vg_ecpay_checkout(&o->form, o->ctx, o->order_id, o->return_url, o->client_back_url,
                               o->choose_payment);
    for (size_t i = 0; i < o->form.count && i < VG_ECPAY_FORM_FIELDS; i++) {
        vgn_val *pair = vgn_array();
        vgn_push(pair, vgn_str(o->form.fields[i].name));
        vgn_push(pair, vgn_str(o->form.fields[i].value));
        vgn_push(fields, pair);
    }
    vgn_set_str(r, "action", o->form.action);
    vgn_set(r, "fields", fields);
    op->result = r;
}

/* ecpay_checkout(ctx, orderId, returnUrl, clientBackUrl, choosePayment) → Promise of
 * { action, fields: [[name, value], ...] }. */
static napi_value ecpay_checkout(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    checkout_op *o = vgn_op_new(env, sizeof *o, checkout_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->order_id = vgn_op_int(&o->op, argv[1], "orderId", 0);
    o->return_url = vgn_op_string(&o->op, argv[2], "returnUrl", 0);
    o->client_back_url = vgn_op_string(&o->op, argv[3], "clientBackUrl", 1);
    o->choose_payment = vgn_op_string(&o->op, argv[4], "choosePayment", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

#define REPLY_SIZE 256

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const unsigned char *body;
    size_t body_len;
    char reply[REPLY_SIZE];
    vg_order order;
} callback_op;

/* A refused callback still has a reply for ECPay ("0|<reason>"), which an Error made from
 * rc alone would lose: the op always resolves, with { status, message, reply, order }, and
 * lib/payments.js throws the VidgoError (with its `reply`) when status is not 0. */
static void callback_exec(vgn_op *op)
{
    callback_op *o = (callback_op *)op;
    vgn_val *r = vgn_object();
    int rc;
    o->order.version = VG_ORDER_VERSION;
    rc = vg_ecpay_callback(&o->order, o->reply, sizeof o->reply, o->ctx, (const char *)o->body,
                           o->body_len);
    vgn_set_int(r, "status", rc);
    vgn_set_str(r, "message", rc && vg_error_last_code() == rc ? vg_error_last() : NULL);
    vgn_set_str(r, "reply", o->reply);
    vgn_set(r, "order", rc ? vgn_null() : order_val(&o->order));
    op->result = r;
}

/* ecpay_callback(ctx, body) → Promise of { status, message, reply, order }. */
static napi_value ecpay_callback(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    callback_op *o = vgn_op_new(env, sizeof *o, callback_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->body = vgn_op_bytes(&o->op, argv[1], "body", &o->body_len, 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- Paddle ------------------------------------------------------------------------------ */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *signature, *secret;
    const unsigned char *body;
    size_t body_len;
    int tolerance_s;
    vg_webhook_result result;
} paddle_op;

static void verify_exec(vgn_op *op)
{
    paddle_op *o = (paddle_op *)op;
    op->rc = vg_paddle_verify(o->ctx, o->signature, (const char *)o->body, o->body_len, o->secret,
                              o->tolerance_s);
}

/* paddle_verify(ctx, signature, body, secret, toleranceS) → undefined, or throws. Sync:
 * signature math on the context's secrets and clock. */
static napi_value paddle_verify(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    paddle_op *o = vgn_op_new(env, sizeof *o, verify_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->signature = vgn_op_string(&o->op, argv[1], "signature", 0);
    o->body = vgn_op_bytes(&o->op, argv[2], "body", &o->body_len, 0);
    o->secret = vgn_op_string(&o->op, argv[3], "secret", 1);
    o->tolerance_s = vgn_op_int32(&o->op, argv[4], "toleranceS", 1);
    return vgn_op_run(&o->op, VGN_SYNC);
}

static void webhook_exec(vgn_op *op)
{
    paddle_op *o = (paddle_op *)op;
    o->result.version = VG_WEBHOOK_RESULT_VERSION;
    op->rc =
        vg_paddle_webhook(&o->result, o->ctx, o->signature, (const char *)o->body, o->body_len);
    op->result = webhook_val(&o->result);
}

/* paddle_webhook(ctx, signature, body) → Promise of what the event did. */
static napi_value paddle_webhook(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    paddle_op *o = vgn_op_new(env, sizeof *o, webhook_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->signature = vgn_op_string(&o->op, argv[1], "signature", 0);
    o->body = vgn_op_bytes(&o->op, argv[2], "body", &o->body_len, 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- subscriptions --------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t user_id;
    const char *plan;
    int (*fn)(vg_subscription *, vg_ctx *, int64_t);
    vg_subscription sub;
} sub_op;

static void sub_exec(vgn_op *op)
{
    sub_op *o = (sub_op *)op;
    o->sub.version = VG_SUBSCRIPTION_VERSION;
    op->rc = o->fn ? o->fn(&o->sub, o->ctx, o->user_id)
                   : vg_subscription_change(&o->sub, o->ctx, o->user_id, o->plan);
    op->result = subscription_val(&o->sub);
}

/* (ctx, userId[, plan]) → Promise of the subscription; fn NULL: a change to plan. */
static napi_value run_sub(napi_env env, napi_callback_info info,
                          int (*fn)(vg_subscription *, vg_ctx *, int64_t))
{
    VGN_ARGS(env, info, 3, argv);
    sub_op *o = vgn_op_new(env, sizeof *o, sub_exec);
    if (!o)
        return NULL;
    o->fn = fn;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    if (!fn)
        o->plan = vgn_op_string(&o->op, argv[2], "plan", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static napi_value subscription_get(napi_env env, napi_callback_info info)
{
    return run_sub(env, info, vg_subscription_get);
}

static napi_value subscription_cancel(napi_env env, napi_callback_info info)
{
    return run_sub(env, info, vg_subscription_cancel);
}

static napi_value subscription_change(napi_env env, napi_callback_info info)
{
    return run_sub(env, info, NULL);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
} ctx_op;

static void maintain_exec(vgn_op *op)
{
    int changed = 0;
    op->rc = vg_subscriptions_maintain(&changed, ((ctx_op *)op)->ctx);
    op->result = vgn_int(changed);
}

/* subscriptions_maintain(ctx) → Promise of how many it looked at or changed. */
static napi_value subscriptions_maintain(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    ctx_op *o = vgn_op_new(env, sizeof *o, maintain_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- promotions ------------------------------------------------------------------------------ */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int64_t user_id;
    const char *code, *key;
    vg_promo promo;
    vg_balance balance;
} promo_op;

static void put_exec(vgn_op *op)
{
    promo_op *o = (promo_op *)op;
    op->rc = vg_promo_put(o->ctx, &o->promo);
}

/* promo_put(ctx, { code, bonusCredits, bonusTtlDays, validFrom, validUntil,
 * maxRedemptions, perUser, plans, active }) → Promise of undefined. */
static napi_value promo_put(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    promo_op *o = vgn_op_new(env, sizeof *o, put_exec);
    if (!o)
        return NULL;
    vgn_op *op = &o->op;
    vg_promo *p = &o->promo;
    napi_value obj = argv[1], active;
    p->version = VG_PROMO_VERSION;
    o->ctx = vgn_op_handle(op, argv[0], VGN_CONTEXT);
    vgn_check_object(op, obj, "promo");
    vgn_read_text(op, vgn_op_prop(op, obj, "code"), "code", 0, p->code, sizeof p->code);
    p->bonus_credits = vgn_op_int(op, vgn_op_prop(op, obj, "bonusCredits"), "bonusCredits", 0);
    p->bonus_ttl_days = vgn_op_int32(op, vgn_op_prop(op, obj, "bonusTtlDays"), "bonusTtlDays", 1);
    p->valid_from = vgn_op_time(op, vgn_op_prop(op, obj, "validFrom"), "validFrom", 1);
    p->valid_until = vgn_op_time(op, vgn_op_prop(op, obj, "validUntil"), "validUntil", 1);
    p->max_redemptions =
        vgn_op_int32(op, vgn_op_prop(op, obj, "maxRedemptions"), "maxRedemptions", 1);
    p->per_user = vgn_op_int32(op, vgn_op_prop(op, obj, "perUser"), "perUser", 1);
    vgn_read_text(op, vgn_op_prop(op, obj, "plans"), "plans", 1, p->plans, sizeof p->plans);
    active = vgn_op_prop(op, obj, "active");
    p->active = vgn_op_absent(op, active) || vgn_op_bool(op, active, "active", 0);
    return vgn_op_run(op, VGN_ASYNC);
}

static void promo_get_exec(vgn_op *op)
{
    promo_op *o = (promo_op *)op;
    o->promo.version = VG_PROMO_VERSION;
    op->rc = vg_promo_get(&o->promo, o->ctx, o->code);
    op->result = promo_val(&o->promo);
}

/* promo_get(ctx, code) → Promise of the promotion. */
static napi_value promo_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    promo_op *o = vgn_op_new(env, sizeof *o, promo_get_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->code = vgn_op_string(&o->op, argv[1], "code", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void redeem_exec(vgn_op *op)
{
    promo_op *o = (promo_op *)op;
    op->rc = vg_promo_redeem(&o->balance, o->ctx, o->user_id, o->code, o->key);
    op->result = vgn_balance_val(&o->balance);
}

/* promo_redeem(ctx, userId, code, key) → Promise of the balance after. */
static napi_value promo_redeem(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    promo_op *o = vgn_op_new(env, sizeof *o, redeem_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->code = vgn_op_string(&o->op, argv[2], "code", 0);
    o->key = vgn_op_string(&o->op, argv[3], "key", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- figures --------------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    unsigned int version;
    vg_admin_stats stats;
} stats_op;

static void stats_exec(vgn_op *op)
{
    stats_op *o = (stats_op *)op;
    o->stats.version = o->version;
    op->rc = vg_admin_stats_get(&o->stats, o->ctx);
    op->result = stats_val(&o->stats);
}

/* admin_stats_get(ctx[, version]) → Promise of the figures (plans as rows). */
static napi_value admin_stats_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    stats_op *o = vgn_op_new(env, sizeof *o, stats_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->version = vgn_read_version(&o->op, argv[1], VG_ADMIN_STATS_VERSION);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static const vgn_function functions[] = {
    {"order_state_name", order_state_name},
    {"order_create", order_create},
    {"order_get", order_get},
    {"order_find", order_find},
    {"orders_list", orders_list},
    {"order_refund", order_refund},
    {"order_simulate_paid", order_simulate_paid},
    {"ecpay_check_mac", ecpay_check_mac},
    {"ecpay_checkout", ecpay_checkout},
    {"ecpay_callback", ecpay_callback},
    {"paddle_verify", paddle_verify},
    {"paddle_webhook", paddle_webhook},
    {"subscription_get", subscription_get},
    {"subscription_change", subscription_change},
    {"subscription_cancel", subscription_cancel},
    {"subscriptions_maintain", subscriptions_maintain},
    {"promo_put", promo_put},
    {"promo_get", promo_get},
    {"promo_redeem", promo_redeem},
    {"admin_stats_get", admin_stats_get},
};

int vgn_register_payments(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, COUNT(functions));
}
