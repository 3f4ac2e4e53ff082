/* evaluate.h — how well the guard separates honest customers from abusers,
 * measured on the stored case history of a demo database whose generator
 * labelled the people it describes (demo_labels, demo_walk_ins; see demo.c).
 *
 * Everything is read from what the desk stored when each case was resolved
 * (cases.rec_needs_approval, risk_level, rec_reasons, resolution and
 * amount), never recomputed, so the figures are what associates and
 * managers saw at the time.
 *
 * Definitions:
 *  - a return is a case of kind return, exchange or referral (goods come
 *    back) that has a stored recommendation; open or cancelled-before-
 *    resolving cases are left out and counted as undecided;
 *  - a person is a customer account, the accounts one labelled person
 *    holds (demo_labels.person: a ring), or a labelled walk-in
 *    (demo_walk_ins.person); their returns are taken in time order;
 *  - a customer without a label is of the honest kind "ordinary"; a label
 *    starting with "honest" is an honest kind; an honest return went through
 *    without friction when its recommendation needed no manager and the
 *    guard's level was green;
 *  - every other label is a kind of abuser, and all of an abuser's returns
 *    are abusive; an abuser is flagged by their n-th return when the guard
 *    was amber or red at one of their first n; the euros given before the
 *    flag are what the returns before the first flag paid out (refund,
 *    store credit, exchange, referral), or all of them when never flagged.
 *
 * Goals: EVALUATE_HONEST_GOAL_PERMILLE of honest returns overall, and
 * EVALUATE_KIND_GOAL_PERMILLE in every honest kind with at least
 * EVALUATE_KIND_MIN_RETURNS returns (fewer are too few to judge), without
 * friction; EVALUATE_ABUSER_GOAL_PERMILLE of abusers flagged by their
 * EVALUATE_FLAG_BY-th return.
 */
#ifndef TD_EVALUATE_H
#define TD_EVALUATE_H
#include <stdbool.h>
#include <stdint.h>
#include "core/status.h"
#include "domain/guard.h"

struct db;

#define EVALUATE_FLAG_BY 3
#define EVALUATE_FLAG_LATE 5                /* also reported: flagged by the fifth */
#define EVALUATE_HONEST_GOAL_PERMILLE 980   /* >= 98 % of honest returns without friction */
#define EVALUATE_KIND_GOAL_PERMILLE 950     /* >= 95 % in every honest kind */
#define EVALUATE_KIND_MIN_RETURNS 20
#define EVALUATE_ABUSER_GOAL_PERMILLE 850   /* >= 85 % of abusers flagged by their third return */
#define EVALUATE_KINDS_MAX 16
#define EVALUATE_REASONS_MAX 24
#define EVALUATE_LABEL_SZ 40

struct evaluate_kind {
    char label[EVALUATE_LABEL_SZ];
    bool honest;
    int64_t labelled;                        /* people labelled (0 for "ordinary": not labelled) */
    int64_t people;                          /* of those, with at least one return */
    int64_t returns;
    /* honest kinds */
    int64_t smooth;                          /* no manager, guard green */
    int64_t policy_approval;                 /* green, but the policy's own limits asked a manager */
    int64_t guard_flagged;                   /* guard amber or red */
    /* abusers */
    int64_t flagged;                         /* amber or red by their EVALUATE_FLAG_BY-th return */
    int64_t flagged_late;                    /* ... by their EVALUATE_FLAG_LATE-th */
    int64_t cents_before_flag, cents_total;  /* paid out before the first flag; in all */
};

/* A guard reason by its code (reasons.def; "" for a case stored before
 * reasons had codes, grouped by its text), one of its texts with the
 * numbers replaced by "N", and how many flagged abusers had it on the case
 * where they were first flagged. */
struct evaluate_reason {
    char code[40];
    char text[REASON_TEXT_SZ];
    int64_t abusers;
};

struct evaluate_result {
    int64_t labels;                          /* abusers labelled (people) */
    int64_t undecided;                       /* returns without a stored recommendation */
    /* honest people, all kinds together */
    int64_t honest_customers, honest_returns;
    int64_t honest_smooth;                   /* no manager, guard green */
    int64_t honest_policy_approval;          /* green, but the policy's own limits asked a manager */
    int64_t honest_guard;                    /* guard amber or red */
    /* abusers, all kinds together */
    int64_t abusers, abusers_flagged, abusers_flagged_late, abuser_returns;
    int64_t cents_before_flag, cents_total;
    /* per kind: the honest kinds first ("ordinary", then by label), then the
     * abusers' (by label) */
    size_t n_kinds;
    struct evaluate_kind kinds[EVALUATE_KINDS_MAX];
    size_t n_reasons;                        /* most common first */
    struct evaluate_reason reasons[EVALUATE_REASONS_MAX];
    /* the goals */
    int honest_permille, abuser_permille;    /* -1 when there is nothing to measure */
    int honest_goal_met, kinds_goal_met, abuser_goal_met;
};

/* The share in permille of part in whole, -1 when whole is 0. Pure. */
int evaluate_permille(int64_t part, int64_t whole);

/* Reads the labels and the cases into *out. TD_E_NOT_FOUND when nobody is
 * labelled as an abuser (not a demo database with planted abusers);
 * TD_E_INVALID when more than EVALUATE_KINDS_MAX kinds exist. */
int evaluate_run(struct db *db, struct evaluate_result *out /* OUT */) TD_MUST_CHECK;

#endif
