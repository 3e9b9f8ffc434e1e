/* SPDX-License-Identifier: MIT */
/* The inspiration gallery: the seed table's validity, the sampling generator, titles made
 * from prompts; on a store: seeding once (two contexts racing), topics and their counts per
 * language, random samples (bounds, determinism, no duplicates), promotion of succeeded
 * public jobs, removal, and bad input that changes nothing. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "cache/cache_internal.h"
#include "generate/gallery.h"
#include "plans/plans_internal.h"
#include "test_support.h"

#define SEC INT64_C(1000000)
#define WEDNESDAY (INT64_C(1795600800) * SEC)
#define TOPICS 8 /* in the seed */
#define PER_LANG (TOPICS * VG__GALLERY_SEED_EXAMPLES)
#define SEEDED (PER_LANG * VG__LANG_COUNT)
#define MAX_SEEN 128

static const char *const langs[VG__LANG_COUNT] = {"en", "ja", "zh-TW", "ko", "es"};

/* --- the fixture ------------------------------------------------------------------------- */

typedef struct fixture {
    char location[512];
    int unavailable;
    vg_ctx *ctx;
    vg_time now;
    int64_t user;
    int jobs;
} fixture;

static vg_ctx *open_ctx(fixture *f, const char *lang, unsigned int flags)
{
    vg_config config;
    test_config_init(&config, f->location);
    config.clock = test_fake_clock;
    config.clock_payload = &f->now;
    config.lang = lang;
    config.log_level = VG_LOG_NONE;
    if (flags)
        config.flags = flags;
    return test_open(&config);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    if (test_try_fresh_location(f->location, sizeof f->location, "gallery") != 0) {
        f->unavailable = 1;
        return 0;
    }
    f->ctx = open_ctx(f, NULL, 0);
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
    vg_close(f->ctx);
    free(f);
    return 0;
}

#define FIXTURE(state)                                                                             \
    fixture *f = *(state);                                                                         \
    if (f->unavailable)                                                                            \
        test_unavailable(f->location)

/* --- helpers ------------------------------------------------------------------------------- */

typedef struct topic_row {
    char topic[VG_NAME_SIZE];
    char title[64];
    int count;
} topic_row;

typedef struct topic_list {
    topic_row rows[32];
    int count;
    int stop_after; /* 0: take them all */
} topic_list;

static int take_topic(const vg_topic *t, void *payload)
{
    topic_list *l = payload;
    assert_true(l->count < 32);
    snprintf(l->rows[l->count].topic, VG_NAME_SIZE, "%s", t->topic);
    snprintf(l->rows[l->count].title, 64, "%s", t->title);
    l->rows[l->count].count = t->count;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static topic_list topics_of(vg_ctx *ctx, const char *lang)
{
    topic_list l;
    memset(&l, 0, sizeof l);
    assert_status(vg_gallery_topics(ctx, lang, take_topic, &l), VG_OK);
    return l;
}

/* The count of a topic in a language; -1 when the topic is not listed. */
static int count_of(vg_ctx *ctx, const char *lang, const char *topic)
{
    topic_list l = topics_of(ctx, lang);
    int i;
    for (i = 0; i < l.count; i++)
        if (strcmp(l.rows[i].topic, topic) == 0)
            return l.rows[i].count;
    return -1;
}

/* Examples in every language: the sum of all counts. */
static int total_examples(vg_ctx *ctx)
{
    int l, i, total = 0;
    for (l = 0; l < VG__LANG_COUNT; l++) {
        topic_list t = topics_of(ctx, langs[l]);
        for (i = 0; i < t.count; i++)
            total += t.rows[i].count;
    }
    return total;
}

typedef struct sample {
    vg_example items[MAX_SEEN];
    int count;
    int stop_after;
} sample;

static int take_example(const vg_example *e, void *payload)
{
    sample *s = payload;
    assert_true(s->count < MAX_SEEN);
    assert_int_equal(e->version, VG_EXAMPLE_VERSION);
    s->items[s->count++] = *e;
    return s->stop_after && s->count >= s->stop_after;
}

static sample *sample_of(vg_ctx *ctx, const char *topic, const char *lang, int count, uint64_t seed)
{
    sample *s = calloc(1, sizeof *s);
    assert_non_null(s);
    assert_status(vg_gallery_examples(ctx, topic, lang, count, seed, take_example, s), VG_OK);
    return s;
}

static int kind_seeded(int64_t id, vg_time at, const char *kind, const char *detail, void *payload)
{
    (void)id, (void)at, (void)detail;
    if (strcmp(kind, "gallery.seeded") == 0)
        (*(int *)payload)++;
    return 0;
}

static int seed_events(vg_ctx *ctx)
{
    int n = 0;
    assert_status(vg_store_events(ctx, 0, 1000, kind_seeded, &n), VG_OK);
    return n;
}

typedef struct job_args {
    vg_store_job job;
    int64_t id;
} job_args;

static int job_insert_body(vg__txn *txn, void *payload)
{
    job_args *a = payload;
    return vg__job_insert(txn, &a->id, &a->job);
}

/* Stores a finished job as the pipeline would leave it: in `state`, public or not. */
static int64_t add_job(fixture *f, int state, int is_public, const char *prompt, const char *lang)
{
    job_args *a = calloc(1, sizeof *a);
    int64_t id;

    assert_non_null(a);
    if (!f->user)
        assert_status(vg_user_add_verified(&f->user, f->ctx, "gallery@test.vidgo", "starter"),
                      VG_OK);
    a->job.user_id = f->user;
    snprintf(a->job.idempotency_key, sizeof a->job.idempotency_key, "gallery-%d", ++f->jobs);
    snprintf(a->job.service, sizeof a->job.service, "video_720p");
    a->job.kind = VG_TASK_TEXT_TO_VIDEO;
    a->job.state = state;
    a->job.settled = state >= VG_STORE_JOB_FINAL;
    a->job.charged = state == VG_JOB_SUCCEEDED;
    a->job.is_public = is_public;
    snprintf(a->job.scope, sizeof a->job.scope, "video_720p");
    snprintf(a->job.prompt, sizeof a->job.prompt, "%s", prompt);
    snprintf(a->job.enhanced_prompt, sizeof a->job.enhanced_prompt, "%s", prompt);
    snprintf(a->job.lang, sizeof a->job.lang, "%s", lang);
    snprintf(a->job.provider, sizeof a->job.provider, "local");
    snprintf(a->job.media_type, sizeof a->job.media_type, "video");
    if (state == VG_JOB_SUCCEEDED) {
        snprintf(a->job.result_url, sizeof a->job.result_url, "https://cdn.test/%d.mp4", f->jobs);
        snprintf(a->job.thumbnail_url, sizeof a->job.thumbnail_url, "https://cdn.test/%d.jpg",
                 f->jobs);
    }
    a->job.created_at = a->job.updated_at = f->now;
    a->job.finished_at = state >= VG_STORE_JOB_FINAL ? f->now : 0;
    assert_status(vg__txn_run(f->ctx, VG_TXN_WRITE, job_insert_body, a), VG_OK);
    id = a->id;
    free(a);
    return id;
}

static int utf8_ok(const char *s)
{
    return vg__utf8_valid(s);
}

static int has_non_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 1;
    return 0;
}

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static int ends_with(const char *s, const char *end)
{
    size_t n = strlen(s), m = strlen(end);
    return n >= m && strcmp(s + n - m, end) == 0;
}

