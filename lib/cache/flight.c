/* SPDX-License-Identifier: MIT */
/* Single flight and negative caching: a near-duplicate of a prompt being generated waits
 * for it instead of paying twice, and a prompt that just failed is not tried again at once. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache_state.h"

enum { FLIGHT_RUNNING, FLIGHT_DONE, FLIGHT_FAILED, FLIGHT_ABANDONED };

struct vg_cache_flight {
    vg_cache *cache;
    char scope_key[VG_STORE_SCOPE_SIZE];
    char normalized[VG_STORE_PROMPT_SIZE];
    unsigned char hash[VG_STORE_HASH_SIZE];
    float *vector;
    int64_t user_id;
    int state;
    int waiters;              /* callers waiting for it; the last one out frees an ended flight */
    struct vg_cache_flight *next;
};

static float dot(const float *a, const float *b, int n)
{
    double sum = 0;
    int i;
    for (i = 0; i < n; i++)
        sum += (double)a[i] * b[i];
    return (float)sum;
}

/* A running flight that a lookup of (scope, prompt, query) would have hit (lock held). */
static struct vg_cache_flight *near_duplicate(vg_cache *cache, const char *scope_key,
                                              const char *normalized,
                                              const unsigned char *hash, const float *query,
                                              double threshold)
{
    struct vg_cache_flight *f;
    for (f = cache->flights; f; f = f->next) {
        if (f->state != FLIGHT_RUNNING || strcmp(f->scope_key, scope_key) != 0)
            continue;
        if (memcmp(f->hash, hash, sizeof f->hash) == 0)
            return f;
        if (dot(f->vector, query, cache->embedder.dimension) >= threshold &&
            (!cache->options.second_gate || vg__gate_agree(normalized, f->normalized, NULL)))
            return f;
    }
    return NULL;
}

/* The seconds left of a recent failure of this prompt (lock held); 0 if none. */
static int failed_recently(vg_cache *cache, const unsigned char *hash, vg_time now)
{
    vg__failure **at = &cache->failures, *f;
    while ((f = *at)) {
        if (f->until <= now) { /* forget the old ones on the way */
            *at = f->next;
            free(f);
            continue;
        }
        if (memcmp(f->prompt_hash, hash, sizeof f->prompt_hash) == 0)
            return (int)((f->until - now + 999999) / 1000000);
        at = &f->next;
    }
    return 0;
}

/* Waits until a flight ends or the deadline passes (lock held). Returns its final state. */
static int wait_for(vg_cache *cache, struct vg_cache_flight *f, const struct timespec *deadline)
{
    int state;
    f->waiters++;
    while (f->state == FLIGHT_RUNNING &&
           pthread_cond_timedwait(&cache->flight_done, &cache->flight_lock, deadline) != ETIMEDOUT)
        ;
    state = f->state;
    if (--f->waiters == 0 && state != FLIGHT_RUNNING) {
        free(f->vector);
        free(f);
    }
    return state;
}

