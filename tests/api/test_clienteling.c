/* test_clienteling.c — the new collection over HTTP, on SQLite and (with
 * TRUSTDESK_TEST_PG) PostgreSQL: the catalogue and stock, a collection
 * planned for Utrecht, books and profiles, the preview and the arrival,
 * today's list of the associate with its call script, outcomes with the
 * consent and cap refusals, a hold on the last M, the last-unit race,
 * holds beyond the maximum, another store's associate refused, matching
 * again writing nothing, the report, and the GDPR export.
 *
 * The hold-out is a random share of each arrival, so the test never names
 * in advance which customer gets a task: it takes them from the lists. */
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
static struct client admin, anna, mark, piet;

enum { N_BOOK = 6 };
static long long book[N_BOOK], no_consent, objected;

/* Sends a request and asserts its status; the caller frees r. */
static void call(struct client *c, const char *method, const char *path, const char *body, long want, struct resp *r)
{
    assert_int_equal(req(c, method, path, body, r), 0);
    if (r->status != want) fprintf(stderr, "%s %s: %ld %s (expected %ld)\n", method, path, r->status, r->body, want);
    assert_int_equal(r->status, want);
}

static void ok(struct client *c, const char *method, const char *path, const char *body, long want)
{
    struct resp r;
    call(c, method, path, body, want, &r);
    resp_free(&r);
}

/* A refusal naming the field. */
static void refused(struct client *c, const char *method, const char *path, const char *body, long want,
                    const char *field)
{
    struct resp r;
    call(c, method, path, body, want, &r);
    if (field && !has_err_field(&r, field)) fail_msg("%s %s: %s names no \"%s\"", method, path, r.body, field);
    resp_free(&r);
}

static long long count(const char *sql)
{
    long long n = server_sql_int(&srv, sql);
    assert_true(n >= 0);
    return n;
}

