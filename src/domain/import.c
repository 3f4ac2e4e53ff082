/* import.c — CSV imports (see import.h): the driver that every kind of file
 * in imports.def shares — the report, the header, the checks every column
 * gets, the pass over the file, the audit row. What a line means is the
 * kind's (import_customers.c, import_purchases.c).
 *
 * One pass over the file. Each line is checked completely and, as long as the
 * file has shown no problem, written at once; after the first problem the
 * pass goes on checking only, so that the report names every problem, and
 * the caller's rollback removes what was written. A good file — the usual
 * case — is thus tokenized once and never re-read.
 *
 * Invariants:
 *  (1) each distinct store code and loyalty number goes to the database once
 *      per import (a lookup): the maps remember the answer, misses included;
 *  (2) "already in the database" means before this import: repeats within
 *      the file are found through the maps, never through rows this import
 *      wrote;
 *  (3) nothing is written once a problem was found (ok == 0), and the counts
 *      of a refused file are zero;
 *  (4) a problem names the line the field starts on (the header is line 1)
 *      and the column by its name in the format, not as the file spells it.
 */
#include "domain/import_parts.h"
#include "core/csv.h"
#include "core/strmap.h"
#include "core/text.h"
#include "db/db.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIELD_MAX IMPORT__FIELD_MAX
#define FIELDS_MAX IMPORT__FIELDS_MAX
#define CHUNK (4u << 20)             /* bytes fed at once, between progress reports */
#define MAP_MEM IMPORT__MAP_MEM

static const struct import_kind kinds[] = {
#define IMPORT_KIND(name, columns, line, begin, finish, counts) {#name, columns, line, begin, finish, counts},
#include "domain/imports.def"
#undef IMPORT_KIND
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

/* ---- the report ----------------------------------------------------------- */

void import_report_init(struct import_report *r)
{
    memset(r, 0, sizeof *r);
}

void import_report_free(struct import_report *r)
{
    void (*progress)(void *, size_t, size_t) = r->progress;
    void *arg = r->progress_arg;
    free(r->problem);
    memset(r, 0, sizeof *r);
    r->progress = progress;
    r->progress_arg = arg;
}

int import__problem(struct imp *m, int64_t line, int column_no, const char *name, const char *fmt, ...)
{
    struct import_report *r = m->rep;
    m->ok = 0;
    r->problems_total++;
    if (r->nproblems >= IMPORT_PROBLEMS_MAX) return TD_OK;
    if (r->nproblems == m->problems_cap) {
        size_t ncap = m->problems_cap ? m->problems_cap * 2 : 16;
        if (ncap > IMPORT_PROBLEMS_MAX) ncap = IMPORT_PROBLEMS_MAX;
        struct import_problem *p = realloc(r->problem, ncap * sizeof *p);
        if (!p) return TD_E_NOMEM;
        r->problem = p;
        m->problems_cap = ncap;
    }
    struct import_problem *p = &r->problem[r->nproblems++];
    p->line = line;
    p->column = column_no;
    snprintf(p->column_name, sizeof p->column_name, "%s", name ? name : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->problem, sizeof p->problem, fmt, ap);
    va_end(ap);
    /* Lines come in order; within a line, put the columns in order. */
    for (size_t k = r->nproblems - 1; k > 0 && r->problem[k - 1].line == p->line && r->problem[k - 1].column > p->column; k--) {
        struct import_problem t = r->problem[k - 1];
        r->problem[k - 1] = r->problem[k];
        r->problem[k] = t;
        p = &r->problem[k - 1];
    }
    return TD_OK;
}

/* ---- small pieces --------------------------------------------------------- */

static int has_control(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        if ((ch < 0x20 && ch != '\t') || ch == 0x7f) return 1;
    }
    return 0;
}

static int printable_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e) return 0;
    return 1;
}

/* Strips spaces and tabs around f in place. */
static void trim(struct csv_field *f)
{
    char *s = f->data;
    size_t n = f->len;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t')) n--;
    size_t k = 0;
    while (k < n && (s[k] == ' ' || s[k] == '\t')) k++;
    f->data = s + k;
    f->len = n - k;
    f->data[f->len] = '\0';
}

/* Turns each run of CR and LF in f into one space, in place. */
static void unbreak(struct csv_field *f)
{
    char *s = f->data;
    size_t k = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (s[i] == '\r' || s[i] == '\n') {
            if (k == 0 || s[k - 1] != ' ') s[k++] = ' ';
        } else {
            s[k++] = s[i];
        }
    }
    f->len = k;
    s[k] = '\0';
}

