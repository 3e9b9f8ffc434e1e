/* SPDX-License-Identifier: MIT */
/* The `vidgo` program: global options, the command table and dispatch. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_command *const commands[] = {
    &cli_cmd_init, &cli_cmd_check, &cli_cmd_version, &cli_cmd_demo,     &cli_cmd_plans,
    &cli_cmd_pricing, &cli_cmd_user, &cli_cmd_credits, &cli_cmd_maintenance,
    &cli_cmd_cache,
    &cli_cmd_providers,
    &cli_cmd_moderate,
    &cli_cmd_enhance,
    &cli_cmd_embed,
    &cli_cmd_generate,
    &cli_cmd_job,
    &cli_cmd_worker,
    &cli_cmd_gallery,
    &cli_cmd_order, &cli_cmd_ecpay, &cli_cmd_paddle, &cli_cmd_plan, &cli_cmd_promo,
    &cli_cmd_admin,
};
#define COMMAND_COUNT (sizeof commands / sizeof commands[0])

static void print_help(FILE *out)
{
    size_t i;
    fprintf(out, "usage: vidgo [--db PATH|URL] [--json] [--now TIME] [--lang LANG] COMMAND [ARGS]\n\n"
                 "Commands:\n");
    for (i = 0; i < COMMAND_COUNT; i++)
        fprintf(out, "  %-12s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\nGlobal options (before or after the command):\n"
                 "  --db PATH|URL  the store: a SQLite file or postgresql://... (default $VIDGO_DB,\n"
                 "                 $VIDGO_DATABASE_URL, a PostgreSQL $DATABASE_URL, ./vidgo.db)\n"
                 "  --json         machine-readable output on stdout\n"
                 "  --now TIME     run as if the clock said TIME (RFC 3339, e.g. 2026-11-30T00:00:00Z)\n"
                 "  --lang LANG    language of messages: en, ja, zh-TW, ko, es\n"
                 "  -h, --help     help (vidgo COMMAND --help for a command)\n\n"
                 "Exit codes: 0 done, 1 problems found or request refused, 2 usage error,\n"
                 "3 store cannot be opened or used, 4 other failure.\n");
}

static const cli_command *find_command(const char *name)
{
    size_t i;
    for (i = 0; i < COMMAND_COUNT; i++)
        if (strcmp(commands[i]->name, name) == 0)
            return commands[i];
    return NULL;
}

/* Takes a global option with a value ("--db X" or "--db=X") at argv[*i] into its target.
 * Returns 1 if argv[*i] was one, 0 if not, -1 if its value is missing. */
static int take_valued_option(int argc, char **argv, int *i, const char **const targets[],
                              const char *const names[], size_t count)
{
    size_t k, n;
    for (k = 0; k < count; k++) {
        n = strlen(names[k]);
        if (strncmp(argv[*i], names[k], n) != 0)
            continue;
        if (argv[*i][n] == '=') {
            *targets[k] = argv[*i] + n + 1;
            return 1;
        }
        if (argv[*i][n] == '\0') {
            if (*i + 1 >= argc)
                return -1;
            *targets[k] = argv[++*i];
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    cli_state cli = {0};
    const cli_command *cmd = NULL;
    const char *now_text = NULL;
    const char *const names[] = {"--db", "--now", "--lang"};
    const char **const targets[] = {&cli.db, &now_text, &cli.lang};
    char **rest = calloc((size_t)argc + 1, sizeof *rest);
    int i, taken, help = 0, code = CLI_EXIT_USAGE;

    if (!rest)
        return CLI_EXIT_FAILURE;
    cli.argv = rest;
    for (i = 1; i < argc; i++) {
        const char *arg = argv[i];
        taken = take_valued_option(argc, argv, &i, targets, names, 3);
        if (taken < 0) {
            fprintf(stderr, "vidgo: %s needs a value\n", arg);
            goto done;
        } else if (taken) {
            continue;
        } else if (strcmp(arg, "--") == 0) {
            while (++i < argc)
                rest[cli.argc++] = argv[i];
        } else if (strcmp(arg, "--json") == 0) {
            cli.json = 1;
        } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            help = 1;
        } else if (!cmd && arg[0] != '-') {
            if (!(cmd = find_command(arg))) {
                fprintf(stderr, "vidgo: unknown command \"%s\" (see vidgo --help)\n", arg);
                goto done;
            }
        } else {
            rest[cli.argc++] = argv[i];
        }
    }
    if (now_text) {
        if (vg_time_parse(&cli.now, now_text) != VG_OK) {
            fprintf(stderr, "vidgo: --now: %s\n", vg_error_last());
            goto done;
        }
        cli.has_now = 1;
    }
    if (!cmd) {
        print_help(help ? stdout : stderr);
        code = help ? CLI_EXIT_OK : CLI_EXIT_USAGE;
    } else if (help) {
        printf("usage: vidgo [global options] %s\n\n%s\n", cmd->usage, cmd->summary);
        code = CLI_EXIT_OK;
    } else {
        code = cmd->run(&cli);
    }
done:
    free(rest);
    return code;
}
