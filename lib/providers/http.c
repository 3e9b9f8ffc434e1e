/* SPDX-License-Identifier: MIT */
/* The HTTP layer of the provider clients: pooled libcurl handles, retries with full jitter,
 * Retry-After, the paid-job rule and a circuit breaker per client. */
#include "http.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define POOL_MAX 4
#define RETRY_AFTER_MAX 128

void (*vg__http_sleep_hook)(int ms) = NULL;

struct vg__http_client {
    vg_ctx *ctx;
    vg__http_options opt; /* with the defaults filled in; strings owned below */
    char *provider;
    char *ca_path;

    pthread_mutex_t lock;
    CURL *idle[POOL_MAX];
    int idle_count;

    /* the breaker */
    int failures;      /* consecutive failed calls */
    int open;          /* 1: open (until open_until), then half-open */
    int probing;       /* 1: the half-open probe is in flight */
    vg_time open_until;
};

/* ---- the client ------------------------------------------------------------------------ */

int vg__http_client_new(vg__http_client **out, vg_ctx *ctx, const vg__http_options *options)
{
    vg__http_client *c;

    if (out)
        *out = NULL;
    if (!out || !ctx || !options || !options->provider || !*options->provider ||
        options->connect_timeout_ms < 0 || options->total_timeout_ms < 0 ||
        options->max_attempts < 0 || options->base_delay_ms < 0 || options->max_delay_ms < 0 ||
        options->breaker_failures < 0 || options->breaker_cooldown_ms < 0)
        return vg__fail(ctx, VG_EINVAL, "invalid HTTP client options");
    c = vg__calloc(ctx, 1, sizeof *c);
    if (!c)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    c->ctx = ctx;
    c->opt = *options;
    c->provider = vg__strdup(ctx, options->provider);
    c->ca_path = options->ca_path ? vg__strdup(ctx, options->ca_path) : NULL;
    if (!c->provider || (options->ca_path && !c->ca_path)) {
        vg__free(ctx, c->provider);
        vg__free(ctx, c->ca_path);
        vg__free(ctx, c);
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    }
    c->opt.provider = c->provider;
    c->opt.ca_path = c->ca_path;
    if (!c->opt.connect_timeout_ms)
        c->opt.connect_timeout_ms = 10000;
    if (!c->opt.total_timeout_ms)
        c->opt.total_timeout_ms = 60000;
    if (!c->opt.max_body)
        c->opt.max_body = (size_t)16 << 20;
    if (!c->opt.max_attempts)
        c->opt.max_attempts = 4;
    if (!c->opt.base_delay_ms)
        c->opt.base_delay_ms = 500;
    if (!c->opt.max_delay_ms)
        c->opt.max_delay_ms = 20000;
    if (!c->opt.breaker_failures)
        c->opt.breaker_failures = 5;
    if (!c->opt.breaker_cooldown_ms)
        c->opt.breaker_cooldown_ms = 30000;
    pthread_mutex_init(&c->lock, NULL);
    *out = c;
    return VG_OK;
}

void vg__http_client_free(vg__http_client *client)
{
    int i;
    if (!client)
        return;
    for (i = 0; i < client->idle_count; i++)
        curl_easy_cleanup(client->idle[i]);
    pthread_mutex_destroy(&client->lock);
    vg__free(client->ctx, client->provider);
    vg__free(client->ctx, client->ca_path);
    vg__free(client->ctx, client);
}

void vg__http_response_free(vg__http_response *response)
{
    if (!response)
        return;
    free(response->body);
    response->body = NULL;
    response->body_len = 0;
}

/* A handle from the pool (its connections stay open between calls), or a new one. */
static CURL *handle_take(vg__http_client *c)
{
    CURL *h = NULL;
    pthread_mutex_lock(&c->lock);
    if (c->idle_count > 0)
        h = c->idle[--c->idle_count];
    pthread_mutex_unlock(&c->lock);
    return h ? h : curl_easy_init();
}

