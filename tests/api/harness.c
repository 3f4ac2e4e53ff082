/* harness.c — start a real server, talk HTTP to it (see harness.h). */
#define _GNU_SOURCE
#include "harness.h"
#include <setjmp.h>
#include <stddef.h>
#include <stdarg.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "db/db.h"

const char *trustdesk_bin(void)
{
    const char *b = getenv("TRUSTDESK_BIN");
    return b && *b ? b : "./trustdesk";
}

static int run_argv(const char *stdin_text, char *out, size_t out_size, char **argv)
{
    int in[2], outp[2];
    if (pipe(in) || pipe(outp)) return -1;
    pid_t pid = fork();
    if (pid < 0) return -1;
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(outp[1], 1);
        close(in[1]);
        close(outp[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(in[0]);
    close(outp[1]);
    if (stdin_text) {
        ssize_t w = write(in[1], stdin_text, strlen(stdin_text));
        (void)w;
    }
    close(in[1]);
    size_t n = 0;
    char tmp[4096];
    ssize_t k;
    while ((k = read(outp[0], tmp, sizeof tmp)) > 0) {
        if (out && n + 1 < out_size) {
            size_t c = (size_t)k < out_size - 1 - n ? (size_t)k : out_size - 1 - n;
            memcpy(out + n, tmp, c);
            n += c;
        }
    }
    if (out && out_size) out[n] = '\0';
    close(outp[0]);
    int st = 0;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int run_cli(const char *stdin_text, char *out, size_t out_size, const char *arg0, ...)
{
    char *argv[64];
    int n = 0;
    argv[n++] = (char *)trustdesk_bin();
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && n < 63; a = va_arg(ap, const char *)) argv[n++] = (char *)a;
    va_end(ap);
    argv[n] = NULL;
    return run_argv(stdin_text, out, out_size, argv);
}

static int start_process(struct server *s);

int server_start_shared(struct server *s, const struct server *first)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/trustdesk-test-XXXXXX");
    if (!mkdtemp(s->dir)) return -1;
    snprintf(s->db_url, sizeof s->db_url, "%s", first->db_url);
    s->shared = 1;
    return start_process(s);
}

int server_make_db(struct server *s)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/trustdesk-test-XXXXXX");
    if (!mkdtemp(s->dir)) return -1;
    const char *pg = getenv("TRUSTDESK_TEST_PG");
    if (pg && *pg) {
        /* A fresh database in the throwaway cluster the test script started. */
        static int seq;
        char name[64], cmd[1024];
        snprintf(name, sizeof name, "td_%d_%d", (int)getpid(), seq++);
        snprintf(s->db_url, sizeof s->db_url, "%s%s", pg, name);
        snprintf(cmd, sizeof cmd, "psql -q '%spostgres' -c 'DROP DATABASE IF EXISTS %s' -c 'CREATE DATABASE %s' >/dev/null",
                 pg, name, name);
        if (system(cmd) != 0) return -1;
    } else {
        snprintf(s->db_url, sizeof s->db_url, "sqlite:%s/test.db", s->dir);
    }
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    return 0;
}

int server_start_made(struct server *s)
{
    if (run_cli(ADMIN_PASSWORD "\n", NULL, 0, "user", "add", "--db", s->db_url, "--login", ADMIN_LOGIN, "--name",
                "Ada Admin", "--role", "admin", "--password-stdin", NULL) != 0)
        return -1;
    return start_process(s);
}

int server_start(struct server *s)
{
    if (server_make_db(s) != 0) return -1;
    return server_start_made(s);
}

static int start_process(struct server *s)
{
    snprintf(s->log, sizeof s->log, "%s/server.log", s->dir);
    int outp[2];
    if (pipe(outp)) return -1;
    s->pid = fork();
    if (s->pid < 0) return -1;
    if (s->pid == 0) {
        int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        dup2(outp[1], 1);
        if (fd >= 0) dup2(fd, 2);
        close(outp[0]);
        if (s->read_db[0])
            execl(trustdesk_bin(), trustdesk_bin(), "serve", "--db", s->db_url, "--read-db", s->read_db, "--listen",
                  "127.0.0.1:0", "--threads", "4", (char *)NULL);
        else
            execl(trustdesk_bin(), trustdesk_bin(), "serve", "--db", s->db_url, "--listen", "127.0.0.1:0", "--threads",
                  "4", (char *)NULL);
        _exit(127);
    }
    close(outp[1]);
    /* Wait for "trustdesk listening on http://127.0.0.1:PORT". */
    char line[256];
    size_t n = 0;
    struct pollfd pfd = { outp[0], POLLIN, 0 };
    while (n + 1 < sizeof line) {
        if (poll(&pfd, 1, 120000) <= 0) break;      /* a loaded machine starts slowly */
        ssize_t k = read(outp[0], line + n, 1);
        if (k <= 0) break;
        if (line[n++] == '\n') break;
    }
    line[n] = '\0';
    close(outp[0]);
    const char *colon = strrchr(line, ':');
    if (!strstr(line, "listening") || !colon) {
        fprintf(stderr, "harness: server did not start: %s (see %s)\n", line, s->log);
        return -1;
    }
    s->port = (int)strtol(colon + 1, NULL, 10);
    snprintf(s->base, sizeof s->base, "http://127.0.0.1:%d", s->port);
    fprintf(stderr, "harness: trustdesk on %s, database %s\n", s->base, server_is_pg(s) ? "PostgreSQL" : "SQLite");
    return 0;
}

