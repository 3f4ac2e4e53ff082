/* server.c — libmicrohttpd glue: limits, request state, responses.
 *
 * Invariants:
 *  (1) a response is queued exactly once per request, and never on the first
 *      access-handler call (see http.h);
 *  (2) a body larger than its limit is never buffered: past the limit (a
 *      declared Content-Length or what arrives) the rest is discarded and
 *      413 answered once the body has been read (see http.h for when the
 *      answer comes at once instead); a body the admit callback asks to
 *      spool goes to an unlinked temporary file, never to memory;
 *  (3) every request is logged once, in the completed callback, with its
 *      request id, route pattern (never the raw path with ids or queries),
 *      status and duration. Nothing from headers or bodies is logged;
 *  (4) r->addr is the direct peer unless the peer is a trusted proxy, then
 *      the client its X-Forwarded-For names (core/addr.c): back-off, audit
 *      rows and the ledger's address all see the same client.
 */
#include "http/http.h"
#include "core/addr.h"
#include "core/clock.h"
#include "core/log.h"
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

struct http_server {
    struct MHD_Daemon *d;
    http_dispatch_fn fn;
    void *ctx;
    struct http_config cfg;
};

static const char *const error_body_413 =
    "{\"error\":{\"code\":\"too_large\",\"message\":\"the request body is too large\",\"details\":[]}}";
static const char *const error_body_400 =
    "{\"error\":{\"code\":\"bad_request\",\"message\":\"the request's framing is ambiguous (repeated "
    "Content-Length, Content-Length with Transfer-Encoding, or a control character in a header)\","
    "\"details\":[]}}";
static const char *const error_body_target =
    "{\"error\":{\"code\":\"bad_request\",\"message\":\"the request target must be a path that begins with /\","
    "\"details\":[]}}";
static const char *const error_body_nomem =
    "{\"error\":{\"code\":\"out_of_memory\",\"message\":\"the server is out of memory; try again later\","
    "\"details\":[]}}";
static const char *const error_body_spool =
    "{\"error\":{\"code\":\"unavailable\",\"message\":\"the upload could not be stored; try again later\","
    "\"details\":[]}}";

#define XFF_MAX 8                     /* X-Forwarded-For headers looked at (the last ones) */

struct xff_list {
    const char *v[XFF_MAX];
    size_t n;
};

static enum MHD_Result on_header(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
    (void)kind;
    struct xff_list *l = cls;
    if (!key || !value || strcasecmp(key, "X-Forwarded-For") != 0) return MHD_YES;
    if (l->n == XFF_MAX) {                /* keep the last ones: the trusted hops are at the end */
        memmove(l->v, l->v + 1, sizeof l->v - sizeof l->v[0]);
        l->n--;
    }
    l->v[l->n++] = value;
    return MHD_YES;
}

/* The client behind a trusted proxy, when the peer is one. */
static void resolve_client(struct http_req *r, const struct addr_set *trusted)
{
    if (!trusted || !trusted->n || !addr_set_has(trusted, r->addr)) return;
    struct xff_list l = { .n = 0 };
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, on_header, &l);
    char peer[sizeof r->addr];
    memcpy(peer, r->addr, sizeof peer);
    addr_client(trusted, peer, l.v, l.n, r->addr, sizeof r->addr);
}

/* A request's id: 8 bytes of the system's randomness as hex, fetched for 32
 * requests at a time per thread (a getrandom per request was one of the six
 * system calls a GET made). */
static void request_id(char out[17])
{
    static _Thread_local unsigned char pool[256];
    static _Thread_local size_t used = sizeof pool;
    if (used == sizeof pool) {
        randombytes_buf(pool, sizeof pool);
        used = 0;
    }
    sodium_bin2hex(out, 17, pool + used, 8);
    used += 8;
}

