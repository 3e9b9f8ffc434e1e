/* SPDX-License-Identifier: MIT */
/* The generation pipeline: a request becomes a durable job (access, hold, moderation,
 * enhancement, similarity lookup), which workers drive through a provider to a result,
 * charging its price exactly once; and the inspiration gallery. */
#ifndef VIDGO_GENERATE_H
#define VIDGO_GENERATE_H

#include "cache.h"
#include "common.h"
#include "providers.h"

VG_BEGIN_DECLS

/*
 * docs/generate.md has the whole story. In short:
 *
 * - vg_generate_submit checks access, holds the price, moderates the prompt (a blocked one
 *   is remembered in the block cache), enhances it, and looks it up in the similarity cache;
 *   a hit completes the job at once and captures the price. Otherwise the job is queued.
 * - Workers (vg_worker_run in a host's thread, or `vidgo worker`) claim due jobs from the
 *   store one step at a time: submit to the provider, poll, finish. A worker that dies
 *   leaves a lease that expires; another worker then resumes the provider job instead of
 *   paying for a new one. Pro and Pro+ jobs are served first; a job that waited longer than
 *   the aging time is served as if it were one of theirs, so none starves.
 * - Success captures the hold and adds the result to the cache; failure releases it. A job
 *   is charged once for a delivered result and never for a failed one.
 */

/* Where a job stands. SUCCEEDED, FAILED and CANCELLED are final. */
typedef enum vg_job_state {
    VG_JOB_QUEUED = 0,     /* waiting for a worker (or for a near-duplicate to finish) */
    VG_JOB_SUBMITTED = 1,  /* being sent to a provider */
    VG_JOB_POLLING = 2,    /* the provider is working on it */
    VG_JOB_SUCCEEDED = 3,
    VG_JOB_FAILED = 4,
    VG_JOB_CANCELLED = 5
} vg_job_state;

/* Returns "queued", "submitted", "polling", "succeeded", "failed", "cancelled", or NULL. */
VG_API const char *vg_job_state_name(int state);

/* --- the generator: the cache and settings the pipeline works with -------------------------- */

typedef struct vg_generator vg_generator;

#define VG_JOB_VERSION 1
#define VG_JOB_PROMPT_SIZE (VG_PROMPT_MAX_BYTES + 1)

/* A job as stored. Written by the library. */
typedef struct vg_job {
    unsigned int version;              /* VG_JOB_VERSION */
    int64_t id;
    int64_t user_id;
    char service[VG_NAME_SIZE];
    vg_task_kind kind;
    vg_job_state state;
    int priority;                      /* 1: served before others (Pro, Pro+) */
    int percent;                       /* 0..100; -1 when the provider gives none */
    char prompt[VG_JOB_PROMPT_SIZE];   /* as the user wrote it */
    char enhanced_prompt[VG_JOB_PROMPT_SIZE]; /* what the generator was given */
    char lang[8];
    int resolution, duration_s, fps;
    char style[64];
    int64_t input_job_id;              /* effects: the job whose result they apply to */
    int is_public;                     /* the user allows it in the gallery */
    int price;                         /* credits held, then charged on success */
    int free_use;                      /* a demo free use pays for it */
    int charged;                       /* 1: the price was captured (a delivered result) */
    int watermark;                     /* the host must show the result with the watermark */
    int cache_hit;                     /* served from the similarity cache */
    double similarity;                 /* of the cache hit */
    int64_t leader_id;                 /* a near-duplicate job it waits for; 0 none */
    char provider[VG_NAME_SIZE];       /* internal, never shown to users */
    int fallback;                      /* 1: the fallback provider made it */
    int attempts;                      /* provider submissions */
    char media_type[16];               /* "video", "image" */
    char result_url[VG_URL_SIZE];
    char thumbnail_url[VG_URL_SIZE];
    int width, height, result_duration_s;
    int placeholder;                   /* an offline placeholder of the `local` provider */
    int64_t api_cost_micro_usd;        /* what the provider charged us; 0 for a cache hit */
    int error;                         /* why it failed: a vg_status, 0 when it did not */
    char message[256];                 /* for the user, in their language; "" when none */
    char detail[256];                  /* for support: why it failed (a provider's reason,
                                        * a block's reason code); never a secret */
    vg_time created_at, updated_at, finished_at;
} vg_job;

/* Called on every change of a job made through this generator (submit, a worker's step,
 * cancel), from the thread that made it. Must not call back into the generator. */
typedef void (*vg_job_event_fn)(const vg_job *job, void *payload);

