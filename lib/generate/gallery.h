/* SPDX-License-Identifier: MIT */
/* The inspiration gallery's insides: the seed table, the sampling generator, the title cut. */
#ifndef VG_GENERATE_GALLERY_H
#define VG_GENERATE_GALLERY_H

#include <stdint.h>

#include "../store/store.h"
#include "i18n.h"

/* Examples per seeded topic (each in all five languages). */
#define VG__GALLERY_SEED_EXAMPLES 3

/* One seeded example in one language. */
typedef struct vg__gallery_text {
    const char *title;
    const char *prompt;
} vg__gallery_text;

/* One seeded example: the service to use it with, its media type, and its text in every
 * language (vg__lang order). */
typedef struct vg__gallery_seed_example {
    const char *service;
    const char *media_type;
    vg__gallery_text text[VG__LANG_COUNT];
} vg__gallery_seed_example;

/* One seeded topic: its name ([a-z0-9_]), its title in every language and its examples. */
typedef struct vg__gallery_seed_topic {
    const char *name;
    const char *title[VG__LANG_COUNT];
    vg__gallery_seed_example examples[VG__GALLERY_SEED_EXAMPLES];
} vg__gallery_seed_topic;

/* The seed, by topic name (gallery_seed.c). */
extern const vg__gallery_seed_topic vg__gallery_seed[];
extern const size_t vg__gallery_seed_count;

/* Writes the seed into a store that never had it (meta "gallery.seeded" absent), with the
 * mark and a "gallery.seeded" event, in the caller's write transaction; leaves a seeded
 * gallery alone (even one whose seeded examples were all removed). */
int vg__gallery_seed_store(vg__txn *txn);

/* The random order of a sample: libsodium's randombytes (seed 0), or a splitmix64 sequence
 * that is the same for the same seed. */
typedef struct vg__gallery_rng {
    uint64_t state;
    int seeded;
} vg__gallery_rng;

void vg__gallery_rng_init(vg__gallery_rng *rng, uint64_t seed);

/* Returns a number uniform in [0, n) (n >= 1), without modulo bias. */
uint64_t vg__gallery_rng_below(vg__gallery_rng *rng, uint64_t n);

/* Characters a title made from a prompt keeps at most, before its "…". */
#define VG__GALLERY_TITLE_CHARS 60

/* Makes a title from a prompt: white space collapsed to single spaces, the whole of it when
 * it has at most VG__GALLERY_TITLE_CHARS characters and fits in size - 1 bytes; otherwise
 * its start, cut at a code point (never before a combining mark) and at a word end when
 * the cut would split a word of a spaced script, with trailing spaces and punctuation
 * dropped, then "…". size >= 8. Returns the title's length ("" for a blank prompt). */
size_t vg__gallery_title_from_prompt(char *out, size_t size, const char *prompt);

#endif
