/* SPDX-License-Identifier: MIT */
/* The e-mail messages the library sends (verification codes, password resets), and the
 * interface of a sender a host may bring instead of the built-in SMTP one. */
#ifndef VIDGO_EMAIL_H
#define VIDGO_EMAIL_H

#include "common.h"

VG_BEGIN_DECLS

#define VG_EMAIL_VERSION 1

/* One message, composed by the library in the recipient's language. Every string is UTF-8
 * and lives only during the call to the sender. */
typedef struct vg_email {
    unsigned int version; /* VG_EMAIL_VERSION */
    const char *kind;     /* "verify" (a verification code) or "reset" (a reset token) */
    const char *lang;     /* "en", "ja", "zh-TW", "ko" or "es" */
    const char *from;     /* the sender's address */
    const char *to;       /* the recipient's address */
    const char *subject;  /* plain UTF-8 (the MIME message has it RFC 2047-encoded) */
    const char *text;     /* the plain-text body */
    const char *html;     /* the HTML body */
    /* The whole RFC 5322 message, ready for SMTP DATA: headers (From, To, Subject, Date,
     * Message-ID, MIME-Version), a multipart/alternative body of text and HTML in base64,
     * CRLF line ends. */
    const char *mime;
} vg_email;

/*
 * Delivers one message; a host sets it in vg_config.email_sender to bring its own way
 * (a queue, an API). Returns 0 when the message was accepted for delivery; otherwise
 * non-zero, with a reason in errbuf (always terminated, never a secret), and the library
 * answers VG_EEMAIL_SEND. Called from the thread that made the library call; it must not
 * call back into the context.
 */
typedef int (*vg_email_fn)(const vg_email *email, char *errbuf, size_t errbuf_size,
                           void *payload);

/* How the built-in SMTP sender protects the connection (vg_config.smtp_tls). */
typedef enum vg_smtp_tls {
    VG_SMTP_TLS_REQUIRED = 0, /* smtp://: STARTTLS or fail; smtps:// is TLS from the start */
    VG_SMTP_TLS_TRY = 1,      /* STARTTLS when the server offers it, else in clear */
    VG_SMTP_TLS_NONE = 2      /* never TLS (a local relay, tests) */
} vg_smtp_tls;

VG_END_DECLS

#endif
