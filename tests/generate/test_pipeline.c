/* SPDX-License-Identifier: MIT */
/* The generation pipeline offline (the `local` provider) on a fake clock: success charged
 * once, cache hits, blocked prompts, demo rules, effects, cancel, failure, idempotency,
 * priority and aging, a worker that died mid-submit, single flight, two workers. Every
 * scenario ends with the wallets' invariants and vg_check. */
#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "generate/generate_internal.h"
#include "test_support.h"

#define SEC INT64_C(1000000)
#define MS INT64_C(1000)
#define WEDNESDAY (INT64_C(1795600800) * SEC)
#define MAX_USERS 8

#define SNEAKER "A red sneaker spinning on a white table, studio light"
#define SNEAKER_NEAR "a red sneaker spinning on a white table with studio light"

typedef struct fixture {
    char location[512];
    char assets[256];
    int unavailable;
    vg_ctx *ctx;
    vg_generator *gen;
    vg_worker *worker;
    vg_time now;
    pthread_mutex_t clock_lock;
    int64_t users[MAX_USERS];
    int user_count;
    int events;
    int stop_runners;
} fixture;

static vg_time locked_clock(void *payload)
{
    fixture *f = payload;
    vg_time t;
    pthread_mutex_lock(&f->clock_lock);
    t = f->now;
    pthread_mutex_unlock(&f->clock_lock);
    return t;
}

static void advance(fixture *f, vg_time by)
{
    pthread_mutex_lock(&f->clock_lock);
    f->now += by;
    pthread_mutex_unlock(&f->clock_lock);
}

static void count_event(const vg_job *job, void *payload)
{
    (void)job;
    __atomic_add_fetch(&((fixture *)payload)->events, 1, __ATOMIC_SEQ_CST);
}

static void open_all(fixture *f, int aging_s)
{
    vg_generator_options options = VG_GENERATOR_OPTIONS_INIT;
    vg_config config;

    test_config_init(&config, f->location);
    config.clock = locked_clock;
    config.clock_payload = f;
    config.provider_mode = VG_PROVIDERS_LOCAL;
    config.assets_dir = f->assets;
    config.log_level = VG_LOG_NONE;
    f->ctx = test_open(&config);
    options.aging_s = aging_s;
    options.lease_s = 30;
    options.on_event = count_event;
    options.event_payload = f;
    assert_status(vg_generator_open(&f->gen, f->ctx, &options), VG_OK);
    assert_status(vg_worker_new(&f->worker, f->gen, "test-worker"), VG_OK);
}

static void close_all(fixture *f)
{
    vg_worker_free(f->worker);
    vg_generator_close(f->gen);
    vg_close(f->ctx);
    f->worker = NULL;
    f->gen = NULL;
    f->ctx = NULL;
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    pthread_mutex_init(&f->clock_lock, NULL);
    snprintf(f->assets, sizeof f->assets, "/tmp/vg-pipeline-assets-XXXXXX");
    if (!mkdtemp(f->assets))
        return -1;
    if (test_try_fresh_location(f->location, sizeof f->location, "pipeline") != 0) {
        f->unavailable = 1;
        return 0;
    }
    open_all(f, 0);
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    char cmd[300];
    if (f->ctx)
        close_all(f);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->assets);
    if (system(cmd) != 0)
        fprintf(stderr, "cannot remove %s\n", f->assets);
    pthread_mutex_destroy(&f->clock_lock);
    free(f);
    return 0;
}

#define FIXTURE(state)                                                                         \
    fixture *f = *(state);                                                                     \
    if (f->unavailable)                                                                        \
        test_unavailable(f->location)

/* ---- helpers -------------------------------------------------------------------------------- */

static int64_t add_user(fixture *f, const char *plan)
{
    char email[64];
    int64_t id;
    snprintf(email, sizeof email, "u%d-%s@test.vidgo", f->user_count, plan);
    assert_status(vg_user_add_verified(&id, f->ctx, email, plan), VG_OK);
    assert_true(f->user_count < MAX_USERS);
    f->users[f->user_count++] = id;
    return id;
}

static vg_balance balance_of(fixture *f, int64_t user)
{
    vg_balance b;
    assert_status(vg_credits_balance(&b, f->ctx, user), VG_OK);
    return b;
}

