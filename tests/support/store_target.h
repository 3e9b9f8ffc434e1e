/* SPDX-License-Identifier: MIT */
/* A storage backend under test: how to make a fresh, empty store location for it. The
 * conformance suite and the wallet tests run once per target. */
#ifndef VG_TEST_STORE_TARGET_H
#define VG_TEST_STORE_TARGET_H

#include "store/store.h"

typedef struct store_target {
    const char *name;
    const vg_store_backend *(*backend)(void);
    /* Writes a location for a new, empty store named `label` into buf; returns 0, or -1
     * when the target cannot run here (the suite then skips with the reason in buf). */
    int (*fresh_location)(char *buf, size_t size, const char *label);
    void (*cleanup)(void);
} store_target;

/* Targets by name ("sqlite", "postgresql"); NULL if unknown. */
const store_target *store_target_find(const char *name);

/* The target named by $VIDGO_TEST_BACKEND (default "sqlite"); NULL if unknown. */
const store_target *store_target_from_env(void);

/* Returns 1 when a target that cannot run must fail instead of skipping ($VIDGO_REQUIRE_PG
 * set to 1, as CI does). */
int store_target_required(void);

extern const store_target vg_test_sqlite_target;

#endif
