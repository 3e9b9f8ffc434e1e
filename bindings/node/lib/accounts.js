// SPDX-License-Identifier: MIT
// engine.accounts and engine.users: sign-up with an e-mailed code, sign-in, sessions,
// password reset, and user records (include/vidgo/accounts.h, include/vidgo/users.h).
//
// Every call is async and runs on the thread pool: argon2id hashing takes tens of
// milliseconds, sending e-mail talks to a server, the store may be over the network.
// Passwords, codes and tokens go to the library and are never kept by the binding.
'use strict';

const util = require('node:util');

const { options } = require('./args');
const native = require('./native');

// Shows a session without its tokens when it is inspected (console.log, util.format), so
// that logging one does not leak them; the properties themselves are plain and
// JSON.stringify still writes them.
function inspectSession(depth, opts, inspect) {
  return inspect({ ...this, accessToken: '[secret]', refreshToken: '[secret]' }, opts);
}

function session(record) {
  Object.defineProperty(record, util.inspect.custom, { value: inspectSession });
  return record;
}

/** User records as the wallet and access rules see them. */
class Users {
  constructor(engine) {
    this._engine = engine;
  }

  /**
   * Creates a verified, active user on a plan without the password flow (the
   * administrator's shortcut) and opens its wallet. Rejects with EmailTaken, EmailInvalid,
   * PlanUnknown.
   * @param {string} email
   * @param {string} [plan='demo']
   * @returns {Promise<number>} the new user id
   */
  async addVerified(email, plan = 'demo') {
    return native.user_add_verified(this._engine._ctx, email, plan);
  }

  /**
   * A user by id; rejects with NotFound.
   * @param {number} userId
   * @returns {Promise<User>}
   */
  async get(userId) {
    return native.user_get(this._engine._ctx, userId);
  }

  /**
   * A user by e-mail address (trimmed and lower-cased first); rejects with NotFound.
   * @param {string} email
   * @returns {Promise<User>}
   */
  async find(email) {
    return native.user_find(this._engine._ctx, email);
  }
}

/** Registration, verification, sign-in, sessions and password reset. */
class Accounts {
  constructor(engine) {
    this._engine = engine;
  }

  /**
   * Creates an unverified account on the demo plan and e-mails a 6-digit code in `lang`
   * (default: the engine's). `caller` is the rate-limit key of whoever asks (e.g. the
   * client's IP address). Rejects with EmailInvalid, PasswordPolicy, EmailTaken,
   * RateLimited, EmailSendError, ...
   * @param {string} email
   * @param {string} password
   * @param {{lang?: string, caller?: string}} [opts]
   * @returns {Promise<number>} the new user id
   */
  async register(email, password, opts) {
    const { lang, caller } = options(opts);
    return native.account_register(this._engine._ctx, email, password, lang, caller);
  }

  /**
   * Checks a verification code; rejects with CodeInvalid, CodeExhausted (the 3rd wrong
   * try), CodeExpired, or InvalidState when the address is already verified.
   * @param {string} email
   * @param {string} code
   * @returns {Promise<void>}
   */
  async verify(email, code) {
    return native.account_verify(this._engine._ctx, email, code);
  }

  /**
   * Sends a new code, replacing the previous one; an unknown or verified address gets
   * nothing and the same answer. Rejects with RateLimited after 5 codes in an hour.
   * @param {string} email
   * @returns {Promise<void>}
   */
  async resend(email) {
    return native.account_resend(this._engine._ctx, email);
  }

  /**
   * Signs in. Rejects with AuthFailed (unknown address or wrong password, alike),
   * NotVerified, AccountDisabled or RateLimited (see `err.retryAfter`).
   * @param {string} email
   * @param {string} password
   * @param {{caller?: string}} [opts]
   * @returns {Promise<Session>}
   */
  async login(email, password, opts) {
    const { caller } = options(opts);
    return session(await native.account_login(this._engine._ctx, email, password, caller));
  }

  /**
   * Exchanges a refresh token for a new session pair. The token presented is spent:
   * presenting it again rejects with TokenRevoked and revokes the whole session.
   * @param {string} refreshToken
   * @returns {Promise<Session>}
   */
  async refresh(refreshToken) {
    return session(await native.session_refresh(this._engine._ctx, refreshToken));
  }

  /**
   * Verifies an access token and resolves to its claims; rejects with TokenInvalid,
   * TokenExpired, TokenRevoked or AccountDisabled.
   * @param {string} accessToken
   * @returns {Promise<Claims>}
   */
  async verifyToken(accessToken) {
    return native.session_verify(this._engine._ctx, accessToken);
  }

  /**
   * Signs out: revokes the session of a refresh token (its access tokens stop working too).
   * @param {string} refreshToken
   * @returns {Promise<void>}
   */
  async logout(refreshToken) {
    return native.session_logout(this._engine._ctx, refreshToken);
  }

  /**
   * Revokes every session of a user.
   * @param {number} userId
   * @returns {Promise<number>} how many sessions were revoked
   */
  async revokeAll(userId) {
    return native.session_revoke_all(this._engine._ctx, userId);
  }

  /**
   * Starts a password reset: e-mails a single-use token if the address has an active
   * account, and answers alike either way. Rejects with RateLimited.
   * @param {string} email
   * @param {{caller?: string}} [opts]
   * @returns {Promise<void>}
   */
  async forgot(email, opts) {
    const { caller } = options(opts);
    return native.account_forgot(this._engine._ctx, email, caller);
  }

  /**
   * Sets a new password with a reset token, revokes every session of the account and
   * marks the address verified. Rejects with TokenInvalid, TokenExpired, TokenRevoked,
   * PasswordPolicy.
   * @param {string} resetToken
   * @param {string} newPassword
   * @returns {Promise<number>} the user id
   */
  async reset(resetToken, newPassword) {
    return native.account_reset(this._engine._ctx, resetToken, newPassword);
  }

  /**
   * Enables or disables an account (disabling revokes its sessions).
   * @param {number} userId
   * @param {boolean} active
   * @returns {Promise<void>}
   */
  async setActive(userId, active) {
    return native.account_set_active(this._engine._ctx, userId, active);
  }

  /** @param {number} userId @returns {Promise<void>} */
  async enable(userId) {
    return this.setActive(userId, true);
  }

  /** @param {number} userId @returns {Promise<void>} */
  async disable(userId) {
    return this.setActive(userId, false);
  }

  /**
   * The language of a user's e-mails ('en', 'ja', 'zh-TW', 'ko', 'es').
   * @param {number} userId
   * @returns {Promise<string>}
   */
  async lang(userId) {
    return native.account_lang(this._engine._ctx, userId);
  }

  // Users' calls are reachable from here too.

  /** See Users#addVerified. */
  async addVerified(email, plan = 'demo') {
    return new Users(this._engine).addVerified(email, plan);
  }

  /** See Users#get. */
  async get(userId) {
    return new Users(this._engine).get(userId);
  }

  /** See Users#find. */
  async find(email) {
    return new Users(this._engine).find(email);
  }
}

module.exports = { Accounts, Users };
