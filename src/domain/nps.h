/* nps.h — honest figures of the customers' answers (docs/feedback.md).
 *
 * The Net Promoter Score of a group of answers (0-10): the share of
 * promoters (9-10) minus the share of detractors (0-6), in percent, shown
 * with the number of answers n and a 95 % interval, and only from
 * TRUSTDESK_NPS_MIN_ANSWERS answers (30): below that the figure says "too
 * few answers" and has no score. The NPS is the mean of +1/0/-1 per answer,
 * so with p+ and p- the shares its variance is p+ + p- - (p+ - p-)^2 and the
 * interval NPS +- 1.96 * 100 * sqrt(var / n), clamped to [-100, 100].
 * Recovery figures (a share of follow-ups) get a Wilson interval and the
 * same minimum.
 *
 * Invariants:
 *  (1) nps_counts (migration 0016) holds, per dimension, key, store and UTC
 *      day of the first answer, the answers' classes: the sum of its rows
 *      over a dimension equals the answered surveys of those days;
 *  (2) it changes only in the transaction that stores the answer
 *      (nps_count_answer, called by survey_answer): a changed answer moves
 *      its one from the old class to the new on the same day row.
 *
 * The arithmetic (nps_class, nps_delta, nps_figure_of, nps_share_of) is pure.
 */
#ifndef TD_NPS_H
#define TD_NPS_H
#include <stdint.h>
#include "core/enum_map.h"
#include "domain/domain.h"

#define NPS_MIN_ANSWERS_DEFAULT 30

#define NPS_DIM_MAP(X)                                                                                                 \
    X(NPS_STORE, 1, "store")                                                                                           \
    X(NPS_CATEGORY, 2, "category")                                                                                     \
    X(NPS_ASSOCIATE, 3, "associate")                                                                                   \
    X(NPS_KIND, 4, "kind")                                                                                             \
    X(NPS_RESOLUTION, 5, "resolution")
enum nps_dim { NPS_DIM_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map nps_dim_map;

enum nps_class { NPS_DETRACTOR = 0, NPS_PASSIVE = 1, NPS_PROMOTER = 2 };

/* The class of a score 0-10 (9-10 promoter, 7-8 passive, 0-6 detractor). */
enum nps_class nps_class(int score);
/* What an answer changes in the counts by class (index enum nps_class):
 * before -1 (the first answer) adds one to after's class; a changed answer
 * moves the one; the same class changes nothing. */
void nps_delta(int before, int after, int64_t delta[3] /* OUT */);

struct nps_figure {
    int64_t n, promoters, passives, detractors;
    int too_few;                                   /* n < the minimum: no score */
    double score, low, high;                       /* percent; 0 when too_few */
};
/* The figure of these counts with its 95 % interval, or too_few below
 * min_answers answers. */
void nps_figure_of(int64_t promoters, int64_t passives, int64_t detractors, int64_t min_answers,
                   struct nps_figure *out /* OUT */);

struct nps_share {
    int64_t k, n;
    int too_few;
    double share, low, high;                       /* 0-1, Wilson's 95 % interval */
};
/* k of n as a share with Wilson's 95 % interval, or too_few below
 * min_answers. */
void nps_share_of(int64_t k, int64_t n, int64_t min_answers, struct nps_share *out /* OUT */);

/* Reads TRUSTDESK_NPS_MIN_ANSWERS (1-100000; default 30) once, before
 * threads start; TD_E_INVALID with *why naming it when bad. */
int nps_settings_from_env(char *why, size_t n) TD_MUST_CHECK;
int64_t nps_min_answers(void);

/* Counts survey_id's answer (now `after`, before: its score until now, -1
 * for none) in nps_counts, in the caller's transaction. */
int nps_count_answer(struct dctx *c, int64_t survey_id, int before, int after) TD_MUST_CHECK;

/* Counts every answered survey afresh (after answers were written in bulk:
 * the demo, the benchmark), in the caller's transaction. */
int nps_recount(struct dctx *c) TD_MUST_CHECK;

struct nps_query {
    enum nps_dim by;
    int64_t from_day, to_day;                      /* UTC days since 1970, both included */
    int64_t store_id;                              /* 0: every store */
    const char *key;                               /* by associate: one login only (NULL: all) */
};
struct nps_row {
    const char *key;                               /* the store's code, the category, the login, the kind... */
    const char *label;                             /* the store's or associate's name, else the key */
    struct nps_figure f;
};
/* The figures of q's period by q->by, sorted by label (never by score). */
int nps_each(struct dctx *c, const struct nps_query *q, int (*fn)(void *arg, const struct nps_row *r),
             void *arg) TD_MUST_CHECK;

#endif
