/* SPDX-License-Identifier: MIT */
/* What the payment commands share: their options, a table-driven subcommand runner
 * (cmd_payments.c), and orders in text and JSON (cmd_orders.c). */
#ifndef VIDGO_CMD_PAYMENTS_H
#define VIDGO_CMD_PAYMENTS_H

#include "cli.h"

/* Every option of the payment commands; a subcommand says which it allows and needs. */
enum pay_option {
    P_USER,
    P_PACKAGE,
    P_PLAN,
    P_PROVIDER,
    P_CURRENCY,
    P_KEY,
    P_LIMIT,
    P_BEFORE,
    P_REASON,
    P_RETURN_URL,
    P_CLIENT_BACK_URL,
    P_PAYMENT,
    P_HTML,
    P_SIGNATURE,
    P_HEADER,
    P_CREDITS,
    P_TTL_DAYS,
    P_FROM,
    P_UNTIL,
    P_MAX,
    P_PER_USER,
    P_PLANS,
    P_INACTIVE,
    P_COUNT
};
#define P_BIT(o) (1UL << (o))

/* One run of a payment subcommand. */
typedef struct pay_call {
    cli_state *cli;
    vg_ctx *ctx;
    const char *opt[P_COUNT]; /* the options given (a flag: "") or NULL */
    long long num[P_COUNT];   /* numbers and times a subcommand's check parsed */
    int code;                 /* set by a subcommand that reported its own failure */
} pay_call;

typedef struct pay_subcommand {
    const char *name;
    int args;                        /* positional arguments after the name */
    unsigned long allowed, required; /* P_BIT()s */
    enum cli_open_mode mode;
    const char *(*check)(pay_call *c); /* before the store is opened: a usage problem or NULL */
    int (*run)(pay_call *c);           /* returns a vg_status */
    const char *what;                  /* "cannot ..." for a failure */
} pay_subcommand;

/* Parses the options, picks the subcommand (argv[0]), checks its arguments, opens the store,
 * runs it and reports a failure. Returns the exit code. */
int pay_run(cli_state *cli, const cli_command *cmd, const pay_subcommand *subs, size_t count);

/* Reports a library failure like cli_fail; a refusal the general table counts as another
 * failure (VG_EUNSUPPORTED: the sandbox is off, a package cannot be refunded; VG_ESTATE:
 * no subscription to change) exits with 1. */
int pay_fail(cli_state *cli, int status, const char *what);

/* An amount in minor units as people write it: "299 TWD", "7.99 USD". */
const char *pay_amount(char *buf, size_t size, int64_t amount_minor, const char *currency);

/* An order as JSON (the caller owns it); email may be NULL. */
cJSON *pay_order_json(const vg_order *o, const char *email);

/* Prints an order as text or JSON (with its user's e-mail when it can be read). */
void pay_show_order(cli_state *cli, vg_ctx *ctx, const vg_order *o);

/* Creates an order of `kind` for `item` for a user with the options P_PROVIDER, P_CURRENCY
 * and P_KEY (default: a random key). */
int pay_create_order(vg_order *out, pay_call *c, const vg_user *user, vg_order_kind kind,
                     const char *item);

#endif
