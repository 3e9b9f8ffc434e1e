/* SPDX-License-Identifier: MIT */
/* The PostgreSQL backend: connections, statements, error mapping, transactions, the schema. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pg_internal.h"

/* Serialises the first opening of a store (migration and catalog seeding share one
 * transaction): pg_advisory_xact_lock's 64-bit key space, "vidgoscm" in ASCII. */
#define SCHEMA_LOCK "8532461364444357485"
/* Meta keys read for update but missing: the two-int4 key space (apart from the 64-bit
 * one), "vgmk" and hashtext(key). */
#define META_LOCK "1986489707"

/* The statements of this file; those of records of version 2 are in pg_catalog.c and
 * pg_wallet.c, those of version 3 in pg_accounts.c, those of version 4 in pg_cache.c, those
 * of version 5 in pg_jobs.c, those of version 6 in pg_payments.c. */
static const char *const stmt_sql[PG_CATALOG_FIRST] = {
    /* A reader sees one snapshot, as SQLite's deferred reader does; read-only repeatable
     * read never fails to serialise. Writers lock the rows they read for update. */
    [PG_BEGIN_READ] = "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    [PG_BEGIN_WRITE] = "BEGIN ISOLATION LEVEL READ COMMITTED",
    [PG_COMMIT] = "COMMIT",
    [PG_ROLLBACK] = "ROLLBACK",
    [PG_SAVEPOINT] = "SAVEPOINT vg_guard",
    [PG_RELEASE] = "RELEASE SAVEPOINT vg_guard",
    [PG_ROLLBACK_TO] = "ROLLBACK TO SAVEPOINT vg_guard",
    [PG_SET_CONFIG] = "SELECT set_config($1, $2, false)",
    [PG_SCHEMA_LOCK] = "SELECT pg_advisory_xact_lock(" SCHEMA_LOCK ")",
    [PG_SCHEMA_HAS_TABLE] = "SELECT (to_regclass('vg_schema_migrations') IS NOT NULL)::int",
    [PG_SCHEMA_OWN_TABLES] = "SELECT count(*) FROM pg_catalog.pg_tables "
                             "WHERE schemaname = current_schema() AND tablename LIKE 'vg\\_%'",
    [PG_SCHEMA_VERSION] = "SELECT coalesce(max(version), 0) FROM vg_schema_migrations",
    [PG_SCHEMA_RECORD] = "INSERT INTO vg_schema_migrations (version, applied_at) VALUES ($1, $2)",
    [PG_META_GET] = "SELECT value FROM vg_meta WHERE key = $1",
    [PG_META_GET_FOR_UPDATE] = "SELECT value FROM vg_meta WHERE key = $1 FOR UPDATE",
    [PG_META_LOCK_KEY] = "SELECT pg_advisory_xact_lock(" META_LOCK ", hashtext($1))",
    [PG_META_PUT] = "INSERT INTO vg_meta (key, value) VALUES ($1, $2) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    [PG_META_DELETE] = "DELETE FROM vg_meta WHERE key = $1",
    [PG_EVENT_APPEND] = "INSERT INTO vg_events (at, kind, detail) VALUES ($1, $2, $3) RETURNING id",
    [PG_EVENT_LIST] =
        "SELECT id, at, kind, detail FROM vg_events WHERE id > $1 ORDER BY id LIMIT $2",
    [PG_CHECK_TABLES] =
        "SELECT t FROM unnest(ARRAY['vg_schema_migrations', 'vg_meta', 'vg_events', 'vg_plans', "
        "'vg_services', 'vg_packages', 'vg_users', 'vg_wallets', 'vg_bonus_lots', 'vg_holds', "
        "'vg_hold_parts', 'vg_ledger', 'vg_idempotency', 'vg_credentials', "
        "'vg_email_verifications', 'vg_rate_limits', 'vg_sessions', 'vg_tokens', "
        "'vg_cache_entries', 'vg_embeddings', 'vg_block_cache', 'vg_counters', 'vg_jobs', "
        "'vg_job_inputs', 'vg_gallery', 'vg_orders', 'vg_subscriptions', 'vg_promos', "
        "'vg_redemptions', 'vg_webhook_events']) AS t "
        "WHERE to_regclass(t) IS NULL",
};

/* SQLSTATEs, exact (5 characters) or a class (2), and the vg_status each one means; the
 * first match wins. Anything else is VG_ESTORE. */
static const struct {
    const char *sqlstate;
    int status;
} sqlstate_map[] = {
    {"40001", VG_ECONFLICT},       /* serialization_failure */
    {"40P01", VG_ECONFLICT},       /* deadlock_detected */
    {"55P03", VG_EBUSY},           /* lock_not_available: lock_timeout passed */
    {"57014", VG_EBUSY},           /* query_canceled: a statement timeout */
    {"25006", VG_ESTORE_READONLY}, /* read_only_sql_transaction */
    {"22021", VG_EUTF8},           /* character_not_in_repertoire: bad UTF-8 */
    {"57P01", VG_ESTORE_CONNECT},  /* admin_shutdown */
    {"57P02", VG_ESTORE_CONNECT},  /* crash_shutdown */
    {"57P03", VG_ESTORE_CONNECT},  /* cannot_connect_now */
    {"58030", VG_EIO},             /* io_error */
    {"XX001", VG_ESTORE_CORRUPT},  /* data_corrupted */
    {"XX002", VG_ESTORE_CORRUPT},  /* index_corrupted */
    {"23", VG_ECONSTRAINT},        /* integrity_constraint_violation: unique, foreign key, ... */
    {"08", VG_ESTORE_CONNECT},     /* connection_exception */
    {"53", VG_EIO},                /* insufficient_resources: disk full, out of memory */
    {"54", VG_ERANGE},             /* program_limit_exceeded: a key too large to index */
};

