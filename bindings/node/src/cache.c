/* SPDX-License-Identifier: MIT */
/* The similarity cache (include/vidgo/cache.h): normalisation, embedders, caches, flights
 * and the block cache. */
#include "groups.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- enums ------------------------------------------------------------------------------ */

/* Indexed by vg_cache_match and vg_cache_quantize. */
static const char *const match_names[] = {"miss", "exact", "semantic"};
static const char *const quantize_names[] = {"auto", "off", "on"};

static const char *quantize_name(int quantize)
{
    return vgn_name_in(quantize_names, COUNT(quantize_names), quantize);
}

/* ---- argument readers ------------------------------------------------------------------- */

/* A scope: a service name, or {service, resolution, style, inputHash}. NULL when it is
 * optional and absent (or the argument was bad). */
static const vg_cache_scope *read_scope(vgn_op *op, napi_value value, int optional)
{
    napi_valuetype type;
    vg_cache_scope *s;
    if (vgn_op_absent(op, value)) {
        if (!optional)
            vgn_op_reject(op, VGN_TYPE_ERROR, "The \"scope\" argument is required");
        return NULL;
    }
    napi_typeof(op->env, value, &type);
    if (type != napi_string && type != napi_object) {
        vgn_op_reject(op, VGN_TYPE_ERROR,
                      "The \"scope\" argument must be a service name or an object");
        return NULL;
    }
    if (!(s = vgn_op_alloc(op, sizeof *s)))
        return NULL;
    s->version = VG_CACHE_SCOPE_VERSION;
    if (type == napi_string) {
        s->service = vgn_op_string(op, value, "scope", 0);
        return s;
    }
    s->service = vgn_op_string(op, vgn_op_prop(op, value, "service"), "scope.service", 0);
    s->resolution = (int)vgn_op_int_in(op, vgn_op_prop(op, value, "resolution"), "scope.resolution",
                                       1, 0, INT_MAX);
    s->style = vgn_op_string(op, vgn_op_prop(op, value, "style"), "scope.style", 1);
    s->input_hash = vgn_op_string(op, vgn_op_prop(op, value, "inputHash"), "scope.inputHash", 1);
    return s;
}

/* A prompt or an array of prompts; *count their number. */
static const char **read_prompts(vgn_op *op, napi_value value, size_t *count)
{
    napi_env env = op->env;
    napi_valuetype type;
    bool is_array = false;
    uint32_t n = 0;
    const char **list;
    *count = 0;
    napi_is_array(env, value, &is_array);
    if (!is_array) {
        if (napi_typeof(env, value, &type) != napi_ok || type != napi_string) {
            vgn_op_reject(op, VGN_TYPE_ERROR,
                          "The \"prompts\" argument must be a string or an array of strings");
            return NULL;
        }
        if ((list = vgn_op_alloc(op, sizeof *list)) &&
            (list[0] = vgn_op_string(op, value, "prompt", 0)))
            *count = 1;
        return list;
    }
    napi_get_array_length(env, value, &n);
    if (!(list = vgn_op_alloc(op, (n ? n : 1) * sizeof *list)))
        return NULL;
    for (uint32_t i = 0; i < n; i++) {
        napi_value item;
        if (napi_get_element(env, value, i, &item) != napi_ok) {
            vgn_op_reject(op, VGN_TYPE_ERROR,
                          "The \"prompts\" argument must be an array of strings");
            return NULL;
        }
        list[i] = vgn_op_string(op, item, "prompts[i]", 0);
    }
    *count = n;
    return list;
}

/* ---- records ---------------------------------------------------------------------------- */

static vgn_val *entry_val(const vg_cache_entry *e)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", e->id);
    vgn_set_str(o, "scope", e->scope);
    vgn_set_str(o, "prompt", e->prompt);
    vgn_set_str(o, "result", e->result);
    vgn_set_str(o, "fingerprint", e->fingerprint);
    vgn_set_int(o, "ownerId", e->owner_id);
    vgn_set_bool(o, "ownerOnly", e->owner_only);
    vgn_set_int(o, "costMicroUsd", e->cost_micro_usd);
    vgn_set_int(o, "hits", e->hits);
    vgn_set_time(o, "createdAt", e->created_at);
    vgn_set_time(o, "expiresAt", e->expires_at);
    vgn_set_time(o, "lastHitAt", e->last_hit_at);
    return o;
}

