/* SPDX-License-Identifier: MIT */
/* The vector index's portable scan kernels (plain C loops the compiler vectorises), the
 * int8 quantiser, and the run-time choice of the AVX2 + FMA kernels where they run. */
#include <math.h>

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

static int32_t dot_i8(const int8_t *a, const int8_t *b, size_t n)
{
    int32_t acc = 0;
    size_t i;
    for (i = 0; i < n; i++)
        acc += (int32_t)a[i] * (int32_t)b[i];
    return acc;
}

static void scan_f32(float *out, const float *rows, size_t nrows, size_t stride,
                     const float *queries, size_t nq)
{
    size_t q, r;
    for (q = 0; q < nq; q++)
        for (r = 0; r < nrows; r++)
            out[q * nrows + r] = dot_f32(rows + r * stride, queries + q * stride, stride);
}

static void scan_i8(int32_t *out, const int8_t *rows, size_t nrows, size_t qstride,
                    const int8_t *queries, size_t nq)
{
    size_t q, r;
    for (q = 0; q < nq; q++)
        for (r = 0; r < nrows; r++)
            out[q * nrows + r] = dot_i8(rows + r * qstride, queries + q * qstride, qstride);
}

const vg__scan_kernels vg__scan_portable = {"portable", scan_f32, scan_i8};

const vg__scan_kernels *vg__scan_best(void)
{
#if defined(__x86_64__) || defined(__i386__)
    /* __builtin_cpu_supports also checks that the system saves the AVX registers. */
    __builtin_cpu_init();
    if (vg__scan_avx2 && __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return vg__scan_avx2;
#endif
    return &vg__scan_portable;
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
