/* SPDX-License-Identifier: MIT */
/* The conformance suite for the version-5 methods of a backend: generation jobs (their
 * versions, the queue's order and due rules, claims by concurrent workers), the inputs of
 * jobs and the inspiration gallery, as include/vidgo/sys/store.h says. */
#include <float.h>
#include <limits.h>
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

#include "conformance.h"

/* --- what the backend must have ---------------------------------------------------------- */

/* Fails the test unless the backend says it is of version 5 and has each of its methods
 * (calling a missing one would crash the suite). */
static void require_jobs(const vg_store_backend *b)
{
    const struct {
        const char *name;
        int present;
    } methods[] = {
        {"job_insert", b->job_insert != NULL},         {"job_get", b->job_get != NULL},
        {"job_find", b->job_find != NULL},             {"job_update", b->job_update != NULL},
        {"job_claim", b->job_claim != NULL},           {"jobs_list", b->jobs_list != NULL},
        {"input_put", b->input_put != NULL},           {"input_get", b->input_get != NULL},
        {"gallery_insert", b->gallery_insert != NULL}, {"gallery_list", b->gallery_list != NULL},
        {"gallery_delete", b->gallery_delete != NULL},
    };
    size_t i;

    if (b->version < 5)
        fail_msg("the %s backend is of version %u, not 5", b->name, b->version);
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!methods[i].present)
            fail_msg("the %s backend has no %s", b->name, methods[i].name);
}

/* raw_begin() on a backend that has the methods of version 5. */
static raw_store jobs_begin(const char *label)
{
    require_jobs(target->backend());
    return raw_begin(label);
}

/* --- records to write -------------------------------------------------------------------- */

/* A hash: zero bytes first, inside and last (so it is no C string), bytes >= 0x80, and the
 * rest set by `seed`. */
static void make_hash(unsigned char hash[VG_STORE_HASH_SIZE], int seed)
{
    size_t i;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        hash[i] = (unsigned char)(seed * 37 + i * 29 + 0x85);
    hash[0] = 0;
    hash[11] = 0;
    hash[VG_STORE_HASH_SIZE - 1] = 0;
}

/* Writes UTF-8 text that fills a field of `size` bytes (size - 1 bytes and the terminator):
 * `head`, then `fill` repeated, then a four-byte character in the last four bytes. */
static void fill_text(char *out, size_t size, const char *head, char fill)
{
    static const char tail[] = "🎬";
    size_t head_len = strlen(head), end = size - 1 - (sizeof tail - 1);
    assert_true(head_len <= end);
    memcpy(out, head, head_len);
    memset(out + head_len, fill, end - head_len);
    memcpy(out + end, tail, sizeof tail);
}

/* A job whose every text fills its field (URLs of 2047 bytes, UTF-8 prompts), whose numbers
 * are distinct, set by `seed` and reach the ends of their types, and whose id and version
 * hold values an insert must ignore. */
static vg_store_job make_job(int64_t user_id, int seed)
{
    vg_store_job j;
    char head[128];
    memset(&j, 0, sizeof j);
    j.id = 777777;
    j.version = 99;
    j.user_id = user_id;
    snprintf(head, sizeof head, "key-%d-冪等キー ", seed);
    fill_text(j.idempotency_key, sizeof j.idempotency_key, head, 'k');
    make_hash(j.request_hash, seed);
    snprintf(head, sizeof head, "svc%d_", seed);
    fill_text(j.service, sizeof j.service, head, 's');
    j.kind = 2;
    j.state = 1;
    j.stage = 1;
    j.priority = 1;
    snprintf(head, sizeof head, "user:%lld/影片 %d ", (long long)user_id, seed);
    fill_text(j.scope, sizeof j.scope, head, 'c');
    snprintf(head, sizeof head, "%d it's \"a cat\" \\ 100%% _x_\n\tрыжий кот 🐈 ", seed);
    fill_text(j.prompt, sizeof j.prompt, head, 'p');
    snprintf(head, sizeof head, "%d cinematic, 貓在窗邊, golden hour; ", seed);
    fill_text(j.enhanced_prompt, sizeof j.enhanced_prompt, head, 'e');
    snprintf(j.lang, sizeof j.lang, "zh-Hant");
    j.resolution = 1080;
    j.duration_s = 10;
    j.fps = 60;
    snprintf(head, sizeof head, "anime-%d ", seed);
    fill_text(j.style, sizeof j.style, head, 'y');
    make_hash(j.input_hash, seed + 1000);
    j.has_input = 1;
    j.input_job_id = INT64_MIN + seed;
    j.is_public = 1;
    j.hold_id = INT64_MAX - seed;
    j.price = INT_MAX - seed;
    j.free_use = 1;
    j.watermark = 1;
    j.settled = 1;
    j.charged = 1;
    j.leader_id = 5555555555LL + seed;
    j.cache_hit = 1;
    j.similarity = 0.8765432109876543 + seed * 1e-9;
    snprintf(head, sizeof head, "prov%d", seed);
    fill_text(j.provider, sizeof j.provider, head, 'v');
    snprintf(head, sizeof head, "task-%d-", seed);
    fill_text(j.provider_job_id, sizeof j.provider_job_id, head, 't');
    j.fallback = 1;
    j.attempts = 7;
    j.poll_errors = 3;
    j.percent = -1;
    fill_text(j.media_type, sizeof j.media_type, "video", 'm');
    snprintf(head, sizeof head, "https://cdn.example.com/%d/結果.mp4?sig=", seed);
    fill_text(j.result_url, sizeof j.result_url, head, 'r');
    snprintf(head, sizeof head, "https://cdn.example.com/%d/縮圖.jpg?sig=", seed);
    fill_text(j.thumbnail_url, sizeof j.thumbnail_url, head, 'h');
    j.width = 1920;
    j.height = 1088;
    j.result_duration_s = 9;
    j.placeholder = 1;
    j.api_cost_micro_usd = 123456789012345LL + seed;
    j.error = INT_MIN + seed;
    snprintf(head, sizeof head, "provider said: «%d» ", seed);
    fill_text(j.error_detail, sizeof j.error_detail, head, 'd');
    snprintf(head, sizeof head, "host-%d:pid:", seed);
    fill_text(j.lease_owner, sizeof j.lease_owner, head, 'w');
    j.lease_until = 1700000000001111LL + seed;
    j.next_run_at = 1700000000002222LL + seed;
    j.created_at = 1700000000003333LL + seed;
    j.updated_at = 1700000000004444LL + seed;
    j.submitted_at = 1700000000005555LL + seed;
    j.finished_at = 1700000000006666LL + seed;
    return j;
}

/* A job as the queue sees it: waiting (state 0), not leased, due from `created_at` on. */
static vg_store_job queued_job(int64_t user_id, const char *key, vg_time created_at,
                               int priority)
{
    vg_store_job j;
    memset(&j, 0, sizeof j);
    j.user_id = user_id;
    snprintf(j.idempotency_key, sizeof j.idempotency_key, "%s", key);
    snprintf(j.service, sizeof j.service, "video_720p");
    snprintf(j.scope, sizeof j.scope, "video_720p");
    snprintf(j.prompt, sizeof j.prompt, "a cat %s", key);
    snprintf(j.lang, sizeof j.lang, "en");
    j.priority = priority;
    j.created_at = created_at;
    j.updated_at = created_at;
    j.next_run_at = created_at;
    return j;
}

static vg_store_example make_example(const char *topic, const char *lang, int seed)
{
    vg_store_example e;
    char head[128];
    memset(&e, 0, sizeof e);
    e.id = 424242;
    snprintf(e.topic, sizeof e.topic, "%s", topic);
    snprintf(e.lang, sizeof e.lang, "%s", lang);
    snprintf(e.title, sizeof e.title, "example %d", seed);
    snprintf(e.prompt, sizeof e.prompt, "prompt %d", seed);
    snprintf(e.service, sizeof e.service, "video_720p");
    snprintf(e.media_type, sizeof e.media_type, "video");
    snprintf(head, sizeof head, "https://cdn.example.com/gallery/%d.mp4", seed);
    snprintf(e.result_url, sizeof e.result_url, "%s", head);
    e.job_id = seed;
    e.created_at = 1700000000000000LL + seed;
    return e;
}

/* --- comparing what was read ------------------------------------------------------------- */

#define SAME(field) assert_int_equal(got->field, want->field)
#define SAME_TEXT(field) assert_string_equal(got->field, want->field)
#define SAME_BYTES(field) assert_memory_equal(got->field, want->field, sizeof want->field)

/* Every field, the double bit for bit. */
static void assert_job_is(const vg_store_job *got, const vg_store_job *want)
{
    SAME(id);
    SAME(version);
    SAME(user_id);
    SAME_TEXT(idempotency_key);
    SAME_BYTES(request_hash);
    SAME_TEXT(service);
    SAME(kind);
    SAME(state);
    SAME(stage);
    SAME(priority);
    SAME_TEXT(scope);
    SAME_TEXT(prompt);
    SAME_TEXT(enhanced_prompt);
    SAME_TEXT(lang);
    SAME(resolution);
    SAME(duration_s);
    SAME(fps);
    SAME_TEXT(style);
    SAME_BYTES(input_hash);
    SAME(has_input);
    SAME(input_job_id);
    SAME(is_public);
    SAME(hold_id);
    SAME(price);
    SAME(free_use);
    SAME(watermark);
    SAME(settled);
    SAME(charged);
    SAME(leader_id);
    SAME(cache_hit);
    assert_memory_equal(&got->similarity, &want->similarity, sizeof(double));
    SAME_TEXT(provider);
    SAME_TEXT(provider_job_id);
    SAME(fallback);
    SAME(attempts);
    SAME(poll_errors);
    SAME(percent);
    SAME_TEXT(media_type);
    SAME_TEXT(result_url);
    SAME_TEXT(thumbnail_url);
    SAME(width);
    SAME(height);
    SAME(result_duration_s);
    SAME(placeholder);
    SAME(api_cost_micro_usd);
    SAME(error);
    SAME_TEXT(error_detail);
    SAME_TEXT(lease_owner);
    SAME(lease_until);
    SAME(next_run_at);
    SAME(created_at);
    SAME(updated_at);
    SAME(submitted_at);
    SAME(finished_at);
}

static void assert_example_is(const vg_store_example *got, const vg_store_example *want)
{
    SAME(id);
    SAME_TEXT(topic);
    SAME_TEXT(lang);
    SAME_TEXT(title);
    SAME_TEXT(prompt);
    SAME_TEXT(service);
    SAME_TEXT(media_type);
    SAME_TEXT(result_url);
    SAME_TEXT(thumbnail_url);
    SAME(job_id);
    SAME(created_at);
}

