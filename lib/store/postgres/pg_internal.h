/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend's connection: one libpq connection with its prepared statements. */
#ifndef VG_PG_INTERNAL_H
#define VG_PG_INTERNAL_H

#include <libpq-fe.h>
#include <stddef.h>

#include "vidgo/errors.h"
#include "vidgo/sys/store.h"

#include "../record_fields.h"

/* Every statement the backend runs; their SQL is in the tables of pg_backend.c (these first),
 * pg_catalog.c, pg_wallet.c, pg_accounts.c, pg_cache.c, pg_jobs.c and pg_payments.c. Each is
 * prepared on a connection, as "vg<N>", the first time it runs there. */
typedef enum pg_stmt {
    PG_BEGIN_READ,
    PG_BEGIN_WRITE,
    PG_COMMIT,
    PG_ROLLBACK,
    PG_SAVEPOINT,
    PG_RELEASE,
    PG_ROLLBACK_TO,
    PG_SET_CONFIG,
    PG_SCHEMA_LOCK,
    PG_SCHEMA_HAS_TABLE,
    PG_SCHEMA_OWN_TABLES,
    PG_SCHEMA_VERSION,
    PG_SCHEMA_RECORD,
    PG_META_GET,
    PG_META_GET_FOR_UPDATE,
    PG_META_LOCK_KEY,
    PG_META_PUT,
    PG_META_DELETE,
    PG_EVENT_APPEND,
    PG_EVENT_LIST,
    PG_CHECK_TABLES,
    /* version 2: the catalog (their SQL is in pg_catalog.c) */
    PG_PLAN_PUT,
    PG_PLAN_GET,
    PG_PLANS_LIST,
    PG_SERVICE_PUT,
    PG_SERVICE_GET,
    PG_SERVICES_LIST,
    PG_PACKAGE_PUT,
    PG_PACKAGE_GET,
    PG_PACKAGES_LIST,
    /* version 2: users and wallets (their SQL is in pg_wallet.c) */
    PG_USER_INSERT,
    PG_USER_GET,
    PG_USER_GET_FOR_UPDATE,
    PG_USER_FIND,
    PG_USER_SET_PLAN,
    PG_USERS_LIST,
    PG_WALLET_GET,
    PG_WALLET_GET_FOR_UPDATE,
    PG_WALLET_PUT,
    PG_LOT_INSERT,
    PG_LOT_UPDATE,
    PG_LOT_GET,
    PG_LOTS_LIST,
    PG_HOLD_INSERT,
    PG_HOLD_UPDATE,
    PG_HOLD_GET,
    PG_HOLD_GET_FOR_UPDATE,
    PG_HOLDS_LIST_OPEN,
    PG_HOLD_PART_INSERT,
    PG_HOLD_PARTS_LIST,
    PG_LEDGER_APPEND,
    PG_LEDGER_LIST_ASC,
    PG_LEDGER_LIST_DESC,
    PG_IDEMPOTENCY_GET,
    PG_IDEMPOTENCY_PUT,
    /* version 3: accounts (their SQL is in pg_accounts.c) */
    PG_USER_SET_STATUS,
    PG_CREDENTIAL_PUT,
    PG_CREDENTIAL_GET,
    PG_CODE_INSERT,
    PG_CODE_UPDATE,
    PG_CODES_LIST,
    PG_LIMIT_GET,
    PG_LIMIT_GET_FOR_UPDATE,
    PG_LIMIT_LOCK_KEY,
    PG_LIMIT_PUT,
    PG_SESSION_INSERT,
    PG_SESSION_GET,
    PG_SESSION_GET_FOR_UPDATE,
    PG_SESSIONS_REVOKE_ALL,
    PG_SESSIONS_REVOKE_ONE,
    PG_TOKEN_INSERT,
    PG_TOKEN_GET,
    PG_TOKEN_GET_FOR_UPDATE,
    PG_TOKENS_CLOSE_ALL,
    PG_TOKENS_CLOSE_ONE,
    /* version 4: the similarity cache (their SQL is in pg_cache.c) */
    PG_CACHE_SEQ_NEXT,
    PG_CACHE_ENTRY_INSERT,
    PG_CACHE_ENTRY_DELETE,
    PG_CACHE_ENTRY_TOUCH,
    PG_CACHE_ENTRIES_CHANGED,
    PG_CACHE_ENTRY_GET,
    PG_EMBEDDING_PUT,
    PG_EMBEDDING_GET,
    PG_BLOCK_PUT,
    PG_BLOCK_GET,
    PG_COUNTER_ADD,
    PG_COUNTER_GET,
    /* version 5: jobs, their inputs, the gallery (their SQL is in pg_jobs.c) */
    PG_JOB_INSERT,
    PG_JOB_GET,
    PG_JOB_GET_FOR_UPDATE,
    PG_JOB_FIND,
    PG_JOB_UPDATE,
    PG_JOB_VERSION,
    PG_JOB_CLAIM,
    PG_JOBS_LIST_ALL,
    PG_JOBS_LIST_USER,
    PG_JOBS_LIST_ACTIVE_SCOPE,
    PG_INPUT_PUT,
    PG_INPUT_GET,
    PG_GALLERY_INSERT,
    PG_GALLERY_LIST_ANY,
    PG_GALLERY_LIST_TOPIC,
    PG_GALLERY_DELETE,
    /* version 6: payments (their SQL is in pg_payments.c) */
    PG_ORDER_INSERT,
    PG_ORDER_NUMBER_TAKEN,
    PG_ORDER_GET,
    PG_ORDER_GET_FOR_UPDATE,
    PG_ORDER_FIND,
    PG_ORDER_FIND_FOR_UPDATE,
    PG_ORDER_FIND_KEY,
    PG_ORDER_UPDATE,
    PG_ORDER_VERSION,
    PG_ORDERS_LIST_ALL,
    PG_ORDERS_LIST_USER,
    PG_ORDERS_LIST_UNPAID_EXPIRING,
    PG_SUBSCRIPTION_PUT,
    PG_SUBSCRIPTION_GET,
    PG_SUBSCRIPTION_GET_FOR_UPDATE,
    PG_SUBSCRIPTIONS_DUE,
    PG_PROMO_PUT,
    PG_PROMO_GET,
    PG_PROMO_GET_FOR_UPDATE,
    PG_PROMOS_LIST,
    PG_REDEMPTION_INSERT,
    PG_REDEMPTION_FIND,
    PG_REDEMPTIONS_COUNT,
    PG_WEBHOOK_EVENT_INSERT,
    PG_STAT_USERS_PER_PLAN,
    PG_STAT_ACTIVE_SUBSCRIPTIONS,
    PG_STAT_REVENUE,
    PG_STAT_LEDGER_BY_SERVICE,
    PG_STAT_LEDGER_TOTAL,
    PG_STAT_JOB_COST,
    PG_STMT_COUNT
} pg_stmt;

