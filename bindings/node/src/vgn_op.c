/* SPDX-License-Identifier: MIT */
/* Ops: one call of a libvidgo function from JS: sync, on libuv's thread pool, or on a thread
 * of its own. */
#include "vgn_internal.h"

#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARG_TYPE VGN_TYPE_ERROR
#define ARG_RANGE VGN_RANGE_ERROR
#define ARG_CLOSED 3
#define ARG_NOMEM 4

/* Largest integer a JS Number holds exactly. */
#define MAX_SAFE_INTEGER 9007199254740991.0

struct vgn_block {
    struct vgn_block *next;
    size_t size;
    max_align_t data[];
};

void *vgn_op_new(napi_env env, size_t size, vgn_exec_fn exec)
{
    vgn_op *op = calloc(1, size < sizeof *op ? sizeof *op : size);
    if (!op) {
        napi_throw_error(env, "ERR_VIDGO_NOMEM", "out of memory");
        return NULL;
    }
    op->env = env;
    op->exec = exec;
    return op;
}

void vgn_op_reject(vgn_op *op, int kind, const char *fmt, ...)
{
    va_list ap;
    if (op->arg_error)
        return;
    op->arg_error = kind;
    va_start(ap, fmt);
    vsnprintf(op->arg_message, sizeof op->arg_message, fmt, ap);
    va_end(ap);
}

void *vgn_op_alloc(vgn_op *op, size_t size)
{
    struct vgn_block *block;
    if (op->arg_error)
        return NULL;
    block = calloc(1, sizeof *block + size);
    if (!block) {
        vgn_op_reject(op, ARG_NOMEM, "out of memory");
        return NULL;
    }
    block->next = op->blocks;
    block->size = size;
    op->blocks = block;
    return block->data;
}

static void op_free(vgn_op *op)
{
    if (op->finish) { /* it did not produce the result: undo */
        napi_value unused = NULL;
        if (!op->rc)
            op->rc = VG_ECANCELLED;
        op->finish(op, &unused);
    }
    while (op->blocks) { /* copies of arguments may be passwords, codes or tokens */
        struct vgn_block *next = op->blocks->next;
        explicit_bzero(op->blocks->data, op->blocks->size);
        free(op->blocks);
        op->blocks = next;
    }
    for (int i = 0; i < op->handle_count; i++) {
        if (op->handle_objects[i])
            napi_delete_reference(op->env, op->handle_objects[i]);
        vgn_handle_release(op->handles[i]);
    }
    vgn_val_free(op->result);
    free(op->error_text);
    free(op);
}

/* Reads the type of value; 1 when it is undefined or null. */
static int absent(vgn_op *op, napi_value value, napi_valuetype *type)
{
    if (napi_typeof(op->env, value, type) != napi_ok)
        *type = napi_undefined;
    return *type == napi_undefined || *type == napi_null;
}

static int missing(vgn_op *op, napi_value value, const char *name, int optional,
                   napi_valuetype *type)
{
    if (op->arg_error)
        return 1;
    if (!absent(op, value, type))
        return 0;
    if (!optional)
        vgn_op_reject(op, ARG_TYPE, "%s is required", name);
    return 1;
}

void *vgn_op_handle(vgn_op *op, napi_value value, vgn_kind kind)
{
    vgn_handle *h;
    void *ptr;
    int closed;
    if (op->arg_error)
        return NULL;
    if (op->handle_count == VGN_MAX_OP_HANDLES) {
        vgn_op_reject(op, ARG_TYPE, "too many handles in one call");
        return NULL;
    }
    h = vgn_handle_of(op->env, value);
    ptr = h ? vgn_handle_acquire(h, kind, op->lang, &closed) : NULL;
    if (ptr) {
        op->handle_values[op->handle_count] = value;
        op->handle_ptrs[op->handle_count] = ptr;
        op->handles[op->handle_count++] = h;
        return ptr;
    }
    if (h && closed)
        vgn_op_reject(op, ARG_CLOSED, "the %s is closed", vgn_kind_name(kind));
    else
        vgn_op_reject(op, ARG_TYPE, "a vidgo %s handle was expected", vgn_kind_name(kind));
    return NULL;
}

void *vgn_op_handle_of(vgn_op *op, napi_value value, vgn_kind kind, const vg_ctx *ctx)
{
    void *ptr = vgn_op_handle(op, value, kind);
    if (ptr && ctx && vgn_handle_context(op->handles[op->handle_count - 1]) != ctx) {
        vgn_op_reject(op, ARG_RANGE, "the %s belongs to another engine", vgn_kind_name(kind));
        return NULL;
    }
    return ptr;
}

