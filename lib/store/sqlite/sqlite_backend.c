/* SPDX-License-Identifier: MIT */
/* The SQLite backend: connections, pragmas, a fair busy handler, transactions, statements. */
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_internal.h"

/* The columns of each record (record_fields.h), in the order of its field table
 * (record_fields.c): statements select them in this order and bind them as ?1, ?2, ... */

/* Placeholders ?1 .. ?n for an INSERT of n columns. */
#define P3 "?1, ?2, ?3"
#define P4 P3 ", ?4"
#define P5 P4 ", ?5"
#define P6 P5 ", ?6"
#define P8 P6 ", ?7, ?8"
#define P10 P8 ", ?9, ?10"
#define P11 P10 ", ?11"
#define P12 P10 ", ?11, ?12"
#define P14 P12 ", ?13, ?14"
#define P15 P14 ", ?15"
#define P21 P15 ", ?16, ?17, ?18, ?19, ?20, ?21"
#define P22_54                                                                                     \
    "?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, "   \
    "?40, ?41, ?42, ?43, ?44, ?45, ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, ?54"
#define P54 P21 ", " P22_54

/* The jobs that job_claim looks at: unfinished or not settled. Its WHERE repeats the
 * predicate of the partial index vg_jobs_open word for word, which is how SQLite knows it
 * may use that index (sqlite_schema.c). 3 is VG_STORE_JOB_FINAL (checked in sqlite_jobs.c). */
#define JOB_OPEN "(state < 3 OR settled = 0)"
/* The filters of a job list: ?1 user_id (0: any), ?2 scope (NULL: any), ?3 active_only,
 * ?4 the id bound (id < ?4), ?5 the limit. Each statement states them all, leading with the
 * one its index serves (sqlite_jobs.c chooses). */
#define JOBS_LIST "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE "
#define JOBS_LIST_END " ORDER BY id DESC LIMIT ?5"

/* The orders not yet paid: the predicate of the partial index vg_orders_unpaid_by_expiry,
 * word for word (2 is VG_ORDER_PAID, checked in sqlite_payments.c). */
#define ORDER_UNPAID "state < 2"
/* The filters of an order list: ?1 user_id (0: any), ?2 the id bound (id < ?2), ?3
 * max_state (-1: any), ?4 expires_before (0: any), ?5 the limit. Each statement states them
 * all, leading with the one its index serves (sqlite_payments.c chooses). */
#define ORDERS_LIST "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE "
#define ORDERS_LIST_END                                                                            \
    "AND (?3 = -1 OR state <= ?3) AND (?4 = 0 OR (expires_at > 0 AND expires_at < ?4)) "           \
    "ORDER BY id DESC LIMIT ?5"

