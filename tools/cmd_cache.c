/* SPDX-License-Identifier: MIT */
/* `vidgo cache ...`: the similarity cache from the command line: statistics, lookups,
 * entries, invalidation, thresholds, and calibration of the threshold on labelled pairs. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define LINE_MAX_BYTES 8192

/* A subcommand's context: the cache, its scope from the options, the rest of the line. */
typedef struct cache_call {
    cli_state *cli;
    vg_ctx *ctx;
    vg_cache *cache;
    vg_cache_scope scope;
    int has_scope;
    long long user_id, cost, ttl, owner;
    int owner_only;
    const char *max_false_rate;
} cache_call;

static cJSON *entry_json(const vg_cache_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "id", (double)e->id);
    cJSON_AddStringToObject(o, "scope", e->scope);
    cJSON_AddStringToObject(o, "prompt", e->prompt);
    cJSON_AddStringToObject(o, "result", e->result);
    cJSON_AddStringToObject(o, "embedder", e->fingerprint);
    cJSON_AddNumberToObject(o, "owner_id", (double)e->owner_id);
    cJSON_AddBoolToObject(o, "owner_only", e->owner_only);
    cJSON_AddNumberToObject(o, "cost_micro_usd", (double)e->cost_micro_usd);
    cJSON_AddNumberToObject(o, "hits", (double)e->hits);
    cli_json_time(o, "created_at", e->created_at);
    cli_json_time(o, "expires_at", e->expires_at);
    cli_json_time(o, "last_hit_at", e->last_hit_at);
    return o;
}

static int need_scope(cache_call *c)
{
    if (c->has_scope)
        return VG_OK;
    fprintf(stderr, "vidgo cache: this subcommand needs --service (the scope)\n");
    return VG_EINVAL;
}

static int do_stats(cache_call *c)
{
    vg_cache_stats s;
    int rc = vg_cache_stats_get(&s, c->cache);
    cJSON *o;

    if (rc != VG_OK)
        return rc;
    if (!c->cli->json) {
        printf("entries %lld in %lld scopes (%zu bytes each in memory, %s scan)\n"
               "exact hits %lld, semantic hits %lld, misses %lld, gate rejections %lld, "
               "shadow hits %lld\nsaved %.2f USD\n",
               (long long)s.entries, (long long)s.scopes, s.bytes_per_entry, s.scan_path,
               (long long)s.exact_hits, (long long)s.semantic_hits, (long long)s.misses,
               (long long)s.gate_rejections, (long long)s.shadow_hits,
               (double)s.saved_micro_usd / 1e6);
        return VG_OK;
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "entries", (double)s.entries);
    cJSON_AddNumberToObject(o, "scopes", (double)s.scopes);
    cJSON_AddNumberToObject(o, "bytes_per_entry", (double)s.bytes_per_entry);
    cJSON_AddStringToObject(o, "scan_path", s.scan_path);
    cJSON_AddNumberToObject(o, "exact_hits", (double)s.exact_hits);
    cJSON_AddNumberToObject(o, "semantic_hits", (double)s.semantic_hits);
    cJSON_AddNumberToObject(o, "misses", (double)s.misses);
    cJSON_AddNumberToObject(o, "gate_rejections", (double)s.gate_rejections);
    cJSON_AddNumberToObject(o, "shadow_hits", (double)s.shadow_hits);
    cJSON_AddNumberToObject(o, "saved_micro_usd", (double)s.saved_micro_usd);
    cli_print_json(o);
    return VG_OK;
}

