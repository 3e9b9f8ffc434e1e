// SPDX-License-Identifier: MIT
// engine.cache: the prompt-similarity cache, embedders, single flight and the block cache
// (include/vidgo/cache.h; docs/cache.md has the rules).
//
// Lifetimes follow the native handles: an embedder is a child of its engine, a cache of
// its embedder (or of the engine), a flight of its cache. Closing a parent closes its
// children first; each JS object keeps its parent alive, and a collected one is closed.
'use strict';

const { argError, options } = require('./args');
const native = require('./native');

const dispose = Symbol.dispose || Symbol.for('nodejs.dispose');

// A copy of a Buffer of floats as a Float32Array (a Buffer's offset may be unaligned).
function floats(buffer) {
  const bytes = new Uint8Array(buffer.byteLength);
  bytes.set(buffer);
  return new Float32Array(bytes.buffer);
}

/**
 * An embedder: turns prompts into unit vectors. Made by engine.cache.localEmbedder(),
 * geminiEmbedder() or defaultEmbedder(); pass it to engine.cache.open({ embedder }).
 * Closing it (or its engine) closes the caches that use it first.
 */
class Embedder {
  constructor(engine, handle) {
    this._engine = engine;
    this._handle = handle;
    const info = native.embedder_info(handle);
    /** 'local', 'gemini'. */
    this.name = info.name;
    /** 'hashed-ngrams-v1', 'gemini-embedding-001'. */
    this.model = info.model;
    /** Floats per vector. */
    this.dimension = info.dimension;
    /** Most prompts per call to the embedder. */
    this.maxBatch = info.maxBatch;
  }

  /**
   * Embeds prompts (normalised first, as the cache does): one unit vector each.
   * @param {string|string[]} prompts
   * @returns {Promise<Float32Array[]>}
   */
  async embed(prompts) {
    const vectors = await native.embedder_embed(this._handle, prompts);
    return vectors.map(floats);
  }

  /** Frees the embedder (after closing the caches that use it). Again: no-op. */
  close() { native.handle_close(this._handle); }

  /** True once closed (or its engine). */
  get closed() { return native.handle_closed(this._handle); }

  [dispose]() { this.close(); }

  get [Symbol.toStringTag]() { return `vidgo.Embedder ${this.name}/${this.model}/${this.dimension}`; }
}

/**
 * Work in progress on a prompt (single flight), from cache.begin(): end it with done() or
 * fail(). Closed unended (its cache closed, or collected) it fails, and who waits for it
 * goes on alone.
 */
class Flight {
  constructor(cache, handle) {
    this._cache = cache;
    this._handle = handle;
  }

  /**
   * Stores the result (as cache.put does) and wakes who waits for it. Ends the flight
   * whatever happens; a second done() or fail() rejects with ClosedError.
   * @param {string} result
   * @param {{costMicroUsd?: number, ttlS?: number, ownerOnly?: boolean}} [opts]
   * @returns {Promise<void>}
   */
  async done(result, opts) {
    const { costMicroUsd, ttlS, ownerOnly } = options(opts);
    return native.cache_flight_done(this._handle, result, costMicroUsd, ttlS, ownerOnly);
  }

  /** Remembers the failure (negative caching) and wakes who waits. Again: no-op. */
  fail() { native.handle_close(this._handle); }

  /** True once done() or fail() was called (or the cache was closed). */
  get ended() { return native.handle_closed(this._handle); }

  [dispose]() { this.fail(); }

  get [Symbol.toStringTag]() { return 'vidgo.Flight'; }
}

/**
 * An open similarity cache of an engine's store. Close it when done; closing the engine
 * (or the embedder it uses) closes it too, and so does the garbage collector.
 */
class Cache {
  constructor(engine, handle, embedder, owned) {
    this._engine = engine;
    this._handle = handle;
    this._embedder = embedder; // keeps the parent handle alive
    this._owned = owned;       // an embedder the cache made for itself
  }

  /** The Embedder the cache was opened with (null: the built-in local one). */
  get embedder() { return this._embedder; }

  /** Closes the cache (failing its open flights). Again: no-op. */
  close() {
    native.handle_close(this._handle);
    if (this._owned) this._owned.close();
  }

  /** True once closed. */
  get closed() { return native.handle_closed(this._handle); }

  [dispose]() { this.close(); }

