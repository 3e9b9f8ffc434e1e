/* SPDX-License-Identifier: MIT */
/* `vidgo plan ...` (subscriptions), `vidgo promo ...` (promotion codes) and `vidgo admin
 * stats`, and the subcommand runner every payment command shares. */
#include <limits.h>
#include <string.h>

#include "cmd_payments.h"

/* --- the runner ------------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int flag; /* takes no value */
} options[P_COUNT] = {
    [P_USER] = {"--user", 0},
    [P_PACKAGE] = {"--package", 0},
    [P_PLAN] = {"--plan", 0},
    [P_PROVIDER] = {"--provider", 0},
    [P_CURRENCY] = {"--currency", 0},
    [P_KEY] = {"--key", 0},
    [P_LIMIT] = {"--limit", 0},
    [P_BEFORE] = {"--before", 0},
    [P_REASON] = {"--reason", 0},
    [P_RETURN_URL] = {"--return-url", 0},
    [P_CLIENT_BACK_URL] = {"--client-back-url", 0},
    [P_PAYMENT] = {"--payment", 0},
    [P_HTML] = {"--html", 1},
    [P_SIGNATURE] = {"--signature", 0},
    [P_HEADER] = {"--header", 0},
    [P_CREDITS] = {"--credits", 0},
    [P_TTL_DAYS] = {"--ttl-days", 0},
    [P_FROM] = {"--from", 0},
    [P_UNTIL] = {"--until", 0},
    [P_MAX] = {"--max", 0},
    [P_PER_USER] = {"--per-user", 0},
    [P_PLANS] = {"--plans", 0},
    [P_INACTIVE] = {"--inactive", 1},
};

int pay_fail(cli_state *cli, int status, const char *what)
{
    int code = cli_fail(cli, status, what);
    return status == VG_EUNSUPPORTED || status == VG_ESTATE ? CLI_EXIT_REFUSED : code;
}

int pay_run(cli_state *cli, const cli_command *cmd, const pay_subcommand *subs, size_t count)
{
    const pay_subcommand *sub = NULL;
    unsigned long given = 0;
    const char *problem;
    pay_call c;
    size_t i;
    int k, rc, code;

    memset(&c, 0, sizeof c);
    c.cli = cli;
    for (k = 0; k < P_COUNT; k++) {
        if (options[k].flag && (rc = cli_take_flag(cli, options[k].name)) != 0)
            c.opt[k] = "";
        else if (!options[k].flag && (rc = cli_take_option(cli, options[k].name, &c.opt[k])) < 0)
            return cli_usage_error(cli, cmd, "an option needs a value");
        given |= c.opt[k] ? P_BIT(k) : 0;
    }
    if (cli_unknown_option(cli) || cli->argc < 1)
        return cli_usage_error(cli, cmd, "unknown option or missing subcommand");
    for (i = 0; i < count && !sub; i++)
        if (strcmp(cli->argv[0], subs[i].name) == 0)
            sub = &subs[i];
    if (!sub)
        return cli_usage_error(cli, cmd, "unknown subcommand");
    if (cli->argc - 1 != sub->args)
        return cli_usage_error(cli, cmd, "wrong number of arguments");
    if ((given & ~sub->allowed) || (given & sub->required) != sub->required)
        return cli_usage_error(cli, cmd,
                               "an option of another subcommand, or a required "
                               "option missing");
    if (sub->check && (problem = sub->check(&c)) != NULL)
        return cli_usage_error(cli, cmd, problem);
    if ((code = cli_open(&c.ctx, cli, sub->mode)) != CLI_EXIT_OK)
        return code;
    rc = sub->run(&c);
    code = rc == VG_OK ? CLI_EXIT_OK : c.code ? c.code : pay_fail(cli, rc, sub->what);
    vg_close(c.ctx);
    return code;
}

static void print_time(const char *label, vg_time t, const char *suffix)
{
    char text[VG_TIME_TEXT_SIZE];
    if (t && vg_time_format(text, sizeof text, t) == VG_OK)
        printf("  %-10s %s%s\n", label, text, suffix);
}

