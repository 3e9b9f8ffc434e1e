// SPDX-License-Identifier: MIT
// The Engine, vidgo.open's options, and the library-wide functions.

import type { Accounts, Users } from './accounts';
import type { Plans } from './plans';
import type { Credits } from './credits';
import type { CacheAPI } from './cache';
import type { Providers } from './providers';
import type { Jobs, Generator, GeneratorOptions, Gallery } from './jobs';
import type { Payments } from './payments';

export type Lang = 'en' | 'ja' | 'zh-TW' | 'ko' | 'es';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type ProviderName = 'local' | 'gemini' | 'leonardo' | 'runway' | 'goenhance' | 'pollo';

/** One message the library composed, in the recipient's language. */
export interface Email {
  kind: 'verify' | 'reset';
  lang: Lang;
  from: string;
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The whole RFC 5322 message, ready for SMTP DATA. */
  mime: string;
}

export interface ProviderSettings {
  apiKey?: string;
  baseUrl?: string;
}

export interface PaymentsOptions {
  ecpayMerchantId?: string;
  ecpayHashKey?: string;
  ecpayHashIv?: string;
  ecpayStage?: boolean;
  /** Several separated by spaces during a rotation. */
  paddleWebhookSecret?: string;
  paddleToleranceS?: number;
  /** Allows simulated payments (payments.simulatePaid). */
  sandbox?: boolean;
  orderTtlS?: number;
}

/** vidgo.open's options: the fields of vg_config in camelCase. Absent: the default or the
 * environment variable the C library reads. */
export interface OpenOptions {
  create?: boolean;
  readonly?: boolean;
  syncNormal?: boolean;
  storePoolSize?: number;
  busyTimeoutMs?: number;
  /** A manual clock starting at this time (Date or ms); move it with engine.clock. */
  clock?: Date | number;
  /** Receives log lines (never a secret), asynchronously on the main thread. */
  log?: (level: LogLevel, message: string) => void;
  logLevel?: LogLevel | 'none';
  /** 32+ bytes: a Buffer or a hex string. */
  secret?: Buffer | Uint8Array | string;
  lang?: Lang;
  holdTtlS?: number;
  bonusTtlDays?: number;
  expiredRefund?: 'forfeit' | 'regrant';
  regrantTtlDays?: number;
  accessTtlS?: number;
  refreshTtlS?: number;
  hashConcurrency?: number;
  pwhashOpslimit?: number;
  pwhashMemlimit?: number;
  /** Delivers e-mail through the host (called asynchronously; the library counts it sent). */
  onEmail?: (email: Email) => void;
  smtpUrl?: string;
  smtpUser?: string;
  smtpPassword?: string;
  smtpTls?: 'required' | 'try' | 'none';
  smtpCaPath?: string;
  smtpTimeoutMs?: number;
  mailDir?: string;
  emailFrom?: string;
  resetUrl?: string;
  providers?: Partial<Record<ProviderName, ProviderSettings | string>>;
  providerMode?: 'auto' | 'local' | 'remote';
  providerCaPath?: string;
  providerTimeoutMs?: number;
  assetsDir?: string;
  polloWebhookSecret?: string;
  payments?: PaymentsOptions;
}

export interface StoreEvent {
  id: number;
  at: Date;
  kind: string;
  detail: string;
}

/** A problem engine.check() found. */
export interface Problem {
  check: string;
  subject: string;
  detail: string;
}

export interface LastError {
  errno: number;
  code: string;
  message: string;
}

export interface Clock {
  now(): Date;
  /** Only on an engine opened with the `clock` option. */
  set(time: Date | number): Date;
  advance(ms: number): Date;
}

export declare class Engine {
  private constructor();
  readonly lang: Lang;
  readonly clock: Clock;
  readonly closed: boolean;
  readonly storeBackend: 'sqlite' | 'postgresql';
  readonly storeLocation: string;
  readonly lastError: LastError | null;
  /** Closes workers, generators and caches, then the context, once their calls finish. */
  close(): void;
  now(): Date;
  schemaVersion(): Promise<number>;
  events(options?: { afterId?: number; pageSize?: number }): AsyncIterableIterator<StoreEvent>;
  /** The problems found ([] when the store is sound). */
  check(): Promise<Problem[]>;
  /** Opens a generator with its own options (engine.jobs is the default one). */
  generator(options?: GeneratorOptions): Promise<Generator>;
  readonly accounts: Accounts;
  readonly users: Users;
  readonly plans: Plans;
  readonly credits: Credits;
  readonly cache: CacheAPI;
  readonly providers: Providers;
  readonly jobs: Jobs;
  readonly gallery: Gallery;
  readonly payments: Payments;
}

export declare function open(store?: string | null, options?: OpenOptions): Promise<Engine>;

export interface VersionInfo {
  version: string;
  number: number;
  configVersion: number;
  configSize: number;
  schemaLatest: number;
  timeTextSize: number;
}

export declare const version: string;
export declare const versionInfo: VersionInfo;
export declare const constants: Readonly<Record<string, number>>;
export declare const langs: Lang[];
export declare function langIndex(tag: string): number;
export declare function backendAvailable(name: string): boolean;
export declare function parseTime(text: string): Date;
export declare function formatTime(time: Date | number): string;
export declare function strerror(errno: number, lang?: Lang): string;
export declare function errorName(errno: number): string;
export declare function lastError(): (LastError & { retryAfter: number }) | null;
export declare function clearLastError(): void;
