/* test_goodwill.c — goodwill economics over HTTP (GET /api/v1/insight/goodwill),
 * on data with an effect of known size planted in it.
 *
 * Two stores, the same complaint at each: ten customers get the desk's
 * goodwill gesture (store credit funded as goodwill), ten are declined,
 * 200 days ago, all alike before (one purchase 400 days ago). Afterwards
 * every customer i spends base_i (EUR 10 + 7 i); at Utrecht the customers
 * who got goodwill spend EUR 50 more within 90 days: the planted effect is
 * EUR 50 per case, 50 / gesture per euro; at Amsterdam nothing is planted.
 * The 95 % interval must contain the planted effect at Utrecht and zero at
 * Amsterdam, in both windows. One more gesture 100 days ago is left out of
 * the 180-day window and counted as open. Then scoping, the assumption's
 * multiplier, determinism and bad input. Both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "cmocka_main.h"

#define PER_GROUP 10
#define PLANTED_CENTS 5000

static struct server srv;
static struct client admin, anna, mark, piet;

/* Customer number of store s (0 Utrecht, 1 Amsterdam), group g (0 given,
 * 1 declined), index i. */
static int person(int s, int g, int i) { return 600000 + s * 1000 + g * 100 + i; }

static const char *const stores[] = {"UTR01", "AMS01"};

/* A complaint of the customer at store s, resolved with the desk's gesture
 * (given) or declined; aged back days ago. */
static long long complaint(int s, int loyalty, int given, int days_ago)
{
    char q[32], body[700], path[96];
    snprintf(q, sizeof q, "NL-%d", loyalty);
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"%s\",\"receipt\":false,"
             "\"customer_words\":\"Lang moeten wachten bij de kassa.\",\"items\":[{\"sold_here\":false,\"brand\":\"-\","
             "\"description\":\"Service\",\"stated_price_cents\":0,\"condition\":\"new\"}]}",
             customer_id(&anna, q), stores[s]);
    long long id = case_open(&anna, body);
    if (given) {
        case_resolve_as_recommended(&anna, id);
    } else {
        struct resp r;
        snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
        req_expect(&anna, "POST", path,
                   "{\"resolution\":\"decline\",\"amount_cents\":0,\"override_reason\":\"Geen gebaar deze keer.\"}",
                   200, &r);
        resp_free(&r);
    }
    case_age(&srv, id, days_ago);
    return id;
}

/* Appends a purchase line for customer loyalty of cents, days ago. */
static void buy(char *csv, size_t n, int s, int loyalty, long long cents, int days, int no)
{
    csv_appendf(csv, n, "R-G-%d-%d,@%d,%s,NL-%d,GW-%d,Artikel,Huis,Wonen,%lld.%02lld,1\n", loyalty, no, days, stores[s],
                loyalty, no, cents / 100, cents % 100);
}

static int setup(void **state)
{
    (void)state;
    if (insight_chain_start(&srv, &admin, &anna, &mark, &piet) != 0) return -1;
    static struct insight_csv x;
    insight_csv_start(&x);
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < 2; g++)
            for (int i = 0; i < PER_GROUP + (g == 0); i++) {
                int p = person(s, g, i);
                insight_customer(&x, p, stores[s]);
                buy(x.before, sizeof x.before, s, p, 2499, 400, 0);
            }
    insight_csv_import(&admin, &x);
    for (int s = 0; s < 2; s++)
        for (int g = 0; g < 2; g++)
            for (int i = 0; i < PER_GROUP; i++) {
                int p = person(s, g, i);
                complaint(s, p, g == 0, 200);
                long long base = 1000 + 700 * i;
                buy(x.after, sizeof x.after, s, p, base + (s == 0 && g == 0 ? PLANTED_CENTS : 0), 150, 1);
                buy(x.after, sizeof x.after, s, p, base, 60, 2);           /* in the 180 days only */
            }
    /* One more gesture at Utrecht, 100 days ago: its 180 days are still open.
     * It spends the declined customers' mean and the planted effect. */
    complaint(0, person(0, 0, PER_GROUP), 1, 100);
    buy(x.after, sizeof x.after, 0, person(0, 0, PER_GROUP), 1000 + 700 * 45 / 10 + PLANTED_CENTS, 60, 1);
    import_csv_ago(&admin, "purchases", x.after);
    return 0;
}