static void handle_give(vg__http_client *c, CURL *h)
{
    pthread_mutex_lock(&c->lock);
    if (c->idle_count < POOL_MAX) {
        c->idle[c->idle_count++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    if (h)
        curl_easy_cleanup(h);
}

/* ---- the breaker ----------------------------------------------------------------------- */

int vg__http_breaker_open(vg__http_client *c)
{
    int open;
    if (!c)
        return 0;
    pthread_mutex_lock(&c->lock);
    open = c->open && vg_ctx_now(c->ctx) < c->open_until;
    pthread_mutex_unlock(&c->lock);
    return open;
}

/* VG_OK when a call may go out (a probe when the breaker is half-open). */
static int breaker_enter(vg__http_client *c, int *probe)
{
    vg_time now = vg_ctx_now(c->ctx);
    int rc = VG_OK;

    *probe = 0;
    pthread_mutex_lock(&c->lock);
    if (c->open) {
        if (now < c->open_until || c->probing)
            rc = VG_ECIRCUIT_OPEN;
        else
            c->probing = *probe = 1;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static int is_breaker_failure(int rc)
{
    return rc == VG_EPROVIDER_UNAVAILABLE || rc == VG_EPROVIDER_TIMEOUT || rc == VG_ENETWORK ||
           rc == VG_EOUTCOME_UNKNOWN;
}

static void breaker_leave(vg__http_client *c, int probe, int rc)
{
    vg_time now = vg_ctx_now(c->ctx);

    pthread_mutex_lock(&c->lock);
    if (probe)
        c->probing = 0;
    if (is_breaker_failure(rc)) {
        c->failures++;
        if (probe || c->failures >= c->opt.breaker_failures) {
            if (!c->open || probe)
                vg__log(c->ctx, VG_LOG_WARN, "http %s: circuit breaker open for %d ms",
                        c->provider, c->opt.breaker_cooldown_ms);
            c->open = 1;
            c->open_until = now + (vg_time)c->opt.breaker_cooldown_ms * 1000;
        }
    } else {
        if (c->open && probe)
            vg__log(c->ctx, VG_LOG_INFO, "http %s: circuit breaker closed", c->provider);
        if (!c->open || probe) {
            c->failures = 0;
            c->open = 0;
        }
    }
    pthread_mutex_unlock(&c->lock);
}

/* ---- Retry-After ----------------------------------------------------------------------- */

double vg__http_retry_after(const char *value, vg_time now)
{
    char buf[RETRY_AFTER_MAX];
    size_t n, i;
    const char *s;
    time_t t;
    double d;

    if (!value)
        return -1;
    while (*value == ' ' || *value == '\t')
        value++;
    n = strlen(value);
    while (n > 0 && isspace((unsigned char)value[n - 1]))
        n--;
    if (n == 0 || n >= sizeof buf)
        return -1;
    memcpy(buf, value, n);
    buf[n] = '\0';
    for (i = 0; i < n && isdigit((unsigned char)buf[i]); i++)
        ;
    if (i == n) {
        d = 0;
        for (s = buf; *s; s++) {
            d = d * 10 + (*s - '0');
            if (d > 1e9)
                return 1e9;
        }
        return d;
    }
    if (!isalpha((unsigned char)buf[0]))
        return -1;
    t = curl_getdate(buf, NULL);
    if (t == (time_t)-1)
        return -1;
    d = (double)t - (double)now / 1e6;
    return d > 0 ? d : 0;
}

/* ---- one attempt ----------------------------------------------------------------------- */

/* The body of one answer (on malloc: vg__http_response_free has no context) and its
 * Retry-After. */
typedef struct sink {
    char *data;
    size_t len, cap, max;
    int over;      /* the body passed max */
    int nomem;
    char retry_after[RETRY_AFTER_MAX];
} sink;

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb;
    char *grown;

    if (n > s->max - s->len) {
        s->over = 1;
        return 0;
    }
    if (s->len + n + 1 > s->cap) {
        size_t cap = s->cap ? s->cap : 4096;
        while (cap < s->len + n + 1)
            cap *= 2;
        grown = realloc(s->data, cap);
        if (!grown) {
            s->nomem = 1;
            return 0;
        }
        s->data = grown;
        s->cap = cap;
    }
    memcpy(s->data + s->len, ptr, n);
    s->len += n;
    s->data[s->len] = '\0';
    return n;
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    sink *s = userdata;
    size_t n = size * nmemb, len;
    const char *v;

    if (n >= 5 && memcmp(ptr, "HTTP/", 5) == 0) {
        s->retry_after[0] = '\0'; /* a new response (after 100 Continue, say) */
    } else if (n > 12 && strncasecmp(ptr, "Retry-After:", 12) == 0) {
        v = ptr + 12;
        len = n - 12;
        while (len > 0 && (v[len - 1] == '\r' || v[len - 1] == '\n'))
            len--;
        if (len >= sizeof s->retry_after)
            len = sizeof s->retry_after - 1;
        memcpy(s->retry_after, v, len);
        s->retry_after[len] = '\0';
    }
    return n;
}

/* The URL without its query or fragment, for logs and messages (a key may sit there). */
static void url_shown(char *buf, size_t size, const char *url)
{
    size_t n = strcspn(url, "?#");
    if (n >= size)
        n = size - 1;
    memcpy(buf, url, n);
    buf[n] = '\0';
}

/* Wipes and frees a header list (it may hold the secret header). */
static void headers_free(struct curl_slist *list)
{
    struct curl_slist *p;
    for (p = list; p; p = p->next)
        if (p->data)
            sodium_memzero(p->data, strlen(p->data));
    curl_slist_free_all(list);
}

static struct curl_slist *headers_make(const vg__http_request *r, int *ok)
{
    struct curl_slist *list = NULL, *next;
    char ctype[256];
    size_t i;

    *ok = 1;
#define ADD(s)                                   \
    do {                                         \
        next = curl_slist_append(list, (s));     \
        if (!next) {                             \
            *ok = 0;                             \
            return list;                         \
        }                                        \
        list = next;                             \
    } while (0)
    ADD("Expect:");
    if (r->body) {
        snprintf(ctype, sizeof ctype, "Content-Type: %s",
                 r->content_type ? r->content_type : "application/json");
        ADD(ctype);
    }
    for (i = 0; r->headers && r->headers[i]; i++)
        ADD(r->headers[i]);
    if (r->secret_header)
        ADD(r->secret_header);
#undef ADD
    return list;
}

/* What one attempt came to. */
typedef struct outcome {
    CURLcode cc;
    long status;
    int over, nomem;
    double retry_after; /* -1: none */
    char errbuf[CURL_ERROR_SIZE];
} outcome;

static void attempt(vg__http_client *c, CURL *h, const vg__http_request *r,
                    struct curl_slist *headers, sink *s, outcome *o)
{
    int is_get = strcmp(r->method, "GET") == 0, is_post = strcmp(r->method, "POST") == 0;

    curl_easy_reset(h);
    o->errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, r->url);
    /* On a kept-alive connection that turns out dead, libcurl resends the request on a
     * fresh one by itself; a request that creates a paid job must go out at most once. */
    curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, r->creates_paid_job ? 1L : 0L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)c->opt.connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)c->opt.total_timeout_ms);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (c->ca_path)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_path);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, s);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, o->errbuf);
    if (is_get) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else {
        if (!is_post)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r->method);
        if (r->body || is_post) {
            curl_easy_setopt(h, CURLOPT_POST, 1L);
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, r->body ? r->body : "");
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                             (curl_off_t)(r->body ? r->body_len : 0));
        }
    }
    o->cc = curl_easy_perform(h);
    o->status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &o->status);
    o->over = s->over;
    o->nomem = s->nomem;
    o->retry_after = s->retry_after[0]
                         ? vg__http_retry_after(s->retry_after, vg_time_now_system())
                         : -1;
}

