/* SPDX-License-Identifier: MIT */
/* Submitting a generation: the request checked, access decided, the price held, the prompt
 * moderated and enhanced, the similarity cache asked, and the job recorded. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "../cache/cache_state.h"
#include "generate_internal.h"

#define MAX_IMAGE_BYTES (10u << 20)

/* The task each effect service asks of a provider; other services follow their kind. */
static const struct {
    const char *service;
    vg_task_kind kind;
} effect_kinds[] = {
    {"style_effects", VG_TASK_STYLE_TRANSFER},
    {"hd_enhance", VG_TASK_HD_ENHANCE},
    {"video_pro", VG_TASK_VIDEO_ENHANCE},
};

static const char *const image_types[] = {"image/png", "image/jpeg", "image/webp"};

/* Everything submit works on; kept off the stack (the records are large). */
typedef struct submit {
    vg_generator *g;
    vg_ctx *ctx;
    const vg_generate_request *req;
    vg_service service;
    vg_access access;
    vg_hold hold;
    vg_store_job job;
    vg_store_job input;   /* effects: the job whose result they apply to */
    vg_cache_hit hit;
    int held;
} submit;

static int kind_of(submit *s)
{
    size_t i;
    if (s->service.kind == VG_SERVICE_VIDEO)
        return s->req->image ? VG_TASK_IMAGE_TO_VIDEO : VG_TASK_TEXT_TO_VIDEO;
    if (s->service.kind == VG_SERVICE_IMAGE)
        return VG_TASK_TEXT_TO_IMAGE;
    for (i = 0; i < sizeof effect_kinds / sizeof effect_kinds[0]; i++)
        if (strcmp(effect_kinds[i].service, s->service.name) == 0)
            return (int)effect_kinds[i].kind;
    return -1;
}

static int text_ok(vg_ctx *ctx, const char *s, size_t max, const char *what)
{
    if (!vg__utf8_valid(s))
        return vg__fail(ctx, VG_EUTF8, "the %s is not valid UTF-8", what);
    if (strlen(s) > max)
        return vg__fail(ctx, what[0] == 'p' ? VG_EPROMPT_TOO_LONG : VG_EINVAL,
                        "the %s is over %zu bytes", what, max);
    return VG_OK;
}

