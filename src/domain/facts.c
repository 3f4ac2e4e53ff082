/* facts.c — customer aggregates (see facts.h).
 *
 * All upserts are INSERT ... ON CONFLICT DO UPDATE, which SQLite and
 * PostgreSQL both speak; a smaller-of-two is a CASE, since the two spell
 * MIN/LEAST differently.
 *
 * The guard's signals are a tally over one person (identity.h): every
 * account's per-day counts are summed, and stores and (item, store) pairs
 * are collected apart so that two accounts at one store count one store.
 * The one read of purchase lines (category_purchases) is made only for a
 * category with FACTS_QUICK_READ_MIN quick returns.
 */
#include "domain/facts.h"
#include "domain/events.h"
#include "core/buf.h"
#include "core/strmap.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/identity.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Returns per 1000 purchases that a category starts from until the chain
 * has history of its own: typical shares of in-store purchases that come
 * back, highest for clothes (sizes; children outgrow theirs) and lowest for
 * beauty (opened goods seldom come back). Names are matched as written,
 * ignoring case; any other category starts from FACTS_PRIOR_DEFAULT. Each
 * prior weighs as much as FACTS_PRIOR_WEIGHT purchases that showed it, so
 * a category's own figures take over within days in a chain, and weeks in
 * a single shop. docs/policy.md lists them. */
#define CATEGORY_PRIORS(X)                                                                                             \
    X("dames", 120)                                                                                                    \
    X("heren", 100)                                                                                                    \
    X("kinderen", 150)                                                                                                 \
    X("wonen", 60)                                                                                                     \
    X("keuken", 50)                                                                                                    \
    X("elektra", 80)                                                                                                   \
    X("beauty", 30)                                                                                                    \
    X("sport", 80)

static const struct { const char *category; int permille; } PRIORS[] = {
#define PRIOR_ROW(name, permille) {name, permille},
    CATEGORY_PRIORS(PRIOR_ROW)
#undef PRIOR_ROW
};

static int64_t day_of(int64_t us)
{
    return us / FACTS_DAY_US;
}

enum policy_tier facts_tier(int has_loyalty_card, int64_t spend)
{
    if (!has_loyalty_card) return POLICY_TIER_NONE;
    if (spend >= FACTS_PLATINUM_CENTS) return POLICY_TIER_PLATINUM;
    if (spend >= FACTS_GOLD_CENTS) return POLICY_TIER_GOLD;
    if (spend >= FACTS_SILVER_CENTS) return POLICY_TIER_SILVER;
    return POLICY_TIER_BRONZE;
}

int facts_add_receipts(struct db *db, int64_t first_id, int64_t last_id, int64_t now_us)
{
    if (first_id <= 0 || last_id < first_id) return TD_OK;
    int rc = db_run(db,
                    "INSERT INTO customer_facts (customer_id, lifetime_spend_cents, visits, first_seen_at, last_purchase_at)"
                    " SELECT r.customer_id, SUM(l.unit_price_cents * l.quantity), COUNT(DISTINCT r.id),"
                    " MIN(r.purchased_at), MAX(r.purchased_at)"
                    " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                    " WHERE r.id BETWEEN ? AND ? AND r.customer_id IS NOT NULL GROUP BY r.customer_id"
                    " ON CONFLICT (customer_id) DO UPDATE SET"
                    " lifetime_spend_cents = customer_facts.lifetime_spend_cents + excluded.lifetime_spend_cents,"
                    " visits = customer_facts.visits + excluded.visits,"
                    " first_seen_at = CASE WHEN customer_facts.first_seen_at IS NULL"
                    "   OR excluded.first_seen_at < customer_facts.first_seen_at"
                    "   THEN excluded.first_seen_at ELSE customer_facts.first_seen_at END,"
                    " last_purchase_at = CASE WHEN customer_facts.last_purchase_at IS NULL"
                    "   OR excluded.last_purchase_at > customer_facts.last_purchase_at"
                    "   THEN excluded.last_purchase_at ELSE customer_facts.last_purchase_at END",
                    NULL, "ii", first_id, last_id);
    if (rc != TD_OK) return rc;
    /* The batch's purchases per day into each daily aggregate, from as far
     * back as that aggregate looks (an older purchase would not count). */
    static const struct { const char *sql; int64_t keep_days; } daily[] = {
        {"INSERT INTO customer_days (customer_id, day, purchases)"
         " SELECT r.customer_id, r.purchased_at / 86400000000, SUM(l.quantity)"
         " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
         " WHERE r.id BETWEEN ? AND ? AND r.customer_id IS NOT NULL AND r.purchased_at >= ?"
         " GROUP BY r.customer_id, r.purchased_at / 86400000000"
         " ON CONFLICT (customer_id, day) DO UPDATE SET purchases = customer_days.purchases + excluded.purchases",
         FACTS_PURCHASE_WINDOW_DAYS},
        {"INSERT INTO product_price_days (product_id, day, min_cents)"
         " SELECT l.product_id, r.purchased_at / 86400000000, MIN(l.unit_price_cents)"
         " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
         " WHERE r.id BETWEEN ? AND ? AND r.purchased_at >= ?"
         " GROUP BY l.product_id, r.purchased_at / 86400000000"
         " ON CONFLICT (product_id, day) DO UPDATE SET min_cents = CASE"
         "   WHEN excluded.min_cents < product_price_days.min_cents THEN excluded.min_cents"
         "   ELSE product_price_days.min_cents END",
         FACTS_PRICE_KEEP_DAYS},
        {"INSERT INTO category_days (category, day, purchases)"
         " SELECT p.category, r.purchased_at / 86400000000, SUM(l.quantity)"
         " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
         " WHERE r.id BETWEEN ? AND ? AND r.purchased_at >= ?"
         " GROUP BY p.category, r.purchased_at / 86400000000"
         " ON CONFLICT (category, day) DO UPDATE SET purchases = category_days.purchases + excluded.purchases",
         FACTS_KEEP_DAYS},
    };
    int64_t today = day_of(now_us);
    for (size_t i = 0; rc == TD_OK && i < sizeof daily / sizeof daily[0]; i++)
        rc = db_run(db, daily[i].sql, NULL, "iii", first_id, last_id, (today - daily[i].keep_days) * FACTS_DAY_US);
    return rc;
}

