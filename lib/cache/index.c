/* SPDX-License-Identifier: MIT */
/* The similarity cache's in-memory vector index: padded float rows and their int8 copies,
 * ids, visibility, and an id map for O(1) removal (searching is in index_search.c). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cache/index_internal.h"
#include "core/internal.h"

#define FIRST_CAPACITY 16
#define MAP_MIN_SLOTS 16

static size_t round_up(size_t n, size_t multiple)
{
    return (n + multiple - 1) / multiple * multiple;
}

void *vg__index_alloc_aligned(size_t count, size_t size)
{
    size_t bytes;
    if (size && count > (SIZE_MAX - VG__INDEX_ALIGN) / size)
        return NULL;
    bytes = count * size;
    return aligned_alloc(VG__INDEX_ALIGN, round_up(bytes ? bytes : 1, VG__INDEX_ALIGN));
}

/* --- the id map --------------------------------------------------------------------------- */

static size_t map_home(const vg__index *index, int64_t id)
{
    uint64_t h = (uint64_t)id; /* the finaliser of MurmurHash3 */
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return (size_t)h & index->map_mask;
}

/* The slot that holds id, or the empty slot where it would go. */
static size_t map_find(const vg__index *index, int64_t id)
{
    size_t slot = map_home(index, id);
    while (index->map[slot] != 0 && index->ids[index->map[slot] - 1] != id)
        slot = (slot + 1) & index->map_mask;
    return slot;
}

/* Empties a slot, moving back the entries of its probe run that may then be found sooner
 * (backward-shift deletion: no tombstones). */
static void map_erase(vg__index *index, size_t hole)
{
    size_t mask = index->map_mask, slot = hole;
    for (;;) {
        size_t home;
        slot = (slot + 1) & mask;
        if (index->map[slot] == 0)
            break;
        home = map_home(index, index->ids[index->map[slot] - 1]);
        if (((slot - home) & mask) >= ((slot - hole) & mask)) {
            index->map[hole] = index->map[slot];
            hole = slot;
        }
    }
    index->map[hole] = 0;
}

/* Makes room for `rows` rows at half load. */
static int map_reserve(vg__index *index, size_t rows)
{
    size_t slots = index->map ? index->map_mask + 1 : MAP_MIN_SLOTS, row;
    uint32_t *map;
    if (index->map && rows <= slots / 2)
        return VG_OK;
    while (rows > slots / 2)
        slots *= 2;
    if (!(map = calloc(slots, sizeof *map)))
        return VG_ENOMEM;
    free(index->map);
    index->map = map;
    index->map_mask = slots - 1;
    for (row = 0; row < index->count; row++)
        index->map[map_find(index, index->ids[row])] = (uint32_t)(row + 1);
    return VG_OK;
}

/* --- storage ------------------------------------------------------------------------------- */

int vg__index_int8_kept(const vg__index *index)
{
    return __atomic_load_n(&index->int8_kept, __ATOMIC_ACQUIRE);
}

static void quantize_row(vg__index *index, size_t row)
{
    vg__scan_quantize(index->qrows + row * index->qstride, &index->qscales[row],
                      index->rows + row * index->stride, (size_t)index->dimension,
                      index->qstride);
}

/* Builds the int8 copies of every row; the caller holds the lock or owns the index. */
static int int8_build(vg__index *index)
{
    size_t row;
    int8_t *qrows = vg__index_alloc_aligned(index->capacity, index->qstride);
    float *qscales = malloc((index->capacity ? index->capacity : 1) * sizeof *qscales);
    if (!qrows || !qscales) {
        free(qrows);
        free(qscales);
        return VG_ENOMEM;
    }
    index->qrows = qrows;
    index->qscales = qscales;
    for (row = 0; row < index->count; row++)
        quantize_row(index, row);
    __atomic_store_n(&index->int8_kept, 1, __ATOMIC_RELEASE);
    return VG_OK;
}

