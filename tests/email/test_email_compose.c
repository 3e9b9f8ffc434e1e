/* SPDX-License-Identifier: MIT */
/* The library's e-mails: the MIME message (RFC 2047 subjects, base64 parts, CRLF), the texts
 * in five languages, header injection, the reset link, and the mailer's settings and host
 * sender. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

#include "email/email_internal.h"

#define CODE "482913"
#define TOKEN "vgr_Zx81-kP_q7"
/* 2024-03-05T06:07:08.250Z, a Tuesday */
#define NOW (INT64_C(1709618828) * 1000000 + 250000)

static char dir[] = "/tmp/vg-email-XXXXXX";
static const unsigned char secret32[32] = {7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
                                           7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7};

static const char *const mail_env[] = {"SMTP_HOST",      "SMTP_PORT",      "SMTP_USER",
                                       "SMTP_PASSWORD",  "EMAIL_FROM",     "VIDGO_SMTP_TLS",
                                       "VIDGO_MAIL_DIR", "VIDGO_APP_URL"};

static void clear_mail_env(void)
{
    size_t i;
    for (i = 0; i < sizeof mail_env / sizeof mail_env[0]; i++)
        unsetenv(mail_env[i]);
}

static void config_for_test(vg_config *config)
{
    static char path[512];
    vg_config_init(config, VG_CONFIG_VERSION);
    snprintf(path, sizeof path, "%s/store.db", dir);
    config->store = path;
    config->secret = secret32;
    config->secret_len = sizeof secret32;
}

static vg_ctx *open_with(const vg_config *config)
{
    vg_ctx *ctx = NULL;
    int rc = vg_open(&ctx, config);
    if (rc != VG_OK)
        fail_msg("vg_open: %s: %s", vg_error_name(rc), vg_error_last());
    return ctx;
}

static vg_ctx *open_plain(void)
{
    vg_config config;
    config_for_test(&config);
    return open_with(&config);
}

static void compose_ok(vg__email_message *msg, vg_ctx *ctx, vg__email_kind kind, int lang,
                       const char *secret, const char *reset_url)
{
    int rc = vg__email_compose(msg, ctx, kind, lang, "noreply@vidgo.ai", "user@example.com",
                               secret, reset_url, NOW);
    if (rc != VG_OK)
        fail_msg("compose: %s: %s", vg_error_name(rc), vg_ctx_errmsg(ctx));
}

/* ---- reading a MIME message back ------------------------------------------------------- */

/* The value of header `name` in mime (folded lines joined with their CRLF kept), malloc'ed. */
static char *header_value(const char *mime, const char *name)
{
    size_t name_len = strlen(name);
    const char *p = mime, *end;
    char *value;
    for (;;) {
        if (strncasecmp(p, name, name_len) == 0 && p[name_len] == ':')
            break;
        p = strstr(p, "\r\n");
        if (!p || p[2] == '\r')
            return NULL; /* end of the headers */
        p += 2;
    }
    p += name_len + 1;
    while (*p == ' ')
        p++;
    for (end = p; (end = strstr(end, "\r\n")) != NULL && end[2] == ' '; end += 2)
        ;
    assert_non_null(end);
    value = malloc((size_t)(end - p) + 1);
    memcpy(value, p, (size_t)(end - p));
    value[end - p] = '\0';
    return value;
}

/* Decodes standard base64 (no line breaks) into a malloc'ed NUL-terminated string. */
static char *base64_decode(const char *b64, size_t len)
{
    char *out = malloc(len + 1);
    size_t out_len = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, len + 1, b64, len, NULL, &out_len,
                                       NULL, sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[out_len] = '\0';
    return out;
}

/* Decodes a header value of RFC 2047 "B" encoded-words of UTF-8 (or plain text), checking
 * that every word is at most 75 characters and decodes to whole UTF-8 characters. */
static char *decode_words(const char *value)
{
    char *out = calloc(1, strlen(value) + 1);
    const char *p = value;
    if (strncmp(value, "=?", 2) != 0) {
        assert_null(strstr(value, "\r\n"));
        strcpy(out, value);
        return out;
    }
    while (*p) {
        const char *end;
        char *piece;
        while (*p == ' ' || *p == '\r' || *p == '\n')
            p++;
        if (!*p)
            break;
        assert_int_equal(strncmp(p, "=?UTF-8?B?", 10), 0);
        end = strstr(p + 10, "?=");
        assert_non_null(end);
        assert_true(end + 2 - p <= 75);
        piece = base64_decode(p + 10, (size_t)(end - p - 10));
        assert_true(vg__utf8_valid(piece)); /* split between whole characters only */
        strcat(out, piece);
        free(piece);
        p = end + 2;
    }
    return out;
}

