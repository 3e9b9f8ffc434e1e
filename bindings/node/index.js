// SPDX-License-Identifier: MIT
// vidgo: the VidGo engine (credits, plans, accounts, similarity cache, providers, jobs,
// payments) for Node.js, on libvidgo's C API through an N-API addon.
'use strict';

const native = require('./lib/native');
const errors = require('./lib/errors');
const { argError } = require('./lib/args');
const { Engine } = require('./lib/engine');
const { Accounts, Users } = require('./lib/accounts');
const { Plans } = require('./lib/plans');
const { Credits } = require('./lib/credits');
const { CacheAPI, Cache, Embedder, Flight } = require('./lib/cache');
const { Providers, providerNames, capabilities } = require('./lib/providers');
const { Jobs, Generator, Worker, Gallery, JOB_STATES } = require('./lib/jobs');
const { Payments, ecpayCheckMac, orderStateName } = require('./lib/payments');

function toBuffer(secret) {
  if (typeof secret !== 'string') return secret;
  if (!/^([0-9a-fA-F]{2})+$/.test(secret)) {
    throw argError(TypeError, 'ERR_INVALID_ARG_VALUE', 'secret: give a Buffer, or a hex string');
  }
  return Buffer.from(secret, 'hex');
}

/**
 * Opens (creating if needed) a store and resolves to an Engine.
 * @param {string|null} [store] a SQLite file or a PostgreSQL URL (null: $VIDGO_DB, ...)
 * @param {import('./index').OpenOptions} [options]
 */
async function open(store = 'vidgo.db', options = {}) {
  if (options === null || typeof options !== 'object') { // null too: a mistake here
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "options" argument must be an object');
  }
  const opts = { ...options };
  if (opts.secret !== undefined) opts.secret = toBuffer(opts.secret);
  if (typeof opts.log === 'function') {
    const log = opts.log;
    opts.log = (line) => log(line.level, line.message);
  }
  return new Engine(await native.open(store, opts));
}

const info = native.version();
const table = native.constants();

module.exports = {
  open,
  Engine,
  /** The loaded library's version string ("0.1.0"). */
  version: info.version,
  /** { version, number, configVersion, configSize, schemaLatest, timeTextSize } */
  versionInfo: info,
  /** Every constant of the C headers by name (VG_OPEN_CREATE, VG_LOG_WARN, ...). */
  constants: table.constants,
  /** The user languages, in the order of every per-language array ("en", "ja", ...). */
  langs: table.langs,
  /** The index of a language tag (BCP 47, "ja-JP" → 1), or -1. */
  langIndex: (tag) => native.lang_index(tag),
  /** Whether a store backend is built in ("sqlite", "postgresql"). */
  backendAvailable: (name) => native.store_backend_available(name),
  /** RFC 3339 text ↔ Date, as libvidgo reads and writes times. */
  parseTime: (text) => native.time_parse(text),
  formatTime: (time) => native.time_format(time),
  /** The user-facing description of a status code in a language. */
  strerror: (errno, lang) => native.strerror(errno, lang),
  errorName: (errno) => native.error_name(errno),
  /** The main thread's last libvidgo failure ({ errno, code, message, retryAfter } or null). */
  lastError: () => native.error_last(),
  clearLastError: () => native.error_clear(),
  // The API groups' classes (engine.accounts is an Accounts, ...), for instanceof and types.
  Accounts,
  Users,
  Plans,
  Credits,
  CacheAPI,
  Cache,
  Embedder,
  Flight,
  Providers,
  Jobs,
  Generator,
  Worker,
  Gallery,
  Payments,
  // What needs no engine.
  /** ECPay's CheckMacValue of form fields (pure). */
  ecpayCheckMac,
  /** The name of an order state number ('paid', ...), or null. */
  orderStateName,
  /** Every provider's name, in vg_provider_id order ('local', 'gemini', ...). */
  providerNames,
  /** The capability table: which provider serves which task kind. */
  capabilities,
  /** The job states in order ('queued', ..., 'cancelled'). */
  JOB_STATES,
  errors,
  ...errors,
};
