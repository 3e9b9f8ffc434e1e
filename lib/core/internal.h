/* SPDX-License-Identifier: MIT */
/* What every file of the library shares: the context's layout and the error, log and memory helpers. */
#ifndef VG_CORE_INTERNAL_H
#define VG_CORE_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>

#include "vidgo/vidgo.h"
#include "vidgo/sys/store.h"

#if defined(__GNUC__)
#define VG__PRINTF(fmt, args) __attribute__((format(printf, fmt, args)))
#else
#define VG__PRINTF(fmt, args)
#endif

#define VG__ERRMSG_SIZE 512
#define VG__SECRET_MIN 32
#define VG__SECRET_MAX 64

/* The pool of store connections of a context (lib/store/pool.c). */
typedef struct vg__pool {
    pthread_mutex_t lock;
    pthread_cond_t available;
    vg_store_conn **idle;
    int idle_count;
    int open_count;
    int max;
} vg__pool;

struct vg_ctx {
    vg_alloc_fn alloc;
    void *alloc_payload;
    vg_clock_fn clock;
    void *clock_payload;
    vg_log_fn log;
    void *log_payload;
    vg_log_level log_level;
    int lang;

    unsigned int flags;
    int busy_timeout_ms;
    char *store_location;          /* as configured */
    char *store_location_redacted; /* safe to show */
    const vg_store_backend *backend;
    vg_store_params store_params;
    vg__pool pool;

    unsigned char secret[VG__SECRET_MAX];
    size_t secret_len;

    /* wallet rules, as configured (0 = default) */
    int hold_ttl_s;
    int bonus_ttl_days;
    int regrant_ttl_days;
    vg_expired_refund expired_refund;

    /* accounts, as configured (0 = default); the gate bounds concurrent password hashes */
    int access_ttl_s;
    int refresh_ttl_s;
    unsigned long long pwhash_opslimit;
    size_t pwhash_memlimit;
    struct {
        pthread_mutex_t lock;
        pthread_cond_t free;
        int max, running, peak;
        long runs;             /* hashes made or verified since the context opened */
        char dummy_hash[128];  /* verified against for unknown addresses; "" until made */
    } hash_gate;
    struct vg__mailer *mailer;     /* lib/email/mailer.c */
    pthread_mutex_t providers_lock;
    struct vg__http_client *providers[8]; /* one per provider, made on first use
                                           * (lib/providers/clients.c) */
    /* provider settings, as configured (lib/providers/settings.c); keys wiped at close */
    char *provider_keys[VG_PROVIDER_COUNT];
    char *provider_base_urls[VG_PROVIDER_COUNT];
    vg_provider_mode provider_mode;
    char *provider_ca_path;
    int provider_timeout_ms;
    char *assets_dir;
    char *pollo_webhook_secret;
    /* payment settings, as configured (lib/payments/settings.c); secrets wiped at close */
    struct {
        char *ecpay_merchant_id, *ecpay_hash_key, *ecpay_hash_iv;
        int ecpay_stage;
        char *paddle_secret;
        int paddle_tolerance_s, sandbox, order_ttl_s;
    } payments;

    pthread_mutex_t err_lock;
    int err_code;
    char err_msg[VG__ERRMSG_SIZE];
};

/* Records a failure on the calling thread and, when ctx is not NULL, on the context;
 * returns code so that callers can write `return vg__fail(ctx, VG_EINVAL, "...")`. */
int vg__fail(vg_ctx *ctx, int code, const char *fmt, ...) VG__PRINTF(3, 4);
int vg__failv(vg_ctx *ctx, int code, const char *fmt, va_list ap) VG__PRINTF(3, 0);

/* Records a VG_ERATE_LIMITED failure ("<what>; try again in N s") whose wait
 * vg_error_retry_after() reports (at least 1 s). Returns VG_ERATE_LIMITED. */
int vg__fail_retry(vg_ctx *ctx, int retry_after_s, const char *what);

/* Sends a message to the context's log callback if its level passes. */
void vg__log(const vg_ctx *ctx, vg_log_level level, const char *fmt, ...) VG__PRINTF(3, 4);

/* Memory through an allocator hook (NULL hook = the C library). */
void *vg__hook_alloc(vg_alloc_fn hook, void *payload, size_t size);
void vg__hook_free(vg_alloc_fn hook, void *payload, void *ptr);
char *vg__hook_strdup(vg_alloc_fn hook, void *payload, const char *s);

/* Memory through the context's allocator. */
void *vg__alloc(const vg_ctx *ctx, size_t size);
void *vg__calloc(const vg_ctx *ctx, size_t count, size_t size);
void vg__free(const vg_ctx *ctx, void *ptr);
char *vg__strdup(const vg_ctx *ctx, const char *s);

/* Returns 1 if s is valid UTF-8 (NUL-terminated), else 0. */
int vg__utf8_valid(const char *s);

/* Takes the server secret from the config or $VIDGO_SECRET, before the store is opened;
 * VG_ECONFIG if it is malformed. Leaves ctx->secret_len 0 if neither is set. */
int vg__secret_load(vg_ctx *ctx, const vg_config *config);

/* Once the store is open and no secret was configured: reads the secret kept in the store,
 * creating it on first use (a read-only context that finds none makes up one for itself). */
int vg__secret_load_from_store(vg_ctx *ctx);

#endif