/* The decoded body of the part of the given content type. */
static char *part_body(const char *mime, const char *type)
{
    char *ctype = header_value(mime, "Content-Type"), *boundary, *b64, *out;
    char marker[128], header[128];
    const char *part, *body, *end, *line;
    size_t len = 0;

    assert_non_null(strstr(ctype, "multipart/alternative"));
    boundary = strstr(ctype, "boundary=\"");
    assert_non_null(boundary);
    boundary += 10;
    *strchr(boundary, '"') = '\0';
    snprintf(marker, sizeof marker, "\r\n--%s\r\n", boundary);
    snprintf(header, sizeof header, "Content-Type: %s; charset=UTF-8\r\n"
                                    "Content-Transfer-Encoding: base64\r\n\r\n", type);
    for (part = strstr(mime, marker); part; part = strstr(part + 1, marker))
        if (strncmp(part + strlen(marker), header, strlen(header)) == 0)
            break;
    assert_non_null(part);
    body = part + strlen(marker) + strlen(header);
    snprintf(marker, sizeof marker, "\r\n--%s", boundary);
    end = strstr(body, marker);
    assert_non_null(end);
    b64 = malloc((size_t)(end - body) + 1);
    for (line = body; line < end;) {
        const char *eol = strstr(line, "\r\n");
        if (!eol || eol > end)
            eol = end;
        assert_true(eol - line <= 76);
        memcpy(b64 + len, line, (size_t)(eol - line));
        len += (size_t)(eol - line);
        line = eol + 2;
    }
    out = base64_decode(b64, len);
    free(b64);
    free(ctype);
    return out;
}

static int contains(const char *haystack, const char *needle)
{
    return strstr(haystack, needle) != NULL;
}

/* ---- the MIME message ------------------------------------------------------------------ */

static void test_subject_of_every_message_and_language_decodes_to_the_table(void **state)
{
    vg_ctx *ctx = open_plain();
    int kind, lang;
    (void)state;
    for (kind = 0; kind < VG__EMAIL_KIND_COUNT; kind++) {
        for (lang = 0; lang < VG__LANG_COUNT; lang++) {
            vg__email_message msg;
            char *value, *decoded;
            const char *line, *eol;
            compose_ok(&msg, ctx, (vg__email_kind)kind, lang, kind ? TOKEN : CODE, NULL);
            assert_string_equal(msg.subject, vg__email_templates[kind][lang].subject);
            value = header_value(msg.mime, "Subject");
            assert_non_null(value);
            decoded = decode_words(value);
            assert_string_equal(decoded, vg__email_templates[kind][lang].subject);
            /* every line of the header fits in 76 characters */
            line = strstr(msg.mime, "\r\nSubject: ") + 2;
            do {
                eol = strstr(line, "\r\n");
                assert_true(eol - line <= 76);
                line = eol + 2;
            } while (*line == ' ');
            free(value);
            free(decoded);
            vg__email_message_free(ctx, &msg);
        }
    }
    vg_close(ctx);
}

