// SPDX-License-Identifier: MIT
// engine.credits: the wallet (include/vidgo/credits.h).
//
// Every mutating call takes an idempotency `key` (1..200 bytes), kept forever per user: a
// repeat with the same key and request resolves to the first outcome and changes nothing;
// the same key with another request rejects with IdempotencyConflict. Use a key that names
// the operation (an order number, a job id plus the step), so that a retry is safe.
'use strict';

const { idOf, options } = require('./args');
const native = require('./native');

class Credits {
  constructor(engine) {
    this._engine = engine;
  }

  /**
   * The user's balance (applying a due weekly reset or expiry first).
   * @param {number} userId
   * @returns {Promise<Balance>}
   */
  async balance(userId) {
    return native.credits_balance(this._engine._ctx, userId);
  }

  /**
   * Adds purchased (default) or bonus credits; a bonus grant expires at `expiresAt`
   * (undefined: the configured default). Resolves to the balance after.
   * @param {number} userId
   * @param {number} amount
   * @param {{key: string, kind?: 'purchased'|'bonus', expiresAt?: Date|number,
   *          reference?: string}} opts
   * @returns {Promise<Balance>}
   */
  async grant(userId, amount, opts) {
    const { key, kind, expiresAt, reference } = options(opts);
    return native.credits_grant(this._engine._ctx, userId, kind, amount, expiresAt, reference,
                                key);
  }

  /**
   * Holds the price of one use of a service (a demo free use, or credits in the spending
   * order). Rejects with InsufficientCredits, DemoUsedUp, ServiceUnknown, ...
   * @param {number} userId
   * @param {string} service
   * @param {{key: string, reference?: string}} opts
   * @returns {Promise<Hold>}
   */
  async hold(userId, service, opts) {
    const { key, reference } = options(opts);
    return native.credits_hold(this._engine._ctx, userId, service, reference, key);
  }

  /**
   * Captures an open hold (one DEBIT row); rejects with HoldSettled or HoldExpired.
   * @param {Hold|number} hold
   * @param {{key: string}} opts
   * @returns {Promise<Hold>}
   */
  async capture(hold, opts) {
    return native.credits_capture(this._engine._ctx, idOf(hold), options(opts).key);
  }

  /**
   * Releases an open hold, each part back to its bucket (or forfeited).
   * @param {Hold|number} hold
   * @param {{key: string}} opts
   * @returns {Promise<Hold>}
   */
  async release(hold, opts) {
    return native.credits_release(this._engine._ctx, idOf(hold), options(opts).key);
  }

  /**
   * Refunds a captured hold (one REFUND row); rejects with InvalidState if not captured.
   * @param {Hold|number} hold
   * @param {{key: string}} opts
   * @returns {Promise<Hold>}
   */
  async refund(hold, opts) {
    return native.credits_refund(this._engine._ctx, idOf(hold), options(opts).key);
  }

  /**
   * Reads a hold (with the user's balance).
   * @param {Hold|number} id
   * @returns {Promise<Hold>}
   */
  async getHold(id) {
    return native.credits_hold_get(this._engine._ctx, idOf(id));
  }

  /**
   * Moves a user to another plan now (one PLAN_CHANGE row).
   * @param {number} userId
   * @param {string} plan
   * @param {{key: string}} opts
   * @returns {Promise<Balance>}
   */
  async changePlan(userId, plan, opts) {
    return native.credits_change_plan(this._engine._ctx, userId, plan, options(opts).key);
  }

  /**
   * One page of ledger rows with seq < beforeSeq (0: from the newest), newest first.
   * @param {number} userId
   * @param {{beforeSeq?: number, limit?: number}} [opts] limit 1..1000, default 100
   * @returns {Promise<LedgerEntry[]>}
   */
  async historyPage(userId, opts) {
    const { beforeSeq = 0, limit = 100 } = options(opts);
    return native.credits_history(this._engine._ctx, userId, beforeSeq, limit);
  }

  /**
   * Every ledger row of a user, newest first, read page by page as you iterate:
   * `for await (const entry of engine.credits.history(userId)) ...`
   * @param {number} userId
   * @param {{pageSize?: number}} [opts] rows a page, 1..1000, default 100
   * @returns {AsyncIterableIterator<LedgerEntry>}
   */
  async *history(userId, opts) {
    const { pageSize = 100 } = options(opts);
    let before = 0;
    for (;;) {
      const page = await this.historyPage(userId, { beforeSeq: before, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      before = page[page.length - 1].seq;
      if (before <= 1) return;
    }
  }

  /**
   * Applies what is due (weekly resets, bonus expiry, hold expiry) to every wallet.
   * @returns {Promise<MaintenanceReport>}
   */
  async maintenance() {
    return native.credits_maintenance(this._engine._ctx);
  }

  /**
   * The Monday 00:00 UTC that starts the week after the one containing `when`.
   * @param {Date|number} when
   * @returns {Date}
   */
  static nextReset(when) {
    return native.credits_next_reset(when);
  }

  /** @see Credits.nextReset */
  nextReset(when) {
    return Credits.nextReset(when);
  }

  /**
   * The name of a ledger type number ('open', 'grant', 'debit', ...), or null.
   * @param {number} type
   * @returns {string|null}
   */
  static ledgerTypeName(type) {
    return native.ledger_type_name(type);
  }

  /** @see Credits.ledgerTypeName */
  ledgerTypeName(type) {
    return Credits.ledgerTypeName(type);
  }
}

module.exports = { Credits };
