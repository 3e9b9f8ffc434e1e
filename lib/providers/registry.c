/* SPDX-License-Identifier: MIT */
/* The one interface over every provider: names, the capability table, picking a provider,
 * and submit, poll, cancel, reconcile, info and check dispatched to the provider's client. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "provider.h"

static const char *const provider_names[VG_PROVIDER_COUNT] = {
    "local", "gemini", "leonardo", "runway", "goenhance", "pollo",
};

static const char *const kind_names[VG_TASK_KIND_COUNT] = {
    "text_to_image", "text_to_video",   "image_to_video", "style_transfer",
    "hd_enhance",    "video_enhance",   "video_upscale",
};

static const char *const state_names[] = {"pending", "running", "succeeded", "failed",
                                          "cancelled"};

/* Which provider serves which task kind. Rank 0 is the primary, 1 the fallback, 2 a model
 * used only when asked for by name (Pollo: VidGo Advanced Models). `local` stands in for a
 * rank-0 provider that does not serve the context. Leonardo's video stops at 1080p (MOTION2
 * at 720, Veo for 1080) and its own upscale at 720: a 4K video is a 1080p video and then
 * GoEnhance's HD enhance, VidGo's "4K upscale" (docs/providers.md). */
static const vg_provider_capability capabilities[] = {
    {"leonardo", VG_TASK_TEXT_TO_IMAGE, 0, "de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3",
     "image_512 image_1024", 1024, 0},
    {"leonardo", VG_TASK_TEXT_TO_VIDEO, 0, "MOTION2", "video_720p video_1080p video_4k", 1080,
     8},
    {"leonardo", VG_TASK_IMAGE_TO_VIDEO, 0, "MOTION2", "video_720p video_1080p video_4k", 1080,
     8},
    /* Leonardo's own upscale makes 720 lines only: named use, never the 4K path */
    {"leonardo", VG_TASK_VIDEO_UPSCALE, 2, "", "", 720, 8},
    {"runway", VG_TASK_IMAGE_TO_VIDEO, 1, "gen4_turbo", "runway_720p", 720, 10},
    {"runway", VG_TASK_TEXT_TO_VIDEO, 1, "gen4.5", "runway_720p", 720, 10},
    {"goenhance", VG_TASK_STYLE_TRANSFER, 0, "2000", "style_effects", 720, 30},
    {"goenhance", VG_TASK_HD_ENHANCE, 0, "", "hd_enhance", 2160, 30},
    {"goenhance", VG_TASK_VIDEO_ENHANCE, 0, "", "video_pro", 2160, 30},
    {"goenhance", VG_TASK_VIDEO_UPSCALE, 0, "", "video_4k", 2160, 30},
    {"pollo", VG_TASK_IMAGE_TO_VIDEO, 2, "kling-ai/kling-v2-6", "", 1080, 10},
    {"pollo", VG_TASK_TEXT_TO_VIDEO, 2, "kling-ai/kling-v2-6", "", 1080, 10},
    {"local", VG_TASK_TEXT_TO_IMAGE, 0, "placeholder-v1", "image_512 image_1024", 1024, 0},
    {"local", VG_TASK_TEXT_TO_VIDEO, 0, "placeholder-v1", "video_720p video_1080p video_4k",
     2160, 8},
    {"local", VG_TASK_IMAGE_TO_VIDEO, 0, "placeholder-v1", "video_720p video_1080p video_4k",
     2160, 8},
    {"local", VG_TASK_STYLE_TRANSFER, 0, "placeholder-v1", "style_effects", 2160, 30},
    {"local", VG_TASK_HD_ENHANCE, 0, "placeholder-v1", "hd_enhance", 2160, 30},
    {"local", VG_TASK_VIDEO_ENHANCE, 0, "placeholder-v1", "video_pro", 2160, 30},
    {"local", VG_TASK_VIDEO_UPSCALE, 0, "placeholder-v1", "video_4k", 2160, 8},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *vg_provider_name(int provider)
{
    return provider >= 0 && provider < VG_PROVIDER_COUNT ? provider_names[provider] : NULL;
}

static int index_of(const char *const *names, size_t count, const char *name)
{
    size_t i;
    if (!name)
        return -1;
    for (i = 0; i < count; i++)
        if (strcmp(names[i], name) == 0)
            return (int)i;
    return -1;
}

int vg_provider_index(const char *name)
{
    return index_of(provider_names, COUNT(provider_names), name);
}

const char *vg_task_kind_name(int kind)
{
    return kind >= 0 && kind < VG_TASK_KIND_COUNT ? kind_names[kind] : NULL;
}

int vg_task_kind_index(const char *name)
{
    return index_of(kind_names, COUNT(kind_names), name);
}

const char *vg_task_state_name(int state)
{
    return state >= 0 && state < (int)COUNT(state_names) ? state_names[state] : NULL;
}

int vg_provider_job_init(vg_provider_job *job, unsigned int version)
{
    if (!job)
        return vg__fail(NULL, VG_EINVAL, "job is NULL");
    if (version != VG_PROVIDER_JOB_VERSION)
        return vg__fail(NULL, VG_EVERSION, "provider job version %u is not %u", version,
                        VG_PROVIDER_JOB_VERSION);
    memset(job, 0, sizeof *job);
    job->version = version;
    job->percent = -1;
    job->api_cost_micro = -1;
    return VG_OK;
}

int vg_provider_capabilities(vg_provider_capability_fn callback, void *payload)
{
    size_t i;
    if (!callback)
        return vg__fail(NULL, VG_EINVAL, "vg_provider_capabilities: callback is NULL");
    for (i = 0; i < COUNT(capabilities); i++)
        if (callback(&capabilities[i], payload))
            break;
    return VG_OK;
}

static const vg_provider_capability *capability(const char *provider, vg_task_kind kind)
{
    size_t i;
    for (i = 0; i < COUNT(capabilities); i++)
        if (capabilities[i].kind == kind && strcmp(capabilities[i].provider, provider) == 0)
            return &capabilities[i];
    return NULL;
}

int vg_provider_pick(char *out, vg_ctx *ctx, vg_task_kind kind, int rank)
{
    size_t i;

    if (!out || !ctx || (int)kind < 0 || kind >= VG_TASK_KIND_COUNT || rank < 0)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_pick: invalid arguments");
    out[0] = '\0';
    if (ctx->provider_mode == VG_PROVIDERS_LOCAL) {
        if (rank > 0)
            return vg__fail(ctx, VG_ENOTFOUND, "no fallback provider offline");
        return vg__copy(out, VG_NAME_SIZE, "local"), VG_OK;
    }
    for (i = 0; i < COUNT(capabilities); i++) {
        const vg_provider_capability *c = &capabilities[i];
        if (c->kind != kind || c->rank != rank || strcmp(c->provider, "local") == 0)
            continue;
        if (vg__provider_serves(ctx, vg_provider_index(c->provider))) {
            vg__copy(out, VG_NAME_SIZE, c->provider);
            return VG_OK;
        }
        if (rank == 0) {
            vg__copy(out, VG_NAME_SIZE, "local");
            return VG_OK;
        }
    }
    return vg__fail(ctx, VG_ENOTFOUND, "no provider serves %s at rank %d",
                    vg_task_kind_name(kind), rank);
}

/* Resolves a provider name for a call and opens its settings. */
static int open_provider(vg__provider_conf *conf, const vg__provider_ops **ops, vg_ctx *ctx,
                         const char *provider)
{
    int id = vg_provider_index(provider);

    memset(conf, 0, sizeof *conf);
    if (id < 0)
        return vg__fail(ctx, VG_EINVAL, "no provider is named \"%.32s\"",
                        provider && vg__utf8_valid(provider) ? provider : "?");
    if (id != VG_PROVIDER_LOCAL && ctx->provider_mode == VG_PROVIDERS_LOCAL)
        return vg__fail(ctx, VG_ECONFIG, "%s: this context is offline (provider mode local)",
                        provider);
    *ops = vg__provider_ops_of(id);
    return vg__provider_conf_open(conf, ctx, id, 1);
}

static int needs_input(vg_task_kind kind)
{
    return kind != VG_TASK_TEXT_TO_IMAGE && kind != VG_TASK_TEXT_TO_VIDEO;
}

static int needs_prompt(vg_task_kind kind)
{
    return kind == VG_TASK_TEXT_TO_IMAGE || kind == VG_TASK_TEXT_TO_VIDEO ||
           kind == VG_TASK_IMAGE_TO_VIDEO;
}

/* The checks every provider shares; each client checks its own limits after these. */
static int check_task(vg_ctx *ctx, const char *provider, const vg_provider_task *task)
{
    const vg_provider_capability *cap;

    if (task->version != VG_PROVIDER_TASK_VERSION)
        return vg__fail(ctx, VG_EVERSION, "provider task version %u is not %u", task->version,
                        VG_PROVIDER_TASK_VERSION);
    if ((int)task->kind < 0 || task->kind >= VG_TASK_KIND_COUNT)
        return vg__fail(ctx, VG_EINVAL, "task kind %d is unknown", (int)task->kind);
    if (!(cap = capability(provider, task->kind)))
        return vg__fail(ctx, VG_EUNSUPPORTED, "%s does not make %s", provider,
                        vg_task_kind_name(task->kind));
    if (needs_prompt(task->kind) && (!task->prompt || !*task->prompt))
        return vg__fail(ctx, VG_EPROMPT_EMPTY, "%s needs a prompt",
                        vg_task_kind_name(task->kind));
    if ((task->prompt && !vg__utf8_valid(task->prompt)) ||
        (task->negative_prompt && !vg__utf8_valid(task->negative_prompt)))
        return vg__fail(ctx, VG_EUTF8, "the prompt is not valid UTF-8");
    if (task->prompt && strlen(task->prompt) > VG_PROMPT_MAX_BYTES)
        return vg__fail(ctx, VG_EPROMPT_TOO_LONG, "the prompt is over %d bytes",
                        VG_PROMPT_MAX_BYTES);
    if (needs_input(task->kind) && !task->input_url && !task->input_image &&
        !task->input_job_id)
        return vg__fail(ctx, VG_EINPUT_ASSET, "%s needs an input image or video",
                        vg_task_kind_name(task->kind));
    if (task->input_image && (task->input_image_len == 0 || !task->input_image_mime))
        return vg__fail(ctx, VG_EINPUT_ASSET, "the input image has no bytes or no type");
    if (task->resolution < 0 || task->width < 0 || task->height < 0 || task->duration_s < 0)
        return vg__fail(ctx, VG_EPARAMETER, "negative resolution, size or duration");
    if (task->resolution > cap->max_resolution && task->kind != VG_TASK_VIDEO_UPSCALE)
        return vg__fail(ctx, VG_EPARAMETER, "%s makes at most %d lines for %s", provider,
                        cap->max_resolution, vg_task_kind_name(task->kind));
    if (cap->max_duration_s && task->duration_s > cap->max_duration_s)
        return vg__fail(ctx, VG_EPARAMETER, "%s makes at most %d s for %s", provider,
                        cap->max_duration_s, vg_task_kind_name(task->kind));
    return VG_OK;
}

int vg_provider_submit(vg_provider_job *out, vg_ctx *ctx, const char *provider,
                       const vg_provider_task *task)
{
    const vg__provider_ops *ops = NULL;
    vg__provider_conf conf;
    int rc;

    if (!out || !ctx || !provider || !task)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_submit: out, ctx, provider or task is NULL");
    if ((rc = open_provider(&conf, &ops, ctx, provider)) != VG_OK)
        goto done;
    if ((rc = check_task(ctx, conf.name, task)) != VG_OK)
        goto done;
    if (!ops->submit) {
        rc = vg__fail(ctx, VG_EUNSUPPORTED, "%s makes nothing", conf.name);
        goto done;
    }
    if ((rc = ops->submit(out, ctx, &conf, task)) == VG_OK)
        vg__log(ctx, VG_LOG_INFO, "%s: %s job %s submitted", conf.name,
                vg_task_kind_name(task->kind), out->job_id);
done:
    vg__provider_conf_close(ctx, &conf);
    return rc;
}

/* A job id as providers make them: printable ASCII without spaces or '/', '?', '#'. */
static int job_id_ok(const char *id)
{
    size_t n = strnlen(id, VG_PROVIDER_JOB_ID_SIZE);
    const char *p;
    if (n == 0 || n == VG_PROVIDER_JOB_ID_SIZE)
        return 0;
    for (p = id; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '/' || *p == '?' || *p == '#' || *p == '%' ||
            *p == '\\')
            return 0;
    return 1;
}

int vg_provider_poll(vg_provider_job *job, vg_ctx *ctx)
{
    const vg__provider_ops *ops = NULL;
    vg__provider_conf conf;
    int rc;

    if (!job || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_poll: job or ctx is NULL");
    if (job->version != VG_PROVIDER_JOB_VERSION)
        return vg__fail(ctx, VG_EVERSION, "provider job version %u is not %u", job->version,
                        VG_PROVIDER_JOB_VERSION);
    if (!memchr(job->provider, '\0', sizeof job->provider) ||
        !memchr(job->job_id, '\0', sizeof job->job_id) || !job_id_ok(job->job_id) ||
        (int)job->kind < 0 || job->kind >= VG_TASK_KIND_COUNT)
        return vg__fail(ctx, VG_EINVAL, "the job has no valid provider, id or kind");
    if ((rc = open_provider(&conf, &ops, ctx, job->provider)) == VG_OK) {
        if (!ops->poll)
            rc = vg__fail(ctx, VG_EUNSUPPORTED, "%s has no jobs", conf.name);
        else
            rc = ops->poll(job, ctx, &conf);
    }
    vg__provider_conf_close(ctx, &conf);
    return rc;
}

int vg_provider_cancel(vg_ctx *ctx, const char *provider, const char *job_id)
{
    const vg__provider_ops *ops = NULL;
    vg__provider_conf conf;
    int rc;

    if (!ctx || !provider || !job_id)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_cancel: ctx, provider or job_id is NULL");
    if (!job_id_ok(job_id))
        return vg__fail(ctx, VG_EINVAL, "the job id is not a provider job id");
    if ((rc = open_provider(&conf, &ops, ctx, provider)) == VG_OK) {
        if (!ops->cancel)
            rc = vg__fail(ctx, VG_EUNSUPPORTED, "%s cannot cancel a job", conf.name);
        else if ((rc = ops->cancel(ctx, &conf, job_id)) == VG_OK)
            vg__log(ctx, VG_LOG_INFO, "%s: job %s cancelled", conf.name, job_id);
    }
    vg__provider_conf_close(ctx, &conf);
    return rc;
}

int vg_provider_reconcile(vg_provider_job *out, vg_ctx *ctx, const char *provider,
                          const vg_provider_task *task, vg_time since)
{
    const vg__provider_ops *ops = NULL;
    vg__provider_conf conf;
    int rc;

    if (!out || !ctx || !provider || !task)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_reconcile: invalid arguments");
    if ((rc = open_provider(&conf, &ops, ctx, provider)) != VG_OK)
        goto done;
    if ((rc = check_task(ctx, conf.name, task)) != VG_OK)
        goto done;
    if (!ops->reconcile)
        rc = vg__fail(ctx, VG_EUNSUPPORTED,
                      "%s cannot tell whether a job was created: fail it without charging",
                      conf.name);
    else
        rc = ops->reconcile(out, ctx, &conf, task, since);
done:
    vg__provider_conf_close(ctx, &conf);
    return rc;
}

/* ---- info and check ------------------------------------------------------------------- */

/* "abcd…wxyz": enough to tell keys apart, never enough to use one. */
static void mask_key(char *out, size_t size, const char *key)
{
    size_t n = strlen(key);
    if (n < 12)
        vg__copy(out, size, "****");
    else
        snprintf(out, size, "%.4s…%s", key, key + n - 4);
}

int vg_provider_info_get(vg_provider_info *out, vg_ctx *ctx, const char *provider)
{
    vg__provider_conf conf;
    const char *source = "";
    int id, rc;

    if (!out || !ctx || !provider)
        return vg__fail(ctx, VG_EINVAL, "vg_provider_info_get: out, ctx or provider is NULL");
    if (out->version != VG_PROVIDER_INFO_VERSION)
        return vg__fail(ctx, VG_EVERSION, "provider info version %u is not %u", out->version,
                        VG_PROVIDER_INFO_VERSION);
    if ((id = vg_provider_index(provider)) < 0)
        return vg__fail(ctx, VG_EINVAL, "no provider is named \"%.32s\"",
                        vg__utf8_valid(provider) ? provider : "?");
    memset(out, 0, sizeof *out);
    out->version = VG_PROVIDER_INFO_VERSION;
    vg__copy(out->name, sizeof out->name, provider_names[id]);
    out->serves = vg__provider_serves(ctx, id);
    if (id == VG_PROVIDER_LOCAL) {
        out->has_key = 1;
        vg__copy(out->base_url, sizeof out->base_url, ctx->assets_dir);
        return VG_OK;
    }
    rc = vg__provider_conf_open(&conf, ctx, id, 0);
    if (rc == VG_OK) {
        if (ctx->provider_keys[id])
            source = "config";
        else if (conf.key)
            source = vg__provider_ops_of(id)->key_env;
        out->has_key = conf.key != NULL;
        vg__copy(out->key_source, sizeof out->key_source, source);
        if (conf.key)
            mask_key(out->key_masked, sizeof out->key_masked, conf.key);
        vg__copy(out->base_url, sizeof out->base_url, conf.base_url);
        out->breaker_open = vg__http_breaker_open(conf.http);
    } else {
        out->status = rc;
        vg__copy(out->detail, sizeof out->detail, vg_error_last());
    }
    vg__provider_conf_close(ctx, &conf);
    return VG_OK;
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int vg_provider_check(vg_provider_info *out, vg_ctx *ctx, const char *provider)
{
    const vg__provider_ops *ops;
    vg__provider_conf conf;
    long long start;
    int rc;

    if ((rc = vg_provider_info_get(out, ctx, provider)) != VG_OK)
        return rc;
    ops = vg__provider_ops_of(vg_provider_index(out->name));
    out->checked = 1;
    start = now_ms();
    rc = vg__provider_conf_open(&conf, ctx, ops->id, 1);
    if (rc == VG_OK && !ops->check)
        rc = vg__fail(ctx, VG_EUNSUPPORTED, "%s has no check", out->name);
    else if (rc == VG_OK)
        rc = ops->check(out->detail, sizeof out->detail, ctx, &conf);
    out->latency_ms = (int)(now_ms() - start);
    out->status = rc;
    out->reachable = rc == VG_OK;
    if (rc != VG_OK)
        vg__copy(out->detail, sizeof out->detail, vg_error_last());
    vg__provider_conf_close(ctx, &conf);
    return VG_OK;
}
