/* SPDX-License-Identifier: MIT */
/* What the files of the generation pipeline share: the generator, the job record helpers,
 * settlement of a job's hold, and the events. */
#ifndef VG_GENERATE_INTERNAL_H
#define VG_GENERATE_INTERNAL_H

#include <pthread.h>

#include "../core/internal.h"
#include "../store/store.h"

struct vg_generator {
    vg_ctx *ctx;
    vg_cache *cache;
    vg_embedder *embedder;  /* made by the generator (vg_embedder_default), or NULL */
    int enhance;            /* 1: prompts are enhanced */
    int job_timeout_s, lease_s, aging_s, max_attempts, max_poll_ms;
    vg_job_event_fn on_event;
    void *event_payload;
    pthread_mutex_t lock;
    int workers_made;       /* for default worker names */
};

/* The cache result of a job's output: "job:<id>" (the result itself stays in the job). */
#define VG__JOB_RESULT_PREFIX "job:"

/* Reads a job (for_update inside a write transaction). */
int vg__job_load(vg_ctx *ctx, vg_store_job *out, int64_t id);

/* Writes a job whose version is the stored one; on VG_OK job->version is the new one.
 * VG_ESTATE: it changed meanwhile (read it again). */
int vg__job_save(vg_ctx *ctx, vg_store_job *job);

/* Fills the public view of a job (the user-facing message in the job's language). */
void vg__job_public(vg_job *out, const vg_store_job *job);

/* Tells the generator's listener about a job. */
void vg__job_emit(vg_generator *g, const vg_store_job *job);

/* Settles the hold of a finished job as its state requires (capture on success, release
 * on failure or cancel) and records it; nothing to do when already settled. */
int vg__job_settle(vg_generator *g, vg_store_job *job);

/* Marks a job finished (state, error, detail, finish time, lease dropped), saves it,
 * emits it and settles it. */
int vg__job_finish(vg_generator *g, vg_store_job *job, vg_job_state state, int error,
                   const char *detail);

/* Fills job's result from the job that made a cached result ("job:<id>"); VG_ENOTFOUND
 * when that job is gone or did not succeed. */
int vg__job_copy_cached(vg_ctx *ctx, vg_store_job *job, const char *result);

/* The cache scope of a job. */
void vg__job_scope(vg_cache_scope *scope, char input_hex[2 * VG_STORE_HASH_SIZE + 8],
                   const vg_store_job *job);

/* vg_check's job invariants (audit.c): each settled job's hold agrees with its outcome. */
int vg__jobs_audit(vg__txn *txn, vg_store_problem_fn report, void *payload);

#endif
