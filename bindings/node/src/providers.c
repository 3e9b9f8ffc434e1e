/* SPDX-License-Identifier: MIT */
/* engine.providers natively: names, the capability table, tasks (submit, poll, cancel,
 * reconcile), checks, moderation, enhancement, the default embedder, Pollo webhooks. */
#include "groups.h"

#include <limits.h>
#include <stddef.h>
#include <string.h>

/* ---- enums: lowercase names (or numbers) in, names out -------------------------------- */

static const char *const key_mode_names[] = {"raw", "base64"};

static const char *key_mode_name(int mode)
{
    return vgn_name_in(key_mode_names, COUNT(key_mode_names), mode);
}

/* A task kind (required), by its name or number. */
static int read_kind(vgn_op *op, napi_value value, const char *name)
{
    return vgn_op_enum(op, value, name, 0, vg_task_kind_name, VG_TASK_KIND_COUNT);
}

/* ---- the provider job record: one table read and written --------------------------- */

typedef enum { F_STR, F_INT, F_I64, F_BOOL, F_KIND, F_STATE } field_type;

typedef struct {
    const char *key;
    field_type type;
    size_t offset, size;
    int required; /* to poll a job again */
} job_field;

#define JF(key, type, member)                                                                      \
    {key, type, offsetof(vg_provider_job, member), sizeof(((vg_provider_job *)0)->member), 0}
#define JF_REQUIRED(key, type, member)                                                             \
    {key, type, offsetof(vg_provider_job, member), sizeof(((vg_provider_job *)0)->member), 1}

static const job_field job_fields[] = {
    JF_REQUIRED("provider", F_STR, provider),
    JF_REQUIRED("jobId", F_STR, job_id),
    JF_REQUIRED("kind", F_KIND, kind),
    JF("state", F_STATE, state),
    JF("percent", F_INT, percent),
    JF("pollAfterMs", F_INT, poll_after_ms),
    JF("mediaType", F_STR, media_type),
    JF("resultUrl", F_STR, result_url),
    JF("thumbnailUrl", F_STR, thumbnail_url),
    JF("model", F_STR, model),
    JF("width", F_INT, width),
    JF("height", F_INT, height),
    JF("durationS", F_INT, duration_s),
    JF("apiCostMicro", F_I64, api_cost_micro),
    JF("apiCostUnit", F_STR, api_cost_unit),
    JF("failureCode", F_STR, failure_code),
    JF("failure", F_STR, failure),
    JF("placeholder", F_BOOL, placeholder),
};

static vgn_val *job_val(const vg_provider_job *job)
{
    vgn_val *o = vgn_object();
    for (size_t i = 0; i < COUNT(job_fields); i++) {
        const job_field *f = &job_fields[i];
        const void *p = (const char *)job + f->offset;
        int n;
        switch (f->type) {
        case F_STR:
            vgn_set_str(o, f->key, (const char *)p);
            break;
        case F_I64:
            vgn_set_int(o, f->key, *(const int64_t *)p);
            break;
        case F_BOOL:
            memcpy(&n, p, sizeof n);
            vgn_set_bool(o, f->key, n);
            break;
        default:
            memcpy(&n, p, sizeof n);
            if (f->type == F_KIND)
                vgn_set_str(o, f->key, vg_task_kind_name(n));
            else if (f->type == F_STATE)
                vgn_set_str(o, f->key, vg_task_state_name(n));
            else
                vgn_set_int(o, f->key, n);
        }
    }
    return o;
}

/* Copies a job record (what a previous call returned) into *job; provider, jobId and kind
 * are required, the rest is read when present. */
static void job_read(vgn_op *op, napi_value obj, vg_provider_job *job)
{
    vg_provider_job_init(job, VG_PROVIDER_JOB_VERSION);
    if (!vgn_check_object(op, obj, "job"))
        return;
    for (size_t i = 0; i < COUNT(job_fields); i++) {
        const job_field *f = &job_fields[i];
        void *p = (char *)job + f->offset;
        napi_value v = vgn_op_prop(op, obj, f->key);
        int n;
        if (!f->required && vgn_op_absent(op, v))
            continue;
        switch (f->type) {
        case F_STR:
            vgn_read_text(op, v, f->key, 0, p, f->size);
            break;
        case F_I64: {
            int64_t x = vgn_op_int(op, v, f->key, 0);
            memcpy(p, &x, sizeof x);
            break;
        }
        case F_BOOL:
            n = vgn_op_bool(op, v, f->key, 0);
            memcpy(p, &n, sizeof n);
            break;
        case F_KIND:
            n = read_kind(op, v, "job.kind");
            memcpy(p, &n, sizeof n);
            break;
        case F_STATE:
            n = vgn_op_enum(op, v, "job.state", 0, vg_task_state_name, VG_TASK_CANCELLED + 1);
            memcpy(p, &n, sizeof n);
            break;
        default:
            n = vgn_op_int32(op, v, f->key, 0);
            memcpy(p, &n, sizeof n);
        }
    }
}

