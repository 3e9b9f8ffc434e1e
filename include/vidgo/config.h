/* SPDX-License-Identifier: MIT */
/* The versioned configuration a context is opened with: store, clock, log, memory, secret. */
#ifndef VIDGO_CONFIG_H
#define VIDGO_CONFIG_H

#include "common.h"
#include "email.h"

VG_BEGIN_DECLS

struct vg_store_backend; /* include/vidgo/sys/store.h, for backend authors */

/* Severity of a log message; a config's log_level lets through that level and above. */
typedef enum vg_log_level {
    VG_LOG_DEBUG = 0,
    VG_LOG_INFO = 1,
    VG_LOG_WARN = 2,
    VG_LOG_ERROR = 3,
    VG_LOG_NONE = 4 /* as a log_level: log nothing */
} vg_log_level;

/* Returns the current time in microseconds since the Unix epoch (UTC). Must be thread-safe. */
typedef vg_time (*vg_clock_fn)(void *payload);

/* Receives one log line (UTF-8, no trailing newline, never a secret). Must be thread-safe;
 * it may be called from any thread that uses the context, and must not call back into it. */
typedef void (*vg_log_fn)(vg_log_level level, const char *message, void *payload);

/* One function for all of the library's own memory, in the manner of lua_Alloc: with
 * size > 0 it behaves as realloc(ptr, size); with size == 0 it frees ptr and returns NULL.
 * Must be thread-safe. */
typedef void *(*vg_alloc_fn)(void *ptr, size_t size, void *payload);

/* Flags of vg_config.flags. */
#define VG_OPEN_CREATE 0x1u   /* create the store if it does not exist (set by default) */
#define VG_OPEN_READONLY 0x2u /* open for reading only; every write fails with VG_ESTORE_READONLY */
/* Trade durability for speed: a commit survives a crash of the process but maybe not a
 * power loss (SQLite synchronous=NORMAL). Without it every commit is flushed to disk. */
#define VG_OPEN_SYNC_NORMAL 0x4u

/* What happens to a held or refunded bonus part whose grant expired meanwhile. */
typedef enum vg_expired_refund {
    VG_EXPIRED_REFUND_FORFEIT = 0, /* it is gone, as it would have been without the hold */
    VG_EXPIRED_REFUND_REGRANT = 1  /* it comes back as a new bonus grant (regrant_ttl_days) */
} vg_expired_refund;

/* Number of user languages, and the order of every per-language array of the API. */
#define VG_LANG_COUNT 5

/* Returns the tag of language index i in that order ("en", "ja", "zh-TW", "ko", "es"), or
 * NULL for i >= VG_LANG_COUNT. */
VG_API const char *vg_lang_tag(size_t index);

/* Returns the index of a language tag (BCP 47, e.g. "ja-JP", "zh-Hant"), or -1. */
VG_API int vg_lang_index(const char *tag);

/* The providers, in the order of vg_config.providers[]. */
typedef enum vg_provider_id {
    VG_PROVIDER_LOCAL = 0,     /* offline: no network, no key, placeholder assets */
    VG_PROVIDER_GEMINI = 1,    /* moderation, prompt enhancement, embeddings */
    VG_PROVIDER_LEONARDO = 2,  /* images and videos (primary) */
    VG_PROVIDER_RUNWAY = 3,    /* image-to-video (fallback) */
    VG_PROVIDER_GOENHANCE = 4, /* VidGo Effects */
    VG_PROVIDER_POLLO = 5      /* VidGo Advanced Models (future) */
} vg_provider_id;

#define VG_PROVIDER_COUNT 6

/* Which providers a context uses (vg_config.provider_mode). */
typedef enum vg_provider_mode {
    VG_PROVIDERS_AUTO = 0,   /* a provider with a key serves; without one, `local` serves */
    VG_PROVIDERS_LOCAL = 1,  /* `local` serves everything (offline demos, tests) */
    VG_PROVIDERS_REMOTE = 2  /* the real providers only; a missing key is VG_ENO_API_KEY */
} vg_provider_mode;

