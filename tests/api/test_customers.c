/* test_customers.c — create, edit, consent, search (accents, particles,
 * phone formats), purchases, GDPR export and erasure. */
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
static struct client assoc;      /* an associate of UTR01 */

static long long create(const char *json)
{
    struct resp r;
    assert_int_equal(req(&assoc, "POST", "/api/v1/customers", json, &r), 0);
    if (r.status != 201) fprintf(stderr, "create failed: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    long long id = jint(r.json, "id");
    assert_true(id > 0);
    resp_free(&r);
    return id;
}

/* Pages through a search for q three at a time; returns how many
 * customers it found and the number of pages in *pages. */
static int search_all_pages(const char *q, int *pages)
{
    struct resp r;
    char path[600];
    snprintf(path, sizeof path, "/api/v1/customers?q=%s&limit=3", q);
    int total = 0;
    *pages = 0;
    for (;;) {
        req_expect(&assoc, "GET", path, NULL, 200, &r);
        total += (int)json_array_size(json_object_get(r.json, "items"));
        (*pages)++;
        json_t *next = json_object_get(r.json, "next");
        if (json_is_null(next)) {
            resp_free(&r);
            break;
        }
        snprintf(path, sizeof path, "/api/v1/customers?q=%s&limit=3&cursor=%s", q, json_string_value(next));
        resp_free(&r);
        assert_true(*pages < 10);
    }
    return total;
}

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &assoc}, {"mark", "manager", "UTR01", NULL},
                                          MEMBERS_END};
    return chain_start(&srv, NULL, "UTR01", staff);
}

/* The ids of a search's answer, in order, written as "1,5,7". */
static void search(const char *q, char *out, size_t n)
{
    char path[512], enc[400];
    size_t k = 0;
    for (const unsigned char *p = (const unsigned char *)q; *p && k + 4 < sizeof enc; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-')
            enc[k++] = (char)*p;
        else
            k += (size_t)snprintf(enc + k, sizeof enc - k, "%%%02X", *p);
    }
    enc[k] = '\0';
    snprintf(path, sizeof path, "/api/v1/customers?q=%s", enc);
    struct resp r;
    req_expect(&assoc, "GET", path, NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    out[0] = '\0';
    for (size_t i = 0; i < json_array_size(items); i++) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%lld", i ? "," : "", (long long)json_integer_value(json_object_get(json_array_get(items, i), "id")));
    }
    resp_free(&r);
}

static int contains_id(const char *ids, long long id)
{
    char want[32];
    snprintf(want, sizeof want, "%lld", id);
    for (const char *p = ids; *p;) {
        size_t k = strcspn(p, ",");
        if (k == strlen(want) && strncmp(p, want, k) == 0) return 1;
        p += k;
        if (*p) p++;
    }
    return 0;
}

static void search_is_prefix_case_and_accent_insensitive(void **state)
{
    (void)state;
    long long jose = create("{\"name\":\"José de Vries\",\"email\":\"jose.devries@example.nl\",\"phone\":\"06-12345678\","
                            "\"loyalty_number\":\"8000000001\",\"home_store_code\":\"UTR01\"}");
    long long zoe = create("{\"name\":\"Zoë Müller\",\"phone\":\"+31 6 8765 4321\",\"loyalty_number\":\"8000000002\"}");
    long long hek = create("{\"name\":\"Pieter van 't Hek\",\"email\":\"p.hek@example.nl\",\"phone\":\"0031201234567\"}");
    long long other = create("{\"name\":\"Jan Jansen\",\"phone\":\"0301234567\"}");
    char ids[256];
    struct { const char *q; long long must; long long must_not; } cases[] = {
        {"jose", jose, other},        {"JOSÉ", jose, other},      {"jos", jose, zoe},
        {"de vries", jose, other},    {"De Vries", jose, other},  {"vries jo", jose, other},
        {"zoe", zoe, jose},           {"muller", zoe, jose},      {"Müller", zoe, jose},
        {"van 't hek", hek, jose},    {"hek", hek, other},        {"0612", jose, zoe},
        {"06-1234", jose, zoe},       {"+31 6 12", jose, zoe},    {"0687654321", zoe, jose},
        {"06 8765", zoe, jose},       {"020 123", hek, other},    {"8000000002", zoe, jose},
        {"80000000", jose, other},    {"jose.devries@", jose, other}, {"P.HEK@EXAMPLE.NL", hek, jose},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        search(cases[i].q, ids, sizeof ids);
        if (!contains_id(ids, cases[i].must) || contains_id(ids, cases[i].must_not))
            fail_msg("query '%s' answered [%s]; expected %lld and not %lld", cases[i].q, ids, cases[i].must,
                     cases[i].must_not);
    }
    search("zzzz", ids, sizeof ids);
    assert_string_equal(ids, "");
}