/* ---- an import's purchases, counted in memory --------------------------- */

/* A row being counted: customer_facts (id, spend, visits, first, last),
 * customer_days and product_price_days (id, day, n), category_days
 * (category, day, n). The map's key is the row's key; its value the row. */
struct count_row {
    int64_t id, day, n, visits, first, last;
    const char *category;
};

/* The row of (id, day, category) in m, zeroed with its key when new. */
static int count_row(struct strmap *m, int64_t id, int64_t day, const char *category, struct count_row **out)
{
    char key[16 + 4 * NAME_MAX_CHARS];
    size_t len = 16, n = category ? strlen(category) : 0;
    if (n > sizeof key - len) return TD_E_INTERNAL;   /* the import keeps a category to NAME_MAX_CHARS */
    memcpy(key, &id, 8);
    memcpy(key + 8, &day, 8);
    memcpy(key + 16, category ? category : "", n);
    void *slot;
    int added;
    int rc = strmap_put(m, key, len + n, &slot, &added);
    if (rc != TD_OK) return rc;
    *out = slot;
    if (added) **out = (struct count_row){.id = id, .day = day, .category = category};
    return TD_OK;
}

static int count_cmp(const void *x, const void *y)
{
    const struct count_row *a = *(const struct count_row *const *)x, *b = *(const struct count_row *const *)y;
    int k = a->category && b->category ? strcmp(a->category, b->category) : 0;
    if (k) return k;
    if (a->id != b->id) return a->id < b->id ? -1 : 1;
    return (a->day > b->day) - (a->day < b->day);
}

/* Binds row i of customer_facts: id, spend, visits, first, last. */
static int bind_facts(struct db_stmt *st, int k, size_t i, void *arg)
{
    const struct count_row *r = ((struct count_row *const *)arg)[i];
    int rc = db_bind_int64(st, k, r->id);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 1, r->n);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 2, r->visits);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 3, r->first);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 4, r->last);
    return rc;
}

/* Binds row i of a daily aggregate: the id (or the category), day, n. */
static int bind_day(struct db_stmt *st, int k, size_t i, void *arg)
{
    const struct count_row *r = ((struct count_row *const *)arg)[i];
    int rc = r->category ? db_bind_text_static(st, k, r->category) : db_bind_int64(st, k, r->id);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 1, r->day);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 2, r->n);
    return rc;
}

/* Writes the rows of m, in key order (each next to the one before in the
 * table's primary key), through the statements one and many (DB_ROWS256). */
static int write_counts(struct db *db, struct strmap *m, const char *one, const char *many, int ncols,
                        int (*bind)(struct db_stmt *, int, size_t, void *))
{
    struct count_row **rows = NULL;
    int rc = strmap_values(m, (void ***)&rows);
    size_t n = rc == TD_OK ? strmap_count(m) : 0;
    if (n) qsort(rows, n, sizeof *rows, count_cmp);
    if (rc == TD_OK) rc = db_write_rows(db, one, many, 256, ncols, n, bind, rows);
    free(rows);
    return rc;
}

#define FACTS_ROW "(?, ?, ?, ?, ?)"
#define FACTS_INSERT "INSERT INTO customer_facts (customer_id, lifetime_spend_cents, visits, first_seen_at, last_purchase_at) VALUES "
#define FACTS_UPSERT                                                                                                  \
    " ON CONFLICT (customer_id) DO UPDATE SET"                                                                        \
    " lifetime_spend_cents = customer_facts.lifetime_spend_cents + excluded.lifetime_spend_cents,"                    \
    " visits = customer_facts.visits + excluded.visits,"                                                              \
    " first_seen_at = CASE WHEN customer_facts.first_seen_at IS NULL"                                                 \
    "   OR excluded.first_seen_at < customer_facts.first_seen_at"                                                     \
    "   THEN excluded.first_seen_at ELSE customer_facts.first_seen_at END,"                                           \
    " last_purchase_at = CASE WHEN customer_facts.last_purchase_at IS NULL"                                           \
    "   OR excluded.last_purchase_at > customer_facts.last_purchase_at"                                               \
    "   THEN excluded.last_purchase_at ELSE customer_facts.last_purchase_at END"
