/* SPDX-License-Identifier: MIT */
/* The similarity cache's rules on a fake clock: exact before semantic, the threshold
 * boundary, scopes, the second gate, TTL, eviction, invalidation, persistence, a second
 * process, single flight, negative caching, shadow mode, the block cache, bad input. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "test_support.h"

#define SEC INT64_C(1000000)
#define WEDNESDAY (INT64_C(1795600800) * SEC)
#define DIM 8

/* --- a test embedder: each known word is a direction, so a test sets cosines exactly ----- */

static const struct {
    const char *word;
    float vector[DIM];
} words[] = {
    {"shoe", {1, 0, 0, 0, 0, 0, 0, 0}},
    {"sneaker", {0.90f, 0.43588989f, 0, 0, 0, 0, 0, 0}},  /* cosine 0.90 with shoe */
    {"boot", {0.85f, 0.52678269f, 0, 0, 0, 0, 0, 0}},     /* exactly at 0.85 (as floats) */
    {"sandal", {0.8499f, 0.52694403f, 0, 0, 0, 0, 0, 0}}, /* just below */
    {"slipper", {0.86f, 0.51029403f, 0, 0, 0, 0, 0, 0}},  /* just above */
    {"teapot", {0, 0, 1, 0, 0, 0, 0, 0}},
};

static int embed_calls;
static size_t last_batch;
static pthread_mutex_t embed_lock = PTHREAD_MUTEX_INITIALIZER;

/* A prompt's vector: the word of the table it contains (the first), else the last axis. */
static int test_embed(float *out, const char *const *prompts, size_t count, char *errbuf,
                      size_t errbuf_size, void *payload)
{
    size_t i, w;
    (void)errbuf, (void)errbuf_size, (void)payload;
    pthread_mutex_lock(&embed_lock);
    embed_calls++;
    last_batch = count;
    pthread_mutex_unlock(&embed_lock);
    for (i = 0; i < count; i++) {
        float *v = out + i * DIM;
        memset(v, 0, DIM * sizeof *v);
        v[DIM - 1] = 1;
        for (w = 0; w < sizeof words / sizeof words[0]; w++)
            if (strstr(prompts[i], words[w].word)) {
                memcpy(v, words[w].vector, sizeof words[w].vector);
                break;
            }
    }
    return 0;
}

static const vg_embedder test_embedder = {VG_EMBEDDER_VERSION, "test", "words-v1", DIM, 8,
                                          test_embed, NULL};
static const vg_embedder other_embedder = {VG_EMBEDDER_VERSION, "test", "words-v2", DIM, 8,
                                           test_embed, NULL};

/* --- the fixture ------------------------------------------------------------------------- */

typedef struct fixture {
    char location[512];
    int unavailable;
    vg_ctx *ctx;
    vg_cache *cache;
    vg_time now;
    vg_cache_options options;
} fixture;

static void open_all(fixture *f)
{
    vg_config config;
    test_config_init(&config, f->location);
    config.clock = test_fake_clock;
    config.clock_payload = &f->now;
    f->ctx = test_open(&config);
    assert_int_equal(vg_cache_open(&f->cache, f->ctx, &f->options), VG_OK);
}

static void close_all(fixture *f)
{
    vg_cache_close(f->cache);
    vg_close(f->ctx);
    f->cache = NULL;
    f->ctx = NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    vg_cache_options_init(&f->options, VG_CACHE_OPTIONS_VERSION);
    f->options.embedder = &test_embedder;
    if (test_try_fresh_location(f->location, sizeof f->location, "cache") != 0) {
        f->unavailable = 1;
        return 0;
    }
    open_all(f);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    size_t problems = 99;
    if (f->ctx) {
        assert_status(vg_check(&problems, f->ctx, NULL, NULL), VG_OK);
        assert_int_equal(problems, 0);
    }
    close_all(f);
    free(f);
    return 0;
}

static fixture *fixture_of(void **state)
{
    fixture *f = *state;
    if (f->unavailable)
        test_unavailable(f->location);
    return f;
}

static vg_cache_scope scope_of(const char *service)
{
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    scope.service = service;
    return scope;
}

