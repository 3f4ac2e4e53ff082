/* customer.c — customers, consent, search and erasure (see customer.h).
 *
 * Invariants:
 *  (1) customer_search rows and customers.search_text always describe the
 *      current personal fields, and customer_keys the current phone and
 *      e-mail: every write of those fields calls customer_reindex() and
 *      identity_set_customer() in the same transaction;
 *  (2) every change of consent is also a consent_events row (the GDPR record
 *      of when and how consent was given or withdrawn);
 *  (3) an erased customer has no personal field, no search term, no consent
 *      event, and no receipt or credit note linked to it (the bookkeeping
 *      rows stay, unlinked) and no identity key; the free text of their cases and notes no
 *      longer holds their name, e-mail, phone or loyalty number (redact.c),
 *      and no remembered answer about them can be replayed (idempotency.c).
 */
#include "domain/customer.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/idempotency.h"
#include "domain/identity.h"
#include "domain/redact.h"
#include "domain/store.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SEARCH_WORDS_MAX 8
#define TERM_MAX 128

int customer_loyalty_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n >= LOYALTY_SZ) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-'))
            return 0;
    return 1;
}

/* The loyalty number as a term: letters and digits only, lower case. */
static void loyalty_term(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (; *s && k + 1 < n; s++) {
        char ch = *s;
        if (ch >= 'A' && ch <= 'Z') ch = (char)(ch - 'A' + 'a');
        if ((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9')) out[k++] = ch;
    }
    out[k] = '\0';
}

static int add_term(struct buf *terms, const char *t, size_t n)
{
    if (n == 0) return TD_OK;
    if (n > TERM_MAX) n = TERM_MAX;
    /* Skip a term already present (terms are few, a linear look is fine). */
    const char *p = terms->data;
    while (p && *p) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len == n && memcmp(p, t, n) == 0) return TD_OK;
        p = nl ? nl + 1 : p + len;
    }
    int rc = buf_append(terms, t, n);
    if (rc == TD_OK) rc = buf_putc(terms, '\n');
    return rc;
}

static void lower_ascii(char *s)
{
    for (; *s; s++)
        if (*s >= 'A' && *s <= 'Z') *s = (char)(*s - 'A' + 'a');
}

int customer_index_text(const char *name, const char *email, const char *phone, const char *loyalty,
                        struct buf *terms, struct buf *search_text)
{
    int rc = TD_OK;
    struct buf folded;
    buf_init(&folded, 4096);
    buf_reset(terms);
    buf_reset(search_text);
    if (name && *name) rc = text_fold(name, &folded);
    if (rc == TD_OK && folded.data) {
        const char *p = folded.data;
        while (*p && rc == TD_OK) {
            const char *sp = strchr(p, ' ');
            size_t len = sp ? (size_t)(sp - p) : strlen(p);
            rc = add_term(terms, p, len);
            p += len;
            if (*p) p++;
        }
        if (rc == TD_OK) rc = buf_puts(search_text, folded.data);
    }
    if (rc == TD_OK && email && *email) {
        char e[EMAIL_SZ];
        snprintf(e, sizeof e, "%s", email);
        lower_ascii(e);
        rc = add_term(terms, e, strlen(e));
        if (rc == TD_OK) rc = buf_printf(search_text, "%s%s", search_text->len ? " " : "", e);
    }
    if (rc == TD_OK && phone && *phone) {
        char ph[20];
        if (text_phone_normalize(phone, ph) == TD_OK) {
            rc = add_term(terms, ph, strlen(ph));
            if (rc == TD_OK) rc = buf_printf(search_text, "%s%s", search_text->len ? " " : "", ph);
        }
    }
    if (rc == TD_OK && loyalty && *loyalty) {
        char lt[LOYALTY_SZ];
        loyalty_term(loyalty, lt, sizeof lt);
        rc = add_term(terms, lt, strlen(lt));
        if (rc == TD_OK) rc = buf_printf(search_text, "%s%s", search_text->len ? " " : "", lt);
    }
    buf_free(&folded);
    return rc;
}