void server_stop(struct server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGTERM);
        int st;
        for (int i = 0; i < 100; i++) {
            if (waitpid(s->pid, &st, WNOHANG) == s->pid) {
                s->pid = 0;
                break;
            }
            struct timespec ts = {0, 50 * 1000000L};
            nanosleep(&ts, NULL);
        }
        if (s->pid > 0) {
            kill(s->pid, SIGKILL);
            waitpid(s->pid, &st, 0);
        }
    }
    if (server_is_pg(s) && !s->shared && !getenv("KEEP_TEST_DIR")) {
        char cmd[1024];
        const char *slash = strrchr(s->db_url, '/');
        snprintf(cmd, sizeof cmd, "psql -q '%.*spostgres' -c 'DROP DATABASE IF EXISTS %s' >/dev/null 2>&1",
                 (int)(slash - s->db_url + 1), s->db_url, slash + 1);
        if (system(cmd) != 0) fprintf(stderr, "harness: could not drop %s\n", slash + 1);
    }
    if (s->dir[0] && !getenv("KEEP_TEST_DIR")) {
        char cmd[400];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", s->dir);
        if (system(cmd) != 0) fprintf(stderr, "harness: could not remove %s\n", s->dir);
    }
}

void server_kill9(struct server *s)
{
    if (s->pid <= 0) return;
    kill(s->pid, SIGKILL);
    int st;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
}

int server_restart(struct server *s)
{
    return start_process(s);
}

int server_is_pg(const struct server *s)
{
    return strncmp(s->db_url, "postgres", 8) == 0;
}

int server_sql(const struct server *s, const char *stmt)
{
    char cmd[2048];
    if (server_is_pg(s))
        snprintf(cmd, sizeof cmd, "psql -q -v ON_ERROR_STOP=1 '%s' -c \"%s\" >/dev/null", s->db_url, stmt);
    else
        snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\"", s->db_url + 7, stmt);
    return system(cmd) == 0 ? 0 : -1;
}

int server_sql_value(const struct server *s, const char *query, char *out, size_t n)
{
    char cmd[2048];
    if (server_is_pg(s))
        snprintf(cmd, sizeof cmd, "psql -qAt -v ON_ERROR_STOP=1 '%s' -c \"%s\"", s->db_url, query);
    else
        snprintf(cmd, sizeof cmd, "sqlite3 '%s' \"%s\"", s->db_url + 7, query);
    out[0] = '\0';
    FILE *p = popen(cmd, "r");
    if (!p) return -1;
    if (!fgets(out, (int)n, p)) out[0] = '\0';
    out[strcspn(out, "\r\n")] = '\0';
    char rest[256];
    while (fgets(rest, sizeof rest, p)) {
    }
    return pclose(p) == 0 ? 0 : -1;
}

long long server_sql_int(const struct server *s, const char *query)
{
    char line[64];
    if (server_sql_value(s, query, line, sizeof line) != 0) return -1;
    char *end = NULL;
    long long v = strtoll(line, &end, 10);
    return end == line ? -1 : v;
}

void client_init(struct client *c, const struct server *s)
{
    memset(c, 0, sizeof *c);
    c->srv = s;
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, "");   /* in-memory cookie jar */
    curl_easy_setopt(h, CURLOPT_TIMEOUT, 120L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    c->curl = h;
}

int client_cookie(struct client *c, const char *name, char *out, size_t n)
{
    struct curl_slist *list = NULL;
    int rc = -1;
    if (curl_easy_getinfo(c->curl, CURLINFO_COOKIELIST, &list) != CURLE_OK) return -1;
    for (struct curl_slist *e = list; e; e = e->next) {
        /* Netscape format: domain, flag, path, secure, expiry, name, value (tab-separated). */
        const char *f = e->data;
        for (int i = 0; i < 5 && f; i++) {
            f = strchr(f, '\t');
            if (f) f++;
        }
        if (!f) continue;
        size_t len = strlen(name);
        if (strncmp(f, name, len) == 0 && f[len] == '\t') {
            snprintf(out, n, "%s", f + len + 1);
            rc = 0;
        }
    }
    curl_slist_free_all(list);
    return rc;
}

void client_free(struct client *c)
{
    if (c->curl) curl_easy_cleanup(c->curl);
    c->curl = NULL;
}

struct sink { char *p; size_t n; };

static size_t on_body(char *d, size_t sz, size_t nm, void *u)
{
    struct sink *s = u;
    size_t k = sz * nm;
    char *p = realloc(s->p, s->n + k + 1);
    if (!p) return 0;
    memcpy(p + s->n, d, k);
    s->n += k;
    p[s->n] = '\0';
    s->p = p;
    return k;
}

static size_t on_header(char *d, size_t sz, size_t nm, void *u)
{
    struct resp *r = u;
    size_t k = sz * nm, have = strlen(r->headers);
    if (have + k + 1 < sizeof r->headers) {
        memcpy(r->headers + have, d, k);
        r->headers[have + k] = '\0';
    }
    return k;
}

/* Tells the client's on_sent once the upload is complete. */
struct progress { struct client *c; int told; };

static int on_progress(void *u, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal, curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    struct progress *p = u;
    if (!p->told && ultotal > 0 && ulnow == ultotal) {
        p->told = 1;
        p->c->on_sent(p->c->on_sent_arg);
    }
    return 0;
}

