/* SPDX-License-Identifier: MIT */
/* Runway over the HTTP layer: image-to-video and text-to-video tasks, polling
 * GET /v1/tasks/{id} through its six statuses, cancel (DELETE), and the organization check
 * (docs/providers.md §3). */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

#define RUNWAY_BASE_URL "https://api.dev.runwayml.com"
#define RUNWAY_KEY_HEADER "authorization: Bearer "
/* Every request carries the API version it was written against (the SDK's default). */
#define RUNWAY_VERSION_HEADER "X-Runway-Version: 2024-11-06"
/* The official SDK polls every 6 s (plus jitter, which is the caller's business). */
#define RUNWAY_POLL_MS 6000
#define RUNWAY_PROMPT_MAX_UTF16 1000
/* A data: URI prompt image is accepted up to 5 MB, as sent (after Base64). */
#define RUNWAY_DATA_URI_MAX ((size_t)5 * 1024 * 1024)
/* The seed Runway accepts: 0..4294967295 (the API reference; 0 is "unset" in a task). */
#define RUNWAY_SEED_MAX 4294967295LL

static const char *const version_headers[] = {RUNWAY_VERSION_HEADER, NULL};
static const char *const delete_headers[] = {RUNWAY_VERSION_HEADER, "Accept: */*", NULL};

/* ---- models ------------------------------------------------------------------------- */

/* The ratios ("W:H" in pixels) of a model family; the first one is made for 720 lines. */
static const char *const gen4_ratios[] = {"1280:720", "720:1280", "1104:832", "832:1104",
                                          "960:960",  "1584:672", NULL};
static const char *const gen3a_ratios[] = {"1280:768", "768:1280", NULL};
static const char *const gen45_text_ratios[] = {"1280:720", "720:1280", NULL};
static const char *const veo_ratios[] = {"1280:720", "720:1280", "1080:1920", "1920:1080", NULL};

#define SECONDS(n) (1u << (n))
#define SECONDS_2_TO_10 0x7FCu /* bits 2..10 */

/* A model Runway serves for a kind: its ratios and the durations it accepts (bit n set:
 * n seconds). The first row of a kind is its default (the capability table's model).
 * Sources: runwayml/sdk-python types/image_to_video_create_params.py and
 * text_to_video_create_params.py (docs/providers.md §3.1; doc-runway.md). */
typedef struct runway_model {
    vg_task_kind kind;
    const char *name;
    const char *const *ratios;
    unsigned durations;
    int default_duration;
} runway_model;

