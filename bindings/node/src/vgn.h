/* SPDX-License-Identifier: MIT */
/*
 * The addon's toolkit: everything the API-group files (accounts.c, credits.c, ...) share.
 *
 * One native function per C function. Each call is an "op": the JS arguments are read and
 * copied on the main thread (vgn_op_*), the C function runs in exec() — on the main thread
 * for a sync op, on libuv's thread pool for an async one, on a thread of its own for one
 * that may wait on other calls — and exec() describes its result
 * as a deferred value (vgn_val) that the main thread turns into JS: a plain value for a
 * sync op, the resolution of a Promise for an async one. A failed call (rc != 0) becomes
 * the VidgoError the JS layer's factory makes (lib/errors.js), with the message libvidgo
 * left on the thread that ran it.
 *
 * Handles (context, generator, worker, cache, embedder, flight) are JS objects wrapping a C
 * pointer. An op acquires the handles it uses while it runs; close() marks a handle closed
 * (new ops throw ClosedError), closes its children first, and frees the pointer when the
 * last op using it has finished — never twice, never under a running call. A garbage-
 * collected handle is closed the same way. All of this bookkeeping runs on the main thread.
 */
#ifndef VGN_H
#define VGN_H

#define NAPI_VERSION 8
#include <node_api.h>

#include <stddef.h>
#include <stdint.h>

#include <vidgo/vidgo.h>

/* ---- deferred values ------------------------------------------------------------------
 * A small tree of values built on any thread and turned into JS on the main thread.
 * Constructors return NULL when memory runs out; vgn_set/vgn_push accept a NULL child and
 * then mark the parent failed, so a tree is built without checks and the failure surfaces
 * once, when it is turned into JS (an Error "out of memory"). Object keys are not copied:
 * pass string literals. */
typedef struct vgn_val vgn_val;

vgn_val *vgn_object(void);
vgn_val *vgn_array(void);
vgn_val *vgn_null(void);
vgn_val *vgn_int(int64_t value);           /* a Number (ids, credits, counts: < 2^53) */
vgn_val *vgn_num(double value);
vgn_val *vgn_bool(int value);
vgn_val *vgn_str(const char *text);        /* copied; NULL gives null */
vgn_val *vgn_strn(const char *text, size_t len);
vgn_val *vgn_time(vg_time t);              /* a Date (millisecond precision); 0 gives null */
vgn_val *vgn_bytes(const void *data, size_t len); /* a Buffer (copied) */

/* Adds child (owned from now on) to an object under key (a literal), or to an array. */
void vgn_set(vgn_val *object, const char *key, vgn_val *child);
void vgn_push(vgn_val *array, vgn_val *child);

#define vgn_set_int(o, k, v) vgn_set((o), (k), vgn_int(v))
#define vgn_set_num(o, k, v) vgn_set((o), (k), vgn_num(v))
#define vgn_set_bool(o, k, v) vgn_set((o), (k), vgn_bool(v))
#define vgn_set_str(o, k, v) vgn_set((o), (k), vgn_str(v))
#define vgn_set_time(o, k, v) vgn_set((o), (k), vgn_time(v))

/* Returns the JS value of a tree (NULL: undefined), or NULL with a JS exception pending. */
napi_value vgn_val_to_js(napi_env env, const vgn_val *value);
void vgn_val_free(vgn_val *value);

/* ---- handles ---------------------------------------------------------------------- */

typedef enum vgn_kind {
    VGN_CONTEXT = 0, /* vg_ctx, freed by vg_close */
    VGN_GENERATOR,   /* vg_generator, vg_generator_close */
    VGN_WORKER,      /* vg_worker, vg_worker_free (vg_worker_stop first if running) */
    VGN_CACHE,       /* vg_cache, vg_cache_close */
    VGN_EMBEDDER,    /* vg_embedder *, vg_embedder_free */
    VGN_FLIGHT,      /* vg_cache_flight, vg_cache_flight_fail unless done */
    VGN_KIND_COUNT
} vgn_kind;

/* What a handle owns besides its pointer (callback bridges, copied options): released on
 * the main thread after the pointer is freed. */
typedef void (*vgn_extra_free_fn)(void *extra);

