/* test_import.c — CSV imports against a fresh database per test:
 * formats, every rejection with its line and column, all-or-nothing,
 * idempotency, line numbering of receipts, product upserts; purchases
 * imported while their customer is erased (on PostgreSQL too). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/buf.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/import.h"
#include "domain/store.h"
#include "fixture.h"

static int setup(void **state)
{
    if (fixture_setup_pg(state) != 0) return -1;
    return fixture_stores(*state, "UTR01", "AMS01", NULL) == TD_OK ? 0 : -1;
}

/* Runs an import in its own transaction the way the API and CLI do: commit
 * on success, roll back otherwise. */
static int run_import(struct fixture *f, int purchases, const char *csv, struct import_report *rep)
{
    import_report_init(rep);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = purchases ? import_purchases(&f->c, csv, strlen(csv), rep) : import_customers(&f->c, csv, strlen(csv), rep);
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

static int64_t count(struct fixture *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(f->db, sql, &n), TD_OK);
    return n;
}

/* Asserts that the report has exactly these problems, in order; each is
 * "LINE column_name" or "LINE" with the problem containing `problem`. */
struct want { long long line; const char *column; const char *problem; };
static void expect_problems(const struct import_report *rep, const struct want *w, size_t n)
{
    int bad = rep->nproblems != n;
    for (size_t i = 0; i < n && !bad; i++) {
        const struct import_problem *p = &rep->problem[i];
        bad = p->line != w[i].line || strcmp(p->column_name, w[i].column) != 0 || !strstr(p->problem, w[i].problem);
    }
    if (bad) {
        print_error("problems found:\n");
        for (size_t i = 0; i < rep->nproblems; i++)
            print_error("  %lld %s (col %d): %s\n", (long long)rep->problem[i].line, rep->problem[i].column_name,
                        rep->problem[i].column, rep->problem[i].problem);
        print_error("problems wanted:\n");
        for (size_t i = 0; i < n; i++) print_error("  %lld %s: ...%s...\n", w[i].line, w[i].column, w[i].problem);
        fail();
    }
    assert_int_equal(rep->problems_total, (int64_t)n);
}

#define CUSTOMERS_HEADER "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
#define PURCHASES_HEADER "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"

static void customers_good_file(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    /* BOM, semicolons, CRLF, columns in another order and case, quotes. */
    const char *csv = "\xef\xbb\xbf" "NAME;Loyalty_Number;email;phone;home_store_code;email_marketing_consent;phone_marketing_consent\r\n"
                      "José Müller;L-1001;jose@example.nl;+31 6 1234 5678;UTR01;ja;nee\r\n"
                      "\"van 't Hek; Zoë\";L-1002;;;;YES;true\r\n"
                      "  Anna de Vries  ;L-1003;;;AMS01;;0\r\n";
    assert_int_equal(run_import(f, 0, csv, &rep), TD_OK);
    assert_string_equal(rep.kind, "customers");
    assert_int_equal(rep.lines, 3);
    assert_int_equal(rep.added, 3);
    assert_int_equal(rep.skipped, 0);
    assert_int_equal(rep.problems_total, 0);
    import_report_free(&rep);

    struct customer cu;
    assert_int_equal(customer_get_by_loyalty(&f->c, "L-1001", &cu), TD_OK);
    assert_string_equal(cu.name, "José Müller");
    assert_string_equal(cu.email, "jose@example.nl");
    assert_string_equal(cu.home_store_code, "UTR01");
    assert_int_equal(cu.email_marketing.given, 1);
    assert_string_equal(cu.email_marketing.source, "import");
    assert_int_equal(cu.email_marketing.at, f->c.now_us);
    assert_int_equal(cu.phone_marketing.given, 0);
    assert_string_equal(cu.phone_marketing.source, "");
    assert_int_equal(customer_get_by_loyalty(&f->c, "L-1002", &cu), TD_OK);
    assert_string_equal(cu.name, "van 't Hek; Zoë");
    assert_int_equal(cu.email_marketing.given, 1);
    assert_int_equal(cu.phone_marketing.given, 1);
    assert_int_equal(customer_get_by_loyalty(&f->c, "L-1003", &cu), TD_OK);
    assert_string_equal(cu.name, "Anna de Vries");     /* spaces around a field are dropped */
    /* Consent events only for consent given, with source "import". */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM consent_events WHERE source = 'import' AND given = 1"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM consent_events"), 3);
    /* Search terms like the API writes them. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customer_search WHERE term IN ('zoe', 'muller', 'hek', '0612345678', 'l1001')"), 5);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'import.customers' AND detail LIKE '%\"added\":3%'"), 1);
    /* The audit row names no person. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%L-100%' OR detail LIKE '%José%'"), 0);
}

static void customers_reimport_skips(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    const char *csv = CUSTOMERS_HEADER "L-2001,Daan,,,,,\nL-2002,Fleur,,,,yes,\n";
    assert_int_equal(run_import(f, 0, csv, &rep), TD_OK);
    assert_int_equal(rep.added, 2);
    import_report_free(&rep);
    /* Again, and a new one: the known ones are skipped, not changed. */
    const char *again = CUSTOMERS_HEADER "L-2001,Daan Changed,,,,yes,\nL-2002,Fleur,,,,yes,\nL-2003,Noah,,,,,\n";
    assert_int_equal(run_import(f, 0, again, &rep), TD_OK);
    assert_int_equal(rep.lines, 3);
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.skipped, 2);
    import_report_free(&rep);
    struct customer cu;
    assert_int_equal(customer_get_by_loyalty(&f->c, "L-2001", &cu), TD_OK);
    assert_string_equal(cu.name, "Daan");
    assert_int_equal(cu.email_marketing.given, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customers"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM consent_events"), 1);
}