/* --- the seed table (no store) --------------------------------------------------------------- */

static void test_seed_topics_are_named_sorted_and_titled_in_every_language(void **state)
{
    size_t i, l;
    (void)state;
    assert_int_equal(vg__gallery_seed_count, TOPICS);
    for (i = 0; i < vg__gallery_seed_count; i++) {
        const vg__gallery_seed_topic *t = &vg__gallery_seed[i];
        assert_true(vg__name_valid(t->name));
        if (i > 0)
            assert_true(strcmp(vg__gallery_seed[i - 1].name, t->name) < 0);
        for (l = 0; l < VG__LANG_COUNT; l++) {
            assert_non_null(t->title[l]);
            assert_true(*t->title[l] && strlen(t->title[l]) < 64 && utf8_ok(t->title[l]));
        }
        for (l = VG__LANG_JA; l <= VG__LANG_KO; l++)
            assert_true(has_non_ascii(t->title[l]));
    }
}

static void test_seed_examples_exist_in_all_five_languages_with_valid_text(void **state)
{
    char normalized[VG_STORE_PROMPT_SIZE];
    size_t t, x, l, k, n;
    (void)state;
    for (t = 0; t < vg__gallery_seed_count; t++)
        for (x = 0; x < VG__GALLERY_SEED_EXAMPLES; x++) {
            const vg__gallery_seed_example *e = &vg__gallery_seed[t].examples[x];
            for (l = 0; l < VG__LANG_COUNT; l++) {
                const char *title = e->text[l].title, *prompt = e->text[l].prompt;
                assert_non_null(title);
                assert_non_null(prompt);
                assert_true(*title && strlen(title) < VG_STORE_TITLE_SIZE && utf8_ok(title));
                for (k = 0; title[k]; k++)
                    assert_true((unsigned char)title[k] >= 0x20);
                n = strlen(prompt);
                assert_true(n >= 40 && n <= VG_PROMPT_MAX_BYTES && utf8_ok(prompt));
                assert_status(vg__prompt_normalize(normalized, sizeof normalized, NULL, prompt),
                              VG_OK);
                if (l == VG__LANG_JA || l == VG__LANG_ZH_TW || l == VG__LANG_KO) {
                    assert_true(has_non_ascii(title));
                    assert_true(has_non_ascii(prompt));
                }
                if (l != VG__LANG_EN) { /* translated, not copied */
                    assert_string_not_equal(title, e->text[VG__LANG_EN].title);
                    assert_string_not_equal(prompt, e->text[VG__LANG_EN].prompt);
                }
            }
        }
}

