/* SPDX-License-Identifier: MIT */
/* The field tables of the store's records, shared by the SQLite and PostgreSQL backends (each
 * lists the fields in the order of its column list in record_fields.h), and the checks of
 * what both refuse to store. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "../core/internal.h"
#include "record_fields.h"

_Static_assert(sizeof(vg_service_kind) == sizeof(int), "VG__FIELD_INT holds the kind as an int");
_Static_assert(sizeof(double) == 8, "VG__FIELD_DOUBLE is an IEEE 754 double of 8 bytes");
_Static_assert(offsetof(vg_plan, version) == 0 && offsetof(vg_service, version) == 0 &&
                   offsetof(vg_package, version) == 0 && offsetof(vg_user, version) == 0,
               "vg__record.version is written at the start of the record");

#define FIELD(type, kind, member, column)                                                          \
    {VG__FIELD_##kind, offsetof(type, member), sizeof(((type *)0)->member), column}
#define RECORD(what, type, version, fields)                                                        \
    {what, sizeof(type), version, fields, sizeof fields / sizeof fields[0]}

/* --- the catalog ----------------------------------------------------------------------- */

#define PLAN(kind, member) FIELD(vg_plan, kind, member, #member)
static const vg__field plan_fields[] = {
    PLAN(TEXT, name),
    PLAN(INT, rank),
    PLAN(INT64, price_twd),
    PLAN(INT, weekly_credits),
    PLAN(INT, free_uses),
    PLAN(INT, topup_discount_pct),
    PLAN(INT, max_resolution),
    PLAN(INT, max_fps),
    PLAN(INT, watermark),
    PLAN(INT, priority_queue),
    PLAN(INT, effects),
    PLAN(INT, paid),
    PLAN(INT, active),
    FIELD(vg_plan, NAMES, display_name, "display_names"),
};
const vg__record vg__plan_record = RECORD("plan", vg_plan, VG_PLAN_VERSION, plan_fields);

#define SERVICE(kind, member) FIELD(vg_service, kind, member, #member)
static const vg__field service_fields[] = {
    SERVICE(TEXT, name),
    SERVICE(INT, kind),
    SERVICE(INT, credits),
    SERVICE(INT64, api_cost_micro_usd),
    SERVICE(TEXT, min_plan),
    SERVICE(INT, subscribers_only),
    SERVICE(INT, resolution),
    SERVICE(INT, max_duration_s),
    SERVICE(TEXT, provider),
    SERVICE(INT, internal),
    SERVICE(INT, active),
    FIELD(vg_service, NAMES, display_name, "display_names"),
};
const vg__record vg__service_record =
    RECORD("service", vg_service, VG_SERVICE_VERSION, service_fields);

#define PACKAGE(kind, member) FIELD(vg_package, kind, member, #member)
static const vg__field package_fields[] = {
    PACKAGE(TEXT, name),
    PACKAGE(INT64, credits),
    PACKAGE(INT64, price_twd),
    PACKAGE(INT, active),
    FIELD(vg_package, NAMES, display_name, "display_names"),
};
const vg__record vg__package_record =
    RECORD("package", vg_package, VG_PACKAGE_VERSION, package_fields);

/* --- users and wallets ----------------------------------------------------------------- */

#define USER(kind, member) FIELD(vg_user, kind, member, #member)
static const vg__field user_fields[] = {
    USER(ID, id),
    USER(TEXT, email),
    USER(TEXT, plan),
    USER(INT, verified),
    USER(INT, active),
    USER(INT64, created_at),
};
const vg__record vg__user_record = RECORD("user", vg_user, VG_USER_VERSION, user_fields);

#define WALLET(kind, member) FIELD(vg_store_wallet, kind, member, #member)
static const vg__field wallet_fields[] = {
    WALLET(INT64, user_id),
    WALLET(INT64, subscription),
    WALLET(INT64, purchased),
    WALLET(INT64, bonus),
    WALLET(INT64, held),
    WALLET(INT, free_uses),
    WALLET(INT, free_uses_held),
    WALLET(INT64, week_start),
    WALLET(INT64, last_seq),
    WALLET(HASH, last_hash),
};
const vg__record vg__wallet_record = RECORD("wallet", vg_store_wallet, 0, wallet_fields);

