/* SPDX-License-Identifier: MIT */
/* The text side of the similarity cache: prompt normalisation, the second gate and the local
 * embedder, in en, ja, zh-TW, ko and es. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <vidgo/vidgo.h>

#include "cache/cache_internal.h"

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))
#define DIM 768

/* --- normalisation ------------------------------------------------------------------------ */

static void test_normalize_table_across_languages(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        /* full-width Latin and digits */
        {"ＡＢＣ１２３", "abc123"},
        {"Ｈｅｌｌｏ　Ｗｏｒｌｄ", "hello world"},
        /* ja: half-width katakana, with a voiced mark composed */
        {"ｶﾀｶﾅ", "カタカナ"},
        {"ﾀﾞﾝｽ", "ダンス"},
        /* ja/zh compatibility characters */
        {"㍻", "平成"},
        {"①②", "12"},
        {"㌔", "キロ"},
        {"㎝", "cm"},
        /* ko: conjoining jamo composed into a syllable */
        {"\xe1\x84\x92\xe1\x85\xa1\xe1\x86\xab", "한"},
        {"빨간  스포츠카", "빨간 스포츠카"},
        /* zh-TW keeps traditional characters; the ideographic space collapses */
        {"紅色　跑車", "紅色 跑車"},
        /* accents kept, composed */
        {"e\xcc\x81", "\xc3\xa9"},
        {"¿Dónde ESTÁ el NIÑO?", "¿dónde está el niño?"},
        {"Cafe\xcc\x81 CON LECHE", "caf\xc3\xa9 con leche"},
        /* full case folding */
        {"Straße", "strasse"},
        {"ﬁne", "fine"},
        /* Turkish: utf8proc folds İ (U+0130) to i + combining dot above, I to i, keeps ı */
        {"İstanbul", "i\xcc\x87stanbul"},
        {"ISTANBUL", "istanbul"},
        {"ılık", "ılık"},
        /* white space: runs of any kind collapse to one space, ends trimmed */
        {"  red \t car\n\nat   night \r\n", "red car at night"},
        {"a\xc2\xa0" "b", "a b"},
        {"\xe3\x80\x80" "赤い車\xe3\x80\x80\xe3\x80\x80夜\xe3\x80\x80", "赤い車 夜"},
        {"a\xe2\x80\xa8" "b\xc2\x85" "c\xe1\x9a\x80" "d\xe2\x80\x83" "e", "a b c d e"},
        {"x", "x"},
    };
    size_t i;
    (void)state;
    for (i = 0; i < COUNT_OF(cases); i++) {
        char out[VG_PROMPT_MAX_BYTES + 1];
        size_t len = 0;
        int rc = vg__prompt_normalize(out, sizeof out, &len, cases[i].in);
        if (rc != VG_OK)
            fail_msg("\"%s\": %s", cases[i].in, vg_error_name(rc));
        if (strcmp(out, cases[i].out) != 0)
            fail_msg("\"%s\" -> \"%s\", expected \"%s\"", cases[i].in, out, cases[i].out);
        assert_int_equal(len, strlen(cases[i].out));
    }
}

static void test_normalize_refuses_invalid_utf8(void **state)
{
    static const char *const bad[] = {
        "\xc0\xaf",             /* overlong '/' */
        "\xe0\x80\xaf",         /* overlong, three bytes */
        "\xf0\x80\x80\xaf",     /* overlong, four bytes */
        "\xed\xa0\x80",         /* high surrogate U+D800 */
        "\xed\xbf\xbf",         /* low surrogate U+DFFF */
        "abc\xe3\x81",          /* truncated at the end */
        "\xe3\x81 abc",         /* truncated in the middle */
        "\xff",                 /* never in UTF-8 */
        "ok \xfe",
        "\x80",                 /* a lone continuation byte */
        "\xf4\x90\x80\x80",     /* above U+10FFFF */
    };
    size_t i;
    (void)state;
    for (i = 0; i < COUNT_OF(bad); i++) {
        char out[64] = "untouched";
        size_t len = 99;
        int rc = vg__prompt_normalize(out, sizeof out, &len, bad[i]);
        if (rc != VG_EUTF8)
            fail_msg("case %zu: %s, expected VG_EUTF8", i, vg_error_name(rc));
        assert_int_equal(vg_error_last_code(), VG_EUTF8);
        assert_string_equal(out, "");
    }
}