/* --- vidgo plan ------------------------------------------------------------------------------ */

static const char *const subscription_states[] = {"none", "active", "past_due", "canceled",
                                                  "expired"};

static const char *state_name(vg_subscription_state state)
{
    return (size_t)state < sizeof subscription_states / sizeof subscription_states[0]
               ? subscription_states[state]
               : "unknown";
}

static cJSON *subscription_json(const vg_subscription *s, const vg_user *user)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "email", user->email);
    cJSON_AddNumberToObject(o, "user_id", (double)s->user_id);
    cJSON_AddStringToObject(o, "user_plan", user->plan);
    cJSON_AddStringToObject(o, "plan", s->plan);
    cJSON_AddStringToObject(o, "state", state_name(s->state));
    cJSON_AddStringToObject(o, "provider", s->provider);
    cJSON_AddStringToObject(o, "provider_ref", s->provider_ref);
    cJSON_AddStringToObject(o, "next_plan", s->next_plan);
    cli_json_time(o, "started_at", s->started_at);
    cli_json_time(o, "period_start", s->period_start);
    cli_json_time(o, "period_end", s->period_end);
    return o;
}

static void print_subscription(const vg_subscription *s, const vg_user *user)
{
    char then[96];

    if (s->state == VG_SUBSCRIPTION_NONE) {
        printf("%s: no subscription (plan %s)\n", user->email, user->plan);
        return;
    }
    printf("%s: %s, subscription %s\n", user->email, s->plan, state_name(s->state));
    printf("  %-10s %s\n", "user plan", user->plan);
    printf("  %-10s %s%s%s\n", "provider", s->provider, *s->provider_ref ? ", reference " : "",
           s->provider_ref);
    print_time("started", s->started_at, "");
    print_time("period", s->period_start, "");
    if (s->state == VG_SUBSCRIPTION_EXPIRED) {
        print_time("ended", s->period_end, ": back on demo");
        return;
    }
    snprintf(then, sizeof then, ", then %s%s",
             s->state == VG_SUBSCRIPTION_CANCELED ? "demo"
             : *s->next_plan                      ? s->next_plan
                                                  : "the next month paid, else demo",
             *s->next_plan && s->state != VG_SUBSCRIPTION_CANCELED ? " (a downgrade)" : "");
    print_time("until", s->period_end, then);
    if (s->state == VG_SUBSCRIPTION_PAST_DUE)
        printf("  a renewal payment failed; the plan still applies\n");
}

/* The subscription (what is due applied) and the user's plan that follows it. */
static int show_subscription(pay_call *c, vg_user *user, const vg_subscription *given)
{
    vg_subscription s;
    int64_t id = user->id;
    int rc;

    if (given)
        s = *given;
    else if ((rc = vg_subscription_get(&s, c->ctx, id)) != VG_OK)
        return rc;
    vg_user_init(user, VG_USER_VERSION);
    if ((rc = vg_user_get(user, c->ctx, id)) != VG_OK)
        return rc;
    if (c->cli->json)
        cli_print_json(subscription_json(&s, user));
    else
        print_subscription(&s, user);
    return VG_OK;
}

static int plan_subscribe(pay_call *c)
{
    vg_subscription sub;
    vg_order order;
    vg_user user;
    int rc, paid;

    if ((rc = vg_user_find(&user, c->ctx, c->cli->argv[1])) != VG_OK ||
        (rc = pay_create_order(&order, c, &user, VG_ORDER_SUBSCRIPTION, c->cli->argv[2])) != VG_OK)
        return rc;
    rc = vg_order_simulate_paid(&order, c->ctx, order.id);
    if (rc != VG_OK && rc != VG_EUNSUPPORTED) /* VG_EUNSUPPORTED: not the sandbox */
        return rc;
    paid = rc == VG_OK;
    if (paid && ((rc = vg_subscription_get(&sub, c->ctx, user.id)) != VG_OK ||
                 (rc = vg_user_get(&user, c->ctx, user.id)) != VG_OK))
        return rc;
    if (c->cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddItemToObject(doc, "order", pay_order_json(&order, user.email));
        cJSON_AddBoolToObject(doc, "sandbox_paid", paid);
        if (paid)
            cJSON_AddItemToObject(doc, "subscription", subscription_json(&sub, &user));
        cli_print_json(doc);
        return VG_OK;
    }
    pay_show_order(c->cli, c->ctx, &order);
    if (!paid) {
        printf("not paid yet: the plan changes when the payment arrives (%s)\n",
               strcmp(order.provider, "ecpay") == 0
                   ? "vidgo ecpay form ORDER --return-url URL makes the checkout form"
                   : "Paddle's transaction needs custom_data.vidgo_order = the order number");
        return VG_OK;
    }
    printf("paid in the sandbox (a simulated %s payment, verified as a real one): the plan "
           "changed at once\n",
           strcmp(order.provider, "ecpay") == 0 ? "ECPay" : "Paddle");
    print_subscription(&sub, &user);
    return VG_OK;
}

