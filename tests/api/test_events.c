/* test_events.c — the event seam and the decision inputs over the API, on
 * SQLite and PostgreSQL: every transition of a case writes its case_events
 * row once and counts in the aggregates once; a subscriber that fails rolls
 * the whole request back; a purchase import counts through the seam; a
 * decided case's stored inputs replay through policy_decide() to the
 * decision the desk took. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "db/db.h"
#include "domain/desk_inputs.h"
#include "domain/guard.h"
#include "domain/policy.h"
#include "domain/policy_store.h"
#include "harness.h"

static struct server srv;
static struct client admin, anna, mark;
static long long kees, sanne;

static long long customer(const char *loyalty)
{
    return db_intf(&srv, "SELECT id FROM customers WHERE loyalty_number = '%s'", loyalty);
}

static void post(struct client *c, const char *path, const char *body, long want, struct resp *r)
{
    assert_int_equal(req(c, "POST", path, body, r), 0);
    if (r->status != want) fprintf(stderr, "POST %s: %ld %s (expected %ld)\n", path, r->status, r->body, want);
    assert_int_equal(r->status, want);
}

static void post_case(struct client *c, long long id, const char *step, const char *body, long want, const char *status)
{
    char path[128];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/%s/%lld/%s", strcmp(step, "approve") == 0 || strcmp(step, "reject") == 0
             ? "approvals" : strcmp(step, "status") == 0 ? "repairs" : "cases", id, step);
    post(c, path, body, want, &r);
    if (status) assert_string_equal(jstr(r.json, "status"), status);
    resp_free(&r);
}

static long long open_case(const char *body)
{
    struct resp r;
    post(&anna, "/api/v1/cases", body, 201, &r);
    long long id = jint(r.json, "id");
    resp_free(&r);
    return id;
}

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
                                          MEMBERS_END};
    if (chain_start(&srv, &admin, "UTR01", staff) != 0) return -1;
    import_csv(&admin, "customers",
               "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
               "NL-300001,Sanne de Vries,sanne@example.nl,06-11111111,UTR01,nee,nee\n"
               "NL-300002,Kees Jansen,kees@example.nl,06-22222222,UTR01,nee,nee\n");
    kees = customer("NL-300002");
    sanne = customer("NL-300001");
    return 0;
}

static long long actions(long long case_id, const char *action)
{
    return db_intf(&srv, "SELECT COUNT(*) FROM case_events WHERE case_id = %lld AND action = '%s'", case_id, action);
}

static long long facts_cases(long long customer_id)
{
    return db_intf(&srv, "SELECT COALESCE(SUM(cases), 0) FROM customer_days WHERE customer_id = %lld", customer_id);
}

/* ---- every transition once ----------------------------------------------- */

