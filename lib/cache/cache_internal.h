/* SPDX-License-Identifier: MIT */
/* What the files of the similarity cache share: normalisation, the second gate, the local
 * embedder (normalize.c, gate.c, embed_local.c) and the in-memory vector index (index.c). */
#ifndef VG_CACHE_INTERNAL_H
#define VG_CACHE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "vidgo/cache.h"

/* --- normalisation (normalize.c) ------------------------------------------------------- */

/* Normalises a prompt with utf8proc: NFKC, case fold (full), every run of white space
 * (Unicode White_Space, including U+3000) collapsed to one ASCII space, trimmed. Writes
 * out[size] (terminated) and its length to *out_len (may be NULL). Returns VG_OK, VG_EINVAL
 * (NULL), VG_EUTF8, VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG (input over VG_PROMPT_MAX_BYTES or
 * result over VG_PROMPT_MAX_BYTES), VG_EBUFSIZE (out too small; *out_len gets the size
 * needed, terminator excluded). Records failures on the calling thread (vg__fail(NULL,...)). */
int vg__prompt_normalize(char *out, size_t size, size_t *out_len, const char *prompt);

/* --- the second gate (gate.c) ---------------------------------------------------------- */

/* Returns 1 when two normalised prompts agree on what a cosine cannot see: negation words,
 * numbers with their units (3 s vs 30 s, 1080p vs 720p, 2 vs two), and colour words, in the
 * five languages; 0 when they do not, with a short ASCII reason ("negation", "number",
 * "colour") in *reason (may be NULL). */
int vg__gate_agree(const char *a, const char *b, const char **reason);

/* --- the local embedder (embed_local.c) ------------------------------------------------- */

/* Embeds a normalised prompt offline: hashed character n-grams (and, for scripts without
 * spaces, character bigrams) into `dimension` signed buckets, L2-normalised; an empty
 * prompt gives the zero vector. Deterministic across runs and machines. */
void vg__embed_local(float *out, int dimension, const char *normalized);

/* --- the vector index (index.c, index_avx2.c) -------------------------------------------- */

typedef struct vg__index vg__index;

/* How a search runs. */
typedef enum vg__index_path {
    VG__PATH_AUTO = 0,     /* the fastest this machine has; int8 from VG__INT8_MIN_ROWS rows */
    VG__PATH_PORTABLE = 1, /* plain C float32 */
    VG__PATH_AVX2 = 2,     /* AVX2 + FMA float32 (falls back to portable where absent) */
    VG__PATH_INT8 = 3      /* int8-quantised scan, then float32 re-rank of the candidates */
} vg__index_path;

#define VG__INT8_MIN_ROWS 50000

typedef struct vg__search_options {
    vg__index_path path;
    int threads;      /* 0 or 1: the calling thread only; n: up to n threads for large scans */
    size_t rerank;    /* int8: candidates re-ranked in float32 per query; 0 = 4 * k + 32 */
} vg__search_options;

typedef struct vg__match {
    int64_t id;
    float score;      /* dot product = cosine of L2-normalised vectors */
} vg__match;

/* Makes an empty index of vectors of `dimension` floats. Returns VG_OK, VG_EINVAL, VG_ENOMEM. */
int vg__index_new(vg__index **out, int dimension);
void vg__index_free(vg__index *index);

/* Adds a row: an L2-normalised vector, its id (unique in the index), and who may see it
 * (0: everyone; else only that user id). VG_EEXISTS for an id already there, VG_ENOMEM. */
int vg__index_add(vg__index *index, int64_t id, int64_t visible_to, const float *vector);

/* Removes a row by id (the last row takes its place). VG_ENOTFOUND if absent. */
int vg__index_remove(vg__index *index, int64_t id);

size_t vg__index_count(const vg__index *index);
int vg__index_dimension(const vg__index *index);

/* Memory the index holds per row, in bytes (vectors, int8 copies, ids, the id map). */
size_t vg__index_bytes_per_row(const vg__index *index);

/* Finds, for each of `count` queries (count x dimension floats, row-major), the k rows with
 * the highest dot product among those visible to `user_id` (0: the rows visible to
 * everyone), best first, ties broken by smaller id. Writes them to out[q * k .. q * k + k)
 * and the number found for each query to found[q] (fewer than k when the index has fewer
 * visible rows). Scores are computed in float32 (the int8 path re-ranks its candidates in
 * float32). Read-only on the index: several searches may run at once. Returns VG_OK,
 * VG_EINVAL, VG_ENOMEM. */
int vg__index_search(const vg__index *index, const float *queries, size_t count, size_t k,
                     int64_t user_id, const vg__search_options *options, vg__match *out,
                     size_t *found);

/* The path a search with these options takes on this machine ("avx2", "portable", "int8"). */
const char *vg__index_path_name(const vg__index *index, const vg__search_options *options);

#endif
