/* test_limits.c — bad input is refused with a clear error and changes
 * nothing; request limits; logs without secrets; metrics. */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <sys/time.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "harness.h"

static struct server srv;
static struct client admin;

static int setup(void **state)
{
    (void)state;
    setenv("TRUSTDESK_MAX_UPLOADS", "1", 1);
    /* The memory checks below read the server's resident size: under
     * AddressSanitizer freed memory waits in a quarantine (256 MiB by
     * default) and would look like growth. */
    char asan[512];
    const char *was = getenv("ASAN_OPTIONS");
    snprintf(asan, sizeof asan, "%s%squarantine_size_mb=1", was ? was : "", was && *was ? ":" : "");
    setenv("ASAN_OPTIONS", asan, 1);
    setenv("TRUSTDESK_METRICS_TOKEN", "limits-metrics-token", 1);
    return chain_start(&srv, &admin, "UTR01", NULL);
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
    assert_int_equal(req_status(&admin, "POST", "/api/v1/customers", deep), 400);
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
    int sent = req(&admin, "POST", "/api/v1/customers", big, &r);
    /* With Expect: 100-continue the client waits for our word: 413 at once,
     * and the body is never sent. */
    struct resp e;
    int sent_e = req_h(&admin, "POST", "/api/v1/customers", big, &e, "Expect: 100-continue", NULL);
    free(big);
    assert_int_equal(sent, 0);
    assert_int_equal(r.status, 413);
    assert_string_equal(jstr(r.json, "error.code"), "too_large");
    resp_free(&r);
    assert_int_equal(sent_e, 0);
    assert_int_equal(e.status, 413);
    resp_free(&e);
    assert_int_equal(count_customers(), 0);
    /* The server still answers afterwards. */
    assert_int_equal(req_status(&admin, "GET", "/healthz", NULL), 200);
}

static int connect_raw(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    struct timeval tv = {60, 0};    /* a bound for a failing test, not a wait */
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0) return;
        p += w;
        n -= (size_t)w;
    }
}

/* Sends raw bytes on a new connection and returns what came back (up to n). */
static size_t raw(const char *data, size_t len, char *out, size_t n)
{
    int fd = connect_raw();
    send_all(fd, data, len);
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

/* A body over the limit that the client sends anyway (no Expect) is read
 * and thrown away, then answered 413 on a connection that stays open: the
 * answer is never lost to a reset, and the next request on it is served. */
static void refused_body_is_drained_and_the_connection_kept(void **state)
{
    (void)state;
    size_t n = 2u << 20;
    const char *next = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    char *msg = malloc(n + 512);
    assert_non_null(msg);
    int k = snprintf(msg, 512, "POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", n);
    memset(msg + k, 'a', n);
    memcpy(msg + k + n, next, strlen(next) + 1);
    char out[4096];
    raw(msg, (size_t)k + n + strlen(next), out, sizeof out);
    free(msg);
    const char *first = strstr(out, "HTTP/1.1 413");
    if (!first) fail_msg("no 413 before the connection ended: %.200s", out);
    if (!strstr(first, "HTTP/1.1 200")) fail_msg("the connection did not serve the next request: %.300s", out);
}

/* Framing that a proxy in front could read differently is refused. */
static void ambiguous_framing_is_refused(void **state)
{
    (void)state;
    const char *cases[] = {
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\nContent-Length: 2\r\n"
        "Connection: close\r\n\r\n{}",
        "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
        "Connection: close\r\n\r\n0\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n",                 /* HTTP/1.1 without Host */
        /* Request targets that are not a path (found by fuzz_http). */
        "GET \xe5\xe5/api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "GET http://127.0.0.1/api/v1/me HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[2048];
        raw(cases[i], strlen(cases[i]), out, sizeof out);
        if (!strstr(out, " 400 ")) fail_msg("case %zu: expected 400, got %.200s", i, out);
    }
    /* A NUL or a bare LF in a header line is handled by libmicrohttpd's own
     * parser before we see the request (it ends the value there); the
     * documented nginx front refuses such lines (docs/security.md). */
}

static long server_rss_kb(void)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)srv.pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    long kb = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, "VmRSS:", 6) == 0) kb = strtol(line + 6, NULL, 10);
    fclose(f);
    return kb;
}

