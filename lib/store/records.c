/* SPDX-License-Identifier: MIT */
/* The core's calls into a backend's record methods, with their failures put into words. */
#include "store.h"

int vg__store_fail(vg__txn *txn, int code, const char *what)
{
    const char *detail = txn->backend->errmsg ? txn->backend->errmsg(txn->conn) : NULL;
    if (code == VG_ENOTFOUND)
        return code; /* an expected answer, not a failure */
    if (detail && *detail) /* the backend's message already says what failed */
        return vg__fail(txn->ctx, code, "%s", detail);
    return vg__fail(txn->ctx, code, "%s: %s", what, vg_error_name(code));
}

/* Returns VG_OK if the backend's version has `method` and sets it, else records
 * VG_EUNSUPPORTED. */
static int has_method(vg__txn *txn, unsigned int since, const void *method, const char *name)
{
    if (txn->backend->version >= since && method)
        return VG_OK;
    return vg__fail(txn->ctx, VG_EUNSUPPORTED, "the %s backend has no %s", txn->backend->name,
                    name);
}

/* Calls a backend method of vtable version `since`, turning a failure into a context error. */
#define CALL_SINCE(since, method, what, ...)                                                       \
    do {                                                                                           \
        int rc_ = has_method(txn, since, (const void *)txn->backend->method, #method);            \
        if (rc_ == VG_OK)                                                                          \
            rc_ = txn->backend->method(__VA_ARGS__);                                               \
        return rc_ == VG_OK || rc_ == VG_EUNSUPPORTED ? rc_ : vg__store_fail(txn, rc_, what);     \
    } while (0)
#define CALL(method, what, ...) CALL_SINCE(1, method, what, __VA_ARGS__)
#define CALL2(method, what, ...) CALL_SINCE(2, method, what, __VA_ARGS__)
#define CALL3(method, what, ...) CALL_SINCE(3, method, what, __VA_ARGS__)
#define CALL4(method, what, ...) CALL_SINCE(4, method, what, __VA_ARGS__)
#define CALL5(method, what, ...) CALL_SINCE(5, method, what, __VA_ARGS__)
#define CALL6(method, what, ...) CALL_SINCE(6, method, what, __VA_ARGS__)

int vg__meta_get(vg__txn *txn, char **out, const char *key, int for_update)
{
    CALL(meta_get, "cannot read a setting", out, txn->conn, key, for_update);
}

int vg__meta_put(vg__txn *txn, const char *key, const char *value)
{
    CALL(meta_put, "cannot write a setting", txn->conn, key, value);
}

int vg__meta_delete(vg__txn *txn, const char *key)
{
    CALL(meta_delete, "cannot delete a setting", txn->conn, key);
}

int vg__event_append(vg__txn *txn, const char *kind, const char *detail)
{
    vg_store_event event = {0, vg_ctx_now(txn->ctx), kind, detail};
    CALL(event_append, "cannot record an event", NULL, txn->conn, &event);
}

int vg__event_list(vg__txn *txn, int64_t after_id, int limit, vg_store_event_fn callback,
                   void *payload)
{
    CALL(event_list, "cannot list events", txn->conn, after_id, limit, callback, payload);
}

typedef struct event_forward {
    vg_event_fn callback;
    void *payload;
    int64_t last_id; /* a retried transaction resumes after what was delivered */
    int delivered;
} event_forward;

static int forward_event(const vg_store_event *event, void *payload)
{
    event_forward *fw = payload;
    if (event->id <= fw->last_id)
        return 0;
    fw->last_id = event->id;
    fw->delivered++;
    return fw->callback(event->id, event->at, event->kind, event->detail, fw->payload);
}

typedef struct event_query {
    event_forward fw;
    int limit;
} event_query;

static int list_events_body(vg__txn *txn, void *payload)
{
    event_query *q = payload;
    if (q->fw.delivered >= q->limit)
        return VG_OK;
    return vg__event_list(txn, q->fw.last_id, q->limit - q->fw.delivered, forward_event, &q->fw);
}

int vg_store_events(vg_ctx *ctx, int64_t after_id, int limit, vg_event_fn callback,
                    void *payload)
{
    event_query q = {{callback, payload, after_id, 0}, limit};

    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_store_events: NULL argument");
    if (limit < 1 || limit > 10000)
        return vg__fail(ctx, VG_EINVAL, "vg_store_events: limit must be 1..10000");
    return vg__txn_run(ctx, VG_TXN_READ, list_events_body, &q);
}

/* --- version 2 records ------------------------------------------------------------------ */

int vg__plan_put(vg__txn *txn, const vg_plan *plan)
{
    CALL2(plan_put, "cannot write a plan", txn->conn, plan);
}

int vg__plan_get(vg__txn *txn, vg_plan *out, const char *name)
{
    CALL2(plan_get, "cannot read a plan", out, txn->conn, name);
}

int vg__plans_list(vg__txn *txn, vg_plan_fn callback, void *payload)
{
    CALL2(plans_list, "cannot list plans", txn->conn, callback, payload);
}

int vg__service_put(vg__txn *txn, const vg_service *service)
{
    CALL2(service_put, "cannot write a service", txn->conn, service);
}

int vg__service_get(vg__txn *txn, vg_service *out, const char *name)
{
    CALL2(service_get, "cannot read a service", out, txn->conn, name);
}

int vg__services_list(vg__txn *txn, vg_service_fn callback, void *payload)
{
    CALL2(services_list, "cannot list services", txn->conn, callback, payload);
}

int vg__package_put(vg__txn *txn, const vg_package *package)
{
    CALL2(package_put, "cannot write a package", txn->conn, package);
}

int vg__package_get(vg__txn *txn, vg_package *out, const char *name)
{
    CALL2(package_get, "cannot read a package", out, txn->conn, name);
}

int vg__packages_list(vg__txn *txn, vg_store_package_fn callback, void *payload)
{
    CALL2(packages_list, "cannot list packages", txn->conn, callback, payload);
}

int vg__user_insert(vg__txn *txn, int64_t *out_id, const vg_user *user)
{
    CALL2(user_insert, "cannot add a user", out_id, txn->conn, user);
}

int vg__user_get(vg__txn *txn, vg_user *out, int64_t id, int for_update)
{
    CALL2(user_get, "cannot read a user", out, txn->conn, id, for_update);
}

int vg__user_find(vg__txn *txn, vg_user *out, const char *email)
{
    CALL2(user_find, "cannot read a user", out, txn->conn, email);
}

int vg__user_set_plan(vg__txn *txn, int64_t id, const char *plan)
{
    CALL2(user_set_plan, "cannot change a user's plan", txn->conn, id, plan);
}

int vg__users_list(vg__txn *txn, int64_t after_id, int limit, vg_store_user_fn callback,
                   void *payload)
{
    CALL2(users_list, "cannot list users", txn->conn, after_id, limit, callback, payload);
}

int vg__wallet_get(vg__txn *txn, vg_store_wallet *out, int64_t user_id, int for_update)
{
    CALL2(wallet_get, "cannot read a wallet", out, txn->conn, user_id, for_update);
}

int vg__wallet_put(vg__txn *txn, const vg_store_wallet *wallet)
{
    CALL2(wallet_put, "cannot write a wallet", txn->conn, wallet);
}

int vg__lot_insert(vg__txn *txn, int64_t *out_id, const vg_store_lot *lot)
{
    CALL2(lot_insert, "cannot add a bonus grant", out_id, txn->conn, lot);
}

int vg__lot_update(vg__txn *txn, int64_t lot_id, int64_t remaining)
{
    CALL2(lot_update, "cannot update a bonus grant", txn->conn, lot_id, remaining);
}

int vg__lot_get(vg__txn *txn, vg_store_lot *out, int64_t lot_id)
{
    CALL2(lot_get, "cannot read a bonus grant", out, txn->conn, lot_id);
}

int vg__lots_list(vg__txn *txn, int64_t user_id, vg_store_lot_fn callback, void *payload)
{
    CALL2(lots_list, "cannot list bonus grants", txn->conn, user_id, callback, payload);
}

int vg__hold_insert(vg__txn *txn, int64_t *out_id, const vg_store_hold *hold)
{
    CALL2(hold_insert, "cannot add a hold", out_id, txn->conn, hold);
}

int vg__hold_update(vg__txn *txn, const vg_store_hold *hold)
{
    CALL2(hold_update, "cannot update a hold", txn->conn, hold);
}

int vg__hold_get(vg__txn *txn, vg_store_hold *out, int64_t hold_id, int for_update)
{
    CALL2(hold_get, "cannot read a hold", out, txn->conn, hold_id, for_update);
}

int vg__holds_list_open(vg__txn *txn, int64_t user_id, vg_store_hold_fn callback, void *payload)
{
    CALL2(holds_list_open, "cannot list holds", txn->conn, user_id, callback, payload);
}

int vg__hold_part_insert(vg__txn *txn, const vg_store_hold_part *part)
{
    CALL2(hold_part_insert, "cannot add a hold part", txn->conn, part);
}

int vg__hold_parts_list(vg__txn *txn, int64_t hold_id, vg_store_hold_part_fn callback,
                        void *payload)
{
    CALL2(hold_parts_list, "cannot list hold parts", txn->conn, hold_id, callback, payload);
}

int vg__ledger_append(vg__txn *txn, const vg_store_ledger_row *row)
{
    CALL2(ledger_append, "cannot append to the ledger", txn->conn, row);
}

int vg__ledger_list(vg__txn *txn, int64_t user_id, int64_t from_seq, int limit, int ascending,
                    vg_store_ledger_fn callback, void *payload)
{
    CALL2(ledger_list, "cannot read the ledger", txn->conn, user_id, from_seq, limit, ascending,
          callback, payload);
}

int vg__idempotency_get(vg__txn *txn, vg_store_idempotency *out, int64_t user_id, const char *key)
{
    CALL2(idempotency_get, "cannot read an idempotency key", out, txn->conn, user_id, key);
}

int vg__idempotency_put(vg__txn *txn, const vg_store_idempotency *record)
{
    CALL2(idempotency_put, "cannot store an idempotency key", txn->conn, record);
}

int vg__user_set_status(vg__txn *txn, int64_t id, int verified, int active)
{
    CALL3(user_set_status, "cannot change a user's status", txn->conn, id, verified, active);
}

int vg__credential_put(vg__txn *txn, const vg_store_credential *credential)
{
    CALL3(credential_put, "cannot write a credential", txn->conn, credential);
}

int vg__credential_get(vg__txn *txn, vg_store_credential *out, int64_t user_id)
{
    CALL3(credential_get, "cannot read a credential", out, txn->conn, user_id);
}

int vg__code_insert(vg__txn *txn, int64_t *out_id, const vg_store_code *code)
{
    CALL3(code_insert, "cannot record a verification code", out_id, txn->conn, code);
}

int vg__code_update(vg__txn *txn, const vg_store_code *code)
{
    CALL3(code_update, "cannot update a verification code", txn->conn, code);
}

int vg__codes_list(vg__txn *txn, const char *email, vg_time since, vg_store_code_fn callback,
                   void *payload)
{
    CALL3(codes_list, "cannot list verification codes", txn->conn, email, since, callback,
          payload);
}

int vg__limit_get(vg__txn *txn, vg_store_limit *out, const char *key, int for_update)
{
    CALL3(limit_get, "cannot read a rate limit", out, txn->conn, key, for_update);
}

int vg__limit_put(vg__txn *txn, const vg_store_limit *limit)
{
    CALL3(limit_put, "cannot write a rate limit", txn->conn, limit);
}

int vg__session_insert(vg__txn *txn, int64_t *out_id, const vg_store_session *session)
{
    CALL3(session_insert, "cannot record a session", out_id, txn->conn, session);
}

int vg__session_get(vg__txn *txn, vg_store_session *out, int64_t id, int for_update)
{
    CALL3(session_get, "cannot read a session", out, txn->conn, id, for_update);
}

int vg__sessions_revoke(vg__txn *txn, int *out_count, int64_t user_id, int64_t id, vg_time at,
                        int reason)
{
    CALL3(sessions_revoke, "cannot revoke sessions", out_count, txn->conn, user_id, id, at,
          reason);
}

int vg__token_insert(vg__txn *txn, const vg_store_token *token)
{
    CALL3(token_insert, "cannot record a token", txn->conn, token);
}

int vg__token_get(vg__txn *txn, vg_store_token *out, const unsigned char *hash, int for_update)
{
    CALL3(token_get, "cannot read a token", out, txn->conn, hash, for_update);
}

int vg__tokens_close(vg__txn *txn, int *out_count, int64_t user_id, int kind,
                     const unsigned char *hash, int state, vg_time at)
{
    CALL3(tokens_close, "cannot close tokens", out_count, txn->conn, user_id, kind, hash, state,
          at);
}

int vg__cache_entry_insert(vg__txn *txn, int64_t *out_id, const vg_store_cache_entry *entry)
{
    CALL4(cache_entry_insert, "cannot add a cache entry", out_id, txn->conn, entry);
}

int vg__cache_entry_delete(vg__txn *txn, int64_t id)
{
    CALL4(cache_entry_delete, "cannot delete a cache entry", txn->conn, id);
}

int vg__cache_entry_touch(vg__txn *txn, int64_t id, int64_t hits, vg_time at)
{
    CALL4(cache_entry_touch, "cannot count a cache hit", txn->conn, id, hits, at);
}

int vg__cache_entries_changed(vg__txn *txn, int64_t after_seq, int limit,
                              vg_store_cache_entry_fn callback, void *payload)
{
    CALL4(cache_entries_changed, "cannot read cache changes", txn->conn, after_seq, limit,
          callback, payload);
}

int vg__cache_entry_get(vg__txn *txn, vg_store_cache_entry *out, int64_t id)
{
    CALL4(cache_entry_get, "cannot read a cache entry", out, txn->conn, id);
}

int vg__embedding_put(vg__txn *txn, const vg_store_embedding *embedding)
{
    CALL4(embedding_put, "cannot store an embedding", txn->conn, embedding);
}

int vg__embedding_get(vg__txn *txn, vg_store_embedding *out, const unsigned char *hash,
                      const char *fingerprint)
{
    CALL4(embedding_get, "cannot read an embedding", out, txn->conn, hash, fingerprint);
}

int vg__block_put(vg__txn *txn, const vg_store_block *block)
{
    CALL4(block_put, "cannot store a moderation verdict", txn->conn, block);
}

int vg__block_get(vg__txn *txn, vg_store_block *out, const unsigned char *hash)
{
    CALL4(block_get, "cannot read a moderation verdict", out, txn->conn, hash);
}

int vg__counter_add(vg__txn *txn, int64_t *out, const char *name, int64_t delta)
{
    CALL4(counter_add, "cannot count", out, txn->conn, name, delta);
}

int vg__counter_get(vg__txn *txn, int64_t *out, const char *name)
{
    CALL4(counter_get, "cannot read a counter", out, txn->conn, name);
}

int vg__job_insert(vg__txn *txn, int64_t *out_id, const vg_store_job *job)
{
    CALL5(job_insert, "cannot store a job", out_id, txn->conn, job);
}

int vg__job_get(vg__txn *txn, vg_store_job *out, int64_t id, int for_update)
{
    CALL5(job_get, "cannot read a job", out, txn->conn, id, for_update);
}

int vg__job_find(vg__txn *txn, vg_store_job *out, int64_t user_id, const char *key)
{
    CALL5(job_find, "cannot find a job", out, txn->conn, user_id, key);
}

int vg__job_update(vg__txn *txn, const vg_store_job *job)
{
    CALL5(job_update, "cannot update a job", txn->conn, job);
}

int vg__job_claim(vg__txn *txn, vg_store_job *out, const vg_store_job_claim *claim)
{
    CALL5(job_claim, "cannot claim a job", out, txn->conn, claim);
}

int vg__jobs_list(vg__txn *txn, const vg_store_job_filter *filter, vg_store_job_fn callback,
                  void *payload)
{
    CALL5(jobs_list, "cannot list jobs", txn->conn, filter, callback, payload);
}

int vg__input_put(vg__txn *txn, const vg_store_input *input)
{
    CALL5(input_put, "cannot store an input", txn->conn, input);
}

int vg__input_get(vg__txn *txn, vg_store_input *out, const unsigned char *hash)
{
    CALL5(input_get, "cannot read an input", out, txn->conn, hash);
}

int vg__gallery_insert(vg__txn *txn, int64_t *out_id, const vg_store_example *example)
{
    CALL5(gallery_insert, "cannot add a gallery example", out_id, txn->conn, example);
}

int vg__gallery_list(vg__txn *txn, const char *topic, const char *lang,
                     vg_store_example_fn callback, void *payload)
{
    CALL5(gallery_list, "cannot list the gallery", txn->conn, topic, lang, callback, payload);
}

int vg__gallery_delete(vg__txn *txn, int64_t id)
{
    CALL5(gallery_delete, "cannot remove a gallery example", txn->conn, id);
}

int vg__order_insert(vg__txn *txn, int64_t *out_id, const vg_store_order *order)
{
    CALL6(order_insert, "cannot store an order", out_id, txn->conn, order);
}

int vg__order_get(vg__txn *txn, vg_store_order *out, int64_t id, int for_update)
{
    CALL6(order_get, "cannot read an order", out, txn->conn, id, for_update);
}

int vg__order_find(vg__txn *txn, vg_store_order *out, const char *number, int for_update)
{
    CALL6(order_find, "cannot find an order", out, txn->conn, number, for_update);
}

int vg__order_find_key(vg__txn *txn, vg_store_order *out, int64_t user_id, const char *key)
{
    CALL6(order_find_key, "cannot find an order", out, txn->conn, user_id, key);
}

int vg__order_update(vg__txn *txn, const vg_store_order *order)
{
    CALL6(order_update, "cannot update an order", txn->conn, order);
}

int vg__orders_list(vg__txn *txn, const vg_store_order_filter *filter,
                    vg_store_order_fn callback, void *payload)
{
    CALL6(orders_list, "cannot list orders", txn->conn, filter, callback, payload);
}

int vg__subscription_put(vg__txn *txn, const vg_store_subscription *subscription)
{
    CALL6(subscription_put, "cannot store a subscription", txn->conn, subscription);
}

int vg__subscription_get(vg__txn *txn, vg_store_subscription *out, int64_t user_id,
                         int for_update)
{
    CALL6(subscription_get, "cannot read a subscription", out, txn->conn, user_id, for_update);
}

int vg__subscriptions_due(vg__txn *txn, vg_time due_before, int min_state, int max_state,
                          int limit, vg_store_subscription_fn callback, void *payload)
{
    CALL6(subscriptions_due, "cannot list subscriptions", txn->conn, due_before, min_state, max_state, limit, callback, payload);
}

int vg__promo_put(vg__txn *txn, const vg_store_promo *promo)
{
    CALL6(promo_put, "cannot store a promotion", txn->conn, promo);
}

int vg__promo_get(vg__txn *txn, vg_store_promo *out, const char *code, int for_update)
{
    CALL6(promo_get, "cannot read a promotion", out, txn->conn, code, for_update);
}

int vg__promos_list(vg__txn *txn, vg_store_promo_fn callback, void *payload)
{
    CALL6(promos_list, "cannot list promotions", txn->conn, callback, payload);
}

int vg__redemption_insert(vg__txn *txn, const vg_store_redemption *redemption)
{
    CALL6(redemption_insert, "cannot store a redemption", txn->conn, redemption);
}

int vg__redemption_find(vg__txn *txn, vg_store_redemption *out, int64_t user_id,
                        const char *key)
{
    CALL6(redemption_find, "cannot find a redemption", out, txn->conn, user_id, key);
}

int vg__redemptions_count(vg__txn *txn, int64_t *out, const char *code, int64_t user_id)
{
    CALL6(redemptions_count, "cannot count redemptions", out, txn->conn, code, user_id);
}

int vg__webhook_event_insert(vg__txn *txn, const vg_store_webhook_event *event)
{
    CALL6(webhook_event_insert, "cannot record a webhook event", txn->conn, event);
}

int vg__stats_query(vg__txn *txn, vg_store_stat stat, int arg, vg_store_stat_fn callback,
                    void *payload)
{
    CALL6(stats_query, "cannot aggregate figures", txn->conn, stat, arg, callback, payload);
}
