/* SPDX-License-Identifier: MIT */
/* `vidgo plans` and `vidgo pricing`: the catalog, as users and operators see it. */
#include <string.h>

#include "cli.h"

static const char *const kind_names[] = {"video", "image", "effect"};

/* Adds the display names of a record as {"en": ..., "ja": ...}. */
static void add_names(cJSON *obj, const char names[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE])
{
    cJSON *n = cJSON_AddObjectToObject(obj, "display_name");
    size_t i;
    for (i = 0; i < VG_LANG_COUNT; i++)
        cJSON_AddStringToObject(n, vg_lang_tag(i), names[i]);
}

static int add_plan(const vg_plan *p, void *payload)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", p->name);
    cJSON_AddNumberToObject(o, "rank", p->rank);
    cJSON_AddNumberToObject(o, "price_twd", (double)p->price_twd);
    cJSON_AddNumberToObject(o, "weekly_credits", p->weekly_credits);
    cJSON_AddNumberToObject(o, "free_uses", p->free_uses);
    cJSON_AddNumberToObject(o, "topup_discount_pct", p->topup_discount_pct);
    cJSON_AddNumberToObject(o, "max_resolution", p->max_resolution);
    cJSON_AddNumberToObject(o, "max_fps", p->max_fps);
    cJSON_AddBoolToObject(o, "watermark", p->watermark);
    cJSON_AddBoolToObject(o, "priority_queue", p->priority_queue);
    cJSON_AddBoolToObject(o, "effects", p->effects);
    cJSON_AddBoolToObject(o, "paid", p->paid);
    cJSON_AddBoolToObject(o, "active", p->active);
    add_names(o, p->display_name);
    cJSON_AddItemToArray(payload, o);
    return 0;
}

static int lang_index(const cli_state *cli)
{
    int i = cli->lang ? vg_lang_index(cli->lang) : 0;
    return i < 0 ? 0 : i;
}

static int run_plans(cli_state *cli)
{
    cJSON *plans = cJSON_CreateArray(), *p;
    vg_ctx *ctx;
    int rc, code, l = lang_index(cli);

    if (cli->argc > 0) {
        cJSON_Delete(plans);
        return cli_usage_error(cli, &cli_cmd_plans, "takes no arguments");
    }
    if ((code = cli_open(&ctx, cli, CLI_OPEN_READONLY)) != CLI_EXIT_OK) {
        cJSON_Delete(plans);
        return code;
    }
    rc = vg_plans_list(ctx, add_plan, plans);
    vg_close(ctx);
    if (rc != VG_OK) {
        cJSON_Delete(plans);
        return cli_fail(cli, rc, "cannot list plans");
    }
    if (cli->json) {
        cli_print_json(plans);
        return CLI_EXIT_OK;
    }
    printf("%-10s %-14s %9s %8s %6s %9s %-10s %s\n", "plan", "name", "NT$/month", "credits",
           "free", "top-up", "output", "features");
    cJSON_ArrayForEach(p, plans) {
        char output[32];
        snprintf(output, sizeof output, "%s%s",
                 cJSON_GetObjectItem(p, "max_resolution")->valueint >= 2160 ? "4K" :
                 cJSON_GetObjectItem(p, "max_resolution")->valueint >= 1080 ? "1080p" : "720p",
                 cJSON_GetObjectItem(p, "max_fps")->valueint >= 60 ? " 60fps" : "");
        printf("%-10s %-14s %9d %6d/wk %6d %8d%% %-10s %s%s%s\n",
               cJSON_GetObjectItem(p, "name")->valuestring,
               cJSON_GetObjectItem(cJSON_GetObjectItem(p, "display_name"), vg_lang_tag((size_t)l))->valuestring,
               cJSON_GetObjectItem(p, "price_twd")->valueint,
               cJSON_GetObjectItem(p, "weekly_credits")->valueint,
               cJSON_GetObjectItem(p, "free_uses")->valueint,
               cJSON_GetObjectItem(p, "topup_discount_pct")->valueint, output,
               cJSON_IsTrue(cJSON_GetObjectItem(p, "watermark")) ? "watermark " : "",
               cJSON_IsTrue(cJSON_GetObjectItem(p, "effects")) ? "effects " : "",
               cJSON_IsTrue(cJSON_GetObjectItem(p, "priority_queue")) ? "priority" : "");
    }
    cJSON_Delete(plans);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_plans = {"plans", "list the plans", "plans", run_plans};

static int add_service(const vg_service *s, void *payload)
{
    cJSON *o;
    if (s->internal)
        return 0; /* the fallback is not something users can pick */
    o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", s->name);
    cJSON_AddStringToObject(o, "kind", kind_names[s->kind]);
    cJSON_AddNumberToObject(o, "credits", s->credits);
    cJSON_AddStringToObject(o, "min_plan", s->min_plan);
    cJSON_AddBoolToObject(o, "subscribers_only", s->subscribers_only);
    cJSON_AddNumberToObject(o, "resolution", s->resolution);
    cJSON_AddNumberToObject(o, "max_duration_s", s->max_duration_s);
    cJSON_AddBoolToObject(o, "active", s->active);
    add_names(o, s->display_name);
    cJSON_AddItemToArray(payload, o);
    return 0;
}

static int add_offer(const vg_package_offer *offer, void *payload)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", offer->package->name);
    cJSON_AddNumberToObject(o, "credits", (double)offer->package->credits);
    cJSON_AddNumberToObject(o, "list_price_twd", (double)offer->package->price_twd);
    cJSON_AddNumberToObject(o, "discount_pct", offer->discount_pct);
    cJSON_AddNumberToObject(o, "price_twd", (double)offer->price_twd);
    add_names(o, offer->package->display_name);
    cJSON_AddItemToArray(payload, o);
    return 0;
}

