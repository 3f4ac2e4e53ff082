/* test_identity.c — what the guard counts beyond one account, over the API
 * on SQLite and PostgreSQL: a ring of three accounts sharing a phone and a
 * mailbox is one person for the guard, and no answer at one account's case
 * shows anything of the others; the keys are hashes, follow an edit and go
 * with an erasure; a walk-in who gives a contact when the desk asks is
 * counted by it (and only by a key, purged after 90 days); a receipted
 * wardrober is flagged by the third dress while a busy family returning one
 * size of two is not; a receipt line offered again and again is noticed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/token.h"
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin, anna, mia, rob;
static long long ring_a, ring_b, ring_c, other, wardrober, family, reuser;

static const struct member staff[] = {
    {"anna", "associate", "UTR01", &anna},
    {"mia", "associate", "AMS01", &mia},
    {"rob", "associate", "RTM01", &rob},
    MEMBERS_END,
};

static int setup(void **state)
{
    (void)state;
    if (chain_start(&srv, &admin, "UTR01 AMS01 RTM01", staff) != 0) return -1;
    /* Ring B shares A's phone (written another way) and C's mailbox (dots,
     * case and a +tag); A and C share nothing directly. */
    import_csv(&admin, "customers", "loyalty_number,name,email,phone,home_store_code\n"
                          "NL-300001,Ria Ring,ria.ring@example.nl,06-55500001,UTR01\n"
                          "NL-300002,Bea Ring,Bea.Ring@example.nl,+31 6 5550 0001,AMS01\n"
                          "NL-300003,Cor Ring,bearing+winkel@example.nl,06-55500003,RTM01\n"
                          "NL-300004,Olga Other,olga@example.nl,06-55500004,UTR01\n"
                          "NL-300005,Wanda Wolters,wanda@example.nl,06-55500005,UTR01\n"
                          "NL-300006,Fam Fokker,fokker@example.nl,06-55500006,UTR01\n"
                          "NL-300007,Ugo Uil,ugo@example.nl,06-55500007,UTR01\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-O-1,@10,UTR01,NL-300004,SJ-1,\"Sjaal wol, grijs\",Noordzee,dames,30.00,3\n"
                   "R-O-1,@10,UTR01,NL-300004,SJ-2,\"Sjaal wol, rood\",Noordzee,dames,30.00,1\n"
                   "R-O-1,@10,UTR01,NL-300004,SJ-3,\"Sjaal wol, groen\",Noordzee,dames,30.00,1\n"
                   "R-O-1,@10,UTR01,NL-300004,MUG-1,\"Beker, blauw\",Noordzee,wonen,40.00,1\n"
                   "R-O-1,@10,UTR01,NL-300004,MUG-2,\"Beker, rood\",Noordzee,wonen,40.00,1\n"
                   "R-O-1,@10,UTR01,NL-300004,MUG-3,\"Beker, groen\",Noordzee,wonen,40.00,1\n"
                   "R-O-1,@10,UTR01,NL-300004,TOY-1,\"Knikkers, klein\",Noordzee,wonen,8.00,1\n"
                   "R-W-0,@40,UTR01,NL-300005,TRUI-1,\"Gebreide trui Esprit, grijs\",Esprit,dames,59.95,1\n"
                   "R-W-1,@6,UTR01,NL-300005,JURK-Z,\"Jurk Esprit, zwart\",Esprit,dames,89.00,1\n"
                   "R-W-2,@5,AMS01,NL-300005,JURK-R,\"Jurk Esprit, rood\",Esprit,dames,89.00,1\n"
                   "R-W-3,@4,UTR01,NL-300005,JURK-B,\"Jurk Esprit, blauw\",Esprit,dames,89.00,1\n"
                   "R-F-1,@6,UTR01,NL-300006,PYJ-1,\"Pyjama Name it, dino\",Name it,kinderen,19.95,2\n"
                   "R-F-2,@5,UTR01,NL-300006,PYJ-2,\"Pyjama Name it, sterren\",Name it,kinderen,19.95,1\n"
                   "R-F-2,@5,UTR01,NL-300006,PYJ-3,\"Pyjama Name it, streep\",Name it,kinderen,19.95,1\n"
                   "R-F-3,@4,UTR01,NL-300006,KJAS-1,\"Kinderjas Name it, rood\",Name it,kinderen,49.95,2\n"
                   "R-F-4,@3,UTR01,NL-300006,SNK-1,\"Sneakers kids Vingino, wit\",Vingino,kinderen,39.95,2\n"
                   "R-U-1,@8,UTR01,NL-300007,BELT-1,\"Riem, zwart\",Noordzee,heren,35.00,1\n");
    /* NL-300001 to NL-300007, in the order of the file. */
    long long *const ids[] = {&ring_a, &ring_b, &ring_c, &other, &wardrober, &family, &reuser};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        char loyalty[16];
        snprintf(loyalty, sizeof loyalty, "NL-30000%zu", i + 1);
        *ids[i] = customer_id(&anna, loyalty);
    }
    return 0;
}



