/* SPDX-License-Identifier: MIT */
/* What every provider client is made of: its settings for one call (key, base URL, HTTP
 * client), its operations (submit, poll, cancel, reconcile, check), and the shared helpers
 * for calling a JSON API and reading its answers. */
#ifndef VG_PROVIDERS_PROVIDER_H
#define VG_PROVIDERS_PROVIDER_H

#include <cJSON.h>

#include "../../include/vidgo/providers.h"
#include "http.h"

/* A provider's settings, resolved for one call. */
typedef struct vg__provider_conf {
    int id;                 /* vg_provider_id */
    const char *name;       /* "leonardo", ... (static) */
    char *key;              /* NULL when none is configured; wiped when closed */
    char *secret_header;    /* "<key header><key>", sent but never logged; NULL without key */
    char *base_url;         /* without a trailing '/' */
    vg__http_client *http;  /* the context's client of the provider (not owned); NULL: local */
    const char *assets_dir; /* the context's (local provider) */
} vg__provider_conf;

/* One provider's operations. NULL members: the provider cannot do that
 * (VG_EUNSUPPORTED). Every operation records its failures on ctx, never with the key. */
typedef struct vg__provider_ops {
    int id;
    const char *default_base_url;
    const char *key_env;     /* "LEONARDO_API_KEY", ...; NULL: no key (local) */
    const char *key_header;  /* "authorization: Bearer ", "x-goog-api-key: ", ... */
    /* Checks the task for this provider, sends it and fills *out (provider, job_id, kind,
     * state, poll_after_ms, model, api cost when the answer gives it). */
    int (*submit)(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                  const vg_provider_task *task);
    /* Updates *job (job_id, kind set) from the provider; VG_ENOTFOUND for an unknown job. */
    int (*poll)(vg_provider_job *job, vg_ctx *ctx, const vg__provider_conf *conf);
    int (*cancel)(vg_ctx *ctx, const vg__provider_conf *conf, const char *job_id);
    int (*reconcile)(vg_provider_job *out, vg_ctx *ctx, const vg__provider_conf *conf,
                     const vg_provider_task *task, vg_time since);
    /* One cheap authenticated request; writes what it saw to detail. */
    int (*check)(char *detail, size_t size, vg_ctx *ctx, const vg__provider_conf *conf);
} vg__provider_ops;

extern const vg__provider_ops vg__local_ops;
extern const vg__provider_ops vg__gemini_ops;
extern const vg__provider_ops vg__leonardo_ops;
extern const vg__provider_ops vg__runway_ops;
extern const vg__provider_ops vg__goenhance_ops;
extern const vg__provider_ops vg__pollo_ops;

/* The operations of provider id (0..VG_PROVIDER_COUNT-1), or NULL. */
const vg__provider_ops *vg__provider_ops_of(int id);

/*
 * Resolves the settings of provider id for one call: key from the config, else the
 * provider's variable; base URL from the config, else $VIDGO_<PROVIDER>_BASE_URL, else the
 * default (http:// or https:// only); the context's HTTP client of the provider. need_key:
 * fail with VG_ENO_API_KEY when there is none. Returns VG_OK, VG_ENO_API_KEY, VG_ECONFIG,
 * VG_EINVAL (a key with spaces or control characters), VG_ENOMEM. Close it in any case.
 */
int vg__provider_conf_open(vg__provider_conf *conf, vg_ctx *ctx, int id, int need_key);
void vg__provider_conf_close(vg_ctx *ctx, vg__provider_conf *conf);

/* 1 when provider id serves this context (its mode and key allow it). */
int vg__provider_serves(vg_ctx *ctx, int id);