static int vreq(struct client *c, const char *method, const char *path, const char *body, struct resp *r, va_list ap)
{
    memset(r, 0, sizeof *r);
    CURL *h = c->curl;
    char url[1024], hdr[200];
    snprintf(url, sizeof url, "%s%s", c->srv->base, path);
    struct curl_slist *hl = NULL, *extra = NULL;
    int own_type = 0;   /* the caller sends its own Content-Type (a CSV upload) */
    int expect = 0;     /* the caller asks for 100-continue: wait for the server's word */
    for (const char *x = va_arg(ap, const char *); x; x = va_arg(ap, const char *)) {
        extra = curl_slist_append(extra, x);
        if (strncasecmp(x, "Content-Type:", 13) == 0) own_type = 1;
        if (strncasecmp(x, "Expect: 100-continue", 20) == 0) expect = 1;
    }
    if (!own_type) hl = curl_slist_append(hl, "Content-Type: application/json");
    /* No Expect unless the caller asks for it: an empty "Expect:" before the
     * caller's own would make libcurl send the body at once while the server
     * reads "Expect: 100-continue" and answers before it (then closes). */
    if (!expect) hl = curl_slist_append(hl, "Expect:");
    if (!c->no_origin) {
        snprintf(hdr, sizeof hdr, "Origin: %s", c->srv->base);
        hl = curl_slist_append(hl, hdr);
    }
    if (!c->no_csrf && c->csrf[0]) {
        snprintf(hdr, sizeof hdr, "X-CSRF-Token: %s", c->csrf);
        hl = curl_slist_append(hl, hdr);
    }
    if (c->bearer[0]) {
        snprintf(hdr, sizeof hdr, "Authorization: Bearer %s", c->bearer);
        hl = curl_slist_append(hl, hdr);
    }
    for (struct curl_slist *x = extra; x; x = x->next) hl = curl_slist_append(hl, x->data);
    curl_slist_free_all(extra);
    struct sink s = {0};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
    /* libcurl sends the body anyway after 1 s without an answer; on a loaded
     * machine the server's refusal can come later than that, and a test of
     * "refused before the body is sent" must wait for it. */
    curl_easy_setopt(h, CURLOPT_EXPECT_100_TIMEOUT_MS, expect ? 120000L : 1000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, r);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    } else {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    }
    struct progress prog = { c, 0 };
    if (c->on_sent && body) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, &prog);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 1L);
    }
    char why[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
    curl_slist_free_all(hl);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, NULL);
    if (cc != CURLE_OK) {
        fprintf(stderr, "harness: %s %s: %s (%s)\n", method, path, curl_easy_strerror(cc), why);
        free(s.p);
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    r->body = s.p ? s.p : strdup("");
    r->len = s.n;
    json_error_t e;
    r->json = json_loads(r->body, JSON_DECODE_ANY, &e);
    return 0;
}

int req(struct client *c, const char *method, const char *path, const char *body, struct resp *r)
{
    return req_h(c, method, path, body, r, NULL);
}

int req_h(struct client *c, const char *method, const char *path, const char *body, struct resp *r, ...)
{
    va_list ap;
    va_start(ap, r);
    int rc = vreq(c, method, path, body, r, ap);
    va_end(ap);
    return rc;
}

void resp_free(struct resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

long login(struct client *c, const char *user, const char *password)
{
    json_t *b = json_pack("{s:s,s:s}", "login", user, "password", password);
    char *s = json_dumps(b, 0);
    struct resp r;
    long st = -1;
    if (req(c, "POST", "/api/v1/session", s, &r) == 0) {
        st = r.status;
        if (st == 201) snprintf(c->csrf, sizeof c->csrf, "%s", jstr(r.json, "csrf_token"));
        resp_free(&r);
    }
    free(s);
    json_decref(b);
    return st;
}

/* POSTs b (which it takes over) to path; says so on stderr unless 201. */
static void make_one(struct client *admin, const char *path, const char *what, json_t *b)
{
    char *s = json_dumps(b, 0);
    struct resp r;
    if (req(admin, "POST", path, s, &r) == 0 && r.status != 201)
        fprintf(stderr, "harness: make %s: %ld %s\n", what, r.status, r.body);
    resp_free(&r);
    free(s);
    json_decref(b);
}

void make_store(struct client *admin, const char *code, const char *name, const char *city)
{
    make_one(admin, "/api/v1/stores", code, json_pack("{s:s,s:s,s:s}", "code", code, "name", name, "city", city));
}

void make_staff(struct client *admin, const char *login_name, const char *role, const char *store, const char *password)
{
    make_one(admin, "/api/v1/staff", login_name,
             json_pack("{s:s,s:s,s:s,s:s,s:s}", "login", login_name, "name", login_name, "role", role, "store_code",
                       store, "password", password));
}

const char *resp_header(struct resp *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    size_t len = strlen(name);
    for (const char *p = r->headers; p && *p;) {
        if (strncasecmp(p, name, len) == 0 && p[len] == ':') {
            const char *v = p + len + 1;
            while (*v == ' ') v++;
            size_t k = strcspn(v, "\r\n");
            snprintf(out, n, "%.*s", (int)k, v);
            return out;
        }
        const char *nl = strchr(p, '\n');
        p = nl ? nl + 1 : NULL;
    }
    return out;
}

static json_t *walk(json_t *j, const char *path)
{
    char key[128];
    while (j && *path) {
        size_t k = strcspn(path, ".");
        snprintf(key, sizeof key, "%.*s", (int)k, path);
        if (json_is_array(j)) j = json_array_get(j, strtoul(key, NULL, 10));
        else j = json_object_get(j, key);
        path += k;
        if (*path == '.') path++;
    }
    return j;
}

const char *jstr(json_t *j, const char *path)
{
    const char *s = json_string_value(walk(j, path));
    return s ? s : "";
}

const char *jjoin(json_t *j, const char *array, const char *field, char *out, size_t n)
{
    out[0] = '\0';
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(j, array), i, o) {
        size_t len = strlen(out);
        snprintf(out + len, n - len, "%s%s", len ? "," : "", jstr(o, field));
    }
    return out;
}

long long jint(json_t *j, const char *path)
{
    return json_integer_value(walk(j, path));
}

void expect_ints(json_t *j, ...)
{
    va_list ap;
    va_start(ap, j);
    for (const char *path; (path = va_arg(ap, const char *)) != NULL;) {
        long long want = va_arg(ap, int), got = jint(j, path);
        if (got != want) {
            va_end(ap);
            fail_msg("%s is %lld, want %lld", path, got, want);
        }
    }
    va_end(ap);
}

double jnum2(json_t *o, const char *a, const char *b)
{
    json_t *v = json_object_get(json_object_get(o, a), b);
    if (!json_is_number(v)) fail_msg("%s.%s is not a number", a, b);
    return json_number_value(v);
}

