/* json.c — reading request bodies and writing JSON answers (jansson). */
#include "api/api.h"
#include "domain/store.h"
#include "core/clock.h"
#include "core/json_safe.h"
#include "core/text.h"
#include <stdio.h>
#include <string.h>

int api_reply_json(struct api_call *a, int status, json_t *obj)
{
    struct http_req *r = a->r;
    buf_reset(&r->out);
    if (a->read_from && status < 300 && json_is_object(obj)) {
        /* Beside the answer's other metadata (its period, its store). */
        json_object_set_new(obj, "read_from", json_string(a->read_from));
        json_object_set_new(obj, "replica_lag_ms",
                            strcmp(a->read_from, "replica") == 0 ? json_integer(a->replica_lag_ms) : json_null());
    }
    int rc = json_safe_buf(&r->out, obj, JSON_COMPACT | JSON_ENCODE_ANY) == TD_OK ? TD_OK : TD_E_NOMEM;
    json_decref(obj);
    if (rc != TD_OK) return rc;
    r->status = status;
    r->content_type = "application/json";
    return TD_OK;
}

int api_reply_list(struct api_call *a, json_t *items, const char *next)
{
    json_t *o = json_object();
    if (!o) {
        json_decref(items);
        return TD_E_NOMEM;
    }
    json_object_set_new(o, "items", items);
    json_object_set_new(o, "next", next && *next ? json_string(next) : json_null());
    return api_reply_json(a, 200, o);
}

int api_reply_items(struct api_call *a, int rc, json_t *items, const char *next)
{
    if (rc == TD_OK) return api_reply_list(a, items, next);
    json_decref(items);
    return rc;
}

/* The key whose value starts just before byte `pos` of a JSON text: walks
 * back over the number, blanks and ':' to the closing quote of the key. */
static int overflow_field(const char *s, size_t len, size_t pos, char *out, size_t n)
{
    if (pos > len) pos = len;
    size_t i = pos;
    while (i > 0 && strchr("0123456789+-.eE", s[i - 1])) i--;
    while (i > 0 && strchr(" \t\r\n", s[i - 1])) i--;
    if (i == 0 || s[i - 1] != ':') return 0;
    i--;
    while (i > 0 && strchr(" \t\r\n", s[i - 1])) i--;
    if (i == 0 || s[i - 1] != '"') return 0;
    size_t end = --i;
    while (i > 0 && s[i - 1] != '"') i--;
    /* An empty key names no field, and a key with an escaped quote would be
     * read wrongly from here: the plain "malformed" answer then. */
    if (i == 0 || end == i || end - i >= n || memchr(s + i, '\\', end - i) || (i >= 2 && s[i - 2] == '\\')) return 0;
    memcpy(out, s + i, end - i);
    out[end - i] = '\0';
    return 1;
}

int api_body(struct api_call *a, json_t **out)
{
    struct http_req *r = a->r;
    *out = NULL;
    if (r->body.len == 0) {
        errors_add(&a->err, NULL, "a JSON object is required as the request body");
        return TD_E_BAD_REQUEST;
    }
    json_error_t e;
    /* Out of memory is not the client's fault (nor an answer to keep under
     * its key); jansson may call it a syntax error, or give no reason. */
    unsigned long lost = json_safe_failures();
    json_t *o = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &e);
    if (json_safe_failures() != lost || (!o && json_error_code(&e) == json_error_out_of_memory)) {
        json_decref(o);
        return TD_E_NOMEM;
    }
    if (!o && json_error_code(&e) == json_error_numeric_overflow) {
        /* Well-formed JSON with a number too large for any field (1e309,
         * 2^63): a problem of that field's value, so 422 naming it. */
        char field[96];
        if (overflow_field(r->body.data, r->body.len, (size_t)e.position, field, sizeof field)) {
            errors_add(&a->err, field, "is out of range");
            return TD_E_INVALID;
        }
    }
    if (!o) {
        errors_add(&a->err, NULL, "malformed JSON at line %d column %d: %s", e.line, e.column, e.text);
        return TD_E_BAD_REQUEST;
    }
    if (!json_is_object(o)) {
        json_decref(o);
        errors_add(&a->err, NULL, "the body must be a JSON object");
        return TD_E_BAD_REQUEST;
    }
    *out = o;
    return TD_OK;
}

