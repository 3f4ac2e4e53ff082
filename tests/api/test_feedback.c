/* test_feedback.c — the customer's one question and the closed loop over
 * HTTP, against a running server with its mail sender and a real SMTP
 * server on loopback (sink.h), on SQLite or (TRUSTDESK_TEST_PG) PostgreSQL:
 *
 * - a resolved case mails its customer a signed link; the public page asks
 *   0-10 and a comment; bad answers are refused beside their field and
 *   store nothing; a forged link is a 404 page;
 * - an answer of 6 or lower opens one follow-up for the store's manager,
 *   due in 48 hours; a changed answer within the day alerts nobody twice;
 *   another store's manager and an associate are refused;
 * - the manager contacts, issues a goodwill credit note for the case and
 *   closes with a root cause; the customer is asked again; an unhappy
 *   second answer reopens the follow-up, a happy one does not;
 * - no survey for a customer asked within 90 days, without an e-mail
 *   address, or who objected; the report; the export; erasure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "harness.h"
#include "sink.h"

static struct server srv;
static struct sink sink;
static struct client admin, anna, mark, piet, anon;
static int mails;                      /* messages the sink holds so far */

static int setup(void **state)
{
    (void)state;
    sink_start(&sink, "accept", 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", sink.port);
    const struct env_var env[] = {{"TRUSTDESK_SMTP_URL", url}, {"TRUSTDESK_MAIL_INTERVAL", "1"}, {NULL, NULL}};
    static const struct member members[] = {
        {"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
        {"piet", "manager", "AMS01", &piet}, MEMBERS_END};
    int rc = chain_start_env(&srv, &admin, "UTR01 AMS01", members, env);
    chain_anon(&anon, &srv);
    return rc;
}

static int teardown(void **state)
{
    sink_free(&sink);
    return chain_teardown(state);
}

static long long new_customer(const char *fields)
{
    char body[512];
    snprintf(body, sizeof body, "{\"home_store_code\":\"UTR01\",%s}", fields);
    long long id = post_id(&anna, "/api/v1/customers", body);
    return id;
}

/* A complaint of the customer at the Utrecht desk, resolved as the desk
 * recommends. */
static long long complaint_resolved(long long customer) { return service_complaint_resolved(&anna, "UTR01", customer); }

/* The next mail at the sink: its decoded text, and the survey link's path. */
static void next_survey_mail(char *text, size_t n, char *path, size_t pn)
{
    char *msg = sink_wait(&sink, ++mails);
    const char *p = strstr(msg, "\r\n\r\n");
    assert_non_null(p);
    size_t len = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)text, n - 1, p + 4, strlen(p + 4), "\r\n", &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL), 0);
    text[len] = '\0';
    free(msg);
    const char *link = strstr(text, "/api/v1/surveys/");
    if (!link) fail_msg("no survey link in:\n%s", text);
    snprintf(path, pn, "%.*s", (int)strcspn(link, "\n"), link);
}

static long long q(const char *fmt, long long a)
{
    char sql[300];
    snprintf(sql, sizeof sql, fmt, a);
    return server_sql_int(&srv, sql);
}

/* POSTs the page's form; returns the status, the page in r. */
static long answer(const char *path, const char *form, struct resp *r)
{
    assert_int_equal(req_h(&anon, "POST", path, form, r, "Content-Type: application/x-www-form-urlencoded", NULL), 0);
    return r->status;
}

static long long eva, eva_case, followup;
static char eva_link[200];

