/* SPDX-License-Identifier: MIT */
/* Every numeric constant of the public headers by name, for bindings that cannot see macros. */
#ifndef VIDGO_CONSTANTS_H
#define VIDGO_CONSTANTS_H

#include "common.h"

VG_BEGIN_DECLS

/* Looks up a constant of the public headers by its name ("VG_OPEN_CREATE",
 * "VG_CONFIG_VERSION", "VG_LOG_WARN", ...) and writes its value to *out. Status codes are
 * reached through vg_error_count()/vg_error_code_at() instead. Returns VG_OK, VG_EINVAL for
 * NULL arguments, VG_ENOTFOUND for an unknown name (then *out is unchanged). */
VG_API int vg_constant(long long *out, const char *name);

/* Returns the number of constants vg_constant() knows, and with vg_constant_name_at() their
 * names (NULL for an index out of range), so that a binding can import them all. */
VG_API size_t vg_constant_count(void);
VG_API const char *vg_constant_name_at(size_t index);

VG_END_DECLS

#endif