int customer_reindex(struct db *db, int64_t id, const char *name, const char *email, const char *phone,
                     const char *loyalty)
{
    struct buf terms, text;
    buf_init(&terms, 8192);
    buf_init(&text, 8192);
    int rc = customer_index_text(name, email, phone, loyalty, &terms, &text);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM customer_search WHERE customer_id = ?", NULL, "i", id);
    for (char *p = terms.data; p && *p && rc == TD_OK;) {
        char *nl = strchr(p, '\n');
        *nl = '\0';
        rc = db_run(db, "INSERT INTO customer_search (term, customer_id) VALUES (?, ?)", NULL, "ti", p, id);
        p = nl + 1;
    }
    if (rc == TD_OK)
        rc = db_run(db, "UPDATE customers SET search_text = ? WHERE id = ?", NULL, "ti", text.len ? text.data : NULL, id);
    buf_free(&terms);
    buf_free(&text);
    return rc;
}

/* ---- validation ---------------------------------------------------------- */

static void check_consent(struct errors *err, const char *field, const struct consent_input *ci, int64_t now)
{
    char f[64];
    if (ci->source && *ci->source) {
        snprintf(f, sizeof f, "%s.source", field);
        /* The source is kept in SOURCE_SZ bytes: its limit counts bytes. */
        if (errors_check_text(err, f, ci->source, SOURCE_SZ - 1, 0) && strlen(ci->source) > SOURCE_SZ - 1)
            errors_add(err, f, "is longer than %zu characters", (size_t)(SOURCE_SZ - 1));
    }
    if (ci->at > now + 60 * 1000000LL) {
        snprintf(f, sizeof f, "%s.at", field);
        errors_add(err, f, "lies in the future");
    }
}

/* Checks the fields set in `in`; resolves the home store into *store_id.
 * Returns the database's error, if it had one; the field errors go to `err`,
 * and TD_E_INVALID when there are any. */
static int validate(struct dctx *c, const struct customer_input *in, int creating, struct errors *err,
                     int64_t *store_id)
{
    *store_id = 0;
    if (creating || (in->set & CF_NAME)) errors_check_text(err, "name", in->name, NAME_MAX_CHARS, 1);
    if ((in->set & CF_EMAIL) && in->email && *in->email && !text_email_valid(in->email))
        errors_add(err, "email", "is not an e-mail address");
    if ((in->set & CF_PHONE) && in->phone && *in->phone) {
        char ph[20];
        if (strlen(in->phone) >= PHONE_SZ || text_phone_normalize(in->phone, ph) != TD_OK)
            errors_add(err, "phone", "is not a phone number");
    }
    if ((in->set & CF_LOYALTY) && in->loyalty_number && *in->loyalty_number && !customer_loyalty_valid(in->loyalty_number))
        errors_add(err, "loyalty_number", "must be 4 to 32 of letters, digits and '-'");
    int rc = TD_OK;
    if ((in->set & CF_HOME_STORE) && in->home_store_code && *in->home_store_code)
        rc = store_id_by_code(c, in->home_store_code, "home_store_code", err, store_id);
    if ((in->set & CF_LANG) && in->lang && *in->lang && strcmp(in->lang, "nl") && strcmp(in->lang, "en"))
        errors_add(err, "lang", "must be nl or en");
    if (in->set & CF_EMAIL_CONSENT) check_consent(err, "consent.email_marketing", &in->email_marketing, c->now_us);
    if (in->set & CF_PHONE_CONSENT) check_consent(err, "consent.phone_marketing", &in->phone_marketing, c->now_us);
    return rc == TD_OK && err->n ? TD_E_INVALID : rc;
}

static const char *nz(const char *s) { return s && *s ? s : NULL; }
static const char *lang_or(const struct customer_input *in, const char *cur)
{
    return (in->set & CF_LANG) ? (nz(in->lang) ? in->lang : "nl") : cur;
}