static struct http_req *req_new(struct MHD_Connection *conn, const char *method, const char *url,
                                const struct addr_set *trusted)
{
    struct http_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    arena_init(&r->arena, 8u << 20);
    buf_init(&r->body, 0);
    buf_init(&r->out, 64u << 20);
    r->conn = conn;
    r->method = method;
    r->path = url;
    r->started_us = clock_mono_us();
    r->status = 500;
    r->route = "unmatched";
    r->spool_fd = -1;
    request_id(r->request_id);
    const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (ci && ci->client_addr) {
        const struct sockaddr *sa = ci->client_addr;
        if (sa->sa_family == AF_INET)
            inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, r->addr, sizeof r->addr);
        else if (sa->sa_family == AF_INET6)
            inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, r->addr, sizeof r->addr);
    }
    if (!r->addr[0]) memcpy(r->addr, "unknown", 8);
    resolve_client(r, trusted);
    pthread_mutex_init(&r->lock, NULL);
    return r;
}

/* Runs the request's on_end once: when its answer is queued (so a client
 * that has the answer finds what it held released), or when it ends
 * without one. */
static void end_request(struct http_req *r)
{
    void (*fn)(void *) = r->on_end;
    r->on_end = NULL;
    if (fn) fn(r->on_end_arg);
}

static void req_free(struct http_req *r)
{
    end_request(r);
    pthread_mutex_destroy(&r->lock);
    if (r->spool_map) {
        munmap(r->spool_map, r->spool_len + 1);
        r->body.data = NULL;             /* the mapping, not the buffer's own memory */
    }
    if (r->spool_fd >= 0) close(r->spool_fd);
    buf_free(&r->body);
    buf_free(&r->out);
    arena_free(&r->arena);
    free(r);
}

static enum MHD_Result send_response(struct http_req *r)
{
    end_request(r);
    size_t len = r->out.len;
    char *body = buf_steal(&r->out);
    if (!body) return MHD_NO;
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, "Content-Type", r->content_type ? r->content_type : "application/json");
    MHD_add_response_header(resp, "X-Request-Id", r->request_id);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "same-origin");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    if (!r->content_type || strncmp(r->content_type, "application/json", 16) == 0)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    r->answered = 1;
    return ret;
}

/* Makes the answer a fixed error; the rest of the body will be discarded. */
static void refuse(struct http_req *r, int status, const char *body, const char *route)
{
    buf_reset(&r->out);
    r->nheaders = 0;
    TD_BEST_EFFORT(buf_puts(&r->out, body));
    r->status = status;
    r->content_type = "application/json";
    r->route = route;
    r->refused = 1;
}

struct framing {
    int content_length;               /* how many Content-Length headers */
    int transfer_encoding;
    int control;                      /* a CR, LF or NUL inside a header value */
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key, size_t key_size,
                                     const char *value, size_t value_size)
{
    (void)kind; (void)key_size;
    struct framing *f = cls;
    if (strcasecmp(key, "Content-Length") == 0) f->content_length++;
    if (strcasecmp(key, "Transfer-Encoding") == 0) f->transfer_encoding++;
    if (value && (memchr(value, '\0', value_size) || memchr(value, '\r', value_size) || memchr(value, '\n', value_size)))
        f->control = 1;
    return MHD_YES;
}

/* A request that a proxy in front of us might frame differently from us is
 * refused: that difference is how requests are smuggled past the proxy. */
static int framing_ok(struct MHD_Connection *conn)
{
    struct framing f = {0};
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, count_framing, &f);
    return f.content_length <= 1 && !(f.content_length && f.transfer_encoding) && !f.control;
}

static int expects_continue(struct MHD_Connection *conn)
{
    const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Expect");
    return e && strcasecmp(e, "100-continue") == 0;
}

