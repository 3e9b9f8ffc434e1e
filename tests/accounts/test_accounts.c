/* SPDX-License-Identifier: MIT */
/* Accounts end to end on a fake clock: registration and codes, sign-in and its limits,
 * sessions, password reset, access-token rejections, and what the store keeps. */
#include <ctype.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>
#ifdef VG_TEST_WITH_POSTGRES
#include <libpq-fe.h>
#endif

#include <vidgo/vidgo.h>

#include "accounts/accounts_internal.h"
#include "test_support.h"

#define SEC INT64_C(1000000)
#define MINUTE (60 * SEC)
#define WEDNESDAY (INT64_C(1795600800) * SEC) /* 2026-11-25T10:00:00Z */
#define PASSWORD "correct horse battery"

typedef struct fixture {
    char location[512];
    int unavailable;
    vg_ctx *ctx;
    vg_time now;
    pthread_mutex_t mail_lock;
    int mails;              /* messages handed to the sender */
    int fail_sending;       /* the sender refuses */
    char kind[16], lang[8], to[VG_EMAIL_SIZE];
    char secret[64];        /* the code or token of the last message */
    int hash_concurrency;
    size_t pwhash_memlimit;
} fixture;

/* Finds the code (six digits alone) or the reset token ("vgp_...") in a message. */
static void find_secret(char *out, size_t size, const char *text)
{
    const char *p = strstr(text, "vgp_");
    size_t i;

    out[0] = '\0';
    if (p) {
        for (i = 0; i + 1 < size && (isalnum((unsigned char)p[i]) || p[i] == '_' || p[i] == '-');
             i++)
            out[i] = p[i];
        out[i] = '\0';
        return;
    }
    for (p = text; *p; p++)
        if (isdigit((unsigned char)p[0]) && (p == text || !isdigit((unsigned char)p[-1])) &&
            strspn(p, "0123456789") == 6) {
            snprintf(out, size, "%.6s", p);
            return;
        }
}

static int capture_mail(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    fixture *f = payload;
    pthread_mutex_lock(&f->mail_lock);
    if (f->fail_sending) {
        pthread_mutex_unlock(&f->mail_lock);
        snprintf(errbuf, errbuf_size, "the test's mail server is down");
        return 1;
    }
    f->mails++;
    snprintf(f->kind, sizeof f->kind, "%s", email->kind);
    snprintf(f->lang, sizeof f->lang, "%s", email->lang);
    snprintf(f->to, sizeof f->to, "%s", email->to);
    find_secret(f->secret, sizeof f->secret, email->text);
    pthread_mutex_unlock(&f->mail_lock);
    return 0;
}

static void open_store(fixture *f)
{
    vg_config config;
    test_config_init(&config, f->location);
    config.clock = test_fake_clock;
    config.clock_payload = &f->now;
    config.email_sender = capture_mail;
    config.email_payload = f;
    config.pwhash_opslimit = 1; /* cheap hashes: these tests are about the rules */
    config.pwhash_memlimit = f->pwhash_memlimit ? f->pwhash_memlimit : 1 << 20;
    config.hash_concurrency = f->hash_concurrency;
    f->ctx = test_open(&config);
}

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    *state = f;
    f->now = WEDNESDAY;
    pthread_mutex_init(&f->mail_lock, NULL);
    if (test_try_fresh_location(f->location, sizeof f->location, "accounts") != 0) {
        f->unavailable = 1;
        return 0;
    }
    open_store(f);
    return 0;
}

/* Every scenario ends with a store whose wallets and ledgers verify. */
static int teardown(void **state)
{
    fixture *f = *state;
    size_t problems = 99;
    if (f->ctx) {
        assert_status(vg_check(&problems, f->ctx, NULL, NULL), VG_OK);
        assert_int_equal(problems, 0);
    }
    vg_close(f->ctx);
    pthread_mutex_destroy(&f->mail_lock);
    free(f);
    return 0;
}

static fixture *fixture_of(void **state)
{
    fixture *f = *state;
    if (f->unavailable)
        test_unavailable(f->location);
    return f;
}

/* Registers an address and returns the code that was e-mailed. */
static int64_t register_user(fixture *f, const char *email, char code[8])
{
    int64_t id = 0;
    int before = f->mails;
    assert_status(vg_account_register(&id, f->ctx, email, PASSWORD, NULL, NULL), VG_OK);
    assert_int_equal(f->mails, before + 1);
    assert_string_equal(f->kind, "verify");
    assert_int_equal(strlen(f->secret), 6);
    snprintf(code, 8, "%.6s", f->secret);
    return id;
}

/* Registers, verifies and signs in; returns the user id. */
static int64_t signed_in_user(fixture *f, const char *email, vg_session *session)
{
    char code[8];
    int64_t id = register_user(f, email, code);
    assert_status(vg_account_verify(f->ctx, email, code), VG_OK);
    assert_status(vg_account_login(session, f->ctx, email, PASSWORD, NULL), VG_OK);
    return id;
}

/* --- registration and codes -------------------------------------------------------------- */

