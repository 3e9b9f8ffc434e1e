/* SPDX-License-Identifier: MIT */
/* The store's records as both backends see them: for each record struct, its fields in the
 * order of its columns, with each field's kind, place in the struct and column. A backend
 * only says how it binds and reads each kind, and writes its own SQL with the column lists
 * below, which follow the tables of record_fields.c. */
#ifndef VG_RECORD_FIELDS_H
#define VG_RECORD_FIELDS_H

#include <stddef.h>

#include "vidgo/sys/store.h"

/* How a field of a record struct is stored in its column. */
typedef enum vg__field_kind {
    VG__FIELD_ID,    /* int64_t the store assigns (an INSERT leaves it to the store) */
    VG__FIELD_INT,   /* int, or an enum the size of an int: INTEGER */
    VG__FIELD_INT64, /* int64_t or vg_time: a 64-bit INTEGER */
    VG__FIELD_TEXT,  /* char[size], NUL-terminated: TEXT, truncated on read to fit */
    VG__FIELD_HASH,  /* unsigned char[size]: a BLOB / BYTEA of exactly size bytes */
    VG__FIELD_NAMES, /* char[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE]: one TEXT, joined by 0x1F */
    VG__FIELD_DOUBLE /* double: REAL / DOUBLE PRECISION, every finite value and infinity kept
                      * exactly (SQLite gives -0.0 back as 0.0); NaN is refused */
} vg__field_kind;

typedef struct vg__field {
    vg__field_kind kind;
    size_t offset;
    size_t size;
    const char *column;
} vg__field;

/* A record struct: its fields, in the order of the columns its statements select and write. */
typedef struct vg__record {
    const char *what;     /* for messages: "plan", "ledger row" */
    size_t size;          /* sizeof the struct */
    unsigned int version; /* written to the struct's leading `version` on read; 0: none */
    const vg__field *fields;
    size_t count;
} vg__record;

extern const vg__record vg__plan_record;
extern const vg__record vg__service_record;
extern const vg__record vg__package_record;
extern const vg__record vg__user_record;
extern const vg__record vg__wallet_record;
extern const vg__record vg__lot_record;
extern const vg__record vg__hold_record;
extern const vg__record vg__hold_part_record;
extern const vg__record vg__ledger_record;
extern const vg__record vg__idempotency_record;
extern const vg__record vg__credential_record;
extern const vg__record vg__code_record;
extern const vg__record vg__limit_record;
extern const vg__record vg__session_record;
extern const vg__record vg__token_record;
extern const vg__record vg__cache_entry_record;
extern const vg__record vg__embedding_record;
extern const vg__record vg__block_record;
extern const vg__record vg__job_record;
extern const vg__record vg__input_record;
extern const vg__record vg__example_record;
extern const vg__record vg__order_record;
extern const vg__record vg__subscription_record;
extern const vg__record vg__promo_record;
extern const vg__record vg__redemption_record;
extern const vg__record vg__webhook_event_record;

/*
 * What a backend refuses with VG_EINVAL before any statement runs, in the methods of version
 * 5 and later, so that both built-in backends answer alike and a transaction stays usable.
 * Each returns VG_OK, or VG_EINVAL with "<what>: <the reason>" in msg[msg_size] (the
 * connection's message), as "cannot store a job: its prompt is longer than 2047 bytes".
 */

/* The most jobs one jobs_list returns (and the least, 1). */
#define VG__JOBS_LIST_MAX 1000

/* A record to write: not NULL, every text field terminated within its size (a longer text
 * would be cut), every double a number (SQLite stores NaN as NULL). */
int vg__record_check(char *msg, size_t msg_size, const char *what, const vg__record *rec,
                     const void *record);

/* A text argument, named `name` in the message: not NULL, and fits a field of `size` bytes
 * (terminator included). */
int vg__text_check(char *msg, size_t msg_size, const char *what, const char *text, size_t size,
                   const char *name);

/* The filter of jobs_list: not NULL (nor the callback: has_callback), a limit of
 * 1..VG__JOBS_LIST_MAX, a scope that is NULL or fits VG_STORE_SCOPE_SIZE. */
int vg__job_filter_check(char *msg, size_t msg_size, const char *what,
                         const vg_store_job_filter *filter, int has_callback);

/* The most orders one orders_list returns, and the most subscriptions one subscriptions_due
 * returns (and the least, 1). */
#define VG__ORDERS_LIST_MAX 1000
#define VG__SUBSCRIPTIONS_DUE_MAX 1000

/* A limit of 1..max. */
int vg__limit_check(char *msg, size_t msg_size, const char *what, int limit, int max);

/* The filter of orders_list: not NULL (nor the callback: has_callback), a limit of
 * 1..VG__ORDERS_LIST_MAX. */
int vg__order_filter_check(char *msg, size_t msg_size, const char *what,
                           const vg_store_order_filter *filter, int has_callback);

/* The columns of each record, in the order of its table in record_fields.c. *_DATA leaves
 * out the leading VG__FIELD_ID column. */
#define VG__PLAN_COLUMNS                                                                           \
    "name, rank, price_twd, weekly_credits, free_uses, topup_discount_pct, max_resolution, "       \
    "max_fps, watermark, priority_queue, effects, paid, active, display_names"
#define VG__SERVICE_COLUMNS                                                                        \
    "name, kind, credits, api_cost_micro_usd, min_plan, subscribers_only, resolution, "            \
    "max_duration_s, provider, internal, active, display_names"
