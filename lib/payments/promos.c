/* SPDX-License-Identifier: MIT */
/* Promotion codes: checked editing, reading, and redemption — one bonus grant per
 * redemption, however many times the same redemption is asked for. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../plans/plans_internal.h"

#define DAY_US (INT64_C(86400) * INT64_C(1000000))
#define MAX_BONUS INT64_C(1000000) /* credits one redemption may grant */
#define MAX_TTL_DAYS 3650
#define CODE_MAX (VG_PROMO_CODE_SIZE - 1)
#define PLANS_MAX (VG_STORE_PLANS_SIZE - 1)
/* The caller's idempotency key. The wallet's key is "promo:<CODE>:<user id>:<key>": with a
 * 32-byte code and a 19-digit id, a 128-byte key keeps it within the wallet's 200 bytes. */
#define KEY_MAX 128

/* Copies a code into out upper-cased; returns 1 if it is 1..32 of A-Z a-z 0-9 - _. */
static int code_normalise(char out[VG_PROMO_CODE_SIZE], const char *code)
{
    size_t i;
    for (i = 0; code[i]; i++) {
        char c = code[i];
        if (i >= CODE_MAX || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                               (c >= '0' && c <= '9') || c == '-' || c == '_'))
            return 0;
        out[i] = c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
    }
    out[i] = '\0';
    return i > 0;
}

/* Calls fn for each space-separated word of list (words of up to VG_NAME_SIZE - 1 bytes;
 * a longer one is passed cut, which no plan name matches). Stops at fn's first non-zero
 * return and returns it, else 0. */
static int each_word(const char *list, int (*fn)(const char *word, void *payload), void *payload)
{
    char word[VG_NAME_SIZE + 1];
    const char *p = list;
    int rc;
    while (*p) {
        size_t n = 0;
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        while (p[n] && p[n] != ' ')
            n++;
        snprintf(word, sizeof word, "%.*s", (int)(n < VG_NAME_SIZE ? n : VG_NAME_SIZE), p);
        if ((rc = fn(word, payload)) != 0)
            return rc;
        p += n;
    }
    return 0;
}

typedef struct plan_match {
    const char *plan;
    int found;
} plan_match;

static int match_word(const char *word, void *payload)
{
    plan_match *m = payload;
    m->found = strcmp(word, m->plan) == 0;
    return m->found;
}

/* Returns 1 if a promotion's plan list lets a user on `plan` redeem it ("" lets anyone). */
static int plan_allowed(const char *plans, const char *plan)
{
    plan_match m = {plan, 0};
    if (!*plans)
        return 1;
    each_word(plans, match_word, &m);
    return m.found;
}

/* Appends a word to a single-spaced list; -1 when the list would be too long. */
typedef struct plan_list {
    char text[VG_STORE_PLANS_SIZE];
    size_t len;
} plan_list;

static int append_word(const char *word, void *payload)
{
    plan_list *l = payload;
    size_t n = strlen(word);
    if (l->len + (l->len ? 1 : 0) + n > PLANS_MAX)
        return -1;
    if (l->len)
        l->text[l->len++] = ' ';
    memcpy(l->text + l->len, word, n + 1);
    l->len += n;
    return 0;
}

/* Checks inside a transaction that a word names a plan; stops with the failure. */
static int plan_exists(const char *word, void *payload)
{
    vg__txn *txn = payload;
    vg_plan plan;
    if (!vg__name_valid(word))
        return vg__fail(txn->ctx, VG_EPLAN_UNKNOWN, "no plan named \"%.31s\"", word);
    return vg__plan_load(txn, &plan, word);
}

/* Checks everything of a promotion that needs no store and fills the record to store
 * (redeemed and created_at are the put's). */
