/* SPDX-License-Identifier: MIT */
/* `vidgo order ...`, `vidgo ecpay form|callback` and `vidgo paddle webhook`: orders from the
 * command line, the ECPay checkout form, and the providers' callbacks read from stdin. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cmd_payments.h"

#define BODY_MAX (1024 * 1024) /* a callback or webhook body larger than this is refused */

/* --- shared output ------------------------------------------------------------------------- */

/* Currencies without minor units as the providers count them (ECPay's TWD is whole dollars). */
static const char *const whole_currencies[] = {"TWD", "JPY", "KRW"};

const char *pay_amount(char *buf, size_t size, int64_t amount_minor, const char *currency)
{
    unsigned long long v = amount_minor < 0 ? 0ULL - (unsigned long long)amount_minor
                                            : (unsigned long long)amount_minor;
    const char *sign = amount_minor < 0 ? "-" : "";
    size_t i;

    for (i = 0; i < sizeof whole_currencies / sizeof whole_currencies[0]; i++)
        if (strcmp(currency, whole_currencies[i]) == 0) {
            snprintf(buf, size, "%s%llu %s", sign, v, currency);
            return buf;
        }
    snprintf(buf, size, "%s%llu.%02llu %s", sign, v / 100, v % 100, currency);
    return buf;
}

cJSON *pay_order_json(const vg_order *o, const char *email)
{
    char amount[48];
    cJSON *j = cJSON_CreateObject();
    cJSON_AddNumberToObject(j, "id", (double)o->id);
    cJSON_AddStringToObject(j, "number", o->number);
    cJSON_AddNumberToObject(j, "user_id", (double)o->user_id);
    if (email)
        cJSON_AddStringToObject(j, "email", email);
    cJSON_AddStringToObject(j, "kind", o->kind == VG_ORDER_PACKAGE ? "package" : "subscription");
    cJSON_AddStringToObject(j, "item", o->item);
    cJSON_AddStringToObject(j, "state", vg_order_state_name(o->state));
    cJSON_AddStringToObject(j, "provider", o->provider);
    cJSON_AddStringToObject(j, "currency", o->currency);
    cJSON_AddNumberToObject(j, "amount_minor", (double)o->amount_minor);
    cJSON_AddStringToObject(j, "amount",
                            pay_amount(amount, sizeof amount, o->amount_minor, o->currency));
    cJSON_AddNumberToObject(j, "discount_pct", o->discount_pct);
    cJSON_AddNumberToObject(j, "credits", (double)o->credits);
    cJSON_AddStringToObject(j, "provider_ref", o->provider_ref);
    cJSON_AddStringToObject(j, "failure", o->failure);
    cli_json_time(j, "created_at", o->created_at);
    cli_json_time(j, "paid_at", o->paid_at);
    cli_json_time(j, "fulfilled_at", o->fulfilled_at);
    cli_json_time(j, "expires_at", o->expires_at);
    return j;
}

static void print_time(const char *label, vg_time t)
{
    char text[VG_TIME_TEXT_SIZE];
    if (t && vg_time_format(text, sizeof text, t) == VG_OK)
        printf("  %-10s %s\n", label, text);
}

static void print_order(const vg_order *o, const char *email)
{
    char amount[48];
    printf("order %lld  %s  %s %s\n", (long long)o->id, o->number,
           o->kind == VG_ORDER_PACKAGE ? "package" : "plan", o->item);
    if (email)
        printf("  %-10s %s (id %lld)\n", "user", email, (long long)o->user_id);
    printf("  %-10s %s\n", "state", vg_order_state_name(o->state));
    printf("  %-10s %s", "amount", pay_amount(amount, sizeof amount, o->amount_minor, o->currency));
    if (o->discount_pct)
        printf(" (%d%% off)", o->discount_pct);
    printf("\n");
    if (o->kind == VG_ORDER_PACKAGE)
        printf("  %-10s %lld\n", "credits", (long long)o->credits);
    printf("  %-10s %s%s%s\n", "provider", o->provider, *o->provider_ref ? ", reference " : "",
           o->provider_ref);
    print_time("created", o->created_at);
    print_time("paid", o->paid_at);
    print_time("fulfilled", o->fulfilled_at);
    if (o->state == VG_ORDER_CREATED || o->state == VG_ORDER_PENDING)
        print_time("expires", o->expires_at);
    if (*o->failure)
        printf("  %-10s %s\n", "failure", o->failure);
}

