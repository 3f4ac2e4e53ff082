/* secrets.h — the secrets board: what staff say customers don't know about,
 * grouped into themes.
 *
 * Every answer's secret is folded (core/text.h: case and accents go) and cut
 * into words; words of fewer than three letters, numbers and common Dutch
 * and English words are left out. A word is in exactly one theme; a new
 * word starts a theme of its own, named after it. A theme counts the answers
 * that use any of its words (once each), per store.
 *
 *   new --secrets_moderate--> shown | hidden  (and back)
 *   new | shown | hidden --secrets_merge (into another)--> merged
 *
 * Invariants:
 *  (1) secret_theme_words maps each word to one theme that is not merged:
 *      merging moves the words, so later answers count in the theme merged
 *      into;
 *  (2) associates see only shown themes; the answers' texts are never part
 *      of the board.
 */
#ifndef TD_SECRETS_H
#define TD_SECRETS_H
#include <stdbool.h>
#include <stdint.h>
#include "core/enum_map.h"
#include "domain/domain.h"

#define SECRETS_LABEL_MAX 100
#define SECRETS_WORDS_MAX 40         /* words filed from one answer */

#define SECRETS_STATUS_MAP(X)                                                               \
    X(SECRETS_NEW, 1, "new") X(SECRETS_SHOWN, 2, "shown") X(SECRETS_HIDDEN, 3, "hidden") X(SECRETS_MERGED, 4, "merged")
enum secrets_status { SECRETS_STATUS_MAP(ENUM_MAP_VALUE) };
extern const struct enum_map secrets_status_map;

struct secrets_theme {
    int64_t id;
    char label[SECRETS_LABEL_MAX * 4 + 1];
    enum secrets_status status;
    int64_t answers;                 /* answers using one of its words (in the store asked for, or all) */
    char words[512];                 /* its words, ", "-separated (cut short when long) */
};

/* Files the words of an answer's secret (text may be NULL or ""). */
int secrets_file_answer(struct dctx *c, const char *answer_id, const char *text) TD_MUST_CHECK;
/* The significant folded words of text into words[0..*n) (each at most 63
 * bytes; duplicates dropped). Pure. */
int secrets_words(const char *text, char words[][64], size_t max, size_t *n /* OUT */) TD_MUST_CHECK;

/* The board: themes that are not merged, most answers first, up to limit;
 * shown ones only when shown_only; counted in one store (0: every store). */
int secrets_board(struct dctx *c, bool shown_only, int64_t store_id, int limit,
                  int (*fn)(void *arg, const struct secrets_theme *t), void *arg) TD_MUST_CHECK;
/* A theme's answers per store, most first. */
int secrets_theme_stores(struct dctx *c, int64_t theme_id,
                         int (*fn)(void *arg, int64_t store_id, const char *store_code, int64_t answers),
                         void *arg) TD_MUST_CHECK;
int secrets_get(struct dctx *c, int64_t id, struct secrets_theme *out /* OUT */) TD_MUST_CHECK;
int secrets_rename(struct dctx *c, int64_t id, const char *label, struct errors *err) TD_MUST_CHECK;
/* status is shown or hidden (or new). */
int secrets_moderate(struct dctx *c, int64_t id, enum secrets_status status, struct errors *err) TD_MUST_CHECK;
/* Moves the words of `from` into `into` (invariant 1); `from` is merged. */
int secrets_merge(struct dctx *c, int64_t into, int64_t from, struct errors *err) TD_MUST_CHECK;

#endif