static const runway_model models[] = {
    {VG_TASK_IMAGE_TO_VIDEO, "gen4_turbo", gen4_ratios, SECONDS(5) | SECONDS(10), 5},
    {VG_TASK_IMAGE_TO_VIDEO, "gen4.5", gen4_ratios, SECONDS_2_TO_10, 5},
    {VG_TASK_IMAGE_TO_VIDEO, "gen3a_turbo", gen3a_ratios, SECONDS(5) | SECONDS(10), 5},
    {VG_TASK_TEXT_TO_VIDEO, "gen4.5", gen45_text_ratios, SECONDS_2_TO_10, 5},
    {VG_TASK_TEXT_TO_VIDEO, "veo3.1", veo_ratios, SECONDS(4) | SECONDS(6) | SECONDS(8), 8},
    {VG_TASK_TEXT_TO_VIDEO, "veo3.1_fast", veo_ratios, SECONDS(4) | SECONDS(6) | SECONDS(8), 8},
    {VG_TASK_TEXT_TO_VIDEO, "veo3", veo_ratios, SECONDS(8), 8},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* The model of a task: task->model among the kind's rows, or the kind's default. */
static int pick_model(const runway_model **out, vg_ctx *ctx, const vg_provider_task *task)
{
    size_t i;
    for (i = 0; i < COUNT(models); i++) {
        if (models[i].kind != task->kind)
            continue;
        if (!task->model || !*task->model || strcmp(task->model, models[i].name) == 0) {
            *out = &models[i];
            return VG_OK;
        }
    }
    return vg__fail(ctx, VG_EPARAMETER, "runway: \"%.40s\" is not a model libvidgo knows for %s",
                    vg__utf8_valid(task->model) ? task->model : "?", vg_task_kind_name(task->kind));
}

/* The ratio: "width:height" when both are set (one of the model's), else the model's
 * 720-line landscape ratio for resolution 0 or 720. */
static int pick_ratio(const char **out, vg_ctx *ctx, const runway_model *m,
                      const vg_provider_task *task)
{
    char want[32];
    size_t i;

    if (task->width || task->height) {
        snprintf(want, sizeof want, "%d:%d", task->width, task->height);
        for (i = 0; m->ratios[i]; i++)
            if (strcmp(m->ratios[i], want) == 0) {
                *out = m->ratios[i];
                return VG_OK;
            }
        return vg__fail(ctx, VG_EPARAMETER, "runway: %s makes no %dx%d video", m->name, task->width,
                        task->height);
    }
    if (task->resolution != 0 && task->resolution != 720)
        return vg__fail(ctx, VG_EPARAMETER, "runway: %s makes 720-line videos, not %d", m->name,
                        task->resolution);
    *out = m->ratios[0];
    return VG_OK;
}

/* The duration: the task's, else the model's default; one the model accepts. */
static int pick_duration(int *out, vg_ctx *ctx, const runway_model *m, const vg_provider_task *task)
{
    int d = task->duration_s ? task->duration_s : m->default_duration;
    if (d < 1 || d > 31 || !(m->durations & SECONDS(d)))
        return vg__fail(ctx, VG_EPARAMETER, "runway: %s makes no %d s video", m->name, d);
    *out = d;
    return VG_OK;
}

/* The length of a UTF-8 text in UTF-16 code units (four-byte sequences take two). */
static size_t utf16_units(const char *s)
{
    const unsigned char *p;
    size_t n = 0;
    for (p = (const unsigned char *)s; *p; p++)
        if ((*p & 0xC0) != 0x80)
            n += *p >= 0xF0 ? 2 : 1;
    return n;
}

/* ---- the prompt image --------------------------------------------------------------- */

static const char *const image_mimes[] = {"image/png", "image/jpeg", "image/webp"};

/* 1 for a "data:image/<type>;base64,..." URI. */
static int is_data_uri(const char *s)
{
    const char *comma = strchr(s, ',');
    return strncmp(s, "data:image/", 11) == 0 && comma && (size_t)(comma - s) >= sizeof ";base64" &&
           strncmp(comma - 7, ";base64", 7) == 0;
}

/* promptImage: the task's https:// URL or data: URI as it is, or its image bytes as a
 * data:<mime>;base64 URI (*owned, freed by the caller). At most 5 MB as sent. */
static int prompt_image(const char **uri, char **owned, vg_ctx *ctx, const vg_provider_task *task)
{
    size_t i, enc, n;
    char *b64, *s;

    *uri = NULL;
    *owned = NULL;
    if (task->input_url) {
        if (strncmp(task->input_url, "https://", 8) != 0 && !is_data_uri(task->input_url))
            return vg__fail(ctx, VG_EINPUT_ASSET,
                            "runway: the input image must be an https:// URL or a "
                            "data:image/...;base64 URI");
        if (strlen(task->input_url) > RUNWAY_DATA_URI_MAX)
            return vg__fail(ctx, VG_EINPUT_ASSET, "runway: the input image is over 5 MB");
        *uri = task->input_url;
        return VG_OK;
    }
    if (!task->input_image)
        return vg__fail(ctx, VG_EINPUT_ASSET, "runway: image_to_video needs an input image");
    for (i = 0; i < COUNT(image_mimes); i++)
        if (strcmp(task->input_image_mime, image_mimes[i]) == 0)
            break;
    if (i == COUNT(image_mimes))
        return vg__fail(ctx, VG_EINPUT_ASSET, "runway: the input image must be PNG, JPEG or WebP");
    if (task->input_image_len > RUNWAY_DATA_URI_MAX)
        return vg__fail(ctx, VG_EINPUT_ASSET, "runway: the input image is over 5 MB");
    enc = (task->input_image_len + 2) / 3 * 4;
    n = sizeof "data:" - 1 + strlen(image_mimes[i]) + sizeof ";base64," - 1 + enc;
    if (n > RUNWAY_DATA_URI_MAX)
        return vg__fail(ctx, VG_EINPUT_ASSET,
                        "runway: the input image is over 5 MB once Base64-encoded (%zu bytes)", n);
    if (!(b64 = vg__base64(ctx, task->input_image, task->input_image_len)) ||
        !(s = vg__alloc(ctx, n + 1))) {
        vg__free(ctx, b64);
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    }
    snprintf(s, n + 1, "data:%s;base64,%s", image_mimes[i], b64);
    vg__free(ctx, b64);
    *uri = *owned = s;
    return VG_OK;
}

/* ---- submit ------------------------------------------------------------------------- */

/* A task id as Runway makes them (a UUID): 1..127 of [A-Za-z0-9_-] (no dots: a path of
 * ".." would be normalised away). */
static int id_ok(const char *id)
{
    size_t n = id ? strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                               "0123456789_-")
                  : 0;
    return n > 0 && n < VG_PROVIDER_JOB_ID_SIZE && id[n] == '\0';
}

