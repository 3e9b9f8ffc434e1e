/* SPDX-License-Identifier: MIT */
/* The second gate: two similar prompts must agree on negation, numbers and colours. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache_internal.h"
#include "text.h"

/*
 * A cosine over n-grams or a dense embedding barely moves between "with sound" and
 * "without sound", "3 s" and "30 s", "red" and "blue". After the cosine, the gate extracts
 * from each normalised prompt
 *   - the SET of negated things: for each negation cue, the word (space-separated scripts)
 *     or the one character (CJK, Hangul) it applies to, so "no text" == "without any text"
 *     and 音なし == 無音, but "with sound" != "without sound";
 *   - the MULTISET of numbers with their unit ("3 seconds" == "3 s" == 三秒 == 3초, "two
 *     cups" == "2 cups"; a number with no known unit has the unit "count");
 *   - the SET of colours ("red" == rojo == 赤 == 紅 == 빨간);
 * and the prompts agree when all three are equal.
 *
 * Known limits (each errs towards "disagree", which costs a cache miss, not a wrong hit,
 * except where noted):
 *   - Negation scope is one word or one character: "no text or logo" != "no text, no logo";
 *     音声なし (target 声) != 音なし (target 音); a double negation is two cues.
 *   - Cues that are also parts of ordinary words are limited to the forms listed (bare ず
 *     and ぬ are not cues: いぬ is "dog"; Korean 무 only in 무음, 무색, 무자막), and a list
 *     of compounds is not negation (非常 "very", 少ない "few", 特別 "special"...). A
 *     compound missing from that list reads as a negation: a miss, never a wrong hit.
 *     Korean 안 alone is read as "not", though it also means "inside" (상자 안).
 *   - Japanese verb negation ない keys on the kana before it (見えない -> え), so two
 *     different verbs with the same ending agree (a possible wrong hit, rare in prompts).
 *   - Numbers: ',' between digits is a thousands separator before exactly three digits, a
 *     decimal comma otherwise; "1.500" (Spanish thousands) reads as 1.5. Number words:
 *     zero..ten (en), cero..diez (es; "un", "una" are articles, not numbers), Han numerals
 *     before a counter or unit (三匹, 十秒, 二十分; 十分 "enough" is not ten minutes), and
 *     Korean native numerals (하나, 둘, 셋, 넷 alone; 한, 두, 세, 네, 열 before a counter).
 *   - Colours are the thirteen basic ones; shades ("navy", "crimson", 水色) are not seen
 *     (navy vs crimson can pass: a possible wrong hit), and an orange (the fruit) is the
 *     colour orange.
 *   - More than GATE_MAX_ITEMS numbers or negations in a prompt, or a prompt longer than
 *     VG_PROMPT_MAX_BYTES: the prompts agree only if they are identical.
 */

#define GATE_MAX_ITEMS 64
#define GATE_KEY_SIZE 32
#define GATE_VALUE_SIZE 24

/* --- tables ----------------------------------------------------------------------------- */

/* A word of a space-separated script, matched whole. */
typedef struct word_entry {
    const char *text;
    int value;
} word_entry;

/* A span of CJK or Hangul text, matched by substring (longest first at each position). */
typedef struct span_entry {
    const char *text;
    int value;
    unsigned flags;
    const char *key; /* negation: the thing negated, when the span names it */
} span_entry;

#define SPAN_WORD_START 1u   /* the character before is not CJK or Hangul */
#define SPAN_WORD_END 2u     /* the character after is not CJK or Hangul */
#define SPAN_WHOLE (SPAN_WORD_START | SPAN_WORD_END)
#define SPAN_NEEDS_UNIT 4u   /* a numeral that counts only before a counter or unit */

enum unit {
    UNIT_COUNT = 0, /* no unit, or a counter (三匹, 두 마리) */
    UNIT_SECOND, UNIT_MILLISECOND, UNIT_MINUTE, UNIT_HOUR, UNIT_OCLOCK, UNIT_P, UNIT_K,
    UNIT_FPS, UNIT_FRAME, UNIT_PERCENT, UNIT_TIMES, UNIT_DEGREE, UNIT_CELSIUS,
    UNIT_FAHRENHEIT, UNIT_MM, UNIT_CM, UNIT_M, UNIT_KM, UNIT_PX
};

/* Units after a number in a space-separated script: glued ("720p", "3s", "50%") or the
 * next word ("3 seconds", "3-second"). */
static const word_entry latin_units[] = {
    {"s", UNIT_SECOND}, {"sec", UNIT_SECOND}, {"secs", UNIT_SECOND},
    {"second", UNIT_SECOND}, {"seconds", UNIT_SECOND}, {"seg", UNIT_SECOND},
    {"segs", UNIT_SECOND}, {"segundo", UNIT_SECOND}, {"segundos", UNIT_SECOND},
    {"ms", UNIT_MILLISECOND}, {"millisecond", UNIT_MILLISECOND},
    {"milliseconds", UNIT_MILLISECOND}, {"milisegundo", UNIT_MILLISECOND},
    {"milisegundos", UNIT_MILLISECOND},
    {"min", UNIT_MINUTE}, {"mins", UNIT_MINUTE}, {"minute", UNIT_MINUTE},
    {"minutes", UNIT_MINUTE}, {"minuto", UNIT_MINUTE}, {"minutos", UNIT_MINUTE},
    {"h", UNIT_HOUR}, {"hr", UNIT_HOUR}, {"hrs", UNIT_HOUR}, {"hour", UNIT_HOUR},
    {"hours", UNIT_HOUR}, {"hora", UNIT_HOUR}, {"horas", UNIT_HOUR},
    {"o'clock", UNIT_OCLOCK},
    {"p", UNIT_P}, {"k", UNIT_K}, {"fps", UNIT_FPS},
    {"frame", UNIT_FRAME}, {"frames", UNIT_FRAME}, {"fotograma", UNIT_FRAME},
    {"fotogramas", UNIT_FRAME},
    {"%", UNIT_PERCENT}, {"percent", UNIT_PERCENT}, {"pct", UNIT_PERCENT},
    {"x", UNIT_TIMES}, {"\xc3\x97", UNIT_TIMES}, /* × */
    {"\xc2\xb0", UNIT_DEGREE}, {"deg", UNIT_DEGREE}, {"degree", UNIT_DEGREE},
    {"degrees", UNIT_DEGREE}, {"grado", UNIT_DEGREE}, {"grados", UNIT_DEGREE},
    {"\xc2\xb0" "c", UNIT_CELSIUS}, {"\xc2\xb0" "f", UNIT_FAHRENHEIT}, /* ℃ ℉ after NFKC */
    {"mm", UNIT_MM}, {"cm", UNIT_CM}, {"m", UNIT_M}, {"meter", UNIT_M}, {"meters", UNIT_M},
    {"metre", UNIT_M}, {"metres", UNIT_M}, {"metro", UNIT_M}, {"metros", UNIT_M},
    {"km", UNIT_KM}, {"px", UNIT_PX}, {"pixel", UNIT_PX}, {"pixels", UNIT_PX},
    {"p\xc3\xadxel", UNIT_PX}, {"p\xc3\xadxeles", UNIT_PX},
};

