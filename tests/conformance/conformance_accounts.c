/* SPDX-License-Identifier: MIT */
/* The conformance suite for the version-3 (accounts) methods of a backend: credentials,
 * verification codes, rate limits, sessions and tokens, as include/vidgo/sys/store.h says. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "conformance.h"

/* --- records to write ------------------------------------------------------------------ */

/* Fails the test unless the backend says it is of version 3 and has each of its methods
 * (calling a missing one would crash the suite). */
static void require_accounts(const vg_store_backend *b)
{
    const struct {
        const char *name;
        int present;
    } methods[] = {
        {"user_set_status", b->user_set_status != NULL},
        {"credential_put", b->credential_put != NULL},
        {"credential_get", b->credential_get != NULL},
        {"code_insert", b->code_insert != NULL},
        {"code_update", b->code_update != NULL},
        {"codes_list", b->codes_list != NULL},
        {"limit_get", b->limit_get != NULL},
        {"limit_put", b->limit_put != NULL},
        {"session_insert", b->session_insert != NULL},
        {"session_get", b->session_get != NULL},
        {"sessions_revoke", b->sessions_revoke != NULL},
        {"token_insert", b->token_insert != NULL},
        {"token_get", b->token_get != NULL},
        {"tokens_close", b->tokens_close != NULL},
    };
    size_t i;

    if (b->version < 3)
        fail_msg("the %s backend is of version %u, not 3", b->name, b->version);
    for (i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (!methods[i].present)
            fail_msg("the %s backend has no %s", b->name, methods[i].name);
}

/* raw_begin() on a backend that has the accounts methods. */
static raw_store accounts_begin(const char *label)
{
    require_accounts(target->backend());
    return raw_begin(label);
}

/* A keyed hash as the core makes them: zero bytes first, inside and last (so it is no C
 * string), bytes >= 0x80, and the rest set by `seed`. */
static void make_hash(unsigned char hash[VG_STORE_HASH_SIZE], int seed)
{
    size_t i;
    for (i = 0; i < VG_STORE_HASH_SIZE; i++)
        hash[i] = (unsigned char)(seed * 29 + i * 37 + 0x80);
    hash[0] = 0;
    hash[13] = 0;
    hash[VG_STORE_HASH_SIZE - 1] = 0;
}

/* An argon2id string that fills its field (127 bytes); `seed` changes its hash part. */
static void make_password_hash(char out[VG_STORE_PWHASH_SIZE], int seed)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    int n = snprintf(out, VG_STORE_PWHASH_SIZE,
                     "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0%02d$", seed);
    for (; n < VG_STORE_PWHASH_SIZE - 1; n++)
        out[n] = alphabet[(n * 7 + seed) % 64];
    out[n] = '\0';
}

/* An e-mail address that fills its field (255 bytes), not ASCII only. */
static void make_full_email(char email[VG_EMAIL_SIZE], char fill)
{
    static const char domain[] = "@例え.jp";
    size_t at = VG_EMAIL_SIZE - sizeof domain;
    memcpy(email, "ü", 2);
    memset(email + 2, fill, at - 2);
    memcpy(email + at, domain, sizeof domain);
}

static vg_store_credential make_credential(int64_t user_id, int seed, const char *lang)
{
    vg_store_credential c;
    memset(&c, 0, sizeof c);
    c.user_id = user_id;
    make_password_hash(c.password_hash, seed);
    snprintf(c.lang, sizeof c.lang, "%s", lang);
    c.password_changed_at = 1700000000000 + seed;
    return c;
}

/* A pending code for an address; its id is set to something the store must ignore. */
static vg_store_code make_code(int64_t user_id, const char *email, vg_time created_at, int seed)
{
    vg_store_code c;
    memset(&c, 0, sizeof c);
    c.id = 987654321;
    c.user_id = user_id;
    snprintf(c.email, sizeof c.email, "%s", email);
    make_hash(c.code_hash, seed);
    c.state = VG_CODE_PENDING;
    c.created_at = created_at;
    c.expires_at = created_at + 600000;
    return c;
}

static vg_store_limit make_limit(const char *key, int count)
{
    vg_store_limit l;
    memset(&l, 0, sizeof l);
    snprintf(l.key, sizeof l.key, "%s", key);
    l.count = count;
    l.window_start = 1700000000000 + count;
    l.blocked_until = count > 5 ? 1700000900000 + count : 0;
    return l;
}

/* A live session; its id is set to something the store must ignore. */
static vg_store_session make_session(int64_t user_id, vg_time created_at)
{
    vg_store_session s;
    memset(&s, 0, sizeof s);
    s.id = 987654321;
    s.user_id = user_id;
    s.created_at = created_at;
    return s;
}

/* A live token; refresh tokens belong to a session, others have session_id 0. */
static vg_store_token make_token(int64_t user_id, int kind, int64_t session_id, int seed)
{
    vg_store_token t;
    memset(&t, 0, sizeof t);
    make_hash(t.hash, seed);
    t.kind = kind;
    t.user_id = user_id;
    t.session_id = session_id;
    t.state = VG_TOKEN_LIVE;
    t.issued_at = 1700000000000 + seed;
    t.expires_at = 1700000000000 + 86400000 + seed;
    return t;
}

/* --- comparing what was read ------------------------------------------------------------ */

static void assert_credential_equal(const vg_store_credential *got, const vg_store_credential *want)
{
    assert_int_equal(got->user_id, want->user_id);
    assert_string_equal(got->password_hash, want->password_hash);
    assert_string_equal(got->lang, want->lang);
    assert_int_equal(got->password_changed_at, want->password_changed_at);
}

static void assert_code_equal(const vg_store_code *got, const vg_store_code *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->user_id, want->user_id);
    assert_string_equal(got->email, want->email);
    assert_memory_equal(got->code_hash, want->code_hash, VG_STORE_HASH_SIZE);
    assert_int_equal(got->attempts, want->attempts);
    assert_int_equal(got->state, want->state);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->expires_at, want->expires_at);
    assert_int_equal(got->last_attempt_at, want->last_attempt_at);
    assert_int_equal(got->closed_at, want->closed_at);
}

static void assert_limit_equal(const vg_store_limit *got, const vg_store_limit *want)
{
    assert_string_equal(got->key, want->key);
    assert_int_equal(got->count, want->count);
    assert_int_equal(got->window_start, want->window_start);
    assert_int_equal(got->blocked_until, want->blocked_until);
}