#define LOT(kind, member) FIELD(vg_store_lot, kind, member, #member)
static const vg__field lot_fields[] = {
    LOT(ID, id),
    LOT(INT64, user_id),
    LOT(INT64, amount),
    LOT(INT64, remaining),
    LOT(INT64, granted_at),
    LOT(INT64, expires_at),
};
const vg__record vg__lot_record = RECORD("bonus lot", vg_store_lot, 0, lot_fields);

#define HOLD(kind, member) FIELD(vg_store_hold, kind, member, #member)
static const vg__field hold_fields[] = {
    HOLD(ID, id),
    HOLD(INT64, user_id),
    HOLD(TEXT, service),
    HOLD(TEXT, reference),
    HOLD(INT64, price),
    HOLD(INT64, from_bonus),
    HOLD(INT64, from_subscription),
    HOLD(INT64, from_purchased),
    HOLD(INT, free_use),
    HOLD(INT, state),
    HOLD(INT64, forfeited),
    HOLD(INT64, created_at),
    HOLD(INT64, expires_at),
    HOLD(INT64, settled_at),
    HOLD(INT64, week_start),
};
const vg__record vg__hold_record = RECORD("hold", vg_store_hold, 0, hold_fields);

#define PART(kind, member) FIELD(vg_store_hold_part, kind, member, #member)
static const vg__field hold_part_fields[] = {
    PART(INT64, hold_id),
    PART(INT64, lot_id),
    PART(INT64, amount),
};
const vg__record vg__hold_part_record =
    RECORD("hold part", vg_store_hold_part, 0, hold_part_fields);

#define LEDGER(kind, member) FIELD(vg_store_ledger_row, kind, member, #member)
static const vg__field ledger_fields[] = {
    LEDGER(INT64, user_id),
    LEDGER(INT64, seq),
    LEDGER(INT64, at),
    LEDGER(INT64, effective_at),
    LEDGER(INT, type),
    LEDGER(INT64, amount),
    LEDGER(INT64, bonus),
    LEDGER(INT64, subscription),
    LEDGER(INT64, purchased),
    LEDGER(INT, free_uses),
    LEDGER(INT64, bonus_after),
    LEDGER(INT64, subscription_after),
    LEDGER(INT64, purchased_after),
    LEDGER(INT64, total_after),
    LEDGER(INT, free_uses_after),
    LEDGER(TEXT, service),
    LEDGER(TEXT, reference),
    LEDGER(TEXT, idempotency_key),
    LEDGER(INT64, hold_id),
    LEDGER(HASH, prev_hash),
    LEDGER(HASH, hash),
};
const vg__record vg__ledger_record = RECORD("ledger row", vg_store_ledger_row, 0, ledger_fields);

#define IDEMPOTENCY(kind, member) FIELD(vg_store_idempotency, kind, member, #member)
static const vg__field idempotency_fields[] = {
    IDEMPOTENCY(INT64, user_id),
    IDEMPOTENCY(TEXT, key),
    IDEMPOTENCY(HASH, fingerprint),
    IDEMPOTENCY(INT, status),
    IDEMPOTENCY(TEXT, result),
    IDEMPOTENCY(INT64, created_at),
};
const vg__record vg__idempotency_record =
    RECORD("idempotency record", vg_store_idempotency, 0, idempotency_fields);

/* --- accounts -------------------------------------------------------------------------- */

#define CREDENTIAL(kind, member) FIELD(vg_store_credential, kind, member, #member)
static const vg__field credential_fields[] = {
    CREDENTIAL(INT64, user_id),
    CREDENTIAL(TEXT, password_hash),
    CREDENTIAL(TEXT, lang),
    CREDENTIAL(INT64, password_changed_at),
};
const vg__record vg__credential_record =
    RECORD("credential", vg_store_credential, 0, credential_fields);

#define CODE(kind, member) FIELD(vg_store_code, kind, member, #member)
static const vg__field code_fields[] = {
    CODE(ID, id),
    CODE(INT64, user_id),
    CODE(TEXT, email),
    CODE(HASH, code_hash),
    CODE(INT, attempts),
    CODE(INT, state),
    CODE(INT64, created_at),
    CODE(INT64, expires_at),
    CODE(INT64, last_attempt_at),
    CODE(INT64, closed_at),
};
const vg__record vg__code_record = RECORD("verification code", vg_store_code, 0, code_fields);

#define LIMIT(kind, member) FIELD(vg_store_limit, kind, member, #member)
static const vg__field limit_fields[] = {
    LIMIT(TEXT, key),
    LIMIT(INT, count),
    LIMIT(INT64, window_start),
    LIMIT(INT64, blocked_until),
};
const vg__record vg__limit_record = RECORD("rate limit", vg_store_limit, 0, limit_fields);

