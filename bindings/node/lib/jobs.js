// SPDX-License-Identifier: MIT
// engine.jobs and engine.gallery: the generation pipeline (include/vidgo/generate.h) —
// submit requests, read, list, cancel and wait for jobs, run workers that drive them
// through the providers — and the inspiration gallery.
//
// Nothing here blocks the event loop. Calls run on libuv's thread pool; a worker started
// with start() runs vg_worker_run on a thread of its own (it would hold a pool thread for
// as long as it runs otherwise), until stop(), close(), or its generator's or engine's
// close(). wait() reads the job in quick calls and sleeps between them on timers (50 ms,
// growing to 250 ms, as vg_job_wait does), waking up at once when a generator of this
// process reports a change of that job, so any number of waits leave the pool free for
// other calls. (vg_job_wait itself, native.job_wait, would hold a pool thread for the whole
// wait; in short slices it would record a VG_ETIMEOUT failure on the engine each time.)
'use strict';

const { EventEmitter } = require('node:events');

const { argError, idOf, nonNegative, options } = require('./args');
const { CACHE_KEYS, resolveEmbedder } = require('./cache');
const native = require('./native');
const errors = require('./errors');

const DAY_MS = 86_400_000;
const FIRST_GAP_MS = 50; // between two reads of a waited-for job, growing by 50 ms ...
const LAST_GAP_MS = 250; // ... up to this (vg_job_wait's own cadence)
const asyncDispose = Symbol.asyncDispose || Symbol.for('nodejs.asyncDispose');

// ---- job events ---------------------------------------------------------------------------

// Per engine: job id -> the functions waiting for a change of that job.
const waiters = new WeakMap();

function waitersOf(engine) {
  let map = waiters.get(engine);
  if (!map) {
    map = new Map();
    waiters.set(engine, map);
  }
  return map;
}

// The function the addon calls with every job event of a generator. It holds the engine's
// waiters and a weak reference to the Generator (set once it exists), never the Generator
// itself: the addon keeps this function until the generator closes, and a strong reference
// would keep an unused Generator from ever being collected (and closed).
function eventBridge(engine, slot) {
  const map = waitersOf(engine);
  return (job) => {
    const set = map.get(job.id);
    if (set) for (const wake of [...set]) wake(job);
    const generator = slot.ref && slot.ref.deref();
    if (generator) generator._event(job);
  };
}

// Resolves with the next event of a job, or null after ms or when the signal aborts.
function nextEvent(engine, jobId, ms, signal) {
  const map = waitersOf(engine);
  return new Promise((resolve) => {
    let set = map.get(jobId);
    if (!set) map.set(jobId, (set = new Set()));
    const done = (job) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', aborted);
      set.delete(done);
      if (set.size === 0 && map.get(jobId) === set) map.delete(jobId);
      resolve(job);
    };
    const aborted = () => done(null);
    const timer = setTimeout(done, ms, null);
    signal?.addEventListener('abort', aborted, { once: true });
    set.add(done);
  });
}

function timeoutError(engine, job) {
  const err = errors.errorOf('VG_ETIMEOUT', `job ${job.id} is still ${job.state}`, engine.lang);
  err.job = job;
  return err;
}

// ---- workers ------------------------------------------------------------------------------

// Workers that are running: a running worker keeps itself, its generator and its engine
// alive (like a listening server) until it stops.
const running = new Set();

/**
 * A worker on a generator: step() by hand, or start() a thread that runs steps until
 * stop(). Closing the worker, its generator or its engine stops it.
 */
class Worker {
  constructor(generator, handle) {
    this._generator = generator;
    this._h = handle;
    this._run = null;
    this._error = null;
  }

  /** True while a run (start() or run()) is going on. */
  get running() { return this._run !== null; }

  /** True once close() was called (or its generator or engine closed). */
  get closed() { return native.handle_closed(this._h); }

  /** The generator it works for. */
  get generator() { return this._generator; }