static void test_register_mails_a_code_and_verifying_it_activates_the_account(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    vg_claims claims;
    vg_balance balance;
    vg_user user;
    char code[8], lang[VG_LANG_TAG_SIZE];
    int64_t id = 0;

    assert_status(vg_account_register(&id, f->ctx, "  Mei@Example.COM ", PASSWORD, "ja", NULL),
                  VG_OK);
    assert_string_equal(f->to, "mei@example.com");
    assert_string_equal(f->lang, "ja");
    snprintf(code, sizeof code, "%.6s", f->secret);
    assert_status(vg_user_get(&user, f->ctx, id), VG_OK);
    assert_string_equal(user.plan, "demo");
    assert_false(user.verified);
    assert_true(user.active);
    assert_status(vg_credits_balance(&balance, f->ctx, id), VG_OK);
    assert_int_equal(balance.free_uses, 2);
    assert_status(vg_account_lang(lang, f->ctx, id), VG_OK);
    assert_string_equal(lang, "ja");

    assert_status(vg_account_login(&session, f->ctx, "mei@example.com", PASSWORD, NULL),
                  VG_ENOT_VERIFIED);
    assert_status(vg_account_verify(f->ctx, "MEI@example.com", code), VG_OK);
    assert_status(vg_account_verify(f->ctx, "mei@example.com", code), VG_ESTATE);
    assert_status(vg_account_login(&session, f->ctx, "mei@example.com", PASSWORD, NULL), VG_OK);
    assert_int_equal(session.user_id, id);
    assert_status(vg_session_verify(&claims, f->ctx, session.access_token), VG_OK);
    assert_int_equal(claims.user_id, id);
    assert_int_equal(claims.session_id, session.session_id);
    assert_string_equal(claims.plan, "demo");
    assert_int_equal(claims.expires_at - claims.issued_at, 1800 * SEC);
    assert_status(vg_account_register(NULL, f->ctx, "mei@example.com", PASSWORD, NULL, NULL),
                  VG_EEMAIL_TAKEN);
}

static void test_a_code_works_until_fifteen_minutes_and_not_at_fifteen(void **state)
{
    fixture *f = fixture_of(state);
    char early[8], late[8];

    register_user(f, "early@example.com", early);
    register_user(f, "late@example.com", late);
    f->now += 15 * MINUTE - SEC;
    assert_status(vg_account_verify(f->ctx, "early@example.com", early), VG_OK);
    f->now += SEC;
    assert_status(vg_account_verify(f->ctx, "late@example.com", late), VG_ECODE_EXPIRED);
    assert_status(vg_account_verify(f->ctx, "late@example.com", late), VG_ECODE_EXPIRED);
}

/* A six-digit code that is not `code`. */
static void wrong_code(char out[8], const char *code)
{
    snprintf(out, 8, "%06d", (atoi(code) + 1) % 1000000);
}

static void test_the_third_wrong_try_kills_the_code(void **state)
{
    fixture *f = fixture_of(state);
    char code[8], wrong[8];

    register_user(f, "tries@example.com", code);
    wrong_code(wrong, code);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", wrong), VG_ECODE_INVALID);
    assert_non_null(strstr(vg_error_last(), "2 tries left"));
    assert_status(vg_account_verify(f->ctx, "tries@example.com", wrong), VG_ECODE_INVALID);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", wrong), VG_ECODE_EXHAUSTED);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", code), VG_ECODE_EXPIRED);
    /* a malformed code is bad input: it counts no try */
    assert_status(vg_account_resend(f->ctx, "tries@example.com"), VG_OK);
    snprintf(code, sizeof code, "%.6s", f->secret);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", "12a456"), VG_EINVAL);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", "1234567"), VG_EINVAL);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", ""), VG_EINVAL);
    wrong_code(wrong, code);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", wrong), VG_ECODE_INVALID);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", wrong), VG_ECODE_INVALID);
    assert_status(vg_account_verify(f->ctx, "tries@example.com", code), VG_OK);
}

static void test_the_sixth_code_in_an_hour_is_refused_until_the_first_is_an_hour_old(void **state)
{
    fixture *f = fixture_of(state);
    vg_time first = f->now;
    char code[8];
    int i;

    register_user(f, "often@example.com", code); /* the first of five */
    for (i = 0; i < 4; i++) {
        f->now += MINUTE;
        assert_status(vg_account_resend(f->ctx, "often@example.com"), VG_OK);
    }
    assert_int_equal(f->mails, 5);
    f->now += 10 * MINUTE;
    assert_status(vg_account_resend(f->ctx, "often@example.com"), VG_ERATE_LIMITED);
    assert_int_equal(vg_error_retry_after(), (int)((first + 60 * MINUTE - f->now) / SEC));
    assert_non_null(strstr(vg_error_last(), "try again in"));
    assert_int_equal(f->mails, 5);
    f->now = first + 60 * MINUTE - SEC;
    assert_status(vg_account_resend(f->ctx, "often@example.com"), VG_ERATE_LIMITED);
    assert_int_equal(vg_error_retry_after(), 1);
    f->now = first + 60 * MINUTE;
    assert_status(vg_account_resend(f->ctx, "often@example.com"), VG_OK);
    assert_int_equal(f->mails, 6);
    assert_status(vg_account_verify(f->ctx, "often@example.com", f->secret), VG_OK);
}

