/* SPDX-License-Identifier: MIT */
/* What the credit calls share: outcomes of idempotent calls and the wallet audit. */
#ifndef VG_CREDITS_INTERNAL_H
#define VG_CREDITS_INTERNAL_H

#include "wallet.h"

/* Writes a call's outcome (a balance, and the hold if the call was about one) as text. */
int vg__outcome_encode(char *buf, size_t size, const vg_balance *balance, const vg_store_hold *hold);

/* Reads an outcome back; VG_ESTORE_CORRUPT if the text is not one. */
int vg__outcome_decode(const char *text, vg_balance *balance, vg_store_hold *hold);

/* vg_check's wallet invariants: every wallet's ledger replayed and its balances matched. */
int vg__credits_audit(vg__txn *txn, vg_store_problem_fn report, void *payload);

#endif
