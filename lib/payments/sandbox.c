/* SPDX-License-Identifier: MIT */
/* The sandbox: an order paid by a simulated provider callback, signed with the sandbox's
 * keys and handled by the same code as a real one. Production refuses it. */
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "payments_internal.h"

/* ECPay's callback for a paid order, signed with the configured (in the sandbox: the stage)
 * merchant keys. */
static int ecpay_paid(vg_order *out, vg_ctx *ctx, const vg_store_order *o)
{
    char now[VG__TAIWAN_TIME_SIZE], amount[24], trade_no[32], mac[65], body[2048], reply[64];
    vg_form_field fields[13];
    size_t n = 0;
    int rc;

    vg__taiwan_time(now, vg_ctx_now(ctx));
    snprintf(amount, sizeof amount, "%" PRId64, o->amount_minor);
    snprintf(trade_no, sizeof trade_no, "SB%.18s", o->number + 2);
    fields[n++] = (vg_form_field){"MerchantID", ctx->payments.ecpay_merchant_id};
    fields[n++] = (vg_form_field){"MerchantTradeNo", o->number};
    fields[n++] = (vg_form_field){"StoreID", ""};
    fields[n++] = (vg_form_field){"RtnCode", "1"};
    fields[n++] = (vg_form_field){"RtnMsg", "Succeeded"};
    fields[n++] = (vg_form_field){"TradeNo", trade_no};
    fields[n++] = (vg_form_field){"TradeAmt", amount};
    fields[n++] = (vg_form_field){"PaymentDate", now};
    fields[n++] = (vg_form_field){"PaymentType", "Credit_CreditCard"};
    fields[n++] = (vg_form_field){"PaymentTypeChargeFee", "0"};
    fields[n++] = (vg_form_field){"TradeDate", now};
    fields[n++] = (vg_form_field){"SimulatePaid", "1"};
    if ((rc = vg_ecpay_check_mac(mac, fields, n, ctx->payments.ecpay_hash_key,
                                 ctx->payments.ecpay_hash_iv, 1)) != VG_OK)
        return rc;
    fields[n++] = (vg_form_field){"CheckMacValue", mac};
    if ((rc = vg__form_encode(body, sizeof body, NULL, fields, n)) != VG_OK)
        return rc;
    return vg_ecpay_callback(out, reply, sizeof reply, ctx, body, strlen(body));
}

/* Paddle's transaction.completed for the order, signed with the first endpoint secret. */
static int paddle_paid(vg_order *out, vg_ctx *ctx, const vg_store_order *o)
{
    const char *secret = vg__paddle_secret(ctx), *end;
    char body[1024], header[128], hex[65];
    unsigned char mac[32];
    vg_webhook_result result;
    vg__hmac_part parts[3];
    long long ts = (long long)(vg_ctx_now(ctx) / 1000000);
    char ts_text[24];
    int rc;

    if (!secret)
        return vg__fail(ctx, VG_ECONFIG, "paddle: no endpoint secret for the sandbox");
    end = strchr(secret, ' ');
    snprintf(body, sizeof body,
             "{\"event_id\":\"evt_sandbox_%s\",\"event_type\":\"transaction.completed\","
             "\"data\":{\"id\":\"txn_sandbox_%s\",\"status\":\"completed\","
             "\"currency_code\":\"%s\",\"details\":{\"totals\":{\"total\":\"%" PRId64 "\"}},"
             "\"custom_data\":{\"vidgo_order\":\"%s\"}}}",
             o->number, o->number, o->currency, o->amount_minor, o->number);
    snprintf(ts_text, sizeof ts_text, "%lld", ts);
    parts[0] = (vg__hmac_part){ts_text, strlen(ts_text)};
    parts[1] = (vg__hmac_part){":", 1};
    parts[2] = (vg__hmac_part){body, strlen(body)};
    vg__hmac_sha256(mac, secret, end ? (size_t)(end - secret) : strlen(secret), parts, 3);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(header, sizeof header, "ts=%s;h1=%s", ts_text, hex);
    memset(&result, 0, sizeof result);
    result.version = VG_WEBHOOK_RESULT_VERSION;
    if ((rc = vg_paddle_webhook(&result, ctx, header, body, strlen(body))) != VG_OK)
        return rc;
    return out ? vg_order_get(out, ctx, o->id) : VG_OK;
}

int vg_order_simulate_paid(vg_order *out, vg_ctx *ctx, int64_t order_id)
{
    vg_store_order o;
    int rc;

    if (!ctx || order_id <= 0)
        return vg__fail(ctx, VG_EINVAL, "vg_order_simulate_paid: ctx or order id missing");
    if (!ctx->payments.sandbox)
        return vg__fail(ctx, VG_EUNSUPPORTED, "simulated payments need sandbox mode "
                                              "(payments.sandbox or VIDGO_PAYMENTS_SANDBOX=1)");
    if ((rc = vg__order_load(ctx, &o, order_id, NULL)) != VG_OK)
        return rc;
    vg__log(ctx, VG_LOG_INFO, "order %s: paid in the sandbox through %s", o.number, o.provider);
    return strcmp(o.provider, "ecpay") == 0 ? ecpay_paid(out, ctx, &o) : paddle_paid(out, ctx, &o);
}
