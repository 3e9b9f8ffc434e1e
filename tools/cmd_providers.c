/* SPDX-License-Identifier: MIT */
/* `vidgo providers list|check`, `vidgo moderate`, `vidgo enhance`, `vidgo embed`: the
 * providers from the command line, for support work. Keys are shown masked, never whole. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* The throwaway store of a run without a store of its own, removed by close_any. */
static char scratch_dir[64];

/* A throwaway store needs no lasting secret: a random one for this run keeps the library
 * from making one and warning that it did. */
static void scratch_secret(void)
{
    unsigned char bytes[32];
    char hex[65];
    FILE *f;
    size_t i;

    if (getenv("VIDGO_SECRET") || !(f = fopen("/dev/urandom", "rb")))
        return;
    if (fread(bytes, 1, sizeof bytes, f) == sizeof bytes) {
        for (i = 0; i < sizeof bytes; i++)
            snprintf(hex + 2 * i, 3, "%02x", bytes[i]);
        setenv("VIDGO_SECRET", hex, 1);
    }
    fclose(f);
}

/* Opens the store if there is one; these commands need no store of their own, so without
 * one they use a throwaway store in a temporary folder rather than create ./vidgo.db. */
static int open_any(vg_ctx **out, cli_state *cli)
{
    static char scratch_db[96];
    const char *db = cli->db ? cli->db : getenv("VIDGO_DB");

    if (!db || (strstr(db, "://") == NULL && access(db, F_OK) != 0)) {
        snprintf(scratch_dir, sizeof scratch_dir, "/tmp/vidgo-XXXXXX");
        if (!mkdtemp(scratch_dir)) {
            scratch_dir[0] = '\0';
            fprintf(stderr, "vidgo: cannot make a temporary folder\n");
            return CLI_EXIT_FAILURE;
        }
        snprintf(scratch_db, sizeof scratch_db, "%s/scratch.db", scratch_dir);
        cli->db = scratch_db;
        scratch_secret();
    }
    return cli_open(out, cli, CLI_OPEN_CREATE);
}

static void close_any(vg_ctx *ctx)
{
    static const char *const files[] = {"scratch.db", "scratch.db-wal", "scratch.db-shm"};
    char path[128];
    size_t i;

    vg_close(ctx);
    if (!scratch_dir[0])
        return;
    for (i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", scratch_dir, files[i]);
        unlink(path);
    }
    rmdir(scratch_dir);
    scratch_dir[0] = '\0';
}

static cJSON *info_json(const vg_provider_info *info)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "name", info->name);
    cJSON_AddBoolToObject(o, "serves", info->serves);
    cJSON_AddBoolToObject(o, "has_key", info->has_key);
    cJSON_AddStringToObject(o, "key_source", info->key_source);
    cJSON_AddStringToObject(o, "key", info->key_masked);
    cJSON_AddStringToObject(o, "base_url", info->base_url);
    cJSON_AddBoolToObject(o, "breaker_open", info->breaker_open);
    if (info->checked) {
        cJSON_AddBoolToObject(o, "reachable", info->reachable);
        cJSON_AddNumberToObject(o, "latency_ms", info->latency_ms);
        cJSON_AddStringToObject(o, "status", vg_error_name(info->status));
        cJSON_AddStringToObject(o, "detail", info->detail);
    }
    return o;
}

static int add_kind(const vg_provider_capability *row, void *payload)
{
    cJSON *pair = payload; /* [provider name, array of kinds] */
    if (strcmp(row->provider, cJSON_GetArrayItem(pair, 0)->valuestring) == 0)
        cJSON_AddItemToArray(cJSON_GetArrayItem(pair, 1),
                             cJSON_CreateString(vg_task_kind_name(row->kind)));
    return 0;
}

/* The kinds a provider makes, space-separated, into out[size]. */
static void kinds_text(char *out, size_t size, cJSON *kinds)
{
    const cJSON *k;
    out[0] = '\0';
    cJSON_ArrayForEach(k, kinds)
    {
        if (out[0])
            strncat(out, " ", size - strlen(out) - 1);
        strncat(out, k->valuestring, size - strlen(out) - 1);
    }
}

