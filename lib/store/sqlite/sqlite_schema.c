/* SPDX-License-Identifier: MIT */
/* The SQLite schema, one migration per version, recorded in vg_schema_migrations. */
#include <stdio.h>

#include "sqlite_internal.h"

/* migrations[v] takes the schema from v - 1 to v. Never edit a released entry: add one. */
static const char *const migrations[] = {
    [1] = "CREATE TABLE vg_schema_migrations ("
          "  version    INTEGER PRIMARY KEY,"
          "  applied_at INTEGER NOT NULL"
          ");"
          "CREATE TABLE vg_meta ("
          "  key   TEXT PRIMARY KEY NOT NULL,"
          "  value TEXT NOT NULL"
          ") WITHOUT ROWID;",
    [2] = "CREATE TABLE vg_events ("
          "  id     INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  at     INTEGER NOT NULL,"
          "  kind   TEXT NOT NULL,"
          "  detail TEXT NOT NULL"
          ");",
    [3] = "CREATE TABLE vg_plans ("
          "  name               TEXT PRIMARY KEY NOT NULL,"
          "  rank               INTEGER NOT NULL,"
          "  price_twd          INTEGER NOT NULL,"
          "  weekly_credits     INTEGER NOT NULL,"
          "  free_uses          INTEGER NOT NULL,"
          "  topup_discount_pct INTEGER NOT NULL,"
          "  max_resolution     INTEGER NOT NULL,"
          "  max_fps            INTEGER NOT NULL,"
          "  watermark          INTEGER NOT NULL,"
          "  priority_queue     INTEGER NOT NULL,"
          "  effects            INTEGER NOT NULL,"
          "  paid               INTEGER NOT NULL,"
          "  active             INTEGER NOT NULL,"
          "  display_names      TEXT NOT NULL" /* the five names, joined by U+001F */
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_services ("
          "  name               TEXT PRIMARY KEY NOT NULL,"
          "  kind               INTEGER NOT NULL,"
          "  credits            INTEGER NOT NULL,"
          "  api_cost_micro_usd INTEGER NOT NULL,"
          "  min_plan           TEXT NOT NULL REFERENCES vg_plans (name),"
          "  subscribers_only   INTEGER NOT NULL,"
          "  resolution         INTEGER NOT NULL,"
          "  max_duration_s     INTEGER NOT NULL,"
          "  provider           TEXT NOT NULL,"
          "  internal           INTEGER NOT NULL,"
          "  active             INTEGER NOT NULL,"
          "  display_names      TEXT NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_packages ("
          "  name          TEXT PRIMARY KEY NOT NULL,"
          "  credits       INTEGER NOT NULL,"
          "  price_twd     INTEGER NOT NULL,"
          "  active        INTEGER NOT NULL,"
          "  display_names TEXT NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_users ("
          "  id         INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  email      TEXT NOT NULL UNIQUE,"
          "  plan       TEXT NOT NULL REFERENCES vg_plans (name),"
          "  verified   INTEGER NOT NULL,"
          "  active     INTEGER NOT NULL,"
          "  created_at INTEGER NOT NULL"
          ");"
          "CREATE TABLE vg_wallets ("
          "  user_id        INTEGER PRIMARY KEY REFERENCES vg_users (id),"
          "  subscription   INTEGER NOT NULL,"
          "  purchased      INTEGER NOT NULL,"
          "  bonus          INTEGER NOT NULL,"
          "  held           INTEGER NOT NULL,"
          "  free_uses      INTEGER NOT NULL,"
          "  free_uses_held INTEGER NOT NULL,"
          "  week_start     INTEGER NOT NULL,"
          "  last_seq       INTEGER NOT NULL,"
          "  last_hash      BLOB NOT NULL"
          ");"
          /* Lots and holds are never deleted, so plain rowids never repeat; AUTOINCREMENT
           * would write sqlite_sequence in every hold's transaction. */
          "CREATE TABLE vg_bonus_lots ("
          "  id         INTEGER PRIMARY KEY,"
          "  user_id    INTEGER NOT NULL REFERENCES vg_users (id),"
          "  amount     INTEGER NOT NULL,"
          "  remaining  INTEGER NOT NULL,"
          "  granted_at INTEGER NOT NULL,"
          "  expires_at INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_bonus_lots_by_user ON vg_bonus_lots (user_id, expires_at, id) "
          "  WHERE remaining > 0;"
          "CREATE TABLE vg_holds ("
          "  id                INTEGER PRIMARY KEY,"
          "  user_id           INTEGER NOT NULL REFERENCES vg_users (id),"
          "  service           TEXT NOT NULL,"
          "  reference         TEXT NOT NULL,"
          "  price             INTEGER NOT NULL,"
          "  from_bonus        INTEGER NOT NULL,"
          "  from_subscription INTEGER NOT NULL,"
          "  from_purchased    INTEGER NOT NULL,"
          "  free_use          INTEGER NOT NULL,"
          "  state             INTEGER NOT NULL,"
          "  forfeited         INTEGER NOT NULL,"
          "  created_at        INTEGER NOT NULL,"
          "  expires_at        INTEGER NOT NULL,"
          "  settled_at        INTEGER NOT NULL,"
          "  week_start        INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_holds_open_by_user ON vg_holds (user_id, expires_at, id) "
          "  WHERE state = 0;"
          "CREATE TABLE vg_hold_parts ("
          "  hold_id INTEGER NOT NULL REFERENCES vg_holds (id),"
          "  lot_id  INTEGER NOT NULL REFERENCES vg_bonus_lots (id),"
          "  amount  INTEGER NOT NULL,"
          "  PRIMARY KEY (hold_id, lot_id)"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_ledger ("
          "  user_id            INTEGER NOT NULL REFERENCES vg_users (id),"
          "  seq                INTEGER NOT NULL,"
          "  at                 INTEGER NOT NULL,"
          "  effective_at       INTEGER NOT NULL,"
          "  type               INTEGER NOT NULL,"
          "  amount             INTEGER NOT NULL,"
          "  bonus              INTEGER NOT NULL,"
          "  subscription       INTEGER NOT NULL,"
          "  purchased          INTEGER NOT NULL,"
          "  free_uses          INTEGER NOT NULL,"
          "  bonus_after        INTEGER NOT NULL,"
          "  subscription_after INTEGER NOT NULL,"
          "  purchased_after    INTEGER NOT NULL,"
          "  total_after        INTEGER NOT NULL,"
          "  free_uses_after    INTEGER NOT NULL,"
          "  service            TEXT NOT NULL,"
          "  reference          TEXT NOT NULL,"
          "  idempotency_key    TEXT NOT NULL,"
          "  hold_id            INTEGER NOT NULL,"
          "  prev_hash          BLOB NOT NULL,"
          "  hash               BLOB NOT NULL,"
          "  PRIMARY KEY (user_id, seq)"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_idempotency ("
          "  user_id     INTEGER NOT NULL,"
          "  key         TEXT NOT NULL,"
          "  fingerprint BLOB NOT NULL,"
          "  status      INTEGER NOT NULL,"
          "  result      TEXT NOT NULL,"
          "  created_at  INTEGER NOT NULL,"
          "  PRIMARY KEY (user_id, key)"
          ") WITHOUT ROWID;",
    [4] = "CREATE TABLE vg_credentials ("
          "  user_id             INTEGER PRIMARY KEY REFERENCES vg_users (id),"
          "  password_hash       TEXT NOT NULL," /* an argon2id string, never the password */
          "  lang                TEXT NOT NULL,"
          "  password_changed_at INTEGER NOT NULL"
          ");"
          /* The audit of every code sent; user_id is 0 until the account exists, so it
           * has no foreign key. */
          "CREATE TABLE vg_email_verifications ("
          "  id              INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  user_id         INTEGER NOT NULL,"
          "  email           TEXT NOT NULL,"
          "  code_hash       BLOB NOT NULL,"
          "  attempts        INTEGER NOT NULL,"
          "  state           INTEGER NOT NULL,"
          "  created_at      INTEGER NOT NULL,"
          "  expires_at      INTEGER NOT NULL,"
          "  last_attempt_at INTEGER NOT NULL,"
          "  closed_at       INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_email_verifications_by_email ON vg_email_verifications (email, id);"
          "CREATE TABLE vg_rate_limits ("
          "  key           TEXT PRIMARY KEY NOT NULL,"
          "  count         INTEGER NOT NULL,"
          "  window_start  INTEGER NOT NULL,"
          "  blocked_until INTEGER NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_sessions ("
          "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  user_id        INTEGER NOT NULL REFERENCES vg_users (id),"
          "  created_at     INTEGER NOT NULL,"
          "  revoked_at     INTEGER NOT NULL,"
          "  revoked_reason INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_sessions_by_user ON vg_sessions (user_id);"
          /* session_id is 0 for a token of no session, so it has no foreign key. */
          "CREATE TABLE vg_tokens ("
          "  hash       BLOB PRIMARY KEY NOT NULL," /* a keyed hash, never the token */
          "  kind       INTEGER NOT NULL,"
          "  user_id    INTEGER NOT NULL REFERENCES vg_users (id),"
          "  session_id INTEGER NOT NULL,"
          "  state      INTEGER NOT NULL,"
          "  issued_at  INTEGER NOT NULL,"
          "  expires_at INTEGER NOT NULL,"
          "  used_at    INTEGER NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE INDEX vg_tokens_by_user ON vg_tokens (user_id, kind, state);",
    /* The similarity cache. An entry is never deleted: cache_entry_delete leaves a tombstone
     * (deleted 1, vector NULL) with a new seq, so that a reader following seq learns of it;
     * AUTOINCREMENT keeps ids from being reused all the same. owner_id is the host's user,
     * not necessarily one of vg_users, so it has no foreign key. A vector is `dimension`
     * float32 in the machine's byte order. */
    [5] = "CREATE TABLE vg_cache_entries ("
          "  id             INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  seq            INTEGER NOT NULL UNIQUE,"
          "  deleted        INTEGER NOT NULL,"
          "  scope          TEXT NOT NULL,"
          "  prompt         TEXT NOT NULL,"
          "  prompt_hash    BLOB NOT NULL,"
          "  fingerprint    TEXT NOT NULL,"
          "  result         TEXT NOT NULL,"
          "  owner_id       INTEGER NOT NULL,"
          "  owner_only     INTEGER NOT NULL,"
          "  cost_micro_usd INTEGER NOT NULL,"
          "  hits           INTEGER NOT NULL,"
          "  created_at     INTEGER NOT NULL,"
          "  expires_at     INTEGER NOT NULL,"
          "  last_hit_at    INTEGER NOT NULL,"
          "  dimension      INTEGER NOT NULL,"
          "  vector         BLOB" /* NULL in a tombstone */
          ");"
          "CREATE INDEX vg_cache_entries_live ON vg_cache_entries (scope, prompt_hash) "
          "  WHERE deleted = 0;"
          "CREATE TABLE vg_embeddings ("
          "  prompt_hash BLOB NOT NULL,"
          "  fingerprint TEXT NOT NULL,"
          "  created_at  INTEGER NOT NULL,"
          "  dimension   INTEGER NOT NULL,"
          "  vector      BLOB NOT NULL,"
          "  PRIMARY KEY (prompt_hash, fingerprint)"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_block_cache ("
          "  prompt_hash BLOB PRIMARY KEY NOT NULL,"
          "  reason      TEXT NOT NULL,"
          "  created_at  INTEGER NOT NULL,"
          "  expires_at  INTEGER NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_counters ("
          "  name  TEXT PRIMARY KEY NOT NULL,"
          "  value INTEGER NOT NULL"
          ") WITHOUT ROWID;",
    /* Generation jobs, their inputs, the inspiration gallery. A job's id is how hosts and
     * users name it, so AUTOINCREMENT keeps ids from ever being reused. hold_id,
     * input_job_id and leader_id are 0 for none, so they have no foreign keys. 3 is
     * VG_STORE_JOB_FINAL: states below it are unfinished. vg_jobs_open holds the jobs
     * job_claim looks at (unfinished, or finished and not settled: few, however long the
     * history); vg_jobs_by_user serves a user's list newest first; vg_jobs_active_by_scope
     * the unfinished jobs of a similarity scope. An input (up to 10 MiB) lives in a rowid
     * table, its data the last column: a WITHOUT ROWID table suits small rows only. A
     * gallery example's job_id is 0 when it was seeded. */
    [6] = "CREATE TABLE vg_jobs ("
          "  id                 INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  version            INTEGER NOT NULL,"
          "  user_id            INTEGER NOT NULL REFERENCES vg_users (id),"
          "  idempotency_key    TEXT NOT NULL,"
          "  request_hash       BLOB NOT NULL,"
          "  service            TEXT NOT NULL,"
          "  kind               INTEGER NOT NULL,"
          "  state              INTEGER NOT NULL,"
          "  stage              INTEGER NOT NULL,"
          "  priority           INTEGER NOT NULL,"
          "  scope              TEXT NOT NULL,"
          "  prompt             TEXT NOT NULL,"
          "  enhanced_prompt    TEXT NOT NULL,"
          "  lang               TEXT NOT NULL,"
          "  resolution         INTEGER NOT NULL,"
          "  duration_s         INTEGER NOT NULL,"
          "  fps                INTEGER NOT NULL,"
          "  style              TEXT NOT NULL,"
          "  input_hash         BLOB NOT NULL,"
          "  has_input          INTEGER NOT NULL,"
          "  input_job_id       INTEGER NOT NULL,"
          "  is_public          INTEGER NOT NULL,"
          "  hold_id            INTEGER NOT NULL,"
          "  price              INTEGER NOT NULL,"
          "  free_use           INTEGER NOT NULL,"
          "  watermark          INTEGER NOT NULL,"
          "  settled            INTEGER NOT NULL,"
          "  charged            INTEGER NOT NULL,"
          "  leader_id          INTEGER NOT NULL,"
          "  cache_hit          INTEGER NOT NULL,"
          "  similarity         REAL NOT NULL,"
          "  provider           TEXT NOT NULL,"
          "  provider_job_id    TEXT NOT NULL,"
          "  fallback           INTEGER NOT NULL,"
          "  attempts           INTEGER NOT NULL,"
          "  poll_errors        INTEGER NOT NULL,"
          "  percent            INTEGER NOT NULL,"
          "  media_type         TEXT NOT NULL,"
          "  result_url         TEXT NOT NULL,"
          "  thumbnail_url      TEXT NOT NULL,"
          "  width              INTEGER NOT NULL,"
          "  height             INTEGER NOT NULL,"
          "  result_duration_s  INTEGER NOT NULL,"
          "  placeholder        INTEGER NOT NULL,"
          "  api_cost_micro_usd INTEGER NOT NULL,"
          "  error              INTEGER NOT NULL,"
          "  error_detail       TEXT NOT NULL,"
          "  lease_owner        TEXT NOT NULL,"
          "  lease_until        INTEGER NOT NULL,"
          "  next_run_at        INTEGER NOT NULL,"
          "  created_at         INTEGER NOT NULL,"
          "  updated_at         INTEGER NOT NULL,"
          "  submitted_at       INTEGER NOT NULL,"
          "  finished_at        INTEGER NOT NULL,"
          "  UNIQUE (user_id, idempotency_key)"
          ");"
          "CREATE INDEX vg_jobs_open ON vg_jobs (lease_until, next_run_at) "
          "  WHERE (state < 3 OR settled = 0);"
          "CREATE INDEX vg_jobs_by_user ON vg_jobs (user_id, id);"
          "CREATE INDEX vg_jobs_active_by_scope ON vg_jobs (scope, id) WHERE state < 3;"
          "CREATE TABLE vg_job_inputs ("
          "  hash       BLOB PRIMARY KEY NOT NULL,"
          "  mime       TEXT NOT NULL,"
          "  created_at INTEGER NOT NULL,"
          "  size       INTEGER NOT NULL,"
          "  data       BLOB NOT NULL"
          ");"
          "CREATE TABLE vg_gallery ("
          "  id            INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  topic         TEXT NOT NULL,"
          "  lang          TEXT NOT NULL,"
          "  title         TEXT NOT NULL,"
          "  prompt        TEXT NOT NULL,"
          "  service       TEXT NOT NULL,"
          "  media_type    TEXT NOT NULL,"
          "  result_url    TEXT NOT NULL,"
          "  thumbnail_url TEXT NOT NULL,"
          "  job_id        INTEGER NOT NULL,"
          "  created_at    INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_gallery_by_topic ON vg_gallery (topic, lang, id);",
    /* Payments. An order's id is how hosts and support name it, so AUTOINCREMENT keeps ids
     * from ever being reused; its number (the provider's trade number) and its user's
     * idempotency key are each unique. vg_orders_by_user serves a user's list newest first;
     * vg_orders_unpaid_by_expiry the orders not yet paid (states below 2, VG_ORDER_PAID:
     * created and pending) that expire, which the expiry sweep looks for, however long the
     * history. A subscription is one per user, found by the end of its period. A promotion
     * is kept by its upper-case code; a redemption by its user's idempotency key, counted by
     * code and user. A webhook event is kept by its provider's id, so that each is processed
     * once. */
    [7] = "CREATE TABLE vg_orders ("
          "  id              INTEGER PRIMARY KEY AUTOINCREMENT,"
          "  version         INTEGER NOT NULL,"
          "  number          TEXT NOT NULL UNIQUE,"
          "  user_id         INTEGER NOT NULL REFERENCES vg_users (id),"
          "  idempotency_key TEXT NOT NULL,"
          "  request_hash    BLOB NOT NULL,"
          "  kind            INTEGER NOT NULL,"
          "  item            TEXT NOT NULL,"
          "  state           INTEGER NOT NULL,"
          "  provider        TEXT NOT NULL,"
          "  currency        TEXT NOT NULL,"
          "  amount_minor    INTEGER NOT NULL,"
          "  discount_pct    INTEGER NOT NULL,"
          "  credits         INTEGER NOT NULL,"
          "  provider_ref    TEXT NOT NULL,"
          "  failure         TEXT NOT NULL,"
          "  created_at      INTEGER NOT NULL,"
          "  updated_at      INTEGER NOT NULL,"
          "  paid_at         INTEGER NOT NULL,"
          "  fulfilled_at    INTEGER NOT NULL,"
          "  expires_at      INTEGER NOT NULL,"
          "  UNIQUE (user_id, idempotency_key)"
          ");"
          "CREATE INDEX vg_orders_by_user ON vg_orders (user_id, id);"
          "CREATE INDEX vg_orders_unpaid_by_expiry ON vg_orders (expires_at) WHERE state < 2;"
          "CREATE TABLE vg_subscriptions ("
          "  user_id      INTEGER PRIMARY KEY REFERENCES vg_users (id),"
          "  plan         TEXT NOT NULL,"
          "  state        INTEGER NOT NULL,"
          "  provider     TEXT NOT NULL,"
          "  provider_ref TEXT NOT NULL,"
          "  next_plan    TEXT NOT NULL,"
          "  started_at   INTEGER NOT NULL,"
          "  period_start INTEGER NOT NULL,"
          "  period_end   INTEGER NOT NULL,"
          "  updated_at   INTEGER NOT NULL"
          ");"
          "CREATE INDEX vg_subscriptions_by_period_end ON vg_subscriptions (period_end);"
          "CREATE TABLE vg_promos ("
          "  code            TEXT PRIMARY KEY NOT NULL,"
          "  bonus_credits   INTEGER NOT NULL,"
          "  bonus_ttl_days  INTEGER NOT NULL,"
          "  valid_from      INTEGER NOT NULL,"
          "  valid_until     INTEGER NOT NULL,"
          "  max_redemptions INTEGER NOT NULL,"
          "  per_user        INTEGER NOT NULL,"
          "  plans           TEXT NOT NULL,"
          "  active          INTEGER NOT NULL,"
          "  redeemed        INTEGER NOT NULL,"
          "  created_at      INTEGER NOT NULL"
          ") WITHOUT ROWID;"
          "CREATE TABLE vg_redemptions ("
          "  code            TEXT NOT NULL REFERENCES vg_promos (code),"
          "  user_id         INTEGER NOT NULL REFERENCES vg_users (id),"
          "  idempotency_key TEXT NOT NULL,"
          "  credits         INTEGER NOT NULL,"
          "  at              INTEGER NOT NULL,"
          "  PRIMARY KEY (user_id, idempotency_key)"
          ") WITHOUT ROWID;"
          "CREATE INDEX vg_redemptions_by_code ON vg_redemptions (code, user_id);"
          "CREATE TABLE vg_webhook_events ("
          "  provider    TEXT NOT NULL,"
          "  event_id    TEXT NOT NULL,"
          "  event_type  TEXT NOT NULL,"
          "  received_at INTEGER NOT NULL,"
          "  PRIMARY KEY (provider, event_id)"
          ") WITHOUT ROWID;",
};

#define LATEST ((int)(sizeof migrations / sizeof migrations[0]) - 1)

_Static_assert(LATEST == VG_STORE_SCHEMA_VERSION, "SQLite migrations and the core disagree");

static int count_query(vg_store_conn *conn, sq_stmt id, int64_t *out)
{
    sqlite3_stmt *stmt;
    int rc = vg__sq_stmt(&stmt, conn, id);

    if (rc != VG_OK)
        return rc;
    rc = sqlite3_step(stmt);
    if (rc != SQLITE_ROW) {
        rc = vg__sq_error(conn, rc, "cannot read the schema");
        sqlite3_reset(stmt);
        return rc;
    }
    *out = sqlite3_column_int64(stmt, 0);
    sqlite3_reset(stmt);
    return VG_OK;
}

int vg__sq_schema_get(int *out, vg_store_conn *conn)
{
    int64_t n = 0;
    int rc;

    if ((rc = count_query(conn, SQ_SCHEMA_HAS_TABLE, &n)) != VG_OK)
        return rc;
    if (n == 0) {
        if ((rc = count_query(conn, SQ_SCHEMA_FOREIGN_TABLES, &n)) != VG_OK)
            return rc;
        if (n > 0) {
            snprintf(conn->errmsg, sizeof conn->errmsg,
                     "the database holds %lld tables but no libvidgo schema", (long long)n);
            return VG_ESTORE_CORRUPT;
        }
        *out = 0;
        return VG_OK;
    }
    if ((rc = count_query(conn, SQ_SCHEMA_VERSION, &n)) != VG_OK)
        return rc;
    *out = (int)n;
    return VG_OK;
}

int vg__sq_schema_step(vg_store_conn *conn, int to_version, vg_time now)
{
    sqlite3_stmt *stmt;
    int rc;

    if (to_version < 1 || to_version > LATEST) {
        snprintf(conn->errmsg, sizeof conn->errmsg, "no migration to schema version %d",
                 to_version);
        return VG_EUNSUPPORTED;
    }
    if ((rc = vg__sq_exec_script(conn, migrations[to_version], "cannot migrate")) != VG_OK)
        return rc;
    if ((rc = vg__sq_stmt(&stmt, conn, SQ_SCHEMA_RECORD)) != VG_OK)
        return rc;
    sqlite3_bind_int(stmt, 1, to_version);
    sqlite3_bind_int64(stmt, 2, now);
    return vg__sq_exec(conn, stmt, "cannot record the migration");
}
