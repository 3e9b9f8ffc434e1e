/* SPDX-License-Identifier: MIT */
/* The SQLite backend's connection: one sqlite3 handle with its cache of prepared statements. */
#ifndef VG_SQLITE_INTERNAL_H
#define VG_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>

#include "vidgo/errors.h"
#include "vidgo/sys/store.h"

#include "../record_fields.h"

/* Every statement the backend runs; their SQL is in the table of sqlite_backend.c. */
typedef enum sq_stmt {
    SQ_BEGIN_READ,
    SQ_BEGIN_WRITE,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SCHEMA_HAS_TABLE,
    SQ_SCHEMA_FOREIGN_TABLES,
    SQ_SCHEMA_VERSION,
    SQ_SCHEMA_RECORD,
    SQ_META_GET,
    SQ_META_PUT,
    SQ_META_DELETE,
    SQ_EVENT_APPEND,
    SQ_EVENT_LIST,
    SQ_INTEGRITY_CHECK,
    SQ_FOREIGN_KEY_CHECK,
    /* version 2: the catalog */
    SQ_PLAN_PUT,
    SQ_PLAN_GET,
    SQ_PLANS_LIST,
    SQ_SERVICE_PUT,
    SQ_SERVICE_GET,
    SQ_SERVICES_LIST,
    SQ_PACKAGE_PUT,
    SQ_PACKAGE_GET,
    SQ_PACKAGES_LIST,
    /* version 2: users and wallets */
    SQ_USER_INSERT,
    SQ_USER_GET,
    SQ_USER_FIND,
    SQ_USER_SET_PLAN,
    SQ_USERS_LIST,
    SQ_WALLET_GET,
    SQ_WALLET_PUT,
    SQ_LOT_INSERT,
    SQ_LOT_UPDATE,
    SQ_LOT_GET,
    SQ_LOTS_LIST,
    SQ_HOLD_INSERT,
    SQ_HOLD_UPDATE,
    SQ_HOLD_GET,
    SQ_HOLDS_LIST_OPEN,
    SQ_HOLD_PART_INSERT,
    SQ_HOLD_PARTS_LIST,
    SQ_LEDGER_APPEND,
    SQ_LEDGER_LIST_ASC,
    SQ_LEDGER_LIST_DESC,
    SQ_IDEMPOTENCY_GET,
    SQ_IDEMPOTENCY_PUT,
    /* version 3: accounts */
    SQ_USER_SET_STATUS,
    SQ_CREDENTIAL_PUT,
    SQ_CREDENTIAL_GET,
    SQ_CODE_INSERT,
    SQ_CODE_UPDATE,
    SQ_CODES_LIST,
    SQ_LIMIT_GET,
    SQ_LIMIT_PUT,
    SQ_SESSION_INSERT,
    SQ_SESSION_GET,
    SQ_SESSIONS_REVOKE,
    SQ_TOKEN_INSERT,
    SQ_TOKEN_GET,
    SQ_TOKENS_CLOSE,
    /* version 4: the similarity cache */
    SQ_CACHE_ENTRY_INSERT,
    SQ_CACHE_ENTRY_DELETE,
    SQ_CACHE_ENTRY_TOUCH,
    SQ_CACHE_ENTRIES_CHANGED,
    SQ_CACHE_ENTRY_GET,
    SQ_EMBEDDING_PUT,
    SQ_EMBEDDING_GET,
    SQ_BLOCK_PUT,
    SQ_BLOCK_GET,
    SQ_COUNTER_GET,
    SQ_COUNTER_PUT,
    /* version 5: jobs, their inputs, the gallery */
    SQ_JOB_INSERT,
    SQ_JOB_GET,
    SQ_JOB_FIND,
    SQ_JOB_UPDATE,
    SQ_JOB_VERSION,
    SQ_JOB_CLAIM,
    SQ_JOBS_LIST_ALL,
    SQ_JOBS_LIST_USER,
    SQ_JOBS_LIST_ACTIVE_SCOPE,
    SQ_INPUT_PUT,
    SQ_INPUT_GET,
    SQ_GALLERY_INSERT,
    SQ_GALLERY_LIST_ANY,
    SQ_GALLERY_LIST_TOPIC,
    SQ_GALLERY_DELETE,
    /* version 6: payments */
    SQ_ORDER_INSERT,
    SQ_ORDER_NUMBER_TAKEN,
    SQ_ORDER_GET,
    SQ_ORDER_FIND,
    SQ_ORDER_FIND_KEY,
    SQ_ORDER_UPDATE,
    SQ_ORDER_VERSION,
    SQ_ORDERS_LIST_ALL,
    SQ_ORDERS_LIST_USER,
    SQ_ORDERS_LIST_UNPAID_EXPIRING,
    SQ_SUBSCRIPTION_PUT,
    SQ_SUBSCRIPTION_GET,
    SQ_SUBSCRIPTIONS_DUE,
    SQ_PROMO_PUT,
    SQ_PROMO_GET,
    SQ_PROMOS_LIST,
    SQ_REDEMPTION_INSERT,
    SQ_REDEMPTION_FIND,
    SQ_REDEMPTIONS_COUNT,
    SQ_WEBHOOK_EVENT_INSERT,
    SQ_STAT_USERS_PER_PLAN,
    SQ_STAT_ACTIVE_SUBSCRIPTIONS,
    SQ_STAT_REVENUE,
    SQ_STAT_LEDGER_BY_SERVICE,
    SQ_STAT_LEDGER_TOTAL,
    SQ_STAT_JOB_COST,
    SQ_STMT_COUNT
} sq_stmt;

