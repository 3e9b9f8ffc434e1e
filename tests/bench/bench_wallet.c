/* SPDX-License-Identifier: MIT */
/* Wallet throughput against raw SQLite commits on the same settings, and fairness between
 * two processes charging one store. Prints ratios; asserts nothing about time. */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vidgo/vidgo.h>

static const unsigned char secret[32] = "libvidgo-benchmark-secret-32byte";

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

static double percentile(double *sorted, int n, double p)
{
    int i = (int)(p * (n - 1) + 0.5);
    return sorted[i < n ? i : n - 1];
}

/* Single-row INSERT transactions straight on SQLite: the reference. Returns commits/s. */
static double raw_insert_rate(const char *path, const char *synchronous, int count)
{
    sqlite3 *db;
    sqlite3_stmt *begin, *insert, *commit;
    char pragma[64];
    double start = 0;
    int i;

    unlink(path);
    if (sqlite3_open(path, &db) != SQLITE_OK)
        return 0;
    snprintf(pragma, sizeof pragma, "PRAGMA synchronous = %s", synchronous);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    sqlite3_exec(db, pragma, NULL, NULL, NULL);
    sqlite3_exec(db, "CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER NOT NULL)", NULL, NULL, NULL);
    sqlite3_prepare_v2(db, "BEGIN IMMEDIATE", -1, &begin, NULL);
    sqlite3_prepare_v2(db, "INSERT INTO t (v) VALUES (?1)", -1, &insert, NULL);
    sqlite3_prepare_v2(db, "COMMIT", -1, &commit, NULL);
    for (i = -200; i < count; i++) { /* the first 200 warm the caches and grow the WAL file */
        if (i == 0)
            start = now_s();
        sqlite3_step(begin);
        sqlite3_reset(begin);
        sqlite3_bind_int(insert, 1, i);
        sqlite3_step(insert);
        sqlite3_reset(insert);
        sqlite3_step(commit);
        sqlite3_reset(commit);
    }
    start = count / (now_s() - start);
    sqlite3_finalize(begin);
    sqlite3_finalize(insert);
    sqlite3_finalize(commit);
    sqlite3_close(db);
    return start;
}

static vg_ctx *open_store(const char *path, unsigned int flags)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path;
    config.flags = VG_OPEN_CREATE | flags;
    config.secret = secret;
    config.secret_len = sizeof secret;
    if (vg_open(&ctx, &config) != VG_OK) {
        fprintf(stderr, "vg_open: %s\n", vg_error_last());
        exit(1);
    }
    return ctx;
}

static int64_t funded_user(vg_ctx *ctx, const char *email)
{
    vg_balance b;
    int64_t id;
    if (vg_user_add_verified(&id, ctx, email, "starter") != VG_OK ||
        vg_credits_grant(&b, ctx, id, VG_CREDIT_PURCHASED, 1000000000, 0, "bench", email) != VG_OK) {
        fprintf(stderr, "setup: %s\n", vg_error_last());
        exit(1);
    }
    return id;
}

/* One place-hold and one capture: two committed transactions. Returns 0 on success. */
static int charge(vg_ctx *ctx, int64_t user, const char *tag, long n, double *lat_hold,
                  double *lat_capture)
{
    char key[64];
    vg_hold hold;
    double t0, t1;
    snprintf(key, sizeof key, "%s-%ld-h", tag, n);
    t0 = now_s();
    if (vg_credits_hold(&hold, ctx, user, "video_720p", NULL, key) != VG_OK)
        return -1;
    t1 = now_s();
    snprintf(key, sizeof key, "%s-%ld-c", tag, n);
    if (vg_credits_capture(&hold, ctx, hold.id, key) != VG_OK)
        return -1;
    if (lat_hold) {
        *lat_hold = t1 - t0;
        *lat_capture = now_s() - t1;
    }
    return 0;
}

static void wallet_rate(const char *dir, const char *label, unsigned int flags, int pairs,
                        double raw_rate)
{
    char path[512];
    double *lat = malloc(sizeof *lat * (size_t)pairs * 2), start, rate;
    vg_ctx *ctx;
    int64_t user;
    int i;

    snprintf(path, sizeof path, "%s/wallet-%s.db", dir, label);
    unlink(path);
    ctx = open_store(path, flags);
    user = funded_user(ctx, "bench@example.com");
    for (i = 0; i < 100; i++) /* warm the caches and grow the WAL file, as for the reference */
        charge(ctx, user, "warm", i, NULL, NULL);
    start = now_s();
    for (i = 0; i < pairs; i++)
        if (charge(ctx, user, label, i, &lat[2 * i], &lat[2 * i + 1]) != 0) {
            fprintf(stderr, "charge failed: %s\n", vg_error_last());
            exit(1);
        }
    rate = 2.0 * pairs / (now_s() - start);
    qsort(lat, (size_t)pairs * 2, sizeof *lat, compare_double);
    printf("synchronous=%-6s raw INSERT %8.0f commits/s | wallet %8.0f ops/s | ratio %.2f | "
           "p50 %6.1f us  p99 %7.1f us\n",
           label, raw_rate, rate, rate / raw_rate, percentile(lat, 2 * pairs, 0.50) * 1e6,
           percentile(lat, 2 * pairs, 0.99) * 1e6);
    vg_close(ctx);
    free(lat);
}

