/* SPDX-License-Identifier: MIT */
/* Searching the vector index: top-k per query with small heaps, the scan blocked so a batch
 * reads each row from memory once, split across threads for large scans, and the int8 scan
 * with its float32 re-rank. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index_internal.h"
#include "core/internal.h"

/* Rows scanned together (they stay in L2 while every query of the group reads them), and the
 * queries of a group (in L1/L2 beside them). */
#define BLOCK_BYTES (64 * 1024)
#define GROUP_BYTES (96 * 1024)
#define MAX_GROUP 64
#define MAX_THREADS 64

typedef struct hit {
    float score;
    uint32_t row;
    int64_t id;
} hit;

/* The best `cap` hits so far; the worst of them at items[0]. */
typedef struct heap {
    hit *items;
    size_t size, cap;
} heap;

/* Best first: higher score, then smaller id. */
static int better(const hit *a, const hit *b)
{
    return a->score > b->score || (a->score == b->score && a->id < b->id);
}

static int by_rank(const void *a, const void *b)
{
    return better(a, b) ? -1 : better(b, a) ? 1 : 0;
}

static void sift_down(heap *h, size_t i)
{
    for (;;) {
        size_t child = 2 * i + 1, worst = i;
        hit tmp;
        if (child < h->size && better(&h->items[worst], &h->items[child]))
            worst = child;
        if (child + 1 < h->size && better(&h->items[worst], &h->items[child + 1]))
            worst = child + 1;
        if (worst == i)
            return;
        tmp = h->items[i];
        h->items[i] = h->items[worst];
        h->items[worst] = tmp;
        i = worst;
    }
}

/* Keeps c if it is among the best cap; returns 1 if it was kept. */
static int heap_offer(heap *h, const hit *c)
{
    size_t i;
    if (h->size < h->cap) {
        for (i = h->size++; i > 0 && better(&h->items[(i - 1) / 2], c); i = (i - 1) / 2)
            h->items[i] = h->items[(i - 1) / 2];
        h->items[i] = *c;
        return 1;
    }
    if (h->cap == 0 || !better(c, &h->items[0]))
        return 0;
    h->items[0] = *c;
    sift_down(h, 0);
    return 1;
}

/* What a hit must reach to enter a full heap. */
static float heap_bar(const heap *h)
{
    return h->size < h->cap ? -INFINITY : h->cap ? h->items[0].score : INFINITY;
}

/* --- one thread's share of the scan of one group of queries ----------------------------- */

typedef struct scan {
    const vg__index *index;
    const vg__scan_kernels *kernels;
    int int8;
    const float *queries;     /* nq * stride, padded and aligned */
    const int8_t *qqueries;   /* nq * qstride, for int8 */
    size_t nq;
    int64_t user_id;
    size_t begin, end;        /* rows */
    size_t block;             /* rows per block */
    heap *heaps;              /* nq, each of the search's capacity */
    float *scores;            /* block * nq */
    int32_t *dots;            /* block * nq, for int8 */
    pthread_t thread;
    int started;
} scan;

/* Offers the visible rows base .. base+n of a block to a heap. */
static void offer_block(heap *h, const float *scores, size_t base, size_t n,
                        const vg__index *index, int64_t user_id)
{
    float bar = heap_bar(h);
    size_t r;
    for (r = 0; r < n; r++) {
        size_t row = base + r;
        int64_t visible_to;
        hit c;
        if (scores[r] < bar)
            continue;
        visible_to = index->visible_to[row];
        if (visible_to != 0 && visible_to != user_id)
            continue;
        c.score = scores[r];
        c.row = (uint32_t)row;
        c.id = index->ids[row];
        if (heap_offer(h, &c))
            bar = heap_bar(h);
    }
}

static void *scan_run(void *arg)
{
    scan *s = arg;
    const vg__index *index = s->index;
    size_t base, q, i;

    for (base = s->begin; base < s->end; base += s->block) {
        size_t n = s->end - base < s->block ? s->end - base : s->block;
        if (s->int8) {
            /* The int8 dot times the row's scale orders rows as the float dot would, but
             * for rounding (the query's scale is the same for every row). */
            s->kernels->i8(s->dots, index->qrows + base * index->qstride, n, index->qstride,
                           s->qqueries, s->nq);
            for (q = 0; q < s->nq; q++)
                for (i = 0; i < n; i++)
                    s->scores[q * n + i] = (float)s->dots[q * n + i] * index->qscales[base + i];
        } else {
            s->kernels->f32(s->scores, index->rows + base * index->stride, n, index->stride,
                            s->queries, s->nq);
        }
        for (q = 0; q < s->nq; q++)
            offer_block(&s->heaps[q], s->scores + q * n, base, n, index, s->user_id);
    }
    return NULL;
}

/* --- a search ---------------------------------------------------------------------------- */