struct vg_store_conn {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_STMT_COUNT];
    vg_alloc_fn alloc;
    void *alloc_payload;
    vg_txn_mode mode; /* of the current or last transaction */
    int busy_timeout_ms;
    int64_t busy_started_ns;
    /* The vector of the last cache entry or embedding read (sqlite_cache.c): a copy of its
     * blob, aligned for floats, kept until the next read; freed by disconnect. */
    float *vector;
    size_t vector_capacity; /* bytes */
    /* The data of the last input read (sqlite_jobs.c), kept until the next call on the
     * connection: freed by the next begin (an input may be 10 MiB) and by disconnect. */
    unsigned char *input;
    size_t input_capacity;
    char errmsg[512];
};

/* Gives the statement in *out, prepared on first use and reset for reuse. Returns VG_OK
 * or a store error (with the connection's message set). */
int vg__sq_stmt(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id);

/* Prepares and runs a statement that takes no parameters and returns no rows. */
int vg__sq_run(vg_store_conn *conn, sq_stmt id, const char *what);

/* Records SQLite's message for `rc` on the connection and returns the matching vg_status. */
int vg__sq_error(vg_store_conn *conn, int rc, const char *what);

/* Sets the connection's message to "<what>: <detail>" and returns `status`. */
int vg__sq_say(vg_store_conn *conn, int status, const char *what, const char *detail);

/* Steps a statement that returns no rows to the end; returns VG_OK or an error. */
int vg__sq_exec(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what);

/* Runs one SQL text of DDL statements (prepared one by one). */
int vg__sq_exec_script(vg_store_conn *conn, const char *sql, const char *what);

/* Copies a column's text with the connection's allocator; NULL when out of memory. */
char *vg__sq_column_dup(vg_store_conn *conn, sqlite3_stmt *stmt, int col);

/* A record is read and written by its shared field table (record_fields.h); sqlite_fields.c
 * binds and reads each kind: a VG__FIELD_ID field is bound as NULL, so an INSERT assigns the
 * id, a VG__FIELD_HASH one is a BLOB. Statements bind the fields as ?1, ?2, ... */

/* Binds UTF-8 text that lives until the statement is reset. */
void vg__sq_bind_text(sqlite3_stmt *stmt, int index, const char *text);

/* Steps a SELECT of rec's columns and reads the row into *out (cleared first). Returns VG_OK
 * with a row, VG_ENOTFOUND at the end (no message), or an error; it resets the statement
 * unless it returns VG_OK. */
int vg__sq_next(void *out, vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                const char *what);

/* Ends a listing loop over vg__sq_next: resets the statement and turns the end of the rows
 * (VG_ENOTFOUND) or a stop by the callback (VG_OK) into VG_OK. */
int vg__sq_list_end(sqlite3_stmt *stmt, int rc);

/* Reads the one row a bound SELECT returns into *out and resets the statement. */
int vg__sq_get_row(void *out, vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                   const char *what);

