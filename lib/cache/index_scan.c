/* SPDX-License-Identifier: MIT */
/* The vector index's portable scan kernels (plain C loops the compiler vectorises), the
 * int8 quantiser, and the run-time choice of the AVX2 + FMA kernels where they run. */
#include <math.h>
#include <pthread.h>

#include "cache/index_internal.h"

#define LANES VG__INDEX_F32_LANES

/* Eight partial sums, one per lane, added in a fixed order: n is a multiple of LANES. */
static float dot_f32(const float *a, const float *b, size_t n)
{
    float acc[LANES] = {0};
    size_t i, lane;
    for (i = 0; i < n; i += LANES)
        for (lane = 0; lane < LANES; lane++)
            acc[lane] += a[i + lane] * b[i + lane];
    return ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
}

/* Sixteen partial sums: n is a multiple of VG__INDEX_I8_LANES. (Integer sums are exact, so
 * the lanes are only there to show the compiler the vector loop.) */
static int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n)
{
    int32_t acc[16] = {0}, sum = 0;
    size_t i, lane;
    for (i = 0; i < n; i += 16)
        for (lane = 0; lane < 16; lane++)
            acc[lane] += (int32_t)a[i + lane] * (int32_t)b[i + lane];
    for (lane = 0; lane < 16; lane++)
        sum += acc[lane];
    return sum;
}

/* Every row against every query, a query at a time (the rows of a block stay in cache). */
#define SCAN(name, dot, out_type, in_type)                                                     \
    static void name(out_type *out, const in_type *rows, size_t nrows, size_t stride,          \
                     const in_type *queries, size_t nq)                                        \
    {                                                                                          \
        size_t q, r;                                                                           \
        for (q = 0; q < nq; q++)                                                               \
            for (r = 0; r < nrows; r++)                                                        \
                out[q * nrows + r] = dot(rows + r * stride, queries + q * stride, stride);     \
    }

SCAN(scan_f32, dot_f32, float, float)
SCAN(scan_i8, dot_i8, int32_t, int8_t)

const vg__scan_kernels vg__scan_portable = {"portable", scan_f32, scan_i8};

static const vg__scan_kernels *best = &vg__scan_portable;
static pthread_once_t best_once = PTHREAD_ONCE_INIT;

static void choose_best(void)
{
#if defined(__x86_64__) || defined(__i386__)
    /* __builtin_cpu_supports also checks that the system saves the AVX registers. */
    __builtin_cpu_init();
    if (vg__scan_avx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        best = vg__scan_avx2;
#endif
}

const vg__scan_kernels *vg__scan_best(void)
{
    pthread_once(&best_once, choose_best);
    return best;
}

void vg__scan_quantize(int8_t *out, float *scale, const float *v, size_t n, size_t padded)
{
    float max = 0, inverse;
    size_t i;
    for (i = 0; i < n; i++)
        if (fabsf(v[i]) > max)
            max = fabsf(v[i]);
    *scale = max / 127.0f;
    inverse = max > 0 ? 127.0f / max : 0;
    for (i = 0; i < n; i++) {
        float x = v[i] * inverse; /* in -127 .. 127; rounded half away from zero */
        int q = (int)(x + (x < 0 ? -0.5f : 0.5f));
        out[i] = (int8_t)(q > 127 ? 127 : q < -127 ? -127 : q);
    }
    for (; i < padded; i++)
        out[i] = 0;
}