static void customers_bad_file_names_every_problem(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    const char *csv = CUSTOMERS_HEADER
        "L-3001,Good Person,,,,,\n"                                   /* 2 */
        "L-3002,,not-an-email,12,NOPE1,maybe,\n"                     /* 3 */
        "L-3001,Twice,,,,,\n"                                         /* 4 */
        "x,Short Loyalty,,,,,\n"                                      /* 5 */
        "L-3005,Too,Few\n"                                            /* 6 */
        "L-3006,\"Name\nOn Two Lines\",a@b.nl,,UTR01,ja,\n"           /* 7-8: fine */
        "L-3007,Bad \xc3\x28 UTF-8,,,,,\n"                            /* 9 */
        ",Nobody,,,,,\n";                                             /* 10 */
    assert_int_equal(run_import(f, 0, csv, &rep), TD_E_INVALID);
    const struct want w[] = {
        {3, "name", "is empty"},
        {3, "email", "is not an e-mail address"},
        {3, "phone", "is not a phone number"},
        {3, "home_store_code", "no store has this code"},
        {3, "email_marketing_consent", "must be yes or no"},
        {4, "loyalty_number", "appears again; first on line 2"},
        {5, "loyalty_number", "must be 4 to 32"},
        {6, "", "has 3 fields; the header has 7"},
        {9, "name", "UTF-8"},
        {10, "loyalty_number", "is empty"},
    };
    expect_problems(&rep, w, sizeof w / sizeof w[0]);
    assert_int_equal(rep.problem[0].column, 2);   /* name is the 2nd column */
    assert_int_equal(rep.problem[7].column, 0);   /* a problem with the whole line */
    assert_int_equal(rep.added, 0);
    assert_int_equal(rep.lines, 8);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customers"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customer_search"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action LIKE 'import.%'"), 0);
}

static void header_problems(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    assert_int_equal(run_import(f, 0, "Loyalty_Number,colour,email,EMAIL,\nL-1,x,,,\n", &rep), TD_E_INVALID);
    const struct want w[] = {
        {1, "", "is a required column and is missing"},   /* sorted first: column 0 */
        {1, "colour", "is not a column of a customers file"},
        {1, "email", "appears twice (also column 3)"},
        {1, "column 5", "has no name"},
    };
    /* "name" is the missing one; the report puts problems with no column first. */
    assert_string_equal(rep.problem[0].problem, "is a required column and is missing");
    assert_int_equal(rep.nproblems, 4);
    assert_string_equal(rep.problem[0].column_name, "name");
    for (size_t i = 1; i < 4; i++) {
        assert_int_equal(rep.problem[i].line, w[i].line);
        assert_string_equal(rep.problem[i].column_name, w[i].column);
        assert_non_null(strstr(rep.problem[i].problem, w[i].problem));
    }
    assert_int_equal(rep.problem[1].column, 2);
    assert_int_equal(rep.lines, 0);                   /* a bad header stops the reading */
    import_report_free(&rep);

    /* The columns of the other kind are not known here. */
    assert_int_equal(run_import(f, 1, CUSTOMERS_HEADER, &rep), TD_E_INVALID);
    assert_true(rep.nproblems >= 7);
    import_report_free(&rep);

    /* An empty file, and a header without lines. */
    assert_int_equal(run_import(f, 1, "", &rep), TD_E_INVALID);
    assert_int_equal(rep.nproblems, 1);
    assert_int_equal(rep.problem[0].line, 1);
    assert_non_null(strstr(rep.problem[0].problem, "empty"));
    import_report_free(&rep);
    assert_int_equal(run_import(f, 1, PURCHASES_HEADER, &rep), TD_OK);
    assert_int_equal(rep.lines, 0);
    import_report_free(&rep);
    /* Optional columns may be left out. */
    assert_int_equal(run_import(f, 0, "name,loyalty_number\nZoë,L-4001\n", &rep), TD_OK);
    assert_int_equal(rep.added, 1);
    import_report_free(&rep);
}

