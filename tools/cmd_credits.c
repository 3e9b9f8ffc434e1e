/* SPDX-License-Identifier: MIT */
/* `vidgo user add` (the administrator's shortcut), `vidgo credits balance|grant|history` and `vidgo maintenance`. */
#include <string.h>
#include <unistd.h>

#include "cli.h"

cJSON *cli_balance_json(const vg_user *user, const vg_balance *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "email", user->email);
    cJSON_AddNumberToObject(o, "user_id", (double)b->user_id);
    cJSON_AddStringToObject(o, "plan", user->plan);
    cJSON_AddNumberToObject(o, "subscription", (double)b->subscription);
    cJSON_AddNumberToObject(o, "purchased", (double)b->purchased);
    cJSON_AddNumberToObject(o, "bonus", (double)b->bonus);
    cJSON_AddNumberToObject(o, "held", (double)b->held);
    cJSON_AddNumberToObject(o, "available", (double)b->available);
    cJSON_AddNumberToObject(o, "total", (double)b->total);
    cJSON_AddNumberToObject(o, "free_uses", b->free_uses);
    cJSON_AddNumberToObject(o, "free_uses_held", b->free_uses_held);
    cli_json_time(o, "next_reset", b->next_reset);
    cli_json_time(o, "next_bonus_expiry", b->next_bonus_expiry);
    cJSON_AddNumberToObject(o, "next_bonus_expiry_amount", (double)b->next_bonus_expiry_amount);
    cJSON_AddNumberToObject(o, "ledger_seq", (double)b->ledger_seq);
    return o;
}

void cli_print_balance(const vg_user *user, const vg_balance *b)
{
    char when[VG_TIME_TEXT_SIZE];
    vg_time_format(when, sizeof when, b->next_reset);
    printf("%s (%s)\n  subscription %lld\n  purchased    %lld\n  bonus        %lld\n"
           "  held         %lld\n  total        %lld (available %lld)\n",
           user->email, user->plan, (long long)b->subscription, (long long)b->purchased,
           (long long)b->bonus, (long long)b->held, (long long)b->total, (long long)b->available);
    if (b->free_uses || b->free_uses_held)
        printf("  free uses    %d (held %d)\n", b->free_uses, b->free_uses_held);
    printf("  next reset   %s\n", when);
    if (b->next_bonus_expiry) {
        vg_time_format(when, sizeof when, b->next_bonus_expiry);
        printf("  next expiry  %lld bonus credits at %s\n", (long long)b->next_bonus_expiry_amount,
               when);
    }
}

/* Prints a balance as text or JSON and closes the context. */
static int show_balance(cli_state *cli, vg_ctx *ctx, const vg_user *user, const vg_balance *b)
{
    if (cli->json)
        cli_print_json(cli_balance_json(user, b));
    else
        cli_print_balance(user, b);
    vg_close(ctx);
    return CLI_EXIT_OK;
}

void cli_random_key(char *buf, size_t size)
{
    unsigned char bytes[12] = {0};
    FILE *f = fopen("/dev/urandom", "rb");
    size_t i;
    if (f) {
        if (fread(bytes, 1, sizeof bytes, f) != sizeof bytes)
            memset(bytes, 0, sizeof bytes);
        fclose(f);
    }
    snprintf(buf, size, "cli-");
    for (i = 0; i < sizeof bytes && 4 + 2 * i + 2 < size; i++)
        snprintf(buf + 4 + 2 * i, size - 4 - 2 * i, "%02x", bytes[i]);
}

