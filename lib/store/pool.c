/* SPDX-License-Identifier: MIT */
/* A small pool of store connections shared by the threads of one context. */
#include "store.h"

int vg__pool_acquire(vg_ctx *ctx, vg_store_conn **out)
{
    vg__pool *pool = &ctx->pool;
    char errbuf[VG__ERRMSG_SIZE] = "";
    int rc;

    pthread_mutex_lock(&pool->lock);
    while (pool->idle_count == 0 && pool->open_count >= pool->max)
        pthread_cond_wait(&pool->available, &pool->lock);
    if (pool->idle_count > 0) {
        *out = pool->idle[--pool->idle_count];
        pthread_mutex_unlock(&pool->lock);
        return VG_OK;
    }
    pool->open_count++;
    pthread_mutex_unlock(&pool->lock);

    rc = ctx->backend->connect(out, &ctx->store_params, errbuf, sizeof errbuf);
    if (rc == VG_OK)
        return VG_OK;
    *out = NULL;
    pthread_mutex_lock(&pool->lock);
    pool->open_count--;
    pthread_cond_signal(&pool->available);
    pthread_mutex_unlock(&pool->lock);
    return vg__fail(ctx, rc, "%s", errbuf[0] ? errbuf : "cannot connect to the store");
}

void vg__pool_release(vg_ctx *ctx, vg_store_conn *conn)
{
    vg__pool *pool = &ctx->pool;

    pthread_mutex_lock(&pool->lock);
    pool->idle[pool->idle_count++] = conn;
    pthread_cond_signal(&pool->available);
    pthread_mutex_unlock(&pool->lock);
}

void vg__pool_destroy(vg_ctx *ctx)
{
    vg__pool *pool = &ctx->pool;
    int i;

    if (!pool->idle)
        return;
    for (i = 0; i < pool->idle_count; i++)
        ctx->backend->disconnect(pool->idle[i]);
    vg__free(ctx, pool->idle);
    pool->idle = NULL;
    pool->idle_count = pool->open_count = 0;
}