static void assert_session_equal(const vg_store_session *got, const vg_store_session *want)
{
    assert_int_equal(got->id, want->id);
    assert_int_equal(got->user_id, want->user_id);
    assert_int_equal(got->created_at, want->created_at);
    assert_int_equal(got->revoked_at, want->revoked_at);
    assert_int_equal(got->revoked_reason, want->revoked_reason);
}

static void assert_token_equal(const vg_store_token *got, const vg_store_token *want)
{
    assert_memory_equal(got->hash, want->hash, VG_STORE_HASH_SIZE);
    assert_int_equal(got->kind, want->kind);
    assert_int_equal(got->user_id, want->user_id);
    assert_int_equal(got->session_id, want->session_id);
    assert_int_equal(got->state, want->state);
    assert_int_equal(got->issued_at, want->issued_at);
    assert_int_equal(got->expires_at, want->expires_at);
    assert_int_equal(got->used_at, want->used_at);
}

/* Reads a session or a token on a connection and checks it is `want`. */
static void assert_session_is(const vg_store_backend *b, vg_store_conn *conn,
                              const vg_store_session *want)
{
    vg_store_session read;
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(b->session_get(&read, conn, want->id, 0), VG_OK);
    assert_session_equal(&read, want);
}

static void assert_token_is(const vg_store_backend *b, vg_store_conn *conn,
                            const vg_store_token *want)
{
    vg_store_token read;
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(b->token_get(&read, conn, want->hash, 0), VG_OK);
    assert_token_equal(&read, want);
}

/* Codes met by codes_list, in order; it stops the listing after stop_after (0: never). */
typedef struct codes_seen {
    int count, stop_after;
    vg_store_code codes[8];
} codes_seen;

static int note_code(const vg_store_code *code, void *payload)
{
    codes_seen *seen = payload;
    if (seen->count < 8)
        seen->codes[seen->count] = *code;
    seen->count++;
    return seen->stop_after && seen->count >= seen->stop_after;
}

/* --- users' status --------------------------------------------------------------------- */

static void test_user_set_status_writes_verified_and_active(void **state)
{
    raw_store s = accounts_begin("status");
    int64_t id = add_user(&s, "status@example.com"), other = add_user(&s, "other@example.com");
    vg_user before, read;
    (void)state;
    assert_int_equal(s.b->user_get(&before, s.conn, id, 0), VG_OK);
    assert_int_equal(s.b->user_set_status(s.conn, id, 0, 1), VG_OK);
    assert_int_equal(s.b->user_get(&read, s.conn, id, 0), VG_OK);
    assert_int_equal(read.verified, 0);
    assert_int_equal(read.active, 1);
    assert_int_equal(s.b->user_set_status(s.conn, id, 1, 0), VG_OK);
    assert_int_equal(s.b->user_get(&read, s.conn, id, 0), VG_OK);
    assert_int_equal(read.verified, 1);
    assert_int_equal(read.active, 0);
    assert_int_equal(read.id, before.id); /* nothing else */
    assert_string_equal(read.email, before.email);
    assert_string_equal(read.plan, before.plan);
    assert_int_equal(read.created_at, before.created_at);
    assert_int_equal(s.b->user_get(&read, s.conn, other, 0), VG_OK); /* nobody else */
    assert_int_equal(read.verified, 1);
    assert_int_equal(read.active, 1);
    raw_end(&s);
}

static void test_user_set_status_unknown_user_is_notfound(void **state)
{
    raw_store s = accounts_begin("status-unknown");
    int64_t id = add_user(&s, "known@example.com");
    (void)state;
    assert_int_equal(s.b->user_set_status(s.conn, id + 100, 1, 1), VG_ENOTFOUND);
    raw_end(&s); /* and the transaction goes on to commit */
}

/* --- credentials ----------------------------------------------------------------------- */

static void test_credential_roundtrip_keeps_full_argon2_string(void **state)
{
    raw_store s = accounts_begin("credential");
    vg_store_credential credential, read;
    (void)state;
    credential = make_credential(add_user(&s, "cred@example.com"), 7, "zh-Hant");
    assert_int_equal(strlen(credential.password_hash), VG_STORE_PWHASH_SIZE - 1);
    assert_int_equal(strlen(credential.lang), VG_STORE_LANG_SIZE - 1);
    assert_int_equal(s.b->credential_put(s.conn, &credential), VG_OK);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->credential_get(&read, s.conn, credential.user_id), VG_OK);
    assert_credential_equal(&read, &credential);
    raw_end(&s);
}

static void test_credential_get_without_credential_is_notfound(void **state)
{
    raw_store s = accounts_begin("credential-none");
    int64_t id = add_user(&s, "nopass@example.com");
    vg_store_credential read;
    (void)state;
    assert_int_equal(s.b->credential_get(&read, s.conn, id), VG_ENOTFOUND);
    assert_int_equal(s.b->credential_get(&read, s.conn, id + 100), VG_ENOTFOUND);
    raw_end(&s);
}

static void test_credential_put_replaces_only_that_users_credential(void **state)
{
    raw_store s = accounts_begin("credential-replace");
    int64_t ana = add_user(&s, "ana@example.com"), bo = add_user(&s, "bo@example.com");
    vg_store_credential first = make_credential(ana, 1, "zh-TW");
    vg_store_credential second = make_credential(ana, 2, "en");
    vg_store_credential theirs = make_credential(bo, 3, "ja");
    vg_store_credential read;
    (void)state;
    assert_int_equal(s.b->credential_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->credential_put(s.conn, &theirs), VG_OK);
    assert_int_equal(s.b->credential_put(s.conn, &second), VG_OK);
    assert_int_equal(s.b->credential_get(&read, s.conn, ana), VG_OK);
    assert_credential_equal(&read, &second);
    assert_int_equal(s.b->credential_get(&read, s.conn, bo), VG_OK);
    assert_credential_equal(&read, &theirs);
    raw_end(&s);
}

/* --- verification codes ---------------------------------------------------------------- */

static void test_code_insert_numbers_codes_upward_ignoring_the_given_id(void **state)
{
    raw_store s = accounts_begin("code-ids");
    vg_store_code code;
    codes_seen seen = {0};
    int64_t ids[3];
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        code = make_code(0, "ids@example.com", 1000 + i, i);
        ids[i] = -1;
        assert_int_equal(s.b->code_insert(&ids[i], s.conn, &code), VG_OK);
        assert_true(ids[i] > 0);
        assert_true(ids[i] != code.id);
        assert_true(i == 0 || ids[i] > ids[i - 1]);
    }
    assert_int_equal(s.b->codes_list(s.conn, "ids@example.com", 0, note_code, &seen), VG_OK);
    assert_int_equal(seen.count, 3);
    for (i = 0; i < 3; i++)
        assert_int_equal(seen.codes[i].id, ids[2 - i]);
    raw_end(&s);
}

