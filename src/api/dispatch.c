/* dispatch.c — from an HTTP request to a handler: route match, who is
 * calling, may they, CSRF, one transaction, the JSON error shape.
 *
 * Order of checks (the first failing one answers):
 *   1. route:  no path match -> 404; path but not method -> 405
 *   2. auth:   Bearer token or session cookie, unless the route is public -> 401
 *   3. roles:  the route's roles must include the caller's -> 403; staff
 *              other than admins who belong to no store may call only
 *              API_STORELESS routes -> 403
 *   4. CSRF:   a cookie-authenticated write needs X-CSRF-Token equal to the
 *              session's and an Origin equal to the Host it was sent to -> 403
 *   5. handler, inside one transaction for writes (retried when busy); for
 *      routes flagged API_IDEMPOTENT (money, cases, imports) with an
 *      Idempotency-Key header, the key, a hash of the request and the answer
 *      are stored in that same transaction (sealed: domain/idempotency.h); a
 *      repeat with the same key gets the stored answer (same status), with
 *      another request 422, and after the customer the answer concerned was
 *      erased 409 (api/txn.c runs this protocol). With --read-db, a route
 *      flagged API_REPLICA (insight) runs on the read replica instead,
 *      after steps 2-4 ran on the primary (api/replica.c).
 */
#include "api/api.h"
#include "api/handlers.h"
#include "core/log.h"
#include "db/db.h"
#include "api/group.h"
#include "api/replica.h"
#include "api/txn.h"
#include "domain/idempotency.h"
#include <stddef.h>
#include <stdio.h>
#include <string.h>

const struct api_route api_routes[] = {
#define ROUTE(method, path, handler, roles, flags) {method, path, handler, roles, flags},
#include "api/routes.def"
#undef ROUTE
};
const size_t api_routes_count = sizeof api_routes / sizeof api_routes[0];

int api_check_routes(char *why, size_t n)
{
    /* Every route, and a few fixed names (unmatched, static, refusals), in
     * each of 6 method labels and 5 status classes must fit the metrics. */
    if ((api_routes_count + 8) * 6 * 5 > HTTP_METRICS_SERIES) {
        snprintf(why, n, "%zu routes do not fit HTTP_METRICS_SERIES", api_routes_count);
        return TD_E_INTERNAL;
    }
    for (size_t i = 0; i < api_routes_count; i++) {
        const struct api_route *r = &api_routes[i];
        if (r->roles == 0) {
            snprintf(why, n, "route %s %s declares no roles", r->method, r->path);
            return TD_E_INTERNAL;
        }
        if ((r->flags & API_REPLICA) && strcmp(r->method, "GET") != 0 && !(r->flags & API_READ_ONLY)) {
            snprintf(why, n, "route %s %s writes, so it may not run on the read replica (API_REPLICA)", r->method,
                     r->path);
            return TD_E_INTERNAL;
        }
        if (!r->handler) {
            snprintf(why, n, "route %s %s has no handler", r->method, r->path);
            return TD_E_INTERNAL;
        }
        for (size_t j = 0; j < i; j++)
            if (strcmp(api_routes[j].method, r->method) == 0 && strcmp(api_routes[j].path, r->path) == 0) {
                snprintf(why, n, "route %s %s is declared twice", r->method, r->path);
                return TD_E_INTERNAL;
            }
    }
    return TD_OK;
}

/* Matches path against a pattern; fills the {placeholder} values (arena
 * copies) into r->params. 1 when it matches, 0 when not, TD_E_NOMEM when
 * a value could not be copied. */
static int match(struct http_req *r, const char *pattern, const char *path)
{
    const char *p = pattern, *s = path;
    int np = 0;
    const char *params[HTTP_MAX_PARAMS];
    size_t lens[HTTP_MAX_PARAMS];
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            const char *seg_end = strchr(s, '/');
            size_t len = seg_end ? (size_t)(seg_end - s) : strlen(s);
            if (!close || len == 0 || np >= HTTP_MAX_PARAMS) return 0;
            params[np] = s;
            lens[np++] = len;
            p = close + 1;
            s += len;
        } else if (*p == *s) {
            p++;
            s++;
        } else {
            return 0;
        }
    }
    if (*p || *s) return 0;
    for (int i = 0; i < np; i++) {
        char *v = arena_alloc(&r->arena, lens[i] + 1);
        if (!v) return TD_E_NOMEM;
        memcpy(v, params[i], lens[i]);
        v[lens[i]] = '\0';
        r->params[i] = v;
    }
    r->nparams = np;
    return 1;
}


static int authenticate(struct api_call *a)
{
    struct http_req *r = a->r;
    const char *authz = http_header(r, "Authorization");
    if (authz) {
        if (strncmp(authz, "Bearer ", 7) != 0) return TD_E_UNAUTHORIZED;
        int rc = staff_token_check(&a->d, authz + 7, &a->me);
        if (rc == TD_OK) a->authed = 1;
        return rc;
    }
    const char *cookie = http_cookie(r, "td_session");
    if (!cookie) return TD_E_UNAUTHORIZED;
    int rc = staff_session_check(&a->d, cookie, &a->me, a->csrf);
    if (rc == TD_OK) {
        a->authed = 1;
        a->via_cookie = 1;
    }
    return rc;
}

