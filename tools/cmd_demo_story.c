/* SPDX-License-Identifier: MIT */
/* The story `vidgo demo` tells, one function a step: Ana signs up, subscribes to Starter,
 * orders a product-ad video, watches it made, pays once, gets a near-duplicate from the
 * cache, reads her ledger; then a blocked prompt, a demo user, a cancel, and vg_check. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd_demo.h"

#define ANA "ana@demo.vidgo"
#define ANA_PASSWORD "a long demo password"
#define MEI "mei@demo.vidgo"
#define SERVICE "video_720p"
#define PROMPT "A red sneaker spinning on a white table, studio light"
#define PROMPT_AGAIN "a red sneaker spinning on a white table with studio light"
#define PROMPT_MEI "Red sneaker spinning on a white table, studio lighting"
#define PROMPT_BLUE "A blue sneaker spinning on a white table, studio light"
#define PROMPT_JA "拳銃を持ったモデルが新作スニーカーを紹介する動画"
#define PROMPT_CANCEL "A glass perfume bottle on black velvet, slow camera orbit"
#define WORKER_TIMEOUT_MS 30000

/* ---- helpers ------------------------------------------------------------------------------ */

static void add_job(demo *d, const vg_job *j)
{
    cJSON_AddItemToObject(d->step, "job", cli_job_json(j));
}

static void add_balance(demo *d, const char *name, const vg_balance *b)
{
    cJSON *o = cJSON_AddObjectToObject(d->step, name);
    cJSON_AddNumberToObject(o, "total", (double)b->total);
    cJSON_AddNumberToObject(o, "held", (double)b->held);
    cJSON_AddNumberToObject(o, "available", (double)b->available);
    cJSON_AddNumberToObject(o, "free_uses", b->free_uses);
}

/* Submits one of the story's requests. */
static int submit(vg_job *out, demo *d, int64_t user, const char *prompt, const char *lang,
                  const char *key)
{
    vg_generate_request r = VG_GENERATE_REQUEST_INIT;
    r.user_id = user;
    r.service = SERVICE;
    r.prompt = prompt;
    r.lang = lang;
    r.idempotency_key = key;
    return vg_generate_submit(out, d->generator, &r);
}

/* The story expects the job in `state`: VG_OK, else why not. */
static int expect_state(demo *d, const vg_job *j, vg_job_state state)
{
    if (j->state == state)
        return VG_OK;
    return demo_unexpected(d, "job %lld is %s (%s%s%s), the story expects %s", (long long)j->id,
                           vg_job_state_name(j->state), j->error ? vg_error_name(j->error) : "",
                           j->message[0] ? ": " : "", j->message, vg_job_state_name(state));
}

/* The path of a "file://" URL, percent-decoded. */
static void file_of(char *out, size_t size, const char *url)
{
    size_t n = 0;
    unsigned int c;
    const char *p = strncmp(url, "file://", 7) == 0 ? url + 7 : url;
    for (; *p && n + 1 < size; p++, n++)
        if (*p == '%' && sscanf(p + 1, "%2x", &c) == 1) {
            out[n] = (char)c;
            p += 2;
        } else {
            out[n] = *p;
        }
    out[n] = '\0';
}

/* ---- Ana signs up and subscribes ------------------------------------------------------------- */

static int step_register(demo *d)
{
    int rc = vg_account_register(&d->ana, d->ctx, ANA, ANA_PASSWORD, "en", "demo");
    if (rc != VG_OK)
        return rc;
    if (!d->mailbox[0])
        return demo_unexpected(d, "no code reached the demo's in-memory mailbox");
    cJSON_AddNumberToObject(d->step, "user_id", (double)d->ana);
    cJSON_AddStringToObject(d->step, "email", ANA);
    cJSON_AddStringToObject(d->step, "code", d->mailbox);
    demo_say(d,
             "user %lld, demo plan, not verified; the code e-mailed to %s is %s "
             "(caught in memory and printed, not mailed)",
             (long long)d->ana, ANA, d->mailbox);
    return VG_OK;
}

