/* SPDX-License-Identifier: MIT */
/* Gemini over the HTTP layer: the similarity cache's embedder (batchEmbedContents with
 * taskType SEMANTIC_SIMILARITY, vectors checked and L2-normalised), and moderation and
 * prompt enhancement through generateContent. */
#include <cJSON.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gemini.h"
#include "http.h"
#include "provider.h"

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
    vg__http_client *http;        /* the context's Gemini client (not owned) */
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
static int describe_failure(const char *key, int rc, const vg__http_response *resp,
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
    redact(text, key);
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
        rc = describe_failure(g->key, rc, &resp, errbuf, size);
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

void vg__gemini_embedder_free(vg_embedder *embedder)
{
    gemini *g;
    if (!embedder || embedder->embed != gemini_embed)
        return;
    g = embedder->payload;
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
    vg__provider_conf conf;
    gemini *g = NULL;
    int rc = VG_OK;

    if (out)
        *out = NULL;
    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_embedder_gemini: out or ctx is NULL");
    if (api_key && *api_key && !key_ok(api_key))
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
    /* the key: the argument, else the context's (config, then GEMINI_API_KEY) */
    if ((rc = vg__provider_conf_open(&conf, ctx, VG_PROVIDER_GEMINI,
                                     !(api_key && *api_key))) != VG_OK)
        goto done;
    if (!api_key || !*api_key)
        api_key = conf.key;
    if (!(g = vg__calloc(ctx, 1, sizeof *g))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    g->ctx = ctx;
    g->dimension = dimension;
    g->model = vg__strdup(ctx, model);
    g->resource = join(ctx, "models/", model, "", "");
    g->url = join(ctx, conf.base_url, "/v1beta/models/", model, ":batchEmbedContents");
    g->key = vg__strdup(ctx, api_key);
    g->secret_header = join(ctx, GEMINI_KEY_HEADER, api_key, "", "");
    if (!g->model || !g->resource || !g->url || !g->key || !g->secret_header) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    /* the context's Gemini client: one set of connections and one breaker per provider */
    if ((rc = vg__provider_client(&g->http, ctx, "gemini")) != VG_OK)
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
    vg__provider_conf_close(ctx, &conf);
    if (rc != VG_OK && g) {
        g->embedder.embed = gemini_embed;
        g->embedder.payload = g;
        vg_embedder_free(&g->embedder);
    }
    return rc;
}

/* ---- generateContent: moderation and enhancement ------------------------------------- */

/* The model for moderation and enhancement. docs/providers.md names no text model; this
 * default is UNCONFIRMED there (the brief's choice). */
#define GEMINI_TEXT_MODEL "gemini-2.5-flash"

static const char moderation_instruction[] =
    "You are the content moderator of a service that turns a user's prompt, and optionally "
    "a product photo, into an advertising video. Decide whether the request may be "
    "generated. Refuse sexual or 18+ content (reason \"adult\"), violence or gore "
    "(\"violence\"), weapons, drugs or other illegal goods (\"illegal_goods\"), hate or "
    "harassment (\"hate\"), self-harm (\"self_harm\"), anything sexualising or endangering "
    "minors (\"minors\"), and anything else unfit for an advertisement (\"other\"). Answer "
    "only with a JSON object {\"allowed\": true or false, \"reason\": one of \"adult\", "
    "\"violence\", \"illegal_goods\", \"hate\", \"self_harm\", \"minors\", \"other\", or "
    "\"\" when allowed}.";

static const char enhance_instruction[] =
    "You improve prompts for a generator of product advertising videos. Rewrite the user's "
    "prompt as one vivid, concrete prompt in English: describe the product, the setting, the "
    "camera movement, the lighting and the mood. Keep the user's intent, product, brand "
    "names and every stated detail; do not add claims, people or text the user did not ask "
    "for. The prompt may be in another language (its language tag is given): translate it. "
    "Answer with the improved prompt only, without quotes or commentary.";

/* The reason codes a verdict may carry; anything else becomes "other". */
static const char *const reason_codes[] = {"adult",     "violence", "illegal_goods", "hate",
                                           "self_harm", "minors",   "other"};

/* Finish reasons that mean the answer was stopped for safety (docs/providers.md §2.1). */
static const char *const safety_finish[] = {"SAFETY",        "BLOCKLIST",
                                            "PROHIBITED_CONTENT", "SPII",
                                            "IMAGE_SAFETY",  "IMAGE_PROHIBITED_CONTENT"};

/* Harm categories of safetyRatings and the reason code each one stands for. */
static const struct {
    const char *category;
    const char *reason;
} category_reasons[] = {
    {"HARM_CATEGORY_SEXUALLY_EXPLICIT", "adult"},
    {"HARM_CATEGORY_HATE_SPEECH", "hate"},
    {"HARM_CATEGORY_HARASSMENT", "hate"},
    {"HARM_CATEGORY_DEROGATORY", "hate"},
    {"HARM_CATEGORY_VIOLENCE", "violence"},
    {"HARM_CATEGORY_SEXUAL", "adult"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *s, const char *const *list, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(s, list[i]) == 0)
            return 1;
    return 0;
}

/* The reason code for a block, read from safetyRatings (the first MEDIUM or HIGH rating,
 * or one marked blocked, of a known category); "other" when none says. */
static const char *reason_from_ratings(const cJSON *ratings)
{
    const cJSON *r;
    size_t i;
    if (!cJSON_IsArray(ratings))
        return "other";
    cJSON_ArrayForEach(r, ratings)
    {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(r, "category");
        const cJSON *p = cJSON_GetObjectItemCaseSensitive(r, "probability");
        const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "blocked");
        int high = cJSON_IsTrue(b) ||
                   (cJSON_IsString(p) && (strcmp(p->valuestring, "HIGH") == 0 ||
                                          strcmp(p->valuestring, "MEDIUM") == 0));
        if (!high || !cJSON_IsString(c))
            continue;
        for (i = 0; i < COUNT(category_reasons); i++)
            if (strcmp(c->valuestring, category_reasons[i].category) == 0)
                return category_reasons[i].reason;
    }
    return "other";
}

/* The common settings of a generateContent call, taken from the environment. */
typedef struct gen_call {
    char *key;
    char *secret_header;
    char *url;
} gen_call;

static void gen_call_clear(vg_ctx *ctx, gen_call *c)
{
    if (c->secret_header) {
        sodium_memzero(c->secret_header, strlen(c->secret_header));
        vg__free(ctx, c->secret_header);
    }
    if (c->key) {
        sodium_memzero(c->key, strlen(c->key));
        vg__free(ctx, c->key);
    }
    vg__free(ctx, c->url);
    memset(c, 0, sizeof *c);
}

static int gen_call_init(gen_call *c, vg_ctx *ctx)
{
    vg__provider_conf conf;
    int rc;

    memset(c, 0, sizeof *c);
    if ((rc = vg__provider_conf_open(&conf, ctx, VG_PROVIDER_GEMINI, 1)) == VG_OK) {
        c->key = vg__strdup(ctx, conf.key);
        c->secret_header = vg__strdup(ctx, conf.secret_header);
        c->url = join(ctx, conf.base_url, "/v1beta/models/", GEMINI_TEXT_MODEL,
                      ":generateContent");
        if (!c->key || !c->secret_header || !c->url) {
            gen_call_clear(ctx, c);
            rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        }
    }
    vg__provider_conf_close(ctx, &conf);
    return rc;
}

/* Builds a generateContent body: a system instruction, one user turn holding the text and
 * an optional inline image, and a generationConfig. Returns NULL when out of memory. The
 * image part is written as inline_data {mime_type, data} (the snake_case form of Google's
 * REST examples; the proto's JSON is inlineData/mimeType and both are accepted:
 * UNCONFIRMED in docs/providers.md). */
static char *gen_body(const char *instruction, const char *text, const char *image_b64,
                      const char *image_mime, int json_answer)
{
    cJSON *root = cJSON_CreateObject(), *contents, *turn, *parts, *part, *sys, *sparts, *cfg;
    char *body = NULL;

    if (!root || !(contents = cJSON_AddArrayToObject(root, "contents")) ||
        !(turn = cJSON_CreateObject()))
        goto done;
    cJSON_AddItemToArray(contents, turn);
    if (!cJSON_AddStringToObject(turn, "role", "user") ||
        !(parts = cJSON_AddArrayToObject(turn, "parts")) || !(part = cJSON_CreateObject()))
        goto done;
    cJSON_AddItemToArray(parts, part);
    if (!cJSON_AddStringToObject(part, "text", text))
        goto done;
    if (image_b64) {
        cJSON *inline_data;
        if (!(part = cJSON_CreateObject()))
            goto done;
        cJSON_AddItemToArray(parts, part);
        if (!(inline_data = cJSON_AddObjectToObject(part, "inline_data")) ||
            !cJSON_AddStringToObject(inline_data, "mime_type", image_mime) ||
            !cJSON_AddStringToObject(inline_data, "data", image_b64))
            goto done;
    }
    if (!(sys = cJSON_AddObjectToObject(root, "systemInstruction")) ||
        !(sparts = cJSON_AddArrayToObject(sys, "parts")) || !(part = cJSON_CreateObject()))
        goto done;
    cJSON_AddItemToArray(sparts, part);
    if (!cJSON_AddStringToObject(part, "text", instruction) ||
        !(cfg = cJSON_AddObjectToObject(root, "generationConfig")) ||
        !cJSON_AddNumberToObject(cfg, "temperature", json_answer ? 0.0 : 0.7))
        goto done;
    /* responseMimeType is in docs/providers.md §2.1; responseSchema is not (UNCONFIRMED
     * there), so the verdict's shape is asked for in the instruction instead. */
    if (json_answer && !cJSON_AddStringToObject(cfg, "responseMimeType", "application/json"))
        goto done;
    body = cJSON_PrintUnformatted(root);
done:
    cJSON_Delete(root);
    return body;
}

/* POSTs body to generateContent and parses the answer into *out_root (the caller deletes
 * it). Failures are recorded on ctx with the provider's message, the key redacted. */
static int gen_send(cJSON **out_root, vg_ctx *ctx, const char *body, const char *what)
{
    vg__http_client *http = NULL;
    vg__http_request req = {0};
    vg__http_response resp = {0};
    gen_call call;
    char errbuf[512];
    int rc;

    *out_root = NULL;
    if ((rc = gen_call_init(&call, ctx)) != VG_OK)
        return rc;
    if ((rc = vg__provider_client(&http, ctx, "gemini")) != VG_OK)
        goto done;
    vg__log(ctx, VG_LOG_DEBUG, "gemini: %s with %s", what, GEMINI_TEXT_MODEL);
    req.method = "POST";
    req.url = call.url;
    req.secret_header = call.secret_header;
    req.body = body;
    req.body_len = strlen(body);
    rc = vg__http_send(&resp, http, &req);
    if (rc != VG_OK) {
        rc = describe_failure(call.key, rc, &resp, errbuf, sizeof errbuf);
        vg__fail(ctx, rc, "%s", errbuf);
        goto done;
    }
    if (!resp.body || !(*out_root = cJSON_ParseWithLength(resp.body, resp.body_len)) ||
        !cJSON_IsObject(*out_root)) {
        cJSON_Delete(*out_root);
        *out_root = NULL;
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "gemini: the %s response is not JSON", what);
    }
done:
    vg__http_response_free(&resp);
    gen_call_clear(ctx, &call);
    return rc;
}

