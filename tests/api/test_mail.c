/* test_mail.c — the outbox and its SMTP sender against a real SMTP server on
 * loopback (tests/api/smtp_sink.py, Debian's python3-aiosmtpd), on SQLite or,
 * with TRUSTDESK_TEST_PG, on PostgreSQL: a message is delivered once, with
 * its headers and Message-ID; a server that is down costs nothing and the
 * message goes when it is back; a refusing server gets the message retried
 * and then marked failed, never lost silently; two senders never claim one
 * message; the server's sender thread delivers what a transaction enqueued.
 * Every wait is for a condition (a file in the sink's folder, a row). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "core/clock.h"
#include "core/errors.h"
#include "db/db.h"
#include "harness.h"
#include "sink.h"
#include "mail/mail.h"

#define NOW (1795000000000000LL)          /* 2026-11-18 */

/* ---- the database -------------------------------------------------------- */

struct fx {
    struct server srv;                /* only its database (no process) */
    struct db *db;
    struct sink sink;
    struct mail_config cfg;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    if (!f || server_make_db(&f->srv) != 0) return -1;
    if (run_cli(NULL, NULL, 0, "migrate", "--db", f->srv.db_url, NULL) != 0) return -1;
    if (db_open(f->srv.db_url, &f->db) != TD_OK) return -1;
    mail_config_from_env(&f->cfg);
    f->cfg.timeout_s = 20;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    if (f->sink.dir[0]) sink_free(&f->sink);
    db_close(f->db);
    server_stop(&f->srv);
    free(f);
    return 0;
}

static void point_at(struct fx *f, int port)
{
    snprintf(f->cfg.url, sizeof f->cfg.url, "smtp://127.0.0.1:%d", port);
}

static int64_t q(struct fx *f, const char *sql)
{
    int64_t v = -1;
    assert_int_equal(db_query_int64(f->db, sql, &v), TD_OK);
    return v;
}

static const struct mail_msg marketing = {
    .kind = MAIL_MARKETING, .to = "klant@example.test", .from = "winkel@warenhuis.test", .from_name = "Het \"Warenhuis\"",
    .subject = "Uw pasvorm is binnen \xe2\x80\x94 kom passen", .text = "Beste klant,\n\n.Een punt vooraan blijft staan.\n",
    .html = "<p>Beste klant,</p>", .lang = "nl", .unsubscribe_url = "https://warenhuis.test/u/abc123",
};

/* Enqueues m in a transaction of its own (as a request's would be). */
static void enqueue(struct fx *f, const struct mail_msg *m, char mid[MAIL_ID_SZ])
{
    struct errors err;
    errors_init(&err);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = mail_enqueue(f->db, NOW, m, &err, mid);
    for (size_t i = 0; i < err.n; i++) fprintf(stderr, "enqueue: %s %s\n", err.item[i].field, err.item[i].problem);
    assert_int_equal(rc, TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
}

/* ---- the tests ----------------------------------------------------------- */

static void delivered_once_with_headers(void **state)
{
    struct fx *f = *state;
    sink_start(&f->sink, "accept", 0);
    point_at(f, f->sink.port);
    char mid[MAIL_ID_SZ];
    enqueue(f, &marketing, mid);
    assert_true(strncmp(mid, "<", 1) == 0 && strstr(mid, "@warenhuis.test>"));
    struct mail_round r;
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW, 10, &r), TD_OK);
    assert_int_equal(r.sent, 1);
    char *text = sink_wait(&f->sink, 1);
    char want[400];
    snprintf(want, sizeof want, "\r\nMessage-ID: %s\r\n", mid);
    assert_non_null(strstr(text, want));
    assert_non_null(strstr(text, "X-Envelope-From: winkel@warenhuis.test\r\n"));
    assert_non_null(strstr(text, "X-Envelope-To: klant@example.test\r\n"));
    assert_non_null(strstr(text, "\r\nTo: klant@example.test\r\n"));
    assert_non_null(strstr(text, "\r\nFrom: \"Het \\\"Warenhuis\\\"\" <winkel@warenhuis.test>\r\n"));
    assert_non_null(strstr(text, "\r\nSubject: =?UTF-8?B?"));
    assert_non_null(strstr(text, "\r\nList-Unsubscribe: <https://warenhuis.test/u/abc123>\r\n"));
    assert_non_null(strstr(text, "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n"));
    assert_non_null(strstr(text, "\r\nContent-Language: nl\r\n"));
    assert_non_null(strstr(text, "Content-Type: multipart/alternative;"));
    assert_non_null(strstr(text, "Content-Type: text/html; charset=UTF-8"));
    assert_non_null(strstr(text, "\r\nDate: Wed, 18 Nov 2026"));
    assert_null(strstr(text, "Auto-Submitted"));   /* marketing is no automatic answer */
    free(text);
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts = 1"), 1);
    /* Sent is sent: a later round sends nothing, and nothing more arrives. */
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + 3600LL * 1000000, 10, &r), TD_OK);
    assert_int_equal(r.sent + r.failed_for_now + r.given_up, 0);
    assert_int_equal(sink_count(&f->sink), 1);

    /* Transactional mail: plain text only, no unsubscribe headers. */
    struct mail_msg t = {.kind = MAIL_TRANSACTIONAL, .to = "k2@example.test", .from = "winkel@warenhuis.test",
                         .subject = "Uw tegoedbon", .text = "Hier is hij.", .lang = "nl"};
    enqueue(f, &t, mid);
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW, 10, &r), TD_OK);
    assert_int_equal(r.sent, 1);
    text = sink_wait(&f->sink, 2);
    assert_null(strstr(text, "List-Unsubscribe"));
    assert_non_null(strstr(text, "\r\nSubject: Uw tegoedbon\r\n"));
    assert_non_null(strstr(text, "\r\nAuto-Submitted: auto-generated\r\n"));
    assert_non_null(strstr(text, "Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: base64\r\n"));
    free(text);
}