napi_value vgn_op_handle_object(vgn_op *op, const void *ptr)
{
    napi_value object = NULL;
    for (int i = 0; i < op->handle_count; i++)
        if (op->handle_ptrs[i] == ptr && op->handle_objects[i])
            napi_get_reference_value(op->env, op->handle_objects[i], &object);
    return object;
}

const char *vgn_op_string(vgn_op *op, napi_value value, const char *name, int optional)
{
    napi_valuetype type;
    size_t len = 0;
    char *copy;
    if (missing(op, value, name, optional, &type))
        return NULL;
    if (type != napi_string) {
        vgn_op_reject(op, ARG_TYPE, "%s must be a string", name);
        return NULL;
    }
    napi_get_value_string_utf8(op->env, value, NULL, 0, &len);
    copy = vgn_op_alloc(op, len + 1);
    if (!copy)
        return NULL;
    napi_get_value_string_utf8(op->env, value, copy, len + 1, &len);
    if (strlen(copy) != len) {
        vgn_op_reject(op, ARG_RANGE, "%s must not contain NUL characters", name);
        return NULL;
    }
    return copy;
}

double vgn_op_number(vgn_op *op, napi_value value, const char *name, int optional)
{
    napi_valuetype type;
    double number = 0;
    if (missing(op, value, name, optional, &type))
        return 0;
    if (type != napi_number) {
        vgn_op_reject(op, ARG_TYPE, "%s must be a number", name);
        return 0;
    }
    napi_get_value_double(op->env, value, &number);
    if (!isfinite(number)) {
        vgn_op_reject(op, ARG_RANGE, "%s must be a finite number", name);
        return 0;
    }
    return number;
}

int64_t vgn_op_int(vgn_op *op, napi_value value, const char *name, int optional)
{
    double number = vgn_op_number(op, value, name, optional);
    if (op->arg_error)
        return 0;
    if (number != trunc(number) || fabs(number) > MAX_SAFE_INTEGER) {
        vgn_op_reject(op, ARG_RANGE, "%s must be an integer", name);
        return 0;
    }
    return (int64_t)number;
}

int64_t vgn_op_int_in(vgn_op *op, napi_value value, const char *name, int optional,
                      int64_t min, int64_t max)
{
    int64_t n = vgn_op_int(op, value, name, optional);
    if (op->arg_error || vgn_op_absent(op, value))
        return 0;
    if (n < min || n > max) {
        vgn_op_reject(op, ARG_RANGE, "%s must be an integer of %lld..%lld", name, (long long)min,
                      (long long)max);
        return 0;
    }
    return n;
}

int vgn_op_int32(vgn_op *op, napi_value value, const char *name, int optional)
{
    return (int)vgn_op_int_in(op, value, name, optional, INT_MIN, INT_MAX);
}

int vgn_op_absent(vgn_op *op, napi_value value)
{
    napi_valuetype type;
    return absent(op, value, &type);
}

int vgn_op_enum(vgn_op *op, napi_value value, const char *name, int optional,
                const char *(*name_of)(int), int count)
{
    napi_valuetype type;
    const char *text;
    if (missing(op, value, name, optional, &type))
        return -1;
    if (type == napi_number) {
        int64_t n = vgn_op_int_in(op, value, name, 0, 0, count - 1);
        return op->arg_error ? -1 : (int)n;
    }
    if (type != napi_string) {
        vgn_op_reject(op, ARG_TYPE, "%s must be a string", name);
        return -1;
    }
    text = vgn_op_string(op, value, name, 0);
    for (int i = 0; text && i < count; i++)
        if (name_of(i) && strcmp(text, name_of(i)) == 0)
            return i;
    if (text)
        vgn_op_reject(op, ARG_RANGE, "%s: unknown value \"%.40s\"", name, text);
    return -1;
}

int vgn_op_bool(vgn_op *op, napi_value value, const char *name, int optional)
{
    napi_valuetype type;
    bool flag = false;
    if (missing(op, value, name, optional, &type))
        return 0;
    if (type != napi_boolean) {
        vgn_op_reject(op, ARG_TYPE, "%s must be a boolean", name);
        return 0;
    }
    napi_get_value_bool(op->env, value, &flag);
    return flag;
}