/* Reads until the status line has arrived. */
static void read_status(int fd, char *out, size_t n)
{
    size_t got = 0;
    ssize_t k;
    while (got + 1 < n && !memmem(out, got, "\r\n", 2) && (k = recv(fd, out + got, n - 1 - got, 0)) > 0)
        got += (size_t)k;
    out[got] = '\0';
}

/* An anonymous (or unauthorized) upload to an import route is answered on
 * its headers: the server does not read 256 MiB to say 401. */
static void large_uploads_are_checked_on_their_headers(void **state)
{
    (void)state;
    long before = server_rss_kb();
    int fds[3];
    for (int i = 0; i < 3; i++) {
        fds[i] = connect_raw();
        const char *head = "POST /api/v1/imports/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/csv\r\n"
                           "Content-Length: 268435456\r\n\r\n";
        send_all(fds[i], head, strlen(head));
    }
    for (int i = 0; i < 3; i++) {
        char out[1024];
        read_status(fds[i], out, sizeof out);   /* nothing of the body was sent */
        if (!strstr(out, " 401 ")) fail_msg("anonymous upload %d: expected 401 on the headers, got %.200s", i, out);
        close(fds[i]);
    }
    /* An associate's upload is refused the same way. */
    make_staff(&admin, "limits.assoc", "associate", "UTR01", "limits-assoc-pw");
    struct client as;
    client_init(&as, &srv);
    assert_int_equal(login(&as, "limits.assoc", "limits-assoc-pw"), 201);
    struct resp r;
    assert_int_equal(req_h(&as, "POST", "/api/v1/imports/customers", "loyalty_number,name\n", &r,
                           "Content-Type: text/csv", "Expect: 100-continue", NULL), 0);
    assert_int_equal(r.status, 403);
    resp_free(&r);
    client_free(&as);
    long after = server_rss_kb();
    if (after - before > 32 * 1024) fail_msg("the server grew from %ld to %ld kB", before, after);
}

/* At most TRUSTDESK_MAX_UPLOADS (1 in this suite) large bodies are received
 * at once; another gets 503 with Retry-After and imports nothing. */
