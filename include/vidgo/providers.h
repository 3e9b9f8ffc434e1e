/* SPDX-License-Identifier: MIT */
/* The providers behind VidGo's services: one interface (submit, poll, cancel) over Leonardo,
 * Runway, GoEnhance, Pollo and the offline `local` provider; moderation and prompt
 * enhancement (Gemini or local); provider configuration, checks and webhooks. */
#ifndef VIDGO_PROVIDERS_H
#define VIDGO_PROVIDERS_H

#include "cache.h"
#include "common.h"
#include "config.h"
#include "plans.h"

VG_BEGIN_DECLS

/*
 * docs/providers.md has the whole story. In short:
 *
 * - Each provider has an API key and a base URL, from vg_config.providers[] or the
 *   environment (GEMINI_API_KEY, LEONARDO_API_KEY, RUNWAY_API_KEY, GOENHANCE_API_KEY,
 *   POLLO_API_KEY; VIDGO_<PROVIDER>_BASE_URL). Keys never appear in logs or messages.
 * - A task (text-to-video, ...) is submitted to a provider, which answers with its job id at
 *   once; the job is then polled until it succeeds, fails or is cancelled. The same
 *   lifecycle holds for every provider, `local` included, so a job id kept in a store can be
 *   polled again after a crash instead of paying for a new job.
 * - A submit whose outcome is unknown (the request went out, the answer never came back)
 *   fails with VG_EOUTCOME_UNKNOWN and is never resent blindly: vg_provider_reconcile finds
 *   the job where the provider's API allows it; otherwise the caller fails the job without
 *   charging the user.
 */

/* Returns the name of provider id ("local", "gemini", ...), or NULL when out of range. */
VG_API const char *vg_provider_name(int provider);

/* Returns the id of a provider name, or -1. */
VG_API int vg_provider_index(const char *name);

/* --- tasks and jobs ----------------------------------------------------------------------- */

/* What a provider is asked to make. */
typedef enum vg_task_kind {
    VG_TASK_TEXT_TO_IMAGE = 0,
    VG_TASK_TEXT_TO_VIDEO = 1,
    VG_TASK_IMAGE_TO_VIDEO = 2,  /* from a product photo */
    VG_TASK_STYLE_TRANSFER = 3,  /* video to video in a style (VidGo Style Effects) */
    VG_TASK_HD_ENHANCE = 4,      /* VidGo HD Enhance */
    VG_TASK_VIDEO_ENHANCE = 5,   /* VidGo Video Pro */
    VG_TASK_VIDEO_UPSCALE = 6    /* a finished 1080p video to 4K */
} vg_task_kind;

#define VG_TASK_KIND_COUNT 7

/* Returns "text_to_image", "text_to_video", ... for a task kind, or NULL. */
VG_API const char *vg_task_kind_name(int kind);

/* Returns the kind of a name given by vg_task_kind_name, or -1. */
VG_API int vg_task_kind_index(const char *name);

/* Where a provider job stands. SUCCEEDED, FAILED and CANCELLED are final. */
typedef enum vg_task_state {
    VG_TASK_PENDING = 0,   /* accepted, waiting (queued or throttled) */
    VG_TASK_RUNNING = 1,
    VG_TASK_SUCCEEDED = 2,
    VG_TASK_FAILED = 3,
    VG_TASK_CANCELLED = 4
} vg_task_state;

/* Returns "pending", "running", "succeeded", "failed", "cancelled", or NULL. */
VG_API const char *vg_task_state_name(int state);

#define VG_PROVIDER_TASK_VERSION 1

/* One task. Strings and bytes live during the call. */
typedef struct vg_provider_task {
    unsigned int version;         /* VG_PROVIDER_TASK_VERSION */
    vg_task_kind kind;
    const char *prompt;           /* UTF-8, what the generator reads (English after enhancing) */
    const char *negative_prompt;  /* NULL: none */
    const char *model;            /* the provider's model; NULL: its default for the kind */
    const char *style;            /* style transfer: the provider's style (model) id */
    int resolution;               /* video: output lines (720, 1080); image: square side
                                   * (512, 1024) unless width and height are set */
    int width, height;            /* images only; 0: from resolution */
    int duration_s;               /* video: 0 = the provider's default */
    int64_t seed;                 /* 0: the provider picks */
    /* The input of image-to-video and of the effects: an https:// URL (or a file path for
     * `local`), or the bytes of a product photo to upload first (Leonardo: /init-image). */
    const char *input_url;
    const unsigned char *input_image;
    size_t input_image_len;
    const char *input_image_mime; /* "image/png", "image/jpeg", "image/webp" */
    const char *input_job_id;     /* upscale: the provider job whose result is upscaled */
    const char *webhook_url;      /* where the provider may call back (Pollo); NULL: none */
} vg_provider_task;

