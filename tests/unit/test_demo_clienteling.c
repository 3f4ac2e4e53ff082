/* test_demo_clienteling.c — what the demo gives clienteling: a catalogue of
 * styles in sizes with stock per store, the knitwear collection planned in
 * Utrecht, Amsterdam and Rotterdam, books with associates of the customer's
 * store, sizes, likes, dates, notes and objections that the product would
 * accept, the spend per category exactly as cl_on_receipts() counts it, and
 * a match of KNIT-AW26 in Utrecht that gives associates tasks (and none to
 * those who objected or gave no consent). One demo of seed 7. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/buf.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/clienteling.h"
#include "domain/clienteling_catalog.h"
#include "domain/clienteling_outreach.h"
#include "sim/demo.h"
#include "fixture.h"

#define CUSTOMERS 1500
#define END_US 1795305600000000LL   /* 2026-11-22T00:00:00Z */
#define DAY_US 86400000000LL
#define HOUR_US 3600000000LL

FIXTURE_DEMO_GROUP("td-democl", 7, CUSTOMERS, END_US)

static int64_t count(const char *sql) { return fixture_count(db, sql); }
static void dump(const char *sql, struct buf *out) { fixture_dump(db, sql, out); }

static void catalogue_consistent(void **state)
{
    (void)state;
    assert_true(sum.styles > 100);
    assert_int_equal(count("SELECT COUNT(*) FROM styles"), sum.styles);
    assert_int_equal(count("SELECT COUNT(*) FROM products"), sum.products);
    /* Every variant's style exists and the variant carries its name, brand,
     * category and a valid size, as cl_style_put() writes it. */
    assert_int_equal(count("SELECT COUNT(*) FROM products p LEFT JOIN styles s ON s.id = p.style_id"
                           " WHERE p.style_id IS NOT NULL AND (s.id IS NULL OR p.name <> s.name OR p.brand <> s.brand"
                           " OR p.category <> s.category OR p.size IS NULL)"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM styles s WHERE NOT EXISTS"
                           " (SELECT 1 FROM products p WHERE p.style_id = s.id)"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM (SELECT style_id, size FROM products WHERE style_id IS NOT NULL"
                           " GROUP BY 1, 2 HAVING COUNT(*) > 1)"), 0);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT s.code, p.size FROM products p JOIN styles s ON s.id = p.style_id", &st),
                     TD_OK);
    int rc;
    while ((rc = db_step(st)) == TD_ROW) {
        assert_true(cl_code_valid(db_col_text(st, 0)));
        assert_true(cl_size_valid(db_col_text(st, 1)));
    }
    assert_int_equal(rc, TD_DONE);
    db_done(st);
    /* Plain goods (wonen, keuken, ...) have no style and no size. */
    assert_true(count("SELECT COUNT(*) FROM products WHERE style_id IS NULL AND size IS NULL") > 50);
    assert_int_equal(count("SELECT COUNT(*) FROM products WHERE style_id IS NULL AND size IS NOT NULL"), 0);
    /* Stock: every sized sku in every store, never below zero, nothing held;
     * some sold out, most not. */
    assert_int_equal(count("SELECT COUNT(*) FROM stock"),
                     count("SELECT COUNT(*) FROM products WHERE style_id IS NOT NULL") * 12);
    assert_int_equal(count("SELECT COUNT(*) FROM stock k LEFT JOIN products p ON p.id = k.product_id"
                           " WHERE p.style_id IS NULL OR k.on_hand < 0 OR k.held <> 0"), 0);
    int64_t out = count("SELECT COUNT(*) FROM stock WHERE on_hand = 0"), all = count("SELECT COUNT(*) FROM stock");
    assert_true(out > 0 && out * 4 < all);
    /* Purchases of sized goods name a sku of a size. */
    assert_true(count("SELECT COUNT(*) FROM purchase_lines l JOIN products p ON p.id = l.product_id"
                      " WHERE p.size IS NOT NULL") > CUSTOMERS);
}