static const char *const stmt_sql[SQ_STMT_COUNT] = {
    [SQ_BEGIN_READ] = "BEGIN DEFERRED",
    [SQ_BEGIN_WRITE] = "BEGIN IMMEDIATE",
    [SQ_COMMIT] = "COMMIT",
    [SQ_ROLLBACK] = "ROLLBACK",
    [SQ_SCHEMA_HAS_TABLE] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'vg_schema_migrations'",
    [SQ_SCHEMA_FOREIGN_TABLES] =
        "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' "
        "ESCAPE '\\'",
    [SQ_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM vg_schema_migrations",
    [SQ_SCHEMA_RECORD] =
        "INSERT INTO vg_schema_migrations (version, applied_at) VALUES (?1, ?2)",
    [SQ_META_GET] = "SELECT value FROM vg_meta WHERE key = ?1",
    [SQ_META_PUT] = "INSERT INTO vg_meta (key, value) VALUES (?1, ?2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [SQ_META_DELETE] = "DELETE FROM vg_meta WHERE key = ?1",
    [SQ_EVENT_APPEND] = "INSERT INTO vg_events (at, kind, detail) VALUES (?1, ?2, ?3)",
    [SQ_EVENT_LIST] =
        "SELECT id, at, kind, detail FROM vg_events WHERE id > ?1 ORDER BY id LIMIT ?2",
    [SQ_INTEGRITY_CHECK] = "PRAGMA integrity_check",
    [SQ_FOREIGN_KEY_CHECK] = "PRAGMA foreign_key_check",
    /* version 2: the catalog, upserted by name */
    [SQ_PLAN_PUT] = "INSERT INTO vg_plans (" VG__PLAN_COLUMNS ") VALUES (" P14 ") "
                    "ON CONFLICT (name) DO UPDATE SET rank = excluded.rank, "
                    "price_twd = excluded.price_twd, weekly_credits = excluded.weekly_credits, "
                    "free_uses = excluded.free_uses, "
                    "topup_discount_pct = excluded.topup_discount_pct, "
                    "max_resolution = excluded.max_resolution, max_fps = excluded.max_fps, "
                    "watermark = excluded.watermark, priority_queue = excluded.priority_queue, "
                    "effects = excluded.effects, paid = excluded.paid, active = excluded.active, "
                    "display_names = excluded.display_names",
    [SQ_PLAN_GET] = "SELECT " VG__PLAN_COLUMNS " FROM vg_plans WHERE name = ?1",
    [SQ_PLANS_LIST] = "SELECT " VG__PLAN_COLUMNS " FROM vg_plans ORDER BY rank, name",
    [SQ_SERVICE_PUT] =
        "INSERT INTO vg_services (" VG__SERVICE_COLUMNS ") VALUES (" P12 ") "
        "ON CONFLICT (name) DO UPDATE SET kind = excluded.kind, credits = excluded.credits, "
        "api_cost_micro_usd = excluded.api_cost_micro_usd, min_plan = excluded.min_plan, "
        "subscribers_only = excluded.subscribers_only, resolution = excluded.resolution, "
        "max_duration_s = excluded.max_duration_s, provider = excluded.provider, "
        "internal = excluded.internal, active = excluded.active, "
        "display_names = excluded.display_names",
    [SQ_SERVICE_GET] = "SELECT " VG__SERVICE_COLUMNS " FROM vg_services WHERE name = ?1",
    [SQ_SERVICES_LIST] = "SELECT " VG__SERVICE_COLUMNS " FROM vg_services ORDER BY name",
    [SQ_PACKAGE_PUT] = "INSERT INTO vg_packages (" VG__PACKAGE_COLUMNS ") VALUES (" P5 ") "
                       "ON CONFLICT (name) DO UPDATE SET credits = excluded.credits, "
                       "price_twd = excluded.price_twd, active = excluded.active, "
                       "display_names = excluded.display_names",
    [SQ_PACKAGE_GET] = "SELECT " VG__PACKAGE_COLUMNS " FROM vg_packages WHERE name = ?1",
    [SQ_PACKAGES_LIST] = "SELECT " VG__PACKAGE_COLUMNS " FROM vg_packages ORDER BY credits, name",
    /* version 2: users and wallets */
    [SQ_USER_INSERT] = "INSERT INTO vg_users (" VG__USER_COLUMNS ") VALUES (" P6 ")",
    [SQ_USER_GET] = "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE id = ?1",
    [SQ_USER_FIND] = "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE email = ?1",
    [SQ_USER_SET_PLAN] = "UPDATE vg_users SET plan = ?2 WHERE id = ?1",
    [SQ_USERS_LIST] =
        "SELECT " VG__USER_COLUMNS " FROM vg_users WHERE id > ?1 ORDER BY id LIMIT ?2",
    [SQ_WALLET_GET] = "SELECT " VG__WALLET_COLUMNS " FROM vg_wallets WHERE user_id = ?1",
    [SQ_WALLET_PUT] =
        "INSERT INTO vg_wallets (" VG__WALLET_COLUMNS ") VALUES (" P10 ") "
        "ON CONFLICT (user_id) DO UPDATE SET subscription = excluded.subscription, "
        "purchased = excluded.purchased, bonus = excluded.bonus, held = excluded.held, "
        "free_uses = excluded.free_uses, free_uses_held = excluded.free_uses_held, "
        "week_start = excluded.week_start, last_seq = excluded.last_seq, "
        "last_hash = excluded.last_hash",
    [SQ_LOT_INSERT] = "INSERT INTO vg_bonus_lots (" VG__LOT_COLUMNS ") VALUES (" P6 ")",
    [SQ_LOT_UPDATE] = "UPDATE vg_bonus_lots SET remaining = ?2 WHERE id = ?1",
    [SQ_LOT_GET] = "SELECT " VG__LOT_COLUMNS " FROM vg_bonus_lots WHERE id = ?1",
    [SQ_LOTS_LIST] = "SELECT " VG__LOT_COLUMNS " FROM vg_bonus_lots "
                     "WHERE user_id = ?1 AND remaining > 0 ORDER BY expires_at, id",
    [SQ_HOLD_INSERT] = "INSERT INTO vg_holds (" VG__HOLD_COLUMNS ") VALUES (" P15 ")",
    [SQ_HOLD_UPDATE] =
        "UPDATE vg_holds SET state = ?2, forfeited = ?3, settled_at = ?4 WHERE id = ?1",
    [SQ_HOLD_GET] = "SELECT " VG__HOLD_COLUMNS " FROM vg_holds WHERE id = ?1",
    [SQ_HOLDS_LIST_OPEN] = "SELECT " VG__HOLD_COLUMNS " FROM vg_holds " /* 0: VG_HOLD_OPEN */
                           "WHERE user_id = ?1 AND state = 0 ORDER BY expires_at, id",
    [SQ_HOLD_PART_INSERT] = "INSERT INTO vg_hold_parts (" VG__HOLD_PART_COLUMNS ") VALUES (" P3 ")",
    [SQ_HOLD_PARTS_LIST] =
        "SELECT " VG__HOLD_PART_COLUMNS " FROM vg_hold_parts WHERE hold_id = ?1 ORDER BY lot_id",
    [SQ_LEDGER_APPEND] = "INSERT INTO vg_ledger (" VG__LEDGER_COLUMNS ") VALUES (" P21 ")",
    [SQ_LEDGER_LIST_ASC] = "SELECT " VG__LEDGER_COLUMNS " FROM vg_ledger "
                           "WHERE user_id = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3",
    [SQ_LEDGER_LIST_DESC] = "SELECT " VG__LEDGER_COLUMNS " FROM vg_ledger "
                            "WHERE user_id = ?1 AND (?2 = 0 OR seq < ?2) "
                            "ORDER BY seq DESC LIMIT ?3",
    [SQ_IDEMPOTENCY_GET] =
        "SELECT " VG__IDEMPOTENCY_COLUMNS " FROM vg_idempotency WHERE user_id = ?1 AND key = ?2",
    [SQ_IDEMPOTENCY_PUT] =
        "INSERT INTO vg_idempotency (" VG__IDEMPOTENCY_COLUMNS ") VALUES (" P6 ")",
    /* version 3: accounts */
    [SQ_USER_SET_STATUS] = "UPDATE vg_users SET verified = ?2, active = ?3 WHERE id = ?1",
    [SQ_CREDENTIAL_PUT] =
        "INSERT INTO vg_credentials (" VG__CREDENTIAL_COLUMNS ") VALUES (" P4 ") "
        "ON CONFLICT (user_id) DO UPDATE SET password_hash = excluded.password_hash, "
        "lang = excluded.lang, password_changed_at = excluded.password_changed_at",
    [SQ_CREDENTIAL_GET] =
        "SELECT " VG__CREDENTIAL_COLUMNS " FROM vg_credentials WHERE user_id = ?1",
    [SQ_CODE_INSERT] =
        "INSERT INTO vg_email_verifications (" VG__CODE_COLUMNS ") VALUES (" P10 ")",
    [SQ_CODE_UPDATE] = "UPDATE vg_email_verifications SET user_id = ?2, attempts = ?3, "
                       "state = ?4, last_attempt_at = ?5, closed_at = ?6 WHERE id = ?1",
    [SQ_CODES_LIST] = "SELECT " VG__CODE_COLUMNS " FROM vg_email_verifications "
                      "WHERE email = ?1 AND created_at >= ?2 ORDER BY id DESC",
    [SQ_LIMIT_GET] = "SELECT " VG__LIMIT_COLUMNS " FROM vg_rate_limits WHERE key = ?1",
    [SQ_LIMIT_PUT] = "INSERT INTO vg_rate_limits (" VG__LIMIT_COLUMNS ") VALUES (" P4 ") "
                     "ON CONFLICT (key) DO UPDATE SET count = excluded.count, "
                     "window_start = excluded.window_start, "
                     "blocked_until = excluded.blocked_until",
    [SQ_SESSION_INSERT] = "INSERT INTO vg_sessions (" VG__SESSION_COLUMNS ") VALUES (" P5 ")",
    [SQ_SESSION_GET] = "SELECT " VG__SESSION_COLUMNS " FROM vg_sessions WHERE id = ?1",
    [SQ_SESSIONS_REVOKE] = "UPDATE vg_sessions SET revoked_at = ?3, revoked_reason = ?4 "
                           "WHERE user_id = ?1 AND (?2 = 0 OR id = ?2) AND revoked_at = 0",
    [SQ_TOKEN_INSERT] = "INSERT INTO vg_tokens (" VG__TOKEN_COLUMNS ") VALUES (" P8 ")",
    [SQ_TOKEN_GET] = "SELECT " VG__TOKEN_COLUMNS " FROM vg_tokens WHERE hash = ?1",
    [SQ_TOKENS_CLOSE] = "UPDATE vg_tokens SET state = ?4, used_at = ?5 " /* 0: VG_TOKEN_LIVE */
                        "WHERE user_id = ?1 AND kind = ?2 AND state = 0 "
                        "AND (?3 IS NULL OR hash = ?3)",
    /* version 4: the similarity cache. A cache entry binds its fields as ?1 .. ?16 and its
     * vector as ?17; an embedding its fields as ?1 .. ?4 and its vector as ?5.
     *
     * seq: SQLite has one writer at a time and these run in a VG_TXN_WRITE transaction
     * (BEGIN IMMEDIATE), so 1 + max(seq), read and written in one statement, is strictly
     * greater than every seq ever given (the UNIQUE index on seq makes max() one lookup).
     * That holds because tombstones are never deleted: whatever purges them one day must
     * keep the row of the highest seq, or move the count to a row of its own.
     *
     * Insert ignores the entry's id (?1 is NULL), seq (?2), deleted (?3) and hits (?12). */
    [SQ_CACHE_ENTRY_INSERT] =
        "INSERT INTO vg_cache_entries (" VG__CACHE_ENTRY_COLUMNS ", vector) VALUES (?1, "
        "(SELECT coalesce(max(seq), 0) + 1 FROM vg_cache_entries), 0, ?4, ?5, ?6, ?7, ?8, ?9, "
        "?10, ?11, 0, ?13, ?14, ?15, ?16, ?17)",
    /* A tombstone keeps everything but its vector (dimension 0, vector NULL). */
    [SQ_CACHE_ENTRY_DELETE] =
        "UPDATE vg_cache_entries SET deleted = 1, dimension = 0, vector = NULL, "
        "seq = (SELECT max(seq) + 1 FROM vg_cache_entries) WHERE id = ?1 AND deleted = 0",
    [SQ_CACHE_ENTRY_TOUCH] = "UPDATE vg_cache_entries SET hits = hits + ?2, last_hit_at = ?3 "
                             "WHERE id = ?1 AND deleted = 0",
    [SQ_CACHE_ENTRIES_CHANGED] = "SELECT " VG__CACHE_ENTRY_COLUMNS ", vector FROM vg_cache_entries "
                                 "WHERE seq > ?1 ORDER BY seq LIMIT ?2",
    [SQ_CACHE_ENTRY_GET] = "SELECT " VG__CACHE_ENTRY_COLUMNS ", vector FROM vg_cache_entries "
                           "WHERE id = ?1 AND deleted = 0",
    [SQ_EMBEDDING_PUT] =
        "INSERT INTO vg_embeddings (" VG__EMBEDDING_COLUMNS ", vector) VALUES (" P5 ") "
        "ON CONFLICT (prompt_hash, fingerprint) DO UPDATE SET created_at = excluded.created_at, "
        "dimension = excluded.dimension, vector = excluded.vector",
    [SQ_EMBEDDING_GET] = "SELECT " VG__EMBEDDING_COLUMNS ", vector FROM vg_embeddings "
                         "WHERE prompt_hash = ?1 AND fingerprint = ?2",
    [SQ_BLOCK_PUT] = "INSERT INTO vg_block_cache (" VG__BLOCK_COLUMNS ") VALUES (" P4 ") "
                     "ON CONFLICT (prompt_hash) DO UPDATE SET reason = excluded.reason, "
                     "created_at = excluded.created_at, expires_at = excluded.expires_at",
    [SQ_BLOCK_GET] = "SELECT " VG__BLOCK_COLUMNS " FROM vg_block_cache WHERE prompt_hash = ?1",
    [SQ_COUNTER_GET] = "SELECT value FROM vg_counters WHERE name = ?1",
    [SQ_COUNTER_PUT] = "INSERT INTO vg_counters (name, value) VALUES (?1, ?2) "
                       "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    /* version 5: jobs. A job binds its fields as ?1 .. ?54 (?1, its id, as NULL); a taken
     * (user_id, idempotency_key) inserts nothing, which job_insert reads as VG_EEXISTS. */
    [SQ_JOB_INSERT] = "INSERT INTO vg_jobs (" VG__JOB_COLUMNS ") VALUES (" P54 ") "
                      "ON CONFLICT (user_id, idempotency_key) DO NOTHING",
    [SQ_JOB_GET] = "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE id = ?1",
    [SQ_JOB_FIND] =
        "SELECT " VG__JOB_COLUMNS " FROM vg_jobs WHERE user_id = ?1 AND idempotency_key = ?2",
    /* ?1 is rebound to the job's id; ?2 is the version it was read at */
    [SQ_JOB_UPDATE] = "UPDATE vg_jobs SET (" VG__JOB_DATA ") = (?2 + 1, ?3, ?4, ?5, ?6, ?7, ?8, "
                      "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, " P22_54
                      ") WHERE id = ?1 AND version = ?2",
    [SQ_JOB_VERSION] = "SELECT version FROM vg_jobs WHERE id = ?1",
    /* ?1 now, ?2 aged_before, ?3 and ?4 the lease. The one writer's transaction (BEGIN
     * IMMEDIATE) makes the choice and the lease one step. */
    [SQ_JOB_CLAIM] =
        "UPDATE vg_jobs SET lease_owner = ?3, lease_until = ?4, version = version + 1 "
        "WHERE id = (SELECT id FROM vg_jobs WHERE " JOB_OPEN " AND lease_until <= ?1 "
        "AND ((state < 3 AND next_run_at <= ?1) OR (state >= 3 AND settled = 0)) "
        "ORDER BY (priority = 1 OR created_at < ?2) DESC, created_at, id LIMIT 1) "
        "RETURNING " VG__JOB_COLUMNS,
    [SQ_JOBS_LIST_ALL] = JOBS_LIST "id < ?4 AND (?1 = 0 OR user_id = ?1) "
                         "AND (?2 IS NULL OR scope = ?2) AND (?3 = 0 OR state < 3)" JOBS_LIST_END,
    [SQ_JOBS_LIST_USER] = JOBS_LIST "user_id = ?1 AND id < ?4 AND (?2 IS NULL OR scope = ?2) "
                          "AND (?3 = 0 OR state < 3)" JOBS_LIST_END,
    [SQ_JOBS_LIST_ACTIVE_SCOPE] = JOBS_LIST "scope = ?2 AND state < 3 AND id < ?4 "
                                  "AND (?1 = 0 OR user_id = ?1) AND (?3 = 0 OR state < 3)"
                                  JOBS_LIST_END,
    /* an input binds its fields as ?1 .. ?3, then its size and data */
    [SQ_INPUT_PUT] = "INSERT INTO vg_job_inputs (" VG__INPUT_COLUMNS ", size, data) "
                     "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (hash) DO NOTHING",
    [SQ_INPUT_GET] =
        "SELECT " VG__INPUT_COLUMNS ", size, data FROM vg_job_inputs WHERE hash = ?1",
    [SQ_GALLERY_INSERT] = "INSERT INTO vg_gallery (" VG__EXAMPLE_COLUMNS ") VALUES (" P11 ")",
    /* ?1 topic (unused by _ANY, which is for NULL: any), ?2 lang (NULL: any) */
    [SQ_GALLERY_LIST_ANY] = "SELECT " VG__EXAMPLE_COLUMNS " FROM vg_gallery "
                            "WHERE ?2 IS NULL OR lang = ?2 ORDER BY id",
    [SQ_GALLERY_LIST_TOPIC] = "SELECT " VG__EXAMPLE_COLUMNS " FROM vg_gallery "
                              "WHERE topic = ?1 AND (?2 IS NULL OR lang = ?2) ORDER BY id",
    [SQ_GALLERY_DELETE] = "DELETE FROM vg_gallery WHERE id = ?1",
    /* version 6: payments. An order binds its fields as ?1 .. ?21 (?1, its id, as NULL); a
     * taken number or (user_id, idempotency_key) inserts nothing, which order_insert reads
     * as VG_EEXISTS. */
    [SQ_ORDER_INSERT] = "INSERT INTO vg_orders (" VG__ORDER_COLUMNS ") VALUES (" P21 ") "
                        "ON CONFLICT DO NOTHING",
    [SQ_ORDER_NUMBER_TAKEN] = "SELECT count(*) FROM vg_orders WHERE number = ?1",
    [SQ_ORDER_GET] = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE id = ?1",
    [SQ_ORDER_FIND] = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders WHERE number = ?1",
    [SQ_ORDER_FIND_KEY] = "SELECT " VG__ORDER_COLUMNS " FROM vg_orders "
                          "WHERE user_id = ?1 AND idempotency_key = ?2",
    /* ?1 is rebound to the order's id; ?2 is the version it was read at */
    [SQ_ORDER_UPDATE] = "UPDATE vg_orders SET (" VG__ORDER_DATA ") = (?2 + 1, ?3, ?4, ?5, ?6, ?7, "
                        "?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21) "
                        "WHERE id = ?1 AND version = ?2",
    [SQ_ORDER_VERSION] = "SELECT version FROM vg_orders WHERE id = ?1",
    [SQ_ORDERS_LIST_ALL] = ORDERS_LIST "id < ?2 AND (?1 = 0 OR user_id = ?1) " ORDERS_LIST_END,
    [SQ_ORDERS_LIST_USER] = ORDERS_LIST "user_id = ?1 AND id < ?2 " ORDERS_LIST_END,
    [SQ_ORDERS_LIST_UNPAID_EXPIRING] = ORDERS_LIST ORDER_UNPAID " AND expires_at > 0 "
                                       "AND expires_at < ?4 AND id < ?2 "
                                       "AND (?1 = 0 OR user_id = ?1) " ORDERS_LIST_END,
    [SQ_SUBSCRIPTION_PUT] =
        "INSERT INTO vg_subscriptions (" VG__SUBSCRIPTION_COLUMNS ") VALUES (" P10 ") "
        "ON CONFLICT (user_id) DO UPDATE SET plan = excluded.plan, state = excluded.state, "
        "provider = excluded.provider, provider_ref = excluded.provider_ref, "
        "next_plan = excluded.next_plan, started_at = excluded.started_at, "
        "period_start = excluded.period_start, period_end = excluded.period_end, "
        "updated_at = excluded.updated_at",
    [SQ_SUBSCRIPTION_GET] =
        "SELECT " VG__SUBSCRIPTION_COLUMNS " FROM vg_subscriptions WHERE user_id = ?1",
    /* ?1 due_before, ?2 and ?3 the states, ?4 the limit */
    [SQ_SUBSCRIPTIONS_DUE] = "SELECT " VG__SUBSCRIPTION_COLUMNS " FROM vg_subscriptions "
                             "WHERE period_end <= ?1 AND state >= ?2 AND state <= ?3 "
                             "ORDER BY period_end, user_id LIMIT ?4",
    [SQ_PROMO_PUT] = "INSERT INTO vg_promos (" VG__PROMO_COLUMNS ") VALUES (" P11 ") "
                     "ON CONFLICT (code) DO UPDATE SET bonus_credits = excluded.bonus_credits, "
                     "bonus_ttl_days = excluded.bonus_ttl_days, "
                     "valid_from = excluded.valid_from, valid_until = excluded.valid_until, "
                     "max_redemptions = excluded.max_redemptions, "
                     "per_user = excluded.per_user, plans = excluded.plans, "
                     "active = excluded.active, redeemed = excluded.redeemed, "
                     "created_at = excluded.created_at",
    [SQ_PROMO_GET] = "SELECT " VG__PROMO_COLUMNS " FROM vg_promos WHERE code = ?1",
    [SQ_PROMOS_LIST] = "SELECT " VG__PROMO_COLUMNS " FROM vg_promos ORDER BY code",
    [SQ_REDEMPTION_INSERT] = "INSERT INTO vg_redemptions (" VG__REDEMPTION_COLUMNS ") "
                             "VALUES (" P5 ") ON CONFLICT (user_id, idempotency_key) DO NOTHING",
    [SQ_REDEMPTION_FIND] = "SELECT " VG__REDEMPTION_COLUMNS " FROM vg_redemptions "
                           "WHERE user_id = ?1 AND idempotency_key = ?2",
    [SQ_REDEMPTIONS_COUNT] =
        "SELECT count(*) FROM vg_redemptions WHERE code = ?1 AND (?2 = 0 OR user_id = ?2)",
    [SQ_WEBHOOK_EVENT_INSERT] =
        "INSERT INTO vg_webhook_events (" VG__WEBHOOK_EVENT_COLUMNS ") VALUES (" P4 ") "
        "ON CONFLICT (provider, event_id) DO NOTHING",
    /* The figures of stats_query: each row is (key, a, b), by key; ?1 is the argument
     * (unused by USERS_PER_PLAN). Totals are one row, whatever matched. */
    [SQ_STAT_USERS_PER_PLAN] =
        "SELECT plan, count(*), 0 FROM vg_users GROUP BY plan ORDER BY plan",
    [SQ_STAT_ACTIVE_SUBSCRIPTIONS] =
        "SELECT '', count(*), 0 FROM vg_subscriptions WHERE state = ?1",
    [SQ_STAT_REVENUE] = "SELECT currency, sum(amount_minor), count(*) FROM vg_orders "
                        "WHERE state = ?1 GROUP BY currency ORDER BY currency",
    [SQ_STAT_LEDGER_BY_SERVICE] = "SELECT service, -sum(amount), count(*) FROM vg_ledger "
                                  "WHERE type = ?1 AND service <> '' "
                                  "GROUP BY service ORDER BY service",
    [SQ_STAT_LEDGER_TOTAL] =
        "SELECT '', coalesce(sum(amount), 0), count(*) FROM vg_ledger WHERE type = ?1",
    [SQ_STAT_JOB_COST] = "SELECT '', coalesce(sum(api_cost_micro_usd), 0), count(*) FROM vg_jobs "
                         "WHERE state = ?1",
};

/* SQLite's primary result codes and the vg_status each one means. */
static const struct {
    int sqlite_code;
    int status;
} error_map[] = {
    {SQLITE_BUSY, VG_EBUSY},           {SQLITE_LOCKED, VG_EBUSY},
    {SQLITE_NOMEM, VG_ENOMEM},         {SQLITE_READONLY, VG_ESTORE_READONLY},
    {SQLITE_CORRUPT, VG_ESTORE_CORRUPT}, {SQLITE_NOTADB, VG_ESTORE_CORRUPT},
    {SQLITE_CANTOPEN, VG_ESTORE_OPEN}, {SQLITE_PERM, VG_ESTORE_OPEN},
    {SQLITE_AUTH, VG_ESTORE_OPEN},     {SQLITE_CONSTRAINT, VG_ECONSTRAINT},
    {SQLITE_IOERR, VG_EIO},            {SQLITE_FULL, VG_EIO},
    {SQLITE_TOOBIG, VG_ERANGE},
};

int vg__sq_error(vg_store_conn *conn, int rc, const char *what)
{
    size_t i;
    int primary = rc & 0xff;

    snprintf(conn->errmsg, sizeof conn->errmsg, "%s: %s", what,
             conn->db ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc));
    for (i = 0; i < sizeof error_map / sizeof error_map[0]; i++)
        if (error_map[i].sqlite_code == primary)
            return error_map[i].status;
    return VG_ESTORE;
}

