/* SPDX-License-Identifier: MIT */
/* `vidgo generate`, `vidgo job show|list|cancel`, `vidgo worker`: the generation pipeline
 * from the command line. */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* ---- output --------------------------------------------------------------------------------- */


static void print_job(const cli_state *cli, const vg_job *j)
{
    if (cli->json) {
        cli_print_json(cli_job_json(j));
        return;
    }
    printf("job %lld: %s %s, %s", (long long)j->id, j->service, vg_task_kind_name(j->kind),
           vg_job_state_name(j->state));
    if (j->percent >= 0 && j->state < VG_JOB_SUCCEEDED)
        printf(" %d%%", j->percent);
    printf(", price %d%s%s\n", j->price, j->free_use ? " (a free use)" : "",
           j->charged ? ", charged" : "");
    if (j->cache_hit)
        printf("  served from the similarity cache (similarity %.2f), no provider cost\n",
               j->similarity);
    if (j->result_url[0])
        printf("  %s%s: %s\n", j->media_type, j->placeholder ? " (offline placeholder)" : "",
               j->result_url);
    if (j->watermark && j->state == VG_JOB_SUCCEEDED)
        printf("  show it with the VidGo watermark (demo plan)\n");
    if (j->message[0])
        printf("  %s\n", j->message);
}

/* ---- generate ------------------------------------------------------------------------------ */

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n)) != NULL && fread(buf, 1, (size_t)n, f) == (size_t)n) {
        *len = (size_t)n;
    } else {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

static const char *mime_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && (strcmp(dot, ".jpg") == 0 || strcmp(dot, ".jpeg") == 0))
        return "image/jpeg";
    if (dot && strcmp(dot, ".webp") == 0)
        return "image/webp";
    return "image/png";
}

/* A worker of this process, run in a thread while `generate --work` waits. */
typedef struct side_worker {
    vg_worker *worker;
    pthread_t thread;
    int started;
} side_worker;

static void *side_worker_main(void *payload)
{
    vg_worker_run(((side_worker *)payload)->worker, 50, 0);
    return NULL;
}

/* Waits for a job, printing each change of state or percent. */
static int wait_for(cli_state *cli, vg_ctx *ctx, int64_t id, int timeout_s, vg_job *job)
{
    int last_state = -1, last_percent = -2, waited_ms = 0, rc;

    for (;;) {
        rc = vg_job_wait(job, ctx, id, 200);
        if (rc != VG_OK && rc != VG_ETIMEOUT)
            return rc;
        if (!cli->json && ((int)job->state != last_state || job->percent != last_percent) &&
            job->state < VG_JOB_SUCCEEDED) {
            printf("  %s", vg_job_state_name(job->state));
            if (job->percent >= 0)
                printf(" %d%%", job->percent);
            printf("\n");
            fflush(stdout);
        }
        last_state = (int)job->state;
        last_percent = job->percent;
        if (rc == VG_OK)
            return VG_OK;
        if ((waited_ms += 200) >= timeout_s * 1000)
            return VG_ETIMEOUT;
    }
}