#define VG__PACKAGE_COLUMNS "name, credits, price_twd, active, display_names"
#define VG__USER_DATA "email, plan, verified, active, created_at"
#define VG__USER_COLUMNS "id, " VG__USER_DATA
#define VG__WALLET_COLUMNS                                                                         \
    "user_id, subscription, purchased, bonus, held, free_uses, free_uses_held, week_start, "       \
    "last_seq, last_hash"
#define VG__LOT_DATA "user_id, amount, remaining, granted_at, expires_at"
#define VG__LOT_COLUMNS "id, " VG__LOT_DATA
#define VG__HOLD_DATA                                                                              \
    "user_id, service, reference, price, from_bonus, from_subscription, from_purchased, "          \
    "free_use, state, forfeited, created_at, expires_at, settled_at, week_start"
#define VG__HOLD_COLUMNS "id, " VG__HOLD_DATA
#define VG__HOLD_PART_COLUMNS "hold_id, lot_id, amount"
#define VG__LEDGER_COLUMNS                                                                         \
    "user_id, seq, at, effective_at, type, amount, bonus, subscription, purchased, "               \
    "free_uses, bonus_after, subscription_after, purchased_after, total_after, "                   \
    "free_uses_after, service, reference, idempotency_key, hold_id, prev_hash, hash"
#define VG__IDEMPOTENCY_COLUMNS "user_id, key, fingerprint, status, result, created_at"
#define VG__CREDENTIAL_COLUMNS "user_id, password_hash, lang, password_changed_at"
#define VG__CODE_DATA                                                                              \
    "user_id, email, code_hash, attempts, state, created_at, expires_at, last_attempt_at, "        \
    "closed_at"
#define VG__CODE_COLUMNS "id, " VG__CODE_DATA
#define VG__LIMIT_COLUMNS "key, count, window_start, blocked_until"
#define VG__SESSION_DATA "user_id, created_at, revoked_at, revoked_reason"
#define VG__SESSION_COLUMNS "id, " VG__SESSION_DATA
#define VG__TOKEN_COLUMNS                                                                          \
    "hash, kind, user_id, session_id, state, issued_at, expires_at, used_at"
/* The vector of a cache entry or an embedding is not in its table (a float32 blob of
 * `dimension` floats that each backend binds and reads itself): its column, `vector`,
 * follows the columns below. */
#define VG__CACHE_ENTRY_DATA                                                                       \
    "seq, deleted, scope, prompt, prompt_hash, fingerprint, result, owner_id, owner_only, "        \
    "cost_micro_usd, hits, created_at, expires_at, last_hit_at, dimension"
#define VG__CACHE_ENTRY_COLUMNS "id, " VG__CACHE_ENTRY_DATA
#define VG__EMBEDDING_COLUMNS "prompt_hash, fingerprint, created_at, dimension"
#define VG__BLOCK_COLUMNS "prompt_hash, reason, created_at, expires_at"
/* A job's columns; job_insert writes VG__JOB_DATA (the id is the store's). */
#define VG__JOB_DATA                                                                               \
    "version, user_id, idempotency_key, request_hash, service, kind, state, stage, priority, "     \
    "scope, prompt, enhanced_prompt, lang, resolution, duration_s, fps, style, input_hash, "       \
    "has_input, input_job_id, is_public, hold_id, price, free_use, watermark, settled, charged, "  \
    "leader_id, cache_hit, similarity, provider, provider_job_id, fallback, attempts, "            \
    "poll_errors, percent, media_type, result_url, thumbnail_url, width, height, "                 \
    "result_duration_s, placeholder, api_cost_micro_usd, error, error_detail, lease_owner, "       \
    "lease_until, next_run_at, created_at, updated_at, submitted_at, finished_at"
#define VG__JOB_COLUMNS "id, " VG__JOB_DATA
/* An input's data is not in its table (a blob of `size` bytes that each backend binds and
 * reads itself): its columns, `size, data`, follow the columns below. */
#define VG__INPUT_COLUMNS "hash, mime, created_at"
#define VG__EXAMPLE_DATA                                                                           \
    "topic, lang, title, prompt, service, media_type, result_url, thumbnail_url, job_id, "         \
    "created_at"
#define VG__EXAMPLE_COLUMNS "id, " VG__EXAMPLE_DATA
/* An order's columns; order_insert writes VG__ORDER_DATA (the id is the store's). */
#define VG__ORDER_DATA                                                                             \
    "version, number, user_id, idempotency_key, request_hash, kind, item, state, provider, "       \
    "currency, amount_minor, discount_pct, credits, provider_ref, failure, created_at, "           \
    "updated_at, paid_at, fulfilled_at, expires_at"
#define VG__ORDER_COLUMNS "id, " VG__ORDER_DATA
#define VG__SUBSCRIPTION_COLUMNS                                                                   \
    "user_id, plan, state, provider, provider_ref, next_plan, started_at, period_start, "          \
    "period_end, updated_at"
#define VG__PROMO_COLUMNS                                                                          \
    "code, bonus_credits, bonus_ttl_days, valid_from, valid_until, max_redemptions, per_user, "    \
    "plans, active, redeemed, created_at"
#define VG__REDEMPTION_COLUMNS "code, user_id, idempotency_key, credits, at"
#define VG__WEBHOOK_EVENT_COLUMNS "provider, event_id, event_type, received_at"

#endif