static int status_of(const char *sqlstate)
{
    size_t i;
    if (!sqlstate)
        return VG_ESTORE;
    for (i = 0; i < sizeof sqlstate_map / sizeof sqlstate_map[0]; i++)
        if (strncmp(sqlstate, sqlstate_map[i].sqlstate, strlen(sqlstate_map[i].sqlstate)) == 0)
            return sqlstate_map[i].status;
    return VG_ESTORE;
}

/* Copies a message onto one line, without libpq's trailing newline. */
static void one_line(char *dst, size_t size, const char *src)
{
    size_t n = 0;
    for (; src && *src && n + 1 < size; src++)
        dst[n++] = (*src == '\n' || *src == '\r' || *src == '\t') ? ' ' : *src;
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

int vg__pg_say(vg_store_conn *conn, int status, const char *what, const char *detail)
{
    snprintf(conn->errmsg, sizeof conn->errmsg, "%s: %s", what, detail);
    return status;
}

int vg__pg_fail(vg_store_conn *conn, const PGresult *res, const char *what)
{
    const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *text = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    char line[400];
    int status;

    one_line(line, sizeof line, text && *text ? text : PQerrorMessage(conn->pg));
    snprintf(conn->sqlstate, sizeof conn->sqlstate, "%s", state ? state : "");
    if (state)
        snprintf(conn->errmsg, sizeof conn->errmsg, "%s: %s [SQLSTATE %s]", what, line, state);
    else
        vg__pg_say(conn, 0, what, line[0] ? line : "the PostgreSQL connection failed");
    status = PQstatus(conn->pg) == CONNECTION_BAD ? VG_ESTORE_CONNECT : status_of(state);
    if (PQtransactionStatus(conn->pg) == PQTRANS_INERROR && conn->aborted_status == VG_OK)
        conn->aborted_status = status;
    return status;
}

static const char *sql_of(pg_stmt id)
{
    if (id >= PG_PAYMENTS_FIRST)
        return vg__pg_payments_sql[id - PG_PAYMENTS_FIRST];
    if (id >= PG_JOBS_FIRST)
        return vg__pg_jobs_sql[id - PG_JOBS_FIRST];
    if (id >= PG_CACHE_FIRST)
        return vg__pg_cache_sql[id - PG_CACHE_FIRST];
    if (id >= PG_ACCOUNTS_FIRST)
        return vg__pg_accounts_sql[id - PG_ACCOUNTS_FIRST];
    if (id >= PG_WALLET_FIRST)
        return vg__pg_wallet_sql[id - PG_WALLET_FIRST];
    if (id >= PG_CATALOG_FIRST)
        return vg__pg_catalog_sql[id - PG_CATALOG_FIRST];
    return stmt_sql[id];
}

int vg__pg_exec(PGresult **out, vg_store_conn *conn, pg_stmt id, const pg_params *params,
                const char *what)
{
    char name[16];
    PGresult *res;
    ExecStatusType st;
    int rc;

    snprintf(name, sizeof name, "vg%d", (int)id);
    if (!conn->prepared[id]) {
        res = PQprepare(conn->pg, name, sql_of(id), 0, NULL);
        if (PQresultStatus(res) != PGRES_COMMAND_OK) {
            rc = vg__pg_fail(conn, res, what);
            PQclear(res);
            return rc;
        }
        PQclear(res);
        conn->prepared[id] = 1;
    }
    res = PQexecPrepared(conn->pg, name, params ? params->count : 0,
                         params ? params->values : NULL, params ? params->lengths : NULL,
                         params ? params->formats : NULL, 0);
    st = PQresultStatus(res);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        rc = vg__pg_fail(conn, res, what);
        PQclear(res);
        return rc;
    }
    if (out)
        *out = res;
    else
        PQclear(res);
    return VG_OK;
}

int vg__pg_locking(const vg_store_conn *conn, int for_update)
{
    return for_update && conn->mode == VG_TXN_WRITE;
}

/* --- connections ----------------------------------------------------------------------- */

/* 1 if location, up to sep ("://"), is a URL scheme of PostgreSQL in any case: "postgres"
 * or "postgresql", either with SQLAlchemy's driver suffix ("postgresql+asyncpg"). */
static int is_postgres_scheme(const char *location, const char *sep)
{
    const char *p = location + 8;

    if (strncasecmp(location, "postgres", 8) != 0)
        return 0;
    if (strncasecmp(p, "ql", 2) == 0)
        p += 2;
    if (p < sep && *p == '+')
        for (p++; p < sep && (isalnum((unsigned char)*p) || *p == '_'); p++)
            ;
    return p == sep;
}

/* Returns a malloc'd copy of the location that libpq reads (or NULL): a PostgreSQL URL with
 * its scheme written "postgresql://", which drops a driver suffix; anything else (a
 * "host=... dbname=..." string handed to a configured backend) as it is. */
static char *libpq_location(const char *location)
{
    const char *sep = strstr(location, "://");
    size_t n = strlen(location) + 16;
    char *out = malloc(n);

    if (out && sep && is_postgres_scheme(location, sep))
        snprintf(out, n, "postgresql%s", sep);
    else if (out)
        snprintf(out, n, "%s", location);
    return out;
}

/* Replaces each occurrence of `secret` in msg with "***" (a secret of 3 bytes or more). */
static void scrub(char *msg, const char *secret)
{
    size_t len = secret ? strlen(secret) : 0;
    char *hit;

    if (len < 3)
        return;
    while ((hit = strstr(msg, secret)) != NULL) {
        memcpy(hit, "***", 3);
        memmove(hit + 3, hit + len, strlen(hit + len) + 1);
    }
}

