/* guard.h — the quiet guard: a risk score 0..100 with its reasons.
 *
 * guard_score() is a pure function of the policy's guard thresholds and a
 * customer's signals, which the caller aggregates across all stores (see
 * docs/policy.md). It never reads a database or a clock.
 *
 * Invariants:
 *  (1) 0 <= score <= 100, and the level follows from the score alone:
 *      score >= red_at -> RED, score >= amber_at -> AMBER, else GREEN;
 *  (2) every successful result carries at least one reason, a code of
 *      reasons.def with its counts (rendered in Dutch and English at the edge);
 *  (3) reasons state counts and facts for a manager and never judge the
 *      customer ("6 returns without a receipt in 30 days", not "fraud");
 *  (4) a signal at or below its free allowance adds nothing, so an honest
 *      customer with an ordinary return or two stays green.
 */
#ifndef TD_GUARD_H
#define TD_GUARD_H
#include <stdbool.h>
#include <stddef.h>
#include "core/enum_map.h"
#include "core/status.h"
#include "domain/reasons.h"

#define GUARD_REASONS_MAX 10
#define GUARD_CATEGORY_SZ 48

#define GUARD_LEVEL_MAP(X) X(GUARD_GREEN, 0, "green") X(GUARD_AMBER, 1, "amber") X(GUARD_RED, 2, "red")
enum guard_level { GUARD_LEVEL_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map guard_level_map;

/* The guard's part of the service policy ("guard" in the JSON document).
 * A count signal adds points * (count - free) once count exceeds free. */
struct guard_policy {
    int amber_at, red_at;                         /* 1..100, amber_at < red_at */
    int no_receipt_30d_free, no_receipt_30d_points;
    int no_receipt_90d_free, no_receipt_90d_points;
    int return_rate_min_returns;                  /* fewer returns: rate not judged */
    int return_rate_multiple;                     /* counts above multiple x category norm */
    int return_rate_points;                       /* flat */
    int not_sold_here_90d_free, not_sold_here_90d_points;
    int worn_soon_90d_free, worn_soon_90d_points;
    int same_item_stores_at;                      /* one item returned at >= this many stores */
    int same_item_points;                         /* per store from `at` on */
    int spree_30d_cases, spree_30d_stores;        /* both reached: a spree */
    int spree_points;                             /* flat */
    int spent_lines_90d_free, spent_lines_90d_points; /* a receipt line offered again after it came back in full */
    int quick_days;                               /* "soon after purchase" for returns with proof (the desk counts them) */
    int quick_min_returns;                        /* 2..: fewer returns soon after purchase (in a category, or brought
                                                   * back in full of any category): not judged */
    int quick_share_percent;                      /* ... they must be at least this share of what was bought there */
    int quick_points;                             /* flat */
    int style_cycles_free, style_cycles_points;   /* one style bought and brought back in full soon after */
    bool linked_accounts;                         /* count accounts sharing a phone or mailbox as one person (the loader) */
};

/* What the caller knows about one customer identity across all stores.
 * Counts include the case being decided. */
struct guard_signals {
    int no_receipt_returns_30d;
    int no_receipt_returns_90d;
    int returns_90d;                              /* all returns, with or without receipt */
    int purchases_90d;                            /* purchase lines */
    int category_norm_permille;                   /* the categories' usual returns per 1000 purchases */
    int not_sold_here_claims_90d;
    int worn_soon_returns_90d;                    /* worn items returned soon after purchase */
    int same_item_stores;                         /* most stores at which one item (SKU) was returned, 90 days */
    int cases_30d;
    int stores_30d;                               /* distinct stores of those cases */
    int spent_lines_90d;                          /* items offered with a receipt whose line had come back in full */
    /* Returns with proof soon after purchase (guard.quick_days), 90 days: in
     * the category where they are the largest share of what was bought
     * there, how many, and the units bought there; its name for the reason
     * ("" when no category has two). */
    int quick_returns, quick_purchases;
    char quick_category[GUARD_CATEGORY_SZ];
    int whole_returns;                            /* ... of any category, purchases that came back in full (against
                                                   * purchases_90d) */
    int style_cycles;                             /* most times one style was bought and came back in full soon after */
    int linked;                                   /* 1: the counts include other accounts or walk-in visits of the same person */
};

struct risk {
    int score;                                    /* 0..100 */
    enum guard_level level;
    size_t n_reasons;                             /* >= 1 */
    struct reason reasons[GUARD_REASONS_MAX];
};

/* Scores the signals into *out. TD_E_INVALID when a count is negative (a
 * caller's bug); *out is then zeroed. Pure: no I/O, no clock, no globals. */
int guard_score(const struct guard_policy *gp, const struct guard_signals *s, struct risk *out /* OUT */) TD_MUST_CHECK;

/* "green", "amber", "red"; NULL for another value. Static strings. */
const char *guard_level_name(enum guard_level level);

#endif
