/* SPDX-License-Identifier: MIT */
/* Leonardo AI over its v1 REST API: images (Phoenix), text- and image-to-video (Motion 2.0,
 * Veo, Kling), the video upscale, polling, cancel (a delete), reconcile and the /me check. */
#include <cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

#define LEO_BASE_URL "https://cloud.leonardo.ai/api/rest/v1"
#define LEO_KEY_HEADER "authorization: Bearer "
/* docs/providers.md §1.1: Phoenix 1.0 from Leonardo's Phoenix guide; 0.9 is UNCONFIRMED. */
#define LEO_PHOENIX_1_0 "de7d3faf-762f-48e0-b3b7-9d0ac3a3fcf3"
#define LEO_PHOENIX_0_9 "6b645e3a-d64f-4341-a6d8-7a3690fbf042"
#define LEO_PHOENIX_CONTRAST 3.5 /* the Phoenix guide: contrast is required (3, 3.5, 4) */
#define LEO_VIDEO_MODEL "MOTION2"      /* up to 720 lines */
#define LEO_VIDEO_MODEL_1080 "VEO3FAST" /* MOTION2 stops at 720: 1080 lines take Veo */
#define LEO_UPSCALE_RESOLUTION "RESOLUTION_720" /* the SDK: "the only option for now" */
#define LEO_IMAGE_SIDE 1024                     /* an image with no size and no resolution */
#define LEO_VIDEO_LINES 720                     /* a video with no resolution */
/* Leonardo gives no progress and no advice: images take seconds, videos minutes. */
#define LEO_POLL_IMAGE_MS 3000
#define LEO_POLL_VIDEO_MS 10000
#define LEO_RECONCILE_LIMIT 10
#define LEO_RECONCILE_PAGES 20

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *const json_headers[] = {"accept: application/json", NULL};

/* The product-photo upload (leonardo_upload.c): POST /init-image, then the presigned form.
 * Writes the init image's id to id_out[size]. Returns VG_OK, VG_EINPUT_ASSET (a type other
 * than PNG, JPEG or WebP), VG_EPROVIDER_RESPONSE, the HTTP layer's codes, VG_ENOMEM. */
int vg__leonardo_upload(char *id_out, size_t size, vg_ctx *ctx, const vg__provider_conf *conf,
                        const unsigned char *data, size_t len, const char *mime);

/* ---- tables ------------------------------------------------------------------------------ */

/* What the SDK says each video model takes (docs/providers.md §1.3). */
typedef struct video_model {
    const char *name;
    int needs_image;  /* 1: image-to-video only (a start frame is required) */
    int lines[3];     /* the resolutions it makes; 0 ends the list */
    int durations[3]; /* the seconds it takes; none: a fixed length, no `duration` field */
    int64_t max_seed; /* 0: no limit known */
} video_model;

static const video_model video_models[] = {
    {"MOTION2", 0, {480, 720, 0}, {0, 0, 0}, 2147483637},
    {"MOTION2FAST", 0, {480, 720, 0}, {0, 0, 0}, 2147483637},
    {"VEO3", 0, {720, 1080, 0}, {4, 6, 8}, 4294967293},
    {"VEO3FAST", 0, {720, 1080, 0}, {4, 6, 8}, 4294967293},
    {"KLING2_1", 1, {1080, 0, 0}, {5, 10, 0}, 0},
    {"KLING2_5", 0, {1080, 0, 0}, {5, 10, 0}, 0},
};

/* Output lines, the API's resolution name, and the 16:9 width sent for text-to-video (the
 * SDK's own default is 832x480). */
static const struct {
    int lines;
    const char *name;
    int width;
} resolutions[] = {
    {480, "RESOLUTION_480", 832},
    {720, "RESOLUTION_720", 1280},
    {1080, "RESOLUTION_1080", 1920},
};

/* The job status values of §1.2 (shared/jobstatus.ts). */
static const struct {
    const char *name;
    vg_task_state state;
} statuses[] = {
    {"PENDING", VG_TASK_PENDING},
    {"COMPLETE", VG_TASK_SUCCEEDED},
    {"FAILED", VG_TASK_FAILED},
};

/* ---- small checks ------------------------------------------------------------------------- */

/* An id from Leonardo fit for a URL path and a job id: printable ASCII without spaces,
 * '/', '?', '#', '%', '\\' or '"'. */
static int id_ok(const char *id)
{
    size_t n = id ? strnlen(id, VG_PROVIDER_JOB_ID_SIZE) : 0;
    const char *p;
    if (n == 0 || n == VG_PROVIDER_JOB_ID_SIZE)
        return 0;
    for (p = id; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("/?#%\\\"", *p))
            return 0;
    return 1;
}