typedef struct search {
    const vg__index *index;
    const vg__scan_kernels *kernels;
    int int8;
    size_t k, cap;            /* results per query; hits kept per query by each scan */
    size_t group;             /* queries scanned together */
    size_t nthreads;
    float *queries;           /* group * stride */
    int8_t *qqueries;         /* group * qstride */
    scan *scans;              /* nthreads */
    heap *heaps;              /* (nthreads + 1) * group: the merged ones, then each scan's */
    hit *items;               /* cap for each of the heaps */
    hit *reranked;            /* min(k, cap), for int8 */
    float *scores;            /* nthreads * block * group */
    int32_t *dots;
} search;

static void search_free(search *s)
{
    free(s->queries);
    free(s->qqueries);
    free(s->scans);
    free(s->heaps);
    free(s->items);
    free(s->reranked);
    free(s->scores);
    free(s->dots);
}

/* Sizes the search and allocates what it needs. */
static int search_prepare(search *s, const vg__index *index, size_t count, size_t k,
                          int64_t user_id, const vg__search_options *options)
{
    size_t rerank, row_bytes, block, t, q, rows = index->count;
    int int8 = options->path == VG__PATH_INT8 ||
               (options->path == VG__PATH_AUTO && rows >= VG__INT8_MIN_ROWS &&
                vg__index_int8_kept(index));

    memset(s, 0, sizeof *s);
    s->index = index;
    s->kernels = options->path == VG__PATH_PORTABLE ? &vg__scan_portable : vg__scan_best();
    s->int8 = int8;
    s->k = k;
    rerank = options->rerank ? options->rerank : (k <= SIZE_MAX / 8 ? 4 * k + 32 : k);
    s->cap = int8 && rerank > k ? rerank : k;
    if (s->cap > rows)
        s->cap = rows;

    row_bytes = int8 ? index->qstride : index->stride * sizeof(float);
    s->group = GROUP_BYTES / row_bytes;
    s->group = s->group < 1 ? 1 : s->group > MAX_GROUP ? MAX_GROUP : s->group;
    if (s->group > count)
        s->group = count;
    block = BLOCK_BYTES / row_bytes;
    block = block < 8 ? 8 : block > 1024 ? 1024 : block;

    s->nthreads = 1;
    if (options->threads > 1 && rows * row_bytes >= VG__INDEX_THREAD_MIN_BYTES)
        s->nthreads = (size_t)options->threads > MAX_THREADS ? MAX_THREADS
                                                              : (size_t)options->threads;
    if (s->nthreads > rows)
        s->nthreads = rows ? rows : 1;

    if (s->cap > SIZE_MAX / sizeof(hit) / (s->nthreads + 1) / s->group)
        return VG_ENOMEM;
    s->queries = vg__index_alloc_aligned(s->group * index->stride, sizeof(float));
    s->scans = calloc(s->nthreads, sizeof *s->scans);
    s->heaps = calloc((s->nthreads + 1) * s->group, sizeof *s->heaps);
    s->items = malloc((s->nthreads + 1) * s->group * (s->cap ? s->cap : 1) * sizeof *s->items);
    s->scores = malloc(s->nthreads * block * s->group * sizeof *s->scores);
    if (!s->queries || !s->scans || !s->heaps || !s->items || !s->scores)
        return VG_ENOMEM;
    if (int8) {
        s->qqueries = vg__index_alloc_aligned(s->group * index->qstride, 1);
        s->dots = malloc(s->nthreads * block * s->group * sizeof *s->dots);
        s->reranked = malloc((s->cap ? s->cap : 1) * sizeof *s->reranked); /* k or fewer */
        if (!s->qqueries || !s->dots || !s->reranked)
            return VG_ENOMEM;
    }
    for (t = 0; t <= s->nthreads; t++)
        for (q = 0; q < s->group; q++) {
            s->heaps[t * s->group + q].items = s->items + (t * s->group + q) * s->cap;
            s->heaps[t * s->group + q].cap = s->cap;
        }
    for (t = 0; t < s->nthreads; t++) {
        scan *sc = &s->scans[t];
        sc->index = index;
        sc->heaps = s->heaps + (t + 1) * s->group;
        sc->kernels = s->kernels;
        sc->int8 = int8;
        sc->queries = s->queries;
        sc->qqueries = s->qqueries;
        sc->user_id = user_id;
        sc->begin = rows * t / s->nthreads;
        sc->end = rows * (t + 1) / s->nthreads;
        sc->block = block;
        sc->scores = s->scores + t * block * s->group;
        sc->dots = int8 ? s->dots + t * block * s->group : NULL;
    }
    return VG_OK;
}

/* Scans the rows for nq queries (already in s->queries / s->qqueries) and merges what every
 * thread kept into one heap per query, s->heaps[0 .. nq). */