/* A create whose answer cannot be read may still have made the (paid) job: the outcome is
 * unknown, and the caller must not submit it again blindly. */
static int outcome_unknown(vg_ctx *ctx, const char *problem)
{
    char why[VG__ERRMSG_SIZE];
    vg__copy(why, sizeof why, problem);
    return vg__fail(ctx, VG_EOUTCOME_UNKNOWN,
                    "%.300s; the task may have been created and was not resubmitted", why);
}

/* The JSON body of a create; NULL when out of memory. */
static char *create_body(const runway_model *m, const vg_provider_task *task, const char *image,
                         const char *ratio, int duration)
{
    cJSON *root = cJSON_CreateObject();
    char *body = NULL;

    if (!root || !cJSON_AddStringToObject(root, "model", m->name) ||
        (image && !cJSON_AddStringToObject(root, "promptImage", image)) ||
        (task->prompt && *task->prompt &&
         !cJSON_AddStringToObject(root, "promptText", task->prompt)) ||
        !cJSON_AddStringToObject(root, "ratio", ratio) ||
        !cJSON_AddNumberToObject(root, "duration", duration) ||
        (task->seed && !cJSON_AddNumberToObject(root, "seed", (double)task->seed)))
        goto done;
    body = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return body;
}

/* The checks of a task against the model; fills the ratio and the duration. */
static int check_task(const runway_model **m, const char **ratio, int *duration, vg_ctx *ctx,
                      const vg_provider_task *task)
{
    int rc;

    if (task->kind != VG_TASK_IMAGE_TO_VIDEO && task->kind != VG_TASK_TEXT_TO_VIDEO)
        return vg__fail(ctx, VG_EUNSUPPORTED, "runway makes no %s", vg_task_kind_name(task->kind));
    if ((rc = pick_model(m, ctx, task)) != VG_OK ||
        (rc = pick_ratio(ratio, ctx, *m, task)) != VG_OK ||
        (rc = pick_duration(duration, ctx, *m, task)) != VG_OK)
        return rc;
    if (task->prompt && utf16_units(task->prompt) > RUNWAY_PROMPT_MAX_UTF16)
        return vg__fail(ctx, VG_EPARAMETER, "runway: the prompt is over %d UTF-16 code units (%zu)",
                        RUNWAY_PROMPT_MAX_UTF16, utf16_units(task->prompt));
    if (task->seed < 0 || task->seed > RUNWAY_SEED_MAX)
        return vg__fail(ctx, VG_EPARAMETER, "runway: the seed must be 0..%lld", RUNWAY_SEED_MAX);
    return VG_OK;
}

