/* SPDX-License-Identifier: MIT */
/* The module: per-env state, the error factory, and every API group's functions. */
#include "vgn_internal.h"

#include <stdlib.h>

static void instance_free(napi_env env, void *data, void *hint)
{
    vgn_instance *instance = data;
    (void)hint;
    if (instance->error_factory)
        napi_delete_reference(env, instance->error_factory);
    if (instance->handle_registry)
        napi_delete_reference(env, instance->handle_registry);
    free(instance);
}

vgn_instance *vgn_instance_of(napi_env env)
{
    void *data = NULL;
    napi_get_instance_data(env, &data);
    return data;
}

napi_value vgn_make_error(napi_env env, int rc, const char *message, int retry_after,
                          const char *lang)
{
    vgn_instance *instance = vgn_instance_of(env);
    napi_value factory = NULL, argv[4], undefined, error, code, text;
    if (!message || !*message)
        message = rc == VGN_CLOSED ? "closed" : vg_strerror(rc, lang);
    if (instance && instance->error_factory)
        napi_get_reference_value(env, instance->error_factory, &factory);
    if (factory) {
        napi_create_int32(env, rc, &argv[0]);
        napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &argv[1]);
        napi_create_int32(env, retry_after, &argv[2]);
        napi_create_string_utf8(env, lang && *lang ? lang : "en", NAPI_AUTO_LENGTH, &argv[3]);
        napi_get_undefined(env, &undefined);
        if (napi_call_function(env, undefined, factory, 4, argv, &error) == napi_ok)
            return error;
        napi_get_and_clear_last_exception(env, &error);
        return error;
    }
    napi_create_string_utf8(env, rc == VGN_CLOSED ? "ERR_VIDGO_CLOSED" : vg_error_name(rc),
                            NAPI_AUTO_LENGTH, &code);
    napi_create_string_utf8(env, message, NAPI_AUTO_LENGTH, &text);
    napi_create_error(env, code, text, &error);
    return error;
}

/* Keeps the function of the call's first argument in *slot. */
static napi_value keep_function(napi_env env, napi_callback_info info, napi_ref *slot)
{
    napi_valuetype type;
    VGN_ARGS(env, info, 1, argv);
    if (napi_typeof(env, argv[0], &type) != napi_ok || type != napi_function) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a function was expected");
        return NULL;
    }
    if (*slot)
        napi_delete_reference(env, *slot);
    napi_create_reference(env, argv[0], 1, slot);
    return NULL;
}

/* setErrorFactory(fn): lib/errors.js hands over the function that makes VidgoErrors. */
static napi_value set_error_factory(napi_env env, napi_callback_info info)
{
    return keep_function(env, info, &vgn_instance_of(env)->error_factory);
}

/* setHandleRegistry(fn): lib/native.js hands over fn(object, external), which registers a new
 * handle object with its FinalizationRegistry. */
static napi_value set_handle_registry(napi_env env, napi_callback_info info)
{
    return keep_function(env, info, &vgn_instance_of(env)->handle_registry);
}

/* handle_finalize(external): the FinalizationRegistry's callback, once a handle object was
 * collected. */
static napi_value handle_finalize(napi_env env, napi_callback_info info)
{
    void *data = NULL;
    VGN_ARGS(env, info, 1, argv);
    if (napi_get_value_external(env, argv[0], &data) != napi_ok || !data) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a handle's External was expected");
        return NULL;
    }
    vgn_handle_finalize(data);
    return NULL;
}

/* handle_close(h): closes any handle (children first; freed once idle). */
static napi_value handle_close(napi_env env, napi_callback_info info)
{
    vgn_handle *h;
    VGN_ARGS(env, info, 1, argv);
    h = vgn_handle_of(env, argv[0]);
    if (!h) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a vidgo handle was expected");
        return NULL;
    }
    vgn_handle_close(h);
    return NULL;
}

/* handle_closed(h): true once close() was asked for (or the pointer is gone). */
static napi_value handle_closed(napi_env env, napi_callback_info info)
{
    vgn_handle *h;
    napi_value out;
    VGN_ARGS(env, info, 1, argv);
    h = vgn_handle_of(env, argv[0]);
    if (!h) {
        napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "a vidgo handle was expected");
        return NULL;
    }
    napi_get_boolean(env, vgn_handle_is_closed(h), &out);
    return out;
}

int vgn_export(napi_env env, napi_value exports, const vgn_function *functions, size_t count)
{
    for (size_t i = 0; i < count; i++) {
        napi_value fn;
        if (napi_create_function(env, functions[i].name, NAPI_AUTO_LENGTH, functions[i].fn,
                                 NULL, &fn) != napi_ok ||
            napi_set_named_property(env, exports, functions[i].name, fn) != napi_ok)
            return -1;
    }
    return 0;
}

static const vgn_function module_functions[] = {
    {"setErrorFactory", set_error_factory},
    {"setHandleRegistry", set_handle_registry},
    {"handle_finalize", handle_finalize},
    {"handle_close", handle_close},
    {"handle_closed", handle_closed},
};

static int (*const groups[])(napi_env, napi_value) = {
    vgn_register_context, vgn_register_accounts, vgn_register_plans, vgn_register_credits,
    vgn_register_cache, vgn_register_providers, vgn_register_generate, vgn_register_payments,
};

/* What NAPI_MODULE_INIT defines, declared first for -Wmissing-prototypes. */
NAPI_MODULE_EXPORT int32_t node_api_module_get_api_version_v1(void);
NAPI_MODULE_EXPORT napi_value napi_register_module_v1(napi_env env, napi_value exports);

NAPI_MODULE_INIT()
{
    vgn_instance *instance = calloc(1, sizeof *instance);
    if (!instance || napi_set_instance_data(env, instance, instance_free, NULL) != napi_ok) {
        free(instance);
        napi_throw_error(env, NULL, "vidgo: cannot set up the addon");
        return NULL;
    }
    if (vg_global_init() != VG_OK) {
        napi_throw_error(env, NULL, "vidgo: libvidgo could not initialise (vg_global_init)");
        return NULL;
    }
    if (vgn_export(env, exports, module_functions,
                   sizeof module_functions / sizeof module_functions[0]))
        return NULL;
    for (size_t i = 0; i < sizeof groups / sizeof groups[0]; i++)
        if (groups[i](env, exports))
            return NULL;
    return exports;
}
