/* SPDX-License-Identifier: MIT */
/* The inspiration gallery: topics with counts, random examples per topic and language, the
 * first seeding (gallery_seed.c), promotion of succeeded public jobs, and removal. */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gallery.h"
#include "../cache/text.h"
#include "../plans/plans_internal.h"

#define SEEDED_KEY "gallery.seeded"
#define MAX_SAMPLE 100
#define ELLIPSIS "\xe2\x80\xa6" /* U+2026 */

_Static_assert(sizeof(((vg_example *)0)->title) == VG_STORE_TITLE_SIZE, "title sizes");
_Static_assert(sizeof(((vg_example *)0)->lang) == VG_STORE_LANG_SIZE, "lang sizes");
_Static_assert(sizeof(((vg_example *)0)->result_url) == VG_STORE_URL_SIZE, "URL sizes");
_Static_assert(sizeof(((vg_example *)0)->media_type) == sizeof(((vg_store_example *)0)->media_type),
               "media type sizes");

/* --- the random order ---------------------------------------------------------------------- */

void vg__gallery_rng_init(vg__gallery_rng *rng, uint64_t seed)
{
    rng->state = seed;
    rng->seeded = seed != 0;
}

/* splitmix64 (Steele, Lea, Flood 2014): every seed gives a full-period, well-mixed sequence. */
static uint64_t rng_next(vg__gallery_rng *rng)
{
    uint64_t z;
    if (!rng->seeded) {
        randombytes_buf(&z, sizeof z);
        return z;
    }
    z = (rng->state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

uint64_t vg__gallery_rng_below(vg__gallery_rng *rng, uint64_t n)
{
    uint64_t floor = (0 - n) % n; /* 2^64 mod n: values below it would favour small results */
    uint64_t x;
    do
        x = rng_next(rng);
    while (x < floor);
    return x % n;
}

/* --- titles -------------------------------------------------------------------------------- */

static int is_space(int32_t cp)
{
    return vg__text_class_of(cp) == VG__TEXT_SPACE;
}

static int is_mark(int32_t cp)
{
    utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

static int is_spaced_word(int32_t cp)
{
    vg__text_class c = vg__text_class_of(cp);
    return c == VG__TEXT_WORD || c == VG__TEXT_HANGUL;
}

/* Copies prompt into out with runs of white space made one space, leading and trailing ones
 * dropped, stopping before the character that would pass max_chars or max_bytes. Returns the
 * bytes written; *complete is 1 when all of the prompt fit, *mid_word 1 when the stop splits
 * a word of a spaced script. */
static size_t collapse(char *out, const char *prompt, size_t max_chars, size_t max_bytes,
                       int *complete, int *mid_word)
{
    size_t len = strlen(prompt), pos = 0, w = 0, chars = 0, base = 0;
    int32_t prev = 0, base_cp = 0, cp;
    int space = 0;

    *complete = 1;
    *mid_word = 0;
    while (pos < len) {
        size_t start = pos, n;
        cp = vg__text_next(prompt, len, &pos);
        n = pos - start;
        if (is_space(cp)) {
            space = w > 0;
            continue;
        }
        if (chars + (size_t)space + 1 > max_chars || w + (size_t)space + n > max_bytes) {
            *complete = 0;
            if (is_mark(cp) && !space) { /* a letter without its mark would be another */
                w = base;
                cp = base_cp;
                prev = 0;
                if (w > 0) {
                    size_t at = vg__text_prev(out, w);
                    prev = vg__text_next(out, w, &at);
                }
            }
            *mid_word = !space && is_spaced_word(prev) && is_spaced_word(cp);
            break;
        }
        if (space) {
            out[w++] = ' ';
            chars++;
            space = 0;
        }
        if (!is_mark(cp)) {
            base = w;
            base_cp = cp;
        }
        memcpy(out + w, prompt + start, n);
        w += n;
        chars++;
        prev = cp;
    }
    out[w] = '\0';
    return w;
}

size_t vg__gallery_title_from_prompt(char *out, size_t size, const char *prompt)
{
    size_t w, keep, pos;
    int complete, mid_word;

    w = collapse(out, prompt, VG__GALLERY_TITLE_CHARS, size - 1, &complete, &mid_word);
    if (complete)
        return w;
    w = collapse(out, prompt, VG__GALLERY_TITLE_CHARS, size - 1 - strlen(ELLIPSIS), &complete,
                 &mid_word);
    if (mid_word) { /* end at the last space of the second half, if there is one */
        for (pos = w; pos > w / 2 && out[pos - 1] != ' '; pos--)
            ;
        if (pos > w / 2)
            w = pos - 1;
    }
    keep = w;
    while (w > 0) { /* no trailing space or punctuation before the ellipsis */
        size_t at = vg__text_prev(out, w), next = at;
        vg__text_class c = vg__text_class_of(vg__text_next(out, w, &next));
        if (c != VG__TEXT_SPACE && c != VG__TEXT_PUNCT)
            break;
        w = at;
    }
    if (w == 0)
        w = keep;
    memcpy(out + w, ELLIPSIS, sizeof ELLIPSIS);
    return w + strlen(ELLIPSIS);
}

/* --- checks and copies --------------------------------------------------------------------- */

/* Resolves a language argument (NULL: the context's) to its tag; VG_EINVAL if unknown. */
static int lang_resolve(vg_ctx *ctx, const char *lang, const char **tag, const char *fn)
{
    int index = vg__lang_parse(lang ? lang : vg_ctx_lang(ctx));
    if (index < 0)
        return vg__fail(ctx, VG_EINVAL, "%s: the language is not one of en, ja, zh-TW, ko, es", fn);
    *tag = vg__lang_tags[index];
    return VG_OK;
}

static int topic_ok(vg_ctx *ctx, const char *topic, const char *fn)
{
    if (!vg__name_valid(topic))
        return vg__fail(ctx, VG_EINVAL, "%s: a topic name is 1..31 of [a-z0-9_]", fn);
    return VG_OK;
}

static int title_ok(vg_ctx *ctx, const char *title)
{
    size_t i, n;
    int blank = 1;

    if (!vg__utf8_valid(title))
        return vg__fail(ctx, VG_EUTF8, "vg_gallery_promote: the title is not valid UTF-8");
    n = strlen(title);
    if (n == 0 || n >= VG_STORE_TITLE_SIZE)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_promote: a title has 1..%d bytes",
                        VG_STORE_TITLE_SIZE - 1);
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)title[i];
        if (c < 0x20 || c == 0x7f)
            return vg__fail(ctx, VG_EINVAL,
                            "vg_gallery_promote: the title has a control "
                            "character");
        blank = blank && c == ' ';
    }
    if (blank)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_promote: the title is blank");
    return VG_OK;
}