/* What one of two competing processes does for `seconds`: returns how many commits it made. */
typedef long (*worker_fn)(const char *path, int index, double seconds);

/* Runs worker in two processes at once on the store at path; writes their counts and
 * returns the smaller share of the commits. */
static double race_two(const char *path, worker_fn worker, double seconds, long counts[2])
{
    int fds[2][2], p;
    pid_t pids[2];

    for (p = 0; p < 2; p++) {
        if (pipe(fds[p]) != 0)
            exit(1);
        pids[p] = fork();
        if (pids[p] == 0) {
            long n = worker(path, p, seconds);
            _exit(write(fds[p][1], &n, sizeof n) == sizeof n ? 0 : 1);
        }
        close(fds[p][1]);
    }
    for (p = 0; p < 2; p++) {
        if (read(fds[p][0], &counts[p], sizeof counts[p]) != sizeof counts[p])
            counts[p] = 0;
        waitpid(pids[p], NULL, 0);
    }
    return (double)(counts[0] < counts[1] ? counts[0] : counts[1]) / (counts[0] + counts[1] + 1e-9);
}

/* Raw INSERT transactions under SQLite's own busy handler (sqlite3_busy_timeout). */
static long raw_worker(const char *path, int index, double seconds)
{
    sqlite3 *db;
    long n = 0;
    double end = now_s() + seconds;
    (void)index;
    sqlite3_open(path, &db);
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
    while (now_s() < end)
        if (sqlite3_exec(db, "BEGIN IMMEDIATE; INSERT INTO t VALUES (1); COMMIT", NULL, NULL,
                         NULL) == SQLITE_OK)
            n++;
        else
            sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    return n;
}

/* Wallet charges (hold + capture) for the process's own user. */
static long wallet_worker(const char *path, int index, double seconds)
{
    char tag[16], email[32];
    vg_user user;
    vg_ctx *ctx;
    long n = 0;
    double end;
    snprintf(tag, sizeof tag, "p%d", index);
    snprintf(email, sizeof email, "p%d@example.com", index);
    ctx = open_store(path, VG_OPEN_SYNC_NORMAL);
    vg_user_find(&user, ctx, email);
    end = now_s() + seconds;
    while (now_s() < end)
        if (charge(ctx, user.id, tag, n, NULL, NULL) == 0)
            n++;
    vg_close(ctx);
    return n;
}

/* Two processes charge the same store for `seconds`; the reference line does the same with
 * raw INSERTs under SQLite's own busy handler. */
static void fairness(const char *dir, double seconds)
{
    char path[512];
    long counts[2];
    double share;
    vg_ctx *ctx;
    sqlite3 *db;

    snprintf(path, sizeof path, "%s/fair.db", dir);
    unlink(path);
    ctx = open_store(path, VG_OPEN_SYNC_NORMAL);
    funded_user(ctx, "p0@example.com");
    funded_user(ctx, "p1@example.com");
    vg_close(ctx);
    share = race_two(path, wallet_worker, seconds, counts);
    printf("two processes, one store, %.0f s: %ld and %ld charges | smaller share %.2f "
           "(each needs >= 0.25)\n", seconds, counts[0], counts[1], share);

    snprintf(path, sizeof path, "%s/raw-fair.db", dir);
    unlink(path);
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA journal_mode = WAL; CREATE TABLE t (v INTEGER)", NULL, NULL, NULL);
    sqlite3_close(db);
    share = race_two(path, raw_worker, seconds, counts);
    printf("reference: two processes, raw INSERTs, SQLite's own busy handler: %ld and %ld "
           "commits | smaller share %.2f\n", counts[0], counts[1], share);
}

int main(void)
{
    char dir[] = "/tmp/vg-bench-XXXXXX", path[512], cmd[600];
    int pairs = getenv("VIDGO_BENCH_PAIRS") ? atoi(getenv("VIDGO_BENCH_PAIRS")) : 3000;
    double normal, full;

    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/raw.db", dir);
    normal = raw_insert_rate(path, "NORMAL", 2 * pairs);
    wallet_rate(dir, "NORMAL", VG_OPEN_SYNC_NORMAL, pairs, normal);
    full = raw_insert_rate(path, "FULL", pairs / 3 + 1);
    wallet_rate(dir, "FULL", 0, pairs / 6 + 1, full);
    fairness(dir, 3.0);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
