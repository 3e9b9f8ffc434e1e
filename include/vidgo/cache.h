/* SPDX-License-Identifier: MIT */
/* The prompt-similarity cache: a request whose prompt means the same as a cached one, in
 * the same scope, reuses the cached result instead of paying a provider again. */
#ifndef VIDGO_CACHE_H
#define VIDGO_CACHE_H

#include "common.h"

VG_BEGIN_DECLS

/*
 * docs/cache.md has the whole story. In short:
 *
 * - Prompts are normalised (NFKC, case fold, white space collapsed). An identical
 *   normalised prompt in the same scope is an exact hit, found by hash without embedding.
 * - Otherwise the prompt is embedded (the `local` embedder offline, or a host's, e.g.
 *   Gemini) and compared by cosine with every entry of its scope (exact brute force, SIMD).
 *   A semantic hit needs cosine >= the threshold (0.85 by default) and, unless switched off,
 *   a second gate: negation words, numbers with units and colour words must agree.
 * - A scope is service + resolution + style + input image: a cached 4K video never answers
 *   a 720p request. Entries are shared within a scope, unless marked for their owner only.
 * - Entries persist in the store; a cache opened by another process sees them (each lookup
 *   first reads what changed).
 */

#define VG_PROMPT_MAX_BYTES 2000   /* a prompt, before and after normalisation */
#define VG_CACHE_RESULT_MAX_BYTES 1000

/* Normalises a prompt (NFKC, case fold, white space collapsed and trimmed) into out[size],
 * and writes its length to *out_len (may be NULL). Returns VG_OK, VG_EINVAL, VG_EUTF8,
 * VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG, or VG_EBUFSIZE (then *out_len is the size needed,
 * terminator excluded). */
VG_API int vg_prompt_normalize(char *out, size_t size, size_t *out_len, const char *prompt);

/* --- embedders -------------------------------------------------------------------------- */

/* Embeds `count` prompts (normalised, UTF-8) into out[count * dimension] floats. Returns 0,
 * or non-zero with a reason in errbuf (never a key); the library then answers VG_EPROVIDER
 * or the vg_status returned if it is one. Must be thread-safe. */
typedef int (*vg_embed_fn)(float *out, const char *const *prompts, size_t count, char *errbuf,
                           size_t errbuf_size, void *payload);

#define VG_EMBEDDER_VERSION 1

typedef struct vg_embedder {
    unsigned int version;  /* VG_EMBEDDER_VERSION */
    const char *name;      /* "local", "gemini"; with model and dimension, the fingerprint */
    const char *model;     /* "hashed-ngrams-v1", "gemini-embedding-001" */
    int dimension;         /* 1..4096 */
    size_t max_batch;      /* most prompts per call; 0 = 1 */
    vg_embed_fn embed;
    void *payload;
} vg_embedder;

/* Fills *out with the offline `local` embedder (hashed character n-grams, L2-normalised)
 * of `dimension` (0 = 768). Returns VG_OK, VG_EINVAL. */
VG_API int vg_embedder_local(vg_embedder *out, int dimension);

/*
 * Makes the Gemini embedder: batchEmbedContents (POST {base}/v1beta/models/{model}:
 * batchEmbedContents, key in the x-goog-api-key header, taskType SEMANTIC_SIMILARITY,
 * outputDimensionality `dimension`), at most 100 prompts a call, vectors checked and
 * L2-normalised. api_key NULL = the context's (vg_config.providers[VG_PROVIDER_GEMINI],
 * else $GEMINI_API_KEY); model NULL = "gemini-embedding-001"; dimension 0 = 768 (1..3072);
 * the base URL is the context's (config, else $VIDGO_GEMINI_BASE_URL, else
 * https://generativelanguage.googleapis.com). The key is never logged nor put in a message.
 * The embedder keeps ctx (free it before closing ctx, after closing every cache that uses
 * it); its embed function is thread-safe and returns VG_EPROVIDER_AUTH, VG_EPROVIDER_RATE,
 * VG_EPROVIDER_UNAVAILABLE, VG_EPROVIDER_REJECTED, VG_EPROVIDER_TIMEOUT,
 * VG_EPROVIDER_RESPONSE (wrong count or dimension, malformed JSON), VG_ENETWORK,
 * VG_ECIRCUIT_OPEN, VG_EINVAL or VG_ENOMEM, with the provider's message in errbuf.
 * Free it with vg_embedder_free. Returns VG_OK, VG_EINVAL, VG_ENO_API_KEY, VG_ECONFIG
 * (a base URL that is not http(s)), VG_ENOMEM.
 */
