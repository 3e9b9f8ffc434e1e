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
    CONSTANT(VG_OPEN_SYNC_NORMAL),
    CONSTANT(VG_EXPIRED_REFUND_FORFEIT),
    CONSTANT(VG_EXPIRED_REFUND_REGRANT),
    CONSTANT(VG_LANG_COUNT),
    CONSTANT(VG_NAME_SIZE),
    CONSTANT(VG_DISPLAY_NAME_SIZE),
    CONSTANT(VG_SERVICE_VIDEO),
    CONSTANT(VG_SERVICE_IMAGE),
    CONSTANT(VG_SERVICE_EFFECT),
    CONSTANT(VG_PLAN_VERSION),
    CONSTANT(VG_SERVICE_VERSION),
    CONSTANT(VG_PACKAGE_VERSION),
    CONSTANT(VG_ACCESS_REQUEST_VERSION),
    CONSTANT(VG_EMAIL_SIZE),
    CONSTANT(VG_USER_VERSION),
    CONSTANT(VG_BALANCE_VERSION),
    CONSTANT(VG_CREDIT_PURCHASED),
    CONSTANT(VG_CREDIT_BONUS),
    CONSTANT(VG_HOLD_OPEN),
    CONSTANT(VG_HOLD_CAPTURED),
    CONSTANT(VG_HOLD_RELEASED),
    CONSTANT(VG_HOLD_EXPIRED),
    CONSTANT(VG_HOLD_REFUNDED),
    CONSTANT(VG_HOLD_VERSION),
    CONSTANT(VG_REFERENCE_SIZE),
    CONSTANT(VG_LEDGER_OPEN),
    CONSTANT(VG_LEDGER_GRANT),
    CONSTANT(VG_LEDGER_DEBIT),
    CONSTANT(VG_LEDGER_REFUND),
    CONSTANT(VG_LEDGER_WEEKLY_RESET),
    CONSTANT(VG_LEDGER_EXPIRY),
    CONSTANT(VG_LEDGER_FORFEIT),
    CONSTANT(VG_LEDGER_PLAN_CHANGE),
    CONSTANT(VG_STORE_HASH_SIZE),
    CONSTANT(VG_STORE_KEY_SIZE),
    CONSTANT(VG_STORE_RESULT_SIZE),
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
