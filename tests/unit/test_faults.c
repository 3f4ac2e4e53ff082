/* test_faults.c — faults in numbers: for N = 1, 2, ... the N-th fault is
 * injected while a case is resolved with store credit, a credit note is
 * redeemed, or customers are imported:
 *  - io_faults: the N-th database step or commit fails (db_fault_at);
 *  - allocation_faults: the N-th allocation made by SQLite
 *    (SQLITE_CONFIG_MALLOC) or jansson (json_set_alloc_funcs) fails;
 *  - own_allocation_faults: the N-th of the project's own malloc, calloc,
 *    realloc, strdup or strndup calls fails (buffers, arenas, copies): this
 *    binary is linked with -Wl,--wrap for those (CMakeLists.txt,
 *    alloc_fault.h), which reaches every call made from the project's code
 *    and none made inside libc or the shared libraries;
 *  - api_own_faults, api_lib_faults: the same three operations as one
 *    request each through the real HTTP layer and dispatcher, in this
 *    process on loopback, with the project's (every N) or SQLite's and
 *    jansson's (every 25th N; all with FAULTS_FULL=1) N-th allocation
 *    failing.
 * Every run must end with success or the fault's own error (out_of_memory,
 * 503; the database's for an I/O fault), never a refusal such as 422 or
 * 404 that an Idempotency-Key would keep as the final answer; the ledger
 * must verify, and the database must hold all of the operation or none of
 * it (a resolve's JSON columns whole). Through the API the answer is 2xx or
 * 503 with a JSON error (or none at all when not even the request could be
 * held), and the same request sent again with its key, nothing failing,
 * gets the kept answer byte for byte or runs now, once. The loop ends at
 * the first N that the operation no longer reaches: it then ran whole.
 *
 * FAULTS_TEST=api_own_faults runs one of the tests; ALLOC_FAULT_TRACE=1
 * prints where each failing allocation was asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "api/api.h"
#include "api/app.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/import.h"
#include "domain/ledger.h"
#include "domain/staff.h"
#include "domain/store.h"
#include "http/http.h"
#include "alloc_fault.h"
#include "fixture.h"

#define NOW (1795000000000000LL)          /* 2026-11-18 */
#define MAX_N 200000

/* ---- the fixture ------------------------------------------------------------- */

struct fx {
    struct fixture base;       /* first: fixture_teardown closes and frees it */
    struct ledger_config lc;
    int64_t store_id, customer_id;
    char note_code[CODE_TEXT_SZ];
    int imports, members;
    /* the API, in this process (api_faults) */
    struct app app;
    struct http_server *srv;
    unsigned port;
    char token[TOKEN_HEX_LEN + 1];
    long keys;
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
    return TD_OK;
}

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || fixture_open(&f->base, "faults", 0, 1) != 0) return -1;
    /* Durability is not what this test tries: no fsync for its commits. */
    if (db_exec(f->base.db, "PRAGMA synchronous=OFF") != TD_OK) return -1;
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
        /* The JSON the resolve wrote is whole (jansson's json_dumps can
         * drop a key when an allocation fails, and still answer). */
        assert_int_equal(fixture_int(&f->base, "SELECT COUNT(*) FROM cases WHERE id = %lld AND ((rec_reasons IS NOT NULL AND"
                                     " NOT json_valid(rec_reasons)) OR (pending_json IS NOT NULL AND NOT"
                                     " json_valid(pending_json)))", (long long)id), 0);
        assert_int_equal(fixture_int(&f->base, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld AND NOT"
                                     " json_valid(inputs_json)", (long long)id), 0);
    } else {
        assert_int_equal(open, 1);
        assert_int_equal(notes, 0);
    }
}

static int redeem(struct fx *f, int64_t before)
{
    (void)before;
    struct errors err;
    errors_init(&err);
    struct credit_note n;
    return ledger_redeem(&f->base.c, f->note_code, 100, f->store_id, "till 3", &err, &n);
}

/* The note's balance before the attempt. */
static int note_balance(struct fx *f, int64_t *balance)
{
    *balance = fixture_int(&f->base, "SELECT balance_cents FROM credit_notes WHERE id = 1");
    return TD_OK;
}

static void redeemed_once_or_not_at_all(struct fx *f, int64_t before, int committed)
{
    assert_int_equal(fixture_int(&f->base, "SELECT balance_cents FROM credit_notes WHERE id = 1"),
                     before - (committed ? 100 : 0));
}