static void concurrent_large_uploads_are_capped(void **state)
{
    (void)state;
    char cookie[128];
    assert_int_equal(client_cookie(&admin, "td_session", cookie, sizeof cookie), 0);
    const char *csv = "loyalty_number,name\nNL-UPL-1,Upload Eén\n";
    char head[1024];
    int hl = snprintf(head, sizeof head,
                      "POST /api/v1/imports/customers HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nOrigin: http://127.0.0.1:%d\r\n"
                      "Cookie: td_session=%s\r\nX-CSRF-Token: %s\r\nContent-Type: text/csv\r\n"
                      "Expect: 100-continue\r\nContent-Length: %zu\r\n\r\n", srv.port, srv.port, cookie, admin.csrf,
                      strlen(csv));
    /* "100 Continue" says the server took this upload in (and holds its slot). */
    int fd = connect_raw();
    send_all(fd, head, (size_t)hl);
    char out[1024];
    read_status(fd, out, sizeof out);
    if (!strstr(out, " 100 ")) fail_msg("the first upload was not taken in: %.300s", out);
    struct resp r;
    assert_int_equal(req_h(&admin, "POST", "/api/v1/imports/customers", "loyalty_number,name\n", &r,
                           "Content-Type: text/csv", NULL), 0);
    assert_int_equal(r.status, 503);
    char ra[16];
    assert_string_equal(resp_header(&r, "Retry-After", ra, sizeof ra), "5");
    assert_non_null(strstr(jstr(r.json, "error.message"), "other uploads"));
    resp_free(&r);
    send_all(fd, csv, strlen(csv));
    memset(out, 0, sizeof out);
    size_t got = 0;
    ssize_t k;
    while (got + 1 < sizeof out && !strstr(out, " 200 ") && (k = recv(fd, out + got, sizeof out - 1 - got, 0)) > 0)
        got += (size_t)k;
    if (!strstr(out, " 200 ")) fail_msg("the upload in progress: %.300s", out);
    close(fd);
    /* Its slot was given back before its answer: the next upload is received. */
    assert_int_equal(req_h(&admin, "POST", "/api/v1/imports/customers", "loyalty_number,name\n", &r,
                           "Content-Type: text/csv", NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
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

/* The server's log once it holds needle n times (polled, for a minute at
 * most: the access lines come within a second); the caller frees it. */
static char *wait_log(const char *path, const char *needle, int n)
{
    for (int tries = 0; tries < 6000; tries++) {
        FILE *f = fopen(path, "r");
        assert_non_null(f);
        char *all = NULL;
        size_t len = 0;
        FILE *m = open_memstream(&all, &len);
        char chunk[8192];
        size_t got;
        while ((got = fread(chunk, 1, sizeof chunk, f)) > 0) fwrite(chunk, 1, got, m);
        fclose(f);
        fclose(m);
        int seen = 0;
        for (const char *p = all; (p = strstr(p, needle)) != NULL; p += strlen(needle)) seen++;
        if (seen >= n) return all;
        free(all);
        struct timespec ts = {0, 10 * 1000000L};
        nanosleep(&ts, NULL);
    }
    fail_msg("the log %s never held %d of %s", path, n, needle);
    return NULL;
}

static void logs_hold_no_secrets_and_metrics_count(void **state)
{
    (void)state;
    struct client c;
    client_login(&c, &srv, ADMIN_LOGIN);
    char csrf[80];
    snprintf(csrf, sizeof csrf, "%s", c.csrf);
    struct resp r;
    assert_int_equal(req(&c, "GET", "/api/v1/me", NULL, &r), 0);
    resp_free(&r);
    assert_int_equal(req(&c, "GET", "/metrics", NULL, &r), 0);
    assert_int_equal(r.status, 401);                    /* TRUSTDESK_METRICS_TOKEN is set */
    resp_free(&r);
    assert_int_equal(req_h(&c, "GET", "/metrics", NULL, &r, "Authorization: Bearer wrong-token", NULL), 0);
    assert_int_equal(r.status, 401);
    resp_free(&r);
    assert_int_equal(req_h(&c, "GET", "/metrics", NULL, &r, "Authorization: Bearer limits-metrics-token", NULL), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "trustdesk_http_requests_total{route=\"/api/v1/session\",method=\"POST\",status=\"2xx\"}"));
    assert_non_null(strstr(r.body, "trustdesk_http_request_duration_seconds_bucket{route=\"/api/v1/me\""));
    resp_free(&r);
    client_free(&c);
    /* Access lines are written within a second, together. */
    char *log = wait_log(srv.log, "\"route\":\"/metrics\"", 3);
    free(log);
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

/* The access lines are gathered; a clean stop (SIGTERM) writes the last of
 * them, every one. (A line may follow "stopping": libmicrohttpd reports a
 * request complete after the client has its answer.) */
static void a_clean_stop_writes_the_last_access_lines(void **state)
{
    (void)state;
    struct server s;
    assert_int_equal(server_start(&s), 0);
    struct client c;
    client_init(&c, &s);
    int asked = 0;
    for (; asked < 5; asked++) assert_int_equal(req_status(&c, "GET", "/api/v1/me", NULL), 401);
    client_free(&c);
    assert_int_equal(kill(s.pid, SIGTERM), 0);
    int st = 0;
    assert_int_equal(waitpid(s.pid, &st, 0), s.pid);
    s.pid = 0;
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    char *log = wait_log(s.log, "\"msg\":\"stopping\"", 1);   /* the process has ended: no waiting */
    int lines = 0;
    for (const char *p = log; (p = strstr(p, "\"route\":\"/api/v1/me\"")) != NULL; p++) lines++;
    assert_int_equal(lines, asked);
    free(log);
    server_stop(&s);
}

/* Closes a socket with a reset, leaving no TIME_WAIT behind: 10,000 of
 * those would hold 10,000 local ports for a minute and starve every other
 * test's connect() on the machine (EADDRNOTAVAIL). */
static void close_now(int fd)
{
    struct linger l = {1, 0};
    (void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
    close(fd);
}

/* A socket from another loopback address (the attacker's), connected. */
static int connect_from(const char *from)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in me = {0};
    me.sin_family = AF_INET;
    assert_int_equal(inet_pton(AF_INET, from, &me.sin_addr), 1);
    assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof me), 0);
    struct sockaddr_in sa = {0};
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)srv.port);
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Slowloris: 1,000 connections from eight addresses (125 each, under the
 * per-address limit, so the server holds them all) and 300 more from one
 * address send their headers a byte at a time. The server keeps all of
 * the first, at most TRUSTDESK_MAX_PER_ADDRESS (128) of the others, stays
 * small, and keeps answering everyone else between every byte; then 10,000
 * connections opened and closed at once change nothing either. (How fast
 * the others are answered meanwhile is `make bench` row (t).) */