static void test_code_roundtrip_keeps_every_field(void **state)
{
    raw_store s = accounts_begin("code-fields");
    vg_store_code registering, signed_in;
    codes_seen first = {0}, second = {0};
    (void)state;
    /* sent at registration: no user yet, an address that fills its field, closed */
    registering = make_code(0, "", 1700000000001, 11);
    make_full_email(registering.email, 'r');
    registering.attempts = 5;
    registering.state = VG_CODE_EXHAUSTED;
    registering.expires_at = 1700000600002;
    registering.last_attempt_at = 1700000100003;
    registering.closed_at = 1700000100004;
    assert_int_equal(s.b->code_insert(&registering.id, s.conn, &registering), VG_OK);
    /* sent to an existing user, still being sent */
    signed_in = make_code(add_user(&s, "coded@example.com"), "coded@example.com", 1700000000005, 12);
    signed_in.state = VG_CODE_SENDING;
    assert_int_equal(s.b->code_insert(&signed_in.id, s.conn, &signed_in), VG_OK);

    assert_int_equal(s.b->codes_list(s.conn, registering.email, 0, note_code, &first), VG_OK);
    assert_int_equal(first.count, 1);
    assert_int_equal(strlen(first.codes[0].email), VG_EMAIL_SIZE - 1);
    assert_code_equal(&first.codes[0], &registering);
    assert_int_equal(s.b->codes_list(s.conn, signed_in.email, 0, note_code, &second), VG_OK);
    assert_int_equal(second.count, 1);
    assert_code_equal(&second.codes[0], &signed_in);
    raw_end(&s);
}

static void test_code_update_writes_only_mutable_fields(void **state)
{
    raw_store s = accounts_begin("code-update");
    int64_t user = add_user(&s, "update@example.com");
    vg_store_code code = make_code(0, "update@example.com", 5000, 1);
    vg_store_code sibling = make_code(0, "update@example.com", 5001, 2);
    vg_store_code changed, expected;
    codes_seen seen = {0}, elsewhere = {0};
    (void)state;
    assert_int_equal(s.b->code_insert(&code.id, s.conn, &code), VG_OK);
    assert_int_equal(s.b->code_insert(&sibling.id, s.conn, &sibling), VG_OK);
    changed = make_code(user, "moved@example.com", 9000, 3); /* every field differs */
    changed.id = code.id;
    changed.expires_at = 9999;
    changed.attempts = 2;
    changed.state = VG_CODE_VERIFIED;
    changed.last_attempt_at = 6000;
    changed.closed_at = 6001;
    assert_int_equal(s.b->code_update(s.conn, &changed), VG_OK);

    expected = code; /* user_id, attempts, state, last_attempt_at, closed_at: written */
    expected.user_id = user;
    expected.attempts = 2;
    expected.state = VG_CODE_VERIFIED;
    expected.last_attempt_at = 6000;
    expected.closed_at = 6001;
    assert_int_equal(s.b->codes_list(s.conn, "update@example.com", 0, note_code, &seen), VG_OK);
    assert_int_equal(seen.count, 2);
    assert_code_equal(&seen.codes[0], &sibling); /* another code of the address: untouched */
    assert_code_equal(&seen.codes[1], &expected);
    assert_int_equal(s.b->codes_list(s.conn, "moved@example.com", 0, note_code, &elsewhere),
                     VG_OK);
    assert_int_equal(elsewhere.count, 0);
    raw_end(&s);
}

/* The header says code_update writes "an existing code"; like user_set_plan, lot_update and
 * hold_update, an unknown one is VG_ENOTFOUND. */
static void test_code_update_unknown_code_is_notfound(void **state)
{
    raw_store s = accounts_begin("code-unknown");
    vg_store_code code = make_code(0, "unknown@example.com", 5000, 1);
    (void)state;
    assert_int_equal(s.b->code_insert(&code.id, s.conn, &code), VG_OK);
    code.id += 100;
    code.attempts = 1;
    assert_int_equal(s.b->code_update(s.conn, &code), VG_ENOTFOUND);
    raw_end(&s);
}

static void test_codes_list_newest_first_since(void **state)
{
    raw_store s = accounts_begin("codes-since");
    vg_time created[5] = {1000, 3000, 2000, 5000, 4000};
    vg_store_code codes[5];
    codes_seen seen = {0};
    int i;
    (void)state;
    for (i = 0; i < 5; i++) {
        codes[i] = make_code(0, "since@example.com", created[i], i);
        assert_int_equal(s.b->code_insert(&codes[i].id, s.conn, &codes[i]), VG_OK);
    }
    assert_int_equal(s.b->codes_list(s.conn, "since@example.com", 2000, note_code, &seen), VG_OK);
    assert_int_equal(seen.count, 4); /* created at or after 2000; by id, not by created_at */
    assert_code_equal(&seen.codes[0], &codes[4]);
    assert_code_equal(&seen.codes[1], &codes[3]);
    assert_code_equal(&seen.codes[2], &codes[2]); /* created exactly at `since` */
    assert_code_equal(&seen.codes[3], &codes[1]);
    raw_end(&s);
}

static void test_codes_list_lists_only_that_address(void **state)
{
    raw_store s = accounts_begin("codes-address");
    const char *others[] = {"axb@example.com", "a_b@example.com.tw", "a_b@example.co",
                            "xa_b@example.com", "a%@example.com"};
    vg_store_code mine[2], code;
    codes_seen seen = {0};
    size_t i;
    (void)state;
    mine[0] = make_code(0, "a_b@example.com", 1000, 1);
    assert_int_equal(s.b->code_insert(&mine[0].id, s.conn, &mine[0]), VG_OK);
    for (i = 0; i < sizeof others / sizeof others[0]; i++) {
        code = make_code(0, others[i], 1000, 10 + (int)i);
        assert_int_equal(s.b->code_insert(&code.id, s.conn, &code), VG_OK);
    }
    mine[1] = make_code(0, "a_b@example.com", 1000, 2);
    assert_int_equal(s.b->code_insert(&mine[1].id, s.conn, &mine[1]), VG_OK);
    assert_int_equal(s.b->codes_list(s.conn, "a_b@example.com", 0, note_code, &seen), VG_OK);
    assert_int_equal(seen.count, 2);
    assert_code_equal(&seen.codes[0], &mine[1]);
    assert_code_equal(&seen.codes[1], &mine[0]);
    raw_end(&s);
}

