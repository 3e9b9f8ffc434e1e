// SPDX-License-Identifier: MIT
// engine.jobs, engine.generator(), workers and engine.gallery (include/vidgo/generate.h).

import { EventEmitter } from 'node:events';
import type { CacheOptions } from './cache';
import type { Engine, Lang } from './engine';
import type { TaskKind } from './providers';

/** Where a job stands; 'succeeded', 'failed' and 'cancelled' are final. */
export type JobState = 'queued' | 'submitted' | 'polling' | 'succeeded' | 'failed' | 'cancelled';

/** The job states in order, from the library: ['queued', 'submitted', ..., 'cancelled']. */
export declare const JOB_STATES: readonly JobState[];

/** A generation job as stored. */
export interface Job {
  id: number;
  userId: number;
  /** 'video_720p', 'image_1024', 'style_effects', ... */
  service: string;
  kind: TaskKind;
  state: JobState;
  /** The state is final ('succeeded', 'failed' or 'cancelled'). */
  final: boolean;
  /** Served before others (Pro, Pro+). */
  priority: boolean;
  /** 0..100; -1 when the provider gives none. */
  percent: number;
  /** As the user wrote it. */
  prompt: string;
  /** What the generator was given. */
  enhancedPrompt: string;
  lang: Lang | string;
  resolution: number;
  durationS: number;
  fps: number;
  style: string;
  /** Effects: the job whose result they apply to (0: none). */
  inputJobId: number;
  /** The user allows it in the gallery. */
  isPublic: boolean;
  /** Credits held, then charged on success. */
  price: number;
  /** A demo free use pays for it. */
  freeUse: boolean;
  /** The price was captured (a delivered result). A job is saved final just before its
   * hold is settled: a 'succeeded' job read at that moment still says false. */
  charged: boolean;
  /** The host must show the result with the VidGo watermark. */
  watermark: boolean;
  /** Served from the similarity cache. */
  cacheHit: boolean;
  /** Of the cache hit. */
  similarity: number;
  /** A near-duplicate job it waits for (0: none). */
  leaderId: number;
  /** Internal: never show it to users. */
  provider: string;
  /** The fallback provider made it. */
  fallback: boolean;
  /** Provider submissions. */
  attempts: number;
  /** 'video', 'image' */
  mediaType: string;
  resultUrl: string;
  thumbnailUrl: string;
  width: number;
  height: number;
  resultDurationS: number;
  /** An offline placeholder of the `local` provider. */
  placeholder: boolean;
  /** What the provider charged us; 0 for a cache hit. */
  apiCostMicroUsd: number;
  /** Why it failed: a status number (0: it did not). */
  error: number;
  /** The status name of `error` ('VG_EMODERATION_BLOCKED'), null when none. */
  errorKey: string | null;
  /** For the user, in their language; '' when none. */
  message: string;
  /** For support: why it failed (never a secret). */
  detail: string;
  createdAt: Date | null;
  updatedAt: Date | null;
  finishedAt: Date | null;
}

/** submit()'s options. */
export interface SubmitOptions {
  /** Required: the idempotency key; the same key returns the same job. */
  key: string;
  /** The language of messages (default: the user's). */
  lang?: Lang;
  /** Video: 0 = the service's default. */
  durationS?: number;
  /** Video: 0 = 30. */
  fps?: number;
  /** Effects: the style id (default: the default style). */
  style?: string;
  /** Image-to-video: the product photo (PNG, JPEG or WebP, at most 10 MiB). */
  image?: Buffer | Uint8Array;
  imageMime?: string;
  /** Effects: a succeeded job of the same user. */
  inputJobId?: number;
  /** May be promoted into the gallery. */
  public?: boolean;
}

/** engine.generator()'s options (vg_generator_options); 0 or absent means the default. */
export interface GeneratorOptions {
  /** Called on the main thread after every change of a job made through the generator. */
  onEvent?: (job: Job) => void;
  /** Enhance prompts (default true). */
  enhance?: boolean;
  /** A provider job still running after this fails (0: 1800). */
  jobTimeoutS?: number;
  /** A worker's claim on a job (0: 300). */
  leaseS?: number;
  /** Waiting longer than this counts as priority (0: 120). */
  agingS?: number;
  /** Provider submissions before the fallback (0: 3). */
  maxAttempts?: number;
  /** The longest wait between two polls (0: 10000). */
  maxPollMs?: number;
  /** The similarity cache's options; an embedder named by a string ('local', 'gemini')
   * belongs to the generator ('default' or absent: the engine's default embedder). */
  cache?: CacheOptions;
}

