/* redact.c — an erased customer's known values out of free text (see
 * redact.h for what is redacted and where).
 *
 * Invariants:
 *  (1) only text changes: every UPDATE here writes one text column of a row
 *      found by its key, never an amount, a status or a link;
 *  (2) the ledger's append-only rows hold no free text (migration 0004), so
 *      redaction never needs to touch them;
 *  (3) a JSON column stays a valid JSON document: its strings are redacted
 *      one by one, never the document's text.
 */
#include "domain/redact.h"
#include "core/json_safe.h"
#include "core/text.h"
#include "core/vec.h"
#include "db/db.h"
#include "domain/customer.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define NEEDLES_MAX 24
#define NEEDLE_MIN 3                /* shorter words are too common to redact alone */

/* The rows of free text that concern a customer: each select gives (key,
 * key2, text) with the customer's id for every ?, and the update writes the
 * redacted text back by the same keys (fmt: the update's parameters). */
struct target {
    const char *select, *update, *fmt;
    int json;                       /* the column holds a JSON document */
};

#define OF_CASES "SELECT id FROM cases WHERE customer_id = ?"
#define OF_NOTES "SELECT id FROM credit_notes WHERE customer_id = ? OR case_id IN (" OF_CASES ")"

static const struct target TARGETS[] = {
    {"SELECT id, 0, referral_to FROM cases WHERE customer_id = ? AND referral_to IS NOT NULL",
     "UPDATE cases SET referral_to = ? WHERE id = ?", "ti", 0},
    {"SELECT id, 0, override_reason FROM cases WHERE customer_id = ? AND override_reason IS NOT NULL",
     "UPDATE cases SET override_reason = ? WHERE id = ?", "ti", 0},
    {"SELECT id, 0, approval_note FROM cases WHERE customer_id = ? AND approval_note IS NOT NULL",
     "UPDATE cases SET approval_note = ? WHERE id = ?", "ti", 0},
    {"SELECT id, 0, pending_json FROM cases WHERE customer_id = ? AND pending_json IS NOT NULL",
     "UPDATE cases SET pending_json = ? WHERE id = ?", "ti", 1},
    {"SELECT id, 0, rec_reasons FROM cases WHERE customer_id = ? AND rec_reasons IS NOT NULL",
     "UPDATE cases SET rec_reasons = ? WHERE id = ?", "ti", 1},
    {"SELECT case_id, item_no, brand FROM case_items WHERE case_id IN (" OF_CASES ") AND brand IS NOT NULL",
     "UPDATE case_items SET brand = ? WHERE case_id = ? AND item_no = ?", "tii", 0},
    {"SELECT case_id, item_no, description FROM case_items WHERE case_id IN (" OF_CASES ") AND description IS NOT NULL",
     "UPDATE case_items SET description = ? WHERE case_id = ? AND item_no = ?", "tii", 0},
    {"SELECT id, 0, detail FROM case_events WHERE case_id IN (" OF_CASES ") AND detail IS NOT NULL",
     "UPDATE case_events SET detail = ? WHERE id = ?", "ti", 0},
    {"SELECT case_id, 0, manufacturer FROM repairs WHERE case_id IN (" OF_CASES ") AND manufacturer IS NOT NULL",
     "UPDATE repairs SET manufacturer = ? WHERE case_id = ?", "ti", 0},
    {"SELECT case_id, 0, rma_number FROM repairs WHERE case_id IN (" OF_CASES ") AND rma_number IS NOT NULL",
     "UPDATE repairs SET rma_number = ? WHERE case_id = ?", "ti", 0},
    {"SELECT case_id, 0, to_name FROM referrals WHERE customer_id = ? OR case_id IN (" OF_CASES ")",
     "UPDATE referrals SET to_name = ? WHERE case_id = ?", "ti", 0},
    {"SELECT id, 0, reason FROM credit_notes WHERE id IN (" OF_NOTES ")",
     "UPDATE credit_notes SET reason = ? WHERE id = ?", "ti", 0},
    {"SELECT x.transaction_id, 0, x.reason FROM ledger_texts x JOIN ledger_transactions t ON t.id = x.transaction_id"
     " WHERE t.credit_note_id IN (" OF_NOTES ") AND x.reason IS NOT NULL",
     "UPDATE ledger_texts SET reason = ? WHERE transaction_id = ?", "ti", 0},
    {"SELECT x.transaction_id, 0, x.till_reference FROM ledger_texts x JOIN ledger_transactions t ON t.id = x.transaction_id"
     " WHERE t.credit_note_id IN (" OF_NOTES ") AND x.till_reference IS NOT NULL",
     "UPDATE ledger_texts SET till_reference = ? WHERE transaction_id = ?", "ti", 0},
    {"SELECT id, 0, inputs_json FROM decision_inputs WHERE customer_id = ? OR case_id IN (" OF_CASES ")",
     "UPDATE decision_inputs SET inputs_json = ? WHERE id = ?", "ti", 1},
};