#define PG_CATALOG_FIRST PG_PLAN_PUT
#define PG_WALLET_FIRST PG_USER_INSERT
#define PG_ACCOUNTS_FIRST PG_USER_SET_STATUS
#define PG_CACHE_FIRST PG_CACHE_SEQ_NEXT
#define PG_JOBS_FIRST PG_JOB_INSERT
#define PG_PAYMENTS_FIRST PG_ORDER_INSERT

/* The SQL of the statements of pg_catalog.c, pg_wallet.c, pg_accounts.c, pg_cache.c,
 * pg_jobs.c and pg_payments.c, from their first. */
extern const char *const vg__pg_catalog_sql[PG_WALLET_FIRST - PG_CATALOG_FIRST];
extern const char *const vg__pg_wallet_sql[PG_ACCOUNTS_FIRST - PG_WALLET_FIRST];
extern const char *const vg__pg_accounts_sql[PG_CACHE_FIRST - PG_ACCOUNTS_FIRST];
extern const char *const vg__pg_cache_sql[PG_JOBS_FIRST - PG_CACHE_FIRST];
extern const char *const vg__pg_jobs_sql[PG_PAYMENTS_FIRST - PG_JOBS_FIRST];
extern const char *const vg__pg_payments_sql[PG_STMT_COUNT - PG_PAYMENTS_FIRST];

