/* SPDX-License-Identifier: MIT */
/* Defaults and versioning of vg_config. */
#include <string.h>

#include "internal.h"

int vg_config_init(vg_config *config, unsigned int version)
{
    static const vg_config defaults = VG_CONFIG_INIT;

    if (!config)
        return vg__fail(NULL, VG_EINVAL, "config is NULL");
    if (version < 1 || version > VG_CONFIG_VERSION)
        return vg__fail(NULL, VG_EVERSION, "config version %u is not 1..%u", version,
                        VG_CONFIG_VERSION);
    memcpy(config, &defaults, sizeof *config);
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
