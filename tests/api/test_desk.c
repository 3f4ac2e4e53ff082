/* test_desk.c — the service desk over the API, on SQLite and PostgreSQL:
 * the worn dress, the vacuum cleaner, the kitchen scale and the exploiter
 * (PRODUCT.md) end to end; approvals by the right and the wrong people;
 * overrides; the policy's versions and validation; bad requests that
 * change nothing; idempotent store credit; lists and the dashboard; one
 * receipt line that comes back once (eight tills racing for it), gift
 * receipts, proof through the loyalty card. */
#define _GNU_SOURCE            /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "db/db.h"
#include "harness.h"

static struct server srv;
static struct client admin, anna, mark, mia;
static long long gold_id, bronze_id, exploiter_id, vacuum_id;

static const struct member staff[] = {
    {"anna", "associate", "UTR01", &anna},
    {"mark", "manager", "UTR01", &mark},
    {"mia", "manager", "AMS01", &mia},
    MEMBERS_END,
};

static void ago(int days, char *out, size_t n) { days_ago(days, out, n); }
static long long db_count(const char *sql) { return db_int(&srv, sql); }
static long long find_customer(const char *loyalty) { return customer_id(&anna, loyalty); }
static void post_csv(const char *kind, const char *text) { import_csv(&admin, kind, text); }

static int setup(void **state)
{
    (void)state;
    if (chain_start(&srv, &admin, "UTR01 AMS01 RTM01", staff) != 0) return -1;
    post_csv("customers", "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
                          "NL-200001,Sanne de Vries,sanne@example.nl,06-11111111,UTR01,ja,nee\n"
                          "NL-200002,Kees Jansen,kees@example.nl,06-22222222,UTR01,nee,nee\n"
                          "NL-200003,Piet Pieters,piet@example.nl,06-33333333,AMS01,nee,nee\n"
                          "NL-200004,Ans Bos,ans@example.nl,06-44444444,RTM01,nee,nee\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-G-1,@200,UTR01,NL-200001,COAT-1,Wollen jas,Noordzee,Jassen,1600.00,1\n"
                   "R-KS-1,@5,UTR01,NL-200002,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-KS-2,@5,UTR01,NL-200002,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-P-1,@60,AMS01,NL-200003,TS-1,T-shirt,Noordzee,Shirts,19.95,2\n"
                   "R-P-2,@40,AMS01,NL-200003,TS-2,Polo,Noordzee,Shirts,29.95,1\n"
                   "R-P-3,@3,UTR01,NL-200003,TS-1,T-shirt,Noordzee,Shirts,17.95,1\n"
                   "R-V-1,@60,RTM01,NL-200004,TS-2,Polo,Noordzee,Shirts,29.95,1\n");
    gold_id = find_customer("NL-200001");
    bronze_id = find_customer("NL-200002");
    exploiter_id = find_customer("NL-200003");
    vacuum_id = find_customer("NL-200004");
    return 0;
}


static long long open_case(struct client *c, const char *body) { return case_open(c, body); }


static void decide(struct client *c, long long id, struct resp *r) { case_decide(c, id, r); }

/* The path that resolves case id, in out. */
static const char *resolve_path(long long id, char *out, size_t n)
{
    snprintf(out, n, "/api/v1/cases/%lld/resolve", id);
    return out;
}

/* POST /api/v1/cases/ID/resolve as c, with an Idempotency-Key when key is
 * set, into r; asserts the answer's status (printing the body when not). */
static void resolve(struct client *c, long long id, const char *body, const char *key, long status, struct resp *r)
{
    char path[96], hdr[128];
    resolve_path(id, path, sizeof path);
    if (key) {
        snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key);
        assert_int_equal(req_h(c, "POST", path, body, r, hdr, NULL), 0);
    } else {
        assert_int_equal(req(c, "POST", path, body, r), 0);
    }
    if (r->status != status) fprintf(stderr, "resolve %lld: %ld, wanted %ld: %s\n", id, r->status, status, r->body);
    assert_int_equal(r->status, status);
}

/* Some reason of the array at path ("reasons", or the guard's
 * "risk.reasons") has field ("code", "en") equal to want (code) or
 * containing it (text). */
static int reason_with(json_t *j, const char *path, const char *field, const char *want)
{
    json_t *a = json_object_get(j, path);
    if (strchr(path, '.')) a = json_object_get(json_object_get(j, "risk"), "reasons");
    int code = strcmp(field, "code") == 0;
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *v = json_string_value(json_object_get(json_array_get(a, i), field));
        if (v && (code ? strcmp(v, want) == 0 : strstr(v, want) != NULL)) return 1;
    }
    return 0;
}
#define said(j, path, code) reason_with((j), (path), "code", (code))
#define reason_has(j, path, text) reason_with((j), (path), "en", (text))

/* No sentence shown to staff judges the customer, in either language. */
static void assert_no_accusation(json_t *j)
{
    static const char *const words[] = {"fraud", "suspic", "abuse", "exploit", "steal", "theft", "liar", "lie ",
                                        "fraude", "verdacht", "misbruik", "diefstal", "steel", "oplicht", NULL};
    json_t *lists[2] = {json_object_get(j, "reasons"), json_object_get(json_object_get(j, "risk"), "reasons")};
    for (int l = 0; l < 2; l++) {
        assert_true(json_array_size(lists[l]) >= 1);
        for (size_t i = 0; i < json_array_size(lists[l]); i++) {
            const char *texts[2] = {json_string_value(json_object_get(json_array_get(lists[l], i), "en")),
                                    json_string_value(json_object_get(json_array_get(lists[l], i), "nl"))};
            for (int t = 0; t < 2; t++) {
                assert_non_null(texts[t]);
                for (const char *const *w = words; *w; w++)
                    if (strcasestr(texts[t], *w)) fail_msg("accusing word '%s' in: %s", *w, texts[t]);
            }
        }
    }
}

static long redeem(const char *code, long long cents, long long *balance)
{
    char path[128], body[128];
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/redemptions", code);
    snprintf(body, sizeof body, "{\"amount_cents\":%lld,\"store_code\":\"UTR01\"}", cents);
    struct resp r;
    assert_int_equal(req(&anna, "POST", path, body, &r), 0);
    long st = r.status;
    *balance = jint(r.json, "balance_cents");
    resp_free(&r);
    return st;
}

/* The decision answered: its resolution, the most it gives (-1: any),
 * whether a manager must approve (-1: either) and one reason code it
 * gives (NULL: none asked). */
static void expect_decision(json_t *d, const char *resolution, long long max_cents, int approval, const char *reason)
{
    assert_string_equal(jstr(d, "resolution"), resolution);
    if (max_cents >= 0) assert_int_equal(jint(d, "max_amount_cents"), max_cents);
    if (approval >= 0) assert_int_equal(json_is_true(json_object_get(d, "needs_approval")), approval);
    if (reason) assert_true(said(d, "reasons", reason));
}

