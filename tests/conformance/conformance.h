/* SPDX-License-Identifier: MIT */
/* What the files of the storage conformance suite share: the target under test and raw
 * stores, reached through the backend's methods (conformance.c defines them). */
#ifndef VG_TEST_CONFORMANCE_H
#define VG_TEST_CONFORMANCE_H

#include <stdint.h>

#include "store_target.h"

/* The backend under test, named on the command line. */
extern const store_target *target;

/* A fresh location for a store named after the test (valid until the next call); skips the
 * test if there is none, or fails it when store_target_required(). */
const char *fresh(const char *label);

/* A raw connection to `location` with the given busy timeout; fails the test if none. */
vg_store_conn *connect_raw(const char *location, int busy_ms);

typedef struct raw_store {
    vg_ctx *ctx; /* created the store; stays open */
    const vg_store_backend *b;
    vg_store_conn *conn;
    char location[512]; /* for more connections to the same store */
} raw_store;

/* A fresh store with the latest schema, and a raw connection to it in a write transaction. */
raw_store raw_begin(const char *label);

/* Commits and goes on in a read transaction, to read what the commit kept. */
void raw_reopen_for_reading(raw_store *s);

/* Commits, disconnects and closes the store's context. */
void raw_end(raw_store *s);

/* Puts the plan "zz_demo" and a verified, active user on it; returns the user's id. */
int64_t add_user(raw_store *s, const char *email);

/* Runs the tests of the version-3 (accounts) methods (conformance_accounts.c) as a group of
 * their own; returns how many failed. */
int conformance_accounts_run(void);

/* Runs the tests of the version-4 (similarity cache) methods (conformance_cache.c) as a group
 * of their own; returns how many failed. */
int conformance_cache_run(void);

/* Runs the tests of the version-5 (jobs, inputs, gallery) methods (conformance_jobs.c) as a
 * group of their own; returns how many failed. */
int conformance_jobs_run(void);

/* Runs the tests of the version-6 (payments) methods (conformance_payments.c) as a group of
 * their own; returns how many failed. */
int conformance_payments_run(void);

#endif