static int count_import(struct fx *f, int64_t *arg)
{
    *arg = ++f->imports;
    return TD_OK;
}

static int import(struct fx *f, int64_t n)
{
    char csv[512];
    snprintf(csv, sizeof csv, "loyalty_number,name,email,home_store_code\nF-%lld-1,Eén %lld,een%lld@example.nl,UTR01\n"
             "F-%lld-2,Twee,,\nF-%lld-3,Drie,drie%lld@example.nl,\n", (long long)n, (long long)n, (long long)n,
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
    assert_int_equal(fixture_int(&f->base, "SELECT COUNT(*) FROM customers c JOIN stores s ON s.id = c.home_store_id"
                          " WHERE c.loyalty_number = 'F-%lld-1' AND s.code = 'UTR01'", (long long)n),
                     committed ? 1 : 0);
}

static const struct op ops[] = {
    {"resolve a case with store credit", open_case, resolve_case, resolved_whole_or_not_at_all},
    {"redeem a credit note", note_balance, redeem, redeemed_once_or_not_at_all},
    {"import customers", count_import, import, imported_whole_or_not_at_all},
};

enum fault { FAULT_IO, FAULT_ALLOC, FAULT_OWN_ALLOC };

/* Runs op with the n-th step/commit (or allocation) failing; returns 1 when
 * the fault fired (so a larger n is worth trying). */
static int attempt(struct fx *f, const struct op *op, enum fault kind, long n, int *failed)
{
    int64_t arg = 0;
    assert_int_equal(op->prepare(f, &arg), TD_OK);
    int rc = db_begin(f->base.db, 1);
    assert_int_equal(rc, TD_OK);
    if (kind == FAULT_IO) db_fault_at(f->base.db, n);
    else alloc_fault_at(kind == FAULT_ALLOC ? ALLOC_LIBS : ALLOC_OWN, n);
    rc = op->run(f, arg);
    if (rc == TD_OK) rc = db_commit(f->base.db);
    int fired = kind == FAULT_IO ? !db_fault_armed(f->base.db) : alloc_fault_disarm();
    db_fault_at(f->base.db, 0);
    if (getenv("ALLOC_FAULT_TRACE")) fprintf(stderr, "%s, N = %ld: %s\n", op->name, n, td_status_code(rc));
    if (rc != TD_OK) {
        db_rollback(f->base.db);
        /* A clean error: the fault's own status (503 out_of_memory, or a
         * 500 of the database), never "ok" half done, and never a refusal
         * (422, 404, 409 ...) that would be kept under an Idempotency-Key
         * as the request's final answer. */
        if (kind == FAULT_IO ? rc != TD_E_IO && rc != TD_E_DB : rc != TD_E_NOMEM)
            fail_msg("%s, N = %ld: %s", op->name, n, td_status_code(rc) ? td_status_code(rc) : "?");
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
                      kind == FAULT_IO ? "N-th database step or commit fails"
                      : kind == FAULT_ALLOC ? "N-th allocation of SQLite or jansson fails"
                                            : "N-th allocation of the project fails", n, failed);
        assert_true(n > 1);
    }
}

static void io_faults(void **state) { faults(state, FAULT_IO); }
static void allocation_faults(void **state) { faults(state, FAULT_ALLOC); }
static void own_allocation_faults(void **state) { faults(state, FAULT_OWN_ALLOC); }

/* ---- the same through the API ----------------------------------------------- */

/* The server runs in this process, on loopback, with one worker thread:
 * the project's allocations of the HTTP layer (the request, its arena and
 * buffers), the dispatcher, the handler and the domain all count. */
#define CHECK(cond) assert_true(cond)
#include "fuzz/loopback.h"

#define ANSWER_MS 30000

static int setup_api(void **state)
{
    if (setup(state) != 0) return -1;
    struct fx *f = *state;
    struct staff_input si = {.login = "fout.admin", .name = "Fout Admin", .role = "admin", .store_code = "UTR01",
                             .password = "fout-password", .lang = "nl", .active = 1};
    struct errors err;
    errors_init(&err);
    int64_t id = 0;
    if (db_begin(f->base.db, 1) != TD_OK) return -1;
    int rc = staff_create(&f->base.c, &si, &err, &id);
    if (rc == TD_OK) rc = staff_token_create(&f->base.c, "fout.admin", NOW + 3650 * 86400LL * 1000000, f->token, &id);
    if (rc != TD_OK || db_commit(f->base.db) != TD_OK) return -1;
    if (app_init(&f->app, f->base.url) != TD_OK) return -1;
    f->app.max_body = API_BODY_MAX;
    f->app.max_uploads = API_MAX_UPLOADS;
    /* Quiet, and nothing written after the answer (the access line). */
    log_set_level(LOG_ERROR + 1);
    struct http_config cfg = {.listen = "127.0.0.1:0", .threads = 1, .max_body = API_BODY_MAX, .max_connections = 16,
                              .max_per_address = 16, .timeout_s = 30, .header_memory = 32 * 1024};
    if (http_start(&cfg, api_dispatch, &f->app, &f->srv) != TD_OK) return -1;
    f->port = http_port(f->srv);
    return 0;
}

