// SPDX-License-Identifier: MIT
// engine.cache: the prompt-similarity cache, embedders, single flight and the block cache
// (include/vidgo/cache.h; docs/cache.md has the rules).

/** What must be equal for a cached result to answer a request; a string is a service. */
export interface CacheScope {
  /** 'video_720p', 'image_1024', ... */
  service: string;
  /** The output's short side in pixels (0 or absent: the service's). */
  resolution?: number;
  /** A style or effect name. */
  style?: string | null;
  /** The hex hash of an input image. */
  inputHash?: string | null;
}

export type ScopeLike = CacheScope | string;

/** How a lookup was answered. */
export type CacheMatch = 'miss' | 'exact' | 'semantic';

/** How a large scope is scanned: int8 with a float re-rank ('auto' for large scopes). */
export type CacheQuantize = 'auto' | 'off' | 'on';

/** One cached result. */
export interface CacheEntry {
  id: number;
  /** The scope as a key. */
  scope: string;
  /** Normalised. */
  prompt: string;
  /** The host's reference to the output. */
  result: string;
  /** The embedder: 'local/hashed-ngrams-v1/768'. */
  fingerprint: string;
  ownerId: number;
  /** Served to ownerId alone. */
  ownerOnly: boolean;
  costMicroUsd: number;
  hits: number;
  createdAt: Date;
  /** null: never. */
  expiresAt: Date | null;
  lastHitAt: Date | null;
}

/** The answer of a lookup; a miss is one too (hit false). */
export interface CacheHit {
  match: CacheMatch;
  /** match !== 'miss'. */
  hit: boolean;
  /** Of the best entry, 0..1 (1 for an exact hit); 0: none. */
  similarity: number;
  /** Of the second best; 0: none. */
  runnerUp: number;
  /** The threshold that applied. */
  threshold: number;
  /** The best entry passed the threshold, the second gate said no. */
  gateRejected: boolean;
  /** A semantic hit found in shadow mode and not served. */
  shadow: boolean;
  /** The entry served, else the best candidate; null when there is none. */
  entry: CacheEntry | null;
}

export interface CacheStats {
  /** Counted in the store, over every process. */
  exactHits: number;
  semanticHits: number;
  misses: number;
  gateRejections: number;
  shadowHits: number;
  /** The cost of every hit's entry. */
  savedMicroUsd: number;
  /** Live entries in this process's index. */
  entries: number;
  scopes: number;
  /** Memory of the index per entry. */
  bytesPerEntry: number;
  /** 'avx2', 'portable'. */
  scanPath: string;
}

export interface Comparison {
  /** The cosine of the two embeddings, 0..1. */
  similarity: number;
  /** Whether the second gate lets them match. */
  gateAgrees: boolean;
}

/** A cache's options (vg_cache_options); 0 or absent means the library's default. */
export interface CacheOptions {
  /** An Embedder, or 'local' (default: 768 dimensions), 'gemini', 'default' (the engine's);
   * an embedder named by a string belongs to the cache. */
  embedder?: Embedder | 'local' | 'gemini' | 'default';
  /** Similarity for a hit, 0..1 (0: 0.85). */
  threshold?: number;
  /** Negation, numbers and colours must agree (default true). */
  secondGate?: boolean;
  /** Record would-be semantic hits, serve only exact ones. */
  shadow?: boolean;
  /** Entries kept at most (0: no limit). */
  maxEntries?: number;
  quantize?: CacheQuantize;
  /** Threads a large scan may use (0: the processors). */
  threads?: number;
  /** How long a near-duplicate waits for one in flight (0: 120000). */
  flightWaitMs?: number;
  /** How long a failed generation is remembered (0: 60). */
  negativeTtlS?: number;
}

export interface PutOptions {
  /** What generating it cost (weighs eviction, counts as saved at each hit). */
  costMicroUsd?: number;
  /** Its life in seconds (0 or absent: no expiry). */
  ttlS?: number;
  ownerId?: number;
  /** Serve it to ownerId alone. */
  ownerOnly?: boolean;
}

