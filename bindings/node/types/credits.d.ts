// SPDX-License-Identifier: MIT
// engine.credits: the wallet (include/vidgo/credits.h; docs/credits.md has the rules).

/** Kinds of credit a grant adds. */
export type CreditKind = 'purchased' | 'bonus';

/** Where a hold is: open until captured, released, expired (never settled) or refunded. */
export type HoldState = 'open' | 'captured' | 'released' | 'expired' | 'refunded';

/** What a ledger row records. */
export type LedgerType =
  | 'open' | 'grant' | 'debit' | 'refund' | 'weekly_reset' | 'expiry' | 'forfeit' | 'plan_change';

/** A wallet: three buckets of credit (not held), the held credits, the demo free uses. */
export interface Balance {
  userId: number;
  /** Reset to the plan's weekly amount every Monday 00:00 UTC (no rollover). */
  subscription: number;
  /** Never expire. */
  purchased: number;
  /** Each grant expires (by default 90 days after it was granted). */
  bonus: number;
  /** In open holds. */
  held: number;
  /** subscription + purchased + bonus: what a hold may take. */
  available: number;
  /** available + held. */
  total: number;
  /** Demo free uses, not held. */
  freeUses: number;
  freeUsesHeld: number;
  /** The next Monday 00:00 UTC. */
  nextReset: Date;
  /** When the next bonus grant expires; null if none. */
  nextBonusExpiry: Date | null;
  nextBonusExpiryAmount: number;
  /** Number of the wallet's last ledger row. */
  ledgerSeq: number;
}

/** The price of one use of a service, taken out of the buckets until settled. */
export interface Hold {
  id: number;
  userId: number;
  service: string;
  /** The caller's, e.g. a job id ('' if none). */
  reference: string;
  price: number;
  /** The parts, in spending order. */
  fromBonus: number;
  fromSubscription: number;
  fromPurchased: number;
  /** A demo free use pays instead of credits. */
  freeUse: boolean;
  state: HoldState;
  /** Credits not returned on release or refund (their bucket was reset or expired). */
  forfeited: number;
  createdAt: Date;
  expiresAt: Date;
  /** null while open. */
  settledAt: Date | null;
  /** The wallet after the call. */
  balance: Balance;
}

/** One row of a wallet's hash-chained ledger: the change of each bucket, and the buckets
 * after it (held credits included). */
export interface LedgerEntry {
  /** 1, 2, ... per wallet. */
  seq: number;
  /** When it was written. */
  at: Date;
  /** When it took effect (a reset's Monday, a grant's expiry). */
  effectiveAt: Date | null;
  type: LedgerType;
  /** Change of the total. */
  amount: number;
  bonus: number;
  subscription: number;
  purchased: number;
  freeUses: number;
  bonusAfter: number;
  subscriptionAfter: number;
  purchasedAfter: number;
  totalAfter: number;
  freeUsesAfter: number;
  /** '' if none. */
  service: string;
  /** The caller's reference, '' if none. */
  reference: string;
  /** '' for rows the library wrote by itself. */
  idempotencyKey: string;
  /** 0 if none. */
  holdId: number;
}

/** What credits.maintenance() did. */
export interface MaintenanceReport {
  /** Wallets looked at. */
  users: number;
  /** Reset rows written. */
  weeklyResets: number;
  /** Expiry rows written. */
  expiries: number;
  holdsExpired: number;
}

/** Every mutating call's idempotency key (1..200 bytes), kept forever per user: a repeat
 * with the same key and request resolves to the first outcome and changes nothing. */
export interface KeyOptions {
  key: string;
}

export interface GrantOptions extends KeyOptions {
  /** Default 'purchased'. */
  kind?: CreditKind;
  /** A bonus grant's expiry (default: the configured time after now; must be future). */
  expiresAt?: Date | number;
  /** The cause, e.g. an order. */
  reference?: string;
}

export interface HoldOptions extends KeyOptions {
  /** The caller's reference, e.g. a job id. */
  reference?: string;
}

export interface HistoryPageOptions {
  /** Rows with seq below this (0 or absent: from the newest). */
  beforeSeq?: number;
  /** 1..1000, default 100. */
  limit?: number;
}

/**
 * engine.credits: balances, grants, holds (capture, release, refund), the ledger, plan
 * changes, maintenance. Rejections: InsufficientCredits, DemoUsedUp, ServiceUnknown,
 * PlanUnknown, HoldSettled, HoldExpired, InvalidState, IdempotencyConflict, NotFound,
 * InvalidArgument, StoreError.
 */
export declare class Credits {
  private constructor();
  /** The user's balance (applying a due weekly reset or expiry first). */
  balance(userId: number): Promise<Balance>;
  /** Adds purchased (default) or bonus credits; resolves to the balance after. */
  grant(userId: number, amount: number, options: GrantOptions): Promise<Balance>;
  /** Holds the price of one use of a service (a demo free use, or credits). */
  hold(userId: number, service: string, options: HoldOptions): Promise<Hold>;
  /** Captures an open hold (one DEBIT row). */
  capture(hold: Hold | number, options: KeyOptions): Promise<Hold>;
  /** Releases an open hold, each part back to its bucket (or forfeited). */
  release(hold: Hold | number, options: KeyOptions): Promise<Hold>;
  /** Refunds a captured hold (one REFUND row). */
  refund(hold: Hold | number, options: KeyOptions): Promise<Hold>;
  /** Reads a hold (with the user's balance). */
  getHold(hold: Hold | number): Promise<Hold>;
  /** Moves a user to another plan now (one PLAN_CHANGE row). */
  changePlan(userId: number, plan: string, options: KeyOptions): Promise<Balance>;
  /** One page of ledger rows, newest first. */
  historyPage(userId: number, options?: HistoryPageOptions): Promise<LedgerEntry[]>;
  /** Every ledger row, newest first, page by page: `for await (const e of history(id))`. */
  history(userId: number, options?: { pageSize?: number }): AsyncIterableIterator<LedgerEntry>;
  /** Applies what is due (weekly resets, bonus expiry, hold expiry) to every wallet. */
  maintenance(): Promise<MaintenanceReport>;
  /** The Monday 00:00 UTC that starts the week after the one containing `when`. */
  nextReset(when: Date | number): Date;
  static nextReset(when: Date | number): Date;
  /** The name of a ledger type number (1 'open' ... 8 'plan_change'), or null. */
  ledgerTypeName(type: number): LedgerType | null;
  static ledgerTypeName(type: number): LedgerType | null;
}
