/* SPDX-License-Identifier: MIT */
/* Workers: claim the most urgent due job and take it one step further — wait for a
 * near-duplicate, send it to a provider, poll, fall back, finish, settle. A step ends with
 * the job saved and its lease dropped, so any worker can take the next one. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../cache/cache_state.h"
#include "generate_internal.h"

#define FOLLOW_WAIT_MS 1000   /* how often a job waiting for a near-duplicate looks again */
#define RETRY_BASE_MS 2000    /* backoff after a provider failure: base * 2^(attempt-1) */
#define NEAR_DUPLICATES_MAX 20

/* How long a cached result stays valid, by the provider that made it: Runway's URLs expire
 * after 24-48 h, GoEnhance's after 12-24 h (docs/providers.md); others keep theirs. */
static const struct {
    const char *provider;
    int ttl_s;
} result_ttl[] = {
    {"runway", 20 * 3600},
    {"goenhance", 10 * 3600},
};

struct vg_worker {
    vg_generator *g;
    vg_ctx *ctx;
    char name[VG_STORE_WORKER_SIZE];
    volatile int stop;
    pthread_mutex_t lock;
};

int vg_worker_new(vg_worker **out, vg_generator *g, const char *name)
{
    vg_worker *w;
    char host[32] = "host";
    int n;

    if (!out || !g)
        return vg__fail(g ? g->ctx : NULL, VG_EINVAL, "vg_worker_new: out or generator is NULL");
    *out = NULL;
    if (name && (!*name || strlen(name) >= VG_STORE_WORKER_SIZE || !vg__utf8_valid(name)))
        return vg__fail(g->ctx, VG_EINVAL, "a worker name has 1..%d bytes of UTF-8",
                        VG_STORE_WORKER_SIZE - 1);
    if (!(w = vg__calloc(g->ctx, 1, sizeof *w)))
        return vg__fail(g->ctx, VG_ENOMEM, "out of memory");
    w->g = g;
    w->ctx = g->ctx;
    pthread_mutex_init(&w->lock, NULL);
    pthread_mutex_lock(&g->lock);
    n = ++g->workers_made;
    pthread_mutex_unlock(&g->lock);
    if (name) {
        snprintf(w->name, sizeof w->name, "%s", name);
    } else {
        gethostname(host, sizeof host - 1);
        snprintf(w->name, sizeof w->name, "%.31s:%ld:%d", host, (long)getpid(), n);
    }
    *out = w;
    return VG_OK;
}

void vg_worker_free(vg_worker *w)
{
    if (!w)
        return;
    pthread_mutex_destroy(&w->lock);
    vg__free(w->ctx, w);
}

void vg_worker_stop(vg_worker *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->lock);
    w->stop = 1;
    pthread_mutex_unlock(&w->lock);
}

static int stopped(vg_worker *w)
{
    int stop;
    pthread_mutex_lock(&w->lock);
    stop = w->stop;
    pthread_mutex_unlock(&w->lock);
    return stop;
}

/* ---- a step's building blocks --------------------------------------------------------------- */

static vg_time after_ms(vg_ctx *ctx, int ms)
{
    return vg_ctx_now(ctx) + (vg_time)ms * 1000;
}

/* Saves a job that goes on later (lease dropped, due at next_run_at) and tells the listener. */
static int reschedule(vg_worker *w, vg_store_job *job, int wait_ms)
{
    int rc;
    job->lease_owner[0] = '\0';
    job->lease_until = 0;
    job->next_run_at = after_ms(w->ctx, wait_ms);
    if ((rc = vg__job_save(w->ctx, job)) == VG_OK)
        vg__job_emit(w->g, job);
    return rc;
}

/* The wait before the next poll: the provider's advice, at most max_poll_ms. */
static int poll_wait_ms(const vg_worker *w, const vg_provider_job *pjob)
{
    return pjob->poll_after_ms > 0 && pjob->poll_after_ms < w->g->max_poll_ms
               ? pjob->poll_after_ms
               : w->g->max_poll_ms;
}

/* The task a job asks of its provider. Buffers it points into: *input (an uploaded photo,
 * freed by the caller) and the job itself. */
static int build_task(vg_worker *w, vg_provider_task *task, vg_store_input *input,
                      vg_store_job *source, const vg_store_job *job);

typedef struct input_args {
    vg_store_input *input;
    const unsigned char *hash;
    unsigned char *copy; /* the bytes, copied out of the backend's buffer */
    vg_ctx *ctx;
} input_args;

