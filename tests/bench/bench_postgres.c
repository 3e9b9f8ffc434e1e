/* SPDX-License-Identifier: MIT */
/* Captured debits per second on PostgreSQL with 1, 2 and 4 client processes, against
 * pgbench's simple-update rate (`pgbench -N`) on the same server in the same run. Prints
 * ratios; asserts nothing about time.
 *
 * $VIDGO_TEST_PG_URL names the server (a postgresql:// URL of a role that may create
 * databases). Without it, or when the server cannot be reached, the benchmark skips (exit
 * 77), or fails when $VIDGO_REQUIRE_PG is 1. It creates two fresh databases, one for the
 * libvidgo store and one for pgbench, and drops both at the end. $VIDGO_BENCH_SECONDS
 * (default 5) is the length of each measured run; $VIDGO_PGBENCH names pgbench if it is
 * neither on PATH nor in /usr/lib/postgresql/x/bin.
 *
 * Each client process has its own user (and so its own wallet): the core locks the user
 * row, then the wallet row, FOR UPDATE in every wallet call, so processes sharing one user
 * would measure the wait for that one row lock, not the store. pgbench -N spreads its
 * updates over 100 000 accounts (scale 1) for the same reason. One contrast line then runs
 * the largest process count on a single shared user. */
#define _GNU_SOURCE /* strverscmp */
#include <errno.h>
#include <glob.h>
#include <libpq-fe.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vidgo/vidgo.h>

#define SKIP 77
#define MAX_CLIENTS 4
#define URL_SIZE 1024

static const unsigned char secret[32] = "libvidgo-benchmark-secret-32byte";
static const int client_counts[] = {1, 2, MAX_CLIENTS};

static volatile sig_atomic_t stop_requested;

static char admin_url[URL_SIZE];  /* $VIDGO_TEST_PG_URL */
static char vidgo_db[64], pgbench_db[64];
static char vidgo_url[URL_SIZE], pgbench_url[URL_SIZE];
static int vidgo_db_made, pgbench_db_made;
static pid_t parent_pid;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

/* The URL with any password replaced by "***", for messages. */
static const char *redacted(const char *url)
{
    static char out[URL_SIZE];
    const char *scheme = strstr(url, "://"), *at, *colon;
    snprintf(out, sizeof out, "%s", url);
    if (!scheme)
        return out;
    at = strchr(scheme + 3, '@');
    colon = at ? memchr(scheme + 3, ':', (size_t)(at - scheme - 3)) : NULL;
    if (colon)
        snprintf(out, sizeof out, "%.*s***%s", (int)(colon + 1 - url), url, at);
    return out;
}

static int is_pg_url(const char *url)
{
    return strncasecmp(url, "postgresql://", 13) == 0 || strncasecmp(url, "postgres://", 11) == 0;
}

/* The same URL naming another database: the path after the authority is replaced, the
 * query (?sslmode=... and so on) is kept. Returns 0, or -1 if it does not fit. */
static int url_with_db(char *out, size_t size, const char *url, const char *db)
{
    const char *authority = strstr(url, "://") + 3;
    size_t auth_len = strcspn(authority, "/?");
    const char *query = strchr(authority + auth_len, '?');
    int n = snprintf(out, size, "%.*s/%s%s", (int)(authority + auth_len - url), url, db,
                     query ? query : "");
    return n > 0 && (size_t)n < size ? 0 : -1;
}

static PGconn *connect_admin(void)
{
    const char *keys[] = {"dbname", "connect_timeout", NULL};
    const char *values[] = {admin_url, "5", NULL};
    return PQconnectdbParams(keys, values, 1);
}

__attribute__((format(printf, 1, 2))) static int admin_exec(const char *fmt, ...)
{
    char sql[256];
    va_list ap;
    PGconn *conn = connect_admin();
    PGresult *res;
    int ok;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    if (PQstatus(conn) != CONNECTION_OK) {
        fprintf(stderr, "bench_postgres: %s: cannot connect: %s", sql, PQerrorMessage(conn));
        PQfinish(conn);
        return -1;
    }
    res = PQexec(conn, sql);
    ok = PQresultStatus(res) == PGRES_COMMAND_OK;
    if (!ok)
        fprintf(stderr, "bench_postgres: %s: %s", sql, PQerrorMessage(conn));
    PQclear(res);
    PQfinish(conn);
    return ok ? 0 : -1;
}

