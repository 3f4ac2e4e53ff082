/* fuzz_json_body.c — libFuzzer target for the API's request-body checking:
 * bytes -> api_body() (jansson, duplicates refused, objects only) -> api_check() with a field
 * table shaped like the customer routes' (api_customer.c keeps its own table
 * static; this one mirrors it: optional and nullable strings with limits, a
 * nested consent object with a required boolean, an integer) -> the
 * {"error":...} document the dispatcher would answer, written through
 * api_reply_json().
 *
 * Must never crash, and:
 *   - api_check() accepts exactly the objects an independent reading of the
 *     table accepts (known fields, right types, valid UTF-8 text within the
 *     length in code points, required fields present and not null);
 *   - every recorded problem names its field in valid UTF-8, so that the
 *     error answer carries every problem (jansson refuses invalid UTF-8).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "api/api.h"
#include "core/text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static const struct api_field consent_fields[] = {
    {"given", AT_BOOL, 1, 0}, {"at", AT_STRING, 0, 40}, {"source", AT_STRING, 0, 64}, {0},
};

static const struct api_field customer_fields[] = {
    {"name", AT_STRING, 0, 200}, {"email", AT_STRING_OR_NULL, 0, 254}, {"phone", AT_STRING_OR_NULL, 0, 40},
    {"loyalty_number", AT_STRING_OR_NULL, 0, 32}, {"home_store_code", AT_STRING_OR_NULL, 0, 16},
    {"consent", AT_OBJECT, 0, 0}, {"version", AT_INT, 0, 0}, {"note", AT_ANY, 0, 0}, {0},
};

/* Code points of valid UTF-8, counted without text_utf8_len(). */
static size_t count_cp(const char *s, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (((unsigned char)s[i] & 0xc0) != 0x80) k++;
    return k;
}

/* The independent reading of the rules: would api_check() find no problem? */
static int expect_ok(json_t *obj, const struct api_field *fields)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        const struct api_field *f = fields;
        while (f->name && strcmp(f->name, key) != 0) f++;
        if (!f->name) return 0;
        switch (f->type) {
        case AT_STRING: if (!json_is_string(v)) return 0; break;
        case AT_STRING_OR_NULL: if (!json_is_string(v) && !json_is_null(v)) return 0; break;
        case AT_INT: if (!json_is_integer(v)) return 0; break;
        case AT_BOOL: if (!json_is_boolean(v)) return 0; break;
        case AT_OBJECT: if (!json_is_object(v)) return 0; break;
        case AT_ARRAY: if (!json_is_array(v)) return 0; break;
        case AT_ANY: break;
        }
        if (json_is_string(v)) {
            const char *s = json_string_value(v);
            size_t n = json_string_length(v);
            if (memchr(s, '\0', n) || !text_utf8_valid(s, n)) return 0;
            if (count_cp(s, n) > (f->max_chars ? f->max_chars : 200)) return 0;
        }
    }
    for (const struct api_field *f = fields; f->name; f++) {
        json_t *x = json_object_get(obj, f->name);
        if (f->required && (!x || json_is_null(x))) return 0;
    }
    return 1;
}

static void check_problems(const struct errors *e)
{
    CHECK(e->n <= ERRORS_MAX);
    for (size_t i = 0; i < e->n; i++) {
        size_t fl = strnlen(e->item[i].field, sizeof e->item[i].field);
        size_t pl = strnlen(e->item[i].problem, sizeof e->item[i].problem);
        CHECK(fl < sizeof e->item[i].field && pl < sizeof e->item[i].problem);
        /* Field names are (possibly cut) copies of JSON keys, problems may
         * quote jansson's error text: control characters are fine in JSON
         * output, but a broken UTF-8 sequence would make jansson refuse the
         * string and the answer lose the problem. */
        const char *texts[] = {e->item[i].field, e->item[i].problem};
        for (int t = 0; t < 2; t++) {
            json_t *probe = json_string(texts[t]);
            if (!probe) {
                fprintf(stderr, "problem text is not UTF-8: \"%s\"\n", texts[t]);
                abort();
            }
            json_decref(probe);
        }
    }
}

/* The dispatcher's error answer (reply_error in dispatch.c), through the
 * real writer, must carry every recorded problem. */
static void reply_error_document(struct api_call *a, const char *code)
{
    json_t *details = json_array();
    size_t packed = 0;
    for (size_t i = 0; i < a->err.n; i++) {
        json_t *d = json_pack("{s:s,s:s}", "field", a->err.item[i].field, "problem", a->err.item[i].problem);
        if (d && json_array_append_new(details, d) == 0) packed++;
    }
    CHECK(packed == a->err.n);
    json_t *body = json_pack("{s:{s:s,s:s,s:o}}", "error", "code", code, "message", "some fields are not valid",
                             "details", details);
    CHECK(body != NULL);
    CHECK(api_reply_json(a, 422, body) == TD_OK);
    json_error_t e;
    json_t *back = json_loadb(a->r->out.data, a->r->out.len, 0, &e);
    CHECK(back != NULL);
    CHECK(json_array_size(json_object_get(json_object_get(back, "error"), "details")) == a->err.n);
    json_decref(back);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    struct http_req r;
    memset(&r, 0, sizeof r);
    buf_init(&r.body, API_BODY_MAX);
    buf_init(&r.out, 4u << 20);
    struct api_call a;
    api_call_init(&a, NULL, &r);
    json_t *obj = NULL;
    if (buf_append(&r.body, data, size) != TD_OK) abort();
    int body_rc = api_body(&a, &obj);
    if (body_rc != TD_OK) {
        /* Malformed, empty or not an object: one problem for the body (400);
         * or well-formed with a number too large for any field: one problem
         * naming that field (422). */
        CHECK(obj == NULL);
        CHECK(a.err.n == 1);
        CHECK(body_rc == TD_E_BAD_REQUEST ? a.err.item[0].field[0] == '\0'
                                          : body_rc == TD_E_INVALID && a.err.item[0].field[0] != '\0');
        check_problems(&a.err);
        reply_error_document(&a, body_rc == TD_E_BAD_REQUEST ? "bad_request" : "invalid");
        goto out;
    }

    api_check(&a, obj, customer_fields, NULL);
    CHECK((a.err.n == 0 && a.err.dropped == 0) == expect_ok(obj, customer_fields));

    /* The nested consent object, as read_customer_input() walks it. */
    json_t *consent = json_object_get(obj, "consent");
    if (json_is_object(consent)) {
        const char *key;
        json_t *v;
        json_object_foreach(consent, key, v) {
            if (strcmp(key, "email_marketing") != 0 && strcmp(key, "phone_marketing") != 0) {
                char f[96];
                snprintf(f, sizeof f, "consent.%.60s", key);
                errors_add(&a.err, f, "is not a known channel (email_marketing, phone_marketing)");
            } else if (json_is_object(v)) {
                char prefix[64];
                snprintf(prefix, sizeof prefix, "consent.%s", key);
                struct api_call b;
                memset(&b, 0, sizeof b);
                errors_init(&b.err);
                api_check(&b, v, consent_fields, prefix);
                CHECK((b.err.n == 0) == expect_ok(v, consent_fields));
                api_check(&a, v, consent_fields, prefix);
            }
        }
    }
    (void)api_str(obj, "name");
    check_problems(&a.err);
    reply_error_document(&a, "invalid");
out:
    buf_free(&r.body);
    buf_free(&r.out);
    json_decref(obj);
    return 0;
}