static int input_body(vg__txn *txn, void *payload)
{
    input_args *a = payload;
    int rc = vg__input_get(txn, a->input, a->hash);
    if (rc == VG_OK) {
        if (!(a->copy = vg__alloc(a->ctx, a->input->size ? a->input->size : 1)))
            return vg__fail(a->ctx, VG_ENOMEM, "out of memory");
        memcpy(a->copy, a->input->data, a->input->size);
        a->input->data = a->copy;
    }
    return rc;
}

static int build_task(vg_worker *w, vg_provider_task *task, vg_store_input *input,
                      vg_store_job *source, const vg_store_job *job)
{
    input_args a = {input, job->input_hash, NULL, w->ctx};
    int rc;

    *task = (vg_provider_task)VG_PROVIDER_TASK_INIT;
    task->kind = (vg_task_kind)job->kind;
    task->prompt = job->enhanced_prompt[0] ? job->enhanced_prompt : job->prompt;
    if (!task->prompt[0])
        task->prompt = NULL;
    task->style = job->style[0] ? job->style : NULL;
    task->resolution = job->resolution;
    task->duration_s = job->kind == VG_TASK_TEXT_TO_IMAGE ? 0 : job->duration_s;
    if (job->stage == 1) {
        /* the upscale of a finished 1080p video to the 4K that was asked for */
        task->kind = VG_TASK_VIDEO_UPSCALE;
        task->input_job_id = job->provider_job_id;
        task->input_url = job->result_url;
        return VG_OK;
    }
    if (job->has_input) {
        if ((rc = vg__txn_run(w->ctx, VG_TXN_READ, input_body, &a)) != VG_OK)
            return rc;
        task->input_image = input->data;
        task->input_image_len = input->size;
        task->input_image_mime = input->mime;
    } else if (job->input_job_id) {
        if ((rc = vg__job_load(w->ctx, source, job->input_job_id)) != VG_OK)
            return rc;
        task->input_url = source->result_url;
    }
    return VG_OK;
}

/* Fails a job for good, or gives it to the fallback provider once. */
static int fallback_or_fail(vg_worker *w, vg_store_job *job, int error, const char *detail)
{
    char fallback[VG_NAME_SIZE];

    if (!job->fallback && job->stage == 0 &&
        vg_provider_pick(fallback, w->ctx, (vg_task_kind)job->kind, 1) == VG_OK) {
        vg__log(w->ctx, VG_LOG_WARN, "job %" PRId64 ": %s failed (%s); falling back to %s",
                job->id, job->provider, detail, fallback);
        job->fallback = 1;
        job->state = VG_JOB_QUEUED;
        job->provider_job_id[0] = '\0';
        job->attempts = 0;
        job->poll_errors = 0;
        job->percent = -1;
        return reschedule(w, job, 0);
    }
    vg_error_clear();
    (void)error;
    return vg__job_finish(w->g, job, VG_JOB_FAILED, VG_EJOB_FAILED, detail);
}

static int retryable(int rc)
{
    return rc == VG_EPROVIDER_RATE || rc == VG_EPROVIDER_UNAVAILABLE ||
           rc == VG_EPROVIDER_TIMEOUT || rc == VG_ENETWORK || rc == VG_ECIRCUIT_OPEN;
}

static int backoff_ms(int attempt)
{
    int shift = attempt < 1 ? 0 : attempt > 6 ? 5 : attempt - 1;
    return RETRY_BASE_MS << shift;
}

/* ---- waiting for a near-duplicate ------------------------------------------------------------ */

typedef struct near_args {
    vg_worker *w;
    const vg_store_job *job;
    double threshold;
    int64_t leader;
} near_args;

static int near_one(const vg_store_job *other, void *payload)
{
    near_args *a = payload;
    double similarity = 0;
    int agrees = 0;

    if (other->id >= a->job->id || !other->prompt[0])
        return 0;
    if (vg_cache_compare(&similarity, &agrees, a->w->g->cache, a->job->prompt, other->prompt) !=
        VG_OK)
        return 0;
    if (similarity >= a->threshold && agrees) {
        a->leader = other->id;
        return 1;
    }
    return 0;
}

typedef struct list_args {
    const vg_store_job_filter *filter;
    vg_store_job_fn fn;
    void *payload;
} list_args;

static int list_body(vg__txn *txn, void *payload)
{
    list_args *a = payload;
    return vg__jobs_list(txn, a->filter, a->fn, a->payload);
}

