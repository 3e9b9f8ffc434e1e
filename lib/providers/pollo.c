/* SPDX-License-Identifier: MIT */
/* Pollo AI (VidGo Advanced Models): a video generation per {brand}/{model}, its task status,
 * the credit balance as the check, and the verification of Pollo's signed webhooks. */
#include <cJSON.h>
#include <math.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

/* docs/providers.md §5. Pollo gives no poll interval; its outputs are kept 14 days. */
#define POLLO_POLL_MS 5000
#define POLLO_DEFAULT_DURATION 5
#define POLLO_MODEL_MAX 63          /* fits vg_provider_job.model */
#define POLLO_WEBHOOK_TOLERANCE 300 /* seconds, when the caller passes 0 */
#define POLLO_MAX_SIGNATURES 16     /* entries read from one signature header */
#define POLLO_SIGNATURE_MAX 4096    /* bytes of one signature header */

/* What the create body holds for a model, beyond prompt, image and duration. Models not
 * listed get negativePrompt when one is set and nothing else. */
typedef struct pollo_model {
    const char *name;    /* "{brand}/{model}" */
    int negative_prompt; /* 1: input.negativePrompt exists for this model */
    const char *mode;    /* input.mode to send, or NULL */
} pollo_model;

static const pollo_model models[] = {
    /* docs.pollo.ai/kling-ai/kling-v1-5: negativePrompt, mode "std" (and imageTail,
     * strength, which VidGo does not use) */
    {"kling-ai/kling-v1-5", 1, "std"},
    /* docs.pollo.ai/kling-ai/kling-v2-6: image, prompt, duration, generateAudio only */
    {"kling-ai/kling-v2-6", 0, NULL},
};

/* The status words of a task and of its generations (docs.pollo.ai/task/get-task-status). */
static const struct {
    const char *word;
    vg_task_state state;
} statuses[] = {
    {"waiting", VG_TASK_PENDING},
    {"processing", VG_TASK_RUNNING},
    {"succeed", VG_TASK_SUCCEEDED},
    {"failed", VG_TASK_FAILED},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- requests ----------------------------------------------------------------------------- */

/* The capability table's default model for one kind of Pollo task. */
typedef struct default_model {
    vg_task_kind kind;
    const char *model; /* NULL until found */
} default_model;

static int find_default_model(const vg_provider_capability *row, void *payload)
{
    default_model *d = payload;
    if (strcmp(row->provider, "pollo") != 0 || row->kind != d->kind)
        return 0;
    d->model = row->model;
    return 1;
}

/* 1 when s is "{brand}/{model}", both of [a-z0-9.-]+. */
static int model_ok(const char *s)
{
    size_t n = strlen(s), slash = 0, i;
    if (n == 0 || n > POLLO_MODEL_MAX)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s[i];
        if (c == '/') {
            if (slash || i == 0 || i == n - 1)
                return 0;
            slash = i;
        } else if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')) {
            return 0;
        }
    }
    return slash != 0;
}

