/* SPDX-License-Identifier: MIT */
/* Deferred values: a tree built on any thread, turned into JS on the main thread. */
#include "vgn.h"

#include <stdlib.h>
#include <string.h>

typedef enum {
    VAL_NULL, VAL_INT, VAL_NUM, VAL_BOOL, VAL_STR, VAL_TIME, VAL_BYTES, VAL_OBJECT, VAL_ARRAY
} val_type;

struct vgn_val {
    val_type type;
    int failed;            /* a child could not be made: the whole tree fails */
    const char *key;       /* in an object: the property name (a literal) */
    vgn_val *first, *last; /* children of an object or array */
    vgn_val *next;
    size_t len;            /* bytes of a string or buffer */
    union {
        int64_t i;
        double d;
        char *s;
    } u;
};

static vgn_val *val_new(val_type type)
{
    vgn_val *v = calloc(1, sizeof *v);
    if (v)
        v->type = type;
    return v;
}

vgn_val *vgn_object(void) { return val_new(VAL_OBJECT); }
vgn_val *vgn_array(void) { return val_new(VAL_ARRAY); }
vgn_val *vgn_null(void) { return val_new(VAL_NULL); }

vgn_val *vgn_int(int64_t value)
{
    vgn_val *v = val_new(VAL_INT);
    if (v)
        v->u.i = value;
    return v;
}

vgn_val *vgn_num(double value)
{
    vgn_val *v = val_new(VAL_NUM);
    if (v)
        v->u.d = value;
    return v;
}

vgn_val *vgn_bool(int value)
{
    vgn_val *v = val_new(VAL_BOOL);
    if (v)
        v->u.i = value != 0;
    return v;
}

vgn_val *vgn_time(vg_time t)
{
    vgn_val *v = val_new(t ? VAL_TIME : VAL_NULL);
    if (v)
        v->u.i = t;
    return v;
}

static vgn_val *val_copy(val_type type, const void *data, size_t len)
{
    vgn_val *v = val_new(type);
    if (!v)
        return NULL;
    v->u.s = malloc(len + 1);
    if (!v->u.s) {
        free(v);
        return NULL;
    }
    if (len)
        memcpy(v->u.s, data, len);
    v->u.s[len] = '\0';
    v->len = len;
    return v;
}

vgn_val *vgn_strn(const char *text, size_t len)
{
    return text ? val_copy(VAL_STR, text, len) : vgn_null();
}

vgn_val *vgn_str(const char *text)
{
    return text ? val_copy(VAL_STR, text, strlen(text)) : vgn_null();
}

vgn_val *vgn_bytes(const void *data, size_t len)
{
    return val_copy(VAL_BYTES, data, len);
}

static void append(vgn_val *parent, const char *key, vgn_val *child)
{
    if (!parent) {
        vgn_val_free(child);
        return;
    }
    if (!child) {
        parent->failed = 1;
        return;
    }
    child->key = key;
    if (parent->last)
        parent->last->next = child;
    else
        parent->first = child;
    parent->last = child;
}

void vgn_set(vgn_val *object, const char *key, vgn_val *child) { append(object, key, child); }
void vgn_push(vgn_val *array, vgn_val *child) { append(array, NULL, child); }

void vgn_val_free(vgn_val *value)
{
    while (value) {
        vgn_val *next = value->next;
        vgn_val_free(value->first);
        if (value->type == VAL_STR || value->type == VAL_BYTES)
            free(value->u.s);
        free(value);
        value = next;
    }
}

static int tree_failed(const vgn_val *v)
{
    for (; v; v = v->next)
        if (v->failed || tree_failed(v->first))
            return 1;
    return 0;
}

static napi_value to_js(napi_env env, const vgn_val *v);

static napi_value container_to_js(napi_env env, const vgn_val *v)
{
    napi_value out;
    uint32_t index = 0;
    if ((v->type == VAL_ARRAY ? napi_create_array(env, &out) : napi_create_object(env, &out)) != napi_ok)
        return NULL;
    for (const vgn_val *c = v->first; c; c = c->next) {
        napi_value item = to_js(env, c);
        if (!item)
            return NULL;
        napi_status st = v->type == VAL_ARRAY ? napi_set_element(env, out, index++, item)
                                              : napi_set_named_property(env, out, c->key, item);
        if (st != napi_ok)
            return NULL;
    }
    return out;
}

static napi_value to_js(napi_env env, const vgn_val *v)
{
    napi_value out = NULL;
    void *data;
    switch (v->type) {
    case VAL_NULL: napi_get_null(env, &out); break;
    case VAL_INT: napi_create_int64(env, v->u.i, &out); break;
    case VAL_NUM: napi_create_double(env, v->u.d, &out); break;
    case VAL_BOOL: napi_get_boolean(env, v->u.i != 0, &out); break;
    case VAL_STR: napi_create_string_utf8(env, v->u.s, v->len, &out); break;
    case VAL_TIME: napi_create_date(env, (double)v->u.i / 1000.0, &out); break;
    case VAL_BYTES:
        if (napi_create_buffer_copy(env, v->len, v->u.s, &data, &out) != napi_ok)
            out = NULL;
        break;
    case VAL_OBJECT:
    case VAL_ARRAY: out = container_to_js(env, v); break;
    }
    return out;
}

napi_value vgn_val_to_js(napi_env env, const vgn_val *value)
{
    napi_value out;
    if (!value) {
        napi_get_undefined(env, &out);
        return out;
    }
    if (tree_failed(value)) {
        napi_throw_error(env, "ERR_VIDGO_NOMEM", "out of memory");
        return NULL;
    }
    out = to_js(env, value);
    if (!out) {
        bool pending = false;
        napi_is_exception_pending(env, &pending);
        if (!pending)
            napi_throw_error(env, NULL, "vidgo: cannot convert a result to JS");
    }
    return out;
}
