/* SPDX-License-Identifier: MIT */
/* `vidgo user ...`: accounts from the command line. Passwords, codes and tokens are read
 * from standard input, one per line, never from the arguments (which other users can see). */
#include <string.h>

#include "cli.h"

#define SECRET_LINE 1100 /* the longest secret line: an access token */

/* Reads one line of standard input into buf, without its line end. Returns 0, or -1 at
 * the end of input or for a line too long. */
static int read_secret(char *buf, size_t size)
{
    size_t n;
    if (!fgets(buf, (int)size, stdin))
        return -1;
    n = strlen(buf);
    if (n && buf[n - 1] != '\n' && !feof(stdin))
        return -1;
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = '\0';
    return 0;
}

static void wipe(char *buf, size_t size)
{
    volatile char *p = buf;
    while (size--)
        *p++ = 0;
}

static cJSON *user_json(const vg_user *user)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "user_id", (double)user->id);
    cJSON_AddStringToObject(o, "email", user->email);
    cJSON_AddStringToObject(o, "plan", user->plan);
    cJSON_AddBoolToObject(o, "verified", user->verified);
    cJSON_AddBoolToObject(o, "active", user->active);
    cli_json_time(o, "created_at", user->created_at);
    return o;
}

static void print_user(const cli_state *cli, const vg_user *user)
{
    if (cli->json)
        cli_print_json(user_json(user));
    else
        printf("%s: user %lld, plan %s, %s, %s\n", user->email, (long long)user->id, user->plan,
               user->verified ? "verified" : "not verified", user->active ? "active" : "disabled");
}

static void print_session(const cli_state *cli, const vg_session *s)
{
    cJSON *o;
    if (!cli->json) {
        printf("access_token %s\nrefresh_token %s\n", s->access_token, s->refresh_token);
        return;
    }
    o = cJSON_CreateObject();
    cJSON_AddNumberToObject(o, "user_id", (double)s->user_id);
    cJSON_AddNumberToObject(o, "session_id", (double)s->session_id);
    cJSON_AddStringToObject(o, "access_token", s->access_token);
    cJSON_AddStringToObject(o, "refresh_token", s->refresh_token);
    cli_json_time(o, "access_expires_at", s->access_expires_at);
    cli_json_time(o, "refresh_expires_at", s->refresh_expires_at);
    cli_print_json(o);
}

static void print_done(const cli_state *cli, const char *text)
{
    if (cli->json) {
        cJSON *o = cJSON_CreateObject();
        cJSON_AddBoolToObject(o, "ok", 1);
        cli_print_json(o);
    } else {
        puts(text);
    }
}

/* What a subcommand receives: the context, its positional argument, the options. */
typedef struct user_call {
    cli_state *cli;
    vg_ctx *ctx;
    const char *email;  /* the positional argument, or NULL */
    const char *caller; /* --caller */
    char secret[SECRET_LINE];
    char secret2[SECRET_LINE];
} user_call;

static int show_user_by_id(user_call *c, int64_t id)
{
    vg_user user;
    int rc = vg_user_get(&user, c->ctx, id);
    if (rc == VG_OK)
        print_user(c->cli, &user);
    return rc;
}

static int do_register(user_call *c)
{
    int64_t id;
    int rc = vg_account_register(&id, c->ctx, c->email, c->secret, c->cli->lang, c->caller);
    return rc == VG_OK ? show_user_by_id(c, id) : rc;
}

static int do_verify(user_call *c)
{
    vg_user user;
    int rc = vg_account_verify(c->ctx, c->email, c->secret);
    if (rc == VG_OK && (rc = vg_user_find(&user, c->ctx, c->email)) == VG_OK)
        print_user(c->cli, &user);
    return rc;
}

static int do_resend(user_call *c)
{
    int rc = vg_account_resend(c->ctx, c->email);
    if (rc == VG_OK)
        print_done(c->cli, "a new code is on its way if the address awaits verification");
    return rc;
}

static int do_login(user_call *c)
{
    vg_session s;
    int rc = vg_account_login(&s, c->ctx, c->email, c->secret, c->caller);
    if (rc == VG_OK)
        print_session(c->cli, &s);
    wipe((char *)&s, sizeof s);
    return rc;
}

static int do_refresh(user_call *c)
{
    vg_session s;
    int rc = vg_session_refresh(&s, c->ctx, c->secret);
    if (rc == VG_OK)
        print_session(c->cli, &s);
    wipe((char *)&s, sizeof s);
    return rc;
}

static int do_logout(user_call *c)
{
    int rc = vg_session_logout(c->ctx, c->secret);
    if (rc == VG_OK)
        print_done(c->cli, "signed out");
    return rc;
}