/* Returns a new JS handle object owning ptr, a child of parent (a handle object, or NULL
 * for a context): the parent's pointer outlives the child's, and closing the parent closes
 * the child first. On failure frees nothing, returns NULL with an exception pending. */
napi_value vgn_handle_new(napi_env env, vgn_kind kind, void *ptr, napi_value parent,
                          void *extra, vgn_extra_free_fn extra_free);

/* Returns the extra of a live handle of that kind (main thread), or NULL. */
void *vgn_handle_extra(napi_env env, napi_value handle, vgn_kind kind);

/* Marks a pointer as given up by the library itself (vg_cache_flight_done consumed it):
 * the handle closes without calling its free function. */
void vgn_handle_forget(napi_env env, napi_value handle);

/* ---- ops ---------------------------------------------------------------------------- */

typedef struct vgn_op vgn_op;
typedef void (*vgn_exec_fn)(vgn_op *op);

#define VGN_MAX_OP_HANDLES 3

/* The head of every op struct: `struct my_op { vgn_op op; ...arguments, outputs... };`.
 * exec sets rc (a vg_status) and, on success, result (NULL resolves to undefined). */
struct vgn_op {
    vgn_exec_fn exec;
    int rc;
    vgn_val *result;
    /* Optional, for ops that make a handle or set up JS-side state: called on the main
     * thread after exec, whatever rc (rc != 0 also when exec never ran: bad arguments).
     * On rc == 0 it sets *out to the JS result (e.g. vgn_handle_new(...) of the pointer exec
     * made; NULL with an exception pending fails the op); on rc != 0 it undoes what the op
     * owns outside its memory (frees the pointer exec made, an emitter). */
    void (*finish)(vgn_op *op, napi_value *out);
    napi_env env;         /* for the main-thread parts (argument readers, finish) */
    /* private */
    int arg_error;        /* 0, or the napi error kind of the first bad argument */
    char arg_message[256];
    char *error_text;     /* libvidgo's message of the failure */
    int retry_after;
    char lang[8];         /* the context's language, for the user message */
    struct vgn_handle *handles[VGN_MAX_OP_HANDLES];
    void *handle_ptrs[VGN_MAX_OP_HANDLES];
    napi_value handle_values[VGN_MAX_OP_HANDLES]; /* valid during the native call only */
    napi_ref handle_objects[VGN_MAX_OP_HANDLES];  /* made for ops with a finish */
    int handle_count;
    struct vgn_block *blocks; /* memory of copied arguments */
    napi_async_work work;
    napi_deferred deferred;
};

/* Returns a zeroed op of size bytes (>= sizeof(vgn_op)) that runs exec; NULL with an
 * exception pending when memory runs out. */
void *vgn_op_new(napi_env env, size_t size, vgn_exec_fn exec);

/* Argument readers. On a bad argument they record a TypeError/RangeError naming `name`
 * (only the first one counts) and return a zero value; vgn_op_run then throws it. Copies
 * belong to the op. `optional`: undefined and null give the zero value (NULL, 0). */
void *vgn_op_handle(vgn_op *op, napi_value value, vgn_kind kind);
/* Like vgn_op_handle, for a handle that must belong to the context ctx the op already
 * holds (an embedder given to a cache or generator of that engine): a RangeError if its
 * handle descends from another context. */
void *vgn_op_handle_of(vgn_op *op, napi_value value, vgn_kind kind, const vg_ctx *ctx);
/* The JS object of a handle the op acquired (ptr: what vgn_op_handle returned), for a
 * finish that makes a child handle; NULL when the op holds no such handle. */
napi_value vgn_op_handle_object(vgn_op *op, const void *ptr);
const char *vgn_op_string(vgn_op *op, napi_value value, const char *name, int optional);
int64_t vgn_op_int(vgn_op *op, napi_value value, const char *name, int optional);
double vgn_op_number(vgn_op *op, napi_value value, const char *name, int optional);
/* An integer in min..max (a RangeError otherwise); absent and optional gives 0. */
int64_t vgn_op_int_in(vgn_op *op, napi_value value, const char *name, int optional,
                      int64_t min, int64_t max);
