/* SPDX-License-Identifier: MIT */
/* Plans, the services they give access to with their prices, top-up packages, access rules. */
#ifndef VIDGO_PLANS_H
#define VIDGO_PLANS_H

#include "common.h"
#include "config.h"

VG_BEGIN_DECLS

#define VG_NAME_SIZE 32          /* plan, service and package names: [a-z0-9_], 1..31 bytes */
#define VG_DISPLAY_NAME_SIZE 64  /* a display name in one language, UTF-8, terminator included */

/* What a service makes. */
typedef enum vg_service_kind {
    VG_SERVICE_VIDEO = 0,
    VG_SERVICE_IMAGE = 1,
    VG_SERVICE_EFFECT = 2 /* VidGo Effects, applied to an existing asset */
} vg_service_kind;

#define VG_PLAN_VERSION 1

/* One plan (tier). Seeded with demo, starter, pro and pro_plus; editable with vg_plan_put. */
typedef struct vg_plan {
    unsigned int version;           /* VG_PLAN_VERSION */
    char name[VG_NAME_SIZE];        /* "demo", "starter", "pro", "pro_plus" */
    int rank;                       /* tier order: a plan includes what lower ranks may use */
    int64_t price_twd;              /* monthly price in New Taiwan dollars (0 for demo) */
    int weekly_credits;             /* subscription credits every Monday 00:00 UTC */
    int free_uses;                  /* one-time free generations on joining (demo: 2) */
    int topup_discount_pct;         /* discount on top-up packages, 0..100 */
    int max_resolution;             /* highest output, as lines: 720, 1080 or 2160 (4K) */
    int max_fps;                    /* highest frame rate: 30, or 60 (Pro+) */
    int watermark;                  /* results carry the VidGo watermark */
    int priority_queue;             /* jobs are served before non-priority ones */
    int effects;                    /* may use VidGo Effects */
    int paid;                       /* a paid subscription (every plan but demo) */
    int active;                     /* offered to new subscribers */
    char display_name[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE]; /* in vg_lang_tag() order */
} vg_plan;

#define VG_SERVICE_VERSION 1

/* One service with its price. The internal Runway fallback is a service too (internal = 1):
 * users pay the price of the service they asked for, and its cost is recorded. */
typedef struct vg_service {
    unsigned int version;           /* VG_SERVICE_VERSION */
    char name[VG_NAME_SIZE];        /* "video_720p", "image_512", "style_effects", ... */
    vg_service_kind kind;
    int credits;                    /* price per use */
    int64_t api_cost_micro_usd;     /* what one use costs us, in millionths of a US dollar */
    char min_plan[VG_NAME_SIZE];    /* lowest plan that may use it */
    int subscribers_only;           /* only paid plans may use it */
    int resolution;                 /* output lines (video: 720/1080/2160, image: 512/1024; 0 none) */
    int max_duration_s;             /* longest video in seconds; 0 = not a video */
    char provider[VG_NAME_SIZE];    /* internal, never shown: "leonardo", "goenhance", "runway" */
    int internal;                   /* not requestable by users */
    int active;
    char display_name[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE]; /* white-label names */
} vg_service;

#define VG_PACKAGE_VERSION 1

/* A top-up package of purchased credits. */
typedef struct vg_package {
    unsigned int version;           /* VG_PACKAGE_VERSION */
    char name[VG_NAME_SIZE];        /* "credits_50", ... */
    int64_t credits;
    int64_t price_twd;              /* list price, before a plan's discount */
    int active;
    char display_name[VG_LANG_COUNT][VG_DISPLAY_NAME_SIZE];
} vg_package;

/* Fills *plan / *service / *package with an empty record of the given version (pass the
 * VG_*_VERSION macro). Returns VG_OK, VG_EINVAL for NULL, VG_EVERSION for an unknown version. */
VG_API int vg_plan_init(vg_plan *plan, unsigned int version);
VG_API int vg_service_init(vg_service *service, unsigned int version);
VG_API int vg_package_init(vg_package *package, unsigned int version);

/* Reads one plan by name into *out (version set by the caller, e.g. with vg_plan_init).
 * Returns VG_OK, VG_EINVAL, VG_EPLAN_UNKNOWN, or a store error. */
VG_API int vg_plan_get(vg_plan *out, vg_ctx *ctx, const char *name);

/* Receives one record during a list call; return 0 to go on, non-zero to stop. The record
 * lives only during the call. */
typedef int (*vg_plan_fn)(const vg_plan *plan, void *payload);
typedef int (*vg_service_fn)(const vg_service *service, void *payload);