/* A model UUID as Leonardo's model ids are: 8-4-4-4-12 hex digits. */
static int uuid_ok(const char *s)
{
    size_t i;
    if (strlen(s) != 36)
        return 0;
    for (i = 0; i < 36; i++) {
        int dash = i == 8 || i == 13 || i == 18 || i == 23;
        char c = s[i];
        if (dash ? c != '-'
                 : !((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')))
            return 0;
    }
    return 1;
}

/* A video model name: letters, digits, '_', '.', '-' (Leonardo adds models often). */
static int model_name_ok(const char *s)
{
    const char *p;
    if (!*s || strlen(s) > 63)
        return 0;
    for (p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '.' || *p == '-'))
            return 0;
    return 1;
}

static const video_model *video_model_of(const char *name)
{
    size_t i;
    for (i = 0; i < COUNT(video_models); i++)
        if (strcmp(video_models[i].name, name) == 0)
            return &video_models[i];
    return NULL;
}

static int in_list(const int *list, size_t n, int v)
{
    size_t i;
    for (i = 0; i < n && list[i]; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

static int is_video(vg_task_kind kind)
{
    return kind != VG_TASK_TEXT_TO_IMAGE;
}

/* ---- cost --------------------------------------------------------------------------------- */

/* Parses a non-negative decimal ("0.0125", "8") into millionths, rounding half up at the
 * sixth decimal. Returns 1 on success. */
static int parse_amount(int64_t *out, const char *s)
{
    int64_t whole = 0, frac = 0;
    int digits = 0, fdigits = 0, up = 0;

    for (; *s >= '0' && *s <= '9'; s++, digits++) {
        if (digits >= 12)
            return 0;
        whole = whole * 10 + (*s - '0');
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, fdigits++) {
            if (fdigits < 6)
                frac = frac * 10 + (*s - '0');
            else if (fdigits == 6)
                up = *s >= '5';
        }
        if (fdigits == 0)
            return 0;
    }
    if (*s || digits + fdigits == 0)
        return 0;
    while (fdigits++ < 6)
        frac *= 10;
    *out = whole * 1000000 + frac + up;
    return 1;
}

/* Reads the job's cost: cost {amount, unit} (CREDITS or DOLLARS), else the deprecated
 * apiCreditCost (credits). Leaves -1 when the answer says neither. */
static void read_cost(vg_provider_job *job, const cJSON *out)
{
    const cJSON *cost = vg__json_obj(out, "cost");
    const char *amount = vg__json_str(cost, "amount"), *unit = vg__json_str(cost, "unit");
    const char *ours = NULL;
    int64_t micro = 0, credits;
    double d;
    char buf[40];

    if (unit && strcmp(unit, "DOLLARS") == 0)
        ours = "USD";
    else if (unit && strcmp(unit, "CREDITS") == 0)
        ours = "CREDITS";
    if (!amount && vg__json_num(&d, cost, "amount") && d >= 0 && d < 1e12) {
        snprintf(buf, sizeof buf, "%.6f", d); /* tolerate a number where a string is due */
        amount = buf;
    }
    if (ours && amount && parse_amount(&micro, amount)) {
        job->api_cost_micro = micro;
        vg__copy(job->api_cost_unit, sizeof job->api_cost_unit, ours);
    } else if (vg__json_int(&credits, out, "apiCreditCost") && credits >= 0 &&
               credits < INT64_MAX / 1000000) {
        job->api_cost_micro = credits * 1000000;
        vg__copy(job->api_cost_unit, sizeof job->api_cost_unit, "CREDITS");
    }
}

/* ---- request bodies ---------------------------------------------------------------------- */

/* What a body builder tells submit about the job it asks for. */
typedef struct plan {
    char model[64];
    int width, height, duration_s;
} plan;

typedef int (*build_fn)(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                        const vg_provider_task *task);

/* A side Leonardo accepts for images: 32..1536, a multiple of 8. */
static int side_ok(int v)
{
    return v >= 32 && v <= 1536 && v % 8 == 0;
}

/* POST /generations: one image, Phoenix 1.0 unless task->model names another model. */
static int build_image(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                       const vg_provider_task *task)
{
    const char *model = task->model ? task->model : LEO_PHOENIX_1_0;
    int w = task->width, h = task->height, ok;

    if (!uuid_ok(model))
        return vg__fail(ctx, VG_EPARAMETER, "%s: an image model is a UUID, not \"%.40s\"",
                        conf->name, model);
    if ((w == 0) != (h == 0))
        return vg__fail(ctx, VG_EPARAMETER, "%s: give both width and height, or neither",
                        conf->name);
    if (w == 0)
        w = h = task->resolution ? task->resolution : LEO_IMAGE_SIDE;
    if (!side_ok(w) || !side_ok(h))
        return vg__fail(ctx, VG_EPARAMETER,
                        "%s: an image is 32..1536 pixels a side in multiples of 8, not %dx%d",
                        conf->name, w, h);
    if (task->seed < 0)
        return vg__fail(ctx, VG_EPARAMETER, "%s: the seed is negative", conf->name);
    ok = cJSON_AddStringToObject(body, "prompt", task->prompt) != NULL &&
         (!task->negative_prompt ||
          cJSON_AddStringToObject(body, "negative_prompt", task->negative_prompt)) &&
         cJSON_AddStringToObject(body, "modelId", model) &&
         cJSON_AddNumberToObject(body, "width", w) && cJSON_AddNumberToObject(body, "height", h) &&
         cJSON_AddNumberToObject(body, "num_images", 1) && cJSON_AddFalseToObject(body, "public");
    if (ok && (strcmp(model, LEO_PHOENIX_1_0) == 0 || strcmp(model, LEO_PHOENIX_0_9) == 0))
        ok = cJSON_AddNumberToObject(body, "contrast", LEO_PHOENIX_CONTRAST) != NULL;
    if (ok && task->seed)
        ok = cJSON_AddNumberToObject(body, "seed", (double)task->seed) != NULL;
    vg__copy(p->model, sizeof p->model, model);
    p->width = w;
    p->height = h;
    return ok ? VG_OK : vg__fail(ctx, VG_ENOMEM, "out of memory");
}

/* The fields text- and image-to-video share: model, resolution, duration, seed. */
static int video_common(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                        const vg_provider_task *task, int *res_index)
{
    int lines = task->resolution ? task->resolution : LEO_VIDEO_LINES, ok;
    const char *name = task->model ? task->model
                       : lines > 720 ? LEO_VIDEO_MODEL_1080
                                     : LEO_VIDEO_MODEL;
    const video_model *m;
    size_t i;

    if (!model_name_ok(name))
        return vg__fail(ctx, VG_EPARAMETER, "%s: \"%.40s\" is not a video model name", conf->name,
                        name);
    if (task->width || task->height)
        return vg__fail(ctx, VG_EPARAMETER,
                        "%s: width and height are for images; a video's size follows its "
                        "resolution",
                        conf->name);
    for (i = 0; i < COUNT(resolutions) && resolutions[i].lines != lines; i++)
        ;
    if (i == COUNT(resolutions))
        return vg__fail(ctx, VG_EPARAMETER, "%s: a video is 480, 720 or 1080 lines, not %d",
                        conf->name, lines);
    *res_index = (int)i;
    if ((m = video_model_of(name)) != NULL) {
        if (m->needs_image && task->kind != VG_TASK_IMAGE_TO_VIDEO)
            return vg__fail(ctx, VG_EPARAMETER, "%s: %s needs a start image", conf->name, name);
        if (!in_list(m->lines, COUNT(m->lines), lines))
            return vg__fail(ctx, VG_EPARAMETER, "%s: %s does not make %d lines", conf->name, name,
                            lines);
        if (task->duration_s && !in_list(m->durations, COUNT(m->durations), task->duration_s))
            return vg__fail(ctx, VG_EPARAMETER, "%s: %s does not take a duration of %d s",
                            conf->name, name, task->duration_s);
        if (m->max_seed && task->seed > m->max_seed)
            return vg__fail(ctx, VG_EPARAMETER, "%s: %s takes seeds up to %lld", conf->name, name,
                            (long long)m->max_seed);
    } else {
        vg__log(ctx, VG_LOG_DEBUG, "%s: video model %s is not in libvidgo's table; sent as given",
                conf->name, name);
    }
    if (task->seed < 0)
        return vg__fail(ctx, VG_EPARAMETER, "%s: the seed is negative", conf->name);
    ok = cJSON_AddStringToObject(body, "prompt", task->prompt) != NULL &&
         (!task->negative_prompt ||
          cJSON_AddStringToObject(body, "negativePrompt", task->negative_prompt)) &&
         cJSON_AddStringToObject(body, "model", name) &&
         cJSON_AddStringToObject(body, "resolution", resolutions[i].name) &&
         cJSON_AddFalseToObject(body, "isPublic");
    if (ok && task->duration_s)
        ok = cJSON_AddNumberToObject(body, "duration", task->duration_s) != NULL;
    if (ok && task->seed)
        ok = cJSON_AddNumberToObject(body, "seed", (double)task->seed) != NULL;
    vg__copy(p->model, sizeof p->model, name);
    p->height = lines;
    p->duration_s = task->duration_s;
    return ok ? VG_OK : vg__fail(ctx, VG_ENOMEM, "out of memory");
}

/* POST /generations-text-to-video: a 16:9 frame of the resolution's lines. */
static int build_text_video(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                            const vg_provider_task *task)
{
    int rc, r;
    if ((rc = video_common(body, p, ctx, conf, task, &r)) != VG_OK)
        return rc;
    p->width = resolutions[r].width;
    if (!cJSON_AddNumberToObject(body, "width", resolutions[r].width) ||
        !cJSON_AddNumberToObject(body, "height", resolutions[r].lines))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    return VG_OK;
}

/* POST /generations-image-to-video: the product photo uploaded first (UPLOADED), or an image
 * Leonardo generated named by input_job_id (GENERATED). A URL alone cannot be used. */
static int build_image_video(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                             const vg_provider_task *task)
{
    char image_id[VG_PROVIDER_JOB_ID_SIZE];
    const char *type;
    int rc, r;

    if (!task->input_image && !task->input_job_id)
        return vg__fail(ctx, VG_EINPUT_ASSET,
                        "%s: image-to-video needs the photo's bytes (uploaded to Leonardo) or "
                        "the id of an image Leonardo generated; a URL alone is not accepted",
                        conf->name);
    if (!task->input_image && !id_ok(task->input_job_id))
        return vg__fail(ctx, VG_EINPUT_ASSET, "%s: the input image id is not a Leonardo id",
                        conf->name);
    /* check everything before the upload: a refused task leaves nothing behind */
    if ((rc = video_common(body, p, ctx, conf, task, &r)) != VG_OK)
        return rc;
    if (task->input_image) {
        rc = vg__leonardo_upload(image_id, sizeof image_id, ctx, conf, task->input_image,
                                 task->input_image_len, task->input_image_mime);
        if (rc != VG_OK)
            return rc;
        type = "UPLOADED";
    } else {
        vg__copy(image_id, sizeof image_id, task->input_job_id);
        type = "GENERATED";
    }
    if (!cJSON_AddStringToObject(body, "imageId", image_id) ||
        !cJSON_AddStringToObject(body, "imageType", type))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    return VG_OK;
}

/* POST /generations-video-upscale: the video generation input_job_id, at the only resolution
 * the API offers (RESOLUTION_720, SDK createvideoupscale.ts). */
static int build_upscale(cJSON *body, plan *p, vg_ctx *ctx, const vg__provider_conf *conf,
                         const vg_provider_task *task)
{
    if (!task->input_job_id || !id_ok(task->input_job_id))
        return vg__fail(ctx, VG_EINPUT_ASSET,
                        "%s: a video upscale needs the id of a Leonardo video generation",
                        conf->name);
    if (task->resolution && task->resolution != 720)
        return vg__fail(ctx, VG_EPARAMETER, "%s: the video upscale makes 720 lines only, not %d",
                        conf->name, task->resolution);
    if (task->duration_s || task->seed || task->width || task->height || task->model)
        return vg__fail(ctx, VG_EPARAMETER,
                        "%s: the video upscale takes no model, size, duration or seed", conf->name);
    p->height = 720;
    if (!cJSON_AddStringToObject(body, "sourceGenerationId", task->input_job_id) ||
        !cJSON_AddStringToObject(body, "resolution", LEO_UPSCALE_RESOLUTION))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    return VG_OK;
}

/* How each kind is created: endpoint, builder, the answer's job object and its id field. */
static const struct route {
    vg_task_kind kind;
    const char *path;
    build_fn build;
    const char *answer;
    const char *id_field;
    const char *what;
} routes[] = {
    {VG_TASK_TEXT_TO_IMAGE, "/generations", build_image, "sdGenerationJob", "generationId",
     "create an image generation"},
    {VG_TASK_TEXT_TO_VIDEO, "/generations-text-to-video", build_text_video,
     "motionVideoGenerationJob", "generationId", "create a text-to-video generation"},
    {VG_TASK_IMAGE_TO_VIDEO, "/generations-image-to-video", build_image_video,
     "motionVideoGenerationJob", "generationId", "create an image-to-video generation"},
    {VG_TASK_VIDEO_UPSCALE, "/generations-video-upscale", build_upscale, "motionVideoGenerationJob",
     "variationId", "create a video upscale"},
};

/* ---- submit ------------------------------------------------------------------------------- */

/* A create that was sent and may have been acted upon (an unusable answer: not JSON, cut,
 * too large, no job id; or the HTTP layer's VG_EOUTCOME_UNKNOWN): VG_EOUTCOME_UNKNOWN with
 * what the caller must do, so that it reconciles instead of paying for a second job. */
static int outcome_unknown(vg_ctx *ctx, const vg__provider_conf *conf, const char *what, int rc)
{
    char seen[320];
    if (rc != VG_OK)
        vg__copy(seen, sizeof seen, vg_error_last());
    else
        snprintf(seen, sizeof seen, "%s: %s: the answer names no job", conf->name, what);
    return vg__fail(ctx, VG_EOUTCOME_UNKNOWN,
                    "%s; the job may exist, so the request was not resent (reconcile it)", seen);
}

static int leo_submit(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                      const vg_provider_task *task)
{
    const struct route *route = NULL;
    vg__provider_call call;
    cJSON *body = NULL, *root = NULL;
    const cJSON *jobj;
    const char *id;
    char *text = NULL;
    plan p;
    size_t i;
    int rc;

    for (i = 0; i < COUNT(routes); i++)
        if (routes[i].kind == task->kind)
            route = &routes[i];
    if (!route)
        return vg__fail(ctx, VG_EUNSUPPORTED, "%s does not make %s", conf->name,
                        vg_task_kind_name(task->kind));
    memset(&p, 0, sizeof p);
    if (!(body = cJSON_CreateObject())) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = route->build(body, &p, ctx, conf, task)) != VG_OK)
        goto done;
    if (!(text = cJSON_PrintUnformatted(body))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.path = route->path;
    call.body = text;
    call.headers = json_headers;
    call.creates_paid_job = 1;
    call.what = route->what;
    rc = vg__provider_send(&root, ctx, conf, &call);
    jobj = vg__json_obj(root, route->answer);
    id = vg__json_str(jobj, route->id_field);
    if (rc == VG_EPROVIDER_RESPONSE || (rc == VG_OK && (!id || !id_ok(id)))) {
        /* accepted, but no job id came back: the job may exist and be paid for */
        rc = outcome_unknown(ctx, conf, route->what, rc);
        goto done;
    }
    if (rc == VG_EOUTCOME_UNKNOWN && !strstr(vg_error_last(), "not resent"))
        rc = outcome_unknown(ctx, conf, route->what, rc); /* say what it means */
    if (rc != VG_OK)
        goto done;
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__copy(out->model, sizeof out->model, p.model);
    out->width = p.width;
    out->height = p.height;
    out->duration_s = p.duration_s;
    out->poll_after_ms = is_video(task->kind) ? LEO_POLL_VIDEO_MS : LEO_POLL_IMAGE_MS;
    read_cost(out, jobj);
done:
    cJSON_free(text);
    cJSON_Delete(body);
    cJSON_Delete(root);
    return rc;
}

/* GET path into *root (VG_ENOTFOUND for a 404 when not_found_ok). */
static int api_get(cJSON **root, vg_ctx *ctx, const vg__provider_conf *conf, const char *path,
                   const char *what, int not_found_ok)
{
    vg__provider_call call;
    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = path;
    call.headers = json_headers;
    call.not_found_ok = not_found_ok;
    call.what = what;
    return vg__provider_send(root, ctx, conf, &call);
}

/* ---- poll ---------------------------------------------------------------------------------- */

/* The state of an object's "status"; VG_EPROVIDER_RESPONSE for a status not in the table. */
static int read_status(vg_task_state *out, vg_ctx *ctx, const vg__provider_conf *conf,
                       const char *what, const cJSON *object)
{
    const char *status = vg__json_str(object, "status");
    char problem[96];
    size_t i;

    for (i = 0; status && i < COUNT(statuses); i++)
        if (strcmp(statuses[i].name, status) == 0) {
            *out = statuses[i].state;
            return VG_OK;
        }
    snprintf(problem, sizeof problem, "has the unknown status \"%.40s\"",
             status ? status : "(none)");
    return vg__provider_bad_answer(ctx, conf, what, problem);
}

/* Sets the state and what goes with it (percent, poll advice, the failure). */
static void set_state(vg_provider_job *j, vg_task_state state)
{
    j->state = state;
    j->percent = state == VG_TASK_SUCCEEDED ? 100 : -1;
    j->poll_after_ms = state != VG_TASK_PENDING ? 0
                       : is_video(j->kind)      ? LEO_POLL_VIDEO_MS
                                                : LEO_POLL_IMAGE_MS;
    j->result_url[0] = j->thumbnail_url[0] = j->failure_code[0] = j->failure[0] = '\0';
    if (state == VG_TASK_FAILED) {
        vg__copy(j->failure_code, sizeof j->failure_code, "FAILED");
        vg__copy(j->failure, sizeof j->failure,
                 "Leonardo reported the generation as FAILED (it gives no reason)");
    }
}

/* Reads a generation object (generations_by_pk, or one of a user's generations) into *job;
 * *job is left alone unless it succeeds. */
static int read_generation(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf,
                           const cJSON *gen, const char *what)
{
    vg_provider_job j = *job;
    const char *model = vg__json_str(gen, "modelId"), *url, *mp4;
    const cJSON *images = vg__json_arr(gen, "generated_images"), *first;
    vg_task_state state = VG_TASK_PENDING;
    int64_t w, h;
    int rc;

    if ((rc = read_status(&state, ctx, conf, what, gen)) != VG_OK)
        return rc;
    set_state(&j, state);
    if (model && *model)
        vg__copy(j.model, sizeof j.model, model);
    if (vg__json_int(&w, gen, "imageWidth") && vg__json_int(&h, gen, "imageHeight") && w > 0 &&
        h > 0 && w < 100000 && h < 100000) {
        j.width = (int)w;
        j.height = (int)h;
    }
    if (state == VG_TASK_SUCCEEDED) {
        first = images ? cJSON_GetArrayItem(images, 0) : NULL;
        url = vg__json_str(first, "url");
        mp4 = vg__json_str(first, "motionMP4URL");
        if (is_video(j.kind) ? !mp4 || !*mp4 : !url || !*url)
            return vg__provider_bad_answer(ctx, conf, what, "is COMPLETE without a result URL");
        if (!vg__copy(j.result_url, sizeof j.result_url, is_video(j.kind) ? mp4 : url) ||
            (is_video(j.kind) && url && !vg__copy(j.thumbnail_url, sizeof j.thumbnail_url, url)))
            return vg__provider_bad_answer(ctx, conf, what, "has a URL over 2 KiB");
    }
    *job = j;
    return VG_OK;
}

/* A video upscale: GET /motion-variations/{id} (the variation the upscale made). */
static int poll_variation(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    static const char what[] = "read a video upscale";
    vg_provider_job j = *job;
    cJSON *root = NULL;
    const cJSON *list, *item, *found = NULL;
    const char *url, *res;
    vg_task_state state = VG_TASK_PENDING;
    char path[64 + VG_PROVIDER_JOB_ID_SIZE];
    size_t i;
    int rc;

    snprintf(path, sizeof path, "/motion-variations/%s", job->job_id);
    if ((rc = api_get(&root, ctx, conf, path, what, 1)) != VG_OK)
        goto done;
    list = vg__json_arr(root, "generated_image_variation_motion");
    cJSON_ArrayForEach(item, list)
    {
        const char *id = vg__json_str(item, "id");
        if (id && strcmp(id, job->job_id) == 0)
            found = item;
    }
    if (!found && list && cJSON_GetArraySize(list) == 1)
        found = cJSON_GetArrayItem(list, 0);
    if (!found) {
        rc = vg__fail(ctx, VG_ENOTFOUND, "%s: no video upscale has the id %s", conf->name,
                      job->job_id);
        goto done;
    }
    if ((rc = read_status(&state, ctx, conf, what, found)) != VG_OK)
        goto done;
    set_state(&j, state);
    res = vg__json_str(found, "resolution");
    for (i = 0; res && i < COUNT(resolutions); i++)
        if (strcmp(resolutions[i].name, res) == 0)
            j.height = resolutions[i].lines;
    url = vg__json_str(found, "url");
    if (state == VG_TASK_SUCCEEDED && (!url || !*url)) {
        rc = vg__provider_bad_answer(ctx, conf, what, "is COMPLETE without a result URL");
        goto done;
    }
    if (state == VG_TASK_SUCCEEDED && !vg__copy(j.result_url, sizeof j.result_url, url)) {
        rc = vg__provider_bad_answer(ctx, conf, what, "has a URL over 2 KiB");
        goto done;
    }
    *job = j;
done:
    cJSON_Delete(root);
    return rc;
}

/* GET /generations/{id} into *root; VG_ENOTFOUND for a 404 or a null generations_by_pk. */
static int get_generation(cJSON **root, const cJSON **gen, vg_ctx *ctx,
                          const vg__provider_conf *conf, const char *id, const char *what)
{
    char path[64 + VG_PROVIDER_JOB_ID_SIZE];
    int rc;

    *gen = NULL;
    snprintf(path, sizeof path, "/generations/%s", id);
    if ((rc = api_get(root, ctx, conf, path, what, 1)) != VG_OK)
        return rc;
    if (!cJSON_IsObject(*root) || !cJSON_HasObjectItem(*root, "generations_by_pk"))
        return vg__provider_bad_answer(ctx, conf, what, "has no generations_by_pk");
    if (!(*gen = vg__json_obj(*root, "generations_by_pk")))
        return vg__fail(ctx, VG_ENOTFOUND, "%s: no generation has the id %s", conf->name, id);
    return VG_OK;
}

static int leo_poll(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    const cJSON *gen;
    cJSON *root = NULL;
    int rc;

    if (job->kind == VG_TASK_VIDEO_UPSCALE)
        return poll_variation(job, ctx, conf);
    if ((rc = get_generation(&root, &gen, ctx, conf, job->job_id, "read a generation")) == VG_OK)
        rc = read_generation(job, ctx, conf, gen, "read a generation");
    cJSON_Delete(root);
    return rc;
}

/* ---- cancel -------------------------------------------------------------------------------- */

/* The v1 API cannot cancel; it can delete a generation (DELETE /generations/{id}). A PENDING
 * generation is deleted, which stops it; a finished one is left alone (deleting it would
 * destroy the result); one that is gone already counts as cancelled. */
static int leo_cancel(vg_ctx *ctx, const vg__provider_conf *conf, const char *job_id)
{
    vg__provider_call call;
    const cJSON *gen;
    cJSON *root = NULL;
    char path[64 + VG_PROVIDER_JOB_ID_SIZE];
    vg_task_state state = VG_TASK_PENDING;
    int rc;

    rc = get_generation(&root, &gen, ctx, conf, job_id, "read a generation to cancel");
    if (rc == VG_ENOTFOUND) {
        vg__log(ctx, VG_LOG_INFO, "%s: generation %s is gone: nothing to cancel", conf->name,
                job_id);
        rc = VG_OK;
        goto done;
    }
    if (rc != VG_OK)
        goto done;
    if ((rc = read_status(&state, ctx, conf, "read a generation to cancel", gen)) != VG_OK)
        goto done;
    if (state != VG_TASK_PENDING) {
        vg__log(ctx, VG_LOG_INFO, "%s: generation %s is %s: left as it is", conf->name, job_id,
                vg_task_state_name(state));
        goto done;
    }
    snprintf(path, sizeof path, "/generations/%s", job_id);
    memset(&call, 0, sizeof call);
    call.method = "DELETE";
    call.path = path;
    call.headers = json_headers;
    call.not_found_ok = 1;
    call.empty_ok = 1;
    call.what = "delete a pending generation";
    cJSON_Delete(root);
    root = NULL;
    rc = vg__provider_send(&root, ctx, conf, &call);
    if (rc == VG_ENOTFOUND)
        rc = VG_OK;
done:
    cJSON_Delete(root);
    return rc;
}

/* ---- /me: reconcile and check --------------------------------------------------------------- */

/* GET /me: the first user_details entry, in *root. */
static int get_me(cJSON **root, const cJSON **details, vg_ctx *ctx, const vg__provider_conf *conf)
{
    const cJSON *list;
    int rc;

    if ((rc = api_get(root, ctx, conf, "/me", "read the account", 0)) != VG_OK)
        return rc;
    list = vg__json_arr(*root, "user_details");
    *details = list ? cJSON_GetArrayItem(list, 0) : NULL;
    if (!cJSON_IsObject(*details) || !vg__json_obj(*details, "user"))
        return vg__provider_bad_answer(ctx, conf, "read the account",
                                       "has no user_details[0].user");
    return VG_OK;
}

/* A Leonardo timestamp as vg_time. Hasura writes "2024-06-13T06:01:07.186" (UTC, no zone),
 * "...+00:00" or "...+00"; all are read as RFC 3339 after the zone is completed. */
static int read_time(vg_time *out, const char *s)
{
    char buf[64];
    size_t n = s ? strlen(s) : 0;
    const char *t;

    if (n < 19 || n > 40)
        return 0;
    memcpy(buf, s, n + 1);
    t = buf + 19;
    t += strspn(t, ".0123456789");
    if (!*t)
        memcpy(buf + n, "Z", 2);
    else if ((*t == '+' || *t == '-') && strlen(t) == 3)
        memcpy(buf + n, ":00", 4);
    return vg_time_parse(out, buf) == VG_OK;
}

/* After VG_EOUTCOME_UNKNOWN: the earliest of the user's latest generations with the task's
 * prompt, created at or after `since`, then polled for its state. */
static int leo_reconcile(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                         const vg_provider_task *task, vg_time since)
{
    cJSON *me = NULL, *root = NULL;
    const cJSON *details, *gen, *best = NULL;
    const char *user_id, *id;
    char path[128 + VG_PROVIDER_JOB_ID_SIZE];
    vg_time t, best_t = 0;
    int rc, page, reached;

    if (task->kind == VG_TASK_VIDEO_UPSCALE)
        return vg__fail(ctx, VG_EUNSUPPORTED,
                        "%s: a video upscale cannot be found again (it has no prompt): fail it "
                        "without charging",
                        conf->name);
    if ((rc = get_me(&me, &details, ctx, conf)) != VG_OK)
        goto done;
    user_id = vg__json_str(vg__json_obj(details, "user"), "id");
    if (!user_id || !id_ok(user_id)) {
        rc = vg__provider_bad_answer(ctx, conf, "read the account", "has no usable user id");
        goto done;
    }
    /* newest first, page by page, until a page reaches past `since` (then a job that is
     * not listed was certainly not made) or the pages run out (then nobody can tell) */
    for (page = 0, reached = 0; page < LEO_RECONCILE_PAGES && !reached && !best; page++) {
        cJSON_Delete(root);
        root = NULL;
        snprintf(path, sizeof path, "/generations/user/%s?offset=%d&limit=%d", user_id,
                 page * LEO_RECONCILE_LIMIT, LEO_RECONCILE_LIMIT);
        if ((rc = api_get(&root, ctx, conf, path, "list the user's generations", 0)) != VG_OK)
            goto done;
        if (!vg__json_arr(root, "generations")) {
            rc = vg__provider_bad_answer(ctx, conf, "list the user's generations",
                                         "has no generations array");
            goto done;
        }
        if (cJSON_GetArraySize(vg__json_arr(root, "generations")) < LEO_RECONCILE_LIMIT)
            reached = 1;
        cJSON_ArrayForEach(gen, vg__json_arr(root, "generations"))
        {
            const char *prompt = vg__json_str(gen, "prompt");
            if (!read_time(&t, vg__json_str(gen, "createdAt")))
                continue;
            if (t < since) {
                reached = 1;
                continue;
            }
            if (!prompt || strcmp(prompt, task->prompt) != 0)
                continue;
            if (!best || t < best_t) {
                best = gen;
                best_t = t;
            }
        }
        if (best)
            break;
    }
    id = vg__json_str(best, "id");
    if (!best || !id || !id_ok(id)) {
        rc = vg__fail(ctx, reached ? VG_ENOTFOUND : VG_EUNSUPPORTED,
                      reached ? "%s: no generation has this prompt since then"
                              : "%s: too many generations since then to tell",
                      conf->name);
        goto done;
    }
    /* the listing found it; its own answer says how it stands */
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__log(ctx, VG_LOG_INFO, "%s: reconciled: generation %s was created", conf->name, id);
    rc = leo_poll(out, ctx, conf);
done:
    cJSON_Delete(me);
    cJSON_Delete(root);
    return rc;
}

static int leo_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    const cJSON *details;
    cJSON *me = NULL;
    const char *name;
    int64_t paid = 0, sub = 0;
    int rc;

    if ((rc = get_me(&me, &details, ctx, conf)) == VG_OK) {
        name = vg__json_str(vg__json_obj(details, "user"), "username");
        vg__json_int(&paid, details, "apiPaidTokens");
        vg__json_int(&sub, details, "apiSubscriptionTokens");
        snprintf(detail, size, "user %.64s, API credits %lld", name ? name : "?",
                 (long long)(paid + sub));
        if (conf->key)
            vg__redact(detail, conf->key);
    }
    cJSON_Delete(me);
    return rc;
}

const vg__provider_ops vg__leonardo_ops = {
    .id = VG_PROVIDER_LEONARDO,
    .default_base_url = LEO_BASE_URL,
    .key_env = "LEONARDO_API_KEY",
    .key_header = LEO_KEY_HEADER,
    .submit = leo_submit,
    .poll = leo_poll,
    .cancel = leo_cancel,
    .reconcile = leo_reconcile,
    .check = leo_check,
};
