/* SPDX-License-Identifier: MIT */
/* The library's e-mail: messages composed from the table of messages.c, and the mailer that
 * sends them through the host's sender, SMTP (lib/providers/smtp.c) or a mail directory. */
#ifndef VG_EMAIL_INTERNAL_H
#define VG_EMAIL_INTERNAL_H

#include "../core/internal.h"
#include "../i18n/i18n.h"

typedef enum vg__email_kind {
    VG__EMAIL_VERIFY = 0, /* carries a 6-digit verification code */
    VG__EMAIL_RESET = 1   /* carries a password-reset token (and a link when configured) */
} vg__email_kind;

/* A composed message; every string is allocated with the context's allocator. */
typedef struct vg__email_message {
    char *subject; /* plain UTF-8 */
    char *text;
    char *html;
    char *mime;    /* the whole RFC 5322 message, CRLF line ends */
} vg__email_message;

/* Opens the context's mailer from the config (its version 2 fields) and the environment.
 * A context without any way to send still opens (sending then fails with VG_ECONFIG).
 * Returns VG_OK, VG_ECONFIG for a malformed setting, VG_ENOMEM. */
int vg__mailer_open(vg_ctx *ctx, const vg_config *config);

/* Frees the mailer (wiping the SMTP password); NULL mailer is a no-op. */
void vg__mailer_close(vg_ctx *ctx);

/* Composes the message of `kind` in language `lang` (an index of vg_lang_tag) from `from`
 * to `to`, carrying `secret` (the code or token) and, for a reset with reset_url set, a
 * link reset_url?token=<secret>. `from` is an address or "Name <address>". Returns VG_OK,
 * VG_EINVAL (an address that is not one plain address, e.g. with CR or LF in it; a bad
 * kind or language; an empty secret), VG_ENOMEM. */
int vg__email_compose(vg__email_message *out, vg_ctx *ctx, vg__email_kind kind, int lang,
                      const char *from, const char *to, const char *secret,
                      const char *reset_url, vg_time now);

/* Frees the strings of a composed message (NULL fields are fine). */
void vg__email_message_free(vg_ctx *ctx, vg__email_message *message);

/* Composes and sends one message the configured way, in language `lang` (negative: the
 * context's), and logs one INFO line (kind, language, masked recipient). Returns VG_OK,
 * VG_EEMAIL_SEND (the message says why, never with the secret, the SMTP user name or
 * password), VG_ECONFIG (no way to send is configured), VG_EINVAL (see vg__email_compose),
 * VG_ENOMEM. */
int vg__email_send(vg_ctx *ctx, vg__email_kind kind, int lang, const char *to,
                   const char *secret);

/* ---- the table of messages (messages.c) ------------------------------------------------ */

#define VG__EMAIL_KIND_COUNT 2

/* One message in one language. Placeholders ({code}, {token}, {minutes}, {link_block},
 * {link}) are listed in messages.c; compose.c replaces them. */
typedef struct vg__email_template {
    const char *subject;   /* plain UTF-8 */
    const char *text;      /* the plain-text body, LF line ends */
    const char *html;      /* a fragment placed at {body} of vg__email_html_frame */
    const char *link_text; /* reset: the paragraph {link_block} gets with a link; else NULL */
    const char *link_html;
} vg__email_template;

/* [kind][language index] */
extern const vg__email_template vg__email_templates[VG__EMAIL_KIND_COUNT][VG__LANG_COUNT];
/* "verify", "reset" (vg_email.kind) */
extern const char *const vg__email_kind_names[VG__EMAIL_KIND_COUNT];
/* How long the code (VG_CODE_TTL_S) or the reset token (VG_RESET_TTL_S) stays valid. */
extern const int vg__email_valid_minutes[VG__EMAIL_KIND_COUNT];
/* The HTML document around every message: {lang}, {title} and {body}. */
extern const char vg__email_html_frame[];

/* ---- helpers shared by compose.c, mailer.c and smtp.c ----------------------------------- */

/* A mailbox as written in a setting: "address" or "Display Name <address>". The pointers
 * point into the parsed text; name is NULL when there is none. */
typedef struct vg__mailbox {
    const char *name;
    size_t name_len;
    const char *addr;
    size_t addr_len;
} vg__mailbox;

/* Parses a mailbox; the address must be one plain address (local@domain, no spaces, quotes,
 * brackets, commas or control characters; valid UTF-8) and the name must hold no control
 * characters. Returns 1 if it is well-formed, else 0. */
int vg__mailbox_parse(vg__mailbox *out, const char *text);

/* Replaces every occurrence of each non-empty needle in text by "***", and control
 * characters by spaces: for reasons that come from elsewhere (a host's sender, libcurl)
 * before they go into a message. */
void vg__email_redact(char *text, const char *const *needles, size_t count);

/* ---- the built-in SMTP sender (lib/providers/smtp.c, libcurl) --------------------------- */

/* What the mailer keeps of an SMTP setting. */
typedef struct vg__smtp_settings {
    const char *url;      /* smtp:// or smtps://, without user information */
    const char *display;  /* scheme://host:port, safe to show */
    const char *user;     /* NULL: no AUTH */
    const char *password; /* NULL: none */
    vg_smtp_tls tls;
    const char *ca_path;  /* NULL: the system's CA certificates */
    long timeout_ms;      /* > 0 */
} vg__smtp_settings;

/* Checks an SMTP URL from `origin` (e.g. "config.smtp_url", named in messages; the URL itself
 * is never echoed, it may carry a password): the scheme must be smtp or smtps and a host must
 * be there. Allocates with the context's allocator: *out_url (the URL without user
 * information), *out_display ("smtps://host:465", the port always written) and, when the URL
 * carries them, *out_user and *out_password (else NULL). Returns VG_OK, VG_ECONFIG,
 * VG_ENOMEM. */
int vg__smtp_url_parse(vg_ctx *ctx, const char *url, const char *origin, char **out_url,
                       char **out_display, char **out_user, char **out_password);

/* Sends one composed message (`mime`, CRLF line ends) from `from` to `to` (plain addresses).
 * Returns VG_OK or VG_EEMAIL_SEND, whose message ("cannot send e-mail via <display>: why")
 * never holds the password, the user name or `secret`. */
int vg__smtp_send(vg_ctx *ctx, const vg__smtp_settings *smtp, const char *from, const char *to,
                  const char *mime, const char *secret);

/* ---- the mailer's state, for tests ------------------------------------------------------ */

/* Says how the context sends e-mail: "the host's sender", "smtp://host:587" (the SMTP
 * display), "mail directory <dir>", or NULL when no way is configured. */
const char *vg__mailer_way(const vg_ctx *ctx);

#endif
