/* test_replica.c — `serve --read-db`: the insight reads on a real streaming
 * replica. On PostgreSQL the test makes its own primary and, with
 * pg_basebackup -R over loopback, a hot standby of it
 * (scripts/pg-cluster.sh start / replica), and starts trustdesk with --db
 * on the primary and --read-db on the replica. Cases written through the
 * API reach the insight route once the replica has replayed them; with the
 * replay paused the route still answers from the replica (the older data)
 * and says how far behind it is, while writes and a token made a moment ago
 * work (they stay on the primary); a stopped replica sends the insight reads
 * to the primary, which the answer says. Every wait is for a condition, with
 * a deadline of minutes. On SQLite (and on PostgreSQL too) serve refuses a
 * --read-db it cannot use, with a clear message. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "harness.h"
#include "cmocka_main.h"

#define DEADLINE_S 300                        /* a loaded machine replays slowly; the wait ends at the condition */

static struct server srv;
static struct client admin, anna;
static char primary_tmp[64], replica_tmp[64], primary_dir[80], replica_dir[80];
static char primary_base[160], replica_base[160], replica_db[512];

static int on_pg(void) { return getenv("TRUSTDESK_TEST_PG") && *getenv("TRUSTDESK_TEST_PG"); }

/* scripts/pg-cluster.sh VERB DIR [PRIMARY_DIR]; its one line of output
 * (a cluster's base URL) into url; 0 on success. */
static int cluster(const char *verb, const char *dir, const char *primary, char *url, size_t n)
{
    char cmd[1024];
    const char *data = getenv("TEST_DATA_DIR");
    snprintf(cmd, sizeof cmd, "bash '%s/../../scripts/pg-cluster.sh' %s '%s' %s%s%s", data ? data : "tests/data", verb,
             dir, primary ? "'" : "", primary ? primary : "", primary ? "'" : "");
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    char line[200] = "";
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    line[strcspn(line, "\r\n")] = '\0';
    if (url) snprintf(url, n, "%s", line);
    return pclose(p) == 0 ? 0 : -1;
}

/* The first value psql prints for query on the database at url (-1 when it
 * cannot run: a server that is down). */
static long long psql_int(const char *url, const char *query)
{
    char cmd[1200], line[64] = "";
    snprintf(cmd, sizeof cmd, "psql -qAt '%s' -c \"%s\" 2>/dev/null", url, query);
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    if (!fgets(line, sizeof line, p)) line[0] = '\0';
    int rc = pclose(p);
    char *end;
    long long v = strtoll(line, &end, 10);
    return rc == 0 && end != line ? v : -1;
}

static double seconds_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* Polls until psql_int(url, query) == want; fails the test after DEADLINE_S. */
static void wait_for(const char *url, const char *query, long long want, const char *what)
{
    double until = seconds_now() + DEADLINE_S;
    long long got;
    while ((got = psql_int(url, query)) != want) {
        if (seconds_now() > until) fail_msg("waited %d s for %s: %s gave %lld, not %lld", DEADLINE_S, what, query, got, want);
        struct timespec poll = {0, 50 * 1000000L};
        nanosleep(&poll, NULL);
    }
}

static int setup(void **state)
{
    (void)state;
    if (!on_pg()) return 0;
    /* Each cluster in a folder of a fresh temporary one, so that
     * pg-cluster.sh makes (and removes) the folder it owns. */
    snprintf(primary_tmp, sizeof primary_tmp, "/tmp/trustdesk-primary-XXXXXX");
    snprintf(replica_tmp, sizeof replica_tmp, "/tmp/trustdesk-replica-XXXXXX");
    if (!mkdtemp(primary_tmp) || !mkdtemp(replica_tmp)) return -1;
    if (chmod(primary_tmp, 0755) != 0 || chmod(replica_tmp, 0755) != 0) return -1;   /* the postgres user goes in */
    snprintf(primary_dir, sizeof primary_dir, "%s/c", primary_tmp);
    snprintf(replica_dir, sizeof replica_dir, "%s/c", replica_tmp);
    if (cluster("start", primary_dir, NULL, primary_base, sizeof primary_base) != 0) return -1;
    if (cluster("replica", replica_dir, primary_dir, replica_base, sizeof replica_base) != 0) return -1;
    /* trustdesk's database on the test's primary, as the harness makes one. */
    char *pg = strdup(getenv("TRUSTDESK_TEST_PG"));
    setenv("TRUSTDESK_TEST_PG", primary_base, 1);
    int rc = server_make_db(&srv);
    setenv("TRUSTDESK_TEST_PG", pg, 1);
    free(pg);
    if (rc != 0) return -1;
    const char *name = strrchr(srv.db_url, '/') + 1;
    char q[200], postgres[200];
    snprintf(q, sizeof q, "SELECT COUNT(*) FROM pg_database WHERE datname = '%s'", name);
    snprintf(postgres, sizeof postgres, "%spostgres", replica_base);
    wait_for(postgres, q, 1, "the new database on the replica");
    snprintf(replica_db, sizeof replica_db, "%s%s", replica_base, name);
    snprintf(srv.read_db, sizeof srv.read_db, "%s", replica_db);
    if (server_start_made(&srv) != 0) return -1;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, MEMBERS_END};
    if (chain_setup(&srv, &admin, "UTR01", staff) != 0) return -1;
    import_csv(&admin, "customers", "loyalty_number,name,email,home_store_code\n"
                                    "NL-600001,Floor Eerst,floor@example.test,UTR01\n"
                                    "NL-600002,Gert Later,gert@example.test,UTR01\n"
                                    "NL-600003,Hein Laatst,hein@example.test,UTR01\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-P-1,@20,UTR01,NL-600001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-P-2,@20,UTR01,NL-600002,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
                   "R-P-3,@20,UTR01,NL-600003,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n");
    return 0;
}