static void decide(struct client *c, long long id, struct resp *r) { case_decide(c, id, r); }

static void resolve(struct client *c, long long id, const char *body, struct resp *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    assert_int_equal(req(c, "POST", path, body, r), 0);
}

static int risk_reason_has(json_t *decision, const char *text)
{
    json_t *a = json_object_get(json_object_get(decision, "risk"), "reasons");
    for (size_t i = 0; i < json_array_size(a); i++) {
        const char *en = json_string_value(json_object_get(json_array_get(a, i), "en"));
        if (en && strstr(en, text)) return 1;
    }
    return 0;
}

/* Opens a return of sku without a receipt for customer id (0: a walk-in)
 * and answers its decision. */
static long long no_receipt_return(struct client *c, long long id, const char *sku, struct resp *d)
{
    char body[256];
    if (id)
        snprintf(body, sizeof body, "{\"kind\":\"return\",\"customer_id\":%lld,\"receipt\":false,"
                 "\"items\":[{\"sku\":\"%s\",\"condition\":\"new\"}]}", id, sku);
    else
        snprintf(body, sizeof body, "{\"kind\":\"return\",\"receipt\":false,\"items\":[{\"sku\":\"%s\",\"condition\":\"new\"}]}",
                 sku);
    long long k = case_open(c, body);
    decide(c, k, d);
    return k;
}

static void accept(struct client *c, long long id, const struct resp *d, const char *extra, const char *want_status)
{
    char body[256];
    struct resp r;
    snprintf(body, sizeof body, "{\"resolution\":\"%s\",\"amount_cents\":%lld%s}", jstr(d->json, "resolution"),
             jint(d->json, "max_amount_cents"), extra ? extra : "");
    resolve(c, id, body, &r);
    if (r.status != 200) fprintf(stderr, "resolve: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), want_status);
    resp_free(&r);
}

/* Every key row says how many accounts carry the key. */
#define SHARED_WRONG "SELECT COUNT(*) FROM customer_keys k WHERE shared <> (SELECT COUNT(*) FROM customer_keys o" \
                     " WHERE o.key = k.key)"

static void assert_absent(const char *body, const char *const *texts)
{
    for (const char *const *t = texts; *t; t++)
        if (strstr(body, *t)) fail_msg("\"%s\" shows in: %s", *t, body);
}

static void a_ring_of_three_accounts_is_one_person(void **state)
{
    (void)state;
    struct resp d;
    /* One return without a receipt per account, at three stores: each
     * account alone is a customer who lost one receipt. */
    long long k = no_receipt_return(&anna, ring_a, "SJ-1", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");
    accept(&anna, k, &d, NULL, "resolved");
    resp_free(&d);
    k = no_receipt_return(&mia, ring_b, "SJ-2", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");   /* two in a month: still nothing to notice */
    accept(&mia, k, &d, NULL, "resolved");
    resp_free(&d);
    k = no_receipt_return(&rob, ring_c, "SJ-3", &d);
    /* C reaches A through B (mailbox, then phone): three returns without a
     * receipt in a month. */
    assert_string_not_equal(jstr(d.json, "risk.level"), "green");
    assert_true(json_is_true(json_object_get(d.json, "needs_approval")));
    assert_true(risk_reason_has(d.json, "3 returns without a receipt in the last 30 days"));
    assert_true(risk_reason_has(d.json, "Counted over customer accounts and visits"));
    /* Nothing of A or B at C's case: no name, card, contact or id. */
    char a_id[32], b_id[32];
    snprintf(a_id, sizeof a_id, "%lld", ring_a);
    snprintf(b_id, sizeof b_id, "%lld", ring_b);
    const char *secret[] = {"Ria", "Bea", "NL-300001", "NL-300002", "ria.ring", "Bea.Ring", "55500001", NULL};
    assert_absent(d.body, secret);
    struct resp g;
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", k);
    assert_int_equal(req(&rob, "GET", path, NULL, &g), 0);
    assert_absent(g.body, secret);
    assert_int_equal(jint(g.json, "customer_id"), ring_c);
    resp_free(&g);
    resp_free(&d);
    /* Olga, who shares nothing, returns the same scarf: nothing unusual. */
    k = no_receipt_return(&anna, other, "SJ-1", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");
    resp_free(&d);

    /* The keys are hashes: no phone number or address in them. */
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM customer_keys WHERE key LIKE '%55500%'"
                                          " OR key LIKE '%@%' OR length(key) <> 16"), 0);
    char q[256];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM customer_keys WHERE customer_id = %lld", ring_a);
    assert_int_equal(server_sql_int(&srv, q), 2);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM customer_keys a JOIN customer_keys b ON a.key = b.key"
                          " WHERE a.customer_id = %lld AND b.customer_id = %lld", ring_a, ring_b);
    assert_int_equal(server_sql_int(&srv, q), 1);
    /* A new phone number for A: A and B no longer share a key. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld", ring_a);
    assert_int_equal(req_status(&anna, "PATCH", path, "{\"phone\":\"06-55509999\"}"), 200);
    assert_int_equal(server_sql_int(&srv, q), 0);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM customer_keys WHERE customer_id = %lld", ring_a);
    assert_int_equal(server_sql_int(&srv, q), 2);
    /* Erasure takes B's keys with it. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", ring_b);
    assert_int_equal(req(&admin, "POST", path, "{}", &g), 0);
    assert_true(g.status == 200 || g.status == 204);
    resp_free(&g);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM customer_keys WHERE customer_id = %lld", ring_b);
    assert_int_equal(server_sql_int(&srv, q), 0);
    assert_int_equal(server_sql_int(&srv, SHARED_WRONG), 0);
}

/* Eight tills sign up eight accounts with one phone number at once: every
 * one of them knows the key is shared by eight. */
static void eight_tills_one_phone(void **state)
{
    (void)state;
    enum { N = 8 };
    struct volley_shot u[N];
    char bodies[N][200];
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof bodies[i], "{\"name\":\"Gezin Achtvoud %d\",\"phone\":\"06-88800001\"}", i);
        u[i] = (struct volley_shot){"POST", "/api/v1/customers", bodies[i], NULL, {0}};
    }
    volley(&anna, u, N);
    for (int i = 0; i < N; i++) assert_int_equal(u[i].r.status, 201);
    volley_free(u, N);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM customer_keys k JOIN customers c ON c.id = k.customer_id"
                                          " WHERE c.name LIKE 'Gezin Achtvoud %' AND k.shared = 8"), N);
    assert_int_equal(server_sql_int(&srv, SHARED_WRONG), 0);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM identity_key_counts c WHERE accounts <>"
                                          " (SELECT COUNT(*) FROM customer_keys k WHERE k.key = c.key)"), 0);
}