static int add_consent_event(struct dctx *c, int64_t id, const char *channel, const struct consent_input *ci)
{
    return db_run(c->db, "INSERT INTO consent_events (customer_id, channel, given, at, source, staff_id) VALUES (?, ?, ?, ?, ?, ?)",
                  NULL, "itiitn", id, channel, (int64_t)(ci->given ? 1 : 0), ci->at ? ci->at : c->now_us,
                  nz(ci->source) ? ci->source : "desk", c->actor.staff_id);
}

/* Writes the consent columns of one channel and its history row. */
static int set_consent(struct dctx *c, int64_t id, int email, const struct consent_input *ci)
{
    static const char *const sql_email =
        "UPDATE customers SET email_consent = ?, email_consent_at = ?, email_consent_source = ? WHERE id = ?";
    static const char *const sql_phone =
        "UPDATE customers SET phone_consent = ?, phone_consent_at = ?, phone_consent_source = ? WHERE id = ?";
    int rc = db_run(c->db, email ? sql_email : sql_phone, NULL, "iiti", (int64_t)(ci->given ? 1 : 0),
                    ci->at ? ci->at : c->now_us, nz(ci->source) ? ci->source : "desk", id);
    if (rc == TD_OK) rc = add_consent_event(c, id, email ? "email_marketing" : "phone_marketing", ci);
    return rc;
}

int customer_create(struct dctx *c, const struct customer_input *in, struct errors *err, int64_t *out_id)
{
    int64_t store_id;
    int rc = validate(c, in, 1, err, &store_id);
    if (rc != TD_OK) return rc;
    rc = db_get_int64(c->db, "INSERT INTO customers (loyalty_number, name, email, phone, home_store_id, lang,"
                                 " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          out_id, "ttttntii", (in->set & CF_LOYALTY) ? nz(in->loyalty_number) : NULL, in->name,
                          (in->set & CF_EMAIL) ? nz(in->email) : NULL, (in->set & CF_PHONE) ? nz(in->phone) : NULL, store_id,
                          lang_or(in, "nl"), c->now_us, c->now_us);
    if (rc == TD_E_CONFLICT) errors_add(err, "loyalty_number", "another customer has this loyalty number");
    if (rc != TD_OK) return rc;
    rc = customer_reindex(c->db, *out_id, in->name, (in->set & CF_EMAIL) ? in->email : NULL,
                          (in->set & CF_PHONE) ? in->phone : NULL, (in->set & CF_LOYALTY) ? in->loyalty_number : NULL);
    if (rc == TD_OK)
        rc = identity_set_customer(c, *out_id, (in->set & CF_EMAIL) ? in->email : NULL, (in->set & CF_PHONE) ? in->phone : NULL);
    if (rc == TD_OK && (in->set & CF_EMAIL_CONSENT)) rc = set_consent(c, *out_id, 1, &in->email_marketing);
    if (rc == TD_OK && (in->set & CF_PHONE_CONSENT)) rc = set_consent(c, *out_id, 0, &in->phone_marketing);
    return rc;
}

#define CUSTOMER_COLS \
    "c.id, COALESCE(c.loyalty_number, ''), COALESCE(c.name, ''), COALESCE(c.email, ''), COALESCE(c.phone, '')," \
    " COALESCE(c.home_store_id, 0), COALESCE(s.code, ''), c.email_consent, COALESCE(c.email_consent_at, 0)," \
    " COALESCE(c.email_consent_source, ''), c.phone_consent, COALESCE(c.phone_consent_at, 0)," \
    " COALESCE(c.phone_consent_source, ''), c.version, c.created_at, c.updated_at, COALESCE(c.erased_at, 0), c.lang"
#define CUSTOMER_FROM " FROM customers c LEFT JOIN stores s ON s.id = c.home_store_id"