static void search_pages_with_cursor(void **state)
{
    (void)state;
    for (int i = 0; i < 7; i++) {
        char body[128];
        snprintf(body, sizeof body, "{\"name\":\"Pagina Klant%d\"}", i);
        create(body);
    }
    int pages = 0;
    assert_int_equal(search_all_pages("pagina", &pages), 7);
    assert_int_equal(pages, 3);
    /* Two words page the same way (the cursor keeps the word it scans). */
    assert_int_equal(search_all_pages("klant%20pagina", &pages), 7);
    req_expect_field(&assoc, "GET", "/api/v1/customers?q=pagina&cursor=zz", NULL, 422, "cursor");
    req_expect_field(&assoc, "GET", "/api/v1/customers?q=pagina&limit=0", NULL, 422, "limit");
}

static void edit_with_consent_and_version(void **state)
{
    (void)state;
    long long id = create("{\"name\":\"Eva Bakker\",\"email\":\"eva@example.nl\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
    struct resp r;
    req_expect(&assoc, "GET", path, NULL, 200, &r);
    assert_false(json_is_true(json_object_get(json_object_get(json_object_get(r.json, "consent"), "email_marketing"), "given")));
    assert_int_equal(jint(r.json, "version"), 1);
    char etag[32];
    resp_header(&r, "ETag", etag, sizeof etag);
    assert_string_equal(etag, "\"1\"");
    resp_free(&r);

    req_expect(&assoc, "PATCH", path,
               "{\"phone\":\"06 11 22 33 44\",\"version\":1,\"consent\":{\"email_marketing\":{\"given\":true,"
               "\"at\":\"2026-11-01T10:00:00+01:00\",\"source\":\"in-store form\"}}}", 200, &r);
    assert_string_equal(jstr(r.json, "phone"), "06 11 22 33 44");
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(r.json, "consent"), "email_marketing"), "given")));
    assert_string_equal(jstr(r.json, "consent.email_marketing.at"), "2026-11-01T09:00:00Z");
    assert_string_equal(jstr(r.json, "consent.email_marketing.source"), "in-store form");
    assert_int_equal(jint(r.json, "version"), 2);
    resp_free(&r);

    /* A stale version (or If-Match) loses: 409, nothing changes. */
    assert_int_equal(req_status(&assoc, "PATCH", path, "{\"name\":\"Lost Update\",\"version\":1}"), 409);
    assert_int_equal(req_h(&assoc, "PATCH", path, "{\"name\":\"Lost Update\"}", &r, "If-Match: \"1\"", NULL), 0);
    assert_int_equal(r.status, 409);
    resp_free(&r);
    assert_int_equal(req(&assoc, "GET", path, NULL, &r), 0);
    assert_string_equal(jstr(r.json, "name"), "Eva Bakker");
    resp_free(&r);

    /* Withdrawing consent is recorded too. */
    req_expect(&assoc, "PATCH", path, "{\"consent\":{\"email_marketing\":{\"given\":false,\"source\":\"phone call\"}}}", 200, &r);
    assert_false(json_is_true(json_object_get(json_object_get(json_object_get(r.json, "consent"), "email_marketing"), "given")));
    assert_string_equal(jstr(r.json, "consent.email_marketing.source"), "phone call");
    resp_free(&r);
}

static void bad_customer_input_names_the_field_and_changes_nothing(void **state)
{
    (void)state;
    struct { const char *body; const char *field; long status; } cases[] = {
        {"{\"name\":\"X\",\"email\":\"not-an-email\"}", "email", 422},
        {"{\"name\":\"X\",\"phone\":\"call me maybe\"}", "phone", 422},
        {"{\"name\":\"X\",\"phone\":\"12\"}", "phone", 422},
        {"{\"name\":\"X\",\"shoe_size\":42}", "shoe_size", 422},
        {"{\"name\":42}", "name", 422},
        {"{\"email\":\"a@b.nl\"}", "name", 422},
        {"{\"name\":\"X\",\"home_store_code\":\"NOPE1\"}", "home_store_code", 422},
        {"{\"name\":\"X\",\"consent\":{\"email_marketing\":{\"given\":\"yes\"}}}", "consent.email_marketing.given", 422},
        {"{\"name\":\"X\",\"consent\":{\"sms\":{\"given\":true}}}", "consent.sms", 422},
        {"{\"name\":\"X\",\"loyalty_number\":\"8 0 0\"}", "loyalty_number", 422},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct resp r;
        assert_int_equal(req(&assoc, "POST", "/api/v1/customers", cases[i].body, &r), 0);
        if (r.status != cases[i].status || !has_err_field(&r, cases[i].field))
            fail_msg("body %s: got %ld %s, expected %ld naming %s", cases[i].body, r.status, r.body, cases[i].status,
                     cases[i].field);
        resp_free(&r);
    }
    /* An over-long name, and several problems at once. */
    char body[2048];
    char longname[1001];
    memset(longname, 'a', 1000);
    longname[1000] = '\0';
    snprintf(body, sizeof body, "{\"name\":\"%s\",\"email\":\"x\",\"bogus\":true}", longname);
    struct resp r;
    req_expect(&assoc, "POST", "/api/v1/customers", body, 422, &r);
    assert_true(has_err_field(&r, "name"));
    assert_true(has_err_field(&r, "email"));
    assert_true(has_err_field(&r, "bogus"));
    resp_free(&r);
    char ids[256];
    search("aaaaaaaa", ids, sizeof ids);
    assert_string_equal(ids, "");
}

