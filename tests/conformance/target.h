/* SPDX-License-Identifier: MIT */
/* A backend under conformance test: how to make a fresh, empty store location for it. */
#ifndef VG_CONFORMANCE_TARGET_H
#define VG_CONFORMANCE_TARGET_H

#include "store/store.h"

typedef struct conformance_target {
    const char *name;
    const vg_store_backend *(*backend)(void);
    /* Writes a location for a new, empty store named `label` into buf; returns 0, or -1
     * when the target cannot run here (the suite then skips with the reason in buf). */
    int (*fresh_location)(char *buf, size_t size, const char *label);
    void (*cleanup)(void);
} conformance_target;

/* Targets by name ("sqlite", later "postgresql"); NULL if unknown. */
const conformance_target *conformance_target_find(const char *name);

#endif