static int submit_full(fixture *f, vg_job *job, int64_t user, const char *service,
                       const char *prompt, const char *key, int64_t input_job)
{
    vg_generate_request r = VG_GENERATE_REQUEST_INIT;
    r.user_id = user;
    r.service = service;
    r.prompt = prompt;
    r.idempotency_key = key;
    r.input_job_id = input_job;
    return vg_generate_submit(job, f->gen, &r);
}

static vg_job submit(fixture *f, int64_t user, const char *service, const char *prompt,
                     const char *key)
{
    vg_job job;
    assert_status(submit_full(f, &job, user, service, prompt, key, 0), VG_OK);
    return job;
}

/* Runs worker steps, moving the clock on, until the job is final and no work is left. */
static vg_job drive(fixture *f, int64_t job_id)
{
    vg_job job;
    int i, did = 1;
    for (i = 0; i < 400; i++) {
        assert_status(vg_worker_step(&did, f->worker), VG_OK);
        assert_status(vg_job_get(&job, f->ctx, job_id), VG_OK);
        if (job.state >= VG_JOB_SUCCEEDED && !did)
            return job;
        if (!did)
            advance(f, 250 * MS);
    }
    fail_msg("job %lld never finished", (long long)job_id);
    return job;
}

/* How many provider jobs `local` was asked for: its sidecar files. */
static int provider_jobs(fixture *f)
{
    DIR *d = opendir(f->assets);
    struct dirent *e;
    int n = 0;
    if (!d)
        return 0;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (strncmp(e->d_name, "local-", 6) == 0 && len > 5 &&
            strcmp(e->d_name + len - 5, ".json") == 0)
            n++;
    }
    closedir(d);
    return n;
}

static int count_debits(const vg_ledger_entry *e, void *payload)
{
    if (e->type == VG_LEDGER_DEBIT)
        ++*(int *)payload;
    return 0;
}

static int debits(fixture *f, int64_t user)
{
    int n = 0;
    assert_status(vg_credits_history(f->ctx, user, 0, 1000, count_debits, &n), VG_OK);
    return n;
}

static void print_problem(const char *check, const char *subject, const char *detail,
                          void *payload)
{
    (void)payload;
    print_error("vg_check: %s: %s: %s\n", check, subject, detail);
}

/* Each wallet adds up, nothing is held once every job is final, and vg_check agrees
 * (it checks that every settled job was charged exactly when it delivered). */
static void assert_invariants(fixture *f)
{
    size_t problems = 12345;
    int i;
    for (i = 0; i < f->user_count; i++) {
        vg_balance b = balance_of(f, f->users[i]);
        assert_int_equal(b.available, b.subscription + b.purchased + b.bonus);
        assert_int_equal(b.total, b.available + b.held);
        assert_true(b.subscription >= 0 && b.purchased >= 0 && b.bonus >= 0);
        assert_int_equal(b.held, 0);
        assert_int_equal(b.free_uses_held, 0);
    }
    assert_status(vg_check(&problems, f->ctx, print_problem, NULL), VG_OK);
    assert_int_equal(problems, 0);
}

/* ---- scenarios ------------------------------------------------------------------------------ */

static void test_a_video_is_made_offline_and_charged_once(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u), during;
    vg_job job = submit(f, u, "video_720p", SNEAKER, "k1"), done;
    struct stat st;

    assert_int_equal(job.state, VG_JOB_QUEUED);
    assert_int_equal(job.price, 5);
    assert_false(job.charged);
    assert_string_not_equal(job.enhanced_prompt, "");
    during = balance_of(f, u);
    assert_int_equal(during.held, 5);
    done = drive(f, job.id);
    assert_int_equal(done.state, VG_JOB_SUCCEEDED);
    assert_true(done.charged);
    assert_true(done.placeholder);
    assert_string_equal(done.provider, "local");
    assert_string_equal(done.media_type, "video");
    assert_int_equal(strncmp(done.result_url, "file://", 7), 0);
    assert_int_equal(stat(done.result_url + 7, &st), 0);
    assert_true(st.st_size > 100);
    assert_int_equal(balance_of(f, u).total, before.total - 5);
    assert_int_equal(debits(f, u), 1);
    assert_int_equal(provider_jobs(f), 1);
    assert_true(f->events >= 3);
    assert_invariants(f);
}