static int run_providers(cli_state *cli)
{
    int check, i, code, rc = VG_OK, unreachable = 0;
    cJSON *list;
    vg_ctx *ctx;

    if (cli_unknown_option(cli) || cli->argc < 1 ||
        (strcmp(cli->argv[0], "list") != 0 && strcmp(cli->argv[0], "check") != 0))
        return cli_usage_error(cli, &cli_cmd_providers, "expected list or check");
    check = strcmp(cli->argv[0], "check") == 0;
    for (i = 1; i < cli->argc; i++)
        if (vg_provider_index(cli->argv[i]) < 0)
            return cli_usage_error(cli, &cli_cmd_providers, "unknown provider name");
    if ((code = open_any(&ctx, cli)) != CLI_EXIT_OK)
        return code;
    list = cJSON_CreateArray();
    for (i = 0; i < VG_PROVIDER_COUNT && rc == VG_OK; i++) {
        const char *name = vg_provider_name(i);
        vg_provider_info info;
        cJSON *o, *pair;
        char kinds[256];
        int j, wanted = cli->argc == 1;

        for (j = 1; j < cli->argc; j++)
            wanted |= strcmp(cli->argv[j], name) == 0;
        if (!wanted)
            continue;
        memset(&info, 0, sizeof info);
        info.version = VG_PROVIDER_INFO_VERSION;
        rc = check ? vg_provider_check(&info, ctx, name) : vg_provider_info_get(&info, ctx, name);
        if (rc != VG_OK)
            break;
        if (check && info.has_key && !info.reachable)
            unreachable++;
        o = info_json(&info);
        pair = cJSON_CreateArray();
        cJSON_AddItemToArray(pair, cJSON_CreateString(name));
        cJSON_AddItemToArray(pair, cJSON_CreateArray());
        vg_provider_capabilities(add_kind, pair);
        kinds_text(kinds, sizeof kinds, cJSON_GetArrayItem(pair, 1));
        cJSON_AddItemToObject(o, "makes", cJSON_DetachItemFromArray(pair, 1));
        cJSON_Delete(pair);
        cJSON_AddItemToArray(list, o);
        if (cli->json)
            continue;
        printf("%-10s %-7s key %-22s %s\n", name, info.serves ? "serves" : "idle",
               info.has_key ? (info.key_masked[0] ? info.key_masked : "(none needed)")
                            : "(none)",
               info.base_url);
        if (kinds[0])
            printf("%-10s makes: %s\n", "", kinds);
        if (info.checked)
            printf("%-10s check: %s (%d ms) %s\n", "",
                   info.reachable ? "reachable" : vg_error_name(info.status), info.latency_ms,
                   info.detail);
    }
    if (rc == VG_OK && cli->json)
        cli_print_json(list);
    else
        cJSON_Delete(list);
    code = rc != VG_OK ? cli_fail(cli, rc, "cannot describe the providers")
           : unreachable ? CLI_EXIT_REFUSED
                         : CLI_EXIT_OK;
    close_any(ctx);
    return code;
}

const cli_command cli_cmd_providers = {
    "providers", "which providers are configured (keys masked) and reachable",
    "providers list [NAME...] | check [NAME...]\n"
    "  check makes one cheap authenticated request to each; exit 1 if a provider with a key\n"
    "  does not answer",
    run_providers,
};

/* ---- moderate and enhance ---------------------------------------------------------------- */

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

static int run_moderate(cli_state *cli)
{
    const char *image_path = NULL, *mime = NULL;
    unsigned char *image = NULL;
    size_t image_len = 0;
    vg_moderation m;
    vg_ctx *ctx;
    int code, rc;

    if (cli_take_option(cli, "--image", &image_path) < 0 ||
        cli_take_option(cli, "--mime", &mime) < 0 || cli_unknown_option(cli) ||
        cli->argc != 1 || (image_path && !mime))
        return cli_usage_error(cli, &cli_cmd_moderate, "expected one prompt (--image needs --mime)");
    if (image_path && !(image = read_file(image_path, &image_len))) {
        fprintf(stderr, "vidgo moderate: cannot read %s\n", image_path);
        return CLI_EXIT_USAGE;
    }
    if ((code = open_any(&ctx, cli)) != CLI_EXIT_OK) {
        free(image);
        return code;
    }
    memset(&m, 0, sizeof m);
    m.version = VG_MODERATION_VERSION;
    rc = vg_moderate(&m, ctx, cli->argv[0], image, image_len, mime, cli->lang);
    if (rc != VG_OK) {
        code = cli_fail(cli, rc, "cannot moderate the prompt");
    } else if (cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "blocked", m.blocked);
        cJSON_AddStringToObject(o, "reason", m.reason);
        cJSON_AddStringToObject(o, "message", m.message);
        cJSON_AddStringToObject(o, "provider", m.provider);
        cJSON_AddStringToObject(o, "detail", m.detail);
        cli_print_json(o);
        code = m.blocked ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
    } else {
        if (m.blocked)
            printf("blocked (%s, by %s): %s\n", m.reason, m.provider, m.message);
        else
            printf("allowed (by %s)\n", m.provider);
        code = m.blocked ? CLI_EXIT_REFUSED : CLI_EXIT_OK;
    }
    close_any(ctx);
    free(image);
    return code;
}

