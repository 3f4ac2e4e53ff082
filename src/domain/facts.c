/* facts.c — customer aggregates (see facts.h).
 *
 * All upserts are INSERT ... ON CONFLICT DO UPDATE, which SQLite and
 * PostgreSQL both speak; a smaller-of-two is a CASE, since the two spell
 * MIN/LEAST differently.
 */
#include "domain/facts.h"
#include "db/db.h"
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
    int64_t today = day_of(now_us);
    rc = db_run(db,
                "INSERT INTO customer_days (customer_id, day, purchases)"
                " SELECT r.customer_id, r.purchased_at / 86400000000, SUM(l.quantity)"
                " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                " WHERE r.id BETWEEN ? AND ? AND r.customer_id IS NOT NULL AND r.purchased_at >= ?"
                " GROUP BY r.customer_id, r.purchased_at / 86400000000"
                " ON CONFLICT (customer_id, day) DO UPDATE SET purchases = customer_days.purchases + excluded.purchases",
                NULL, "iii", first_id, last_id, (today - FACTS_PURCHASE_WINDOW_DAYS) * FACTS_DAY_US);
    if (rc != TD_OK) return rc;
    rc = db_run(db,
                "INSERT INTO product_price_days (product_id, day, min_cents)"
                " SELECT l.product_id, r.purchased_at / 86400000000, MIN(l.unit_price_cents)"
                " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                " WHERE r.id BETWEEN ? AND ? AND r.purchased_at >= ?"
                " GROUP BY l.product_id, r.purchased_at / 86400000000"
                " ON CONFLICT (product_id, day) DO UPDATE SET min_cents = CASE"
                "   WHEN excluded.min_cents < product_price_days.min_cents THEN excluded.min_cents"
                "   ELSE product_price_days.min_cents END",
                NULL, "iii", first_id, last_id, (today - FACTS_PRICE_KEEP_DAYS) * FACTS_DAY_US);
    if (rc != TD_OK) return rc;
    return db_run(db,
                  "INSERT INTO category_days (category, day, purchases)"
                  " SELECT p.category, r.purchased_at / 86400000000, SUM(l.quantity)"
                  " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
                  " WHERE r.id BETWEEN ? AND ? AND r.purchased_at >= ?"
                  " GROUP BY p.category, r.purchased_at / 86400000000"
                  " ON CONFLICT (category, day) DO UPDATE SET purchases = category_days.purchases + excluded.purchases",
                  NULL, "iii", first_id, last_id, (today - FACTS_KEEP_DAYS) * FACTS_DAY_US);
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
                "INSERT INTO customer_days (customer_id, day, cases, returns, no_receipt_returns, not_sold_here, worn_soon)"
                " VALUES (?, ?, 1, ?, ?, ?, ?)"
                " ON CONFLICT (customer_id, day) DO UPDATE SET cases = customer_days.cases + 1,"
                " returns = customer_days.returns + excluded.returns,"
                " no_receipt_returns = customer_days.no_receipt_returns + excluded.no_receipt_returns,"
                " not_sold_here = customer_days.not_sold_here + excluded.not_sold_here,"
                " worn_soon = customer_days.worn_soon + excluded.worn_soon",
                NULL, "iiiiii", fc->customer_id, day_of(c->now_us), returned,
                (int64_t)(fc->is_return && fc->no_receipt), (int64_t)fc->not_sold_here, (int64_t)fc->worn_soon);
    if (rc != TD_OK) return rc;
    rc = db_run(c->db,
                "INSERT INTO customer_case_stores (customer_id, store_id, last_case_at) VALUES (?, ?, ?)"
                " ON CONFLICT (customer_id, store_id) DO UPDATE SET last_case_at = excluded.last_case_at",
                NULL, "iii", fc->customer_id, fc->store_id, c->now_us);
    for (int i = 0; fc->is_return && i < fc->n_products && rc == TD_OK; i++)
        rc = db_run(c->db,
                    "INSERT INTO customer_item_returns (customer_id, product_id, store_id, last_at) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (customer_id, product_id, store_id) DO UPDATE SET last_at = excluded.last_at",
                    NULL, "iiii", fc->customer_id, fc->product_ids[i], fc->store_id, c->now_us);
    return rc;
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
    struct db_stmt *st = NULL;
    rc = db_prepare(c->db, "SELECT COALESCE(SUM(purchases), 0), COALESCE(SUM(returns), 0) FROM category_days"
                           " WHERE category = ? AND day BETWEEN ? AND ?", &st);
    for (int i = 0; i < n && rc == TD_OK; i++) {
        if (!categories[i]) continue;
        if ((rc = db_bindf(st, "tii", categories[i], from, today)) != TD_OK) break;
        if ((rc = db_step(st)) == TD_ROW) {
            purchases[i] = db_col_int64(st, 0);
            returns[i] = db_col_int64(st, 1);
        }
        if (rc == TD_ROW || rc == TD_DONE) rc = db_reset(st);
    }
    db_done(st);
    if (rc == TD_OK) *permille = facts_norm_permille(n, categories, purchases, returns);
    return rc;
}

