/* SPDX-License-Identifier: MIT */
/* The similarity cache's scan: the vector index searched over 10k, 100k and 1M rows of
 * dimension 768, against the read bandwidth of the same rows in the same run (a plain SIMD
 * sum of the index's own float array). Prints, for each path (float32 AVX2 and portable,
 * int8 with re-rank; a single query and a batch of 32; one and two threads), the time per
 * query, its GB/s and the ratio to the read bandwidth; the batch speed-up per query; the
 * int8 speed-up over float32 and its recall@1 against the exact result; the 2-thread
 * speed-up and the processor time used; the index's bytes per row. Asserts nothing about
 * time.
 *
 * $VIDGO_BENCH_SECONDS (default 1) is the least time each measurement runs;
 * $VIDGO_BENCH_ROWS (default 10000,100000,1000000) the sizes. A size that does not fit in
 * the memory available (/proc/meminfo) is skipped with a note. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/sysinfo.h>
#include <time.h>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include <vidgo/vidgo.h>

#include "cache/index_internal.h"

#define DIM 768
#define K 10
#define BATCH 32
#define QUERIES 256     /* the pool the timed searches take their queries from */
#define RECALL 200      /* queries for int8 recall@1 */

static double seconds = 1;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void die(const char *what, int rc)
{
    fprintf(stderr, "bench_cache: %s: %s: %s\n", what, vg_error_name(rc), vg_error_last());
    exit(1);
}

/* --- random unit vectors ---------------------------------------------------------------- */

static uint64_t rng = 0x2545f4914f6cdd1du;

static void random_unit(float *v)
{
    double norm = 0;
    int i;
    for (i = 0; i < DIM; i++) {
        rng ^= rng << 13; /* xorshift64 */
        rng ^= rng >> 7;
        rng ^= rng << 17;
        v[i] = (float)((double)(rng >> 11) / 4503599627370496.0 - 1.0); /* -1 .. 1 */
        norm += (double)v[i] * v[i];
    }
    norm = sqrt(norm);
    for (i = 0; i < DIM; i++)
        v[i] = (float)(v[i] / norm);
}

/* --- the reference: summing the rows' floats ------------------------------------------------ */

#if defined(__x86_64__)
__attribute__((target("avx2"))) static float sum_avx2(const float *p, size_t n)
{
    __m256 a = _mm256_setzero_ps(), b = a, c = a, d = a;
    size_t i;
    for (i = 0; i + 32 <= n; i += 32) {
        a = _mm256_add_ps(a, _mm256_load_ps(p + i));
        b = _mm256_add_ps(b, _mm256_load_ps(p + i + 8));
        c = _mm256_add_ps(c, _mm256_load_ps(p + i + 16));
        d = _mm256_add_ps(d, _mm256_load_ps(p + i + 24));
    }
    a = _mm256_add_ps(_mm256_add_ps(a, b), _mm256_add_ps(c, d));
    {
        float lanes[8], s = 0;
        int l;
        _mm256_storeu_ps(lanes, a);
        for (l = 0; l < 8; l++)
            s += lanes[l];
        for (; i < n; i++)
            s += p[i];
        return s;
    }
}
#endif

static float sum_portable(const float *p, size_t n)
{
    float acc[16] = {0}, s = 0;
    size_t i, l;
    for (i = 0; i + 16 <= n; i += 16)
        for (l = 0; l < 16; l++)
            acc[l] += p[i + l];
    for (l = 0; l < 16; l++)
        s += acc[l];
    for (; i < n; i++)
        s += p[i];
    return s;
}

static float sum(const float *p, size_t n)
{
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2"))
        return sum_avx2(p, n);
#endif
    return sum_portable(p, n);
}

typedef struct summer {
    const float *p;
    size_t n;
    volatile float result;
} summer;

static void *sum_thread(void *arg)
{
    summer *s = arg;
    s->result = sum(s->p, s->n);
    return NULL;
}