static void test_the_same_and_a_similar_prompt_come_from_the_cache(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter"), v = add_user(f, "starter");
    vg_job first = submit(f, u, "video_720p", SNEAKER, "c1"), again, near, other;

    drive(f, first.id);
    again = submit(f, v, "video_720p", SNEAKER, "c2");
    assert_int_equal(again.state, VG_JOB_SUCCEEDED);
    assert_true(again.cache_hit);
    assert_true(again.charged);
    assert_int_equal(again.api_cost_micro_usd, 0);
    near = submit(f, v, "video_720p", SNEAKER_NEAR, "c3");
    assert_int_equal(near.state, VG_JOB_SUCCEEDED);
    assert_true(near.cache_hit);
    assert_true(near.similarity >= 0.85 && near.similarity < 1.0);
    /* another scope (1080p) is not served from a 720p result */
    other = submit(f, v, "video_1080p", SNEAKER, "c4");
    assert_int_equal(other.state, VG_JOB_QUEUED);
    drive(f, other.id);
    assert_int_equal(provider_jobs(f), 2);
    assert_int_equal(debits(f, v), 3);
    assert_invariants(f);
}

static void test_a_blocked_prompt_costs_nothing_and_is_remembered(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    vg_generate_request r = VG_GENERATE_REQUEST_INIT;
    vg_job job;

    r.user_id = u;
    r.service = "video_720p";
    r.prompt = "a knife attack in a kitchen";
    r.lang = "ja";
    r.idempotency_key = "b1";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_OK);
    assert_int_equal(job.state, VG_JOB_FAILED);
    assert_int_equal(job.error, VG_EMODERATION_BLOCKED);
    assert_string_equal(job.message, vg_moderation_message(f->ctx, "violence", "ja"));
    assert_false(job.charged);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(balance_of(f, u).held, 0);
    /* the block cache answers the second time */
    {
        char reason[32];
        assert_status(vg_block_get(reason, sizeof reason, f->ctx, r.prompt), VG_OK);
        assert_string_equal(reason, "violence");
    }
    r.idempotency_key = "b2";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_OK);
    assert_int_equal(job.error, VG_EMODERATION_BLOCKED);
    assert_int_equal(provider_jobs(f), 0);
    assert_invariants(f);
}

static void test_a_demo_user_gets_videos_only_from_the_cache(void **state)
{
    FIXTURE(state);
    int64_t demo = add_user(f, "demo"), paid = add_user(f, "starter");
    vg_balance before = balance_of(f, demo);
    vg_job miss = submit(f, demo, "video_720p", SNEAKER, "d1"), made, hit;

    assert_int_equal(miss.state, VG_JOB_FAILED);
    assert_int_equal(miss.error, VG_EPAID_ONLY);
    assert_string_equal(miss.message, vg_strerror(VG_EPAID_ONLY, "en"));
    assert_int_equal(balance_of(f, demo).free_uses, before.free_uses);
    made = submit(f, paid, "video_720p", SNEAKER, "d2");
    drive(f, made.id);
    hit = submit(f, demo, "video_720p", SNEAKER_NEAR, "d3");
    assert_int_equal(hit.state, VG_JOB_SUCCEEDED);
    assert_true(hit.cache_hit);
    assert_true(hit.watermark);
    assert_int_equal(provider_jobs(f), 1);
    assert_invariants(f);
}

static void test_effects_are_for_subscribers_and_apply_to_a_finished_video(void **state)
{
    FIXTURE(state);
    int64_t demo = add_user(f, "demo"), u = add_user(f, "starter");
    vg_job base = submit(f, u, "video_720p", SNEAKER, "e1"), effect;

    assert_status(submit_full(f, &effect, demo, "style_effects", NULL, "e2", base.id),
                  VG_ENOTFOUND); /* not her job */
    assert_status(submit_full(f, &effect, u, "style_effects", NULL, "e3", base.id),
                  VG_EINPUT_ASSET); /* not finished yet */
    drive(f, base.id);
    assert_status(submit_full(f, &effect, u, "style_effects", NULL, "e4", 0), VG_EINPUT_ASSET);
    assert_status(submit_full(f, &effect, u, "style_effects", NULL, "e5", base.id), VG_OK);
    assert_int_equal(effect.kind, VG_TASK_STYLE_TRANSFER);
    assert_int_equal(effect.price, 8);
    effect = drive(f, effect.id);
    assert_int_equal(effect.state, VG_JOB_SUCCEEDED);
    assert_true(effect.charged);
    /* a demo user may not use effects, even on a video of her own */
    {
        vg_job mine = submit(f, demo, "video_720p", SNEAKER_NEAR, "e6"), image;
        assert_int_equal(mine.state, VG_JOB_SUCCEEDED);
        assert_status(submit_full(f, &effect, demo, "hd_enhance", NULL, "e7", mine.id),
                      VG_ESUBSCRIBERS_ONLY);
        image = submit(f, u, "image_512", "a teapot on a shelf", "e8");
        image = drive(f, image.id);
        assert_status(submit_full(f, &effect, u, "hd_enhance", NULL, "e9", image.id),
                      VG_EINPUT_ASSET); /* effects apply to videos */
    }
    assert_invariants(f);
}