/* ---- what to look for ------------------------------------------------------ */

struct needles {
    char text[NEEDLES_MAX][NAME_SZ];
    const char *list[NEEDLES_MAX];
    size_t n;
};

/* Adds the compact form of s (at least NEEDLE_MIN characters, once). */
static int add_compact(struct needles *nd, const char *s)
{
    struct buf b;
    buf_init(&b, NAME_SZ - 1);
    int rc = text_compact(s, &b);
    if (rc == TD_E_TOO_LARGE) rc = TD_OK;        /* a needle cannot be longer than a name */
    if (rc == TD_OK && b.data && b.len >= NEEDLE_MIN && nd->n < NEEDLES_MAX) {
        int seen = 0;
        for (size_t i = 0; i < nd->n; i++) seen |= strcmp(nd->text[i], b.data) == 0;
        if (!seen) {
            memcpy(nd->text[nd->n], b.data, b.len + 1);
            nd->list[nd->n] = nd->text[nd->n];
            nd->n++;
        }
    }
    buf_free(&b);
    return rc;
}

static int is_particle(const char *w, size_t n)
{
    static const char *const particles[] = {"van", "von", "der", "den", "het", "ter", "ten", "del", "della", "dos",
                                            "das", "des", "les", "los", "uit", "aan", "bij", NULL};
    for (const char *const *p = particles; *p; p++)
        if (strlen(*p) == n && memcmp(*p, w, n) == 0) return 1;
    return 0;
}

static int add_name(struct needles *nd, const char *name)
{
    struct buf f;
    buf_init(&f, 4 * NAME_SZ);
    int rc = add_compact(nd, name);
    if (rc == TD_OK) rc = text_fold(name, &f);
    const char *first_space = f.data ? strchr(f.data, ' ') : NULL;
    if (rc == TD_OK && first_space) rc = add_compact(nd, first_space + 1);   /* the family name, particles and all */
    for (const char *w = f.data; rc == TD_OK && w && *w;) {
        size_t n = strcspn(w, " ");
        if (n >= NEEDLE_MIN && n < NAME_SZ && !is_particle(w, n)) {
            char word[NAME_SZ];
            memcpy(word, w, n);
            word[n] = '\0';
            rc = add_compact(nd, word);
        }
        w += n;
        while (*w == ' ') w++;
    }
    buf_free(&f);
    return rc;
}

static int add_email(struct needles *nd, const char *email)
{
    int rc = add_compact(nd, email);
    const char *at = strchr(email, '@');
    if (rc == TD_OK && at && at - email < EMAIL_SZ) {
        char local[EMAIL_SZ];
        memcpy(local, email, (size_t)(at - email));
        local[at - email] = '\0';
        rc = add_compact(nd, local);
    }
    return rc;
}

/* The forms a phone number is typed in, as digits: 06..., 316..., 00316...,
 * 3106... and 003106... for a Dutch number; 0044... and 44... for another. */
static int add_phone(struct needles *nd, const char *phone)
{
    int rc = add_compact(nd, phone);
    char norm[20], form[40];
    if (rc != TD_OK || text_phone_normalize(phone, norm) != TD_OK) return rc;
    static const char *const dutch[] = {"0", "31", "0031", "310", "00310", NULL};
    if (norm[0] == '0' && norm[1] == '0') {
        rc = add_compact(nd, norm);
        if (rc == TD_OK) rc = add_compact(nd, norm + 2);
        return rc;
    }
    for (const char *const *p = dutch; *p && rc == TD_OK; p++) {
        size_t k = strlen(*p);
        memcpy(form, *p, k);
        memcpy(form + k, norm + 1, strlen(norm + 1) + 1);
        rc = add_compact(nd, form);
    }
    return rc;
}

static int add_loyalty(struct needles *nd, const char *loyalty)
{
    int rc = add_compact(nd, loyalty);
    char digits[LOYALTY_SZ];
    size_t n = 0;
    int letters = 0;
    for (const char *p = loyalty; *p && n + 1 < sizeof digits; p++) {
        if (*p >= '0' && *p <= '9') digits[n++] = *p;
        else if (*p != '-' && *p != ' ') letters = 1;
    }
    digits[n] = '\0';
    if (rc == TD_OK && letters && n >= 5) rc = add_compact(nd, digits);
    return rc;
}

