/* SPDX-License-Identifier: MIT */
/* `vidgo demo`: the main job, offline end to end on a store it recreates each run. This half
 * prepares the store and the context (the `local` providers) and runs the story step by
 * step; cmd_demo_story.c tells it. */
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd_demo.h"

#define DEMO_STORE "vidgo-demo.db"
#define DEMO_DOMAIN "@demo.vidgo" /* every user the demo makes has an address here */

/* ---- what a step reports ---------------------------------------------------------------- */

void demo_say(demo *d, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(d->result, sizeof d->result, format, args);
    va_end(args);
}

void demo_note(demo *d, const char *format, ...)
{
    va_list args;
    if (d->cli->json)
        return;
    fputs("        .. ", stdout);
    va_start(args, format);
    vprintf(format, args);
    va_end(args);
    fputc('\n', stdout);
    fflush(stdout);
}

int demo_unexpected(demo *d, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    vsnprintf(d->why, sizeof d->why, format, args);
    va_end(args);
    return VG_ERROR;
}

/* ---- the store: recreated each run, but only if it is the demo's ----------------------- */

/* The file of a SQLite location ("x.db", "sqlite:x.db", "sqlite://x.db"); NULL for a URL of
 * a server, which the demo cannot recreate. */
static const char *store_file(const char *location)
{
    if (strncasecmp(location, "sqlite://", 9) == 0)
        return location + 9;
    if (strncasecmp(location, "sqlite:", 7) == 0)
        return location + 7;
    return strstr(location, "://") ? NULL : location;
}

/* The assets directory beside a store file: "dir/vidgo-demo.db" -> "dir/vidgo-demo-assets". */
static void assets_beside(char *out, size_t size, const char *file)
{
    size_t n = strlen(file);
    if (n > 3 && strcmp(file + n - 3, ".db") == 0)
        n -= 3;
    snprintf(out, size, "%.*s-assets", (int)n, file);
}

static int is_demo_address(const char *email)
{
    size_t n = strlen(email), k = strlen(DEMO_DOMAIN);
    return n > k && strcmp(email + n - k, DEMO_DOMAIN) == 0;
}

/* 1 if an existing store may be deleted: it opens, and every user in it is one of the
 * demo's. Anything else may be someone's real store: 0, with the reason. */
static int is_demo_store(const char *location, char *why, size_t size)
{
    vg_config config;
    vg_ctx *ctx;
    vg_user user;
    int64_t id;
    int rc;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = location;
    config.flags = 0; /* an existing store, never created here */
    config.log_level = VG_LOG_NONE;
    if ((rc = vg_open(&ctx, &config)) != VG_OK) {
        snprintf(why, size, "it cannot be opened as a libvidgo store (%s)", vg_error_name(rc));
        return 0;
    }
    for (id = 1; (rc = vg_user_get(&user, ctx, id)) == VG_OK && is_demo_address(user.email); id++)
        ;
    if (rc == VG_OK)
        snprintf(why, size, "it has users of its own, such as %.80s", user.email);
    else if (rc != VG_ENOTFOUND || id == 1)
        snprintf(why, size, "%s", id == 1 ? "it has no user of the demo" : vg_error_name(rc));
    vg_close(ctx);
    return rc == VG_ENOTFOUND && id > 1;
}

/* Removes the `local` provider's files ("local-*") from the assets directory, then the
 * directory if nothing else is in it. */
static void clear_assets(const char *dir)
{
    char path[4096];
    struct dirent *e;
    DIR *d = opendir(dir);

    if (!d)
        return;
    while ((e = readdir(d)) != NULL)
        if (strncmp(e->d_name, "local-", 6) == 0 &&
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path)
            unlink(path);
    closedir(d);
    rmdir(dir);
}

/* Deletes the demo's old store (with its WAL files) and assets. Returns CLI_EXIT_OK, or
 * CLI_EXIT_USAGE when --db names something the demo must not delete. */
static int recreate_store(const char *location, const char *file, const char *assets,
                          int *recreated)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char why[160], path[4096];
    struct stat st;
    size_t i;

    *recreated = stat(file, &st) == 0;
    if (*recreated && !is_demo_store(location, why, sizeof why)) {
        fprintf(stderr,
                "vidgo demo: %s is not a demo store: %s. The demo deletes and recreates "
                "its store on every run: give it another --db, or delete the file.\n",
                file, why);
        return CLI_EXIT_USAGE;
    }
    for (i = 0; *recreated && i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", file, suffixes[i]);
        unlink(path);
    }
    clear_assets(assets);
    return CLI_EXIT_OK;
}