#define VG_GENERATOR_OPTIONS_VERSION 1

typedef struct vg_generator_options {
    unsigned int version;          /* VG_GENERATOR_OPTIONS_VERSION */
    const vg_cache_options *cache; /* NULL: defaults, with vg_embedder_default's embedder */
    int enhance;                   /* 0 = default (on); -1 = off */
    int job_timeout_s;             /* a provider job still running after this fails; 0 = 1800 */
    int lease_s;                   /* a worker's claim on a job; 0 = 60 */
    int aging_s;                   /* waiting longer than this counts as priority; 0 = 120 */
    int max_attempts;              /* provider submissions before the fallback; 0 = 3 */
    int max_poll_ms;               /* longest wait between two polls; 0 = 10000 */
    vg_job_event_fn on_event;
    void *event_payload;
} vg_generator_options;

#define VG_GENERATOR_OPTIONS_INIT {VG_GENERATOR_OPTIONS_VERSION, NULL, 0, 0, 0, 0, 0, 0, NULL, NULL}

/* Opens a generator on a context: its similarity cache (and embedder). It keeps ctx: close
 * it first. Thread-safe. Returns VG_OK, VG_EINVAL, VG_EVERSION, VG_ENOMEM, or what
 * vg_cache_open and vg_embedder_default return. */
VG_API int vg_generator_open(vg_generator **out, vg_ctx *ctx, const vg_generator_options *options);

/* Closes a generator (stop its workers first); NULL is a no-op. */
VG_API void vg_generator_close(vg_generator *generator);

/* --- requests ------------------------------------------------------------------------------ */

#define VG_GENERATE_REQUEST_VERSION 1

typedef struct vg_generate_request {
    unsigned int version;         /* VG_GENERATE_REQUEST_VERSION */
    int64_t user_id;
    const char *service;          /* "video_720p", "image_1024", "style_effects", ... */
    const char *prompt;           /* in any of the five languages; effects: may be NULL */
    const char *lang;             /* the language of messages; NULL: the user's */
    int duration_s;               /* video: 0 = the service's default */
    int fps;                      /* video: 0 = 30 */
    const char *style;            /* effects: the style id; NULL = the default */
    /* image-to-video: the product photo (at most 10 MiB of PNG, JPEG or WebP) */
    const unsigned char *image;
    size_t image_len;
    const char *image_mime;
    int64_t input_job_id;         /* effects: a succeeded job of the same user */
    int is_public;                /* may be promoted into the gallery */
    const char *idempotency_key;  /* required: the same key returns the same job */
} vg_generate_request;

#define VG_GENERATE_REQUEST_INIT {VG_GENERATE_REQUEST_VERSION, 0, NULL, NULL, NULL, 0, 0, \
                                  NULL, NULL, 0, NULL, 0, 0, NULL}

/*
 * Submits a request and writes its job to *out at once. In this order: the access check
 * (refusals return their code and record nothing: VG_EPLAN_TOO_LOW, VG_ESUBSCRIBERS_ONLY,
 * VG_ERESOLUTION, VG_EPARAMETER, VG_EINSUFFICIENT_CREDITS, VG_EDEMO_USED_UP, ...), the
 * hold of the price, moderation (first the block cache), enhancement, the similarity
 * lookup. Returns VG_OK whenever a job was recorded, then read out->state: SUCCEEDED (a
 * cache hit, charged), FAILED with out->error VG_EMODERATION_BLOCKED or VG_EPAID_ONLY (a
 * demo user's video not in the cache) and a message in the user's language (nothing
 * charged), or QUEUED.
 * The same idempotency key with the same request returns the same job;
 * with another request VG_EIDEMPOTENCY_CONFLICT. Other returns: VG_EINVAL, VG_EVERSION,
 * VG_EUTF8, VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG, VG_EINPUT_ASSET, VG_ENOTFOUND (no such
 * user or input job), provider errors of moderation (nothing held then), store errors.
 */
VG_API int vg_generate_submit(vg_job *out, vg_generator *generator,
                              const vg_generate_request *request);

/* --- jobs ---------------------------------------------------------------------------------- */

/* Reads a job. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_job_get(vg_job *out, vg_ctx *ctx, int64_t job_id);

typedef int (*vg_job_fn)(const vg_job *job, void *payload);

/* Lists jobs newest first: of one user (0: everyone's), only unfinished ones when
 * active_only, with ids below before_id (0: from the newest), at most limit (1..1000).
 * Returns VG_OK, VG_EINVAL, or a store error. */
