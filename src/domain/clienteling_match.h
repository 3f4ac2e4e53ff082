/* clienteling_match.h — who gets first choice of a new collection: the pure
 * part of matching (no database, no clock, no I/O).
 *
 * The loader (clienteling.c) gathers one struct cl_candidate per customer of
 * the store from the aggregates; these functions decide whether they are on
 * the list, how valued the relationship is, why, who is kept back as the
 * hold-out, and which associate gets the task. The same inputs always give
 * the same list, so matching an arrival again writes nothing new.
 *
 * Invariants:
 *  (1) nobody without marketing consent for some channel, with an objection
 *      to profiling (GDPR art. 21), over the contact cap, without a size in
 *      stock or who asked not to be contacted again is ever eligible;
 *  (2) the score is 0..CL_SCORE_MAX and grows with each signal of value
 *      (category spend, tier, recency, liked things, answered outreach);
 *  (3) every eligible customer has a reason of at least one part, and every
 *      part is a fact about the relationship, never a judgement;
 *  (4) the hold-out is a keyed hash of (arrival key, customer): independent
 *      of the score, stable for an arrival, about share_permille / 1000 of
 *      the matched customers;
 *  (5) cl_assign() never gives an associate more than their cap of tasks a
 *      day; what does not fit goes to the store pool (staff id 0), the most
 *      valued relationships first.
 */
#ifndef TD_CLIENTELING_MATCH_H
#define TD_CLIENTELING_MATCH_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CL_SCORE_MAX 1000
#define CL_HOLDOUT_KEY_BYTES 16
#define CL_WHY_PARTS_MAX 5

/* Why a customer is not on the list; CL_OK when they are. */
#define CL_SKIP_MAP(X)                                                                       \
    X(CL_OK, "ok")                                                                          \
    X(CL_SKIP_NO_CONSENT, "no_consent")                                                     \
    X(CL_SKIP_OBJECTED, "objected")                                                         \
    X(CL_SKIP_DO_NOT_CONTACT, "do_not_contact")                                             \
    X(CL_SKIP_OVER_CAP, "over_contact_cap")                                                 \
    X(CL_SKIP_NO_SIZE, "no_size_in_stock")                                                  \
    X(CL_SKIP_DISLIKES, "dislikes")                                                         \
    X(CL_SKIP_NO_FIT, "no_fit")

enum cl_skip {
#define CL__ENUM(e, name) e,
    CL_SKIP_MAP(CL__ENUM)
#undef CL__ENUM
    CL_SKIP_COUNT
};

enum cl_channel { CL_CHANNEL_NONE = 0, CL_CHANNEL_PHONE, CL_CHANNEL_EMAIL };

/* The chain's rules for matching (the clienteling part of the settings). */
struct cl_rules {
    int contact_cap_30d;             /* marketing contacts in a rolling 30 days (default 2) */
    int holdout_permille;            /* share kept back, 0..500 (default 100: 10 %) */
    int daily_cap_per_associate;     /* tasks per associate per day (default 25) */
};

/* What the loader knows of one customer, for one collection arriving in one
 * store. Strings are borrowed from the loader and must outlive the call. */
struct cl_candidate {
    int64_t customer_id;
    int64_t associate_id;            /* their own associate in this store; 0: the store pool */
    int tier;                        /* 0 none, 1 bronze, 2 silver, 3 gold, 4 platinum */
    int64_t category_spend_cents;    /* in the collection's categories, last two years */
    const char *category;            /* the collection's category they spent most in ("" none) */
    int days_since_visit;            /* -1: never bought */
    int likes;                       /* liked brands/categories/colours/styles the collection has */
    const char *liked;               /* the first of them, for the reason ("" none) */
    int dislikes;                    /* disliked things the collection is made of */
    const char *disliked;
    int answered;                    /* earlier outreach: reached, hold made or bought */
    int ignored;                     /* earlier outreach: voicemail or not interested */
    bool do_not_contact;             /* an earlier outcome said: do not contact again */
    bool email_consent, phone_consent, has_email, has_phone;
    bool objected;                   /* GDPR art. 21 objection to profiling */
    int contacts_30d;                /* marketing contacts in the last 30 days */
    const char *size;                /* a size of theirs with stock in this store; NULL: none */
    bool size_learned;               /* from purchases, not stated by the customer */
};

/* One part of the reason a customer is on the list; rendered at the edge. */
enum cl_why_code { CL_WHY_TIER, CL_WHY_SPEND, CL_WHY_LIKES, CL_WHY_SIZE, CL_WHY_RECENT, CL_WHY_ANSWERS };

struct cl_why_part {
    enum cl_why_code code;
    int64_t n;                       /* cents, days, tier or count, per code */
    const char *text;                /* category, liked thing or size (borrowed) */
};

struct cl_result {
    enum cl_skip skip;               /* CL_OK: on the list */
    int score;                       /* 0..CL_SCORE_MAX */
    enum cl_channel channel;         /* how the associate reaches them */
    size_t n_why;
    struct cl_why_part why[CL_WHY_PARTS_MAX];
};

/* One matched customer as cl_assign() orders and assigns them. */
struct cl_ranked {
    int64_t customer_id;
    int64_t associate_id;            /* in: their own associate (0: pool) */
    int score;
    int64_t assigned_to;             /* out: the associate who gets the task; 0: the store pool */
};

/* An associate's tasks already written today (in) and after assigning (out). */
struct cl_load {
    int64_t staff_id;
    int used;
};

const char *cl_skip_name(enum cl_skip s);

/* Eligibility, score and reason of one candidate. Pure. */
void cl_match(const struct cl_rules *r, const struct cl_candidate *c, struct cl_result *out);

/* Whether a matched customer is kept back as the hold-out of an arrival
 * with this key (random per arrival, stored with it). */
bool cl_holdout(const uint8_t key[CL_HOLDOUT_KEY_BYTES], int64_t customer_id, int share_permille);

/* Sorts v by score (highest first, then customer id) and assigns each to
 * their own associate while that associate is under the daily cap, else to
 * the pool. loads must be sorted by staff_id and hold every associate that
 * appears in v (others go to the pool); their counts are updated. */
void cl_assign(const struct cl_rules *r, struct cl_ranked *v, size_t n, struct cl_load *loads, size_t n_loads);

/* The reason in one sentence, "nl" or "en", into buf (always terminated;
 * cut at a part boundary if it does not fit). Returns the length written. */
size_t cl_why_render(const struct cl_result *res, const char *lang, char *buf, size_t sz);

/* The purchase rate of those contacted against the hold-out's, as a
 * difference of proportions with a 95 % interval (Newcombe's hybrid score
 * method, from Wilson intervals). Not estimable below CL_UPLIFT_MIN_N in
 * either group: say "too few to tell" rather than a number. */
#define CL_UPLIFT_MIN_N 20
struct cl_uplift {
    bool estimable;
    double treated_rate, holdout_rate;   /* 0..1 */
    double uplift, low, high;            /* treated - holdout, and its interval */
};
void cl_uplift(int64_t treated_n, int64_t treated_bought, int64_t holdout_n, int64_t holdout_bought,
               struct cl_uplift *out);

#endif
