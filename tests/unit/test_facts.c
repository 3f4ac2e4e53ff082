/* test_facts.c — the customer aggregates: tiers, what a purchase import adds,
 * and — the property that matters — that the windows the guard reads (30
 * and 90 days, across stores) always equal a recount from the case history,
 * for a random history of cases opened over 200 days; purging old rows
 * changes none of them; the category norm compares returns with purchases
 * of the same days, starting from a prior. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "db/db.h"
#include "domain/desk.h"
#include "domain/facts.h"
#include "domain/import.h"
#include "domain/store.h"
#include "fixture.h"

#define DAY FACTS_DAY_US
#define NOW (1795000000000000LL)          /* 2026-11-18 */

/* "YYYY-MM-DD HH:MM" days before NOW, at noon UTC. */
static void date_before(int days, char *out, size_t n)
{
    char iso[40];
    clock_format_rfc3339(NOW - (int64_t)days * DAY, iso, sizeof iso);
    snprintf(out, n, "%.10s 12:00", iso);
}

static int setup(void **state)
{
    if (fixture_setup(state) != 0) return -1;
    struct fixture *f = *state;
    fixture_at(f, NOW);
    if (fixture_stores(f, "UTR01", "AMS01", "RTM01", NULL) != TD_OK) return -1;
    static char customers[] = "loyalty_number,name\nNL-1001,Een\nNL-1002,Twee\nNL-1003,Drie\nNL-1004,Vier\n";
    static char purchases[4096];
    char d300[24], d100[24], d80[24], d20[24], d2[24];
    date_before(300, d300, sizeof d300);
    date_before(100, d100, sizeof d100);
    date_before(80, d80, sizeof d80);
    date_before(20, d20, sizeof d20);
    date_before(2, d2, sizeof d2);
    snprintf(purchases, sizeof purchases,
             "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
             "R1,%s,UTR01,NL-1001,A,Jas,Noordzee,Jassen,1000.00,1\n"
             "R2,%s,UTR01,NL-1001,B,Trui,Noordzee,Truien,60.00,2\n"
             "R3,%s,AMS01,NL-1002,B,Trui,Noordzee,Truien,45.00,1\n"
             "R4,%s,AMS01,NL-1002,C,Sjaal,Noordzee,Sjaals,20.00,1\n"
             "R5,%s,RTM01,NL-1003,B,Trui,Noordzee,Truien,55.00,3\n"
             "R6,%s,RTM01,NL-1004,C,Sjaal,Noordzee,Sjaals,25.00,1\n"
             "R7,%s,UTR01,,A,Jas,Noordzee,Jassen,990.00,1\n",
             d300, d100, d80, d20, d20, d2, d2);
    return fixture_import(f, customers, purchases) == TD_OK ? 0 : -1;
}

static void test_tiers(void **state)
{
    (void)state;
    assert_int_equal(facts_tier(0, 10000000), POLICY_TIER_NONE);
    assert_int_equal(facts_tier(1, 0), POLICY_TIER_BRONZE);
    assert_int_equal(facts_tier(1, FACTS_SILVER_CENTS - 1), POLICY_TIER_BRONZE);
    assert_int_equal(facts_tier(1, FACTS_SILVER_CENTS), POLICY_TIER_SILVER);
    assert_int_equal(facts_tier(1, FACTS_GOLD_CENTS), POLICY_TIER_GOLD);
    assert_int_equal(facts_tier(1, FACTS_PLATINUM_CENTS - 1), POLICY_TIER_GOLD);
    assert_int_equal(facts_tier(1, FACTS_PLATINUM_CENTS), POLICY_TIER_PLATINUM);
}

