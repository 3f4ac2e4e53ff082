/* test_outcomes.c — the case_outcomes rows (migration 0022, events.def's
 * outcomes_on_event) that the goodwill economics and the referral outcomes
 * read, over HTTP, on SQLite and (TRUSTDESK_TEST_PG) PostgreSQL:
 *
 * - after a mix of cases (a refund beyond its window, goodwill store credit
 *   sent for approval and approved, a decline, two referrals, a walk-in's
 *   case, an open one), aged back 100 days, and purchases after them
 *   imported (in the 30-, 90- and 180-day windows, and outside them), each
 *   row holds what its customer bought in each window; walk-ins and open
 *   cases have none;
 * - a rolled-back import (a bad line) and a rolled-back resolve (its
 *   Idempotency-Key could not be stored) change no row;
 * - a window closing: 80 days more and the unknown 180 days of a referral
 *   with no purchase becomes "not back", in the report, the row unchanged;
 * - the table equals a recount from the raw tables: dropped, migration 0022
 *   runs again on the same database and gives the same rows. */
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
static struct client admin, anna, mark;
static long long refund, goodwill, decline, fenna_ref, gijs_ref, walk_in, open_case;

#define PURCHASES "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
                                          MEMBERS_END};
    if (chain_start(&srv, &admin, "UTR01 AMS01", staff) != 0) return -1;
    import_csv(&admin, "customers", "loyalty_number,name,email,home_store_code\n"
                                    "NL-810001,Kees Keuken,kees@example.test,UTR01\n"
                                    "NL-810002,Mila Mode,mila@example.test,UTR01\n"
                                    "NL-810003,Joost Jansen,joost@example.test,UTR01\n"
                                    "NL-810004,Fenna Fiets,fenna@example.test,UTR01\n"
                                    "NL-810005,Gijs Gras,gijs@example.test,UTR01\n"
                                    "NL-810006,Olga Open,olga@example.test,UTR01\n");
    import_csv_ago(&admin, "purchases", PURCHASES
                   "R-O-1,@300,UTR01,NL-810001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-O-3,@300,UTR01,NL-810003,JK-1,Zomerjurk,Noordzee,Kleding,79.95,1\n"
                   "R-O-4,@300,UTR01,NL-810004,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-O-5,@300,UTR01,NL-810005,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-O-6,@300,UTR01,NL-810006,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n");
    return 0;
}

