/* test_referrals.c — the referral outcomes' matched comparison over HTTP
 * (GET /api/v1/insight/referrals: by_category[].matched, by_kind), on data
 * with a come-back effect of known size planted in it. Both backends.
 *
 * At Utrecht, two categories, alike customers (one purchase 400 days ago):
 * ten referred elsewhere and ten whose case was resolved without a
 * referral, 200 days ago, in each. In the kitchen category eight of the
 * referred customers come back ten days later and three of the others: the
 * planted difference is +50 points in every window; in the living category
 * four of each: no difference. The 95 % interval must contain +0.5 in the
 * kitchen (and not zero) and zero in the living category. One more kitchen
 * referral, at Amsterdam 100 days ago, has no comparable customer (its
 * store is its stratum) and its 180 days are open. Then the kinds of shop,
 * determinism, scoping and the files. */
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

static struct server srv;
static struct client admin, anna, mark, piet;

/* Category c (0 kitchen, 1 living), group g (0 referred, 1 not), index i. */
static int person(int c, int g, int i) { return 700000 + c * 1000 + g * 100 + i; }

static const char *const skus[] = {"KS-100", "LA-100"};
#define STRAY 709999                            /* the kitchen referral at Amsterdam */

/* The case of customer loyalty about their purchase of sku, at store:
 * referred (to to, for why) or a return resolved without a referral, as
 * recommended; aged back days ago. */
static void scale_case(int loyalty, const char *store, const char *sku, const char *to, const char *why, int days_ago)
{
    char q[32], body[800], ref[160] = "";
    snprintf(q, sizeof q, "NL-%d", loyalty);
    if (to) snprintf(ref, sizeof ref, ",\"referral\":{\"to\":\"%s\",\"reason\":\"%s\"}", to, why);
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"customer_id\":%lld,\"store_code\":\"%s\",\"receipt\":true,"
             "\"customer_words\":\"Elders is dit goedkoper.\"%s,"
             "\"items\":[{\"receipt_id\":\"R-B-%d\",\"sku\":\"%s\",\"condition\":\"new\"}]}",
             to ? "referral" : "return", customer_id(&anna, q), store, ref, loyalty, sku);
    long long id = case_open(&anna, body);
    case_resolve_as_recommended(&anna, id);
    case_age(&srv, id, days_ago);
}

static void line(char *csv, size_t n, const char *receipt, int days, const char *store, int loyalty, const char *sku,
                 const char *category)
{
    csv_appendf(csv, n, "%s-%d,@%d,%s,NL-%d,%s,Artikel,Huis,%s,24.99,1\n", receipt, loyalty, days, store, loyalty, sku,
                category);
}

static int setup(void **state)
{
    (void)state;
    if (insight_chain_start(&srv, &admin, &anna, &mark, &piet) != 0) return -1;
    static const char *const cats[] = {"Keuken", "Wonen"};
    static const int back[2][2] = {{8, 3}, {4, 4}};          /* [category][group]: who comes back */
    static struct insight_csv x;
    insight_csv_start(&x);
    for (int c = 0; c < 2; c++)
        for (int g = 0; g < 2; g++)
            for (int i = 0; i < PER_GROUP; i++) {
                int p = person(c, g, i);
                insight_customer(&x, p, "UTR01");
                line(x.before, sizeof x.before, "R-B", 400, "UTR01", p, skus[c], cats[c]);
            }
    csv_appendf(x.customers, sizeof x.customers, "NL-%d,Klant Amsterdam,ams@example.test,AMS01\n", STRAY);
    line(x.before, sizeof x.before, "R-B", 400, "AMS01", STRAY, skus[0], cats[0]);
    insight_csv_import(&admin, &x);
    for (int c = 0; c < 2; c++)
        for (int g = 0; g < 2; g++)
            for (int i = 0; i < PER_GROUP; i++) {
                int p = person(c, g, i);
                scale_case(p, "UTR01", skus[c], g ? NULL : c ? "IKEA" : "Action", c ? "not_in_range" : "cheaper_elsewhere",
                           200);
                if (i < back[c][g]) line(x.after, sizeof x.after, "R-A", 190, "UTR01", p, "TD-1", cats[c]);
            }
    scale_case(STRAY, "AMS01", skus[0], "Action", "cheaper_elsewhere", 100);
    import_csv_ago(&admin, "purchases", x.after);
    return 0;
}

static json_t *find(json_t *list, const char *key, const char *value)
{
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o) if (strcmp(jstr(o, key), value) == 0) return o;
    fail_msg("no %s %s in the list", key, value);
    return NULL;
}

/* The window's difference is estimable and its interval contains want. */
static void contains(json_t *m, const char *window, double want)
{
    json_t *w = json_object_get(m, window);
    if (!json_is_true(json_object_get(w, "estimable"))) fail_msg("%s days not estimable: %s", window, json_dumps(w, 0));
    expect_interval_holds(window, w, "difference", want);
}