static void test_codes_list_with_no_match_calls_nothing(void **state)
{
    raw_store s = accounts_begin("codes-none");
    vg_store_code code = make_code(0, "none@example.com", 1000, 1);
    codes_seen unknown = {0}, later = {0};
    (void)state;
    assert_int_equal(s.b->code_insert(&code.id, s.conn, &code), VG_OK);
    assert_int_equal(s.b->codes_list(s.conn, "nobody@example.com", 0, note_code, &unknown),
                     VG_OK);
    assert_int_equal(unknown.count, 0);
    assert_int_equal(s.b->codes_list(s.conn, "none@example.com", 1001, note_code, &later), VG_OK);
    assert_int_equal(later.count, 0);
    raw_end(&s);
}

static void test_codes_list_stops_when_the_callback_returns_nonzero(void **state)
{
    raw_store s = accounts_begin("codes-stop");
    vg_store_code codes[3];
    codes_seen seen = {0, 1, {{0}}};
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        codes[i] = make_code(0, "stop@example.com", 1000 + i, i);
        assert_int_equal(s.b->code_insert(&codes[i].id, s.conn, &codes[i]), VG_OK);
    }
    assert_int_equal(s.b->codes_list(s.conn, "stop@example.com", 0, note_code, &seen), VG_OK);
    assert_int_equal(seen.count, 1);
    assert_code_equal(&seen.codes[0], &codes[2]);
    raw_end(&s);
}

/* --- rate limits ----------------------------------------------------------------------- */

static void test_limit_roundtrip_keeps_every_field(void **state)
{
    raw_store s = accounts_begin("limit");
    vg_store_limit limit = make_limit("", 9), read;
    (void)state;
    memset(limit.key, 'k', VG_STORE_LIMIT_KEY_SIZE - 1); /* the longest key */
    memcpy(limit.key, "login.ip:'%_", 12);
    assert_true(limit.blocked_until != 0);
    assert_int_equal(s.b->limit_put(s.conn, &limit), VG_OK);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->limit_get(&read, s.conn, limit.key, 0), VG_OK);
    assert_limit_equal(&read, &limit);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->limit_get(&read, s.conn, limit.key, 1), VG_OK);
    assert_limit_equal(&read, &limit);
    raw_end(&s);
}

static void test_limit_get_unknown_key_is_notfound(void **state)
{
    raw_store s = accounts_begin("limit-unknown");
    vg_store_limit limit = make_limit("login.account:42", 1), read;
    (void)state;
    assert_int_equal(s.b->limit_put(s.conn, &limit), VG_OK);
    assert_int_equal(s.b->limit_get(&read, s.conn, "login.account:4", 0), VG_ENOTFOUND);
    assert_int_equal(s.b->limit_get(&read, s.conn, "login.account:420", 1), VG_ENOTFOUND);
    raw_end(&s); /* and the transaction goes on to commit */
}

static void test_limit_put_replaces(void **state)
{
    raw_store s = accounts_begin("limit-replace");
    vg_store_limit first = make_limit("login.ip:10.0.0.1", 6);
    vg_store_limit second = make_limit("login.ip:10.0.0.1", 1);
    vg_store_limit other = make_limit("login.ip:10.0.0.2", 3), read;
    (void)state;
    assert_int_equal(s.b->limit_put(s.conn, &first), VG_OK);
    assert_int_equal(s.b->limit_put(s.conn, &other), VG_OK);
    assert_int_equal(s.b->limit_put(s.conn, &second), VG_OK); /* blocked_until back to 0 */
    assert_int_equal(s.b->limit_get(&read, s.conn, first.key, 0), VG_OK);
    assert_limit_equal(&read, &second);
    assert_int_equal(s.b->limit_get(&read, s.conn, other.key, 0), VG_OK);
    assert_limit_equal(&read, &other);
    raw_end(&s);
}

static void test_limit_get_for_update_locks_a_missing_key_until_commit(void **state)
{
    raw_store s = accounts_begin("limit-lock");
    vg_store_limit limit = make_limit("signup.ip:192.0.2.1", 1), read;
    vg_store_conn *second;
    int rc;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK); /* connects while no one writes */
    second = connect_raw(s.location, 200);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->limit_get(&read, s.conn, limit.key, 1), VG_ENOTFOUND);
    rc = s.b->begin(second, VG_TXN_WRITE);
    if (rc == VG_OK) {
        rc = s.b->limit_get(&read, second, limit.key, 1);
        s.b->rollback(second);
    }
    assert_int_equal(rc, VG_EBUSY);
    assert_int_equal(s.b->limit_put(s.conn, &limit), VG_OK);
    raw_reopen_for_reading(&s);
    assert_int_equal(s.b->begin(second, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->limit_get(&read, second, limit.key, 1), VG_OK);
    assert_limit_equal(&read, &limit);
    assert_int_equal(s.b->commit(second), VG_OK);
    s.b->disconnect(second);
    raw_end(&s);
}

/* --- sessions -------------------------------------------------------------------------- */

static void test_session_insert_numbers_sessions_upward_ignoring_the_given_id(void **state)
{
    raw_store s = accounts_begin("session-ids");
    int64_t user = add_user(&s, "sessions@example.com"), ids[3];
    vg_store_session session = make_session(user, 1000);
    int i;
    (void)state;
    for (i = 0; i < 3; i++) {
        ids[i] = -1;
        assert_int_equal(s.b->session_insert(&ids[i], s.conn, &session), VG_OK);
        assert_true(ids[i] > 0);
        assert_true(ids[i] != session.id);
        assert_true(i == 0 || ids[i] > ids[i - 1]);
    }
    session.id = ids[1];
    assert_session_is(s.b, s.conn, &session);
    raw_end(&s);
}

static void test_session_roundtrip_keeps_every_field(void **state)
{
    raw_store s = accounts_begin("session");
    int64_t user = add_user(&s, "session@example.com");
    vg_store_session live = make_session(user, 1700000000001);
    vg_store_session revoked = make_session(user, 1700000000002), read;
    (void)state;
    revoked.revoked_at = 1700000000003;
    revoked.revoked_reason = VG_REVOKE_REUSE;
    assert_int_equal(s.b->session_insert(&live.id, s.conn, &live), VG_OK);
    assert_int_equal(s.b->session_insert(&revoked.id, s.conn, &revoked), VG_OK);
    assert_session_is(s.b, s.conn, &live);
    assert_session_is(s.b, s.conn, &revoked);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->session_get(&read, s.conn, revoked.id, 1), VG_OK);
    assert_session_equal(&read, &revoked);
    raw_end(&s);
}