static void test_non_ascii_subjects_are_encoded_and_ascii_ones_may_stay_plain(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    char *value;
    (void)state;
    compose_ok(&msg, ctx, VG__EMAIL_VERIFY, VG__LANG_JA, CODE, NULL);
    value = header_value(msg.mime, "Subject");
    assert_int_equal(strncmp(value, "=?UTF-8?B?", 10), 0);
    assert_non_null(strstr(value, "\r\n =?UTF-8?B?")); /* long enough to take two words */
    free(value);
    vg__email_message_free(ctx, &msg);
    compose_ok(&msg, ctx, VG__EMAIL_VERIFY, VG__LANG_EN, CODE, NULL);
    value = header_value(msg.mime, "Subject");
    assert_string_equal(value, "Your VidGo verification code");
    free(value);
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static void test_the_message_has_crlf_line_ends_only(void **state)
{
    vg_ctx *ctx = open_plain();
    int kind, lang;
    (void)state;
    for (kind = 0; kind < VG__EMAIL_KIND_COUNT; kind++) {
        for (lang = 0; lang < VG__LANG_COUNT; lang++) {
            vg__email_message msg;
            const char *p;
            compose_ok(&msg, ctx, (vg__email_kind)kind, lang, kind ? TOKEN : CODE,
                       "https://app.example/reset");
            for (p = msg.mime; *p; p++) {
                if (*p == '\n')
                    assert_true(p > msg.mime && p[-1] == '\r');
                if (*p == '\r')
                    assert_int_equal(p[1], '\n');
            }
            assert_true(p - msg.mime > 2 && p[-2] == '\r' && p[-1] == '\n');
            vg__email_message_free(ctx, &msg);
        }
    }
    vg_close(ctx);
}

static void test_headers_carry_from_to_date_message_id_and_mime_version(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    char *v;
    size_t i;
    (void)state;
    compose_ok(&msg, ctx, VG__EMAIL_VERIFY, VG__LANG_EN, CODE, NULL);
    assert_int_equal(strncmp(msg.mime, "From: ", 6), 0); /* the headers come first */
    v = header_value(msg.mime, "From");
    assert_string_equal(v, "VidGo <noreply@vidgo.ai>");
    free(v);
    v = header_value(msg.mime, "To");
    assert_string_equal(v, "user@example.com");
    free(v);
    v = header_value(msg.mime, "Date");
    assert_string_equal(v, "Tue, 05 Mar 2024 06:07:08 +0000");
    free(v);
    v = header_value(msg.mime, "MIME-Version");
    assert_string_equal(v, "1.0");
    free(v);
    v = header_value(msg.mime, "Message-ID");
    assert_int_equal(strlen(v), 1 + 32 + 1 + strlen("vidgo.ai") + 1);
    assert_int_equal(v[0], '<');
    for (i = 1; i <= 32; i++)
        assert_non_null(strchr("0123456789abcdef", v[i]));
    assert_string_equal(v + 33, "@vidgo.ai>");
    free(v);
    /* the order of the first headers */
    assert_true(strstr(msg.mime, "\r\nTo: ") < strstr(msg.mime, "\r\nSubject: "));
    assert_true(strstr(msg.mime, "\r\nSubject: ") < strstr(msg.mime, "\r\nDate: "));
    assert_true(strstr(msg.mime, "\r\nDate: ") < strstr(msg.mime, "\r\nMessage-ID: "));
    assert_true(strstr(msg.mime, "\r\nMessage-ID: ") < strstr(msg.mime, "\r\nMIME-Version: "));
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static void test_message_ids_and_boundaries_are_random(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message a, b;
    char *id_a, *id_b, *type_a, *type_b;
    (void)state;
    compose_ok(&a, ctx, VG__EMAIL_VERIFY, VG__LANG_EN, CODE, NULL);
    compose_ok(&b, ctx, VG__EMAIL_VERIFY, VG__LANG_EN, CODE, NULL);
    id_a = header_value(a.mime, "Message-ID");
    id_b = header_value(b.mime, "Message-ID");
    type_a = header_value(a.mime, "Content-Type");
    type_b = header_value(b.mime, "Content-Type");
    assert_string_not_equal(id_a, id_b);
    assert_string_not_equal(type_a, type_b);
    free(id_a), free(id_b), free(type_a), free(type_b);
    vg__email_message_free(ctx, &a);
    vg__email_message_free(ctx, &b);
    vg_close(ctx);
}

static void test_base64_parts_decode_to_the_texts_with_the_code(void **state)
{
    vg_ctx *ctx = open_plain();
    int lang;
    (void)state;
    for (lang = 0; lang < VG__LANG_COUNT; lang++) {
        vg__email_message msg;
        char *text, *html;
        compose_ok(&msg, ctx, VG__EMAIL_VERIFY, lang, CODE, NULL);
        text = part_body(msg.mime, "text/plain");
        html = part_body(msg.mime, "text/html");
        assert_true(contains(text, CODE));
        assert_true(contains(html, CODE));
        assert_true(contains(text, "\r\n")); /* canonical CRLF inside the part too */
        assert_false(contains(msg.text, "\r")); /* the host gets plain LF text */
        assert_true(contains(html, "<html lang=\""));
        assert_true(contains(html, vg__lang_tags[lang]));
        assert_true(contains(msg.html, CODE));
        free(text);
        free(html);
        vg__email_message_free(ctx, &msg);
    }
    vg_close(ctx);
}

static void test_minutes_come_from_the_accounts_constants(void **state)
{
    vg_ctx *ctx = open_plain();
    char want[32];
    int lang;
    (void)state;
    assert_int_equal(vg__email_valid_minutes[VG__EMAIL_VERIFY], VG_CODE_TTL_S / 60);
    assert_int_equal(vg__email_valid_minutes[VG__EMAIL_RESET], VG_RESET_TTL_S / 60);
    for (lang = 0; lang < VG__LANG_COUNT; lang++) {
        vg__email_message msg;
        /* the number stands in the template only as a placeholder */
        snprintf(want, sizeof want, "%d", VG_CODE_TTL_S / 60);
        assert_false(contains(vg__email_templates[VG__EMAIL_VERIFY][lang].text, want));
        assert_true(contains(vg__email_templates[VG__EMAIL_VERIFY][lang].text, "{minutes}"));
        compose_ok(&msg, ctx, VG__EMAIL_VERIFY, lang, CODE, NULL);
        assert_true(contains(msg.text, want));
        assert_true(contains(msg.html, want));
        vg__email_message_free(ctx, &msg);
        snprintf(want, sizeof want, "%d", VG_RESET_TTL_S / 60);
        compose_ok(&msg, ctx, VG__EMAIL_RESET, lang, TOKEN, NULL);
        assert_true(contains(msg.text, want));
        assert_true(contains(msg.html, want));
        assert_true(contains(msg.text, TOKEN));
        vg__email_message_free(ctx, &msg);
    }
    vg_close(ctx);
}

static void test_no_placeholder_is_left_in_any_message(void **state)
{
    static const char *const names[] = {"{code}", "{token}",  "{minutes}", "{link}",
                                        "{link_block}", "{body}", "{title}", "{lang}"};
    vg_ctx *ctx = open_plain();
    int kind, lang, with_link;
    size_t i;
    (void)state;
    for (kind = 0; kind < VG__EMAIL_KIND_COUNT; kind++)
        for (lang = 0; lang < VG__LANG_COUNT; lang++)
            for (with_link = 0; with_link < 2; with_link++) {
                vg__email_message msg;
                compose_ok(&msg, ctx, (vg__email_kind)kind, lang, kind ? TOKEN : CODE,
                           with_link ? "https://app.example/reset" : NULL);
                for (i = 0; i < sizeof names / sizeof names[0]; i++) {
                    assert_false(contains(msg.text, names[i]));
                    assert_false(contains(msg.html, names[i]));
                }
                vg__email_message_free(ctx, &msg);
            }
    vg_close(ctx);
}

static void test_every_text_names_the_brand_and_no_provider(void **state)
{
    static const char *const providers[] = {"gemini", "leonardo", "runway", "goenhance",
                                            "pollo", "smtp", "curl"};
    int kind, lang;
    size_t i;
    (void)state;
    for (kind = 0; kind < VG__EMAIL_KIND_COUNT; kind++)
        for (lang = 0; lang < VG__LANG_COUNT; lang++) {
            const vg__email_template *t = &vg__email_templates[kind][lang];
            const char *texts[] = {t->subject, t->text, t->html, t->link_text, t->link_html};
            assert_true(contains(t->subject, "VidGo"));
            assert_true(contains(t->text, "VidGo"));
            assert_true(contains(t->html, "VidGo"));
            assert_true(contains(t->text, kind ? "{token}" : "{code}"));
            assert_true(contains(t->html, kind ? "{token}" : "{code}"));
            assert_int_equal(t->link_text != NULL, kind == VG__EMAIL_RESET);
            for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
                size_t j;
                if (!texts[i])
                    continue;
                assert_true(vg__utf8_valid(texts[i]));
                for (j = 0; j < sizeof providers / sizeof providers[0]; j++) {
                    const char *p;
                    for (p = texts[i]; *p; p++)
                        assert_int_not_equal(strncasecmp(p, providers[j], strlen(providers[j])),
                                             0);
                }
            }
        }
}

static void test_values_in_html_are_escaped(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    (void)state;
    compose_ok(&msg, ctx, VG__EMAIL_RESET, VG__LANG_EN, "a<b>&\"c'", "https://app.example/r?x=1");
    assert_true(contains(msg.html, "a&lt;b&gt;&amp;&quot;c&#39;"));
    assert_false(contains(msg.html, "a<b>"));
    /* the link: the token percent-encoded, "&" escaped in the attribute and the text */
    assert_true(contains(msg.html,
                         "href=\"https://app.example/r?x=1&amp;token=a%3Cb%3E%26%22c%27\""));
    assert_false(contains(msg.html, "?x=1&token"));
    /* the plain text carries the values as they are */
    assert_true(contains(msg.text, "a<b>&\"c'"));
    assert_true(contains(msg.text, "https://app.example/r?x=1&token=a%3Cb%3E%26%22c%27"));
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static void test_the_reset_link_is_there_only_with_a_reset_url(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    int lang;
    (void)state;
    for (lang = 0; lang < VG__LANG_COUNT; lang++) {
        compose_ok(&msg, ctx, VG__EMAIL_RESET, lang, TOKEN, NULL);
        assert_false(contains(msg.text, "token="));
        assert_false(contains(msg.html, "token="));
        assert_false(contains(msg.html, "<a "));
        assert_true(contains(msg.text, TOKEN));
        vg__email_message_free(ctx, &msg);

        compose_ok(&msg, ctx, VG__EMAIL_RESET, lang, TOKEN, "https://app.example/reset");
        assert_true(contains(msg.text, "https://app.example/reset?token=" TOKEN));
        assert_true(contains(msg.html, "href=\"https://app.example/reset?token=" TOKEN "\""));
        vg__email_message_free(ctx, &msg);
    }
    compose_ok(&msg, ctx, VG__EMAIL_RESET, VG__LANG_EN, TOKEN, "https://app.example/?lang=ja");
    assert_true(contains(msg.text, "https://app.example/?lang=ja&token=" TOKEN));
    vg__email_message_free(ctx, &msg);
    /* a verification e-mail has no link, whatever the setting */
    compose_ok(&msg, ctx, VG__EMAIL_VERIFY, VG__LANG_EN, CODE, "https://app.example/reset");
    assert_false(contains(msg.text, "https://"));
    assert_false(contains(msg.html, "https://app.example"));
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static void test_header_injection_through_an_address_is_refused(void **state)
{
    static const char *const bad_to[] = {
        "user@example.com\r\nBcc: victim@example.org",
        "user@example.com\nBcc: victim@example.org",
        "user@example.com\r",
        "user@exa\tmple.com",
        "user@example.com\x01",
        "user@example.com\x7f",
        "user@example.com, other@example.org",
        "Someone <user@example.com>",
        " user@example.com",
        "user example@example.com",
        "userexample.com",
        "@example.com",
        "user@",
        "",
        "\xff\xfe@example.com",
    };
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad_to / sizeof bad_to[0]; i++) {
        assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0, "noreply@vidgo.ai",
                                           bad_to[i], CODE, NULL, NOW),
                         VG_EINVAL);
        assert_null(msg.mime);
        assert_false(contains(vg_ctx_errmsg(ctx), "Bcc"));
    }
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0,
                                       "noreply@vidgo.ai\r\nBcc: x@y.z", "user@example.com",
                                       CODE, NULL, NOW),
                     VG_EINVAL);
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0, "noreply@vidgo.ai",
                                       "user@example.com", "12\r\n34", NULL, NOW),
                     VG_EINVAL);
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0, "noreply@vidgo.ai",
                                       "user@example.com", "", NULL, NOW),
                     VG_EINVAL);
    assert_int_equal(vg__email_compose(&msg, ctx, (vg__email_kind)2, 0, "noreply@vidgo.ai",
                                       "user@example.com", CODE, NULL, NOW),
                     VG_EINVAL);
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 5, "noreply@vidgo.ai",
                                       "user@example.com", CODE, NULL, NOW),
                     VG_EINVAL);
    /* an address in another script is fine (RFC 6532) */
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0, "noreply@vidgo.ai",
                                       "用户@例子.测试", CODE, NULL, NOW),
                     VG_OK);
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static void test_a_sender_with_a_display_name_is_written_safely(void **state)
{
    vg_ctx *ctx = open_plain();
    vg__email_message msg;
    char *from, *decoded;
    (void)state;
    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0,
                                       "VidGo Support <support@vidgo.ai>", "user@example.com",
                                       CODE, NULL, NOW),
                     VG_OK);
    from = header_value(msg.mime, "From");
    assert_string_equal(from, "VidGo Support <support@vidgo.ai>");
    free(from);
    vg__email_message_free(ctx, &msg);

    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0,
                                       "\"VidGo, Inc.\" <support@vidgo.ai>", "user@example.com",
                                       CODE, NULL, NOW),
                     VG_OK);
    from = header_value(msg.mime, "From");
    assert_string_equal(from, "\"VidGo, Inc.\" <support@vidgo.ai>");
    free(from);
    vg__email_message_free(ctx, &msg);

    assert_int_equal(vg__email_compose(&msg, ctx, VG__EMAIL_VERIFY, 0,
                                       "VidGo サポートチーム（カスタマーサクセス担当窓口）"
                                       " <support@vidgo.ai>",
                                       "user@example.com", CODE, NULL, NOW),
                     VG_OK);
    from = header_value(msg.mime, "From");
    *strstr(from, " <support@vidgo.ai>") = '\0';
    decoded = decode_words(from);
    assert_string_equal(decoded, "VidGo サポートチーム（カスタマーサクセス担当窓口）");
    free(decoded);
    free(from);
    vg__email_message_free(ctx, &msg);
    vg_close(ctx);
}

