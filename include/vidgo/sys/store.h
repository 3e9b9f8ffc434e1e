/* SPDX-License-Identifier: MIT */
/* The storage backend interface: a versioned vtable of connections, transactions and records. */
#ifndef VIDGO_SYS_STORE_H
#define VIDGO_SYS_STORE_H

#include "../common.h"
#include "../config.h"
#include "../credits.h"
#include "../plans.h"
#include "../users.h"

VG_BEGIN_DECLS

/*
 * How to write a backend (docs/storage-backends.md has the long form):
 *
 * - A backend is a `vg_store_backend` table of functions. The core owns a pool of
 *   connections made with `connect`; a connection is used by one thread at a time and
 *   always inside a transaction that the core opened with `begin`.
 * - Backends store and fetch records; they hold no business rules. They never retry:
 *   return VG_EBUSY or VG_ECONFLICT and the core's transaction helper retries the whole
 *   transaction a bounded number of times.
 * - A VG_TXN_WRITE transaction must serialise with every other writer on the store, across
 *   processes: SQLite takes the write lock at begin (BEGIN IMMEDIATE); a server database
 *   locks the rows it reads with `for_update` set (SELECT ... FOR UPDATE).
 * - Every method returns a vg_status; on failure `errmsg` describes the last one, without
 *   secrets. Strings returned to the core are allocated with the params' `alloc`.
 * - Every method of version 1 is required but `check`. New methods are only ever added at
 *   the end; the core calls a method only when the backend's `version` says it exists, and
 *   treats an unset (NULL) optional method as VG_EUNSUPPORTED.
 */

#define VG_STORE_BACKEND_VERSION 6

/* The schema version the core expects a backend to create (see vg_store_schema_latest). */
#define VG_STORE_SCHEMA_VERSION 7

/* A backend's connection; its layout is the backend's own. */
typedef struct vg_store_conn vg_store_conn;

/* What a transaction will do: only read, or also write (then it serialises with writers). */
typedef enum vg_txn_mode {
    VG_TXN_READ = 0,
    VG_TXN_WRITE = 1
} vg_txn_mode;

#define VG_STORE_PARAMS_VERSION 1

/* What the core hands to `connect`. Everything lives at least as long as the connection. */
typedef struct vg_store_params {
    unsigned int version;       /* VG_STORE_PARAMS_VERSION */
    const char *location;       /* the store as configured: a path or URL */
    unsigned int flags;         /* VG_OPEN_CREATE, VG_OPEN_READONLY */
    int busy_timeout_ms;        /* how long a writer may wait for a lock before VG_EBUSY */
    vg_alloc_fn alloc;          /* allocator for strings handed back to the core */
    void *alloc_payload;
} vg_store_params;

/* One entry of the store's journal of administrative events (created, migrated, ...). */
typedef struct vg_store_event {
    int64_t id;                 /* assigned by the store, increasing */
    vg_time at;
    const char *kind;           /* short ASCII key: "store.created", "schema.migrated" */
    const char *detail;         /* free UTF-8 text, never a secret */
} vg_store_event;

/* Receives one event during event_list; return 0 to go on, non-zero to stop. */
typedef int (*vg_store_event_fn)(const vg_store_event *event, void *payload);

/* --- Records of version 2: users, wallets and the catalog ---------------------------- *
 * Fixed-size strings are NUL-terminated; a backend stores them as text and fills them back
 * in full. Amounts are int64. Hashes are 32 raw bytes. Callbacks return 0 to go on. */

#define VG_STORE_HASH_SIZE 32
#define VG_STORE_KEY_SIZE 201    /* idempotency keys: 1..200 bytes of UTF-8 */
#define VG_STORE_RESULT_SIZE 640 /* an idempotent call's stored outcome, as text */

/* A wallet's current state: credits in each bucket that are not held, and the chain head. */
typedef struct vg_store_wallet {
    int64_t user_id;
    int64_t subscription;
    int64_t purchased;
    int64_t bonus;              /* the sum of the remaining amounts of its bonus lots */
    int64_t held;               /* the sum of its open holds' credit parts */
    int free_uses;
    int free_uses_held;
    vg_time week_start;         /* the Monday 00:00 UTC of the last weekly reset applied */
    int64_t last_seq;           /* the last ledger row (0: none yet) */
    unsigned char last_hash[VG_STORE_HASH_SIZE];
} vg_store_wallet;

/* One bonus grant ("lot"), spent earliest expiry first. */
typedef struct vg_store_lot {
    int64_t id;                 /* assigned by lot_insert */
    int64_t user_id;
    int64_t amount;             /* as granted */
    int64_t remaining;          /* not spent, not held, not expired */
    vg_time granted_at;
    vg_time expires_at;
} vg_store_lot;

typedef struct vg_store_hold {
    int64_t id;                 /* assigned by hold_insert */
    int64_t user_id;
    char service[VG_NAME_SIZE];
    char reference[VG_REFERENCE_SIZE];
    int64_t price;
    int64_t from_bonus;
    int64_t from_subscription;
    int64_t from_purchased;
    int free_use;
    int state;                  /* vg_hold_state */
    int64_t forfeited;
    vg_time created_at;
    vg_time expires_at;
    vg_time settled_at;
    vg_time week_start;         /* the wallet's week when the hold was placed */
} vg_store_hold;