static int plan_cancel(pay_call *c)
{
    vg_subscription sub;
    vg_user user;
    int rc;

    if ((rc = vg_user_find(&user, c->ctx, c->cli->argv[1])) != VG_OK ||
        (rc = vg_subscription_cancel(&sub, c->ctx, user.id)) != VG_OK)
        return rc;
    return show_subscription(c, &user, &sub);
}

static int plan_change(pay_call *c)
{
    vg_subscription sub;
    vg_user user;
    int rc;

    if ((rc = vg_user_find(&user, c->ctx, c->cli->argv[1])) != VG_OK ||
        (rc = vg_subscription_change(&sub, c->ctx, user.id, c->cli->argv[2])) != VG_OK)
        return rc;
    return show_subscription(c, &user, &sub);
}

static int plan_show(pay_call *c)
{
    vg_user user;
    int rc = vg_user_find(&user, c->ctx, c->cli->argv[1]);
    return rc == VG_OK ? show_subscription(c, &user, NULL) : rc;
}

static const pay_subcommand plan_subcommands[] = {
    {"subscribe", 2, P_BIT(P_PROVIDER) | P_BIT(P_CURRENCY) | P_BIT(P_KEY), P_BIT(P_PROVIDER),
     CLI_OPEN_EXISTING, NULL, plan_subscribe, "cannot subscribe"},
    {"cancel", 1, 0, 0, CLI_OPEN_EXISTING, NULL, plan_cancel, "cannot cancel"},
    {"change", 2, 0, 0, CLI_OPEN_EXISTING, NULL, plan_change, "cannot change the plan"},
    /* read-write: reading a subscription applies its period's end */
    {"show", 1, 0, 0, CLI_OPEN_EXISTING, NULL, plan_show, "cannot read the subscription"},
};

static int run_plan(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_plan, plan_subcommands,
                   sizeof plan_subcommands / sizeof plan_subcommands[0]);
}

const cli_command cli_cmd_plan = {
    "plan",
    "a user's subscription: subscribe, cancel, change (downgrade), show",
    "plan subscribe EMAIL PLAN --provider ecpay|paddle [--currency C] [--key K]\n"
    "       vidgo plan cancel EMAIL\n"
    "       vidgo plan change EMAIL PLAN\n"
    "       vidgo plan show EMAIL\n"
    "  subscribe: an order for a month of PLAN; in the sandbox (VIDGO_PAYMENTS_SANDBOX=1)\n"
    "  it is paid at once by a simulated callback and the plan changes now. cancel: the\n"
    "  plan stays until the period's end, then demo. change: a downgrade from the period's\n"
    "  end (an upgrade is bought with subscribe).",
    run_plan,
};

/* --- vidgo promo ----------------------------------------------------------------------------- */

