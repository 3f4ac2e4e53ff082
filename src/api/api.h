/* api.h — the JSON API: one file per resource, a declarative route table
 * (routes.def), and the helpers every handler uses.
 *
 * A handler gets a struct api_call with the request, the authenticated staff
 * member and a domain context whose connection is inside the request's
 * transaction (for writes). It returns TD_OK after api_reply_*(), or an error
 * status with field problems in call->err; the dispatcher then answers
 * {"error":{"code","message","details"}} and rolls the transaction back.
 */
#ifndef TD_API_H
#define TD_API_H
#include <jansson.h>
#include "api/app.h"
#include "core/errors.h"
#include "domain/domain.h"
#include "domain/staff.h"
#include "http/http.h"

enum api_role {
    API_PUBLIC = 8,                          /* no login needed */
    API_ASSOCIATE = ROLE_ASSOCIATE,
    API_MANAGER = ROLE_MANAGER,
    API_ADMIN = ROLE_ADMIN,
    API_STAFF = ROLE_ASSOCIATE | ROLE_MANAGER | ROLE_ADMIN,
    API_LEADS = ROLE_MANAGER | ROLE_ADMIN,
};

enum api_flag {
    API_IDEMPOTENT = 1,                      /* accepts an Idempotency-Key */
    API_RAW = 2,                             /* the handler writes a non-JSON body */
    API_BIG_BODY = 4,                        /* accepts bodies up to API_BIG_BODY_MAX (CSV imports) */
    API_OWN_TX = 8,                          /* a write that runs its own transactions (login) */
    API_READ_ONLY = 16,                      /* a POST that changes nothing: runs like a GET */
    API_STORELESS = 32,                      /* open to staff of no store (who may use nothing else) */
    API_AUDITED = 64,                        /* a read that may leave an audit row: no read snapshot around it */
    API_GROUPED = 128,                       /* a small write without a key that shares the group's fsync */
    API_REPLICA = 256,                       /* a read that may run on the replica (--read-db): insight */
};

struct api_call {
    struct app *app;
    struct http_req *r;
    struct dctx d;
    struct staff me;                         /* valid when authed */
    int authed;
    int via_cookie;
    char csrf[TOKEN_HEX_LEN + 1];
    int commit_on_error;                     /* keep the writes of a refused request (a wrong current password) */
    int retry_after_s;                       /* for 429 */
    /* Runs after the request's transaction committed (e.g. purging the
     * WAL after an erasure); its failure is logged, not answered. */
    int (*after_commit)(struct api_call *a);
    /* Runs once the request's transaction, if any, has ended (committed or
     * rolled back, whatever the answer), on the request's connection and
     * outside any transaction: for a write of its own that must happen
     * even though the request failed (an unknown code's miss). Its failure
     * is logged, not answered. */
    int (*after_end)(struct api_call *a);
    int refusal_stored;                      /* an error answer was stored under an idempotency key */
    /* The customer the answer concerns (0: none), set by the handler: an
     * answer remembered under an Idempotency-Key is forgotten when that
     * customer is erased. */
    int64_t customer_id;
    /* An API_REPLICA route with --read-db: where the handler reads, "replica"
     * or "primary" (the replica was unavailable), and the replica's lag;
     * api_reply_json adds both to a 2xx object (NULL: neither). */
    const char *read_from;
    int64_t replica_lag_ms;
    /* Last: a new call clears everything before it and only the count of
     * this (14 KB) list, on every request (api_call_init). */
    struct errors err;
};

/* A call of the server app for request r, every field zero but app and r. */
void api_call_init(struct api_call *a, struct app *app, struct http_req *r);

typedef int (*api_handler)(struct api_call *a);

struct api_route {
    const char *method;
    const char *path;                        /* "/api/v1/customers/{id}" */
    api_handler handler;
    int roles;
    int flags;
};

/* The route table and its size. */
extern const struct api_route api_routes[];
extern const size_t api_routes_count;
/* Checks the table (every route has roles, no duplicates); TD_OK or a
 * description of the first problem in `why`. */
int api_check_routes(char *why, size_t n) TD_MUST_CHECK;
#define API_BODY_MAX (1u << 20)             /* 1 MiB for ordinary JSON requests */
#define API_BIG_BODY_MAX (256u << 20)        /* 256 MiB for CSV imports */

/* The http dispatcher: ctx is the struct app. */
void api_dispatch(void *ctx, struct http_req *r);
#define API_MAX_UPLOADS 2                    /* large bodies received at once (default) */
/* The http admit callback (ctx is the struct app): the app's max_body for
 * ordinary requests; for API_BIG_BODY routes the caller is checked on the
 * headers, then API_BIG_BODY_MAX, spooled to a file, at most max_uploads at
 * once (503 with Retry-After beyond). */
int api_admit(void *ctx, struct http_req *r, struct http_admit *out);

/* ---- helpers for handlers ---------------------------------------------- */

/* Sends obj (the reference is stolen) with the given status. */
int api_reply_json(struct api_call *a, int status, json_t *obj) TD_MUST_CHECK;
/* Replaces the answer with the error of rc and a->err (the status rc maps
 * to; Retry-After when a->retry_after_s is set). */
void api_reply_error(struct api_call *a, int rc);
/* {"items":[...],"next":cursor-or-null}; items is stolen. */
int api_reply_list(struct api_call *a, json_t *items, const char *next) TD_MUST_CHECK;
/* The end of a list handler: api_reply_list when rc (what filling items
 * returned) is TD_OK, else items is freed and rc returned. */