/* Inserts a job and returns its id; `job` then reads as stored (its id, version 1). */
static int64_t insert_job(raw_store *s, vg_store_job *job)
{
    int64_t id = 0;
    assert_int_equal(s->b->job_insert(&id, s->conn, job), VG_OK);
    assert_true(id > 0);
    job->id = id;
    job->version = 1;
    return id;
}

static vg_store_job get_job(const vg_store_backend *b, vg_store_conn *conn, int64_t id)
{
    vg_store_job got;
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(b->job_get(&got, conn, id, 0), VG_OK);
    return got;
}

/* --- lists ------------------------------------------------------------------------------- */

#define MAX_LISTED 1100

/* The ids a list gave, in order; it stops the listing after stop_after (0: never). */
typedef struct listed {
    int count, stop_after;
    int64_t ids[MAX_LISTED];
} listed;

static int note_job(const vg_store_job *job, void *payload)
{
    listed *l = payload;
    if (l->count < MAX_LISTED)
        l->ids[l->count] = job->id;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static int note_example(const vg_store_example *example, void *payload)
{
    listed *l = payload;
    if (l->count < MAX_LISTED)
        l->ids[l->count] = example->id;
    l->count++;
    return l->stop_after && l->count >= l->stop_after;
}

static listed *list_jobs(const vg_store_backend *b, vg_store_conn *conn, int64_t user_id,
                         const char *scope, int active_only, int64_t before_id, int limit)
{
    static listed l;
    vg_store_job_filter filter = {user_id, scope, active_only, before_id, limit};
    memset(&l, 0, sizeof l);
    assert_int_equal(b->jobs_list(conn, &filter, note_job, &l), VG_OK);
    return &l;
}

static listed list_examples(const vg_store_backend *b, vg_store_conn *conn, const char *topic,
                            const char *lang)
{
    listed l;
    memset(&l, 0, sizeof l);
    assert_int_equal(b->gallery_list(conn, topic, lang, note_example, &l), VG_OK);
    return l;
}

/* --- claims ------------------------------------------------------------------------------ */

#define LEASE_FOREVER 9000000000000000000LL

/* Claims as `owner` at `now` for a lease up to lease_until; returns the status and writes
 * the job (its id, or 0) to *out. */
static int claim(vg_store_job *out, const vg_store_backend *b, vg_store_conn *conn, vg_time now,
                 vg_time aged_before, const char *owner, vg_time lease_until)
{
    vg_store_job_claim c = {now, aged_before, owner, lease_until};
    memset(out, 0, sizeof *out);
    return b->job_claim(out, conn, &c);
}

/* The id claim takes now (0 when none is due), with an endless lease. */
static int64_t claim_id(raw_store *s, vg_time now, vg_time aged_before)
{
    vg_store_job got;
    int rc = claim(&got, s->b, s->conn, now, aged_before, "worker", LEASE_FOREVER);
    if (rc == VG_ENOTFOUND)
        return 0;
    assert_int_equal(rc, VG_OK);
    return got.id;
}

/* ============================================================================================
 * Jobs: records
 * ========================================================================================== */

static void test_job_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = jobs_begin("job-roundtrip");
    vg_store_job job = make_job(add_user(&s, "roundtrip@example.com"), 1), got;
    (void)state;
    insert_job(&s, &job);
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_reopen_for_reading(&s);
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->job_find(&got, s.conn, job.user_id, job.idempotency_key), VG_OK);
    assert_job_is(&got, &job);
    raw_end(&s);
}

static void test_job_insert_assigns_increasing_ids_and_version_1(void **state)
{
    raw_store s = jobs_begin("job-ids");
    int64_t user = add_user(&s, "ids@example.com");
    vg_store_job a = make_job(user, 1), b = make_job(user, 2), got;
    (void)state;
    insert_job(&s, &a);
    insert_job(&s, &b);
    assert_true(b.id > a.id);
    assert_true(a.id != 777777);
    got = get_job(s.b, s.conn, a.id);
    assert_int_equal(got.version, 1); /* not the 99 it was given */
    got = get_job(s.b, s.conn, b.id);
    assert_int_equal(got.version, 1);
    raw_end(&s);
}

static void test_job_insert_accepts_a_null_out_id(void **state)
{
    raw_store s = jobs_begin("job-null-out");
    vg_store_job job = make_job(add_user(&s, "nullout@example.com"), 3), got;
    (void)state;
    assert_int_equal(s.b->job_insert(NULL, s.conn, &job), VG_OK);
    assert_int_equal(s.b->job_find(&got, s.conn, job.user_id, job.idempotency_key), VG_OK);
    job.id = got.id;
    job.version = 1;
    assert_job_is(&got, &job);
    raw_end(&s);
}

static void test_job_similarity_keeps_every_double_exactly(void **state)
{
    static const double values[] = {
        0.0, 1.0, 0.1, 1.0 / 3.0, 0.9999999999999999, 2.0 / 3.0, 5e-324 /* denormal */,
        DBL_MIN, DBL_MAX, -DBL_MAX, 1e-300, -2.5e-310, 123456789.123456789,
        0.30000000000000004, 1e22, INFINITY, -INFINITY,
    };
    raw_store s = jobs_begin("job-doubles");
    int64_t user = add_user(&s, "doubles@example.com");
    vg_store_job job, got;
    char key[32];
    size_t i;
    (void)state;
    for (i = 0; i < sizeof values / sizeof values[0]; i++) {
        snprintf(key, sizeof key, "double-%zu", i);
        job = queued_job(user, key, 1000 + (vg_time)i, 0);
        job.similarity = values[i];
        insert_job(&s, &job);
        got = get_job(s.b, s.conn, job.id);
        if (memcmp(&got.similarity, &values[i], sizeof(double)) != 0)
            fail_msg("similarity %.17g came back as %.17g", values[i], got.similarity);
        /* and through an update */
        job.similarity = values[(i + 1) % (sizeof values / sizeof values[0])];
        assert_int_equal(s.b->job_update(s.conn, &job), VG_OK);
        got = get_job(s.b, s.conn, job.id);
        assert_memory_equal(&got.similarity, &job.similarity, sizeof(double));
    }
    raw_end(&s);
}

static void test_job_similarity_that_is_nan_is_einval_and_stores_nothing(void **state)
{
    raw_store s = jobs_begin("job-nan");
    int64_t user = add_user(&s, "nan@example.com");
    vg_store_job job = queued_job(user, "nan", 1000, 0), got;
    (void)state;
    job.similarity = NAN;
    assert_int_equal(s.b->job_insert(NULL, s.conn, &job), VG_EINVAL);
    assert_non_null(strstr(s.b->errmsg(s.conn), "similarity"));
    assert_int_equal(s.b->job_find(&got, s.conn, user, "nan"), VG_ENOTFOUND);
    job.similarity = 0.5;
    insert_job(&s, &job); /* the transaction goes on */
    job.similarity = NAN;
    assert_int_equal(s.b->job_update(s.conn, &job), VG_EINVAL);
    got = get_job(s.b, s.conn, job.id);
    assert_true(got.similarity == 0.5);
    raw_end(&s);
}

static void test_job_text_longer_than_its_field_is_einval_and_stores_nothing(void **state)
{
    raw_store s = jobs_begin("job-too-long");
    int64_t user = add_user(&s, "toolong@example.com");
    vg_store_job job, good = queued_job(user, "good", 1000, 0), got;
    struct {
        size_t offset, size;
        const char *column;
    } texts[] = {
        {offsetof(vg_store_job, idempotency_key), VG_STORE_KEY_SIZE, "idempotency_key"},
        {offsetof(vg_store_job, service), VG_NAME_SIZE, "service"},
        {offsetof(vg_store_job, scope), VG_STORE_SCOPE_SIZE, "scope"},
        {offsetof(vg_store_job, prompt), VG_STORE_PROMPT_SIZE, "prompt"},
        {offsetof(vg_store_job, enhanced_prompt), VG_STORE_PROMPT_SIZE, "enhanced_prompt"},
        {offsetof(vg_store_job, lang), VG_STORE_LANG_SIZE, "lang"},
        {offsetof(vg_store_job, style), VG_STORE_STYLE_SIZE, "style"},
        {offsetof(vg_store_job, provider), VG_NAME_SIZE, "provider"},
        {offsetof(vg_store_job, provider_job_id), VG_STORE_PROVIDER_JOB_SIZE, "provider_job_id"},
        {offsetof(vg_store_job, media_type), 16, "media_type"},
        {offsetof(vg_store_job, result_url), VG_STORE_URL_SIZE, "result_url"},
        {offsetof(vg_store_job, thumbnail_url), VG_STORE_URL_SIZE, "thumbnail_url"},
        {offsetof(vg_store_job, error_detail), VG_STORE_DETAIL_SIZE, "error_detail"},
        {offsetof(vg_store_job, lease_owner), VG_STORE_WORKER_SIZE, "lease_owner"},
    };
    listed *l;
    size_t i;
    (void)state;
    insert_job(&s, &good);
    for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        job = queued_job(user, "too-long", 1000, 0);
        memset((char *)&job + texts[i].offset, 'x', texts[i].size); /* no terminator */
        assert_int_equal(s.b->job_insert(NULL, s.conn, &job), VG_EINVAL);
        assert_non_null(strstr(s.b->errmsg(s.conn), texts[i].column));
        /* an update is refused likewise, and leaves the job as it was */
        job = good;
        memset((char *)&job + texts[i].offset, 'x', texts[i].size);
        assert_int_equal(s.b->job_update(s.conn, &job), VG_EINVAL);
    }
    l = list_jobs(s.b, s.conn, 0, NULL, 0, 0, 1000);
    assert_int_equal(l->count, 1);
    got = get_job(s.b, s.conn, good.id);
    assert_job_is(&got, &good);
    raw_end(&s);
}

static void test_job_insert_with_a_taken_key_is_eexists_and_keeps_the_first(void **state)
{
    raw_store s = jobs_begin("job-taken-key");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_job first = queued_job(ann, "same-key", 1000, 0);
    vg_store_job second = queued_job(ann, "same-key", 2000, 1);
    vg_store_job other_user = queued_job(bob, "same-key", 3000, 0);
    vg_store_job other_key = queued_job(ann, "another-key", 4000, 0);
    vg_store_job got;
    int64_t id = -5;
    (void)state;
    insert_job(&s, &first);
    snprintf(second.prompt, sizeof second.prompt, "a different request");
    assert_int_equal(s.b->job_insert(&id, s.conn, &second), VG_EEXISTS);
    assert_int_equal(id, -5); /* nothing written to out_id */
    assert_int_equal(s.b->job_find(&got, s.conn, ann, "same-key"), VG_OK);
    assert_job_is(&got, &first);
    /* the transaction goes on: the same key of another user, another key of the same user */
    insert_job(&s, &other_user);
    insert_job(&s, &other_key);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->job_find(&got, s.conn, bob, "same-key"), VG_OK);
    assert_job_is(&got, &other_user);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 1000)->count, 3);
    raw_end(&s);
}

