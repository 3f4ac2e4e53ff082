/* coaching.h — per associate, what a manager talks over with them
 * (docs/insight.md, "Coaching"): the cases they resolved in a period, their
 * resolutions, their overrides of the recommendation with the reasons, their
 * customers' answers and their knowledge score; and, for each rate, a funnel
 * plot against their store: every associate's rate against its number of
 * cases (or answers), the store's rate as the centre line and binomial
 * control limits at 95 % and 99.8 % as curves. For coaching, not
 * punishment: people come sorted by name, never by a figure.
 *
 * Whose is a case: the associate who took it (cases.associate_id), else who
 * resolved it — the NPS's rule (domain/nps.c), so a person's cases and their
 * customers' answers are counted alike. A case counts in the period when it
 * was resolved in it (status resolved or followed up; one awaiting a
 * manager's approval is not resolved yet). An override is a case resolved
 * with an override_reason: the associate chose another resolution than the
 * desk recommended, or more than its maximum (desk.h, invariant 2).
 * Goodwill is a case whose credit note the ledger funded as goodwill
 * (desk_resolve's apply(): store credit that is not a return of our own
 * goods).
 *
 * Invariant: coaching_days (migration 0020) holds, per store, Amsterdam date,
 * person, kind, resolution, override and goodwill, the cases resolved so,
 * and coaching_months (0024) the same per Amsterdam month; both change only
 * in the transaction that resolves a case (coaching_on_event), so a period
 * is read from its whole months and the days at its edges.
 *
 * The funnel arithmetic (coaching_limit, coaching_limits_of, coaching_band,
 * coaching_curve, coaching_rate_of) is pure; coaching_read and
 * coaching_overrides_each read.
 */
#ifndef TD_COACHING_H
#define TD_COACHING_H
#include <stddef.h>
#include <stdint.h>
#include "core/enum_map.h"
#include "domain/domain.h"
#include "domain/quiz.h"

/* The rates of the funnel plots: k of n per person. The first four count
 * cases, the last two the customers' answers (their minimum applies). */
#define COACHING_RATE_MAP(X)                                                                                           \
    X(COACHING_OVERRIDE, 0, "override")                                                                                \
    X(COACHING_GOODWILL, 1, "goodwill")                                                                                \
    X(COACHING_DECLINE, 2, "decline")                                                                                  \
    X(COACHING_REFERRAL, 3, "referral")                                                                                \
    X(COACHING_PROMOTER, 4, "promoter")                                                                                \
    X(COACHING_DETRACTOR, 5, "detractor")
enum coaching_rate { COACHING_RATE_MAP(ENUM_MAP_VALUE) COACHING_RATES };
extern const struct enum_map coaching_rate_map;

/* Indexes of by_kind and by_resolution: the values of policy.h's kind and
 * resolution maps (1..6, 1..7); 0 holds what no map names. */
#define COACHING_KINDS 8

struct coaching_person {
    int64_t staff_id;
    char login[LOGIN_SZ], name[NAME_SZ], store_code[CODE_SZ];   /* store_code: their own store, "" for none */
    int64_t cases;                                 /* resolved in the period */
    int64_t by_kind[COACHING_KINDS], by_resolution[COACHING_KINDS];
    int64_t overrides;
    int64_t goodwill_cases, goodwill_cents;
    int64_t promoters, passives, detractors;       /* their customers' answers (nps_counts) */
    struct quiz_score knowledge;                   /* now, not of the period */
};

struct coaching_query {
    int64_t from_us, to_us;                        /* [from, to): Amsterdam midnights */
    int64_t store_id;                              /* 0: every store */
};

struct coaching_report {
    size_t n, cap;
    struct coaching_person *people;                /* sorted by name, then login */
};

/* Everyone with cases or answers in the period in the query's store, and
 * the store's own staff (admins aside) even without: their figures, sorted
 * by name. out->people is malloc'd: coaching_report_free. The customers'
 * answers are counted by the UTC days of nps_counts that carry the period's
 * Amsterdam dates (the NPS dashboard's figure for the same dates). */