  /**
   * Stores a result under a scope and prompt; resolves to the entry's id.
   * @param {CacheScope|string} scope
   * @param {string} prompt
   * @param {string} result the host's reference to the output (1..1000 bytes)
   * @param {{costMicroUsd?: number, ttlS?: number, ownerId?: number, ownerOnly?: boolean}} [opts]
   * @returns {Promise<number>}
   */
  async put(scope, prompt, result, opts) {
    const { costMicroUsd, ttlS, ownerId, ownerOnly } = options(opts);
    return native.cache_put(this._handle, scope, prompt, result, costMicroUsd, ttlS, ownerId,
                            ownerOnly);
  }

  /**
   * Looks a prompt up for a user (0: anonymous, sees shared entries only). A miss is a
   * CacheHit with match 'miss' (hit false), not a rejection.
   * @param {CacheScope|string} scope
   * @param {string} prompt
   * @param {{userId?: number}} [opts]
   * @returns {Promise<CacheHit>}
   */
  async lookup(scope, prompt, opts) {
    return native.cache_lookup(this._handle, scope, prompt, options(opts).userId);
  }

  /**
   * Compares two prompts as a lookup would (for calibration).
   * @returns {Promise<{similarity: number, gateAgrees: boolean}>}
   */
  async compare(a, b) {
    return native.cache_compare(this._handle, a, b);
  }

  /**
   * Removes one entry; rejects with NotFound when there is none.
   * @param {number} entryId
   */
  async invalidate(entryId) {
    return native.cache_invalidate(this._handle, entryId);
  }

  /**
   * Removes every entry of a scope; resolves to how many.
   * @param {CacheScope|string} scope
   * @returns {Promise<number>}
   */
  async invalidateScope(scope) {
    return native.cache_invalidate_scope(this._handle, scope);
  }

  /**
   * Sets the threshold of a scope (no scope: the default of every scope without its own),
   * kept in the store; a negative one removes a scope's own.
   * @param {number} threshold
   * @param {{scope?: CacheScope|string}} [opts]
   */
  async setThreshold(threshold, opts) {
    return native.cache_set_threshold(this._handle, options(opts).scope, threshold);
  }

  /**
   * The live entries (of one scope, or all), by id.
   * @param {{scope?: CacheScope|string}} [opts]
   * @returns {Promise<CacheEntry[]>}
   */
  async entries(opts) {
    return native.cache_list(this._handle, options(opts).scope);
  }

  /** @returns {Promise<CacheStats>} */
  async stats() {
    return native.cache_stats_get(this._handle);
  }

  /**
   * Starts work on a prompt, or finds it done: resolves to { hit, flight: null } on a hit,
   * else { hit (a miss), flight } where the caller generates and ends the flight. Waits
   * for a near-duplicate in flight in this process; rejects with JobFailed when the same
   * prompt failed within the negative TTL.
   * @param {CacheScope|string} scope
   * @param {string} prompt
   * @param {{userId?: number}} [opts]
   * @returns {Promise<{hit: CacheHit, flight: Flight|null}>}
   */
  async begin(scope, prompt, opts) {
    const { hit, flight } = await native.cache_flight_begin(this._handle, scope, prompt,
                                                            options(opts).userId);
    return { hit, flight: flight ? new Flight(this, flight) : null };
  }

  get [Symbol.toStringTag]() { return 'vidgo.Cache'; }
}

/** The keys of a cache's options (vg_cache_options): engine.cache.open's, and a generator's
 *  `cache` option. */
const CACHE_KEYS = Object.freeze(['embedder', 'threshold', 'secondGate', 'shadow', 'maxEntries',
  'quantize', 'threads', 'flightWaitMs', 'negativeTtlS']);

// The embedders named by a string, and the CacheAPI method that makes each.
const NAMED_EMBEDDERS = new Map([
  ['local', 'localEmbedder'], ['gemini', 'geminiEmbedder'], ['default', 'defaultEmbedder'],
]);

/**
 * The `embedder` option of a cache (engine.cache.open, a generator's `cache`) as
 * [embedder, owned]: an Embedder of the same engine, or one made for a name ('local',
 * 'gemini', 'default') that the caller owns and closes. Absent or null stands for
 * `nativeDefault`, the name whose embedder the C library makes itself when given none:
 * for it, [null, false] (a cache's is 'local', a generator's 'default').
 * @param {import('./engine').Engine} engine
 * @param {unknown} value
 * @param {'local'|'default'} nativeDefault
 * @returns {[Embedder|null, boolean]}
 */