  /**
   * Does one step of the most urgent due job (submit, poll, finish, settle), if there is
   * one, on the thread pool.
   * @returns {Promise<boolean>} whether there was a due job
   */
  async step() {
    return native.worker_step(this._h);
  }

  _launch(idleMs, stopWhenIdle) {
    if (this._run) {
      throw argError(Error, 'ERR_VIDGO_WORKER_RUNNING', 'the worker is already running');
    }
    const run = native.worker_run(this._h, nonNegative(idleMs, 'idleMs', 0), stopWhenIdle);
    this._error = null;
    running.add(this);
    this._run = run.then(() => {}, (err) => { this._error = err; }).finally(() => {
      running.delete(this);
      this._run = null;
    });
    return this._run;
  }

  _takeError() {
    const err = this._error;
    this._error = null;
    if (err) throw err;
  }

  /**
   * Starts running steps on a thread of its own until stop() (sleeping at most `idleMs`,
   * 200 by default, while no job is due). Returns the worker at once.
   * @param {{idleMs?: number}} [opts]
   * @returns {this}
   */
  start(opts) {
    const { idleMs } = options(opts, ['idleMs']);
    this._launch(idleMs, false);
    return this;
  }

  /**
   * Runs steps on a thread of its own and resolves when the run ends: after stop(), or,
   * with `stopWhenIdle`, as soon as no job is due or in progress. Rejects with the store
   * error that ended it.
   * @param {{idleMs?: number, stopWhenIdle?: boolean}} [opts]
   * @returns {Promise<void>}
   */
  async run(opts) {
    const { idleMs, stopWhenIdle = false } = options(opts, ['idleMs', 'stopWhenIdle']);
    await this._launch(idleMs, stopWhenIdle);
    this._takeError();
  }

  /**
   * Asks a running worker to return after its current step and resolves when it has.
   * Rejects with the store error that ended the run, if one did.
   * @returns {Promise<void>}
   */
  async stop() {
    if (this._run && !this.closed) native.worker_stop(this._h);
    if (this._run) await this._run;
    this._takeError();
  }

  /**
   * Stops the worker (if running) and frees it; resolves when its thread has ended.
   * @returns {Promise<void>}
   */
  async close() {
    native.handle_close(this._h);
    if (this._run) await this._run;
    this._error = null;
  }

  async [asyncDispose]() { await this.close(); }

  get [Symbol.toStringTag]() { return 'vidgo.Worker'; }
}

// ---- generators ---------------------------------------------------------------------------

const SUBMIT_KEYS = ['key', 'lang', 'durationS', 'fps', 'style', 'image', 'imageMime',
  'inputJobId', 'public'];
const GENERATOR_KEYS = ['onEvent', 'enhance', 'jobTimeoutS', 'leaseS', 'agingS', 'maxAttempts',
  'maxPollMs', 'cache'];

/**
 * A generator: the similarity cache and settings the pipeline works with. engine.jobs is
 * the engine's default one; engine.generator(options) opens one with its own options.
 *
 * It is an EventEmitter: 'job' (job) is emitted after every change of a job made through
 * it (submit, a worker's step, cancel), on the main thread, in the order they happened.
 */
class Generator extends EventEmitter {
  constructor(engine, handle, onEvent, embedder, ownsEmbedder) {
    super();
    this._engine = engine;
    this._h = handle;
    this._onEvent = onEvent;
    this._embedder = embedder; // the parent of its handle: kept alive with it
    this._ownsEmbedder = ownsEmbedder;
  }

  /** The engine it belongs to (a generator keeps its engine alive). */
  get engine() { return this._engine; }

  // The native handle (the default generator opens it on first use).
  async _handle() { return this._h; }

  _event(job) {
    if (this._onEvent) this._onEvent(job);
    this.emit('job', job);
  }

  /** True once closed (or its engine closed). */
  get closed() { return this._h ? native.handle_closed(this._h) : this._engine.closed; }

