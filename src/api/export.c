/* export.c — a table's JSON items as CSV for Dutch Excel or as .xlsx
 * (export.h).
 *
 * Both writers walk the same columns over the same items; what a cell says
 * is decided once per kind (cell_text for CSV and for the widths, write_cell
 * for the workbook). libxlsxwriter 1.1 writes only to a file, so the
 * workbook is made in a private temporary file (mkstemp, 0600, under
 * $TMPDIR or /tmp) that is read into the answer and unlinked on every path.
 */
#include "api/export.h"
#include "api/api.h"
#include "core/buf.h"
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xlsxwriter.h>

#define WIDTH_MIN 6
#define WIDTH_MAX 50
#define XLSX_TYPE "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

int api_export_format(struct api_call *a, enum export_format def, enum export_format *out)
{
    const char *f = http_query(a->r, "format");
    *out = def;
    if (!f) return TD_OK;
    if (strcmp(f, "json") == 0) *out = EXPORT_JSON;
    else if (strcmp(f, "csv") == 0) *out = EXPORT_CSV;
    else if (strcmp(f, "xlsx") == 0) *out = EXPORT_XLSX;
    else {
        errors_add(&a->err, "format", "must be one of json, csv, xlsx");
        return TD_E_BAD_REQUEST;
    }
    return TD_OK;
}

/* The member at a dotted path of o; NULL when a step is missing (a segment
 * longer than 63 bytes never matches). */
static json_t *value_at(json_t *o, const char *path)
{
    char seg[64];
    while (o && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof seg) return NULL;
        memcpy(seg, path, n);
        seg[n] = '\0';
        o = json_object_get(o, seg);
        path += n + (path[n] == '.');
    }
    return o;
}

static int english(const struct api_call *a) { return strcmp(a->me.lang, "en") == 0; }

/* A number with `decimals` places and a decimal comma; never "-0,0". */
static void comma_number(double v, int decimals, char *out, size_t n)
{
    double scale = pow(10, decimals);
    double r = round(v * scale) / scale;
    if (r == 0) r = 0;                           /* -0 */
    snprintf(out, n, "%.*f", decimals, r);
    char *dot = strchr(out, '.');
    if (dot) *dot = ',';
}

/* What the cell of column c says for value v, as CSV and the widths see it;
 * "" for an empty cell. out holds at least 64 bytes; a text is returned
 * as it is (not copied). */
static const char *cell_text(int en, const struct export_column *c, json_t *v, char *out, size_t n)
{
    out[0] = '\0';
    if (c->kind == EXPORT_FLAG) {
        const char *s = json_is_true(v) ? (en ? c->yes_en : c->yes_nl)
                        : json_is_false(v) ? (en ? c->no_en : c->no_nl)
                                           : NULL;
        return s ? s : "";
    }
    if (!v || json_is_null(v)) return out;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (c->kind != EXPORT_DAY) return s;
        snprintf(out, n, "%.10s", s);
        return out;
    }
    if (!json_is_number(v)) return out;
    double d = json_number_value(v);
    switch (c->kind) {
    case EXPORT_DECIMAL: comma_number(d, 1, out, n); break;
    case EXPORT_PERCENT: {
        comma_number(d * 100, 1, out, n);
        size_t l = strlen(out);
        if (l + 1 < n) {
            out[l] = '%';
            out[l + 1] = '\0';
        }
        break;
    }
    case EXPORT_CENTS: {
        long long cents = json_is_integer(v) ? (long long)json_integer_value(v) : llround(d);
        unsigned long long m = cents < 0 ? 0ULL - (unsigned long long)cents : (unsigned long long)cents;
        snprintf(out, n, "%s%llu,%02llu", cents < 0 ? "-" : "", m / 100, m % 100);
        break;
    }
    default:
        if (json_is_integer(v)) snprintf(out, n, "%lld", (long long)json_integer_value(v));
        else comma_number(d, 1, out, n);
    }
    return out;
}

/* ---- CSV -------------------------------------------------------------------- */

static int csv_field(struct buf *b, const char *s)
{
    if (!strpbrk(s, ";\"\r\n")) return buf_puts(b, s);
    int rc = buf_putc(b, '"');
    for (const char *p = s; *p && rc == TD_OK; p++) rc = *p == '"' ? buf_puts(b, "\"\"") : buf_putc(b, *p);
    return rc == TD_OK ? buf_putc(b, '"') : rc;
}

