/* SPDX-License-Identifier: MIT */
/* The payment settings a context copies from its configuration or the seed's variables
 * (ECPAY_MERCHANT_ID, ECPAY_HASH_KEY, ECPAY_HASH_IV, ECPAY_STAGE, PADDLE_WEBHOOK_SECRET,
 * VIDGO_PAYMENTS_SANDBOX); secrets are wiped at close. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "payments_internal.h"

static const char *pick(const char *configured, const char *variable)
{
    const char *v = configured ? configured : getenv(variable);
    return v && *v ? v : NULL;
}

static int flag(int configured, const char *variable)
{
    const char *v = getenv(variable);
    return configured || (v && strcmp(v, "1") == 0);
}

static int copy(vg_ctx *ctx, char **dst, const char *src)
{
    return !src || (*dst = vg__strdup(ctx, src)) != NULL;
}

int vg__payments_settings_check(const vg_config *config)
{
    if (config->version < 4)
        return VG_OK;
    if (config->payments.paddle_tolerance_s < 0 || config->payments.paddle_tolerance_s > 86400 ||
        config->payments.order_ttl_s < 0)
        return vg__fail(NULL, VG_ECONFIG, "config.payments: paddle_tolerance_s must be "
                                          "0..86400 and order_ttl_s not negative");
    return VG_OK;
}

/* In the sandbox, missing keys are the sandbox's: ECPay's public stage merchant (its test
 * credentials are published) and a Paddle secret known only to this library. */
static int sandbox_keys(vg_ctx *ctx)
{
    if (!ctx->payments.ecpay_merchant_id && !ctx->payments.ecpay_hash_key &&
        !ctx->payments.ecpay_hash_iv) {
        ctx->payments.ecpay_stage = 1;
        if (!copy(ctx, &ctx->payments.ecpay_merchant_id, "3002607") ||
            !copy(ctx, &ctx->payments.ecpay_hash_key, "pwFHCqoQZGmho4w6") ||
            !copy(ctx, &ctx->payments.ecpay_hash_iv, "EkRm7iFT261dpevs"))
            return 0;
    }
    return ctx->payments.paddle_secret ||
           copy(ctx, &ctx->payments.paddle_secret, "pdl_ntfset_vidgo_sandbox_only");
}

int vg__payments_settings_open(vg_ctx *ctx, const vg_config *config)
{
    vg_payments_config none;
    const vg_payments_config *p = &none;

    memset(&none, 0, sizeof none);
    if (config->version >= 4)
        p = &config->payments;
    if (!copy(ctx, &ctx->payments.ecpay_merchant_id, pick(p->ecpay_merchant_id, "ECPAY_MERCHANT_ID")) ||
        !copy(ctx, &ctx->payments.ecpay_hash_key, pick(p->ecpay_hash_key, "ECPAY_HASH_KEY")) ||
        !copy(ctx, &ctx->payments.ecpay_hash_iv, pick(p->ecpay_hash_iv, "ECPAY_HASH_IV")) ||
        !copy(ctx, &ctx->payments.paddle_secret,
              pick(p->paddle_webhook_secret, "PADDLE_WEBHOOK_SECRET")))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    ctx->payments.ecpay_stage = flag(p->ecpay_stage, "ECPAY_STAGE");
    ctx->payments.sandbox = flag(p->sandbox, "VIDGO_PAYMENTS_SANDBOX");
    if (ctx->payments.sandbox && !sandbox_keys(ctx))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    ctx->payments.paddle_tolerance_s = p->paddle_tolerance_s;
    ctx->payments.order_ttl_s = p->order_ttl_s ? p->order_ttl_s : 86400;
    return VG_OK;
}

static void wipe(vg_ctx *ctx, char **s)
{
    if (*s) {
        sodium_memzero(*s, strlen(*s));
        vg__free(ctx, *s);
        *s = NULL;
    }
}

void vg__payments_settings_free(vg_ctx *ctx)
{
    wipe(ctx, &ctx->payments.ecpay_merchant_id);
    wipe(ctx, &ctx->payments.ecpay_hash_key);
    wipe(ctx, &ctx->payments.ecpay_hash_iv);
    wipe(ctx, &ctx->payments.paddle_secret);
}
