/* test_import.c — CSV imports through POST /api/v1/imports/{customers,purchases} against a real
 * server, and through `trustdesk import`. The tests run in order and build on
 * each other: customers first, then their purchases. Fixtures are in
 * tests/data ($TEST_DATA_DIR, or found next to this file). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "db/db.h"
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static char data_dir[512];
static char admin_token[64];

static void find_data_dir(void)
{
    const char *env = getenv("TEST_DATA_DIR");
    if (env && *env) {
        snprintf(data_dir, sizeof data_dir, "%s", env);
        return;
    }
    /* __FILE__ is .../tests/api/test_import.c */
    const char *slash = strrchr(__FILE__, '/');
    int n = slash ? (int)(slash - __FILE__) : 1;
    snprintf(data_dir, sizeof data_dir, "%.*s/../data", n, slash ? __FILE__ : ".");
}

static char *read_fixture(const char *name)
{
    char path[700];
    snprintf(path, sizeof path, "%s/%s", data_dir, name);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "test_import: cannot open %s\n", path);
        return NULL;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = malloc((size_t)n + 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    if (p) p[n] = '\0';
    fclose(f);
    return p;
}

/* Posts a fixture (or literal text when name is NULL) as text/csv and
 * asserts the answer's status is want (printing the body when not). */
static void post_csv(struct client *c, const char *kind, const char *name, const char *text, long want, struct resp *r)
{
    char *body = name ? read_fixture(name) : NULL;
    assert_true(!name || body);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/imports/%s", kind);
    assert_int_equal(req_h(c, "POST", path, body ? body : text, r, "Content-Type: text/csv; charset=utf-8", NULL), 0);
    free(body);
    if (r->status != want) fprintf(stderr, "import %s %s: %ld %s (expected %ld)\n", kind, name ? name : "text", r->status, r->body, want);
    assert_int_equal(r->status, want);
}

/* An admin's integration: a client that authenticates with an API token;
 * and the associate anna, logged in by setup. */
static struct client api, associate;

/* Rows in a table, read straight from the server's database. */
static long long db_count(const char *sql) { return db_int(&srv, sql); }

/* The id of the one customer found by GET /api/v1/customers?q=. */
static long long find_customer(struct client *c, const char *q, const char *want_name)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/customers?q=%s", q);
    struct resp r;
    req_expect(c, "GET", path, NULL, 200, &r);
    json_t *items = json_object_get(r.json, "items");
    if (json_array_size(items) != 1) fprintf(stderr, "search %s: %s\n", q, r.body);
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(jstr(r.json, "items.0.name"), want_name);
    long long id = jint(r.json, "items.0.id");
    resp_free(&r);
    return id;
}

static int setup(void **state)
{
    (void)state;
    find_data_dir();
    static const struct member staff[] = {{"anna", "associate", "UTR01", &associate}, MEMBERS_END};
    if (chain_start(&srv, NULL, "UTR01 AMS01", staff) != 0) return -1;
    if (cli_token(&srv, ADMIN_LOGIN, admin_token, sizeof admin_token) != 0) return -1;
    client_init(&api, &srv);
    snprintf(api.bearer, sizeof api.bearer, "%s", admin_token);
    api.no_origin = 1;
    return 0;
}

static int teardown(void **state)
{
    client_free(&api);
    return chain_teardown(state);
}