static void test_session_get_unknown_id_is_notfound(void **state)
{
    raw_store s = accounts_begin("session-unknown");
    vg_store_session session = make_session(add_user(&s, "s@example.com"), 1000), read;
    (void)state;
    assert_int_equal(s.b->session_insert(&session.id, s.conn, &session), VG_OK);
    assert_int_equal(s.b->session_get(&read, s.conn, session.id + 100, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->session_get(&read, s.conn, session.id + 101, 1), VG_ENOTFOUND);
    raw_end(&s);
}

/* A user with two live sessions and one revoked earlier, and another user's live session. */
typedef struct session_set {
    vg_store_session live[2], revoked, theirs;
} session_set;

static session_set add_sessions(raw_store *s, const char *label)
{
    char email[64];
    session_set set;
    int64_t user, other;
    int i;
    snprintf(email, sizeof email, "%s@example.com", label);
    user = add_user(s, email);
    snprintf(email, sizeof email, "%s.other@example.com", label);
    other = add_user(s, email);
    for (i = 0; i < 2; i++) {
        set.live[i] = make_session(user, 1000 + i);
        assert_int_equal(s->b->session_insert(&set.live[i].id, s->conn, &set.live[i]), VG_OK);
    }
    set.revoked = make_session(user, 1002);
    set.revoked.revoked_at = 1500;
    set.revoked.revoked_reason = VG_REVOKE_LOGOUT;
    assert_int_equal(s->b->session_insert(&set.revoked.id, s->conn, &set.revoked), VG_OK);
    set.theirs = make_session(other, 1003);
    assert_int_equal(s->b->session_insert(&set.theirs.id, s->conn, &set.theirs), VG_OK);
    return set;
}

static void test_sessions_revoke_all_counts_live_only(void **state)
{
    raw_store s = accounts_begin("revoke-all");
    session_set set = add_sessions(&s, "revoke-all");
    int count = -1, i;
    (void)state;
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, set.live[0].user_id, 0, 7000,
                                          VG_REVOKE_PASSWORD),
                     VG_OK);
    assert_int_equal(count, 2);
    for (i = 0; i < 2; i++) {
        set.live[i].revoked_at = 7000;
        set.live[i].revoked_reason = VG_REVOKE_PASSWORD;
        assert_session_is(s.b, s.conn, &set.live[i]);
    }
    assert_session_is(s.b, s.conn, &set.revoked); /* keeps when and why it was revoked */
    assert_session_is(s.b, s.conn, &set.theirs);  /* another user's: live */
    raw_end(&s);
}

static void test_sessions_revoke_one_revokes_only_that_session(void **state)
{
    raw_store s = accounts_begin("revoke-one");
    session_set set = add_sessions(&s, "revoke-one");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, set.live[1].user_id, set.live[1].id,
                                          8000, VG_REVOKE_LOGOUT),
                     VG_OK);
    assert_int_equal(count, 1);
    set.live[1].revoked_at = 8000;
    set.live[1].revoked_reason = VG_REVOKE_LOGOUT;
    assert_session_is(s.b, s.conn, &set.live[1]);
    assert_session_is(s.b, s.conn, &set.live[0]);
    assert_session_is(s.b, s.conn, &set.revoked);
    assert_session_is(s.b, s.conn, &set.theirs);
    raw_end(&s);
}

static void test_sessions_revoke_one_already_revoked_counts_zero_and_keeps_it(void **state)
{
    raw_store s = accounts_begin("revoke-again");
    session_set set = add_sessions(&s, "revoke-again");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, set.revoked.user_id, set.revoked.id,
                                          8000, VG_REVOKE_REUSE),
                     VG_OK);
    assert_int_equal(count, 0);
    assert_session_is(s.b, s.conn, &set.revoked);
    raw_end(&s);
}

static void test_sessions_revoke_one_of_another_user_counts_zero_and_keeps_it(void **state)
{
    raw_store s = accounts_begin("revoke-theirs");
    session_set set = add_sessions(&s, "revoke-theirs");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, set.live[0].user_id, set.theirs.id,
                                          8000, VG_REVOKE_LOGOUT),
                     VG_OK);
    assert_int_equal(count, 0);
    assert_session_is(s.b, s.conn, &set.theirs);
    raw_end(&s);
}

static void test_sessions_revoke_all_with_none_live_counts_zero(void **state)
{
    raw_store s = accounts_begin("revoke-none");
    int64_t user = add_user(&s, "nosessions@example.com");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, user, 0, 8000, VG_REVOKE_DISABLED),
                     VG_OK);
    assert_int_equal(count, 0);
    raw_end(&s);
}

static void test_sessions_revoke_accepts_a_null_count(void **state)
{
    raw_store s = accounts_begin("revoke-null");
    session_set set = add_sessions(&s, "revoke-null");
    (void)state;
    assert_int_equal(s.b->sessions_revoke(NULL, s.conn, set.live[0].user_id, 0, 9000,
                                          VG_REVOKE_DISABLED),
                     VG_OK);
    set.live[0].revoked_at = 9000;
    set.live[0].revoked_reason = VG_REVOKE_DISABLED;
    assert_session_is(s.b, s.conn, &set.live[0]);
    raw_end(&s);
}

/* --- tokens ---------------------------------------------------------------------------- */

static void test_token_roundtrip_keeps_every_field(void **state)
{
    raw_store s = accounts_begin("token");
    int64_t user = add_user(&s, "token@example.com");
    vg_store_session session = make_session(user, 1000);
    vg_store_token refresh, reset, read;
    (void)state;
    assert_int_equal(s.b->session_insert(&session.id, s.conn, &session), VG_OK);
    refresh = make_token(user, VG_TOKEN_REFRESH, session.id, 1);
    reset = make_token(user, VG_TOKEN_RESET, 0, 2);
    reset.state = VG_TOKEN_USED;
    reset.used_at = 1700000000999;
    assert_int_equal(s.b->token_insert(s.conn, &refresh), VG_OK);
    assert_int_equal(s.b->token_insert(s.conn, &reset), VG_OK);
    assert_token_is(s.b, s.conn, &refresh);
    assert_token_is(s.b, s.conn, &reset);
    memset(&read, 0xAB, sizeof read);
    assert_int_equal(s.b->token_get(&read, s.conn, refresh.hash, 1), VG_OK);
    assert_token_equal(&read, &refresh);
    raw_end(&s);
}

