/* SPDX-License-Identifier: MIT */
/* `vidgo demo`: the main job, run offline end to end on a store of its own. */
#include <string.h>

#include "cli.h"

#define DEMO_STORE "vidgo-demo.db"

static const char *const demo_langs[] = {"en", "ja", "zh-TW", "ko", "es"};
static const int demo_codes[] = {VG_EINSUFFICIENT_CREDITS, VG_EPAID_ONLY, VG_ECODE_EXPIRED};

static int count_event(int64_t id, vg_time at, const char *kind, const char *detail, void *payload)
{
    (void)id, (void)at, (void)kind, (void)detail;
    ++*(int *)payload;
    return 0;
}

static int run_demo(cli_state *cli)
{
    vg_ctx *ctx;
    cJSON *doc = cJSON_CreateObject(), *messages = cJSON_AddObjectToObject(doc, "messages");
    size_t problems = 0, i, l;
    int schema = 0, events = 0, rc, code;

    if (cli->argc > 0) {
        cJSON_Delete(doc);
        return cli_usage_error(cli, &cli_cmd_demo, "takes no arguments");
    }
    if (!cli->db)
        cli->db = DEMO_STORE;
    if ((code = cli_open(&ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK) {
        cJSON_Delete(doc);
        return code;
    }
    rc = vg_store_schema_version(&schema, ctx);
    if (rc == VG_OK)
        rc = vg_store_events(ctx, 0, 10000, count_event, &events);
    if (rc == VG_OK)
        rc = vg_check(&problems, ctx, NULL, NULL);
    if (rc != VG_OK && rc != VG_EINVARIANT) {
        cJSON_Delete(doc);
        code = cli_fail(cli, rc, "demo failed");
        vg_close(ctx);
        return code;
    }
    for (i = 0; i < sizeof demo_codes / sizeof demo_codes[0]; i++) {
        cJSON *texts = cJSON_AddObjectToObject(messages, vg_error_name(demo_codes[i]));
        for (l = 0; l < sizeof demo_langs / sizeof demo_langs[0]; l++)
            cJSON_AddStringToObject(texts, demo_langs[l], vg_strerror(demo_codes[i], demo_langs[l]));
    }
    cJSON_AddStringToObject(doc, "library", vg_version());
    cJSON_AddStringToObject(doc, "store", vg_store_location(ctx));
    cJSON_AddStringToObject(doc, "backend", vg_store_backend_name(ctx));
    cJSON_AddNumberToObject(doc, "schema_version", schema);
    cJSON_AddNumberToObject(doc, "journal_entries", events);
    cJSON_AddNumberToObject(doc, "status_codes", (double)vg_error_count());
    cJSON_AddBoolToObject(doc, "check_ok", problems == 0);
    if (cli->json) {
        cli_print_json(doc);
    } else {
        const cJSON *code_texts, *text;
        printf("VidGo engine — libvidgo %s\n\n", vg_version());
        printf("Store      %s (%s, schema %d, %d journal entr%s) — check: %s\n",
               vg_store_location(ctx), vg_store_backend_name(ctx), schema, events,
               events == 1 ? "y" : "ies", problems == 0 ? "ok" : "PROBLEMS (run vidgo check)");
        printf("Messages   %zu status codes, each in en, ja, zh-TW, ko, es; for example:\n",
               vg_error_count());
        cJSON_ArrayForEach(code_texts, messages) {
            printf("  %s\n", code_texts->string);
            cJSON_ArrayForEach(text, code_texts)
                printf("    %-6s %s\n", text->string, text->valuestring);
        }
        printf("\nThe generation pipeline joins this demo as it lands (see the issues).\n");
        cJSON_Delete(doc);
    }
    vg_close(ctx);
    return problems == 0 ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}

const cli_command cli_cmd_demo = {
    "demo", "run the offline end-to-end demo (store: --db, default ./" DEMO_STORE ")", "demo",
    run_demo,
};