/* POST /v1/image_to_video or /v1/text_to_video; the answer is {"id": "<task id>"}. */
static int runway_submit(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                         const vg_provider_task *task)
{
    const runway_model *m = NULL;
    const char *ratio = NULL, *image = NULL, *id;
    char *owned = NULL, *body = NULL;
    vg__provider_call call;
    cJSON *root = NULL;
    int duration = 0, rc;

    if ((rc = check_task(&m, &ratio, &duration, ctx, task)) != VG_OK)
        goto done;
    if (task->kind == VG_TASK_IMAGE_TO_VIDEO &&
        (rc = prompt_image(&image, &owned, ctx, task)) != VG_OK)
        goto done;
    if (task->negative_prompt && *task->negative_prompt)
        vg__log(ctx, VG_LOG_INFO, "runway: %s takes no negative prompt; it is left out", m->name);
    if (!(body = create_body(m, task, image, ratio, duration))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.path = task->kind == VG_TASK_IMAGE_TO_VIDEO ? "/v1/image_to_video" : "/v1/text_to_video";
    call.body = body;
    call.headers = version_headers;
    call.creates_paid_job = 1;
    call.what = "create a task";
    rc = vg__provider_send(&root, ctx, conf, &call);
    if (rc == VG_EPROVIDER_RESPONSE ||
        (rc == VG_EOUTCOME_UNKNOWN && !strstr(vg_error_last(), "not resent"))) {
        rc = outcome_unknown(ctx, vg_error_last());
        goto done;
    }
    if (rc != VG_OK)
        goto done;
    if (!id_ok(id = vg__json_str(root, "id"))) {
        rc = outcome_unknown(ctx, "runway: create a task: the answer has no valid task id");
        goto done;
    }
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__copy(out->model, sizeof out->model, m->name);
    sscanf(ratio, "%d:%d", &out->width, &out->height);
    out->duration_s = duration;
    out->poll_after_ms = RUNWAY_POLL_MS;
done:
    cJSON_free(body);
    vg__free(ctx, owned);
    cJSON_Delete(root);
    return rc;
}

/* ---- poll --------------------------------------------------------------------------- */

/* Runway's task statuses (TaskRetrieveResponse.status) and what they mean here. */
static const struct {
    const char *status;
    vg_task_state state;
} statuses[] = {
    {"PENDING", VG_TASK_PENDING}, {"THROTTLED", VG_TASK_PENDING},
    {"RUNNING", VG_TASK_RUNNING}, {"SUCCEEDED", VG_TASK_SUCCEEDED},
    {"FAILED", VG_TASK_FAILED},   {"CANCELLED", VG_TASK_CANCELLED},
};

/* Reads a task's answer into *job. */
static int read_task(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf,
                     const cJSON *root, const char *what)
{
    const char *status = vg__json_str(root, "status"), *url;
    const cJSON *output;
    double progress;
    size_t i;

    for (i = 0; status && i < COUNT(statuses); i++)
        if (strcmp(statuses[i].status, status) == 0)
            break;
    if (!status || i == COUNT(statuses))
        return vg__fail(ctx, VG_EPROVIDER_RESPONSE, "runway: %s: unknown task status \"%.32s\"",
                        what, status && vg__utf8_valid(status) ? status : "(none)");
    job->state = statuses[i].state;
    job->percent = -1;
    job->poll_after_ms = job->state <= VG_TASK_RUNNING ? RUNWAY_POLL_MS : 0;
    job->result_url[0] = job->thumbnail_url[0] = '\0';
    job->failure[0] = job->failure_code[0] = '\0';
    job->api_cost_micro = -1; /* Runway's task answer carries no cost */
    job->api_cost_unit[0] = '\0';
    vg__copy(job->media_type, sizeof job->media_type, "video");
    switch (job->state) {
    case VG_TASK_RUNNING:
        if (vg__json_num(&progress, root, "progress"))
            job->percent = progress <= 0 ? 0 : progress >= 1 ? 100 : (int)(progress * 100 + 0.5);
        break;
    case VG_TASK_SUCCEEDED:
        output = vg__json_arr(root, "output");
        url = cJSON_IsString(cJSON_GetArrayItem(output, 0))
                  ? cJSON_GetArrayItem(output, 0)->valuestring
                  : NULL;
        if (!url || !*url)
            return vg__provider_bad_answer(ctx, conf, what, "has no output URL");
        if (!vg__copy(job->result_url, sizeof job->result_url, url)) {
            job->result_url[0] = '\0';
            return vg__provider_bad_answer(ctx, conf, what, "has an output URL over 2 KB");
        }
        job->percent = 100;
        break;
    case VG_TASK_FAILED:
        vg__copy(job->failure, sizeof job->failure, vg__json_str(root, "failure"));
        vg__copy(job->failure_code, sizeof job->failure_code, vg__json_str(root, "failureCode"));
        if (!job->failure[0])
            vg__copy(job->failure, sizeof job->failure, "Runway reported the task failed");
        if (conf->key)
            vg__redact(job->failure, conf->key);
        break;
    default:
        break;
    }
    return VG_OK;
}

/* "/v1/tasks/<id>" for a task id that is safe in a path. */
static int task_path(char *path, size_t size, vg_ctx *ctx, const char *id)
{
    if (!id_ok(id))
        return vg__fail(ctx, VG_EINVAL, "runway: \"%.40s\" is not a Runway task id",
                        vg__utf8_valid(id) ? id : "?");
    snprintf(path, size, "/v1/tasks/%s", id);
    return VG_OK;
}

/* GET /v1/tasks/{id}. */
static int runway_poll(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    char path[VG_PROVIDER_JOB_ID_SIZE + 16];
    vg__provider_call call;
    cJSON *root = NULL;
    int rc;

    if ((rc = task_path(path, sizeof path, ctx, job->job_id)) != VG_OK)
        return rc;
    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = path;
    call.headers = version_headers;
    call.not_found_ok = 1;
    call.what = "read the task";
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) == VG_OK)
        rc = read_task(job, ctx, conf, root, call.what);
    cJSON_Delete(root);
    return rc;
}

