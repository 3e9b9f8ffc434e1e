/* SPDX-License-Identifier: MIT */
/* The driver of the provider tests: runs one public provider call (submit, poll, run,
 * cancel, reconcile, info, check, a Pollo webhook, moderate, enhance) against whatever the
 * environment configures, and prints the outcome as one JSON line per call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/internal.h"
#include "providers/http.h"
#include "driver_store.h"

static const char usage[] =
    "usage: provider_driver [--debug] [--mode auto|local|remote] [--assets DIR] [--repeat N]\n"
    "                       [--clock-step-ms MS] [--now-s T] COMMAND ...\n"
    "  submit PROVIDER KIND [task options]\n"
    "  poll PROVIDER KIND JOB_ID\n"
    "  run PROVIDER KIND [task options] [--max-polls N] [--max-wait-ms MS]\n"
    "  cancel PROVIDER JOB_ID\n"
    "  reconcile PROVIDER KIND --since-us T [task options]\n"
    "  info PROVIDER | check PROVIDER\n"
    "  pollo-webhook --id ID --timestamp TS --signature SIG --body-file F [--secret S]\n"
    "                [--base64] [--tolerance N]\n"
    "  moderate TEXT [--lang L] [--image F --mime M] | enhance TEXT [--lang L]\n"
    "task options: --prompt P --negative P --model M --style S --resolution N --width N\n"
    "  --height N --duration N --seed N --input-url U --image FILE --mime M --input-job ID\n"
    "  --webhook URL\n";

/* ---- the context's clock: real time plus an offset the driver moves ------------------- */

static vg_time clock_offset;

static vg_time real_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (vg_time)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static vg_time driver_clock(void *payload)
{
    (void)payload;
    return real_now() + clock_offset;
}

