/* test_demo.c — the demo generator: counts, determinism, referential
 * integrity, the schema left as the migrations made it, search terms equal
 * to what customer_create() writes, search that works on the demo data,
 * refusal of a database that has data, and rows pinned for one seed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/buf.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/customer.h"
#include "sim/demo.h"
#include "domain/ledger.h"
#include "domain/staff.h"
#include "fixture.h"

#define CUSTOMERS 600
#define END_US 1795305600000000LL   /* 2026-11-22T00:00:00Z */

static char dir[64];
static char hash[128];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/td-demo-XXXXXX");
    if (!mkdtemp(dir)) return -1;
    if (token_init() != TD_OK) return -1;
    return token_password_hash(DEMO_PASSWORD, hash) == TD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

/* A new migrated database in dir named `name`. */
static struct db *fresh(const char *name)
{
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/%s.db", dir, name);
    struct db *db = NULL;
    assert_int_equal(db_open(url, &db), TD_OK);
    assert_int_equal(db_migrate(db), TD_OK);
    return db;
}

static struct db *demo(const char *name, uint64_t seed, struct demo_summary *sum)
{
    struct db *db = fresh(name);
    struct demo_config cfg = { .seed = seed, .customers = CUSTOMERS, .end_us = END_US, .password_hash = hash };
    assert_int_equal(db_bulk_mode(db, 1), TD_OK);
    assert_int_equal(demo_generate(db, &cfg, sum), TD_OK);
    assert_int_equal(db_bulk_mode(db, 0), TD_OK);
    return db;
}

static void dump(struct db *db, const char *sql, struct buf *out) { fixture_dump(db, sql, out); }
static int64_t count(struct db *db, const char *sql) { return fixture_count(db, sql); }

static const char *const CONTENT[] = {
    "SELECT id || '|' || COALESCE(loyalty_number,'') || '|' || name || '|' || COALESCE(email,'') || '|' ||"
    " COALESCE(phone,'') || '|' || COALESCE(home_store_id,0) || '|' || email_consent || '|' || created_at"
    " FROM customers ORDER BY id",
    "SELECT id || '|' || receipt_ref || '|' || store_id || '|' || COALESCE(customer_id,0) || '|' || purchased_at"
    " FROM receipts ORDER BY id",
    "SELECT receipt_id || '|' || line_no || '|' || product_id || '|' || unit_price_cents || '|' || quantity"
    " FROM purchase_lines ORDER BY receipt_id, line_no",
    "SELECT login || '|' || name || '|' || role FROM staff ORDER BY login",
    /* The case history (credit-note codes aside, which the ledger draws at random). */
    "SELECT id || '|' || customer_id || '|' || store_id || '|' || COALESCE(associate_id,0) || '|' || kind || '|' ||"
    " receipt || '|' || created_at || '|' || status || '|' || rec_resolution || '|' || rec_amount_cents || '|' ||"
    " rec_needs_approval || '|' || risk_score || '|' || risk_level || '|' || COALESCE(resolution,'') || '|' ||"
    " COALESCE(amount_cents,0) || '|' || COALESCE(approval_by,0) FROM cases ORDER BY id",
    "SELECT customer_id || '|' || label || '|' || person FROM demo_labels ORDER BY customer_id",
    "SELECT case_id || '|' || person || '|' || label FROM demo_walk_ins ORDER BY case_id",
    "SELECT customer_id || '|' || day || '|' || purchases || '|' || cases || '|' || returns || '|' || no_receipt_returns"
    " FROM customer_days ORDER BY customer_id, day",
};

static void ledger_problem(void *arg, const char *problem)
{
    (void)arg;
    print_message("ledger: %s\n", problem);
}