/* libpq quotes what it could not parse, which may be the whole URL with its password:
 * every quoted part longer than one character becomes "***", and so does everything after
 * a quote that is not closed. */
static void redact_quoted(char *dst, size_t size, const char *src)
{
    const char *close;
    size_t n = 0;

    while (*src && n + 6 < size) {
        if (*src == '"') {
            close = strchr(src + 1, '"');
            if (close && close - src <= 2) { /* '"]"': harmless, and kept */
                memcpy(dst + n, src, (size_t)(close + 1 - src));
                n += (size_t)(close + 1 - src);
            } else {
                memcpy(dst + n, "\"***\"", 5);
                n += 5;
            }
            if (!close)
                break;
            src = close + 1;
            continue;
        }
        dst[n++] = *src == '\n' ? ' ' : *src;
        src++;
    }
    while (n > 0 && dst[n - 1] == ' ')
        n--;
    dst[n] = '\0';
}

static int set_setting(vg_store_conn *conn, const char *name, const char *value)
{
    pg_params p;
    vg__pg_params_init(&p);
    vg__pg_param_text(&p, name);
    vg__pg_param_text(&p, value);
    return vg__pg_exec(NULL, conn, PG_SET_CONFIG, &p, "cannot configure the session");
}

/* The session's settings, at connect and after a reconnection. */
static int configure_session(vg_store_conn *conn)
{
    char lock_ms[24];
    int rc;

    /* lock_timeout = 0 would wait forever: the closest to "do not wait" is 1 ms */
    snprintf(lock_ms, sizeof lock_ms, "%d", conn->busy_timeout_ms > 0 ? conn->busy_timeout_ms : 1);
    if ((rc = set_setting(conn, "client_encoding", "UTF8")) != VG_OK ||
        (rc = set_setting(conn, "lock_timeout", lock_ms)) != VG_OK ||
        (rc = set_setting(conn, "statement_timeout", "0")) != VG_OK ||
        (rc = set_setting(conn, "bytea_output", "hex")) != VG_OK ||
        /* doubles as text that reads back exactly (shortest exact from PostgreSQL 12 on) */
        (rc = set_setting(conn, "extra_float_digits", "3")) != VG_OK)
        return rc;
    if (conn->flags & VG_OPEN_READONLY)
        rc = set_setting(conn, "default_transaction_read_only", "on");
    return rc;
}

/* Refuses a server or database the backend cannot work with. */
static int check_server(vg_store_conn *conn)
{
    const char *encoding = PQparameterStatus(conn->pg, "server_encoding");
    char detail[160];

    if (PQserverVersion(conn->pg) < 100000) {
        snprintf(detail, sizeof detail, "PostgreSQL %d is too old: libvidgo needs 10 or newer",
                 PQserverVersion(conn->pg) / 10000);
        return vg__pg_say(conn, VG_ESTORE_OPEN, "cannot use the database", detail);
    }
    if (encoding && strcmp(encoding, "UTF8") != 0 && strcmp(encoding, "SQL_ASCII") != 0) {
        snprintf(detail, sizeof detail,
                 "its encoding is %s; libvidgo stores UTF-8 text and needs a UTF8 database",
                 encoding);
        return vg__pg_say(conn, VG_ESTORE_OPEN, "cannot use the database", detail);
    }
    return VG_OK;
}

static void pg_disconnect(vg_store_conn *conn)
{
    if (!conn)
        return;
    PQfinish(conn->pg); /* the server rolls back an open transaction */
    vg__pg_vectors_free(conn);
    vg__pg_input_free(conn);
    if (conn->alloc)
        conn->alloc(conn, 0, conn->alloc_payload);
    else
        free(conn);
}

static int pg_connect(vg_store_conn **out, const vg_store_params *params, char *errbuf,
                      size_t errbuf_size)
{
    /* A default connect_timeout, which the location may override (later keywords win). */
    const char *keywords[] = {"connect_timeout", "fallback_application_name", "dbname", NULL};
    const char *values[] = {"10", "libvidgo", NULL, NULL};
    char *location = libpq_location(params->location), *parse_error = NULL;
    char message[sizeof ((vg_store_conn *)0)->errmsg];
    PQconninfoOption *options = NULL, *o;
    const char *password = NULL;
    vg_store_conn *conn = NULL;
    int rc = VG_OK;

    *out = NULL;
    if (!location) {
        snprintf(errbuf, errbuf_size, "out of memory");
        return VG_ENOMEM;
    }
    options = PQconninfoParse(location, &parse_error);
    if (!options) {
        redact_quoted(message, sizeof message, parse_error ? parse_error : "out of memory");
        snprintf(errbuf, errbuf_size, "cannot read the PostgreSQL location: %s", message);
        rc = parse_error ? VG_ESTORE_OPEN : VG_ENOMEM;
        goto done;
    }
    for (o = options; o->keyword; o++)
        if (strcmp(o->keyword, "password") == 0)
            password = o->val;
    conn = params->alloc ? params->alloc(NULL, sizeof *conn, params->alloc_payload)
                         : malloc(sizeof *conn);
    if (!conn) {
        snprintf(errbuf, errbuf_size, "out of memory");
        rc = VG_ENOMEM;
        goto done;
    }
    memset(conn, 0, sizeof *conn);
    conn->alloc = params->alloc;
    conn->alloc_payload = params->alloc_payload;
    conn->flags = params->flags; /* VG_OPEN_CREATE is moot: the database must exist */
    conn->busy_timeout_ms = params->busy_timeout_ms;
    values[2] = location;
    conn->pg = PQconnectdbParams(keywords, values, 1);
    if (!conn->pg) {
        snprintf(errbuf, errbuf_size, "out of memory");
        rc = VG_ENOMEM;
    } else if (PQstatus(conn->pg) != CONNECTION_OK) {
        /* libpq's message names host, port, user and database, never the password; scrub
         * it all the same */
        one_line(message, sizeof message, PQerrorMessage(conn->pg));
        scrub(message, password);
        snprintf(errbuf, errbuf_size, "cannot connect to PostgreSQL: %s", message);
        rc = VG_ESTORE_CONNECT;
    } else if ((rc = check_server(conn)) != VG_OK || (rc = configure_session(conn)) != VG_OK) {
        snprintf(message, sizeof message, "%s", conn->errmsg);
        scrub(message, password);
        snprintf(errbuf, errbuf_size, "%s", message);
    }
done:
    if (rc == VG_OK)
        *out = conn;
    else
        pg_disconnect(conn);
    PQconninfoFree(options);
    PQfreemem(parse_error);
    free(location);
    return rc;
}