static void seed_customers(struct fixture *f)
{
    struct import_report rep;
    assert_int_equal(run_import(f, 0, CUSTOMERS_HEADER "L-1001,José Müller,,,,,\nL-1002,Zoë,,,,,\n", &rep), TD_OK);
    import_report_free(&rep);
}

static void purchases_good_file(void **state)
{
    struct fixture *f = *state;
    seed_customers(f);
    struct import_report rep;
    /* Semicolons, decimal commas, interleaved receipts, an anonymous sale, a
     * product named differently later in the file, a line break in a name. */
    const char *csv =
        "receipt_id;purchased_at;store_code;customer_ref;sku;product_name;brand;category;unit_price;quantity\n"
        "R-1;2026-03-01 10:00;UTR01;L-1001;SKU-1;Jas;Acme;Jassen;12,50;1\n"
        "R-2;2026-03-01T09:30:00Z;AMS01;;SKU-2;\"Sok\nrood\";Acme;Sokken;3.99;2\n"
        "R-1;2026-03-01 10:00;UTR01;L-1001;SKU-2;\"Sok\nrood\";Acme;Sokken;1.234,00;3\n"
        "R-1;2026-03-01 10:00;UTR01;L-1001;SKU-1;Winterjas;Acme;Jassen;0;1\n";
    assert_int_equal(run_import(f, 1, csv, &rep), TD_OK);
    assert_string_equal(rep.kind, "purchases");
    assert_int_equal(rep.lines, 4);
    assert_int_equal(rep.added, 4);
    assert_int_equal(rep.skipped, 0);
    assert_int_equal(rep.receipts_added, 2);
    assert_int_equal(rep.products_added, 2);
    assert_int_equal(rep.products_updated, 1);
    import_report_free(&rep);
    /* Lines of R-1 numbered 1..3 in file order. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines l JOIN receipts r ON r.id = l.receipt_id"
                              " JOIN products p ON p.id = l.product_id WHERE r.receipt_ref = 'R-1' AND"
                              " ((l.line_no = 1 AND p.sku = 'SKU-1' AND l.unit_price_cents = 1250) OR"
                              "  (l.line_no = 2 AND p.sku = 'SKU-2' AND l.unit_price_cents = 123400 AND l.quantity = 3) OR"
                              "  (l.line_no = 3 AND p.sku = 'SKU-1' AND l.unit_price_cents = 0))"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts r JOIN customers c ON c.id = r.customer_id"
                              " WHERE r.receipt_ref = 'R-1' AND c.loyalty_number = 'L-1001'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines l JOIN receipts r ON r.id = l.receipt_id"
                              " WHERE r.receipt_ref = 'R-1' AND l.customer_id = r.customer_id"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts WHERE receipt_ref = 'R-2' AND customer_id IS NULL"
                              " AND purchased_at = 1772357400000000"), 1);
    /* 2026-03-01 10:00 in Amsterdam (CET) is 09:00 UTC. */
    assert_int_equal(count(f, "SELECT purchased_at FROM receipts WHERE receipt_ref = 'R-1'"), 1772355600000000LL);
    /* The last line of a SKU names the product; line breaks became spaces. */
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-1' AND name = 'Winterjas'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-2' AND name = 'Sok rood'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'import.purchases'"), 1);
}

/* A file imported while one of its customers is being erased: the erasure
 * starts after the file's customers were looked up and its first part was
 * written, before the customer's own line (past the first 4 MiB, where the
 * import reports progress). Whichever then goes first, no receipt, line or
 * aggregate stays the erased customer's. */
struct erase_midway {
    struct fixture *f;
    int64_t customer;
    struct fixture_eraser e;
    int started;
};

static void erase_at_first_progress(void *arg, size_t done, size_t total)
{
    struct erase_midway *m = arg;
    if (m->started || done >= total) return;
    m->started = 1;
    fixture_erase_apart(m->f, m->f->c.actor, m->customer, &m->e);
}

