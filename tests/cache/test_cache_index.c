/* SPDX-License-Identifier: MIT */
/* The similarity cache's vector index: its top-k equals a double-precision reference on
 * every path (portable, AVX2, int8 with re-rank, batches, two threads), int8 recall,
 * visibility, removal, and what it refuses. */
#include <math.h>
#include <pthread.h>
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
#include "cache/index_internal.h"

#define K 10            /* results asked for */
#define QUERIES 70      /* per fixture: more than one group of a batch at every dimension */
#define TIE 1e-5        /* rows whose reference scores are this close may come in either order */
#define USER 5          /* the user the fixtures are searched for */
#define OTHER_USER 6

/* --- random unit vectors ------------------------------------------------------------------ */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t next_u64(void)
{
    uint64_t z = (rng += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

static double uniform(void)
{
    return ((double)(next_u64() >> 11) + 0.5) / 9007199254740992.0;
}

static double gaussian(void)
{
    return sqrt(-2 * log(uniform())) * cos(6.283185307179586 * uniform());
}

static void random_unit(float *v, int dimension)
{
    double norm = 0, x[1024];
    int i, j;
    for (i = 0; i < dimension; i += 1024) {
        int n = dimension - i < 1024 ? dimension - i : 1024;
        for (j = 0; j < n; j++) {
            x[j] = gaussian();
            v[i + j] = (float)x[j];
            norm += x[j] * x[j];
        }
    }
    norm = sqrt(norm);
    for (i = 0; i < dimension; i++)
        v[i] = (float)(v[i] / norm);
}

/* --- the model: what the index should hold, slot s being id 3s + 1 --------------------------- */

typedef struct model {
    int dimension;
    size_t slots;
    float *vectors;     /* slots * dimension */
    int64_t *visible_to;
    char *present;
} model;

static int64_t id_of(size_t slot)
{
    return (int64_t)slot * 3 + 1;
}

static void model_init(model *m, int dimension, size_t slots)
{
    m->dimension = dimension;
    m->slots = slots;
    m->vectors = malloc((slots ? slots : 1) * (size_t)dimension * sizeof *m->vectors);
    m->visible_to = calloc(slots ? slots : 1, sizeof *m->visible_to);
    m->present = calloc(slots ? slots : 1, 1);
    assert_non_null(m->vectors);
    assert_non_null(m->visible_to);
    assert_non_null(m->present);
}

static void model_free(model *m)
{
    free(m->vectors);
    free(m->visible_to);
    free(m->present);
}

static const float *vector_of(const model *m, size_t slot)
{
    return m->vectors + slot * (size_t)m->dimension;
}

static void add_slot(vg__index *index, model *m, size_t slot, int64_t visible_to)
{
    m->visible_to[slot] = visible_to;
    m->present[slot] = 1;
    assert_int_equal(vg__index_add(index, id_of(slot), visible_to, vector_of(m, slot)), VG_OK);
}

static double dot(const float *a, const float *b, int dimension)
{
    double s = 0;
    int i;
    for (i = 0; i < dimension; i++)
        s += (double)a[i] * (double)b[i];
    return s;
}

typedef struct ref_hit {
    double score;
    int64_t id;
} ref_hit;

static int visible(const model *m, size_t slot, int64_t user_id)
{
    return m->present[slot] && (m->visible_to[slot] == 0 || m->visible_to[slot] == user_id);
}

/* The k best visible rows in double precision, best first, ties by the smaller id. */
static size_t reference(ref_hit *out, const model *m, const float *query, size_t k,
                        int64_t user_id)
{
    size_t n = 0, slot, i;
    for (slot = 0; slot < m->slots; slot++) {
        ref_hit c;
        if (!visible(m, slot, user_id))
            continue;
        c.score = dot(vector_of(m, slot), query, m->dimension);
        c.id = id_of(slot);
        if (n == k && !(c.score > out[k - 1].score ||
                        (c.score == out[k - 1].score && c.id < out[k - 1].id)))
            continue;
        for (i = n < k ? n++ : k - 1;
             i > 0 && (c.score > out[i - 1].score ||
                       (c.score == out[i - 1].score && c.id < out[i - 1].id));
             i--)
            out[i] = out[i - 1];
        out[i] = c;
    }
    return n;
}

/* Checks one query's results against the reference (ref[0 .. n), or computed when ref is
 * NULL): the same rows but where reference scores are within TIE (then either order), each
 * score its row's, best first. */
static void check_against(const model *m, const float *query, size_t k, int64_t user_id,
                          const vg__match *got, size_t found, const char *label,
                          const ref_hit *given, size_t n)
{
    ref_hit *ref = given ? NULL : malloc(k * sizeof *ref);
    size_t i, j;
    if (!given) {
        assert_non_null(ref);
        n = reference(ref, m, query, k, user_id);
        given = ref;
    }
    if (found != n)
        fail_msg("%s: %zu found, the reference has %zu", label, found, n);
    for (i = 0; i < found; i++) {
        size_t slot = (size_t)((got[i].id - 1) / 3);
        double exact;
        if (got[i].id < 1 || (got[i].id - 1) % 3 != 0 || slot >= m->slots ||
            !visible(m, slot, user_id))
            fail_msg("%s: result %zu is id %lld, not a row this user sees", label, i,
                     (long long)got[i].id);
        exact = dot(vector_of(m, slot), query, m->dimension);
        if (fabs(exact - given[i].score) > TIE)
            fail_msg("%s: result %zu is id %lld (%.9f), the reference has id %lld (%.9f)",
                     label, i, (long long)got[i].id, exact, (long long)given[i].id,
                     given[i].score);
        if (fabs(exact - (double)got[i].score) > TIE)
            fail_msg("%s: id %lld scored %.9f, exactly %.9f", label, (long long)got[i].id,
                     (double)got[i].score, exact);
        for (j = 0; j < i; j++)
            if (got[j].id == got[i].id)
                fail_msg("%s: id %lld twice", label, (long long)got[i].id);
        if (i > 0 && !(got[i - 1].score > got[i].score ||
                       (got[i - 1].score == got[i].score && got[i - 1].id < got[i].id)))
            fail_msg("%s: results %zu and %zu out of order", label, i - 1, i);
    }
    free(ref);
}

static void check_results(const model *m, const float *query, size_t k, int64_t user_id,
                          const vg__match *got, size_t found, const char *label)
{
    check_against(m, query, k, user_id, got, found, label, NULL, 0);
}

/* --- fixtures: an index per dimension and row count, with its model and queries ------------ */

/* 23 leaves three chunks of 8 floats past the last group of four in a row */
static const int dimensions[] = {1, 7, 8, 9, 23, 63, 64, 65, 768, 769};
#define D768 8
#define DIMENSIONS (sizeof dimensions / sizeof dimensions[0])
#define SIZES 6 /* 0, 1, K-1, K, 300, and enough rows for threads */
#define LARGE_SINGLE 8 /* queries searched one by one on the largest fixtures */

typedef struct fixture {
    vg__index *index;
    model m;
    float *queries; /* QUERIES * dimension; the first few are rows of the index */
    ref_hit *ref;   /* QUERIES * K: the reference results for USER */
    size_t ref_n[QUERIES];
} fixture;

static fixture fixtures[DIMENSIONS][SIZES];

static size_t size_rows(int dimension, int size)
{
    static const size_t rows[SIZES - 1] = {0, 1, K - 1, K, 300};
    size_t stride = ((size_t)dimension + VG__INDEX_F32_LANES - 1) / VG__INDEX_F32_LANES *
                    VG__INDEX_F32_LANES;
    /* float32 scans use threads from here; int8 ones too up to dimension 8 (where an int8
     * row, 32 bytes, is as long as a float row), test_int8_with_two_threads_... does more */
    return size < SIZES - 1 ? rows[size] : VG__INDEX_THREAD_MIN_BYTES / (stride * 4) + 5;
}

static int fixtures_setup(void **state)
{
    size_t d, z, slot;
    int q;
    (void)state;
    for (d = 0; d < DIMENSIONS; d++)
        for (z = 0; z < SIZES; z++) {
            fixture *f = &fixtures[d][z];
            int dimension = dimensions[d];
            size_t rows = size_rows(dimension, (int)z);
            model_init(&f->m, dimension, rows);
            if (vg__index_new(&f->index, dimension) != VG_OK)
                return -1;
            for (slot = 0; slot < rows; slot++) {
                random_unit(f->m.vectors + slot * (size_t)dimension, dimension);
                add_slot(f->index, &f->m, slot,
                         slot % 5 == 1 ? USER : slot % 5 == 2 ? OTHER_USER : 0);
            }
            f->queries = malloc(QUERIES * (size_t)dimension * sizeof *f->queries);
            f->ref = malloc(QUERIES * K * sizeof *f->ref);
            if (!f->queries || !f->ref)
                return -1;
            for (q = 0; q < QUERIES; q++) {
                float *query = f->queries + (size_t)q * (size_t)dimension;
                if (q < 3 && rows > 0)
                    memcpy(query, vector_of(&f->m, (size_t)q * 7 % rows),
                           (size_t)dimension * sizeof *query);
                else
                    random_unit(query, dimension);
                f->ref_n[q] = reference(f->ref + (size_t)q * K, &f->m, query, K, USER);
            }
        }
    return 0;
}

static int fixtures_teardown(void **state)
{
    size_t d, z;
    (void)state;
    for (d = 0; d < DIMENSIONS; d++)
        for (z = 0; z < SIZES; z++) {
            vg__index_free(fixtures[d][z].index);
            model_free(&fixtures[d][z].m);
            free(fixtures[d][z].queries);
            free(fixtures[d][z].ref);
        }
    return 0;
}

/* Searches every fixture with these options, one query at a time or all in one batch. */
static void check_fixtures(vg__index_path path, int threads, int batch)
{
    static vg__match got[QUERIES * K];
    static size_t found[QUERIES];
    vg__search_options options = {path, threads, 0};
    size_t d, z, q;
    char label[160];

    for (d = 0; d < DIMENSIONS; d++)
        for (z = 0; z < SIZES; z++) {
            const fixture *f = &fixtures[d][z];
            size_t dimension = (size_t)dimensions[d];
            size_t n = batch ? QUERIES : z == SIZES - 1 ? LARGE_SINGLE : QUERIES;
            if (batch) {
                assert_int_equal(vg__index_search(f->index, f->queries, QUERIES, K, USER,
                                                  &options, got, found),
                                 VG_OK);
            } else {
                for (q = 0; q < n; q++)
                    assert_int_equal(vg__index_search(f->index, f->queries + q * dimension, 1,
                                                      K, USER, &options, got + q * K,
                                                      found + q),
                                     VG_OK);
            }
            for (q = 0; q < n; q++) {
                snprintf(label, sizeof label,
                         "%s, %s, %d thread(s), dimension %zu, %zu rows, query %zu",
                         vg__index_path_name(f->index, &options), batch ? "batch" : "single",
                         threads ? threads : 1, dimension, f->m.slots, q);
                check_against(&f->m, f->queries + q * dimension, K, USER, got + q * K,
                              found[q], label, f->ref + q * K, f->ref_n[q]);
            }
        }
}

static int avx2_available(void)
{
    vg__search_options options = {VG__PATH_AVX2, 0, 0};
    if (strcmp(vg__index_path_name(fixtures[0][0].index, &options), "avx2") == 0)
        return 1;
    printf("note: this processor (or build) has no AVX2 + FMA: the AVX2 path is not tested\n");
    return 0;
}

static void test_portable_path_matches_the_reference(void **state)
{
    (void)state;
    check_fixtures(VG__PATH_PORTABLE, 0, 0);
}

static void test_avx2_path_matches_the_reference(void **state)
{
    (void)state;
    if (!avx2_available())
        skip();
    check_fixtures(VG__PATH_AVX2, 0, 0);
}

static void test_int8_path_with_rerank_matches_the_reference(void **state)
{
    (void)state;
    check_fixtures(VG__PATH_INT8, 0, 0);
}

static void test_batches_match_the_reference_on_every_path(void **state)
{
    (void)state;
    check_fixtures(VG__PATH_PORTABLE, 0, 1);
    check_fixtures(VG__PATH_AVX2, 0, 1);
    check_fixtures(VG__PATH_INT8, 0, 1);
    check_fixtures(VG__PATH_AUTO, 0, 1);
}

static void test_two_threads_match_the_reference_on_every_path(void **state)
{
    (void)state;
    check_fixtures(VG__PATH_PORTABLE, 2, 0);
    check_fixtures(VG__PATH_AVX2, 2, 0);
    check_fixtures(VG__PATH_AVX2, 2, 1);
    check_fixtures(VG__PATH_INT8, 2, 1);
}

/* int8 scans read a quarter of the bytes, so they need four times the rows for threads. */
static void test_int8_with_two_threads_matches_the_reference(void **state)
{
    enum { DIM = 768, N = 16 };
    size_t rows = VG__INDEX_THREAD_MIN_BYTES / DIM + 5, slot, q;
    vg__search_options one = {VG__PATH_INT8, 1, 0}, two = {VG__PATH_INT8, 2, 0};
    static vg__match got[N * K], single[N * K];
    size_t found[N], found_single[N];
    float *queries = malloc(N * DIM * sizeof *queries);
    model m;
    vg__index *index;
    (void)state;

    assert_non_null(queries);
    model_init(&m, DIM, rows);
    assert_int_equal(vg__index_new(&index, DIM), VG_OK);
    for (slot = 0; slot < rows; slot++) {
        random_unit(m.vectors + slot * DIM, DIM);
        add_slot(index, &m, slot, slot % 5 == 1 ? USER : slot % 5 == 2 ? OTHER_USER : 0);
    }
    for (q = 0; q < N; q++)
        random_unit(queries + q * DIM, DIM);
    assert_int_equal(vg__index_search(index, queries, N, K, USER, &two, got, found), VG_OK);
    for (q = 0; q < N; q++) {
        check_results(&m, queries + q * DIM, K, USER, got + q * K, found[q], "int8, 2 threads");
        assert_int_equal(vg__index_search(index, queries + q * DIM, 1, K, USER, &one,
                                          single + q * K, found_single + q),
                         VG_OK);
    }
    assert_memory_equal(found, found_single, sizeof found);
    for (q = 0; q < N * K; q++) {
        assert_int_equal(got[q].id, single[q].id);
        assert_true(got[q].score == single[q].score);
    }
    vg__index_free(index);
    model_free(&m);
    free(queries);
}

/* Single queries, a batch and two threads give the same bits on each path. */
static void test_results_do_not_depend_on_batch_or_threads(void **state)
{
    static const vg__index_path paths[] = {VG__PATH_PORTABLE, VG__PATH_AVX2, VG__PATH_INT8};
    const fixture *f = &fixtures[D768][SIZES - 1]; /* enough rows for threads */
    static vg__match single[QUERIES * K], batch[QUERIES * K];
    static size_t found_single[QUERIES], found_batch[QUERIES];
    size_t p, q;
    (void)state;
    for (p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        vg__search_options one = {paths[p], 0, 0}, two = {paths[p], 2, 0};
        for (q = 0; q < QUERIES; q++)
            assert_int_equal(vg__index_search(f->index, f->queries + q * 768, 1, K, USER, &one,
                                              single + q * K, found_single + q),
                             VG_OK);
        assert_int_equal(vg__index_search(f->index, f->queries, QUERIES, K, USER, &two, batch,
                                          found_batch),
                         VG_OK);
        assert_memory_equal(found_single, found_batch, sizeof found_single);
        for (q = 0; q < QUERIES * K; q++) {
            assert_int_equal(single[q].id, batch[q].id);
            assert_true(single[q].score == batch[q].score);
        }
    }
}

/* --- int8 recall ---------------------------------------------------------------------------- */

static void test_int8_recall_at_1_is_at_least_99_percent_with_float_scores(void **state)
{
    enum { ROWS = 20000, DIM = 768, N = 2000 };
    vg__search_options exact = {VG__PATH_AVX2, 0, 0}, int8 = {VG__PATH_INT8, 0, 0};
    vg__match *want = malloc(N * sizeof *want), *got = malloc(N * sizeof *got);
    size_t *found = malloc(N * sizeof *found);
    float *rows = malloc((size_t)ROWS * DIM * sizeof *rows);
    float *queries = malloc((size_t)N * DIM * sizeof *queries);
    vg__index *index;
    size_t i, hits = 0;
    (void)state;

    assert_true(want && got && found && rows && queries);
    assert_int_equal(vg__index_new(&index, DIM), VG_OK);
    for (i = 0; i < ROWS; i++) {
        random_unit(rows + i * DIM, DIM);
        assert_int_equal(vg__index_add(index, (int64_t)i, 0, rows + i * DIM), VG_OK);
    }
    for (i = 0; i < N; i++)
        random_unit(queries + i * DIM, DIM);
    assert_int_equal(vg__index_search(index, queries, N, 1, 0, &exact, want, found), VG_OK);
    assert_int_equal(vg__index_search(index, queries, N, 1, 0, &int8, got, found), VG_OK);
    for (i = 0; i < N; i++) {
        double score = dot(rows + got[i].id * DIM, queries + i * DIM, DIM);
        assert_int_equal(found[i], 1);
        hits += got[i].id == want[i].id;
        /* The re-rank gives the float score, not the int8 estimate (off by ~1e-3). */
        if (fabs((double)got[i].score - score) > 1e-6)
            fail_msg("query %zu: int8 path scored %.9f, the float score is %.9f", i,
                     (double)got[i].score, score);
        if (got[i].id == want[i].id)
            assert_true(got[i].score == want[i].score);
    }
    printf("int8 + re-rank recall@1: %zu / %d\n", hits, N);
    assert_true(hits >= N * 99 / 100);
    vg__index_free(index);
    free(want);
    free(got);
    free(found);
    free(rows);
    free(queries);
}

/* --- visibility ------------------------------------------------------------------------------ */

static void test_rows_are_visible_to_everyone_or_their_user_only(void **state)
{
    static const vg__index_path paths[] = {VG__PATH_PORTABLE, VG__PATH_AVX2, VG__PATH_INT8};
    static const int64_t users[] = {0, 5, 9, 7};
    enum { DIM = 16, ROWS = 40 };
    vg__match got[ROWS];
    size_t found, p, u, i, slot, counts[4] = {0};
    model m;
    vg__index *index;
    (void)state;

    model_init(&m, DIM, ROWS);
    assert_int_equal(vg__index_new(&index, DIM), VG_OK);
    for (slot = 0; slot < ROWS; slot++) {
        int64_t owner = slot < 4 ? 0 : slot % 3 == 0 ? 5 : slot % 3 == 1 ? 7 : 0;
        random_unit(m.vectors + slot * DIM, DIM);
        add_slot(index, &m, slot, owner);
    }
    for (u = 0; u < 4; u++)
        for (slot = 0; slot < ROWS; slot++)
            counts[u] += visible(&m, slot, users[u]);
    for (p = 0; p < 3; p++)
        for (u = 0; u < 4; u++) {
            vg__search_options options = {paths[p], 0, 0};
            /* k larger than the rows this user sees: all of them come back, no others */
            assert_int_equal(vg__index_search(index, vector_of(&m, 0), 1, ROWS, users[u],
                                              &options, got, &found),
                             VG_OK);
            assert_int_equal(found, counts[u]);
            check_results(&m, vector_of(&m, 0), ROWS, users[u], got, found, "visibility");
            for (i = 0; i < found; i++) {
                int64_t owner = m.visible_to[(got[i].id - 1) / 3];
                assert_true(owner == 0 || owner == users[u]);
            }
        }
    /* user 0 sees the shared rows only; user 9 owns nothing, so the same */
    assert_int_equal(counts[0], counts[2]);
    assert_true(counts[1] > counts[0] && counts[3] > counts[0]);
    vg__index_free(index);
    model_free(&m);
}

/* --- adding and removing --------------------------------------------------------------------- */

static void check_all_paths(vg__index *index, const model *m, const char *label)
{
    static const vg__index_path paths[] = {VG__PATH_PORTABLE, VG__PATH_AVX2, VG__PATH_INT8,
                                           VG__PATH_AUTO};
    vg__match got[4 * K];
    size_t found[4], p, q, n = 0, slot;
    float queries[4 * 65];

    for (slot = 0; slot < m->slots; slot++)
        n += m->present[slot];
    assert_int_equal(vg__index_count(index), n);
    for (q = 0; q < 4; q++)
        random_unit(queries + q * (size_t)m->dimension, m->dimension);
    for (p = 0; p < sizeof paths / sizeof paths[0]; p++) {
        vg__search_options options = {paths[p], 0, 0};
        assert_int_equal(vg__index_search(index, queries, 4, K, USER, &options, got, found),
                         VG_OK);
        for (q = 0; q < 4; q++)
            check_results(m, queries + q * (size_t)m->dimension, K, USER, got + q * K,
                          found[q], label);
    }
}

/* Each row's int8 copy is its float row quantised with its scale, zeros past the end. */
static void check_int8_copies(const vg__index *index)
{
    size_t row, i;
    assert_true(vg__index_int8_kept(index));
    for (row = 0; row < index->count; row++) {
        const float *x = index->rows + row * index->stride;
        const int8_t *q = index->qrows + row * index->qstride;
        float scale = index->qscales[row], max = 0;
        for (i = 0; i < (size_t)index->dimension; i++)
            max = fabsf(x[i]) > max ? fabsf(x[i]) : max;
        assert_true(fabsf(scale - max / 127) <= 1e-6f * max);
        for (i = 0; i < (size_t)index->dimension; i++)
            if (fabsf((float)q[i] * scale - x[i]) > scale * 0.5001f)
                fail_msg("row %zu (id %lld), component %zu: int8 %d x %g for %g", row,
                         (long long)index->ids[row], i, q[i], (double)scale, (double)x[i]);
        for (; i < index->qstride; i++)
            assert_int_equal(q[i], 0);
    }
}

static void test_random_adds_and_removes_keep_the_other_rows_intact(void **state)
{
    enum { DIM = 65, SLOTS = 3000, STEPS = 6000 };
    vg__search_options int8 = {VG__PATH_INT8, 0, 0};
    vg__match got[K];
    size_t found, step, slot;
    char label[64];
    model m;
    vg__index *index;
    (void)state;

    model_init(&m, DIM, SLOTS);
    for (slot = 0; slot < SLOTS; slot++)
        random_unit(m.vectors + slot * DIM, DIM);
    assert_int_equal(vg__index_new(&index, DIM), VG_OK);
    /* an int8 search early builds the int8 copies, which must then follow every change */
    assert_int_equal(vg__index_search(index, m.vectors, 1, K, 0, &int8, got, &found), VG_OK);
    assert_int_equal(found, 0);
    for (step = 1; step <= STEPS; step++) {
        slot = (size_t)(next_u64() % SLOTS);
        if (m.present[slot]) {
            m.present[slot] = 0;
            assert_int_equal(vg__index_remove(index, id_of(slot)), VG_OK);
        } else {
            add_slot(index, &m, slot, next_u64() % 4 == 0 ? USER : 0);
        }
        if (step % 1000 == 0 || step < 50) {
            snprintf(label, sizeof label, "after %zu adds and removes", step);
            check_all_paths(index, &m, label);
            check_int8_copies(index);
        }
    }
    for (slot = 0; slot < SLOTS; slot++)
        if (m.present[slot]) {
            m.present[slot] = 0;
            assert_int_equal(vg__index_remove(index, id_of(slot)), VG_OK);
        }
    check_all_paths(index, &m, "after removing every row");
    vg__index_free(index);
    model_free(&m);
}

/* From VG__INT8_MIN_ROWS rows the automatic path scans int8, with the same results. */
static void test_auto_path_turns_to_int8_from_the_minimum_rows(void **state)
{
    enum { DIM = 9 };
    size_t slots = VG__INT8_MIN_ROWS + 10, slot;
    model m;
    vg__index *index;
    (void)state;

    model_init(&m, DIM, slots);
    assert_int_equal(vg__index_new(&index, DIM), VG_OK);
    for (slot = 0; slot < slots; slot++) {
        random_unit(m.vectors + slot * DIM, DIM);
        add_slot(index, &m, slot, slot % 7 == 0 ? USER : 0);
        if (slot + 2 == VG__INT8_MIN_ROWS)
            assert_string_not_equal(vg__index_path_name(index, NULL), "int8");
    }
    assert_string_equal(vg__index_path_name(index, NULL), "int8");
    check_all_paths(index, &m, "at the int8 minimum");
    for (slot = 0; slot < 100; slot++) {
        m.present[slot * 11] = 0;
        assert_int_equal(vg__index_remove(index, id_of(slot * 11)), VG_OK);
    }
    assert_string_not_equal(vg__index_path_name(index, NULL), "int8");
    check_all_paths(index, &m, "below the int8 minimum again");
    check_int8_copies(index);
    vg__index_free(index);
    model_free(&m);
}

static void test_equal_scores_come_smaller_id_first(void **state)
{
    static const int64_t ids[] = {90, -4, 17, 3, INT64_MAX, 5, INT64_MIN, 0, 12, 1};
    static const int64_t order[] = {INT64_MIN, -4, 0, 1, 3, 5};
    static const vg__index_path paths[] = {VG__PATH_PORTABLE, VG__PATH_AVX2, VG__PATH_INT8};
    float v[24], query[24];
    vg__match got[2 * 6];
    size_t found[2], i, p;
    vg__index *index;
    (void)state;

    random_unit(v, 24);
    memcpy(query, v, sizeof query);
    assert_int_equal(vg__index_new(&index, 24), VG_OK);
    for (i = 0; i < sizeof ids / sizeof ids[0]; i++)
        assert_int_equal(vg__index_add(index, ids[i], 0, v), VG_OK);
    for (p = 0; p < 3; p++) {
        vg__search_options options = {paths[p], 0, 0};
        float two[48];
        memcpy(two, query, sizeof query);
        memcpy(two + 24, query, sizeof query);
        assert_int_equal(vg__index_search(index, two, 2, 6, 0, &options, got, found), VG_OK);
        for (i = 0; i < 12; i++) {
            assert_int_equal(got[i].id, order[i % 6]);
            assert_true(got[i].score == got[0].score);
        }
    }
    vg__index_free(index);
}

/* --- what the index refuses ------------------------------------------------------------------ */

static void test_adding_an_id_already_there_is_eexists(void **state)
{
    float v[3] = {1, 0, 0}, w[3] = {0, 1, 0};
    vg__match got[2];
    size_t found;
    vg__index *index;
    (void)state;
    assert_int_equal(vg__index_new(&index, 3), VG_OK);
    assert_int_equal(vg__index_add(index, 42, 0, v), VG_OK);
    assert_int_equal(vg__index_add(index, 42, 0, w), VG_EEXISTS);
    assert_int_equal(vg__index_add(index, 42, 7, v), VG_EEXISTS);
    assert_int_equal(vg__index_count(index), 1);
    assert_int_equal(vg__index_search(index, w, 1, 2, 0, NULL, got, &found), VG_OK);
    assert_int_equal(found, 1);
    assert_true(got[0].score == 0); /* the first vector stayed */
    assert_int_equal(vg__index_remove(index, 42), VG_OK);
    assert_int_equal(vg__index_add(index, 42, 0, w), VG_OK); /* free again once removed */
    vg__index_free(index);
}

static void test_removing_a_missing_id_is_enotfound(void **state)
{
    float v[3] = {1, 0, 0};
    vg__index *index;
    (void)state;
    assert_int_equal(vg__index_new(&index, 3), VG_OK);
    assert_int_equal(vg__index_remove(index, 1), VG_ENOTFOUND);
    assert_int_equal(vg__index_add(index, 1, 0, v), VG_OK);
    assert_int_equal(vg__index_remove(index, 2), VG_ENOTFOUND);
    assert_int_equal(vg__index_remove(index, 1), VG_OK);
    assert_int_equal(vg__index_remove(index, 1), VG_ENOTFOUND);
    assert_int_equal(vg__index_count(index), 0);
    vg__index_free(index);
}

static void test_bad_arguments_are_einval(void **state)
{
    float v[4] = {0.5f, 0.5f, 0.5f, 0.5f}, bad[4] = {0.5f, 0.5f, 0.5f, 0.5f};
    vg__search_options path = {(vg__index_path)7, 0, 0}, threads = {VG__PATH_AUTO, -1, 0};
    vg__match got[1];
    size_t found;
    vg__index *index = (vg__index *)&found;
    (void)state;

    assert_int_equal(vg__index_new(NULL, 4), VG_EINVAL);
    assert_int_equal(vg__index_new(&index, 0), VG_EINVAL);
    assert_null(index);
    assert_int_equal(vg__index_new(&index, -3), VG_EINVAL);
    assert_int_equal(vg__index_new(&index, 65537), VG_EINVAL);
    assert_int_equal(vg__index_new(&index, 4), VG_OK);

    assert_int_equal(vg__index_add(NULL, 1, 0, v), VG_EINVAL);
    assert_int_equal(vg__index_add(index, 1, 0, NULL), VG_EINVAL);
    bad[2] = NAN;
    assert_int_equal(vg__index_add(index, 1, 0, bad), VG_EINVAL);
    bad[2] = INFINITY;
    assert_int_equal(vg__index_add(index, 1, 0, bad), VG_EINVAL);
    assert_int_equal(vg__index_count(index), 0);
    assert_int_equal(vg__index_add(index, 1, 0, v), VG_OK);
    assert_int_equal(vg__index_remove(NULL, 1), VG_EINVAL);

    assert_int_equal(vg__index_search(NULL, v, 1, 1, 0, NULL, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, NULL, 1, 1, 0, NULL, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, NULL, NULL, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, NULL, got, NULL), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 0, 0, NULL, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, &path, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, &threads, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, bad, 1, 1, 0, NULL, got, &found), VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, SIZE_MAX / 2, 1, 0, NULL, got, &found),
                     VG_EINVAL);
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, NULL, got, &found), VG_OK);
    assert_int_equal(found, 1);

    assert_int_equal(vg__index_count(NULL), 0);
    assert_int_equal(vg__index_dimension(NULL), 0);
    assert_int_equal(vg__index_bytes_per_row(NULL), 0);
    vg__index_free(NULL);
    vg__index_free(index);
}

