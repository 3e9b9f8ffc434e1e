/* SPDX-License-Identifier: MIT */
/* Looking up, storing, invalidating and listing cache entries, thresholds and statistics. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_state.h"

#define CANDIDATES 8        /* best entries considered per lookup (threshold, then gate) */
#define EXPIRED_PER_PUT 16  /* expired entries a put deletes from the store on its way */

/* The store counters of the statistics, in vg_cache_stats order. */
static const char *const counter_names[] = {
    "cache.exact_hits", "cache.semantic_hits", "cache.misses", "cache.gate_rejections",
    "cache.shadow_hits", "cache.saved_micro_usd",
};
enum { C_EXACT, C_SEMANTIC, C_MISS, C_GATE, C_SHADOW, C_SAVED, C_COUNT };

static int prompt_normalize(vg_ctx *ctx, char out[VG_STORE_PROMPT_SIZE], const char *prompt)
{
    int rc = vg__prompt_normalize(out, VG_STORE_PROMPT_SIZE, NULL, prompt);
    return rc == VG_OK ? rc : vg__fail(ctx, rc, "%s", vg_error_last());
}

static void entry_from_store(vg_cache_entry *out, const vg_store_cache_entry *e)
{
    memset(out, 0, sizeof *out);
    out->version = VG_CACHE_ENTRY_VERSION;
    out->id = e->id;
    snprintf(out->scope, sizeof out->scope, "%s", e->scope);
    snprintf(out->prompt, sizeof out->prompt, "%.*s", (int)sizeof out->prompt - 1, e->prompt);
    snprintf(out->result, sizeof out->result, "%.*s", (int)sizeof out->result - 1, e->result);
    snprintf(out->fingerprint, sizeof out->fingerprint, "%s", e->fingerprint);
    out->owner_id = e->owner_id;
    out->owner_only = e->owner_only;
    out->cost_micro_usd = e->cost_micro_usd;
    out->hits = e->hits;
    out->created_at = e->created_at;
    out->expires_at = e->expires_at;
    out->last_hit_at = e->last_hit_at;
}

/* --- lookup ------------------------------------------------------------------------------ */

/* What a lookup decided, written to the store in one transaction. */
typedef struct outcome {
    vg_cache_hit *hit;
    int64_t served_id;  /* the entry to count a hit on and return; 0: none */
    int64_t read_id;    /* the entry to return without counting (shadow, best candidate) */
    int counters[C_COUNT];
    int64_t saved;
} outcome;

static int outcome_body(vg__txn *txn, void *payload)
{
    outcome *o = payload;
    vg_store_cache_entry e;
    int64_t id = o->served_id ? o->served_id : o->read_id;
    int i, rc = VG_OK;

    if (id) {
        if (o->served_id)
            rc = vg__cache_entry_touch(txn, id, 1, vg_ctx_now(txn->ctx));
        if (rc == VG_OK)
            rc = vg__cache_entry_get(txn, &e, id);
        if (rc == VG_OK)
            entry_from_store(&o->hit->entry, &e);
        if (rc == VG_ENOTFOUND) { /* deleted meanwhile by another process: a miss */
            o->hit->match = VG_CACHE_MISS;
            memset(o->counters, 0, sizeof o->counters);
            o->counters[C_MISS] = 1;
            o->saved = 0;
            rc = VG_OK;
        }
    }
    for (i = 0; i < C_COUNT && rc == VG_OK; i++)
        if (o->counters[i] || (i == C_SAVED && o->saved))
            rc = vg__counter_add(txn, NULL, counter_names[i],
                                 i == C_SAVED ? o->saved : o->counters[i]);
    return rc;
}

/* Reads a live entry by id into *out (NULL: only checks it). VG_ENOTFOUND if it is gone. */
typedef struct read_args {
    int64_t id;
    vg_cache_entry *out;
} read_args;

static int read_body(vg__txn *txn, void *payload)
{
    read_args *a = payload;
    vg_store_cache_entry e;
    int rc = vg__cache_entry_get(txn, &e, a->id);
    if (rc == VG_OK)
        entry_from_store(a->out, &e);
    return rc;
}