static void test_a_new_code_replaces_the_old_one(void **state)
{
    fixture *f = fixture_of(state);
    char old[8], fresh[8];

    register_user(f, "again@example.com", old);
    assert_status(vg_account_resend(f->ctx, "again@example.com"), VG_OK);
    snprintf(fresh, sizeof fresh, "%.6s", f->secret);
    if (strcmp(old, fresh) == 0) /* one chance in a million: draw again */
        assert_status(vg_account_resend(f->ctx, "again@example.com"), VG_OK);
    snprintf(fresh, sizeof fresh, "%.6s", f->secret);
    assert_status(vg_account_verify(f->ctx, "again@example.com", old), VG_ECODE_INVALID);
    assert_status(vg_account_verify(f->ctx, "again@example.com", fresh), VG_OK);
}

static void test_resend_to_unknown_or_verified_addresses_sends_nothing_and_says_ok(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;

    signed_in_user(f, "done@example.com", &session);
    assert_int_equal(f->mails, 1);
    assert_status(vg_account_resend(f->ctx, "nobody@example.com"), VG_OK);
    assert_status(vg_account_resend(f->ctx, "done@example.com"), VG_OK);
    assert_int_equal(f->mails, 1);
}

static void test_a_failed_send_creates_nothing_and_keeps_the_old_code(void **state)
{
    fixture *f = fixture_of(state);
    vg_user user;
    char code[8];

    f->fail_sending = 1;
    assert_status(vg_account_register(NULL, f->ctx, "down@example.com", PASSWORD, NULL, NULL),
                  VG_EEMAIL_SEND);
    assert_non_null(strstr(vg_error_last(), "the test's mail server is down"));
    assert_status(vg_user_find(&user, f->ctx, "down@example.com"), VG_ENOTFOUND);
    f->fail_sending = 0;
    register_user(f, "down@example.com", code);
    f->fail_sending = 1;
    assert_status(vg_account_resend(f->ctx, "down@example.com"), VG_EEMAIL_SEND);
    f->fail_sending = 0;
    assert_status(vg_account_verify(f->ctx, "down@example.com", code), VG_OK);
}

/* --- signing in -------------------------------------------------------------------------- */

static void test_unknown_address_and_wrong_password_fail_alike(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    char first[512];
    long runs;

    signed_in_user(f, "known@example.com", &session);
    runs = vg__hash_gate_runs(f->ctx);
    assert_status(vg_account_login(&session, f->ctx, "known@example.com", "wrong password!", NULL),
                  VG_EAUTH_FAILED);
    snprintf(first, sizeof first, "%s", vg_error_last());
    assert_int_equal(session.access_token[0], '\0');
    /* the same work either way: one argon2id verification each */
    assert_int_equal(vg__hash_gate_runs(f->ctx), runs + 1);
    assert_status(vg_account_login(&session, f->ctx, "unknown@example.com", "wrong password!", NULL),
                  VG_EAUTH_FAILED);
    assert_int_equal(vg__hash_gate_runs(f->ctx), runs + 2);
    assert_string_equal(vg_error_last(), first);
    assert_null(strstr(first, "wrong password!"));
    /* an account made without a password (vg_user_add_verified) fails alike too */
    assert_status(vg_user_add_verified(NULL, f->ctx, "admin-made@example.com", "pro"), VG_OK);
    assert_status(vg_account_login(&session, f->ctx, "admin-made@example.com", "wrong password!",
                                   NULL), VG_EAUTH_FAILED);
    assert_int_equal(vg__hash_gate_runs(f->ctx), runs + 3);
    assert_string_equal(vg_error_last(), first);
}

static void test_failed_logins_of_an_address_are_limited_then_allowed_after_the_window(void **state)
{
    fixture *f = fixture_of(state);
    vg_time first;
    vg_session session;
    int i;

    signed_in_user(f, "target@example.com", &session);
    first = f->now;
    for (i = 0; i < 5; i++) {
        assert_status(vg_account_login(&session, f->ctx, "target@example.com", "guess number x",
                                       NULL), VG_EAUTH_FAILED);
        f->now += SEC;
    }
    assert_status(vg_account_login(&session, f->ctx, "target@example.com", PASSWORD, NULL),
                  VG_ERATE_LIMITED);
    assert_int_equal(vg_error_retry_after(), (int)((first + 15 * MINUTE - f->now) / SEC));
    /* unknown addresses are limited alike */
    for (i = 0; i < 5; i++)
        assert_status(vg_account_login(&session, f->ctx, "ghost@example.com", "guess number x",
                                       NULL), VG_EAUTH_FAILED);
    assert_status(vg_account_login(&session, f->ctx, "ghost@example.com", "guess number x", NULL),
                  VG_ERATE_LIMITED);
    f->now = first + 15 * MINUTE;
    assert_status(vg_account_login(&session, f->ctx, "target@example.com", PASSWORD, NULL), VG_OK);
}

static void test_failed_logins_from_one_caller_are_limited_across_addresses(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    char email[64];
    int i;

    signed_in_user(f, "victim@example.com", &session);
    for (i = 0; i < 20; i++) {
        snprintf(email, sizeof email, "spray%d@example.com", i);
        assert_status(vg_account_login(&session, f->ctx, email, "guess number x", "203.0.113.9"),
                      VG_EAUTH_FAILED);
    }
    assert_status(vg_account_login(&session, f->ctx, "victim@example.com", PASSWORD, "203.0.113.9"),
                  VG_ERATE_LIMITED);
    assert_true(vg_error_retry_after() > 0);
    assert_status(vg_account_login(&session, f->ctx, "victim@example.com", PASSWORD, "198.51.100.1"),
                  VG_OK);
}