static void test_purchase_import_adds_up(void **state)
{
    struct fixture *f = *state;
    /* NL-1001: 1000 + 2 x 60 over two visits: silver. */
    assert_int_equal(fixture_int(f, "%s", "SELECT lifetime_spend_cents FROM customer_facts f JOIN customers c ON c.id = f.customer_id"
                          " WHERE c.loyalty_number = 'NL-1001'"), 112000);
    assert_int_equal(fixture_int(f, "%s", "SELECT visits FROM customer_facts f JOIN customers c ON c.id = f.customer_id"
                          " WHERE c.loyalty_number = 'NL-1001'"), 2);
    assert_int_equal(fixture_int(f, "%s", "SELECT COUNT(*) FROM customer_facts"), 4);            /* the anonymous receipt counts nowhere */
    assert_int_equal(fixture_int(f, "%s", "SELECT SUM(purchases) FROM category_days WHERE category = 'Truien'"), 6);
    /* Purchases older than the 90-day window are not kept per day. */
    assert_int_equal(fixture_int(f, "%s", "SELECT COALESCE(SUM(purchases), 0) FROM customer_days"), 1 + 1 + 3 + 1);
    int64_t c1 = fixture_int(f, "%s", "SELECT id FROM customers WHERE loyalty_number = 'NL-1001'");
    struct customer_facts cf;
    struct guard_signals sg;
    assert_int_equal(facts_load(&f->c, c1, NULL, false, NULL, 0, &cf, &sg), TD_OK);
    assert_int_equal(cf.tier, POLICY_TIER_SILVER);
    assert_int_equal(cf.lifetime_spend_cents, 112000);
    assert_int_equal(cf.tenure_days, 300);  /* since the first purchase, before the record was made */
    assert_int_equal(sg.purchases_90d, 0);
    /* The lowest price of B: 55 in the last 30 days, 45 over 90, 45 over 365. */
    int64_t b = fixture_int(f, "%s", "SELECT id FROM products WHERE sku = 'B'"), cents = 0;
    assert_int_equal(facts_lowest_price(&f->c, b, 30, &cents), TD_OK);
    assert_int_equal(cents, 5500);
    assert_int_equal(facts_lowest_price(&f->c, b, 90, &cents), TD_OK);
    assert_int_equal(cents, 4500);
    int64_t a = fixture_int(f, "%s", "SELECT id FROM products WHERE sku = 'A'");
    assert_int_equal(facts_lowest_price(&f->c, a, 30, &cents), TD_OK);
    assert_int_equal(cents, 99000);                                    /* the anonymous sale counts for prices */
    assert_int_equal(facts_lowest_price(&f->c, fixture_int(f, "%s", "SELECT id FROM products WHERE sku = 'C'"), 1, &cents), TD_OK);
    assert_int_equal(cents, 0);                                        /* not sold today */
    assert_int_equal(facts_load(&f->c, 999999, NULL, false, NULL, 0, &cf, &sg), TD_E_NOT_FOUND);
    assert_int_equal(facts_load(&f->c, 0, NULL, false, NULL, 0, &cf, &sg), TD_OK);
    assert_true(cf.walk_in);
}