/* Units and counters after a number in CJK or Hangul text (prefix match: 3秒の, 3초짜리). */
static const span_entry cjk_units[] = {
    {"秒", UNIT_SECOND, 0, NULL}, {"초", UNIT_SECOND, 0, NULL},
    {"毫秒", UNIT_MILLISECOND, 0, NULL}, {"밀리초", UNIT_MILLISECOND, 0, NULL},
    {"分鐘", UNIT_MINUTE, 0, NULL}, {"分钟", UNIT_MINUTE, 0, NULL},
    {"分間", UNIT_MINUTE, 0, NULL}, {"分", UNIT_MINUTE, 0, NULL}, {"분", UNIT_MINUTE, 0, NULL},
    {"時間", UNIT_HOUR, 0, NULL}, {"小時", UNIT_HOUR, 0, NULL}, {"小时", UNIT_HOUR, 0, NULL},
    {"시간", UNIT_HOUR, 0, NULL},
    {"時", UNIT_OCLOCK, 0, NULL}, {"时", UNIT_OCLOCK, 0, NULL}, {"點", UNIT_OCLOCK, 0, NULL},
    {"点", UNIT_OCLOCK, 0, NULL}, {"시", UNIT_OCLOCK, 0, NULL},
    {"幀", UNIT_FRAME, 0, NULL}, {"帧", UNIT_FRAME, 0, NULL}, {"フレーム", UNIT_FRAME, 0, NULL},
    {"프레임", UNIT_FRAME, 0, NULL},
    {"パーセント", UNIT_PERCENT, 0, NULL}, {"퍼센트", UNIT_PERCENT, 0, NULL},
    {"倍", UNIT_TIMES, 0, NULL}, {"배", UNIT_TIMES, 0, NULL},
    {"度", UNIT_DEGREE, 0, NULL}, {"도", UNIT_DEGREE, 0, NULL},
    {"ミリ", UNIT_MM, 0, NULL}, {"毫米", UNIT_MM, 0, NULL}, {"밀리", UNIT_MM, 0, NULL},
    {"センチ", UNIT_CM, 0, NULL}, {"公分", UNIT_CM, 0, NULL}, {"厘米", UNIT_CM, 0, NULL},
    {"센티", UNIT_CM, 0, NULL},
    {"メートル", UNIT_M, 0, NULL}, {"公尺", UNIT_M, 0, NULL}, {"미터", UNIT_M, 0, NULL},
    {"ピクセル", UNIT_PX, 0, NULL}, {"像素", UNIT_PX, 0, NULL}, {"픽셀", UNIT_PX, 0, NULL},
    /* counters: the number counts things */
    {"つ", UNIT_COUNT, 0, NULL}, {"個", UNIT_COUNT, 0, NULL}, {"个", UNIT_COUNT, 0, NULL},
    {"匹", UNIT_COUNT, 0, NULL}, {"隻", UNIT_COUNT, 0, NULL}, {"只", UNIT_COUNT, 0, NULL},
    {"枚", UNIT_COUNT, 0, NULL}, {"本", UNIT_COUNT, 0, NULL}, {"杯", UNIT_COUNT, 0, NULL},
    {"台", UNIT_COUNT, 0, NULL}, {"人", UNIT_COUNT, 0, NULL}, {"頭", UNIT_COUNT, 0, NULL},
    {"羽", UNIT_COUNT, 0, NULL}, {"件", UNIT_COUNT, 0, NULL}, {"張", UNIT_COUNT, 0, NULL},
    {"张", UNIT_COUNT, 0, NULL}, {"輛", UNIT_COUNT, 0, NULL}, {"辆", UNIT_COUNT, 0, NULL},
    {"次", UNIT_COUNT, 0, NULL}, {"回", UNIT_COUNT, 0, NULL}, {"名", UNIT_COUNT, 0, NULL},
    {"개", UNIT_COUNT, 0, NULL}, {"마리", UNIT_COUNT, 0, NULL}, {"잔", UNIT_COUNT, 0, NULL},
    {"명", UNIT_COUNT, 0, NULL}, {"대", UNIT_COUNT, 0, NULL}, {"권", UNIT_COUNT, 0, NULL},
    {"장", UNIT_COUNT, 0, NULL}, {"병", UNIT_COUNT, 0, NULL}, {"살", UNIT_COUNT, 0, NULL},
    {"번", UNIT_COUNT, 0, NULL}, {"채", UNIT_COUNT, 0, NULL}, {"송이", UNIT_COUNT, 0, NULL},
    {"그릇", UNIT_COUNT, 0, NULL}, {"가지", UNIT_COUNT, 0, NULL},
};

/* Number words of space-separated scripts. */
static const word_entry latin_numbers[] = {
    {"zero", 0}, {"one", 1}, {"two", 2}, {"three", 3}, {"four", 4}, {"five", 5},
    {"six", 6}, {"seven", 7}, {"eight", 8}, {"nine", 9}, {"ten", 10},
    {"cero", 0}, {"uno", 1}, {"dos", 2}, {"tres", 3}, {"cuatro", 4}, {"cinco", 5},
    {"seis", 6}, {"siete", 7}, {"ocho", 8}, {"nueve", 9}, {"diez", 10},
};

/* Han numerals; value -1 marks a multiplier (十 10, 百 100 as -100). */
static const span_entry han_numerals[] = {
    {"〇", 0, 0, NULL}, {"零", 0, 0, NULL}, {"一", 1, 0, NULL}, {"二", 2, 0, NULL},
    {"兩", 2, 0, NULL}, {"两", 2, 0, NULL}, {"三", 3, 0, NULL}, {"四", 4, 0, NULL},
    {"五", 5, 0, NULL}, {"六", 6, 0, NULL}, {"七", 7, 0, NULL}, {"八", 8, 0, NULL},
    {"九", 9, 0, NULL}, {"十", -10, 0, NULL}, {"百", -100, 0, NULL},
};

/* Han numerals followed by a unit that are not numbers (十分 "enough"), unless the unit
 * goes on as listed in `key` (十分鐘 is ten minutes). */
static const span_entry han_not_numbers[] = {
    {"十分", 0, 0, "鐘钟間"},
};

