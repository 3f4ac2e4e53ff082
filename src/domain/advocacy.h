/* advocacy.h — the anonymous staff survey run by head office: "Would you
 * recommend our products and services to your family and friends?" (0–10),
 * "Why?", and "What do we offer that customers don't know about?".
 *
 *   advocacy_round_create   a round with one shared link per store (the
 *                           token is shown once; only its hash is stored)
 *   advocacy_link_lookup    what the public page shows for a link
 *   advocacy_answer         one anonymous answer per browser nonce
 *   advocacy_results        a slice's figures, within the anonymity rules
 *
 * Invariants:
 *  (1) an answer holds no staff id, no session, no time of day and no
 *      sequential id: the store of the link, the UTC day, the score, the two
 *      texts and an optional department (category) the respondent names;
 *  (2) one answer per browser nonce and round (staff_answer_nonces, its own
 *      table with nothing that links it to the answer): a second is
 *      TD_E_CONFLICT naming "nonce", and nothing is stored twice;
 *  (3) figures of a slice are shown only from ADVOCACY_MIN_ANSWERS answers,
 *      its comments only from ADVOCACY_MIN_COMMENTS, and never when another
 *      slice nested in it or around it could be subtracted to reveal fewer
 *      than that many (advocacy_suppress, the differencing rule).
 */
#ifndef TD_ADVOCACY_H
#define TD_ADVOCACY_H
#include <stdbool.h>
#include <stdint.h>
#include "core/token.h"
#include "domain/domain.h"

#define ADVOCACY_MIN_ANSWERS 5
#define ADVOCACY_MIN_COMMENTS 10
#define ADVOCACY_TEXT_MAX 1000       /* characters of "why" and of the secret */
#define ADVOCACY_NAME_MAX 200
#define ADVOCACY_CATEGORY_MAX 64
#define ADVOCACY_NONCE_MIN 16        /* characters of a browser nonce */
#define ADVOCACY_NONCE_MAX 128
#define ADVOCACY_STORES_MAX 500
#define ADVOCACY_DAYS_MAX 92         /* longest a round stays open */
#define ADVOCACY_CATEGORIES_MAX 20   /* departments a round lists */
#define ADVOCACY_CATEGORIES_SZ (ADVOCACY_CATEGORIES_MAX * (ADVOCACY_CATEGORY_MAX * 4 + 1))

struct advocacy_round {
    int64_t id;
    char name[ADVOCACY_NAME_MAX * 4 + 1];
    char categories[ADVOCACY_CATEGORIES_SZ];   /* the departments, one a line ("" none) */
    int64_t opens_at, closes_at, created_at;
    int64_t answers;                 /* every store together */
};

/* A store's link of a new round: the token, shown once. */
struct advocacy_link {
    int64_t store_id;
    char store_code[CODE_SZ];
    char token[TOKEN_HEX_LEN + 1];
};

struct advocacy_round_in {
    const char *name;
    int64_t closes_at;               /* after now, at most ADVOCACY_DAYS_MAX days ahead */
    const char *const *store_codes;  /* NULL (n_stores 0): every store */
    size_t n_stores;
    const char *const *categories;   /* the departments an answer may name (none: no question) */
    size_t n_categories;
};

/* Creates a round that opens now; links[0..*n) get one token per store
 * (links holds ADVOCACY_STORES_MAX). */
int advocacy_round_create(struct dctx *c, const struct advocacy_round_in *in, struct errors *err,
                          int64_t *id /* OUT */, struct advocacy_link *links /* OUT */,
                          size_t *n /* OUT */) TD_MUST_CHECK;
int advocacy_round_get(struct dctx *c, int64_t id, struct advocacy_round *out /* OUT */) TD_MUST_CHECK;
/* Rounds newest first. */
int advocacy_rounds_each(struct dctx *c, int (*fn)(void *arg, const struct advocacy_round *r),
                         void *arg) TD_MUST_CHECK;

/* What a link is for: TD_E_NOT_FOUND for an unknown token, TD_E_CONFLICT
 * (with a message) when the round is not open now. */
struct advocacy_link_info {
    int64_t round_id, store_id, closes_at;
    char round_name[ADVOCACY_NAME_MAX * 4 + 1];
    char store_name[NAME_SZ];
    char categories[ADVOCACY_CATEGORIES_SZ];   /* one a line */
};
int advocacy_link_lookup(struct dctx *c, const char *token, struct advocacy_link_info *out /* OUT */,
                         struct errors *err) TD_MUST_CHECK;

struct advocacy_answer_in {
    int score;                       /* 0..10; -1: missing */
    const char *why, *secret;        /* optional */
    const char *category;            /* optional: the department the respondent works in */
    const char *nonce;               /* required: the browser's own random text */
};
/* Stores one anonymous answer through a link (invariants 1 and 2) and files
 * the secret's words on the secrets board (secrets_file_answer). */
int advocacy_answer(struct dctx *c, const char *token, const struct advocacy_answer_in *in,
                    struct errors *err) TD_MUST_CHECK;

/* ---- results ---------------------------------------------------------------
 *
 * A slice is the whole round, one store, one category, or one store's
 * category. Its figures: answers, the NPS (promoters 9–10 minus detractors
 * 0–6, in percent) with a 95 % interval, and the mean; its comments (why and
 * secret, in random order, no day) when there are enough. */
struct advocacy_slice {
    int64_t store_id;                /* 0: every store */
    const char *category;            /* NULL or "": every category */
};

struct advocacy_comment { const char *why, *secret; };

struct advocacy_result {
    bool shown;                      /* false: figures withheld (why in reason) */
    bool comments_shown;
    const char *reason;              /* static English text when something is withheld */
    int64_t answers, promoters, passives, detractors;
    double nps, nps_low, nps_high, mean;
    size_t n_comments;
    struct advocacy_comment *comments;   /* owned: advocacy_result_free() */
    char *text;                      /* owned storage behind comments */
};

int advocacy_results(struct dctx *c, int64_t round_id, const struct advocacy_slice *slice,
                     struct advocacy_result *out /* OUT */) TD_MUST_CHECK;
void advocacy_result_free(struct advocacy_result *r);

/* The differencing rule on counts, pure (docs/feedback.md, "Staff
 * advocacy"). The answers of a round fall into cells (store s, category k;
 * k 0 is "not named"): count[s * n_cat + k]. Slices are the whole round, each
 * store, each category (k > 0) and each cell with k > 0. A slice is shown
 * when it has at least min answers and, for every slice that partitions
 * into smaller shown slices — the round into its stores and into its
 * categories, a store into its cells, a category into its cells — the
 * answers of the parts that are not shown together are none or at least
 * min: otherwise the parent minus its shown parts would reveal them, and
 * the smallest shown part is withheld too (or the parent, when none is
 * left), until nothing changes. Writes 1/0 into show_round, show_store[s],
 * show_cat[k] and show_cell[s * n_cat + k]. */
void advocacy_suppress(const int64_t *count, size_t n_store, size_t n_cat, int64_t min, bool *show_round,
                       bool *show_store, bool *show_cat, bool *show_cell);

#endif
