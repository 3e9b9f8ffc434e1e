/* SPDX-License-Identifier: MIT */
/* A process doing wallet calls is killed with SIGKILL at random moments, round after round:
 * the store stays consistent and no acknowledged call is ever lost or applied twice. */
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "test_support.h"

#define ROUNDS 120
#define USERS 2
#define MAX_RECORDS 100000

static const struct {
    const char *email;
    const char *plan;
} people[USERS] = {{"crash-starter@example.com", "starter"}, {"crash-demo@example.com", "demo"}};
static int64_t user_ids[USERS];

static const char *const services[] = {"image_512", "image_1024", "video_720p", "video_1080p"};
#define SERVICE_COUNT (sizeof services / sizeof services[0])

static char ack_dir[] = "/tmp/vg-crash-XXXXXX"; /* what the children acknowledged */
static char store_location[512];               /* the store, on the target under test */

/* The calls a child makes. Before each it writes "try <op> <key> <hold_id>" (so that the
 * parent knows the call it was killed in, which may or may not have committed), and after
 * each success "<op> <key> <hold_id> <ledger_seq>": an acknowledgement. */
typedef enum op_kind { OP_PURCHASE, OP_BONUS, OP_HOLD, OP_CAPTURE, OP_RELEASE, OP_REFUND,
                       OP_BALANCE, OP_KINDS } op_kind;
static const char *const op_names[OP_KINDS] = {"grant_purchased", "grant_bonus", "hold", "capture",
                                               "release", "refund", "balance"};

/* The arguments of a call follow from its key alone, so that the parent can repeat it. */
typedef struct op_args {
    int user;
    int64_t amount;
    const char *service;
} op_args;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 30;
    x *= UINT64_C(0xbf58476d1ce4e5b9);
    x ^= x >> 27;
    x *= UINT64_C(0x94d049bb133111eb);
    return x ^ (x >> 31);
}

static void args_of(const char *key, op_args *out)
{
    uint64_t h = 1469598103934665603u;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211u;
    h = mix64(h);
    out->user = (int)(h % USERS);
    out->amount = 1 + (int64_t)((h >> 8) % 40);
    out->service = services[(h >> 16) % SERVICE_COUNT];
}

static vg_ctx *open_store(void)
{
    vg_config config;
    vg_ctx *ctx = NULL;
    test_config_init(&config, store_location);
    config.secret = NULL; /* from $VIDGO_SECRET (test_secret), as for `vidgo` */
    config.secret_len = 0;
    config.log_level = VG_LOG_NONE;
    return vg_open(&ctx, &config) == VG_OK ? ctx : NULL;
}

static void ack_path(char *buf, size_t size, int round)
{
    snprintf(buf, size, "%s/acks-r%03d.txt", ack_dir, round);
}

/* Makes one call. Returns its status; *hold_id and *seq receive the hold and the wallet's
 * last ledger row after it. */
static int call(vg_ctx *ctx, op_kind op, const char *key, int64_t hold_id, int64_t *out_hold,
                int64_t *out_seq)
{
    op_args a;
    vg_balance balance;
    vg_hold hold;
    int rc;

    args_of(key, &a);
    memset(&hold, 0, sizeof hold);
    memset(&balance, 0, sizeof balance);
    switch (op) {
    case OP_PURCHASE:
    case OP_BONUS:
        rc = vg_credits_grant(&balance, ctx, user_ids[a.user],
                              op == OP_BONUS ? VG_CREDIT_BONUS : VG_CREDIT_PURCHASED, a.amount, 0,
                              NULL, key);
        hold.balance = balance;
        break;
    case OP_HOLD:
        rc = vg_credits_hold(&hold, ctx, user_ids[a.user], a.service, key, key);
        break;
    case OP_CAPTURE:
        rc = vg_credits_capture(&hold, ctx, hold_id, key);
        break;
    case OP_RELEASE:
        rc = vg_credits_release(&hold, ctx, hold_id, key);
        break;
    case OP_REFUND:
        rc = vg_credits_refund(&hold, ctx, hold_id, key);
        break;
    default:
        rc = vg_credits_balance(&hold.balance, ctx, user_ids[a.user]);
        break;
    }
    *out_hold = hold.id;
    *out_seq = hold.balance.ledger_seq;
    return rc;
}

