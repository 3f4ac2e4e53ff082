/* demo_write.c — the demo's rows into the database, up to 256 at a time.
 *
 * One multi-row INSERT per 256 rows (64 for the wide and the small tables)
 * saves most of SQLite's per-statement work (step, reset, clearing
 * bindings; docs/performance.md, row (a)). The statements are string
 * literals built by these macros, since the db layer caches statements by
 * their address. */
#include "sim/demo_gen.h"
#include "core/vec.h"
#include "db/db.h"
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define R4(s) s ", " s ", " s ", " s
#define R16(s) R4(s) ", " R4(s) ", " R4(s) ", " R4(s)
#define R64(s) R16(s) ", " R16(s) ", " R16(s) ", " R16(s)
#define R256(s) R64(s) ", " R64(s) ", " R64(s) ", " R64(s)

/* One column of a row struct and how it binds (text without a copy: the
 * rows stay put until their statement has run):
 *   'i' an int64_t;  'n' an int64_t that binds NULL when 0 (ids and times
 *   are never 0 here);  'p' a const char * (NULL binds NULL);  's' a char
 *   array that binds NULL when empty;  'a' a char array, always text. */
struct col { char type; size_t off; };
#define COL(t, row, f) {t, offsetof(struct row, f)}

/* A table's INSERT of one row, of 16 rows and of `per` rows, and its columns. */
struct table {
    const char *one, *sixteen, *many;
    int per, ncols;
    size_t row_size;
    const struct col *cols;
};
#define TABLE(row, ins, v, per, ...)                                                                          \
    {ins v, ins R16(v), ins R##per(v), per,                                                                   \
     (int)(sizeof((const struct col[]){__VA_ARGS__}) / sizeof(struct col)), sizeof(struct row),              \
     (const struct col[]){__VA_ARGS__}}

static const struct table T_CUSTOMERS = TABLE(customer_row,
    "INSERT INTO customers (id, loyalty_number, name, email, phone, home_store_id, email_consent, email_consent_at,"
    " email_consent_source, phone_consent, phone_consent_at, phone_consent_source, search_text, created_at,"
    " updated_at, lang) VALUES ", "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", 64,
    COL('i', customer_row, id), COL('s', customer_row, loyalty), COL('a', customer_row, name),
    COL('s', customer_row, email), COL('s', customer_row, phone), COL('n', customer_row, home_store_id),
    COL('i', customer_row, email_consent), COL('n', customer_row, email_consent_at),
    COL('p', customer_row, email_source), COL('i', customer_row, phone_consent),
    COL('n', customer_row, phone_consent_at), COL('p', customer_row, phone_source),
    COL('s', customer_row, search_text), COL('i', customer_row, created_at), COL('i', customer_row, created_at),
    COL('p', customer_row, lang));
static const struct table T_CONSENTS = TABLE(consent_row,
    "INSERT INTO consent_events (customer_id, channel, given, at, source) VALUES ", "(?, ?, ?, ?, ?)", 256,
    COL('i', consent_row, customer_id), COL('p', consent_row, channel), COL('i', consent_row, given),
    COL('i', consent_row, at), COL('p', consent_row, source));
static const struct table T_RECEIPTS = TABLE(receipt_row,
    "INSERT INTO receipts (id, receipt_ref, store_id, customer_id, purchased_at) VALUES ", "(?, ?, ?, ?, ?)", 256,
    COL('i', receipt_row, id), COL('a', receipt_row, ref), COL('i', receipt_row, store_id),
    COL('n', receipt_row, customer_id), COL('i', receipt_row, at));
static const struct table T_LINES = TABLE(line_row,
    "INSERT INTO purchase_lines (receipt_id, line_no, customer_id, product_id, unit_price_cents, quantity) VALUES ",
    "(?, ?, ?, ?, ?, ?)", 256, COL('i', line_row, receipt_id), COL('i', line_row, line_no),
    COL('n', line_row, customer_id), COL('i', line_row, product_id), COL('i', line_row, price), COL('i', line_row, qty));
