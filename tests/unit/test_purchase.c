/* test_purchase.c — what customers bought (domain/purchase.h): a receipt's
 * lines come back as imported, prices in whole cents, newest receipt first,
 * page by page through the cursor, only the customer's own. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "db/db.h"
#include "domain/purchase.h"
#include "fixture.h"

static const char customers[] = "loyalty_number,name\nNL-1001,Een\nNL-1002,Twee\n";
static const char purchases[] =
    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
    "R1,2026-10-01 10:00,UTR01,NL-1001,A,Jas,Noordzee,Jassen,149.95,1\n"
    "R2,2026-11-01 11:00,AMS01,NL-1001,B,Trui,Noordzee,Truien,59.99,2\n"
    "R2,2026-11-01 11:00,AMS01,NL-1001,C,Sjaal,Noordzee,Sjaals,0.05,3\n"
    "R3,2026-11-10 12:00,UTR01,NL-1001,A,Jas,Noordzee,Jassen,1000.00,1\n"
    "R4,2026-11-11 12:00,UTR01,NL-1002,C,Sjaal,Noordzee,Sjaals,20.00,1\n";

static int setup(void **state)
{
    if (fixture_setup_pg(state) != 0) return -1;
    struct fixture *f = *state;
    if (fixture_stores(f, "UTR01", "AMS01", NULL) != TD_OK) return -1;
    return fixture_import(f, customers, purchases) == TD_OK ? 0 : -1;
}

struct seen {
    char text[512];
    int64_t cents;                  /* sum of unit price x quantity */
};

static int line_seen(void *arg, const struct purchase_line *l)
{
    struct seen *s = arg;
    size_t n = strlen(s->text);
    snprintf(s->text + n, sizeof s->text - n, "%s/%lld %s %s %s %lldx%lld;", l->receipt_id, (long long)l->line_no,
             l->store_code, l->sku, l->product_name, (long long)l->unit_price_cents, (long long)l->quantity);
    s->cents += l->unit_price_cents * l->quantity;
    return TD_OK;
}

static int64_t customer(struct fixture *f, const char *loyalty)
{
    return fixture_int(f, "SELECT id FROM customers WHERE loyalty_number = '%s'", loyalty);
}

static void lines_in_cents_newest_first(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    char next[128] = "x";
    assert_int_equal(purchase_each_of_customer(&f->c, customer(f, "NL-1001"), 10, NULL, line_seen, &s, next, sizeof next),
                     TD_OK);
    assert_string_equal(s.text, "R3/1 UTR01 A Jas 100000x1;"
                                "R2/1 AMS01 B Trui 5999x2;R2/2 AMS01 C Sjaal 5x3;"
                                "R1/1 UTR01 A Jas 14995x1;");
    assert_int_equal(s.cents, 100000 + 2 * 5999 + 3 * 5 + 14995);
    assert_string_equal(next, "");
}

static void pages_by_receipt(void **state)
{
    struct fixture *f = *state;
    int64_t id = customer(f, "NL-1001");
    struct seen s = {0};
    char next[128] = "", cursor[128];
    assert_int_equal(purchase_each_of_customer(&f->c, id, 2, NULL, line_seen, &s, next, sizeof next), TD_OK);
    assert_string_equal(s.text, "R3/1 UTR01 A Jas 100000x1;R2/1 AMS01 B Trui 5999x2;R2/2 AMS01 C Sjaal 5x3;");
    assert_string_not_equal(next, "");
    snprintf(cursor, sizeof cursor, "%s", next);
    memset(&s, 0, sizeof s);
    assert_int_equal(purchase_each_of_customer(&f->c, id, 2, cursor, line_seen, &s, next, sizeof next), TD_OK);
    assert_string_equal(s.text, "R1/1 UTR01 A Jas 14995x1;");
    assert_string_equal(next, "");
}

static void only_the_customers_own(void **state)
{
    struct fixture *f = *state;
    struct seen s = {0};
    char next[128];
    assert_int_equal(purchase_each_of_customer(&f->c, customer(f, "NL-1002"), 10, NULL, line_seen, &s, next, sizeof next),
                     TD_OK);
    assert_string_equal(s.text, "R4/1 UTR01 C Sjaal 2000x1;");
    memset(&s, 0, sizeof s);
    assert_int_equal(purchase_each_of_customer(&f->c, 999999, 10, NULL, line_seen, &s, next, sizeof next), TD_OK);
    assert_string_equal(s.text, "");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(lines_in_cents_newest_first, setup),
        FIXTURE_TEST(pages_by_receipt, setup),
        FIXTURE_TEST(only_the_customers_own, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