/**
 * A worker: step() by hand, or start() a thread of its own that runs steps until stop().
 * Closing the worker, its generator or its engine stops it. A running worker keeps the
 * process alive, like a listening server.
 */
export declare class Worker {
  private constructor();
  readonly generator: Generator;
  readonly running: boolean;
  readonly closed: boolean;
  /** One step of the most urgent due job; resolves to whether there was one. */
  step(): Promise<boolean>;
  /** Starts the run (idleMs: the longest sleep while no job is due, 200 by default). */
  start(options?: { idleMs?: number }): this;
  /** Runs until stop() or, with stopWhenIdle, until no job is due or in progress. */
  run(options?: { idleMs?: number; stopWhenIdle?: boolean }): Promise<void>;
  /** Returns after the current step; rejects with the store error that ended the run. */
  stop(): Promise<void>;
  /** Stops and frees the worker; resolves when its thread has ended. */
  close(): Promise<void>;
}

/**
 * A generator: the similarity cache and settings of the pipeline. Emits 'job' (job) after
 * every change of a job made through it, on the main thread, in order.
 */
export declare class Generator extends EventEmitter {
  protected constructor();
  /** The engine it belongs to (a generator keeps its engine alive). */
  readonly engine: Engine;
  readonly closed: boolean;
  /** Stops its workers and closes it; resolves when their threads ended. */
  close(): Promise<void>;
  /** Resolves at once: 'succeeded' (cache hit), 'failed' (blocked, paid only) or 'queued'.
   * Refusals reject (PlanTooLow, InsufficientCredits, ...). */
  submit(userId: number, service: string, prompt: string | null | undefined,
         options: SubmitOptions): Promise<Job>;
  get(jobId: number): Promise<Job>;
  listPage(userId?: number,
           options?: { activeOnly?: boolean; beforeId?: number; limit?: number }): Promise<Job[]>;
  list(userId?: number, options?: { activeOnly?: boolean; pageSize?: number }): AsyncGenerator<Job>;
  /** userId must own the job (0: any). Rejects with JobStateError when it is final. */
  cancel(jobId: number, userId?: number): Promise<Job>;
  /** Resolves when final; rejects with Timeout (err.job: the job as last read) after
   * timeoutMs (default: a day), or with the signal's reason when it aborts. */
  wait(jobId: number, options?: { timeoutMs?: number; signal?: AbortSignal }): Promise<Job>;
  /** Throws the job's failure as its VidgoError (err.job); returns the job otherwise. */
  throwIfFailed(job: Job): Job;
  worker(name?: string): Promise<Worker>;
  startWorker(options?: { name?: string; idleMs?: number }): Promise<Worker>;
  runUntilIdle(options?: { idleMs?: number }): Promise<void>;
  static stateName(state: number): JobState | null;

  on(event: 'job', listener: (job: Job) => void): this;
  once(event: 'job', listener: (job: Job) => void): this;
  off(event: 'job', listener: (job: Job) => void): this;
}

/** engine.jobs: the engine's default generator, opened on first use, closed with it. */
export declare class Jobs extends Generator {
  /** Waits for its workers only: the default generator closes with the engine. */
  close(): Promise<void>;
}

/** One topic of the gallery with its example count in a language. */
export interface Topic {
  /** 'cosmetics', 'food', 'electronics', ... */
  topic: string;
  /** In the language asked for. */
  title: string;
  count: number;
}

/** One example of the inspiration gallery. */
export interface Example {
  id: number;
  topic: string;
  lang: Lang | string;
  title: string;
  prompt: string;
  /** The service to use it with. */
  service: string;
  mediaType: string;
  /** '' for a seeded example without a result. */
  resultUrl: string;
  thumbnailUrl: string;
  /** Promoted from (0: seeded). */
  jobId: number;
  createdAt: Date | null;
}

/** engine.gallery */
export declare class Gallery {
  private constructor();
  topics(lang?: Lang): Promise<Topic[]>;
  /** count 1..100 (6); seed 0: a fresh random order, another: the same order each time. */
  examples(topic?: string | null,
           options?: { lang?: Lang; count?: number; seed?: number }): Promise<Example[]>;
  /** A succeeded, public job's result under a topic; resolves to the example's id. */
  promote(job: number | Pick<Job, 'id'>, topic: string, title?: string): Promise<number>;
  remove(exampleId: number): Promise<void>;
}
