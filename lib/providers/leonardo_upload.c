/* SPDX-License-Identifier: MIT */
/* Leonardo's product-photo upload: POST /init-image for a presigned form, then the photo
 * POSTed to it as multipart/form-data (docs/providers.md §1.4; no key is sent there). */
#include <cJSON.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "provider.h"

/* Declared again in leonardo.c, its one caller. */
int vg__leonardo_upload(char *id_out, size_t size, vg_ctx *ctx, const vg__provider_conf *conf,
                        const unsigned char *data, size_t len, const char *mime);

static const char *const json_headers[] = {"accept: application/json", NULL};

/* The types /init-image takes ("png", "jpg", "jpeg", "webp") and the MIME types they are. */
static const struct {
    const char *mime;
    const char *extension;
} image_types[] = {
    {"image/png", "png"},
    {"image/jpeg", "jpg"},
    {"image/jpg", "jpg"},
    {"image/webp", "webp"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Writes the multipart body, or only counts its bytes when out is NULL. */
typedef struct writer {
    char *out;
    size_t len;
} writer;

static void put(writer *w, const void *p, size_t n)
{
    if (w->out)
        memcpy(w->out + w->len, p, n);
    w->len += n;
}

static void puts3(writer *w, const char *a, const char *b, const char *c)
{
    put(w, a, strlen(a));
    put(w, b, strlen(b));
    put(w, c, strlen(c));
}

/* The form: every presigned field, then the photo as the part named "file" (last, as S3
 * wants it), then the closing boundary. */
static void write_form(writer *w, const char *boundary, const cJSON *fields, const char *extension,
                       const char *mime, const unsigned char *data, size_t len)
{
    const cJSON *f;
    cJSON_ArrayForEach(f, fields)
    {
        puts3(w, "--", boundary, "\r\n");
        puts3(w, "Content-Disposition: form-data; name=\"", f->string, "\"\r\n\r\n");
        puts3(w, f->valuestring, "\r\n", "");
    }
    puts3(w, "--", boundary, "\r\n");
    puts3(w, "Content-Disposition: form-data; name=\"file\"; filename=\"product.", extension,
          "\"\r\n");
    puts3(w, "Content-Type: ", mime, "\r\n\r\n");
    put(w, data, len);
    puts3(w, "\r\n--", boundary, "--\r\n");
}

/* 1 when the presigned fields are a flat object of strings fit for form headers. */
static int fields_ok(const cJSON *fields)
{
    const cJSON *f;
    if (!cJSON_IsObject(fields))
        return 0;
    cJSON_ArrayForEach(f, fields)
    {
        if (!cJSON_IsString(f) || !f->string || !*f->string || strpbrk(f->string, "\"\r\n") ||
            strpbrk(f->valuestring, "\r\n"))
            return 0;
    }
    return 1;
}

/* 1 for an id fit for a JSON body and a log line: printable ASCII without spaces, '/', '?',
 * '#', '%', '\\' or '"', shorter than size. */
static int id_ok(const char *id, size_t size)
{
    const char *p;
    if (!id || !*id || strlen(id) >= size)
        return 0;
    for (p = id; *p; p++)
        if (*p <= ' ' || *p > '~' || strchr("/?#%\\\"", *p))
            return 0;
    return 1;
}

/* 1 when the boundary occurs in the photo (then another is drawn). */
static int occurs(const unsigned char *data, size_t len, const char *boundary)
{
    size_t n = strlen(boundary), i;
    for (i = 0; i + n <= len; i++)
        if (data[i] == (unsigned char)boundary[0] && memcmp(data + i, boundary, n) == 0)
            return 1;
    return 0;
}

/* POSTs the photo to the presigned URL. The URL answers 204 (or another 2xx); a 4xx there
 * is the form refused, never the API key (none is sent). */
static int post_form(vg_ctx *ctx, const vg__provider_conf *conf, const char *url,
                     const cJSON *fields, const char *extension, const char *mime,
                     const unsigned char *data, size_t len)
{
    unsigned char raw[16];
    char boundary[48], ctype[96], message[512];
    writer w = {NULL, 0};
    long status = 0;
    int rc;

    do {
        randombytes_buf(raw, sizeof raw);
        memcpy(boundary, "vidgo-", 6);
        sodium_bin2hex(boundary + 6, sizeof boundary - 6, raw, sizeof raw);
    } while (occurs(data, len, boundary));
    write_form(&w, boundary, fields, extension, mime, data, len);
    if (!(w.out = vg__alloc(ctx, w.len)))
        return vg__fail(ctx, VG_ENOMEM, "out of memory");
    w.len = 0;
    write_form(&w, boundary, fields, extension, mime, data, len);
    snprintf(ctype, sizeof ctype, "multipart/form-data; boundary=%s", boundary);
    vg__log(ctx, VG_LOG_DEBUG, "%s: upload the photo (%zu bytes, %s) to the presigned URL",
            conf->name, len, mime);
    rc = vg__provider_send_raw(&status, ctx, conf, url, ctype, w.out, w.len,
                               "upload the photo to the presigned URL");
    if (rc == VG_EPROVIDER_AUTH) {
        vg__copy(message, sizeof message, vg_error_last());
        rc = vg__fail(ctx, VG_EPROVIDER_REJECTED, "%s (the presigned form was refused)", message);
    }
    vg__free(ctx, w.out);
    return rc;
}

int vg__leonardo_upload(char *id_out, size_t size, vg_ctx *ctx, const vg__provider_conf *conf,
                        const unsigned char *data, size_t len, const char *mime)
{
    const char *extension = NULL, *canonical = NULL, *id, *url, *text;
    const cJSON *job;
    cJSON *body = NULL, *root = NULL, *fields = NULL;
    vg__provider_call call;
    char *json = NULL;
    size_t i;
    int rc;

    for (i = 0; mime && i < COUNT(image_types); i++)
        if (strcasecmp(image_types[i].mime, mime) == 0) {
            extension = image_types[i].extension;
            canonical = image_types[i].mime;
        }
    if (!extension)
        return vg__fail(ctx, VG_EINPUT_ASSET,
                        "%s: the photo must be PNG, JPEG or WebP, not \"%.40s\"", conf->name,
                        mime && vg__utf8_valid(mime) ? mime : "?");
    if (!(body = cJSON_CreateObject()) || !cJSON_AddStringToObject(body, "extension", extension) ||
        !(json = cJSON_PrintUnformatted(body))) {
        rc = vg__fail(ctx, VG_ENOMEM, "out of memory");
        goto done;
    }
    memset(&call, 0, sizeof call);
    call.method = "POST";
    call.path = "/init-image";
    call.body = json;
    call.headers = json_headers;
    call.what = "ask for an upload URL"; /* free and harmless to repeat: not a paid job */
    if ((rc = vg__provider_send(&root, ctx, conf, &call)) != VG_OK)
        goto done;
    job = vg__json_obj(root, "uploadInitImage");
    id = vg__json_str(job, "id");
    url = vg__json_str(job, "url");
    text = vg__json_str(job, "fields");
    if (!id_ok(id, size) || !url ||
        (strncmp(url, "https://", 8) != 0 && strncmp(url, "http://", 7) != 0) || !text) {
        rc = vg__provider_bad_answer(ctx, conf, call.what, "has no usable id, url and fields");
        goto done;
    }
    if (!(fields = cJSON_Parse(text)) || !fields_ok(fields)) {
        rc = vg__provider_bad_answer(ctx, conf, call.what,
                                     "has fields that are not a JSON object of strings");
        goto done;
    }
    if ((rc = post_form(ctx, conf, url, fields, extension, canonical, data, len)) != VG_OK)
        goto done;
    vg__copy(id_out, size, id);
    vg__log(ctx, VG_LOG_DEBUG, "%s: the photo is init image %s", conf->name, id);
done:
    cJSON_Delete(fields);
    cJSON_Delete(root);
    cJSON_Delete(body);
    cJSON_free(json);
    return rc;
}
