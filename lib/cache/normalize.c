/* SPDX-License-Identifier: MIT */
/* Prompt normalisation: NFKC, full case fold, white space collapsed and trimmed. */
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "cache_internal.h"
#include "core/internal.h"

/* Unicode White_Space (PropList.txt), as inclusive code point ranges. NFKC already maps
 * U+00A0, U+2000..U+200A, U+202F, U+205F and U+3000 to U+0020; they stay listed so that
 * the table says what the contract says. */
static const struct {
    int32_t first, last;
} white_space[] = {
    {0x0009, 0x000D}, {0x0020, 0x0020}, {0x0085, 0x0085}, {0x00A0, 0x00A0},
    {0x1680, 0x1680}, {0x2000, 0x200A}, {0x2028, 0x2029}, {0x202F, 0x202F},
    {0x205F, 0x205F}, {0x3000, 0x3000},
};

static int is_white_space(int32_t cp)
{
    size_t i;
    for (i = 0; i < sizeof white_space / sizeof white_space[0]; i++)
        if (cp >= white_space[i].first && cp <= white_space[i].last)
            return 1;
    return 0;
}

/* Copies src[0..n) into dst (room for n bytes at least), every white space run made one
 * ASCII space, leading and trailing runs dropped. src is valid UTF-8 (utf8proc's output).
 * Returns the length written. */
static size_t collapse_white_space(char *dst, const utf8proc_uint8_t *src, size_t n)
{
    size_t i = 0, len = 0;
    int pending_space = 0;

    while (i < n) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t step = utf8proc_iterate(src + i, (utf8proc_ssize_t)(n - i), &cp);
        if (step <= 0) /* cannot happen on utf8proc's own output; stop rather than loop */
            break;
        if (is_white_space(cp)) {
            pending_space = len > 0;
        } else {
            if (pending_space)
                dst[len++] = ' ';
            pending_space = 0;
            memcpy(dst + len, src + i, (size_t)step);
            len += (size_t)step;
        }
        i += (size_t)step;
    }
    return len;
}

int vg__prompt_normalize(char *out, size_t size, size_t *out_len, const char *prompt)
{
    utf8proc_uint8_t *mapped = NULL;
    utf8proc_ssize_t mapped_len;
    char *collapsed = NULL;
    size_t in_len, len = 0;
    int rc;

    if (out && size > 0)
        out[0] = '\0';
    if (!out || !prompt) {
        rc = vg__fail(NULL, VG_EINVAL, "prompt normalisation: NULL argument");
        goto done;
    }
    in_len = strnlen(prompt, (size_t)VG_PROMPT_MAX_BYTES + 1);
    if (in_len > VG_PROMPT_MAX_BYTES) {
        rc = vg__fail(NULL, VG_EPROMPT_TOO_LONG, "prompt is longer than %d bytes",
                      VG_PROMPT_MAX_BYTES);
        goto done;
    }
    /* Checked here, strictly (no overlongs, surrogates, truncations, bytes 0xC0, 0xC1,
     * 0xF5..0xFF), so that what is refused does not depend on what utf8proc replaces. */
    if (!vg__utf8_valid(prompt)) {
        rc = vg__fail(NULL, VG_EUTF8, "prompt is not valid UTF-8");
        goto done;
    }
    mapped_len = utf8proc_map((const utf8proc_uint8_t *)prompt, (utf8proc_ssize_t)in_len,
                              &mapped,
                              UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |
                                  UTF8PROC_CASEFOLD);
    if (mapped_len < 0) {
        rc = mapped_len == UTF8PROC_ERROR_NOMEM
                 ? vg__fail(NULL, VG_ENOMEM, "prompt normalisation: out of memory")
                 : vg__fail(NULL, VG_EUTF8, "prompt normalisation: %s",
                            utf8proc_errmsg(mapped_len));
        goto done;
    }
    collapsed = malloc((size_t)mapped_len + 1);
    if (!collapsed) {
        rc = vg__fail(NULL, VG_ENOMEM, "prompt normalisation: out of memory");
        goto done;
    }
    len = collapse_white_space(collapsed, mapped, (size_t)mapped_len);
    if (len == 0) {
        rc = vg__fail(NULL, VG_EPROMPT_EMPTY, "prompt is empty after normalisation");
        goto done;
    }
    if (len > VG_PROMPT_MAX_BYTES) {
        rc = vg__fail(NULL, VG_EPROMPT_TOO_LONG,
                      "prompt is longer than %d bytes after normalisation",
                      VG_PROMPT_MAX_BYTES);
        goto done;
    }
    if (out_len)
        *out_len = len;
    if (len >= size) {
        rc = vg__fail(NULL, VG_EBUFSIZE, "normalised prompt needs %zu bytes and a terminator",
                      len);
        goto done;
    }
    memcpy(out, collapsed, len);
    out[len] = '\0';
    rc = VG_OK;

done:
    free(mapped); /* utf8proc allocates with malloc */
    free(collapsed);
    return rc;
}

int vg_prompt_normalize(char *out, size_t size, size_t *out_len, const char *prompt)
{
    return vg__prompt_normalize(out, size, out_len, prompt);
}