/* An unlinked temporary file for a large body (so it never sits in memory). */
static int spool_open(const char *dir)
{
    if (!dir || !*dir) dir = getenv("TMPDIR");
    if (!dir || !*dir) dir = "/tmp";
    char path[1024];
    if (snprintf(path, sizeof path, "%s/trustdesk-upload-XXXXXX", dir) >= (int)sizeof path) return -1;
    int fd = mkstemp(path);
    if (fd >= 0) unlink(path);
    return fd;
}

static int spool_write(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return TD_E_IO;
        p += w;
        n -= (size_t)w;
    }
    return TD_OK;
}

/* Maps the spooled body (with a trailing NUL, as a buffer has) as r->body. */
static int spool_map(struct http_req *r)
{
    if (spool_write(r->spool_fd, "", 1) != TD_OK) return TD_E_IO;
    void *m = mmap(NULL, r->spool_len + 1, PROT_READ | PROT_WRITE, MAP_PRIVATE, r->spool_fd, 0);
    if (m == MAP_FAILED) return TD_E_IO;
    r->spool_map = m;
    r->body.data = m;
    r->body.len = r->spool_len;
    return TD_OK;
}

/* The first call: everything that can be decided on the headers. */
static enum MHD_Result on_headers(struct http_server *s, struct http_req *r)
{
    struct MHD_Connection *conn = r->conn;
    struct http_admit ad = { s->cfg.max_body, 0 };
    if (!framing_ok(conn)) {
        refuse(r, 400, error_body_400, "bad_framing");
    } else if (!r->path || r->path[0] != '/') {
        /* Origin form only: what a proxy or the static files would read as
         * a path is never something else (absolute form, '*', bytes). */
        refuse(r, 400, error_body_target, "bad_target");
    } else if (!s->cfg.admit || s->cfg.admit(s->ctx, r, &ad) == 0) {
        r->body.limit = ad.limit;
        if (ad.spool && (r->spool_fd = spool_open(s->cfg.spool_dir)) < 0)
            refuse(r, 503, error_body_spool, "upload_not_stored");
    } else {
        r->refused = 1;               /* admit wrote the answer */
    }
    unsigned long long declared = 0;
    const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
    if (cl) {
        char *end = NULL;
        declared = strtoull(cl, &end, 10);
        if (end == cl || *end) declared = ULLONG_MAX;
        if (!r->refused && declared > r->body.limit) refuse(r, 413, error_body_413, "body_too_large");
    }
    /* See http.h: a refusal waits until the body is read, unless the client
     * is waiting for our word before sending it, or it is too large to read. */
    if (r->refused && declared > 0 && (expects_continue(conn) || declared > HTTP_DRAIN_MAX))
        return send_response(r);
    return MHD_YES;
}

static enum MHD_Result on_access(void *cls, struct MHD_Connection *conn, const char *url,
                                 const char *method, const char *version, const char *upload_data,
                                 size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_req *r = *con_cls;
    if (!r) {
        r = req_new(conn, method, url, s->cfg.trusted_proxies);
        if (!r) return MHD_NO;
        *con_cls = r;
        return on_headers(s, r);
    }
    if (r->answered) {
        *upload_data_size = 0;       /* discard whatever is still arriving */
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (!r->refused) {
            int rc = TD_OK;
            if (r->spool_fd < 0) {
                rc = buf_append(&r->body, upload_data, n);
            } else if (n > r->body.limit - r->spool_len) {
                rc = TD_E_TOO_LARGE;
            } else if ((rc = spool_write(r->spool_fd, upload_data, n)) == TD_OK) {
                r->spool_len += n;
            }
            if (rc == TD_OK) return MHD_YES;
            if (rc == TD_E_IO) refuse(r, 503, error_body_spool, "upload_not_stored");
            else if (rc == TD_E_NOMEM) refuse(r, 503, error_body_nomem, "out_of_memory");
            else refuse(r, 413, error_body_413, "body_too_large");
        }
        r->discarded += n;
        if (r->discarded > HTTP_DRAIN_MAX) return send_response(r);   /* enough: answer, and close */
        return MHD_YES;
    }
    if (r->refused) return send_response(r);
    if (r->spool_fd >= 0 && !r->spool_map && spool_map(r) != TD_OK) {
        refuse(r, 503, error_body_spool, "upload_not_stored");
        return send_response(r);
    }
    if (!r->deferred) s->fn(s->ctx, r);
    if (r->deferred) {
        /* Answer now if it is ready; else park the connection until
         * http_complete() resumes it (and we are called again). */
        pthread_mutex_lock(&r->lock);
        int ready = r->done;
        if (!ready && !r->suspended) {
            r->suspended = 1;
            MHD_suspend_connection(conn);
        }
        pthread_mutex_unlock(&r->lock);
        if (!ready) return MHD_YES;
    }
    return send_response(r);
}