#define DAYS_INSERT "INSERT INTO customer_days (customer_id, day, purchases) VALUES "
#define DAYS_UPSERT " ON CONFLICT (customer_id, day) DO UPDATE SET purchases = customer_days.purchases + excluded.purchases"
#define PRICES_INSERT "INSERT INTO product_price_days (product_id, day, min_cents) VALUES "
#define PRICES_UPSERT                                                                                                 \
    " ON CONFLICT (product_id, day) DO UPDATE SET min_cents = excluded.min_cents"                                     \
    " WHERE excluded.min_cents < product_price_days.min_cents"   /* a row that keeps its price is not written */
#define CATS_INSERT "INSERT INTO category_days (category, day, purchases) VALUES "
#define CATS_UPSERT " ON CONFLICT (category, day) DO UPDATE SET purchases = category_days.purchases + excluded.purchases"
#define DAY_ROW "(?, ?, ?)"

/* The four aggregates facts_add_purchases() keeps, in the order of its maps:
 * the statement for one row and for DB_ROWS256 of them, the columns a row
 * binds, and its binder. */
#define COUNTS(insert, row, upsert, ncols, bind) {insert row upsert, insert DB_ROWS256(row) upsert, ncols, bind}
static const struct counts_sql {
    const char *one, *many;
    int ncols;
    int (*bind)(struct db_stmt *, int, size_t, void *);
} COUNTS_SQL[4] = {
    COUNTS(FACTS_INSERT, FACTS_ROW, FACTS_UPSERT, 5, bind_facts),
    COUNTS(DAYS_INSERT, DAY_ROW, DAYS_UPSERT, 3, bind_day),
    COUNTS(PRICES_INSERT, DAY_ROW, PRICES_UPSERT, 3, bind_day),
    COUNTS(CATS_INSERT, DAY_ROW, CATS_UPSERT, 3, bind_day),
};

int facts_add_purchases(struct dctx *c, const struct event_purchases *p)
{
    struct strmap *maps[4] = {NULL, NULL, NULL, NULL};   /* customers, customer days, product days, category days */
    int rc = TD_OK;
    for (int i = 0; i < 4 && rc == TD_OK; i++) rc = strmap_new(sizeof(struct count_row), 1u << 30, &maps[i]);
    int64_t today = day_of(c->now_us);
    int64_t from_days = (today - FACTS_PURCHASE_WINDOW_DAYS) * FACTS_DAY_US;
    int64_t from_prices = (today - FACTS_PRICE_KEEP_DAYS) * FACTS_DAY_US;
    int64_t from_cats = (today - FACTS_KEEP_DAYS) * FACTS_DAY_US;
    struct count_row *row;
    /* Per receipt first (one customer, one day): its spend and units. */
    int64_t (*sums)[2] = p->nreceipts ? calloc(p->nreceipts, sizeof *sums) : NULL;
    if (p->nreceipts && !sums) rc = TD_E_NOMEM;
    for (size_t i = 0; i < p->nlines && rc == TD_OK; i++) {
        const struct event_line *l = &p->lines[i];
        const struct event_receipt *r = &p->receipts[l->receipt];
        const struct event_product *pr = &p->products[l->product];
        int64_t day = r->at / FACTS_DAY_US;
        sums[l->receipt][0] += l->cents * l->quantity;
        sums[l->receipt][1] += l->quantity;
        if (r->at >= from_prices && (rc = count_row(maps[2], pr->id, day, NULL, &row)) == TD_OK &&
            (!row->visits || l->cents < row->n)) {
            row->n = l->cents;   /* the lowest price of the day */
            row->visits = 1;     /* n holds a price */
        }
        if (rc == TD_OK && r->at >= from_cats && (rc = count_row(maps[3], 0, day, pr->category, &row)) == TD_OK)
            row->n += l->quantity;
    }
    /* A customer's spend, visits, first and last purchase, and units per day. */
    for (size_t i = 0; i < p->nreceipts && rc == TD_OK; i++) {
        const struct event_receipt *r = &p->receipts[i];
        if (!r->customer_id || (rc = count_row(maps[0], r->customer_id, 0, NULL, &row)) != TD_OK) continue;
        if (!row->visits++ || r->at < row->first) row->first = r->at;
        if (row->visits == 1 || r->at > row->last) row->last = r->at;
        row->n += sums[i][0];
        if (r->at >= from_days && (rc = count_row(maps[1], r->customer_id, r->at / FACTS_DAY_US, NULL, &row)) == TD_OK)
            row->n += sums[i][1];
    }
    free(sums);
    for (int i = 0; i < 4 && rc == TD_OK; i++) {
        const struct counts_sql *q = &COUNTS_SQL[i];
        rc = write_counts(c->db, maps[i], q->one, q->many, q->ncols, q->bind);
    }
    for (int i = 0; i < 4; i++) strmap_free(maps[i]);
    return rc;
}