static int64_t put(fixture *f, const char *service, const char *prompt, int64_t cost)
{
    vg_cache_scope scope = scope_of(service);
    int64_t id = 0;
    assert_status(vg_cache_put(&id, f->cache, &scope, prompt, "asset://result", cost, 0, 0, 0),
                  VG_OK);
    assert_true(id > 0);
    return id;
}

static vg_cache_hit lookup(fixture *f, const char *service, const char *prompt, int64_t user)
{
    vg_cache_scope scope = scope_of(service);
    vg_cache_hit hit;
    assert_status(vg_cache_lookup(&hit, f->cache, &scope, prompt, user), VG_OK);
    return hit;
}

/* --- tests ------------------------------------------------------------------------------- */

static void test_an_identical_normalised_prompt_hits_without_embedding(void **state)
{
    fixture *f = fixture_of(state);
    int64_t id = put(f, "video_720p", "A red SHOE on a beach", 5000);
    vg_cache_hit hit;
    int calls = embed_calls;

    hit = lookup(f, "video_720p", "  a  red shoe\ton a BEACH ", 0);
    assert_int_equal(hit.match, VG_CACHE_EXACT);
    assert_int_equal(hit.entry.id, id);
    assert_true(hit.similarity == 1.0);
    assert_string_equal(hit.entry.prompt, "a red shoe on a beach");
    assert_string_equal(hit.entry.result, "asset://result");
    assert_int_equal(hit.entry.hits, 1);
    assert_int_equal(embed_calls, calls);
}

static void test_embeddings_are_batched_and_kept_per_prompt(void **state)
{
    fixture *f = fixture_of(state);
    double similarity = 0;
    int calls = embed_calls, agree = -1;

    assert_status(vg_cache_compare(&similarity, &agree, f->cache, "a boot", "a shoe"), VG_OK);
    assert_int_equal(embed_calls, calls + 1); /* both prompts in one call */
    assert_int_equal(last_batch, 2);
    assert_true(fabs(similarity - 0.85) < 1e-4);
    assert_int_equal(agree, 1);
    assert_status(vg_cache_compare(&similarity, NULL, f->cache, "A  BOOT", "a shoe"), VG_OK);
    assert_int_equal(embed_calls, calls + 1); /* kept in the store by normalised prompt */
    put(f, "image_512", "a boot", 10);
    assert_int_equal(embed_calls, calls + 1);
    assert_int_equal(lookup(f, "image_512", "a shoe", 0).match, VG_CACHE_SEMANTIC);
    assert_int_equal(embed_calls, calls + 1);
}

static void test_the_threshold_boundary_below_at_and_above(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_hit hit;

    put(f, "image_1024", "shoe", 100);
    hit = lookup(f, "image_1024", "sandal", 0);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    assert_true(fabs(hit.similarity - 0.8499) < 1e-4);
    hit = lookup(f, "image_1024", "boot", 0);
    assert_int_equal(hit.match, VG_CACHE_SEMANTIC);
    hit = lookup(f, "image_1024", "slipper", 0);
    assert_int_equal(hit.match, VG_CACHE_SEMANTIC);
    assert_true(fabs(hit.similarity - 0.86) < 1e-4);
    assert_true(hit.threshold == 0.85);
    /* a scope's own threshold, kept in the store */
    vg_cache_scope scope = scope_of("image_1024");
    assert_status(vg_cache_set_threshold(f->cache, &scope, 0.87), VG_OK);
    assert_int_equal(lookup(f, "image_1024", "slipper", 0).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_1024", "sneaker", 0).match, VG_CACHE_SEMANTIC);
    assert_status(vg_cache_set_threshold(f->cache, &scope, -1), VG_OK);
    assert_int_equal(lookup(f, "image_1024", "slipper", 0).match, VG_CACHE_SEMANTIC);
    assert_status(vg_cache_set_threshold(f->cache, NULL, 1.5), VG_ERANGE);
}

static void test_the_best_and_the_runner_up_are_reported(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_hit hit;
    int64_t shoe = put(f, "image_512", "shoe", 10);

    put(f, "image_512", "boot", 10);
    put(f, "image_512", "teapot", 10);
    hit = lookup(f, "image_512", "shoe photo", 0);
    assert_int_equal(hit.match, VG_CACHE_SEMANTIC);
    assert_int_equal(hit.entry.id, shoe);
    assert_true(fabs(hit.similarity - 1) < 1e-6);
    assert_true(fabs(hit.runner_up - 0.85) < 1e-4);
}

static void test_scopes_never_answer_each_other(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope a = scope_of("video_4k"), b = scope_of("video_4k");
    vg_cache_hit hit;

    put(f, "video_4k", "shoe", 12000);
    assert_int_equal(lookup(f, "video_720p", "shoe", 0).match, VG_CACHE_MISS);
    b.style = "anime";
    assert_status(vg_cache_lookup(&hit, f->cache, &b, "shoe", 0), VG_OK);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    b.style = NULL;
    b.input_hash = "9f86d081884c7d65";
    assert_status(vg_cache_lookup(&hit, f->cache, &b, "shoe", 0), VG_OK);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    a.resolution = 1080;
    assert_status(vg_cache_lookup(&hit, f->cache, &a, "shoe", 0), VG_OK);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "video_4k", "shoe", 0).match, VG_CACHE_EXACT);
}