int vg__sq_say(vg_store_conn *conn, int status, const char *what, const char *detail)
{
    snprintf(conn->errmsg, sizeof conn->errmsg, "%s: %s", what, detail);
    return status;
}

int vg__sq_stmt(sqlite3_stmt **out, vg_store_conn *conn, sq_stmt id)
{
    sqlite3_stmt **slot = &conn->stmts[id];
    int rc;

    if (!*slot) {
        rc = sqlite3_prepare_v3(conn->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT, slot, NULL);
        if (rc != SQLITE_OK) {
            *slot = NULL;
            return vg__sq_error(conn, rc, "cannot prepare a statement");
        }
    }
    sqlite3_reset(*slot);
    sqlite3_clear_bindings(*slot);
    *out = *slot;
    return VG_OK;
}

int vg__sq_run(vg_store_conn *conn, sq_stmt id, const char *what)
{
    sqlite3_stmt *stmt = NULL;
    int rc = vg__sq_stmt(&stmt, conn, id);
    return rc == VG_OK ? vg__sq_exec(conn, stmt, what) : rc;
}

int vg__sq_exec(vg_store_conn *conn, sqlite3_stmt *stmt, const char *what)
{
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW)
        ;
    if (rc != SQLITE_DONE) {
        rc = vg__sq_error(conn, rc, what);
        sqlite3_reset(stmt);
        return rc;
    }
    sqlite3_reset(stmt);
    return VG_OK;
}