/* Anna asks the desk's decision on case id (into r, the caller frees it)
 * and it is the one expect_decision() is told. */
static void decide_expect(long long id, struct resp *r, const char *resolution, long long max_cents, int approval,
                          const char *reason)
{
    decide(&anna, id, r);
    expect_decision(r->json, resolution, max_cents, approval, reason);
}

/* ---- the stories ----------------------------------------------------------- */

static void test_worn_dress(void **state)
{
    (void)state;
    long long id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"Ik heb deze jurk een keer gedragen, hij was 240 euro.\","
             "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Gouden jurk\","
             "\"stated_price_cents\":24000,\"condition\":\"worn\"}]}", gold_id);
    struct resp r;
    decide_expect(id, &r, "store_credit", 24000, 0, "goodwill_within");
    expect_strs(r.json, "risk.level", "green", "policy_version", "1", NULL);
    assert_no_accusation(r.json);
    resp_free(&r);
    /* The decision changed nothing. */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "open");
    assert_true(json_is_null(json_object_get(r.json, "recommendation")));
    resp_free(&r);

    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":24000}", "dress-1", 200, &r);
    expect_strs(r.json, "status", "resolved", "recommendation.resolution", "store_credit",
                "recommendation.policy_version", "1", NULL);
    char code[40];
    snprintf(code, sizeof code, "%s", jstr(r.json, "outcome.credit_note.code"));
    assert_int_equal(strlen(code), 22);
    assert_int_equal(jint(r.json, "outcome.credit_note.amount_cents"), 24000);
    assert_int_equal(jint(r.json, "outcome.credit_note.case_id"), id);
    assert_int_equal(jint(r.json, "credit_note_id"), jint(r.json, "outcome.credit_note.id"));
    resp_free(&r);
    /* The same request again (a retry) answers the same note; no second one. */
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":24000}", "dress-1", 200, &r);
    assert_string_equal(jstr(r.json, "outcome.credit_note.code"), code);
    resp_free(&r);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld", id);
    assert_int_equal(db_count(sql), 1);
    /* Without the key, a second resolve is refused: the case is resolved. */
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":24000}", NULL, 409, &r);
    resp_free(&r);
    assert_int_equal(db_count(sql), 1);
    /* The desk shows her relationship: gold, EUR 1,600 spent, one case. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/facts", gold_id);
    req_expect(&anna, "GET", path, NULL, 200, &r);
    assert_string_equal(jstr(r.json, "tier"), "gold");
    expect_ints(r.json, "lifetime_spend_cents", 160000, "cases_30d", 1, NULL);
    resp_free(&r);
    /* She spends 100, later 140: balance 0. */
    long long bal = -1;
    assert_int_equal(redeem(code, 10000, &bal), 201);
    assert_int_equal(bal, 14000);
    assert_int_equal(redeem(code, 14000, &bal), 201);
    assert_int_equal(bal, 0);
}

static void test_vacuum_cleaner(void **state)
{
    (void)state;
    long long id = case_openf(&anna,
             "{\"kind\":\"repair\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"Mijn stofzuiger doet het niet meer.\","
             "\"items\":[{\"sold_here\":false,\"brand\":\"Vorwerk\",\"description\":\"Stofzuiger Kobold\","
             "\"stated_price_cents\":45000,\"condition\":\"defective\"}]}", vacuum_id);
    struct resp r;
    decide_expect(id, &r, "repair_manufacturer", 0, 0, "repair_manufacturer");
    assert_true(reason_has(r.json, "reasons", "Vorwerk"));   /* the brand reaches the words */
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"repair_manufacturer\",\"amount_cents\":0}", NULL, 200, &r);
    expect_strs(r.json, "status", "resolved", "repair.status", "taken_in", "repair.manufacturer", "Vorwerk",
                "repair.via", "manufacturer", NULL);
    assert_true(json_is_null(json_object_get(json_object_get(r.json, "outcome"), "credit_note")));
    resp_free(&r);

    char path[96];
    snprintf(path, sizeof path, "/api/v1/repairs/%lld/status", id);
    req_expect(&anna, "POST", path, "{\"status\":\"sent\",\"rma_number\":\"VW-RMA-77812\"}", 200, &r);
    assert_string_equal(jstr(r.json, "rma_number"), "VW-RMA-77812");
    resp_free(&r);
    static const char *const steps[] = {"at_manufacturer", "back_in_store", "customer_told"};
    for (int i = 0; i < 3; i++) {
        char b[64];
        snprintf(b, sizeof b, "{\"status\":\"%s\"}", steps[i]);
        req_expect(&anna, "POST", path, b, 200, &r);
        assert_string_equal(jstr(r.json, "status"), steps[i]);
        resp_free(&r);
    }
    /* Back is not a step; a made-up status neither. Neither changes anything. */
    req_expect_field(&anna, "POST", path, "{\"status\":\"sent\"}", 422, "status");
    assert_int_equal(req_status(&anna, "POST", path, "{\"status\":\"lost\"}"), 422);
    /* Open repairs of the store list it, in its state. */
    req_expect(&anna, "GET", "/api/v1/repairs", NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.case_id"), id);
    assert_string_equal(jstr(r.json, "items.0.status"), "customer_told");
    resp_free(&r);
    assert_int_equal(req_status(&anna, "POST", path, "{\"status\":\"collected\",\"note\":\"klant blij\"}"), 200);
    assert_int_equal(req(&anna, "GET", "/api/v1/repairs?open=true", NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 0);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    json_t *ev = json_object_get(r.json, "events");
    assert_int_equal(json_array_size(ev), 7);   /* opened, resolved, 5 repair steps */
    expect_strs(r.json, "events.6.detail", "collected: klant blij", "events.6.staff", "anna", NULL);
    resp_free(&r);
}

static void test_kitchen_scale(void **state)
{
    (void)state;
    long long id = case_openf(&anna,
             "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"Bij de Action is een weegschaal veel goedkoper.\","
             "\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"},"
             "\"items\":[{\"receipt_id\":\"R-KS-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", bronze_id);
    struct resp r;
    decide_expect(id, &r, "refer_elsewhere", 2499, -1, "refer_with_amount");
    assert_true(reason_has(r.json, "reasons", "cheaper elsewhere"));
    assert_true(json_object_get(r.json, "value_card") != NULL);   /* null: this chain has no value cards */
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"refer_elsewhere\",\"amount_cents\":2499}", NULL, 200, &r);
    expect_strs(r.json, "status", "resolved", "referral.to", "Action", "referral.reason", "cheaper_elsewhere", NULL);
    expect_ints(r.json, "items.0.days_since_purchase", 5, "items.0.price_paid_cents", 2499, NULL);
    resp_free(&r);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM referrals WHERE case_id = %lld AND to_name = 'Action'"
                               " AND reason = 'cheaper_elsewhere' AND category = 'Keuken'", id), 1);
    /* A return where the customer says only at the end that they go elsewhere:
     * the referral named at resolving is the case's too. (Another scale of
     * his: R-KS-1's one has come back with the referral above.) */
    id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-KS-2\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", bronze_id);
    resolve(&anna, id, "{\"resolution\":\"refer_elsewhere\",\"amount_cents\":2499,\"override_reason\":\"Wil naar de Action.\","
                       "\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper_elsewhere\"}}", NULL, 200, &r);
    expect_strs(r.json, "referral.to", "Action", "referral.reason", "cheaper_elsewhere", NULL);
    resp_free(&r);
}