static void test_normalize_blank_prompt_is_empty(void **state)
{
    static const char *const blank[] = {"", " ", "\t\n\r ", "\xe3\x80\x80\xc2\xa0",
                                        "\xe2\x80\xa8 \xc2\x85"};
    size_t i;
    (void)state;
    for (i = 0; i < COUNT_OF(blank); i++) {
        char out[16];
        assert_int_equal(vg__prompt_normalize(out, sizeof out, NULL, blank[i]), VG_EPROMPT_EMPTY);
        assert_int_equal(vg_error_last_code(), VG_EPROMPT_EMPTY);
    }
}

static void test_normalize_limits_input_and_result_length(void **state)
{
    char *in = malloc(3 * VG_PROMPT_MAX_BYTES + 1);
    char out[VG_PROMPT_MAX_BYTES + 1];
    size_t len = 0, i;
    (void)state;
    assert_non_null(in);

    /* exactly the limit is fine, one byte more is not */
    memset(in, 'a', VG_PROMPT_MAX_BYTES);
    in[VG_PROMPT_MAX_BYTES] = '\0';
    assert_int_equal(vg__prompt_normalize(out, sizeof out, &len, in), VG_OK);
    assert_int_equal(len, VG_PROMPT_MAX_BYTES);
    memset(in, 'a', VG_PROMPT_MAX_BYTES + 1);
    in[VG_PROMPT_MAX_BYTES + 1] = '\0';
    assert_int_equal(vg__prompt_normalize(out, sizeof out, &len, in), VG_EPROMPT_TOO_LONG);
    assert_int_equal(vg_error_last_code(), VG_EPROMPT_TOO_LONG);

    /* white space that collapses does not count against the limit after normalisation */
    for (i = 0; i < VG_PROMPT_MAX_BYTES / 2; i++)
        memcpy(in + 2 * i, "a ", 2);
    in[VG_PROMPT_MAX_BYTES - 1] = '\0';
    assert_int_equal(vg__prompt_normalize(out, sizeof out, &len, in), VG_OK);

    /* a short input that NFKC expands past the limit: ㌀ (3 bytes) -> アパート (12 bytes) */
    for (i = 0; i < 600; i++)
        memcpy(in + 3 * i, "\xe3\x8c\x80", 3);
    in[1800] = '\0';
    assert_int_equal(vg__prompt_normalize(out, sizeof out, &len, in), VG_EPROMPT_TOO_LONG);
    free(in);
}

static void test_normalize_small_buffer_reports_needed_length(void **state)
{
    char out[8];
    size_t len = 0;
    (void)state;
    /* "ＡＢＣ　ｄｅｆ" needs 7 bytes and a terminator */
    assert_int_equal(vg__prompt_normalize(out, 7, &len, "ＡＢＣ　ｄｅｆ"), VG_EBUFSIZE);
    assert_int_equal(len, 7);
    assert_string_equal(out, "");
    assert_int_equal(vg_error_last_code(), VG_EBUFSIZE);
    assert_int_equal(vg__prompt_normalize(out, 8, &len, "ＡＢＣ　ｄｅｆ"), VG_OK);
    assert_string_equal(out, "abc def");
    assert_int_equal(len, 7);
    /* a zero-size buffer still learns the size */
    assert_int_equal(vg__prompt_normalize(out, 0, &len, "한국어"), VG_EBUFSIZE);
    assert_int_equal(len, strlen("한국어"));
}

static void test_normalize_rejects_null_arguments(void **state)
{
    char out[8];
    (void)state;
    assert_int_equal(vg__prompt_normalize(NULL, 8, NULL, "x"), VG_EINVAL);
    assert_int_equal(vg__prompt_normalize(out, sizeof out, NULL, NULL), VG_EINVAL);
    assert_int_equal(vg_error_last_code(), VG_EINVAL);
}

