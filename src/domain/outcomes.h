/* outcomes.h — one compact row per resolved case of a known customer
 * (case_outcomes, migration 0022): what the goodwill economics
 * (goodwill_read.c) and the referral outcomes (insight.c) read, instead of
 * every decision's JSON, every case and every customer's receipts after it
 * (docs/insight.md, "Goodwill economics", "Speed").
 *
 * A row holds the case's store, category, resolution and whether it was
 * referred, its goodwill (goodwill_case_cents: funded, or beyond strict),
 * the facts of its last stored decision (tier, lifetime spend before,
 * tenure, policy version, when it was decided), and the customer's spend
 * and visits in the 30, 90 and 180 days after the resolution.
 *
 * Invariants:
 *  (1) a row is written by outcomes_on_event (events.def) in the transaction
 *      that resolves the case (RESOLVED), and its windows are added to in the
 *      transaction that imports a receipt of its customer inside them
 *      (PURCHASES_IMPORTED), whatever the receipt's date: a request rolled
 *      back leaves nothing, and at every commit each row equals a recount
 *      from cases, decision_inputs, credit_notes, referrals and receipts;
 *  (2) a window's sums are what is known so far: whether the window has
 *      passed is the reader's clock's to say (an open window is left out of
 *      the goodwill estimate, and is unknown in the referral report unless
 *      the customer already came back);
 *  (3) an erased customer has no rows (customer_erase deletes them in its
 *      transaction); a walk-in's case has none.
 */
#ifndef TD_OUTCOMES_H
#define TD_OUTCOMES_H
#include <stdint.h>
#include "domain/domain.h"

struct event;

#define OUTCOMES_WINDOWS 3
extern const int outcomes_window_days[OUTCOMES_WINDOWS];   /* 30, 90, 180 */

/* The events.def subscriber: RESOLVED writes the case's row, with what the
 * customer's receipts already stored after it add; PURCHASES_IMPORTED adds
 * each new receipt of a customer to the windows of their cases that it
 * falls in (one statement per 256 customers of the batch to find them),
 * from what the import wrote, or read back by the receipts' ids when the
 * writer gives only those (the demo's plant). */
int outcomes_on_event(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* One row as read. Texts are valid during the call only. */
struct outcome {
    int64_t case_id, customer_id, store_id, resolved_at;
    int64_t decision_id, decided_at;                  /* 0: resolved without a stored decision */
    const char *category, *policy_version, *tier, *resolution;
    int64_t spend_before_cents, tenure_days;
    int64_t goodwill_cents;                           /* 0: none (a compared case) */
    int funded;                                       /* the goodwill is a credit note funded as goodwill */
    int referred;
    int64_t spend[OUTCOMES_WINDOWS], visits[OUTCOMES_WINDOWS];   /* 30, 90, 180 days after, so far */
};

/* Adds a receipt at `at` of `cents` to spend[] and visits[] (OUTCOMES_WINDOWS
 * each) for the windows after resolved_at it falls in (resolved_at < at <=
 * resolved_at + the window's days); 1 when it falls in any. */
int outcomes_window_add(int64_t *spend, int64_t *visits, int64_t resolved_at, int64_t at, int64_t cents);

/* What a case's row takes from its latest stored decision. */
struct outcomes_decision {
    int64_t id, decided_at, spend_before_cents, tenure_days;
    int64_t proven_cents;                 /* the amounts of the items the decision found proven */
    int tier;                             /* enum policy_tier */
    char policy_version[32];              /* POLICY_VERSION_SZ */
};
struct desk_inputs;
void outcomes_decision_of(const struct desk_inputs *in, struct outcomes_decision *out /* OUT */);

/* Writes the row of a resolved case: o's case_id, customer_id, store_id,
 * resolved_at, category, resolution, referred, spend[] and visits[] as the
 * caller read them; the decision's columns from d (NULL: the case has no
 * stored decision) and the goodwill from the case's amount and its credit
 * note's goodwill-funded cents are filled into *o here. The RESOLVED
 * subscriber's rule, shared with the demo's bulk history. */
int outcomes_insert(struct dctx *c, struct outcome *o, int64_t amount_cents, int64_t funded_cents,
                    const struct outcomes_decision *d) TD_MUST_CHECK;

/* Calls fn for the row of each case whose last decision was taken in
 * [from_us, to_us), in the order the decisions were taken (decided_at, then
 * the decision's id); a status other than TD_OK from fn stops and is
 * returned. One range of the case_outcomes_decided index. */
int outcomes_decided_each(struct dctx *c, int64_t from_us, int64_t to_us,
                          int (*fn)(void *arg, const struct outcome *o), void *arg) TD_MUST_CHECK;

/* outcomes_decided_each with only the columns the goodwill economics reads
 * (a third fewer: most of a row's cost is its columns): decision_id,
 * decided_at, referred and the 30-day window are 0, resolution "". */
int outcomes_goodwill_each(struct dctx *c, int64_t from_us, int64_t to_us,
                           int (*fn)(void *arg, const struct outcome *o), void *arg) TD_MUST_CHECK;

#endif