/* The part of a hold's bonus that came from one lot. */
typedef struct vg_store_hold_part {
    int64_t hold_id;
    int64_t lot_id;
    int64_t amount;
} vg_store_hold_part;

typedef struct vg_store_ledger_row {
    int64_t user_id;
    int64_t seq;
    vg_time at;
    vg_time effective_at;
    int type;                   /* vg_ledger_type */
    int64_t amount;
    int64_t bonus, subscription, purchased;
    int free_uses;
    int64_t bonus_after, subscription_after, purchased_after, total_after;
    int free_uses_after;
    char service[VG_NAME_SIZE];
    char reference[VG_REFERENCE_SIZE];
    char idempotency_key[VG_STORE_KEY_SIZE];
    int64_t hold_id;
    unsigned char prev_hash[VG_STORE_HASH_SIZE];
    unsigned char hash[VG_STORE_HASH_SIZE];
} vg_store_ledger_row;

/* The stored outcome of an idempotent call. */
typedef struct vg_store_idempotency {
    int64_t user_id;
    char key[VG_STORE_KEY_SIZE];
    unsigned char fingerprint[VG_STORE_HASH_SIZE]; /* of the request */
    int status;                 /* the call's vg_status */
    char result[VG_STORE_RESULT_SIZE];             /* the outcome, encoded by the core */
    vg_time created_at;
} vg_store_idempotency;

/* --- Records of version 3: accounts ------------------------------------------------- *
 * Secrets never reach a backend in clear: passwords arrive as argon2id strings, codes and
 * tokens as keyed 32-byte hashes. */

#define VG_STORE_PWHASH_SIZE 128 /* an argon2id string, terminator included */
#define VG_STORE_LANG_SIZE 8     /* a language tag: "en", "zh-TW" */
#define VG_STORE_LIMIT_KEY_SIZE 96

/* A user's password and language. */
typedef struct vg_store_credential {
    int64_t user_id;
    char password_hash[VG_STORE_PWHASH_SIZE];
    char lang[VG_STORE_LANG_SIZE];
    vg_time password_changed_at;
} vg_store_credential;

/* What became of an e-mail verification code (the audit of vg_store_code.state). */
typedef enum vg_code_state {
    VG_CODE_SENDING = 0,     /* issued, the e-mail is on its way; not yet valid */
    VG_CODE_PENDING = 1,     /* sent and valid until it expires */
    VG_CODE_VERIFIED = 2,    /* the right code was entered */
    VG_CODE_EXPIRED = 3,     /* entered after its expiry */
    VG_CODE_EXHAUSTED = 4,   /* killed by too many wrong tries */
    VG_CODE_REPLACED = 5,    /* a newer code was sent */
    VG_CODE_SEND_FAILED = 6  /* the e-mail could not be sent; never valid, not counted */
} vg_code_state;

/* One verification code issued to an e-mail address, with its attempts and outcome. */
typedef struct vg_store_code {
    int64_t id;                 /* assigned by code_insert */
    int64_t user_id;            /* 0 until the account exists (a code sent at registration) */
    char email[VG_EMAIL_SIZE];
    unsigned char code_hash[VG_STORE_HASH_SIZE];
    int attempts;               /* wrong tries so far */
    int state;                  /* vg_code_state */
    vg_time created_at;
    vg_time expires_at;
    vg_time last_attempt_at;    /* 0: none */
    vg_time closed_at;          /* when it left VG_CODE_SENDING/PENDING; 0: open */
} vg_store_code;

/* A counter of one rate limit (failed logins of an account, of a caller, ...). */
typedef struct vg_store_limit {
    char key[VG_STORE_LIMIT_KEY_SIZE];
    int count;
    vg_time window_start;
    vg_time blocked_until;      /* 0: not blocked */
} vg_store_limit;

/* Why a session was revoked. */
typedef enum vg_revoke_reason {
    VG_REVOKE_NONE = 0,
    VG_REVOKE_LOGOUT = 1,
    VG_REVOKE_REUSE = 2,        /* a rotated refresh token was presented again */
    VG_REVOKE_PASSWORD = 3,     /* the password was reset */
    VG_REVOKE_DISABLED = 4      /* the account was disabled */
} vg_revoke_reason;

/* A signed-in session: the family of refresh tokens of one login. */
typedef struct vg_store_session {
    int64_t id;                 /* assigned by session_insert */
    int64_t user_id;
    vg_time created_at;
    vg_time revoked_at;         /* 0: live */
    int revoked_reason;         /* vg_revoke_reason */
} vg_store_session;

/* Kinds and states of single-use tokens. */
typedef enum vg_token_kind {
    VG_TOKEN_REFRESH = 1,
    VG_TOKEN_RESET = 2          /* a password reset */
} vg_token_kind;

typedef enum vg_token_state {
    VG_TOKEN_LIVE = 0,
    VG_TOKEN_USED = 1,          /* spent: a refresh token rotated, a reset token redeemed */
    VG_TOKEN_REPLACED = 2,      /* a newer token of the same kind took its place */
    VG_TOKEN_REVOKED = 3
} vg_token_state;