/* Korean native numerals, at the start of a Hangul word; value -1: not a numeral. */
static const span_entry hangul_numbers[] = {
    {"하나", 1, 0, NULL}, {"둘", 2, 0, NULL}, {"셋", 3, 0, NULL}, {"넷", 4, 0, NULL},
    {"다섯", 5, 0, NULL}, {"여섯", 6, 0, NULL}, {"일곱", 7, 0, NULL}, {"여덟", 8, 0, NULL},
    {"아홉", 9, 0, NULL}, {"스물", 20, 0, NULL},
    {"한", 1, SPAN_NEEDS_UNIT, NULL}, {"두", 2, SPAN_NEEDS_UNIT, NULL},
    {"세", 3, SPAN_NEEDS_UNIT, NULL}, {"네", 4, SPAN_NEEDS_UNIT, NULL},
    {"열", 10, SPAN_NEEDS_UNIT, NULL}, {"스무", 20, SPAN_NEEDS_UNIT, NULL},
    {"세대", -1, 0, NULL}, {"열대", -1, 0, NULL}, /* generation, tropical */
};

enum colour {
    COLOUR_NONE = 0, COLOUR_RED, COLOUR_BLUE, COLOUR_GREEN, COLOUR_YELLOW, COLOUR_BLACK,
    COLOUR_WHITE, COLOUR_PINK, COLOUR_PURPLE, COLOUR_ORANGE, COLOUR_BROWN, COLOUR_GRAY,
    COLOUR_GOLD, COLOUR_SILVER
};

static const word_entry latin_colours[] = {
    {"red", COLOUR_RED}, {"blue", COLOUR_BLUE}, {"green", COLOUR_GREEN},
    {"yellow", COLOUR_YELLOW}, {"black", COLOUR_BLACK}, {"white", COLOUR_WHITE},
    {"pink", COLOUR_PINK}, {"purple", COLOUR_PURPLE}, {"violet", COLOUR_PURPLE},
    {"orange", COLOUR_ORANGE}, {"brown", COLOUR_BROWN}, {"gray", COLOUR_GRAY},
    {"grey", COLOUR_GRAY}, {"gold", COLOUR_GOLD}, {"golden", COLOUR_GOLD},
    {"silver", COLOUR_SILVER},
    {"rojo", COLOUR_RED}, {"roja", COLOUR_RED}, {"rojos", COLOUR_RED}, {"rojas", COLOUR_RED},
    {"azul", COLOUR_BLUE}, {"azules", COLOUR_BLUE}, {"verde", COLOUR_GREEN},
    {"verdes", COLOUR_GREEN}, {"amarillo", COLOUR_YELLOW}, {"amarilla", COLOUR_YELLOW},
    {"amarillos", COLOUR_YELLOW}, {"amarillas", COLOUR_YELLOW}, {"negro", COLOUR_BLACK},
    {"negra", COLOUR_BLACK}, {"negros", COLOUR_BLACK}, {"negras", COLOUR_BLACK},
    {"blanco", COLOUR_WHITE}, {"blanca", COLOUR_WHITE}, {"blancos", COLOUR_WHITE},
    {"blancas", COLOUR_WHITE}, {"rosa", COLOUR_PINK}, {"rosas", COLOUR_PINK},
    {"rosado", COLOUR_PINK}, {"rosada", COLOUR_PINK}, {"rosados", COLOUR_PINK},
    {"rosadas", COLOUR_PINK}, {"morado", COLOUR_PURPLE}, {"morada", COLOUR_PURPLE},
    {"morados", COLOUR_PURPLE}, {"moradas", COLOUR_PURPLE}, {"p\xc3\xbarpura", COLOUR_PURPLE},
    {"violeta", COLOUR_PURPLE}, {"naranja", COLOUR_ORANGE}, {"naranjas", COLOUR_ORANGE},
    {"anaranjado", COLOUR_ORANGE}, {"anaranjada", COLOUR_ORANGE},
    {"marr\xc3\xb3n", COLOUR_BROWN}, {"marrones", COLOUR_BROWN}, {"gris", COLOUR_GRAY},
    {"grises", COLOUR_GRAY}, {"dorado", COLOUR_GOLD}, {"dorada", COLOUR_GOLD},
    {"dorados", COLOUR_GOLD}, {"doradas", COLOUR_GOLD}, {"oro", COLOUR_GOLD},
    {"plateado", COLOUR_SILVER}, {"plateada", COLOUR_SILVER}, {"plateados", COLOUR_SILVER},
    {"plateadas", COLOUR_SILVER}, {"plata", COLOUR_SILVER},
};

/* Colours in ja, zh-TW (and zh-CN forms) and ko; COLOUR_NONE: a word that contains a
 * colour character without being a colour (赤ちゃん "baby", 面白い "interesting"). */
