/* SPDX-License-Identifier: MIT */
/* The core's side of storage: the connection pool, the transaction helper and record calls. */
#ifndef VG_STORE_INTERNAL_H
#define VG_STORE_INTERNAL_H

#include "../core/internal.h"

/* An open transaction on one pooled connection, handed to the body of vg__txn_run. */
typedef struct vg__txn {
    vg_ctx *ctx;
    const vg_store_backend *backend;
    vg_store_conn *conn;
    vg_txn_mode mode;
} vg__txn;

/* The body of a transaction. It may run more than once (after a conflict the whole
 * transaction is retried), so it must have no effect outside the store but its result. */
typedef int (*vg__txn_fn)(vg__txn *txn, void *payload);

/* Most times a transaction body runs (the first run and its retries after VG_EBUSY or
 * VG_ECONFLICT); retries also stop once the context's busy timeout has passed. */
#define VG__TXN_MAX_ATTEMPTS 8

/* Picks the backend for a store location and connects the pool's first connection, then
 * brings the schema up to date. */
int vg__store_open(vg_ctx *ctx, const vg_config *config);
void vg__store_close(vg_ctx *ctx);

/* Runs body inside a transaction of the given mode on a pooled connection: commits when it
 * returns VG_OK, rolls back otherwise, and runs the whole of it again on VG_EBUSY or
 * VG_ECONFLICT, at most VG__TXN_MAX_ATTEMPTS times in all and only within the busy timeout.
 * Returns the body's status or the store's. */
int vg__txn_run(vg_ctx *ctx, vg_txn_mode mode, vg__txn_fn body, void *payload);

/* Connection pool (pool.c). */
int vg__pool_acquire(vg_ctx *ctx, vg_store_conn **out);
void vg__pool_release(vg_ctx *ctx, vg_store_conn *conn);
void vg__pool_destroy(vg_ctx *ctx);

/* Brings the schema to `target` (migrate.c); VG_ESTORE_VERSION if the store is newer. */
int vg__schema_migrate(vg__txn *txn, int target);

/* Record calls (records.c): each checks that the backend has the method, and records a
 * failure on the context with the backend's message. */
int vg__meta_get(vg__txn *txn, char **out, const char *key, int for_update);
int vg__meta_put(vg__txn *txn, const char *key, const char *value);
int vg__meta_delete(vg__txn *txn, const char *key);
int vg__event_append(vg__txn *txn, const char *kind, const char *detail);
int vg__event_list(vg__txn *txn, int64_t after_id, int limit, vg_store_event_fn callback,
                   void *payload);

/* Turns a backend failure into a context failure with the backend's message. */
int vg__store_fail(vg__txn *txn, int code, const char *what);

#endif