static void collection_planned(void **state)
{
    (void)state;
    assert_int_equal(count("SELECT COUNT(*) FROM collections WHERE code = 'KNIT-AW26' AND name = 'Knitwear autumn'"), 1);
    assert_true(count("SELECT COUNT(*) FROM collection_styles y JOIN collections c ON c.id = y.collection_id"
                      " WHERE c.code = 'KNIT-AW26'") >= 8);
    /* New styles: nobody has bought them yet. */
    assert_int_equal(count("SELECT COUNT(*) FROM purchase_lines l JOIN products p ON p.id = l.product_id"
                           " JOIN collection_styles y ON y.style_id = p.style_id"), 0);
    /* Utrecht 3 days after the end (09:00 Amsterdam), Amsterdam a week,
     * Rotterdam two; every store planned, the default 48-hour first
     * choice, not arrived yet. */
    static const struct { const char *store; int64_t days; } when[] = {{"UTR01", 3}, {"AMS01", 7}, {"RTM01", 14}};
    for (size_t i = 0; i < sizeof when / sizeof when[0]; i++) {
        int64_t at = 0;
        assert_int_equal(db_get_int64(db,
                                      "SELECT cs.arrives_at FROM collection_stores cs JOIN stores s ON s.id = cs.store_id"
                                      " JOIN collections c ON c.id = cs.collection_id"
                                      " WHERE c.code = 'KNIT-AW26' AND s.code = ?",
                                      &at, "t", when[i].store),
                         TD_OK);
        assert_int_equal(at, END_US + when[i].days * DAY_US + 8 * HOUR_US);
    }
    assert_int_equal(count("SELECT COUNT(*) FROM collection_stores WHERE first_choice_hours = 48 AND arrived_at IS NULL"),
                     12);
    /* Its sizes are in stock in Utrecht. */
    assert_int_equal(count("SELECT COUNT(*) FROM collection_styles y JOIN products p ON p.style_id = y.style_id"
                           " JOIN stores s ON s.code = 'UTR01' LEFT JOIN stock k ON k.product_id = p.id"
                           " AND k.store_id = s.id WHERE COALESCE(k.on_hand, 0) <= 0"), 0);
}

static void books_and_profiles(void **state)
{
    (void)state;
    /* About 85 % in a book, some with a second associate. */
    int64_t books = count("SELECT COUNT(*) FROM customer_associates");
    assert_int_equal(books, sum.books);
    assert_true(books * 100 > CUSTOMERS * 80 && books * 100 < CUSTOMERS * 90);
    int64_t seconds = count("SELECT COUNT(*) FROM customer_associates WHERE second_id IS NOT NULL");
    assert_true(seconds * 100 > books * 8 && seconds * 100 < books * 25);
    /* Books are in the customer's home store, with its active staff. */
    assert_int_equal(count("SELECT COUNT(*) FROM customer_associates ca JOIN customers c ON c.id = ca.customer_id"
                           " WHERE c.home_store_id IS NOT ca.store_id"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_associates ca LEFT JOIN staff s ON s.id = ca.staff_id"
                           " LEFT JOIN staff t ON t.id = ca.second_id WHERE s.id IS NULL OR s.store_id <> ca.store_id"
                           " OR s.active <> 1 OR s.role NOT IN ('associate', 'manager')"
                           " OR (ca.second_id IS NOT NULL AND (t.store_id <> ca.store_id OR t.id = s.id"
                           "     OR t.role NOT IN ('associate', 'manager')))"), 0);
    /* Stated sizes in the sized categories, valid; learned ones from purchases. */
    assert_true(count("SELECT COUNT(*) FROM customer_sizes") > CUSTOMERS / 10);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_sizes WHERE source <> 'stated'"
                           " OR category NOT IN ('dames', 'heren', 'kinderen', 'sport')"), 0);
    assert_true(count("SELECT COUNT(*) FROM customer_category_spend WHERE last_size IS NOT NULL") > CUSTOMERS / 2);
    /* Likes and dislikes of things the catalogue has. */
    assert_true(count("SELECT COUNT(*) FROM customer_prefs WHERE sentiment = 1") > CUSTOMERS / 4);
    assert_true(count("SELECT COUNT(*) FROM customer_prefs WHERE sentiment = -1") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_prefs f WHERE f.kind = 'brand' AND f.sentiment = 1"
                           " AND NOT EXISTS (SELECT 1 FROM styles s WHERE s.brand = f.value)"), 0);
    /* Dates, notes by the customer's associate, objections (~0.4 %). */
    assert_true(count("SELECT COUNT(*) FROM customer_dates WHERE kind = 'birthday'") > CUSTOMERS / 10);
    assert_true(count("SELECT COUNT(*) FROM customer_notes") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM customer_notes n LEFT JOIN customer_associates ca"
                           " ON ca.customer_id = n.customer_id WHERE ca.staff_id IS NOT n.staff_id"), 0);
    int64_t objected = count("SELECT COUNT(*) FROM customer_objections");
    assert_int_equal(objected, sum.objections);
    assert_true(objected > 0 && objected * 1000 < CUSTOMERS * 12);
    /* Some written to in English; e-mail consent for about a third. */
    int64_t en = count("SELECT COUNT(*) FROM customers WHERE lang = 'en'");
    assert_true(en * 100 > CUSTOMERS * 2 && en * 100 < CUSTOMERS * 12);
    assert_true(sum.email_consents * 100 > CUSTOMERS * 25 && sum.email_consents * 100 < CUSTOMERS * 45);
    /* The ids the demo wrote are the ones the tables would have given. */
    assert_int_equal(count("SELECT COUNT(*) FROM customer_dates"), count("SELECT MAX(id) FROM customer_dates"));
    assert_int_equal(count("SELECT COUNT(*) FROM customer_notes"), count("SELECT MAX(id) FROM customer_notes"));
}