/* Copies text into a field of size bytes, cut at a code point boundary if it is longer. */
static void copy_text(char *dst, size_t size, const char *src)
{
    const char *end = memchr(src, '\0', size);
    size_t n = end ? (size_t)(end - src) : size;
    if (n >= size) {
        n = size - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

static void example_public(vg_example *out, const vg_store_example *e)
{
    memset(out, 0, sizeof *out);
    out->version = VG_EXAMPLE_VERSION;
    out->id = e->id;
    copy_text(out->topic, sizeof out->topic, e->topic);
    copy_text(out->lang, sizeof out->lang, e->lang);
    copy_text(out->title, sizeof out->title, e->title);
    copy_text(out->prompt, sizeof out->prompt, e->prompt);
    copy_text(out->service, sizeof out->service, e->service);
    copy_text(out->media_type, sizeof out->media_type, e->media_type);
    copy_text(out->result_url, sizeof out->result_url, e->result_url);
    copy_text(out->thumbnail_url, sizeof out->thumbnail_url, e->thumbnail_url);
    out->job_id = e->job_id;
    out->created_at = e->created_at;
}

static const vg__gallery_seed_topic *seed_topic(const char *name)
{
    size_t i;
    for (i = 0; i < vg__gallery_seed_count; i++)
        if (strcmp(vg__gallery_seed[i].name, name) == 0)
            return &vg__gallery_seed[i];
    return NULL;
}

/* --- seeding ------------------------------------------------------------------------------- */

int vg__gallery_seed_store(vg__txn *txn)
{
    vg_store_example e;
    char *mark = NULL, detail[96];
    size_t t, x, l, count = 0;
    int64_t id;
    int rc = vg__meta_get(txn, &mark, SEEDED_KEY, 1);

    vg__free(txn->ctx, mark);
    if (rc != VG_ENOTFOUND)
        return rc; /* VG_OK: seeded before */
    memset(&e, 0, sizeof e);
    e.created_at = vg_ctx_now(txn->ctx);
    for (t = 0; t < vg__gallery_seed_count; t++) {
        const vg__gallery_seed_topic *topic = &vg__gallery_seed[t];
        copy_text(e.topic, sizeof e.topic, topic->name);
        for (x = 0; x < VG__GALLERY_SEED_EXAMPLES; x++) {
            const vg__gallery_seed_example *ex = &topic->examples[x];
            copy_text(e.service, sizeof e.service, ex->service);
            copy_text(e.media_type, sizeof e.media_type, ex->media_type);
            for (l = 0; l < VG__LANG_COUNT; l++) {
                copy_text(e.lang, sizeof e.lang, vg__lang_tags[l]);
                copy_text(e.title, sizeof e.title, ex->text[l].title);
                copy_text(e.prompt, sizeof e.prompt, ex->text[l].prompt);
                if ((rc = vg__gallery_insert(txn, &id, &e)) != VG_OK)
                    return rc;
                count++;
            }
        }
    }
    if ((rc = vg__meta_put(txn, SEEDED_KEY, vg_version())) != VG_OK)
        return rc;
    snprintf(detail, sizeof detail, "%zu examples in %zu topics", count, vg__gallery_seed_count);
    return vg__event_append(txn, "gallery.seeded", detail);
}

static int seed_body(vg__txn *txn, void *payload)
{
    (void)payload;
    return vg__gallery_seed_store(txn);
}

/* What a read of the gallery shares: the seed check before it. */
typedef struct gallery_read {
    int checked;  /* the seed mark was looked at: read what there is */
    int unseeded; /* the read found no mark and stopped */
} gallery_read;

/* Called first by a read body: returns VG_OK with r->unseeded set when the gallery has no
 * seed yet (the body then stops at once). */
static int read_seed_mark(vg__txn *txn, gallery_read *r)
{
    char *mark = NULL;
    int rc;

    r->unseeded = 0;
    if (r->checked)
        return VG_OK;
    rc = vg__meta_get(txn, &mark, SEEDED_KEY, 0);
    vg__free(txn->ctx, mark);
    if (rc == VG_ENOTFOUND) {
        r->unseeded = 1;
        return VG_OK;
    }
    return rc;
}

/* Runs a read body; when it found the gallery unseeded, seeds it in a write transaction
 * (a read-only context reads what there is) and runs the body again. */
static int read_seeded(vg_ctx *ctx, vg__txn_fn body, gallery_read *r)
{
    int rc = vg__txn_run(ctx, VG_TXN_READ, body, r);
    if (rc != VG_OK || !r->unseeded)
        return rc;
    if (!(ctx->flags & VG_OPEN_READONLY) &&
        (rc = vg__txn_run(ctx, VG_TXN_WRITE, seed_body, NULL)) != VG_OK)
        return rc;
    r->checked = 1;
    return vg__txn_run(ctx, VG_TXN_READ, body, r);
}

/* --- topics -------------------------------------------------------------------------------- */

typedef struct topic_count {
    char name[VG_NAME_SIZE];
    int count;
} topic_count;

typedef struct topics_args {
    gallery_read r; /* first: the body's payload is also a gallery_read */
    vg_ctx *ctx;
    const char *lang;
    topic_count *topics;
    size_t count, capacity;
    int nomem;
} topics_args;

static topic_count *topic_find(topics_args *a, const char *name)
{
    size_t i;
    topic_count *grown;

    for (i = 0; i < a->count; i++)
        if (strcmp(a->topics[i].name, name) == 0)
            return &a->topics[i];
    if (a->count == a->capacity) {
        size_t capacity = a->capacity ? 2 * a->capacity : 16;
        if (!(grown = vg__calloc(a->ctx, capacity, sizeof *grown)))
            return NULL;
        if (a->count)
            memcpy(grown, a->topics, a->count * sizeof *grown);
        vg__free(a->ctx, a->topics);
        a->topics = grown;
        a->capacity = capacity;
    }
    copy_text(a->topics[a->count].name, VG_NAME_SIZE, name);
    a->topics[a->count].count = 0;
    return &a->topics[a->count++];
}

static int count_one(const vg_store_example *e, void *payload)
{
    topics_args *a = payload;
    topic_count *t = topic_find(a, e->topic);
    if (!t) {
        a->nomem = 1;
        return 1;
    }
    t->count++;
    return 0;
}

static int topics_body(vg__txn *txn, void *payload)
{
    topics_args *a = payload;
    size_t i;
    int rc = read_seed_mark(txn, &a->r);

    if (rc != VG_OK || a->r.unseeded)
        return rc;
    a->count = 0;
    for (i = 0; i < vg__gallery_seed_count; i++) /* seeded topics are always listed */
        if (!topic_find(a, vg__gallery_seed[i].name))
            return vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    rc = vg__gallery_list(txn, NULL, a->lang, count_one, a);
    if (rc == VG_OK && a->nomem)
        rc = vg__fail(txn->ctx, VG_ENOMEM, "out of memory");
    return rc;
}

static int topic_cmp(const void *x, const void *y)
{
    return strcmp(((const topic_count *)x)->name, ((const topic_count *)y)->name);
}

int vg_gallery_topics(vg_ctx *ctx, const char *lang, vg_topic_fn callback, void *payload)
{
    topics_args a;
    size_t i;
    int rc, index;

    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_topics: NULL argument");
    memset(&a, 0, sizeof a);
    a.ctx = ctx;
    if ((rc = lang_resolve(ctx, lang, &a.lang, "vg_gallery_topics")) != VG_OK)
        return rc;
    index = vg__lang_parse(a.lang);
    if ((rc = read_seeded(ctx, topics_body, &a.r)) == VG_OK) {
        qsort(a.topics, a.count, sizeof *a.topics, topic_cmp);
        for (i = 0; i < a.count; i++) {
            const vg__gallery_seed_topic *seeded = seed_topic(a.topics[i].name);
            vg_topic topic;
            topic.topic = a.topics[i].name;
            topic.title = seeded ? seeded->title[index] : a.topics[i].name;
            topic.count = a.topics[i].count;
            if (callback(&topic, payload) != 0)
                break;
        }
    }
    vg__free(ctx, a.topics);
    return rc;
}

/* --- examples ------------------------------------------------------------------------------ */

typedef struct sample_args {
    gallery_read r; /* first: the body's payload is also a gallery_read */
    const char *topic, *lang;
    uint64_t want;
    vg__gallery_rng start, rng;
    vg_store_example *slots; /* want of them */
    uint64_t seen;
} sample_args;

/* Reservoir sampling (Algorithm R): after n examples, each is in the slots with
 * probability want / n, so any number of examples is sampled in want slots. */
static int sample_one(const vg_store_example *e, void *payload)
{
    sample_args *a = payload;
    uint64_t slot = a->seen < a->want ? a->seen : vg__gallery_rng_below(&a->rng, a->seen + 1);
    a->seen++;
    if (slot < a->want)
        a->slots[slot] = *e;
    return 0;
}

static int sample_body(vg__txn *txn, void *payload)
{
    sample_args *a = payload;
    int rc = read_seed_mark(txn, &a->r);

    if (rc != VG_OK || a->r.unseeded)
        return rc;
    a->seen = 0;
    a->rng = a->start; /* a retried transaction draws the same numbers */
    return vg__gallery_list(txn, a->topic, a->lang, sample_one, a);
}

int vg_gallery_examples(vg_ctx *ctx, const char *topic, const char *lang, int count, uint64_t seed,
                        vg_example_fn callback, void *payload)
{
    sample_args a;
    vg_example *out = NULL;
    uint64_t kept, i;
    int rc;

    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_examples: NULL argument");
    if (count < 1 || count > MAX_SAMPLE)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_examples: count is 1..%d", MAX_SAMPLE);
    if (topic && (rc = topic_ok(ctx, topic, "vg_gallery_examples")) != VG_OK)
        return rc;
    memset(&a, 0, sizeof a);
    if ((rc = lang_resolve(ctx, lang, &a.lang, "vg_gallery_examples")) != VG_OK)
        return rc;
    a.topic = topic;
    a.want = (uint64_t)count;
    vg__gallery_rng_init(&a.start, seed);
    if (!(a.slots = vg__calloc(ctx, a.want, sizeof *a.slots)) ||
        !(out = vg__alloc(ctx, sizeof *out))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = read_seeded(ctx, sample_body, &a.r)) != VG_OK)
        goto done;
    kept = a.seen < a.want ? a.seen : a.want;
    for (i = kept; i > 1; i--) { /* Fisher-Yates: the order is random too */
        uint64_t j = vg__gallery_rng_below(&a.rng, i);
        vg_store_example t = a.slots[i - 1];
        a.slots[i - 1] = a.slots[j];
        a.slots[j] = t;
    }
    for (i = 0; i < kept; i++) {
        example_public(out, &a.slots[i]);
        if (callback(out, payload) != 0)
            break;
    }
done:
    vg__free(ctx, out);
    vg__free(ctx, a.slots);
    return rc;
}

/* --- promote and remove -------------------------------------------------------------------- */

typedef struct promote_args {
    int64_t job_id;
    const char *topic, *title;
    vg_store_job job;
    vg_store_example example;
    int64_t id;
} promote_args;

static int find_job(const vg_store_example *e, void *payload)
{
    promote_args *a = payload;
    if (e->job_id != a->job_id)
        return 0;
    a->id = e->id;
    return 1;
}

/* Fills the example from the job; VG_EINVAL when it has no prompt to make a title of. */
static int example_from_job(vg__txn *txn, promote_args *a)
{
    vg_store_example *e = &a->example;
    const vg_store_job *j = &a->job;
    int lang = vg__lang_parse(j->lang);

    memset(e, 0, sizeof *e);
    copy_text(e->topic, sizeof e->topic, a->topic);
    copy_text(e->lang, sizeof e->lang, lang >= 0 ? vg__lang_tags[lang] : vg_ctx_lang(txn->ctx));
    if (!vg__utf8_valid(j->prompt))
        return vg__fail(txn->ctx, VG_EUTF8, "job %lld: the prompt is not valid UTF-8",
                        (long long)j->id);
    if (a->title)
        copy_text(e->title, sizeof e->title, a->title);
    else if (vg__gallery_title_from_prompt(e->title, sizeof e->title, j->prompt) == 0)
        return vg__fail(txn->ctx, VG_EINVAL,
                        "job %lld has no prompt to make a title of; "
                        "give a title",
                        (long long)j->id);
    copy_text(e->prompt, sizeof e->prompt, j->prompt);
    copy_text(e->service, sizeof e->service, j->service);
    copy_text(e->media_type, sizeof e->media_type, j->media_type);
    copy_text(e->result_url, sizeof e->result_url, j->result_url);
    copy_text(e->thumbnail_url, sizeof e->thumbnail_url, j->thumbnail_url);
    e->job_id = j->id;
    e->created_at = vg_ctx_now(txn->ctx);
    return VG_OK;
}

static int promote_body(vg__txn *txn, void *payload)
{
    promote_args *a = payload;
    char detail[128];
    int rc;

    a->id = 0;
    if ((rc = vg__gallery_seed_store(txn)) != VG_OK)
        return rc;
    rc = vg__job_get(txn, &a->job, a->job_id, 0);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "vg_gallery_promote: no job %lld", (long long)a->job_id);
    if (rc != VG_OK)
        return rc;
    if (a->job.state != VG_JOB_SUCCEEDED)
        return vg__fail(txn->ctx, VG_EJOB_STATE,
                        "vg_gallery_promote: job %lld has not "
                        "succeeded (state %d)",
                        (long long)a->job_id, a->job.state);
    if (!a->job.is_public)
        return vg__fail(txn->ctx, VG_EJOB_STATE, "vg_gallery_promote: job %lld is not public",
                        (long long)a->job_id);
    if ((rc = vg__gallery_list(txn, a->topic, NULL, find_job, a)) != VG_OK || a->id)
        return rc; /* promoted to this topic before: that example */
    if ((rc = example_from_job(txn, a)) != VG_OK ||
        (rc = vg__gallery_insert(txn, &a->id, &a->example)) != VG_OK)
        return rc;
    snprintf(detail, sizeof detail, "example %lld from job %lld under %s", (long long)a->id,
             (long long)a->job_id, a->topic);
    return vg__event_append(txn, "gallery.promoted", detail);
}