static int do_me(user_call *c)
{
    vg_claims claims;
    vg_user user;
    int rc = vg_session_verify(&claims, c->ctx, c->secret);
    if (rc == VG_OK && (rc = vg_user_get(&user, c->ctx, claims.user_id)) == VG_OK) {
        if (c->cli->json) {
            cJSON *o = user_json(&user);
            cJSON_AddNumberToObject(o, "session_id", (double)claims.session_id);
            cli_json_time(o, "token_expires_at", claims.expires_at);
            cli_print_json(o);
        } else {
            print_user(c->cli, &user);
        }
    }
    return rc;
}

static int do_forgot(user_call *c)
{
    int rc = vg_account_forgot(c->ctx, c->email, c->caller);
    if (rc == VG_OK)
        print_done(c->cli, "if the address has an account, a reset link is on its way");
    return rc;
}

static int do_reset(user_call *c)
{
    int64_t id;
    int rc = vg_account_reset(&id, c->ctx, c->secret, c->secret2);
    return rc == VG_OK ? show_user_by_id(c, id) : rc;
}

static int set_active(user_call *c, int active)
{
    vg_user user;
    int rc = vg_user_find(&user, c->ctx, c->email);
    if (rc == VG_OK)
        rc = vg_account_set_active(c->ctx, user.id, active);
    return rc == VG_OK ? show_user_by_id(c, user.id) : rc;
}

static int do_deactivate(user_call *c)
{
    return set_active(c, 0);
}

static int do_activate(user_call *c)
{
    return set_active(c, 1);
}

/* The subcommands: whether they take an e-mail address, how many secret lines they read. */
static const struct {
    const char *name;
    int takes_email;
    int secret_lines;
    int (*run)(user_call *c);
    const char *what;
} subcommands[] = {
    {"register", 1, 1, do_register, "cannot register"},
    {"verify", 1, 1, do_verify, "cannot verify the address"},
    {"resend", 1, 0, do_resend, "cannot send a new code"},
    {"login", 1, 1, do_login, "cannot sign in"},
    {"refresh", 0, 1, do_refresh, "cannot refresh the session"},
    {"logout", 0, 1, do_logout, "cannot sign out"},
    {"me", 0, 1, do_me, "cannot read the session"},
    {"forgot", 1, 0, do_forgot, "cannot start a password reset"},
    {"reset", 0, 2, do_reset, "cannot reset the password"},
    {"deactivate", 1, 0, do_deactivate, "cannot disable the account"},
    {"activate", 1, 0, do_activate, "cannot enable the account"},
};

static int run_user(cli_state *cli)
{
    user_call c;
    size_t i;
    int rc, code;

    if (cli->argc >= 1 && strcmp(cli->argv[0], "add") == 0)
        return cli_user_add(cli);
    memset(&c, 0, sizeof c);
    c.cli = cli;
    if (cli_take_option(cli, "--caller", &c.caller) < 0 ||
        cli_take_option(cli, "--mail-dir", &cli->mail_dir) < 0 || cli_unknown_option(cli) ||
        cli->argc < 1)
        return cli_usage_error(cli, &cli_cmd_user, "unknown option or missing subcommand");
    for (i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(cli->argv[0], subcommands[i].name) == 0)
            break;
    if (i == sizeof subcommands / sizeof subcommands[0])
        return cli_usage_error(cli, &cli_cmd_user, "unknown subcommand");
    if (cli->argc != 1 + subcommands[i].takes_email)
        return cli_usage_error(cli, &cli_cmd_user, subcommands[i].takes_email
                                                       ? "this subcommand takes an e-mail address"
                                                       : "this subcommand takes no argument "
                                                         "(secrets come from standard input)");
    c.email = subcommands[i].takes_email ? cli->argv[1] : NULL;
    if ((subcommands[i].secret_lines >= 1 && read_secret(c.secret, sizeof c.secret) != 0) ||
        (subcommands[i].secret_lines >= 2 && read_secret(c.secret2, sizeof c.secret2) != 0)) {
        fprintf(stderr, "vidgo user %s: expected %d line(s) on standard input\n",
                subcommands[i].name, subcommands[i].secret_lines);
        return CLI_EXIT_USAGE;
    }
    if ((code = cli_open(&c.ctx, cli, CLI_OPEN_CREATE)) != CLI_EXIT_OK)
        return code;
    rc = subcommands[i].run(&c);
    wipe(c.secret, sizeof c.secret);
    wipe(c.secret2, sizeof c.secret2);
    code = rc == VG_OK ? CLI_EXIT_OK : cli_fail(cli, rc, subcommands[i].what);
    vg_close(c.ctx);
    return code;
}

const cli_command cli_cmd_user = {
    "user", "accounts: register, verify, sign in, sessions, password reset, disable",
    "user add EMAIL [--plan PLAN]\n"
    "       vidgo user register|verify|resend|login|forgot|deactivate|activate EMAIL\n"
    "       vidgo user refresh|logout|me|reset\n"
    "  options: --caller KEY (rate limits), --mail-dir DIR (write e-mail there)\n"
    "  stdin: register/login the password; verify the code; refresh/logout the refresh\n"
    "         token; me the access token; reset the reset token, then the new password",
    run_user,
};