/* ---- the property: aggregates == a recount of the history ----------------- */

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static unsigned next_rand(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

struct open_arg { struct desk_case_in in; };

static int open_one(struct dctx *c, void *arg)
{
    struct desk_case_in *in = arg;
    struct errors err;
    errors_init(&err);
    int64_t id;
    int rc = desk_case_create(c, in, &err, &id);
    if (rc != TD_OK) fprintf(stderr, "case: %d %s: %s\n", rc, err.n ? err.item[0].field : "", err.n ? err.item[0].problem : "");
    return rc;
}

static int64_t recount(struct fixture *f, const char *sql_fmt, int64_t customer, int64_t since_day)
{
    char sql[1024];
    snprintf(sql, sizeof sql, sql_fmt, (long long)customer, (long long)since_day);
    return fixture_int(f, "%s", sql);
}

#define RETURNS "k.kind IN ('return', 'exchange', 'referral')"
/* A return without a receipt is one with some item the purchase of which is
 * not proven otherwise (by the loyalty card or a gift receipt). */
#define UNPROVEN "EXISTS (SELECT 1 FROM case_items u WHERE u.case_id = k.id AND u.proof IS NULL)"

static void check_against_history(struct fixture *f, int64_t cust)
{
    struct customer_facts cf;
    struct guard_signals sg;
    assert_int_equal(facts_load(&f->c, cust, NULL, false, NULL, 0, &cf, &sg), TD_OK);
    int64_t today = f->c.now_us / DAY, d30 = today - 29, d90 = today - 89;
    assert_int_equal(sg.cases_30d, recount(f, "SELECT COUNT(*) FROM cases k WHERE customer_id = %lld AND created_at / 86400000000 >= %lld", cust, d30));
    assert_int_equal(cf.cases_90d, recount(f, "SELECT COUNT(*) FROM cases k WHERE customer_id = %lld AND created_at / 86400000000 >= %lld", cust, d90));
    assert_int_equal(sg.no_receipt_returns_30d,
                     recount(f, "SELECT COUNT(*) FROM cases k WHERE customer_id = %lld AND created_at / 86400000000 >= %lld"
                                " AND receipt = 0 AND " RETURNS " AND " UNPROVEN, cust, d30));
    assert_int_equal(sg.no_receipt_returns_90d,
                     recount(f, "SELECT COUNT(*) FROM cases k WHERE customer_id = %lld AND created_at / 86400000000 >= %lld"
                                " AND receipt = 0 AND " RETURNS " AND " UNPROVEN, cust, d90));
    assert_int_equal(sg.returns_90d,
                     recount(f, "SELECT COUNT(*) FROM cases k JOIN case_items i ON i.case_id = k.id WHERE k.customer_id = %lld"
                                " AND k.created_at / 86400000000 >= %lld AND i.sold_here = 1 AND " RETURNS, cust, d90));
    assert_int_equal(sg.not_sold_here_claims_90d,
                     recount(f, "SELECT COUNT(*) FROM cases k JOIN case_items i ON i.case_id = k.id WHERE k.customer_id = %lld"
                                " AND k.created_at / 86400000000 >= %lld AND i.sold_here = 0 AND k.kind <> 'repair'"
                                " AND i.item_condition <> 'defective'", cust, d90));
    assert_int_equal(sg.worn_soon_returns_90d,
                     recount(f, "SELECT COUNT(*) FROM cases k JOIN case_items i ON i.case_id = k.id WHERE k.customer_id = %lld"
                                " AND k.created_at / 86400000000 >= %lld AND i.sold_here = 1 AND " RETURNS
                                " AND i.item_condition = 'worn' AND i.days_since_purchase BETWEEN 0 AND 14", cust, d90));
    assert_int_equal(sg.stores_30d,
                     recount(f, "SELECT COUNT(DISTINCT store_id) FROM cases k WHERE customer_id = %lld"
                                " AND created_at / 86400000000 >= %lld", cust, d30));
    assert_int_equal(sg.same_item_stores,
                     recount(f, "SELECT COALESCE(MAX(n), 0) FROM (SELECT COUNT(DISTINCT k.store_id) AS n FROM cases k"
                                " JOIN case_items i ON i.case_id = k.id WHERE k.customer_id = %lld AND k.created_at / 86400000000 >= %lld"
                                " AND i.sold_here = 1 AND " RETURNS " GROUP BY i.product_id) AS x", cust, d90));
}

static void test_windows_equal_a_recount_of_history(void **state)
{
    struct fixture *f = *state;
    static const char *const stores[] = {"UTR01", "AMS01", "RTM01"};
    static const char *const skus[] = {"A", "B", "C"};
    static const enum policy_kind kinds[] = {POLICY_KIND_RETURN, POLICY_KIND_RETURN, POLICY_KIND_EXCHANGE, POLICY_KIND_REPAIR,
                                             POLICY_KIND_COMPLAINT, POLICY_KIND_REFERRAL};
    int64_t custs[4];
    for (int i = 0; i < 4; i++) {
        char sql[96];
        snprintf(sql, sizeof sql, "SELECT id FROM customers WHERE loyalty_number = 'NL-100%d'", i + 1);
        custs[i] = fixture_int(f, "%s", sql);
    }
    /* 240 cases over 200 days, in time order, checked at ten moments. */
    int64_t start = NOW - 200 * DAY;
    for (int n = 0; n < 240; n++) {
        f->c.now_us = start + (int64_t)n * (200 * DAY / 240) + next_rand(3600) * 1000000LL;
        struct desk_case_in in;
        memset(&in, 0, sizeof in);
        in.kind = kinds[next_rand(6)];
        in.customer_id = custs[next_rand(4)];
        in.store_code = stores[next_rand(3)];
        in.receipt = next_rand(3) == 0;
        in.customer_words = "";
        if (in.kind == POLICY_KIND_REFERRAL) {
            in.referral.to = "Elders";
            in.referral.reason = POLICY_REFER_OTHER;
        }
        in.n_items = 1 + next_rand(3);
        for (size_t i = 0; i < in.n_items; i++) {
            struct desk_item_in *it = &in.items[i];
            it->condition = (enum policy_condition)(1 + next_rand(4));
            if (next_rand(3) == 0) {
                it->sold_here = false;
                it->brand = "Merk";
                it->description = "Iets";
                it->stated_price_cents = 1000 + next_rand(20000);
            } else {
                it->sold_here = true;
                it->sku = skus[next_rand(3)];
            }
        }
        assert_int_equal(fixture_tx(f, open_one, &in), TD_OK);
        if (n % 24 == 23)
            for (int i = 0; i < 4; i++) check_against_history(f, custs[i]);
    }
    /* Some days later, and after purging rows older than the windows need. */
    f->c.now_us = NOW + 45 * DAY;
    for (int i = 0; i < 4; i++) check_against_history(f, custs[i]);
    int64_t purged = 0;
    assert_int_equal(facts_purge_old(f->db, NOW + 500 * DAY, &purged), TD_OK);
    assert_true(purged > 0);
    f->c.now_us = NOW + 500 * DAY;
    for (int i = 0; i < 4; i++) check_against_history(f, custs[i]);
    f->c.now_us = NOW;
}

/* ---- the category norm: like with like, from a prior ---------------------- */

static void test_norm_blends_a_prior_with_the_same_days(void **state)
{
    (void)state;
    assert_int_equal(facts_category_prior("kinderen"), 150);
    assert_int_equal(facts_category_prior("Kinderen"), 150);        /* as written, ignoring case */
    assert_int_equal(facts_category_prior("Truien"), FACTS_PRIOR_DEFAULT);
    assert_int_equal(facts_category_prior(NULL), FACTS_PRIOR_DEFAULT);
    static const struct {
        const char *name;
        const char *category;
        int64_t purchases, returns;
        int want;
    } rows[] = {
        {"nothing known yet: the prior", "kinderen", 0, 0, 150},
        {"a first return on the first day weighs little", "kinderen", 10, 1, (1000 + 150 * 500) / 510},
        {"a chain's first weeks: its own figures take over", "kinderen", 20000, 3000, (3000000 + 75000) / 20500},
        {"a quiet category keeps near its prior", "beauty", 100, 0, 30 * 500 / 600},
        {"no category without a prior", "Truien", 500, 100, (100000 + 80 * 500) / 1000},
        {"more returns than purchases is capped", "dames", 0, 5000, 1000},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const char *cat[1] = {rows[i].category};
        int got = facts_norm_permille(1, cat, &rows[i].purchases, &rows[i].returns);
        if (got != rows[i].want) fail_msg("%s: got %d, want %d", rows[i].name, got, rows[i].want);
    }
    /* Two categories add up; a NULL entry is skipped; none at all is the default. */
    const char *two[3] = {"dames", NULL, "keuken"};
    int64_t p[3] = {1000, 7, 1000}, r[3] = {200, 7, 20};
    assert_int_equal(facts_norm_permille(3, two, p, r), (200000 + 120 * 500 + 20000 + 50 * 500) / 3000);
    assert_int_equal(facts_norm_permille(0, NULL, NULL, NULL), FACTS_PRIOR_DEFAULT);
}

/* The norm the guard gets counts a category's purchases of the days since
 * the first case only, however many purchases were imported from before. */
static void test_norm_counts_the_days_since_the_first_case(void **state)
{
    struct fixture *f = *state;
    int64_t today = NOW / DAY;
    char sql[256];
    /* Two years of imported history (outside the period), then twenty days
     * since go-live: 2,000 purchases and 300 returns. */
    snprintf(sql, sizeof sql, "INSERT INTO category_days (category, day, purchases, returns) VALUES"
                              " ('kinderen', %lld, 100000, 0), ('kinderen', %lld, 2000, 300)",
             (long long)(today - 300), (long long)(today - 10));
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare_dynamic(f->db, sql, &st), TD_OK);
    assert_int_equal(db_step(st), TD_DONE);
    db_done(st);
    struct desk_case_in in = {.kind = POLICY_KIND_REPAIR, .store_code = "UTR01", .customer_words = "", .n_items = 1};
    in.items[0] = (struct desk_item_in){.sold_here = false, .brand = "Merk", .description = "Iets",
                                        .condition = POLICY_COND_DEFECTIVE};
    f->c.now_us = NOW - 20 * DAY;                  /* the desk's first case */
    assert_int_equal(fixture_tx(f, open_one, &in), TD_OK);
    f->c.now_us = NOW;
    const char *cats[1] = {"kinderen"};
    struct customer_facts cf;
    struct guard_signals sg;
    assert_int_equal(facts_load(&f->c, 0, NULL, false, cats, 1, &cf, &sg), TD_OK);
    assert_int_equal(sg.category_norm_permille, (300 * 1000 + 150 * 500) / (2000 + 500));
    /* A year on, the imported history has long left the period: still like with like. */
    f->c.now_us = NOW + 400 * DAY;
    assert_int_equal(facts_load(&f->c, 0, NULL, false, cats, 1, &cf, &sg), TD_OK);
    assert_int_equal(sg.category_norm_permille, 150);
    f->c.now_us = NOW;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiers),
        FIXTURE_TEST(test_purchase_import_adds_up, setup),
        FIXTURE_TEST(test_windows_equal_a_recount_of_history, setup),
        cmocka_unit_test(test_norm_blends_a_prior_with_the_same_days),
        FIXTURE_TEST(test_norm_counts_the_days_since_the_first_case, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