static void purchases_during_erasure_are_unlinked(void **state)
{
    struct fixture *f = *state;
    seed_customers(f);
    struct erase_midway m = {.f = f, .customer = count(f, "SELECT id FROM customers WHERE loyalty_number = 'L-1001'")};
    char name[201];
    memset(name, 'x', 200);
    name[200] = '\0';
    struct buf csv;
    buf_init(&csv, 8 << 20);
    assert_int_equal(buf_puts(&csv, PURCHASES_HEADER), TD_OK);
    for (int i = 0; csv.len < (5u << 20); i++)   /* anonymous sales, past the first progress report */
        assert_int_equal(buf_printf(&csv, "R-A%d,2026-11-10 12:00,UTR01,,SKU-1,%s,Acme,Jassen,9.95,1\n", i, name), TD_OK);
    assert_int_equal(buf_printf(&csv, "R-E1,2026-11-10 12:00,UTR01,L-1001,SKU-1,%s,Acme,Jassen,49.95,1\n", name), TD_OK);
    struct import_report rep;
    import_report_init(&rep);
    rep.progress = erase_at_first_progress;
    rep.progress_arg = &m;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(import_purchases(&f->c, csv.data, csv.len, &rep), TD_OK);
    import_report_free(&rep);
    buf_free(&csv);
    assert_true(m.started);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(fixture_erase_join(&m.e), TD_OK);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customers WHERE erased_at IS NOT NULL"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts WHERE receipt_ref = 'R-E1'"), 1);
    char sql[256];
    const char *tables[] = {"receipts", "purchase_lines", "customer_facts", "customer_days", "customer_item_stores"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM %s WHERE customer_id = %lld", tables[i], (long long)m.customer);
        if (count(f, sql) != 0) fail_msg("%s still holds the erased customer", tables[i]);
    }
}

static void purchases_reimport_adds_nothing(void **state)
{
    struct fixture *f = *state;
    seed_customers(f);
    struct import_report rep;
    const char *csv = PURCHASES_HEADER
        "R-10,2026-03-01 10:00,UTR01,L-1002,SKU-1,Jas,Acme,Jassen,12.50,1\n"
        "R-10,2026-03-01 10:00,UTR01,L-1002,SKU-2,Sok,Acme,Sokken,3.50,2\n"
        "R-11,2026-03-02 10:00,AMS01,,SKU-1,Jas,Acme,Jassen,12.50,1\n";
    assert_int_equal(run_import(f, 1, csv, &rep), TD_OK);
    assert_int_equal(rep.added, 3);
    import_report_free(&rep);
    /* The products change in the database meanwhile; a re-import must not undo that. */
    assert_int_equal(db_exec(f->db, "UPDATE products SET name = 'Renamed' WHERE sku = 'SKU-1'"), TD_OK);
    /* Same file, plus a new receipt: the known receipts are skipped whole. */
    struct buf more;
    buf_init(&more, 4096);
    assert_int_equal(buf_printf(&more, "%sR-12,2026-03-03 10:00,AMS01,L-1001,SKU-3,Trui,Acme,Truien,25,1\n", csv), TD_OK);
    assert_int_equal(run_import(f, 1, more.data, &rep), TD_OK);
    assert_int_equal(rep.lines, 4);
    assert_int_equal(rep.added, 1);
    assert_int_equal(rep.skipped, 3);
    assert_int_equal(rep.receipts_added, 1);
    assert_int_equal(rep.receipts_skipped, 2);
    assert_int_equal(rep.products_added, 1);
    assert_int_equal(rep.products_updated, 0);
    import_report_free(&rep);
    buf_free(&more);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines"), 4);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts"), 3);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE name = 'Renamed'"), 1);
}

static void purchases_bad_file_names_every_problem(void **state)
{
    struct fixture *f = *state;
    seed_customers(f);
    struct import_report rep;
    char long_sku[80], long_name[700], ok_name[500];
    memset(long_sku, 'S', 65);
    long_sku[65] = '\0';
    size_t k = 0;
    for (int i = 0; i < 201; i++) k += (size_t)snprintf(long_name + k, sizeof long_name - k, "é");
    k = 0;
    for (int i = 0; i < 200; i++) k += (size_t)snprintf(ok_name + k, sizeof ok_name - k, "é");
    struct buf csv;
    buf_init(&csv, 1 << 16);
    assert_int_equal(buf_printf(&csv, PURCHASES_HEADER
        "R-1,2026-03-01 10:00,UTR01,L-1001,SKU-1,Jas,Acme,Jassen,12.50,1\n"            /* 2 good */
        "R-2,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,-12.50,1\n"                 /* 3 */
        "R-3,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,12.505,0\n"                 /* 4 */
        "R-4,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,1,1.5\n"                    /* 5 */
        "R-5,2026-02-30 10:00,XXX99,L-9999,SKU-1,Jas,Acme,Jassen,1,1\n"                /* 6 */
        "R-1,2026-03-01 11:00,AMS01,L-1002,SKU-1,Jas,Acme,Jassen,1,1\n"                /* 7 */
        "R-6,2026-03-01 10:00,UTR01,,%s,%s,Acme,Jassen,1,1\n"                          /* 8 */
        "R-7,2026-03-01,UTR01,,SKU-1,%s,Acme,Jassen,1,1\n"                             /* 9 */
        "R-8,2026-03-01 10:00,UTR01,,,Jas,Acme,Jassen,€ 1,abc\n"                       /* 10 */
        "R-11,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,12 euro,1\n"             /* 11 */
        "R-9,2026-03-01 10:00,UTR01,,SKU-1,\"Jas\"x,Acme,Jassen,1,1\n"                 /* 12 */
        "R-10,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,1\n",                      /* 13 */
        long_sku, long_name, ok_name), TD_OK);
    assert_int_equal(run_import(f, 1, csv.data, &rep), TD_E_INVALID);
    const struct want w[] = {
        {3, "unit_price", "is negative"},
        {4, "unit_price", "could mean thousands or decimals"},
        {4, "quantity", "must be at least 1"},
        {5, "quantity", "is not a whole number"},
        {6, "purchased_at", "is not a date and time"},
        {6, "store_code", "no store has this code"},
        {6, "customer_ref", "no customer has this loyalty number"},
        {7, "purchased_at", "differs from line 2 of the same receipt"},
        {7, "store_code", "differs from line 2"},
        {7, "customer_ref", "differs from line 2"},
        {8, "sku", "is longer than 64 characters"},
        {8, "product_name", "is longer than 200 characters"},
        {9, "purchased_at", "is not a date and time"},      /* a date without a time */
        {10, "sku", "is empty"},
        {10, "unit_price", "may only hold"},                 /* the euro sign is not ASCII */
        {10, "quantity", "is not a whole number"},
        {11, "unit_price", "is not an amount like 12,50"},
        {12, "", "has text after the closing"},
        {13, "", "has 9 fields; the header has 10"},
    };
    expect_problems(&rep, w, sizeof w / sizeof w[0]);
    assert_int_equal(rep.problem[0].column, 9);
    import_report_free(&rep);
    buf_free(&csv);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM receipts"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines"), 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products"), 0);
}