VG_API int vg_embedder_gemini(vg_embedder **out, vg_ctx *ctx, const char *api_key,
                              const char *model, int dimension);

/* Frees an embedder made by vg_embedder_gemini or vg_embedder_default (providers.h); NULL
 * (or any other embedder) is a no-op. */
VG_API void vg_embedder_free(vg_embedder *embedder);

/* --- opening a cache --------------------------------------------------------------------- */

typedef struct vg_cache vg_cache;

typedef enum vg_cache_quantize {
    VG_CACHE_QUANTIZE_AUTO = 0, /* int8 scan with float re-rank for large scopes */
    VG_CACHE_QUANTIZE_OFF = 1,
    VG_CACHE_QUANTIZE_ON = 2
} vg_cache_quantize;

#define VG_CACHE_OPTIONS_VERSION 1

typedef struct vg_cache_options {
    unsigned int version;        /* VG_CACHE_OPTIONS_VERSION */
    const vg_embedder *embedder; /* copied; NULL = vg_embedder_local(768) */
    double threshold;            /* default similarity for a hit, 0..1; 0 = 0.85 */
    int second_gate;             /* 1: negation, numbers and colours must agree */
    int shadow;                  /* 1: record would-be semantic hits, serve only exact ones */
    int64_t max_entries;         /* entries kept at most (least valuable evicted); 0 = no limit */
    vg_cache_quantize quantize;
    int threads;                 /* threads a large scan may use; 0 = the processors */
    int flight_wait_ms;          /* how long a near-duplicate waits for one in flight; 0 = 120000 */
    int negative_ttl_s;          /* how long a failed generation is remembered; 0 = 60 */
} vg_cache_options;

#define VG_CACHE_OPTIONS_INIT {VG_CACHE_OPTIONS_VERSION, NULL, 0, 1, 0, 0, VG_CACHE_QUANTIZE_AUTO, 0, 0, 0}

/* Fills *options with the defaults. Returns VG_OK, VG_EINVAL, VG_EVERSION. */
VG_API int vg_cache_options_init(vg_cache_options *options, unsigned int version);

/* Opens the cache of a context's store (options may be NULL) and loads its entries into
 * memory. The cache keeps `ctx`: close the cache first. Returns VG_OK, VG_EINVAL,
 * VG_EVERSION, VG_ECONFIG, VG_ENOMEM, or a store error. */
VG_API int vg_cache_open(vg_cache **out, vg_ctx *ctx, const vg_cache_options *options);

/* Frees a cache; NULL is a no-op. Flights still open are failed first. */
VG_API void vg_cache_close(vg_cache *cache);

/* --- scopes and entries ------------------------------------------------------------------ */

#define VG_CACHE_SCOPE_VERSION 1

/* What must be equal for a cached result to answer a request. */
typedef struct vg_cache_scope {
    unsigned int version;   /* VG_CACHE_SCOPE_VERSION */
    const char *service;    /* "video_720p", "image_1024", ... (required) */
    int resolution;         /* the output's short side in pixels; 0 = the service's */
    const char *style;      /* a style or effect name; NULL = none */
    const char *input_hash; /* the hex hash of an input image; NULL = none */
} vg_cache_scope;