/* Placeholders $1 .. $n for an INSERT of n columns. */
#define PG_D3 "$1, $2, $3"
#define PG_D4 PG_D3 ", $4"
#define PG_D5 PG_D4 ", $5"
#define PG_D6 PG_D5 ", $6"
#define PG_D8 PG_D6 ", $7, $8"
#define PG_D9 PG_D8 ", $9"
#define PG_D10 PG_D9 ", $10"
#define PG_D12 PG_D10 ", $11, $12"
#define PG_D14 PG_D12 ", $13, $14"
#define PG_D16 PG_D14 ", $15, $16"
#define PG_D11 PG_D10 ", $11"
#define PG_D21 PG_D14 ", $15, $16, $17, $18, $19, $20, $21"

/* A vector read back from a float32 BYTEA, in memory of the connection's allocator. */
typedef struct pg_vector {
    float *data;
    size_t capacity; /* bytes */
} pg_vector;

struct vg_store_conn {
    PGconn *pg;
    unsigned char prepared[PG_STMT_COUNT]; /* 1: PQprepare'd on this connection */
    vg_alloc_fn alloc;
    void *alloc_payload;
    unsigned int flags;  /* the params' VG_OPEN_* */
    int busy_timeout_ms;
    vg_txn_mode mode;    /* of the current or last transaction */
    int aborted_status;  /* the failure that aborted the current transaction, or VG_OK */
    char sqlstate[6];    /* of the last failure ("" if libpq's own) */
    char errmsg[512];
    pg_vector got;       /* the vector of cache_entry_get or embedding_get: until the next */
    pg_vector listed;    /* the vector of the row cache_entries_changed hands its callback */
    unsigned char *input; /* the data of the last input_get: until the next call (pg_jobs.c) */
    size_t input_capacity;
};

/* --- statements ------------------------------------------------------------------------ */

#define PG_MAX_PARAMS 64 /* a job's update: its 53 fields and its id */

/* The parameters of one statement, in text format but for blobs (binary, with their length).
 * Values point into `arena` or at data that live until the statement has run; a NULL value
 * is SQL NULL. */
typedef struct pg_params {
    int count;
    const char *values[PG_MAX_PARAMS];
    int lengths[PG_MAX_PARAMS]; /* of binary values; 0 for text */
    int formats[PG_MAX_PARAMS]; /* 0: text, 1: binary */
    size_t used;
    char arena[4096];
} pg_params;

void vg__pg_params_init(pg_params *p);
/* Adds a parameter: text that outlives the statement, or an integer (as text). */
void vg__pg_param_text(pg_params *p, const char *text);
void vg__pg_param_int64(pg_params *p, int64_t value);
/* Adds `size` raw bytes as a BYTEA parameter ('\x..' hex in the arena). */
void vg__pg_param_hash(pg_params *p, const unsigned char *hash, size_t size);
/* Adds `size` raw bytes (at most INT_MAX) as a binary BYTEA parameter, or SQL NULL when data
 * is NULL; the bytes are not copied. */
void vg__pg_param_blob(pg_params *p, const void *data, size_t size);
/* Adds every field of `record` but the VG__FIELD_ID ones, in the order of its table. Returns
 * VG_OK, or VG_EINVAL with a message for a value the backend cannot store. */
int vg__pg_param_record(pg_params *p, vg_store_conn *conn, const vg__record *rec,
                        const void *record);
/* Adds a LIMIT: a count, or for one below 0 none (SQL NULL, as SQLite's LIMIT -1). */
void vg__pg_param_limit(pg_params *p, int limit);