static void test_job_insert_for_a_user_who_does_not_exist_is_econstraint(void **state)
{
    raw_store s = jobs_begin("job-no-user");
    vg_store_job job = queued_job(987654321, "orphan", 1000, 0);
    (void)state;
    assert_int_equal(s.b->job_insert(NULL, s.conn, &job), VG_ECONSTRAINT);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    raw_end(&s);
}

static void test_job_get_and_find_of_unknown_ones_are_notfound(void **state)
{
    raw_store s = jobs_begin("job-unknown");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_job job = queued_job(ann, "Key", 1000, 0), got;
    (void)state;
    insert_job(&s, &job);
    assert_int_equal(s.b->job_get(&got, s.conn, job.id + 1, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->job_get(&got, s.conn, 0, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->job_get(&got, s.conn, -1, 1), VG_ENOTFOUND);
    assert_int_equal(s.b->job_find(&got, s.conn, bob, "Key"), VG_ENOTFOUND);
    assert_int_equal(s.b->job_find(&got, s.conn, ann, "key"), VG_ENOTFOUND); /* exact case */
    assert_int_equal(s.b->job_find(&got, s.conn, ann, "Key "), VG_ENOTFOUND);
    assert_int_equal(s.b->job_find(&got, s.conn, ann, "Ke"), VG_ENOTFOUND);
    assert_int_equal(s.b->job_find(&got, s.conn, ann, "Key"), VG_OK);
    raw_end(&s);
}

static void test_job_find_takes_a_key_that_fills_its_field_and_refuses_a_longer_one(void **state)
{
    raw_store s = jobs_begin("job-find-long");
    int64_t user = add_user(&s, "findlong@example.com");
    vg_store_job job = queued_job(user, "", 1000, 0), got;
    char key[VG_STORE_KEY_SIZE + 1];
    (void)state;
    fill_text(job.idempotency_key, sizeof job.idempotency_key, "long ", 'k');
    insert_job(&s, &job);
    assert_int_equal(s.b->job_find(&got, s.conn, user, job.idempotency_key), VG_OK);
    assert_int_equal(got.id, job.id);
    memset(key, 'k', VG_STORE_KEY_SIZE);
    key[VG_STORE_KEY_SIZE] = '\0'; /* 201 bytes */
    assert_int_equal(s.b->job_find(&got, s.conn, user, key), VG_EINVAL);
    raw_end(&s);
}

/* ============================================================================================
 * Jobs: updates and their versions
 * ========================================================================================== */

static void test_job_update_writes_every_field_and_bumps_the_version(void **state)
{
    raw_store s = jobs_begin("job-update");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    vg_store_job job = make_job(ann, 1), changed, got;
    (void)state;
    insert_job(&s, &job);
    changed = make_job(bob, 2); /* every field differs, the user's and the key too */
    changed.id = job.id;
    changed.version = 1;
    assert_int_equal(s.b->job_update(s.conn, &changed), VG_OK);
    changed.version = 2;
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &changed);
    assert_int_equal(s.b->job_find(&got, s.conn, bob, changed.idempotency_key), VG_OK);
    assert_int_equal(s.b->job_find(&got, s.conn, ann, job.idempotency_key), VG_ENOTFOUND);
    changed.state = 4;
    assert_int_equal(s.b->job_update(s.conn, &changed), VG_OK);
    raw_reopen_for_reading(&s);
    changed.version = 3;
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &changed);
    raw_end(&s);
}

static void test_job_update_with_a_stale_version_is_estate_and_changes_nothing(void **state)
{
    raw_store s = jobs_begin("job-stale");
    vg_store_job job = make_job(add_user(&s, "stale@example.com"), 1), stale, got;
    (void)state;
    insert_job(&s, &job);
    stale = job;
    job.state = 2;
    assert_int_equal(s.b->job_update(s.conn, &job), VG_OK); /* now at version 2 */
    job.version = 2;
    stale.state = 5;
    stale.percent = 77;
    assert_int_equal(s.b->job_update(s.conn, &stale), VG_ESTATE); /* read at version 1 */
    assert_true(strlen(s.b->errmsg(s.conn)) > 0);
    stale.version = 3; /* a version the job never had */
    assert_int_equal(s.b->job_update(s.conn, &stale), VG_ESTATE);
    stale.version = 0;
    assert_int_equal(s.b->job_update(s.conn, &stale), VG_ESTATE);
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_reopen_for_reading(&s);
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_end(&s);
}

static void test_job_update_of_an_unknown_id_is_notfound(void **state)
{
    raw_store s = jobs_begin("job-update-unknown");
    vg_store_job job = make_job(add_user(&s, "unknown@example.com"), 1);
    (void)state;
    insert_job(&s, &job);
    job.id += 1000;
    assert_int_equal(s.b->job_update(s.conn, &job), VG_ENOTFOUND);
    job.id = 0;
    assert_int_equal(s.b->job_update(s.conn, &job), VG_ENOTFOUND);
    raw_end(&s);
}

static void test_of_two_writers_of_one_version_only_the_first_succeeds(void **state)
{
    raw_store s = jobs_begin("job-two-writers");
    vg_store_job job = make_job(add_user(&s, "writers@example.com"), 1), mine, theirs, got;
    vg_store_conn *other;
    (void)state;
    insert_job(&s, &job);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    other = connect_raw(s.location, 1000);

    /* both read version 1 */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    mine = get_job(s.b, s.conn, job.id);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(other, VG_TXN_READ), VG_OK);
    theirs = get_job(s.b, other, job.id);
    assert_int_equal(s.b->commit(other), VG_OK);

    theirs.state = 2;
    assert_int_equal(s.b->begin(other, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->job_update(other, &theirs), VG_OK);
    assert_int_equal(s.b->commit(other), VG_OK);
    mine.state = 5;
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->job_update(s.conn, &mine), VG_ESTATE);
    got = get_job(s.b, s.conn, job.id);
    assert_int_equal(got.state, 2);
    assert_int_equal(got.version, 2);
    s.b->disconnect(other);
    raw_end(&s);
}

static void test_job_get_for_update_holds_off_a_second_writer_until_commit(void **state)
{
    raw_store s = jobs_begin("job-for-update");
    vg_store_job job = make_job(add_user(&s, "lock@example.com"), 1), got;
    vg_store_conn *other;
    int rc;
    (void)state;
    insert_job(&s, &job);
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    other = connect_raw(s.location, 200);

    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->job_get(&got, s.conn, job.id, 1), VG_OK);
    rc = s.b->begin(other, VG_TXN_WRITE);
    if (rc == VG_OK) { /* a server database: the row lock holds the second writer off */
        rc = s.b->job_get(&got, other, job.id, 1);
        s.b->rollback(other);
    }
    assert_int_equal(rc, VG_EBUSY);
    assert_int_equal(s.b->commit(s.conn), VG_OK);

    assert_int_equal(s.b->begin(other, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->job_get(&got, other, job.id, 1), VG_OK);
    assert_int_equal(s.b->commit(other), VG_OK);
    s.b->disconnect(other);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    raw_end(&s);
}

/* ============================================================================================
 * Jobs: the queue
 * ========================================================================================== */

/* Inserts a queued job and returns its id. */
static int64_t queue(raw_store *s, int64_t user, const char *key, vg_time created_at,
                     int priority)
{
    vg_store_job job = queued_job(user, key, created_at, priority);
    return insert_job(s, &job);
}

/* Queues n jobs of one user, keys "<prefix><i>", all created at 100; their ids go to ids
 * (may be NULL). */
static void queue_n(raw_store *s, int64_t user, const char *prefix, int n, int64_t *ids)
{
    char key[32];
    int64_t id;
    int i;
    for (i = 0; i < n; i++) {
        snprintf(key, sizeof key, "%s%d", prefix, i);
        id = queue(s, user, key, 100, 0);
        if (ids)
            ids[i] = id;
    }
}

static void test_job_claim_takes_a_priority_job_before_an_older_one(void **state)
{
    raw_store s = jobs_begin("claim-priority");
    int64_t user = add_user(&s, "prio@example.com"), old, pro;
    (void)state;
    old = queue(&s, user, "old", 1000, 0);
    pro = queue(&s, user, "pro", 2000, 1);
    assert_int_equal(claim_id(&s, 5000, 0), pro);
    assert_int_equal(claim_id(&s, 5000, 0), old);
    assert_int_equal(claim_id(&s, 5000, 0), 0);
    raw_end(&s);
}

static void test_job_claim_counts_a_job_created_before_aged_before_as_priority(void **state)
{
    raw_store s = jobs_begin("claim-aging");
    int64_t user = add_user(&s, "aging@example.com"), aged, pro, young, edge;
    (void)state;
    pro = queue(&s, user, "pro", 3000, 1);
    young = queue(&s, user, "young", 2500, 0);
    edge = queue(&s, user, "edge", 2000, 0); /* created at aged_before: not aged */
    aged = queue(&s, user, "aged", 1000, 0);
    /* aged and pro are one class, by age; then the others, by age */
    assert_int_equal(claim_id(&s, 5000, 2000), aged);
    assert_int_equal(claim_id(&s, 5000, 2000), pro);
    assert_int_equal(claim_id(&s, 5000, 2000), edge);
    assert_int_equal(claim_id(&s, 5000, 2000), young);
    raw_end(&s);
}

static void test_job_claim_takes_the_oldest_then_the_lowest_id(void **state)
{
    raw_store s = jobs_begin("claim-oldest");
    int64_t user = add_user(&s, "oldest@example.com"), ids[4];
    (void)state;
    ids[2] = queue(&s, user, "c", 3000, 0);
    ids[0] = queue(&s, user, "a", 1000, 0);
    ids[1] = queue(&s, user, "b1", 2000, 0);
    ids[3] = queue(&s, user, "b2", 2000, 0); /* the same age as b1, a higher id */
    assert_int_equal(claim_id(&s, 5000, 0), ids[0]);
    assert_int_equal(claim_id(&s, 5000, 0), ids[1]);
    assert_int_equal(claim_id(&s, 5000, 0), ids[3]);
    assert_int_equal(claim_id(&s, 5000, 0), ids[2]);
    assert_int_equal(claim_id(&s, 5000, 0), 0);
    raw_end(&s);
}