static int promo_prepare(vg_ctx *ctx, vg_store_promo *out, const vg_promo *p)
{
    plan_list plans;

    memset(out, 0, sizeof *out);
    if (p->version != VG_PROMO_VERSION)
        return vg__fail(ctx, VG_EVERSION, "promotion version %u is not %u", p->version,
                        VG_PROMO_VERSION);
    if (!memchr(p->code, '\0', sizeof p->code) || !code_normalise(out->code, p->code))
        return vg__fail(ctx, VG_EINVAL, "a promotion code is 1..%d of A-Z, 0-9, '-' and '_'",
                        CODE_MAX);
    if (p->bonus_credits <= 0 || p->bonus_credits > MAX_BONUS)
        return vg__fail(ctx, VG_EINVAL, "promotion %s: bonus_credits must be 1..%" PRId64,
                        out->code, MAX_BONUS);
    if (p->bonus_ttl_days < 0 || p->bonus_ttl_days > MAX_TTL_DAYS)
        return vg__fail(ctx, VG_EINVAL, "promotion %s: bonus_ttl_days must be 0..%d", out->code,
                        MAX_TTL_DAYS);
    if (p->valid_from < 0 || p->valid_until < 0 ||
        (p->valid_from && p->valid_until && p->valid_from >= p->valid_until))
        return vg__fail(ctx, VG_EINVAL, "promotion %s: valid_from must come before valid_until",
                        out->code);
    if (p->max_redemptions < 0 || p->per_user < 0)
        return vg__fail(ctx, VG_EINVAL,
                        "promotion %s: max_redemptions and per_user must not be negative",
                        out->code);
    if (!memchr(p->plans, '\0', sizeof p->plans))
        return vg__fail(ctx, VG_EINVAL, "promotion %s: plans is not NUL-terminated", out->code);
    memset(&plans, 0, sizeof plans);
    if (each_word(p->plans, append_word, &plans) != 0)
        return vg__fail(ctx, VG_EINVAL, "promotion %s: plans must fit in %d bytes", out->code,
                        PLANS_MAX);
    memcpy(out->plans, plans.text, sizeof out->plans);
    out->bonus_credits = p->bonus_credits;
    out->bonus_ttl_days = p->bonus_ttl_days;
    out->valid_from = p->valid_from;
    out->valid_until = p->valid_until;
    out->max_redemptions = p->max_redemptions;
    out->per_user = p->per_user ? p->per_user : 1;
    out->active = p->active != 0;
    return VG_OK;
}

static void promo_public(vg_promo *out, const vg_store_promo *p)
{
    memset(out, 0, sizeof *out);
    out->version = VG_PROMO_VERSION;
    memcpy(out->code, p->code, sizeof out->code);
    out->bonus_credits = p->bonus_credits;
    out->bonus_ttl_days = p->bonus_ttl_days;
    out->valid_from = p->valid_from;
    out->valid_until = p->valid_until;
    out->max_redemptions = p->max_redemptions;
    out->per_user = p->per_user;
    memcpy(out->plans, p->plans, sizeof out->plans);
    out->active = p->active;
    out->redeemed = p->redeemed;
    out->created_at = p->created_at;
}

/* ---- editing and reading ------------------------------------------------------------------- */

typedef struct put_args {
    vg_store_promo promo;
} put_args;

static int put_body(vg__txn *txn, void *payload)
{
    put_args *a = payload;
    vg_store_promo old;
    int rc = each_word(a->promo.plans, plan_exists, txn);

    if (rc != VG_OK)
        return rc;
    /* The redeemed count and the creation time are the stored ones, read under the lock
     * that redemptions take, so that a redemption running meanwhile is not lost. */
    rc = vg__promo_get(txn, &old, a->promo.code, 1);
    if (rc == VG_OK) {
        a->promo.redeemed = old.redeemed;
        a->promo.created_at = old.created_at;
    } else if (rc == VG_ENOTFOUND) {
        a->promo.redeemed = 0;
        a->promo.created_at = vg_ctx_now(txn->ctx);
    } else {
        return rc;
    }
    return vg__promo_put(txn, &a->promo);
}

int vg_promo_put(vg_ctx *ctx, const vg_promo *promo)
{
    put_args a;
    int rc;

    if (!ctx || !promo)
        return vg__fail(ctx, VG_EINVAL, "vg_promo_put: NULL argument");
    if ((rc = promo_prepare(ctx, &a.promo, promo)) != VG_OK)
        return rc;
    return vg__txn_run(ctx, VG_TXN_WRITE, put_body, &a);
}

typedef struct get_args {
    const char *code;
    vg_store_promo promo;
} get_args;