static const struct table T_TERMS = TABLE(term, "INSERT INTO customer_search (term, customer_id) VALUES ", "(?, ?)", 256,
    COL('p', term, text), COL('i', term, customer_id));
static const struct table T_KEYS = TABLE(key_row, "INSERT INTO customer_keys (key, customer_id, shared) VALUES ",
    "(?, ?, ?)", 256, COL('a', key_row, key), COL('i', key_row, customer_id), COL('i', key_row, shared));
static const struct table T_FACTS = TABLE(facts_row,
    "INSERT INTO customer_facts (customer_id, lifetime_spend_cents, visits, first_seen_at, last_purchase_at) VALUES ",
    "(?, ?, ?, ?, ?)", 256, COL('i', facts_row, customer_id), COL('i', facts_row, spend),
    COL('i', facts_row, visits), COL('i', facts_row, first), COL('i', facts_row, last));
/* customer_days and product_price_days rows have one shape: (id, day, count). */
#define DAY_COLS COL('i', day_row, customer_id), COL('i', day_row, day), COL('i', day_row, purchases)
static const struct table T_DAYS = TABLE(day_row,
    "INSERT INTO customer_days (customer_id, day, purchases) VALUES ", "(?, ?, ?)", 256, DAY_COLS);
static const struct table T_PRICES = TABLE(day_row,
    "INSERT INTO product_price_days (product_id, day, min_cents) VALUES ", "(?, ?, ?)", 64, DAY_COLS);

/* Clienteling's rows (demo_profile.c, demo_catalogue.c). */
static const struct table T_BOOKS = TABLE(book_row,
    "INSERT INTO customer_associates (customer_id, store_id, staff_id, second_id, updated_at) VALUES ",
    "(?, ?, ?, ?, ?)", 64, COL('i', book_row, customer_id), COL('i', book_row, store_id),
    COL('n', book_row, staff_id), COL('n', book_row, second_id), COL('i', book_row, at));
static const struct table T_SPEND = TABLE(spend_row,
    "INSERT INTO customer_category_spend (customer_id, category, spend_cents, lines, last_at, last_size, last_size_at)"
    " VALUES ", "(?, ?, ?, ?, ?, ?, ?)", 256, COL('i', spend_row, customer_id), COL('p', spend_row, category),
    COL('i', spend_row, spend), COL('i', spend_row, lines), COL('i', spend_row, last_at),
    COL('p', spend_row, last_size), COL('n', spend_row, last_size_at));
static const struct table T_SIZES = TABLE(size_row,
    "INSERT INTO customer_sizes (customer_id, category, size, source, updated_at) VALUES ", "(?, ?, ?, ?, ?)", 64,
    COL('i', size_row, customer_id), COL('p', size_row, category), COL('p', size_row, size),
    COL('p', size_row, source), COL('i', size_row, at));
static const struct table T_PREFS = TABLE(pref_row,
    "INSERT INTO customer_prefs (customer_id, kind, value, sentiment, updated_at) VALUES ", "(?, ?, ?, ?, ?)", 256,
    COL('i', pref_row, customer_id), COL('p', pref_row, kind), COL('p', pref_row, value),
    COL('i', pref_row, sentiment), COL('i', pref_row, at));
static const struct table T_DATES = TABLE(date_row,
    "INSERT INTO customer_dates (id, customer_id, kind, month, day, label) VALUES ", "(?, ?, ?, ?, ?, ?)", 64,
    COL('i', date_row, id), COL('i', date_row, customer_id), COL('p', date_row, kind), COL('i', date_row, month),
    COL('i', date_row, day), COL('p', date_row, label));
static const struct table T_NOTES = TABLE(note_row,
    "INSERT INTO customer_notes (id, customer_id, staff_id, at, text) VALUES ", "(?, ?, ?, ?, ?)", 64,
    COL('i', note_row, id), COL('i', note_row, customer_id), COL('n', note_row, staff_id), COL('i', note_row, at),
    COL('p', note_row, text));