/* ---- deciding -------------------------------------------------------------------------- */

enum { FINAL = 0, RETRY = 1 };

/* Classifies an attempt: the code it would end the call with, and whether it may be
 * retried. *why is a short reason for messages. */
static int classify(const vg__http_request *r, const outcome *o, int *rc, const char **why)
{
    int paid = r->creates_paid_job;

    *why = NULL;
    if (o->nomem) {
        *rc = VG_ENOMEM;
        return FINAL;
    }
    if (o->over) {
        *rc = VG_EPROVIDER_RESPONSE;
        *why = "the answer is larger than the limit";
        return FINAL;
    }
    switch (o->cc) {
    case CURLE_OK:
        break;
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY:
    case CURLE_COULDNT_CONNECT:
        *rc = VG_ENETWORK; /* nothing was sent */
        return RETRY;
    case CURLE_OPERATION_TIMEDOUT:
        *rc = paid ? VG_EOUTCOME_UNKNOWN : VG_EPROVIDER_TIMEOUT;
        *why = "no answer in time";
        return paid ? FINAL : RETRY;
    case CURLE_GOT_NOTHING:
    case CURLE_SEND_ERROR:
        *rc = paid ? VG_EOUTCOME_UNKNOWN : VG_ENETWORK;
        *why = "the connection dropped";
        return paid ? FINAL : RETRY;
    case CURLE_RECV_ERROR:
    case CURLE_PARTIAL_FILE:
        *rc = paid ? VG_EOUTCOME_UNKNOWN : VG_EPROVIDER_RESPONSE;
        *why = "the answer was cut short or malformed";
        return paid ? FINAL : RETRY;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        *rc = VG_EINVAL;
        *why = "bad URL";
        return FINAL;
    default:
        /* TLS and everything else: a retry would not help; a paid request may have gone. */
        *rc = paid && o->status ? VG_EOUTCOME_UNKNOWN : VG_ENETWORK;
        return FINAL;
    }
    if (o->status >= 200 && o->status < 300) {
        *rc = VG_OK;
        return FINAL;
    }
    if (o->status == 401 || o->status == 403) {
        *rc = VG_EPROVIDER_AUTH;
        *why = "the API key was refused";
        return FINAL;
    }
    if (o->status == 429) {
        *rc = VG_EPROVIDER_RATE;
        *why = "rate limited";
        return RETRY;
    }
    if (o->status == 503) {
        *rc = VG_EPROVIDER_UNAVAILABLE;
        *why = "unavailable";
        return RETRY;
    }
    if (o->status == 500 || o->status == 502 || o->status == 504) {
        *rc = paid ? VG_EOUTCOME_UNKNOWN : VG_EPROVIDER_UNAVAILABLE;
        *why = "server error";
        return paid ? FINAL : RETRY;
    }
    if (o->status >= 500) {
        *rc = VG_EPROVIDER_UNAVAILABLE;
        *why = "server error";
        return FINAL;
    }
    if (o->status >= 400) {
        *rc = VG_EPROVIDER_REJECTED;
        *why = "the request was rejected";
        return FINAL;
    }
    *rc = VG_EPROVIDER_RESPONSE;
    *why = "unexpected HTTP status";
    return FINAL;
}

