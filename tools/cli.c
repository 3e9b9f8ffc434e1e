/* SPDX-License-Identifier: MIT */
/* Opening the store for a command, reporting failures, printing JSON. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static vg_time fixed_clock(void *payload)
{
    return *(const vg_time *)payload;
}

static void log_to_stderr(vg_log_level level, const char *message, void *payload)
{
    static const char *const names[] = {"debug", "info", "warning", "error"};
    (void)payload;
    fprintf(stderr, "vidgo: %s: %s\n", names[level], message);
}

/* Library statuses and the exit code each range means; the first match wins. */
static const struct {
    int from, to;
    int exit_code;
} exit_ranges[] = {
    {-899, -700, CLI_EXIT_REFUSED}, /* payments, generation */
    {-699, -600, CLI_EXIT_FAILURE}, /* providers */
    {VG_EEMAIL_SEND, VG_EEMAIL_SEND, CLI_EXIT_FAILURE}, /* the mail server, not a refusal */
    {-599, -200, CLI_EXIT_REFUSED}, /* cache, accounts, credits (VG_EINVARIANT too), plans */
    {-199, -100, CLI_EXIT_STORE},
    {VG_EEXISTS, VG_ENOTFOUND, CLI_EXIT_REFUSED}, /* no such user, hold, ...; already there */
    {VG_ERANGE, VG_EUTF8, CLI_EXIT_USAGE},        /* an amount out of range, text not UTF-8 */
    {VG_ECONFIG, VG_ECONFIG, CLI_EXIT_USAGE},
    {VG_EINVAL, VG_EINVAL, CLI_EXIT_USAGE},
};

int cli_exit_for(int status)
{
    size_t i;
    if (status == VG_OK)
        return CLI_EXIT_OK;
    for (i = 0; i < sizeof exit_ranges / sizeof exit_ranges[0]; i++)
        if (status >= exit_ranges[i].from && status <= exit_ranges[i].to)
            return exit_ranges[i].exit_code;
    return CLI_EXIT_FAILURE;
}

cJSON *cli_error_json(const cli_state *cli, int status)
{
    cJSON *err = cJSON_CreateObject();
    cJSON_AddNumberToObject(err, "code", status);
    cJSON_AddStringToObject(err, "name", vg_error_name(status));
    cJSON_AddStringToObject(err, "description", vg_strerror(status, cli->lang));
    cJSON_AddStringToObject(err, "message", vg_error_last());
    if (vg_error_retry_after() > 0)
        cJSON_AddNumberToObject(err, "retry_after_s", vg_error_retry_after());
    return err;
}

int cli_fail(cli_state *cli, int status, const char *what)
{
    const char *message = vg_error_last();
    if (cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "error", cli_error_json(cli, status));
        cli_print_json(doc);
    } else {
        fprintf(stderr, "vidgo: %s: %s\n", what, *message ? message : vg_strerror(status, cli->lang));
    }
    return cli_exit_for(status);
}

int cli_usage_error(cli_state *cli, const cli_command *cmd, const char *message)
{
    (void)cli;
    fprintf(stderr, "vidgo %s: %s\nusage: vidgo [global options] %s\n", cmd->name, message,
            cmd->usage);
    return CLI_EXIT_USAGE;
}

int cli_open(vg_ctx **out, cli_state *cli, enum cli_open_mode mode)
{
    vg_config config;
    int rc, code;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = cli->db;
    config.flags = mode == CLI_OPEN_CREATE     ? VG_OPEN_CREATE
                   : mode == CLI_OPEN_READONLY ? VG_OPEN_READONLY
                                               : 0;
    config.lang = cli->lang;
    config.mail_dir = cli->mail_dir;
    config.email_sender = cli->email_sender;
    config.email_payload = cli->email_payload;
    config.log = log_to_stderr;
    config.log_level = VG_LOG_WARN;
    if (cli->has_now) {
        config.clock = fixed_clock;
        config.clock_payload = &cli->now;
    }
    rc = vg_open(out, &config);
    if (rc == VG_OK)
        return CLI_EXIT_OK;
    code = cli_fail(cli, rc, "cannot open the store");
    /* A store that cannot be opened is exit 3 whatever the cause, but bad options. */
    return code == CLI_EXIT_USAGE ? code : CLI_EXIT_STORE;
}

void cli_print_json(cJSON *doc)
{
    char *text = cJSON_Print(doc);
    if (text) {
        puts(text);
        free(text);
    }
    cJSON_Delete(doc);
}

