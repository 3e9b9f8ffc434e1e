/* SPDX-License-Identifier: MIT */
/* Composing an e-mail: the texts of messages.c filled in, and the MIME message around them. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "email_internal.h"

#define LINE_MAX_COLS 76         /* a header line with encoded-words, a base64 body line */
#define WORD_MAX_COLS 75         /* one RFC 2047 encoded-word */
#define WORD_OVERHEAD 12         /* "=?UTF-8?B?" and "?=" */
#define BASE64_LINE_BYTES 57     /* 57 bytes make 76 base64 characters */
#define RANDOM_ID_BYTES 16
#define MIME_FALLBACK_DOMAIN "vidgo.invalid"

/* ---- a growing string ------------------------------------------------------------------ */

/* A string on the context's allocator. Its blocks are wiped before they are freed, as they
 * may hold the secret; after an allocation failure `failed` sticks and adding does nothing. */
typedef struct buf {
    const vg_ctx *ctx;
    char *data;
    size_t len;
    size_t cap;
    int failed;
} buf;

static void buf_add(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    if (n > SIZE_MAX / 4 - b->len) {
        b->failed = 1;
        return;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *grown;
        while (cap < b->len + n + 1)
            cap *= 2;
        grown = vg__alloc(b->ctx, cap);
        if (!grown) {
            b->failed = 1;
            return;
        }
        if (b->data) {
            memcpy(grown, b->data, b->len);
            sodium_memzero(b->data, b->cap);
            vg__free(b->ctx, b->data);
        }
        b->data = grown;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

static void buf_puts(buf *b, const char *s)
{
    buf_add(b, s, strlen(s));
}

static void buf_wipe(buf *b)
{
    if (b->data) {
        sodium_memzero(b->data, b->cap);
        vg__free(b->ctx, b->data);
    }
    b->data = NULL;
    b->len = b->cap = 0;
}

/* Hands the string over to the caller (NULL after a failure; the buffer is then wiped). */
static char *buf_take(buf *b)
{
    char *s;
    if (!b->data)
        buf_add(b, "", 0);
    if (b->failed) {
        buf_wipe(b);
        return NULL;
    }
    s = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

/* ---- addresses ------------------------------------------------------------------------- */

/* Characters that never appear in a plain address as we accept it (RFC 5322 specials and
 * space; quoted local parts and address literals are not accepted). */
static int addr_char_ok(unsigned char c)
{
    return c >= 0x20 && c != 0x7f && !strchr(" <>()[],;:\\\"", c);
}

static int addr_ok(const char *addr, size_t len)
{
    size_t i, at = len, ats = 0;
    if (len < 3 || len > 254)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)addr[i];
        if (!addr_char_ok(c))
            return 0;
        if (c == '@') {
            ats++;
            at = i;
        }
    }
    return ats == 1 && at > 0 && at < len - 1;
}

static int name_ok(const char *name, size_t len)
{
    size_t i;
    if (len > 200)
        return 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)name[i];
        if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

int vg__mailbox_parse(vg__mailbox *out, const char *text)
{
    const char *lt, *gt, *end;
    memset(out, 0, sizeof *out);
    if (!text || !vg__utf8_valid(text))
        return 0;
    while (*text == ' ')
        text++;
    end = text + strlen(text);
    while (end > text && end[-1] == ' ')
        end--;
    lt = memchr(text, '<', (size_t)(end - text));
    if (!lt) {
        out->addr = text;
        out->addr_len = (size_t)(end - text);
        return addr_ok(out->addr, out->addr_len);
    }
    gt = memchr(lt, '>', (size_t)(end - lt));
    if (!gt || gt + 1 != end)
        return 0;
    out->addr = lt + 1;
    out->addr_len = (size_t)(gt - lt - 1);
    out->name = text;
    out->name_len = (size_t)(lt - text);
    while (out->name_len && out->name[out->name_len - 1] == ' ')
        out->name_len--;
    if (out->name_len >= 2 && out->name[0] == '"' && out->name[out->name_len - 1] == '"') {
        out->name++;
        out->name_len -= 2;
    }
    if (out->name_len == 0)
        out->name = NULL;
    return addr_ok(out->addr, out->addr_len) && (!out->name || name_ok(out->name, out->name_len));
}

/* ---- filling in the texts -------------------------------------------------------------- */

/* One placeholder and its value; `raw` values are HTML already. */
typedef struct var {
    const char *name;
    const char *value;
    int raw;
} var;

static void add_html_escaped(buf *b, const char *s)
{
    static const char *const entities[][2] = {
        {"&", "&amp;"}, {"<", "&lt;"}, {">", "&gt;"}, {"\"", "&quot;"}, {"'", "&#39;"}};
    size_t i, run;
    while (*s) {
        run = strcspn(s, "&<>\"'");
        buf_add(b, s, run);
        s += run;
        if (!*s)
            break;
        for (i = 0; i < sizeof entities / sizeof entities[0]; i++)
            if (*s == entities[i][0][0])
                buf_puts(b, entities[i][1]);
        s++;
    }
}

/* Copies tpl with every {name} of vars replaced by its value (escaped when html is set and
 * the value is not raw). Braces that are not a known placeholder are copied as they are. */
static void expand(buf *b, const char *tpl, const var *vars, size_t count, int html)
{
    const char *p = tpl, *open, *close;
    size_t i, name_len;
    while ((open = strchr(p, '{')) != NULL) {
        const var *found = NULL;
        buf_add(b, p, (size_t)(open - p));
        for (close = open + 1; (*close >= 'a' && *close <= 'z') || *close == '_'; close++)
            ;
        name_len = (size_t)(close - open - 1);
        for (i = 0; *close == '}' && i < count && !found; i++)
            if (strlen(vars[i].name) == name_len && !memcmp(vars[i].name, open + 1, name_len))
                found = &vars[i];
        if (!found) {
            buf_add(b, open, 1);
            p = open + 1;
            continue;
        }
        if (html && !found->raw)
            add_html_escaped(b, found->value);
        else
            buf_puts(b, found->value);
        p = close + 1;
    }
    buf_puts(b, p);
}

/* reset_url + "?token=" (or "&token=" when it has a query already) + the token, with every
 * character of the token that is not URL-safe percent-encoded. */
static void add_reset_link(buf *b, const char *reset_url, const char *token)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(reset_url);
    buf_puts(b, reset_url);
    if (reset_url[n - 1] != '?' && reset_url[n - 1] != '&')
        buf_puts(b, strchr(reset_url, '?') ? "&" : "?");
    buf_puts(b, "token=");
    for (; *token; token++) {
        unsigned char c = (unsigned char)*token;
        char esc[3] = {'%', hex[c >> 4], hex[c & 15]};
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            strchr("-._~", c))
            buf_add(b, (const char *)&c, 1);
        else
            buf_add(b, esc, 3);
    }
}