static void a_walk_in_gives_a_contact_when_asked(void **state)
{
    (void)state;
    struct resp d, r;
    long long before = server_sql_int(&srv, "SELECT COUNT(*) FROM case_walk_ins");
    /* Below the amount nothing is asked, and a contact is refused. */
    long long k = no_receipt_return(&anna, 0, "TOY-1", &d);
    assert_false(json_is_true(json_object_get(d.json, "ask_walk_in_contact")));
    resolve(&anna, k, "{\"resolution\":\"store_credit\",\"amount_cents\":800,\"walk_in_contact\":\"06-77700001\"}", &r);
    assert_int_equal(r.status, 422);
    assert_true(has_err_field(&r, "walk_in_contact"));
    resp_free(&r);
    resp_free(&d);
    /* A customer's case counts by the account: no contact. */
    k = no_receipt_return(&anna, other, "MUG-1", &d);
    resolve(&anna, k, "{\"resolution\":\"store_credit\",\"amount_cents\":4000,\"walk_in_contact\":\"06-77700001\"}", &r);
    assert_int_equal(r.status, 422);
    assert_true(has_err_field(&r, "walk_in_contact"));
    resp_free(&r);
    resp_free(&d);

    /* First visit: €40 without a receipt: the desk asks, and asking adds no
     * friction (the walk-in may prefer not to). */
    const char *shown[] = {"77700001", "7770 0001", NULL};
    k = no_receipt_return(&anna, 0, "MUG-1", &d);
    assert_true(json_is_true(json_object_get(d.json, "ask_walk_in_contact")));
    assert_false(json_is_true(json_object_get(d.json, "needs_approval")));
    /* Nine digits are no phone number and no ID reference (a citizen service number is never taken). */
    resolve(&anna, k, "{\"resolution\":\"store_credit\",\"amount_cents\":4000,\"walk_in_contact\":\"123456782\"}", &r);
    assert_int_equal(r.status, 422);
    assert_true(has_err_field(&r, "walk_in_contact"));
    resp_free(&r);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM case_walk_ins"), before);
    accept(&anna, k, &d, ",\"walk_in_contact\":\"06-77700001\"", "resolved");
    resp_free(&d);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", k);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    assert_true(json_is_true(json_object_get(r.json, "walk_in_contact_kept")));
    assert_absent(r.body, shown);
    resp_free(&r);
    /* Second visit, the number written another way; third, at another store. */
    k = no_receipt_return(&anna, 0, "MUG-2", &d);
    accept(&anna, k, &d, ",\"walk_in_contact\":\"+31 6 7770 0001\"", "resolved");
    resp_free(&d);
    k = no_receipt_return(&mia, 0, "MUG-3", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");    /* no contact yet: no history */
    resp_free(&d);
    char body[160], kpath[96], plain[TOKEN_HASH_HEX_LEN + 1], q[256];
    snprintf(body, sizeof body, "{\"resolution\":\"store_credit\",\"amount_cents\":4000,\"walk_in_contact\":\"0031677700001\"}");
    snprintf(kpath, sizeof kpath, "/api/v1/cases/%lld/resolve", k);
    assert_int_equal(req_h(&mia, "POST", kpath, body, &r, "Idempotency-Key: walk-in-third-visit-1", NULL), 0);
    /* The remembered request is no hash anyone could match to a phone number. */
    token_hash_request(NULL, "POST", kpath, body, strlen(body), plain);
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM idempotency_keys WHERE request_hash = '%s'", plain);
    assert_int_equal(server_sql_int(&srv, q), 0);
    assert_true(server_sql_int(&srv, "SELECT COUNT(*) FROM idempotency_keys WHERE request_hash <> ''") > 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    assert_string_not_equal(jstr(r.json, "recommendation.risk.level"), "green");
    assert_absent(r.body, shown);
    resp_free(&r);
    decide(&mia, k, &d);
    assert_true(risk_reason_has(d.json, "3 returns without a receipt in the last 30 days"));
    assert_true(risk_reason_has(d.json, "Counted over customer accounts and visits"));
    assert_false(json_is_true(json_object_get(d.json, "ask_walk_in_contact")));
    resp_free(&d);
    /* Given with the case, before the desk could ask: kept where it asks,
     * left out where it does not. */
    struct resp o;
    req_expect(&anna, "POST", "/api/v1/cases", "{\"kind\":\"return\",\"receipt\":false,\"walk_in_contact\":"
               "\"06 777 000 01\",\"items\":[{\"sku\":\"MUG-1\",\"condition\":\"new\"}]}", 201, &o);
    assert_true(json_is_true(json_object_get(o.json, "walk_in_contact_kept")));
    assert_absent(o.body, shown);
    resp_free(&o);
    req_expect(&anna, "POST", "/api/v1/cases", "{\"kind\":\"return\",\"receipt\":false,\"walk_in_contact\":"
               "\"06 777 000 01\",\"items\":[{\"sku\":\"TOY-1\",\"condition\":\"new\"}]}", 201, &o);
    assert_false(json_is_true(json_object_get(o.json, "walk_in_contact_kept")));
    resp_free(&o);
    assert_int_equal(req(&anna, "POST", "/api/v1/cases", "{\"kind\":\"return\",\"customer_id\":1,\"receipt\":false,"
                         "\"walk_in_contact\":\"06 777 000 01\",\"items\":[{\"sku\":\"TOY-1\",\"condition\":\"new\"}]}",
                         &o), 0);
    assert_int_equal(o.status, 422);
    assert_true(has_err_field(&o, "walk_in_contact"));
    resp_free(&o);
    /* Only keys are kept, nothing that reads as the number. */
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM case_walk_ins"), before + 4);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(DISTINCT key) FROM case_walk_ins"), 1);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM case_walk_ins WHERE key LIKE '%7770%'"), 0);
    assert_true(server_sql_int(&srv, "SELECT COUNT(*) FROM walk_in_days") >= 1);

    /* After the guard's longest window (90 days) the scheduler forgets it all. */
    const char *age[] = {
        "UPDATE case_walk_ins SET at = at - 91 * 86400000000",
        "UPDATE walk_in_days SET day = day - 91",
        "UPDATE walk_in_case_stores SET last_case_at = last_case_at - 91 * 86400000000",
        "UPDATE walk_in_item_stores SET last_at = last_at - 91 * 86400000000",
    };
    for (size_t i = 0; i < sizeof age / sizeof age[0]; i++) assert_int_equal(server_sql(&srv, age[i]), 0);
    char out[256];
    assert_int_equal(run_cli(NULL, out, sizeof out, "ledger", "expire", "--db", srv.db_url, NULL), 0);
    assert_int_equal(server_sql_int(&srv, "SELECT (SELECT COUNT(*) FROM case_walk_ins) + (SELECT COUNT(*) FROM walk_in_days)"
                                          " + (SELECT COUNT(*) FROM walk_in_case_stores)"
                                          " + (SELECT COUNT(*) FROM walk_in_item_stores)"), 0);
    assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
    assert_false(json_is_true(json_object_get(r.json, "walk_in_contact_kept")));
    resp_free(&r);
}