int export_csv(const struct export_table *t, json_t *items, int english, struct buf *b)
{
    int rc = buf_puts(b, "\xEF\xBB\xBF");
    for (size_t i = 0; rc == TD_OK && i < t->ncols; i++) {
        if (i) rc = buf_putc(b, ';');
        if (rc == TD_OK) rc = csv_field(b, english ? t->cols[i].en : t->cols[i].nl);
    }
    if (rc == TD_OK) rc = buf_puts(b, "\r\n");
    size_t r;
    json_t *o;
    json_array_foreach(items, r, o) {
        for (size_t i = 0; rc == TD_OK && i < t->ncols; i++) {
            char tmp[64];
            if (i) rc = buf_putc(b, ';');
            if (rc == TD_OK) rc = csv_field(b, cell_text(english, &t->cols[i], value_at(o, t->cols[i].path), tmp, sizeof tmp));
        }
        if (rc == TD_OK) rc = buf_puts(b, "\r\n");
        if (rc != TD_OK) break;
    }
    return rc;
}

/* ---- xlsx ------------------------------------------------------------------- */

struct formats {
    lxw_format *head, *num[EXPORT_FLAG + 1];
};

static size_t code_points(const char *s)
{
    size_t n = 0;
    for (; *s; s++) n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* Writes one cell; a null or absent value stays blank. */
static lxw_error write_cell(struct api_call *a, lxw_worksheet *ws, const struct formats *f, lxw_row_t row,
                            lxw_col_t col, const struct export_column *c, json_t *v)
{
    char tmp[64];
    if (c->kind == EXPORT_FLAG || c->kind == EXPORT_TEXT) {
        const char *s = cell_text(english(a), c, v, tmp, sizeof tmp);
        return *s ? worksheet_write_string(ws, row, col, s, NULL) : LXW_NO_ERROR;
    }
    if (!v || json_is_null(v)) return LXW_NO_ERROR;
    if (c->kind == EXPORT_DAY) {
        const char *s = json_string_value(v);
        lxw_datetime d = {0};
        if (!s || sscanf(s, "%4d-%2d-%2d", &d.year, &d.month, &d.day) != 3)
            return s ? worksheet_write_string(ws, row, col, s, NULL) : LXW_NO_ERROR;
        return worksheet_write_datetime(ws, row, col, &d, f->num[EXPORT_DAY]);
    }
    if (!json_is_number(v)) return LXW_NO_ERROR;
    double d = json_number_value(v);
    if (c->kind == EXPORT_CENTS) d /= 100;
    return worksheet_write_number(ws, row, col, d, f->num[c->kind]);
}

static int write_sheet(struct api_call *a, lxw_workbook *wb, const struct formats *f, const struct export_sheet *s)
{
    const struct export_table *t = s->t;
    lxw_worksheet *ws = workbook_add_worksheet(wb, english(a) ? t->sheet_en : t->sheet_nl);
    if (!ws) return TD_E_INTERNAL;
    lxw_error e = LXW_NO_ERROR;
    for (size_t i = 0; e == LXW_NO_ERROR && i < t->ncols; i++) {
        const char *h = english(a) ? t->cols[i].en : t->cols[i].nl;
        e = worksheet_write_string(ws, 0, (lxw_col_t)i, h, f->head);
    }
    size_t r;
    json_t *o;
    json_array_foreach(s->items, r, o) {
        for (size_t i = 0; e == LXW_NO_ERROR && i < t->ncols; i++)
            e = write_cell(a, ws, f, (lxw_row_t)(r + 1), (lxw_col_t)i, &t->cols[i], value_at(o, t->cols[i].path));
        if (e != LXW_NO_ERROR) break;
    }
    /* Widths: the longest of the header and the cells as CSV shows them. */
    for (size_t i = 0; e == LXW_NO_ERROR && i < t->ncols; i++) {
        size_t w = code_points(english(a) ? t->cols[i].en : t->cols[i].nl);
        json_array_foreach(s->items, r, o) {
            char tmp[64];
            size_t n = code_points(cell_text(english(a), &t->cols[i], value_at(o, t->cols[i].path), tmp, sizeof tmp));
            if (n > w) w = n;
        }
        w += 2;
        e = worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, w < WIDTH_MIN ? WIDTH_MIN : w > WIDTH_MAX ? WIDTH_MAX : w,
                                 NULL);
    }
    worksheet_freeze_panes(ws, 1, 0);
    if (e == LXW_NO_ERROR && t->ncols)
        e = worksheet_autofilter(ws, 0, 0, (lxw_row_t)json_array_size(s->items), (lxw_col_t)(t->ncols - 1));
    return e == LXW_NO_ERROR ? TD_OK : TD_E_INTERNAL;
}

static int read_file(const char *path, struct buf *b)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return TD_E_INTERNAL;
    int rc = TD_OK;
    char chunk[16384];
    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) rc = TD_E_INTERNAL;
        if (n <= 0) break;
        if ((rc = buf_append(b, chunk, (size_t)n)) != TD_OK) break;
    }
    close(fd);
    return rc;
}