static int run_generate(cli_state *cli)
{
    const char *user = NULL, *service = NULL, *prompt = NULL, *image_path = NULL, *key = NULL,
               *style = NULL, *duration = NULL, *input = NULL, *timeout = NULL;
    vg_generate_request req = VG_GENERATE_REQUEST_INIT;
    long long duration_v = 0, input_v = 0, timeout_v = 600;
    int wait = 0, work = 0, is_public = 0, code, rc;
    vg_generator *g = NULL;
    side_worker side = {NULL, 0, 0};
    unsigned char *image = NULL;
    char random_key[40];
    vg_user u;
    vg_job job;
    vg_ctx *ctx;
    size_t i;

    for (i = 0; i < (size_t)cli->argc; i++) {
        const char *a = cli->argv[i];
        int flag = strcmp(a, "--wait") == 0 ? 1 : strcmp(a, "--work") == 0 ? 2
                 : strcmp(a, "--public") == 0 ? 3 : 0;
        if (!flag)
            continue;
        wait |= flag == 1;
        work |= flag == 2;
        is_public |= flag == 3;
        memmove(&cli->argv[i], &cli->argv[i + 1], (size_t)(cli->argc - (int)i - 1) * sizeof *cli->argv);
        cli->argc--;
        i--;
    }
    if (cli_take_option(cli, "--user", &user) < 0 || cli_take_option(cli, "--service", &service) < 0 ||
        cli_take_option(cli, "--prompt", &prompt) < 0 || cli_take_option(cli, "--image", &image_path) < 0 ||
        cli_take_option(cli, "--key", &key) < 0 || cli_take_option(cli, "--style", &style) < 0 ||
        cli_take_option(cli, "--duration", &duration) < 0 ||
        cli_take_option(cli, "--input-job", &input) < 0 ||
        cli_take_option(cli, "--timeout", &timeout) < 0 || cli_unknown_option(cli) ||
        cli->argc != 0 || !user || !service ||
        (duration && cli_parse_int(duration, 1, 600, &duration_v) != 0) ||
        (input && cli_parse_int(input, 1, INT64_MAX, &input_v) != 0) ||
        (timeout && cli_parse_int(timeout, 1, 86400, &timeout_v) != 0))
        return cli_usage_error(cli, &cli_cmd_generate, "bad or missing option");
    if (image_path && !(image = read_file(image_path, &req.image_len))) {
        fprintf(stderr, "vidgo generate: cannot read %s\n", image_path);
        return CLI_EXIT_USAGE;
    }
    if ((code = cli_open(&ctx, cli, CLI_OPEN_EXISTING)) != CLI_EXIT_OK) {
        free(image);
        return code;
    }
    if ((code = cli_find_user(&u, cli, ctx, user)) != CLI_EXIT_OK)
        goto done;
    if (!key) {
        unsigned int r1 = (unsigned int)rand(), t = (unsigned int)time(NULL);
        snprintf(random_key, sizeof random_key, "cli-%x-%x-%lx", t, r1, (long)clock());
        key = random_key;
    }
    if ((rc = vg_generator_open(&g, ctx, NULL)) != VG_OK) {
        code = cli_fail(cli, rc, "cannot start the generator");
        goto done;
    }
    req.user_id = u.id;
    req.service = service;
    req.prompt = prompt;
    req.lang = cli->lang;
    req.duration_s = (int)duration_v;
    req.style = style;
    req.image = image;
    req.image_mime = image_path ? mime_of(image_path) : NULL;
    req.input_job_id = input_v;
    req.is_public = is_public;
    req.idempotency_key = key;
    if ((rc = vg_generate_submit(&job, g, &req)) != VG_OK) {
        code = cli_fail(cli, rc, "cannot submit the request");
        goto done;
    }
    if (!cli->json)
        print_job(cli, &job);
    if ((wait || work) && job.state < VG_JOB_SUCCEEDED) {
        if (work && vg_worker_new(&side.worker, g, NULL) == VG_OK &&
            pthread_create(&side.thread, NULL, side_worker_main, &side) == 0)
            side.started = 1;
        rc = wait_for(cli, ctx, job.id, (int)timeout_v, &job);
        if (side.started) {
            vg_worker_stop(side.worker);
            pthread_join(side.thread, NULL);
        }
        vg_worker_free(side.worker);
        if (rc != VG_OK) {
            code = cli_fail(cli, rc, "the job did not finish");
            goto done;
        }
        if (!cli->json)
            print_job(cli, &job);
    }
    if (cli->json)
        print_job(cli, &job);
    code = job.state == VG_JOB_FAILED || job.state == VG_JOB_CANCELLED ? CLI_EXIT_REFUSED
                                                                       : CLI_EXIT_OK;
done:
    vg_generator_close(g);
    vg_close(ctx);
    free(image);
    return code;
}

const cli_command cli_cmd_generate = {
    "generate", "submit a generation (a video, an image, an effect); --wait shows progress",
    "generate --user EMAIL --service S [--prompt P] [--image FILE] [--input-job ID]\n"
    "       [--style S] [--duration N] [--key K] [--public] [--wait] [--work] [--timeout S]\n"
    "  --wait: wait for the result (a worker must run: `vidgo worker`); --work: run one in\n"
    "  this process while waiting. Exit 1 when the job failed or was refused.",
    run_generate,
};

