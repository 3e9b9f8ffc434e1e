// SPDX-License-Identifier: MIT
// engine.providers: configuration and checks, moderation, prompt enhancement, embeddings,
// provider tasks (submit, poll, cancel, reconcile) and Pollo webhooks
// (include/vidgo/providers.h; docs/providers.md).
//
// Calls that may reach a provider (HTTP) are async and run on libuv's thread pool; names,
// the capability table, configuration (info, pick) and webhook signatures are sync.
'use strict';

const { options } = require('./args');
const { errorOf } = require('./errors');
const native = require('./native');

/** Every provider's name, in vg_provider_id order ('local', 'gemini', ...). */
function providerNames() {
  const names = [];
  for (let i = 0; ; i++) {
    const name = native.provider_name(i);
    if (name === null) return names;
    names.push(name);
  }
}

/** The capability table: which provider serves which task kind (rank 0 primary, 1 fallback,
 *  2 named use only). */
function capabilities() {
  return native.provider_capabilities();
}

const FINAL = new Set(['succeeded', 'failed', 'cancelled']);

class Providers {
  /** @param {import('./engine').Engine} engine */
  constructor(engine) {
    this._engine = engine;
  }

  /** Every provider's name ('local', 'gemini', 'leonardo', 'runway', 'goenhance', 'pollo'). */
  names() { return providerNames(); }

  /** The capability table (static data). */
  capabilities() { return capabilities(); }

  /**
   * How a provider is configured in this engine, without a network call; the key shows
   * masked only ('AIza…4f2c'). Throws InvalidArgument for an unknown provider.
   * @param {string} name
   * @returns {ProviderInfo}
   */
  info(name) { return native.provider_info_get(this._engine._ctx, name); }

  /** info() of every provider. */
  list() { return providerNames().map((name) => this.info(name)); }

  /**
   * info() plus one cheap authenticated request: `checked`, `reachable`, `latencyMs`,
   * `status` (a vg_status; `statusName` 'VG_OK', 'VG_EPROVIDER_AUTH', ...) and `detail`.
   * Resolves whether or not the provider answered.
   * @param {string} name
   * @returns {Promise<ProviderInfo>}
   */
  async check(name) { return native.provider_check(this._engine._ctx, name); }

  /**
   * The provider that serves a task kind for this engine (rank 0: primary, 1: fallback),
   * following the capability table and the provider mode; null when none serves at that rank.
   * @param {TaskKind} kind
   * @param {number} [rank]
   * @returns {string|null}
   */
  pick(kind, rank = 0) { return native.provider_pick(this._engine._ctx, kind, rank); }

  /**
   * May this prompt (and product image) be generated? Gemini when it serves the engine,
   * else the local word lists. `blocked` says; the message is in `lang` (default: the
   * engine's). Rejects with PromptEmpty, InvalidArgument (bad UTF-8), NoApiKey, ...
   * @param {string} prompt
   * @param {{image?: Buffer|Uint8Array, imageMime?: string, lang?: string}} [opts]
   * @returns {Promise<Moderation>}
   */
  async moderate(prompt, opts) {
    const { image, imageMime, lang } = options(opts);
    return native.moderate(this._engine._ctx, prompt, image, imageMime, lang);
  }

  /**
   * The user-facing message of a moderation reason ('adult', 'violence', ...) in a
   * language (default: the engine's), or null for an unknown reason.
   * @param {string} reason
   * @param {string} [lang]
   * @returns {string|null}
   */
  moderationMessage(reason, lang) {
    return native.moderation_message(this._engine._ctx, reason, lang);
  }

  /**
   * An English product-ad prompt that keeps the user's intent (Gemini, else the local
   * template). `lang` is the prompt's language, when known.
   * @param {string} prompt
   * @param {string} [lang]
   * @returns {Promise<{prompt: string, provider: string}>}
   */
  async enhance(prompt, lang) {
    return native.prompt_enhance(this._engine._ctx, prompt, lang);
  }

  /** The engine's embedder (Gemini when it serves, else local); close it when done. */
  embedder() { return this._engine.cache.defaultEmbedder(); }

  /**
   * Embeds prompts with an embedder (default: the engine's, made for the call and closed
   * afterwards): one unit vector each.
   * @param {string|string[]} prompts
   * @param {import('./cache').Embedder} [embedder]
   * @returns {Promise<Float32Array[]>} a Float32Array of `dimension` floats per prompt
   */
  async embed(prompts, embedder) {
    if (embedder) return embedder.embed(prompts);
    const own = this.embedder();
    try {
      return await own.embed(prompts);
    } finally {
      own.close();
    }
  }

