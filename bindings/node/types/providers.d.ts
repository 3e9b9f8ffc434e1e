// SPDX-License-Identifier: MIT
// engine.providers (include/vidgo/providers.h; docs/providers.md).

import type { Embedder } from './cache';
import type { Lang, ProviderName } from './engine';

/** What a provider is asked to make. A number (vg_task_kind) is accepted as input too. */
export type TaskKind =
  | 'text_to_image' | 'text_to_video' | 'image_to_video' | 'style_transfer'
  | 'hd_enhance' | 'video_enhance' | 'video_upscale';

/** Where a provider job stands; 'succeeded', 'failed' and 'cancelled' are final. */
export type TaskState = 'pending' | 'running' | 'succeeded' | 'failed' | 'cancelled';

/** How a Pollo webhook secret becomes the HMAC key. */
export type WebhookKeyMode = 'raw' | 'base64';

/** A moderation reason code ('' when allowed). */
export type ModerationReason =
  | 'adult' | 'violence' | 'illegal_goods' | 'hate' | 'self_harm' | 'minors' | 'other' | '';

/** What a provider is asked to make (vg_provider_task). Absent fields: the provider's
 *  defaults. */
export interface ProviderTask {
  kind: TaskKind | number;
  /** UTF-8, at most 2000 bytes (English after enhancing). */
  prompt?: string;
  negativePrompt?: string;
  /** The provider's model; absent: its default for the kind. */
  model?: string;
  /** Style transfer: the provider's style id. */
  style?: string;
  /** Video: output lines (720, 1080); image: square side (512, 1024). */
  resolution?: number;
  /** Images only; 0 or absent: from resolution. */
  width?: number;
  height?: number;
  /** Video length; 0 or absent: the provider's default. */
  durationS?: number;
  /** 0 or absent: the provider picks. */
  seed?: number;
  /** The input of image-to-video and the effects: an https:// URL (a file path for local). */
  inputUrl?: string;
  /** Or the bytes of a product photo, uploaded first. */
  inputImage?: Buffer | Uint8Array;
  /** 'image/png', 'image/jpeg', 'image/webp'. */
  inputImageMime?: string;
  /** Upscale: the provider job whose result is upscaled. */
  inputJobId?: string;
  /** Where the provider may call back (Pollo). */
  webhookUrl?: string;
}

/** A provider job as last seen. Keep provider, jobId and kind to poll it again, even from
 *  another process. */
export interface ProviderJob {
  /** The provider actually used. */
  provider: ProviderName | string;
  /** The provider's id of the job. */
  jobId: string;
  kind: TaskKind;
  state: TaskState;
  /** 0..100; -1 when the provider gives none. */
  percent: number;
  /** The provider's advice: poll again after this. */
  pollAfterMs: number;
  /** Of the result: 'video' or 'image'. */
  mediaType: string;
  /** Succeeded: the asset (a provider's URLs may expire). */
  resultUrl: string;
  /** '' when none. */
  thumbnailUrl: string;
  /** The model that made it, when known. */
  model: string;
  /** Of the result; 0 when unknown. */
  width: number;
  height: number;
  durationS: number;
  /** What the provider charged, in millionths of apiCostUnit; -1 when it does not say. */
  apiCostMicro: number;
  /** 'USD', or 'CREDITS' for a provider's own credits. */
  apiCostUnit: string;
  /** Failed: the provider's code, e.g. 'SAFETY.INPUT.TEXT'. */
  failureCode: string;
  /** Failed: the provider's reason (never a key). */
  failure: string;
  /** An offline placeholder made by `local`. */
  placeholder: boolean;
}

/** What poll() needs of a job. */
export type ProviderJobRef = Pick<ProviderJob, 'provider' | 'jobId'> & {
  kind: TaskKind | number;
} & Partial<Omit<ProviderJob, 'provider' | 'jobId' | 'kind'>>;

/** One row of the capability table: a provider serves a task kind. */
export interface ProviderCapability {
  provider: ProviderName;
  kind: TaskKind;
  /** 0: primary for the kind, 1: fallback, 2: used only when named. */
  rank: number;
  /** The default model ('' when the provider picks). */
  model: string;
  /** The VidGo services it serves ('video_720p', 'style_effects', ...). */
  services: string[];
  /** Highest output lines it makes itself. */
  maxResolution: number;
  /** Longest video; 0 for images. */
  maxDurationS: number;
}

/** How a provider is configured in the engine, and whether it answered a check. */
export interface ProviderInfo {
  name: ProviderName;
  /** A key is configured (always true for local). */
  hasKey: boolean;
  /** 'config', 'GEMINI_API_KEY', ..., or ''. */
  keySource: string;
  /** The first and last four characters ('AIza…4f2c'), '****' for a short key, ''. */
  keyMasked: string;
  /** The API's base URL (local: its asset folder). */
  baseUrl: string;
  /** Used by this engine (the mode and the key allow it). */
  serves: boolean;
  /** The circuit breaker is open now (calls fail at once with CircuitOpen). */
  breakerOpen: boolean;
  /** check() only: it made its request. */
  checked: boolean;
  /** The provider answered an authenticated request. */
  reachable: boolean;
  latencyMs: number;
  /** The check's vg_status (0: VG_OK), and its name. */
  status: number;
  statusName: string;
  /** What the check saw (never the key). */
  detail: string;
}