static long long new_customer(const char *name, int consent)
{
    char body[512], path[96];
    snprintf(body, sizeof body,
             "{\"name\":\"%s\",\"phone\":\"06-1234%04d\",\"home_store_code\":\"UTR01\","
             "\"consent\":{\"phone_marketing\":{\"given\":%s,\"source\":\"balie\"}}}",
             name, rand() % 10000, consent ? "true" : "false");
    struct resp r;
    call(&anna, "POST", "/api/v1/customers", body, 201, &r);
    long long id = jint(r.json, "id");
    resp_free(&r);
    /* In Anna's book, wearing M in knitwear, liking the brand. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/book", id);
    ok(&anna, "PUT", path, "{\"staff_login\":\"anna\"}", 200);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/sizes/Knitwear", id);
    ok(&anna, "PUT", path, "{\"size\":\"M\"}", 200);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", id);
    ok(&anna, "PUT", path, "{\"kind\":\"brand\",\"value\":\"Lanvin\",\"sentiment\":\"like\"}", 200);
    return id;
}

static int setup(void **state)
{
    (void)state;
    srand((unsigned)time(NULL));
    if (server_start(&srv) != 0) return -1;
    client_init(&admin, &srv);
    if (login(&admin, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) return -1;
    make_store(&admin, "UTR01", "Utrecht Centrum", "Utrecht");
    make_store(&admin, "AMS01", "Amsterdam Kalverstraat", "Amsterdam");
    make_staff(&admin, "anna", "associate", "UTR01", "anna-password");
    make_staff(&admin, "mark", "manager", "UTR01", "mark-password");
    make_staff(&admin, "piet", "associate", "AMS01", "piet-password");
    client_init(&anna, &srv);
    client_init(&mark, &srv);
    client_init(&piet, &srv);
    if (login(&anna, "anna", "anna-password") != 201 || login(&mark, "mark", "mark-password") != 201 ||
        login(&piet, "piet", "piet-password") != 201)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_free(&admin);
    client_free(&anna);
    client_free(&mark);
    client_free(&piet);
    server_stop(&srv);
    return 0;
}

/* ---- the catalogue ---------------------------------------------------------- */

static void catalogue_stock_and_a_collection(void **state)
{
    (void)state;
    struct resp r;
    /* A malformed style: every problem named, nothing written. */
    refused(&admin, "POST", "/api/v1/styles",
            "{\"code\":\"kn 1\",\"name\":\"Trui\",\"brand\":\"Lanvin\",\"category\":\"Knitwear\",\"price_cents\":-5,"
            "\"variants\":[{\"sku\":\"KN-1-S\",\"size\":\"S M\"},{\"sku\":\"KN-1-S\",\"size\":\"L\"}]}",
            422, "variants[0].size");
    refused(&admin, "POST", "/api/v1/styles", "{\"code\":\"KN-1\",\"name\":\"Trui\",\"brand\":\"Lanvin\","
            "\"category\":\"Knitwear\",\"price_cents\":100,\"variants\":[{\"sku\":\"KN-1-S\",\"size\":\"S\"},"
            "{\"sku\":\"KN-1-S\",\"size\":\"M\"}]}", 422, "variants[1].sku");
    ok(&anna, "GET", "/api/v1/styles/KN-1", NULL, 404);
    refused(&anna, "POST", "/api/v1/styles", "{}", 403, NULL);

    call(&admin, "POST", "/api/v1/styles",
         "{\"code\":\"KN-1\",\"name\":\"Merino trui\",\"brand\":\"Lanvin\",\"category\":\"Knitwear\",\"colour\":\"navy\","
         "\"price_cents\":12995,\"variants\":[{\"sku\":\"KN-1-S\",\"size\":\"S\"},{\"sku\":\"KN-1-M\",\"size\":\"M\"},"
         "{\"sku\":\"KN-1-L\",\"size\":\"L\"}]}", 201, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "variants")), 3);
    resp_free(&r);
    ok(&admin, "POST", "/api/v1/styles",
       "{\"code\":\"KN-2\",\"name\":\"Kabelvest\",\"brand\":\"Lanvin\",\"category\":\"Knitwear\",\"price_cents\":15995,"
       "\"variants\":[{\"sku\":\"KN-2-M\",\"size\":\"M\"},{\"sku\":\"KN-2-L\",\"size\":\"L\"}]}", 201);
    ok(&admin, "POST", "/api/v1/styles",
       "{\"code\":\"SC-9\",\"name\":\"Sjaal\",\"brand\":\"Acne\",\"category\":\"Accessories\",\"price_cents\":4995,"
       "\"variants\":[{\"sku\":\"SC-9-U\",\"size\":\"U\"}]}", 201);

    /* Stock: a manager sets their own store's; not another's; an unknown sku is named. */
    ok(&mark, "PUT", "/api/v1/stores/UTR01/stock/KN-1-M", "{\"on_hand\":1}", 200);
    ok(&mark, "PUT", "/api/v1/stores/UTR01/stock/KN-2-M", "{\"on_hand\":2}", 200);
    call(&mark, "PUT", "/api/v1/stores/UTR01/stock/SC-9-U", "{\"on_hand\":1}", 200, &r);
    assert_int_equal(jint(r.json, "available"), 1);
    resp_free(&r);
    refused(&mark, "PUT", "/api/v1/stores/AMS01/stock/KN-1-M", "{\"on_hand\":4}", 403, NULL);
    refused(&mark, "PUT", "/api/v1/stores/UTR01/stock/NOPE-1", "{\"on_hand\":4}", 422, "sku");
    refused(&mark, "PUT", "/api/v1/stores/UTR01/stock/KN-1-M", "{\"on_hand\":-1}", 422, "on_hand");
    ok(&admin, "PUT", "/api/v1/stores/AMS01/stock/KN-1-M", "{\"on_hand\":5}", 200);
    refused(&anna, "PUT", "/api/v1/stores/UTR01/stock/KN-1-M", "{\"on_hand\":9}", 403, NULL);

    /* Stock per store is for every colleague to see. */
    call(&anna, "GET", "/api/v1/styles/KN-1", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "variants.1.sku"), "KN-1-M");
    assert_int_equal(jint(r.json, "variants.1.available"), 6);
    assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(r.json, "variants"), 1), "stock")), 2);
    resp_free(&r);

    /* The collection, planned for Utrecht; an unknown style is named. */
    refused(&admin, "POST", "/api/v1/collections", "{\"code\":\"KNIT-AW\",\"name\":\"Knitwear autumn\","
            "\"styles\":[\"KN-1\",\"KN-404\"]}", 422, "styles[1]");
    ok(&admin, "POST", "/api/v1/collections", "{\"code\":\"KNIT-AW\",\"name\":\"Knitwear autumn\",\"styles\":[\"KN-1\",\"KN-2\"]}",
       201);
    call(&anna, "GET", "/api/v1/styles?collection=KNIT-AW&limit=1", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.code"), "KN-1");
    assert_string_equal(jstr(r.json, "next"), "KN-1");
    resp_free(&r);
    refused(&anna, "GET", "/api/v1/styles?collection=NOPE", NULL, 422, "collection");
    refused(&mark, "PUT", "/api/v1/collections/KNIT-AW/stores/UTR01", "{\"arrives_at\":\"soon\"}", 422, "arrives_at");
    refused(&mark, "PUT", "/api/v1/collections/KNIT-AW/stores/AMS01", "{\"arrives_at\":\"2030-01-01T09:00:00Z\"}", 403, NULL);
    call(&mark, "PUT", "/api/v1/collections/KNIT-AW/stores/UTR01",
         "{\"arrives_at\":\"2030-01-01T09:00:00Z\",\"first_choice_hours\":48}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "planned");
    resp_free(&r);
    call(&anna, "GET", "/api/v1/collections/KNIT-AW", NULL, 200, &r);
    assert_int_equal(jint(r.json, "styles_count"), 2);
    assert_string_equal(jstr(r.json, "arrivals.0.store_code"), "UTR01");
    resp_free(&r);
}

/* ---- books and profiles ---------------------------------------------------- */

static void books_and_profiles(void **state)
{
    (void)state;
    char path[128], name[32];
    struct resp r;
    for (int i = 0; i < N_BOOK; i++) {
        snprintf(name, sizeof name, "Klant %d", i);
        book[i] = new_customer(name, 1);
    }
    no_consent = new_customer("Zonder Toestemming", 0);
    objected = new_customer("Met Bezwaar", 1);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/objection", objected);
    ok(&anna, "PUT", path, "{\"objected\":true,\"source\":\"phone call\"}", 200);

    /* The profile: stated sizes, a size learned from purchases, likes, dates, notes. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/dates", book[0]);
    refused(&anna, "POST", path, "{\"kind\":\"birthday\",\"month\":2,\"day\":30}", 422, "day");
    ok(&anna, "POST", path, "{\"kind\":\"birthday\",\"month\":3,\"day\":14,\"label\":\"\"}", 201);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/notes", book[0]);
    ok(&anna, "POST", path, "{\"text\":\"Belt liever na 17:00\"}", 201);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", book[0]);
    refused(&anna, "PUT", path, "{\"kind\":\"mood\",\"value\":\"x\",\"sentiment\":\"meh\"}", 422, "sentiment");
    ok(&anna, "PUT", path, "{\"kind\":\"colour\",\"value\":\"orange\",\"sentiment\":\"dislike\"}", 200);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/sizes/Knitwear", book[0]);
    refused(&anna, "PUT", path, "{\"size\":\"M L\"}", 422, "size");
    char sql[256];
    snprintf(sql, sizeof sql, "INSERT INTO customer_category_spend (customer_id, category, spend_cents, lines, last_at,"
             " last_size) VALUES (%lld, 'Trousers', 8995, 1, 1, '32/34')", book[0]);
    assert_int_equal(server_sql(&srv, sql), 0);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/profile", book[0]);
    call(&piet, "GET", path, NULL, 200, &r);               /* the profile is the chain's */
    assert_string_equal(jstr(r.json, "book.store_code"), "UTR01");
    assert_string_equal(jstr(r.json, "book.staff_login"), "anna");
    assert_string_equal(jstr(r.json, "sizes.0.category"), "Knitwear");
    assert_string_equal(jstr(r.json, "sizes.0.source"), "stated");
    assert_string_equal(jstr(r.json, "sizes.1.size"), "32/34");
    assert_string_equal(jstr(r.json, "sizes.1.source"), "learned");
    assert_string_equal(jstr(r.json, "likes.0.value"), "Lanvin");
    assert_string_equal(jstr(r.json, "dislikes.0.value"), "orange");
    assert_int_equal(jint(r.json, "dates.0.day"), 14);
    assert_string_equal(jstr(r.json, "notes.0.staff_login"), "anna");
    long long date_id = jint(r.json, "dates.0.id");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/dates/%lld", book[0], date_id);
    ok(&anna, "DELETE", path, NULL, 200);
    ok(&anna, "DELETE", path, NULL, 404);

    /* The book, with filters; another store's associate may not look in it
     * nor take a customer into their own. */
    call(&anna, "GET", "/api/v1/book?consent=phone&size=M", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), N_BOOK + 1);   /* the objector has consent */
    resp_free(&r);
    call(&anna, "GET", "/api/v1/book?limit=3", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    assert_string_equal(jstr(r.json, "items.0.staff_login"), "anna");
    snprintf(path, sizeof path, "/api/v1/book?limit=50&cursor=%s", jstr(r.json, "next"));
    resp_free(&r);
    call(&anna, "GET", path, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), N_BOOK + 2 - 3);
    resp_free(&r);
    refused(&anna, "GET", "/api/v1/book?tier=diamond", NULL, 422, "tier");
    refused(&piet, "GET", "/api/v1/book?staff=anna", NULL, 403, NULL);
    refused(&piet, "GET", "/api/v1/book?pool=true&store_code=UTR01", NULL, 403, NULL);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/book", book[0]);
    refused(&piet, "PUT", path, "{\"staff_login\":\"piet\"}", 403, NULL);
    refused(&anna, "PUT", path, "{\"staff_login\":\"piet\"}", 422, "staff_login");
}