#define VG_PROVIDER_TASK_INIT {VG_PROVIDER_TASK_VERSION, VG_TASK_TEXT_TO_IMAGE, NULL, NULL, \
                               NULL, NULL, 0, 0, 0, 0, 0, NULL, NULL, 0, NULL, NULL, NULL}

#define VG_PROVIDER_JOB_ID_SIZE 128
#define VG_URL_SIZE 2048

#define VG_PROVIDER_JOB_VERSION 1

/* A provider job as last seen. Written by the library; keep provider, job_id and kind to
 * poll it again, even from another process. */
typedef struct vg_provider_job {
    unsigned int version;                 /* VG_PROVIDER_JOB_VERSION */
    char provider[VG_NAME_SIZE];          /* the provider actually used */
    char job_id[VG_PROVIDER_JOB_ID_SIZE]; /* the provider's id of the job */
    vg_task_kind kind;
    vg_task_state state;
    int percent;                          /* 0..100; -1 when the provider gives none */
    int poll_after_ms;                    /* the provider's advice: poll again after this */
    char media_type[16];                  /* of the result: "video" or "image" */
    char result_url[VG_URL_SIZE];         /* SUCCEEDED: the asset (URLs may expire: docs) */
    char thumbnail_url[VG_URL_SIZE];      /* "" when none */
    char model[64];                       /* the model that made it, when known */
    int width, height, duration_s;        /* of the result, 0 when unknown */
    /* What the provider charged for the job, in millionths of api_cost_unit ("USD",
     * "CREDITS" for a provider's own credits); -1 when it does not say. */
    int64_t api_cost_micro;
    char api_cost_unit[16];
    char failure_code[64];                /* FAILED: the provider's code, e.g. "SAFETY.INPUT.TEXT" */
    char failure[256];                    /* FAILED: the provider's reason (never a key) */
    int placeholder;                      /* 1: an offline placeholder made by `local` */
} vg_provider_job;

/* Fills *job with an empty job of the given version (pass VG_PROVIDER_JOB_VERSION).
 * Returns VG_OK, VG_EINVAL, VG_EVERSION. */
VG_API int vg_provider_job_init(vg_provider_job *job, unsigned int version);

/*
 * Names the provider that serves a task kind for this context: rank 0 is the primary
 * (Leonardo for images and videos, GoEnhance for effects), rank 1 the fallback (Runway for
 * image-to-video), following the capability table and the context's provider_mode (in
 * AUTO mode a provider without a key is replaced by `local`). Writes the name to
 * out[VG_NAME_SIZE]. Returns VG_OK, VG_ENOTFOUND (no provider at that rank), VG_EINVAL.
 */
VG_API int vg_provider_pick(char *out, vg_ctx *ctx, vg_task_kind kind, int rank);

/*
 * Submits a task to a provider; fills *out (state PENDING or later, the provider's job id)
 * on VG_OK. A request that creates a paid job is never resent after it may have reached
 * the provider. Returns VG_OK, VG_EINVAL, VG_EVERSION, VG_EUNSUPPORTED (the provider does
 * not serve this kind), VG_EPARAMETER (a parameter the provider refuses), VG_EINPUT_ASSET,
 * VG_ENO_API_KEY, VG_ECONFIG, VG_EOUTCOME_UNKNOWN, VG_EPROVIDER_* codes, VG_ENETWORK,
 * VG_ECIRCUIT_OPEN, VG_EIO (local assets), VG_ENOMEM, recorded on ctx. Thread-safe.
 */
VG_API int vg_provider_submit(vg_provider_job *out, vg_ctx *ctx, const char *provider,
                              const vg_provider_task *task);