int cli_user_add(cli_state *cli)
{
    const char *plan = "demo";
    vg_ctx *ctx;
    vg_user user;
    vg_balance b;
    int64_t id;
    int rc, code;

    if (cli_take_option(cli, "--plan", &plan) < 0 || cli_unknown_option(cli) || cli->argc != 2)
        return cli_usage_error(cli, &cli_cmd_user, "expects: add EMAIL [--plan PLAN]");
    if ((code = cli_open(&ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK)
        return code;
    rc = vg_user_add_verified(&id, ctx, cli->argv[1], plan);
    if (rc == VG_OK)
        rc = vg_user_get(&user, ctx, id);
    if (rc == VG_OK)
        rc = vg_credits_balance(&b, ctx, id);
    if (rc != VG_OK) {
        code = cli_fail(cli, rc, "cannot add the user");
        vg_close(ctx);
        return code;
    }
    return show_balance(cli, ctx, &user, &b);
}


static int credits_balance(cli_state *cli, vg_ctx *ctx, const vg_user *user)
{
    vg_balance b;
    int rc = vg_credits_balance(&b, ctx, user->id);
    if (rc != VG_OK) {
        rc = cli_fail(cli, rc, "cannot read the balance");
        vg_close(ctx);
        return rc;
    }
    return show_balance(cli, ctx, user, &b);
}

static int credits_grant(cli_state *cli, vg_ctx *ctx, const vg_user *user, const char *amount_text,
                         const char *kind_text, const char *expires_text, const char *key,
                         const char *reference)
{
    char generated[40];
    long long amount;
    vg_time expires = 0;
    vg_credit_kind kind;
    vg_balance b;
    int rc;

    if (cli_parse_int(amount_text, 1, 1000000000000LL, &amount) != 0 || !kind_text ||
        (strcmp(kind_text, "purchased") != 0 && strcmp(kind_text, "bonus") != 0) ||
        (expires_text && vg_time_parse(&expires, expires_text) != VG_OK)) {
        vg_close(ctx);
        return cli_usage_error(cli, &cli_cmd_credits, "grant needs AMOUNT (a positive integer), "
                               "--kind purchased|bonus, and an RFC 3339 --expires if given");
    }
    kind = strcmp(kind_text, "bonus") == 0 ? VG_CREDIT_BONUS : VG_CREDIT_PURCHASED;
    if (!key) {
        cli_random_key(generated, sizeof generated);
        key = generated;
    }
    rc = vg_credits_grant(&b, ctx, user->id, kind, amount, expires, reference, key);
    if (rc != VG_OK) {
        rc = cli_fail(cli, rc, "cannot grant credits");
        vg_close(ctx);
        return rc;
    }
    return show_balance(cli, ctx, user, &b);
}

typedef struct history_out {
    cJSON *rows;
} history_out;

static int add_entry(const vg_ledger_entry *e, void *payload)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "seq", (double)e->seq);
    cli_json_time(o, "at", e->at);
    cli_json_time(o, "effective_at", e->effective_at);
    cJSON_AddStringToObject(o, "type", vg_ledger_type_name(e->type));
    cJSON_AddNumberToObject(o, "amount", (double)e->amount);
    cJSON_AddNumberToObject(o, "bonus", (double)e->bonus);
    cJSON_AddNumberToObject(o, "subscription", (double)e->subscription);
    cJSON_AddNumberToObject(o, "purchased", (double)e->purchased);
    cJSON_AddNumberToObject(o, "free_uses", e->free_uses);
    cJSON_AddNumberToObject(o, "total_after", (double)e->total_after);
    cJSON_AddNumberToObject(o, "bonus_after", (double)e->bonus_after);
    cJSON_AddNumberToObject(o, "subscription_after", (double)e->subscription_after);
    cJSON_AddNumberToObject(o, "purchased_after", (double)e->purchased_after);
    cJSON_AddNumberToObject(o, "free_uses_after", e->free_uses_after);
    cJSON_AddStringToObject(o, "service", e->service);
    cJSON_AddStringToObject(o, "reference", e->reference);
    cJSON_AddNumberToObject(o, "hold_id", (double)e->hold_id);
    cJSON_AddItemToArray(((history_out *)payload)->rows, o);
    return 0;
}

static int credits_history(cli_state *cli, vg_ctx *ctx, const vg_user *user, const char *limit_text,
                           const char *before_text)
{
    history_out out = {cJSON_CreateArray()};
    long long limit = 20, before = 0;
    const cJSON *r;
    int rc;

    if ((limit_text && cli_parse_int(limit_text, 1, 1000, &limit) != 0) ||
        (before_text && cli_parse_int(before_text, 1, INT64_MAX, &before) != 0)) {
        cJSON_Delete(out.rows);
        vg_close(ctx);
        return cli_usage_error(cli, &cli_cmd_credits, "--limit is 1..1000, --before a row number");
    }
    rc = vg_credits_history(ctx, user->id, before, (int)limit, add_entry, &out);
    vg_close(ctx);
    if (rc != VG_OK) {
        cJSON_Delete(out.rows);
        return cli_fail(cli, rc, "cannot read the history");
    }
    if (cli->json) {
        cli_print_json(out.rows);
        return CLI_EXIT_OK;
    }
    printf("%5s  %-20s  %-12s %7s %7s  %-12s %s\n", "row", "at", "type", "amount", "total",
           "service", "reference");
    cJSON_ArrayForEach(r, out.rows)
        printf("%5d  %.20s  %-12s %+7d %7d  %-12s %s\n", cJSON_GetObjectItem(r, "seq")->valueint,
               cJSON_GetObjectItem(r, "at")->valuestring, cJSON_GetObjectItem(r, "type")->valuestring,
               cJSON_GetObjectItem(r, "amount")->valueint,
               cJSON_GetObjectItem(r, "total_after")->valueint,
               cJSON_GetObjectItem(r, "service")->valuestring,
               cJSON_GetObjectItem(r, "reference")->valuestring);
    cJSON_Delete(out.rows);
    return CLI_EXIT_OK;
}