void pay_show_order(cli_state *cli, vg_ctx *ctx, const vg_order *o)
{
    vg_user user;
    const char *email = NULL;

    vg_user_init(&user, VG_USER_VERSION);
    if (vg_user_get(&user, ctx, o->user_id) == VG_OK)
        email = user.email;
    if (cli->json)
        cli_print_json(pay_order_json(o, email));
    else
        print_order(o, email);
}

/* A callback's or webhook's refusal: a malformed body is refused (1), not a usage error. */
static int refusal_code(int status)
{
    return status == VG_EINVAL ? CLI_EXIT_REFUSED : cli_exit_for(status);
}

/* Reads an order by id (digits) or number ("VG..."). */
static int find_order(vg_order *out, vg_ctx *ctx, const char *text)
{
    long long id;
    if (cli_parse_int(text, 1, INT64_MAX, &id) == 0)
        return vg_order_get(out, ctx, id);
    return vg_order_find(out, ctx, text);
}

/* Reads the whole of stdin, byte for byte; NULL when it is larger than BODY_MAX. */
static char *read_body(size_t *len)
{
    size_t size = 4096, n = 0, got;
    char *buf = malloc(size + 1), *grown;

    while (buf && (got = fread(buf + n, 1, size - n, stdin)) > 0) {
        n += got;
        if (n == size) {
            if (size >= BODY_MAX || !(grown = realloc(buf, 2 * size + 1))) {
                free(buf);
                return NULL;
            }
            buf = grown;
            size *= 2;
        }
    }
    if (buf && ferror(stdin)) {
        free(buf);
        return NULL;
    }
    if (buf)
        buf[n] = '\0';
    *len = n;
    return buf;
}

/* --- vidgo order ---------------------------------------------------------------------------- */

int pay_create_order(vg_order *out, pay_call *c, const vg_user *user, vg_order_kind kind,
                     const char *item)
{
    vg_order_request r = VG_ORDER_REQUEST_INIT;
    char key[40];

    if (!c->opt[P_KEY])
        cli_random_key(key, sizeof key);
    r.user_id = user->id;
    r.kind = kind;
    r.item = item;
    r.provider = c->opt[P_PROVIDER];
    r.currency = c->opt[P_CURRENCY];
    r.idempotency_key = c->opt[P_KEY] ? c->opt[P_KEY] : key;
    return vg_order_create(out, c->ctx, &r);
}

static const char *check_create(pay_call *c)
{
    return !c->opt[P_PACKAGE] == !c->opt[P_PLAN] ? "create needs one of --package and --plan"
                                                 : NULL;
}

static int order_create(pay_call *c)
{
    vg_order order;
    vg_user user;
    int rc;

    if ((rc = vg_user_find(&user, c->ctx, c->opt[P_USER])) != VG_OK)
        return rc;
    rc = pay_create_order(&order, c, &user,
                          c->opt[P_PACKAGE] ? VG_ORDER_PACKAGE : VG_ORDER_SUBSCRIPTION,
                          c->opt[P_PACKAGE] ? c->opt[P_PACKAGE] : c->opt[P_PLAN]);
    if (rc == VG_OK)
        pay_show_order(c->cli, c->ctx, &order);
    return rc;
}

static int order_show(pay_call *c)
{
    vg_order order;
    int rc = find_order(&order, c->ctx, c->cli->argv[1]);
    if (rc == VG_OK)
        pay_show_order(c->cli, c->ctx, &order);
    return rc;
}

static int list_one(const vg_order *o, void *payload)
{
    cJSON *list = payload;
    char amount[48];
    if (list) {
        cJSON_AddItemToArray(list, pay_order_json(o, NULL));
        return 0;
    }
    printf("%6lld  %-20s  %-9s  %-4s %-12s %14s  %-7s %lld\n", (long long)o->id, o->number,
           vg_order_state_name(o->state), o->kind == VG_ORDER_PACKAGE ? "pack" : "plan", o->item,
           pay_amount(amount, sizeof amount, o->amount_minor, o->currency), o->provider,
           (long long)o->user_id);
    return 0;
}

static const char *check_list(pay_call *c)
{
    c->num[P_LIMIT] = 20;
    if ((c->opt[P_LIMIT] && cli_parse_int(c->opt[P_LIMIT], 1, 1000, &c->num[P_LIMIT]) != 0) ||
        (c->opt[P_BEFORE] && cli_parse_int(c->opt[P_BEFORE], 1, INT64_MAX, &c->num[P_BEFORE]) != 0))
        return "--limit is 1..1000, --before an order id";
    return NULL;
}

