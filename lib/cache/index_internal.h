/* SPDX-License-Identifier: MIT */
/* What the files of the vector index share: its layout and the scan kernels (index.c,
 * index_search.c, index_scan.c, index_avx2.c). */
#ifndef VG_CACHE_INDEX_INTERNAL_H
#define VG_CACHE_INDEX_INTERNAL_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/cache_internal.h"

#define VG__INDEX_MAX_DIMENSION 65536 /* keeps an int8 dot product within int32 */
#define VG__INDEX_F32_LANES 8         /* a float row is padded with zeros to a multiple */
#define VG__INDEX_I8_LANES 32         /* an int8 row likewise, in bytes */
#define VG__INDEX_ALIGN 64            /* rows start on a cache line (32 bytes would do) */
#define VG__INDEX_MAX_ROWS (UINT32_MAX - 1u)
/* A search splits its rows across threads when it reads this many bytes of rows (float32
 * or int8) or more: below that, starting and waking a thread costs more than it saves (on
 * the 2-vCPU machines we measured, 2 threads took 1.6 times longer over 4 MiB of rows and
 * were 1.5 times faster over 16 MiB). */
#define VG__INDEX_THREAD_MIN_BYTES ((size_t)16 << 20)

struct vg__index {
    int dimension;
    size_t stride;        /* floats per row: the dimension rounded up to VG__INDEX_F32_LANES */
    size_t qstride;       /* bytes per int8 row: the dimension rounded up to VG__INDEX_I8_LANES */
    size_t count;         /* rows in use: 0 .. count-1 */
    size_t capacity;      /* rows allocated (doubles when full) */
    float *rows;          /* capacity * stride, aligned; each row's padding is zero */
    int64_t *ids;
    int64_t *visible_to;  /* 0: everyone; else only that user id */
    int8_t *qrows;        /* capacity * qstride int8 copies, or NULL while not kept */
    float *qscales;       /* per row: max|x| / 127 (x = qrow * scale) */
    int int8_kept;        /* 1 once the int8 copies exist; read and set with atomics, since
                             a search (read-only otherwise) may build them lazily */
    pthread_mutex_t int8_lock;
    uint32_t *map;        /* id -> row + 1 (0: empty slot); open addressing, linear probing */
    size_t map_mask;      /* slots - 1, a power of two minus one; at most half the slots used */
};

/* A set of scan kernels. Rows and queries are padded (stride floats or qstride bytes apart,
 * zeros past the dimension) and aligned to 32 bytes. Each writes, for query q and row r,
 * out[q * nrows + r]. A row's score against a query is summed in the same order whatever
 * nrows and nq are, so batches, blocks and threads give the same bits as a single query. */
typedef struct vg__scan_kernels {
    const char *name; /* "avx2", "portable" */
    void (*f32)(float *out, const float *rows, size_t nrows, size_t stride,
                const float *queries, size_t nq);
    void (*i8)(int32_t *out, const int8_t *rows, size_t nrows, size_t qstride,
               const int8_t *queries, size_t nq);
} vg__scan_kernels;

/* The portable kernels (index_scan.c). */
extern const vg__scan_kernels vg__scan_portable;

/* The AVX2 + FMA kernels (index_avx2.c), or NULL where they are not built
 * (index_avx2_absent.c). Call them only when vg__scan_best() returns them. */
extern const vg__scan_kernels *const vg__scan_avx2;

/* The fastest kernels this processor runs: AVX2 + FMA when built and supported, else the
 * portable ones. */
const vg__scan_kernels *vg__scan_best(void);

/* Quantises v[0 .. n) symmetrically to out[0 .. padded) (zeros past n) with
 * *scale = max|v| / 127 (0 for the zero vector), so that v ~ out * scale. */
void vg__scan_quantize(int8_t *out, float *scale, const float *v, size_t n, size_t padded);

/* count * size bytes aligned to VG__INDEX_ALIGN (NULL on overflow), freed with free(). */
void *vg__index_alloc_aligned(size_t count, size_t size);

/* Makes sure the int8 copies exist (builds them once, under the index's lock; the index is
 * otherwise left alone, so concurrent searches may call it). VG_OK or VG_ENOMEM. */
int vg__index_int8_ensure(const vg__index *index);

/* 1 when the int8 copies exist. */
int vg__index_int8_kept(const vg__index *index);

#endif
