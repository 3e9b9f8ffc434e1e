/* SPDX-License-Identifier: MIT */
/* The core's side of storage: the connection pool, the transaction helper and record calls. */
#ifndef VG_STORE_INTERNAL_H
#define VG_STORE_INTERNAL_H

#include "../core/internal.h"

/* An open transaction on one pooled connection, handed to the body of vg__txn_run. */
typedef struct vg__txn {
    vg_ctx *ctx;
    const vg_store_backend *backend;
    vg_store_conn *conn;
    vg_txn_mode mode;
} vg__txn;

/* The body of a transaction. It may run more than once (after a conflict the whole
 * transaction is retried), so it must have no effect outside the store but its result. */
typedef int (*vg__txn_fn)(vg__txn *txn, void *payload);

/* Most times a transaction body runs (the first run and its retries after VG_EBUSY or
 * VG_ECONFLICT); retries also stop once the context's busy timeout has passed. */
#define VG__TXN_MAX_ATTEMPTS 8

/* Picks the backend for a store location and connects the pool's first connection, then
 * brings the schema up to date. */
int vg__store_open(vg_ctx *ctx, const vg_config *config);
void vg__store_close(vg_ctx *ctx);

/* Runs body inside a transaction of the given mode on a pooled connection: commits when it
 * returns VG_OK, rolls back otherwise, and runs the whole of it again on VG_EBUSY or
 * VG_ECONFLICT, at most VG__TXN_MAX_ATTEMPTS times in all and only within the busy timeout.
 * Returns the body's status or the store's. */
int vg__txn_run(vg_ctx *ctx, vg_txn_mode mode, vg__txn_fn body, void *payload);

/* Connection pool (pool.c). */
int vg__pool_acquire(vg_ctx *ctx, vg_store_conn **out);
void vg__pool_release(vg_ctx *ctx, vg_store_conn *conn);
void vg__pool_destroy(vg_ctx *ctx);

/* Brings the schema to `target` (migrate.c); VG_ESTORE_VERSION if the store is newer. */
int vg__schema_migrate(vg__txn *txn, int target);

/* Record calls (records.c): each checks that the backend has the method, and records a
 * failure on the context with the backend's message. */
int vg__meta_get(vg__txn *txn, char **out, const char *key, int for_update);
int vg__meta_put(vg__txn *txn, const char *key, const char *value);
int vg__meta_delete(vg__txn *txn, const char *key);
int vg__event_append(vg__txn *txn, const char *kind, const char *detail);
int vg__event_list(vg__txn *txn, int64_t after_id, int limit, vg_store_event_fn callback,
                   void *payload);

/* Version 2 records: the catalog, users, wallets, holds, the ledger, idempotency keys. */
int vg__plan_put(vg__txn *txn, const vg_plan *plan);
int vg__plan_get(vg__txn *txn, vg_plan *out, const char *name);
int vg__plans_list(vg__txn *txn, vg_plan_fn callback, void *payload);
int vg__service_put(vg__txn *txn, const vg_service *service);
int vg__service_get(vg__txn *txn, vg_service *out, const char *name);
int vg__services_list(vg__txn *txn, vg_service_fn callback, void *payload);
int vg__package_put(vg__txn *txn, const vg_package *package);
int vg__package_get(vg__txn *txn, vg_package *out, const char *name);
int vg__packages_list(vg__txn *txn, vg_store_package_fn callback, void *payload);
int vg__user_insert(vg__txn *txn, int64_t *out_id, const vg_user *user);
int vg__user_get(vg__txn *txn, vg_user *out, int64_t id, int for_update);
int vg__user_find(vg__txn *txn, vg_user *out, const char *email);
int vg__user_set_plan(vg__txn *txn, int64_t id, const char *plan);
int vg__users_list(vg__txn *txn, int64_t after_id, int limit, vg_store_user_fn callback,
                   void *payload);
int vg__wallet_get(vg__txn *txn, vg_store_wallet *out, int64_t user_id, int for_update);
int vg__wallet_put(vg__txn *txn, const vg_store_wallet *wallet);
int vg__lot_insert(vg__txn *txn, int64_t *out_id, const vg_store_lot *lot);
int vg__lot_update(vg__txn *txn, int64_t lot_id, int64_t remaining);
int vg__lot_get(vg__txn *txn, vg_store_lot *out, int64_t lot_id);
int vg__lots_list(vg__txn *txn, int64_t user_id, vg_store_lot_fn callback, void *payload);
int vg__hold_insert(vg__txn *txn, int64_t *out_id, const vg_store_hold *hold);
int vg__hold_update(vg__txn *txn, const vg_store_hold *hold);
int vg__hold_get(vg__txn *txn, vg_store_hold *out, int64_t hold_id, int for_update);
int vg__holds_list_open(vg__txn *txn, int64_t user_id, vg_store_hold_fn callback, void *payload);
int vg__hold_part_insert(vg__txn *txn, const vg_store_hold_part *part);
int vg__hold_parts_list(vg__txn *txn, int64_t hold_id, vg_store_hold_part_fn callback,
                        void *payload);
int vg__ledger_append(vg__txn *txn, const vg_store_ledger_row *row);
int vg__ledger_list(vg__txn *txn, int64_t user_id, int64_t from_seq, int limit, int ascending,
                    vg_store_ledger_fn callback, void *payload);
int vg__idempotency_get(vg__txn *txn, vg_store_idempotency *out, int64_t user_id, const char *key);
int vg__idempotency_put(vg__txn *txn, const vg_store_idempotency *record);

