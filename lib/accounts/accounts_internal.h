/* SPDX-License-Identifier: MIT */
/* What the files of the accounts domain share: keyed hashes, tokens, passwords, rate limits,
 * verdicts and sessions. */
#ifndef VG_ACCOUNTS_INTERNAL_H
#define VG_ACCOUNTS_INTERNAL_H

#include "../store/store.h"

#define VG__US_PER_S INT64_C(1000000)
#define VG__TOKEN_BYTES 32              /* random bytes of a refresh or reset token */
#define VG__REFRESH_PREFIX "vgr_"
#define VG__RESET_PREFIX "vgp_"
#define VG__DEFAULT_ACCESS_TTL_S 1800
#define VG__DEFAULT_REFRESH_TTL_S (30 * 86400)
#define VG__JWT_LEEWAY_S 60             /* clock skew allowed for "iat" and "nbf" */

/* The subkeys of the server secret, one per use, so that no hash can stand in for another. */
typedef enum vg__key_use {
    VG__KEY_CODE = 0,  /* verification codes */
    VG__KEY_TOKEN = 1, /* refresh and reset tokens */
    VG__KEY_LIMIT = 2, /* rate-limit keys (addresses and caller keys are not stored in clear) */
    VG__KEY_JWT = 3    /* the HS256 key of access tokens */
} vg__key_use;

/* Writes the 32-byte subkey of the server secret for a use. */
void vg__account_key(unsigned char key[32], const vg_ctx *ctx, vg__key_use use);

/* Writes BLAKE2b-256 keyed with the subkey of `use` over the parts (NUL-separated). */
void vg__keyed_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_ctx *ctx, vg__key_use use,
                    const char *part1, const char *part2);

/* Makes a new random token "<prefix><base64url of VG__TOKEN_BYTES>" into out[size]. */
void vg__token_new(char *out, size_t size, const char *prefix);

/* Checks the shape of a token of the given prefix (without saying why it is wrong). */
int vg__token_well_formed(const char *token, const char *prefix);

/* Checks a caller key: NULL, or 1..VG_CALLER_MAX_BYTES of UTF-8 (register.c). */
int vg__caller_check(vg_ctx *ctx, const char *caller);

/* Normalises an e-mail address (users.c). */
int vg__email_normalise(vg_ctx *ctx, char out[VG_EMAIL_SIZE], const char *email);

/* Inserts a new user (plan, verified and active as set in *user) and opens its wallet,
 * writing user->id and created_at (users.c). */
int vg__user_create(vg__txn *txn, vg_user *user);

/* --- passwords (password.c) ------------------------------------------------------------ */

/* Checks a new password against the policy and the account's address. */
int vg__password_check(vg_ctx *ctx, const char *password, const char *email);

/* Hashes a password with argon2id into out[VG_STORE_PWHASH_SIZE], waiting for a free
 * place at the hash gate. Returns VG_OK, VG_ENOMEM. */
int vg__password_hash(vg_ctx *ctx, char out[VG_STORE_PWHASH_SIZE], const char *password);

/* Verifies a password against a stored hash, or (hash NULL) against a dummy hash of the
 * same cost so that an unknown address takes as long. Returns 1 if it matches, else 0. */
int vg__password_verify(vg_ctx *ctx, const char *hash, const char *password);

/* Return the most hashes that ran at once, and how many ran, since the context opened
 * (for tests). */
int vg__hash_gate_peak(vg_ctx *ctx);
long vg__hash_gate_runs(vg_ctx *ctx);

/* --- verdicts: a refusal decided inside a transaction that must still commit ----------- */

typedef struct vg__verdict {
    int code;           /* VG_OK, or the refusal */
    int retry_after_s;  /* for VG_ERATE_LIMITED */
    char message[200];
} vg__verdict;

/* Sets a refusal (the body then returns VG_OK so that what it recorded commits). */
void vg__verdict_set(vg__verdict *verdict, int code, const char *fmt, ...) VG__PRINTF(3, 4);

/* After vg__txn_run: the store's failure if rc is one, else the verdict's refusal recorded
 * on the context, else VG_OK. */
int vg__verdict_report(vg_ctx *ctx, int rc, const vg__verdict *verdict);

/* --- rate limits (limits.c) ------------------------------------------------------------ */

