/* SPDX-License-Identifier: MIT */
/* The one HTTP layer of every provider client, on libcurl: connection reuse, timeouts, a
 * response size cap, retries with backoff and full jitter that honour Retry-After, a rule
 * for requests that create paid jobs, and a circuit breaker per provider. */
#ifndef VG_PROVIDERS_HTTP_H
#define VG_PROVIDERS_HTTP_H

#include <stddef.h>

#include "../core/internal.h"

typedef struct vg__http_client vg__http_client;

typedef struct vg__http_options {
    const char *provider;       /* "gemini", ...: for messages, logs and the breaker */
    int connect_timeout_ms;     /* 0 = 10000 */
    int total_timeout_ms;       /* one attempt, whole; 0 = 60000 */
    size_t max_body;            /* the largest response body accepted; 0 = 16 MiB */
    int max_attempts;           /* the first try and its retries; 0 = 4 */
    int base_delay_ms;          /* backoff: a random wait in [0, min(max, base * 2^n)]; 0 = 500 */
    int max_delay_ms;           /* 0 = 20000; a Retry-After above it ends the retries */
    const char *ca_path;        /* a CA bundle; NULL = the system's (verification always on) */
    int breaker_failures;       /* consecutive failed calls that open the breaker; 0 = 5 */
    int breaker_cooldown_ms;    /* how long it stays open before one probe; 0 = 30000 */
} vg__http_options;

/* One request. Strings live during the call. */
typedef struct vg__http_request {
    const char *method;          /* "GET", "POST", "DELETE" */
    const char *url;             /* absolute */
    const char *const *headers;  /* "Name: value", NULL-terminated; may be NULL */
    const char *secret_header;   /* e.g. "x-goog-api-key: ..."; sent, never logged or shown */
    const char *body;            /* NULL: none */
    size_t body_len;
    const char *content_type;    /* of the body; NULL = "application/json" */
    /* 1: the request creates a paid job. It is retried only when the provider cannot have
     * acted on it (the connection failed before the request was sent, 429, or 503); after
     * a timeout or a dropped connection once the request was sent, the call ends with
     * VG_EOUTCOME_UNKNOWN and is never resent. */
    int creates_paid_job;
} vg__http_request;

typedef struct vg__http_response {
    long status;                 /* 0: no response */
    char *body;                  /* NUL-terminated, allocated; NULL when none */
    size_t body_len;
    int attempts;                /* how many were made */
} vg__http_response;

/* Makes a client for one provider (its connections and its breaker). Returns VG_OK,
 * VG_EINVAL, VG_ENOMEM. The client keeps ctx for logging and failures. Thread-safe. */
int vg__http_client_new(vg__http_client **out, vg_ctx *ctx, const vg__http_options *options);
void vg__http_client_free(vg__http_client *client);

/*
 * Sends a request, retrying as the options and the request allow. Fills *out (free it with
 * vg__http_response_free) whenever a response arrived. Returns VG_OK for a 2xx answer;
 * otherwise, recorded on the context with a message that names the provider and never
 * contains the secret header: VG_EPROVIDER_AUTH (401, 403), VG_EPROVIDER_RATE (429 after
 * the retries), VG_EPROVIDER_UNAVAILABLE (5xx after the retries), VG_EPROVIDER_REJECTED
 * (other 4xx), VG_EPROVIDER_TIMEOUT, VG_EOUTCOME_UNKNOWN (see creates_paid_job),
 * VG_ENETWORK (DNS, refused, TLS), VG_EPROVIDER_RESPONSE (body over max_body),
 * VG_ECIRCUIT_OPEN (the breaker is open: nothing was sent), VG_EINVAL, VG_ENOMEM.
 */
int vg__http_send(vg__http_response *out, vg__http_client *client,
                  const vg__http_request *request);

void vg__http_response_free(vg__http_response *response);

/* The context's client of a provider ("gemini", "leonardo", "runway", "goenhance",
 * "pollo"), made with the default options on first use and kept until the context closes,
 * so that every call to a provider shares its connections and its circuit breaker
 * (clients.c). Returns VG_OK, VG_EINVAL (an unknown provider), VG_ENOMEM. */
int vg__provider_client(vg__http_client **out, vg_ctx *ctx, const char *provider);

/* Frees the context's provider clients (at close). */
void vg__provider_clients_free(vg_ctx *ctx);

/* 1 when the client's circuit breaker is open now (calls are refused). */
int vg__http_breaker_open(vg__http_client *client);

/* The context's provider settings (settings.c): checked before the context is made,
 * copied in once its store is open, wiped at close. */
int vg__provider_settings_check(const vg_config *config);
int vg__provider_settings_open(vg_ctx *ctx, const vg_config *config);
void vg__provider_settings_free(vg_ctx *ctx);

/* Parses a Retry-After value (delta-seconds or an HTTP date, relative to `now`) into
 * seconds; -1 when it is neither. */
double vg__http_retry_after(const char *value, vg_time now);

/* For tests: when set, the waits between attempts call this with the wait in milliseconds
 * instead of sleeping. Set it before any client sends, and leave it alone while they do. */
extern void (*vg__http_sleep_hook)(int ms);

#endif
