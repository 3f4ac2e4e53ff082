/* test_jobs.c — the scheduler's table (api/jobs.def): every row runs on a
 * migrated database and does its module's housekeeping; a row that fails is
 * reported and the rows after it still run; a daily row runs once in its
 * slot, waits for the next slot at start, and runs again after a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/jobs.h"
#include "db/db.h"
#include "domain/clienteling_catalog.h"
#include "domain/clienteling_outreach.h"
#include "domain/facts.h"
#include "domain/idempotency.h"
#include "domain/staff.h"
#include "fixture.h"
#include "cmocka_main.h"

#define NOW (1795000000000000LL)          /* 2026-11-18 */
#define DAY (86400LL * 1000000)

struct fx {
    char dir[64];
    struct db *db;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f) return -1;
    snprintf(f->dir, sizeof f->dir, "/tmp/td-jobs-XXXXXX");
    if (!mkdtemp(f->dir)) return -1;
    char url[128];
    snprintf(url, sizeof url, "sqlite:%s/t.db", f->dir);
    if (db_open(url, &f->db) != TD_OK || db_migrate(f->db) != TD_OK) return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    db_close(f->db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    if (system(cmd) != 0) return -1;
    free(f);
    return 0;
}

static int64_t count(struct fx *f, const char *sql)
{
    int64_t n = -1;
    assert_int_equal(db_query_int64(f->db, sql, &n), TD_OK);
    return n;
}

static void sql(struct fx *f, const char *fmt, long long a)
{
    char text[512];
    snprintf(text, sizeof text, fmt, a);
    assert_int_equal(db_exec(f->db, text), TD_OK);
}

/* Every row of the table, the daily one included, runs without an error and
 * deletes the old rows of its module, and only those. */
static void every_row_does_its_housekeeping(void **state)
{
    struct fx *f = *state;
    sql(f, "INSERT INTO staff (id, login, name, role, password_hash, created_at, updated_at)"
           " VALUES (1, 'a', 'A', 'admin', 'x', %lld, 0)", NOW);
    sql(f, "INSERT INTO sessions VALUES ('old', 1, 'c', 0, %lld)", NOW - SESSION_IDLE_US - 1);
    sql(f, "INSERT INTO sessions VALUES ('new', 1, 'c', 0, %lld)", NOW - 1);
    sql(f, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response, created_at)"
           " VALUES ('s', 'old', 'h', 200, '{}', %lld)", NOW - IDEM_KEEP_US - 1);
    sql(f, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response, created_at)"
           " VALUES ('s', 'new', 'h', 200, '{}', %lld)", NOW - 1);
    sql(f, "INSERT INTO login_failures VALUES ('old', 3, %lld)", NOW - DAY - 1);
    sql(f, "INSERT INTO login_failures VALUES ('new', 3, %lld)", NOW - 1);
    sql(f, "INSERT INTO walk_in_days (key, day) VALUES ('old', %lld)", NOW / DAY - 100);
    sql(f, "INSERT INTO walk_in_days (key, day) VALUES ('new', %lld)", NOW / DAY);
    sql(f, "INSERT INTO customer_days (customer_id, day) VALUES (1, %lld)", NOW / DAY - FACTS_KEEP_DAYS - 1);
    sql(f, "INSERT INTO customer_days (customer_id, day) VALUES (1, %lld)", NOW / DAY);

    int64_t slot[JOBS_N], counts[JOBS_N];
    for (size_t i = 0; i < JOBS_N; i++) slot[i] = -1;   /* every slot new: the daily row runs too */
    assert_int_equal(jobs_run(f->db, NOW, jobs_table, JOBS_N, slot, counts), TD_OK);
    for (size_t i = 0; i < JOBS_N; i++) {
        assert_non_null(jobs_table[i].name);
        assert_non_null(jobs_table[i].fn);
        if (jobs_table[i].period_s > 0) assert_int_equal(slot[i], NOW / ((int64_t)jobs_table[i].period_s * 1000000));
    }
    assert_int_equal(counts[JOB_sessions_purge], 1);
    assert_int_equal(counts[JOB_idempotency_purge], 1);
    assert_int_equal(counts[JOB_throttle_purge], 1);
    assert_int_equal(counts[JOB_walk_ins_purge], 1);
    assert_int_equal(counts[JOB_facts_purge], 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions WHERE token_hash = 'new'"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM sessions"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM idempotency_keys"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM login_failures"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM walk_in_days"), 1);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customer_days"), 1);

    /* `trustdesk ledger expire`: the every-round rows, not the daily one. */
    sql(f, "INSERT INTO customer_days (customer_id, day) VALUES (2, %lld)", NOW / DAY - FACTS_KEEP_DAYS - 1);
    int expired = -1;
    assert_int_equal(jobs_run_once(f->db, NOW, &expired), TD_OK);
    assert_int_equal(expired, 0);
    assert_int_equal(count(f, "SELECT COUNT(*) FROM customer_days"), 2);
}

