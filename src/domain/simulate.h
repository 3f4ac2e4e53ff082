/* simulate.h — the what-if simulator: what another policy document would
 * have recommended for the cases the desk decided in a period, beside what
 * the desk's policy recommended then (docs/insight.md).
 *
 * Every decision stored in decision_inputs (desk_inputs.h) carries the case
 * as the policy read it, the customer's facts and the guard's signals of
 * that moment. A replay runs guard_score() and policy_decide() with the
 * draft on those stored inputs — never on today's facts — and compares the
 * result with the decision stored beside them.
 *
 * Two parts, kept apart:
 *  - simulate_step() is pure: one stored decision, the draft, and whether
 *    the guard flagged the customer later; it adds to a struct
 *    simulate_result and does no I/O;
 *  - simulate_run() reads the period (the latest decision of each case in
 *    it), the later flags and the store codes, and calls simulate_step();
 *    it only reads (the caller holds a read transaction or snapshot).
 *
 * Layers of the result (each labelled so in every output):
 *  exact    — counts from the replay itself: cases, decisions that change
 *             (resolution, amount or approval), approvals asked, goodwill
 *             the desk grants without a manager, per store and kind;
 *  bounded  — money newly exposed: cents the draft lets go without a
 *             manager beyond what the policy of the time did, for customers
 *             whose later decisions the guard rated amber or red; an upper
 *             bound of what abuse could take, not a loss;
 *  modelled — revenue retained: the change in goodwill times the
 *             goodwill economics' revenue retained per euro within 90 days
 *             (goodwill.h) for the same period and store, with its 95 %
 *             interval; "not estimable" with the reason where that figure
 *             is (simulate_model).
 *
 * Invariants:
 *  (1) replaying under the policy of each decision's own version changes
 *      nothing (the replay is the decision);
 *  (2) money in integer cents; goodwill is what the ledger would book as
 *      goodwill: store credit for a case that is not a return of our own
 *      goods (as desk_resolve's apply funds it);
 *  (3) simulate_run() never writes.
 */
#ifndef TD_SIMULATE_H
#define TD_SIMULATE_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/domain.h"
#include "domain/policy.h"

struct desk_inputs;
struct errors;

#define SIMULATE_STORES_MAX 256      /* stores tallied apart; the rest in one "other" row */
#define SIMULATE_CHANGES_MAX 500     /* changed cases listed (all are counted) */
#define SIMULATE_RES_COUNT 8         /* enum policy_resolution 1..7, 0 unused */
#define SIMULATE_KIND_COUNT 7        /* enum policy_kind 1..6, 0 unused */
#define SIMULATE_DEFAULT_DAYS 90
#define SIMULATE_MODELLED_REASON "the goodwill economics were not read for this replay"
#define SIMULATE_MODELLED_WINDOW 90  /* days: the window of goodwill_window_days the layer uses */
#define SIMULATE_SCHEMA 23           /* the migration simulate_run() needs (decision_replay) */

/* Counts of one group (all, a store, a kind), then (before) and under the
 * draft (after). */
struct simulate_tally {
    int64_t cases, changed;
    int64_t approvals_before, approvals_after;              /* decisions that need a manager */
    int64_t goodwill_before_cents, goodwill_after_cents;    /* goodwill granted without a manager */
    int64_t goodwill_manager_before_cents, goodwill_manager_after_cents; /* goodwill that waits for a manager */
};

struct simulate_store {
    int64_t store_id;                /* 0: the stores beyond SIMULATE_STORES_MAX */
    char code[CODE_SZ];              /* filled by simulate_run() */
    struct simulate_tally t;
};

struct simulate_change {
    int64_t case_id, store_id, decided_at;
    enum policy_kind kind;
    enum policy_resolution from, to;
    int64_t from_cents, to_cents;
    bool from_approval, to_approval;
    bool flagged_later;
    char store_code[CODE_SZ];        /* filled by simulate_run() */
};

