/* SPDX-License-Identifier: MIT */
/* The generation pipeline (include/vidgo/generate.h): generators and their job events,
 * submitting, reading, listing, cancelling and waiting for jobs, workers (a step on the
 * thread pool, or a run on a thread of its own), and the inspiration gallery. */
#include "groups.h"

#include <limits.h>
#include <stdlib.h>

/* A required id (> 0). */
static int64_t op_id(vgn_op *op, napi_value value, const char *name)
{
    return vgn_op_int_in(op, value, name, 0, 1, INT64_MAX);
}

/* ---- records ---------------------------------------------------------------------------- */

static vgn_val *job_val(const vg_job *j)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", j->id);
    vgn_set_int(o, "userId", j->user_id);
    vgn_set_str(o, "service", j->service);
    vgn_set_str(o, "kind", vg_task_kind_name(j->kind));
    vgn_set_str(o, "state", vg_job_state_name(j->state));
    vgn_set_bool(o, "final", j->state >= VG_JOB_SUCCEEDED);
    vgn_set_bool(o, "priority", j->priority);
    vgn_set_int(o, "percent", j->percent);
    vgn_set_str(o, "prompt", j->prompt);
    vgn_set_str(o, "enhancedPrompt", j->enhanced_prompt);
    vgn_set_str(o, "lang", j->lang);
    vgn_set_int(o, "resolution", j->resolution);
    vgn_set_int(o, "durationS", j->duration_s);
    vgn_set_int(o, "fps", j->fps);
    vgn_set_str(o, "style", j->style);
    vgn_set_int(o, "inputJobId", j->input_job_id);
    vgn_set_bool(o, "isPublic", j->is_public);
    vgn_set_int(o, "price", j->price);
    vgn_set_bool(o, "freeUse", j->free_use);
    vgn_set_bool(o, "charged", j->charged);
    vgn_set_bool(o, "watermark", j->watermark);
    vgn_set_bool(o, "cacheHit", j->cache_hit);
    vgn_set_num(o, "similarity", j->similarity);
    vgn_set_int(o, "leaderId", j->leader_id);
    vgn_set_str(o, "provider", j->provider);
    vgn_set_bool(o, "fallback", j->fallback);
    vgn_set_int(o, "attempts", j->attempts);
    vgn_set_str(o, "mediaType", j->media_type);
    vgn_set_str(o, "resultUrl", j->result_url);
    vgn_set_str(o, "thumbnailUrl", j->thumbnail_url);
    vgn_set_int(o, "width", j->width);
    vgn_set_int(o, "height", j->height);
    vgn_set_int(o, "resultDurationS", j->result_duration_s);
    vgn_set_bool(o, "placeholder", j->placeholder);
    vgn_set_int(o, "apiCostMicroUsd", j->api_cost_micro_usd);
    vgn_set_int(o, "error", j->error);
    vgn_set_str(o, "errorKey", j->error ? vg_error_name(j->error) : NULL);
    vgn_set_str(o, "message", j->message);
    vgn_set_str(o, "detail", j->detail);
    vgn_set_time(o, "createdAt", j->created_at);
    vgn_set_time(o, "updatedAt", j->updated_at);
    vgn_set_time(o, "finishedAt", j->finished_at);
    return o;
}

static int job_row(const vg_job *j, void *array)
{
    vgn_push(array, job_val(j));
    return 0;
}

static vgn_val *example_val(const vg_example *e)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", e->id);
    vgn_set_str(o, "topic", e->topic);
    vgn_set_str(o, "lang", e->lang);
    vgn_set_str(o, "title", e->title);
    vgn_set_str(o, "prompt", e->prompt);
    vgn_set_str(o, "service", e->service);
    vgn_set_str(o, "mediaType", e->media_type);
    vgn_set_str(o, "resultUrl", e->result_url);
    vgn_set_str(o, "thumbnailUrl", e->thumbnail_url);
    vgn_set_int(o, "jobId", e->job_id);
    vgn_set_time(o, "createdAt", e->created_at);
    return o;
}

static int example_row(const vg_example *e, void *array)
{
    vgn_push(array, example_val(e));
    return 0;
}

static int topic_row(const vg_topic *t, void *array)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "topic", t->topic);
    vgn_set_str(o, "title", t->title);
    vgn_set_int(o, "count", t->count);
    vgn_push(array, o);
    return 0;
}