VG_API int vg_jobs_list(vg_ctx *ctx, int64_t user_id, int active_only, int64_t before_id,
                        int limit, vg_job_fn callback, void *payload);

/* Cancels an unfinished job: it becomes CANCELLED, its hold is released and the provider is
 * asked to stop (best effort). user_id must own the job (0: any, for administrators).
 * *out (may be NULL) receives the job. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND (no such job
 * of that user), VG_EJOB_STATE (already final), or a store error. */
VG_API int vg_job_cancel(vg_job *out, vg_generator *generator, int64_t job_id,
                         int64_t user_id);

/* Waits until a job is final or timeout_ms passed (reading the store every 50-250 ms; a
 * worker must be running somewhere). Returns VG_OK (final), VG_ETIMEOUT (*out holds the job
 * as last read), VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_job_wait(vg_job *out, vg_ctx *ctx, int64_t job_id, int timeout_ms);

/* --- workers ------------------------------------------------------------------------------- */

typedef struct vg_worker vg_worker;

/* Makes a worker on a generator; name (NULL: "<host>:<pid>:<n>") identifies its leases.
 * Returns VG_OK, VG_EINVAL, VG_ENOMEM. */
VG_API int vg_worker_new(vg_worker **out, vg_generator *generator, const char *name);

/* Does one step of the most urgent due job (submit, poll, finish, settle), if there is one:
 * *out_did (may be NULL) is 1 when it did. Returns VG_OK, or a store error. */
VG_API int vg_worker_step(int *out_did, vg_worker *worker);

/* Runs steps until vg_worker_stop is called (from any thread), sleeping while no job is
 * due (at most idle_ms between looks; 0 = 200); with stop_when_idle, returns as soon as
 * no job is due and none is in progress. Returns VG_OK, or a store error that persisted. */
VG_API int vg_worker_run(vg_worker *worker, int idle_ms, int stop_when_idle);

/* Asks a running worker to return after its current step. Thread-safe. */
VG_API void vg_worker_stop(vg_worker *worker);

/* Frees a worker that is not running; NULL is a no-op. */
VG_API void vg_worker_free(vg_worker *worker);

/* --- the inspiration gallery ------------------------------------------------------------------- */

#define VG_EXAMPLE_VERSION 1

/* One example of the gallery: a prompt (and a result when one was promoted) on a topic. */
typedef struct vg_example {
    unsigned int version;              /* VG_EXAMPLE_VERSION */
    int64_t id;
    char topic[VG_NAME_SIZE];          /* "cosmetics", "food", "electronics", ... */
    char lang[8];
    char title[128];
    char prompt[VG_JOB_PROMPT_SIZE];
    char service[VG_NAME_SIZE];        /* the service to use it with */
    char media_type[16];
    char result_url[VG_URL_SIZE];      /* "" for a seeded example without a result */
    char thumbnail_url[VG_URL_SIZE];
    int64_t job_id;                    /* promoted from; 0 when seeded */
    vg_time created_at;
} vg_example;

/* One topic with how many examples it has in a language. */
typedef struct vg_topic {
    const char *topic;
    const char *title;                 /* in the language asked for */
    int count;
} vg_topic;

typedef int (*vg_topic_fn)(const vg_topic *topic, void *payload);
typedef int (*vg_example_fn)(const vg_example *example, void *payload);

/* Lists the topics with their counts in a language (NULL: the context's), by name.
 * Returns VG_OK, VG_EINVAL, or a store error. */
VG_API int vg_gallery_topics(vg_ctx *ctx, const char *lang, vg_topic_fn callback,
                             void *payload);

/* Calls callback for up to count (1..100) examples of a topic (NULL: any) in a language
 * (NULL: the context's), picked at random (seed 0: a fresh random order; another seed: the
 * same order each time). Returns VG_OK, VG_EINVAL, or a store error. */
VG_API int vg_gallery_examples(vg_ctx *ctx, const char *topic, const char *lang, int count,
                               uint64_t seed, vg_example_fn callback, void *payload);

/* Adds a succeeded, public job's result to the gallery under a topic, with a title (NULL:
 * the start of its prompt). *out_id (may be NULL) receives the example's id. Returns
 * VG_OK, VG_EINVAL, VG_ENOTFOUND, VG_EJOB_STATE (not succeeded, or not public), VG_EUTF8,
 * or a store error. */
VG_API int vg_gallery_promote(int64_t *out_id, vg_ctx *ctx, int64_t job_id, const char *topic,
                              const char *title);

/* Removes an example. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_gallery_remove(vg_ctx *ctx, int64_t example_id);

VG_END_DECLS

#endif