/* A random wait in [0, min(max_delay, base * 2^n)] milliseconds. */
static int jitter_ms(const vg__http_client *c, int n)
{
    long long cap = c->opt.base_delay_ms;
    while (n-- > 0 && cap < c->opt.max_delay_ms)
        cap *= 2;
    if (cap > c->opt.max_delay_ms)
        cap = c->opt.max_delay_ms;
    return (int)randombytes_uniform((uint32_t)cap + 1);
}

static void wait_ms(int ms)
{
    struct timespec ts, left;
    if (vg__http_sleep_hook) {
        vg__http_sleep_hook(ms);
        return;
    }
    ts.tv_sec = ms / 1000;
    ts.tv_nsec = (long)(ms % 1000) * 1000000L;
    while (nanosleep(&ts, &left) != 0 && errno == EINTR)
        ts = left;
}

/* The curl error text when it cannot hold the secret, else curl's name for the code. */
static const char *curl_reason(const vg__http_request *r, const outcome *o)
{
    const char *value;
    if (!o->errbuf[0])
        return curl_easy_strerror(o->cc);
    if (r->secret_header) {
        value = strchr(r->secret_header, ':');
        value = value ? value + 1 : r->secret_header;
        while (*value == ' ')
            value++;
        if (*value && strstr(o->errbuf, value))
            return curl_easy_strerror(o->cc);
    }
    return o->errbuf;
}

