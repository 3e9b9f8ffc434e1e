// SPDX-License-Identifier: MIT
// engine.accounts and engine.users (include/vidgo/accounts.h, include/vidgo/users.h).

import type { Lang } from './engine';

/** A user record as the wallet and access rules see it. */
export interface User {
  id: number;
  /** Normalised: trimmed, lower case. */
  email: string;
  /** The plan's name: 'demo', 'starter', 'pro', 'pro_plus' or one added with plans.put. */
  plan: string;
  /** The e-mail address is verified. */
  verified: boolean;
  /** Not disabled. */
  active: boolean;
  createdAt: Date | null;
}

/**
 * A signed-in session: a short-lived HS256 JWT access token and an opaque refresh token
 * ('vgr_...') that is rotated on every use. The tokens are secrets: util.inspect (and so
 * console.log) shows them as '[secret]'; JSON.stringify writes them.
 */
export interface Session {
  userId: number;
  /** The refresh-token family. */
  sessionId: number;
  accessToken: string;
  refreshToken: string;
  accessExpiresAt: Date | null;
  refreshExpiresAt: Date | null;
}

/** The claims of a verified access token. */
export interface Claims {
  /** "sub" */
  userId: number;
  /** "sid" */
  sessionId: number;
  /** "plan": the user's plan when the token was issued. */
  plan: string;
  /** "jti": the token's unique id. */
  jti: string;
  /** "iat" */
  issuedAt: Date | null;
  /** "exp" */
  expiresAt: Date | null;
}

export interface RegisterOptions {
  /** Language of the verification e-mail; default: the engine's. */
  lang?: Lang | string;
  /** The rate-limit key of whoever asks, such as the client's IP address (≤ 64 bytes). */
  caller?: string;
}

export interface CallerOptions {
  /** The rate-limit key of whoever asks, such as the client's IP address (≤ 64 bytes). */
  caller?: string;
}

/** User records: engine.users. */
export declare class Users {
  /** @internal Use engine.users. */
  constructor(engine: object);
  /** Creates a verified, active user on a plan (default 'demo') without the password flow,
   *  and opens its wallet. Resolves to the new id. Rejects with EmailTaken, EmailInvalid,
   *  PlanUnknown. */
  addVerified(email: string, plan?: string): Promise<number>;
  /** A user by id; rejects with NotFound. */
  get(userId: number): Promise<User>;
  /** A user by e-mail address (normalised first); rejects with NotFound. */
  find(email: string): Promise<User>;
}

/** Sign-up, verification codes, sign-in, sessions, password reset: engine.accounts. */
export declare class Accounts {
  /** @internal Use engine.accounts. */
  constructor(engine: object);
  /** Creates an unverified account on the demo plan and e-mails a 6-digit code (valid 15
   *  minutes, 3 tries). Resolves to the new user id. Rejects with EmailInvalid,
   *  PasswordPolicy, EmailTaken, RateLimited, EmailSendError, ConfigError. */
  register(email: string, password: string, options?: RegisterOptions): Promise<number>;
  /** Checks a verification code. Rejects with CodeInvalid, CodeExhausted, CodeExpired, or
   *  InvalidState when the address is already verified. */
  verify(email: string, code: string): Promise<void>;
  /** Sends a new code that replaces the previous one. Rejects with RateLimited. */
  resend(email: string): Promise<void>;
  /** Signs in. Rejects with AuthFailed, NotVerified, AccountDisabled, RateLimited. */
  login(email: string, password: string, options?: CallerOptions): Promise<Session>;
  /** Exchanges a refresh token for a new pair; the token presented is spent (presenting
   *  it again rejects with TokenRevoked and revokes the session). */
  refresh(refreshToken: string): Promise<Session>;
  /** Verifies an access token. Rejects with TokenInvalid, TokenExpired, TokenRevoked,
   *  AccountDisabled. */
  verifyToken(accessToken: string): Promise<Claims>;
  /** Revokes the session of a refresh token. */
  logout(refreshToken: string): Promise<void>;
  /** Revokes every session of a user; resolves to how many. Rejects with NotFound. */
  revokeAll(userId: number): Promise<number>;
  /** Starts a password reset (e-mails a single-use token if the account exists; answers
   *  alike either way). Rejects with RateLimited. */
  forgot(email: string, options?: CallerOptions): Promise<void>;
  /** Sets a new password with a reset token and revokes every session; resolves to the
   *  user id. Rejects with TokenInvalid, TokenExpired, TokenRevoked, PasswordPolicy. */
  reset(resetToken: string, newPassword: string): Promise<number>;
  /** Enables or disables an account (disabling revokes its sessions). */
  setActive(userId: number, active: boolean): Promise<void>;
  enable(userId: number): Promise<void>;
  disable(userId: number): Promise<void>;
  /** The language of a user's e-mails. */
  lang(userId: number): Promise<Lang>;
  /** Users#addVerified. */
  addVerified(email: string, plan?: string): Promise<number>;
  /** Users#get. */
  get(userId: number): Promise<User>;
  /** Users#find. */
  find(email: string): Promise<User>;
}