/* The demo counts the spend per category while it makes the purchases:
 * exactly what cl_on_receipts() counts from the stored lines. */
static void spend_as_cl_on_receipts(void **state)
{
    (void)state;
    static const char *const sql =
        "SELECT customer_id || '|' || category || '|' || spend_cents || '|' || lines || '|' || last_at || '|' ||"
        " COALESCE(last_size, '-') FROM customer_category_spend ORDER BY customer_id, category";
    struct buf made, counted;
    buf_init(&made, 64 << 20);
    buf_init(&counted, 64 << 20);
    dump(sql, &made);
    struct dctx c = {.db = db, .now_us = END_US, .addr = "cli"};
    int64_t last = count("SELECT MAX(id) FROM receipts");
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(db_run(db, "DELETE FROM customer_category_spend", NULL, ""), TD_OK);
    assert_int_equal(cl_on_receipts(&c, 1, last), TD_OK);
    dump(sql, &counted);
    db_rollback(db);
    assert_true(made.len > 1000);
    assert_string_equal(made.data, counted.data);
    buf_free(&made);
    buf_free(&counted);
}

/* KNIT-AW26 in Utrecht: the preview gives associates tasks; written, no
 * task goes to a customer who objected or to a channel without consent,
 * and every task is for an associate of Utrecht or its pool. */
static void knitwear_matches_in_utrecht(void **state)
{
    (void)state;
    struct dctx c = {.db = db, .now_us = END_US + 3 * DAY_US + 8 * HOUR_US, .addr = "cli"};
    int64_t knit = 0, utr = count("SELECT id FROM stores WHERE code = 'UTR01'");
    assert_int_equal(cl_collection_id(&c, "KNIT-AW26", &knit), TD_OK);
    struct cl_rules rules;
    clienteling_rules_default(&rules);
    struct cl_arrival_summary s;
    assert_int_equal(clienteling_arrive(&c, &rules, knit, utr, false, &s), TD_OK);
    print_message("UTR01: %lld candidates, %lld matched, %lld tasks, %lld hold-out; skipped: no consent %lld,"
                  " objected %lld, no size %lld, dislikes %lld, no fit %lld\n",
                  (long long)s.candidates, (long long)s.matched, (long long)s.tasks, (long long)s.holdout,
                  (long long)s.skipped[CL_SKIP_NO_CONSENT], (long long)s.skipped[CL_SKIP_OBJECTED],
                  (long long)s.skipped[CL_SKIP_NO_SIZE], (long long)s.skipped[CL_SKIP_DISLIKES],
                  (long long)s.skipped[CL_SKIP_NO_FIT]);
    assert_true(s.candidates > CUSTOMERS / 20);
    assert_true(s.tasks > 10);
    assert_true(s.n_staff >= 2);           /* the pool and at least one associate */
    assert_true(s.skipped[CL_SKIP_NO_CONSENT] > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM outreach_tasks"), 0);   /* a preview writes nothing */

    assert_int_equal(db_begin(db, 1), TD_OK);
    struct cl_arrival_summary w;
    assert_int_equal(clienteling_arrive(&c, &rules, knit, utr, true, &w), TD_OK);
    assert_int_equal(w.matched, s.matched);
    assert_int_equal(count("SELECT COUNT(*) FROM outreach_tasks WHERE status = 'open'"), w.tasks);
    assert_int_equal(count("SELECT COUNT(*) FROM outreach_tasks t JOIN customer_objections o"
                           " ON o.customer_id = t.customer_id"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM outreach_tasks t JOIN customers c ON c.id = t.customer_id"
                           " WHERE (t.channel = 'phone' AND c.phone_consent <> 1)"
                           " OR (t.channel = 'email' AND c.email_consent <> 1)"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM outreach_tasks t LEFT JOIN staff s ON s.id = t.staff_id"
                           " WHERE t.staff_id IS NOT NULL AND s.store_id IS NOT t.store_id"), 0);
    assert_true(count("SELECT COUNT(*) FROM outreach_tasks t JOIN customer_associates ca"
                      " ON ca.customer_id = t.customer_id AND ca.staff_id = t.staff_id") > 0);
    db_rollback(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_consistent),
        cmocka_unit_test(collection_planned),
        cmocka_unit_test(books_and_profiles),
        cmocka_unit_test(spend_as_cl_on_receipts),
        cmocka_unit_test(knitwear_matches_in_utrecht),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
