// SPDX-License-Identifier: MIT
// engine.payments: orders, ECPay, Paddle, the sandbox, subscriptions, promotion codes and
// the administrators' figures (include/vidgo/payments.h; docs/payments.md).
//
// Everything that reads or writes the store is async. Signature math is sync:
// ecpayCheckMac (pure) and paddleVerify (the engine's secrets and clock).
'use strict';

const { argError, options } = require('./args');
const native = require('./native');
const { makeError } = require('./errors');

// Form fields as [name, value] pairs, from pairs, a plain object, a Map or URLSearchParams;
// numbers become their decimal text (ECPay's TotalAmount).
function fieldPairs(fields) {
  if (fields === null || typeof fields !== 'object') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE',
                   'fields must be an object or an array of [name, value] pairs');
  }
  const entries = Array.isArray(fields) ? fields
    : typeof fields[Symbol.iterator] === 'function' ? Array.from(fields)
      : Object.entries(fields);
  return entries.map((pair) => {
    if (!Array.isArray(pair) || pair.length !== 2) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE',
                     'each field must be a [name, value] pair');
    }
    const [name, value] = pair;
    return [name, typeof value === 'number' ? String(value) : value];
  });
}

/**
 * ECPay's CheckMacValue of form fields (a CheckMacValue field among them is left out):
 * upper-case hex of SHA-256 (default) or MD5 (`sha256: false`). Pure.
 * @param {Array<[string, string]>|Record<string, string|number>|Map<string, string>|URLSearchParams} fields
 * @param {string} hashKey
 * @param {string} hashIv
 * @param {{sha256?: boolean}} [opts]
 * @returns {string}
 */
function ecpayCheckMac(fields, hashKey, hashIv, opts) {
  const { sha256 = true } = options(opts);
  return native.ecpay_check_mac(fieldPairs(fields), hashKey, hashIv, sha256);
}

/**
 * The name of an order state number ('created', 'pending', 'paid', 'fulfilled', 'failed',
 * 'expired', 'refunded'), or null.
 * @param {number} state
 * @returns {string|null}
 */
function orderStateName(state) {
  return native.order_state_name(state);
}

class Payments {
  /** @param {import('./engine').Engine} engine */
  constructor(engine) {
    this._engine = engine;
  }

  // --- orders ----------------------------------------------------------------------------

  /**
   * Creates an order (state 'created') for a package ('credits_50') or, with kind
   * 'subscription', a month of a paid plan ('pro'), priced in `currency` (default TWD for
   * ECPay, USD for Paddle). The same `key` returns the same order. Rejects with NotFound
   * (no such user), PlanUnknown, ServiceUnknown (no such package), CurrencyError,
   * IdempotencyConflict.
   * @param {number} userId
   * @param {string} item
   * @param {{key: string, kind?: 'package'|'subscription', provider?: 'ecpay'|'paddle',
   *          currency?: string}} opts
   * @returns {Promise<Order>}
   */
  async createOrder(userId, item, opts) {
    const { key, kind = 'package', provider = 'ecpay', currency } = options(opts);
    return native.order_create(this._engine._ctx, {
      userId, kind, item, provider, currency, idempotencyKey: key,
    });
  }

  /**
   * An order by id; rejects with NotFound.
   * @param {number} orderId
   * @returns {Promise<Order>}
   */
  async order(orderId) { return native.order_get(this._engine._ctx, orderId); }

  /**
   * An order by its number ('VG...'); rejects with NotFound.
   * @param {string} number
   * @returns {Promise<Order>}
   */
  async findOrder(number) { return native.order_find(this._engine._ctx, number); }

  /**
   * One page of orders, newest first: of one user (0: everyone's), ids below `beforeId`
   * (0: from the newest), at most `limit` (1..1000, default 100).
   * @param {{userId?: number, beforeId?: number, limit?: number}} [opts]
   * @returns {Promise<Order[]>}
   */
  async ordersPage(opts) {
    const { userId = 0, beforeId = 0, limit = 100 } = options(opts);
    return native.orders_list(this._engine._ctx, userId, beforeId, limit);
  }

