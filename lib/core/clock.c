/* SPDX-License-Identifier: MIT */
/* The context's clock and RFC 3339 text for vg_time values. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "internal.h"

#define US_PER_SEC INT64_C(1000000)

vg_time vg_time_now_system(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (vg_time)ts.tv_sec * US_PER_SEC + ts.tv_nsec / 1000;
}

vg_time vg_ctx_now(const vg_ctx *ctx)
{
    if (ctx && ctx->clock)
        return ctx->clock(ctx->clock_payload);
    return vg_time_now_system();
}

size_t vg_time_text_size(void)
{
    return VG_TIME_TEXT_SIZE;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int days_in_month(int64_t y, int m)
{
    static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : days[m - 1];
}

/* Reads exactly n digits at *p into *out and advances *p; returns 0 if they are not digits. */
static int read_digits(const char **p, int n, int *out)
{
    int v = 0, i;
    for (i = 0; i < n; i++) {
        char c = (*p)[i];
        if (c < '0' || c > '9')
            return 0;
        v = v * 10 + (c - '0');
    }
    *p += n;
    *out = v;
    return 1;
}

int vg_time_parse(vg_time *out, const char *text)
{
    const char *p = text;
    int year, mon, day, hour, min, sec, off_h = 0, off_m = 0, sign = 0;
    int64_t frac_us = 0, scale = 100000, seconds;

    if (!out || !text)
        return vg__fail(NULL, VG_EINVAL, "time text is NULL");
    if (!read_digits(&p, 4, &year) || *p++ != '-' || !read_digits(&p, 2, &mon) || *p++ != '-' ||
        !read_digits(&p, 2, &day) || (*p != 'T' && *p != 't' && *p != ' '))
        goto bad;
    p++;
    if (!read_digits(&p, 2, &hour) || *p++ != ':' || !read_digits(&p, 2, &min) || *p++ != ':' ||
        !read_digits(&p, 2, &sec))
        goto bad;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            goto bad;
        for (; *p >= '0' && *p <= '9'; p++) {
            frac_us += (*p - '0') * scale;
            scale /= 10;
        }
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        sign = *p++ == '-' ? -1 : 1;
        if (!read_digits(&p, 2, &off_h) || *p++ != ':' || !read_digits(&p, 2, &off_m))
            goto bad;
        if (off_h > 23 || off_m > 59)
            goto bad;
    } else {
        goto bad;
    }
    if (*p != '\0' || mon < 1 || mon > 12 || day < 1 || day > days_in_month(year, mon) ||
        hour > 23 || min > 59 || sec > 60)
        goto bad;
    if (sec == 60)
        sec = 59; /* a leap second is read as the last second of its minute */
    seconds = days_from_civil(year, mon, day) * 86400 + hour * 3600 + min * 60 + sec;
    seconds -= sign * (off_h * 3600 + off_m * 60);
    *out = seconds * US_PER_SEC + frac_us;
    return VG_OK;
bad:
    return vg__fail(NULL, VG_EINVAL, "not an RFC 3339 date-time: \"%.64s\"", text);
}

int vg_time_format(char *buf, size_t size, vg_time t)
{
    int64_t secs, days, rem, year;
    int mon, day, us;

    if (!buf)
        return vg__fail(NULL, VG_EINVAL, "time buffer is NULL");
    if (size < VG_TIME_TEXT_SIZE)
        return vg__fail(NULL, VG_EBUFSIZE, "time buffer needs %d bytes", VG_TIME_TEXT_SIZE);
    secs = t / US_PER_SEC;
    us = (int)(t % US_PER_SEC);
    if (us < 0) {
        us += (int)US_PER_SEC;
        secs--;
    }
    days = secs / 86400;
    rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    civil_from_days(days, &year, &mon, &day);
    if (year < 0 || year > 9999)
        return vg__fail(NULL, VG_ERANGE, "time is outside the years 0000-9999");
    if (us)
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", (int)year, mon, day,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), us);
    else
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)year, mon, day,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
    return VG_OK;
}