/* Room in vg_config.providers[]: more than there are providers today. */
#define VG_PROVIDER_CONFIG_SLOTS 16

/* One provider's settings in vg_config.providers[]. */
typedef struct vg_provider_config {
    const char *api_key;  /* NULL = the seed's variable: GEMINI_API_KEY, LEONARDO_API_KEY, ... */
    const char *base_url; /* NULL = $VIDGO_<PROVIDER>_BASE_URL, else the provider's own */
} vg_provider_config;

/* The payment settings of vg_config.payments (include/vidgo/payments.h). Strings are
 * copied at vg_open. */
typedef struct vg_payments_config {
    const char *ecpay_merchant_id; /* NULL = $ECPAY_MERCHANT_ID */
    const char *ecpay_hash_key;    /* NULL = $ECPAY_HASH_KEY */
    const char *ecpay_hash_iv;     /* NULL = $ECPAY_HASH_IV */
    int ecpay_stage;               /* 1: ECPay's stage (test) endpoint; $ECPAY_STAGE=1 */
    /* Paddle's endpoint secret(s): several separated by spaces during a rotation.
     * NULL = $PADDLE_WEBHOOK_SECRET. */
    const char *paddle_webhook_secret;
    int paddle_tolerance_s;        /* a signature's timestamp may be this old; 0 = 5 */
    int sandbox;                   /* 1: simulated payments allowed; $VIDGO_PAYMENTS_SANDBOX=1 */
    int order_ttl_s;               /* an unpaid order expires after this; 0 = 86400 */
} vg_payments_config;

#define VG_CONFIG_VERSION 4

/*
 * Configuration of vg_open(). Initialise with vg_config_init() (or VG_CONFIG_INIT), then set
 * the fields you need; fields added later go at the end and are read only when `version`
 * says they exist. The library copies what it keeps: the config and its strings may be
 * freed once vg_open() returns.
 */