typedef enum vg__limit_rule {
    VG__LIMIT_LOGIN_EMAIL = 0,   /* failed sign-ins of one address */
    VG__LIMIT_LOGIN_CALLER = 1,  /* failed sign-ins from one caller key */
    VG__LIMIT_REGISTER_CALLER = 2,
    VG__LIMIT_FORGOT_EMAIL = 3,  /* password-reset requests for one address */
    VG__LIMIT_FORGOT_CALLER = 4
} vg__limit_rule;

/* Forgets the events of `subject` under `rule` (after a successful sign-in). */
int vg__limit_clear(vg__txn *txn, vg__limit_rule rule, const char *subject);

/* Two subjects an event counts against: an address and a caller key (either may be NULL). */
typedef struct vg__limit_pair {
    vg__limit_rule rule[2];
    const char *subject[2];
} vg__limit_pair;

/* Checks both subjects of a pair; when either is blocked, sets a VG_ERATE_LIMITED verdict
 * ("<what>; try again in N s") with the longer wait. */
int vg__limits_check(vg__txn *txn, vg__verdict *verdict, const vg__limit_pair *pair,
                     const char *what);

/* Counts one event against both subjects of a pair. */
int vg__limits_hit(vg__txn *txn, const vg__limit_pair *pair);

/* --- users of the accounts domain --------------------------------------------------------- */

/* Finds a user by normalised address and locks its row; VG_ENOTFOUND (no message) if none. */
int vg__user_lock_by_email(vg__txn *txn, vg_user *out, const char *email);

/* Writes the index of the language of a user's e-mails: the one chosen at registration, or
 * the context's for an account made without one. */
int vg__user_lang(vg__txn *txn, int *out, int64_t user_id);

/* --- e-mail codes (codes.c) ------------------------------------------------------------ */

/* Draws a new 6-digit code into code[VG_CODE_DIGITS + 1]. */
void vg__code_new(char code[VG_CODE_DIGITS + 1]);

/* Reserves a code for an address in a write transaction: refuses (verdict) when 5 codes
 * went out in the last hour, else records it as VG_CODE_SENDING and writes its id. */
int vg__code_reserve(vg__txn *txn, vg__verdict *verdict, int64_t *out_id, int64_t user_id,
                     const char *email, const char *code);

/* After the e-mail went out: makes the code the valid one (replacing older ones) and sets
 * its user; or, when sending failed (sent 0), records that. */
int vg__code_settle(vg__txn *txn, int64_t code_id, int64_t user_id, const char *email,
                    int sent);

/* Runs the second half of a code's life outside any transaction: sends the e-mail and
 * settles the reservation. finish (may be NULL) runs first in the settling transaction
 * when the e-mail went out, and may set the code's user id (a new account's). Returns
 * VG_OK, VG_EEMAIL_SEND, VG_ECONFIG or a store error. */
typedef int (*vg__code_finish_fn)(vg__txn *txn, int64_t *user_id, void *payload);
int vg__code_deliver(vg_ctx *ctx, int64_t code_id, int64_t user_id, const char *email,
                     const char *code, int lang, vg__code_finish_fn finish, void *payload);

/* --- sessions (session.c) and access tokens (jwt.c) ------------------------------------- */

/* Starts a session for a user in a write transaction (the user row locked) into *out. */
int vg__session_start(vg__txn *txn, vg_session *out, const vg_user *user);

/* Revokes every session of a user and its refresh tokens, for `reason`. */
int vg__sessions_end_all(vg__txn *txn, int *out_count, int64_t user_id, int reason);

/* Signs an HS256 JWT of the JSON claims `payload` with `key` into out[size]. Returns
 * VG_OK or VG_EBUFSIZE. */
int vg__jwt_sign(char *out, size_t size, const unsigned char *key, size_t key_len,
                 const char *payload);

/* Verifies an HS256 JWT with `key` at `now`: the header's "alg" must be "HS256" (no "crit"),
 * the signature must match, "exp" (if present) must be after now, "iat" and "nbf" (if
 * present) not after now plus VG__JWT_LEEWAY_S. On VG_OK, *out_claims (a cJSON object,
 * passed as void * to keep cJSON out of this header) is the parsed payload: free it with
 * vg__jwt_claims_free. Returns VG_OK, VG_ETOKEN_INVALID or VG_ETOKEN_EXPIRED. */
int vg__jwt_verify(void **out_claims, const char *token, const unsigned char *key,
                   size_t key_len, vg_time now);
void vg__jwt_claims_free(void *claims);

#endif