/* Seconds per pass over n floats, with 1 or 2 threads. */
static double time_sum(const float *p, size_t n, int threads)
{
    summer parts[2] = {{p, threads == 2 ? n / 2 : n, 0}, {p + n / 2, n - n / 2, 0}};
    pthread_t other;
    double start, elapsed;
    long passes = 0;
    sum_thread(&parts[0]); /* warm */
    start = now_s();
    do {
        if (threads == 2 && pthread_create(&other, NULL, sum_thread, &parts[1]) != 0)
            die("pthread_create", VG_ERROR);
        sum_thread(&parts[0]);
        if (threads == 2)
            pthread_join(other, NULL);
        passes++;
    } while ((elapsed = now_s() - start) < seconds || passes < 3);
    return elapsed / (double)passes;
}

/* --- timed searches ------------------------------------------------------------------------- */

typedef struct timing {
    double per_query;  /* seconds */
    double cores;      /* processor time / wall time */
} timing;

static timing time_search(const vg__index *index, const float *queries, size_t nq,
                          vg__index_path path, int threads)
{
    vg__search_options options = {path, threads, 0};
    static vg__match out[BATCH * K];
    static size_t found[BATCH];
    double start, cpu, elapsed;
    size_t first = 0;
    long calls = 0;
    int rc;
    timing t;

    if ((rc = vg__index_search(index, queries, nq, K, 0, &options, out, found)) != VG_OK)
        die("search", rc);
    start = now_s();
    cpu = cpu_s();
    do {
        first = (first + nq) % (QUERIES - nq + 1);
        if ((rc = vg__index_search(index, queries + first * DIM, nq, K, 0, &options, out,
                                   found)) != VG_OK)
            die("search", rc);
        calls++;
    } while ((elapsed = now_s() - start) < seconds || calls < 2);
    t.per_query = elapsed / (double)calls / (double)nq;
    t.cores = (cpu_s() - cpu) / elapsed;
    return t;
}

/* Top-1 of RECALL queries on the int8 path that are the exact (float32) top-1. */
static size_t int8_recall(const vg__index *index, const float *queries)
{
    vg__search_options exact = {VG__PATH_AVX2, 2, 0}, int8 = {VG__PATH_INT8, 2, 0};
    vg__match want[RECALL], got[RECALL];
    size_t found[RECALL], hits = 0, i;
    int rc;
    if ((rc = vg__index_search(index, queries, RECALL, 1, 0, &exact, want, found)) != VG_OK ||
        (rc = vg__index_search(index, queries, RECALL, 1, 0, &int8, got, found)) != VG_OK)
        die("search", rc);
    for (i = 0; i < RECALL; i++)
        hits += got[i].id == want[i].id && got[i].score == want[i].score;
    return hits;
}

static size_t memory_available(void)
{
    char line[256];
    unsigned long long kb;
    struct sysinfo si;
    FILE *f = fopen("/proc/meminfo", "r");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (sscanf(line, "MemAvailable: %llu kB", &kb) == 1) {
                fclose(f);
                return (size_t)kb * 1024;
            }
        fclose(f);
    }
    if (sysinfo(&si) == 0)
        return (size_t)(si.freeram + si.bufferram) * si.mem_unit;
    return 0;
}

typedef struct line {
    const char *name;
    vg__index_path path;
    size_t nq;
    int threads;
} line;

static const line lines[] = {
    {"float32 avx2, single", VG__PATH_AVX2, 1, 1},
    {"float32 avx2, batch 32", VG__PATH_AVX2, BATCH, 1},
    {"float32 portable, single", VG__PATH_PORTABLE, 1, 1},
    {"float32 portable, batch 32", VG__PATH_PORTABLE, BATCH, 1},
    {"int8 + re-rank, single", VG__PATH_INT8, 1, 1},
    {"int8 + re-rank, batch 32", VG__PATH_INT8, BATCH, 1},
    {"float32 avx2, single, 2 threads", VG__PATH_AVX2, 1, 2},
    {"float32 avx2, batch 32, 2 threads", VG__PATH_AVX2, BATCH, 2},
    {"int8 + re-rank, single, 2 threads", VG__PATH_INT8, 1, 2},
    {"int8 + re-rank, batch 32, 2 threads", VG__PATH_INT8, BATCH, 2},
};
#define LINES (sizeof lines / sizeof lines[0])