/* --- the child: calls until it is killed (no cmocka here) --------------------------------- */

typedef struct hold_list {
    int64_t ids[4096];
    int count;
} hold_list;

static int64_t take_random(hold_list *l, uint64_t r)
{
    int i = (int)(r % (uint64_t)l->count);
    int64_t id = l->ids[i];
    l->ids[i] = l->ids[--l->count];
    return id;
}

static void put(hold_list *l, int64_t id)
{
    if (l->count < (int)(sizeof l->ids / sizeof l->ids[0]))
        l->ids[l->count++] = id;
}

static op_kind pick_op(uint64_t r, const hold_list *open, const hold_list *captured)
{
    static const op_kind table[] = {OP_PURCHASE, OP_PURCHASE, OP_BONUS, OP_BONUS, OP_HOLD,
                                    OP_HOLD,     OP_HOLD,     OP_HOLD,  OP_CAPTURE, OP_CAPTURE,
                                    OP_CAPTURE,  OP_RELEASE,  OP_RELEASE, OP_REFUND, OP_BALANCE,
                                    OP_BALANCE};
    op_kind op = table[r % (sizeof table / sizeof table[0])];
    if ((op == OP_CAPTURE || op == OP_RELEASE) && open->count == 0)
        return OP_HOLD;
    if (op == OP_REFUND && captured->count == 0)
        return open->count ? OP_CAPTURE : OP_HOLD;
    return op;
}

static void write_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void child_main(int round, int ready_fd)
{
    static hold_list open_holds, captured;
    char path[700], key[64];
    uint64_t rng = mix64((uint64_t)round + 1);
    int64_t hold_id, new_hold, seq;
    vg_ctx *ctx = open_store();
    long n;
    int fd, rc;

    ack_path(path, sizeof path, round);
    fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (!ctx || fd < 0) {
        fprintf(stderr, "round %d: cannot start: %s\n", round, vg_error_last());
        _exit(2);
    }
    if (write(ready_fd, "r", 1) != 1)
        _exit(2);
    for (n = 1;; n++) {
        op_kind op = pick_op(rng = mix64(rng), &open_holds, &captured);
        hold_id = 0;
        if (op == OP_CAPTURE || op == OP_RELEASE)
            hold_id = take_random(&open_holds, rng >> 20);
        else if (op == OP_REFUND)
            hold_id = take_random(&captured, rng >> 20);
        snprintf(key, sizeof key, "r%d-%ld", round, n);
        write_line(fd, "try %s %s %lld\n", op_names[op], key, (long long)hold_id);
        rc = call(ctx, op, key, hold_id, &new_hold, &seq);
        if (rc == VG_EINSUFFICIENT_CREDITS || rc == VG_EDEMO_USED_UP)
            continue; /* a refusal: an outcome, but not a success */
        if (rc != VG_OK) {
            fprintf(stderr, "round %d: %s %s: %s (%s)\n", round, op_names[op], key,
                    vg_error_name(rc), vg_error_last());
            _exit(3);
        }
        if (op == OP_HOLD)
            put(&open_holds, hold_id = new_hold);
        else if (op == OP_CAPTURE)
            put(&captured, hold_id);
        write_line(fd, "%s %s %lld %lld\n", op_names[op], key, (long long)hold_id, (long long)seq);
    }
}

/* Writes one line with a single write(2), so that a kill leaves it whole or absent (or, if
 * the write crosses a page of the file, cut: see read_round). */
static void write_line(int fd, const char *fmt, ...)
{
    char line[256];
    va_list ap;
    int len;
    va_start(ap, fmt);
    len = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (write(fd, line, (size_t)len) != len)
        _exit(4);
}