static void test_public_normalize_is_the_internal_one(void **state)
{
    char a[64], b[64];
    size_t la = 0, lb = 0;
    (void)state;
    assert_int_equal(vg_prompt_normalize(a, sizeof a, &la, "  Ｒｅｄ　ＣＡＲ "), VG_OK);
    assert_int_equal(vg__prompt_normalize(b, sizeof b, &lb, "  Ｒｅｄ　ＣＡＲ "), VG_OK);
    assert_string_equal(a, "red car");
    assert_string_equal(a, b);
    assert_int_equal(la, lb);
    assert_int_equal(vg_prompt_normalize(a, sizeof a, NULL, "\xff"), VG_EUTF8);
    assert_int_equal(vg_prompt_normalize(a, 2, &la, "abc"), VG_EBUFSIZE);
    assert_int_equal(la, 3);
}

/* --- the second gate ----------------------------------------------------------------------- */

typedef struct gate_case {
    const char *a, *b;
    const char *reason; /* NULL: they agree */
} gate_case;

/* Normalises both prompts, as the cache does, and runs the gate. */
static void check_gate(const gate_case *cases, size_t count)
{
    size_t i;
    for (i = 0; i < count; i++) {
        char a[VG_PROMPT_MAX_BYTES + 1], b[VG_PROMPT_MAX_BYTES + 1];
        const char *reason = "unset", *reason_back = "unset";
        int agree, agree_back;
        assert_int_equal(vg__prompt_normalize(a, sizeof a, NULL, cases[i].a), VG_OK);
        assert_int_equal(vg__prompt_normalize(b, sizeof b, NULL, cases[i].b), VG_OK);
        agree = vg__gate_agree(a, b, &reason);
        agree_back = vg__gate_agree(b, a, &reason_back);
        if (agree != (cases[i].reason == NULL))
            fail_msg("\"%s\" vs \"%s\": %s, expected %s", cases[i].a, cases[i].b,
                     agree ? "agree" : reason, cases[i].reason ? cases[i].reason : "agree");
        if (agree != agree_back)
            fail_msg("\"%s\" vs \"%s\": not symmetric", cases[i].a, cases[i].b);
        if (cases[i].reason) {
            if (!reason || strcmp(reason, cases[i].reason) != 0)
                fail_msg("\"%s\" vs \"%s\": reason %s, expected %s", cases[i].a, cases[i].b,
                         reason ? reason : "NULL", cases[i].reason);
        } else if (reason != NULL) {
            fail_msg("\"%s\" vs \"%s\": agreed with reason %s", cases[i].a, cases[i].b, reason);
        }
    }
}

static void test_gate_disagrees_when_only_negation_differs(void **state)
{
    static const gate_case cases[] = {
        {"a red sports car with sound", "a red sports car without sound", "negation"},
        {"a cat on a sofa", "not a cat on a sofa", "negation"},
        {"people dancing, music", "people dancing, no music", "negation"},
        {"a logo on the wall", "a logo-free wall", "negation"},
        {"show the subtitles", "don't show the subtitles", "negation"},
        {"a soundless film", "a film with sound", "negation"},
        {"a cat, not a dog", "a dog, not a cat", "negation"},
        {"un coche rojo con sonido", "un coche rojo sin sonido", "negation"},
        {"un perro que ladra", "un perro que nunca ladra", "negation"},
        {"赤いスポーツカー、音あり", "赤いスポーツカー、音なし", "negation"},
        {"字幕がある動画", "字幕がない動画", "negation"},
        {"有聲音的紅色跑車", "沒有聲音的紅色跑車", "negation"},
        {"有字幕的影片", "無字幕的影片", "negation"},
        {"소리 있는 빨간 스포츠카", "소리 없는 빨간 스포츠카", "negation"},
        {"움직이는 고양이", "움직이지 않는 고양이", "negation"},
        {"안 보이는 고양이", "보이는 고양이", "negation"},
        {"a video without any text", "a video with text", "negation"},
        {"non-alcoholic drink", "alcoholic drink", "negation"},
        {"sugar-free cake", "cake with sugar", "negation"},
        {"vídeo sin ningún texto", "vídeo con texto", "negation"},
        {"文字なしの動画", "文字ありの動画", "negation"},
        {"無音の映像", "音ありの映像", "negation"},
        {"無文字的影片", "有文字的影片", "negation"},
        {"자막이 없는 영상", "자막 영상", "negation"},
    };
    (void)state;
    check_gate(cases, COUNT_OF(cases));
}

