/* SPDX-License-Identifier: MIT */
/* The Gemini embedder of the similarity cache: batchEmbedContents with taskType
 * SEMANTIC_SIMILARITY over the HTTP layer, vectors checked and L2-normalised. */
#include <cJSON.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"

#define GEMINI_DEFAULT_BASE_URL "https://generativelanguage.googleapis.com"
/* docs/providers.md §2.2: text-embedding-004 is deprecated; gemini-embedding-001 with
 * outputDimensionality 768 gives 768-d vectors. */
#define GEMINI_DEFAULT_MODEL "gemini-embedding-001"
#define GEMINI_DEFAULT_DIMENSION 768
#define GEMINI_MAX_DIMENSION 3072 /* gemini-embedding-001 supports 128..3072 */
/* The API's limit on requests per batchEmbedContents call (not in docs/providers.md). */
#define GEMINI_MAX_BATCH 100
#define GEMINI_KEY_HEADER "x-goog-api-key: "

typedef struct gemini {
    vg_embedder embedder; /* handed to the caller; payload points back here */
    vg_ctx *ctx;
    vg__http_client *http;
    char *secret_header;  /* "x-goog-api-key: KEY" (wiped on free) */
    char *key;            /* to redact from the provider's messages */
    char *url;            /* {base}/v1beta/models/{model}:batchEmbedContents */
    char *model;          /* as given */
    char *resource;       /* "models/{model}" */
    int dimension;
} gemini;

static void put_err(char *errbuf, size_t size, const char *fmt, ...) VG__PRINTF(3, 4);

static void put_err(char *errbuf, size_t size, const char *fmt, ...)
{
    va_list ap;
    if (!errbuf || size == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, size, fmt, ap);
    va_end(ap);
}

/* Replaces every occurrence of the key in s with "***" (fewer stars for a shorter key). */
static void redact(char *s, const char *key)
{
    size_t klen = strlen(key), mask = klen < 3 ? klen : 3;
    char *p = s;
    if (klen == 0)
        return;
    while ((p = strstr(p, key)) != NULL) {
        memset(p, '*', mask);
        memmove(p + mask, p + klen, strlen(p + klen) + 1);
        p += mask;
    }
}

/* The body of one batchEmbedContents call, or NULL when out of memory. */
static char *build_body(const gemini *g, const char *const *prompts, size_t count)
{
    cJSON *root = cJSON_CreateObject(), *requests, *item, *content, *parts, *part;
    char *body = NULL;
    size_t i;

    if (!root || !(requests = cJSON_AddArrayToObject(root, "requests")))
        goto done;
    for (i = 0; i < count; i++) {
        if (!(item = cJSON_CreateObject()))
            goto done;
        cJSON_AddItemToArray(requests, item);
        if (!cJSON_AddStringToObject(item, "model", g->resource) ||
            !(content = cJSON_AddObjectToObject(item, "content")) ||
            !(parts = cJSON_AddArrayToObject(content, "parts")) ||
            !(part = cJSON_CreateObject()))
            goto done;
        cJSON_AddItemToArray(parts, part);
        if (!cJSON_AddStringToObject(part, "text", prompts[i]) ||
            !cJSON_AddStringToObject(item, "taskType", "SEMANTIC_SIMILARITY") ||
            !cJSON_AddNumberToObject(item, "outputDimensionality", g->dimension))
            goto done;
    }
    body = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return body;
}

/* On a failed call: the Gemini error envelope, when the body holds one, put into errbuf;
 * an invalid key (400 with reason API_KEY_INVALID) becomes VG_EPROVIDER_AUTH. */
static int describe_failure(const gemini *g, int rc, const vg__http_response *resp,
                            char *errbuf, size_t size)
{
    cJSON *root = NULL, *error, *details, *d;
    const char *message = NULL, *status = NULL;
    char text[384];

    if (resp->body)
        root = cJSON_ParseWithLength(resp->body, resp->body_len);
    error = root ? cJSON_GetObjectItemCaseSensitive(root, "error") : NULL;
    if (cJSON_IsObject(error)) {
        cJSON *m = cJSON_GetObjectItemCaseSensitive(error, "message");
        cJSON *s = cJSON_GetObjectItemCaseSensitive(error, "status");
        message = cJSON_IsString(m) ? m->valuestring : NULL;
        status = cJSON_IsString(s) ? s->valuestring : NULL;
        details = cJSON_GetObjectItemCaseSensitive(error, "details");
        if (!cJSON_IsArray(details))
            details = NULL;
        cJSON_ArrayForEach(d, details)
        {
            cJSON *r = cJSON_GetObjectItemCaseSensitive(d, "reason");
            if (cJSON_IsString(r) && strcmp(r->valuestring, "API_KEY_INVALID") == 0)
                rc = VG_EPROVIDER_AUTH;
        }
    }
    if (message || status) {
        snprintf(text, sizeof text, "gemini: HTTP %ld %s: %s", resp->status,
                 status ? status : "error", message ? message : "no message");
    } else {
        /* The HTTP layer's own message, recorded on this thread (never holds the key). */
        snprintf(text, sizeof text, "%s", vg_error_last());
    }
    redact(text, g->key);
    put_err(errbuf, size, "%s", text);
    cJSON_Delete(root);
    return rc;
}

