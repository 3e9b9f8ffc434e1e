/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the local client. */
#include "provider.h"

const vg__provider_ops vg__local_ops = {
    VG_PROVIDER_LOCAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};

/* TEMPORARY (lead): placeholders so the library links until the local provider lands. */
int vg__local_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt)
{
    (void)out;
    (void)prompt;
    return vg__fail(ctx, VG_EUNSUPPORTED, "local moderation is not written yet");
}

int vg__local_enhance(char *out, size_t size, vg_ctx *ctx, const char *prompt, const char *lang)
{
    (void)out;
    (void)size;
    (void)prompt;
    (void)lang;
    return vg__fail(ctx, VG_EUNSUPPORTED, "local enhancement is not written yet");
}