/* The text of the first candidate, its parts joined, into a new string (NULL when it has
 * none or out of memory). */
static char *candidate_text(vg_ctx *ctx, const cJSON *candidate)
{
    const cJSON *content = cJSON_GetObjectItemCaseSensitive(candidate, "content");
    const cJSON *parts = cJSON_GetObjectItemCaseSensitive(content, "parts"), *p;
    size_t n = 0;
    char *s;

    if (!cJSON_IsArray(parts))
        return NULL;
    cJSON_ArrayForEach(p, parts)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "text");
        if (cJSON_IsString(t))
            n += strlen(t->valuestring);
    }
    if (!(s = vg__alloc(ctx, n + 1)))
        return NULL;
    n = 0;
    cJSON_ArrayForEach(p, parts)
    {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(p, "text");
        size_t len;
        if (!cJSON_IsString(t))
            continue;
        len = strlen(t->valuestring);
        memcpy(s + n, t->valuestring, len);
        n += len;
    }
    s[n] = '\0';
    return s;
}

/* The first candidate of an answer, or NULL. */
static const cJSON *first_candidate(const cJSON *root)
{
    const cJSON *candidates = cJSON_GetObjectItemCaseSensitive(root, "candidates");
    const cJSON *c = cJSON_IsArray(candidates) ? cJSON_GetArrayItem(candidates, 0) : NULL;
    return cJSON_IsObject(c) ? c : NULL;
}