static long long openf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static long long openf(const char *fmt, ...)
{
    char body[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    return case_open(&anna, body);
}

static void post(struct client *c, const char *path_fmt, long long id, const char *body)
{
    char path[96];
    struct resp r;
    snprintf(path, sizeof path, path_fmt, id);
    req_expect(c, "POST", path, body, 200, &r);
    resp_free(&r);
}

/* One number of a row (-1 when there is none). */
static long long col(long long case_id, const char *column)
{
    return db_intf(&srv, "SELECT COALESCE((SELECT %s FROM case_outcomes WHERE case_id = %lld), -1)", column, case_id);
}

/* The whole table in one line, to compare before and after. */
static void signature(char *out, size_t n)
{
    static const char *const q =
        "SELECT COUNT(*) || ':' || SUM(case_id * customer_id) || ':' || SUM(store_id) || ':' || SUM(resolved_at % 1000003)"
        " || ':' || SUM(COALESCE(decided_at, 0) % 1000003) || ':' || SUM(COALESCE(decision_id, 0)) || ':' || MIN(category)"
        " || ':' || MAX(category) || ':' || MIN(policy_version) || ':' || MIN(tier) || ':' || MAX(tier)"
        " || ':' || SUM(case_id * spend_before_cents) || ':' || SUM(case_id * tenure_days) || ':' || MIN(resolution)"
        " || ':' || MAX(resolution) || ':' || SUM(case_id * goodwill_cents) || ':' || SUM(case_id * funded)"
        " || ':' || SUM(case_id * referred) || ':' || SUM(case_id * spend_30) || ':' || SUM(case_id * visits_30)"
        " || ':' || SUM(case_id * spend_90) || ':' || SUM(case_id * visits_90) || ':' || SUM(case_id * spend_180)"
        " || ':' || SUM(case_id * visits_180) FROM case_outcomes";
    assert_int_equal(server_sql_value(&srv, q, out, n), 0);
}

static void a_mix_of_cases_and_purchases_after_them(void **state)
{
    (void)state;
    long long kees = customer_id(&anna, "NL-810001"), mila = customer_id(&anna, "NL-810002"),
              joost = customer_id(&anna, "NL-810003"), fenna = customer_id(&anna, "NL-810004"),
              gijs = customer_id(&anna, "NL-810005"), olga = customer_id(&anna, "NL-810006");
    refund = openf("{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                   "\"items\":[{\"receipt_id\":\"R-O-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", kees);
    case_resolve_as_recommended(&anna, refund);
    goodwill = openf("{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
                     "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jurk\","
                     "\"stated_price_cents\":4000,\"condition\":\"used\"}]}", mila);
    post(&anna, "/api/v1/cases/%lld/resolve", goodwill, "{\"resolution\":\"store_credit\",\"amount_cents\":1500,"
                                                        "\"override_reason\":\"Een gebaar voor een vaste klant.\"}");
    post(&mark, "/api/v1/approvals/%lld/approve", goodwill, "{\"note\":\"Akkoord.\"}");
    decline = openf("{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                    "\"items\":[{\"receipt_id\":\"R-O-3\",\"sku\":\"JK-1\",\"condition\":\"new\"}]}", joost);
    post(&anna, "/api/v1/cases/%lld/resolve", decline, "{\"resolution\":\"decline\",\"amount_cents\":0,"
                                                       "\"override_reason\":\"Gedragen, niet terug te nemen.\"}");
    const char *referral = "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                           "\"customer_words\":\"Bij Action is deze weegschaal goedkoper.\","
                           "\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"},"
                           "\"items\":[{\"receipt_id\":\"%s\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}";
    fenna_ref = openf(referral, fenna, "R-O-4");
    case_resolve_as_recommended(&anna, fenna_ref);
    gijs_ref = openf(referral, gijs, "R-O-5");
    case_resolve_as_recommended(&anna, gijs_ref);
    walk_in = openf("{\"kind\":\"complaint\",\"store_code\":\"UTR01\",\"receipt\":false,"
                    "\"items\":[{\"sold_here\":false,\"brand\":\"-\",\"description\":\"Service\","
                    "\"stated_price_cents\":0,\"condition\":\"new\"}]}");
    case_resolve_as_recommended(&anna, walk_in);
    open_case = openf("{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
                      "\"items\":[{\"receipt_id\":\"R-O-6\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", olga);

    /* A row per resolved case of a customer, as resolved. */
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM case_outcomes"), 5);
    assert_int_equal(col(walk_in, "1"), -1);
    assert_int_equal(col(open_case, "1"), -1);
    assert_int_equal(col(goodwill, "goodwill_cents"), 1500);
    assert_int_equal(col(goodwill, "funded"), 1);
    assert_int_equal(col(refund, "goodwill_cents"), 2499);     /* refunded beyond its window: all beyond strict */
    assert_int_equal(col(refund, "funded"), 0);
    assert_int_equal(col(decline, "goodwill_cents"), 0);
    assert_int_equal(col(fenna_ref, "referred"), 1);
    assert_int_equal(col(refund, "referred"), 0);
    assert_true(col(refund, "decided_at") > 0 && col(refund, "decision_id") > 0);

    /* A hundred days on, the purchases after them: Kees 20 days after his
     * case, Mila 60, Joost 95, Fenna 5 (and once 50 days before hers: in no
     * window), and an anonymous sale. */
    long long aged[] = {refund, goodwill, decline, fenna_ref, gijs_ref};
    for (size_t i = 0; i < sizeof aged / sizeof aged[0]; i++) case_age(&srv, aged[i], 100);
    import_csv_ago(&admin, "purchases", PURCHASES
                   "R-A-1,@80,AMS01,NL-810001,TD-1,Theedoek,Huis,Keuken,4.99,2\n"
                   "R-A-2,@40,UTR01,NL-810002,JK-1,Zomerjurk,Noordzee,Kleding,79.95,1\n"
                   "R-A-3,@5,UTR01,NL-810003,TD-1,Theedoek,Huis,Keuken,4.99,1\n"
                   "R-A-4,@95,UTR01,NL-810004,TD-1,Theedoek,Huis,Keuken,4.99,1\n"
                   "R-A-5,@150,UTR01,NL-810004,TD-1,Theedoek,Huis,Keuken,4.99,1\n"
                   "R-A-6,@10,UTR01,,TD-1,Theedoek,Huis,Keuken,4.99,1\n");
    struct { long long *id; const char *col; long long want; } want[] = {
        {&refund, "visits_30", 1},     {&refund, "spend_30", 998},    {&refund, "visits_180", 1},
        {&goodwill, "visits_30", 0},   {&goodwill, "visits_90", 1},   {&goodwill, "spend_90", 7995},
        {&decline, "visits_90", 0},    {&decline, "visits_180", 1},   {&decline, "spend_180", 499},
        {&fenna_ref, "visits_30", 1},  {&fenna_ref, "visits_180", 1}, {&gijs_ref, "visits_180", 0},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        if (col(*want[i].id, want[i].col) != want[i].want)
            fail_msg("case %lld %s: %lld, not %lld", *want[i].id, want[i].col, col(*want[i].id, want[i].col), want[i].want);
}

static void a_rolled_back_request_changes_nothing(void **state)
{
    (void)state;
    char before[1024], after[1024], when[32], csv[600];
    signature(before, sizeof before);
    /* An import whose second line is bad: nothing of it, not even Kees's
     * receipt in his windows. */
    days_ago(70, when, sizeof when);
    snprintf(csv, sizeof csv, PURCHASES "R-B-1,%s,UTR01,NL-810001,TD-1,Theedoek,Huis,Keuken,4.99,1\n"
                                        "R-B-2,%s,UTR01,NL-810002,TD-1,Theedoek,Huis,Keuken,veel,1\n", when, when);
    struct resp r;
    assert_int_equal(req_h(&admin, "POST", "/api/v1/imports/purchases", csv, &r, "Content-Type: text/csv; charset=utf-8",
                           NULL), 0);
    long import_status = r.status;
    resp_free(&r);
    /* A resolve that fails once the desk and every subscriber did their
     * work: its Idempotency-Key cannot be stored. */
    char path[96], resolve[200];
    case_decide(&anna, open_case, &r);
    snprintf(resolve, sizeof resolve, "{\"resolution\":\"%s\",\"amount_cents\":%lld}", jstr(r.json, "resolution"),
             jint(r.json, "max_amount_cents"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", open_case);
    refuse_idempotency_keys(&srv, 1);
    assert_int_equal(req_h(&anna, "POST", path, resolve, &r, "Idempotency-Key: outcomes-resolve-1", NULL), 0);
    long resolve_status = r.status;
    resp_free(&r);
    refuse_idempotency_keys(&srv, 0);
    if (import_status < 400 || resolve_status < 400)
        fail_msg("answered %ld and %ld to a bad import and a resolve whose key could not be kept", import_status,
                 resolve_status);
    signature(after, sizeof after);
    assert_string_equal(after, before);
    assert_int_equal(col(open_case, "1"), -1);
}

/* The came_back of the referral of case id in the report. */
static json_t *came_back(struct resp *r, long long id)
{
    json_t *items = json_object_get(r->json, "items");
    for (size_t i = 0; i < json_array_size(items); i++)
        if (jint(json_array_get(items, i), "case_id") == id) return json_object_get(json_array_get(items, i), "came_back");
    fail_msg("case %lld is not in the referral report: %s", id, r->body);
    return NULL;
}

static void a_window_closes(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&mark, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    json_t *g = came_back(&r, gijs_ref), *f = came_back(&r, fenna_ref);
    assert_true(json_is_false(json_object_get(g, "90")));
    assert_true(json_is_null(json_object_get(g, "180")));           /* 100 days: not known yet */
    assert_true(json_is_true(json_object_get(f, "30")));
    resp_free(&r);
    char before[1024], after[1024];
    signature(before, sizeof before);
    case_age(&srv, gijs_ref, 80);                                    /* 180 days on: the window has passed */
    req_expect(&mark, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    assert_true(json_is_false(json_object_get(came_back(&r, gijs_ref), "180")));
    resp_free(&r);
    assert_int_equal(col(gijs_ref, "visits_180"), 0);
    case_age(&srv, gijs_ref, -80);
    signature(after, sizeof after);
    assert_string_equal(after, before);
}

/* Migration 0022's backfill, from the raw tables of the same database,
 * gives what the events wrote one by one. */
static void the_table_equals_a_recount(void **state)
{
    (void)state;
    char live[1024], again[1024];
    signature(live, sizeof live);
    server_kill9(&srv);
    assert_int_equal(server_sql(&srv, "DROP TABLE case_outcomes"), 0);
    assert_int_equal(server_sql(&srv, "DELETE FROM schema_migrations WHERE version = 22"), 0);
    assert_int_equal(server_restart(&srv), 0);                       /* serve migrates: 0022 again */
    signature(again, sizeof again);
    assert_string_equal(again, live);
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM case_outcomes"), 5);
}

TD_TEST_MAIN("api_outcomes", setup, chain_teardown,
             cmocka_unit_test(a_mix_of_cases_and_purchases_after_them),
             cmocka_unit_test(a_rolled_back_request_changes_nothing),
             cmocka_unit_test(a_window_closes),
             cmocka_unit_test(the_table_equals_a_recount))