static void test_the_second_gate_refuses_what_the_cosine_cannot_see(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_hit hit;

    /* the test embedder gives both the same vector: cosine 1 */
    put(f, "video_720p", "a red shoe spinning, with sound, 3 s", 5000);
    hit = lookup(f, "video_720p", "a red shoe spinning, without sound, 3 s", 0);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    assert_true(hit.gate_rejected);
    assert_int_equal(lookup(f, "video_720p", "a blue shoe spinning, with sound, 3 s", 0).match,
                     VG_CACHE_MISS);
    assert_int_equal(lookup(f, "video_720p", "a red shoe spinning, with sound, 30 s", 0).match,
                     VG_CACHE_MISS);
    assert_int_equal(lookup(f, "video_720p", "a red shoe that spins, with sound, 3 s", 0).match,
                     VG_CACHE_SEMANTIC);
    /* switched off, the cosine alone decides */
    close_all(f);
    f->options.second_gate = 0;
    open_all(f);
    assert_int_equal(lookup(f, "video_720p", "a red shoe spinning, without sound, 3 s", 0).match,
                     VG_CACHE_SEMANTIC);
}

static void test_an_entry_lives_until_its_ttl(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope scope = scope_of("image_512");

    assert_status(vg_cache_put(NULL, f->cache, &scope, "shoe", "asset://1", 10, 60, 0, 0), VG_OK);
    f->now += 59 * SEC;
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_EXACT);
    assert_int_equal(lookup(f, "image_512", "sneaker", 0).match, VG_CACHE_SEMANTIC);
    f->now += SEC;
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_512", "sneaker", 0).match, VG_CACHE_MISS);
}

static void test_a_full_cache_evicts_the_entry_that_saves_least(void **state)
{
    fixture *f = fixture_of(state);
    int64_t a, b, c;
    int i;

    close_all(f);
    f->options.max_entries = 3;
    open_all(f);
    a = put(f, "image_512", "alpha shoe", 100);   /* 100 x 1 hit */
    b = put(f, "image_512", "beta shoe", 10);     /* 10 x 5 hits: saves least */
    c = put(f, "image_512", "gamma shoe", 1000);  /* 1000 x 1 hit */
    lookup(f, "image_512", "alpha shoe", 0);
    for (i = 0; i < 5; i++)
        lookup(f, "image_512", "beta shoe", 0);
    lookup(f, "image_512", "gamma shoe", 0);
    put(f, "image_512", "delta teapot", 1);
    assert_int_equal(lookup(f, "image_512", "beta shoe", 0).match != VG_CACHE_EXACT, 1);
    assert_int_equal(lookup(f, "image_512", "alpha shoe", 0).entry.id, a);
    assert_int_equal(lookup(f, "image_512", "gamma shoe", 0).entry.id, c);
    assert_int_equal(lookup(f, "image_512", "delta teapot", 0).match, VG_CACHE_EXACT);
    (void)b;
}

