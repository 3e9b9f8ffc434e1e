/* SPDX-License-Identifier: MIT */
/* GoEnhance over the HTTP layer: video-to-video style transfer, HD enhance and video
 * enhance (behind endpoints the embedder configures), job polling through
 * GET /api/v1/jobs/detail, and the model list as the check (docs/providers.md §4). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider.h"

#define GOENHANCE_BASE_URL "https://api.goenhance.ai"
#define GOENHANCE_KEY_HEADER "authorization: Bearer "
/* GoEnhance's best-practices page advises polling every 5 s. */
#define GOENHANCE_POLL_MS 5000
#define GOENHANCE_DEFAULT_STYLE "2000" /* "Anime Style v5" in third-party code */
#define GOENHANCE_DEFAULT_DURATION 5
#define GOENHANCE_MIN_DURATION 3 /* third-party code clamps to 3..30 s */
#define GOENHANCE_SEED_MAX 2147483647LL

/* ---- what each kind sends ------------------------------------------------------------ */

/* A kind GoEnhance makes: its endpoint and job type, fixed (style transfer, from
 * third-party code) or read from the environment (the enhance endpoints are not public). */
typedef struct goenhance_kind {
    vg_task_kind kind;
    const char *path; /* NULL: from path_env */
    const char *path_env;
    const char *type; /* the body's "type" when type_env is unset */
    const char *type_env;
    int default_resolution;
} goenhance_kind;

static const goenhance_kind kinds[] = {
    {VG_TASK_STYLE_TRANSFER, "/api/v1/video2video/generate", NULL, "mx-v2v", NULL, 720},
    {VG_TASK_HD_ENHANCE, NULL, "VIDGO_GOENHANCE_HD_ENHANCE_PATH", "mx-hd-enhance",
     "VIDGO_GOENHANCE_HD_ENHANCE_TYPE", 1080},
    {VG_TASK_VIDEO_ENHANCE, NULL, "VIDGO_GOENHANCE_VIDEO_ENHANCE_PATH", "mx-video-enhance",
     "VIDGO_GOENHANCE_VIDEO_ENHANCE_TYPE", 1080},
    /* a 4K video: a 1080p generation, then GoEnhance's HD enhance (its "4K upscale") */
    {VG_TASK_VIDEO_UPSCALE, NULL, "VIDGO_GOENHANCE_HD_ENHANCE_PATH", "mx-hd-enhance",
     "VIDGO_GOENHANCE_HD_ENHANCE_TYPE", 2160},
};

/* Output lines and the "resolution" strings of the body. */
static const struct {
    int lines;
    const char *name;
} resolutions[] = {{540, "540p"}, {720, "720p"}, {1080, "1080p"}, {2160, "2160p"}};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The row of a kind, or NULL when GoEnhance does not make it. */
static const goenhance_kind *kind_of(vg_task_kind kind)
{
    size_t i;
    for (i = 0; i < COUNT(kinds); i++)
        if (kinds[i].kind == kind)
            return &kinds[i];
    return NULL;
}

/* 1 when s is made only of the characters in set (and is 1..max bytes). */
static int made_of(const char *s, const char *set, size_t max)
{
    size_t n = s ? strspn(s, set) : 0;
    return n > 0 && n <= max && s[n] == '\0';
}

#define ID_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"

/* The endpoint and job type of a kind; VG_ECONFIG when the embedder has not set an
 * enhance endpoint, or set one that is not a plain path. */