static void test_token_get_unknown_hash_is_notfound(void **state)
{
    raw_store s = accounts_begin("token-unknown");
    vg_store_token token = make_token(add_user(&s, "t@example.com"), VG_TOKEN_RESET, 0, 1), read;
    unsigned char other[VG_STORE_HASH_SIZE], zeros[VG_STORE_HASH_SIZE] = {0};
    (void)state;
    assert_int_equal(s.b->token_insert(s.conn, &token), VG_OK);
    memcpy(other, token.hash, sizeof other);
    other[VG_STORE_HASH_SIZE - 1] ^= 0x01;
    assert_int_equal(s.b->token_get(&read, s.conn, other, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->token_get(&read, s.conn, zeros, 1), VG_ENOTFOUND);
    raw_end(&s);
}

static void test_token_hashes_differing_only_after_a_zero_byte_are_distinct(void **state)
{
    raw_store s = accounts_begin("token-zero");
    int64_t user = add_user(&s, "zero@example.com");
    vg_store_token first = make_token(user, VG_TOKEN_RESET, 0, 1);
    vg_store_token second = make_token(user, VG_TOKEN_RESET, 0, 2);
    (void)state;
    memcpy(second.hash, first.hash, VG_STORE_HASH_SIZE);
    second.hash[VG_STORE_HASH_SIZE - 1] = 0x01; /* both begin with a zero byte */
    assert_int_equal(s.b->token_insert(s.conn, &first), VG_OK);
    assert_int_equal(s.b->token_insert(s.conn, &second), VG_OK);
    assert_token_is(s.b, s.conn, &first);
    assert_token_is(s.b, s.conn, &second);
    raw_end(&s);
}

static void test_token_insert_duplicate_hash_is_constraint_and_transaction_goes_on(void **state)
{
    raw_store s = accounts_begin("token-duplicate");
    int64_t user = add_user(&s, "dup@example.com"), other = add_user(&s, "dup2@example.com");
    vg_store_session session = make_session(user, 1000);
    vg_store_token token, duplicate, next;
    vg_store_limit limit = make_limit("refresh.user:dup", 2);
    vg_store_conn *reader;
    (void)state;
    assert_int_equal(s.b->session_insert(&session.id, s.conn, &session), VG_OK);
    token = make_token(user, VG_TOKEN_REFRESH, session.id, 1);
    assert_int_equal(s.b->token_insert(s.conn, &token), VG_OK);
    duplicate = make_token(other, VG_TOKEN_RESET, 0, 2); /* every field but the hash differs */
    memcpy(duplicate.hash, token.hash, VG_STORE_HASH_SIZE);
    assert_int_equal(s.b->token_insert(s.conn, &duplicate), VG_ECONSTRAINT);

    next = make_token(user, VG_TOKEN_REFRESH, session.id, 3); /* the transaction goes on */
    assert_int_equal(s.b->token_insert(s.conn, &next), VG_OK);
    assert_int_equal(s.b->limit_put(s.conn, &limit), VG_OK);
    assert_token_is(s.b, s.conn, &token);
    raw_reopen_for_reading(&s); /* and commits */

    reader = connect_raw(s.location, 1000);
    assert_int_equal(s.b->begin(reader, VG_TXN_READ), VG_OK);
    assert_token_is(s.b, reader, &token);
    assert_token_is(s.b, reader, &next);
    assert_int_equal(s.b->commit(reader), VG_OK);
    s.b->disconnect(reader);
    raw_end(&s);
}

/* A user with two live refresh tokens, one used earlier, and a live reset token; another
 * user with a live refresh token. */
typedef struct token_set {
    vg_store_token live[2], used, reset, theirs;
} token_set;

static token_set add_tokens(raw_store *s, const char *label)
{
    char email[64];
    vg_store_session session, their_session;
    token_set set;
    int64_t user, other;
    snprintf(email, sizeof email, "%s@example.com", label);
    user = add_user(s, email);
    snprintf(email, sizeof email, "%s.other@example.com", label);
    other = add_user(s, email);
    session = make_session(user, 1000);
    assert_int_equal(s->b->session_insert(&session.id, s->conn, &session), VG_OK);
    their_session = make_session(other, 1000);
    assert_int_equal(s->b->session_insert(&their_session.id, s->conn, &their_session), VG_OK);

    set.live[0] = make_token(user, VG_TOKEN_REFRESH, session.id, 1);
    set.live[1] = make_token(user, VG_TOKEN_REFRESH, session.id, 2);
    set.used = make_token(user, VG_TOKEN_REFRESH, session.id, 3);
    set.used.state = VG_TOKEN_USED;
    set.used.used_at = 1500;
    set.reset = make_token(user, VG_TOKEN_RESET, 0, 4);
    set.theirs = make_token(other, VG_TOKEN_REFRESH, their_session.id, 5);
    assert_int_equal(s->b->token_insert(s->conn, &set.live[0]), VG_OK);
    assert_int_equal(s->b->token_insert(s->conn, &set.live[1]), VG_OK);
    assert_int_equal(s->b->token_insert(s->conn, &set.used), VG_OK);
    assert_int_equal(s->b->token_insert(s->conn, &set.reset), VG_OK);
    assert_int_equal(s->b->token_insert(s->conn, &set.theirs), VG_OK);
    return set;
}

static void test_tokens_close_one_changes_only_that_token(void **state)
{
    raw_store s = accounts_begin("close-one");
    token_set set = add_tokens(&s, "close-one");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.live[0].user_id, VG_TOKEN_REFRESH,
                                       set.live[0].hash, VG_TOKEN_USED, 9000),
                     VG_OK);
    assert_int_equal(count, 1);
    set.live[0].state = VG_TOKEN_USED;
    set.live[0].used_at = 9000;
    assert_token_is(s.b, s.conn, &set.live[0]);
    assert_token_is(s.b, s.conn, &set.live[1]);
    assert_token_is(s.b, s.conn, &set.used);
    assert_token_is(s.b, s.conn, &set.reset);
    assert_token_is(s.b, s.conn, &set.theirs);
    raw_end(&s);
}

static void test_tokens_close_changes_only_live_tokens_of_that_kind(void **state)
{
    raw_store s = accounts_begin("close-all");
    token_set set = add_tokens(&s, "close-all");
    int count = -1, i;
    (void)state;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.live[0].user_id, VG_TOKEN_REFRESH,
                                       NULL, VG_TOKEN_REVOKED, 9000),
                     VG_OK);
    assert_int_equal(count, 2);
    for (i = 0; i < 2; i++) {
        set.live[i].state = VG_TOKEN_REVOKED;
        set.live[i].used_at = 9000;
        assert_token_is(s.b, s.conn, &set.live[i]);
    }
    assert_token_is(s.b, s.conn, &set.used);   /* not live: keeps its state and time */
    assert_token_is(s.b, s.conn, &set.reset);  /* another kind */
    assert_token_is(s.b, s.conn, &set.theirs); /* another user */
    raw_end(&s);
}

