/* SPDX-License-Identifier: MIT */
/* The vector index's AVX2 + FMA scan kernels. Only this file is compiled with -mavx2 -mfma
 * (x86-64 builds); vg__scan_best (index_scan.c) hands them out only where the processor
 * has both. */
#include <immintrin.h>

#include "cache/index_internal.h"

#define TILE static inline __attribute__((always_inline))

/* Rows are read one at a time, start to end: the hardware prefetchers follow one stream
 * well and several interleaved ones badly (on the EPYC machines we run on, scanning four
 * rows side by side reached 0.6 of the bandwidth of one stream). A batch scores each row
 * against up to 4 queries at once, so the row is loaded once for them. */
static float sum_f32(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

static int32_t sum_i32(__m256i v)
{
    __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
    s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
    return _mm_cvtsi128_si32(s);
}

/* Row r against queries q .. q+Q (Q up to 4). Each pair has two accumulators (chunk c of
 * 8 floats goes to accumulator c % 2, so that a single query is not bound by the latency
 * of FMA), added as a0 + a1 and then across lanes: the same order whatever Q, so a row
 * scores the same bits in a single query, a batch, a thread's share or the int8 re-rank.
 * (Named variables rather than arrays: some compilers keep small arrays of vectors in
 * memory.) */
#define F32_QUERY(j, acc, offset)                                                              \
    do {                                                                                       \
        if (Q > (j))                                                                           \
            acc = _mm256_fmadd_ps(x, _mm256_load_ps(qp + (j) * stride + c + (offset)), acc);   \
    } while (0)
#define F32_CHUNK(k, offset)                                                                   \
    do {                                                                                       \
        __m256 x = _mm256_load_ps(row + c + (offset));                                         \
        F32_QUERY(0, a##k, offset);                                                            \
        F32_QUERY(1, b##k, offset);                                                            \
        F32_QUERY(2, c##k, offset);                                                            \
        F32_QUERY(3, d##k, offset);                                                            \
    } while (0)
#define F32_OUT(j, acc0, acc1)                                                                 \
    do {                                                                                       \
        if (Q > (j))                                                                           \
            out[(q + (j)) * nrows + r] = sum_f32(_mm256_add_ps(acc0, acc1));                   \
    } while (0)

TILE void row_f32(float *out, size_t nrows, const float *rows, size_t stride,
                  const float *queries, size_t r, size_t q, const int Q)
{
    const float *row = rows + r * stride, *qp = queries + q * stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, b0 = a0, b1 = a0, c0 = a0, c1 = a0, d0 = a0,
           d1 = a0;
    size_t c;

    for (c = 0; c + 16 <= stride; c += 16) {
        F32_CHUNK(0, 0);
        F32_CHUNK(1, 8);
    }
    if (c < stride) /* a last chunk */
        F32_CHUNK(0, 0);
    F32_OUT(0, a0, a1);
    F32_OUT(1, b0, b1);
    F32_OUT(2, c0, c1);
    F32_OUT(3, d0, d1);
}

/* int8 products without overflow: |q| (unsigned) times x with q's sign (signed), pairs
 * summed to 16 bits (at most 2 * 127 * 127: values are kept in -127 .. 127), then to 32.
 * Integer sums are exact, so their order does not matter. */
#define I8_QUERY(j)                                                                            \
    do {                                                                                       \
        if (Q > (j)) {                                                                         \
            __m256i y = _mm256_load_si256(                                                     \
                (const __m256i *)(const void *)(qp + (j) * qstride + c));                      \
            __m256i pairs = _mm256_maddubs_epi16(_mm256_abs_epi8(y), _mm256_sign_epi8(x, y));  \
            acc##j = _mm256_add_epi32(acc##j, _mm256_madd_epi16(pairs, ones));                 \
        }                                                                                      \
    } while (0)

/* Row r against queries q .. q+Q (Q up to 4). */
TILE void row_i8(int32_t *out, size_t nrows, const int8_t *rows, size_t qstride,
                 const int8_t *queries, size_t r, size_t q, const int Q)
{
    const __m256i ones = _mm256_set1_epi16(1);
    const int8_t *row = rows + r * qstride, *qp = queries + q * qstride;
    __m256i acc0 = _mm256_setzero_si256(), acc1 = acc0, acc2 = acc0, acc3 = acc0;
    size_t c;

    for (c = 0; c < qstride; c += 32) {
        __m256i x = _mm256_load_si256((const __m256i *)(const void *)(row + c));
        I8_QUERY(0);
        I8_QUERY(1);
        I8_QUERY(2);
        I8_QUERY(3);
    }
    out[q * nrows + r] = sum_i32(acc0);
    if (Q > 1)
        out[(q + 1) * nrows + r] = sum_i32(acc1);
    if (Q > 2)
        out[(q + 2) * nrows + r] = sum_i32(acc2);
    if (Q > 3)
        out[(q + 3) * nrows + r] = sum_i32(acc3);
}

/* Every row against queries q .. q+Q. */
#define PASS(name, row_fn, out_type, in_type)                                                  \
    TILE void name(out_type *out, const in_type *rows, size_t nrows, size_t stride,            \
                   const in_type *queries, size_t q, const int Q)                              \
    {                                                                                          \
        size_t r;                                                                              \
        for (r = 0; r < nrows; r++)                                                            \
            row_fn(out, nrows, rows, stride, queries, r, q, Q);                                \
    }

/* Every row against every query: 4 queries a pass, then the 1 to 3 left (each a constant,
 * so the passes compile to straight code). */
#define SCAN(name, pass, out_type, in_type)                                                    \
    static void name(out_type *out, const in_type *rows, size_t nrows, size_t stride,          \
                     const in_type *queries, size_t nq)                                        \
    {                                                                                          \
        size_t q = 0;                                                                          \
        for (; q + 4 <= nq; q += 4)                                                            \
            pass(out, rows, nrows, stride, queries, q, 4);                                     \
        if (nq - q == 3)                                                                       \
            pass(out, rows, nrows, stride, queries, q, 3);                                     \
        else if (nq - q == 2)                                                                  \
            pass(out, rows, nrows, stride, queries, q, 2);                                     \
        else if (nq - q == 1)                                                                  \
            pass(out, rows, nrows, stride, queries, q, 1);                                     \
    }

PASS(pass_f32, row_f32, float, float)
PASS(pass_i8, row_i8, int32_t, int8_t)
SCAN(scan_f32, pass_f32, float, float)
SCAN(scan_i8, pass_i8, int32_t, int8_t)

static const vg__scan_kernels avx2 = {"avx2", scan_f32, scan_i8};

const vg__scan_kernels *const vg__scan_avx2 = &avx2;