/* Runs a statement (prepared first if this connection has not yet) with `params` (may be
 * NULL). On success *out (may be NULL: then cleared) holds the result, which the caller
 * PQclear()s. Returns VG_OK or the failure's status, with the message set. */
int vg__pg_exec(PGresult **out, vg_store_conn *conn, pg_stmt id, const pg_params *params,
                const char *what);

/* Runs a statement without rows and returns VG_OK if it changed a row, VG_ENOTFOUND (no
 * message) if none. The _guarded one is for a statement whose failure is an answer (a
 * foreign key): it runs it in a savepoint, rolled back to on failure, so that the
 * transaction goes on after it as it does in SQLite. */
int vg__pg_change_one(vg_store_conn *conn, pg_stmt id, const pg_params *params,
                      const char *what);
int vg__pg_change_one_guarded(vg_store_conn *conn, pg_stmt id, const pg_params *params,
                              const char *what);

/* Records libpq's message for a failed result (or connection) as "<what>: <message>" and
 * returns the vg_status its SQLSTATE maps to. */
int vg__pg_fail(vg_store_conn *conn, const PGresult *res, const char *what);

/* Sets the connection's message and returns `status`. */
int vg__pg_say(vg_store_conn *conn, int status, const char *what, const char *detail);

/* 1 when `for_update` must lock: only in a write transaction (PostgreSQL refuses
 * SELECT ... FOR UPDATE in a READ ONLY one, and a reader needs no lock). */
int vg__pg_locking(const vg_store_conn *conn, int for_update);

/* Reads a column as an integer; 0 for NULL. */
int64_t vg__pg_int64(const PGresult *res, int row, int col);

/* Copies a column's text with the connection's allocator; NULL when out of memory. */
char *vg__pg_dup(vg_store_conn *conn, const PGresult *res, int row, int col);

/* Decodes bytea's hex output ("\x0a1b...", len bytes of text) into exactly `size` bytes;
 * -1 when it is not that. */
int vg__pg_unhex(unsigned char *out, size_t size, const char *text, size_t len);

/* --- records: the shared field tables (record_fields.c), bound and read here (pg_records.c) */

/* A record is read and written by its shared field table (record_fields.h); pg_records.c
 * binds and reads each kind in text format: a VG__FIELD_ID field is selected, never written
 * (INSERT ... RETURNING id), a VG__FIELD_HASH one is BYTEA, sent as '\x..' hex. An INSERT or
 * upsert binds the fields, but the VG__FIELD_ID ones, as $1, $2, ... */

/* The rows of a query, read one by one into records. */
typedef struct pg_rows {
    PGresult *res;
    int next;
} pg_rows;

/* Runs a query whose rows are then read with vg__pg_next. */
int vg__pg_query(pg_rows *rows, vg_store_conn *conn, pg_stmt id, const pg_params *params,
                 const char *what);

/* Reads the next row into *out (cleared first): VG_OK, VG_ENOTFOUND at the end (no
 * message), or VG_ESTORE_CORRUPT for a value that does not fit its field. */
int vg__pg_next(void *out, vg_store_conn *conn, pg_rows *rows, const vg__record *rec);

/* Frees the rows and turns the end of the rows (VG_ENOTFOUND) into VG_OK. */
int vg__pg_rows_end(pg_rows *rows, int rc);

/* Reads the one row a query by params returns into *out; VG_ENOTFOUND if none. */
int vg__pg_get(void *out, vg_store_conn *conn, pg_stmt id, const pg_params *params,
               const vg__record *rec, const char *what);

/* Reads one row by a text or an integer key ($1); VG_ENOTFOUND if none. */
int vg__pg_get_by_text(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                       const char *key, const char *what);
int vg__pg_get_by_id(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                     int64_t key, const char *what);
/* Reads one row by an integer ($1) and a text ($2), as a user's idempotency key; VG_ENOTFOUND
 * if none. */
int vg__pg_get_by_id_text(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                          int64_t key, const char *text, const char *what);

/* vg__pg_get_by_text after checking that out is not NULL and the key (named `name` in the
 * message) fits a field of `size` bytes: VG_EINVAL with a message. */