static int step_verify(demo *d)
{
    vg_user u;
    int rc = vg_account_verify(d->ctx, ANA, d->mailbox);
    if (rc == VG_OK)
        rc = vg_user_get(&u, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    if (!u.verified)
        return demo_unexpected(d, "the code was taken but %s is not verified", ANA);
    cJSON_AddBoolToObject(d->step, "verified", 1);
    demo_say(d, "verified: %s may sign in", ANA);
    return VG_OK;
}

static int step_sign_in(demo *d)
{
    vg_session s;
    int rc = vg_account_login(&s, d->ctx, ANA, ANA_PASSWORD, "demo");
    if (rc != VG_OK)
        return rc;
    cJSON_AddNumberToObject(d->step, "session_id", (double)s.session_id);
    demo_say(d, "session %lld: a %lld-minute access token (HS256 JWT) and a refresh token",
             (long long)s.session_id,
             (long long)((s.access_expires_at - vg_ctx_now(d->ctx) + 30000000) / 60000000));
    return VG_OK;
}

static int step_plan(demo *d)
{
    vg_plan plan;
    int rc = vg_credits_change_plan(&d->before, d->ctx, d->ana, "starter", "demo-ana-starter");
    if (rc == VG_OK)
        rc = vg_plan_get(&plan, d->ctx, "starter");
    if (rc != VG_OK)
        return rc;
    if (d->before.total != plan.weekly_credits)
        return demo_unexpected(d, "the Starter wallet holds %lld credits, not %d",
                               (long long)d->before.total, plan.weekly_credits);
    add_balance(d, "balance", &d->before);
    demo_say(d, "plan starter: %d credits every Monday; balance %lld", plan.weekly_credits,
             (long long)d->before.total);
    return VG_OK;
}

/* ---- her video: submit, the worker, the result, the price ------------------------------------ */

static int step_submit(demo *d)
{
    vg_balance b;
    int rc = submit(&d->video, d, d->ana, PROMPT, NULL, "demo-ana-video-1");
    if (rc == VG_OK && (rc = expect_state(d, &d->video, VG_JOB_QUEUED)) == VG_OK)
        rc = vg_credits_balance(&b, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    add_job(d, &d->video);
    add_balance(d, "balance", &b);
    demo_note(d, "enhanced for the provider: \"%.110s%s\"", d->video.enhanced_prompt,
              strlen(d->video.enhanced_prompt) > 110 ? "..." : "");
    demo_say(d, "job %lld queued at once; %d credits held (balance %lld, held %lld)",
             (long long)d->video.id, d->video.price, (long long)b.total, (long long)b.held);
    return VG_OK;
}

typedef struct worker_thread {
    vg_worker *worker;
    pthread_t thread;
    int rc;
} worker_thread;

static void *worker_main(void *payload)
{
    worker_thread *t = payload;
    t->rc = vg_worker_run(t->worker, 20, 0);
    return NULL;
}

/* Shows each change of ana's video on one line as it comes: a state's name, its percents.
 * Called on the worker's thread while the demo's thread waits for the video. */
void demo_on_event(const vg_job *job, void *payload)
{
    demo *d = payload;
    cJSON *o;

    if (!d->watching || job->id != d->video.id ||
        ((int)job->state == d->last_state && job->percent == d->last_percent))
        return;
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "state", vg_job_state_name(job->state));
    cJSON_AddNumberToObject(o, "percent", job->percent);
    cJSON_AddItemToArray(d->progress, o);
    if (!d->cli->json && (int)job->state != d->last_state)
        printf("%s%s", d->last_state < 0 ? "        .. " : ", ", vg_job_state_name(job->state));
    if (!d->cli->json && job->percent >= 0 && job->state < VG_JOB_SUCCEEDED)
        printf(" %d%%", job->percent);
    fflush(stdout);
    d->last_state = (int)job->state;
    d->last_percent = job->percent;
}

static int step_worker(demo *d)
{
    worker_thread t = {NULL, 0, VG_OK};
    struct timespec t0, t1;
    vg_job done;
    int rc;

    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((rc = vg_worker_new(&t.worker, d->generator, "demo-worker")) != VG_OK)
        return rc;
    d->progress = cJSON_AddArrayToObject(d->step, "progress");
    d->last_state = d->last_percent = -1;
    d->watching = 1;
    demo_on_event(&d->video, d);
    if (pthread_create(&t.thread, NULL, worker_main, &t) != 0) {
        d->watching = 0;
        vg_worker_free(t.worker);
        return demo_unexpected(d, "cannot start the worker's thread");
    }
    /* into `done`: the worker's thread reads d->video.id until it is joined */
    rc = vg_job_wait(&done, d->ctx, d->video.id, WORKER_TIMEOUT_MS);
    vg_worker_stop(t.worker);
    pthread_join(t.thread, NULL);
    vg_worker_free(t.worker);
    d->watching = 0;
    if (rc == VG_OK || rc == VG_ETIMEOUT)
        d->video = done;
    if (!d->cli->json)
        printf("\n");
    if (rc == VG_ETIMEOUT)
        return demo_unexpected(d, "job %lld still %s after %d s", (long long)d->video.id,
                               vg_job_state_name(d->video.state), WORKER_TIMEOUT_MS / 1000);
    if (rc == VG_OK)
        rc = t.rc;
    if (rc == VG_OK)
        rc = expect_state(d, &d->video, VG_JOB_SUCCEEDED);
    if (rc != VG_OK)
        return rc;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    add_job(d, &d->video);
    demo_say(d, "job %lld succeeded in %.1f s (%d provider submission%s)", (long long)d->video.id,
             (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
             d->video.attempts, d->video.attempts == 1 ? "" : "s");
    return VG_OK;
}

static int step_result(demo *d)
{
    const vg_job *j = &d->video;
    char path[4096];
    struct stat st;

    file_of(path, sizeof path, j->result_url);
    if (strcmp(j->media_type, "video") != 0 || !j->placeholder || stat(path, &st) != 0)
        return demo_unexpected(d, "expected an offline placeholder video on disk, got %s %s",
                               j->media_type, j->result_url);
    cJSON_AddStringToObject(d->step, "path", path);
    cJSON_AddNumberToObject(d->step, "bytes", (double)st.st_size);
    demo_say(d, "a %dx%d, %d s video, an offline placeholder (animated GIF, %lld bytes): %s",
             j->width, j->height, j->result_duration_s, (long long)st.st_size, path);
    return VG_OK;
}

static int step_charged(demo *d)
{
    vg_balance after;
    int rc = vg_credits_balance(&after, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    if (!d->video.charged || d->before.total - after.total != d->video.price || after.held != 0)
        return demo_unexpected(d, "balance %lld -> %lld (held %lld) for a price of %d",
                               (long long)d->before.total, (long long)after.total,
                               (long long)after.held, d->video.price);
    cJSON_AddNumberToObject(d->step, "charged", d->video.price);
    add_balance(d, "balance", &after);
    demo_say(d, "charged %d credits, once: balance %lld -> %lld", d->video.price,
             (long long)d->before.total, (long long)after.total);
    d->before = after;
    return VG_OK;
}

static int step_cache(demo *d)
{
    vg_balance after;
    vg_job j;
    int rc = submit(&j, d, d->ana, PROMPT_AGAIN, NULL, "demo-ana-video-2");
    if (rc == VG_OK && (rc = expect_state(d, &j, VG_JOB_SUCCEEDED)) == VG_OK)
        rc = vg_credits_balance(&after, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    add_job(d, &j);
    if (!j.cache_hit || j.api_cost_micro_usd != 0 || strcmp(j.result_url, d->video.result_url) != 0)
        return demo_unexpected(d, "job %lld was not served from the cache", (long long)j.id);
    demo_say(d,
             "job %lld served from the cache at once (similarity %.2f): the same video, no "
             "provider call, no provider cost; charged %d: balance %lld -> %lld",
             (long long)j.id, j.similarity, j.price, (long long)d->before.total,
             (long long)after.total);
    d->before = after;
    return VG_OK;
}

/* ---- her ledger ------------------------------------------------------------------------------ */

static int collect_row(const vg_ledger_entry *e, void *payload)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)e->seq);
    cJSON_AddStringToObject(o, "type", vg_ledger_type_name(e->type));
    cJSON_AddNumberToObject(o, "amount", (double)e->amount);
    cJSON_AddNumberToObject(o, "total_after", (double)e->total_after);
    cJSON_AddStringToObject(o, "service", e->service);
    cJSON_AddStringToObject(o, "reference", e->reference);
    cJSON_InsertItemInArray(payload, 0, o); /* the rows come newest first */
    return 0;
}

static int step_ledger(demo *d)
{
    cJSON *rows = cJSON_AddArrayToObject(d->step, "ledger"), *r;
    int rc = vg_credits_history(d->ctx, d->ana, 0, 100, collect_row, rows);
    if (rc != VG_OK)
        return rc;
    demo_note(d, "%4s  %-12s %7s %6s  %-11s %s", "row", "type", "amount", "total", "service",
              "reference");
    for (r = rows->child; r; r = r->next)
        demo_note(d, "%4d  %-12s %+7d %6d  %-11s %s", cJSON_GetObjectItem(r, "seq")->valueint,
                  cJSON_GetObjectItem(r, "type")->valuestring,
                  cJSON_GetObjectItem(r, "amount")->valueint,
                  cJSON_GetObjectItem(r, "total_after")->valueint,
                  cJSON_GetObjectItem(r, "service")->valuestring,
                  cJSON_GetObjectItem(r, "reference")->valuestring);
    r = cJSON_GetArrayItem(rows, cJSON_GetArraySize(rows) - 1);
    if (!r || cJSON_GetObjectItem(r, "total_after")->valuedouble != (double)d->before.total)
        return demo_unexpected(d, "the ledger does not end at the balance %lld",
                               (long long)d->before.total);
    demo_say(d, "%d rows, hash-chained; the last one agrees with the balance, %lld",
             cJSON_GetArraySize(rows), (long long)d->before.total);
    return VG_OK;
}

/* ---- the other stories, short ---------------------------------------------------------------- */

static int step_blocked(demo *d)
{
    vg_balance after;
    vg_job j;
    int rc = submit(&j, d, d->ana, PROMPT_JA, "ja", "demo-ana-blocked");
    if (rc == VG_OK && (rc = expect_state(d, &j, VG_JOB_FAILED)) == VG_OK)
        rc = vg_credits_balance(&after, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    add_job(d, &j);
    if (j.error != VG_EMODERATION_BLOCKED || j.charged || after.total != d->before.total ||
        after.held != 0)
        return demo_unexpected(d, "job %lld: %s, charged %d, balance %lld (held %lld)",
                               (long long)j.id, vg_error_name(j.error), j.charged,
                               (long long)after.total, (long long)after.held);
    demo_say(d, "blocked (%s): \"%s\"; nothing charged (balance %lld)", vg_error_name(j.error),
             j.message, (long long)after.total);
    return VG_OK;
}

static int step_demo_hit(demo *d)
{
    vg_job j;
    int rc = vg_user_add_verified(&d->mei, d->ctx, MEI, "demo");
    if (rc == VG_OK && (rc = submit(&j, d, d->mei, PROMPT_MEI, NULL, "demo-mei-1")) == VG_OK)
        rc = expect_state(d, &j, VG_JOB_SUCCEEDED);
    if (rc != VG_OK)
        return rc;
    add_job(d, &j);
    if (!j.cache_hit || !j.watermark || !j.free_use)
        return demo_unexpected(d, "job %lld: cache hit %d, watermark %d, free use %d",
                               (long long)j.id, j.cache_hit, j.watermark, j.free_use);
    demo_say(d,
             "served from the cache (similarity %.2f) for one of her 2 free uses, with "
             "watermark = 1: the host must show it with the VidGo watermark",
             j.similarity);
    return VG_OK;
}

static int step_demo_miss(demo *d)
{
    vg_balance b;
    vg_job j;
    int rc = submit(&j, d, d->mei, PROMPT_BLUE, NULL, "demo-mei-2");
    if (rc == VG_OK && (rc = expect_state(d, &j, VG_JOB_FAILED)) == VG_OK)
        rc = vg_credits_balance(&b, d->ctx, d->mei);
    if (rc != VG_OK)
        return rc;
    add_job(d, &j);
    if (j.charged || j.cache_hit || b.free_uses != 1)
        return demo_unexpected(d, "job %lld: charged %d, %d free uses left", (long long)j.id,
                               j.charged, b.free_uses);
    demo_say(d,
             "not in the cache (a blue one was never made): %s, \"%s\"; nothing charged, "
             "%d free use left",
             vg_error_name(j.error), j.message, b.free_uses);
    return VG_OK;
}

static int step_cancel(demo *d)
{
    vg_balance held, after;
    vg_job j;
    int rc = submit(&j, d, d->ana, PROMPT_CANCEL, NULL, "demo-ana-cancel");
    if (rc == VG_OK && (rc = expect_state(d, &j, VG_JOB_QUEUED)) == VG_OK &&
        (rc = vg_credits_balance(&held, d->ctx, d->ana)) == VG_OK &&
        (rc = vg_job_cancel(&j, d->generator, j.id, d->ana)) == VG_OK &&
        (rc = expect_state(d, &j, VG_JOB_CANCELLED)) == VG_OK)
        rc = vg_credits_balance(&after, d->ctx, d->ana);
    if (rc != VG_OK)
        return rc;
    add_job(d, &j);
    if (held.held != j.price || after.held != 0 || after.total != d->before.total)
        return demo_unexpected(d, "held %lld, then %lld; balance %lld", (long long)held.held,
                               (long long)after.held, (long long)after.total);
    demo_say(d,
             "job %lld queued with %lld credits held, then cancelled: the hold is released "
             "(balance %lld, held %lld)",
             (long long)j.id, (long long)held.held, (long long)after.total, (long long)after.held);
    return VG_OK;
}

static void note_problem(const char *check, const char *subject, const char *detail, void *payload)
{
    demo_note(payload, "problem: %s: %s: %s", check, subject, detail);
}

static int step_check(demo *d)
{
    size_t problems = 0;
    int rc = vg_check(&problems, d->ctx, note_problem, d);
    cJSON_AddNumberToObject(d->step, "problem_count", (double)problems);
    if (rc == VG_EINVARIANT)
        return demo_unexpected(d, "%zu problems (run vidgo check)", problems);
    if (rc != VG_OK)
        return rc;
    demo_say(d, "every wallet's ledger verifies; every job charged exactly once");
    return VG_OK;
}

const demo_step demo_story[] = {
    {"register", "ana", "signs up with her e-mail address and a password", step_register},
    {"verify", "ana", "types the code from the e-mail", step_verify},
    {"sign_in", "ana", "signs in", step_sign_in},
    {"plan", "ana", "subscribes to the Starter plan", step_plan},
    {"submit", "ana", "asks for a 720p video: \"" PROMPT "\"", step_submit},
    {"worker", "worker", "a worker (a thread here) has the `local` provider make it", step_worker},
    {"result", "ana", "gets her video", step_result},
    {"charged", "ana", "pays for it", step_charged},
    {"cache", "ana", "asks again in other words: \"" PROMPT_AGAIN "\"", step_cache},
    {"ledger", "ana", "reads her wallet's ledger", step_ledger},
    {"blocked", "ana", "asks in Japanese for a model holding a handgun: \"" PROMPT_JA "\"",
     step_blocked},
    {"demo_hit", "mei", "on the demo plan, asks for \"" PROMPT_MEI "\"", step_demo_hit},
    {"demo_miss", "mei", "... and for \"" PROMPT_BLUE "\"", step_demo_miss},
    {"cancel", "ana", "orders \"" PROMPT_CANCEL "\", then cancels it", step_cancel},
    {"check", "vidgo", "checks the whole store (vg_check)", step_check},
};

const size_t demo_story_length = sizeof demo_story / sizeof demo_story[0];
