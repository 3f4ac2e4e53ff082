/* fuzz_http.c — libFuzzer target for the HTTP layer's request parsing:
 * bytes -> a loopback socket -> the server (src/http, libmicrohttpd with
 * trustdesk's limits and request state) -> a dispatcher that reads every
 * part of the request the API reads (method, path, headers, cookies, the
 * query string, the body).
 *
 * The server runs in this process, started once, with small limits: bodies
 * over 4 KiB are refused (413) and drained, /spool bodies go to a
 * temporary file, an X-Forwarded-For from the loopback peer is trusted.
 *
 * Properties on any input:
 *  - what the server sends back, if anything, begins with a status line
 *    "HTTP/1.x NNN" (after a 100 Continue when asked) whose status is one trustdesk's layer or
 *    libmicrohttpd answers (200, 400, 404, 405, 411, 413, 414, 415, 417,
 *    431, 500, 501, 505);
 *  - the dispatcher sees a method, a path that begins with '/', a body no
 *    larger than the limit, and headers, cookies and query values that
 *    are whole C strings;
 *  - after the input, a well-formed request on a new connection is still
 *    answered 200: the server is neither down nor wedged;
 *  - nothing leaks (LeakSanitizer, at exit).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/addr.h"
#include "core/log.h"
#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

#define BODY_LIMIT 4096
#include "loopback.h"

#define WAIT_MS 60000                   /* a loaded machine is slow; a wedged server never answers */
#define QUIET_MS 50
#define FIRST_MS 200                    /* an input's answer, when it has one, is this quick */

static const char *const names[] = {"Host", "Cookie", "Content-Type", "Content-Length", "X-Forwarded-For",
                                    "Idempotency-Key", "X-CSRF-Token", "Authorization", "Accept-Language"};
static const char *const params[] = {"q", "limit", "from", "to", "format", "", "a b"};

static void dispatch(void *ctx, struct http_req *r)
{
    (void)ctx;
    CHECK(r->method && r->method[0]);
    CHECK(r->path && r->path[0] == '/');
    CHECK(r->body.len <= BODY_LIMIT);
    size_t seen = strlen(r->addr) + strlen(r->request_id);
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = http_header(r, names[i]);
        if (v) seen += strlen(v);
    }
    const char *c = http_cookie(r, "td_session");
    if (c) seen += strlen(c);
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++) {
        const char *v = http_query(r, params[i]);
        if (v) seen += strlen(v);
    }
    r->status = 200;
    r->content_type = "text/plain";
    if (buf_printf(&r->out, "%zu %zu\n", seen, r->body.len) != TD_OK) r->status = 500;
}

static int admit(void *ctx, struct http_req *r, struct http_admit *out)
{
    (void)ctx;
    out->limit = BODY_LIMIT;
    out->spool = strcmp(r->path, "/spool") == 0;
    return 0;
}

static unsigned port;

static void start(void)
{
    static struct addr_set trusted;
    log_set_level(LOG_ERROR);           /* no access line per input */
    char why[128];
    CHECK(addr_set_parse("127.0.0.1", &trusted, why, sizeof why) == TD_OK);
    struct http_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = BODY_LIMIT, .admit = admit,
                              .max_connections = 1024, .max_per_address = 1024, .timeout_s = 2,
                              .header_memory = 16 * 1024, .trusted_proxies = &trusted};
    struct http_server *s = NULL;
    CHECK(http_start(&cfg, dispatch, NULL, &s) == TD_OK);
    port = http_port(s);                /* runs until the process ends */
}

/* Sends data on a new connection, half-closes, and reads the answer into
 * out until the server closes or pauses. first_ms: how long the first byte
 * may take; -1: it must come (within WAIT_MS), else the server is wedged. A
 * pause ends the read: libmicrohttpd keeps a connection whose request is
 * unfinished (or kept alive) open past the client's half-close, until its
 * timeout. */
static size_t exchange(const uint8_t *data, size_t size, char *out, size_t n, int first_ms)
{
    int fd = loopback_connect(port);
    loopback_send(fd, data, size);
    shutdown(fd, SHUT_WR);
    return loopback_read(fd, out, n, first_ms, QUIET_MS, WAIT_MS);
}

static int known_status(int s)
{
    static const int ok[] = {100, 200, 400, 404, 405, 411, 413, 414, 415, 417, 431, 500, 501, 505};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (ok[i] == s) return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!port) start();
    if (size > 64 * 1024) return 0;
    static char answer[1 << 16];
    size_t got = exchange(data, size, answer, sizeof answer, FIRST_MS);
    if (got) {
        /* Every answer on the connection (keep-alive, pipelining) is well-formed. */
        for (const char *p = answer; p; p = strstr(p + 1, "\r\n\r\nHTTP/")) {
            const char *line = p == answer ? p : p + 4;
            CHECK(strncmp(line, "HTTP/1.", 7) == 0 && line[8] == ' ');
            int status = (int)strtol(line + 9, NULL, 10);
            if (!known_status(status)) fprintf(stderr, "status %d\n", status);
            CHECK(known_status(status));
        }
    }
    static const char probe[] = "GET /ok?q=1 HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n\r\n";
    got = exchange((const uint8_t *)probe, sizeof probe - 1, answer, sizeof answer, -1);
    CHECK(got > 12 && strncmp(answer, "HTTP/1.1 200", 12) == 0);
    return 0;
}