static const span_entry cjk_colours[] = {
    {"赤", COLOUR_RED, 0, NULL}, {"紅", COLOUR_RED, 0, NULL}, {"红", COLOUR_RED, 0, NULL},
    {"レッド", COLOUR_RED, 0, NULL}, {"빨간", COLOUR_RED, 0, NULL},
    {"빨강", COLOUR_RED, 0, NULL}, {"빨갛", COLOUR_RED, 0, NULL}, {"붉은", COLOUR_RED, 0, NULL},
    {"青", COLOUR_BLUE, 0, NULL}, {"藍", COLOUR_BLUE, 0, NULL}, {"蓝", COLOUR_BLUE, 0, NULL},
    {"ブルー", COLOUR_BLUE, 0, NULL}, {"파란", COLOUR_BLUE, 0, NULL},
    {"파랑", COLOUR_BLUE, 0, NULL}, {"파랗", COLOUR_BLUE, 0, NULL}, {"푸른", COLOUR_BLUE, 0, NULL},
    {"緑", COLOUR_GREEN, 0, NULL}, {"綠", COLOUR_GREEN, 0, NULL}, {"绿", COLOUR_GREEN, 0, NULL},
    {"グリーン", COLOUR_GREEN, 0, NULL}, {"초록", COLOUR_GREEN, 0, NULL},
    {"녹색", COLOUR_GREEN, 0, NULL},
    {"黄", COLOUR_YELLOW, 0, NULL}, {"黃", COLOUR_YELLOW, 0, NULL},
    {"イエロー", COLOUR_YELLOW, 0, NULL}, {"노란", COLOUR_YELLOW, 0, NULL},
    {"노랑", COLOUR_YELLOW, 0, NULL}, {"노랗", COLOUR_YELLOW, 0, NULL},
    {"黒", COLOUR_BLACK, 0, NULL}, {"黑", COLOUR_BLACK, 0, NULL},
    {"ブラック", COLOUR_BLACK, 0, NULL}, {"검은", COLOUR_BLACK, 0, NULL},
    {"검정", COLOUR_BLACK, 0, NULL}, {"까만", COLOUR_BLACK, 0, NULL},
    {"까맣", COLOUR_BLACK, 0, NULL},
    {"白", COLOUR_WHITE, 0, NULL}, {"ホワイト", COLOUR_WHITE, 0, NULL},
    {"흰", COLOUR_WHITE, 0, NULL}, {"하얀", COLOUR_WHITE, 0, NULL},
    {"하얗", COLOUR_WHITE, 0, NULL}, {"하양", COLOUR_WHITE, 0, NULL},
    {"ピンク", COLOUR_PINK, 0, NULL}, {"粉紅", COLOUR_PINK, 0, NULL},
    {"粉红", COLOUR_PINK, 0, NULL}, {"桃色", COLOUR_PINK, 0, NULL},
    {"분홍", COLOUR_PINK, 0, NULL}, {"핑크", COLOUR_PINK, 0, NULL},
    {"紫", COLOUR_PURPLE, 0, NULL}, {"パープル", COLOUR_PURPLE, 0, NULL},
    {"보라", COLOUR_PURPLE, 0, NULL},
    {"オレンジ", COLOUR_ORANGE, 0, NULL}, {"橙", COLOUR_ORANGE, 0, NULL},
    {"橘色", COLOUR_ORANGE, 0, NULL}, {"주황", COLOUR_ORANGE, 0, NULL},
    {"오렌지", COLOUR_ORANGE, 0, NULL},
    {"茶色", COLOUR_BROWN, 0, NULL}, {"ブラウン", COLOUR_BROWN, 0, NULL},
    {"棕", COLOUR_BROWN, 0, NULL}, {"褐", COLOUR_BROWN, 0, NULL},
    {"咖啡色", COLOUR_BROWN, 0, NULL}, {"갈색", COLOUR_BROWN, 0, NULL},
    {"灰", COLOUR_GRAY, 0, NULL}, {"グレー", COLOUR_GRAY, 0, NULL},
    {"グレイ", COLOUR_GRAY, 0, NULL}, {"회색", COLOUR_GRAY, 0, NULL},
    {"金", COLOUR_GOLD, 0, NULL}, {"黄金", COLOUR_GOLD, 0, NULL}, {"黃金", COLOUR_GOLD, 0, NULL},
    {"ゴールド", COLOUR_GOLD, 0, NULL}, {"금색", COLOUR_GOLD, 0, NULL},
    {"황금", COLOUR_GOLD, 0, NULL},
    {"銀", COLOUR_SILVER, 0, NULL}, {"银", COLOUR_SILVER, 0, NULL},
    {"シルバー", COLOUR_SILVER, 0, NULL}, {"은색", COLOUR_SILVER, 0, NULL},
    /* not colours */
    {"赤ちゃん", COLOUR_NONE, 0, NULL}, {"赤ん坊", COLOUR_NONE, 0, NULL},
    {"面白", COLOUR_NONE, 0, NULL}, {"明白", COLOUR_NONE, 0, NULL},
    {"空白", COLOUR_NONE, 0, NULL}, {"白天", COLOUR_NONE, 0, NULL},
    {"青春", COLOUR_NONE, 0, NULL}, {"紅茶", COLOUR_NONE, 0, NULL},
    {"红茶", COLOUR_NONE, 0, NULL}, {"お金", COLOUR_NONE, 0, NULL},
    {"現金", COLOUR_NONE, 0, NULL}, {"现金", COLOUR_NONE, 0, NULL},
    {"料金", COLOUR_NONE, 0, NULL}, {"金曜", COLOUR_NONE, 0, NULL},
    {"金属", COLOUR_NONE, 0, NULL}, {"金屬", COLOUR_NONE, 0, NULL},
    {"金融", COLOUR_NONE, 0, NULL}, {"金额", COLOUR_NONE, 0, NULL},
    {"金額", COLOUR_NONE, 0, NULL}, {"銀行", COLOUR_NONE, 0, NULL},
    {"银行", COLOUR_NONE, 0, NULL}, {"灰皿", COLOUR_NONE, 0, NULL},
};

/* Negation cues of space-separated scripts. */
enum latin_cue {
    CUE_NEXT = 1,        /* negates the next word: "no text", "sin sonido", "non-alcoholic" */
    CUE_HYPHEN_PREV = 2, /* negates the word before when hyphenated: "sugar-free" */
    CUE_FILLER = 3       /* skipped on the way to the negated word: "without any text" */
};

static const word_entry latin_negation[] = {
    {"no", CUE_NEXT}, {"not", CUE_NEXT}, {"without", CUE_NEXT}, {"never", CUE_NEXT},
    {"none", CUE_NEXT}, {"nor", CUE_NEXT}, {"neither", CUE_NEXT}, {"cannot", CUE_NEXT},
    {"non", CUE_NEXT}, {"sin", CUE_NEXT}, {"nunca", CUE_NEXT}, {"jam\xc3\xa1s", CUE_NEXT},
    {"ning\xc3\xban", CUE_NEXT}, {"ninguna", CUE_NEXT}, {"ninguno", CUE_NEXT},
    {"ningunos", CUE_NEXT}, {"ningunas", CUE_NEXT}, {"ni", CUE_NEXT}, {"tampoco", CUE_NEXT},
    {"free", CUE_HYPHEN_PREV},
    {"a", CUE_FILLER}, {"an", CUE_FILLER}, {"the", CUE_FILLER}, {"any", CUE_FILLER},
    {"some", CUE_FILLER}, {"single", CUE_FILLER}, {"of", CUE_FILLER}, {"at", CUE_FILLER},
    {"all", CUE_FILLER}, {"un", CUE_FILLER}, {"una", CUE_FILLER}, {"unos", CUE_FILLER},
    {"unas", CUE_FILLER}, {"el", CUE_FILLER}, {"la", CUE_FILLER}, {"los", CUE_FILLER},
    {"las", CUE_FILLER}, {"de", CUE_FILLER}, {"del", CUE_FILLER}, {"nada", CUE_FILLER},
    {"cualquier", CUE_FILLER},
};

/* Negating suffixes of a word: "don't" (the next word), "soundless" (the stem). */
enum latin_suffix { SUFFIX_NEXT = 1, SUFFIX_STEM = 2 };

static const word_entry latin_negating_suffixes[] = {
    {"n't", SUFFIX_NEXT}, {"n\xe2\x80\x99t", SUFFIX_NEXT}, {"less", SUFFIX_STEM},
};

/* Words that end like a negating suffix without negating anything. */
static const word_entry latin_not_negation[] = {
    {"unless", 0}, {"bless", 0}, {"regardless", 0}, {"nevertheless", 0},
    {"nonetheless", 0}, {"doubtless", 0},
};

