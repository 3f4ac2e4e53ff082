/* clock.h — the one injectable clock. Times are UTC microseconds since the
 * Unix epoch (int64_t). Tests and the demo generator set a fixed or offset
 * clock; everything else asks clock_now_us(). */
#ifndef TD_CLOCK_H
#define TD_CLOCK_H
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

struct clock {
    int64_t offset_us;   /* added to the real time; 0 in production */
    int64_t fixed_us;    /* when non-zero, the time is this value */
};

int64_t clock_now_us(const struct clock *c);
int64_t clock_mono_us(void);                 /* monotonic, for durations */
/* Formats UTC microseconds as RFC 3339 ("2026-11-22T07:15:31Z", with
 * ".uuuuuu" when there are microseconds) into out (at least 32 bytes). */
void clock_format_rfc3339(int64_t us, char *out, size_t n);
/* Parses "YYYY-MM-DD", "YYYY-MM-DD HH:MM[:SS]" or RFC 3339 with 'T', optional
 * fraction and Z or +hh:mm. A time without a zone is Europe/Amsterdam local
 * time (how a Dutch POS writes it). The instant must lie in the years
 * 0000..9999 UTC, so that clock_format_rfc3339 writes it back parseably. */
int clock_parse(const char *s, int64_t *out_us /* OUT */) TD_MUST_CHECK;
/* Offset of Europe/Amsterdam from UTC, in seconds, at the UTC instant t. */
int clock_amsterdam_offset(int64_t utc_seconds);

#endif