static void test_job_claim_serves_the_whole_queue_in_order(void **state)
{
    raw_store s = jobs_begin("claim-order");
    int64_t user = add_user(&s, "order@example.com");
    int64_t j1, j2, j3, j4, j5, j6, j7, j8;
    int64_t want[8], got[9];
    int i;
    (void)state;
    j1 = queue(&s, user, "j1", 600, 0);
    j2 = queue(&s, user, "j2", 700, 1);
    j3 = queue(&s, user, "j3", 400, 0); /* aged */
    j4 = queue(&s, user, "j4", 700, 1); /* as old as j2 */
    j5 = queue(&s, user, "j5", 300, 0); /* aged */
    j6 = queue(&s, user, "j6", 550, 0);
    j7 = queue(&s, user, "j7", 500, 0); /* created at aged_before: not aged */
    j8 = queue(&s, user, "j8", 550, 0); /* as old as j6 */
    want[0] = j5, want[1] = j3, want[2] = j2, want[3] = j4;
    want[4] = j7, want[5] = j6, want[6] = j8, want[7] = j1;
    for (i = 0; i < 9; i++)
        got[i] = claim_id(&s, 1000000, 500);
    assert_memory_equal(got, want, sizeof want);
    assert_int_equal(got[8], 0);
    raw_end(&s);
}

/* Inserts a job in `job_state` with the given settled flag, next_run_at and lease. */
static int64_t job_in(raw_store *s, int64_t user, const char *key, int job_state, int settled,
                      vg_time next_run_at, vg_time lease_until)
{
    vg_store_job job = queued_job(user, key, 100, 0);
    job.state = job_state;
    job.settled = settled;
    job.next_run_at = next_run_at;
    job.lease_until = lease_until;
    return insert_job(s, &job);
}

static void test_job_claim_leaves_a_job_whose_next_run_is_later(void **state)
{
    raw_store s = jobs_begin("claim-next-run");
    int64_t user = add_user(&s, "later@example.com"), id;
    (void)state;
    id = job_in(&s, user, "later", 2, 0, 5001, 0);
    assert_int_equal(claim_id(&s, 5000, 0), 0);
    assert_int_equal(claim_id(&s, 5001, 0), id); /* due at next_run_at */
    raw_end(&s);
}

static void test_job_claim_takes_a_finished_unsettled_job_whatever_its_next_run(void **state)
{
    raw_store s = jobs_begin("claim-unsettled");
    int64_t user = add_user(&s, "unsettled@example.com"), ids[3];
    int i;
    (void)state;
    for (i = 0; i < 3; i++) { /* 3, 4 and 5: the final states */
        char key[16];
        snprintf(key, sizeof key, "final-%d", i);
        ids[i] = job_in(&s, user, key, VG_STORE_JOB_FINAL + i, 0, 999999, 0);
    }
    for (i = 0; i < 3; i++)
        assert_int_equal(claim_id(&s, 5000, 0), ids[i]);
    assert_int_equal(claim_id(&s, 5000, 0), 0);
    raw_end(&s);
}

static void test_job_claim_never_takes_a_finished_settled_job(void **state)
{
    raw_store s = jobs_begin("claim-settled");
    int64_t user = add_user(&s, "settled@example.com");
    (void)state;
    job_in(&s, user, "done-3", 3, 1, 0, 0);
    job_in(&s, user, "done-4", 4, 1, 0, 0);
    job_in(&s, user, "done-5", 5, 1, 100, 0);
    assert_int_equal(claim_id(&s, 5000, 0), 0);
    assert_int_equal(claim_id(&s, INT64_MAX, INT64_MAX), 0);
    raw_end(&s);
}

static void test_job_claim_takes_an_unfinished_job_whatever_its_settled_flag(void **state)
{
    raw_store s = jobs_begin("claim-unfinished-settled");
    int64_t user = add_user(&s, "flag@example.com"), id;
    (void)state;
    id = job_in(&s, user, "odd", 1, 1, 100, 0);
    assert_int_equal(claim_id(&s, 5000, 0), id);
    raw_end(&s);
}

static void test_job_claim_leaves_a_leased_job_until_its_lease_passes(void **state)
{
    raw_store s = jobs_begin("claim-leased");
    int64_t user = add_user(&s, "leased@example.com"), waiting, unsettled;
    (void)state;
    waiting = job_in(&s, user, "waiting", 0, 0, 100, 6000);
    unsettled = job_in(&s, user, "unsettled", 4, 0, 100, 7000);
    assert_int_equal(claim_id(&s, 5999, 0), 0);
    assert_int_equal(claim_id(&s, 6000, 0), waiting); /* due when lease_until <= now */
    assert_int_equal(claim_id(&s, 6999, 0), 0);
    assert_int_equal(claim_id(&s, 7000, 0), unsettled);
    raw_end(&s);
}

static void test_job_claim_with_nothing_due_is_notfound(void **state)
{
    raw_store s = jobs_begin("claim-nothing");
    vg_store_job got;
    (void)state;
    assert_int_equal(claim(&got, s.b, s.conn, 5000, 0, "worker", 9000), VG_ENOTFOUND);
    raw_end(&s);
}

static void test_job_claim_sets_the_lease_bumps_the_version_and_returns_the_row(void **state)
{
    raw_store s = jobs_begin("claim-row");
    vg_store_job job = make_job(add_user(&s, "row@example.com"), 1), got;
    char owner[VG_STORE_WORKER_SIZE];
    (void)state;
    job.state = 0;
    job.next_run_at = 100;
    job.lease_until = 200;
    insert_job(&s, &job);
    fill_text(owner, sizeof owner, "worker-東京-", 'o');
    assert_int_equal(claim(&got, s.b, s.conn, 5000, 0, owner, 65000), VG_OK);
    snprintf(job.lease_owner, sizeof job.lease_owner, "%s", owner);
    job.lease_until = 65000;
    job.version = 2;
    assert_job_is(&got, &job); /* every other field as it was */
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_reopen_for_reading(&s);
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_end(&s);
}

static void test_an_update_after_a_claim_needs_the_claimed_version(void **state)
{
    raw_store s = jobs_begin("claim-then-update");
    int64_t user = add_user(&s, "claimupdate@example.com");
    vg_store_job job = queued_job(user, "k", 100, 0), read, claimed;
    (void)state;
    insert_job(&s, &job);
    read = get_job(s.b, s.conn, job.id);
    assert_int_equal(claim(&claimed, s.b, s.conn, 5000, 0, "w1", 9000), VG_OK);
    assert_int_equal(claimed.version, 2);
    read.state = 1;
    assert_int_equal(s.b->job_update(s.conn, &read), VG_ESTATE);
    claimed.state = 1;
    assert_int_equal(s.b->job_update(s.conn, &claimed), VG_OK);
    read = get_job(s.b, s.conn, job.id);
    assert_int_equal(read.version, 3);
    assert_int_equal(read.state, 1);
    assert_string_equal(read.lease_owner, "w1");
    raw_end(&s);
}

static void test_another_worker_takes_a_job_once_its_lease_has_passed(void **state)
{
    raw_store s = jobs_begin("claim-lease-expiry");
    int64_t user = add_user(&s, "expiry@example.com");
    vg_store_job job = queued_job(user, "k", 100, 0), got;
    (void)state;
    insert_job(&s, &job);
    assert_int_equal(claim(&got, s.b, s.conn, 1000, 0, "first", 61000), VG_OK);
    assert_int_equal(claim(&got, s.b, s.conn, 60999, 0, "second", 121000), VG_ENOTFOUND);
    assert_int_equal(claim(&got, s.b, s.conn, 61000, 0, "second", 121000), VG_OK);
    assert_int_equal(got.id, job.id);
    assert_int_equal(got.version, 3);
    assert_string_equal(got.lease_owner, "second");
    assert_int_equal(got.lease_until, 121000);
    raw_end(&s);
}

/* --- claims by concurrent workers --------------------------------------------------------- */

#define CLAIM_JOBS 200
#define CLAIMERS 4
#define CLAIM_ATTEMPTS 1000

typedef struct claimer {
    const vg_store_backend *b;
    vg_store_conn *conn;
    char name[32];
    int count;
    int64_t ids[CLAIM_JOBS];
    int failed;
    char failure[300];
} claimer;

/* One claim in its own write transaction, held a moment before commit (so that the
 * claimers' transactions overlap); VG_ENOTFOUND when no job is due. */
static int claim_once(claimer *c, int64_t *out_id)
{
    vg_store_job_claim request = {5000, 0, c->name, LEASE_FOREVER};
    vg_store_job job;
    int rc = c->b->begin(c->conn, VG_TXN_WRITE);
    if (rc == VG_OK)
        rc = c->b->job_claim(&job, c->conn, &request);
    if (rc == VG_OK) {
        usleep(100);
        rc = c->b->commit(c->conn);
    } else if (rc == VG_ENOTFOUND) {
        rc = c->b->commit(c->conn) == VG_OK ? VG_ENOTFOUND : VG_ESTORE;
    }
    if (rc != VG_OK && rc != VG_ENOTFOUND)
        c->b->rollback(c->conn);
    if (rc == VG_OK)
        *out_id = job.id;
    return rc;
}

static void *run_claimer(void *arg)
{
    claimer *c = arg;
    int64_t id;
    int attempt = 0, rc;
    for (;;) {
        rc = claim_once(c, &id);
        if (rc == VG_ENOTFOUND)
            break;
        if (rc == VG_OK) {
            if (c->count < CLAIM_JOBS)
                c->ids[c->count] = id;
            c->count++;
            attempt = 0;
            continue;
        }
        if ((rc != VG_EBUSY && rc != VG_ECONFLICT) || ++attempt == CLAIM_ATTEMPTS) {
            snprintf(c->failure, sizeof c->failure, "%s: %s: %s", c->name, vg_error_name(rc),
                     c->b->errmsg(c->conn));
            c->failed = 1;
            break;
        }
    }
    return NULL;
}

/* Queues CLAIM_JOBS jobs (every fourth of priority) and commits. */
static void queue_many(raw_store *s)
{
    int64_t user = add_user(s, "many@example.com");
    char key[32];
    int i;
    for (i = 0; i < CLAIM_JOBS; i++) {
        snprintf(key, sizeof key, "many-%d", i);
        queue(s, user, key, 1000 + i % 37, i % 4 == 0);
    }
    assert_int_equal(s->b->commit(s->conn), VG_OK);
}