/* A bad line after a multi-line field is reported on the line an editor
 * shows; a receipt id of 64 characters and a name of 200 are fine. */
static void limits_and_line_numbers(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    char id64[65], name200[401];
    memset(id64, 'R', 64);
    id64[64] = '\0';
    size_t k = 0;
    for (int i = 0; i < 200; i++) k += (size_t)snprintf(name200 + k, sizeof name200 - k, "ë");
    struct buf csv;
    buf_init(&csv, 1 << 16);
    assert_int_equal(buf_printf(&csv, PURCHASES_HEADER
        "%s,2026-03-01 10:00,UTR01,,SKU-1,\"%s\",Acme,Jassen,1,1\n"                   /* 2 */
        "R-2,2026-03-01 10:00,UTR01,,SKU-2,\"Two\nlines\nlong\",Acme,Jassen,1,1\n"    /* 3-5 */
        "R-3,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,-1,1\n",                    /* 6 */
        id64, name200), TD_OK);
    assert_int_equal(run_import(f, 1, csv.data, &rep), TD_E_INVALID);
    const struct want w[] = { {6, "unit_price", "is negative"} };
    expect_problems(&rep, w, 1);
    import_report_free(&rep);
    /* Without the bad line it imports. */
    char *bad = strstr(csv.data, "R-3,");
    *bad = '\0';
    assert_int_equal(run_import(f, 1, csv.data, &rep), TD_OK);
    assert_int_equal(rep.added, 2);
    import_report_free(&rep);
    buf_free(&csv);
}

/* Every problem is counted; the report keeps the first IMPORT_PROBLEMS_MAX. */
static void many_problems(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    struct buf csv;
    buf_init(&csv, 8 << 20);
    assert_int_equal(buf_puts(&csv, PURCHASES_HEADER), TD_OK);
    for (int i = 0; i < IMPORT_PROBLEMS_MAX + 50; i++)
        assert_int_equal(buf_printf(&csv, "R-%d,2026-03-01 10:00,UTR01,,SKU-1,Jas,Acme,Jassen,-1,1\n", i), TD_OK);
    assert_int_equal(run_import(f, 1, csv.data, &rep), TD_E_INVALID);
    assert_int_equal(rep.problems_total, IMPORT_PROBLEMS_MAX + 50);
    assert_int_equal(rep.nproblems, IMPORT_PROBLEMS_MAX);
    assert_int_equal(rep.problem[IMPORT_PROBLEMS_MAX - 1].line, IMPORT_PROBLEMS_MAX + 1);
    import_report_free(&rep);
    buf_free(&csv);
}

/* The progress callback hears about every byte. */
static void note_progress(void *arg, size_t done, size_t total)
{
    size_t *seen = arg;
    assert_true(done <= total);
    *seen = done;
}

