/* SPDX-License-Identifier: MIT */
/* An open cache: options, the embedder, scopes with their indexes, and the incremental sync
 * that keeps the memory in step with the store (entries added and deleted by any process). */
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cache_state.h"

#define SYNC_BATCH 512
#define DEFAULT_FLIGHT_WAIT_MS 120000
#define DEFAULT_NEGATIVE_TTL_S 60
#define DEFAULT_THRESHOLD 0.85

/* --- the slot map ------------------------------------------------------------------------ */

static uint64_t map_key(uint64_t key)
{
    return key ? key : 1; /* 0 marks a free place */
}

static int map_grow(vg__slot_map *map)
{
    size_t capacity = map->capacity ? map->capacity * 2 : 64, i;
    uint64_t *keys = calloc(capacity, sizeof *keys);
    int32_t *slots = calloc(capacity, sizeof *slots);

    if (!keys || !slots) {
        free(keys);
        free(slots);
        return VG_ENOMEM;
    }
    for (i = 0; i < map->capacity; i++) {
        size_t at;
        if (!map->keys[i])
            continue;
        for (at = map->keys[i] & (capacity - 1); keys[at]; at = (at + 1) & (capacity - 1))
            ;
        keys[at] = map->keys[i];
        slots[at] = map->slots[i];
    }
    free(map->keys);
    free(map->slots);
    map->keys = keys;
    map->slots = slots;
    map->capacity = capacity;
    return VG_OK;
}

/* Adds key -> slot (keys may repeat: the prompt map holds every entry of a hash prefix). */
static int map_put(vg__slot_map *map, uint64_t key, int32_t slot)
{
    size_t at;
    key = map_key(key);
    if ((map->count + 1) * 4 > map->capacity * 3 && map_grow(map) != VG_OK)
        return VG_ENOMEM;
    for (at = key & (map->capacity - 1); map->keys[at]; at = (at + 1) & (map->capacity - 1))
        ;
    map->keys[at] = key;
    map->slots[at] = slot;
    map->count++;
    return VG_OK;
}

/* Calls visit for each slot under key until it returns non-zero; returns that slot or -1. */
static int32_t map_find(const vg__slot_map *map, uint64_t key,
                        int (*visit)(const vg_cache *, int32_t, const void *),
                        const vg_cache *cache, const void *arg)
{
    size_t at;
    key = map_key(key);
    if (!map->capacity)
        return -1;
    for (at = key & (map->capacity - 1); map->keys[at]; at = (at + 1) & (map->capacity - 1))
        if (map->keys[at] == key && visit(cache, map->slots[at], arg))
            return map->slots[at];
    return -1;
}

/* Removes key -> slot, re-placing the run after it (linear probing deletion). */
static void map_remove(vg__slot_map *map, uint64_t key, int32_t slot)
{
    size_t at, next, home;
    key = map_key(key);
    if (!map->capacity)
        return;
    for (at = key & (map->capacity - 1); map->keys[at]; at = (at + 1) & (map->capacity - 1))
        if (map->keys[at] == key && map->slots[at] == slot)
            break;
    if (!map->keys[at])
        return;
    map->keys[at] = 0;
    map->count--;
    for (next = (at + 1) & (map->capacity - 1); map->keys[next];
         next = (next + 1) & (map->capacity - 1)) {
        uint64_t k = map->keys[next];
        int32_t s = map->slots[next];
        home = k & (map->capacity - 1);
        /* leave it if its home lies cyclically in (at, next] */
        if ((next > at && (home <= at || home > next)) || (next < at && home <= at && home > next)) {
            map->keys[at] = k;
            map->slots[at] = s;
            map->keys[next] = 0;
            at = next;
        }
    }
}

/* Changes the slot stored for key from `from` to `to`. */
static void map_move(vg__slot_map *map, uint64_t key, int32_t from, int32_t to)
{
    size_t at;
    key = map_key(key);
    for (at = key & (map->capacity - 1); map->keys[at]; at = (at + 1) & (map->capacity - 1))
        if (map->keys[at] == key && map->slots[at] == from) {
            map->slots[at] = to;
            return;
        }
}

static uint64_t prefix64(const unsigned char *hash)
{
    uint64_t v;
    memcpy(&v, hash, sizeof v);
    return v;
}

static int same_id(const vg_cache *cache, int32_t slot, const void *arg)
{
    return cache->metas[slot].id == *(const int64_t *)arg;
}