/* --- what the index reports ----------------------------------------------------------------- */

static void test_bytes_per_row_count_the_vectors_the_int8_copies_and_the_ids(void **state)
{
    vg__search_options int8 = {VG__PATH_INT8, 0, 0};
    float v[768];
    vg__match got[1];
    size_t found, floats_only;
    int i;
    vg__index *index;
    (void)state;

    assert_int_equal(vg__index_new(&index, 768), VG_OK);
    assert_int_equal(vg__index_dimension(index), 768);
    for (i = 0; i < 1000; i++) {
        random_unit(v, 768);
        assert_int_equal(vg__index_add(index, i, 0, v), VG_OK);
    }
    floats_only = vg__index_bytes_per_row(index);
    assert_true(floats_only >= 768 * 4 + 16);
    assert_true(floats_only <= 2 * (768 * 4 + 16 + 8)); /* capacity doubles at most */
    assert_int_equal(vg__index_search(index, v, 1, 1, 0, &int8, got, &found), VG_OK);
    assert_true(vg__index_bytes_per_row(index) >= floats_only + 768);
    vg__index_free(index);
}

static void test_path_names_say_what_a_search_would_run(void **state)
{
    vg__search_options portable = {VG__PATH_PORTABLE, 0, 0}, avx2 = {VG__PATH_AVX2, 0, 0},
                       int8 = {VG__PATH_INT8, 0, 0};
    const char *best;
    vg__index *index;
    (void)state;
    assert_int_equal(vg__index_new(&index, 8), VG_OK);
    best = vg__index_path_name(index, &avx2);
    assert_true(strcmp(best, "avx2") == 0 || strcmp(best, "portable") == 0);
    assert_string_equal(vg__index_path_name(index, NULL), best);
    assert_string_equal(vg__index_path_name(index, &portable), "portable");
    assert_string_equal(vg__index_path_name(index, &int8), "int8");
    vg__index_free(index);
}