/* Single flight across workers and processes: an older unfinished job of the same scope
 * whose prompt would hit this one's leads; this one waits and is then served from the
 * cache. Older leads, so two near-duplicates never wait for each other. */
static int find_leader(vg_worker *w, const vg_store_job *job, int64_t *leader)
{
    vg_store_job_filter filter;
    near_args a = {w, job, 0.85, 0};
    list_args l;
    int rc;

    *leader = 0;
    if (!job->prompt[0])
        return VG_OK;
    memset(&filter, 0, sizeof filter);
    filter.scope = job->scope;
    filter.active_only = 1;
    filter.before_id = job->id;
    filter.limit = NEAR_DUPLICATES_MAX;
    if ((rc = vg__cache_sync_threshold(w->g->cache, job->scope, &a.threshold)) != VG_OK)
        return rc;
    l.filter = &filter;
    l.fn = near_one;
    l.payload = &a;
    rc = vg__txn_run(w->ctx, VG_TXN_READ, list_body, &l);
    *leader = a.leader;
    return rc;
}

/* ---- the steps ------------------------------------------------------------------------------ */

/* Serves a job from the cache if a result arrived meanwhile; *served = 1 when it did. */
static int serve_from_cache(vg_worker *w, vg_store_job *job, int *served)
{
    char input_hex[2 * VG_STORE_HASH_SIZE + 8];
    vg_cache_scope scope;
    vg_cache_hit *hit;
    int rc;

    *served = 0;
    if (!job->prompt[0] || job->stage != 0)
        return VG_OK;
    if (!(hit = vg__alloc(w->ctx, sizeof *hit)))
        return vg__fail(w->ctx, VG_ENOMEM, "out of memory");
    vg__job_scope(&scope, input_hex, job);
    rc = vg_cache_lookup(hit, w->g->cache, &scope, job->prompt, job->user_id);
    if (rc == VG_OK && hit->match != VG_CACHE_MISS) {
        rc = vg__job_copy_cached(w->ctx, job, hit->entry.result);
        if (rc == VG_OK) {
            job->cache_hit = 1;
            job->similarity = hit->similarity;
            *served = 1;
        } else if (rc == VG_ENOTFOUND) {
            rc = VG_OK;
        }
    }
    vg__free(w->ctx, hit);
    if (*served)
        return vg__job_finish(w->g, job, VG_JOB_SUCCEEDED, 0, NULL);
    return rc;
}

/* After a submit whose outcome is unknown: find the provider's job, or decide. */
static int reconcile(vg_worker *w, vg_store_job *job, const vg_provider_task *task)
{
    vg_provider_job pjob;
    int rc;

    vg_provider_job_init(&pjob, VG_PROVIDER_JOB_VERSION);
    rc = vg_provider_reconcile(&pjob, w->ctx, job->provider, task,
                               job->submitted_at - 5 * 1000000);
    if (rc == VG_OK) {
        vg__log(w->ctx, VG_LOG_INFO, "job %" PRId64 ": found %s job %s after a lost answer",
                job->id, job->provider, pjob.job_id);
        snprintf(job->provider_job_id, sizeof job->provider_job_id, "%s", pjob.job_id);
        job->state = VG_JOB_POLLING;
        return reschedule(w, job, poll_wait_ms(w, &pjob));
    }
    if (rc == VG_ENOTFOUND) {
        /* the provider made nothing: sending again cannot pay twice */
        job->state = VG_JOB_QUEUED;
        return reschedule(w, job, 0);
    }
    /* cannot tell: never resend blindly; the user pays nothing */
    return vg__job_finish(w->g, job, VG_JOB_FAILED, VG_EJOB_FAILED,
                          "the provider's answer was lost and it cannot tell whether the job "
                          "was made");
}

typedef struct max_lines_args {
    const char *provider;
    vg_task_kind kind;
    int lines;
} max_lines_args;

static int max_lines_one(const vg_provider_capability *row, void *payload)
{
    max_lines_args *a = payload;
    if (row->kind == a->kind && strcmp(row->provider, a->provider) == 0) {
        a->lines = row->max_resolution;
        return 1;
    }
    return 0;
}

/* The most lines a provider makes itself for a kind (0: unknown). */
static int provider_max_lines(const char *provider, vg_task_kind kind)
{
    max_lines_args a = {provider, kind, 0};
    vg_provider_capabilities(max_lines_one, &a);
    return a.lines;
}