vg_time vgn_op_time(vgn_op *op, napi_value value, const char *name, int optional)
{
    napi_valuetype type;
    bool is_date = false;
    double ms = 0;
    if (missing(op, value, name, optional, &type))
        return 0;
    napi_is_date(op->env, value, &is_date);
    if (is_date)
        napi_get_date_value(op->env, value, &ms);
    else if (type == napi_number)
        napi_get_value_double(op->env, value, &ms);
    else {
        vgn_op_reject(op, ARG_TYPE, "%s must be a Date or milliseconds since 1970", name);
        return 0;
    }
    if (!isfinite(ms) || fabs(ms) > 8.64e15) {
        vgn_op_reject(op, ARG_RANGE, "%s is not a valid time", name);
        return 0;
    }
    return (vg_time)llround(ms * 1000.0);
}

const unsigned char *vgn_op_bytes(vgn_op *op, napi_value value, const char *name,
                                  size_t *len, int optional)
{
    napi_valuetype type;
    bool is_buffer = false, is_typed = false;
    void *data = NULL;
    unsigned char *copy;
    *len = 0;
    if (missing(op, value, name, optional, &type))
        return NULL;
    if (type == napi_string) {
        const char *text = vgn_op_string(op, value, name, optional);
        *len = text ? strlen(text) : 0;
        return (const unsigned char *)text;
    }
    napi_is_buffer(op->env, value, &is_buffer);
    napi_is_typedarray(op->env, value, &is_typed);
    if (is_buffer) {
        napi_get_buffer_info(op->env, value, &data, len);
    } else if (is_typed) {
        napi_typedarray_type ta;
        size_t count, offset;
        napi_value arraybuffer;
        napi_get_typedarray_info(op->env, value, &ta, &count, &data, &arraybuffer, &offset);
        if (ta != napi_uint8_array && ta != napi_int8_array && ta != napi_uint8_clamped_array) {
            vgn_op_reject(op, ARG_TYPE, "%s must be a Buffer, a Uint8Array or a string", name);
            return NULL;
        }
        *len = count;
    } else {
        vgn_op_reject(op, ARG_TYPE, "%s must be a Buffer, a Uint8Array or a string", name);
        return NULL;
    }
    copy = vgn_op_alloc(op, *len + 1); /* the JS memory may move or change meanwhile */
    if (!copy)
        return NULL;
    if (*len)
        memcpy(copy, data, *len);
    return copy;
}

napi_value vgn_op_prop(vgn_op *op, napi_value obj, const char *key)
{
    napi_valuetype type;
    napi_value out;
    napi_get_undefined(op->env, &out);
    if (op->arg_error || absent(op, obj, &type))
        return out;
    if (type != napi_object) {
        vgn_op_reject(op, ARG_TYPE, "options must be an object");
        return out;
    }
    if (napi_get_named_property(op->env, obj, key, &out) != napi_ok)
        napi_get_undefined(op->env, &out);
    return out;
}

static void capture_error(vgn_op *op)
{
    if (op->rc == 0)
        return;
    vgn_val_free(op->result);
    op->result = NULL;
    if (vg_error_last_code() == op->rc && vg_error_last()[0])
        op->error_text = strdup(vg_error_last());
    op->retry_after = vg_error_retry_after();
}

/* The op's outcome as a JS value (*failed = 1: an Error to throw or reject with). */
static napi_value outcome(vgn_op *op, int *failed)
{
    napi_env env = op->env;
    napi_value value;
    *failed = op->rc != 0;
    if (*failed)
        return vgn_make_error(env, op->rc, op->error_text, op->retry_after, op->lang);
    if (op->finish) {
        value = NULL;
        op->finish(op, &value);
        op->finish = NULL;
    } else {
        value = vgn_val_to_js(env, op->result);
    }
    if (!value) {
        *failed = 1;
        napi_get_and_clear_last_exception(env, &value);
    }
    return value;
}

static napi_value argument_error(vgn_op *op)
{
    napi_env env = op->env;
    napi_value code, message, error;
    static const char *const codes[] = {"", "ERR_INVALID_ARG_TYPE", "ERR_INVALID_ARG_VALUE"};
    if (op->arg_error == ARG_CLOSED)
        return vgn_make_error(env, VGN_CLOSED, op->arg_message, 0, op->lang);
    if (op->arg_error == ARG_NOMEM)
        return vgn_make_error(env, VG_ENOMEM, op->arg_message, 0, op->lang);
    napi_create_string_utf8(env, codes[op->arg_error], NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, op->arg_message, NAPI_AUTO_LENGTH, &message);
    if (op->arg_error == ARG_RANGE)
        napi_create_range_error(env, code, message, &error);
    else
        napi_create_type_error(env, code, message, &error);
    return error;
}

static void execute(napi_env env, void *data)
{
    vgn_op *op = data;
    (void)env;
    op->exec(op);
    capture_error(op);
}

