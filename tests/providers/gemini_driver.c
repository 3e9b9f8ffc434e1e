/* SPDX-License-Identifier: MIT */
/* A driver for the Gemini tests: makes the Gemini embedder (key from $GEMINI_API_KEY, base
 * URL from $VIDGO_GEMINI_BASE_URL) and embeds prompts, or runs a cache put and lookup. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"

static const char usage[] =
    "usage: gemini_driver [--debug] [--model M] [--dimension N] embed PROMPT...\n"
    "       gemini_driver [--debug] [--model M] [--dimension N] repeat COUNT\n"
    "       gemini_driver [--debug] cache PUT_PROMPT LOOKUP_PROMPT\n"
    "Prints the status name (and the message on failure), then for embed and repeat one\n"
    "line per vector: its index, its L2 norm and its values; for cache the match and the\n"
    "similarity. Log lines go to stderr.\n";

static void log_line(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

static int run_embed(vg_embedder *e, const char *const *prompts, size_t count)
{
    float *out = calloc(count * (size_t)e->dimension + 1, sizeof *out);
    char errbuf[512] = "";
    size_t i;
    int j, rc;

    if (!out)
        return VG_ENOMEM;
    rc = e->embed(out, prompts, count, errbuf, sizeof errbuf, e->payload);
    if (rc != 0) {
        printf("%s: %s\n", vg_error_name(rc), errbuf);
        free(out);
        return rc;
    }
    printf("VG_OK\n");
    for (i = 0; i < count; i++) {
        const float *v = out + i * (size_t)e->dimension;
        double norm = 0.0;
        for (j = 0; j < e->dimension; j++)
            norm += (double)v[j] * v[j];
        printf("%zu %.6f", i, sqrt(norm));
        for (j = 0; j < e->dimension; j++)
            printf(" %.6g", v[j]);
        printf("\n");
    }
    free(out);
    return VG_OK;
}

static int run_cache(vg_ctx *ctx, vg_embedder *e, const char *put, const char *lookup)
{
    vg_cache_options options;
    vg_cache_scope scope = VG_CACHE_SCOPE_INIT;
    vg_cache *cache = NULL;
    vg_cache_hit *hit = calloc(1, sizeof *hit);
    int64_t id = 0;
    int rc;

    if (!hit)
        return VG_ENOMEM;
    vg_cache_options_init(&options, VG_CACHE_OPTIONS_VERSION);
    options.embedder = e;
    scope.service = "video_720p";
    rc = vg_cache_open(&cache, ctx, &options);
    if (rc == VG_OK)
        rc = vg_cache_put(&id, cache, &scope, put, "{\"url\":\"https://example.com/a.mp4\"}",
                          100000, 0, 0, 0);
    if (rc == VG_OK)
        rc = vg_cache_lookup(hit, cache, &scope, lookup, 0);
    if (rc == VG_OK) {
        printf("VG_OK\n");
        printf("match %d similarity %.6f entry %lld fingerprint %s\n", (int)hit->match,
               hit->similarity, (long long)hit->entry.id, hit->entry.fingerprint);
    } else {
        printf("%s: %s\n", vg_error_name(rc), vg_ctx_errmsg(ctx));
    }
    vg_cache_close(cache);
    free(hit);
    return rc;
}

int main(int argc, char **argv)
{
    static const unsigned char secret[32] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11,
                                             12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22,
                                             23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
    char dir[] = "/tmp/vg-gemini-XXXXXX", store[64], cmd[96];
    const char *model = NULL;
    const char **prompts = NULL;
    char (*numbered)[48] = NULL;
    vg_config config;
    vg_ctx *ctx = NULL;
    vg_embedder *e = NULL;
    int i = 1, dimension = 0, rc;
    size_t n, k;

    vg_config_init(&config, VG_CONFIG_VERSION);
    config.log = log_line;
    config.log_level = VG_LOG_INFO;
    config.secret = secret;
    config.secret_len = sizeof secret;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--debug") == 0)
            config.log_level = VG_LOG_DEBUG;
        else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc)
            model = argv[++i];
        else if (strcmp(argv[i], "--dimension") == 0 && i + 1 < argc)
            dimension = atoi(argv[++i]);
        else {
            fputs(usage, stderr);
            return 2;
        }
    }
    if (i >= argc || (strcmp(argv[i], "cache") == 0 && argc - i != 3) ||
        (strcmp(argv[i], "repeat") == 0 && argc - i != 2) || argc - i < 2) {
        fputs(usage, stderr);
        return 2;
    }
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    snprintf(store, sizeof store, "%s/store.db", dir);
    config.store = store;
    rc = vg_open(&ctx, &config);
    if (rc != VG_OK) {
        printf("%s: %s\n", vg_error_name(rc), vg_error_last());
        goto done;
    }
    rc = vg_embedder_gemini(&e, ctx, NULL, model, dimension);
    if (rc != VG_OK) {
        printf("%s: %s\n", vg_error_name(rc), vg_ctx_errmsg(ctx));
        goto done;
    }
    fprintf(stderr, "embedder %s %s %d max_batch %zu\n", e->name, e->model, e->dimension,
            e->max_batch);
    if (strcmp(argv[i], "cache") == 0) {
        rc = run_cache(ctx, e, argv[i + 1], argv[i + 2]);
    } else if (strcmp(argv[i], "repeat") == 0) {
        n = (size_t)atoi(argv[i + 1]);
        prompts = calloc(n + 1, sizeof *prompts);
        numbered = calloc(n + 1, sizeof *numbered);
        if (!prompts || !numbered) {
            rc = VG_ENOMEM;
            goto done;
        }
        for (k = 0; k < n; k++) {
            snprintf(numbered[k], sizeof numbered[k], "prompt number %zu", k);
            prompts[k] = numbered[k];
        }
        rc = run_embed(e, prompts, n);
    } else if (strcmp(argv[i], "embed") == 0) {
        rc = run_embed(e, (const char *const *)(argv + i + 1), (size_t)(argc - i - 1));
    } else {
        fputs(usage, stderr);
        rc = VG_EINVAL;
    }
done:
    vg_embedder_free(e);
    vg_close(ctx);
    free(prompts);
    free(numbered);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return rc == VG_OK ? 0 : 1;
}