static int entry_read(vg_cache *cache, int64_t id, vg_cache_entry *out)
{
    read_args a = {id, out};
    return vg__txn_run(cache->ctx, VG_TXN_READ, read_body, &a);
}

/* The best live, visible candidates of a scope for a query, best first; entries that
 * expired (they stay in the index until deleted) are left out. Read lock held. */
static size_t candidates(vg_cache *cache, int scope, const float *query, int64_t user_id,
                         vg_time now, vg__match *out, int64_t *costs)
{
    size_t found = 0, kept = 0, i;

    if (vg__index_search(cache->scopes[scope].index, query, 1, CANDIDATES, user_id,
                         &cache->search, out, &found) != VG_OK)
        return 0;
    for (i = 0; i < found; i++) {
        const vg__entry_meta *meta = vg__meta_by_id(cache, out[i].id);
        if (!meta || !vg__meta_servable(meta, user_id, now))
            continue;
        costs[kept] = meta->cost_micro_usd;
        out[kept++] = out[i];
    }
    return kept;
}

static double clamp01(double x)
{
    return x < 0 ? 0 : x > 1 ? 1 : x;
}

/* The semantic half of a lookup: embeds the query, ranks the scope, and picks the best
 * candidate that reaches the threshold and passes the gate. */
static int lookup_semantic(vg_cache *cache, outcome *o, int scope, const char *normalized,
                           int64_t user_id, float *query)
{
    vg_cache_hit *out = o->hit;
    vg__match best[CANDIDATES];
    int64_t costs[CANDIDATES];
    vg_time now = vg_ctx_now(cache->ctx);
    size_t found, i;
    int rc;

    pthread_rwlock_rdlock(&cache->lock);
    found = candidates(cache, scope, query, user_id, now, best, costs);
    pthread_rwlock_unlock(&cache->lock);
    if (found == 0)
        return VG_OK;
    out->similarity = clamp01(best[0].score);
    out->runner_up = found > 1 ? clamp01(best[1].score) : 0;
    o->read_id = best[0].id;
    for (i = 0; i < found && best[i].score >= out->threshold; i++) {
        if (cache->options.second_gate) {
            rc = entry_read(cache, best[i].id, &out->entry);
            if (rc == VG_ENOTFOUND)
                continue;
            if (rc != VG_OK)
                return rc;
            if (!vg__gate_agree(normalized, out->entry.prompt, NULL)) {
                out->gate_rejected = 1;
                continue;
            }
        }
        o->read_id = best[i].id;
        if (cache->options.shadow) { /* found, recorded, not served */
            out->shadow = 1;
            o->counters[C_SHADOW] = 1;
            return VG_OK;
        }
        out->match = VG_CACHE_SEMANTIC;
        out->similarity = clamp01(best[i].score);
        o->served_id = best[i].id;
        o->saved = costs[i];
        o->counters[C_SEMANTIC] = 1;
        return VG_OK;
    }
    return VG_OK;
}

