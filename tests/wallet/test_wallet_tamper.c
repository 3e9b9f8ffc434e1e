/* SPDX-License-Identifier: MIT */
/* The hash-chained ledger betrays tampering: an edited amount or reference, a deleted middle
 * or last row, two rows swapped, and a check run with the wrong secret. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <setjmp.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#define USERS 3
#define MAX_PROBLEMS 64

/* The one server secret every context and the `vidgo` program use, unless a test says
 * otherwise; VIDGO_SECRET carries it (hex) to the program. */
static const unsigned char secret[32] = {
    0x76, 0x69, 0x64, 0x67, 0x6f, 0x2d, 0x74, 0x61, 0x6d, 0x70, 0x65, 0x72, 0x2d, 0x74, 0x65, 0x73,
    0x74, 0x2d, 0x73, 0x65, 0x63, 0x72, 0x65, 0x74, 0x2d, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36,
};
static char secret_hex[2 * sizeof secret + 1];

static char dir[] = "/tmp/vg-tamper-XXXXXX";
static char original[600];

/* The users of the original store, in the order they were added. */
static const struct {
    const char *email;
    const char *plan;
} people[USERS] = {
    {"alice@example.com", "starter"},
    {"bob@example.com", "pro"},
    {"carol@example.com", "pro_plus"},
};
static int64_t user_ids[USERS];
static int64_t last_seqs[USERS];

static vg_time fake_now;

static vg_time fake_clock(void *payload)
{
    (void)payload;
    return fake_now;
}

static const char *path_in_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s/%s", dir, name);
    return buf;
}

static void subject_of(char *buf, size_t size, int user)
{
    snprintf(buf, size, "user %lld <%s>", (long long)user_ids[user], people[user].email);
}

static vg_ctx *open_store(const char *path, const unsigned char *key, size_t key_len)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    vg_config_init(&config, VG_CONFIG_VERSION);
    config.store = path;
    config.flags = VG_OPEN_CREATE | VG_OPEN_SYNC_NORMAL;
    config.secret = key;
    config.secret_len = key_len;
    config.clock = fake_clock;
    config.log_level = VG_LOG_NONE;
    if (vg_open(&ctx, &config) != VG_OK)
        fail_msg("cannot open %s: %s", path, vg_error_last());
    return ctx;
}

static void expect_ok(int rc, vg_ctx *ctx, const char *what)
{
    if (rc != VG_OK)
        fail_msg("%s: %s (%s)", what, vg_error_name(rc), vg_ctx_errmsg(ctx));
}

/* --- the original store --------------------------------------------------------------- */

/* One user's share of history: grants, holds that are captured, holds that are released. */
static void make_history(vg_ctx *ctx, int user, int rounds)
{
    static const char *const services[] = {"image_512", "video_720p", "image_1024", "video_1080p"};
    char key[64];
    vg_balance balance;
    vg_hold hold;
    int i;

    for (i = 0; i < rounds; i++) {
        fake_now += 7 * 1000000;
        snprintf(key, sizeof key, "u%d-%d-purchase", user, i);
        expect_ok(vg_credits_grant(&balance, ctx, user_ids[user], VG_CREDIT_PURCHASED, 10 + i, 0,
                                   "order", key), ctx, key);
        snprintf(key, sizeof key, "u%d-%d-bonus", user, i);
        expect_ok(vg_credits_grant(&balance, ctx, user_ids[user], VG_CREDIT_BONUS, 3, 0, "promo",
                                   key), ctx, key);
        snprintf(key, sizeof key, "u%d-%d-hold", user, i);
        expect_ok(vg_credits_hold(&hold, ctx, user_ids[user], services[i % 4], "job", key), ctx,
                  key);
        snprintf(key, sizeof key, "u%d-%d-%s", user, i, i % 3 == 2 ? "release" : "capture");
        expect_ok(i % 3 == 2 ? vg_credits_release(&hold, ctx, hold.id, key)
                             : vg_credits_capture(&hold, ctx, hold.id, key), ctx, key);
        last_seqs[user] = hold.balance.ledger_seq;
    }
}

