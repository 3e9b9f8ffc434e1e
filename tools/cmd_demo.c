/* SPDX-License-Identifier: MIT */
/* `vidgo demo`: the main job, run offline end to end on a store of its own. It grows with
 * the library: today plans, access rules, the wallet, the similarity cache and accounts;
 * later the generation pipeline. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define DEMO_STORE "vidgo-demo.db"

/* What a step of the story does. */
typedef enum demo_action { ACCESS, GRANT_BONUS, HOLD, CAPTURE, RELEASE } demo_action;

/* The story, one row a step. Keys make a second run replay the first one's outcomes. */
static const struct demo_step {
    const char *who;
    demo_action action;
    const char *service; /* ACCESS and HOLD */
    int amount;          /* GRANT_BONUS */
    const char *note;
} story[] = {
    {"mei", ACCESS, "video_720p", 0, "a demo user asks for a 720p video"},
    {"mei", ACCESS, "video_1080p", 0, "... and for 1080p"},
    {"mei", HOLD, "image_512", 0, "she makes a product image: a free use is held"},
    {"mei", CAPTURE, NULL, 0, "the image is delivered: the free use is spent"},
    {"kenji", GRANT_BONUS, NULL, 10, "a Pro user gets a 10-credit welcome bonus"},
    {"kenji", HOLD, "video_4k", 0, "he orders a 4K video: bonus first, then subscription"},
    {"kenji", CAPTURE, NULL, 0, "the video is delivered: one debit in the ledger"},
    {"kenji", HOLD, "video_pro", 0, "he orders VidGo Video Pro"},
    {"kenji", RELEASE, NULL, 0, "the provider fails: every credit goes back"},
    {"kenji", ACCESS, "style_effects", 0, "may he use style effects? (subscribers only)"},
};

static const struct demo_user {
    const char *who, *email, *plan;
} users[] = {
    {"mei", "mei@demo.vidgo", "demo"},
    {"kenji", "kenji@demo.vidgo", "pro"},
};

static int64_t demo_user_id(vg_ctx *ctx, const char *who, int *rc)
{
    vg_user user;
    size_t i;
    int64_t id = 0;
    for (i = 0; i < sizeof users / sizeof users[0]; i++) {
        if (strcmp(users[i].who, who) != 0)
            continue;
        *rc = vg_user_find(&user, ctx, users[i].email);
        if (*rc == VG_ENOTFOUND)
            *rc = vg_user_add_verified(&id, ctx, users[i].email, users[i].plan);
        else if (*rc == VG_OK)
            id = user.id;
    }
    return id;
}

/* Runs one step; writes what happened into `line` and returns the step's status. */
static int run_step(vg_ctx *ctx, size_t index, vg_hold *hold, char *line, size_t size)
{
    const struct demo_step *s = &story[index];
    vg_access_request request = VG_ACCESS_REQUEST_INIT;
    vg_access access;
    vg_balance b;
    char key[32];
    int rc = VG_OK;
    int64_t user = demo_user_id(ctx, s->who, &rc);

    if (rc != VG_OK)
        return rc;
    snprintf(key, sizeof key, "demo-step-%zu", index);
    switch (s->action) {
    case ACCESS:
        request.service = s->service;
        rc = vg_access_check(&access, ctx, user, &request);
        if (rc == VG_OK && !access.allowed)
            snprintf(line, size, "refused (%s): %s", vg_error_name(access.reason),
                     vg_strerror(access.reason, vg_ctx_lang(ctx)));
        else if (rc == VG_OK && access.free_use)
            snprintf(line, size, "allowed: a free use%s%s", access.watermark ? ", watermark" : "",
                     access.cache_only ? ", from the similarity cache only" : "");
        else if (rc == VG_OK)
            snprintf(line, size, "allowed: %d credits%s%s%s", access.price,
                     access.watermark ? ", watermark" : "",
                     access.cache_only ? ", from the similarity cache only" : "",
                     access.priority ? ", priority queue" : "");
        return rc;
    case GRANT_BONUS:
        rc = vg_credits_grant(&b, ctx, user, VG_CREDIT_BONUS, s->amount, 0, "welcome", key);
        if (rc == VG_OK)
            snprintf(line, size, "bonus %lld, subscription %lld, total %lld", (long long)b.bonus,
                     (long long)b.subscription, (long long)b.total);
        return rc;
    case HOLD:
        rc = vg_credits_hold(hold, ctx, user, s->service, "demo", key);
        break;
    case CAPTURE:
        rc = vg_credits_capture(hold, ctx, hold->id, key);
        break;
    case RELEASE:
        rc = vg_credits_release(hold, ctx, hold->id, key);
        break;
    }
    if (rc == VG_OK)
        snprintf(line, size, "%s %lld: bonus %lld + subscription %lld + purchased %lld%s | "
                 "balance %lld (held %lld)", s->action == HOLD ? "hold" : s->action == CAPTURE ?
                 "captured" : "released", (long long)hold->price, (long long)hold->from_bonus,
                 (long long)hold->from_subscription, (long long)hold->from_purchased,
                 hold->free_use ? " (a free use)" : "", (long long)hold->balance.total,
                 (long long)hold->balance.held);
    return rc;
}