static void a_resolved_case_asks_one_question(void **state)
{
    (void)state;
    eva = new_customer("\"name\":\"Eva Bakker\",\"email\":\"eva@example.test\"");
    eva_case = complaint_resolved(eva);
    char text[4096];
    next_survey_mail(text, sizeof text, eva_link, sizeof eva_link);
    sink_expect(text, (const char *const[]){"Beste Eva Bakker,", "U was onlangs bij ons in Utrecht Centrum",
                                            "van 0 tot 10", NULL});
    assert_int_equal(q("SELECT COUNT(*) FROM surveys WHERE case_id = %lld AND round = 1", eva_case), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM contacts WHERE customer_id = %lld AND marketing = 0", eva), 1);

    struct resp r;
    req_expect(&anon, "GET", eva_link, NULL, 200, &r);
    sink_expect(r.body, (const char *const[]){"<html lang=\"nl\"", "Hoe waarschijnlijk is het", "value=\"0\"",
                                              "value=\"10\"", "name=\"comment\"", NULL});
    char csp[400];
    assert_non_null(resp_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "script-src 'nonce-"));
    resp_free(&r);

    /* A forged link (one character changed) is a page that says so. */
    char forged[200];
    snprintf(forged, sizeof forged, "%s", eva_link);
    size_t last = strlen(forged) - 1;
    forged[last] = forged[last] == 'A' ? 'B' : 'A';
    req_expect(&anon, "GET", forged, NULL, 404, &r);
    assert_non_null(strstr(r.body, "Deze link klopt niet"));
    resp_free(&r);
    assert_int_equal(answer(forged, "score=9", &r), 404);
    resp_free(&r);

    /* Bad answers: the form again with the problem beside its field, nothing stored. */
    static const struct { const char *form, *problem; } bad[] = {
        {"score=11&comment=Te+lang", "Kies een cijfer van 0 tot 10."},
        {"comment=Geen+cijfer", "Kies een cijfer van 0 tot 10."},
        {"score=drie", "Kies een cijfer van 0 tot 10."},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(answer(eva_link, bad[i].form, &r), 422);
        if (!strstr(r.body, bad[i].problem)) fail_msg("%s: no \"%s\" in the page", bad[i].form, bad[i].problem);
        resp_free(&r);
    }
    char *long_form = malloc(1200);
    snprintf(long_form, 1200, "score=3&comment=");
    memset(long_form + strlen(long_form), 'x', 1001);
    long_form[16 + 1001] = '\0';
    assert_int_equal(answer(eva_link, long_form, &r), 422);
    assert_non_null(strstr(r.body, "Uw toelichting is te lang"));
    resp_free(&r);
    free(long_form);
    assert_int_equal(q("SELECT COUNT(*) FROM surveys WHERE case_id = %lld AND answered_at IS NOT NULL", eva_case), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE case_id = %lld", eva_case), 0);
}

static void an_unhappy_answer_reaches_the_manager_once(void **state)
{
    (void)state;
    struct resp r;
    assert_int_equal(answer(eva_link, "score=3&comment=Te+lang+gewacht%2C+niemand+hielp.", &r), 200);
    assert_non_null(strstr(r.body, "De bedrijfsleider van Utrecht Centrum neemt binnen twee dagen contact met u op."));
    resp_free(&r);
    /* Changed within the day: the last answer counts, nobody is alerted twice. */
    assert_int_equal(answer(eva_link, "score=2&comment=Te+lang+gewacht%2C+niemand+hielp.", &r), 200);
    resp_free(&r);
    req_expect(&anon, "GET", eva_link, NULL, 200, &r);
    assert_non_null(strstr(r.body, "value=\"2\" checked"));
    assert_non_null(strstr(r.body, "tot morgen nog wijzigen"));
    resp_free(&r);
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE case_id = %lld", eva_case), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM followup_events e JOIN followups f ON f.id = e.followup_id"
                       " WHERE f.case_id = %lld AND e.action = 'opened'", eva_case), 1);

    req_expect(&mark, "GET", "/api/v1/followups", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    followup = jint(r.json, "items.0.id");
    assert_int_equal(jint(r.json, "items.0.score"), 2);
    assert_string_equal(jstr(r.json, "items.0.comment"), "Te lang gewacht, niemand hielp.");
    assert_string_equal(jstr(r.json, "items.0.status"), "open");
    assert_string_equal(jstr(r.json, "items.0.customer_name"), "Eva Bakker");
    int64_t opened = 0, due = 0;
    assert_int_equal(clock_parse(jstr(r.json, "items.0.opened_at"), &opened), 0);
    assert_int_equal(clock_parse(jstr(r.json, "items.0.due_at"), &due), 0);
    assert_int_equal(due - opened, 48LL * 3600 * 1000000);
    assert_true(json_is_false(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "overdue")));
    resp_free(&r);

    /* Another store's manager and an associate are refused. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/followups/%lld", followup);
    assert_int_equal(req_status(&piet, "GET", path, NULL), 403);
    assert_int_equal(req_status(&piet, "GET", "/api/v1/followups?store_code=UTR01", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/followups", NULL), 403);
    expect_items(&piet, "/api/v1/followups", 0);
    expect_items(&admin, "/api/v1/followups?status=all", 1);
    assert_int_equal(req_status(&mark, "GET", "/api/v1/followups?status=later", NULL), 422);
}

static void the_manager_puts_it_right_and_asks_again(void **state)
{
    (void)state;
    char path[96], body[300];
    struct resp r;
    /* Reassigned while Mark is away: only to staff of the store. */
    snprintf(path, sizeof path, "/api/v1/followups/%lld/assign", followup);
    req_expect_field(&mark, "POST", path, "{\"staff_login\":\"piet\"}", 422, "staff_login");
    req_expect(&mark, "POST", path, "{\"staff_login\":\"anna\"}", 200, &r);
    assert_string_equal(jstr(r.json, "assignee_login"), "anna");
    resp_free(&r);
    assert_int_equal(req_status(&mark, "POST", path, "{\"staff_login\":null}"), 200);
    /* The call. */
    snprintf(path, sizeof path, "/api/v1/followups/%lld/contact", followup);
    req_expect(&mark, "POST", path, "{\"note\":\"Gebeld, excuses gemaakt.\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "contacted");
    assert_non_null(jstr(r.json, "first_contact_at"));
    resp_free(&r);
    /* Closing needs a root cause, what was done, and a recovery that holds. */
    snprintf(path, sizeof path, "/api/v1/followups/%lld/close", followup);
    static const struct { const char *body, *field; } bad[] = {
        {"{\"action\":\"Excuses.\",\"recovery\":\"call\",\"root_cause\":\"\"}", "root_cause"},
        {"{\"action\":\"Excuses.\",\"recovery\":\"call\",\"root_cause\":\"moon_phase\"}", "root_cause"},
        {"{\"action\":\"\",\"recovery\":\"call\",\"root_cause\":\"waiting_time\"}", "action"},
        {"{\"action\":\"Excuses.\",\"recovery\":\"flowers\",\"root_cause\":\"waiting_time\"}", "recovery"},
        {"{\"action\":\"Tegoedbon.\",\"recovery\":\"credit_note\",\"root_cause\":\"waiting_time\"}", "credit_note_id"},
        {"{\"action\":\"Tegoedbon.\",\"recovery\":\"credit_note\",\"root_cause\":\"waiting_time\",\"credit_note_id\":999999}",
         "credit_note_id"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        req_expect_field(&mark, "POST", path, bad[i].body, 422, bad[i].field);
    }
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE id = %lld AND status = 'contacted'", followup), 1);
    /* A goodwill credit note for the case, through the ledger. */
    snprintf(body, sizeof body, "{\"amount_cents\":1500,\"reason\":\"Excuses voor het wachten\",\"funding\":\"goodwill\","
             "\"customer_id\":%lld,\"case_id\":%lld,\"store_code\":\"UTR01\"}", eva, eva_case);
    long long note = post_id(&mark, "/api/v1/credit-notes", body);
    snprintf(body, sizeof body, "{\"root_cause\":\"waiting_time\",\"action\":\"Gebeld en een tegoedbon van 15 euro.\","
             "\"recovery\":\"credit_note\",\"credit_note_id\":%lld}", note);
    req_expect(&mark, "POST", path, body, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "closed");
    assert_string_equal(jstr(r.json, "root_cause"), "waiting_time");
    assert_int_equal(jint(r.json, "credit_note_id"), note);
    assert_true(json_is_true(json_object_get(r.json, "asked_again")));
    resp_free(&r);
    assert_int_equal(req_status(&mark, "POST", path, body), 409);          /* closed is closed */

    /* Asked again; a happy answer leaves it closed. */
    char text[4096], link[200];
    next_survey_mail(text, sizeof text, link, sizeof link);
    assert_non_null(strstr(text, "We hebben geprobeerd het voor u goed te maken."));
    assert_true(strcmp(link, eva_link) != 0);
    assert_int_equal(answer(link, "score=8", &r), 200);
    assert_non_null(strstr(r.body, "Dank u wel!"));
    resp_free(&r);
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE id = %lld AND status = 'closed' AND reopened = 0", followup), 1);

    /* The report: one opened, contacted and closed within the day. */
    req_expect(&mark, "GET", "/api/v1/followups/report?days=30", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.store_code"), "UTR01");
    assert_int_equal(jint(r.json, "items.0.opened"), 1);
    assert_int_equal(jint(r.json, "items.0.closed"), 1);
    assert_int_equal(jint(r.json, "items.0.contacted_within_24h"), 1);
    resp_free(&r);
    assert_int_equal(req_status(&mark, "GET", "/api/v1/followups/report?days=0", NULL), 422);
}

static void an_unhappy_second_answer_reopens(void **state)
{
    (void)state;
    long long jan = new_customer("\"name\":\"Jan Smit\",\"email\":\"jan@example.test\",\"lang\":\"en\"");
    long long k = complaint_resolved(jan);
    char text[4096], link[200], path[96];
    next_survey_mail(text, sizeof text, link, sizeof link);
    assert_non_null(strstr(text, "Dear Jan Smit,"));                  /* in his language */
    struct resp r;
    assert_int_equal(answer(link, "score=4", &r), 200);
    assert_non_null(strstr(r.body, "The manager of Utrecht Centrum will contact you"));
    resp_free(&r);
    long long f = q("SELECT id FROM followups WHERE case_id = %lld", k);
    snprintf(path, sizeof path, "/api/v1/followups/%lld/close", f);
    req_expect(&mark, "POST", path, "{\"root_cause\":\"staff_attitude\",\"action\":\"Called.\",\"recovery\":\"call\"}", 200,
               &r);
    resp_free(&r);
    next_survey_mail(text, sizeof text, link, sizeof link);
    assert_int_equal(answer(link, "score=5&comment=Still+not+happy", &r), 200);
    resp_free(&r);
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE id = %lld AND status = 'open' AND reopened = 1", f), 1);
    assert_int_equal(q("SELECT COUNT(*) FROM followup_events WHERE followup_id = %lld AND action = 'reopened'", f), 1);
}

static void who_is_not_asked(void **state)
{
    (void)state;
    int before = sink_count(&sink);
    /* Eva was asked within 90 days; Noah has no e-mail; Olga objected. */
    long long noah = new_customer("\"name\":\"Noah Vos\",\"phone\":\"06-12121212\"");
    long long olga = new_customer("\"name\":\"Olga Kok\",\"email\":\"olga@example.test\"");
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/objection", olga);
    assert_int_equal(req_status(&anna, "PUT", path, "{\"objected\":true,\"source\":\"desk\"}"), 200);
    long long cases[] = {complaint_resolved(eva), complaint_resolved(noah), complaint_resolved(olga)};
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(q("SELECT COUNT(*) FROM surveys WHERE case_id = %lld", cases[i]), 0);
    /* A later mail (the sender works every second) would have arrived by
     * now after this one: send one and see it is the only new message. */
    long long zoe = new_customer("\"name\":\"Zoe de Wit\",\"email\":\"zoe@example.test\"");
    complaint_resolved(zoe);
    char *msg = sink_wait(&sink, before + 1);
    assert_non_null(strstr(msg, "X-Envelope-To: zoe@example.test"));
    free(msg);
    mails = before + 1;
}

static void root_causes_export_and_erasure(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/root-causes", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.code"), "product_quality");
    resp_free(&r);
    assert_int_equal(req_status(&admin, "POST", "/api/v1/root-causes", "{\"code\":\"parking\",\"nl\":\"Parkeren\","
                                                                         "\"en\":\"Parking\"}"), 201);
    assert_int_equal(req_status(&admin, "POST", "/api/v1/root-causes", "{\"code\":\"parking\",\"nl\":\"P\",\"en\":\"P\"}"),
                     409);
    req_expect_field(&admin, "POST", "/api/v1/root-causes", "{\"code\":\"Geen Code\",\"nl\":\"x\",\"en\":\"x\"}",
                     422, "code");
    assert_int_equal(req_status(&mark, "POST", "/api/v1/root-causes", "{\"code\":\"noise\",\"nl\":\"x\",\"en\":\"x\"}"), 403);

    /* The export carries Eva's answers; erasure takes them away. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", eva);
    req_expect(&mark, "GET", path, NULL, 200, &r);
    assert_int_equal(jint(r.json, "feedback.surveys.0.score"), 2);
    assert_string_equal(jstr(r.json, "feedback.surveys.0.comment"), "Te lang gewacht, niemand hielp.");
    assert_string_equal(jstr(r.json, "feedback.followups.0.root_cause"), "waiting_time");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", eva);
    assert_int_equal(req_status(&admin, "POST", path, "{}"), 200);
    assert_int_equal(q("SELECT COUNT(*) FROM surveys WHERE customer_id = %lld", eva), 0);
    assert_int_equal(q("SELECT COUNT(*) FROM followups WHERE customer_id = %lld", eva), 0);
    req_expect(&anon, "GET", eva_link, NULL, 404, &r);                 /* the link opens nothing now */
    resp_free(&r);
}

