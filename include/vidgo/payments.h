/* SPDX-License-Identifier: MIT */
/* Payments: orders for credit packages and plan subscriptions, ECPay and Paddle, the
 * subscription lifecycle, promotion codes, the administrators' figures, and a sandbox. */
#ifndef VIDGO_PAYMENTS_H
#define VIDGO_PAYMENTS_H

#include "common.h"
#include "credits.h"
#include "plans.h"

VG_BEGIN_DECLS

/*
 * docs/payments.md has the whole story. In short:
 *
 * - An order is created for a credit package (at the plan's top-up discount) or a month of
 *   a plan, with its amount in minor units of its currency (TWD for ECPay; USD, EUR, ...
 *   for Paddle). It is paid through a provider and then fulfilled — credits granted or the
 *   subscription started or renewed — exactly once, however many callbacks arrive.
 * - Callbacks and webhooks are verified (ECPay CheckMacValue, Paddle-Signature HMAC) before
 *   anything is read from them; a forged or altered one changes nothing. Paddle events are
 *   processed once per event id.
 * - In sandbox mode (vg_config.payments_sandbox) an order can be paid by a simulated,
 *   correctly signed callback through the same verification path; production refuses it.
 */

/* --- orders ---------------------------------------------------------------------------------- */

typedef enum vg_order_kind {
    VG_ORDER_PACKAGE = 0,      /* a top-up package of purchased credits */
    VG_ORDER_SUBSCRIPTION = 1  /* one month of a plan */
} vg_order_kind;

/* CREATED → PENDING (sent to the provider) → PAID → FULFILLED; FAILED, EXPIRED, REFUNDED. */
typedef enum vg_order_state {
    VG_ORDER_CREATED = 0,
    VG_ORDER_PENDING = 1,
    VG_ORDER_PAID = 2,
    VG_ORDER_FULFILLED = 3,
    VG_ORDER_FAILED = 4,
    VG_ORDER_EXPIRED = 5,
    VG_ORDER_REFUNDED = 6
} vg_order_state;

/* Returns "created", "pending", "paid", "fulfilled", "failed", "expired", "refunded", or
 * NULL. */
VG_API const char *vg_order_state_name(int state);

#define VG_ORDER_NUMBER_SIZE 21 /* ECPay's MerchantTradeNo: 20 letters and digits at most */
#define VG_CURRENCY_SIZE 4      /* ISO 4217: "TWD", "USD" */
#define VG_ORDER_VERSION 1

typedef struct vg_order {
    unsigned int version;               /* VG_ORDER_VERSION */
    int64_t id;
    char number[VG_ORDER_NUMBER_SIZE];  /* unique, "VG" + 18 letters and digits */
    int64_t user_id;
    vg_order_kind kind;
    char item[VG_NAME_SIZE];            /* the package or plan name */
    vg_order_state state;
    char provider[VG_NAME_SIZE];        /* "ecpay", "paddle" */
    char currency[VG_CURRENCY_SIZE];
    int64_t amount_minor;               /* what is due, in minor units (TWD has none: 299) */
    int discount_pct;                   /* the plan's top-up discount applied */
    int64_t credits;                    /* a package's credits */
    char provider_ref[64];              /* ECPay's TradeNo, Paddle's transaction id */
    char failure[128];                  /* why it failed, for support */
    vg_time created_at, paid_at, fulfilled_at, expires_at;
} vg_order;

#define VG_ORDER_REQUEST_VERSION 1

typedef struct vg_order_request {
    unsigned int version;         /* VG_ORDER_REQUEST_VERSION */
    int64_t user_id;
    vg_order_kind kind;
    const char *item;             /* a package name ("credits_50") or a paid plan ("pro") */
    const char *provider;         /* "ecpay" or "paddle" */
    const char *currency;         /* NULL: TWD for ECPay, USD for Paddle */
    const char *idempotency_key;  /* required: the same key returns the same order */
} vg_order_request;

#define VG_ORDER_REQUEST_INIT {VG_ORDER_REQUEST_VERSION, 0, VG_ORDER_PACKAGE, NULL, NULL, NULL, NULL}

/*
 * Creates an order in state CREATED with its amount: a package at the user's plan's top-up
 * discount, a plan at its monthly price (prices per currency: docs/payments.md). Returns
 * VG_OK, VG_EINVAL, VG_EVERSION, VG_ENOTFOUND (no such user), VG_EPLAN_UNKNOWN (no such
 * plan, or a plan that is not paid), VG_ESERVICE_UNKNOWN (no such package), VG_ECURRENCY
 * (a currency the provider or the item has no price in), VG_EIDEMPOTENCY_CONFLICT, or a
 * store error.
 */