static void test_tokens_close_one_that_is_not_live_changes_nothing(void **state)
{
    raw_store s = accounts_begin("close-used");
    token_set set = add_tokens(&s, "close-used");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.used.user_id, VG_TOKEN_REFRESH,
                                       set.used.hash, VG_TOKEN_REVOKED, 9000),
                     VG_OK);
    assert_int_equal(count, 0);
    assert_token_is(s.b, s.conn, &set.used);
    raw_end(&s);
}

static void test_tokens_close_one_of_another_user_or_kind_changes_nothing(void **state)
{
    raw_store s = accounts_begin("close-other");
    token_set set = add_tokens(&s, "close-other");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.live[0].user_id, VG_TOKEN_REFRESH,
                                       set.theirs.hash, VG_TOKEN_REVOKED, 9000),
                     VG_OK);
    assert_int_equal(count, 0);
    count = -1;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.live[0].user_id, VG_TOKEN_RESET,
                                       set.live[0].hash, VG_TOKEN_REVOKED, 9000),
                     VG_OK);
    assert_int_equal(count, 0);
    assert_token_is(s.b, s.conn, &set.theirs);
    assert_token_is(s.b, s.conn, &set.live[0]);
    raw_end(&s);
}

static void test_tokens_close_all_with_none_live_counts_zero(void **state)
{
    raw_store s = accounts_begin("close-none");
    token_set set = add_tokens(&s, "close-none");
    int count = -1;
    (void)state;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.reset.user_id, VG_TOKEN_RESET, NULL,
                                       VG_TOKEN_REPLACED, 9000),
                     VG_OK);
    assert_int_equal(count, 1);
    count = -1;
    assert_int_equal(s.b->tokens_close(&count, s.conn, set.reset.user_id, VG_TOKEN_RESET, NULL,
                                       VG_TOKEN_REPLACED, 9500),
                     VG_OK);
    assert_int_equal(count, 0);
    set.reset.state = VG_TOKEN_REPLACED;
    set.reset.used_at = 9000;
    assert_token_is(s.b, s.conn, &set.reset);
    raw_end(&s);
}

static void test_tokens_close_accepts_a_null_count(void **state)
{
    raw_store s = accounts_begin("close-null");
    token_set set = add_tokens(&s, "close-null");
    (void)state;
    assert_int_equal(s.b->tokens_close(NULL, s.conn, set.reset.user_id, VG_TOKEN_RESET,
                                       set.reset.hash, VG_TOKEN_USED, 9000),
                     VG_OK);
    set.reset.state = VG_TOKEN_USED;
    set.reset.used_at = 9000;
    assert_token_is(s.b, s.conn, &set.reset);
    raw_end(&s);
}

/* --- transactions ---------------------------------------------------------------------- */

/* One record of each kind for one user, as written by write_records. */
typedef struct account_records {
    int64_t user;
    vg_store_credential credential;
    vg_store_code code;
    vg_store_limit limit;
    vg_store_session session;
    vg_store_token token;
} account_records;

static account_records write_records(raw_store *s, int64_t user, int seed)
{
    account_records r;
    char key[64];
    r.user = user;
    r.credential = make_credential(user, seed, "ko");
    assert_int_equal(s->b->credential_put(s->conn, &r.credential), VG_OK);
    r.code = make_code(user, "records@example.com", 1000 + seed, seed);
    assert_int_equal(s->b->code_insert(&r.code.id, s->conn, &r.code), VG_OK);
    snprintf(key, sizeof key, "login.account:%lld", (long long)user);
    r.limit = make_limit(key, seed);
    assert_int_equal(s->b->limit_put(s->conn, &r.limit), VG_OK);
    r.session = make_session(user, 2000 + seed);
    assert_int_equal(s->b->session_insert(&r.session.id, s->conn, &r.session), VG_OK);
    r.token = make_token(user, VG_TOKEN_REFRESH, r.session.id, seed);
    assert_int_equal(s->b->token_insert(s->conn, &r.token), VG_OK);
    return r;
}

/* Checks that a connection in a transaction reads exactly the records r. */
static void assert_records_are(const vg_store_backend *b, vg_store_conn *conn,
                               const account_records *r)
{
    vg_store_credential credential;
    vg_store_limit limit;
    codes_seen codes = {0};
    assert_int_equal(b->credential_get(&credential, conn, r->user), VG_OK);
    assert_credential_equal(&credential, &r->credential);
    assert_int_equal(b->codes_list(conn, r->code.email, 0, note_code, &codes), VG_OK);
    assert_int_equal(codes.count, 1);
    assert_code_equal(&codes.codes[0], &r->code);
    assert_int_equal(b->limit_get(&limit, conn, r->limit.key, 0), VG_OK);
    assert_limit_equal(&limit, &r->limit);
    assert_session_is(b, conn, &r->session);
    assert_token_is(b, conn, &r->token);
}

static void test_accounts_records_survive_commit_and_are_seen_from_another_connection(void **state)
{
    raw_store s = accounts_begin("accounts-commit");
    account_records r;
    vg_store_conn *reader;
    vg_user user;
    (void)state;
    r = write_records(&s, add_user(&s, "commit@example.com"), 5);
    assert_int_equal(s.b->user_set_status(s.conn, r.user, 0, 0), VG_OK);
    raw_reopen_for_reading(&s);

    reader = connect_raw(s.location, 1000);
    assert_int_equal(s.b->begin(reader, VG_TXN_READ), VG_OK);
    assert_records_are(s.b, reader, &r);
    assert_int_equal(s.b->user_get(&user, reader, r.user, 0), VG_OK);
    assert_int_equal(user.verified, 0);
    assert_int_equal(user.active, 0);
    assert_int_equal(s.b->commit(reader), VG_OK);
    s.b->disconnect(reader);
    raw_end(&s);
}