static cJSON *promo_json(const vg_promo *p)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "code", p->code);
    cJSON_AddNumberToObject(o, "bonus_credits", (double)p->bonus_credits);
    cJSON_AddNumberToObject(o, "bonus_ttl_days", p->bonus_ttl_days);
    cli_json_time(o, "valid_from", p->valid_from);
    cli_json_time(o, "valid_until", p->valid_until);
    cJSON_AddNumberToObject(o, "max_redemptions", p->max_redemptions);
    cJSON_AddNumberToObject(o, "per_user", p->per_user);
    cJSON_AddStringToObject(o, "plans", p->plans);
    cJSON_AddBoolToObject(o, "active", p->active);
    cJSON_AddNumberToObject(o, "redeemed", (double)p->redeemed);
    cli_json_time(o, "created_at", p->created_at);
    return o;
}

static void print_promo(const vg_promo *p)
{
    printf("promo %s: %lld bonus credits, kept %d days, %s\n", p->code, (long long)p->bonus_credits,
           p->bonus_ttl_days ? p->bonus_ttl_days : 90, p->active ? "active" : "inactive");
    if (!p->valid_from && !p->valid_until)
        printf("  %-10s any time\n", "valid");
    print_time("from", p->valid_from, "");
    print_time("until", p->valid_until, "");
    printf("  %-10s %lld", "redeemed", (long long)p->redeemed);
    if (p->max_redemptions)
        printf(" of %d", p->max_redemptions);
    printf(", %d per user\n", p->per_user ? p->per_user : 1);
    printf("  %-10s %s\n", "plans", *p->plans ? p->plans : "any");
    print_time("created", p->created_at, "");
}

static int show_promo(pay_call *c, const char *code)
{
    vg_promo p;
    int rc;

    memset(&p, 0, sizeof p);
    p.version = VG_PROMO_VERSION;
    if ((rc = vg_promo_get(&p, c->ctx, code)) != VG_OK)
        return rc;
    if (c->cli->json)
        cli_print_json(promo_json(&p));
    else
        print_promo(&p);
    return VG_OK;
}

/* The numbers and times of `promo create`, into c->num. */
static const char *check_promo(pay_call *c)
{
    static const struct {
        enum pay_option option;
        long long min, max;
    } numbers[] = {{P_CREDITS, 1, 1000000000000LL},
                   {P_TTL_DAYS, 0, 36500},
                   {P_MAX, 0, INT_MAX},
                   {P_PER_USER, 0, INT_MAX}};
    const enum pay_option times[] = {P_FROM, P_UNTIL};
    vg_time t;
    size_t i;

    for (i = 0; i < sizeof numbers / sizeof numbers[0]; i++)
        if (c->opt[numbers[i].option] &&
            cli_parse_int(c->opt[numbers[i].option], numbers[i].min, numbers[i].max,
                          &c->num[numbers[i].option]) != 0)
            return "--credits is a positive number; --ttl-days, --max and --per-user are "
                   "numbers from 0";
    for (i = 0; i < sizeof times / sizeof times[0]; i++) {
        if (!c->opt[times[i]])
            continue;
        if (vg_time_parse(&t, c->opt[times[i]]) != VG_OK)
            return "--from and --until are RFC 3339 times";
        c->num[times[i]] = t;
    }
    if (strlen(c->cli->argv[1]) >= VG_PROMO_CODE_SIZE)
        return "a code is 1..32 letters, digits, '-' and '_'";
    if (c->opt[P_PLANS] && strlen(c->opt[P_PLANS]) >= sizeof(((vg_promo *)0)->plans))
        return "--plans is too long";
    return NULL;
}

static int promo_create(pay_call *c)
{
    vg_promo p;
    int rc;

    memset(&p, 0, sizeof p);
    p.version = VG_PROMO_VERSION;
    snprintf(p.code, sizeof p.code, "%s", c->cli->argv[1]);
    p.bonus_credits = c->num[P_CREDITS];
    p.bonus_ttl_days = (int)c->num[P_TTL_DAYS];
    p.valid_from = c->num[P_FROM];
    p.valid_until = c->num[P_UNTIL];
    p.max_redemptions = (int)c->num[P_MAX];
    p.per_user = (int)c->num[P_PER_USER];
    snprintf(p.plans, sizeof p.plans, "%s", c->opt[P_PLANS] ? c->opt[P_PLANS] : "");
    p.active = !c->opt[P_INACTIVE];
    if ((rc = vg_promo_put(c->ctx, &p)) != VG_OK)
        return rc;
    return show_promo(c, p.code);
}

