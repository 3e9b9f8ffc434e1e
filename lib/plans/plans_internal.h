/* SPDX-License-Identifier: MIT */
/* What the plans domain shares inside the library: the seed catalog and plan lookups. */
#ifndef VG_PLANS_INTERNAL_H
#define VG_PLANS_INTERNAL_H

#include "../store/store.h"

extern const vg_plan vg__seed_plans[];
extern const size_t vg__seed_plan_count;
extern const vg_service vg__seed_services[];
extern const size_t vg__seed_service_count;
extern const vg_package vg__seed_packages[];
extern const size_t vg__seed_package_count;

/* Writes the seed catalog into a store that has never had one (meta "catalog_seeded"
 * absent); leaves an edited catalog alone. Runs inside a write transaction. */
int vg__catalog_seed(vg__txn *txn);

/* Reads a plan / service inside a transaction, failing with VG_EPLAN_UNKNOWN /
 * VG_ESERVICE_UNKNOWN (message included) when there is none. */
int vg__plan_load(vg__txn *txn, vg_plan *out, const char *name);
int vg__service_load(vg__txn *txn, vg_service *out, const char *name);

/* Returns 1 if name is 1..31 bytes of [a-z0-9_], else 0. */
int vg__name_valid(const char *name);

#endif
