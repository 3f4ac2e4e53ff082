/* evaluate.h — how well the guard separates honest customers from abusers,
 * measured on the stored case history of a demo database whose generator
 * planted labelled abusers (demo_labels; see demo.c).
 *
 * Everything is read from what the desk stored when each case was resolved
 * (cases.rec_needs_approval, risk_level, rec_reasons), never recomputed, so
 * the figures are what associates and managers saw at the time.
 *
 * Definitions:
 *  - a return is a case of kind return, exchange or referral (goods come
 *    back) that has a stored recommendation; open or cancelled-before-
 *    resolving cases are left out and counted as undecided;
 *  - a customer without a demo_labels row (or labelled "honest") is honest;
 *    an honest return went through without friction when its recommendation
 *    needed no manager and the guard's level was green;
 *  - every other label is a kind of abuser, and an abuser's returns are their
 *    abusive cases; an abuser is flagged in time when the guard was amber or
 *    red at one of their first EVALUATE_FLAG_BY returns (in time order).
 */
#ifndef TD_EVALUATE_H
#define TD_EVALUATE_H
#include <stdint.h>
#include "core/status.h"
#include "domain/guard.h"

struct db;

#define EVALUATE_FLAG_BY 3
#define EVALUATE_HONEST_GOAL_PERMILLE 980   /* >= 98 % of honest returns without friction */
#define EVALUATE_ABUSER_GOAL_PERMILLE 850   /* >= 85 % of abusers flagged by their third return */
#define EVALUATE_KINDS_MAX 8
#define EVALUATE_REASONS_MAX 24
#define EVALUATE_LABEL_SZ 40

struct evaluate_kind {
    char label[EVALUATE_LABEL_SZ];
    int64_t labelled;                        /* rows in demo_labels */
    int64_t abusers;                         /* of those, with at least one return */
    int64_t flagged;                         /* amber or red by their EVALUATE_FLAG_BY-th return */
    int64_t returns;
};

/* A guard reason with its numbers replaced by "N", and how many flagged
 * abusers had it on the case where they were first flagged. */
struct evaluate_reason {
    char text[REASON_TEXT_SZ];
    int64_t abusers;
};

struct evaluate_result {
    int64_t labels;                          /* demo_labels rows naming an abuser */
    int64_t undecided;                       /* returns without a stored recommendation */
    /* honest customers */
    int64_t honest_customers, honest_returns;
    int64_t honest_smooth;                   /* no manager, guard green */
    int64_t honest_policy_approval;          /* green, but the policy's own limits asked a manager */
    int64_t honest_guard;                    /* guard amber or red */
    /* abusers, all kinds together and per kind (in label order) */
    int64_t abusers, abusers_flagged, abuser_returns;
    size_t n_kinds;
    struct evaluate_kind kinds[EVALUATE_KINDS_MAX];
    size_t n_reasons;                        /* most common first */
    struct evaluate_reason reasons[EVALUATE_REASONS_MAX];
    /* the two goals */
    int honest_permille, abuser_permille;    /* -1 when there is nothing to measure */
    int honest_goal_met, abuser_goal_met;
};

/* Reads demo_labels and the cases into *out. TD_E_NOT_FOUND when no
 * customer is labelled as an abuser (not a demo database with planted
 * abusers); TD_E_INVALID when more than EVALUATE_KINDS_MAX labels exist. */
int evaluate_run(struct db *db, struct evaluate_result *out /* OUT */) TD_MUST_CHECK;

#endif