static int promo_show(pay_call *c)
{
    return show_promo(c, c->cli->argv[1]);
}

static int promo_redeem(pay_call *c)
{
    vg_balance b;
    vg_promo p;
    vg_user user;
    char key[40];
    int rc;

    if (!c->opt[P_KEY])
        cli_random_key(key, sizeof key);
    memset(&p, 0, sizeof p);
    p.version = VG_PROMO_VERSION;
    if ((rc = vg_user_find(&user, c->ctx, c->cli->argv[1])) != VG_OK ||
        (rc = vg_promo_redeem(&b, c->ctx, user.id, c->cli->argv[2],
                              c->opt[P_KEY] ? c->opt[P_KEY] : key)) != VG_OK ||
        (rc = vg_promo_get(&p, c->ctx, c->cli->argv[2])) != VG_OK)
        return rc;
    if (c->cli->json) {
        cJSON *doc = cJSON_CreateObject();
        cJSON_AddStringToObject(doc, "code", p.code);
        cJSON_AddNumberToObject(doc, "bonus_credits", (double)p.bonus_credits);
        cJSON_AddItemToObject(doc, "balance", cli_balance_json(&user, &b));
        cli_print_json(doc);
    } else {
        printf("%s redeemed %s: +%lld bonus credits\n", user.email, p.code,
               (long long)p.bonus_credits);
        cli_print_balance(&user, &b);
    }
    return VG_OK;
}

static const pay_subcommand promo_subcommands[] = {
    {"create", 1,
     P_BIT(P_CREDITS) | P_BIT(P_TTL_DAYS) | P_BIT(P_FROM) | P_BIT(P_UNTIL) | P_BIT(P_MAX) |
         P_BIT(P_PER_USER) | P_BIT(P_PLANS) | P_BIT(P_INACTIVE),
     P_BIT(P_CREDITS), CLI_OPEN_EXISTING, check_promo, promo_create, "cannot create the promotion"},
    {"show", 1, 0, 0, CLI_OPEN_READONLY, NULL, promo_show, "cannot read the promotion"},
    {"redeem", 2, P_BIT(P_KEY), 0, CLI_OPEN_EXISTING, NULL, promo_redeem, "cannot redeem the code"},
};

static int run_promo(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_promo, promo_subcommands,
                   sizeof promo_subcommands / sizeof promo_subcommands[0]);
}

const cli_command cli_cmd_promo = {
    "promo",
    "promotion codes: create (or replace), show, redeem for bonus credits",
    "promo create CODE --credits N [--ttl-days N] [--from TIME] [--until TIME] [--max N]\n"
    "                    [--per-user N] [--plans \"starter pro\"] [--inactive]\n"
    "       vidgo promo show CODE\n"
    "       vidgo promo redeem EMAIL CODE [--key K]\n"
    "  create: --ttl-days 0 = the wallet's default (90); --max 0 = no limit over everyone;\n"
    "  --per-user 0 = 1; --plans \"\" = any plan. redeem: grants the bonus credits once per\n"
    "  redemption; the same --key returns the first outcome (default: a random key).",
    run_promo,
};

/* --- vidgo admin ----------------------------------------------------------------------------- */

