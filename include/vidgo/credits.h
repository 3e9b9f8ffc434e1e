/* SPDX-License-Identifier: MIT */
/* The credit wallet: buckets, holds, the hash-chained ledger, weekly reset and expiry. */
#ifndef VIDGO_CREDITS_H
#define VIDGO_CREDITS_H

#include "common.h"
#include "plans.h"

VG_BEGIN_DECLS

/*
 * A wallet holds three kinds of credit: subscription (reset to the plan's weekly amount
 * every Monday 00:00 UTC, no rollover), purchased (never expire) and bonus (each grant
 * expires, by default 90 days after it was granted); a demo account also has free uses.
 * Spending order: bonus (earliest expiry first), then subscription, then purchased.
 *
 * A generation first places a hold: the credits leave their buckets and wait in the hold.
 * Capturing the hold turns it into a debit in the ledger; releasing it puts each part back
 * where it came from, unless that bucket was reset (subscription) or expired (bonus)
 * meanwhile: such a part is forfeited, or regranted as a new bonus, as configured
 * (vg_config.expired_refund). Nothing is ever silently created. docs/credits.md has the
 * whole story, with examples.
 *
 * Every mutating call takes an idempotency key (1..200 bytes of UTF-8), kept forever per
 * user: a repeat with the same key and the same request returns the first outcome,
 * balance included, and changes nothing; the same key with another request fails with
 * VG_EIDEMPOTENCY_CONFLICT. Refusals (such as VG_EINSUFFICIENT_CREDITS) are outcomes too.
 *
 * Every call applies what is due first (a missed weekly reset, expired bonus grants,
 * expired holds), at most once per user and week, whatever the number of weeks missed.
 */

#define VG_BALANCE_VERSION 1

typedef struct vg_balance {
    unsigned int version;           /* set by the library: VG_BALANCE_VERSION */
    int64_t user_id;
    int64_t subscription;           /* in each bucket and not held */
    int64_t purchased;
    int64_t bonus;
    int64_t held;                   /* in open holds */
    int64_t available;              /* subscription + purchased + bonus: what a hold may take */
    int64_t total;                  /* available + held */
    int free_uses;                  /* demo free uses, not held */
    int free_uses_held;
    vg_time next_reset;             /* the next Monday 00:00 UTC */
    vg_time next_bonus_expiry;      /* when the next bonus grant expires; 0 if none */
    int64_t next_bonus_expiry_amount;
    int64_t ledger_seq;             /* number of the wallet's last ledger row */
} vg_balance;

/* Kinds of credit a grant can add. */
typedef enum vg_credit_kind {
    VG_CREDIT_PURCHASED = 1,
    VG_CREDIT_BONUS = 2
} vg_credit_kind;

typedef enum vg_hold_state {
    VG_HOLD_OPEN = 0,
    VG_HOLD_CAPTURED = 1,
    VG_HOLD_RELEASED = 2,
    VG_HOLD_EXPIRED = 3,  /* released because it was never settled in time */
    VG_HOLD_REFUNDED = 4  /* captured, then refunded */
} vg_hold_state;

#define VG_HOLD_VERSION 1
#define VG_REFERENCE_SIZE 128

typedef struct vg_hold {
    unsigned int version;           /* set by the library: VG_HOLD_VERSION */
    int64_t id;
    int64_t user_id;
    char service[VG_NAME_SIZE];
    char reference[VG_REFERENCE_SIZE]; /* the caller's, e.g. a job id */
    int64_t price;
    int64_t from_bonus;             /* the parts, in spending order */
    int64_t from_subscription;
    int64_t from_purchased;
    int free_use;                   /* 1 if a demo free use pays instead of credits */
    vg_hold_state state;
    int64_t forfeited;              /* credits not returned on release/refund (see above) */
    vg_time created_at;
    vg_time expires_at;
    vg_time settled_at;             /* 0 while open */
    vg_balance balance;             /* the wallet after the call */
} vg_hold;

/* What a ledger row records. */
typedef enum vg_ledger_type {
    VG_LEDGER_OPEN = 1,         /* the wallet opened: first week's credits, free uses */
    VG_LEDGER_GRANT = 2,        /* purchased or bonus credits added */
    VG_LEDGER_DEBIT = 3,        /* a hold captured */
    VG_LEDGER_REFUND = 4,       /* a captured hold refunded */
    VG_LEDGER_WEEKLY_RESET = 5,
    VG_LEDGER_EXPIRY = 6,       /* the rest of a bonus grant expired */
    VG_LEDGER_FORFEIT = 7,      /* a released part whose bucket was reset or expired */
    VG_LEDGER_PLAN_CHANGE = 8
} vg_ledger_type;

/* One ledger row: the change in each bucket and the balances after it. "After" counts the
 * credits a user owns in each bucket, held ones included. */
typedef struct vg_ledger_entry {
    int64_t seq;                    /* 1, 2, ... per wallet */
    vg_time at;                     /* when it was written */
    vg_time effective_at;           /* when it took effect (a reset's Monday, a grant's expiry) */
    vg_ledger_type type;
    int64_t amount;                 /* change of the total */
    int64_t bonus, subscription, purchased; /* change of each bucket */
    int free_uses;                  /* change of the free uses */
    int64_t bonus_after, subscription_after, purchased_after, total_after;
    int free_uses_after;
    const char *service;            /* "" if none */
    const char *reference;          /* the caller's reference, "" if none */
    const char *idempotency_key;    /* "" for rows the library wrote by itself */
    int64_t hold_id;                /* 0 if none */
} vg_ledger_entry;