static void each_transition_emits_once(void **state)
{
    (void)state;
    char body[512];
    long long before = facts_cases(kees);
    long long lifetime = db_intf(&srv, "SELECT COALESCE(MAX(cases), 0) FROM customer_facts WHERE customer_id = %lld", kees);
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Zara\",\"description\":\"Blazer\","
             "\"stated_price_cents\":9000,\"condition\":\"used\"}]}", kees);
    long long id = open_case(body);
    assert_int_equal(actions(id, "opened"), 1);
    assert_int_equal(facts_cases(kees), before + 1);
    post_case(&anna, id, "resolve", "{\"resolution\":\"store_credit\",\"amount_cents\":9000}", 200, "awaiting_approval");
    assert_int_equal(actions(id, "approval_requested"), 1);
    post_case(&mark, id, "reject", "{\"reason\":\"Liever ruilen.\"}", 200, "open");
    assert_int_equal(actions(id, "approval_rejected"), 1);
    post_case(&anna, id, "resolve", "{\"resolution\":\"exchange\",\"amount_cents\":5000,\"override_reason\":\"Ruilen.\"}",
              200, "awaiting_approval");
    assert_int_equal(actions(id, "overridden"), 1);
    assert_int_equal(actions(id, "approval_requested"), 2);
    post_case(&mark, id, "approve", "{\"note\":\"Akkoord.\"}", 200, "resolved");
    assert_int_equal(actions(id, "approved"), 1);
    assert_int_equal(actions(id, "resolved"), 1);
    post_case(&anna, id, "follow-up", "{\"note\":\"Gebeld.\"}", 200, "followed_up");
    assert_int_equal(actions(id, "followed_up"), 1);
    /* Eight steps, eight rows, nothing else. */
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM case_events WHERE case_id = %lld", id), 8);

    /* A repair: taken in, sent; and a complaint cancelled. */
    snprintf(body, sizeof body,
             "{\"kind\":\"repair\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Miele\",\"description\":\"Stofzuiger\","
             "\"stated_price_cents\":45000,\"condition\":\"defective\"}]}", kees);
    long long rep = open_case(body);
    post_case(&anna, rep, "resolve", "{\"resolution\":\"repair_manufacturer\",\"amount_cents\":0,\"manufacturer\":\"Miele\","
                                     "\"override_reason\":\"Naar de fabrikant.\"}", 200, "resolved");
    post_case(&anna, rep, "status", "{\"status\":\"sent\",\"rma_number\":\"RMA-1\"}", 200, "sent");
    assert_int_equal(actions(rep, "resolved"), 1);
    assert_int_equal(actions(rep, "repair"), 1);
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"-\",\"description\":\"Service\",\"stated_price_cents\":0,"
             "\"condition\":\"new\"}]}", kees);
    long long cc = open_case(body);
    post_case(&anna, cc, "cancel", "{\"reason\":\"Weggegaan.\"}", 200, "cancelled");
    assert_int_equal(actions(cc, "cancelled"), 1);

    /* The aggregates counted each case once, at opening, whatever followed. */
    assert_int_equal(facts_cases(kees), before + 3);
    assert_int_equal(db_intf(&srv, "SELECT cases FROM customer_facts WHERE customer_id = %lld", kees), lifetime + 3);
}

/* ---- a subscriber that fails ---------------------------------------------- */

static void sql(const char *stmt)
{
    struct db *db = NULL;
    assert_int_equal(db_open(srv.db_url, &db), TD_OK);
    assert_int_equal(db_exec(db, stmt), TD_OK);
    db_close(db);
}

/* Makes every write to customer_days fail (or works again with on 0). */
static void refuse_customer_days(int on)
{
    if (server_is_pg(&srv)) {
        if (on) {
            sql("CREATE FUNCTION td_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $f$ BEGIN RAISE EXCEPTION 'refused by the test'; END $f$");
            sql("CREATE TRIGGER td_test_refuse BEFORE INSERT OR UPDATE ON customer_days"
                " FOR EACH ROW EXECUTE FUNCTION td_test_refuse()");
        } else {
            sql("DROP TRIGGER td_test_refuse ON customer_days");
            sql("DROP FUNCTION td_test_refuse()");
        }
    } else if (on) {
        sql("CREATE TRIGGER td_test_refuse_i BEFORE INSERT ON customer_days"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
        sql("CREATE TRIGGER td_test_refuse_u BEFORE UPDATE ON customer_days"
            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");
    } else {
        sql("DROP TRIGGER td_test_refuse_i");
        sql("DROP TRIGGER td_test_refuse_u");
    }
}

static void a_subscriber_error_rolls_back(void **state)
{
    (void)state;
    long long cases = db_intf(&srv, "SELECT COUNT(*) FROM cases");
    long long events = db_intf(&srv, "SELECT COUNT(*) FROM case_events");
    long long items = db_intf(&srv, "SELECT COUNT(*) FROM case_items");
    long long before = facts_cases(sanne);
    long long lifetime = db_intf(&srv, "SELECT COALESCE(MAX(cases), 0) FROM customer_facts WHERE customer_id = %lld", sanne);
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jurk\","
             "\"stated_price_cents\":4000,\"condition\":\"new\"}]}", sanne);
    refuse_customer_days(1);
    struct resp r;
    assert_int_equal(req(&anna, "POST", "/api/v1/cases", body, &r), 0);
    long status = r.status;
    resp_free(&r);
    refuse_customer_days(0);
    if (status < 400) fprintf(stderr, "opened while the aggregates refused: %ld\n", status);
    assert_true(status >= 400);
    /* Nothing of it stayed: not the case, its items, its event, nor the
     * aggregates the subscriber wrote before the failing row. */
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM cases"), cases);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM case_items"), items);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM case_events"), events);
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(MAX(cases), 0) FROM customer_facts WHERE customer_id = %lld", sanne),
                     lifetime);
    assert_int_equal(facts_cases(sanne), before);
    /* And with the table writable again the same request goes through. */
    long long id = open_case(body);
    assert_int_equal(actions(id, "opened"), 1);
    assert_int_equal(facts_cases(sanne), before + 1);
}

