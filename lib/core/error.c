/* SPDX-License-Identifier: MIT */
/* The last failure, per thread and per context, and the catalog lookups of status codes. */
#include <stdio.h>
#include <string.h>

#include "internal.h"
#include "i18n.h"

static _Thread_local int tls_code;
static _Thread_local char tls_msg[VG__ERRMSG_SIZE];
static _Thread_local char tls_ctx_copy[VG__ERRMSG_SIZE];
static _Thread_local int tls_retry_after_s;

int vg__failv(vg_ctx *ctx, int code, const char *fmt, va_list ap)
{
    tls_code = code;
    tls_retry_after_s = 0;
    vsnprintf(tls_msg, sizeof tls_msg, fmt, ap);
    if (ctx) {
        pthread_mutex_lock(&ctx->err_lock);
        ctx->err_code = code;
        memcpy(ctx->err_msg, tls_msg, sizeof ctx->err_msg);
        pthread_mutex_unlock(&ctx->err_lock);
        vg__log(ctx, VG_LOG_DEBUG, "%s: %s", vg_error_name(code), tls_msg);
    }
    return code;
}

int vg__fail(vg_ctx *ctx, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vg__failv(ctx, code, fmt, ap);
    va_end(ap);
    return code;
}

int vg__fail_retry(vg_ctx *ctx, int retry_after_s, const char *what)
{
    vg__fail(ctx, VG_ERATE_LIMITED, "%s; try again in %d s", what, retry_after_s);
    tls_retry_after_s = retry_after_s;
    return VG_ERATE_LIMITED;
}

int vg_error_retry_after(void)
{
    return tls_code == VG_ERATE_LIMITED ? tls_retry_after_s : 0;
}

int vg_error_last_code(void)
{
    return tls_code;
}

const char *vg_error_last(void)
{
    return tls_msg;
}

void vg_error_clear(void)
{
    tls_code = VG_OK;
    tls_retry_after_s = 0;
    tls_msg[0] = '\0';
}

const char *vg_ctx_errmsg(vg_ctx *ctx)
{
    if (!ctx)
        return "no context (NULL)";
    pthread_mutex_lock(&ctx->err_lock);
    memcpy(tls_ctx_copy, ctx->err_msg, sizeof tls_ctx_copy);
    pthread_mutex_unlock(&ctx->err_lock);
    return tls_ctx_copy;
}

int vg_ctx_errcode(vg_ctx *ctx)
{
    int code;
    if (!ctx)
        return VG_EINVAL;
    pthread_mutex_lock(&ctx->err_lock);
    code = ctx->err_code;
    pthread_mutex_unlock(&ctx->err_lock);
    return code;
}

static const vg__status_entry *find_entry(int code)
{
    size_t i;
    for (i = 0; i < vg__status_catalog_count; i++)
        if (vg__status_catalog[i].code == code)
            return &vg__status_catalog[i];
    return NULL;
}

size_t vg_error_count(void)
{
    return vg__status_catalog_count;
}

int vg_error_code_at(size_t index)
{
    return index < vg__status_catalog_count ? vg__status_catalog[index].code : 1;
}

const char *vg_error_name(int code)
{
    const vg__status_entry *e = find_entry(code);
    return e ? e->name : "VG_EUNKNOWN";
}

const char *vg_strerror(int code, const char *lang)
{
    const vg__status_entry *e = find_entry(code);
    int l = vg__lang_parse(lang);
    if (l < 0)
        l = VG__LANG_EN;
    return e ? e->text[l] : vg__status_unknown_text[l];
}
