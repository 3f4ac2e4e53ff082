/* cards.h — value cards: what the store offers that customers (and staff)
 * may not know, shown at the desk where the customer weighs another shop.
 *
 * A card is a claim for one category (or for all) in Dutch and English,
 * optionally against a named competitor, with the staff member who must
 * verify it and how often (check_days, default 90).
 *
 *   draft --cards_verify--> verified --(check_by passes)--> overdue
 *   verified | overdue --cards_verify--> verified (check_by moves on)
 *   any --cards_update of a claim--> draft          (a changed claim is checked again)
 *   any --cards_retire--> retired
 *
 * Invariants:
 *  (1) the desk shows only a verified card whose check_by lies ahead and
 *      that is not retired (cards_for);
 *  (2) only the card's verifier (or an admin) verifies it;
 *  (3) a case keeps at most one record of the card shown and the
 *      customer's outcome (case_value_cards, keyed by the case).
 */
#ifndef TD_CARDS_H
#define TD_CARDS_H
#include <stdbool.h>
#include <stdint.h>
#include "core/enum_map.h"
#include "domain/domain.h"

#define CARDS_CLAIM_MAX 300          /* characters of a claim */
#define CARDS_CATEGORY_MAX 64
#define CARDS_COMPETITOR_MAX 100
#define CARDS_CHECK_DAYS 90
/* SQL: the card `v` may be shown now (invariant 1); its one `?` is now. */
#define CARDS_SHOWN_SQL " v.verified_at IS NOT NULL AND v.check_by > ? AND v.retired_at IS NULL"

/* What the customer did after seeing the card (names as stored). */
#define CARDS_OUTCOME_MAP(X)                                                                \
    X(CARDS_UNDECIDED, 1, "undecided") X(CARDS_STAYED, 2, "stayed") X(CARDS_WENT_ELSEWHERE, 3, "went_elsewhere")
enum cards_outcome { CARDS_OUTCOME_MAP(ENUM_MAP_VALUE) };
#define CARDS_STATE_MAP(X)                                                                  \
    X(CARDS_DRAFT, 1, "draft") X(CARDS_VERIFIED, 2, "verified") X(CARDS_OVERDUE, 3, "overdue") \
    X(CARDS_RETIRED, 4, "retired")
enum cards_state { CARDS_STATE_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map cards_outcome_map, cards_state_map;

struct value_card {
    int64_t id;
    char category[CARDS_CATEGORY_MAX * 4 + 1];   /* "" for every category */
    char claim_nl[CARDS_CLAIM_MAX * 4 + 1], claim_en[CARDS_CLAIM_MAX * 4 + 1];
    char competitor[CARDS_COMPETITOR_MAX * 4 + 1];
    int64_t theme_id;                /* 0: none */
    int64_t verifier_id;
    char verifier_login[LOGIN_SZ];
    int64_t verified_at, check_by;   /* 0 until verified */
    int check_days;
    int64_t retired_at;
    int64_t created_at, updated_at;
    enum cards_state state;          /* as of the dctx's now */
};

struct value_card_in {               /* NULL / -1: unchanged on update */
    const char *category;            /* "" or NULL on create: every category */
    const char *claim_nl, *claim_en;
    const char *competitor;
    const char *verifier_login;      /* required on create */
    int check_days;                  /* 0: 90 on create */
    int64_t theme_id;                /* 0: none */
};

int cards_create(struct dctx *c, const struct value_card_in *in, struct errors *err,
                 int64_t *id /* OUT */) TD_MUST_CHECK;
/* Changes what in names; a changed claim, category or competitor makes the
 * card a draft again. */
int cards_update(struct dctx *c, int64_t id, const struct value_card_in *in, struct errors *err) TD_MUST_CHECK;
/* The verifier (or an admin) confirms the claim: check_by = now + check_days.
 * TD_E_FORBIDDEN for anyone else. */
int cards_verify(struct dctx *c, int64_t id, struct errors *err) TD_MUST_CHECK;
int cards_retire(struct dctx *c, int64_t id) TD_MUST_CHECK;
int cards_get(struct dctx *c, int64_t id, struct value_card *out /* OUT */) TD_MUST_CHECK;
/* Every card, newest first, or only those the desk may show. */
int cards_each(struct dctx *c, bool shown_only, int (*fn)(void *arg, const struct value_card *v),
               void *arg) TD_MUST_CHECK;

/* The card the desk shows for a category: a shown card of that category
 * (folded: "Keuken" finds "keuken"), one naming competitor (when given)
 * before one that names none or another, then one for every category; the
 * most recently verified first. TD_E_NOT_FOUND when none. */
int cards_for(struct dctx *c, const char *category, const char *competitor,
              struct value_card *out /* OUT */) TD_MUST_CHECK;
/* Whether a case of this kind (enum policy_kind) and referral reason (enum
 * policy_referral) is one where the customer weighs another shop: a
 * referral, a return or exchange because it is cheaper elsewhere, a price
 * adjustment. Pure. */
bool cards_matter(int kind, int referral_reason);
/* The card for a case: cards_matter() for its kind, then cards_for() for the
 * category of its items in order (then every category). TD_E_NOT_FOUND when
 * the case needs none or none is shown; the case itself must exist. */
int cards_for_case(struct dctx *c, int64_t case_id, struct value_card *out /* OUT */) TD_MUST_CHECK;
/* Records with the case that the card was shown and what the customer did
 * (again: the outcome is replaced). The card must be one the desk may show
 * now, or the one already recorded. */
int cards_record_case(struct dctx *c, int64_t case_id, int64_t card_id, enum cards_outcome outcome,
                      struct errors *err) TD_MUST_CHECK;
/* The card recorded with a case and the outcome; TD_E_NOT_FOUND when none. */
int cards_case_record(struct dctx *c, int64_t case_id, int64_t *card_id /* OUT */,
                      enum cards_outcome *outcome /* OUT */) TD_MUST_CHECK;

/* A card shown at a customer's case, for their GDPR export. */
struct cards_shown {
    int64_t case_id, card_id, shown_at;
    const char *claim_nl, *claim_en, *outcome;   /* valid during the call */
};
/* Every card shown at the customer's cases, oldest first. */
int cards_shown_each_of_customer(struct dctx *c, int64_t customer_id,
                                 int (*fn)(void *arg, const struct cards_shown *s), void *arg) TD_MUST_CHECK;

#endif