static const char *type_name(enum api_type t)
{
    switch (t) {
    case AT_STRING: return "a string";
    case AT_STRING_OR_NULL: return "a string or null";
    case AT_INT: return "an integer";
    case AT_BOOL: return "true or false";
    case AT_OBJECT: return "an object";
    case AT_ARRAY: return "an array";
    default: return "a value";
    }
}

void api_check(struct api_call *a, json_t *obj, const struct api_field *fields, const char *prefix)
{
    char name[128];
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const struct api_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0) f++;
        snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", key);
        if (!f->name) {
            errors_add(&a->err, name, "is not a known field");
            continue;
        }
        int ok = 1;
        switch (f->type) {
        case AT_STRING: ok = json_is_string(v); break;
        case AT_STRING_OR_NULL: ok = json_is_string(v) || json_is_null(v); break;
        case AT_INT: ok = json_is_integer(v); break;
        case AT_BOOL: ok = json_is_boolean(v); break;
        case AT_OBJECT: ok = json_is_object(v); break;
        case AT_ARRAY: ok = json_is_array(v); break;
        case AT_ANY: break;
        }
        if (!ok) {
            errors_add(&a->err, name, "must be %s", type_name(f->type));
            continue;
        }
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            size_t len = json_string_length(v);
            size_t max = f->max_chars ? f->max_chars : 200;
            if (strlen(s) != len || !text_utf8_valid(s, len)) errors_add(&a->err, name, "must be text without control characters");
            else if (text_utf8_len(s) > max) errors_add(&a->err, name, "is longer than %zu characters", max);
        }
    }
    for (const struct api_field *f = fields; f->name; f++) {
        if (!f->required) continue;
        json_t *x = json_object_get(obj, f->name);
        if (!x || json_is_null(x)) {
            snprintf(name, sizeof name, "%s%s%s", prefix ? prefix : "", prefix ? "." : "", f->name);
            errors_add(&a->err, name, "is required");
        }
    }
}

int api_body_fields(struct api_call *a, const struct api_field *fields, json_t **out)
{
    int rc = api_body(a, out);
    if (rc == TD_OK) api_check(a, *out, fields, NULL);
    return rc;
}

int api_body_valid(struct api_call *a, const struct api_field *fields, json_t **out)
{
    int rc = api_body_fields(a, fields, out);
    if (rc == TD_OK && a->err.n) {
        json_decref(*out);
        *out = NULL;
        rc = TD_E_INVALID;
    }
    return rc;
}