static void test_gate_disagrees_when_only_a_number_differs(void **state)
{
    static const gate_case cases[] = {
        {"a 3 s clip of waves", "a 30 s clip of waves", "number"},
        {"ocean waves, 720p", "ocean waves, 1080p", "number"},
        {"two cups of coffee", "three cups of coffee", "number"},
        {"2 cups of coffee", "three cups of coffee", "number"},
        {"a 4k video of a city", "a 1080p video of a city", "number"},
        {"a 3 second video", "a 3 minute video", "number"},
        {"1.5 s slow motion", "15 s slow motion", "number"},
        {"60fps drone shot", "30fps drone shot", "number"},
        {"zoom 2x", "zoom 3x", "number"},
        {"a dog, 3 s", "a dog", "number"},
        {"dos tazas de café", "tres tazas de café", "number"},
        {"vídeo de 5 segundos", "vídeo de 10 segundos", "number"},
        {"3秒の動画", "5秒の動画", "number"},
        {"猫が三匹", "猫が二匹", "number"},
        {"三隻貓在睡覺", "兩隻貓在睡覺", "number"},
        {"十秒的影片", "二十秒的影片", "number"},
        {"고양이 세 마리", "고양이 두 마리", "number"},
        {"3초 영상", "5초 영상", "number"},
    };
    (void)state;
    check_gate(cases, COUNT_OF(cases));
}

static void test_gate_disagrees_when_only_a_colour_differs(void **state)
{
    static const gate_case cases[] = {
        {"a red sports car at night", "a blue sports car at night", "colour"},
        {"a grey cat", "a black cat", "colour"},
        {"un coche rojo", "un coche azul", "colour"},
        {"una casa blanca", "una casa amarilla", "colour"},
        {"赤い車", "青い車", "colour"},
        {"白い猫", "黒い猫", "colour"},
        {"紅色的車", "藍色的車", "colour"},
        {"綠色的樹", "黃色的樹", "colour"},
        {"빨간 자동차", "파란 자동차", "colour"},
        {"흰 고양이", "검은 고양이", "colour"},
        {"a red and blue ball", "a red ball", "colour"},
    };
    (void)state;
    check_gate(cases, COUNT_OF(cases));
}