/* The server's gauge of the connections it holds open, from /metrics. */
static unsigned open_connections(void)
{
    struct resp r;
    assert_int_equal(req_h(&admin, "GET", "/metrics", NULL, &r, "Authorization: Bearer limits-metrics-token", NULL), 0);
    assert_int_equal(r.status, 200);
    const char *g = strstr(r.body, "\ntrustdesk_http_open_connections ");
    assert_non_null(g);
    unsigned n = (unsigned)strtoul(g + strlen("\ntrustdesk_http_open_connections "), NULL, 10);
    resp_free(&r);
    return n;
}

enum { SPREAD = 1000, SPREAD_PER = 125, CROWD = 300, SLOW = SPREAD + CROWD };
static void slow_and_many_connections_do_not_starve_others(void **state)
{
    (void)state;
    struct rlimit rl;                       /* this test holds 1,300 sockets */
    assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
    if (rl.rlim_cur < SLOW + 256) {
        if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < SLOW + 256)
            fail_msg("this test needs %d open files and the hard limit is %lu (ulimit -Hn)", SLOW + 256,
                     (unsigned long)rl.rlim_max);
        rl.rlim_cur = SLOW + 256;
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &rl), 0);
    }
    long before = server_rss_kb();
    static int fds[SLOW];
    char from[32];
    /* Why spread connections were lost, for the failure message: connect()
     * refused, or the first byte a send() could not deliver (and its errno). */
    int lost_connect = 0, lost_send = 0, first_k = -1, connect_errno = 0, send_errno = 0;
    for (int i = 0; i < SLOW; i++) {
        snprintf(from, sizeof from, "127.0.0.%d", i < SPREAD ? 2 + i / SPREAD_PER : 20);
        fds[i] = connect_from(from);
        if (fds[i] < 0 && i < SPREAD && !lost_connect++) connect_errno = errno;
    }
    const char *head = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
    for (size_t k = 0; k < strlen(head); k++) {
        for (int i = 0; i < SLOW; i++)
            if (fds[i] >= 0 && send(fds[i], head + k, 1, MSG_NOSIGNAL) != 1) {
                if (i < SPREAD && !lost_send++) {
                    first_k = (int)k;
                    send_errno = errno;
                }
                close_now(fds[i]);
                fds[i] = -1;           /* refused beyond the per-address limit */
            }
        /* Meanwhile a customer at another till is served. */
        assert_int_equal(req_status(&admin, "GET", "/api/v1/me", NULL), 200);
    }
    int spread_held = 0, crowd_held = 0;
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0) {
            if (i < SPREAD) spread_held++;
            else crowd_held++;
        }
    long during = server_rss_kb();
    /* What the server itself holds (a socket it has not accepted looks open
     * from this side too, waiting in the kernel's queue). */
    unsigned server_open = open_connections();
    for (int i = 0; i < SLOW; i++)
        if (fds[i] >= 0) close_now(fds[i]);
    if (spread_held != SPREAD)
        fail_msg("the server let go of %d of the %d spread connections (%d not connected: %s; %d closed, the first"
                 " at byte %d: %s; the crowd kept %d; the server held %u)",
                 SPREAD - spread_held, SPREAD, lost_connect, lost_connect ? strerror(connect_errno) : "-", lost_send,
                 first_k, lost_send ? strerror(send_errno) : "-", crowd_held, server_open);
    if (crowd_held > 128) fail_msg("one address kept %d connections open, over its limit of 128", crowd_held);
    if (server_open < SPREAD + 1 || server_open > SPREAD + 128 + 8)
        fail_msg("the server held %u connections; expected the %d spread ones, at most 128 of the crowd and a few of ours",
                 server_open, SPREAD);
    for (int i = 0; i < 10000; i++) {
        int fd = connect_from("127.0.0.30");
        if (fd >= 0) close_now(fd);
    }
    assert_int_equal(req_status(&admin, "GET", "/api/v1/me", NULL), 200);
    long after = server_rss_kb();
    if (during - before > 48 * 1024) fail_msg("holding the slow connections, the server grew from %ld to %ld kB", before, during);
    if (after - before > 32 * 1024) fail_msg("the server grew from %ld to %ld kB", before, after);
}