static void test_accounts_records_roll_back_leaving_nothing(void **state)
{
    raw_store s = accounts_begin("accounts-rollback");
    int64_t user = add_user(&s, "rollback@example.com");
    account_records r;
    vg_store_credential credential;
    vg_store_limit limit;
    vg_store_session session;
    vg_store_token token;
    vg_user read;
    codes_seen codes = {0};
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK); /* the user stays */
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    r = write_records(&s, user, 6);
    assert_int_equal(s.b->user_set_status(s.conn, user, 0, 0), VG_OK);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);

    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_int_equal(s.b->credential_get(&credential, s.conn, user), VG_ENOTFOUND);
    assert_int_equal(s.b->codes_list(s.conn, r.code.email, 0, note_code, &codes), VG_OK);
    assert_int_equal(codes.count, 0);
    assert_int_equal(s.b->limit_get(&limit, s.conn, r.limit.key, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->session_get(&session, s.conn, r.session.id, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->token_get(&token, s.conn, r.token.hash, 0), VG_ENOTFOUND);
    assert_int_equal(s.b->user_get(&read, s.conn, user, 0), VG_OK);
    assert_int_equal(read.verified, 1);
    assert_int_equal(read.active, 1);
    raw_end(&s);
}

static void test_accounts_changes_roll_back_to_the_committed_records(void **state)
{
    raw_store s = accounts_begin("accounts-undo");
    account_records r = write_records(&s, add_user(&s, "undo@example.com"), 7);
    vg_store_credential credential = make_credential(r.user, 8, "en");
    vg_store_code code;
    vg_store_limit limit;
    vg_user read;
    int count = -1;
    (void)state;
    assert_int_equal(s.b->commit(s.conn), VG_OK);
    assert_int_equal(s.b->begin(s.conn, VG_TXN_WRITE), VG_OK);
    assert_int_equal(s.b->credential_put(s.conn, &credential), VG_OK);
    code = r.code;
    code.attempts = 4;
    code.state = VG_CODE_VERIFIED;
    code.closed_at = 5000;
    assert_int_equal(s.b->code_update(s.conn, &code), VG_OK);
    limit = r.limit;
    limit.count = 99;
    assert_int_equal(s.b->limit_put(s.conn, &limit), VG_OK);
    assert_int_equal(s.b->sessions_revoke(&count, s.conn, r.user, 0, 5000, VG_REVOKE_PASSWORD),
                     VG_OK);
    assert_int_equal(count, 1);
    assert_int_equal(s.b->tokens_close(&count, s.conn, r.user, VG_TOKEN_REFRESH, NULL,
                                       VG_TOKEN_REVOKED, 5000),
                     VG_OK);
    assert_int_equal(count, 1);
    assert_int_equal(s.b->user_set_status(s.conn, r.user, 0, 0), VG_OK);
    assert_int_equal(s.b->rollback(s.conn), VG_OK);

    assert_int_equal(s.b->begin(s.conn, VG_TXN_READ), VG_OK);
    assert_records_are(s.b, s.conn, &r);
    assert_int_equal(s.b->user_get(&read, s.conn, r.user, 0), VG_OK);
    assert_int_equal(read.verified, 1);
    assert_int_equal(read.active, 1);
    raw_end(&s);
}

/* --- the group ------------------------------------------------------------------------- */

static void test_accounts_methods_are_all_present(void **state)
{
    (void)state;
    require_accounts(target->backend());
}

int conformance_accounts_run(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_accounts_methods_are_all_present),
        cmocka_unit_test(test_user_set_status_writes_verified_and_active),
        cmocka_unit_test(test_user_set_status_unknown_user_is_notfound),
        cmocka_unit_test(test_credential_roundtrip_keeps_full_argon2_string),
        cmocka_unit_test(test_credential_get_without_credential_is_notfound),
        cmocka_unit_test(test_credential_put_replaces_only_that_users_credential),
        cmocka_unit_test(test_code_insert_numbers_codes_upward_ignoring_the_given_id),
        cmocka_unit_test(test_code_roundtrip_keeps_every_field),
        cmocka_unit_test(test_code_update_writes_only_mutable_fields),
        cmocka_unit_test(test_code_update_unknown_code_is_notfound),
        cmocka_unit_test(test_codes_list_newest_first_since),
        cmocka_unit_test(test_codes_list_lists_only_that_address),
        cmocka_unit_test(test_codes_list_with_no_match_calls_nothing),
        cmocka_unit_test(test_codes_list_stops_when_the_callback_returns_nonzero),
        cmocka_unit_test(test_limit_roundtrip_keeps_every_field),
        cmocka_unit_test(test_limit_get_unknown_key_is_notfound),
        cmocka_unit_test(test_limit_put_replaces),
        cmocka_unit_test(test_limit_get_for_update_locks_a_missing_key_until_commit),
        cmocka_unit_test(test_session_insert_numbers_sessions_upward_ignoring_the_given_id),
        cmocka_unit_test(test_session_roundtrip_keeps_every_field),
        cmocka_unit_test(test_session_get_unknown_id_is_notfound),
        cmocka_unit_test(test_sessions_revoke_all_counts_live_only),
        cmocka_unit_test(test_sessions_revoke_one_revokes_only_that_session),
        cmocka_unit_test(test_sessions_revoke_one_already_revoked_counts_zero_and_keeps_it),
        cmocka_unit_test(test_sessions_revoke_one_of_another_user_counts_zero_and_keeps_it),
        cmocka_unit_test(test_sessions_revoke_all_with_none_live_counts_zero),
        cmocka_unit_test(test_sessions_revoke_accepts_a_null_count),
        cmocka_unit_test(test_token_roundtrip_keeps_every_field),
        cmocka_unit_test(test_token_get_unknown_hash_is_notfound),
        cmocka_unit_test(test_token_hashes_differing_only_after_a_zero_byte_are_distinct),
        cmocka_unit_test(test_token_insert_duplicate_hash_is_constraint_and_transaction_goes_on),
        cmocka_unit_test(test_tokens_close_one_changes_only_that_token),
        cmocka_unit_test(test_tokens_close_changes_only_live_tokens_of_that_kind),
        cmocka_unit_test(test_tokens_close_one_that_is_not_live_changes_nothing),
        cmocka_unit_test(test_tokens_close_one_of_another_user_or_kind_changes_nothing),
        cmocka_unit_test(test_tokens_close_all_with_none_live_counts_zero),
        cmocka_unit_test(test_tokens_close_accepts_a_null_count),
        cmocka_unit_test(test_accounts_records_survive_commit_and_are_seen_from_another_connection),
        cmocka_unit_test(test_accounts_records_roll_back_leaving_nothing),
        cmocka_unit_test(test_accounts_changes_roll_back_to_the_committed_records),
    };
    char name[64];

    snprintf(name, sizeof name, "%s accounts", target->name);
    return cmocka_run_group_tests_name(name, tests, NULL, NULL);
}