/* Reads `count` vectors of the configured dimension from a response into out, normalised. */
static int parse_vectors(const gemini *g, float *out, size_t count, const char *body,
                         size_t body_len, char *errbuf, size_t size)
{
    cJSON *root = body ? cJSON_ParseWithLength(body, body_len) : NULL, *embeddings, *e;
    size_t i = 0, d = (size_t)g->dimension;
    int rc = VG_EPROVIDER_RESPONSE;

    if (!root) {
        put_err(errbuf, size, "gemini: the response is not JSON");
        goto done;
    }
    embeddings = cJSON_GetObjectItemCaseSensitive(root, "embeddings");
    if (!cJSON_IsArray(embeddings)) {
        put_err(errbuf, size, "gemini: the response has no \"embeddings\" array");
        goto done;
    }
    if ((size_t)cJSON_GetArraySize(embeddings) != count) {
        put_err(errbuf, size, "gemini: %d embeddings came back for %zu prompts",
                cJSON_GetArraySize(embeddings), count);
        goto done;
    }
    cJSON_ArrayForEach(e, embeddings)
    {
        cJSON *values = cJSON_GetObjectItemCaseSensitive(e, "values"), *v;
        float *vec = out + i * d;
        double norm = 0.0;
        size_t j = 0;
        if (!cJSON_IsArray(values)) {
            put_err(errbuf, size, "gemini: embedding %zu has no \"values\" array", i);
            goto done;
        }
        if ((size_t)cJSON_GetArraySize(values) != d) {
            put_err(errbuf, size, "gemini: embedding %zu has %d values, expected %d", i,
                    cJSON_GetArraySize(values), g->dimension);
            goto done;
        }
        cJSON_ArrayForEach(v, values)
        {
            if (!cJSON_IsNumber(v) || !isfinite(v->valuedouble)) {
                put_err(errbuf, size, "gemini: embedding %zu value %zu is not a number", i, j);
                goto done;
            }
            vec[j++] = (float)v->valuedouble;
            norm += v->valuedouble * v->valuedouble;
        }
        if (norm == 0.0) {
            put_err(errbuf, size, "gemini: embedding %zu is all zeros", i);
            goto done;
        }
        norm = sqrt(norm);
        for (j = 0; j < d; j++)
            vec[j] = (float)(vec[j] / norm);
        i++;
    }
    rc = VG_OK;
done:
    cJSON_Delete(root);
    return rc;
}

/* One batchEmbedContents call for at most GEMINI_MAX_BATCH prompts. */
static int embed_batch(gemini *g, float *out, const char *const *prompts, size_t count,
                       char *errbuf, size_t size)
{
    vg__http_request req = {0};
    vg__http_response resp = {0};
    char *body = build_body(g, prompts, count);
    int rc;

    if (!body) {
        put_err(errbuf, size, "gemini: out of memory");
        return VG_ENOMEM;
    }
    vg__log(g->ctx, VG_LOG_DEBUG, "gemini: embedding %zu prompt(s) with %s, dimension %d",
            count, g->model, g->dimension);
    req.method = "POST";
    req.url = g->url;
    req.secret_header = g->secret_header;
    req.body = body;
    req.body_len = strlen(body);
    rc = vg__http_send(&resp, g->http, &req);
    if (rc != VG_OK)
        rc = describe_failure(g, rc, &resp, errbuf, size);
    else
        rc = parse_vectors(g, out, count, resp.body, resp.body_len, errbuf, size);
    vg__http_response_free(&resp);
    cJSON_free(body);
    return rc;
}

/* The vg_embed_fn: splits into batches the API accepts. Thread-safe (the HTTP client is;
 * the rest is read-only). */
static int gemini_embed(float *out, const char *const *prompts, size_t count, char *errbuf,
                        size_t errbuf_size, void *payload)
{
    gemini *g = payload;
    size_t i, take;
    int rc;

    if (!g || (count > 0 && (!out || !prompts))) {
        put_err(errbuf, errbuf_size, "gemini: invalid arguments");
        return VG_EINVAL;
    }
    for (i = 0; i < count; i++)
        if (!prompts[i] || !vg__utf8_valid(prompts[i])) {
            put_err(errbuf, errbuf_size, "gemini: prompt %zu is NULL or not UTF-8", i);
            return VG_EINVAL;
        }
    for (i = 0; i < count; i += take) {
        take = count - i < GEMINI_MAX_BATCH ? count - i : GEMINI_MAX_BATCH;
        rc = embed_batch(g, out + i * (size_t)g->dimension, prompts + i, take, errbuf,
                         errbuf_size);
        if (rc != VG_OK)
            return rc;
    }
    return 0;
}

