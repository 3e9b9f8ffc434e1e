/* SPDX-License-Identifier: MIT */
/* Status codes: every code named and described in all five languages, thread-local errors. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/internal.h"
#include "i18n.h"

static const char *const langs[] = {"en", "ja", "zh-TW", "ko", "es"};
static const char *errors_header; /* path of include/vidgo/errors.h, from argv */

static void test_every_code_has_text_in_every_language(void **state)
{
    size_t i, l;
    (void)state;
    assert_true(vg_error_count() > 60);
    for (i = 0; i < vg_error_count(); i++) {
        int code = vg_error_code_at(i);
        const char *en = vg_strerror(code, "en");
        for (l = 0; l < 5; l++) {
            const char *text = vg_strerror(code, langs[l]);
            if (!text || !*text || !vg__utf8_valid(text))
                fail_msg("%s has no valid %s text", vg_error_name(code), langs[l]);
            /* ja, zh-TW and ko share no words with English: an English copy is untranslated */
            if ((l == 1 || l == 2 || l == 3) && strcmp(text, en) == 0)
                fail_msg("%s: %s text is the English one", vg_error_name(code), langs[l]);
        }
    }
}

static void test_codes_and_names_are_unique_and_well_formed(void **state)
{
    size_t i, j, n = vg_error_count();
    (void)state;
    assert_int_equal(vg_error_code_at(0), VG_OK);
    for (i = 0; i < n; i++) {
        int code = vg_error_code_at(i);
        const char *name = vg_error_name(code);
        assert_true(i == 0 ? code == 0 : code < 0);
        assert_true(strncmp(name, "VG_", 3) == 0);
        for (j = i + 1; j < n; j++) {
            assert_int_not_equal(code, vg_error_code_at(j));
            assert_string_not_equal(name, vg_error_name(vg_error_code_at(j)));
        }
    }
    assert_int_equal(vg_error_code_at(n), 1);
    assert_int_equal(vg_error_code_at((size_t)-1), 1);
}

/* Every enumerator written in errors.h is in the catalog under its own name and value. */
static void test_catalog_matches_the_public_header(void **state)
{
    FILE *f = fopen(errors_header, "r");
    char line[512], name[128];
    int value, seen = 0;
    (void)state;
    assert_non_null(f);
    while (fgets(line, sizeof line, f)) {
        if (sscanf(line, " %127[A-Z0-9_] = %d", name, &value) != 2 || strncmp(name, "VG_", 3) != 0)
            continue;
        seen++;
        if (strcmp(vg_error_name(value), name) != 0)
            fail_msg("%s = %d is named %s in the catalog", name, value, vg_error_name(value));
    }
    fclose(f);
    assert_int_equal((size_t)seen, vg_error_count());
}

static void test_unknown_code_and_language_fall_back(void **state)
{
    (void)state;
    assert_string_equal(vg_error_name(-99999), "VG_EUNKNOWN");
    assert_string_equal(vg_error_name(42), "VG_EUNKNOWN");
    assert_string_equal(vg_strerror(-99999, "en"), vg__status_unknown_text[VG__LANG_EN]);
    assert_string_equal(vg_strerror(-99999, "ko"), vg__status_unknown_text[VG__LANG_KO]);
    assert_string_equal(vg_strerror(VG_EINVAL, NULL), vg_strerror(VG_EINVAL, "en"));
    assert_string_equal(vg_strerror(VG_EINVAL, "fr"), vg_strerror(VG_EINVAL, "en"));
    assert_string_equal(vg_strerror(VG_EINVAL, ""), vg_strerror(VG_EINVAL, "en"));
}

static void test_language_tags_are_parsed_like_bcp47(void **state)
{
    static const struct {
        const char *tag;
        int lang;
    } cases[] = {
        {"en", VG__LANG_EN},      {"EN-us", VG__LANG_EN},      {"ja_JP", VG__LANG_JA},
        {"zh-TW", VG__LANG_ZH_TW}, {"zh_tw", VG__LANG_ZH_TW},  {"zh-Hant-TW", VG__LANG_ZH_TW},
        {"zh-HK", VG__LANG_ZH_TW}, {"zh", VG__LANG_ZH_TW},     {"ko-KR", VG__LANG_KO},
        {"es-419", VG__LANG_ES},  {"es", VG__LANG_ES},         {"zh-CN", -1},
        {"zh-Hans", -1},          {"fr", -1},                  {"eng", -1},
        {"", -1},                 {"e", -1},                   {"jap", -1},
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (vg__lang_parse(cases[i].tag) != cases[i].lang)
            fail_msg("\"%s\" parsed as %d, expected %d", cases[i].tag,
                     vg__lang_parse(cases[i].tag), cases[i].lang);
    assert_int_equal(vg__lang_parse(NULL), -1);
    assert_string_equal(vg_strerror(VG_EPAID_ONLY, "ja-JP"), vg_strerror(VG_EPAID_ONLY, "ja"));
}

static void *fail_on_other_thread(void *arg)
{
    (void)arg;
    vg__fail(NULL, VG_ENOTFOUND, "other thread");
    return NULL;
}

static void test_last_error_is_per_thread(void **state)
{
    pthread_t t;
    (void)state;
    vg_error_clear();
    assert_int_equal(vg_error_last_code(), VG_OK);
    assert_string_equal(vg_error_last(), "");
    vg__fail(NULL, VG_EINVAL, "mine %d", 7);
    pthread_create(&t, NULL, fail_on_other_thread, NULL);
    pthread_join(t, NULL);
    assert_int_equal(vg_error_last_code(), VG_EINVAL);
    assert_string_equal(vg_error_last(), "mine 7");
    vg_error_clear();
    assert_string_equal(vg_error_last(), "");
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_code_has_text_in_every_language),
        cmocka_unit_test(test_codes_and_names_are_unique_and_well_formed),
        cmocka_unit_test(test_catalog_matches_the_public_header),
        cmocka_unit_test(test_unknown_code_and_language_fall_back),
        cmocka_unit_test(test_language_tags_are_parsed_like_bcp47),
        cmocka_unit_test(test_last_error_is_per_thread),
    };
    if (argc < 2) {
        fprintf(stderr, "usage: %s PATH/TO/errors.h\n", argv[0]);
        return 2;
    }
    errors_header = argv[1];
    return cmocka_run_group_tests(tests, NULL, NULL);
}
