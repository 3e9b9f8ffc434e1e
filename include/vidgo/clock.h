/* SPDX-License-Identifier: MIT */
/* Times as vg_time (microseconds since the epoch, UTC) and their RFC 3339 text form. */
#ifndef VIDGO_CLOCK_H
#define VIDGO_CLOCK_H

#include "common.h"

VG_BEGIN_DECLS

/* Size of a buffer that holds any text vg_time_format() writes, terminator included. */
#define VG_TIME_TEXT_SIZE 32

/* Returns VG_TIME_TEXT_SIZE (for FFI bindings). */
VG_API size_t vg_time_text_size(void);

/* Parses an RFC 3339 date-time ("2026-11-30T00:00:00Z", "2026-11-30T09:00:00.25+09:00")
 * into *out. Returns VG_OK, or VG_EINVAL for NULL arguments or text that is not RFC 3339
 * (then *out is unchanged). */
VG_API int vg_time_parse(vg_time *out, const char *text);

/* Writes t as RFC 3339 in UTC ("2026-11-30T00:00:00Z", with ".ffffff" when t has a
 * fraction of a second) into buf. Returns VG_OK, VG_EINVAL for a NULL buf, VG_EBUFSIZE if
 * size < VG_TIME_TEXT_SIZE, VG_ERANGE for a year outside 0000-9999. */
VG_API int vg_time_format(char *buf, size_t size, vg_time t);

/* Returns the current system time (CLOCK_REALTIME) as a vg_time. */
VG_API vg_time vg_time_now_system(void);

VG_END_DECLS

#endif