static void progress(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    import_report_init(&rep);
    size_t seen = 0;
    rep.progress = note_progress;
    rep.progress_arg = &seen;
    const char *csv = CUSTOMERS_HEADER "L-5001,Emma,,,,,\n";
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(import_customers(&f->c, csv, strlen(csv), &rep), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(seen, strlen(csv));
    import_report_free(&rep);
    assert_ptr_equal(rep.progress, note_progress);   /* kept for the next run */
}

/* Free text: line breaks inside become one space, spaces and breaks around
 * are dropped. Amounts: one separator before three digits is ambiguous. */
static void text_and_amounts(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    const char *csv = PURCHASES_HEADER
        "R-1,2026-03-01 10:00,UTR01,,SKU-1,\"  Trui\r\n\",\"\nAcme\",\"Truien\n\n\",\"1.234,50\",1\n"
        "R-1,2026-03-01 10:00,UTR01,,SKU-2,\"Sok\r\n\r\nrood\",Acme,Sokken,1.5,1\n";
    assert_int_equal(run_import(f, 1, csv, &rep), TD_OK);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-1' AND name = 'Trui' AND brand = 'Acme'"
                              " AND category = 'Truien'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-2' AND name = 'Sok rood'"), 1);
    assert_int_equal(count(f, "SELECT SUM(unit_price_cents) FROM purchase_lines"), 123450 + 150);
    const char *bad = PURCHASES_HEADER
        "R-2,2026-03-01 10:00,UTR01,,SKU-1,Trui,,,1.234,1\n"
        "R-2,2026-03-01 10:00,UTR01,,SKU-1,Trui,,,\"12,345\",1\n"
        "R-2,2026-03-01 10:00,UTR01,,SKU-1,Trui,,,1.234.567,1\n"
        "R-2,2026-03-01 10:00,UTR01,,SKU-1,\"Tr\tui\",,,1,1\n"
        "R-2,2026-03-01 10:00,UTR01,,\"SKU\n1\",Trui,,,1,1\n";
    assert_int_equal(run_import(f, 1, bad, &rep), TD_E_INVALID);
    const struct want w[] = {
        {2, "unit_price", "could mean thousands or decimals"},
        {3, "unit_price", "could mean thousands or decimals"},
        {4, "unit_price", "is more than 1000000.00"},
        {6, "sku", "contains a line break"},
    };
    expect_problems(&rep, w, sizeof w / sizeof w[0]);
    import_report_free(&rep);
}

/* Tills write inch marks unquoted (Monitor 24"): taken as they are, the way
 * Excel and LibreOffice read them, with a warning naming line and column. */
static void unquoted_quotes_are_literal_with_a_warning(void **state)
{
    struct fixture *f = *state;
    seed_customers(f);
    struct import_report rep;
    const char *csv = PURCHASES_HEADER
        "R-9,2026-03-01 10:00,UTR01,L-1001,SKU-9,Monitor 24\",Acme,Beeld,199.00,1\n"
        "R-9,2026-03-01 10:00,UTR01,L-1001,SKU-8,Kabel,Acme,Beeld,9.00,1\n"
        "R-10,2026-03-01 11:00,UTR01,,SKU-7,Scherm 27\" \"Pro\",Acme,Beeld,299.00,1\n";
    assert_int_equal(run_import(f, 1, csv, &rep), TD_OK);
    assert_int_equal(rep.added, 3);
    assert_int_equal(rep.warnings_total, 2);
    assert_int_equal(rep.nwarnings, 2);
    assert_int_equal(rep.warning[0].line, 2);
    assert_int_equal(rep.warning[0].column, 6);
    assert_string_equal(rep.warning[0].column_name, "product_name");
    assert_non_null(strstr(rep.warning[0].problem, "read as it is"));
    assert_int_equal(rep.warning[1].line, 4);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-9' AND name = 'Monitor 24\"'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE sku = 'SKU-7' AND name = 'Scherm 27\" \"Pro\"'"), 1);
}

/* A file saved as Windows-1252 is refused at its lines and columns, with the
 * cure in the problem; nothing is imported. */
static void windows_1252_is_refused_with_a_hint(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    const char *csv = CUSTOMERS_HEADER "L-2001,Jos\xe9 M\xfcller,,,,,\nL-2002,Anna,,,,,\nL-2003,Zo\xeb,,,,,\n";
    assert_int_equal(run_import(f, 0, csv, &rep), TD_E_INVALID);
    const struct want w[] = {
        {2, "name", "looks like Windows-1252"},
        {4, "name", "iconv -f WINDOWS-1252 -t UTF-8"},
    };
    expect_problems(&rep, w, sizeof w / sizeof w[0]);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customers WHERE loyalty_number LIKE 'L-200%'"), 0);
}

/* The kinds are found by name through imports.def; an import through the
 * table is the same as through its function, and the report lists the
 * kind's own counts in order. */