static void server_down_then_back(void **state)
{
    struct fx *f = *state;
    int port = sink_dead_port();
    point_at(f, port);
    char mid[MAIL_ID_SZ];
    enqueue(f, &marketing, mid);
    struct mail_round r;
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW, 10, &r), TD_OK);
    assert_int_equal(r.sent, 0);
    assert_int_equal(r.failed_for_now, 1);
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND attempts = 1"
                          " AND last_error IS NOT NULL"), 1);
    /* Not due again before its back-off has passed. */
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + f->cfg.backoff_us - 1, 10, &r), TD_OK);
    assert_int_equal(r.sent + r.failed_for_now, 0);
    /* The second wait is twice the first. */
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + f->cfg.backoff_us, 10, &r), TD_OK);
    assert_int_equal(r.failed_for_now, 1);
    assert_int_equal(q(f, "SELECT next_attempt_at FROM mail_outbox"), NOW + 3 * f->cfg.backoff_us);
    /* The server comes back: the message goes, once, with its Message-ID. */
    sink_start(&f->sink, "accept", port);
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + 3 * f->cfg.backoff_us, 10, &r), TD_OK);
    assert_int_equal(r.sent, 1);
    char *text = sink_wait(&f->sink, 1);
    assert_non_null(strstr(text, mid));
    free(text);
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL AND attempts = 3"
                          " AND last_error IS NULL"), 1);
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + 100 * f->cfg.backoff_us, 10, &r), TD_OK);
    assert_int_equal(sink_count(&f->sink), 1);
}

static void refused_is_retried_then_failed(void **state)
{
    struct fx *f = *state;
    sink_start(&f->sink, "refuse", 0);
    point_at(f, f->sink.port);
    f->cfg.max_attempts = 2;
    enqueue(f, &marketing, NULL);
    struct mail_round r;
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW, 10, &r), TD_OK);
    assert_int_equal(r.failed_for_now, 1);
    char err[300];
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(f->db, "SELECT last_error FROM mail_outbox", &st), TD_OK);
    assert_int_equal(db_step(st), TD_ROW);
    snprintf(err, sizeof err, "%s", db_col_text(st, 0));
    db_done(st);
    assert_non_null(strstr(err, "550"));
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + f->cfg.backoff_us, 10, &r), TD_OK);
    assert_int_equal(r.given_up, 1);
    /* Kept, marked failed, with the server's answer: never lost silently. */
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox WHERE failed_at IS NOT NULL AND sent_at IS NULL"
                          " AND attempts = 2 AND last_error LIKE '%550%'"), 1);
    assert_int_equal(mail_send_due(f->db, &f->cfg, NOW + 1000 * f->cfg.backoff_us, 10, &r), TD_OK);
    assert_int_equal(r.sent + r.failed_for_now + r.given_up, 0);
    assert_int_equal(sink_count(&f->sink), 0);
}

