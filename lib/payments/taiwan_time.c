/* SPDX-License-Identifier: MIT */
/* ECPay's dates, "yyyy/MM/dd HH:mm:ss" in Taiwan time (UTC+8, no daylight saving), and new
 * order numbers. */
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "payments_wire.h"

#define US_PER_S INT64_C(1000000)
#define TAIWAN_OFFSET_S (8 * 3600)

int vg__taiwan_time(char out[VG__TAIWAN_TIME_SIZE], vg_time t)
{
    int64_t secs = t / US_PER_S;
    time_t local;
    struct tm tm;

    if (!out)
        return vg__fail(NULL, VG_EINVAL, "taiwan time: out is NULL");
    out[0] = '\0';
    if (t % US_PER_S < 0)
        secs--; /* towards the earlier second */
    /* |secs| <= 9.3e12, so adding the offset cannot overflow */
    local = (time_t)(secs + TAIWAN_OFFSET_S);
    if (!gmtime_r(&local, &tm) || tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
        return vg__fail(NULL, VG_ERANGE, "taiwan time: outside the years 0001-9999");
    /* the remainders only tell the compiler how wide each number is */
    snprintf(out, VG__TAIWAN_TIME_SIZE, "%04u/%02u/%02u %02u:%02u:%02u",
             (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
             (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u, (unsigned)tm.tm_min % 100u,
             (unsigned)tm.tm_sec % 100u);
    return VG_OK;
}

/* Reads n digits at text into *out; 0 when one is not a digit. */
static int digits(const char *text, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9')
            return 0;
        v = v * 10 + (text[i] - '0');
    }
    *out = v;
    return 1;
}

int vg__taiwan_time_parse(vg_time *out, const char *text)
{
    int year, mon, day, hour, min, sec;
    struct tm tm, back;
    time_t secs;

    if (!out || !text)
        return vg__fail(NULL, VG_EINVAL, "taiwan time: NULL argument");
    if (strlen(text) != VG__TAIWAN_TIME_SIZE - 1 || text[4] != '/' || text[7] != '/' ||
        text[10] != ' ' || text[13] != ':' || text[16] != ':' || !digits(text, 4, &year) ||
        !digits(text + 5, 2, &mon) || !digits(text + 8, 2, &day) || !digits(text + 11, 2, &hour) ||
        !digits(text + 14, 2, &min) || !digits(text + 17, 2, &sec) || year < 1 || mon < 1 ||
        mon > 12 || day < 1 || hour > 23 || min > 59 || sec > 59)
        goto bad;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    secs = timegm(&tm);
    /* timegm normalises 2024/02/30 to March: such a date is refused */
    if (!gmtime_r(&secs, &back) || back.tm_mday != day || back.tm_mon != mon - 1)
        goto bad;
    *out = ((int64_t)secs - TAIWAN_OFFSET_S) * US_PER_S;
    return VG_OK;
bad:
    return vg__fail(NULL, VG_EINVAL, "taiwan time: not \"yyyy/MM/dd HH:mm:ss\": \"%.32s\"",
                    vg__utf8_valid(text) ? text : "?");
}

void vg__order_number(char out[VG_ORDER_NUMBER_SIZE])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t i;

    out[0] = 'V';
    out[1] = 'G';
    for (i = 2; i < VG_ORDER_NUMBER_SIZE - 1; i++)
        out[i] = alphabet[randombytes_uniform(sizeof alphabet - 1)];
    out[VG_ORDER_NUMBER_SIZE - 1] = '\0';
}