static int silent_sender(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload);

/* ---- the mailer: settings -------------------------------------------------------------- */

static int open_status(const vg_config *config)
{
    vg_ctx *ctx = NULL;
    int rc = vg_open(&ctx, config);
    if (rc == VG_OK)
        vg_close(ctx);
    return rc;
}

static void test_nothing_configured_fails_with_econfig(void **state)
{
    vg_ctx *ctx = open_plain();
    (void)state;
    assert_null(vg__mailer_way(ctx));
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, 0, "user@example.com", CODE),
                     VG_ECONFIG);
    assert_true(contains(vg_ctx_errmsg(ctx), "no way to send e-mail is configured"));
    vg_close(ctx);
}

static void test_a_bad_smtp_url_is_refused_at_open_without_echoing_it(void **state)
{
    static const char *const bad[] = {"http://mailer:hunter2@mail.example.com",
                                      "mail.example.com:587", "smtp://", "smtp://a b:hunter2@x",
                                      "smtp://mailer:hunter2@\r\nmail.example.com"};
    vg_config config;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        config_for_test(&config);
        config.smtp_url = bad[i];
        assert_int_equal(open_status(&config), VG_ECONFIG);
        assert_true(contains(vg_error_last(), "smtp_url"));
        assert_false(contains(vg_error_last(), "hunter2"));
    }
}