/* ---- the context: the `local` providers, e-mail caught in memory ------------------------ */

/* The demo's mailbox: the code of the last message (six digits alone in its text). */
static int demo_mailbox(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    char *code = payload;
    const char *p;
    (void)errbuf, (void)errbuf_size;
    for (p = email->text; *p; p++)
        if (strspn(p, "0123456789") == 6 && (p == email->text || p[-1] < '0' || p[-1] > '9')) {
            snprintf(code, 7, "%.6s", p);
            return 0;
        }
    return 1;
}

static void log_to_stderr(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "vidgo demo: %s: %s\n", level >= VG_LOG_ERROR ? "error" : "warning", message);
}

/* --now starts the demo's clock at a given time; it then runs on, as the `local` provider's
 * jobs take their time by the context's clock. */
typedef struct demo_clock {
    vg_time start;
    struct timespec origin;
} demo_clock;

static vg_time elapsed_us(const struct timespec *origin)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (vg_time)(t.tv_sec - origin->tv_sec) * 1000000 + (t.tv_nsec - origin->tv_nsec) / 1000;
}

static vg_time running_clock(void *payload)
{
    const demo_clock *c = payload;
    return c->start + elapsed_us(&c->origin);
}

static int open_context(demo *d, const char *assets, demo_clock *clock)
{
    vg_generator_options options = VG_GENERATOR_OPTIONS_INIT;
    vg_config config;
    int rc;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = d->cli->db;
    config.flags = VG_OPEN_CREATE | VG_OPEN_SYNC_NORMAL;
    config.lang = d->cli->lang;
    config.email_sender = demo_mailbox;
    config.email_payload = d->mailbox;
    config.provider_mode = VG_PROVIDERS_LOCAL;
    config.assets_dir = assets;
    config.log = log_to_stderr;
    config.log_level = VG_LOG_ERROR; /* not the warning that a secret was made for the store */
    if (d->cli->has_now) {
        clock->start = d->cli->now;
        config.clock = running_clock;
        config.clock_payload = clock;
    }
    if ((rc = vg_open(&d->ctx, &config)) != VG_OK)
        return rc;
    options.on_event = demo_on_event;
    options.event_payload = d;
    return vg_generator_open(&d->generator, d->ctx, &options);
}

/* ---- running the story ------------------------------------------------------------------ */

/* Runs one step and reports it. Returns CLI_EXIT_OK, CLI_EXIT_REFUSED when its outcome is
 * not the story's, or the exit code of the library's failure. */
static int run_step(demo *d, const demo_step *s, size_t number, cJSON *steps)
{
    const char *message;
    int rc, unexpected;

    d->result[0] = d->why[0] = '\0';
    d->step = cJSON_CreateObject();
    cJSON_AddStringToObject(d->step, "step", s->id);
    cJSON_AddStringToObject(d->step, "who", s->who);
    cJSON_AddStringToObject(d->step, "what", s->what);
    cJSON_AddItemToArray(steps, d->step);
    if (!d->cli->json) {
        printf("%2zu %-6s %s\n", number, s->who, s->what);
        fflush(stdout);
    }
    rc = s->run(d);
    cJSON_AddBoolToObject(d->step, "ok", rc == VG_OK);
    if (rc == VG_OK) {
        cJSON_AddStringToObject(d->step, "result", d->result);
        if (!d->cli->json)
            printf("          -> %s\n", d->result);
        return CLI_EXIT_OK;
    }
    if (!(unexpected = d->why[0] != '\0')) {
        message = vg_error_last();
        snprintf(d->why, sizeof d->why, "%s: %s", vg_error_name(rc),
                 *message ? message : vg_strerror(rc, d->cli->lang));
    }
    cJSON_AddStringToObject(d->step, "result", d->why);
    if (!d->cli->json)
        printf("          -> FAILED: %s\n", d->why);
    return unexpected ? CLI_EXIT_REFUSED : cli_exit_for(rc);
}