int vg__cache_lookup_normalized(vg_cache_hit *out, vg_cache *cache, const char *scope_key,
                                const char *normalized, int64_t user_id, float *query,
                                int *embedded)
{
    vg_time now = vg_ctx_now(cache->ctx);
    unsigned char hash[VG_STORE_HASH_SIZE];
    const vg__entry_meta *meta;
    int readonly = (cache->ctx->flags & VG_OPEN_READONLY) != 0;
    outcome o;
    int scope, rc;

    memset(out, 0, sizeof *out);
    memset(&o, 0, sizeof o);
    out->version = VG_CACHE_HIT_VERSION;
    o.hit = out;
    *embedded = 0;
    if ((rc = vg__cache_sync_threshold(cache, scope_key, &out->threshold)) != VG_OK)
        return rc;
    vg__prompt_hash(hash, scope_key, normalized);

    /* exact first: no embedding */
    pthread_rwlock_rdlock(&cache->lock);
    meta = vg__meta_by_prompt(cache, hash);
    if (meta && vg__meta_servable(meta, user_id, now)) {
        out->match = VG_CACHE_EXACT;
        out->similarity = 1;
        o.served_id = meta->id;
        o.saved = meta->cost_micro_usd;
        o.counters[C_EXACT] = 1;
    }
    scope = vg__scope_find(cache, scope_key);
    pthread_rwlock_unlock(&cache->lock);

    if (out->match == VG_CACHE_MISS) {
        if ((rc = vg__cache_embed(cache, query, normalized)) != VG_OK)
            return rc;
        *embedded = 1;
        if (scope >= 0 && (rc = lookup_semantic(cache, &o, scope, normalized, user_id, query)) !=
                              VG_OK)
            return rc;
    }
    if (out->match == VG_CACHE_MISS) {
        o.counters[C_MISS] = 1;
        o.counters[C_GATE] = out->gate_rejected;
    }
    if (readonly) { /* nothing is counted; the entry is still read */
        o.read_id = o.served_id ? o.served_id : o.read_id;
        o.served_id = 0;
        memset(o.counters, 0, sizeof o.counters);
        o.saved = 0;
    }
    rc = vg__txn_run(cache->ctx, readonly ? VG_TXN_READ : VG_TXN_WRITE, outcome_body, &o);
    if (rc == VG_OK && o.served_id && out->match != VG_CACHE_MISS) {
        /* eviction weighs hits; this process sees its own at once, others' on reopen */
        pthread_rwlock_wrlock(&cache->lock);
        if ((meta = vg__meta_by_id(cache, o.served_id)))
            ((vg__entry_meta *)meta)->hits++;
        pthread_rwlock_unlock(&cache->lock);
    }
    return rc;
}