/*
 * Asks the provider how job->job_id (of job->provider, job->kind) stands and updates *job.
 * A FAILED or CANCELLED job is a VG_OK answer: read job->state. Returns VG_OK, VG_EINVAL,
 * VG_ENOTFOUND (the provider does not know the job), VG_ENO_API_KEY, VG_EPROVIDER_* codes,
 * VG_ENETWORK, VG_ECIRCUIT_OPEN, VG_ENOMEM, recorded on ctx. Thread-safe.
 */
VG_API int vg_provider_poll(vg_provider_job *job, vg_ctx *ctx);

/* Asks the provider to cancel a job. Returns VG_OK (cancelled, or already final),
 * VG_EUNSUPPORTED (the provider cannot cancel), or vg_provider_poll's errors. */
VG_API int vg_provider_cancel(vg_ctx *ctx, const char *provider, const char *job_id);

/*
 * After a submit ended in VG_EOUTCOME_UNKNOWN: looks for the job that submit may have
 * created (same kind and prompt, created at or after `since`) and fills *out with it.
 * Returns VG_OK (found: poll it, do not resubmit), VG_ENOTFOUND (the provider has no such
 * job: submitting again is safe), VG_EUNSUPPORTED (the provider's API cannot tell: fail
 * the job without charging the user), or vg_provider_poll's errors.
 */
VG_API int vg_provider_reconcile(vg_provider_job *out, vg_ctx *ctx, const char *provider,
                                 const vg_provider_task *task, vg_time since);

/* --- capabilities, configuration, checks --------------------------------------------------- */

/* One row of the capability table: a provider serves a task kind. */
typedef struct vg_provider_capability {
    const char *provider;      /* "leonardo", ... */
    vg_task_kind kind;
    int rank;                  /* 0: primary for the kind, 1: fallback */
    const char *model;         /* default model */
    const char *services;      /* the VidGo services it serves, space-separated */
    int max_resolution;        /* highest output lines it makes itself */
    int max_duration_s;        /* longest video; 0 for images */
} vg_provider_capability;

typedef int (*vg_provider_capability_fn)(const vg_provider_capability *row, void *payload);

/* Calls callback for every row of the capability table (static data; callback may stop it
 * by returning non-zero). Returns VG_OK, VG_EINVAL. */
VG_API int vg_provider_capabilities(vg_provider_capability_fn callback, void *payload);

#define VG_PROVIDER_INFO_VERSION 1

/* How a provider is configured in a context, and whether it answered a check. */
typedef struct vg_provider_info {
    unsigned int version;            /* VG_PROVIDER_INFO_VERSION */
    char name[VG_NAME_SIZE];
    int has_key;                     /* a key is configured (always 1 for local) */
    char key_source[32];             /* "config", "GEMINI_API_KEY", ..., or "" */
    char key_masked[32];             /* e.g. "AIza…4f2c" (first 4 and last 4), "" */
    char base_url[256];
    int serves;                      /* 1: used by this context (mode and key allow it) */
    int breaker_open;                /* the circuit breaker is open now */
    /* vg_provider_check only: */
    int checked;
    int reachable;                   /* the provider answered an authenticated request */
    int latency_ms;
    int status;                      /* the check's vg_status */
    char detail[256];                /* what the check saw (never the key) */
} vg_provider_info;

/* Describes a provider's configuration without any network call. Returns VG_OK,
 * VG_EINVAL, VG_EVERSION (set out->version first). */
VG_API int vg_provider_info_get(vg_provider_info *out, vg_ctx *ctx, const char *provider);

/* Like vg_provider_info_get, then makes one cheap authenticated request (Leonardo GET /me,
 * Gemini GET models/{model}, Runway GET /v1/organization, GoEnhance GET the model list,
 * Pollo GET /credit/balance) and records the outcome in out->checked, reachable,
 * latency_ms, status and detail. Returns VG_OK whenever it could check (reachable or not),
 * VG_EINVAL, VG_EVERSION. */
VG_API int vg_provider_check(vg_provider_info *out, vg_ctx *ctx, const char *provider);

/* --- moderation, enhancement, embeddings ----------------------------------------------------- */

#define VG_MODERATION_VERSION 1