static int get_body(vg__txn *txn, void *payload)
{
    get_args *a = payload;
    return vg__promo_get(txn, &a->promo, a->code, 0);
}

int vg_promo_get(vg_promo *out, vg_ctx *ctx, const char *code)
{
    char upper[VG_PROMO_CODE_SIZE];
    get_args a;
    int rc;

    if (!out || !ctx || !code)
        return vg__fail(ctx, VG_EINVAL, "vg_promo_get: NULL argument");
    if (!code_normalise(upper, code))
        return vg__fail(ctx, VG_EPROMO_INVALID, "there is no promotion code \"%.40s\"", code);
    a.code = upper;
    rc = vg__txn_run(ctx, VG_TXN_READ, get_body, &a);
    if (rc == VG_ENOTFOUND)
        return vg__fail(ctx, VG_EPROMO_INVALID, "there is no promotion code %s", upper);
    if (rc == VG_OK)
        promo_public(out, &a.promo);
    return rc;
}

/* ---- redeeming ------------------------------------------------------------------------------ */

typedef struct redeem_args {
    int64_t user_id;
    const char *code; /* upper-case */
    const char *key;
    /* outcome */
    vg_store_redemption redemption;
    int bonus_ttl_days;
    int repeated; /* the key was redeemed before */
} redeem_args;

/* The key was used before: the same code repeats the first redemption, another conflicts. */
static int redeem_repeat(vg__txn *txn, redeem_args *a)
{
    vg_store_promo promo;
    int rc;
    if (strcmp(a->redemption.code, a->code) != 0)
        return vg__fail(txn->ctx, VG_EIDEMPOTENCY_CONFLICT,
                        "the idempotency key \"%.40s\" redeemed another code", a->key);
    if ((rc = vg__promo_get(txn, &promo, a->code, 0)) != VG_OK)
        return rc;
    a->bonus_ttl_days = promo.bonus_ttl_days;
    a->repeated = 1;
    return VG_OK;
}

static int redeem_body(vg__txn *txn, void *payload)
{
    redeem_args *a = payload;
    vg_ctx *ctx = txn->ctx;
    vg_time now = vg_ctx_now(ctx);
    vg_store_promo promo;
    vg_user user;
    int64_t mine = 0;
    int rc;

    a->repeated = 0;
    /* The key first: a repeat returns the first outcome whatever became of the code. */
    rc = vg__redemption_find(txn, &a->redemption, a->user_id, a->key);
    if (rc == VG_OK)
        return redeem_repeat(txn, a);
    if (rc != VG_ENOTFOUND)
        return rc;
    user.version = VG_USER_VERSION;
    if ((rc = vg__user_get(txn, &user, a->user_id, 0)) == VG_ENOTFOUND)
        return vg__fail(ctx, VG_ENOTFOUND, "there is no user %" PRId64, a->user_id);
    if (rc != VG_OK)
        return rc;
    /* Locking the code queues every redemption of it here. */
    if ((rc = vg__promo_get(txn, &promo, a->code, 1)) == VG_ENOTFOUND)
        return vg__fail(ctx, VG_EPROMO_INVALID, "there is no promotion code %s", a->code);
    if (rc != VG_OK)
        return rc;
    /* The key again under the lock: the same redemption may have committed while we
     * waited for it (PostgreSQL reads what committed before each statement). */
    rc = vg__redemption_find(txn, &a->redemption, a->user_id, a->key);
    if (rc == VG_OK)
        return redeem_repeat(txn, a);
    if (rc != VG_ENOTFOUND)
        return rc;

    if (!promo.active)
        return vg__fail(ctx, VG_EPROMO_INVALID, "the promotion code %s is not active", a->code);
    if ((promo.valid_from && now < promo.valid_from) ||
        (promo.valid_until && now >= promo.valid_until))
        return vg__fail(ctx, VG_EPROMO_EXPIRED, "the promotion code %s is not valid now", a->code);
    if (!plan_allowed(promo.plans, user.plan))
        return vg__fail(ctx, VG_EPLAN_TOO_LOW, "the promotion code %s is for the plans %s, not %s",
                        a->code, promo.plans, user.plan);
    if ((rc = vg__redemptions_count(txn, &mine, a->code, a->user_id)) != VG_OK)
        return rc;
    if (mine >= (promo.per_user > 0 ? promo.per_user : 1))
        return vg__fail(ctx, VG_EPROMO_USED, "the promotion code %s was already redeemed", a->code);
    if (promo.max_redemptions > 0 && promo.redeemed >= promo.max_redemptions)
        return vg__fail(ctx, VG_EPROMO_USED, "the promotion code %s is used up", a->code);

    memset(&a->redemption, 0, sizeof a->redemption);
    memcpy(a->redemption.code, promo.code, sizeof a->redemption.code);
    a->redemption.user_id = a->user_id;
    snprintf(a->redemption.idempotency_key, sizeof a->redemption.idempotency_key, "%s", a->key);
    a->redemption.credits = promo.bonus_credits;
    a->redemption.at = now;
    rc = vg__redemption_insert(txn, &a->redemption);
    if (rc == VG_EEXISTS) /* the same key on another code, committed meanwhile: run again */
        return vg__fail(ctx, VG_ECONFLICT, "the idempotency key \"%.40s\" was taken meanwhile",
                        a->key);
    if (rc != VG_OK)
        return rc;
    promo.redeemed++;
    a->bonus_ttl_days = promo.bonus_ttl_days;
    return vg__promo_put(txn, &promo);
}