/* Two senders (two servers on one database) never claim one message. */
static void one_claim_per_message(void **state)
{
    struct fx *f = *state;
    point_at(f, 1);
    struct db *other = NULL;
    assert_int_equal(db_open(f->srv.db_url, &other), TD_OK);
    enqueue(f, &marketing, NULL);
    enqueue(f, &marketing, NULL);
    int64_t a = 0, b = 0, c = 0;
    assert_int_equal(mail_claim(f->db, &f->cfg, NOW, &a), TD_OK);
    assert_int_equal(mail_claim(other, &f->cfg, NOW, &b), TD_OK);
    assert_int_equal(mail_claim(other, &f->cfg, NOW, &c), TD_OK);
    assert_true(a > 0 && b > 0 && a != b);
    assert_int_equal(c, 0);
    /* A claim that was never marked (a crash mid-send) runs out: the
     * message is due again, at least once. */
    assert_int_equal(mail_claim(other, &f->cfg, NOW + f->cfg.lease_us, &c), TD_OK);
    assert_true(c == a || c == b);
    db_close(other);
}

static void enqueue_checks_and_erasure_forgets(void **state)
{
    struct fx *f = *state;
    struct errors err;
    errors_init(&err);
    struct mail_msg m = marketing;
    m.unsubscribe_url = NULL;
    m.subject = "Twee\r\nBcc: iedereen@example.test";
    m.to = "geen adres";
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(mail_enqueue(f->db, NOW, &m, &err, NULL), TD_E_INVALID);
    db_rollback(f->db);
    const char *fields[] = {"to", "subject", "unsubscribe_url"};
    assert_int_equal(err.n, 3);
    for (size_t i = 0; i < 3; i++) assert_string_equal(err.item[i].field, fields[i]);

    assert_int_equal(db_exec(f->db, "INSERT INTO customers (id, name, created_at, updated_at) VALUES (7, 'K', 0, 0)"), TD_OK);
    m = marketing;
    m.customer_id = 7;
    enqueue(f, &m, NULL);
    enqueue(f, &m, NULL);
    enqueue(f, &marketing, NULL);
    assert_int_equal(db_exec(f->db, "UPDATE mail_outbox SET sent_at = 1 WHERE id = (SELECT MIN(id) FROM mail_outbox)"), TD_OK);
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(mail_forget_customer(f->db, 7), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox"), 1);
    assert_int_equal(q(f, "SELECT COUNT(*) FROM mail_outbox WHERE customer_id IS NULL"), 1);
}

struct live {
    struct sink sink;
    struct server srv;
    struct db *db;
};

static int live_setup(void **state)
{
    struct live *l = calloc(1, sizeof *l);
    *state = l;
    return l ? 0 : -1;
}

/* Stops what the test started, also when an assertion failed half-way. */
static int live_teardown(void **state)
{
    struct live *l = *state;
    db_close(l->db);
    if (l->srv.dir[0]) server_stop(&l->srv);
    if (l->sink.dir[0]) sink_free(&l->sink);
    free(l);
    return 0;
}

/* The server's own sender thread delivers what a transaction enqueued. */
static void the_server_sends(void **state)
{
    struct live *l = *state;
    struct sink *sink = &l->sink;
    sink_start(sink, "accept", 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", sink->port);
    setenv("TRUSTDESK_SMTP_URL", url, 1);
    setenv("TRUSTDESK_MAIL_INTERVAL", "1", 1);
    int started = server_start(&l->srv);
    unsetenv("TRUSTDESK_SMTP_URL");
    unsetenv("TRUSTDESK_MAIL_INTERVAL");
    assert_int_equal(started, 0);
    assert_int_equal(db_open(l->srv.db_url, &l->db), TD_OK);
    struct db *db = l->db;
    struct errors err;
    errors_init(&err);
    char mid[MAIL_ID_SZ];
    assert_int_equal(db_begin(db, 1), TD_OK);
    assert_int_equal(mail_enqueue(db, clock_now_us(NULL), &marketing, &err, mid), TD_OK);
    assert_int_equal(db_commit(db), TD_OK);
    char *text = sink_wait(sink, 1);
    assert_non_null(strstr(text, mid));
    free(text);
    int64_t sent = 0;
    for (int64_t end = sink_deadline(); clock_mono_us() < end && sent == 0; sink_pause())
        assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL", &sent), TD_OK);
    assert_int_equal(sent, 1);
    server_stop(&l->srv);
    memset(&l->srv, 0, sizeof l->srv);
    assert_int_equal(sink_count(sink), 1);
}

/* Every row: the test on its own database and mail sink (setup), removed again by teardown. */
#define OUTBOX_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        OUTBOX_TEST(delivered_once_with_headers),
        OUTBOX_TEST(server_down_then_back),
        OUTBOX_TEST(refused_is_retried_then_failed),
        OUTBOX_TEST(one_claim_per_message),
        OUTBOX_TEST(enqueue_checks_and_erasure_forgets),
        cmocka_unit_test_setup_teardown(the_server_sends, live_setup, live_teardown),
    };
    return cmocka_run_group_tests_name("api_mail", tests, NULL, NULL);
}
