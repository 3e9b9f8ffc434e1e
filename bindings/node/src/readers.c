/* SPDX-License-Identifier: MIT */
/* Argument readers and calls the API-group files share beyond the toolkit (groups.h). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "groups.h"

const char *vgn_name_in(const char *const *names, size_t count, int value)
{
    return value >= 0 && (size_t)value < count ? names[value] : NULL;
}

int vgn_read_name(vgn_op *op, napi_value value, const char *name, int optional,
                  const char *(*name_of)(int), int count)
{
    napi_valuetype type;
    if (!vgn_op_absent(op, value) &&
        (napi_typeof(op->env, value, &type) != napi_ok || type != napi_string)) {
        vgn_op_reject(op, VGN_TYPE_ERROR, "%s must be a string", name);
        return -1;
    }
    return vgn_op_enum(op, value, name, optional, name_of, count);
}

int vgn_read_int_option(vgn_op *op, napi_value options, const char *key)
{
    return (int)vgn_op_int_in(op, vgn_op_prop(op, options, key), key, 1, 0, INT_MAX);
}

unsigned int vgn_read_version(vgn_op *op, napi_value value, unsigned int current)
{
    if (vgn_op_absent(op, value))
        return current;
    return (unsigned int)vgn_op_int_in(op, value, "version", 0, 0, UINT_MAX);
}

void vgn_read_text(vgn_op *op, napi_value value, const char *name, int optional, char *out,
                   size_t size)
{
    const char *text = vgn_op_string(op, value, name, optional);
    if (!text)
        return;
    if (strlen(text) >= size)
        vgn_op_reject(op, VGN_RANGE_ERROR, "%s is longer than %zu bytes", name, size - 1);
    else
        memcpy(out, text, strlen(text) + 1);
}

int vgn_check_object(vgn_op *op, napi_value value, const char *name)
{
    napi_valuetype type;
    bool array = false;
    if (napi_typeof(op->env, value, &type) == napi_ok && type == napi_object &&
        napi_is_array(op->env, value, &array) == napi_ok && !array)
        return 1;
    vgn_op_reject(op, VGN_TYPE_ERROR, "%s must be an object", name);
    return 0;
}

/* ---- name-of-a-number calls ---------------------------------------------------------- */

typedef struct {
    vgn_op op;
    int64_t number;
    const char *text;
    const char *(*name_of)(int);
    int (*index_of)(const char *);
} name_op;

static void name_exec(vgn_op *op)
{
    name_op *o = (name_op *)op;
    if (o->index_of)
        op->result = vgn_int(o->index_of(o->text));
    else if (o->number >= INT_MIN && o->number <= INT_MAX)
        op->result = vgn_str(o->name_of((int)o->number));
    else
        op->result = vgn_null(); /* beyond int: it names nothing either */
}

napi_value vgn_name_call(napi_env env, napi_callback_info info, const char *(*name_of)(int),
                         int (*index_of)(const char *))
{
    VGN_ARGS(env, info, 1, argv);
    name_op *o = vgn_op_new(env, sizeof *o, name_exec);
    if (!o)
        return NULL;
    o->name_of = name_of;
    o->index_of = index_of;
    if (name_of)
        o->number = vgn_op_int(&o->op, argv[0], "value", 0);
    else
        o->text = vgn_op_string(&o->op, argv[0], "name", 0);
    return vgn_op_run(&o->op, VGN_SYNC);
}
