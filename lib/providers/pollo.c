/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the pollo client. */
#include "provider.h"

const vg__provider_ops vg__pollo_ops = {
    VG_PROVIDER_POLLO, "https://pollo.ai/api/platform", "POLLO_API_KEY", "x-api-key: ", NULL, NULL, NULL, NULL, NULL,
};
