/* SPDX-License-Identifier: MIT */
/* Opening and closing a context: the configuration copied in, the store opened. */
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"
#include "i18n.h"
#include "../email/email_internal.h"
#include "../payments/payments_internal.h"
#include "../providers/http.h"
#include "../store/store.h"

static int config_check(const vg_config *config)
{
    int rc;

    if (config->version < 1 || config->version > VG_CONFIG_VERSION)
        return vg__fail(NULL, VG_EVERSION, "config version %u is not 1..%u (use vg_config_init)",
                        config->version, VG_CONFIG_VERSION);
    if (config->log_level < VG_LOG_DEBUG || config->log_level > VG_LOG_NONE)
        return vg__fail(NULL, VG_ECONFIG, "config.log_level %d is not a vg_log_level",
                        (int)config->log_level);
    if (config->store_pool_size < 0 || config->store_pool_size > 1024)
        return vg__fail(NULL, VG_ECONFIG, "config.store_pool_size must be 0..1024");
    if (config->busy_timeout_ms < 0)
        return vg__fail(NULL, VG_ECONFIG, "config.busy_timeout_ms must not be negative");
    if (config->hold_ttl_s < 0 || config->bonus_ttl_days < 0 || config->regrant_ttl_days < 0 ||
        config->bonus_ttl_days > 36500 || config->regrant_ttl_days > 36500)
        return vg__fail(NULL, VG_ECONFIG, "config: hold_ttl_s, bonus_ttl_days and "
                                          "regrant_ttl_days must be 0..36500 days");
    if (config->expired_refund != VG_EXPIRED_REFUND_FORFEIT &&
        config->expired_refund != VG_EXPIRED_REFUND_REGRANT)
        return vg__fail(NULL, VG_ECONFIG, "config.expired_refund is not a vg_expired_refund");
    if (config->flags & ~(VG_OPEN_CREATE | VG_OPEN_READONLY | VG_OPEN_SYNC_NORMAL))
        return vg__fail(NULL, VG_ECONFIG, "config.flags has unknown bits 0x%x", config->flags);
    if (config->version >= 2 &&
        (config->access_ttl_s < 0 || config->access_ttl_s > 86400 * 7 ||
         config->refresh_ttl_s < 0 || config->refresh_ttl_s > 86400 * 366))
        return vg__fail(NULL, VG_ECONFIG, "config: access_ttl_s must be 0..604800 and "
                                          "refresh_ttl_s 0..31622400");
    if (config->version >= 2 && (config->hash_concurrency < 0 || config->hash_concurrency > 1024))
        return vg__fail(NULL, VG_ECONFIG, "config.hash_concurrency must be 0..1024");
    if (config->version >= 2 &&
        ((config->pwhash_opslimit &&
          (config->pwhash_opslimit < crypto_pwhash_OPSLIMIT_MIN ||
           config->pwhash_opslimit > crypto_pwhash_OPSLIMIT_SENSITIVE)) ||
         (config->pwhash_memlimit &&
          (config->pwhash_memlimit < crypto_pwhash_MEMLIMIT_MIN ||
           config->pwhash_memlimit > crypto_pwhash_MEMLIMIT_SENSITIVE))))
        return vg__fail(NULL, VG_ECONFIG, "config: pwhash_opslimit or pwhash_memlimit is "
                                          "outside libsodium's argon2id bounds");
    if (config->lang && vg__lang_parse(config->lang) < 0)
        return vg__fail(NULL, VG_ECONFIG, "config.lang: \"%.16s\" is not en, ja, zh-TW, ko or es",
                        vg__utf8_valid(config->lang) ? config->lang : "?");
    if ((rc = vg__provider_settings_check(config)) != VG_OK)
        return rc;
    return vg__payments_settings_check(config);
}

