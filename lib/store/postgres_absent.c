/* SPDX-License-Identifier: MIT */
/* Stands in for the PostgreSQL backend when the library is built without it. */
#include "vidgo/sys/store.h"

const vg_store_backend *vg_store_backend_postgres(void)
{
    return NULL;
}
