/* SPDX-License-Identifier: MIT */
/* The generation pipeline's own cost per request: the cache-hit path of vg_generate_submit
 * against the wallet work it must do anyway, and the miss path (Leonardo on a loopback fake
 * that answers at once) against the fake's bare round trips, with 1 and 2 workers. Prints
 * figures and ratios against references measured in the same run; asserts nothing about
 * time. */
#include <curl/curl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vidgo/vidgo.h>

#include "bench_fake_leonardo.h"

#define LEONARDO_KEY "bench-leonardo-key"
#define SERVICE "video_720p"
/* How far the workers move the context's clock when a job waits for its next poll: past
 * Leonardo's advice before the first poll of a video (10 s, LEO_POLL_VIDEO_MS in
 * lib/providers/leonardo.c); see worker_main. */
#define SKIP_US (INT64_C(10000) * 1000 + 1000)
#define RUN_DEADLINE_S 120.0
#define BLOCK 100 /* hits, then as many reference pairs, in turn */
#define BREAKDOWN_SAMPLES 500
#define REFERENCE_S 0.5 /* how long the reference's throughput is measured */

static const unsigned char secret[32] = "libvidgo-benchmark-secret-32byte";

/* Cached prompts and a near-duplicate of each (a semantic hit: same numbers and colours). */
static const char *const seeds[][2] = {
    {"A red sneaker spinning on a white table, studio light",
     "a red sneaker spinning on a white table with studio light"},
    {"A glass perfume bottle on black marble, soft golden light",
     "a glass perfume bottle on black marble with soft golden light"},
    {"A steaming cup of coffee on a wooden cafe counter, morning sun",
     "a steaming cup of coffee on a wooden cafe counter in the morning sun"},
    {"Wireless earbuds floating above a charging case, neon glow",
     "wireless earbuds floating above their charging case, neon glow"},
    {"A leather handbag on a boutique shelf, warm spotlight",
     "a leather handbag on a boutique shelf under a warm spotlight"},
    {"A smartwatch on a runner's wrist, city street at dawn",
     "a smartwatch on the wrist of a runner, city street at dawn"},
    {"Fresh orange juice poured into a tall glass, bright kitchen",
     "fresh orange juice being poured into a tall glass in a bright kitchen"},
    {"A skincare cream jar surrounded by green leaves, clean white background",
     "a skincare cream jar surrounded by green leaves on a clean white background"},
};
#define SEED_COUNT (int)(sizeof seeds / sizeof seeds[0])

/* Miss prompts: a product, a setting and a light, and a serial number that makes each one
 * its own (the cache's second gate never matches two different numbers). */
static const char *const products[] = {
    "a ceramic teapot",         "a mechanical keyboard", "a bamboo toothbrush", "a travel backpack",
    "a pair of sunglasses",     "a scented candle",      "a bluetooth speaker", "a yoga mat",
    "a stainless water bottle", "a silk scarf",          "a desk lamp",         "a chocolate bar",
};
static const char *const settings[] = {
    "on a kitchen counter",   "in a sunny park",  "on a rooftop at night",
    "in a minimalist studio", "on a beach towel", "in a cozy living room",
    "on an office desk",
};
static const char *const lights[] = {
    "soft window light", "dramatic rim light", "warm evening light",
    "bright daylight",   "moody shadows",
};

/* ---- timing ---------------------------------------------------------------------------- */

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Sorts v[n] and returns its p-quantile (0..1). */
static double quantile(double *v, int n, double p)
{
    int i;
    if (n <= 0)
        return 0;
    qsort(v, (size_t)n, sizeof *v, compare_double);
    i = (int)(p * (n - 1) + 0.5);
    return v[i < n ? i : n - 1];
}