/* Records a warning about a field (it does not stop the import). */
static void add_warning(struct imp *m, int col, const char *problem)
{
    struct import_report *r = m->rep;
    r->warnings_total++;
    if (r->nwarnings >= IMPORT_WARNINGS_MAX) return;
    struct import_problem *p = &r->warning[r->nwarnings++];
    p->line = m->vline[col];
    p->column = m->pos[col] + 1;
    snprintf(p->column_name, sizeof p->column_name, "%s", m->cols[col].name);
    snprintf(p->problem, sizeof p->problem, "%s", problem);
}

/* Not UTF-8, but every byte above 0x7f is a character of Windows-1252 (the
 * "ANSI" that Excel and older tills write): the likely cause, and its cure,
 * can be named. */
static int looks_windows_1252(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)s[i];
        if (b == 0x81 || b == 0x8d || b == 0x8f || b == 0x90 || b == 0x9d) return 0;
    }
    return 1;
}

/* A column name from the file, fit for a report: valid UTF-8 cut to size,
 * or "column N". */
static void shown_name(const struct csv_field *f, size_t i, char *out, size_t n)
{
    if (f->len == 0 || f->too_long || !text_utf8_valid(f->data, f->len)) {
        snprintf(out, n, "column %zu", i + 1);
        return;
    }
    size_t k = f->len < n - 1 ? f->len : n - 1;
    while (k > 0 && k < f->len && ((unsigned char)f->data[k] & 0xc0) == 0x80) k--;  /* not inside a character */
    memcpy(out, f->data, k);
    out[k] = '\0';
}

int import__query_id(struct imp *m, const char *sql, const char *key, int64_t *id)
{
    *id = 0;
    int rc = db_get_int64(m->c->db, sql, id, "t", key);
    return rc == TD_E_NOT_FOUND ? TD_OK : rc;
}

/* 1 for an amount like "1.234" or "12,505": a thousands separator to some
 * tills, three decimals to others (text_parse_cents refuses it too). A price
 * in a file must say which: "1.234,00". */
static int ambiguous_amount(const char *s)
{
    const char *sep = NULL;
    int n = 0;
    for (const char *p = s; *p; p++)
        if (*p == ',' || *p == '.') {
            sep = p;
            n++;
        }
    return n == 1 && strlen(sep + 1) == 3;
}

#define PRICE_MAX_CENTS 100000000LL  /* 1,000,000.00: more is a typo, and keeps sums far from overflow */

int import__price(struct imp *m, int col, int64_t *cents)
{
    *cents = 0;
    if (!*m->v[col]) return TD_OK;
    /* The ambiguity check comes first: it says what to write instead. */
    if (ambiguous_amount(m->v[col]))
        return IMPORT__COL_PROBLEM(m, col, "could mean thousands or decimals; write it with decimals, like 1234,00 or 1,23");
    if (text_parse_cents(m->v[col], cents) != TD_OK) return IMPORT__COL_PROBLEM(m, col, "is not an amount like 12,50 or 12.50");
    if (*cents < 0) return IMPORT__COL_PROBLEM(m, col, "is negative");
    if (*cents > PRICE_MAX_CENTS) return IMPORT__COL_PROBLEM(m, col, "is more than 1000000.00");
    return TD_OK;
}

/* Looks up one id by one text parameter, remembering the answer in map:
 * the id, or 0 when there is none. */
static int lookup(struct imp *m, struct strmap *map, const char *sql, const char *key, size_t len, int64_t *id)
{
    void *slot;
    int added;
    int rc = strmap_put(map, key, len, &slot, &added);
    if (rc != TD_OK) return rc;
    int64_t *v = slot;
    if (!added) {
        *id = *v > 0 ? *v : 0;
        return TD_OK;
    }
    if ((rc = import__query_id(m, sql, key, id)) != TD_OK) return rc;
    *v = *id > 0 ? *id : -1;
    return TD_OK;
}

int import__lookup_store(struct imp *m, int col, int64_t *id)
{
    *id = 0;
    if (!store_code_valid(m->v[col])) return TD_OK;
    return lookup(m, m->stores, "SELECT id FROM stores WHERE code = ?", m->v[col], m->vlen[col], id);
}

int import__lookup_customer(struct imp *m, int col, int64_t *id)
{
    *id = 0;
    if (!customer_loyalty_valid(m->v[col])) return TD_OK;
    /* An erased customer has no loyalty number, so the index alone answers. */
    return lookup(m, m->customers, "SELECT id FROM customers WHERE loyalty_number = ?", m->v[col], m->vlen[col], id);
}

/* ---- the header ----------------------------------------------------------- */