void expect_interval_holds(const char *what, json_t *o, const char *key, double want)
{
    double lo = jnum2(o, key, "low"), hi = jnum2(o, key, "high"), est = jnum2(o, key, "estimate");
    if (!(lo <= want && want <= hi)) fail_msg("%s: %.3f not in [%.3f, %.3f] (estimate %.3f)", what, want, lo, hi, est);
    if (!(lo < hi)) fail_msg("%s: [%.3f, %.3f] is no interval", what, lo, hi);
}

void expect_strs(json_t *j, ...)
{
    va_list ap;
    va_start(ap, j);
    for (const char *path; (path = va_arg(ap, const char *)) != NULL;) {
        const char *want = va_arg(ap, const char *), *got = jstr(j, path);
        if (strcmp(got, want) != 0) {
            va_end(ap);
            fail_msg("%s is \"%s\", want \"%s\"", path, got, want);
        }
    }
    va_end(ap);
}

const char *err_field(struct resp *r, size_t i)
{
    json_t *d = json_array_get(walk(r->json, "error.details"), i);
    const char *s = json_string_value(json_object_get(d, "field"));
    return s ? s : "";
}

int has_err_field(struct resp *r, const char *field)
{
    json_t *d = walk(r->json, "error.details");
    for (size_t i = 0; i < json_array_size(d); i++)
        if (strcmp(err_field(r, i), field) == 0) return 1;
    return 0;
}

void req_expect_field(struct client *c, const char *method, const char *path, const char *body, long status,
                      const char *field)
{
    struct resp r;
    req_expect(c, method, path, body, status, &r);
    if (!has_err_field(&r, field)) fail_msg("%s %s: no problem on %s: %s", method, path, field, r.body);
    resp_free(&r);
}

void expect_items(struct client *c, const char *path, size_t n)
{
    struct resp r;
    req_expect(c, "GET", path, NULL, 200, &r);
    size_t got = json_array_size(json_object_get(r.json, "items"));
    if (got != n) fail_msg("GET %s: %zu items, wanted %zu: %s", path, got, n, r.body);
    resp_free(&r);
}

static void vexpect_in(const char *what, const char *text, va_list ap)
{
    if (!text) fail_msg("%s: none", what);
    for (const char *s; (s = va_arg(ap, const char *)) != NULL;)
        if (!strstr(text, s)) fail_msg("%s: no \"%s\" in:\n%s", what, s, text);
}

void expect_in(const char *what, const char *text, ...)
{
    va_list ap;
    va_start(ap, text);
    vexpect_in(what, text, ap);
    va_end(ap);
}

/* ---- fixtures ------------------------------------------------------------ */

static const struct { const char *code, *name, *city; } known_stores[] = {
    {"UTR01", "Utrecht Centrum", "Utrecht"},
    {"AMS01", "Amsterdam Kalverstraat", "Amsterdam"},
    {"RTM01", "Rotterdam Lijnbaan", "Rotterdam"},
};

static int make_known_store(struct client *admin, const char *code, size_t len)
{
    for (size_t i = 0; i < sizeof known_stores / sizeof known_stores[0]; i++)
        if (strlen(known_stores[i].code) == len && strncmp(known_stores[i].code, code, len) == 0) {
            make_store(admin, known_stores[i].code, known_stores[i].name, known_stores[i].city);
            return 0;
        }
    fprintf(stderr, "harness: no known store %.*s\n", (int)len, code);
    return -1;
}

static void member_password(const char *login_name, char *out, size_t n)
{
    snprintf(out, n, "%s-password", login_name);
}

static struct server *kept_servers[4];
static struct client *kept_clients[16];
static size_t n_kept_servers, n_kept_clients;

void chain_keep(struct server *s)
{
    if (n_kept_servers < sizeof kept_servers / sizeof kept_servers[0]) kept_servers[n_kept_servers++] = s;
    else fprintf(stderr, "harness: too many servers to keep\n");
}

static void keep_client(struct client *c)
{
    if (n_kept_clients < sizeof kept_clients / sizeof kept_clients[0]) kept_clients[n_kept_clients++] = c;
    else fprintf(stderr, "harness: too many clients to keep\n");
}