static cJSON *stats_json(const vg_admin_stats *s)
{
    cJSON *doc = cJSON_CreateObject(), *list, *o;
    char amount[48];
    size_t i;

    list = cJSON_AddArrayToObject(doc, "users_per_plan");
    for (i = 0; i < s->plan_count; i++) {
        cJSON_AddItemToArray(list, o = cJSON_CreateObject());
        cJSON_AddStringToObject(o, "plan", s->plans[i].plan);
        cJSON_AddNumberToObject(o, "users", (double)s->plans[i].users);
    }
    cJSON_AddNumberToObject(doc, "active_subscriptions", (double)s->active_subscriptions);
    list = cJSON_AddArrayToObject(doc, "revenue");
    for (i = 0; i < s->currency_count; i++) {
        cJSON_AddItemToArray(list, o = cJSON_CreateObject());
        cJSON_AddStringToObject(o, "currency", s->revenue[i].currency);
        cJSON_AddNumberToObject(o, "amount_minor", (double)s->revenue[i].amount_minor);
        cJSON_AddStringToObject(
            o, "amount",
            pay_amount(amount, sizeof amount, s->revenue[i].amount_minor, s->revenue[i].currency));
        cJSON_AddNumberToObject(o, "orders", (double)s->revenue[i].orders);
    }
    cJSON_AddNumberToObject(doc, "credits_granted", (double)s->credits_granted);
    list = cJSON_AddArrayToObject(doc, "credits_spent");
    for (i = 0; i < s->service_count; i++) {
        cJSON_AddItemToArray(list, o = cJSON_CreateObject());
        cJSON_AddStringToObject(o, "service", s->spent[i].service);
        cJSON_AddNumberToObject(o, "credits", (double)s->spent[i].credits);
        cJSON_AddNumberToObject(o, "uses", (double)s->spent[i].uses);
    }
    cJSON_AddNumberToObject(doc, "api_cost_micro_usd", (double)s->api_cost_micro_usd);
    cJSON_AddNumberToObject(doc, "cache_saved_micro_usd", (double)s->cache_saved_micro_usd);
    cJSON_AddNumberToObject(doc, "cache_hits", (double)s->cache_hits);
    return doc;
}

static void print_stats(const vg_admin_stats *s)
{
    char amount[48];
    size_t i;

    printf("users per plan\n");
    for (i = 0; i < s->plan_count; i++)
        printf("  %-14s %8lld\n", s->plans[i].plan, (long long)s->plans[i].users);
    printf("active subscriptions %lld\n", (long long)s->active_subscriptions);
    printf("revenue (fulfilled orders, refunds deducted)\n");
    for (i = 0; i < s->currency_count; i++)
        printf(
            "  %18s in %lld order%s\n",
            pay_amount(amount, sizeof amount, s->revenue[i].amount_minor, s->revenue[i].currency),
            (long long)s->revenue[i].orders, s->revenue[i].orders == 1 ? "" : "s");
    if (!s->currency_count)
        printf("  none\n");
    printf("credits granted (purchased and bonus) %lld\n", (long long)s->credits_granted);
    printf("credits spent per service\n");
    for (i = 0; i < s->service_count; i++)
        printf("  %-14s %8lld credits in %lld uses\n", s->spent[i].service,
               (long long)s->spent[i].credits, (long long)s->spent[i].uses);
    if (!s->service_count)
        printf("  none\n");
    printf("API cost     %.6f USD\ncache saved  %.6f USD in %lld hits\n",
           (double)s->api_cost_micro_usd / 1e6, (double)s->cache_saved_micro_usd / 1e6,
           (long long)s->cache_hits);
}

static int admin_stats(pay_call *c)
{
    vg_admin_stats s;
    int rc;

    memset(&s, 0, sizeof s);
    s.version = VG_ADMIN_STATS_VERSION;
    if ((rc = vg_admin_stats_get(&s, c->ctx)) != VG_OK)
        return rc;
    if (c->cli->json)
        cli_print_json(stats_json(&s));
    else
        print_stats(&s);
    return VG_OK;
}

static const pay_subcommand admin_subcommands[] = {
    {"stats", 0, 0, 0, CLI_OPEN_READONLY, NULL, admin_stats, "cannot read the figures"},
};

static int run_admin(cli_state *cli)
{
    return pay_run(cli, &cli_cmd_admin, admin_subcommands,
                   sizeof admin_subcommands / sizeof admin_subcommands[0]);
}

const cli_command cli_cmd_admin = {
    "admin",
    "the administrators' figures: users per plan, subscriptions, revenue, credits, costs",
    "admin stats\n"
    "  Users per plan, active subscriptions, revenue per currency (fulfilled orders less\n"
    "  refunds), credits granted (purchased and bonus) and spent per service, API cost, and\n"
    "  what cache hits saved, in one read.",
    run_admin,
};
