/* SPDX-License-Identifier: MIT */
/* vg_check: the store's own integrity, its schema, and every domain's invariants. */
#include <stdio.h>

#include "store.h"
#include "../credits/credits_internal.h"
#include "../generate/generate_internal.h"

typedef struct check_run {
    vg_check_fn callback;
    void *payload;
    size_t problems;
} check_run;

static void report(const char *check, const char *subject, const char *detail, void *payload)
{
    check_run *run = payload;
    run->problems++;
    if (run->callback)
        run->callback(check, subject, detail, run->payload);
}

static int check_backend(vg__txn *txn, check_run *run)
{
    int rc;
    if (!txn->backend->check)
        return VG_OK;
    rc = txn->backend->check(txn->conn, report, run);
    return rc == VG_OK ? rc : vg__store_fail(txn, rc, "the store's integrity check failed to run");
}

static int check_schema(vg__txn *txn, check_run *run)
{
    char detail[96];
    int version, rc = txn->backend->schema_get(&version, txn->conn);

    if (rc != VG_OK)
        return vg__store_fail(txn, rc, "cannot read the schema version");
    if (version != VG_STORE_SCHEMA_VERSION) {
        snprintf(detail, sizeof detail, "schema version %d, expected %d", version,
                 VG_STORE_SCHEMA_VERSION);
        report("schema", "store", detail, run);
    }
    return VG_OK;
}

static int check_wallets(vg__txn *txn, check_run *run)
{
    return vg__credits_audit(txn, report, run);
}

static int check_jobs(vg__txn *txn, check_run *run)
{
    return vg__jobs_audit(txn, report, run);
}

/* Every check vg_check runs, in order; each domain adds its invariants here. */
static int (*const checks[])(vg__txn *, check_run *) = {
    check_backend,
    check_schema,
    check_wallets,
    check_jobs,
};

static int check_body(vg__txn *txn, void *payload)
{
    check_run *run = payload;
    size_t i;
    int rc;

    run->problems = 0; /* the transaction may be retried */
    for (i = 0; i < sizeof checks / sizeof checks[0]; i++)
        if ((rc = checks[i](txn, run)) != VG_OK)
            return rc;
    return VG_OK;
}

int vg_check(size_t *out_problems, vg_ctx *ctx, vg_check_fn callback, void *payload)
{
    check_run run = {callback, payload, 0};
    int rc;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_check: ctx is NULL");
    rc = vg__txn_run(ctx, VG_TXN_READ, check_body, &run);
    if (out_problems)
        *out_problems = run.problems;
    if (rc != VG_OK)
        return rc;
    if (run.problems)
        return vg__fail(ctx, VG_EINVARIANT, "the store check found %zu problem%s", run.problems,
                        run.problems == 1 ? "" : "s");
    return VG_OK;
}