/* Reads one row by a text or an integer key (?1) into *out; VG_ENOTFOUND if none. */
int vg__sq_get_by_text(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                       const char *key, const char *what);
int vg__sq_get_by_id(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                     int64_t key, const char *what);

/* Reads one row by an integer (?1) and a text (?2), as a user's idempotency key, into *out;
 * VG_ENOTFOUND if none. */
int vg__sq_get_by_id_text(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                          int64_t key, const char *text, const char *what);

/* vg__sq_get_by_text after checking that out is not NULL and the key (named `name` in the
 * message) fits a field of `size` bytes: VG_EINVAL with a message. */
int vg__sq_get_by_text_checked(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                                const char *key, size_t size, const char *name,
                                const char *what);

/* Reads one row by a user id (?1) and an idempotency key (?2) into *out, after checking
 * that out is not NULL and the key fits VG_STORE_KEY_SIZE (VG_EINVAL with a message);
 * VG_ENOTFOUND if none. */
int vg__sq_get_by_key_checked(void *out, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                              int64_t user_id, const char *key, const char *what);

/* Prepares a statement and binds an integer (an id) to ?1. */
int vg__sq_stmt_with_id(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id, int64_t key);

/* Binds every field of `record` as ?1, ?2, ... (rec->count of them); VG_OK, VG_EINVAL for a
 * value the backend cannot store, or VG_ESTORE. */
int vg__sq_bind_record(vg_store_conn *conn, sqlite3_stmt *stmt, const vg__record *rec,
                       const void *record);

/* Binds every field of `record` as ?1, ?2, ... to a statement that writes one row and runs
 * it; with out_id (may be NULL), writes the id the store assigned. Returns VG_OK, VG_EINVAL
 * for a value the backend cannot store, or a store error. */
int vg__sq_write(int64_t *out_id, vg_store_conn *conn, sq_stmt id, const vg__record *rec,
                 const void *record, const char *what);

/* vg__sq_write after checking that `record` can be stored (vg__record_check: VG_EINVAL with
 * a message). */
int vg__sq_write_checked(int64_t *out_id, vg_store_conn *conn, sq_stmt id,
                         const vg__record *rec, const void *record, const char *what);

/* Runs a bound UPDATE; VG_ENOTFOUND (no message) when it changed no row. */
int vg__sq_update_one(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what);

/* Checks that `record` can be stored (vg__record_check: VG_EINVAL with a message), prepares
 * statement `id` and binds the record's fields as ?1, ?2, ... for the caller to run. */
int vg__sq_bind_checked(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id,
                        const vg__record *rec, const void *record, const char *what);

/* Runs a bound INSERT ... ON CONFLICT DO NOTHING: VG_EEXISTS (without a message) when it
 * inserted nothing. */
int vg__sq_insert_new(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what);

/* An optimistic update of a versioned record: checks `record` and binds its fields as ?1,
 * ?2, ... to statement `update`, rebinds ?1 (its id field, bound as NULL) to `id` and runs
 * it; the statement writes WHERE id = ?1 AND version = ?2. When it changes no row, statement
 * `version` (SELECT version ... WHERE id = ?1) tells VG_ESTATE (the record is there at
 * another version than `read_version`, with a message) from VG_ENOTFOUND (no message). */
int vg__sq_update_versioned(vg_store_conn *conn, sq_stmt update, sq_stmt version,
                            const vg__record *rec, const void *record, int64_t id,
                            int64_t read_version, const char *what);

/* Schema and record methods (sqlite_schema.c, sqlite_records.c). */
int vg__sq_schema_get(int *out, vg_store_conn *conn);
int vg__sq_schema_step(vg_store_conn *conn, int to_version, vg_time now);
int vg__sq_meta_get(char **out, vg_store_conn *conn, const char *key, int for_update);
int vg__sq_meta_put(vg_store_conn *conn, const char *key, const char *value);
int vg__sq_meta_delete(vg_store_conn *conn, const char *key);
int vg__sq_event_append(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event);
int vg__sq_event_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload);
int vg__sq_check(vg_store_conn *conn, vg_store_problem_fn callback, void *payload);

