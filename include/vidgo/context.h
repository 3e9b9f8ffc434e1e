/* SPDX-License-Identifier: MIT */
/* Global initialisation and the context: one open store plus everything configured for it. */
#ifndef VIDGO_CONTEXT_H
#define VIDGO_CONTEXT_H

#include "common.h"
#include "config.h"

VG_BEGIN_DECLS

/* Initialises the libraries libvidgo stands on (libsodium, libcurl). Idempotent and
 * thread-safe; vg_open() calls it too. Returns VG_OK, or VG_ERROR if either cannot start. */
VG_API int vg_global_init(void);

/*
 * Opens the store named by the config (NULL config = all defaults), creating it when
 * VG_OPEN_CREATE is set and upgrading an older schema to this library's, and returns a new
 * context in *out, owned by the caller (vg_close). The context may be shared by threads.
 * Returns VG_OK, VG_EINVAL, VG_EVERSION, VG_ECONFIG, VG_EUTF8 (location not UTF-8),
 * VG_ENOMEM, VG_EUNSUPPORTED (a PostgreSQL URL in a build without it), VG_ESTORE_OPEN
 * (missing without VG_OPEN_CREATE, a directory, no permission), VG_ESTORE_CORRUPT (not a
 * libvidgo store), VG_ESTORE_VERSION (schema newer than this library), VG_ESTORE_READONLY
 * (read-only and the schema is older), VG_EBUSY, VG_EIO, VG_ESTORE.
 * On failure *out is NULL and vg_error_last() says why.
 */
VG_API int vg_open(vg_ctx **out, const vg_config *config);

/* Closes the context and frees everything it owns. NULL is a no-op. No other thread may
 * be using the context. */
VG_API void vg_close(vg_ctx *ctx);

/* Returns the message of the most recent failure of a call on this context from any
 * thread ("" if none). The text is copied for the calling thread and stays valid until its
 * next libvidgo call. For a per-call answer in multi-threaded code use vg_error_last(). */
VG_API const char *vg_ctx_errmsg(vg_ctx *ctx);

/* Returns the status code of the most recent failure on this context (VG_OK if none). */
VG_API int vg_ctx_errcode(vg_ctx *ctx);

/* Returns the context's default language tag ("en", ...); static storage. */
VG_API const char *vg_ctx_lang(const vg_ctx *ctx);

/* Returns the current time by the context's clock (microseconds since the epoch, UTC). */
VG_API vg_time vg_ctx_now(const vg_ctx *ctx);

VG_END_DECLS

#endif
