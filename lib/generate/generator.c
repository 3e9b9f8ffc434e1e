/* SPDX-License-Identifier: MIT */
/* The generator (a context's pipeline settings and similarity cache) and what every step
 * of a job shares: reading and saving it, its public view, events, and settling its hold. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <sodium.h>
#include <string.h>

#include "../providers/provider.h"
#include "generate_internal.h"

static const char *const state_names[] = {"queued",    "submitted", "polling",
                                          "succeeded", "failed",    "cancelled"};

_Static_assert(VG_JOB_SUCCEEDED == VG_STORE_JOB_FINAL,
               "the store's first final state is SUCCEEDED");

const char *vg_job_state_name(int state)
{
    return state >= 0 && state < (int)(sizeof state_names / sizeof state_names[0])
               ? state_names[state]
               : NULL;
}

int vg_generator_open(vg_generator **out, vg_ctx *ctx, const vg_generator_options *options)
{
    vg_generator_options defaults = VG_GENERATOR_OPTIONS_INIT;
    vg_cache_options cache_options = VG_CACHE_OPTIONS_INIT;
    vg_generator *g;
    int rc;

    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_generator_open: out or ctx is NULL");
    *out = NULL;
    if (!options)
        options = &defaults;
    if (options->version != VG_GENERATOR_OPTIONS_VERSION)
        return vg__fail(ctx, VG_EVERSION, "generator options version %u is not %u",
                        options->version, VG_GENERATOR_OPTIONS_VERSION);
    if (options->job_timeout_s < 0 || options->lease_s < 0 || options->aging_s < 0 ||
        options->max_attempts < 0 || options->max_poll_ms < 0 || options->enhance < -1 ||
        options->enhance > 1)
        return vg__fail(ctx, VG_EINVAL, "generator options: negative times or counts");
    if (!(g = vg__calloc(ctx, 1, sizeof *g)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    g->ctx = ctx;
    g->enhance = options->enhance >= 0;
    g->job_timeout_s = options->job_timeout_s ? options->job_timeout_s : 1800;
    /* A lease must outlast the longest provider call (its retries included): a worker
     * whose lease ran out could see another resume its job. */
    g->lease_s = options->lease_s ? options->lease_s : 300;
    g->aging_s = options->aging_s ? options->aging_s : 120;
    g->max_attempts = options->max_attempts ? options->max_attempts : 3;
    g->max_poll_ms = options->max_poll_ms ? options->max_poll_ms : 10000;
    g->on_event = options->on_event;
    g->event_payload = options->event_payload;
    pthread_mutex_init(&g->lock, NULL);
    if (options->cache)
        cache_options = *options->cache;
    if (!cache_options.embedder) {
        if ((rc = vg_embedder_default(&g->embedder, ctx)) != VG_OK)
            goto fail;
        cache_options.embedder = g->embedder;
    }
    if ((rc = vg_cache_open(&g->cache, ctx, &cache_options)) != VG_OK)
        goto fail;
    *out = g;
    return VG_OK;
fail:
    vg_generator_close(g);
    return rc;
}

void vg_generator_close(vg_generator *g)
{
    if (!g)
        return;
    vg_cache_close(g->cache);
    vg_embedder_free(g->embedder);
    pthread_mutex_destroy(&g->lock);
    vg__free(g->ctx, g);
}

/* ---- reading and saving jobs ---------------------------------------------------------- */

typedef struct job_args {
    vg_store_job *job;
    int64_t id;
} job_args;

static int load_body(vg__txn *txn, void *payload)
{
    job_args *a = payload;
    return vg__job_get(txn, a->job, a->id, 0);
}

int vg__job_load(vg_ctx *ctx, vg_store_job *out, int64_t id)
{
    job_args a = {out, id};
    return vg__txn_run(ctx, VG_TXN_READ, load_body, &a);
}

static int save_body(vg__txn *txn, void *payload)
{
    return vg__job_update(txn, ((job_args *)payload)->job);
}

int vg__job_save(vg_ctx *ctx, vg_store_job *job)
{
    job_args a = {job, job->id};
    int rc;

    job->updated_at = vg_ctx_now(ctx);
    rc = vg__txn_run(ctx, VG_TXN_WRITE, save_body, &a);
    if (rc == VG_OK)
        job->version++;
    return rc;
}

