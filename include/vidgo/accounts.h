/* SPDX-License-Identifier: MIT */
/* Accounts: registration, e-mail verification codes, sign-in, sessions and password reset. */
#ifndef VIDGO_ACCOUNTS_H
#define VIDGO_ACCOUNTS_H

#include "common.h"
#include "users.h"

VG_BEGIN_DECLS

/*
 * The front door of VidGo (docs/accounts.md has the whole story):
 *
 * - vg_account_register() creates an unverified account on the demo plan and e-mails a
 *   6-digit code; vg_account_verify() with that code activates it. A code is valid for
 *   15 minutes, dies at the 3rd wrong try, is replaced by a newer one, and at most 5 are
 *   sent to one address in any rolling hour. Codes are stored only as keyed hashes.
 * - vg_account_login() needs a verified address. A wrong password and an unknown address
 *   take the same time and fail alike (VG_EAUTH_FAILED). Failures are rate-limited per
 *   address and per caller key (the host passes e.g. the client's IP address): then
 *   VG_ERATE_LIMITED, and vg_error_retry_after() says how many seconds to wait.
 * - A session is an HS256 JWT access token (short-lived) and an opaque refresh token that
 *   is rotated on every use; presenting a rotated one again revokes the whole session.
 * - Password reset goes through a single-use token sent by e-mail; vg_account_forgot()
 *   answers alike whether or not the address has an account.
 *
 * Passwords, codes and tokens are read from the caller's strings and never kept, logged or
 * put in messages. Every function here may block: hashing a password takes tens of
 * milliseconds and much memory (at most vg_config.hash_concurrency run at once), and
 * sending e-mail talks to a server.
 */

#define VG_PASSWORD_MIN_CHARS 8    /* Unicode code points */
#define VG_PASSWORD_MAX_BYTES 256  /* UTF-8 bytes */
#define VG_CALLER_MAX_BYTES 64     /* a caller key for rate limits, such as an IP address */
#define VG_CODE_DIGITS 6
#define VG_CODE_TTL_S 900          /* a verification code is valid for 15 minutes */
#define VG_CODE_MAX_TRIES 3        /* the 3rd wrong try kills the code */
#define VG_CODE_MAX_SENDS 5        /* codes sent to one address in any rolling hour */
#define VG_RESET_TTL_S 3600        /* a password-reset token is valid for one hour */

#define VG_ACCESS_TOKEN_SIZE 1024  /* room for an access token, terminator included */
#define VG_REFRESH_TOKEN_SIZE 64   /* room for a refresh or reset token, terminator included */

#define VG_SESSION_VERSION 1

/* What a successful sign-in or refresh hands out. */
typedef struct vg_session {
    unsigned int version;                        /* set by the library */
    int64_t user_id;
    int64_t session_id;                          /* the refresh-token family */
    char access_token[VG_ACCESS_TOKEN_SIZE];     /* HS256 JWT */
    char refresh_token[VG_REFRESH_TOKEN_SIZE];   /* opaque, "vgr_..." */
    vg_time access_expires_at;
    vg_time refresh_expires_at;
} vg_session;

#define VG_CLAIMS_VERSION 1

/* The claims of a verified access token. */
typedef struct vg_claims {
    unsigned int version;        /* set by the library */
    int64_t user_id;             /* "sub" */
    int64_t session_id;          /* "sid" */
    char plan[VG_NAME_SIZE];     /* "plan": the user's plan when the token was issued */
    char jti[48];                /* "jti": the token's unique id */
    vg_time issued_at;           /* "iat" */
    vg_time expires_at;          /* "exp" */
} vg_claims;

/*
 * Registers a new account: checks the address (trimmed, lower-cased, UTF-8) and the
 * password (VG_PASSWORD_MIN_CHARS code points .. VG_PASSWORD_MAX_BYTES bytes of UTF-8, not
 * the address itself), hashes the password with argon2id, e-mails a verification code in
 * `lang` (NULL: the context's language), and only then creates the unverified account on
 * the demo plan with its wallet. If the e-mail cannot be sent, nothing is created.
 * `caller` (may be NULL) is the rate-limit key of whoever asks. Writes the new user id to
 * *out_id (may be NULL). Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EEMAIL_INVALID,
 * VG_EPASSWORD_POLICY, VG_EEMAIL_TAKEN, VG_ERATE_LIMITED, VG_EEMAIL_SEND, VG_ECONFIG (no
 * way to send e-mail), or a store error.
 */
VG_API int vg_account_register(int64_t *out_id, vg_ctx *ctx, const char *email,
                               const char *password, const char *lang, const char *caller);