int chain_setup(struct server *s, struct client *admin, const char *stores, const struct member *m)
{
    chain_keep(s);
    if (admin) keep_client(admin);
    struct client own;
    struct client *a = admin ? admin : &own;
    int rc = 0;
    client_init(a, s);
    if (login(a, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) rc = -1;
    for (const char *p = stores ? stores : ""; rc == 0 && *p;) {
        size_t len = strcspn(p, " ");
        if (len && make_known_store(a, p, len) != 0) rc = -1;
        p += len + (p[len] == ' ');
    }
    char pw[128];
    for (const struct member *x = m; rc == 0 && x && x->login; x++) {
        member_password(x->login, pw, sizeof pw);
        make_staff(a, x->login, x->role, x->store, pw);
    }
    for (const struct member *x = m; rc == 0 && x && x->login; x++) {
        if (!x->c) continue;
        member_password(x->login, pw, sizeof pw);
        client_init(x->c, s);
        keep_client(x->c);
        if (login(x->c, x->login, pw) != 201) rc = -1;
    }
    if (!admin) client_free(&own);
    return rc;
}

void client_login(struct client *c, const struct server *s, const char *login_name)
{
    char pw[128];
    if (strcmp(login_name, ADMIN_LOGIN) == 0) snprintf(pw, sizeof pw, "%s", ADMIN_PASSWORD);
    else member_password(login_name, pw, sizeof pw);
    client_init(c, s);
    assert_int_equal(login(c, login_name, pw), 201);
}

long req_status(struct client *c, const char *method, const char *path, const char *body)
{
    struct resp r;
    assert_int_equal(req(c, method, path, body, &r), 0);
    long st = r.status;
    resp_free(&r);
    return st;
}

void req_expect(struct client *c, const char *method, const char *path, const char *body, long status,
                struct resp *r)
{
    assert_int_equal(req(c, method, path, body, r), 0);
    if (r->status != status)
        fprintf(stderr, "%s %s: %ld, wanted %ld: %s\n", method, path, r->status, status, r->body ? r->body : "");
    assert_int_equal(r->status, status);
}

long bearer_me(const struct server *s, const char *token)
{
    struct client c;
    client_init(&c, s);
    snprintf(c.bearer, sizeof c.bearer, "%s", token);
    c.no_origin = 1;
    long st = req_status(&c, "GET", "/api/v1/me", NULL);
    client_free(&c);
    return st;
}

int chain_start(struct server *s, struct client *admin, const char *stores, const struct member *m)
{
    if (server_start(s) != 0) return -1;
    return chain_setup(s, admin, stores, m);
}

int chain_start_env(struct server *s, struct client *admin, const char *stores, const struct member *m,
                    const struct env_var *env)
{
    for (const struct env_var *e = env; e->name; e++) setenv(e->name, e->value, 1);
    int rc = chain_start(s, admin, stores, m);
    for (const struct env_var *e = env; e->name; e++) unsetenv(e->name);
    return rc;
}

int insight_chain_start(struct server *s, struct client *admin, struct client *anna, struct client *mark,
                        struct client *piet)
{
    const struct member staff[] = {{"anna", "associate", "UTR01", anna}, {"mark", "manager", "UTR01", mark},
                                   {"piet", "manager", "AMS01", piet}, MEMBERS_END};
    static const struct env_var env[] = {{"TRUSTDESK_GOODWILL_MIN_CASES", "8"}, {NULL, NULL}};
    return chain_start_env(s, admin, "UTR01 AMS01", staff, env);
}

void insight_csv_start(struct insight_csv *x)
{
    snprintf(x->customers, sizeof x->customers, INSIGHT_CUSTOMERS_HEADER);
    snprintf(x->before, sizeof x->before, PURCHASES_HEADER);
    snprintf(x->after, sizeof x->after, PURCHASES_HEADER);
}

void insight_csv_import(struct client *admin, const struct insight_csv *x)
{
    import_csv(admin, "customers", x->customers);
    import_csv_ago(admin, "purchases", x->before);
}

void csv_appendf(char *buf, size_t n, const char *fmt, ...)
{
    size_t len = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + len, n - len, fmt, ap);
    va_end(ap);
    if (k < 0 || (size_t)k >= n - len) fail_msg("csv_appendf: %zu bytes are too few", n);
}

void insight_customer(struct insight_csv *x, int p, const char *store)
{
    csv_appendf(x->customers, sizeof x->customers, "NL-%d,Klant %d,k%d@example.test,%s\n", p, p, p, store);
}

void chain_anon(struct client *c, const struct server *s)
{
    client_init(c, s);
    keep_client(c);
}

int survey_chain_start(struct server *s, struct client *admin, const struct member *m, const char *min_answers,
                       struct client *anon)
{
    const struct env_var env[] = {{"TRUSTDESK_NPS_MIN_ANSWERS", min_answers}, {"TRUSTDESK_SURVEY_DAYS", "0"}, {NULL, NULL}};
    int rc = chain_start_env(s, admin, "UTR01 AMS01", m, env);
    chain_anon(anon, s);
    return rc;
}

int chain_teardown(void **state)
{
    (void)state;
    while (n_kept_clients) client_free(kept_clients[--n_kept_clients]);
    while (n_kept_servers) server_stop(kept_servers[--n_kept_servers]);
    return 0;
}

int cli_token(const struct server *s, const char *login_name, char *out, size_t n)
{
    if (run_cli(NULL, out, n, "token", "add", "--db", s->db_url, "--login", login_name, NULL) != 0) return -1;
    out[strcspn(out, "\n")] = '\0';
    return 0;
}

void after_staff_cache(void)
{
    struct timespec ts = {1, 50 * 1000000L};   /* STAFF_CACHE_US, and a margin for the clocks' rounding */
    nanosleep(&ts, NULL);
}

void case_age(const struct server *s, long long case_id, int days)
{
    long long us = (long long)days * 86400 * 1000000;
    char sql[4096];
    snprintf(sql, sizeof sql, "UPDATE cases SET resolved_at = resolved_at - %lld WHERE id = %lld", us, case_id);
    assert_int_equal(server_sql(s, sql), 0);
    snprintf(sql, sizeof sql, "UPDATE decision_inputs SET decided_at = decided_at - %lld WHERE case_id = %lld", us, case_id);
    assert_int_equal(server_sql(s, sql), 0);
    snprintf(sql, sizeof sql, "UPDATE case_outcomes SET resolved_at = resolved_at - %lld, decided_at = decided_at - %lld"
                              " WHERE case_id = %lld", us, us, case_id);
    assert_int_equal(server_sql(s, sql), 0);
    /* The windows: the receipts in (resolved_at, resolved_at + d days]. */
    static const int windows[] = {30, 90, 180};
    for (size_t i = 0; i < sizeof windows / sizeof windows[0]; i++) {
        const char *in = "r.customer_id = o.customer_id AND r.purchased_at > o.resolved_at AND r.purchased_at <= o.resolved_at + ";
        long long d = (long long)windows[i] * 86400 * 1000000;
        snprintf(sql, sizeof sql,
                 "UPDATE case_outcomes SET spend_%d = (SELECT COALESCE(SUM(l.unit_price_cents * l.quantity), 0) FROM case_outcomes o"
                 " JOIN receipts r ON %s%lld JOIN purchase_lines l ON l.receipt_id = r.id WHERE o.case_id = %lld),"
                 " visits_%d = (SELECT COUNT(*) FROM case_outcomes o JOIN receipts r ON %s%lld WHERE o.case_id = %lld)"
                 " WHERE case_id = %lld", windows[i], in, d, case_id, windows[i], in, d, case_id, case_id);
        assert_int_equal(server_sql(s, sql), 0);
    }
}

