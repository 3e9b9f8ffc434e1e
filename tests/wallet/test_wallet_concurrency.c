/* SPDX-License-Identifier: MIT */
/* Several processes of two threads each hold, capture and release on the same wallet at once:
 * no overdraft, every acknowledged capture in the ledger exactly once, every process served.
 * Two processes on SQLite, four on PostgreSQL ($VIDGO_TEST_PROCESSES overrides). */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "test_support.h"

#define MAX_PROCS 16
#define THREADS 2
#define RUN_MS 3000          /* how long the workers run... */
#define MAX_RUN_MS 8000      /* ...or longer, until some hold was refused */
#define MAX_OPEN 4           /* holds a worker keeps open at once */
#define STARTER_WEEKLY 25    /* DESIGN.md §4 */
#define MAX_CAPTURES 200000

/* Services a worker picks from, with their documented prices (DESIGN.md §4). */
static const struct {
    const char *name;
    int64_t price;
} services[] = {
    {"image_512", 2}, {"image_1024", 3}, {"video_720p", 5}, {"video_1080p", 8}, {"video_4k", 12},
};
#define SERVICE_COUNT (sizeof services / sizeof services[0])

static char ack_dir[] = "/tmp/vg-concurrency-XXXXXX"; /* the workers' acknowledgements */
static char store_location[512];                     /* the store, on the target under test */
static int procs;                                    /* processes sharing the wallet */
static vg_time fixed_now; /* a Wednesday noon: no weekly reset, no expiry during the run */

/* Refused holds of all workers, in memory the processes share. */
static long *shared_refusals;

static vg_ctx *open_store(void)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    test_config_init(&config, store_location);
    config.clock = test_fake_clock;
    config.clock_payload = &fixed_now;
    config.log_level = VG_LOG_NONE;
    return vg_open(&ctx, &config) == VG_OK ? ctx : NULL;
}

/* Processes sharing the wallet: $VIDGO_TEST_PROCESSES, else four on a server database (as
 * the PostgreSQL backend must be exercised) and two on SQLite, whose writers take turns on
 * one file lock anyway. */