static int order_list(pay_call *c)
{
    cJSON *list;
    vg_user user;
    int rc;

    user.id = 0;
    if (c->opt[P_USER] && (rc = vg_user_find(&user, c->ctx, c->opt[P_USER])) != VG_OK)
        return rc;
    list = c->cli->json ? cJSON_CreateArray() : NULL;
    if (!list)
        printf("%6s  %-20s  %-9s  %-4s %-12s %14s  %-7s %s\n", "id", "number", "state", "kind",
               "item", "amount", "via", "user");
    rc = vg_orders_list(c->ctx, user.id, c->num[P_BEFORE], (int)c->num[P_LIMIT], list_one, list);
    if (rc == VG_OK && list)
        cli_print_json(list);
    else
        cJSON_Delete(list);
    return rc;
}

static int order_simulate_paid(pay_call *c)
{
    vg_order order;
    int rc = find_order(&order, c->ctx, c->cli->argv[1]);
    if (rc == VG_OK && (rc = vg_order_simulate_paid(&order, c->ctx, order.id)) == VG_OK)
        pay_show_order(c->cli, c->ctx, &order);
    return rc;
}

static int order_refund(pay_call *c)
{
    vg_order order;
    int rc = find_order(&order, c->ctx, c->cli->argv[1]);
    if (rc == VG_OK && (rc = vg_order_refund(&order, c->ctx, order.id, c->opt[P_REASON])) == VG_OK)
        pay_show_order(c->cli, c->ctx, &order);
    return rc;
}

static const pay_subcommand order_subcommands[] = {
    {"create", 0,
     P_BIT(P_USER) | P_BIT(P_PACKAGE) | P_BIT(P_PLAN) | P_BIT(P_PROVIDER) | P_BIT(P_CURRENCY) |
         P_BIT(P_KEY),
     P_BIT(P_USER) | P_BIT(P_PROVIDER), CLI_OPEN_EXISTING, check_create, order_create,
     "cannot create the order"},
    {"show", 1, 0, 0, CLI_OPEN_READONLY, NULL, order_show, "cannot read the order"},
    {"list", 0, P_BIT(P_USER) | P_BIT(P_LIMIT) | P_BIT(P_BEFORE), 0, CLI_OPEN_READONLY, check_list,
     order_list, "cannot list the orders"},
    {"simulate-paid", 1, 0, 0, CLI_OPEN_EXISTING, NULL, order_simulate_paid,
     "cannot pay the order in the sandbox"},
    {"refund", 1, P_BIT(P_REASON), P_BIT(P_REASON), CLI_OPEN_EXISTING, NULL, order_refund,
     "cannot refund the order"},
};

static int run_order(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_order, order_subcommands,
                   sizeof order_subcommands / sizeof order_subcommands[0]);
}

const cli_command cli_cmd_order = {
    "order",
    "payment orders: create, show, list, pay in the sandbox, refund",
    "order create --user EMAIL (--package NAME | --plan NAME) --provider ecpay|paddle\n"
    "                    [--currency C] [--key K]\n"
    "       vidgo order show ID|NUMBER\n"
    "       vidgo order list [--user EMAIL] [--limit N] [--before ID]\n"
    "       vidgo order simulate-paid ID|NUMBER\n"
    "       vidgo order refund ID|NUMBER --reason TEXT\n"
    "  create: a credit package (at the user's plan's discount) or a month of a paid plan;\n"
    "  the currency defaults to TWD for ECPay, USD for Paddle; --key makes a retry return\n"
    "  the same order (default: a random key). simulate-paid needs the sandbox\n"
    "  (VIDGO_PAYMENTS_SANDBOX=1): a signed callback through the provider's real path.",
    run_order,
};

/* --- vidgo ecpay ----------------------------------------------------------------------------- */

/* Writes text with & < > " ' as HTML entities. */
static void put_html(const char *text)
{
    static const char specials[] = "&<>\"'";
    static const char *const entities[] = {"&amp;", "&lt;", "&gt;", "&quot;", "&#39;"};
    const char *hit;

    for (; *text; text++)
        if ((hit = strchr(specials, *text)) != NULL)
            fputs(entities[hit - specials], stdout);
        else
            putchar(*text);
}