static void test_seed_examples_use_seeded_services_of_their_media_type(void **state)
{
    size_t t, x, s;
    int videos = 0, images = 0;
    (void)state;
    for (t = 0; t < vg__gallery_seed_count; t++)
        for (x = 0; x < VG__GALLERY_SEED_EXAMPLES; x++) {
            const vg__gallery_seed_example *e = &vg__gallery_seed[t].examples[x];
            for (s = 0; s < vg__seed_service_count; s++)
                if (strcmp(vg__seed_services[s].name, e->service) == 0)
                    break;
            assert_true(s < vg__seed_service_count);
            assert_string_equal(e->media_type,
                                vg__seed_services[s].kind == VG_SERVICE_VIDEO ? "video" : "image");
            assert_true(vg__seed_services[s].kind != VG_SERVICE_EFFECT);
            assert_string_equal(vg__seed_services[s].min_plan, "demo"); /* open to everyone */
            videos += vg__seed_services[s].kind == VG_SERVICE_VIDEO;
            images += vg__seed_services[s].kind == VG_SERVICE_IMAGE;
        }
    assert_true(videos > 0 && images > 0);
}

/* --- the sampling generator (no store) ------------------------------------------------------- */

static void test_rng_same_seed_gives_the_same_sequence(void **state)
{
    vg__gallery_rng a, b, c;
    int i, differ = 0;
    (void)state;
    vg__gallery_rng_init(&a, 42);
    vg__gallery_rng_init(&b, 42);
    vg__gallery_rng_init(&c, 43);
    for (i = 0; i < 1000; i++) {
        uint64_t x = vg__gallery_rng_below(&a, 1000003);
        assert_true(x < 1000003);
        assert_int_equal(x, vg__gallery_rng_below(&b, 1000003));
        differ += x != vg__gallery_rng_below(&c, 1000003);
    }
    assert_true(differ > 990);
}

static void test_rng_below_covers_its_range_evenly(void **state)
{
    vg__gallery_rng fixed, fresh;
    int buckets[10] = {0}, random_buckets[10] = {0}, i;
    (void)state;
    vg__gallery_rng_init(&fixed, 7);
    vg__gallery_rng_init(&fresh, 0);
    for (i = 0; i < 20000; i++) {
        buckets[vg__gallery_rng_below(&fixed, 10)]++;
        random_buckets[vg__gallery_rng_below(&fresh, 10)]++;
    }
    for (i = 0; i < 10; i++) { /* 2000 expected; 5 standard deviations is about 212 */
        assert_in_range(buckets[i], 1750, 2250);
        assert_in_range(random_buckets[i], 1750, 2250);
    }
    assert_int_equal(vg__gallery_rng_below(&fixed, 1), 0);
    assert_true(vg__gallery_rng_below(&fixed, UINT64_MAX) < UINT64_MAX);
}

static void test_rng_seed_zero_draws_fresh_numbers(void **state)
{
    vg__gallery_rng a, b;
    int i, same = 0;
    (void)state;
    vg__gallery_rng_init(&a, 0);
    vg__gallery_rng_init(&b, 0);
    for (i = 0; i < 64; i++)
        same += vg__gallery_rng_below(&a, UINT64_C(1) << 40) ==
                vg__gallery_rng_below(&b, UINT64_C(1) << 40);
    assert_true(same < 2);
}

/* --- titles made from prompts (no store) ----------------------------------------------------- */

static void test_title_keeps_a_short_prompt_whole_with_white_space_collapsed(void **state)
{
    char title[VG_STORE_TITLE_SIZE];
    (void)state;
    assert_int_equal(
        vg__gallery_title_from_prompt(title, sizeof title, "  A red\tsneaker\n\n on a   table  "),
        strlen("A red sneaker on a table"));
    assert_string_equal(title, "A red sneaker on a table");
    vg__gallery_title_from_prompt(title, sizeof title, "香水のボトル");
    assert_string_equal(title, "香水のボトル");
    assert_int_equal(vg__gallery_title_from_prompt(title, sizeof title, " \n\t "), 0);
    assert_string_equal(title, "");
}

static void test_title_cuts_a_long_prompt_at_a_word_with_an_ellipsis(void **state)
{
    char title[VG_STORE_TITLE_SIZE];
    const char *prompt = "A glass dropper bottle of rose facial serum on a marble vanity, soft "
                         "morning sunlight through sheer curtains";
    (void)state;
    vg__gallery_title_from_prompt(title, sizeof title, prompt);
    /* 60 characters end inside "vanity" (it has 62): the title stops before that word */
    assert_string_equal(title, "A glass dropper bottle of rose facial serum on a marble"
                               "\xe2\x80\xa6");
    vg__gallery_title_from_prompt(title, sizeof title,
                                  "A glass dropper bottle of rose serum "
                                  "on a marble vanity top, soft light at dawn");
    /* the 60th character is the comma before a space: a word end; the comma goes */
    assert_string_equal(title, "A glass dropper bottle of rose serum on a marble vanity top"
                               "\xe2\x80\xa6");
    assert_true(code_points(title) <= VG__GALLERY_TITLE_CHARS + 1);
}

