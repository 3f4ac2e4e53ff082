/* clienteling_book.h — each associate's book of customers and what the
 * profile knows of them: sizes, likes and dislikes, important dates, notes,
 * and the objection to profiling (GDPR art. 21).
 *
 * Invariants:
 *  (1) a customer's book lives in one store (customer_associates.store_id):
 *      its associate and second associate belong to that store; with
 *      neither, the store pool looks after them;
 *  (2) reassigning a book moves every customer of one associate at once to
 *      another associate of the same store or to the pool; nobody is left
 *      without a store;
 *  (3) a stated size replaces a learned one for its category and a learned
 *      size never replaces a stated one;
 *  (4) an objection takes the customer out of every match from the moment
 *      it is recorded (clienteling.c reads customer_objections).
 */
#ifndef TD_CLIENTELING_BOOK_H
#define TD_CLIENTELING_BOOK_H
#include <stdbool.h>
#include <stdint.h>
#include "domain/clienteling_catalog.h"
#include "domain/domain.h"

struct errors;

/* Puts a customer in a store's book with an associate (0: the pool) and a
 * second one (0: none). Each must be an active associate or manager of that
 * store ("staff_id: is not in this store"). */
int cl_book_assign(struct dctx *c, int64_t customer_id, int64_t store_id, int64_t staff_id, int64_t second_id,
                   struct errors *err) TD_MUST_CHECK;
/* Moves every customer whose associate is `from` (as first or second) to
 * `to` (0: the pool) within store_id; *moved gets how many. */
int cl_book_reassign(struct dctx *c, int64_t store_id, int64_t from, int64_t to, struct errors *err,
                     int64_t *moved /* OUT */) TD_MUST_CHECK;

struct cl_book_filter {
    int64_t staff_id;                 /* the associate's book; 0 with pool: the store pool */
    int64_t store_id;
    bool pool;
    int tier_min;                     /* 0: any */
    int visited_within_days;          /* 0: any */
    const char *category;             /* bought in this category (NULL: any) */
    const char *size;                 /* wears this size in some category (NULL: any) */
    int consent;                      /* 0 any, 1 e-mail, 2 phone, 3 either */
};

struct cl_book_row {
    int64_t customer_id;
    const char *name;                 /* borrowed: valid during the callback */
    int tier;
    int64_t lifetime_spend_cents;
    int64_t last_purchase_at;         /* 0: never */
    bool email_consent, phone_consent, objected;
    int64_t staff_id, second_id;
};

/* Calls fn for each customer of the book, by id after `after`, at most
 * limit; *next gets the last id when more follow (0: the end). */
int cl_book_each(struct dctx *c, const struct cl_book_filter *f, int64_t after, int limit,
                 int (*fn)(void *arg, const struct cl_book_row *r), void *arg, int64_t *next /* OUT */) TD_MUST_CHECK;

enum cl_pref_kind { CL_PREF_BRAND, CL_PREF_CATEGORY, CL_PREF_COLOUR, CL_PREF_STYLE, CL_PREF_COUNT };
const char *cl_pref_kind_name(enum cl_pref_kind k);
int cl_pref_kind_parse(const char *s, enum cl_pref_kind *out /* OUT */);

/* Sizes: stated by the customer (the profile screen) or learned from a
 * purchase (the import); size NULL removes a stated size. */
int cl_size_set(struct dctx *c, int64_t customer_id, const char *category, const char *size, bool stated,
                struct errors *err) TD_MUST_CHECK;
/* sentiment +1 like, -1 dislike, 0 forget. */
int cl_pref_set(struct dctx *c, int64_t customer_id, enum cl_pref_kind kind, const char *value, int sentiment,
                struct errors *err) TD_MUST_CHECK;
int cl_date_add(struct dctx *c, int64_t customer_id, const char *kind, int month, int day, const char *label,
                struct errors *err, int64_t *id /* OUT */) TD_MUST_CHECK;
int cl_date_delete(struct dctx *c, int64_t customer_id, int64_t id) TD_MUST_CHECK;     /* TD_E_NOT_FOUND */
int cl_note_add(struct dctx *c, int64_t customer_id, const char *text, struct errors *err,
                int64_t *id /* OUT */) TD_MUST_CHECK;
/* Records (objected) or withdraws an objection to profiling. */
int cl_objection_set(struct dctx *c, int64_t customer_id, bool objected, const char *source) TD_MUST_CHECK;

/* Everything the profile holds, for the profile screen and the GDPR export:
 * fn gets one (section, row) at a time; fields are borrowed. */
struct cl_profile_item {
    const char *section;              /* "book", "size" (c: stated|learned), "pref" (c: like|dislike), "date",
                                         "note", "objection" */
    const char *a, *b, *c;            /* per section: see clienteling_book.c */
    int64_t n, at;
};
int cl_profile_each(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct cl_profile_item *it),
                    void *arg) TD_MUST_CHECK;
/* What outreach did with the customer (the GDPR export), oldest first:
 *   contact   a channel, b "marketing"|"transactional", c staff login, n task id, at
 *   outreach  a collection code, b status, c outcome ("" none), n task id, at created
 *   hold      a sku, b status, c store code, n hold id, at created */
int cl_history_each(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct cl_profile_item *it),
                    void *arg) TD_MUST_CHECK;

/* Erasure: deletes every clienteling row of the customer (book, sizes,
 * likes, dates, notes, objection, spend aggregate, contacts, outreach,
 * holds — an active hold gives its unit back). */
int cl_customer_erase(struct dctx *c, int64_t customer_id) TD_MUST_CHECK;

#endif
