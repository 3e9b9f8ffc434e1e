/* SPDX-License-Identifier: MIT */
/* What the commands of the `vidgo` program share: options, output, exit codes. */
#ifndef VIDGO_CLI_H
#define VIDGO_CLI_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include <vidgo/vidgo.h>

/* Exit codes of `vidgo` (documented in docs/cli.md; never renumbered). */
enum cli_exit {
    CLI_EXIT_OK = 0,       /* done */
    CLI_EXIT_REFUSED = 1,  /* the command ran and found problems or was refused */
    CLI_EXIT_USAGE = 2,    /* bad command line */
    CLI_EXIT_STORE = 3,    /* the store cannot be opened or used */
    CLI_EXIT_FAILURE = 4   /* any other failure */
};

/* The global options and state of one run. */
typedef struct cli_state {
    const char *db;   /* --db, else $VIDGO_DB, else ./vidgo.db */
    int json;         /* --json */
    int has_now;      /* --now given */
    vg_time now;      /* --now TIME */
    const char *lang; /* --lang */
    const char *mail_dir; /* --mail-dir of the `user` commands */
    vg_email_fn email_sender; /* a command's own sender (the demo's), or NULL */
    void *email_payload;
    int argc;         /* the command's own arguments, global options removed */
    char **argv;
} cli_state;

/* One command: its name, a one-line summary, its usage text and its function. */
typedef struct cli_command {
    const char *name;
    const char *summary;
    const char *usage;
    int (*run)(cli_state *cli);
} cli_command;

/* How a command opens the store. */
enum cli_open_mode {
    CLI_OPEN_EXISTING = 0, /* read-write; fails if there is no store */
    CLI_OPEN_CREATE = 1,   /* read-write; creates the store if missing */
    CLI_OPEN_READONLY = 2  /* never writes, not even to upgrade the schema */
};

/* Opens the store named by --db. Reports a failure (text or JSON) and returns its exit
 * code, or CLI_EXIT_OK with *out set. */
int cli_open(vg_ctx **out, cli_state *cli, enum cli_open_mode mode);

/* A library failure (the thread's last error) as the JSON object cli_fail prints under
 * "error": code, name, description, message (the caller owns it). */
cJSON *cli_error_json(const cli_state *cli, int status);

/* Reports a library failure (the thread's last error) and returns the exit code for it. */
int cli_fail(cli_state *cli, int status, const char *what);

/* Takes "--name VALUE" or "--name=VALUE" out of the command's arguments. Returns 1 and sets
 * *value if present, 0 if absent, -1 if its value is missing. */
int cli_take_option(cli_state *cli, const char *name, const char **value);

/* Takes the flag "--name" (no value) out of the command's arguments, every time it appears.
 * Returns 1 if it was there, else 0. */
int cli_take_flag(cli_state *cli, const char *name);

/* Returns 1 if the command's arguments still hold an option ("-x", "--x"); the command
 * then reports it as unknown. */
const char *cli_unknown_option(const cli_state *cli);

/* Parses a whole decimal integer in [min, max]; returns 0 on success, -1 otherwise. */
int cli_parse_int(const char *text, long long min, long long max, long long *out);

/* Finds a user by e-mail, reporting a failure. */
int cli_find_user(vg_user *out, cli_state *cli, vg_ctx *ctx, const char *email);

/* Reports a usage error for a command and returns CLI_EXIT_USAGE. */
int cli_usage_error(cli_state *cli, const cli_command *cmd, const char *message);

/* Adds a time to a JSON object as RFC 3339 text, or null for 0. */
void cli_json_time(cJSON *obj, const char *name, vg_time t);

/* A job as a JSON object (the caller owns it). */
cJSON *cli_job_json(const vg_job *job);

/* Prints a JSON document to stdout and frees it. */
void cli_print_json(cJSON *doc);

/* Returns the exit code for a library status. */
int cli_exit_for(int status);

/* A wallet as JSON (the caller owns it), or as text on stdout (cmd_credits.c). */
cJSON *cli_balance_json(const vg_user *user, const vg_balance *b);
void cli_print_balance(const vg_user *user, const vg_balance *b);

/* An idempotency key for a call the operator did not name ("cli-" and 24 random hex
 * digits): random, so a retry by hand is a new request. */
void cli_random_key(char *buf, size_t size);

/* `vidgo user add EMAIL [--plan PLAN]` (cmd_credits.c): the arguments start at "add". */
int cli_user_add(cli_state *cli);

/* Commands (one file per group). */
extern const cli_command cli_cmd_version, cli_cmd_init, cli_cmd_check, cli_cmd_demo;
extern const cli_command cli_cmd_plans, cli_cmd_pricing, cli_cmd_user, cli_cmd_credits,
    cli_cmd_maintenance, cli_cmd_cache, cli_cmd_providers, cli_cmd_moderate, cli_cmd_enhance,
    cli_cmd_embed, cli_cmd_generate, cli_cmd_job, cli_cmd_worker, cli_cmd_gallery;
extern const cli_command cli_cmd_order, cli_cmd_ecpay, cli_cmd_paddle, cli_cmd_plan,
    cli_cmd_promo, cli_cmd_admin;

#endif