static int do_lookup(cache_call *c)
{
    static const char *const matches[] = {"miss", "exact", "semantic"};
    vg_cache_hit hit;
    int rc;

    if ((rc = need_scope(c)) != VG_OK)
        return rc;
    if ((rc = vg_cache_lookup(&hit, c->cache, &c->scope, c->cli->argv[1], c->user_id)) != VG_OK)
        return rc;
    if (c->cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "match", matches[hit.match]);
        cJSON_AddNumberToObject(o, "similarity", hit.similarity);
        cJSON_AddNumberToObject(o, "runner_up", hit.runner_up);
        cJSON_AddNumberToObject(o, "threshold", hit.threshold);
        cJSON_AddBoolToObject(o, "gate_rejected", hit.gate_rejected);
        cJSON_AddBoolToObject(o, "shadow", hit.shadow);
        if (hit.entry.id)
            cJSON_AddItemToObject(o, hit.match ? "entry" : "best_candidate",
                                  entry_json(&hit.entry));
        cli_print_json(o);
    } else if (hit.match) {
        printf("%s hit (similarity %.4f, runner-up %.4f): entry %lld -> %s\n",
               matches[hit.match], hit.similarity, hit.runner_up, (long long)hit.entry.id,
               hit.entry.result);
    } else {
        printf("miss (best %.4f, threshold %.2f%s)\n", hit.similarity, hit.threshold,
               hit.gate_rejected ? ", the second gate said no" : "");
    }
    return VG_OK;
}

static int do_put(cache_call *c)
{
    int64_t id;
    int rc;

    if ((rc = need_scope(c)) != VG_OK)
        return rc;
    rc = vg_cache_put(&id, c->cache, &c->scope, c->cli->argv[1], c->cli->argv[2], c->cost,
                      (int)c->ttl, c->owner, c->owner_only);
    if (rc != VG_OK)
        return rc;
    if (c->cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "id", (double)id);
        cli_print_json(o);
    } else {
        printf("entry %lld\n", (long long)id);
    }
    return VG_OK;
}

static int list_one(const vg_cache_entry *e, void *payload)
{
    cache_call *c = payload;
    if (c->cli->json)
        cJSON_AddItemToArray((cJSON *)c->cli->argv[0], entry_json(e)); /* see do_list */
    else
        printf("%6lld  %-28s %5lld hits  %s\n", (long long)e->id, e->scope, (long long)e->hits,
               e->prompt);
    return 0;
}

static int do_list(cache_call *c)
{
    cJSON *list = cJSON_CreateArray();
    char *subcommand = c->cli->argv[0];
    int rc;

    c->cli->argv[0] = (char *)list; /* the callback's array */
    rc = vg_cache_list(c->cache, c->has_scope ? &c->scope : NULL, list_one, c);
    c->cli->argv[0] = subcommand;
    if (rc == VG_OK && c->cli->json)
        cli_print_json(list);
    else
        cJSON_Delete(list);
    return rc;
}

static int do_invalidate(cache_call *c)
{
    long long id;
    int count = 1, rc;

    if (c->cli->argc == 2) {
        if (cli_parse_int(c->cli->argv[1], 1, INT64_MAX, &id) != 0) {
            fprintf(stderr, "vidgo cache invalidate: the id is a positive number\n");
            return VG_EINVAL;
        }
        rc = vg_cache_invalidate(c->cache, id);
    } else if ((rc = need_scope(c)) == VG_OK) {
        rc = vg_cache_invalidate_scope(&count, c->cache, &c->scope);
    }
    if (rc == VG_OK) {
        if (c->cli->json) {
            cJSON *o = cJSON_CreateObject();
            cJSON_AddNumberToObject(o, "invalidated", count);
            cli_print_json(o);
        } else {
            printf("%d entr%s invalidated\n", count, count == 1 ? "y" : "ies");
        }
    }
    return rc;
}

static int do_threshold(cache_call *c)
{
    char *end;
    double value = strtod(c->cli->argv[1], &end);
    int rc;

    if (*end || end == c->cli->argv[1]) {
        fprintf(stderr, "vidgo cache threshold: a cosine from 0 to 1 (negative: remove)\n");
        return VG_EINVAL;
    }
    rc = vg_cache_set_threshold(c->cache, c->has_scope ? &c->scope : NULL, value);
    if (rc == VG_OK && !c->cli->json)
        printf("threshold %s%s set to %.4f\n", c->has_scope ? "of " : "(default)",
               c->has_scope ? c->scope.service : "", value);
    else if (rc == VG_OK) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "threshold", value);
        cli_print_json(o);
    }
    return rc;
}

