/* goodwill.h — goodwill economics (docs/insight.md, "Goodwill economics"):
 * what the desk gave beyond a strict policy, and what the customers who got
 * it spent afterwards against comparable customers who did not.
 *
 * Goodwill of a resolved case (goodwill_case_cents):
 *  - funded: a credit note the ledger books as goodwill (store credit on a
 *    case that is not a return of our own goods, as desk_resolve's apply()
 *    funds it), its whole amount;
 *  - beyond strict: of any other resolution that hands money or goods
 *    (refund, store credit funded as a refund, exchange), the part a strict
 *    policy — receipt only, our goods only — would not have given: the
 *    amount less what the stored decision's items were proven to be (our
 *    goods back with proof, in the window: the customer's own money).
 * A case with goodwill is "given"; a resolved case without any — declined,
 * referred elsewhere, repaired, or resolved strictly — is "compared". The
 * estimate counts each customer once, with their first case of the period
 * (the goodwill and the case counts count every case).
 *
 * The estimate (goodwill_estimate, pure): coarsened exact matching. Every
 * case falls in a stratum (goodwill_stratum: store, category, tier, a band
 * of spend before and of tenure, all as the decision knew them). In each
 * stratum with both given and compared cases, the given cases' spend after
 * is set against the mean of the compared cases' spend: retained =
 * sum over strata of n_given * (mean given - mean compared), the effect on
 * the given cases (ATT). Per euro: retained / the given cases' goodwill.
 * The 95 % interval is the 2.5th and 97.5th percentile of a bootstrap that
 * resamples given and compared cases with replacement within each stratum,
 * from a seeded stream (its index derived from the given cases): the same
 * data gives the same interval. Below the
 * minimum of matched cases on either side there is no figure, only the
 * reason ("not estimable").
 *
 * Invariants:
 *  (1) goodwill_case_cents is never negative nor above what the case gave
 *      (the funded note, or the amount resolved);
 *  (2) a figure always comes with its interval (low <= estimate <= high is
 *      not promised: a percentile interval need not contain the estimate,
 *      but with matched strata it nearly always does);
 *  (3) nothing here reads a database or a clock; goodwill_read.c gathers
 *      the cases.
 */
#ifndef TD_GOODWILL_H
#define TD_GOODWILL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "domain/domain.h"
#include "domain/policy.h"

#define GOODWILL_WINDOWS 2
extern const int goodwill_window_days[GOODWILL_WINDOWS];   /* 90, 180 */

#define GOODWILL_MIN_CASES_DEFAULT 20  /* TRUSTDESK_GOODWILL_MIN_CASES */
#define GOODWILL_BOOTSTRAP 1000        /* resamples per figure */
#define GOODWILL_SEED 15               /* the number: any fixed seed will do */
#define GOODWILL_MULTIPLIER_DEFAULT 10 /* "one unhappy customer costs at least ten": an assumption */

/* The goodwill cents of a resolved case: res and amount as resolved,
 * funded the amount of its credit note when the ledger funds it as
 * goodwill (else 0), proven the cents of the stored decision's items that
 * were proven (our goods, with proof, in the window). Pure. */
int64_t goodwill_case_cents(enum policy_resolution res, int64_t amount_cents, int64_t funded_cents, int64_t proven_cents);

/* The stratum of a case: store, category (an index the reader assigns),
 * tier, and bands of spend before (0, < EUR 100, < 500, < 2000, more) and
 * tenure (< 90 days, < 1 year, < 3 years, more). Pure. */
uint64_t goodwill_stratum(int64_t store_id, unsigned category_ix, enum policy_tier tier, int64_t spend_before_cents,
                          int tenure_days);

/* One case in one window: its stratum, its goodwill (0 for a compared
 * case) and what the customer spent and how often they came in the window
 * after the case. case_id orders equal strata, so a sort is the same every
 * time. */
struct goodwill_obs {
    uint64_t stratum;
    int64_t case_id;
    int64_t goodwill_cents;
    int64_t spend_cents;
    int64_t visits;
};

/* Sorts by (stratum, case_id): goodwill_estimate wants both lists so. */
void goodwill_sort(struct goodwill_obs *o, size_t n);

struct goodwill_interval {
    double estimate, low, high;
};

struct goodwill_estimate {
    bool estimable;
    const char *reason;                  /* NULL when estimable; a static sentence otherwise */
    int64_t given, compared;             /* matched cases on each side */
    int64_t given_unmatched;             /* given cases with no compared case in their stratum */
    int64_t strata;                      /* strata with both sides */
    int64_t goodwill_cents;              /* of the matched given cases */
    double spend_given, spend_compared;  /* mean cents per case; compared weighted to the given cases' strata */
    double visits_given, visits_compared;
    struct goodwill_interval retained_cents;   /* total over the matched given cases */
    struct goodwill_interval per_euro;         /* retained cents per goodwill cent: euros per euro */
    struct goodwill_interval visits;           /* extra visits per given case */
};

