/* SPDX-License-Identifier: MIT */
/* Jobs as hosts see them: read one, list them, cancel one, wait for one to finish. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "generate_internal.h"

int vg_job_get(vg_job *out, vg_ctx *ctx, int64_t job_id)
{
    vg_store_job *job;
    int rc;

    if (!out || !ctx || job_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_job_get: out, ctx or job id missing");
    if (!(job = vg__alloc(ctx, sizeof *job)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    rc = vg__job_load(ctx, job, job_id);
    if (rc == VG_OK)
        vg__job_public(out, job);
    else if (rc == VG_ENOTFOUND)
        vg__fail(ctx, rc, "there is no job %" PRId64, job_id);
    vg__free(ctx, job);
    return rc;
}

typedef struct list_args {
    vg_store_job_filter filter;
    vg_job_fn callback;
    void *payload;
    vg_job *view;
} list_args;

static int list_one(const vg_store_job *job, void *payload)
{
    list_args *a = payload;
    vg__job_public(a->view, job);
    return a->callback(a->view, a->payload);
}

static int list_body(vg__txn *txn, void *payload)
{
    list_args *a = payload;
    return vg__jobs_list(txn, &a->filter, list_one, a);
}

int vg_jobs_list(vg_ctx *ctx, int64_t user_id, int active_only, int64_t before_id, int limit,
                 vg_job_fn callback, void *payload)
{
    list_args a;
    int rc;

    if (!ctx || !callback || user_id < 0 || before_id < 0 || limit < 1 || limit > 1000)
        return vg__fail(ctx, VG_EINVAL, "vg_jobs_list: invalid arguments (limit 1..1000)");
    memset(&a, 0, sizeof a);
    a.filter.user_id = user_id;
    a.filter.active_only = active_only != 0;
    a.filter.before_id = before_id;
    a.filter.limit = limit;
    a.callback = callback;
    a.payload = payload;
    if (!(a.view = vg__alloc(ctx, sizeof *a.view)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    rc = vg__txn_run(ctx, VG_TXN_READ, list_body, &a);
    vg__free(ctx, a.view);
    return rc;
}

typedef struct cancel_args {
    vg_store_job *job;
    int64_t id, user_id;
    vg_time now;
} cancel_args;

/* Marks the job cancelled in one write transaction (the lock keeps a worker's step out). */
static int cancel_body(vg__txn *txn, void *payload)
{
    cancel_args *a = payload;
    int rc = vg__job_get(txn, a->job, a->id, 1);

    if (rc == VG_OK && a->user_id && a->job->user_id != a->user_id)
        rc = VG_ENOTFOUND;
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "the user has no job %" PRId64, a->id);
    if (rc != VG_OK)
        return rc;
    if (a->job->state >= VG_STORE_JOB_FINAL)
        return vg__fail(txn->ctx, VG_EJOB_STATE, "job %" PRId64 " is already %s", a->id,
                        vg_job_state_name(a->job->state));
    a->job->state = VG_JOB_CANCELLED;
    a->job->error = VG_EJOB_CANCELLED;
    snprintf(a->job->error_detail, sizeof a->job->error_detail, "cancelled");
    a->job->finished_at = a->job->updated_at = a->now;
    a->job->lease_owner[0] = '\0';
    a->job->lease_until = 0;
    if ((rc = vg__job_update(txn, a->job)) == VG_OK)
        a->job->version++;
    return rc;
}

int vg_job_cancel(vg_job *out, vg_generator *g, int64_t job_id, int64_t user_id)
{
    cancel_args a;
    vg_store_job *job;
    int rc;

    if (!g || job_id <= 0 || user_id < 0)
        return vg__fail(g ? g->ctx : NULL, VG_EINVAL, "vg_job_cancel: invalid arguments");
    if (!(job = vg__alloc(g->ctx, sizeof *job)))
        return vg__fail(g->ctx, VG_ENOMEM, "out of memory");
    a.job = job;
    a.id = job_id;
    a.user_id = user_id;
    a.now = vg_ctx_now(g->ctx);
    rc = vg__txn_run(g->ctx, VG_TXN_WRITE, cancel_body, &a);
    if (rc == VG_OK) {
        vg__log(g->ctx, VG_LOG_INFO, "job %" PRId64 ": cancelled", job_id);
        vg__job_emit(g, job);
        /* best effort: the provider may stop (and stop charging us) */
        if (job->provider_job_id[0] &&
            vg_provider_cancel(g->ctx, job->provider, job->provider_job_id) != VG_OK)
            vg__log(g->ctx, VG_LOG_INFO, "job %" PRId64 ": the provider did not cancel: %s",
                    job_id, vg_ctx_errmsg(g->ctx));
        vg_error_clear();
        /* the hold comes back now; if this fails, a worker settles it later */
        if (vg__job_settle(g, job) != VG_OK)
            vg__log(g->ctx, VG_LOG_WARN, "job %" PRId64 ": settle after cancel deferred: %s",
                    job_id, vg_ctx_errmsg(g->ctx));
        if (out)
            vg__job_public(out, job);
    }
    vg__free(g->ctx, job);
    return rc;
}

int vg_job_wait(vg_job *out, vg_ctx *ctx, int64_t job_id, int timeout_ms)
{
    struct timespec start, now, nap;
    long waited_ms = 0, step_ms = 50;
    int rc;

    if (!out || !ctx || job_id <= 0 || timeout_ms < 0)
        return vg__fail(ctx, VG_EINVAL, "vg_job_wait: invalid arguments");
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        if ((rc = vg_job_get(out, ctx, job_id)) != VG_OK)
            return rc;
        if (out->state >= VG_JOB_SUCCEEDED)
            return VG_OK;
        clock_gettime(CLOCK_MONOTONIC, &now);
        waited_ms = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (waited_ms >= timeout_ms)
            return vg__fail(ctx, VG_ETIMEOUT, "job %" PRId64 " is still %s", job_id,
                            vg_job_state_name(out->state));
        nap.tv_sec = 0;
        nap.tv_nsec = (step_ms < timeout_ms - waited_ms ? step_ms : timeout_ms - waited_ms) *
                      1000000L;
        nanosleep(&nap, NULL);
        if (step_ms < 250)
            step_ms += 50;
    }
}