/* A credit note issued for a case carries the case's survey as a QR code
 * while the survey waits for its answer; answered, the note shows none. */
static void the_credit_note_carries_the_survey(void **state)
{
    (void)state;
    import_csv(&admin, "customers", "loyalty_number,name,email,home_store_code\nNL-400001,Noor Visser,noor@example.test,UTR01\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-N-1,@6,UTR01,NL-400001,SJ-1,Sjaal,Noordzee,Kleding,15.00,1\n");
    long long noor = customer_id(&anna, "NL-400001");
    char body[600], path[200], link[200], text[4096];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"De sjaal past niet bij mijn jas.\","
             "\"items\":[{\"receipt_id\":\"R-N-1\",\"sku\":\"SJ-1\",\"condition\":\"new\"}]}", noor);
    long long id = case_open(&anna, body);
    struct resp r;
    case_decide(&anna, id, &r);
    assert_string_equal(jstr(r.json, "resolution"), "refund");
    resp_free(&r);
    /* The customer takes the refund as store credit. */
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    req_expect(&anna, "POST", path, "{\"resolution\":\"store_credit\",\"amount_cents\":1500,\"override_reason\":\"De klant wil liever tegoed.\"}", 200, &r);
    char code[40];
    snprintf(code, sizeof code, "%s", jstr(r.json, "outcome.credit_note.code"));
    assert_true(code[0] != '\0');
    resp_free(&r);
    next_survey_mail(text, sizeof text, link, sizeof link);

    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/print", code);
    req_expect(&anna, "GET", path, NULL, 200, &r);
    sink_expect(r.body, (const char *const[]){"Hoe hebben wij u geholpen?", "How did we do?", "class=\"survey\"", NULL});
    const char *second = strstr(r.body, "class=\"survey\"");
    assert_non_null(strstr(second, "<svg class=\"qr\""));            /* the survey's own code */
    resp_free(&r);

    assert_int_equal(answer(link, "score=9", &r), 200);
    resp_free(&r);
    req_expect(&anna, "GET", path, NULL, 200, &r);
    assert_null(strstr(r.body, "Hoe hebben wij u geholpen?"));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_resolved_case_asks_one_question),
        cmocka_unit_test(an_unhappy_answer_reaches_the_manager_once),
        cmocka_unit_test(the_manager_puts_it_right_and_asks_again),
        cmocka_unit_test(an_unhappy_second_answer_reopens),
        cmocka_unit_test(who_is_not_asked),
        cmocka_unit_test(root_causes_export_and_erasure),
        cmocka_unit_test(the_credit_note_carries_the_survey),
    };
    return cmocka_run_group_tests_name("api_feedback", tests, setup, teardown);
}
