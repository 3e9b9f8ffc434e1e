/* SPDX-License-Identifier: MIT */
/* The offline `local` embedder: hashed character n-grams in signed buckets, L2-normalised. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cache_internal.h"
#include "core/internal.h"
#include "text.h"

/*
 * Features, each hashed with 64-bit FNV-1a (then the MurmurHash3 finaliser, so that every
 * bit depends on every byte) behind a one-byte tag of its kind:
 *   - a word of a space-separated script: the word itself, and the 3-grams (by code point)
 *     of "<word>", so that a typo, a plural or an inflection keeps most of them;
 *   - a run of CJK or Hangul characters: each character and each pair of neighbours.
 * A feature adds +1 or -1 (the top bit of its hash) to bucket hash % dimension; the vector
 * is then divided by its L2 norm. Word order does not count. The features, the hash and
 * the tags are the model "hashed-ngrams-v1": changing any of them needs a new model name,
 * since stored vectors would no longer compare with new ones.
 */

#define LOCAL_DEFAULT_DIMENSION 768
#define LOCAL_MAX_DIMENSION 4096
#define LOCAL_MAX_BATCH 64
#define LOCAL_MAX_WORD (VG_PROMPT_MAX_BYTES + 2) /* a word and its two boundary marks */

enum feature_kind {
    FEATURE_WORD = 'w',
    FEATURE_TRIGRAM = 't',
    FEATURE_UNIGRAM = 'u',
    FEATURE_BIGRAM = 'b'
};

static uint64_t fnv1a(uint64_t h, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= p[i];
        h *= UINT64_C(0x100000001b3);
    }
    return h;
}

static uint64_t finalize(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static void add_feature(float *out, int dimension, int kind, const char *bytes, size_t n)
{
    unsigned char tag = (unsigned char)kind;
    uint64_t h = fnv1a(UINT64_C(0xcbf29ce484222325), &tag, 1);
    h = finalize(fnv1a(h, bytes, n));
    out[h % (uint64_t)dimension] += (h >> 63) ? -1.0f : 1.0f;
}

/* A word: itself, and the 3-grams of "<word>". */
static void add_word(float *out, int dimension, const char *word, size_t n)
{
    char marked[LOCAL_MAX_WORD];
    size_t len, starts[4], count = 0, pos = 0;

    if (n > LOCAL_MAX_WORD - 2)
        n = LOCAL_MAX_WORD - 2;
    add_feature(out, dimension, FEATURE_WORD, word, n);
    marked[0] = '<';
    memcpy(marked + 1, word, n);
    marked[n + 1] = '>';
    len = n + 2;
    /* starts[] holds the offsets of the last three code points read */
    while (pos < len) {
        if (count == 3) {
            memmove(starts, starts + 1, 2 * sizeof starts[0]);
            count = 2;
        }
        starts[count++] = pos;
        vg__text_next(marked, len, &pos);
        if (count == 3)
            add_feature(out, dimension, FEATURE_TRIGRAM, marked + starts[0], pos - starts[0]);
    }
}

/* A run of CJK or Hangul characters: each character, and each pair of neighbours. */
static void add_run(float *out, int dimension, const char *run, size_t n)
{
    size_t pos = 0, prev = 0;
    int first = 1;

    while (pos < n) {
        size_t start = pos;
        vg__text_next(run, n, &pos);
        add_feature(out, dimension, FEATURE_UNIGRAM, run + start, pos - start);
        if (!first)
            add_feature(out, dimension, FEATURE_BIGRAM, run + prev, pos - prev);
        prev = start;
        first = 0;
    }
}

void vg__embed_local(float *out, int dimension, const char *normalized)
{
    size_t len, pos = 0, start = 0;
    vg__text_class current = VG__TEXT_SPACE;
    double norm = 0.0;
    int i;

    if (!out || dimension <= 0)
        return;
    memset(out, 0, (size_t)dimension * sizeof *out);
    if (!normalized)
        return;
    len = strlen(normalized);
    /* Split into words and CJK/Hangul runs; a run ends where the class changes. */
    while (pos <= len) {
        size_t here = pos;
        vg__text_class cls = VG__TEXT_SPACE;
        if (pos < len) {
            cls = vg__text_class_of(vg__text_next(normalized, len, &pos));
            if (cls == VG__TEXT_HANGUL)
                cls = VG__TEXT_CJK;
        } else {
            pos++;
        }
        if (cls == current)
            continue;
        if (current == VG__TEXT_WORD)
            add_word(out, dimension, normalized + start, here - start);
        else if (current == VG__TEXT_CJK)
            add_run(out, dimension, normalized + start, here - start);
        current = cls == VG__TEXT_PUNCT ? VG__TEXT_SPACE : cls;
        start = here;
    }
    for (i = 0; i < dimension; i++)
        norm += (double)out[i] * out[i];
    if (norm == 0.0)
        return;
    norm = sqrt(norm);
    for (i = 0; i < dimension; i++)
        out[i] = (float)(out[i] / norm);
}

/* The vg_embed_fn of the local embedder; its payload carries the dimension. */
static int local_embed(float *out, const char *const *prompts, size_t count, char *errbuf,
                       size_t errbuf_size, void *payload)
{
    intptr_t dimension = (intptr_t)payload;
    size_t i;

    if (dimension <= 0 || dimension > LOCAL_MAX_DIMENSION || (count > 0 && (!out || !prompts))) {
        if (errbuf && errbuf_size > 0)
            snprintf(errbuf, errbuf_size, "local embedder: invalid arguments");
        return VG_EINVAL;
    }
    for (i = 0; i < count; i++) {
        if (!prompts[i]) {
            if (errbuf && errbuf_size > 0)
                snprintf(errbuf, errbuf_size, "local embedder: prompt %zu is NULL", i);
            return VG_EINVAL;
        }
        vg__embed_local(out + i * (size_t)dimension, (int)dimension, prompts[i]);
    }
    return 0;
}

int vg_embedder_local(vg_embedder *out, int dimension)
{
    if (!out)
        return vg__fail(NULL, VG_EINVAL, "vg_embedder_local: out is NULL");
    if (dimension == 0)
        dimension = LOCAL_DEFAULT_DIMENSION;
    if (dimension < 1 || dimension > LOCAL_MAX_DIMENSION)
        return vg__fail(NULL, VG_EINVAL, "vg_embedder_local: dimension %d is not 1..%d",
                        dimension, LOCAL_MAX_DIMENSION);
    out->version = VG_EMBEDDER_VERSION;
    out->name = "local";
    out->model = "hashed-ngrams-v1";
    out->dimension = dimension;
    out->max_batch = LOCAL_MAX_BATCH;
    out->embed = local_embed;
    /* The callback learns the dimension from nowhere else: vg_embed_fn has no such
     * argument, so the payload carries it (no memory behind it). */
    out->payload = (void *)(intptr_t)dimension;
    return VG_OK;
}
