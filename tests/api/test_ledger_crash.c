/* test_ledger_crash.c — kill -9 the server in the middle of 2,000
 * concurrent redemptions, ten times. After each restart `ledger verify`
 * passes and every redemption that was answered 2xx is in the ledger (a
 * redemption whose answer was lost may or may not be: both are fine). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

#define NOTES 20
#define REQUESTS 2000
#define THREADS 16
#define ROUNDS 10

static struct server srv;
static char token[64];
static char codes[NOTES][40];

struct shot { int note; char till[32]; int cents; long status; };
static struct shot shots[REQUESTS];
static int next_shot;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static int setup(void **state)
{
    (void)state;
    if (server_start(&srv) != 0) return -1;
    struct client admin;
    client_init(&admin, &srv);
    if (login(&admin, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) return -1;
    make_store(&admin, "UTR01", "Utrecht Centrum", "Utrecht");
    make_staff(&admin, "kassa", "manager", "UTR01", "kassa-password");
    client_free(&admin);
    char out[64];
    if (run_cli(NULL, out, sizeof out, "token", "add", "--db", srv.db_url, "--login", "kassa", NULL) != 0) return -1;
    out[strcspn(out, "\n")] = '\0';
    snprintf(token, sizeof token, "%s", out);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    server_stop(&srv);
    return 0;
}

static void *worker(void *arg)
{
    (void)arg;
    struct client c;
    client_init(&c, &srv);
    snprintf(c.bearer, sizeof c.bearer, "%s", token);
    c.no_origin = 1;
    for (;;) {
        pthread_mutex_lock(&lock);
        int i = next_shot < REQUESTS ? next_shot++ : -1;
        pthread_mutex_unlock(&lock);
        if (i < 0) break;
        struct shot *s = &shots[i];
        char path[128], body[160], key[80];
        snprintf(path, sizeof path, "/api/v1/credit-notes/%.30s/redemptions", codes[s->note]);
        snprintf(body, sizeof body, "{\"amount_cents\":%d,\"store_code\":\"UTR01\",\"till_reference\":\"%s\"}", s->cents, s->till);
        snprintf(key, sizeof key, "Idempotency-Key: %s", s->till);
        struct resp r;
        if (req_h(&c, "POST", path, body, &r, key, NULL) == 0) {
            s->status = r.status;
            resp_free(&r);
        } else {
            s->status = -1;            /* no answer: the server died */
            client_free(&c);           /* a fresh connection for the next try */
            client_init(&c, &srv);
            snprintf(c.bearer, sizeof c.bearer, "%s", token);
            c.no_origin = 1;
        }
    }
    client_free(&c);
    return NULL;
}

/* 1 when the note's history holds a redemption with this till reference. */
static int in_history(json_t *hist, const char *till)
{
    int n = 0;
    for (size_t i = 0; i < json_array_size(hist); i++) {
        json_t *e = json_array_get(hist, i);
        const char *t = json_string_value(json_object_get(e, "till_reference"));
        if (t && strcmp(t, till) == 0) n++;
    }
    return n;
}

static void crash_ten_times_during_redemptions(void **state)
{
    (void)state;
    srand((unsigned)time(NULL));
    int total_ok = 0, total_lost = 0;
    for (int round = 0; round < ROUNDS; round++) {
        struct client c;
        client_init(&c, &srv);
        snprintf(c.bearer, sizeof c.bearer, "%s", token);
        c.no_origin = 1;
        for (int n = 0; n < NOTES; n++) {
            struct resp r;
            assert_int_equal(req(&c, "POST", "/api/v1/credit-notes", "{\"amount_cents\":20000,\"reason\":\"crash test\"}", &r), 0);
            assert_int_equal(r.status, 201);
            snprintf(codes[n], sizeof codes[n], "%s", jstr(r.json, "code"));
            resp_free(&r);
        }
        client_free(&c);
        for (int i = 0; i < REQUESTS; i++) {
            shots[i].note = i % NOTES;
            shots[i].cents = 1 + rand() % 50;
            shots[i].status = 0;
            snprintf(shots[i].till, sizeof shots[i].till, "r%d-%d", round, i);
        }
        next_shot = 0;
        pthread_t t[THREADS];
        for (int i = 0; i < THREADS; i++) pthread_create(&t[i], NULL, worker, NULL);
        usleep((useconds_t)(100000 + rand() % 400000));
        server_kill9(&srv);
        for (int i = 0; i < THREADS; i++) pthread_join(t[i], NULL);
        assert_int_equal(server_restart(&srv), 0);

        char out[4096];
        int vrc = run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", srv.db_url, NULL);
        if (vrc != 0) fail_msg("round %d: ledger verify failed: %s", round, out);

        client_init(&c, &srv);
        snprintf(c.bearer, sizeof c.bearer, "%s", token);
        c.no_origin = 1;
        int ok = 0, lost = 0;
        for (int n = 0; n < NOTES; n++) {
            char path[128];
            snprintf(path, sizeof path, "/api/v1/credit-notes/%.30s", codes[n]);
            struct resp r;
            assert_int_equal(req(&c, "GET", path, NULL, &r), 0);
            assert_int_equal(r.status, 200);
            json_t *hist = json_object_get(r.json, "history");
            long long spent = 0;
            for (int i = n; i < REQUESTS; i += NOTES) {
                int seen = in_history(hist, shots[i].till);
                assert_true(seen <= 1);                       /* never booked twice */
                if (shots[i].status == 201) {
                    if (!seen) fail_msg("round %d: %s was answered 201 but is not in the ledger", round, shots[i].till);
                    ok++;
                } else if (shots[i].status != 409) {
                    lost++;
                }
                if (seen) spent += shots[i].cents;
            }
            assert_int_equal(jint(r.json, "balance_cents"), 20000 - spent);
            resp_free(&r);
        }
        client_free(&c);
        total_ok += ok;
        total_lost += lost;
    }
    print_message("%d redemptions answered 2xx and found in the ledger; %d unanswered at the crashes\n", total_ok, total_lost);
    assert_true(total_ok > 0);
    assert_true(total_lost > 0);   /* the crashes did land mid-stream */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(crash_ten_times_during_redemptions),
    };
    return cmocka_run_group_tests_name("api_ledger_crash", tests, setup, teardown);
}