static int compare_ids(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Checks that every queued job was claimed exactly once: version 2 (a second claim would
 * have made it 3) and a lease taken. */
static void assert_each_claimed_once(raw_store *s)
{
    vg_store_job_filter all = {0, NULL, 0, 0, 1000};
    listed l;
    vg_store_job job;
    int i;
    memset(&l, 0, sizeof l);
    assert_int_equal(s->b->begin(s->conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s->b->jobs_list(s->conn, &all, note_job, &l), VG_OK);
    assert_int_equal(l.count, CLAIM_JOBS);
    for (i = 0; i < l.count; i++) {
        job = get_job(s->b, s->conn, l.ids[i]);
        if (job.version != 2)
            fail_msg("job %lld was claimed %lld times", (long long)job.id,
                     (long long)job.version - 1);
        assert_true(job.lease_owner[0] != '\0');
        assert_int_equal(job.lease_until, LEASE_FOREVER);
    }
}

static void test_concurrent_claimers_take_each_job_exactly_once(void **state)
{
    raw_store s = jobs_begin("claim-threads");
    static claimer claimers[CLAIMERS];
    static int64_t all[CLAIM_JOBS * CLAIMERS];
    pthread_t threads[CLAIMERS];
    int c, i, total = 0;
    (void)state;
    queue_many(&s);
    for (c = 0; c < CLAIMERS; c++) {
        memset(&claimers[c], 0, sizeof claimers[c]);
        claimers[c].b = s.b;
        claimers[c].conn = connect_raw(s.location, 30000);
        snprintf(claimers[c].name, sizeof claimers[c].name, "thread-%d", c);
    }
    for (c = 0; c < CLAIMERS; c++)
        assert_int_equal(pthread_create(&threads[c], NULL, run_claimer, &claimers[c]), 0);
    for (c = 0; c < CLAIMERS; c++)
        pthread_join(threads[c], NULL);
    for (c = 0; c < CLAIMERS; c++) {
        s.b->disconnect(claimers[c].conn);
        if (claimers[c].failed)
            fail_msg("%s", claimers[c].failure);
        print_message("%s claimed %d jobs\n", claimers[c].name, claimers[c].count);
        for (i = 0; i < claimers[c].count && i < CLAIM_JOBS; i++)
            all[total++] = claimers[c].ids[i];
    }
    assert_int_equal(total, CLAIM_JOBS);
    qsort(all, (size_t)total, sizeof all[0], compare_ids);
    for (i = 1; i < total; i++)
        if (all[i] == all[i - 1])
            fail_msg("job %lld was claimed twice", (long long)all[i]);
    assert_each_claimed_once(&s);
    raw_end(&s);
}

#define CLAIM_PROCESSES 2
#define CLAIM_PROCESS_THREADS 2

typedef struct process_claimer {
    vg_ctx *ctx;
    char name[32];
    int count;
    int failures;
} process_claimer;

static int claim_body(vg__txn *txn, void *payload)
{
    process_claimer *c = payload;
    vg_store_job_claim request = {5000, 0, c->name, LEASE_FOREVER};
    vg_store_job job;
    int rc = vg__job_claim(txn, &job, &request);
    if (rc == VG_OK)
        usleep(100);
    return rc;
}

/* Claims through the core's transactions (which retry VG_EBUSY and VG_ECONFLICT) until no
 * job is due. */
static void *run_process_claimer(void *arg)
{
    process_claimer *c = arg;
    int rc;
    while ((rc = vg__txn_run(c->ctx, VG_TXN_WRITE, claim_body, c)) == VG_OK)
        c->count++;
    if (rc != VG_ENOTFOUND) {
        fprintf(stderr, "%s: %s: %s\n", c->name, vg_error_name(rc), vg_error_last());
        c->failures++;
    }
    return NULL;
}

/* One worker process: its own context, CLAIM_PROCESS_THREADS threads claiming. */
static int run_claim_process(const char *location, int index)
{
    pthread_t threads[CLAIM_PROCESS_THREADS];
    process_claimer claimers[CLAIM_PROCESS_THREADS];
    vg_config config;
    vg_ctx *ctx = NULL;
    int i, failures = 0;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = location;
    config.store_backend = target->backend();
    config.busy_timeout_ms = 30000;
    if (vg_open(&ctx, &config) != VG_OK)
        return 10;
    for (i = 0; i < CLAIM_PROCESS_THREADS; i++) {
        memset(&claimers[i], 0, sizeof claimers[i]);
        claimers[i].ctx = ctx;
        snprintf(claimers[i].name, sizeof claimers[i].name, "process-%d-%d", index, i);
        pthread_create(&threads[i], NULL, run_process_claimer, &claimers[i]);
    }
    for (i = 0; i < CLAIM_PROCESS_THREADS; i++) {
        pthread_join(threads[i], NULL);
        failures += claimers[i].failures;
    }
    vg_close(ctx);
    return failures ? 1 : 0;
}

static void test_claimers_in_two_processes_take_each_job_exactly_once(void **state)
{
    raw_store s = jobs_begin("claim-processes");
    pid_t pids[CLAIM_PROCESSES];
    int p, status;
    (void)state;
    queue_many(&s);
    for (p = 0; p < CLAIM_PROCESSES; p++) {
        pids[p] = fork();
        assert_true(pids[p] >= 0);
        if (pids[p] == 0)
            _exit(run_claim_process(s.location, p));
    }
    for (p = 0; p < CLAIM_PROCESSES; p++) {
        assert_int_equal(waitpid(pids[p], &status, 0), pids[p]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
    }
    assert_each_claimed_once(&s);
    raw_end(&s);
}

/* ============================================================================================
 * Jobs: lists
 * ========================================================================================== */

static void test_jobs_list_gives_every_field_newest_first(void **state)
{
    raw_store s = jobs_begin("list-fields");
    int64_t user = add_user(&s, "listfields@example.com");
    vg_store_job jobs[3];
    listed *l;
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        jobs[i] = make_job(user, i + 1);
        insert_job(&s, &jobs[i]);
    }
    l = list_jobs(s.b, s.conn, 0, NULL, 0, 0, 10);
    assert_int_equal(l->count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(l->ids[i], jobs[2 - i].id);
    raw_end(&s);
}

/* The record a list hands its callback holds every field. */
static int check_listed_job(const vg_store_job *job, void *payload)
{
    const vg_store_job *want = payload;
    assert_job_is(job, want);
    return 0;
}

static void test_jobs_list_hands_the_callback_the_whole_job(void **state)
{
    raw_store s = jobs_begin("list-whole");
    vg_store_job job = make_job(add_user(&s, "whole@example.com"), 5);
    vg_store_job_filter filter = {0, NULL, 0, 0, 1};
    (void)state;
    job.similarity = 1.0 / 7.0;
    insert_job(&s, &job);
    assert_int_equal(s.b->jobs_list(s.conn, &filter, check_listed_job, &job), VG_OK);
    raw_end(&s);
}

static void test_jobs_list_filters_by_user(void **state)
{
    raw_store s = jobs_begin("list-user");
    int64_t ann = add_user(&s, "ann@example.com"), bob = add_user(&s, "bob@example.com");
    int64_t a1, b1, a2;
    listed *l;
    (void)state;
    a1 = queue(&s, ann, "a1", 100, 0);
    b1 = queue(&s, bob, "b1", 100, 0);
    a2 = queue(&s, ann, "a2", 100, 0);
    l = list_jobs(s.b, s.conn, ann, NULL, 0, 0, 10);
    assert_int_equal(l->count, 2);
    assert_int_equal(l->ids[0], a2);
    assert_int_equal(l->ids[1], a1);
    l = list_jobs(s.b, s.conn, bob, NULL, 0, 0, 10);
    assert_int_equal(l->count, 1);
    assert_int_equal(l->ids[0], b1);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 10)->count, 3);
    assert_int_equal(list_jobs(s.b, s.conn, bob + ann + 100, NULL, 0, 0, 10)->count, 0);
    raw_end(&s);
}

static void test_jobs_list_filters_by_scope_exactly(void **state)
{
    raw_store s = jobs_begin("list-scope");
    int64_t user = add_user(&s, "scope@example.com");
    const char *scopes[] = {"video_720p", "Video_720p", "video_720p ", "video_720", "image"};
    int64_t ids[5];
    vg_store_job job;
    listed *l;
    int i;
    (void)state;
    for (i = 0; i < 5; i++) {
        char key[16];
        snprintf(key, sizeof key, "s%d", i);
        job = queued_job(user, key, 100, 0);
        snprintf(job.scope, sizeof job.scope, "%s", scopes[i]);
        ids[i] = insert_job(&s, &job);
    }
    for (i = 0; i < 5; i++) {
        l = list_jobs(s.b, s.conn, 0, scopes[i], 0, 0, 10);
        assert_int_equal(l->count, 1);
        assert_int_equal(l->ids[0], ids[i]);
        l = list_jobs(s.b, s.conn, 0, scopes[i], 1, 0, 10); /* all are active */
        assert_int_equal(l->count, 1);
        assert_int_equal(l->ids[0], ids[i]);
    }
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 10)->count, 5);
    assert_int_equal(list_jobs(s.b, s.conn, 0, "", 0, 0, 10)->count, 0);
    raw_end(&s);
}

static void test_jobs_list_active_only_leaves_out_finished_jobs(void **state)
{
    raw_store s = jobs_begin("list-active");
    int64_t user = add_user(&s, "active@example.com"), ids[6];
    listed *l;
    int i;
    (void)state;
    for (i = 0; i < 6; i++) { /* states 0 .. 5, settled or not */
        char key[16];
        snprintf(key, sizeof key, "st%d", i);
        ids[i] = job_in(&s, user, key, i, i % 2, 100, 0);
    }
    l = list_jobs(s.b, s.conn, 0, NULL, 1, 0, 10);
    assert_int_equal(l->count, VG_STORE_JOB_FINAL);
    for (i = 0; i < VG_STORE_JOB_FINAL; i++)
        assert_int_equal(l->ids[i], ids[VG_STORE_JOB_FINAL - 1 - i]);
    assert_int_equal(list_jobs(s.b, s.conn, user, NULL, 1, 0, 10)->count, VG_STORE_JOB_FINAL);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 10)->count, 6);
    raw_end(&s);
}

