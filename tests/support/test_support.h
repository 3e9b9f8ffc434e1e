/* SPDX-License-Identifier: MIT */
/* Helpers the cmocka tests share: a status assertion that names the errors, a fake clock, a
 * fixed secret, and stores made on the storage target under test (store_target.h). */
#ifndef VG_TEST_SUPPORT_H
#define VG_TEST_SUPPORT_H

#include <stddef.h>

#include <vidgo/vidgo.h>

#include "store_target.h"

/* --- assertions ------------------------------------------------------------------------- */

/* Fails the test when a call does not return the expected status, naming both. */
#define assert_status(got, want) test_status_is((got), (want), #got, __FILE__, __LINE__)

void test_status_is(int got, int want, const char *expr, const char *file, int line);

/* --- a fake clock ------------------------------------------------------------------------ */

/* A vg_clock_fn that reports the vg_time its payload points to: set config.clock to it and
 * config.clock_payload to the address of the time, which the test then moves. */
vg_time test_fake_clock(void *payload);

/* --- a fixed secret ---------------------------------------------------------------------- */

#define TEST_SECRET_SIZE 32

/* The server secret every test store is opened with (vg_config.secret). */
extern const unsigned char test_secret[TEST_SECRET_SIZE];

/* Sets $VIDGO_SECRET to test_secret in hex, for contexts opened without config.secret (child
 * processes, the `vidgo` program). Returns 0, or -1 if it could not. */
int test_export_secret(void);

/* --- the storage target -------------------------------------------------------------------- */

/* The storage target of this run: $VIDGO_TEST_BACKEND, default "sqlite". The first call
 * prints "backend: NAME"; an unknown name ends the program with status 1. */
const store_target *test_target(void);

/* Writes the location of a fresh, empty store named `label` (letters, digits and '_') on the
 * target into buf. When the target cannot run here (no server), the calling test is skipped
 * with the reason printed, or fails with it when store_target_required() (CI). Call it from a
 * test body: cmocka 1.1 cannot skip a test from its setup (see test_try_fresh_location). */
void test_fresh_location(char *buf, size_t size, const char *label);

/* The same without skipping, for setup functions: returns 0, or -1 with the reason in buf;
 * the test body then calls test_unavailable(buf). */
int test_try_fresh_location(char *buf, size_t size, const char *label);

/* Skips the calling test because the target cannot run here, printing the reason, or fails
 * it when store_target_required(). Does not return. */
void test_unavailable(const char *reason);

/* Ends a run: removes what the target made (target->cleanup()) and returns the program's exit
 * status, `failed` (cmocka_run_group_tests' result), or 77 (meson's "skipped") when nothing
 * failed and every store test was skipped because the target could not run here. */
int test_target_finish(int failed);

/* --- opening stores ---------------------------------------------------------------------- */

/* The configuration of a test store: the location, the target's backend, VG_OPEN_CREATE |
 * VG_OPEN_SYNC_NORMAL (SQLite's synchronous=NORMAL; other backends ignore it) and
 * test_secret; everything else as vg_config_init() leaves it. */
void test_config_init(vg_config *config, const char *location);

/* vg_open(config) that must succeed: fails the test with the library's message if not. */
vg_ctx *test_open(const vg_config *config);

#endif