static int count_all(const vg_job *job, void *payload)
{
    (void)job;
    ++*(int *)payload;
    return 0;
}

static void test_refusals_record_no_job(void **state)
{
    FIXTURE(state);
    int64_t demo = add_user(f, "demo");
    vg_job job;
    int n = 0;

    assert_status(submit_full(f, &job, demo, "video_1080p", SNEAKER, "s1", 0), VG_ERESOLUTION);
    assert_status(submit_full(f, &job, demo, "video_4k", SNEAKER, "s2", 0), VG_ERESOLUTION);
    assert_status(vg_jobs_list(f->ctx, demo, 0, 0, 10, count_all, &n), VG_OK);
    assert_int_equal(n, 0);
    assert_invariants(f);
}

static void test_cancel_releases_the_hold(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    vg_job job = submit(f, u, "video_1080p", "a blue kettle steaming", "x1"), cancelled;
    int did;

    assert_status(vg_worker_step(&did, f->worker), VG_OK); /* sent to the provider */
    assert_true(did);
    assert_status(vg_job_cancel(&cancelled, f->gen, job.id, u), VG_OK);
    assert_int_equal(cancelled.state, VG_JOB_CANCELLED);
    assert_false(cancelled.charged);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(balance_of(f, u).held, 0);
    assert_status(vg_job_cancel(&cancelled, f->gen, job.id, u), VG_EJOB_STATE);
    advance(f, 5 * SEC);
    assert_status(vg_worker_step(&did, f->worker), VG_OK);
    assert_false(did);
    assert_status(vg_job_get(&cancelled, f->ctx, job.id), VG_OK);
    assert_int_equal(cancelled.state, VG_JOB_CANCELLED);
    assert_invariants(f);
}

static void test_a_failed_generation_is_never_charged(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    vg_job job = submit(f, u, "image_1024", "a mug on a desk fail-placeholder", "f1");

    job = drive(f, job.id);
    assert_int_equal(job.state, VG_JOB_FAILED);
    assert_int_equal(job.error, VG_EJOB_FAILED);
    assert_false(job.charged);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(debits(f, u), 0);
    assert_invariants(f);
}

static void test_the_same_key_returns_the_same_job(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_job a = submit(f, u, "video_720p", "a green lamp", "i1"), b, c;

    b = submit(f, u, "video_720p", "a green lamp", "i1");
    assert_int_equal(a.id, b.id);
    assert_int_equal(balance_of(f, u).held, 5);
    assert_status(submit_full(f, &c, u, "video_720p", "a yellow lamp", "i1", 0),
                  VG_EIDEMPOTENCY_CONFLICT);
    assert_int_equal(balance_of(f, u).held, 5);
    drive(f, a.id);
    assert_invariants(f);
}

static void test_priority_jobs_go_first_and_old_jobs_are_not_starved(void **state)
{
    FIXTURE(state);
    int64_t starter = add_user(f, "starter"), pro = add_user(f, "pro");
    vg_job s1 = submit(f, starter, "image_512", "an orange chair", "p1"), p1, s2, p2, j;
    int did;

    advance(f, SEC);
    p1 = submit(f, pro, "image_512", "a purple sofa", "p2");
    assert_true(p1.priority);
    assert_status(vg_worker_step(&did, f->worker), VG_OK);
    assert_status(vg_job_get(&j, f->ctx, p1.id), VG_OK);
    assert_int_equal(j.state, VG_JOB_POLLING); /* the Pro job went first */
    assert_status(vg_job_get(&j, f->ctx, s1.id), VG_OK);
    assert_int_equal(j.state, VG_JOB_QUEUED);
    drive(f, s1.id);
    drive(f, p1.id);
    /* a starter job that waited past the aging time goes before a fresh Pro job */
    s2 = submit(f, starter, "image_512", "a white vase", "p3");
    advance(f, 121 * SEC);
    p2 = submit(f, pro, "image_512", "a black clock", "p4");
    assert_status(vg_worker_step(&did, f->worker), VG_OK);
    assert_status(vg_job_get(&j, f->ctx, s2.id), VG_OK);
    assert_int_equal(j.state, VG_JOB_POLLING);
    assert_status(vg_job_get(&j, f->ctx, p2.id), VG_OK);
    assert_int_equal(j.state, VG_JOB_QUEUED);
    drive(f, s2.id);
    drive(f, p2.id);
    assert_invariants(f);
}

