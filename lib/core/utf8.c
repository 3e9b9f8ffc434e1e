/* SPDX-License-Identifier: MIT */
/* UTF-8 validation of text that enters the library. */
#include <utf8proc.h>

#include "internal.h"

int vg__utf8_valid(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_int32_t cp;

    while (*p) {
        utf8proc_ssize_t n = utf8proc_iterate(p, -1, &cp);
        if (n <= 0)
            return 0;
        p += n;
    }
    return 1;
}
