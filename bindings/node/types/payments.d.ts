// SPDX-License-Identifier: MIT
// engine.payments (include/vidgo/payments.h; docs/payments.md).

import type { Balance } from './credits';

/** A package of purchased credits, or one month of a plan. */
export type OrderKind = 'package' | 'subscription';

/** created → pending (sent to the provider) → paid → fulfilled; failed, expired, refunded. */
export type OrderState =
  | 'created' | 'pending' | 'paid' | 'fulfilled' | 'failed' | 'expired' | 'refunded';

export type PaymentProvider = 'ecpay' | 'paddle';

export type SubscriptionState = 'none' | 'active' | 'past_due' | 'canceled' | 'expired';

export interface Order {
  id: number;
  /** Unique, 'VG' + 18 letters and digits (ECPay's MerchantTradeNo). */
  number: string;
  userId: number;
  kind: OrderKind;
  /** The package ('credits_50') or plan ('pro') name. */
  item: string;
  state: OrderState;
  provider: PaymentProvider;
  /** ISO 4217: 'TWD', 'USD', 'EUR'. */
  currency: string;
  /** What is due, in minor units (TWD has none: 299; USD 9.99 is 999). */
  amountMinor: number;
  /** The plan's top-up discount applied. */
  discountPct: number;
  /** A package's credits. */
  credits: number;
  /** ECPay's TradeNo, Paddle's transaction id. */
  providerRef: string;
  /** Why it failed, for support. */
  failure: string;
  createdAt: Date | null;
  paidAt: Date | null;
  fulfilledAt: Date | null;
  expiresAt: Date | null;
}

export interface CreateOrderOptions {
  /** Required: the same key returns the same order. */
  key: string;
  /** Default 'package'. */
  kind?: OrderKind;
  /** Default 'ecpay'. */
  provider?: PaymentProvider;
  /** Default TWD for ECPay, USD for Paddle. */
  currency?: string;
}

/** ECPay's AIO checkout form: POST `fields` to `action` from the user's browser. */
export interface EcpayForm {
  /** The stage or production AioCheckOut/V5 URL. */
  action: string;
  /** [name, value] pairs, CheckMacValue last (new URLSearchParams(fields) encodes them). */
  fields: Array<[string, string]>;
}

/** What a handled ECPay callback answered. */
export interface EcpayCallbackResult {
  /** Send this to ECPay as the response body: '1|OK'. */
  reply: string;
  order: Order;
}

/** A refused ECPay callback rejects with a PaymentError (or InvalidArgument, NotFound,
 *  ConfigError) carrying the reply ECPay expects ('0|<reason>'). */
export interface EcpayRefusal extends Error {
  code: string;
  reply: string;
}

/** What a Paddle webhook did. */
export interface WebhookResult {
  eventId: string;
  /** 'transaction.completed', 'subscription.updated', ... */
  eventType: string;
  /** This event was processed before; nothing changed. */
  duplicate: boolean;
  /** An event type VidGo does not act on. */
  ignored: boolean;
  /** The order it paid; 0 when none. */
  orderId: number;
  /** The user whose subscription changed; 0 when none. */
  userId: number;
}

export interface Subscription {
  userId: number;
  plan: string;
  state: SubscriptionState;
  provider: string;
  /** Paddle's subscription id; '' for ECPay. */
  providerRef: string;
  /** A downgrade that applies at the period's end; '' when none. */
  nextPlan: string;
  startedAt: Date | null;
  periodStart: Date | null;
  periodEnd: Date | null;
}

/** A promotion code as stored. */
export interface Promo {
  /** 1..32 of A-Z 0-9 - _ (stored upper-case). */
  code: string;
  /** 1..1 000 000. */
  bonusCredits: number;
  /** The grant's life; 0 = the wallet's default (90). */
  bonusTtlDays: number;
  /** null: no bound. */
  validFrom: Date | null;
  validUntil: Date | null;
  /** Over everyone; 0 = no limit. */
  maxRedemptions: number;
  /** Per user; 0 = 1. */
  perUser: number;
  /** The plans that may redeem, space-separated; '' = any. */
  plans: string;
  active: boolean;
  /** Set by the library. */
  redeemed: number;
  createdAt: Date | null;
}

/** What putPromo takes: a Promo's fields (redeemed and createdAt are ignored). */
export interface PromoInput {
  code: string;
  bonusCredits: number;
  bonusTtlDays?: number;
  validFrom?: Date | number | null;
  validUntil?: Date | number | null;
  maxRedemptions?: number;
  perUser?: number;
  /** Space-separated or an array. */
  plans?: string | string[];
  /** Default true. */
  active?: boolean;
  redeemed?: number;
  createdAt?: Date | null;
}

export interface RevenueRow {
  currency: string;
  /** Fulfilled orders' amounts (refunded orders are not counted). */
  amountMinor: number;
  orders: number;
}

export interface ServiceSpend {
  service: string;
  /** Captured minus refunded. */
  credits: number;
  uses: number;
}

