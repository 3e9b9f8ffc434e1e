/* SPDX-License-Identifier: MIT */
/* STUB: replaced by the local client. */
#include "provider.h"

const vg__provider_ops vg__local_ops = {
    VG_PROVIDER_LOCAL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
};