VG_API int vg_order_create(vg_order *out, vg_ctx *ctx, const vg_order_request *request);

/* Reads an order by id, or by number. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store
 * error. */
VG_API int vg_order_get(vg_order *out, vg_ctx *ctx, int64_t order_id);
VG_API int vg_order_find(vg_order *out, vg_ctx *ctx, const char *number);

typedef int (*vg_order_fn)(const vg_order *order, void *payload);

/* Lists orders newest first: of one user (0: everyone's), ids below before_id (0: from the
 * newest), at most limit (1..1000). */
VG_API int vg_orders_list(vg_ctx *ctx, int64_t user_id, int64_t before_id, int limit,
                          vg_order_fn callback, void *payload);

/* Marks a paid or fulfilled subscription order refunded (by the provider's word): the
 * subscription ends now and the plan goes back to demo. A package cannot be refunded here:
 * the wallet takes no purchased credits back (VG_EUNSUPPORTED; docs/payments.md). Returns
 * VG_OK, VG_EINVAL, VG_ENOTFOUND, VG_EORDER_STATE, VG_EUNSUPPORTED, or a store error. */
VG_API int vg_order_refund(vg_order *out, vg_ctx *ctx, int64_t order_id, const char *reason);

/* --- ECPay ------------------------------------------------------------------------------------ */

/* One form field: name and value, UTF-8. */
typedef struct vg_form_field {
    const char *name;
    const char *value;
} vg_form_field;

/*
 * Computes ECPay's CheckMacValue of form fields (every field but CheckMacValue itself,
 * sorted case-insensitively, sandwiched between HashKey and HashIV, URL-encoded the .NET
 * way, lower-cased, hashed with SHA-256 (sha256 = 1) or MD5 (0)) into out[65] as upper-case
 * hex. Pure: no context. Returns VG_OK, VG_EINVAL, VG_EUTF8.
 */
VG_API int vg_ecpay_check_mac(char out[65], const vg_form_field *fields, size_t count,
                              const char *hash_key, const char *hash_iv, int sha256);

#define VG_ECPAY_FORM_VERSION 1
#define VG_ECPAY_FORM_FIELDS 16

/* The AIO checkout form of an order, for the host to POST from the user's browser. */
typedef struct vg_ecpay_form {
    unsigned int version;                  /* VG_ECPAY_FORM_VERSION */
    char action[96];                       /* the stage or production AioCheckOut/V5 URL */
    size_t count;
    struct {
        char name[32];
        char value[512];
    } fields[VG_ECPAY_FORM_FIELDS];        /* CheckMacValue last */
} vg_ecpay_form;

/*
 * Builds the AIO checkout form of an order (MerchantID, MerchantTradeNo = the order's
 * number, MerchantTradeDate in Taiwan time, PaymentType aio, TotalAmount, TradeDesc,
 * ItemName, ReturnURL, ChoosePayment, EncryptType 1, CheckMacValue; ClientBackURL when
 * given) and moves the order to PENDING. return_url: where ECPay posts the result
 * (required); client_back_url may be NULL; choose_payment NULL = "ALL". Returns VG_OK,
 * VG_EINVAL, VG_ENOTFOUND, VG_EORDER_STATE (not CREATED or PENDING), VG_ECURRENCY (not
 * TWD), VG_ECONFIG (no merchant settings), or a store error.
 */
VG_API int vg_ecpay_checkout(vg_ecpay_form *out, vg_ctx *ctx, int64_t order_id,
                             const char *return_url, const char *client_back_url,
                             const char *choose_payment);

/*
 * Handles ECPay's server callback (the raw application/x-www-form-urlencoded body): checks
 * CheckMacValue in constant time, then the merchant, the order and the amount; RtnCode 1
 * pays and fulfils the order (once: a repeated callback changes nothing). Writes the reply
 * ECPay expects into reply[size] ("1|OK", or "0|<reason>" for a refused one) and the order
 * into *out (may be NULL). Returns VG_OK (paid or already paid; also a verified callback of
 * an unpaid result, which fails the order), VG_ESIGNATURE, VG_EMERCHANT_MISMATCH,
 * VG_EAMOUNT_MISMATCH, VG_ENOTFOUND (no such order), VG_EINVAL (malformed body),
 * VG_ECONFIG, or a store error. A refused callback changes nothing.
 */
VG_API int vg_ecpay_callback(vg_order *out, char *reply, size_t reply_size, vg_ctx *ctx,
                             const char *body, size_t body_len);