int facts_add_case(struct dctx *c, const struct facts_case *fc)
{
    int rc = TD_OK;
    if (fc->is_return) {
        for (int i = 0; i < fc->n_products && rc == TD_OK; i++) {
            if (!fc->categories[i]) continue;
            rc = db_run(c->db,
                        "INSERT INTO category_days (category, day, returns) VALUES (?, ?, 1)"
                        " ON CONFLICT (category, day) DO UPDATE SET returns = category_days.returns + 1",
                        NULL, "ti", fc->categories[i], day_of(c->now_us));
        }
    }
    if (rc != TD_OK || !fc->customer_id) return rc;
    int64_t returned = fc->is_return ? fc->items_returned : 0;
    rc = db_run(c->db,
                "INSERT INTO customer_facts (customer_id, cases, returns, first_seen_at) VALUES (?, 1, ?, ?)"
                " ON CONFLICT (customer_id) DO UPDATE SET cases = customer_facts.cases + 1,"
                " returns = customer_facts.returns + excluded.returns",
                NULL, "iii", fc->customer_id, returned, c->now_us);
    if (rc != TD_OK) return rc;
    rc = db_run(c->db,
                "INSERT INTO customer_days (customer_id, day, cases, returns, no_receipt_returns, not_sold_here, worn_soon,"
                " spent_lines) VALUES (?, ?, 1, ?, ?, ?, ?, ?)"
                " ON CONFLICT (customer_id, day) DO UPDATE SET cases = customer_days.cases + 1,"
                " returns = customer_days.returns + excluded.returns,"
                " no_receipt_returns = customer_days.no_receipt_returns + excluded.no_receipt_returns,"
                " not_sold_here = customer_days.not_sold_here + excluded.not_sold_here,"
                " worn_soon = customer_days.worn_soon + excluded.worn_soon,"
                " spent_lines = customer_days.spent_lines + excluded.spent_lines",
                NULL, "iiiiiii", fc->customer_id, day_of(c->now_us), returned,
                (int64_t)(fc->is_return && fc->no_receipt), (int64_t)fc->not_sold_here, (int64_t)fc->worn_soon,
                (int64_t)fc->spent_lines);
    if (rc != TD_OK) return rc;
    rc = db_run(c->db,
                "INSERT INTO customer_case_stores (customer_id, store_id, last_case_at) VALUES (?, ?, ?)"
                " ON CONFLICT (customer_id, store_id) DO UPDATE SET last_case_at = excluded.last_case_at",
                NULL, "iii", fc->customer_id, fc->store_id, c->now_us);
    for (int i = 0; fc->is_return && i < fc->n_products && rc == TD_OK; i++)
        rc = db_run(c->db,
                    "INSERT INTO customer_item_stores (customer_id, item, store_id, last_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (customer_id, item, store_id) DO UPDATE SET last_at = excluded.last_at",
                    NULL, "itii", fc->customer_id, fc->items[i], fc->store_id, c->now_us);
    for (int i = 0; i < fc->n_quick && rc == TD_OK; i++)
        rc = db_run(c->db,
                    "INSERT INTO customer_quick_returns (customer_id, at, case_id, item_no, category, style, whole)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", NULL, "iiiitti", fc->customer_id, c->now_us, fc->case_id,
                    (int64_t)fc->quick[i].item_no, fc->quick[i].category, fc->quick[i].style, (int64_t)fc->quick[i].whole);
    return rc;
}

int facts_add_walk_in(struct dctx *c, const char *key, const struct facts_case *fc)
{
    int64_t returned = fc->is_return ? fc->items_returned : 0;
    int rc = db_run(c->db,
                    "INSERT INTO walk_in_days (key, day, cases, returns, no_receipt_returns, not_sold_here, worn_soon)"
                    " VALUES (?, ?, 1, ?, ?, ?, ?)"
                    " ON CONFLICT (key, day) DO UPDATE SET cases = walk_in_days.cases + 1,"
                    " returns = walk_in_days.returns + excluded.returns,"
                    " no_receipt_returns = walk_in_days.no_receipt_returns + excluded.no_receipt_returns,"
                    " not_sold_here = walk_in_days.not_sold_here + excluded.not_sold_here,"
                    " worn_soon = walk_in_days.worn_soon + excluded.worn_soon",
                    NULL, "tiiiii", key, day_of(c->now_us), returned, (int64_t)(fc->is_return && fc->no_receipt),
                    (int64_t)fc->not_sold_here, (int64_t)fc->worn_soon);
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "INSERT INTO walk_in_case_stores (key, store_id, last_case_at) VALUES (?, ?, ?)"
                    " ON CONFLICT (key, store_id) DO UPDATE SET last_case_at = excluded.last_case_at",
                    NULL, "tii", key, fc->store_id, c->now_us);
    for (int i = 0; fc->is_return && i < fc->n_products && rc == TD_OK; i++)
        rc = db_run(c->db,
                    "INSERT INTO walk_in_item_stores (key, item, store_id, last_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (key, item, store_id) DO UPDATE SET last_at = excluded.last_at",
                    NULL, "ttii", key, fc->items[i], fc->store_id, c->now_us);
    return rc;
}

