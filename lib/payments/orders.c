/* SPDX-License-Identifier: MIT */
/* Orders: created with their price, sent to a provider, paid, and fulfilled exactly once —
 * credits granted or a subscription started — however many callbacks say so. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "payments_internal.h"

static const char *const state_names[] = {"created", "pending",  "paid",    "fulfilled",
                                          "failed",  "expired", "refunded"};

const char *vg_order_state_name(int state)
{
    return state >= 0 && state < (int)(sizeof state_names / sizeof state_names[0])
               ? state_names[state]
               : NULL;
}

/* The provider, its default currency, and the currencies it takes. */
static const struct {
    const char *provider;
    const char *default_currency;
    const char *currencies; /* space-separated */
} providers[] = {
    {"ecpay", "TWD", "TWD"},
    {"paddle", "USD", "USD EUR"},
};

void vg__order_public(vg_order *out, const vg_store_order *o)
{
    memset(out, 0, sizeof *out);
    out->version = VG_ORDER_VERSION;
    out->id = o->id;
    memcpy(out->number, o->number, sizeof out->number);
    out->user_id = o->user_id;
    out->kind = (vg_order_kind)o->kind;
    memcpy(out->item, o->item, sizeof out->item);
    out->state = (vg_order_state)o->state;
    memcpy(out->provider, o->provider, sizeof out->provider);
    memcpy(out->currency, o->currency, sizeof out->currency);
    out->amount_minor = o->amount_minor;
    out->discount_pct = o->discount_pct;
    out->credits = o->credits;
    memcpy(out->provider_ref, o->provider_ref, sizeof out->provider_ref);
    memcpy(out->failure, o->failure, sizeof out->failure);
    out->created_at = o->created_at;
    out->paid_at = o->paid_at;
    out->fulfilled_at = o->fulfilled_at;
    out->expires_at = o->expires_at;
}

/* ---- reading ---------------------------------------------------------------------------------- */

typedef struct load_args {
    vg_store_order *order;
    int64_t id;
    const char *number;
    int for_update;
} load_args;

static int load_body(vg__txn *txn, void *payload)
{
    load_args *a = payload;
    return a->number ? vg__order_find(txn, a->order, a->number, a->for_update)
                     : vg__order_get(txn, a->order, a->id, a->for_update);
}

int vg__order_load(vg_ctx *ctx, vg_store_order *out, int64_t id, const char *number)
{
    load_args a = {out, id, number, 0};
    return vg__txn_run(ctx, VG_TXN_READ, load_body, &a);
}

int vg_order_get(vg_order *out, vg_ctx *ctx, int64_t order_id)
{
    vg_store_order o;
    int rc;
    if (!out || !ctx || order_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_order_get: out, ctx or order id missing");
    if ((rc = vg__order_load(ctx, &o, order_id, NULL)) == VG_OK)
        vg__order_public(out, &o);
    else if (rc == VG_ENOTFOUND)
        vg__fail(ctx, rc, "there is no order %" PRId64, order_id);
    return rc;
}

int vg_order_find(vg_order *out, vg_ctx *ctx, const char *number)
{
    vg_store_order o;
    int rc;
    if (!out || !ctx || !number || !*number || strlen(number) >= VG_ORDER_NUMBER_SIZE)
        return vg__fail(ctx, VG_EINVAL, "vg_order_find: out, ctx or a valid number missing");
    if ((rc = vg__order_load(ctx, &o, 0, number)) == VG_OK)
        vg__order_public(out, &o);
    else if (rc == VG_ENOTFOUND)
        vg__fail(ctx, rc, "there is no order %.20s", number);
    return rc;
}

typedef struct list_args {
    vg_store_order_filter filter;
    vg_order_fn callback;
    void *payload;
} list_args;

static int list_one(const vg_store_order *o, void *payload)
{
    list_args *a = payload;
    vg_order view;
    vg__order_public(&view, o);
    return a->callback(&view, a->payload);
}

static int list_body(vg__txn *txn, void *payload)
{
    list_args *a = payload;
    return vg__orders_list(txn, &a->filter, list_one, a);
}

int vg_orders_list(vg_ctx *ctx, int64_t user_id, int64_t before_id, int limit,
                   vg_order_fn callback, void *payload)
{
    list_args a;
    if (!ctx || !callback || user_id < 0 || before_id < 0 || limit < 1 || limit > 1000)
        return vg__fail(ctx, VG_EINVAL, "vg_orders_list: invalid arguments (limit 1..1000)");
    memset(&a, 0, sizeof a);
    a.filter.user_id = user_id;
    a.filter.before_id = before_id;
    a.filter.max_state = -1;
    a.filter.limit = limit;
    a.callback = callback;
    a.payload = payload;
    return vg__txn_run(ctx, VG_TXN_READ, list_body, &a);
}

/* ---- creating ----------------------------------------------------------------------------------- */

static int currency_ok(const char *list, const char *currency)
{
    size_t n = strlen(currency);
    const char *p = list;
    while ((p = strstr(p, currency)) != NULL) {
        if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
            return 1;
        p += n;
    }
    return 0;
}

typedef struct insert_args {
    vg_store_order *order;
} insert_args;

static int insert_body(vg__txn *txn, void *payload)
{
    insert_args *a = payload;
    return vg__order_insert(txn, &a->order->id, a->order);
}

typedef struct key_args {
    vg_store_order *order;
    int64_t user_id;
    const char *key;
} key_args;

static int key_body(vg__txn *txn, void *payload)
{
    key_args *a = payload;
    return vg__order_find_key(txn, a->order, a->user_id, a->key);
}

/* The order already made for this key: VG_OK (the same request), VG_EIDEMPOTENCY_CONFLICT,
 * or VG_ENOTFOUND. */
static int find_existing(vg_order *out, vg_ctx *ctx, const vg_order_request *r,
                         const unsigned char want[VG_STORE_HASH_SIZE])
{
    vg_store_order found;
    key_args a = {&found, r->user_id, r->idempotency_key};
    int rc = vg__txn_run(ctx, VG_TXN_READ, key_body, &a);
    if (rc != VG_OK)
        return rc;
    if (sodium_memcmp(found.request_hash, want, VG_STORE_HASH_SIZE) != 0)
        return vg__fail(ctx, VG_EIDEMPOTENCY_CONFLICT,
                        "the idempotency key was used for another order");
    vg__order_public(out, &found);
    return VG_OK;
}

static void request_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_order_request *r,
                         const char *currency)
{
    char text[256];
    snprintf(text, sizeof text, "%d|%.64s|%.32s|%.3s", (int)r->kind, r->item, r->provider,
             currency);
    crypto_generichash(out, VG_STORE_HASH_SIZE, (const unsigned char *)text, strlen(text),
                       (const unsigned char *)"vidgo.order.v1", 14);
}