int vg__index_int8_ensure(const vg__index *index)
{
    /* The copies are derived data, built once: the index is const to searches otherwise. */
    vg__index *mutable_index = (vg__index *)index;
    int rc = VG_OK;
    if (vg__index_int8_kept(index))
        return VG_OK;
    pthread_mutex_lock(&mutable_index->int8_lock);
    if (!vg__index_int8_kept(index))
        rc = int8_build(mutable_index);
    pthread_mutex_unlock(&mutable_index->int8_lock);
    return rc == VG_OK ? VG_OK : vg__fail(NULL, rc, "no memory for the int8 copies of the index");
}

/* Doubles the rows allocated (every array; the index is unchanged on failure). */
static int grow(vg__index *index)
{
    size_t capacity = index->capacity ? index->capacity * 2 : FIRST_CAPACITY;
    float *rows = NULL, *qscales = NULL;
    int8_t *qrows = NULL;
    int64_t *ids, *visible_to;

    if (capacity > VG__INDEX_MAX_ROWS)
        capacity = VG__INDEX_MAX_ROWS;
    if (capacity <= index->count || capacity > SIZE_MAX / sizeof(int64_t))
        return VG_ENOMEM;
    /* A larger ids or visible_to array is harmless if a later step fails. */
    if (!(ids = realloc(index->ids, capacity * sizeof *ids)))
        return VG_ENOMEM;
    index->ids = ids;
    if (!(visible_to = realloc(index->visible_to, capacity * sizeof *visible_to)))
        return VG_ENOMEM;
    index->visible_to = visible_to;
    if (!(rows = vg__index_alloc_aligned(capacity, index->stride * sizeof(float))))
        return VG_ENOMEM;
    if (vg__index_int8_kept(index) &&
        (!(qrows = vg__index_alloc_aligned(capacity, index->qstride)) ||
         !(qscales = malloc(capacity * sizeof *qscales)))) {
        free(rows);
        free(qrows);
        return VG_ENOMEM;
    }
    if (index->count)
        memcpy(rows, index->rows, index->count * index->stride * sizeof(float));
    free(index->rows);
    index->rows = rows;
    if (vg__index_int8_kept(index)) {
        if (index->count) {
            memcpy(qrows, index->qrows, index->count * index->qstride);
            memcpy(qscales, index->qscales, index->count * sizeof *qscales);
        }
        free(index->qrows);
        free(index->qscales);
        index->qrows = qrows;
        index->qscales = qscales;
    }
    index->capacity = capacity;
    return VG_OK;
}

int vg__index_new(vg__index **out, int dimension)
{
    vg__index *index;
    if (!out)
        return vg__fail(NULL, VG_EINVAL, "vg__index_new: out is NULL");
    *out = NULL;
    if (dimension < 1 || dimension > VG__INDEX_MAX_DIMENSION)
        return vg__fail(NULL, VG_EINVAL, "vg__index_new: dimension %d is not in 1..%d",
                        dimension, VG__INDEX_MAX_DIMENSION);
    if (!(index = calloc(1, sizeof *index)))
        return vg__fail(NULL, VG_ENOMEM, "no memory for an index");
    index->dimension = dimension;
    index->stride = round_up((size_t)dimension, VG__INDEX_F32_LANES);
    index->qstride = round_up((size_t)dimension, VG__INDEX_I8_LANES);
    if (pthread_mutex_init(&index->int8_lock, NULL) != 0) {
        free(index);
        return vg__fail(NULL, VG_ENOMEM, "cannot make the index's lock");
    }
    if (map_reserve(index, 0) != VG_OK) {
        vg__index_free(index);
        return vg__fail(NULL, VG_ENOMEM, "no memory for an index");
    }
    *out = index;
    return VG_OK;
}