static void test_invalidation_by_id_and_by_scope(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope scope = scope_of("image_512");
    int64_t id = put(f, "image_512", "shoe", 10);
    int count = -1;

    put(f, "image_512", "teapot", 10);
    put(f, "image_1024", "teapot", 10);
    assert_status(vg_cache_invalidate(f->cache, id), VG_OK);
    assert_status(vg_cache_invalidate(f->cache, id), VG_ENOTFOUND);
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_MISS);
    assert_status(vg_cache_invalidate_scope(&count, f->cache, &scope), VG_OK);
    assert_int_equal(count, 1);
    assert_int_equal(lookup(f, "image_512", "teapot", 0).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_1024", "teapot", 0).match, VG_CACHE_EXACT);
}

static void test_entries_persist_across_reopen(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_stats stats;
    int64_t id = put(f, "video_1080p", "shoe", 8000);

    lookup(f, "video_1080p", "shoe", 0);
    close_all(f);
    open_all(f);
    assert_int_equal(lookup(f, "video_1080p", "sneaker", 0).entry.id, id);
    assert_status(vg_cache_stats_get(&stats, f->cache), VG_OK);
    assert_int_equal(stats.entries, 1);
    assert_int_equal(stats.exact_hits, 1);
    assert_int_equal(stats.semantic_hits, 1);
    assert_int_equal(stats.saved_micro_usd, 16000);
    assert_true(stats.bytes_per_entry > DIM * sizeof(float));
}

static void test_a_cache_opened_later_reads_every_change_in_batches(void **state)
{
    enum { ENTRIES = 530 }; /* more than one batch of changes */
    fixture *f = fixture_of(state);
    vg_cache_stats stats;
    vg_cache *late;
    char prompt[64];
    int i;

    for (i = 0; i < ENTRIES; i++) {
        snprintf(prompt, sizeof prompt, "teapot number %d", i);
        put(f, "image_512", prompt, 1);
    }
    assert_status(vg_cache_invalidate(f->cache, 1), VG_OK);
    assert_status(vg_cache_open(&late, f->ctx, &f->options), VG_OK);
    assert_status(vg_cache_stats_get(&stats, late), VG_OK);
    assert_int_equal(stats.entries, ENTRIES - 1);
    vg_cache_close(late);
}