/* ---- purchases through the seam ------------------------------------------- */

static void a_purchase_import_counts_once(void **state)
{
    (void)state;
    long long visits = db_intf(&srv, "SELECT COALESCE(MAX(visits), 0) FROM customer_facts WHERE customer_id = %lld", sanne);
    long long spend =
        db_intf(&srv, "SELECT COALESCE(MAX(lifetime_spend_cents), 0) FROM customer_facts WHERE customer_id = %lld", sanne);
    time_t t = time(NULL) - 2 * 86400;
    struct tm tm;
    char when[32], csv[1024];
    gmtime_r(&t, &tm);
    strftime(when, sizeof when, "%Y-%m-%d %H:%M", &tm);
    snprintf(csv, sizeof csv,
             "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
             "R-EV-1,%s,UTR01,NL-300001,EV-1,Wollen jas,Noordzee,Jassen,100.00,1\n"
             "R-EV-2,%s,UTR01,NL-300001,EV-2,Sjaal,Noordzee,Accessoires,20.00,2\n", when, when);
    import_csv(&admin, "purchases", csv);
    assert_int_equal(db_intf(&srv, "SELECT visits FROM customer_facts WHERE customer_id = %lld", sanne), visits + 2);
    assert_int_equal(db_intf(&srv, "SELECT lifetime_spend_cents FROM customer_facts WHERE customer_id = %lld", sanne),
                     spend + 14000);
}

/* ---- decision inputs ------------------------------------------------------ */

/* Replays the stored inputs of case id through the policy and checks that
 * they give the decision stored with them, and that it is the one the
 * desk's answer showed (resolution, amount). */
static void assert_replays(long long id, const char *resolution, long long amount)
{
    struct db *db = NULL;
    assert_int_equal(db_open(srv.db_url, &db), TD_OK);
    struct dctx c = {.db = db, .now_us = (int64_t)time(NULL) * 1000000, .addr = "test"};
    struct desk_inputs *in = malloc(sizeof *in);
    assert_non_null(in);
    assert_int_equal(desk_inputs_last(&c, id, in), TD_OK);
    assert_int_equal(in->case_id, id);
    assert_string_equal(policy_resolution_name(in->decision.resolution), resolution);
    assert_int_equal(in->decision.max_amount_cents, amount);
    struct policy p;
    assert_int_equal(policy_effective(&c, in->store_id, &p), TD_OK);
    struct risk risk;
    struct decision d;
    assert_int_equal(guard_score(&p.guard, &in->signals, &risk), TD_OK);
    assert_int_equal(risk.score, in->risk_score);
    assert_int_equal(risk.level, in->risk_level);
    assert_int_equal(policy_decide(&p, &in->ci, &in->facts, &risk, &d), TD_OK);
    assert_string_equal(d.policy_version, in->policy_version);
    assert_int_equal(d.resolution, in->decision.resolution);
    assert_int_equal(d.max_amount_cents, in->decision.max_amount_cents);
    assert_int_equal(d.needs_approval, in->decision.needs_approval);
    assert_int_equal(d.ask_walk_in_contact, in->decision.ask_walk_in_contact);
    assert_int_equal(d.n_items, in->decision.n_items);
    for (size_t i = 0; i < d.n_items; i++) {
        assert_int_equal(d.items[i].resolution, in->decision.items[i].resolution);
        assert_int_equal(d.items[i].amount_cents, in->decision.items[i].amount_cents);
        assert_int_equal(d.items[i].needs_approval, in->decision.items[i].needs_approval);
        assert_int_equal(d.items[i].proven, in->decision.items[i].proven);
        assert_int_equal(d.items[i].beyond_quantity, in->decision.items[i].beyond_quantity);
    }
    free(in);
    db_close(db);
}