static int clamp_int(int64_t v)
{
    return v > 1000000 ? 1000000 : v < 0 ? 0 : (int)v;
}

int facts_load(struct dctx *c, int64_t customer_id, const char *const *categories, int n_categories,
               struct customer_facts *facts, struct guard_signals *s)
{
    memset(facts, 0, sizeof *facts);
    memset(s, 0, sizeof *s);
    int rc = category_norm(c, categories, n_categories, &s->category_norm_permille);
    if (rc != TD_OK) return rc;
    if (!customer_id) {
        facts->walk_in = true;
        return TD_OK;
    }
    struct db_stmt *st = NULL;
    rc = db_prepare(c->db,
                    "SELECT cu.loyalty_number IS NOT NULL, COALESCE(f.lifetime_spend_cents, 0), COALESCE(f.visits, 0),"
                    " COALESCE(f.first_seen_at, cu.created_at), cu.created_at"
                    " FROM customers cu LEFT JOIN customer_facts f ON f.customer_id = cu.id"
                    " WHERE cu.id = ? AND cu.erased_at IS NULL", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "i", customer_id)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        facts->lifetime_spend_cents = db_col_int64(st, 1);
        facts->tier = facts_tier((int)db_col_int64(st, 0), facts->lifetime_spend_cents);
        facts->visits = clamp_int(db_col_int64(st, 2));
        int64_t since = db_col_int64(st, 3);
        if (db_col_int64(st, 4) < since) since = db_col_int64(st, 4);
        facts->tenure_days = clamp_int((c->now_us - since) / FACTS_DAY_US);
        rc = TD_OK;
    } else if (rc == TD_DONE) {
        rc = TD_E_NOT_FOUND;
    }
    db_done(st);
    if (rc != TD_OK) return rc;

    int64_t today = day_of(c->now_us), d30 = today - 29, d90 = today - 89;
    st = NULL;
    if ((rc = db_prepare(c->db,
                         "SELECT COALESCE(SUM(CASE WHEN day >= ? THEN cases END), 0),"
                         " COALESCE(SUM(cases), 0),"
                         " COALESCE(SUM(CASE WHEN day >= ? THEN returns END), 0),"
                         " COALESCE(SUM(returns), 0),"
                         " COALESCE(SUM(CASE WHEN day >= ? THEN no_receipt_returns END), 0),"
                         " COALESCE(SUM(no_receipt_returns), 0),"
                         " COALESCE(SUM(purchases), 0), COALESCE(SUM(not_sold_here), 0), COALESCE(SUM(worn_soon), 0)"
                         " FROM customer_days WHERE customer_id = ? AND day BETWEEN ? AND ?", &st)) != TD_OK)
        return rc;
    if ((rc = db_bindf(st, "iiiiii", d30, d30, d30, customer_id, d90, today)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        facts->cases_30d = s->cases_30d = clamp_int(db_col_int64(st, 0));
        facts->cases_90d = clamp_int(db_col_int64(st, 1));
        facts->returns_30d = clamp_int(db_col_int64(st, 2));
        facts->returns_90d = s->returns_90d = clamp_int(db_col_int64(st, 3));
        s->no_receipt_returns_30d = clamp_int(db_col_int64(st, 4));
        s->no_receipt_returns_90d = clamp_int(db_col_int64(st, 5));
        s->purchases_90d = clamp_int(db_col_int64(st, 6));
        s->not_sold_here_claims_90d = clamp_int(db_col_int64(st, 7));
        s->worn_soon_returns_90d = clamp_int(db_col_int64(st, 8));
        rc = TD_OK;
    }
    db_done(st);
    if (rc != TD_OK) return rc;

    int64_t v = 0;
    rc = db_get_int64(c->db, "SELECT COUNT(*) FROM customer_case_stores WHERE customer_id = ? AND last_case_at >= ?", &v,
                      "ii", customer_id, d30 * FACTS_DAY_US);
    if (rc != TD_OK) return rc;
    s->stores_30d = clamp_int(v);

    rc = db_get_int64(c->db,
                      "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(*) AS n FROM customer_item_returns"
                      " WHERE customer_id = ? AND last_at >= ? GROUP BY product_id) AS per_item", &v,
                      "ii", customer_id, d90 * FACTS_DAY_US);
    s->same_item_stores = clamp_int(v);
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
    int64_t a = 0, b = 0, k = 0, cutoff = day_of(now_us) - FACTS_KEEP_DAYS;
    int rc = db_run(db, "DELETE FROM customer_days WHERE day < ?", &a, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM product_price_days WHERE day < ?", &b, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM category_days WHERE day < ?", &k, "i", cutoff);
    *count = a + b + k;
    return rc;
}
