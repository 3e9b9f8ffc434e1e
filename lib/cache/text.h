/* SPDX-License-Identifier: MIT */
/* Code point decoding and the script classes that the second gate and the local embedder
 * both split prompts by (header-only: two small functions and their table). */
#ifndef VG_CACHE_TEXT_H
#define VG_CACHE_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <utf8proc.h>

/* What a code point is, for splitting a prompt into words and runs. */
typedef enum vg__text_class {
    VG__TEXT_SPACE = 0,  /* white space, controls */
    VG__TEXT_PUNCT = 1,  /* punctuation and symbols: they separate words */
    VG__TEXT_WORD = 2,   /* letters, marks and digits of scripts written with spaces */
    VG__TEXT_CJK = 3,    /* Han, hiragana, katakana: written without spaces */
    VG__TEXT_HANGUL = 4  /* Hangul: spaced words, but split like CJK where n-grams count */
} vg__text_class;

/* Decodes the code point at s[*pos] (s has len bytes) and moves *pos past it. A malformed
 * sequence (normalised prompts have none) reads as U+FFFD and one byte. */
static inline int32_t vg__text_next(const char *s, size_t len, size_t *pos)
{
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + *pos,
                                          (utf8proc_ssize_t)(len - *pos), &cp);
    if (n <= 0) {
        *pos += 1;
        return 0xFFFD;
    }
    *pos += (size_t)n;
    return cp;
}

/* Moves back from s[pos] to the start of the previous code point (pos > 0). */
static inline size_t vg__text_prev(const char *s, size_t pos)
{
    size_t back = 0;
    do {
        pos--;
        back++;
    } while (pos > 0 && back < 4 && ((unsigned char)s[pos] & 0xC0) == 0x80);
    return pos;
}

static inline vg__text_class vg__text_class_of(int32_t cp)
{
    /* Scripts written without spaces, and Hangul, by block. */
    static const struct {
        int32_t first, last;
        vg__text_class cls;
    } blocks[] = {
        {0x1100, 0x11FF, VG__TEXT_HANGUL},   /* Hangul Jamo */
        {0x3005, 0x3007, VG__TEXT_CJK},      /* iteration mark, closing mark, ideographic zero */
        {0x3041, 0x309F, VG__TEXT_CJK},      /* Hiragana */
        {0x30A1, 0x30FA, VG__TEXT_CJK},      /* Katakana (U+30FB middle dot is punctuation) */
        {0x30FC, 0x30FF, VG__TEXT_CJK},      /* prolonged sound mark, iteration marks */
        {0x3130, 0x318F, VG__TEXT_HANGUL},   /* Hangul Compatibility Jamo */
        {0x31F0, 0x31FF, VG__TEXT_CJK},      /* Katakana Phonetic Extensions */
        {0x3400, 0x4DBF, VG__TEXT_CJK},      /* CJK Extension A */
        {0x4E00, 0x9FFF, VG__TEXT_CJK},      /* CJK Unified Ideographs */
        {0xA960, 0xA97F, VG__TEXT_HANGUL},   /* Hangul Jamo Extended-A */
        {0xAC00, 0xD7FF, VG__TEXT_HANGUL},   /* Hangul Syllables, Jamo Extended-B */
        {0xF900, 0xFAFF, VG__TEXT_CJK},      /* CJK Compatibility Ideographs */
        {0x20000, 0x3FFFF, VG__TEXT_CJK},    /* CJK Extensions B.., planes 2 and 3 */
    };
    size_t i;

    if (cp < 0x80) {
        if (cp <= 0x20 || cp == 0x7F)
            return VG__TEXT_SPACE;
        if ((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'))
            return VG__TEXT_WORD;
        return VG__TEXT_PUNCT;
    }
    for (i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        if (cp >= blocks[i].first && cp <= blocks[i].last)
            return blocks[i].cls;
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return VG__TEXT_WORD;
    case UTF8PROC_CATEGORY_ZS:
    case UTF8PROC_CATEGORY_ZL:
    case UTF8PROC_CATEGORY_ZP:
    case UTF8PROC_CATEGORY_CC:
        return VG__TEXT_SPACE;
    default:
        return VG__TEXT_PUNCT;
    }
}

#endif