/* --- the parent ----------------------------------------------------------------------------- */

typedef struct record {
    int round;
    int acked;       /* 0: the last "try" of its round, never acknowledged (in flight) */
    op_kind op;
    char key[32];
    int64_t hold_id, seq;
} record;

static record records[MAX_RECORDS];
static size_t record_count;

static op_kind op_by_name(const char *name)
{
    int i;
    for (i = 0; i < OP_KINDS; i++)
        if (strcmp(op_names[i], name) == 0)
            return (op_kind)i;
    fail_msg("unknown operation %s", name);
    return OP_KINDS;
}

/* Reads a round's lines: its acknowledged calls, and the call it was killed in, if any.
 * Returns the number of acknowledged calls. */
static size_t read_round(int round)
{
    char path[700], line[256], op[32], key[32];
    long long hold_id, seq;
    size_t acked = 0;
    int pending = 0; /* a "try" not (yet) followed by its acknowledgement */
    record try_line;
    FILE *f;

    ack_path(path, sizeof path, round);
    if (!(f = fopen(path, "r")))
        return 0; /* killed before it began */
    while (fgets(line, sizeof line, f)) {
        if (!strchr(line, '\n')) {
            /* one write(2) per line, but a SIGKILL can still cut a write that crosses a page
             * of the file: only the last line, which then counts as never written (a cut
             * acknowledgement leaves its call in flight) */
            if (fgetc(f) != EOF)
                fail_msg("%s: a line was cut: %s", path, line);
            break;
        }
        assert_true(record_count < MAX_RECORDS);
        if (sscanf(line, "try %31s %31s %lld", op, key, &hold_id) == 3) {
            memset(&try_line, 0, sizeof try_line);
            try_line.round = round;
            try_line.op = op_by_name(op);
            snprintf(try_line.key, sizeof try_line.key, "%s", key);
            try_line.hold_id = hold_id;
            pending = 1;
        } else if (sscanf(line, "%31s %31s %lld %lld", op, key, &hold_id, &seq) == 4) {
            if (!pending || strcmp(key, try_line.key) != 0)
                fail_msg("%s: an acknowledgement without its try: %s", path, line);
            try_line.acked = 1;
            try_line.hold_id = hold_id;
            try_line.seq = seq;
            records[record_count++] = try_line;
            pending = 0;
            acked++;
        } else {
            fail_msg("%s: unexpected line %s", path, line);
        }
    }
    fclose(f);
    if (pending) /* the call it was killed in, or a refusal: it may or may not be stored */
        records[record_count++] = try_line;
    return acked;
}

static int keep_seq(const vg_ledger_entry *e, void *payload)
{
    *(int64_t *)payload = e->seq;
    return 1;
}

/* The number of the user's last ledger row, read without applying anything due. */
static int64_t ledger_end(vg_ctx *ctx, int64_t user_id)
{
    int64_t seq = 0;
    assert_int_equal(vg_credits_history(ctx, user_id, 0, 1, keep_seq, &seq), VG_OK);
    return seq;
}

static int64_t user_of(vg_ctx *ctx, const record *r)
{
    op_args a;
    vg_hold hold;
    if (r->op == OP_CAPTURE || r->op == OP_RELEASE || r->op == OP_REFUND) {
        assert_int_equal(vg_credits_hold_get(&hold, ctx, r->hold_id), VG_OK);
        return hold.user_id;
    }
    args_of(r->key, &a);
    return user_ids[a.user];
}

/* Did a refund of this hold happen, acknowledged, or possibly as the call in flight? */
static int refund_possible(int64_t hold_id)
{
    size_t i;
    for (i = 0; i < record_count; i++)
        if (records[i].op == OP_REFUND && records[i].hold_id == hold_id)
            return 1;
    return 0;
}