static void test_exploiter(void **state)
{
    (void)state;
    static const char *const stores[] = {"UTR01", "AMS01", "RTM01", "UTR01", "AMS01"};
    /* Five no-receipt returns at three stores in a few weeks, each settled. */
    for (int i = 0; i < 5; i++) {
        long long id = case_openf(&anna,
                 "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"%s\",\"receipt\":false,"
                 "\"customer_words\":\"Past niet.\",\"items\":[{\"sku\":\"TS-1\",\"condition\":\"new\"}]}",
                 exploiter_id, stores[i]);
        struct resp r;
        decide(&anna, id, &r);
        assert_string_equal(jstr(r.json, "resolution"), "store_credit");
        assert_int_equal(jint(r.json, "max_amount_cents"), 1795);   /* the lowest recent price */
        char res[128];
        snprintf(res, sizeof res, "{\"resolution\":\"store_credit\",\"amount_cents\":%lld}", jint(r.json, "max_amount_cents"));
        int waits = json_is_true(json_object_get(r.json, "needs_approval"));
        resp_free(&r);
        resolve(&anna, id, res, NULL, 200, &r);
        assert_string_equal(jstr(r.json, "status"), waits ? "awaiting_approval" : "resolved");
        resp_free(&r);
        if (waits) {
            char path[96];
            snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
            assert_int_equal(req_status(&admin, "POST", path, "{}"), 200);
        }
    }
    /* The sixth: the desk asks for a manager, in neutral words. */
    long long id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"Verkeerde maat.\",\"items\":[{\"sku\":\"TS-1\",\"condition\":\"new\"}]}", exploiter_id);
    struct resp r;
    decide_expect(id, &r, "store_credit", -1, 1, NULL);
    assert_string_equal(jstr(r.json, "risk.level"), "red");
    assert_true(jint(r.json, "risk.score") >= 70);
    assert_true(said(r.json, "reasons", "guard_script"));
    assert_true(said(r.json, "risk.reasons", "guard_no_receipt_30d"));
    assert_no_accusation(r.json);
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":1795}", NULL, 200, &r);
    expect_strs(r.json, "status", "awaiting_approval", "recommendation.risk.level", "red", NULL);
    assert_true(json_is_null(json_object_get(json_object_get(r.json, "outcome"), "credit_note")));
    resp_free(&r);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld", id);
    assert_int_equal(db_count(sql), 0);

    /* The queue of Utrecht shows it; an associate may not approve, nor the
     * manager of another store; Utrecht's manager may. */
    req_expect(&mark, "GET", "/api/v1/approvals", NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.id"), id);
    resp_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
    assert_int_equal(req_status(&anna, "POST", path, "{}"), 403);
    assert_int_equal(req_status(&mia, "POST", path, "{}"), 403);
    assert_int_equal(req_status(&mia, "GET", "/api/v1/approvals?store_code=UTR01", NULL), 403);
    assert_int_equal(db_count(sql), 0);
    req_expect(&mark, "POST", path, "{\"note\":\"Samen afgerond.\"}", 200, &r);
    expect_strs(r.json, "status", "resolved", "approval_note", "Samen afgerond.", NULL);
    assert_int_equal(strlen(jstr(r.json, "outcome.credit_note.code")), 22);
    resp_free(&r);
    assert_int_equal(db_count(sql), 1);
    /* Approving twice is refused. */
    assert_int_equal(req_status(&mark, "POST", path, "{}"), 409);
}

/* ---- approvals rejected, overrides, follow-up, cancel ---------------------- */

static void test_reject_override_cancel(void **state)
{
    (void)state;
    /* A bronze customer's dress above her limit: approval needed. */
    long long id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Zara\",\"description\":\"Blazer\","
             "\"stated_price_cents\":9000,\"condition\":\"used\"}]}", bronze_id);
    struct resp r;
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":9000}", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    char path[96];
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/reject", id);
    req_expect_field(&mark, "POST", path, "{}", 422, "reason");
    req_expect(&mark, "POST", path, "{\"reason\":\"Liever 50 euro, haar limiet.\"}", 200, &r);
    expect_strs(r.json, "status", "open", "approval_note", "Liever 50 euro, haar limiet.", NULL);
    resp_free(&r);

    /* Departing from the recommendation needs a reason; with one it is kept. */
    resolve(&anna, id, "{\"resolution\":\"exchange\",\"amount_cents\":5000}", NULL, 422, &r);
    assert_true(has_err_field(&r, "override_reason"));
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"exchange\",\"amount_cents\":5000,\"override_reason\":\"Klant wil liever ruilen.\"}",
            NULL, 200, &r);
    /* The case still needs a manager: money moves in a case the policy
     * sends for approval, whatever the amount chosen. */
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
    req_expect(&mark, "POST", path, "{\"note\":\"Akkoord met ruilen.\"}", 200, &r);
    expect_strs(r.json, "status", "resolved", "resolution.resolution", "exchange",
                "resolution.override_reason", "Klant wil liever ruilen.", NULL);
    int found = 0;
    json_t *ev = json_object_get(r.json, "events");
    for (size_t i = 0; i < json_array_size(ev); i++)
        found |= strcmp(jstr(json_array_get(ev, i), "action"), "overridden") == 0;
    assert_true(found);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/follow-up", id);
    req_expect(&anna, "POST", path, "{\"note\":\"Gebeld: blij met de ruil.\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "followed_up");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/cancel", id);
    assert_int_equal(req_status(&anna, "POST", path, "{\"reason\":\"te laat\"}"), 409);

    /* A walk-in's complaint, cancelled. */
    long long w = open_case(&anna, "{\"kind\":\"complaint\",\"store_code\":\"UTR01\",\"receipt\":false,"
                                   "\"customer_words\":\"Lang moeten wachten.\",\"items\":[{\"sold_here\":false,"
                                   "\"brand\":\"-\",\"description\":\"Service\",\"stated_price_cents\":0,\"condition\":\"new\"}]}");
    snprintf(path, sizeof path, "/api/v1/cases/%lld/cancel", w);
    req_expect(&anna, "POST", path, "{\"reason\":\"Klant is weggegaan.\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "cancelled");
    assert_true(json_is_null(json_object_get(r.json, "customer_id")));
    resp_free(&r);
}

