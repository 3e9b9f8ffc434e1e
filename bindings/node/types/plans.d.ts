// SPDX-License-Identifier: MIT
// engine.plans (include/vidgo/plans.h).

import type { Lang } from './engine';
import type { VidgoError } from './errors';

/** A text in each of the five user languages. */
export type DisplayNames = Record<Lang, string>;

/** The seeded plans; more can be added with plans.put. */
export type PlanName = 'demo' | 'starter' | 'pro' | 'pro_plus' | (string & {});

/** What a service makes. */
export type ServiceKind = 'video' | 'image' | 'effect';

/** One plan (tier). Names are [a-z0-9_], 1..31 bytes. */
export interface Plan {
  name: PlanName;
  /** Tier order: a plan includes what lower ranks may use. */
  rank: number;
  /** Monthly price in New Taiwan dollars (0 for demo). */
  priceTwd: number;
  /** Subscription credits every Monday 00:00 UTC. */
  weeklyCredits: number;
  /** One-time free generations on joining (demo: 2). */
  freeUses: number;
  /** Discount on top-up packages, 0..100. */
  topupDiscountPct: number;
  /** Highest output in lines: 720, 1080 or 2160. */
  maxResolution: number;
  /** Highest frame rate: 30, or 60. */
  maxFps: number;
  /** Results carry the VidGo watermark. */
  watermark: boolean;
  /** Jobs are served before non-priority ones. */
  priorityQueue: boolean;
  /** May use VidGo Effects. */
  effects: boolean;
  /** A paid subscription. */
  paid: boolean;
  /** Offered to new subscribers. */
  active: boolean;
  displayName: DisplayNames;
}

/** One service with its price. */
export interface Service {
  /** 'video_720p', 'image_512', 'style_effects', ... */
  name: string;
  /** A number only for a kind newer than this binding. */
  kind: ServiceKind | number;
  /** Price per use. */
  credits: number;
  /** What one use costs, in millionths of a US dollar. */
  apiCostMicroUsd: number;
  /** Lowest plan that may use it. */
  minPlan: PlanName;
  /** Only paid plans may use it. */
  subscribersOnly: boolean;
  /** Output lines (video 720/1080/2160, image 512/1024; 0 none). */
  resolution: number;
  /** Longest video in seconds; 0 = not a video. */
  maxDurationS: number;
  /** Internal, never shown to users: 'leonardo', 'goenhance', 'runway'. */
  provider: string;
  /** Not requestable by users (the Runway fallback). */
  internal: boolean;
  active: boolean;
  displayName: DisplayNames;
}

/** A top-up package of purchased credits. */
export interface Package {
  /** 'credits_50', ... */
  name: string;
  credits: number;
  /** List price, before a plan's discount. */
  priceTwd: number;
  active: boolean;
  displayName: DisplayNames;
}

/** A package as offered to one plan. */
export interface PackageOffer {
  package: Package;
  discountPct: number;
  /** List price less the discount, rounded half up. */
  priceTwd: number;
}

/** The parameters of an access check; 0 or absent: the service's own. */
export interface AccessOptions {
  /** Output lines; 0: the service's own. */
  resolution?: number;
  /** Duration in seconds; 0: the service's default. */
  durationS?: number;
  /** Frame rate; 0: 30. */
  fps?: number;
}

/** The refusals an access check can answer with. */
export type AccessRefusal =
  | 'VG_EACCOUNT_DISABLED' | 'VG_ENOT_VERIFIED' | 'VG_ESERVICE_UNKNOWN'
  | 'VG_ESUBSCRIBERS_ONLY' | 'VG_EPLAN_TOO_LOW' | 'VG_EPARAMETER' | 'VG_ERESOLUTION'
  | 'VG_EINSUFFICIENT_CREDITS' | 'VG_EDEMO_USED_UP';

/** The answer to "may this user use this service with these parameters now?". */
export interface Access {
  allowed: boolean;
  /** 0, or the refusing status (err.errno of the error it stands for). */
  reason: number;
  /** The refusal's stable name, or null when allowed. */
  reasonCode: AccessRefusal | null;
  /** Credits it costs (0 when a demo free use pays). */
  price: number;
  /** A demo free use pays for it. */
  freeUse: boolean;
  /** The result must carry the watermark. */
  watermark: boolean;
  /** Only a similarity-cache hit may serve it (demo video). */
  cacheOnly: boolean;
  /** Jobs go to the priority queue. */
  priority: boolean;
}

/** Plans, services, packages and the access check: engine.plans. */
export declare class Plans {
  /** @internal Use engine.plans. */
  constructor(engine: object);
  /** Every plan, by rank. */
  list(): Promise<Plan[]>;
  /** One plan; rejects with PlanUnknown. */
  get(name: string): Promise<Plan>;
  /** Creates or replaces a plan (every field checked: InvalidArgument names it). Unknown
   *  keys are refused; absent numbers and flags are 0 and false. */
  put(plan: Plan): Promise<void>;
  /** Every service, internal ones included. */
  services(): Promise<Service[]>;
  /** One service; rejects with ServiceUnknown. */
  service(name: string): Promise<Service>;
  /** Creates or replaces a service; rejects with PlanUnknown for an unknown minPlan. */
  putService(service: Service): Promise<void>;
  /** Every active package as offered to `plan` (absent: list prices), by credits. */
  packages(plan?: string): Promise<PackageOffer[]>;
  /** Creates or replaces a package (credits > 0, price >= 0). */
  putPackage(pkg: Package): Promise<void>;
  /** Decides whether a user may use a service now; resolves to the decision either way and
   *  rejects only when it cannot decide (NotFound: no such user; ServiceUnknown). */
  checkAccess(userId: number, service: string, options?: AccessOptions): Promise<Access>;
  /** The refusal of a decision as the error it stands for (`throw plans.accessError(a)`),
   *  with its message in the engine's language; null when the decision allows. */
  accessError(access: Access): VidgoError | null;
}