  /**
   * Every order (of one user; 0: everyone's), newest first, fetched page by page.
   * @param {{userId?: number, pageSize?: number}} [opts]
   * @returns {AsyncGenerator<Order>}
   */
  async *orders(opts) {
    const { userId = 0, pageSize = 100 } = options(opts);
    let beforeId = 0;
    for (;;) {
      const page = await this.ordersPage({ userId, beforeId, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      beforeId = page[page.length - 1].id;
    }
  }

  /**
   * Marks a paid subscription order refunded (by the provider's word): the subscription
   * ends now and the plan goes back to demo. A package is Unsupported; an unpaid order
   * OrderStateError.
   * @param {number} orderId
   * @param {string} [reason] for support (default '')
   * @returns {Promise<Order>}
   */
  async refundOrder(orderId, reason = '') {
    return native.order_refund(this._engine._ctx, orderId, reason);
  }

  /**
   * Sandbox only: pays an order through a simulated, correctly signed callback handled
   * exactly as a real one (Unsupported outside sandbox mode).
   * @param {number} orderId
   * @returns {Promise<Order>}
   */
  async simulatePaid(orderId) {
    return native.order_simulate_paid(this._engine._ctx, orderId);
  }

  // --- ECPay -----------------------------------------------------------------------------

  /** ecpayCheckMac (pure; also a module function). */
  checkMac(fields, hashKey, hashIv, opts) { return ecpayCheckMac(fields, hashKey, hashIv, opts); }

  /**
   * The AIO checkout form of an order, for the user's browser to POST to `action`; the
   * order becomes 'pending'. `fields` are [name, value] pairs, CheckMacValue last
   * (`new URLSearchParams(form.fields)` encodes them). Rejects with NotFound,
   * OrderStateError, CurrencyError (not TWD), ConfigError (no merchant settings).
   * @param {number} orderId
   * @param {string} returnUrl where ECPay posts the result
   * @param {{clientBackUrl?: string, choosePayment?: string}} [opts]
   * @returns {Promise<EcpayForm>}
   */
  async ecpayCheckout(orderId, returnUrl, opts) {
    const { clientBackUrl, choosePayment } = options(opts);
    return native.ecpay_checkout(this._engine._ctx, orderId, returnUrl, clientBackUrl,
                                 choosePayment);
  }

  /**
   * Handles ECPay's server callback (the raw application/x-www-form-urlencoded body):
   * resolves to the reply to send ECPay ('1|OK') and the order, paid and fulfilled once
   * however often the callback comes. A refused callback (it changed nothing) rejects with
   * SignatureError, MerchantMismatch, AmountMismatch, NotFound, InvalidArgument or
   * ConfigError carrying `err.reply`, the answer to send ECPay ('0|<reason>').
   * @param {Buffer|string} body
   * @returns {Promise<EcpayCallbackResult>}
   */
  async ecpayCallback(body) {
    const r = await native.ecpay_callback(this._engine._ctx, body);
    if (r.status !== 0) {
      const err = makeError(r.status, r.message, 0, this._engine.lang);
      err.reply = r.reply;
      throw err;
    }
    return { reply: r.reply, order: r.order };
  }

  // --- Paddle ----------------------------------------------------------------------------

  /**
   * Verifies a Paddle-Signature header ('ts=...;h1=...') over the raw body with the
   * engine's endpoint secret(s) (or `secret`): throws SignatureError, ReplayError (older
   * than `toleranceS`, default the engine's, 5 s), InvalidArgument (a malformed header),
   * ConfigError (no secret).
   * @param {string} signature
   * @param {Buffer|string} body
   * @param {{secret?: string, toleranceS?: number}} [opts]
   */
  paddleVerify(signature, body, opts) {
    const { secret, toleranceS } = options(opts);
    native.paddle_verify(this._engine._ctx, signature, body, secret, toleranceS);
  }

  /**
   * Handles a Paddle webhook: verified, then processed once per event id
   * (transaction.completed pays and fulfils the order in custom_data.vidgo_order;
   * subscription.* events update the user's subscription). A refused one changes nothing.
   * @param {string} signature the Paddle-Signature header
   * @param {Buffer|string} body the raw body, byte for byte
   * @returns {Promise<WebhookResult>}
   */
  async paddleWebhook(signature, body) {
    return native.paddle_webhook(this._engine._ctx, signature, body);
  }

  // --- subscriptions ---------------------------------------------------------------------

  /**
   * A user's subscription (state 'none' when there is none), after applying what is due.
   * @param {number} userId
   * @returns {Promise<Subscription>}
   */
  async subscription(userId) {
    return native.subscription_get(this._engine._ctx, userId);
  }

  /**
   * Schedules a downgrade at the period's end. An upgrade is bought with an order instead
   * (OrderStateError); no active subscription is InvalidState.
   * @param {number} userId
   * @param {string} plan
   * @returns {Promise<Subscription>}
   */
  async changeSubscription(userId, plan) {
    return native.subscription_change(this._engine._ctx, userId, plan);
  }

  /**
   * Cancels at the period's end (the plan stays until then); InvalidState when there is
   * nothing to cancel.
   * @param {number} userId
   * @returns {Promise<Subscription>}
   */
  async cancelSubscription(userId) {
    return native.subscription_cancel(this._engine._ctx, userId);
  }

  /**
   * Applies due period ends (expiry, downgrades) and expires unpaid orders; idempotent.
   * Resolves to how many subscriptions and orders it looked at or changed.
   * @returns {Promise<number>}
   */
  async maintainSubscriptions() {
    return native.subscriptions_maintain(this._engine._ctx);
  }

  // --- promotions ------------------------------------------------------------------------

  /**
   * Creates or replaces a promotion code (its redeemed count and creation time are kept).
   * `plans` may be an array or a space-separated string. Rejects with InvalidArgument,
   * PlanUnknown.
   * @param {PromoInput} promo
   * @returns {Promise<void>}
   */
  async putPromo(promo) {
    if (promo !== null && typeof promo === 'object' && Array.isArray(promo.plans)) {
      promo = { ...promo, plans: promo.plans.join(' ') };
    }
    return native.promo_put(this._engine._ctx, promo);
  }

  /**
   * A promotion by code (any case); rejects with PromoInvalid.
   * @param {string} code
   * @returns {Promise<Promo>}
   */
  async promo(code) { return native.promo_get(this._engine._ctx, code); }

  /**
   * Redeems a code for a user (one bonus grant); resolves to the balance after. The same
   * `key` returns the first outcome. Rejects with PromoInvalid, PromoExpired, PromoUsed,
   * PlanTooLow, NotFound, IdempotencyConflict.
   * @param {number} userId
   * @param {string} code
   * @param {{key: string}} opts
   * @returns {Promise<import('../types/credits').Balance>}
   */
  async redeemPromo(userId, code, opts) {
    return native.promo_redeem(this._engine._ctx, userId, code, options(opts).key);
  }

  // --- figures ---------------------------------------------------------------------------

  /**
   * The administrators' figures, read in one transaction.
   * @returns {Promise<AdminStats>}
   */
  async adminStats() {
    const s = await native.admin_stats_get(this._engine._ctx);
    const { plans, ...rest } = s;
    return {
      usersByPlan: Object.fromEntries(plans.map((row) => [row.plan, row.users])),
      ...rest,
    };
  }

  /** orderStateName (also a module function). */
  orderStateName(state) { return orderStateName(state); }
}

module.exports = { Payments, ecpayCheckMac, orderStateName };