/* ---- bad requests change nothing ------------------------------------------ */

static void expect_422(const char *body, const char *field)
{
    struct resp r;
    assert_int_equal(req(&anna, "POST", "/api/v1/cases", body, &r), 0);
    if (r.status != 422 || !has_err_field(&r, field)) fprintf(stderr, "expected 422 on %s: %ld %s\n", field, r.status, r.body);
    assert_int_equal(r.status, 422);
    assert_true(has_err_field(&r, field));
    resp_free(&r);
}

static void test_bad_requests_change_nothing(void **state)
{
    (void)state;
    long long cases = db_count("SELECT COUNT(*) FROM cases"), events = db_count("SELECT COUNT(*) FROM case_events");
    long long facts = db_count("SELECT COALESCE(SUM(cases), 0) FROM customer_days");
    expect_422("{\"kind\":\"barter\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "kind");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[]}", "items");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true}", "items");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "receipt");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"sku\":\"KS-100\",\"condition\":\"broken\"}]}", "items[0].condition");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"sku\":\"KS-100\"}]}", "items[0].condition");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"sku\":\"NOPE\",\"condition\":\"new\"}]}", "items[0].sku");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"receipt_id\":\"R-NONE\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "items[0].receipt_id");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"receipt_id\":\"R-G-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "items[0].sku");
    expect_422("{\"kind\":\"return\",\"store_code\":\"XX99\",\"receipt\":true,\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "store_code");
    expect_422("{\"kind\":\"return\",\"customer_id\":999999,\"store_code\":\"UTR01\",\"receipt\":true,\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "customer_id");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,\"items\":[{\"sold_here\":false,\"brand\":\"X\",\"description\":\"Y\",\"condition\":\"new\"}]}", "items[0].stated_price_cents");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,\"items\":[{\"sold_here\":false,\"description\":\"Y\",\"stated_price_cents\":-5,\"condition\":\"new\"}]}", "items[0].brand");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,\"colour\":\"red\",\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "colour");
    expect_422("{\"kind\":\"referral\",\"store_code\":\"UTR01\",\"receipt\":false,\"referral\":{\"to\":\"Action\",\"reason\":\"cheaper\"},\"items\":[{\"sku\":\"KS-100\",\"condition\":\"new\"}]}", "referral.reason");
    struct resp r;
    assert_int_equal(req_status(&anna, "POST", "/api/v1/cases", "{\"kind\":"), 400);
    assert_int_equal(db_count("SELECT COUNT(*) FROM cases"), cases);
    assert_int_equal(db_count("SELECT COUNT(*) FROM case_events"), events);
    assert_int_equal(db_count("SELECT COALESCE(SUM(cases), 0) FROM customer_days"), facts);

    /* Bad resolves leave the case open and issue nothing. */
    long long id = open_case(&anna, "{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":true,"
                                    "\"items\":[{\"receipt_id\":\"R-KS-1\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}");
    long long notes = db_count("SELECT COUNT(*) FROM credit_notes");
    static const char *const bad[][2] = {
        {"{\"resolution\":\"gift\",\"amount_cents\":100}", "resolution"},
        {"{\"resolution\":\"store_credit\",\"amount_cents\":-1}", "amount_cents"},
        {"{\"resolution\":\"store_credit\",\"amount_cents\":0}", "amount_cents"},
        {"{\"resolution\":\"decline\",\"amount_cents\":500}", "amount_cents"},
        {"{\"resolution\":\"refer_elsewhere\",\"amount_cents\":2499}", "referral.to"},
        {"{\"resolution\":\"refund\",\"amount_cents\":\"12\"}", "amount_cents"},
        {"{\"amount_cents\":12}", "resolution"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        resolve(&anna, id, bad[i][0], NULL, 422, &r);
        if (!has_err_field(&r, bad[i][1])) fail_msg("resolve %s: no problem on %s: %s", bad[i][0], bad[i][1], r.body);
        resp_free(&r);
    }
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "status"), "open");
    assert_int_equal(jint(r.json, "version"), 1);
    resp_free(&r);
    assert_int_equal(db_count("SELECT COUNT(*) FROM credit_notes"), notes);
    assert_int_equal(req_status(&anna, "POST", "/api/v1/cases/999999/decision", NULL), 404);
}

/* ---- the policy ------------------------------------------------------------ */

/* The default document with one replacement, as a new version. */
static char *policy_with(int version, const char *from, const char *to)
{
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/policy", NULL, 200, &r);
    json_t *doc = json_deep_copy(json_object_get(r.json, "document"));
    resp_free(&r);
    json_object_set_new(doc, "version", json_integer(version));
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (from) {
        char *at = strstr(text, from);
        assert_non_null(at);
        size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
        char *out = malloc(n);
        snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
        free(text);
        text = out;
    }
    return text;
}

static void put_policy_expect(const char *path, const char *doc, long status, const char *field)
{
    struct resp r;
    assert_int_equal(req(&admin, "PUT", path, doc, &r), 0);
    if (r.status != status || (field && !has_err_field(&r, field)))
        fprintf(stderr, "PUT %s expected %ld %s: %ld %s\n", path, status, field ? field : "", r.status, r.body);
    assert_int_equal(r.status, status);
    if (field) assert_true(has_err_field(&r, field));
    resp_free(&r);
}

