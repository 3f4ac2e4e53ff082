/* test_insight_daily.c — the daily rollup (migration 0019, events.def's
 * insight_daily_on_event) and GET /api/v1/insight/daily over HTTP, on
 * SQLite and (TRUSTDESK_TEST_PG) PostgreSQL:
 *
 * - after a mix of cases in two stores (a refund, goodwill store credit sent
 *   for approval and approved, a decline against the advice, a referral, a
 *   cancelled and an open case), every count of the rollup equals the same
 *   count made from the raw tables (case_events, cases, credit_notes), per
 *   store;
 * - two requests rolled back after the desk had done its work (the opening
 *   and the resolving of a case, whose Idempotency-Key could not be stored)
 *   change no count;
 * - the answer: today's row, days without cases as zeros, the total, per
 *   category and per store; a manager their store with the chain beside it
 *   only as sums, another store 403; bad parameters 400 naming them;
 * - the same as CSV and .xlsx (read back with unzip);
 * - the migration's backfill, run again on the same database, gives the
 *   rollup the events made. */
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
static struct client admin, anna, sara, mark, piet;

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"sara", "associate", "AMS01", &sara},
                                          {"mark", "manager", "UTR01", &mark}, {"piet", "manager", "AMS01", &piet},
                                          MEMBERS_END};
    if (chain_start(&srv, &admin, "UTR01 AMS01", staff) != 0) return -1;
    import_csv(&admin, "customers", "loyalty_number,name,email,home_store_code\n"
                                    "NL-700001,Kees Keuken,kees@example.test,UTR01\n"
                                    "NL-700002,Mila Mode,mila@example.test,UTR01\n"
                                    "NL-700003,Joost Jansen,joost@example.test,AMS01\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-D-1,@5,UTR01,NL-700001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-D-2,@5,UTR01,NL-700001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-D-3,@5,AMS01,NL-700003,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-D-4,@4,UTR01,NL-700002,JK-1,Zomerjurk,Noordzee,Kleding; dames,79.95,1\n");
    return 0;
}

static void post_expect(struct client *c, long long id, const char *what, const char *body, long want)
{
    char path[96];
    struct resp r;
    snprintf(path, sizeof path, strcmp(what, "approve") == 0 ? "/api/v1/approvals/%lld/%s" : "/api/v1/cases/%lld/%s",
             id, what);
    req_expect(c, "POST", path, body, want, &r);
    resp_free(&r);
}

/* Each count of the rollup beside the same count from the raw tables; %s is
 * the store's code. */
static const struct { const char *column, *raw; } counts[] = {
    {"opened", "SELECT COUNT(*) FROM case_events e JOIN cases k ON k.id = e.case_id JOIN stores s ON s.id = k.store_id"
               " WHERE e.action = 'opened' AND s.code = '%s'"},
    {"resolved", "SELECT COUNT(*) FROM case_events e JOIN cases k ON k.id = e.case_id JOIN stores s ON s.id = k.store_id"
                 " WHERE e.action = 'resolved' AND s.code = '%s'"},
#define BY_RESOLUTION(col, res)                                                                                        \
    {col, "SELECT COUNT(*) FROM cases k JOIN stores s ON s.id = k.store_id WHERE k.status IN ('resolved', 'followed_up')" \
          " AND k.resolution " res " AND s.code = '%s'"}
    BY_RESOLUTION("refunds", "= 'refund'"), BY_RESOLUTION("store_credits", "= 'store_credit'"),
    BY_RESOLUTION("exchanges", "= 'exchange'"), BY_RESOLUTION("repairs", "LIKE 'repair%%'"),
    BY_RESOLUTION("referrals", "= 'refer_elsewhere'"), BY_RESOLUTION("declined", "= 'decline'"),
#undef BY_RESOLUTION
    {"overrides", "SELECT COUNT(*) FROM case_events e JOIN cases k ON k.id = e.case_id JOIN stores s ON s.id = k.store_id"
                  " WHERE e.action = 'overridden' AND s.code = '%s'"},
    {"approvals_requested", "SELECT COUNT(*) FROM case_events e JOIN cases k ON k.id = e.case_id"
                            " JOIN stores s ON s.id = k.store_id WHERE e.action = 'approval_requested' AND s.code = '%s'"},
    {"cancelled", "SELECT COUNT(*) FROM cases k JOIN stores s ON s.id = k.store_id WHERE k.status = 'cancelled'"
                  " AND s.code = '%s'"},
    {"refund_cents", "SELECT COALESCE(SUM(k.amount_cents), 0) FROM cases k JOIN stores s ON s.id = k.store_id"
                     " WHERE k.status IN ('resolved', 'followed_up') AND k.resolution = 'refund' AND s.code = '%s'"},
    {"store_credit_cents", "SELECT COALESCE(SUM(n.amount_cents), 0) FROM cases k JOIN stores s ON s.id = k.store_id"
                           " JOIN credit_notes n ON n.id = k.credit_note_id WHERE s.code = '%s'"},
    {"goodwill_cents", "SELECT COALESCE(SUM(n.amount_cents), 0) FROM cases k JOIN stores s ON s.id = k.store_id"
                       " JOIN credit_notes n ON n.id = k.credit_note_id WHERE n.funding = 'goodwill' AND s.code = '%s'"},
};