static int on_header(struct imp *m, struct csv_record *rec)
{
    int rc = TD_OK;
    char name[IMPORT_COLUMN_SZ];
    m->header_seen = 1;
    for (int j = 0; j < m->ncols; j++) m->pos[j] = -1;
    if (rec->error) {
        rc = import__problem(m, rec->error_line, 0, NULL, "%s", csv_error_text(rec->error));
        if (rc != TD_OK) return rc;
    }
    for (size_t i = 0; i < rec->n && rc == TD_OK; i++) {
        struct csv_field *f = &rec->field[i];
        trim(f);
        m->col_at[i] = -1;
        int j = 0;
        while (j < m->ncols && !(strlen(m->cols[j].name) == f->len && strcasecmp(m->cols[j].name, f->data) == 0)) j++;
        shown_name(f, i, name, sizeof name);
        if (f->len == 0)
            rc = import__problem(m, f->line, (int)i + 1, name, "has no name; name every column");
        else if (j == m->ncols)
            rc = import__problem(m, f->line, (int)i + 1, name, "is not a column of a %s file", m->rep->kind);
        else if (m->pos[j] >= 0)
            rc = import__problem(m, f->line, (int)i + 1, m->cols[j].name, "appears twice (also column %d)", m->pos[j] + 1);
        else {
            m->pos[j] = (int)i;
            m->col_at[i] = j;
        }
    }
    for (int j = 0; j < m->ncols && rc == TD_OK; j++)
        if ((m->cols[j].flags & COL_REQUIRED) && m->pos[j] < 0)
            rc = import__problem(m, rec->line, 0, m->cols[j].name, "is a required column and is missing");
    m->nheader = rec->n_total;
    m->header_ok = m->rep->problems_total == 0;
    return rc;
}

/* ---- one line: the checks every column gets -------------------------------- */

/* Fills m->v from rec; records the problems of syntax, field count, encoding,
 * length and required values. Returns TD_OK (problems or not) or a failure;
 * m->line_usable says whether the fields could be told apart at all. */
static int read_line(struct imp *m, struct csv_record *rec)
{
    int rc = TD_OK;
    m->line = rec->line;
    m->line_usable = 0;
    for (int j = 0; j < m->ncols; j++) {
        m->v[j] = "";
        m->vlen[j] = 0;
        m->vline[j] = rec->line;
    }
    if (rec->error && rec->error != CSV_E_TOO_MANY_FIELDS)
        return import__problem(m, rec->error_line, 0, NULL, "%s", csv_error_text(rec->error));
    if (rec->n_total != m->nheader)
        return import__problem(m, rec->line, 0, NULL, "has %zu field%s; the header has %zu", rec->n_total,
                           rec->n_total == 1 ? "" : "s", m->nheader);
    m->line_usable = 1;
    for (size_t i = 0; i < rec->n && rc == TD_OK; i++) {
        int j = m->col_at[i];
        struct csv_field *f = &rec->field[i];
        const struct import__column *col = &m->cols[j];
        if (col->flags & COL_TEXT) unbreak(f);
        trim(f);
        m->vline[j] = f->line;
        if (f->len == 0) {
            if (col->flags & COL_REQUIRED) rc = IMPORT__COL_PROBLEM(m, j, "is empty");
            continue;
        }
        if (f->too_long) {
            rc = IMPORT__COL_PROBLEM(m, j, "is longer than %zu characters", col->max);
            continue;
        }
        if (!text_utf8_valid(f->data, f->len)) {
            if (has_control(f->data, f->len))
                rc = IMPORT__COL_PROBLEM(m, j, "contains a line break or another control character");
            else if (looks_windows_1252(f->data, f->len))
                rc = IMPORT__COL_PROBLEM(m, j, "is not UTF-8; the file looks like Windows-1252 (ANSI): save it as "
                                       "\"CSV UTF-8\", or convert it: iconv -f WINDOWS-1252 -t UTF-8");
            else
                rc = IMPORT__COL_PROBLEM(m, j, "is not valid UTF-8 text");
            continue;
        }
        if (f->literal_quote)
            add_warning(m, j, "holds a '\"' in a field that is not quoted; it was read as it is");
        if ((col->flags & COL_ASCII) && !printable_ascii(f->data, f->len)) {
            rc = IMPORT__COL_PROBLEM(m, j, "may only hold letters, digits and punctuation (ASCII)");
            continue;
        }
        size_t chars = (col->flags & COL_TEXT) ? text_utf8_len(f->data) : f->len;
        if (chars > col->max) {
            rc = IMPORT__COL_PROBLEM(m, j, "is longer than %zu characters", col->max);
            continue;
        }
        m->v[j] = f->data;
        m->vlen[j] = f->len;
    }
    return rc;
}

/* ---- the whole file ------------------------------------------------------- */