static const char *pg_errmsg(vg_store_conn *conn)
{
    return conn ? conn->errmsg : "";
}

/* Reconnects a connection the server closed (a restart, an idle timeout) before a new
 * transaction: its prepared statements and settings went with it. */
static int revive(vg_store_conn *conn)
{
    if (PQstatus(conn->pg) == CONNECTION_OK)
        return VG_OK;
    PQreset(conn->pg);
    if (PQstatus(conn->pg) != CONNECTION_OK)
        return vg__pg_fail(conn, NULL, "cannot reconnect to PostgreSQL");
    memset(conn->prepared, 0, sizeof conn->prepared);
    return configure_session(conn);
}

static int pg_rollback(vg_store_conn *conn)
{
    if (PQstatus(conn->pg) != CONNECTION_OK || PQtransactionStatus(conn->pg) == PQTRANS_IDLE)
        return VG_OK; /* nothing open, or the server already rolled it back */
    conn->aborted_status = VG_OK;
    return vg__pg_exec(NULL, conn, PG_ROLLBACK, NULL, "cannot roll back");
}

static int pg_begin(vg_store_conn *conn, vg_txn_mode mode)
{
    pg_stmt id = mode == VG_TXN_WRITE ? PG_BEGIN_WRITE : PG_BEGIN_READ;
    int rc = revive(conn);

    vg__pg_input_free(conn); /* the last input read lives until this call */
    if (rc != VG_OK)
        return rc;
    if (PQtransactionStatus(conn->pg) != PQTRANS_IDLE && (rc = pg_rollback(conn)) != VG_OK)
        return rc; /* a transaction left open */
    conn->mode = mode;
    conn->aborted_status = VG_OK;
    rc = vg__pg_exec(NULL, conn, id, NULL, "cannot begin a transaction");
    /* A connection the server closed while it sat in the pool shows here, at its first
     * statement: nothing has run yet, so reconnect once and begin again. */
    if (rc == VG_ESTORE_CONNECT && PQstatus(conn->pg) == CONNECTION_BAD && revive(conn) == VG_OK)
        rc = vg__pg_exec(NULL, conn, id, NULL, "cannot begin a transaction");
    return rc;
}

static int pg_commit(vg_store_conn *conn)
{
    switch (PQtransactionStatus(conn->pg)) {
    case PQTRANS_INTRANS:
        return vg__pg_exec(NULL, conn, PG_COMMIT, NULL, "cannot commit");
    case PQTRANS_INERROR: /* COMMIT would answer ROLLBACK without an error: say so */
        return vg__pg_say(conn, conn->aborted_status != VG_OK ? conn->aborted_status : VG_ESTORE,
                          "cannot commit",
                          "a statement of the transaction failed, so PostgreSQL aborted it");
    case PQTRANS_IDLE:
        return vg__pg_say(conn, VG_ESTORE, "cannot commit", "no transaction is open");
    default:
        return vg__pg_fail(conn, NULL, "cannot commit");
    }
}

/* --- the schema ------------------------------------------------------------------------ */

#define COL_INT " INTEGER NOT NULL"
#define COL_I64 " BIGINT NOT NULL"
#define COL_TEXT " TEXT NOT NULL"
#define COL_KEY " TEXT COLLATE \"C\" NOT NULL" /* compared and ordered by bytes, as SQLite does */
#define COL_HASH " BYTEA NOT NULL"
#define COL_ID " BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY"
#define COL_USER " BIGINT NOT NULL REFERENCES vg_users (id)"

/* The tables of sqlite_schema.c's migrations, one DDL statement each. Never edit a released
 * migration: add one. */
