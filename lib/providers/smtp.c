/* SPDX-License-Identifier: MIT */
/* The built-in SMTP sender: one composed message handed to a mail server with libcurl. */
#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "../email/email_internal.h"

/* ---- the URL --------------------------------------------------------------------------- */

/* A copy on the context's allocator of a string libcurl allocated, which is then wiped and
 * freed; *ok drops to 0 when the copy cannot be made. */
static char *take_curl_string(vg_ctx *ctx, char *s, int *ok)
{
    char *copy;
    if (!s)
        return NULL;
    copy = vg__strdup(ctx, s);
    if (!copy)
        *ok = 0;
    sodium_memzero(s, strlen(s));
    curl_free(s);
    return copy;
}

int vg__smtp_url_parse(vg_ctx *ctx, const char *url, const char *origin, char **out_url,
                       char **out_display, char **out_user, char **out_password)
{
    CURLU *u;
    CURLUcode uc;
    char *scheme = NULL, *host = NULL, *port = NULL, *user = NULL, *password = NULL;
    char *clean = NULL, *display = NULL;
    size_t i, size;
    int ok = 1, rc = VG_OK;

    *out_url = *out_display = *out_user = *out_password = NULL;
    if (strncasecmp(url, "smtp://", 7) != 0 && strncasecmp(url, "smtps://", 8) != 0)
        return vg__fail(ctx, VG_ECONFIG, "%s must start with smtp:// or smtps://", origin);
    for (i = 0; url[i]; i++)
        if ((unsigned char)url[i] <= 0x20 || url[i] == 0x7f)
            return vg__fail(ctx, VG_ECONFIG, "%s must not contain spaces or control characters",
                            origin);
    u = curl_url();
    if (!u)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    uc = curl_url_set(u, CURLUPART_URL, url, 0);
    if (uc != CURLUE_OK) {
        rc = vg__fail(ctx, VG_ECONFIG, "%s is not a valid URL (%s)", origin,
                      curl_url_strerror(uc));
        goto done;
    }
    if (curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK || !host || !*host) {
        rc = vg__fail(ctx, VG_ECONFIG, "%s has no host name", origin);
        goto done;
    }
    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
    curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
    if (!scheme || !port) {
        rc = vg__fail(ctx, VG_ECONFIG, "%s is not a valid URL", origin);
        goto done;
    }
    /* User information moves out of the URL, so that the URL is safe to keep and show. */
    if (curl_url_get(u, CURLUPART_USER, &user, CURLU_URLDECODE) == CURLUE_OK)
        curl_url_set(u, CURLUPART_USER, NULL, 0);
    if (curl_url_get(u, CURLUPART_PASSWORD, &password, CURLU_URLDECODE) == CURLUE_OK)
        curl_url_set(u, CURLUPART_PASSWORD, NULL, 0);
    if (curl_url_get(u, CURLUPART_URL, &clean, 0) != CURLUE_OK || !clean) {
        rc = vg__fail(ctx, VG_ECONFIG, "%s is not a valid URL", origin);
        goto done;
    }
    size = strlen(scheme) + strlen(host) + strlen(port) + 5;
    display = vg__alloc(ctx, size);
    if (display)
        snprintf(display, size, "%s://%s:%s", scheme, host, port);
    *out_url = take_curl_string(ctx, clean, &ok);
    clean = NULL;
    *out_user = take_curl_string(ctx, user, &ok);
    user = NULL;
    *out_password = take_curl_string(ctx, password, &ok);
    password = NULL;
    *out_display = display;
    if (!ok || !display) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        vg__free(ctx, *out_url);
        vg__free(ctx, *out_display);
        vg__free(ctx, *out_user);
        if (*out_password)
            sodium_memzero(*out_password, strlen(*out_password));
        vg__free(ctx, *out_password);
        *out_url = *out_display = *out_user = *out_password = NULL;
    }