typedef int (*vg_ledger_fn)(const vg_ledger_entry *entry, void *payload);

/* Returns "open", "grant", "debit", "refund", "weekly_reset", "expiry", "forfeit",
 * "plan_change" for a vg_ledger_type, or NULL. */
VG_API const char *vg_ledger_type_name(int type);

/* Reads a user's balance into *out (applying what is due first). Returns VG_OK,
 * VG_EINVAL, VG_ENOTFOUND (no such user), or a store error. */
VG_API int vg_credits_balance(vg_balance *out, vg_ctx *ctx, int64_t user_id);

/*
 * Adds purchased or bonus credits. A bonus grant expires at `expires_at` (0 = the
 * configured default after now; it must lie in the future). `reference` (may be NULL)
 * names the cause, e.g. an order. *out (may be NULL) receives the balance after.
 * Returns VG_OK, VG_EINVAL, VG_ERANGE (amount <= 0 or too large), VG_ENOTFOUND,
 * VG_EIDEMPOTENCY_CONFLICT, or a store error.
 */
VG_API int vg_credits_grant(vg_balance *out, vg_ctx *ctx, int64_t user_id, vg_credit_kind kind,
                            int64_t amount, vg_time expires_at, const char *reference,
                            const char *idempotency_key);

/*
 * Holds the price of one use of `service` for the user: a demo free use while the user is
 * on a plan with free uses left, else credits in the spending order. The hold expires after
 * the configured time unless captured or released. *out receives it, with the balance.
 * Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, VG_ESERVICE_UNKNOWN, VG_EINSUFFICIENT_CREDITS,
 * VG_EDEMO_USED_UP, VG_EIDEMPOTENCY_CONFLICT, or a store error.
 */
VG_API int vg_credits_hold(vg_hold *out, vg_ctx *ctx, int64_t user_id, const char *service,
                           const char *reference, const char *idempotency_key);

/* Captures an open hold: one DEBIT ledger row. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND,
 * VG_EHOLD_SETTLED, VG_EHOLD_EXPIRED, VG_EIDEMPOTENCY_CONFLICT, or a store error. */
VG_API int vg_credits_capture(vg_hold *out, vg_ctx *ctx, int64_t hold_id,
                              const char *idempotency_key);

/* Releases an open hold, each part back to its bucket (or forfeited, see above). Returns
 * the same codes as vg_credits_capture. */
VG_API int vg_credits_release(vg_hold *out, vg_ctx *ctx, int64_t hold_id,
                              const char *idempotency_key);

/* Refunds a captured hold (the provider failed after capture) by the same rules as a
 * release: one REFUND row. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, VG_ESTATE (not
 * captured), VG_EIDEMPOTENCY_CONFLICT, or a store error. */
VG_API int vg_credits_refund(vg_hold *out, vg_ctx *ctx, int64_t hold_id,
                             const char *idempotency_key);

/* Reads a hold into *out (with the user's balance). Returns VG_OK, VG_EINVAL, VG_ENOTFOUND,
 * or a store error. */
VG_API int vg_credits_hold_get(vg_hold *out, vg_ctx *ctx, int64_t hold_id);

/*
 * Moves a user to another plan now. This week's subscription credits: an upgrade adds the
 * difference of the weekly amounts; a downgrade keeps at most the new weekly amount. From
 * next Monday the new plan's amount applies. One PLAN_CHANGE row. Returns VG_OK,
 * VG_EINVAL, VG_ENOTFOUND, VG_EPLAN_UNKNOWN, VG_EIDEMPOTENCY_CONFLICT, or a store error.
 */
VG_API int vg_credits_change_plan(vg_balance *out, vg_ctx *ctx, int64_t user_id,
                                  const char *plan, const char *idempotency_key);

/* Calls callback for up to `limit` (1..1000) ledger rows of a user with seq < before_seq
 * (0: from the newest), newest first. Returns VG_OK, VG_EINVAL, VG_ENOTFOUND, or a store error. */
VG_API int vg_credits_history(vg_ctx *ctx, int64_t user_id, int64_t before_seq, int limit,
                              vg_ledger_fn callback, void *payload);

/* What vg_credits_maintenance did. */
typedef struct vg_maintenance_report {
    int64_t users;                  /* wallets looked at */
    int64_t weekly_resets;          /* reset rows written */
    int64_t expiries;               /* expiry rows written */
    int64_t holds_expired;
} vg_maintenance_report;

/* Applies what is due (weekly resets, bonus expiry, hold expiry) to every wallet, in
 * batches of small transactions. Idempotent. *out may be NULL. Returns VG_OK, VG_EINVAL,
 * or a store error. */
VG_API int vg_credits_maintenance(vg_maintenance_report *out, vg_ctx *ctx);

/* Returns the Monday 00:00 UTC that starts the week after the one containing t. */
VG_API vg_time vg_credits_next_reset(vg_time t);

VG_END_DECLS

#endif