/* Negation in ja, zh-TW (and zh-CN forms) and ko. */
enum cjk_cue {
    NEG_NONE = 0,   /* contains a cue character without negating (非常 "very") */
    NEG_AFTER = 1,  /* negates the character after: 無音, 沒有聲音, 안 보이는 */
    NEG_BEFORE = 2, /* negates the character before: 音なし, 소리 없는 (particles skipped) */
    NEG_NAMED = 3   /* names what it negates in `key`: 무음 */
};

static const span_entry cjk_negation[] = {
    /* ja */
    {"なし", NEG_BEFORE, 0, NULL}, {"無し", NEG_BEFORE, 0, NULL},
    {"ない", NEG_BEFORE, 0, NULL}, {"無い", NEG_BEFORE, 0, NULL},
    {"ずに", NEG_BEFORE, 0, NULL}, {"せず", NEG_BEFORE, 0, NULL},
    {"不", NEG_AFTER, 0, NULL}, {"無", NEG_AFTER, 0, NULL}, {"非", NEG_AFTER, 0, NULL},
    /* zh */
    {"沒有", NEG_AFTER, 0, NULL}, {"没有", NEG_AFTER, 0, NULL}, {"沒", NEG_AFTER, 0, NULL},
    {"没", NEG_AFTER, 0, NULL}, {"无", NEG_AFTER, 0, NULL}, {"別", NEG_AFTER, 0, NULL},
    {"别", NEG_AFTER, 0, NULL},
    /* ko */
    {"없", NEG_BEFORE, 0, NULL}, {"않", NEG_BEFORE, 0, NULL},
    {"안", NEG_AFTER, SPAN_WHOLE, NULL}, {"못", NEG_AFTER, SPAN_WHOLE, NULL},
    {"무음", NEG_NAMED, SPAN_WORD_START, "음"}, {"무색", NEG_NAMED, SPAN_WORD_START, "색"},
    {"무자막", NEG_NAMED, SPAN_WORD_START, "자막"},
    /* not negation */
    {"少ない", NEG_NONE, 0, NULL}, {"危ない", NEG_NONE, 0, NULL},
    {"あぶない", NEG_NONE, 0, NULL}, {"すくない", NEG_NONE, 0, NULL},
    {"きたない", NEG_NONE, 0, NULL}, {"はなし", NEG_NONE, 0, NULL},
    {"非常", NEG_NONE, 0, NULL}, {"非洲", NEG_NONE, 0, NULL}, {"無論", NEG_NONE, 0, NULL},
    {"无论", NEG_NONE, 0, NULL}, {"無數", NEG_NONE, 0, NULL}, {"无数", NEG_NONE, 0, NULL},
    {"不過", NEG_NONE, 0, NULL}, {"不过", NEG_NONE, 0, NULL}, {"不斷", NEG_NONE, 0, NULL},
    {"不断", NEG_NONE, 0, NULL}, {"不久", NEG_NONE, 0, NULL}, {"不少", NEG_NONE, 0, NULL},
    {"不僅", NEG_NONE, 0, NULL}, {"不仅", NEG_NONE, 0, NULL}, {"特別", NEG_NONE, 0, NULL},
    {"特别", NEG_NONE, 0, NULL}, {"區別", NEG_NONE, 0, NULL}, {"区别", NEG_NONE, 0, NULL},
    {"区別", NEG_NONE, 0, NULL}, {"分別", NEG_NONE, 0, NULL}, {"分别", NEG_NONE, 0, NULL},
    {"別の", NEG_NONE, 0, NULL}, {"別々", NEG_NONE, 0, NULL}, {"別人", NEG_NONE, 0, NULL},
    {"别人", NEG_NONE, 0, NULL}, {"別的", NEG_NONE, 0, NULL}, {"别的", NEG_NONE, 0, NULL},
    {"個別", NEG_NONE, 0, NULL}, {"个别", NEG_NONE, 0, NULL}, {"性別", NEG_NONE, 0, NULL},
    {"性别", NEG_NONE, 0, NULL}, {"告別", NEG_NONE, 0, NULL}, {"告别", NEG_NONE, 0, NULL},
    {"差別", NEG_NONE, 0, NULL}, {"差别", NEG_NONE, 0, NULL}, {"識別", NEG_NONE, 0, NULL},
    {"识别", NEG_NONE, 0, NULL},
};

/* Particles between a noun and a negation that follows it: 音がない, 소리가 없는. */
static const span_entry particles[] = {
    {"が", 0, 0, NULL}, {"は", 0, 0, NULL}, {"を", 0, 0, NULL}, {"も", 0, 0, NULL},
    {"の", 0, 0, NULL}, {"に", 0, 0, NULL}, {"で", 0, 0, NULL}, {"と", 0, 0, NULL},
    {"가", 0, 0, NULL}, {"이", 0, 0, NULL}, {"은", 0, 0, NULL}, {"는", 0, 0, NULL},
    {"을", 0, 0, NULL}, {"를", 0, 0, NULL}, {"도", 0, 0, NULL}, {"의", 0, 0, NULL},
    {"에", 0, 0, NULL}, {"지", 0, 0, NULL},
};

#define COUNT_OF(a) (sizeof(a) / sizeof((a)[0]))

/* --- what a prompt says ------------------------------------------------------------------ */

typedef struct number {
    char value[GATE_VALUE_SIZE]; /* canonical decimal: "3", "1.5", "1080" */
    int unit;
} number;

typedef struct facts {
    number numbers[GATE_MAX_ITEMS];
    size_t n_numbers;
    char negated[GATE_MAX_ITEMS][GATE_KEY_SIZE];
    size_t n_negated;
    unsigned long colours; /* bit per enum colour */
    int numbers_overflow;
    int negated_overflow;
} facts;

static int word_find(const word_entry *table, size_t count, const char *w, size_t len)
{
    size_t i;
    for (i = 0; i < count; i++)
        if (strlen(table[i].text) == len && memcmp(table[i].text, w, len) == 0)
            return (int)i;
    return -1;
}

static vg__text_class class_at(const char *s, size_t len, size_t pos)
{
    return pos < len ? vg__text_class_of(vg__text_next(s, len, &pos)) : VG__TEXT_SPACE;
}

static int is_cjk_or_hangul(vg__text_class cls)
{
    return cls == VG__TEXT_CJK || cls == VG__TEXT_HANGUL;
}