static void *xcalloc(size_t n, size_t size)
{
    void *p = calloc(n, size);
    if (!p) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- the context, its virtual clock and the timed runs ----------------------------------- */

typedef struct record {
    double submitted; /* when vg_generate_submit was called */
    double submit_s;  /* how long it took */
    double done;      /* when the job was final and charged (0: not yet) */
} record;

typedef struct run {
    int64_t first_id; /* the jobs of a run have consecutive ids */
    int count;
    record *rec;
} run;

typedef struct bench {
    char dir[64];
    bench_fake *fake;
    vg_ctx *ctx;
    vg_generator *gen;
    int64_t user;
    int64_t skew_us; /* how far the context's clock runs ahead of the real one (__atomic) */
    pthread_mutex_t lock;
    pthread_cond_t wake; /* to workers: a job was submitted, or stop */
    pthread_cond_t done; /* to the driver: a job of the run finished */
    run *run;            /* the jobs being timed; NULL between runs */
    int outstanding;     /* jobs of the run not finished yet */
    int progress;        /* a worker did a step since the last skip */
    int stop;
    int failed;
    long skips;
    int prompt_serial;
    int missed;       /* jobs submitted that missed the cache */
    int64_t seed_job; /* the first seed's job, read by the breakdown */
} bench;

/* The real time plus the skipped waits. */
static vg_time bench_clock(void *payload)
{
    bench *b = payload;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (vg_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000 +
           __atomic_load_n(&b->skew_us, __ATOMIC_RELAXED);
}

/* A job is done for its user when it is final and its price captured: the event that
 * follows the settlement (lib/generate/generator.c). */
static void on_event(const vg_job *job, void *payload)
{
    bench *b = payload;
    double t;
    record *r;

    if (job->state != VG_JOB_SUCCEEDED || !job->charged)
        return;
    t = now_s();
    pthread_mutex_lock(&b->lock);
    if (b->run && job->id >= b->run->first_id && job->id < b->run->first_id + b->run->count) {
        r = &b->run->rec[job->id - b->run->first_id];
        if (r->done == 0) {
            r->done = t;
            b->outstanding--;
            pthread_cond_broadcast(&b->done);
        }
    }
    pthread_mutex_unlock(&b->lock);
}

static void open_all(bench *b)
{
    vg_generator_options options = VG_GENERATOR_OPTIONS_INIT;
    vg_config config;
    vg_balance balance;
    char store[128], assets[128];
    int i;

    snprintf(store, sizeof store, "%s/pipeline.db", b->dir);
    snprintf(assets, sizeof assets, "%s/assets", b->dir);
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = store;
    config.flags = VG_OPEN_CREATE | VG_OPEN_SYNC_NORMAL;
    config.secret = secret;
    config.secret_len = sizeof secret;
    config.log_level = VG_LOG_NONE;
    config.clock = bench_clock;
    config.clock_payload = b;
    config.assets_dir = assets;
    /* AUTO mode: Leonardo (keyed) makes the videos; every other provider has an empty key,
     * so `local` moderates, enhances and embeds (no Gemini, whatever the environment says) */
    config.provider_mode = VG_PROVIDERS_AUTO;
    for (i = 0; i < VG_PROVIDER_COUNT; i++)
        config.providers[i].api_key = "";
    config.providers[VG_PROVIDER_LEONARDO].api_key = LEONARDO_KEY;
    config.providers[VG_PROVIDER_LEONARDO].base_url = bench_fake_url(b->fake);
    if (vg_open(&b->ctx, &config) != VG_OK) {
        fprintf(stderr, "vg_open: %s\n", vg_error_last());
        exit(1);
    }
    options.max_poll_ms = 1;
    options.on_event = on_event;
    options.event_payload = b;
    if (vg_generator_open(&b->gen, b->ctx, &options) != VG_OK ||
        vg_user_add_verified(&b->user, b->ctx, "bench@example.com", "starter") != VG_OK ||
        vg_credits_grant(&balance, b->ctx, b->user, VG_CREDIT_PURCHASED, 1000000000, 0, "bench",
                         "bench-grant") != VG_OK) {
        fprintf(stderr, "setup: %s\n", vg_error_last());
        exit(1);
    }
}

static int submit(vg_job *job, bench *b, const char *prompt, const char *key)
{
    vg_generate_request r = VG_GENERATE_REQUEST_INIT;
    r.user_id = b->user;
    r.service = SERVICE;
    r.prompt = prompt;
    r.lang = "en";
    r.idempotency_key = key;
    return vg_generate_submit(job, b->gen, &r);
}

static void next_miss_prompt(bench *b, char *out, size_t size)
{
    int n = b->prompt_serial++;
    snprintf(out, size, "Product ad %d: %s %s, %s", 1000 + n,
             products[n % (int)(sizeof products / sizeof products[0])],
             settings[(n / 3) % (int)(sizeof settings / sizeof settings[0])],
             lights[(n / 7) % (int)(sizeof lights / sizeof lights[0])]);
}

/* ---- workers ------------------------------------------------------------------------------ */

/*
 * A worker thread: vg_worker_step in a loop, as vg_worker_run does, with two differences
 * that keep waits out of the figures. Idle, it waits to be woken by the next submit
 * instead of sleeping idle_ms (1 ms at most while a job is unfinished, which another
 * worker may be stepping). And when no job is due while one is unfinished, it moves the
 * context's clock past the wait before the next poll (SKIP_US covers Leonardo's 10 s as
 * well as max_poll_ms): once per step that made progress, so that a lease (300 s) never
 * runs out under another worker's step.
 */
typedef struct worker_thread {
    bench *b;
    vg_worker *w;
    pthread_t thread;
} worker_thread;

static void *worker_main(void *arg)
{
    worker_thread *t = arg;
    bench *b = t->b;
    struct timespec until;
    int did, rc;

    for (;;) {
        pthread_mutex_lock(&b->lock);
        if (b->stop) {
            pthread_mutex_unlock(&b->lock);
            break;
        }
        pthread_mutex_unlock(&b->lock);
        rc = vg_worker_step(&did, t->w);
        pthread_mutex_lock(&b->lock);
        if (rc != VG_OK) {
            fprintf(stderr, "vg_worker_step: %s\n", vg_ctx_errmsg(b->ctx));
            b->failed = 1;
            pthread_cond_broadcast(&b->done);
            pthread_mutex_unlock(&b->lock);
            break;
        }
        if (did) {
            b->progress = 1;
        } else if (b->outstanding > 0 && b->progress) {
            __atomic_add_fetch(&b->skew_us, SKIP_US, __ATOMIC_RELAXED);
            b->skips++;
            b->progress = 0;
        } else if (!b->stop && b->outstanding == 0) {
            pthread_cond_wait(&b->wake, &b->lock); /* until the next submit, or stop */
        } else if (!b->stop) {
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 1000000;
            if (until.tv_nsec >= 1000000000) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000;
            }
            pthread_cond_timedwait(&b->wake, &b->lock, &until);
        }
        pthread_mutex_unlock(&b->lock);
    }
    return NULL;
}

static void workers_start(bench *b, worker_thread *t, int count)
{
    int i;
    b->stop = 0;
    for (i = 0; i < count; i++) {
        t[i].b = b;
        if (vg_worker_new(&t[i].w, b->gen, NULL) != VG_OK ||
            pthread_create(&t[i].thread, NULL, worker_main, &t[i]) != 0) {
            fprintf(stderr, "cannot start a worker\n");
            exit(1);
        }
    }
}

static void workers_stop(bench *b, worker_thread *t, int count)
{
    int i;
    pthread_mutex_lock(&b->lock);
    b->stop = 1;
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->lock);
    for (i = 0; i < count; i++) {
        pthread_join(t[i].thread, NULL);
        vg_worker_free(t[i].w);
    }
}

