/* test_clienteling_live.c — clienteling against a running server with its
 * sender thread and scheduler, and a real SMTP server on loopback
 * (tests/api/sink.h), on SQLite or (with TRUSTDESK_TEST_PG) PostgreSQL:
 *
 * - the associate's personal mail: POST /outreach/{id}/mail puts it in the
 *   outbox, the sender delivers it once, in the customer's language, signed
 *   by their associate, with RFC 8058's one-click headers; a retry with the
 *   same Idempotency-Key is the same answer, not a second mail; the
 *   unsubscribe link's GET changes nothing, its POST withdraws e-mail
 *   consent as a consent event; an unknown link is a 404 page;
 * - the scheduler: an expired hold is released and its unit offered as a
 *   task to the next customer who fits.
 *
 * The server runs with TRUSTDESK_HOLDOUT_PERCENT=0, so every matched
 * customer gets a task and the test may name them. Every wait is for a
 * condition (a message in the sink, a task on the list). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "harness.h"
#include "sink.h"
#include "cmocka_main.h"

static struct server srv;
static struct sink sink;
static struct client admin, anna, mark, anon;

static long long new_customer(const char *body_fields, const char *category)
{
    char body[600], path[128];
    snprintf(body, sizeof body, "{\"home_store_code\":\"UTR01\",%s}", body_fields);
    long long id = post_id(&anna, "/api/v1/customers", body);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/book", id);
    assert_int_equal(req_status(&anna, "PUT", path, "{\"staff_login\":\"anna\"}"), 200);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/sizes/%s", id, category);
    assert_int_equal(req_status(&anna, "PUT", path, "{\"size\":\"M\"}"), 200);
    snprintf(path, sizeof path, "/api/v1/customers/%lld/preferences", id);       /* what makes them fit */
    assert_int_equal(req_status(&anna, "PUT", path, "{\"kind\":\"brand\",\"value\":\"Lanvin\",\"sentiment\":\"like\"}"),
                     200);
    return id;
}