static int on_record(void *arg, struct csv_record *rec)
{
    struct imp *m = arg;
    if (rec->index == 0) {
        int rc = on_header(m, rec);
        if (rc != TD_OK) return rc;
        return m->header_ok ? TD_OK : TD_E_INVALID;   /* without columns the lines mean nothing: stop */
    }
    m->rep->lines++;
    int rc = read_line(m, rec);
    if (rc != TD_OK || !m->line_usable) return rc;
    return m->kind->line(m);
}

/* The audit row's detail: counts only, so that it holds no personal data. */
static void audit_detail(const struct import_kind *k, size_t len, const struct import_report *r, char *out, size_t n)
{
    int w = snprintf(out, n, "{\"bytes\":%zu,\"lines\":%lld,\"added\":%lld,\"skipped\":%lld", len,
                     (long long)r->lines, (long long)r->added, (long long)r->skipped);
    for (const struct import__count *q = k->counts; q && q->name && w > 0 && (size_t)w < n; q++)
        w += snprintf(out + w, n - (size_t)w, ",\"%s\":%lld", q->name,
                      (long long)*(const int64_t *)((const char *)r + q->offset));
    if (w > 0 && (size_t)w < n) snprintf(out + w, n - (size_t)w, "}");
}

int import_run(struct dctx *c, const struct import_kind *k, const char *data, size_t len, struct import_report *out)
{
    struct imp m;
    struct csv *csv = NULL;
    import_report_free(out);
    out->kind = k->name;
    memset(&m, 0, sizeof m);
    m.c = c;
    m.rep = out;
    m.kind = k;
    m.cols = k->cols;
    m.data = data;
    m.len = len;
    while (k->cols[m.ncols].name) m.ncols++;
    m.ok = 1;
    int rc = csv_new(0, FIELD_MAX, FIELDS_MAX, &csv);
    if (rc != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(int64_t), MAP_MEM, &m.stores)) != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(int64_t), MAP_MEM, &m.customers)) != TD_OK) goto out;
    if (k->begin && (rc = k->begin(&m)) != TD_OK) goto out;
    for (size_t done = 0; done < len && rc == TD_OK;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        rc = csv_feed(csv, data + done, n, on_record, &m);
        done += n;
        if (out->progress) out->progress(out->progress_arg, done, len);
    }
    if (rc == TD_OK) rc = csv_finish(csv, on_record, &m);
    if (rc == TD_E_INVALID && m.header_seen && !m.header_ok) rc = TD_OK;   /* the header stopped the pass */
    if (rc != TD_OK) goto out;
    if (!m.header_seen && (rc = import__problem(&m, 1, 0, NULL, "the file is empty; its first line must name the columns")) != TD_OK)
        goto out;
    if (out->problems_total) {
        rc = TD_E_INVALID;
        goto out;
    }
    if (k->finish && (rc = k->finish(&m)) != TD_OK) goto out;
    char detail[300], action[32];
    audit_detail(k, len, out, detail, sizeof detail);
    snprintf(action, sizeof action, "import.%s", k->name);
    rc = domain_audit(c, action, "csv", detail);
out:
    if (rc != TD_OK) {
        out->added = out->skipped = 0;
        out->receipts_added = out->receipts_skipped = out->products_added = out->products_updated = 0;
        out->styles_added = out->styles_updated = out->collections_added = 0;
    }
    csv_free(csv);
    strmap_free(m.stores);
    strmap_free(m.customers);
    strmap_free(m.seen);
    strmap_free(m.products);
    strmap_free(m.receipts);
    strmap_free(m.known);
    free(m.ev_receipts);
    free(m.ev_products);
    free(m.ev_lines);
    arena_free(&m.texts);
    return rc;
}

/* ---- the kinds ------------------------------------------------------------ */

const struct import_kind *import_kind_find(const char *name)
{
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(kinds[i].name, name) == 0) return &kinds[i];
    return NULL;
}

const char *import_kind_name(size_t i)
{
    return i < NKINDS ? kinds[i].name : NULL;
}

size_t import_report_counts(const struct import_report *r, struct import_count *out, size_t max)
{
    const struct import_kind *k = r->kind ? import_kind_find(r->kind) : NULL;
    size_t n = 0;
    for (const struct import__count *q = k ? k->counts : NULL; q && q->name && n < max; q++, n++) {
        out[n].name = q->name;
        out[n].group = q->group;
        out[n].verb = q->verb;
        out[n].value = *(const int64_t *)((const char *)r + q->offset);
    }
    return n;
}

int import_customers(struct dctx *c, const char *data, size_t len, struct import_report *out)
{
    return import_run(c, import_kind_find("customers"), data, len, out);
}

int import_purchases(struct dctx *c, const char *data, size_t len, struct import_report *out)
{
    return import_run(c, import_kind_find("purchases"), data, len, out);
}