/* Version 2: the catalog (sqlite_catalog.c). */
int vg__sq_plan_put(vg_store_conn *conn, const vg_plan *plan);
int vg__sq_plan_get(vg_plan *out, vg_store_conn *conn, const char *name);
int vg__sq_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload);
int vg__sq_service_put(vg_store_conn *conn, const vg_service *service);
int vg__sq_service_get(vg_service *out, vg_store_conn *conn, const char *name);
int vg__sq_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload);
int vg__sq_package_put(vg_store_conn *conn, const vg_package *package);
int vg__sq_package_get(vg_package *out, vg_store_conn *conn, const char *name);
int vg__sq_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload);

/* Version 2: users, wallets, bonus lots, holds, the ledger, idempotency (sqlite_wallet.c). */
int vg__sq_user_insert(int64_t *out_id, vg_store_conn *conn, const vg_user *user);
int vg__sq_user_get(vg_user *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__sq_user_find(vg_user *out, vg_store_conn *conn, const char *email);
int vg__sq_user_set_plan(vg_store_conn *conn, int64_t id, const char *plan);
int vg__sq_users_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_user_fn callback, void *payload);
int vg__sq_wallet_get(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update);
int vg__sq_wallet_put(vg_store_conn *conn, const vg_store_wallet *wallet);
int vg__sq_lot_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot);
int vg__sq_lot_update(vg_store_conn *conn, int64_t lot_id, int64_t remaining);
int vg__sq_lot_get(vg_store_lot *out, vg_store_conn *conn, int64_t lot_id);
int vg__sq_lots_list(vg_store_conn *conn, int64_t user_id, vg_store_lot_fn callback,
                     void *payload);
int vg__sq_hold_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold);
int vg__sq_hold_update(vg_store_conn *conn, const vg_store_hold *hold);
int vg__sq_hold_get(vg_store_hold *out, vg_store_conn *conn, int64_t hold_id, int for_update);
int vg__sq_holds_list_open(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload);
int vg__sq_hold_part_insert(vg_store_conn *conn, const vg_store_hold_part *part);
int vg__sq_hold_parts_list(vg_store_conn *conn, int64_t hold_id,
                           vg_store_hold_part_fn callback, void *payload);
int vg__sq_ledger_append(vg_store_conn *conn, const vg_store_ledger_row *row);
int vg__sq_ledger_list(vg_store_conn *conn, int64_t user_id, int64_t from_seq, int limit,
                       int ascending, vg_store_ledger_fn callback, void *payload);
int vg__sq_idempotency_get(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key);
int vg__sq_idempotency_put(vg_store_conn *conn, const vg_store_idempotency *record);

/* Version 3: account status, credentials, verification codes, rate limits, sessions and
 * tokens (sqlite_accounts.c). */
int vg__sq_user_set_status(vg_store_conn *conn, int64_t id, int verified, int active);
int vg__sq_credential_put(vg_store_conn *conn, const vg_store_credential *credential);
int vg__sq_credential_get(vg_store_credential *out, vg_store_conn *conn, int64_t user_id);
int vg__sq_code_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_code *code);
int vg__sq_code_update(vg_store_conn *conn, const vg_store_code *code);
int vg__sq_codes_list(vg_store_conn *conn, const char *email, vg_time since,
                      vg_store_code_fn callback, void *payload);
int vg__sq_limit_get(vg_store_limit *out, vg_store_conn *conn, const char *key,
                     int for_update);
int vg__sq_limit_put(vg_store_conn *conn, const vg_store_limit *limit);
int vg__sq_session_insert(int64_t *out_id, vg_store_conn *conn,
                          const vg_store_session *session);
int vg__sq_session_get(vg_store_session *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__sq_sessions_revoke(int *out_count, vg_store_conn *conn, int64_t user_id, int64_t id,
                           vg_time at, int reason);
int vg__sq_token_insert(vg_store_conn *conn, const vg_store_token *token);
int vg__sq_token_get(vg_store_token *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE], int for_update);
int vg__sq_tokens_close(int *out_count, vg_store_conn *conn, int64_t user_id, int kind,
                        const unsigned char *hash, int state, vg_time at);

/* Version 4: the similarity cache: entries, embeddings, block verdicts and counters
 * (sqlite_cache.c). */
int vg__sq_cache_entry_insert(int64_t *out_id, vg_store_conn *conn,
                              const vg_store_cache_entry *entry);