static void test_title_cuts_unspaced_text_at_sixty_characters(void **state)
{
    char title[VG_STORE_TITLE_SIZE];
    const char *prompt = vg__gallery_seed[0].examples[0].text[VG__LANG_ZH_TW].prompt;
    (void)state;
    assert_true(code_points(prompt) > VG__GALLERY_TITLE_CHARS);
    vg__gallery_title_from_prompt(title, sizeof title, prompt);
    assert_true(utf8_ok(title));
    assert_true(ends_with(title, "\xe2\x80\xa6"));
    assert_true(strlen(title) < sizeof title);
    assert_true(code_points(title) <= VG__GALLERY_TITLE_CHARS + 1);
    assert_true(code_points(title) >= 30); /* bytes, not characters, were the limit */
    assert_memory_equal(title, prompt, strlen(title) - 3);
}

static void test_title_of_korean_stays_within_the_field_at_a_word(void **state)
{
    char title[VG_STORE_TITLE_SIZE];
    const char *prompt = vg__gallery_seed[0].examples[0].text[VG__LANG_KO].prompt;
    size_t n;
    (void)state;
    n = vg__gallery_title_from_prompt(title, sizeof title, prompt);
    assert_int_equal(n, strlen(title));
    assert_true(n < sizeof title && utf8_ok(title) && ends_with(title, "\xe2\x80\xa6"));
    /* the cut is at the end of a word of the prompt: a space (or the end) follows it there */
    assert_memory_equal(title, prompt, n - 3);
    assert_true(prompt[n - 3] == ' ' || prompt[n - 3] == ',');
}

static void test_title_never_splits_a_combining_mark_from_its_letter(void **state)
{
    char prompt[400], title[16];
    size_t i, w = 2;
    (void)state;
    memcpy(prompt, "ab", 2);
    for (i = 0; i < 40; i++) { /* "e" + U+0301 COMBINING ACUTE ACCENT, no spaces */
        prompt[w++] = 'e';
        prompt[w++] = (char)0xCC;
        prompt[w++] = (char)0x81;
    }
    prompt[w] = '\0';
    vg__gallery_title_from_prompt(title, sizeof title, prompt);
    /* 16 bytes: 12 for the text before "…": "ab", 3 pairs of 3 bytes, and an "e" whose
     * mark would not fit, so that "e" goes too */
    assert_string_equal(title, "abe\xcc\x81"
                               "e\xcc\x81"
                               "e\xcc\x81"
                               "\xe2\x80\xa6");
    /* and when that letter ends a word cut short, the title ends at the word before */
    vg__gallery_title_from_prompt(title, sizeof title, "abcdefg hije\xcc\x81xyz tail");
    assert_string_equal(title, "abcdefg\xe2\x80\xa6");
}

/* --- seeding ----------------------------------------------------------------------------- */

typedef struct racer {
    fixture *f;
    pthread_barrier_t *start;
    int rc;
} racer;

static void *race_topics(void *payload)
{
    racer *r = payload;
    vg_config config;
    vg_ctx *ctx = NULL;
    topic_list l;

    test_config_init(&config, r->f->location);
    config.log_level = VG_LOG_NONE;
    r->rc = vg_open(&ctx, &config);
    pthread_barrier_wait(r->start);
    memset(&l, 0, sizeof l);
    if (r->rc == VG_OK)
        r->rc = vg_gallery_topics(ctx, "en", take_topic, &l);
    if (r->rc == VG_OK && (l.count != TOPICS || l.rows[0].count != 3))
        r->rc = VG_ERROR;
    vg_close(ctx);
    return NULL;
}

static void test_two_contexts_racing_seed_the_gallery_once(void **state)
{
    pthread_barrier_t start;
    pthread_t threads[2];
    racer racers[2];
    int i;
    FIXTURE(state);

    vg_close(f->ctx); /* the store exists, unseeded; two new contexts race on it */
    f->ctx = NULL;
    pthread_barrier_init(&start, NULL, 2);
    for (i = 0; i < 2; i++) {
        racers[i].f = f;
        racers[i].start = &start;
        assert_int_equal(pthread_create(&threads[i], NULL, race_topics, &racers[i]), 0);
    }
    for (i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
        assert_status(racers[i].rc, VG_OK);
    }
    pthread_barrier_destroy(&start);
    f->ctx = open_ctx(f, NULL, 0);
    assert_int_equal(seed_events(f->ctx), 1);
    assert_int_equal(total_examples(f->ctx), SEEDED);
}

static void test_a_second_context_finds_the_gallery_seeded(void **state)
{
    vg_ctx *other;
    FIXTURE(state);

    assert_int_equal(seed_events(f->ctx), 0); /* opening a store does not seed it */
    assert_int_equal(total_examples(f->ctx), SEEDED);
    other = open_ctx(f, NULL, 0);
    assert_int_equal(total_examples(other), SEEDED);
    vg_close(other);
    assert_int_equal(seed_events(f->ctx), 1);
}