/* 1 when s is an https:// URL without spaces or control characters that fits a job. */
static int https_url_ok(const char *s)
{
    const unsigned char *p;
    if (strncmp(s, "https://", 8) != 0 || s[8] == '\0' || strlen(s) >= VG_URL_SIZE)
        return 0;
    for (p = (const unsigned char *)s; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* Checks the task for Pollo and picks its model (*model, *row). */
static int check_task(vg_ctx *ctx, const vg_provider_task *task, const char **model,
                      const pollo_model **row)
{
    default_model d = {task->kind, NULL};
    size_t i;

    vg_provider_capabilities(find_default_model, &d);
    *model = task->model ? task->model : d.model ? d.model : "";
    if (!model_ok(*model))
        return vg__fail(ctx, VG_EPARAMETER,
                        "pollo: the model must be \"{brand}/{model}\" of [a-z0-9.-]");
    *row = NULL;
    for (i = 0; i < COUNT(models); i++)
        if (strcmp(models[i].name, *model) == 0)
            *row = &models[i];
    if (task->duration_s != 0 && task->duration_s != 5 && task->duration_s != 10)
        return vg__fail(ctx, VG_EPARAMETER, "pollo: the duration must be 5 or 10 s, not %d",
                        task->duration_s);
    if (task->negative_prompt && strlen(task->negative_prompt) > VG_PROMPT_MAX_BYTES)
        return vg__fail(ctx, VG_EPROMPT_TOO_LONG, "the negative prompt is over %d bytes",
                        VG_PROMPT_MAX_BYTES);
    if (task->webhook_url && !https_url_ok(task->webhook_url))
        return vg__fail(ctx, VG_EPARAMETER, "pollo: the webhook URL must be an https:// URL");
    if (task->kind != VG_TASK_IMAGE_TO_VIDEO)
        return VG_OK;
    if (!task->input_url)
        return vg__fail(ctx, VG_EINPUT_ASSET,
                        "pollo: image-to-video needs the image's https:// URL (Pollo's API "
                        "takes no image bytes: upload the image first)");
    if (!https_url_ok(task->input_url))
        return vg__fail(ctx, VG_EINPUT_ASSET, "pollo: the input image must be an https:// URL");
    return VG_OK;
}

/* The create body: {"input": {...}, "webhookUrl": ...}; NULL when out of memory. */
static char *create_body(vg_ctx *ctx, const vg_provider_task *task, const pollo_model *row)
{
    cJSON *root = cJSON_CreateObject(), *input;
    int duration = task->duration_s ? task->duration_s : POLLO_DEFAULT_DURATION;
    int negative = task->negative_prompt && *task->negative_prompt;
    char *body = NULL;

    if (!root || !(input = cJSON_AddObjectToObject(root, "input")) ||
        !cJSON_AddStringToObject(input, "prompt", task->prompt))
        goto done;
    if (task->kind == VG_TASK_IMAGE_TO_VIDEO &&
        !cJSON_AddStringToObject(input, "image", task->input_url))
        goto done;
    if (negative && row && !row->negative_prompt) {
        vg__log(ctx, VG_LOG_DEBUG, "pollo: %s takes no negative prompt: not sent", row->name);
        negative = 0;
    }
    if (negative && !cJSON_AddStringToObject(input, "negativePrompt", task->negative_prompt))
        goto done;
    if (!cJSON_AddNumberToObject(input, "duration", duration))
        goto done;
    if (row && row->mode && !cJSON_AddStringToObject(input, "mode", row->mode))
        goto done;
    if (task->webhook_url && !cJSON_AddStringToObject(root, "webhookUrl", task->webhook_url))
        goto done;
    body = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return body;
}

/* ---- answers ------------------------------------------------------------------------------ */

/* 1 when s can be a task id in a URL path (as the registry accepts job ids). */
static int task_id_ok(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    const char *p;
    if (n == 0 || n >= VG_PROVIDER_JOB_ID_SIZE)
        return 0;
    for (p = s; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("/?#%\\", *p))
            return 0;
    return 1;
}

/* The task in an answer: the object itself, or its "data" when the task is wrapped in it
 * (UNCONFIRMED: docs/providers.md §5 does not show the create answer). */
static const cJSON *unwrap(const cJSON *root)
{
    const cJSON *data = vg__json_obj(root, "data");
    if (data && !cJSON_GetObjectItemCaseSensitive(root, "taskId") &&
        !cJSON_GetObjectItemCaseSensitive(root, "generations"))
        return data;
    return root;
}

/* The state of a status word; -1 when unknown. */
static int state_of(const char *word)
{
    size_t i;
    for (i = 0; word && i < COUNT(statuses); i++)
        if (strcmp(statuses[i].word, word) == 0)
            return (int)statuses[i].state;
    return -1;
}

/* Writes what is wrong with an answer to problem[size]; returns 0. */
static int put_problem(char *problem, size_t size, const char *fmt, ...) VG__PRINTF(3, 4);

static int put_problem(char *problem, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(problem, size, fmt, ap);
    va_end(ap);
    return 0;
}

/*
 * Reads a task (a status answer, a create answer or a webhook payload) into *job: the
 * status of its first generation (else its own "status"), the result URL and media type
 * when it succeeded, failMsg when it failed, the credits it cost. need_status, need_url:
 * fail without them. Returns 1, or 0 with what is wrong in problem[size] (for a message).
 */
static int read_task(vg_provider_job *job, const cJSON *task, int need_status, int need_url,
                     char *problem, size_t size)
{
    const cJSON *gens = vg__json_arr(task, "generations");
    const cJSON *gen = gens ? cJSON_GetArrayItem(gens, 0) : NULL;
    const char *status = NULL, *url, *media, *fail;
    double credit;
    int state;

    if (gen && !cJSON_IsObject(gen))
        return put_problem(problem, size, "has a generation that is not an object");
    if (!(status = vg__json_str(gen, "status")))
        status = vg__json_str(task, "status");
    if (!status)
        return need_status ? put_problem(problem, size, "has no status") : 1;
    if ((state = state_of(status)) < 0)
        return put_problem(problem, size, "has an unknown status \"%.32s\"", status);
    job->state = (vg_task_state)state;
    job->percent = state == VG_TASK_SUCCEEDED ? 100 : -1;
    job->poll_after_ms = state == VG_TASK_PENDING || state == VG_TASK_RUNNING ? POLLO_POLL_MS : 0;
    if (vg__json_num(&credit, task, "credit") && credit >= 0 && credit < 9e12) {
        job->api_cost_micro = (int64_t)llround(credit * 1e6);
        vg__copy(job->api_cost_unit, sizeof job->api_cost_unit, "CREDITS");
    }
    if (state == VG_TASK_SUCCEEDED) {
        url = vg__json_str(gen, "url");
        if (!url || !*url || strlen(url) >= sizeof job->result_url)
            return need_url ? put_problem(problem, size, "has no url for a finished task") : 1;
        vg__copy(job->result_url, sizeof job->result_url, url);
        if ((media = vg__json_str(gen, "mediaType")) && *media)
            vg__copy(job->media_type, sizeof job->media_type, media);
    } else if (state == VG_TASK_FAILED) {
        if (!(fail = vg__json_str(gen, "failMsg")))
            fail = vg__json_str(task, "failMsg");
        vg__copy(job->failure, sizeof job->failure, fail && *fail ? fail : "failed");
    }
    return 1;
}

/* ---- submit, poll, check ------------------------------------------------------------------ */

/* A create whose answer cannot be read may still have made a paid job: never resubmit. */
static int outcome_unknown(vg_ctx *ctx)
{
    char text[VG__ERRMSG_SIZE];
    vg__copy(text, sizeof text, vg_ctx_errmsg(ctx));
    return vg__fail(ctx, VG_EOUTCOME_UNKNOWN,
                    "%.400s; the job may have been created: do not submit it again", text);
}

static int pollo_submit(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                        const vg_provider_task *task)
{
    static const char what[] = "create a generation";
    const pollo_model *row = NULL;
    const char *model, *id;
    const cJSON *t;
    cJSON *root = NULL;
    vg__provider_call call;
    char *body = NULL, path[128], problem[96];
    int rc;

    if ((rc = check_task(ctx, task, &model, &row)) != VG_OK)
        return rc;
    if (!(body = create_body(ctx, task, row)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "/v1/generation/%s/video", model);
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.path = path;
    call.body = body;
    call.creates_paid_job = 1;
    call.what = what;
    rc = vg__provider_send(&root, ctx, conf, &call);
    if (rc == VG_EPROVIDER_RESPONSE) {
        rc = outcome_unknown(ctx);
        goto done;
    }
    if (rc != VG_OK)
        goto done;
    t = unwrap(root);
    if (!task_id_ok(id = vg__json_str(t, "taskId"))) {
        vg__provider_bad_answer(ctx, conf, what, "has no usable taskId");
        rc = outcome_unknown(ctx);
        goto done;
    }
    vg__job_start(out, conf, task->kind);
    vg__copy(out->job_id, sizeof out->job_id, id);
    vg__copy(out->model, sizeof out->model, model);
    out->duration_s = task->duration_s ? task->duration_s : POLLO_DEFAULT_DURATION;
    out->poll_after_ms = POLLO_POLL_MS;
    /* The job exists: a status this client does not know leaves it PENDING. */
    if (!read_task(out, t, 0, 0, problem, sizeof problem)) {
        vg__log(ctx, VG_LOG_WARN, "pollo: %s: the answer %s; polling will tell", what, problem);
        out->state = VG_TASK_PENDING;
        out->poll_after_ms = POLLO_POLL_MS;
    }
done:
    cJSON_Delete(root);
    vg__free(ctx, body);
    return rc;
}

static int pollo_poll(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf)
{
    static const char what[] = "get the task status";
    const char *id;
    vg_provider_job next;
    const cJSON *t;
    cJSON *root = NULL;
    vg__provider_call call;
    char path[VG_PROVIDER_JOB_ID_SIZE + 32], problem[96];
    int rc;

    snprintf(path, sizeof path, "/generation/%s/status", job->job_id);
    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = path;
    call.not_found_ok = 1;
    call.what = what;
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) != VG_OK)
        goto done;
    t = unwrap(root);
    id = vg__json_str(t, "taskId");
    next = *job;
    next.result_url[0] = next.failure[0] = '\0';
    if (id && strcmp(id, job->job_id) != 0)
        rc = vg__provider_bad_answer(ctx, conf, what, "is about another task");
    else if (!read_task(&next, t, 1, 1, problem, sizeof problem))
        rc = vg__provider_bad_answer(ctx, conf, what, problem);
    if (rc != VG_OK)
        goto done;
    if (conf->key)
        vg__redact(next.failure, conf->key);
    *job = next;
done:
    cJSON_Delete(root);
    return rc;
}

/* The check: GET /credit/balance, the cheapest authenticated request under the base URL
 * (the keyless model list, GET /api/v1/model-specs, is on pollo.ai's root, not under it). */
static int pollo_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    static const char what[] = "get the credit balance";
    vg__provider_call call;
    cJSON *root = NULL;
    double available, total;
    int rc;

    if (!conf->key)
        return vg__fail(ctx, VG_ENO_API_KEY, "pollo: no API key (set POLLO_API_KEY)");
    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = "/credit/balance";
    call.what = what;
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) != VG_OK)
        goto done;
    if (!vg__json_num(&available, root, "availableCredits") ||
        !vg__json_num(&total, root, "totalCredits"))
        rc = vg__provider_bad_answer(ctx, conf, what, "has no availableCredits, totalCredits");
    else
        snprintf(detail, size, "pollo: %.2f of %.2f credits available", available, total);