static int same_prompt(const vg_cache *cache, int32_t slot, const void *arg)
{
    return memcmp(cache->metas[slot].prompt_hash, arg, VG_STORE_HASH_SIZE) == 0;
}

const vg__entry_meta *vg__meta_by_id(const vg_cache *cache, int64_t id)
{
    int32_t slot = map_find(&cache->by_id, (uint64_t)id, same_id, cache, &id);
    return slot < 0 ? NULL : &cache->metas[slot];
}

const vg__entry_meta *vg__meta_by_prompt(const vg_cache *cache,
                                         const unsigned char hash[VG_STORE_HASH_SIZE])
{
    int32_t slot = map_find(&cache->by_prompt, prefix64(hash), same_prompt, cache, hash);
    return slot < 0 ? NULL : &cache->metas[slot];
}

int vg__meta_servable(const vg__entry_meta *meta, int64_t user_id, vg_time now)
{
    return (!meta->owner_only || meta->owner_id == user_id) &&
           (!meta->expires_at || meta->expires_at > now);
}

/* --- scopes and keys --------------------------------------------------------------------- */

/* A part of a scope key: printable ASCII without '|', at most 100 bytes. */
static int key_part_ok(const char *s)
{
    size_t n = 0;
    for (; *s; s++, n++)
        if (*s < 0x21 || *s > 0x7e || *s == '|')
            return 0;
    return n <= 100;
}

int vg__scope_key(vg_ctx *ctx, char key[VG_STORE_SCOPE_SIZE], const vg_cache_scope *scope)
{
    if (!scope || scope->version != VG_CACHE_SCOPE_VERSION)
        return vg__fail(ctx, scope ? VG_EVERSION : VG_EINVAL,
                        "a cache scope is needed (VG_CACHE_SCOPE_INIT)");
    if (!scope->service || !*scope->service || !key_part_ok(scope->service) ||
        (scope->style && !key_part_ok(scope->style)) ||
        (scope->input_hash && !key_part_ok(scope->input_hash)) || scope->resolution < 0 ||
        scope->resolution > 100000)
        return vg__fail(ctx, VG_EINVAL, "a cache scope has a service, a resolution 0..100000 "
                                        "and parts of printable ASCII without '|'");
    snprintf(key, VG_STORE_SCOPE_SIZE, "%s|%d|%s|%s", scope->service, scope->resolution,
             scope->style ? scope->style : "", scope->input_hash ? scope->input_hash : "");
    return VG_OK;
}

void vg__prompt_hash(unsigned char out[VG_STORE_HASH_SIZE], const char *scope_key,
                     const char *normalized)
{
    crypto_generichash_state state;
    crypto_generichash_init(&state, NULL, 0, VG_STORE_HASH_SIZE);
    crypto_generichash_update(&state, (const unsigned char *)scope_key, strlen(scope_key) + 1);
    crypto_generichash_update(&state, (const unsigned char *)normalized, strlen(normalized));
    crypto_generichash_final(&state, out, VG_STORE_HASH_SIZE);
}

int vg__scope_find(const vg_cache *cache, const char *key)
{
    int i;
    for (i = 0; i < cache->scope_count; i++)
        if (strcmp(cache->scopes[i].key, key) == 0)
            return i;
    return -1;
}

/* Finds or makes a scope (write lock held); -1 when out of memory. */
static int scope_get(vg_cache *cache, const char *key)
{
    int i = vg__scope_find(cache, key);
    vg__scope *scopes;

    if (i >= 0)
        return i;
    scopes = realloc(cache->scopes, (size_t)(cache->scope_count + 1) * sizeof *scopes);
    if (!scopes)
        return -1;
    cache->scopes = scopes;
    i = cache->scope_count;
    memset(&scopes[i], 0, sizeof scopes[i]);
    snprintf(scopes[i].key, sizeof scopes[i].key, "%s", key);
    if (vg__index_new(&scopes[i].index, cache->embedder.dimension) != VG_OK)
        return -1;
    cache->scope_count++;
    return i;
}

/* --- the sync ---------------------------------------------------------------------------- */

