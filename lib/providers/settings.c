/* SPDX-License-Identifier: MIT */
/* The provider settings a context copies from its configuration: keys, base URLs, mode,
 * TLS and timeout, the local provider's asset folder, the Pollo webhook secret. */
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "provider.h"

_Static_assert(VG_PROVIDER_COUNT <= VG_PROVIDER_CONFIG_SLOTS, "a place in vg_config for each provider");

static int copy_opt(vg_ctx *ctx, char **dst, const char *src)
{
    if (!src)
        return 1;
    return (*dst = vg__strdup(ctx, src)) != NULL;
}

/* "<dir of the SQLite file>/vidgo-assets", or "vidgo-assets" (relative) otherwise. */
static char *default_assets_dir(vg_ctx *ctx)
{
    const char *loc = ctx->store_location, *slash;
    char *dir;
    size_t n;

    if (!loc || strcmp(ctx->backend->name, "sqlite") != 0 || strcmp(loc, ":memory:") == 0)
        return vg__strdup(ctx, "vidgo-assets");
    if (strncasecmp(loc, "sqlite://", 9) == 0)
        loc += 9;
    else if (strncasecmp(loc, "sqlite:", 7) == 0)
        loc += 7;
    if (!(slash = strrchr(loc, '/')))
        return vg__strdup(ctx, "vidgo-assets");
    n = (size_t)(slash - loc) + 1;
    if ((dir = vg__alloc(ctx, n + sizeof "vidgo-assets")) != NULL) {
        memcpy(dir, loc, n);
        memcpy(dir + n, "vidgo-assets", sizeof "vidgo-assets");
    }
    return dir;
}

/* $VIDGO_PROVIDER_MODE (auto, local, remote) when the config leaves the mode at auto. */
static vg_provider_mode mode_from_env(void)
{
    const char *mode = getenv("VIDGO_PROVIDER_MODE");
    if (mode && strcmp(mode, "local") == 0)
        return VG_PROVIDERS_LOCAL;
    if (mode && strcmp(mode, "remote") == 0)
        return VG_PROVIDERS_REMOTE;
    return VG_PROVIDERS_AUTO;
}

int vg__provider_settings_check(const vg_config *config)
{
    if (config->version < 3)
        return VG_OK;
    if (config->provider_mode != VG_PROVIDERS_AUTO && config->provider_mode != VG_PROVIDERS_LOCAL &&
        config->provider_mode != VG_PROVIDERS_REMOTE)
        return vg__fail(NULL, VG_ECONFIG, "config.provider_mode is not a vg_provider_mode");
    if (config->provider_timeout_ms < 0 || config->provider_timeout_ms > 3600000)
        return vg__fail(NULL, VG_ECONFIG, "config.provider_timeout_ms must be 0..3600000");
    return VG_OK;
}

int vg__provider_settings_open(vg_ctx *ctx, const vg_config *config)
{
    const char *assets = getenv("VIDGO_ASSETS_DIR"), *pollo = getenv("POLLO_WEBHOOK_SECRET");
    int ok = 1, i;

    if (config->version >= 3) {
        for (i = 0; i < VG_PROVIDER_COUNT; i++) {
            ok = ok && copy_opt(ctx, &ctx->provider_keys[i], config->providers[i].api_key);
            ok = ok && copy_opt(ctx, &ctx->provider_base_urls[i], config->providers[i].base_url);
        }
        ctx->provider_mode = config->provider_mode;
        ctx->provider_timeout_ms = config->provider_timeout_ms;
        ok = ok && copy_opt(ctx, &ctx->provider_ca_path, config->provider_ca_path);
        if (config->assets_dir)
            assets = config->assets_dir;
        if (config->pollo_webhook_secret)
            pollo = config->pollo_webhook_secret;
    }
    if (ctx->provider_mode == VG_PROVIDERS_AUTO)
        ctx->provider_mode = mode_from_env();
    ok = ok && copy_opt(ctx, &ctx->pollo_webhook_secret, pollo && *pollo ? pollo : NULL);
    if (ok)
        ctx->assets_dir = assets && *assets ? vg__strdup(ctx, assets) : default_assets_dir(ctx);
    if (!ok || !ctx->assets_dir)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    return VG_OK;
}

static void wipe_free(vg_ctx *ctx, char **s)
{
    if (*s) {
        sodium_memzero(*s, strlen(*s));
        vg__free(ctx, *s);
        *s = NULL;
    }
}

void vg__provider_settings_free(vg_ctx *ctx)
{
    int i;
    for (i = 0; i < VG_PROVIDER_COUNT; i++) {
        wipe_free(ctx, &ctx->provider_keys[i]);
        vg__free(ctx, ctx->provider_base_urls[i]);
        ctx->provider_base_urls[i] = NULL;
    }
    wipe_free(ctx, &ctx->pollo_webhook_secret);
    vg__free(ctx, ctx->provider_ca_path);
    vg__free(ctx, ctx->assets_dir);
    ctx->provider_ca_path = ctx->assets_dir = NULL;
}
