/* SPDX-License-Identifier: MIT */
/* (being written) */
#include "vidgo/common.h"
