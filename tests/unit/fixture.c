/* fixture.c — the migrated temporary database and clock of the unit tests
 * (fixture.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include "core/token.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/import.h"
#include "domain/policy.h"
#include "domain/staff.h"
#include "domain/store.h"
#include "core/buf.h"
#include "sim/demo.h"
#include "fixture.h"

static int psql(const char *base, const char *sql)
{
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "psql -q '%spostgres' -c '%s' >/dev/null 2>&1", base, sql);
    return system(cmd) == 0 ? 0 : -1;
}

int fixture_open(struct fixture *f, const char *name, int pg_ok, int migrate)
{
    static int seq;
    memset(f, 0, sizeof *f);
    if (token_init() != TD_OK) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/td-%s-XXXXXX", name);
    if (!mkdtemp(f->dir)) return -1;
    const char *pg = getenv("TRUSTDESK_TEST_PG");
    if (pg_ok && pg && *pg) {
        char db[64], sql[160];
        snprintf(db, sizeof db, "tdu_%s_%d_%d", name, (int)getpid(), seq++);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", db);
        if (psql(pg, sql) != 0) return -1;
        snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
        if (psql(pg, sql) != 0) return -1;
        snprintf(f->url, sizeof f->url, "%s%s", pg, db);
        f->pg = 1;
    } else {
        snprintf(f->url, sizeof f->url, "sqlite:%s/t.db", f->dir);
    }
    if (db_open(f->url, &f->db) != TD_OK) return -1;
    if (migrate && db_migrate(f->db) != TD_OK) return -1;
    f->c.db = f->db;
    f->c.addr = "test";
    fixture_at(f, FIXTURE_NOW);
    return 0;
}

int fixture_close(struct fixture *f)
{
    int rc = 0;
    db_close(f->db);
    f->db = NULL;
    if (f->pg) {
        const char *slash = strrchr(f->url, '/');
        char base[512], sql[160];
        snprintf(base, sizeof base, "%.*s", (int)(slash - f->url + 1), f->url);
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s", slash + 1);
        if (psql(base, sql) != 0) rc = -1;
    }
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) rc = -1;
    return rc;
}

static int setup_on(void **state, int pg_ok)
{
    struct fixture *f = calloc(1, sizeof *f);
    if (!f || fixture_open(f, "unit", pg_ok, 1) != 0) {
        free(f);
        return -1;
    }
    *state = f;
    return 0;
}

int fixture_setup(void **state) { return setup_on(state, 0); }
int fixture_setup_pg(void **state) { return setup_on(state, 1); }

int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    int rc = fixture_close(f);
    free(f);
    return rc;
}

void fixture_at(struct fixture *f, int64_t us)
{
    f->clock.fixed_us = us;
    f->c.now_us = clock_now_us(&f->clock);
}

int fixture_tx(struct fixture *f, int (*fn)(struct dctx *c, void *arg), void *arg)
{
    int rc = db_begin(f->db, 1);
    if (rc != TD_OK) return rc;
    rc = fn(&f->c, arg);
    if (rc == TD_OK) return db_commit(f->db);
    db_rollback(f->db);
    return rc;
}

int fixture_stores(struct fixture *f, ...)
{
    struct errors err;
    errors_init(&err);
    int rc = db_begin(f->db, 1);
    if (rc != TD_OK) return rc;
    va_list ap;
    va_start(ap, f);
    for (const char *code; (code = va_arg(ap, const char *)) != NULL;) {
        struct store s = {0};
        int64_t id;
        snprintf(s.code, sizeof s.code, "%s", code);
        snprintf(s.name, sizeof s.name, "Store %s", code);
        snprintf(s.city, sizeof s.city, "City");
        if ((rc = store_create(&f->c, &s, &err, &id)) != TD_OK) break;
    }
    va_end(ap);
    if (rc == TD_OK) return db_commit(f->db);
    db_rollback(f->db);
    return rc;
}

int64_t fixture_store_id(struct fixture *f, const char *code)
{
    struct store s;
    assert_int_equal(store_get_by_code(&f->c, code, &s), TD_OK);
    return s.id;
}

int64_t fixture_int(struct fixture *f, const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare_dynamic(f->db, text, &st), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    int64_t v = db_col_int64(st, 0);
    db_done(st);
    return v;
}

struct policy fixture_default_policy(void)
{
    struct policy p;
    struct errors err;
    errors_init(&err);
    const char *doc = policy_default_json();
    assert_int_equal(policy_parse(doc, strlen(doc), &err, &p), TD_OK);
    return p;
}

void fixture_forms(const char *name, int (*fn)(const char *in, char *out), size_t out_size,
                   const struct form_case *rows, size_t n)
{
    char out[512];
    assert_true(out_size <= sizeof out);
    for (size_t i = 0; i < n; i++) {
        memset(out, 0, sizeof out);
        int rc = fn(rows[i].in, out);
        if (!rows[i].want) {
            if (rc != TD_E_INVALID) fail_msg("row %zu: %s(\"%s\") accepted: %s", i, name, rows[i].in, out);
            continue;
        }
        if (rc != TD_OK || strcmp(out, rows[i].want) != 0)
            fail_msg("row %zu: %s(\"%s\") = %d \"%s\", want \"%s\"", i, name, rows[i].in, rc, out, rows[i].want);
    }
}

void fixture_parses(const char *name, int (*fn)(const char *in, int64_t *out), const struct parse_case *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        const int64_t untouched = -4242424242LL;
        int64_t v = untouched;
        int rc = fn(rows[i].in, &v);
        if (rc != rows[i].rc) fail_msg("row %zu: %s(\"%s\") = %d, want %d", i, name, rows[i].in, rc, rows[i].rc);
        if (rc == TD_OK && v != rows[i].want)
            fail_msg("row %zu: %s(\"%s\") gave %lld, want %lld", i, name, rows[i].in, (long long)v,
                     (long long)rows[i].want);
        if (rc != TD_OK && v != untouched) fail_msg("row %zu: %s(\"%s\") wrote its output on failure", i, name, rows[i].in);
    }
}

void fixture_valid(const char *name, int (*fn)(const char *in), const struct valid_case *rows, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (fn(rows[i].in) != rows[i].ok) fail_msg("row %zu: %s(\"%s\") != %d", i, name, rows[i].in, rows[i].ok);
}

int fixture_has_field(const struct errors *err, const char *field)
{
    for (size_t i = 0; i < err->n; i++)
        if (strcmp(err->item[i].field, field) == 0) return 1;
    return 0;
}

int64_t fixture_customer(struct fixture *f, const char *name, const char *loyalty)
{
    struct errors err;
    errors_init(&err);
    struct customer_input in = {0};
    in.name = name;
    in.loyalty_number = loyalty;
    in.set = CF_NAME | CF_LOYALTY;
    int64_t id = 0;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(customer_create(&f->c, &in, &err, &id), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    return id;
}

static int import_both(struct dctx *c, void *arg)
{
    const char *const *csv = arg;
    struct import_report rep;
    int rc = TD_OK;
    for (int i = 0; i < 2 && rc == TD_OK; i++) {
        if (!csv[i]) continue;
        import_report_init(&rep);
        rc = i == 0 ? import_customers(c, csv[0], strlen(csv[0]), &rep) : import_purchases(c, csv[1], strlen(csv[1]), &rep);
        import_report_free(&rep);
    }
    return rc;
}

int fixture_import(struct fixture *f, const char *customers_csv, const char *purchases_csv)
{
    const char *csv[2] = {customers_csv, purchases_csv};
    return fixture_tx(f, import_both, csv);
}

struct actor fixture_staff(struct fixture *f, const char *login, const char *role, const char *store_code)
{
    char password[LOGIN_SZ + 16];
    snprintf(password, sizeof password, "%s-password", login);
    struct staff_input in = {.login = login, .name = login, .role = role, .store_code = store_code,
                             .password = password, .lang = "nl", .active = 1};
    struct errors err;
    errors_init(&err);
    int64_t id = 0;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(staff_create(&f->c, &in, &err, &id), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    struct actor a = {.staff_id = id, .role = staff_role_parse(role)};
    if (store_code && *store_code) a.store_id = fixture_store_id(f, store_code);
    return a;
}

int fixture_demo_open(struct fixture_demo *d, const char *prefix, uint64_t seed, int customers, int64_t end_us,
                      struct demo_summary *sum)
{
    char hash[128], url[128];
    d->db = NULL;
    snprintf(d->dir, sizeof d->dir, "/tmp/%s-XXXXXX", prefix);
    if (!mkdtemp(d->dir) || token_init() != TD_OK || token_password_hash(DEMO_PASSWORD, hash) != TD_OK) return -1;
    snprintf(url, sizeof url, "sqlite:%s/demo.db", d->dir);
    if (db_open(url, &d->db) != TD_OK || db_migrate(d->db) != TD_OK) return -1;
    struct demo_config cfg = {.seed = seed, .customers = customers, .end_us = end_us, .password_hash = hash};
    if (db_bulk_mode(d->db, 1) != TD_OK || demo_generate(d->db, &cfg, sum) != TD_OK || db_bulk_mode(d->db, 0) != TD_OK)
        return -1;
    return 0;
}

int fixture_demo_close(struct fixture_demo *d)
{
    db_close(d->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d->dir);
    return system(cmd) == 0 ? 0 : -1;
}

int64_t fixture_count(struct db *db, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(db, sql, &n), TD_OK);
    return n;
}

void fixture_dump(struct db *db, const char *sql, struct buf *out)
{
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, sql, &st), TD_OK);
    int rc;
    while ((rc = db_step(st)) == TD_ROW) {
        const char *v = db_col_text(st, 0);
        assert_int_equal(buf_printf(out, "%s\n", v ? v : "NULL"), TD_OK);
    }
    assert_int_equal(rc, TD_DONE);
    db_done(st);
}

static void *erase_apart(void *arg)
{
    struct fixture_eraser *e = arg;
    struct db *db = NULL;
    e->rc = db_open(e->url, &db);
    if (e->rc == TD_OK && db_backend(db) == DB_POSTGRES) e->rc = db_get_int64(db, "SELECT pg_backend_pid()", &e->pid, "");
    atomic_store(&e->started, 1);
    e->c.db = db;
    if (e->rc == TD_OK) e->rc = db_begin(db, 1);
    if (e->rc == TD_OK) e->rc = customer_erase(&e->c, e->customer);
    if (e->rc == TD_OK) e->rc = db_commit(db);
    else if (db) db_rollback(db);
    db_close(db);
    atomic_store(&e->done, 1);
    return NULL;
}

void fixture_erase_apart(struct fixture *f, struct actor by, int64_t customer, struct fixture_eraser *e)
{
    *e = (struct fixture_eraser){.url = f->url, .c = f->c, .customer = customer};
    e->c.actor = by;
    assert_int_equal(pthread_create(&e->thread, NULL, erase_apart, e), 0);
    struct db *watch = NULL;   /* outside any transaction */
    assert_int_equal(db_open(f->url, &watch), TD_OK);
    for (int i = 0; i < 600000 && !atomic_load(&e->done); i++) {
        int64_t blocked = 0;
        if (atomic_load(&e->started) && !e->pid) break;
        if (atomic_load(&e->started) && e->pid &&
            db_get_int64(watch, "SELECT cardinality(pg_blocking_pids(?))", &blocked, "i", e->pid) == TD_OK && blocked > 0)
            break;
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    }
    db_close(watch);
}

int fixture_erase_join(struct fixture_eraser *e)
{
    assert_int_equal(pthread_join(e->thread, NULL), 0);
    return e->rc;
}