/*
 * The order of things: the redemption (checks, the limits, the count) commits in one write
 * transaction, then the bonus is granted by vg_credits_grant with a wallet key made of the
 * code, the user and the caller's key. The grant is idempotent, and its request is the same
 * each time: the credits and the grant time come from the stored redemption. So a crash (or
 * a failure) between the two is repaired by redeeming again with the same key: the
 * redemption is found, no limit is counted twice, and the grant is made — or, if it was
 * made, replayed. A repeat after success changes nothing and returns the balance now.
 * (The redemption does not keep the bonus's life: a repeat computes the expiry from the
 * code as it is now, so after an edit the wallet sees another request under the same key —
 * proof enough that the grant was made.)
 */
int vg_promo_redeem(vg_balance *out, vg_ctx *ctx, int64_t user_id, const char *code,
                    const char *idempotency_key)
{
    char upper[VG_PROMO_CODE_SIZE], reference[VG_REFERENCE_SIZE], wallet_key[VG_STORE_KEY_SIZE];
    redeem_args a;
    vg_time expires;
    size_t key_len = idempotency_key ? strlen(idempotency_key) : 0;
    int rc;

    if (!ctx || !code || user_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_promo_redeem: ctx, code or user id missing");
    if (key_len == 0 || key_len > KEY_MAX)
        return vg__fail(ctx, VG_EINVAL, "a promotion needs an idempotency key of 1..%d bytes",
                        KEY_MAX);
    if (!vg__utf8_valid(idempotency_key))
        return vg__fail(ctx, VG_EUTF8, "the idempotency key is not valid UTF-8");
    if (!code_normalise(upper, code))
        return vg__fail(ctx, VG_EPROMO_INVALID, "there is no promotion code \"%.40s\"", code);

    memset(&a, 0, sizeof a);
    a.user_id = user_id;
    a.code = upper;
    a.key = idempotency_key;
    if ((rc = vg__txn_run(ctx, VG_TXN_WRITE, redeem_body, &a)) != VG_OK)
        return rc;

    expires = a.bonus_ttl_days ? a.redemption.at + a.bonus_ttl_days * DAY_US : 0;
    snprintf(reference, sizeof reference, "promo:%s", upper);
    snprintf(wallet_key, sizeof wallet_key, "promo:%s:%" PRId64 ":%s", upper, user_id,
             idempotency_key);
    rc = vg_credits_grant(out, ctx, user_id, VG_CREDIT_BONUS, a.redemption.credits, expires,
                          reference, wallet_key);
    /* A repeat after the code's bonus life was edited asks for another expiry: the wallet
     * then says the key was used for another request, which proves the grant was made. */
    if (a.repeated && rc == VG_EIDEMPOTENCY_CONFLICT)
        rc = VG_OK;
    else if (!a.repeated || rc != VG_OK)
        return rc;
    /* a repeat reports the balance now, not the replayed grant's of then */
    return out ? vg_credits_balance(out, ctx, user_id) : VG_OK;
}
