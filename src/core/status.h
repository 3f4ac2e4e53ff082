/* status.h — the one application-wide status code.
 *
 * Every function that can fail returns an int from this table: TD_OK (0) or a
 * negative TD_E_* code. One X-macro table yields the enum, the stable text code
 * the API puts in {"error":{"code":...}}, a default English message, and the
 * HTTP status the API answers with (libuv's UV_ERRNO_MAP, curl's CURLcode).
 */
#ifndef TD_STATUS_H
#define TD_STATUS_H

#define TD_MUST_CHECK __attribute__((warn_unused_result))
/* Marks a status deliberately not acted on (best-effort work such as a log
 * line); gcc ignores a plain (void) cast of a warn_unused_result call. */
#define TD_BEST_EFFORT(expr) do { if ((expr) != 0) { /* nothing to do */ } } while (0)

/*        name            value  code                  http  message */
#define TD_STATUS_MAP(X)                                                              \
    X(OK,               0,   "ok",                 200, "ok")                          \
    X(E_BAD_REQUEST,   -1,   "bad_request",        400, "the request is malformed")    \
    X(E_UNAUTHORIZED,  -2,   "unauthorized",       401, "log in first")                \
    X(E_FORBIDDEN,     -3,   "forbidden",          403, "your role may not do this")   \
    X(E_NOT_FOUND,     -4,   "not_found",          404, "not found")                   \
    X(E_METHOD,        -5,   "method_not_allowed", 405, "method not allowed")          \
    X(E_CONFLICT,      -6,   "conflict",           409, "conflicts with the current state") \
    X(E_TOO_LARGE,     -7,   "too_large",          413, "the request body is too large") \
    X(E_INVALID,       -8,   "invalid",            422, "some fields are not valid")  \
    X(E_RATE_LIMITED,  -9,   "rate_limited",       429, "too many attempts; wait a moment") \
    X(E_NOMEM,        -10,   "out_of_memory",      503, "the server is out of memory") \
    X(E_BUSY,         -11,   "busy",               503, "the database is busy; try again") \
    X(E_DB,           -12,   "database_error",     500, "a database error occurred")   \
    X(E_IO,           -13,   "io_error",           500, "an input/output error occurred") \
    X(E_INTERNAL,     -14,   "internal",           500, "an internal error occurred") \
    X(E_UNAVAILABLE,  -15,   "unavailable",        503, "the service is not ready") \
    X(E_GONE,         -16,   "gone",               410, "no longer valid (expired)")

enum td_status {
#define TD_X(name, val, code, http, msg) TD_##name = (val),
    TD_STATUS_MAP(TD_X)
#undef TD_X
    TD_ROW = 100,  /* db_step: a row is ready (not an error) */
    TD_DONE = 101  /* db_step: no more rows */
};

/* Text code, message and HTTP status of a status; unknown values map to
 * "internal". The strings are static. */
const char *td_status_code(int rc);
const char *td_status_message(int rc);
int td_status_http(int rc);

#endif