/* --- Paddle ------------------------------------------------------------------------------------ */

/*
 * Verifies a Paddle-Signature header ("ts=...;h1=...[;h1=...]") over the raw body with the
 * endpoint secret(s) (NULL: the config's): HMAC-SHA256 of "<ts>:<body>", any h1 matching in
 * constant time, the timestamp at most tolerance_s old (0: the config's, default 5) by the
 * context's clock. Returns VG_OK, VG_ESIGNATURE, VG_EREPLAY (too old), VG_EINVAL (a
 * malformed header), VG_ECONFIG (no secret).
 */
VG_API int vg_paddle_verify(vg_ctx *ctx, const char *signature, const char *body,
                            size_t body_len, const char *secret, int tolerance_s);

#define VG_WEBHOOK_RESULT_VERSION 1

/* What a webhook did. */
typedef struct vg_webhook_result {
    unsigned int version;         /* VG_WEBHOOK_RESULT_VERSION */
    char event_id[64];
    char event_type[64];          /* "transaction.completed", ... */
    int duplicate;                /* 1: this event was processed before; nothing changed */
    int ignored;                  /* 1: an event type VidGo does not act on */
    int64_t order_id;             /* the order it paid, 0 when none */
    int64_t user_id;              /* the user whose subscription changed, 0 when none */
} vg_webhook_result;

/*
 * Handles a Paddle webhook: verifies the signature (as vg_paddle_verify with the config's
 * secrets), then processes the event once per event_id: transaction.completed pays and
 * fulfils the order named in custom_data.vidgo_order (amount and currency checked);
 * subscription.created / updated / canceled / past_due update the user's subscription.
 * Returns VG_OK (processed, duplicate or ignored: read *out), VG_ESIGNATURE, VG_EREPLAY,
 * VG_EINVAL (malformed JSON), VG_ENOTFOUND (an unknown order or user),
 * VG_EAMOUNT_MISMATCH, VG_ECONFIG, or a store error. A refused webhook changes nothing.
 */
VG_API int vg_paddle_webhook(vg_webhook_result *out, vg_ctx *ctx, const char *signature,
                             const char *body, size_t body_len);

/* --- sandbox ----------------------------------------------------------------------------------- */

/*
 * In sandbox mode: pays an order through a simulated provider callback, signed with the
 * sandbox keys (ECPay's public stage merchant, a sandbox Paddle secret) and handled by
 * vg_ecpay_callback or vg_paddle_webhook exactly as a real one. *out receives the order.
 * Returns VG_EUNSUPPORTED outside sandbox mode, else what those calls return.
 */
VG_API int vg_order_simulate_paid(vg_order *out, vg_ctx *ctx, int64_t order_id);

/* --- subscriptions ------------------------------------------------------------------------------ */

typedef enum vg_subscription_state {
    VG_SUBSCRIPTION_NONE = 0,      /* never subscribed (the demo plan) */
    VG_SUBSCRIPTION_ACTIVE = 1,
    VG_SUBSCRIPTION_PAST_DUE = 2,  /* a renewal payment failed; the plan still applies */
    VG_SUBSCRIPTION_CANCELED = 3,  /* ends at the period's end */
    VG_SUBSCRIPTION_EXPIRED = 4    /* ended: back on the demo plan */
} vg_subscription_state;

#define VG_SUBSCRIPTION_VERSION 1

typedef struct vg_subscription {
    unsigned int version;              /* VG_SUBSCRIPTION_VERSION */
    int64_t user_id;
    char plan[VG_NAME_SIZE];
    vg_subscription_state state;
    char provider[VG_NAME_SIZE];
    char provider_ref[64];             /* Paddle's subscription id; "" for ECPay */
    char next_plan[VG_NAME_SIZE];      /* a downgrade that applies at the period's end */
    vg_time started_at, period_start, period_end;
} vg_subscription;

/* Reads a user's subscription (state NONE when there is none). Applies what is due first
 * (an ended period: renewal or expiry). Returns VG_OK, VG_EINVAL, VG_ENOTFOUND (no such
 * user), or a store error. */
VG_API int vg_subscription_get(vg_subscription *out, vg_ctx *ctx, int64_t user_id);

/*
 * Schedules a downgrade: from the period's end the subscription is for `plan` (the
 * renewal's order is then for that plan). An upgrade is bought instead: an order for the
 * higher plan (vg_order_create, kind SUBSCRIPTION) starts it at once when paid — a new
 * month from that day; this week's subscription credits grow by the difference of the
 * weekly amounts (vg_credits_change_plan). Returns VG_OK, VG_EINVAL, VG_ENOTFOUND,
 * VG_EPLAN_UNKNOWN, VG_ESTATE (no active subscription), VG_EORDER_STATE (an upgrade: buy
 * it with an order), or a store error.
 */