/* A worker recorded SUBMITTED, the provider made the job, and the worker died before it
 * wrote the provider's id down. The next worker finds that job instead of paying again. */
static void test_a_job_whose_worker_died_mid_submit_is_not_sent_twice(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_job job = submit(f, u, "video_720p", "a silver watch on velvet", "m1"), done;
    vg_provider_task task = VG_PROVIDER_TASK_INIT;
    vg_provider_job pjob;
    vg_store_job sj;

    assert_status(vg__job_load(f->ctx, &sj, job.id), VG_OK);
    sj.state = VG_JOB_SUBMITTED;
    snprintf(sj.provider, sizeof sj.provider, "local");
    sj.submitted_at = f->now;
    sj.attempts = 1;
    snprintf(sj.lease_owner, sizeof sj.lease_owner, "dead-worker");
    sj.lease_until = f->now + 30 * SEC;
    assert_status(vg__job_save(f->ctx, &sj), VG_OK);
    task.kind = VG_TASK_TEXT_TO_VIDEO;
    task.prompt = sj.enhanced_prompt[0] ? sj.enhanced_prompt : sj.prompt;
    task.resolution = sj.resolution;
    task.duration_s = sj.duration_s;
    vg_provider_job_init(&pjob, VG_PROVIDER_JOB_VERSION);
    assert_status(vg_provider_submit(&pjob, f->ctx, "local", &task), VG_OK);
    assert_int_equal(provider_jobs(f), 1);

    advance(f, 10 * SEC); /* the lease still holds: nobody takes the job */
    {
        int did;
        assert_status(vg_worker_step(&did, f->worker), VG_OK);
        assert_false(did);
    }
    advance(f, 25 * SEC); /* the lease ran out */
    done = drive(f, job.id);
    assert_int_equal(done.state, VG_JOB_SUCCEEDED);
    assert_int_equal(provider_jobs(f), 1);
    assert_int_equal(debits(f, u), 1);
    assert_invariants(f);
}

static void test_near_duplicates_in_flight_make_one_generation(void **state)
{
    FIXTURE(state);
    int64_t a = add_user(f, "starter"), b = add_user(f, "pro");
    vg_job ja = submit(f, a, "video_720p", SNEAKER, "n1"), jb, da, db;

    jb = submit(f, b, "video_720p", SNEAKER_NEAR, "n2");
    assert_int_equal(jb.state, VG_JOB_QUEUED);
    db = drive(f, jb.id);
    da = drive(f, ja.id);
    assert_int_equal(da.state, VG_JOB_SUCCEEDED);
    assert_int_equal(db.state, VG_JOB_SUCCEEDED);
    assert_true(db.cache_hit);
    assert_int_equal(db.leader_id, 0);
    assert_int_equal(provider_jobs(f), 1);
    assert_int_equal(debits(f, a), 1);
    assert_int_equal(debits(f, b), 1);
    assert_invariants(f);
}

/* ---- two workers in threads ----------------------------------------------------------------- */

typedef struct runner {
    fixture *f;
    vg_worker *worker;
    int steps;
} runner;

static void *run_worker(void *payload)
{
    runner *r = payload;
    int did, i;
    for (i = 0; i < 4000; i++) {
        if (vg_worker_step(&did, r->worker) != VG_OK)
            break;
        r->steps += did;
        if (!did)
            usleep(1000);
        if (__atomic_load_n(&r->f->stop_runners, __ATOMIC_SEQ_CST))
            break;
    }
    return NULL;
}

static int count_unfinished(const vg_job *job, void *payload)
{
    if (job->state < VG_JOB_SUCCEEDED)
        ++*(int *)payload;
    return 0;
}