#define VG_CACHE_SCOPE_INIT {VG_CACHE_SCOPE_VERSION, NULL, 0, NULL, NULL}

#define VG_CACHE_ENTRY_VERSION 1
#define VG_CACHE_SCOPE_KEY_SIZE 256
#define VG_CACHE_FINGERPRINT_SIZE 128

typedef struct vg_cache_entry {
    unsigned int version;                        /* set by the library */
    int64_t id;
    char scope[VG_CACHE_SCOPE_KEY_SIZE];         /* the scope as a key */
    char prompt[VG_PROMPT_MAX_BYTES + 1];        /* normalised */
    char result[VG_CACHE_RESULT_MAX_BYTES + 1];  /* the host's reference to the output */
    char fingerprint[VG_CACHE_FINGERPRINT_SIZE]; /* the embedder: "local/hashed-ngrams-v1/768" */
    int64_t owner_id;
    int owner_only;
    int64_t cost_micro_usd;
    int64_t hits;
    vg_time created_at;
    vg_time expires_at;                          /* 0: never */
    vg_time last_hit_at;
} vg_cache_entry;

/*
 * Stores a result under a scope and prompt: `result` is the host's reference to the output
 * (asset URLs as JSON, an id), 1..VG_CACHE_RESULT_MAX_BYTES bytes of UTF-8; cost_micro_usd
 * what generating it cost (it weighs eviction and counts as saved at each hit); ttl_s its
 * life (0: no expiry); owner_only: serve it to owner_id alone. Writes the id to *out_id
 * (may be NULL). Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG,
 * VG_EPROVIDER (the embedder failed), or a store error.
 */
VG_API int vg_cache_put(int64_t *out_id, vg_cache *cache, const vg_cache_scope *scope,
                        const char *prompt, const char *result, int64_t cost_micro_usd,
                        int ttl_s, int64_t owner_id, int owner_only);

/* How a lookup was answered. */
typedef enum vg_cache_match {
    VG_CACHE_MISS = 0,
    VG_CACHE_EXACT = 1,    /* the same normalised prompt */
    VG_CACHE_SEMANTIC = 2  /* cosine >= threshold, and the second gate agreed */
} vg_cache_match;

#define VG_CACHE_HIT_VERSION 1

typedef struct vg_cache_hit {
    unsigned int version;   /* set by the library */
    vg_cache_match match;
    double similarity;      /* of the best entry, 0..1 (1 for an exact hit); 0: none */
    double runner_up;       /* of the second best; 0: none */
    double threshold;       /* the threshold that applied */
    int gate_rejected;      /* 1: the best entry passed the threshold, the gate said no */
    int shadow;             /* 1: a semantic hit found in shadow mode and not served */
    vg_cache_entry entry;   /* the entry served (match != MISS), else the best candidate */
} vg_cache_hit;

/* Looks a prompt up in a scope for a user (0: anonymous; sees shared entries only). A miss
 * is VG_OK with match VG_CACHE_MISS. A hit counts on the entry. Returns VG_OK, VG_EINVAL,
 * VG_EUTF8, VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG, VG_EPROVIDER, or a store error. */
VG_API int vg_cache_lookup(vg_cache_hit *out, vg_cache *cache, const vg_cache_scope *scope,
                           const char *prompt, int64_t user_id);

/* Removes one entry (VG_ENOTFOUND if there is none), or every entry of a scope (writes how
 * many to *out_count, may be NULL). */
VG_API int vg_cache_invalidate(vg_cache *cache, int64_t id);
VG_API int vg_cache_invalidate_scope(int *out_count, vg_cache *cache, const vg_cache_scope *scope);

/* Sets the threshold of a scope (NULL: the default of every scope without its own), kept
 * in the store for every process. threshold 0..1; a negative one removes a scope's own.
 * Returns VG_OK, VG_EINVAL, VG_ERANGE, or a store error. */