  /**
   * Stops this generator's workers and closes it; resolves when their threads ended.
   * @returns {Promise<void>}
   */
  async close() {
    if (this._h) native.handle_close(this._h);
    if (this._ownsEmbedder) this._embedder.close(); // freed after the generator
    await Promise.all([...running].filter((w) => w._generator === this).map((w) => w._run));
  }

  async [asyncDispose]() { await this.close(); }

  // ---- requests ---------------------------------------------------------------------------

  /**
   * Submits a request and resolves to its job at once: 'succeeded' (a cache hit, charged),
   * 'failed' (moderation, a demo user's video not in the cache: read `errorKey`, `message`),
   * or 'queued' for a worker. Refusals reject (PlanTooLow, InsufficientCredits,
   * DemoUsedUp, ...) and record nothing. `key` is the idempotency key: the same key with the
   * same request resolves to the same job, with another request rejects with
   * IdempotencyConflict.
   * @param {number} userId
   * @param {string} service 'video_720p', 'image_1024', 'style_effects', ...
   * @param {string|null} [prompt] in any of the five languages (effects: may be null)
   * @param {import('../types/jobs').SubmitOptions} opts
   * @returns {Promise<import('../types/jobs').Job>}
   */
  async submit(userId, service, prompt, opts) {
    const o = options(opts, SUBMIT_KEYS);
    return native.generate_submit(await this._handle(), userId, service, prompt, o);
  }

  // ---- jobs ---------------------------------------------------------------------------------

  /**
   * Reads a job; rejects with NotFound.
   * @param {number} jobId
   * @returns {Promise<import('../types/jobs').Job>}
   */
  async get(jobId) {
    return native.job_get(this._engine._ctx, jobId);
  }

  /**
   * One page of jobs, newest first: of one user (0: everyone's), only unfinished ones with
   * `activeOnly`, with ids below `beforeId` (0: from the newest), at most `limit` (1..1000).
   * @param {number} [userId=0]
   * @param {{activeOnly?: boolean, beforeId?: number, limit?: number}} [opts]
   * @returns {Promise<import('../types/jobs').Job[]>}
   */
  async listPage(userId = 0, opts) {
    const { activeOnly = false, beforeId = 0, limit = 100 } =
      options(opts, ['activeOnly', 'beforeId', 'limit']);
    return native.jobs_list(this._engine._ctx, userId, activeOnly, beforeId, limit);
  }

  /**
   * Every job (of one user; 0: everyone's), newest first, read page by page:
   * `for await (const job of engine.jobs.list(userId)) ...`.
   * @param {number} [userId=0]
   * @param {{activeOnly?: boolean, pageSize?: number}} [opts]
   * @returns {AsyncGenerator<import('../types/jobs').Job>}
   */
  async *list(userId = 0, opts) {
    const { activeOnly = false, pageSize = 100 } = options(opts, ['activeOnly', 'pageSize']);
    let beforeId = 0;
    for (;;) {
      const page = await this.listPage(userId, { activeOnly, beforeId, limit: pageSize });
      yield* page;
      if (page.length < pageSize) return;
      beforeId = page[page.length - 1].id;
    }
  }

  /**
   * Cancels an unfinished job: it becomes 'cancelled' and its hold is released. `userId`
   * must own it (0: any, for administrators). Rejects with JobStateError when it is final
   * already, NotFound when there is no such job of that user.
   * @param {number} jobId
   * @param {number} [userId=0]
   * @returns {Promise<import('../types/jobs').Job>}
   */
  async cancel(jobId, userId = 0) {
    return native.job_cancel(await this._handle(), jobId, userId);
  }