static void test_a_second_process_sees_new_and_deleted_entries(void **state)
{
    fixture *f = fixture_of(state);
    int to_child[2], to_parent[2], status;
    char byte = 0;
    int64_t id;
    pid_t pid;

    assert_int_equal(pipe(to_child), 0);
    assert_int_equal(pipe(to_parent), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) { /* the other process: its own context and cache, opened before the put */
        vg_config config;
        vg_ctx *ctx;
        vg_cache *cache;
        vg_cache_scope scope = scope_of("image_512");
        vg_cache_hit hit;
        int ok = 1;
        test_config_init(&config, f->location);
        ok = vg_open(&ctx, &config) == VG_OK && vg_cache_open(&cache, ctx, &f->options) == VG_OK;
        ok = ok && write(to_parent[1], "r", 1) == 1 && read(to_child[0], &byte, 1) == 1;
        ok = ok && vg_cache_lookup(&hit, cache, &scope, "sneaker", 0) == VG_OK &&
             hit.match == VG_CACHE_SEMANTIC;
        ok = ok && write(to_parent[1], "r", 1) == 1 && read(to_child[0], &byte, 1) == 1;
        ok = ok && vg_cache_lookup(&hit, cache, &scope, "sneaker", 0) == VG_OK &&
             hit.match == VG_CACHE_MISS;
        _exit(ok ? 0 : 1);
    }
    assert_int_equal(read(to_parent[0], &byte, 1), 1);
    id = put(f, "image_512", "shoe", 10);
    assert_int_equal(write(to_child[1], "g", 1), 1);
    assert_int_equal(read(to_parent[0], &byte, 1), 1);
    assert_status(vg_cache_invalidate(f->cache, id), VG_OK);
    assert_int_equal(write(to_child[1], "g", 1), 1);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_another_embedders_entries_never_match(void **state)
{
    fixture *f = fixture_of(state);

    put(f, "image_512", "shoe", 10);
    close_all(f);
    f->options.embedder = &other_embedder;
    open_all(f);
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_512", "sneaker", 0).match, VG_CACHE_MISS);
}

static void test_an_owner_only_entry_is_served_to_its_owner_alone(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope scope = scope_of("image_512");

    assert_status(vg_cache_put(NULL, f->cache, &scope, "shoe", "asset://mine", 10, 0, 7, 1),
                  VG_OK);
    assert_int_equal(lookup(f, "image_512", "shoe", 7).match, VG_CACHE_EXACT);
    assert_int_equal(lookup(f, "image_512", "shoe", 8).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_512", "sneaker", 8).match, VG_CACHE_MISS);
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_MISS);
}

static void test_shadow_mode_records_semantic_hits_without_serving_them(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_stats stats;
    vg_cache_hit hit;
    int64_t id = put(f, "image_512", "shoe", 10);

    close_all(f);
    f->options.shadow = 1;
    open_all(f);
    hit = lookup(f, "image_512", "sneaker", 0);
    assert_int_equal(hit.match, VG_CACHE_MISS);
    assert_true(hit.shadow);
    assert_int_equal(hit.entry.id, id);
    assert_int_equal(lookup(f, "image_512", "shoe", 0).match, VG_CACHE_EXACT);
    assert_status(vg_cache_stats_get(&stats, f->cache), VG_OK);
    assert_int_equal(stats.shadow_hits, 1);
    assert_int_equal(stats.semantic_hits, 0);
}

typedef struct flyer {
    fixture *f;
    const char *prompt;
    int generated;
    int match;
    int status;
} flyer;

static void *fly(void *payload)
{
    flyer *r = payload;
    vg_cache_scope scope = scope_of("video_720p");
    vg_cache_flight *flight = NULL;
    vg_cache_hit hit;

    r->status = vg_cache_flight_begin(&flight, &hit, r->f->cache, &scope, r->prompt, 0);
    r->match = hit.match;
    if (r->status == VG_OK && flight) {
        usleep(300000); /* a slow generation */
        r->generated = 1;
        r->status = vg_cache_flight_done(flight, "asset://video", 5000, 0, 0);
    }
    return NULL;
}

static void test_near_duplicates_in_flight_cause_one_generation(void **state)
{
    fixture *f = fixture_of(state);
    flyer a = {f, "shoe", 0, 0, 1}, b = {f, "sneaker", 0, 0, 1};
    pthread_t ta, tb;

    assert_int_equal(pthread_create(&ta, NULL, fly, &a), 0);
    usleep(100000);
    assert_int_equal(pthread_create(&tb, NULL, fly, &b), 0);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    assert_status(a.status, VG_OK);
    assert_status(b.status, VG_OK);
    assert_int_equal(a.generated + b.generated, 1);
    assert_int_equal(b.match, VG_CACHE_SEMANTIC);
}

static void test_a_failed_generation_is_remembered_briefly(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope scope = scope_of("video_720p");
    vg_cache_flight *flight = NULL;
    vg_cache_hit hit;

    assert_status(vg_cache_flight_begin(&flight, &hit, f->cache, &scope, "shoe", 0), VG_OK);
    assert_non_null(flight);
    vg_cache_flight_fail(flight);
    flight = NULL;
    assert_status(vg_cache_flight_begin(&flight, &hit, f->cache, &scope, "shoe", 0),
                  VG_EJOB_FAILED);
    assert_null(flight);
    f->now += 60 * SEC;
    assert_status(vg_cache_flight_begin(&flight, &hit, f->cache, &scope, "shoe", 0), VG_OK);
    assert_non_null(flight);
    assert_status(vg_cache_flight_done(flight, "asset://ok", 1, 0, 0), VG_OK);
    assert_int_equal(lookup(f, "video_720p", "shoe", 0).match, VG_CACHE_EXACT);
}

static void test_the_block_cache_remembers_a_verdict_until_it_expires(void **state)
{
    fixture *f = fixture_of(state);
    char reason[32];

    assert_status(vg_block_get(reason, sizeof reason, f->ctx, "some bad prompt"), VG_ENOTFOUND);
    assert_status(vg_block_put(f->ctx, "Some  BAD prompt", "violence", 3600), VG_OK);
    assert_status(vg_block_get(reason, sizeof reason, f->ctx, " some bad PROMPT "), VG_OK);
    assert_string_equal(reason, "violence");
    f->now += 3600 * SEC;
    assert_status(vg_block_get(reason, sizeof reason, f->ctx, "some bad prompt"), VG_ENOTFOUND);
    assert_status(vg_block_put(f->ctx, "x", "bad reason", 0), VG_EINVAL);
    assert_status(vg_block_put(f->ctx, "\xff", "adult", 0), VG_EUTF8);
}

static void test_bad_input_is_refused_and_changes_nothing(void **state)
{
    fixture *f = fixture_of(state);
    vg_cache_scope scope = scope_of("image_512"), none = VG_CACHE_SCOPE_INIT, piped = scope;
    char long_result[VG_CACHE_RESULT_MAX_BYTES + 2];
    vg_cache_stats stats;
    vg_cache_hit hit;

    memset(long_result, 'r', sizeof long_result - 1);
    long_result[sizeof long_result - 1] = '\0';
    piped.style = "a|b";
    assert_status(vg_cache_put(NULL, f->cache, &scope, "\xc3\x28", "r", 0, 0, 0, 0), VG_EUTF8);
    assert_status(vg_cache_put(NULL, f->cache, &scope, "   ", "r", 0, 0, 0, 0), VG_EPROMPT_EMPTY);
    assert_status(vg_cache_put(NULL, f->cache, &scope, "shoe", "", 0, 0, 0, 0), VG_EINVAL);
    assert_status(vg_cache_put(NULL, f->cache, &scope, "shoe", long_result, 0, 0, 0, 0),
                  VG_EINVAL);
    assert_status(vg_cache_put(NULL, f->cache, &scope, "shoe", "r", -1, 0, 0, 0), VG_EINVAL);
    assert_status(vg_cache_put(NULL, f->cache, &none, "shoe", "r", 0, 0, 0, 0), VG_EINVAL);
    assert_status(vg_cache_put(NULL, f->cache, &piped, "shoe", "r", 0, 0, 0, 0), VG_EINVAL);
    assert_status(vg_cache_put(NULL, f->cache, NULL, "shoe", "r", 0, 0, 0, 0), VG_EINVAL);
    assert_status(vg_cache_lookup(&hit, f->cache, &scope, NULL, 0), VG_EINVAL);
    assert_status(vg_cache_lookup(NULL, f->cache, &scope, "shoe", 0), VG_EINVAL);
    assert_status(vg_cache_lookup(&hit, f->cache, &scope, "\xed\xa0\x80", 0), VG_EUTF8);
    assert_status(vg_cache_stats_get(&stats, f->cache), VG_OK);
    assert_int_equal(stats.entries, 0);
    assert_int_equal(stats.misses, 0);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_an_identical_normalised_prompt_hits_without_embedding),
        T(test_embeddings_are_batched_and_kept_per_prompt),
        T(test_the_threshold_boundary_below_at_and_above),
        T(test_the_best_and_the_runner_up_are_reported),
        T(test_scopes_never_answer_each_other),
        T(test_the_second_gate_refuses_what_the_cosine_cannot_see),
        T(test_an_entry_lives_until_its_ttl),
        T(test_a_full_cache_evicts_the_entry_that_saves_least),
        T(test_invalidation_by_id_and_by_scope),
        T(test_entries_persist_across_reopen),
        T(test_a_cache_opened_later_reads_every_change_in_batches),
        T(test_a_second_process_sees_new_and_deleted_entries),
        T(test_another_embedders_entries_never_match),
        T(test_an_owner_only_entry_is_served_to_its_owner_alone),
        T(test_shadow_mode_records_semantic_hits_without_serving_them),
        T(test_near_duplicates_in_flight_cause_one_generation),
        T(test_a_failed_generation_is_remembered_briefly),
        T(test_the_block_cache_remembers_a_verdict_until_it_expires),
        T(test_bad_input_is_refused_and_changes_nothing),
    };
#undef T
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