static int entry_row(const vg_cache_entry *e, void *array)
{
    vgn_push(array, entry_val(e));
    return 0;
}

/* The entry is the one served, else the best candidate: null when there is none. */
static vgn_val *hit_val(const vg_cache_hit *h)
{
    vgn_val *o = vgn_object();
    vgn_set_str(o, "match", vgn_name_in(match_names, COUNT(match_names), h->match));
    vgn_set_bool(o, "hit", h->match != VG_CACHE_MISS);
    vgn_set_num(o, "similarity", h->similarity);
    vgn_set_num(o, "runnerUp", h->runner_up);
    vgn_set_num(o, "threshold", h->threshold);
    vgn_set_bool(o, "gateRejected", h->gate_rejected);
    vgn_set_bool(o, "shadow", h->shadow);
    vgn_set(o, "entry", h->entry.id ? entry_val(&h->entry) : vgn_null());
    return o;
}

static vgn_val *stats_val(const vg_cache_stats *s)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "exactHits", s->exact_hits);
    vgn_set_int(o, "semanticHits", s->semantic_hits);
    vgn_set_int(o, "misses", s->misses);
    vgn_set_int(o, "gateRejections", s->gate_rejections);
    vgn_set_int(o, "shadowHits", s->shadow_hits);
    vgn_set_int(o, "savedMicroUsd", s->saved_micro_usd);
    vgn_set_int(o, "entries", s->entries);
    vgn_set_int(o, "scopes", s->scopes);
    vgn_set_int(o, "bytesPerEntry", (int64_t)s->bytes_per_entry);
    vgn_set_str(o, "scanPath", s->scan_path);
    return o;
}

static vgn_val *options_val(const vg_cache_options *c)
{
    vgn_val *o = vgn_object();
    vgn_set_num(o, "threshold", c->threshold);
    vgn_set_bool(o, "secondGate", c->second_gate);
    vgn_set_bool(o, "shadow", c->shadow);
    vgn_set_int(o, "maxEntries", c->max_entries);
    vgn_set_str(o, "quantize", quantize_name((int)c->quantize));
    vgn_set_int(o, "threads", c->threads);
    vgn_set_int(o, "flightWaitMs", c->flight_wait_ms);
    vgn_set_int(o, "negativeTtlS", c->negative_ttl_s);
    return o;
}