/* Drops the databases this run made; in the parent only (children leave with _exit). */
static void drop_databases(void)
{
    static int server_version;
    PGconn *conn;

    if (getpid() != parent_pid || (!vidgo_db_made && !pgbench_db_made))
        return;
    if (!server_version) {
        conn = connect_admin();
        server_version = PQstatus(conn) == CONNECTION_OK ? PQserverVersion(conn) : 0;
        PQfinish(conn);
    }
    /* WITH (FORCE) (PostgreSQL 13+) ends a connection a killed client may have left. */
    if (vidgo_db_made && admin_exec("DROP DATABASE IF EXISTS \"%s\"%s", vidgo_db,
                                    server_version >= 130000 ? " WITH (FORCE)" : "") == 0)
        vidgo_db_made = 0;
    if (pgbench_db_made && admin_exec("DROP DATABASE IF EXISTS \"%s\"%s", pgbench_db,
                                      server_version >= 130000 ? " WITH (FORCE)" : "") == 0)
        pgbench_db_made = 0;
    if (vidgo_db_made || pgbench_db_made)
        fprintf(stderr, "bench_postgres: could not drop %s %s\n",
                vidgo_db_made ? vidgo_db : "", pgbench_db_made ? pgbench_db : "");
}

/* ---- pgbench ---- */

/* Runs argv (argv[0] a path) with stdout and stderr into out; returns the exit status, or
 * -1 if it could not run or was killed. */
static int run_capture(char *const argv[], char *out, size_t size)
{
    int fds[2], status;
    size_t used = 0;
    ssize_t n;
    pid_t pid;

    out[0] = '\0';
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid = fork();
    if (pid < 0) {
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        dup2(fds[1], STDOUT_FILENO);
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    for (;;) {
        char sink[512];
        if (used + 1 < size)
            n = read(fds[0], out + used, size - 1 - used);
        else
            n = read(fds[0], sink, sizeof sink); /* keep draining, drop the excess */
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        if (used + 1 < size)
            used += (size_t)n;
    }
    out[used] = '\0';
    close(fds[0]);
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int pgbench_works(const char *path)
{
    char out[512];
    char *argv[] = {(char *)path, "--version", NULL};
    return access(path, X_OK) == 0 && run_capture(argv, out, sizeof out) == 0 &&
           strstr(out, "pgbench") != NULL;
}

static int compare_versions(const void *a, const void *b)
{
    return strverscmp(*(char *const *)a, *(char *const *)b);
}

/* $VIDGO_PGBENCH, else pgbench on PATH, else the newest of the usual server directories.
 * Returns 0 with the path in out, or -1. */
static int find_pgbench(char *out, size_t size)
{
    static const char *const patterns[] = {
        "/usr/lib/postgresql/*/bin/pgbench", /* Debian, Ubuntu */
        "/usr/pgsql-*/bin/pgbench",          /* PGDG RPMs */
        "/usr/local/pgsql/bin/pgbench",      /* built from source */
        "/opt/homebrew/opt/postgresql*/bin/pgbench",
        "/usr/local/opt/postgresql*/bin/pgbench",
    };
    const char *env = getenv("VIDGO_PGBENCH"), *path = getenv("PATH");
    size_t i;

    if (env && *env) {
        snprintf(out, size, "%s", env);
        return pgbench_works(out) ? 0 : -1;
    }
    while (path && *path) {
        size_t len = strcspn(path, ":");
        snprintf(out, size, "%.*s/pgbench", (int)(len ? len : 1), len ? path : ".");
        if (pgbench_works(out))
            return 0;
        path += len + (path[len] == ':');
    }
    for (i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
        glob_t g;
        size_t k;
        if (glob(patterns[i], 0, NULL, &g) != 0)
            continue;
        qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, compare_versions);
        for (k = g.gl_pathc; k-- > 0;)
            if (pgbench_works(g.gl_pathv[k])) {
                snprintf(out, size, "%s", g.gl_pathv[k]);
                globfree(&g);
                return 0;
            }
        globfree(&g);
    }
    return -1;
}

/* The tps pgbench reports without the time to connect: "tps = 1450.2 (without initial
 * connection time)" (PostgreSQL 14+), "tps = ... (excluding connections establishing)"
 * (before). Returns it, or -1. */
static double parse_tps(const char *out)
{
    const char *line = out;
    while (line && *line) {
        double tps;
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        char buf[256];
        snprintf(buf, sizeof buf, "%.*s", (int)(len < sizeof buf ? len : sizeof buf - 1), line);
        if ((strstr(buf, "without initial connection time") ||
             strstr(buf, "excluding connections establishing")) &&
            sscanf(buf, "tps = %lf", &tps) == 1)
            return tps;
        line = end ? end + 1 : NULL;
    }
    return -1;
}

static char pgbench_path[URL_SIZE];

static int pgbench_init(void)
{
    static char out[65536];
    char *argv[] = {pgbench_path, "-i", "-s", "1", "-q", pgbench_url, NULL};
    if (run_capture(argv, out, sizeof out) != 0) {
        fprintf(stderr, "bench_postgres: pgbench -i failed:\n%s\n", out);
        return -1;
    }
    return 0;
}

/* pgbench -N with `clients` clients and threads for `seconds`: tps, or -1. */
static double pgbench_rate(int clients, int seconds)
{
    static char out[65536];
    char c[16], t[16];
    char *argv[] = {pgbench_path, "-N", "-c", c, "-j", c, "-T", t, pgbench_url, NULL};
    double tps;

    snprintf(c, sizeof c, "%d", clients);
    snprintf(t, sizeof t, "%d", seconds);
    if (run_capture(argv, out, sizeof out) != 0 || (tps = parse_tps(out)) < 0) {
        if (stop_requested)
            return -1;
        fprintf(stderr, "bench_postgres: pgbench -N -c %d failed:\n%s\n", clients, out);
        return -1;
    }
    return tps;
}

/* ---- libvidgo ---- */

static vg_ctx *open_store(void)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = vidgo_url;
    config.flags = VG_OPEN_CREATE;
    config.secret = secret;
    config.secret_len = sizeof secret;
    if (vg_open(&ctx, &config) != VG_OK) {
        fprintf(stderr, "bench_postgres: vg_open %s: %s\n", redacted(vidgo_url), vg_error_last());
        return NULL;
    }
    return ctx;
}