/* --- calibrate ---------------------------------------------------------------------------- */

typedef struct labelled {
    double similarity;
    int gate;
    int same;
} labelled;

/* Reads "prompt A <TAB> prompt B <TAB> same|different" lines (also 1|0, yes|no); '#' starts
 * a comment. Returns the number of pairs, or -1 with a message. */
static long read_pairs(cache_call *c, FILE *file, labelled **out)
{
    char line[LINE_MAX_BYTES];
    labelled *pairs = NULL;
    long count = 0, capacity = 0, number = 0;
    int rc;

    while (fgets(line, sizeof line, file)) {
        char *a = line, *b, *label;
        number++;
        line[strcspn(line, "\r\n")] = '\0';
        if (!*line || *line == '#')
            continue;
        if (!(b = strchr(a, '\t')) || !(label = strchr(b + 1, '\t'))) {
            fprintf(stderr, "vidgo cache calibrate: line %ld: expected 3 tab-separated fields\n",
                    number);
            free(pairs);
            return -1;
        }
        *b++ = '\0';
        *label++ = '\0';
        if (count == capacity) {
            labelled *grown = realloc(pairs, (size_t)(capacity = capacity ? 2 * capacity : 64) *
                                                 sizeof *pairs);
            if (!grown) {
                free(pairs);
                return -1;
            }
            pairs = grown;
        }
        pairs[count].same = strcmp(label, "same") == 0 || strcmp(label, "1") == 0 ||
                            strcmp(label, "yes") == 0;
        if (!pairs[count].same && strcmp(label, "different") && strcmp(label, "0") &&
            strcmp(label, "no")) {
            fprintf(stderr, "vidgo cache calibrate: line %ld: the label is same or different\n",
                    number);
            free(pairs);
            return -1;
        }
        rc = vg_cache_compare(&pairs[count].similarity, &pairs[count].gate, c->cache, a, b);
        if (rc != VG_OK) {
            fprintf(stderr, "vidgo cache calibrate: line %ld: %s\n", number, vg_error_last());
            free(pairs);
            return -1;
        }
        count++;
    }
    *out = pairs;
    return count;
}

/* Counts, at a threshold, the pairs a lookup would match (with or without the gate). */
static void confusion(const labelled *pairs, long count, double threshold, int gate, long *tp,
                      long *fp, long *fn)
{
    long i;
    *tp = *fp = *fn = 0;
    for (i = 0; i < count; i++) {
        int hit = pairs[i].similarity >= threshold && (!gate || pairs[i].gate);
        *tp += hit && pairs[i].same;
        *fp += hit && !pairs[i].same;
        *fn += !hit && pairs[i].same;
    }
}