/* ---- the arrival ------------------------------------------------------------ */

static long long tasks_written(void)
{
    return count("SELECT COUNT(*) FROM outreach_tasks WHERE collection_id = (SELECT id FROM collections"
                 " WHERE code = 'KNIT-AW')");
}

static void preview_then_arrive_then_match_again(void **state)
{
    (void)state;
    struct resp r;
    refused(&piet, "GET", "/api/v1/collections/KNIT-AW/stores/UTR01/preview", NULL, 403, NULL);   /* an associate */
    call(&mark, "GET", "/api/v1/collections/KNIT-AW/stores/UTR01/preview", NULL, 200, &r);
    long long matched = jint(r.json, "matched");
    assert_int_equal(matched, N_BOOK);
    assert_int_equal(jint(r.json, "skipped.no_consent"), 1);
    assert_int_equal(jint(r.json, "skipped.objected"), 1);
    assert_int_equal(jint(r.json, "tasks") + jint(r.json, "holdout"), matched);
    assert_true(json_is_false(json_object_get(r.json, "written")));
    resp_free(&r);
    assert_int_equal(tasks_written(), 0);                  /* the preview wrote nothing */

    call(&mark, "GET", "/api/v1/collections/KNIT-AW/stores/UTR01/report", NULL, 200, &r);
    assert_true(json_is_null(json_object_get(r.json, "arrived_at")));
    resp_free(&r);

    assert_int_equal(req_h(&mark, "POST", "/api/v1/collections/KNIT-AW/stores/UTR01/arrive", NULL, &r,
                           "Idempotency-Key: arrive-knit-1", NULL), 0);
    assert_int_equal(r.status, 200);
    assert_int_equal(jint(r.json, "matched"), matched);
    long long tasks = jint(r.json, "tasks");
    assert_int_equal(tasks + jint(r.json, "holdout"), matched);
    assert_true(tasks >= 3);           /* with a 10 % hold-out of 6, fewer than 3 tasks is one in ten thousand */
    /* The tasks per associate: Anna's, the pool first. */
    assert_true(json_is_null(json_object_get(json_array_get(json_object_get(r.json, "tasks_per_associate"), 0),
                                             "staff_login")));
    assert_string_equal(jstr(r.json, "tasks_per_associate.1.staff_login"), "anna");
    assert_int_equal(jint(r.json, "tasks_per_associate.1.tasks"), tasks);
    resp_free(&r);
    assert_int_equal(tasks_written(), matched);
    char hdr[32];
    assert_int_equal(req_h(&mark, "POST", "/api/v1/collections/KNIT-AW/stores/UTR01/arrive", NULL, &r,
                           "Idempotency-Key: arrive-knit-1", NULL), 0);
    assert_string_equal(resp_header(&r, "Idempotent-Replayed", hdr, sizeof hdr), "true");
    resp_free(&r);

    /* Matching again writes nothing. */
    call(&mark, "POST", "/api/v1/collections/KNIT-AW/stores/UTR01/arrive", "{}", 200, &r);
    assert_int_equal(jint(r.json, "tasks"), 0);
    assert_int_equal(jint(r.json, "matched"), 0);
    assert_int_equal(jint(r.json, "already_matched"), matched);
    resp_free(&r);
    assert_int_equal(tasks_written(), matched);
    /* An arrived collection cannot move. */
    refused(&mark, "PUT", "/api/v1/collections/KNIT-AW/stores/UTR01", "{\"arrives_at\":\"2030-02-01T09:00:00Z\"}", 409,
            "arrives_at");
}