/* ---- MIME pieces ----------------------------------------------------------------------- */

static void add_base64(buf *b, const unsigned char *data, size_t len)
{
    char chunk[LINE_MAX_COLS + 4];
    size_t i, n;
    for (i = 0; i < len; i += n) {
        n = len - i < BASE64_LINE_BYTES ? len - i : BASE64_LINE_BYTES;
        sodium_bin2base64(chunk, sizeof chunk, data + i, n, sodium_base64_VARIANT_ORIGINAL);
        buf_puts(b, chunk);
    }
    sodium_memzero(chunk, sizeof chunk);
}

/* The body of a part: text with CRLF line ends, in base64 lines of 76 characters. */
static void add_base64_body(buf *b, const char *text)
{
    buf crlf = {b->ctx, NULL, 0, 0, 0};
    const char *p = text, *nl;
    size_t i, n;
    while ((nl = strchr(p, '\n')) != NULL) {
        n = (size_t)(nl - p);
        if (n && p[n - 1] == '\r')
            n--;
        buf_add(&crlf, p, n);
        buf_puts(&crlf, "\r\n");
        p = nl + 1;
    }
    buf_puts(&crlf, p);
    if (crlf.failed) {
        b->failed = 1;
    } else {
        for (i = 0; i < crlf.len; i += n) {
            n = crlf.len - i < BASE64_LINE_BYTES ? crlf.len - i : BASE64_LINE_BYTES;
            add_base64(b, (const unsigned char *)crlf.data + i, n);
            buf_puts(b, "\r\n");
        }
    }
    buf_wipe(&crlf);
}