typedef struct vg_config {
    unsigned int version; /* VG_CONFIG_VERSION */

    /* Where the store is: a SQLite file path ("vidgo.db", "sqlite:/var/lib/vidgo.db") or a
     * PostgreSQL URL ("postgresql://...", "postgres://...", "postgresql+asyncpg://..."). NULL
     * means $VIDGO_DB, else $VIDGO_DATABASE_URL, else $DATABASE_URL if it is a PostgreSQL
     * URL, else "vidgo.db". */
    const char *store;
    /* A backend of your own (sys/store.h); NULL picks a built-in one from `store`. */
    const struct vg_store_backend *store_backend;
    unsigned int flags;        /* VG_OPEN_* */
    int store_pool_size;       /* most store connections open at once; 0 = default (8) */
    int busy_timeout_ms;       /* how long a writer waits for a lock; 0 = default (10000) */

    vg_clock_fn clock;         /* NULL = the system clock */
    void *clock_payload;

    vg_log_fn log;             /* NULL = no logging */
    void *log_payload;
    vg_log_level log_level;    /* default VG_LOG_INFO */

    vg_alloc_fn alloc;         /* NULL = malloc/realloc/free */
    void *alloc_payload;

    /* Server secret for keyed hashes and token signatures, at least 32 bytes. NULL means
     * $VIDGO_SECRET (hex, 64+ digits), else a random secret created once and kept in the store. */
    const unsigned char *secret;
    size_t secret_len;

    /* Default language of user-facing messages: "en", "ja", "zh-TW", "ko" or "es". NULL = "en". */
    const char *lang;

    /* Wallet rules. Every process sharing a store must use the same values. */
    int hold_ttl_s;                   /* an unsettled hold is released after this; 0 = 7200 */
    int bonus_ttl_days;               /* default life of a bonus grant; 0 = 90 */
    vg_expired_refund expired_refund; /* default VG_EXPIRED_REFUND_FORFEIT */
    int regrant_ttl_days;             /* life of a regranted bonus part; 0 = 7 */

    /* -- version 2: accounts and e-mail ------------------------------------------------ */

    /* Sessions: life of an access token (0 = 1800 s) and of a refresh token (0 = 30 days). */
    int access_ttl_s;
    int refresh_ttl_s;
    /* Password hashing (argon2id): at most this many hashes run at once, others queue
     * (0 = the number of processors); its cost (0 = libsodium's "interactive" limits,
     * about 64 MiB and tens of milliseconds). */
    int hash_concurrency;
    unsigned long long pwhash_opslimit;
    size_t pwhash_memlimit;

    /* Where e-mail goes. The first that is set wins: email_sender; smtp_url; mail_dir (each
     * message is written there as a .eml file); then the environment: $SMTP_HOST with
     * $SMTP_PORT (465 means smtps://, anything else smtp://), $VIDGO_MAIL_DIR. None of
     * them: sending fails with VG_ECONFIG. */
    vg_email_fn email_sender;
    void *email_payload;
    const char *smtp_url;      /* "smtp://host:587" (STARTTLS), "smtps://host:465" */
    const char *smtp_user;     /* NULL = $SMTP_USER */
    const char *smtp_password; /* NULL = $SMTP_PASSWORD */
    vg_smtp_tls smtp_tls;      /* default VG_SMTP_TLS_REQUIRED; $VIDGO_SMTP_TLS=try|none */
    const char *smtp_ca_path;  /* a CA bundle file to trust; NULL = the system's */
    int smtp_timeout_ms;       /* connect and whole-message timeout; 0 = 30000 */
    const char *mail_dir;
    const char *email_from;    /* NULL = $EMAIL_FROM, else "noreply@vidgo.ai" */
    /* The page that completes a password reset; the e-mail links to it with "?token=...".
     * NULL = $VIDGO_APP_URL; unset: the e-mail carries the token alone. */
    const char *reset_url;

    /* -- version 3: providers (include/vidgo/providers.h) ----------------------------- */

    /* indexed by vg_provider_id; slots from VG_PROVIDER_COUNT on are reserved (zero), so a
     * provider added later does not move the fields after this array */
    vg_provider_config providers[VG_PROVIDER_CONFIG_SLOTS];
    /* default VG_PROVIDERS_AUTO, which $VIDGO_PROVIDER_MODE (auto|local|remote) overrides */
    vg_provider_mode provider_mode;
    const char *provider_ca_path;  /* a CA bundle for provider HTTPS; NULL = the system's */
    int provider_timeout_ms;       /* one HTTP attempt, whole; 0 = 60000 */
    /* Where `local` writes its placeholder assets: NULL = $VIDGO_ASSETS_DIR, else
     * "vidgo-assets" beside a SQLite store file, else ./vidgo-assets. */
    const char *assets_dir;
    const char *pollo_webhook_secret; /* NULL = $POLLO_WEBHOOK_SECRET */

    /* -- version 4: payments ------------------------------------------------------------ */

    vg_payments_config payments;
} vg_config;

#define VG_CONFIG_INIT {VG_CONFIG_VERSION, NULL, NULL, VG_OPEN_CREATE, 0, 0, NULL, NULL, \
                        NULL, NULL, VG_LOG_INFO, NULL, NULL, NULL, 0, NULL, 0, 0,           \
                        VG_EXPIRED_REFUND_FORFEIT, 0, 0, 0, 0, 0, 0, NULL, NULL, NULL,      \
                        NULL, NULL, VG_SMTP_TLS_REQUIRED, NULL, 0, NULL, NULL, NULL,        \
                        {{NULL, NULL}},                                                      \
                        VG_PROVIDERS_AUTO, NULL, 0, NULL, NULL,                              \
                        {NULL, NULL, NULL, 0, NULL, 0, 0, 0}}

/* Fills *config with the defaults for the given version (pass VG_CONFIG_VERSION).
 * Returns VG_OK, VG_EINVAL if config is NULL, VG_EVERSION for an unknown version. */
VG_API int vg_config_init(vg_config *config, unsigned int version);

/* Returns VG_CONFIG_VERSION of the library actually loaded. */
VG_API unsigned int vg_config_version(void);

/* Returns the size of struct vg_config in the library actually loaded, for FFI bindings
 * that allocate the struct themselves. */
VG_API size_t vg_config_size(void);

VG_END_DECLS

#endif
