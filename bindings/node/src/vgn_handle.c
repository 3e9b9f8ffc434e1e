/* SPDX-License-Identifier: MIT */
/*
 * Handles: a C pointer owned by a JS object, freed exactly once — after the ops using it
 * have finished and after its children's pointers — whether close() or the garbage
 * collector asks first. All bookkeeping runs on the main thread, so it needs no lock.
 */
#include "vgn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct vgn_handle {
    vgn_kind kind;
    void *ptr;          /* NULL once freed (or given up) */
    int closing;
    int forgotten;      /* the library consumed ptr: do not free it */
    int calls;          /* ops in flight */
    int wrapped;        /* the JS object is alive */
    int live_children;  /* children whose pointer is not freed yet */
    vgn_handle *parent; /* while this pointer lives */
    vgn_handle *children, *next_sibling;
    void *extra;
    vgn_extra_free_fn extra_free;
    char lang[8];
};

static void worker_stop(void *ptr) { vg_worker_stop(ptr); }
static void worker_free(void *ptr) { vg_worker_free(ptr); }
static void context_free(void *ptr) { vg_close(ptr); }
static void generator_free(void *ptr) { vg_generator_close(ptr); }
static void cache_free(void *ptr) { vg_cache_close(ptr); }
static void embedder_free(void *ptr) { vg_embedder_free(ptr); }
static void flight_free(void *ptr) { vg_cache_flight_fail(ptr); }

static const struct {
    const char *name;
    void (*free)(void *ptr);
    void (*interrupt)(void *ptr); /* makes a long call on ptr return, so close can finish */
} kinds[VGN_KIND_COUNT] = {
    [VGN_CONTEXT] = {"engine", context_free, NULL},
    [VGN_GENERATOR] = {"generator", generator_free, NULL},
    [VGN_WORKER] = {"worker", worker_free, worker_stop},
    [VGN_CACHE] = {"cache", cache_free, NULL},
    [VGN_EMBEDDER] = {"embedder", embedder_free, NULL},
    [VGN_FLIGHT] = {"flight", flight_free, NULL},
};

/* The hidden slot of a handle object that holds the External of its struct. */
#define HANDLE_KEY "__vidgo_handle"

/* Marks JS objects as ours, so a foreign object is never taken for a handle. */
static const napi_type_tag handle_tag = {0x7669646f2d6e6f64ULL, 0x652d68616e646c65ULL};

const char *vgn_kind_name(vgn_kind kind) { return kinds[kind].name; }

static void detach(vgn_handle *h)
{
    vgn_handle *parent = h->parent, **link;
    for (link = &parent->children; *link; link = &(*link)->next_sibling) {
        if (*link == h) {
            *link = h->next_sibling;
            break;
        }
    }
    h->parent = NULL;
    parent->live_children--;
}

/* Frees the pointer once it is closing, idle and childless (then the parent may be ready
 * too), and the struct once its JS object is gone as well. h may be freed on return. */
static void settle(vgn_handle *h)
{
    vgn_handle *parent = h->parent;
    if (h->closing && h->ptr && h->calls == 0 && h->live_children == 0) {
        if (!h->forgotten)
            kinds[h->kind].free(h->ptr);
        h->ptr = NULL;
        if (h->extra_free)
            h->extra_free(h->extra);
        h->extra = NULL;
        if (parent) {
            detach(h);
            settle(parent);
        }
    }
    if (!h->wrapped && !h->ptr && h->calls == 0)
        free(h);
}

/* Closes the children first (newest first), interrupts a long call, frees when idle. */
void vgn_handle_close(vgn_handle *h)
{
    if (!h->closing) {
        h->closing = 1;
        h->calls++; /* keeps h while its children settle */
        for (vgn_handle *c = h->children, *next; c; c = next) {
            next = c->next_sibling;
            vgn_handle_close(c);
        }
        h->calls--;
        if (h->calls > 0)
            vgn_handle_interrupt(h);
    }
    settle(h);
}

void vgn_handle_interrupt(vgn_handle *h)
{
    if (h->ptr && kinds[h->kind].interrupt)
        kinds[h->kind].interrupt(h->ptr);
}

int vgn_handle_is_closed(const vgn_handle *h) { return h->closing || !h->ptr; }

/* Registers a new handle object with the JS FinalizationRegistry (lib/native.js), whose
 * callback calls handle_finalize with the handle's External once the object is collected.
 * (Not napi_wrap's finalizer: Node 20 defers those to an immediate that can run on a freed
 * napi_env when the process exits right after a collection.) */