/* ---- the task: read from a plain object ---------------------------------------------- */

typedef struct {
    const char *key;
    size_t offset;
} task_field;

#define TS(key, member) {key, offsetof(vg_provider_task, member)}

static const task_field task_strings[] = {
    TS("prompt", prompt),
    TS("negativePrompt", negative_prompt),
    TS("model", model),
    TS("style", style),
    TS("inputUrl", input_url),
    TS("inputImageMime", input_image_mime),
    TS("inputJobId", input_job_id),
    TS("webhookUrl", webhook_url),
};

static const task_field task_ints[] = {
    TS("resolution", resolution),
    TS("width", width),
    TS("height", height),
    TS("durationS", duration_s),
};

/* Reads a task object ({ kind, prompt, ... }) into *t; strings and bytes are the op's. */
static void task_read(vgn_op *op, napi_value obj, vg_provider_task *t)
{
    static const vg_provider_task init = VG_PROVIDER_TASK_INIT;
    *t = init;
    if (!vgn_check_object(op, obj, "task"))
        return;
    t->kind = (vg_task_kind)read_kind(op, vgn_op_prop(op, obj, "kind"), "task.kind");
    for (size_t i = 0; i < COUNT(task_strings); i++) {
        const char *s =
            vgn_op_string(op, vgn_op_prop(op, obj, task_strings[i].key), task_strings[i].key, 1);
        memcpy((char *)t + task_strings[i].offset, &s, sizeof s);
    }
    for (size_t i = 0; i < COUNT(task_ints); i++) {
        int n = vgn_op_int32(op, vgn_op_prop(op, obj, task_ints[i].key), task_ints[i].key, 1);
        memcpy((char *)t + task_ints[i].offset, &n, sizeof n);
    }
    t->seed = vgn_op_int(op, vgn_op_prop(op, obj, "seed"), "seed", 1);
    t->input_image =
        vgn_op_bytes(op, vgn_op_prop(op, obj, "inputImage"), "inputImage", &t->input_image_len, 1);
}

/* ---- names (sync) ------------------------------------------------------------------- */

static napi_value provider_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_provider_name, NULL);
}

static napi_value provider_index(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, NULL, vg_provider_index);
}

static napi_value task_kind_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_task_kind_name, NULL);
}

static napi_value task_kind_index(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, NULL, vg_task_kind_index);
}

static napi_value task_state_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_task_state_name, NULL);
}

/* ---- job init, capabilities, pick, info (sync: no network) -------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    vg_provider_job job;
    unsigned int version;
} job_op;

static void job_init_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    op->rc = vg_provider_job_init(&o->job, o->version);
    op->result = job_val(&o->job);
}

/* provider_job_init([version]) → an empty job record. */
static napi_value provider_job_init(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    job_op *o = vgn_op_new(env, sizeof *o, job_init_exec);
    if (!o)
        return NULL;
    o->version = vgn_read_version(&o->op, argv[0], VG_PROVIDER_JOB_VERSION);
    return vgn_op_run(&o->op, VGN_SYNC);
}

static int capability_row(const vg_provider_capability *row, void *array)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "provider", row->provider);
    vgn_set_str(o, "kind", vg_task_kind_name(row->kind));
    vgn_set_int(o, "rank", row->rank);
    vgn_set_str(o, "model", row->model);
    /* the services, space-separated in C, as an array */
    vgn_val *services = vgn_array();
    for (const char *p = row->services ? row->services : ""; *p;) {
        size_t n = strcspn(p, " ");
        if (n)
            vgn_push(services, vgn_strn(p, n));
        p += n + (p[n] == ' ');
    }
    vgn_set(o, "services", services);
    vgn_set_int(o, "maxResolution", row->max_resolution);
    vgn_set_int(o, "maxDurationS", row->max_duration_s);
    vgn_push(array, o);
    return 0;
}