static void test_jobs_list_pages_with_before_id_and_limit(void **state)
{
    raw_store s = jobs_begin("list-pages");
    int64_t user = add_user(&s, "pages@example.com"), ids[25], before = 0;
    int64_t seen[25];
    listed *l;
    int i, n = 0, pages = 0;
    (void)state;
    queue_n(&s, user, "p", 25, ids);
    do {
        l = list_jobs(s.b, s.conn, user, NULL, 0, before, 10);
        assert_true(l->count <= 10);
        for (i = 0; i < l->count; i++)
            seen[n++] = l->ids[i];
        if (l->count)
            before = l->ids[l->count - 1];
        pages++;
    } while (l->count == 10);
    assert_int_equal(pages, 3);
    assert_int_equal(n, 25);
    for (i = 0; i < 25; i++)
        assert_int_equal(seen[i], ids[24 - i]);
    /* before_id is a bound, not an id that must exist */
    l = list_jobs(s.b, s.conn, 0, NULL, 0, ids[24] + 1000, 1);
    assert_int_equal(l->ids[0], ids[24]);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, ids[0], 10)->count, 0);
    raw_end(&s);
}

static void test_jobs_list_limit_must_be_1_to_1000(void **state)
{
    raw_store s = jobs_begin("list-limit");
    int64_t user = add_user(&s, "limit@example.com");
    vg_store_job_filter filter = {0, NULL, 0, 0, 0};
    listed l;
    (void)state;
    queue_n(&s, user, "l", 1001, NULL);
    memset(&l, 0, sizeof l);
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_EINVAL);
    filter.limit = -1;
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_EINVAL);
    filter.limit = 1001;
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_EINVAL);
    assert_int_equal(l.count, 0);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 1)->count, 1);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 1000)->count, 1000);
    assert_int_equal(list_jobs(s.b, s.conn, user, NULL, 1, 0, 1000)->count, 1000);
    raw_end(&s);
}

static void test_jobs_list_stops_when_the_callback_returns_nonzero(void **state)
{
    raw_store s = jobs_begin("list-stop");
    int64_t user = add_user(&s, "stop@example.com");
    vg_store_job_filter filter = {0, NULL, 0, 0, 100};
    listed l;
    (void)state;
    queue_n(&s, user, "k", 5, NULL);
    memset(&l, 0, sizeof l);
    l.stop_after = 2;
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_OK);
    assert_int_equal(l.count, 2);
    /* and the connection goes on */
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 100)->count, 5);
    raw_end(&s);
}

/* Every combination of the filters, against what they mean, on jobs of three users, three
 * scopes and every state. */
static void test_jobs_list_combines_its_filters(void **state)
{
    raw_store s = jobs_begin("list-combined");
    int64_t users[3], filter_users[5], befores[3], mid;
    const char *scopes[3] = {"scope-a", "scope-b", "scope-c"};
    const char *filter_scopes[4] = {NULL, "scope-a", "scope-c", "scope-z"};
    vg_store_job jobs[60];
    int u, sc, active, b, lim, i, expected, limits[2] = {1000, 3};
    listed *l;
    (void)state;
    users[0] = add_user(&s, "c0@example.com");
    users[1] = add_user(&s, "c1@example.com");
    users[2] = add_user(&s, "c2@example.com");
    for (i = 0; i < 60; i++) {
        char key[16];
        snprintf(key, sizeof key, "c%d", i);
        jobs[i] = queued_job(users[i % 3], key, 100 + i, 0);
        snprintf(jobs[i].scope, sizeof jobs[i].scope, "%s", scopes[(i / 3) % 3]);
        jobs[i].state = (i / 9) % 6;
        insert_job(&s, &jobs[i]);
    }
    mid = jobs[31].id;
    filter_users[0] = 0, filter_users[1] = users[0], filter_users[2] = users[1];
    filter_users[3] = users[2], filter_users[4] = users[2] + 1000;
    befores[0] = 0, befores[1] = mid, befores[2] = jobs[0].id;
    raw_reopen_for_reading(&s);
    for (u = 0; u < 5; u++)
        for (sc = 0; sc < 4; sc++)
            for (active = 0; active < 2; active++)
                for (b = 0; b < 3; b++)
                    for (lim = 0; lim < 2; lim++) {
                        l = list_jobs(s.b, s.conn, filter_users[u], filter_scopes[sc], active,
                                      befores[b], limits[lim]);
                        expected = 0;
                        for (i = 59; i >= 0; i--) {
                            const vg_store_job *j = &jobs[i];
                            if ((filter_users[u] && j->user_id != filter_users[u]) ||
                                (filter_scopes[sc] && strcmp(j->scope, filter_scopes[sc])) ||
                                (active && j->state >= VG_STORE_JOB_FINAL) ||
                                (befores[b] && j->id >= befores[b]))
                                continue;
                            if (expected == limits[lim])
                                break;
                            if (expected >= l->count || l->ids[expected] != j->id)
                                fail_msg("user %d, scope %d, active %d, before %d, limit %d: "
                                         "item %d should be job %lld",
                                         u, sc, active, b, limits[lim], expected,
                                         (long long)j->id);
                            expected++;
                        }
                        assert_int_equal(l->count, expected);
                    }
    raw_end(&s);
}

/* ============================================================================================
 * Inputs
 * ========================================================================================== */

#define BIG_INPUT (10 * 1024 * 1024)

static unsigned char *make_data(size_t size, int seed)
{
    unsigned char *data = malloc(size ? size : 1);
    size_t i;
    assert_non_null(data);
    for (i = 0; i < size; i++) /* every byte value, zeros included */
        data[i] = (unsigned char)(i + (i >> 8) * 7 + (size_t)seed);
    return data;
}

static vg_store_input make_input(int seed, const char *mime, const unsigned char *data,
                                 size_t size)
{
    vg_store_input in;
    memset(&in, 0, sizeof in);
    make_hash(in.hash, seed);
    snprintf(in.mime, sizeof in.mime, "%s", mime);
    in.size = size;
    in.data = data;
    in.created_at = 1700000000000000LL + seed;
    return in;
}

static void assert_input_is(const vg_store_input *got, const vg_store_input *want)
{
    SAME_BYTES(hash);
    SAME_TEXT(mime);
    assert_int_equal(got->size, want->size);
    assert_int_equal(got->created_at, want->created_at);
    assert_non_null(got->data);
    if (want->size && memcmp(got->data, want->data, want->size) != 0)
        fail_msg("the data of an input of %zu bytes came back changed", want->size);
}

static void test_input_roundtrip_keeps_10_mib_of_every_byte_value(void **state)
{
    raw_store s = jobs_begin("input-big");
    unsigned char *data = make_data(BIG_INPUT, 1);
    vg_store_input in = make_input(1, "", data, BIG_INPUT), got;
    (void)state;
    fill_text(in.mime, sizeof in.mime, "image/png; name=\"產品\" ", 'm');
    assert_int_equal(s.b->input_put(s.conn, &in), VG_OK);
    memset(&got, 0, sizeof got);
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_OK);
    assert_input_is(&got, &in);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_OK);
    assert_input_is(&got, &in);
    raw_end(&s);
    free(data);
}

static void test_input_put_of_a_stored_hash_keeps_the_first(void **state)
{
    raw_store s = jobs_begin("input-dedup");
    unsigned char *first_data = make_data(1000, 1), *second_data = make_data(2000, 2);
    vg_store_input first = make_input(7, "image/png", first_data, 1000);
    vg_store_input second = make_input(7, "image/jpeg", second_data, 2000), got;
    (void)state;
    second.created_at++;
    assert_int_equal(s.b->input_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->input_put(s.conn, &second), VG_OK);
    assert_int_equal(s.b->input_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->input_get(&got, s.conn, first.hash), VG_OK);
    assert_input_is(&got, &first);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->input_get(&got, s.conn, first.hash), VG_OK);
    assert_input_is(&got, &first);
    raw_end(&s);
    free(first_data);
    free(second_data);
}

static void test_input_get_of_an_unknown_hash_is_notfound(void **state)
{
    raw_store s = jobs_begin("input-unknown");
    unsigned char *data = make_data(10, 3);
    vg_store_input in = make_input(3, "image/webp", data, 10), got;
    unsigned char other[VG_STORE_HASH_SIZE];
    (void)state;
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_ENOTFOUND);
    assert_int_equal(s.b->input_put(s.conn, &in), VG_OK);
    memcpy(other, in.hash, sizeof other);
    other[20] ^= 1; /* differs only after a zero byte */
    assert_int_equal(s.b->input_get(&got, s.conn, other), VG_ENOTFOUND);
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_OK);
    raw_end(&s);
    free(data);
}

static void test_inputs_read_one_after_another_each_give_their_own_data(void **state)
{
    raw_store s = jobs_begin("input-sequence");
    size_t sizes[4] = {3000000, 17, 5000000, 1};
    unsigned char *data[4];
    vg_store_input in[4], got;
    int i, round;
    (void)state;
    for (i = 0; i < 4; i++) {
        data[i] = make_data(sizes[i], 10 + i);
        in[i] = make_input(10 + i, "image/jpeg", data[i], sizes[i]);
        assert_int_equal(s.b->input_put(s.conn, &in[i]), VG_OK);
    }
    for (round = 0; round < 2; round++)
        for (i = 0; i < 4; i++) {
            memset(&got, 0, sizeof got);
            assert_int_equal(s.b->input_get(&got, s.conn, in[i].hash), VG_OK);
            assert_input_is(&got, &in[i]);
        }
    raw_end(&s);
    for (i = 0; i < 4; i++)
        free(data[i]);
}

static void test_an_empty_input_round_trips(void **state)
{
    raw_store s = jobs_begin("input-empty");
    vg_store_input in = make_input(4, "text/plain", NULL, 0), got;
    (void)state;
    assert_int_equal(s.b->input_put(s.conn, &in), VG_OK);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_OK);
    assert_int_equal(got.size, 0);
    assert_string_equal(got.mime, "text/plain");
    raw_end(&s);
}