/* Copies a file byte for byte; a missing source is fine when `optional`. */
static void copy_file(const char *from, const char *to, int optional)
{
    char buf[65536];
    size_t n;
    FILE *in = fopen(from, "rb"), *out;

    if (!in && optional)
        return;
    if (!in)
        fail_msg("cannot read %s", from);
    out = fopen(to, "wb");
    assert_non_null(out);
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        assert_int_equal(fwrite(buf, 1, n, out), n);
    fclose(in);
    assert_int_equal(fclose(out), 0);
}

/* Copies a closed store: the file and, should one be left, its write-ahead log. */
static void copy_store(const char *from, const char *to)
{
    char wal_from[700], wal_to[700];
    snprintf(wal_from, sizeof wal_from, "%s-wal", from);
    snprintf(wal_to, sizeof wal_to, "%s-wal", to);
    unlink(wal_to);
    copy_file(from, to, 0);
    copy_file(wal_from, wal_to, 1);
}

/* --- what a check reports -------------------------------------------------------------- */

typedef struct problems {
    size_t count;
    char check[MAX_PROBLEMS][64];
    char subject[MAX_PROBLEMS][VG_EMAIL_SIZE + 32];
    char detail[MAX_PROBLEMS][256];
} problems;

static void add_problem(problems *p, const char *check, const char *subject, const char *detail)
{
    if (p->count < MAX_PROBLEMS) {
        snprintf(p->check[p->count], sizeof p->check[0], "%s", check);
        snprintf(p->subject[p->count], sizeof p->subject[0], "%s", subject);
        snprintf(p->detail[p->count], sizeof p->detail[0], "%s", detail);
    }
    p->count++;
}

static void collect_problem(const char *check, const char *subject, const char *detail,
                            void *payload)
{
    add_problem(payload, check, subject, detail);
}

static void print_problems(const char *who, const problems *p)
{
    size_t i;
    for (i = 0; i < p->count && i < MAX_PROBLEMS; i++)
        print_message("  %s: %s: %s: %s\n", who, p->check[i], p->subject[i], p->detail[i]);
}

/* Returns 1 if a "wallet.ledger" problem names the user. */
static int names_user(const problems *p, int user)
{
    char subject[VG_EMAIL_SIZE + 32];
    size_t i;
    subject_of(subject, sizeof subject, user);
    for (i = 0; i < p->count && i < MAX_PROBLEMS; i++)
        if (strcmp(p->check[i], "wallet.ledger") == 0 && strcmp(p->subject[i], subject) == 0)
            return 1;
    return 0;
}

/* vg_check through the API, with the given secret. Returns its status. */
static int api_check(problems *out, const char *path, const unsigned char *key, size_t key_len)
{
    vg_ctx *ctx = open_store(path, key, key_len);
    size_t count = 0;
    int rc;
    memset(out, 0, sizeof *out);
    rc = vg_check(&count, ctx, collect_problem, out);
    assert_int_equal(count, out->count);
    vg_close(ctx);
    return rc;
}