static int read_customer(struct db_stmt *st, int col, struct customer *o)
{
    o->id = db_col_int64(st, col);
    o->home_store_id = db_col_int64(st, col + 5);
    o->email_marketing.given = (int)db_col_int64(st, col + 7);
    o->email_marketing.at = db_col_int64(st, col + 8);
    o->phone_marketing.given = (int)db_col_int64(st, col + 10);
    o->phone_marketing.at = db_col_int64(st, col + 11);
    o->version = db_col_int64(st, col + 13);
    o->created_at = db_col_int64(st, col + 14);
    o->updated_at = db_col_int64(st, col + 15);
    o->erased_at = db_col_int64(st, col + 16);
    if (domain_copy(o->loyalty_number, sizeof o->loyalty_number, db_col_text(st, col + 1)) != TD_OK ||
        domain_copy(o->name, sizeof o->name, db_col_text(st, col + 2)) != TD_OK ||
        domain_copy(o->email, sizeof o->email, db_col_text(st, col + 3)) != TD_OK ||
        domain_copy(o->phone, sizeof o->phone, db_col_text(st, col + 4)) != TD_OK ||
        domain_copy(o->home_store_code, sizeof o->home_store_code, db_col_text(st, col + 6)) != TD_OK ||
        domain_copy(o->email_marketing.source, sizeof o->email_marketing.source, db_col_text(st, col + 9)) != TD_OK ||
        domain_copy(o->phone_marketing.source, sizeof o->phone_marketing.source, db_col_text(st, col + 12)) != TD_OK ||
        domain_copy(o->lang, sizeof o->lang, db_col_text(st, col + 17)) != TD_OK)
        return TD_E_INTERNAL;
    return TD_OK;
}

/* read_customer() of a row that starts with the columns, for db_get_read. */
static int read_customer_row(struct db_stmt *st, void *out) { return read_customer(st, 0, out); }

int customer_get(struct dctx *c, int64_t id, struct customer *out)
{
    return db_get_read(c->db, "SELECT " CUSTOMER_COLS CUSTOMER_FROM " WHERE c.id = ?", read_customer_row, out, "i", id);
}

int customer_get_by_loyalty(struct dctx *c, const char *loyalty, struct customer *out)
{
    return db_get_read(c->db, "SELECT " CUSTOMER_COLS CUSTOMER_FROM " WHERE c.loyalty_number = ?", read_customer_row, out, "t", loyalty);
}

int customer_update(struct dctx *c, int64_t id, const struct customer_input *in, int64_t if_version,
                    struct errors *err)
{
    struct customer cur;
    int rc = customer_get(c, id, &cur);
    if (rc != TD_OK) return rc;
    if (cur.erased_at) return TD_E_NOT_FOUND;
    if (if_version > 0 && cur.version != if_version) {
        errors_set_message(err, "the customer was changed by someone else (version %lld, you had %lld)",
                           (long long)cur.version, (long long)if_version);
        return TD_E_CONFLICT;
    }
    int64_t store_id;
    rc = validate(c, in, 0, err, &store_id);
    if (rc != TD_OK) return rc;
    const char *name = (in->set & CF_NAME) ? in->name : cur.name;
    const char *email = (in->set & CF_EMAIL) ? nz(in->email) : nz(cur.email);
    const char *phone = (in->set & CF_PHONE) ? nz(in->phone) : nz(cur.phone);
    const char *loyalty = (in->set & CF_LOYALTY) ? nz(in->loyalty_number) : nz(cur.loyalty_number);
    int64_t home = (in->set & CF_HOME_STORE) ? store_id : cur.home_store_id;
    const char *lang = lang_or(in, cur.lang);
    /* The version check is repeated in the UPDATE itself, so two writers
     * racing past the read above still cannot both win. */
    int64_t changed = 0;
    rc = db_run(c->db, "UPDATE customers SET name = ?, email = ?, phone = ?, loyalty_number = ?, home_store_id = ?,"
                       " lang = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?",
                &changed, "ttttntiii", name, email, phone, loyalty, home, lang, c->now_us, id, cur.version);
    if (rc == TD_OK && !changed) rc = TD_E_CONFLICT;
    else if (rc == TD_E_CONFLICT) errors_add(err, "loyalty_number", "another customer has this loyalty number");
    if (rc != TD_OK) return rc;
    if (in->set & (CF_NAME | CF_EMAIL | CF_PHONE | CF_LOYALTY))
        rc = customer_reindex(c->db, id, name, email, phone, loyalty);
    if (rc == TD_OK && (in->set & (CF_EMAIL | CF_PHONE))) rc = identity_set_customer(c, id, email, phone);
    if (rc == TD_OK && (in->set & CF_EMAIL_CONSENT)) rc = set_consent(c, id, 1, &in->email_marketing);
    if (rc == TD_OK && (in->set & CF_PHONE_CONSENT)) rc = set_consent(c, id, 0, &in->phone_marketing);
    return rc;
}