static int funded_user(vg_ctx *ctx, const char *email)
{
    vg_balance b;
    int64_t id;
    if (vg_user_add_verified(&id, ctx, email, "starter") != VG_OK ||
        vg_credits_grant(&b, ctx, id, VG_CREDIT_PURCHASED, 1000000000, 0, "bench", email) !=
            VG_OK) {
        fprintf(stderr, "bench_postgres: setting up %s: %s\n", email, vg_error_last());
        return -1;
    }
    return 0;
}

/* One captured debit: a hold, then its capture (two transactions). 0, or the failing status. */
static int debit(vg_ctx *ctx, int64_t user, const char *tag, long n)
{
    char key[64];
    vg_hold hold;
    int rc;
    snprintf(key, sizeof key, "%s-%ld-h", tag, n);
    if ((rc = vg_credits_hold(&hold, ctx, user, "video_720p", NULL, key)) != VG_OK)
        return rc;
    snprintf(key, sizeof key, "%s-%ld-c", tag, n);
    return vg_credits_capture(&hold, ctx, hold.id, key);
}

typedef struct result {
    int client;
    int setup_failed;
    long debits;    /* captured before the end of the window */
    long failures;  /* debits that failed with VG_EBUSY or VG_ECONFLICT */
    int last_error; /* another failure, which ended the loop: its status */
} result;

typedef struct window {
    double start, end;
} window;

static void write_all(int fd, const void *buf, size_t n)
{
    const char *p = buf;
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return;
        p += w;
        n -= (size_t)w;
    }
}

