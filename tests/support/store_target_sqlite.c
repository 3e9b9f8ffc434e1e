/* SPDX-License-Identifier: MIT */
/* The SQLite conformance target: every store is a new file in a temporary directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_target.h"

static char sqlite_dir[64];

static int sqlite_fresh_location(char *buf, size_t size, const char *label)
{
    static int serial;
    if (!sqlite_dir[0]) {
        strcpy(sqlite_dir, "/tmp/vg-conformance-XXXXXX");
        if (!mkdtemp(sqlite_dir)) {
            snprintf(buf, size, "cannot create a temporary directory");
            return -1;
        }
    }
    snprintf(buf, size, "%s/%s-%d.db", sqlite_dir, label, ++serial);
    return 0;
}

static void sqlite_cleanup(void)
{
    char cmd[128];
    if (!sqlite_dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", sqlite_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", sqlite_dir);
}

const store_target vg_test_sqlite_target = {
    "sqlite", vg_store_backend_sqlite, sqlite_fresh_location, sqlite_cleanup,
};