/* ---- search -------------------------------------------------------------- */

static int phone_like(const char *q)
{
    int digits = 0;
    for (const char *p = q; *p; p++) {
        if (*p >= '0' && *p <= '9') digits++;
        else if (!strchr(" +-()./", *p)) return 0;
    }
    return digits >= 2;
}

/* Digits of a phone query prefix in the stored (national) form. */
static void phone_prefix(const char *q, char *out, size_t n)
{
    char d[64];
    size_t k = 0;
    int plus = 0;
    for (const char *p = q; *p && k + 1 < sizeof d; p++) {
        if (*p >= '0' && *p <= '9') d[k++] = *p;
        else if (*p == '+' && k == 0) plus = 1;
    }
    d[k] = '\0';
    const char *intl = plus ? d : (k > 2 && d[0] == '0' && d[1] == '0') ? d + 2 : NULL;
    if (intl && strncmp(intl, "31", 2) == 0) {
        const char *rest = intl + 2;
        if (*rest == '0') rest++;
        snprintf(out, n, "0%s", rest);
    } else if (intl) {
        snprintf(out, n, "00%s", intl);
    } else {
        snprintf(out, n, "%s", d);
    }
}

struct query {
    char driver[TERM_MAX + 1];              /* prefix scanned in customer_search */
    char other[SEARCH_WORDS_MAX][TERM_MAX + 1]; /* the other words: each must start some term */
    int nlike;
};

/* Terms that start with prefix, counted up to cap (an index range scan that
 * stops early, so a common prefix costs no more than cap steps). */
static int count_terms(struct db *db, const char *prefix, int64_t cap, int64_t *n)
{
    char upper[TERM_MAX + 8];
    text_prefix_upper(prefix, upper, sizeof upper);
    return db_get_int64(db, "SELECT COUNT(*) FROM (SELECT 1 FROM customer_search WHERE term >= ? AND term < ? LIMIT ?) AS x",
                        n, "tti", prefix, upper, cap);
}

#define DRIVER_COUNT_CAP 20000

/* Turns what the associate typed into a driver prefix and filters. The
 * driver is the word with the fewest matching terms (counted with a falling
 * cap), so "jan de vries" scans the "vries" terms, not the "de" ones; a
 * cursor names the driver its page used (want), so pages stay consistent.
 * Returns TD_E_NOT_FOUND when nothing searchable is left. */
static int plan_query(struct db *db, const char *q, const char *want, struct query *out)
{
    memset(out, 0, sizeof *out);
    if (strchr(q, '@')) {
        snprintf(out->driver, sizeof out->driver, "%s", q);
        lower_ascii(out->driver);
        char *end = out->driver + strlen(out->driver);
        while (end > out->driver && end[-1] == ' ') *--end = '\0';
        return out->driver[0] ? TD_OK : TD_E_NOT_FOUND;
    }
    if (phone_like(q)) {
        phone_prefix(q, out->driver, sizeof out->driver);
        return out->driver[0] ? TD_OK : TD_E_NOT_FOUND;
    }
    if (strchr(q, '-') && strpbrk(q, "0123456789") && customer_loyalty_valid(q)) {
        /* A loyalty number as printed on the card ("NL-200001"): its term
         * is its letters and digits, one word. */
        loyalty_term(q, out->driver, sizeof out->driver);
        return TD_OK;
    }
    struct buf f;
    buf_init(&f, 1024);
    if (text_fold(q, &f) != TD_OK || !f.data || !f.data[0]) {
        buf_free(&f);
        return TD_E_NOT_FOUND;
    }
    char *words[SEARCH_WORDS_MAX];
    int nw = 0;
    for (char *p = f.data; *p && nw < SEARCH_WORDS_MAX;) {
        words[nw++] = p;
        char *sp = strchr(p, ' ');
        if (!sp) break;
        *sp = '\0';
        p = sp + 1;
    }
    int best = -1, rc = TD_OK;
    for (int i = 0; i < nw && want && *want; i++)
        if (strncmp(words[i], want, TERM_MAX) == 0) best = i;
    if (best < 0 && nw > 1) {
        int64_t cap = DRIVER_COUNT_CAP, best_n = INT64_MAX;
        for (int i = 0; i < nw && rc == TD_OK; i++) {
            int64_t n = 0;
            rc = count_terms(db, words[i], cap, &n);
            if (rc != TD_OK) break;
            if (n < best_n || (n == best_n && strlen(words[i]) > strlen(words[best]))) {
                best = i;
                best_n = n;
                cap = n + 1;
            }
        }
    }
    if (best < 0) best = 0;
    snprintf(out->driver, sizeof out->driver, "%.*s", TERM_MAX, words[best]);
    for (int i = 0; i < nw; i++)
        if (i != best) snprintf(out->other[out->nlike++], sizeof out->other[0], "%.*s", TERM_MAX, words[i]);
    buf_free(&f);
    return rc;
}