static void test_removed_seed_examples_are_not_seeded_again(void **state)
{
    sample *s;
    vg_ctx *other;
    int i;
    FIXTURE(state);

    s = sample_of(f->ctx, "pets", "en", 100, 1);
    assert_int_equal(s->count, 3);
    for (i = 0; i < s->count; i++)
        assert_status(vg_gallery_remove(f->ctx, s->items[i].id), VG_OK);
    free(s);
    other = open_ctx(f, NULL, 0);
    assert_int_equal(count_of(other, "en", "pets"), 0); /* still listed: a seeded topic */
    assert_int_equal(count_of(other, "ja", "pets"), 3);
    assert_int_equal(total_examples(other), SEEDED - 3);
    vg_close(other);
    assert_int_equal(seed_events(f->ctx), 1);
}

static void test_a_read_only_context_lists_an_unseeded_gallery_empty(void **state)
{
    vg_ctx *ro;
    topic_list l;
    int i;
    FIXTURE(state);

    ro = open_ctx(f, NULL, VG_OPEN_READONLY);
    l = topics_of(ro, "en");
    assert_int_equal(l.count, TOPICS);
    for (i = 0; i < l.count; i++)
        assert_int_equal(l.rows[i].count, 0);
    free(sample_of(ro, NULL, "en", 5, 1));
    assert_status(vg_gallery_remove(ro, 1), VG_ESTORE_READONLY);
    vg_close(ro);
    assert_int_equal(seed_events(f->ctx), 0);
}

/* --- topics -------------------------------------------------------------------------------- */

static void test_topics_are_listed_by_name_with_counts_and_titles_per_language(void **state)
{
    size_t l;
    int i;
    FIXTURE(state);

    for (l = 0; l < VG__LANG_COUNT; l++) {
        topic_list t = topics_of(f->ctx, langs[l]);
        assert_int_equal(t.count, TOPICS);
        for (i = 0; i < t.count; i++) {
            assert_string_equal(t.rows[i].topic, vg__gallery_seed[i].name);
            assert_string_equal(t.rows[i].title, vg__gallery_seed[i].title[l]);
            assert_int_equal(t.rows[i].count, VG__GALLERY_SEED_EXAMPLES);
        }
    }
}

static void test_topics_read_language_tags_as_the_library_does(void **state)
{
    topic_list t;
    vg_ctx *korean;
    FIXTURE(state);

    t = topics_of(f->ctx, "ja-JP");
    assert_string_equal(t.rows[0].title, "コスメ");
    t = topics_of(f->ctx, "zh-Hant-TW");
    assert_string_equal(t.rows[0].title, "美妝保養");
    t = topics_of(f->ctx, "ES_419");
    assert_string_equal(t.rows[0].title, "Cosméticos");
    t = topics_of(f->ctx, NULL); /* the context's: en */
    assert_string_equal(t.rows[0].title, "Cosmetics");
    korean = open_ctx(f, "ko", 0);
    t = topics_of(korean, NULL);
    assert_string_equal(t.rows[0].title, "화장품");
    vg_close(korean);
}

static void test_topics_stop_when_the_callback_says_so(void **state)
{
    topic_list t;
    FIXTURE(state);

    memset(&t, 0, sizeof t);
    t.stop_after = 2;
    assert_status(vg_gallery_topics(f->ctx, "en", take_topic, &t), VG_OK);
    assert_int_equal(t.count, 2);
}

static void test_a_promoted_topic_is_listed_only_in_languages_it_has_examples_in(void **state)
{
    int64_t job, id;
    topic_list t;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "車のキーホルダーがゆっくり回る", "ja");
    assert_status(vg_gallery_promote(&id, f->ctx, job, "automotive", NULL), VG_OK);
    assert_int_equal(count_of(f->ctx, "ja", "automotive"), 1);
    assert_int_equal(count_of(f->ctx, "en", "automotive"), -1);
    t = topics_of(f->ctx, "ja");
    assert_int_equal(t.count, TOPICS + 1);
    assert_string_equal(t.rows[0].topic, "automotive"); /* by name */
    assert_string_equal(t.rows[0].title, "automotive"); /* no title of its own */
}

/* --- examples ------------------------------------------------------------------------------ */

static void test_examples_return_at_most_count_of_the_topic_and_language(void **state)
{
    sample *s;
    int i;
    FIXTURE(state);

    s = sample_of(f->ctx, "jewelry", "ko", 2, 0);
    assert_int_equal(s->count, 2);
    for (i = 0; i < s->count; i++) {
        assert_string_equal(s->items[i].topic, "jewelry");
        assert_string_equal(s->items[i].lang, "ko");
        assert_true(*s->items[i].title && *s->items[i].prompt);
        assert_int_equal(s->items[i].job_id, 0);
        assert_string_equal(s->items[i].result_url, "");
        assert_int_equal(s->items[i].created_at, WEDNESDAY);
    }
    free(s);
    s = sample_of(f->ctx, "jewelry", "ko", 100, 0);
    assert_int_equal(s->count, 3);
    free(s);
    s = sample_of(f->ctx, NULL, "es", 100, 0);
    assert_int_equal(s->count, PER_LANG);
    free(s);
    s = sample_of(f->ctx, "no_such_topic", "es", 10, 0);
    assert_int_equal(s->count, 0);
    free(s);
}