static int endpoint(const char **path, const char **type, vg_ctx *ctx, const goenhance_kind *k)
{
    const char *t = k->type_env ? getenv(k->type_env) : NULL;

    *path = k->path ? k->path : getenv(k->path_env);
    *type = t && *t ? t : k->type;
    if (!*path || !**path)
        return vg__fail(ctx, VG_ECONFIG,
                        "goenhance: GoEnhance's %s endpoint is not public; set %s (e.g. "
                        "/api/v1/<endpoint>/generate) to the path GoEnhance gave you",
                        vg_task_kind_name(k->kind), k->path_env);
    if (**path != '/' || !made_of(*path, ID_CHARS "/._-", 200) || strstr(*path, ".."))
        return vg__fail(ctx, VG_ECONFIG, "goenhance: %s must be a path such as /api/v1/x/generate",
                        k->path_env);
    if (!made_of(*type, ID_CHARS "._-", 64))
        return vg__fail(ctx, VG_ECONFIG, "goenhance: %s must be a job type such as mx-v2v",
                        k->type_env);
    return VG_OK;
}

/* A model id as GoEnhance numbers them ("2000"), or -1. */
static long model_id(const char *s)
{
    return made_of(s, "0123456789", 9) ? strtol(s, NULL, 10) : -1;
}

/* The model of a task: its style for style transfer, else its model, else the default
 * style for style transfer; NULL: none (the enhance kinds). */
static const char *model_named(const vg_provider_task *task)
{
    if (task->kind == VG_TASK_STYLE_TRANSFER && task->style && *task->style)
        return task->style;
    if (task->model && *task->model)
        return task->model;
    return task->kind == VG_TASK_STYLE_TRANSFER ? GOENHANCE_DEFAULT_STYLE : NULL;
}

/* The body's "args" for a task: the model, duration, seed and prompt for style transfer;
 * the model when one is named for the enhance kinds. */
static int add_args(cJSON *args, vg_ctx *ctx, const vg_provider_task *task, const char *res)
{
    const char *m = model_named(task);
    long model = m ? model_id(m) : -1;
    int duration = task->duration_s ? task->duration_s : GOENHANCE_DEFAULT_DURATION;
    int ok;

    if (m && model < 0)
        return vg__fail(ctx, VG_EPARAMETER,
                        "goenhance: the style or model \"%.40s\" is not a "
                        "GoEnhance model id (a number, e.g. 2000)",
                        vg__utf8_valid(m) ? m : "?");
    if (task->seed < 0 || task->seed > GOENHANCE_SEED_MAX)
        return vg__fail(ctx, VG_EPARAMETER, "goenhance: the seed must be 1..%lld",
                        GOENHANCE_SEED_MAX);
    if (task->kind != VG_TASK_STYLE_TRANSFER) {
        ok = (model < 0 || cJSON_AddNumberToObject(args, "model", (double)model)) &&
             cJSON_AddStringToObject(args, "reference_video_url", task->input_url) &&
             cJSON_AddStringToObject(args, "resolution", res);
    } else {
        if (duration < GOENHANCE_MIN_DURATION)
            return vg__fail(ctx, VG_EPARAMETER, "goenhance: style transfer makes %d..30 s, not %d",
                            GOENHANCE_MIN_DURATION, duration);
        ok = cJSON_AddNumberToObject(args, "model", (double)model) &&
             cJSON_AddNumberToObject(args, "duration", duration) &&
             cJSON_AddStringToObject(args, "reference_video_url", task->input_url) &&
             cJSON_AddNumberToObject(args, "seed", task->seed ? (double)task->seed : -1) &&
             cJSON_AddStringToObject(args, "resolution", res) &&
             cJSON_AddStringToObject(args, "prompt", task->prompt ? task->prompt : "");
    }
    return ok ? VG_OK : vg__fail(ctx, VG_ENOMEM, "out of memory");
}

/* {"args": {...}, "type": "<job type>"} into *out (cJSON_free it). */
static int create_body(char **out, vg_ctx *ctx, const vg_provider_task *task, const char *type,
                       const char *res)
{
    cJSON *root = cJSON_CreateObject(), *args;
    int rc = VG_ENOMEM;

    *out = NULL;
    if (!root || !(args = cJSON_AddObjectToObject(root, "args")))
        goto done;
    if ((rc = add_args(args, ctx, task, res)) != VG_OK)
        goto done;
    rc = VG_ENOMEM;
    if (cJSON_AddStringToObject(root, "type", type) && (*out = cJSON_PrintUnformatted(root)))
        rc = VG_OK;
done:
    cJSON_Delete(root);
    return rc == VG_ENOMEM ? vg__fail(ctx, rc, "out of memory") : rc;
}