static const char *const migration_1[] = {
    "CREATE TABLE vg_schema_migrations (version INTEGER PRIMARY KEY, applied_at" COL_I64 ")",
    "CREATE TABLE vg_meta (key" COL_KEY " PRIMARY KEY, value" COL_TEXT ")",
    NULL,
};
static const char *const migration_2[] = {
    "CREATE TABLE vg_events (id" COL_ID ", at" COL_I64 ", kind" COL_TEXT ", detail" COL_TEXT ")",
    NULL,
};
static const char *const migration_3[] = {
    "CREATE TABLE vg_plans (name" COL_KEY " PRIMARY KEY, rank" COL_INT ", price_twd" COL_I64
    ", weekly_credits" COL_INT ", free_uses" COL_INT ", topup_discount_pct" COL_INT
    ", max_resolution" COL_INT ", max_fps" COL_INT ", watermark" COL_INT
    ", priority_queue" COL_INT ", effects" COL_INT ", paid" COL_INT ", active" COL_INT
    ", display_names" COL_TEXT ")", /* the five names, joined by U+001F */
    "CREATE TABLE vg_services (name" COL_KEY " PRIMARY KEY, kind" COL_INT ", credits" COL_INT
    ", api_cost_micro_usd" COL_I64 ", min_plan" COL_KEY " REFERENCES vg_plans (name)"
    ", subscribers_only" COL_INT ", resolution" COL_INT ", max_duration_s" COL_INT
    ", provider" COL_TEXT ", internal" COL_INT ", active" COL_INT ", display_names" COL_TEXT ")",
    "CREATE TABLE vg_packages (name" COL_KEY " PRIMARY KEY, credits" COL_I64
    ", price_twd" COL_I64 ", active" COL_INT ", display_names" COL_TEXT ")",
    "CREATE TABLE vg_users (id" COL_ID ", email" COL_KEY " UNIQUE"
    ", plan" COL_KEY " REFERENCES vg_plans (name), verified" COL_INT ", active" COL_INT
    ", created_at" COL_I64 ")",
    "CREATE TABLE vg_wallets (user_id BIGINT PRIMARY KEY REFERENCES vg_users (id)"
    ", subscription" COL_I64 ", purchased" COL_I64 ", bonus" COL_I64 ", held" COL_I64
    ", free_uses" COL_INT ", free_uses_held" COL_INT ", week_start" COL_I64
    ", last_seq" COL_I64 ", last_hash" COL_HASH ")",
    "CREATE TABLE vg_bonus_lots (id" COL_ID ", user_id" COL_USER ", amount" COL_I64
    ", remaining" COL_I64 ", granted_at" COL_I64 ", expires_at" COL_I64 ")",
    "CREATE INDEX vg_bonus_lots_by_user ON vg_bonus_lots (user_id, expires_at, id) "
    "WHERE remaining > 0",
    "CREATE TABLE vg_holds (id" COL_ID ", user_id" COL_USER ", service" COL_TEXT
    ", reference" COL_TEXT ", price" COL_I64 ", from_bonus" COL_I64
    ", from_subscription" COL_I64 ", from_purchased" COL_I64 ", free_use" COL_INT
    ", state" COL_INT ", forfeited" COL_I64 ", created_at" COL_I64 ", expires_at" COL_I64
    ", settled_at" COL_I64 ", week_start" COL_I64 ")",
    "CREATE INDEX vg_holds_open_by_user ON vg_holds (user_id, expires_at, id) WHERE state = 0",
    "CREATE TABLE vg_hold_parts (hold_id BIGINT NOT NULL REFERENCES vg_holds (id)"
    ", lot_id BIGINT NOT NULL REFERENCES vg_bonus_lots (id), amount" COL_I64
    ", PRIMARY KEY (hold_id, lot_id))",
    "CREATE TABLE vg_ledger (user_id" COL_USER ", seq" COL_I64 ", at" COL_I64
    ", effective_at" COL_I64 ", type" COL_INT ", amount" COL_I64 ", bonus" COL_I64
    ", subscription" COL_I64 ", purchased" COL_I64 ", free_uses" COL_INT
    ", bonus_after" COL_I64 ", subscription_after" COL_I64 ", purchased_after" COL_I64
    ", total_after" COL_I64 ", free_uses_after" COL_INT ", service" COL_TEXT
    ", reference" COL_TEXT ", idempotency_key" COL_TEXT ", hold_id" COL_I64
    ", prev_hash" COL_HASH ", hash" COL_HASH ", PRIMARY KEY (user_id, seq))",
    "CREATE TABLE vg_idempotency (user_id" COL_I64 ", key" COL_KEY ", fingerprint" COL_HASH
    ", status" COL_INT ", result" COL_TEXT ", created_at" COL_I64 ", PRIMARY KEY (user_id, key))",
    NULL,
};
static const char *const migration_4[] = {
    "CREATE TABLE vg_credentials (user_id BIGINT PRIMARY KEY REFERENCES vg_users (id)"
    ", password_hash" COL_TEXT ", lang" COL_TEXT ", password_changed_at" COL_I64 ")",
    /* every code ever issued, with its outcome: user_id 0 is a code sent before the
     * account existed, so it has no foreign key */
    "CREATE TABLE vg_email_verifications (id" COL_ID ", user_id" COL_I64 ", email" COL_KEY
    ", code_hash" COL_HASH ", attempts" COL_INT ", state" COL_INT ", created_at" COL_I64
    ", expires_at" COL_I64 ", last_attempt_at" COL_I64 ", closed_at" COL_I64 ")",
    "CREATE INDEX vg_email_verifications_by_email ON vg_email_verifications (email, id)",
    "CREATE TABLE vg_rate_limits (key" COL_KEY " PRIMARY KEY, count" COL_INT
    ", window_start" COL_I64 ", blocked_until" COL_I64 ")",
    "CREATE TABLE vg_sessions (id" COL_ID ", user_id" COL_USER ", created_at" COL_I64
    ", revoked_at" COL_I64 ", revoked_reason" COL_INT ")",
    "CREATE INDEX vg_sessions_by_user ON vg_sessions (user_id)",
    /* session_id 0: a token of no session (a password reset), so it has no foreign key */
    "CREATE TABLE vg_tokens (hash" COL_HASH " PRIMARY KEY, kind" COL_INT ", user_id" COL_USER
    ", session_id" COL_I64 ", state" COL_INT ", issued_at" COL_I64 ", expires_at" COL_I64
    ", used_at" COL_I64 ")",
    "CREATE INDEX vg_tokens_by_user ON vg_tokens (user_id, kind, state)",
    NULL,
};
/* The similarity cache. An entry is never deleted: cache_entry_delete leaves a tombstone
 * (deleted 1, dimension 0, vector NULL) with a new seq, so that a reader following seq
 * learns of it. seq is drawn from vg_cache_seq under an advisory lock (pg_cache.c). owner_id
 * is the host's user, not necessarily one of vg_users, so it has no foreign key. A vector is
 * `dimension` float32 in the machine's byte order. */