#define SESSION(kind, member) FIELD(vg_store_session, kind, member, #member)
static const vg__field session_fields[] = {
    SESSION(ID, id),
    SESSION(INT64, user_id),
    SESSION(INT64, created_at),
    SESSION(INT64, revoked_at),
    SESSION(INT, revoked_reason),
};
const vg__record vg__session_record = RECORD("session", vg_store_session, 0, session_fields);

#define TOKEN(kind, member) FIELD(vg_store_token, kind, member, #member)
static const vg__field token_fields[] = {
    TOKEN(HASH, hash),
    TOKEN(INT, kind),
    TOKEN(INT64, user_id),
    TOKEN(INT64, session_id),
    TOKEN(INT, state),
    TOKEN(INT64, issued_at),
    TOKEN(INT64, expires_at),
    TOKEN(INT64, used_at),
};
const vg__record vg__token_record = RECORD("token", vg_store_token, 0, token_fields);

/* --- the similarity cache (the vectors are bound and read by each backend) --------------- */

#define CACHE_ENTRY(kind, member) FIELD(vg_store_cache_entry, kind, member, #member)
static const vg__field cache_entry_fields[] = {
    CACHE_ENTRY(ID, id),
    CACHE_ENTRY(INT64, seq),
    CACHE_ENTRY(INT, deleted),
    CACHE_ENTRY(TEXT, scope),
    CACHE_ENTRY(TEXT, prompt),
    CACHE_ENTRY(HASH, prompt_hash),
    CACHE_ENTRY(TEXT, fingerprint),
    CACHE_ENTRY(TEXT, result),
    CACHE_ENTRY(INT64, owner_id),
    CACHE_ENTRY(INT, owner_only),
    CACHE_ENTRY(INT64, cost_micro_usd),
    CACHE_ENTRY(INT64, hits),
    CACHE_ENTRY(INT64, created_at),
    CACHE_ENTRY(INT64, expires_at),
    CACHE_ENTRY(INT64, last_hit_at),
    CACHE_ENTRY(INT, dimension),
};
const vg__record vg__cache_entry_record =
    RECORD("cache entry", vg_store_cache_entry, 0, cache_entry_fields);

#define EMBEDDING(kind, member) FIELD(vg_store_embedding, kind, member, #member)
static const vg__field embedding_fields[] = {
    EMBEDDING(HASH, prompt_hash),
    EMBEDDING(TEXT, fingerprint),
    EMBEDDING(INT64, created_at),
    EMBEDDING(INT, dimension),
};
const vg__record vg__embedding_record =
    RECORD("embedding", vg_store_embedding, 0, embedding_fields);

#define BLOCK(kind, member) FIELD(vg_store_block, kind, member, #member)
static const vg__field block_fields[] = {
    BLOCK(HASH, prompt_hash),
    BLOCK(TEXT, reason),
    BLOCK(INT64, created_at),
    BLOCK(INT64, expires_at),
};
const vg__record vg__block_record = RECORD("block verdict", vg_store_block, 0, block_fields);

/* --- generation jobs, their inputs, the gallery (an input's data is bound by each backend) - */

#define JOB(kind, member) FIELD(vg_store_job, kind, member, #member)
static const vg__field job_fields[] = {
    JOB(ID, id),
    JOB(INT64, version),
    JOB(INT64, user_id),
    JOB(TEXT, idempotency_key),
    JOB(HASH, request_hash),
    JOB(TEXT, service),
    JOB(INT, kind),
    JOB(INT, state),
    JOB(INT, stage),
    JOB(INT, priority),
    JOB(TEXT, scope),
    JOB(TEXT, prompt),
    JOB(TEXT, enhanced_prompt),
    JOB(TEXT, lang),
    JOB(INT, resolution),
    JOB(INT, duration_s),
    JOB(INT, fps),
    JOB(TEXT, style),
    JOB(HASH, input_hash),
    JOB(INT, has_input),
    JOB(INT64, input_job_id),
    JOB(INT, is_public),
    JOB(INT64, hold_id),
    JOB(INT, price),
    JOB(INT, free_use),
    JOB(INT, watermark),
    JOB(INT, settled),
    JOB(INT, charged),
    JOB(INT64, leader_id),
    JOB(INT, cache_hit),
    JOB(DOUBLE, similarity),
    JOB(TEXT, provider),
    JOB(TEXT, provider_job_id),
    JOB(INT, fallback),
    JOB(INT, attempts),
    JOB(INT, poll_errors),
    JOB(INT, percent),
    JOB(TEXT, media_type),
    JOB(TEXT, result_url),
    JOB(TEXT, thumbnail_url),
    JOB(INT, width),
    JOB(INT, height),
    JOB(INT, result_duration_s),
    JOB(INT, placeholder),
    JOB(INT64, api_cost_micro_usd),
    JOB(INT, error),
    JOB(TEXT, error_detail),
    JOB(TEXT, lease_owner),
    JOB(INT64, lease_until),
    JOB(INT64, next_run_at),
    JOB(INT64, created_at),
    JOB(INT64, updated_at),
    JOB(INT64, submitted_at),
    JOB(INT64, finished_at),
};
const vg__record vg__job_record = RECORD("job", vg_store_job, 0, job_fields);