static void test_policy_versions_and_validation(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/policy", NULL, 200, &r);
    expect_ints(r.json, "version", 1, "document.tiers.gold.goodwill_limit_cents", 30000, NULL);
    resp_free(&r);
    long long versions = db_count("SELECT COUNT(*) FROM policies");
    /* Each kind of bad document, refused with the path of the bad field. */
    static const struct { const char *from, *to, *field; } bad[] = {
        {"\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":\"lots\"", "tiers.gold.goodwill_limit_cents"},
        {"\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":-1", "tiers.gold.goodwill_limit_cents"},
        {"\"amber_at\":40", "\"amber_at\":90", "guard.amber_at"},
        {"\"version\":2", "\"version\":2,\"colour\":1", "colour"},
        {"\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":1000", "tiers.gold.goodwill_limit_cents"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *d = policy_with(2, bad[i].from, bad[i].to);
        put_policy_expect("/api/v1/policy", d, 422, bad[i].field);
        free(d);
    }
    char *d;
    put_policy_expect("/api/v1/policy", "{\"version\":2", 422, NULL);
    put_policy_expect("/api/v1/policy", "{\"version\":2}", 422, "guard");
    assert_int_equal(req_status(&anna, "PUT", "/api/v1/policy", "{\"version\":2}"), 403);
    assert_int_equal(req_status(&mark, "PUT", "/api/v1/policy", "{\"version\":2}"), 403);
    assert_int_equal(db_count("SELECT COUNT(*) FROM policies"), versions);

    /* Version 2 lowers gold's limit to 200: the dress now needs a manager,
     * and the decision names version 2. */
    put_policy_expect("/api/v1/policy", d = policy_with(2, "\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":20000"), 200, NULL);
    free(d);
    put_policy_expect("/api/v1/policy", d = policy_with(2, NULL, NULL), 409, "version");
    free(d);
    long long id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Jurk\",\"stated_price_cents\":24000,"
             "\"condition\":\"worn\"}]}", gold_id);
    decide(&anna, id, &r);
    assert_string_equal(jstr(r.json, "policy_version"), "2");
    assert_true(json_is_true(json_object_get(r.json, "needs_approval")));
    resp_free(&r);
    /* Utrecht's override raises it to 400 for that store only. */
    put_policy_expect("/api/v1/policy/stores/UTR01", "{\"version\":1,\"guard\":{\"amber_at\":95}}", 422, "guard.amber_at");
    put_policy_expect("/api/v1/policy/stores/UTR01", "{\"version\":1,\"tiers\":{\"gold\":{\"goodwill_limit_cents\":40000}}}", 200, NULL);
    decide(&anna, id, &r);
    assert_string_equal(jstr(r.json, "policy_version"), "2+store.1");
    assert_false(json_is_true(json_object_get(r.json, "needs_approval")));
    resp_free(&r);
    /* A chain version that the store's override would break is refused. */
    put_policy_expect("/api/v1/policy", d = policy_with(3, "\"goodwill_limit_cents\":60000", "\"goodwill_limit_cents\":30000"), 422,
                      "tiers.platinum.goodwill_limit_cents");
    free(d);
    req_expect(&mark, "GET", "/api/v1/policy/versions", NULL, 200, &r);
    assert_int_equal(jint(r.json, "items.0.version"), 2);
    assert_string_equal(jstr(r.json, "items.0.created_by"), "admin");
    assert_int_equal(jint(r.json, "items.1.version"), 1);
    assert_true(json_is_true(json_object_get(json_array_get(json_object_get(r.json, "items"), 1), "built_in")));
    resp_free(&r);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/policy/stores/AMS01", NULL), 404);
    /* Back to the defaults' limits for the tests after this one. */
    put_policy_expect("/api/v1/policy/stores/UTR01", "{\"version\":2}", 200, NULL);
    put_policy_expect("/api/v1/policy", d = policy_with(3, "\"goodwill_limit_cents\":20000", "\"goodwill_limit_cents\":30000"), 200, NULL);
    free(d);
}

/* ---- lists and the dashboard ---------------------------------------------- */

static void test_lists_and_dashboard(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/cases?status=resolved&kind=repair", NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    assert_true(json_array_size(items) >= 1);
    for (size_t i = 0; i < json_array_size(items); i++) {
        assert_string_equal(jstr(json_array_get(items, i), "kind"), "repair");
        assert_string_equal(jstr(json_array_get(items, i), "store_code"), "UTR01");
    }
    resp_free(&r);
    req_expect_field(&anna, "GET", "/api/v1/cases?status=lost", NULL, 422, "status");
    assert_int_equal(req_status(&anna, "GET", "/api/v1/cases?associate=nobody", NULL), 422);
    /* Paging: one at a time, newest first, no repeats. */
    long long last = 0, seen = 0;
    char path[128] = "/api/v1/cases?limit=1&associate=anna";
    for (;;) {
        req_expect(&anna, "GET", path, NULL, 200, &r);
        if (json_array_size(json_object_get(r.json, "items")) == 0) {
            resp_free(&r);
            break;
        }
        long long id = jint(r.json, "items.0.id");
        assert_true(last == 0 || id < last);
        last = id;
        seen++;
        const char *next = jstr(r.json, "next");
        if (!*next) {
            resp_free(&r);
            break;
        }
        snprintf(path, sizeof path, "/api/v1/cases?limit=1&associate=anna&cursor=%s", next);
        resp_free(&r);
    }
    assert_int_equal(seen, db_count("SELECT COUNT(*) FROM cases k JOIN staff s ON s.id = k.associate_id"
                                    " WHERE s.login = 'anna' AND k.store_id = (SELECT id FROM stores WHERE code = 'UTR01')"));
    char cp[64];
    assert_int_equal(req_status(&anna, "GET", "/api/v1/customers/999999/cases", NULL), 404);
    snprintf(cp, sizeof cp, "/api/v1/customers/%lld/cases", exploiter_id);
    assert_int_equal(req(&anna, "GET", cp, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 6);
    resp_free(&r);

    req_expect(&mark, "GET", "/api/v1/stores/UTR01/dashboard", NULL, 200, &r);
    json_t *days = json_object_get(r.json, "days");
    assert_int_equal(json_array_size(days), 30);
    json_t *today = json_array_get(days, 29);
    assert_int_equal(json_integer_value(json_object_get(today, "cases")),
                     db_count("SELECT COUNT(*) FROM cases WHERE store_id = (SELECT id FROM stores WHERE code = 'UTR01')"));
    assert_true(json_integer_value(json_object_get(today, "credit_issued_cents")) >= 24000);
    resp_free(&r);
    assert_int_equal(req_status(&anna, "GET", "/api/v1/stores/UTR01/dashboard", NULL), 403);
    assert_int_equal(req_status(&mia, "GET", "/api/v1/stores/UTR01/dashboard", NULL), 403);
}

/* ---- GDPR: cases in the export, gone with the erasure ---------------------- */

static void test_export_and_erasure(void **state)
{
    (void)state;
    char path[96];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", exploiter_id);
    req_expect(&mark, "GET", path, NULL, 200, &r);
    json_t *cases = json_object_get(r.json, "cases");
    assert_int_equal(json_array_size(cases), 6);
    assert_string_equal(jstr(cases, "0.customer_words"), "Verkeerde maat.");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", exploiter_id);
    assert_int_equal(req_status(&admin, "POST", path, "{}"), 200);
    static const char *const tables[] = {"customer_facts", "customer_days", "customer_case_stores",
                                         "customer_item_stores", "cases", "referrals", "line_returns"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM %s WHERE customer_id = %lld", tables[i], exploiter_id), 0);
    }
    assert_int_equal(db_count("SELECT COUNT(*) FROM cases WHERE customer_words = 'Verkeerde maat.'"), 0);
    /* The cases stay for the store's figures, unlinked. */
    assert_true(db_count("SELECT COUNT(*) FROM cases WHERE customer_id IS NULL AND kind = 'return'") >= 6);
    /* What came back of her purchase lines stays counted, without her. */
    assert_true(db_count("SELECT COUNT(*) FROM line_returns WHERE customer_id IS NULL AND returned > 0") >= 2);
}

/* ---- concurrency: one case, many tills ------------------------------------ */

/* A new loyal customer; returns their id. */
static long long new_customer(const char *name, const char *loyalty)
{
    char body[200];
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"loyalty_number\":\"%s\"}", name, loyalty);
    long long id = post_id(&anna, "/api/v1/customers", body);
    return id;
}

static void test_concurrent_resolves_issue_once(void **state)
{
    (void)state;
    enum { ROUNDS = 4, N = 8 };
    for (int round = 0; round < ROUNDS; round++) {
        /* A new loyal customer each round, so nothing but the race varies. */
        char name[32], loyalty[32];
        snprintf(name, sizeof name, "Klant %d", round);
        snprintf(loyalty, sizeof loyalty, "NL-3000%02d", round);
        long long id = case_openf(&anna,
                 "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
                 "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Sjaal\",\"stated_price_cents\":3000,"
                 "\"condition\":\"new\"}]}", new_customer(name, loyalty));
        char path[96];
        struct volley_shot shots[N];
        for (int i = 0; i < N; i++)
            shots[i] = (struct volley_shot){"POST", resolve_path(id, path, sizeof path),
                                            "{\"resolution\":\"store_credit\",\"amount_cents\":3000}", NULL, {0}};
        volley(&anna, shots, N);
        for (int i = 0; i < N; i++)
            if (shots[i].r.status != 200 && shots[i].r.status != 409)
                fprintf(stderr, "unexpected status %ld\n", shots[i].r.status);
        assert_int_equal(volley_count(shots, N, 200), 1);
        assert_int_equal(volley_count(shots, N, 409), N - 1);
        volley_free(shots, N);
        assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld", id), 1);
    }
    char out[4096];
    char url[600];
    snprintf(url, sizeof url, "%s", srv.db_url);
    assert_int_equal(run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", url, NULL), 0);
}

/* ---- one receipt line, returned once ------------------------------------ */

/* One purchase line: receipt ref, days ago, store, customer ("" anonymous),
 * sku, price, quantity. */
static void buy(const char *ref, int days, const char *store, const char *customer, const char *sku, const char *price, int qty)
{
    char when[32], csv[512];
    ago(days, when, sizeof when);
    snprintf(csv, sizeof csv,
             "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
             "%s,%s,%s,%s,%s,Artikel %s,Noordzee,Accessoires,%s,%d\n", ref, when, store, customer, sku, sku, price, qty);
    post_csv("purchases", csv);
}

static void approve(struct client *c, long long id, struct resp *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", id);
    assert_int_equal(req(c, "POST", path, "{\"note\":\"Gezien.\"}", r), 0);
}

static long long line_count(const char *ref, const char *what)
{
    char sql[300];
    snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(x.%s), 0) FROM line_returns x JOIN receipts r ON r.id = x.receipt_id"
                              " WHERE r.receipt_ref = '%s'", what, ref);
    return db_count(sql);
}

static void test_receipt_line_comes_back_once(void **state)
{
    (void)state;
    long long cust = new_customer("Lotte Smit", "NL-400001");
    buy("R-L-1", 2, "UTR01", "NL-400001", "SC-1", "39.95", 1);
    long long first = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-L-1\",\"sku\":\"SC-1\",\"condition\":\"new\"}]}", cust);
    struct resp r;
    decide_expect(first, &r, "refund", 3995, -1, NULL);
    resp_free(&r);
    resolve(&anna, first, "{\"resolution\":\"refund\",\"amount_cents\":3995}", "line-1", 200, &r);
    expect_strs(r.json, "status", "resolved", "items.0.proof", "receipt", NULL);
    resp_free(&r);
    assert_int_equal(line_count("R-L-1", "returned"), 1);

    /* The same receipt again, in Amsterdam: a neutral refusal that says
     * what came back before, and where. */
    long long again = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"AMS01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-L-1\",\"sku\":\"SC-1\",\"condition\":\"new\"}]}", cust);
    decide_expect(again, &r, "decline", 0, 0, NULL);
    char today[32], want[160];
    ago(0, today, sizeof today);
    today[10] = '\0';
    snprintf(want, sizeof want, "1 of 1 bought (last on %s at Utrecht Centrum)", today);
    assert_true(reason_has(r.json, "reasons", want));
    assert_true(said(r.json, "reasons", "line_spent_decline"));
    json_t *nl = json_object_get(json_array_get(json_object_get(r.json, "reasons"), 0), "nl");
    assert_non_null(strstr(json_string_value(nl), "Deze kassabonregel is al teruggebracht: 1 van 1 gekocht"));
    assert_non_null(strstr(json_string_value(nl), "in Utrecht Centrum"));
    assert_no_accusation(r.json);
    resp_free(&r);
    /* Asking the money all the same is stale: 409, nothing written. */
    resolve(&anna, again, "{\"resolution\":\"refund\",\"amount_cents\":3995}", NULL, 409, &r);
    assert_non_null(strstr(r.body, "already come back"));
    resp_free(&r);
    assert_int_equal(line_count("R-L-1", "returned") + line_count("R-L-1", "beyond"), 1);
    /* Departing from the refusal with a reason sends it to a manager; only
     * the manager's approval takes the unit back beyond the quantity, and
     * it is recorded with them. */
    resolve(&anna, again, "{\"resolution\":\"refund\",\"amount_cents\":3995,\"override_reason\":\"Tweede sjaal in de tas, bon dubbel gescand.\"}",
            NULL, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    assert_int_equal(line_count("R-L-1", "beyond"), 0);
    approve(&mark, again, &r);
    assert_int_equal(r.status, 403);                      /* Utrecht's manager, an Amsterdam case */
    resp_free(&r);
    approve(&mia, again, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
    assert_int_equal(line_count("R-L-1", "returned"), 1);
    assert_int_equal(line_count("R-L-1", "beyond"), 1);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM line_return_claims c JOIN staff s ON s.id = c.approved_by"
                               " WHERE c.case_id = %lld AND c.beyond = 1 AND s.login = 'mia'", again), 1);

    /* Without the receipt, the card's line has nothing left: it proves
     * nothing, and the return counts as one without a receipt. */
    long long card = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sku\":\"SC-1\",\"condition\":\"new\"}]}", cust);
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(SUM(no_receipt_returns), 0) FROM customer_days WHERE customer_id = %lld", cust), 1);
    decide_expect(card, &r, "store_credit", -1, -1, "already_back");
    assert_true(said(r.json, "reasons", "lowest_credit"));
    assert_no_accusation(r.json);
    resp_free(&r);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", card);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r.json, "items"), 0), "proof")));
    resp_free(&r);
    /* Nothing ever came back beyond a quantity without a manager. */
    assert_int_equal(db_count("SELECT COUNT(*) FROM line_return_claims WHERE beyond = 1 AND approved_by IS NULL"), 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM line_returns WHERE returned > bought"), 0);
}