  /**
   * Waits until a job is final and resolves to it (a worker must run somewhere). Rejects
   * with Timeout after `timeoutMs` (a day by default), the job as last read in `err.job`,
   * or with the signal's reason as soon as it aborts.
   * @param {number} jobId
   * @param {{timeoutMs?: number, signal?: AbortSignal}} [opts]
   * @returns {Promise<import('../types/jobs').Job>}
   */
  async wait(jobId, opts) {
    const o = options(opts, ['timeoutMs', 'signal']);
    const timeoutMs = nonNegative(o.timeoutMs, 'timeoutMs', DAY_MS);
    const signal = o.signal;
    if (signal !== undefined && !(signal instanceof AbortSignal)) {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "signal" option must be an AbortSignal');
    }
    const deadline = Date.now() + timeoutMs;
    let gap = FIRST_GAP_MS;
    for (;;) {
      signal?.throwIfAborted();
      const job = await native.job_get(this._engine._ctx, jobId);
      if (job.final) return job;
      const left = deadline - Date.now();
      if (left <= 0) throw timeoutError(this._engine, job);
      signal?.throwIfAborted();
      if (!await nextEvent(this._engine, job.id, Math.min(gap, left), signal)) {
        gap = Math.min(gap + FIRST_GAP_MS, LAST_GAP_MS);
      }
    }
  }

  /**
   * Throws a job's failure as its VidgoError (ModerationBlocked, PaidOnly, JobCancelled,
   * ...) with `message` (in the user's language) as `userMessage` and the job in `err.job`;
   * returns the job when it has none.
   * @param {import('../types/jobs').Job} job
   * @returns {import('../types/jobs').Job}
   */
  throwIfFailed(job) {
    if (!job || typeof job !== 'object') {
      throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "job" argument must be a job');
    }
    if (!job.error) return job;
    const lang = job.lang || this._engine.lang;
    const err = errors.makeError(job.error, job.detail || job.message, 0, lang);
    if (job.message) err.userMessage = job.message;
    err.job = job;
    throw err;
  }

  // ---- workers ------------------------------------------------------------------------------

  /**
   * A new worker on this generator (not started); `name` (default "<host>:<pid>:<n>")
   * identifies its leases.
   * @param {string} [name]
   * @returns {Promise<Worker>}
   */
  async worker(name) {
    return new Worker(this, native.worker_new(await this._handle(), name));
  }

  /**
   * A new worker running on a thread of its own until stopped (or this generator closes).
   * @param {{name?: string, idleMs?: number}} [opts]
   * @returns {Promise<Worker>}
   */
  async startWorker(opts) {
    const { name, idleMs } = options(opts, ['name', 'idleMs']);
    const worker = await this.worker(name);
    try {
      return worker.start({ idleMs });
    } catch (err) {
      await worker.close();
      throw err;
    }
  }

  /**
   * Runs a worker (on a thread of its own) until no job is due or in progress.
   * @param {{idleMs?: number}} [opts]
   * @returns {Promise<void>}
   */
  async runUntilIdle(opts) {
    const { idleMs } = options(opts, ['idleMs']);
    const worker = await this.worker();
    try {
      await worker.run({ idleMs, stopWhenIdle: true });
    } finally {
      await worker.close();
    }
  }

  /**
   * The name of a job state's number: 2 -> 'polling'; null for an unknown one.
   * @param {number} state
   * @returns {string|null}
   */
  static stateName(state) {
    return native.job_state_name(state);
  }

  get [Symbol.toStringTag]() { return 'vidgo.Generator'; }
}

// Opens the native generator; resolves to [handle, embedder, owned]. The cache's embedder
// is resolved as engine.cache.open does, but absent it is the engine's default one, which
// the C generator makes itself.
async function openHandle(engine, opts, onEvent, slot) {
  const { cache, ...rest } = opts;
  const nativeOptions = { ...rest };
  let embedder = null;
  let owned = false;
  if (onEvent !== undefined && typeof onEvent !== 'function') {
    throw argError(TypeError, 'ERR_INVALID_ARG_TYPE', 'The "onEvent" option must be a function');
  }
  if (cache !== undefined && cache !== null) {
    const c = options(cache, CACHE_KEYS, 'cache');
    [embedder, owned] = resolveEmbedder(engine, c.embedder, 'default');
    nativeOptions.cache = { ...c, embedder: embedder ? embedder._handle : undefined };
  }
  try {
    const handle = await native.generator_open(engine._ctx, nativeOptions,
      eventBridge(engine, slot));
    return [handle, embedder, owned];
  } catch (err) {
    if (owned) embedder.close();
    throw err;
  }
}