static long long rolled(const char *column, const char *store)
{
    return db_intf(&srv, "SELECT COALESCE(SUM(d.%s), 0) FROM insight_days d JOIN stores s ON s.id = d.store_id"
                         " WHERE s.code = '%s'", column, store);
}

/* Every count of both stores against the raw tables; a failure names it. */
static void rollup_equals_raw(void)
{
    static const char *const stores[] = {"UTR01", "AMS01"};
    for (size_t s = 0; s < 2; s++)
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            char sql[1024];
            snprintf(sql, sizeof sql, counts[i].raw, stores[s]);
            long long raw = db_int(&srv, sql), got = rolled(counts[i].column, stores[s]);
            if (raw != got) fail_msg("%s %s: the rollup says %lld, the raw tables %lld", stores[s], counts[i].column, got, raw);
        }
}

static void refuse_keys(int on) { refuse_idempotency_keys(&srv, on); }

static long long utr_open_case;

static void a_mix_of_cases_counts_as_the_raw_tables(void **state)
{
    (void)state;
    long long kees = customer_id(&anna, "NL-700001"), mila = customer_id(&anna, "NL-700002"),
              joost = customer_id(&sara, "NL-700003");
    /* A kitchen scale back with its receipt, as the desk recommends. */
    long long refund = case_openf(&anna, "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                                         "\"items\":[{\"receipt_id\":\"R-D-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", kees);
    case_resolve_as_recommended(&anna, refund);
    /* A complaint about goods we never sold: 15 euro goodwill against the
     * advice, which waits for the manager, who approves. */
    long long goodwill = case_openf(&anna, "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
                                           "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jurk\","
                                           "\"stated_price_cents\":4000,\"condition\":\"used\"}]}", mila);
    post_expect(&anna, goodwill, "resolve", "{\"resolution\":\"store_credit\",\"amount_cents\":1500,"
                                            "\"override_reason\":\"Een gebaar voor een vaste klant.\"}", 200);
    post_expect(&mark, goodwill, "approve", "{\"note\":\"Akkoord.\"}", 200);
    /* The dress declined against the advice. */
    long long decline = case_openf(&anna, "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                                          "\"items\":[{\"receipt_id\":\"R-D-4\",\"sku\":\"JK-1\",\"condition\":\"new\"}]}", mila);
    post_expect(&anna, decline, "resolve", "{\"resolution\":\"decline\",\"amount_cents\":0,"
                                           "\"override_reason\":\"Gedragen en gewassen.\"}", 200);
    /* Amsterdam: the kitchen scale referred to Action. */
    long long refer = case_openf(&sara, "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"AMS01\",\"receipt\":true,"
                                        "\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"},"
                                        "\"items\":[{\"receipt_id\":\"R-D-3\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", joost);
    case_resolve_as_recommended(&sara, refer);
    /* One cancelled, one left open. */
    long long gone = case_openf(&sara, "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"AMS01\",\"receipt\":false,"
                                       "\"items\":[{\"sold_here\":false,\"brand\":\"-\",\"description\":\"Service\","
                                       "\"stated_price_cents\":0,\"condition\":\"new\"}]}", joost);
    post_expect(&sara, gone, "cancel", "{\"reason\":\"Weggegaan.\"}", 200);
    utr_open_case = case_openf(&anna, "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                                      "\"items\":[{\"receipt_id\":\"R-D-2\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", kees);
    rollup_equals_raw();
    /* The mix has what it is meant to have (else the comparison proves little). */
    assert_int_equal(rolled("opened", "UTR01"), 4);
    assert_int_equal(rolled("resolved", "UTR01"), 3);
    assert_int_equal(rolled("goodwill_cents", "UTR01"), 1500);
    assert_int_equal(rolled("approvals_requested", "UTR01"), 1);
    assert_int_equal(rolled("overrides", "UTR01"), 2);
    assert_int_equal(rolled("declined", "UTR01"), 1);
    assert_int_equal(rolled("referrals", "AMS01"), 1);
    assert_int_equal(rolled("cancelled", "AMS01"), 1);
    assert_true(rolled("refund_cents", "UTR01") > 0);
    /* The goodwill case had no category, the others their item's. */
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(SUM(goodwill_cents), 0) FROM insight_days WHERE category = ''"), 1500);
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(SUM(opened), 0) FROM insight_days WHERE category = 'Keuken'"), 3);
}

