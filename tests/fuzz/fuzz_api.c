/* fuzz_api.c — libFuzzer target for every request body the routes take,
 * driven from the route table (api_routes, from routes.def): the API runs
 * in this process on a small demo chain (SQLite, in a temporary folder),
 * behind the real HTTP layer on loopback, as head office (an API token of
 * the demo's admin).
 *
 * An input is: one byte that picks a route that takes a body (POST, PUT,
 * PATCH; in the table's order), one byte for the values of its path's
 * {placeholders} (an id 1-8, or a word), then the body, sent as JSON with
 * its own Idempotency-Key.
 *
 * Properties on any input:
 *  - the answer is never a 5xx but 503 (busy): bad input is the client's
 *    error, and a handler that fails on it is a bug;
 *  - a 4xx answer is {"error":{"code":...,"details":[...]}} and each of its
 *    details names a field;
 *  - the ledger verifies (every transaction sums to zero, every balance is
 *    what its entries leave) after every 64 inputs and at the end of a
 *    replay: no body, however odd, leaves money half-written.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>
#include "api/api.h"
#include "api/app.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/domain.h"
#include "domain/ledger.h"
#include "domain/staff.h"
#include "http/http.h"
#include "sim/demo_data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

#include "loopback.h"

#define WAIT_MS 60000
#define BODY_MAX (32 * 1024)

static struct app app;
static unsigned port;
static char token[TOKEN_HEX_LEN + 1];
static char db_url[600];
static const struct api_route *bodied[256];
static size_t n_bodied;

static int token_tx(struct db *db, void *arg)
{
    (void)arg;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "fuzz"};
    int64_t id = 0;
    return staff_token_create(&c, DEMO_LOGIN_ADMIN, c.now_us + 86400LL * 1000000, token, &id);
}

static void say_problem(void *arg, const char *problem)
{
    (void)arg;
    fprintf(stderr, "ledger: %s\n", problem);
}

static void ledger_verifies(void)
{
    struct db *db = NULL;
    CHECK(db_open(db_url, &db) == TD_OK);
    int64_t problems = -1;
    int rc = db_begin(db, 0);
    if (rc == TD_OK) rc = ledger_verify(db, say_problem, NULL, &problems);
    db_rollback(db);
    CHECK(rc == TD_OK && problems == 0);
    db_close(db);
}

static void start(void)
{
    log_set_level(LOG_ERROR);
    char dir[] = "/tmp/trustdesk-fuzz-api-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    snprintf(db_url, sizeof db_url, "sqlite:%s/fuzz.db", dir);
    /* The demo chain, quietly: stores, staff, customers, cases, notes. */
    char *argv[] = {"--db", db_url, "--customers", "40", "--seed", "7", NULL};
    fflush(stdout);
    int out = dup(1);
    FILE *null = freopen("/dev/null", "w", stdout);
    CHECK(null != NULL);
    int rc = cli_demo(6, argv);
    fflush(stdout);
    CHECK(dup2(out, 1) == 1);
    close(out);
    CHECK(rc == 0);
    struct db *db = NULL;
    CHECK(db_open(db_url, &db) == TD_OK);
    CHECK(db_transact(db, token_tx, NULL) == TD_OK);
    db_close(db);
    CHECK(app_init(&app, db_url) == TD_OK);
    app.max_body = BODY_MAX;
    app.max_uploads = API_MAX_UPLOADS;
    for (size_t i = 0; i < api_routes_count && n_bodied < 256; i++)
        if (!strcmp(api_routes[i].method, "POST") || !strcmp(api_routes[i].method, "PUT") ||
            !strcmp(api_routes[i].method, "PATCH"))
            bodied[n_bodied++] = &api_routes[i];
    CHECK(n_bodied > 0);
    struct http_config cfg = {.listen = "127.0.0.1:0", .threads = 2, .max_body = BODY_MAX,
                              .max_connections = 256, .max_per_address = 256, .timeout_s = 5,
                              .header_memory = 32 * 1024};
    struct http_server *s = NULL;
    CHECK(http_start(&cfg, api_dispatch, &app, &s) == TD_OK);
    port = http_port(s);                /* runs until the process ends */
    atexit(ledger_verifies);            /* a replay's last inputs too */
}

/* The route's path with each {placeholder} filled from v. */
static void fill_path(const char *tmpl, uint8_t v, char *out, size_t n)
{
    static const char *const words[] = {"UTR01", "manager.utrecht", "x", "0", "-1", "99999999999999999999", "%2e%2e", "AAAA"};
    size_t k = 0;
    for (const char *p = tmpl; *p && k + 1 < n;) {
        if (*p != '{') {
            out[k++] = *p++;
            continue;
        }
        const char *end = strchr(p, '}');
        if (!end) break;
        int w = snprintf(out + k, n - k, "%s", v & 0x80 ? words[v & 7] : (char[2]){(char)('1' + (v & 7)), 0});
        if (w < 0 || (size_t)w >= n - k) break;
        k += (size_t)w;
        p = end + 1;
    }
    out[k] = '\0';
}

static void check_error(int status, const char *body)
{
    json_error_t e;
    json_t *j = json_loads(body, 0, &e);
    if (!j) fprintf(stderr, "status %d, body not JSON: %.200s\n", status, body);
    CHECK(j != NULL);
    json_t *err = json_object_get(j, "error");
    CHECK(json_is_string(json_object_get(err, "code")));
    json_t *details = json_object_get(err, "details");
    CHECK(json_is_array(details));
    size_t i;
    json_t *d;
    json_array_foreach(details, i, d) CHECK(json_is_string(json_object_get(d, "field")));
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!port) start();
    if (size < 2 || size - 2 > BODY_MAX) return 0;
    static unsigned long count;
    const struct api_route *r = bodied[data[0] % n_bodied];
    char path[512], head[2048];
    fill_path(r->path, data[1], path, sizeof path);
    int k = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: fuzz\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Idempotency-Key: fuzz-%d-%lu\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
                     r->method, path, token, (int)getpid(), ++count, size - 2);
    CHECK(k > 0 && (size_t)k < sizeof head);
    static char answer[1 << 20];
    int fd = loopback_connect(port);
    loopback_send(fd, head, (size_t)k);
    loopback_send(fd, data + 2, size - 2);
    size_t got = loopback_read(fd, answer, sizeof answer, -1, -1, WAIT_MS);   /* Connection: close */
    CHECK(got > 12 && strncmp(answer, "HTTP/1.1 ", 9) == 0);
    int status = (int)strtol(answer + 9, NULL, 10);
    const char *body = strstr(answer, "\r\n\r\n");
    body = body ? body + 4 : "";
    if (getenv("FUZZ_API_VERBOSE")) fprintf(stderr, "%s %s -> %d %.160s\n", r->method, path, status, body);
    if (status >= 500 && status != 503) fprintf(stderr, "%s %s -> %d %.300s\n", r->method, r->path, status, body);
    CHECK(status < 500 || status == 503);
    if (status >= 400 && status < 500 && strstr(answer, "application/json")) check_error(status, body);
    if (count % 64 == 0) ledger_verifies();
    return 0;
}
