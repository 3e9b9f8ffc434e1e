/* SPDX-License-Identifier: MIT */
/* `vidgo init`, `vidgo check` and `vidgo version`: the store and the library themselves. */
#include <string.h>

#include "cli.h"

static int add_event(int64_t id, vg_time at, const char *kind, const char *detail, void *payload)
{
    cJSON *event = cJSON_CreateObject();
    char when[VG_TIME_TEXT_SIZE];

    vg_time_format(when, sizeof when, at);
    cJSON_AddNumberToObject(event, "id", (double)id);
    cJSON_AddStringToObject(event, "at", when);
    cJSON_AddStringToObject(event, "kind", kind);
    cJSON_AddStringToObject(event, "detail", detail);
    cJSON_AddItemToArray(payload, event);
    return 0;
}

/* Describes the open store as a JSON object: location, backend, schema, journal. */
static int describe_store(cJSON **out, vg_ctx *ctx)
{
    cJSON *doc = cJSON_CreateObject(), *journal = cJSON_CreateArray();
    int schema = 0, rc = vg_store_schema_version(&schema, ctx);

    if (rc == VG_OK)
        rc = vg_store_events(ctx, 0, 10000, add_event, journal);
    cJSON_AddStringToObject(doc, "store", vg_store_location(ctx));
    cJSON_AddStringToObject(doc, "backend", vg_store_backend_name(ctx));
    cJSON_AddNumberToObject(doc, "schema_version", schema);
    cJSON_AddItemToObject(doc, "journal", journal);
    *out = doc;
    return rc;
}

static void print_store_text(const cJSON *doc)
{
    const cJSON *event;
    printf("store:   %s (%s)\nschema:  version %d\njournal:\n",
           cJSON_GetObjectItem(doc, "store")->valuestring,
           cJSON_GetObjectItem(doc, "backend")->valuestring,
           cJSON_GetObjectItem(doc, "schema_version")->valueint);
    cJSON_ArrayForEach(event, cJSON_GetObjectItem(doc, "journal"))
        printf("  %s  %-16s %s\n", cJSON_GetObjectItem(event, "at")->valuestring,
               cJSON_GetObjectItem(event, "kind")->valuestring,
               cJSON_GetObjectItem(event, "detail")->valuestring);
}

static int run_init(cli_state *cli)
{
    vg_ctx *ctx;
    cJSON *doc;
    int rc, code;

    if (cli->argc > 0)
        return cli_usage_error(cli, &cli_cmd_init, "takes no arguments");
    if ((code = cli_open(&ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK)
        return code;
    rc = describe_store(&doc, ctx);
    if (rc != VG_OK) {
        cJSON_Delete(doc);
        code = cli_fail(cli, rc, "cannot read the store");
    } else if (cli->json) {
        cli_print_json(doc);
    } else {
        print_store_text(doc);
        cJSON_Delete(doc);
    }
    vg_close(ctx);
    return code;
}

const cli_command cli_cmd_init = {
    "init", "create the store, or upgrade an older one to this library's schema", "init", run_init,
};

static void add_problem(const char *check, const char *subject, const char *detail, void *payload)
{
    cJSON *problem = cJSON_CreateObject();
    cJSON_AddStringToObject(problem, "check", check);
    cJSON_AddStringToObject(problem, "subject", subject);
    cJSON_AddStringToObject(problem, "detail", detail);
    cJSON_AddItemToArray(payload, problem);
}

static int run_check(cli_state *cli)
{
    vg_ctx *ctx;
    cJSON *doc, *problems = cJSON_CreateArray(), *p;
    size_t count = 0;
    int rc, code;

    if (cli->argc > 0) {
        cJSON_Delete(problems);
        return cli_usage_error(cli, &cli_cmd_check, "takes no arguments");
    }
    if ((code = cli_open(&ctx, cli, CLI_OPEN_READONLY)) != CLI_EXIT_OK) {
        cJSON_Delete(problems);
        return code;
    }
    rc = vg_check(&count, ctx, add_problem, problems);
    if (rc != VG_OK && rc != VG_EINVARIANT) {
        cJSON_Delete(problems);
        code = cli_fail(cli, rc, "cannot check the store");
        vg_close(ctx);
        return code;
    }
    code = rc == VG_OK ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
    if (cli->json) {
        doc = cJSON_CreateObject();
        cJSON_AddBoolToObject(doc, "ok", rc == VG_OK);
        cJSON_AddStringToObject(doc, "store", vg_store_location(ctx));
        cJSON_AddNumberToObject(doc, "problem_count", (double)count);
        cJSON_AddItemToObject(doc, "problems", problems);
        cli_print_json(doc);
    } else {
        cJSON_ArrayForEach(p, problems)
            printf("%s: %s: %s\n", cJSON_GetObjectItem(p, "check")->valuestring,
                   cJSON_GetObjectItem(p, "subject")->valuestring,
                   cJSON_GetObjectItem(p, "detail")->valuestring);
        printf("%s: %s\n", vg_store_location(ctx),
               rc == VG_OK ? "ok" : "problems found");
        cJSON_Delete(problems);
    }
    vg_close(ctx);
    return code;
}

const cli_command cli_cmd_check = {
    "check", "verify the store's integrity and every invariant (exit 1 if broken)", "check",
    run_check,
};

static int run_version(cli_state *cli)
{
    int with_postgres = vg_store_backend_available("postgresql");

    if (cli->argc > 0)
        return cli_usage_error(cli, &cli_cmd_version, "takes no arguments");
    if (cli->json) {
        cJSON *doc = cJSON_CreateObject(), *backends = cJSON_CreateArray();
        cJSON_AddStringToObject(doc, "version", vg_version());
        cJSON_AddNumberToObject(doc, "version_number", vg_version_number());
        cJSON_AddNumberToObject(doc, "schema_version", vg_store_schema_latest());
        cJSON_AddItemToArray(backends, cJSON_CreateString("sqlite"));
        if (with_postgres)
            cJSON_AddItemToArray(backends, cJSON_CreateString("postgresql"));
        cJSON_AddItemToObject(doc, "backends", backends);
        cli_print_json(doc);
    } else {
        printf("libvidgo %s (schema %d; backends: sqlite%s)\n", vg_version(),
               vg_store_schema_latest(), with_postgres ? ", postgresql" : "");
    }
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_version = {
    "version", "print the library's version, schema version and backends", "version", run_version,
};
