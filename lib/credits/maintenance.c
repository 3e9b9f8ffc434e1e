/* SPDX-License-Identifier: MIT */
/* `vidgo maintenance`: apply what is due to every wallet, a small transaction per user. */
#include <string.h>

#include "credits_internal.h"

#define PAGE 200

typedef struct page {
    int64_t ids[PAGE];
    int count;
} page;

static int collect_user(const vg_user *user, void *payload)
{
    page *p = payload;
    p->ids[p->count++] = user->id;
    return 0;
}

typedef struct users_query {
    int64_t after_id;
    page page;
} users_query;

static int list_users_body(vg__txn *txn, void *payload)
{
    users_query *q = payload;
    q->page.count = 0;
    return vg__users_list(txn, q->after_id, PAGE, collect_user, &q->page);
}

typedef struct refresh_one {
    int64_t user_id;
    vg_maintenance_report *report;
    vg_maintenance_report delta;
} refresh_one;

static int refresh_body(vg__txn *txn, void *payload)
{
    refresh_one *r = payload;
    vg__wallet wl;
    int rc = vg__wallet_load(&wl, txn, r->user_id);

    if (rc == VG_OK)
        rc = vg__wallet_save(&wl);
    r->delta.weekly_resets = wl.resets; /* assigned, not added: the body may run again */
    r->delta.expiries = wl.expiries;
    r->delta.holds_expired = wl.holds_expired;
    return rc;
}

int vg_credits_maintenance(vg_maintenance_report *out, vg_ctx *ctx)
{
    vg_maintenance_report report = {0, 0, 0, 0};
    users_query q;
    int i, rc;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg_credits_maintenance: ctx is NULL");
    memset(&q, 0, sizeof q);
    do {
        if ((rc = vg__txn_run(ctx, VG_TXN_READ, list_users_body, &q)) != VG_OK)
            return rc;
        for (i = 0; i < q.page.count; i++) {
            refresh_one r = {q.page.ids[i], &report, {0, 0, 0, 0}};
            if ((rc = vg__txn_run(ctx, VG_TXN_WRITE, refresh_body, &r)) != VG_OK)
                return rc;
            report.users++;
            report.weekly_resets += r.delta.weekly_resets;
            report.expiries += r.delta.expiries;
            report.holds_expired += r.delta.holds_expired;
            q.after_id = q.page.ids[i];
        }
    } while (q.page.count == PAGE);
    if (out)
        *out = report;
    return VG_OK;
}
