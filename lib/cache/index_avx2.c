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
 * against 2 (float) or 4 (int8) queries at once, so the row is loaded once for them. */
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

/* Row r against queries q .. q+Q (Q is 1 or 2). Each pair has four accumulators (chunk c of
 * 8 floats goes to accumulator c % 4, which hides the latency of FMA), added as
 * (a0 + a1) + (a2 + a3) and then across lanes: the same order whatever Q, so
 * a row scores the same bits in a single query, a batch, a thread's share or the int8
 * re-rank. (Named variables rather than arrays: some compilers keep small arrays of vectors
 * in memory.) */
#define F32_CHUNK(k)                                                                           \
    do {                                                                                       \
        __m256 x = _mm256_load_ps(row + c + 8 * (k));                                          \
        a##k = _mm256_fmadd_ps(x, _mm256_load_ps(q0 + c + 8 * (k)), a##k);                    \
        if (Q == 2)                                                                            \
            b##k = _mm256_fmadd_ps(x, _mm256_load_ps(q1 + c + 8 * (k)), b##k);                 \
    } while (0)

TILE void row_f32(float *out, size_t nrows, const float *rows, size_t stride,
                  const float *queries, size_t r, size_t q, const int Q)
{
    const float *row = rows + r * stride, *q0 = queries + q * stride, *q1 = q0 + stride;
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0,
           b3 = a0;
    size_t c;

    for (c = 0; c + 32 <= stride; c += 32) {
        F32_CHUNK(0);
        F32_CHUNK(1);
        F32_CHUNK(2);
        F32_CHUNK(3);
    }
    if (c < stride) /* the last 0 to 3 chunks */
        F32_CHUNK(0);
    if (c + 8 < stride)
        F32_CHUNK(1);
    if (c + 16 < stride)
        F32_CHUNK(2);
    out[q * nrows + r] = sum_f32(_mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3)));
    if (Q == 2)
        out[(q + 1) * nrows + r] =
            sum_f32(_mm256_add_ps(_mm256_add_ps(b0, b1), _mm256_add_ps(b2, b3)));
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
#define PASS(name, row_fn, type)                                                               \
    TILE void name(type *out, const void *rows, size_t nrows, size_t stride,                   \
                   const void *queries, size_t q, const int Q)                                 \
    {                                                                                          \
        size_t r;                                                                              \
        for (r = 0; r < nrows; r++)                                                            \
            row_fn(out, nrows, rows, stride, queries, r, q, Q);                                \
    }

PASS(pass_f32, row_f32, float)
PASS(pass_i8, row_i8, int32_t)

static void scan_f32(float *out, const float *rows, size_t nrows, size_t stride,
                     const float *queries, size_t nq)
{
    size_t q = 0;
    for (; q + 2 <= nq; q += 2)
        pass_f32(out, rows, nrows, stride, queries, q, 2);
    if (q < nq)
        pass_f32(out, rows, nrows, stride, queries, q, 1);
}

static void scan_i8(int32_t *out, const int8_t *rows, size_t nrows, size_t qstride,
                    const int8_t *queries, size_t nq)
{
    size_t q = 0;
    for (; q + 4 <= nq; q += 4)
        pass_i8(out, rows, nrows, qstride, queries, q, 4);
    switch (nq - q) {
    case 3:
        pass_i8(out, rows, nrows, qstride, queries, q, 3);
        break;
    case 2:
        pass_i8(out, rows, nrows, qstride, queries, q, 2);
        break;
    case 1:
        pass_i8(out, rows, nrows, qstride, queries, q, 1);
        break;
    default:
        break;
    }
}

static const vg__scan_kernels avx2 = {"avx2", scan_f32, scan_i8};

const vg__scan_kernels *const vg__scan_avx2 = &avx2;