/* One JSON call of a provider. */
typedef struct vg__provider_call {
    const char *method;                /* "GET", "POST", "DELETE" */
    const char *path;                  /* appended to the base URL, e.g. "/generations/ID" */
    const char *body;                  /* JSON; NULL: none */
    const char *const *headers;        /* extra "Name: value" lines, NULL-terminated */
    int creates_paid_job;              /* see vg__http_request */
    int not_found_ok;                  /* 404 answers VG_ENOTFOUND */
    int empty_ok;                      /* a 2xx with no body is fine (*out_root stays NULL) */
    const char *what;                  /* for messages: "create a generation", ... */
} vg__provider_call;

/*
 * Sends a call and parses the answer into *out_root (a JSON object or array; the caller
 * deletes it). A failure is recorded on ctx as "<provider>: <what>: HTTP <status>:
 * <the provider's message>" (its error body read as {"error": "..."}, {"error": {"message":
 * ...}}, {"msg": ...} or {"message": ...}, the key redacted). Returns VG_OK,
 * VG_EPROVIDER_RESPONSE (not JSON), VG_ENOTFOUND (with not_found_ok) or the HTTP layer's
 * codes.
 */
int vg__provider_send(cJSON **out_root, vg_ctx *ctx, const vg__provider_conf *conf,
                      const vg__provider_call *call);

/* The same for a raw body of another content type (a multipart upload to a presigned
 * URL, which carries no key): url is absolute; *status_out gets the HTTP status. */
int vg__provider_send_raw(long *status_out, vg_ctx *ctx, const vg__provider_conf *conf,
                          const char *url, const char *content_type, const char *body,
                          size_t body_len, const char *what);

/* Typed reads of a JSON member: NULL (or the fallback) when absent or of another type. */
const char *vg__json_str(const cJSON *object, const char *name);
const cJSON *vg__json_obj(const cJSON *object, const char *name);
const cJSON *vg__json_arr(const cJSON *object, const char *name);
/* 1 and *out when the member is a number (an integral one for _int). */
int vg__json_num(double *out, const cJSON *object, const char *name);
int vg__json_int(int64_t *out, const cJSON *object, const char *name);

/* Copies src (NULL: "") into dst[size], truncated at a UTF-8 boundary; returns 1 when it
 * fit whole. */
int vg__copy(char *dst, size_t size, const char *src);

/* Replaces every occurrence of key in text with "***". */
void vg__redact(char *text, const char *key);

/* Records a VG_EPROVIDER_RESPONSE failure: "<provider>: <what>: the answer <problem>". */
int vg__provider_bad_answer(vg_ctx *ctx, const vg__provider_conf *conf, const char *what,
                            const char *problem);

/* Starts *job for a provider and kind (the rest empty, percent -1, api_cost_micro -1). */
void vg__job_start(vg_provider_job *job, const vg__provider_conf *conf, vg_task_kind kind);

/* The media of a kind's result: "image" for text-to-image, "video" otherwise. */
const char *vg__task_media(vg_task_kind kind);

/* Base64 (standard alphabet, padded) of len bytes, allocated on ctx; NULL when out of
 * memory. */
char *vg__base64(vg_ctx *ctx, const unsigned char *data, size_t len);

/* ---- the local provider's text services (local.c) ---------------------------------- */

/* Moderates a prompt with the built-in word lists of the five languages (the prompt is
 * normalised first, words matched whole). Fills out->blocked, reason and detail (the
 * caller fills version, message and provider). Returns VG_OK, VG_EINVAL, VG_EUTF8,
 * VG_EPROMPT_EMPTY, VG_EPROMPT_TOO_LONG. */
int vg__local_moderate(vg_moderation *out, vg_ctx *ctx, const char *prompt);

/* Writes the product-ad template around the prompt into out[size] (a prompt that is not
 * English is kept as it is: local cannot translate). Returns VG_OK, VG_EINVAL, VG_EUTF8,
 * VG_EPROMPT_EMPTY, VG_EBUFSIZE. */
int vg__local_enhance(char *out, size_t size, vg_ctx *ctx, const char *prompt,
                      const char *lang);

#endif
