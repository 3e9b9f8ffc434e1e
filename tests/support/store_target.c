/* SPDX-License-Identifier: MIT */
/* The storage targets tests can run against, chosen by name or by $VIDGO_TEST_BACKEND. */
#include <stdlib.h>
#include <string.h>

#include "store_target.h"

#ifdef VG_TEST_WITH_POSTGRES
extern const store_target vg_test_postgres_target;
#endif

static const store_target *const targets[] = {
    &vg_test_sqlite_target,
#ifdef VG_TEST_WITH_POSTGRES
    &vg_test_postgres_target,
#endif
};

const store_target *store_target_find(const char *name)
{
    size_t i;
    for (i = 0; i < sizeof targets / sizeof targets[0]; i++)
        if (strcmp(targets[i]->name, name) == 0)
            return targets[i];
    return NULL;
}

const store_target *store_target_from_env(void)
{
    const char *name = getenv("VIDGO_TEST_BACKEND");
    return store_target_find(name && *name ? name : "sqlite");
}

int store_target_required(void)
{
    const char *required = getenv("VIDGO_REQUIRE_PG");
    return required && strcmp(required, "1") == 0;
}
