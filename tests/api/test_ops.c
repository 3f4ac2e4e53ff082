/* test_ops.c — several servers on one database act as one system; backup,
 * copy into an empty database (restore), and the checks that guard them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static struct server one, two;
static struct client anna, mark;   /* logged in on server one */

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
                                          MEMBERS_END};
    if (server_start(&one) != 0 || server_start_shared(&two, &one) != 0) return -1;
    chain_keep(&two);
    return chain_setup(&one, NULL, "UTR01", staff);
}

static void a_session_made_on_one_server_works_on_the_other(void **state)
{
    (void)state;
    struct client c1, c2;
    client_login(&c1, &one, "anna");
    /* Move the session cookie and CSRF token to a client of server two. */
    struct resp r;
    assert_int_equal(req_status(&c1, "GET", "/api/v1/me", NULL), 200);
    char cookie[200] = "";
    long long id = post_id(&c1, "/api/v1/customers", "{\"name\":\"Gedeelde Klant\"}");
    assert_int_equal(client_cookie(&c1, "td_session", cookie, sizeof cookie), 0);
    client_init(&c2, &two);
    snprintf(c2.csrf, sizeof c2.csrf, "%s", c1.csrf);
    char hdr[256], path[64];
    snprintf(hdr, sizeof hdr, "Cookie: td_session=%s", cookie);
    snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
    assert_int_equal(req_h(&c2, "GET", path, NULL, &r, hdr, NULL), 0);
    assert_int_equal(r.status, 200);
    assert_string_equal(jstr(r.json, "name"), "Gedeelde Klant");
    resp_free(&r);
    /* A write through server two with the same session and CSRF token. */
    assert_int_equal(req_h(&c2, "PATCH", path, "{\"email\":\"gedeeld@example.nl\"}", &r, hdr, NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    /* Logging out on server two ends the session there at once, and on
     * server one within a second (domain/staff_cache.h). */
    assert_int_equal(req_h(&c2, "DELETE", "/api/v1/session", NULL, &r, hdr, NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(req_status(&c2, "GET", "/api/v1/me", NULL), 401);
    after_staff_cache();
    assert_int_equal(req_status(&c1, "GET", "/api/v1/me", NULL), 401);
    client_free(&c1);
    client_free(&c2);
}

struct racer {
    const struct server *srv;
    const char *path;
    const char *body;
    long status;
};

static void *race(void *arg)
{
    struct racer *x = arg;
    struct client c;
    client_init(&c, x->srv);
    if (login(&c, "anna", "anna-password") == 201) {
        struct resp r;
        if (req(&c, "PATCH", x->path, x->body, &r) == 0) x->status = r.status;
        resp_free(&r);
    }
    client_free(&c);
    return NULL;
}

static void concurrent_edits_through_two_servers_never_lose_an_update(void **state)
{
    (void)state;
    for (int round = 0; round < 5; round++) {
        struct resp r;
        char body[96], path[64];
        snprintf(body, sizeof body, "{\"name\":\"Race %d\"}", round);
        long long id = post_id(&anna, "/api/v1/customers", body);
        snprintf(path, sizeof path, "/api/v1/customers/%lld", id);
        struct racer a = {&one, path, "{\"name\":\"Winner A\",\"version\":1}", 0};
        struct racer b = {&two, path, "{\"name\":\"Winner B\",\"version\":1}", 0};
        pthread_t ta, tb;
        pthread_create(&ta, NULL, race, &a);
        pthread_create(&tb, NULL, race, &b);
        pthread_join(ta, NULL);
        pthread_join(tb, NULL);
        /* Exactly one wins; the other is told of the conflict. */
        assert_true((a.status == 200 && b.status == 409) || (a.status == 409 && b.status == 200));
        assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
        assert_string_equal(jstr(r.json, "name"), a.status == 200 ? "Winner A" : "Winner B");
        assert_int_equal(jint(r.json, "version"), 2);
        resp_free(&r);
    }
}

static void backup_and_restore_into_an_empty_database(void **state)
{
    (void)state;
    assert_int_equal(req_status(&anna, "POST", "/api/v1/customers", "{\"name\":\"Zoë van 't Hek\",\"phone\":\"06-11112222\"}"), 201);
    /* Characters that bulk-load formats must escape survive the round trip. */
    assert_int_equal(req_status(&anna, "POST", "/api/v1/customers", "{\"name\":\"Tab\\tand back\\\\slash \\\"quoted\\\"\"}"), 201);

    char backup[400], out[16384];        /* copy lists every table: more than 4 KiB since migration 13 */
    snprintf(backup, sizeof backup, "%s/backup.db", one.dir);
    assert_int_equal(run_cli(NULL, out, sizeof out, "backup", "--db", one.db_url, "--out", backup, NULL), 0);
    assert_non_null(strstr(out, "verified"));
    /* A backup never overwrites a file. */
    assert_int_equal(run_cli(NULL, out, sizeof out, "backup", "--db", one.db_url, "--out", backup, NULL), 1);

    /* Restore into a new, empty database of the same backend. */
    struct server restored;
    memset(&restored, 0, sizeof restored);
    char target[sizeof one.db_url], from[420];
    snprintf(from, sizeof from, "sqlite:%s", backup);
    if (server_is_pg(&one)) {
        snprintf(target, sizeof target, "%.400s_restored", one.db_url);
        char cmd[800];
        const char *slash = strrchr(one.db_url, '/');
        snprintf(cmd, sizeof cmd, "psql -q '%.*spostgres' -c 'CREATE DATABASE %s_restored' >/dev/null",
                 (int)(slash - one.db_url + 1), one.db_url, slash + 1);
        assert_int_equal(system(cmd), 0);
    } else {
        snprintf(target, sizeof target, "sqlite:%s/restored.db", one.dir);
    }
    assert_int_equal(run_cli(NULL, out, sizeof out, "copy", "--from", from, "--to", target, NULL), 0);
    assert_non_null(strstr(out, "copied and verified"));
    assert_non_null(strstr(out, "customer_search"));
    assert_null(strstr(out, "DIFFERS"));
    /* Copying into a database that is not empty is refused and changes nothing. */
    assert_int_equal(run_cli(NULL, out, sizeof out, "copy", "--from", from, "--to", target, NULL), 1);

    /* The restored database serves the same data: log in, search. */
    struct server tmp;
    memset(&tmp, 0, sizeof tmp);
    snprintf(tmp.db_url, sizeof tmp.db_url, "%s", target);
    assert_int_equal(server_start_shared(&restored, &tmp), 0);
    struct client c;
    struct resp r;
    client_login(&c, &restored, "anna");
    req_expect(&c, "GET", "/api/v1/customers?q=zoe%20hek", NULL, 200, &r);
    assert_string_equal(jstr(r.json, "items.0.name"), "Zoë van 't Hek");
    resp_free(&r);
    assert_int_equal(req(&c, "GET", "/api/v1/customers?q=tab%20slash", NULL, &r), 0);
    assert_string_equal(jstr(r.json, "items.0.name"), "Tab\tand back\\slash \"quoted\"");
    resp_free(&r);
    /* New rows get fresh ids after a restore (identity sequences moved on). */
    assert_int_equal(req_status(&c, "POST", "/api/v1/customers", "{\"name\":\"Na Herstel\"}"), 201);
    client_free(&c);
    server_stop(&restored);
    if (server_is_pg(&one)) {
        char cmd[800];
        const char *slash = strrchr(one.db_url, '/');
        snprintf(cmd, sizeof cmd, "psql -q '%.*spostgres' -c 'DROP DATABASE %s_restored' >/dev/null",
                 (int)(slash - one.db_url + 1), one.db_url, slash + 1);
        assert_int_equal(system(cmd), 0);
    }
}

/* A new, empty database of the same backend as `one`, named after suffix. */
static void empty_target(const char *suffix, char *url, size_t n)
{
    if (server_is_pg(&one)) {
        snprintf(url, n, "%.400s_%s", one.db_url, suffix);
        char cmd[800];
        const char *slash = strrchr(one.db_url, '/');
        snprintf(cmd, sizeof cmd, "psql -q '%.*spostgres' -c 'DROP DATABASE IF EXISTS %s_%s' -c 'CREATE DATABASE %s_%s' >/dev/null",
                 (int)(slash - one.db_url + 1), one.db_url, slash + 1, suffix, slash + 1, suffix);
        assert_int_equal(system(cmd), 0);
    } else {
        snprintf(url, n, "sqlite:%s/%s.db", one.dir, suffix);
    }
}

static void drop_target(const char *suffix)
{
    if (!server_is_pg(&one)) return;
    char cmd[800];
    const char *slash = strrchr(one.db_url, '/');
    snprintf(cmd, sizeof cmd, "psql -q '%.*spostgres' -c 'DROP DATABASE %s_%s' >/dev/null",
             (int)(slash - one.db_url + 1), one.db_url, slash + 1, suffix);
    assert_int_equal(system(cmd), 0);
}

static void ledger_verifies(const char *url)
{
    char out[4096];
    int rc = run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", url, NULL);
    if (rc != 0) fail_msg("ledger verify of %s failed: %s", url, out);
    assert_non_null(strstr(out, "ledger verify: ok"));
}

/* A reissued credit note points at its replacement, a row with a larger id:
 * a copy that checked that reference at once, before the replacement was
 * copied, failed for good on every database with a reissue. */
static void backup_and_copy_after_a_reissue(void **state)
{
    (void)state;
    struct resp r;
    req_expect(&mark, "POST", "/api/v1/credit-notes", "{\"amount_cents\":4000,\"reason\":\"goodwill\"}", 201, &r);
    char code[40], path[128];
    snprintf(code, sizeof code, "%s", jstr(r.json, "code"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/reissue", code);
    assert_int_equal(req_status(&mark, "POST", path, "{\"reason\":\"customer lost the note\"}"), 201);
    /* And a reissue of the reissue: a chain of two forward references. */
    assert_int_equal(req(&mark, "POST", "/api/v1/credit-notes", "{\"amount_cents\":2500,\"reason\":\"goodwill\"}", &r), 0);
    snprintf(code, sizeof code, "%s", jstr(r.json, "code"));
    resp_free(&r);
    for (int i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/api/v1/credit-notes/%s/reissue", code);
        req_expect(&mark, "POST", path, "{\"reason\":\"lost again\"}", 201, &r);
        snprintf(code, sizeof code, "%s", jstr(r.json, "code"));
        resp_free(&r);
    }

    char backup[400], out[8192];
    snprintf(backup, sizeof backup, "%s/reissued.db", one.dir);
    int rc = run_cli(NULL, out, sizeof out, "backup", "--db", one.db_url, "--out", backup, NULL);
    if (rc != 0) fail_msg("backup failed: %s", out);
    assert_non_null(strstr(out, "verified"));

    /* A copy straight from the live database into an empty one. */
    char target[600];
    empty_target("copied", target, sizeof target);
    rc = run_cli(NULL, out, sizeof out, "copy", "--from", one.db_url, "--to", target, NULL);
    if (rc != 0) fail_msg("copy failed: %s", out);
    assert_non_null(strstr(out, "copied and verified"));
    assert_non_null(strstr(out, "credit_notes"));
    assert_null(strstr(out, "DIFFERS"));
    ledger_verifies(target);
    drop_target("copied");

    /* A restore of the backup (SQLite) into an empty database. */
    char from[420];
    snprintf(from, sizeof from, "sqlite:%s", backup);
    empty_target("from_backup", target, sizeof target);
    rc = run_cli(NULL, out, sizeof out, "copy", "--from", from, "--to", target, NULL);
    if (rc != 0) fail_msg("restore failed: %s", out);
    assert_non_null(strstr(out, "copied and verified"));
    assert_null(strstr(out, "DIFFERS"));
    ledger_verifies(target);
    drop_target("from_backup");
}

/* PostgreSQL only: a server whose commits might not be durable is refused. */
static void refuses_postgres_without_durable_commits(void **state)
{
    (void)state;
    char cmd[1200], url[600], out[1024];
    const char *slash = strrchr(one.db_url, '/');
    snprintf(cmd, sizeof cmd,
             "psql -q '%s' -c \"DROP ROLE IF EXISTS td_lazy\" -c \"CREATE ROLE td_lazy LOGIN SUPERUSER\""
             " -c \"ALTER ROLE td_lazy SET synchronous_commit = off\" >/dev/null", one.db_url);
    assert_int_equal(system(cmd), 0);
    const char *at = strchr(one.db_url, '@');
    snprintf(url, sizeof url, "postgres://td_lazy%.*s", (int)(strlen(at)), at);
    (void)slash;
    assert_int_equal(run_cli(NULL, out, sizeof out, "migrate", "--db", url, NULL), 1);
    snprintf(cmd, sizeof cmd, "psql -q '%s' -c \"DROP ROLE td_lazy\" >/dev/null", one.db_url);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_session_made_on_one_server_works_on_the_other),
        cmocka_unit_test(concurrent_edits_through_two_servers_never_lose_an_update),
        cmocka_unit_test(backup_and_restore_into_an_empty_database),
        cmocka_unit_test(backup_and_copy_after_a_reissue),
        cmocka_unit_test(refuses_postgres_without_durable_commits),
    };
    const char *pg = getenv("TRUSTDESK_TEST_PG");
    size_t n = sizeof tests / sizeof tests[0];
    if (!pg || !*pg) n--;   /* the last test is about PostgreSQL alone */
    return _cmocka_run_group_tests("api_ops", tests, n, setup, chain_teardown);
}