static void test_a_disabled_account_cannot_sign_in_and_its_sessions_end(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    int64_t id = signed_in_user(f, "gone@example.com", &session);

    assert_status(vg_account_set_active(f->ctx, id, 0), VG_OK);
    assert_status(vg_session_verify(NULL, f->ctx, session.access_token), VG_EACCOUNT_DISABLED);
    assert_status(vg_session_refresh(&session, f->ctx, session.refresh_token),
                  VG_ETOKEN_REVOKED);
    assert_status(vg_account_login(&session, f->ctx, "gone@example.com", PASSWORD, NULL),
                  VG_EACCOUNT_DISABLED);
    assert_status(vg_account_set_active(f->ctx, id, 1), VG_OK);
    assert_status(vg_account_login(&session, f->ctx, "gone@example.com", PASSWORD, NULL), VG_OK);
    assert_status(vg_account_set_active(f->ctx, 999999, 0), VG_ENOTFOUND);
}

/* --- sessions ---------------------------------------------------------------------------- */

static void test_refresh_rotates_and_reuse_of_a_spent_token_revokes_the_session(void **state)
{
    fixture *f = fixture_of(state);
    vg_session first, second, third, other;

    signed_in_user(f, "tabs@example.com", &first);
    assert_status(vg_account_login(&other, f->ctx, "tabs@example.com", PASSWORD, NULL), VG_OK);
    f->now += MINUTE;
    assert_status(vg_session_refresh(&second, f->ctx, first.refresh_token), VG_OK);
    assert_int_equal(second.session_id, first.session_id);
    assert_string_not_equal(second.refresh_token, first.refresh_token);
    assert_status(vg_session_verify(NULL, f->ctx, second.access_token), VG_OK);
    /* the spent token comes back: the whole family ends */
    assert_status(vg_session_refresh(&third, f->ctx, first.refresh_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_refresh(&third, f->ctx, second.refresh_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_verify(NULL, f->ctx, second.access_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_verify(NULL, f->ctx, first.access_token), VG_ETOKEN_REVOKED);
    /* another sign-in of the same account is not touched */
    assert_status(vg_session_verify(NULL, f->ctx, other.access_token), VG_OK);
    assert_status(vg_session_refresh(&third, f->ctx, other.refresh_token), VG_OK);
}

static void test_refresh_tokens_expire_after_thirty_days(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session, next;

    signed_in_user(f, "slow@example.com", &session);
    f->now += 30 * 86400 * SEC;
    assert_status(vg_session_refresh(&next, f->ctx, session.refresh_token), VG_ETOKEN_EXPIRED);
    assert_status(vg_session_refresh(&next, f->ctx, "vgr_not-a-token"), VG_ETOKEN_INVALID);
    assert_status(vg_session_refresh(&next, f->ctx, "vgp_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                  VG_ETOKEN_INVALID);
    assert_status(vg_session_refresh(&next, f->ctx, "vgr_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"),
                  VG_ETOKEN_INVALID);
}

static void test_logout_ends_access_and_refresh_tokens(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session, next;
    int count = -1;
    int64_t id = signed_in_user(f, "bye@example.com", &session);

    assert_status(vg_session_logout(f->ctx, session.refresh_token), VG_OK);
    assert_status(vg_session_verify(NULL, f->ctx, session.access_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_refresh(&next, f->ctx, session.refresh_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_logout(f->ctx, session.refresh_token), VG_OK);
    assert_status(vg_account_login(&session, f->ctx, "bye@example.com", PASSWORD, NULL), VG_OK);
    assert_status(vg_account_login(&next, f->ctx, "bye@example.com", PASSWORD, NULL), VG_OK);
    assert_status(vg_session_revoke_all(&count, f->ctx, id), VG_OK);
    assert_int_equal(count, 2);
    assert_status(vg_session_verify(NULL, f->ctx, next.access_token), VG_ETOKEN_REVOKED);
}

/* --- password reset ---------------------------------------------------------------------- */

static void test_reset_sets_the_password_spends_the_token_and_ends_sessions(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session, next;
    char token[64];
    int64_t id = signed_in_user(f, "lost@example.com", &session), who = 0;

    assert_status(vg_account_forgot(f->ctx, "lost@example.com", NULL), VG_OK);
    assert_string_equal(f->kind, "reset");
    snprintf(token, sizeof token, "%s", f->secret);
    assert_int_equal(strncmp(token, "vgp_", 4), 0);
    assert_status(vg_account_reset(&who, f->ctx, token, "lost@example.com"), VG_EPASSWORD_POLICY);
    assert_status(vg_account_reset(&who, f->ctx, token, "a brand new secret"), VG_OK);
    assert_int_equal(who, id);
    assert_status(vg_session_verify(NULL, f->ctx, session.access_token), VG_ETOKEN_REVOKED);
    assert_status(vg_session_refresh(&next, f->ctx, session.refresh_token), VG_ETOKEN_REVOKED);
    assert_status(vg_account_login(&next, f->ctx, "lost@example.com", PASSWORD, NULL),
                  VG_EAUTH_FAILED);
    assert_status(vg_account_login(&next, f->ctx, "lost@example.com", "a brand new secret", NULL),
                  VG_OK);
    assert_status(vg_account_reset(&who, f->ctx, token, "yet another secret"), VG_ETOKEN_REVOKED);
}

static void test_a_reset_token_expires_after_an_hour_and_a_newer_one_replaces_it(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    char first[64];

    signed_in_user(f, "hour@example.com", &session);
    assert_status(vg_account_forgot(f->ctx, "hour@example.com", NULL), VG_OK);
    snprintf(first, sizeof first, "%s", f->secret);
    assert_status(vg_account_forgot(f->ctx, "hour@example.com", NULL), VG_OK);
    assert_string_not_equal(first, f->secret);
    assert_status(vg_account_reset(NULL, f->ctx, first, "a brand new secret"), VG_ETOKEN_REVOKED);
    f->now += 60 * MINUTE;
    assert_status(vg_account_reset(NULL, f->ctx, f->secret, "a brand new secret"),
                  VG_ETOKEN_EXPIRED);
}

static void test_forgot_answers_alike_for_unknown_addresses_and_mails_only_known_ones(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session;
    int i;

    signed_in_user(f, "real@example.com", &session);
    assert_status(vg_account_forgot(f->ctx, "nobody@example.com", "192.0.2.1"), VG_OK);
    assert_int_equal(f->mails, 1);
    assert_status(vg_account_forgot(f->ctx, "real@example.com", "192.0.2.1"), VG_OK);
    assert_int_equal(f->mails, 2);
    /* the limit is per address, known or not: five an hour */
    for (i = 0; i < 4; i++)
        assert_status(vg_account_forgot(f->ctx, "nobody@example.com", NULL), VG_OK);
    assert_status(vg_account_forgot(f->ctx, "nobody@example.com", NULL), VG_ERATE_LIMITED);
    f->fail_sending = 1; /* a failed send is logged, not told */
    assert_status(vg_account_forgot(f->ctx, "real@example.com", NULL), VG_OK);
}

/* --- access tokens ------------------------------------------------------------------------ */

/* Base64url of a text, no padding. */
static void b64(char *out, size_t size, const char *text)
{
    sodium_bin2base64(out, size, (const unsigned char *)text, strlen(text),
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* A token of this header and payload signed with the context's real key. */
static void forge(char *out, size_t size, fixture *f, const char *header, const char *payload)
{
    unsigned char key[32], mac[32];
    char h[512], p[1024], sig[64];
    crypto_auth_hmacsha256_state st;

    vg__account_key(key, f->ctx, VG__KEY_JWT);
    b64(h, sizeof h, header);
    b64(p, sizeof p, payload);
    snprintf(out, size, "%s.%s", h, p);
    crypto_auth_hmacsha256_init(&st, key, sizeof key);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)out, strlen(out));
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(sig, sizeof sig, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    snprintf(out + strlen(out), size - strlen(out), ".%s", sig);
}

static void test_access_tokens_are_refused_for_every_kind_of_flaw(void **state)
{
    fixture *f = fixture_of(state);
    const char *hs256 = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";
    vg_session session;
    char token[2048], payload[512], h[256], p[512];
    long long now_s = (long long)(WEDNESDAY / SEC);
    int64_t id = signed_in_user(f, "jwt@example.com", &session);
    long long sid = (long long)session.session_id;

#define PAYLOAD(sub, iat, exp, extra)                                                              \
    snprintf(payload, sizeof payload,                                                              \
             "{\"sub\":\"%lld\",\"sid\":%lld,\"plan\":\"demo\",\"iat\":%lld,\"exp\":%lld,"         \
             "\"jti\":\"x\"%s}",                                                                   \
             (long long)(sub), sid, (long long)(iat), (long long)(exp), extra)

    /* our own forgery with the right key verifies: the cases below differ only in their flaw */
    PAYLOAD(id, now_s, now_s + 600, "");
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_OK);
    /* a flipped signature character */
    token[strlen(token) - 2] = token[strlen(token) - 2] == 'A' ? 'B' : 'A';
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    /* alg none, unsigned and signed */
    b64(h, sizeof h, "{\"alg\":\"none\",\"typ\":\"JWT\"}");
    b64(p, sizeof p, payload);
    snprintf(token, sizeof token, "%s.%s.", h, p);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, "{\"alg\":\"none\"}", payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, "{\"alg\":\"HS512\",\"typ\":\"JWT\"}", payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, "{\"alg\":\"hs256\"}", payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, "{\"alg\":\"HS256\",\"crit\":[\"exp\"]}", payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    /* expired, not yet valid */
    PAYLOAD(id, now_s - 700, now_s, "");
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_EXPIRED);
    PAYLOAD(id, now_s + 3600, now_s + 4000, "");
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    PAYLOAD(id, now_s, now_s + 600, ",\"nbf\":9999999999");
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    /* malformed JSON, claims of the wrong type, missing claims */
    forge(token, sizeof token, f, hs256, "{\"sub\":\"1\",");
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, "[\"alg\",\"HS256\"]", payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    PAYLOAD(id, now_s, now_s + 600, "");
    payload[strlen(payload) - 1] = '\0'; /* cut the closing brace */
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    forge(token, sizeof token, f, hs256, "{\"sub\":\"1\",\"exp\":\"soon\"}");
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    snprintf(payload, sizeof payload, "{\"sid\":%lld,\"plan\":\"demo\",\"iat\":%lld,"
             "\"exp\":%lld,\"jti\":\"x\"}", sid, now_s, now_s + 600);
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    /* malformed base64: padding, a character outside the alphabet, two or four parts */
    snprintf(token, sizeof token, "%s", session.access_token);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_OK);
    snprintf(token, sizeof token, "%s=", session.access_token);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    snprintf(token, sizeof token, "%s", session.access_token);
    token[3] = '+';
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    *strrchr(token, '.') = '\0';
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    snprintf(token, sizeof token, "%s.e30", session.access_token);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    assert_status(vg_session_verify(NULL, f->ctx, ""), VG_ETOKEN_INVALID);
    /* a token of a user that does not exist (or was deleted) */
    PAYLOAD(id + 1000, now_s, now_s + 600, "");
    forge(token, sizeof token, f, hs256, payload);
    assert_status(vg_session_verify(NULL, f->ctx, token), VG_ETOKEN_INVALID);
    /* the real token, once its 30 minutes are over */
    f->now += 30 * MINUTE;
    assert_status(vg_session_verify(NULL, f->ctx, session.access_token), VG_ETOKEN_EXPIRED);
#undef PAYLOAD
}

/* RFC 7515 Appendix A.1: the HS256 example verifies with its key (and only with it). */
static void test_rfc7515_appendix_a1_hs256_example_verifies(void **state)
{
    static const char token[] =
        "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9"
        ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ"
        ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
    static const char jwk_k[] =
        "AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow";
    unsigned char key[64];
    size_t key_len;
    void *claims = NULL;
    char forged[sizeof token];
    vg_time before_exp = INT64_C(1300819379) * SEC;

    (void)state;
    assert_int_equal(sodium_base642bin(key, sizeof key, jwk_k, strlen(jwk_k), NULL, &key_len,
                                       NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING), 0);
    assert_int_equal(key_len, 64);
    assert_status(vg__jwt_verify(&claims, token, key, key_len, before_exp), VG_OK);
    assert_non_null(claims);
    vg__jwt_claims_free(claims);
    assert_status(vg__jwt_verify(&claims, token, key, key_len, before_exp + SEC),
                  VG_ETOKEN_EXPIRED);
    key[0] ^= 1;
    assert_status(vg__jwt_verify(&claims, token, key, key_len, before_exp), VG_ETOKEN_INVALID);
    key[0] ^= 1;
    memcpy(forged, token, sizeof token);
    forged[50] = forged[50] == 'x' ? 'y' : 'x';
    assert_status(vg__jwt_verify(&claims, forged, key, key_len, before_exp), VG_ETOKEN_INVALID);
    assert_null(claims);
}

/* --- bad input ----------------------------------------------------------------------------- */

static void test_bad_input_is_refused_and_changes_nothing(void **state)
{
    fixture *f = fixture_of(state);
    static const char *const bad_emails[] = {"", "   ", "plain", "a@", "@example.com",
                                             "a b@example.com", "a@@example.com", "a@example.",
                                             "a@.example.com", "\xff@example.com"};
    char long_email[400], long_password[300], long_caller[100];
    vg_session session;
    vg_user user;
    size_t i;

    for (i = 0; i < sizeof bad_emails / sizeof bad_emails[0]; i++) {
        int rc = vg_account_register(NULL, f->ctx, bad_emails[i], PASSWORD, NULL, NULL);
        assert_true(rc == VG_EEMAIL_INVALID || rc == VG_EUTF8);
        rc = vg_account_login(&session, f->ctx, bad_emails[i], PASSWORD, NULL);
        assert_true(rc == VG_EEMAIL_INVALID || rc == VG_EUTF8);
    }
    memset(long_email, 'a', sizeof long_email);
    memcpy(long_email + sizeof long_email - 13, "@example.com", 13);
    assert_status(vg_account_register(NULL, f->ctx, long_email, PASSWORD, NULL, NULL),
                  VG_EEMAIL_INVALID);
    memset(long_password, 'p', sizeof long_password);
    long_password[VG_PASSWORD_MAX_BYTES + 1] = '\0';
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", long_password, NULL, NULL),
                  VG_EPASSWORD_POLICY);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", "", NULL, NULL),
                  VG_EPASSWORD_POLICY);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", "short", NULL, NULL),
                  VG_EPASSWORD_POLICY);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", "OK@Example.com", NULL,
                                      NULL), VG_EPASSWORD_POLICY);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", "pass\xc3\x28word1", NULL,
                                      NULL), VG_EUTF8);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", PASSWORD, "xx", NULL),
                  VG_EINVAL);
    memset(long_caller, 'c', sizeof long_caller);
    long_caller[sizeof long_caller - 1] = '\0';
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", PASSWORD, NULL,
                                      long_caller), VG_EINVAL);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", PASSWORD, NULL,
                                      "\xc0\xaf"), VG_EUTF8);
    assert_status(vg_account_register(NULL, NULL, "ok@example.com", PASSWORD, NULL, NULL),
                  VG_EINVAL);
    assert_status(vg_account_register(NULL, f->ctx, NULL, PASSWORD, NULL, NULL), VG_EINVAL);
    assert_status(vg_account_register(NULL, f->ctx, "ok@example.com", NULL, NULL, NULL),
                  VG_EINVAL);
    assert_status(vg_account_login(&session, f->ctx, "ok@example.com", "", NULL), VG_EINVAL);
    assert_status(vg_account_login(&session, f->ctx, "ok@example.com", long_password, NULL),
                  VG_EINVAL);
    assert_status(vg_account_login(NULL, f->ctx, "ok@example.com", PASSWORD, NULL), VG_EINVAL);
    assert_status(vg_account_verify(f->ctx, "ok@example.com", NULL), VG_EINVAL);
    assert_status(vg_account_reset(NULL, f->ctx, "vgp_short", PASSWORD), VG_ETOKEN_INVALID);
    assert_status(vg_session_verify(NULL, f->ctx, NULL), VG_EINVAL);
    assert_status(vg_session_logout(f->ctx, "nonsense"), VG_ETOKEN_INVALID);
    /* nothing was created, nothing was sent */
    assert_status(vg_user_find(&user, f->ctx, "ok@example.com"), VG_ENOTFOUND);
    assert_int_equal(f->mails, 0);
}

