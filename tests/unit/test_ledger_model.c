/* test_ledger_model.c — the ledger against a simple in-memory model.
 *
 * 100,000 random operations (issue, redeem, void, expire by moving the
 * clock, reissue, and retries of a redemption with the same idempotency
 * key) run on a real SQLite database through the domain functions, each in
 * its own transaction as the API runs them. After every operation the
 * touched notes' balances must equal the model's and the operation's ledger
 * transaction must sum to zero; every 5,000 operations and at the end the
 * whole ledger is verified. Also: expiry to the second with an injected
 * clock, and a redemption whose Nth database step fails, for every N. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/token.h"
#include "db/db.h"
#include "domain/idempotency.h"
#include "domain/ledger.h"
#include "fixture.h"
#include "cmocka_main.h"

#define DAY_US (86400LL * 1000000)

static struct fixture fx;      /* one SQLite database for the whole file */
static struct db *db;
static struct ledger_config cfg = { .validity_us = 730 * DAY_US, .associate_limit_cents = 50000 };
static int64_t now_us = 1790000000LL * 1000000;   /* late 2026 */

static int setup(void **state)
{
    (void)state;
    if (fixture_open(&fx, "model", 0, 1) != 0) return -1;
    db = fx.db;
    if (db_bulk_mode(db, 1) != TD_OK) return -1;   /* durability is not what this test is about */
    return db_exec(db, "INSERT INTO stores (code, name, city, created_at) VALUES ('UTR01', 'Utrecht', 'Utrecht', 0);"
                       "INSERT INTO staff (login, name, role, store_id, password_hash, created_at, updated_at)"
                       " VALUES ('mark', 'Mark', 'manager', 1, 'x', 0, 0)") == TD_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    return fixture_close(&fx);
}

static struct dctx ctx(void)
{
    struct dctx c = { .db = db, .now_us = now_us, .actor = { 1, ROLE_MANAGER, 1 }, .addr = "test" };
    return c;
}

/* ---- the model ---------------------------------------------------------- */

struct mnote {
    char code[CODE_TEXT_SZ];
    int64_t id, balance, expires_at;
    int open;
};

#define MAX_NOTES 40000
static struct mnote notes[MAX_NOTES];
static int nnotes;

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint64_t next_rand(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static int64_t between(int64_t lo, int64_t hi) { return lo + (int64_t)(next_rand() % (uint64_t)(hi - lo + 1)); }

static void noop_report(void *arg, const char *problem)
{
    (void)arg;
    fprintf(stderr, "ledger problem: %s\n", problem);
}

static void check_note(const struct mnote *m)
{
    struct dctx c = ctx();
    struct credit_note n;
    assert_int_equal(ledger_get(&c, m->id, &n), TD_OK);
    if (n.balance_cents != m->balance)
        fail_msg("note %lld: database balance %lld, model %lld", (long long)m->id, (long long)n.balance_cents,
                 (long long)m->balance);
    int open = strcmp(n.status, "issued") == 0 || strcmp(n.status, "partly_used") == 0;
    assert_int_equal(open && n.balance_cents > 0, m->open && m->balance > 0);
    int64_t sum = 1;
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT COALESCE(-SUM(amount_cents), 0) FROM ledger_entries WHERE credit_note_id = %lld"
                              " AND account = 'credit_note_liability'", (long long)m->id);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare_dynamic(db, sql, &st), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    sum = db_col_int64(st, 0);
    db_done(st);
    assert_int_equal(sum, m->balance);
}

static void check_last_transaction(void)
{
    int64_t sum = 1;
    assert_int_equal(db_query_int64(db, "SELECT COALESCE(SUM(amount_cents), 0) FROM ledger_entries WHERE transaction_id ="
                                        " (SELECT MAX(id) FROM ledger_transactions)", &sum), TD_OK);
    assert_int_equal(sum, 0);
}

static void verify_all(void)
{
    int64_t problems = -1;
    assert_int_equal(ledger_verify(db, noop_report, NULL, &problems), TD_OK);
    assert_int_equal(problems, 0);
    int64_t outstanding = 0, model = 0;
    assert_int_equal(db_query_int64(db, "SELECT COALESCE(SUM(balance_cents), 0) FROM credit_notes", &outstanding), TD_OK);
    for (int i = 0; i < nnotes; i++) model += notes[i].open ? notes[i].balance : 0;
    assert_int_equal(outstanding, model);
}

/* Runs fn in a transaction the way the API does: commit on success, roll
 * back on any failure. */
static int in_tx(int (*fn)(void *), void *arg)
{
    int rc = db_begin(db, 1);
    if (rc != TD_OK) return rc;
    rc = fn(arg);
    if (rc == TD_OK) rc = db_commit(db);
    if (rc != TD_OK) db_rollback(db);
    return rc;
}

struct op { struct mnote *m; int64_t amount; char new_code[CODE_TEXT_SZ]; struct credit_note out; struct errors err; };