static json_t *window(json_t *row, const char *w)
{
    json_t *e = json_object_get(json_object_get(row, "after"), w);
    assert_non_null(e);
    return e;
}

/* The window's interval per euro contains want (and is an interval). */
static void contains(json_t *e, double want)
{
    assert_true(json_is_true(json_object_get(e, "estimable")));
    expect_interval_holds("per euro", e, "per_euro", want);
}

static void the_interval_holds_the_planted_effect(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/goodwill?store=UTR01", NULL, 200, &r);
    json_t *utr = json_object_get(r.json, "store");
    assert_string_equal(jstr(utr, "store_code"), "UTR01");
    expect_ints(utr, "cases", 2 * PER_GROUP + 1, "goodwill_cases", PER_GROUP + 1, NULL);
    long long gesture = jint(json_object_get(utr, "goodwill_cents"), "funded") / (PER_GROUP + 1);
    assert_true(gesture > 0);
    assert_int_equal(jint(json_object_get(utr, "goodwill_cents"), "beyond_strict"), 0);
    double planted = (double)PLANTED_CENTS / (double)gesture;
    json_t *w90 = window(utr, "90"), *w180 = window(utr, "180");
    expect_ints(w90, "given", PER_GROUP + 1, "compared", PER_GROUP, "open", 0, NULL);
    expect_ints(w180, "given", PER_GROUP, "compared", PER_GROUP, "open", 1, NULL);     /* the open window left out */
    contains(w90, planted);
    contains(w180, planted);
    assert_true(jnum2(w90, "per_euro", "estimate") > planted - 0.01 && jnum2(w90, "per_euro", "estimate") < planted + 0.01);
    assert_true(jnum2(w90, "spend_after_cents", "given") > jnum2(w90, "spend_after_cents", "compared"));
    /* The assumption: the multiplier times the data, labelled as such. */
    assert_int_equal((int)json_number_value(json_object_get(json_object_get(r.json, "assumption"), "multiplier")), 10);
    assert_true(json_is_true(json_object_get(json_object_get(w90, "assumed_per_euro"), "assumption")));
    assert_true(jnum2(w90, "assumed_per_euro", "estimate") > 9.9 * jnum2(w90, "per_euro", "estimate"));
    /* Rows: the month of the ten, and the month of the one (too few). */
    json_t *rows = json_object_get(r.json, "rows");
    assert_int_equal(json_array_size(rows), 2);
    json_t *few = json_array_get(rows, 1);
    expect_ints(few, "cases", 1, "goodwill_cases", 1, NULL);
    assert_true(json_is_false(json_object_get(window(few, "90"), "estimable")));
    assert_non_null(jstr(window(few, "90"), "reason"));
    assert_true(json_is_null(json_object_get(window(few, "90"), "per_euro")));
    char first[4096];
    snprintf(first, sizeof first, "%s", r.body);
    resp_free(&r);

    /* The same data, the same answer: the bootstrap is seeded. */
    req_expect(&admin, "GET", "/api/v1/insight/goodwill?store=UTR01", NULL, 200, &r);
    assert_int_equal(strncmp(first, r.body, sizeof first - 1), 0);
    resp_free(&r);

    /* No effect planted: the interval contains zero. */
    req_expect(&piet, "GET", "/api/v1/insight/goodwill", NULL, 200, &r);
    json_t *ams = json_object_get(r.json, "store");
    assert_string_equal(jstr(ams, "store_code"), "AMS01");
    contains(window(ams, "90"), 0);
    contains(window(ams, "180"), 0);
    /* A manager: their store's rows, the chain as a total only. */
    json_t *ar = json_object_get(r.json, "rows");
    for (size_t i = 0; i < json_array_size(ar); i++) assert_string_equal(jstr(json_array_get(ar, i), "store_code"), "AMS01");
    expect_ints(json_object_get(r.json, "chain"), "cases", 4 * PER_GROUP + 1, NULL);
    assert_true(json_is_null(json_object_get(json_object_get(r.json, "chain"), "store_code")));
    resp_free(&r);

    req_expect(&admin, "GET", "/api/v1/insight/goodwill?store=AMS01&multiplier=2.5", NULL, 200, &r);
    json_t *e = window(json_object_get(r.json, "store"), "90");
    double lo = jnum2(e, "per_euro", "low"), alo = jnum2(e, "assumed_per_euro", "low");
    assert_true(alo > 2.5 * lo - 0.02 && alo < 2.5 * lo + 0.02);
    resp_free(&r);

    /* Head office without a store: every store's rows. */
    req_expect(&admin, "GET", "/api/v1/insight/goodwill", NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "store")));
    assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 3);
    resp_free(&r);
}