/* ---- outreach and holds ----------------------------------------------------- */

static long long available_of(const char *style, int variant)
{
    char path[64], key[48];
    struct resp r;
    snprintf(path, sizeof path, "/api/v1/styles/%s", style);
    call(&anna, "GET", path, NULL, 200, &r);
    snprintf(key, sizeof key, "variants.%d.available", variant);
    long long n = jint(r.json, key);
    resp_free(&r);
    return n;
}

static void todays_list_outcomes_and_the_last_m(void **state)
{
    (void)state;
    struct resp r;
    char path[128], body[256], sql[256];
    call(&anna, "GET", "/api/v1/outreach/today?lang=en", NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    size_t n = json_array_size(items);
    assert_true(n >= 3);
    long long task[3] = {0}, cust[3] = {0};
    long long last = 1000000;
    for (size_t i = 0; i < n; i++) {
        json_t *t = json_array_get(items, i);
        long long c = json_integer_value(json_object_get(t, "customer_id")), s = json_integer_value(json_object_get(t, "score"));
        assert_true(s <= last);                            /* most valued first */
        last = s;
        assert_true(c != no_consent && c != objected);
        assert_string_equal(json_string_value(json_object_get(t, "staff_login")), "anna");
        assert_true(strlen(json_string_value(json_object_get(t, "why"))) > 0);
        if (i < 3) task[i] = json_integer_value(json_object_get(t, "id")), cust[i] = c;
    }
    resp_free(&r);

    /* The call script: sizes, likes, the items in M available here. */
    snprintf(path, sizeof path, "/api/v1/outreach/%lld", task[0]);
    call(&anna, "GET", path, NULL, 200, &r);
    assert_string_equal(jstr(r.json, "size"), "M");
    assert_string_equal(jstr(r.json, "script.sizes.0.size"), "M");
    assert_string_equal(jstr(r.json, "script.likes.0.value"), "Lanvin");
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "script"), "items")), 2);
    resp_free(&r);
    refused(&piet, "GET", path, NULL, 403, NULL);

    /* A call that ends in a 48-hour hold on the last M. */
    snprintf(path, sizeof path, "/api/v1/outreach/%lld/outcome", task[0]);
    refused(&anna, "POST", path, "{\"outcome\":\"maybe\"}", 422, "outcome");
    refused(&piet, "POST", path, "{\"outcome\":\"reached\"}", 403, NULL);
    call(&anna, "POST", path, "{\"outcome\":\"reached\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "done");
    assert_string_equal(jstr(r.json, "outcome"), "reached");
    resp_free(&r);
    refused(&anna, "POST", path, "{\"outcome\":\"bought\"}", 409, "status");       /* not open any more */
    snprintf(body, sizeof body, "{\"sku\":\"KN-1-M\",\"customer_id\":%lld,\"hours\":169}", cust[0]);
    refused(&anna, "POST", "/api/v1/holds", body, 422, "hours");
    snprintf(body, sizeof body, "{\"sku\":\"KN-1-X\",\"customer_id\":%lld}", cust[0]);
    refused(&anna, "POST", "/api/v1/holds", body, 422, "sku");
    snprintf(body, sizeof body, "{\"store_code\":\"UTR01\",\"sku\":\"KN-1-M\",\"customer_id\":%lld}", cust[0]);
    refused(&piet, "POST", "/api/v1/holds", body, 403, NULL);
    assert_int_equal(count("SELECT COUNT(*) FROM holds"), 0);
    assert_int_equal(available_of("KN-1", 1), 6);
    snprintf(body, sizeof body, "{\"sku\":\"KN-1-M\",\"customer_id\":%lld,\"hours\":48}", cust[0]);
    call(&anna, "POST", "/api/v1/holds", body, 201, &r);
    assert_string_equal(jstr(r.json, "status"), "active");
    assert_string_equal(jstr(r.json, "size"), "M");
    long long hold = jint(r.json, "id");
    resp_free(&r);
    assert_int_equal(available_of("KN-1", 1), 5);          /* Utrecht's last M is held; Amsterdam has 5 */
    refused(&anna, "POST", "/api/v1/holds", body, 409, "sku");
    call(&anna, "GET", "/api/v1/holds?sku=KN-1", NULL, 200, &r);                     /* a style's holds */
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
    refused(&piet, "GET", "/api/v1/holds?store_code=UTR01", NULL, 403, NULL);

    /* The hold made on a task closes the task as hold_made. */
    snprintf(body, sizeof body, "{\"sku\":\"KN-2-M\",\"customer_id\":%lld,\"task_id\":%lld}", cust[1], task[1]);
    ok(&anna, "POST", "/api/v1/holds", body, 201);
    snprintf(path, sizeof path, "/api/v1/outreach/%lld", task[1]);
    call(&anna, "GET", path, NULL, 200, &r);
    assert_string_equal(jstr(r.json, "outcome"), "hold_made");
    resp_free(&r);

    /* Released once; a second release is a conflict. */
    snprintf(path, sizeof path, "/api/v1/holds/%lld/release", hold);
    refused(&anna, "POST", path, "{\"status\":\"lost\"}", 422, "status");
    call(&anna, "POST", path, "{\"status\":\"released\"}", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "released");
    resp_free(&r);
    refused(&anna, "POST", path, "{\"status\":\"cancelled\"}", 409, "status");
    assert_int_equal(available_of("KN-1", 1), 6);

    /* Over the contact cap: two marketing contacts this month already. */
    long long now = (long long)time(NULL) * 1000000;
    snprintf(sql, sizeof sql, "INSERT INTO contacts (customer_id, at, channel, marketing) VALUES"
             " (%lld, %lld, 'phone', 1), (%lld, %lld, 'email', 1)", cust[2], now - 1000000, cust[2], now - 2000000);
    assert_int_equal(server_sql(&srv, sql), 0);
    snprintf(path, sizeof path, "/api/v1/outreach/%lld/outcome", task[2]);
    refused(&anna, "POST", path, "{\"outcome\":\"reached\"}", 409, "customer_id");
    snprintf(sql, sizeof sql, "DELETE FROM contacts WHERE customer_id = %lld", cust[2]);
    assert_int_equal(server_sql(&srv, sql), 0);
    /* Without consent for the channel any more. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld", cust[2]);
    ok(&anna, "PATCH", path, "{\"consent\":{\"phone_marketing\":{\"given\":false,\"source\":\"phone call\"}}}", 200);
    snprintf(path, sizeof path, "/api/v1/outreach/%lld/outcome", task[2]);
    refused(&anna, "POST", path, "{\"outcome\":\"reached\"}", 409, "channel");
    assert_int_equal(count("SELECT COUNT(*) FROM contacts"), 2);   /* the reached call and the hold_made */
}