int coaching_read(struct dctx *c, const struct coaching_query *q, struct coaching_report *out /* OUT */) TD_MUST_CHECK;
void coaching_report_free(struct coaching_report *r);

struct coaching_override {
    int64_t staff_id;                              /* whose (the rule above) */
    int64_t case_id, resolved_at;
    const char *kind, *recommended, *chosen, *reason;   /* valid during the call */
    int64_t recommended_cents, chosen_cents;
};
/* Calls fn for the newest `limit` overrides of staff_id in the query's
 * period and store, newest first. */
int coaching_overrides_each(struct dctx *c, const struct coaching_query *q, int64_t staff_id, int limit,
                            int (*fn)(void *arg, const struct coaching_override *o), void *arg) TD_MUST_CHECK;

/* The same for each of staff_ids[0 .. n) in turn, fn told which (i): on
 * PostgreSQL in one statement, on SQLite one read each (in process, cheap). */
int coaching_overrides_of(struct dctx *c, const struct coaching_query *q, const int64_t *staff_ids, size_t n, int limit,
                          int (*fn)(void *arg, size_t i, const struct coaching_override *o), void *arg) TD_MUST_CHECK;

struct event;
/* The events subscriber (events.def) that keeps coaching_days: a RESOLVED
 * case adds one to its day row, in the resolving transaction. */
int coaching_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* ---- the funnel (pure) --------------------------------------------------- */

/* The rate's k of n for a person; whether its n counts answers. */
void coaching_rate_of(const struct coaching_person *p, enum coaching_rate rate, int64_t *k /* OUT */,
                      int64_t *n /* OUT */);
int coaching_rate_counts_answers(enum coaching_rate rate);

/* The q-quantile of k/n for k ~ Binomial(n, p0), interpolated between
 * whole counts as in funnel plots (Spiegelhalter, 2005): each count r
 * stands for the stretch r - 1/2 .. r + 1/2, so with r the smallest count
 * whose P(K <= r) >= q the limit is (r + 1/2 - a) / n, where
 * a = (P(K <= r) - q) / P(K = r); clamped to 0..1, so that 0 of n is never
 * below and n of n never above. Centred this way the limits are symmetric
 * around p0 = 1/2. n >= 1. */
double coaching_limit(double p0, int64_t n, double q);

struct coaching_limits {
    double low95, high95, low998, high998;         /* the 2.5/97.5 % and 0.1/99.9 % limits */
};
void coaching_limits_of(double p0, int64_t n, struct coaching_limits *out /* OUT */);

/* Where k of n lies against the centre p0: 0 inside the 95 % limits, +1 / -1
 * above / below them, +2 / -2 beyond the 99.8 % limits. n >= 1. */
int coaching_band(int64_t k, int64_t n, double p0);
/* The same against limits already worked out for this n. */
int coaching_band_of(int64_t k, int64_t n, const struct coaching_limits *l);

#define COACHING_CURVE_MAX 64
struct coaching_curve_point {
    int64_t n;
    struct coaching_limits l;
};
/* The limits of p0 at numbers of cases from 1 up to n_top (every whole
 * number to 10, then about 12 % apart, n_top the last), at most
 * COACHING_CURVE_MAX points; returns how many. */
size_t coaching_curve(double p0, int64_t n_top, struct coaching_curve_point *out /* OUT */, size_t cap);

/* The Amsterdam dates of [from_us, to_us) as UTC day numbers (the days of
 * nps_counts): the date of from_us and of the last microsecond before to_us. */
void coaching_days_of(int64_t from_us, int64_t to_us, int64_t *from_day /* OUT */, int64_t *to_day /* OUT */);
/* The day number of the first of day's month (coaching_months.month,
 * migration 0024); day from year 0 on. */
int64_t coaching_month_of(int64_t day);

#endif
