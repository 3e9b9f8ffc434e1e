/* SPDX-License-Identifier: MIT */
/* User records as the wallet and access rules see them (sign-up and sign-in come with the
 * accounts domain). */
#ifndef VIDGO_USERS_H
#define VIDGO_USERS_H

#include "common.h"
#include "plans.h"

VG_BEGIN_DECLS

#define VG_EMAIL_SIZE 256 /* a normalised e-mail address, terminator included */

#define VG_USER_VERSION 1

typedef struct vg_user {
    unsigned int version;           /* VG_USER_VERSION */
    int64_t id;
    char email[VG_EMAIL_SIZE];      /* normalised: trimmed, lower case */
    char plan[VG_NAME_SIZE];
    int verified;                   /* the e-mail address is verified */
    int active;                     /* not disabled */
    vg_time created_at;
} vg_user;

/* Fills *user with an empty record of the given version. Returns VG_OK, VG_EINVAL, VG_EVERSION. */
VG_API int vg_user_init(vg_user *user, unsigned int version);

/*
 * The administrator's shortcut: creates a verified, active user on `plan` without a
 * password flow, and opens the wallet (the plan's weekly credits for the current week, its
 * free uses). The e-mail is trimmed and lower-cased. Writes the new id to *out_id (may be
 * NULL). Returns VG_OK, VG_EINVAL, VG_EUTF8, VG_EEMAIL_INVALID, VG_EEMAIL_TAKEN,
 * VG_EPLAN_UNKNOWN, or a store error.
 */
VG_API int vg_user_add_verified(int64_t *out_id, vg_ctx *ctx, const char *email,
                                const char *plan);

/* Reads a user by id or by e-mail (normalised first) into *out. Returns VG_OK, VG_EINVAL,
 * VG_ENOTFOUND, or a store error. */
VG_API int vg_user_get(vg_user *out, vg_ctx *ctx, int64_t id);
VG_API int vg_user_find(vg_user *out, vg_ctx *ctx, const char *email);

VG_END_DECLS

#endif