void refuse_idempotency_keys(const struct server *s, int on)
{
    if (server_is_pg(s)) {
        assert_int_equal(server_sql(s, on ? "CREATE FUNCTION td_test_refuse() RETURNS trigger LANGUAGE plpgsql AS"
                                            " \\$f\\$ BEGIN RAISE EXCEPTION 'refused by the test'; END \\$f\\$"
                                          : "DROP TRIGGER td_test_refuse ON idempotency_keys"), 0);
        assert_int_equal(server_sql(s, on ? "CREATE TRIGGER td_test_refuse BEFORE INSERT ON idempotency_keys"
                                            " FOR EACH ROW EXECUTE FUNCTION td_test_refuse()"
                                          : "DROP FUNCTION td_test_refuse()"), 0);
    } else {
        assert_int_equal(server_sql(s, on ? "CREATE TRIGGER td_test_refuse BEFORE INSERT ON idempotency_keys"
                                            " BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
                                          : "DROP TRIGGER td_test_refuse"), 0);
    }
}

void days_ago(int days, char *out, size_t n)
{
    time_t t = time(NULL) - (time_t)days * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

void import_csv(struct client *c, const char *kind, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/imports/%s", kind);
    struct resp r;
    assert_int_equal(req_h(c, "POST", path, text, &r, "Content-Type: text/csv; charset=utf-8", NULL), 0);
    if (r.status != 200 && r.status != 201) fprintf(stderr, "import %s: %ld %s\n", kind, r.status, r.body);
    assert_true(r.status == 200 || r.status == 201);
    resp_free(&r);
}

void import_csv_ago(struct client *c, const char *kind, const char *text)
{
    size_t cap = strlen(text) * 2 + 64, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (const char *p = text; *p;) {
        if (*p == '@' && (p == text || p[-1] == ',') && p[1] >= '0' && p[1] <= '9') {
            char *end;
            long days = strtol(p + 1, &end, 10);
            char when[32];
            days_ago((int)days, when, sizeof when);
            size_t w = strlen(when);
            assert_true(n + w < cap);
            memcpy(out + n, when, w);
            n += w;
            p = end;
        } else {
            assert_true(n + 1 < cap);
            out[n++] = *p++;
        }
    }
    out[n] = '\0';
    import_csv(c, kind, out);
    free(out);
}

long file_occurrences(const char *path, const char *needle, int ignore_case)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    long count = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= got; i++)
        if ((ignore_case ? strncasecmp(buf + i, needle, k) : memcmp(buf + i, needle, k)) == 0) count++;
    free(buf);
    return count;
}

long long customer_id(struct client *c, const char *q)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/customers?q=%s", q);
    struct resp r;
    assert_int_equal(req(c, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    if (json_array_size(json_object_get(r.json, "items")) != 1) fprintf(stderr, "search %s: %s\n", q, r.body);
    assert_int_equal(json_array_size(json_object_get(r.json, "items")), 1);
    long long id = jint(r.json, "items.0.id");
    resp_free(&r);
    return id;
}

long long post_id(struct client *c, const char *path, const char *body)
{
    struct resp r;
    req_expect(c, "POST", path, body, 201, &r);
    long long id = jint(r.json, "id");
    resp_free(&r);
    return id;
}

long long case_open(struct client *c, const char *body)
{
    struct resp r;
    assert_int_equal(req(c, "POST", "/api/v1/cases", body, &r), 0);
    if (r.status != 201) fprintf(stderr, "case_open: %ld %s\n", r.status, r.body);
    assert_int_equal(r.status, 201);
    assert_string_equal(jstr(r.json, "status"), "open");
    long long id = jint(r.json, "id");
    assert_true(id > 0);
    resp_free(&r);
    return id;
}

long long case_openf(struct client *c, const char *fmt, ...)
{
    char body[2048];
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof body) fail_msg("case_openf: the body does not fit: %s", fmt);
    return case_open(c, body);
}

long case_post_status(struct client *c, long long id, const char *what, const char *body)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/%s", id, what);
    return req_status(c, "POST", path, body);
}

void case_decide(struct client *c, long long id, struct resp *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/decision", id);
    assert_int_equal(req(c, "POST", path, NULL, r), 0);
    if (r->status != 200) fprintf(stderr, "decide: %ld %s\n", r->status, r->body);
    assert_int_equal(r->status, 200);
}