int vg__sq_exec_script(vg_store_conn *conn, const char *sql, const char *what)
{
    const char *tail = sql;
    sqlite3_stmt *stmt = NULL;
    int rc;

    while (tail && *tail) {
        rc = sqlite3_prepare_v2(conn->db, tail, -1, &stmt, &tail);
        if (rc != SQLITE_OK)
            return vg__sq_error(conn, rc, what);
        if (!stmt) /* only whitespace or comments were left */
            break;
        rc = vg__sq_exec(conn, stmt, what);
        sqlite3_finalize(stmt);
        if (rc != VG_OK)
            return rc;
    }
    return VG_OK;
}

char *vg__sq_column_dup(vg_store_conn *conn, sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    size_t n = (size_t)sqlite3_column_bytes(stmt, col);
    char *copy = conn->alloc ? conn->alloc(NULL, n + 1, conn->alloc_payload) : malloc(n + 1);

    if (copy) {
        if (n)
            memcpy(copy, text, n);
        copy[n] = '\0';
    }
    return copy;
}

static int64_t monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/*
 * SQLite's own busy handler sleeps in growing steps (up to 100 ms), so a process that
 * keeps committing can starve one that waits. This one retries every 50-550 us with
 * jitter until the timeout, which gives waiting writers a fair chance at the lock.
 */
