/* clock.c — injectable clock, RFC 3339 formatting and parsing.
 *
 * Europe/Amsterdam is computed from the EU rule (CET/CEST, switching at 01:00
 * UTC on the last Sundays of March and October) rather than through TZ and
 * localtime(), which is not thread-safe to switch and depends on tzdata.
 */
#include "core/clock.h"
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t clock_now_us(const struct clock *c)
{
    if (c && c->fixed_us) return c->fixed_us;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
    return c ? now + c->offset_us : now;
}

int64_t clock_mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* UTC seconds of 01:00 UTC on the last Sunday of month m in year y. */
static int64_t last_sunday_0100(int64_t y, int m)
{
    int64_t last = days_from_civil(y, m, 31);
    int64_t wd = (last + 4) % 7;          /* 1970-01-01 was a Thursday (4) */
    if (wd < 0) wd += 7;
    return (last - wd) * 86400 + 3600;
}

int clock_amsterdam_offset(int64_t t)
{
    int64_t y; int m, d;
    civil_from_days(t >= 0 ? t / 86400 : (t - 86399) / 86400, &y, &m, &d);
    if (t >= last_sunday_0100(y, 3) && t < last_sunday_0100(y, 10)) return 7200;
    return 3600;
}

void clock_format_rfc3339(int64_t us, char *out, size_t n)
{
    int64_t secs = us >= 0 ? us / 1000000 : (us - 999999) / 1000000;
    int64_t frac = us - secs * 1000000;
    int64_t days = secs >= 0 ? secs / 86400 : (secs - 86399) / 86400;
    int64_t rem = secs - days * 86400;
    int64_t y; int m, d;
    civil_from_days(days, &y, &m, &d);
    if (frac)
        snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02d.%06lldZ", (long long)y, m, d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60), (long long)frac);
    else
        snprintf(out, n, "%04lld-%02d-%02dT%02d:%02d:%02dZ", (long long)y, m, d,
                 (int)(rem / 3600), (int)(rem / 60 % 60), (int)(rem % 60));
}

static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (**p < '0' || **p > '9') return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
    }
    *out = v;
    return 0;
}

int clock_parse(const char *s, int64_t *out_us)
{
    const char *p = s;
    int y, mo, d, h = 0, mi = 0, se = 0;
    int64_t frac = 0;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' || digits(&p, 2, &d))
        return TD_E_INVALID;
    if (mo < 1 || mo > 12 || d < 1 || d > 31) return TD_E_INVALID;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (d > mdays[mo - 1] || (mo == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)))
        return TD_E_INVALID;
    int zoned = 0, zone_off = 0;
    if (*p == 'T' || *p == 't' || *p == ' ') {
        p++;
        if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi)) return TD_E_INVALID;
        if (*p == ':') {
            p++;
            if (digits(&p, 2, &se)) return TD_E_INVALID;
            if (*p == '.' || *p == ',') {
                p++;
                int nd = 0;
                while (*p >= '0' && *p <= '9') {
                    if (nd < 6) { frac = frac * 10 + (*p - '0'); nd++; }
                    p++;
                }
                if (nd == 0) return TD_E_INVALID;
                while (nd++ < 6) frac *= 10;
            }
        }
        if (h > 23 || mi > 59 || se > 60) return TD_E_INVALID;
        if (*p == 'Z' || *p == 'z') { zoned = 1; p++; }
        else if (*p == '+' || *p == '-') {
            int sign = *p++ == '-' ? -1 : 1, zh, zm;
            if (digits(&p, 2, &zh) || *p++ != ':' || digits(&p, 2, &zm) || zh > 23 || zm > 59)
                return TD_E_INVALID;
            zoned = 1;
            zone_off = sign * (zh * 3600 + zm * 60);
        }
    }
    if (*p) return TD_E_INVALID;
    int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se;
    if (zoned) t -= zone_off;
    else {
        /* Local Amsterdam time: guess with the offset at t-1h, then correct. */
        int off = clock_amsterdam_offset(t - 3600);
        off = clock_amsterdam_offset(t - off);
        t -= off;
    }
    /* A zone can push 0000-01-01 or 9999-12-31 out of the four-digit years;
     * such an instant has no RFC 3339 form, so clock_format_rfc3339 could
     * not write it back. */
    if (t < days_from_civil(0, 1, 1) * 86400 || t >= days_from_civil(10000, 1, 1) * 86400) return TD_E_INVALID;
    *out_us = t * 1000000 + frac;
    return TD_OK;
}