static int teardown_api(void **state)
{
    struct fx *f = *state;
    http_stop(f->srv);                      /* its worker's connection closes with its thread */
    app_free(&f->app);
    log_set_level(LOG_INFO);
    return fixture_teardown(state);
}

struct answer {
    int status;                             /* 0: the connection closed without one */
    const char *body;
    char text[16384];
};

/* Sends one request (Connection: close) with the n-th allocation of the
 * sources failing (n 0: none) and reads its answer; 1 when the fault
 * fired. */
static int send_faulted(struct fx *f, const char *method, const char *path, const char *type, const char *key,
                        const char *body, int sources, long n, struct answer *ans)
{
    char head[1024];
    int k = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: faults\r\nAuthorization: Bearer %s\r\nContent-Type: %s\r\n"
                     "Idempotency-Key: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     method, path, f->token, type, key, strlen(body));
    assert_true(k > 0 && (size_t)k < sizeof head);
    int fd = loopback_connect(f->port);
    alloc_fault_at(sources, n);
    loopback_send(fd, head, (size_t)k);
    loopback_send(fd, body, strlen(body));
    size_t got = loopback_read(fd, ans->text, sizeof ans->text, -1, -1, ANSWER_MS);
    int fired = alloc_fault_disarm();
    ans->status = got > 12 && !strncmp(ans->text, "HTTP/1.1 ", 9) ? (int)strtol(ans->text + 9, NULL, 10) : 0;
    const char *b = strstr(ans->text, "\r\n\r\n");
    ans->body = b ? b + 4 : "";
    return fired;
}

/* An answer that is whole JSON: an error one ({"error":{"code":...}}) the
 * client can act on, or any other object. */
static void is_json(const struct answer *ans, int error)
{
    json_error_t e;
    json_t *j = json_loads(ans->body, 0, &e);
    if (!j) fail_msg("status %d, body not JSON (%s): %.300s", ans->status, e.text, ans->body);
    assert_true(json_is_object(j));
    if (error) assert_true(json_is_string(json_object_get(json_object_get(j, "error"), "code")));
    json_decref(j);
}

struct api_op {
    const struct op *op;                    /* prepare and check */
    const char *method, *type;
    void (*request)(struct fx *f, int64_t arg, char *path, size_t np, char *body, size_t nb);
};

static void resolve_request(struct fx *f, int64_t id, char *path, size_t np, char *body, size_t nb)
{
    (void)f;
    snprintf(path, np, "/api/v1/cases/%lld/resolve", (long long)id);
    snprintf(body, nb, "{\"resolution\":\"store_credit\",\"amount_cents\":2000}");
}

static void redeem_request(struct fx *f, int64_t arg, char *path, size_t np, char *body, size_t nb)
{
    (void)arg;
    snprintf(path, np, "/api/v1/credit-notes/%s/redemptions", f->note_code);
    snprintf(body, nb, "{\"amount_cents\":100,\"store_code\":\"UTR01\",\"till_reference\":\"till 3\"}");
}

static void import_request(struct fx *f, int64_t n, char *path, size_t np, char *body, size_t nb)
{
    (void)f;
    snprintf(path, np, "/api/v1/imports/customers");
    snprintf(body, nb, "loyalty_number,name,email,home_store_code\nF-%lld-1,Eén %lld,een%lld@example.nl,UTR01\n"
             "F-%lld-2,Twee,,\nF-%lld-3,Drie,drie%lld@example.nl,\n", (long long)n, (long long)n, (long long)n,
             (long long)n, (long long)n, (long long)n);
}

static const struct api_op api_ops[] = {
    {&ops[0], "POST", "application/json", resolve_request},
    {&ops[1], "POST", "application/json", redeem_request},
    {&ops[2], "POST", "text/csv", import_request},
};