function resolveEmbedder(engine, value, nativeDefault) {
  const embedder = value === undefined || value === null ? nativeDefault : value;
  if (embedder === nativeDefault) return [null, false];
  if (typeof embedder === 'string') {
    const make = NAMED_EMBEDDERS.get(embedder);
    if (!make) {
      throw argError(TypeError, 'ERR_INVALID_ARG_VALUE',
        'The "embedder" option must be an Embedder, \'local\', \'gemini\' or \'default\'');
    }
    return [engine.cache[make](), true];
  }
  if (!(embedder instanceof Embedder)) {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE',
      'The "embedder" option must be an Embedder, \'local\', \'gemini\' or \'default\'');
  }
  if (embedder._engine !== engine) {
    // Whatever uses it becomes the embedder's child: both must live and die with one engine.
    throw argError(RangeError, 'ERR_INVALID_ARG_VALUE',
      'The "embedder" option belongs to another engine');
  }
  return [embedder, false];
}

/** engine.cache: open a cache, make embedders, normalise prompts, the block cache. */
class CacheAPI {
  constructor(engine) {
    this._engine = engine;
  }

  /**
   * Opens the cache of the store and loads its entries. `embedder`: an Embedder, or
   * 'local' (the default: local, 768 dimensions), 'gemini' or 'default' (the engine's),
   * which the cache then owns and frees with itself.
   * @param {CacheOptions} [opts]
   * @returns {Promise<Cache>}
   */
  async open(opts) {
    const o = options(opts, CACHE_KEYS);
    const [embedder, owned] = resolveEmbedder(this._engine, o.embedder, 'local');
    try {
      const handle = await native.cache_open(this._engine._ctx, embedder && embedder._handle, o);
      return new Cache(this._engine, handle, embedder, owned ? embedder : null);
    } catch (err) {
      if (owned) embedder.close();
      throw err;
    }
  }

  /**
   * The default options of a cache (vg_cache_options_init): 0 means the library's default.
   * @returns {CacheOptions}
   */
  static defaultOptions() { return native.cache_options_init(); }

  /** @see CacheAPI.defaultOptions */
  defaultOptions() { return CacheAPI.defaultOptions(); }

  /**
   * The prompt as the cache compares it (NFKC, case fold, white space collapsed).
   * Throws PromptEmpty, PromptTooLong, InvalidArgument (not UTF-8).
   * @param {string} prompt
   * @returns {string}
   */
  static normalize(prompt) { return native.prompt_normalize(prompt); }

  /** @see CacheAPI.normalize */
  normalize(prompt) { return CacheAPI.normalize(prompt); }

  /**
   * The offline `local` embedder (hashed character n-grams).
   * @param {number|{dimension?: number}} [opts] dimension 1..4096 (0 or absent: 768)
   * @returns {Embedder}
   */
  localEmbedder(opts) {
    const dimension = typeof opts === 'number' ? opts : options(opts).dimension;
    return new Embedder(this._engine, native.embedder_local(this._engine._ctx, dimension));
  }

  /**
   * Gemini's embedder; makes no request yet. Throws NoApiKey without a key.
   * @param {{apiKey?: string, model?: string, dimension?: number}} [opts] apiKey: the
   *   engine's (config, else $GEMINI_API_KEY); model: 'gemini-embedding-001';
   *   dimension 1..3072 (0: 768)
   * @returns {Embedder}
   */
  geminiEmbedder(opts) {
    const { apiKey, model, dimension } = options(opts);
    return new Embedder(this._engine,
                        native.embedder_gemini(this._engine._ctx, apiKey, model, dimension));
  }

  /**
   * The engine's embedder: Gemini when it serves the engine, else local (768).
   * @returns {Embedder}
   */
  defaultEmbedder() {
    return new Embedder(this._engine, native.embedder_default(this._engine._ctx));
  }

  /**
   * Remembers a moderation verdict for a prompt (normalised first).
   * @param {string} prompt
   * @param {string} reason its code ('adult', ...; 1..31 bytes of ASCII)
   * @param {{ttlS?: number}} [opts] ttlS: 0 or absent = 7 days
   * @returns {Promise<void>}
   */
  async blockPut(prompt, reason, opts) {
    return native.block_put(this._engine._ctx, prompt, reason, options(opts).ttlS);
  }

  /**
   * The live verdict's reason for a prompt, or null when it is not blocked.
   * @param {string} prompt
   * @returns {Promise<string|null>}
   */
  async blockGet(prompt) {
    return native.block_get(this._engine._ctx, prompt);
  }
}

module.exports = { CacheAPI, Cache, Embedder, Flight, CACHE_KEYS, resolveEmbedder };