/**
 * Opens a generator with its own options (engine.generator(options) calls this).
 * @param {import('./engine').Engine} engine
 * @param {import('../types/jobs').GeneratorOptions} [opts]
 * @returns {Promise<Generator>}
 */
async function openGenerator(engine, opts) {
  const { onEvent, ...rest } = options(opts, GENERATOR_KEYS);
  const slot = {};
  const [handle, embedder, owned] = await openHandle(engine, rest, onEvent, slot);
  const generator = new Generator(engine, handle, onEvent, embedder, owned);
  slot.ref = new WeakRef(generator);
  return generator;
}

/**
 * engine.jobs: the engine's default generator, opened on first use, closed with the
 * engine. Use engine.generator(options) for one with other options.
 */
class Jobs extends Generator {
  constructor(engine) {
    super(engine, null);
    this._opening = null;
  }

  async _handle() {
    if (this._h) return this._h;
    if (!this._opening) {
      const slot = { ref: new WeakRef(this) };
      this._opening = openHandle(this._engine, {}, undefined, slot).then(([handle]) => {
        this._h = handle;
        return handle;
      }, (err) => {
        this._opening = null;
        throw err;
      });
    }
    return this._opening;
  }

  /** The default generator closes with its engine: this only waits for its workers. */
  async close() {
    await Promise.all([...running].filter((w) => w._generator === this).map((w) => w._run));
  }
}

// ---- the gallery ----------------------------------------------------------------------------

/** engine.gallery: topics, random examples, promoting a public job's result, removing one. */
class Gallery {
  constructor(engine) {
    this._engine = engine;
  }

  /**
   * The topics by name, with their example count in `lang` (default: the engine's).
   * @param {string} [lang]
   * @returns {Promise<import('../types/jobs').Topic[]>}
   */
  async topics(lang) {
    return native.gallery_topics(this._engine._ctx, lang);
  }

  /**
   * Up to `count` (1..100, 6 by default) examples of a topic (undefined: any) in a language
   * (default: the engine's), picked at random: `seed` 0 a fresh order each time, another
   * seed the same order each time.
   * @param {string} [topic]
   * @param {{lang?: string, count?: number, seed?: number}} [opts]
   * @returns {Promise<import('../types/jobs').Example[]>}
   */
  async examples(topic, opts) {
    const { lang, count = 6, seed = 0 } = options(opts, ['lang', 'count', 'seed']);
    return native.gallery_examples(this._engine._ctx, topic, lang, count, seed);
  }

  /**
   * Adds a succeeded, public job's result to the gallery under a topic, with a title
   * (default: the start of its prompt). Rejects with JobStateError (not succeeded, or not
   * public), NotFound.
   * @param {number|{id: number}} job a job or its id
   * @param {string} topic
   * @param {string} [title]
   * @returns {Promise<number>} the example's id
   */
  async promote(job, topic, title) {
    return native.gallery_promote(this._engine._ctx, idOf(job), topic, title);
  }

  /**
   * Removes an example; rejects with NotFound.
   * @param {number} exampleId
   * @returns {Promise<void>}
   */
  async remove(exampleId) {
    return native.gallery_remove(this._engine._ctx, exampleId);
  }
}

function jobStates() {
  const names = [];
  for (let name; (name = native.job_state_name(names.length)) !== null;) names.push(name);
  return Object.freeze(names);
}

/** The job states in order ('queued', 'submitted', ..., 'cancelled'), from the library. */
const JOB_STATES = jobStates();

module.exports = { Jobs, Generator, Worker, Gallery, openGenerator, JOB_STATES };
