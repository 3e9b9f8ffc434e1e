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

#define VG_STORE_BACKEND_VERSION 2

/* The schema version the core expects a backend to create (see vg_store_schema_latest). */
#define VG_STORE_SCHEMA_VERSION 3

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
} vg_store_backend;

/* Returns the built-in SQLite backend (always compiled in). */
VG_API const vg_store_backend *vg_store_backend_sqlite(void);

/* Returns the built-in PostgreSQL backend, or NULL when the library was built without it. */
VG_API const vg_store_backend *vg_store_backend_postgres(void);

VG_END_DECLS

#endif