/* The longest entry of `table` that s[pos..] starts with, its length in *match_len. */
static const span_entry *span_match(const span_entry *table, size_t count, const char *s,
                                    size_t len, size_t pos, size_t *match_len)
{
    const span_entry *best = NULL;
    size_t best_len = 0, i;

    for (i = 0; i < count; i++) {
        size_t n = strlen(table[i].text);
        if (n <= best_len || n > len - pos || memcmp(s + pos, table[i].text, n) != 0)
            continue;
        if ((table[i].flags & SPAN_WORD_START) && pos > 0 &&
            is_cjk_or_hangul(class_at(s, len, vg__text_prev(s, pos))))
            continue;
        if ((table[i].flags & SPAN_WORD_END) && is_cjk_or_hangul(class_at(s, len, pos + n)))
            continue;
        best = &table[i];
        best_len = n;
    }
    *match_len = best_len;
    return best;
}

/* --- tokens ------------------------------------------------------------------------------ */

/* What separates a token from the one before. */
enum separation { SEP_NONE = 0, SEP_SPACE = 1, SEP_HYPHEN = 2, SEP_PUNCT = 3 };

typedef struct token {
    size_t start, end;
    vg__text_class cls;
    int sep;
} token;

static int is_ascii_digit(int32_t cp)
{
    return cp >= '0' && cp <= '9';
}

/* The class of a code point for the gate: %, × and ° stay with the number they follow. */
static vg__text_class gate_class(int32_t cp)
{
    if (cp == '%' || cp == 0xD7 || cp == 0xB0)
        return VG__TEXT_WORD;
    return vg__text_class_of(cp);
}

/* Whether the punctuation cp, followed by s[next], joins the word around it: the
 * apostrophe of "don't", the point and comma of "1.5" and "1,000". */
static int joins_word(const char *s, size_t len, size_t next, int32_t prev_cp, int32_t cp)
{
    int32_t after;
    if (next >= len)
        return 0;
    after = vg__text_next(s, len, &next);
    if (cp == '\'' || cp == 0x2019)
        return gate_class(prev_cp) == VG__TEXT_WORD && gate_class(after) == VG__TEXT_WORD;
    if (cp == '.' || cp == ',')
        return is_ascii_digit(prev_cp) && is_ascii_digit(after);
    return 0;
}

/* Reads the token at or after s[pos]; 0 at the end. */
static int token_next(const char *s, size_t len, size_t pos, token *t)
{
    int sep = pos == 0 ? SEP_PUNCT : SEP_NONE, punct = 0;
    int32_t prev_cp = 0;

    t->cls = VG__TEXT_SPACE;
    while (pos < len && t->cls == VG__TEXT_SPACE) {
        size_t next = pos;
        int32_t cp = vg__text_next(s, len, &next);
        vg__text_class cls = gate_class(cp);
        if (cls == VG__TEXT_SPACE) {
            if (sep < SEP_SPACE)
                sep = SEP_SPACE;
        } else if (cls == VG__TEXT_PUNCT) {
            sep = cp == '-' && !punct && sep < SEP_HYPHEN ? SEP_HYPHEN : SEP_PUNCT;
            punct = 1;
        } else {
            t->cls = cls; /* the first code point of the token */
            break;
        }
        pos = next;
    }
    if (t->cls == VG__TEXT_SPACE)
        return 0;
    t->start = pos;
    t->sep = sep;
    while (pos < len) {
        size_t next = pos;
        int32_t cp = vg__text_next(s, len, &next);
        vg__text_class cls = gate_class(cp);
        if (cls != t->cls &&
            !(t->cls == VG__TEXT_WORD && cls == VG__TEXT_PUNCT &&
              joins_word(s, len, next, prev_cp, cp)))
            break;
        prev_cp = cp;
        pos = next;
    }
    t->end = pos;
    return 1;
}

/* --- numbers ----------------------------------------------------------------------------- */

static void add_number(facts *f, const char *value, int unit)
{
    if (f->n_numbers == GATE_MAX_ITEMS || strlen(value) >= GATE_VALUE_SIZE) {
        f->numbers_overflow = 1;
        return;
    }
    snprintf(f->numbers[f->n_numbers].value, GATE_VALUE_SIZE, "%s", value);
    f->numbers[f->n_numbers].unit = unit;
    f->n_numbers++;
}

static void add_number_int(facts *f, long long value, int unit)
{
    char text[GATE_VALUE_SIZE];
    snprintf(text, sizeof text, "%lld", value);
    add_number(f, text, unit);
}

/* Reads the number at s[pos..end) (ASCII digits, "1.5", "1,000", "1,5") as a canonical
 * decimal into value[GATE_VALUE_SIZE] ("" when too long). Returns where it ends. */
static size_t read_number(const char *s, size_t end, size_t pos, char *value)
{
    char whole[VG_PROMPT_MAX_BYTES + 1], frac[VG_PROMPT_MAX_BYTES + 1];
    size_t nw = 0, nf = 0, w = 0;

    while (pos < end && (is_ascii_digit(s[pos]) || s[pos] == ',' || s[pos] == '.') &&
           nw < VG_PROMPT_MAX_BYTES && nf < VG_PROMPT_MAX_BYTES) {
        size_t run = 0;
        if (is_ascii_digit(s[pos])) {
            whole[nw++] = s[pos++];
            continue;
        }
        while (pos + 1 + run < end && is_ascii_digit(s[pos + 1 + run]))
            run++;
        if (run == 0)
            break;
        if (s[pos] == ',' && run == 3) { /* thousands */
            pos++;
            continue;
        }
        for (pos++; run > 0 && nf < VG_PROMPT_MAX_BYTES; run--) /* decimals */
            frac[nf++] = s[pos++];
        break;
    }
    while (w + 1 < nw && whole[w] == '0')
        w++;
    while (nf > 0 && frac[nf - 1] == '0')
        nf--;
    if (nw - w + (nf ? nf + 1 : 0) >= GATE_VALUE_SIZE) {
        value[0] = '\0';
        return pos;
    }
    memcpy(value, whole + w, nw - w);
    value[nw - w] = '\0';
    if (nf) {
        value[nw - w] = '.';
        memcpy(value + nw - w + 1, frac, nf);
        value[nw - w + 1 + nf] = '\0';
    }
    return pos;
}

/* The unit of a number that ends a token: the next word ("3 seconds", "3-second") or the
 * CJK/Hangul text after it (3秒, 3 초). */
static int unit_after(const char *s, size_t len, size_t pos)
{
    token t;
    size_t n;
    const span_entry *e;
    int i;

    if (!token_next(s, len, pos, &t) || t.sep > SEP_HYPHEN)
        return UNIT_COUNT;
    if (t.cls == VG__TEXT_WORD) {
        i = word_find(latin_units, COUNT_OF(latin_units), s + t.start, t.end - t.start);
        return i < 0 ? UNIT_COUNT : latin_units[i].value;
    }
    e = span_match(cjk_units, COUNT_OF(cjk_units), s, len, t.start, &n);
    return e ? e->value : UNIT_COUNT;
}