int api_reply_items(struct api_call *a, int rc, json_t *items, const char *next) TD_MUST_CHECK;
/* The same with an id cursor (next 0: the last page). */
int api_reply_page_items(struct api_call *a, int rc, json_t *items, int64_t next) TD_MUST_CHECK;
/* Defines `static int name(void *arg, const type *row)`, the callback a
 * module's each-function calls per row: appends to_json(row) to the JSON
 * array arg (TD_E_NOMEM when to_json or the append fails). */
#define API_ITEM_ADDER(name, type, to_json)                                     \
    static int name(void *arg, const type *row)                                 \
    {                                                                           \
        return json_array_append_new(arg, to_json(row)) == 0 ? TD_OK : TD_E_NOMEM; \
    }
/* Parses the body as a JSON object: TD_E_BAD_REQUEST for malformed JSON or
 * a body that is not an object (the problem is in a->err). */
int api_body(struct api_call *a, json_t **out /* OUT */) TD_MUST_CHECK;

/* Field rules for api_check(). */
enum api_type { AT_STRING, AT_STRING_OR_NULL, AT_INT, AT_BOOL, AT_OBJECT, AT_ARRAY, AT_ANY };
struct api_field {
    const char *name;
    enum api_type type;
    int required;
    size_t max_chars;                        /* strings: most code points (0: 200) */
};
/* Checks obj against the rules: unknown fields, types, required fields,
 * lengths, valid UTF-8. Problems go to a->err, named "prefix.field". */
void api_check(struct api_call *a, json_t *obj, const struct api_field *fields, const char *prefix);
/* api_body, then api_check of the whole body: problems stay in a->err for
 * the caller to add to (*out is the body, the caller frees it). */
int api_body_fields(struct api_call *a, const struct api_field *fields, json_t **out /* OUT */) TD_MUST_CHECK;
/* The same, refusing at once: TD_E_INVALID (the body freed, *out NULL)
 * when any problem was recorded. */
int api_body_valid(struct api_call *a, const struct api_field *fields, json_t **out /* OUT */) TD_MUST_CHECK;
/* obj[name] as a string, NULL when absent or null. */
const char *api_str(json_t *obj, const char *name);
/* The route's n-th {placeholder} as a positive id; TD_E_NOT_FOUND otherwise. */
int api_param_id(struct api_call *a, int n, int64_t *out /* OUT */) TD_MUST_CHECK;
#define API_DAY_US (86400LL * 1000000)
/* ?name=YYYY-MM-DD as a day number (days since 1970-01-01), def when
 * absent; otherwise a problem named name and TD_E_BAD_REQUEST. */
int api_day_param(struct api_call *a, const char *name, int64_t def, int64_t *day /* OUT */) TD_MUST_CHECK;
/* "YYYY-MM-DD" of a day number. */
void api_day_text(int64_t day, char out[11]);
/* RFC 3339 text of a time (json null for 0). */
json_t *api_time(int64_t us);
json_t *api_str_or_null(const char *s);
/* Parses ?cursor= (an id from a previous page's "next") into *before, 0
 * when absent; TD_E_INVALID naming "cursor" otherwise. */
int api_cursor_id(struct api_call *a, int64_t *before /* OUT */) TD_MUST_CHECK;
/* Parses ?limit= into *out (def when absent); TD_E_INVALID naming "limit"
 * when it is not a whole number from 1 to max. */
int api_limit(struct api_call *a, int def, int max, int *out /* OUT */) TD_MUST_CHECK;
/* A page's parameters: api_limit, then api_cursor_id. */
int api_page(struct api_call *a, int def, int max, int *limit /* OUT */, int64_t *cursor /* OUT */) TD_MUST_CHECK;
/* One page of an id-cursor list: its parameters, the items the each-function
 * fills and the cursor it leaves for the next page. */
struct api_list_page {
    int limit;
    int64_t before, next;
    json_t *items;
};
/* api_page into p, and p->items a new array (NULL when out of memory, which
 * the each-function's append reports); api_reply_page ends it. */
int api_page_start(struct api_call *a, int def, int max, struct api_list_page *p /* OUT */) TD_MUST_CHECK;
/* api_reply_page_items of p (its items are stolen). */
int api_reply_page(struct api_call *a, int rc, struct api_list_page *p) TD_MUST_CHECK;
/* The id of the store with code (0 when code is NULL); an unknown code is a
 * problem with field. */
int api_store_of(struct api_call *a, const char *code, const char *field, int64_t *id /* OUT */) TD_MUST_CHECK;
/* The {id} of the path and the JSON body, checked against fields (their
 * problems in a->err, for the caller to look at); *b is the caller's to
 * free. */
int api_id_body(struct api_call *a, const struct api_field *fields, int64_t *id /* OUT */,
                json_t **b /* OUT */) TD_MUST_CHECK;

struct customer;
/* The customer the route's first {id} names (api_customer.c): TD_OK with
 * *out, or TD_E_NOT_FOUND. */
int api_customer_param(struct api_call *a, struct customer *out /* OUT */) TD_MUST_CHECK;
struct credit_note;
/* The JSON shape of a credit note (without its code, which is shown once). */
json_t *api_note_json(const struct credit_note *n);
/* The JSON shape of a staff member (shared by session and staff routes). */
json_t *api_staff_json(const struct staff *s);

#endif