/* ---- the envelope -------------------------------------------------------------------- */

/* 1 when needle occurs in s, ignoring ASCII case. */
static int has_word(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; s && *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

/* What a failed envelope means. GoEnhance documents no error codes: a code of 401 or 403,
 * or a message about an invalid, expired or missing token (or "unauthorized"), is a refused
 * key; "not found" / "not exist" is an unknown job (polls only); anything else a refusal. */
static int envelope_status(int64_t code, const char *msg, int not_found_ok)
{
    if (code == 401 || code == 403 || has_word(msg, "unauthori") ||
        has_word(msg, "unauthenticated") ||
        ((has_word(msg, "token") || has_word(msg, "api key") || has_word(msg, "apikey")) &&
         (has_word(msg, "invalid") || has_word(msg, "expired") || has_word(msg, "missing") ||
          has_word(msg, "not exist") || has_word(msg, "not found"))))
        return VG_EPROVIDER_AUTH;
    if (not_found_ok && (has_word(msg, "not found") || has_word(msg, "not exist")))
        return VG_ENOTFOUND;
    return VG_EPROVIDER_REJECTED;
}

/* Opens the envelope {"code": 0, "msg": ..., "data": ...}: VG_OK and *data (may be NULL)
 * when code is 0; a code other than 0 is a failure even on HTTP 200. */
static int envelope(const cJSON **data, vg_ctx *ctx, const vg__provider_conf *conf,
                    const cJSON *root, const char *what, int not_found_ok)
{
    const char *msg = vg__json_str(root, "msg");
    char text[384];
    int64_t code;
    int rc;

    *data = NULL;
    if (!vg__json_int(&code, root, "code"))
        return vg__provider_bad_answer(ctx, conf, what, "has no \"code\"");
    if (code == 0) {
        *data = cJSON_GetObjectItemCaseSensitive(root, "data");
        return VG_OK;
    }
    rc = envelope_status(code, msg, not_found_ok);
    snprintf(text, sizeof text, "goenhance: %s: code %lld: %.200s", what, (long long)code,
             msg && vg__utf8_valid(msg) ? msg : "no message");
    if (conf->key)
        vg__redact(text, conf->key);
    return vg__fail(ctx, rc, "%s", text);
}

/* ---- submit -------------------------------------------------------------------------- */

/* A create whose answer cannot be read may still have made the (paid) job: the outcome is
 * unknown, and the caller must not submit it again blindly. */
static int outcome_unknown(vg_ctx *ctx, const char *problem)
{
    char why[VG__ERRMSG_SIZE];
    vg__copy(why, sizeof why, problem);
    return vg__fail(ctx, VG_EOUTCOME_UNKNOWN,
                    "%.300s; the job may have been created and was not resubmitted", why);
}

/* The task's checks: an https:// input video, a resolution GoEnhance names. */
static int check_task(const char **res, vg_ctx *ctx, const goenhance_kind *k,
                      const vg_provider_task *task)
{
    int lines = task->resolution ? task->resolution : k->default_resolution;
    size_t i;

    if (!task->input_url || strncmp(task->input_url, "https://", 8) != 0)
        return vg__fail(ctx, VG_EINPUT_ASSET, "goenhance: the input video must be an https:// URL");
    for (i = 0; i < COUNT(resolutions); i++)
        if (resolutions[i].lines == lines) {
            *res = resolutions[i].name;
            return VG_OK;
        }
    return vg__fail(ctx, VG_EPARAMETER, "goenhance: no %d-line output (540, 720, 1080, 2160)",
                    lines);
}

/* POST the kind's generate endpoint; the answer's data.img_uuid is the job. */
static int goenhance_submit(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                            const vg_provider_task *task)
{
    const goenhance_kind *k = kind_of(task->kind);
    const char *path = NULL, *type = NULL, *res = NULL, *id;
    const cJSON *data;
    vg__provider_call call;
    cJSON *root = NULL;
    char *body = NULL;
    int rc;

    if (!k) {
        rc = vg__fail(ctx, VG_EUNSUPPORTED, "goenhance makes no %s", vg_task_kind_name(task->kind));
        goto done;
    }
    if ((rc = endpoint(&path, &type, ctx, k)) != VG_OK ||
        (rc = check_task(&res, ctx, k, task)) != VG_OK ||
        (rc = create_body(&body, ctx, task, type, res)) != VG_OK)
        goto done;
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.path = path;
    call.body = body;
    call.creates_paid_job = 1;
    call.what = "create a job";
    rc = vg__provider_send(&root, ctx, conf, &call);
    if (rc == VG_OK)
        rc = envelope(&data, ctx, conf, root, call.what, 0);
    if (rc == VG_EPROVIDER_RESPONSE ||
        (rc == VG_EOUTCOME_UNKNOWN && !strstr(vg_error_last(), "not resent"))) {
        rc = outcome_unknown(ctx, vg_error_last());
        goto done;
    }
    if (rc != VG_OK)
        goto done;
    if (!made_of(id = vg__json_str(data, "img_uuid"), ID_CHARS "-_", VG_PROVIDER_JOB_ID_SIZE - 1)) {
        rc = outcome_unknown(ctx, "goenhance: create a job: the answer has no valid img_uuid");
        goto done;
    }
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__copy(out->model, sizeof out->model, model_named(task));
    out->poll_after_ms = GOENHANCE_POLL_MS;
done:
    cJSON_free(body);
    cJSON_Delete(root);
    return rc;
}

/* ---- poll ---------------------------------------------------------------------------- */

/* The job statuses: the OpenAPI enum says success, the prose says completed; both are done. */
static const struct {
    const char *status;
    vg_task_state state;
} statuses[] = {
    {"pending", VG_TASK_PENDING},   {"processing", VG_TASK_RUNNING},
    {"success", VG_TASK_SUCCEEDED}, {"completed", VG_TASK_SUCCEEDED},
    {"failed", VG_TASK_FAILED},
};

/* The first json[] item of a type, or NULL. */
static const char *result_of(const cJSON *items, const char *type)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, items)
    {
        const char *t = vg__json_str(item, "type"), *v = vg__json_str(item, "value");
        if (t && v && *v && strcmp(t, type) == 0)
            return v;
    }
    return NULL;
}

