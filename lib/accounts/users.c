/* SPDX-License-Identifier: MIT */
/* Users as the wallet sees them: the administrator's shortcut to add one, and lookups. */
#include <string.h>

#include "accounts_internal.h"
#include "../credits/wallet.h"

int vg_user_init(vg_user *user, unsigned int version)
{
    if (!user)
        return vg__fail(NULL, VG_EINVAL, "user is NULL");
    if (version < 1 || version > VG_USER_VERSION)
        return vg__fail(NULL, VG_EVERSION, "user version %u is not 1..%u", version, VG_USER_VERSION);
    memset(user, 0, sizeof *user);
    user->version = version;
    return VG_OK;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

/* Trims and lower-cases (ASCII) an e-mail address into out, and checks its shape: one
 * '@', a non-empty local part, a dotted domain, no spaces or control characters. */
int vg__email_normalise(vg_ctx *ctx, char out[VG_EMAIL_SIZE], const char *email)
{
    const char *start = email, *end = email + strlen(email), *at;
    size_t n, i;

    if (!vg__utf8_valid(email))
        return vg__fail(ctx, VG_EUTF8, "the e-mail address is not valid UTF-8");
    while (start < end && is_space(*start))
        start++;
    while (end > start && is_space(end[-1]))
        end--;
    n = (size_t)(end - start);
    if (n == 0 || n > 254)
        return vg__fail(ctx, VG_EEMAIL_INVALID, "an e-mail address has 1..254 bytes");
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)start[i];
        if (c <= ' ' || c == 0x7f)
            return vg__fail(ctx, VG_EEMAIL_INVALID, "an e-mail address has no spaces");
        out[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    out[n] = '\0';
    at = strchr(out, '@');
    if (!at || at == out || strchr(at + 1, '@') || !strchr(at + 1, '.') || at[1] == '.' ||
        out[n - 1] == '.')
        return vg__fail(ctx, VG_EEMAIL_INVALID, "not an e-mail address");
    return VG_OK;
}

typedef struct add_user {
    vg_user user;
} add_user;

int vg__user_create(vg__txn *txn, vg_user *user)
{
    vg__wallet wl;
    vg_plan plan;
    int rc = vg__plan_load(txn, &plan, user->plan);

    if (rc != VG_OK)
        return rc;
    user->created_at = vg_ctx_now(txn->ctx);
    rc = vg__user_insert(txn, &user->id, user);
    if (rc == VG_EEMAIL_TAKEN)
        return vg__fail(txn->ctx, rc, "a user with this e-mail address exists");
    if (rc != VG_OK)
        return rc;
    return vg__wallet_open(&wl, txn, user, &plan);
}

static int add_body(vg__txn *txn, void *payload)
{
    add_user *a = payload;
    return vg__user_create(txn, &a->user);
}

int vg_user_add_verified(int64_t *out_id, vg_ctx *ctx, const char *email, const char *plan)
{
    add_user a;
    int rc;

    if (!ctx || !email || !plan)
        return vg__fail(ctx, VG_EINVAL, "vg_user_add_verified: NULL argument");
    vg_user_init(&a.user, VG_USER_VERSION);
    if ((rc = vg__email_normalise(ctx, a.user.email, email)) != VG_OK)
        return rc;
    if (strlen(plan) >= VG_NAME_SIZE)
        return vg__fail(ctx, VG_EPLAN_UNKNOWN, "no plan named \"%.31s\"", plan);
    memcpy(a.user.plan, plan, strlen(plan) + 1);
    a.user.verified = 1;
    a.user.active = 1;
    rc = vg__txn_run(ctx, VG_TXN_WRITE, add_body, &a);
    if (rc == VG_OK && out_id)
        *out_id = a.user.id;
    return rc;
}

typedef struct find_user {
    vg_user *out;
    int64_t id;
    char email[VG_EMAIL_SIZE];
} find_user;

static int find_body(vg__txn *txn, void *payload)
{
    find_user *f = payload;
    int rc = f->email[0] ? vg__user_find(txn, f->out, f->email) : vg__user_get(txn, f->out, f->id, 0);
    if (rc == VG_ENOTFOUND)
        return vg__fail(txn->ctx, rc, "no such user");
    return rc;
}

int vg_user_get(vg_user *out, vg_ctx *ctx, int64_t id)
{
    find_user f = {out, id, ""};
    if (!ctx || !out)
        return vg__fail(ctx, VG_EINVAL, "vg_user_get: NULL argument");
    out->version = VG_USER_VERSION;
    return vg__txn_run(ctx, VG_TXN_READ, find_body, &f);
}

int vg_user_find(vg_user *out, vg_ctx *ctx, const char *email)
{
    find_user f = {out, 0, ""};
    int rc;
    if (!ctx || !out || !email)
        return vg__fail(ctx, VG_EINVAL, "vg_user_find: NULL argument");
    if ((rc = vg__email_normalise(ctx, f.email, email)) != VG_OK)
        return rc;
    out->version = VG_USER_VERSION;
    return vg__txn_run(ctx, VG_TXN_READ, find_body, &f);
}

int vg__user_lock_by_email(vg__txn *txn, vg_user *out, const char *email)
{
    int rc = vg__user_find(txn, out, email);
    return rc == VG_OK ? vg__user_get(txn, out, out->id, 1) : rc;
}

int vg__user_lang(vg__txn *txn, int *out, int64_t user_id)
{
    vg_store_credential credential;
    int rc = vg__credential_get(txn, &credential, user_id);

    *out = txn->ctx->lang;
    if (rc == VG_ENOTFOUND)
        return VG_OK;
    if (rc == VG_OK && vg_lang_index(credential.lang) >= 0)
        *out = vg_lang_index(credential.lang);
    return rc;
}
