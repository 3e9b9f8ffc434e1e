/* SPDX-License-Identifier: MIT */
/* A throwaway SQLite store for the driver programs of the pytest tests. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver_store.h"

int driver_store_open(vg_ctx **out, vg_config *config, char dir[DRIVER_DIR_SIZE])
{
    static char store[DRIVER_DIR_SIZE + 16];
    int rc;

    *out = NULL;
    snprintf(dir, DRIVER_DIR_SIZE, "/tmp/vg-driver-XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        dir[0] = '\0';
        return VG_EIO;
    }
    snprintf(store, sizeof store, "%s/store.db", dir);
    config->store = store;
    rc = vg_open(out, config);
    if (rc != VG_OK) {
        printf("%s: %s\n", vg_error_name(rc), vg_error_last());
        driver_store_close(NULL, dir);
        dir[0] = '\0';
    }
    return rc;
}

void driver_store_close(vg_ctx *ctx, const char *dir)
{
    char cmd[DRIVER_DIR_SIZE + 16];

    vg_close(ctx);
    if (!dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
}