static int step_submit(vg_worker *w, vg_store_job *job)
{
    int max_lines;
    vg_provider_task task;
    vg_store_input input;
    vg_store_job *source = NULL;
    vg_provider_job pjob;
    char detail[VG_STORE_DETAIL_SIZE];
    int rc, resubmit = job->state == VG_JOB_SUBMITTED;

    memset(&input, 0, sizeof input);
    if (!(source = vg__alloc(w->ctx, sizeof *source)))
        return vg__fail(w->ctx, VG_ENOMEM, "out of memory");
    if ((rc = build_task(w, &task, &input, source, job)) != VG_OK) {
        rc = vg__job_finish(w->g, job, VG_JOB_FAILED, VG_EINPUT_ASSET, vg_ctx_errmsg(w->ctx));
        goto done;
    }
    if (resubmit) {
        /* a worker died while sending: the provider may have the job */
        rc = reconcile(w, job, &task);
        goto done;
    }
    if ((rc = vg_provider_pick(job->provider, w->ctx, task.kind, job->fallback)) != VG_OK) {
        rc = vg__job_finish(w->g, job, VG_JOB_FAILED, VG_EJOB_FAILED, vg_ctx_errmsg(w->ctx));
        goto done;
    }
    /* a 4K job's first stage: the generator's best, the upscale stage does the rest */
    if (job->stage == 0 && (max_lines = provider_max_lines(job->provider, task.kind)) > 0 &&
        task.resolution > max_lines)
        task.resolution = max_lines;
    /* recorded before sending: after a crash here the job is reconciled, never resent */
    job->state = VG_JOB_SUBMITTED;
    job->attempts++;
    job->submitted_at = vg_ctx_now(w->ctx);
    if ((rc = vg__job_save(w->ctx, job)) != VG_OK)
        goto done;
    vg__job_emit(w->g, job);

    vg_provider_job_init(&pjob, VG_PROVIDER_JOB_VERSION);
    rc = vg_provider_submit(&pjob, w->ctx, job->provider, &task);
    if (rc == VG_OK) {
        snprintf(job->provider_job_id, sizeof job->provider_job_id, "%s", pjob.job_id);
        job->state = VG_JOB_POLLING;
        job->percent = pjob.percent;
        if (strcmp(pjob.api_cost_unit, "USD") == 0 && pjob.api_cost_micro > 0)
            job->api_cost_micro_usd += pjob.api_cost_micro; /* Leonardo says it here */
        rc = reschedule(w, job, poll_wait_ms(w, &pjob));
        if (rc == VG_ESTATE) /* cancelled while it was being sent */
            vg_provider_cancel(w->ctx, job->provider, pjob.job_id);
    } else if (rc == VG_EOUTCOME_UNKNOWN) {
        rc = reconcile(w, job, &task);
    } else {
        snprintf(detail, sizeof detail, "%s", vg_ctx_errmsg(w->ctx));
        if (retryable(rc) && job->attempts < w->g->max_attempts) {
            job->state = VG_JOB_QUEUED;
            rc = reschedule(w, job, backoff_ms(job->attempts));
        } else {
            rc = fallback_or_fail(w, job, rc, detail);
        }
    }
done:
    vg__free(w->ctx, (void *)input.data);
    vg__free(w->ctx, source);
    return rc;
}