/* A model name safe in a URL path: letters, digits, '-', '.', '_'. */
static int model_ok(const char *model)
{
    const char *p;
    if (!*model)
        return 0;
    for (p = model; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '.' || *p == '_'))
            return 0;
    return 1;
}

/* A key fit for a header: printable ASCII without spaces. */
static int key_ok(const char *key)
{
    const char *p;
    if (!*key)
        return 0;
    for (p = key; *p; p++)
        if (*p <= ' ' || *p > '~')
            return 0;
    return 1;
}

static char *join(const vg_ctx *ctx, const char *a, const char *b, const char *c,
                  const char *d)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + strlen(d) + 1;
    char *s = vg__alloc(ctx, n);
    if (s)
        snprintf(s, n, "%s%s%s%s", a, b, c, d);
    return s;
}

void vg_embedder_free(vg_embedder *embedder)
{
    gemini *g;
    if (!embedder || embedder->embed != gemini_embed)
        return;
    g = embedder->payload;
    vg__http_client_free(g->http);
    if (g->secret_header) {
        sodium_memzero(g->secret_header, strlen(g->secret_header));
        vg__free(g->ctx, g->secret_header);
    }
    if (g->key) {
        sodium_memzero(g->key, strlen(g->key));
        vg__free(g->ctx, g->key);
    }
    vg__free(g->ctx, g->url);
    vg__free(g->ctx, g->model);
    vg__free(g->ctx, g->resource);
    vg__free(g->ctx, g);
}

int vg_embedder_gemini(vg_embedder **out, vg_ctx *ctx, const char *api_key, const char *model,
                       int dimension)
{
    vg__http_options options = {0};
    const char *base = getenv("VIDGO_GEMINI_BASE_URL");
    char *base_copy = NULL;
    gemini *g = NULL;
    size_t n;
    int rc = VG_OK;

    if (out)
        *out = NULL;
    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_embedder_gemini: out or ctx is NULL");
    if (!api_key || !*api_key)
        api_key = getenv("GEMINI_API_KEY");
    if (!api_key || !*api_key)
        return vg__fail(ctx, VG_ENO_API_KEY, "gemini: no API key (set GEMINI_API_KEY)");
    if (!key_ok(api_key))
        return vg__fail(ctx, VG_EINVAL, "gemini: the API key has spaces or control characters");
    if (!model)
        model = GEMINI_DEFAULT_MODEL;
    if (strncmp(model, "models/", 7) == 0)
        model += 7;
    if (!model_ok(model))
        return vg__fail(ctx, VG_EINVAL, "gemini: model \"%.64s\" is not a model name", model);
    if (dimension == 0)
        dimension = GEMINI_DEFAULT_DIMENSION;
    if (dimension < 1 || dimension > GEMINI_MAX_DIMENSION)
        return vg__fail(ctx, VG_EINVAL, "gemini: dimension %d is not 1..%d", dimension,
                        GEMINI_MAX_DIMENSION);
    if (!base || !*base)
        base = GEMINI_DEFAULT_BASE_URL;
    if (strncmp(base, "https://", 8) != 0 && strncmp(base, "http://", 7) != 0)
        return vg__fail(ctx, VG_ECONFIG, "VIDGO_GEMINI_BASE_URL must start with https://");

    if (!(g = vg__calloc(ctx, 1, sizeof *g)) || !(base_copy = vg__strdup(ctx, base))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    g->ctx = ctx;
    g->dimension = dimension;
    for (n = strlen(base_copy); n > 0 && base_copy[n - 1] == '/'; n--)
        base_copy[n - 1] = '\0';
    g->model = vg__strdup(ctx, model);
    g->resource = join(ctx, "models/", model, "", "");
    g->url = join(ctx, base_copy, "/v1beta/models/", model, ":batchEmbedContents");
    g->key = vg__strdup(ctx, api_key);
    g->secret_header = join(ctx, GEMINI_KEY_HEADER, api_key, "", "");
    if (!g->model || !g->resource || !g->url || !g->key || !g->secret_header) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    options.provider = "gemini";
    if ((rc = vg__http_client_new(&g->http, ctx, &options)) != VG_OK)
        goto done;
    g->embedder.version = VG_EMBEDDER_VERSION;
    g->embedder.name = "gemini";
    g->embedder.model = g->model;
    g->embedder.dimension = dimension;
    g->embedder.max_batch = GEMINI_MAX_BATCH;
    g->embedder.embed = gemini_embed;
    g->embedder.payload = g;
    *out = &g->embedder;
done:
    vg__free(ctx, base_copy);
    if (rc != VG_OK && g) {
        g->embedder.embed = gemini_embed;
        g->embedder.payload = g;
        vg_embedder_free(&g->embedder);
    }
    return rc;
}