int vg_cache_lookup(vg_cache_hit *out, vg_cache *cache, const vg_cache_scope *scope,
                    const char *prompt, int64_t user_id)
{
    char key[VG_STORE_SCOPE_SIZE], normalized[VG_STORE_PROMPT_SIZE];
    float *query;
    int embedded, rc;

    if (!out || !cache || !prompt)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_lookup: NULL argument");
    if ((rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK ||
        (rc = prompt_normalize(cache->ctx, normalized, prompt)) != VG_OK)
        return rc;
    if (!(query = malloc((size_t)cache->embedder.dimension * sizeof *query)))
        return vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
    rc = vg__cache_lookup_normalized(out, cache, key, normalized, user_id, query, &embedded);
    free(query);
    return rc;
}

/* --- storing ------------------------------------------------------------------------------ */

typedef struct put_args {
    vg_cache *cache;
    vg_store_cache_entry entry;
    int64_t evict[EXPIRED_PER_PUT + 1]; /* expired entries, then the least valuable */
    int evict_count;
    int64_t id;
} put_args;

static int put_body(vg__txn *txn, void *payload)
{
    put_args *a = payload;
    int i, rc = vg__cache_entry_insert(txn, &a->id, &a->entry);

    for (i = 0; i < a->evict_count && rc == VG_OK; i++) {
        rc = vg__cache_entry_delete(txn, a->evict[i]);
        if (rc == VG_ENOTFOUND) /* another process was first */
            rc = VG_OK;
    }
    return rc;
}

/* Picks what the new entry pushes out (read lock held): expired entries, and when the cache
 * is full the entry that saves least (cost x hits, then the oldest id). */
static void choose_evictions(vg_cache *cache, put_args *a)
{
    vg_time now = vg_ctx_now(cache->ctx);
    const vg__entry_meta *least = NULL;
    size_t i, live = 0;

    for (i = 0; i < cache->meta_count; i++) {
        const vg__entry_meta *m = &cache->metas[i];
        if (m->expires_at && m->expires_at <= now) {
            if (a->evict_count < EXPIRED_PER_PUT)
                a->evict[a->evict_count++] = m->id;
            continue;
        }
        live++;
        if (!least || (double)m->cost_micro_usd * (double)m->hits <
                          (double)least->cost_micro_usd * (double)least->hits ||
            ((double)m->cost_micro_usd * (double)m->hits ==
                 (double)least->cost_micro_usd * (double)least->hits &&
             m->id < least->id))
            least = m;
    }
    if (cache->options.max_entries && least && (int64_t)live >= cache->options.max_entries)
        a->evict[a->evict_count++] = least->id;
}

int vg__cache_put_normalized(int64_t *out_id, vg_cache *cache, const char *scope_key,
                             const char *normalized, const float *query, const char *result,
                             int64_t cost_micro_usd, int ttl_s, int64_t owner_id,
                             int owner_only)
{
    put_args *a = calloc(1, sizeof *a);
    float *vector = NULL;
    vg_time now = vg_ctx_now(cache->ctx);
    int rc;

    if (!a || !(vector = malloc((size_t)cache->embedder.dimension * sizeof *vector))) {
        rc = vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if (query)
        memcpy(vector, query, (size_t)cache->embedder.dimension * sizeof *vector);
    else if ((rc = vg__cache_embed(cache, vector, normalized)) != VG_OK)
        goto done;
    a->cache = cache;
    snprintf(a->entry.scope, sizeof a->entry.scope, "%s", scope_key);
    snprintf(a->entry.prompt, sizeof a->entry.prompt, "%s", normalized);
    vg__prompt_hash(a->entry.prompt_hash, scope_key, normalized);
    snprintf(a->entry.fingerprint, sizeof a->entry.fingerprint, "%s", cache->fingerprint);
    snprintf(a->entry.result, sizeof a->entry.result, "%s", result);
    a->entry.owner_id = owner_id;
    a->entry.owner_only = owner_only ? 1 : 0;
    a->entry.cost_micro_usd = cost_micro_usd;
    a->entry.created_at = now;
    a->entry.expires_at = ttl_s ? now + (vg_time)ttl_s * 1000000 : 0;
    a->entry.dimension = cache->embedder.dimension;
    a->entry.vector = vector;
    if ((rc = vg__cache_sync(cache)) != VG_OK)
        goto done;
    pthread_rwlock_rdlock(&cache->lock);
    choose_evictions(cache, a);
    pthread_rwlock_unlock(&cache->lock);
    rc = vg__txn_run(cache->ctx, VG_TXN_WRITE, put_body, a);
    if (rc == VG_OK)
        rc = vg__cache_sync(cache);
    if (rc == VG_OK && out_id)
        *out_id = a->id;
done:
    free(vector);
    free(a);
    return rc;
}

int vg__cache_put_check(vg_ctx *ctx, const char *result, int64_t cost, int ttl_s,
                        int64_t owner_id)
{
    size_t n = result ? strlen(result) : 0;
    if (!result || n == 0 || n > VG_CACHE_RESULT_MAX_BYTES)
        return vg__fail(ctx, VG_EINVAL, "a cached result has 1..%d bytes",
                        VG_CACHE_RESULT_MAX_BYTES);
    if (!vg__utf8_valid(result))
        return vg__fail(ctx, VG_EUTF8, "the cached result is not valid UTF-8");
    if (cost < 0 || ttl_s < 0 || owner_id < 0)
        return vg__fail(ctx, VG_EINVAL, "cost, ttl_s and owner_id must not be negative");
    return VG_OK;
}

int vg_cache_put(int64_t *out_id, vg_cache *cache, const vg_cache_scope *scope,
                 const char *prompt, const char *result, int64_t cost_micro_usd, int ttl_s,
                 int64_t owner_id, int owner_only)
{
    char key[VG_STORE_SCOPE_SIZE], normalized[VG_STORE_PROMPT_SIZE];
    int rc;

    if (!cache || !prompt)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_put: NULL argument");
    if ((rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK ||
        (rc = prompt_normalize(cache->ctx, normalized, prompt)) != VG_OK ||
        (rc = vg__cache_put_check(cache->ctx, result, cost_micro_usd, ttl_s, owner_id)) != VG_OK)
        return rc;
    return vg__cache_put_normalized(out_id, cache, key, normalized, NULL, result,
                                    cost_micro_usd, ttl_s, owner_id, owner_only);
}

/* --- invalidation ------------------------------------------------------------------------- */

typedef struct delete_args {
    int64_t *ids;
    int count;
    int deleted;
} delete_args;

static int delete_body(vg__txn *txn, void *payload)
{
    delete_args *a = payload;
    int i, rc = VG_OK;

    a->deleted = 0;
    for (i = 0; i < a->count && rc == VG_OK; i++) {
        rc = vg__cache_entry_delete(txn, a->ids[i]);
        if (rc == VG_OK)
            a->deleted++;
        else if (rc == VG_ENOTFOUND && a->count > 1)
            rc = VG_OK;
    }
    return rc;
}

int vg_cache_invalidate(vg_cache *cache, int64_t id)
{
    delete_args a = {&id, 1, 0};
    int rc;

    if (!cache || id <= 0)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_invalidate: bad argument");
    rc = vg__txn_run(cache->ctx, VG_TXN_WRITE, delete_body, &a);
    if (rc == VG_ENOTFOUND)
        return vg__fail(cache->ctx, rc, "no cache entry has id %lld", (long long)id);
    return rc == VG_OK ? vg__cache_sync(cache) : rc;
}

int vg_cache_invalidate_scope(int *out_count, vg_cache *cache, const vg_cache_scope *scope)
{
    char key[VG_STORE_SCOPE_SIZE];
    delete_args a = {NULL, 0, 0};
    size_t i;
    int index, rc;

    if (!cache)
        return vg__fail(NULL, VG_EINVAL, "vg_cache_invalidate_scope: NULL cache");
    if ((rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK ||
        (rc = vg__cache_sync(cache)) != VG_OK)
        return rc;
    pthread_rwlock_rdlock(&cache->lock);
    index = vg__scope_find(cache, key);
    if (index >= 0 && (a.ids = malloc((cache->meta_count + 1) * sizeof *a.ids)))
        for (i = 0; i < cache->meta_count; i++)
            if (cache->metas[i].scope == index)
                a.ids[a.count++] = cache->metas[i].id;
    pthread_rwlock_unlock(&cache->lock);
    if (index >= 0 && !a.ids)
        return vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
    rc = a.count ? vg__txn_run(cache->ctx, VG_TXN_WRITE, delete_body, &a) : VG_OK;
    free(a.ids);
    if (rc == VG_OK)
        rc = vg__cache_sync(cache);
    if (rc == VG_OK && out_count)
        *out_count = a.deleted;
    return rc;
}

/* --- thresholds, listing, statistics ------------------------------------------------------ */

typedef struct threshold_put {
    char name[VG_STORE_SCOPE_SIZE + 32];
    char value[32];
    int remove;
} threshold_put;

static int threshold_body(vg__txn *txn, void *payload)
{
    threshold_put *a = payload;
    int rc;
    if (!a->remove)
        return vg__meta_put(txn, a->name, a->value);
    rc = vg__meta_delete(txn, a->name);
    return rc == VG_ENOTFOUND ? VG_OK : rc;
}

int vg_cache_set_threshold(vg_cache *cache, const vg_cache_scope *scope, double threshold)
{
    char key[VG_STORE_SCOPE_SIZE];
    threshold_put a;
    int rc;

    if (!cache)
        return vg__fail(NULL, VG_EINVAL, "vg_cache_set_threshold: NULL cache");
    if (isnan(threshold) || threshold > 1 || (threshold < 0 && !scope))
        return vg__fail(cache->ctx, VG_ERANGE, "a threshold is a cosine from 0 to 1");
    memset(&a, 0, sizeof a);
    if (scope) {
        if ((rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK)
            return rc;
        snprintf(a.name, sizeof a.name, "cache.threshold.%s", key);
    } else {
        snprintf(a.name, sizeof a.name, "cache.threshold");
    }
    a.remove = threshold < 0;
    snprintf(a.value, sizeof a.value, "%.6f", threshold);
    return vg__txn_run(cache->ctx, VG_TXN_WRITE, threshold_body, &a);
}

typedef struct list_args {
    const char *scope_key;  /* NULL: all */
    vg_cache_entry_fn callback;
    void *payload;
    vg_cache_entry entry;
    int64_t after_seq;
    int seen, stopped;
} list_args;

static int list_one(const vg_store_cache_entry *e, void *payload)
{
    list_args *a = payload;
    a->seen++;
    a->after_seq = e->seq;
    if (e->deleted || (a->scope_key && strcmp(e->scope, a->scope_key) != 0))
        return 0;
    entry_from_store(&a->entry, e);
    a->stopped = a->callback(&a->entry, a->payload) != 0;
    return a->stopped;
}

static int list_body(vg__txn *txn, void *payload)
{
    list_args *a = payload;
    a->seen = 0;
    return vg__cache_entries_changed(txn, a->after_seq, 512, list_one, a);
}

int vg_cache_list(vg_cache *cache, const vg_cache_scope *scope, vg_cache_entry_fn callback,
                  void *payload)
{
    char key[VG_STORE_SCOPE_SIZE];
    list_args *a;
    int rc = VG_OK;

    if (!cache || !callback)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_list: NULL argument");
    if (scope && (rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK)
        return rc;
    if (!(a = calloc(1, sizeof *a)))
        return vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
    a->scope_key = scope ? key : NULL;
    a->callback = callback;
    a->payload = payload;
    do
        rc = vg__txn_run(cache->ctx, VG_TXN_READ, list_body, a);
    while (rc == VG_OK && !a->stopped && a->seen == 512);
    free(a);
    return rc;
}

typedef struct stats_args {
    int64_t values[C_COUNT];
} stats_args;

static int stats_body(vg__txn *txn, void *payload)
{
    stats_args *a = payload;
    int i, rc = VG_OK;
    for (i = 0; i < C_COUNT && rc == VG_OK; i++)
        rc = vg__counter_get(txn, &a->values[i], counter_names[i]);
    return rc;
}

int vg_cache_stats_get(vg_cache_stats *out, vg_cache *cache)
{
    stats_args a;
    int i, rc;

    if (!out || !cache)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_stats_get: NULL argument");
    memset(out, 0, sizeof *out);
    memset(&a, 0, sizeof a);
    if ((rc = vg__cache_sync(cache)) != VG_OK ||
        (rc = vg__txn_run(cache->ctx, VG_TXN_READ, stats_body, &a)) != VG_OK)
        return rc;
    out->version = VG_CACHE_STATS_VERSION;
    out->exact_hits = a.values[C_EXACT];
    out->semantic_hits = a.values[C_SEMANTIC];
    out->misses = a.values[C_MISS];
    out->gate_rejections = a.values[C_GATE];
    out->shadow_hits = a.values[C_SHADOW];
    out->saved_micro_usd = a.values[C_SAVED];
    pthread_rwlock_rdlock(&cache->lock);
    out->entries = (int64_t)cache->meta_count;
    out->scopes = cache->scope_count;
    for (i = 0; i < cache->scope_count; i++)
        if (vg__index_count(cache->scopes[i].index))
            out->bytes_per_entry = vg__index_bytes_per_row(cache->scopes[i].index) +
                                   sizeof(vg__entry_meta) + 2 * (8 + 4) * 4 / 3;
    out->scan_path = cache->scope_count
                         ? vg__index_path_name(cache->scopes[0].index, &cache->search)
                         : "none";
    pthread_rwlock_unlock(&cache->lock);
    return VG_OK;
}

int vg_cache_compare(double *similarity, int *gate_agrees, vg_cache *cache, const char *a,
                     const char *b)
{
    char na[VG_STORE_PROMPT_SIZE], nb[VG_STORE_PROMPT_SIZE];
    int dimension, i, rc;
    float *va, *vb;
    double sum = 0;

    if (!similarity || !cache || !a || !b)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_compare: NULL argument");
    if ((rc = prompt_normalize(cache->ctx, na, a)) != VG_OK ||
        (rc = prompt_normalize(cache->ctx, nb, b)) != VG_OK)
        return rc;
    dimension = cache->embedder.dimension;
    if (!(va = malloc(2 * (size_t)dimension * sizeof *va)))
        return vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
    vb = va + dimension;
    const char *both[2] = {na, nb};
    if ((rc = vg__cache_embed_many(cache, va, both, 2)) == VG_OK) { /* one batch of two */
        for (i = 0; i < dimension; i++)
            sum += (double)va[i] * vb[i];
        *similarity = clamp01(sum);
        if (gate_agrees)
            *gate_agrees = vg__gate_agree(na, nb, NULL);
    }
    free(va);
    return rc;
}