void case_resolve_as_recommended(struct client *c, long long id)
{
    struct resp r;
    char body[200], path[96];
    case_decide(c, id, &r);
    snprintf(body, sizeof body, "{\"resolution\":\"%s\",\"amount_cents\":%lld}", jstr(r.json, "resolution"),
             jint(r.json, "max_amount_cents"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", id);
    req_expect(c, "POST", path, body, 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
}

long long customer_new(struct client *c, const char *store)
{
    static int seq;
    char body[300];
    seq++;
    snprintf(body, sizeof body, "{\"home_store_code\":\"%s\",\"name\":\"Klant %d\",\"email\":\"klant-%d@example.test\"}",
             store, seq, seq);
    return post_id(c, "/api/v1/customers", body);
}

long long service_complaint_open(struct client *c, const char *store, long long customer)
{
    char body[600];
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"%s\",\"receipt\":false,"
             "\"customer_words\":\"Lang gewacht.\",\"items\":[{\"sold_here\":false,\"brand\":\"-\","
             "\"description\":\"Service\",\"stated_price_cents\":0,\"condition\":\"new\"}]}", customer, store);
    return case_open(c, body);
}

long long service_complaint_resolved(struct client *c, const char *store, long long customer)
{
    long long id = service_complaint_open(c, store, customer);
    case_resolve_as_recommended(c, id);
    return id;
}

void survey_last_link(const struct server *s, char *link, size_t n)
{
    /* The link: "/api/v1/surveys/" and the 64 characters of its token. */
    char text[200];
    assert_int_equal(server_sql_value(s,
                                      server_is_pg(s)
                                          ? "SELECT substr(body_text, strpos(body_text, '/api/v1/surveys/'), 80)"
                                            " FROM mail_outbox ORDER BY id DESC LIMIT 1"
                                          : "SELECT substr(body_text, instr(body_text, '/api/v1/surveys/'), 80)"
                                            " FROM mail_outbox ORDER BY id DESC LIMIT 1",
                                      text, sizeof text),
                     0);
    const char *l = strstr(text, "/api/v1/surveys/");
    if (!l) fail_msg("no survey link in the outbox's last mail: %s", text);
    snprintf(link, n, "%.*s", (int)strcspn(l, "\r\n "), l);
}

void survey_answer(struct client *anon, const char *link, int score)
{
    char form[32];
    snprintf(form, sizeof form, "score=%d", score);
    struct resp r;
    assert_int_equal(req_h(anon, "POST", link, form, &r, "Content-Type: application/x-www-form-urlencoded", NULL), 0);
    assert_int_equal(r.status, 200);
    resp_free(&r);
}

long long db_int(const struct server *s, const char *sql)
{
    return db_intf(s, "%s", sql);
}

/* The number a query built from fmt and ap finds; a query cut off fails the
 * test rather than asking something else, and so does one that does not run. */
static long long vquery_int(struct db *db, const char *fmt, va_list ap)
{
    char sql[2048];
    int len = vsnprintf(sql, sizeof sql, fmt, ap);
    if (len < 0 || (size_t)len >= sizeof sql) fail_msg("query longer than %zu bytes: %s", sizeof sql - 1, fmt);
    /* Built at run time, so never through the statement cache (which goes
     * by the text's address). */
    struct db_stmt *st = NULL;
    int rc = db_prepare_dynamic(db, sql, &st);
    if (rc == TD_OK) rc = db_step(st);
    long long n = rc == TD_ROW ? db_col_int64(st, 0) : -1;
    db_done(st);
    if (rc != TD_ROW) fail_msg("query failed or found no row (%d): %s", rc, sql);
    return n;
}

long long db_query_intf(struct db *db, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    long long n = vquery_int(db, fmt, ap);
    va_end(ap);
    return n;
}

long long db_intf(const struct server *s, const char *fmt, ...)
{
    struct db *db = NULL;
    assert_int_equal(db_open(s->db_url, &db), TD_OK);
    va_list ap;
    va_start(ap, fmt);
    long long n = vquery_int(db, fmt, ap);
    va_end(ap);
    db_close(db);
    return n;
}

/* ---- a volley -------------------------------------------------------------- */

struct gunner {
    const struct client *as;
    const char *cookie;        /* "Cookie: td_session=..." */
    struct volley_shot *shot;
};

static void *fire_shot(void *arg)
{
    struct gunner *g = arg;
    struct volley_shot *s = g->shot;
    struct client c;
    client_init(&c, g->as->srv);
    snprintf(c.csrf, sizeof c.csrf, "%s", g->as->csrf);
    if (req_h(&c, s->method, s->path, s->body, &s->r, g->cookie, s->header, NULL) != 0) s->r.status = 0;
    client_free(&c);
    return NULL;
}

void volley(struct client *as, struct volley_shot *shots, size_t n)
{
    char session[200] = "", cookie[256];
    assert_int_equal(client_cookie(as, "td_session", session, sizeof session), 0);
    snprintf(cookie, sizeof cookie, "Cookie: td_session=%s", session);
    pthread_t *t = calloc(n, sizeof *t);
    struct gunner *g = calloc(n, sizeof *g);
    assert_true(t && g);
    for (size_t i = 0; i < n; i++) {
        memset(&shots[i].r, 0, sizeof shots[i].r);
        g[i] = (struct gunner){as, cookie, &shots[i]};
        assert_int_equal(pthread_create(&t[i], NULL, fire_shot, &g[i]), 0);
    }
    for (size_t i = 0; i < n; i++) pthread_join(t[i], NULL);
    free(t);
    free(g);
}

void volley_free(struct volley_shot *shots, size_t n)
{
    for (size_t i = 0; i < n; i++) resp_free(&shots[i].r);
}

int volley_count(const struct volley_shot *shots, size_t n, long status)
{
    int k = 0;
    for (size_t i = 0; i < n; i++) k += shots[i].r.status == status;
    return k;
}

/* ---- workbooks: an .xlsx answer read back through `unzip -p` ---------------- */

char *xlsx_part(const struct resp *r, const char *part)
{
    char path[] = "/tmp/td-xlsx-test-XXXXXX", cmd[256];
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_true(write(fd, r->body, r->len) == (ssize_t)r->len);
    close(fd);
    snprintf(cmd, sizeof cmd, "unzip -p '%s' '%s' 2>/dev/null", path, part);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t cap = 1 << 16, len = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    for (size_t n; (n = fread(out + len, 1, cap - len - 1, p)) > 0;) {
        len += n;
        if (len + 1 == cap) assert_non_null(out = realloc(out, cap *= 2));
    }
    out[len] = '\0';
    int st = pclose(p);
    unlink(path);
    if (st != 0 || len == 0) {
        free(out);
        return NULL;
    }
    return out;
}

/* The text between <tag ...> and </tag> from *p on, XML entities of the
 * five kinds undone, into out; *p moves past it. 0 when there is none. */
static int xml_next(const char **p, const char *open, const char *close, char *out, size_t n)
{
    const char *a = strstr(*p, open);
    if (!a) return 0;
    a = strchr(a, '>');
    const char *b = a ? strstr(a, close) : NULL;
    if (!b) return 0;
    size_t k = 0;
    for (const char *s = a + 1; s < b && k + 1 < n; s++) {
        static const struct { const char *ent; char c; } ents[] = {
            {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
        char c = *s;
        for (size_t e = 0; e < sizeof ents / sizeof ents[0]; e++)
            if (strncmp(s, ents[e].ent, strlen(ents[e].ent)) == 0) {
                c = ents[e].c;
                s += strlen(ents[e].ent) - 1;
                break;
            }
        out[k++] = c;
    }
    out[k] = '\0';
    *p = b + strlen(close);
    return 1;
}

char *xlsx_grid(const struct resp *r, int sheet)
{
    char part[64];
    snprintf(part, sizeof part, "xl/worksheets/sheet%d.xml", sheet);
    char *xml = xlsx_part(r, part), *sst = xlsx_part(r, "xl/sharedStrings.xml");
    if (!xml) {
        free(sst);
        return NULL;
    }
    /* The shared strings, in order. */
    size_t nstr = 0;
    char **strs = NULL;
    for (const char *p = sst ? sst : ""; ;) {
        char t[4096];
        const char *si = strstr(p, "<si>");
        if (!si || !xml_next(&si, "<t", "</t>", t, sizeof t)) break;
        assert_non_null(strs = realloc(strs, (nstr + 1) * sizeof *strs));
        assert_non_null(strs[nstr++] = strdup(t));
        p = si;
    }
    size_t cap = 1 << 16, len = 0;
    char *out = calloc(1, cap);
    assert_non_null(out);
    const char *data = strstr(xml, "<sheetData");
    for (const char *p = data ? data : ""; ;) {
        const char *row = strstr(p, "<row "), *end = row ? strstr(row, "</row>") : NULL;
        if (!row || !end) break;
        int col = 0;
        for (const char *c = strstr(row, "<c "); c && c < end; c = strstr(c + 1, "<c ")) {
            const char *ref = strstr(c, "r=\"");
            int at = 0;
            for (const char *q = ref + 3; *q >= 'A' && *q <= 'Z'; q++) at = at * 26 + (*q - 'A' + 1);
            for (; col < at - 1; col++) len += (size_t)snprintf(out + len, cap - len, ";");   /* col: ';'s so far */
            const char *tag_end = strchr(c, '>');
            assert_non_null(tag_end);
            int is_str = tag_end && memmem(c, (size_t)(tag_end - c), "t=\"s\"", 5) != NULL;
            char v[4096] = "";
            const char *q = c;
            if (tag_end[-1] != '/') (void)xml_next(&q, "<v", "</v>", v, sizeof v);
            if (is_str) {
                size_t i = (size_t)strtoul(v, NULL, 10);
                len += (size_t)snprintf(out + len, cap - len, "\"%s\"", i < nstr ? strs[i] : "?");
            } else {
                len += (size_t)snprintf(out + len, cap - len, "%.10g", strtod(v, NULL));
            }
            col = at - 1;
            assert_true(len + 4096 < cap);
        }
        len += (size_t)snprintf(out + len, cap - len, "\n");
        p = end;
    }
    for (size_t i = 0; i < nstr; i++) free(strs[i]);
    free(strs);
    free(sst);
    free(xml);
    return out;
}

/* ---- reports as files ------------------------------------------------------- */

/* 1 when s matches pat, in which '*' stands for any run of characters. */
static int glob_match(const char *pat, const char *s)
{
    if (*pat == '\0') return *s == '\0';
    if (*pat == '*') return glob_match(pat + 1, s) || (*s && glob_match(pat, s + 1));
    return *s == *pat && glob_match(pat + 1, s + 1);
}

static void report_get(struct client *c, const char *path, const char *type, const char *stem, const char *ext,
                       struct resp *r)
{
    req_expect(c, "GET", path, NULL, 200, r);
    char h[300], want[300];
    resp_header(r, "Content-Type", h, sizeof h);
    if (strcmp(h, type) != 0) fail_msg("%s: Content-Type %s, wanted %s", path, h, type);
    if (!stem) return;
    snprintf(want, sizeof want, "attachment; filename=\"%s.%s\"", stem, ext);
    resp_header(r, "Content-Disposition", h, sizeof h);
    if (!glob_match(want, h)) fail_msg("%s: Content-Disposition %s, wanted %s", path, h, want);
}

void report_csv(struct client *c, const char *path, const char *stem, const char *head, struct resp *r)
{
    report_get(c, path, "text/csv; charset=utf-8", stem, "csv", r);
    if (r->len < 3 || memcmp(r->body, "\xEF\xBB\xBF", 3) != 0) fail_msg("%s: no byte-order mark: %s", path, r->body);
    if (head && strncmp(r->body + 3, head, strlen(head)) != 0)
        fail_msg("%s: the CSV opens:\n%s\nwanted:\n%s", path, r->body + 3, head);
}

void report_refusals(struct client *c, const char *path, const char *tables)
{
    char bad[256];
    struct resp r;
    snprintf(bad, sizeof bad, "%s?format=csv&table=nope", path);
    req_expect(c, "GET", bad, NULL, 400, &r);
    assert_string_equal(err_field(&r, 0), "table");
    assert_string_equal(jstr(r.json, "error.details.0.problem"), tables);
    resp_free(&r);
    snprintf(bad, sizeof bad, "%s?format=ods", path);
    req_expect_field(c, "GET", bad, NULL, 400, "format");
}

void report_xlsx(struct client *c, const char *path, const char *stem, struct resp *r)
{
    report_get(c, path, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", stem, "xlsx", r);
}

/* vexpect_in() on text the caller hands over (freed here). */
static void vexpect_in_owned(const char *what, char *text, va_list ap)
{
    vexpect_in(what, text, ap);
    free(text);
}

void expect_sheet(const struct resp *r, int sheet, ...)
{
    char what[32];
    snprintf(what, sizeof what, "sheet %d", sheet);
    va_list ap;
    va_start(ap, sheet);
    vexpect_in_owned(what, xlsx_grid(r, sheet), ap);
    va_end(ap);
}

void expect_part(const struct resp *r, const char *part, ...)
{
    va_list ap;
    va_start(ap, part);
    vexpect_in_owned(part, xlsx_part(r, part), ap);
    va_end(ap);
}