/* Reports one step of the demo: a JSON object in `steps`, or two lines of text. */
static void report_step(cli_state *cli, cJSON *steps, const char *who, const char *note,
                        const char *result)
{
    if (cli->json) {
        cJSON *step = cJSON_CreateObject();
        cJSON_AddStringToObject(step, "who", who);
        cJSON_AddStringToObject(step, "what", note);
        cJSON_AddStringToObject(step, "result", result);
        cJSON_AddItemToArray(steps, step);
    } else {
        printf("%-6s %s\n       -> %s\n", who, note, result);
    }
}

/* --- the sign-up story: accounts, with the e-mail kept in memory ----------------------- */

#define SIGNUP_EMAIL "ana@demo.vidgo"
#define SIGNUP_PASSWORD "una contraseña larga"

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

/* Reports one step of the sign-up story, or its failure; returns rc. */
static int signup_step(cli_state *cli, cJSON *steps, const char *note, int rc, const char *result)
{
    char line[256];
    if (rc == VG_OK)
        snprintf(line, sizeof line, "%s", result);
    else
        snprintf(line, sizeof line, "%s: %s", vg_error_name(rc), vg_error_last());
    report_step(cli, steps, "ana", note, line);
    return rc;
}

/* Sign-up, a wrong and a right code, sign-in, a refresh, and a replayed refresh token. A
 * second run finds ana verified and starts at the sign-in. Returns a status that is not
 * one of the story's expected refusals. */
static int run_signup(cli_state *cli, vg_ctx *ctx, cJSON *steps, const char *code)
{
    vg_session first, second;
    vg_user user;
    char wrong[8], line[128];
    int rc = vg_user_find(&user, ctx, SIGNUP_EMAIL);

    if (rc == VG_ENOTFOUND) {
        rc = vg_account_register(NULL, ctx, SIGNUP_EMAIL, SIGNUP_PASSWORD, "es", "demo");
        snprintf(line, sizeof line, "a code is e-mailed to %s (in Spanish)", SIGNUP_EMAIL);
        if (signup_step(cli, steps, "ana signs up", rc, line) != VG_OK)
            return rc;
        snprintf(wrong, sizeof wrong, "%06d", (atoi(code) + 1) % 1000000);
        rc = vg_account_verify(ctx, SIGNUP_EMAIL, wrong);
        signup_step(cli, steps, "she mistypes the code", rc, "");
        if (rc != VG_ECODE_INVALID)
            return rc == VG_OK ? VG_ERROR : rc;
        rc = vg_account_verify(ctx, SIGNUP_EMAIL, code);
        if (signup_step(cli, steps, "she types the right code", rc,
                        "the address is verified; 2 free demo uses wait") != VG_OK)
            return rc;
    } else if (rc != VG_OK) {
        return rc;
    }
    rc = vg_account_login(&first, ctx, SIGNUP_EMAIL, SIGNUP_PASSWORD, "demo");
    if (signup_step(cli, steps, "she signs in", rc,
                    "a 30-minute access token (HS256 JWT) and a refresh token") != VG_OK)
        return rc;
    rc = vg_session_refresh(&second, ctx, first.refresh_token);
    if (signup_step(cli, steps, "the app refreshes the session", rc,
                    "a new pair; the old refresh token is spent") != VG_OK)
        return rc;
    rc = vg_session_refresh(&second, ctx, first.refresh_token);
    signup_step(cli, steps, "a stolen copy of the spent token is replayed", rc, "");
    return rc == VG_ETOKEN_REVOKED ? VG_OK : rc == VG_OK ? VG_ERROR : rc;
}

/* --- the cache story: a demo user's video comes from the similarity cache ---------------- */

#define CACHED_PROMPT "A red sneaker spinning on a white table, studio light"