static void a_rolled_back_request_changes_nothing(void **state)
{
    (void)state;
    long long opened = rolled("opened", "UTR01"), resolved = rolled("resolved", "UTR01"),
              refunds = rolled("refund_cents", "UTR01");
    char body[400];
    snprintf(body, sizeof body, "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
                                "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jurk\","
                                "\"stated_price_cents\":4000,\"condition\":\"new\"}]}",
             customer_id(&anna, "NL-700002"));
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", utr_open_case);
    struct resp r;
    case_decide(&anna, utr_open_case, &r);
    char resolve[200];
    snprintf(resolve, sizeof resolve, "{\"resolution\":\"%s\",\"amount_cents\":%lld}", jstr(r.json, "resolution"),
             jint(r.json, "max_amount_cents"));
    resp_free(&r);
    refuse_keys(1);
    assert_int_equal(req_h(&anna, "POST", "/api/v1/cases", body, &r, "Idempotency-Key: daily-open-1", NULL), 0);
    long open_status = r.status;
    resp_free(&r);
    assert_int_equal(req_h(&anna, "POST", path, resolve, &r, "Idempotency-Key: daily-resolve-1", NULL), 0);
    long resolve_status = r.status;
    resp_free(&r);
    refuse_keys(0);
    if (open_status < 400 || resolve_status < 400)
        fail_msg("answered %ld and %ld while the keys could not be stored", open_status, resolve_status);
    assert_int_equal(rolled("opened", "UTR01"), opened);
    assert_int_equal(rolled("resolved", "UTR01"), resolved);
    assert_int_equal(rolled("refund_cents", "UTR01"), refunds);
    rollup_equals_raw();
    /* The same resolve once the key can be kept: it counts once. */
    assert_int_equal(req_h(&anna, "POST", path, resolve, &r, "Idempotency-Key: daily-resolve-1", NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(rolled("resolved", "UTR01"), resolved + 1);
    rollup_equals_raw();
}

/* The day of a row of the answer's days ("" when out of range). */
static json_t *day_row(json_t *o, size_t i) { return json_array_get(json_object_get(o, "days"), i); }

static void the_dashboard_answers_by_role(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/daily", NULL, 200, &r);
    json_t *days = json_object_get(r.json, "days");
    assert_int_equal(json_array_size(days), 30);                        /* the default: 30 days, zeros included */
    json_t *today = json_array_get(days, 29);
    assert_string_equal(jstr(today, "day"), jstr(r.json, "to"));
    expect_ints(today, "opened", 6, "resolved", 5, "goodwill_cents", 1500, "store_credit_cents", 1500, "referrals", 1,
                "cancelled", 1, "approvals_requested", 1, NULL);
    expect_ints(day_row(r.json, 0), "opened", 0, "resolved", 0, NULL);
    assert_true(json_is_null(json_object_get(day_row(r.json, 0), "mean_hours_to_resolve")));
    assert_true(json_is_number(json_object_get(today, "mean_hours_to_resolve")));
    expect_ints(json_object_get(r.json, "total"), "opened", 6, "resolved", 5, NULL);
    assert_true(json_is_null(json_object_get(r.json, "store_code")));
    assert_true(json_is_null(json_object_get(r.json, "chain")));       /* head office: the chain is the scope */
    json_t *stores = json_object_get(r.json, "by_store");
    assert_int_equal(json_array_size(stores), 2);
    expect_strs(json_array_get(stores, 0), "key", "AMS01", NULL);
    expect_ints(json_array_get(stores, 1), "opened", 4, NULL);
    json_t *cats = json_object_get(r.json, "by_category");
    assert_int_equal(json_array_size(cats), 3);                         /* '', Keuken, Kleding; dames */
    expect_strs(json_array_get(cats, 1), "key", "Keuken", NULL);
    resp_free(&r);

    /* A manager: their store, the chain beside it only as sums. */
    req_expect(&mark, "GET", "/api/v1/insight/daily?from=2026-01-01&to=2026-12-31", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "store_code"), "UTR01");
    expect_ints(json_object_get(r.json, "total"), "opened", 4, "resolved", 4, NULL);
    expect_ints(json_object_get(json_object_get(r.json, "chain"), "total"), "opened", 6, "resolved", 5, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "chain"), "days")), 365);
    assert_true(json_is_null(json_object_get(r.json, "by_store")));
    resp_free(&r);
    req_expect(&piet, "GET", "/api/v1/insight/daily", NULL, 200, &r);
    expect_ints(json_object_get(r.json, "total"), "opened", 2, "resolved", 1, "cancelled", 1, NULL);
    resp_free(&r);
    assert_int_equal(req_status(&mark, "GET", "/api/v1/insight/daily?store=AMS01", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/insight/daily", NULL), 403);
    /* Head office on one store: that store, with the chain beside it. */
    req_expect(&admin, "GET", "/api/v1/insight/daily?store=AMS01", NULL, 200, &r);
    expect_ints(json_object_get(r.json, "total"), "opened", 2, NULL);
    expect_ints(json_object_get(json_object_get(r.json, "chain"), "total"), "opened", 6, NULL);
    resp_free(&r);
}

static void bad_parameters_name_their_field(void **state)
{
    (void)state;
    static const struct { struct client *who; const char *path, *field; } bad[] = {
        {&admin, "/api/v1/insight/daily?from=2026-02-30", "from"},
        {&admin, "/api/v1/insight/daily?to=tomorrow", "to"},
        {&admin, "/api/v1/insight/daily?from=2026-06-02&to=2026-06-01", "from"},
        {&admin, "/api/v1/insight/daily?from=2020-01-01&to=2026-01-01", "from"},
        {&admin, "/api/v1/insight/daily?store=NOPE", "store"},
        {&admin, "/api/v1/insight/daily?format=pdf", "format"},
        {&mark, "/api/v1/insight/daily?format=csv&table=stores", "table"},
        {&admin, "/api/v1/insight/daily?format=csv&table=chain", "table"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_expect_field(bad[i].who, "GET", bad[i].path, NULL, 400, bad[i].field);
    }
    /* A period without cases: zeros, no error. */
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/insight/daily?from=2020-01-01&to=2020-01-31", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "days")), 31);
    expect_ints(json_object_get(r.json, "total"), "opened", 0, NULL);
    assert_int_equal(json_array_size(json_object_get(r.json, "by_category")), 0);
    resp_free(&r);
}

static void the_same_as_files(void **state)
{
    (void)state;
    struct resp r;
    report_csv(&mark, "/api/v1/insight/daily?format=csv&from=2026-01-01&to=2026-01-03",
               "insight-daily-UTR01-2026-01-01-2026-01-03", NULL, &r);
    const char *want = "\xEF\xBB\xBF" "dag;geopend;afgehandeld;terugbetaald;tegoedbon;omgeruild;reparatie;doorverwezen;"
                       "afgewezen;afgeweken van advies;goedkeuring gevraagd;geannuleerd;terugbetaald (EUR);"
                       "tegoedbonnen (EUR);waarvan coulance (EUR);gem. uren tot afhandeling\r\n"
                       "2026-01-01;0;0;0;0;0;0;0;0;0;0;0;0,00;0,00;0,00;\r\n"
                       "2026-01-02;0;0;0;0;0;0;0;0;0;0;0;0,00;0,00;0,00;\r\n"
                       "2026-01-03;0;0;0;0;0;0;0;0;0;0;0;0,00;0,00;0,00;\r\n";
    if (r.len != strlen(want) || memcmp(r.body, want, r.len) != 0) fail_msg("the CSV:\n%s\nwanted:\n%s", r.body, want);
    resp_free(&r);
    /* The chain's days, and the categories, as their own CSV; a category
     * with the separator in it is quoted. */
    report_csv(&mark, "/api/v1/insight/daily?format=csv&table=categories", NULL, NULL, &r);
    expect_in("the CSV", r.body, "\r\n;1;1;0;1;0;0;0;0;1;1;0;0,00;15,00;15,00;",
              "\r\n\"Kleding; dames\";1;1;0;0;0;0;0;1;1;0;0;0,00;0,00;0,00;", NULL);
    resp_free(&r);
    report_xlsx(&mark, "/api/v1/insight/daily?format=xlsx", NULL, &r);
    char *book = xlsx_part(&r, "xl/workbook.xml");
    expect_in("the workbook", book, "name=\"Per dag\"", "name=\"Keten per dag\"", "name=\"Per categorie\"", NULL);
    assert_null(strstr(book, "name=\"Per winkel\""));                   /* a manager: no other store by name */
    free(book);
    /* Goodwill in euros as a number; the day a date (a serial number). */
    expect_sheet(&r, 3, "\n;1;1;0;1;0;0;0;0;1;1;0;0;15;15;", NULL);
    expect_sheet(&r, 2, "\n4", NULL);
    resp_free(&r);
}

/* The migration's backfill, from the case_events of the same database,
 * gives what the events added one by one. */
static void the_backfill_gives_the_same_rollup(void **state)
{
    (void)state;
    static const char *const sum = "SELECT COUNT(*) || ':' || SUM(opened) || ':' || SUM(resolved) || ':' || SUM(refunds)"
                                   " || ':' || SUM(store_credits) || ':' || SUM(declined) || ':' || SUM(referrals)"
                                   " || ':' || SUM(overrides) || ':' || SUM(approvals_requested) || ':' || SUM(cancelled)"
                                   " || ':' || SUM(refund_cents) || ':' || SUM(goodwill_cents) || ':' || SUM(store_credit_cents)"
                                   " || ':' || SUM(store_id * day) || ':' || MIN(category) || ':' || MAX(category)"
                                   " FROM insight_days";
    char live[300], again[300];
    assert_int_equal(server_sql_value(&srv, sum, live, sizeof live), 0);
    server_kill9(&srv);
    assert_int_equal(server_sql(&srv, "DROP TABLE insight_days"), 0);
    assert_int_equal(server_sql(&srv, "DELETE FROM schema_migrations WHERE version = 19"), 0);
    assert_int_equal(server_restart(&srv), 0);                          /* serve migrates: 0019 again */
    assert_int_equal(server_sql_value(&srv, sum, again, sizeof again), 0);
    assert_string_equal(again, live);
    rollup_equals_raw();
}

TD_TEST_MAIN("api_insight_daily", setup, chain_teardown,
             cmocka_unit_test(a_mix_of_cases_counts_as_the_raw_tables),
             cmocka_unit_test(a_rolled_back_request_changes_nothing),
             cmocka_unit_test(the_dashboard_answers_by_role),
             cmocka_unit_test(bad_parameters_name_their_field),
             cmocka_unit_test(the_same_as_files),
             cmocka_unit_test(the_backfill_gives_the_same_rollup))