int vg__pg_get_by_text_checked(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                                const char *key, size_t size, const char *name,
                                const char *what);

/* Reads one row by a user id ($1) and an idempotency key ($2) into *out, after checking
 * that out is not NULL and the key fits VG_STORE_KEY_SIZE (VG_EINVAL with a message);
 * VG_ENOTFOUND if none. */
int vg__pg_get_by_key_checked(void *out, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                              int64_t user_id, const char *key, const char *what);

/* Writes one record (its fields but the VG__FIELD_ID ones as $1, $2, ...). With out_id (may be
 * NULL), the statement ends in RETURNING id and the new id is written there. With `taken`
 * other than VG_OK, it is an INSERT ... ON CONFLICT (key) DO NOTHING RETURNING ...: when it
 * returns no row the key was taken, and `taken` (VG_ECONSTRAINT, VG_EEMAIL_TAKEN) is
 * returned with a message, the transaction still usable. */
int vg__pg_write(int64_t *out_id, vg_store_conn *conn, pg_stmt id, const vg__record *rec,
                 const void *record, int taken, const char *what);

/* vg__pg_write after checking that `record` can be stored (vg__record_check: VG_EINVAL with
 * a message). */
int vg__pg_write_checked(int64_t *out_id, vg_store_conn *conn, pg_stmt id,
                         const vg__record *rec, const void *record, int taken,
                         const char *what);

/* An optimistic update of a versioned record: checks `record` (vg__record_check) and runs
 * statement `update` with its fields (but the id) as $1, $2, ... ($1 the version it was read
 * at) and `id` after them; the statement writes WHERE id = $<last> AND version = $1. When it
 * changes no row, statement `version` (SELECT version ... WHERE id = $1) tells VG_ESTATE (the
 * record is there at another version than `read_version`, with a message) from VG_ENOTFOUND
 * (no message). */
int vg__pg_update_versioned(vg_store_conn *conn, pg_stmt update, pg_stmt version,
                            const vg__record *rec, const void *record, int64_t id,
                            int64_t read_version, const char *what);

/* --- methods ------------------------------------------------------------------------- */

/* Schema (pg_backend.c) and records (pg_records.c). */
int vg__pg_schema_get(int *out, vg_store_conn *conn);
int vg__pg_schema_step(vg_store_conn *conn, int to_version, vg_time now);
int vg__pg_meta_get(char **out, vg_store_conn *conn, const char *key, int for_update);
int vg__pg_meta_put(vg_store_conn *conn, const char *key, const char *value);
int vg__pg_meta_delete(vg_store_conn *conn, const char *key);
int vg__pg_event_append(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event);
int vg__pg_event_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload);
int vg__pg_check(vg_store_conn *conn, vg_store_problem_fn callback, void *payload);

/* Version 2: the catalog (pg_catalog.c). */
int vg__pg_plan_put(vg_store_conn *conn, const vg_plan *plan);
int vg__pg_plan_get(vg_plan *out, vg_store_conn *conn, const char *name);
int vg__pg_plans_list(vg_store_conn *conn, vg_plan_fn callback, void *payload);
int vg__pg_service_put(vg_store_conn *conn, const vg_service *service);
int vg__pg_service_get(vg_service *out, vg_store_conn *conn, const char *name);
int vg__pg_services_list(vg_store_conn *conn, vg_service_fn callback, void *payload);
int vg__pg_package_put(vg_store_conn *conn, const vg_package *package);
int vg__pg_package_get(vg_package *out, vg_store_conn *conn, const char *name);
int vg__pg_packages_list(vg_store_conn *conn, vg_store_package_fn callback, void *payload);

