/* SPDX-License-Identifier: MIT */
/* Stands in for the AVX2 + FMA kernels of the vector index where they are not built. */
#include "cache/index_internal.h"

const vg__scan_kernels *const vg__scan_avx2 = NULL;
