/* http.h — the HTTP server (libmicrohttpd) as the layers above see it.
 *
 * The server owns connections, limits and the life of a request; it knows no
 * routes. For each complete request it calls the dispatcher given to
 * http_start() once, with the whole body read (or refused by the limits),
 * and sends what the dispatcher put in the response.
 *
 * A request's life:
 *   first handler call      allocate struct http_req, refuse framing that a
 *                           proxy could read differently (400), ask the
 *                           admit callback (limit, spool, or an answer now),
 *                           check Content-Length against the limit
 *   further calls           append upload data to the bounded body buffer
 *                           (or the spool file), or discard it when the
 *                           request is already refused
 *   last call (no data)     dispatch, queue the response (never on the first
 *                           call: libmicrohttpd 0.9.75 then closes the
 *                           connection, which costs keep-alive)
 *   completed callback      log line, metrics, on_end, free the request
 *
 * A refused request (413, or what admit answered) is answered only after its
 * body has been read and thrown away, up to HTTP_DRAIN_MAX bytes: answering
 * while the client is still sending and then closing makes the kernel reset
 * the connection, and the client may lose the answer before it reads it.
 * A client that asked "Expect: 100-continue" has sent nothing yet and is
 * answered at once; so is one whose body is larger than HTTP_DRAIN_MAX (the
 * connection then closes).
 */
#ifndef TD_HTTP_H
#define TD_HTTP_H
#include <stddef.h>
#include <pthread.h>
#include <stdint.h>
#include "core/arena.h"
#include "core/buf.h"
#include "core/status.h"

struct MHD_Connection;
struct http_server;
struct addr_set;

#define HTTP_MAX_PARAMS 4
#define HTTP_MAX_HEADERS 8
#define HTTP_METRICS_SERIES 8192      /* metrics series: (route names) x 6 methods x 5 classes */
#define HTTP_DRAIN_MAX (16u << 20)    /* most bytes read and discarded before a refusal */

struct http_req {
    /* request */
    const char *method;
    const char *path;                 /* without the query string */
    struct buf body;
    char addr[64];                    /* client address: the peer, or whom a trusted proxy names */
    char request_id[17];
    int64_t started_us;               /* monotonic */
    struct arena arena;               /* per-request temporaries */
    const char *route;                /* matched route pattern, for logs and metrics */
    const char *params[HTTP_MAX_PARAMS]; /* {placeholders} of the route, in order */
    int nparams;
    void *user;                       /* the dispatcher's per-request state */
    /* Called once, when the answer is queued or the request ends without
     * one (set by admit, e.g. to release what the request held). */
    void (*on_end)(void *arg);
    void *on_end_arg;
    /* response */
    int status;
    const char *content_type;
    struct buf out;
    int nheaders;
    struct { const char *name, *value; } headers[HTTP_MAX_HEADERS];
    /* internal */
    struct MHD_Connection *conn;
    int refused;                      /* the answer is ready; the body is discarded */
    size_t discarded;                 /* body bytes thrown away so far */
    int spool_fd;                     /* body in an unlinked temporary file (-1: in memory) */
    size_t spool_len;
    void *spool_map;                  /* the spool file mapped read-only at dispatch */
    int answered;
    int deferred;                     /* the answer comes later, from another thread */
    int done;                         /* a deferred answer is ready */
    int suspended;                    /* the connection waits for it */
    pthread_mutex_t lock;             /* guards done/suspended of a deferred request */
};

typedef void (*http_dispatch_fn)(void *ctx, struct http_req *r);

/* What a request may send, decided on its headers before any of its body
 * is read (http_header() works). */
struct http_admit {
    size_t limit;                     /* largest body; larger gets 413 */
    int spool;                        /* keep the body in a temporary file, not in memory */
};
/* Fills *out and returns 0, or fills the answer (r->status, r->out) and
 * returns 1 to refuse the request. NULL: max_body for every request. */
typedef int (*http_admit_fn)(void *ctx, struct http_req *r, struct http_admit *out);

struct http_config {
    const char *listen;               /* "HOST:PORT" */
    unsigned threads;                 /* worker threads (0: one per core) */
    size_t max_body;                  /* bytes; larger bodies get 413 */
    http_admit_fn admit;              /* per-request limit (overrides max_body) */
    const char *spool_dir;            /* where spooled bodies go (NULL: TMPDIR or /tmp) */
    unsigned max_connections;
    unsigned max_per_address;
    unsigned timeout_s;               /* idle connection timeout */
    size_t header_memory;             /* per-connection memory for headers */
    /* Peers whose X-Forwarded-For names the client (NULL or empty: none;
     * see core/addr.h). Must outlive the server. */
    const struct addr_set *trusted_proxies;
};

int http_start(const struct http_config *cfg, http_dispatch_fn fn, void *ctx,
               struct http_server **out /* OUT */) TD_MUST_CHECK;
void http_stop(struct http_server *s);        /* accepts NULL */
unsigned http_port(const struct http_server *s);  /* the bound port */

/* Request helpers (valid during dispatch). */
const char *http_header(struct http_req *r, const char *name);   /* NULL when absent */
const char *http_cookie(struct http_req *r, const char *name);
const char *http_query(struct http_req *r, const char *name);    /* decoded */
/* Adds a response header; name and value must live until the request ends
 * (string literals or arena copies). */
int http_add_header(struct http_req *r, const char *name, const char *value) TD_MUST_CHECK;

/* Asynchronous answers: during dispatch, http_defer() says the answer will
 * come later; the dispatcher hands the request to another thread, which
 * fills the response and calls http_complete(). The connection is
 * suspended meanwhile, so no worker thread waits. */
void http_defer(struct http_req *r);
void http_complete(struct http_req *r);

/* Prometheus text of the request counters and latency histograms. */
/* Answers a GET of a file under root (the built web app), or index.html
 * for an app route; TD_E_NOT_FOUND when the path names nothing there. */
int http_static_serve(struct http_req *r, const char *root) TD_MUST_CHECK;

int http_metrics_render(struct buf *out) TD_MUST_CHECK;
/* Connections this process's servers hold open now, for /metrics. */
unsigned http_open_connections(void);
void http_metrics_observe(const char *route, const char *method, int status, int64_t micros);

#endif