/* A cursor is "hex(driver).hex(term).customer_id": where the last page
 * stopped, and which word's terms it was scanning. */
static int unhex(const char *p, size_t hexlen, char *out, size_t n)
{
    if (hexlen % 2 || hexlen / 2 >= n) return TD_E_INVALID;
    for (size_t i = 0; i < hexlen; i += 2) {
        unsigned v;
        if (sscanf(p + i, "%2x", &v) != 1) return TD_E_INVALID;
        out[i / 2] = (char)v;
    }
    out[hexlen / 2] = '\0';
    return TD_OK;
}

static int decode_cursor(const char *cursor, char *driver, size_t dn, char *term, size_t n, int64_t *id)
{
    const char *dot1 = strchr(cursor, '.');
    const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
    if (!dot2) return TD_E_INVALID;
    if (unhex(cursor, (size_t)(dot1 - cursor), driver, dn) != TD_OK) return TD_E_INVALID;
    if (unhex(dot1 + 1, (size_t)(dot2 - dot1 - 1), term, n) != TD_OK) return TD_E_INVALID;
    return text_parse_int64(dot2 + 1, id);
}

static size_t put_hex(const char *s, char *out, size_t n)
{
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && k + 3 < n; p++, k += 2)
        snprintf(out + k, n - k, "%02x", *p);
    return k;
}

static void encode_cursor(const char *driver, const char *term, int64_t id, char *out, size_t n)
{
    size_t k = put_hex(driver, out, n);
    if (k + 2 < n) out[k++] = '.';
    k += put_hex(term, out + k, n - k);
    snprintf(out + k, n - k, ".%lld", (long long)id);
}