static void test_bad_smtp_settings_are_refused_at_open(void **state)
{
    vg_config config;
    (void)state;
    config_for_test(&config);
    config.smtp_url = "smtp://mail.example.com";
    config.smtp_tls = (vg_smtp_tls)7;
    assert_int_equal(open_status(&config), VG_ECONFIG);
    assert_true(contains(vg_error_last(), "smtp_tls"));
    config.smtp_tls = VG_SMTP_TLS_TRY;
    config.smtp_timeout_ms = -1;
    assert_int_equal(open_status(&config), VG_ECONFIG);
    config.smtp_timeout_ms = 0;
    config.email_from = "noreply@vidgo.ai\r\nBcc: x@y.z";
    assert_int_equal(open_status(&config), VG_ECONFIG);
    assert_true(contains(vg_error_last(), "email_from"));
    config.email_from = NULL;
    config.reset_url = "https://app.example/reset\r\nX: y";
    assert_int_equal(open_status(&config), VG_ECONFIG);
    assert_true(contains(vg_error_last(), "reset_url"));
    config.reset_url = NULL;
    setenv("VIDGO_SMTP_TLS", "sometimes", 1);
    config.smtp_tls = VG_SMTP_TLS_REQUIRED;
    assert_int_equal(open_status(&config), VG_ECONFIG);
    assert_true(contains(vg_error_last(), "VIDGO_SMTP_TLS"));
    clear_mail_env();
}