const char *api_str(json_t *obj, const char *name)
{
    json_t *v = json_object_get(obj, name);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

int api_param_id(struct api_call *a, int n, int64_t *out)
{
    if (n >= a->r->nparams) return TD_E_NOT_FOUND;
    int64_t v;
    if (text_parse_int64(a->r->params[n], &v) != TD_OK || v <= 0) return TD_E_NOT_FOUND;
    *out = v;
    return TD_OK;
}

int api_cursor_id(struct api_call *a, int64_t *before)
{
    *before = 0;
    const char *cursor = http_query(a->r, "cursor");
    if (cursor && (text_parse_int64(cursor, before) != TD_OK || *before <= 0)) {
        errors_add(&a->err, "cursor", "is not a cursor from a previous page");
        return TD_E_INVALID;
    }
    return TD_OK;
}

int api_reply_page_items(struct api_call *a, int rc, json_t *items, int64_t next)
{
    char nb[24] = "";
    if (next) snprintf(nb, sizeof nb, "%lld", (long long)next);
    return api_reply_items(a, rc, items, nb);
}

void api_day_text(int64_t day, char out[11])
{
    char t[40];
    clock_format_rfc3339(day * API_DAY_US, t, sizeof t);
    snprintf(out, 11, "%.10s", t);
}

int api_day_param(struct api_call *a, const char *name, int64_t def, int64_t *day)
{
    const char *v = http_query(a->r, name);
    *day = def;
    if (!v) return TD_OK;
    char t[32];
    int64_t us;
    if (strlen(v) != 10 || snprintf(t, sizeof t, "%sT00:00:00Z", v) >= (int)sizeof t || clock_parse(t, &us) != TD_OK) {
        errors_add(&a->err, name, "must be a date YYYY-MM-DD");
        return TD_E_BAD_REQUEST;
    }
    *day = us / API_DAY_US;
    return TD_OK;
}

json_t *api_time(int64_t us)
{
    if (!us) return json_null();
    char t[40];
    clock_format_rfc3339(us, t, sizeof t);
    return json_string(t);
}

json_t *api_str_or_null(const char *s)
{
    return s && *s ? json_string(s) : json_null();
}

int api_limit(struct api_call *a, int def, int max, int *out)
{
    const char *l = http_query(a->r, "limit");
    int64_t v;
    *out = def;
    if (!l) return TD_OK;
    if (text_parse_int64(l, &v) != TD_OK || v < 1 || v > max) {
        errors_add(&a->err, "limit", "must be a whole number from 1 to %d", max);
        return TD_E_INVALID;
    }
    *out = (int)v;
    return TD_OK;
}

int api_page(struct api_call *a, int def, int max, int *limit, int64_t *cursor)
{
    int rc = api_limit(a, def, max, limit);
    return rc == TD_OK ? api_cursor_id(a, cursor) : rc;
}

int api_page_start(struct api_call *a, int def, int max, struct api_list_page *p)
{
    *p = (struct api_list_page){0};
    int rc = api_page(a, def, max, &p->limit, &p->before);
    if (rc == TD_OK) p->items = json_array();
    return rc;
}

int api_reply_page(struct api_call *a, int rc, struct api_list_page *p)
{
    return api_reply_page_items(a, rc, p->items, p->next);
}

/* The error answer: {"error":{"code","message","details"}} with the status
 * the code maps to (core/status.h), Retry-After when there is a wait. */
void api_reply_error(struct api_call *a, int rc)
{
    struct http_req *r = a->r;
    json_t *details = json_array();
    for (size_t i = 0; i < a->err.n; i++) {
        json_t *d = json_pack("{s:s,s:s}", "field", a->err.item[i].field, "problem", a->err.item[i].problem);
        if (d && a->err.item[i].line > 0) json_object_set_new(d, "line", json_integer(a->err.item[i].line));
        if (d && a->err.item[i].column > 0) json_object_set_new(d, "column", json_integer(a->err.item[i].column));
        json_array_append_new(details, d);
    }
    const char *msg = a->err.message[0] ? a->err.message : td_status_message(rc);
    json_t *body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", td_status_code(rc), "message", msg,
                             "details", details);
    buf_reset(&r->out);
    r->nheaders = 0;
    r->content_type = "application/json";
    if (a->retry_after_s > 0) {
        char *ra = arena_printf(&r->arena, "%d", a->retry_after_s);
        if (ra) TD_BEST_EFFORT(http_add_header(r, "Retry-After", ra));
    }
    if (!body || api_reply_json(a, td_status_http(rc), body) != TD_OK) {
        buf_reset(&r->out);
        TD_BEST_EFFORT(buf_puts(&r->out, "{\"error\":{\"code\":\"internal\",\"message\":\"an internal error occurred\",\"details\":[]}}"));
        r->status = 500;
    }
    r->status = td_status_http(rc);
}

int api_id_body(struct api_call *a, const struct api_field *fields, int64_t *id, json_t **b)
{
    int rc = api_param_id(a, 0, id);
    if (rc == TD_OK) rc = api_body(a, b);
    if (rc == TD_OK) api_check(a, *b, fields, NULL);
    return rc;
}

int api_store_of(struct api_call *a, const char *code, const char *field, int64_t *id)
{
    struct store s;
    if (!code) {
        *id = 0;
        return TD_OK;
    }
    int rc = store_get_by_code(&a->d, code, &s);
    if (rc == TD_E_NOT_FOUND) {
        errors_add(&a->err, field, "no store has this code");
        return TD_E_INVALID;
    }
    *id = s.id;
    return rc;
}