/* The provider finished the job: upscale next (4K from a 1080p generator), or deliver. */
static int step_succeeded(vg_worker *w, vg_store_job *job, const vg_provider_job *pjob)
{
    char input_hex[2 * VG_STORE_HASH_SIZE + 8], result[32];
    vg_cache_scope scope;
    int64_t cost;
    size_t i;
    int rc, ttl = 0;

    snprintf(job->media_type, sizeof job->media_type, "%s",
             pjob->media_type[0] ? pjob->media_type
             : job->kind == VG_TASK_TEXT_TO_IMAGE && job->stage == 0 ? "image"
                                                                     : "video");
    snprintf(job->result_url, sizeof job->result_url, "%s", pjob->result_url);
    snprintf(job->thumbnail_url, sizeof job->thumbnail_url, "%s", pjob->thumbnail_url);
    job->width = pjob->width;
    job->height = pjob->height;
    job->result_duration_s = pjob->duration_s;
    job->placeholder = pjob->placeholder;
    cost = strcmp(pjob->api_cost_unit, "USD") == 0 && pjob->api_cost_micro >= 0
               ? pjob->api_cost_micro
               : 0;
    job->api_cost_micro_usd += cost;
    if (job->stage == 0 && job->kind != VG_TASK_TEXT_TO_IMAGE && job->height > 0 &&
        job->resolution > job->height && job->resolution > 1080) {
        job->stage = 1;
        job->state = VG_JOB_QUEUED;
        job->percent = -1;
        return reschedule(w, job, 0);
    }
    if ((rc = vg__job_finish(w->g, job, VG_JOB_SUCCEEDED, 0, NULL)) != VG_OK)
        return rc;
    for (i = 0; i < sizeof result_ttl / sizeof result_ttl[0]; i++)
        if (strcmp(result_ttl[i].provider, job->provider) == 0)
            ttl = result_ttl[i].ttl_s;
    vg__job_scope(&scope, input_hex, job);
    snprintf(result, sizeof result, VG__JOB_RESULT_PREFIX "%" PRId64, job->id);
    if (job->prompt[0] &&
        vg_cache_put(NULL, w->g->cache, &scope, job->prompt, result, job->api_cost_micro_usd,
                     ttl, job->user_id, 0) != VG_OK)
        vg__log(w->ctx, VG_LOG_WARN, "job %" PRId64 ": not cached: %s", job->id,
                vg_ctx_errmsg(w->ctx));
    return VG_OK;
}

static int step_poll(vg_worker *w, vg_store_job *job)
{
    vg_provider_job pjob;
    char detail[VG_STORE_DETAIL_SIZE];
    vg_time now = vg_ctx_now(w->ctx);
    int rc, late = now - job->submitted_at > (vg_time)w->g->job_timeout_s * 1000000;

    vg_provider_job_init(&pjob, VG_PROVIDER_JOB_VERSION);
    snprintf(pjob.provider, sizeof pjob.provider, "%s", job->provider);
    snprintf(pjob.job_id, sizeof pjob.job_id, "%s", job->provider_job_id);
    pjob.kind = job->stage == 1 ? VG_TASK_VIDEO_UPSCALE : (vg_task_kind)job->kind;
    rc = vg_provider_poll(&pjob, w->ctx);
    if (rc == VG_ENOTFOUND)
        return fallback_or_fail(w, job, rc, "the provider lost the job");
    if (rc != VG_OK) {
        snprintf(detail, sizeof detail, "%s", vg_ctx_errmsg(w->ctx));
        if (late)
            return vg__job_finish(w->g, job, VG_JOB_FAILED, VG_EJOB_FAILED, detail);
        job->poll_errors++;
        return reschedule(w, job, backoff_ms(job->poll_errors));
    }
    job->poll_errors = 0;
    switch (pjob.state) {
    case VG_TASK_SUCCEEDED:
        return step_succeeded(w, job, &pjob);
    case VG_TASK_FAILED:
    case VG_TASK_CANCELLED:
        snprintf(detail, sizeof detail, "%.32s %s: %.60s%s%.150s", job->provider,
                 vg_task_state_name(pjob.state), pjob.failure_code,
                 pjob.failure_code[0] ? " " : "", pjob.failure);
        return fallback_or_fail(w, job, VG_EJOB_FAILED, detail);
    default:
        if (late) {
            vg_provider_cancel(w->ctx, job->provider, job->provider_job_id);
            return vg__job_finish(w->g, job, VG_JOB_FAILED, VG_ETIMEOUT,
                                  "the provider did not finish in time");
        }
        job->percent = pjob.percent;
        return reschedule(w, job, poll_wait_ms(w, &pjob));
    }
}

static int step_queued(vg_worker *w, vg_store_job *job)
{
    vg_store_job leader;
    int64_t leader_id;
    int rc, served, waited = job->leader_id != 0;

    if (job->leader_id) {
        rc = vg__job_load(w->ctx, &leader, job->leader_id);
        if (rc == VG_OK && leader.state < VG_STORE_JOB_FINAL)
            return reschedule(w, job, FOLLOW_WAIT_MS);
        job->leader_id = 0; /* the leader finished: its result is in the cache, or not */
    }
    /* submit looked the prompt up a moment ago; look again only after a wait (for a
     * leader, or before a retry), when a result may have arrived meanwhile */
    if ((waited || job->attempts > 0) &&
        ((rc = serve_from_cache(w, job, &served)) != VG_OK || served))
        return rc;
    if (job->stage == 0 && job->attempts == 0 && !job->fallback) {
        if ((rc = find_leader(w, job, &leader_id)) != VG_OK)
            return rc;
        if (leader_id) {
            vg__log(w->ctx, VG_LOG_INFO, "job %" PRId64 ": waits for near-duplicate job %" PRId64,
                    job->id, leader_id);
            job->leader_id = leader_id;
            return reschedule(w, job, FOLLOW_WAIT_MS);
        }
    }
    return step_submit(w, job);
}