static void decided_inputs_replay_to_the_same_decision(void **state)
{
    (void)state;
    /* A purchase of ours, with its receipt, and a thing not sold here. */
    char body[1024];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"items\":[{\"sold_here\":true,\"receipt_id\":\"R-EV-2\",\"sku\":\"EV-2\",\"condition\":\"new\"},"
             "{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Riem\",\"stated_price_cents\":2500,"
             "\"condition\":\"used\"}]}", sanne);
    long long id = open_case(body);
    char path[96];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/cases/%lld/decision", id);
    post(&anna, path, NULL, 200, &r);
    char resolution[32];
    snprintf(resolution, sizeof resolution, "%s", jstr(r.json, "resolution"));
    long long amount = jint(r.json, "max_amount_cents");
    resp_free(&r);
    /* Asking for the recommendation stores nothing; deciding does. */
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld", id), 0);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    snprintf(body, sizeof body, "{\"resolution\":\"%s\",\"amount_cents\":%lld}", resolution, amount);
    post(&anna, path, body, 200, &r);
    resp_free(&r);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld", id), 1);
    assert_int_equal(db_intf(&srv, "SELECT customer_id FROM decision_inputs WHERE case_id = %lld", id), sanne);
    assert_replays(id, resolution, amount);

    /* A request the desk refuses stores nothing. */
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Zara\",\"description\":\"Blazer\","
             "\"stated_price_cents\":9000,\"condition\":\"used\"}]}", kees);
    long long w = open_case(body);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", w);
    post(&anna, path, "{\"resolution\":\"refund\",\"amount_cents\":9000}", 422, &r);
    resp_free(&r);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld", w), 0);
    /* One sent for approval, rejected and decided again: two decisions,
     * the later one read back. */
    post(&anna, path, "{\"resolution\":\"store_credit\",\"amount_cents\":9000}", 200, &r);
    resp_free(&r);
    post_case(&mark, w, "reject", "{\"reason\":\"Nee.\"}", 200, "open");
    snprintf(path, sizeof path, "/api/v1/cases/%lld/decision", w);
    post(&anna, path, NULL, 200, &r);
    snprintf(resolution, sizeof resolution, "%s", jstr(r.json, "resolution"));
    amount = jint(r.json, "max_amount_cents");
    resp_free(&r);
    snprintf(body, sizeof body, "{\"resolution\":\"%s\",\"amount_cents\":%lld}", resolution, amount);
    post_case(&anna, w, "resolve", body, 200, NULL);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld", w), 2);
    assert_replays(w, resolution, amount);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_transition_emits_once),
        cmocka_unit_test(a_subscriber_error_rolls_back),
        cmocka_unit_test(a_purchase_import_counts_once),
        cmocka_unit_test(decided_inputs_replay_to_the_same_decision),
    };
    return cmocka_run_group_tests(tests, setup, chain_teardown);
}