static void counts_and_integrity(void **state)
{
    (void)state;
    struct demo_summary s;
    struct db *db = demo("counts", 1, &s);
    assert_int_equal(s.stores, 12);
    assert_int_equal(s.staff, 61);
    assert_int_equal(s.customers, CUSTOMERS);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customers"), CUSTOMERS);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM stores WHERE code = 'UTR01' AND city = 'Utrecht'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM staff WHERE role = 'manager'"), 12);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM staff WHERE role = 'admin'"), 1);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM receipts"), s.receipts);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM purchase_lines"), s.lines);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_search"), s.search_terms);
    /* The case history: resolved through the desk, its credit notes in a
     * ledger that verifies, its abusers labelled. */
    assert_true(s.cases > 0 && s.abusers > 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM cases"), s.cases);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM cases WHERE status = 'resolved'"), s.cases);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM demo_labels WHERE label NOT LIKE 'honest%'"), s.abusers);
    /* Every customer's phone and e-mail have their identity keys, as
     * customer_create() would write them (unique people: only a ring's
     * accounts share one). */
    assert_true(count(db, "SELECT COUNT(*) FROM customer_keys") >= count(db, "SELECT COUNT(*) FROM customers WHERE phone IS NOT NULL"));
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customer_keys k LEFT JOIN customers c ON c.id = k.customer_id"
                               " WHERE c.id IS NULL"), 0);
    assert_true(count(db, "SELECT COUNT(*) FROM credit_notes WHERE case_id IS NOT NULL") > 0);
    int64_t problems = -1;
    assert_int_equal(ledger_verify(db, ledger_problem, NULL, &problems), TD_OK);
    assert_int_equal(problems, 0);
    /* About ten lines per customer, some anonymous receipts. */
    assert_true(s.lines > CUSTOMERS * 8 && s.lines < CUSTOMERS * 12);
    assert_true(s.anonymous_receipts > 0);
    assert_int_equal(count(db, "SELECT COUNT(*) FROM receipts WHERE customer_id IS NULL"), s.anonymous_receipts);
    /* Lines carry their receipt's customer. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM purchase_lines l JOIN receipts r ON r.id = l.receipt_id"
                               " WHERE l.customer_id IS NOT r.customer_id"), 0);
    /* Purchases lie within the two years before the end. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM receipts WHERE purchased_at > 1795305600000000"
                               " OR purchased_at < 1795305600000000 - 731 * 86400000000"), 0);
    /* Consent columns agree with the consent history. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customers c WHERE email_consent_at IS NOT NULL AND NOT EXISTS"
                               " (SELECT 1 FROM consent_events e WHERE e.customer_id = c.id"
                               "  AND e.channel = 'email_marketing' AND e.at = c.email_consent_at"
                               "  AND e.given = c.email_consent AND e.source = c.email_consent_source)"), 0);
    assert_true(count(db, "SELECT COUNT(*) FROM customers WHERE email_consent = 1 AND email_consent_source ="
                          " 'loyalty-signup'") > 0);
    /* Loyalty numbers: 10 digits starting with 8, unique. */
    assert_int_equal(count(db, "SELECT COUNT(*) FROM customers WHERE loyalty_number IS NOT NULL AND"
                               " (length(loyalty_number) != 10 OR loyalty_number NOT GLOB '8[0-9]*')"), 0);
    /* Bulk mode skipped the foreign-key checks: the references must hold. */
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "PRAGMA foreign_key_check", &st), TD_OK);
    assert_int_equal(db_step(st), TD_DONE);
    db_done(st);
    struct buf b;
    buf_init(&b, 1 << 20);
    dump(db, "PRAGMA integrity_check", &b);
    assert_string_equal(b.data, "ok\n");
    buf_free(&b);
    db_close(db);
}

static void schema_as_migrated(void **state)
{
    (void)state;
    struct demo_summary s;
    struct db *a = fresh("plain"), *b = demo("schema", 3, &s);
    static const char *const sql =
        "SELECT type || ' ' || name || ' ' || tbl_name || ' ' || COALESCE(sql, '') FROM sqlite_master ORDER BY name";
    struct buf x, y;
    buf_init(&x, 1 << 20);
    buf_init(&y, 1 << 20);
    dump(a, sql, &x);
    dump(b, sql, &y);
    assert_string_equal(x.data, y.data);
    buf_free(&x);
    buf_free(&y);
    db_close(a);
    db_close(b);
}