/* Calls callback for every plan, by rank. Returns VG_OK, VG_EINVAL, or a store error. */
VG_API int vg_plans_list(vg_ctx *ctx, vg_plan_fn callback, void *payload);

/* Creates or replaces a plan. Checks every field (name syntax, non-negative numbers,
 * discount 0..100, resolution and fps positive, display names non-empty UTF-8).
 * Returns VG_OK, VG_EINVAL (with the field in the message), VG_ERANGE (an amount too large),
 * VG_EUTF8, or a store error. */
VG_API int vg_plan_put(vg_ctx *ctx, const vg_plan *plan);

/* The same three calls for services; vg_service_put also checks that min_plan exists
 * (VG_EPLAN_UNKNOWN) and gives VG_ERANGE for credits outside 1..1000000. vg_service_get returns VG_ESERVICE_UNKNOWN for an unknown name. */
VG_API int vg_service_get(vg_service *out, vg_ctx *ctx, const char *name);
VG_API int vg_services_list(vg_ctx *ctx, vg_service_fn callback, void *payload);
VG_API int vg_service_put(vg_ctx *ctx, const vg_service *service);

/* A package as offered to one plan: the list price and the plan's discounted price. */
typedef struct vg_package_offer {
    const vg_package *package;
    int discount_pct;
    int64_t price_twd;              /* list price less the discount, rounded half up */
} vg_package_offer;

typedef int (*vg_package_fn)(const vg_package_offer *offer, void *payload);

/* Calls callback for every active package as offered to `plan` (NULL: list prices), by
 * credits. Returns VG_OK, VG_EINVAL, VG_EPLAN_UNKNOWN, or a store error. */
VG_API int vg_packages_list(vg_ctx *ctx, const char *plan, vg_package_fn callback,
                            void *payload);

/* Creates or replaces a package (credits 1..1e8, price 0..1e8). Returns VG_OK, VG_EINVAL,
 * VG_ERANGE (out of those ranges), VG_EUTF8, or a store error. */
VG_API int vg_package_put(vg_ctx *ctx, const vg_package *package);

#define VG_ACCESS_REQUEST_VERSION 1

/* What a user asks for: a service and, optionally, its parameters. */
typedef struct vg_access_request {
    unsigned int version;           /* VG_ACCESS_REQUEST_VERSION */
    const char *service;
    int resolution;                 /* 0 = the service's own */
    int duration_s;                 /* 0 = the service's default */
    int fps;                        /* 0 = 30 */
} vg_access_request;

#define VG_ACCESS_REQUEST_INIT {VG_ACCESS_REQUEST_VERSION, NULL, 0, 0, 0}

/* The answer to "may this user use this service with these parameters now?" */
typedef struct vg_access {
    unsigned int version;           /* set by the library: 1 */
    int allowed;                    /* 1 if the request may go ahead */
    int reason;                     /* VG_OK, or the vg_status that refuses it */
    int price;                      /* credits it costs (0 when a demo free use pays) */
    int free_use;                   /* 1 if a demo free use pays for it */
    int watermark;                  /* the result must carry the watermark */
    int cache_only;                 /* only a similarity-cache hit may serve it (demo video) */
    int priority;                   /* jobs go to the priority queue */
} vg_access;

/*
 * Decides whether a user may use a service now, in this order: account active and
 * verified (VG_EACCOUNT_DISABLED, VG_ENOT_VERIFIED); service requestable, not internal
 * (VG_ESERVICE_UNKNOWN); subscribers only (VG_ESUBSCRIBERS_ONLY); effects included in the
 * plan (VG_EPLAN_TOO_LOW); parameters (VG_EPARAMETER); video resolution within the plan
 * (VG_ERESOLUTION); frame rate within the plan (VG_EPLAN_TOO_LOW); the plan's rank at least
 * the service's min_plan (VG_EPLAN_TOO_LOW); the price covered by credits not held, or a demo free use
 * (VG_EINSUFFICIENT_CREDITS, VG_EDEMO_USED_UP). Demo videos are allowed with cache_only
 * and watermark set. The decision goes to *out; the call returns VG_OK when it could decide
 * (allowed or not), or VG_EINVAL, VG_EVERSION, VG_ENOTFOUND (no such user),
 * VG_ESERVICE_UNKNOWN (no service of that name at all), or a store error.
 * Applies a pending weekly reset or expiry first, like every wallet call.
 */
VG_API int vg_access_check(vg_access *out, vg_ctx *ctx, int64_t user_id,
                           const vg_access_request *request);

VG_END_DECLS

#endif
