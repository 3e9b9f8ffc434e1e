/* SPDX-License-Identifier: MIT */
/* The table behind vg_constant(): each public numeric macro and enumerator, by name. */
#include <string.h>

#include "internal.h"

#define CONSTANT(name) {#name, (long long)(name)}

static const struct {
    const char *name;
    long long value;
} constants[] = {
    CONSTANT(VG_VERSION_MAJOR),
    CONSTANT(VG_VERSION_MINOR),
    CONSTANT(VG_VERSION_PATCH),
    CONSTANT(VG_VERSION_NUMBER),
    CONSTANT(VG_CONFIG_VERSION),
    CONSTANT(VG_OPEN_CREATE),
    CONSTANT(VG_OPEN_READONLY),
    CONSTANT(VG_LOG_DEBUG),
    CONSTANT(VG_LOG_INFO),
    CONSTANT(VG_LOG_WARN),
    CONSTANT(VG_LOG_ERROR),
    CONSTANT(VG_LOG_NONE),
    CONSTANT(VG_TIME_TEXT_SIZE),
    CONSTANT(VG_STORE_BACKEND_VERSION),
    CONSTANT(VG_STORE_SCHEMA_VERSION),
    CONSTANT(VG_STORE_PARAMS_VERSION),
    CONSTANT(VG_TXN_READ),
    CONSTANT(VG_TXN_WRITE),
};

#define CONSTANT_COUNT (sizeof constants / sizeof constants[0])

int vg_constant(long long *out, const char *name)
{
    size_t i;
    if (!out || !name)
        return vg__fail(NULL, VG_EINVAL, "vg_constant: NULL argument");
    for (i = 0; i < CONSTANT_COUNT; i++)
        if (strcmp(constants[i].name, name) == 0) {
            *out = constants[i].value;
            return VG_OK;
        }
    return vg__fail(NULL, VG_ENOTFOUND, "no constant named \"%.64s\"", name);
}

size_t vg_constant_count(void)
{
    return CONSTANT_COUNT;
}

const char *vg_constant_name_at(size_t index)
{
    return index < CONSTANT_COUNT ? constants[index].name : NULL;
}