/* Forgets an entry (write lock held); the last meta takes its slot. */
static void meta_forget(vg_cache *cache, int64_t id)
{
    int32_t slot = map_find(&cache->by_id, (uint64_t)id, same_id, cache, &id);
    int32_t last = (int32_t)cache->meta_count - 1;
    vg__entry_meta *m;

    if (slot < 0)
        return;
    m = &cache->metas[slot];
    vg__index_remove(cache->scopes[m->scope].index, id);
    map_remove(&cache->by_id, (uint64_t)id, slot);
    map_remove(&cache->by_prompt, prefix64(m->prompt_hash), slot);
    if (slot != last) {
        vg__entry_meta *moved = &cache->metas[last];
        map_move(&cache->by_id, (uint64_t)moved->id, last, slot);
        map_move(&cache->by_prompt, prefix64(moved->prompt_hash), last, slot);
        *m = *moved;
    }
    cache->meta_count--;
}

/* Takes a live entry of this cache's embedder into memory (write lock held). */
static int meta_learn(vg_cache *cache, const vg_store_cache_entry *e)
{
    vg__entry_meta *m;
    int scope, rc;

    if (vg__meta_by_id(cache, e->id))
        return VG_OK;
    if (cache->meta_count == cache->meta_capacity) {
        size_t capacity = cache->meta_capacity ? cache->meta_capacity * 2 : 256;
        vg__entry_meta *metas = realloc(cache->metas, capacity * sizeof *metas);
        if (!metas)
            return VG_ENOMEM;
        cache->metas = metas;
        cache->meta_capacity = capacity;
    }
    if ((scope = scope_get(cache, e->scope)) < 0)
        return VG_ENOMEM;
    rc = vg__index_add(cache->scopes[scope].index, e->id, e->owner_only ? e->owner_id : 0,
                       e->vector);
    if (rc != VG_OK)
        return rc;
    m = &cache->metas[cache->meta_count];
    m->id = e->id;
    m->scope = scope;
    memcpy(m->prompt_hash, e->prompt_hash, sizeof m->prompt_hash);
    m->owner_id = e->owner_id;
    m->owner_only = e->owner_only;
    m->cost_micro_usd = e->cost_micro_usd;
    m->hits = e->hits;
    m->expires_at = e->expires_at;
    if (map_put(&cache->by_id, (uint64_t)e->id, (int32_t)cache->meta_count) != VG_OK ||
        map_put(&cache->by_prompt, prefix64(e->prompt_hash), (int32_t)cache->meta_count) !=
            VG_OK)
        return VG_ENOMEM;
    cache->meta_count++;
    return VG_OK;
}

typedef struct threshold_args {
    const char *scope_key;
    double value;
    int found;
} threshold_args;

static int threshold_read(vg__txn *txn, void *payload)
{
    threshold_args *a = payload;
    char name[VG_STORE_SCOPE_SIZE + 32], *text = NULL;
    int rc, pass;

    a->found = 0;
    for (pass = 0; pass < 2 && !a->found; pass++) {
        snprintf(name, sizeof name, pass == 0 ? "cache.threshold.%s" : "cache.threshold",
                 a->scope_key);
        rc = vg__meta_get(txn, &text, name, 0);
        if (rc == VG_ENOTFOUND)
            continue;
        if (rc != VG_OK)
            return rc;
        a->value = atof(text);
        a->found = 1;
        vg__free(txn->ctx, text);
    }
    return VG_OK;
}


/* A batch of changes read from the store: copies, applied afterwards under the write lock,
 * so that a lookup that finds nothing new never holds the cache exclusively. */
typedef struct sync_pass {
    vg_cache *cache;
    threshold_args *threshold; /* read in the first transaction too; NULL: not wanted */
    int64_t after_seq;         /* the changes after this one */
    vg_store_cache_entry *changes; /* SYNC_BATCH copies, made on the first change */
    float *vectors;            /* SYNC_BATCH x dimension */
    int count;
    int rc;                    /* of copying */
} sync_pass;

static int copy_change(const vg_store_cache_entry *e, void *payload)
{
    sync_pass *p = payload;
    size_t dimension = (size_t)p->cache->embedder.dimension;
    vg_store_cache_entry *copy;

    if (!p->changes) { /* made on the first change: a lookup that finds none allocates nothing */
        p->changes = malloc(SYNC_BATCH * sizeof *p->changes);
        p->vectors = malloc(SYNC_BATCH * dimension * sizeof *p->vectors);
        if (!p->changes || !p->vectors) {
            p->rc = VG_ENOMEM;
            return 1;
        }
    }
    copy = &p->changes[p->count];
    *copy = *e;
    copy->vector = NULL;
    if (!e->deleted && e->vector && (size_t)e->dimension == dimension) {
        float *v = p->vectors + (size_t)p->count * dimension;
        memcpy(v, e->vector, dimension * sizeof *v);
        copy->vector = v;
    }
    p->count++;
    return 0;
}