static int read_all(int fd, void *buf, size_t n)
{
    char *p = buf;
    while (n > 0) {
        ssize_t r = read(fd, p, n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* A client process: opens its own context, warms up, says it is ready, waits for the
 * window, then debits until it ends. */
static void client(int index, const char *email, const char *tag, int ready_fd, int go_fd,
                   int result_fd)
{
    result r = {index, 0, 0, 0, 0};
    window w;
    vg_user user;
    vg_ctx *ctx = open_store();
    long n = 0;
    int rc = VG_OK, i;

    if (!ctx || vg_user_find(&user, ctx, email) != VG_OK) {
        if (ctx)
            fprintf(stderr, "bench_postgres: client %d: %s: %s\n", index, email, vg_error_last());
        r.setup_failed = 1;
    }
    for (i = 0; !r.setup_failed && i < 20; i++) /* connection made, statements and caches warm */
        if ((rc = debit(ctx, user.id, tag, n++)) != VG_OK) {
            fprintf(stderr, "bench_postgres: client %d: warm-up: %s: %s\n", index,
                    vg_error_name(rc), vg_error_last());
            r.setup_failed = 1;
        }
    write_all(ready_fd, "r", 1);
    if (read_all(go_fd, &w, sizeof w) == 0 && !r.setup_failed) {
        double wait = w.start - now_s();
        if (wait > 0) {
            struct timespec ts = {0, (long)(wait * 1e9)};
            nanosleep(&ts, NULL);
        }
        while (!stop_requested && now_s() < w.end) {
            rc = debit(ctx, user.id, tag, n++);
            if (rc == VG_OK) {
                if (now_s() <= w.end)
                    r.debits++;
            } else if (rc == VG_EBUSY || rc == VG_ECONFLICT) {
                r.failures++;
            } else {
                fprintf(stderr, "bench_postgres: client %d: %s: %s\n", index,
                        vg_error_name(rc), vg_error_last());
                r.last_error = rc;
                break;
            }
        }
    }
    vg_close(ctx);
    write_all(result_fd, &r, sizeof r);
    _exit(0);
}

/* `clients` processes debit for `seconds`, each its own user (shared = 0) or all the same
 * one. Returns debits/s, or -1. */
static double vidgo_rate(int clients, int shared, int seconds, long *failures)
{
    static int run;
    char emails[MAX_CLIENTS][64], tag[32];
    int ready[2], go[2], results[2], i, got = 0, ok = 1;
    pid_t pids[MAX_CLIENTS];
    long debits = 0;
    vg_ctx *ctx;
    window w;

    run++;
    *failures = 0;
    if (!(ctx = open_store()))
        return -1;
    for (i = 0; i < clients; i++) {
        if (shared && i > 0)
            memcpy(emails[i], emails[0], sizeof emails[i]);
        else
            snprintf(emails[i], sizeof emails[i], "run%d-client%d@bench.example", run, i);
        if ((!shared || i == 0) && funded_user(ctx, emails[i]) != 0) {
            vg_close(ctx);
            return -1;
        }
    }
    vg_close(ctx); /* no connection crosses the fork */

    if (pipe(ready) != 0 || pipe(go) != 0 || pipe(results) != 0)
        return -1;
    fflush(NULL);
    for (i = 0; i < clients; i++) {
        pids[i] = fork();
        if (pids[i] < 0) {
            clients = i;
            ok = 0;
            break;
        }
        if (pids[i] == 0) {
            close(ready[0]);
            close(go[1]);
            close(results[0]);
            snprintf(tag, sizeof tag, "r%d-c%d", run, i);
            client(i, emails[i], tag, ready[1], go[0], results[1]);
        }
    }
    close(ready[1]);
    close(go[0]);
    close(results[1]);

    /* Wait until every client is ready (or a minute has passed), then start all at once. */
    while (got < clients) {
        struct pollfd p = {ready[0], POLLIN, 0};
        char c;
        int pr = poll(&p, 1, 60000);
        if (pr < 0 && errno == EINTR)
            continue;
        if (pr <= 0 || read(ready[0], &c, 1) != 1) {
            fprintf(stderr, "bench_postgres: only %d of %d clients got ready\n", got, clients);
            ok = 0;
            break;
        }
        got++;
    }
    w.start = now_s() + 0.05;
    w.end = w.start + seconds;
    for (i = 0; i < clients; i++)
        write_all(go[1], &w, sizeof w); /* each message is atomic: far below PIPE_BUF */
    close(go[1]);

    for (i = 0; i < clients; i++) {
        result r;
        if (read_all(results[0], &r, sizeof r) != 0) {
            fprintf(stderr, "bench_postgres: a client died without a result\n");
            ok = 0;
            break;
        }
        if (r.setup_failed || r.last_error)
            ok = 0;
        debits += r.debits;
        *failures += r.failures;
    }
    close(ready[0]);
    close(results[0]);
    for (i = 0; i < clients; i++)
        while (waitpid(pids[i], NULL, 0) < 0 && errno == EINTR)
            ;
    return ok ? debits / (w.end - w.start) : -1;
}

/* ---- main ---- */

__attribute__((format(printf, 1, 2))) static int skip(const char *fmt, ...)
{
    va_list ap;
    int required = getenv("VIDGO_REQUIRE_PG") && strcmp(getenv("VIDGO_REQUIRE_PG"), "1") == 0;
    printf(required ? "FAIL (VIDGO_REQUIRE_PG=1): " : "SKIP: ");
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    printf("\n");
    return required ? 1 : SKIP;
}

int main(void)
{
    const char *env = getenv("VIDGO_TEST_PG_URL");
    int seconds = getenv("VIDGO_BENCH_SECONDS") ? atoi(getenv("VIDGO_BENCH_SECONDS")) : 5;
    struct sigaction sa;
    PGconn *conn;
    long failures;
    double rates[sizeof client_counts / sizeof client_counts[0]];
    size_t i;
    int server_version;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (seconds < 1)
        seconds = 1;
    if (!env || !*env)
        return skip("$VIDGO_TEST_PG_URL is not set (a postgresql:// URL of a role that may "
                    "create databases; scripts/pg-cluster.sh start DIR prints one)");
    if (!is_pg_url(env))
        return skip("$VIDGO_TEST_PG_URL must be a postgresql:// or postgres:// URL");
    if (strlen(env) >= URL_SIZE - 80)
        return skip("$VIDGO_TEST_PG_URL is too long");
    snprintf(admin_url, sizeof admin_url, "%s", env);
    if (!vg_store_backend_available("postgresql"))
        return skip("this libvidgo was built without the PostgreSQL backend");

    conn = connect_admin();
    if (PQstatus(conn) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(conn));
        msg[strcspn(msg, "\n")] = '\0';
        PQfinish(conn);
        return skip("cannot reach PostgreSQL at %s: %s", redacted(admin_url), msg);
    }
    server_version = PQserverVersion(conn);
    PQfinish(conn);
    if (find_pgbench(pgbench_path, sizeof pgbench_path) != 0)
        return skip("pgbench not found (not on PATH, not in /usr/lib/postgresql/*/bin; "
                    "set $VIDGO_PGBENCH)");

    parent_pid = getpid();
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN); /* a closed stdout must not skip the cleanup */
    atexit(drop_databases);

    snprintf(vidgo_db, sizeof vidgo_db, "vg_bench_vidgo_%ld", (long)parent_pid);
    snprintf(pgbench_db, sizeof pgbench_db, "vg_bench_pgbench_%ld", (long)parent_pid);
    if (url_with_db(vidgo_url, sizeof vidgo_url, admin_url, vidgo_db) != 0 ||
        url_with_db(pgbench_url, sizeof pgbench_url, admin_url, pgbench_db) != 0)
        return 1;
    if (admin_exec("CREATE DATABASE \"%s\"", vidgo_db) != 0)
        return 1;
    vidgo_db_made = 1;
    if (admin_exec("CREATE DATABASE \"%s\"", pgbench_db) != 0)
        return 1;
    pgbench_db_made = 1;

    printf("server %s (PostgreSQL %d.%d), pgbench %s, %d s per run\n", redacted(admin_url),
           server_version / 10000, server_version >= 100000 ? server_version % 10000
                                                            : server_version / 100 % 100,
           pgbench_path, seconds);
    printf("a vidgo debit is a hold then its capture (vg_credits_hold, vg_credits_capture): "
           "two transactions; one user per client process\n");
    {
        vg_ctx *ctx = open_store(); /* creates the schema and seeds the catalog */
        if (!ctx)
            return 1;
        vg_close(ctx);
    }
    if (pgbench_init() != 0)
        return 1;

    /* libvidgo and pgbench take turns at each client count, so that both see the server
     * in the same state (checkpoints, table sizes) as far as possible. */
    for (i = 0; i < sizeof client_counts / sizeof client_counts[0] && !stop_requested; i++) {
        int n = client_counts[i];
        double vidgo = vidgo_rate(n, 0, seconds, &failures), tps;
        if (vidgo < 0 || stop_requested || (tps = pgbench_rate(n, seconds)) < 0) {
            if (stop_requested)
                fprintf(stderr, "bench_postgres: interrupted\n");
            return 1;
        }
        rates[i] = vidgo;
        printf("clients %d: vidgo %.0f debits/s, pgbench simple-update %.0f tps, ratio %.2f",
               n, vidgo, tps, vidgo / tps);
        if (failures)
            printf(" (%ld debits failed with VG_EBUSY/VG_ECONFLICT)", failures);
        printf("\n");
    }
    if (!stop_requested) {
        double shared = vidgo_rate(MAX_CLIENTS, 1, seconds, &failures);
        if (shared < 0)
            return 1;
        printf("contrast: clients %d on one shared user: vidgo %.0f debits/s, %.2f of %d "
               "users' rate (every debit waits for that user's row lock)",
               MAX_CLIENTS, shared, shared / rates[i - 1], MAX_CLIENTS);
        if (failures)
            printf(" (%ld debits failed with VG_EBUSY/VG_ECONFLICT)", failures);
        printf("\n");
    }
    if (stop_requested)
        fprintf(stderr, "bench_postgres: interrupted\n");
    return stop_requested ? 1 : 0; /* atexit: the databases are dropped */
}
