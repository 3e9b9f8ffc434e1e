/* SPDX-License-Identifier: MIT */
/* A driver for the Gemini tests: makes the Gemini embedder (key from $GEMINI_API_KEY, base
 * URL from $VIDGO_GEMINI_BASE_URL) and embeds prompts, or runs a cache put and lookup; or
 * moderates or enhances a prompt through the internal generateContent calls. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/internal.h"
#include "providers/gemini.h"
#include "driver_store.h"

static const char usage[] =
    "usage: gemini_driver [--debug] [--model M] [--dimension N] embed PROMPT...\n"
    "       gemini_driver [--debug] [--model M] [--dimension N] repeat COUNT\n"
    "       gemini_driver [--debug] cache PUT_PROMPT LOOKUP_PROMPT\n"
    "       gemini_driver [--debug] moderate TEXT [--image FILE --mime M]\n"
    "       gemini_driver [--debug] enhance TEXT --lang L\n"
    "Prints the status name (and the message on failure), then for embed and repeat one\n"
    "line per vector: its index, its L2 norm and its values; for cache the match and the\n"
    "similarity; moderate and enhance print one JSON object instead. Log lines go to\n"
    "stderr.\n";

static void log_line(vg_log_level level, const char *message, void *payload)
{
    (void)payload;
    fprintf(stderr, "log %d: %s\n", (int)level, message);
}

/* Prints s as a JSON string. */
static void put_json(const char *s)
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

static void put_failure(vg_ctx *ctx, int rc)
{
    printf("{\"status\":");
    put_json(vg_error_name(rc));
    printf(",\"message\":");
    put_json(vg_ctx_errmsg(ctx));
    printf("}\n");
}

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
        if (*len != (size_t)n) {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* moderate TEXT [--image FILE --mime M] */
static int run_moderate(vg_ctx *ctx, int argc, char **argv)
{
    vg_moderation m;
    const char *file = NULL, *mime = NULL;
    unsigned char *image = NULL;
    size_t image_len = 0;
    int i, rc;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--image") == 0)
            file = argv[i + 1];
        else if (strcmp(argv[i], "--mime") == 0)
            mime = argv[i + 1];
        else
            break;
    }
    if (i != argc || (file && !(image = read_all(file, &image_len)))) {
        fputs(usage, stderr);
        return VG_EINVAL;
    }
    rc = vg__gemini_moderate(&m, ctx, argv[0], image, image_len, mime);
    if (rc == VG_OK) {
        printf("{\"status\":\"VG_OK\",\"blocked\":%s,\"reason\":", m.blocked ? "true" : "false");
        put_json(m.reason);
        printf(",\"detail\":");
        put_json(m.detail);
        printf("}\n");
    } else {
        put_failure(ctx, rc);
    }
    free(image);
    return rc;
}

/* enhance TEXT --lang L [--size N] */
static int run_enhance(vg_ctx *ctx, int argc, char **argv)
{
    const char *lang = NULL;
    size_t size = 4096;
    char *out;
    int i, rc;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--lang") == 0)
            lang = argv[i + 1];
        else if (strcmp(argv[i], "--size") == 0)
            size = (size_t)atoi(argv[i + 1]);
        else
            break;
    }
    if (i != argc || size == 0 || !(out = malloc(size))) {
        fputs(usage, stderr);
        return VG_EINVAL;
    }
    rc = vg__gemini_enhance(out, size, ctx, argv[0], lang);
    if (rc == VG_OK) {
        printf("{\"status\":\"VG_OK\",\"text\":");
        put_json(out);
        printf("}\n");
    } else {
        put_failure(ctx, rc);
    }
    free(out);
    return rc;
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
    char dir[DRIVER_DIR_SIZE] = "";
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
    if ((rc = driver_store_open(&ctx, &config, dir)) != VG_OK)
        goto done;
    if (strcmp(argv[i], "moderate") == 0) {
        rc = run_moderate(ctx, argc - i - 1, argv + i + 1);
        goto done;
    }
    if (strcmp(argv[i], "enhance") == 0) {
        rc = run_enhance(ctx, argc - i - 1, argv + i + 1);
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
    free(prompts);
    free(numbered);
    driver_store_close(ctx, dir);
    return rc == VG_OK ? 0 : 1;
}