/** The administrators' figures, read in one transaction (tables: at most 16 rows). */
export interface AdminStats {
  usersByPlan: Record<string, number>;
  /** Active, past due, or canceled with the period still running. */
  activeSubscriptions: number;
  revenue: RevenueRow[];
  /** Purchased and bonus grants (promotions included). */
  creditsGranted: number;
  spent: ServiceSpend[];
  /** What providers charged for succeeded jobs. */
  apiCostMicroUsd: number;
  /** The generation cost of the entries the cache's hits served. */
  cacheSavedMicroUsd: number;
  cacheHits: number;
}

/** Form fields in any of these shapes (numbers become their decimal text). */
export type FormFields =
  | Array<[string, string | number]>
  | Record<string, string | number>
  | Map<string, string | number>
  | URLSearchParams;

/** ECPay's CheckMacValue of form fields (a CheckMacValue field among them is left out):
 *  upper-case hex of SHA-256 (default) or MD5 (`sha256: false`). Pure: needs no engine.
 *  Throws InvalidArgument for an empty key or IV. */
export declare function ecpayCheckMac(fields: FormFields, hashKey: string, hashIv: string,
                                      options?: { sha256?: boolean }): string;

/** The name of an order state number ('created', ..., 'refunded'), or null. */
export declare function orderStateName(state: number): OrderState | null;

/** Orders through ECPay or Paddle, and what follows: engine.payments. Everything that
 *  reads the store is async; checkMac and paddleVerify are sync. */
export declare class Payments {
  private constructor();
  /** Rejects with NotFound, PlanUnknown, ServiceUnknown, CurrencyError,
   *  IdempotencyConflict, InvalidArgument. */
  createOrder(userId: number, item: string, options: CreateOrderOptions): Promise<Order>;
  /** Rejects with NotFound. */
  order(orderId: number): Promise<Order>;
  findOrder(number: string): Promise<Order>;
  /** One page, newest first (userId 0: everyone's; limit 1..1000, default 100). */
  ordersPage(options?: { userId?: number; beforeId?: number; limit?: number }): Promise<Order[]>;
  /** Every order, page by page. */
  orders(options?: { userId?: number; pageSize?: number }): AsyncGenerator<Order>;
  /** A paid subscription order refunded: the plan goes back to demo. A package is
   *  Unsupported; an unpaid order OrderStateError. */
  refundOrder(orderId: number, reason?: string): Promise<Order>;
  /** Sandbox only (else Unsupported): pays through a simulated, signed callback. */
  simulatePaid(orderId: number): Promise<Order>;
  /** ECPay's CheckMacValue (pure): SHA-256 by default, MD5 with sha256: false. */
  checkMac(fields: FormFields, hashKey: string, hashIv: string, options?: { sha256?: boolean }): string;
  /** The AIO checkout form (the order becomes pending). Rejects with NotFound,
   *  OrderStateError, CurrencyError, ConfigError. */
  ecpayCheckout(orderId: number, returnUrl: string,
                options?: { clientBackUrl?: string; choosePayment?: string }): Promise<EcpayForm>;
  /** Handles ECPay's server callback (the raw form body). A refused one rejects with an
   *  EcpayRefusal (SignatureError, MerchantMismatch, AmountMismatch, NotFound,
   *  InvalidArgument, ConfigError) whose `reply` is the answer to send. */
  ecpayCallback(body: Buffer | Uint8Array | string): Promise<EcpayCallbackResult>;
  /** Verifies a Paddle-Signature header; throws SignatureError, ReplayError,
   *  InvalidArgument, ConfigError. */
  paddleVerify(signature: string, body: Buffer | Uint8Array | string,
               options?: { secret?: string; toleranceS?: number }): void;
  /** Handles a Paddle webhook (verified, processed once per event id). */
  paddleWebhook(signature: string, body: Buffer | Uint8Array | string): Promise<WebhookResult>;
  /** State 'none' when there is none. */
  subscription(userId: number): Promise<Subscription>;
  /** Schedules a downgrade at the period's end (an upgrade: OrderStateError; no
   *  subscription: InvalidState). */
  changeSubscription(userId: number, plan: string): Promise<Subscription>;
  /** Cancels at the period's end (InvalidState when nothing to cancel). */
  cancelSubscription(userId: number): Promise<Subscription>;
  /** Applies due period ends, expires unpaid orders; how many it looked at or changed. */
  maintainSubscriptions(): Promise<number>;
  /** Creates or replaces a code (its count is kept). Rejects with InvalidArgument,
   *  PlanUnknown. */
  putPromo(promo: PromoInput): Promise<void>;
  /** Rejects with PromoInvalid. */
  promo(code: string): Promise<Promo>;
  /** Grants the bonus once per key; rejects with PromoInvalid, PromoExpired, PromoUsed,
   *  PlanTooLow, NotFound, IdempotencyConflict. */
  redeemPromo(userId: number, code: string, options: { key: string }): Promise<Balance>;
  adminStats(): Promise<AdminStats>;
  /** 'created', ..., or null. */
  orderStateName(state: number): OrderState | null;
}
