/* api_import.c — POST /api/v1/imports/<kind> for each kind of domain/imports.def
 * (customers, purchases): the body is the CSV file (Content-Type: text/csv, up
 * to 256 MiB). Each kind's handler, api_imports_<kind>, is made here from its
 * row; the route is a row of routes.def.
 *
 * The import runs inside the request's one transaction (see dispatch.c): a
 * refused file answers 422 and the dispatcher's rollback removes whatever the
 * import wrote before it found the first problem. The answer lists at most
 * ERRORS_MAX problems as details {"field":"line 7: unit_price", "problem",
 * "line", "column"}; the message says how many there are in all.
 */
#include "api/handlers.h"
#include "domain/import.h"
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* text/csv (also application/csv, text/plain), with any parameters. */
static int content_type_ok(struct http_req *r)
{
    static const char *const ok[] = {"text/csv", "application/csv", "text/plain"};
    const char *ct = http_header(r, "Content-Type");
    if (!ct) return 0;
    size_t n = strcspn(ct, "; \t");
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++)
        if (n == strlen(ok[i]) && strncasecmp(ct, ok[i], n) == 0) return 1;
    return 0;
}

static void report_problems(struct api_call *a, const struct import_report *rep)
{
    char field[96];
    for (size_t i = 0; i < rep->nproblems && i < ERRORS_MAX; i++) {
        const struct import_problem *p = &rep->problem[i];
        if (p->column_name[0])
            snprintf(field, sizeof field, "line %lld: %s", (long long)p->line, p->column_name);
        else
            snprintf(field, sizeof field, "line %lld", (long long)p->line);
        errors_add_at(&a->err, (long long)p->line, p->column, field, "%s", p->problem);
    }
    long long shown = (long long)(rep->nproblems < ERRORS_MAX ? rep->nproblems : ERRORS_MAX);
    long long total = (long long)rep->problems_total;
    if (total > shown)
        errors_set_message(&a->err, "the file has %lld problems and nothing was imported; the first %lld are listed, %lld more are not",
                           total, shown, total - shown);
    else
        errors_set_message(&a->err, "the file has %lld problem%s and nothing was imported", total, total == 1 ? "" : "s");
}

static int import(struct api_call *a, const char *kind)
{
    if (!content_type_ok(a->r)) {
        errors_add(&a->err, "Content-Type", "must be text/csv: send the CSV file itself as the body");
        return TD_E_BAD_REQUEST;
    }
    const struct import_kind *k = import_kind_find(kind);
    if (!k) return TD_E_INTERNAL;
    struct import_report rep;
    import_report_init(&rep);
    const char *data = a->r->body.data ? a->r->body.data : "";
    int rc = import_run(&a->d, k, data, a->r->body.len, &rep);
    if (rc == TD_E_INVALID) {
        report_problems(a, &rep);
        goto out;
    }
    if (rc != TD_OK) goto out;
    json_t *o = json_pack("{s:s,s:I,s:I,s:I}", "kind", rep.kind, "lines", (json_int_t)rep.lines,
                          "added", (json_int_t)rep.added, "skipped", (json_int_t)rep.skipped);
    struct import_count cnt[IMPORT_COUNTS_MAX];
    size_t ncnt = import_report_counts(&rep, cnt, IMPORT_COUNTS_MAX);
    for (size_t i = 0; o && i < ncnt; i++) json_object_set_new(o, cnt[i].name, json_integer(cnt[i].value));
    if (o) {
        json_t *w = json_array();
        for (size_t i = 0; i < rep.nwarnings; i++) {
            const struct import_problem *p = &rep.warning[i];
            json_array_append_new(w, json_pack("{s:I,s:i,s:s,s:s}", "line", (json_int_t)p->line, "column", p->column,
                                               "field", p->column_name, "problem", p->problem));
        }
        json_object_set_new(o, "warnings", w);
        json_object_set_new(o, "warnings_total", json_integer(rep.warnings_total));
    }
    rc = o ? api_reply_json(a, 200, o) : TD_E_NOMEM;
out:
    import_report_free(&rep);
    return rc;
}

/* api_imports_customers(), api_imports_purchases(), ... */
#define IMPORT_KIND(name, columns, line, begin, finish, counts) \
    int api_imports_##name(struct api_call *a) { return import(a, #name); }
#include "domain/imports.def"
#undef IMPORT_KIND