/* ---- the last unit ------------------------------------------------------------ */

static void the_last_unit_goes_to_one(void **state)
{
    (void)state;
    enum { N = 8 };
    struct volley_shot shots[N];
    char bodies[N][160];
    for (int i = 0; i < N; i++) {
        snprintf(bodies[i], sizeof bodies[i], "{\"sku\":\"SC-9-U\",\"customer_id\":%lld}", book[i % N_BOOK]);
        shots[i] = (struct volley_shot){"POST", "/api/v1/holds", bodies[i], NULL, {0}};
    }
    volley(&anna, shots, N);
    int won = 0, lost = 0;
    for (int i = 0; i < N; i++) {
        struct resp *r = &shots[i].r;
        if (r->status == 201) won++;
        else if (r->status == 409 && strcmp(err_field(r, 0), "sku") == 0) lost++;
        else fprintf(stderr, "unexpected answer %ld (%s)\n", r->status, err_field(r, 0));
    }
    volley_free(shots, N);
    assert_int_equal(won, 1);
    assert_int_equal(lost, N - 1);
    assert_int_equal(available_of("SC-9", 0), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM holds WHERE status = 'active' AND product_id ="
                           " (SELECT id FROM products WHERE sku = 'SC-9-U')"), 1);
}

/* ---- the report and the export ---------------------------------------------- */