/* A 10 MB body is read and thrown away, answered 413, and leaves the
 * server no bigger. */
static void ten_megabytes_get_413_without_growth(void **state)
{
    (void)state;
    long before = server_rss_kb();
    size_t n = 10u << 20;
    char *msg = malloc(n + 512);
    assert_non_null(msg);
    int k = snprintf(msg, 512, "POST /api/v1/customers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n", n);
    memset(msg + k, ' ', n);
    char out[2048];
    raw(msg, (size_t)k + n, out, sizeof out);
    free(msg);
    if (!strstr(out, " 413 ")) fail_msg("expected 413: %.200s", out);
    long after = server_rss_kb();
    if (after - before > 8 * 1024) fail_msg("the server grew from %ld to %ld kB", before, after);
}

static const char *const route_paths[] = {
#define ROUTE(method, path, handler, roles, flags) path,
#include "api/routes.def"
#include "cmocka_main.h"
#undef ROUTE
};

/* Clients choose methods and paths, not metrics series: after every route
 * has been called with four wrong methods (hundreds of series), a route
 * called for the first time is still counted. */
static void clients_cannot_fill_the_metrics(void **state)
{
    (void)state;
    const char *methods[] = {"PUT", "DELETE", "PATCH", "BREW"};
    struct client anon;
    client_init(&anon, &srv);
    for (size_t i = 0; i < sizeof route_paths / sizeof route_paths[0]; i++) {
        char path[256];
        size_t o = 0;
        for (const char *p = route_paths[i]; *p && o + 2 < sizeof path; p++) {
            if (*p == '{') {
                path[o++] = '1';
                while (*p && *p != '}') p++;
            } else {
                path[o++] = *p;
            }
        }
        path[o] = '\0';
        for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
            struct resp r;
            assert_int_equal(req(&anon, methods[m], path, NULL, &r), 0);
            assert_true(r.status >= 400);
            resp_free(&r);
        }
    }
    client_free(&anon);
    struct resp r;
    assert_int_equal(req(&admin, "GET", "/api/v1/stores", NULL, &r), 0);
    resp_free(&r);
    assert_int_equal(req_h(&admin, "GET", "/metrics", NULL, &r, "Authorization: Bearer limits-metrics-token", NULL), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "route=\"/api/v1/stores\",method=\"GET\",status=\"2xx\""));
    assert_non_null(strstr(r.body, "method=\"OTHER\""));
    assert_null(strstr(r.body, "BREW"));
    resp_free(&r);
}

TD_TEST_MAIN("api_limits", setup, chain_teardown,
             cmocka_unit_test(malformed_and_mistyped_bodies),
             cmocka_unit_test(two_megabyte_body_gets_413),
             cmocka_unit_test(oversized_headers_are_refused),
             cmocka_unit_test(declared_length_over_the_cap_is_refused_before_reading),
             cmocka_unit_test(refused_body_is_drained_and_the_connection_kept),
             cmocka_unit_test(ambiguous_framing_is_refused),
             cmocka_unit_test(large_uploads_are_checked_on_their_headers),
             cmocka_unit_test(concurrent_large_uploads_are_capped),
             cmocka_unit_test(keeps_connections_alive),
             cmocka_unit_test(logs_hold_no_secrets_and_metrics_count),
             cmocka_unit_test(a_clean_stop_writes_the_last_access_lines),
             cmocka_unit_test(clients_cannot_fill_the_metrics),
             cmocka_unit_test(slow_and_many_connections_do_not_starve_others),
             cmocka_unit_test(ten_megabytes_get_413_without_growth))