static int do_issue(void *arg)
{
    struct op *o = arg;
    struct dctx c = ctx();
    struct ledger_issue in = { .amount_cents = o->amount, .reason = "model", .expires_at = now_us + between(1, 400) * DAY_US,
                               .store_id = 1, .funding = (next_rand() & 1) ? "goodwill" : "refund" };
    errors_init(&o->err);
    return ledger_issue(&c, &cfg, &in, &o->err, o->new_code, &o->out);
}

static int do_redeem(void *arg)
{
    struct op *o = arg;
    struct dctx c = ctx();
    errors_init(&o->err);
    return ledger_redeem(&c, o->m->code, o->amount, 1, "till", &o->err, &o->out);
}

static int do_void(void *arg)
{
    struct op *o = arg;
    struct dctx c = ctx();
    errors_init(&o->err);
    return ledger_void(&c, o->m->code, "model void", &o->err, &o->out);
}

static int do_reissue(void *arg)
{
    struct op *o = arg;
    struct dctx c = ctx();
    errors_init(&o->err);
    return ledger_reissue(&c, o->m->code, "lost", &o->err, o->new_code, &o->out);
}

struct keyed { struct op *op; struct idem_key k; int status; struct buf body; int replayed; };

/* A redemption with an idempotency key, as the dispatcher runs it. */
static int do_keyed_redeem(void *arg)
{
    struct keyed *x = arg;
    struct dctx c = ctx();
    enum idem_found found = IDEM_NEW;
    int status = 0;
    int rc = idem_lookup(&c, &x->k, &found, &status, &x->body);
    if (rc != TD_OK) return rc;
    if (found == IDEM_ANSWER) {
        x->status = status;
        x->replayed = 1;
        return TD_OK;
    }
    rc = do_redeem(x->op);
    char body[64];
    snprintf(body, sizeof body, "{\"balance_cents\":%lld}", (long long)x->op->out.balance_cents);
    if (rc == TD_OK) {
        x->status = 201;
        buf_reset(&x->body);
        rc = buf_puts(&x->body, body);
        if (rc == TD_OK) rc = idem_store(&c, &x->k, 201, body, 0);
    }
    return rc;
}

static struct mnote *pick(void) { return nnotes ? &notes[between(0, nnotes - 1)] : NULL; }

static int redeemable(const struct mnote *m, int64_t amount)
{
    return m->open && m->balance >= amount && m->expires_at > now_us;
}