static void ctx_free(vg_ctx *ctx)
{
    vg_alloc_fn alloc = ctx->alloc;
    void *payload = ctx->alloc_payload;

    vg__store_close(ctx);
    vg__mailer_close(ctx);
    vg__provider_clients_free(ctx);
    vg__provider_settings_free(ctx);
    vg__payments_settings_free(ctx);
    pthread_mutex_destroy(&ctx->providers_lock);
    sodium_memzero(ctx->secret, sizeof ctx->secret);
    pthread_cond_destroy(&ctx->pool.available);
    pthread_mutex_destroy(&ctx->pool.lock);
    pthread_mutex_destroy(&ctx->err_lock);
    pthread_cond_destroy(&ctx->hash_gate.free);
    pthread_mutex_destroy(&ctx->hash_gate.lock);
    vg__hook_free(alloc, payload, ctx);
}

int vg_open(vg_ctx **out, const vg_config *config)
{
    vg_config defaults = VG_CONFIG_INIT;
    vg_ctx *ctx;
    int rc;

    if (!out)
        return vg__fail(NULL, VG_EINVAL, "vg_open: out is NULL");
    *out = NULL;
    if ((rc = vg_global_init()) != VG_OK)
        return rc;
    if (!config)
        config = &defaults;
    if ((rc = config_check(config)) != VG_OK)
        return rc;

    ctx = vg__hook_alloc(config->alloc, config->alloc_payload, sizeof *ctx);
    if (!ctx)
        return vg__fail(NULL, VG_ENOMEM, "out of memory");
    memset(ctx, 0, sizeof *ctx);
    ctx->alloc = config->alloc;
    ctx->alloc_payload = config->alloc_payload;
    ctx->clock = config->clock;
    ctx->clock_payload = config->clock_payload;
    ctx->log = config->log;
    ctx->log_payload = config->log_payload;
    ctx->log_level = config->log_level;
    ctx->lang = config->lang ? vg__lang_parse(config->lang) : VG__LANG_EN;
    ctx->flags = config->flags;
    ctx->hold_ttl_s = config->hold_ttl_s;
    ctx->bonus_ttl_days = config->bonus_ttl_days;
    ctx->regrant_ttl_days = config->regrant_ttl_days;
    ctx->expired_refund = config->expired_refund;
    if (config->version >= 2) {
        ctx->access_ttl_s = config->access_ttl_s;
        ctx->refresh_ttl_s = config->refresh_ttl_s;
        ctx->pwhash_opslimit = config->pwhash_opslimit;
        ctx->pwhash_memlimit = config->pwhash_memlimit;
        ctx->hash_gate.max = config->hash_concurrency;
    }
    if (ctx->hash_gate.max == 0) {
        long cpus = sysconf(_SC_NPROCESSORS_ONLN);
        ctx->hash_gate.max = cpus > 0 && cpus < 1024 ? (int)cpus : 1;
    }
    if (ctx->pwhash_opslimit == 0)
        ctx->pwhash_opslimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
    if (ctx->pwhash_memlimit == 0)
        ctx->pwhash_memlimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;
    pthread_mutex_init(&ctx->providers_lock, NULL);
    pthread_mutex_init(&ctx->hash_gate.lock, NULL);
    pthread_cond_init(&ctx->hash_gate.free, NULL);
    pthread_mutex_init(&ctx->err_lock, NULL);
    pthread_mutex_init(&ctx->pool.lock, NULL);
    pthread_cond_init(&ctx->pool.available, NULL);

    rc = vg__secret_load(ctx, config);
    if (rc == VG_OK)
        rc = vg__mailer_open(ctx, config);
    if (rc == VG_OK)
        rc = vg__store_open(ctx, config);
    if (rc == VG_OK)
        rc = vg__secret_load_from_store(ctx);
    if (rc == VG_OK)
        rc = vg__provider_settings_open(ctx, config);
    if (rc == VG_OK)
        rc = vg__payments_settings_open(ctx, config);
    if (rc != VG_OK) {
        ctx_free(ctx); /* the thread's last error stays as vg__fail recorded it */
        return rc;
    }
    vg__log(ctx, VG_LOG_INFO, "opened %s store %s", ctx->backend->name,
            ctx->store_location_redacted);
    *out = ctx;
    return VG_OK;
}

void vg_close(vg_ctx *ctx)
{
    if (ctx)
        ctx_free(ctx);
}

const char *vg_ctx_lang(const vg_ctx *ctx)
{
    return vg__lang_tags[ctx ? ctx->lang : VG__LANG_EN];
}