static void customers_then_purchases(void **state)
{
    (void)state;
    struct resp r;
    post_csv(&api, "customers", "customers_good.csv", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "kind"), "customers");
    expect_ints(r.json, "lines", 5, "added", 5, "skipped", 0, NULL);
    resp_free(&r);

    /* Search finds them with or without accents. */
    long long jose = find_customer(&api, "Jos%C3%A9", "José García");
    assert_int_equal(find_customer(&api, "garcia", "José García"), jose);
    long long zoe = find_customer(&api, "zoe", "Zoë Bakker");
    find_customer(&api, "m%C3%BCller", "Anna Müller");
    long long pieter = find_customer(&api, "van%20t%20hek", "van 't Hek, Pieter");
    find_customer(&api, "daan", "Daan \"de Kapper\" Visser");
    /* Consent from the file, with source "import". */
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", zoe);
    req_expect(&api, "GET", path, NULL, 200, &r);
    assert_true(json_is_true(json_object_get(json_object_get(json_object_get(r.json, "consent"), "email_marketing"), "given")));
    expect_strs(r.json, "consent.email_marketing.source", "import", "consent.phone_marketing.source", "import",
                "home_store_code", "AMS01", NULL);
    resp_free(&r);

    post_csv(&api, "purchases", "purchases_good.csv", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "kind"), "purchases");
    expect_ints(r.json, "lines", 7, "added", 7, "skipped", 0, "receipts_added", 4, "products_added", 5, NULL);
    resp_free(&r);

    /* José's receipt: three lines in file order, the third one later in the file. */
    snprintf(path, sizeof path, "/api/v1/customers/%lld/purchases", jose);
    req_expect(&api, "GET", path, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 3);
    expect_strs(r.json, "items.0.receipt_id", "UTR01-2026-000001", "items.0.product_name", "Wollen trui", NULL);
    assert_int_equal(jint(r.json, "items.0.unit_price_cents"), 5995);
    assert_string_equal(jstr(r.json, "items.1.product_name"), "Sokken, 3 paar");
    expect_ints(r.json, "items.1.quantity", 2, "items.2.line_no", 3, NULL);
    assert_string_equal(jstr(r.json, "items.2.product_name"), "Muts");
    assert_string_equal(jstr(r.json, "items.0.purchased_at"), "2026-03-14T09:15:00Z");   /* 10:15 in Amsterdam */
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/purchases", zoe);
    assert_int_equal(req(&api, "GET", path, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    expect_strs(r.json, "items.1.product_name", "Paraplu \"Storm\"", "items.1.brand", "Polder & Co",
                "items.0.purchased_at", "2026-03-15T13:30:00Z", NULL);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/purchases", pieter);
    assert_int_equal(req(&api, "GET", path, NULL, &r), 0);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    resp_free(&r);
    assert_int_equal(db_count("SELECT COUNT(*) FROM receipts WHERE customer_id IS NULL"), 1);
    assert_int_equal(db_count("SELECT COUNT(*) FROM audit_log WHERE action IN ('import.customers', 'import.purchases')"
                              " AND staff_id IS NOT NULL"), 2);
}

static void reimport_adds_nothing(void **state)
{
    (void)state;
    long long lines = db_count("SELECT COUNT(*) FROM purchase_lines");
    struct resp r;
    post_csv(&api, "purchases", "purchases_good.csv", NULL, 200, &r);
    expect_ints(r.json, "lines", 7, "added", 0, "skipped", 7, "receipts_added", 0, "receipts_skipped", 4, NULL);
    resp_free(&r);
    post_csv(&api, "customers", "customers_good.csv", NULL, 200, &r);
    expect_ints(r.json, "added", 0, "skipped", 5, NULL);
    resp_free(&r);
    assert_int_equal(db_count("SELECT COUNT(*) FROM purchase_lines"), lines);
    assert_int_equal(db_count("SELECT COUNT(*) FROM customers"), 5);
}

static void one_bad_line_imports_nothing(void **state)
{
    (void)state;
    long long receipts = db_count("SELECT COUNT(*) FROM receipts");
    long long lines = db_count("SELECT COUNT(*) FROM purchase_lines");
    long long products = db_count("SELECT COUNT(*) FROM products");
    struct resp r;
    post_csv(&api, "purchases", "purchases_one_bad_line.csv", NULL, 422, &r);
    assert_string_equal(jstr(r.json, "error.code"), "invalid");
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "error"), "details")), 1);
    assert_string_equal(err_field(&r, 0), "line 4: store_code");
    expect_ints(r.json, "error.details.0.line", 4, "error.details.0.column", 3, NULL);
    assert_string_equal(jstr(r.json, "error.details.0.problem"), "no store has this code");
    assert_non_null(strstr(jstr(r.json, "error.message"), "nothing was imported"));
    resp_free(&r);
    /* The good lines before and after the bad one were not kept either. */
    assert_int_equal(db_count("SELECT COUNT(*) FROM receipts"), receipts);
    assert_int_equal(db_count("SELECT COUNT(*) FROM purchase_lines"), lines);
    assert_int_equal(db_count("SELECT COUNT(*) FROM products"), products);
    assert_int_equal(db_count("SELECT COUNT(*) FROM receipts WHERE receipt_ref = 'UTR01-2026-000200'"), 0);
}