static int process_count(const store_target *target)
{
    const char *text = getenv("VIDGO_TEST_PROCESSES");
    char *end;
    long n;
    if (!text || !*text)
        return strcmp(target->name, "sqlite") == 0 ? 2 : 4;
    n = strtol(text, &end, 10);
    if (*end || n < 2 || n > MAX_PROCS)
        fail_msg("VIDGO_TEST_PROCESSES=%s: expected 2 to %d", text, MAX_PROCS);
    return (int)n;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static int64_t monotonic_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void ack_path(char *buf, size_t size, int proc, int thread)
{
    snprintf(buf, size, "%s/acks-p%d-t%d.txt", ack_dir, proc, thread);
}

/* --- the workers (in the child processes: no cmocka here, failures end the worker) -------- */

typedef struct worker {
    vg_ctx *ctx;
    int64_t user_id;
    int proc, thread;
    uint64_t rng;
    int fd;                          /* acknowledged captures go here */
    int64_t open[MAX_OPEN];
    int open_count;
    int64_t started_ms;
    /* what it did */
    long holds, refused, captures, releases, calls;
    int64_t captured;
    int64_t dry_ms;                  /* when it saw the first hold refused; 0 if never */
    char error[512];
} worker;

static int worker_fail(worker *w, const char *what, int rc)
{
    snprintf(w->error, sizeof w->error, "p%d-t%d: %s: %s (%s)", w->proc, w->thread, what,
             vg_error_name(rc), vg_error_last());
    return -1;
}

/* No bucket may go below zero, whoever else is spending. */
static int balance_sound(worker *w, const vg_balance *b)
{
    if (b->subscription < 0 || b->purchased < 0 || b->bonus < 0 || b->held < 0 ||
        b->available != b->subscription + b->purchased + b->bonus || b->available < 0 ||
        b->total != b->available + b->held) {
        snprintf(w->error, sizeof w->error,
                 "p%d-t%d: overdraft: subscription %lld purchased %lld bonus %lld held %lld "
                 "available %lld total %lld", w->proc, w->thread, (long long)b->subscription,
                 (long long)b->purchased, (long long)b->bonus, (long long)b->held,
                 (long long)b->available, (long long)b->total);
        return 0;
    }
    return 1;
}

static int place_hold(worker *w, long n)
{
    size_t pick = next_random(&w->rng) % SERVICE_COUNT;
    char key[64];
    vg_hold hold;
    int rc;

    snprintf(key, sizeof key, "p%d-t%d-%ld-hold", w->proc, w->thread, n);
    rc = vg_credits_hold(&hold, w->ctx, w->user_id, services[pick].name, key, key);
    w->calls++;
    if (rc == VG_EINSUFFICIENT_CREDITS) {
        if (w->refused++ == 0)
            w->dry_ms = monotonic_ms() - w->started_ms;
        __atomic_add_fetch(shared_refusals, 1, __ATOMIC_RELAXED);
        return balance_sound(w, &hold.balance) && hold.balance.available < services[pick].price
                   ? 0
                   : worker_fail(w, "refused although enough credits were free", rc);
    }
    if (rc != VG_OK)
        return worker_fail(w, key, rc);
    if (hold.price != services[pick].price)
        return worker_fail(w, "the hold has the wrong price", VG_ERROR);
    w->holds++;
    w->open[w->open_count++] = hold.id;
    return balance_sound(w, &hold.balance) ? 0 : -1;
}

/* Captures or releases the open hold at index i. */
static int settle_hold(worker *w, int i, int capture, long n)
{
    char key[64], line[96];
    vg_hold hold;
    int64_t id = w->open[i];
    int rc, len;

    snprintf(key, sizeof key, "p%d-t%d-%ld-%s", w->proc, w->thread, n,
             capture ? "capture" : "release");
    rc = capture ? vg_credits_capture(&hold, w->ctx, id, key)
                 : vg_credits_release(&hold, w->ctx, id, key);
    w->calls++;
    if (rc != VG_OK)
        return worker_fail(w, key, rc);
    w->open[i] = w->open[--w->open_count];
    if (!balance_sound(w, &hold.balance))
        return -1;
    if (!capture) {
        w->releases++;
        return 0;
    }
    w->captures++;
    w->captured += hold.price;
    len = snprintf(line, sizeof line, "capture %lld %lld\n", (long long)id, (long long)hold.price);
    if (write(w->fd, line, (size_t)len) != len)
        return worker_fail(w, "cannot write an acknowledgement", VG_EIO);
    return 0;
}

/* Runs for RUN_MS, and on while no worker has seen a hold refused (up to MAX_RUN_MS). */
static int time_left(const worker *w)
{
    int64_t elapsed = monotonic_ms() - w->started_ms;
    return elapsed < RUN_MS ||
           (elapsed < MAX_RUN_MS && __atomic_load_n(shared_refusals, __ATOMIC_RELAXED) == 0);
}

static void *work(void *payload)
{
    worker *w = payload;
    long n = 0;
    int rc = 0;

    while (rc == 0 && time_left(w)) {
        n++;
        if (w->open_count == 0 || (w->open_count < MAX_OPEN && next_random(&w->rng) % 100 < 55))
            rc = place_hold(w, n);
        else
            rc = settle_hold(w, (int)(next_random(&w->rng) % (uint64_t)w->open_count),
                             next_random(&w->rng) % 2 == 0, n);
    }
    while (rc == 0 && w->open_count > 0) /* time is up: settle what is left */
        rc = settle_hold(w, w->open_count - 1, next_random(&w->rng) % 2 == 0, ++n);
    return NULL;
}

/* One child process: its own context, THREADS workers, a stats line per worker. */
static int run_process(int proc, int64_t user_id, uint64_t seed, int ready_fd, int go_fd)
{
    worker workers[THREADS];
    pthread_t threads[THREADS];
    char path[700], line[256], go;
    int i, failed = 0, len;
    vg_ctx *ctx = open_store();

    if (!ctx) {
        fprintf(stderr, "p%d: cannot open the store: %s\n", proc, vg_error_last());
        return 2;
    }
    if (write(ready_fd, "r", 1) != 1 || read(go_fd, &go, 1) != 1)
        return 2;
    for (i = 0; i < THREADS; i++) {
        worker *w = &workers[i];
        memset(w, 0, sizeof *w);
        w->ctx = ctx;
        w->user_id = user_id;
        w->proc = proc;
        w->thread = i;
        w->rng = seed ^ (UINT64_C(0x9e3779b97f4a7c15) * (uint64_t)(proc * THREADS + i + 1));
        w->started_ms = monotonic_ms();
        ack_path(path, sizeof path, proc, i);
        w->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
        if (w->fd < 0 || pthread_create(&threads[i], NULL, work, w) != 0)
            return 2;
    }
    for (i = 0; i < THREADS; i++) {
        worker *w = &workers[i];
        pthread_join(threads[i], NULL);
        if (w->error[0]) {
            fprintf(stderr, "%s\n", w->error);
            failed = 1;
        }
        len = snprintf(line, sizeof line, "stats %ld %ld %ld %ld %ld %lld %lld\n", w->calls,
                       w->holds, w->refused, w->captures, w->releases, (long long)w->captured,
                       (long long)w->dry_ms);
        if (write(w->fd, line, (size_t)len) != len)
            failed = 1;
        close(w->fd);
    }
    vg_close(ctx);
    return failed;
}

/* --- the parent --------------------------------------------------------------------------- */

typedef struct capture_ack {
    int64_t hold_id, price;
} capture_ack;

typedef struct results {
    capture_ack acks[MAX_CAPTURES];
    size_t ack_count;
    long calls[MAX_PROCS], holds[MAX_PROCS], refused[MAX_PROCS], captures[MAX_PROCS],
        releases[MAX_PROCS];
    int64_t captured;
    int64_t dry_ms; /* when the first worker saw a hold refused */
    /* from the ledger */
    capture_ack debits[MAX_CAPTURES];
    size_t debit_count;
} results;

static int by_hold_id(const void *a, const void *b)
{
    const capture_ack *x = a, *y = b;
    return x->hold_id < y->hold_id ? -1 : x->hold_id > y->hold_id;
}

static void read_acks(results *r, int proc, int thread)
{
    char path[700], line[256];
    long long a, b, dry;
    long calls, holds, refused, captures, releases;
    int stats = 0;
    FILE *f;

    ack_path(path, sizeof path, proc, thread);
    f = fopen(path, "r");
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, "capture %lld %lld", &a, &b) == 2) {
            assert_true(r->ack_count < MAX_CAPTURES);
            r->acks[r->ack_count].hold_id = a;
            r->acks[r->ack_count++].price = b;
            r->captured += b;
        } else if (sscanf(line, "stats %ld %ld %ld %ld %ld %lld %lld", &calls, &holds,
                          &refused, &captures, &releases, &a, &dry) == 7) {
            if (dry > 0 && (r->dry_ms == 0 || dry < r->dry_ms))
                r->dry_ms = dry;
            r->calls[proc] += calls;
            r->holds[proc] += holds;
            r->refused[proc] += refused;
            r->captures[proc] += captures;
            r->releases[proc] += releases;
            stats = 1;
        } else {
            fail_msg("%s: unexpected line %s", path, line);
        }
    }
    fclose(f);
    if (!stats)
        fail_msg("%s has no stats line", path);
}

