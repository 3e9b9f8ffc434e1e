/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the goenhance client. */
#include "provider.h"

const vg__provider_ops vg__goenhance_ops = {
    VG_PROVIDER_GOENHANCE, "https://api.goenhance.ai", "GOENHANCE_API_KEY", "authorization: Bearer ", NULL, NULL, NULL, NULL, NULL,
};
