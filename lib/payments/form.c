/* SPDX-License-Identifier: MIT */
/* application/x-www-form-urlencoded bodies, read strictly (payment callbacks) and written
 * (simulated callbacks). */
#include <string.h>

#include "payments_wire.h"

int vg__form_keeps(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.' || c == '!' || c == '*' || c == '(' || c == ')';
}

static int ascii_lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

int vg__ascii_casecmp(const char *a, const char *b)
{
    const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
    for (;; p++, q++) {
        int x = ascii_lower(*p), y = ascii_lower(*q);
        if (x != y || x == 0)
            return x - y;
    }
}

/* --- reading ---------------------------------------------------------------------------------- */

int vg__hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes raw[0..n) ('+' and %XX) to text + *w and a NUL; returns 0 on a bad escape or a NUL. */
static int decode(char *text, size_t *w, const char *raw, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        int c = (unsigned char)raw[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= n || vg__hex_value(raw[i + 1]) < 0 || vg__hex_value(raw[i + 2]) < 0)
                return 0;
            c = vg__hex_value(raw[i + 1]) << 4 | vg__hex_value(raw[i + 2]);
            i += 2;
        }
        if (c == 0)
            return 0;
        text[(*w)++] = (char)c;
    }
    text[(*w)++] = '\0';
    return 1;
}

/* Adds the pair raw[0..n) (at least one byte) to the form. */
static int add_pair(vg__form *form, size_t *w, const char *raw, size_t n)
{
    const char *eq = memchr(raw, '=', n);
    size_t name_len = eq ? (size_t)(eq - raw) : n, i;
    vg_form_field f;

    if (name_len == 0)
        return vg__fail(form->ctx, VG_EINVAL, "form: a field has no name");
    if (form->count == VG__FORM_MAX_FIELDS)
        return vg__fail(form->ctx, VG_EINVAL, "form: more than %d fields", VG__FORM_MAX_FIELDS);
    f.name = form->text + *w;
    if (!decode(form->text, w, raw, name_len))
        return vg__fail(form->ctx, VG_EINVAL, "form: field %zu's name has a bad %%-escape or a NUL",
                        form->count);
    f.value = "";
    if (eq) {
        f.value = form->text + *w;
        if (!decode(form->text, w, eq + 1, n - name_len - 1))
            return vg__fail(form->ctx, VG_EINVAL,
                            "form: field %zu's value has a bad %%-escape or a NUL", form->count);
    }
    if (!vg__utf8_valid(f.name) || !vg__utf8_valid(f.value))
        return vg__fail(form->ctx, VG_EUTF8, "form: field %zu is not UTF-8", form->count);
    for (i = 0; i < form->count; i++)
        if (vg__ascii_casecmp(form->fields[i].name, f.name) == 0)
            return vg__fail(form->ctx, VG_EINVAL, "form: a field is given twice");
    form->fields[form->count++] = f;
    return VG_OK;
}

int vg__form_parse(vg__form *out, vg_ctx *ctx, const char *body, size_t len)
{
    size_t start = 0, end, w = 0;
    int rc = VG_OK;

    if (!out)
        return vg__fail(ctx, VG_EINVAL, "form: out is NULL");
    memset(out, 0, sizeof *out);
    out->ctx = ctx;
    if (!body && len)
        return vg__fail(ctx, VG_EINVAL, "form: the body is NULL");
    if (len > VG__FORM_MAX_BODY)
        return vg__fail(ctx, VG_EINVAL, "form: the body is over %d bytes", VG__FORM_MAX_BODY);
    if (memchr(body ? body : "", '\0', len))
        return vg__fail(ctx, VG_EINVAL, "form: the body holds a NUL byte");
    /* Each pair decodes to at most its own length plus one (its NULs take the place of '='
     * and of the '&' after it), so len + 1 bytes hold them all. */
    out->text = ctx ? vg__alloc(ctx, len + 1) : vg__hook_alloc(NULL, NULL, len + 1);
    if (!out->text)
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    for (; start < len; start = end + 1) {
        end = start;
        while (end < len && body[end] != '&')
            end++;
        if (end > start && (rc = add_pair(out, &w, body + start, end - start)) != VG_OK)
            break;
    }
    if (rc != VG_OK)
        vg__form_free(out);
    return rc;
}

const char *vg__form_get(const vg__form *form, const char *name)
{
    size_t i;
    if (!form || !name)
        return NULL;
    for (i = 0; i < form->count; i++)
        if (strcmp(form->fields[i].name, name) == 0)
            return form->fields[i].value;
    return NULL;
}

void vg__form_free(vg__form *form)
{
    vg_ctx *ctx;
    if (!form)
        return;
    ctx = form->ctx;
    if (form->text && ctx)
        vg__free(ctx, form->text);
    else if (form->text)
        vg__hook_free(NULL, NULL, form->text);
    memset(form, 0, sizeof *form);
    form->ctx = ctx;
}

/* --- writing ---------------------------------------------------------------------------------- */

static void put(char *out, size_t size, size_t *len, char c)
{
    if (*len + 1 < size)
        out[*len] = c;
    (*len)++;
}

static void put_encoded(char *out, size_t size, size_t *len, const char *text)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)text;
    for (; *p; p++) {
        if (vg__form_keeps(*p)) {
            put(out, size, len, (char)*p);
        } else if (*p == ' ') {
            put(out, size, len, '+');
        } else {
            put(out, size, len, '%');
            put(out, size, len, hex[*p >> 4]);
            put(out, size, len, hex[*p & 15]);
        }
    }
}

int vg__form_encode(char *out, size_t size, size_t *out_len, const vg_form_field *fields,
                    size_t count)
{
    size_t len = 0, i;

    if (out_len)
        *out_len = 0;
    if ((!out && size) || (!fields && count))
        return vg__fail(NULL, VG_EINVAL, "form: the buffer or the fields are NULL");
    if (size)
        out[0] = '\0';
    for (i = 0; i < count; i++) {
        if (!fields[i].name || !*fields[i].name || !fields[i].value)
            return vg__fail(NULL, VG_EINVAL, "form: field %zu has no name or value", i);
        if (!vg__utf8_valid(fields[i].name) || !vg__utf8_valid(fields[i].value))
            return vg__fail(NULL, VG_EUTF8, "form: field %zu is not UTF-8", i);
    }
    for (i = 0; i < count; i++) {
        if (i)
            put(out, size, &len, '&');
        put_encoded(out, size, &len, fields[i].name);
        put(out, size, &len, '=');
        put_encoded(out, size, &len, fields[i].value);
    }
    if (out_len)
        *out_len = len;
    if (len >= size) {
        if (size)
            out[0] = '\0';
        return vg__fail(NULL, VG_EBUFSIZE, "form: the body needs %zu bytes", len + 1);
    }
    out[len] = '\0';
    return VG_OK;
}
