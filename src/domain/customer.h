/* customer.h — customers, their marketing consent, search, GDPR export and
 * erasure.
 *
 * Customer life:
 *   (none) --customer_create--> KNOWN --customer_update--> KNOWN (version+1)
 *   KNOWN --customer_erase--> ERASED (personal fields NULL, search terms
 *   gone, receipts unlinked, the known values redacted from the free text
 *   of their cases and notes, remembered answers about them forgotten; the
 *   row stays so ids in bookkeeping still mean "a customer who was erased")
 *
 * Search: every customer has terms in customer_search — folded name words,
 * the e-mail address, the phone number in national digits and the loyalty
 * number — and a search_text with all of them. A query is a prefix range scan
 * over the most selective word's terms, filtered by the other words.
 */
#ifndef TD_CUSTOMER_H
#define TD_CUSTOMER_H
#include <stdint.h>
#include "core/buf.h"
#include "domain/domain.h"

struct consent {
    int given;
    int64_t at;                  /* 0 when never recorded */
    char source[SOURCE_SZ];      /* "" when never recorded */
};

struct customer {
    int64_t id;
    char loyalty_number[LOYALTY_SZ];
    char name[NAME_SZ];
    char email[EMAIL_SZ];
    char phone[PHONE_SZ];
    int64_t home_store_id;
    char home_store_code[CODE_SZ];
    struct consent email_marketing, phone_marketing;
    char lang[3];                /* "nl" or "en": the language they are written to in */
    int64_t version, created_at, updated_at, erased_at;
};

enum customer_field {
    CF_NAME = 1 << 0, CF_EMAIL = 1 << 1, CF_PHONE = 1 << 2, CF_LOYALTY = 1 << 3,
    CF_HOME_STORE = 1 << 4, CF_EMAIL_CONSENT = 1 << 5, CF_PHONE_CONSENT = 1 << 6, CF_LANG = 1 << 7,
};

struct consent_input {
    int given;
    int64_t at;                  /* 0: now */
    const char *source;          /* NULL or "": "desk" */
};

/* What to set; only the fields whose CF_* bit is in `set` are used. A NULL or
 * empty string clears an optional field. */
struct customer_input {
    unsigned set;
    const char *name, *email, *phone, *loyalty_number, *home_store_code;
    const char *lang;            /* "nl" or "en"; NULL or "": "nl" */
    struct consent_input email_marketing, phone_marketing;
};

int customer_create(struct dctx *c, const struct customer_input *in, struct errors *err,
                    int64_t *out_id /* OUT */) TD_MUST_CHECK;
/* if_version > 0: TD_E_CONFLICT unless the stored version equals it. */
int customer_update(struct dctx *c, int64_t id, const struct customer_input *in, int64_t if_version,
                    struct errors *err) TD_MUST_CHECK;
int customer_get(struct dctx *c, int64_t id, struct customer *out /* OUT */) TD_MUST_CHECK;
int customer_get_by_loyalty(struct dctx *c, const char *loyalty, struct customer *out /* OUT */) TD_MUST_CHECK;

/* Calls fn for up to `limit` customers matching q, in term order, starting
 * after `cursor` (NULL for the first page). next (64 bytes+) receives the
 * cursor of the following page or "" at the end. */
int customer_search(struct dctx *c, const char *q, int limit, const char *cursor,
                    int (*fn)(void *arg, const struct customer *cu), void *arg,
                    char *next /* OUT */, size_t next_size) TD_MUST_CHECK;

/* Consent history, oldest first. */
struct consent_event { const char *channel; int given; int64_t at; const char *source; };
int customer_consent_each(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct consent_event *e),
                          void *arg) TD_MUST_CHECK;

/* Erases the customer's personal data (see the life above) and audits it.
 * On PostgreSQL it first locks the customer's row (FOR UPDATE). */
int customer_erase(struct dctx *c, int64_t id) TD_MUST_CHECK;
/* *alive: the customer exists and is not erased (0 for no such customer);
 * TD_OK, or the database's error. For a write that links a row to the
 * customer (a case, a credit note): on PostgreSQL it holds the customer's
 * row (FOR KEY SHARE, which a plain edit of the customer does not wait
 * for) to the end of the transaction, so an erasure (FOR UPDATE) running at
 * the same time either waits for the write (and then unlinks its row) or
 * finishes first (and the write sees the customer erased). SQLite has one
 * writer at a time, which gives the same. */
int customer_alive_locked(struct dctx *c, int64_t id, int *alive /* OUT */) TD_MUST_CHECK;

/* Pure: the search terms ('\n'-separated, each at most once) and the
 * search_text of a customer. */
int customer_index_text(const char *name, const char *email, const char *phone, const char *loyalty,
                        struct buf *terms /* OUT */, struct buf *search_text /* OUT */) TD_MUST_CHECK;
/* Replaces the search terms of customer id inside the caller's transaction. */
int customer_reindex(struct db *db, int64_t id, const char *name, const char *email, const char *phone,
                     const char *loyalty) TD_MUST_CHECK;
/* Validates the pieces shared with imports. */
int customer_loyalty_valid(const char *s);

#endif