int cli_take_option(cli_state *cli, const char *name, const char **value)
{
    size_t n = strlen(name);
    int i, taken = 0;

    for (i = 0; i < cli->argc; i++) {
        const char *arg = cli->argv[i];
        if (strncmp(arg, name, n) != 0 || (arg[n] != '\0' && arg[n] != '='))
            continue;
        if (arg[n] == '=') {
            *value = arg + n + 1;
            taken = 1;
        } else if (i + 1 < cli->argc) {
            *value = cli->argv[i + 1];
            taken = 2;
        } else {
            return -1;
        }
        memmove(&cli->argv[i], &cli->argv[i + taken], (size_t)(cli->argc - i - taken) * sizeof *cli->argv);
        cli->argc -= taken;
        return 1;
    }
    return 0;
}

int cli_take_flag(cli_state *cli, const char *name)
{
    int i, found = 0;
    for (i = 0; i < cli->argc; i++) {
        if (strcmp(cli->argv[i], name) != 0)
            continue;
        memmove(&cli->argv[i], &cli->argv[i + 1], (size_t)(cli->argc - i - 1) * sizeof *cli->argv);
        cli->argc--;
        i--;
        found = 1;
    }
    return found;
}

const char *cli_unknown_option(const cli_state *cli)
{
    int i;
    for (i = 0; i < cli->argc; i++)
        if (cli->argv[i][0] == '-' && cli->argv[i][1] != '\0')
            return cli->argv[i];
    return NULL;
}

int cli_parse_int(const char *text, long long min, long long max, long long *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(text, &end, 10);
    if (errno || end == text || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

int cli_find_user(vg_user *out, cli_state *cli, vg_ctx *ctx, const char *email)
{
    int rc = vg_user_find(out, ctx, email);
    return rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, rc, "cannot find the user");
}

void cli_json_time(cJSON *obj, const char *name, vg_time t)
{
    char text[VG_TIME_TEXT_SIZE];
    if (t && vg_time_format(text, sizeof text, t) == VG_OK)
        cJSON_AddStringToObject(obj, name, text);
    else
        cJSON_AddNullToObject(obj, name);
}

cJSON *cli_job_json(const vg_job *j)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)j->id);
    cJSON_AddNumberToObject(o, "user_id", (double)j->user_id);
    cJSON_AddStringToObject(o, "service", j->service);
    cJSON_AddStringToObject(o, "kind", vg_task_kind_name(j->kind));
    cJSON_AddStringToObject(o, "state", vg_job_state_name(j->state));
    cJSON_AddNumberToObject(o, "percent", j->percent);
    cJSON_AddBoolToObject(o, "priority", j->priority);
    cJSON_AddStringToObject(o, "prompt", j->prompt);
    cJSON_AddStringToObject(o, "enhanced_prompt", j->enhanced_prompt);
    cJSON_AddStringToObject(o, "lang", j->lang);
    cJSON_AddNumberToObject(o, "resolution", j->resolution);
    cJSON_AddNumberToObject(o, "duration_s", j->duration_s);
    cJSON_AddNumberToObject(o, "price", j->price);
    cJSON_AddBoolToObject(o, "free_use", j->free_use);
    cJSON_AddBoolToObject(o, "charged", j->charged);
    cJSON_AddBoolToObject(o, "watermark", j->watermark);
    cJSON_AddBoolToObject(o, "cache_hit", j->cache_hit);
    cJSON_AddNumberToObject(o, "similarity", j->similarity);
    cJSON_AddNumberToObject(o, "leader_id", (double)j->leader_id);
    cJSON_AddStringToObject(o, "provider", j->provider);
    cJSON_AddBoolToObject(o, "fallback", j->fallback);
    cJSON_AddNumberToObject(o, "attempts", j->attempts);
    cJSON_AddStringToObject(o, "media_type", j->media_type);
    cJSON_AddStringToObject(o, "result_url", j->result_url);
    cJSON_AddStringToObject(o, "thumbnail_url", j->thumbnail_url);
    cJSON_AddNumberToObject(o, "width", j->width);
    cJSON_AddNumberToObject(o, "height", j->height);
    cJSON_AddBoolToObject(o, "placeholder", j->placeholder);
    cJSON_AddNumberToObject(o, "api_cost_micro_usd", (double)j->api_cost_micro_usd);
    cJSON_AddStringToObject(o, "error", j->error ? vg_error_name(j->error) : "");
    cJSON_AddStringToObject(o, "message", j->message);
    cJSON_AddStringToObject(o, "detail", j->detail);
    cli_json_time(o, "created_at", j->created_at);
    cli_json_time(o, "finished_at", j->finished_at);
    return o;
}