static void numbers_in_word(facts *f, const char *s, size_t len, const token *t)
{
    size_t pos = t->start;
    int i;

    i = word_find(latin_numbers, COUNT_OF(latin_numbers), s + t->start, t->end - t->start);
    if (i >= 0) {
        add_number_int(f, latin_numbers[i].value, unit_after(s, len, t->end));
        return;
    }
    while (pos < t->end) {
        char value[GATE_VALUE_SIZE];
        size_t stop, rest;
        int unit;
        if (!is_ascii_digit(s[pos])) {
            pos++;
            continue;
        }
        stop = read_number(s, t->end, pos, value);
        if (!value[0]) {
            f->numbers_overflow = 1;
            return;
        }
        for (rest = stop; rest < t->end && !is_ascii_digit(s[rest]); rest++)
            ;
        if (stop == t->end) {
            unit = unit_after(s, len, t->end);
        } else {
            i = word_find(latin_units, COUNT_OF(latin_units), s + stop, rest - stop);
            unit = i < 0 ? UNIT_COUNT : latin_units[i].value;
        }
        add_number(f, value, unit);
        pos = rest;
    }
}

/* Whether the Han numerals at s[start..] begin a listed non-number (十分 "enough"). */
static int han_not_a_number(const char *s, size_t len, size_t start)
{
    size_t n, after, next;
    const span_entry *e = span_match(han_not_numbers, COUNT_OF(han_not_numbers), s, len,
                                     start, &n);
    char following[8] = "";

    if (!e)
        return 0;
    after = next = start + n;
    if (after < len) {
        vg__text_next(s, len, &next);
        memcpy(following, s + after, next - after);
    }
    return !following[0] || !strstr(e->key, following);
}

/* Han numerals before a counter or unit: 三匹, 十秒, 二十分鐘. */
static void numbers_in_han(facts *f, const char *s, size_t len, const token *t)
{
    size_t pos = t->start, n;

    while (pos < t->end) {
        size_t start = pos, unit_len;
        long long total = 0, digit = -1, digits = 0;
        int multiplied = 0;
        const span_entry *e, *unit;

        while (pos < t->end &&
               (e = span_match(han_numerals, COUNT_OF(han_numerals), s, len, pos, &n))) {
            if (e->value < 0) {
                total += (digit < 0 ? 1 : digit) * -e->value;
                digit = -1;
                multiplied = 1;
            } else {
                digit = e->value;
                digits = digits < 1000000000LL ? digits * 10 + e->value : digits;
            }
            pos += n;
        }
        if (pos == start) {
            vg__text_next(s, len, &pos);
            continue;
        }
        unit = span_match(cjk_units, COUNT_OF(cjk_units), s, len, pos, &unit_len);
        if (!unit || han_not_a_number(s, len, start))
            continue;
        add_number_int(f, multiplied ? total + (digit < 0 ? 0 : digit) : digits, unit->value);
        pos += unit_len;
    }
}

/* Korean native numerals at the start of a word: 하나, 세 마리, 두잔. */
static void numbers_in_hangul(facts *f, const char *s, size_t len, const token *t)
{
    size_t n, unit_len;
    const span_entry *e = span_match(hangul_numbers, COUNT_OF(hangul_numbers), s, len,
                                     t->start, &n);
    const span_entry *unit = NULL;
    token next;

    if (!e || e->value < 0 || t->start + n > t->end)
        return;
    if (t->start + n < t->end)
        unit = span_match(cjk_units, COUNT_OF(cjk_units), s, t->end, t->start + n, &unit_len);
    else if (token_next(s, len, t->end, &next) && next.sep == SEP_SPACE &&
             next.cls == VG__TEXT_HANGUL)
        unit = span_match(cjk_units, COUNT_OF(cjk_units), s, next.end, next.start, &unit_len);
    if (unit)
        add_number_int(f, e->value, unit->value);
    else if (t->start + n == t->end && !(e->flags & SPAN_NEEDS_UNIT))
        add_number_int(f, e->value, UNIT_COUNT);
}

/* --- negation ---------------------------------------------------------------------------- */

static void add_negated(facts *f, const char *key, size_t len)
{
    if (f->n_negated == GATE_MAX_ITEMS) {
        f->negated_overflow = 1;
        return;
    }
    if (len >= GATE_KEY_SIZE)
        len = GATE_KEY_SIZE - 1;
    memcpy(f->negated[f->n_negated], key, len);
    f->negated[f->n_negated][len] = '\0';
    f->n_negated++;
}

/* Adds a negated word, its plural "s" dropped ("sounds" -> "sound", "sonidos" -> "sonido"). */
static void add_negated_word(facts *f, const char *w, size_t len)
{
    if (len > 3 && w[len - 1] == 's' && w[len - 2] != 's')
        len--;
    add_negated(f, w, len);
}

/* Negates the word after s[pos]: fillers and other cues skipped, none across punctuation. */
static void negate_next(facts *f, const char *s, size_t len, size_t pos)
{
    token t;
    while (token_next(s, len, pos, &t) && t.sep <= SEP_HYPHEN) {
        int i = word_find(latin_negation, COUNT_OF(latin_negation), s + t.start,
                          t.end - t.start);
        if (t.cls == VG__TEXT_WORD && i >= 0 && latin_negation[i].value != CUE_HYPHEN_PREV) {
            pos = t.end;
            continue;
        }
        if (t.cls == VG__TEXT_WORD) {
            add_negated_word(f, s + t.start, t.end - t.start);
        } else {
            size_t next = t.start;
            vg__text_next(s, len, &next);
            add_negated(f, s + t.start, next - t.start);
        }
        return;
    }
    add_negated(f, "", 0);
}

static void negation_in_word(facts *f, const char *s, size_t len, const token *t,
                             const token *prev)
{
    const char *w = s + t->start;
    size_t n = t->end - t->start, i;
    int k = word_find(latin_negation, COUNT_OF(latin_negation), w, n);

    if (k >= 0 && latin_negation[k].value == CUE_NEXT) {
        negate_next(f, s, len, t->end);
        return;
    }
    if (k >= 0 && latin_negation[k].value == CUE_HYPHEN_PREV) {
        if (t->sep == SEP_HYPHEN && prev && prev->cls == VG__TEXT_WORD)
            add_negated_word(f, s + prev->start, prev->end - prev->start);
        return;
    }
    if (word_find(latin_not_negation, COUNT_OF(latin_not_negation), w, n) >= 0)
        return;
    for (i = 0; i < COUNT_OF(latin_negating_suffixes); i++) {
        const word_entry *sfx = &latin_negating_suffixes[i];
        size_t sn = strlen(sfx->text);
        /* "don't" keeps a stem of one letter or more, "soundless" three or more */
        if (n < sn + (sfx->value == SUFFIX_STEM ? 3 : 1) || memcmp(w + n - sn, sfx->text, sn) != 0)
            continue;
        if (sfx->value == SUFFIX_NEXT)
            negate_next(f, s, len, t->end);
        else
            add_negated_word(f, w, n - sn);
        return;
    }
}