/* Main thread: settles the op's promise and frees it. */
static void settle(vgn_op *op)
{
    napi_env env = op->env;
    int failed;
    napi_value value = outcome(op, &failed);
    if (failed)
        napi_reject_deferred(env, op->deferred, value);
    else
        napi_resolve_deferred(env, op->deferred, value);
    op_free(op);
}

static void complete(napi_env env, napi_status status, void *data)
{
    vgn_op *op = data;
    if (status == napi_cancelled) {
        op->rc = VG_ECANCELLED;
        capture_error(op);
    }
    napi_delete_async_work(env, op->work);
    settle(op);
}

/* ---- VGN_THREAD: exec on a thread of its own ------------------------------------------
 * The end comes back through a thread-safe function, which keeps the process alive while
 * the call runs (like a listening server). At environment teardown a cleanup hook
 * interrupts the call (a worker's stop) and joins the thread. */

typedef struct thread_run {
    vgn_op *op;
    pthread_t thread;
    napi_threadsafe_function done;
} thread_run;

static void *thread_main(void *arg)
{
    thread_run *run = arg;
    napi_threadsafe_function done = run->done;
    execute(NULL, run->op);
    napi_call_threadsafe_function(done, run, napi_tsfn_blocking);
    napi_release_threadsafe_function(done, napi_tsfn_release);
    return NULL;
}

static void thread_teardown(void *arg)
{
    thread_run *run = arg;
    for (int i = 0; i < run->op->handle_count; i++)
        vgn_handle_interrupt(run->op->handles[i]);
    pthread_join(run->thread, NULL);
}

/* Main thread, once exec has returned. Without env the environment is gone (the cleanup
 * hook joined the thread): the op is left as it is. */
static void thread_ended(napi_env env, napi_value fn, void *context, void *data)
{
    thread_run *run = data;
    (void)fn;
    (void)context;
    if (!env)
        return;
    napi_remove_env_cleanup_hook(env, thread_teardown, run);
    pthread_join(run->thread, NULL);
    settle(run->op);
}

static void thread_run_free(napi_env env, void *data, void *hint)
{
    (void)env;
    (void)hint;
    free(data);
}

/* Starts the thread; 0, or -1 with nothing started. */
static int thread_start(vgn_op *op)
{
    napi_env env = op->env;
    napi_value name;
    thread_run *run = calloc(1, sizeof *run);
    if (!run)
        return -1;
    run->op = op;
    if (napi_create_string_utf8(env, "vidgo.thread", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_threadsafe_function(env, NULL, NULL, name, 0, 1, run, thread_run_free,
                                        NULL, thread_ended, &run->done) != napi_ok) {
        free(run);
        return -1;
    }
    if (pthread_create(&run->thread, NULL, thread_main, run) != 0) {
        napi_release_threadsafe_function(run->done, napi_tsfn_abort); /* frees run */
        return -1;
    }
    napi_add_env_cleanup_hook(env, thread_teardown, run);
    return 0;
}

napi_value vgn_op_run(vgn_op *op, int mode)
{
    napi_env env = op->env;
    napi_value value, promise, name;
    int failed;
    if (op->arg_error) {
        napi_throw(env, argument_error(op));
        op_free(op);
        return NULL;
    }
    /* Only a finish making a child handle needs its parent's JS object after this call
     * returns: no reference for every other call. */
    for (int i = 0; op->finish && i < op->handle_count; i++)
        napi_create_reference(env, op->handle_values[i], 1, &op->handle_objects[i]);
    if (mode == VGN_SYNC) {
        execute(env, op);
        value = outcome(op, &failed);
        op_free(op);
        if (failed) {
            napi_throw(env, value);
            return NULL;
        }
        return value;
    }
    if (napi_create_promise(env, &op->deferred, &promise) != napi_ok)
        goto fail;
    if (mode == VGN_THREAD) {
        if (thread_start(op) != 0) {
            op->rc = VG_ENOMEM;
            settle(op); /* rejects the promise */
        }
        return promise;
    }
    if (napi_create_string_utf8(env, "vidgo", NAPI_AUTO_LENGTH, &name) != napi_ok ||
        napi_create_async_work(env, NULL, name, execute, complete, op, &op->work) != napi_ok)
        goto fail;
    if (napi_queue_async_work(env, op->work) != napi_ok) {
        napi_delete_async_work(env, op->work);
        goto fail;
    }
    return promise;
fail:
    op_free(op); /* a promise made is never returned: the pending exception is thrown */
    return NULL;
}