/* ---- redacting ------------------------------------------------------------- */

/* Redacts every string inside a JSON value, in place. */
static int redact_json(json_t *v, const struct needles *nd, int *changed)
{
    int rc = TD_OK;
    if (json_is_string(v)) {
        struct buf out;
        buf_init(&out, 1u << 20);
        int ch = 0;
        rc = text_redact(json_string_value(v), nd->list, nd->n, REDACT_MARK, &out, &ch);
        if (rc == TD_OK && ch) {
            rc = json_string_set(v, out.data) == 0 ? TD_OK : TD_E_NOMEM;
            *changed = 1;
        }
        buf_free(&out);
    } else if (json_is_object(v)) {
        const char *key;
        json_t *item;
        json_object_foreach(v, key, item) {
            if ((rc = redact_json(item, nd, changed)) != TD_OK) break;
        }
    } else if (json_is_array(v)) {
        for (size_t i = 0; i < json_array_size(v) && rc == TD_OK; i++) rc = redact_json(json_array_get(v, i), nd, changed);
    }
    return rc;
}

/* The redacted form of one column value into out; *changed = 0 when there
 * is nothing to redact. */
static int redact_value(const char *text, int json, const struct needles *nd, struct buf *out, int *changed)
{
    *changed = 0;
    json_t *doc = json ? json_loads(text, JSON_DECODE_ANY, NULL) : NULL;
    if (!doc) return text_redact(text, nd->list, nd->n, REDACT_MARK, out, changed);   /* text, or JSON gone bad */
    int rc = redact_json(doc, nd, changed);
    if (rc == TD_OK && *changed) {
        char *s = json_safe_text(doc, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_reset(out);
        rc = s ? buf_puts(out, s) : TD_E_NOMEM;
        free(s);
    }
    json_decref(doc);
    return rc;
}

struct change {
    int64_t key, key2;
    char *text;
};

/* Runs one target: reads the rows, then writes back the ones that changed
 * (after the read is done, so no statement reads a table it is changing). */
static int redact_target(struct dctx *c, const struct target *t, int64_t customer_id, const struct needles *nd)
{
    struct db_stmt *st = NULL;
    struct change *ch = NULL;
    size_t n = 0, cap = 0;
    struct buf out;
    buf_init(&out, 64u << 20);
    int rc = db_prepare(c->db, t->select, &st);
    if (rc != TD_OK) goto out;
    int param = 1;
    for (const char *q = t->select; *q && rc == TD_OK; q++)
        if (*q == '?') rc = db_bind_int64(st, param++, customer_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        int changed = 0;
        rc = redact_value(db_col_text(st, 2), t->json, nd, &out, &changed);
        if (rc != TD_OK || !changed) continue;
        if ((rc = vec_grow(&ch, &cap, n, sizeof *ch, 16)) != TD_OK) break;
        ch[n].key = db_col_int64(st, 0);
        ch[n].key2 = db_col_int64(st, 1);
        if (!(ch[n].text = buf_steal(&out))) {
            rc = TD_E_NOMEM;
            break;
        }
        n++;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    for (size_t i = 0; i < n && rc == TD_OK; i++)
        rc = db_run(c->db, t->update, NULL, t->fmt, ch[i].text, ch[i].key, ch[i].key2);
out:
    for (size_t i = 0; i < n; i++) free(ch[i].text);
    free(ch);
    buf_free(&out);
    return rc;
}

int redact_customer(struct dctx *c, const struct customer *cu)
{
    struct needles *nd = calloc(1, sizeof *nd);
    if (!nd) return TD_E_NOMEM;
    int rc = TD_OK;
    if (cu->name[0]) rc = add_name(nd, cu->name);
    if (rc == TD_OK && cu->email[0]) rc = add_email(nd, cu->email);
    if (rc == TD_OK && cu->phone[0]) rc = add_phone(nd, cu->phone);
    if (rc == TD_OK && cu->loyalty_number[0]) rc = add_loyalty(nd, cu->loyalty_number);
    for (size_t i = 0; rc == TD_OK && nd->n && i < sizeof TARGETS / sizeof TARGETS[0]; i++)
        rc = redact_target(c, &TARGETS[i], cu->id, nd);
    free(nd);
    return rc;
}
