/* SPDX-License-Identifier: MIT */
/* What a host may ask of the context's store: its backend, its schema, and an integrity check. */
#ifndef VIDGO_STORE_H
#define VIDGO_STORE_H

#include "common.h"

VG_BEGIN_DECLS

/* Returns the schema version this library creates and expects. */
VG_API int vg_store_schema_latest(void);

/* Reads the schema version of the context's store into *out. Returns VG_OK, VG_EINVAL,
 * or a store error. */
VG_API int vg_store_schema_version(int *out, vg_ctx *ctx);

/* Returns 1 if this build of the library has the named built-in backend ("sqlite",
 * "postgresql"), else 0. */
VG_API int vg_store_backend_available(const char *name);

/* Returns the name of the context's storage backend ("sqlite", "postgresql", ...). */
VG_API const char *vg_store_backend_name(const vg_ctx *ctx);

/* Returns where the store is (a path, or a URL with any password replaced by "***"). */
VG_API const char *vg_store_location(const vg_ctx *ctx);

/* Receives one entry of the store's journal of administrative events: its increasing id,
 * when it happened, its kind ("store.created", "schema.migrated", ...) and a detail text.
 * The strings live only during the call. Return 0 to go on, non-zero to stop. */
typedef int (*vg_event_fn)(int64_t id, vg_time at, const char *kind, const char *detail,
                           void *payload);

/* Calls callback for up to `limit` (1..10000) journal entries with id > after_id, oldest
 * first. Returns VG_OK, VG_EINVAL, or a store error. */
VG_API int vg_store_events(vg_ctx *ctx, int64_t after_id, int limit, vg_event_fn callback,
                           void *payload);

/* Receives one problem found by vg_check(): which check found it ("sqlite.integrity",
 * "schema", later "wallet.balance", ...), what it concerns (a table, a user), and a
 * human-readable detail. The strings live only during the call. */
typedef void (*vg_check_fn)(const char *check, const char *subject, const char *detail,
                            void *payload);

/*
 * Verifies the whole store: the backend's own integrity check, the schema version, and
 * every invariant the library's domains define. Each problem goes to `callback` (which may
 * be NULL); *out_problems (may be NULL) receives their number. Returns VG_OK when nothing
 * is wrong, VG_EINVARIANT when problems were found, VG_EINVAL, or a store error if the
 * check itself could not run. Reads only; safe while other processes use the store.
 */
VG_API int vg_check(size_t *out_problems, vg_ctx *ctx, vg_check_fn callback, void *payload);

VG_END_DECLS

#endif
