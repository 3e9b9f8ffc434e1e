/* SPDX-License-Identifier: MIT */
/* The context's mailer: the way e-mail goes (host's sender, SMTP, mail directory), and sending. */
#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "email_internal.h"

#define DEFAULT_FROM "noreply@vidgo.ai"
#define DEFAULT_SMTP_PORT "587"
#define SMTPS_PORT "465"
#define DEFAULT_TIMEOUT_MS 30000
#define HOST_ERRBUF_SIZE 256

typedef enum mail_way {
    WAY_NONE = 0,
    WAY_HOST, /* the host's vg_email_fn */
    WAY_SMTP, /* lib/providers/smtp.c */
    WAY_DIR   /* one .eml file per message in a directory */
} mail_way;

struct vg__mailer {
    mail_way way;
    char *way_display; /* what vg__mailer_way() says and log lines show */
    vg_email_fn sender;
    void *payload;
    char *smtp_url;
    char *smtp_display;
    char *smtp_user;
    char *smtp_password; /* wiped on close */
    char *smtp_ca_path;
    vg_smtp_tls smtp_tls;
    long smtp_timeout_ms;
    char *mail_dir;
    char *from;      /* as configured: "address" or "Name <address>" */
    char *from_addr; /* the address alone */
    char *reset_url;
};

/* The values $VIDGO_SMTP_TLS may take, in vg_smtp_tls order. */
static const char *const tls_names[] = {"required", "try", "none"};