/* ---- claiming ------------------------------------------------------------------------------- */

typedef struct claim_args {
    vg_store_job *job;
    vg_store_job_claim claim;
} claim_args;

static int claim_body(vg__txn *txn, void *payload)
{
    claim_args *a = payload;
    return vg__job_claim(txn, a->job, &a->claim);
}

int vg_worker_step(int *out_did, vg_worker *w)
{
    vg_store_job *job;
    claim_args a;
    vg_time now;
    int rc;

    if (out_did)
        *out_did = 0;
    if (!w)
        return vg__fail(NULL, VG_EINVAL, "vg_worker_step: worker is NULL");
    if (!(job = vg__alloc(w->ctx, sizeof *job)))
        return vg__fail(w->ctx, VG_ENOMEM, "out of memory");
    now = vg_ctx_now(w->ctx);
    memset(&a, 0, sizeof a);
    a.job = job;
    a.claim.now = now;
    a.claim.aged_before = now - (vg_time)w->g->aging_s * 1000000;
    a.claim.lease_owner = w->name;
    a.claim.lease_until = now + (vg_time)w->g->lease_s * 1000000;
    rc = vg__txn_run(w->ctx, VG_TXN_WRITE, claim_body, &a);
    if (rc == VG_ENOTFOUND) {
        vg_error_clear();
        rc = VG_OK;
        goto done;
    }
    if (rc != VG_OK)
        goto done;
    if (out_did)
        *out_did = 1;
    if (job->state >= VG_STORE_JOB_FINAL)
        rc = vg__job_settle(w->g, job);
    else if (job->state == VG_JOB_POLLING)
        rc = step_poll(w, job);
    else
        rc = step_queued(w, job); /* QUEUED, or SUBMITTED when a worker died sending it */
    if (rc == VG_ESTATE) {
        /* someone changed the job meanwhile (a cancel): it is theirs now */
        vg__log(w->ctx, VG_LOG_INFO, "job %" PRId64 ": changed by another hand; step dropped",
                job->id);
        vg_error_clear();
        rc = VG_OK;
    } else if (rc <= VG_ESTORE && rc > VG_ESTORE - 100) {
        /* a store failure: the lease expires and the step is tried again */
    } else if (rc != VG_OK) {
        vg__log(w->ctx, VG_LOG_WARN, "job %" PRId64 ": step failed: %s", job->id,
                vg_ctx_errmsg(w->ctx));
        rc = VG_OK;
    }
done:
    vg__free(w->ctx, job);
    return rc;
}

/* ---- running ------------------------------------------------------------------------------- */

static int count_one(const vg_store_job *job, void *payload)
{
    (void)job;
    ++*(int *)payload;
    return 1;
}

/* 1 when some job is unfinished or unsettled. */
static int work_left(vg_worker *w)
{
    vg_store_job_filter filter;
    list_args l;
    int count = 0;

    memset(&filter, 0, sizeof filter);
    filter.active_only = 1;
    filter.limit = 1;
    l.filter = &filter;
    l.fn = count_one;
    l.payload = &count;
    if (vg__txn_run(w->ctx, VG_TXN_READ, list_body, &l) != VG_OK)
        return 1;
    return count > 0;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int vg_worker_run(vg_worker *w, int idle_ms, int stop_when_idle)
{
    int did, rc, failures = 0;

    if (!w || idle_ms < 0)
        return vg__fail(w ? w->ctx : NULL, VG_EINVAL, "vg_worker_run: invalid arguments");
    if (idle_ms == 0)
        idle_ms = 200;
    while (!stopped(w)) {
        rc = vg_worker_step(&did, w);
        if (rc != VG_OK) {
            if (++failures >= 10)
                return rc;
            sleep_ms(idle_ms);
            continue;
        }
        failures = 0;
        if (did)
            continue;
        if (stop_when_idle && !work_left(w))
            break;
        sleep_ms(stop_when_idle && idle_ms > 20 ? 20 : idle_ms);
    }
    pthread_mutex_lock(&w->lock);
    w->stop = 0;
    pthread_mutex_unlock(&w->lock);
    return VG_OK;
}