#define INPUT(kind, member) FIELD(vg_store_input, kind, member, #member)
static const vg__field input_fields[] = {
    INPUT(HASH, hash),
    INPUT(TEXT, mime),
    INPUT(INT64, created_at),
};
const vg__record vg__input_record = RECORD("job input", vg_store_input, 0, input_fields);

#define EXAMPLE(kind, member) FIELD(vg_store_example, kind, member, #member)
static const vg__field example_fields[] = {
    EXAMPLE(ID, id),
    EXAMPLE(TEXT, topic),
    EXAMPLE(TEXT, lang),
    EXAMPLE(TEXT, title),
    EXAMPLE(TEXT, prompt),
    EXAMPLE(TEXT, service),
    EXAMPLE(TEXT, media_type),
    EXAMPLE(TEXT, result_url),
    EXAMPLE(TEXT, thumbnail_url),
    EXAMPLE(INT64, job_id),
    EXAMPLE(INT64, created_at),
};
const vg__record vg__example_record =
    RECORD("gallery example", vg_store_example, 0, example_fields);

/* --- payments: orders, subscriptions, promotions, redemptions, webhook events ------------- */

#define ORDER(kind, member) FIELD(vg_store_order, kind, member, #member)
static const vg__field order_fields[] = {
    ORDER(ID, id),
    ORDER(INT64, version),
    ORDER(TEXT, number),
    ORDER(INT64, user_id),
    ORDER(TEXT, idempotency_key),
    ORDER(HASH, request_hash),
    ORDER(INT, kind),
    ORDER(TEXT, item),
    ORDER(INT, state),
    ORDER(TEXT, provider),
    ORDER(TEXT, currency),
    ORDER(INT64, amount_minor),
    ORDER(INT, discount_pct),
    ORDER(INT64, credits),
    ORDER(TEXT, provider_ref),
    ORDER(TEXT, failure),
    ORDER(INT64, created_at),
    ORDER(INT64, updated_at),
    ORDER(INT64, paid_at),
    ORDER(INT64, fulfilled_at),
    ORDER(INT64, expires_at),
};
const vg__record vg__order_record = RECORD("order", vg_store_order, 0, order_fields);

#define SUBSCRIPTION(kind, member) FIELD(vg_store_subscription, kind, member, #member)
static const vg__field subscription_fields[] = {
    SUBSCRIPTION(INT64, user_id),
    SUBSCRIPTION(TEXT, plan),
    SUBSCRIPTION(INT, state),
    SUBSCRIPTION(TEXT, provider),
    SUBSCRIPTION(TEXT, provider_ref),
    SUBSCRIPTION(TEXT, next_plan),
    SUBSCRIPTION(INT64, started_at),
    SUBSCRIPTION(INT64, period_start),
    SUBSCRIPTION(INT64, period_end),
    SUBSCRIPTION(INT64, updated_at),
};
const vg__record vg__subscription_record =
    RECORD("subscription", vg_store_subscription, 0, subscription_fields);

#define PROMO(kind, member) FIELD(vg_store_promo, kind, member, #member)
static const vg__field promo_fields[] = {
    PROMO(TEXT, code),
    PROMO(INT64, bonus_credits),
    PROMO(INT, bonus_ttl_days),
    PROMO(INT64, valid_from),
    PROMO(INT64, valid_until),
    PROMO(INT, max_redemptions),
    PROMO(INT, per_user),
    PROMO(TEXT, plans),
    PROMO(INT, active),
    PROMO(INT64, redeemed),
    PROMO(INT64, created_at),
};
const vg__record vg__promo_record = RECORD("promotion", vg_store_promo, 0, promo_fields);

