/* test_faults.c — faults in numbers: for N = 1, 2, ... the N-th database
 * step or commit fails (db_fault_at), or the N-th allocation made by SQLite
 * or jansson fails, while a case is resolved with store credit, a credit
 * note is redeemed, or customers are imported. Every run must end with a
 * clean status (success, or an error the caller can report), the ledger
 * must verify, and the database must hold all of the operation or none of
 * it. The loop ends at the first N that the operation no longer reaches:
 * it then ran whole, with nothing failing.
 *
 * Not covered: the project's own malloc() calls (buffers, arenas), which no
 * hook reaches without replacing malloc itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/import.h"
#include "domain/ledger.h"
#include "domain/store.h"
#include "fixture.h"

#define NOW (1795000000000000LL)          /* 2026-11-18 */
#define MAX_N 200000

/* ---- failing allocators ---------------------------------------------------- */

static long alloc_countdown;              /* 0: off; else the allocation that fails */

static int alloc_due(void)
{
    if (alloc_countdown <= 0) return 0;
    return --alloc_countdown == 0;
}

static void *j_malloc(size_t n) { return alloc_due() ? NULL : malloc(n); }
static void j_free(void *p) { free(p); }

/* SQLite wants to know an allocation's size: it is kept in front of it (16
 * bytes, so that the alignment stays what malloc gives). */
static void *s_malloc(int n)
{
    if (alloc_due()) return NULL;
    size_t *p = malloc(16 + (size_t)n);
    if (!p) return NULL;
    p[0] = (size_t)n;
    return (char *)p + 16;
}
static void s_free(void *p) { if (p) free((char *)p - 16); }
static void *s_realloc(void *p, int n)
{
    if (!p) return s_malloc(n);
    if (alloc_due()) return NULL;
    size_t *q = realloc((char *)p - 16, 16 + (size_t)n);
    if (!q) return NULL;
    q[0] = (size_t)n;
    return (char *)q + 16;
}
static int s_size(void *p) { return p ? (int)*(size_t *)((char *)p - 16) : 0; }
static int s_roundup(int n) { return (n + 7) & ~7; }
static int s_init(void *arg) { (void)arg; return SQLITE_OK; }
static void s_shutdown(void *arg) { (void)arg; }

/* ---- the fixture ------------------------------------------------------------- */

struct fx {
    struct fixture base;       /* first: fixture_teardown closes and frees it */
    struct ledger_config lc;
    int64_t store_id, customer_id;
    char note_code[CODE_TEXT_SZ];
    int64_t note_balance;
    int imports, members;
};

static int setup_data(struct fx *f)
{
    struct errors err;
    errors_init(&err);
    struct store s = {0};
    snprintf(s.code, sizeof s.code, "UTR01");
    snprintf(s.name, sizeof s.name, "Utrecht");
    snprintf(s.city, sizeof s.city, "Utrecht");
    int rc = store_create(&f->base.c, &s, &err, &f->store_id);
    if (rc != TD_OK) return rc;
    struct customer_input in = {0};
    in.name = "Fien Fout";
    in.loyalty_number = "L-0001";
    in.set = CF_NAME | CF_LOYALTY;                 /* a member: bronze, goodwill up to EUR 50 */
    if ((rc = customer_create(&f->base.c, &in, &err, &f->customer_id)) != TD_OK) return rc;
    struct ledger_issue li = {.amount_cents = 1000000, .reason = "start", .funding = "goodwill",
                              .store_id = f->store_id};
    struct credit_note n;
    if ((rc = ledger_issue(&f->base.c, &f->lc, &li, &err, f->note_code, &n)) != TD_OK) return rc;
    f->note_balance = n.balance_cents;
    return TD_OK;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || fixture_open(&f->base, "faults", 0, 1) != 0) return -1;
    fixture_at(&f->base, NOW);
    f->base.c.actor.role = ROLE_ADMIN;
    f->lc.validity_us = 730LL * 86400 * 1000000;
    f->lc.associate_limit_cents = 50000;
    if (db_begin(f->base.db, 1) != TD_OK || setup_data(f) != TD_OK || db_commit(f->base.db) != TD_OK) return -1;
    f->base.c.actor.store_id = f->store_id;
    *state = f;
    return 0;
}


