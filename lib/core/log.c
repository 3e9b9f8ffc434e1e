/* SPDX-License-Identifier: MIT */
/* Log lines to the host's callback, filtered by the configured level. */
#include <stdio.h>

#include "internal.h"

void vg__log(const vg_ctx *ctx, vg_log_level level, const char *fmt, ...)
{
    char line[1024];
    va_list ap;

    if (!ctx || !ctx->log || level < ctx->log_level || level >= VG_LOG_NONE)
        return;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    ctx->log(level, line, ctx->log_payload);
}