static const char *const migration_5[] = {
    "CREATE SEQUENCE vg_cache_seq AS BIGINT",
    "CREATE TABLE vg_cache_entries (id" COL_ID ", seq" COL_I64 " UNIQUE, deleted" COL_INT
    ", scope" COL_KEY ", prompt" COL_TEXT ", prompt_hash" COL_HASH ", fingerprint" COL_KEY
    ", result" COL_TEXT ", owner_id" COL_I64 ", owner_only" COL_INT ", cost_micro_usd" COL_I64
    ", hits" COL_I64 ", created_at" COL_I64 ", expires_at" COL_I64 ", last_hit_at" COL_I64
    ", dimension" COL_INT ", vector BYTEA NULL)", /* NULL in a tombstone */
    "CREATE INDEX vg_cache_entries_live ON vg_cache_entries (scope, prompt_hash) "
    "WHERE deleted = 0",
    "CREATE TABLE vg_embeddings (prompt_hash" COL_HASH ", fingerprint" COL_KEY
    ", created_at" COL_I64 ", dimension" COL_INT ", vector BYTEA NOT NULL"
    ", PRIMARY KEY (prompt_hash, fingerprint))",
    "CREATE TABLE vg_block_cache (prompt_hash" COL_HASH " PRIMARY KEY, reason" COL_TEXT
    ", created_at" COL_I64 ", expires_at" COL_I64 ")",
    "CREATE TABLE vg_counters (name" COL_KEY " PRIMARY KEY, value" COL_I64 ")",
    NULL,
};

/* Generation jobs, their inputs, the inspiration gallery, as in sqlite_schema.c: hold_id,
 * input_job_id and leader_id are 0 for none, so they have no foreign keys; 3 is
 * VG_STORE_JOB_FINAL. vg_jobs_open holds the jobs job_claim looks at (unfinished, or
 * finished and not settled), vg_jobs_by_user serves a user's list newest first,
 * vg_jobs_active_by_scope the unfinished jobs of a similarity scope. An input's data is
 * stored without compression (photos are compressed already). A gallery example's job_id
 * is 0 when it was seeded. */
static const char *const migration_6[] = {
    "CREATE TABLE vg_jobs (id" COL_ID ", version" COL_I64 ", user_id" COL_USER
    ", idempotency_key" COL_KEY ", request_hash" COL_HASH ", service" COL_TEXT ", kind" COL_INT
    ", state" COL_INT ", stage" COL_INT ", priority" COL_INT ", scope" COL_KEY
    ", prompt" COL_TEXT ", enhanced_prompt" COL_TEXT ", lang" COL_TEXT ", resolution" COL_INT
    ", duration_s" COL_INT ", fps" COL_INT ", style" COL_TEXT ", input_hash" COL_HASH
    ", has_input" COL_INT ", input_job_id" COL_I64 ", is_public" COL_INT ", hold_id" COL_I64
    ", price" COL_INT ", free_use" COL_INT ", watermark" COL_INT ", settled" COL_INT
    ", charged" COL_INT ", leader_id" COL_I64 ", cache_hit" COL_INT
    ", similarity DOUBLE PRECISION NOT NULL, provider" COL_TEXT ", provider_job_id" COL_TEXT
    ", fallback" COL_INT ", attempts" COL_INT ", poll_errors" COL_INT ", percent" COL_INT
    ", media_type" COL_TEXT ", result_url" COL_TEXT ", thumbnail_url" COL_TEXT ", width" COL_INT
    ", height" COL_INT ", result_duration_s" COL_INT ", placeholder" COL_INT
    ", api_cost_micro_usd" COL_I64 ", error" COL_INT ", error_detail" COL_TEXT
    ", lease_owner" COL_TEXT ", lease_until" COL_I64 ", next_run_at" COL_I64
    ", created_at" COL_I64 ", updated_at" COL_I64 ", submitted_at" COL_I64
    ", finished_at" COL_I64 ", UNIQUE (user_id, idempotency_key))",
    "CREATE INDEX vg_jobs_open ON vg_jobs (lease_until, next_run_at) "
    "WHERE (state < 3 OR settled = 0)",
    "CREATE INDEX vg_jobs_by_user ON vg_jobs (user_id, id)",
    "CREATE INDEX vg_jobs_active_by_scope ON vg_jobs (scope, id) WHERE state < 3",
    "CREATE TABLE vg_job_inputs (hash" COL_HASH " PRIMARY KEY, mime" COL_TEXT
    ", created_at" COL_I64 ", size" COL_I64 ", data BYTEA NOT NULL)",
    "ALTER TABLE vg_job_inputs ALTER COLUMN data SET STORAGE EXTERNAL",
    "CREATE TABLE vg_gallery (id" COL_ID ", topic" COL_KEY ", lang" COL_KEY ", title" COL_TEXT
    ", prompt" COL_TEXT ", service" COL_TEXT ", media_type" COL_TEXT ", result_url" COL_TEXT
    ", thumbnail_url" COL_TEXT ", job_id" COL_I64 ", created_at" COL_I64 ")",
    "CREATE INDEX vg_gallery_by_topic ON vg_gallery (topic, lang, id)",
    NULL,
};

