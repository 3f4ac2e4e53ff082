/* test_audit.c — the audit log is a hash chain: `trustdesk audit verify`
 * names a row altered, removed or inserted behind the server's back. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;

static int setup(void **state)
{
    (void)state;
    /* Audited acts: stores and staff made, a customer exported. */
    static const struct member staff[] = {{"anna", "associate", "UTR01", NULL}, {"mark", "manager", "UTR01", NULL},
                                          {"eva", "associate", "AMS01", NULL}, MEMBERS_END};
    return chain_start(&srv, NULL, "UTR01 AMS01", staff);
}

static int verify(char *out, size_t n)
{
    return run_cli(NULL, out, n, "audit", "verify", "--db", srv.db_url, NULL);
}

static void sql(const char *stmt)
{
    if (server_sql(&srv, stmt) != 0) fail_msg("SQL failed: %s", stmt);
}

/* Tampers, checks that verify names `want`, then puts the log back. */
static void tampered(const char *const *stmts, const char *want)
{
    sql("DELETE FROM audit_saved");
    sql("INSERT INTO audit_saved SELECT * FROM audit_log");
    for (const char *const *s = stmts; *s; s++) sql(*s);
    char out[4096];
    int rc = verify(out, sizeof out);
    if (rc != 1 || !strstr(out, want)) fail_msg("verify answered %d:\n%s\nwanted: %s", rc, out, want);
    sql("DELETE FROM audit_log");
    sql("INSERT INTO audit_log SELECT * FROM audit_saved");
    assert_int_equal(verify(out, sizeof out), 0);
}

static void the_chain_holds_and_names_what_was_changed(void **state)
{
    (void)state;
    char out[4096];
    assert_int_equal(verify(out, sizeof out), 0);
    assert_non_null(strstr(out, "audit verify: ok"));
    long long rows = server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log");
    assert_true(rows >= 5);
    sql("CREATE TABLE audit_saved AS SELECT * FROM audit_log");
    /* Altered in place. */
    const char *alter[] = {"UPDATE audit_log SET subject = 'someone-else' WHERE id = 3", NULL};
    tampered(alter, "row 3 was altered");
    /* Removed from the middle. */
    const char *removed[] = {"DELETE FROM audit_log WHERE id = 3", NULL};
    tampered(removed, "row 4 does not follow row 2");
    /* Another row put in a removed row's place, with the removed row's hashes. */
    const char *inserted[] = {
        "DELETE FROM audit_log WHERE id = 3",
        "INSERT INTO audit_log (id, at, staff_id, action, subject, detail, address, prev_hash, hash)"
        " SELECT 3, at, staff_id, 'staff.delete', subject, detail, address, prev_hash, hash FROM audit_saved WHERE id = 3",
        NULL};
    tampered(inserted, "row 3 was altered");
    /* A row rewritten whole, hash recomputed by whoever knows how: the next row no longer follows it. */
    const char *rewritten[] = {"UPDATE audit_log SET hash = 'abc', subject = 'x' WHERE id = 2", NULL};
    tampered(rewritten, "row 3 does not follow row 2");
    /* The newest row cut off. */
    char cut[128];
    snprintf(cut, sizeof cut, "DELETE FROM audit_log WHERE id = (SELECT MAX(id) FROM audit_saved)");
    const char *cut_off[] = {cut, NULL};
    tampered(cut_off, "the newest rows were removed");
    sql("DROP TABLE audit_saved");
}

struct writer { int n; int ok; };

static void *write_stores(void *arg)
{
    struct writer *w = arg;
    struct client c;
    client_init(&c, &srv);
    if (login(&c, ADMIN_LOGIN, ADMIN_PASSWORD) == 201) {
        w->ok = 1;
        for (int i = 0; i < 5; i++) {
            char body[128];
            snprintf(body, sizeof body, "{\"code\":\"W%d%d\",\"name\":\"Winkel %d-%d\",\"city\":\"Gouda\"}", w->n, i, w->n, i);
            struct resp r;
            if (req(&c, "POST", "/api/v1/stores", body, &r) != 0 || r.status != 201) w->ok = 0;
            resp_free(&r);
        }
    }
    client_free(&c);
    return NULL;
}

/* Audited acts from four connections at once still make one chain. */
static void concurrent_writers_make_one_chain(void **state)
{
    (void)state;
    pthread_t t[4];
    struct writer w[4];
    for (int i = 0; i < 4; i++) {
        w[i] = (struct writer){i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, write_stores, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        assert_true(w[i].ok);
    }
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'store.create' AND subject LIKE 'W%'"), 20);
    char out[4096];
    if (verify(out, sizeof out) != 0) fail_msg("%s", out);
}

/* Logins leave audit rows, refused ones too, with the login typed and the
 * address (a name that is no account's is not kept), never the password. */
static void logins_are_audited(void **state)
{
    (void)state;
    struct client c;
    client_init(&c, &srv);
    assert_int_equal(login(&c, "anna", "not-annas-password"), 401);
    assert_int_equal(login(&c, "nobody-here", "whatever-pw"), 401);
    assert_int_equal(login(&c, "anna", "anna-password"), 201);
    client_free(&c);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login_failed'"
                                          " AND subject IN ('anna', '(no such login)') AND address = '127.0.0.1'"), 2);
    /* A name that is no account's may be a password typed in the wrong field. */
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log WHERE subject = 'nobody-here'"), 0);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log a JOIN staff s ON s.id = a.staff_id"
                                          " WHERE a.action = 'session.login' AND s.login = 'anna'"), 1);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM audit_log WHERE detail LIKE '%password%'"
                                          " OR subject LIKE '%password%'"), 0);
    char out[4096];
    if (verify(out, sizeof out) != 0) fail_msg("%s", out);
}

TD_TEST_MAIN("api_audit", setup, chain_teardown,
             cmocka_unit_test(the_chain_holds_and_names_what_was_changed),
             cmocka_unit_test(concurrent_writers_make_one_chain),
             cmocka_unit_test(logins_are_audited))
