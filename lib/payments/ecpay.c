/* SPDX-License-Identifier: MIT */
/* ECPay's All-In-One checkout: the signed form an order is paid with, and the server
 * callback that says it was — verified before anything is read from it. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "payments_internal.h"

static const char stage_url[] = "https://payment-stage.ecpay.com.tw/Cashier/AioCheckOut/V5";
static const char production_url[] = "https://payment.ecpay.com.tw/Cashier/AioCheckOut/V5";

/* The merchant settings: VG_ECONFIG when one is missing. */
static int merchant(vg_ctx *ctx)
{
    if (!ctx->payments.ecpay_merchant_id || !ctx->payments.ecpay_hash_key ||
        !ctx->payments.ecpay_hash_iv)
        return vg__fail(ctx, VG_ECONFIG, "ecpay: set the merchant id, HashKey and HashIV "
                                         "(payments config or ECPAY_MERCHANT_ID, "
                                         "ECPAY_HASH_KEY, ECPAY_HASH_IV)");
    return VG_OK;
}

static int add_field(vg_ecpay_form *form, const char *name, const char *value)
{
    if (form->count == VG_ECPAY_FORM_FIELDS ||
        strlen(value) >= sizeof form->fields[0].value)
        return 0;
    snprintf(form->fields[form->count].name, sizeof form->fields[0].name, "%s", name);
    snprintf(form->fields[form->count].value, sizeof form->fields[0].value, "%s", value);
    form->count++;
    return 1;
}

/* A URL ECPay can post to: http(s), printable ASCII, under 200 bytes (its limit). */
static int url_ok(const char *url)
{
    const char *p;
    if (!url || (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) ||
        strlen(url) >= 200)
        return 0;
    for (p = url; *p; p++)
        if (*p <= ' ' || *p > '~')
            return 0;
    return 1;
}

/* ItemName and TradeDesc: ECPay wants no special characters in TradeDesc. */
static void describe(const vg_store_order *o, char *item, size_t item_size, char *desc,
                     size_t desc_size)
{
    if (o->kind == VG_ORDER_PACKAGE) {
        snprintf(item, item_size, "VidGo %" PRId64 " credits", o->credits);
        snprintf(desc, desc_size, "VidGo credits");
    } else {
        snprintf(item, item_size, "VidGo %s plan 1 month", o->item);
        snprintf(desc, desc_size, "VidGo subscription");
    }
}

int vg_ecpay_checkout(vg_ecpay_form *out, vg_ctx *ctx, int64_t order_id,
                      const char *return_url, const char *client_back_url,
                      const char *choose_payment)
{
    vg_form_field fields[VG_ECPAY_FORM_FIELDS];
    char date[VG__TAIWAN_TIME_SIZE], amount[24], item[128], desc[64], mac[65];
    vg_store_order o;
    size_t i;
    int rc, ok;

    if (!out || !ctx || order_id <= 0 || !url_ok(return_url) ||
        (client_back_url && !url_ok(client_back_url)))
        return vg__fail(ctx, VG_EINVAL, "vg_ecpay_checkout: an order and an http(s) return "
                                        "URL of under 200 bytes are needed");
    if (choose_payment && (!*choose_payment || strlen(choose_payment) > 20))
        return vg__fail(ctx, VG_EINVAL, "ChoosePayment is 1..20 characters");
    if ((rc = merchant(ctx)) != VG_OK)
        return rc;
    if ((rc = vg__order_load(ctx, &o, order_id, NULL)) != VG_OK)
        return rc == VG_ENOTFOUND ? vg__fail(ctx, rc, "there is no order %" PRId64, order_id)
                                  : rc;
    if (strcmp(o.provider, "ecpay") != 0 || strcmp(o.currency, "TWD") != 0)
        return vg__fail(ctx, VG_ECURRENCY, "order %s is not an ECPay order in TWD", o.number);
    if ((rc = vg__order_mark_pending(&o, ctx, order_id)) != VG_OK)
        return rc;

    memset(out, 0, sizeof *out);
    out->version = VG_ECPAY_FORM_VERSION;
    snprintf(out->action, sizeof out->action, "%s",
             ctx->payments.ecpay_stage ? stage_url : production_url);
    vg__taiwan_time(date, o.created_at);
    snprintf(amount, sizeof amount, "%" PRId64, o.amount_minor);
    describe(&o, item, sizeof item, desc, sizeof desc);
    ok = add_field(out, "MerchantID", ctx->payments.ecpay_merchant_id) &&
         add_field(out, "MerchantTradeNo", o.number) &&
         add_field(out, "MerchantTradeDate", date) && add_field(out, "PaymentType", "aio") &&
         add_field(out, "TotalAmount", amount) && add_field(out, "TradeDesc", desc) &&
         add_field(out, "ItemName", item) && add_field(out, "ReturnURL", return_url) &&
         add_field(out, "ChoosePayment", choose_payment ? choose_payment : "ALL") &&
         add_field(out, "EncryptType", "1") &&
         (!client_back_url || add_field(out, "ClientBackURL", client_back_url));
    if (!ok)
        return vg__fail(ctx, VG_EINVAL, "ecpay: a form field is too long");
    for (i = 0; i < out->count; i++) {
        fields[i].name = out->fields[i].name;
        fields[i].value = out->fields[i].value;
    }
    if ((rc = vg_ecpay_check_mac(mac, fields, out->count, ctx->payments.ecpay_hash_key,
                                 ctx->payments.ecpay_hash_iv, 1)) != VG_OK)
        return rc;
    add_field(out, "CheckMacValue", mac);
    vg__log(ctx, VG_LOG_INFO, "order %s: ECPay checkout form made", o.number);
    return VG_OK;
}