/* Version 2: users, wallets, bonus lots, holds, the ledger, idempotency (pg_wallet.c). */
int vg__pg_user_insert(int64_t *out_id, vg_store_conn *conn, const vg_user *user);
int vg__pg_user_get(vg_user *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__pg_user_find(vg_user *out, vg_store_conn *conn, const char *email);
int vg__pg_user_set_plan(vg_store_conn *conn, int64_t id, const char *plan);
int vg__pg_users_list(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_user_fn callback, void *payload);
int vg__pg_wallet_get(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update);
int vg__pg_wallet_put(vg_store_conn *conn, const vg_store_wallet *wallet);
int vg__pg_lot_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot);
int vg__pg_lot_update(vg_store_conn *conn, int64_t lot_id, int64_t remaining);
int vg__pg_lot_get(vg_store_lot *out, vg_store_conn *conn, int64_t lot_id);
int vg__pg_lots_list(vg_store_conn *conn, int64_t user_id, vg_store_lot_fn callback,
                     void *payload);
int vg__pg_hold_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold);
int vg__pg_hold_update(vg_store_conn *conn, const vg_store_hold *hold);
int vg__pg_hold_get(vg_store_hold *out, vg_store_conn *conn, int64_t hold_id, int for_update);
int vg__pg_holds_list_open(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload);
int vg__pg_hold_part_insert(vg_store_conn *conn, const vg_store_hold_part *part);
int vg__pg_hold_parts_list(vg_store_conn *conn, int64_t hold_id,
                           vg_store_hold_part_fn callback, void *payload);
int vg__pg_ledger_append(vg_store_conn *conn, const vg_store_ledger_row *row);
int vg__pg_ledger_list(vg_store_conn *conn, int64_t user_id, int64_t from_seq, int limit,
                       int ascending, vg_store_ledger_fn callback, void *payload);
int vg__pg_idempotency_get(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key);
int vg__pg_idempotency_put(vg_store_conn *conn, const vg_store_idempotency *record);

/* Version 3: credentials, verification codes, rate limits, sessions, tokens (pg_accounts.c). */
int vg__pg_user_set_status(vg_store_conn *conn, int64_t id, int verified, int active);
int vg__pg_credential_put(vg_store_conn *conn, const vg_store_credential *credential);
int vg__pg_credential_get(vg_store_credential *out, vg_store_conn *conn, int64_t user_id);
int vg__pg_code_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_code *code);
int vg__pg_code_update(vg_store_conn *conn, const vg_store_code *code);
int vg__pg_codes_list(vg_store_conn *conn, const char *email, vg_time since,
                      vg_store_code_fn callback, void *payload);
int vg__pg_limit_get(vg_store_limit *out, vg_store_conn *conn, const char *key, int for_update);
int vg__pg_limit_put(vg_store_conn *conn, const vg_store_limit *limit);
int vg__pg_session_insert(int64_t *out_id, vg_store_conn *conn,
                          const vg_store_session *session);
int vg__pg_session_get(vg_store_session *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__pg_sessions_revoke(int *out_count, vg_store_conn *conn, int64_t user_id, int64_t id,
                           vg_time at, int reason);
int vg__pg_token_insert(vg_store_conn *conn, const vg_store_token *token);
int vg__pg_token_get(vg_store_token *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE], int for_update);
int vg__pg_tokens_close(int *out_count, vg_store_conn *conn, int64_t user_id, int kind,
                        const unsigned char *hash, int state, vg_time at);

/* Version 4: the similarity cache, embeddings, block verdicts, counters (pg_cache.c). */
int vg__pg_cache_entry_insert(int64_t *out_id, vg_store_conn *conn,
                              const vg_store_cache_entry *entry);
int vg__pg_cache_entry_delete(vg_store_conn *conn, int64_t id);
int vg__pg_cache_entry_touch(vg_store_conn *conn, int64_t id, int64_t hits, vg_time at);
int vg__pg_cache_entries_changed(vg_store_conn *conn, int64_t after_seq, int limit,
                                 vg_store_cache_entry_fn callback, void *payload);
int vg__pg_cache_entry_get(vg_store_cache_entry *out, vg_store_conn *conn, int64_t id);
int vg__pg_embedding_put(vg_store_conn *conn, const vg_store_embedding *embedding);
int vg__pg_embedding_get(vg_store_embedding *out, vg_store_conn *conn,
                         const unsigned char hash[VG_STORE_HASH_SIZE], const char *fingerprint);
