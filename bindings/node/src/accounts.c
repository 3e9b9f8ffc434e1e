/* SPDX-License-Identifier: MIT */
/* The accounts group of the addon: sign-up, codes, sign-in, sessions, reset, user records. */
#include <string.h>

#include "groups.h"

/* Zeroes memory that held a secret (password, code, token) in a way the compiler keeps. */
static void wipe(void *p, size_t n)
{
    volatile unsigned char *b = p;
    while (n--)
        *b++ = 0;
}

/* Wipes an argument string the op copied (a const pointer only to the caller). */
static void wipe_str(const char *s)
{
    if (s)
        wipe((char *)(uintptr_t)s, strlen(s));
}

/* ---- records -------------------------------------------------------------------------- */

static vgn_val *user_val(const vg_user *u)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "id", u->id);
    vgn_set_str(o, "email", u->email);
    vgn_set_str(o, "plan", u->plan);
    vgn_set_bool(o, "verified", u->verified);
    vgn_set_bool(o, "active", u->active);
    vgn_set_time(o, "createdAt", u->created_at);
    return o;
}

static vgn_val *session_val(const vg_session *s)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "userId", s->user_id);
    vgn_set_int(o, "sessionId", s->session_id);
    vgn_set_str(o, "accessToken", s->access_token);
    vgn_set_str(o, "refreshToken", s->refresh_token);
    vgn_set_time(o, "accessExpiresAt", s->access_expires_at);
    vgn_set_time(o, "refreshExpiresAt", s->refresh_expires_at);
    return o;
}

static vgn_val *claims_val(const vg_claims *c)
{
    vgn_val *o = vgn_object();
    vgn_set_int(o, "userId", c->user_id);
    vgn_set_int(o, "sessionId", c->session_id);
    vgn_set_str(o, "plan", c->plan);
    vgn_set_str(o, "jti", c->jti);
    vgn_set_time(o, "issuedAt", c->issued_at);
    vgn_set_time(o, "expiresAt", c->expires_at);
    return o;
}

/* ---- one op for every call --------------------------------------------------------------
 * The calls differ only in which of these they read and write, so they share one op
 * struct; the exec functions below say what each one does. */

typedef struct acct_op {
    vgn_op op;
    vg_ctx *ctx;
    const char *email, *secret, *text, *caller; /* secret: password, code or token */
    int64_t user_id;
    unsigned int version;
    int flag;
    union {
        int64_t id;
        int count;
        char lang[VG_LANG_TAG_SIZE];
        vg_session session;
        vg_claims claims;
        vg_user user;
    } out;
} acct_op;

#define O(op) ((acct_op *)(op))

/* Resolves to the new id on success. */
static void set_id(vgn_op *op)
{
    if (op->rc == VG_OK)
        op->result = vgn_int(O(op)->out.id);
}

/* Resolves to the session, then wipes the tokens out of the op. */
static void set_session(vgn_op *op)
{
    if (op->rc == VG_OK)
        op->result = session_val(&O(op)->out.session);
    wipe(&O(op)->out.session, sizeof O(op)->out.session);
}

static void set_user(vgn_op *op)
{
    if (op->rc == VG_OK)
        op->result = user_val(&O(op)->out.user);
}

static void account_register_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_account_register(&o->out.id, o->ctx, o->email, o->secret, o->text, o->caller);
    wipe_str(o->secret);
    set_id(op);
}

static void account_verify_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_account_verify(o->ctx, o->email, o->secret);
    wipe_str(o->secret);
}

static void account_resend_exec(vgn_op *op)
{
    op->rc = vg_account_resend(O(op)->ctx, O(op)->email);
}

static void account_login_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_account_login(&o->out.session, o->ctx, o->email, o->secret, o->caller);
    wipe_str(o->secret);
    set_session(op);
}

static void session_refresh_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_session_refresh(&o->out.session, o->ctx, o->secret);
    wipe_str(o->secret);
    set_session(op);
}

static void session_verify_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_session_verify(&o->out.claims, o->ctx, o->secret);
    wipe_str(o->secret);
    if (op->rc == VG_OK)
        op->result = claims_val(&o->out.claims);
}