static int write_xlsx(struct api_call *a, const struct export_sheet *s, size_t n, struct buf *b)
{
    const char *dir = getenv("TMPDIR");
    char path[512];
    if (snprintf(path, sizeof path, "%s/trustdesk-xlsx-XXXXXX", dir && *dir ? dir : "/tmp") >= (int)sizeof path)
        return TD_E_INTERNAL;
    int fd = mkstemp(path);
    if (fd < 0) return TD_E_INTERNAL;
    close(fd);
    int rc = TD_E_NOMEM;
    lxw_workbook *wb = workbook_new(path);
    if (!wb) goto out;
    struct formats f = {workbook_add_format(wb), {NULL}};
    static const char *const num[] = {
        [EXPORT_INT] = "0", [EXPORT_DECIMAL] = "0.0", [EXPORT_CENTS] = "#,##0.00",
        [EXPORT_PERCENT] = "0.0%", [EXPORT_DAY] = "yyyy-mm-dd",
    };
    if (!f.head) goto out;
    format_set_bold(f.head);
    for (size_t k = 0; k < sizeof num / sizeof num[0]; k++) {
        if (!num[k]) continue;
        if (!(f.num[k] = workbook_add_format(wb))) goto out;
        format_set_num_format(f.num[k], num[k]);
    }
    rc = TD_OK;
    for (size_t i = 0; rc == TD_OK && i < n; i++) rc = write_sheet(a, wb, &f, &s[i]);
out:
    if (wb && workbook_close(wb) != LXW_NO_ERROR && rc == TD_OK) rc = TD_E_INTERNAL;
    if (rc == TD_OK) rc = read_file(path, b);
    unlink(path);
    return rc;
}

/* ---- the answer ------------------------------------------------------------- */

int api_reply_sheets(struct api_call *a, const struct export_sheet *s, size_t n, enum export_format format,
                     const char *stem)
{
    if (format == EXPORT_JSON || n == 0) return TD_E_BAD_REQUEST;
    struct buf *b = &a->r->out;
    buf_reset(b);
    int rc = format == EXPORT_CSV ? export_csv(s[0].t, s[0].items, english(a), b) : write_xlsx(a, s, n, b);
    if (rc != TD_OK) {
        buf_reset(b);
        return rc;
    }
    char *name = arena_printf(&a->r->arena, "attachment; filename=\"%s.%s\"", stem,
                              format == EXPORT_CSV ? "csv" : "xlsx");
    if (!name || http_add_header(a->r, "Content-Disposition", name) != TD_OK) return TD_E_NOMEM;
    a->r->status = 200;
    a->r->content_type = format == EXPORT_CSV ? "text/csv; charset=utf-8" : XLSX_TYPE;
    return TD_OK;
}

int api_reply_table(struct api_call *a, const struct export_table *t, json_t *items, enum export_format format,
                    const char *stem)
{
    const struct export_sheet s = {t, items};
    return api_reply_sheets(a, &s, 1, format, stem);
}

int api_reply_one_or_all(struct api_call *a, const struct export_sheet *s, size_t n, size_t t,
                         enum export_format format, const char *stem)
{
    return format == EXPORT_CSV ? api_reply_sheets(a, &s[t], 1, format, stem) : api_reply_sheets(a, s, n, format, stem);
}

int api_reply_report(struct api_call *a, int rc, json_t *o, enum export_format format, api_report_file_fn *file)
{
    if (rc == TD_OK && !o) rc = TD_E_NOMEM;
    if (rc == TD_OK && format == EXPORT_JSON) return api_reply_json(a, 200, o);
    if (rc == TD_OK) rc = file(a, o, format);
    json_decref(o);
    return rc;
}

int api_export_table_param(struct api_call *a, const char *const *names, size_t n, size_t *which)
{
    const char *table = http_query(a->r, "table");
    *which = 0;
    if (!table) return TD_OK;
    while (*which < n && strcmp(table, names[*which]) != 0) (*which)++;
    if (*which < n) return TD_OK;
    char list[200] = "";
    size_t len = 0;
    for (size_t i = 0; i < n && len < sizeof list; i++)
        len += (size_t)snprintf(list + len, sizeof list - len, "%s%s", i == 0 ? "" : i + 1 == n ? " or " : ", ", names[i]);
    errors_add(&a->err, "table", "must be %s", list);
    return TD_E_BAD_REQUEST;
}

char *api_export_stem(struct api_call *a, const char *what, const char *part, const char *code, const char *from,
                      const char *to)
{
    int store = code && *code;
    return arena_printf(&a->r->arena, "%s%s%s%s%s-%s-%s", what, part ? "-" : "", part ? part : "", store ? "-" : "",
                        store ? code : "", from, to);
}
