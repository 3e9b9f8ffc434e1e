/* SPDX-License-Identifier: MIT */
/* (being written: a placeholder until the mailer lands) */
#include "email_internal.h"

int vg__mailer_open(vg_ctx *ctx, const vg_config *config)
{
    (void)config;
    ctx->mailer = NULL;
    return VG_OK;
}

void vg__mailer_close(vg_ctx *ctx)
{
    ctx->mailer = NULL;
}

int vg__email_send(vg_ctx *ctx, vg__email_kind kind, int lang, const char *to,
                   const char *secret)
{
    (void)kind, (void)lang, (void)to, (void)secret;
    return vg__fail(ctx, VG_ECONFIG, "no way to send e-mail is configured");
}