static void test_input_arguments_that_cannot_be_stored_are_einval(void **state)
{
    raw_store s = jobs_begin("input-einval");
    unsigned char data[4] = {1, 2, 3, 4};
    vg_store_input in = make_input(5, "image/png", NULL, 4), got;
    (void)state;
    assert_int_equal(s.b->input_put(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->input_put(s.conn, &in), VG_EINVAL); /* 4 bytes of no data */
    in.data = data;
    memset(in.mime, 'x', sizeof in.mime); /* no terminator */
    assert_int_equal(s.b->input_put(s.conn, &in), VG_EINVAL);
    assert_int_equal(s.b->input_get(&got, s.conn, in.hash), VG_ENOTFOUND);
    assert_int_equal(s.b->input_get(NULL, s.conn, in.hash), VG_EINVAL);
    assert_int_equal(s.b->input_get(&got, s.conn, NULL), VG_EINVAL);
    snprintf(in.mime, sizeof in.mime, "image/png");
    assert_int_equal(s.b->input_put(s.conn, &in), VG_OK); /* the transaction goes on */
    raw_end(&s);
}

/* ============================================================================================
 * The gallery
 * ========================================================================================== */

static int copy_example(const vg_store_example *example, void *payload)
{
    *(vg_store_example *)payload = *example;
    return 1;
}

static void test_gallery_example_roundtrip_keeps_every_field_at_full_size(void **state)
{
    raw_store s = jobs_begin("gallery-roundtrip");
    vg_store_example e = make_example("", "", 1), got;
    (void)state;
    fill_text(e.topic, sizeof e.topic, "food ", 't');
    snprintf(e.lang, sizeof e.lang, "zh-Hant");
    fill_text(e.title, sizeof e.title, "珍珠奶茶 «bubble» ", 'i');
    fill_text(e.prompt, sizeof e.prompt, "a glass of \"bubble tea\" \\ 100% 🧋 ", 'p');
    fill_text(e.service, sizeof e.service, "video_", 's');
    fill_text(e.media_type, sizeof e.media_type, "video", 'm');
    fill_text(e.result_url, sizeof e.result_url, "https://cdn.example.com/g/1.mp4?x=", 'r');
    fill_text(e.thumbnail_url, sizeof e.thumbnail_url, "https://cdn.example.com/g/1.jpg?x=", 'h');
    e.job_id = INT64_MAX;
    e.created_at = INT64_MIN + 1;
    assert_int_equal(s.b->gallery_insert(&e.id, s.conn, &e), VG_OK);
    assert_true(e.id > 0 && e.id != 424242); /* the store's id, not the one given */
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->gallery_list(s.conn, e.topic, e.lang, copy_example, &got), VG_OK);
    assert_example_is(&got, &e);
    raw_reopen_for_reading(&s);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->gallery_list(s.conn, e.topic, e.lang, copy_example, &got), VG_OK);
    assert_example_is(&got, &e);
    raw_end(&s);
}

static void test_gallery_list_hands_the_callback_every_field(void **state)
{
    raw_store s = jobs_begin("gallery-fields");
    vg_store_example e = make_example("cosmetics", "ja", 9), got;
    (void)state;
    fill_text(e.title, sizeof e.title, "口紅 ", 'i');
    fill_text(e.thumbnail_url, sizeof e.thumbnail_url, "https://cdn.example.com/t.jpg?", 'h');
    e.job_id = 0; /* seeded */
    assert_int_equal(s.b->gallery_insert(&e.id, s.conn, &e), VG_OK);
    memset(&got, 0xAB, sizeof got);
    assert_int_equal(s.b->gallery_list(s.conn, NULL, NULL, copy_example, &got), VG_OK);
    assert_example_is(&got, &e);
    raw_end(&s);
}

static void test_gallery_list_filters_by_topic_and_language_in_id_order(void **state)
{
    raw_store s = jobs_begin("gallery-filters");
    struct {
        const char *topic, *lang;
    } rows[] = {
        {"food", "en"}, {"cosmetics", "en"}, {"food", "zh-TW"}, {"food", "en"},
        {"Food", "en"}, {"electronics", "ja"}, {"cosmetics", "zh-TW"}, {"food", "ja"},
    };
    int64_t ids[8];
    listed l;
    int i;
    (void)state;
    for (i = 0; i < 8; i++) {
        vg_store_example e = make_example(rows[i].topic, rows[i].lang, i);
        assert_int_equal(s.b->gallery_insert(&ids[i], s.conn, &e), VG_OK);
    }
    l = list_examples(s.b, s.conn, NULL, NULL);
    assert_int_equal(l.count, 8);
    for (i = 0; i < 8; i++)
        assert_int_equal(l.ids[i], ids[i]);
    l = list_examples(s.b, s.conn, "food", NULL);
    assert_int_equal(l.count, 4);
    assert_int_equal(l.ids[0], ids[0]);
    assert_int_equal(l.ids[1], ids[2]);
    assert_int_equal(l.ids[2], ids[3]);
    assert_int_equal(l.ids[3], ids[7]);
    l = list_examples(s.b, s.conn, NULL, "en");
    assert_int_equal(l.count, 4);
    assert_int_equal(l.ids[0], ids[0]);
    assert_int_equal(l.ids[1], ids[1]);
    assert_int_equal(l.ids[2], ids[3]);
    assert_int_equal(l.ids[3], ids[4]);
    l = list_examples(s.b, s.conn, "food", "en");
    assert_int_equal(l.count, 2);
    assert_int_equal(l.ids[0], ids[0]);
    assert_int_equal(l.ids[1], ids[3]);
    l = list_examples(s.b, s.conn, "Food", NULL); /* exact case */
    assert_int_equal(l.count, 1);
    assert_int_equal(l.ids[0], ids[4]);
    assert_int_equal(list_examples(s.b, s.conn, "cosmetics", "ja").count, 0);
    assert_int_equal(list_examples(s.b, s.conn, "toys", NULL).count, 0);
    assert_int_equal(list_examples(s.b, s.conn, NULL, "ko").count, 0);
    raw_end(&s);
}

static void test_gallery_delete_removes_one_and_a_second_time_is_notfound(void **state)
{
    raw_store s = jobs_begin("gallery-delete");
    int64_t ids[3];
    listed l;
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        vg_store_example e = make_example("food", "en", i);
        assert_int_equal(s.b->gallery_insert(&ids[i], s.conn, &e), VG_OK);
    }
    assert_int_equal(s.b->gallery_delete(s.conn, ids[1]), VG_OK);
    assert_int_equal(s.b->gallery_delete(s.conn, ids[1]), VG_ENOTFOUND);
    assert_int_equal(s.b->gallery_delete(s.conn, ids[2] + 100), VG_ENOTFOUND);
    raw_reopen_for_reading(&s);
    l = list_examples(s.b, s.conn, NULL, NULL);
    assert_int_equal(l.count, 2);
    assert_int_equal(l.ids[0], ids[0]);
    assert_int_equal(l.ids[1], ids[2]);
    raw_end(&s);
}

static void test_gallery_list_stops_when_the_callback_returns_nonzero(void **state)
{
    raw_store s = jobs_begin("gallery-stop");
    listed l;
    int i;
    (void)state;
    for (i = 0; i < 4; i++) {
        vg_store_example e = make_example("food", "en", i);
        assert_int_equal(s.b->gallery_insert(NULL, s.conn, &e), VG_OK);
    }
    memset(&l, 0, sizeof l);
    l.stop_after = 1;
    assert_int_equal(s.b->gallery_list(s.conn, "food", NULL, note_example, &l), VG_OK);
    assert_int_equal(l.count, 1);
    assert_int_equal(list_examples(s.b, s.conn, "food", "en").count, 4);
    raw_end(&s);
}

static void test_gallery_arguments_that_cannot_be_stored_are_einval(void **state)
{
    raw_store s = jobs_begin("gallery-einval");
    vg_store_example e = make_example("food", "en", 1);
    char topic[VG_NAME_SIZE + 1], lang[VG_STORE_LANG_SIZE + 1];
    listed l;
    (void)state;
    memset(&l, 0, sizeof l);
    memset(topic, 't', VG_NAME_SIZE);
    topic[VG_NAME_SIZE] = '\0';
    memset(lang, 'l', VG_STORE_LANG_SIZE);
    lang[VG_STORE_LANG_SIZE] = '\0';
    assert_int_equal(s.b->gallery_insert(NULL, s.conn, NULL), VG_EINVAL);
    memset(e.title, 'x', sizeof e.title);
    assert_int_equal(s.b->gallery_insert(NULL, s.conn, &e), VG_EINVAL);
    e = make_example("food", "en", 1);
    memset(e.result_url, 'x', sizeof e.result_url);
    assert_int_equal(s.b->gallery_insert(NULL, s.conn, &e), VG_EINVAL);
    assert_int_equal(s.b->gallery_list(s.conn, topic, NULL, note_example, &l), VG_EINVAL);
    assert_int_equal(s.b->gallery_list(s.conn, NULL, lang, note_example, &l), VG_EINVAL);
    assert_int_equal(s.b->gallery_list(s.conn, NULL, NULL, NULL, &l), VG_EINVAL);
    assert_int_equal(l.count, 0);
    topic[VG_NAME_SIZE - 1] = '\0'; /* 31 bytes: fits */
    assert_int_equal(s.b->gallery_list(s.conn, topic, NULL, note_example, &l), VG_OK);
    e = make_example("food", "en", 1);
    assert_int_equal(s.b->gallery_insert(NULL, s.conn, &e), VG_OK); /* the transaction goes on */
    assert_int_equal(list_examples(s.b, s.conn, NULL, NULL).count, 1);
    raw_end(&s);
}

/* ============================================================================================
 * Arguments and transactions
 * ========================================================================================== */