/* --- concurrent searches -------------------------------------------------------------------- */

typedef struct searcher {
    const fixture *f;
    int rc;
    vg__match got[QUERIES * K];
    size_t found[QUERIES];
} searcher;

static void *search_int8(void *arg)
{
    searcher *s = arg;
    vg__search_options options = {VG__PATH_INT8, 0, 0};
    s->rc = vg__index_search(s->f->index, s->f->queries, QUERIES, K, USER, &options, s->got,
                             s->found);
    return NULL;
}

/* Searches may run at once, even the first int8 ones that build the int8 copies. */
static void test_concurrent_first_int8_searches_agree(void **state)
{
    static searcher searchers[4];
    fixture f;
    pthread_t threads[4];
    size_t i, q, slot;
    (void)state;

    model_init(&f.m, 64, 2000);
    assert_int_equal(vg__index_new(&f.index, 64), VG_OK);
    for (slot = 0; slot < 2000; slot++) {
        random_unit(f.m.vectors + slot * 64, 64);
        add_slot(f.index, &f.m, slot, 0);
    }
    f.queries = malloc(QUERIES * 64 * sizeof *f.queries);
    assert_non_null(f.queries);
    for (q = 0; q < QUERIES; q++)
        random_unit(f.queries + q * 64, 64);
    for (i = 0; i < 4; i++) {
        searchers[i].f = &f;
        assert_int_equal(pthread_create(&threads[i], NULL, search_int8, &searchers[i]), 0);
    }
    for (i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(threads[i], NULL), 0);
        assert_int_equal(searchers[i].rc, VG_OK);
        for (q = 0; q < QUERIES; q++)
            check_results(&f.m, f.queries + q * 64, K, USER, searchers[i].got + q * K,
                          searchers[i].found[q], "concurrent int8");
    }
    vg__index_free(f.index);
    model_free(&f.m);
    free(f.queries);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_portable_path_matches_the_reference),
        cmocka_unit_test(test_avx2_path_matches_the_reference),
        cmocka_unit_test(test_int8_path_with_rerank_matches_the_reference),
        cmocka_unit_test(test_batches_match_the_reference_on_every_path),
        cmocka_unit_test(test_two_threads_match_the_reference_on_every_path),
        cmocka_unit_test(test_int8_with_two_threads_matches_the_reference),
        cmocka_unit_test(test_results_do_not_depend_on_batch_or_threads),
        cmocka_unit_test(test_int8_recall_at_1_is_at_least_99_percent_with_float_scores),
        cmocka_unit_test(test_rows_are_visible_to_everyone_or_their_user_only),
        cmocka_unit_test(test_random_adds_and_removes_keep_the_other_rows_intact),
        cmocka_unit_test(test_auto_path_turns_to_int8_from_the_minimum_rows),
        cmocka_unit_test(test_equal_scores_come_smaller_id_first),
        cmocka_unit_test(test_adding_an_id_already_there_is_eexists),
        cmocka_unit_test(test_removing_a_missing_id_is_enotfound),
        cmocka_unit_test(test_bad_arguments_are_einval),
        cmocka_unit_test(test_bytes_per_row_count_the_vectors_the_int8_copies_and_the_ids),
        cmocka_unit_test(test_path_names_say_what_a_search_would_run),
        cmocka_unit_test(test_concurrent_first_int8_searches_agree),
    };
    return cmocka_run_group_tests(tests, fixtures_setup, fixtures_teardown);
}