int vg__pg_block_put(vg_store_conn *conn, const vg_store_block *block);
int vg__pg_block_get(vg_store_block *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);
int vg__pg_counter_add(int64_t *out, vg_store_conn *conn, const char *name, int64_t delta);
int vg__pg_counter_get(int64_t *out, vg_store_conn *conn, const char *name);
/* Frees the connection's vector buffers (at disconnect). */
void vg__pg_vectors_free(vg_store_conn *conn);

/* Version 5: generation jobs, their inputs and the inspiration gallery (pg_jobs.c). */
int vg__pg_job_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_job *job);
int vg__pg_job_get(vg_store_job *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__pg_job_find(vg_store_job *out, vg_store_conn *conn, int64_t user_id,
                    const char *idempotency_key);
int vg__pg_job_update(vg_store_conn *conn, const vg_store_job *job);
int vg__pg_job_claim(vg_store_job *out, vg_store_conn *conn, const vg_store_job_claim *claim);
int vg__pg_jobs_list(vg_store_conn *conn, const vg_store_job_filter *filter,
                     vg_store_job_fn callback, void *payload);
int vg__pg_input_put(vg_store_conn *conn, const vg_store_input *input);
int vg__pg_input_get(vg_store_input *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);
int vg__pg_gallery_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_example *example);
int vg__pg_gallery_list(vg_store_conn *conn, const char *topic, const char *lang,
                        vg_store_example_fn callback, void *payload);
int vg__pg_gallery_delete(vg_store_conn *conn, int64_t id);
/* Frees the data of the last input read (at begin and at disconnect). */
void vg__pg_input_free(vg_store_conn *conn);

/* Version 6: orders, subscriptions, promotions, redemptions, webhook events and the
 * aggregate figures (pg_payments.c). */
int vg__pg_order_insert(int64_t *out_id, vg_store_conn *conn, const vg_store_order *order);
int vg__pg_order_get(vg_store_order *out, vg_store_conn *conn, int64_t id, int for_update);
int vg__pg_order_find(vg_store_order *out, vg_store_conn *conn, const char *number,
                      int for_update);
int vg__pg_order_find_key(vg_store_order *out, vg_store_conn *conn, int64_t user_id,
                          const char *idempotency_key);
int vg__pg_order_update(vg_store_conn *conn, const vg_store_order *order);
int vg__pg_orders_list(vg_store_conn *conn, const vg_store_order_filter *filter,
                       vg_store_order_fn callback, void *payload);
int vg__pg_subscription_put(vg_store_conn *conn, const vg_store_subscription *subscription);
int vg__pg_subscription_get(vg_store_subscription *out, vg_store_conn *conn, int64_t user_id,
                            int for_update);
int vg__pg_subscriptions_due(vg_store_conn *conn, vg_time due_before, int min_state,
                             int max_state, int limit, vg_store_subscription_fn callback,
                             void *payload);
int vg__pg_promo_put(vg_store_conn *conn, const vg_store_promo *promo);
int vg__pg_promo_get(vg_store_promo *out, vg_store_conn *conn, const char *code, int for_update);
int vg__pg_promos_list(vg_store_conn *conn, vg_store_promo_fn callback, void *payload);
int vg__pg_redemption_insert(vg_store_conn *conn, const vg_store_redemption *redemption);
int vg__pg_redemption_find(vg_store_redemption *out, vg_store_conn *conn, int64_t user_id,
                           const char *idempotency_key);
int vg__pg_redemptions_count(int64_t *out, vg_store_conn *conn, const char *code,
                             int64_t user_id);
int vg__pg_webhook_event_insert(vg_store_conn *conn, const vg_store_webhook_event *event);
int vg__pg_stats_query(vg_store_conn *conn, vg_store_stat stat, int arg,
                       vg_store_stat_fn callback, void *payload);

#endif