/* The finished job's asset: a json[] video, else a json[] image, else img_url. */
static int read_result(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf,
                       const cJSON *data, const char *what)
{
    const cJSON *items = vg__json_arr(data, "json");
    const char *url = result_of(items, "video"), *media = "video";

    if (!url && (url = result_of(items, "image")) != NULL)
        media = "image";
    if (!url)
        url = vg__json_str(data, "img_url");
    if (!url || !*url)
        return vg__provider_bad_answer(ctx, conf, what, "has no result URL");
    if (!vg__copy(job->result_url, sizeof job->result_url, url)) {
        job->result_url[0] = '\0';
        return vg__provider_bad_answer(ctx, conf, what, "has a result URL over 2 KB");
    }
    vg__copy(job->media_type, sizeof job->media_type, media);
    job->percent = 100;
    return VG_OK;
}

/* Reads data of a job detail into *job. */
static int read_job(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf,
                    const cJSON *data, const char *what)
{
    const char *status = vg__json_str(data, "status"), *reason;
    size_t i;

    if (!cJSON_IsObject(data))
        return vg__provider_bad_answer(ctx, conf, what, "has no job data");
    for (i = 0; status && i < COUNT(statuses); i++)
        if (strcmp(statuses[i].status, status) == 0)
            break;
    if (!status || i == COUNT(statuses))
        return vg__fail(ctx, VG_EPROVIDER_RESPONSE, "goenhance: %s: unknown job status \"%.32s\"",
                        what, status && vg__utf8_valid(status) ? status : "(none)");
    job->state = statuses[i].state;
    job->percent = -1; /* GoEnhance reports no progress */
    job->poll_after_ms = job->state <= VG_TASK_RUNNING ? GOENHANCE_POLL_MS : 0;
    job->result_url[0] = job->thumbnail_url[0] = '\0';
    job->failure[0] = job->failure_code[0] = '\0';
    job->api_cost_micro = -1; /* the job detail carries no cost */
    job->api_cost_unit[0] = '\0';
    vg__copy(job->media_type, sizeof job->media_type, vg__task_media(job->kind));
    if (job->state == VG_TASK_SUCCEEDED)
        return read_result(job, ctx, conf, data, what);
    if (job->state == VG_TASK_FAILED) {
        /* No failure field is documented; take one when the answer has it. */
        reason = vg__json_str(data, "fail_reason");
        if (!reason)
            reason = vg__json_str(data, "error");
        vg__copy(job->failure, sizeof job->failure,
                 reason && *reason ? reason : "GoEnhance reported the job failed");
        if (conf->key)
            vg__redact(job->failure, conf->key);
    }
    return VG_OK;
}