static void session_logout_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_session_logout(o->ctx, o->secret);
    wipe_str(o->secret);
}

static void session_revoke_all_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_session_revoke_all(&o->out.count, o->ctx, o->user_id);
    if (op->rc == VG_OK)
        op->result = vgn_int(o->out.count);
}

static void account_forgot_exec(vgn_op *op)
{
    op->rc = vg_account_forgot(O(op)->ctx, O(op)->email, O(op)->caller);
}

/* secret: the reset token, text: the new password. */
static void account_reset_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_account_reset(&o->out.id, o->ctx, o->secret, o->text);
    wipe_str(o->secret);
    wipe_str(o->text);
    set_id(op);
}

static void account_set_active_exec(vgn_op *op)
{
    op->rc = vg_account_set_active(O(op)->ctx, O(op)->user_id, O(op)->flag);
}

static void account_lang_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_account_lang(o->out.lang, o->ctx, o->user_id);
    if (op->rc == VG_OK)
        op->result = vgn_str(o->out.lang);
}

static void user_init_exec(vgn_op *op)
{
    op->rc = vg_user_init(&O(op)->out.user, O(op)->version);
    set_user(op);
}

/* text: the plan. */
static void user_add_verified_exec(vgn_op *op)
{
    acct_op *o = O(op);
    op->rc = vg_user_add_verified(&o->out.id, o->ctx, o->email, o->text);
    set_id(op);
}

static void user_get_exec(vgn_op *op)
{
    acct_op *o = O(op);
    if ((op->rc = vg_user_init(&o->out.user, VG_USER_VERSION)) == VG_OK)
        op->rc = vg_user_get(&o->out.user, o->ctx, o->user_id);
    set_user(op);
}

static void user_find_exec(vgn_op *op)
{
    acct_op *o = O(op);
    if ((op->rc = vg_user_init(&o->out.user, VG_USER_VERSION)) == VG_OK)
        op->rc = vg_user_find(&o->out.user, o->ctx, o->email);
    set_user(op);
}

/* ---- native functions ------------------------------------------------------------------ */

/* Starts an op on the context in argv[0] (NULL with an exception pending). */
static acct_op *ctx_op(napi_env env, napi_value ctx, vgn_exec_fn exec)
{
    acct_op *o = vgn_op_new(env, sizeof *o, exec);
    if (o)
        o->ctx = vgn_op_handle(&o->op, ctx, VGN_CONTEXT);
    return o;
}