static int collect_debit(const vg_ledger_entry *e, void *payload)
{
    results *r = payload;
    if (e->type == VG_LEDGER_DEBIT) {
        if (r->debit_count == MAX_CAPTURES)
            return 1;
        r->debits[r->debit_count].hold_id = e->hold_id;
        r->debits[r->debit_count++].price = -e->amount;
    }
    return 0;
}

/* Walks the whole ledger of a user, newest first, collecting its DEBIT rows. */
static void read_debits(results *r, vg_ctx *ctx, int64_t user_id, int64_t last_seq)
{
    int64_t before = last_seq + 1;
    while (before > 1) {
        assert_int_equal(vg_credits_history(ctx, user_id, before, 1000, collect_debit, r), VG_OK);
        before -= 1000;
    }
}

/* Single-threaded hold+capture calls per second on this machine and build, to size the grant
 * so that the wallet runs dry during the run (and holds are refused) but not at once. */
static double calibrate(vg_ctx *ctx)
{
    int64_t user, started, n = 0;
    char key[64];
    vg_hold hold;

    assert_int_equal(vg_user_add_verified(&user, ctx, "calibration@example.com", "starter"),
                     VG_OK);
    assert_int_equal(vg_credits_grant(NULL, ctx, user, VG_CREDIT_PURCHASED, 1000000, 0, NULL,
                                      "calibration-grant"), VG_OK);
    started = monotonic_ms();
    while (monotonic_ms() - started < 300) {
        snprintf(key, sizeof key, "calibrate-%lld-hold", (long long)n);
        assert_int_equal(vg_credits_hold(&hold, ctx, user, "image_512", NULL, key), VG_OK);
        snprintf(key, sizeof key, "calibrate-%lld-capture", (long long)n++);
        assert_int_equal(vg_credits_capture(&hold, ctx, hold.id, key), VG_OK);
    }
    return 2.0 * (double)n * 1000.0 / (double)(monotonic_ms() - started);
}

