/* SPDX-License-Identifier: MIT */
/* The state of an open cache: its scopes, each with a vector index, the entries' metadata,
 * the flights in progress, and how far it has read the store's changes. */
#ifndef VG_CACHE_STATE_H
#define VG_CACHE_STATE_H

#include "cache_internal.h"
#include "../store/store.h"

/* What the cache keeps in memory of an entry (the texts stay in the store). */
typedef struct vg__entry_meta {
    int64_t id;
    int scope;                  /* index into the cache's scopes */
    unsigned char prompt_hash[VG_STORE_HASH_SIZE];
    int64_t owner_id;
    int owner_only;
    int64_t cost_micro_usd;
    int64_t hits;
    vg_time expires_at;
} vg__entry_meta;

typedef struct vg__scope {
    char key[VG_STORE_SCOPE_SIZE];
    vg__index *index;
} vg__scope;

/* A map of 64-bit keys to slots (open addressing); key 0 is never stored. */
typedef struct vg__slot_map {
    uint64_t *keys;
    int32_t *slots;
    size_t capacity;            /* a power of two */
    size_t count;
} vg__slot_map;

struct vg_cache_flight; /* flight.c */

struct vg_cache {
    vg_ctx *ctx;
    vg_embedder embedder;
    char embedder_name[64];
    char embedder_model[128];
    char fingerprint[VG_STORE_FINGERPRINT_SIZE];
    vg_cache_options options;
    double threshold;           /* the default, from the options */
    vg__search_options search;

    pthread_rwlock_t lock;      /* the scopes, metas, maps and synced_seq */
    vg__scope *scopes;
    int scope_count;
    vg__entry_meta *metas;
    size_t meta_count, meta_capacity;
    vg__slot_map by_id;         /* id -> meta slot */
    vg__slot_map by_prompt;     /* first 8 bytes of prompt_hash -> meta slot (checked in full) */
    int64_t synced_seq;

    pthread_mutex_t flight_lock; /* flights and failures */
    pthread_cond_t flight_done;
    struct vg_cache_flight *flights;
    struct vg__failure *failures;
};

/* A recent failure of a prompt in a scope (negative caching). */
typedef struct vg__failure {
    unsigned char prompt_hash[VG_STORE_HASH_SIZE];
    vg_time until;
    struct vg__failure *next;
} vg__failure;

/* The scope key of a request: "service|resolution|style|input". VG_EINVAL if malformed. */
int vg__scope_key(vg_ctx *ctx, char key[VG_STORE_SCOPE_SIZE], const vg_cache_scope *scope);

/* The hash that finds an identical request: BLAKE2b-256 of scope key, NUL, prompt. */
void vg__prompt_hash(unsigned char out[VG_STORE_HASH_SIZE], const char *scope_key,
                     const char *normalized);

/* Reads every change of the store since the last sync into memory (write-locks the cache). */
int vg__cache_sync(vg_cache *cache);

/* Finds a scope by key (read or write lock held); -1 if the cache has none. */
int vg__scope_find(const vg_cache *cache, const char *key);

/* Finds the live entry of an identical prompt (lock held); NULL if none. */
const vg__entry_meta *vg__meta_by_prompt(const vg_cache *cache,
                                         const unsigned char hash[VG_STORE_HASH_SIZE]);
const vg__entry_meta *vg__meta_by_id(const vg_cache *cache, int64_t id);

/* Returns 1 if user_id may be served the entry at `now`. */
int vg__meta_servable(const vg__entry_meta *meta, int64_t user_id, vg_time now);

/* Embeds a normalised prompt through the store's embedding cache into out[dimension]
 * (L2-normalised). Returns VG_OK, VG_EPROVIDER (or the embedder's status), a store error. */
int vg__cache_embed(vg_cache *cache, float *out, const char *normalized);

/* The same for `count` prompts into out[count * dimension]: those not in the store are
 * embedded in batches of the embedder's max_batch, then stored. */
int vg__cache_embed_many(vg_cache *cache, float *out, const char *const *normalized,
                         size_t count);

/* Syncs as vg__cache_sync does, and in the same first transaction reads the threshold of a
 * scope into *threshold: its own, else the store's default, else the options'. */
int vg__cache_sync_threshold(vg_cache *cache, const char *scope_key, double *threshold);

/* Fails every flight still open and forgets the failures (flight.c; at close). */
void vg__cache_flights_end(vg_cache *cache);

/* Looks a normalised prompt up (lookup.c): fills *out, and writes the query's vector to
 * query[dimension] when it was embedded (*embedded = 1). */
int vg__cache_lookup_normalized(vg_cache_hit *out, vg_cache *cache, const char *scope_key,
                                const char *normalized, int64_t user_id, float *query,
                                int *embedded);

/* Checks what vg_cache_put stores besides the prompt (lookup.c). */
int vg__cache_put_check(vg_ctx *ctx, const char *result, int64_t cost, int ttl_s,
                        int64_t owner_id);

/* Stores an entry of a normalised prompt (lookup.c); query (may be NULL) is its vector. */
int vg__cache_put_normalized(int64_t *out_id, vg_cache *cache, const char *scope_key,
                             const char *normalized, const float *query, const char *result,
                             int64_t cost_micro_usd, int ttl_s, int64_t owner_id,
                             int owner_only);

#endif