/* An acknowledged call is in the store: its repeat is a replay of the first outcome that
 * changes nothing, and the hold it concerns is in the state it left it in (or later ones). */
static void verify_acknowledged(vg_ctx *ctx, const record *r)
{
    int64_t user = user_of(ctx, r), before = ledger_end(ctx, user), hold_id, seq;
    vg_hold hold;
    int rc;

    if (before < r->seq)
        fail_msg("%s %s was acknowledged at ledger row %lld, but the ledger ends at %lld",
                 op_names[r->op], r->key, (long long)r->seq, (long long)before);
    if (r->op == OP_BALANCE)
        return; /* a read: nothing to repeat */
    rc = call(ctx, r->op, r->key, r->hold_id, &hold_id, &seq);
    if (rc != VG_OK)
        fail_msg("repeating %s %s gave %s (%s)", op_names[r->op], r->key, vg_error_name(rc),
                 vg_ctx_errmsg(ctx));
    if (seq != r->seq || (r->op == OP_HOLD && hold_id != r->hold_id))
        fail_msg("repeating %s %s answered hold %lld at row %lld, first hold %lld at row %lld",
                 op_names[r->op], r->key, (long long)hold_id, (long long)seq,
                 (long long)r->hold_id, (long long)r->seq);
    if (ledger_end(ctx, user) != before)
        fail_msg("repeating %s %s wrote to the ledger", op_names[r->op], r->key);
    if (!r->hold_id)
        return;
    assert_int_equal(vg_credits_hold_get(&hold, ctx, r->hold_id), VG_OK);
    assert_int_equal(hold.user_id, user);
    if ((r->op == OP_CAPTURE && !(hold.state == VG_HOLD_CAPTURED ||
                                  (hold.state == VG_HOLD_REFUNDED && refund_possible(hold.id)))) ||
        (r->op == OP_RELEASE && hold.state != VG_HOLD_RELEASED) ||
        (r->op == OP_REFUND && hold.state != VG_HOLD_REFUNDED))
        fail_msg("after %s %s, hold %lld is in state %d", op_names[r->op], r->key,
                 (long long)hold.id, (int)hold.state);
}

/* `vidgo --db LOCATION check --json` must exit 0 with "ok": true (a path or a URL: the
 * program picks the backend from the location, as for any user). */
static void expect_cli_check_ok(int round)
{
    const char *bin = getenv("VIDGO_BIN");
    char command[1400], text[65536];
    size_t used = 0, n;
    cJSON *doc;
    FILE *pipe;
    int status;

    if (!bin)
        fail_msg("VIDGO_BIN is not set (run the test with meson test)");
    snprintf(command, sizeof command, "'%s' --db '%s' check --json", bin, store_location);
    pipe = popen(command, "r");
    assert_non_null(pipe);
    while (used < sizeof text - 1 && (n = fread(text + used, 1, sizeof text - 1 - used, pipe)) > 0)
        used += n;
    text[used] = '\0';
    status = pclose(pipe);
    doc = cJSON_Parse(text);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !doc ||
        !cJSON_IsTrue(cJSON_GetObjectItem(doc, "ok")))
        fail_msg("after round %d, vidgo check exited with status 0x%x: %s", round, status, text);
    cJSON_Delete(doc);
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

static double monotonic_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Starts a child and kills it after 5-60 ms of work (or, every tenth round, while it may
 * still be opening the store). Returns how long it worked, in seconds (0 if it may not have
 * begun). */
static double run_and_kill(int round, uint64_t *rng)
{
    int ready[2], status;
    double working = 0;
    char byte;
    pid_t pid;

    assert_int_equal(pipe(ready), 0);
    pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(ready[0]);
        child_main(round, ready[1]);
    }
    close(ready[1]);
    if (round % 10 != 9 && read(ready[0], &byte, 1) == 1)
        working = monotonic_s();
    sleep_ms(5 + (long)((*rng = mix64(*rng)) % 56));
    kill(pid, SIGKILL);
    if (working > 0)
        working = monotonic_s() - working;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    close(ready[0]);
    if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
        fail_msg("round %d: the child ended by itself (status 0x%x)", round, status);
    return working;
}

