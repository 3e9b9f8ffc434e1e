/* SPDX-License-Identifier: MIT */
/* Helpers the cmocka tests share (test_support.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "test_support.h"

/* --- assertions ------------------------------------------------------------------------- */

void test_status_is(int got, int want, const char *expr, const char *file, int line)
{
    if (got != want) {
        print_error("%s\n  gave %s (%d), expected %s (%d)\n", expr, vg_error_name(got), got,
                    vg_error_name(want), want);
        _fail(file, line);
    }
}

/* --- a fake clock ------------------------------------------------------------------------ */

vg_time test_fake_clock(void *payload)
{
    return *(const vg_time *)payload;
}

/* --- a fixed secret ---------------------------------------------------------------------- */

const unsigned char test_secret[TEST_SECRET_SIZE] = "libvidgo-test-secret-0123456789a";

int test_export_secret(void)
{
    static const char digits[] = "0123456789abcdef";
    char hex[2 * TEST_SECRET_SIZE + 1];
    size_t i;
    for (i = 0; i < TEST_SECRET_SIZE; i++) {
        hex[2 * i] = digits[test_secret[i] >> 4];
        hex[2 * i + 1] = digits[test_secret[i] & 0xf];
    }
    hex[2 * TEST_SECRET_SIZE] = '\0';
    return setenv("VIDGO_SECRET", hex, 1) == 0 ? 0 : -1;
}

/* --- the storage target -------------------------------------------------------------------- */

static const store_target *current;
static int locations_made, locations_refused;

const store_target *test_target(void)
{
    const char *name;
    if (current)
        return current;
    name = getenv("VIDGO_TEST_BACKEND");
    current = store_target_from_env();
    if (!current) {
        fprintf(stderr, "unknown storage target VIDGO_TEST_BACKEND=%s (this build knows "
                        "sqlite%s)\n", name, store_target_find("postgresql") ? ", postgresql" : "");
        exit(1);
    }
    print_message("backend: %s%s\n", current->name,
                  store_target_required() ? " (required: VIDGO_REQUIRE_PG=1)" : "");
    return current;
}

int test_try_fresh_location(char *buf, size_t size, const char *label)
{
    if (test_target()->fresh_location(buf, size, label) != 0) {
        locations_refused++;
        return -1;
    }
    locations_made++;
    return 0;
}

void test_unavailable(const char *reason)
{
    if (store_target_required())
        fail_msg("the %s target cannot run here and VIDGO_REQUIRE_PG=1: %s", test_target()->name,
                 reason);
    print_message("skipped (%s): %s\n", test_target()->name, reason);
    skip();
}

void test_fresh_location(char *buf, size_t size, const char *label)
{
    if (test_try_fresh_location(buf, size, label) != 0)
        test_unavailable(buf);
}

int test_target_finish(int failed)
{
    test_target()->cleanup();
    if (failed == 0 && locations_refused > 0 && locations_made == 0)
        return 77;
    return failed;
}

/* --- opening stores ---------------------------------------------------------------------- */

void test_config_init(vg_config *config, const char *location)
{
    vg_config_init(config, VG_CONFIG_VERSION);
    config->store = location;
    config->store_backend = test_target()->backend();
    config->flags = VG_OPEN_CREATE | VG_OPEN_SYNC_NORMAL;
    config->secret = test_secret;
    config->secret_len = sizeof test_secret;
}

vg_ctx *test_open(const vg_config *config)
{
    vg_ctx *ctx = NULL;
    int rc = vg_open(&ctx, config);
    if (rc != VG_OK)
        fail_msg("vg_open on the %s target: %s (%s)", test_target()->name, vg_error_name(rc),
                 vg_error_last()); /* not the location: a URL may hold a password */
    return ctx;
}