/* A block by Gemini itself: promptFeedback.blockReason, or a safety finishReason on the
 * first candidate. Returns 1 and fills out when there is one. */
static int provider_block(vg_moderation *out, const cJSON *root)
{
    const cJSON *fb = cJSON_GetObjectItemCaseSensitive(root, "promptFeedback");
    const cJSON *br = cJSON_GetObjectItemCaseSensitive(fb, "blockReason");
    const cJSON *c = first_candidate(root), *fr;

    if (cJSON_IsString(br) && strcmp(br->valuestring, "BLOCKED_REASON_UNSPECIFIED") != 0) {
        out->blocked = 1;
        snprintf(out->reason, sizeof out->reason, "%s",
                 reason_from_ratings(cJSON_GetObjectItemCaseSensitive(fb, "safetyRatings")));
        snprintf(out->detail, sizeof out->detail, "gemini blocked the prompt: blockReason %.64s",
                 br->valuestring);
        return 1;
    }
    fr = c ? cJSON_GetObjectItemCaseSensitive(c, "finishReason") : NULL;
    if (cJSON_IsString(fr) && in_list(fr->valuestring, safety_finish, COUNT(safety_finish))) {
        out->blocked = 1;
        snprintf(out->reason, sizeof out->reason, "%s",
                 reason_from_ratings(cJSON_GetObjectItemCaseSensitive(c, "safetyRatings")));
        snprintf(out->detail, sizeof out->detail,
                 "gemini stopped the answer: finishReason %.64s", fr->valuestring);
        return 1;
    }
    return 0;
}