static void test_gate_agrees_on_paraphrases_of_the_same_facts(void **state)
{
    static const gate_case cases[] = {
        {"a 3 second video of a red shoe", "red shoe, 3 s video", NULL},
        {"a 3-second clip", "a 3 sec clip", NULL},
        {"two cups of coffee", "2 cups of coffee", NULL},
        {"a video with no text", "a video without any text", NULL},
        {"no music, no text", "without text and without music", NULL},
        {"do not show the logo", "don't show the logo", NULL},
        {"a 1080p video", "a 1080P video", NULL},
        {"4K footage at 60 fps", "60fps 4k footage", NULL},
        {"1.50 s", "1.5 seconds", NULL},
        {"1,000 balloons", "1000 balloons", NULL},
        {"a grey cat", "a gray cat", NULL},
        {"un vídeo de 3 segundos sin texto", "vídeo sin ningún texto, 3 s", NULL},
        {"tres gatos negros", "3 gatos negros", NULL},
        {"文字なしの動画", "文字無しの動画", NULL},
        {"音なしの映像", "無音の映像", NULL},
        {"三匹の白い猫", "3匹の白い猫", NULL},
        {"赤い靴の3秒の動画", "3秒、赤い靴", NULL},
        {"十分な光", "明るい光", NULL},
        {"沒有文字的影片", "無文字的影片", NULL},
        {"三隻貓", "3隻貓", NULL},
        {"非常漂亮的紅色跑車", "很漂亮的紅色跑車", NULL},
        {"자막 없는 영상", "자막이 없는 영상", NULL},
        {"고양이 세 마리", "고양이 3마리", NULL},
        {"빨간 스포츠카", "빨간색 스포츠카", NULL},
        {"the dog is not running", "the dog isn't running", NULL},
        {"50% zoom", "50 % zoom", NULL},
        {"25℃", "25 °c", NULL},
        {"十分鐘的影片", "10分鐘的影片", NULL},
        {"二十分の動画", "20分の動画", NULL},
        {"百二十秒", "120秒", NULL},
        {"赤ちゃんの写真", "写真", NULL},         /* 赤ちゃん "baby" is not red */
        {"特別な日の夕焼け", "日の夕焼け", NULL}, /* 特別 "special" is not a negation */
        {"한 잔의 커피", "커피 1잔", NULL},
        {"한국의 거리", "거리", NULL},            /* 한국 "Korea" is not one */
        {"a red car", "a red car", NULL},
        {"a red sports car at night", "red sports car driving at night", NULL},
    };
    (void)state;
    check_gate(cases, COUNT_OF(cases));
}

static void test_gate_reason_may_be_null(void **state)
{
    (void)state;
    assert_int_equal(vg__gate_agree("red", "blue", NULL), 0);
    assert_int_equal(vg__gate_agree("red", "red", NULL), 1);
    assert_int_equal(vg__gate_agree(NULL, "red", NULL), 0);
}

/* --- the local embedder -------------------------------------------------------------------- */

static double cosine(const float *a, const float *b, int dimension)
{
    double dot = 0.0;
    int i;
    for (i = 0; i < dimension; i++)
        dot += (double)a[i] * b[i];
    return dot;
}

static double norm(const float *a, int dimension)
{
    return sqrt(cosine(a, a, dimension));
}

/* Embeds a prompt after normalising it. */
static void embed(float *out, const char *prompt)
{
    char normalized[VG_PROMPT_MAX_BYTES + 1];
    assert_int_equal(vg__prompt_normalize(normalized, sizeof normalized, NULL, prompt), VG_OK);
    vg__embed_local(out, DIM, normalized);
}

static double similarity(const char *a, const char *b)
{
    float va[DIM], vb[DIM];
    embed(va, a);
    embed(vb, b);
    return cosine(va, vb, DIM);
}

static void test_embed_is_deterministic(void **state)
{
    /* "hashed-ngrams-v1" pinned: the same buckets and signs on every machine and every run.
     * "red" has 4 features ("red"; "<re", "red", "ed>"), "赤い車" 5 (3 characters, 2 pairs). */
    static const struct {
        const char *prompt;
        int buckets[5];
        float values[5];
        int count;
    } pinned[] = {
        {"red", {13, 217, 410, 739}, {-0.5f, -0.5f, 0.5f, -0.5f}, 4},
        {"赤い車", {101, 221, 387, 441, 557}, {0.4472136f, -0.4472136f, 0.4472136f, 0.4472136f,
                                              -0.4472136f}, 5},
    };
    float a[DIM], b[DIM];
    size_t p;
    int i, k;
    (void)state;
    vg__embed_local(a, DIM, "a red sports car at night");
    vg__embed_local(b, DIM, "a red sports car at night");
    assert_memory_equal(a, b, sizeof a);
    for (p = 0; p < COUNT_OF(pinned); p++) {
        vg__embed_local(a, DIM, pinned[p].prompt);
        for (i = 0, k = 0; i < DIM; i++) {
            if (a[i] == 0.0f)
                continue;
            if (k >= pinned[p].count || pinned[p].buckets[k] != i ||
                fabs(a[i] - pinned[p].values[k]) > 1e-6)
                fail_msg("\"%s\": unexpected bucket %d = %f", pinned[p].prompt, i, a[i]);
            k++;
        }
        assert_int_equal(k, pinned[p].count);
    }
}

