/* SPDX-License-Identifier: MIT */
/* What the API-group files (accounts.c, plans.c, ...) share beyond the toolkit (vgn.h):
 * readers the toolkit lacks, the cache options and records more than one group returns. */
#ifndef VGN_GROUPS_H
#define VGN_GROUPS_H

#include "vgn.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- readers (readers.c) --------------------------------------------------------------- */

/* names[value], or NULL when value is out of range: a name_of for vgn_op_enum and output. */
const char *vgn_name_in(const char *const *names, size_t count, int value);

/* Like vgn_op_enum, but only a name is accepted (a number is a TypeError). */
int vgn_read_name(vgn_op *op, napi_value value, const char *name, int optional,
                  const char *(*name_of)(int), int count);

/* The key of an options object as an int of 0..INT_MAX (absent: 0, most often the
 * library's default): a count, a size, a duration. */
int vgn_read_int_option(vgn_op *op, napi_value options, const char *key);

/* A struct version argument: current when absent, else an integer of 0..UINT_MAX. */
unsigned int vgn_read_version(vgn_op *op, napi_value value, unsigned int current);

/* Copies a string argument into out[size] (a RangeError when it does not fit); out is left
 * as it is when the argument is optional and absent. */
void vgn_read_text(vgn_op *op, napi_value value, const char *name, int optional, char *out,
                   size_t size);

/* 1 when value is an object (not an array); otherwise records a TypeError naming it. */
int vgn_check_object(vgn_op *op, napi_value value, const char *name);

/* ---- calls (readers.c) ------------------------------------------------------------- */

/* A sync native function of one argument: a number to its name with name_of (null when out
 * of range), or with index_of a name to its number (-1 when unknown). */
napi_value vgn_name_call(napi_env env, napi_callback_info info, const char *(*name_of)(int),
                         int (*index_of)(const char *));

/* ---- cache options (cache.c) --------------------------------------------------------- */

/* Reads an options object of a cache (threshold, secondGate, shadow, maxEntries, quantize,
 * threads, flightWaitMs, negativeTtlS) into *out, from vg_cache_options_init's defaults
 * (absent keys keep them). The embedder is the caller's to read. */
void vgn_read_cache_options(vgn_op *op, napi_value obj, vg_cache_options *out);

/* ---- records ------------------------------------------------------------------------- */

/* A wallet (credits.c): engine.credits.balance() and what a promotion's redemption gives. */
vgn_val *vgn_balance_val(const vg_balance *b);

#endif