/*
 * Checks a verification code for an address; the right one verifies the address. A wrong
 * code counts a try (VG_ECODE_INVALID; the 3rd gives VG_ECODE_EXHAUSTED and kills it).
 * Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EEMAIL_INVALID, VG_ECODE_INVALID,
 * VG_ECODE_EXHAUSTED, VG_ECODE_EXPIRED (expired, or none was sent; a code replaced by a
 * newer one is just a wrong code: VG_ECODE_INVALID), VG_ESTATE (already verified), or a
 * store error.
 */
VG_API int vg_account_verify(vg_ctx *ctx, const char *email, const char *code);

/*
 * Sends a new verification code, which replaces the previous one. An unknown or already
 * verified address gets nothing and the same VG_OK. Returns VG_OK, VG_EINVAL, VG_EUTF8,
 * VG_EEMAIL_INVALID, VG_ERATE_LIMITED (5 codes in the last hour; see
 * vg_error_retry_after), VG_EEMAIL_SEND (the previous code stays valid), VG_ECONFIG, or a
 * store error.
 */
VG_API int vg_account_resend(vg_ctx *ctx, const char *email);

/*
 * Signs in with an address and a password, and starts a session in *out. `caller` (may be
 * NULL) is the rate-limit key of whoever asks. Returns VG_OK, VG_EINVAL, VG_EUTF8,
 * VG_EEMAIL_INVALID, VG_EAUTH_FAILED (unknown address or wrong password, alike),
 * VG_ENOT_VERIFIED, VG_EACCOUNT_DISABLED (both only with the right password),
 * VG_ERATE_LIMITED, or a store error.
 */
VG_API int vg_account_login(vg_session *out, vg_ctx *ctx, const char *email,
                            const char *password, const char *caller);

/*
 * Exchanges a refresh token for a new session pair in *out; the token presented is spent.
 * Presenting a spent token again revokes its whole session. Returns VG_OK, VG_EINVAL,
 * VG_ETOKEN_INVALID, VG_ETOKEN_EXPIRED, VG_ETOKEN_REVOKED, VG_EACCOUNT_DISABLED, or a
 * store error.
 */
VG_API int vg_session_refresh(vg_session *out, vg_ctx *ctx, const char *refresh_token);

/*
 * Verifies an access token: HS256 only, signature, "exp" and "iat"/"nbf", and that its
 * user and session are still live. Fills *out (may be NULL). Returns VG_OK, VG_EINVAL,
 * VG_ETOKEN_INVALID, VG_ETOKEN_EXPIRED, VG_ETOKEN_REVOKED (logged out, password reset),
 * VG_EACCOUNT_DISABLED, or a store error.
 */
VG_API int vg_session_verify(vg_claims *out, vg_ctx *ctx, const char *access_token);

/* Signs out: revokes the session of a refresh token, so neither its access tokens nor its
 * refresh tokens work any more. Returns VG_OK (also when it was already revoked),
 * VG_EINVAL, VG_ETOKEN_INVALID, or a store error. */
VG_API int vg_session_logout(vg_ctx *ctx, const char *refresh_token);

/* Revokes every session of a user; writes how many to *out_count (may be NULL).
 * Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_session_revoke_all(int *out_count, vg_ctx *ctx, int64_t user_id);

/*
 * Starts a password reset: e-mails a single-use token (valid VG_RESET_TTL_S) to the
 * address if it has an active account, replacing any earlier one. Answers VG_OK whether or
 * not the account exists (a failure to send is logged, not returned, for the same reason).
 * Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EEMAIL_INVALID, VG_ERATE_LIMITED, or a store error.
 */
VG_API int vg_account_forgot(vg_ctx *ctx, const char *email, const char *caller);

/*
 * Sets a new password with a reset token: spends the token, revokes every session of the
 * account, and marks the address verified (the token came through it). Writes the user id
 * to *out_id (may be NULL). Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EPASSWORD_POLICY,
 * VG_ETOKEN_INVALID, VG_ETOKEN_EXPIRED, VG_ETOKEN_REVOKED (spent or replaced),
 * VG_EACCOUNT_DISABLED, or a store error.
 */
VG_API int vg_account_reset(int64_t *out_id, vg_ctx *ctx, const char *reset_token,
                            const char *new_password);

/* Disables (active = 0) or enables an account; disabling revokes its sessions. Returns
 * VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_account_set_active(vg_ctx *ctx, int64_t user_id, int active);

/* Reads the language of a user's e-mails into lang[VG_LANG_TAG_SIZE]. Returns VG_OK,
 * VG_EINVAL, VG_ENOTFOUND, or a store error. */
#define VG_LANG_TAG_SIZE 8
VG_API int vg_account_lang(char *lang, vg_ctx *ctx, int64_t user_id);

VG_END_DECLS

#endif