static int ran[4];
static int job_a(struct db *db, int64_t now_us, int64_t *n) { (void)db; (void)now_us; ran[0]++; *n = 1; return TD_OK; }
static int job_fails(struct db *db, int64_t now_us, int64_t *n) { (void)db; (void)now_us; ran[1]++; *n = 5; return TD_E_INTERNAL; }
static int job_c(struct db *db, int64_t now_us, int64_t *n) { (void)db; (void)now_us; ran[2]++; *n = 3; return TD_OK; }
static int daily_ok = 1;
static int job_daily(struct db *db, int64_t now_us, int64_t *n)
{
    (void)db; (void)now_us;
    ran[3]++;
    *n = 0;
    return daily_ok ? TD_OK : TD_E_BUSY;
}

/* A failing row costs only itself; a daily row runs once a slot, and again
 * the next round when it failed. */
static void a_failing_row_does_not_stop_the_others(void **state)
{
    struct fx *f = *state;
    const struct job rows[] = {
        {"a", 0, job_a, NULL}, {"fails", 0, job_fails, NULL}, {"c", 0, job_c, "c done"}, {"daily", 86400, job_daily, NULL},
    };
    size_t n = sizeof rows / sizeof rows[0];
    int64_t slot[4], counts[4];
    memset(ran, 0, sizeof ran);
    jobs_slots_init(rows, n, NOW, slot);
    assert_int_equal(jobs_run(f->db, NOW, rows, n, slot, counts), TD_E_INTERNAL);
    assert_int_equal(ran[0], 1);
    assert_int_equal(ran[1], 1);
    assert_int_equal(ran[2], 1);
    assert_int_equal(ran[3], 0);                  /* at start the daily row waits for the next day */
    assert_int_equal(counts[0], 1);
    assert_int_equal(counts[1], 0);               /* a failed row reports nothing */
    assert_int_equal(counts[2], 3);

    daily_ok = 0;
    assert_int_equal(jobs_run(f->db, NOW + DAY, rows, n, slot, counts), TD_E_INTERNAL);   /* the first failure */
    assert_int_equal(ran[2], 2);
    assert_int_equal(ran[3], 1);
    daily_ok = 1;
    assert_int_equal(jobs_run(f->db, NOW + DAY + 60000000, rows, n, slot, counts), TD_E_INTERNAL);
    assert_int_equal(ran[3], 2);                  /* failed last round: again */
    assert_int_equal(jobs_run(f->db, NOW + DAY + 120000000, rows, n, slot, counts), TD_E_INTERNAL);
    assert_int_equal(ran[3], 2);                  /* done for the day */
    assert_int_equal(ran[0], 4);
}

/* The clienteling rows: a collection whose date has come arrives (once: the
 * next round finds nothing due), an expired hold gives its unit back, and
 * when the first choice ends the open tasks lapse. */