static int busy_handler(void *payload, int count)
{
    vg_store_conn *conn = payload;
    int64_t now = monotonic_ns();
    struct timespec pause;

    if (count == 0)
        conn->busy_started_ns = now;
    else if (now - conn->busy_started_ns >= (int64_t)conn->busy_timeout_ms * 1000000)
        return 0;
    pause.tv_sec = 0;
    pause.tv_nsec = 50000 + (long)randombytes_uniform(500000);
    nanosleep(&pause, NULL);
    return 1;
}

static const char *strip_scheme(const char *location)
{
    if (strncasecmp(location, "sqlite://", 9) == 0)
        return location + 9;
    if (strncasecmp(location, "sqlite:", 7) == 0)
        return location + 7;
    return location;
}

/* Explains, before SQLite tries, why a path cannot be a store. */
static int path_problem(const char *path, unsigned int flags, char *errbuf, size_t size)
{
    struct stat st;

    if (!*path) {
        snprintf(errbuf, size, "the store path is empty");
        return VG_ESTORE_OPEN;
    }
    if (strcmp(path, ":memory:") == 0) {
        snprintf(errbuf, size, "\":memory:\" is not supported: each pooled connection would "
                               "see its own empty database; use a file");
        return VG_ESTORE_OPEN;
    }
    if (stat(path, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            snprintf(errbuf, size, "cannot open store at %s: it is a directory", path);
            return VG_ESTORE_OPEN;
        }
        if (access(path, (flags & VG_OPEN_READONLY) ? R_OK : R_OK | W_OK) != 0) {
            snprintf(errbuf, size, "cannot open store at %s: %s", path, strerror(errno));
            return VG_ESTORE_OPEN;
        }
        return VG_OK;
    }
    if (errno != ENOENT) {
        snprintf(errbuf, size, "cannot open store at %s: %s", path, strerror(errno));
        return VG_ESTORE_OPEN;
    }
    if (!(flags & VG_OPEN_CREATE) || (flags & VG_OPEN_READONLY)) {
        snprintf(errbuf, size, "no store at %s (create one with `vidgo init`)", path);
        return VG_ESTORE_OPEN;
    }
    return VG_OK;
}

