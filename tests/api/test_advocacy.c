/* test_advocacy.c — the well-kept secret and the kitchen scale (PRODUCT.md)
 * over HTTP, on SQLite and PostgreSQL: head office opens a staff survey for
 * two stores; their staff answer through the stores' shared links (a
 * browser answers once; a score outside 0–10 and an oversized text are
 * refused naming the field); fewer than 5 answers show nothing; an
 * associate reads no results and a manager only their store's; many name
 * free alterations, which tops the secrets board once its words are merged;
 * a manager turns it into a value card for clothing (not without a
 * verifier; not shown until verified, by the verifier); a "cheaper
 * elsewhere" return of a dress shows it in the decision's value_card and
 * the customer's choice is recorded with the case; a kitchen-scale referral
 * shows the kitchen card; a quiz from the card and a knowledge score for
 * the person and their manager only. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "harness.h"

static struct server srv;
static struct client admin, anna, mark, mia, anon;
static long long member;

static const struct member staff[] = {
    {"anna", "associate", "UTR01", &anna},
    {"mark", "manager", "UTR01", &mark},
    {"mia", "manager", "AMS01", &mia},
    MEMBERS_END,
};

static int setup(void **state)
{
    (void)state;
    if (chain_start(&srv, &admin, "UTR01 AMS01", staff) != 0) return -1;
    import_csv(&admin, "customers", "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
                                    "NL-300001,Lotte Bakker,lotte@example.nl,06-55555555,UTR01,nee,nee\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-D-1,@6,UTR01,NL-300001,DR-1,Jurk,Noordzee,Kleding,89.95,1\n"
                   "R-KS-1,@5,UTR01,NL-300001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n");
    member = customer_id(&anna, "NL-300001");
    chain_anon(&anon, &srv);
    return 0;
}

static long long count(const char *sql) { return db_int(&srv, sql); }

static char link_utr[40], link_ams[40];
static long long survey_id;
static int nonces;

/* One staff answer through a link from a browser of its own (or nonce). */
static long answer(const char *token, const char *body_fields, const char *nonce)
{
    char own[40], path[96], body[4096];
    snprintf(own, sizeof own, "browser-%d-0123456789abcdef", ++nonces);
    snprintf(path, sizeof path, "/api/v1/staff-survey/%s/answers", token);
    snprintf(body, sizeof body, "{%s%s\"nonce\":\"%s\"}", body_fields, body_fields[0] ? "," : "", nonce ? nonce : own);
    struct resp r;
    assert_int_equal(req(&anon, "POST", path, body, &r), 0);
    long s = r.status;
    resp_free(&r);
    return s;
}

static void results(struct client *c, const char *query, long status, struct resp *r)
{
    char path[160];
    snprintf(path, sizeof path, "/api/v1/staff-surveys/%lld/results%s", survey_id, query);
    req_expect(c, "GET", path, NULL, status, r);
}

static void open_survey(void)
{
    time_t t = time(NULL) + 14 * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    char closes[32], body[256];
    strftime(closes, sizeof closes, "%Y-%m-%dT%H:%M:%SZ", &tm);
    snprintf(body, sizeof body, "{\"name\":\"Najaar 2026\",\"closes_at\":\"%s\",\"store_codes\":[\"UTR01\",\"AMS01\"],"
                                "\"categories\":[\"Kleding\",\"Keuken\"]}", closes);
    struct resp r;
    assert_int_equal(req_status(&mark, "POST", "/api/v1/staff-surveys", body), 403);     /* head office runs it */
    req_expect(&admin, "POST", "/api/v1/staff-surveys", body, 201, &r);
    survey_id = jint(r.json, "id");
    for (int i = 0; i < 2; i++) {
        char k[32];
        snprintf(k, sizeof k, "links.%d.store_code", i);
        const char *code = jstr(r.json, k);
        snprintf(k, sizeof k, "links.%d.token", i);
        snprintf(strcmp(code, "UTR01") == 0 ? link_utr : link_ams, sizeof link_utr, "%s", jstr(r.json, k));
    }
    resp_free(&r);
    assert_int_equal(strlen(link_utr), 32);
    assert_int_equal(strlen(link_ams), 32);
    /* Only the tokens' hashes are stored. */
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM staff_round_links WHERE token_hash = '%s'", link_utr);
    assert_int_equal(count(sql), 0);
}