typedef struct vg_moderation {
    unsigned int version;   /* VG_MODERATION_VERSION */
    int blocked;            /* 1: must not be generated */
    /* when blocked: "adult", "violence", "illegal_goods", "hate", "self_harm", "minors",
     * "other"; "" when allowed */
    char reason[32];
    char message[256];      /* for the user, in the requested language; "" when allowed */
    char provider[VG_NAME_SIZE]; /* "gemini" or "local" */
    char detail[256];       /* for support: what the provider said (never a key) */
} vg_moderation;

/*
 * Checks that a prompt (and a product image when image is not NULL) may be generated,
 * with Gemini when it serves the context, else the local word list. The user-facing
 * message is in `lang` (NULL: the context's language). Fills *out on VG_OK, blocked or
 * not. Returns VG_OK, VG_EINVAL, VG_EVERSION, VG_EUTF8, VG_EPROMPT_EMPTY, VG_ENO_API_KEY
 * (REMOTE mode without a key), the provider's errors, VG_ENOMEM.
 */
VG_API int vg_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt,
                       const unsigned char *image, size_t image_len, const char *image_mime,
                       const char *lang);

/* Returns the message of a moderation reason code in a language (NULL: the context's),
 * or NULL for an unknown code. The string is static. */
VG_API const char *vg_moderation_message(vg_ctx *ctx, const char *reason, const char *lang);

/*
 * Turns a user's prompt into an English prompt for a product advertising video that keeps
 * the user's intent: Gemini when it serves the context, else the local template. `lang`
 * is the prompt's language (NULL: unknown). Writes the text NUL-terminated to out[size];
 * *provider_out (may be NULL) receives the static name of the provider used. Returns VG_OK,
 * VG_EINVAL, VG_EUTF8, VG_EPROMPT_EMPTY, VG_EBUFSIZE, VG_ENO_API_KEY, the provider's
 * errors, VG_ENOMEM.
 */
VG_API int vg_prompt_enhance(char *out, size_t size, const char **provider_out, vg_ctx *ctx,
                             const char *prompt, const char *lang);

/* Makes the context's embedder: Gemini (768 dimensions) when it serves the context, else
 * `local`. Free it with vg_embedder_free, before closing ctx. Returns VG_OK, VG_EINVAL,
 * VG_ENO_API_KEY (REMOTE mode without a key), VG_ECONFIG, VG_ENOMEM. */
VG_API int vg_embedder_default(vg_embedder **out, vg_ctx *ctx);

/* --- webhooks ------------------------------------------------------------------------------ */

/* How a Pollo webhook secret becomes HMAC key bytes (UNCONFIRMED by Pollo's docs). */
typedef enum vg_webhook_key_mode {
    VG_WEBHOOK_KEY_RAW = 0,    /* the secret's UTF-8 bytes */
    VG_WEBHOOK_KEY_BASE64 = 1  /* a "whsec_" prefix dropped, the rest Base64-decoded */
} vg_webhook_key_mode;

/*
 * Verifies a Pollo webhook: Base64 HMAC-SHA256 of "<id>.<timestamp>.<raw body>" with the
 * secret (NULL: vg_config.pollo_webhook_secret, else $POLLO_WEBHOOK_SECRET), compared in
 * constant time with each signature in the header (space-separated, "v1," prefixes
 * accepted); the timestamp (Unix seconds) must be within tolerance_s (0 = 300) of the
 * context's clock. The signature is checked first: a correctly signed stale delivery is
 * VG_EREPLAY. On VG_OK and when out is not NULL, *out is filled from the payload (provider
 * "pollo", job_id from taskId, state, result_url; the kind stays image-to-video if out
 * said so, else text-to-video); it is written only on VG_OK. Returns VG_OK, VG_ESIGNATURE
 * (no signature matches, or a header over 4096 bytes), VG_EREPLAY (stale or future
 * timestamp), VG_EINVAL (a missing header, a malformed body or an unknown status),
 * VG_ECONFIG (no secret, or a BASE64 secret that does not decode). Changes nothing.
 */
VG_API int vg_pollo_webhook_verify(vg_provider_job *out, vg_ctx *ctx, const char *webhook_id,
                                   const char *timestamp, const char *signature,
                                   const char *body, size_t body_len, const char *secret,
                                   vg_webhook_key_mode mode, int tolerance_s);

VG_END_DECLS

#endif