done:
    if (password)
        sodium_memzero(password, strlen(password));
    curl_free(password);
    curl_free(user);
    curl_free(clean);
    curl_free(scheme);
    curl_free(host);
    curl_free(port);
    curl_url_cleanup(u);
    return rc;
}

/* ---- sending --------------------------------------------------------------------------- */

/* The message that libcurl reads for SMTP DATA. */
typedef struct upload {
    const char *data;
    size_t len;
    size_t pos;
} upload;

static size_t upload_read(char *buffer, size_t size, size_t nitems, void *payload)
{
    upload *up = payload;
    size_t room = size * nitems, n = up->len - up->pos;
    if (n > room)
        n = room;
    memcpy(buffer, up->data + up->pos, n);
    up->pos += n;
    return n;
}

/* The server's last reply line, which says more than libcurl's "RCPT failed: 550". Only
 * what the server sends is kept: what we send (AUTH) never is. */
typedef struct transcript {
    char last_reply[200];
} transcript;

static int on_debug(CURL *curl, curl_infotype type, char *data, size_t size, void *payload)
{
    transcript *t = payload;
    (void)curl;
    if (type != CURLINFO_HEADER_IN || (size >= 3 && memcmp(data, "221", 3) == 0))
        return 0; /* 221 answers the QUIT that follows a failure */
    while (size > 0 && (data[size - 1] == '\r' || data[size - 1] == '\n'))
        size--;
    if (size >= sizeof t->last_reply)
        size = sizeof t->last_reply - 1;
    memcpy(t->last_reply, data, size);
    t->last_reply[size] = '\0';
    return 0;
}

static long use_ssl_of(vg_smtp_tls tls)
{
    static const long levels[] = {
        [VG_SMTP_TLS_REQUIRED] = (long)CURLUSESSL_ALL,
        [VG_SMTP_TLS_TRY] = (long)CURLUSESSL_TRY,
        [VG_SMTP_TLS_NONE] = (long)CURLUSESSL_NONE,
    };
    return (unsigned)tls < sizeof levels / sizeof levels[0] ? levels[tls] : (long)CURLUSESSL_ALL;
}

/* What to add to libcurl's reason for the failures people meet when setting SMTP up. */
static const struct {
    CURLcode code;
    const char *hint;
} hints[] = {
    {CURLE_USE_SSL_FAILED, " (the server does not offer STARTTLS and TLS is required: use "
                           "smtps://, a server with STARTTLS, or smtp_tls \"try\")"},
    {CURLE_PEER_FAILED_VERIFICATION, " (the server's certificate is not trusted: set "
                                     "smtp_ca_path to the CA that signed it)"},
    {CURLE_LOGIN_DENIED, " (the server refused the SMTP user name or password)"},
    {CURLE_RECV_ERROR, " (the server closed the connection)"},
    {CURLE_GOT_NOTHING, " (the server closed the connection)"},
};

static const char *hint_of(CURLcode res)
{
    size_t i;
    for (i = 0; i < sizeof hints / sizeof hints[0]; i++)
        if (hints[i].code == res)
            return hints[i].hint;
    return "";
}

int vg__smtp_send(vg_ctx *ctx, const vg__smtp_settings *smtp, const char *from, const char *to,
                  const char *mime, const char *secret)
{
    CURL *curl = curl_easy_init();
    CURLcode res = CURLE_OK;
    struct curl_slist *rcpt = NULL;
    char errbuf[CURL_ERROR_SIZE];
    char reason[CURL_ERROR_SIZE + 512], os_reason[128];
    transcript log = {""};
    char *mail_from = NULL, *rcpt_to = NULL;
    upload up = {mime, strlen(mime), 0};
    const char *needles[3], *hint;
    long os_errno = 0;
    size_t n;
    int rc = VG_OK;

    errbuf[0] = '\0';
    if (!curl) {
        rc = vg__fail(ctx, VG_EEMAIL_SEND, "cannot send e-mail via %s: cannot start libcurl",
                      smtp->display);
        goto done;
    }
    n = strlen(from) + 3;
    mail_from = vg__alloc(ctx, n);
    if (mail_from)
        snprintf(mail_from, n, "<%s>", from);
    n = strlen(to) + 3;
    rcpt_to = vg__alloc(ctx, n);
    if (rcpt_to) {
        snprintf(rcpt_to, n, "<%s>", to);
        rcpt = curl_slist_append(NULL, rcpt_to);
    }
    if (!mail_from || !rcpt) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }

#define SET(option, value)                                                                     \
    do {                                                                                       \
        if (res == CURLE_OK)                                                                   \
            res = curl_easy_setopt(curl, option, value);                                       \
    } while (0)
    SET(CURLOPT_ERRORBUFFER, errbuf);
    SET(CURLOPT_URL, smtp->url);
#if LIBCURL_VERSION_NUM >= 0x075500
    SET(CURLOPT_PROTOCOLS_STR, "smtp,smtps");
#else
    SET(CURLOPT_PROTOCOLS, (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS));
#endif
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_DEBUGFUNCTION, on_debug);
    SET(CURLOPT_DEBUGDATA, &log);
    SET(CURLOPT_VERBOSE, 1L); /* for on_debug only; nothing is printed */
    SET(CURLOPT_MAIL_FROM, mail_from);
    SET(CURLOPT_MAIL_RCPT, rcpt);
    SET(CURLOPT_UPLOAD, 1L);
    SET(CURLOPT_READFUNCTION, upload_read);
    SET(CURLOPT_READDATA, &up);
    SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
    SET(CURLOPT_USE_SSL, use_ssl_of(smtp->tls));
    SET(CURLOPT_SSL_VERIFYPEER, 1L);
    SET(CURLOPT_SSL_VERIFYHOST, 2L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, smtp->timeout_ms);
    SET(CURLOPT_TIMEOUT_MS, smtp->timeout_ms);
    if (smtp->ca_path)
        SET(CURLOPT_CAINFO, smtp->ca_path);
    if (smtp->user) {
        SET(CURLOPT_USERNAME, smtp->user);
        SET(CURLOPT_PASSWORD, smtp->password ? smtp->password : "");
    }
#undef SET
    if (res == CURLE_OK)
        res = curl_easy_perform(curl);
    if (res == CURLE_OK)
        goto done;
    hint = hint_of(res);

    errbuf[sizeof errbuf - 1] = '\0';
    /* "Couldn't connect to server" says less than the system's "Connection refused". */
    if (res == CURLE_COULDNT_CONNECT &&
        curl_easy_getinfo(curl, CURLINFO_OS_ERRNO, &os_errno) == CURLE_OK && os_errno &&
        !strstr(errbuf, strerror((int)os_errno))) {
        snprintf(os_reason, sizeof os_reason, " (%s)", strerror((int)os_errno));
        hint = os_reason;
    }
    n = (size_t)snprintf(reason, sizeof reason, "%s%s",
                         errbuf[0] ? errbuf : curl_easy_strerror(res), hint);
    /* A refusal (4xx, 5xx) in the server's words, when libcurl gave only the number. */
    if ((log.last_reply[0] == '4' || log.last_reply[0] == '5') &&
        !strstr(reason, log.last_reply) && n < sizeof reason)
        snprintf(reason + n, sizeof reason - n, " (the server said \"%s\")", log.last_reply);
    needles[0] = smtp->password;
    needles[1] = smtp->user;
    needles[2] = secret;
    vg__email_redact(reason, needles, 3);
    rc = vg__fail(ctx, VG_EEMAIL_SEND, "cannot send e-mail via %s: %s", smtp->display, reason);
done:
    if (curl)
        curl_easy_cleanup(curl);
    curl_slist_free_all(rcpt);
    vg__free(ctx, mail_from);
    vg__free(ctx, rcpt_to);
    sodium_memzero(errbuf, sizeof errbuf);
    sodium_memzero(reason, sizeof reason);
    return rc;
}