VG_API int vg_subscription_change(vg_subscription *out, vg_ctx *ctx, int64_t user_id,
                                  const char *plan);

/* Cancels at the period's end (the plan stays until then). Returns VG_OK, VG_EINVAL,
 * VG_ENOTFOUND, VG_ESTATE (nothing to cancel), or a store error. */
VG_API int vg_subscription_cancel(vg_subscription *out, vg_ctx *ctx, int64_t user_id);

/* Applies every subscription's due period end (expiry back to demo, a paid downgrade) and
 * expires unpaid orders past their lifetime. Idempotent. *out_changed (may be NULL)
 * receives how many subscriptions and orders it looked at or changed. */
VG_API int vg_subscriptions_maintain(int *out_changed, vg_ctx *ctx);

/* --- promotions -------------------------------------------------------------------------------- */

#define VG_PROMO_CODE_SIZE 33 /* 1..32 of A-Z, 0-9, '-', '_' (stored upper-case) */
#define VG_PROMO_VERSION 1

typedef struct vg_promo {
    unsigned int version;          /* VG_PROMO_VERSION */
    char code[VG_PROMO_CODE_SIZE];
    int64_t bonus_credits;         /* > 0 */
    int bonus_ttl_days;            /* the grant's life; 0 = the wallet's default (90) */
    vg_time valid_from, valid_until; /* 0: no bound */
    int max_redemptions;           /* over everyone; 0 = no limit */
    int per_user;                  /* per user; 0 = 1 */
    char plans[128];               /* plans that may redeem, space-separated; "" = any */
    int active;
    int64_t redeemed;              /* set by the library */
    vg_time created_at;
} vg_promo;

/* Creates or replaces a promotion (the redeemed count is kept). Returns VG_OK, VG_EINVAL,
 * VG_EPLAN_UNKNOWN, or a store error. */
VG_API int vg_promo_put(vg_ctx *ctx, const vg_promo *promo);

/* Reads one by code (case-insensitive). Returns VG_OK, VG_EINVAL, VG_EPROMO_INVALID. */
VG_API int vg_promo_get(vg_promo *out, vg_ctx *ctx, const char *code);

/*
 * Redeems a code for a user: grants its bonus credits (one ledger row) once per redemption.
 * The same idempotency key returns the first outcome. Returns VG_OK, VG_EINVAL,
 * VG_EPROMO_INVALID (no such active code), VG_EPROMO_EXPIRED (outside its window),
 * VG_EPROMO_USED (the user's or everyone's limit reached), VG_EPLAN_TOO_LOW (the user's
 * plan may not), VG_ENOTFOUND (no such user), VG_EIDEMPOTENCY_CONFLICT, or a store error.
 */
VG_API int vg_promo_redeem(vg_balance *out, vg_ctx *ctx, int64_t user_id, const char *code,
                           const char *idempotency_key);

/* --- the administrators' figures -------------------------------------------------------------- */

#define VG_ADMIN_STATS_VERSION 1
#define VG_STATS_ROWS 16

typedef struct vg_admin_stats {
    unsigned int version;                 /* VG_ADMIN_STATS_VERSION */
    size_t plan_count;
    struct { char plan[VG_NAME_SIZE]; int64_t users; } plans[VG_STATS_ROWS];
    int64_t active_subscriptions;
    size_t currency_count;
    struct { char currency[VG_CURRENCY_SIZE]; int64_t amount_minor; int64_t orders; }
        revenue[VG_STATS_ROWS];           /* fulfilled orders, refunds deducted */
    int64_t credits_granted;              /* purchased and bonus grants */
    size_t service_count;
    struct { char service[VG_NAME_SIZE]; int64_t credits; int64_t uses; }
        spent[VG_STATS_ROWS];             /* captured holds per service */
    int64_t api_cost_micro_usd;           /* what providers charged for succeeded jobs */
    int64_t cache_saved_micro_usd;        /* the cost of every cache hit's entry */
    int64_t cache_hits;
} vg_admin_stats;

/* Fills the administrators' figures in one read transaction. Returns VG_OK, VG_EINVAL,
 * VG_EVERSION, or a store error. */
VG_API int vg_admin_stats_get(vg_admin_stats *out, vg_ctx *ctx);

VG_END_DECLS

#endif
