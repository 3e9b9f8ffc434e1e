/* SPDX-License-Identifier: MIT */
/* Process-wide initialisation of the libraries libvidgo stands on, and the version. */
#include <curl/curl.h>
#include <sodium.h>

#include "internal.h"

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_status = VG_OK;

static void global_init_once(void)
{
    if (sodium_init() < 0) {
        global_status = VG_ERROR;
        return;
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        global_status = VG_ERROR;
}

int vg_global_init(void)
{
    pthread_once(&global_once, global_init_once);
    if (global_status != VG_OK)
        return vg__fail(NULL, global_status, "cannot initialise libsodium or libcurl");
    return VG_OK;
}

const char *vg_version(void)
{
    return VG_VERSION_STRING;
}

int vg_version_number(void)
{
    return VG_VERSION_NUMBER;
}