/* Reads the model's JSON verdict {"allowed": bool, "reason": code} from the first candidate. */
static int read_verdict(vg_moderation *out, vg_ctx *ctx, const cJSON *root)
{
    const cJSON *c = first_candidate(root), *allowed, *reason;
    char *text = c ? candidate_text(ctx, c) : NULL;
    cJSON *verdict = text ? cJSON_Parse(text) : NULL;
    int rc = VG_OK;

    allowed = cJSON_GetObjectItemCaseSensitive(verdict, "allowed");
    reason = cJSON_GetObjectItemCaseSensitive(verdict, "reason");
    if (!cJSON_IsBool(allowed)) {
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE,
                      "gemini: the moderation answer holds no JSON verdict");
        goto done;
    }
    if (cJSON_IsTrue(allowed)) {
        out->blocked = 0;
        out->reason[0] = '\0';
        snprintf(out->detail, sizeof out->detail, "gemini: allowed");
        goto done;
    }
    out->blocked = 1;
    snprintf(out->reason, sizeof out->reason, "%s",
             cJSON_IsString(reason) &&
                     in_list(reason->valuestring, reason_codes, COUNT(reason_codes))
                 ? reason->valuestring
                 : "other");
    snprintf(out->detail, sizeof out->detail, "gemini's verdict: not allowed (%.64s)",
             cJSON_IsString(reason) ? reason->valuestring : "no reason");
done:
    cJSON_Delete(verdict);
    vg__free(ctx, text);
    return rc;
}

/* A MIME type fit for JSON and the API: type/subtype of printable ASCII, no spaces. */
static int mime_ok(const char *mime)
{
    const char *p;
    size_t n = strlen(mime);
    if (n == 0 || n > 100 || !strchr(mime, '/'))
        return 0;
    for (p = mime; *p; p++)
        if (*p <= ' ' || *p > '~' || *p == '"' || *p == '\\')
            return 0;
    return 1;
}

int vg__gemini_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt,
                        const unsigned char *image, size_t image_len, const char *image_mime)
{
    vg_moderation m;
    char *b64 = NULL, *body = NULL;
    cJSON *root = NULL;
    int rc;

    memset(&m, 0, sizeof m);
    if (!out || !ctx || !prompt)
        return vg__fail(ctx, VG_EINVAL, "vg__gemini_moderate: out, ctx or prompt is NULL");
    if (!vg__utf8_valid(prompt))
        return vg__fail(ctx, VG_EINVAL, "gemini: the prompt is not UTF-8");
    if (image && (image_len == 0 || !image_mime || !mime_ok(image_mime)))
        return vg__fail(ctx, VG_EINVAL, "gemini: an image needs bytes and a MIME type");
    if (image) {
        size_t n = sodium_base64_ENCODED_LEN(image_len, sodium_base64_VARIANT_ORIGINAL);
        if (!(b64 = vg__alloc(ctx, n))) {
            rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
            goto done;
        }
        sodium_bin2base64(b64, n, image, image_len, sodium_base64_VARIANT_ORIGINAL);
    }
    if (!(body = gen_body(moderation_instruction, prompt, b64, image_mime, 1))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = gen_send(&root, ctx, body, "moderation")) != VG_OK)
        goto done;
    if (!provider_block(&m, root)) {
        if (!first_candidate(root)) {
            rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE,
                          "gemini: the moderation answer has no candidates");
            goto done;
        }
        if ((rc = read_verdict(&m, ctx, root)) != VG_OK)
            goto done;
    }
    if (m.blocked)
        vg__log(ctx, VG_LOG_INFO, "gemini: moderation blocked (%s): %s", m.reason, m.detail);
    out->blocked = m.blocked;
    memcpy(out->reason, m.reason, sizeof out->reason);
    memcpy(out->detail, m.detail, sizeof out->detail);