/* ---- job show|list|cancel ------------------------------------------------------------------- */

static int list_one(const vg_job *job, void *payload)
{
    cli_state *cli = payload;
    if (cli->json)
        cJSON_AddItemToArray((cJSON *)cli->argv[0], cli_job_json(job)); /* see run_job */
    else
        print_job(cli, job);
    return 0;
}

static int run_job(cli_state *cli)
{
    const char *user = NULL, *limit = NULL;
    long long id = 0, limit_v = 20;
    int active = 0, code, rc = VG_OK;
    vg_generator *g = NULL;
    cJSON *list = NULL;
    char **argv_saved;
    vg_ctx *ctx;
    vg_user u;
    vg_job job;
    size_t i;

    for (i = 0; i < (size_t)cli->argc; i++)
        if (strcmp(cli->argv[i], "--active") == 0) {
            active = 1;
            memmove(&cli->argv[i], &cli->argv[i + 1],
                    (size_t)(cli->argc - (int)i - 1) * sizeof *cli->argv);
            cli->argc--;
            break;
        }
    if (cli_take_option(cli, "--user", &user) < 0 || cli_take_option(cli, "--limit", &limit) < 0 ||
        cli_unknown_option(cli) || cli->argc < 1 ||
        (limit && cli_parse_int(limit, 1, 1000, &limit_v) != 0))
        return cli_usage_error(cli, &cli_cmd_job, "bad option or missing subcommand");
    if (strcmp(cli->argv[0], "list") != 0 &&
        (cli->argc != 2 || cli_parse_int(cli->argv[1], 1, INT64_MAX, &id) != 0 ||
         (strcmp(cli->argv[0], "show") != 0 && strcmp(cli->argv[0], "cancel") != 0)))
        return cli_usage_error(cli, &cli_cmd_job, "expected show ID, cancel ID or list");
    if ((code = cli_open(&ctx, cli, strcmp(cli->argv[0], "cancel") == 0 ? CLI_OPEN_EXISTING
                                                                        : CLI_OPEN_READONLY)) !=
        CLI_EXIT_OK)
        return code;
    memset(&u, 0, sizeof u);
    if (user && (code = cli_find_user(&u, cli, ctx, user)) != CLI_EXIT_OK)
        goto done;
    if (strcmp(cli->argv[0], "show") == 0) {
        if ((rc = vg_job_get(&job, ctx, id)) == VG_OK)
            print_job(cli, &job);
    } else if (strcmp(cli->argv[0], "cancel") == 0) {
        if ((rc = vg_generator_open(&g, ctx, NULL)) == VG_OK &&
            (rc = vg_job_cancel(&job, g, id, u.id)) == VG_OK)
            print_job(cli, &job);
    } else {
        list = cJSON_CreateArray();
        argv_saved = cli->argv;
        cli->argv = (char **)&list; /* list_one finds the array there */
        rc = vg_jobs_list(ctx, u.id, active, 0, (int)limit_v, list_one, cli);
        cli->argv = argv_saved;
        if (rc == VG_OK && cli->json) {
            cli_print_json(list);
            list = NULL;
        }
    }
    code = rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, rc, "cannot do that to the job");
done:
    cJSON_Delete(list);
    vg_generator_close(g);
    vg_close(ctx);
    return code;
}

const cli_command cli_cmd_job = {
    "job", "jobs: show one, list them, cancel one",
    "job show ID | cancel ID [--user EMAIL] | list [--user EMAIL] [--active] [--limit N]",
    run_job,
};

/* ---- worker -------------------------------------------------------------------------------- */

typedef struct worker_thread {
    vg_worker *worker;
    int idle_ms, until_idle, rc;
} worker_thread;

static void *worker_main(void *payload)
{
    worker_thread *t = payload;
    t->rc = vg_worker_run(t->worker, t->idle_ms, t->until_idle);
    return NULL;
}