static void kinds_come_from_the_table(void **state)
{
    struct fixture *f = *state;
    assert_null(import_kind_find("returns"));
    assert_null(import_kind_find(""));
    assert_string_equal(import_kind_name(0), "customers");
    assert_string_equal(import_kind_name(1), "purchases");
    assert_string_equal(import_kind_name(2), "catalogue");
    assert_string_equal(import_kind_name(3), "stock");
    assert_null(import_kind_name(4));
    const struct import_kind *k = import_kind_find("purchases");
    assert_non_null(k);
    const char csv[] = "receipt_id,purchased_at,store_code,sku,product_name,unit_price,quantity\n"
                       "R-1,2026-03-14 10:15,UTR01,A1,Trui,10.00,1\n"
                       "R-1,2026-03-14 10:15,UTR01,A2,Sok,2.50,2\n";
    struct import_report rep;
    import_report_init(&rep);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(import_run(&f->c, k, csv, strlen(csv), &rep), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_string_equal(rep.kind, "purchases");
    struct import_count cnt[IMPORT_COUNTS_MAX];
    size_t n = import_report_counts(&rep, cnt, IMPORT_COUNTS_MAX);
    assert_int_equal(n, 4);
    assert_string_equal(cnt[0].name, "receipts_added");
    assert_int_equal(cnt[0].value, 1);
    assert_string_equal(cnt[2].name, "products_added");
    assert_string_equal(cnt[2].group, "products");
    assert_int_equal(cnt[2].value, 2);
    assert_int_equal(import_report_counts(&rep, cnt, 1), 1);
    import_report_free(&rep);
    /* customers report no counts of their own */
    const char people[] = "loyalty_number,name\nNL-900001,Ada\n";
    import_report_init(&rep);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(import_run(&f->c, import_kind_find("customers"), people, strlen(people), &rep), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(rep.added, 1);
    assert_int_equal(import_report_counts(&rep, cnt, IMPORT_COUNTS_MAX), 0);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'import.purchases'"
                              " AND detail LIKE '%\"products_added\":2,%'"), 1);
}


/* Runs the kind named in its own transaction, as run_import does. */
static int run_kind(struct fixture *f, const char *kind, const char *csv, struct import_report *rep)
{
    import_report_init(rep);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = import_run(&f->c, import_kind_find(kind), csv, strlen(csv), rep);
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

/* The same file as kind again a day later: taken, nothing added, every one
 * of its lines skipped, and sql (the sum of the rows' updated_at) as it
 * was. The report stays in rep for more checks; the caller frees it. */
static void again_a_day_later(struct fixture *f, const char *kind, const char *csv, int64_t lines, const char *sql,
                              struct import_report *rep)
{
    int64_t at = count(f, sql);
    fixture_at(f, FIXTURE_NOW + FIXTURE_DAY);
    assert_int_equal(run_kind(f, kind, csv, rep), TD_OK);
    assert_int_equal(rep->added, 0);
    assert_int_equal(rep->skipped, lines);
    assert_int_equal(count(f, sql), at);
}

/* csv as kind is refused with exactly the problems w (n of them). */
static void refused(struct fixture *f, const char *kind, const char *csv, const struct want *w, size_t n)
{
    struct import_report rep;
    assert_int_equal(run_kind(f, kind, csv, &rep), TD_E_INVALID);
    expect_problems(&rep, w, n);
    import_report_free(&rep);
}

#define CATALOGUE_HEADER "style_code,style_name,brand,category,colour,price,sku,size,collection\n"
static const char CATALOGUE[] = CATALOGUE_HEADER
    "KT-26,Kabeltrui,Noordzee,Truien,navy,\"89,95\",KT-M,M,KNIT-AW26\n"
    "SOK-1,Sokken,Noordzee,Sokken,,12.50,SOK-1-39,39-42,\n"
    "KT-26,Kabeltrui,Noordzee,Truien,navy,\"89,95\",KT-L,L,KNIT-AW26\n";

/* Styles with their sizes and collections; again, nothing changes; every
 * bad line and column named, a style's lines disagreeing included. */
static void catalogue_good_bad_and_again(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    assert_int_equal(run_kind(f, "catalogue", CATALOGUE, &rep), TD_OK);
    assert_int_equal(rep.added, 3);
    assert_int_equal(rep.styles_added, 2);
    assert_int_equal(rep.collections_added, 1);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM products WHERE style_id = (SELECT id FROM styles WHERE code = 'KT-26')"), 2);
    assert_int_equal(count(f, "SELECT price_cents FROM styles WHERE code = 'KT-26'"), 8995);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM collection_styles"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM collections WHERE name = 'KNIT-AW26'"), 1);
    again_a_day_later(f, "catalogue", CATALOGUE, 3, "SELECT SUM(updated_at) FROM styles", &rep);
    assert_int_equal(rep.styles_added + rep.styles_updated + rep.collections_added, 0);
    import_report_free(&rep);

    const char *bad = CATALOGUE_HEADER
        "JAS-1,Jas,Noordzee,Jassen,,199.00,JAS-M,M,\n"
        "JAS-1,Jas,Zuidzee,Jassen,,189.00,JAS-L,L,\n"
        "bad code,Jas,Noordzee,Jassen,,1.234,JAS-XL,XXXXXXXXXL,no way\n"
        "JAS-2,Jas,Noordzee,Jassen,,10.00,JAS-M,S,\n";
    const struct want w[] = {
        {3, "brand", "differs from line 2 of the same style"},
        {3, "price", "differs from line 2"},
        {4, "style_code", "must be 1 to 32"},
        {4, "price", "thousands or decimals"},
        {4, "size", "is longer than 8 characters"},
        {4, "collection", "must be 1 to 32"},
        {5, "sku", "appears again; first on line 2"},
    };
    refused(f, "catalogue", bad, w, sizeof w / sizeof w[0]);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM styles WHERE code LIKE 'JAS%'"), 0);
}