/* ---- prompt normalisation --------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    const char *prompt;
} normalize_op;

static void normalize_exec(vgn_op *op)
{
    char out[VG_PROMPT_MAX_BYTES + 1];
    size_t len = 0;
    op->rc = vg_prompt_normalize(out, sizeof out, &len, ((normalize_op *)op)->prompt);
    if (op->rc == VG_OK)
        op->result = vgn_strn(out, len);
}

/* prompt_normalize(prompt) -> string */
static napi_value prompt_normalize(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    normalize_op *o = vgn_op_new(env, sizeof *o, normalize_exec);
    if (!o)
        return NULL;
    o->prompt = vgn_op_string(&o->op, argv[0], "prompt", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* ---- embedders: handles, children of the context ---------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    int dimension;
    char *api_key; /* wiped after use */
    const char *model;
    vg_embedder *local; /* the struct vg_embedder_local fills (ours to free) */
    vg_embedder *made;  /* what exec made */
} embedder_op;

static void local_exec(vgn_op *op)
{
    embedder_op *o = (embedder_op *)op;
    if ((op->rc = vg_embedder_local(o->local, o->dimension)) == VG_OK)
        o->made = o->local, o->local = NULL;
}

static void gemini_exec(vgn_op *op)
{
    embedder_op *o = (embedder_op *)op;
    op->rc = vg_embedder_gemini(&o->made, o->ctx, o->api_key, o->model, o->dimension);
    if (o->api_key)
        memset(o->api_key, 0, strlen(o->api_key));
}

/* A local embedder is our malloc'd struct (its handle's extra, freed after it); a Gemini
 * one belongs to the library (vg_embedder_free). */
static void embedder_finish(vgn_op *op, napi_value *out)
{
    embedder_op *o = (embedder_op *)op;
    int ours = o->made && o->op.exec == local_exec;
    if (op->rc == VG_OK && o->made)
        *out = vgn_handle_new(op->env, VGN_EMBEDDER, o->made, vgn_op_handle_object(op, o->ctx),
                              ours ? o->made : NULL, ours ? free : NULL);
    if (op->rc != VG_OK || !*out) {
        if (ours)
            free(o->made);
        else
            vg_embedder_free(o->made);
    }
    free(o->local);
}

static embedder_op *embedder_op_new(napi_env env, vgn_exec_fn exec, napi_value ctx)
{
    embedder_op *o = vgn_op_new(env, sizeof *o, exec);
    if (!o)
        return NULL;
    o->op.finish = embedder_finish;
    o->ctx = vgn_op_handle(&o->op, ctx, VGN_CONTEXT);
    return o;
}

/* embedder_local(ctx, dimension) -> embedder handle (offline; dimension 0 = 768) */
static napi_value embedder_local(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    embedder_op *o = embedder_op_new(env, local_exec, argv[0]);
    if (!o)
        return NULL;
    o->dimension = (int)vgn_op_int_in(&o->op, argv[1], "dimension", 1, 0, INT_MAX);
    if (!(o->local = calloc(1, sizeof *o->local)))
        vgn_op_reject(&o->op, VGN_TYPE_ERROR, "out of memory");
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* embedder_gemini(ctx, apiKey, model, dimension) -> embedder handle. Sync: it makes no
 * request (the key and base URL come from the arguments, the config or the environment). */
static napi_value embedder_gemini(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    embedder_op *o = embedder_op_new(env, gemini_exec, argv[0]);
    if (!o)
        return NULL;
    o->api_key = (char *)vgn_op_string(&o->op, argv[1], "apiKey", 1);
    o->model = vgn_op_string(&o->op, argv[2], "model", 1);
    o->dimension = (int)vgn_op_int_in(&o->op, argv[3], "dimension", 1, 0, INT_MAX);
    return vgn_op_run(&o->op, VGN_SYNC);
}

typedef struct {
    vgn_op op;
    const vg_embedder *embedder;
    const char **prompts;
    size_t count;
} embed_op;

static void info_exec(vgn_op *op)
{
    const vg_embedder *e = ((embed_op *)op)->embedder;
    op->result = vgn_object();
    vgn_set_str(op->result, "name", e->name);
    vgn_set_str(op->result, "model", e->model);
    vgn_set_int(op->result, "dimension", e->dimension);
    vgn_set_int(op->result, "maxBatch", e->max_batch ? (int64_t)e->max_batch : 1);
}

/* embedder_info(embedder) -> {name, model, dimension, maxBatch} */
static napi_value embedder_info(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    embed_op *o = vgn_op_new(env, sizeof *o, info_exec);
    if (!o)
        return NULL;
    o->embedder = vgn_op_handle(&o->op, argv[0], VGN_EMBEDDER);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* Normalises the prompts in place of copies (as the cache does before embedding). */
static int normalize_all(char **texts, const char **prompts, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        int rc;
        if (!(texts[i] = malloc(VG_PROMPT_MAX_BYTES + 1)))
            return VG_ENOMEM;
        if ((rc = vg_prompt_normalize(texts[i], VG_PROMPT_MAX_BYTES + 1, NULL, prompts[i])))
            return rc;
    }
    return VG_OK;
}

/* Embeds in batches of max_batch; each vector becomes a Buffer of floats. */
static void embed_exec(vgn_op *op)
{
    embed_op *o = (embed_op *)op;
    const vg_embedder *e = o->embedder;
    size_t batch = e->max_batch ? e->max_batch : 1, dim = (size_t)e->dimension;
    char **texts = calloc(o->count ? o->count : 1, sizeof *texts);
    float *vectors = malloc((o->count ? o->count : 1) * dim * sizeof *vectors);
    char errbuf[512] = "";
    vg_error_clear(); /* no stale message of this thread for a failed embed */
    if (!texts || !vectors) {
        op->rc = VG_ENOMEM;
        goto done;
    }
    if ((op->rc = normalize_all(texts, o->prompts, o->count)) != VG_OK)
        goto done;
    for (size_t at = 0; at < o->count; at += batch) {
        size_t n = o->count - at < batch ? o->count - at : batch;
        int rc = e->embed(vectors + at * dim, (const char *const *)texts + at, n, errbuf,
                          sizeof errbuf, e->payload);
        if (rc != 0) {
            op->rc = rc < 0 ? rc : VG_EPROVIDER;
            goto done;
        }
    }
    op->result = vgn_array();
    for (size_t i = 0; i < o->count; i++)
        vgn_push(op->result, vgn_bytes(vectors + i * dim, dim * sizeof *vectors));
done:
    for (size_t i = 0; texts && i < o->count; i++)
        free(texts[i]);
    free(texts);
    free(vectors);
}

/* embedder_embed(embedder, prompts) -> Promise<Buffer[]> (float32 vectors, normalised
 * prompts; async: a Gemini embedder calls the network) */
static napi_value embedder_embed(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    embed_op *o = vgn_op_new(env, sizeof *o, embed_exec);
    if (!o)
        return NULL;
    o->embedder = vgn_op_handle(&o->op, argv[0], VGN_EMBEDDER);
    o->prompts = read_prompts(&o->op, argv[1], &o->count);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- opening a cache -------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    vg_cache_options options;
    vg_cache *cache;
} open_op;

static void options_init_exec(vgn_op *op)
{
    vg_cache_options options;
    if ((op->rc = vg_cache_options_init(&options, VG_CACHE_OPTIONS_VERSION)) == VG_OK)
        op->result = options_val(&options);
}

/* cache_options_init() -> the default options */
static napi_value cache_options_init(napi_env env, napi_callback_info info)
{
    (void)info;
    vgn_op *o = vgn_op_new(env, sizeof *o, options_init_exec);
    return o ? vgn_op_run(o, VGN_SYNC) : NULL;
}

void vgn_read_cache_options(vgn_op *op, napi_value obj, vg_cache_options *out)
{
    napi_value v;
    int quantize;
    vg_cache_options_init(out, VG_CACHE_OPTIONS_VERSION);
    if (!vgn_op_absent(op, (v = vgn_op_prop(op, obj, "threshold")))) {
        out->threshold = vgn_op_number(op, v, "threshold", 0);
        if (out->threshold < 0 || out->threshold > 1)
            vgn_op_reject(op, VGN_RANGE_ERROR, "The \"threshold\" option must be 0..1");
    }
    if (!vgn_op_absent(op, (v = vgn_op_prop(op, obj, "secondGate"))))
        out->second_gate = vgn_op_bool(op, v, "secondGate", 0);
    out->shadow = vgn_op_bool(op, vgn_op_prop(op, obj, "shadow"), "shadow", 1);
    out->max_entries =
        vgn_op_int_in(op, vgn_op_prop(op, obj, "maxEntries"), "maxEntries", 1, 0, INT64_MAX);
    quantize = vgn_read_name(op, vgn_op_prop(op, obj, "quantize"), "quantize", 1, quantize_name,
                             COUNT(quantize_names));
    if (quantize >= 0)
        out->quantize = (vg_cache_quantize)quantize;
    out->threads = vgn_read_int_option(op, obj, "threads");
    out->flight_wait_ms = vgn_read_int_option(op, obj, "flightWaitMs");
    out->negative_ttl_s = vgn_read_int_option(op, obj, "negativeTtlS");
}

static void open_exec(vgn_op *op)
{
    open_op *o = (open_op *)op;
    op->rc = vg_cache_open(&o->cache, o->ctx, &o->options);
}

static void open_finish(vgn_op *op, napi_value *out)
{
    open_op *o = (open_op *)op;
    /* a child of the embedder's handle when one is given: the embedder outlives the cache */
    napi_value parent = vgn_op_handle_object(op, o->options.embedder ? (void *)o->options.embedder
                                                                     : (void *)o->ctx);
    if (op->rc == VG_OK && o->cache && parent)
        *out = vgn_handle_new(op->env, VGN_CACHE, o->cache, parent, NULL, NULL);
    if (op->rc != VG_OK || !*out)
        vg_cache_close(o->cache);
}

/* cache_open(ctx, embedder | undefined, options) -> Promise<cache handle> (a child of the
 * embedder's handle when one is given, so that the embedder outlives the cache) */
static napi_value cache_open(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    open_op *o = vgn_op_new(env, sizeof *o, open_exec);
    if (!o)
        return NULL;
    o->op.finish = open_finish;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    vgn_read_cache_options(&o->op, argv[2], &o->options);
    if (!vgn_op_absent(&o->op, argv[1]))
        o->options.embedder = vgn_op_handle_of(&o->op, argv[1], VGN_EMBEDDER, o->ctx);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- entries ---------------------------------------------------------------------------- */

/* One op for the calls on an open cache: the arguments each one uses. */
typedef struct {
    vgn_op op;
    vg_cache *cache;
    const vg_cache_scope *scope;
    const char *prompt, *text; /* text: the result, or the second prompt of compare */
    int64_t id;                /* an entry, owner or user id */
    int64_t cost;
    int ttl_s;
    int owner_only;
    double threshold;
} cache_op;

static cache_op *cache_op_new(napi_env env, vgn_exec_fn exec, napi_value cache)
{
    cache_op *o = vgn_op_new(env, sizeof *o, exec);
    if (o)
        o->cache = vgn_op_handle(&o->op, cache, VGN_CACHE);
    return o;
}

static void put_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    int64_t id = 0;
    op->rc = vg_cache_put(&id, o->cache, o->scope, o->prompt, o->text, o->cost, o->ttl_s, o->id,
                          o->owner_only);
    if (op->rc == VG_OK)
        op->result = vgn_int(id);
}

/* cache_put(cache, scope, prompt, result, costMicroUsd, ttlS, ownerId, ownerOnly) -> id */
static napi_value cache_put(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 8, argv);
    cache_op *o = cache_op_new(env, put_exec, argv[0]);
    if (!o)
        return NULL;
    o->scope = read_scope(&o->op, argv[1], 0);
    o->prompt = vgn_op_string(&o->op, argv[2], "prompt", 0);
    o->text = vgn_op_string(&o->op, argv[3], "result", 0);
    o->cost = vgn_op_int(&o->op, argv[4], "costMicroUsd", 1);
    o->ttl_s = (int)vgn_op_int_in(&o->op, argv[5], "ttlS", 1, 0, INT_MAX);
    o->id = vgn_op_int(&o->op, argv[6], "ownerId", 1);
    o->owner_only = vgn_op_bool(&o->op, argv[7], "ownerOnly", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void lookup_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    vg_cache_hit hit;
    if ((op->rc = vg_cache_lookup(&hit, o->cache, o->scope, o->prompt, o->id)) == VG_OK)
        op->result = hit_val(&hit);
}

/* cache_lookup(cache, scope, prompt, userId) -> hit (a miss is a hit record too) */
static napi_value cache_lookup(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    cache_op *o = cache_op_new(env, lookup_exec, argv[0]);
    if (!o)
        return NULL;
    o->scope = read_scope(&o->op, argv[1], 0);
    o->prompt = vgn_op_string(&o->op, argv[2], "prompt", 0);
    o->id = vgn_op_int(&o->op, argv[3], "userId", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void invalidate_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    op->rc = vg_cache_invalidate(o->cache, o->id);
}

/* cache_invalidate(cache, id) */
static napi_value cache_invalidate(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    cache_op *o = cache_op_new(env, invalidate_exec, argv[0]);
    if (!o)
        return NULL;
    o->id = vgn_op_int(&o->op, argv[1], "id", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void invalidate_scope_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    int count = 0;
    if ((op->rc = vg_cache_invalidate_scope(&count, o->cache, o->scope)) == VG_OK)
        op->result = vgn_int(count);
}

/* cache_invalidate_scope(cache, scope) -> count */
static napi_value cache_invalidate_scope(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    cache_op *o = cache_op_new(env, invalidate_scope_exec, argv[0]);
    if (!o)
        return NULL;
    o->scope = read_scope(&o->op, argv[1], 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void set_threshold_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    op->rc = vg_cache_set_threshold(o->cache, o->scope, o->threshold);
}

/* cache_set_threshold(cache, scope | null, threshold) */
static napi_value cache_set_threshold(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    cache_op *o = cache_op_new(env, set_threshold_exec, argv[0]);
    if (!o)
        return NULL;
    o->scope = read_scope(&o->op, argv[1], 1);
    o->threshold = vgn_op_number(&o->op, argv[2], "threshold", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void list_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    op->result = vgn_array();
    op->rc = vg_cache_list(o->cache, o->scope, entry_row, op->result);
}

/* cache_list(cache, scope | null) -> entries by id */
static napi_value cache_list(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    cache_op *o = cache_op_new(env, list_exec, argv[0]);
    if (!o)
        return NULL;
    o->scope = read_scope(&o->op, argv[1], 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void compare_exec(vgn_op *op)
{
    cache_op *o = (cache_op *)op;
    double similarity = 0;
    int agrees = 0;
    op->rc = vg_cache_compare(&similarity, &agrees, o->cache, o->prompt, o->text);
    if (op->rc == VG_OK) {
        op->result = vgn_object();
        vgn_set_num(op->result, "similarity", similarity);
        vgn_set_bool(op->result, "gateAgrees", agrees);
    }
}

/* cache_compare(cache, a, b) -> {similarity, gateAgrees} */
static napi_value cache_compare(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    cache_op *o = cache_op_new(env, compare_exec, argv[0]);
    if (!o)
        return NULL;
    o->prompt = vgn_op_string(&o->op, argv[1], "a", 0);
    o->text = vgn_op_string(&o->op, argv[2], "b", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void stats_exec(vgn_op *op)
{
    vg_cache_stats stats;
    memset(&stats, 0, sizeof stats);
    stats.version = VG_CACHE_STATS_VERSION;
    if ((op->rc = vg_cache_stats_get(&stats, ((cache_op *)op)->cache)) == VG_OK)
        op->result = stats_val(&stats);
}

/* cache_stats_get(cache) -> stats (async: the hit counts are the store's) */
static napi_value cache_stats_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    cache_op *o = cache_op_new(env, stats_exec, argv[0]);
    return o ? vgn_op_run(&o->op, VGN_ASYNC) : NULL;
}

/* ---- single flight ----------------------------------------------------------------------
 * vg_cache_flight_begin may wait (up to flight_wait_ms) for a near-duplicate in flight. On
 * libuv's pool, as many such waits as the pool has threads would starve the done() that ends
 * them (each waiter would then time out and generate again), so begin runs on a thread of
 * its own (VGN_THREAD). */

typedef struct {
    vgn_op op;
    vg_cache *cache;
    const vg_cache_scope *scope;
    const char *prompt;
    int64_t user_id;
    vg_cache_hit hit;
    vg_cache_flight *flight;
} begin_op;

static void begin_exec(vgn_op *op)
{
    begin_op *o = (begin_op *)op;
    op->rc = vg_cache_flight_begin(&o->flight, &o->hit, o->cache, o->scope, o->prompt, o->user_id);
    if (op->rc == VG_OK)
        op->result = hit_val(&o->hit);
}

/* {hit, flight}: the flight a handle, child of the cache's (null on a hit). A flight that
 * cannot be handed over is failed, so that who waits for it goes on. */
static void begin_finish(vgn_op *op, napi_value *out)
{
    begin_op *o = (begin_op *)op;
    napi_env env = op->env;
    napi_value parent = vgn_op_handle_object(op, o->cache), hit, flight = NULL;
    if (op->rc == VG_OK && parent && (hit = vgn_val_to_js(env, op->result))) {
        if (!o->flight)
            napi_get_null(env, &flight);
        else if ((flight = vgn_handle_new(env, VGN_FLIGHT, o->flight, parent, NULL, NULL)))
            o->flight = NULL;
        if (flight && napi_create_object(env, out) == napi_ok &&
            (napi_set_named_property(env, *out, "hit", hit) != napi_ok ||
             napi_set_named_property(env, *out, "flight", flight) != napi_ok))
            *out = NULL;
    }
    vg_cache_flight_fail(o->flight);
}

/* cache_flight_begin(cache, scope, prompt, userId) -> Promise<{hit, flight}> (it may wait
 * for a near-duplicate in flight) */
static napi_value cache_flight_begin(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    begin_op *o = vgn_op_new(env, sizeof *o, begin_exec);
    if (!o)
        return NULL;
    o->op.finish = begin_finish;
    o->scope = read_scope(&o->op, argv[1], 0);
    o->prompt = vgn_op_string(&o->op, argv[2], "prompt", 0);
    o->user_id = vgn_op_int(&o->op, argv[3], "userId", 1);
    o->cache = vgn_op_handle(&o->op, argv[0], VGN_CACHE);
    return vgn_op_run(&o->op, VGN_THREAD);
}

typedef struct {
    vgn_op op;
    vg_cache_flight *flight;
    const char *result;
    int64_t cost;
    int ttl_s;
    int owner_only;
} done_op;

static void done_exec(vgn_op *op)
{
    done_op *o = (done_op *)op;
    op->rc = vg_cache_flight_done(o->flight, o->result, o->cost, o->ttl_s, o->owner_only);
}

/* cache_flight_done(flight, result, costMicroUsd, ttlS, ownerOnly). The flight is consumed
 * whatever happens: its handle is closed at once (a second done or fail finds it closed)
 * and forgotten, so that closing it does not fail it again. */
static napi_value cache_flight_done(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    done_op *o = vgn_op_new(env, sizeof *o, done_exec);
    if (!o)
        return NULL;
    o->result = vgn_op_string(&o->op, argv[1], "result", 0);
    o->cost = vgn_op_int(&o->op, argv[2], "costMicroUsd", 1);
    o->ttl_s = (int)vgn_op_int_in(&o->op, argv[3], "ttlS", 1, 0, INT_MAX);
    o->owner_only = vgn_op_bool(&o->op, argv[4], "ownerOnly", 1);
    o->flight = vgn_op_handle(&o->op, argv[0], VGN_FLIGHT); /* last: NULL if any was bad */
    if (o->flight)
        vgn_handle_forget(env, argv[0]);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* ---- the block cache -------------------------------------------------------------------- */

typedef struct {
    vgn_op op;
    vg_ctx *ctx;
    const char *prompt, *reason;
    int ttl_s;
} block_op;

static void block_put_exec(vgn_op *op)
{
    block_op *o = (block_op *)op;
    op->rc = vg_block_put(o->ctx, o->prompt, o->reason, o->ttl_s);
}

/* block_put(ctx, prompt, reason, ttlS) */
static napi_value block_put(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    block_op *o = vgn_op_new(env, sizeof *o, block_put_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->prompt = vgn_op_string(&o->op, argv[1], "prompt", 0);
    o->reason = vgn_op_string(&o->op, argv[2], "reason", 0);
    o->ttl_s = (int)vgn_op_int_in(&o->op, argv[3], "ttlS", 1, 0, INT_MAX);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

static void block_get_exec(vgn_op *op)
{
    block_op *o = (block_op *)op;
    char reason[64];
    op->rc = vg_block_get(reason, sizeof reason, o->ctx, o->prompt);
    if (op->rc == VG_OK)
        op->result = vgn_str(reason);
    else if (op->rc == VG_ENOTFOUND)
        op->rc = VG_OK, op->result = vgn_null();
}

/* block_get(ctx, prompt) -> reason | null (not blocked) */
static napi_value block_get(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 2, argv);
    block_op *o = vgn_op_new(env, sizeof *o, block_get_exec);
    if (!o)
        return NULL;
    o->ctx = vgn_op_handle(&o->op, argv[0], VGN_CONTEXT);
    o->prompt = vgn_op_string(&o->op, argv[1], "prompt", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* vg_cache_close, vg_cache_flight_fail and vg_embedder_free run when their handle is closed
 * (handle_close) or collected; vg_embedder_default is providers.c's embedder_default. */
static const vgn_function functions[] = {
    {"prompt_normalize", prompt_normalize},
    {"embedder_local", embedder_local},
    {"embedder_gemini", embedder_gemini},
    {"embedder_info", embedder_info},
    {"embedder_embed", embedder_embed},
    {"cache_options_init", cache_options_init},
    {"cache_open", cache_open},
    {"cache_put", cache_put},
    {"cache_lookup", cache_lookup},
    {"cache_invalidate", cache_invalidate},
    {"cache_invalidate_scope", cache_invalidate_scope},
    {"cache_set_threshold", cache_set_threshold},
    {"cache_list", cache_list},
    {"cache_compare", cache_compare},
    {"cache_stats_get", cache_stats_get},
    {"cache_flight_begin", cache_flight_begin},
    {"cache_flight_done", cache_flight_done},
    {"block_put", block_put},
    {"block_get", block_get},
};

int vgn_register_cache(napi_env env, napi_value exports)
{
    return vgn_export(env, exports, functions, COUNT(functions));
}