static void semicolons_decimal_commas_bom_crlf(void **state)
{
    (void)state;
    struct resp r;
    post_csv(&api, "purchases", "purchases_semicolon_bom_crlf.csv", NULL, 200, &r);
    expect_ints(r.json, "added", 3, "receipts_added", 2, NULL);
    resp_free(&r);
    long long anna = find_customer(&api, "anna%20muller", "Anna Müller");
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/purchases", anna);
    req_expect(&api, "GET", path, NULL, 200, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 2);
    assert_string_equal(jstr(r.json, "items.0.sku"), "8712345000066");
    expect_ints(r.json, "items.0.unit_price_cents", 1250, "items.0.quantity", 2, NULL);
    assert_string_equal(jstr(r.json, "items.1.product_name"), "Sjaal; rood");
    assert_int_equal(jint(r.json, "items.1.unit_price_cents"), 1995);
    resp_free(&r);
}

static void negative_price_is_named(void **state)
{
    (void)state;
    long long receipts = db_count("SELECT COUNT(*) FROM receipts");
    struct resp r;
    post_csv(&api, "purchases", "purchases_negative_price.csv", NULL, 422, &r);
    assert_string_equal(err_field(&r, 0), "line 3: unit_price");
    expect_ints(r.json, "error.details.0.line", 3, "error.details.0.column", 9, NULL);
    expect_strs(r.json, "error.details.0.problem", "is negative",
                "error.message", "the file has 1 problem and nothing was imported", NULL);
    resp_free(&r);
    assert_int_equal(db_count("SELECT COUNT(*) FROM receipts"), receipts);
}

/* More problems than ERRORS_MAX: 50 details, the rest counted in the message. */
static void many_problems_are_capped(void **state)
{
    (void)state;
    size_t cap = 1 << 16;
    char *csv = malloc(cap);
    assert_non_null(csv);
    size_t n = (size_t)snprintf(csv, cap, "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n");
    for (int i = 0; i < 70; i++)
        n += (size_t)snprintf(csv + n, cap - n, "X-%d,2026-04-01 10:00,UTR01,,SKU,Ding,,,1,0\n", i);
    struct resp r;
    post_csv(&api, "purchases", NULL, csv, 422, &r);
    free(csv);
    json_t *details = json_object_get(json_object_get(r.json, "error"), "details");
    assert_int_equal(json_array_size(details), 50);
    assert_string_equal(err_field(&r, 0), "line 2: quantity");
    assert_string_equal(err_field(&r, 49), "line 51: quantity");
    assert_string_equal(jstr(r.json, "error.message"),
                        "the file has 70 problems and nothing was imported; the first 50 are listed, 20 more are not");
    resp_free(&r);
    /* A header problem names the column; a line problem has no column number. */
    post_csv(&api, "customers", NULL, "loyalty_number,name,shoe_size\nNL-1,A,42\n", 422, &r);
    assert_string_equal(err_field(&r, 0), "line 1: shoe_size");
    assert_int_equal(jint(r.json, "error.details.0.column"), 3);
    resp_free(&r);
    post_csv(&api, "customers", NULL, "loyalty_number,name\nNL-100009\n", 422, &r);
    assert_string_equal(err_field(&r, 0), "line 2");
    assert_int_equal(jint(r.json, "error.details.0.line"), 2);
    assert_null(json_object_get(json_array_get(json_object_get(json_object_get(r.json, "error"), "details"), 0), "column"));
    resp_free(&r);
}

static void only_admins_with_csv(void **state)
{
    (void)state;
    struct resp r;
    post_csv(&associate, "customers", "customers_good.csv", NULL, 403, &r);
    assert_string_equal(jstr(r.json, "error.code"), "forbidden");
    resp_free(&r);
    post_csv(&associate, "purchases", "purchases_good.csv", NULL, 403, &r);
    resp_free(&r);
    struct client c;

    /* An admin with a browser session (cookie + CSRF) may; JSON is refused. */
    client_login(&c, &srv, ADMIN_LOGIN);
    req_expect_field(&c, "POST", "/api/v1/imports/customers", "{\"rows\":[]}", 400, "Content-Type");
    post_csv(&c, "customers", "customers_good.csv", NULL, 200, &r);
    assert_int_equal(jint(r.json, "skipped"), 5);
    resp_free(&r);
    client_free(&c);

    client_init(&c, &srv);
    assert_int_equal(req_h(&c, "POST", "/api/v1/imports/customers", "a,b\n", &r, "Content-Type: text/csv", NULL), 0);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    client_free(&c);
}

/* Runs `trustdesk import KIND --db URL DATA_DIR/FILE`; its exit status, with
 * stdout and stderr in out. */