/* Returns sku with receipt ref for customer id, "as new"; answers the decision. */
static long long receipted_return(struct client *c, long long id, const char *ref, const char *sku, struct resp *d)
{
    char body[256];
    snprintf(body, sizeof body, "{\"kind\":\"return\",\"customer_id\":%lld,\"receipt\":true,"
             "\"items\":[{\"receipt_id\":\"%s\",\"sku\":\"%s\",\"condition\":\"new\"}]}", id, ref, sku);
    long long k = case_open(c, body);
    decide(c, k, d);
    return k;
}

static void the_third_dress_back_within_days_is_noticed(void **state)
{
    (void)state;
    struct resp d;
    long long k = receipted_return(&anna, wardrober, "R-W-1", "JURK-Z", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");
    assert_string_equal(jstr(d.json, "resolution"), "refund");
    accept(&anna, k, &d, NULL, "resolved");
    resp_free(&d);
    k = receipted_return(&mia, wardrober, "R-W-2", "JURK-R", &d);
    assert_string_equal(jstr(d.json, "risk.level"), "green");       /* twice is nothing to notice */
    accept(&mia, k, &d, NULL, "resolved");
    resp_free(&d);
    k = receipted_return(&anna, wardrober, "R-W-3", "JURK-B", &d);
    assert_string_not_equal(jstr(d.json, "risk.level"), "green");
    assert_true(json_is_true(json_object_get(d.json, "needs_approval")));
    assert_true(risk_reason_has(d.json, "3 of 4 items bought in dames in 90 days came back within 10 days of purchase"));
    assert_true(risk_reason_has(d.json, "The same style was bought and brought back in full within 10 days 3 times"));
    resp_free(&d);
}

static void a_busy_family_returning_one_size_of_two_is_not(void **state)
{
    (void)state;
    static const struct { const char *ref, *sku; } back[] = {
        {"R-F-1", "PYJ-1"}, {"R-F-2", "PYJ-2"}, {"R-F-3", "KJAS-1"}, {"R-F-4", "SNK-1"},
    };
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        struct resp d;
        long long k = receipted_return(&anna, family, back[i].ref, back[i].sku, &d);
        if (strcmp(jstr(d.json, "risk.level"), "green") != 0 || json_is_true(json_object_get(d.json, "needs_approval")))
            fail_msg("return %zu met friction: %s", i + 1, d.body);
        accept(&anna, k, &d, NULL, "resolved");
        resp_free(&d);
    }
}

