/* SPDX-License-Identifier: MIT */
/* The five user languages and the message catalogs that every user-facing text comes from. */
#ifndef VG_I18N_H
#define VG_I18N_H

#include <stddef.h>

/* Index of a language in every catalog row; the order is part of the catalog format. */
typedef enum vg__lang {
    VG__LANG_EN = 0,
    VG__LANG_JA = 1,
    VG__LANG_ZH_TW = 2,
    VG__LANG_KO = 3,
    VG__LANG_ES = 4,
    VG__LANG_COUNT = 5
} vg__lang;

/* One status code: its stable name and its description in every language. */
typedef struct vg__status_entry {
    int code;
    const char *name;
    const char *text[VG__LANG_COUNT];
} vg__status_entry;

/* Every status code, VG_OK first; defined in status_catalog.c. */
extern const vg__status_entry vg__status_catalog[];
extern const size_t vg__status_catalog_count;

/* Description used for a code that is not in the catalog, per language. */
extern const char *const vg__status_unknown_text[VG__LANG_COUNT];

/* Language tags in vg__lang order: "en", "ja", "zh-TW", "ko", "es". */
extern const char *const vg__lang_tags[VG__LANG_COUNT];

/* Parses a BCP 47 language tag (case-insensitive, "-" or "_"): "en", "en-US", "ja-JP", "ko",
 * "es-419"; Chinese maps to zh-TW only for "zh", "zh-TW", "zh-HK", "zh-MO" and "zh-Hant*".
 * Returns the language, or -1 if the tag is NULL or not one of the five. */
int vg__lang_parse(const char *tag);

#endif