static void test_the_smtp_url_comes_from_smtp_host_and_port(void **state)
{
    static const char *const cases[][3] = {
        {"mail.example.com", NULL, "smtp://mail.example.com:587"},
        {"mail.example.com", "465", "smtps://mail.example.com:465"},
        {"mail.example.com", "2525", "smtp://mail.example.com:2525"},
        {"::1", "25", "smtp://[::1]:25"},
    };
    vg_config config;
    vg_ctx *ctx;
    size_t i;
    (void)state;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        setenv("SMTP_HOST", cases[i][0], 1);
        if (cases[i][1])
            setenv("SMTP_PORT", cases[i][1], 1);
        else
            unsetenv("SMTP_PORT");
        config_for_test(&config);
        ctx = open_with(&config);
        assert_string_equal(vg__mailer_way(ctx), cases[i][2]);
        vg_close(ctx);
    }
    /* the config's own mail directory comes before the environment's SMTP server */
    config.mail_dir = dir;
    ctx = open_with(&config);
    assert_non_null(strstr(vg__mailer_way(ctx), "mail directory"));
    vg_close(ctx);
    config.mail_dir = NULL;
    setenv("SMTP_PORT", "http", 1);
    assert_int_equal(open_status(&config), VG_ECONFIG);
    assert_true(contains(vg_error_last(), "SMTP_PORT"));
    clear_mail_env();
}

static void test_the_way_to_send_is_chosen_in_order(void **state)
{
    vg_config config;
    vg_ctx *ctx;
    char want[600];
    (void)state;
    /* a host's sender wins over SMTP and a mail directory */
    config_for_test(&config);
    config.email_sender = silent_sender;
    config.smtp_url = "smtp://mail.example.com:25";
    config.mail_dir = dir;
    ctx = open_with(&config);
    assert_string_equal(vg__mailer_way(ctx), "the host's sender");
    vg_close(ctx);
    /* SMTP over a mail directory; user information moves out of the URL */
    config.email_sender = NULL;
    config.smtp_url = "smtps://mailer:hunter2@mail.example.com";
    ctx = open_with(&config);
    assert_string_equal(vg__mailer_way(ctx), "smtps://mail.example.com:465");
    vg_close(ctx);
    /* the mail directory, from the config or the environment */
    config.smtp_url = NULL;
    ctx = open_with(&config);
    snprintf(want, sizeof want, "mail directory %s", dir);
    assert_string_equal(vg__mailer_way(ctx), want);
    vg_close(ctx);
    config.mail_dir = NULL;
    setenv("VIDGO_MAIL_DIR", "/var/spool/vidgo-mail", 1);
    ctx = open_with(&config);
    assert_string_equal(vg__mailer_way(ctx), "mail directory /var/spool/vidgo-mail");
    vg_close(ctx);
    clear_mail_env();
}

static void test_a_version_1_config_reads_no_email_fields(void **state)
{
    vg_config config;
    vg_ctx *ctx;
    (void)state;
    config_for_test(&config);
    config.smtp_url = "http://not-read";
    config.smtp_tls = (vg_smtp_tls)9;
    config.version = 1;
    ctx = open_with(&config);
    assert_null(vg__mailer_way(ctx));
    vg_close(ctx);
    setenv("VIDGO_MAIL_DIR", dir, 1); /* the environment still counts */
    ctx = open_with(&config);
    assert_non_null(vg__mailer_way(ctx));
    vg_close(ctx);
    clear_mail_env();
}

/* ---- the mailer: the host's sender ----------------------------------------------------- */

typedef struct recorded {
    int calls;
    unsigned int version;
    char kind[16], lang[16], from[64], to[64], subject[128];
    char *text, *html, *mime;
} recorded;

static char *copy(const char *s)
{
    char *c = malloc(strlen(s) + 1);
    strcpy(c, s);
    return c;
}