/* Two units on one line: two items of one case take both; a third item
 * of the same line in that case is declined. */
static void test_line_quantity_counts_items_of_one_case(void **state)
{
    (void)state;
    long long cust = new_customer("Daan Mulder", "NL-400002");
    buy("R-Q-1", 4, "RTM01", "NL-400002", "SC-2", "12.50", 2);
    long long id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"RTM01\",\"receipt\":true,\"items\":["
             "{\"receipt_id\":\"R-Q-1\",\"sku\":\"SC-2\",\"condition\":\"new\"},"
             "{\"receipt_id\":\"R-Q-1\",\"sku\":\"SC-2\",\"condition\":\"new\"},"
             "{\"receipt_id\":\"R-Q-1\",\"sku\":\"SC-2\",\"condition\":\"new\"}]}", cust);
    struct resp r;
    decide(&anna, id, &r);
    assert_int_equal(jint(r.json, "max_amount_cents"), 2500);
    expect_strs(r.json, "items.0.resolution", "refund", "items.1.resolution", "refund", "items.2.resolution", "decline",
                NULL);
    assert_true(said(r.json, "reasons", "line_spent_decline"));
    assert_true(reason_has(r.json, "reasons", "Item 3: This receipt line has already come back: 2 of 2 bought"));
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"refund\",\"amount_cents\":2500}", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
    assert_int_equal(line_count("R-Q-1", "returned"), 2);
    assert_int_equal(line_count("R-Q-1", "beyond"), 0);
    /* Asked again afterwards (for coaching), the case's own units do not
     * count as having come back before it. */
    decide(&anna, id, &r);
    expect_strs(r.json, "items.0.resolution", "refund", "items.1.resolution", "refund", NULL);
    resp_free(&r);
}