void facts_item_key(int64_t product_id, int64_t receipt_row, int64_t line_no, int proven, char out[FACTS_ITEM_SZ])
{
    if (proven && receipt_row && line_no)
        snprintf(out, FACTS_ITEM_SZ, "p%lld/l%lld.%lld", (long long)product_id, (long long)receipt_row, (long long)line_no);
    else snprintf(out, FACTS_ITEM_SZ, "p%lld", (long long)product_id);
}

void facts_style(const char *name, char out[FACTS_STYLE_SZ])
{
    char head[FACTS_STYLE_SZ * 2];
    size_t n = name ? strcspn(name, ",") : 0;
    if (n >= sizeof head) n = sizeof head - 1;
    memcpy(head, name ? name : "", n);
    head[n] = '\0';
    struct buf f;
    buf_init(&f, FACTS_STYLE_SZ * 4);
    out[0] = '\0';
    if (text_fold(head, &f) == TD_OK && f.data) snprintf(out, FACTS_STYLE_SZ, "%s", f.data);
    buf_free(&f);
    /* A cut in the middle of a character would make the text invalid. */
    size_t len = strlen(out);
    while (len > 0 && ((unsigned char)out[len - 1] & 0xC0) == 0x80) len--;
    if (len > 0 && (unsigned char)out[len - 1] >= 0xC0) len--;
    if (strlen(out) == FACTS_STYLE_SZ - 1) out[len] = '\0';
}

int facts_category_prior(const char *category)
{
    for (size_t i = 0; category && i < sizeof PRIORS / sizeof PRIORS[0]; i++)
        if (strcasecmp(PRIORS[i].category, category) == 0) return PRIORS[i].permille;
    return FACTS_PRIOR_DEFAULT;
}

int facts_norm_permille(int n, const char *const *categories, const int64_t *purchases, const int64_t *returns)
{
    int64_t num = 0, den = 0;
    for (int i = 0; i < n; i++) {
        if (!categories[i] || purchases[i] < 0 || returns[i] < 0) continue;
        num += returns[i] * 1000 + (int64_t)facts_category_prior(categories[i]) * FACTS_PRIOR_WEIGHT;
        den += purchases[i] + FACTS_PRIOR_WEIGHT;
    }
    if (den == 0) return FACTS_PRIOR_DEFAULT;
    int64_t v = num / den;
    return v < 1 ? 1 : v > 1000 ? 1000 : (int)v;
}

/* The return norm of the given categories: their returns and purchases
 * over the same days — since the desk's first case, at most the last
 * FACTS_NORM_DAYS — each started from its prior (facts_norm_permille). */
static int category_norm(struct dctx *c, const char *const *categories, int n, int *permille)
{
    int64_t today = day_of(c->now_us), from = today - (FACTS_NORM_DAYS - 1), first = c->now_us;
    int64_t purchases[POLICY_ITEMS_MAX] = {0}, returns[POLICY_ITEMS_MAX] = {0};
    if (n > POLICY_ITEMS_MAX) n = POLICY_ITEMS_MAX;
    int rc = db_query_int64(c->db, "SELECT created_at FROM cases ORDER BY id LIMIT 1", &first);
    if (rc != TD_OK && rc != TD_E_NOT_FOUND) return rc;
    if (day_of(first) > from) from = day_of(first);
    rc = TD_OK;
    for (int i = 0; i < n && rc == TD_OK; i++) {
        if (!categories[i]) continue;
        struct db_stmt *st = NULL;
        rc = db_get_row(c->db, "SELECT COALESCE(SUM(purchases), 0), COALESCE(SUM(returns), 0) FROM category_days"
                               " WHERE category = ? AND day BETWEEN ? AND ?", &st, "tii", categories[i], from, today);
        if (rc == TD_OK) {
            purchases[i] = db_col_int64(st, 0);
            returns[i] = db_col_int64(st, 1);
        }
        db_done(st);
    }
    if (rc == TD_OK) *permille = facts_norm_permille(n, categories, purchases, returns);
    return rc;
}

static int clamp_int(int64_t v)
{
    return v > 1000000 ? 1000000 : v < 0 ? 0 : (int)v;
}

/* What the identity's accounts and keys add up to: sums of the per-day
 * counts, and the stores and (product, store) pairs seen, kept apart so
 * that two accounts at one store count one store. */
#define PAIRS_MAX 256
#define QUICK_MAX 64
struct tally {
    int64_t cases30, cases90, returns30, returns90, nr30, nr90, purchases, nsh, worn, spent;
    int64_t stores[64];
    int nstores;
    struct { char item[FACTS_ITEM_SZ]; int64_t store; } pairs[PAIRS_MAX];
    int npairs;
    struct { char category[GUARD_CATEGORY_SZ], style[FACTS_STYLE_SZ]; int whole; } quick[QUICK_MAX];
    int nquick;
};

static void add_store(struct tally *t, int64_t store)
{
    for (int i = 0; i < t->nstores; i++)
        if (t->stores[i] == store) return;
    if (t->nstores < (int)(sizeof t->stores / sizeof t->stores[0])) t->stores[t->nstores++] = store;
}