static void model_test_of_100000_operations(void **state)
{
    (void)state;
    int counts[7] = {0};
    for (int i = 0; i < 100000; i++) {
        int kind = (int)between(0, 99);
        struct op o;
        memset(&o, 0, sizeof o);
        struct mnote *m = pick();
        if (kind < 20 || !m) {                                   /* issue */
            if (nnotes >= MAX_NOTES) continue;
            o.amount = between(1, 50000);
            assert_int_equal(in_tx(do_issue, &o), TD_OK);
            struct mnote *n = &notes[nnotes++];
            snprintf(n->code, sizeof n->code, "%s", o.new_code);
            n->id = o.out.id;
            n->balance = o.amount;
            n->expires_at = o.out.expires_at;
            n->open = 1;
            check_note(n);
            counts[0]++;
        } else if (kind < 65) {                                  /* redeem, sometimes too much */
            o.m = m;
            o.amount = (next_rand() % 4 == 0) ? between(1, 60000) : between(1, m->balance > 0 ? m->balance : 1);
            int expect = redeemable(m, o.amount);
            int rc = in_tx(do_redeem, &o);
            assert_int_equal(rc, expect ? TD_OK : TD_E_CONFLICT);
            if (expect) m->balance -= o.amount;
            check_note(m);
            counts[1]++;
        } else if (kind < 75) {                                  /* keyed redemption, then its retry */
            o.m = m;
            o.amount = between(1, 3000);
            struct keyed x = { .op = &o };
            buf_init(&x.body, 4096);
            char key[32];
            snprintf(key, sizeof key, "k-%d", i);
            char body[80];
            snprintf(body, sizeof body, "%s/%lld", m->code, (long long)o.amount);
            idem_key_init(&x.k, 1, key, "POST", "/redeem", body, strlen(body));
            int expect = redeemable(m, o.amount);
            assert_int_equal(in_tx(do_keyed_redeem, &x), expect ? TD_OK : TD_E_CONFLICT);
            if (expect) {
                m->balance -= o.amount;
                char first[64];
                snprintf(first, sizeof first, "%s", x.body.data);
                x.replayed = 0;
                assert_int_equal(in_tx(do_keyed_redeem, &x), TD_OK);   /* the retry */
                assert_true(x.replayed);
                assert_string_equal(x.body.data, first);
                /* The same key for another request is refused. */
                idem_key_init(&x.k, 1, key, "POST", "/redeem", "other", 5);
                assert_int_equal(in_tx(do_keyed_redeem, &x), TD_E_INVALID);
            }
            buf_free(&x.body);
            check_note(m);
            counts[2]++;
        } else if (kind < 82) {                                  /* void */
            o.m = m;
            int expect = m->open && m->balance > 0;
            assert_int_equal(in_tx(do_void, &o), expect ? TD_OK : TD_E_CONFLICT);
            if (expect) {
                m->open = 0;
                m->balance = 0;
            }
            check_note(m);
            counts[3]++;
        } else if (kind < 90) {                                  /* reissue */
            o.m = m;
            int expect = m->open && m->balance > 0 && m->expires_at > now_us;
            if (nnotes >= MAX_NOTES) continue;
            assert_int_equal(in_tx(do_reissue, &o), expect ? TD_OK : TD_E_CONFLICT);
            if (expect) {
                struct mnote *n = &notes[nnotes++];
                snprintf(n->code, sizeof n->code, "%s", o.new_code);
                n->id = o.out.id;
                n->balance = m->balance;
                n->expires_at = m->expires_at;
                n->open = 1;
                m->open = 0;
                m->balance = 0;
                check_note(n);
            }
            check_note(m);
            counts[4]++;
        } else if (kind < 92) {                                  /* time passes; due notes expire */
            now_us += between(1, 30) * DAY_US;
            int expired = 0;
            for (;;) {
                struct dctx c = ctx();
                int n = 0;
                assert_int_equal(db_begin(db, 1), TD_OK);
                assert_int_equal(ledger_expire_due(&c, 100, &n), TD_OK);
                assert_int_equal(db_commit(db), TD_OK);
                expired += n;
                if (n < 100) break;
            }
            int model_expired = 0;
            for (int k = 0; k < nnotes; k++)
                if (notes[k].open && notes[k].balance > 0 && notes[k].expires_at <= now_us) {
                    notes[k].open = 0;
                    notes[k].balance = 0;
                    model_expired++;
                }
            assert_int_equal(expired, model_expired);
            counts[5]++;
        } else {                                                 /* a code that does not exist */
            struct dctx c = ctx();
            struct credit_note n;
            char code[CODE_TEXT_SZ];
            code_new(code);
            assert_int_equal(ledger_find(&c, code, &n), TD_E_NOT_FOUND);
            counts[6]++;
        }
        if (counts[1] || counts[0]) check_last_transaction();
        if (i % 5000 == 4999) verify_all();
    }
    verify_all();
    print_message("issued %d, redeemed %d, keyed %d, voided %d, reissued %d, clock moves %d, unknown codes %d; %d notes\n",
                  counts[0], counts[1], counts[2], counts[3], counts[4], counts[5], counts[6], nnotes);
}

/* Issues a note of amount cents (o is the operation, cleared first) and
 * adds it to the model; the model's note. */
static struct mnote *issue_one(int64_t amount, struct op *o)
{
    memset(o, 0, sizeof *o);
    o->amount = amount;
    assert_int_equal(in_tx(do_issue, o), TD_OK);
    struct mnote *m = &notes[nnotes++];
    *m = (struct mnote){ .id = o->out.id, .balance = amount, .expires_at = o->out.expires_at, .open = 1 };
    snprintf(m->code, sizeof m->code, "%s", o->new_code);
    return m;
}

static void expiry_to_the_second(void **state)
{
    (void)state;
    struct op o;
    struct mnote *m = issue_one(5000, &o);
    int64_t saved = now_us;
    now_us = m->expires_at - 1000000;         /* one second before */
    o.m = m;
    o.amount = 1000;
    assert_int_equal(in_tx(do_redeem, &o), TD_OK);
    now_us = m->expires_at + 1000000;         /* one second after */
    assert_int_equal(in_tx(do_redeem, &o), TD_E_CONFLICT);
    assert_non_null(strstr(o.err.message, "expired"));
    m->balance = 4000;
    check_note(m);
    now_us = saved;
}

static void a_failing_step_leaves_nothing_behind(void **state)
{
    (void)state;
    struct op o;
    struct mnote *m = issue_one(10000, &o);
    o.m = m;
    o.amount = 100;
    int n;
    for (n = 1; n < 200; n++) {
        db_fault_at(db, n);                       /* the nth step (or the commit) fails */
        int rc = in_tx(do_redeem, &o);
        db_fault_at(db, 0);
        if (rc == TD_OK) break;
        assert_int_equal(rc, TD_E_IO);            /* a clean error, not a crash */
        check_note(m);                            /* nothing happened */
        verify_all();
    }
    assert_true(n > 4);                           /* several failure points were exercised */
    m->balance -= 100;
    check_note(m);
    verify_all();
}

TD_TEST_MAIN("unit_ledger_model", setup, teardown,
             cmocka_unit_test(model_test_of_100000_operations),
             cmocka_unit_test(expiry_to_the_second),
             cmocka_unit_test(a_failing_step_leaves_nothing_behind))