static int teardown(void **state)
{
    chain_teardown(state);                    /* stops trustdesk, drops its database on the primary */
    if (replica_dir[0] && cluster("stop", replica_dir, NULL, NULL, 0) != 0) fprintf(stderr, "could not stop the replica\n");
    if (primary_dir[0] && cluster("stop", primary_dir, NULL, NULL, 0) != 0) fprintf(stderr, "could not stop the primary\n");
    if (replica_tmp[0]) rmdir(replica_tmp);
    if (primary_tmp[0]) rmdir(primary_tmp);
    return 0;
}

/* Through the API as the associate: a resolved case in which the kitchen
 * scale of receipt is referred to Action (a write: the primary's). */
static void referral_of(const char *loyalty, const char *receipt)
{
    char body[600];
    snprintf(body, sizeof body,
             "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":true,"
             "\"customer_words\":\"Bij Action is hij goedkoper.\",\"referral\":{\"to\":\"Action\",\"reason\":"
             "\"cheaper_elsewhere\"},\"items\":[{\"receipt_id\":\"%s\",\"sku\":\"KS-100\",\"condition\":\"new\"}]}",
             customer_id(&anna, loyalty), receipt);
    case_resolve_as_recommended(&anna, case_open(&anna, body));
}

/* GET the referral report as c: asserts 200 and where it was read; the
 * number of referrals it lists; *lag_ms the lag it told (-1: none). */