static int run_credits(cli_state *cli)
{
    const char *kind = NULL, *expires = NULL, *key = NULL, *reference = NULL, *limit = NULL,
               *before = NULL, *sub;
    vg_ctx *ctx;
    vg_user user;
    int code, wants_write, args;

    if (cli_take_option(cli, "--kind", &kind) < 0 || cli_take_option(cli, "--expires", &expires) < 0 ||
        cli_take_option(cli, "--key", &key) < 0 || cli_take_option(cli, "--reference", &reference) < 0 ||
        cli_take_option(cli, "--limit", &limit) < 0 || cli_take_option(cli, "--before", &before) < 0 ||
        cli_unknown_option(cli) || cli->argc < 2)
        return cli_usage_error(cli, &cli_cmd_credits, "expects a subcommand and an e-mail");
    sub = cli->argv[0];
    args = strcmp(sub, "grant") == 0 ? 3 : 2;
    if ((strcmp(sub, "grant") != 0 && (kind || expires || key || reference)) ||
        (strcmp(sub, "history") != 0 && (limit || before)))
        return cli_usage_error(cli, &cli_cmd_credits, "an option of another subcommand");
    if ((strcmp(sub, "balance") != 0 && strcmp(sub, "grant") != 0 && strcmp(sub, "history") != 0) ||
        cli->argc != args)
        return cli_usage_error(cli, &cli_cmd_credits, "unknown subcommand or wrong arguments");
    wants_write = strcmp(sub, "history") != 0; /* a balance read applies what is due */
    if ((code = cli_open(&ctx, cli, wants_write ? CLI_OPEN_EXISTING : CLI_OPEN_READONLY)) != CLI_EXIT_OK)
        return code;
    if ((code = cli_find_user(&user, cli, ctx, cli->argv[1])) != CLI_EXIT_OK) {
        vg_close(ctx);
        return code;
    }
    if (strcmp(sub, "balance") == 0)
        return credits_balance(cli, ctx, &user);
    if (strcmp(sub, "grant") == 0)
        return credits_grant(cli, ctx, &user, cli->argv[2], kind, expires, key, reference);
    return credits_history(cli, ctx, &user, limit, before);
}

const cli_command cli_cmd_credits = {
    "credits", "a user's balance, grants and ledger history",
    "credits balance EMAIL\n"
    "       vidgo credits grant EMAIL AMOUNT --kind purchased|bonus [--expires TIME] [--key KEY]\n"
    "                                        [--reference TEXT]\n"
    "       vidgo credits history EMAIL [--limit N] [--before ROW]",
    run_credits,
};

static int run_maintenance(cli_state *cli)
{
    vg_maintenance_report r;
    vg_ctx *ctx;
    int rc, code;

    if (cli->argc > 0)
        return cli_usage_error(cli, &cli_cmd_maintenance, "takes no arguments");
    if ((code = cli_open(&ctx, cli, CLI_OPEN_EXISTING)) != CLI_EXIT_OK)
        return code;
    rc = vg_credits_maintenance(&r, ctx);
    vg_close(ctx);
    if (rc != VG_OK)
        return cli_fail(cli, rc, "maintenance failed");
    if (cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "users", (double)r.users);
        cJSON_AddNumberToObject(o, "weekly_resets", (double)r.weekly_resets);
        cJSON_AddNumberToObject(o, "expiries", (double)r.expiries);
        cJSON_AddNumberToObject(o, "holds_expired", (double)r.holds_expired);
        cli_print_json(o);
    } else {
        printf("%lld wallets: %lld weekly resets, %lld bonus expiries, %lld holds expired\n",
               (long long)r.users, (long long)r.weekly_resets, (long long)r.expiries,
               (long long)r.holds_expired);
    }
    return CLI_EXIT_OK;
}

const cli_command cli_cmd_maintenance = {
    "maintenance", "apply due weekly resets and expiries to every wallet (idempotent)",
    "maintenance", run_maintenance,
};
