/* SPDX-License-Identifier: MIT */
/* Defaults and versioning of vg_config. */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/* The size of each version of the struct: a caller built against version 1 has only
 * room for version 1's fields. */
static const size_t config_sizes[] = {
    [1] = offsetof(vg_config, access_ttl_s),
    [2] = offsetof(vg_config, providers),
    [3] = offsetof(vg_config, payments),
    [4] = sizeof(vg_config),
};
_Static_assert(sizeof config_sizes / sizeof config_sizes[0] == VG_CONFIG_VERSION + 1,
               "one size per version of vg_config");

int vg_config_init(vg_config *config, unsigned int version)
{
    static const vg_config defaults = VG_CONFIG_INIT;

    if (!config)
        return vg__fail(NULL, VG_EINVAL, "config is NULL");
    if (version < 1 || version > VG_CONFIG_VERSION)
        return vg__fail(NULL, VG_EVERSION, "config version %u is not 1..%u", version,
                        VG_CONFIG_VERSION);
    memcpy(config, &defaults, config_sizes[version]);
    config->version = version;
    return VG_OK;
}

unsigned int vg_config_version(void)
{
    return VG_CONFIG_VERSION;
}

size_t vg_config_size(void)
{
    return sizeof(vg_config);
}