static int do_calibrate(cache_call *c)
{
    FILE *file = strcmp(c->cli->argv[1], "-") == 0 ? stdin : fopen(c->cli->argv[1], "r");
    double max_rate = c->max_false_rate ? atof(c->max_false_rate) : 0.01, best = -1;
    labelled *pairs = NULL;
    cJSON *doc = cJSON_CreateObject(), *rows = cJSON_AddArrayToObject(doc, "thresholds");
    long count, negatives = 0, i, tp, fp, fn, gtp, gfp, gfn;
    int step;

    if (!file) {
        cJSON_Delete(doc);
        fprintf(stderr, "vidgo cache calibrate: cannot read %s\n", c->cli->argv[1]);
        return VG_EINVAL;
    }
    count = read_pairs(c, file, &pairs);
    if (file != stdin)
        fclose(file);
    if (count <= 0) {
        cJSON_Delete(doc);
        free(pairs);
        if (count == 0)
            fprintf(stderr, "vidgo cache calibrate: no pairs\n");
        return VG_EINVAL;
    }
    for (i = 0; i < count; i++)
        negatives += !pairs[i].same;
    if (!c->cli->json)
        printf("%ld pairs (%ld same, %ld different)\n threshold  precision  recall  false-hit "
               "rate | with the second gate: precision  recall  false-hit rate\n",
               count, count - negatives, negatives);
    for (step = 50; step <= 99; step++) {
        double t = step / 100.0, rate;
        cJSON *row;
        confusion(pairs, count, t, 0, &tp, &fp, &fn);
        confusion(pairs, count, t, 1, &gtp, &gfp, &gfn);
        rate = negatives ? (double)gfp / (double)negatives : 0;
        if (best < 0 && rate <= max_rate)
            best = t;
        row = cJSON_CreateObject();
        cJSON_AddNumberToObject(row, "threshold", t);
        cJSON_AddNumberToObject(row, "precision", tp + fp ? (double)tp / (double)(tp + fp) : 1);
        cJSON_AddNumberToObject(row, "recall", tp + fn ? (double)tp / (double)(tp + fn) : 1);
        cJSON_AddNumberToObject(row, "gated_precision",
                                gtp + gfp ? (double)gtp / (double)(gtp + gfp) : 1);
        cJSON_AddNumberToObject(row, "gated_recall",
                                gtp + gfn ? (double)gtp / (double)(gtp + gfn) : 1);
        cJSON_AddNumberToObject(row, "gated_false_hit_rate", rate);
        cJSON_AddItemToArray(rows, row);
        if (!c->cli->json && step % 5 == 0)
            printf("   %.2f      %.3f     %.3f    %.3f     |                      %.3f     "
                   "%.3f   %.3f\n", t, tp + fp ? (double)tp / (double)(tp + fp) : 1,
                   tp + fn ? (double)tp / (double)(tp + fn) : 1,
                   negatives ? (double)fp / (double)negatives : 0,
                   gtp + gfp ? (double)gtp / (double)(gtp + gfp) : 1,
                   gtp + gfn ? (double)gtp / (double)(gtp + gfn) : 1, rate);
    }
    cJSON_AddNumberToObject(doc, "pairs", (double)count);
    cJSON_AddNumberToObject(doc, "max_false_hit_rate", max_rate);
    if (best >= 0)
        cJSON_AddNumberToObject(doc, "recommended_threshold", best);
    else
        cJSON_AddNullToObject(doc, "recommended_threshold");
    if (c->cli->json)
        cli_print_json(doc);
    else {
        if (best >= 0)
            printf("lowest threshold with a false-hit rate <= %.3f (with the gate): %.2f\n",
                   max_rate, best);
        else
            printf("no threshold keeps the false-hit rate <= %.3f\n", max_rate);
        cJSON_Delete(doc);
    }
    free(pairs);
    return VG_OK;
}

/* The subcommands: how many positional arguments each takes, and whether it writes. */
static const struct {
    const char *name;
    int min_args, max_args;
    int writes;
    int (*run)(cache_call *c);
    const char *what;
} subcommands[] = {
    {"stats", 0, 0, 0, do_stats, "cannot read the statistics"},
    {"lookup", 1, 1, 1, do_lookup, "cannot look up"},
    {"put", 2, 2, 1, do_put, "cannot store the entry"},
    {"list", 0, 0, 0, do_list, "cannot list the entries"},
    {"invalidate", 0, 1, 1, do_invalidate, "cannot invalidate"},
    {"threshold", 1, 1, 1, do_threshold, "cannot set the threshold"},
    {"calibrate", 1, 1, 1, do_calibrate, "cannot calibrate"},
};

