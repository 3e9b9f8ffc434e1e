/* SPDX-License-Identifier: MIT */
/* The library's memory, through the one-function allocator hook of the config. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void *vg__hook_alloc(vg_alloc_fn hook, void *payload, size_t size)
{
    if (size == 0)
        size = 1;
    return hook ? hook(NULL, size, payload) : malloc(size);
}

void vg__hook_free(vg_alloc_fn hook, void *payload, void *ptr)
{
    if (!ptr)
        return;
    if (hook)
        hook(ptr, 0, payload);
    else
        free(ptr);
}

char *vg__hook_strdup(vg_alloc_fn hook, void *payload, const char *s)
{
    size_t n = strlen(s) + 1;
    char *copy = vg__hook_alloc(hook, payload, n);
    if (copy)
        memcpy(copy, s, n);
    return copy;
}

void *vg__alloc(const vg_ctx *ctx, size_t size)
{
    return vg__hook_alloc(ctx->alloc, ctx->alloc_payload, size);
}

void *vg__calloc(const vg_ctx *ctx, size_t count, size_t size)
{
    void *p;
    if (size && count > SIZE_MAX / size)
        return NULL;
    p = vg__alloc(ctx, count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void vg__free(const vg_ctx *ctx, void *ptr)
{
    vg__hook_free(ctx->alloc, ctx->alloc_payload, ptr);
}

char *vg__strdup(const vg_ctx *ctx, const char *s)
{
    return vg__hook_strdup(ctx->alloc, ctx->alloc_payload, s);
}