/* Eight tills, eight cases, one receipt line of quantity 1, all resolving
 * at once: exactly one is refunded; the others are told the line came back
 * (409) and nothing is written for them. Then the seven depart with a
 * reason: all wait for a manager, and the one approved is recorded as
 * beyond the quantity with its approver. */
static void test_eight_tills_one_line(void **state)
{
    (void)state;
    enum { ROUNDS = 3, N = 8 };
    for (int round = 0; round < ROUNDS; round++) {
        char ref[32], body[512];
        snprintf(ref, sizeof ref, "R-RACE-%d", round);
        buy(ref, 1, "UTR01", "", "SC-3", "59.00", 1);          /* anonymous: walk-ins bring it */
        char path[N][96];
        struct volley_shot t[N];
        long long case_id[N];
        for (int i = 0; i < N; i++) {
            snprintf(body, sizeof body,
                     "{\"kind\":\"return\",\"store_code\":\"%s\",\"receipt\":true,"
                     "\"items\":[{\"receipt_id\":\"%s\",\"sku\":\"SC-3\",\"condition\":\"new\"}]}",
                     i % 2 ? "AMS01" : "UTR01", ref);
            case_id[i] = open_case(&anna, body);
            t[i] = (struct volley_shot){"POST", resolve_path(case_id[i], path[i], sizeof path[i]),
                                        "{\"resolution\":\"refund\",\"amount_cents\":5900}", NULL, {0}};
        }
        volley(&anna, t, N);
        int refunded = 0, refused = 0;
        for (int i = 0; i < N; i++) {
            if (t[i].r.status == 200 && strcmp(jstr(t[i].r.json, "status"), "resolved") == 0) refunded++;
            else if (t[i].r.status == 409) refused++;
            else fprintf(stderr, "till %d: unexpected %ld %s\n", i, t[i].r.status, jstr(t[i].r.json, "status"));
        }
        assert_int_equal(refunded, 1);
        assert_int_equal(refused, N - 1);
        assert_int_equal(line_count(ref, "returned"), 1);
        assert_int_equal(line_count(ref, "beyond"), 0);
        assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM cases k WHERE k.status = 'resolved' AND k.resolution = 'refund' AND"
                                   " k.id IN (SELECT i.case_id FROM case_items i JOIN receipts r ON r.id = i.receipt_id"
                                   " WHERE r.receipt_ref = '%s')", ref), 1);
        assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM line_return_claims c JOIN receipts r ON r.id = c.receipt_id"
                                   " WHERE r.receipt_ref = '%s'", ref), 1);

        /* The seven others, with a reason, at once: to a manager, nothing back yet. */
        int n = 0;
        struct volley_shot rest[N];
        long long rest_id[N];
        for (int i = 0; i < N; i++) {
            if (t[i].r.status != 409) continue;
            rest_id[n] = case_id[i];
            rest[n++] = (struct volley_shot){"POST", path[i],
                                             "{\"resolution\":\"refund\",\"amount_cents\":5900,"
                                             "\"override_reason\":\"De klant houdt vol.\"}", NULL, {0}};
        }
        volley_free(t, N);
        volley(&anna, rest, (size_t)n);
        for (int i = 0; i < n; i++) {
            assert_int_equal(rest[i].r.status, 200);
            assert_string_equal(jstr(rest[i].r.json, "status"), "awaiting_approval");
        }
        volley_free(rest, (size_t)n);
        assert_int_equal(line_count(ref, "returned") + line_count(ref, "beyond"), 1);
        struct resp r;
        approve(&mark, rest_id[0], &r);
        long st = r.status;
        resp_free(&r);
        if (st == 403) {                                   /* an Amsterdam case: its own manager */
            approve(&mia, rest_id[0], &r);
            st = r.status;
            resp_free(&r);
        }
        assert_int_equal(st, 200);
        assert_int_equal(line_count(ref, "returned"), 1);
        assert_int_equal(line_count(ref, "beyond"), 1);
        assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM line_return_claims c JOIN receipts r ON r.id = c.receipt_id"
                                   " WHERE r.receipt_ref = '%s' AND c.beyond = 1 AND c.approved_by IS NOT NULL", ref), 1);
    }
    assert_int_equal(db_count("SELECT COUNT(*) FROM line_return_claims WHERE beyond = 1 AND approved_by IS NULL"), 0);
    assert_int_equal(db_count("SELECT COUNT(*) FROM line_returns WHERE returned > bought"), 0);
}

/* ---- gift receipts ------------------------------------------------------- */

