/* test_evaluate.c — the guard measured on a demo chain with planted abusers:
 * the goals hold on a few thousand customers, per kind of person; only the
 * rings' accounts share a phone or mailbox; the figures come from the
 * stored cases and labels (relabelling an abuser moves their returns to the
 * honest side); the demo's purchase aggregates are exactly what
 * facts_add_receipts() counts; the command answers 0, and 2 without labels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "cli/cli.h"
#include "core/token.h"
#include "db/db.h"
#include "sim/demo.h"
#include "sim/evaluate.h"
#include "domain/facts.h"
#include "fixture.h"
#include "cmocka_main.h"

#define CUSTOMERS 10000   /* ~500 honest returns: few enough to be quick, enough that chance does not decide a goal */
#define END_US 1795305600000000LL   /* 2026-11-22T00:00:00Z */

static struct fixture fx;      /* the demo chain, made once for the whole file */
static char *dir, *url;
static struct db *db;

static int setup(void **state)
{
    (void)state;
    if (fixture_open(&fx, "eval", 0, 1) != 0) return -1;
    dir = fx.dir;
    url = fx.url;
    db = fx.db;
    char hash[128];
    if (token_password_hash(DEMO_PASSWORD, hash) != TD_OK) return -1;
    struct demo_config cfg = {.seed = 7, .customers = CUSTOMERS, .end_us = END_US, .password_hash = hash};
    struct demo_summary sum;
    if (db_bulk_mode(db, 1) != TD_OK) return -1;
    if (demo_generate(db, &cfg, &sum) != TD_OK || db_bulk_mode(db, 0) != TD_OK) return -1;
    return sum.cases > 0 && sum.abusers > 0 ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return fixture_close(&fx);
}

static int64_t count(const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n), TD_OK);
    return n;
}

static const struct evaluate_kind *kind(const struct evaluate_result *r, const char *label)
{
    for (size_t i = 0; i < r->n_kinds; i++)
        if (strcmp(r->kinds[i].label, label) == 0) return &r->kinds[i];
    fail_msg("no kind %s", label);
    return NULL;
}

static void both_goals_hold(void **state)
{
    (void)state;
    struct evaluate_result r;
    assert_int_equal(evaluate_run(db, &r), TD_OK);
    print_message("honest %lld/%lld, abusers %lld/%lld by the third, %lld by the fifth\n", (long long)r.honest_smooth,
                  (long long)r.honest_returns, (long long)r.abusers_flagged, (long long)r.abusers,
                  (long long)r.abusers_flagged_late);
    assert_true(r.honest_returns > 100);
    assert_true(r.honest_permille >= EVALUATE_HONEST_GOAL_PERMILLE);
    assert_true(r.abusers > 15);
    assert_true(r.abuser_permille >= EVALUATE_ABUSER_GOAL_PERMILLE);
    assert_true(r.honest_goal_met && r.kinds_goal_met && r.abuser_goal_met);
    /* Every kind the generator describes, honest ones first. */
    static const char *const honest[] = {"ordinary", "honest_big_ticket", "honest_card", "honest_family", "honest_gift",
                                         "honest_walk_in"};
    static const char *const abusers[] = {"cross_store", "receipt_reuse", "receipted_wardrober", "ring",
                                          "serial_no_receipt", "walk_in_repeater", "wardrober"};
    assert_int_equal(r.n_kinds, 13);
    for (size_t i = 0; i < 6; i++) {
        assert_string_equal(r.kinds[i].label, honest[i]);
        assert_true(r.kinds[i].honest && r.kinds[i].people > 0);
        assert_int_equal(r.kinds[i].returns, r.kinds[i].smooth + r.kinds[i].policy_approval + r.kinds[i].guard_flagged);
    }
    for (size_t i = 0; i < 7; i++) {
        const struct evaluate_kind *k = &r.kinds[6 + i];
        assert_string_equal(k->label, abusers[i]);
        assert_false(k->honest);
        assert_true(k->people > 0 && k->flagged <= k->flagged_late && k->flagged_late <= k->people);
        assert_true(k->cents_before_flag <= k->cents_total);
    }
    assert_true(r.n_reasons > 0 && r.reasons[0].abusers > 0);
    /* Grouped by code: each a guard's, and each once. */
    for (size_t i = 0; i < r.n_reasons; i++) {
        assert_int_equal(strncmp(r.reasons[i].code, "guard_", 6), 0);
        for (size_t j = i + 1; j < r.n_reasons; j++) assert_string_not_equal(r.reasons[i].code, r.reasons[j].code);
    }
    /* The counts add up to the stored cases: customers' and labelled walk-ins'. */
    assert_int_equal(r.honest_returns + r.abuser_returns,
                     count("SELECT COUNT(*) FROM cases k WHERE rec_resolution IS NOT NULL"
                           " AND kind IN ('return', 'exchange', 'referral') AND (customer_id IS NOT NULL"
                           " OR EXISTS (SELECT 1 FROM demo_walk_ins w WHERE w.case_id = k.id))"));
    assert_int_equal(kind(&r, "ordinary")->smooth,
                     count("SELECT COUNT(*) FROM cases k WHERE customer_id IS NOT NULL"
                           " AND kind IN ('return', 'exchange', 'referral') AND rec_needs_approval = 0"
                           " AND risk_level = 'green' AND NOT EXISTS (SELECT 1 FROM demo_labels l"
                           " WHERE l.customer_id = k.customer_id)"));
    assert_int_equal(r.labels, count("SELECT (SELECT COUNT(DISTINCT COALESCE(person, customer_id)) FROM demo_labels"
                                     " WHERE label NOT LIKE 'honest%') + (SELECT COUNT(DISTINCT person)"
                                     " FROM demo_walk_ins WHERE label NOT LIKE 'honest%')"));
    /* Every case was resolved (managers approved what needed them). */
    assert_int_equal(count("SELECT COUNT(*) FROM cases WHERE status <> 'resolved'"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM cases WHERE rec_needs_approval = 1 AND approval_by IS NULL"
                           " AND amount_cents > 0"), 0);
}