/* Runs a PRAGMA that answers with a row, such as journal_mode. */
static int run_pragma(vg_store_conn *conn, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(conn->db, sql, -1, &stmt, NULL);
    if (rc != SQLITE_OK)
        return vg__sq_error(conn, rc, "cannot configure the store");
    rc = vg__sq_exec(conn, stmt, "cannot configure the store");
    sqlite3_finalize(stmt);
    return rc;
}

static void sq_disconnect(vg_store_conn *conn)
{
    int i;
    if (!conn)
        return;
    for (i = 0; i < SQ_STMT_COUNT; i++)
        sqlite3_finalize(conn->stmts[i]);
    sqlite3_close_v2(conn->db); /* rolls back an open transaction */
    vg__sq_input_free(conn);
    if (conn->alloc) {
        if (conn->vector)
            conn->alloc(conn->vector, 0, conn->alloc_payload);
        conn->alloc(conn, 0, conn->alloc_payload);
    } else {
        free(conn->vector);
        free(conn);
    }
}

static int sq_connect(vg_store_conn **out, const vg_store_params *params, char *errbuf,
                      size_t errbuf_size)
{
    const char *path = strip_scheme(params->location);
    int readonly = (params->flags & VG_OPEN_READONLY) != 0;
    int open_flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                     (readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE) |
                     (params->flags & VG_OPEN_CREATE && !readonly ? SQLITE_OPEN_CREATE : 0);
    vg_store_conn *conn;
    int rc;

    *out = NULL;
    if ((rc = path_problem(path, params->flags, errbuf, errbuf_size)) != VG_OK)
        return rc;
    conn = params->alloc ? params->alloc(NULL, sizeof *conn, params->alloc_payload)
                         : malloc(sizeof *conn);
    if (!conn) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VG_ENOMEM;
    }
    memset(conn, 0, sizeof *conn);
    conn->alloc = params->alloc;
    conn->alloc_payload = params->alloc_payload;
    conn->busy_timeout_ms = params->busy_timeout_ms;

    rc = sqlite3_open_v2(path, &conn->db, open_flags, NULL);
    if (rc != SQLITE_OK) {
        rc = vg__sq_error(conn, rc, "cannot open the store");
        goto fail;
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_handler(conn->db, busy_handler, conn);
    if ((!readonly && (rc = run_pragma(conn, "PRAGMA journal_mode = WAL")) != VG_OK) ||
        (rc = run_pragma(conn, (params->flags & VG_OPEN_SYNC_NORMAL) ? "PRAGMA synchronous = NORMAL"
                                                                     : "PRAGMA synchronous = FULL")) != VG_OK ||
        (rc = run_pragma(conn, "PRAGMA foreign_keys = ON")) != VG_OK)
        goto fail;
    *out = conn;
    return VG_OK;
fail:
    if (rc == VG_ESTORE_CORRUPT)
        snprintf(errbuf, errbuf_size, "%s is not a libvidgo store (%s)", path,
                 conn->db ? sqlite3_errmsg(conn->db) : "damaged");
    else
        snprintf(errbuf, errbuf_size, "%s (%s)", conn->errmsg, path);
    sq_disconnect(conn);
    return rc;
}