static void ledger_holds(struct fx *f)
{
    int64_t problems = -1;
    assert_int_equal(db_begin(f->base.db, 0), TD_OK);
    assert_int_equal(ledger_verify(f->base.db, NULL, NULL, &problems), TD_OK);
    db_rollback(f->base.db);
    assert_int_equal(problems, 0);
}

/* ---- the operations ---------------------------------------------------------- */

struct op {
    const char *name;
    int (*prepare)(struct fx *f, int64_t *arg);        /* unfaulted set-up of one attempt */
    int (*run)(struct fx *f, int64_t arg);               /* inside the faulted transaction */
    void (*check)(struct fx *f, int64_t arg, int committed);
};

/* A new member for every attempt: the guard counts a customer's returns,
 * and a third one would go to a manager. */
static int open_case(struct fx *f, int64_t *id)
{
    char loyalty[32];
    snprintf(loyalty, sizeof loyalty, "L-%06d", ++f->members);
    struct customer_input ci = {0};
    ci.set = CF_NAME | CF_LOYALTY;
    ci.name = "Fien Fout";
    ci.loyalty_number = loyalty;
    int64_t customer = 0;
    struct errors err;
    errors_init(&err);
    if (db_begin(f->base.db, 1) != TD_OK) return TD_E_DB;
    int rc = customer_create(&f->base.c, &ci, &err, &customer);
    if (rc == TD_OK) rc = db_commit(f->base.db);
    else db_rollback(f->base.db);
    if (rc != TD_OK) return rc;
    struct desk_case_in in = {0};
    in.kind = POLICY_KIND_RETURN;
    in.customer_id = customer;
    in.store_code = "UTR01";
    in.n_items = 1;
    in.items[0] = (struct desk_item_in){.sold_here = false, .brand = "Mango", .description = "Jurk",
                                        .stated_price_cents = 2000, .condition = POLICY_COND_NEW};
    if (db_begin(f->base.db, 1) != TD_OK) return TD_E_DB;
    rc = desk_case_create(&f->base.c, &in, &err, id);
    if (rc == TD_OK) rc = db_commit(f->base.db);
    else db_rollback(f->base.db);
    return rc;
}

static int resolve_case(struct fx *f, int64_t id)
{
    struct desk_resolve_in in = {0};
    in.accept = true;                             /* store credit for the stated EUR 20 */
    struct errors err;
    errors_init(&err);
    struct desk_outcome out;
    return desk_resolve(&f->base.c, &f->lc, id, &in, &err, &out);
}

static void resolved_whole_or_not_at_all(struct fx *f, int64_t id, int committed)
{
    int64_t resolved = fixture_int(&f->base, "SELECT COUNT(*) FROM cases WHERE id = %lld AND status = 'resolved'", (long long)id);
    int64_t notes = fixture_int(&f->base, "SELECT COUNT(*) FROM credit_notes WHERE case_id = %lld OR id = (SELECT credit_note_id FROM"
                         " cases WHERE id = %lld)", (long long)id, (long long)id);
    int64_t open = fixture_int(&f->base, "SELECT COUNT(*) FROM cases WHERE id = %lld AND status = 'open'", (long long)id);
    if (committed) {
        if (resolved != 1) {
            struct db_stmt *st = NULL;
            assert_int_equal(db_prepare(f->base.db, "SELECT status FROM cases WHERE id = ?", &st), TD_OK);
            assert_int_equal(db_bindf(st, "i", id), TD_OK);
            assert_int_equal(db_step(st), TD_ROW);
            fail_msg("case %lld committed as %s", (long long)id, db_col_text(st, 0));
        }
        if (notes != 1) fail_msg("case %lld resolved with %lld notes, as %lld", (long long)id, (long long)notes,
                                 (long long)fixture_int(&f->base, "SELECT COUNT(*) FROM cases WHERE id = %lld AND resolution = 'store_credit'", (long long)id));
        assert_int_equal(fixture_int(&f->base, "SELECT amount_cents FROM credit_notes WHERE id = (SELECT credit_note_id FROM cases"
                              " WHERE id = %lld)", (long long)id), 2000);
    } else {
        assert_int_equal(open, 1);
        assert_int_equal(notes, 0);
    }
}

static int no_prepare(struct fx *f, int64_t *arg) { (void)f; *arg = 0; return TD_OK; }

static int redeem(struct fx *f, int64_t arg)
{
    (void)arg;
    struct errors err;
    errors_init(&err);
    struct credit_note n;
    return ledger_redeem(&f->base.c, f->note_code, 100, f->store_id, "till 3", &err, &n);
}