static void print_form(const cli_state *cli, const vg_ecpay_form *form, int html)
{
    size_t i;

    if (cli->json) {
        cJSON *doc = cJSON_CreateObject(), *fields;
        cJSON_AddStringToObject(doc, "action", form->action);
        fields = cJSON_AddObjectToObject(doc, "fields");
        for (i = 0; i < form->count; i++)
            cJSON_AddStringToObject(fields, form->fields[i].name, form->fields[i].value);
        cli_print_json(doc);
    } else if (html) {
        printf("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>ECPay</title></head>\n"
               "<body onload=\"document.forms[0].submit()\">\n<form method=\"post\" action=\"");
        put_html(form->action);
        printf("\" accept-charset=\"UTF-8\">\n");
        for (i = 0; i < form->count; i++) {
            printf("<input type=\"hidden\" name=\"");
            put_html(form->fields[i].name);
            printf("\" value=\"");
            put_html(form->fields[i].value);
            printf("\">\n");
        }
        printf("<noscript><button type=\"submit\">Pay with ECPay</button></noscript>\n"
               "</form>\n</body></html>\n");
    } else {
        printf("POST %s\n", form->action);
        for (i = 0; i < form->count; i++)
            printf("  %-18s %s\n", form->fields[i].name, form->fields[i].value);
    }
}

static const char *check_form(pay_call *c)
{
    return c->opt[P_HTML] && c->cli->json ? "--html and --json exclude each other" : NULL;
}

static int ecpay_form(pay_call *c)
{
    vg_ecpay_form form;
    vg_order order;
    int rc;

    memset(&form, 0, sizeof form);
    form.version = VG_ECPAY_FORM_VERSION;
    rc = find_order(&order, c->ctx, c->cli->argv[1]);
    if (rc == VG_OK)
        rc = vg_ecpay_checkout(&form, c->ctx, order.id, c->opt[P_RETURN_URL],
                               c->opt[P_CLIENT_BACK_URL], c->opt[P_PAYMENT]);
    if (rc == VG_OK)
        print_form(c->cli, &form, c->opt[P_HTML] != NULL);
    return rc;
}

static int ecpay_callback(pay_call *c)
{
    char reply[128] = "0|refused";
    vg_order order;
    size_t len = 0;
    char *body;
    int rc;

    if (!(body = read_body(&len))) {
        fputs(reply, stdout);
        fprintf(stderr, "vidgo ecpay callback: cannot read the body (it must be under %d bytes)\n",
                BODY_MAX);
        c->code = CLI_EXIT_REFUSED;
        return VG_EIO;
    }
    memset(&order, 0, sizeof order);
    rc = vg_ecpay_callback(&order, reply, sizeof reply, c->ctx, body, len);
    free(body);
    if (c->cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "reply", reply);
        cJSON_AddBoolToObject(doc, "accepted", rc == VG_OK);
        if (rc == VG_OK)
            cJSON_AddItemToObject(doc, "order", pay_order_json(&order, NULL));
        else
            cJSON_AddItemToObject(doc, "error", cli_error_json(c->cli, rc));
        cli_print_json(doc);
    } else {
        fputs(reply, stdout); /* exactly what ECPay expects, no newline */
        if (rc != VG_OK)
            fprintf(stderr, "vidgo: ECPay callback refused: %s\n", vg_error_last());
    }
    if (rc != VG_OK)
        c->code = refusal_code(rc);
    return rc;
}

static const pay_subcommand ecpay_subcommands[] = {
    {"form", 1, P_BIT(P_RETURN_URL) | P_BIT(P_CLIENT_BACK_URL) | P_BIT(P_PAYMENT) | P_BIT(P_HTML),
     P_BIT(P_RETURN_URL), CLI_OPEN_EXISTING, check_form, ecpay_form, "cannot make the ECPay form"},
    {"callback", 0, 0, 0, CLI_OPEN_EXISTING, NULL, ecpay_callback, "ECPay callback refused"},
};

static int run_ecpay(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_ecpay, ecpay_subcommands,
                   sizeof ecpay_subcommands / sizeof ecpay_subcommands[0]);
}

const cli_command cli_cmd_ecpay = {
    "ecpay",
    "ECPay (Taiwan): an order's checkout form; the payment callback from stdin",
    "ecpay form ORDER --return-url URL [--client-back-url URL] [--payment ALL] [--html]\n"
    "       vidgo ecpay callback < BODY\n"
    "  form: the signed AIO checkout form (the order becomes pending); --html prints a page\n"
    "  that posts it. callback: the raw x-www-form-urlencoded body ECPay posted; prints the\n"
    "  reply ECPay expects (\"1|OK\" or \"0|...\") and exits 0 (accepted) or 1 (refused).\n"
    "  Merchant settings: ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV, ECPAY_STAGE=1.",
    run_ecpay,
};