/* ---- job_state_name ----------------------------------------------------------------------- */

/* job_state_name(state) -> 'queued' | ... | null */
static napi_value job_state_name(napi_env env, napi_callback_info info)
{
    return vgn_name_call(env, info, vg_job_state_name, NULL);
}

/* ---- generators ---------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    vg_generator_options options;
    vg_cache_options cache;
    vgn_emitter *events; /* the generator handle's extra once it exists */
    vg_generator *out;
} open_op;

static void job_event(const vg_job *job, void *payload)
{
    vgn_emit(payload, job_val(job));
}

static void events_free(void *extra)
{
    vgn_emitter_free(extra);
}

static void open_exec(vgn_op *op)
{
    open_op *o = (open_op *)op;
    op->rc = vg_generator_open(&o->out, o->ctx, &o->options);
}

/* Wraps the generator in a handle (the emitter its extra), a child of the embedder's handle
 * when one is given (it must outlive the generator), else of the context's; or undoes the
 * open. */
static void open_finish(vgn_op *op, napi_value *out)
{
    open_op *o = (open_op *)op;
    const void *parent = o->cache.embedder ? (const void *)o->cache.embedder : (const void *)o->ctx;
    if (op->rc == 0) {
        *out = vgn_handle_new(op->env, VGN_GENERATOR, o->out, vgn_op_handle_object(op, parent),
                              o->events, events_free);
        if (*out) {
            o->out = NULL;
            o->events = NULL;
        }
    }
    vg_generator_close(o->out);
    vgn_emitter_free(o->events);
}

/* generator_open(ctx, options?, onEvent?) -> Promise<generator handle>
 * options: enhance, jobTimeoutS, leaseS, agingS, maxAttempts, maxPollMs, cache {embedder
 * (handle), threshold, secondGate, shadow, maxEntries, quantize, threads, flightWaitMs,
 * negativeTtlS}. onEvent(job) is called on the main thread after every change of a job
 * made through the generator. */
static napi_value generator_open(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    napi_valuetype type;
    napi_value opt = argv[1], enhance, cache, embedder;
    open_op *o = vgn_op_new(env, sizeof *o, open_exec);
    vgn_op *op;
    if (!o)
        return NULL;
    op = &o->op;
    op->finish = open_finish;
    o->options = (vg_generator_options)VG_GENERATOR_OPTIONS_INIT;
    o->ctx = vgn_op_handle(op, argv[0], VGN_CONTEXT);
    enhance = vgn_op_prop(op, opt, "enhance");
    o->options.enhance =
        vgn_op_absent(op, enhance) || vgn_op_bool(op, enhance, "enhance", 0) ? 0 : -1;
    o->options.job_timeout_s = vgn_read_int_option(op, opt, "jobTimeoutS");
    o->options.lease_s = vgn_read_int_option(op, opt, "leaseS");
    o->options.aging_s = vgn_read_int_option(op, opt, "agingS");
    o->options.max_attempts = vgn_read_int_option(op, opt, "maxAttempts");
    o->options.max_poll_ms = vgn_read_int_option(op, opt, "maxPollMs");
    cache = vgn_op_prop(op, opt, "cache");
    if (!vgn_op_absent(op, cache)) {
        vgn_read_cache_options(op, cache, &o->cache);
        if (!vgn_op_absent(op, (embedder = vgn_op_prop(op, cache, "embedder"))))
            o->cache.embedder = vgn_op_handle_of(op, embedder, VGN_EMBEDDER, o->ctx);
        o->options.cache = &o->cache;
    }
    if (napi_typeof(env, argv[2], &type) != napi_ok ||
        (type != napi_undefined && type != napi_null && type != napi_function))
        vgn_op_reject(op, VGN_TYPE_ERROR, "The \"onEvent\" argument must be a function");
    if (type == napi_function && o->ctx) {
        napi_value ignored;
        if (!(o->events = vgn_emitter_new(env, argv[2], "vidgo.job"))) {
            napi_get_and_clear_last_exception(env, &ignored);
            vgn_op_reject(op, VGN_TYPE_ERROR, "cannot make the job event bridge");
        }
        o->options.on_event = job_event;
        o->options.event_payload = o->events;
    }
    return vgn_op_run(op, VGN_ASYNC);
}