/* DELETE /v1/tasks/{id}: cancels a pending, throttled or running task (deletes any
 * other); the answer is empty (204). */
static int runway_cancel(vg_ctx *ctx, const vg__provider_conf *conf, const char *job_id)
{
    char path[VG_PROVIDER_JOB_ID_SIZE + 16];
    vg__provider_call call;
    cJSON *root = NULL;
    int rc;

    if ((rc = task_path(path, sizeof path, ctx, job_id)) != VG_OK)
        return rc;
    memset(&call, 0, sizeof call);
    call.method = "DELETE";
    call.path = path;
    call.headers = delete_headers;
    call.not_found_ok = 1;
    call.empty_ok = 1;
    call.what = "cancel the task";
    rc = vg__provider_send(&root, ctx, conf, &call);
    cJSON_Delete(root);
    return rc;
}

/* GET /v1/organization: the key works; the detail gives the credit balance. */
static int runway_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    vg__provider_call call;
    cJSON *root = NULL;
    int64_t credits;
    int rc;

    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = "/v1/organization";
    call.headers = version_headers;
    call.what = "read the organization";
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) == VG_OK) {
        if (vg__json_int(&credits, root, "creditBalance"))
            snprintf(detail, size, "credit balance %lld", (long long)credits);
        else
            snprintf(detail, size, "organization readable (no creditBalance)");
    }
    cJSON_Delete(root);
    return rc;
}

/* No reconcile: the API cannot list tasks, so a create whose outcome is unknown cannot be
 * found again (the pipeline fails the job without charging the user). */
const vg__provider_ops vg__runway_ops = {
    VG_PROVIDER_RUNWAY, RUNWAY_BASE_URL, "RUNWAY_API_KEY", RUNWAY_KEY_HEADER,
    runway_submit,      runway_poll,     runway_cancel,    NULL,
    runway_check,
};