static int sync_body(vg__txn *txn, void *payload)
{
    sync_pass *p = payload;
    int rc = VG_OK;

    p->count = 0;
    p->rc = VG_OK;
    if (p->threshold && (rc = threshold_read(txn, p->threshold)) != VG_OK)
        return rc;
    rc = vg__cache_entries_changed(txn, p->after_seq, SYNC_BATCH, copy_change, p);
    return rc == VG_OK && p->rc != VG_OK ? vg__fail(txn->ctx, p->rc, "out of memory") : rc;
}

/* Applies a batch (write lock held), skipping what another thread applied meanwhile. */
static int apply_changes(vg_cache *cache, const sync_pass *p)
{
    int i, rc = VG_OK;

    for (i = 0; i < p->count && rc == VG_OK; i++) {
        const vg_store_cache_entry *e = &p->changes[i];
        if (e->seq <= cache->synced_seq)
            continue;
        if (e->deleted)
            meta_forget(cache, e->id);
        else if (e->vector && strcmp(e->fingerprint, cache->fingerprint) == 0)
            rc = meta_learn(cache, e); /* another embedder's entries never match */
        if (rc == VG_OK)
            cache->synced_seq = e->seq;
    }
    return rc;
}

int vg__cache_sync(vg_cache *cache)
{
    return vg__cache_sync_threshold(cache, NULL, NULL);
}

int vg__cache_sync_threshold(vg_cache *cache, const char *scope_key, double *threshold)
{
    threshold_args wanted = {scope_key, 0, 0};
    sync_pass pass;
    int rc = VG_OK;

    memset(&pass, 0, sizeof pass);
    pass.cache = cache;
    pass.threshold = threshold ? &wanted : NULL;
    while (rc == VG_OK) {
        pthread_rwlock_rdlock(&cache->lock);
        pass.after_seq = cache->synced_seq;
        pthread_rwlock_unlock(&cache->lock);
        rc = vg__txn_run(cache->ctx, VG_TXN_READ, sync_body, &pass);
        pass.threshold = NULL; /* read once */
        if (rc != VG_OK || pass.count == 0)
            break;
        pthread_rwlock_wrlock(&cache->lock);
        rc = apply_changes(cache, &pass);
        pthread_rwlock_unlock(&cache->lock);
        if (rc != VG_OK)
            rc = vg__fail(cache->ctx, rc, "cannot take cache entries into memory");
        if (pass.count < SYNC_BATCH)
            break;
    }
    free(pass.changes);
    free(pass.vectors);
    if (threshold)
        *threshold = wanted.found ? wanted.value : cache->threshold;
    return rc;
}

/* --- embeddings and thresholds ------------------------------------------------------------ */

/* A batch of prompts to embed: which were found in the store, the vectors. */
typedef struct embed_args {
    vg_cache *cache;
    size_t count;
    const char *const *prompts;
    unsigned char (*hashes)[VG_STORE_HASH_SIZE];
    int *found;
    float *vectors;   /* count x dimension */
} embed_args;

static int embeddings_read(vg__txn *txn, void *payload)
{
    embed_args *a = payload;
    size_t dimension = (size_t)a->cache->embedder.dimension, i;
    vg_store_embedding e;
    int rc = VG_OK;

    for (i = 0; i < a->count && rc == VG_OK; i++) {
        a->found[i] = 0;
        rc = vg__embedding_get(txn, &e, a->hashes[i], a->cache->fingerprint);
        if (rc == VG_OK && (size_t)e.dimension == dimension) {
            memcpy(a->vectors + i * dimension, e.vector, dimension * sizeof(float));
            a->found[i] = 1;
        }
        if (rc == VG_ENOTFOUND)
            rc = VG_OK;
    }
    return rc;
}

static int embeddings_write(vg__txn *txn, void *payload)
{
    embed_args *a = payload;
    vg_store_embedding e;
    size_t i;
    int rc = VG_OK;

    for (i = 0; i < a->count && rc == VG_OK; i++) {
        if (a->found[i])
            continue;
        memset(&e, 0, sizeof e);
        memcpy(e.prompt_hash, a->hashes[i], sizeof e.prompt_hash);
        snprintf(e.fingerprint, sizeof e.fingerprint, "%s", a->cache->fingerprint);
        e.created_at = vg_ctx_now(txn->ctx);
        e.dimension = a->cache->embedder.dimension;
        e.vector = a->vectors + i * (size_t)e.dimension;
        rc = vg__embedding_put(txn, &e);
    }
    return rc;
}