static int record_sender(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    recorded *r = payload;
    (void)errbuf, (void)errbuf_size;
    r->calls++;
    r->version = email->version;
    snprintf(r->kind, sizeof r->kind, "%s", email->kind);
    snprintf(r->lang, sizeof r->lang, "%s", email->lang);
    snprintf(r->from, sizeof r->from, "%s", email->from);
    snprintf(r->to, sizeof r->to, "%s", email->to);
    snprintf(r->subject, sizeof r->subject, "%s", email->subject);
    r->text = copy(email->text);
    r->html = copy(email->html);
    r->mime = copy(email->mime);
    return 0;
}

static void free_recorded(recorded *r)
{
    free(r->text), free(r->html), free(r->mime);
}

static void test_the_host_sender_gets_every_field(void **state)
{
    recorded r;
    vg_config config;
    vg_ctx *ctx;
    char *text;
    (void)state;
    memset(&r, 0, sizeof r);
    config_for_test(&config);
    config.email_sender = record_sender;
    config.email_payload = &r;
    config.email_from = "VidGo <hello@vidgo.example>";
    config.reset_url = "https://app.example/reset";
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_RESET, VG__LANG_KO, "user@example.com", TOKEN),
                     VG_OK);
    assert_int_equal(r.calls, 1);
    assert_int_equal(r.version, VG_EMAIL_VERSION);
    assert_string_equal(r.kind, "reset");
    assert_string_equal(r.lang, "ko");
    assert_string_equal(r.from, "hello@vidgo.example");
    assert_string_equal(r.to, "user@example.com");
    assert_string_equal(r.subject, vg__email_templates[VG__EMAIL_RESET][VG__LANG_KO].subject);
    assert_true(contains(r.text, TOKEN));
    assert_true(contains(r.text, "https://app.example/reset?token=" TOKEN));
    assert_true(contains(r.html, TOKEN));
    assert_true(contains(r.mime, "\r\nTo: user@example.com\r\n"));
    assert_int_equal(strncmp(r.mime, "From: VidGo <hello@vidgo.example>\r\n", 35), 0);
    text = part_body(r.mime, "text/plain");
    assert_true(contains(text, TOKEN));
    free(text);
    free_recorded(&r);
    memset(&r, 0, sizeof r);
    /* a negative language means the context's */
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, -1, "user@example.com", CODE), VG_OK);
    assert_string_equal(r.kind, "verify");
    assert_string_equal(r.lang, "en");
    free_recorded(&r);
    vg_close(ctx);
}

static int failing_sender(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    (void)payload;
    snprintf(errbuf, errbuf_size, "queue is full (while sending %s)", email->kind);
    return 3;
}

static int leaking_sender(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    (void)payload;
    /* a careless host puts the code in its reason; the library keeps it out */
    snprintf(errbuf, errbuf_size, "rejected message with code %s\nsecond line", CODE);
    (void)email;
    return -1;
}

static int silent_sender(const vg_email *email, char *errbuf, size_t errbuf_size, void *payload)
{
    (void)email, (void)errbuf, (void)errbuf_size, (void)payload;
    return 42;
}

static void test_a_failing_host_sender_gives_eemail_send_with_its_reason(void **state)
{
    vg_config config;
    vg_ctx *ctx;
    (void)state;
    config_for_test(&config);
    config.email_sender = failing_sender;
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, 0, "user@example.com", CODE),
                     VG_EEMAIL_SEND);
    assert_int_equal(vg_ctx_errcode(ctx), VG_EEMAIL_SEND);
    assert_string_equal(vg_ctx_errmsg(ctx),
                        "cannot send e-mail via the host's sender: queue is full (while "
                        "sending verify)");
    vg_close(ctx);

    config.email_sender = leaking_sender;
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, 0, "user@example.com", CODE),
                     VG_EEMAIL_SEND);
    assert_false(contains(vg_ctx_errmsg(ctx), CODE));
    assert_false(contains(vg_ctx_errmsg(ctx), "\n"));
    assert_true(contains(vg_ctx_errmsg(ctx), "rejected message"));
    vg_close(ctx);

    config.email_sender = silent_sender;
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, 0, "user@example.com", CODE),
                     VG_EEMAIL_SEND);
    assert_true(contains(vg_ctx_errmsg(ctx), "42"));
    vg_close(ctx);
}

typedef struct log_capture {
    char lines[8][1024];
    int count;
} log_capture;

static void capture_log(vg_log_level level, const char *message, void *payload)
{
    log_capture *c = payload;
    if (level == VG_LOG_INFO && c->count < 8)
        snprintf(c->lines[c->count++], sizeof c->lines[0], "%s", message);
}

static void test_one_log_line_per_message_masks_the_recipient_and_omits_the_code(void **state)
{
    recorded r;
    log_capture logs;
    vg_config config;
    vg_ctx *ctx;
    const char *line;
    (void)state;
    memset(&r, 0, sizeof r);
    memset(&logs, 0, sizeof logs);
    config_for_test(&config);
    config.email_sender = record_sender;
    config.email_payload = &r;
    config.log = capture_log;
    config.log_payload = &logs;
    ctx = open_with(&config);
    logs.count = 0; /* forget the lines of vg_open */
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, VG__LANG_JA, "alice@example.com", CODE),
                     VG_OK);
    assert_int_equal(logs.count, 1);
    line = logs.lines[0];
    assert_true(contains(line, "verify"));
    assert_true(contains(line, "(ja)"));
    assert_true(contains(line, "a***@example.com"));
    assert_false(contains(line, "alice"));
    assert_false(contains(line, CODE));
    free_recorded(&r);
    vg_close(ctx);
}