/* ---- requests and jobs --------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_generator *gen;
    vg_ctx *ctx;
    vg_generate_request request;
    int64_t job_id, user_id, before_id;
    int active_only, limit, timeout_ms;
    vg_job job;
} job_op;

static void job_done(vgn_op *op, int rc)
{
    job_op *o = (job_op *)op;
    op->rc = rc;
    if (rc == 0)
        op->result = job_val(&o->job);
}

static void submit_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    job_done(op, vg_generate_submit(&o->job, o->gen, &o->request));
}

/* generate_submit(gen, userId, service, prompt?, {key, lang, durationS, fps, style, image,
 * imageMime, inputJobId, public}) -> Promise<job> */
static napi_value generate_submit(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    napi_value opt = argv[4];
    job_op *o = vgn_op_new(env, sizeof *o, submit_exec);
    vgn_op *op;
    vg_generate_request *r;
    if (!o)
        return NULL;
    op = &o->op;
    r = &o->request;
    *r = (vg_generate_request)VG_GENERATE_REQUEST_INIT;
    o->gen = vgn_op_handle(op, argv[0], VGN_GENERATOR);
    r->user_id = op_id(op, argv[1], "userId");
    r->service = vgn_op_string(op, argv[2], "service", 0);
    r->prompt = vgn_op_string(op, argv[3], "prompt", 1);
    r->idempotency_key = vgn_op_string(op, vgn_op_prop(op, opt, "key"), "key", 0);
    r->lang = vgn_op_string(op, vgn_op_prop(op, opt, "lang"), "lang", 1);
    r->duration_s = vgn_read_int_option(op, opt, "durationS");
    r->fps = vgn_read_int_option(op, opt, "fps");
    r->style = vgn_op_string(op, vgn_op_prop(op, opt, "style"), "style", 1);
    r->image = vgn_op_bytes(op, vgn_op_prop(op, opt, "image"), "image", &r->image_len, 1);
    r->image_mime = vgn_op_string(op, vgn_op_prop(op, opt, "imageMime"), "imageMime", 1);
    r->input_job_id =
        vgn_op_int_in(op, vgn_op_prop(op, opt, "inputJobId"), "inputJobId", 1, 0, INT64_MAX);
    r->is_public = vgn_op_bool(op, vgn_op_prop(op, opt, "public"), "public", 1);
    return vgn_op_run(op, VGN_ASYNC);
}

static void get_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    job_done(op, vg_job_get(&o->job, o->ctx, o->job_id));
}

/* job_get(ctx, jobId) -> Promise<job> */
static napi_value job_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    job_op *o = vgn_op_new(env, sizeof *o, get_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->job_id = op_id(&o->op, argv[1], "jobId");
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void list_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    op->result = vgn_array();
    op->rc = vg_jobs_list(o->ctx, o->user_id, o->active_only, o->before_id, o->limit, job_row,
                          op->result);
}

/* jobs_list(ctx, userId?, activeOnly?, beforeId?, limit?) -> Promise<job[]> (newest first;
 * limit 1..1000, 100 by default) */