/* Origin must name the host the request was sent to. */
static int origin_ok(struct http_req *r)
{
    const char *origin = http_header(r, "Origin");
    const char *host = http_header(r, "Host");
    if (!origin || !host) return 0;
    const char *rest = NULL;
    if (strncmp(origin, "http://", 7) == 0) rest = origin + 7;
    else if (strncmp(origin, "https://", 8) == 0) rest = origin + 8;
    return rest && strcmp(rest, host) == 0;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

/* Steps 2-4 of the order above, on the headers alone: TD_OK when the caller
 * may call the route (a->me, a->d.actor filled), else the status to answer
 * (a->err may say more). */
static int admit_caller(struct api_call *a, const struct api_route *route)
{
    struct http_req *r = a->r;
    if (route->roles & API_PUBLIC) {
        if (is_write(r->method) && http_header(r, "Origin") && !origin_ok(r)) {
            errors_set_message(&a->err, "cross-origin request refused");
            return TD_E_FORBIDDEN;
        }
        return TD_OK;
    }
    int rc = authenticate(a);
    if (rc != TD_OK) return rc == TD_E_NOT_FOUND ? TD_E_UNAUTHORIZED : rc;
    a->d.actor.staff_id = a->me.id;
    a->d.actor.role = a->me.role;
    a->d.actor.store_id = a->me.store_id;
    if (!(route->roles & a->me.role)) return TD_E_FORBIDDEN;
    /* Store scopes read "no store" as "every store" nowhere: staff who are
     * not admins and belong to no store (their store was taken away) may
     * only see who they are and log out. */
    if (a->me.role != ROLE_ADMIN && a->me.store_id <= 0 && !(route->flags & API_STORELESS)) {
        errors_set_message(&a->err, "your account belongs to no store; an admin must assign one");
        return TD_E_FORBIDDEN;
    }
    if (a->via_cookie && is_write(r->method)) {
        const char *t = http_header(r, "X-CSRF-Token");
        if (!t || !token_equal(t, a->csrf) || !origin_ok(r)) {
            errors_set_message(&a->err, "missing or wrong CSRF token or Origin");
            return TD_E_FORBIDDEN;
        }
    }
    return TD_OK;
}

static void upload_done(void *arg)
{
    struct app *app = arg;
    __atomic_sub_fetch(&app->uploads_in_flight, 1, __ATOMIC_RELAXED);
}

void api_call_init(struct api_call *a, struct app *app, struct http_req *r)
{
    memset(a, 0, offsetof(struct api_call, err));
    errors_init(&a->err);
    a->app = app;
    a->r = r;
}

/* The http admit callback (see http.h). Ordinary requests may send
 * app->max_body and are checked when complete. A large-body route (CSV
 * imports) is checked on its headers first: an anonymous or unauthorized
 * client is answered before it can make us read 256 MiB; at most
 * app->max_uploads such bodies are received at once; each goes to a
 * temporary file, not to memory. */
int api_admit(void *ctx, struct http_req *r, struct http_admit *out)
{
    struct app *app = ctx;
    out->limit = app->max_body ? app->max_body : API_BODY_MAX;
    out->spool = 0;
    const struct api_route *route = NULL;
    for (size_t i = 0; i < api_routes_count && !route; i++) {
        const struct api_route *rt = &api_routes[i];
        if ((rt->flags & API_BIG_BODY) && strcmp(rt->method, r->method) == 0 && strcmp(rt->path, r->path) == 0)
            route = rt;                                    /* big-body routes have no {params} */
    }
    if (!route) return 0;
    struct api_call a;
    api_call_init(&a, app, r);
    r->route = route->path;
    int rc = app_db(app, &a.d.db);
    if (rc == TD_OK) {
        a.d.now_us = clock_now_us(&app->clock);
        a.d.addr = r->addr;
        rc = admit_caller(&a, route);
    } else {
        rc = TD_E_UNAVAILABLE;
    }
    if (rc == TD_OK) {
        int max = app->max_uploads > 0 ? app->max_uploads : API_MAX_UPLOADS;
        if (__atomic_add_fetch(&app->uploads_in_flight, 1, __ATOMIC_RELAXED) > max) {
            __atomic_sub_fetch(&app->uploads_in_flight, 1, __ATOMIC_RELAXED);
            errors_set_message(&a.err, "other uploads are being received; try again in a moment");
            a.retry_after_s = 5;
            rc = TD_E_BUSY;
        } else {
            r->on_end = upload_done;
            r->on_end_arg = app;
        }
    }
    if (rc != TD_OK) {
        api_reply_error(&a, rc);
        return 1;
    }
    out->limit = API_BIG_BODY_MAX;
    out->spool = 1;
    return 0;
}

void api_dispatch(void *ctx, struct http_req *r)
{
    struct api_call a;
    api_call_init(&a, ctx, r);
    const struct api_route *route = NULL;
    int path_matched = 0, rc = TD_OK;
    for (size_t i = 0; i < api_routes_count; i++) {
        int m = match(r, api_routes[i].path, r->path);
        if (m < 0) {
            api_reply_error(&a, m);
            return;
        }
        if (!m) continue;
        path_matched = 1;
        if (strcmp(api_routes[i].method, r->method) == 0) {
            route = &api_routes[i];
            break;
        }
    }
    if (!route && !path_matched && a.app->web_dir[0] && strncmp(r->path, "/api/", 5) != 0 &&
        (strcmp(r->method, "GET") == 0 || strcmp(r->method, "HEAD") == 0)) {
        /* Not an API route: a file of the web app (public, like its login screen). */
        r->route = "static";
        if (http_static_serve(r, a.app->web_dir) == TD_OK) return;
        buf_reset(&r->out);
        r->nheaders = 0;
    }
    if (!route) {
        api_reply_error(&a, path_matched ? TD_E_METHOD : TD_E_NOT_FOUND);
        return;
    }
    r->route = route->path;
    if ((rc = app_db(a.app, &a.d.db)) != TD_OK) {
        log_msg(LOG_ERROR, "cannot open the database", "request_id", r->request_id, NULL);
        api_reply_error(&a, TD_E_UNAVAILABLE);
        return;
    }
    a.d.now_us = clock_now_us(&a.app->clock);
    a.d.addr = r->addr;
    /* On SQLite a read runs authentication and the handler in one read
     * transaction: one snapshot, one set of file locks instead of several. */
    int read_tx = (!is_write(r->method) || (route->flags & API_READ_ONLY)) && !(route->flags & API_AUDITED) &&
                  db_backend(a.d.db) == DB_SQLITE && db_begin(a.d.db, 0) == TD_OK;
    if ((rc = admit_caller(&a, route)) != TD_OK) {
        api_reply_error(&a, rc);
        goto done;
    }
    struct idem_key k = {0};
    if (route->flags & API_IDEMPOTENT) {
        k.key = http_header(r, "Idempotency-Key");
        if (k.key) {
            if (!idem_key_valid(k.key)) {
                errors_add(&a.err, "Idempotency-Key", "must be 1 to 200 visible ASCII characters");
                api_reply_error(&a, TD_E_BAD_REQUEST);
                goto done;
            }
            idem_key_init(&k, a.me.id, k.key, r->method, r->path, r->body.data, r->body.len);
        }
    }
    int alone = 0;
    /* An import (API_BIG_BODY) takes a key like a money request but runs
     * on its worker thread as before: the group-commit writer is for many
     * small requests sharing one fsync (money, and API_GROUPED: a survey's
     * answer), an import is one long transaction. */
    int grouped = (route->flags & (API_IDEMPOTENT | API_GROUPED)) && !(route->flags & API_BIG_BODY) && a.app->group;
    if (grouped && !(alone = group_enter_inline(a.app->group))) {
        /* Money moves through the group-commit writer (SQLite): the call and
         * its key must outlive this function, so they move to the arena. */
        struct api_call *heap = arena_alloc(&r->arena, sizeof *heap);
        struct idem_key *hk = arena_alloc(&r->arena, sizeof *hk);
        if (heap && hk) {
            *heap = a;
            *hk = k;
            if (group_submit(a.app->group, heap, route, hk) == TD_OK) goto done;
        }
    }
    if ((route->flags & API_REPLICA) && a.app->read_db_url[0]) rc = api_replica_run(&a, route);
    else if (!is_write(route->method) || (route->flags & (API_OWN_TX | API_READ_ONLY))) rc = route->handler(&a);
    else rc = api_txn_own(&a, route, &k);
    if (alone) group_leave_inline(a.app->group);
    if (rc == TD_OK && a.after_commit && a.after_commit(&a) != TD_OK)
        log_msg(LOG_WARN, "after-commit step failed", "request_id", r->request_id, "route", route->path, NULL);
    if (rc != TD_OK && a.refusal_stored) goto done;   /* the stored refusal is the answer */
    if (rc != TD_OK) {
        if (rc == TD_E_DB || rc == TD_E_INTERNAL || rc == TD_E_IO)
            log_msg(LOG_ERROR, "request failed", "request_id", r->request_id, "route", route->path,
                    "status", td_status_code(rc), NULL);
        api_reply_error(&a, rc);
    }
done:
    api_replica_headers(&a);
    if (read_tx && db_commit(a.d.db) != TD_OK) db_rollback(a.d.db);
    if (a.after_end && a.after_end(&a) != TD_OK)
        log_msg(LOG_WARN, "after-request step failed", "request_id", r->request_id, "route", route->path, NULL);
}