static void the_interval_holds_the_planted_effect(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    json_t *cats = json_object_get(r.json, "by_category");
    json_t *kitchen = json_object_get(find(cats, "category", "Keuken"), "matched");
    json_t *living = json_object_get(find(cats, "category", "Wonen"), "matched");
    static const char *const windows[] = {"30", "90", "180"};
    for (int i = 0; i < 3; i++) {
        json_t *w = json_object_get(kitchen, windows[i]);
        /* The Amsterdam referral: no comparable customer, and open in 180 days. */
        expect_ints(w, "referred", PER_GROUP, "compared", PER_GROUP, "referred_unmatched", i < 2, "open", i == 2, "strata", 1,
                    NULL);
        contains(kitchen, windows[i], 0.5);
        assert_true(jnum2(w, "difference", "estimate") > 0.4999 && jnum2(w, "difference", "estimate") < 0.5001);
        assert_true(jnum2(w, "difference", "low") > 0);                   /* planted, and seen */
        assert_true(jnum2(w, "back", "referred") > 0.7999 && jnum2(w, "back", "referred") < 0.8001);
        assert_true(jnum2(w, "back", "compared") > 0.2999 && jnum2(w, "back", "compared") < 0.3001);
        contains(living, windows[i], 0);
        expect_ints(json_object_get(living, windows[i]), "referred", PER_GROUP, "compared", PER_GROUP, NULL);
    }
    /* Per kind of shop: the kitchen's are all sent to a cheaper shop, the
     * same cases, so the same interval. */
    json_t *kinds = json_object_get(r.json, "by_kind");
    assert_int_equal(json_array_size(kinds), 2);
    json_t *cheaper = find(kinds, "reason", "cheaper_elsewhere");
    expect_strs(cheaper, "category", "Keuken", NULL);
    expect_ints(cheaper, "referrals", PER_GROUP + 1, NULL);
    json_t *k90 = json_object_get(json_object_get(cheaper, "matched"), "90");
    assert_true(jnum2(k90, "difference", "low") == jnum2(json_object_get(kitchen, "90"), "difference", "low"));
    expect_strs(find(kinds, "reason", "not_in_range"), "category", "Wonen", NULL);
    expect_ints(r.json, "min_cases", 8, "bootstrap", 1000, NULL);
    /* The per-customer list is as it was: every referral. */
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2 * PER_GROUP + 1);
    char first[16384];
    snprintf(first, sizeof first, "%s", r.body);
    resp_free(&r);

    /* The same data, the same answer: the bootstrap is seeded. */
    req_expect(&admin, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    assert_string_equal(first, r.body);
    resp_free(&r);

    /* Amsterdam's manager: the one referral, nobody to compare it with. */
    req_expect(&piet, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    json_t *ams = json_object_get(find(json_object_get(r.json, "by_category"), "category", "Keuken"), "matched");
    json_t *w = json_object_get(ams, "90");
    assert_true(json_is_false(json_object_get(w, "estimable")));
    assert_string_equal(jstr(w, "reason"), "too few referred customers with a comparable customer");
    assert_true(json_is_null(json_object_get(w, "difference")));
    expect_ints(w, "referred", 0, "referred_unmatched", 1, NULL);
    resp_free(&r);

    /* A period without referrals: nothing to compare, no error. */
    req_expect(&mark, "GET", "/api/v1/insight/referrals?from=2020-01-01&to=2020-01-31", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "by_kind")), 0);
    resp_free(&r);
}

/* The comparison in the files: its columns in the categories' table, the
 * kinds' table of its own, and a workbook of three sheets. */
static void the_comparison_in_the_files(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&mark, "GET", "/api/v1/insight/referrals?format=csv&table=categories", NULL, 200, &r);
    if (!strstr(r.body, ";vergeleken 90 d: te schatten;vergeleken 90 d: waarom niet;vergeleken 90 d: doorverwezen;"
                        "vergeleken 90 d: vergelijkbaar;vergeleken 90 d: nog open;vergeleken 90 d: terug doorverwezen;"
                        "vergeleken 90 d: terug vergelijkbaar;vergeleken 90 d: verschil;"
                        "vergeleken 90 d: verschil ondergrens (95%);vergeleken 90 d: verschil bovengrens (95%);") ||
        !strstr(r.body, ";ja;;10;10;0;80,0%;30,0%;50,0%;"))
        fail_msg("the CSV:\n%s", r.body);
    resp_free(&r);
    report_csv(&mark, "/api/v1/insight/referrals?format=csv&table=kinds&from=2026-01-01&to=2026-12-31",
               "referrals-kinds-UTR01-2026-01-01-2026-12-31", "categorie;reden;doorverwijzingen;vergeleken 30 d: te schatten;", &r);
    expect_in("the CSV", r.body, "\r\nKeuken;cheaper_elsewhere;10;ja;;10;10;0;80,0%;30,0%;50,0%;",
              "\r\nWonen;not_in_range;10;ja;;10;10;0;40,0%;40,0%;0,0%;", NULL);
    resp_free(&r);
    report_xlsx(&admin, "/api/v1/insight/referrals?format=xlsx", "referrals-*", &r);
    expect_part(&r, "xl/workbook.xml", "name=\"Per soort winkel\"", NULL);
    expect_sheet(&r, 3, "\n\"Keuken\";\"cheaper_elsewhere\";11;\"ja\";;10;10;0;0.8;0.3;0.5;", NULL);
    resp_free(&r);
}

TD_TEST_MAIN("api_referrals", setup, chain_teardown,
             cmocka_unit_test(the_interval_holds_the_planted_effect),
             cmocka_unit_test(the_comparison_in_the_files))