/* Waits until no job of the run is outstanding; exits on a failure or after the deadline. */
static void wait_done(bench *b, double deadline)
{
    struct timespec until;
    int failed;

    pthread_mutex_lock(&b->lock);
    while (b->outstanding > 0 && !b->failed) {
        if (now_s() > deadline) {
            fprintf(stderr, "a run did not finish in %.0f s (%d jobs left)\n", RUN_DEADLINE_S,
                    b->outstanding);
            exit(1);
        }
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 1;
        pthread_cond_timedwait(&b->done, &b->lock, &until);
    }
    failed = b->failed;
    pthread_mutex_unlock(&b->lock);
    if (failed)
        exit(1);
}

/* Submits job i of a run, a prompt that misses the cache; exits unless it was queued with
 * the run's next id. The workers may take it at once. */
static void submit_queued(bench *b, run *r, int i, const char *prompt, const char *key)
{
    vg_job job;
    double t0;

    pthread_mutex_lock(&b->lock);
    b->outstanding++;
    pthread_mutex_unlock(&b->lock);
    t0 = now_s();
    if (submit(&job, b, prompt, key) != VG_OK) {
        fprintf(stderr, "submit: %s\n", vg_ctx_errmsg(b->ctx));
        exit(1);
    }
    r->rec[i].submitted = t0;
    r->rec[i].submit_s = now_s() - t0;
    b->missed++;
    if (job.state != VG_JOB_QUEUED || job.id != r->first_id + i) {
        fprintf(stderr, "job %lld is %s (expected queued, id %lld)\n", (long long)job.id,
                vg_job_state_name(job.state), (long long)(r->first_id + i));
        exit(1);
    }
}

static void submit_miss(bench *b, run *r, int i)
{
    char prompt[256], key[64];
    next_miss_prompt(b, prompt, sizeof prompt);
    snprintf(key, sizeof key, "miss-%d", b->prompt_serial);
    submit_queued(b, r, i, prompt, key);
}

static void wake_workers(bench *b)
{
    pthread_mutex_lock(&b->lock);
    pthread_cond_broadcast(&b->wake);
    pthread_mutex_unlock(&b->lock);
}

/* Every job of a run succeeded through Leonardo, on its own (no cache, no leader). */
static void check_run(bench *b, const run *r)
{
    vg_job job;
    int i;
    for (i = 0; i < r->count; i++)
        if (vg_job_get(&job, b->ctx, r->first_id + i) != VG_OK || job.state != VG_JOB_SUCCEEDED ||
            job.cache_hit || job.leader_id || job.attempts != 1 || job.fallback ||
            strcmp(job.provider, "leonardo") != 0) {
            fprintf(stderr, "miss job %lld did not go once through leonardo alone\n",
                    (long long)(r->first_id + i));
            exit(1);
        }
}

/* ---- the reference: the fake's round trips alone ----------------------------------------------
 */

typedef struct sink {
    char data[4096];
    size_t len;
} sink;

static size_t sink_write(char *p, size_t size, size_t n, void *payload)
{
    sink *s = payload;
    size_t len = size * n, room = sizeof s->data - 1 - s->len;
    memcpy(s->data + s->len, p, len < room ? len : room);
    s->len += len < room ? len : room;
    s->data[s->len] = '\0';
    return len;
}