#define REDEMPTION(kind, member) FIELD(vg_store_redemption, kind, member, #member)
static const vg__field redemption_fields[] = {
    REDEMPTION(TEXT, code),
    REDEMPTION(INT64, user_id),
    REDEMPTION(TEXT, idempotency_key),
    REDEMPTION(INT64, credits),
    REDEMPTION(INT64, at),
};
const vg__record vg__redemption_record =
    RECORD("redemption", vg_store_redemption, 0, redemption_fields);

#define WEBHOOK_EVENT(kind, member) FIELD(vg_store_webhook_event, kind, member, #member)
static const vg__field webhook_event_fields[] = {
    WEBHOOK_EVENT(TEXT, provider),
    WEBHOOK_EVENT(TEXT, event_id),
    WEBHOOK_EVENT(TEXT, event_type),
    WEBHOOK_EVENT(INT64, received_at),
};
const vg__record vg__webhook_event_record =
    RECORD("webhook event", vg_store_webhook_event, 0, webhook_event_fields);

/* --- what a backend can store -------------------------------------------------------------- */

/* Writes "<what>: <detail...>" into msg and returns VG_EINVAL. */
static int refuse(char *msg, size_t msg_size, const char *what, const char *format, ...)
    VG__PRINTF(4, 5);

static int refuse(char *msg, size_t msg_size, const char *what, const char *format, ...)
{
    va_list args;
    int n = snprintf(msg, msg_size, "%s: ", what);

    if (n >= 0 && (size_t)n < msg_size) {
        va_start(args, format);
        vsnprintf(msg + n, msg_size - (size_t)n, format, args);
        va_end(args);
    }
    return VG_EINVAL;
}

int vg__record_check(char *msg, size_t msg_size, const char *what, const vg__record *rec,
                     const void *record)
{
    const unsigned char *base = record;
    const vg__field *f;
    double d;
    size_t i;

    if (!record)
        return refuse(msg, msg_size, what, "the %s is NULL", rec->what);
    for (i = 0; i < rec->count; i++) {
        f = &rec->fields[i];
        if (f->kind == VG__FIELD_TEXT && !memchr(base + f->offset, '\0', f->size))
            return refuse(msg, msg_size, what, "its %s is longer than %zu bytes", f->column,
                          f->size - 1);
        if (f->kind == VG__FIELD_DOUBLE) {
            memcpy(&d, base + f->offset, sizeof d);
            if (isnan(d))
                return refuse(msg, msg_size, what, "its %s is not a number", f->column);
        }
    }
    return VG_OK;
}

int vg__text_check(char *msg, size_t msg_size, const char *what, const char *text, size_t size,
                   const char *name)
{
    if (!text)
        return refuse(msg, msg_size, what, "the %s is NULL", name);
    if (strnlen(text, size) == size)
        return refuse(msg, msg_size, what, "the %s is longer than %zu bytes", name, size - 1);
    return VG_OK;
}

int vg__job_filter_check(char *msg, size_t msg_size, const char *what,
                         const vg_store_job_filter *filter, int has_callback)
{
    int rc;

    if (!filter || !has_callback)
        return refuse(msg, msg_size, what, "the %s is NULL", filter ? "callback" : "filter");
    if ((rc = vg__limit_check(msg, msg_size, what, filter->limit, VG__JOBS_LIST_MAX)) != VG_OK ||
        !filter->scope)
        return rc;
    return vg__text_check(msg, msg_size, what, filter->scope, VG_STORE_SCOPE_SIZE, "scope");
}

int vg__limit_check(char *msg, size_t msg_size, const char *what, int limit, int max)
{
    if (limit < 1 || limit > max)
        return refuse(msg, msg_size, what, "the limit must be 1..%d, not %d", max, limit);
    return VG_OK;
}

int vg__order_filter_check(char *msg, size_t msg_size, const char *what,
                           const vg_store_order_filter *filter, int has_callback)
{
    if (!filter || !has_callback)
        return refuse(msg, msg_size, what, "the %s is NULL", filter ? "callback" : "filter");
    return vg__limit_check(msg, msg_size, what, filter->limit, VG__ORDERS_LIST_MAX);
}
