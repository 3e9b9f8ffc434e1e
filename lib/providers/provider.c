/* SPDX-License-Identifier: MIT */
/* The helpers every provider client shares: settings for a call, a JSON call with the
 * provider's error message, typed JSON reads, redaction. */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

static const vg__provider_ops *const all_ops[VG_PROVIDER_COUNT] = {
    [VG_PROVIDER_LOCAL] = &vg__local_ops,         [VG_PROVIDER_GEMINI] = &vg__gemini_ops,
    [VG_PROVIDER_LEONARDO] = &vg__leonardo_ops,   [VG_PROVIDER_RUNWAY] = &vg__runway_ops,
    [VG_PROVIDER_GOENHANCE] = &vg__goenhance_ops, [VG_PROVIDER_POLLO] = &vg__pollo_ops,
};

const vg__provider_ops *vg__provider_ops_of(int id)
{
    return id >= 0 && id < VG_PROVIDER_COUNT ? all_ops[id] : NULL;
}

static int key_ok(const char *key)
{
    const unsigned char *p;
    for (p = (const unsigned char *)key; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* The key of provider id: the context's, else its variable. */
static const char *key_of(const vg_ctx *ctx, int id, const char **source)
{
    const vg__provider_ops *ops = all_ops[id];
    const char *key = ctx->provider_keys[id];

    *source = "config";
    if (!key && ops->key_env) {
        key = getenv(ops->key_env);
        *source = ops->key_env;
    }
    if (!key || !*key) {
        *source = "";
        return NULL;
    }
    return key;
}

int vg__provider_serves(vg_ctx *ctx, int id)
{
    const char *source;
    if (id == VG_PROVIDER_LOCAL)
        return 1;
    if (ctx->provider_mode == VG_PROVIDERS_LOCAL)
        return 0;
    if (ctx->provider_mode == VG_PROVIDERS_REMOTE)
        return 1;
    return key_of(ctx, id, &source) != NULL;
}

static char *strcat3(vg_ctx *ctx, const char *a, const char *b, const char *c)
{
    size_t la = strlen(a), lb = strlen(b), lc = strlen(c);
    char *s = vg__alloc(ctx, la + lb + lc + 1);
    if (s) {
        memcpy(s, a, la);
        memcpy(s + la, b, lb);
        memcpy(s + la + lb, c, lc + 1);
    }
    return s;
}

int vg__provider_conf_open(vg__provider_conf *conf, vg_ctx *ctx, int id, int need_key)
{
    const vg__provider_ops *ops = vg__provider_ops_of(id);
    const char *key, *source, *base;
    char env_name[64], *p;
    size_t n;

    memset(conf, 0, sizeof *conf);
    if (!ops)
        return vg__fail(ctx, VG_EINVAL, "no provider has id %d", id);
    conf->id = id;
    conf->name = vg_provider_name(id);
    conf->assets_dir = ctx->assets_dir;
    if (id == VG_PROVIDER_LOCAL)
        return VG_OK;

    key = key_of(ctx, id, &source);
    if (!key && need_key)
        return vg__fail(ctx, VG_ENO_API_KEY, "%s: no API key (set %s)", conf->name,
                        ops->key_env);
    if (key && !key_ok(key))
        return vg__fail(ctx, VG_EINVAL, "%s: the API key has spaces or control characters",
                        conf->name);

    base = ctx->provider_base_urls[id];
    if (!base) {
        snprintf(env_name, sizeof env_name, "VIDGO_%s_BASE_URL", conf->name);
        for (p = env_name; *p; p++)
            if (*p >= 'a' && *p <= 'z')
                *p = (char)(*p - 'a' + 'A');
        base = getenv(env_name);
    }
    if (!base || !*base)
        base = ops->default_base_url;
    if (strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0)
        return vg__fail(ctx, VG_ECONFIG, "%s: the base URL must start with https://",
                        conf->name);

    if (!(conf->base_url = vg__strdup(ctx, base)) ||
        (key && (!(conf->key = vg__strdup(ctx, key)) ||
                 !(conf->secret_header = strcat3(ctx, ops->key_header, key, ""))))) {
        vg__provider_conf_close(ctx, conf);
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    }
    for (n = strlen(conf->base_url); n > 0 && conf->base_url[n - 1] == '/'; n--)
        conf->base_url[n - 1] = '\0';
    return vg__provider_client(&conf->http, ctx, conf->name);
}

static void wipe_free(vg_ctx *ctx, char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        vg__free(ctx, s);
    }
}

void vg__provider_conf_close(vg_ctx *ctx, vg__provider_conf *conf)
{
    wipe_free(ctx, conf->key);
    wipe_free(ctx, conf->secret_header);
    vg__free(ctx, conf->base_url);
    memset(conf, 0, sizeof *conf);
}

/* ---- JSON calls ----------------------------------------------------------------------- */

/* The provider's own message in an error body, or NULL. */
static const char *error_message(const cJSON *root)
{
    const cJSON *error = cJSON_GetObjectItemCaseSensitive(root, "error");
    const char *s;

    if (cJSON_IsString(error))
        return error->valuestring;
    if ((s = vg__json_str(error, "message")) != NULL)
        return s;
    if ((s = vg__json_str(root, "msg")) != NULL)
        return s;
    return vg__json_str(root, "message");
}

static int describe_failure(vg_ctx *ctx, const vg__provider_conf *conf,
                            const vg__provider_call *call, int rc,
                            const vg__http_response *resp)
{
    cJSON *root = NULL;
    const char *message = NULL;
    char text[512];

    if (rc == VG_EPROVIDER_REJECTED && resp->status == 404 && call->not_found_ok)
        rc = VG_ENOTFOUND;
    if (resp->body && resp->status >= 400)
        root = cJSON_ParseWithLength(resp->body, resp->body_len);
    if (root)
        message = error_message(root);
    if (message && rc != VG_EOUTCOME_UNKNOWN)
        snprintf(text, sizeof text, "%s: %s: HTTP %ld: %.300s", conf->name, call->what,
                 resp->status, message);
    else {
        /* the HTTP layer's message, already recorded on this thread (never the key) */
        const char *last = vg_error_last();
        size_t n = strlen(conf->name);
        if (strncmp(last, conf->name, n) == 0 && strncmp(last + n, ": ", 2) == 0)
            last += n + 2;
        snprintf(text, sizeof text, "%s: %s: %s", conf->name, call->what, last);
    }
    if (conf->key)
        vg__redact(text, conf->key);
    cJSON_Delete(root);
    return vg__fail(ctx, rc, "%s", text);
}

int vg__provider_send(cJSON **out_root, vg_ctx *ctx, const vg__provider_conf *conf,
                      const vg__provider_call *call)
{
    vg__http_request req;
    vg__http_response resp;
    char *url;
    int rc;

    *out_root = NULL;
    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    if (!(url = strcat3(ctx, conf->base_url, call->path, "")))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    req.method = call->method;
    req.url = url;
    req.headers = call->headers;
    req.secret_header = conf->secret_header;
    req.body = call->body;
    req.body_len = call->body ? strlen(call->body) : 0;
    req.creates_paid_job = call->creates_paid_job;
    vg__log(ctx, VG_LOG_DEBUG, "%s: %s (%s %s)", conf->name, call->what, call->method,
            call->path);
    rc = vg__http_send(&resp, conf->http, &req);
    if (rc != VG_OK) {
        rc = describe_failure(ctx, conf, call, rc, &resp);
    } else if (!resp.body || resp.body_len == 0) {
        if (!call->empty_ok)
            rc = vg__provider_bad_answer(ctx, conf, call->what, "is empty");
    } else if (!(*out_root = cJSON_ParseWithLength(resp.body, resp.body_len)) ||
               !(cJSON_IsObject(*out_root) || cJSON_IsArray(*out_root))) {
        cJSON_Delete(*out_root);
        *out_root = NULL;
        rc = vg__provider_bad_answer(ctx, conf, call->what, "is not JSON");
    }
    vg__http_response_free(&resp);
    vg__free(ctx, url);
    return rc;
}

int vg__provider_send_raw(long *status_out, vg_ctx *ctx, const vg__provider_conf *conf,
                          const char *url, const char *content_type, const char *body,
                          size_t body_len, const char *what)
{
    vg__http_request req;
    vg__http_response resp;
    vg__provider_call call;
    int rc;

    memset(&req, 0, sizeof req);
    memset(&resp, 0, sizeof resp);
    memset(&call, 0, sizeof call);
    call.what = what;
    req.method = "POST";
    req.url = url;
    req.body = body;
    req.body_len = body_len;
    req.content_type = content_type;
    rc = vg__http_send(&resp, conf->http, &req);
    *status_out = resp.status;
    if (rc != VG_OK)
        rc = describe_failure(ctx, conf, &call, rc, &resp);
    vg__http_response_free(&resp);
    return rc;
}

int vg__provider_bad_answer(vg_ctx *ctx, const vg__provider_conf *conf, const char *what,
                            const char *problem)
{
    return vg__fail(ctx, VG_EPROVIDER_RESPONSE, "%s: %s: the answer %s", conf->name, what,
                    problem);
}

/* ---- JSON reads ----------------------------------------------------------------------- */

const char *vg__json_str(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    return cJSON_IsString(item) ? item->valuestring : NULL;
}

const cJSON *vg__json_obj(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    return cJSON_IsObject(item) ? item : NULL;
}

const cJSON *vg__json_arr(const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    return cJSON_IsArray(item) ? item : NULL;
}

int vg__json_num(double *out, const cJSON *object, const char *name)
{
    const cJSON *item = cJSON_IsObject(object) ? cJSON_GetObjectItemCaseSensitive(object, name)
                                               : NULL;
    if (!cJSON_IsNumber(item) || !isfinite(item->valuedouble))
        return 0;
    *out = item->valuedouble;
    return 1;
}

int vg__json_int(int64_t *out, const cJSON *object, const char *name)
{
    double d;
    if (!vg__json_num(&d, object, name) || d != floor(d) || d < -9e15 || d > 9e15)
        return 0;
    *out = (int64_t)d;
    return 1;
}

/* ---- strings -------------------------------------------------------------------------- */

int vg__copy(char *dst, size_t size, const char *src)
{
    size_t n;
    if (size == 0)
        return 0;
    if (!src)
        src = "";
    n = strlen(src);
    if (n < size) {
        memcpy(dst, src, n + 1);
        return 1;
    }
    n = size - 1;
    while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
        n--; /* do not cut a UTF-8 sequence */
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

void vg__redact(char *text, const char *key)
{
    size_t klen = strlen(key);
    char *p = text;
    if (klen == 0)
        return;
    while ((p = strstr(p, key)) != NULL) {
        size_t mask = klen < 3 ? klen : 3;
        memset(p, '*', mask);
        memmove(p + mask, p + klen, strlen(p + klen) + 1);
        p += mask;
    }
}

void vg__job_start(vg_provider_job *job, const vg__provider_conf *conf, vg_task_kind kind)
{
    memset(job, 0, sizeof *job);
    job->version = VG_PROVIDER_JOB_VERSION;
    vg__copy(job->provider, sizeof job->provider, conf->name);
    job->kind = kind;
    job->state = VG_TASK_PENDING;
    job->percent = -1;
    job->api_cost_micro = -1;
    vg__copy(job->media_type, sizeof job->media_type, vg__task_media(kind));
}

const char *vg__task_media(vg_task_kind kind)
{
    return kind == VG_TASK_TEXT_TO_IMAGE ? "image" : "video";
}

char *vg__base64(vg_ctx *ctx, const unsigned char *data, size_t len)
{
    size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
    char *out = vg__alloc(ctx, n);
    if (out)
        sodium_bin2base64(out, n, data, len, sodium_base64_VARIANT_ORIGINAL);
    return out;
}
