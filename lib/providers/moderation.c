/* SPDX-License-Identifier: MIT */
/* STUB until written */
#include "provider.h"