int vg__sq_cache_entry_delete(vg_store_conn *conn, int64_t id);
int vg__sq_cache_entry_touch(vg_store_conn *conn, int64_t id, int64_t hits, vg_time at);
int vg__sq_cache_entries_changed(vg_store_conn *conn, int64_t after_seq, int limit,
                                 vg_store_cache_entry_fn callback, void *payload);
int vg__sq_cache_entry_get(vg_store_cache_entry *out, vg_store_conn *conn, int64_t id);
int vg__sq_embedding_put(vg_store_conn *conn, const vg_store_embedding *embedding);
int vg__sq_embedding_get(vg_store_embedding *out, vg_store_conn *conn,
                         const unsigned char hash[VG_STORE_HASH_SIZE], const char *fingerprint);
int vg__sq_block_put(vg_store_conn *conn, const vg_store_block *block);
int vg__sq_block_get(vg_store_block *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);
int vg__sq_counter_add(int64_t *out, vg_store_conn *conn, const char *name, int64_t delta);
int vg__sq_counter_get(int64_t *out, vg_store_conn *conn, const char *name);

/* Version 5: generation jobs, their inputs and the inspiration gallery (sqlite_jobs.c). */
int vg__sq_job_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_job *job);
int vg__sq_job_get(vg_store_job *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__sq_job_find(vg_store_job *out, vg_store_conn *conn, int64_t user_id,
                    const char *idempotency_key);
int vg__sq_job_update(vg_store_conn *conn, const vg_store_job *job);
int vg__sq_job_claim(vg_store_job *out, vg_store_conn *conn, const vg_store_job_claim *claim);
int vg__sq_jobs_list(vg_store_conn *conn, const vg_store_job_filter *filter,
                     vg_store_job_fn callback, void *payload);
int vg__sq_input_put(vg_store_conn *conn, const vg_store_input *input);
int vg__sq_input_get(vg_store_input *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);
int vg__sq_gallery_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_example *example);
int vg__sq_gallery_list(vg_store_conn *conn, const char *topic, const char *lang,
                        vg_store_example_fn callback, void *payload);
int vg__sq_gallery_delete(vg_store_conn *conn, int64_t id);
/* Frees the data of the last input read (at begin and at disconnect). */
void vg__sq_input_free(vg_store_conn *conn);

/* Version 6: orders, subscriptions, promotions, redemptions, webhook events and the
 * aggregate figures (sqlite_payments.c). */
int vg__sq_order_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_order *order);
int vg__sq_order_get(vg_store_order *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__sq_order_find(vg_store_order *out, vg_store_conn *conn, const char *number,
                      int for_update);
int vg__sq_order_find_key(vg_store_order *out, vg_store_conn *conn, int64_t user_id,
                          const char *idempotency_key);
int vg__sq_order_update(vg_store_conn *conn, const vg_store_order *order);
int vg__sq_orders_list(vg_store_conn *conn, const vg_store_order_filter *filter,
                       vg_store_order_fn callback, void *payload);
int vg__sq_subscription_put(vg_store_conn *conn, const vg_store_subscription *subscription);
int vg__sq_subscription_get(vg_store_subscription *out, vg_store_conn *conn, int64_t user_id,
                            int for_update);
int vg__sq_subscriptions_due(vg_store_conn *conn, vg_time due_before, int min_state,
                             int max_state, int limit, vg_store_subscription_fn callback,
                             void *payload);
int vg__sq_promo_put(vg_store_conn *conn, const vg_store_promo *promo);
int vg__sq_promo_get(vg_store_promo *out, vg_store_conn *conn, const char *code, int for_update);
int vg__sq_promos_list(vg_store_conn *conn, vg_store_promo_fn callback, void *payload);
int vg__sq_redemption_insert(vg_store_conn *conn, const vg_store_redemption *redemption);
int vg__sq_redemption_find(vg_store_redemption *out, vg_store_conn *conn, int64_t user_id,
                           const char *idempotency_key);
int vg__sq_redemptions_count(int64_t *out, vg_store_conn *conn, const char *code,
                             int64_t user_id);
int vg__sq_webhook_event_insert(vg_store_conn *conn, const vg_store_webhook_event *event);
int vg__sq_stats_query(vg_store_conn *conn, vg_store_stat stat, int arg,
                       vg_store_stat_fn callback, void *payload);

#endif
