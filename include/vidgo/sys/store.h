/* SPDX-License-Identifier: MIT */
/* The storage backend interface: a versioned vtable of connections, transactions and records. */
#ifndef VIDGO_SYS_STORE_H
#define VIDGO_SYS_STORE_H

#include "../common.h"
#include "../config.h"

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

#define VG_STORE_BACKEND_VERSION 1

/* The schema version the core expects a backend to create (see vg_store_schema_latest). */
#define VG_STORE_SCHEMA_VERSION 2

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
} vg_store_backend;

/* Returns the built-in SQLite backend (always compiled in). */
VG_API const vg_store_backend *vg_store_backend_sqlite(void);

/* Returns the built-in PostgreSQL backend, or NULL when the library was built without it. */
VG_API const vg_store_backend *vg_store_backend_postgres(void);

VG_END_DECLS

#endif