static const char *sq_errmsg(vg_store_conn *conn)
{
    return conn ? conn->errmsg : "";
}

static int sq_rollback(vg_store_conn *conn);

static int sq_begin(vg_store_conn *conn, vg_txn_mode mode)
{
    conn->mode = mode;
    vg__sq_input_free(conn); /* the last input read lives until this call */
    return vg__sq_run(conn, mode == VG_TXN_WRITE ? SQ_BEGIN_WRITE : SQ_BEGIN_READ,
                      "cannot begin a transaction");
}

static int sq_commit(vg_store_conn *conn)
{
    int rc;
    if (sqlite3_get_autocommit(conn->db)) { /* SQLite ended the transaction after an error */
        if (conn->mode == VG_TXN_READ)
            return VG_OK; /* nothing was to be written */
        snprintf(conn->errmsg, sizeof conn->errmsg, "the transaction was rolled back by SQLite");
        return VG_ESTORE;
    }
    rc = vg__sq_run(conn, SQ_COMMIT, "cannot commit");
    /* Ending a read fails when damage was met inside it; what it read stands either way. */
    if (rc != VG_OK && conn->mode == VG_TXN_READ && sq_rollback(conn) == VG_OK)
        rc = VG_OK;
    return rc;
}

static int sq_rollback(vg_store_conn *conn)
{
    int i;
    if (sqlite3_get_autocommit(conn->db))
        return VG_OK; /* SQLite already rolled back (e.g. after SQLITE_FULL) */
    for (i = 0; i < SQ_STMT_COUNT; i++)
        if (conn->stmts[i])
            sqlite3_reset(conn->stmts[i]);
    return vg__sq_run(conn, SQ_ROLLBACK, "cannot roll back");
}

