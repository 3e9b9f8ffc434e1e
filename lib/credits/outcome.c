/* SPDX-License-Identifier: MIT */
/* The stored outcome of an idempotent credit call: written once, replayed on a repeat. */
#include <stdio.h>
#include <string.h>

#include "credits_internal.h"

/* The numbers of a balance and of a hold, in the order they are written. */
#define BALANCE_FIELDS(b)                                                                          \
    &(b)->user_id, &(b)->subscription, &(b)->purchased, &(b)->bonus, &(b)->held,                  \
        &(b)->available, &(b)->total, &(b)->next_reset, &(b)->next_bonus_expiry,                  \
        &(b)->next_bonus_expiry_amount, &(b)->ledger_seq
#define BALANCE_COUNT 11

/* Appends " <v>" in decimal at buf[*used]; snprintf per number cost more than the rest of a
 * hold's transaction. Returns 0, or -1 when the buffer is full. */
static int append_number(char *buf, size_t size, size_t *used, int64_t v)
{
    char digits[24];
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    int n = 0;

    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[n++] = '-';
    if (*used + (size_t)n + 2 > size)
        return -1;
    buf[(*used)++] = ' ';
    while (n)
        buf[(*used)++] = digits[--n];
    buf[*used] = '\0';
    return 0;
}

static int encode(char *buf, size_t size, int64_t *const *fields, size_t count, const int *small,
                  size_t small_count)
{
    size_t i, used = 2;
    memcpy(buf, "v1", 3);
    for (i = 0; i < count; i++)
        if (append_number(buf, size, &used, *fields[i]) != 0)
            return VG_ERANGE;
    for (i = 0; i < small_count; i++)
        if (append_number(buf, size, &used, small[i]) != 0)
            return VG_ERANGE;
    return VG_OK;
}

static int decode(const char *text, int64_t *const *fields, size_t count, int *small,
                  size_t small_count)
{
    const char *p = text;
    size_t i;
    int n;
    long long v;

    if (strncmp(p, "v1", 2) != 0)
        return VG_ESTORE_CORRUPT;
    p += 2;
    for (i = 0; i < count + small_count; i++) {
        if (sscanf(p, " %lld%n", &v, &n) != 1)
            return VG_ESTORE_CORRUPT;
        if (i < count)
            *fields[i] = v;
        else
            small[i - count] = (int)v;
        p += n;
    }
    return VG_OK;
}

int vg__outcome_encode(char *buf, size_t size, const vg_balance *b, const vg_store_hold *h)
{
    vg_balance bc = *b;
    vg_store_hold hc;
    int64_t *const balance_fields[] = {BALANCE_FIELDS(&bc)};
    int small[3] = {b->free_uses, b->free_uses_held, 0};

    if (!h)
        return encode(buf, size, balance_fields, BALANCE_COUNT, small, 2);
    hc = *h;
    {
        int64_t state = hc.state, free_use = hc.free_use;
        int64_t *const fields[] = {BALANCE_FIELDS(&bc), &hc.id, &hc.user_id, &hc.price,
                                   &hc.from_bonus, &hc.from_subscription, &hc.from_purchased,
                                   &free_use, &state, &hc.forfeited, &hc.created_at,
                                   &hc.expires_at, &hc.settled_at, &hc.week_start};
        return encode(buf, size, fields, sizeof fields / sizeof fields[0], small, 2);
    }
}

int vg__outcome_decode(const char *text, vg_balance *b, vg_store_hold *h)
{
    int64_t *const balance_fields[] = {BALANCE_FIELDS(b)};
    int small[2] = {0, 0}, rc;

    memset(b, 0, sizeof *b);
    b->version = VG_BALANCE_VERSION;
    if (!h) {
        rc = decode(text, balance_fields, BALANCE_COUNT, small, 2);
    } else {
        int64_t state = 0, free_use = 0;
        int64_t *const fields[] = {BALANCE_FIELDS(b), &h->id, &h->user_id, &h->price,
                                   &h->from_bonus, &h->from_subscription, &h->from_purchased,
                                   &free_use, &state, &h->forfeited, &h->created_at,
                                   &h->expires_at, &h->settled_at, &h->week_start};
        rc = decode(text, fields, sizeof fields / sizeof fields[0], small, 2);
        h->state = (int)state;
        h->free_use = (int)free_use;
    }
    b->free_uses = small[0];
    b->free_uses_held = small[1];
    return rc;
}