/* A single-use token, known to the store only by its keyed hash. */
typedef struct vg_store_token {
    unsigned char hash[VG_STORE_HASH_SIZE];
    int kind;                   /* vg_token_kind */
    int64_t user_id;
    int64_t session_id;         /* refresh tokens: their session; else 0 */
    int state;                  /* vg_token_state */
    vg_time issued_at;
    vg_time expires_at;
    vg_time used_at;            /* when it left VG_TOKEN_LIVE; 0: live */
} vg_store_token;

typedef int (*vg_store_code_fn)(const vg_store_code *code, void *payload);

/* --- Records of version 4: the similarity cache ---------------------------------------- *
 * Vectors are float32 in the machine's byte order (little-endian on every supported
 * machine), `dimension` of them, stored as one blob. A record read by a list method points
 * into the backend's row: valid only during the callback. */

#define VG_STORE_SCOPE_SIZE 256       /* a cache scope key, terminator included */
#define VG_STORE_PROMPT_SIZE 2048     /* a normalised prompt, terminator included */
#define VG_STORE_CACHE_RESULT_SIZE 1024
#define VG_STORE_FINGERPRINT_SIZE 128 /* an embedder: "name/model/dimension" */

/* One cached result. */
typedef struct vg_store_cache_entry {
    int64_t id;                 /* assigned by cache_entry_insert */
    int64_t seq;                /* assigned by the store at insert and at delete: increasing */
    int deleted;                /* 1 after cache_entry_delete (kept as a tombstone) */
    char scope[VG_STORE_SCOPE_SIZE];
    char prompt[VG_STORE_PROMPT_SIZE];       /* normalised */
    unsigned char prompt_hash[VG_STORE_HASH_SIZE]; /* of scope and normalised prompt */
    char fingerprint[VG_STORE_FINGERPRINT_SIZE];
    char result[VG_STORE_CACHE_RESULT_SIZE]; /* the host's reference to the output */
    int64_t owner_id;           /* the user who paid for it */
    int owner_only;             /* 1: only its owner may be served it */
    int64_t cost_micro_usd;     /* what a generation of it costs */
    int64_t hits;
    vg_time created_at;
    vg_time expires_at;         /* 0: never */
    vg_time last_hit_at;
    int dimension;              /* floats in vector */
    const float *vector;        /* L2-normalised */
} vg_store_cache_entry;

/* A stored embedding of a normalised prompt by one embedder (so a prompt is embedded once). */
typedef struct vg_store_embedding {
    unsigned char prompt_hash[VG_STORE_HASH_SIZE]; /* of the normalised prompt alone */
    char fingerprint[VG_STORE_FINGERPRINT_SIZE];
    vg_time created_at;
    int dimension;
    const float *vector;
} vg_store_embedding;

/* A moderation verdict remembered by the hash of a normalised prompt (the block cache). */
typedef struct vg_store_block {
    unsigned char prompt_hash[VG_STORE_HASH_SIZE];
    char reason[VG_NAME_SIZE];  /* a reason code: "adult", "violence", ... */
    vg_time created_at;
    vg_time expires_at;
} vg_store_block;

typedef int (*vg_store_cache_entry_fn)(const vg_store_cache_entry *entry, void *payload);

/* --- Records of version 5: generation jobs, their inputs, the gallery ----------------------- *
 * A job's `state` is a small integer chosen by the core; the store knows only that states
 * below VG_STORE_JOB_FINAL are unfinished. */

#define VG_STORE_JOB_FINAL 3
#define VG_STORE_URL_SIZE 2048
#define VG_STORE_PROVIDER_JOB_SIZE 128
#define VG_STORE_WORKER_SIZE 64
#define VG_STORE_STYLE_SIZE 64
#define VG_STORE_DETAIL_SIZE 256
#define VG_STORE_MIME_SIZE 64
#define VG_STORE_TITLE_SIZE 128

/* One generation job and everything a worker needs to resume it. */
typedef struct vg_store_job {
    int64_t id;                 /* assigned by job_insert */
    int64_t version;            /* 1 at insert, +1 at each job_update and job_claim */
    int64_t user_id;
    char idempotency_key[VG_STORE_KEY_SIZE];      /* unique per user */
    unsigned char request_hash[VG_STORE_HASH_SIZE]; /* of the request, for conflicts */
    char service[VG_NAME_SIZE];
    int kind;                   /* vg_task_kind */
    int state;                  /* the core's; < VG_STORE_JOB_FINAL while unfinished */
    int stage;                  /* the core's: 0 generate, 1 upscale */
    int priority;               /* 1: served first */
    char scope[VG_STORE_SCOPE_SIZE];              /* the similarity cache's scope key */
    char prompt[VG_STORE_PROMPT_SIZE];            /* as the user wrote it */
    char enhanced_prompt[VG_STORE_PROMPT_SIZE];
    char lang[VG_STORE_LANG_SIZE];
    int resolution, duration_s, fps;
    char style[VG_STORE_STYLE_SIZE];
    unsigned char input_hash[VG_STORE_HASH_SIZE]; /* of a product photo (input_put) */
    int has_input;              /* input_hash is set */
    int64_t input_job_id;
    int is_public;
    int64_t hold_id;
    int price, free_use, watermark;
    int settled;                /* 1: the hold was settled as the state requires */
    int charged;                /* 1: the hold was captured */
    int64_t leader_id;
    int cache_hit;
    double similarity;
    char provider[VG_NAME_SIZE];
    char provider_job_id[VG_STORE_PROVIDER_JOB_SIZE];
    int fallback, attempts, poll_errors, percent;
    char media_type[16];
    char result_url[VG_STORE_URL_SIZE];
    char thumbnail_url[VG_STORE_URL_SIZE];
    int width, height, result_duration_s, placeholder;
    int64_t api_cost_micro_usd;
    int error;                  /* a vg_status; 0 none */
    char error_detail[VG_STORE_DETAIL_SIZE];      /* for support; never a secret */
    char lease_owner[VG_STORE_WORKER_SIZE];       /* "" when not leased */
    vg_time lease_until;
    vg_time next_run_at;        /* not due before */
    vg_time created_at, updated_at, submitted_at, finished_at;
} vg_store_job;