VG_API int vg_cache_set_threshold(vg_cache *cache, const vg_cache_scope *scope, double threshold);

/* Receives one entry; return 0 to go on. */
typedef int (*vg_cache_entry_fn)(const vg_cache_entry *entry, void *payload);

/* Lists the live entries (of one scope, or all when scope is NULL), by id. */
VG_API int vg_cache_list(vg_cache *cache, const vg_cache_scope *scope, vg_cache_entry_fn callback,
                         void *payload);

/* Compares two prompts as a lookup would (for calibration): writes the cosine of their
 * embeddings, 0..1, to *similarity, and to *gate_agrees (may be NULL) whether the second
 * gate lets them match. Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EPROMPT_EMPTY,
 * VG_EPROMPT_TOO_LONG, VG_EPROVIDER, or a store error (embeddings are cached there). */
VG_API int vg_cache_compare(double *similarity, int *gate_agrees, vg_cache *cache,
                            const char *a, const char *b);

#define VG_CACHE_STATS_VERSION 1

typedef struct vg_cache_stats {
    unsigned int version;       /* set by the library */
    int64_t exact_hits;         /* counted in the store, over every process */
    int64_t semantic_hits;
    int64_t misses;
    int64_t gate_rejections;
    int64_t shadow_hits;
    int64_t saved_micro_usd;    /* the cost of every hit's entry */
    int64_t entries;            /* live entries in this process's index */
    int64_t scopes;
    size_t bytes_per_entry;     /* memory of the index per entry */
    const char *scan_path;      /* "avx2", "portable" (static storage) */
} vg_cache_stats;

VG_API int vg_cache_stats_get(vg_cache_stats *out, vg_cache *cache);

/* --- single flight and negative caching ------------------------------------------------- */

typedef struct vg_cache_flight vg_cache_flight;

/*
 * Starts work on a prompt, or finds it done. Looks the prompt up; on a hit fills *hit and
 * sets *out to NULL. When a near-duplicate (one that would hit) is being generated in this
 * process, waits for it (at most flight_wait_ms) and looks up again. When the same prompt
 * failed within negative_ttl_s, returns VG_EJOB_FAILED without a flight. Otherwise *out is
 * a flight the caller owns: it generates, then ends it with vg_cache_flight_done or
 * vg_cache_flight_fail. Returns VG_OK, VG_EJOB_FAILED, or what vg_cache_lookup returns.
 */
VG_API int vg_cache_flight_begin(vg_cache_flight **out, vg_cache_hit *hit, vg_cache *cache,
                                 const vg_cache_scope *scope, const char *prompt,
                                 int64_t user_id);

/* Ends a flight with its result (stored as vg_cache_put does) and wakes who waits for it;
 * frees the flight whatever it returns. */
VG_API int vg_cache_flight_done(vg_cache_flight *flight, const char *result,
                                int64_t cost_micro_usd, int ttl_s, int owner_only);

/* Ends a flight that failed: remembers the failure for negative_ttl_s and wakes who waits
 * (they then proceed on their own). Frees the flight. */
VG_API void vg_cache_flight_fail(vg_cache_flight *flight);

/* --- the block cache ---------------------------------------------------------------------- */

/* Remembers a moderation verdict for a prompt (normalised first) for ttl_s seconds
 * (0 = 7 days): `reason` is its code ("adult", ...; 1..31 bytes of ASCII). Returns VG_OK,
 * VG_EINVAL, VG_EUTF8, VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG, or a store error. */
VG_API int vg_block_put(vg_ctx *ctx, const char *prompt, const char *reason, int ttl_s);

/* Reads a live verdict for a prompt into reason[size]: VG_OK when it is blocked,
 * VG_ENOTFOUND when not (or expired). */
VG_API int vg_block_get(char *reason, size_t size, vg_ctx *ctx, const char *prompt);

VG_END_DECLS

#endif