struct tally { int ok, unavailable, cut_off; };

/* One request with the n-th allocation failing: its answer is 2xx, or 503
 * with a JSON error, or (when not even the request could be held) no
 * answer; the database holds all of it or none. The same request sent
 * again with its key, nothing failing, then gets a 2xx answer: the one
 * kept, byte for byte, when the first was 2xx; else it runs now (a failure
 * was not kept as the answer), and the work is there once. */
static int api_attempt(struct fx *f, const struct api_op *o, int sources, long n, struct tally *t)
{
    int64_t arg = 0;
    assert_int_equal(o->op->prepare(f, &arg), TD_OK);
    char path[256], body[512], key[64];
    o->request(f, arg, path, sizeof path, body, sizeof body);
    snprintf(key, sizeof key, "faults-%ld", ++f->keys);
    struct answer *ans = malloc(sizeof *ans);
    assert_non_null(ans);
    int fired = send_faulted(f, o->method, path, o->type, key, body, sources, n, ans);
    int done = ans->status >= 200 && ans->status < 300;
    if (getenv("ALLOC_FAULT_TRACE")) fprintf(stderr, "%s, N = %ld: %d\n", o->op->name, n, ans->status);
    if (ans->status == 0) t->cut_off++;
    else if (done) {
        is_json(ans, 0);
        t->ok++;
    }
    else {
        if (ans->status != 503) fail_msg("%s, N = %ld: %d %.300s", o->op->name, n, ans->status, ans->body);
        is_json(ans, 1);
        t->unavailable++;
    }
    o->op->check(f, arg, done);
    ledger_holds(f);
    struct answer *again = malloc(sizeof *again);
    assert_non_null(again);
    send_faulted(f, o->method, path, o->type, key, body, 0, 0, again);
    if (again->status < 200 || again->status >= 300)
        fail_msg("%s, N = %ld, sent again: %d %.300s", o->op->name, n, again->status, again->body);
    if (done) {                             /* the answer was kept with the work: replayed as it was */
        assert_int_equal(again->status, ans->status);
        assert_string_equal(again->body, ans->body);
        assert_non_null(strstr(again->text, "Idempotent-Replayed: true"));
    }
    o->op->check(f, arg, 1);
    ledger_holds(f);
    free(again);
    free(ans);
    return fired;
}

/* Every N for the project's allocations; for SQLite's and jansson's (some
 * 1,600 requests in all, two minutes) every API_LIB_STEP-th N, unless
 * FAULTS_FULL is set in the environment. */
#define API_LIB_STEP 25

static void api_faults(void **state, int sources)
{
    struct fx *f = *state;
    long step = sources == ALLOC_LIBS && !getenv("FAULTS_FULL") ? API_LIB_STEP : 1;
    for (size_t i = 0; i < sizeof api_ops / sizeof api_ops[0]; i++) {
        struct tally t = {0};
        api_attempt(f, &api_ops[i], 0, 0, &t);      /* the worker's connection, opened */
        t = (struct tally){0};
        long n = 1, runs = 1;
        while (n < MAX_N && api_attempt(f, &api_ops[i], sources, n, &t)) {
            n += step;
            runs++;
        }
        if (n >= MAX_N) fail_msg("%s: still failing at N = %ld", api_ops[i].op->name, n);
        print_message("%s through the API, N-th allocation of %s fails (N = 1 to %ld, step %ld): %ld runs, %d answered"
                      " 503, %d without an answer, %d done (the last whole), each sent again done once\n",
                      api_ops[i].op->name, sources == ALLOC_OWN ? "the project" : "SQLite or jansson", n, step, runs,
                      t.unavailable, t.cut_off, t.ok);
        assert_true(runs > 1);
    }
}

static void api_own_faults(void **state) { api_faults(state, ALLOC_OWN); }
static void api_lib_faults(void **state) { api_faults(state, ALLOC_LIBS); }

int main(void)
{
    if (alloc_fault_install() != 0) return 1;
    if (getenv("FAULTS_TEST")) cmocka_set_test_filter(getenv("FAULTS_TEST"));     /* e.g. api_own_faults */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(io_faults, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(allocation_faults, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(own_allocation_faults, setup, fixture_teardown),
        cmocka_unit_test_setup_teardown(api_own_faults, setup_api, teardown_api),
        cmocka_unit_test_setup_teardown(api_lib_faults, setup_api, teardown_api),
    };
    return cmocka_run_group_tests_name("unit_faults", tests, NULL, NULL);
}