/* `vidgo --db PATH check --json` with VIDGO_SECRET as set. Returns the exit code. */
static int cli_check(problems *out, const char *path)
{
    const char *bin = getenv("VIDGO_BIN");
    char command[1400], *text;
    size_t size = 0, used = 0, n;
    cJSON *doc, *list, *item;
    FILE *pipe;
    int status;

    if (!bin)
        fail_msg("VIDGO_BIN is not set (run the test with meson test)");
    memset(out, 0, sizeof *out);
    snprintf(command, sizeof command, "'%s' --db '%s' check --json", bin, path);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    text = malloc(size = 65536);
    assert_non_null(text);
    while ((n = fread(text + used, 1, size - used - 1, pipe)) > 0) {
        used += n;
        if (used + 1 == size) {
            text = realloc(text, size *= 2);
            assert_non_null(text);
        }
    }
    text[used] = '\0';
    status = pclose(pipe);
    assert_true(WIFEXITED(status));
    doc = cJSON_Parse(text);
    if (!doc)
        fail_msg("vidgo check --json printed no JSON: %s", text);
    assert_true(cJSON_IsBool(cJSON_GetObjectItem(doc, "ok")));
    assert_int_equal(cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")), WEXITSTATUS(status) == 0);
    list = cJSON_GetObjectItem(doc, "problems");
    assert_true(cJSON_IsArray(list));
    cJSON_ArrayForEach(item, list)
        add_problem(out, cJSON_GetStringValue(cJSON_GetObjectItem(item, "check")),
                    cJSON_GetStringValue(cJSON_GetObjectItem(item, "subject")),
                    cJSON_GetStringValue(cJSON_GetObjectItem(item, "detail")));
    cJSON_Delete(doc);
    free(text);
    return WEXITSTATUS(status);
}

/* Both checks find the store sound. */
static void expect_sound(const char *path)
{
    problems p;
    int rc = api_check(&p, path, secret, sizeof secret);
    print_problems("api", &p);
    assert_int_equal(rc, VG_OK);
    assert_int_equal(p.count, 0);
    rc = cli_check(&p, path);
    print_problems("cli", &p);
    assert_int_equal(rc, 0);
    assert_int_equal(p.count, 0);
}

/* Both checks fail, naming exactly the users in `named` (a bit per user). */
static void expect_named(const char *path, const unsigned char *key, size_t key_len,
                         unsigned named)
{
    problems api, cli;
    int user, rc = api_check(&api, path, key, key_len), code = cli_check(&cli, path);

    print_problems("api", &api);
    print_problems("cli", &cli);
    assert_int_equal(rc, VG_EINVARIANT);
    assert_true(api.count > 0);
    assert_int_equal(code, 1);
    assert_true(cli.count > 0);
    for (user = 0; user < USERS; user++) {
        int expected = (named >> user) & 1;
        if (names_user(&api, user) != expected || names_user(&cli, user) != expected)
            fail_msg("user %d (%s) should%s be named (api %d, cli %d)", user,
                     people[user].email, expected ? "" : " not", names_user(&api, user),
                     names_user(&cli, user));
    }
}

/* --- tampering --------------------------------------------------------------------------- */

/* Runs an SQL script on a store with SQLite itself, binding :uid, :mid and :last in each
 * statement where they appear. */
static void tamper_sql(const char *path, const char *sql, int64_t uid, int64_t mid, int64_t last)
{
    sqlite3 *db;
    sqlite3_stmt *stmt;
    const char *tail = sql;
    int i;

    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL), SQLITE_OK);
    while (*tail) {
        const struct {
            const char *name;
            int64_t value;
        } params[] = {{":uid", uid}, {":mid", mid}, {":last", last}};
        if (sqlite3_prepare_v2(db, tail, -1, &stmt, &tail) != SQLITE_OK)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        if (!stmt)
            break; /* only blanks were left */
        for (i = 0; i < 3; i++) {
            int index = sqlite3_bind_parameter_index(stmt, params[i].name);
            if (index)
                sqlite3_bind_int64(stmt, index, params[i].value);
        }
        if (sqlite3_step(stmt) != SQLITE_DONE)
            fail_msg("%s: %s", sql, sqlite3_errmsg(db));
        if (sqlite3_changes(db) < 1)
            fail_msg("%s changed nothing", sqlite3_sql(stmt));
        sqlite3_finalize(stmt);
    }
    assert_int_equal(sqlite3_close(db), SQLITE_OK);
}

/* Tampers with one user's ledger on a fresh copy of the original and expects both checks to
 * name that user and nobody else. */
static void expect_tampering_caught(const char *name, int victim, const char *sql)
{
    char path[600];
    int64_t last = last_seqs[victim];

    snprintf(path, sizeof path, "%s/%s.db", dir, name);
    copy_store(original, path);
    expect_sound(path); /* the copy is as good as the original */
    tamper_sql(path, sql, user_ids[victim], last / 2, last);
    expect_named(path, secret, sizeof secret, 1u << victim);
}

static void test_an_edited_amount_breaks_the_hash_even_when_the_sums_agree(void **state)
{
    (void)state;
    /* +7 purchased credits in one row, carried through every later row and the wallet, so
     * that every sum agrees and only the keyed hash can tell */
    expect_tampering_caught(
        "edited-amount", 1,
        "UPDATE vg_ledger SET amount = amount + 7, purchased = purchased + 7 "
        "  WHERE user_id = :uid AND seq = :mid;"
        "UPDATE vg_ledger SET purchased_after = purchased_after + 7, total_after = total_after + 7 "
        "  WHERE user_id = :uid AND seq >= :mid;"
        "UPDATE vg_wallets SET purchased = purchased + 7 WHERE user_id = :uid;");
}