static const vg_store_backend sqlite_backend = {
    .version = VG_STORE_BACKEND_VERSION,
    .name = "sqlite",
    .connect = sq_connect,
    .disconnect = sq_disconnect,
    .errmsg = sq_errmsg,
    .begin = sq_begin,
    .commit = sq_commit,
    .rollback = sq_rollback,
    .schema_get = vg__sq_schema_get,
    .schema_step = vg__sq_schema_step,
    .meta_get = vg__sq_meta_get,
    .meta_put = vg__sq_meta_put,
    .meta_delete = vg__sq_meta_delete,
    .event_append = vg__sq_event_append,
    .event_list = vg__sq_event_list,
    .check = vg__sq_check,
    .plan_put = vg__sq_plan_put,
    .plan_get = vg__sq_plan_get,
    .plans_list = vg__sq_plans_list,
    .service_put = vg__sq_service_put,
    .service_get = vg__sq_service_get,
    .services_list = vg__sq_services_list,
    .package_put = vg__sq_package_put,
    .package_get = vg__sq_package_get,
    .packages_list = vg__sq_packages_list,
    .user_insert = vg__sq_user_insert,
    .user_get = vg__sq_user_get,
    .user_find = vg__sq_user_find,
    .user_set_plan = vg__sq_user_set_plan,
    .users_list = vg__sq_users_list,
    .wallet_get = vg__sq_wallet_get,
    .wallet_put = vg__sq_wallet_put,
    .lot_insert = vg__sq_lot_insert,
    .lot_update = vg__sq_lot_update,
    .lot_get = vg__sq_lot_get,
    .lots_list = vg__sq_lots_list,
    .hold_insert = vg__sq_hold_insert,
    .hold_update = vg__sq_hold_update,
    .hold_get = vg__sq_hold_get,
    .holds_list_open = vg__sq_holds_list_open,
    .hold_part_insert = vg__sq_hold_part_insert,
    .hold_parts_list = vg__sq_hold_parts_list,
    .ledger_append = vg__sq_ledger_append,
    .ledger_list = vg__sq_ledger_list,
    .idempotency_get = vg__sq_idempotency_get,
    .idempotency_put = vg__sq_idempotency_put,
    .user_set_status = vg__sq_user_set_status,
    .credential_put = vg__sq_credential_put,
    .credential_get = vg__sq_credential_get,
    .code_insert = vg__sq_code_insert,
    .code_update = vg__sq_code_update,
    .codes_list = vg__sq_codes_list,
    .limit_get = vg__sq_limit_get,
    .limit_put = vg__sq_limit_put,
    .session_insert = vg__sq_session_insert,
    .session_get = vg__sq_session_get,
    .sessions_revoke = vg__sq_sessions_revoke,
    .token_insert = vg__sq_token_insert,
    .token_get = vg__sq_token_get,
    .tokens_close = vg__sq_tokens_close,
    .cache_entry_insert = vg__sq_cache_entry_insert,
    .cache_entry_delete = vg__sq_cache_entry_delete,
    .cache_entry_touch = vg__sq_cache_entry_touch,
    .cache_entries_changed = vg__sq_cache_entries_changed,
    .cache_entry_get = vg__sq_cache_entry_get,
    .embedding_put = vg__sq_embedding_put,
    .embedding_get = vg__sq_embedding_get,
    .block_put = vg__sq_block_put,
    .block_get = vg__sq_block_get,
    .counter_add = vg__sq_counter_add,
    .counter_get = vg__sq_counter_get,
    .job_insert = vg__sq_job_insert,
    .job_get = vg__sq_job_get,
    .job_find = vg__sq_job_find,
    .job_update = vg__sq_job_update,
    .job_claim = vg__sq_job_claim,
    .jobs_list = vg__sq_jobs_list,
    .input_put = vg__sq_input_put,
    .input_get = vg__sq_input_get,
    .gallery_insert = vg__sq_gallery_insert,
    .gallery_list = vg__sq_gallery_list,
    .gallery_delete = vg__sq_gallery_delete,
    .order_insert = vg__sq_order_insert,
    .order_get = vg__sq_order_get,
    .order_find = vg__sq_order_find,
    .order_find_key = vg__sq_order_find_key,
    .order_update = vg__sq_order_update,
    .orders_list = vg__sq_orders_list,
    .subscription_put = vg__sq_subscription_put,
    .subscription_get = vg__sq_subscription_get,
    .subscriptions_due = vg__sq_subscriptions_due,
    .promo_put = vg__sq_promo_put,
    .promo_get = vg__sq_promo_get,
    .promos_list = vg__sq_promos_list,
    .redemption_insert = vg__sq_redemption_insert,
    .redemption_find = vg__sq_redemption_find,
    .redemptions_count = vg__sq_redemptions_count,
    .webhook_event_insert = vg__sq_webhook_event_insert,
    .stats_query = vg__sq_stats_query,
};

const vg_store_backend *vg_store_backend_sqlite(void)
{
    return &sqlite_backend;
}