done:
    cJSON_Delete(root);
    cJSON_free(body);
    vg__free(ctx, b64);
    return rc;
}

/* A language tag as given to the model: letters, digits and '-', at most 35 characters. */
static int lang_ok(const char *lang)
{
    const char *p;
    if (!*lang || strlen(lang) > 35)
        return 0;
    for (p = lang; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
              (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

int vg__gemini_enhance(char *out, size_t size, vg_ctx *ctx, const char *prompt,
                       const char *lang)
{
    char *text = NULL, *body = NULL, *start;
    const cJSON *c;
    cJSON *root = NULL;
    size_t n, len;
    int rc;

    if (!out || size == 0 || !ctx || !prompt)
        return vg__fail(ctx, VG_EINVAL, "vg__gemini_enhance: out, size, ctx or prompt missing");
    out[0] = '\0';
    if (!lang)
        lang = "und";
    if (!*prompt || !vg__utf8_valid(prompt))
        return vg__fail(ctx, VG_EINVAL, "gemini: the prompt is empty or not UTF-8");
    if (!lang_ok(lang))
        return vg__fail(ctx, VG_EINVAL, "gemini: \"%.40s\" is not a language tag", lang);
    n = strlen(prompt) + strlen(lang) + 64;
    if (!(text = vg__alloc(ctx, n))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(text, n, "Language: %s\nPrompt: %s", lang, prompt);
    if (!(body = gen_body(enhance_instruction, text, NULL, NULL, 0))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    vg__free(ctx, text);
    text = NULL;
    if ((rc = gen_send(&root, ctx, body, "enhancement")) != VG_OK)
        goto done;
    {
        vg_moderation m;
        if (provider_block(&m, root)) {
            rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "gemini: no enhancement: %s", m.detail);
            goto done;
        }
    }
    c = first_candidate(root);
    if (!c || !(text = candidate_text(ctx, c))) {
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE,
                      "gemini: the enhancement answer has no candidate text");
        goto done;
    }
    for (start = text; is_space(*start); start++)
        ;
    for (len = strlen(start); len > 0 && is_space(start[len - 1]); len--)
        ;
    if (len == 0) {
        rc = vg__fail(ctx, VG_EPROVIDER_RESPONSE, "gemini: the enhanced prompt is empty");
        goto done;
    }
    if (len >= size) {
        rc = vg__fail(ctx, VG_EBUFSIZE, "gemini: the enhanced prompt needs %zu bytes, %zu given",
                      len + 1, size);
        goto done;
    }
    memcpy(out, start, len);
    out[len] = '\0';
    rc = VG_OK;
done:
    cJSON_Delete(root);
    cJSON_free(body);
    vg__free(ctx, text);
    return rc;
}

/* ---- the provider's check ------------------------------------------------------------- */

/* Reads the text model's description: cheap, authenticated, and proof the model exists. */
static int gemini_check(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf)
{
    vg__provider_call call;
    cJSON *root = NULL;
    int rc;

    memset(&call, 0, sizeof call);
    call.method = "GET";
    call.path = "/v1beta/models/" GEMINI_TEXT_MODEL;
    call.what = "read the model";
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) == VG_OK) {
        const char *name = vg__json_str(root, "name");
        if (name)
            snprintf(detail, size, "%s is available", name);
        else
            rc = vg__provider_bad_answer(ctx, conf, call.what, "has no model name");
    }
    cJSON_Delete(root);
    return rc;
}

const vg__provider_ops vg__gemini_ops = {
    VG_PROVIDER_GEMINI, GEMINI_DEFAULT_BASE_URL, "GEMINI_API_KEY", GEMINI_KEY_HEADER,
    NULL, NULL, NULL, NULL, gemini_check,
};