static int run_pricing(cli_state *cli)
{
    cJSON *doc = cJSON_CreateObject(), *services = cJSON_AddArrayToObject(doc, "services"),
          *packages = cJSON_AddArrayToObject(doc, "packages"), *item;
    const char *plan = NULL, *bad;
    vg_ctx *ctx;
    int rc, code, l = lang_index(cli);

    if (cli_take_option(cli, "--plan", &plan) < 0 || cli->argc > 0) {
        cJSON_Delete(doc);
        bad = cli_unknown_option(cli);
        return cli_usage_error(cli, &cli_cmd_pricing, bad ? "unknown option" : "takes no arguments");
    }
    if ((code = cli_open(&ctx, cli, CLI_OPEN_READONLY)) != CLI_EXIT_OK) {
        cJSON_Delete(doc);
        return code;
    }
    rc = vg_services_list(ctx, add_service, services);
    if (rc == VG_OK)
        rc = vg_packages_list(ctx, plan, add_offer, packages);
    vg_close(ctx);
    if (rc != VG_OK) {
        cJSON_Delete(doc);
        return cli_fail(cli, rc, "cannot list prices");
    }
    if (plan)
        cJSON_AddStringToObject(doc, "plan", plan);
    if (cli->json) {
        cli_print_json(doc);
        return CLI_EXIT_OK;
    }
    printf("%-14s %-26s %-7s %7s  %s\n", "service", "name", "kind", "credits", "who");
    cJSON_ArrayForEach(item, services)
        printf("%-14s %-26s %-7s %7d  %s+%s\n", cJSON_GetObjectItem(item, "name")->valuestring,
               cJSON_GetObjectItem(cJSON_GetObjectItem(item, "display_name"), vg_lang_tag((size_t)l))->valuestring,
               cJSON_GetObjectItem(item, "kind")->valuestring,
               cJSON_GetObjectItem(item, "credits")->valueint,
               cJSON_GetObjectItem(item, "min_plan")->valuestring,
               cJSON_IsTrue(cJSON_GetObjectItem(item, "subscribers_only")) ? " (subscribers)" : "");
    printf("\n%-14s %7s %10s %10s\n", "package", "credits", "list NT$", plan ? "your NT$" : "");
    cJSON_ArrayForEach(item, packages)
        printf("%-14s %7d %10d %10d\n", cJSON_GetObjectItem(item, "name")->valuestring,
               cJSON_GetObjectItem(item, "credits")->valueint,
               cJSON_GetObjectItem(item, "list_price_twd")->valueint,
               cJSON_GetObjectItem(item, "price_twd")->valueint);
    cJSON_Delete(doc);
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_pricing = {
    "pricing", "list services with their credits, and top-up packages (with a plan's discount)",
    "pricing [--plan PLAN]", run_pricing,
};