/* account_register(ctx, email, password, [lang], [caller]) → user id */
static napi_value account_register(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 5, argv);
    acct_op *o = ctx_op(env, argv[0], account_register_exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    o->secret = vgn_op_string(&o->op, argv[2], "password", 0);
    o->text = vgn_op_string(&o->op, argv[3], "lang", 1);
    o->caller = vgn_op_string(&o->op, argv[4], "caller", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* account_verify(ctx, email, code) */
static napi_value account_verify(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    acct_op *o = ctx_op(env, argv[0], account_verify_exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    o->secret = vgn_op_string(&o->op, argv[2], "code", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* The calls that take an e-mail address: resend, user_find. */
static napi_value email_call(napi_env env, napi_callback_info info, vgn_exec_fn exec)
{
    VGN_ARGS(env, info, 2, argv);
    acct_op *o = ctx_op(env, argv[0], exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* account_resend(ctx, email) */
static napi_value account_resend(napi_env env, napi_callback_info info)
{
    return email_call(env, info, account_resend_exec);
}

/* account_login(ctx, email, password, [caller]) → session */
static napi_value account_login(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 4, argv);
    acct_op *o = ctx_op(env, argv[0], account_login_exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    o->secret = vgn_op_string(&o->op, argv[2], "password", 0);
    o->caller = vgn_op_string(&o->op, argv[3], "caller", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* The session calls that take one token: refresh, verify, logout. */
static napi_value token_call(napi_env env, napi_callback_info info, vgn_exec_fn exec,
                             const char *name)
{
    VGN_ARGS(env, info, 2, argv);
    acct_op *o = ctx_op(env, argv[0], exec);
    if (!o)
        return NULL;
    o->secret = vgn_op_string(&o->op, argv[1], name, 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* session_refresh(ctx, refreshToken) → session */
static napi_value session_refresh(napi_env env, napi_callback_info info)
{
    return token_call(env, info, session_refresh_exec, "refreshToken");
}

/* session_verify(ctx, accessToken) → claims */
static napi_value session_verify(napi_env env, napi_callback_info info)
{
    return token_call(env, info, session_verify_exec, "accessToken");
}

/* session_logout(ctx, refreshToken) */
static napi_value session_logout(napi_env env, napi_callback_info info)
{
    return token_call(env, info, session_logout_exec, "refreshToken");
}

/* The calls that take a user id: revoke_all, lang, user_get. */
static napi_value user_call(napi_env env, napi_callback_info info, vgn_exec_fn exec)
{
    VGN_ARGS(env, info, 2, argv);
    acct_op *o = ctx_op(env, argv[0], exec);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* session_revoke_all(ctx, userId) → how many sessions */
static napi_value session_revoke_all(napi_env env, napi_callback_info info)
{
    return user_call(env, info, session_revoke_all_exec);
}

/* account_lang(ctx, userId) → language tag */
static napi_value account_lang(napi_env env, napi_callback_info info)
{
    return user_call(env, info, account_lang_exec);
}

/* user_get(ctx, userId) → user */
static napi_value user_get(napi_env env, napi_callback_info info)
{
    return user_call(env, info, user_get_exec);
}

/* account_forgot(ctx, email, [caller]) */
static napi_value account_forgot(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    acct_op *o = ctx_op(env, argv[0], account_forgot_exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    o->caller = vgn_op_string(&o->op, argv[2], "caller", 1);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* account_reset(ctx, resetToken, newPassword) → user id */
static napi_value account_reset(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    acct_op *o = ctx_op(env, argv[0], account_reset_exec);
    if (!o)
        return NULL;
    o->secret = vgn_op_string(&o->op, argv[1], "resetToken", 0);
    o->text = vgn_op_string(&o->op, argv[2], "newPassword", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* account_set_active(ctx, userId, active) */
static napi_value account_set_active(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    acct_op *o = ctx_op(env, argv[0], account_set_active_exec);
    if (!o)
        return NULL;
    o->user_id = vgn_op_int(&o->op, argv[1], "userId", 0);
    o->flag = vgn_op_bool(&o->op, argv[2], "active", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* user_init([version]) → a blank user record (sync: no store involved) */
static napi_value user_init(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 1, argv);
    acct_op *o = vgn_op_new(env, sizeof *o, user_init_exec);
    if (!o)
        return NULL;
    o->version = vgn_read_version(&o->op, argv[0], VG_USER_VERSION);
    return vgn_op_run(&o->op, VGN_SYNC);
}

/* user_add_verified(ctx, email, plan) → user id */
static napi_value user_add_verified(napi_env env, napi_callback_info info)
{
    VGN_ARGS(env, info, 3, argv);
    acct_op *o = ctx_op(env, argv[0], user_add_verified_exec);
    if (!o)
        return NULL;
    o->email = vgn_op_string(&o->op, argv[1], "email", 0);
    o->text = vgn_op_string(&o->op, argv[2], "plan", 0);
    return vgn_op_run(&o->op, VGN_ASYNC);
}

/* user_find(ctx, email) → user */
static napi_value user_find(napi_env env, napi_callback_info info)
{
    return email_call(env, info, user_find_exec);
}

int vgn_register_accounts(napi_env env, napi_value exports)
{
    static const vgn_function functions[] = {
        {"account_register", account_register},
        {"account_verify", account_verify},
        {"account_resend", account_resend},
        {"account_login", account_login},
        {"session_refresh", session_refresh},
        {"session_verify", session_verify},
        {"session_logout", session_logout},
        {"session_revoke_all", session_revoke_all},
        {"account_forgot", account_forgot},
        {"account_reset", account_reset},
        {"account_set_active", account_set_active},
        {"account_lang", account_lang},
        {"user_init", user_init},
        {"user_add_verified", user_add_verified},
        {"user_get", user_get},
        {"user_find", user_find},
    };
    return vgn_export(env, exports, functions, COUNT(functions));
}
