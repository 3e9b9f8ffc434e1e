/* SPDX-License-Identifier: MIT */
/* One HTTP client per provider and context, shared by every call to that provider. */
#include <string.h>

#include "http.h"

static const char *const providers[] = {"gemini", "leonardo", "runway", "goenhance", "pollo"};

_Static_assert(sizeof providers / sizeof providers[0] <=
                   sizeof ((vg_ctx *)0)->providers / sizeof ((vg_ctx *)0)->providers[0],
               "the context has a place for each provider's client");

int vg__provider_client(vg__http_client **out, vg_ctx *ctx, const char *provider)
{
    vg__http_options options;
    size_t i;
    int rc = VG_OK;

    for (i = 0; i < sizeof providers / sizeof providers[0]; i++)
        if (strcmp(providers[i], provider) == 0)
            break;
    if (i == sizeof providers / sizeof providers[0])
        return vg__fail(ctx, VG_EINVAL, "no provider is named \"%.32s\"", provider);
    pthread_mutex_lock(&ctx->providers_lock);
    if (!ctx->providers[i]) {
        memset(&options, 0, sizeof options);
        options.provider = providers[i];
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