static void a_receipt_line_offered_again_and_again(void **state)
{
    (void)state;
    struct resp d;
    long long k = receipted_return(&anna, reuser, "R-U-1", "BELT-1", &d);
    assert_string_equal(jstr(d.json, "resolution"), "refund");
    accept(&anna, k, &d, NULL, "resolved");
    resp_free(&d);
    /* Once more: declined, and one such offer is not held against anyone. */
    k = receipted_return(&mia, reuser, "R-U-1", "BELT-1", &d);
    assert_string_equal(jstr(d.json, "resolution"), "decline");
    assert_string_equal(jstr(d.json, "risk.level"), "green");
    resp_free(&d);
    k = receipted_return(&rob, reuser, "R-U-1", "BELT-1", &d);
    assert_string_equal(jstr(d.json, "resolution"), "decline");
    assert_string_not_equal(jstr(d.json, "risk.level"), "green");
    assert_true(risk_reason_has(d.json, "2 times a receipt line offered that had already come back in full"));
    assert_false(json_is_true(json_object_get(d.json, "needs_approval")));   /* no money moves */
    resp_free(&d);
}

TD_TEST_MAIN("api_identity", setup, chain_teardown,
             cmocka_unit_test(a_ring_of_three_accounts_is_one_person),
             cmocka_unit_test(eight_tills_one_phone),
             cmocka_unit_test(a_walk_in_gives_a_contact_when_asked),
             cmocka_unit_test(the_third_dress_back_within_days_is_noticed),
             cmocka_unit_test(a_busy_family_returning_one_size_of_two_is_not),
             cmocka_unit_test(a_receipt_line_offered_again_and_again))