/* ---- the public view -------------------------------------------------------------------- */

/* What the user reads about a finished job that did not succeed. */
static const char *user_message(const vg_store_job *job)
{
    const char *m;
    if (job->state == VG_JOB_CANCELLED)
        return vg_strerror(VG_EJOB_CANCELLED, job->lang);
    if (job->state != VG_JOB_FAILED || job->error == 0)
        return "";
    if (job->error == VG_EMODERATION_BLOCKED &&
        (m = vg_moderation_message(NULL, job->error_detail, job->lang)) != NULL)
        return m;
    return vg_strerror(job->error, job->lang);
}

void vg__job_public(vg_job *out, const vg_store_job *s)
{
    memset(out, 0, sizeof *out);
    out->version = VG_JOB_VERSION;
    out->id = s->id;
    out->user_id = s->user_id;
    memcpy(out->service, s->service, sizeof out->service);
    out->kind = (vg_task_kind)s->kind;
    out->state = (vg_job_state)s->state;
    out->priority = s->priority;
    out->percent = s->percent;
    vg__copy(out->prompt, sizeof out->prompt, s->prompt);
    vg__copy(out->enhanced_prompt, sizeof out->enhanced_prompt, s->enhanced_prompt);
    snprintf(out->lang, sizeof out->lang, "%s", s->lang);
    out->resolution = s->resolution;
    out->duration_s = s->duration_s;
    out->fps = s->fps;
    snprintf(out->style, sizeof out->style, "%s", s->style);
    out->input_job_id = s->input_job_id;
    out->is_public = s->is_public;
    out->price = s->price;
    out->free_use = s->free_use;
    out->charged = s->charged;
    out->watermark = s->watermark;
    out->cache_hit = s->cache_hit;
    out->similarity = s->similarity;
    out->leader_id = s->leader_id;
    memcpy(out->provider, s->provider, sizeof out->provider);
    out->fallback = s->fallback;
    out->attempts = s->attempts;
    memcpy(out->media_type, s->media_type, sizeof out->media_type);
    memcpy(out->result_url, s->result_url, sizeof out->result_url);
    memcpy(out->thumbnail_url, s->thumbnail_url, sizeof out->thumbnail_url);
    out->width = s->width;
    out->height = s->height;
    out->result_duration_s = s->result_duration_s;
    out->placeholder = s->placeholder;
    out->api_cost_micro_usd = s->api_cost_micro_usd;
    out->error = s->error;
    snprintf(out->message, sizeof out->message, "%s", user_message(s));
    memcpy(out->detail, s->error_detail, sizeof out->detail);
    out->created_at = s->created_at;
    out->updated_at = s->updated_at;
    out->finished_at = s->finished_at;
}

void vg__job_emit(vg_generator *g, const vg_store_job *job)
{
    vg_job *view;
    if (!g->on_event || !(view = vg__alloc(g->ctx, sizeof *view)))
        return;
    vg__job_public(view, job);
    g->on_event(view, g->event_payload);
    vg__free(g->ctx, view);
}

/* ---- settling a job's hold -------------------------------------------------------------- */