static void clienteling_rows_do_what_they_say(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(fixture_stores(f, "UTR01", NULL), TD_OK);
    int64_t utr = fixture_store_id(f, "UTR01");
    struct errors err;
    errors_init(&err);
    const struct cl_variant_in v[] = {{"KT-M", "M"}, {"KT-L", "L"}};
    struct cl_style_in in = {.code = "KT-26", .name = "Kabeltrui", .brand = "Noordzee", .category = "Truien",
                             .price_cents = 8995, .n_variants = 2, .variants = v};
    int64_t style = 0, coll = 0, hold = 0;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(cl_style_put(&f->c, &in, &err, &style), TD_OK);
    assert_int_equal(cl_stock_set(&f->c, utr, "KT-M", 20, &err), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    char cust[2048], buys[2048];
    size_t a = (size_t)snprintf(cust, sizeof cust, "loyalty_number,name,email,home_store_code,"
                                                   "email_marketing_consent,phone_marketing_consent\n");
    size_t b = (size_t)snprintf(buys, sizeof buys, "receipt_id,purchased_at,store_code,customer_ref,sku,"
                                                   "product_name,brand,category,unit_price,quantity\n");
    for (int i = 1; i <= 12; i++) {
        a += (size_t)snprintf(cust + a, sizeof cust - a, "NL-%d,Klant %d,k%d@example.nl,UTR01,ja,nee\n", i, i, i);
        b += (size_t)snprintf(buys + b, sizeof buys - b, "R-%d,2026-10-01 10:00,UTR01,NL-%d,KT-M,Kabeltrui,Noordzee,"
                                                         "Truien,89.95,1\n", i, i);
    }
    assert_int_equal(fixture_import(f, cust, buys), TD_OK);
    const char *styles[] = {"KT-26"};
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(cl_collection_put(&f->c, "KNIT", "Knit", styles, 1, &err, &coll), TD_OK);
    assert_int_equal(cl_collection_plan(&f->c, coll, utr, FIXTURE_NOW + FIXTURE_DAY, 0, &err), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(err.n, 0);

    int64_t slot[JOBS_N], counts[JOBS_N];
    jobs_slots_init(jobs_table, JOBS_N, FIXTURE_NOW, slot);
    assert_int_equal(jobs_run(f->db, FIXTURE_NOW, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_arrivals], 0);           /* not yet */
    int64_t at = FIXTURE_NOW + FIXTURE_DAY;
    assert_int_equal(jobs_run(f->db, at, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_arrivals], 1);
    assert_int_equal(fixture_int(f, "SELECT arrived_at FROM collection_stores WHERE collection_id = %lld", (long long)coll),
                     at);
    int64_t open = fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE status = 'open'");
    assert_true(open > 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE status IN ('open', 'holdout')"), 12);
    assert_int_equal(jobs_run(f->db, at + 60000000, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_arrivals], 0);            /* matched once */
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks"), 12);

    /* A one-hour hold, two hours later: released, the unit back. */
    int64_t who = fixture_int(f, "SELECT customer_id FROM outreach_tasks WHERE status = 'open' ORDER BY id LIMIT 1");
    fixture_at(f, at);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(cl_hold_create(&f->c, utr, "KT-M", who, 0, 1, &err, &hold), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(fixture_int(f, "SELECT held FROM stock WHERE store_id = %lld", (long long)utr), 1);
    assert_int_equal(jobs_run(f->db, at + 2 * 3600000000LL, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_holds_expire], 1);
    assert_int_equal(counts[JOB_cl_tasks_lapse], 0);
    assert_int_equal(fixture_int(f, "SELECT status = 'released' FROM holds WHERE id = %lld", (long long)hold), 1);
    assert_int_equal(fixture_int(f, "SELECT held FROM stock WHERE store_id = %lld", (long long)utr), 0);

    /* The first choice (48 hours) ends: every open task lapses, once. */
    assert_int_equal(jobs_run(f->db, at + 49 * 3600000000LL, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_tasks_lapse], open);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE status = 'lapsed'"), open);
    assert_int_equal(jobs_run(f->db, at + 50 * 3600000000LL, jobs_table, JOBS_N, slot, counts), TD_OK);
    assert_int_equal(counts[JOB_cl_tasks_lapse], 0);
    assert_int_equal(counts[JOB_cl_holds_expire], 0);
}

TD_TEST_MAIN("unit_jobs", NULL, NULL,
             cmocka_unit_test_setup_teardown(every_row_does_its_housekeeping, setup, teardown),
             cmocka_unit_test_setup_teardown(a_failing_row_does_not_stop_the_others, setup, teardown),
             cmocka_unit_test_setup_teardown(clienteling_rows_do_what_they_say, fixture_setup_pg, fixture_teardown))