/* The people the generator describes share a phone or a mailbox only where
 * they are one person: a ring's three accounts are linked, nobody else is. */
static void only_rings_share_a_key(void **state)
{
    (void)state;
    assert_true(count("SELECT COUNT(*) FROM customer_keys") > CUSTOMERS);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_keys k JOIN (SELECT key FROM customer_keys GROUP BY key"
                           " HAVING COUNT(*) > 1) s ON s.key = k.key WHERE NOT EXISTS (SELECT 1 FROM demo_labels l"
                           " WHERE l.customer_id = k.customer_id AND l.label = 'ring')"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM (SELECT person FROM demo_labels WHERE label = 'ring' GROUP BY person"
                           " HAVING COUNT(*) <> 3) x"), 0);
    /* In every ring the first account shares a key with the second and the
     * second with the third. */
    assert_int_equal(count("SELECT COUNT(*) FROM (SELECT person FROM demo_labels WHERE label = 'ring' GROUP BY person) r"
                           " WHERE NOT EXISTS (SELECT 1 FROM customer_keys a JOIN customer_keys b ON a.key = b.key"
                           " WHERE a.customer_id = r.person AND b.customer_id = r.person + 1)"
                           " OR NOT EXISTS (SELECT 1 FROM customer_keys a JOIN customer_keys b ON a.key = b.key"
                           " WHERE a.customer_id = r.person + 1 AND b.customer_id = r.person + 2)"), 0);
    /* Walk-ins are kept only as keys, and only where the desk asked. */
    assert_true(count("SELECT COUNT(*) FROM case_walk_ins") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM case_walk_ins w JOIN cases k ON k.id = w.case_id"
                           " WHERE k.customer_id IS NOT NULL"), 0);
}

static void figures_come_from_the_labels(void **state)
{
    (void)state;
    struct evaluate_result before, after;
    assert_int_equal(evaluate_run(db, &before), TD_OK);
    int64_t id = count("SELECT MIN(customer_id) FROM demo_labels WHERE label = 'wardrober'");
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM cases WHERE customer_id = %lld AND kind = 'return'", (long long)id);
    int64_t returns = count(sql);
    assert_true(returns >= 3);
    assert_int_equal(db_run(db, "UPDATE demo_labels SET label = 'honest' WHERE customer_id = ?", NULL, "i", id), TD_OK);
    assert_int_equal(evaluate_run(db, &after), TD_OK);
    assert_int_equal(after.abusers, before.abusers - 1);
    assert_int_equal(kind(&after, "wardrober")->people, kind(&before, "wardrober")->people - 1);
    assert_int_equal(kind(&after, "honest")->people, 1);
    assert_int_equal(after.honest_customers, before.honest_customers + 1);
    assert_int_equal(after.honest_returns, before.honest_returns + returns);
    /* A wardrober's returns are worn items: as an "honest" customer they
     * show up as friction. */
    assert_true(after.honest_smooth < after.honest_returns - (before.honest_returns - before.honest_smooth));
    assert_int_equal(db_run(db, "UPDATE demo_labels SET label = 'wardrober' WHERE customer_id = ?", NULL, "i", id), TD_OK);
}