int customer_search(struct dctx *c, const char *q, int limit, const char *cursor,
                    int (*fn)(void *arg, const struct customer *cu), void *arg, char *next, size_t next_size)
{
    next[0] = '\0';
    char after_term[TERM_MAX * 2 + 8] = "", want[TERM_MAX * 2 + 8] = "";
    int64_t after_id = 0;
    if (cursor && *cursor && decode_cursor(cursor, want, sizeof want, after_term, sizeof after_term, &after_id) != TD_OK)
        return TD_E_INVALID;
    struct query plan;
    int prc = plan_query(c->db, q, want, &plan);
    if (prc == TD_E_NOT_FOUND) return TD_OK;
    if (prc != TD_OK) return prc;
    char upper[TERM_MAX + 8];
    text_prefix_upper(plan.driver, upper, sizeof upper);
    /* Scan the driver's terms from the cursor (or the prefix) in (term,
     * customer_id) order; each other word must start one of the same
     * customer's terms: a probe of the (customer_id, term) index, cheaper
     * than reading the customer row. It is written as a scalar subquery,
     * not EXISTS, so PostgreSQL keeps it a per-row probe instead of turning
     * it into a join that scans the other word's whole range. Only the
     * page's rows join the customers.
     * One fixed statement per number of other words; planned with the
     * prefixes bound (db_prepare_planned), since how common a prefix is
     * decides the plan. */
#define SEARCH_HEAD \
    "SELECT m.term, " CUSTOMER_COLS " FROM (SELECT t.term, t.customer_id FROM customer_search t" \
    " WHERE t.term >= ? AND t.term < ? AND (t.term > ? OR (t.term = ? AND t.customer_id > ?))"
#define SEARCH_ALSO \
    " AND (SELECT 1 FROM customer_search u WHERE u.customer_id = t.customer_id AND u.term >= ? AND u.term < ? LIMIT 1)" \
    " IS NOT NULL"
#define SEARCH_TAIL \
    " ORDER BY t.term, t.customer_id LIMIT ?) m JOIN customers c ON c.id = m.customer_id" \
    " LEFT JOIN stores s ON s.id = c.home_store_id ORDER BY m.term, m.customer_id"
    static const char *const sql[] = {
        SEARCH_HEAD SEARCH_TAIL,
        SEARCH_HEAD SEARCH_ALSO SEARCH_TAIL,
        SEARCH_HEAD SEARCH_ALSO SEARCH_ALSO SEARCH_TAIL,
        SEARCH_HEAD SEARCH_ALSO SEARCH_ALSO SEARCH_ALSO SEARCH_TAIL,
    };
    int nlike = plan.nlike > 3 ? 3 : plan.nlike;
    struct db_stmt *st = NULL;
    int rc = db_prepare_planned(c->db, sql[nlike], &st);
    if (rc != TD_OK) return rc;
    int i = 1;
    if ((rc = db_bind_text(st, i++, plan.driver)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, i++, upper)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, i++, after_term)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, i++, after_term)) != TD_OK) goto out;
    if ((rc = db_bind_int64(st, i++, after_id)) != TD_OK) goto out;
    for (int k = 0; k < nlike; k++) {
        char up[TERM_MAX + 8];
        text_prefix_upper(plan.other[k], up, sizeof up);
        if ((rc = db_bind_text(st, i++, plan.other[k])) != TD_OK) goto out;
        if ((rc = db_bind_text(st, i++, up)) != TD_OK) goto out;
    }
    if ((rc = db_bind_int64(st, i++, limit + 1)) != TD_OK) goto out;
    int64_t seen[101];
    int nseen = 0, emitted = 0;
    char last_term[TERM_MAX * 2 + 8] = "";
    int64_t last_id = 0;
    struct customer cu;
    while ((rc = db_step(st)) == TD_ROW) {
        if (emitted == limit) {
            encode_cursor(plan.driver, last_term, last_id, next, next_size);
            break;
        }
        snprintf(last_term, sizeof last_term, "%s", db_col_text(st, 0));
        if ((rc = read_customer(st, 1, &cu)) != TD_OK) break;
        last_id = cu.id;
        int dup = 0;
        for (int k = 0; k < nseen; k++)
            if (seen[k] == cu.id) dup = 1;
        emitted++;
        if (dup) continue;   /* one customer matching through two terms */
        if (nseen < 101) seen[nseen++] = cu.id;
        if ((rc = fn(arg, &cu)) != TD_OK) break;
    }
    if (rc == TD_ROW || rc == TD_DONE) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

int customer_consent_each(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct consent_event *e), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT channel, given, at, source FROM consent_events WHERE customer_id = ? ORDER BY at, id",
                      &st, "i", id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct consent_event e = { db_col_text(st, 0), (int)db_col_int64(st, 1), db_col_int64(st, 2), db_col_text(st, 3) };
        rc = fn(arg, &e);
    }
    return db_end(st, rc);
}

int customer_alive_locked(struct dctx *c, int64_t id, int *alive)
{
    int64_t v = 0;
    int rc = db_get_int64(c->db, db_backend(c->db) == DB_POSTGRES
                                     ? "SELECT erased_at IS NULL FROM customers WHERE id = ? FOR KEY SHARE"
                                     : "SELECT erased_at IS NULL FROM customers WHERE id = ?",
                          &v, "i", id);
    *alive = rc == TD_OK && v == 1;
    return rc == TD_E_NOT_FOUND ? TD_OK : rc;
}