static void test_embed_is_unit_length_or_zero(void **state)
{
    static const char *const prompts[] = {
        "a red sports car at night", "x", "赤いスポーツカー", "紅色跑車", "빨간 스포츠카",
        "un coche deportivo rojo", "3 s, 720p, 4k!", "a a a a a a a a",
    };
    float v[DIM];
    size_t i;
    int j;
    (void)state;
    for (i = 0; i < COUNT_OF(prompts); i++) {
        vg__embed_local(v, DIM, prompts[i]);
        if (fabs(norm(v, DIM) - 1.0) > 1e-6)
            fail_msg("\"%s\": norm %.9f", prompts[i], norm(v, DIM));
    }
    vg__embed_local(v, DIM, "");
    for (j = 0; j < DIM; j++)
        assert_true(v[j] == 0.0f);
    vg__embed_local(v, DIM, " ,. !? ");
    assert_true(norm(v, DIM) == 0.0);
    vg__embed_local(v, DIM, NULL);
    assert_true(norm(v, DIM) == 0.0);
}

static void test_embed_identical_prompts_have_cosine_one(void **state)
{
    (void)state;
    assert_true(fabs(similarity("a red sports car at night", "a red sports car at night") - 1.0) <
                1e-6);
    assert_true(fabs(similarity("夜の街を走る赤いスポーツカー", "夜の街を走る赤いスポーツカー") -
                     1.0) < 1e-6);
    /* normalisation makes these identical */
    assert_true(fabs(similarity("A RED　car", "a red car") - 1.0) < 1e-6);
}

/* In each language: a prompt, three small edits of it (a typo, another word order, a plural or
 * an inflection) and an unrelated prompt. Every edit must be nearer than the unrelated one. */
static void test_embed_small_edits_are_nearer_than_unrelated_prompts(void **state)
{
    static const struct {
        const char *lang, *base, *edits[3], *unrelated;
    } cases[] = {
        {"en", "a red sports car driving through the city at night",
         {"a red sprots car driving through the city at night",
          "at night a red sports car driving through the city",
          "red sports cars driving through the city at night"},
         "a bowl of ramen noodles on a wooden table"},
        {"es", "un coche deportivo rojo conduciendo por la ciudad de noche",
         {"un coche deportvo rojo conduciendo por la ciudad de noche",
          "de noche un coche deportivo rojo conduciendo por la ciudad",
          "coches deportivos rojos conduciendo por la ciudad de noche"},
         "un plato de sopa caliente sobre una mesa de madera"},
        {"ja", "夜の街を走る赤いスポーツカー",
         {"夜の町を走る赤いスポーツカー", "赤いスポーツカーが夜の街を走る",
          "夜の街を走る赤いスポーツカーたち"},
         "木のテーブルの上のラーメン"},
        {"zh-TW", "夜晚在城市中行駛的紅色跑車",
         {"夜晚在城市裡行駛的紅色跑車", "紅色跑車在夜晚的城市中行駛",
          "夜晚在城市中行駛的紅色跑車們"},
         "木桌上的一碗熱湯麵"},
        {"ko", "밤에 도시를 달리는 빨간 스포츠카",
         {"밤에 도시를 달리는 빨강 스포츠카", "빨간 스포츠카가 밤에 도시를 달리는",
          "밤에 도시를 달리는 빨간 스포츠카들"},
         "나무 테이블 위의 라면 한 그릇"},
    };
    size_t i, j;
    (void)state;
    for (i = 0; i < COUNT_OF(cases); i++) {
        double far = similarity(cases[i].base, cases[i].unrelated);
        for (j = 0; j < 3; j++) {
            double near = similarity(cases[i].base, cases[i].edits[j]);
            if (!(near > far))
                fail_msg("%s: \"%s\" at %.3f, unrelated at %.3f", cases[i].lang,
                         cases[i].edits[j], near, far);
            assert_true(near < 1.0 + 1e-6);
        }
    }
}