/* Version 3 records: accounts (credentials, codes, rate limits, sessions, tokens). */
int vg__user_set_status(vg__txn *txn, int64_t id, int verified, int active);
int vg__credential_put(vg__txn *txn, const vg_store_credential *credential);
int vg__credential_get(vg__txn *txn, vg_store_credential *out, int64_t user_id);
int vg__code_insert(vg__txn *txn, int64_t *out_id, const vg_store_code *code);
int vg__code_update(vg__txn *txn, const vg_store_code *code);
int vg__codes_list(vg__txn *txn, const char *email, vg_time since, vg_store_code_fn callback,
                   void *payload);
int vg__limit_get(vg__txn *txn, vg_store_limit *out, const char *key, int for_update);
int vg__limit_put(vg__txn *txn, const vg_store_limit *limit);
int vg__session_insert(vg__txn *txn, int64_t *out_id, const vg_store_session *session);
int vg__session_get(vg__txn *txn, vg_store_session *out, int64_t id, int for_update);
int vg__sessions_revoke(vg__txn *txn, int *out_count, int64_t user_id, int64_t id, vg_time at,
                        int reason);
int vg__token_insert(vg__txn *txn, const vg_store_token *token);
int vg__token_get(vg__txn *txn, vg_store_token *out, const unsigned char *hash, int for_update);
int vg__tokens_close(vg__txn *txn, int *out_count, int64_t user_id, int kind,
                     const unsigned char *hash, int state, vg_time at);

/* Version 4 records: the similarity cache, embeddings, the block cache, counters. */
int vg__cache_entry_insert(vg__txn *txn, int64_t *out_id, const vg_store_cache_entry *entry);
int vg__cache_entry_delete(vg__txn *txn, int64_t id);
int vg__cache_entry_touch(vg__txn *txn, int64_t id, int64_t hits, vg_time at);
int vg__cache_entries_changed(vg__txn *txn, int64_t after_seq, int limit,
                              vg_store_cache_entry_fn callback, void *payload);
int vg__cache_entry_get(vg__txn *txn, vg_store_cache_entry *out, int64_t id);
int vg__embedding_put(vg__txn *txn, const vg_store_embedding *embedding);
int vg__embedding_get(vg__txn *txn, vg_store_embedding *out, const unsigned char *hash,
                      const char *fingerprint);
int vg__block_put(vg__txn *txn, const vg_store_block *block);
int vg__block_get(vg__txn *txn, vg_store_block *out, const unsigned char *hash);
int vg__counter_add(vg__txn *txn, int64_t *out, const char *name, int64_t delta);
int vg__counter_get(vg__txn *txn, int64_t *out, const char *name);

/* Version 5 records: generation jobs, their inputs, the gallery. */
int vg__job_insert(vg__txn *txn, int64_t *out_id, const vg_store_job *job);
int vg__job_get(vg__txn *txn, vg_store_job *out, int64_t id, int for_update);
int vg__job_find(vg__txn *txn, vg_store_job *out, int64_t user_id, const char *key);
int vg__job_update(vg__txn *txn, const vg_store_job *job);
int vg__job_claim(vg__txn *txn, vg_store_job *out, const vg_store_job_claim *claim);
int vg__jobs_list(vg__txn *txn, const vg_store_job_filter *filter, vg_store_job_fn callback,
                  void *payload);
int vg__input_put(vg__txn *txn, const vg_store_input *input);
int vg__input_get(vg__txn *txn, vg_store_input *out, const unsigned char *hash);
int vg__gallery_insert(vg__txn *txn, int64_t *out_id, const vg_store_example *example);
int vg__gallery_list(vg__txn *txn, const char *topic, const char *lang,
                     vg_store_example_fn callback, void *payload);
int vg__gallery_delete(vg__txn *txn, int64_t id);

/* Version 6 records: payments. */
int vg__order_insert(vg__txn *txn, int64_t *out_id, const vg_store_order *order);
int vg__order_get(vg__txn *txn, vg_store_order *out, int64_t id, int for_update);
int vg__order_find(vg__txn *txn, vg_store_order *out, const char *number, int for_update);
int vg__order_find_key(vg__txn *txn, vg_store_order *out, int64_t user_id, const char *key);
int vg__order_update(vg__txn *txn, const vg_store_order *order);
int vg__orders_list(vg__txn *txn, const vg_store_order_filter *filter,
                    vg_store_order_fn callback, void *payload);
int vg__subscription_put(vg__txn *txn, const vg_store_subscription *subscription);
int vg__subscription_get(vg__txn *txn, vg_store_subscription *out, int64_t user_id,
                         int for_update);
int vg__subscriptions_due(vg__txn *txn, vg_time due_before, int min_state, int max_state,
                          int limit, vg_store_subscription_fn callback, void *payload);
int vg__promo_put(vg__txn *txn, const vg_store_promo *promo);
int vg__promo_get(vg__txn *txn, vg_store_promo *out, const char *code, int for_update);
int vg__promos_list(vg__txn *txn, vg_store_promo_fn callback, void *payload);
int vg__redemption_insert(vg__txn *txn, const vg_store_redemption *redemption);
int vg__redemption_find(vg__txn *txn, vg_store_redemption *out, int64_t user_id,
                        const char *key);
int vg__redemptions_count(vg__txn *txn, int64_t *out, const char *code, int64_t user_id);
int vg__webhook_event_insert(vg__txn *txn, const vg_store_webhook_event *event);
int vg__stats_query(vg__txn *txn, vg_store_stat stat, int arg, vg_store_stat_fn callback,
                    void *payload);

/* Turns a backend failure into a context failure with the backend's message. */
int vg__store_fail(vg__txn *txn, int code, const char *what);

#endif
