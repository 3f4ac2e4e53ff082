/* fixture.h — what the unit tests of the domain stand on: a migrated
 * temporary database and a dctx whose clock the test sets.
 *
 * fixture_open() makes a fresh database: in a temporary folder on SQLite, or,
 * when the test allows it (pg_ok) and TRUSTDESK_TEST_PG holds a cluster's base
 * URL ("postgres://user@host:port/"), a fresh database in that cluster. The
 * dctx acts as the system (no staff member) at f->clock's time, from the
 * address "test"; fixture_at() moves the clock. fixture_close() closes the
 * database and removes the folder (or drops the PostgreSQL database).
 */
#ifndef TD_FIXTURE_H
#define TD_FIXTURE_H
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "core/clock.h"
#include "domain/domain.h"

#define FIXTURE_NOW 1795000000000000LL          /* 2026-11-18, the tests' "now" */
#define FIXTURE_DAY (86400LL * 1000000)

struct fixture {
    char dir[64];
    char url[512];
    struct db *db;
    struct clock clock;        /* fixed at FIXTURE_NOW until fixture_at() */
    struct dctx c;
    int pg;                    /* 1 on PostgreSQL */
};

/* A migrated database (migrate 0: empty, for a test that migrates itself);
 * name goes into the folder's or database's name. 0 on success. */
int fixture_open(struct fixture *f, const char *name, int pg_ok, int migrate);
int fixture_close(struct fixture *f);
/* The fixture as cmocka state: a migrated SQLite database, or PostgreSQL
 * when TRUSTDESK_TEST_PG is set (fixture_setup_pg). */
int fixture_setup(void **state);
int fixture_setup_pg(void **state);
/* Closes and frees the fixture of a cmocka state made by fixture_setup, or
 * a file's own calloc'ed struct whose first member is its fixture. */
int fixture_teardown(void **state);
/* A row of a cmocka table: fn on a fresh fixture made by setup
 * (fixture_setup, fixture_setup_pg or the file's own), closed again by
 * fixture_teardown. */
#define FIXTURE_TEST(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, fixture_teardown)
/* Sets the clock (and f->c.now_us) to us. */
void fixture_at(struct fixture *f, int64_t us);
/* Runs fn in a write transaction: commits when it returns TD_OK, else
 * rolls back; returns fn's status (or the commit's). */
int fixture_tx(struct fixture *f, int (*fn)(struct dctx *c, void *arg), void *arg);
/* Creates stores with these codes (NULL-ended), named "Store CODE" in
 * "City", in one transaction. */
int fixture_stores(struct fixture *f, ...) __attribute__((sentinel));
/* The id of a store by code; fails the test when there is none. */
int64_t fixture_store_id(struct fixture *f, const char *code);
/* The first column of the first row of a query built with printf's format;
 * fails the test when the query does not run or has no row. */
int64_t fixture_int(struct fixture *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The erasure of a customer as a second request runs it: on a connection of
 * its own, in a thread, in its own transaction. fixture_erase_apart() starts
 * it and returns once it waits on a lock (PostgreSQL: pg_blocking_pids of
 * its backend) or has ended; on SQLite, once it has started (one writer at
 * a time in any case). fixture_erase_join() waits for its end: its status. */
struct fixture_eraser {
    const char *url;
    struct dctx c;
    int64_t customer;
    int64_t pid;              /* its PostgreSQL backend, 0 on SQLite */
    _Atomic int started, done;
    int rc;
    pthread_t thread;
};
void fixture_erase_apart(struct fixture *f, struct actor by, int64_t customer, struct fixture_eraser *e);
int fixture_erase_join(struct fixture_eraser *e);

/* Creates a loyalty member (bronze) in a transaction of its own; its id. */
int64_t fixture_customer(struct fixture *f, const char *name, const char *loyalty);
/* Imports customers, then purchases (CSV text as the POS sends it; either
 * may be NULL) in one transaction, as the CLI does. */
int fixture_import(struct fixture *f, const char *customers_csv, const char *purchases_csv);
/* Creates a staff member (password LOGIN-password) in a transaction of its
 * own and returns it as an actor, to put in f->c.actor. */
struct actor fixture_staff(struct fixture *f, const char *login, const char *role, const char *store_code);
/* The default policy, parsed (asserts it parses). */
struct policy;
struct policy fixture_default_policy(void);
/* A row of a table for a function that writes the normal form of in into
 * out, or refuses it (want NULL: the function answers TD_E_INVALID). */
struct form_case {
    const char *in, *want;
};
/* Runs fn (named name, out of out_size bytes, at most 512) on every row;
 * a failure names the row. */
void fixture_forms(const char *name, int (*fn)(const char *in, char *out), size_t out_size,
                   const struct form_case *rows, size_t n);
#define FIXTURE_FORMS(fn, out_size, rows) fixture_forms(#fn, (fn), (out_size), (rows), sizeof(rows) / sizeof(rows)[0])
/* A row of a table for a parser of numbers: its status for in and, when
 * TD_OK, the value. */
struct parse_case {
    const char *in;
    int rc;
    int64_t want;
};
/* Runs fn (named name) on every row: the status, the value, and that a
 * failure leaves the output alone; a failure names the row. */
void fixture_parses(const char *name, int (*fn)(const char *in, int64_t *out), const struct parse_case *rows, size_t n);
#define FIXTURE_PARSES(fn, rows) fixture_parses(#fn, (fn), (rows), sizeof(rows) / sizeof(rows)[0])
/* A row of a table for a check that answers 1 (ok) or 0. */
struct valid_case {
    const char *in;
    int ok;
};
void fixture_valid(const char *name, int (*fn)(const char *in), const struct valid_case *rows, size_t n);
#define FIXTURE_VALID(fn, rows) fixture_valid(#fn, (fn), (rows), sizeof(rows) / sizeof(rows)[0])
/* 1 when some problem in err names field. */
int fixture_has_field(const struct errors *err, const char *field);

/* A demo chain (sim/demo.h) generated into a fresh SQLite database in a
 * temporary folder named after prefix, for the tests that read what the
 * demo writes. */
struct demo_summary;
struct buf;
struct db;
struct fixture_demo {
    char dir[64];
    struct db *db;
};
int fixture_demo_open(struct fixture_demo *d, const char *prefix, uint64_t seed, int customers, int64_t end_us,
                      struct demo_summary *sum /* OUT */);
int fixture_demo_close(struct fixture_demo *d);
/* A test file's demo: the statics demo, db and sum, and the group's setup
 * and teardown that make and remove it. */
#define FIXTURE_DEMO_GROUP(prefix, seed, customers, end_us)                                       \
    static struct fixture_demo demo;                                                            \
    static struct db *db;                                                                       \
    static struct demo_summary sum;                                                             \
    static int setup(void **state)                                                              \
    {                                                                                           \
        (void)state;                                                                            \
        int rc = fixture_demo_open(&demo, (prefix), (seed), (customers), (end_us), &sum);       \
        db = demo.db;                                                                           \
        return rc;                                                                              \
    }                                                                                           \
    static int teardown(void **state)                                                           \
    {                                                                                           \
        (void)state;                                                                            \
        return fixture_demo_close(&demo);                                                       \
    }
/* The first column of the first row of sql as a number (asserts it runs). */
int64_t fixture_count(struct db *db, const char *sql);
/* Appends every row of a one-column text query to out, one per line ("NULL"
 * for NULL). */
void fixture_dump(struct db *db, const char *sql, struct buf *out);

#endif
