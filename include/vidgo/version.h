/* SPDX-License-Identifier: MIT */
/* Version of the libvidgo headers; meson reads the build's version and SONAME from here. */
#ifndef VIDGO_VERSION_H
#define VIDGO_VERSION_H

#include "common.h"

#define VG_VERSION_MAJOR 0
#define VG_VERSION_MINOR 1
#define VG_VERSION_PATCH 0
#define VG_VERSION_STRING "0.1.0"
/* One integer that orders versions: major * 10000 + minor * 100 + patch. */
#define VG_VERSION_NUMBER (VG_VERSION_MAJOR * 10000 + VG_VERSION_MINOR * 100 + VG_VERSION_PATCH)

VG_BEGIN_DECLS

/* Returns the version string of the library actually loaded ("0.1.0"); static, never NULL. */
VG_API const char *vg_version(void);

/* Returns VG_VERSION_NUMBER of the library actually loaded; compare it with the macro
 * to detect a header/library mismatch at run time. */
VG_API int vg_version_number(void);

VG_END_DECLS

#endif