static void log_line(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

static void no_sleep(int ms)
{
    fprintf(stderr, "sleep %d\n", ms);
}

/* ---- JSON output ------------------------------------------------------------------------ */

static void put_str(const char *s)
{
    const unsigned char *p;
    putchar('"');
    for (p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void put_field(const char *name, const char *value)
{
    printf(",\"%s\":", name);
    put_str(value);
}

static void put_failure(vg_ctx *ctx, int rc)
{
    printf("{\"status\":");
    put_str(vg_error_name(rc));
    put_field("message", ctx ? vg_ctx_errmsg(ctx) : vg_error_last());
    printf("}\n");
}

static void put_job_fields(const vg_provider_job *job)
{
    put_field("provider", job->provider);
    put_field("job_id", job->job_id);
    put_field("kind", vg_task_kind_name(job->kind));
    put_field("state", vg_task_state_name(job->state));
    printf(",\"percent\":%d,\"poll_after_ms\":%d", job->percent, job->poll_after_ms);
    put_field("media_type", job->media_type);
    put_field("result_url", job->result_url);
    put_field("thumbnail_url", job->thumbnail_url);
    put_field("model", job->model);
    printf(",\"width\":%d,\"height\":%d,\"duration_s\":%d,\"api_cost_micro\":%lld", job->width,
           job->height, job->duration_s, (long long)job->api_cost_micro);
    put_field("api_cost_unit", job->api_cost_unit);
    put_field("failure_code", job->failure_code);
    put_field("failure", job->failure);
    printf(",\"placeholder\":%d", job->placeholder);
}

static void put_job(vg_ctx *ctx, int rc, const vg_provider_job *job)
{
    if (rc != VG_OK) {
        put_failure(ctx, rc);
        return;
    }
    printf("{\"status\":\"VG_OK\"");
    put_job_fields(job);
    printf("}\n");
}

/* ---- arguments ------------------------------------------------------------------------- */

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    unsigned char *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (buf = malloc((size_t)n + 1)) != NULL) {
        *len = fread(buf, 1, (size_t)n, f);
        buf[*len] = '\0';
        if (*len != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* The options of one command, parsed from argv[first..argc). */
typedef struct options {
    vg_provider_task task;
    unsigned char *image;
    int max_polls, max_wait_ms, base64, tolerance;
    long long since_us;
    const char *lang, *mime, *id, *timestamp, *signature, *body_file, *secret;
} options;

static int int_arg(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < -1000000000L || v > 1000000000L)
        return 0;
    *out = (int)v;
    return 1;
}

/* Returns 1 when every option was known and had its value. */
static int parse_options(options *o, int argc, char **argv, int first)
{
    const vg_provider_task init = VG_PROVIDER_TASK_INIT;
    const char *image_file = NULL;
    int i;

    memset(o, 0, sizeof *o);
    o->task = init;
    o->max_polls = 1000;
    o->max_wait_ms = 20;
    for (i = first; i < argc; i++) {
        const char *name = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        int ok = 1;
        if (strcmp(name, "--base64") == 0) {
            o->base64 = 1;
            continue;
        }
        if (!value)
            return 0;
        i++;
        if (strcmp(name, "--prompt") == 0)
            o->task.prompt = value;
        else if (strcmp(name, "--negative") == 0)
            o->task.negative_prompt = value;
        else if (strcmp(name, "--model") == 0)
            o->task.model = value;
        else if (strcmp(name, "--style") == 0)
            o->task.style = value;
        else if (strcmp(name, "--resolution") == 0)
            ok = int_arg(value, &o->task.resolution);
        else if (strcmp(name, "--width") == 0)
            ok = int_arg(value, &o->task.width);
        else if (strcmp(name, "--height") == 0)
            ok = int_arg(value, &o->task.height);
        else if (strcmp(name, "--duration") == 0)
            ok = int_arg(value, &o->task.duration_s);
        else if (strcmp(name, "--seed") == 0)
            o->task.seed = strtoll(value, NULL, 10);
        else if (strcmp(name, "--input-url") == 0)
            o->task.input_url = value;
        else if (strcmp(name, "--image") == 0)
            image_file = value;
        else if (strcmp(name, "--mime") == 0)
            o->mime = o->task.input_image_mime = value;
        else if (strcmp(name, "--input-job") == 0)
            o->task.input_job_id = value;
        else if (strcmp(name, "--webhook") == 0)
            o->task.webhook_url = value;
        else if (strcmp(name, "--max-polls") == 0)
            ok = int_arg(value, &o->max_polls);
        else if (strcmp(name, "--max-wait-ms") == 0)
            ok = int_arg(value, &o->max_wait_ms);
        else if (strcmp(name, "--since-us") == 0)
            o->since_us = strtoll(value, NULL, 10);
        else if (strcmp(name, "--lang") == 0)
            o->lang = value;
        else if (strcmp(name, "--id") == 0)
            o->id = value;
        else if (strcmp(name, "--timestamp") == 0)
            o->timestamp = value;
        else if (strcmp(name, "--signature") == 0)
            o->signature = value;
        else if (strcmp(name, "--body-file") == 0)
            o->body_file = value;
        else if (strcmp(name, "--secret") == 0)
            o->secret = value;
        else if (strcmp(name, "--tolerance") == 0)
            ok = int_arg(value, &o->tolerance);
        else
            return 0;
        if (!ok)
            return 0;
    }
    if (image_file && !(o->image = read_all(image_file, &o->task.input_image_len))) {
        fprintf(stderr, "cannot read %s\n", image_file);
        return 0;
    }
    o->task.input_image = o->image;
    return 1;
}

/* ---- commands -------------------------------------------------------------------------- */

static int kind_arg(const char *name, vg_task_kind *out)
{
    int k = vg_task_kind_index(name);
    if (k < 0) {
        fprintf(stderr, "unknown kind %s\n", name);
        return 0;
    }
    *out = (vg_task_kind)k;
    return 1;
}

static int is_final(vg_task_state s)
{
    return s == VG_TASK_SUCCEEDED || s == VG_TASK_FAILED || s == VG_TASK_CANCELLED;
}

static int cmd_run(vg_ctx *ctx, const char *provider, const options *o)
{
    vg_provider_job job;
    int rc, polls = 0;

    vg_provider_job_init(&job, VG_PROVIDER_JOB_VERSION);
    rc = vg_provider_submit(&job, ctx, provider, &o->task);
    put_job(ctx, rc, &job);
    while (rc == VG_OK && !is_final(job.state) && polls++ < o->max_polls) {
        int wait = job.poll_after_ms < o->max_wait_ms ? job.poll_after_ms : o->max_wait_ms;
        if (wait > 0)
            usleep((useconds_t)wait * 1000);
        rc = vg_provider_poll(&job, ctx);
        put_job(ctx, rc, &job);
    }
    return rc;
}

static void put_info(vg_ctx *ctx, int rc, const vg_provider_info *info)
{
    if (rc != VG_OK) {
        put_failure(ctx, rc);
        return;
    }
    printf("{\"status\":\"VG_OK\"");
    put_field("name", info->name);
    printf(",\"has_key\":%d", info->has_key);
    put_field("key_source", info->key_source);
    put_field("key_masked", info->key_masked);
    put_field("base_url", info->base_url);
    printf(",\"serves\":%d,\"breaker_open\":%d,\"checked\":%d,\"reachable\":%d,"
           "\"latency_ms\":%d",
           info->serves, info->breaker_open, info->checked, info->reachable, info->latency_ms);
    put_field("check_status", vg_error_name(info->status));
    put_field("detail", info->detail);
    printf("}\n");
}

static int cmd_webhook(vg_ctx *ctx, const options *o)
{
    vg_provider_job job;
    unsigned char *body = NULL;
    size_t len = 0;
    int rc;

    if (o->body_file && !(body = read_all(o->body_file, &len))) {
        fprintf(stderr, "cannot read %s\n", o->body_file);
        return VG_EINVAL;
    }
    vg_provider_job_init(&job, VG_PROVIDER_JOB_VERSION);
    rc = vg_pollo_webhook_verify(&job, ctx, o->id, o->timestamp, o->signature,
                                 (const char *)body, len, o->secret,
                                 o->base64 ? VG_WEBHOOK_KEY_BASE64 : VG_WEBHOOK_KEY_RAW,
                                 o->tolerance);
    put_job(ctx, rc, &job);
    free(body);
    return rc;
}

static int cmd_moderate(vg_ctx *ctx, const char *text, const options *o)
{
    vg_moderation m;
    int rc;

    memset(&m, 0, sizeof m);
    m.version = VG_MODERATION_VERSION;
    rc = vg_moderate(&m, ctx, text, o->image, o->task.input_image_len, o->mime, o->lang);
    if (rc != VG_OK) {
        put_failure(ctx, rc);
        return rc;
    }
    printf("{\"status\":\"VG_OK\",\"blocked\":%s", m.blocked ? "true" : "false");
    put_field("reason", m.reason);
    put_field("message", m.message);
    put_field("provider", m.provider);
    put_field("detail", m.detail);
    printf("}\n");
    return rc;
}

static int cmd_enhance(vg_ctx *ctx, const char *text, const options *o)
{
    char out[4096];
    const char *provider = NULL;
    int rc = vg_prompt_enhance(out, sizeof out, &provider, ctx, text, o->lang);
    if (rc != VG_OK) {
        put_failure(ctx, rc);
        return rc;
    }
    printf("{\"status\":\"VG_OK\"");
    put_field("provider", provider);
    put_field("text", out);
    printf("}\n");
    return rc;
}

/* Runs argv[0] with its arguments once. Returns the call's status, or -1 for bad usage. */
static int run_command(vg_ctx *ctx, int argc, char **argv)
{
    const char *cmd = argv[0];
    vg_provider_info info;
    vg_provider_job job;
    options o;
    int rc = -1;

    memset(&o, 0, sizeof o);
    vg_provider_job_init(&job, VG_PROVIDER_JOB_VERSION);
    memset(&info, 0, sizeof info);
    info.version = VG_PROVIDER_INFO_VERSION;
    if ((strcmp(cmd, "submit") == 0 || strcmp(cmd, "run") == 0 ||
         strcmp(cmd, "reconcile") == 0) && argc >= 3) {
        if (!parse_options(&o, argc, argv, 3) || !kind_arg(argv[2], &o.task.kind))
            goto done;
        if (strcmp(cmd, "submit") == 0) {
            rc = vg_provider_submit(&job, ctx, argv[1], &o.task);
            put_job(ctx, rc, &job);
        } else if (strcmp(cmd, "run") == 0) {
            rc = cmd_run(ctx, argv[1], &o);
        } else {
            rc = vg_provider_reconcile(&job, ctx, argv[1], &o.task, (vg_time)o.since_us);
            put_job(ctx, rc, &job);
        }
    } else if (strcmp(cmd, "poll") == 0 && argc == 4) {
        if (!kind_arg(argv[2], &job.kind))
            goto done;
        snprintf(job.provider, sizeof job.provider, "%s", argv[1]);
        snprintf(job.job_id, sizeof job.job_id, "%s", argv[3]);
        rc = vg_provider_poll(&job, ctx);
        put_job(ctx, rc, &job);
    } else if (strcmp(cmd, "cancel") == 0 && argc == 3) {
        rc = vg_provider_cancel(ctx, argv[1], argv[2]);
        if (rc == VG_OK)
            printf("{\"status\":\"VG_OK\"}\n");
        else
            put_failure(ctx, rc);
    } else if (strcmp(cmd, "info") == 0 && argc == 2) {
        rc = vg_provider_info_get(&info, ctx, argv[1]);
        put_info(ctx, rc, &info);
    } else if (strcmp(cmd, "check") == 0 && argc == 2) {
        rc = vg_provider_check(&info, ctx, argv[1]);
        put_info(ctx, rc, &info);
    } else if (strcmp(cmd, "pollo-webhook") == 0) {
        if (parse_options(&o, argc, argv, 1))
            rc = cmd_webhook(ctx, &o);
    } else if ((strcmp(cmd, "moderate") == 0 || strcmp(cmd, "enhance") == 0) && argc >= 2) {
        if (parse_options(&o, argc, argv, 2))
            rc = cmd[0] == 'm' ? cmd_moderate(ctx, argv[1], &o) : cmd_enhance(ctx, argv[1], &o);
    }
done:
    free(o.image);
    if (rc == -1)
        fputs(usage, stderr);
    fflush(stdout);
    return rc;
}

int main(int argc, char **argv)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    char dir[DRIVER_DIR_SIZE];
    const char *timeout = getenv("VIDGO_TEST_PROVIDER_TIMEOUT_MS");
    int i = 1, repeat = 1, step_ms = 0, rc = VG_OK, r;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.log = log_line;
    config.log_level = VG_LOG_WARN;
    config.clock = driver_clock;
    config.pwhash_opslimit = 1;
    config.pwhash_memlimit = 8192;
    if (timeout)
        config.provider_timeout_ms = atoi(timeout);
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        const char *value = i + 1 < argc ? argv[i + 1] : "";
        if (strcmp(argv[i], "--debug") == 0) {
            config.log_level = VG_LOG_DEBUG;
            continue;
        }
        i++;
        if (strcmp(argv[i - 1], "--mode") == 0)
            config.provider_mode = strcmp(value, "local") == 0    ? VG_PROVIDERS_LOCAL
                                   : strcmp(value, "remote") == 0 ? VG_PROVIDERS_REMOTE
                                                                  : VG_PROVIDERS_AUTO;
        else if (strcmp(argv[i - 1], "--assets") == 0)
            config.assets_dir = value;
        else if (strcmp(argv[i - 1], "--repeat") == 0)
            repeat = atoi(value);
        else if (strcmp(argv[i - 1], "--clock-step-ms") == 0)
            step_ms = atoi(value);
        else if (strcmp(argv[i - 1], "--now-s") == 0)
            clock_offset = (vg_time)strtoll(value, NULL, 10) * 1000000 - real_now();
        else
            break;
    }
    if (i >= argc || repeat < 1) {
        fputs(usage, stderr);
        return 2;
    }
    vg__http_sleep_hook = no_sleep;
    if (driver_store_open(&ctx, &config, dir) != VG_OK)
        return 1;
    for (r = 0; r < repeat; r++) {
        if (r > 0)
            clock_offset += (vg_time)step_ms * 1000;
        rc = run_command(ctx, argc - i, argv + i);
        if (rc == -1)
            break;
    }
    driver_store_close(ctx, dir);
    return rc == -1 ? 2 : 0;
}