static void test_examples_carry_the_seed_text_of_their_language(void **state)
{
    sample *s;
    int i, x, found;
    FIXTURE(state);

    s = sample_of(f->ctx, "cosmetics", "zh-TW", 3, 9);
    for (i = 0; i < s->count; i++) {
        for (x = 0, found = 0; x < VG__GALLERY_SEED_EXAMPLES; x++) {
            const vg__gallery_seed_example *e = &vg__gallery_seed[0].examples[x];
            if (strcmp(e->text[VG__LANG_ZH_TW].prompt, s->items[i].prompt) == 0) {
                found = 1;
                assert_string_equal(s->items[i].title, e->text[VG__LANG_ZH_TW].title);
                assert_string_equal(s->items[i].service, e->service);
                assert_string_equal(s->items[i].media_type, e->media_type);
            }
        }
        assert_true(found);
    }
    free(s);
}

static void test_examples_with_the_same_seed_come_in_the_same_order(void **state)
{
    sample *a, *b, *c;
    int i, same = 1;
    FIXTURE(state);

    a = sample_of(f->ctx, NULL, "en", 10, 12345);
    b = sample_of(f->ctx, NULL, "en", 10, 12345);
    c = sample_of(f->ctx, NULL, "en", 10, 54321);
    assert_int_equal(a->count, 10);
    for (i = 0; i < 10; i++) {
        assert_int_equal(a->items[i].id, b->items[i].id);
        same = same && a->items[i].id == c->items[i].id;
    }
    assert_false(same);
    free(a);
    free(b);
    free(c);
}

static void test_examples_with_seed_zero_come_in_a_fresh_order(void **state)
{
    sample *a, *b;
    int i, same = 1;
    FIXTURE(state);

    a = sample_of(f->ctx, NULL, "en", PER_LANG, 0);
    b = sample_of(f->ctx, NULL, "en", PER_LANG, 0);
    for (i = 0; i < PER_LANG; i++)
        same = same && a->items[i].id == b->items[i].id;
    assert_false(same); /* the same order twice: 1 in 24! */
    free(a);
    free(b);
}

static void test_examples_hold_no_duplicates_and_reach_every_example(void **state)
{
    int64_t seen_ids[PER_LANG];
    int seen = 0, i, j, k;
    uint64_t seed;
    FIXTURE(state);

    for (seed = 1; seed <= 60; seed++) {
        sample *s = sample_of(f->ctx, NULL, "en", 5, seed);
        assert_int_equal(s->count, 5);
        for (i = 0; i < s->count; i++) {
            for (j = i + 1; j < s->count; j++)
                assert_int_not_equal(s->items[i].id, s->items[j].id);
            for (k = 0; k < seen && seen_ids[k] != s->items[i].id; k++)
                ;
            if (k == seen)
                seen_ids[seen++] = s->items[i].id;
        }
        free(s);
    }
    assert_int_equal(seen, PER_LANG); /* 300 picks of 24: each is reached */
}

static void test_examples_stop_when_the_callback_says_so(void **state)
{
    sample *s = calloc(1, sizeof *s);
    FIXTURE(state);

    assert_non_null(s);
    s->stop_after = 1;
    assert_status(vg_gallery_examples(f->ctx, NULL, "en", 10, 3, take_example, s), VG_OK);
    assert_int_equal(s->count, 1);
    free(s);
}

/* --- promote ------------------------------------------------------------------------------- */

static void test_promote_copies_a_succeeded_public_job(void **state)
{
    const char *prompt = "A matte black coffee grinder on a walnut counter, beans falling in "
                         "slow motion, warm morning light";
    int64_t job, id = 0;
    sample *s;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, prompt, "en-US");
    f->now += 60 * SEC;
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", NULL), VG_OK);
    assert_true(id > 0);
    assert_int_equal(count_of(f->ctx, "en", "home"), 4);
    assert_int_equal(count_of(f->ctx, "ja", "home"), 3);
    s = sample_of(f->ctx, "home", "en", 4, 5);
    for (int i = 0; i < s->count; i++) {
        const vg_example *e = &s->items[i];
        if (e->id != id)
            continue;
        assert_int_equal(e->job_id, job);
        assert_string_equal(e->lang, "en");
        assert_string_equal(e->prompt, prompt);
        assert_string_equal(e->title, "A matte black coffee grinder on a walnut counter, beans"
                                      "\xe2\x80\xa6");
        assert_string_equal(e->service, "video_720p");
        assert_string_equal(e->media_type, "video");
        assert_string_equal(e->result_url, "https://cdn.test/1.mp4");
        assert_string_equal(e->thumbnail_url, "https://cdn.test/1.jpg");
        assert_int_equal(e->created_at, WEDNESDAY + 60 * SEC);
        id = 0;
    }
    assert_int_equal(id, 0); /* it was in the sample */
    free(s);
}

static void test_promote_keeps_a_given_title(void **state)
{
    int64_t job, id;
    sample *s;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "un reloj dorado girando", "es");
    assert_status(vg_gallery_promote(&id, f->ctx, job, "jewelry", "Reloj dorado ✨"), VG_OK);
    s = sample_of(f->ctx, "jewelry", "es", 100, 1);
    assert_int_equal(s->count, 4);
    for (int i = 0; i < s->count; i++)
        if (s->items[i].id == id)
            assert_string_equal(s->items[i].title, "Reloj dorado ✨");
    free(s);
}

