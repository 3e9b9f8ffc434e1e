/* SPDX-License-Identifier: MIT */
/* Schema versions: upgrade an older store step by step, refuse a newer one. */
#include <stdio.h>

#include "store.h"

int vg_store_schema_latest(void)
{
    return VG_STORE_SCHEMA_VERSION;
}

int vg__schema_migrate(vg__txn *txn, int target)
{
    const vg_store_backend *b = txn->backend;
    char detail[64];
    int current, rc, v;

    rc = b->schema_get(&current, txn->conn);
    if (rc != VG_OK)
        return vg__store_fail(txn, rc, "cannot read the schema version");
    if (current > target)
        return vg__fail(txn->ctx, VG_ESTORE_VERSION,
                        "the store's schema version %d is newer than this library's (%d): "
                        "upgrade libvidgo to open it", current, target);
    if (current == 0 && target > 0 && !(txn->ctx->flags & VG_OPEN_CREATE))
        return vg__fail(txn->ctx, VG_ESTORE_OPEN, "the store %s is empty (create it with "
                        "`vidgo init`)", txn->ctx->store_location_redacted);
    if (current < target && txn->mode != VG_TXN_WRITE)
        return vg__fail(txn->ctx, VG_ESTORE_READONLY,
                        "the store's schema version %d is older than %d: open it once "
                        "read-write to upgrade it", current, target);
    for (v = current + 1; v <= target; v++) {
        rc = b->schema_step(txn->conn, v, vg_ctx_now(txn->ctx));
        if (rc != VG_OK)
            return vg__store_fail(txn, rc, "cannot migrate the schema");
    }
    if (current == target)
        return VG_OK;
    if (current == 0)
        return vg__event_append(txn, "store.created", vg_version());
    snprintf(detail, sizeof detail, "schema %d -> %d by libvidgo %s", current, target, vg_version());
    vg__log(txn->ctx, VG_LOG_INFO, "store upgraded: %s", detail);
    return vg__event_append(txn, "schema.migrated", detail);
}

static int read_schema_version(vg__txn *txn, void *payload)
{
    int rc = txn->backend->schema_get(payload, txn->conn);
    return rc == VG_OK ? rc : vg__store_fail(txn, rc, "cannot read the schema version");
}

int vg_store_schema_version(int *out, vg_ctx *ctx)
{
    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg_store_schema_version: NULL argument");
    return vg__txn_run(ctx, VG_TXN_READ, read_schema_version, out);
}