/** A moderation verdict. */
export interface Moderation {
  /** Must not be generated. */
  blocked: boolean;
  reason: ModerationReason;
  /** For the user, in the requested language; '' when allowed. */
  message: string;
  /** 'gemini' or 'local'. */
  provider: string;
  /** For support: what the provider said (never a key). */
  detail: string;
}

/** An enhanced prompt and the provider that wrote it. */
export interface Enhanced {
  prompt: string;
  provider: string;
}

export interface ModerateOptions {
  /** A product photo to check with the prompt. */
  image?: Buffer | Uint8Array;
  imageMime?: string;
  /** The language of the user message (default: the engine's). */
  lang?: Lang;
}

export interface ProviderWaitOptions {
  /** Rejects with Timeout (err.job: the last state) after this long; default: no limit. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface PolloWebhookOptions {
  /** Default: the engine's polloWebhookSecret, else $POLLO_WEBHOOK_SECRET. */
  secret?: string;
  /** Default 'raw' (the secret's bytes); 'base64': a 'whsec_' prefix dropped, the rest
   *  Base64-decoded. */
  mode?: WebhookKeyMode;
  /** How far the timestamp may be from the engine's clock; 0 or absent: 300 s. */
  toleranceS?: number;
  /** 'image_to_video' keeps that kind; else the job is text-to-video. */
  kind?: TaskKind;
}

/** Every provider's name, in vg_provider_id order (needs no engine). */
export declare function providerNames(): ProviderName[];

/** The capability table: which provider serves which task kind (needs no engine). */
export declare function capabilities(): ProviderCapability[];

/**
 * The providers behind the services: engine.providers. Calls that may reach a provider
 * are async and run off the event loop; the rest is sync.
 */
export declare class Providers {
  private constructor();
  /** Every provider's name, in vg_provider_id order. */
  names(): ProviderName[];
  /** The capability table (static data). */
  capabilities(): ProviderCapability[];
  /** The configuration of a provider, without a network call. Throws InvalidArgument for
   *  an unknown name. */
  info(name: ProviderName): ProviderInfo;
  /** info() of every provider. */
  list(): ProviderInfo[];
  /** info() plus one cheap authenticated request; resolves whether or not it answered. */
  check(name: ProviderName): Promise<ProviderInfo>;
  /** The provider that serves a kind for this engine at a rank (0 primary, 1 fallback),
   *  or null. */
  pick(kind: TaskKind | number, rank?: number): ProviderName | null;
  /** Rejects with PromptEmpty, InvalidArgument, NoApiKey, ProviderError subclasses. */
  moderate(prompt: string, options?: ModerateOptions): Promise<Moderation>;
  /** The message of a reason in a language (default: the engine's), or null. */
  moderationMessage(reason: string, lang?: Lang): string | null;
  /** An English product-ad prompt keeping the intent; `lang`: the prompt's, if known. */
  enhance(prompt: string, lang?: Lang): Promise<Enhanced>;
  /** The engine's embedder (Gemini when it serves, else local); close it when done. */
  embedder(): Embedder;
  /** Embeds prompts (default embedder: the engine's, made and closed for the call). */
  embed(prompts: string | string[], embedder?: Embedder): Promise<Float32Array[]>;
  /**
   * Submits a task; resolves to the provider job. A create that may have reached the
   * provider is never resent: OutcomeUnknown (then reconcile). Rejects with Unsupported,
   * ParameterNotAllowed, InputAssetError, PromptEmpty, NoApiKey, ConfigError,
   * ProviderAuthError, ProviderRateLimited, ProviderUnavailable, NetworkError, CircuitOpen,
   * ProviderTimeout, ProviderResponseError, ProviderRejected, IOFailure.
   */
  submit(provider: ProviderName, task: ProviderTask): Promise<ProviderJob>;
  /** How a job stands now (failed or cancelled is an answer). Rejects with NotFound and the
   *  provider errors. */
  poll(job: ProviderJobRef): Promise<ProviderJob>;
  /** Polls until final, waiting pollAfterMs between polls. */
  wait(job: ProviderJob, options?: ProviderWaitOptions): Promise<ProviderJob>;
  /** Cancels a job (already final: fine); Unsupported when the provider cannot. */
  cancel(provider: ProviderName, jobId: string): Promise<void>;
  /** After OutcomeUnknown: the job submit may have made (same kind and prompt, created at
   *  or after `since`), or null when there is certainly none. Unsupported when the
   *  provider cannot tell. */
  reconcile(provider: ProviderName, task: ProviderTask, since: Date | number): Promise<ProviderJob | null>;
  /** Verifies a Pollo webhook and returns the job it reports. Throws SignatureError,
   *  ReplayError, InvalidArgument, ConfigError. */
  polloWebhookVerify(webhookId: string, timestamp: string, signature: string,
                     body: Buffer | Uint8Array | string, options?: PolloWebhookOptions): ProviderJob;
  /** An empty job (percent and apiCostMicro -1); another version throws VersionError. */
  emptyJob(version?: number): ProviderJob;
  /** The id of a provider name, or -1. */
  index(name: string): number;
  taskKindName(kind: number): TaskKind | null;
  /** -1 when unknown. */
  taskKindIndex(name: string): number;
  taskStateName(state: number): TaskState | null;
}