void vg__index_free(vg__index *index)
{
    if (!index)
        return;
    pthread_mutex_destroy(&index->int8_lock);
    free(index->rows);
    free(index->ids);
    free(index->visible_to);
    free(index->qrows);
    free(index->qscales);
    free(index->map);
    free(index);
}

int vg__index_add(vg__index *index, int64_t id, int64_t visible_to, const float *vector)
{
    size_t slot, row, i;
    float *dst;

    if (!index || !vector)
        return vg__fail(NULL, VG_EINVAL, "vg__index_add: %s is NULL", index ? "vector" : "index");
    for (i = 0; i < (size_t)index->dimension; i++)
        if (!isfinite(vector[i]))
            return vg__fail(NULL, VG_EINVAL, "vg__index_add: component %zu is not finite", i);
    if (index->map[slot = map_find(index, id)] != 0)
        return vg__fail(NULL, VG_EEXISTS, "id %lld is already in the index", (long long)id);
    if ((index->count == index->capacity && grow(index) != VG_OK) ||
        map_reserve(index, index->count + 1) != VG_OK)
        return vg__fail(NULL, VG_ENOMEM, "no memory for %zu rows of %d floats",
                        index->count + 1, index->dimension);
    slot = map_find(index, id); /* the map may have been rebuilt */

    row = index->count;
    dst = index->rows + row * index->stride;
    memcpy(dst, vector, (size_t)index->dimension * sizeof *dst);
    memset(dst + index->dimension, 0, (index->stride - (size_t)index->dimension) * sizeof *dst);
    index->ids[row] = id;
    index->visible_to[row] = visible_to;
    if (vg__index_int8_kept(index))
        quantize_row(index, row);
    index->map[slot] = (uint32_t)(row + 1);
    index->count++;
    /* From VG__INT8_MIN_ROWS rows the int8 copies are kept; without the memory for them,
     * searches stay in float32 (and a later add tries again). */
    if (!vg__index_int8_kept(index) && index->count >= VG__INT8_MIN_ROWS)
        (void)int8_build(index);
    return VG_OK;
}

int vg__index_remove(vg__index *index, int64_t id)
{
    size_t slot, row, last;

    if (!index)
        return vg__fail(NULL, VG_EINVAL, "vg__index_remove: index is NULL");
    if (index->map[slot = map_find(index, id)] == 0)
        return vg__fail(NULL, VG_ENOTFOUND, "id %lld is not in the index", (long long)id);
    row = index->map[slot] - 1;
    last = index->count - 1;
    map_erase(index, slot);
    if (row != last) { /* the last row takes the removed row's place */
        index->map[map_find(index, index->ids[last])] = (uint32_t)(row + 1);
        memcpy(index->rows + row * index->stride, index->rows + last * index->stride,
               index->stride * sizeof(float));
        index->ids[row] = index->ids[last];
        index->visible_to[row] = index->visible_to[last];
        if (vg__index_int8_kept(index)) {
            memcpy(index->qrows + row * index->qstride, index->qrows + last * index->qstride,
                   index->qstride);
            index->qscales[row] = index->qscales[last];
        }
    }
    index->count--;
    return VG_OK;
}

size_t vg__index_count(const vg__index *index)
{
    return index ? index->count : 0;
}

int vg__index_dimension(const vg__index *index)
{
    return index ? index->dimension : 0;
}

/* What the index holds divided by its rows (so the slack of capacity doubling and of the
 * half-empty map is counted); for an empty index, what one row costs. */
size_t vg__index_bytes_per_row(const vg__index *index)
{
    size_t row_bytes, total;
    if (!index)
        return 0;
    row_bytes = index->stride * sizeof(float) + sizeof(int64_t) * 2;
    if (vg__index_int8_kept(index))
        row_bytes += index->qstride + sizeof(float);
    if (index->count == 0)
        return row_bytes + 2 * sizeof(uint32_t);
    total = index->capacity * row_bytes + (index->map_mask + 1) * sizeof(uint32_t);
    return (total + index->count - 1) / index->count;
}
