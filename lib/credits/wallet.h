/* SPDX-License-Identifier: MIT */
/* The wallet engine shared by the credit calls: load a wallet, apply what is due, write
 * ledger rows, move credits between buckets and holds, and save. */
#ifndef VG_CREDITS_WALLET_H
#define VG_CREDITS_WALLET_H

#include "../plans/plans_internal.h"

#define VG__WEEK_US (INT64_C(7) * 86400 * 1000000)
#define VG__MAX_AMOUNT INT64_C(1000000000000) /* 10^12 credits: far from overflow */

/* A wallet loaded inside a write transaction, with its user and plan. */
typedef struct vg__wallet {
    vg__txn *txn;
    vg_user user;
    vg_plan plan;
    vg_store_wallet w;
    vg_time now;
    vg_time at; /* when the change being applied happens: now, or a due event's time */
    /* what refreshing did (for vg_credits_maintenance) */
    int64_t resets, expiries, holds_expired;
} vg__wallet;

/* The wallet rules of a context (from vg_config, defaults applied). */
typedef struct vg__wallet_rules {
    vg_time hold_ttl;
    vg_time bonus_ttl;
    vg_time regrant_ttl;
    vg_expired_refund expired_refund;
} vg__wallet_rules;

/* Returns the Monday 00:00 UTC that starts the week containing t. */
vg_time vg__week_start(vg_time t);

/* Loads the wallet of user_id (locking user and wallet) and applies what is due. Returns
 * VG_OK, VG_ENOTFOUND (no such user, message set), or a store error. */
int vg__wallet_load(vg__wallet *wl, vg__txn *txn, int64_t user_id);

/* Applies due hold expiries, bonus expiries and weekly resets in time order, collapsing
 * consecutive missed weeks into one reset. */
int vg__wallet_refresh(vg__wallet *wl);

/* Writes the wallet row back. */
int vg__wallet_save(vg__wallet *wl);

/* Creates the wallet of a new user: the plan's first week and free uses, one OPEN row. */
int vg__wallet_open(vg__wallet *wl, vg__txn *txn, const vg_user *user, const vg_plan *plan);

/* Appends a ledger row for the given change: fills seq, afters, hashes, and moves the
 * wallet's chain head. `row` carries type, effective_at, deltas, service, reference, key,
 * hold_id. */
int vg__ledger_write(vg__wallet *wl, vg_store_ledger_row *row);

/* Computes the keyed hash of a ledger row (all fields but `hash`). */
void vg__ledger_hash(unsigned char out[VG_STORE_HASH_SIZE], const vg_ctx *ctx,
                     const vg_store_ledger_row *row);

/* Fills a balance from the loaded wallet (next bonus expiry read from the store). */
int vg__wallet_balance(vg__wallet *wl, vg_balance *out);

/* Places a hold of the price of `service` (or a free use) and writes it to *hold. */
int vg__wallet_hold(vg__wallet *wl, vg_store_hold *hold, const vg_service *service,
                    const char *reference);

/* Settles an open hold: capture (DEBIT row), release or expiry (parts back, FORFEIT row
 * for what cannot go back). */
int vg__wallet_capture(vg__wallet *wl, vg_store_hold *hold, const char *key);
int vg__wallet_release(vg__wallet *wl, vg_store_hold *hold, vg_hold_state state, const char *key);

/* Refunds a captured hold by the same origin rules (REFUND row). */
int vg__wallet_refund(vg__wallet *wl, vg_store_hold *hold, const char *key);

/* The context's wallet rules. */
void vg__wallet_rules_of(const vg_ctx *ctx, vg__wallet_rules *out);

#endif