int vg__job_settle(vg_generator *g, vg_store_job *job)
{
    char key[64];
    vg_hold hold;
    int rc;

    if (job->settled || job->state < VG_STORE_JOB_FINAL)
        return VG_OK;
    if (job->hold_id == 0) {
        rc = VG_OK;
    } else if (job->state == VG_JOB_SUCCEEDED) {
        snprintf(key, sizeof key, "job:%" PRId64 ":capture", job->id);
        rc = vg_credits_capture(&hold, g->ctx, job->hold_id, key);
        if (rc == VG_OK) {
            job->charged = 1;
        } else if (rc == VG_EHOLD_EXPIRED) {
            /* The job outlived its hold: the result is delivered without charge. */
            vg__log(g->ctx, VG_LOG_WARN, "job %" PRId64 ": its hold expired before the result "
                    "came; delivered without charge", job->id);
            rc = VG_OK;
        }
    } else {
        snprintf(key, sizeof key, "job:%" PRId64 ":release", job->id);
        rc = vg_credits_release(&hold, g->ctx, job->hold_id, key);
        if (rc == VG_EHOLD_SETTLED || rc == VG_EHOLD_EXPIRED) {
            /* captured by an earlier step that then failed: refund; expired: nothing held */
            rc = vg_credits_hold_get(&hold, g->ctx, job->hold_id);
            if (rc == VG_OK && hold.state == VG_HOLD_CAPTURED) {
                snprintf(key, sizeof key, "job:%" PRId64 ":refund", job->id);
                rc = vg_credits_refund(&hold, g->ctx, job->hold_id, key);
            }
        }
        if (rc == VG_OK)
            job->charged = 0;
    }
    if (rc != VG_OK)
        return rc;
    job->settled = 1;
    if ((rc = vg__job_save(g->ctx, job)) == VG_OK)
        vg__job_emit(g, job);
    return rc;
}

int vg__job_finish(vg_generator *g, vg_store_job *job, vg_job_state state, int error,
                   const char *detail)
{
    int rc;

    job->state = (int)state;
    job->error = error;
    snprintf(job->error_detail, sizeof job->error_detail, "%s", detail ? detail : "");
    job->finished_at = vg_ctx_now(g->ctx);
    job->lease_owner[0] = '\0';
    job->lease_until = 0;
    if (state == VG_JOB_SUCCEEDED)
        job->percent = 100;
    if ((rc = vg__job_save(g->ctx, job)) != VG_OK)
        return rc;
    vg__log(g->ctx, state == VG_JOB_SUCCEEDED ? VG_LOG_INFO : VG_LOG_WARN,
            "job %" PRId64 ": %s%s%s", job->id, vg_job_state_name(state), detail ? ": " : "",
            detail ? detail : "");
    vg__job_emit(g, job);
    return vg__job_settle(g, job);
}

int vg__job_copy_cached(vg_ctx *ctx, vg_store_job *job, const char *result)
{
    vg_store_job *source;
    char *end;
    long long id;
    int rc;

    if (strncmp(result, VG__JOB_RESULT_PREFIX, strlen(VG__JOB_RESULT_PREFIX)) != 0)
        return VG_ENOTFOUND;
    id = strtoll(result + strlen(VG__JOB_RESULT_PREFIX), &end, 10);
    if (*end != '\0' || id <= 0)
        return VG_ENOTFOUND;
    if (!(source = vg__alloc(ctx, sizeof *source)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    rc = vg__job_load(ctx, source, id);
    if (rc == VG_OK && source->state != VG_JOB_SUCCEEDED)
        rc = VG_ENOTFOUND;
    if (rc == VG_OK) {
        memcpy(job->media_type, source->media_type, sizeof job->media_type);
        memcpy(job->result_url, source->result_url, sizeof job->result_url);
        memcpy(job->thumbnail_url, source->thumbnail_url, sizeof job->thumbnail_url);
        memcpy(job->provider, source->provider, sizeof job->provider);
        job->width = source->width;
        job->height = source->height;
        job->result_duration_s = source->result_duration_s;
        job->placeholder = source->placeholder;
        job->api_cost_micro_usd = 0;
    }
    vg__free(ctx, source);
    return rc;
}

void vg__job_scope(vg_cache_scope *scope, char input_hex[2 * VG_STORE_HASH_SIZE + 8],
                   const vg_store_job *job)
{
    *scope = (vg_cache_scope)VG_CACHE_SCOPE_INIT;
    scope->service = job->service;
    scope->resolution = job->resolution;
    scope->style = job->style[0] ? job->style : NULL;
    input_hex[0] = '\0';
    if (job->has_input)
        sodium_bin2hex(input_hex, 2 * VG_STORE_HASH_SIZE + 1, job->input_hash,
                       VG_STORE_HASH_SIZE);
    else if (job->input_job_id)
        snprintf(input_hex, 2 * VG_STORE_HASH_SIZE + 8, "job%" PRId64, job->input_job_id);
    scope->input_hash = input_hex[0] ? input_hex : NULL;
}
