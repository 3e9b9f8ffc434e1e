/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the runway client. */
#include "provider.h"

const vg__provider_ops vg__runway_ops = {
    VG_PROVIDER_RUNWAY, "https://api.dev.runwayml.com", "RUNWAY_API_KEY", "authorization: Bearer ", NULL, NULL, NULL, NULL, NULL,
};
