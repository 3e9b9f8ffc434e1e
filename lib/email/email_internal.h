/* SPDX-License-Identifier: MIT */
/* The library's e-mail: messages composed from the table of messages.c, and the mailer that
 * sends them through the host's sender, SMTP (lib/providers/smtp.c) or a mail directory. */
#ifndef VG_EMAIL_INTERNAL_H
#define VG_EMAIL_INTERNAL_H

#include "../core/internal.h"

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
 * link reset_url?token=<secret>. Returns VG_OK or VG_ENOMEM. */
int vg__email_compose(vg__email_message *out, vg_ctx *ctx, vg__email_kind kind, int lang,
                      const char *from, const char *to, const char *secret,
                      const char *reset_url, vg_time now);

/* Frees the strings of a composed message (NULL fields are fine). */
void vg__email_message_free(vg_ctx *ctx, vg__email_message *message);

/* Composes and sends one message the configured way. Returns VG_OK, VG_EEMAIL_SEND (the
 * message says why, never with the secret or the SMTP password), VG_ECONFIG (no way to
 * send is configured), VG_ENOMEM. */
int vg__email_send(vg_ctx *ctx, vg__email_kind kind, int lang, const char *to,
                   const char *secret);

#endif
