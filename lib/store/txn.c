/* SPDX-License-Identifier: MIT */
/* The one transaction helper: begin, run the body, commit or roll back, retry conflicts. */
#include <sodium.h>
#include <time.h>

#include "store.h"

static int is_retryable(int rc)
{
    return rc == VG_EBUSY || rc == VG_ECONFLICT;
}

/* Full-jitter backoff: a random pause in [0, 1 ms * 2^attempt). */
static void backoff(int attempt)
{
    uint32_t ceiling_us = 1000u << (attempt < 6 ? attempt : 6);
    uint32_t pause_us = randombytes_uniform(ceiling_us);
    struct timespec ts = {0, (long)pause_us * 1000L};
    nanosleep(&ts, NULL);
}

static int run_once(vg__txn *txn, vg__txn_fn body, void *payload)
{
    const vg_store_backend *b = txn->backend;
    int rc = b->begin(txn->conn, txn->mode);

    if (rc != VG_OK)
        return vg__store_fail(txn, rc, "transaction");
    rc = body(txn, payload);
    if (rc == VG_OK) {
        rc = b->commit(txn->conn);
        if (rc == VG_OK)
            return VG_OK;
        vg__store_fail(txn, rc, "transaction");
    }
    b->rollback(txn->conn);
    return rc;
}

static int64_t elapsed_ms(const struct timespec *since)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)(now.tv_sec - since->tv_sec) * 1000 + (now.tv_nsec - since->tv_nsec) / 1000000;
}

int vg__txn_run(vg_ctx *ctx, vg_txn_mode mode, vg__txn_fn body, void *payload)
{
    vg__txn txn = {ctx, ctx->backend, NULL, mode};
    struct timespec started;
    int rc, attempt;

    if (mode == VG_TXN_WRITE && (ctx->flags & VG_OPEN_READONLY))
        return vg__fail(ctx, VG_ESTORE_READONLY, "the store was opened read-only");
    rc = vg__pool_acquire(ctx, &txn.conn);
    if (rc != VG_OK)
        return rc;
    clock_gettime(CLOCK_MONOTONIC, &started);
    for (attempt = 0;; attempt++) {
        rc = run_once(&txn, body, payload);
        /* A busy store already waited in the backend: the retries share one time budget. */
        if (!is_retryable(rc) || attempt + 1 >= VG__TXN_MAX_ATTEMPTS ||
            elapsed_ms(&started) >= ctx->busy_timeout_ms)
            break;
        vg__log(ctx, VG_LOG_DEBUG, "transaction retried after %s", vg_error_name(rc));
        backoff(attempt);
    }
    vg__pool_release(ctx, txn.conn);
    return rc;
}