static void put_reply(char *reply, size_t size, const char *text)
{
    if (reply && size)
        snprintf(reply, size, "%s", text);
}

/* An amount as ECPay writes it: digits only. */
static int parse_amount(const char *text, int64_t *out)
{
    char *end;
    long long v;
    if (!text || !*text || strspn(text, "0123456789") != strlen(text) || strlen(text) > 15)
        return 0;
    v = strtoll(text, &end, 10);
    *out = v;
    return 1;
}

int vg_ecpay_callback(vg_order *out, char *reply, size_t reply_size, vg_ctx *ctx,
                      const char *body, size_t body_len)
{
    const char *number, *rtn_code, *trade_no, *trade_amt, *merchant_id;
    vg_store_order o;
    vg__form form;
    int64_t amount;
    int rc;

    put_reply(reply, reply_size, "0|refused");
    if (!ctx || !body)
        return vg__fail(ctx, VG_EINVAL, "vg_ecpay_callback: ctx or body is NULL");
    if ((rc = merchant(ctx)) != VG_OK)
        return rc;
    if ((rc = vg__form_parse(&form, ctx, body, body_len)) != VG_OK)
        return rc;
    /* the signature before any field is believed */
    if ((rc = vg__ecpay_form_verify(ctx, &form, ctx->payments.ecpay_hash_key,
                                    ctx->payments.ecpay_hash_iv, 1)) != VG_OK) {
        vg__log(ctx, VG_LOG_WARN, "ecpay: a callback with a wrong CheckMacValue was refused");
        put_reply(reply, reply_size, "0|CheckMacValue Error");
        goto done;
    }
    merchant_id = vg__form_get(&form, "MerchantID");
    number = vg__form_get(&form, "MerchantTradeNo");
    rtn_code = vg__form_get(&form, "RtnCode");
    trade_no = vg__form_get(&form, "TradeNo");
    trade_amt = vg__form_get(&form, "TradeAmt");
    if (!merchant_id || strcmp(merchant_id, ctx->payments.ecpay_merchant_id) != 0) {
        rc = vg__fail(ctx, VG_EMERCHANT_MISMATCH, "ecpay: the callback is for another merchant");
        put_reply(reply, reply_size, "0|MerchantID Error");
        goto done;
    }
    if (!number || !*number || strlen(number) >= VG_ORDER_NUMBER_SIZE || !rtn_code ||
        !parse_amount(trade_amt, &amount)) {
        rc = vg__fail(ctx, VG_EINVAL, "ecpay: the callback lacks MerchantTradeNo, RtnCode or "
                                      "a TradeAmt");
        put_reply(reply, reply_size, "0|Parameter Error");
        goto done;
    }
    if (strcmp(rtn_code, "1") == 0)
        rc = vg__order_pay(&o, ctx, number, "ecpay", trade_no, amount, "TWD");
    else
        rc = vg__order_fail(&o, ctx, number, vg__form_get(&form, "RtnMsg")
                                                 ? vg__form_get(&form, "RtnMsg")
                                                 : "ECPay reported a failed payment");
    if (rc == VG_OK) {
        put_reply(reply, reply_size, "1|OK");
        if (out)
            vg__order_public(out, &o);
    } else if (rc == VG_ENOTFOUND) {
        vg__fail(ctx, rc, "ecpay: there is no order %.20s", number);
        put_reply(reply, reply_size, "0|Order Not Found");
    } else if (rc == VG_EAMOUNT_MISMATCH) {
        put_reply(reply, reply_size, "0|Amount Error");
    }
done:
    vg__form_free(&form);
    return rc;
}
