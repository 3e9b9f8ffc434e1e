/* SPDX-License-Identifier: MIT */
/* `vidgo gallery ...`: the inspiration gallery: topics with counts, random examples,
 * promotion of a finished public job, removal. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEFAULT_COUNT 6

typedef struct gallery_call {
    cli_state *cli;
    vg_ctx *ctx;
    cJSON *list; /* the JSON array the callbacks fill */
    const char *topic, *title;
    long long count, id; /* id: the positional JOB_ID or ID */
    unsigned long long seed;
} gallery_call;

static int add_topic(const vg_topic *t, void *payload)
{
    gallery_call *c = payload;
    cJSON *o;

    if (!c->cli->json) {
        printf("%-14s %5d  %s\n", t->topic, t->count, t->title);
        return 0;
    }
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "topic", t->topic);
    cJSON_AddStringToObject(o, "title", t->title);
    cJSON_AddNumberToObject(o, "count", t->count);
    cJSON_AddItemToArray(c->list, o);
    return 0;
}

static int add_example(const vg_example *e, void *payload)
{
    gallery_call *c = payload;
    cJSON *o;

    if (!c->cli->json) {
        printf("%6lld  [%s/%s] %s\n        %s\n        %s (%s)%s%s\n", (long long)e->id, e->topic,
               e->lang, e->title, e->prompt, e->service, e->media_type, *e->result_url ? " " : "",
               e->result_url);
        return 0;
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    cJSON_AddStringToObject(o, "topic", e->topic);
    cJSON_AddStringToObject(o, "lang", e->lang);
    cJSON_AddStringToObject(o, "title", e->title);
    cJSON_AddStringToObject(o, "prompt", e->prompt);
    cJSON_AddStringToObject(o, "service", e->service);
    cJSON_AddStringToObject(o, "media_type", e->media_type);
    cJSON_AddStringToObject(o, "result_url", e->result_url);
    cJSON_AddStringToObject(o, "thumbnail_url", e->thumbnail_url);
    cJSON_AddNumberToObject(o, "job_id", (double)e->job_id);
    cli_json_time(o, "created_at", e->created_at);
    cJSON_AddItemToArray(c->list, o);
    return 0;
}

static int do_topics(gallery_call *c)
{
    return vg_gallery_topics(c->ctx, c->cli->lang, add_topic, c);
}

static int do_examples(gallery_call *c)
{
    return vg_gallery_examples(c->ctx, c->topic, c->cli->lang, (int)c->count, (uint64_t)c->seed,
                               add_example, c);
}

/* Prints {"<name>": id} or "<text> <id>". */
static void print_id(const gallery_call *c, const char *name, const char *text, int64_t id)
{
    if (c->cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, name, (double)id);
        cli_print_json(o);
    } else {
        printf("%s %lld\n", text, (long long)id);
    }
}

static int do_promote(gallery_call *c)
{
    int64_t id = 0;
    int rc = vg_gallery_promote(&id, c->ctx, c->id, c->topic, c->title);
    if (rc == VG_OK)
        print_id(c, "id", "example", id);
    return rc;
}

static int do_remove(gallery_call *c)
{
    int rc = vg_gallery_remove(c->ctx, c->id);
    if (rc == VG_OK)
        print_id(c, "removed", "removed example", c->id);
    return rc;
}

/* The subcommands: how many positional arguments each takes, whether it lists. */
static const struct {
    const char *name;
    int args;
    int lists;
    int (*run)(gallery_call *c);
    const char *what;
} subcommands[] = {
    {"topics", 0, 1, do_topics, "cannot list the topics"},
    {"examples", 0, 1, do_examples, "cannot pick examples"},
    {"promote", 1, 0, do_promote, "cannot promote the job"},
    {"remove", 1, 0, do_remove, "cannot remove the example"},
};

/* Takes the options out of the arguments. Returns NULL, or what is wrong. */
static const char *take_options(gallery_call *c)
{
    const char *count = NULL, *seed = NULL;
    char *end;

    if (cli_take_option(c->cli, "--topic", &c->topic) < 0 ||
        cli_take_option(c->cli, "--title", &c->title) < 0 ||
        cli_take_option(c->cli, "--count", &count) < 0 ||
        cli_take_option(c->cli, "--seed", &seed) < 0)
        return "an option needs a value";
    c->count = DEFAULT_COUNT;
    if (count && cli_parse_int(count, 1, 100, &c->count) != 0)
        return "--count is a number from 1 to 100";
    if (seed) {
        errno = 0;
        c->seed = strtoull(seed, &end, 10);
        if (errno || end == seed || *end || *seed == '-' || *seed == '+')
            return "--seed is a number from 0 to 18446744073709551615";
    }
    return NULL;
}

static int run_gallery(cli_state *cli)
{
    gallery_call c;
    const char *problem;
    size_t i;
    int rc, code;

    memset(&c, 0, sizeof c);
    c.cli = cli;
    if ((problem = take_options(&c)) != NULL)
        return cli_usage_error(cli, &cli_cmd_gallery, problem);
    if (cli_unknown_option(cli) || cli->argc < 1)
        return cli_usage_error(cli, &cli_cmd_gallery, "unknown option or missing subcommand");
    for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(cli->argv[0], subcommands[i].name) == 0)
            break;
    if (i == sizeof subcommands / sizeof subcommands[0])
        return cli_usage_error(cli, &cli_cmd_gallery, "unknown subcommand");
    if (cli->argc - 1 != subcommands[i].args)
        return cli_usage_error(cli, &cli_cmd_gallery, "wrong number of arguments");
    if (subcommands[i].args && cli_parse_int(cli->argv[1], 1, INT64_MAX, &c.id) != 0)
        return cli_usage_error(cli, &cli_cmd_gallery, "an id is a positive number");
    if (subcommands[i].run == do_promote && !c.topic)
        return cli_usage_error(cli, &cli_cmd_gallery, "promote needs --topic");
    /* Read-write even to list: the first use of a gallery seeds it. */
    if ((code = cli_open(&c.ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK)
        return code;
    c.list = subcommands[i].lists && cli->json ? cJSON_CreateArray() : NULL;
    rc = subcommands[i].run(&c);
    if (rc == VG_OK && c.list)
        cli_print_json(c.list);
    else
        cJSON_Delete(c.list);
    code = rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, rc, subcommands[i].what);
    vg_close(c.ctx);
    return code;
}

const cli_command cli_cmd_gallery = {
    "gallery",
    "the inspiration gallery: topics, examples, promote, remove",
    "gallery topics | examples [--topic T] [--count N] [--seed N]\n"
    "       | promote JOB_ID --topic T [--title T] | remove ID\n"
    "  --lang L (global) picks the language (default: en); examples: --count 1..100\n"
    "  (default 6), --seed N > 0 gives the same pick each time (0: random).\n"
    "  promote: the job must have succeeded and be public.",
    run_gallery,
};