void http_defer(struct http_req *r) { r->deferred = 1; }

void http_complete(struct http_req *r)
{
    pthread_mutex_lock(&r->lock);
    r->done = 1;
    if (r->suspended) {
        r->suspended = 0;
        MHD_resume_connection(r->conn);
    }
    pthread_mutex_unlock(&r->lock);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls; (void)conn; (void)toe;
    struct http_req *r = *con_cls;
    if (!r) return;
    int64_t us = clock_mono_us() - r->started_us;
    int status = r->answered ? r->status : 499;
    log_request(r->request_id, r->method, r->route, status, us);
    http_metrics_observe(r->route, r->method, status, us);
    req_free(r);
    *con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r')) msg[--n] = '\0';
    log_msg(LOG_WARN, "http", "detail", msg, NULL);
}

static int parse_listen(const char *listen, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(listen, ':');
    if (!colon || (size_t)(colon - listen) >= sizeof host) return TD_E_INVALID;
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = '\0';
    char *end = NULL;
    long port = strtol(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port < 0 || port > 65535) return TD_E_INVALID;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (strcmp(host, "localhost") == 0) memcpy(host, "127.0.0.1", 10);
    if (host[0] == '\0') memcpy(host, "0.0.0.0", 8);
    if (inet_pton(AF_INET, host, &sa->sin_addr) != 1) return TD_E_INVALID;
    return TD_OK;
}

/* Every connection accepted and not yet closed, counted as libmicrohttpd
 * opens and closes them (a socket waiting in the kernel's queue is not). */
static atomic_uint open_connections;

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    (void)cls;
    (void)conn;
    (void)socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) atomic_fetch_add(&open_connections, 1);
    else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) atomic_fetch_sub(&open_connections, 1);
}

int http_start(const struct http_config *cfg, http_dispatch_fn fn, void *ctx, struct http_server **out)
{
    struct sockaddr_in sa;
    int rc = parse_listen(cfg->listen, &sa);
    if (rc != TD_OK) return rc;
    struct http_server *s = calloc(1, sizeof *s);
    if (!s) return TD_E_NOMEM;
    s->fn = fn;
    s->ctx = ctx;
    s->cfg = *cfg;
    unsigned threads = cfg->threads;
    if (!threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = n > 0 ? (unsigned)n : 2;
    }
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME,
                            0, NULL, NULL, on_access, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_CONNECTION_LIMIT, cfg->max_connections,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->max_per_address,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->header_memory,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024,
                            MHD_OPTION_STRICT_FOR_CLIENT, 1,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL,
                            MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL,
                            MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return TD_E_IO;
    }
    *out = s;
    return TD_OK;
}

void http_stop(struct http_server *s)
{
    if (!s) return;
    MHD_stop_daemon(s->d);
    free(s);
}

unsigned http_port(const struct http_server *s)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

unsigned http_open_connections(void)
{
    return atomic_load(&open_connections);
}

const char *http_header(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

const char *http_query(struct http_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_add_header(struct http_req *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS) return TD_E_INTERNAL;
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = value;
    r->nheaders++;
    return TD_OK;
}