static void test_null_arguments_are_einval(void **state)
{
    raw_store s = jobs_begin("null-arguments");
    int64_t user = add_user(&s, "null@example.com");
    vg_store_job job = queued_job(user, "k", 100, 0), got;
    vg_store_job_claim no_owner = {5000, 0, NULL, 9000};
    vg_store_job_filter filter = {0, NULL, 0, 0, 10};
    listed l;
    (void)state;
    memset(&l, 0, sizeof l);
    insert_job(&s, &job);
    assert_int_equal(s.b->job_insert(NULL, s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->job_get(NULL, s.conn, job.id, 0), VG_EINVAL);
    assert_int_equal(s.b->job_find(NULL, s.conn, user, "k"), VG_EINVAL);
    assert_int_equal(s.b->job_find(&got, s.conn, user, NULL), VG_EINVAL);
    assert_int_equal(s.b->job_update(s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->job_claim(NULL, s.conn, &no_owner), VG_EINVAL);
    assert_int_equal(s.b->job_claim(&got, s.conn, NULL), VG_EINVAL);
    assert_int_equal(s.b->job_claim(&got, s.conn, &no_owner), VG_EINVAL);
    assert_int_equal(s.b->jobs_list(s.conn, NULL, note_job, &l), VG_EINVAL);
    assert_int_equal(s.b->jobs_list(s.conn, &filter, NULL, &l), VG_EINVAL);
    assert_int_equal(l.count, 0);
    /* nothing was claimed, and the transaction goes on */
    got = get_job(s.b, s.conn, job.id);
    assert_job_is(&got, &job);
    raw_end(&s);
}

static void test_arguments_longer_than_their_field_are_einval(void **state)
{
    raw_store s = jobs_begin("long-arguments");
    int64_t user = add_user(&s, "long@example.com");
    vg_store_job job = queued_job(user, "k", 100, 0), got;
    char owner[VG_STORE_WORKER_SIZE + 1], scope[VG_STORE_SCOPE_SIZE + 1];
    vg_store_job_claim c = {5000, 0, owner, 9000};
    vg_store_job_filter filter = {0, scope, 0, 0, 10};
    listed l;
    (void)state;
    memset(&l, 0, sizeof l);
    insert_job(&s, &job);
    memset(owner, 'o', VG_STORE_WORKER_SIZE);
    owner[VG_STORE_WORKER_SIZE] = '\0';
    memset(scope, 's', VG_STORE_SCOPE_SIZE);
    scope[VG_STORE_SCOPE_SIZE] = '\0';
    assert_int_equal(s.b->job_claim(&got, s.conn, &c), VG_EINVAL);
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_EINVAL);
    assert_int_equal(l.count, 0);
    got = get_job(s.b, s.conn, job.id);
    assert_int_equal(got.version, 1); /* not claimed */
    owner[VG_STORE_WORKER_SIZE - 1] = '\0'; /* 63 bytes: fits */
    scope[VG_STORE_SCOPE_SIZE - 1] = '\0';
    assert_int_equal(s.b->jobs_list(s.conn, &filter, note_job, &l), VG_OK);
    assert_int_equal(s.b->job_claim(&got, s.conn, &c), VG_OK);
    assert_string_equal(got.lease_owner, owner);
    raw_end(&s);
}

/* One record of each kind: a job, an input, an example. */
typedef struct job_records {
    vg_store_job job;
    vg_store_input input;
    vg_store_example example;
    unsigned char *data;
} job_records;

static job_records write_job_records(raw_store *s, int64_t user, int seed)
{
    job_records r;
    r.job = make_job(user, seed);
    insert_job(s, &r.job);
    r.data = make_data(4096, seed);
    r.input = make_input(seed, "image/png", r.data, 4096);
    assert_int_equal(s->b->input_put(s->conn, &r.input), VG_OK);
    r.example = make_example("food", "en", seed);
    assert_int_equal(s->b->gallery_insert(&r.example.id, s->conn, &r.example), VG_OK);
    return r;
}

static void test_job_records_survive_commit_and_are_seen_from_another_connection(void **state)
{
    raw_store s = jobs_begin("jobs-commit");
    job_records r = write_job_records(&s, add_user(&s, "commit@example.com"), 30);
    vg_store_job job;
    vg_store_input input;
    vg_store_example example;
    vg_store_conn *reader;
    (void)state;
    raw_reopen_for_reading(&s);
    reader = connect_raw(s.location, 1000);
    assert_int_equal(s.b->begin(reader, VG_TXN_READ), VG_OK);
    job = get_job(s.b, reader, r.job.id);
    assert_job_is(&job, &r.job);
    assert_int_equal(s.b->input_get(&input, reader, r.input.hash), VG_OK);
    assert_input_is(&input, &r.input);
    assert_int_equal(s.b->gallery_list(reader, NULL, NULL, copy_example, &example), VG_OK);
    assert_example_is(&example, &r.example);
    assert_int_equal(s.b->commit(reader), VG_OK);
    s.b->disconnect(reader);
    raw_end(&s);
    free(r.data);
}

static void test_job_records_roll_back_leaving_nothing(void **state)
{
    raw_store s = jobs_begin("jobs-rollback");
    int64_t user = add_user(&s, "rollback@example.com");
    job_records r;
    vg_store_job job;
    vg_store_input input;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK); /* the user stays */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    r = write_job_records(&s, user, 31);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s.b->job_get(&job, s.conn, r.job.id, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->job_find(&job, s.conn, user, r.job.idempotency_key), VG_ENOTFOUND);
    assert_int_equal(s.b->input_get(&input, s.conn, r.input.hash), VG_ENOTFOUND);
    assert_int_equal(list_jobs(s.b, s.conn, 0, NULL, 0, 0, 10)->count, 0);
    assert_int_equal(list_examples(s.b, s.conn, NULL, NULL).count, 0);
    raw_end(&s);
    free(r.data);
}

static void test_job_changes_roll_back_to_the_committed_records(void **state)
{
    raw_store s = jobs_begin("jobs-undo");
    job_records r = write_job_records(&s, add_user(&s, "undo@example.com"), 32);
    vg_store_job job, changed;
    listed l;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    changed = r.job;
    changed.state = 0;
    changed.next_run_at = 0;
    changed.lease_until = 0;
    assert_int_equal(s.b->job_update(s.conn, &changed), VG_OK);
    assert_int_equal(claim(&job, s.b, s.conn, 5000, 0, "w", 9000), VG_OK);
    assert_int_equal(s.b->gallery_delete(s.conn, r.example.id), VG_OK);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    job = get_job(s.b, s.conn, r.job.id);
    assert_job_is(&job, &r.job);
    l = list_examples(s.b, s.conn, NULL, NULL);
    assert_int_equal(l.count, 1);
    assert_int_equal(l.ids[0], r.example.id);
    raw_end(&s);
    free(r.data);
}

/* --- the group --------------------------------------------------------------------------- */

static void test_job_methods_are_all_present(void **state)
{
    (void)state;
    require_jobs(target->backend());
}

int conformance_jobs_run(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_job_methods_are_all_present),
        cmocka_unit_test(test_job_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_job_insert_assigns_increasing_ids_and_version_1),
        cmocka_unit_test(test_job_insert_accepts_a_null_out_id),
        cmocka_unit_test(test_job_similarity_keeps_every_double_exactly),
        cmocka_unit_test(test_job_similarity_that_is_nan_is_einval_and_stores_nothing),
        cmocka_unit_test(test_job_text_longer_than_its_field_is_einval_and_stores_nothing),
        cmocka_unit_test(test_job_insert_with_a_taken_key_is_eexists_and_keeps_the_first),
        cmocka_unit_test(test_job_insert_for_a_user_who_does_not_exist_is_econstraint),
        cmocka_unit_test(test_job_get_and_find_of_unknown_ones_are_notfound),
        cmocka_unit_test(test_job_find_takes_a_key_that_fills_its_field_and_refuses_a_longer_one),
        cmocka_unit_test(test_job_update_writes_every_field_and_bumps_the_version),
        cmocka_unit_test(test_job_update_with_a_stale_version_is_estate_and_changes_nothing),
        cmocka_unit_test(test_job_update_of_an_unknown_id_is_notfound),
        cmocka_unit_test(test_of_two_writers_of_one_version_only_the_first_succeeds),
        cmocka_unit_test(test_job_get_for_update_holds_off_a_second_writer_until_commit),
        cmocka_unit_test(test_job_claim_takes_a_priority_job_before_an_older_one),
        cmocka_unit_test(test_job_claim_counts_a_job_created_before_aged_before_as_priority),
        cmocka_unit_test(test_job_claim_takes_the_oldest_then_the_lowest_id),
        cmocka_unit_test(test_job_claim_serves_the_whole_queue_in_order),
        cmocka_unit_test(test_job_claim_leaves_a_job_whose_next_run_is_later),
        cmocka_unit_test(test_job_claim_takes_a_finished_unsettled_job_whatever_its_next_run),
        cmocka_unit_test(test_job_claim_never_takes_a_finished_settled_job),
        cmocka_unit_test(test_job_claim_takes_an_unfinished_job_whatever_its_settled_flag),
        cmocka_unit_test(test_job_claim_leaves_a_leased_job_until_its_lease_passes),
        cmocka_unit_test(test_job_claim_with_nothing_due_is_notfound),
        cmocka_unit_test(test_job_claim_sets_the_lease_bumps_the_version_and_returns_the_row),
        cmocka_unit_test(test_an_update_after_a_claim_needs_the_claimed_version),
        cmocka_unit_test(test_another_worker_takes_a_job_once_its_lease_has_passed),
        cmocka_unit_test(test_concurrent_claimers_take_each_job_exactly_once),
        cmocka_unit_test(test_claimers_in_two_processes_take_each_job_exactly_once),
        cmocka_unit_test(test_jobs_list_gives_every_field_newest_first),
        cmocka_unit_test(test_jobs_list_hands_the_callback_the_whole_job),
        cmocka_unit_test(test_jobs_list_filters_by_user),
        cmocka_unit_test(test_jobs_list_filters_by_scope_exactly),
        cmocka_unit_test(test_jobs_list_active_only_leaves_out_finished_jobs),
        cmocka_unit_test(test_jobs_list_pages_with_before_id_and_limit),
        cmocka_unit_test(test_jobs_list_limit_must_be_1_to_1000),
        cmocka_unit_test(test_jobs_list_stops_when_the_callback_returns_nonzero),
        cmocka_unit_test(test_jobs_list_combines_its_filters),
        cmocka_unit_test(test_input_roundtrip_keeps_10_mib_of_every_byte_value),
        cmocka_unit_test(test_input_put_of_a_stored_hash_keeps_the_first),
        cmocka_unit_test(test_input_get_of_an_unknown_hash_is_notfound),
        cmocka_unit_test(test_inputs_read_one_after_another_each_give_their_own_data),
        cmocka_unit_test(test_an_empty_input_round_trips),
        cmocka_unit_test(test_input_arguments_that_cannot_be_stored_are_einval),
        cmocka_unit_test(test_gallery_example_roundtrip_keeps_every_field_at_full_size),
        cmocka_unit_test(test_gallery_list_hands_the_callback_every_field),
        cmocka_unit_test(test_gallery_list_filters_by_topic_and_language_in_id_order),
        cmocka_unit_test(test_gallery_delete_removes_one_and_a_second_time_is_notfound),
        cmocka_unit_test(test_gallery_list_stops_when_the_callback_returns_nonzero),
        cmocka_unit_test(test_gallery_arguments_that_cannot_be_stored_are_einval),
        cmocka_unit_test(test_null_arguments_are_einval),
        cmocka_unit_test(test_arguments_longer_than_their_field_are_einval),
        cmocka_unit_test(test_job_records_survive_commit_and_are_seen_from_another_connection),
        cmocka_unit_test(test_job_records_roll_back_leaving_nothing),
        cmocka_unit_test(test_job_changes_roll_back_to_the_committed_records),
    };
    char name[64];

    snprintf(name, sizeof name, "%s jobs", target->name);
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
