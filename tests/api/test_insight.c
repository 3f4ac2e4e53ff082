/* test_insight.c — referral outcomes over HTTP (GET /api/v1/insight/referrals):
 * two customers referred elsewhere for a kitchen scale, one who came back
 * and one who did not, beside a customer of the same category resolved
 * without a referral who came back; the windows that have not passed are
 * unknown; the shares and their counts; a manager sees only their store;
 * bad dates are 400 naming the field; the same as CSV (each table) and as
 * a workbook of two sheets, read back with unzip. Both backends. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin, anna, mark, piet;

static int setup(void **state)
{
    (void)state;
    static const struct env_var env[] = {{"TRUSTDESK_NPS_MIN_ANSWERS", "1"},   /* every share shown, however few */
                                         {NULL, NULL}};
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
                                          {"piet", "manager", "AMS01", &piet}, MEMBERS_END};
    int rc = chain_start_env(&srv, &admin, "UTR01 AMS01", staff, env);
    if (rc != 0) return rc;
    import_csv(&admin, "customers", "loyalty_number,name,email,home_store_code\n"
                                    "NL-500001,Fenna Referred,fenna@example.test,UTR01\n"
                                    "NL-500002,Gijs Referred,gijs@example.test,UTR01\n"
                                    "NL-500003,Hanna Kept,hanna@example.test,UTR01\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-S-1,@150,UTR01,NL-500001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-S-2,@150,UTR01,NL-500002,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-S-3,@150,UTR01,NL-500003,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n");
    return 0;
}

/* A resolved case of the customer about the kitchen scale of receipt,
 * referred to Action when referred; its resolution aged back days ago. */
static long long scale_case(const char *loyalty, const char *receipt, int referred, int days_ago)
{
    char body[700];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"Bij Action is deze weegschaal goedkoper.\"%s,"
             "\"items\":[{\"receipt_id\":\"%s\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}",
             referred ? "referral" : "return", customer_id(&anna, loyalty),
             referred ? ",\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"}" : "", receipt);
    long long id = case_open(&anna, body);
    case_resolve_as_recommended(&anna, id);
    case_age(&srv, id, days_ago);
    return id;
}

/* The referred share of the window, or the compared one. */
static json_t *share(json_t *category, const char *group, const char *window)
{
    return json_object_get(json_object_get(json_object_get(category, group), window), "k") ?
           json_object_get(json_object_get(category, group), window) : NULL;
}