/* The CJK or Hangul character a cue negates: after it, or before it past one particle. */
static void negate_char(facts *f, const char *s, size_t len, size_t start, size_t end,
                        int direction)
{
    size_t pos, next, n;
    int skipped_particle = 0;

    if (direction == NEG_AFTER) {
        pos = end;
        while (pos < len && class_at(s, len, pos) == VG__TEXT_SPACE)
            vg__text_next(s, len, &pos);
    } else {
        pos = start;
        for (;;) {
            if (pos == 0) {
                pos = len;
                break;
            }
            pos = vg__text_prev(s, pos);
            if (class_at(s, len, pos) == VG__TEXT_SPACE)
                continue;
            if (!skipped_particle && span_match(particles, COUNT_OF(particles), s, len, pos, &n) &&
                pos > 0) {
                skipped_particle = 1;
                continue;
            }
            break;
        }
    }
    if (pos >= len || !is_cjk_or_hangul(class_at(s, len, pos))) {
        add_negated(f, "", 0);
        return;
    }
    next = pos;
    vg__text_next(s, len, &next);
    add_negated(f, s + pos, next - pos);
}

/* --- colours and the whole prompt --------------------------------------------------------- */

static void colour_in_word(facts *f, const char *s, const token *t)
{
    int i = word_find(latin_colours, COUNT_OF(latin_colours), s + t->start, t->end - t->start);
    if (i >= 0)
        f->colours |= 1ul << latin_colours[i].value;
}

/* Negation and colours in CJK and Hangul text, by substring. */
static void scan_spans(facts *f, const char *s, size_t len)
{
    size_t pos = 0, n;
    const span_entry *e;

    while (pos < len) {
        if (!is_cjk_or_hangul(class_at(s, len, pos)) ||
            !(e = span_match(cjk_negation, COUNT_OF(cjk_negation), s, len, pos, &n))) {
            vg__text_next(s, len, &pos);
            continue;
        }
        if (e->value == NEG_NAMED)
            add_negated(f, e->key, strlen(e->key));
        else if (e->value != NEG_NONE)
            negate_char(f, s, len, pos, pos + n, e->value);
        pos += n;
    }
    for (pos = 0; pos < len;) {
        if (!is_cjk_or_hangul(class_at(s, len, pos)) ||
            !(e = span_match(cjk_colours, COUNT_OF(cjk_colours), s, len, pos, &n))) {
            vg__text_next(s, len, &pos);
            continue;
        }
        if (e->value != COLOUR_NONE)
            f->colours |= 1ul << e->value;
        pos += n;
    }
}

static void read_facts(facts *f, const char *s, size_t len)
{
    token t, prev = {0, 0, VG__TEXT_SPACE, SEP_PUNCT};
    size_t pos = 0;
    int have_prev = 0;

    memset(f, 0, sizeof *f);
    while (token_next(s, len, pos, &t)) {
        if (t.cls == VG__TEXT_WORD) {
            numbers_in_word(f, s, len, &t);
            negation_in_word(f, s, len, &t, have_prev ? &prev : NULL);
            colour_in_word(f, s, &t);
        } else if (t.cls == VG__TEXT_CJK) {
            numbers_in_han(f, s, len, &t);
        } else if (t.cls == VG__TEXT_HANGUL) {
            numbers_in_hangul(f, s, len, &t);
        }
        prev = t;
        have_prev = 1;
        pos = t.end;
    }
    scan_spans(f, s, len);
}

/* --- comparing ---------------------------------------------------------------------------- */

static int compare_numbers(const void *a, const void *b)
{
    const number *x = a, *y = b;
    int c = strcmp(x->value, y->value);
    return c ? c : (x->unit > y->unit) - (x->unit < y->unit);
}

static int compare_keys(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Sorts the negated keys and drops repeats: they are a set. */
static void negated_as_set(facts *f)
{
    size_t i, out = 0;
    qsort(f->negated, f->n_negated, GATE_KEY_SIZE, compare_keys);
    for (i = 0; i < f->n_negated; i++)
        if (out == 0 || strcmp(f->negated[out - 1], f->negated[i]) != 0)
            memmove(f->negated[out++], f->negated[i], GATE_KEY_SIZE);
    f->n_negated = out;
}

static int same_negation(facts *a, facts *b)
{
    size_t i;
    if (a->negated_overflow || b->negated_overflow)
        return 0;
    negated_as_set(a);
    negated_as_set(b);
    if (a->n_negated != b->n_negated)
        return 0;
    for (i = 0; i < a->n_negated; i++)
        if (strcmp(a->negated[i], b->negated[i]) != 0)
            return 0;
    return 1;
}

static int same_numbers(facts *a, facts *b)
{
    size_t i;
    if (a->numbers_overflow || b->numbers_overflow || a->n_numbers != b->n_numbers)
        return 0;
    qsort(a->numbers, a->n_numbers, sizeof a->numbers[0], compare_numbers);
    qsort(b->numbers, b->n_numbers, sizeof b->numbers[0], compare_numbers);
    for (i = 0; i < a->n_numbers; i++)
        if (compare_numbers(&a->numbers[i], &b->numbers[i]) != 0)
            return 0;
    return 1;
}

/* Besides the three reasons of the contract: "argument" (a NULL prompt) and "length" (a
 * prompt over VG_PROMPT_MAX_BYTES that is not identical to the other). */
int vg__gate_agree(const char *a, const char *b, const char **reason)
{
    facts fa, fb;
    size_t la, lb;
    const char *why = NULL;

    if (!a || !b) {
        why = "argument";
        goto done;
    }
    if (strcmp(a, b) == 0)
        goto done;
    la = strnlen(a, (size_t)VG_PROMPT_MAX_BYTES + 1);
    lb = strnlen(b, (size_t)VG_PROMPT_MAX_BYTES + 1);
    if (la > VG_PROMPT_MAX_BYTES || lb > VG_PROMPT_MAX_BYTES) {
        why = "length";
        goto done;
    }
    read_facts(&fa, a, la);
    read_facts(&fb, b, lb);
    if (!same_negation(&fa, &fb))
        why = "negation";
    else if (!same_numbers(&fa, &fb))
        why = "number";
    else if (fa.colours != fb.colours)
        why = "colour";

done:
    if (reason)
        *reason = why;
    return why == NULL;
}