/* ---- the mailer: a mail directory ------------------------------------------------------ */

static void test_a_mail_directory_gets_one_private_eml_file(void **state)
{
    char sub[600], cmd[1400], name[700];
    vg_config config;
    vg_ctx *ctx;
    struct stat st;
    FILE *f;
    char data[16384];
    size_t n;
    (void)state;
    snprintf(sub, sizeof sub, "%s/mail", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    config_for_test(&config);
    config.mail_dir = sub;
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, VG__LANG_ES, "user@example.com", CODE),
                     VG_OK);
    vg_close(ctx);
    snprintf(cmd, sizeof cmd, "ls -A %s", sub);
    f = popen(cmd, "r");
    assert_non_null(f);
    assert_non_null(fgets(name, sizeof name, f));
    assert_null(fgets(cmd, sizeof cmd, f)); /* one file, no temporary left */
    pclose(f);
    name[strcspn(name, "\n")] = '\0';
    assert_true(strlen(name) > 4 && strcmp(name + strlen(name) - 4, ".eml") == 0);
    snprintf(cmd, sizeof cmd, "%s/%s", sub, name);
    assert_int_equal(stat(cmd, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    f = fopen(cmd, "rb");
    n = fread(data, 1, sizeof data - 1, f);
    fclose(f);
    data[n] = '\0';
    assert_int_equal(strncmp(data, "From: ", 6), 0);
    assert_true(contains(data, "\r\nTo: user@example.com\r\n"));
    {
        char *text = part_body(data, "text/plain");
        assert_true(contains(text, CODE));
        free(text);
    }
    unlink(cmd);
    rmdir(sub);
}

static void test_an_unusable_mail_directory_gives_eemail_send(void **state)
{
    vg_config config;
    vg_ctx *ctx;
    (void)state;
    config_for_test(&config);
    config.mail_dir = "/nonexistent/vidgo-mail";
    ctx = open_with(&config);
    assert_int_equal(vg__email_send(ctx, VG__EMAIL_VERIFY, 0, "user@example.com", CODE),
                     VG_EEMAIL_SEND);
    assert_true(contains(vg_ctx_errmsg(ctx), "/nonexistent/vidgo-mail"));
    assert_true(contains(vg_ctx_errmsg(ctx), "No such file or directory"));
    assert_false(contains(vg_ctx_errmsg(ctx), CODE));
    vg_close(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_of_every_message_and_language_decodes_to_the_table),
        cmocka_unit_test(test_non_ascii_subjects_are_encoded_and_ascii_ones_may_stay_plain),
        cmocka_unit_test(test_the_message_has_crlf_line_ends_only),
        cmocka_unit_test(test_headers_carry_from_to_date_message_id_and_mime_version),
        cmocka_unit_test(test_message_ids_and_boundaries_are_random),
        cmocka_unit_test(test_base64_parts_decode_to_the_texts_with_the_code),
        cmocka_unit_test(test_minutes_come_from_the_accounts_constants),
        cmocka_unit_test(test_no_placeholder_is_left_in_any_message),
        cmocka_unit_test(test_every_text_names_the_brand_and_no_provider),
        cmocka_unit_test(test_values_in_html_are_escaped),
        cmocka_unit_test(test_the_reset_link_is_there_only_with_a_reset_url),
        cmocka_unit_test(test_header_injection_through_an_address_is_refused),
        cmocka_unit_test(test_a_sender_with_a_display_name_is_written_safely),
        cmocka_unit_test(test_nothing_configured_fails_with_econfig),
        cmocka_unit_test(test_a_bad_smtp_url_is_refused_at_open_without_echoing_it),
        cmocka_unit_test(test_bad_smtp_settings_are_refused_at_open),
        cmocka_unit_test(test_the_smtp_url_comes_from_smtp_host_and_port),
        cmocka_unit_test(test_the_way_to_send_is_chosen_in_order),
        cmocka_unit_test(test_a_version_1_config_reads_no_email_fields),
        cmocka_unit_test(test_the_host_sender_gets_every_field),
        cmocka_unit_test(test_a_failing_host_sender_gives_eemail_send_with_its_reason),
        cmocka_unit_test(test_one_log_line_per_message_masks_the_recipient_and_omits_the_code),
        cmocka_unit_test(test_a_mail_directory_gets_one_private_eml_file),
        cmocka_unit_test(test_an_unusable_mail_directory_gives_eemail_send),
    };
    char cmd[600];
    int failed;

    clear_mail_env();
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    failed = cmocka_run_group_tests(tests, NULL, NULL);
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return failed;
}