static void test_two_workers_process_each_job_once(void **state)
{
    FIXTURE(state);
    enum { JOBS = 12 };
    int64_t u = add_user(f, "pro_plus");
    runner r[2] = {{f, NULL, 0}, {f, NULL, 0}};
    pthread_t t[2];
    vg_job jobs[JOBS];
    char prompt[64], key[16];
    int i, left, rounds;

    for (i = 0; i < JOBS; i++) {
        snprintf(prompt, sizeof prompt, "product %c%c number %d", 'a' + i, 'z' - i, i * 7919);
        snprintf(key, sizeof key, "t%d", i);
        jobs[i] = submit(f, u, "image_512", prompt, key);
    }
    assert_status(vg_worker_new(&r[0].worker, f->gen, "w1"), VG_OK);
    assert_status(vg_worker_new(&r[1].worker, f->gen, "w2"), VG_OK);
    for (i = 0; i < 2; i++)
        assert_int_equal(pthread_create(&t[i], NULL, run_worker, &r[i]), 0);
    for (rounds = 0; rounds < 2000; rounds++) {
        left = 0;
        assert_status(vg_jobs_list(f->ctx, u, 1, 0, 100, count_unfinished, &left), VG_OK);
        if (left == 0)
            break;
        advance(f, 100 * MS);
        usleep(2000);
    }
    __atomic_store_n(&f->stop_runners, 1, __ATOMIC_SEQ_CST);
    for (i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    vg_worker_free(r[0].worker);
    vg_worker_free(r[1].worker);
    assert_int_equal(left, 0);
    for (i = 0; i < JOBS; i++) {
        vg_job j;
        assert_status(vg_job_get(&j, f->ctx, jobs[i].id), VG_OK);
        assert_int_equal(j.state, VG_JOB_SUCCEEDED);
        assert_int_equal(j.attempts, 1);
    }
    assert_int_equal(provider_jobs(f), JOBS);
    assert_int_equal(debits(f, u), JOBS);
    assert_true(r[0].steps > 0 && r[1].steps > 0);
    assert_invariants(f);
}

static void test_bad_requests_change_nothing(void **state)
{
    FIXTURE(state);
    int64_t u = add_user(f, "starter");
    vg_balance before = balance_of(f, u);
    vg_generate_request r = VG_GENERATE_REQUEST_INIT;
    vg_job job;

    assert_status(vg_generate_submit(NULL, f->gen, &r), VG_EINVAL);
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_EINVAL);
    r.user_id = u;
    r.service = "video_720p";
    r.idempotency_key = "z";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_EPROMPT_EMPTY);
    r.prompt = "\xff\xfe";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_EUTF8);
    r.prompt = "a lamp";
    r.service = "no_such_service";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_ESERVICE_UNKNOWN);
    r.service = "image_512";
    r.image = (const unsigned char *)"x";
    r.image_len = 1;
    r.image_mime = "image/gif";
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_EINPUT_ASSET);
    r.image = NULL;
    r.version = 99;
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_EVERSION);
    r.version = VG_GENERATE_REQUEST_VERSION;
    r.user_id = 999999;
    assert_status(vg_generate_submit(&job, f->gen, &r), VG_ENOTFOUND);
    assert_status(vg_job_get(&job, f->ctx, 424242), VG_ENOTFOUND);
    assert_status(vg_job_cancel(NULL, f->gen, 424242, 0), VG_ENOTFOUND);
    assert_int_equal(balance_of(f, u).total, before.total);
    assert_int_equal(balance_of(f, u).held, 0);
    assert_invariants(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
        T(test_a_video_is_made_offline_and_charged_once),
        T(test_the_same_and_a_similar_prompt_come_from_the_cache),
        T(test_a_blocked_prompt_costs_nothing_and_is_remembered),
        T(test_a_demo_user_gets_videos_only_from_the_cache),
        T(test_effects_are_for_subscribers_and_apply_to_a_finished_video),
        T(test_refusals_record_no_job),
        T(test_cancel_releases_the_hold),
        T(test_a_failed_generation_is_never_charged),
        T(test_the_same_key_returns_the_same_job),
        T(test_priority_jobs_go_first_and_old_jobs_are_not_starved),
        T(test_a_job_whose_worker_died_mid_submit_is_not_sent_twice),
        T(test_near_duplicates_in_flight_make_one_generation),
        T(test_two_workers_process_each_job_once),
        T(test_bad_requests_change_nothing),
#undef T
    };
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