/* What job_claim looks for, and the lease it takes. */
typedef struct vg_store_job_claim {
    vg_time now;
    vg_time aged_before;        /* jobs created before this count as priority */
    const char *lease_owner;
    vg_time lease_until;
} vg_store_job_claim;

/* Which jobs jobs_list returns. */
typedef struct vg_store_job_filter {
    int64_t user_id;            /* 0: every user's */
    const char *scope;          /* NULL: any */
    int active_only;            /* only states < VG_STORE_JOB_FINAL */
    int64_t before_id;          /* 0: no bound */
    int limit;                  /* 1..1000 */
} vg_store_job_filter;

/* An input file of a job (a product photo), kept once per content hash. */
typedef struct vg_store_input {
    unsigned char hash[VG_STORE_HASH_SIZE];
    char mime[VG_STORE_MIME_SIZE];
    size_t size;
    const unsigned char *data;  /* when read: valid until the backend's next call on conn */
    vg_time created_at;
} vg_store_input;

/* One example of the inspiration gallery. */
typedef struct vg_store_example {
    int64_t id;                 /* assigned by gallery_insert */
    char topic[VG_NAME_SIZE];
    char lang[VG_STORE_LANG_SIZE];
    char title[VG_STORE_TITLE_SIZE];
    char prompt[VG_STORE_PROMPT_SIZE];
    char service[VG_NAME_SIZE];
    char media_type[16];
    char result_url[VG_STORE_URL_SIZE];
    char thumbnail_url[VG_STORE_URL_SIZE];
    int64_t job_id;             /* 0 when seeded */
    vg_time created_at;
} vg_store_example;

typedef int (*vg_store_job_fn)(const vg_store_job *job, void *payload);
typedef int (*vg_store_example_fn)(const vg_store_example *example, void *payload);

/* --- Records of version 6: payments ---------------------------------------------------------- *
 * Orders, subscriptions, promotion codes and their redemptions, processed webhook events,
 * and the aggregate figures of vg_admin_stats_get. States are the core's small integers. */

#define VG_STORE_ORDER_NUMBER_SIZE 21
#define VG_STORE_CURRENCY_SIZE 4
#define VG_STORE_REF_SIZE 64
#define VG_STORE_PROMO_CODE_SIZE 33
#define VG_STORE_PLANS_SIZE 128

/* One order. */
typedef struct vg_store_order {
    int64_t id;                 /* assigned by order_insert */
    int64_t version;            /* 1 at insert, +1 at each order_update */
    char number[VG_STORE_ORDER_NUMBER_SIZE];        /* unique */
    int64_t user_id;
    char idempotency_key[VG_STORE_KEY_SIZE];        /* unique per user */
    unsigned char request_hash[VG_STORE_HASH_SIZE];
    int kind;
    char item[VG_NAME_SIZE];
    int state;
    char provider[VG_NAME_SIZE];
    char currency[VG_STORE_CURRENCY_SIZE];
    int64_t amount_minor;
    int discount_pct;
    int64_t credits;
    char provider_ref[VG_STORE_REF_SIZE];
    char failure[VG_STORE_TITLE_SIZE];
    vg_time created_at, updated_at, paid_at, fulfilled_at, expires_at;
} vg_store_order;

/* Which orders orders_list returns (newest first). */
typedef struct vg_store_order_filter {
    int64_t user_id;            /* 0: every user's */
    int64_t before_id;          /* 0: no bound */
    int max_state;              /* only states <= max_state; -1: any */
    vg_time expires_before;     /* only orders with 0 < expires_at < this; 0: any */
    int limit;                  /* 1..1000 */
} vg_store_order_filter;

/* A user's subscription (one per user). */
typedef struct vg_store_subscription {
    int64_t user_id;
    char plan[VG_NAME_SIZE];
    int state;
    char provider[VG_NAME_SIZE];
    char provider_ref[VG_STORE_REF_SIZE];
    char next_plan[VG_NAME_SIZE];
    vg_time started_at, period_start, period_end, updated_at;
} vg_store_subscription;

/* A promotion code (stored upper-case). */
typedef struct vg_store_promo {
    char code[VG_STORE_PROMO_CODE_SIZE];
    int64_t bonus_credits;
    int bonus_ttl_days;
    vg_time valid_from, valid_until;
    int max_redemptions, per_user;
    char plans[VG_STORE_PLANS_SIZE];
    int active;
    int64_t redeemed;
    vg_time created_at;
} vg_store_promo;