static void add_pair(struct tally *t, const char *item, int64_t store)
{
    for (int i = 0; i < t->npairs; i++)
        if (t->pairs[i].store == store && strcmp(t->pairs[i].item, item) == 0) return;
    if (t->npairs < PAIRS_MAX) {
        snprintf(t->pairs[t->npairs].item, FACTS_ITEM_SZ, "%s", item);
        t->pairs[t->npairs++].store = store;
    }
}

/* The most stores at which one item came back (facts.h, facts_item_key):
 * per purchase line for returns with proof, so that two purchases of one
 * product, each returned once, are two items; but once a product also came
 * back without proof, all its returns are one item, because units beyond a
 * purchase (or of none) join the purchase's own returns. */
static int most_stores(const struct tally *t)
{
    int best = 0;
    for (int i = 0; i < t->npairs; i++) {
        const char *a = t->pairs[i].item;
        size_t plen = strcspn(a, "/");
        int unproven_product = a[plen] == '\0';
        int64_t seen[64];
        int n = 0;
        for (int j = 0; j < t->npairs; j++) {
            const char *b = t->pairs[j].item;
            size_t blen = strcspn(b, "/");
            /* the same line; or, for an unproven product, any return of it */
            int same = unproven_product ? blen == plen && strncmp(a, b, plen) == 0 : strcmp(a, b) == 0;
            if (!same) continue;
            int dup = 0;
            for (int k = 0; k < n; k++) dup |= seen[k] == t->pairs[j].store;
            if (!dup && n < 64) seen[n++] = t->pairs[j].store;
        }
        if (n > best) best = n;
    }
    return best;
}

/* Sums the 10 columns of a per-day query's row (cases 30/90, returns
 * 30/90, no-receipt 30/90, purchases, not sold here, worn soon, spent
 * lines). */
static void add_day_row(struct db_stmt *st, struct tally *t)
{
    t->cases30 += db_col_int64(st, 0);
    t->cases90 += db_col_int64(st, 1);
    t->returns30 += db_col_int64(st, 2);
    t->returns90 += db_col_int64(st, 3);
    t->nr30 += db_col_int64(st, 4);
    t->nr90 += db_col_int64(st, 5);
    t->purchases += db_col_int64(st, 6);
    t->nsh += db_col_int64(st, 7);
    t->worn += db_col_int64(st, 8);
    t->spent += db_col_int64(st, 9);
}

/* The stores of the last 30 days (sql[0]) and the returned items of the
 * last 90 (sql[1]) of an account (key NULL: id) or a walk-in key. */
static int tally_places(struct dctx *c, const char *const sql[2], int64_t id, const char *key, int64_t d30, int64_t d90,
                        struct tally *t)
{
    struct db_stmt *st;
    int rc = key ? db_query(c->db, sql[0], &st, "ti", key, d30 * FACTS_DAY_US)
                 : db_query(c->db, sql[0], &st, "ii", id, d30 * FACTS_DAY_US);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        add_store(t, db_col_int64(st, 0));
        rc = TD_OK;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    rc = key ? db_query(c->db, sql[1], &st, "ti", key, d90 * FACTS_DAY_US)
             : db_query(c->db, sql[1], &st, "ii", id, d90 * FACTS_DAY_US);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        add_pair(t, db_col_text(st, 0), db_col_int64(st, 1));
        rc = TD_OK;
    }
    return db_end(st, rc);
}

#define DAY_SUMS                                                                                                      \
    "SELECT COALESCE(SUM(CASE WHEN day >= ? THEN cases END), 0), COALESCE(SUM(cases), 0),"                            \
    " COALESCE(SUM(CASE WHEN day >= ? THEN returns END), 0), COALESCE(SUM(returns), 0),"                              \
    " COALESCE(SUM(CASE WHEN day >= ? THEN no_receipt_returns END), 0), COALESCE(SUM(no_receipt_returns), 0),"

/* One account's per-day counts, stores, returned items and quick returns. */
static int tally_account(struct dctx *c, int64_t id, int64_t d30, int64_t d90, int64_t today, struct tally *t)
{
    static const char *const sql[] = {
        DAY_SUMS " COALESCE(SUM(purchases), 0), COALESCE(SUM(not_sold_here), 0), COALESCE(SUM(worn_soon), 0),"
                 " COALESCE(SUM(spent_lines), 0), (SELECT COUNT(*) FROM customer_quick_returns q"
                 " WHERE q.customer_id = ? AND q.at >= ?) FROM customer_days WHERE customer_id = ? AND day BETWEEN ? AND ?",
        "SELECT store_id FROM customer_case_stores WHERE customer_id = ? AND last_case_at >= ?",
        "SELECT item, store_id FROM customer_item_stores WHERE customer_id = ? AND last_at >= ? LIMIT 256",
        ("SELECT COALESCE(category, ''), style, whole FROM customer_quick_returns WHERE customer_id = ? AND at >= ?"
         " ORDER BY at LIMIT 64"),
    };
    struct db_stmt *st;
    int64_t quick = 0;
    int rc = db_get_row(c->db, sql[0], &st, "iiiiiiii", d30, d30, d30, id, d90 * FACTS_DAY_US, id, d90, today);
    if (rc == TD_OK) {
        quick = db_col_int64(st, 10);
        add_day_row(st, t);
    }
    db_done(st);
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;     /* sums always give a row; none would add nothing */
    if (rc == TD_OK) rc = tally_places(c, &sql[1], id, NULL, d30, d90, t);
    if (rc != TD_OK || quick <= 0) return rc;
    rc = db_query(c->db, sql[3], &st, "ii", id, d90 * FACTS_DAY_US);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW && t->nquick < QUICK_MAX) {
        snprintf(t->quick[t->nquick].category, GUARD_CATEGORY_SZ, "%s", db_col_text(st, 0));
        snprintf(t->quick[t->nquick].style, FACTS_STYLE_SZ, "%s", db_col_text(st, 1));
        t->quick[t->nquick++].whole = (int)db_col_int64(st, 2);
        rc = TD_OK;
    }
    return db_end(st, rc);
}