static int run_worker(cli_state *cli)
{
    const char *name = NULL, *idle = NULL, *lease = NULL, *job_timeout = NULL, *max_poll = NULL,
               *aging = NULL, *max_attempts = NULL;
    long long idle_v = 200, lease_v = 0, job_timeout_v = 0, max_poll_v = 0, aging_v = 0,
              max_attempts_v = 0;
    vg_generator_options options = VG_GENERATOR_OPTIONS_INIT;
    worker_thread t = {NULL, 0, 0, VG_OK};
    vg_generator *g = NULL;
    pthread_t thread;
    sigset_t signals;
    int code, rc, sig;
    vg_ctx *ctx;
    size_t i;

    for (i = 0; i < (size_t)cli->argc; i++)
        if (strcmp(cli->argv[i], "--until-idle") == 0) {
            t.until_idle = 1;
            memmove(&cli->argv[i], &cli->argv[i + 1],
                    (size_t)(cli->argc - (int)i - 1) * sizeof *cli->argv);
            cli->argc--;
            break;
        }
    if (cli_take_option(cli, "--name", &name) < 0 || cli_take_option(cli, "--idle-ms", &idle) < 0 ||
        cli_take_option(cli, "--lease-s", &lease) < 0 ||
        cli_take_option(cli, "--job-timeout-s", &job_timeout) < 0 ||
        cli_take_option(cli, "--max-poll-ms", &max_poll) < 0 ||
        cli_take_option(cli, "--aging-s", &aging) < 0 ||
        cli_take_option(cli, "--max-attempts", &max_attempts) < 0 || cli_unknown_option(cli) ||
        cli->argc != 0 || (idle && cli_parse_int(idle, 1, 60000, &idle_v) != 0) ||
        (lease && cli_parse_int(lease, 1, 86400, &lease_v) != 0) ||
        (job_timeout && cli_parse_int(job_timeout, 1, 86400 * 7, &job_timeout_v) != 0) ||
        (max_poll && cli_parse_int(max_poll, 1, 600000, &max_poll_v) != 0) ||
        (aging && cli_parse_int(aging, 1, 86400 * 7, &aging_v) != 0) ||
        (max_attempts && cli_parse_int(max_attempts, 1, 100, &max_attempts_v) != 0))
        return cli_usage_error(cli, &cli_cmd_worker, "bad option");
    if ((code = cli_open(&ctx, cli, CLI_OPEN_EXISTING)) != CLI_EXIT_OK)
        return code;
    options.lease_s = (int)lease_v;
    options.job_timeout_s = (int)job_timeout_v;
    options.max_poll_ms = (int)max_poll_v;
    options.aging_s = (int)aging_v;
    options.max_attempts = (int)max_attempts_v;
    if ((rc = vg_generator_open(&g, ctx, &options)) != VG_OK ||
        (rc = vg_worker_new(&t.worker, g, name)) != VG_OK) {
        code = cli_fail(cli, rc, "cannot start the worker");
        goto done;
    }
    t.idle_ms = (int)idle_v;
    /* the worker runs in a thread; this one waits for SIGINT or SIGTERM and stops it */
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);
    if (pthread_create(&thread, NULL, worker_main, &t) != 0) {
        code = cli_fail(cli, VG_ENOMEM, "cannot start the worker thread");
        goto done;
    }
    if (!cli->json)
        fprintf(stderr, "vidgo worker: running (SIGINT or SIGTERM stops it after its step)\n");
    if (t.until_idle) {
        pthread_join(thread, NULL);
    } else {
        sigwait(&signals, &sig);
        vg_worker_stop(t.worker);
        pthread_join(thread, NULL);
    }
    code = t.rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, t.rc, "the worker stopped on an error");
done:
    vg_worker_free(t.worker);
    vg_generator_close(g);
    vg_close(ctx);
    return code;
}

const cli_command cli_cmd_worker = {
    "worker", "run a worker: claim due jobs and drive them to their result",
    "worker [--name N] [--idle-ms N] [--until-idle] [--lease-s N] [--job-timeout-s N]\n"
    "       [--max-poll-ms N] [--aging-s N] [--max-attempts N]\n"
    "  runs until SIGINT or SIGTERM; --until-idle: until no job is left unfinished;\n"
    "  --max-poll-ms: the longest wait between two polls of a provider (default 10000);\n"
    "  --aging-s: a job waiting longer is served as priority (default 120);\n"
    "  --max-attempts: provider submissions before the fallback (default 3)",
    run_worker,
};
