/* SPDX-License-Identifier: MIT */
/* The core's calls into a backend's record methods, with their failures put into words. */
#include "store.h"

int vg__store_fail(vg__txn *txn, int code, const char *what)
{
    const char *detail = txn->backend->errmsg ? txn->backend->errmsg(txn->conn) : NULL;
    if (code == VG_ENOTFOUND)
        return code; /* an expected answer, not a failure */
    if (detail && *detail) /* the backend's message already says what failed */
        return vg__fail(txn->ctx, code, "%s", detail);
    return vg__fail(txn->ctx, code, "%s: %s", what, vg_error_name(code));
}

/* Returns VG_OK if the backend implements `method`, else records VG_EUNSUPPORTED. */
static int has_method(vg__txn *txn, const void *method, const char *name)
{
    if (method)
        return VG_OK;
    return vg__fail(txn->ctx, VG_EUNSUPPORTED, "the %s backend has no %s", txn->backend->name,
                    name);
}

#define CALL(method, what, ...)                                                                    \
    do {                                                                                           \
        int rc_ = has_method(txn, (const void *)txn->backend->method, #method);                   \
        if (rc_ == VG_OK)                                                                          \
            rc_ = txn->backend->method(__VA_ARGS__);                                               \
        return rc_ == VG_OK || rc_ == VG_EUNSUPPORTED ? rc_ : vg__store_fail(txn, rc_, what);     \
    } while (0)

int vg__meta_get(vg__txn *txn, char **out, const char *key, int for_update)
{
    CALL(meta_get, "cannot read a setting", out, txn->conn, key, for_update);
}

int vg__meta_put(vg__txn *txn, const char *key, const char *value)
{
    CALL(meta_put, "cannot write a setting", txn->conn, key, value);
}

int vg__meta_delete(vg__txn *txn, const char *key)
{
    CALL(meta_delete, "cannot delete a setting", txn->conn, key);
}

int vg__event_append(vg__txn *txn, const char *kind, const char *detail)
{
    vg_store_event event = {0, vg_ctx_now(txn->ctx), kind, detail};
    CALL(event_append, "cannot record an event", NULL, txn->conn, &event);
}

int vg__event_list(vg__txn *txn, int64_t after_id, int limit, vg_store_event_fn callback,
                   void *payload)
{
    CALL(event_list, "cannot list events", txn->conn, after_id, limit, callback, payload);
}

typedef struct event_forward {
    vg_event_fn callback;
    void *payload;
    int64_t last_id; /* a retried transaction resumes after what was delivered */
    int delivered;
} event_forward;

static int forward_event(const vg_store_event *event, void *payload)
{
    event_forward *fw = payload;
    if (event->id <= fw->last_id)
        return 0;
    fw->last_id = event->id;
    fw->delivered++;
    return fw->callback(event->id, event->at, event->kind, event->detail, fw->payload);
}

typedef struct event_query {
    event_forward fw;
    int limit;
} event_query;

static int list_events_body(vg__txn *txn, void *payload)
{
    event_query *q = payload;
    if (q->fw.delivered >= q->limit)
        return VG_OK;
    return vg__event_list(txn, q->fw.last_id, q->limit - q->fw.delivered, forward_event, &q->fw);
}

int vg_store_events(vg_ctx *ctx, int64_t after_id, int limit, vg_event_fn callback,
                    void *payload)
{
    event_query q = {{callback, payload, after_id, 0}, limit};

    if (!ctx || !callback)
        return vg__fail(ctx, VG_EINVAL, "vg_store_events: NULL argument");
    if (limit < 1 || limit > 10000)
        return vg__fail(ctx, VG_EINVAL, "vg_store_events: limit must be 1..10000");
    return vg__txn_run(ctx, VG_TXN_READ, list_events_body, &q);
}