typedef struct bare {
    const char *base;
    int pairs; /* pairs to time; 0: as many as fit in `seconds` */
    double seconds;
    double *create_s, *poll_s;  /* per pair (pairs > 0); may be NULL */
    pthread_barrier_t *barrier; /* passed by every client after its warm-up */
    double started, ended;      /* the timed pairs */
    int done;                   /* how many were timed */
    int failed;
    pthread_t thread;
} bare;

/* One request on the kept-alive handle; returns 0 when it was answered 200. */
static int bare_request(CURL *h, sink *s, const char *url, const char *body)
{
    long status = 0;
    s->len = 0;
    s->data[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    else
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    if (curl_easy_perform(h) != CURLE_OK)
        return -1;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status == 200 ? 0 : -1;
}

/* A create, then a poll of the job it made; returns 0 when both were answered. */
static int bare_pair(CURL *h, sink *s, const char *base, const char *create_url, double *t_create,
                     double *t_poll)
{
    static const char body[] =
        "{\"prompt\":\"A professional product advertisement video: a ceramic teapot on a "
        "kitchen counter, soft window light. Clean commercial look, smooth camera motion, "
        "studio-quality lighting, sharp focus on the product.\",\"model\":\"MOTION2\","
        "\"resolution\":\"RESOLUTION_720\",\"width\":1280,\"height\":720,\"isPublic\":false}";
    char poll_url[256], *id, *end;
    double t0 = now_s(), t1;

    if (bare_request(h, s, create_url, body) != 0)
        return -1;
    t1 = now_s();
    if (!(id = strstr(s->data, "\"generationId\":\"")) || !(end = strchr(id + 16, '"')))
        return -1;
    *end = '\0';
    snprintf(poll_url, sizeof poll_url, "%s/generations/%s", base, id + 16);
    if (bare_request(h, s, poll_url, NULL) != 0 || !strstr(s->data, "COMPLETE"))
        return -1;
    *t_create = t1 - t0;
    *t_poll = now_s() - t1;
    return 0;
}

/* Creates and polls on one kept-alive libcurl handle, with Leonardo's headers and a body
 * of the size the library sends (the library, too, keeps its handles and connections). */
static void *bare_client(void *arg)
{
    bare *a = arg;
    struct curl_slist *headers = NULL;
    char create_url[256];
    double t_create, t_poll;
    sink s;
    CURL *h = curl_easy_init();
    int i;

    headers = curl_slist_append(headers, "accept: application/json");
    headers = curl_slist_append(headers, "content-type: application/json");
    headers = curl_slist_append(headers, "authorization: Bearer " LEONARDO_KEY);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    snprintf(create_url, sizeof create_url, "%s/generations-text-to-video", a->base);
    for (i = 0; i < 100 && !a->failed; i++) /* to warm up (and connect) */
        a->failed = bare_pair(h, &s, a->base, create_url, &t_create, &t_poll) != 0;
    if (a->barrier)
        pthread_barrier_wait(a->barrier);
    a->started = now_s();
    for (i = 0; !a->failed && (a->pairs ? i < a->pairs : now_s() < a->started + a->seconds); i++) {
        a->failed = bare_pair(h, &s, a->base, create_url, &t_create, &t_poll) != 0;
        if (a->create_s) {
            a->create_s[i] = t_create;
            a->poll_s[i] = t_poll;
        }
    }
    a->ended = now_s();
    a->done = i;
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    return NULL;
}

typedef struct reference {
    double create_p50, create_p99, poll_p50, poll_p99;
    double pairs_per_s[2]; /* with 1 and 2 client threads */
} reference;

/* The fake alone: the latency of a create and of a poll (`pairs` of each), and create +
 * poll pairs per second with 1 and 2 client threads (REFERENCE_S each). */
static void measure_reference(bench *b, reference *out, int pairs)
{
    pthread_barrier_t barrier;
    bare a[2];
    double *create_s = xcalloc((size_t)pairs, sizeof *create_s);
    double *poll_s = xcalloc((size_t)pairs, sizeof *poll_s), first, last;
    int threads, i, failed, done;

    memset(a, 0, sizeof a);
    a[0].base = bench_fake_url(b->fake);
    a[0].pairs = pairs;
    a[0].create_s = create_s;
    a[0].poll_s = poll_s;
    bare_client(&a[0]);
    failed = a[0].failed;
    out->create_p50 = quantile(create_s, pairs, 0.50);
    out->create_p99 = quantile(create_s, pairs, 0.99);
    out->poll_p50 = quantile(poll_s, pairs, 0.50);
    out->poll_p99 = quantile(poll_s, pairs, 0.99);
    for (threads = 1; threads <= 2 && !failed; threads++) {
        memset(a, 0, sizeof a);
        pthread_barrier_init(&barrier, NULL, (unsigned)threads);
        for (i = 0; i < threads; i++) {
            a[i].base = bench_fake_url(b->fake);
            a[i].seconds = REFERENCE_S;
            a[i].barrier = &barrier;
            if (pthread_create(&a[i].thread, NULL, bare_client, &a[i]) != 0)
                exit(1);
        }
        first = 1e300;
        last = 0;
        done = 0;
        for (i = 0; i < threads; i++) {
            pthread_join(a[i].thread, NULL);
            failed |= a[i].failed;
            first = a[i].started < first ? a[i].started : first;
            last = a[i].ended > last ? a[i].ended : last;
            done += a[i].done;
        }
        pthread_barrier_destroy(&barrier);
        out->pairs_per_s[threads - 1] = done / (last - first);
    }
    if (failed) {
        fprintf(stderr, "the fake did not answer the reference client\n");
        exit(1);
    }
    free(create_s);
    free(poll_s);
}

/* ---- the miss path ------------------------------------------------------------------------ */

typedef struct miss_result {
    double p50, p99, submit_p50, jobs_per_s, creates_per_job, polls_per_job;
    long skips;
} miss_result;

static int newest_job(const vg_job *job, void *payload)
{
    *(int64_t *)payload = job->id;
    return 1;
}

/* Starts timing a run. Its jobs get the ids after the newest job's (the store's ids are
 * the row ids; submit_miss checks it), known before any event can come. */
static void run_begin(bench *b, run *r, int count)
{
    int64_t newest = 0;
    if (vg_jobs_list(b->ctx, 0, 0, 0, 1, newest_job, &newest) != VG_OK) {
        fprintf(stderr, "vg_jobs_list: %s\n", vg_ctx_errmsg(b->ctx));
        exit(1);
    }
    r->count = count;
    r->first_id = newest + 1;
    r->rec = xcalloc((size_t)count, sizeof *r->rec);
    pthread_mutex_lock(&b->lock);
    b->run = r;
    b->outstanding = 0;
    b->progress = 0;
    b->skips = 0;
    pthread_mutex_unlock(&b->lock);
}

static void run_end(bench *b, run *r, miss_result *out, bench_fake_counts *before)
{
    bench_fake_counts after;
    double *v = xcalloc((size_t)r->count, sizeof *v);
    int i;

    pthread_mutex_lock(&b->lock);
    b->run = NULL;
    out->skips = b->skips;
    pthread_mutex_unlock(&b->lock);
    check_run(b, r);
    for (i = 0; i < r->count; i++)
        v[i] = r->rec[i].done - r->rec[i].submitted;
    out->p50 = quantile(v, r->count, 0.50);
    out->p99 = quantile(v, r->count, 0.99);
    for (i = 0; i < r->count; i++)
        v[i] = r->rec[i].submit_s;
    out->submit_p50 = quantile(v, r->count, 0.50);
    bench_fake_counts_get(&after, b->fake);
    out->creates_per_job = (double)(after.creates - before->creates) / r->count;
    out->polls_per_job = (double)(after.polls - before->polls) / r->count;
    free(v);
    free(r->rec);
}

/* One job at a time: submit, then the workers take it to the end. */
static void miss_latency(bench *b, int workers, int count, miss_result *out)
{
    worker_thread t[2];
    bench_fake_counts before;
    double start;
    run r;
    int i;

    bench_fake_counts_get(&before, b->fake);
    run_begin(b, &r, count);
    workers_start(b, t, workers);
    start = now_s();
    for (i = 0; i < count; i++) {
        submit_miss(b, &r, i);
        wake_workers(b);
        wait_done(b, now_s() + RUN_DEADLINE_S);
    }
    out->jobs_per_s = count / (now_s() - start);
    workers_stop(b, t, workers);
    run_end(b, &r, out, &before);
}

/* A backlog: every job queued first, then the workers drain it. */
static void miss_throughput(bench *b, int workers, int count, miss_result *out)
{
    worker_thread t[2];
    bench_fake_counts before;
    double start, last = 0;
    run r;
    int i;

    bench_fake_counts_get(&before, b->fake);
    run_begin(b, &r, count);
    for (i = 0; i < count; i++)
        submit_miss(b, &r, i);
    start = now_s();
    for (i = 0; i < count; i++)
        r.rec[i].submitted = start; /* latency here is the queue's, not the library's */
    workers_start(b, t, workers);
    wait_done(b, start + RUN_DEADLINE_S);
    for (i = 0; i < count; i++)
        last = r.rec[i].done > last ? r.rec[i].done : last;
    out->jobs_per_s = count / (last - start);
    workers_stop(b, t, workers);
    run_end(b, &r, out, &before);
}

/* ---- the hit path ------------------------------------------------------------------------- */

/* The seeds go through Leonardo once, so that their results are in the cache. */
static void seed_cache(bench *b)
{
    worker_thread t[1];
    char key[32];
    run r;
    int i;

    run_begin(b, &r, SEED_COUNT);
    workers_start(b, t, 1);
    for (i = 0; i < SEED_COUNT; i++) {
        snprintf(key, sizeof key, "seed-%d", i);
        submit_queued(b, &r, i, seeds[i][0], key);
        wake_workers(b);
        wait_done(b, now_s() + RUN_DEADLINE_S);
    }
    workers_stop(b, t, 1);
    pthread_mutex_lock(&b->lock);
    b->run = NULL;
    pthread_mutex_unlock(&b->lock);
    check_run(b, &r);
    b->seed_job = r.first_id;
    free(r.rec);
}

typedef struct hit_result {
    double exact_p50, exact_p99, near_p50, near_p99, all_p50, all_p99;
    double pair_p50, pair_p99;
    int near_seeds, not_served;
} hit_result;

/* The seeds whose near-duplicate the cache serves as a semantic hit; returns how many. */
static int usable_seeds(bench *b, vg_cache *cache, int usable[SEED_COUNT])
{
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    vg_cache_hit *hit = xcalloc(1, sizeof *hit);
    int i, n = 0;

    scope.service = SERVICE;
    scope.resolution = 720;
    for (i = 0; i < SEED_COUNT; i++)
        if (vg_cache_lookup(hit, cache, &scope, seeds[i][1], b->user) == VG_OK &&
            hit->match == VG_CACHE_SEMANTIC)
            usable[n++] = i;
    free(hit);
    return n;
}

/* The reference of the hit path: a hold and its capture, the wallet work a hit does too. */
static double charge_pair(bench *b, int n)
{
    char key[48];
    vg_hold hold;
    double t0 = now_s();

    snprintf(key, sizeof key, "ref-%d-h", n);
    if (vg_credits_hold(&hold, b->ctx, b->user, SERVICE, NULL, key) != VG_OK) {
        fprintf(stderr, "hold: %s\n", vg_ctx_errmsg(b->ctx));
        exit(1);
    }
    snprintf(key, sizeof key, "ref-%d-c", n);
    if (vg_credits_capture(&hold, b->ctx, hold.id, key) != VG_OK) {
        fprintf(stderr, "capture: %s\n", vg_ctx_errmsg(b->ctx));
        exit(1);
    }
    return now_s() - t0;
}

/* count submits of cached prompts, exact and near-duplicate in turn, in blocks that
 * alternate with as many hold + capture pairs. */
static void hit_path(bench *b, vg_cache *cache, int count, hit_result *out)
{
    double *exact = xcalloc((size_t)count, sizeof *exact);
    double *near = xcalloc((size_t)count, sizeof *near);
    double *all = xcalloc((size_t)count, sizeof *all);
    double *pairs = xcalloc((size_t)count, sizeof *pairs), t0, dt;
    int usable[SEED_COUNT], ne = 0, nn = 0, np = 0, i = 0, j, is_near;
    const char *prompt;
    char key[32];
    vg_job job;

    memset(out, 0, sizeof *out);
    if ((out->near_seeds = usable_seeds(b, cache, usable)) == 0) {
        fprintf(stderr, "no near-duplicate of a seed is a semantic hit\n");
        exit(1);
    }
    while (i < count) {
        for (j = 0; j < BLOCK && i < count; j++, i++) {
            is_near = i & 1;
            prompt = is_near ? seeds[usable[(i / 2) % out->near_seeds]][1]
                             : seeds[(i / 2) % SEED_COUNT][0];
            snprintf(key, sizeof key, "hit-%d", i);
            t0 = now_s();
            if (submit(&job, b, prompt, key) != VG_OK) {
                fprintf(stderr, "hit submit: %s\n", vg_ctx_errmsg(b->ctx));
                exit(1);
            }
            dt = now_s() - t0;
            if (job.state != VG_JOB_SUCCEEDED || !job.cache_hit || !job.charged)
                out->not_served++;
            all[i] = dt;
            if (is_near)
                near[nn++] = dt;
            else
                exact[ne++] = dt;
        }
        for (j = 0; j < BLOCK && np < count; j++, np++)
            pairs[np] = charge_pair(b, np);
    }
    out->exact_p50 = quantile(exact, ne, 0.50);
    out->exact_p99 = quantile(exact, ne, 0.99);
    out->near_p50 = quantile(near, nn, 0.50);
    out->near_p99 = quantile(near, nn, 0.99);
    out->all_p50 = quantile(all, count, 0.50);
    out->all_p99 = quantile(all, count, 0.99);
    out->pair_p50 = quantile(pairs, np, 0.50);
    out->pair_p99 = quantile(pairs, np, 0.99);
    free(exact);
    free(near);
    free(all);
    free(pairs);
}

/* What the steps of a hit cost when called alone through the public API (p50), to see
 * where a hit's time goes. The job's insert and the settled mark (two more write
 * transactions) have no public equivalent: they are in "the rest". */
static void hit_breakdown(bench *b, vg_cache *cache, int64_t some_job, const hit_result *hits)
{
    enum { ACCESS, BLOCKS, MODERATE, ENHANCE, EXACT, NEAR, JOB_GET, STEPS };
    static const char *const names[STEPS] = {
        "access check",        "block cache",        "moderation (local)", "enhancement (local)",
        "cache lookup, exact", "cache lookup, near", "read a job"};
    double *v = xcalloc(BREAKDOWN_SAMPLES, sizeof *v), p50[STEPS], t0, sum = 0;
    vg_access_request request = VG_ACCESS_REQUEST_INIT;
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    vg_cache_hit *hit = xcalloc(1, sizeof *hit);
    vg_moderation moderation;
    vg_access access;
    char text[VG_JOB_PROMPT_SIZE];
    vg_job job;
    int s, i, rc = VG_OK;

    request.service = SERVICE;
    scope.service = SERVICE;
    scope.resolution = 720;
    for (s = 0; s < STEPS; s++) {
        for (i = 0; i < BREAKDOWN_SAMPLES && rc == VG_OK; i++) {
            t0 = now_s();
            switch (s) {
            case ACCESS:
                rc = vg_access_check(&access, b->ctx, b->user, &request);
                break;
            case BLOCKS:
                rc = vg_block_get(text, sizeof text, b->ctx, seeds[0][0]);
                rc = rc == VG_ENOTFOUND ? VG_OK : rc == VG_OK ? VG_EEXISTS : rc;
                break;
            case MODERATE:
                memset(&moderation, 0, sizeof moderation);
                moderation.version = VG_MODERATION_VERSION;
                rc = vg_moderate(&moderation, b->ctx, seeds[0][0], NULL, 0, NULL, "en");
                break;
            case ENHANCE:
                rc = vg_prompt_enhance(text, sizeof text, NULL, b->ctx, seeds[0][0], "en");
                break;
            case EXACT:
            case NEAR:
                rc = vg_cache_lookup(hit, cache, &scope, seeds[0][s == NEAR], b->user);
                break;
            default:
                rc = vg_job_get(&job, b->ctx, some_job);
                break;
            }
            v[i] = now_s() - t0;
        }
        if (rc != VG_OK) {
            fprintf(stderr, "breakdown, %s: %s\n", names[s], vg_ctx_errmsg(b->ctx));
            exit(1);
        }
        p50[s] = quantile(v, BREAKDOWN_SAMPLES, 0.50);
    }
    printf("  where a hit goes (p50 of each step called alone, %d times):\n   ", BREAKDOWN_SAMPLES);
    for (s = 0; s < STEPS; s++) {
        printf(" %s %.0f us%s", names[s], p50[s] * 1e6, s == STEPS / 2 ? "\n   " : ",");
        sum += s == NEAR ? 0 : p50[s]; /* a hit is one lookup: count the exact one */
    }
    printf(" hold + capture %.0f us\n", hits->pair_p50 * 1e6);
    sum += hits->pair_p50;
    printf("    sum %.0f us; the rest of an exact hit (p50 %.0f us): %.0f us -- the request's "
           "idempotency read, the service and language reads, the job's insert and its "
           "settled mark (two write transactions)\n",
           sum * 1e6, hits->exact_p50 * 1e6, (hits->exact_p50 - sum) * 1e6);
    free(v);
    free(hit);
}

/* ---- the report ------------------------------------------------------------------------- */

static int env_count(const char *name, int fallback)
{
    const char *v = getenv(name);
    int n = v ? atoi(v) : 0;
    return n > 0 ? n : fallback;
}

int main(void)
{
    int hits = env_count("VIDGO_BENCH_HITS", 2000), misses = env_count("VIDGO_BENCH_MISSES", 300);
    miss_result lat[2], thr[2];
    reference ref_lat[2], ref_thr[2];
    hit_result hr;
    vg_cache *cache = NULL;
    vg_cache_stats stats;
    bench_fake_counts counts;
    double bare_s;
    char cmd[128];
    bench b;
    int w;

    memset(&b, 0, sizeof b);
    unsetenv("VIDGO_PROVIDER_MODE"); /* AUTO, as configured: Leonardo keyed, the rest local */
    snprintf(b.dir, sizeof b.dir, "/tmp/vg-bench-pipeline-XXXXXX");
    if (!mkdtemp(b.dir) || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return 1;
    pthread_mutex_init(&b.lock, NULL);
    pthread_cond_init(&b.wake, NULL);
    pthread_cond_init(&b.done, NULL);
    if (bench_fake_start(&b.fake) != 0) {
        perror("the loopback fake");
        return 1;
    }
    open_all(&b);
    printf("store: SQLite with VG_OPEN_SYNC_NORMAL in %s | moderation, enhancement and the "
           "embedder: local (no Gemini) | Leonardo: a C fake on %s (keep-alive; a create "
           "answers a job id, its first poll COMPLETE) | max_poll_ms = 1\n",
           b.dir, bench_fake_url(b.fake));

    seed_cache(&b);
    miss_latency(&b, 1, 50, &lat[0]); /* warm-up: caches, the WAL file, connections */
    for (w = 0; w < 2; w++) {
        measure_reference(&b, &ref_lat[w], 1000);
        miss_latency(&b, w + 1, misses, &lat[w]);
    }
    for (w = 0; w < 2; w++) {
        measure_reference(&b, &ref_thr[w], 1000);
        miss_throughput(&b, w + 1, misses, &thr[w]);
    }

    printf("\nreference: the fake alone, one kept-alive libcurl handle per client thread, "
           "measured just before each run below\n");
    printf("miss path, one job at a time, %d jobs: submit -> final and charged (submit, "
           "create, poll, capture, cache put); library overhead = latency - the bare round "
           "trips\n",
           misses);
    for (w = 0; w < 2; w++) {
        bare_s = lat[w].creates_per_job * ref_lat[w].create_p50 +
                 lat[w].polls_per_job * ref_lat[w].poll_p50;
        printf("  %d worker%s: p50 %.2f ms  p99 %.2f ms | bare create p50 %.0f us  p99 %.0f "
               "us, poll p50 %.0f us  p99 %.0f us | %.2f creates + %.2f polls per job = %.0f us "
               "| library overhead p50 %.2f ms | submit alone p50 %.2f ms\n",
               w + 1, w ? "s" : " ", lat[w].p50 * 1e3, lat[w].p99 * 1e3,
               ref_lat[w].create_p50 * 1e6, ref_lat[w].create_p99 * 1e6, ref_lat[w].poll_p50 * 1e6,
               ref_lat[w].poll_p99 * 1e6, lat[w].creates_per_job, lat[w].polls_per_job,
               bare_s * 1e6, (lat[w].p50 - bare_s) * 1e3, lat[w].submit_p50 * 1e3);
    }
    printf("miss path, a backlog of %d queued jobs drained (the workers' time; the submits "
           "came first):\n",
           misses);
    for (w = 0; w < 2; w++)
        printf("  %d worker%s: %.0f jobs/s | bare create + poll pairs/s with %d client "
               "thread%s %.0f | ratio %.3f | %.2f ms of worker time per job\n",
               w + 1, w ? "s" : " ", thr[w].jobs_per_s, w + 1, w ? "s" : " ",
               ref_thr[w].pairs_per_s[w], thr[w].jobs_per_s / ref_thr[w].pairs_per_s[w],
               (w + 1) / thr[w].jobs_per_s * 1e3);
    printf("  waits before a poll skipped on the context's clock: %ld, %ld, %ld, %ld (Leonardo "
           "advises 10 s before a video's first poll; only the library's work and the round "
           "trips are timed)\n",
           lat[0].skips, lat[1].skips, thr[0].skips, thr[1].skips);

    if (vg_cache_open(&cache, b.ctx, NULL) != VG_OK) {
        fprintf(stderr, "vg_cache_open: %s\n", vg_ctx_errmsg(b.ctx));
        return 1;
    }
    memset(&stats, 0, sizeof stats);
    vg_cache_stats_get(&stats, cache);
    printf("  the cache counted %lld misses for the %d submits that missed\n",
           (long long)stats.misses, b.missed);
    hit_path(&b, cache, hits, &hr);
    vg_cache_stats_get(&stats, cache);
    printf("\nhit path, %d submits served from the cache at once (exact and near-duplicate "
           "in turn; %d near-duplicate seeds; %lld entries in the cache), in blocks of %d "
           "alternating with %d hold + capture pairs:\n",
           hits, hr.near_seeds, (long long)stats.entries, BLOCK, hits);
    printf("  exact p50 %.0f us  p99 %.0f us | near-duplicate p50 %.0f us  p99 %.0f us | "
           "all p50 %.0f us  p99 %.0f us%s\n",
           hr.exact_p50 * 1e6, hr.exact_p99 * 1e6, hr.near_p50 * 1e6, hr.near_p99 * 1e6,
           hr.all_p50 * 1e6, hr.all_p99 * 1e6, hr.not_served ? " | SOME NOT SERVED" : "");
    printf("  reference: hold + capture, the wallet work a hit does too: p50 %.0f us  p99 %.0f "
           "us | a hit costs %.2fx that (+%.0f us)\n",
           hr.pair_p50 * 1e6, hr.pair_p99 * 1e6, hr.all_p50 / hr.pair_p50,
           (hr.all_p50 - hr.pair_p50) * 1e6);
    printf("  target: library overhead p50 under 1 ms on the hit path with the local embedder: "
           "%.2f ms -- %s\n",
           hr.all_p50 * 1e3, hr.all_p50 < 1e-3 ? "met" : "NOT met");
    hit_breakdown(&b, cache, b.seed_job, &hr);

    bench_fake_counts_get(&counts, b.fake);
    printf("\nthe fake served %ld creates, %ld polls, %ld other requests\n", counts.creates,
           counts.polls, counts.others);
    vg_cache_close(cache);
    vg_generator_close(b.gen);
    vg_close(b.ctx);
    bench_fake_stop(b.fake);
    curl_global_cleanup();
    pthread_cond_destroy(&b.wake);
    pthread_cond_destroy(&b.done);
    pthread_mutex_destroy(&b.lock);
    if (counts.others || hr.not_served)
        return 1;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", b.dir);
    return system(cmd) == 0 ? 0 : 1;
}