static void redeemed_once_or_not_at_all(struct fx *f, int64_t arg, int committed)
{
    (void)arg;
    if (committed) f->note_balance -= 100;
    assert_int_equal(fixture_int(&f->base, "SELECT balance_cents FROM credit_notes WHERE id = 1"), f->note_balance);
}

static int count_import(struct fx *f, int64_t *arg)
{
    *arg = ++f->imports;
    return TD_OK;
}

static int import(struct fx *f, int64_t n)
{
    char csv[512];
    snprintf(csv, sizeof csv, "loyalty_number,name,email\nF-%lld-1,Eén %lld,een%lld@example.nl\n"
             "F-%lld-2,Twee,\nF-%lld-3,Drie,drie%lld@example.nl\n", (long long)n, (long long)n, (long long)n,
             (long long)n, (long long)n, (long long)n);
    struct import_report rep;
    import_report_init(&rep);
    int rc = import_customers(&f->base.c, csv, strlen(csv), &rep);
    import_report_free(&rep);
    return rc;
}

static void imported_whole_or_not_at_all(struct fx *f, int64_t n, int committed)
{
    assert_int_equal(fixture_int(&f->base, "SELECT COUNT(*) FROM customers WHERE loyalty_number LIKE 'F-%lld-%%'", (long long)n),
                     committed ? 3 : 0);
    assert_int_equal(fixture_int(&f->base, "SELECT COUNT(DISTINCT customer_id) FROM customer_search s JOIN customers c ON c.id ="
                          " s.customer_id WHERE c.loyalty_number LIKE 'F-%lld-%%'", (long long)n),
                     committed ? 3 : 0);
}

static const struct op ops[] = {
    {"resolve a case with store credit", open_case, resolve_case, resolved_whole_or_not_at_all},
    {"redeem a credit note", no_prepare, redeem, redeemed_once_or_not_at_all},
    {"import customers", count_import, import, imported_whole_or_not_at_all},
};

enum fault { FAULT_IO, FAULT_ALLOC };

/* Runs op with the n-th step/commit (or allocation) failing; returns 1 when
 * the fault fired (so a larger n is worth trying). */
static int attempt(struct fx *f, const struct op *op, enum fault kind, long n, int *failed)
{
    int64_t arg = 0;
    assert_int_equal(op->prepare(f, &arg), TD_OK);
    int rc = db_begin(f->base.db, 1);
    assert_int_equal(rc, TD_OK);
    if (kind == FAULT_IO) db_fault_at(f->base.db, n);
    else alloc_countdown = n;
    rc = op->run(f, arg);
    if (rc == TD_OK) rc = db_commit(f->base.db);
    int fired = kind == FAULT_IO ? !db_fault_armed(f->base.db) : alloc_countdown == 0;
    db_fault_at(f->base.db, 0);
    alloc_countdown = 0;
    if (rc != TD_OK) {
        db_rollback(f->base.db);
        /* A clean error: a status the API can answer, never "ok" half done. */
        assert_true(rc < 0);
        assert_non_null(td_status_code(rc));
        (*failed)++;
    }
    op->check(f, arg, rc == TD_OK);
    ledger_holds(f);
    return fired;
}

static void faults(void **state, enum fault kind)
{
    struct fx *f = *state;
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        long n = 1;
        int failed = 0;
        while (n < MAX_N && attempt(f, &ops[i], kind, n, &failed)) n++;
        if (n >= MAX_N) fail_msg("%s: still failing at N = %ld", ops[i].name, n);
        /* Every fault that fired made the operation fail as a whole. */
        print_message("%s, %s: %ld runs, %d ended in a clean error, the last ran whole\n", ops[i].name,
                      kind == FAULT_IO ? "N-th database step or commit fails" : "N-th allocation fails", n, failed);
        assert_true(n > 1);
    }
}

static void io_faults(void **state) { faults(state, FAULT_IO); }
static void allocation_faults(void **state) { faults(state, FAULT_ALLOC); }

int main(void)
{
    static const struct sqlite3_mem_methods mem = {s_malloc, s_free, s_realloc, s_size, s_roundup, s_init,
                                                   s_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) return 1;
    json_set_alloc_funcs(j_malloc, j_free);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(io_faults, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(allocation_faults, setup, fixture_teardown),
    };
    return cmocka_run_group_tests_name("unit_faults", tests, NULL, NULL);
}