/* Payments, as in sqlite_schema.c: an order's number and its user's idempotency key are
 * each unique; vg_orders_by_user serves a user's list newest first, vg_orders_unpaid_by_expiry
 * the orders not yet paid (states below 2, VG_ORDER_PAID) that the expiry sweep looks for. A
 * subscription is one per user, found by the end of its period; a promotion is kept by its
 * upper-case code, a redemption by its user's idempotency key and counted by code and user;
 * a webhook event by its provider's id. Texts that are keys or ordered (numbers, codes,
 * currencies) compare by bytes. */
static const char *const migration_7[] = {
    "CREATE TABLE vg_orders (id" COL_ID ", version" COL_I64 ", number" COL_KEY " UNIQUE"
    ", user_id" COL_USER ", idempotency_key" COL_KEY ", request_hash" COL_HASH ", kind" COL_INT
    ", item" COL_TEXT ", state" COL_INT ", provider" COL_TEXT ", currency" COL_KEY
    ", amount_minor" COL_I64 ", discount_pct" COL_INT ", credits" COL_I64
    ", provider_ref" COL_TEXT ", failure" COL_TEXT ", created_at" COL_I64
    ", updated_at" COL_I64 ", paid_at" COL_I64 ", fulfilled_at" COL_I64 ", expires_at" COL_I64
    ", UNIQUE (user_id, idempotency_key))",
    "CREATE INDEX vg_orders_by_user ON vg_orders (user_id, id)",
    "CREATE INDEX vg_orders_unpaid_by_expiry ON vg_orders (expires_at) WHERE state < 2",
    "CREATE TABLE vg_subscriptions (user_id BIGINT PRIMARY KEY REFERENCES vg_users (id)"
    ", plan" COL_KEY ", state" COL_INT ", provider" COL_TEXT ", provider_ref" COL_TEXT
    ", next_plan" COL_KEY ", started_at" COL_I64 ", period_start" COL_I64
    ", period_end" COL_I64 ", updated_at" COL_I64 ")",
    "CREATE INDEX vg_subscriptions_by_period_end ON vg_subscriptions (period_end)",
    "CREATE TABLE vg_promos (code" COL_KEY " PRIMARY KEY, bonus_credits" COL_I64
    ", bonus_ttl_days" COL_INT ", valid_from" COL_I64 ", valid_until" COL_I64
    ", max_redemptions" COL_INT ", per_user" COL_INT ", plans" COL_TEXT ", active" COL_INT
    ", redeemed" COL_I64 ", created_at" COL_I64 ")",
    "CREATE TABLE vg_redemptions (code" COL_KEY " REFERENCES vg_promos (code)"
    ", user_id" COL_USER ", idempotency_key" COL_KEY ", credits" COL_I64 ", at" COL_I64
    ", PRIMARY KEY (user_id, idempotency_key))",
    "CREATE INDEX vg_redemptions_by_code ON vg_redemptions (code, user_id)",
    "CREATE TABLE vg_webhook_events (provider" COL_KEY ", event_id" COL_KEY
    ", event_type" COL_TEXT ", received_at" COL_I64 ", PRIMARY KEY (provider, event_id))",
    NULL,
};

/* migrations[v] takes the schema from v - 1 to v. */
static const char *const *const migrations[] = {
    [1] = migration_1,
    [2] = migration_2,
    [3] = migration_3,
    [4] = migration_4,
    [5] = migration_5,
    [6] = migration_6,
    [7] = migration_7,
};

#define LATEST ((int)(sizeof migrations / sizeof migrations[0]) - 1)

_Static_assert(LATEST == VG_STORE_SCHEMA_VERSION, "PostgreSQL migrations and the core disagree");

/* Runs a query that answers one integer. */
static int query_int(int64_t *out, vg_store_conn *conn, pg_stmt id)
{
    PGresult *res = NULL;
    int rc = vg__pg_exec(&res, conn, id, NULL, "cannot read the schema");

    if (rc != VG_OK)
        return rc;
    *out = PQntuples(res) > 0 ? vg__pg_int64(res, 0, 0) : 0;
    PQclear(res);
    return VG_OK;
}

int vg__pg_schema_get(int *out, vg_store_conn *conn)
{
    char detail[128];
    int64_t n;
    int rc;

    /* The first openings of a store each migrate and seed the catalog in one transaction:
     * one at a time, the others then find the schema in place. */
    if (conn->mode == VG_TXN_WRITE &&
        (rc = vg__pg_exec(NULL, conn, PG_SCHEMA_LOCK, NULL, "cannot lock the schema")) != VG_OK)
        return rc;
    if ((rc = query_int(&n, conn, PG_SCHEMA_HAS_TABLE)) != VG_OK)
        return rc;
    if (n) {
        if ((rc = query_int(&n, conn, PG_SCHEMA_VERSION)) != VG_OK)
            return rc;
        *out = (int)n;
        return VG_OK;
    }
    /* Other tables are fine (a database shared with an application), ours are not. */
    if ((rc = query_int(&n, conn, PG_SCHEMA_OWN_TABLES)) != VG_OK)
        return rc;
    if (n > 0) {
        snprintf(detail, sizeof detail,
                 "the database holds %lld libvidgo tables (vg_*) but no schema version",
                 (long long)n);
        return vg__pg_say(conn, VG_ESTORE_CORRUPT, "cannot read the schema", detail);
    }
    *out = 0;
    return VG_OK;
}