/* Whether the settling call a child was killed in had committed, told by the hold's state;
 * counted to show that kills land on both sides of a commit. */
static void count_in_flight(vg_ctx *ctx, const record *r, int counts[2])
{
    static const vg_hold_state after[OP_KINDS] = {
        [OP_CAPTURE] = VG_HOLD_CAPTURED, [OP_RELEASE] = VG_HOLD_RELEASED,
        [OP_REFUND] = VG_HOLD_REFUNDED};
    vg_hold hold;
    if (r->op != OP_CAPTURE && r->op != OP_RELEASE && r->op != OP_REFUND)
        return;
    assert_int_equal(vg_credits_hold_get(&hold, ctx, r->hold_id), VG_OK);
    counts[hold.state == after[r->op]]++;
}

/* A fresh store on the target with the users the children work for. */
static void make_store(void)
{
    vg_ctx *ctx;
    int i;
    test_fresh_location(store_location, sizeof store_location, "crash");
    ctx = open_store();
    if (!ctx)
        fail_msg("cannot open the store: %s", vg_error_last());
    for (i = 0; i < USERS; i++)
        assert_status(vg_user_add_verified(&user_ids[i], ctx, people[i].email, people[i].plan),
                      VG_OK);
    vg_close(ctx); /* no connection crosses a fork */
}

static void test_acknowledged_calls_survive_sigkill(void **state)
{
    uint64_t rng = (uint64_t)time(NULL);
    size_t acked, total_acked = 0, first, i, problems = 1;
    int round, killed_working = 0, in_flight[2] = {0, 0};
    double started, working, worked = 0;
    vg_ctx *ctx;
    (void)state;

    make_store();
    started = monotonic_s();
    print_message("seed %" PRIu64 "\n", rng);
    for (round = 0; round < ROUNDS; round++) {
        working = run_and_kill(round, &rng);
        killed_working += working > 0;
        worked += working;
        expect_cli_check_ok(round);
        first = record_count;
        acked = read_round(round);
        total_acked += acked;
        ctx = open_store();
        assert_non_null(ctx);
        for (i = first; i < record_count; i++) {
            if (records[i].acked)
                verify_acknowledged(ctx, &records[i]);
            else
                count_in_flight(ctx, &records[i], in_flight);
        }
        vg_close(ctx); /* no connection crosses a fork */
    }

    /* at the end, every acknowledged call of every round once more */
    ctx = open_store();
    assert_non_null(ctx);
    for (i = 0; i < record_count; i++)
        if (records[i].acked)
            verify_acknowledged(ctx, &records[i]);
    assert_int_equal(vg_check(&problems, ctx, NULL, NULL), VG_OK);
    assert_int_equal(problems, 0);
    vg_close(ctx);
    print_message("%d rounds (%d killed while working) in %.1f s: %zu acknowledged calls "
                  "(%.0f/s while working) verified twice each; settling calls in flight when "
                  "killed: %d committed, %d not\n", ROUNDS, killed_working,
                  monotonic_s() - started, total_acked, (double)total_acked / worked,
                  in_flight[1], in_flight[0]);
    assert_true(total_acked > (size_t)ROUNDS); /* the children did get work done */
}

static int make_ack_dir(void **state)
{
    (void)state;
    /* $VIDGO_SECRET: for every context here, the children and `vidgo` */
    return mkdtemp(ack_dir) && test_export_secret() == 0 ? 0 : -1;
}

static int remove_ack_dir(void **state)
{
    char command[128];
    (void)state;
    snprintf(command, sizeof command, "rm -rf '%s'", ack_dir);
    return system(command) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledged_calls_survive_sigkill),
    };
    test_target();
    return test_target_finish(cmocka_run_group_tests(tests, make_ack_dir, remove_ack_dir));
}