static void test_promote_twice_to_a_topic_returns_the_same_example(void **state)
{
    int64_t job, first, again, other;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "a blue yoga mat", "en");
    assert_status(vg_gallery_promote(&first, f->ctx, job, "sports", NULL), VG_OK);
    assert_status(vg_gallery_promote(&again, f->ctx, job, "sports", "Another title"), VG_OK);
    assert_int_equal(again, first);
    assert_int_equal(count_of(f->ctx, "en", "sports"), 4);
    assert_status(vg_gallery_promote(&other, f->ctx, job, "home", NULL), VG_OK);
    assert_int_not_equal(other, first);
    assert_int_equal(count_of(f->ctx, "en", "home"), 4);
}

static void test_promote_refuses_a_job_that_is_not_public(void **state)
{
    int64_t job, id = -7;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 0, "a private prompt", "en");
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", NULL), VG_EJOB_STATE);
    assert_int_equal(id, -7);
    assert_int_equal(total_examples(f->ctx), SEEDED);
}

static void test_promote_refuses_a_job_that_did_not_succeed(void **state)
{
    static const int states[] = {VG_JOB_QUEUED, VG_JOB_POLLING, VG_JOB_FAILED, VG_JOB_CANCELLED};
    size_t i;
    FIXTURE(state);

    for (i = 0; i < sizeof states / sizeof states[0]; i++) {
        int64_t job = add_job(f, states[i], 1, "an unfinished prompt", "en");
        assert_status(vg_gallery_promote(NULL, f->ctx, job, "home", NULL), VG_EJOB_STATE);
    }
    assert_int_equal(total_examples(f->ctx), SEEDED);
}

static void test_promote_of_an_unknown_job_is_not_found(void **state)
{
    FIXTURE(state);

    assert_status(vg_gallery_promote(NULL, f->ctx, 999999, "home", NULL), VG_ENOTFOUND);
    assert_true(strstr(vg_ctx_errmsg(f->ctx), "999999") != NULL);
    assert_int_equal(total_examples(f->ctx), SEEDED);
}

static void test_promote_refuses_bad_input_and_changes_nothing(void **state)
{
    static const char *const bad_topics[] = {
        "", "Home", "home decor", "home-decor", "caf\xc3\xa9", "a_topic_name_of_thirty_two_bytes"};
    char long_title[VG_STORE_TITLE_SIZE + 1];
    int64_t job, id = -7;
    size_t i;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "a silver necklace", "en");
    assert_status(vg_gallery_promote(&id, NULL, job, "home", NULL), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, job, NULL, NULL), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, 0, "home", NULL), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, -job, "home", NULL), VG_EINVAL);
    for (i = 0; i < sizeof bad_topics / sizeof bad_topics[0]; i++)
        assert_status(vg_gallery_promote(&id, f->ctx, job, bad_topics[i], NULL), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", "bad \xff title"), VG_EUTF8);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", "\xe3\x81"), VG_EUTF8);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", ""), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", "   "), VG_EINVAL);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", "two\nlines"), VG_EINVAL);
    memset(long_title, 'x', VG_STORE_TITLE_SIZE);
    long_title[VG_STORE_TITLE_SIZE] = '\0';
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", long_title), VG_EINVAL);
    long_title[VG_STORE_TITLE_SIZE - 1] = '\0'; /* 127 bytes: the longest title */
    assert_int_equal(id, -7);
    assert_int_equal(total_examples(f->ctx), SEEDED);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", long_title), VG_OK);
    assert_int_equal(total_examples(f->ctx), SEEDED + 1);
}

static void test_promote_of_a_job_without_prompt_needs_a_title(void **state)
{
    int64_t job, id;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "", "en");
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", NULL), VG_EINVAL);
    assert_int_equal(total_examples(f->ctx), SEEDED);
    assert_status(vg_gallery_promote(&id, f->ctx, job, "home", "Styled video"), VG_OK);
    assert_int_equal(count_of(f->ctx, "en", "home"), 4);
}

/* --- remove -------------------------------------------------------------------------------- */

static void test_remove_takes_an_example_out_once(void **state)
{
    sample *s;
    int64_t id;
    FIXTURE(state);

    s = sample_of(f->ctx, "fashion", "ja", 1, 77);
    id = s->items[0].id;
    free(s);
    assert_status(vg_gallery_remove(f->ctx, id), VG_OK);
    assert_int_equal(count_of(f->ctx, "ja", "fashion"), 2);
    assert_int_equal(count_of(f->ctx, "en", "fashion"), 3);
    assert_status(vg_gallery_remove(f->ctx, id), VG_ENOTFOUND);
    assert_int_equal(total_examples(f->ctx), SEEDED - 1);
}

