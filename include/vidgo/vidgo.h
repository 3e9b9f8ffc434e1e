/* SPDX-License-Identifier: MIT */
/* The umbrella header of libvidgo: include this one to use the whole library. */
#ifndef VIDGO_H
#define VIDGO_H

#include "common.h"
#include "version.h"
#include "errors.h"
#include "clock.h"
#include "constants.h"
#include "config.h"
#include "context.h"
#include "store.h"
#include "plans.h"
#include "users.h"
#include "credits.h"
#include "email.h"
#include "accounts.h"
#include "cache.h"
#include "providers.h"
#include "generate.h"
#include "payments.h"

#endif