static size_t referrals_seen(struct client *c, const char *source, long long *lag_ms)
{
    struct resp r;
    char h[64], lag[64];
    req_expect(c, "GET", "/api/v1/insight/referrals", NULL, 200, &r);
    assert_string_equal(resp_header(&r, "X-Read-Source", h, sizeof h), source);
    assert_string_equal(jstr(r.json, "read_from"), source);
    resp_header(&r, "X-Replica-Lag-Ms", lag, sizeof lag);
    json_t *j = json_object_get(r.json, "replica_lag_ms");
    if (strcmp(source, "replica") == 0) {
        assert_true(lag[0] != '\0' && json_is_integer(j));
        assert_int_equal(strtoll(lag, NULL, 10), json_integer_value(j));  /* one measurement, both places */
        *lag_ms = json_integer_value(j);
        assert_true(*lag_ms >= 0);
    } else {
        assert_string_equal(lag, "");             /* the primary is not behind */
        assert_true(json_is_null(j));
        *lag_ms = -1;
    }
    size_t n = json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

/* `trustdesk serve ARGS` must stop at once with exit 2 and say why (a
 * server that starts instead is stopped by timeout, and the test fails). */
static void serve_refuses(const char *args, const char *why)
{
    char cmd[1400], out[2000] = "";
    snprintf(cmd, sizeof cmd, "timeout 120 '%s' serve --listen 127.0.0.1:0 --web '' %s 2>&1", trustdesk_bin(), args);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    int st = pclose(p);
    if (!strstr(out, why)) fail_msg("serve %s said \"%s\", not \"%s\"", args, out, why);
    assert_int_equal(WEXITSTATUS(st), 2);
}

static void a_read_db_it_cannot_use_stops_serve(void **state)
{
    (void)state;
    char dir[] = "/tmp/trustdesk-readdb-XXXXXX", args[1200];
    assert_non_null(mkdtemp(dir));
    snprintf(args, sizeof args, "--db sqlite:%s/t.db --read-db postgres://postgres@127.0.0.1:1/x", dir);
    serve_refuses(args, "--read-db needs a PostgreSQL --db");
    char rm[100];
    snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
    assert_int_equal(system(rm), 0);
    if (!on_pg()) return;
    snprintf(args, sizeof args, "--db '%s' --read-db sqlite:%s/t.db", srv.db_url, dir);
    serve_refuses(args, "--read-db must be a postgres:// URL");
    snprintf(args, sizeof args, "--db '%s' --read-db '%s'", srv.db_url, srv.db_url);
    serve_refuses(args, "is not a standby");
    /* Port 1 on loopback: nothing listens there. */
    snprintf(args, sizeof args, "--db '%s' --read-db 'postgres://postgres@127.0.0.1:1/x'", srv.db_url);
    serve_refuses(args, "cannot connect to the read replica");
}

static void insight_reads_the_replica(void **state)
{
    (void)state;
    if (!on_pg()) skip();
    long long lag;
    referral_of("NL-600001", "R-P-1");
    wait_for(replica_db, "SELECT COUNT(*) FROM referrals", 1, "the first referral on the replica");
    assert_int_equal(referrals_seen(&admin, "replica", &lag), 1);
    struct resp r;
    char h[64];
    req_expect(&admin, "GET", "/api/v1/nps?by=store", NULL, 200, &r);
    assert_string_equal(resp_header(&r, "X-Read-Source", h, sizeof h), "replica");
    resp_free(&r);
    /* The what-if only reads: the policy in force, replayed on the replica. */
    req_expect(&admin, "GET", "/api/v1/policy", NULL, 200, &r);
    char *doc = json_dumps(json_object_get(r.json, "document"), JSON_COMPACT), body[16384];
    resp_free(&r);
    assert_true(doc && snprintf(body, sizeof body, "{\"policy\":%s}", doc) < (int)sizeof body);
    free(doc);
    req_expect(&admin, "POST", "/api/v1/policy/simulations", body, 200, &r);
    assert_string_equal(resp_header(&r, "X-Read-Source", h, sizeof h), "replica");
    assert_int_equal(jint(r.json, "cases"), 1);
    resp_free(&r);
    /* Everything else is the primary's, and says nothing of replicas. */
    req_expect(&admin, "GET", "/api/v1/cases", NULL, 200, &r);
    assert_string_equal(resp_header(&r, "X-Read-Source", h, sizeof h), "");
    assert_null(json_object_get(r.json, "read_from"));
    resp_free(&r);
}

static void a_paused_replica_tells_its_lag(void **state)
{
    (void)state;
    if (!on_pg()) skip();
    long long lag;
    /* Once this returns, the startup process replays no further record
     * (it looks before each one). */
    assert_int_equal(psql_int(replica_db, "SELECT COUNT(*) FROM (SELECT pg_wal_replay_pause()) p"), 1);
    /* A write with --read-db: the primary takes it, the replica cannot. */
    referral_of("NL-600002", "R-P-2");
    char lsn[64], q[200];
    assert_int_equal(server_sql_value(&srv, "SELECT pg_current_wal_flush_lsn()", lsn, sizeof lsn), 0);
    snprintf(q, sizeof q, "SELECT (pg_last_wal_receive_lsn() >= '%s'::pg_lsn)::int", lsn);
    wait_for(replica_db, q, 1, "the replica to receive the second referral");
    /* Received, not replayed: the answer is the replica's older data, and
     * it says how old. */
    assert_int_equal(referrals_seen(&admin, "replica", &lag), 1);
    assert_true(lag > 0);
    assert_int_equal(server_sql_int(&srv, "SELECT COUNT(*) FROM referrals"), 2);
    /* A token made now is not on the replica yet: the check is the primary's. */
    char token[80];
    assert_int_equal(cli_token(&srv, ADMIN_LOGIN, token, sizeof token), 0);
    struct client bearer;
    client_init(&bearer, &srv);
    snprintf(bearer.bearer, sizeof bearer.bearer, "%s", token);
    assert_int_equal(referrals_seen(&bearer, "replica", &lag), 1);
    client_free(&bearer);
    /* Replay again: the second referral arrives and the lag goes back to 0
     * once the replica has replayed what it received. */
    assert_int_equal(psql_int(replica_db, "SELECT COUNT(*) FROM (SELECT pg_wal_replay_resume()) p"), 1);
    double until = seconds_now() + DEADLINE_S;
    while (referrals_seen(&admin, "replica", &lag) != 2 || lag != 0) {
        if (seconds_now() > until) fail_msg("the replica did not catch up in %d s (lag %lld ms)", DEADLINE_S, lag);
        struct timespec poll = {0, 50 * 1000000L};
        nanosleep(&poll, NULL);
    }
}

static void a_stopped_replica_sends_insight_to_the_primary(void **state)
{
    (void)state;
    if (!on_pg()) skip();
    long long lag;
    assert_int_equal(cluster("stop", replica_dir, NULL, NULL, 0), 0);
    /* Every worker's connection to it is broken, or cannot be made: each
     * answer comes from the primary, and says so. */
    for (int i = 0; i < 8; i++) assert_int_equal(referrals_seen(&admin, "primary", &lag), 2);
    struct resp r;
    char h[64];
    req_expect(&admin, "GET", "/api/v1/nps.csv", NULL, 200, &r);
    assert_string_equal(resp_header(&r, "X-Read-Source", h, sizeof h), "primary");
    resp_free(&r);
    /* Writes go on, and the primary's answer has them at once. */
    referral_of("NL-600003", "R-P-3");
    assert_int_equal(referrals_seen(&admin, "primary", &lag), 3);
    assert_true(file_occurrences(srv.log, "the read replica cannot answer", 0) >= 1);
}

TD_TEST_MAIN("api_replica", setup, teardown, cmocka_unit_test(a_read_db_it_cannot_use_stops_serve),
             cmocka_unit_test(insight_reads_the_replica), cmocka_unit_test(a_paused_replica_tells_its_lag),
             cmocka_unit_test(a_stopped_replica_sends_insight_to_the_primary))