/* A paid user's video is cached; mei, on the demo plan, gets a near-duplicate from the
 * cache, and a request that differs in colour is not served from it. */
static int run_cache_story(cli_state *cli, vg_ctx *ctx, cJSON *steps)
{
    static const char *const asks[][2] = {
        {"a red sneaker spinning on a white table with studio light",
         "mei asks for a video like one made before"},
        {"A blue sneaker spinning on a white table, studio light",
         "... and for a blue one (the second gate compares colours)"},
    };
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    vg_cache *cache;
    vg_cache_hit hit;
    char line[256];
    size_t i;
    int rc;

    scope.service = "video_720p";
    if ((rc = vg_cache_open(&cache, ctx, NULL)) != VG_OK)
        return rc;
    rc = vg_cache_lookup(&hit, cache, &scope, CACHED_PROMPT, 0);
    if (rc == VG_OK && hit.match != VG_CACHE_EXACT)
        rc = vg_cache_put(NULL, cache, &scope, CACHED_PROMPT,
                          "{\"video\": \"demo://videos/red-sneaker-720p.mp4\"}", 250000, 0, 0, 0);
    for (i = 0; i < sizeof asks / sizeof asks[0] && rc == VG_OK; i++) {
        rc = vg_cache_lookup(&hit, cache, &scope, asks[i][0], 0);
        if (rc != VG_OK)
            break;
        if (hit.match != VG_CACHE_MISS)
            snprintf(line, sizeof line, "served from the cache (similarity %.2f): %.120s",
                     hit.similarity, hit.entry.result);
        else
            snprintf(line, sizeof line, "not in the cache (similarity %.2f%s): available on "
                     "paid plans", hit.similarity, hit.gate_rejected ? ", colours differ" : "");
        report_step(cli, steps, "mei", asks[i][1], line);
    }
    vg_cache_close(cache);
    return rc;
}

static int run_demo(cli_state *cli)
{
    vg_ctx *ctx;
    vg_hold hold;
    cJSON *doc = cJSON_CreateObject(), *steps = cJSON_AddArrayToObject(doc, "steps");
    char line[256], mailbox[8] = "";
    size_t problems = 0, i;
    int rc = VG_OK, code;

    if (cli->argc > 0) {
        cJSON_Delete(doc);
        return cli_usage_error(cli, &cli_cmd_demo, "takes no arguments");
    }
    if (!cli->db)
        cli->db = DEMO_STORE;
    cli->email_sender = demo_mailbox;
    cli->email_payload = mailbox;
    if ((code = cli_open(&ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK) {
        cJSON_Delete(doc);
        return code;
    }
    if (!cli->json)
        printf("VidGo engine — libvidgo %s, store %s (%s)\n\n", vg_version(),
               vg_store_location(ctx), vg_store_backend_name(ctx));
    memset(&hold, 0, sizeof hold);
    for (i = 0; i < sizeof story / sizeof story[0] && rc == VG_OK; i++) {
        line[0] = '\0';
        rc = run_step(ctx, i, &hold, line, sizeof line);
        if (rc != VG_OK)
            break;
        report_step(cli, steps, story[i].who, story[i].note, line);
    }
    if (rc == VG_OK)
        rc = run_cache_story(cli, ctx, steps);
    if (rc == VG_OK)
        rc = run_signup(cli, ctx, steps, mailbox);
    if (rc == VG_OK)
        rc = vg_check(&problems, ctx, NULL, NULL);
    if (rc != VG_OK && rc != VG_EINVARIANT) {
        cJSON_Delete(doc);
        code = cli_fail(cli, rc, "demo failed");
        vg_close(ctx);
        return code;
    }
    cJSON_AddStringToObject(doc, "library", vg_version());
    cJSON_AddStringToObject(doc, "store", vg_store_location(ctx));
    cJSON_AddBoolToObject(doc, "check_ok", problems == 0);
    if (cli->json)
        cli_print_json(doc);
    else {
        printf("\nvidgo check: %s\n", problems == 0 ? "every wallet's ledger verifies"
                                                    : "PROBLEMS (run vidgo check)");
        printf("The generation pipeline joins this demo as it lands (see the issues).\n");
        cJSON_Delete(doc);
    }
    vg_close(ctx);
    return problems == 0 ? CLI_EXIT_OK : CLI_EXIT_REFUSED;
}

const cli_command cli_cmd_demo = {
    "demo", "run the offline end-to-end demo (store: --db, default ./" DEMO_STORE ")", "demo",
    run_demo,
};
