// SPDX-License-Identifier: MIT
// The Engine: one open libvidgo context, and the grouped API over it.
'use strict';

const native = require('./native');

class Clock {
  constructor(engine) { this._engine = engine; }

  /** The engine's current time. */
  now() { return native.ctx_now(this._engine._ctx); }

  /** Sets the manual clock (an engine opened with the `clock` option) to a Date. */
  set(time) { return native.clock_set(this._engine._ctx, time); }

  /** Moves the manual clock forward by `ms` milliseconds; returns the new time. */
  advance(ms) { return native.clock_advance(this._engine._ctx, ms); }
}

class Engine {
  /** Use vidgo.open(); `handle` is the native context handle. */
  constructor(handle) {
    this._ctx = handle;
    this._groups = new Map();
    this.lang = native.ctx_lang(handle);
    this.clock = new Clock(this);
  }

  _group(name, Class) {
    let group = this._groups.get(name);
    if (!group) {
      group = new Class(this);
      this._groups.set(name, group);
    }
    return group;
  }

  /**
   * Closes the engine: its workers, generators and caches first, then the context. Calls
   * still running finish first (the context is freed after the last one); new calls throw
   * ClosedError. Calling it again does nothing. Returns at once.
   */
  close() { native.handle_close(this._ctx); }

  /** True once close() was called. */
  get closed() { return native.handle_closed(this._ctx); }

  /** The engine's current time (a Date; the manual clock's when opened with `clock`). */
  now() { return native.ctx_now(this._ctx); }

  /** "sqlite" or "postgresql". */
  get storeBackend() { return native.store_backend_name(this._ctx); }

  /** Where the store is (a URL's password redacted). */
  get storeLocation() { return native.store_location(this._ctx); }

  /** The most recent failure on this engine from any thread: { errno, code, message } or null. */
  get lastError() { return native.ctx_last_error(this._ctx); }

  /** The store's schema version. */
  async schemaVersion() { return native.store_schema_version(this._ctx); }

  /**
   * The store's journal of administrative events, oldest first, as an async iterator.
   * @param {{afterId?: number, pageSize?: number}} [options]
   */
  async *events({ afterId = 0, pageSize = 1000 } = {}) {
    for (;;) {
      const page = await native.store_events(this._ctx, afterId, pageSize);
      yield* page;
      if (page.length < pageSize) return;
      afterId = page[page.length - 1].id;
    }
  }

  /**
   * Verifies the whole store (integrity, schema, every domain's invariants); resolves to the
   * problems found ([] when nothing is wrong). Rejects only when the check could not run.
   */
  async check() { return native.check(this._ctx); }

  /** Opens a generator with its own options (see Jobs); engine.jobs is the default one. */
  generator(options = {}) { return require('./jobs').openGenerator(this, options); }

  get accounts() { return this._group('accounts', require('./accounts').Accounts); }
  get users() { return this._group('users', require('./accounts').Users); }
  get plans() { return this._group('plans', require('./plans').Plans); }
  get credits() { return this._group('credits', require('./credits').Credits); }
  get cache() { return this._group('cache', require('./cache').CacheAPI); }
  get providers() { return this._group('providers', require('./providers').Providers); }
  get jobs() { return this._group('jobs', require('./jobs').Jobs); }
  get gallery() { return this._group('gallery', require('./jobs').Gallery); }
  get payments() { return this._group('payments', require('./payments').Payments); }

  get [Symbol.toStringTag]() { return 'vidgo.Engine'; }

  /** `await using engine = await vidgo.open(...)` closes it at the end of the block. */
  async [Symbol.asyncDispose || Symbol.for('nodejs.asyncDispose')]() { this.close(); }
}

module.exports = { Engine };