struct goodwill_params {
    int64_t min_cases;                   /* on each side, matched */
    int bootstrap;                       /* resamples; 0: GOODWILL_BOOTSTRAP */
    uint64_t seed, stream;               /* rng_stream's index; the reader derives it from the given cases' ids */
    int64_t normal_from;                 /* matched cases a side from which the sums are drawn (matching.h); 0: never */
};

/* The estimate for the given cases g (goodwill > 0) against the compared
 * cases c, both sorted by goodwill_sort. Only compared cases in a stratum of
 * a given case count. TD_E_NOMEM when the bootstrap's scratch cannot be had;
 * TD_OK otherwise, estimable or not. Allocates only inside the call. */
int goodwill_estimate(const struct goodwill_obs *g, size_t ng, const struct goodwill_obs *c, size_t nc,
                      const struct goodwill_params *p, struct goodwill_estimate *out /* OUT */) TD_MUST_CHECK;

/* The minimum of matched cases, set once from TRUSTDESK_GOODWILL_MIN_CASES
 * (1..100000) before threads start, with matching's TRUSTDESK_NORMAL_FROM;
 * why says what is wrong with them. */
int goodwill_settings_from_env(char *why, size_t n) TD_MUST_CHECK;
int64_t goodwill_min_cases(void);

/* ---- the report (goodwill_read.c) ----------------------------------------- */

#define GOODWILL_ROWS_MAX 2000     /* rows listed; all are counted in rows_total */
#define GOODWILL_LABELS_MAX 4096   /* categories and policy versions told apart */

/* A group of cases: per store, category, policy version and Amsterdam
 * month (a row), or a total (month 0; store_id 0 for the chain). */
struct goodwill_row {
    int64_t store_id;
    char store_code[CODE_SZ];          /* "" for the chain */
    const char *category;              /* the report's own text; "" when the case named none */
    const char *policy_version;        /* NULL in a total */
    int year, month;                   /* 0 in a total */
    int64_t cases;                     /* resolved cases of known customers */
    int64_t given_cases;               /* ... with goodwill */
    int64_t funded_cents, beyond_strict_cents;
    int64_t open[GOODWILL_WINDOWS];    /* given first cases whose window has not passed: left out of it */
    struct goodwill_estimate est[GOODWILL_WINDOWS];
};

struct goodwill_report {
    int64_t from_us, to_us, store_id;  /* [from, to); store_id 0: every store */
    size_t n_rows;
    int64_t rows_total;
    struct goodwill_row *rows;         /* of store_id's store only, when one is given */
    struct goodwill_row store;         /* that store's total (store_id != 0) */
    struct goodwill_row chain;         /* every store */
    int64_t compared_cases;            /* customers' first cases without goodwill, in the whole chain */
    int64_t compared_open[GOODWILL_WINDOWS];
    int64_t min_cases;
    void *priv;                        /* the labels the rows point into */
};

/* The goodwill of every case decided in [from_us, to_us) (its latest
 * decision in the period, as desk_inputs_latest_each) and resolved, of a
 * known customer, with the spend and visits after it as of now_us; rows
 * only for store_id (0: all), totals for that store and for the chain.
 * Matching draws compared cases from the whole chain (the stratum holds
 * the store). Reads only. *out is freed by goodwill_report_free, also on
 * failure. */
int goodwill_report(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us,
                    struct goodwill_report *out /* OUT */) TD_MUST_CHECK;
void goodwill_report_free(struct goodwill_report *r);

/* goodwill_report without the rows (n_rows and rows_total 0): the chain's
 * and the store's totals, figure for figure as the report gives them, for
 * the simulator's modelled layer. Freed by goodwill_report_free. */
int goodwill_totals(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id, int64_t now_us,
                    struct goodwill_report *out /* OUT */) TD_MUST_CHECK;

/* One case the report counts: resolved, of a known customer. */
struct goodwill_case {
    int64_t case_id, customer_id, store_id, resolved_at;
    int64_t goodwill_cents;            /* 0: a compared case */
    int first;                         /* the customer's first case in the period (the estimate's) */
};

/* Calls fn for each case the report would count in [from_us, to_us), by
 * case id (the demo plants its effect on exactly these), without reading
 * what followed; a status other than TD_OK from fn stops and is returned.
 * Reads only. */
int goodwill_cases_each(struct dctx *c, int64_t from_us, int64_t to_us,
                        int (*fn)(void *arg, const struct goodwill_case *k), void *arg) TD_MUST_CHECK;

#endif