int vg__pg_schema_step(vg_store_conn *conn, int to_version, vg_time now)
{
    const char *const *sql;
    char what[64];
    pg_params p;
    PGresult *res;
    int rc;

    snprintf(what, sizeof what, "cannot migrate to schema version %d", to_version);
    if (to_version < 1 || to_version > LATEST)
        return vg__pg_say(conn, VG_EUNSUPPORTED, what, "the backend has no such migration");
    /* DDL without parameters: nothing is interpolated, so one-off statements do */
    for (sql = migrations[to_version]; *sql; sql++) {
        res = PQexecParams(conn->pg, *sql, 0, NULL, NULL, NULL, NULL, 0);
        rc = PQresultStatus(res) == PGRES_COMMAND_OK ? VG_OK : vg__pg_fail(conn, res, what);
        PQclear(res);
        if (rc != VG_OK)
            return rc;
    }
    vg__pg_params_init(&p);
    vg__pg_param_int64(&p, to_version);
    vg__pg_param_int64(&p, now);
    return vg__pg_exec(NULL, conn, PG_SCHEMA_RECORD, &p, "cannot record the migration");
}

static const vg_store_backend postgres_backend = {
    .version = VG_STORE_BACKEND_VERSION,
    .name = "postgresql",
    .connect = pg_connect,
    .disconnect = pg_disconnect,
    .errmsg = pg_errmsg,
    .begin = pg_begin,
    .commit = pg_commit,
    .rollback = pg_rollback,
    .schema_get = vg__pg_schema_get,
    .schema_step = vg__pg_schema_step,
    .meta_get = vg__pg_meta_get,
    .meta_put = vg__pg_meta_put,
    .meta_delete = vg__pg_meta_delete,
    .event_append = vg__pg_event_append,
    .event_list = vg__pg_event_list,
    .check = vg__pg_check,
    .plan_put = vg__pg_plan_put,
    .plan_get = vg__pg_plan_get,
    .plans_list = vg__pg_plans_list,
    .service_put = vg__pg_service_put,
    .service_get = vg__pg_service_get,
    .services_list = vg__pg_services_list,
    .package_put = vg__pg_package_put,
    .package_get = vg__pg_package_get,
    .packages_list = vg__pg_packages_list,
    .user_insert = vg__pg_user_insert,
    .user_get = vg__pg_user_get,
    .user_find = vg__pg_user_find,
    .user_set_plan = vg__pg_user_set_plan,
    .users_list = vg__pg_users_list,
    .wallet_get = vg__pg_wallet_get,
    .wallet_put = vg__pg_wallet_put,
    .lot_insert = vg__pg_lot_insert,
    .lot_update = vg__pg_lot_update,
    .lot_get = vg__pg_lot_get,
    .lots_list = vg__pg_lots_list,
    .hold_insert = vg__pg_hold_insert,
    .hold_update = vg__pg_hold_update,
    .hold_get = vg__pg_hold_get,
    .holds_list_open = vg__pg_holds_list_open,
    .hold_part_insert = vg__pg_hold_part_insert,
    .hold_parts_list = vg__pg_hold_parts_list,
    .ledger_append = vg__pg_ledger_append,
    .ledger_list = vg__pg_ledger_list,
    .idempotency_get = vg__pg_idempotency_get,
    .idempotency_put = vg__pg_idempotency_put,
    .user_set_status = vg__pg_user_set_status,
    .credential_put = vg__pg_credential_put,
    .credential_get = vg__pg_credential_get,
    .code_insert = vg__pg_code_insert,
    .code_update = vg__pg_code_update,
    .codes_list = vg__pg_codes_list,
    .limit_get = vg__pg_limit_get,
    .limit_put = vg__pg_limit_put,
    .session_insert = vg__pg_session_insert,
    .session_get = vg__pg_session_get,
    .sessions_revoke = vg__pg_sessions_revoke,
    .token_insert = vg__pg_token_insert,
    .token_get = vg__pg_token_get,
    .tokens_close = vg__pg_tokens_close,
    .cache_entry_insert = vg__pg_cache_entry_insert,
    .cache_entry_delete = vg__pg_cache_entry_delete,
    .cache_entry_touch = vg__pg_cache_entry_touch,
    .cache_entries_changed = vg__pg_cache_entries_changed,
    .cache_entry_get = vg__pg_cache_entry_get,
    .embedding_put = vg__pg_embedding_put,
    .embedding_get = vg__pg_embedding_get,
    .block_put = vg__pg_block_put,
    .block_get = vg__pg_block_get,
    .counter_add = vg__pg_counter_add,
    .counter_get = vg__pg_counter_get,
    .job_insert = vg__pg_job_insert,
    .job_get = vg__pg_job_get,
    .job_find = vg__pg_job_find,
    .job_update = vg__pg_job_update,
    .job_claim = vg__pg_job_claim,
    .jobs_list = vg__pg_jobs_list,
    .input_put = vg__pg_input_put,
    .input_get = vg__pg_input_get,
    .gallery_insert = vg__pg_gallery_insert,
    .gallery_list = vg__pg_gallery_list,
    .gallery_delete = vg__pg_gallery_delete,
    .order_insert = vg__pg_order_insert,
    .order_get = vg__pg_order_get,
    .order_find = vg__pg_order_find,
    .order_find_key = vg__pg_order_find_key,
    .order_update = vg__pg_order_update,
    .orders_list = vg__pg_orders_list,
    .subscription_put = vg__pg_subscription_put,
    .subscription_get = vg__pg_subscription_get,
    .subscriptions_due = vg__pg_subscriptions_due,
    .promo_put = vg__pg_promo_put,
    .promo_get = vg__pg_promo_get,
    .promos_list = vg__pg_promos_list,
    .redemption_insert = vg__pg_redemption_insert,
    .redemption_find = vg__pg_redemption_find,
    .redemptions_count = vg__pg_redemptions_count,
    .webhook_event_insert = vg__pg_webhook_event_insert,
    .stats_query = vg__pg_stats_query,
};

const vg_store_backend *vg_store_backend_postgres(void)
{
    return &postgres_backend;
}