/* The same figures as a file: CSV for Dutch Excel and a workbook, the rows
 * and then the store's and the chain's totals, interval columns included. */
static void the_figures_as_files(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/insight/goodwill?format=csv&from=2026-01-01&to=2026-12-31",
               "goodwill-UTR01-2026-01-01-2026-12-31", "niveau;winkel;maand;categorie;beleidsversie;zaken;zaken met goodwill;goodwill;", &r);
    expect_in("the CSV", r.body, ";90 d: per euro ondergrens (95%);", ";180 d: nog open;", NULL);
    resp_free(&r);
    req_expect(&mark, "GET", "/api/v1/insight/goodwill?format=csv", NULL, 200, &r);
    /* The store's total: 21 cases, 11 with EUR 110 of goodwill, estimable, EUR 550 retained in 90 days. */
    if (!strstr(r.body, "\r\nstore;UTR01;;;;21;11;110,00;110,00;0,00;ja;;11;10;0;91,50;41,50;550,00;") ||
        !strstr(r.body, "\r\nchain;;;;;41;"))
        fail_msg("the CSV:\n%s", r.body);
    resp_free(&r);
    report_xlsx(&admin, "/api/v1/insight/goodwill?format=xlsx&store=UTR01", "goodwill-UTR01-*", &r);
    expect_sheet(&r, 1, "\"store\";\"UTR01\";;;;21;11;110;110;0;\"ja\";;11;10;0;91.5;41.5;550;", NULL);
    resp_free(&r);
    req_expect(&admin, "GET", "/api/v1/insight/goodwill?format=pdf", NULL, 400, &r);
    assert_true(has_err_field(&r, "format"));
    resp_free(&r);
}

static void bad_input_names_its_field(void **state)
{
    (void)state;
    static const struct { const char *query; long status; const char *field; } rows[] = {
        {"from=2026-06-02&to=2026-06-01", 400, "to"},
        {"from=2026-13-01", 400, "from"},
        {"to=01-06-2026", 400, "to"},
        {"store=NOPE1", 400, "store"},
        {"multiplier=abc", 400, "multiplier"},
        {"multiplier=0", 400, "multiplier"},
        {"multiplier=1e3", 400, "multiplier"},
        {"multiplier=1001", 400, "multiplier"},
        {"multiplier=2.555", 400, "multiplier"},
    };
    char path[160];
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct resp r;
        snprintf(path, sizeof path, "/api/v1/insight/goodwill?%s", rows[i].query);
        req_expect(&admin, "GET", path, NULL, rows[i].status, &r);
        if (!has_err_field(&r, rows[i].field)) fail_msg("%s: no problem on %s: %s", rows[i].query, rows[i].field, r.body);
        resp_free(&r);
    }
    assert_int_equal(req_status(&piet, "GET", "/api/v1/insight/goodwill?store=UTR01", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/insight/goodwill", NULL), 403);
    /* A period without cases: zeros, not an error, and nothing estimable. */
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/goodwill?from=2020-01-01&to=2020-01-31", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "rows")), 0);
    expect_ints(json_object_get(r.json, "chain"), "cases", 0, NULL);
    assert_true(json_is_false(json_object_get(window(json_object_get(r.json, "chain"), "90"), "estimable")));
    resp_free(&r);
}

TD_TEST_MAIN("api_goodwill", setup, chain_teardown,
             cmocka_unit_test(the_interval_holds_the_planted_effect),
             cmocka_unit_test(the_figures_as_files),
             cmocka_unit_test(bad_input_names_its_field))