const cli_command cli_cmd_moderate = {
    "moderate", "check that a prompt (and a product image) may be generated",
    "moderate PROMPT [--image FILE --mime TYPE] [--lang L]\n"
    "  exit 1 when blocked; the message is in --lang",
    run_moderate,
};

static int run_enhance(cli_state *cli)
{
    char out[4096];
    const char *provider = NULL;
    vg_ctx *ctx;
    int code, rc;

    if (cli_unknown_option(cli) || cli->argc != 1)
        return cli_usage_error(cli, &cli_cmd_enhance, "expected one prompt");
    if ((code = open_any(&ctx, cli)) != CLI_EXIT_OK)
        return code;
    rc = vg_prompt_enhance(out, sizeof out, &provider, ctx, cli->argv[0], cli->lang);
    if (rc != VG_OK) {
        code = cli_fail(cli, rc, "cannot enhance the prompt");
    } else if (cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "original", cli->argv[0]);
        cJSON_AddStringToObject(o, "enhanced", out);
        cJSON_AddStringToObject(o, "provider", provider);
        cli_print_json(o);
    } else {
        printf("%s\n", out);
    }
    close_any(ctx);
    return code;
}

const cli_command cli_cmd_enhance = {
    "enhance", "turn a prompt into an English product-ad prompt (Gemini, or the local template)",
    "enhance PROMPT [--lang L]   (--lang: the prompt's language)",
    run_enhance,
};

/* ---- embed ------------------------------------------------------------------------------ */

static int run_embed(cli_state *cli)
{
    vg_embedder *embedder = NULL;
    char errbuf[256] = "";
    float *vectors = NULL;
    cJSON *list = NULL;
    vg_ctx *ctx;
    int code, rc, i, d;

    if (cli_unknown_option(cli) || cli->argc < 1)
        return cli_usage_error(cli, &cli_cmd_embed, "expected one or more prompts");
    if ((code = open_any(&ctx, cli)) != CLI_EXIT_OK)
        return code;
    if ((rc = vg_embedder_default(&embedder, ctx)) != VG_OK) {
        code = cli_fail(cli, rc, "cannot make the embedder");
        goto done;
    }
    if (!(vectors = calloc((size_t)cli->argc * (size_t)embedder->dimension, sizeof *vectors))) {
        code = cli_fail(cli, VG_ENOMEM, "out of memory");
        goto done;
    }
    for (i = 0; i < cli->argc; i++) {
        rc = embedder->embed(vectors + (size_t)i * (size_t)embedder->dimension,
                             (const char *const *)&cli->argv[i], 1, errbuf, sizeof errbuf,
                             embedder->payload);
        if (rc != 0) {
            fprintf(stderr, "vidgo embed: %s\n", errbuf[0] ? errbuf : "the embedder failed");
            code = CLI_EXIT_FAILURE;
            goto done;
        }
    }
    list = cJSON_CreateArray();
    for (i = 0; i < cli->argc; i++) {
        const float *v = vectors + (size_t)i * (size_t)embedder->dimension;
        double norm = 0;
        cJSON *o = cJSON_CreateObject(), *head = cJSON_CreateArray();
        for (d = 0; d < embedder->dimension; d++)
            norm += (double)v[d] * v[d];
        for (d = 0; d < embedder->dimension && d < 8; d++)
            cJSON_AddItemToArray(head, cJSON_CreateNumber(v[d]));
        cJSON_AddStringToObject(o, "prompt", cli->argv[i]);
        cJSON_AddStringToObject(o, "embedder", embedder->name);
        cJSON_AddStringToObject(o, "model", embedder->model);
        cJSON_AddNumberToObject(o, "dimension", embedder->dimension);
        cJSON_AddNumberToObject(o, "norm", sqrt(norm));
        cJSON_AddItemToObject(o, "head", head);
        cJSON_AddItemToArray(list, o);
        if (!cli->json)
            printf("%s/%s %d dims, norm %.4f, head %.4f %.4f %.4f %.4f: %s\n", embedder->name,
                   embedder->model, embedder->dimension, sqrt(norm), v[0], v[1], v[2], v[3],
                   cli->argv[i]);
    }
    if (cli->argc == 2 && !cli->json) {
        double dot = 0;
        for (d = 0; d < embedder->dimension; d++)
            dot += (double)vectors[d] * vectors[embedder->dimension + d];
        printf("cosine %.4f\n", dot);
    }
    if (cli->json) {
        cli_print_json(list);
        list = NULL;
    }
    code = CLI_EXIT_OK;
done:
    cJSON_Delete(list);
    free(vectors);
    vg_embedder_free(embedder);
    close_any(ctx);
    return code;
}

const cli_command cli_cmd_embed = {
    "embed", "embed prompts with the context's embedder (Gemini, or local offline)",
    "embed PROMPT...   (two prompts: also their cosine)",
    run_embed,
};