/* One redemption of a code by a user. */
typedef struct vg_store_redemption {
    char code[VG_STORE_PROMO_CODE_SIZE];
    int64_t user_id;
    char idempotency_key[VG_STORE_KEY_SIZE];   /* unique per user */
    int64_t credits;
    vg_time at;
} vg_store_redemption;

/* A provider's webhook event, kept so that each is processed once. */
typedef struct vg_store_webhook_event {
    char provider[VG_NAME_SIZE];
    char event_id[VG_STORE_REF_SIZE];          /* unique per provider */
    char event_type[VG_STORE_REF_SIZE];
    vg_time received_at;
} vg_store_webhook_event;

/* The figures stats_query aggregates. */
typedef enum vg_store_stat {
    VG_STORE_STAT_USERS_PER_PLAN = 0,   /* key plan, a users */
    VG_STORE_STAT_ACTIVE_SUBSCRIPTIONS = 1, /* key "", a subscriptions with state == arg */
    VG_STORE_STAT_REVENUE = 2,          /* key currency, a sum(amount_minor), b orders: orders
                                         * in state == arg */
    VG_STORE_STAT_LEDGER_BY_SERVICE = 3, /* key service, a -sum(amount), b rows: ledger rows
                                          * of type == arg with a service */
    VG_STORE_STAT_LEDGER_TOTAL = 4,     /* key "", a sum(amount), b rows: ledger rows of
                                         * type == arg */
    VG_STORE_STAT_JOB_COST = 5          /* key "", a sum(api_cost_micro_usd), b jobs: jobs in
                                         * state == arg */
} vg_store_stat;

typedef int (*vg_store_order_fn)(const vg_store_order *order, void *payload);
typedef int (*vg_store_subscription_fn)(const vg_store_subscription *subscription,
                                        void *payload);
typedef int (*vg_store_promo_fn)(const vg_store_promo *promo, void *payload);
/* One aggregated row: a key (plan, currency, service; "" for totals) and two figures. */
typedef int (*vg_store_stat_fn)(const char *key, int64_t a, int64_t b, void *payload);

typedef int (*vg_store_user_fn)(const vg_user *user, void *payload);
typedef int (*vg_store_lot_fn)(const vg_store_lot *lot, void *payload);
typedef int (*vg_store_hold_fn)(const vg_store_hold *hold, void *payload);
typedef int (*vg_store_hold_part_fn)(const vg_store_hold_part *part, void *payload);
typedef int (*vg_store_ledger_fn)(const vg_store_ledger_row *row, void *payload);
typedef int (*vg_store_package_fn)(const vg_package *package, void *payload);

/* Receives one problem during `check` (same meaning as vg_check_fn in vidgo/store.h). */
typedef void (*vg_store_problem_fn)(const char *check, const char *subject, const char *detail,
                                    void *payload);

