/* SPDX-License-Identifier: MIT */
/* One HTTP client per provider and context, shared by every call to that provider. */
#include <string.h>

#include "http.h"

_Static_assert(VG_PROVIDER_COUNT <=
                   sizeof ((vg_ctx *)0)->providers / sizeof ((vg_ctx *)0)->providers[0],
               "the context has a place for each provider's client");

int vg__provider_client(vg__http_client **out, vg_ctx *ctx, const char *provider)
{
    vg__http_options options;
    int i = vg_provider_index(provider), rc = VG_OK;

    if (i <= VG_PROVIDER_LOCAL)
        return vg__fail(ctx, VG_EINVAL, "no HTTP provider is named \"%.32s\"", provider);
    pthread_mutex_lock(&ctx->providers_lock);
    if (!ctx->providers[i]) {
        memset(&options, 0, sizeof options);
        options.provider = vg_provider_name(i);
        options.ca_path = ctx->provider_ca_path;
        options.total_timeout_ms = ctx->provider_timeout_ms;
        rc = vg__http_client_new(&ctx->providers[i], ctx, &options);
    }
    *out = ctx->providers[i];
    pthread_mutex_unlock(&ctx->providers_lock);
    return rc;
}

void vg__provider_clients_free(vg_ctx *ctx)
{
    size_t i;
    for (i = 0; i < sizeof ctx->providers / sizeof ctx->providers[0]; i++) {
        vg__http_client_free(ctx->providers[i]);
        ctx->providers[i] = NULL;
    }
}