static void search_group(search *s, size_t nq)
{
    size_t t, q, i;
    for (t = 0; t <= s->nthreads; t++)
        for (q = 0; q < nq; q++)
            s->heaps[t * s->group + q].size = 0;
    for (t = 0; t < s->nthreads; t++) {
        scan *sc = &s->scans[t];
        sc->nq = nq;
        /* Another thread for every share but the first; if one cannot start, the calling
         * thread does its share too. */
        sc->started = t > 0 && pthread_create(&sc->thread, NULL, scan_run, sc) == 0;
    }
    scan_run(&s->scans[0]);
    for (t = 1; t < s->nthreads; t++) {
        if (s->scans[t].started)
            pthread_join(s->scans[t].thread, NULL);
        else
            scan_run(&s->scans[t]);
    }
    for (q = 0; q < nq; q++)
        for (t = 0; t < s->nthreads; t++)
            for (i = 0; i < s->scans[t].heaps[q].size; i++)
                heap_offer(&s->heaps[q], &s->scans[t].heaps[q].items[i]);
}

/* The int8 candidates of one query, scored again in float32; the best k stay in h. */
static void rerank(search *s, const float *query, heap *h)
{
    const vg__index *index = s->index;
    heap best = {s->reranked, 0, s->k < h->size ? s->k : h->size};
    size_t i;
    for (i = 0; i < h->size; i++) {
        hit c = h->items[i];
        s->kernels->f32(&c.score, index->rows + (size_t)c.row * index->stride, 1,
                        index->stride, query, 1);
        heap_offer(&best, &c);
    }
    memcpy(h->items, best.items, best.size * sizeof *best.items);
    h->size = best.size;
}

static int search_check(const vg__index *index, const float *queries, size_t count, size_t k,
                        const vg__search_options *options, const vg__match *out,
                        const size_t *found)
{
    size_t i, n;
    if (!index || !queries || !out || !found || !options)
        return vg__fail(NULL, VG_EINVAL, "vg__index_search: an argument is NULL");
    if (k == 0 || (count && k > SIZE_MAX / sizeof *out / count))
        return vg__fail(NULL, VG_EINVAL, "vg__index_search: k is 0 or too large");
    if ((unsigned)options->path > VG__PATH_INT8 || options->threads < 0)
        return vg__fail(NULL, VG_EINVAL, "vg__index_search: bad options");
    if (count > SIZE_MAX / sizeof *queries / (size_t)index->dimension)
        return vg__fail(NULL, VG_EINVAL, "vg__index_search: count is too large");
    n = count * (size_t)index->dimension;
    for (i = 0; i < n; i++)
        if (!isfinite(queries[i]))
            return vg__fail(NULL, VG_EINVAL, "vg__index_search: a query is not finite");
    return VG_OK;
}

int vg__index_search(const vg__index *index, const float *queries, size_t count, size_t k,
                     int64_t user_id, const vg__search_options *options, vg__match *out,
                     size_t *found)
{
    static const vg__search_options defaults = {VG__PATH_AUTO, 0, 0};
    search s;
    size_t first, q, i, dimension;
    int rc;

    if (!options)
        options = &defaults;
    if ((rc = search_check(index, queries, count, k, options, out, found)) != VG_OK)
        return rc;
    if (count == 0)
        return VG_OK;
    if (options->path == VG__PATH_INT8 && (rc = vg__index_int8_ensure(index)) != VG_OK)
        return rc;
    dimension = (size_t)index->dimension;
    if ((rc = search_prepare(&s, index, count, k, user_id, options)) != VG_OK) {
        search_free(&s);
        return vg__fail(NULL, rc, "no memory to search the index");
    }
    memset(s.queries, 0, s.group * index->stride * sizeof *s.queries);
    for (first = 0; first < count; first += s.group) {
        size_t nq = count - first < s.group ? count - first : s.group;
        for (q = 0; q < nq; q++) {
            float *query = s.queries + q * index->stride;
            float scale;
            memcpy(query, queries + (first + q) * dimension, dimension * sizeof *query);
            if (s.int8)
                vg__scan_quantize(s.qqueries + q * index->qstride, &scale, query, dimension,
                                  index->qstride);
        }
        search_group(&s, nq);
        for (q = 0; q < nq; q++) {
            heap *h = &s.heaps[q];
            vg__match *results = out + (first + q) * k;
            if (s.int8)
                rerank(&s, s.queries + q * index->stride, h);
            qsort(h->items, h->size, sizeof *h->items, by_rank);
            for (i = 0; i < h->size; i++) {
                results[i].id = h->items[i].id;
                results[i].score = h->items[i].score;
            }
            found[first + q] = h->size;
        }
    }
    search_free(&s);
    return VG_OK;
}

const char *vg__index_path_name(const vg__index *index, const vg__search_options *options)
{
    vg__index_path path = options ? options->path : VG__PATH_AUTO;
    if (path == VG__PATH_INT8 || (path == VG__PATH_AUTO && index &&
                                  index->count >= VG__INT8_MIN_ROWS &&
                                  vg__index_int8_kept(index)))
        return "int8";
    if (path == VG__PATH_PORTABLE)
        return vg__scan_portable.name;
    return vg__scan_best()->name;
}