/* GET /api/v1/jobs/detail?img_uuid=<id>. */
static int goenhance_poll(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    char path[VG_PROVIDER_JOB_ID_SIZE + 40];
    const cJSON *data;
    vg__provider_call call;
    cJSON *root = NULL;
    int rc;

    if (!made_of(job->job_id, ID_CHARS "-_", VG_PROVIDER_JOB_ID_SIZE - 1))
        return vg__fail(ctx, VG_EINVAL, "goenhance: \"%.40s\" is not a GoEnhance job id",
                        job->job_id);
    snprintf(path, sizeof path, "/api/v1/jobs/detail?img_uuid=%s", job->job_id);
    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = path;
    call.not_found_ok = 1;
    call.what = "read the job";
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) == VG_OK &&
        (rc = envelope(&data, ctx, conf, root, call.what, 1)) == VG_OK)
        rc = read_job(job, ctx, conf, data, call.what);
    cJSON_Delete(root);
    return rc;
}

/* ---- check --------------------------------------------------------------------------- */

/* The styles of a model list: data is an array of categories, each with list[]. */
static int count_styles(const cJSON *data)
{
    const cJSON *category;
    int n = 0;
    if (vg__json_arr(data, "list"))
        return cJSON_GetArraySize(vg__json_arr(data, "list"));
    if (!cJSON_IsArray(data))
        return -1;
    cJSON_ArrayForEach(category, data)
    {
        const cJSON *list = vg__json_arr(category, "list");
        n += list ? cJSON_GetArraySize(list) : 1;
    }
    return n;
}

/* GET /api/v1/video2video/modellist: the key works; the detail counts the styles. */
static int goenhance_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    vg__provider_call call;
    const cJSON *data;
    cJSON *root = NULL;
    int rc, n;

    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = "/api/v1/video2video/modellist";
    call.what = "read the model list";
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) == VG_OK &&
        (rc = envelope(&data, ctx, conf, root, call.what, 0)) == VG_OK) {
        if ((n = count_styles(data)) < 0)
            rc = vg__provider_bad_answer(ctx, conf, call.what, "has no model list");
        else
            snprintf(detail, size, "%d styles", n);
    }
    cJSON_Delete(root);
    return rc;
}

/* No cancel and no reconcile: the API has neither (docs/providers.md §4). A create whose
 * outcome is unknown cannot be found again: the pipeline fails the job without charging. */
const vg__provider_ops vg__goenhance_ops = {
    VG_PROVIDER_GOENHANCE,
    GOENHANCE_BASE_URL,
    "GOENHANCE_API_KEY",
    GOENHANCE_KEY_HEADER,
    goenhance_submit,
    goenhance_poll,
    NULL,
    NULL,
    goenhance_check,
};
