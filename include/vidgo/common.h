/* SPDX-License-Identifier: MIT */
/* Export macro, C++ linkage guards and the small types every libvidgo header shares. */
#ifndef VIDGO_COMMON_H
#define VIDGO_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32) && defined(VG_BUILDING_DLL)
#define VG_API __declspec(dllexport)
#elif defined(_WIN32) && !defined(VG_STATIC)
#define VG_API __declspec(dllimport)
#elif defined(__GNUC__) && __GNUC__ >= 4
#define VG_API __attribute__((visibility("default")))
#else
#define VG_API
#endif

#ifdef __cplusplus
#define VG_BEGIN_DECLS extern "C" {
#define VG_END_DECLS }
#else
#define VG_BEGIN_DECLS
#define VG_END_DECLS
#endif

VG_BEGIN_DECLS

/* A point in time: microseconds since 1970-01-01T00:00:00Z (UTC). */
typedef int64_t vg_time;

/* The library context: one per store, shareable by threads (see context.h). */
typedef struct vg_ctx vg_ctx;

VG_END_DECLS

#endif