static void duplicate_loyalty_number_is_a_conflict(void **state)
{
    (void)state;
    create("{\"name\":\"Eerste\",\"loyalty_number\":\"8000000777\"}");
    req_expect_field(&assoc, "POST", "/api/v1/customers", "{\"name\":\"Tweede\",\"loyalty_number\":\"8000000777\"}",
                     409, "loyalty_number");
}

static void not_found_and_bad_ids(void **state)
{
    (void)state;
    const char *paths[] = {"/api/v1/customers/999999", "/api/v1/customers/abc", "/api/v1/customers/-1",
                           "/api/v1/customers/999999/purchases"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct resp r;
        req_expect(&assoc, "GET", paths[i], NULL, 404, &r);
        assert_string_equal(jstr(r.json, "error.code"), "not_found");
        resp_free(&r);
    }
}

static void export_then_erase_leaves_no_trace(void **state)
{
    (void)state;
    long long id = create("{\"name\":\"Xandrijn Quarteroni\",\"email\":\"xandrijn.q@example.nl\",\"phone\":\"0611223399\","
                          "\"loyalty_number\":\"8000009999\",\"consent\":{\"phone_marketing\":{\"given\":true,\"source\":\"desk\"}}}");
    char path[96];
    struct resp r;
    struct client mgr;
    client_login(&mgr, &srv, "mark");
    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", id);
    /* An associate may not export; a manager may. */
    assert_int_equal(req_status(&assoc, "GET", path, NULL), 403);
    req_expect(&mgr, "GET", path, NULL, 200, &r);
    assert_string_equal(jstr(r.json, "customer.name"), "Xandrijn Quarteroni");
    assert_string_equal(jstr(r.json, "consent_history.0.channel"), "phone_marketing");
    assert_true(json_is_array(json_object_get(r.json, "purchases")));
    resp_free(&r);
    client_free(&mgr);

    struct client admin;
    client_login(&admin, &srv, ADMIN_LOGIN);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", id);
    assert_int_equal(req_status(&assoc, "POST", path, NULL), 403);
    assert_int_equal(req_status(&admin, "POST", path, NULL), 200);
    client_free(&admin);

    char ids[256];
    search("xandrijn", ids, sizeof ids);
    assert_string_equal(ids, "");
    search("0611223399", ids, sizeof ids);
    assert_string_equal(ids, "");
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
    req_expect(&assoc, "GET", path, NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "name")));
    assert_true(json_is_string(json_object_get(r.json, "erased_at")));
    resp_free(&r);
    assert_int_equal(req_status(&assoc, "PATCH", path, "{\"name\":\"Back again\"}"), 404);

    /* No byte of the name, e-mail or phone remains in the database files
     * (SQLite: the file, WAL and journal; PostgreSQL: a full pg_dump). */
    char files[3][400];
    int nfiles = 0;
    if (server_is_pg(&srv)) {
        char cmd[1200];
        snprintf(files[0], sizeof files[0], "%s/dump.sql", srv.dir);
        snprintf(cmd, sizeof cmd, "pg_dump '%s' > '%s'", srv.db_url, files[0]);
        assert_int_equal(system(cmd), 0);
        nfiles = 1;
    } else {
        const char *suffixes[] = {"", "-wal", "-journal"};
        for (int i = 0; i < 3; i++) snprintf(files[nfiles++], sizeof files[0], "%s/test.db%s", srv.dir, suffixes[i]);
    }
    long seen = 0;
    for (int i = 0; i < nfiles; i++) {
        const char *file = files[i];
        assert_int_equal(file_occurrences(file, "Xandrijn", 0), 0);
        assert_int_equal(file_occurrences(file, "xandrijn", 0), 0);
        assert_int_equal(file_occurrences(file, "Quarteroni", 0), 0);
        assert_int_equal(file_occurrences(file, "quarteroni", 0), 0);
        assert_int_equal(file_occurrences(file, "0611223399", 0), 0);
        assert_int_equal(file_occurrences(file, "8000009999", 0), 0);
        /* ... while another customer's name is still there (the scan works). */
        seen += file_occurrences(file, "Eva Bakker", 0);
    }
    assert_true(seen > 0);
}

TD_TEST_MAIN("api_customers", setup, chain_teardown,
             cmocka_unit_test(search_is_prefix_case_and_accent_insensitive),
             cmocka_unit_test(search_pages_with_cursor),
             cmocka_unit_test(edit_with_consent_and_version),
             cmocka_unit_test(bad_customer_input_names_the_field_and_changes_nothing),
             cmocka_unit_test(duplicate_loyalty_number_is_a_conflict),
             cmocka_unit_test(not_found_and_bad_ids),
             cmocka_unit_test(export_then_erase_leaves_no_trace))