static int fail_final(vg__http_client *c, const vg__http_request *r, const char *shown,
                      const outcome *o, int rc, const char *why, int attempts)
{
    if (rc == VG_ENOMEM)
        return vg__fail(c->ctx, rc, "out of memory");
    if (o->cc == CURLE_OK || o->over)
        return vg__fail(c->ctx, rc, "%s: %s %s: HTTP %ld (%s) after %d attempt%s", c->provider,
                        r->method, shown, o->status, why ? why : "error", attempts,
                        attempts == 1 ? "" : "s");
    if (rc == VG_EOUTCOME_UNKNOWN)
        return vg__fail(c->ctx, rc,
                        "%s: %s %s: %s (%s); the request may have been acted upon and was "
                        "not resent",
                        c->provider, r->method, shown, why ? why : "failed", curl_reason(r, o));
    return vg__fail(c->ctx, rc, "%s: %s %s: %s%s%s after %d attempt%s", c->provider, r->method,
                    shown, curl_reason(r, o), why ? ": " : "", why ? why : "", attempts,
                    attempts == 1 ? "" : "s");
}

/* ---- sending --------------------------------------------------------------------------- */

int vg__http_send(vg__http_response *out, vg__http_client *client,
                  const vg__http_request *request)
{
    struct curl_slist *headers = NULL;
    char shown[512];
    outcome o;
    sink s;
    CURL *h = NULL;
    int rc = VG_OK, probe = 0, entered = 0, n, ok, decision, wait;
    const char *why = NULL;
    struct timespec t0, t1;

    if (out)
        memset(out, 0, sizeof *out);
    if (!out || !client || !request || !request->method || !request->url ||
        (request->body_len && !request->body))
        return vg__fail(client ? client->ctx : NULL, VG_EINVAL, "invalid HTTP request");
    url_shown(shown, sizeof shown, request->url);
    memset(&s, 0, sizeof s);
    memset(&o, 0, sizeof o);
    rc = breaker_enter(client, &probe);
    if (rc != VG_OK)
        return vg__fail(client->ctx, rc,
                        "%s: calls are paused after repeated failures (circuit breaker open)",
                        client->provider);
    entered = 1;
    headers = headers_make(request, &ok);
    h = handle_take(client);
    if (!ok || !h) {
        rc = vg__fail(client->ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    for (n = 0; n < client->opt.max_attempts; n++) {
        free(s.data);
        memset(&s, 0, sizeof s);
        s.max = client->opt.max_body;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        attempt(client, h, request, headers, &s, &o);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        out->attempts = n + 1;
        decision = classify(request, &o, &rc, &why);
        if (o.cc == CURLE_OK || o.over)
            vg__log(client->ctx, VG_LOG_DEBUG, "http %s: %s %s -> %ld (attempt %d, %.0f ms)",
                    client->provider, request->method, shown, o.status, n + 1,
                    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        else
            vg__log(client->ctx, VG_LOG_DEBUG, "http %s: %s %s -> %s (attempt %d, %.0f ms)",
                    client->provider, request->method, shown, curl_easy_strerror(o.cc), n + 1,
                    (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                        (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
        if (decision == FINAL || n + 1 >= client->opt.max_attempts)
            break;
        wait = jitter_ms(client, n);
        if (o.retry_after >= 0) {
            if (o.retry_after * 1000 > client->opt.max_delay_ms) {
                vg__log(client->ctx, VG_LOG_DEBUG,
                        "http %s: Retry-After %.0f s is beyond the longest wait; giving up",
                        client->provider, o.retry_after);
                break;
            }
            if (o.retry_after * 1000 > wait)
                wait = (int)(o.retry_after * 1000);
        }
        wait_ms(wait);
    }
    if (o.status) {
        out->status = o.status;
        if (o.over) {
            free(s.data);
            memset(&s, 0, sizeof s);
        }
        out->body = s.data;
        out->body_len = s.len;
        s.data = NULL;
    }
    if (rc != VG_OK)
        rc = fail_final(client, request, shown, &o, rc, why, out->attempts);

done:
    free(s.data);
    headers_free(headers);
    if (h)
        handle_give(client, h);
    if (entered)
        breaker_leave(client, probe, rc);
    return rc;
}