  /**
   * Submits a task to a provider ('local' offline); resolves to the provider job (PENDING
   * or later, with the provider's job id). A request that may have reached the provider is
   * never resent: OutcomeUnknown (then call reconcile).
   * @param {string} provider
   * @param {ProviderTask} task
   * @returns {Promise<ProviderJob>}
   */
  async submit(provider, task) {
    return native.provider_submit(this._engine._ctx, provider, task);
  }

  /**
   * Asks the provider how a job stands (a failed or cancelled job is an answer, not an
   * error). Only `provider`, `jobId` and `kind` are needed, so a job kept in a store can be
   * polled again from another process.
   * @param {ProviderJob|{provider: string, jobId: string, kind: TaskKind}} job
   * @returns {Promise<ProviderJob>}
   */
  async poll(job) { return native.provider_poll(this._engine._ctx, job); }

  /**
   * Polls until the job is final, waiting the provider's advice (`pollAfterMs`) between
   * polls. Resolves to the final job; rejects with Timeout after `timeoutMs` (default:
   * none) or with the signal's reason when aborted.
   * @param {ProviderJob} job
   * @param {{timeoutMs?: number, signal?: AbortSignal}} [opts]
   * @returns {Promise<ProviderJob>}
   */
  async wait(job, opts) {
    const { timeoutMs, signal } = options(opts);
    const deadline = timeoutMs === undefined ? Infinity : Date.now() + timeoutMs;
    while (!FINAL.has(job.state)) {
      signal?.throwIfAborted();
      const pause = Math.min(Math.max(job.pollAfterMs || 0, 10), 5000);
      if (Date.now() + pause > deadline) {
        const err = errorOf('VG_ETIMEOUT', 'the provider job did not finish in time',
          this._engine.lang);
        err.job = job;
        throw err;
      }
      await new Promise((resolve) => setTimeout(resolve, pause));
      job = await this.poll(job);
    }
    return job;
  }

  /**
   * Asks the provider to cancel a job (already final: fine). Rejects with Unsupported when
   * the provider cannot cancel.
   * @param {string} provider
   * @param {string} jobId
   * @returns {Promise<void>}
   */
  async cancel(provider, jobId) {
    return native.provider_cancel(this._engine._ctx, provider, jobId);
  }

  /**
   * After OutcomeUnknown: the job that submit may have created (same kind and prompt,
   * created at or after `since`), or null when the provider certainly has none (submitting
   * again is safe). Rejects with Unsupported when the provider's API cannot tell (then fail
   * the job without charging the user).
   * @param {string} provider
   * @param {ProviderTask} task
   * @param {Date|number} since
   * @returns {Promise<ProviderJob|null>}
   */
  async reconcile(provider, task, since) {
    return native.provider_reconcile(this._engine._ctx, provider, task, since);
  }

  /**
   * Verifies a Pollo webhook (its raw body and the webhook-id, webhook-timestamp and
   * webhook-signature headers) and returns the job it reports. Throws SignatureError,
   * ReplayError (stale), InvalidArgument, ConfigError (no secret). `kind`
   * 'image_to_video' keeps that kind (else text-to-video).
   * @param {string} webhookId
   * @param {string} timestamp
   * @param {string} signature
   * @param {Buffer|string} body
   * @param {{secret?: string, mode?: 'raw'|'base64', toleranceS?: number,
   *          kind?: TaskKind}} [opts]
   * @returns {ProviderJob}
   */
  polloWebhookVerify(webhookId, timestamp, signature, body, opts) {
    const { secret, mode, toleranceS, kind } = options(opts);
    return native.pollo_webhook_verify(this._engine._ctx, webhookId, timestamp, signature,
                                       body, secret, mode, toleranceS, kind);
  }

  /**
   * An empty job record (percent and apiCostMicro -1), of a given struct version (default
   * the current one; another throws VersionError).
   * @param {number} [version]
   * @returns {ProviderJob}
   */
  emptyJob(version) { return native.provider_job_init(version); }

  /** The id of a provider name, or -1. */
  index(name) { return native.provider_index(name); }

  /** The name of a task kind number, or null. */
  taskKindName(kind) { return native.task_kind_name(kind); }

  /** The number of a task kind name, or -1. */
  taskKindIndex(name) { return native.task_kind_index(name); }

  /** The name of a task state number ('pending', ...), or null. */
  taskStateName(state) { return native.task_state_name(state); }
}

module.exports = { Providers, providerNames, capabilities };