static const struct table T_OBJECTIONS = TABLE(objection_row,
    "INSERT INTO customer_objections (customer_id, at, source) VALUES ", "(?, ?, ?)", 64,
    COL('i', objection_row, customer_id), COL('i', objection_row, at), COL('p', objection_row, source));
static const struct table T_STOCK = TABLE(stock_row,
    "INSERT INTO stock (store_id, product_id, on_hand, held, updated_at) VALUES ", "(?, ?, ?, 0, ?)", 64,
    COL('i', stock_row, store_id), COL('i', stock_row, product_id), COL('i', stock_row, on_hand),
    COL('i', stock_row, at));

/* Binds the columns of one row from parameter `first` on. */
static int bind_row(struct db_stmt *st, int first, const struct table *t, const char *row)
{
    int rc = TD_OK;
    for (int k = 0; k < t->ncols && rc == TD_OK; k++) {
        const char *f = row + t->cols[k].off;
        int64_t v = 0;
        switch (t->cols[k].type) {
        case 'i':
        case 'n':
            memcpy(&v, f, sizeof v);
            rc = v || t->cols[k].type == 'i' ? db_bind_int64(st, first + k, v) : db_bind_null(st, first + k);
            break;
        case 'p': {
            const char *s;
            memcpy(&s, f, sizeof s);
            rc = db_bind_text_static(st, first + k, s);
            break;
        }
        case 's': rc = db_bind_text_static(st, first + k, *f ? f : NULL); break;
        default: rc = db_bind_text_static(st, first + k, f); break;
        }
    }
    return rc;
}

static int step_done(struct db_stmt *st)
{
    int rc = db_step(st);
    return rc == TD_DONE ? TD_OK : rc == TD_OK || rc == TD_ROW ? TD_E_INTERNAL : rc;
}

/* Inserts n rows: full groups of t->per through the multi-row statement,
 * the rest 16 and then one at a time (a chunk's last rows of a table). */
static int write_rows(struct db *db, const struct table *t, const void *rows, size_t n)
{
    int rc = TD_OK;
    const char *p = rows;
    for (size_t i = 0; i < n && rc == TD_OK;) {
        int k = n - i >= (size_t)t->per ? t->per : n - i >= 16 ? 16 : 1;
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, k == t->per ? t->many : k == 16 ? t->sixteen : t->one, &st)) != TD_OK) break;
        for (int j = 0; j < k && rc == TD_OK; j++, i++) rc = bind_row(st, j * t->ncols + 1, t, p + i * t->row_size);
        if (rc == TD_OK) rc = step_done(st);
        db_done(st);
    }
    return rc;
}

int demo__write_chunk(struct gen *g, const struct chunk *c)
{
    int rc = write_rows(g->db, &T_CUSTOMERS, c->customers, c->ncustomers);
    if (rc == TD_OK) rc = write_rows(g->db, &T_CONSENTS, c->consents, c->nconsents);
    if (rc == TD_OK) rc = write_rows(g->db, &T_RECEIPTS, c->receipts, c->nreceipts);
    if (rc == TD_OK) rc = write_rows(g->db, &T_LINES, c->lines, c->nlines);
    if (rc == TD_OK) rc = write_rows(g->db, &T_FACTS, c->facts, c->ncustomers);
    if (rc == TD_OK) rc = write_rows(g->db, &T_DAYS, c->days, c->ndays);
    if (rc == TD_OK) rc = write_rows(g->db, &T_BOOKS, c->books.v, c->books.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_SPEND, c->spend.v, c->spend.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_SIZES, c->sizes.v, c->sizes.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_PREFS, c->prefs.v, c->prefs.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_DATES, c->dates.v, c->dates.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_NOTES, c->notes.v, c->notes.n);
    if (rc == TD_OK) rc = write_rows(g->db, &T_OBJECTIONS, c->objections.v, c->objections.n);
    return rc;
}

int demo__write_stock(struct gen *g, const struct stock_row *rows, size_t n)
{
    return write_rows(g->db, &T_STOCK, rows, n);
}