static void test_gift_receipt(void **state)
{
    (void)state;
    /* Sanne (gold) buys a scarf as a present; Kees brings it back. */
    buy("R-GIFT-1", 10, "UTR01", "NL-200001", "GIFT-1", "89.95", 1);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COALESCE(SUM(returns), 0) + COALESCE(SUM(cases), 0) FROM customer_days WHERE customer_id = %lld",
             gold_id);
    long long buyer_before = db_count(sql);
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-GIFT-1\",\"sku\":\"GIFT-1\",\"condition\":\"new\"}]}", bronze_id);
    expect_422(body, "items[0].receipt_id");
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sku\":\"GIFT-1\",\"gift_receipt\":true,\"condition\":\"new\"}]}", bronze_id);
    expect_422(body, "items[0].receipt_id");
    expect_422("{\"kind\":\"return\",\"store_code\":\"UTR01\",\"receipt\":false,\"items\":[{\"sold_here\":false,\"brand\":\"X\","
               "\"description\":\"Y\",\"stated_price_cents\":100,\"gift_receipt\":true,\"condition\":\"new\"}]}",
               "items[0].sold_here");
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"Gekregen, maar ik heb er al een.\","
             "\"items\":[{\"receipt_id\":\"R-GIFT-1\",\"sku\":\"GIFT-1\",\"gift_receipt\":true,\"condition\":\"new\"}]}", bronze_id);
    struct resp r;
    req_expect(&anna, "POST", "/api/v1/cases", body, 201, &r);
    long long id = jint(r.json, "id");
    assert_string_equal(jstr(r.json, "items.0.proof"), "gift_receipt");
    assert_int_equal(jint(r.json, "customer_id"), bronze_id);
    /* Nothing of the buyer in the bearer's answers. */
    static const char *const buyer[] = {"Sanne", "sanne", "NL-200001", "200001", "de Vries", NULL};
    for (const char *const *w = buyer; *w; w++)
        if (strstr(r.body, *w)) fail_msg("the buyer (%s) in the bearer's case: %s", *w, r.body);
    resp_free(&r);
    decide_expect(id, &r, "store_credit", 8995, 0, NULL);
    assert_string_equal(jstr(r.json, "risk.level"), "green");
    assert_true(said(r.json, "reasons", "gift_credit"));
    assert_no_accusation(r.json);
    for (const char *const *w = buyer; *w; w++)
        if (strstr(r.body, *w)) fail_msg("the buyer (%s) in the bearer's recommendation: %s", *w, r.body);
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":8995}", "gift-1", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    assert_int_equal(jint(r.json, "outcome.credit_note.amount_cents"), 8995);
    for (const char *const *w = buyer; *w; w++)
        if (strstr(r.body, *w)) fail_msg("the buyer (%s) in the bearer's resolution: %s", *w, r.body);
    resp_free(&r);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld AND customer_id = %lld", id, bronze_id), 1);
    /* The line's quantity counts; the buyer's own history does not change. */
    assert_int_equal(line_count("R-GIFT-1", "returned"), 1);
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(SUM(returns), 0) + COALESCE(SUM(cases), 0) FROM customer_days WHERE customer_id = %lld",
                               gold_id), buyer_before);
    /* The same gift receipt again (a walk-in), or the buyer with her receipt: declined. */
    long long w = open_case(&anna, "{\"kind\":\"return\",\"store_code\":\"AMS01\",\"receipt\":true,"
                                   "\"items\":[{\"receipt_id\":\"R-GIFT-1\",\"sku\":\"GIFT-1\",\"gift_receipt\":true,\"condition\":\"new\"}]}");
    decide_expect(w, &r, "decline", -1, -1, "line_spent_decline");
    assert_true(reason_has(r.json, "reasons", "at Utrecht Centrum"));
    resp_free(&r);
    long long own = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-GIFT-1\",\"sku\":\"GIFT-1\",\"condition\":\"new\"}]}", gold_id);
    decide_expect(own, &r, "decline", -1, -1, "line_spent_decline");
    resp_free(&r);
}

/* ---- proof through the card; our goods back with proof -------------------- */

static void test_card_proof_and_own_money_back(void **state)
{
    (void)state;
    long long cust = new_customer("Fleur Visser", "NL-400003");
    buy("R-C-1", 5, "AMS01", "NL-400003", "PAN-1", "129.00", 1);
    buy("R-C-2", 6, "AMS01", "NL-400003", "TV-1", "799.00", 1);
    /* No receipt, but the card has the purchase: the price paid, no manager
     * for the amount, and not a return without a receipt for the guard. */
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"AMS01\",\"receipt\":false,"
             "\"items\":[{\"sku\":\"PAN-1\",\"condition\":\"new\"}]}", cust);
    struct resp r;
    req_expect(&anna, "POST", "/api/v1/cases", body, 201, &r);
    long long id = jint(r.json, "id");
    expect_strs(r.json, "items.0.proof", "card", "items.0.receipt_id", "R-C-1", NULL);
    resp_free(&r);
    assert_int_equal(db_intf(&srv, "SELECT COALESCE(SUM(no_receipt_returns), 0) FROM customer_days WHERE customer_id = %lld", cust), 0);
    decide_expect(id, &r, "store_credit", 12900, 0, "card_credit");
    resp_free(&r);
    resolve(&anna, id, "{\"resolution\":\"store_credit\",\"amount_cents\":12900}", "card-1", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
    assert_int_equal(line_count("R-C-1", "returned"), 1);
    /* A €799 television back with its receipt within the window: her own
     * money, no manager for the total. */
    id = case_openf(&anna,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"AMS01\",\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"R-C-2\",\"sku\":\"TV-1\",\"condition\":\"new\"}]}", cust);
    decide_expect(id, &r, "refund", 79900, 0, NULL);
    resp_free(&r);
    /* A store whose policy counts such returns too asks its manager. */
    put_policy_expect("/api/v1/policy/stores/AMS01", "{\"version\":1,\"approval\":{\"returns_with_proof\":\"ja\"}}", 422,
                      "approval.returns_with_proof");
    put_policy_expect("/api/v1/policy/stores/AMS01", "{\"version\":1,\"approval\":{\"returns_with_proof\":true}}", 200, NULL);
    decide(&anna, id, &r);
    assert_true(json_is_true(json_object_get(r.json, "needs_approval")));
    assert_true(said(r.json, "reasons", "approval_total"));
    resp_free(&r);
    put_policy_expect("/api/v1/policy/stores/AMS01", "{\"version\":2}", 200, NULL);
    put_policy_expect("/api/v1/policy", "{\"version\":9}", 422, "guard");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_worn_dress),
        cmocka_unit_test(test_vacuum_cleaner),
        cmocka_unit_test(test_kitchen_scale),
        cmocka_unit_test(test_exploiter),
        cmocka_unit_test(test_reject_override_cancel),
        cmocka_unit_test(test_bad_requests_change_nothing),
        cmocka_unit_test(test_policy_versions_and_validation),
        cmocka_unit_test(test_lists_and_dashboard),
        cmocka_unit_test(test_concurrent_resolves_issue_once),
        cmocka_unit_test(test_receipt_line_comes_back_once),
        cmocka_unit_test(test_line_quantity_counts_items_of_one_case),
        cmocka_unit_test(test_eight_tills_one_line),
        cmocka_unit_test(test_gift_receipt),
        cmocka_unit_test(test_card_proof_and_own_money_back),
        cmocka_unit_test(test_export_and_erasure),
    };
    return cmocka_run_group_tests(tests, setup, chain_teardown);
}