static void same_seed_same_data(void **state)
{
    (void)state;
    struct demo_summary s1, s2, s3;
    struct db *a = demo("seed7a", 7, &s1), *b = demo("seed7b", 7, &s2), *c = demo("seed8", 8, &s3);
    assert_memory_equal(&s1, &s2, sizeof s1);
    for (size_t i = 0; i < sizeof CONTENT / sizeof CONTENT[0]; i++) {
        struct buf x, y, z;
        buf_init(&x, 64 << 20);
        buf_init(&y, 64 << 20);
        buf_init(&z, 64 << 20);
        dump(a, CONTENT[i], &x);
        dump(b, CONTENT[i], &y);
        dump(c, CONTENT[i], &z);
        assert_string_equal(x.data, y.data);
        assert_true(strcmp(x.data, z.data) != 0);
        buf_free(&x);
        buf_free(&y);
        buf_free(&z);
    }
    db_close(a);
    db_close(b);
    db_close(c);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* The rows for seed 7 are the ones the generator has always made: the demo
 * is a benchmark figure and the guard's evaluation runs on it, so a change
 * that moves a single draw must fail here (and, when meant, re-pin these
 * with the printed values and say why in the commit). */
static void output_is_pinned(void **state)
{
    (void)state;
    static const uint64_t pinned[sizeof CONTENT / sizeof CONTENT[0]] = {
        0xb7d70c167c06e97cull, 0x5b214bb3fa553f71ull, 0x331004d75fba8fd4ull, 0xe510ec9653b9e49cull,
        0x399420bb185c719aull, 0x9d7a076ee069b421ull, 0x974d3ae558293823ull, 0x7cd6617202b4aea1ull,
    };
    struct demo_summary s;
    struct db *db = demo("pinned", 7, &s);
    int same = 1;
    for (size_t i = 0; i < sizeof CONTENT / sizeof CONTENT[0]; i++) {
        struct buf x;
        buf_init(&x, 64 << 20);
        dump(db, CONTENT[i], &x);
        uint64_t h = fnv1a(x.data ? x.data : "");
        if (h != pinned[i]) print_message("CONTENT[%zu]: 0x%016llxull\n", i, (unsigned long long)h);
        same &= h == pinned[i];
        buf_free(&x);
    }
    db_close(db);
    assert_true(same);
}

/* Each customer's terms and search_text are exactly customer_index_text's. */
static void terms_as_customer_create(void **state)
{
    (void)state;
    struct demo_summary s;
    struct db *db = demo("terms", 11, &s);
    struct db_stmt *st = NULL, *tt = NULL;
    assert_int_equal(db_prepare(db, "SELECT id, name, email, phone, loyalty_number, search_text FROM customers", &st),
                     TD_OK);
    struct buf terms, text, want, got;
    buf_init(&terms, 8192);
    buf_init(&text, 8192);
    buf_init(&want, 8192);
    buf_init(&got, 8192);
    int rc, n = 0;
    while ((rc = db_step(st)) == TD_ROW) {
        assert_int_equal(customer_index_text(db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3),
                                             db_col_text(st, 4), &terms, &text), TD_OK);
        assert_string_equal(db_col_text(st, 5), text.data);
        /* The sorted set of terms must equal the rows in customer_search. */
        buf_reset(&want);
        buf_reset(&got);
        char *list[32];
        int k = 0;
        for (char *p = terms.data; p && *p && k < 32;) {
            char *nl = strchr(p, '\n');
            *nl = '\0';
            list[k++] = p;
            p = nl + 1;
        }
        for (int i = 1; i < k; i++)
            for (int j = i; j > 0 && strcmp(list[j - 1], list[j]) > 0; j--) {
                char *t = list[j];
                list[j] = list[j - 1];
                list[j - 1] = t;
            }
        for (int i = 0; i < k; i++) assert_int_equal(buf_printf(&want, "%s\n", list[i]), TD_OK);
        assert_int_equal(db_prepare(db, "SELECT term FROM customer_search WHERE customer_id = ? ORDER BY term", &tt),
                         TD_OK);
        assert_int_equal(db_bind_int64(tt, 1, db_col_int64(st, 0)), TD_OK);
        while ((rc = db_step(tt)) == TD_ROW) assert_int_equal(buf_printf(&got, "%s\n", db_col_text(tt, 0)), TD_OK);
        assert_int_equal(rc, TD_DONE);
        db_done(tt);
        assert_string_equal(want.data, got.data);
        /* Phones in every written form normalise to a Dutch mobile number. */
        const char *phone = db_col_text(st, 3);
        if (phone) {
            char norm[20];
            assert_int_equal(text_phone_normalize(phone, norm), TD_OK);
            assert_int_equal(strlen(norm), 10);
            assert_memory_equal(norm, "06", 2);
        }
        const char *email = db_col_text(st, 2);
        if (email) assert_true(text_email_valid(email));
        n++;
    }
    assert_int_equal(rc, TD_DONE);
    assert_int_equal(n, CUSTOMERS);
    db_done(st);
    buf_free(&terms);
    buf_free(&text);
    buf_free(&want);
    buf_free(&got);
    db_close(db);
}