/* --- vidgo paddle ---------------------------------------------------------------------------- */

/* The value of a "Paddle-Signature: VALUE" header line (any case, spaces trimmed), or NULL. */
static const char *signature_header(const char *line)
{
    static const char name[] = "paddle-signature";
    size_t n = sizeof name - 1;

    while (isspace((unsigned char)*line))
        line++;
    if (strncasecmp(line, name, n) != 0)
        return NULL;
    line += n;
    while (*line == ' ' || *line == '\t')
        line++;
    if (*line++ != ':')
        return NULL;
    while (*line == ' ' || *line == '\t')
        line++;
    return line;
}

static void print_webhook(const cli_state *cli, const vg_webhook_result *r, const vg_order *o)
{
    if (cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "event_id", r->event_id);
        cJSON_AddStringToObject(doc, "event_type", r->event_type);
        cJSON_AddBoolToObject(doc, "duplicate", r->duplicate);
        cJSON_AddBoolToObject(doc, "ignored", r->ignored);
        cJSON_AddNumberToObject(doc, "order_id", (double)r->order_id);
        cJSON_AddNumberToObject(doc, "user_id", (double)r->user_id);
        if (o)
            cJSON_AddItemToObject(doc, "order", pay_order_json(o, NULL));
        cli_print_json(doc);
        return;
    }
    printf("event %s (%s): %s\n", r->event_id, r->event_type,
           r->duplicate ? "a duplicate, processed before; nothing changed"
           : r->ignored ? "ignored (VidGo does not act on this type)"
                        : "processed");
    if (o)
        printf("  order %lld  %s  %s\n", (long long)o->id, o->number,
               vg_order_state_name(o->state));
    if (r->user_id)
        printf("  user %lld: subscription updated\n", (long long)r->user_id);
}

static const char *check_webhook(pay_call *c)
{
    if (!c->opt[P_SIGNATURE] == !c->opt[P_HEADER])
        return "webhook needs --signature HEADER or --header 'Paddle-Signature: HEADER'";
    if (c->opt[P_HEADER] && !signature_header(c->opt[P_HEADER]))
        return "--header is 'Paddle-Signature: ts=...;h1=...'";
    return NULL;
}

static int paddle_webhook(pay_call *c)
{
    const char *signature =
        c->opt[P_SIGNATURE] ? c->opt[P_SIGNATURE] : signature_header(c->opt[P_HEADER]);
    vg_webhook_result result;
    vg_order order;
    size_t len = 0;
    char *body;
    int rc;

    if (!(body = read_body(&len))) {
        fprintf(stderr, "vidgo paddle webhook: cannot read the body (it must be under %d bytes)\n",
                BODY_MAX);
        c->code = CLI_EXIT_REFUSED;
        return VG_EIO;
    }
    memset(&result, 0, sizeof result);
    result.version = VG_WEBHOOK_RESULT_VERSION;
    rc = vg_paddle_webhook(&result, c->ctx, signature, body, len);
    free(body);
    if (rc == VG_OK) {
        int has_order = result.order_id && vg_order_get(&order, c->ctx, result.order_id) == VG_OK;
        print_webhook(c->cli, &result, has_order ? &order : NULL);
    } else {
        cli_fail(c->cli, rc, "Paddle webhook refused");
        c->code = refusal_code(rc);
    }
    return rc;
}

static const pay_subcommand paddle_subcommands[] = {
    {"webhook", 0, P_BIT(P_SIGNATURE) | P_BIT(P_HEADER), 0, CLI_OPEN_EXISTING, check_webhook,
     paddle_webhook, "Paddle webhook refused"},
};

static int run_paddle(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_paddle, paddle_subcommands,
                   sizeof paddle_subcommands / sizeof paddle_subcommands[0]);
}

const cli_command cli_cmd_paddle = {
    "paddle",
    "Paddle (international): a webhook from stdin",
    "paddle webhook (--signature HEADER | --header 'Paddle-Signature: HEADER') < BODY\n"
    "  The raw body, byte for byte, and the Paddle-Signature header (ts=...;h1=...). The\n"
    "  signature is checked with PADDLE_WEBHOOK_SECRET and the clock (--now); each event id\n"
    "  is processed once. Exits 0 (processed, a duplicate or ignored) or 1 (refused).",
    run_paddle,
};
