/* SPDX-License-Identifier: MIT */
/* Emitters: deferred values from any thread to a JS function, through a thread-safe
 * function that never blocks the caller and never keeps the process alive. */
#include "vgn_internal.h"

#include <stdlib.h>

struct vgn_emitter {
    napi_threadsafe_function tsfn;
    int released;  /* vgn_emitter_free was called */
    int finalized; /* the tsfn is gone (released, or torn down with the environment) */
};

/* Main thread: turns the value into JS and calls the function. An exception it throws is
 * reported as uncaught, as an EventEmitter listener's would be. */
static void call_js(napi_env env, napi_value fn, void *context, void *data)
{
    napi_value undefined, arg, ignored, error;
    (void)context;
    if (env && fn) {
        napi_get_undefined(env, &undefined);
        arg = vgn_val_to_js(env, data);
        if (arg && napi_call_function(env, undefined, fn, 1, &arg, &ignored) == napi_ok) {
            vgn_val_free(data);
            return;
        }
        if (napi_get_and_clear_last_exception(env, &error) == napi_ok)
            napi_fatal_exception(env, error);
    }
    vgn_val_free(data);
}

/* The struct has two owners, the tsfn and the handle that frees it: the last one frees it
 * (at environment teardown Node may finalize the tsfn before the handle is finalized). */
static void finalize(napi_env env, void *data, void *hint)
{
    vgn_emitter *e = data;
    (void)env;
    (void)hint;
    e->finalized = 1;
    if (e->released)
        free(e);
}

vgn_emitter *vgn_emitter_new(napi_env env, napi_value fn, const char *name)
{
    napi_value resource;
    vgn_emitter *e = calloc(1, sizeof *e);
    if (!e) {
        napi_throw_error(env, "ERR_VIDGO_NOMEM", "out of memory");
        return NULL;
    }
    napi_create_string_utf8(env, name, NAPI_AUTO_LENGTH, &resource);
    if (napi_create_threadsafe_function(env, fn, NULL, resource, 0, 1, e, finalize, NULL,
                                        call_js, &e->tsfn) != napi_ok) {
        free(e);
        return NULL;
    }
    napi_unref_threadsafe_function(env, e->tsfn);
    return e;
}

void vgn_emit(vgn_emitter *emitter, vgn_val *value)
{
    if (!emitter || napi_call_threadsafe_function(emitter->tsfn, value, napi_tsfn_nonblocking) != napi_ok)
        vgn_val_free(value);
}

void vgn_emitter_free(vgn_emitter *emitter)
{
    /* Values already queued are still delivered; then the tsfn finalizer frees the struct. */
    if (!emitter)
        return;
    emitter->released = 1;
    if (emitter->finalized)
        free(emitter);
    else
        napi_release_threadsafe_function(emitter->tsfn, napi_tsfn_release);
}
