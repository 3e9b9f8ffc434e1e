/* SPDX-License-Identifier: MIT */
/* What the toolkit's own files share (not the API-group files). */
#ifndef VGN_INTERNAL_H
#define VGN_INTERNAL_H

#include "vgn.h"

/* errno of ClosedError: never a vg_status (vg_error_code_at returns 1 for no code). */
#define VGN_CLOSED 1

typedef struct vgn_handle vgn_handle;

/* Per-env state (napi_set_instance_data). */
typedef struct vgn_instance {
    napi_ref error_factory; /* lib/errors.js: (errno, message, retryAfter, lang) => Error */
    napi_ref handle_registry; /* lib/native.js: (object, external) => registers the object */
} vgn_instance;

vgn_instance *vgn_instance_of(napi_env env);

/* Returns the Error for a status: the JS factory's, else a plain Error. */
napi_value vgn_make_error(napi_env env, int rc, const char *message, int retry_after,
                          const char *lang);

/* The handle behind a JS value (any kind), or NULL if the value is not one. */
vgn_handle *vgn_handle_of(napi_env env, napi_value value);
/* Takes a call on a live handle of `kind`: returns its pointer and copies its language, or
 * returns NULL (closed: *closed = 1; not a handle of that kind: *closed = 0). */
void *vgn_handle_acquire(vgn_handle *h, vgn_kind kind, char lang[8], int *closed);
void vgn_handle_release(vgn_handle *h);
/* The pointer of the context a handle descends from (itself for a context). */
const void *vgn_handle_context(const vgn_handle *h);
void vgn_handle_close(vgn_handle *h);
/* Called once the handle's JS object was collected (the registry's callback). */
void vgn_handle_finalize(vgn_handle *h);
/* Makes a long call on the handle return (a worker's stop), if its kind has a way. */
void vgn_handle_interrupt(vgn_handle *h);
int vgn_handle_is_closed(const vgn_handle *h);
const char *vgn_kind_name(vgn_kind kind);

#endif