int vg_gallery_promote(int64_t *out_id, vg_ctx *ctx, int64_t job_id, const char *topic,
                       const char *title)
{
    promote_args *a;
    int rc;

    if (!ctx || !topic)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_promote: NULL argument");
    if (job_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_promote: a job id is positive");
    if ((rc = topic_ok(ctx, topic, "vg_gallery_promote")) != VG_OK ||
        (title && (rc = title_ok(ctx, title)) != VG_OK))
        return rc;
    if (!(a = vg__calloc(ctx, 1, sizeof *a)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    a->job_id = job_id;
    a->topic = topic;
    a->title = title;
    rc = vg__txn_run(ctx, VG_TXN_WRITE, promote_body, a);
    if (rc == VG_OK && out_id)
        *out_id = a->id;
    vg__free(ctx, a);
    return rc;
}

static int remove_body(vg__txn *txn, void *payload)
{
    int64_t id = *(const int64_t *)payload;
    char detail[48];
    int rc = vg__gallery_seed_store(txn);

    if (rc == VG_OK && (rc = vg__gallery_delete(txn, id)) == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "vg_gallery_remove: no example %lld", (long long)id);
    if (rc != VG_OK)
        return rc;
    snprintf(detail, sizeof detail, "example %lld", (long long)id);
    return vg__event_append(txn, "gallery.removed", detail);
}

int vg_gallery_remove(vg_ctx *ctx, int64_t example_id)
{
    if (!ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_remove: NULL argument");
    if (example_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_gallery_remove: an example id is positive");
    return vg__txn_run(ctx, VG_TXN_WRITE, remove_body, &example_id);
}