static napi_value jobs_list(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    job_op *o = vgn_op_new(env, sizeof *o, list_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->user_id = vgn_op_int_in(&o->op, argv[1], "userId", 1, 0, INT64_MAX);
    o->active_only = vgn_op_bool(&o->op, argv[2], "activeOnly", 1);
    o->before_id = vgn_op_int_in(&o->op, argv[3], "beforeId", 1, 0, INT64_MAX);
    if (!(o->limit = (int)vgn_op_int_in(&o->op, argv[4], "limit", 1, 1, 1000)))
        o->limit = 100; /* absent */
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void cancel_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    job_done(op, vg_job_cancel(&o->job, o->gen, o->job_id, o->user_id));
}

/* job_cancel(gen, jobId, userId?) -> Promise<job> (userId 0: any owner) */
static napi_value job_cancel(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    job_op *o = vgn_op_new(env, sizeof *o, cancel_exec);
    if (!o)
        return NULL;
    o->gen = vgn_op_handle(&o->op, argv[0], VGN_GENERATOR);
    o->job_id = op_id(&o->op, argv[1], "jobId");
    o->user_id = vgn_op_int_in(&o->op, argv[2], "userId", 1, 0, INT64_MAX);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* A timeout is not a failure here: the job as last read tells the caller (final or not). */
static void wait_exec(vgn_op *op)
{
    job_op *o = (job_op *)op;
    int rc = vg_job_wait(&o->job, o->ctx, o->job_id, o->timeout_ms);
    job_done(op, rc == VG_ETIMEOUT ? VG_OK : rc);
}

/* job_wait(ctx, jobId, timeoutMs) -> Promise<job>: the job once final, or as last read when
 * timeoutMs passed (its `final` is false then). It holds a pool thread for up to timeoutMs:
 * lib/jobs.js waits with reads and timers instead. */
static napi_value job_wait(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    job_op *o = vgn_op_new(env, sizeof *o, wait_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->job_id = op_id(&o->op, argv[1], "jobId");
    o->timeout_ms = (int)vgn_op_int_in(&o->op, argv[2], "timeoutMs", 1, 0, INT_MAX);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- workers ------------------------------------------------------------------------------- */

/* The worker handle's extra: main-thread state of its run. */
typedef struct {
    int running;
} worker_state;

typedef struct {
    vgn_op op;
    vg_generator *gen;
    vg_worker *worker;
    const char *name;
    int idle_ms, stop_when_idle, did;
    worker_state *state; /* a run's: set running while it runs */
} worker_op;

static void worker_new_exec(vgn_op *op)
{
    worker_op *o = (worker_op *)op;
    op->rc = vg_worker_new(&o->worker, o->gen, o->name);
}

static void worker_new_finish(vgn_op *op, napi_value *out)
{
    worker_op *o = (worker_op *)op;
    worker_state *state;
    if (op->rc == 0 && (state = calloc(1, sizeof *state)) != NULL) {
        *out = vgn_handle_new(op->env, VGN_WORKER, o->worker, vgn_op_handle_object(op, o->gen),
                              state, free);
        if (*out)
            return;
        free(state);
    } else if (op->rc == 0) {
        napi_throw_error(op->env, "ERR_VIDGO_NOMEM", "out of memory");
    }
    vg_worker_free(o->worker);
}

/* worker_new(gen, name?) -> worker handle (a child of the generator's) */
static napi_value worker_new(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    worker_op *o = vgn_op_new(env, sizeof *o, worker_new_exec);
    if (!o)
        return NULL;
    o->op.finish = worker_new_finish;
    o->gen = vgn_op_handle(&o->op, argv[0], VGN_GENERATOR);
    o->name = vgn_op_string(&o->op, argv[1], "name", 1);
    return vgn_op_run(&o->op, VGN_SYNC);
}

static void worker_step_exec(vgn_op *op)
{
    worker_op *o = (worker_op *)op;
    op->rc = vg_worker_step(&o->did, o->worker);
    if (op->rc == 0)
        op->result = vgn_bool(o->did);
}

/* worker_step(worker) -> Promise<boolean> (whether there was a due job) */
static napi_value worker_step(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    worker_op *o = vgn_op_new(env, sizeof *o, worker_step_exec);
    if (!o)
        return NULL;
    o->worker = vgn_op_handle(&o->op, argv[0], VGN_WORKER);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void worker_stop_exec(vgn_op *op)
{
    vg_worker_stop(((worker_op *)op)->worker);
}

/* worker_stop(worker): asks a running worker to return after its current step. */
static napi_value worker_stop(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    worker_op *o = vgn_op_new(env, sizeof *o, worker_stop_exec);
    if (!o)
        return NULL;
    o->worker = vgn_op_handle(&o->op, argv[0], VGN_WORKER);
    return vgn_op_run(&o->op, VGN_SYNC);
}

static void run_exec(vgn_op *op)
{
    worker_op *o = (worker_op *)op;
    op->rc = vg_worker_run(o->worker, o->idle_ms, o->stop_when_idle);
}

static void run_finish(vgn_op *op, napi_value *out)
{
    worker_op *o = (worker_op *)op;
    if (o->state)
        o->state->running = 0; /* the op still holds the handle, so its extra lives */
    if (op->rc == 0)
        napi_get_undefined(op->env, out);
}

/* worker_run(worker, idleMs?, stopWhenIdle?) -> Promise<undefined>: vg_worker_run on a
 * thread of its own (a run lasts as long as the host wants), until worker_stop, the handle
 * closes (its interrupt stops the run) or, with stopWhenIdle, no job is due or in
 * progress. Rejects with the store error that ended the run. */
static napi_value worker_run(napi_env env, napi_callback_info info)
{
    worker_state *state;
    VGN_ARGS(env, info, 3, argv);
    worker_op *o = vgn_op_new(env, sizeof *o, run_exec);
    if (!o)
        return NULL;
    o->op.finish = run_finish;
    o->worker = vgn_op_handle(&o->op, argv[0], VGN_WORKER);
    o->idle_ms = (int)vgn_op_int_in(&o->op, argv[1], "idleMs", 1, 0, 60000);
    o->stop_when_idle = vgn_op_bool(&o->op, argv[2], "stopWhenIdle", 1);
    state = o->worker ? vgn_handle_extra(env, argv[0], VGN_WORKER) : NULL;
    if (state && state->running) {
        vgn_op_reject(&o->op, VGN_TYPE_ERROR, "the worker is already running");
    } else if (state && !o->op.arg_error) {
        o->state = state;
        state->running = 1;
    }
    return vgn_op_run(&o->op, VGN_THREAD);
}

/* ---- the gallery ----------------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *topic, *lang, *title;
    int count;
    uint64_t seed;
    int64_t id;
} gallery_op;

static void topics_exec(vgn_op *op)
{
    gallery_op *o = (gallery_op *)op;
    op->result = vgn_array();
    op->rc = vg_gallery_topics(o->ctx, o->lang, topic_row, op->result);
}

/* gallery_topics(ctx, lang?) -> Promise<topic[]> */
static napi_value gallery_topics(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    gallery_op *o = vgn_op_new(env, sizeof *o, topics_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->lang = vgn_op_string(&o->op, argv[1], "lang", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void examples_exec(vgn_op *op)
{
    gallery_op *o = (gallery_op *)op;
    op->result = vgn_array();
    op->rc =
        vg_gallery_examples(o->ctx, o->topic, o->lang, o->count, o->seed, example_row, op->result);
}

/* gallery_examples(ctx, topic?, lang?, count?, seed?) -> Promise<example[]> (count 1..100,
 * 6 by default; seed 0: a fresh order, below 2^53) */
static napi_value gallery_examples(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    gallery_op *o = vgn_op_new(env, sizeof *o, examples_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->topic = vgn_op_string(&o->op, argv[1], "topic", 1);
    o->lang = vgn_op_string(&o->op, argv[2], "lang", 1);
    if (!(o->count = (int)vgn_op_int_in(&o->op, argv[3], "count", 1, 1, 100)))
        o->count = 6; /* absent */
    o->seed = (uint64_t)vgn_op_int_in(&o->op, argv[4], "seed", 1, 0, INT64_MAX);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void promote_exec(vgn_op *op)
{
    gallery_op *o = (gallery_op *)op;
    int64_t id = 0;
    op->rc = vg_gallery_promote(&id, o->ctx, o->id, o->topic, o->title);
    if (op->rc == 0)
        op->result = vgn_int(id);
}

/* gallery_promote(ctx, jobId, topic, title?) -> Promise<exampleId> */
static napi_value gallery_promote(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    gallery_op *o = vgn_op_new(env, sizeof *o, promote_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->id = op_id(&o->op, argv[1], "jobId");
    o->topic = vgn_op_string(&o->op, argv[2], "topic", 0);
    o->title = vgn_op_string(&o->op, argv[3], "title", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void remove_exec(vgn_op *op)
{
    gallery_op *o = (gallery_op *)op;
    op->rc = vg_gallery_remove(o->ctx, o->id);
}

/* gallery_remove(ctx, exampleId) -> Promise<undefined> */
static napi_value gallery_remove(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    gallery_op *o = vgn_op_new(env, sizeof *o, remove_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->id = op_id(&o->op, argv[1], "exampleId");
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- module ---------------------------------------------------------------------------------- */

static const vgn_function functions[] = {
    {"job_state_name", job_state_name},
    {"generator_open", generator_open},
    {"generate_submit", generate_submit},
    {"job_get", job_get},
    {"jobs_list", jobs_list},
    {"job_cancel", job_cancel},
    {"job_wait", job_wait},
    {"worker_new", worker_new},
    {"worker_step", worker_step},
    {"worker_run", worker_run},
    {"worker_stop", worker_stop},
    {"gallery_topics", gallery_topics},
    {"gallery_examples", gallery_examples},
    {"gallery_promote", gallery_promote},
    {"gallery_remove", gallery_remove},
};

int vgn_register_generate(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, COUNT(functions));
}