static void test_a_deleted_middle_row_is_found(void **state)
{
    (void)state;
    expect_tampering_caught("deleted-middle", 2,
                            "DELETE FROM vg_ledger WHERE user_id = :uid AND seq = :mid;");
}

static void test_a_deleted_last_row_is_found(void **state)
{
    (void)state;
    expect_tampering_caught("deleted-last", 0,
                            "DELETE FROM vg_ledger WHERE user_id = :uid AND seq = :last;");
}

static void test_two_swapped_rows_are_found(void **state)
{
    (void)state;
    expect_tampering_caught("swapped", 1,
                            "UPDATE vg_ledger SET seq = -1 WHERE user_id = :uid AND seq = :mid;"
                            "UPDATE vg_ledger SET seq = :mid WHERE user_id = :uid AND seq = :mid + 1;"
                            "UPDATE vg_ledger SET seq = :mid + 1 WHERE user_id = :uid AND seq = -1;");
}

static void test_an_edited_reference_is_found(void **state)
{
    (void)state;
    expect_tampering_caught("edited-reference", 2,
                            "UPDATE vg_ledger SET reference = reference || ' (edited)' "
                            "  WHERE user_id = :uid AND seq = :mid;");
}

static void test_a_check_with_the_wrong_secret_names_every_wallet(void **state)
{
    unsigned char wrong[sizeof secret];
    char wrong_hex[sizeof secret_hex];
    (void)state;
    memcpy(wrong, secret, sizeof wrong);
    wrong[0] ^= 0x01;
    sodium_bin2hex(wrong_hex, sizeof wrong_hex, wrong, sizeof wrong);
    setenv("VIDGO_SECRET", wrong_hex, 1);
    expect_named(original, wrong, sizeof wrong, (1u << USERS) - 1);
    setenv("VIDGO_SECRET", secret_hex, 1);
    expect_sound(original); /* and the store itself was fine all along */
}

/* --- setup ------------------------------------------------------------------------------- */

static int build_original(void **state)
{
    vg_ctx *ctx;
    int user;
    (void)state;

    if (!mkdtemp(dir))
        return -1;
    path_in_dir(original, sizeof original, "original.db");
    assert_int_equal(vg_time_parse(&fake_now, "2026-03-04T09:15:00Z"), VG_OK);
    ctx = open_store(original, secret, sizeof secret);
    for (user = 0; user < USERS; user++)
        expect_ok(vg_user_add_verified(&user_ids[user], ctx, people[user].email,
                                       people[user].plan), ctx, people[user].email);
    for (user = 0; user < USERS; user++)
        make_history(ctx, user, 12 + 3 * user);
    vg_close(ctx);
    for (user = 0; user < USERS; user++) {
        print_message("%s: %lld ledger rows\n", people[user].email, (long long)last_seqs[user]);
        assert_true(last_seqs[user] >= 30);
    }
    expect_sound(original);
    return 0;
}

static int remove_dir(void **state)
{
    char path[700];
    struct dirent *entry;
    DIR *d = opendir(dir);
    (void)state;
    while (d && (entry = readdir(d)) != NULL) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0)
            unlink(path_in_dir(path, sizeof path, entry->d_name));
    }
    if (d)
        closedir(d);
    rmdir(dir);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_edited_amount_breaks_the_hash_even_when_the_sums_agree),
        cmocka_unit_test(test_a_deleted_middle_row_is_found),
        cmocka_unit_test(test_a_deleted_last_row_is_found),
        cmocka_unit_test(test_two_swapped_rows_are_found),
        cmocka_unit_test(test_an_edited_reference_is_found),
        cmocka_unit_test(test_a_check_with_the_wrong_secret_names_every_wallet),
    };
    if (sodium_init() < 0)
        return 1;
    sodium_bin2hex(secret_hex, sizeof secret_hex, secret, sizeof secret);
    setenv("VIDGO_SECRET", secret_hex, 1);
    return cmocka_run_group_tests(tests, build_original, remove_dir);
}
