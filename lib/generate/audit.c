/* SPDX-License-Identifier: MIT */
/* vg_check's job invariants: a settled job was charged exactly when it delivered — its hold
 * captured for a success, never for a failure or a cancel. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "generate_internal.h"

typedef struct audit {
    vg__txn *txn;
    vg_store_problem_fn report;
    void *payload;
    int64_t last_id;
    int rows;
    int rc;
} audit;

/* The hold states each settled outcome allows. */
static int hold_agrees(const vg_store_job *job, int hold_state)
{
    if (job->state == VG_JOB_SUCCEEDED)
        return job->charged ? hold_state == VG_HOLD_CAPTURED : hold_state == VG_HOLD_EXPIRED;
    return !job->charged && (hold_state == VG_HOLD_RELEASED || hold_state == VG_HOLD_EXPIRED ||
                             hold_state == VG_HOLD_REFUNDED);
}

static int audit_one(const vg_store_job *job, void *payload)
{
    audit *a = payload;
    vg_store_hold hold;
    char subject[48], detail[160];
    int rc;

    a->last_id = job->id;
    a->rows++;
    if (job->state < VG_STORE_JOB_FINAL || !job->settled || job->hold_id == 0)
        return 0;
    snprintf(subject, sizeof subject, "job %" PRId64, job->id);
    rc = vg__hold_get(a->txn, &hold, job->hold_id, 0);
    if (rc == VG_ENOTFOUND) {
        a->report("jobs", subject, "its hold does not exist", a->payload);
        return 0;
    }
    if (rc != VG_OK) {
        a->rc = rc;
        return 1;
    }
    if (!hold_agrees(job, hold.state)) {
        snprintf(detail, sizeof detail, "%s and %s, but its hold is in state %d",
                 vg_job_state_name(job->state), job->charged ? "charged" : "not charged",
                 hold.state);
        a->report("jobs", subject, detail, a->payload);
    }
    if (hold.user_id != job->user_id)
        a->report("jobs", subject, "its hold belongs to another user", a->payload);
    return 0;
}

int vg__jobs_audit(vg__txn *txn, vg_store_problem_fn report, void *payload)
{
    vg_store_job_filter filter;
    audit a;
    int rc;

    memset(&a, 0, sizeof a);
    a.txn = txn;
    a.report = report;
    a.payload = payload;
    memset(&filter, 0, sizeof filter);
    filter.limit = 500;
    do {
        a.rows = 0;
        rc = vg__jobs_list(txn, &filter, audit_one, &a);
        if (rc == VG_EUNSUPPORTED) /* a backend of an older version has no jobs */
            return VG_OK;
        if (rc != VG_OK || a.rc != VG_OK)
            return rc != VG_OK ? rc : a.rc;
        filter.before_id = a.last_id;
    } while (a.rows == filter.limit);
    return VG_OK;
}