/* Bytes of UTF-8 that fit in one encoded-word of at most `cols` characters. */
static size_t word_capacity(size_t cols)
{
    return (cols - WORD_OVERHEAD) / 4 * 3;
}

/* Length of the UTF-8 character at p (the text is valid UTF-8). */
static size_t utf8_char_len(const unsigned char *p)
{
    size_t n = *p < 0x80 ? 1 : *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4, i;
    for (i = 1; i < n; i++)
        if (!p[i])
            return i;
    return n;
}

/* Writes s as RFC 2047 "B" encoded-words of UTF-8, folded with CRLF SP, each word at most 75
 * characters and every line at most 76 (`used` columns of the first line are taken), split
 * between whole characters only. */
static void add_encoded_words(buf *b, const char *s, size_t used)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t room = LINE_MAX_COLS - used, cap, n, c;
    if (room > WORD_MAX_COLS)
        room = WORD_MAX_COLS;
    cap = word_capacity(room);
    while (*p) {
        for (n = 0; p[n]; n += c) {
            c = utf8_char_len(p + n);
            if (n + c > cap)
                break;
        }
        if (p != (const unsigned char *)s)
            buf_puts(b, "\r\n ");
        buf_puts(b, "=?UTF-8?B?");
        add_base64(b, p, n);
        buf_puts(b, "?=");
        p += n;
        cap = word_capacity(WORD_MAX_COLS);
    }
}

/* Printable ASCII that cannot be taken for an encoded-word and fits on its line. */
static int header_plain_ok(const char *s, size_t len, size_t used)
{
    size_t i;
    if (used + len > LINE_MAX_COLS)
        return 0;
    for (i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] > 0x7e || (s[i] == '=' && s[i + 1] == '?'))
            return 0;
    return 1;
}

static void add_subject(buf *b, const char *subject)
{
    static const char name[] = "Subject: ";
    buf_puts(b, name);
    if (header_plain_ok(subject, strlen(subject), sizeof name - 1))
        buf_puts(b, subject);
    else
        add_encoded_words(b, subject, sizeof name - 1);
    buf_puts(b, "\r\n");
}

static void add_from(buf *b, const vg__mailbox *from)
{
    static const char name[] = "From: ";
    static const char brand[] = "VidGo";
    const char *dn = from->name ? from->name : brand;
    size_t dn_len = from->name ? from->name_len : sizeof brand - 1;
    buf_puts(b, name);
    if (header_plain_ok(dn, dn_len, sizeof name - 1)) {
        int quote = strcspn(dn, "()<>[]:;@\\,.\"") < dn_len || dn_len == 0;
        if (quote)
            buf_puts(b, "\"");
        buf_add(b, dn, dn_len);
        if (quote)
            buf_puts(b, "\"");
    } else {
        buf name_copy = {b->ctx, NULL, 0, 0, 0};
        buf_add(&name_copy, dn, dn_len);
        if (name_copy.failed)
            b->failed = 1;
        else
            add_encoded_words(b, name_copy.data, sizeof name - 1);
        buf_wipe(&name_copy);
    }
    buf_puts(b, " <");
    buf_add(b, from->addr, from->addr_len);
    buf_puts(b, ">\r\n");
}

static void add_date(buf *b, vg_time now)
{
    static const char days[7][4] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char months[12][4] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char line[128];
    time_t t = (time_t)(now / 1000000 - (now % 1000000 < 0));
    struct tm tm;
    if (!gmtime_r(&t, &tm)) {
        t = 0;
        gmtime_r(&t, &tm);
    }
    snprintf(line, sizeof line, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
             days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12], tm.tm_year + 1900,
             tm.tm_hour, tm.tm_min, tm.tm_sec);
    buf_puts(b, line);
}