int customer_erase(struct dctx *c, int64_t id)
{
    /* Held to the end: a case or credit note being linked to the customer
     * (customer_alive_locked) finishes first, so the steps below see it. */
    int64_t locked;
    int rc = db_backend(c->db) == DB_POSTGRES
                 ? db_get_int64(c->db, "SELECT id FROM customers WHERE id = ? FOR UPDATE", &locked, "i", id)
                 : TD_OK;
    if (rc != TD_OK) return rc;
    struct customer cur;
    rc = customer_get(c, id, &cur);
    if (rc != TD_OK) return rc;
    if (cur.erased_at) return TD_OK;   /* erasing twice is harmless */
    /* First what staff typed about the customer, while the rows still point
     * at the customer; and their identity keys, each counted out of the
     * accounts that share it. */
    if ((rc = redact_customer(c, &cur)) != TD_OK) return rc;
    /* The simulator's compact copy of the decisions redact_customer() just
     * redacted is dropped: those rows are replayed from the redacted
     * documents (desk_inputs_replay_each). */
    if ((rc = db_run(c->db, "UPDATE decision_replay SET customer_id = NULL, inputs = NULL WHERE customer_id = ?"
                            " OR case_id IN (SELECT id FROM cases WHERE customer_id = ?)", NULL, "ii", id, id)) != TD_OK)
        return rc;
    if ((rc = identity_set_customer(c, id, NULL, NULL)) != TD_OK) return rc;
    static const char *const steps[] = {
        "DELETE FROM customer_search WHERE customer_id = ?",
        "DELETE FROM consent_events WHERE customer_id = ?",
        "UPDATE purchase_lines SET customer_id = NULL WHERE receipt_id IN (SELECT id FROM receipts WHERE customer_id = ?)",
        "UPDATE receipts SET customer_id = NULL WHERE customer_id = ?",
        "UPDATE line_returns SET customer_id = NULL WHERE customer_id = ?",
        "UPDATE credit_notes SET customer_id = NULL WHERE customer_id = ?",
        /* Cases stay for the store's figures, without the customer's words. */
        "UPDATE cases SET customer_id = NULL, customer_words = '' WHERE customer_id = ?",
        "UPDATE referrals SET customer_id = NULL WHERE customer_id = ?",
        "UPDATE decision_inputs SET customer_id = NULL WHERE customer_id = ?",
        "DELETE FROM case_outcomes WHERE customer_id = ?",
        "DELETE FROM customer_facts WHERE customer_id = ?",
        "DELETE FROM customer_days WHERE customer_id = ?",
        "DELETE FROM customer_case_stores WHERE customer_id = ?",
        "DELETE FROM customer_item_stores WHERE customer_id = ?",
        "DELETE FROM customer_quick_returns WHERE customer_id = ?",
        "DELETE FROM demo_labels WHERE customer_id = ?",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0] && rc == TD_OK; i++) rc = db_run(c->db, steps[i], NULL, "i", id);
    /* The remembered answers last: unlinking the notes and cases above waited
     * for any request still at work on them (PostgreSQL), so its answer is
     * stored by now and is forgotten with the others. */
    if (rc == TD_OK) rc = idem_forget_customer(c, id);
    if (rc != TD_OK) return rc;
    rc = db_run(c->db, "UPDATE customers SET loyalty_number = NULL, name = NULL, email = NULL, phone = NULL,"
                       " home_store_id = NULL, email_consent = 0, email_consent_at = NULL, email_consent_source = NULL,"
                       " phone_consent = 0, phone_consent_at = NULL, phone_consent_source = NULL, search_text = NULL,"
                       " version = version + 1, updated_at = ?, erased_at = ? WHERE id = ?", NULL, "iii",
                c->now_us, c->now_us, id);
    if (rc != TD_OK) return rc;
    char subject[32];
    snprintf(subject, sizeof subject, "customer:%lld", (long long)id);
    return domain_audit(c, "customer.erase", subject, NULL);
}