/* The modelled layer (simulate_model). */
struct simulate_modelled {
    bool estimable;
    char reason[160];                /* why not, when not estimable */
    int window_days;
    double per_euro, low, high;      /* revenue retained per euro of goodwill and its 95 % interval */
    int64_t goodwill_change_cents;   /* the draft's goodwill minus the policy of the time's (desk and manager) */
    int64_t retained_cents, retained_low_cents, retained_high_cents;
};

struct simulate_result {
    int64_t from_us, to_us;          /* the period, [from, to) */
    int64_t store_id;                /* 0: every store */
    struct simulate_tally all;
    struct simulate_tally kinds[SIMULATE_KIND_COUNT];
    size_t n_stores;
    struct simulate_store stores[SIMULATE_STORES_MAX + 1];
    int64_t transitions[SIMULATE_RES_COUNT][SIMULATE_RES_COUNT];   /* [from][to], changed decisions only */
    size_t n_changes;                /* listed, <= SIMULATE_CHANGES_MAX */
    struct simulate_change changes[SIMULATE_CHANGES_MAX];
    int64_t unreplayable;            /* stored inputs the draft's decision refused (counted, not tallied) */
    /* bounded */
    int64_t exposed_cases, exposed_cents;
    int64_t flagged_customers;       /* distinct customers flagged later among the cases */
    struct simulate_modelled modelled;
    /* The draft changes a setting that only the loader reads (the stored
     * inputs were gathered with the old one): its path, "" when none. */
    char loader_settings[160];
};

/* Empties r for a period (and a store, 0: all). */
void simulate_init(struct simulate_result *r, int64_t from_us, int64_t to_us, int64_t store_id);

/* Replays one stored decision under p and adds it to r. flagged_later: the
 * guard rated the customer amber or red in a decision after this one.
 * TD_E_INVALID when the stored inputs cannot be replayed (counted in
 * r->unreplayable, the rest of r unchanged); TD_OK otherwise. Pure. */
int simulate_step(struct simulate_result *r, const struct policy *p, const struct desk_inputs *in, bool flagged_later);

struct goodwill_estimate;
/* Fills r->modelled from the goodwill economics' estimate e of the same
 * period (window_days after the case): the change in goodwill (with the
 * draft minus then, at the desk and for a manager, as if a manager granted
 * what waits for them) times revenue retained per euro, the interval's
 * bounds times the same change. Not estimable, with e's reason, where e is
 * not. Pure. */
void simulate_model(struct simulate_result *r, const struct goodwill_estimate *e, int window_days);

/* The goodwill cents of a decision on a case (invariant 2), and whether it
 * goes through without a manager. Pure. */
int64_t simulate_goodwill_cents(const struct case_in *ci, const struct decision *d);

/* The period of a simulation from two Amsterdam dates "YYYY-MM-DD", each
 * may be NULL: [from's midnight, the midnight after to). Without to: up to
 * now_us; without from: SIMULATE_DEFAULT_DAYS before the end. A malformed
 * date, or from after to, is TD_E_INVALID with the problem on from_field or
 * to_field (the caller's names: "--from", "from"). */
int simulate_period(const char *from, const char *to, int64_t now_us, const char *from_field, const char *to_field,
                    struct errors *err, int64_t *from_us /* OUT */, int64_t *to_us /* OUT */) TD_MUST_CHECK;

/* Replays every case decided in [from_us, to_us) (its latest decision in
 * the period) of store_id (0: all) under p into *r. With modelled, also
 * reads the goodwill economics of the period for the modelled layer (most
 * of the time of a replay: docs/insight.md, "Speed"); without, that layer
 * says SIMULATE_MODELLED_REASON. Reads only; the caller holds a read
 * transaction. r is large: the caller allocates it. */
int simulate_run(struct dctx *c, const struct policy *p, int64_t from_us, int64_t to_us, int64_t store_id,
                 bool modelled, struct simulate_result *r /* OUT */) TD_MUST_CHECK;

/* The result as JSON text (the CLI's --json and the API's answer share
 * it); malloc'd, the caller frees; NULL when out of memory. */
char *simulate_json(const struct simulate_result *r);

#endif