/* Scales a vector to unit length; returns 0 for the zero (or a non-finite) vector. */
static int l2_normalise(float *v, int dimension)
{
    double sum = 0;
    int i;
    for (i = 0; i < dimension; i++)
        sum += (double)v[i] * v[i];
    if (!(sum > 0) || !isfinite(sum))
        return 0;
    for (i = 0; i < dimension; i++)
        v[i] = (float)(v[i] / sqrt(sum));
    return 1;
}

/* Calls the embedder for the prompts not found, in batches of at most max_batch. */
static int embed_missing(vg_cache *cache, embed_args *a)
{
    size_t dimension = (size_t)cache->embedder.dimension;
    size_t batch = cache->embedder.max_batch ? cache->embedder.max_batch : 1, i, n;
    const char **todo = malloc(a->count * sizeof *todo);
    float *out = malloc(batch * dimension * sizeof *out);
    size_t *where = malloc(a->count * sizeof *where);
    char errbuf[256] = "";
    int rc = VG_OK, k;

    if (!todo || !out || !where) {
        rc = vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    for (i = n = 0; i < a->count; i++)
        if (!a->found[i]) {
            todo[n] = a->prompts[i];
            where[n++] = i;
        }
    for (i = 0; i < n && rc == VG_OK; i += batch) {
        size_t take = n - i < batch ? n - i : batch, j;
        k = cache->embedder.embed(out, todo + i, take, errbuf, sizeof errbuf,
                                  cache->embedder.payload);
        if (k != 0) {
            rc = vg__fail(cache->ctx, k < 0 && k > -1000 ? k : VG_EPROVIDER,
                          "the %s embedder failed: %s", cache->embedder_name,
                          errbuf[0] ? errbuf : "no reason given");
            break;
        }
        for (j = 0; j < take; j++) {
            float *v = a->vectors + where[i + j] * dimension;
            memcpy(v, out + j * dimension, dimension * sizeof *v);
            if (!l2_normalise(v, (int)dimension))
                memset(v, 0, dimension * sizeof *v);
        }
    }
done:
    free(todo);
    free(out);
    free(where);
    return rc;
}

int vg__cache_embed_many(vg_cache *cache, float *out, const char *const *normalized,
                         size_t count)
{
    embed_args a = {cache, count, normalized, NULL, NULL, out};
    size_t i, missing = 0;
    int rc;

    a.hashes = malloc(count * sizeof *a.hashes);
    a.found = malloc(count * sizeof *a.found);
    if (!a.hashes || !a.found) {
        rc = vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < count; i++)
        crypto_generichash(a.hashes[i], VG_STORE_HASH_SIZE, (const unsigned char *)normalized[i],
                           strlen(normalized[i]), NULL, 0);
    if ((rc = vg__txn_run(cache->ctx, VG_TXN_READ, embeddings_read, &a)) != VG_OK)
        goto done;
    for (i = 0; i < count; i++)
        missing += !a.found[i];
    if (missing && (rc = embed_missing(cache, &a)) == VG_OK &&
        !(cache->ctx->flags & VG_OPEN_READONLY))
        rc = vg__txn_run(cache->ctx, VG_TXN_WRITE, embeddings_write, &a);
done:
    free(a.hashes);
    free(a.found);
    return rc;
}

int vg__cache_embed(vg_cache *cache, float *out, const char *normalized)
{
    return vg__cache_embed_many(cache, out, &normalized, 1);
}

/* --- opening and closing ----------------------------------------------------------------- */

int vg_cache_options_init(vg_cache_options *options, unsigned int version)
{
    static const vg_cache_options defaults = VG_CACHE_OPTIONS_INIT;
    if (!options)
        return vg__fail(NULL, VG_EINVAL, "options is NULL");
    if (version != VG_CACHE_OPTIONS_VERSION)
        return vg__fail(NULL, VG_EVERSION, "cache options version %u is not %u", version,
                        VG_CACHE_OPTIONS_VERSION);
    *options = defaults;
    return VG_OK;
}

static int embedder_check(vg_ctx *ctx, const vg_embedder *e)
{
    if (e->version != VG_EMBEDDER_VERSION || !e->name || !*e->name || !e->model || !e->embed ||
        e->dimension < 1 || e->dimension > 4096 || strlen(e->name) >= 64 ||
        strlen(e->name) + strlen(e->model) + 8 >= VG_STORE_FINGERPRINT_SIZE ||
        strchr(e->name, '/') || strchr(e->model, '/'))
        return vg__fail(ctx, VG_ECONFIG, "the embedder needs version %d, a name and a model "
                                         "(without '/', 119 bytes together at most), a "
                                         "dimension 1..4096 and a function",
                        VG_EMBEDDER_VERSION);
    return VG_OK;
}

int vg_cache_open(vg_cache **out, vg_ctx *ctx, const vg_cache_options *options)
{
    vg_cache_options defaults = VG_CACHE_OPTIONS_INIT;
    vg_embedder local;
    vg_cache *cache;
    int rc;

    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_cache_open: NULL argument");
    *out = NULL;
    if (!options)
        options = &defaults;
    if (options->version != VG_CACHE_OPTIONS_VERSION)
        return vg__fail(ctx, VG_EVERSION, "cache options version %u is not %u", options->version,
                        VG_CACHE_OPTIONS_VERSION);
    if (options->threshold < 0 || options->threshold > 1 || options->max_entries < 0 ||
        options->threads < 0 || options->flight_wait_ms < 0 || options->negative_ttl_s < 0 ||
        options->quantize < VG_CACHE_QUANTIZE_AUTO || options->quantize > VG_CACHE_QUANTIZE_ON)
        return vg__fail(ctx, VG_ECONFIG, "cache options: threshold 0..1, and no negative "
                                         "counts or times");
    vg_embedder_local(&local, 0);
    if ((rc = embedder_check(ctx, options->embedder ? options->embedder : &local)) != VG_OK)
        return rc;
    if (!(cache = calloc(1, sizeof *cache)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    cache->ctx = ctx;
    cache->options = *options;
    cache->embedder = options->embedder ? *options->embedder : local;
    snprintf(cache->embedder_name, sizeof cache->embedder_name, "%s", cache->embedder.name);
    snprintf(cache->embedder_model, sizeof cache->embedder_model, "%s", cache->embedder.model);
    cache->embedder.name = cache->embedder_name;
    cache->embedder.model = cache->embedder_model;
    snprintf(cache->fingerprint, sizeof cache->fingerprint, "%.63s/%.*s/%d",
             cache->embedder_name, (int)(sizeof cache->fingerprint - 70), cache->embedder_model,
             cache->embedder.dimension);
    cache->threshold = options->threshold > 0 ? options->threshold : DEFAULT_THRESHOLD;
    if (!cache->options.flight_wait_ms)
        cache->options.flight_wait_ms = DEFAULT_FLIGHT_WAIT_MS;
    if (!cache->options.negative_ttl_s)
        cache->options.negative_ttl_s = DEFAULT_NEGATIVE_TTL_S;
    cache->search.path = options->quantize == VG_CACHE_QUANTIZE_ON ? VG__PATH_INT8
                         : options->quantize == VG_CACHE_QUANTIZE_OFF ? VG__PATH_AVX2
                                                                       : VG__PATH_AUTO;
    cache->search.threads = options->threads ? options->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
    pthread_rwlock_init(&cache->lock, NULL);
    pthread_mutex_init(&cache->flight_lock, NULL);
    pthread_cond_init(&cache->flight_done, NULL);
    if ((rc = vg__cache_sync(cache)) != VG_OK) {
        vg_cache_close(cache);
        return rc;
    }
    vg__log(ctx, VG_LOG_INFO, "cache open: %zu entries in %d scopes, embedder %s",
            cache->meta_count, cache->scope_count, cache->fingerprint);
    *out = cache;
    return VG_OK;
}

void vg_cache_close(vg_cache *cache)
{
    int i;
    if (!cache)
        return;
    vg__cache_flights_end(cache);
    for (i = 0; i < cache->scope_count; i++)
        vg__index_free(cache->scopes[i].index);
    free(cache->scopes);
    free(cache->metas);
    free(cache->by_id.keys);
    free(cache->by_id.slots);
    free(cache->by_prompt.keys);
    free(cache->by_prompt.slots);
    pthread_cond_destroy(&cache->flight_done);
    pthread_mutex_destroy(&cache->flight_lock);
    pthread_rwlock_destroy(&cache->lock);
    free(cache);
}