int vg_cache_flight_begin(vg_cache_flight **out, vg_cache_hit *hit, vg_cache *cache,
                          const vg_cache_scope *scope, const char *prompt, int64_t user_id)
{
    char key[VG_STORE_SCOPE_SIZE];
    struct vg_cache_flight *f = NULL, *other;
    struct timespec deadline;
    int embedded, waited = 0, left, rc;

    if (!out || !hit || !cache || !prompt)
        return vg__fail(cache ? cache->ctx : NULL, VG_EINVAL, "vg_cache_flight_begin: NULL argument");
    *out = NULL;
    if ((rc = vg__scope_key(cache->ctx, key, scope)) != VG_OK)
        return rc;
    if (!(f = calloc(1, sizeof *f)) ||
        !(f->vector = malloc((size_t)cache->embedder.dimension * sizeof *f->vector))) {
        free(f);
        return vg__fail(cache->ctx, VG_ENOMEM, "out of memory");
    }
    if ((rc = vg__prompt_normalize(f->normalized, sizeof f->normalized, NULL, prompt)) != VG_OK) {
        rc = vg__fail(cache->ctx, rc, "%s", vg_error_last());
        goto fail;
    }
    f->cache = cache;
    f->user_id = user_id;
    memcpy(f->scope_key, key, sizeof key);
    vg__prompt_hash(f->hash, key, f->normalized);
    clock_gettime(CLOCK_REALTIME, &deadline);
    deadline.tv_sec += cache->options.flight_wait_ms / 1000;
    deadline.tv_nsec += (long)(cache->options.flight_wait_ms % 1000) * 1000000;
    if (deadline.tv_nsec >= 1000000000) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000;
    }
    for (;;) {
        rc = vg__cache_lookup_normalized(hit, cache, key, f->normalized, user_id, f->vector,
                                         &embedded);
        if (rc != VG_OK || hit->match != VG_CACHE_MISS)
            goto fail; /* a hit (or a failure): no flight */
        pthread_mutex_lock(&cache->flight_lock);
        if ((left = failed_recently(cache, f->hash, vg_ctx_now(cache->ctx))) > 0) {
            pthread_mutex_unlock(&cache->flight_lock);
            rc = vg__fail(cache->ctx, VG_EJOB_FAILED,
                          "this prompt failed to generate moments ago; try again in %d s", left);
            goto fail;
        }
        other = waited ? NULL
                       : near_duplicate(cache, key, f->normalized, f->hash, f->vector,
                                        hit->threshold);
        if (!other) { /* nobody is on it: this caller is */
            f->state = FLIGHT_RUNNING;
            f->next = cache->flights;
            cache->flights = f;
            pthread_mutex_unlock(&cache->flight_lock);
            *out = f;
            return VG_OK;
        }
        waited = 1;
        if (wait_for(cache, other, &deadline) == FLIGHT_FAILED) {
            pthread_mutex_unlock(&cache->flight_lock);
            rc = vg__fail(cache->ctx, VG_EJOB_FAILED,
                          "the same request failed to generate just now; try again later");
            goto fail;
        }
        pthread_mutex_unlock(&cache->flight_lock);
    }
fail:
    free(f->vector);
    free(f);
    return rc;
}

/* Takes a flight out of the list with its final state and wakes its waiters. */
static void flight_end(struct vg_cache_flight *f, int state)
{
    vg_cache *cache = f->cache;
    struct vg_cache_flight **at;
    int free_now;

    pthread_mutex_lock(&cache->flight_lock);
    for (at = &cache->flights; *at && *at != f; at = &(*at)->next)
        ;
    if (*at)
        *at = f->next;
    f->state = state;
    free_now = f->waiters == 0;
    pthread_cond_broadcast(&cache->flight_done);
    pthread_mutex_unlock(&cache->flight_lock);
    if (free_now) {
        free(f->vector);
        free(f);
    }
}

int vg_cache_flight_done(vg_cache_flight *flight, const char *result, int64_t cost_micro_usd,
                         int ttl_s, int owner_only)
{
    int rc;
    if (!flight)
        return vg__fail(NULL, VG_EINVAL, "vg_cache_flight_done: NULL flight");
    rc = vg__cache_put_check(flight->cache->ctx, result, cost_micro_usd, ttl_s, flight->user_id);
    if (rc == VG_OK)
        rc = vg__cache_put_normalized(NULL, flight->cache, flight->scope_key, flight->normalized,
                                      flight->vector, result, cost_micro_usd, ttl_s,
                                      flight->user_id, owner_only);
    /* stored: waiters find it; not stored: they go on their own */
    flight_end(flight, rc == VG_OK ? FLIGHT_DONE : FLIGHT_ABANDONED);
    return rc;
}

void vg_cache_flight_fail(vg_cache_flight *flight)
{
    vg_cache *cache;
    vg__failure *failure;

    if (!flight)
        return;
    cache = flight->cache;
    if ((failure = calloc(1, sizeof *failure))) {
        memcpy(failure->prompt_hash, flight->hash, sizeof failure->prompt_hash);
        failure->until = vg_ctx_now(cache->ctx) + (vg_time)cache->options.negative_ttl_s * 1000000;
        pthread_mutex_lock(&cache->flight_lock);
        failure->next = cache->failures;
        cache->failures = failure;
        pthread_mutex_unlock(&cache->flight_lock);
    }
    flight_end(flight, FLIGHT_FAILED);
}

void vg__cache_flights_end(vg_cache *cache)
{
    vg__failure *f, *next;
    for (f = cache->failures; f; f = next) {
        next = f->next;
        free(f);
    }
    cache->failures = NULL;
}