struct hits { int n; char names[8][NAME_SZ]; };

static int on_hit(void *arg, const struct customer *c)
{
    struct hits *h = arg;
    if (h->n < 8) snprintf(h->names[h->n], sizeof h->names[0], "%s", c->name);
    h->n++;
    return TD_OK;
}

static int search(struct db *db, const char *q, struct hits *h)
{
    struct dctx c = { .db = db, .now_us = END_US, .addr = "test" };
    char next[600];
    memset(h, 0, sizeof *h);
    assert_int_equal(customer_search(&c, q, 20, NULL, on_hit, h, next, sizeof next), TD_OK);
    return h->n;
}

static void search_finds_demo_customers(void **state)
{
    (void)state;
    struct demo_summary s;
    struct db *db = demo("search", 1, &s);
    struct hits h;
    assert_true(search(db, "de vries", &h) > 0);
    assert_non_null(strstr(h.names[0], "de Vries"));
    /* Accent-insensitive: "jose" finds José, "zoe" finds Zoë if present. */
    int64_t jose = count(db, "SELECT COUNT(*) FROM customers WHERE name LIKE 'José %'");
    if (jose > 0) {
        assert_true(search(db, "jose", &h) > 0);
    }
    /* A customer's loyalty number, e-mail and phone prefix find them. */
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT loyalty_number, email, phone, name FROM customers WHERE loyalty_number"
                                    " IS NOT NULL AND email IS NOT NULL AND phone IS NOT NULL LIMIT 1", &st), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    char loyalty[40], email[300], phone[64], name[300], norm[20];
    snprintf(loyalty, sizeof loyalty, "%s", db_col_text(st, 0));
    snprintf(email, sizeof email, "%s", db_col_text(st, 1));
    snprintf(phone, sizeof phone, "%s", db_col_text(st, 2));
    snprintf(name, sizeof name, "%s", db_col_text(st, 3));
    db_done(st);
    assert_int_equal(search(db, loyalty, &h), 1);
    assert_string_equal(h.names[0], name);
    assert_true(search(db, email, &h) >= 1);
    assert_int_equal(text_phone_normalize(phone, norm), TD_OK);
    norm[6] = '\0';
    assert_true(search(db, norm, &h) >= 1);
    db_close(db);
}

static void logins_and_refusal(void **state)
{
    (void)state;
    struct demo_summary s;
    struct db *db = demo("logins", 1, &s);
    struct dctx c = { .db = db, .now_us = END_US, .addr = "127.0.0.1" };
    static const char *const logins[] = {DEMO_LOGIN_ADMIN, DEMO_LOGIN_MANAGER, DEMO_LOGIN_ASSOCIATE};
    static const int roles[] = {ROLE_ADMIN, ROLE_MANAGER, ROLE_ASSOCIATE};
    for (int i = 0; i < 3; i++) {
        struct staff me;
        char token[TOKEN_HEX_LEN + 1], csrf[TOKEN_HEX_LEN + 1];
        int retry = 0;
        /* staff_login runs its own transaction (see staff.h). */
        assert_int_equal(staff_login(&c, logins[i], DEMO_PASSWORD, NULL, &me, token, csrf, &retry), TD_OK);
        assert_int_equal(me.role, roles[i]);
        if (i) assert_string_equal(me.store_code, "UTR01");
    }
    int64_t stores, staff, customers;
    assert_int_equal(demo_check_empty(db, &stores, &staff, &customers), TD_E_CONFLICT);
    assert_int_equal(stores, 12);
    struct demo_config cfg = { .seed = 1, .customers = 0, .end_us = END_US, .password_hash = hash };
    assert_int_equal(demo_generate(db, &cfg, &s), TD_E_INVALID);
    db_close(db);
    struct db *empty = fresh("empty");
    assert_int_equal(demo_check_empty(empty, &stores, &staff, &customers), TD_OK);
    db_close(empty);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_and_integrity),
        cmocka_unit_test(schema_as_migrated),
        cmocka_unit_test(same_seed_same_data),
        cmocka_unit_test(output_is_pinned),
        cmocka_unit_test(terms_as_customer_create),
        cmocka_unit_test(search_finds_demo_customers),
        cmocka_unit_test(logins_and_refusal),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