static int import_cli(const char *kind, const char *file, char *out, size_t n)
{
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "'%s' import %s --db '%s' '%s/%s' 2>&1", trustdesk_bin(), kind, srv.db_url, data_dir, file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t k = fread(out, 1, n - 1, p);
    out[k] = '\0';
    int st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static void cli_import(void **state)
{
    (void)state;
    char out[8192];
    assert_int_equal(import_cli("customers", "customers_cli.csv", out, sizeof out), 0);
    assert_non_null(strstr(out, "2 lines, 2 added, 0 skipped"));
    assert_int_equal(import_cli("customers", "customers_cli.csv", out, sizeof out), 0);
    assert_non_null(strstr(out, "2 lines, 0 added, 2 skipped"));
    find_customer(&api, "omer%20yilmaz", "Ömer Yılmaz");

    long long customers = db_count("SELECT COUNT(*) FROM customers");
    assert_int_equal(import_cli("customers", "customers_bad.csv", out, sizeof out), 1);
    assert_non_null(strstr(out, "customers_bad.csv:2: email: is not an e-mail address"));
    assert_non_null(strstr(out, "customers_bad.csv:3: home_store_code: no store has this code"));
    assert_non_null(strstr(out, "customers_bad.csv:4: email_marketing_consent: must be yes or no"));
    assert_non_null(strstr(out, "has 3 problems; nothing was imported"));
    assert_int_equal(db_count("SELECT COUNT(*) FROM customers"), customers);

    assert_int_equal(import_cli("purchases", "purchases_good.csv", out, sizeof out), 0);
    assert_non_null(strstr(out, "7 lines, 0 added, 7 skipped"));
    assert_int_equal(import_cli("invoices", "purchases_good.csv", out, sizeof out), 2);
    assert_int_equal(import_cli("purchases", "no-such-file.csv", out, sizeof out), 1);
    assert_non_null(strstr(out, "cannot read"));
}

/* An import sent again with its Idempotency-Key (a retry after a lost
 * answer) gets the first answer, byte for byte, and imports nothing more. */
static void a_keyed_import_replays_its_first_answer(void **state)
{
    (void)state;
    static const char members[] = "loyalty_number,name\nKEY-0001,Lotte Keizer\nKEY-0002,Daan Keizer\n";
    static const char others[] = "loyalty_number,name\nKEY-0003,Fenna Keizer\n";
    static const char broken[] = "loyalty_number,name\nKEY-0004,\n";
    long long customers = db_count("SELECT COUNT(*) FROM customers");
    struct resp first, again;
    char replayed[16];
    assert_int_equal(req_h(&api, "POST", "/api/v1/imports/customers", members, &first, "Content-Type: text/csv",
                           "Idempotency-Key: members-2026-12", NULL), 0);
    assert_int_equal(first.status, 200);
    assert_int_equal(jint(first.json, "added"), 2);
    assert_string_equal(resp_header(&first, "Idempotent-Replayed", replayed, sizeof replayed), "");
    assert_int_equal(req_h(&api, "POST", "/api/v1/imports/customers", members, &again, "Content-Type: text/csv",
                           "Idempotency-Key: members-2026-12", NULL), 0);
    assert_int_equal(again.status, 200);
    assert_string_equal(again.body, first.body);           /* "added": 2, not "skipped": 2 */
    assert_string_equal(resp_header(&again, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    resp_free(&again);
    resp_free(&first);
    assert_int_equal(db_count("SELECT COUNT(*) FROM customers"), customers + 2);
    /* Without the key the file is imported again, and skipped. */
    post_csv(&api, "customers", NULL, members, 200, &again);
    assert_int_equal(jint(again.json, "skipped"), 2);
    resp_free(&again);
    /* The key with another file: 422 naming the key; nothing imported. */
    assert_int_equal(req_h(&api, "POST", "/api/v1/imports/customers", others, &again, "Content-Type: text/csv",
                           "Idempotency-Key: members-2026-12", NULL), 0);
    assert_int_equal(again.status, 422);
    assert_true(has_err_field(&again, "Idempotency-Key"));
    resp_free(&again);
    assert_int_equal(db_count("SELECT COUNT(*) FROM customers WHERE loyalty_number = 'KEY-0003'"), 0);
    /* A refused file's report is kept under its key too. */
    assert_int_equal(req_h(&api, "POST", "/api/v1/imports/customers", broken, &first, "Content-Type: text/csv",
                           "Idempotency-Key: broken-1", NULL), 0);
    assert_int_equal(first.status, 422);
    assert_int_equal(req_h(&api, "POST", "/api/v1/imports/customers", broken, &again, "Content-Type: text/csv",
                           "Idempotency-Key: broken-1", NULL), 0);
    assert_int_equal(again.status, 422);
    assert_string_equal(again.body, first.body);
    assert_string_equal(resp_header(&again, "Idempotent-Replayed", replayed, sizeof replayed), "true");
    resp_free(&again);
    resp_free(&first);
    assert_int_equal(db_count("SELECT COUNT(*) FROM customers"), customers + 2);
}

/* The aggregates the import counts in memory against a count of the stored
 * lines, for the customers of aggregates_count_what_was_imported: rows that
 * differ, and (customer, category) pairs the lines have and the table lacks. */
#define AGG_CUSTOMERS "(SELECT id FROM customers WHERE loyalty_number LIKE 'AGG-%')"
#define AGG_LINES(what, where)                                                                                        \
    "(SELECT " what " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id" \
    " WHERE " where ")"
#define AGG_PAIR "r.customer_id = s.customer_id AND p.category = s.category"
#define AGG_SIZED AGG_PAIR " AND COALESCE(l.size, p.size) IS NOT NULL ORDER BY r.purchased_at DESC, r.id DESC, l.line_no DESC LIMIT 1"
static long long aggregates_off(void)
{
    long long facts = db_count(
        "SELECT COUNT(*) FROM customer_facts f WHERE f.customer_id IN " AGG_CUSTOMERS
        " AND (f.lifetime_spend_cents <> " AGG_LINES("COALESCE(SUM(l.unit_price_cents * l.quantity), 0)", "r.customer_id = f.customer_id")
        " OR f.visits <> (SELECT COUNT(*) FROM receipts r WHERE r.customer_id = f.customer_id)"
        " OR f.first_seen_at <> (SELECT MIN(purchased_at) FROM receipts r WHERE r.customer_id = f.customer_id)"
        " OR f.last_purchase_at <> (SELECT MAX(purchased_at) FROM receipts r WHERE r.customer_id = f.customer_id))");
    long long spend = db_count(
        "SELECT COUNT(*) FROM customer_category_spend s WHERE s.customer_id IN " AGG_CUSTOMERS
        " AND (s.spend_cents <> " AGG_LINES("SUM(l.unit_price_cents * l.quantity)", AGG_PAIR)
        " OR s.lines <> " AGG_LINES("COUNT(*)", AGG_PAIR) " OR s.last_at <> " AGG_LINES("MAX(r.purchased_at)", AGG_PAIR)
        " OR COALESCE(s.last_size, '-') <> COALESCE(" AGG_LINES("COALESCE(l.size, p.size)", AGG_SIZED) ", '-')"
        " OR COALESCE(s.last_size_at, 0) <> COALESCE(" AGG_LINES("r.purchased_at", AGG_SIZED) ", 0))");
    long long missing = db_count(
        "SELECT COUNT(*) FROM (SELECT DISTINCT r.customer_id, p.category FROM receipts r"
        " JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
        " WHERE r.customer_id IN " AGG_CUSTOMERS ") x WHERE NOT EXISTS (SELECT 1 FROM customer_category_spend s"
        " WHERE s.customer_id = x.customer_id AND s.category = x.category)");
    if (facts || spend || missing) fprintf(stderr, "aggregates off: facts %lld, spend %lld, missing %lld\n", facts, spend, missing);
    return facts + spend + missing;
}

static const char *agg_size(const char *loyalty)
{
    static char out[16];
    long long n = db_intf(&srv, "SELECT COUNT(*) FROM customer_category_spend s JOIN customers c ON c.id = s.customer_id"
                                " WHERE c.loyalty_number = '%s' AND s.category = 'AggBroeken' AND s.last_size = '34'", loyalty);
    long long m = db_intf(&srv, "SELECT COUNT(*) FROM customer_category_spend s JOIN customers c ON c.id = s.customer_id"
                                " WHERE c.loyalty_number = '%s' AND s.category = 'AggBroeken' AND s.last_size = '32'", loyalty);
    snprintf(out, sizeof out, "%s", n ? "34" : m ? "32" : "other");
    return out;
}

/* What the import counts while it imports (the customer facts, the spend and
 * size per category) equals a count of the lines it stored: with a receipt's
 * lines apart in the file, anonymous sales, a file of old and new receipts,
 * a line older than the size already known, one newer, and a row stored with
 * a size but not when (as rows written before that was kept). Importing a
 * file again changes none of it. */
static void aggregates_count_what_was_imported(void **state)
{
    (void)state;
    static const char members[] = "loyalty_number,name\nAGG-0001,Eva Aggregaat\nAGG-0002,Bram Aggregaat\n";
    static const char head[] = "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,"
                               "unit_price,quantity,size\n";
    char first[1024], older[1024], newer[1024];
    snprintf(first, sizeof first,
             "%sAGG-R1,2026-03-20 10:00,UTR01,AGG-0001,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,59.95,1,32\n"
             "AGG-R2,2026-03-21 11:00,UTR01,AGG-0002,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,59.95,1,33\n"
             "AGG-R1,2026-03-20 10:00,UTR01,AGG-0001,AGG-S,Sokken,Noordzee,AggSokken,5.00,2,\n"
             "AGG-R3,2026-03-21 12:00,UTR01,,AGG-S,Sokken,Noordzee,AggSokken,5.00,1,\n",
             head);
    snprintf(older, sizeof older,
             "%sAGG-R1,2026-03-20 10:00,UTR01,AGG-0001,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,59.95,1,32\n"
             "AGG-R4,2026-03-01 09:00,AMS01,AGG-0001,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,49.95,1,30\n"
             "AGG-R5,2026-03-02 09:00,UTR01,AGG-0002,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,49.95,2,28\n",
             head);
    snprintf(newer, sizeof newer,
             "%sAGG-R6,2026-04-02 16:00,UTR01,AGG-0001,AGG-T,\"Broek, chino\",Noordzee,AggBroeken,59.95,1,34\n", head);
    struct resp r;
    post_csv(&api, "customers", NULL, members, 200, &r);
    resp_free(&r);
    post_csv(&api, "purchases", NULL, first, 200, &r);
    expect_ints(r.json, "added", 4, "receipts_added", 3, NULL);
    resp_free(&r);
    assert_int_equal(aggregates_off(), 0);
    assert_string_equal(agg_size("AGG-0001"), "32");
    /* Bram's row as one stored before the size's time was kept. */
    assert_int_equal(server_sql(&srv, "UPDATE customer_category_spend SET last_size_at = NULL WHERE customer_id IN"
                                      " (SELECT id FROM customers WHERE loyalty_number = 'AGG-0002')"), 0);
    post_csv(&api, "purchases", NULL, older, 200, &r);
    expect_ints(r.json, "added", 2, "skipped", 1, "receipts_added", 2, "receipts_skipped", 1, NULL);
    resp_free(&r);
    assert_int_equal(aggregates_off(), 0);                 /* Bram's size is still 33 (21 March), with its time */
    assert_string_equal(agg_size("AGG-0001"), "32");       /* 1 March is older than 20 March */
    long long spend = db_count("SELECT SUM(spend_cents) FROM customer_category_spend WHERE customer_id IN " AGG_CUSTOMERS);
    long long visits = db_count("SELECT SUM(visits) FROM customer_facts WHERE customer_id IN " AGG_CUSTOMERS);
    post_csv(&api, "purchases", NULL, older, 200, &r);
    expect_ints(r.json, "added", 0, "skipped", 3, NULL);
    resp_free(&r);
    post_csv(&api, "purchases", NULL, first, 200, &r);
    expect_ints(r.json, "added", 0, "skipped", 4, NULL);
    resp_free(&r);
    assert_int_equal(db_count("SELECT SUM(spend_cents) FROM customer_category_spend WHERE customer_id IN " AGG_CUSTOMERS),
                     spend);
    assert_int_equal(db_count("SELECT SUM(visits) FROM customer_facts WHERE customer_id IN " AGG_CUSTOMERS), visits);
    assert_int_equal(visits, 4);
    post_csv(&api, "purchases", NULL, newer, 200, &r);
    resp_free(&r);
    assert_int_equal(aggregates_off(), 0);
    assert_string_equal(agg_size("AGG-0001"), "34");
}

TD_TEST_MAIN("api_import", setup, teardown,
             cmocka_unit_test(customers_then_purchases),
             cmocka_unit_test(reimport_adds_nothing),
             cmocka_unit_test(one_bad_line_imports_nothing),
             cmocka_unit_test(semicolons_decimal_commas_bom_crlf),
             cmocka_unit_test(negative_price_is_named),
             cmocka_unit_test(many_problems_are_capped),
             cmocka_unit_test(only_admins_with_csv),
             cmocka_unit_test(cli_import),
             cmocka_unit_test(a_keyed_import_replays_its_first_answer),
             cmocka_unit_test(aggregates_count_what_was_imported))