/* RANDOM_ID_BYTES random bytes in hex (2 * RANDOM_ID_BYTES + 1 characters of out). */
static void random_hex(char *out)
{
    unsigned char bytes[RANDOM_ID_BYTES];
    randombytes_buf(bytes, sizeof bytes);
    sodium_bin2hex(out, 2 * RANDOM_ID_BYTES + 1, bytes, sizeof bytes);
}

static void add_message_id(buf *b, const vg__mailbox *from)
{
    char id[2 * RANDOM_ID_BYTES + 1];
    const char *domain = (const char *)memchr(from->addr, '@', from->addr_len) + 1;
    size_t len = from->addr_len - (size_t)(domain - from->addr), i;
    for (i = 0; i < len; i++) {
        char c = domain[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-'))
            break;
    }
    if (i < len || len == 0) {
        domain = MIME_FALLBACK_DOMAIN;
        len = strlen(domain);
    }
    random_hex(id);
    buf_puts(b, "Message-ID: <");
    buf_puts(b, id);
    buf_puts(b, "@");
    buf_add(b, domain, len);
    buf_puts(b, ">\r\n");
}

static void add_part(buf *b, const char *boundary, const char *type, const char *body)
{
    buf_puts(b, "--");
    buf_puts(b, boundary);
    buf_puts(b, "\r\nContent-Type: ");
    buf_puts(b, type);
    buf_puts(b, "; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n\r\n");
    add_base64_body(b, body);
}

static void add_mime(buf *b, const vg__mailbox *from, const char *to, const char *lang_tag,
                     const char *subject, const char *text, const char *html, vg_time now)
{
    char boundary[2 * RANDOM_ID_BYTES + 8] = "=_vg_";
    random_hex(boundary + 5);
    add_from(b, from);
    buf_puts(b, "To: ");
    buf_puts(b, to);
    buf_puts(b, "\r\n");
    add_subject(b, subject);
    add_date(b, now);
    add_message_id(b, from);
    buf_puts(b, "MIME-Version: 1.0\r\nContent-Language: ");
    buf_puts(b, lang_tag);
    buf_puts(b, "\r\nAuto-Submitted: auto-generated\r\n"
                "Content-Type: multipart/alternative; boundary=\"");
    buf_puts(b, boundary);
    buf_puts(b, "\"\r\n\r\n");
    add_part(b, boundary, "text/plain", text);
    add_part(b, boundary, "text/html", html);
    buf_puts(b, "--");
    buf_puts(b, boundary);
    buf_puts(b, "--\r\n");
}

/* ---- the message ----------------------------------------------------------------------- */

static int secret_ok(const char *secret)
{
    const unsigned char *p = (const unsigned char *)secret;
    if (!secret || !*secret || strlen(secret) > 512)
        return 0;
    for (; *p; p++)
        if (*p <= 0x20 || *p >= 0x7f)
            return 0;
    return 1;
}

int vg__email_compose(vg__email_message *out, vg_ctx *ctx, vg__email_kind kind, int lang,
                      const char *from, const char *to, const char *secret,
                      const char *reset_url, vg_time now)
{
    const vg__email_template *t;
    vg__mailbox sender, rcpt;
    char minutes[16];
    buf link = {ctx, NULL, 0, 0, 0}, link_text = {ctx, NULL, 0, 0, 0};
    buf link_html = {ctx, NULL, 0, 0, 0}, text = {ctx, NULL, 0, 0, 0};
    buf body = {ctx, NULL, 0, 0, 0}, html = {ctx, NULL, 0, 0, 0}, mime = {ctx, NULL, 0, 0, 0};
    int rc = VG_OK;

    if (!out || !ctx)
        return vg__fail(ctx, VG_EINVAL, "vg__email_compose: out or ctx is NULL");
    memset(out, 0, sizeof *out);
    if ((int)kind < 0 || (int)kind >= VG__EMAIL_KIND_COUNT || lang < 0 || lang >= VG__LANG_COUNT)
        return vg__fail(ctx, VG_EINVAL, "unknown e-mail kind %d or language %d", (int)kind,
                        lang);
    if (!secret_ok(secret))
        return vg__fail(ctx, VG_EINVAL, "the code or token of an e-mail must be printable "
                                        "ASCII without spaces");
    /* The recipient is one plain address, nothing around it: CR or LF would inject headers. */
    if (!to || !vg__mailbox_parse(&rcpt, to) || rcpt.name || rcpt.addr != to ||
        rcpt.addr_len != strlen(to))
        return vg__fail(ctx, VG_EINVAL, "the recipient is not one plain e-mail address "
                                        "(control characters, spaces and lists are refused)");
    if (!from || !vg__mailbox_parse(&sender, from))
        return vg__fail(ctx, VG_EINVAL, "the sender is not a valid e-mail address");

    t = &vg__email_templates[kind][lang];
    snprintf(minutes, sizeof minutes, "%d", vg__email_valid_minutes[kind]);
    if (t->link_text && reset_url && *reset_url) {
        add_reset_link(&link, reset_url, secret);
        if (!link.failed) {
            const var link_vars[] = {{"link", link.data, 0}};
            expand(&link_text, t->link_text, link_vars, 1, 0);
            expand(&link_html, t->link_html, link_vars, 1, 1);
        }
    }
    buf_add(&link_text, "", 0);
    buf_add(&link_html, "", 0);
    if (link.failed || link_text.failed || link_html.failed) {
        rc = VG_ENOMEM;
        goto done;
    }
    {
        const var text_vars[] = {{"code", secret, 0},
                                 {"token", secret, 0},
                                 {"minutes", minutes, 0},
                                 {"link_block", link_text.data, 1}};
        const var html_vars[] = {{"code", secret, 0},
                                 {"token", secret, 0},
                                 {"minutes", minutes, 0},
                                 {"link_block", link_html.data, 1}};
        expand(&text, t->text, text_vars, 4, 0);
        expand(&body, t->html, html_vars, 4, 1);
    }
    buf_add(&body, "", 0);
    if (!body.failed) {
        const var frame_vars[] = {
            {"lang", vg__lang_tags[lang], 0}, {"title", t->subject, 0}, {"body", body.data, 1}};
        expand(&html, vg__email_html_frame, frame_vars, 3, 1);
    }
    buf_add(&text, "", 0);
    buf_add(&html, "", 0);
    if (!text.failed && !html.failed)
        add_mime(&mime, &sender, to, vg__lang_tags[lang], t->subject, text.data, html.data,
                 now);
    out->subject = vg__strdup(ctx, t->subject);
    out->text = buf_take(&text);
    out->html = buf_take(&html);
    out->mime = buf_take(&mime);
    if (!out->subject || !out->text || !out->html || !out->mime) {
        vg__email_message_free(ctx, out);
        rc = VG_ENOMEM;
    }
done:
    buf_wipe(&link);
    buf_wipe(&link_text);
    buf_wipe(&link_html);
    buf_wipe(&text);
    buf_wipe(&body);
    buf_wipe(&html);
    buf_wipe(&mime);
    if (rc == VG_ENOMEM)
        return vg__fail(ctx, VG_ENOMEM, "out of memory composing an e-mail");
    return rc;
}

static void wipe_free(vg_ctx *ctx, char **s)
{
    if (*s) {
        sodium_memzero(*s, strlen(*s));
        vg__free(ctx, *s);
        *s = NULL;
    }
}

void vg__email_message_free(vg_ctx *ctx, vg__email_message *message)
{
    if (!ctx || !message)
        return;
    wipe_free(ctx, &message->subject);
    wipe_free(ctx, &message->text);
    wipe_free(ctx, &message->html);
    wipe_free(ctx, &message->mime);
}
