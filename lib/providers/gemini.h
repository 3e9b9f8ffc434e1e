/* SPDX-License-Identifier: MIT */
/* Internal Gemini calls beyond the embedder: moderation and prompt enhancement through
 * generateContent (docs/providers.md §2.1), behind vg_moderate and vg_prompt_enhance. */
#ifndef VG_PROVIDERS_GEMINI_H
#define VG_PROVIDERS_GEMINI_H

#include <stddef.h>

#include "../core/internal.h"
#include "../../include/vidgo/providers.h"

/*
 * Asks Gemini (key and base URL from the context's settings: config, else $GEMINI_API_KEY
 * and $VIDGO_GEMINI_BASE_URL) whether a
 * prompt, and a product image when image is not NULL (image_len bytes of type image_mime),
 * may be generated. Blocked when Gemini blocks the prompt (promptFeedback.blockReason),
 * ends the answer for safety (finishReason SAFETY and its kin), or its own JSON verdict says
 * not allowed. Fills out->blocked, reason and detail only on VG_OK. Returns VG_OK, VG_EINVAL, VG_ENO_API_KEY,
 * VG_ECONFIG, VG_ENOMEM, VG_EPROVIDER_RESPONSE (a malformed answer) or the HTTP layer's
 * codes (see vg__http_send), recorded on ctx. Thread-safe.
 */
int vg__gemini_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt,
                        const unsigned char *image, size_t image_len, const char *image_mime);

/*
 * Asks Gemini for an improved English prompt for a product advertising video that keeps the
 * user's intent; lang is the language tag of the prompt (NULL: unknown). Writes the model's
 * text (first candidate, parts joined, trimmed) NUL-terminated into out. Returns VG_OK,
 * VG_EBUFSIZE (the text does not fit in size), VG_EPROVIDER_RESPONSE (empty, blocked or
 * malformed answer), VG_EINVAL, VG_ENO_API_KEY, VG_ECONFIG, VG_ENOMEM or the HTTP layer's
 * codes, recorded on ctx. Thread-safe.
 */
int vg__gemini_enhance(char *out, size_t size, vg_ctx *ctx, const char *prompt,
                       const char *lang);

/* Frees an embedder made by vg_embedder_gemini; any other embedder is left alone. */
void vg__gemini_embedder_free(vg_embedder *embedder);

#endif