static void who_came_back_after_a_referral(void **state)
{
    (void)state;
    long long fenna = scale_case("NL-500001", "R-S-1", 1, 45);    /* back 35 days later */
    long long gijs = scale_case("NL-500002", "R-S-2", 1, 100);    /* never back */
    scale_case("NL-500003", "R-S-3", 0, 45);                      /* not referred, back 35 days later */
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-F-1,@10,AMS01,NL-500001,TD-1,Theedoek,Huis,Keuken,4.99,1\n"
                   "R-H-1,@10,UTR01,NL-500003,TD-1,Theedoek,Huis,Keuken,4.99,1\n");

    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    assert_int_equal(json_array_size(items), 2);                             /* the referrals only */
    expect_ints(json_array_get(items, 0), "case_id", (int)fenna, NULL);      /* newest first */
    expect_strs(json_array_get(items, 0), "customer_name", "Fenna Referred", "referred_to", "Action", "reason",
                "cheaper_elsewhere", "category", "Keuken", NULL);
    json_t *f = json_object_get(json_array_get(items, 0), "came_back"), *g = json_object_get(json_array_get(items, 1), "came_back");
    assert_true(json_is_false(json_object_get(f, "30")));
    assert_true(json_is_true(json_object_get(f, "90")));
    assert_true(json_is_true(json_object_get(f, "180")));                    /* back already: known */
    expect_ints(json_array_get(items, 1), "case_id", (int)gijs, NULL);
    assert_true(json_is_false(json_object_get(g, "30")));
    assert_true(json_is_false(json_object_get(g, "90")));
    assert_true(json_is_null(json_object_get(g, "180")));                    /* not yet known */

    json_t *cats = json_object_get(r.json, "by_category");
    assert_int_equal(json_array_size(cats), 1);
    json_t *k = json_array_get(cats, 0);
    assert_string_equal(jstr(k, "category"), "Keuken");
    expect_ints(share(k, "referred", "30"), "n", 2, "k", 0, NULL);
    expect_ints(share(k, "referred", "90"), "n", 2, "k", 1, NULL);
    expect_ints(share(k, "referred", "180"), "n", 1, "k", 1, NULL);
    expect_ints(share(k, "compared", "90"), "n", 1, "k", 1, NULL);
    json_t *half = share(k, "referred", "90");
    assert_true(json_real_value(json_object_get(half, "share")) == 0.5);
    assert_true(json_real_value(json_object_get(half, "low")) < 0.5 && json_real_value(json_object_get(half, "high")) > 0.5);
    resp_free(&r);

    /* A manager: their own store only; another's is refused; an associate is not let in. */
    req_expect(&mark, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "store_code"), "UTR01");
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    resp_free(&r);
    expect_items(&piet, "/api/v1/insight/referrals", 0);
    assert_int_equal(req_status(&piet, "GET", "/api/v1/insight/referrals?store=UTR01", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/insight/referrals", NULL), 403);
}

/* The answer of who_came_back_after_a_referral as files: the referrals
 * with yes/no/empty per window, the shares per category with their
 * intervals as percentages (CSV) and as numbers (xlsx). */
static void referrals_as_files(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/insight/referrals?format=csv&from=2026-01-01&to=2026-12-31",
               "referrals-UTR01-2026-01-01-2026-12-31",
               "zaak;klantnummer;klant;winkel;categorie;doorverwezen naar;reden;afhandeling;"
               "afgehandeld op;terug binnen 30 dagen;terug binnen 90 dagen;terug binnen 180 dagen\r\n", &r);
    /* Fenna: not back in 30 days, back in 90 and 180; Gijs: never, 180 unknown. */
    expect_in("the CSV", r.body, ";Fenna Referred;UTR01;Keuken;Action;cheaper_elsewhere;", ";nee;ja;ja\r\n",
              ";Gijs Referred;", ";nee;nee;\r\n", NULL);
    resp_free(&r);
    /* The shares per category: 1 of 2 back within 90 days, 50,0%, with its interval. */
    report_csv(&mark, "/api/v1/insight/referrals?format=csv&table=categories", NULL, NULL, &r);
    expect_in("the CSV", r.body,
              "categorie;doorverwezen 30 d: zaken;doorverwezen 30 d: terug;doorverwezen 30 d: aandeel;"
              "doorverwezen 30 d: ondergrens (95%);doorverwezen 30 d: bovengrens (95%);",
              "\r\nKeuken;2;0;0,0%;0,0%;", ";2;1;50,0%;", NULL);
    resp_free(&r);
    report_xlsx(&mark, "/api/v1/insight/referrals?format=xlsx", NULL, &r);
    expect_part(&r, "xl/workbook.xml", "name=\"Doorverwijzingen\"", "name=\"Per categorie\"", NULL);
    expect_sheet(&r, 1, ";\"Fenna Referred\";\"UTR01\";\"Keuken\";\"Action\";", "\"nee\";\"ja\";\"ja\"\n", NULL);
    expect_sheet(&r, 2, "\n\"Keuken\";2;0;0;0;", ";2;1;0.5;", NULL);
    resp_free(&r);
    report_refusals(&mark, "/api/v1/insight/referrals", "must be referrals, categories or kinds");
}

static void bad_dates_name_their_field(void **state)
{
    (void)state;
    struct resp r;
    req_expect_field(&admin, "GET", "/api/v1/insight/referrals?from=2026-13-01", NULL, 400, "from");
    req_expect_field(&admin, "GET", "/api/v1/insight/referrals?from=2026-06-02&to=2026-06-01", NULL, 400, "from");
    /* A period with no referral: nothing, and no error. */
    req_expect(&admin, "GET", "/api/v1/insight/referrals?from=2020-01-01&to=2020-01-31", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "by_category")), 0);
    resp_free(&r);
}

TD_TEST_MAIN("api_insight", setup, chain_teardown,
             cmocka_unit_test(who_came_back_after_a_referral),
             cmocka_unit_test(referrals_as_files),
             cmocka_unit_test(bad_dates_name_their_field))