export interface UserOptions {
  /** 0 or absent: anonymous (shared entries only). */
  userId?: number;
}

/** Turns prompts into unit vectors. Closing it closes the caches that use it first. */
export declare class Embedder {
  private constructor();
  /** 'local', 'gemini'. */
  readonly name: string;
  readonly model: string;
  readonly dimension: number;
  /** Most prompts per call. */
  readonly maxBatch: number;
  readonly closed: boolean;
  /** Embeds prompts (normalised first): one unit vector each. */
  embed(prompts: string | string[]): Promise<Float32Array[]>;
  close(): void;
}

/** Work in progress on a prompt (single flight): end it with done() or fail(). */
export declare class Flight {
  private constructor();
  /** done() or fail() was called, or the cache closed. */
  readonly ended: boolean;
  /** Stores the result (as Cache.put) and wakes who waits; ends the flight regardless. */
  done(result: string, options?: Omit<PutOptions, 'ownerId'>): Promise<void>;
  /** Remembers the failure (negative caching) and wakes who waits. */
  fail(): void;
}

/** An open similarity cache. Rejections: PromptEmpty, PromptTooLong, InvalidArgument,
 * ProviderError (the embedder), NotFound, JobFailed (begin), ClosedError, StoreError. */
export declare class Cache {
  private constructor();
  /** The Embedder it was opened with (null: the built-in local one). */
  readonly embedder: Embedder | null;
  readonly closed: boolean;
  close(): void;
  /** Stores a result; resolves to the entry's id. */
  put(scope: ScopeLike, prompt: string, result: string, options?: PutOptions): Promise<number>;
  lookup(scope: ScopeLike, prompt: string, options?: UserOptions): Promise<CacheHit>;
  compare(a: string, b: string): Promise<Comparison>;
  invalidate(entryId: number): Promise<void>;
  /** Resolves to how many entries were removed. */
  invalidateScope(scope: ScopeLike): Promise<number>;
  /** No scope: the default of every scope; a negative threshold removes a scope's own. */
  setThreshold(threshold: number, options?: { scope?: ScopeLike | null }): Promise<void>;
  entries(options?: { scope?: ScopeLike | null }): Promise<CacheEntry[]>;
  stats(): Promise<CacheStats>;
  /** A hit: { hit, flight: null }; else { hit, flight } to generate and end. */
  begin(scope: ScopeLike, prompt: string,
        options?: UserOptions): Promise<{ hit: CacheHit; flight: Flight | null }>;
}

/** engine.cache. */
export declare class CacheAPI {
  private constructor();
  /** Opens the cache of the store and loads its entries. */
  open(options?: CacheOptions): Promise<Cache>;
  /** vg_cache_options_init's defaults (embedder excluded). */
  defaultOptions(): Required<Omit<CacheOptions, 'embedder'>>;
  static defaultOptions(): Required<Omit<CacheOptions, 'embedder'>>;
  /** NFKC, case fold, white space collapsed and trimmed. */
  normalize(prompt: string): string;
  static normalize(prompt: string): string;
  /** The offline embedder (dimension 1..4096; 0 or absent: 768). */
  localEmbedder(options?: number | { dimension?: number }): Embedder;
  /** Gemini's (makes no request yet); throws NoApiKey without a key. */
  geminiEmbedder(options?: { apiKey?: string; model?: string; dimension?: number }): Embedder;
  /** Gemini when it serves the engine, else local. */
  defaultEmbedder(): Embedder;
  /** Remembers a moderation verdict (ttlS 0 or absent: 7 days). */
  blockPut(prompt: string, reason: string, options?: { ttlS?: number }): Promise<void>;
  /** The live verdict's reason, or null. */
  blockGet(prompt: string): Promise<string | null>;
}
