/* test_limits.c — bad input is refused with a clear error and changes
 * nothing; request limits; logs without secrets; metrics. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "harness.h"

static struct server srv;
static struct client admin;

static int setup(void **state)
{
    (void)state;
    if (server_start(&srv) != 0) return -1;
    client_init(&admin, &srv);
    if (login(&admin, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) return -1;
    make_store(&admin, "UTR01", "Utrecht Centrum", "Utrecht");
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_free(&admin);
    server_stop(&srv);
    return 0;
}

static long count_customers(void)
{
    struct resp r;
    assert_int_equal(req(&admin, "GET", "/api/v1/customers?q=limittest&limit=100", NULL, &r), 0);
    long n = (long)json_array_size(json_object_get(r.json, "items"));
    resp_free(&r);
    return n;
}

static void malformed_and_mistyped_bodies(void **state)
{
    (void)state;
    struct { const char *body; long status; const char *field; } cases[] = {
        {"{\"name\":\"limittest\"", 400, ""},
        {"[1,2,3]", 400, ""},
        {"\"just a string\"", 400, ""},
        {"", 400, ""},
        {"{\"name\":\"limittest\",\"name\":\"twice\"}", 400, ""},
        {"{\"name\":\"limittest \\u0000 nul\"}", 400, ""},
        {"{\"name\":\"limittest\xff\xfe\"}", 400, ""},
        {"{\"name\":[\"limittest\"]}", 422, "name"},
        {"{\"name\":\"limittest\",\"email\":17}", 422, "email"},
        {"{\"name\":\"limittest\",\"admin\":true}", 422, "admin"},
    };
    long before = count_customers();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct resp r;
        assert_int_equal(req(&admin, "POST", "/api/v1/customers", cases[i].body, &r), 0);
        if (r.status != cases[i].status)
            fail_msg("body #%zu: got %ld %s, expected %ld", i, r.status, r.body, cases[i].status);
        assert_non_null(json_object_get(json_object_get(r.json, "error"), "code"));
        assert_non_null(json_object_get(json_object_get(r.json, "error"), "message"));
        if (cases[i].field[0] && !has_err_field(&r, cases[i].field))
            fail_msg("body #%zu: %s does not name %s", i, r.body, cases[i].field);
        resp_free(&r);
    }
    /* Deeply nested JSON is refused, not a crash. */
    char *deep = malloc(200001);
    assert_non_null(deep);
    memset(deep, '[', 100000);
    memset(deep + 100000, ']', 100000);
    deep[200000] = '\0';
    struct resp r;
    assert_int_equal(req(&admin, "POST", "/api/v1/customers", deep, &r), 0);
    assert_int_equal(r.status, 400);
    resp_free(&r);
    free(deep);
    assert_int_equal(count_customers(), before);
}

static void two_megabyte_body_gets_413(void **state)
{
    (void)state;
    size_t n = 2u << 20;
    char *big = malloc(n + 64);
    assert_non_null(big);
    int k = snprintf(big, n + 64, "{\"name\":\"limittest\",\"email\":\"");
    memset(big + k, 'a', n);
    snprintf(big + k + n, 64, "@example.nl\"}");
    struct resp r;
    assert_int_equal(req(&admin, "POST", "/api/v1/customers", big, &r), 0);
    assert_int_equal(r.status, 413);
    assert_string_equal(jstr(r.json, "error.code"), "too_large");
    resp_free(&r);
    free(big);
    assert_int_equal(count_customers(), 0);
    /* The server still answers afterwards. */
    assert_int_equal(req(&admin, "GET", "/healthz", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

/* Sends raw bytes on a new connection and returns what came back (up to n). */
static size_t raw(const char *data, size_t len, char *out, size_t n)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t off = 0;
    while (off < len) {
        ssize_t w = send(fd, data + off, len - off, MSG_NOSIGNAL);
        if (w <= 0) break;
        off += (size_t)w;
    }
    size_t got = 0;
    ssize_t k;
    while (got + 1 < n && (k = recv(fd, out + got, n - 1 - got, 0)) > 0) got += (size_t)k;
    out[got] = '\0';
    close(fd);
    return got;
}

static void oversized_headers_are_refused(void **state)
{
    (void)state;
    size_t n = 200000;
    char *buf = malloc(n + 256);
    assert_non_null(buf);
    int k = snprintf(buf, 256, "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Filler: ");
    memset(buf + k, 'x', n);
    memcpy(buf + k + n, "\r\n\r\n", 5);
    char out[2048];
    raw(buf, strlen(buf), out, sizeof out);
    free(buf);
    /* libmicrohttpd answers 431 (or closes the connection) — never 200. */
    assert_null(strstr(out, " 200 "));
}

static void declared_length_over_the_cap_is_refused_before_reading(void **state)
{
    (void)state;
    const char *head = "POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                       "Content-Length: 50000000\r\n\r\n{";
    char out[2048];
    raw(head, strlen(head), out, sizeof out);
    assert_non_null(strstr(out, " 413 "));
}

static void keeps_connections_alive(void **state)
{
    (void)state;
    const char *two = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\nGET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char out[4096];
    raw(two, strlen(two), out, sizeof out);
    const char *first = strstr(out, "HTTP/1.1 200");
    assert_non_null(first);
    assert_non_null(strstr(first + 1, "HTTP/1.1 200"));
}

static void logs_hold_no_secrets_and_metrics_count(void **state)
{
    (void)state;
    struct client c;
    client_init(&c, &srv);
    assert_int_equal(login(&c, ADMIN_LOGIN, ADMIN_PASSWORD), 201);
    char csrf[80];
    snprintf(csrf, sizeof csrf, "%s", c.csrf);
    struct resp r;
    assert_int_equal(req(&c, "GET", "/api/v1/me", NULL, &r), 0);
    resp_free(&r);
    assert_int_equal(req(&c, "GET", "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "trustdesk_http_requests_total{route=\"/api/v1/session\",method=\"POST\",status=\"2xx\"}"));
    assert_non_null(strstr(r.body, "trustdesk_http_request_duration_seconds_bucket{route=\"/api/v1/me\""));
    resp_free(&r);
    client_free(&c);
    FILE *f = fopen(srv.log, "r");
    assert_non_null(f);
    char line[8192];
    int lines = 0;
    while (fgets(line, sizeof line, f)) {
        lines++;
        assert_null(strstr(line, ADMIN_PASSWORD));
        assert_null(strstr(line, csrf));
        assert_null(strstr(line, "td_session"));
        if (strstr(line, "\"msg\":\"request\"")) {
            json_error_t e;
            json_t *j = json_loads(line, 0, &e);
            assert_non_null(j);
            assert_int_equal(strlen(jstr(j, "request_id")), 16);
            json_decref(j);
        }
    }
    fclose(f);
    assert_true(lines > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_and_mistyped_bodies),
        cmocka_unit_test(two_megabyte_body_gets_413),
        cmocka_unit_test(oversized_headers_are_refused),
        cmocka_unit_test(declared_length_over_the_cap_is_refused_before_reading),
        cmocka_unit_test(keeps_connections_alive),
        cmocka_unit_test(logs_hold_no_secrets_and_metrics_count),
    };
    return cmocka_run_group_tests_name("api_limits", tests, setup, teardown);
}