static void the_well_kept_secret(void **state)
{
    (void)state;
    open_survey();
    /* The public page of a link, without a login. */
    struct resp r;
    char path[96];
    snprintf(path, sizeof path, "/api/v1/staff-survey/%s", link_ams);
    req_expect(&anon, "GET", path, NULL, 200, &r);
    assert_string_equal(jstr(r.json, "survey"), "Najaar 2026");
    assert_string_equal(jstr(r.json, "store"), "Amsterdam Kalverstraat");
    assert_string_equal(jstr(r.json, "categories.1"), "Keuken");
    assert_non_null(strstr(jstr(r.json, "questions.score.en"), "family and friends"));
    resp_free(&r);
    req_expect(&anon, "GET", "/api/v1/staff-survey/0123456789abcdef0123456789abcdef", NULL, 404, &r);
    resp_free(&r);

    /* Amsterdam: three answers so far show nothing, not even their number. */
    assert_int_equal(answer(link_ams, "\"score\":9,\"secret\":\"Free alterations\"", NULL), 201);
    assert_int_equal(answer(link_ams, "\"score\":8,\"secret\":\"free alterations within 30 days\"", NULL), 201);
    assert_int_equal(answer(link_ams, "\"score\":10,\"why\":\"Mooie spullen\",\"secret\":\"Gratis vermaken\"", "the-same-browser-0001"),
                     201);
    results(&mia, "", 200, &r);
    assert_false(json_is_true(json_object_get(r.json, "shown")));
    assert_true(json_is_null(json_object_get(r.json, "answers")));
    assert_true(json_is_null(json_object_get(r.json, "nps")));
    assert_true(json_is_null(json_object_get(r.json, "comments")));
    resp_free(&r);
    /* Bad answers: the field named, nothing stored. */
    long long before = count("SELECT COUNT(*) FROM staff_answers");
    assert_int_equal(answer(link_ams, "\"score\":4", "the-same-browser-0001"), 409);
    assert_int_equal(answer(link_ams, "\"score\":11", NULL), 422);
    assert_int_equal(answer(link_ams, "\"score\":-1", NULL), 422);
    assert_int_equal(answer(link_ams, "\"score\":\"9\"", NULL), 422);
    assert_int_equal(answer(link_ams, "\"score\":7,\"category\":\"Elektra\"", NULL), 422);
    char big[1100] = "\"score\":7,\"why\":\"";
    size_t o = strlen(big);
    memset(big + o, 'x', 1001);
    snprintf(big + o + 1001, sizeof big - o - 1001, "\"");
    assert_int_equal(answer(link_ams, big, NULL), 422);
    snprintf(path, sizeof path, "/api/v1/staff-survey/%s/answers", link_ams);
    req_expect_field(&anon, "POST", path, "{\"score\":12,\"nonce\":\"the-same-browser-0001\"}", 422, "score");
    req_expect_field(&anon, "POST", path, "{\"score\":7,\"why\":\"\",\"nonce\":\"the-same-browser-0001\"}",
                     409, "nonce");
    assert_int_equal(count("SELECT COUNT(*) FROM staff_answers"), before);
    assert_int_equal(answer(link_ams, "\"score\":8,\"secret\":\"vermaken gratis\"", NULL), 201);
    assert_int_equal(answer(link_ams, "\"score\":6,\"secret\":\"Cadeaubonnen\"", NULL), 201);
    assert_int_equal(answer(link_ams, "\"score\":9", NULL), 201);

    /* Utrecht: eight, six of them name free alterations. */
    static const char *const utr[] = {
        "\"score\":9,\"secret\":\"Gratis vermaken\"", "\"score\":10,\"secret\":\"gratis VERMAKEN binnen 30 dagen\"",
        "\"score\":9,\"secret\":\"Vermaken is gratis\"", "\"score\":8,\"why\":\"Goed advies\",\"secret\":\"Wij vermaken gratis\"",
        "\"score\":7,\"secret\":\"Gratis vermaken van broeken\"", "\"score\":9,\"category\":\"Kleding\",\"secret\":\"gratis vérmaken\"",
        "\"score\":5,\"why\":\"Te weinig personeel\",\"secret\":\"Bezorging aan huis\"", "\"score\":9",
    };
    for (size_t i = 0; i < sizeof utr / sizeof utr[0]; i++) assert_int_equal(answer(link_utr, utr[i], NULL), 201);
    /* No column holds a person or a time of day. */
    assert_int_equal(count("SELECT COUNT(*) FROM staff_answers"), 14);

    /* Who reads what: no associate; a manager their own store. */
    results(&anna, "", 403, &r);
    resp_free(&r);
    results(&mark, "?store_code=AMS01", 403, &r);
    resp_free(&r);
    results(&mark, "", 200, &r);
    assert_string_equal(jstr(r.json, "store_code"), "UTR01");
    assert_true(json_is_true(json_object_get(r.json, "shown")));
    assert_int_equal(jint(r.json, "answers"), 8);
    assert_int_equal(jint(r.json, "promoters"), 5);
    assert_int_equal(jint(r.json, "detractors"), 1);
    assert_true(json_is_null(json_object_get(r.json, "comments")));           /* comments from 10 */
    assert_int_equal(json_array_size(json_object_get(r.json, "nps_interval")), 2);
    resp_free(&r);
    results(&admin, "", 200, &r);                                               /* the whole round: 14 */
    assert_int_equal(jint(r.json, "answers"), 14);
    assert_true(json_array_size(json_object_get(r.json, "comments")) >= 10);
    resp_free(&r);
    /* The one who named Kleding is not to be found by subtraction. */
    results(&admin, "?store_code=UTR01&category=Kleding", 200, &r);
    assert_false(json_is_true(json_object_get(r.json, "shown")));
    resp_free(&r);
    results(&admin, "?category=Sport", 422, &r);
    assert_true(has_err_field(&r, "category"));
    resp_free(&r);

    /* The secrets board: "gratis" and "vermaken" top it; merged, renamed
     * and shown, free alterations is one theme of ten answers. */
    req_expect(&mark, "GET", "/api/v1/secrets", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.label"), "gratis");
    assert_int_equal(jint(r.json, "items.0.answers"), 8);
    assert_string_equal(jstr(r.json, "items.1.label"), "vermaken");
    long long gratis = jint(r.json, "items.0.id"), vermaken = jint(r.json, "items.1.id"), free_id = 0, alter = 0;
    for (size_t i = 0; i < json_array_size(json_object_get(r.json, "items")); i++) {
        json_t *t = json_array_get(json_object_get(r.json, "items"), i);
        const char *label = json_string_value(json_object_get(t, "label"));
        if (strcmp(label, "free") == 0) free_id = json_integer_value(json_object_get(t, "id"));
        if (strcmp(label, "alterations") == 0) alter = json_integer_value(json_object_get(t, "id"));
    }
    assert_true(free_id && alter);
    resp_free(&r);
    char merge[96], body[96];
    snprintf(merge, sizeof merge, "/api/v1/secrets/%lld/merge", gratis);
    long long from[] = {vermaken, free_id, alter};
    for (int i = 0; i < 3; i++) {
        snprintf(body, sizeof body, "{\"from\":%lld}", from[i]);
        req_expect(&mark, "POST", merge, body, 200, &r);
        resp_free(&r);
    }
    snprintf(body, sizeof body, "{\"from\":%lld}", vermaken);
    req_expect(&mark, "POST", merge, body, 409, &r);                           /* merged already */
    resp_free(&r);
    assert_int_equal(req_status(&anna, "POST", merge, body), 403);
    snprintf(path, sizeof path, "/api/v1/secrets/%lld", gratis);
    req_expect(&mark, "PATCH", path, "{\"label\":\"Gratis vermaken\"}", 200, &r);
    assert_int_equal(jint(r.json, "answers"), 10);
    resp_free(&r);
    req_expect(&mark, "PATCH", path, "{\"status\":\"shown\"}", 403, &r);        /* head office moderates */
    resp_free(&r);
    req_expect_field(&admin, "PATCH", path, "{\"status\":\"seen\"}", 422, "status");
    expect_items(&anna, "/api/v1/secrets", 0);     /* nothing moderated yet */
    req_expect(&admin, "PATCH", path, "{\"status\":\"shown\"}", 200, &r);
    resp_free(&r);
    req_expect(&anna, "GET", "/api/v1/secrets", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.label"), "Gratis vermaken");
    assert_int_equal(jint(r.json, "items.0.answers"), 10);
    assert_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "stores"));
    resp_free(&r);
    req_expect(&mark, "GET", "/api/v1/secrets", NULL, 200, &r);                 /* his store's count only */
    assert_string_equal(jstr(r.json, "items.0.stores.0.store_code"), "UTR01");
    assert_int_equal(jint(r.json, "items.0.stores.0.answers"), 6);
    assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "stores")), 1);
    resp_free(&r);

    /* A manager turns it into a value card for clothing. */
    long long cards = count("SELECT COUNT(*) FROM value_cards");
    req_expect_field(&mark, "POST", "/api/v1/value-cards",
                     "{\"category\":\"Kleding\",\"claim_nl\":\"Gratis vermaken binnen 30 dagen\","
                     "\"claim_en\":\"Free alterations within 30 days\"}", 422, "verifier");
    assert_int_equal(count("SELECT COUNT(*) FROM value_cards"), cards);
    assert_int_equal(req_status(&anna, "POST", "/api/v1/value-cards", "{}"), 403);
    snprintf(body, sizeof body, "%lld", gratis);
    char card_body[512];
    snprintf(card_body, sizeof card_body,
             "{\"category\":\"Kleding\",\"claim_nl\":\"Gratis vermaken binnen 30 dagen\","
             "\"claim_en\":\"Free alterations within 30 days\",\"verifier\":\"mark\",\"theme_id\":%lld}", gratis);
    req_expect(&mark, "POST", "/api/v1/value-cards", card_body, 201, &r);
    assert_string_equal(jstr(r.json, "state"), "draft");
    long long card = jint(r.json, "id");
    resp_free(&r);

    /* The dress, cheaper elsewhere: no card while the claim is unverified. */
    char case_body[640];
    snprintf(case_body, sizeof case_body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"Bij Zalando is deze jurk goedkoper.\","
             "\"referral\":{\"to\":\"Zalando\",\"reason\":\"cheaper_elsewhere\"},"
             "\"items\":[{\"receipt_id\":\"R-D-1\",\"sku\":\"DR-1\",\"condition\":\"new\"}]}", member);
    long long dress = case_open(&anna, case_body);
    char one_case[64];
    snprintf(one_case, sizeof one_case, "/api/v1/cases/%lld", dress);
    req_expect(&anna, "GET", one_case, NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "value_card_shown")));        /* nothing recorded yet */
    resp_free(&r);
    case_decide(&anna, dress, &r);
    assert_true(json_is_null(json_object_get(r.json, "value_card")));
    resp_free(&r);
    char verify[96];
    snprintf(verify, sizeof verify, "/api/v1/value-cards/%lld/verify", card);
    assert_int_equal(req_status(&mia, "POST", verify, "{}"), 403);               /* not the verifier */
    req_expect(&mark, "POST", verify, "{}", 200, &r);
    assert_string_equal(jstr(r.json, "state"), "verified");
    resp_free(&r);
    case_decide(&anna, dress, &r);
    assert_int_equal(jint(r.json, "value_card.id"), card);
    assert_string_equal(jstr(r.json, "value_card.claim.en"), "Free alterations within 30 days");
    assert_string_equal(jstr(r.json, "value_card.claim.nl"), "Gratis vermaken binnen 30 dagen");
    assert_string_equal(jstr(r.json, "value_card.category"), "Kleding");
    resp_free(&r);
    /* What the customer did, recorded with the case (once). */
    char rec[96], rec_body[96];
    snprintf(rec, sizeof rec, "/api/v1/cases/%lld/value-card", dress);
    snprintf(rec_body, sizeof rec_body, "{\"card_id\":%lld,\"outcome\":\"left\"}", card);
    req_expect_field(&anna, "POST", rec, rec_body, 422, "outcome");
    snprintf(rec_body, sizeof rec_body, "{\"card_id\":%lld,\"outcome\":\"undecided\"}", card);
    req_expect(&anna, "POST", rec, rec_body, 200, &r);
    resp_free(&r);
    snprintf(rec_body, sizeof rec_body, "{\"card_id\":%lld,\"outcome\":\"stayed\"}", card);
    req_expect(&anna, "POST", rec, rec_body, 200, &r);
    assert_string_equal(jstr(r.json, "outcome"), "stayed");
    resp_free(&r);
    assert_int_equal(req_status(&mia, "POST", rec, rec_body), 403);              /* another store's case */
    req_expect(&anna, "GET", one_case, NULL, 200, &r);                           /* the case says so when drawn again */
    assert_int_equal(jint(r.json, "value_card_shown.card_id"), card);
    assert_string_equal(jstr(r.json, "value_card_shown.outcome"), "stayed");
    resp_free(&r);
    snprintf(path, sizeof path, "SELECT COUNT(*) FROM case_value_cards WHERE case_id = %lld AND outcome = 'stayed'", dress);
    assert_int_equal(count(path), 1);
    /* The customer's GDPR export carries the card shown at their case. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", member);
    req_expect(&admin, "GET", path, NULL, 200, &r);
    json_t *shown = json_object_get(json_object_get(r.json, "feedback"), "value_cards");
    assert_int_equal(json_array_size(shown), 1);
    expect_ints(json_array_get(shown, 0), "case_id", (int)dress, "card_id", (int)card, NULL);
    expect_strs(json_array_get(shown, 0), "outcome", "stayed", "claim_nl", "Gratis vermaken binnen 30 dagen", NULL);
    resp_free(&r);

    /* A quiz from the card, and a score for Anna and her manager only. */
    snprintf(path, sizeof path, "/api/v1/value-cards/%lld/questions", card);
    req_expect_field(&mark, "POST", path, "{\"question\":\"Hoe lang vermaken wij gratis?\",\"answers\":[\"7 dagen\",\"30 dagen\"],\"right\":1}",
                     422, "answers");
    long long question = post_id(&mark, path,
                                 "{\"question\":\"Hoe lang vermaken wij gratis?\",\"answers\":[\"7 dagen\",\"30 dagen\",\"Nooit\"],\"right\":1}");
    req_expect(&anna, "GET", "/api/v1/quiz", NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.id"), question);
    assert_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "right"));
    resp_free(&r);
    snprintf(body, sizeof body, "{\"question_id\":%lld,\"choice\":1}", question);
    req_expect(&anna, "POST", "/api/v1/quiz/answers", body, 200, &r);
    assert_true(json_is_true(json_object_get(r.json, "correct")));
    resp_free(&r);
    req_expect(&anna, "GET", "/api/v1/staff/anna/knowledge", NULL, 200, &r);
    assert_int_equal(jint(r.json, "score_percent"), 100);
    resp_free(&r);
    req_expect(&mark, "GET", "/api/v1/staff/anna/knowledge", NULL, 200, &r);
    assert_int_equal(jint(r.json, "correct"), 1);
    resp_free(&r);
    assert_int_equal(req_status(&mia, "GET", "/api/v1/staff/anna/knowledge", NULL), 403);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/staff/mark/knowledge", NULL), 403);
}