/* --- what the store keeps ----------------------------------------------------------------- */

/* Reads a whole file (missing: empty) into a buffer the caller frees. */
static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *file = fopen(path, "rb");
    unsigned char *buf = NULL;
    long size;

    *len = 0;
    if (!file)
        return calloc(1, 1);
    fseek(file, 0, SEEK_END);
    size = ftell(file);
    fseek(file, 0, SEEK_SET);
    buf = malloc((size_t)size + 1);
    assert_non_null(buf);
    *len = fread(buf, 1, (size_t)size, file);
    fclose(file);
    return buf;
}

static int contains(const unsigned char *hay, size_t len, const void *needle, size_t n)
{
    size_t i;
    for (i = 0; n && i + n <= len; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return 1;
    return 0;
}

#ifdef VG_TEST_WITH_POSTGRES
/* Every row of every table of a PostgreSQL store, as text (a bytea shows as hex). */
static unsigned char *pg_store_text(const char *location, size_t *len)
{
    PGconn *conn = PQconnectdb(location);
    PGresult *tables, *rows;
    char sql[256];
    size_t size = 1, used = 0;
    unsigned char *text = calloc(1, 1);
    int t, r;

    assert_int_equal(PQstatus(conn), CONNECTION_OK);
    tables = PQexec(conn, "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()");
    assert_int_equal(PQresultStatus(tables), PGRES_TUPLES_OK);
    assert_true(PQntuples(tables) >= 10);
    for (t = 0; t < PQntuples(tables); t++) {
        snprintf(sql, sizeof sql, "SELECT t::text FROM %s t", PQgetvalue(tables, t, 0));
        rows = PQexec(conn, sql);
        assert_int_equal(PQresultStatus(rows), PGRES_TUPLES_OK);
        for (r = 0; r < PQntuples(rows); r++) {
            size_t n = (size_t)PQgetlength(rows, r, 0);
            text = realloc(text, size += n + 1);
            assert_non_null(text);
            memcpy(text + used, PQgetvalue(rows, r, 0), n);
            used += n;
            text[used++] = '\n';
        }
        PQclear(rows);
    }
    PQclear(tables);
    PQfinish(conn);
    *len = used;
    return text;
}
#endif

/* The bytes of the store: SQLite's file, its WAL and journal; or every row of a server's. */
static unsigned char *store_bytes(const char *location, size_t *len)
{
    static const char *const suffixes[] = {"", "-wal", "-journal"};
    unsigned char *all = calloc(1, 1), *part;
    char path[600];
    size_t i, n;

#ifdef VG_TEST_WITH_POSTGRES
    if (strcmp(test_target()->name, "postgresql") == 0) {
        free(all);
        return pg_store_text(location, len);
    }
#endif
    *len = 0;
    for (i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s%s", location, suffixes[i]);
        part = slurp(path, &n);
        all = realloc(all, *len + n + 1);
        assert_non_null(all);
        memcpy(all + *len, part, n);
        *len += n;
        free(part);
    }
    assert_true(*len > 0);
    return all;
}

/* Fails if the store holds `secret` in clear, or its plain SHA-256 (hex or raw). */
static void assert_not_in_store(const unsigned char *bytes, size_t len, const char *secret)
{
    unsigned char sha[crypto_hash_sha256_BYTES];
    char hex[2 * sizeof sha + 1];

    crypto_hash_sha256(sha, (const unsigned char *)secret, strlen(secret));
    sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
    assert_false(contains(bytes, len, secret, strlen(secret)));
    assert_false(contains(bytes, len, sha, sizeof sha));
    assert_false(contains(bytes, len, hex, strlen(hex)));
}

static void test_the_store_holds_no_password_code_or_token_in_clear(void **state)
{
    fixture *f = fixture_of(state);
    vg_session session, next;
    char code[8], reset[64];
    unsigned char *bytes;
    size_t len;

    register_user(f, "clear@example.com", code);
    assert_status(vg_account_verify(f->ctx, "clear@example.com", code), VG_OK);
    assert_status(vg_account_login(&session, f->ctx, "clear@example.com", PASSWORD, NULL), VG_OK);
    assert_status(vg_session_refresh(&next, f->ctx, session.refresh_token), VG_OK);
    assert_status(vg_account_forgot(f->ctx, "clear@example.com", NULL), VG_OK);
    snprintf(reset, sizeof reset, "%s", f->secret);
    assert_status(vg_account_resend(f->ctx, "nobody@example.com"), VG_OK);
    bytes = store_bytes(f->location, &len);
    /* the search works: the address is there in clear */
    assert_true(contains(bytes, len, "clear@example.com", 17));
    assert_not_in_store(bytes, len, PASSWORD);
    assert_not_in_store(bytes, len, code);
    assert_not_in_store(bytes, len, session.refresh_token);
    assert_not_in_store(bytes, len, next.refresh_token);
    assert_not_in_store(bytes, len, session.access_token);
    assert_not_in_store(bytes, len, reset);
    free(bytes);
}

/* --- bounded cost ------------------------------------------------------------------------- */

typedef struct burst {
    fixture *f;
    int status;
} burst;

static void *login_once(void *payload)
{
    burst *b = payload;
    vg_session session;
    b->status = vg_account_login(&session, b->f->ctx, "crowd@example.com", PASSWORD, NULL);
    return NULL;
}

/* Peak resident memory of this process, in KiB (VmHWM), or -1. */
static long peak_rss_kib(void)
{
    char line[256];
    long kib = -1;
    FILE *file = fopen("/proc/self/status", "r");
    while (file && fgets(line, sizeof line, file))
        if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
            break;
    if (file)
        fclose(file);
    return kib;
}

static void test_fifty_concurrent_logins_stay_within_the_hash_bound(void **state)
{
    enum { THREADS = 50, BOUND = 2 };
    fixture *f = fixture_of(state);
    const size_t memlimit = (size_t)32 << 20;
    pthread_t threads[THREADS];
    burst runs[THREADS];
    vg_session session;
    long before, after;
    int i;

    vg_close(f->ctx);
    f->hash_concurrency = BOUND;
    f->pwhash_memlimit = memlimit;
    open_store(f);
    signed_in_user(f, "crowd@example.com", &session);
    before = peak_rss_kib();
    for (i = 0; i < THREADS; i++) {
        runs[i].f = f;
        runs[i].status = 1;
        assert_int_equal(pthread_create(&threads[i], NULL, login_once, &runs[i]), 0);
    }
    for (i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_status(runs[i].status, VG_OK);
    }
    after = peak_rss_kib();
    assert_true(vg__hash_gate_peak(f->ctx) <= BOUND);
    print_message("hash gate: peak %d of %d; peak RSS %ld -> %ld KiB (%d hashes of %zu MiB)\n",
                  vg__hash_gate_peak(f->ctx), BOUND, before, after, THREADS, memlimit >> 20);
#if !defined(__SANITIZE_ADDRESS__)
    /* without the gate, 50 hashes at once would need 1.6 GiB; with it, two at a time */
    assert_true(before > 0 && after - before <= (long)((BOUND + 1) * memlimit) / 1024);
#endif
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_register_mails_a_code_and_verifying_it_activates_the_account),
        T(test_a_code_works_until_fifteen_minutes_and_not_at_fifteen),
        T(test_the_third_wrong_try_kills_the_code),
        T(test_the_sixth_code_in_an_hour_is_refused_until_the_first_is_an_hour_old),
        T(test_a_new_code_replaces_the_old_one),
        T(test_resend_to_unknown_or_verified_addresses_sends_nothing_and_says_ok),
        T(test_a_failed_send_creates_nothing_and_keeps_the_old_code),
        T(test_unknown_address_and_wrong_password_fail_alike),
        T(test_failed_logins_of_an_address_are_limited_then_allowed_after_the_window),
        T(test_failed_logins_from_one_caller_are_limited_across_addresses),
        T(test_a_disabled_account_cannot_sign_in_and_its_sessions_end),
        T(test_refresh_rotates_and_reuse_of_a_spent_token_revokes_the_session),
        T(test_refresh_tokens_expire_after_thirty_days),
        T(test_logout_ends_access_and_refresh_tokens),
        T(test_reset_sets_the_password_spends_the_token_and_ends_sessions),
        T(test_a_reset_token_expires_after_an_hour_and_a_newer_one_replaces_it),
        T(test_forgot_answers_alike_for_unknown_addresses_and_mails_only_known_ones),
        T(test_access_tokens_are_refused_for_every_kind_of_flaw),
        cmocka_unit_test(test_rfc7515_appendix_a1_hs256_example_verifies),
        T(test_bad_input_is_refused_and_changes_nothing),
        T(test_the_store_holds_no_password_code_or_token_in_clear),
        T(test_fifty_concurrent_logins_stay_within_the_hash_bound),
    };
#undef T
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, NULL, NULL));
}