/* An environment variable; unset and empty are the same. */
static const char *env_get(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

/* ---- small helpers shared with compose.c and smtp.c ------------------------------------ */

void vg__email_redact(char *text, const char *const *needles, size_t count)
{
    size_t i, n, stars;
    char *p, *from;
    for (i = 0; i < count; i++) {
        if (!needles[i] || !*needles[i])
            continue;
        n = strlen(needles[i]);
        stars = n < 3 ? n : 3; /* "***" never makes the text longer */
        for (from = text; (p = strstr(from, needles[i])) != NULL; from = p + stars) {
            memset(p, '*', stars);
            memmove(p + stars, p + n, strlen(p + n) + 1);
        }
    }
    for (p = text; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = ' ';
}

/* "a***@example.com": the first character of the local part (whole, in UTF-8) and the domain. */
static void mask_address(char *out, size_t size, const char *addr)
{
    const char *at = strrchr(addr, '@');
    size_t first = 1;
    if (!at || at == addr) {
        snprintf(out, size, "***");
        return;
    }
    while (first < (size_t)(at - addr) && ((unsigned char)addr[first] & 0xc0) == 0x80)
        first++;
    snprintf(out, size, "%.*s***%s", (int)first, addr, at);
}

/* ---- opening --------------------------------------------------------------------------- */

/* A copy of s (may be NULL) on the context's allocator into *out; VG_ENOMEM when it fails. */
static int keep(vg_ctx *ctx, char **out, const char *s)
{
    if (!s)
        return VG_OK;
    *out = vg__strdup(ctx, s);
    return *out ? VG_OK : vg__fail(ctx, VG_ENOMEM, "out of memory");
}

/* No control characters, no spaces, valid UTF-8: a URL or path we may put in a message. */
static int setting_text_ok(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    if (!vg__utf8_valid(s))
        return 0;
    for (; *p; p++)
        if (*p <= 0x20 || *p == 0x7f)
            return 0;
    return 1;
}

/* smtp://host:port (smtps:// for port 465) from $SMTP_HOST and $SMTP_PORT. */
static int smtp_url_from_env(vg_ctx *ctx, char **out, const char *host)
{
    const char *port = env_get("SMTP_PORT");
    const char *scheme;
    char *end;
    long number;
    size_t size;
    int bracket;

    if (!port)
        port = DEFAULT_SMTP_PORT;
    errno = 0;
    number = strtol(port, &end, 10);
    if (errno || *end || end == port || number < 1 || number > 65535)
        return vg__fail(ctx, VG_ECONFIG, "$SMTP_PORT must be a port number 1..65535");
    if (!setting_text_ok(host) || strchr(host, '/') || strchr(host, '@'))
        return vg__fail(ctx, VG_ECONFIG, "$SMTP_HOST must be a host name or an IP address");
    scheme = strcmp(port, SMTPS_PORT) == 0 ? "smtps" : "smtp";
    bracket = strchr(host, ':') && host[0] != '['; /* an IPv6 address */
    size = strlen(scheme) + strlen(host) + 32;
    *out = vg__alloc(ctx, size);
    if (!*out)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    snprintf(*out, size, "%s://%s%s%s:%ld", scheme, bracket ? "[" : "", host,
             bracket ? "]" : "", number);
    return VG_OK;
}

static int smtp_open(vg_ctx *ctx, struct vg__mailer *m, const vg_config *c)
{
    const char *origin = c->smtp_url ? "config.smtp_url" : "$SMTP_HOST";
    const char *tls_env = env_get("VIDGO_SMTP_TLS");
    char *env_url = NULL, *url_user = NULL, *url_password = NULL;
    size_t i;
    int rc;

    if (!c->smtp_url) {
        rc = smtp_url_from_env(ctx, &env_url, env_get("SMTP_HOST"));
        if (rc != VG_OK)
            return rc;
    }
    rc = vg__smtp_url_parse(ctx, c->smtp_url ? c->smtp_url : env_url, origin, &m->smtp_url,
                            &m->smtp_display, &url_user, &url_password);
    vg__free(ctx, env_url);
    if (rc != VG_OK)
        return rc;
    /* The user: config, else $SMTP_USER, else the URL's; the password likewise. */
    rc = keep(ctx, &m->smtp_user, c->smtp_user ? c->smtp_user : env_get("SMTP_USER"));
    if (rc == VG_OK && !m->smtp_user) {
        m->smtp_user = url_user;
        url_user = NULL;
    }
    if (rc == VG_OK)
        rc = keep(ctx, &m->smtp_password,
                  c->smtp_password ? c->smtp_password : env_get("SMTP_PASSWORD"));
    if (rc == VG_OK && !m->smtp_password) {
        m->smtp_password = url_password;
        url_password = NULL;
    }
    vg__free(ctx, url_user);
    if (url_password) {
        sodium_memzero(url_password, strlen(url_password));
        vg__free(ctx, url_password);
    }
    if (rc != VG_OK)
        return rc;

    m->smtp_tls = c->smtp_tls;
    if (c->smtp_tls == VG_SMTP_TLS_REQUIRED && tls_env) {
        for (i = 0; i < sizeof tls_names / sizeof tls_names[0]; i++)
            if (strcmp(tls_env, tls_names[i]) == 0)
                break;
        if (i == sizeof tls_names / sizeof tls_names[0])
            return vg__fail(ctx, VG_ECONFIG, "$VIDGO_SMTP_TLS must be required, try or none");
        m->smtp_tls = (vg_smtp_tls)i;
    }
    if (c->smtp_ca_path && (rc = keep(ctx, &m->smtp_ca_path, c->smtp_ca_path)) != VG_OK)
        return rc;
    m->smtp_timeout_ms = c->smtp_timeout_ms ? c->smtp_timeout_ms : DEFAULT_TIMEOUT_MS;
    m->way = WAY_SMTP;
    return keep(ctx, &m->way_display, m->smtp_display);
}

/* Checks the version 2 settings that do not depend on the way chosen. */
static int settings_check(vg_ctx *ctx, const vg_config *c)
{
    if ((unsigned)c->smtp_tls >= sizeof tls_names / sizeof tls_names[0])
        return vg__fail(ctx, VG_ECONFIG, "config.smtp_tls %d is not a vg_smtp_tls",
                        (int)c->smtp_tls);
    if (c->smtp_timeout_ms < 0)
        return vg__fail(ctx, VG_ECONFIG, "config.smtp_timeout_ms must not be negative");
    if (c->smtp_ca_path && !*c->smtp_ca_path)
        return vg__fail(ctx, VG_ECONFIG, "config.smtp_ca_path is empty (NULL means the "
                                         "system's CA certificates)");
    if (c->mail_dir && !*c->mail_dir)
        return vg__fail(ctx, VG_ECONFIG, "config.mail_dir is empty");
    return VG_OK;
}

int vg__mailer_open(vg_ctx *ctx, const vg_config *config)
{
    static const vg_config defaults = VG_CONFIG_INIT;
    /* Fields of version 2 exist only in a config of version 2 or later. */
    const vg_config *c = config->version >= 2 ? config : &defaults;
    struct vg__mailer *m;
    const char *from, *reset_url, *dir;
    vg__mailbox box;
    int rc = VG_OK;

    m = vg__calloc(ctx, 1, sizeof *m);
    if (!m)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    ctx->mailer = m; /* from here on vg__mailer_close() frees what there is */

    if ((rc = settings_check(ctx, c)) != VG_OK)
        return rc;
    from = c->email_from ? c->email_from : env_get("EMAIL_FROM");
    if (!from)
        from = DEFAULT_FROM;
    if (!vg__mailbox_parse(&box, from))
        return vg__fail(ctx, VG_ECONFIG, "%s is not an e-mail address (\"address\" or "
                                         "\"Name <address>\")",
                        c->email_from ? "config.email_from" : "$EMAIL_FROM");
    if ((rc = keep(ctx, &m->from, from)) != VG_OK)
        return rc;
    m->from_addr = vg__alloc(ctx, box.addr_len + 1);
    if (!m->from_addr)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    memcpy(m->from_addr, box.addr, box.addr_len);
    m->from_addr[box.addr_len] = '\0';

    reset_url = c->reset_url ? c->reset_url : env_get("VIDGO_APP_URL");
    if (reset_url && !setting_text_ok(reset_url))
        return vg__fail(ctx, VG_ECONFIG, "%s must be a URL without spaces or control characters",
                        c->reset_url ? "config.reset_url" : "$VIDGO_APP_URL");
    if (reset_url && *reset_url && (rc = keep(ctx, &m->reset_url, reset_url)) != VG_OK)
        return rc;

    /* A malformed smtp_url is an error even when a host's sender takes precedence. */
    if (c->smtp_url && !c->email_sender) {
        rc = smtp_open(ctx, m, c);
    } else if (c->smtp_url) {
        char *url = NULL, *display = NULL, *user = NULL, *password = NULL;
        rc = vg__smtp_url_parse(ctx, c->smtp_url, "config.smtp_url", &url, &display, &user,
                                &password);
        if (password)
            sodium_memzero(password, strlen(password));
        vg__free(ctx, url);
        vg__free(ctx, display);
        vg__free(ctx, user);
        vg__free(ctx, password);
    }
    if (rc != VG_OK)
        return rc;

    /* the config's own settings come before the environment's */
    dir = c->mail_dir;
    if (!dir && !c->email_sender && m->way != WAY_SMTP && !env_get("SMTP_HOST"))
        dir = env_get("VIDGO_MAIL_DIR");
    if (c->email_sender) {
        m->way = WAY_HOST;
        m->sender = c->email_sender;
        m->payload = c->email_payload;
        rc = keep(ctx, &m->way_display, "the host's sender");
    } else if (m->way == WAY_SMTP) {
        rc = VG_OK;
    } else if (!dir && env_get("SMTP_HOST")) {
        rc = smtp_open(ctx, m, c);
    } else if (dir) {
        size_t size = strlen(dir) + sizeof "mail directory ";
        rc = keep(ctx, &m->mail_dir, dir);
        if (rc == VG_OK && !(m->way_display = vg__alloc(ctx, size)))
            rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        if (rc == VG_OK) {
            snprintf(m->way_display, size, "mail directory %s", dir);
            m->way = WAY_DIR;
        }
    }
    if (rc == VG_OK)
        vg__log(ctx, VG_LOG_DEBUG, "e-mail goes via %s",
                m->way_display ? m->way_display : "nothing (no way to send is configured)");
    return rc;
}

static void free_wiped(vg_ctx *ctx, char *s)
{
    if (s) {
        sodium_memzero(s, strlen(s));
        vg__free(ctx, s);
    }
}

void vg__mailer_close(vg_ctx *ctx)
{
    struct vg__mailer *m = ctx ? ctx->mailer : NULL;
    if (!m)
        return;
    free_wiped(ctx, m->smtp_password);
    free_wiped(ctx, m->smtp_user);
    vg__free(ctx, m->way_display);
    vg__free(ctx, m->smtp_url);
    vg__free(ctx, m->smtp_display);
    vg__free(ctx, m->smtp_ca_path);
    vg__free(ctx, m->mail_dir);
    vg__free(ctx, m->from);
    vg__free(ctx, m->from_addr);
    vg__free(ctx, m->reset_url);
    sodium_memzero(m, sizeof *m);
    vg__free(ctx, m);
    ctx->mailer = NULL;
}

const char *vg__mailer_way(const vg_ctx *ctx)
{
    return ctx && ctx->mailer && ctx->mailer->way != WAY_NONE ? ctx->mailer->way_display : NULL;
}

/* ---- the ways to send ------------------------------------------------------------------ */

static int send_host(vg_ctx *ctx, const struct vg__mailer *m, vg__email_kind kind, int lang,
                     const char *to, const vg__email_message *msg, const char *secret)
{
    vg_email email;
    char errbuf[HOST_ERRBUF_SIZE];
    const char *needles[1];
    int result;

    memset(&email, 0, sizeof email);
    email.version = VG_EMAIL_VERSION;
    email.kind = vg__email_kind_names[kind];
    email.lang = vg__lang_tags[lang];
    email.from = m->from_addr;
    email.to = to;
    email.subject = msg->subject;
    email.text = msg->text;
    email.html = msg->html;
    email.mime = msg->mime;
    errbuf[0] = '\0';
    result = m->sender(&email, errbuf, sizeof errbuf, m->payload);
    if (result == 0)
        return VG_OK;
    errbuf[sizeof errbuf - 1] = '\0';
    needles[0] = secret;
    vg__email_redact(errbuf, needles, 1);
    if (!errbuf[0])
        snprintf(errbuf, sizeof errbuf, "it failed with %d and gave no reason", result);
    return vg__fail(ctx, VG_EEMAIL_SEND, "cannot send e-mail via the host's sender: %s", errbuf);
}

/* Writes all of data to fd; returns 0 or -1 with errno set. */
static int write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

/* <dir>/<microseconds>-<random>.eml, written as a hidden temporary file first, flushed to
 * disk and renamed, so that a reader never sees half a message. */
static int send_dir(vg_ctx *ctx, const struct vg__mailer *m, const char *mime)
{
    unsigned char rnd[6];
    char hex[2 * sizeof rnd + 1];
    char *tmp = NULL, *path = NULL;
    size_t size = strlen(m->mail_dir) + 96;
    long long us = (long long)vg_ctx_now(ctx);
    const char *step = "cannot create a file";
    int fd = -1, err = 0, rc = VG_OK, dir_fd;

    randombytes_buf(rnd, sizeof rnd);
    sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
    tmp = vg__alloc(ctx, size);
    path = vg__alloc(ctx, size);
    if (!tmp || !path) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    snprintf(path, size, "%s/%lld-%s.eml", m->mail_dir, us, hex);
    snprintf(tmp, size, "%s/.%lld-%s.eml.tmp", m->mail_dir, us, hex);
    fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        err = errno;
        goto done;
    }
    step = "cannot write";
    if (write_all(fd, mime, strlen(mime)) != 0 || fsync(fd) != 0) {
        err = errno ? errno : EIO;
        goto done;
    }
    if (close(fd) != 0) {
        fd = -1;
        err = errno;
        goto done;
    }
    fd = -1;
    step = "cannot rename the file";
    if (rename(tmp, path) != 0) {
        err = errno;
        goto done;
    }
    dir_fd = open(m->mail_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd >= 0) { /* the rename itself reaches the disk */
        fsync(dir_fd);
        close(dir_fd);
    }
done:
    if (fd >= 0)
        close(fd);
    if (err) {
        if (tmp)
            unlink(tmp);
        rc = vg__fail(ctx, VG_EEMAIL_SEND, "cannot send e-mail via mail directory %s: %s (%s)",
                      m->mail_dir, step, strerror(err));
    }
    vg__free(ctx, tmp);
    vg__free(ctx, path);
    return rc;
}

int vg__email_send(vg_ctx *ctx, vg__email_kind kind, int lang, const char *to,
                   const char *secret)
{
    const struct vg__mailer *m;
    vg__email_message msg = {NULL, NULL, NULL, NULL};
    char masked[128];
    int rc;

    if (!ctx)
        return vg__fail(NULL, VG_EINVAL, "vg__email_send: ctx is NULL");
    if ((int)kind < 0 || (int)kind >= VG__EMAIL_KIND_COUNT || lang >= VG__LANG_COUNT || !to ||
        !secret)
        return vg__fail(ctx, VG_EINVAL, "vg__email_send: bad kind, language, address or secret");
    if (lang < 0)
        lang = ctx->lang;
    m = ctx->mailer;
    if (!m || m->way == WAY_NONE)
        return vg__fail(ctx, VG_ECONFIG, "no way to send e-mail is configured (set "
                                         "email_sender, smtp_url or $SMTP_HOST, or mail_dir "
                                         "or $VIDGO_MAIL_DIR)");
    rc = vg__email_compose(&msg, ctx, kind, lang, m->from, to, secret, m->reset_url,
                           vg_ctx_now(ctx));
    if (rc != VG_OK)
        return rc;
    switch (m->way) {
    case WAY_HOST:
        rc = send_host(ctx, m, kind, lang, to, &msg, secret);
        break;
    case WAY_SMTP: {
        const vg__smtp_settings smtp = {m->smtp_url,      m->smtp_display, m->smtp_user,
                                        m->smtp_password, m->smtp_tls,     m->smtp_ca_path,
                                        m->smtp_timeout_ms};
        rc = vg__smtp_send(ctx, &smtp, m->from_addr, to, msg.mime, secret);
        break;
    }
    case WAY_DIR:
        rc = send_dir(ctx, m, msg.mime);
        break;
    default:
        rc = vg__fail(ctx, VG_ERROR, "the mailer is in an unknown state");
        break;
    }
    vg__email_message_free(ctx, &msg);
    if (rc == VG_OK) {
        mask_address(masked, sizeof masked, to);
        vg__log(ctx, VG_LOG_INFO, "sent the %s e-mail (%s) to %s via %s",
                vg__email_kind_names[kind], vg__lang_tags[lang], masked, m->way_display);
    }
    return rc;
}