/* A walk-in key's per-day counts, stores and returned items. */
static int tally_key(struct dctx *c, const char *key, int64_t d30, int64_t d90, int64_t today, struct tally *t)
{
    static const char *const sql[] = {
        DAY_SUMS " 0, COALESCE(SUM(not_sold_here), 0), COALESCE(SUM(worn_soon), 0), 0"
                 " FROM walk_in_days WHERE key = ? AND day BETWEEN ? AND ?",
        "SELECT store_id FROM walk_in_case_stores WHERE key = ? AND last_case_at >= ?",
        "SELECT item, store_id FROM walk_in_item_stores WHERE key = ? AND last_at >= ? LIMIT 256",
    };
    struct db_stmt *st;
    int rc = db_get_row(c->db, sql[0], &st, "iiitii", d30, d30, d30, key, d90, today);
    if (rc == TD_OK) add_day_row(st, t);
    db_done(st);
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;
    return rc == TD_OK ? tally_places(c, &sql[1], 0, key, d30, d90, t) : rc;
}

/* Units the identity's accounts bought in category over the 90 days: their
 * own receipts of the window through the (customer_id, purchased_at) index.
 * The only read of purchase lines here: a per-category daily aggregate for
 * every customer would double the demo's aggregate rows for a signal that
 * matters for the few with FACTS_QUICK_READ_MIN quick returns in a
 * category, and only for them is this read made. */
static int category_purchases(struct dctx *c, const struct identity *id, const char *category, int64_t d90,
                              int64_t *units)
{
    int rc = TD_OK;
    *units = 0;
    for (int i = 0; i < id->n_accounts && rc == TD_OK; i++) {
        int64_t u = 0;
        rc = db_get_int64(c->db, "SELECT COALESCE(SUM(x.quantity), 0) FROM (SELECT l.quantity FROM receipts r"
                                 " JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
                                 " WHERE r.customer_id = ? AND r.purchased_at >= ? AND r.purchased_at <= ?"
                                 " AND p.category = ? LIMIT 1000) AS x",
                          &u, "iiit", id->accounts[i], d90 * FACTS_DAY_US, c->now_us, category);
        *units += u;
    }
    return rc;
}

/* The quick-return signals from the tally: the style returned whole most
 * often, and the category whose quick returns are the largest share of
 * what was bought there (read only for categories with enough of them). */
static int quick_signals(struct dctx *c, const struct identity *id, const struct tally *t, int64_t d90,
                         struct guard_signals *s)
{
    int best_share = -1, rc = TD_OK;
    for (int i = 0; i < t->nquick && rc == TD_OK; i++) {
        int whole = 0, same = 0, seen = 0;
        for (int j = 0; j < t->nquick; j++) {
            if (strcmp(t->quick[j].style, t->quick[i].style) == 0) whole += t->quick[j].whole;
            if (strcmp(t->quick[j].category, t->quick[i].category) == 0) {
                same++;
                seen |= j < i;
            }
        }
        if (whole > s->style_cycles) s->style_cycles = whole;
        s->whole_returns += t->quick[i].whole;
        if (seen || same < FACTS_QUICK_READ_MIN || !t->quick[i].category[0]) continue;
        int64_t units = 0;
        if ((rc = category_purchases(c, id, t->quick[i].category, d90, &units)) != TD_OK) break;
        int64_t bought = units > same ? units : same;
        int share = (int)(same * 1000 / bought);
        if (share > best_share || (share == best_share && same > s->quick_returns)) {
            best_share = share;
            s->quick_returns = same;
            s->quick_purchases = clamp_int(units);
            snprintf(s->quick_category, sizeof s->quick_category, "%s", t->quick[i].category);
        }
    }
    return rc;
}