static pid_t start_process(int proc, int64_t user_id, uint64_t seed, int ready[2], int go[2])
{
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0)
        _exit(run_process(proc, user_id, seed, ready[1], go[0]));
    return pid;
}

static void test_processes_share_one_wallet_without_overdraft(void **state)
{
    static results r;
    vg_ctx *ctx;
    int64_t user, grant;
    uint64_t seed = (uint64_t)time(NULL) * 2654435761u + 1;
    int ready[2], go[2], proc, thread, status;
    pid_t pids[MAX_PROCS];
    size_t i, problems = 99;
    double rate;
    vg_balance balance;
    char byte;
    long total_calls = 0, total_refused = 0, busiest = 0;
    int64_t started;
    double seconds;
    (void)state;

    memset(&r, 0, sizeof r);
    test_fresh_location(store_location, sizeof store_location, "concurrency");
    procs = process_count(test_target());
    ctx = open_store();
    if (!ctx)
        fail_msg("cannot open the store: %s", vg_error_last());
    rate = calibrate(ctx);
    /* a call captures 1.5 credits on average (one call in four captures a hold of 6
     * credits); the processes together make at least about three quarters as many calls a
     * second as one thread alone (on SQLite, whose writers take turns, about that; on
     * PostgreSQL more, some 1.4 times), so the grant runs out after at most about four
     * fifths of the run (which goes on, if need be, until holds are refused) */
    grant = (int64_t)(rate * 0.75 * 0.8 * 1.5 * RUN_MS / 1000.0);
    if (grant < 50)
        grant = 50;
    assert_int_equal(vg_user_add_verified(&user, ctx, "shared@example.com", "starter"), VG_OK);
    assert_int_equal(vg_credits_grant(NULL, ctx, user, VG_CREDIT_PURCHASED, grant, 0, "order-1",
                                      "big-grant"), VG_OK);
    vg_close(ctx); /* no connection crosses a fork */
    print_message("%d processes x %d threads, seed %" PRIu64 ", %.0f calls/s single-threaded, "
                  "grant %lld + %d weekly\n", procs, THREADS, seed, rate, (long long)grant,
                  STARTER_WEEKLY);

    shared_refusals = mmap(NULL, sizeof *shared_refusals, PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    assert_true(shared_refusals != MAP_FAILED);
    *shared_refusals = 0;
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    for (proc = 0; proc < procs; proc++)
        pids[proc] = start_process(proc, user, seed, ready, go);
    for (proc = 0; proc < procs; proc++)
        assert_int_equal(read(ready[0], &byte, 1), 1);
    started = monotonic_ms();
    for (proc = 0; proc < procs; proc++)
        assert_int_equal(write(go[1], "g", 1), 1);
    for (proc = 0; proc < procs; proc++) {
        assert_int_equal(waitpid(pids[proc], &status, 0), pids[proc]);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            fail_msg("process %d failed (status 0x%x)", proc, status);
    }
    seconds = (double)(monotonic_ms() - started) / 1000.0;
    munmap(shared_refusals, sizeof *shared_refusals);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);

    for (proc = 0; proc < procs; proc++)
        for (thread = 0; thread < THREADS; thread++)
            read_acks(&r, proc, thread);
    for (proc = 0; proc < procs; proc++) {
        print_message("process %d: %ld calls, %ld holds, %ld refused, %ld captures, "
                      "%ld releases\n", proc, r.calls[proc], r.holds[proc], r.refused[proc],
                      r.captures[proc], r.releases[proc]);
        total_calls += r.calls[proc];
        total_refused += r.refused[proc];
        if (r.calls[proc] > busiest)
            busiest = r.calls[proc];
    }
    print_message("all: %ld calls in %.1f s (%.0f/s), %ld that changed the wallet; the first "
                  "refusal after %.1f s; captured %lld credits in %zu captures\n", total_calls,
                  seconds, total_calls / seconds, total_calls - total_refused,
                  (double)r.dry_ms / 1000.0, (long long)r.captured, r.ack_count);

    ctx = open_store();
    assert_non_null(ctx);
    assert_int_equal(vg_check(&problems, ctx, NULL, NULL), VG_OK);
    assert_int_equal(problems, 0);
    assert_int_equal(vg_credits_balance(&balance, ctx, user), VG_OK);
    read_debits(&r, ctx, user, balance.ledger_seq);
    vg_close(ctx);

    /* every acknowledged capture is exactly one DEBIT row, and there is no other */
    qsort(r.acks, r.ack_count, sizeof r.acks[0], by_hold_id);
    qsort(r.debits, r.debit_count, sizeof r.debits[0], by_hold_id);
    assert_int_equal(r.debit_count, r.ack_count);
    for (i = 0; i < r.ack_count; i++) {
        if (r.debits[i].hold_id != r.acks[i].hold_id || r.debits[i].price != r.acks[i].price)
            fail_msg("capture of hold %lld (%lld credits) vs DEBIT row of hold %lld (%lld)",
                     (long long)r.acks[i].hold_id, (long long)r.acks[i].price,
                     (long long)r.debits[i].hold_id, (long long)r.debits[i].price);
        if (i > 0 && r.acks[i].hold_id == r.acks[i - 1].hold_id)
            fail_msg("hold %lld was captured twice", (long long)r.acks[i].hold_id);
    }

    /* the balance is what was granted less what was captured, and nothing is held */
    assert_int_equal(balance.held, 0);
    assert_int_equal(balance.total, STARTER_WEEKLY + grant - r.captured);
    assert_int_equal(balance.available, balance.total);

    /* every process got work done, and none was starved: each made at least a quarter of
     * the average number of calls, and a quarter of the busiest one's (with two processes,
     * a quarter of the other's) */
    for (proc = 0; proc < procs; proc++) {
        long mine = r.calls[proc];
        if (r.captures[proc] <= 0)
            fail_msg("process %d captured nothing (%ld calls)", proc, mine);
        if (mine * 4 * procs < total_calls)
            fail_msg("process %d made %ld calls, under a quarter of the average %.0f", proc,
                     mine, (double)total_calls / procs);
        if (mine * 4 < busiest)
            fail_msg("process %d made %ld calls, under a quarter of the busiest one's %ld",
                     proc, mine, busiest);
    }
    /* the grant was sized so that the wallet ran dry at times */
    assert_true(total_refused > 0);
}

static int make_ack_dir(void **state)
{
    (void)state;
    return mkdtemp(ack_dir) && vg_time_parse(&fixed_now, "2026-03-04T12:00:00Z") == VG_OK ? 0
                                                                                          : -1;
}

static int remove_ack_dir(void **state)
{
    char command[128];
    (void)state;
    snprintf(command, sizeof command, "rm -rf '%s'", ack_dir);
    return system(command) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_processes_share_one_wallet_without_overdraft),
    };
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, make_ack_dir, remove_ack_dir));
}