static void test_embedder_local_fills_the_descriptor(void **state)
{
    vg_embedder e;
    (void)state;
    assert_int_equal(vg_embedder_local(&e, 0), VG_OK);
    assert_int_equal(e.version, VG_EMBEDDER_VERSION);
    assert_string_equal(e.name, "local");
    assert_string_equal(e.model, "hashed-ngrams-v1");
    assert_int_equal(e.dimension, 768);
    assert_int_equal(e.max_batch, 64);
    assert_non_null(e.embed);
    assert_int_equal(vg_embedder_local(&e, 1), VG_OK);
    assert_int_equal(e.dimension, 1);
    assert_int_equal(vg_embedder_local(&e, 4096), VG_OK);
    assert_int_equal(e.dimension, 4096);
}

static void test_embedder_local_rejects_bad_dimensions(void **state)
{
    vg_embedder e;
    (void)state;
    assert_int_equal(vg_embedder_local(&e, -1), VG_EINVAL);
    assert_int_equal(vg_embedder_local(&e, 4097), VG_EINVAL);
    assert_int_equal(vg_error_last_code(), VG_EINVAL);
    assert_int_equal(vg_embedder_local(NULL, 768), VG_EINVAL);
}

static void test_embedder_local_embeds_a_batch_like_embed_local(void **state)
{
    static const char *const prompts[] = {"a red car", "赤い車", "", "빨간 자동차"};
    const int dims[] = {1, 7, 768, 4096};
    size_t d, i;
    (void)state;
    for (d = 0; d < COUNT_OF(dims); d++) {
        vg_embedder e;
        float *batch = malloc(COUNT_OF(prompts) * (size_t)dims[d] * sizeof *batch);
        float *one = malloc((size_t)dims[d] * sizeof *one);
        char errbuf[128] = "";
        assert_non_null(batch);
        assert_non_null(one);
        assert_int_equal(vg_embedder_local(&e, dims[d]), VG_OK);
        assert_int_equal(e.embed(batch, prompts, COUNT_OF(prompts), errbuf, sizeof errbuf,
                                 e.payload),
                         0);
        for (i = 0; i < COUNT_OF(prompts); i++) {
            vg__embed_local(one, dims[d], prompts[i]);
            assert_memory_equal(batch + i * (size_t)dims[d], one, (size_t)dims[d] * sizeof *one);
        }
        /* a NULL prompt is an error with a reason */
        {
            const char *const with_null[] = {"a", NULL};
            assert_int_not_equal(e.embed(batch, with_null, 2, errbuf, sizeof errbuf, e.payload),
                                 0);
            assert_true(errbuf[0] != '\0');
        }
        free(batch);
        free(one);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_table_across_languages),
        cmocka_unit_test(test_normalize_refuses_invalid_utf8),
        cmocka_unit_test(test_normalize_blank_prompt_is_empty),
        cmocka_unit_test(test_normalize_limits_input_and_result_length),
        cmocka_unit_test(test_normalize_small_buffer_reports_needed_length),
        cmocka_unit_test(test_normalize_rejects_null_arguments),
        cmocka_unit_test(test_public_normalize_is_the_internal_one),
        cmocka_unit_test(test_gate_disagrees_when_only_negation_differs),
        cmocka_unit_test(test_gate_disagrees_when_only_a_number_differs),
        cmocka_unit_test(test_gate_disagrees_when_only_a_colour_differs),
        cmocka_unit_test(test_gate_agrees_on_paraphrases_of_the_same_facts),
        cmocka_unit_test(test_gate_reason_may_be_null),
        cmocka_unit_test(test_embed_is_deterministic),
        cmocka_unit_test(test_embed_is_unit_length_or_zero),
        cmocka_unit_test(test_embed_identical_prompts_have_cosine_one),
        cmocka_unit_test(test_embed_small_edits_are_nearer_than_unrelated_prompts),
        cmocka_unit_test(test_embedder_local_fills_the_descriptor),
        cmocka_unit_test(test_embedder_local_rejects_bad_dimensions),
        cmocka_unit_test(test_embedder_local_embeds_a_batch_like_embed_local),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