static void capabilities_exec(vgn_op *op)
{
    op->result = vgn_array();
    op->rc = vg_provider_capabilities(capability_row, op->result);
}

/* provider_capabilities() → [{ provider, kind, rank, model, services, ... }]. */
static napi_value provider_capabilities(napi_env env, napi_callback_info info)
{
    (void)info;
    vgn_op *op = vgn_op_new(env, sizeof *op, capabilities_exec);
    return op ? vgn_op_run(op, VGN_SYNC) : NULL;
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int kind, rank;
} pick_op;

static void pick_exec(vgn_op *op)
{
    pick_op *o = (pick_op *)op;
    char name[VG_NAME_SIZE];
    op->rc = vg_provider_pick(name, o->ctx, (vg_task_kind)o->kind, o->rank);
    if (op->rc == VG_ENOTFOUND) {
        op->rc = VG_OK;
        op->result = vgn_null();
    } else {
        op->result = vgn_str(name);
    }
}

/* provider_pick(ctx, kind, rank) → a name, or null when no provider serves at that rank. */
static napi_value provider_pick(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    pick_op *o = vgn_op_new(env, sizeof *o, pick_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->kind = read_kind(&o->op, argv[1], "kind");
    o->rank = vgn_op_int32(&o->op, argv[2], "rank", 1);
    return vgn_op_run(&o->op, VGN_SYNC);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *provider;
    int (*fn)(vg_provider_info *, vg_ctx *, const char *);
} info_op;

static vgn_val *info_val(const vg_provider_info *in)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "name", in->name);
    vgn_set_bool(o, "hasKey", in->has_key);
    vgn_set_str(o, "keySource", in->key_source);
    vgn_set_str(o, "keyMasked", in->key_masked);
    vgn_set_str(o, "baseUrl", in->base_url);
    vgn_set_bool(o, "serves", in->serves);
    vgn_set_bool(o, "breakerOpen", in->breaker_open);
    vgn_set_bool(o, "checked", in->checked);
    vgn_set_bool(o, "reachable", in->reachable);
    vgn_set_int(o, "latencyMs", in->latency_ms);
    vgn_set_int(o, "status", in->status);
    vgn_set_str(o, "statusName", vg_error_name(in->status));
    vgn_set_str(o, "detail", in->detail);
    return o;
}

static void info_exec(vgn_op *op)
{
    info_op *o = (info_op *)op;
    vg_provider_info out;
    memset(&out, 0, sizeof out);
    out.version = VG_PROVIDER_INFO_VERSION;
    op->rc = o->fn(&out, o->ctx, o->provider);
    op->result = info_val(&out);
}

static napi_value run_info(napi_env env, napi_callback_info info,
                           int (*fn)(vg_provider_info *, vg_ctx *, const char *), int mode)
{
    VGN_ARGS(env, info, 2, argv);
    info_op *o = vgn_op_new(env, sizeof *o, info_exec);
    if (!o)
        return NULL;
    o->fn = fn;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->provider = vgn_op_string(&o->op, argv[1], "provider", 0);
    return vgn_op_run(&o->op, mode);
}

/* provider_info_get(ctx, name) → the configuration, without a network call. */
static napi_value provider_info_get(napi_env env, napi_callback_info info)
{
    return run_info(env, info, vg_provider_info_get, VGN_SYNC);
}

/* provider_check(ctx, name) → Promise of the configuration and one authenticated request. */
static napi_value provider_check(napi_env env, napi_callback_info info)
{
    return run_info(env, info, vg_provider_check, VGN_ASYNC);
}

/* ---- tasks (async: HTTP) --------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *provider;
    vg_provider_task task;
    vg_provider_job job;
    vg_time since;
} task_op;

static void submit_exec(vgn_op *op)
{
    task_op *o = (task_op *)op;
    vg_provider_job_init(&o->job, VG_PROVIDER_JOB_VERSION);
    op->rc = vg_provider_submit(&o->job, o->ctx, o->provider, &o->task);
    op->result = job_val(&o->job);
}

static void reconcile_exec(vgn_op *op)
{
    task_op *o = (task_op *)op;
    vg_provider_job_init(&o->job, VG_PROVIDER_JOB_VERSION);
    op->rc = vg_provider_reconcile(&o->job, o->ctx, o->provider, &o->task, o->since);
    if (op->rc == VG_ENOTFOUND) {
        op->rc = VG_OK;
        op->result = vgn_null();
    } else {
        op->result = job_val(&o->job);
    }
}

static task_op *task_op_new(napi_env env, napi_value *argv, vgn_exec_fn exec)
{
    task_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->provider = vgn_op_string(&o->op, argv[1], "provider", 0);
    task_read(&o->op, argv[2], &o->task);
    return o;
}

/* provider_submit(ctx, provider, task) → Promise of the provider job. */
static napi_value provider_submit(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    task_op *o = task_op_new(env, argv, submit_exec);
    return o ? vgn_op_run(&o->op, VGN_ASYNC) : NULL;
}

