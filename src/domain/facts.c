/* facts.c — customer aggregates (see facts.h).
 *
 * All upserts are INSERT ... ON CONFLICT DO UPDATE, which SQLite and
 * PostgreSQL both speak; a smaller-of-two is a CASE, since the two spell
 * MIN/LEAST differently.
 */
#include "domain/facts.h"
#include "db/db.h"
#include <string.h>

#define NORM_DEFAULT_PERMILLE 80          /* returns per 1000 purchases when too little is known */
#define NORM_MIN_PURCHASES 200            /* fewer purchases in a category: its norm is not used */

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
                  "INSERT INTO category_stats (category, purchases)"
                  " SELECT p.category, SUM(l.quantity) FROM purchase_lines l JOIN products p ON p.id = l.product_id"
                  " WHERE l.receipt_id BETWEEN ? AND ? GROUP BY p.category"
                  " ON CONFLICT (category) DO UPDATE SET purchases = category_stats.purchases + excluded.purchases",
                  NULL, "ii", first_id, last_id);
}

int facts_add_case(struct dctx *c, const struct facts_case *fc)
{
    int rc = TD_OK;
    if (fc->is_return) {
        for (int i = 0; i < fc->n_products && rc == TD_OK; i++) {
            if (!fc->categories[i]) continue;
            rc = db_run(c->db,
                        "INSERT INTO category_stats (category, returns) VALUES (?, 1)"
                        " ON CONFLICT (category) DO UPDATE SET returns = category_stats.returns + 1",
                        NULL, "t", fc->categories[i]);
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

/* Returns per 1000 purchases in the given categories, or the chain's. */
static int category_norm(struct dctx *c, const char *const *categories, int n, int *permille)
{
    int64_t purchases = 0, returns = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT purchases, returns FROM category_stats WHERE category = ?", &st);
    for (int i = 0; i < n && rc == TD_OK; i++) {
        if (!categories[i]) continue;
        if ((rc = db_bind_text(st, 1, categories[i])) != TD_OK) break;
        rc = db_step(st);
        if (rc == TD_ROW) {
            purchases += db_col_int64(st, 0);
            returns += db_col_int64(st, 1);
        }
        if (rc == TD_ROW || rc == TD_DONE) rc = db_reset(st);
    }
    db_done(st);
    if (rc != TD_OK) return rc;
    if (purchases < NORM_MIN_PURCHASES) {
        st = NULL;
        if ((rc = db_prepare(c->db, "SELECT COALESCE(SUM(purchases), 0), COALESCE(SUM(returns), 0) FROM category_stats",
                             &st)) != TD_OK)
            return rc;
        rc = db_step(st);
        if (rc == TD_ROW) {
            purchases = db_col_int64(st, 0);
            returns = db_col_int64(st, 1);
            rc = TD_OK;
        }
        db_done(st);
        if (rc != TD_OK) return rc;
    }
    *permille = purchases >= NORM_MIN_PURCHASES ? (int)(returns * 1000 / purchases) : NORM_DEFAULT_PERMILLE;
    if (*permille < 1) *permille = 1;
    return TD_OK;
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
    int64_t a = 0, b = 0, cutoff = day_of(now_us) - FACTS_KEEP_DAYS;
    int rc = db_run(db, "DELETE FROM customer_days WHERE day < ?", &a, "i", cutoff);
    if (rc == TD_OK) rc = db_run(db, "DELETE FROM product_price_days WHERE day < ?", &b, "i", cutoff);
    *count = a + b;
    return rc;
}