int facts_load(struct dctx *c, int64_t customer_id, const char *walk_in_key, bool link, const char *const *categories,
               int n_categories, struct customer_facts *facts, struct guard_signals *s)
{
    memset(facts, 0, sizeof *facts);
    memset(s, 0, sizeof *s);
    int rc = category_norm(c, categories, n_categories, &s->category_norm_permille);
    if (rc != TD_OK) return rc;
    facts->walk_in = !customer_id;
    if (!customer_id && !(walk_in_key && *walk_in_key)) return TD_OK;
    if (customer_id) {
        struct db_stmt *st;
        rc = db_get_row(c->db,
                        "SELECT cu.loyalty_number IS NOT NULL, COALESCE(f.lifetime_spend_cents, 0), COALESCE(f.visits, 0),"
                        " COALESCE(f.first_seen_at, cu.created_at), cu.created_at"
                        " FROM customers cu LEFT JOIN customer_facts f ON f.customer_id = cu.id"
                        " WHERE cu.id = ? AND cu.erased_at IS NULL", &st, "i", customer_id);
        if (rc == TD_OK) {
            facts->lifetime_spend_cents = db_col_int64(st, 1);
            facts->tier = facts_tier((int)db_col_int64(st, 0), facts->lifetime_spend_cents);
            facts->visits = clamp_int(db_col_int64(st, 2));
            int64_t since = db_col_int64(st, 3);
            if (db_col_int64(st, 4) < since) since = db_col_int64(st, 4);
            facts->tenure_days = clamp_int((c->now_us - since) / FACTS_DAY_US);
        }
        db_done(st);
        if (rc != TD_OK) return rc;
    }

    struct identity id;
    if (link) {
        if ((rc = identity_load(c, customer_id, walk_in_key, &id)) != TD_OK) return rc;
    } else {
        memset(&id, 0, sizeof id);
        if (customer_id) id.accounts[id.n_accounts++] = customer_id;
        if (walk_in_key && *walk_in_key) {
            snprintf(id.keys[0], IDENTITY_KEY_SZ, "%s", walk_in_key);
            id.visits[id.n_keys++] = true;
        }
    }
    int64_t today = day_of(c->now_us), d30 = today - 29, d90 = today - 89;
    struct tally *t = calloc(1, sizeof *t);
    if (!t) return TD_E_NOMEM;
    int64_t own = 0;                   /* the cases of the customer's own account */
    for (int i = 0; i < id.n_accounts && rc == TD_OK; i++) {
        rc = tally_account(c, id.accounts[i], d30, d90, today, t);
        if (i == 0 && customer_id) {   /* the policy's facts: the customer's own account */
            own = t->cases90;
            facts->cases_30d = clamp_int(t->cases30);
            facts->cases_90d = clamp_int(t->cases90);
            facts->returns_30d = clamp_int(t->returns30);
            facts->returns_90d = clamp_int(t->returns90);
        }
    }
    for (int i = 0; i < id.n_keys && rc == TD_OK; i++)
        if (id.visits[i]) rc = tally_key(c, id.keys[i], d30, d90, today, t);
    if (rc == TD_OK) {
        s->cases_30d = clamp_int(t->cases30);
        s->returns_90d = clamp_int(t->returns90);
        s->no_receipt_returns_30d = clamp_int(t->nr30);
        s->no_receipt_returns_90d = clamp_int(t->nr90);
        s->purchases_90d = clamp_int(t->purchases);
        s->not_sold_here_claims_90d = clamp_int(t->nsh);
        s->worn_soon_returns_90d = clamp_int(t->worn);
        s->spent_lines_90d = clamp_int(t->spent);
        s->stores_30d = t->nstores;
        s->same_item_stores = most_stores(t);
        /* Other accounts or walk-in visits added to what this account shows. */
        s->linked = customer_id ? t->cases90 > own : t->cases90 > 0;
        rc = quick_signals(c, &id, t, d90, s);
    }
    free(t);
    return rc;
}

int facts_lowest_price(struct dctx *c, int64_t product_id, int days, int64_t *cents)
{
    int64_t today = day_of(c->now_us);
    *cents = 0;
    return db_get_int64(c->db, "SELECT COALESCE(MIN(min_cents), 0) FROM product_price_days"
                               " WHERE product_id = ? AND day BETWEEN ? AND ?", cents, "iii", product_id,
                        today - days + 1, today);
}

int facts_purge_old(struct db *db, int64_t now_us, int64_t *count)
{
    int64_t a = 0, b = 0, k = 0, q = 0, cutoff = day_of(now_us) - FACTS_KEEP_DAYS;
    int rc = db_run(db, "DELETE FROM customer_days WHERE day < ?", &a, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM product_price_days WHERE day < ?", &b, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM category_days WHERE day < ?", &k, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM customer_quick_returns WHERE at < ?", &q, "i", cutoff * FACTS_DAY_US);
    *count = a + b + k + q;
    return rc;
}

/* The subscriber of events.def: a case counted at opening, a walk-in's
 * counts under their contact's key, a batch of purchases in bulk. */
int facts_on_event(struct dctx *c, const struct event *ev)
{
    switch (ev->kind) {
    case EVENT_OPENED: return facts_add_case(c, ev->counts);
    case EVENT_WALK_IN_KEPT: return facts_add_walk_in(c, ev->walk_in_key, ev->counts);
    case EVENT_PURCHASES_IMPORTED:
        return ev->purchases ? facts_add_purchases(c, ev->purchases)
                             : facts_add_receipts(c->db, ev->first_receipt, ev->last_receipt, c->now_us);
    default: return TD_OK;
    }
}
