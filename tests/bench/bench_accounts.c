/* SPDX-License-Identifier: MIT */
/* Sign-ins per second with 1 and 2 threads against the raw crypto_pwhash_str_verify rate
 * of the same hash in the same run (everything around the hash should be negligible: the
 * target is a ratio of 0.9 or more), and e-mail code verifications per second, a path
 * without argon2id. Prints ratios; asserts nothing about time.
 *
 * $VIDGO_BENCH_SECONDS (default 3) is the length of each measured run. The store is a
 * SQLite file in a temporary directory, opened with full durability (every commit flushed)
 * and then with VG_OPEN_SYNC_NORMAL. */
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <vidgo/vidgo.h>

#define PASSWORD "correct horse battery"
#define CODE_USERS 300

static const unsigned char secret[32] = "libvidgo-benchmark-secret-32byte";
static double seconds = 3;
static char dir[] = "/tmp/vidgo-bench-accounts-XXXXXX";
static char last_code[8];

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_accounts: %s: %s: %s\n", what, vg_error_name(rc), vg_error_last());
    exit(1);
}

/* The sender keeps the code of the last message (six digits alone in the text). */
static int keep_code(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    const char *p;
    (void)errbuf, (void)errbuf_size, (void)payload;
    for (p = email->text; *p; p++)
        if (strspn(p, "0123456789") == 6 && (p == email->text || p[-1] < '0' || p[-1] > '9')) {
            memcpy(last_code, p, 6);
            return 0;
        }
    return 1;
}

static vg_ctx *open_store(const char *name, int cheap_hashes, unsigned int flags)
{
    char path[256];
    vg_config config;
    vg_ctx *ctx;
    int rc;

    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path;
    config.secret = secret;
    config.secret_len = sizeof secret;
    config.email_sender = keep_code;
    config.flags |= flags;
    if (cheap_hashes) {
        config.pwhash_opslimit = 1;
        config.pwhash_memlimit = 8192;
    }
    if ((rc = vg_open(&ctx, &config)) != VG_OK)
        die("cannot open the store", rc);
    return ctx;
}

/* One thread of a measured run: the raw hash check, or a whole sign-in. */
typedef struct worker {
    vg_ctx *ctx;        /* NULL: the raw crypto_pwhash_str_verify */
    const char *hash;
    double until;
    long done;
} worker;

static void *work(void *payload)
{
    worker *w = payload;
    vg_session session;
    int rc;

    while (now_s() < w->until) {
        if (!w->ctx) {
            if (crypto_pwhash_str_verify(w->hash, PASSWORD, strlen(PASSWORD)) != 0)
                die("the raw hash does not verify", VG_ERROR);
        } else if ((rc = vg_account_login(&session, w->ctx, "bench@example.com", PASSWORD,
                                          NULL)) != VG_OK) {
            die("sign-in failed", rc);
        }
        w->done++;
    }
    return NULL;
}

/* Runs `threads` workers for the measured time; returns operations per second. */
static double run(vg_ctx *ctx, const char *hash, int threads)
{
    pthread_t ids[2];
    worker workers[2];
    double start = now_s();
    long done = 0;
    int i;

    for (i = 0; i < threads; i++) {
        workers[i] = (worker){ctx, hash, start + seconds, 0};
        pthread_create(&ids[i], NULL, work, &workers[i]);
    }
    for (i = 0; i < threads; i++) {
        pthread_join(ids[i], NULL);
        done += workers[i].done;
    }
    return (double)done / (now_s() - start);
}

int main(void)
{
    char hash[crypto_pwhash_STRBYTES], email[64], codes[CODE_USERS][8];
    const char *env = getenv("VIDGO_BENCH_SECONDS");
    static const struct {
        const char *name;
        unsigned int flags;
    } modes[] = {{"sync-full", 0}, {"sync-normal", VG_OPEN_SYNC_NORMAL}};
    vg_ctx *ctx;
    double raw, logins, start, per_s;
    int threads, mode, i, rc;

    if (env && atof(env) > 0)
        seconds = atof(env);
    if (sodium_init() < 0 || !mkdtemp(dir))
        die("cannot start", VG_ERROR);
    if (crypto_pwhash_str(hash, PASSWORD, strlen(PASSWORD), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        die("cannot hash", VG_ENOMEM);

    printf("argon2id: opslimit %llu, memlimit %zu MiB; %.0f s per run; the raw rate is "
           "measured before and after each sign-in run and averaged\n",
           (unsigned long long)crypto_pwhash_OPSLIMIT_INTERACTIVE,
           (size_t)crypto_pwhash_MEMLIMIT_INTERACTIVE >> 20, seconds);
    for (mode = 0; mode < 2; mode++) {
        ctx = open_store(modes[mode].name, 0, modes[mode].flags);
        if ((rc = vg_account_register(NULL, ctx, "bench@example.com", PASSWORD, NULL, NULL)) !=
                VG_OK ||
            (rc = vg_account_verify(ctx, "bench@example.com", last_code)) != VG_OK)
            die("cannot make the user", rc);
        for (threads = 1; threads <= 2; threads++) {
            raw = run(NULL, hash, threads);
            logins = run(ctx, NULL, threads);
            raw = (raw + run(NULL, hash, threads)) / 2;
            printf("%s, %d thread(s): raw crypto_pwhash_str_verify %.1f/s, vg_account_login "
                   "%.1f/s, ratio %.2f (target >= 0.9)\n", modes[mode].name, threads, raw,
                   logins, logins / raw);
        }
        vg_close(ctx);
    }

    ctx = open_store("codes", 1, 0);
    for (i = 0; i < CODE_USERS; i++) {
        snprintf(email, sizeof email, "code%d@example.com", i);
        if ((rc = vg_account_register(NULL, ctx, email, PASSWORD, NULL, NULL)) != VG_OK)
            die("cannot register", rc);
        memcpy(codes[i], last_code, sizeof codes[i]);
    }
    start = now_s();
    for (i = 0; i < CODE_USERS; i++) {
        snprintf(email, sizeof email, "code%d@example.com", i);
        if ((rc = vg_account_verify(ctx, email, codes[i])) != VG_OK)
            die("a code does not verify", rc);
    }
    per_s = CODE_USERS / (now_s() - start);
    raw = run(NULL, hash, 1);
    printf("code verifications: %.0f/s (%d codes, one write transaction each), %.0f times the "
           "raw argon2id rate of %.1f/s\n", per_s, CODE_USERS, per_s / raw, raw);
    vg_close(ctx);
    for (i = 0; i < 3; i++) {
        char path[300];
        const char *names[] = {"sync-full", "sync-normal", "codes"};
        const char *suffix[] = {"", "-wal", "-shm"};
        int s;
        for (s = 0; s < 3; s++) {
            snprintf(path, sizeof path, "%s/%s.db%s", dir, names[i], suffix[s]);
            unlink(path);
        }
    }
    rmdir(dir);
    return 0;
}
