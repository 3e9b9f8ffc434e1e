/* SPDX-License-Identifier: MIT */
/* Rate limits: a table of rules, each a number of events allowed in a fixed window per
 * subject (an address, a caller key); subjects are stored only as keyed hashes. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "accounts_internal.h"

typedef struct limit_rule {
    const char *name;
    int max_events;
    int window_s;
} limit_rule;

static const limit_rule rules[] = {
    [VG__LIMIT_LOGIN_EMAIL] = {"login.email", 5, 15 * 60},
    [VG__LIMIT_LOGIN_CALLER] = {"login.caller", 20, 15 * 60},
    [VG__LIMIT_REGISTER_CALLER] = {"register.caller", 10, 60 * 60},
    [VG__LIMIT_FORGOT_EMAIL] = {"forgot.email", 5, 60 * 60},
    [VG__LIMIT_FORGOT_CALLER] = {"forgot.caller", 20, 60 * 60},
};

static void limit_key(char key[VG_STORE_LIMIT_KEY_SIZE], const vg_ctx *ctx,
                      vg__limit_rule rule, const char *subject)
{
    unsigned char hash[VG_STORE_HASH_SIZE];
    char hex[2 * 16 + 1];

    vg__keyed_hash(hash, ctx, VG__KEY_LIMIT, rules[rule].name, subject);
    sodium_bin2hex(hex, sizeof hex, hash, 16);
    snprintf(key, VG_STORE_LIMIT_KEY_SIZE, "%s:%s", rules[rule].name, hex);
}

/* Writes into *retry_s the seconds until `subject` may try again under `rule`, 0 if now. */
static int limit_check(vg__txn *txn, vg__limit_rule rule, const char *subject, int *retry_s)
{
    vg_store_limit limit;
    vg_time now = vg_ctx_now(txn->ctx);
    char key[VG_STORE_LIMIT_KEY_SIZE];
    int rc;

    *retry_s = 0;
    limit_key(key, txn->ctx, rule, subject);
    rc = vg__limit_get(txn, &limit, key, 0);
    if (rc == VG_ENOTFOUND)
        return VG_OK;
    if (rc != VG_OK)
        return rc;
    if (limit.blocked_until > now)
        *retry_s = (int)((limit.blocked_until - now + VG__US_PER_S - 1) / VG__US_PER_S);
    return VG_OK;
}

/* Counts one event of `subject` under `rule`: when the count reaches the rule's maximum,
 * the subject is blocked until its window ends. */
static int limit_hit(vg__txn *txn, vg__limit_rule rule, const char *subject)
{
    const limit_rule *r = &rules[rule];
    vg_time now = vg_ctx_now(txn->ctx), window = (vg_time)r->window_s * VG__US_PER_S;
    vg_store_limit limit;
    int rc;

    memset(&limit, 0, sizeof limit);
    limit_key(limit.key, txn->ctx, rule, subject);
    rc = vg__limit_get(txn, &limit, limit.key, 1);
    if (rc != VG_OK && rc != VG_ENOTFOUND)
        return rc;
    if (rc == VG_ENOTFOUND || now >= limit.window_start + window) {
        limit.count = 0;
        limit.window_start = now;
        limit.blocked_until = 0;
    }
    if (++limit.count >= r->max_events)
        limit.blocked_until = limit.window_start + window;
    return vg__limit_put(txn, &limit);
}

int vg__limit_clear(vg__txn *txn, vg__limit_rule rule, const char *subject)
{
    vg_store_limit limit;
    char key[VG_STORE_LIMIT_KEY_SIZE];
    int rc;

    limit_key(key, txn->ctx, rule, subject);
    rc = vg__limit_get(txn, &limit, key, 1);
    if (rc == VG_ENOTFOUND || (rc == VG_OK && limit.count == 0))
        return VG_OK; /* nothing to forget: no write */
    if (rc != VG_OK)
        return rc;
    limit.count = 0;
    limit.blocked_until = 0;
    return vg__limit_put(txn, &limit);
}

int vg__limits_check(vg__txn *txn, vg__verdict *verdict, const vg__limit_pair *pair,
                     const char *what)
{
    int i, retry_s, rc;

    for (i = 0; i < 2; i++) {
        if (!pair->subject[i])
            continue;
        if ((rc = limit_check(txn, pair->rule[i], pair->subject[i], &retry_s)) != VG_OK)
            return rc;
        if (retry_s > verdict->retry_after_s)
            verdict->retry_after_s = retry_s;
    }
    if (verdict->retry_after_s > 0)
        vg__verdict_set(verdict, VG_ERATE_LIMITED, "%s", what);
    return VG_OK;
}

int vg__limits_hit(vg__txn *txn, const vg__limit_pair *pair)
{
    int i, rc = VG_OK;

    for (i = 0; i < 2 && rc == VG_OK; i++)
        if (pair->subject[i])
            rc = limit_hit(txn, pair->rule[i], pair->subject[i]);
    return rc;
}
