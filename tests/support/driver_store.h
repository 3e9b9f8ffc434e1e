/* SPDX-License-Identifier: MIT */
/* A throwaway SQLite store for the driver programs the pytest tests run (mail_send,
 * http_driver, gemini_driver). */
#ifndef VG_TEST_DRIVER_STORE_H
#define VG_TEST_DRIVER_STORE_H

#include <vidgo/vidgo.h>

#define DRIVER_DIR_SIZE 64

/* Makes a temporary directory into dir, points config->store at a store in it and opens
 * *out with config. On failure prints "NAME: message" and returns the status (the
 * directory, if made, is removed). */
int driver_store_open(vg_ctx **out, vg_config *config, char dir[DRIVER_DIR_SIZE]);

/* Closes ctx (may be NULL) and removes the directory with its store. */
void driver_store_close(vg_ctx *ctx, const char *dir);

#endif