/* The document the run reports in (JSON), or its heading (text). */
static cJSON *begin_report(const demo *d, const char *assets, int recreated)
{
    cJSON *doc = cJSON_CreateObject();
    cJSON_AddStringToObject(doc, "library", vg_version());
    cJSON_AddStringToObject(doc, "store", vg_store_location(d->ctx));
    cJSON_AddStringToObject(doc, "backend", vg_store_backend_name(d->ctx));
    cJSON_AddBoolToObject(doc, "recreated", recreated);
    cJSON_AddStringToObject(doc, "assets_dir", assets);
    cJSON_AddStringToObject(doc, "providers", "local");
    cJSON_AddArrayToObject(doc, "steps");
    if (!d->cli->json)
        printf("VidGo demo — libvidgo %s, offline: the `local` providers, no keys, no network\n"
               "store %s (%s), %s; assets in %s/\n\n",
               vg_version(), vg_store_location(d->ctx), vg_store_backend_name(d->ctx),
               recreated ? "deleted and recreated for this run" : "created for this run", assets);
    return doc;
}

/* Ends the report: how it went and, after a failure, which step failed. */
static void end_report(const demo *d, cJSON *doc, const demo_step *failed, size_t number,
                       const struct timespec *started)
{
    double seconds = (double)elapsed_us(started) / 1e6;

    cJSON_AddBoolToObject(doc, "ok", !failed);
    cJSON_AddBoolToObject(doc, "check_ok", !failed); /* the check is the last step */
    if (failed)
        cJSON_AddStringToObject(doc, "failed_step", failed->id);
    else
        cJSON_AddNullToObject(doc, "failed_step");
    cJSON_AddNumberToObject(doc, "elapsed_ms", (double)(long long)(seconds * 1000));
    if (d->cli->json) {
        cli_print_json(doc);
        return;
    }
    cJSON_Delete(doc);
    if (!failed) {
        printf("\nDone in %.1f s, every step as told. The store stays for you to explore:\n"
               "  vidgo --db %s job list\n  vidgo --db %s credits history ana" DEMO_DOMAIN "\n",
               seconds, d->cli->db, d->cli->db);
        return;
    }
    fflush(stdout);
    fprintf(stderr, "vidgo demo: step %zu \"%s\" failed: %s\n", number, failed->id, d->why);
}

static int run_demo(cli_state *cli)
{
    demo d;
    demo_clock clock;
    cJSON *doc;
    char assets[4096];
    const char *file;
    size_t i;
    int rc, code, recreated;

    if (cli->argc > 0)
        return cli_usage_error(cli, &cli_cmd_demo, "takes no arguments");
    if (!cli->db)
        cli->db = DEMO_STORE;
    if (!(file = store_file(cli->db)))
        return cli_usage_error(cli, &cli_cmd_demo,
                               "recreates its store on every run, so --db "
                               "must name a SQLite file, not a server");
    assets_beside(assets, sizeof assets, file);
    if ((code = recreate_store(cli->db, file, assets, &recreated)) != CLI_EXIT_OK)
        return code;
    clock_gettime(CLOCK_MONOTONIC, &clock.origin);
    memset(&d, 0, sizeof d);
    d.cli = cli;
    if ((rc = open_context(&d, assets, &clock)) != VG_OK) {
        code = cli_fail(cli, rc, "cannot open the demo store");
        goto done;
    }
    doc = begin_report(&d, assets, recreated);
    for (i = 0; i < demo_story_length && code == CLI_EXIT_OK; i++)
        code = run_step(&d, &demo_story[i], i + 1, cJSON_GetObjectItem(doc, "steps"));
    end_report(&d, doc, code == CLI_EXIT_OK ? NULL : &demo_story[i - 1], i, &clock.origin);
done:
    vg_generator_close(d.generator);
    vg_close(d.ctx);
    return code;
}

const cli_command cli_cmd_demo = {
    "demo",
    "the offline end-to-end demo, on a store it recreates (--db, default ./" DEMO_STORE ")",
    "demo\n"
    "  Sign-up, the Starter plan, a text-to-video job on the `local` providers, its\n"
    "  progress, result and price, a near-duplicate served from the cache, the ledger,\n"
    "  then vidgo check. Deletes and recreates its store (and its -assets directory) on\n"
    "  every run; refuses a store that is not the demo's. Exit 0, or the failing step's.",
    run_demo,
};