typedef struct vg_store_backend {
    unsigned int version;       /* VG_STORE_BACKEND_VERSION the backend was written for */
    const char *name;           /* "sqlite", "postgresql", ... */

    /* -- version 1: connections ------------------------------------------------------ */

    /* Opens a connection into *out. On failure writes a message into errbuf (always
     * terminated) and returns VG_ESTORE_OPEN, VG_ESTORE_CONNECT, VG_ESTORE_CORRUPT, ... */
    int (*connect)(vg_store_conn **out, const vg_store_params *params, char *errbuf,
                   size_t errbuf_size);
    /* Closes a connection; a transaction still open is rolled back. NULL is a no-op. */
    void (*disconnect)(vg_store_conn *conn);
    /* Describes the connection's last failure; valid until the next call on it. */
    const char *(*errmsg)(vg_store_conn *conn);

    /* -- version 1: transactions ----------------------------------------------------- */

    int (*begin)(vg_store_conn *conn, vg_txn_mode mode);
    int (*commit)(vg_store_conn *conn);
    int (*rollback)(vg_store_conn *conn);

    /* -- version 1: schema ---------------------------------------------------------- */

    /* Reads the store's schema version into *out: 0 for an empty store. Returns
     * VG_ESTORE_CORRUPT if the store holds something that is not a libvidgo schema. Called
     * inside a transaction of either mode. */
    int (*schema_get)(int *out, vg_store_conn *conn);
    /* Applies the one migration that takes the schema from to_version - 1 to to_version
     * and records it (with `now`) so that schema_get returns to_version. Called inside a
     * VG_TXN_WRITE transaction; VG_EUNSUPPORTED for a version the backend does not know. */
    int (*schema_step)(vg_store_conn *conn, int to_version, vg_time now);

    /* -- version 1: records: meta (small settings, key -> UTF-8 value) --------------- */

    /* Reads a value into *out (allocated with params.alloc), or VG_ENOTFOUND. With
     * for_update set, the row stays locked against other writers until the transaction ends. */
    int (*meta_get)(char **out, vg_store_conn *conn, const char *key, int for_update);
    /* Inserts or replaces a value. */
    int (*meta_put)(vg_store_conn *conn, const char *key, const char *value);
    /* Deletes a value; VG_ENOTFOUND if there was none. */
    int (*meta_delete)(vg_store_conn *conn, const char *key);

    /* -- version 1: records: events ------------------------------------------------- */

    /* Appends an event (its id is ignored) and writes the new id to *out_id (may be NULL). */
    int (*event_append)(int64_t *out_id, vg_store_conn *conn, const vg_store_event *event);
    /* Calls callback for up to `limit` events with id > after_id, oldest first. */
    int (*event_list)(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_event_fn callback, void *payload);

    /* -- version 1: maintenance ----------------------------------------------------- */

    /* Runs the database's own integrity checks, reporting each problem; returns VG_OK
     * when the check ran (whatever it found) or a store error when it could not run. */
    int (*check)(vg_store_conn *conn, vg_store_problem_fn callback, void *payload);

    /* -- version 2: the catalog (plans, services, packages) --------------------------- *
     * put inserts or replaces by name; get returns VG_ENOTFOUND for an unknown name; list
     * orders plans by rank then name, services by name, packages by credits then name.
     * A backend sets `version` of the records it returns to the VG_*_VERSION it fills. */
    int (*plan_put)(vg_store_conn *conn, const vg_plan *plan);
    int (*plan_get)(vg_plan *out, vg_store_conn *conn, const char *name);
    int (*plans_list)(vg_store_conn *conn, vg_plan_fn callback, void *payload);
    int (*service_put)(vg_store_conn *conn, const vg_service *service);
    int (*service_get)(vg_service *out, vg_store_conn *conn, const char *name);
    int (*services_list)(vg_store_conn *conn, vg_service_fn callback, void *payload);
    int (*package_put)(vg_store_conn *conn, const vg_package *package);
    int (*package_get)(vg_package *out, vg_store_conn *conn, const char *name);
    int (*packages_list)(vg_store_conn *conn, vg_store_package_fn callback, void *payload);

    /* -- version 2: users ------------------------------------------------------------- */

    /* Inserts a user (its id is ignored) and writes the new id; VG_EEMAIL_TAKEN if the
     * e-mail exists. */
    int (*user_insert)(int64_t *out_id, vg_store_conn *conn, const vg_user *user);
    /* Reads a user by id (locking its row with for_update) or by exact e-mail. */
    int (*user_get)(vg_user *out, vg_store_conn *conn, int64_t id, int for_update);
    int (*user_find)(vg_user *out, vg_store_conn *conn, const char *email);
    /* VG_ENOTFOUND if there is no such user (likewise lot_update and hold_update). */
    int (*user_set_plan)(vg_store_conn *conn, int64_t id, const char *plan);
    /* Up to `limit` users with id > after_id, by id. */
    int (*users_list)(vg_store_conn *conn, int64_t after_id, int limit,
                      vg_store_user_fn callback, void *payload);

    /* -- version 2: wallets ----------------------------------------------------------- *
     * The core always reads the user and then its wallet with for_update before it touches
     * that user's lots, holds, ledger or idempotency records: a server backend that locks
     * those two rows serialises every change of one wallet. */

    /* Reads a wallet (locking it with for_update); VG_ENOTFOUND if there is none. */
    int (*wallet_get)(vg_store_wallet *out, vg_store_conn *conn, int64_t user_id,
                      int for_update);
    /* Inserts or replaces a wallet. */
    int (*wallet_put)(vg_store_conn *conn, const vg_store_wallet *wallet);

    int (*lot_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_lot *lot);
    int (*lot_update)(vg_store_conn *conn, int64_t lot_id, int64_t remaining);
    int (*lot_get)(vg_store_lot *out, vg_store_conn *conn, int64_t lot_id);
    /* The user's lots with remaining > 0, earliest expiry first (then by id). */
    int (*lots_list)(vg_store_conn *conn, int64_t user_id, vg_store_lot_fn callback,
                     void *payload);

    int (*hold_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_hold *hold);
    /* Writes state, forfeited and settled_at of an existing hold. */
    int (*hold_update)(vg_store_conn *conn, const vg_store_hold *hold);
    int (*hold_get)(vg_store_hold *out, vg_store_conn *conn, int64_t hold_id, int for_update);
    /* The user's open holds (state VG_HOLD_OPEN), earliest expiry first (then by id). */
    int (*holds_list_open)(vg_store_conn *conn, int64_t user_id, vg_store_hold_fn callback,
                           void *payload);
    int (*hold_part_insert)(vg_store_conn *conn, const vg_store_hold_part *part);
    int (*hold_parts_list)(vg_store_conn *conn, int64_t hold_id, vg_store_hold_part_fn callback,
                           void *payload);

    /* Appends a ledger row; (user_id, seq) is unique: VG_ECONSTRAINT if taken. */
    int (*ledger_append)(vg_store_conn *conn, const vg_store_ledger_row *row);
    /* Up to `limit` rows of a user: ascending, those with seq > from_seq; descending,
     * those with seq < from_seq (from_seq 0: from the newest). */
    int (*ledger_list)(vg_store_conn *conn, int64_t user_id, int64_t from_seq, int limit,
                       int ascending, vg_store_ledger_fn callback, void *payload);

    /* Reads the outcome stored under (user_id, key); VG_ENOTFOUND if none. */
    int (*idempotency_get)(vg_store_idempotency *out, vg_store_conn *conn, int64_t user_id,
                           const char *key);
    /* Stores an outcome; VG_ECONSTRAINT if (user_id, key) exists. */
    int (*idempotency_put)(vg_store_conn *conn, const vg_store_idempotency *record);

    /* -- version 3: accounts ---------------------------------------------------------- *
     * The core reads the user row with for_update before it changes that user's
     * credential, codes, sessions or tokens. */

    /* Writes verified and active of a user; VG_ENOTFOUND if there is none. */
    int (*user_set_status)(vg_store_conn *conn, int64_t id, int verified, int active);

    /* Inserts or replaces a user's credential; reads it (VG_ENOTFOUND if none). */
    int (*credential_put)(vg_store_conn *conn, const vg_store_credential *credential);
    int (*credential_get)(vg_store_credential *out, vg_store_conn *conn, int64_t user_id);

    /* Inserts a code (its id is ignored) and writes the new id. */
    int (*code_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_code *code);
    /* Writes user_id, attempts, state, last_attempt_at and closed_at of an existing code. */
    int (*code_update)(vg_store_conn *conn, const vg_store_code *code);
    /* The codes of an e-mail address created at or after `since`, newest first (by id). */
    int (*codes_list)(vg_store_conn *conn, const char *email, vg_time since,
                      vg_store_code_fn callback, void *payload);

    /* Reads a rate-limit counter (VG_ENOTFOUND if none). With for_update, the key stays
     * locked against other writers until the transaction ends, whether or not it exists. */
    int (*limit_get)(vg_store_limit *out, vg_store_conn *conn, const char *key,
                     int for_update);
    /* Inserts or replaces a counter. */
    int (*limit_put)(vg_store_conn *conn, const vg_store_limit *limit);

    /* Inserts a session (its id is ignored) and writes the new id; reads one. */
    int (*session_insert)(int64_t *out_id, vg_store_conn *conn,
                          const vg_store_session *session);
    int (*session_get)(vg_store_session *out, vg_store_conn *conn, int64_t id, int for_update);
    /* Marks the user's live sessions (id 0: all of them; else only that one) revoked at `at`
     * for `reason`, and writes how many it revoked to *out_count (may be NULL). */
    int (*sessions_revoke)(int *out_count, vg_store_conn *conn, int64_t user_id, int64_t id,
                           vg_time at, int reason);

    /* Inserts a token; VG_ECONSTRAINT if its hash exists. */
    int (*token_insert)(vg_store_conn *conn, const vg_store_token *token);
    /* Reads a token by hash (VG_ENOTFOUND if none). */
    int (*token_get)(vg_store_token *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE], int for_update);
    /* Moves the user's live tokens of `kind` to `state` at `at`: the one with `hash`, or
     * all of them when hash is NULL. Writes how many it changed to *out_count (may be NULL). */
    int (*tokens_close)(int *out_count, vg_store_conn *conn, int64_t user_id, int kind,
                        const unsigned char *hash, int state, vg_time at);

    /* -- version 4: the similarity cache ------------------------------------------------ */

    /* Inserts an entry (id, seq, deleted and hits ignored: 0) and writes its new id. */
    int (*cache_entry_insert)(int64_t *out_id, vg_store_conn *conn,
                              const vg_store_cache_entry *entry);
    /* Marks an entry deleted and gives it a new seq; VG_ENOTFOUND if no live entry has id. */
    int (*cache_entry_delete)(vg_store_conn *conn, int64_t id);
    /* Adds `hits` to an entry's hits and sets last_hit_at (seq unchanged); VG_ENOTFOUND if
     * no live entry has id. */
    int (*cache_entry_touch)(vg_store_conn *conn, int64_t id, int64_t hits, vg_time at);
    /* Up to `limit` entries with seq > after_seq, by seq, tombstones included (their vector
     * may be NULL). */
    int (*cache_entries_changed)(vg_store_conn *conn, int64_t after_seq, int limit,
                                 vg_store_cache_entry_fn callback, void *payload);
    /* Reads a live entry by id. The vector points into storage the backend keeps until its
     * next call on conn. */
    int (*cache_entry_get)(vg_store_cache_entry *out, vg_store_conn *conn, int64_t id);

    /* Stores an embedding (inserted, or replaced for the same hash and fingerprint); reads
     * one (VG_ENOTFOUND if none; the vector as for cache_entry_get). */
    int (*embedding_put)(vg_store_conn *conn, const vg_store_embedding *embedding);
    int (*embedding_get)(vg_store_embedding *out, vg_store_conn *conn,
                         const unsigned char hash[VG_STORE_HASH_SIZE], const char *fingerprint);

    /* Inserts or replaces a verdict; reads one (VG_ENOTFOUND if none). */
    int (*block_put)(vg_store_conn *conn, const vg_store_block *block);
    int (*block_get)(vg_store_block *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);

    /* Adds delta to a named counter (created at 0) and writes the new value to *out (may be
     * NULL); reads one (0 if it does not exist). Names: 1..63 bytes of ASCII. */
    int (*counter_add)(int64_t *out, vg_store_conn *conn, const char *name, int64_t delta);
    int (*counter_get)(int64_t *out, vg_store_conn *conn, const char *name);

    /* -- version 5: generation jobs, inputs, the gallery ----------------------------------- */

    /* Inserts a job (id ignored; version set to 1) and writes its id; VG_EEXISTS when the
     * user already has a job with that idempotency key. */
    int (*job_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_job *job);
    /* Reads a job by id (for_update: lock it), or by user and idempotency key. */
    int (*job_get)(vg_store_job *out, vg_store_conn *conn, int64_t id, int for_update);
    int (*job_find)(vg_store_job *out, vg_store_conn *conn, int64_t user_id,
                    const char *idempotency_key);
    /* Writes every field of job->id when the stored version equals job->version, and sets
     * the stored version to job->version + 1; VG_ESTATE when the version differs (someone
     * changed the job since it was read; not retried), VG_ENOTFOUND when there is no such
     * job. */
    int (*job_update)(vg_store_conn *conn, const vg_store_job *job);
    /* In a VG_TXN_WRITE transaction: takes the first due job — unfinished with
     * next_run_at <= now, or finished with settled = 0 — whose lease_until <= now, ordered
     * by (priority = 1 or created_at < aged_before) first, then created_at, then id; sets
     * its lease_owner and lease_until, bumps its version, and writes it to *out.
     * VG_ENOTFOUND when no job is due. */
    int (*job_claim)(vg_store_job *out, vg_store_conn *conn, const vg_store_job_claim *claim);
    /* Jobs matching the filter, newest (highest id) first. */
    int (*jobs_list)(vg_store_conn *conn, const vg_store_job_filter *filter,
                     vg_store_job_fn callback, void *payload);

    /* Stores an input unless one with the same hash exists; reads one (VG_ENOTFOUND). */
    int (*input_put)(vg_store_conn *conn, const vg_store_input *input);
    int (*input_get)(vg_store_input *out, vg_store_conn *conn,
                     const unsigned char hash[VG_STORE_HASH_SIZE]);

    /* Inserts an example (id ignored) and writes its id; lists examples of a topic and a
     * language (NULL: any) by id; deletes one (VG_ENOTFOUND). */
    int (*gallery_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_example *example);
    int (*gallery_list)(vg_store_conn *conn, const char *topic, const char *lang,
                        vg_store_example_fn callback, void *payload);
    int (*gallery_delete)(vg_store_conn *conn, int64_t id);

    /* -- version 6: payments --------------------------------------------------------------- */

    /* Inserts an order (id ignored, version 1) and writes its id; VG_EEXISTS when the number,
     * or the user's idempotency key, is taken. */
    int (*order_insert)(int64_t *out_id, vg_store_conn *conn, const vg_store_order *order);
    /* Reads an order by id, by number, or by user and idempotency key (for_update: lock). */
    int (*order_get)(vg_store_order *out, vg_store_conn *conn, int64_t id, int for_update);
    int (*order_find)(vg_store_order *out, vg_store_conn *conn, const char *number,
                      int for_update);
    int (*order_find_key)(vg_store_order *out, vg_store_conn *conn, int64_t user_id,
                          const char *idempotency_key);
    /* Writes every field when the stored version equals order->version, then stores
     * version + 1; VG_ESTATE when it differs, VG_ENOTFOUND when there is no such order. */
    int (*order_update)(vg_store_conn *conn, const vg_store_order *order);
    int (*orders_list)(vg_store_conn *conn, const vg_store_order_filter *filter,
                       vg_store_order_fn callback, void *payload);

    /* Inserts or replaces a user's subscription; reads it (VG_ENOTFOUND when none); lists
     * those whose period_end <= due_before with state in [min_state, max_state], by
     * period_end, at most limit (1..1000). */
    int (*subscription_put)(vg_store_conn *conn, const vg_store_subscription *subscription);
    int (*subscription_get)(vg_store_subscription *out, vg_store_conn *conn, int64_t user_id,
                            int for_update);
    int (*subscriptions_due)(vg_store_conn *conn, vg_time due_before, int min_state,
                             int max_state, int limit, vg_store_subscription_fn callback,
                             void *payload);

    /* Inserts or replaces a promotion (every field, redeemed included); reads one by its
     * upper-case code (VG_ENOTFOUND); lists them by code. */
    int (*promo_put)(vg_store_conn *conn, const vg_store_promo *promo);
    int (*promo_get)(vg_store_promo *out, vg_store_conn *conn, const char *code, int for_update);
    int (*promos_list)(vg_store_conn *conn, vg_store_promo_fn callback, void *payload);
    /* Records a redemption (VG_EEXISTS when the user's idempotency key is taken); finds one
     * by user and key (VG_ENOTFOUND); counts a code's redemptions by one user (0: all). */
    int (*redemption_insert)(vg_store_conn *conn, const vg_store_redemption *redemption);
    int (*redemption_find)(vg_store_redemption *out, vg_store_conn *conn, int64_t user_id,
                           const char *idempotency_key);
    int (*redemptions_count)(int64_t *out, vg_store_conn *conn, const char *code,
                             int64_t user_id);

    /* Records a webhook event; VG_EEXISTS when (provider, event_id) was recorded before. */
    int (*webhook_event_insert)(vg_store_conn *conn, const vg_store_webhook_event *event);

    /* Aggregates one figure (see vg_store_stat; `arg` selects the state or ledger type) and
     * calls callback once per key, by key. */
    int (*stats_query)(vg_store_conn *conn, vg_store_stat stat, int arg,
                       vg_store_stat_fn callback, void *payload);
} vg_store_backend;

/* Returns the built-in SQLite backend (always compiled in). */
VG_API const vg_store_backend *vg_store_backend_sqlite(void);

/* Returns the built-in PostgreSQL backend, or NULL when the library was built without it. */
VG_API const vg_store_backend *vg_store_backend_postgres(void);

VG_END_DECLS

#endif