static void bench_size(size_t rows, const float *queries)
{
    size_t per_row = DIM * sizeof(float) + DIM + 64; /* floats, int8, ids, map, slack */
    size_t needed = 2 * rows * per_row + ((size_t)256 << 20), available = memory_available();
    vg__index *index;
    float v[DIM];
    double read1, read2, start, float_bytes, int8_bytes;
    timing t[LINES];
    size_t i, hits;
    int rc;

    if (available && needed > available) {
        printf("\n%zu rows: skipped, needs about %.1f GB, %.1f GB available\n", rows,
               (double)needed / 1e9, (double)available / 1e9);
        return;
    }
    if ((rc = vg__index_new(&index, DIM)) != VG_OK)
        die("vg__index_new", rc);
    start = now_s();
    for (i = 0; i < rows; i++) {
        random_unit(v);
        if ((rc = vg__index_add(index, (int64_t)i, 0, v)) != VG_OK)
            die("vg__index_add", rc);
    }
    printf("\n%zu rows x %d (filled in %.1f s): %zu bytes per row (path %s by default)\n",
           rows, DIM, now_s() - start, vg__index_bytes_per_row(index),
           vg__index_path_name(index, NULL));
    if ((rc = vg__index_int8_ensure(index)) != VG_OK)
        die("int8 copies", rc);
    printf("bytes per row with the int8 copies: %zu\n", vg__index_bytes_per_row(index));

    float_bytes = (double)rows * (double)index->stride * sizeof(float);
    int8_bytes = (double)rows * (double)index->qstride;
    read1 = float_bytes / time_sum(index->rows, rows * index->stride, 1) / 1e9;
    read2 = float_bytes / time_sum(index->rows, rows * index->stride, 2) / 1e9;
    printf("read bandwidth (SIMD sum of the rows): %.1f GB/s, 2 threads %.1f GB/s\n", read1,
           read2);

    printf("%-38s %10s %8s %8s %6s\n", "scan", "ms/query", "GB/s", "/ read", "cores");
    for (i = 0; i < LINES; i++) {
        double bytes = lines[i].path == VG__PATH_INT8 ? int8_bytes : float_bytes, gbs;
        t[i] = time_search(index, queries, lines[i].nq, lines[i].path, lines[i].threads);
        gbs = bytes / t[i].per_query / 1e9;
        printf("%-38s %10.3f %8.1f %8.2f %6.2f\n", lines[i].name, t[i].per_query * 1e3, gbs,
               gbs / (lines[i].threads == 2 ? read2 : read1), t[i].cores);
    }
    hits = int8_recall(index, queries);
    printf("batch of 32 speed-up per query: avx2 %.1fx, portable %.1fx, int8 %.1fx\n",
           t[0].per_query / t[1].per_query, t[2].per_query / t[3].per_query,
           t[4].per_query / t[5].per_query);
    printf("int8 speed-up over float32 avx2: single %.2fx, batch %.2fx; recall@1 %zu/%d\n",
           t[0].per_query / t[4].per_query, t[1].per_query / t[5].per_query, hits, RECALL);
    printf("2-thread speed-up: avx2 single %.2fx, batch %.2fx; int8 single %.2fx, batch "
           "%.2fx\n",
           t[0].per_query / t[6].per_query, t[1].per_query / t[7].per_query,
           t[4].per_query / t[8].per_query, t[5].per_query / t[9].per_query);
    vg__index_free(index);
}

int main(void)
{
    const char *env = getenv("VIDGO_BENCH_SECONDS"), *sizes = getenv("VIDGO_BENCH_ROWS");
    static float queries[QUERIES * DIM];
    vg__search_options avx2 = {VG__PATH_AVX2, 0, 0};
    char *end;
    size_t i;

    if (env && atof(env) > 0)
        seconds = atof(env);
    if (!sizes || !*sizes)
        sizes = "10000,100000,1000000";
    for (i = 0; i < QUERIES; i++)
        random_unit(queries + i * DIM);
    printf("similarity cache scan, dimension %d, k = %d; the AVX2 path runs %s\n", DIM, K,
           vg__index_path_name(NULL, &avx2));
    for (;;) {
        size_t rows = (size_t)strtoull(sizes, &end, 10);
        if (end == sizes)
            break;
        if (rows > 0)
            bench_size(rows, queries);
        if (*end != ',')
            break;
        sizes = end + 1;
    }
    return 0;
}