done:
    cJSON_Delete(root);
    return rc;
}

const vg__provider_ops vg__pollo_ops = {
    VG_PROVIDER_POLLO,
    "https://pollo.ai/api/platform",
    "POLLO_API_KEY",
    "x-api-key: ",
    pollo_submit,
    pollo_poll,
    NULL, /* cancel: Pollo's API has no endpoint for it */
    NULL, /* reconcile: nor one that lists tasks */
    pollo_check,
};

/* ---- webhooks ----------------------------------------------------------------------------- */

/* 1 when s is Unix seconds: 1 to 12 digits. */
static int unix_seconds(const char *s, long long *out)
{
    size_t n = strlen(s), i;
    if (n == 0 || n > 12)
        return 0;
    for (i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    *out = strtoll(s, NULL, 10);
    return 1;
}

/* The HMAC key of a secret: its bytes (RAW), or "whsec_" dropped and the rest Base64-decoded
 * (BASE64). *key is allocated on ctx; wipe and free it. */
static int webhook_key(unsigned char **key, size_t *key_len, vg_ctx *ctx, const char *secret,
                       vg_webhook_key_mode mode)
{
    size_t n = strlen(secret);

    if (mode == VG_WEBHOOK_KEY_BASE64 && strncmp(secret, "whsec_", 6) == 0) {
        secret += 6;
        n -= 6;
    }
    if (!(*key = vg__alloc(ctx, n + 1)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    if (mode == VG_WEBHOOK_KEY_RAW) {
        memcpy(*key, secret, n);
        *key_len = n;
    } else if (sodium_base642bin(*key, n + 1, secret, n, NULL, key_len, NULL,
                                 sodium_base64_VARIANT_ORIGINAL) != 0 ||
               *key_len == 0) {
        sodium_memzero(*key, n + 1);
        vg__free(ctx, *key);
        *key = NULL;
        return vg__fail(ctx, VG_ECONFIG, "pollo: the webhook secret is not Base64");
    }
    return VG_OK;
}

/* 1 when one entry of the signature header ("<base64>" or "v1,<base64>") is mac. */
static int entry_matches(const char *entry, size_t n, const unsigned char *mac)
{
    unsigned char got[crypto_auth_hmacsha256_BYTES + 3];
    const char *comma = memchr(entry, ',', n);
    size_t len = 0;
    int ok;

    if (comma) {
        if (comma - entry != 2 || memcmp(entry, "v1", 2) != 0)
            return 0; /* another scheme's signature */
        n -= 3;
        entry += 3;
    }
    ok = sodium_base642bin(got, sizeof got, entry, n, NULL, &len, NULL,
                           sodium_base64_VARIANT_ORIGINAL) == 0 ||
         sodium_base642bin(got, sizeof got, entry, n, NULL, &len, NULL,
                           sodium_base64_VARIANT_ORIGINAL_NO_PADDING) == 0;
    ok = ok && len == crypto_auth_hmacsha256_BYTES &&
         sodium_memcmp(got, mac, crypto_auth_hmacsha256_BYTES) == 0;
    sodium_memzero(got, sizeof got);
    return ok;
}

/* 1 when any space-separated entry of the header is mac. */
static int signature_matches(const char *header, const unsigned char *mac)
{
    const char *p = header, *end;
    int seen = 0, match = 0;

    while (*p && seen < POLLO_MAX_SIGNATURES) {
        while (*p == ' ')
            p++;
        for (end = p; *end && *end != ' '; end++)
            ;
        if (end > p) {
            seen++;
            match |= entry_matches(p, (size_t)(end - p), mac);
        }
        p = end;
    }
    return match;
}

/* Reads a verified payload into *out; VG_EINVAL when it is not a Pollo task. */
static int webhook_job(vg_provider_job *out, vg_ctx *ctx, const char *body, size_t body_len)
{
    cJSON *root = cJSON_ParseWithLength(body ? body : "", body_len);
    const cJSON *t = cJSON_IsObject(root) ? unwrap(root) : NULL;
    const char *id = vg__json_str(t, "taskId");
    vg_provider_job job;
    char problem[96] = "is not JSON";
    int ok = 0, rc = VG_OK;

    memset(&job, 0, sizeof job);
    job.version = VG_PROVIDER_JOB_VERSION;
    vg__copy(job.provider, sizeof job.provider, "pollo");
    /* The payload does not say the kind: the caller's image-to-video stays, else text. */
    job.kind = out->kind == VG_TASK_IMAGE_TO_VIDEO ? out->kind : VG_TASK_TEXT_TO_VIDEO;
    job.percent = -1;
    job.api_cost_micro = -1;
    vg__copy(job.media_type, sizeof job.media_type, "video");
    if (t && !task_id_ok(id))
        vg__copy(problem, sizeof problem, "has no usable taskId");
    else if (t)
        ok = read_task(&job, t, 1, 0, problem, sizeof problem);
    if (!ok) {
        rc = vg__fail(ctx, VG_EINVAL, "pollo webhook: the payload %s", problem);
    } else {
        vg__copy(job.job_id, sizeof job.job_id, id);
        *out = job;
    }
    cJSON_Delete(root);
    return rc;
}

int vg_pollo_webhook_verify(vg_provider_job *out, vg_ctx *ctx, const char *webhook_id,
                            const char *timestamp, const char *signature, const char *body,
                            size_t body_len, const char *secret, vg_webhook_key_mode mode,
                            int tolerance_s)
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES], *key = NULL;
    size_t key_len = 0;
    long long ts, now, skew;
    int rc;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_pollo_webhook_verify: ctx is NULL");
    if (!webhook_id || !*webhook_id || !timestamp || !*timestamp || !signature || !*signature)
        return vg__fail(ctx, VG_EINVAL,
                        "pollo webhook: a header (id, timestamp or "
                        "signature) is missing");
    if ((!body && body_len) || tolerance_s < 0 ||
        (mode != VG_WEBHOOK_KEY_RAW && mode != VG_WEBHOOK_KEY_BASE64))
        return vg__fail(ctx, VG_EINVAL, "vg_pollo_webhook_verify: invalid arguments");
    if (strlen(signature) > POLLO_SIGNATURE_MAX)
        return vg__fail(ctx, VG_ESIGNATURE, "pollo webhook: the signature header is too long");
    if (!secret)
        secret = ctx->pollo_webhook_secret;
    if (!secret || !*secret)
        return vg__fail(ctx, VG_ECONFIG,
                        "pollo webhook: no secret (set pollo_webhook_secret or "
                        "POLLO_WEBHOOK_SECRET)");
    if ((rc = webhook_key(&key, &key_len, ctx, secret, mode)) != VG_OK)
        return rc;
    if (!unix_seconds(timestamp, &ts)) {
        rc = vg__fail(ctx, VG_EINVAL, "pollo webhook: the timestamp is not Unix seconds");
        goto done;
    }

    /* The signature first, so that an unsigned request learns nothing about the clock. */
    crypto_auth_hmacsha256_init(&st, key, key_len);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)webhook_id, strlen(webhook_id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)(body ? body : ""), body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    if (!signature_matches(signature, mac)) {
        rc = vg__fail(ctx, VG_ESIGNATURE, "pollo webhook: no signature matches");
        goto done;
    }

    now = (long long)(vg_ctx_now(ctx) / 1000000);
    skew = ts > now ? ts - now : now - ts;
    if (skew > (tolerance_s ? tolerance_s : POLLO_WEBHOOK_TOLERANCE)) {
        rc = vg__fail(ctx, VG_EREPLAY,
                      "pollo webhook: the timestamp is %lld s %s the clock (tolerance %d s)", skew,
                      ts > now ? "ahead of" : "behind",
                      tolerance_s ? tolerance_s : POLLO_WEBHOOK_TOLERANCE);
        goto done;
    }
    if (out)
        rc = webhook_job(out, ctx, body, body_len);
done:
    sodium_memzero(&st, sizeof st);
    sodium_memzero(mac, sizeof mac);
    if (key) {
        sodium_memzero(key, key_len);
        vg__free(ctx, key);
    }
    return rc;
}