/* An int (INT_MIN..INT_MAX); absent and optional gives 0. */
int vgn_op_int32(vgn_op *op, napi_value value, const char *name, int optional);
/* One of names[0..count) given by its name, or its index as a number; absent and optional
 * gives -1, anything else a TypeError/RangeError (and -1). name_of(i) spells name i. */
int vgn_op_enum(vgn_op *op, napi_value value, const char *name, int optional,
                const char *(*name_of)(int), int count);
/* 1 when value is undefined or null. */
int vgn_op_absent(vgn_op *op, napi_value value);
int vgn_op_bool(vgn_op *op, napi_value value, const char *name, int optional);
vg_time vgn_op_time(vgn_op *op, napi_value value, const char *name, int optional); /* Date|ms */
/* A Buffer, a typed array or a string (UTF-8); *len its size. */
const unsigned char *vgn_op_bytes(vgn_op *op, napi_value value, const char *name,
                                  size_t *len, int optional);
/* Property key of an options object (undefined when obj is undefined/null or lacks it). */
napi_value vgn_op_prop(vgn_op *op, napi_value obj, const char *key);
/* Zeroed memory owned by the op; NULL (and the op failed) when memory runs out. */
void *vgn_op_alloc(vgn_op *op, size_t size);
#define VGN_TYPE_ERROR 1  /* ERR_INVALID_ARG_TYPE */
#define VGN_RANGE_ERROR 2 /* ERR_INVALID_ARG_VALUE */

/* Records an argument error of a kind above (only the first one counts). */
void vgn_op_reject(vgn_op *op, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define VGN_SYNC 0
#define VGN_ASYNC 1  /* on libuv's thread pool: calls that end on their own */
#define VGN_THREAD 2 /* on a thread of its own: calls that may wait on other calls or run
                      * until stopped (a worker's run, a single-flight wait), which on the
                      * pool could starve the calls they wait for */

/* Runs the op (or throws its argument error) and frees it. Sync: returns the result or
 * throws the VidgoError. Async and thread: returns a Promise settled when exec has run off
 * the main thread. */
napi_value vgn_op_run(vgn_op *op, int mode);

/* ---- emitters ------------------------------------------------------------------------
 * Calls a JS function from any thread with a deferred value, without blocking and without
 * keeping the process alive (job events, log lines, e-mails). */
typedef struct vgn_emitter vgn_emitter;

vgn_emitter *vgn_emitter_new(napi_env env, napi_value fn, const char *name);
/* Any thread; takes the value; dropped once the emitter is being freed. */
void vgn_emit(vgn_emitter *emitter, vgn_val *value);
/* Main thread: no more calls after this; pending ones are dropped. */
void vgn_emitter_free(vgn_emitter *emitter);

/* ---- module ------------------------------------------------------------------------- */

typedef struct vgn_function {
    const char *name;
    napi_callback fn;
} vgn_function;

/* Adds functions to exports; returns 0, or -1 with an exception pending. */
int vgn_export(napi_env env, napi_value exports, const vgn_function *functions, size_t count);

/* Reads up to n arguments of the call (missing ones are undefined). */
#define VGN_ARGS(env, info, n, argv)                                                      \
    napi_value argv[n];                                                                     \
    do {                                                                                    \
        size_t argc_ = (n);                                                                 \
        if (napi_get_cb_info((env), (info), &argc_, argv, NULL, NULL) != napi_ok)           \
            return NULL;                                                                    \
        napi_value undefined_;                                                              \
        napi_get_undefined((env), &undefined_);                                             \
        for (size_t i_ = argc_; i_ < (n); i_++)                                             \
            argv[i_] = undefined_;                                                          \
    } while (0)

/* Each group file defines one of these; addon.c calls them all. */
int vgn_register_context(napi_env env, napi_value exports);
int vgn_register_accounts(napi_env env, napi_value exports);
int vgn_register_plans(napi_env env, napi_value exports);
int vgn_register_credits(napi_env env, napi_value exports);
int vgn_register_cache(napi_env env, napi_value exports);
int vgn_register_providers(napi_env env, napi_value exports);
int vgn_register_generate(napi_env env, napi_value exports);
int vgn_register_payments(napi_env env, napi_value exports);

#endif
