/* SPDX-License-Identifier: MIT */
/* RFC 3339 parsing and formatting of vg_time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#define SEC INT64_C(1000000)

static void test_parse_utc_offsets_and_fractions(void **state)
{
    static const struct {
        const char *text;
        vg_time expected;
    } cases[] = {
        {"1970-01-01T00:00:00Z", 0},
        {"2026-11-30T00:00:00Z", INT64_C(1795996800) * SEC},
        {"2026-11-30T09:00:00+09:00", INT64_C(1795996800) * SEC},
        {"2026-11-29T19:00:00-05:00", INT64_C(1795996800) * SEC},
        {"2026-11-30t00:00:00z", INT64_C(1795996800) * SEC},
        {"2026-11-30 00:00:00Z", INT64_C(1795996800) * SEC},
        {"2026-11-30T00:00:00.5Z", INT64_C(1795996800) * SEC + 500000},
        {"2026-11-30T00:00:00.000001Z", INT64_C(1795996800) * SEC + 1},
        {"2026-11-30T00:00:00.1234569Z", INT64_C(1795996800) * SEC + 123456},
        {"2024-02-29T12:00:00Z", INT64_C(1709208000) * SEC},
        {"1969-12-31T23:59:59Z", -SEC},
        {"2016-12-31T23:59:60Z", INT64_C(1483228799) * SEC},
    };
    size_t i;
    vg_time t;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(vg_time_parse(&t, cases[i].text), VG_OK);
        if (t != cases[i].expected)
            fail_msg("%s -> %lld, expected %lld", cases[i].text, (long long)t,
                     (long long)cases[i].expected);
    }
}

static void test_parse_rejects_what_is_not_rfc3339(void **state)
{
    static const char *const bad[] = {
        "", "2026", "2026-11-30", "2026-11-30T00:00:00", "2026-11-30T00:00Z",
        "2026-13-01T00:00:00Z", "2026-02-29T00:00:00Z", "2026-11-31T00:00:00Z",
        "2026-11-30T24:00:00Z", "2026-11-30T00:60:00Z", "2026-11-30T00:00:61Z",
        "2026-11-30T00:00:00+0900", "2026-11-30T00:00:00+24:00", "2026-11-30T00:00:00.Z",
        "2026-11-30T00:00:00Zjunk", "26-11-30T00:00:00Z", "2026/11/30T00:00:00Z",
        "x026-11-30T00:00:00Z", "2026-11-30T00:00:00 Z",
    };
    size_t i;
    vg_time t = 12345;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (vg_time_parse(&t, bad[i]) != VG_EINVAL)
            fail_msg("accepted \"%s\"", bad[i]);
        assert_int_equal(t, 12345);
        assert_int_equal(vg_error_last_code(), VG_EINVAL);
        assert_true(strlen(vg_error_last()) > 0);
    }
    assert_int_equal(vg_time_parse(NULL, "2026-11-30T00:00:00Z"), VG_EINVAL);
    assert_int_equal(vg_time_parse(&t, NULL), VG_EINVAL);
}

static void test_format_round_trips(void **state)
{
    static const vg_time times[] = {0, 1, -1, INT64_C(1795996800) * SEC, INT64_C(1709208000) * SEC + 250000,
                                    -INT64_C(62135596800) * SEC, INT64_C(253402300799) * SEC};
    char buf[VG_TIME_TEXT_SIZE];
    size_t i;
    vg_time back;
    (void)state;
    for (i = 0; i < sizeof times / sizeof times[0]; i++) {
        assert_int_equal(vg_time_format(buf, sizeof buf, times[i]), VG_OK);
        assert_int_equal(vg_time_parse(&back, buf), VG_OK);
        assert_int_equal(back, times[i]);
    }
    vg_time_format(buf, sizeof buf, INT64_C(1795996800) * SEC);
    assert_string_equal(buf, "2026-11-30T00:00:00Z");
    vg_time_format(buf, sizeof buf, -1);
    assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
}

static void test_format_checks_its_buffer_and_range(void **state)
{
    char buf[VG_TIME_TEXT_SIZE];
    (void)state;
    assert_int_equal(vg_time_text_size(), VG_TIME_TEXT_SIZE);
    assert_int_equal(vg_time_format(NULL, 64, 0), VG_EINVAL);
    assert_int_equal(vg_time_format(buf, VG_TIME_TEXT_SIZE - 1, 0), VG_EBUFSIZE);
    assert_int_equal(vg_time_format(buf, sizeof buf, INT64_C(253402300800) * SEC), VG_ERANGE);
    assert_int_equal(vg_time_format(buf, sizeof buf, -INT64_C(62167219201) * SEC), VG_ERANGE);
}

static void test_system_clock_is_now(void **state)
{
    vg_time t = vg_time_now_system();
    (void)state;
    assert_true(t > INT64_C(1700000000) * SEC); /* after 2023 */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_utc_offsets_and_fractions),
        cmocka_unit_test(test_parse_rejects_what_is_not_rfc3339),
        cmocka_unit_test(test_format_round_trips),
        cmocka_unit_test(test_format_checks_its_buffer_and_range),
        cmocka_unit_test(test_system_clock_is_now),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