int vg_order_create(vg_order *out, vg_ctx *ctx, const vg_order_request *r)
{
    vg_store_order o;
    vg_user user;
    insert_args a = {&o};
    const char *currency;
    size_t i;
    int rc, attempt;

    if (!out || !ctx || !r)
        return vg__fail(ctx, VG_EINVAL, "vg_order_create: out, ctx or request is NULL");
    if (r->version != VG_ORDER_REQUEST_VERSION)
        return vg__fail(ctx, VG_EVERSION, "order request version %u is not %u", r->version,
                        VG_ORDER_REQUEST_VERSION);
    if (r->user_id <= 0 || !r->item || !r->provider || !r->idempotency_key ||
        !*r->idempotency_key || strlen(r->idempotency_key) >= VG_STORE_KEY_SIZE ||
        !vg__utf8_valid(r->idempotency_key) || strlen(r->item) >= VG_NAME_SIZE ||
        (r->kind != VG_ORDER_PACKAGE && r->kind != VG_ORDER_SUBSCRIPTION))
        return vg__fail(ctx, VG_EINVAL, "an order needs a user, a kind, an item, a provider "
                                        "and an idempotency key of 1..200 bytes");
    for (i = 0; i < sizeof providers / sizeof providers[0]; i++)
        if (strcmp(providers[i].provider, r->provider) == 0)
            break;
    if (i == sizeof providers / sizeof providers[0])
        return vg__fail(ctx, VG_EINVAL, "the provider is ecpay or paddle");
    currency = r->currency ? r->currency : providers[i].default_currency;
    if (strlen(currency) != 3 || !currency_ok(providers[i].currencies, currency))
        return vg__fail(ctx, VG_ECURRENCY, "%s does not take %.8s", r->provider, currency);

    memset(&o, 0, sizeof o);
    request_hash(o.request_hash, r, currency);
    if ((rc = find_existing(out, ctx, r, o.request_hash)) != VG_ENOTFOUND)
        return rc;
    vg_error_clear();
    vg_user_init(&user, VG_USER_VERSION);
    if ((rc = vg_user_get(&user, ctx, r->user_id)) != VG_OK)
        return rc;
    o.user_id = r->user_id;
    snprintf(o.idempotency_key, sizeof o.idempotency_key, "%s", r->idempotency_key);
    o.kind = (int)r->kind;
    snprintf(o.item, sizeof o.item, "%s", r->item);
    o.state = VG_ORDER_CREATED;
    snprintf(o.provider, sizeof o.provider, "%s", r->provider);
    memcpy(o.currency, currency, 4);
    if ((rc = vg__order_price(&o.amount_minor, &o.discount_pct, &o.credits, ctx, r->kind,
                              r->item, currency, user.plan)) != VG_OK)
        return rc;
    o.created_at = o.updated_at = vg_ctx_now(ctx);
    o.expires_at = o.created_at + (vg_time)ctx->payments.order_ttl_s * 1000000;
    o.version = 1;
    for (attempt = 0; attempt < 3; attempt++) {
        vg__order_number(o.number);
        if ((rc = vg__txn_run(ctx, VG_TXN_WRITE, insert_body, &a)) != VG_EEXISTS)
            break;
        /* a concurrent create with the same key won, or the number was taken: look */
        if ((rc = find_existing(out, ctx, r, o.request_hash)) != VG_ENOTFOUND)
            return rc;
    }
    if (rc == VG_OK) {
        vg__log(ctx, VG_LOG_INFO, "order %s: created (%s %s, %" PRId64 " %s)", o.number,
                o.kind == VG_ORDER_PACKAGE ? "package" : "plan", o.item, o.amount_minor,
                o.currency);
        vg__order_public(out, &o);
    }
    return rc;
}