/* PostgreSQL's identity sequences do not follow explicit ids: move them
 * past the rows written here (SQLite needs nothing). */
int demo__sync_ids(struct gen *g)
{
    static const char *const tables[] = {"products", "customers", "receipts", "customer_dates", "customer_notes"};
    int rc = TD_OK;
    for (size_t i = 0; i < COUNT(tables) && rc == TD_OK; i++) rc = db_sync_ids(g->db, tables[i]);
    return rc;
}

/* Inserts rows sorted by the primary key of table, so that key grows at
 * its end instead of at random places. The table's other indexes would then
 * be fed at random: they are dropped for the load and built again
 * afterwards (one sort; 3x faster in a measurement). what, when not NULL,
 * names the rows in progress reports, every 64 Ki rows. */
static int write_sorted(struct gen *g, const char *table, const struct table *t, const void *rows, size_t n,
                        const char *what)
{
    struct db_index_set *deferred = NULL;
    int rc = db_index_drop(g->db, table, &deferred);
    const size_t step = 64 * 1024;
    for (size_t i = 0; i < n && rc == TD_OK; i += step) {
        size_t k = n - i < step ? n - i : step;
        rc = write_rows(g->db, t, (const char *)rows + i * t->row_size, k);
        if (what && g->cfg->progress) g->cfg->progress(g->cfg->progress_arg, what, (long long)(i + k), (long long)n);
    }
    if (rc == TD_OK) {
        rc = db_index_restore(g->db, deferred);   /* frees the set */
        deferred = NULL;
    }
    db_index_free(deferred);
    return rc;
}

/* The search terms, (term, customer_id) sorted. */
int demo__write_terms(struct gen *g)
{
    return write_sorted(g, "customer_search", &T_TERMS, g->term_list, g->nterms, "search terms");
}

/* The identity keys, (key, customer_id) sorted. */
int demo__write_keys(struct gen *g)
{
    return write_sorted(g, "customer_keys", &T_KEYS, g->key_list, g->nkeys, NULL);
}

/* The chain-wide aggregates the producer counted: lowest prices per product
 * and day, purchases per category and day. (customer_facts and
 * customer_days went in with each chunk.) */
int demo__write_chain_facts(struct gen *g)
{
    struct day_row *rows = malloc(65536 * sizeof *rows);
    if (!rows) return TD_E_NOMEM;
    int rc = TD_OK;
    size_t n = 0;
    for (int64_t p = 0; p < g->nproducts && rc == TD_OK; p++) {
        for (int64_t d = 0; d < g->nprice_days && rc == TD_OK; d++) {
            int64_t m = g->price_min[p * g->nprice_days + d];
            if (!m) continue;
            rows[n++] = (struct day_row){p + 1, g->price_day0 + d, m};
            if (n == 65536) {
                rc = write_rows(g->db, &T_PRICES, rows, n);
                n = 0;
            }
        }
    }
    if (rc == TD_OK) rc = write_rows(g->db, &T_PRICES, rows, n);
    free(rows);
    for (int k = 0; k < NCATEGORIES && rc == TD_OK; k++)
        for (int64_t d = 0; d < g->ncat_days && rc == TD_OK; d++)
            if (g->cat_days[k * g->ncat_days + d])
                rc = db_run(g->db, "INSERT INTO category_days (category, day, purchases) VALUES (?, ?, ?)", NULL, "tii",
                            demo_categories[k], g->cat_day0 + d, g->cat_days[k * g->ncat_days + d]);
    return rc;
}

void *demo__push(struct rowset *s, size_t size)
{
    if (demo__grow(&s->v, &s->cap, s->n, size) != TD_OK) return NULL;
    void *row = (char *)s->v + s->n++ * size;
    memset(row, 0, size);
    return row;
}

/* Makes room for one more element in a growing array (vec_grow, from 4096). */
int demo__grow(void **items, size_t *cap, size_t n, size_t size)
{
    return vec_grow(items, cap, n, size, 4096);
}