/* On hand per store and sku; again, nothing changes; unknown stores and
 * skus, bad counts and repeats named. */
static void stock_good_bad_and_again(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    assert_int_equal(run_kind(f, "catalogue", CATALOGUE, &rep), TD_OK);
    import_report_free(&rep);
    const char good[] = "store_code,sku,on_hand\nUTR01,KT-M,3\nAMS01,KT-M,0\nUTR01,KT-L,1\n";
    assert_int_equal(run_kind(f, "stock", good, &rep), TD_OK);
    assert_int_equal(rep.added, 3);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT SUM(on_hand) FROM stock"), 4);
    again_a_day_later(f, "stock", good, 3, "SELECT SUM(updated_at) FROM stock", &rep);
    import_report_free(&rep);
    const char bad[] = "store_code,sku,on_hand\nXXX01,KT-M,1\nUTR01,NOPE,1\nUTR01,KT-M,-2\nUTR01,KT-L,x\n"
                       "UTR01,KT-M,5\nUTR01,KT-M,6\n";
    const struct want w[] = {
        {2, "store_code", "no store has this code"},
        {3, "sku", "is not a known sku"},
        {4, "on_hand", "is negative"},
        {5, "on_hand", "is not a whole number"},
        {6, "sku", "appears again for this store; first on line 4"},
        {7, "sku", "appears again for this store; first on line 4"},
    };
    refused(f, "stock", bad, w, sizeof w / sizeof w[0]);
    assert_int_equal(count(f, "SELECT SUM(on_hand) FROM stock"), 4);
}

/* Purchases may say the size sold; a bad one is named. */
static void purchases_take_a_size(void **state)
{
    struct fixture *f = *state;
    struct import_report rep;
    const char csv[] = "receipt_id,purchased_at,store_code,sku,product_name,unit_price,quantity,size\n"
                       "R-1,2026-03-14 10:15,UTR01,A1,Trui,10.00,1,M\n"
                       "R-1,2026-03-14 10:15,UTR01,A2,Sok,2.50,2,\n";
    assert_int_equal(run_import(f, 1, csv, &rep), TD_OK);
    import_report_free(&rep);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines WHERE size = 'M' AND line_no = 1"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM purchase_lines WHERE size IS NULL AND line_no = 2"), 1);
    const char bad[] = "receipt_id,purchased_at,store_code,sku,product_name,unit_price,quantity,size\n"
                       "R-2,2026-03-14 10:15,UTR01,A1,Trui,10.00,1,M+L!\n";
    assert_int_equal(run_import(f, 1, bad, &rep), TD_E_INVALID);
    const struct want w[] = {{2, "size", "must be 1 to 8"}};
    expect_problems(&rep, w, 1);
    import_report_free(&rep);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(customers_good_file, setup),
        FIXTURE_TEST(customers_reimport_skips, setup),
        FIXTURE_TEST(customers_bad_file_names_every_problem, setup),
        FIXTURE_TEST(header_problems, setup),
        FIXTURE_TEST(purchases_good_file, setup),
        FIXTURE_TEST(purchases_during_erasure_are_unlinked, setup),
        FIXTURE_TEST(purchases_reimport_adds_nothing, setup),
        FIXTURE_TEST(purchases_bad_file_names_every_problem, setup),
        FIXTURE_TEST(limits_and_line_numbers, setup),
        FIXTURE_TEST(many_problems, setup),
        FIXTURE_TEST(progress, setup),
        FIXTURE_TEST(text_and_amounts, setup),
        FIXTURE_TEST(unquoted_quotes_are_literal_with_a_warning, setup),
        FIXTURE_TEST(windows_1252_is_refused_with_a_hint, setup),
        FIXTURE_TEST(kinds_come_from_the_table, setup),
        FIXTURE_TEST(catalogue_good_bad_and_again, setup),
        FIXTURE_TEST(stock_good_bad_and_again, setup),
        FIXTURE_TEST(purchases_take_a_size, setup),
    };
    return cmocka_run_group_tests_name("unit_import", tests, NULL, NULL);
}