/* Snapshot the purchase-fed columns, recount them with facts_add_receipts
 * and compare both ways. */
static void aggregates_equal_facts_add_receipts(void **state)
{
    (void)state;
    static const char *const snap[] = {
        ("CREATE TEMP TABLE s_facts AS SELECT customer_id, lifetime_spend_cents, visits, first_seen_at, last_purchase_at"
         " FROM customer_facts"),
        "CREATE TEMP TABLE s_days AS SELECT customer_id, day, purchases FROM customer_days WHERE purchases > 0",
        "CREATE TEMP TABLE s_price AS SELECT product_id, day, min_cents FROM product_price_days",
        "CREATE TEMP TABLE s_cat AS SELECT category, day, purchases FROM category_days WHERE purchases > 0",
        "DELETE FROM customer_facts", "DELETE FROM customer_days", "DELETE FROM product_price_days",
        "DELETE FROM category_days",
    };
    assert_int_equal(db_begin(db, 1), TD_OK);
    for (size_t i = 0; i < sizeof snap / sizeof snap[0]; i++) assert_int_equal(db_run(db, snap[i], NULL, ""), TD_OK);
    int64_t last = count("SELECT MAX(id) FROM receipts");
    assert_int_equal(facts_add_receipts(db, 1, last, demo_history_start_us(END_US)), TD_OK);
    static const char *const diff[] = {
        "SELECT COUNT(*) FROM (SELECT customer_id, lifetime_spend_cents, visits, first_seen_at, last_purchase_at"
        " FROM customer_facts EXCEPT SELECT * FROM s_facts)",
        "SELECT COUNT(*) FROM (SELECT * FROM s_facts EXCEPT SELECT customer_id, lifetime_spend_cents, visits,"
        " first_seen_at, last_purchase_at FROM customer_facts)",
        "SELECT COUNT(*) FROM (SELECT customer_id, day, purchases FROM customer_days EXCEPT SELECT * FROM s_days)",
        "SELECT COUNT(*) FROM (SELECT * FROM s_days EXCEPT SELECT customer_id, day, purchases FROM customer_days)",
        "SELECT COUNT(*) FROM (SELECT * FROM product_price_days EXCEPT SELECT * FROM s_price)",
        "SELECT COUNT(*) FROM (SELECT * FROM s_price EXCEPT SELECT * FROM product_price_days)",
        "SELECT COUNT(*) FROM (SELECT category, day, purchases FROM category_days EXCEPT SELECT * FROM s_cat)",
        "SELECT COUNT(*) FROM (SELECT * FROM s_cat EXCEPT SELECT category, day, purchases FROM category_days)",
    };
    assert_true(count("SELECT COUNT(*) FROM s_days") > CUSTOMERS / 2);
    assert_true(count("SELECT COUNT(*) FROM s_cat") > 8 * 300);   /* eight categories, most days of 400 */
    for (size_t i = 0; i < sizeof diff / sizeof diff[0]; i++)
        if (count(diff[i]) != 0) fail_msg("differs: %s", diff[i]);
    db_rollback(db);
}

static void the_command(void **state)
{
    (void)state;
    char *ok[] = {"--db", url, NULL};
    assert_int_equal(cli_evaluate(2, ok), 0);
    char *json[] = {"--db", url, "--json", NULL};
    assert_int_equal(cli_evaluate(3, json), 0);
    char *bad[] = {"--db", url, "--nonsense", NULL};
    assert_int_equal(cli_evaluate(3, bad), 2);
    /* No such file: refused, and not created. */
    char empty[128], path[128];
    snprintf(empty, sizeof empty, "sqlite:%s/empty.db", dir);
    snprintf(path, sizeof path, "%s/empty.db", dir);
    char *none[] = {"--db", empty, NULL};
    assert_int_equal(cli_evaluate(2, none), 2);
    assert_int_equal(access(path, F_OK), -1);
    /* A database without planted abusers. */
    struct db *e = NULL;
    assert_int_equal(db_open(empty, &e), TD_OK);
    assert_int_equal(db_migrate(e), TD_OK);
    assert_int_equal(cli_evaluate(2, none), 2);
    struct evaluate_result r;
    assert_int_equal(evaluate_run(e, &r), TD_E_NOT_FOUND);
    db_close(e);
}

TD_TEST_MAIN("unit_evaluate", setup, teardown,
             cmocka_unit_test(both_goals_hold),
             cmocka_unit_test(only_rings_share_a_key),
             cmocka_unit_test(figures_come_from_the_labels),
             cmocka_unit_test(aggregates_equal_facts_add_receipts),
             cmocka_unit_test(the_command))