static int setup(void **state)
{
    (void)state;
    sink_start(&sink, "accept", 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", sink.port);
    const struct env_var env[] = {{"TRUSTDESK_SMTP_URL", url}, {"TRUSTDESK_MAIL_INTERVAL", "1"},
                                  {"TRUSTDESK_JOB_INTERVAL", "1"}, {"TRUSTDESK_HOLDOUT_PERCENT", "0"},
                                  {"TRUSTDESK_SHOP_NAME", "Het Warenhuis"},
                                  {"TRUSTDESK_MAIL_FROM", "service@warenhuis.test"}, {NULL, NULL}};
    static const struct member members[] = {
        {"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark}, MEMBERS_END};
    int rc = chain_start_env(&srv, &admin, "UTR01", members, env);
    if (rc != 0) return -1;
    chain_anon(&anon, &srv);
    return req_status(&admin, "PATCH", "/api/v1/staff/anna", "{\"name\":\"Anna de Vries\"}") == 200 ? 0 : -1;
}

static int teardown(void **state)
{
    sink_free(&sink);
    return chain_teardown(state);
}

/* A style of one category with sizes S, M, L, its stock of M in Utrecht, and
 * a collection of it planned there. */
static void collection_planned(const char *coll, const char *style, const char *category, int m_on_hand)
{
    char body[700], path[160];
    snprintf(body, sizeof body,
             "{\"code\":\"%s\",\"name\":\"Merino %s\",\"brand\":\"Lanvin\",\"category\":\"%s\",\"colour\":\"navy\","
             "\"price_cents\":12995,\"variants\":[{\"sku\":\"%s-S\",\"size\":\"S\"},{\"sku\":\"%s-M\",\"size\":\"M\"},"
             "{\"sku\":\"%s-L\",\"size\":\"L\"}]}",
             style, style, category, style, style, style);
    assert_int_equal(req_status(&admin, "POST", "/api/v1/styles", body), 201);
    snprintf(path, sizeof path, "/api/v1/stores/UTR01/stock/%s-M", style);
    snprintf(body, sizeof body, "{\"on_hand\":%d}", m_on_hand);
    assert_int_equal(req_status(&mark, "PUT", path, body), 200);
    snprintf(body, sizeof body, "{\"code\":\"%s\",\"name\":\"%s autumn\",\"styles\":[\"%s\"]}", coll, category, style);
    assert_int_equal(req_status(&admin, "POST", "/api/v1/collections", body), 201);
    snprintf(path, sizeof path, "/api/v1/collections/%s/stores/UTR01", coll);
    assert_int_equal(req_status(&mark, "PUT", path, "{\"arrives_at\":\"2030-01-01T09:00:00Z\"}"), 200);
}

/* The same, arrived now. */
static void collection_arrives(const char *coll, const char *style, const char *category, int m_on_hand)
{
    collection_planned(coll, style, category, m_on_hand);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/collections/%s/stores/UTR01/arrive", coll);
    assert_int_equal(req_status(&mark, "POST", path, "{}"), 200);
}

/* The id of the customer's open task on Anna's list today (0: none). */
static long long task_of(long long customer)
{
    struct resp r;
    req_expect(&anna, "GET", "/api/v1/outreach/today", NULL, 200, &r);
    long long id = 0;
    json_t *items = json_object_get(r.json, "items"), *t;
    size_t i;
    json_array_foreach(items, i, t)
        if (json_integer_value(json_object_get(t, "customer_id")) == customer) id = json_integer_value(json_object_get(t, "id"));
    resp_free(&r);
    return id;
}

/* The text of the base64 body (part) that follows `after` in a message. */
static void decoded_part(const char *msg, const char *after, char *out, size_t n)
{
    const char *p = strstr(msg, after);
    assert_non_null(p);
    p = strstr(p, "\r\n\r\n");
    assert_non_null(p);
    p += 4;
    const char *end = strstr(p, "\r\n--");          /* the next part, or the message's end */
    if (!end) end = p + strlen(p);
    size_t len = 0;
    assert_int_equal(sodium_base642bin((unsigned char *)out, n - 1, p, (size_t)(end - p), "\r\n", &len, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    out[len] = '\0';
}

static long long email_consent(long long customer)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld", customer);
    struct resp r;
    req_expect(&anna, "GET", path, NULL, 200, &r);
    long long given = json_is_true(json_object_get(json_object_get(json_object_get(r.json, "consent"),
                                                                   "email_marketing"), "given"));
    resp_free(&r);
    return given;
}

static void the_personal_mail_and_one_click_out(void **state)
{
    (void)state;
    long long james = new_customer("\"name\":\"James Miller\",\"email\":\"james@example.test\",\"lang\":\"en\","
                                   "\"consent\":{\"email_marketing\":{\"given\":true,\"source\":\"desk\"}}", "Knitwear");
    long long lotte = new_customer("\"name\":\"Lotte Jansen\",\"phone\":\"06-12345678\","
                                   "\"consent\":{\"phone_marketing\":{\"given\":true,\"source\":\"desk\"}}", "Knitwear");
    /* A language the desk does not write in is named, and nothing is made. */
    struct resp r;
    req_expect_field(&anna, "POST", "/api/v1/customers", "{\"name\":\"X\",\"lang\":\"de\"}", 422, "lang");
    collection_arrives("KNIT-AW", "KN-1", "Knitwear", 3);
    long long t_james = task_of(james), t_lotte = task_of(lotte);
    assert_true(t_james > 0 && t_lotte > 0);

    /* Lotte has no e-mail address: refused, naming the channel, task still open. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/outreach/%lld/mail", t_lotte);
    req_expect_field(&anna, "POST", path, "{}", 409, "channel");
    assert_int_equal(task_of(lotte), t_lotte);

    /* James is mailed in English; a retry of the request is the same answer. */
    snprintf(path, sizeof path, "/api/v1/outreach/%lld/mail", t_james);
    assert_int_equal(req_h(&anna, "POST", path, "{}", &r, "Idempotency-Key: mail-james-1", NULL), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "outcome"), "mailed");
    assert_non_null(json_object_get(json_object_get(r.json, "script"), "items"));   /* the task as the screen shows it */
    char mid[200];
    snprintf(mid, sizeof mid, "%s", jstr(r.json, "message_id"));
    resp_free(&r);
    assert_int_equal(req_h(&anna, "POST", path, "{}", &r, "Idempotency-Key: mail-james-1", NULL), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "message_id"), mid);
    resp_free(&r);
    req_expect(&anna, "POST", path, "{}", 409, &r);               /* without the key: the task is done */
    assert_true(has_err_field(&r, "status"));
    resp_free(&r);

    char *msg = sink_wait(&sink, 1);
    char want[300];
    snprintf(want, sizeof want, "\r\nMessage-ID: %s\r\n", mid);
    sink_expect(msg, (const char *const[]){want, "X-Envelope-To: james@example.test\r\n",
                                           "\r\nFrom: \"Anna de Vries\" <service@warenhuis.test>\r\n",
                                           "\r\nSubject: Just arrived: Knitwear autumn\r\n", "\r\nContent-Language: en\r\n",
                                           "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n", NULL});
    const char *lu = strstr(msg, "\r\nList-Unsubscribe: <");
    assert_non_null(lu);
    const char *tok = strstr(lu, "/api/v1/unsubscribe/");
    assert_non_null(tok);
    char link[128];
    snprintf(link, sizeof link, "%.*s", (int)(strchr(tok, '>') - tok), tok);
    char text[8192];
    decoded_part(msg, "Content-Type: text/plain", text, sizeof text);
    free(msg);
    sink_expect(text, (const char *const[]){"Dear James Miller,", "Merino KN-1 (navy, size M)",
                                            "Kind regards,\nAnna de Vries\nHet Warenhuis", link, NULL});
    /* The sender marks the message sent once the SMTP server's 250 is back:
     * just after the message arrived, not at the same moment. */
    long long sent = 0;
    for (int64_t end = sink_deadline(); clock_mono_us() < end && sent == 0; sink_pause())
        sent = server_sql_int(&srv, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NOT NULL");
    assert_int_equal(sent, 1);

    /* The link: a GET (a mail scanner) changes nothing. */
    req_expect(&anon, "GET", link, NULL, 200, &r);
    assert_non_null(strstr(r.body, "<html lang=\"en\""));
    assert_non_null(strstr(r.body, "Yes, unsubscribe me"));
    assert_null(strstr(r.body, "James"));                        /* a forwarded link shows nobody */
    char csp[400];
    assert_non_null(resp_header(&r, "Content-Security-Policy", csp, sizeof csp));
    assert_non_null(strstr(csp, "form-action 'self'"));
    resp_free(&r);
    assert_int_equal(email_consent(james), 1);
    /* The one click (RFC 8058) withdraws e-mail consent at once, as a consent event. */
    assert_int_equal(req_h(&anon, "POST", link, "List-Unsubscribe=One-Click", &r,
                           "Content-Type: application/x-www-form-urlencoded", NULL), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "You are unsubscribed"));
    resp_free(&r);
    assert_int_equal(email_consent(james), 0);
    char sql[200];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM consent_events WHERE customer_id = %lld AND channel = 'email_marketing'"
             " AND given = 0 AND source = 'unsubscribe link'", james);
    assert_int_equal(server_sql_int(&srv, sql), 1);
    /* Twice is harmless; an unknown link is a page that says so. */
    assert_int_equal(req_h(&anon, "POST", link, "List-Unsubscribe=One-Click", &r,
                           "Content-Type: application/x-www-form-urlencoded", NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(server_sql_int(&srv, sql), 1);
    req_expect(&anon, "GET", "/api/v1/unsubscribe/0123456789abcdef0123456789abcdef",
               NULL, 404, &r);
    assert_non_null(strstr(r.body, "niet (meer) geldig"));
    resp_free(&r);
    assert_int_equal(sink_count(&sink), 1);                      /* one mail, never two */
}

static void an_expired_hold_goes_to_the_next_customer(void **state)
{
    (void)state;
    long long eva = new_customer("\"name\":\"Eva Bakker\",\"phone\":\"06-23456789\","
                                 "\"consent\":{\"phone_marketing\":{\"given\":true}}", "Vesten");
    collection_arrives("VEST-AW", "VS-1", "Vesten", 1);
    long long t_eva = task_of(eva);
    assert_true(t_eva > 0);
    char body[200];
    snprintf(body, sizeof body, "{\"sku\":\"VS-1-M\",\"customer_id\":%lld,\"task_id\":%lld}", eva, t_eva);
    struct resp r;
    long long hold = post_id(&anna, "/api/v1/holds", body);
    /* Ilse wears M too, but the only M is held for Eva. */
    long long ilse = new_customer("\"name\":\"Ilse de Boer\",\"phone\":\"06-34567890\","
                                  "\"consent\":{\"phone_marketing\":{\"given\":true}}", "Vesten");
    assert_int_equal(task_of(ilse), 0);
    /* Eva does not come: her hold runs out (moved to the past), and the
     * scheduler — every second here — releases the M and gives Ilse a task. */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE holds SET expires_at = %lld WHERE id = %lld", (long long)clock_now_us(NULL) - 1,
             hold);
    assert_int_equal(server_sql(&srv, sql), 0);
    long long t_ilse = 0;
    for (int64_t end = sink_deadline(); clock_mono_us() < end && !(t_ilse = task_of(ilse)); sink_pause()) {}
    assert_true(t_ilse > 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM holds WHERE id = %lld AND status = 'released'", hold);
    assert_int_equal(server_sql_int(&srv, sql), 1);
    req_expect(&anna, "GET", "/api/v1/styles/VS-1", NULL, 200, &r);
    assert_int_equal(jint(r.json, "variants.1.available"), 1);
    resp_free(&r);
}

/* `trustdesk collection preview|arrive|report` on the server's database. */
static int collection_cli(const char *what, const char *coll, char *out, size_t n)
{
    setenv("TRUSTDESK_HOLDOUT_PERCENT", "0", 1);
    int rc = run_cli(NULL, out, n, "collection", what, "--db", srv.db_url, "--collection", coll, "--store", "UTR01", NULL);
    unsetenv("TRUSTDESK_HOLDOUT_PERCENT");
    return rc;
}

static void the_cli_previews_arrives_and_reports(void **state)
{
    (void)state;
    long long sem = new_customer("\"name\":\"Sem Smit\",\"phone\":\"06-45678901\","
                                 "\"consent\":{\"phone_marketing\":{\"given\":true}}", "Shirts");
    collection_planned("SHIRT-AW", "SH-1", "Shirts", 4);
    char out[4096];
    assert_int_equal(collection_cli("preview", "SHIRT-AW", out, sizeof out), 0);
    if (!strstr(out, "preview: SHIRT-AW in UTR01:") || !strstr(out, " 1 fit, 1 tasks to write") || !strstr(out, "anna "))
        fail_msg("preview said:\n%s", out);
    assert_int_equal(task_of(sem), 0);                          /* a preview writes nothing */
    assert_int_equal(collection_cli("arrive", "SHIRT-AW", out, sizeof out), 0);
    if (!strstr(out, "arrived: SHIRT-AW in UTR01:") || !strstr(out, "1 tasks written")) fail_msg("arrive said:\n%s", out);
    assert_true(task_of(sem) > 0);
    assert_int_equal(collection_cli("arrive", "SHIRT-AW", out, sizeof out), 0);
    if (!strstr(out, "0 tasks written") || !strstr(out, "1 matched before")) fail_msg("again said:\n%s", out);
    assert_int_equal(collection_cli("report", "SHIRT-AW", out, sizeof out), 0);
    if (!strstr(out, "report: SHIRT-AW in UTR01") || !strstr(out, "too few to tell")) fail_msg("report said:\n%s", out);
    /* An unknown collection fails (named on stderr), and writes nothing. */
    assert_int_equal(collection_cli("arrive", "NOPE-1", out, sizeof out), 1);
    assert_int_equal(collection_cli("launch", "SHIRT-AW", out, sizeof out), 2);
}

TD_TEST_MAIN("api_clienteling_live", setup, teardown,
             cmocka_unit_test(the_personal_mail_and_one_click_out),
             cmocka_unit_test(an_expired_hold_goes_to_the_next_customer),
             cmocka_unit_test(the_cli_previews_arrives_and_reports))