static void test_remove_of_a_promoted_example_leaves_its_job(void **state)
{
    int64_t job, id;
    vg_job out;
    FIXTURE(state);

    job = add_job(f, VG_JOB_SUCCEEDED, 1, "a leather wallet", "en");
    assert_status(vg_gallery_promote(&id, f->ctx, job, "accessories", NULL), VG_OK);
    assert_int_equal(count_of(f->ctx, "en", "accessories"), 1);
    assert_status(vg_gallery_remove(f->ctx, id), VG_OK);
    assert_int_equal(count_of(f->ctx, "en", "accessories"), -1); /* gone with its last */
    assert_status(vg_job_get(&out, f->ctx, job), VG_OK);
    assert_int_equal(out.state, VG_JOB_SUCCEEDED);
}

/* --- bad input ----------------------------------------------------------------------------- */

static void test_bad_arguments_are_refused_with_a_message(void **state)
{
    static sample s; /* large: not on the stack */
    topic_list t;
    FIXTURE(state);

    memset(&t, 0, sizeof t);
    assert_status(vg_gallery_topics(NULL, "en", take_topic, &t), VG_EINVAL);
    assert_status(vg_gallery_topics(f->ctx, "en", NULL, &t), VG_EINVAL);
    assert_status(vg_gallery_topics(f->ctx, "fr", take_topic, &t), VG_EINVAL);
    assert_true(strstr(vg_ctx_errmsg(f->ctx), "language") != NULL);
    assert_status(vg_gallery_topics(f->ctx, "zh-CN", take_topic, &t), VG_EINVAL);
    assert_status(vg_gallery_examples(NULL, NULL, "en", 5, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, NULL, "en", 5, 0, NULL, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, NULL, "en", 0, 0, take_example, &s), VG_EINVAL);
    assert_true(strstr(vg_ctx_errmsg(f->ctx), "1..100") != NULL);
    assert_status(vg_gallery_examples(f->ctx, NULL, "en", 101, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, NULL, "en", -1, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, "Pets", "en", 5, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, "", "en", 5, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_examples(f->ctx, NULL, "xx", 5, 0, take_example, &s), VG_EINVAL);
    assert_status(vg_gallery_remove(NULL, 1), VG_EINVAL);
    assert_status(vg_gallery_remove(f->ctx, 0), VG_EINVAL);
    assert_status(vg_gallery_remove(f->ctx, -3), VG_EINVAL);
    assert_int_equal(s.count, 0);
    assert_int_equal(t.count, 0);
    assert_int_equal(seed_events(f->ctx), 0); /* refused before reaching the store */
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_topics_are_named_sorted_and_titled_in_every_language),
        cmocka_unit_test(test_seed_examples_exist_in_all_five_languages_with_valid_text),
        cmocka_unit_test(test_seed_examples_use_seeded_services_of_their_media_type),
        cmocka_unit_test(test_rng_same_seed_gives_the_same_sequence),
        cmocka_unit_test(test_rng_below_covers_its_range_evenly),
        cmocka_unit_test(test_rng_seed_zero_draws_fresh_numbers),
        cmocka_unit_test(test_title_keeps_a_short_prompt_whole_with_white_space_collapsed),
        cmocka_unit_test(test_title_cuts_a_long_prompt_at_a_word_with_an_ellipsis),
        cmocka_unit_test(test_title_cuts_unspaced_text_at_sixty_characters),
        cmocka_unit_test(test_title_of_korean_stays_within_the_field_at_a_word),
        cmocka_unit_test(test_title_never_splits_a_combining_mark_from_its_letter),
        T(test_two_contexts_racing_seed_the_gallery_once),
        T(test_a_second_context_finds_the_gallery_seeded),
        T(test_removed_seed_examples_are_not_seeded_again),
        T(test_a_read_only_context_lists_an_unseeded_gallery_empty),
        T(test_topics_are_listed_by_name_with_counts_and_titles_per_language),
        T(test_topics_read_language_tags_as_the_library_does),
        T(test_topics_stop_when_the_callback_says_so),
        T(test_a_promoted_topic_is_listed_only_in_languages_it_has_examples_in),
        T(test_examples_return_at_most_count_of_the_topic_and_language),
        T(test_examples_carry_the_seed_text_of_their_language),
        T(test_examples_with_the_same_seed_come_in_the_same_order),
        T(test_examples_with_seed_zero_come_in_a_fresh_order),
        T(test_examples_hold_no_duplicates_and_reach_every_example),
        T(test_examples_stop_when_the_callback_says_so),
        T(test_promote_copies_a_succeeded_public_job),
        T(test_promote_keeps_a_given_title),
        T(test_promote_twice_to_a_topic_returns_the_same_example),
        T(test_promote_refuses_a_job_that_is_not_public),
        T(test_promote_refuses_a_job_that_did_not_succeed),
        T(test_promote_of_an_unknown_job_is_not_found),
        T(test_promote_refuses_bad_input_and_changes_nothing),
        T(test_promote_of_a_job_without_prompt_needs_a_title),
        T(test_remove_takes_an_example_out_once),
        T(test_remove_of_a_promoted_example_leaves_its_job),
        T(test_bad_arguments_are_refused_with_a_message),
    };
#undef T
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