static int register_for_finalization(napi_env env, napi_value object, napi_value external)
{
    vgn_instance *instance = vgn_instance_of(env);
    napi_value registry, undefined, argv[2] = {object, external}, ignored;
    if (!instance || !instance->handle_registry ||
        napi_get_reference_value(env, instance->handle_registry, &registry) != napi_ok ||
        !registry) {
        napi_throw_error(env, NULL, "vidgo: the handle registry is not set (lib/native.js)");
        return -1;
    }
    napi_get_undefined(env, &undefined);
    return napi_call_function(env, undefined, registry, 2, argv, &ignored) == napi_ok ? 0 : -1;
}

/* The JS object is gone: close the handle and free what is no longer needed. */
void vgn_handle_finalize(vgn_handle *h)
{
    if (!h->wrapped)
        return;
    h->wrapped = 0;
    vgn_handle_close(h);
}

napi_value vgn_handle_new(napi_env env, vgn_kind kind, void *ptr, napi_value parent,
                          void *extra, vgn_extra_free_fn extra_free)
{
    napi_value object, external;
    napi_property_descriptor slot = {HANDLE_KEY, NULL, NULL, NULL, NULL, NULL, napi_default, NULL};
    vgn_handle *owner = NULL, *h;
    if (parent) {
        owner = vgn_handle_of(env, parent);
        if (!owner) {
            napi_throw_type_error(env, "ERR_INVALID_ARG_TYPE", "vidgo: a parent handle was expected");
            return NULL;
        }
    }
    h = calloc(1, sizeof *h);
    if (!h) {
        napi_throw_error(env, "ERR_VIDGO_NOMEM", "out of memory");
        return NULL;
    }
    /* The pointer sits in an External (JS cannot make one) in a read-only, hidden slot of a
     * type-tagged object (JS cannot tag one). */
    if (napi_create_object(env, &object) != napi_ok ||
        napi_type_tag_object(env, object, &handle_tag) != napi_ok ||
        napi_create_external(env, h, NULL, NULL, &external) != napi_ok ||
        (slot.value = external, napi_define_properties(env, object, 1, &slot)) != napi_ok ||
        register_for_finalization(env, object, external) != 0) {
        free(h);
        return NULL;
    }
    h->kind = kind;
    h->ptr = ptr;
    h->wrapped = 1;
    h->extra = extra;
    h->extra_free = extra_free;
    if (kind == VGN_CONTEXT)
        snprintf(h->lang, sizeof h->lang, "%s", vg_ctx_lang(ptr));
    if (owner) {
        memcpy(h->lang, owner->lang, sizeof h->lang);
        h->parent = owner;
        h->next_sibling = owner->children;
        owner->children = h;
        owner->live_children++;
        if (vgn_handle_is_closed(owner)) /* closed while the child was being made */
            vgn_handle_close(h);
    }
    return object;
}

vgn_handle *vgn_handle_of(napi_env env, napi_value value)
{
    napi_valuetype type;
    bool tagged = false;
    napi_value external;
    void *data = NULL;
    if (napi_typeof(env, value, &type) != napi_ok || type != napi_object)
        return NULL;
    if (napi_check_object_type_tag(env, value, &handle_tag, &tagged) != napi_ok || !tagged)
        return NULL;
    if (napi_get_named_property(env, value, HANDLE_KEY, &external) != napi_ok ||
        napi_get_value_external(env, external, &data) != napi_ok)
        return NULL;
    return data;
}

void *vgn_handle_extra(napi_env env, napi_value handle, vgn_kind kind)
{
    vgn_handle *h = vgn_handle_of(env, handle);
    return h && h->kind == kind && h->ptr ? h->extra : NULL;
}

void vgn_handle_forget(napi_env env, napi_value handle)
{
    vgn_handle *h = vgn_handle_of(env, handle);
    if (h) {
        h->forgotten = 1;
        vgn_handle_close(h);
    }
}

void *vgn_handle_acquire(vgn_handle *h, vgn_kind kind, char lang[8], int *closed)
{
    *closed = 0;
    if (h->kind != kind)
        return NULL;
    if (vgn_handle_is_closed(h)) {
        *closed = 1;
        return NULL;
    }
    h->calls++;
    memcpy(lang, h->lang, 8);
    return h->ptr;
}

const void *vgn_handle_context(const vgn_handle *h)
{
    while (h->parent)
        h = h->parent;
    return h->kind == VGN_CONTEXT ? h->ptr : NULL;
}

void vgn_handle_release(vgn_handle *h)
{
    h->calls--;
    settle(h);
}