/* provider_reconcile(ctx, provider, task, since) → Promise of the job, or null when the
 * provider certainly has none. */
static napi_value provider_reconcile(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    task_op *o = task_op_new(env, argv, reconcile_exec);
    if (!o)
        return NULL;
    o->since = vgn_op_time(&o->op, argv[3], "since", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void poll_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    op->rc = vg_provider_poll(&o->job, o->ctx);
    op->result = job_val(&o->job);
}

/* provider_poll(ctx, job) → Promise of the job as the provider sees it now. */
static napi_value provider_poll(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    job_op *o = vgn_op_new(env, sizeof *o, poll_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    job_read(&o->op, argv[1], &o->job);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *provider, *job_id;
} cancel_op;

static void cancel_exec(vgn_op *op)
{
    cancel_op *o = (cancel_op *)op;
    op->rc = vg_provider_cancel(o->ctx, o->provider, o->job_id);
}

/* provider_cancel(ctx, provider, jobId) → Promise of undefined. */
static napi_value provider_cancel(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    cancel_op *o = vgn_op_new(env, sizeof *o, cancel_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->provider = vgn_op_string(&o->op, argv[1], "provider", 0);
    o->job_id = vgn_op_string(&o->op, argv[2], "jobId", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- moderation and enhancement ------------------------------------------------------ */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *prompt, *image_mime, *lang;
    const unsigned char *image;
    size_t image_len;
} moderate_op;

static void moderate_exec(vgn_op *op)
{
    moderate_op *o = (moderate_op *)op;
    vg_moderation m;
    memset(&m, 0, sizeof m);
    m.version = VG_MODERATION_VERSION;
    op->rc = vg_moderate(&m, o->ctx, o->prompt, o->image, o->image_len, o->image_mime, o->lang);
    vgn_val *r = vgn_object();
    vgn_set_bool(r, "blocked", m.blocked);
    vgn_set_str(r, "reason", m.reason);
    vgn_set_str(r, "message", m.message);
    vgn_set_str(r, "provider", m.provider);
    vgn_set_str(r, "detail", m.detail);
    op->result = r;
}

/* moderate(ctx, prompt, image, imageMime, lang) → Promise of the verdict. */
static napi_value moderate(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    moderate_op *o = vgn_op_new(env, sizeof *o, moderate_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->prompt = vgn_op_string(&o->op, argv[1], "prompt", 0);
    o->image = vgn_op_bytes(&o->op, argv[2], "image", &o->image_len, 1);
    o->image_mime = vgn_op_string(&o->op, argv[3], "imageMime", 1);
    o->lang = vgn_op_string(&o->op, argv[4], "lang", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *reason, *lang;
} message_op;

static void message_exec(vgn_op *op)
{
    message_op *o = (message_op *)op;
    op->result = vgn_str(vg_moderation_message(o->ctx, o->reason, o->lang));
}

/* moderation_message(ctx, reason, lang) → the static message, or null. */
static napi_value moderation_message(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    message_op *o = vgn_op_new(env, sizeof *o, message_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->reason = vgn_op_string(&o->op, argv[1], "reason", 0);
    o->lang = vgn_op_string(&o->op, argv[2], "lang", 1);
    return vgn_op_run(&o->op, VGN_SYNC);
}

#define ENHANCED_SIZE 16384

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *prompt, *lang;
    char text[ENHANCED_SIZE];
} enhance_op;

static void enhance_exec(vgn_op *op)
{
    enhance_op *o = (enhance_op *)op;
    const char *provider = NULL;
    op->rc = vg_prompt_enhance(o->text, sizeof o->text, &provider, o->ctx, o->prompt, o->lang);
    vgn_val *r = vgn_object();
    vgn_set_str(r, "prompt", o->text);
    vgn_set_str(r, "provider", provider);
    op->result = r;
}

/* prompt_enhance(ctx, prompt, lang) → Promise of { prompt, provider }. */
static napi_value prompt_enhance(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    enhance_op *o = vgn_op_new(env, sizeof *o, enhance_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->prompt = vgn_op_string(&o->op, argv[1], "prompt", 0);
    o->lang = vgn_op_string(&o->op, argv[2], "lang", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- the default embedder: a handle, child of the context ------------------------------ */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    vg_embedder *embedder;
} embedder_op;

static void embedder_exec(vgn_op *op)
{
    embedder_op *o = (embedder_op *)op;
    op->rc = vg_embedder_default(&o->embedder, o->ctx);
}

/* Wraps the embedder in a handle (a child of the context), or frees it on failure. */
static void embedder_finish(vgn_op *op, napi_value *out)
{
    embedder_op *o = (embedder_op *)op;
    if (op->rc == VG_OK && o->embedder)
        *out = vgn_handle_new(op->env, VGN_EMBEDDER, o->embedder, vgn_op_handle_object(op, o->ctx),
                              NULL, NULL);
    if (op->rc != VG_OK || !*out)
        vg_embedder_free(o->embedder);
}

/* embedder_default(ctx) → an embedder handle (Gemini when it serves, else local). Sync: it
 * makes no request. */
static napi_value embedder_default(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    embedder_op *o = vgn_op_new(env, sizeof *o, embedder_exec);
    if (!o)
        return NULL;
    o->op.finish = embedder_finish;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* ---- Pollo webhooks (sync: signature math on the context's secret and clock) ---------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *id, *timestamp, *signature, *secret;
    const unsigned char *body;
    size_t body_len;
    int mode, tolerance_s;
    vg_provider_job job;
} pollo_op;

static void pollo_exec(vgn_op *op)
{
    pollo_op *o = (pollo_op *)op;
    op->rc = vg_pollo_webhook_verify(&o->job, o->ctx, o->id, o->timestamp, o->signature,
                                     (const char *)o->body, o->body_len, o->secret,
                                     (vg_webhook_key_mode)o->mode, o->tolerance_s);
    op->result = job_val(&o->job);
}

/* pollo_webhook_verify(ctx, id, timestamp, signature, body, secret, mode, toleranceS, kind)
 * → the job the webhook reports; throws SignatureError, ReplayError, ... */
static napi_value pollo_webhook_verify(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 9, argv);
    pollo_op *o = vgn_op_new(env, sizeof *o, pollo_exec);
    if (!o)
        return NULL;
    vg_provider_job_init(&o->job, VG_PROVIDER_JOB_VERSION);
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->id = vgn_op_string(&o->op, argv[1], "webhookId", 0);
    o->timestamp = vgn_op_string(&o->op, argv[2], "timestamp", 0);
    o->signature = vgn_op_string(&o->op, argv[3], "signature", 0);
    o->body = vgn_op_bytes(&o->op, argv[4], "body", &o->body_len, 0);
    o->secret = vgn_op_string(&o->op, argv[5], "secret", 1);
    if (!vgn_op_absent(&o->op, argv[6]))
        o->mode = vgn_op_enum(&o->op, argv[6], "mode", 0, key_mode_name, COUNT(key_mode_names));
    o->tolerance_s = vgn_op_int32(&o->op, argv[7], "toleranceS", 1);
    if (!vgn_op_absent(&o->op, argv[8]))
        o->job.kind = (vg_task_kind)read_kind(&o->op, argv[8], "kind");
    return vgn_op_run(&o->op, VGN_SYNC);
}

static const vgn_function functions[] = {
    {"provider_name", provider_name},
    {"provider_index", provider_index},
    {"task_kind_name", task_kind_name},
    {"task_kind_index", task_kind_index},
    {"task_state_name", task_state_name},
    {"provider_job_init", provider_job_init},
    {"provider_capabilities", provider_capabilities},
    {"provider_pick", provider_pick},
    {"provider_info_get", provider_info_get},
    {"provider_check", provider_check},
    {"provider_submit", provider_submit},
    {"provider_poll", provider_poll},
    {"provider_cancel", provider_cancel},
    {"provider_reconcile", provider_reconcile},
    {"moderate", moderate},
    {"moderation_message", moderation_message},
    {"prompt_enhance", prompt_enhance},
    {"embedder_default", embedder_default},
    {"pollo_webhook_verify", pollo_webhook_verify},
};

int vgn_register_providers(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, COUNT(functions));
}