static void the_report_and_the_export(void **state)
{
    (void)state;
    struct resp r;
    char path[96];
    refused(&mark, "GET", "/api/v1/collections/KNIT-AW/stores/AMS01/report", NULL, 403, NULL);
    call(&mark, "GET", "/api/v1/collections/KNIT-AW/stores/UTR01/report", NULL, 200, &r);
    assert_int_equal(jint(r.json, "matched"), N_BOOK);
    assert_true(jint(r.json, "reached") >= 2);             /* reached, and the hold made */
    assert_int_equal(jint(r.json, "holds"), 2);
    assert_true(json_is_false(json_object_get(json_object_get(r.json, "uplift"), "estimable")));
    assert_string_equal(jstr(r.json, "uplift.message"), "too few to tell");
    resp_free(&r);

    snprintf(path, sizeof path, "/api/v1/customers/%lld/export", book[0]);
    call(&mark, "GET", path, NULL, 200, &r);
    json_t *cl = json_object_get(r.json, "clienteling");
    assert_non_null(cl);
    assert_string_equal(jstr(cl, "book.staff_login"), "anna");
    assert_true(json_array_size(json_object_get(cl, "sizes")) >= 1);
    assert_true(json_array_size(json_object_get(cl, "notes")) == 1);
    assert_non_null(json_object_get(cl, "outreach"));
    assert_non_null(json_object_get(cl, "holds"));
    resp_free(&r);

    /* Reassigning Anna's book to the pool leaves nobody without a store. */
    refused(&anna, "POST", "/api/v1/book/reassign", "{\"from_login\":\"anna\",\"to_login\":null}", 403, NULL);
    refused(&mark, "POST", "/api/v1/book/reassign", "{\"from_login\":\"anna\",\"to_login\":\"piet\"}", 422, "to_login");
    call(&mark, "POST", "/api/v1/book/reassign", "{\"from_login\":\"anna\",\"to_login\":null}", 200, &r);
    assert_int_equal(jint(r.json, "moved"), N_BOOK + 2);
    resp_free(&r);
    call(&anna, "GET", "/api/v1/book?pool=true", NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), N_BOOK + 2);
    resp_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_stock_and_a_collection),
        cmocka_unit_test(books_and_profiles),
        cmocka_unit_test(preview_then_arrive_then_match_again),
        cmocka_unit_test(todays_list_outcomes_and_the_last_m),
        cmocka_unit_test(the_last_unit_goes_to_one),
        cmocka_unit_test(the_report_and_the_export),
    };
    return cmocka_run_group_tests_name("api_clienteling", tests, setup, teardown);
}