static void the_kitchen_scale(void **state)
{
    (void)state;
    struct resp r;
    long long card = post_id(&mark, "/api/v1/value-cards",
                             "{\"category\":\"keuken\",\"claim_nl\":\"Twee jaar garantie, wij regelen de reparatie\","
                             "\"claim_en\":\"Two-year warranty, we handle the repair\",\"verifier\":\"mark\",\"check_days\":30}");
    req_expect_field(&mark, "POST", "/api/v1/value-cards", "{\"claim_nl\":\"x\",\"claim_en\":\"x\",\"verifier\":\"mark\",\"check_days\":0}",
                     422, "check_days");
    char verify[96];
    snprintf(verify, sizeof verify, "/api/v1/value-cards/%lld/verify", card);
    req_expect(&mark, "POST", verify, "{}", 200, &r);
    assert_int_equal(jint(r.json, "check_days"), 30);
    resp_free(&r);
    char body[640];
    snprintf(body, sizeof body,
             "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"Bij de Action is een weegschaal veel goedkoper.\","
             "\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"},"
             "\"items\":[{\"receipt_id\":\"R-KS-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", member);
    long long id = case_open(&anna, body);
    case_decide(&anna, id, &r);
    assert_string_equal(jstr(r.json, "resolution"), "refer_elsewhere");
    assert_int_equal(jint(r.json, "value_card.id"), card);
    assert_string_equal(jstr(r.json, "value_card.claim.nl"), "Twee jaar garantie, wij regelen de reparatie");
    assert_string_equal(jstr(r.json, "value_card.state"), "verified");
    resp_free(&r);
    /* Associates read the cards the desk shows, and only those. */
    req_expect(&anna, "GET", "/api/v1/value-cards", NULL, 200, &r);
    for (size_t i = 0; i < json_array_size(json_object_get(r.json, "items")); i++)
        assert_string_equal(jstr(json_array_get(json_object_get(r.json, "items"), i), "state"), "verified");
    resp_free(&r);
    /* Retired: the referral shows no card any more. */
    snprintf(verify, sizeof verify, "/api/v1/value-cards/%lld/retire", card);
    req_expect(&mark, "POST", verify, "{}", 200, &r);
    resp_free(&r);
    case_decide(&anna, id, &r);
    assert_true(json_is_null(json_object_get(r.json, "value_card")));
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_well_kept_secret),
        cmocka_unit_test(the_kitchen_scale),
    };
    return cmocka_run_group_tests_name("api_advocacy", tests, setup, chain_teardown);
}
