/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the leonardo client. */
#include "provider.h"

const vg__provider_ops vg__leonardo_ops = {
    VG_PROVIDER_LEONARDO, "https://cloud.leonardo.ai/api/rest/v1", "LEONARDO_API_KEY", "authorization: Bearer ", NULL, NULL, NULL, NULL, NULL,
};