/* Takes the scope and number options out of the arguments. Returns 0, or -1 if one is bad. */
static int take_options(cache_call *c, int *shadow, int *no_gate)
{
    const char *service = NULL, *resolution = NULL, *style = NULL, *input = NULL, *user = NULL,
               *cost = NULL, *ttl = NULL, *owner = NULL;
    struct {
        const char *name;
        const char **value;
    } valued[] = {{"--service", &service}, {"--resolution", &resolution}, {"--style", &style},
                  {"--input-hash", &input}, {"--user", &user}, {"--cost", &cost},
                  {"--ttl", &ttl}, {"--owner", &owner}, {"--max-false-rate", &c->max_false_rate}};
    long long resolution_value = 0;
    size_t i;
    int k;

    for (i = 0; i < sizeof valued / sizeof valued[0]; i++)
        if (cli_take_option(c->cli, valued[i].name, valued[i].value) < 0)
            return -1;
    for (k = 0; k < c->cli->argc; k++) {
        int *flag = strcmp(c->cli->argv[k], "--owner-only") == 0 ? &c->owner_only
                    : strcmp(c->cli->argv[k], "--shadow") == 0   ? shadow
                    : strcmp(c->cli->argv[k], "--no-gate") == 0  ? no_gate
                                                                  : NULL;
        if (!flag)
            continue;
        *flag = 1;
        memmove(&c->cli->argv[k], &c->cli->argv[k + 1],
                (size_t)(c->cli->argc - k - 1) * sizeof *c->cli->argv);
        c->cli->argc--;
        k--;
    }
    if ((resolution && cli_parse_int(resolution, 0, 100000, &resolution_value) != 0) ||
        (user && cli_parse_int(user, 0, INT64_MAX, &c->user_id) != 0) ||
        (cost && cli_parse_int(cost, 0, INT64_MAX, &c->cost) != 0) ||
        (ttl && cli_parse_int(ttl, 0, 366LL * 86400 * 100, &c->ttl) != 0) ||
        (owner && cli_parse_int(owner, 0, INT64_MAX, &c->owner) != 0))
        return -1;
    c->scope = (vg_cache_scope)VG_CACHE_SCOPE_INIT;
    c->scope.service = service;
    c->scope.resolution = (int)resolution_value;
    c->scope.style = style;
    c->scope.input_hash = input;
    c->has_scope = service != NULL;
    return 0;
}

static int run_cache(cli_state *cli)
{
    vg_cache_options options = VG_CACHE_OPTIONS_INIT;
    cache_call c;
    size_t i;
    int shadow = 0, no_gate = 0, rc, code;

    memset(&c, 0, sizeof c);
    c.cli = cli;
    if (take_options(&c, &shadow, &no_gate) != 0 || cli_unknown_option(cli) || cli->argc < 1)
        return cli_usage_error(cli, &cli_cmd_cache, "bad option or missing subcommand");
    for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(cli->argv[0], subcommands[i].name) == 0)
            break;
    if (i == sizeof subcommands / sizeof subcommands[0])
        return cli_usage_error(cli, &cli_cmd_cache, "unknown subcommand");
    if (cli->argc - 1 < subcommands[i].min_args || cli->argc - 1 > subcommands[i].max_args)
        return cli_usage_error(cli, &cli_cmd_cache, "wrong number of arguments");
    if ((code = cli_open(&c.ctx, cli, subcommands[i].writes ? CLI_OPEN_CREATE
                                                            : CLI_OPEN_READONLY)) != CLI_EXIT_OK)
        return code;
    options.shadow = shadow;
    options.second_gate = !no_gate;
    rc = vg_cache_open(&c.cache, c.ctx, &options);
    if (rc == VG_OK)
        rc = subcommands[i].run(&c);
    code = rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, rc, subcommands[i].what);
    vg_cache_close(c.cache);
    vg_close(c.ctx);
    return code;
}

const cli_command cli_cmd_cache = {
    "cache", "the similarity cache: stats, lookup, put, list, invalidate, threshold, calibrate",
    "cache stats | lookup PROMPT | put PROMPT RESULT | list | invalidate [ID]\n"
    "       | threshold VALUE | calibrate PAIRS.tsv\n"
    "  scope: --service S [--resolution N] [--style S] [--input-hash H]\n"
    "  lookup: [--user ID] [--shadow] [--no-gate]; put: [--cost MICRO_USD] [--ttl S]\n"
    "          [--owner ID [--owner-only]]; calibrate: [--max-false-rate R] (default 0.01)",
    run_cache,
};