/* A style names a provider's style or model: "2000", "anime_v5". */
static int style_ok(const char *style)
{
    const char *p;
    if (!*style || strlen(style) >= VG_STORE_STYLE_SIZE)
        return 0;
    for (p = style; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* The checks that need no store. */
static int check_request(vg_ctx *ctx, const vg_generate_request *r)
{
    size_t i;
    int rc;

    if (r->version != VG_GENERATE_REQUEST_VERSION)
        return vg__fail(ctx, VG_EVERSION, "generate request version %u is not %u", r->version,
                        VG_GENERATE_REQUEST_VERSION);
    if (r->user_id <= 0 || !r->service || !r->idempotency_key || !*r->idempotency_key)
        return vg__fail(ctx, VG_EINVAL, "a request needs a user, a service and an "
                                        "idempotency key");
    if ((rc = text_ok(ctx, r->idempotency_key, VG_STORE_KEY_SIZE - 1, "idempotency key")) ||
        (r->prompt && (rc = text_ok(ctx, r->prompt, VG_PROMPT_MAX_BYTES, "prompt"))) ||
        (r->style && (rc = text_ok(ctx, r->style, VG_STORE_STYLE_SIZE - 1, "style"))))
        return rc;
    if (r->style && !style_ok(r->style))
        return vg__fail(ctx, VG_EPARAMETER, "a style is 1..63 letters, digits, '_' or '-'");
    if (r->lang && vg_lang_index(r->lang) < 0)
        return vg__fail(ctx, VG_EINVAL, "the language is not en, ja, zh-TW, ko or es");
    if (r->duration_s < 0 || r->fps < 0 || r->input_job_id < 0)
        return vg__fail(ctx, VG_EPARAMETER, "negative duration, frame rate or input job");
    if (r->image) {
        if (r->image_len == 0 || r->image_len > MAX_IMAGE_BYTES || !r->image_mime)
            return vg__fail(ctx, VG_EINPUT_ASSET, "a product photo has 1 byte to 10 MiB and "
                                                  "a type");
        for (i = 0; i < sizeof image_types / sizeof image_types[0]; i++)
            if (strcmp(r->image_mime, image_types[i]) == 0)
                break;
        if (i == sizeof image_types / sizeof image_types[0])
            return vg__fail(ctx, VG_EINPUT_ASSET, "a product photo is PNG, JPEG or WebP");
    }
    return VG_OK;
}

/* The fingerprint of what was asked, for idempotency. */
static void request_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_generate_request *r,
                         const unsigned char *image_hash)
{
    crypto_generichash_state st;
    char numbers[128];

    crypto_generichash_init(&st, (const unsigned char *)"vidgo.generate.v1", 17,
                            VG_STORE_HASH_SIZE);
    snprintf(numbers, sizeof numbers, "%d|%d|%" PRId64 "|%d|", r->duration_s, r->fps,
             r->input_job_id, r->is_public);
    crypto_generichash_update(&st, (const unsigned char *)numbers, strlen(numbers));
    crypto_generichash_update(&st, (const unsigned char *)r->service, strlen(r->service) + 1);
    if (r->prompt)
        crypto_generichash_update(&st, (const unsigned char *)r->prompt, strlen(r->prompt) + 1);
    if (r->style)
        crypto_generichash_update(&st, (const unsigned char *)r->style, strlen(r->style) + 1);
    if (image_hash)
        crypto_generichash_update(&st, image_hash, VG_STORE_HASH_SIZE);
    crypto_generichash_final(&st, out, VG_STORE_HASH_SIZE);
}

/* ---- the store steps ------------------------------------------------------------------------ */

typedef struct find_args {
    vg_store_job *job;
    int64_t user_id;
    const char *key;
} find_args;

static int find_body(vg__txn *txn, void *payload)
{
    find_args *a = payload;
    return vg__job_find(txn, a->job, a->user_id, a->key);
}

/* The job already made for this key: VG_OK (same request), VG_EIDEMPOTENCY_CONFLICT, or
 * VG_ENOTFOUND. */
static int find_existing(submit *s, vg_store_job *out)
{
    find_args a = {out, s->req->user_id, s->req->idempotency_key};
    unsigned char want[VG_STORE_HASH_SIZE];
    int rc;

    memcpy(want, s->job.request_hash, sizeof want); /* out may be s->job itself */
    if ((rc = vg__txn_run(s->ctx, VG_TXN_READ, find_body, &a)) != VG_OK)
        return rc;
    if (sodium_memcmp(out->request_hash, want, VG_STORE_HASH_SIZE) != 0)
        return vg__fail(s->ctx, VG_EIDEMPOTENCY_CONFLICT,
                        "the idempotency key was used for another request");
    return VG_OK;
}

/* Gives back the hold this submit placed (it recorded no job of its own). */
static void release_own_hold(submit *s)
{
    char key[64];
    vg_hold hold;

    if (!s->held)
        return;
    s->held = 0;
    snprintf(key, sizeof key, "generate:%" PRId64 ":release", s->hold.id);
    if (vg_credits_release(&hold, s->ctx, s->hold.id, key) != VG_OK)
        vg__log(s->ctx, VG_LOG_WARN, "generate: hold %" PRId64 " stays until it expires",
                s->hold.id);
}

typedef struct insert_args {
    submit *s;
    const vg_store_input *input;
} insert_args;

static int insert_body(vg__txn *txn, void *payload)
{
    insert_args *a = payload;
    int rc = VG_OK;
    if (a->input)
        rc = vg__input_put(txn, a->input);
    if (rc == VG_OK)
        rc = vg__job_insert(txn, &a->s->job.id, &a->s->job);
    return rc;
}

/* Records the job (and the product photo). A concurrent submit of the same key may have
 * won: then its job is the answer. */
static int insert_job(submit *s)
{
    vg_store_input input;
    insert_args a = {s, NULL};
    int rc;

    if (s->req->image) {
        memset(&input, 0, sizeof input);
        memcpy(input.hash, s->job.input_hash, VG_STORE_HASH_SIZE);
        snprintf(input.mime, sizeof input.mime, "%s", s->req->image_mime);
        input.size = s->req->image_len;
        input.data = s->req->image;
        input.created_at = s->job.created_at;
        a.input = &input;
    }
    s->job.version = 1;
    rc = vg__txn_run(s->ctx, VG_TXN_WRITE, insert_body, &a);
    if (rc == VG_EEXISTS) {
        release_own_hold(s);
        vg_error_clear();
        return find_existing(s, &s->job);
    }
    return rc;
}

/* Records a job that ends at submit (a cache hit, a block, a demo miss) and settles it. */
static int finish_at_once(submit *s, vg_job_state state, int error, const char *detail)
{
    int rc;

    s->job.state = (int)state;
    s->job.error = error;
    snprintf(s->job.error_detail, sizeof s->job.error_detail, "%s", detail ? detail : "");
    s->job.finished_at = s->job.created_at;
    s->job.percent = state == VG_JOB_SUCCEEDED ? 100 : s->job.percent;
    if ((rc = insert_job(s)) != VG_OK)
        return rc;
    vg__job_emit(s->g, &s->job);
    return vg__job_settle(s->g, &s->job);
}

/* ---- the steps of a submit ------------------------------------------------------------------ */

/* The job's cache scope as a key (jobs of one scope are near-duplicate candidates). */
static int scope_key(submit *s)
{
    char input_hex[2 * VG_STORE_HASH_SIZE + 8];
    vg_cache_scope scope;
    vg__job_scope(&scope, input_hex, &s->job);
    return vg__scope_key(s->ctx, s->job.scope, &scope);
}

static int prepare(submit *s)
{
    const vg_generate_request *r = s->req;
    vg_store_job *job = &s->job;
    int kind, rc;

    vg_service_init(&s->service, VG_SERVICE_VERSION);
    if ((rc = vg_service_get(&s->service, s->ctx, r->service)) != VG_OK)
        return rc;
    if ((kind = kind_of(s)) < 0)
        return vg__fail(s->ctx, VG_ESERVICE_UNKNOWN, "no task makes the service %.32s",
                        r->service);
    if (r->image && s->service.kind != VG_SERVICE_VIDEO)
        return vg__fail(s->ctx, VG_EPARAMETER, "only videos are made from a product photo");
    if (s->service.kind == VG_SERVICE_EFFECT && r->input_job_id == 0)
        return vg__fail(s->ctx, VG_EINPUT_ASSET, "an effect applies to a finished job");
    if (s->service.kind != VG_SERVICE_EFFECT && (!r->prompt || !*r->prompt))
        return vg__fail(s->ctx, VG_EPROMPT_EMPTY, "a generation needs a prompt");

    job->user_id = r->user_id;
    snprintf(job->idempotency_key, sizeof job->idempotency_key, "%s", r->idempotency_key);
    snprintf(job->service, sizeof job->service, "%s", s->service.name);
    job->kind = kind;
    job->state = VG_JOB_QUEUED;
    job->resolution = s->service.resolution;
    /* as asked; 0: the provider's default length (Leonardo's MOTION2 takes no duration) */
    job->duration_s = r->duration_s;
    job->fps = r->fps ? r->fps : s->service.kind == VG_SERVICE_IMAGE ? 0 : 30;
    snprintf(job->prompt, sizeof job->prompt, "%s", r->prompt ? r->prompt : "");
    snprintf(job->style, sizeof job->style, "%s", r->style ? r->style : "");
    job->input_job_id = r->input_job_id;
    job->is_public = r->is_public;
    job->percent = -1;
    job->api_cost_micro_usd = 0;
    job->created_at = job->updated_at = job->next_run_at = vg_ctx_now(s->ctx);
    if (r->image) {
        crypto_generichash(job->input_hash, VG_STORE_HASH_SIZE, r->image, r->image_len, NULL, 0);
        job->has_input = 1;
    }
    request_hash(job->request_hash, r, r->image ? job->input_hash : NULL);
    if ((rc = scope_key(s)) != VG_OK)
        return rc;
    if (r->lang)
        snprintf(job->lang, sizeof job->lang, "%s", vg_lang_tag((size_t)vg_lang_index(r->lang)));
    else if (vg_account_lang(job->lang, s->ctx, r->user_id) != VG_OK)
        snprintf(job->lang, sizeof job->lang, "%s", vg_ctx_lang(s->ctx));
    vg_error_clear();
    return VG_OK;
}

/* Effects apply to a succeeded job of the same user. */
static int load_input_job(submit *s)
{
    int rc = vg__job_load(s->ctx, &s->input, s->req->input_job_id);
    if (rc == VG_ENOTFOUND || (rc == VG_OK && s->input.user_id != s->req->user_id))
        return vg__fail(s->ctx, VG_ENOTFOUND, "job %" PRId64 " is not one of the user's",
                        s->req->input_job_id);
    if (rc == VG_OK && (s->input.state != VG_JOB_SUCCEEDED ||
                        strcmp(s->input.media_type, "video") != 0))
        return vg__fail(s->ctx, VG_EINPUT_ASSET, "effects apply to a finished video");
    return rc;
}

static int check_access(submit *s)
{
    vg_access_request request = VG_ACCESS_REQUEST_INIT;
    int rc;

    request.service = s->service.name;
    request.duration_s = s->req->duration_s;
    request.fps = s->req->fps;
    if ((rc = vg_access_check(&s->access, s->ctx, s->req->user_id, &request)) != VG_OK)
        return rc;
    if (!s->access.allowed)
        return vg__fail(s->ctx, s->access.reason, "%s", vg_strerror(s->access.reason,
                                                                    s->job.lang));
    s->job.priority = s->access.priority;
    s->job.watermark = s->access.watermark;
    return VG_OK;
}

/* Holds the price under a key of its own: a submit that records nothing releases its hold,
 * and the same request sent again must then hold anew. */
static int hold_price(submit *s)
{
    char key[64], reference[VG_REFERENCE_SIZE];
    unsigned char nonce[12];
    char hex[sizeof nonce * 2 + 1];
    int rc;

    randombytes_buf(nonce, sizeof nonce);
    sodium_bin2hex(hex, sizeof hex, nonce, sizeof nonce);
    snprintf(key, sizeof key, "generate:%s", hex);
    snprintf(reference, sizeof reference, "generate:%.100s", s->req->idempotency_key);
    if ((rc = vg_credits_hold(&s->hold, s->ctx, s->req->user_id, s->service.name, reference,
                              key)) != VG_OK)
        return rc;
    s->held = 1;
    s->job.hold_id = s->hold.id;
    s->job.price = (int)s->hold.price;
    s->job.free_use = s->hold.free_use;
    return VG_OK;
}

/* Moderation: the block cache first, then the context's moderator. *blocked receives the
 * reason code, "" when allowed. */
static int moderate(submit *s, char blocked[VG_NAME_SIZE])
{
    vg_moderation m;
    int rc;

    blocked[0] = '\0';
    if (!s->req->prompt || !*s->req->prompt)
        return VG_OK;
    rc = vg_block_get(blocked, VG_NAME_SIZE, s->ctx, s->req->prompt);
    if (rc == VG_OK) {
        vg__log(s->ctx, VG_LOG_INFO, "generate: the block cache refuses the prompt (%s)",
                blocked);
        return VG_OK;
    }
    blocked[0] = '\0';
    if (rc != VG_ENOTFOUND)
        return rc;
    memset(&m, 0, sizeof m);
    m.version = VG_MODERATION_VERSION;
    if ((rc = vg_moderate(&m, s->ctx, s->req->prompt, s->req->image, s->req->image_len,
                          s->req->image_mime, s->job.lang)) != VG_OK)
        return rc;
    if (m.blocked) {
        snprintf(blocked, VG_NAME_SIZE, "%s", m.reason);
        /* remembered, so that the same prompt costs no moderation call again */
        if (vg_block_put(s->ctx, s->req->prompt, m.reason, 0) != VG_OK)
            vg__log(s->ctx, VG_LOG_WARN, "generate: cannot remember a blocked prompt: %s",
                    vg_ctx_errmsg(s->ctx));
    }
    return VG_OK;
}

static void enhance(submit *s)
{
    const char *provider = NULL;
    int rc;

    if (!s->g->enhance || !s->job.prompt[0])
        return;
    rc = vg_prompt_enhance(s->job.enhanced_prompt, sizeof s->job.enhanced_prompt, &provider,
                           s->ctx, s->job.prompt, s->job.lang);
    if (rc != VG_OK) {
        /* the user's own prompt still makes a video: go on without */
        vg__log(s->ctx, VG_LOG_WARN, "generate: prompt enhancement failed, using the prompt "
                "as written: %s", vg_ctx_errmsg(s->ctx));
        s->job.enhanced_prompt[0] = '\0';
    }
}

/* The similarity cache: a hit serves the job now. *served is 1 when it did. */
static int lookup(submit *s, int *served)
{
    char input_hex[2 * VG_STORE_HASH_SIZE + 8];
    vg_cache_scope scope;
    int rc;

    *served = 0;
    if (!s->job.prompt[0])
        return VG_OK;
    vg__job_scope(&scope, input_hex, &s->job);
    if ((rc = vg_cache_lookup(&s->hit, s->g->cache, &scope, s->job.prompt, s->job.user_id)) !=
        VG_OK)
        return rc;
    if (s->hit.match == VG_CACHE_MISS)
        return VG_OK;
    rc = vg__job_copy_cached(s->ctx, &s->job, s->hit.entry.result);
    if (rc == VG_ENOTFOUND)
        return VG_OK; /* the job behind the entry is gone: generate anew */
    if (rc != VG_OK)
        return rc;
    s->job.cache_hit = 1;
    s->job.similarity = s->hit.similarity;
    *served = 1;
    return VG_OK;
}

static int run_submit(submit *s)
{
    char blocked[VG_NAME_SIZE];
    int rc, served = 0;

    if ((rc = prepare(s)) != VG_OK)
        return rc;
    if ((rc = find_existing(s, &s->job)) != VG_ENOTFOUND)
        return rc; /* the same request again (VG_OK), a conflict, or a store failure */
    vg_error_clear();
    if (s->req->input_job_id && (rc = load_input_job(s)) != VG_OK)
        return rc;
    if ((rc = check_access(s)) != VG_OK || (rc = hold_price(s)) != VG_OK)
        return rc;
    if ((rc = moderate(s, blocked)) != VG_OK)
        return rc;
    if (blocked[0])
        return finish_at_once(s, VG_JOB_FAILED, VG_EMODERATION_BLOCKED, blocked);
    enhance(s);
    if ((rc = lookup(s, &served)) != VG_OK)
        return rc;
    if (served)
        return finish_at_once(s, VG_JOB_SUCCEEDED, 0, NULL);
    if (s->access.cache_only)
        return finish_at_once(s, VG_JOB_FAILED, VG_EPAID_ONLY,
                              "demo: no cached result for this prompt");
    if ((rc = insert_job(s)) != VG_OK)
        return rc;
    vg__log(s->ctx, VG_LOG_INFO, "job %" PRId64 ": queued (%s, %s%s)", s->job.id,
            s->job.service, vg_task_kind_name(s->job.kind), s->job.priority ? ", priority" : "");
    vg__job_emit(s->g, &s->job);
    return VG_OK;
}

int vg_generate_submit(vg_job *out, vg_generator *g, const vg_generate_request *request)
{
    submit *s;
    int rc;

    if (!out || !g || !request)
        return vg__fail(g ? g->ctx : NULL, VG_EINVAL,
                        "vg_generate_submit: out, generator or request is NULL");
    if ((rc = check_request(g->ctx, request)) != VG_OK)
        return rc;
    if (!(s = vg__calloc(g->ctx, 1, sizeof *s)))
        return vg__fail(g->ctx, VG_ENOMEM, "out of memory");
    s->g = g;
    s->ctx = g->ctx;
    s->req = request;
    rc = run_submit(s);
    if (rc != VG_OK && s->job.id == 0)
        release_own_hold(s); /* nothing was recorded: the credits come back now */
    if (rc == VG_OK)
        vg__job_public(out, &s->job);
    vg__free(g->ctx, s);
    return rc;
}
