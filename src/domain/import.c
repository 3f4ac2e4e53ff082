/* import.c — CSV imports of customers and purchases (see import.h).
 *
 * One pass over the file. Each line is checked completely and, as long as the
 * file has shown no problem, written at once; after the first problem the
 * pass goes on checking only, so that the report names every problem, and
 * the caller's rollback removes what was written. A good file — the usual
 * case — is thus tokenized once and never re-read. For speed, purchase lines
 * are inserted LINE_BATCH at a time, and a line with the same receipt head as
 * the line before reuses its answer (see line_receipt).
 *
 * Invariants:
 *  (1) each distinct store code, loyalty number, receipt id and SKU goes to
 *      the database once per import (a lookup; for receipts and products
 *      the claim or upsert that writes them): the maps remember the answer,
 *      misses included;
 *  (2) "already in the database" means before this import: repeats within
 *      the file are found through the maps, never through rows this import
 *      wrote;
 *  (3) nothing is written once a problem was found (ok == 0), and the counts
 *      of a refused file are zero;
 *  (4) a problem names the line the field starts on (the header is line 1)
 *      and the column by its name in the format, not as the file spells it.
 */
#include "domain/import.h"
#include "core/csv.h"
#include "core/strmap.h"
#include "core/text.h"
#include "core/clock.h"
#include "db/db.h"
#include "domain/facts.h"
#include "domain/customer.h"
#include "domain/purchase.h"
#include "domain/store.h"
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FIELD_MAX 4096               /* bytes the tokenizer keeps of one field */
#define FIELDS_MAX 64                /* fields the tokenizer keeps of one line */
#define CHUNK (4u << 20)             /* bytes fed at once, between progress reports */
#define MAP_MEM (1u << 30)           /* the most one lookup map may hold */
#define PRICE_MAX_CENTS 100000000LL  /* 1,000,000.00: more is a typo, and keeps sums far from overflow */
#define QUANTITY_MAX 100000
#define AT_MAX 40                    /* characters of a purchased_at */

enum col_flag {
    COL_REQUIRED = 1,                /* the column must be in the header and never empty */
    COL_TEXT = 2,                    /* free text: line breaks become spaces; max counts characters */
    COL_ASCII = 4,                   /* an identifier: printable ASCII only */
};

struct column {
    const char *name;
    int flags;
    size_t max;                      /* most characters */
};

enum { C_LOYALTY, C_NAME, C_EMAIL, C_PHONE, C_STORE, C_EMAIL_CONSENT, C_PHONE_CONSENT, C_NCOLS };
static const struct column customer_cols[C_NCOLS] = {
    [C_LOYALTY] = {"loyalty_number", COL_REQUIRED | COL_ASCII, LOYALTY_SZ - 1},
    [C_NAME] = {"name", COL_REQUIRED | COL_TEXT, NAME_MAX_CHARS},
    [C_EMAIL] = {"email", 0, EMAIL_SZ - 1},
    [C_PHONE] = {"phone", 0, PHONE_SZ - 1},
    [C_STORE] = {"home_store_code", COL_ASCII, CODE_SZ - 1},
    [C_EMAIL_CONSENT] = {"email_marketing_consent", 0, 32},
    [C_PHONE_CONSENT] = {"phone_marketing_consent", 0, 32},
};

enum { P_RECEIPT, P_AT, P_STORE, P_CUSTOMER, P_SKU, P_PRODUCT, P_BRAND, P_CATEGORY, P_PRICE, P_QTY, P_NCOLS };
static const struct column purchase_cols[P_NCOLS] = {
    [P_RECEIPT] = {"receipt_id", COL_REQUIRED | COL_ASCII, RECEIPT_SZ - 1},
    [P_AT] = {"purchased_at", COL_REQUIRED | COL_ASCII, AT_MAX},
    [P_STORE] = {"store_code", COL_REQUIRED | COL_ASCII, CODE_SZ - 1},
    [P_CUSTOMER] = {"customer_ref", COL_ASCII, LOYALTY_SZ - 1},
    [P_SKU] = {"sku", COL_REQUIRED | COL_ASCII, SKU_SZ - 1},
    [P_PRODUCT] = {"product_name", COL_REQUIRED | COL_TEXT, NAME_MAX_CHARS},
    [P_BRAND] = {"brand", COL_TEXT, NAME_MAX_CHARS},
    [P_CATEGORY] = {"category", COL_TEXT, NAME_MAX_CHARS},
    [P_PRICE] = {"unit_price", COL_REQUIRED | COL_ASCII, 32},
    [P_QTY] = {"quantity", COL_REQUIRED | COL_ASCII, 20},
};

#define NCOLS_MAX P_NCOLS

#define LINE_BATCH 32                /* purchase lines per INSERT */

/* A purchase line checked and waiting to be written. */
struct pending_line {
    int64_t receipt_id, line_no, customer_id, product_id, cents, quantity;
};

/* What the maps remember. */
struct receipt_info {
    int64_t first_line;
    int64_t at, store_id, customer_id;
    int64_t db_id;                   /* set when claimed, unless known */
    int64_t nlines;                  /* lines given a line_no so far */
    int known;                       /* in the database before this import: its lines are skipped */
};
struct product_info {
    int64_t id;                      /* 0 until upserted */
    uint64_t values;                 /* hash of name, brand and category last written */
    int updated;                     /* counted in products_updated */
};
struct loyalty_info {
    int64_t first_line;
    int known;
};

struct imp {
    struct dctx *c;
    struct import_report *rep;
    const struct column *cols;
    int ncols;
    int (*line_fn)(struct imp *m);
    int pos[NCOLS_MAX];              /* 0-based position of each column in the file, -1 when absent */
    int col_at[FIELDS_MAX];          /* the column at each position of the file */
    size_t nheader;                  /* fields in the header */
    int header_seen, header_ok;
    int ok;                          /* no problem so far: keep writing */
    size_t problems_cap;
    /* the current line, by column ("" for an absent column) */
    const char *v[NCOLS_MAX];
    size_t vlen[NCOLS_MAX];
    int64_t vline[NCOLS_MAX];
    int64_t line;
    int line_usable;                 /* the line's fields could be told apart */
    struct strmap *stores, *customers;  /* store code, loyalty number -> id (-1: none) */
    struct strmap *seen;             /* loyalty numbers of this file -> struct loyalty_info */
    struct strmap *receipts;         /* receipt ids of this file -> struct receipt_info */
    struct strmap *products;         /* SKUs of this file -> struct product_info */
    struct pending_line pending[LINE_BATCH];
    size_t npending;
    /* the head of the last line whose receipt was found (see line_receipt) */
    char memo[RECEIPT_SZ + AT_MAX + 1 + CODE_SZ + LOYALTY_SZ];
    size_t memo_len;
    struct receipt_info *memo_r;
    int64_t first_receipt, last_receipt;   /* ids of the receipts this import added */
};

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

/* Records a problem; column_no 0 and name NULL for one about the whole line.
 * TD_E_NOMEM when the list cannot grow. */
static int add_problem(struct imp *m, int64_t line, int column_no, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int add_problem(struct imp *m, int64_t line, int column_no, const char *name, const char *fmt, ...)
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

/* A problem with column `col` (an index into m->cols) of the current line. */
#define COL_PROBLEM(m, col, ...) \
    add_problem((m), (m)->vline[col], (m)->pos[col] + 1, (m)->cols[col].name, __VA_ARGS__)

/* ---- small pieces --------------------------------------------------------- */

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

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

/* yes/no, ja/nee, true/false, 1/0 (any case), empty = no; -1 for anything else. */
static int parse_yes_no(const char *s)
{
    static const char *const yes[] = {"yes", "ja", "true", "1"};
    static const char *const no[] = {"", "no", "nee", "false", "0"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        if (strcasecmp(s, yes[i]) == 0) return 1;
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        if (strcasecmp(s, no[i]) == 0) return 0;
    return -1;
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

/* Runs sql (one text parameter, one id column): *id is the id or 0. */
static int query_id(struct imp *m, const char *sql, const char *key, int64_t *id)
{
    struct db_stmt *st = NULL;
    *id = 0;
    int rc = db_prepare(m->c->db, sql, &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, key)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        *id = db_col_int64(st, 0);
        rc = TD_OK;
    } else if (rc == TD_DONE) {
        rc = TD_OK;
    }
    db_done(st);
    return rc;
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
    if ((rc = query_id(m, sql, key, id)) != TD_OK) return rc;
    *v = *id > 0 ? *id : -1;
    return TD_OK;
}

static int lookup_store(struct imp *m, int col, int64_t *id)
{
    *id = 0;
    if (!store_code_valid(m->v[col])) return TD_OK;
    return lookup(m, m->stores, "SELECT id FROM stores WHERE code = ?", m->v[col], m->vlen[col], id);
}

static int lookup_customer(struct imp *m, int col, int64_t *id)
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
        rc = add_problem(m, rec->error_line, 0, NULL, "%s", csv_error_text(rec->error));
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
            rc = add_problem(m, f->line, (int)i + 1, name, "has no name; name every column");
        else if (j == m->ncols)
            rc = add_problem(m, f->line, (int)i + 1, name, "is not a column of a %s file", m->rep->kind);
        else if (m->pos[j] >= 0)
            rc = add_problem(m, f->line, (int)i + 1, m->cols[j].name, "appears twice (also column %d)", m->pos[j] + 1);
        else {
            m->pos[j] = (int)i;
            m->col_at[i] = j;
        }
    }
    for (int j = 0; j < m->ncols && rc == TD_OK; j++)
        if ((m->cols[j].flags & COL_REQUIRED) && m->pos[j] < 0)
            rc = add_problem(m, rec->line, 0, m->cols[j].name, "is a required column and is missing");
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
        return add_problem(m, rec->error_line, 0, NULL, "%s", csv_error_text(rec->error));
    if (rec->n_total != m->nheader)
        return add_problem(m, rec->line, 0, NULL, "has %zu field%s; the header has %zu", rec->n_total,
                           rec->n_total == 1 ? "" : "s", m->nheader);
    m->line_usable = 1;
    for (size_t i = 0; i < rec->n && rc == TD_OK; i++) {
        int j = m->col_at[i];
        struct csv_field *f = &rec->field[i];
        const struct column *col = &m->cols[j];
        if (col->flags & COL_TEXT) unbreak(f);
        trim(f);
        m->vline[j] = f->line;
        if (f->len == 0) {
            if (col->flags & COL_REQUIRED) rc = COL_PROBLEM(m, j, "is empty");
            continue;
        }
        if (f->too_long) {
            rc = COL_PROBLEM(m, j, "is longer than %zu characters", col->max);
            continue;
        }
        if (!text_utf8_valid(f->data, f->len)) {
            if (has_control(f->data, f->len))
                rc = COL_PROBLEM(m, j, "contains a line break or another control character");
            else if (looks_windows_1252(f->data, f->len))
                rc = COL_PROBLEM(m, j, "is not UTF-8; the file looks like Windows-1252 (ANSI): save it as "
                                       "\"CSV UTF-8\", or convert it: iconv -f WINDOWS-1252 -t UTF-8");
            else
                rc = COL_PROBLEM(m, j, "is not valid UTF-8 text");
            continue;
        }
        if (f->literal_quote)
            add_warning(m, j, "holds a '\"' in a field that is not quoted; it was read as it is");
        if ((col->flags & COL_ASCII) && !printable_ascii(f->data, f->len)) {
            rc = COL_PROBLEM(m, j, "may only hold letters, digits and punctuation (ASCII)");
            continue;
        }
        size_t chars = (col->flags & COL_TEXT) ? text_utf8_len(f->data) : f->len;
        if (chars > col->max) {
            rc = COL_PROBLEM(m, j, "is longer than %zu characters", col->max);
            continue;
        }
        m->v[j] = f->data;
        m->vlen[j] = f->len;
    }
    return rc;
}

/* ---- customers ------------------------------------------------------------ */

/* Maps the problems customer_create found to columns of the line. */
static int create_problems(struct imp *m, const struct errors *err)
{
    int rc = TD_OK;
    for (size_t i = 0; i < err->n && rc == TD_OK; i++) {
        int col = -1;
        for (int j = 0; j < m->ncols; j++)
            if (strcmp(err->item[i].field, m->cols[j].name) == 0) col = j;
        if (strncmp(err->item[i].field, "consent.email", 13) == 0) col = C_EMAIL_CONSENT;
        if (strncmp(err->item[i].field, "consent.phone", 13) == 0) col = C_PHONE_CONSENT;
        if (col >= 0) rc = COL_PROBLEM(m, col, "%s", err->item[i].problem);
        else rc = add_problem(m, m->line, 0, NULL, "%s %s", err->item[i].field, err->item[i].problem);
    }
    if (rc == TD_OK && err->n == 0) rc = add_problem(m, m->line, 0, NULL, "was refused");
    return rc;
}

static int customer_line(struct imp *m)
{
    int rc = TD_OK;
    const char *loyalty = m->v[C_LOYALTY];
    struct loyalty_info *li = NULL;
    if (*loyalty && !customer_loyalty_valid(loyalty)) {
        if ((rc = COL_PROBLEM(m, C_LOYALTY, "must be 4 to 32 letters, digits or '-'")) != TD_OK) return rc;
    } else if (*loyalty) {
        void *slot;
        int added;
        if ((rc = strmap_put(m->seen, loyalty, m->vlen[C_LOYALTY], &slot, &added)) != TD_OK) return rc;
        li = slot;
        if (!added) {
            if ((rc = COL_PROBLEM(m, C_LOYALTY, "appears again; first on line %lld", (long long)li->first_line)) != TD_OK)
                return rc;
            li = NULL;
        } else {
            li->first_line = m->vline[C_LOYALTY];
            int64_t id = 0;
            if (m->ok && (rc = lookup_customer(m, C_LOYALTY, &id)) != TD_OK) return rc;   /* see claim_receipt */
            li->known = id > 0;
        }
    }
    if (*m->v[C_EMAIL] && !text_email_valid(m->v[C_EMAIL]))
        if ((rc = COL_PROBLEM(m, C_EMAIL, "is not an e-mail address")) != TD_OK) return rc;
    char ph[20];
    if (*m->v[C_PHONE] && text_phone_normalize(m->v[C_PHONE], ph) != TD_OK)
        if ((rc = COL_PROBLEM(m, C_PHONE, "is not a phone number")) != TD_OK) return rc;
    if (*m->v[C_STORE]) {
        int64_t store_id;
        if ((rc = lookup_store(m, C_STORE, &store_id)) != TD_OK) return rc;
        if (!store_id && (rc = COL_PROBLEM(m, C_STORE, "no store has this code")) != TD_OK) return rc;
    }
    int consent[2];
    for (int k = 0; k < 2; k++) {
        int col = k ? C_PHONE_CONSENT : C_EMAIL_CONSENT;
        consent[k] = parse_yes_no(m->v[col]);
        if (consent[k] < 0 && (rc = COL_PROBLEM(m, col, "must be yes or no (or ja/nee, true/false, 1/0)")) != TD_OK)
            return rc;
    }
    if (!m->ok || !li) return TD_OK;
    if (li->known) {
        m->rep->skipped++;
        return TD_OK;
    }
    struct customer_input in = {
        .set = CF_NAME | CF_LOYALTY, .name = m->v[C_NAME], .loyalty_number = loyalty,
        .email_marketing = {.given = 1, .source = "import"}, .phone_marketing = {.given = 1, .source = "import"},
    };
    if (*m->v[C_EMAIL]) { in.set |= CF_EMAIL; in.email = m->v[C_EMAIL]; }
    if (*m->v[C_PHONE]) { in.set |= CF_PHONE; in.phone = m->v[C_PHONE]; }
    if (*m->v[C_STORE]) { in.set |= CF_HOME_STORE; in.home_store_code = m->v[C_STORE]; }
    if (consent[0] == 1) in.set |= CF_EMAIL_CONSENT;
    if (consent[1] == 1) in.set |= CF_PHONE_CONSENT;
    struct errors err;
    errors_init(&err);
    int64_t id;
    rc = customer_create(m->c, &in, &err, &id);
    if (rc == TD_E_INVALID || (rc == TD_E_CONFLICT && err.n)) return create_problems(m, &err);
    if (rc != TD_OK) return rc;
    m->rep->added++;
    return TD_OK;
}

/* ---- purchases ------------------------------------------------------------ */

/* Makes the product of the current line exist with its name, brand and
 * category; *id receives its id. */
static int upsert_product(struct imp *m, int64_t *id)
{
    const char *sku = m->v[P_SKU], *name = m->v[P_PRODUCT], *brand = m->v[P_BRAND], *cat = m->v[P_CATEGORY];
    uint64_t values = hash_bytes(0xcbf29ce484222325ull, name, m->vlen[P_PRODUCT] + 1);
    values = hash_bytes(values, brand, m->vlen[P_BRAND] + 1);
    values = hash_bytes(values, cat, m->vlen[P_CATEGORY] + 1);
    void *slot;
    int added;
    int rc = strmap_put(m->products, sku, m->vlen[P_SKU], &slot, &added);
    if (rc != TD_OK) return rc;
    struct product_info *p = slot;
    if (p->id && p->values == values) {
        *id = p->id;
        return TD_OK;
    }
    struct db_stmt *st = NULL;
    int changed = 0;
    if (!p->id) {
        if ((rc = db_prepare(m->c->db, "SELECT id, name, brand, category FROM products WHERE sku = ?", &st)) != TD_OK)
            return rc;
        if ((rc = db_bind_text(st, 1, sku)) == TD_OK) rc = db_step(st);
        if (rc == TD_ROW) {
            p->id = db_col_int64(st, 0);
            changed = strcmp(db_col_text(st, 1), name) != 0 || strcmp(db_col_text(st, 2), brand) != 0 ||
                      strcmp(db_col_text(st, 3), cat) != 0;
            rc = TD_OK;
        } else if (rc == TD_DONE) {
            rc = TD_OK;
        }
        db_done(st);
        st = NULL;
        if (rc != TD_OK) return rc;
    } else {
        changed = 1;   /* a later line of this file names the product differently: the last one wins */
    }
    if (!p->id) {
        if ((rc = db_prepare(m->c->db, "INSERT INTO products (sku, name, brand, category) VALUES (?, ?, ?, ?) RETURNING id",
                             &st)) != TD_OK)
            return rc;
        if ((rc = db_bind_text(st, 1, sku)) != TD_OK) goto out;
        if ((rc = db_bind_text(st, 2, name)) != TD_OK) goto out;
        if ((rc = db_bind_text(st, 3, brand)) != TD_OK) goto out;
        if ((rc = db_bind_text(st, 4, cat)) != TD_OK) goto out;
        rc = db_step(st);
        if (rc != TD_ROW) goto out;
        p->id = db_col_int64(st, 0);
        m->rep->products_added++;
        rc = TD_OK;
    } else if (changed) {
        if ((rc = db_prepare(m->c->db, "UPDATE products SET name = ?, brand = ?, category = ? WHERE id = ?", &st)) != TD_OK)
            return rc;
        if ((rc = db_bind_text(st, 1, name)) != TD_OK) goto out;
        if ((rc = db_bind_text(st, 2, brand)) != TD_OK) goto out;
        if ((rc = db_bind_text(st, 3, cat)) != TD_OK) goto out;
        if ((rc = db_bind_int64(st, 4, p->id)) != TD_OK) goto out;
        if ((rc = db_step(st)) != TD_DONE) goto out;
        if (!p->updated) m->rep->products_updated++;
        p->updated = 1;
        rc = TD_OK;
    }
    p->values = values;
    *id = p->id;
out:
    db_done(st);
    return rc;
}

/* Claims the receipt of the current line: inserts it, or finds that it was
 * already in the database (then its lines are skipped). Its id is read back
 * by its reference: with SQLite, INSERT ... RETURNING costs more than the
 * insert itself, and the index lookup of a row just written is cheap. */
static int claim_receipt(struct imp *m, struct receipt_info *r)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(m->c->db, "INSERT INTO receipts (receipt_ref, store_id, customer_id, purchased_at)"
                                  " VALUES (?, ?, ?, ?) ON CONFLICT (receipt_ref) DO NOTHING", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, m->v[P_RECEIPT])) != TD_OK) goto out;
    if ((rc = db_bind_int64(st, 2, r->store_id)) != TD_OK) goto out;
    rc = r->customer_id ? db_bind_int64(st, 3, r->customer_id) : db_bind_null(st, 3);
    if (rc != TD_OK) goto out;
    if ((rc = db_bind_int64(st, 4, r->at)) != TD_OK) goto out;
    if ((rc = db_step(st)) != TD_DONE) goto out;
    rc = TD_OK;
    if (db_changes(st) == 0) {
        r->known = 1;
        m->rep->receipts_skipped++;
        goto out;
    }
    if ((rc = query_id(m, "SELECT id FROM receipts WHERE receipt_ref = ?", m->v[P_RECEIPT], &r->db_id)) != TD_OK)
        goto out;
    rc = r->db_id > 0 ? TD_OK : TD_E_INTERNAL;
    if (!m->first_receipt || r->db_id < m->first_receipt) m->first_receipt = r->db_id;
    if (r->db_id > m->last_receipt) m->last_receipt = r->db_id;
    m->rep->receipts_added++;
out:
    db_done(st);
    return rc;
}

/* Purchase lines are written LINE_BATCH at a time, in one multi-row INSERT:
 * a statement's fixed cost is then paid once per batch, not once per line. */
#define LINE_ROW "(?, ?, ?, ?, ?, ?)"
#define LINE_ROWS4 LINE_ROW ", " LINE_ROW ", " LINE_ROW ", " LINE_ROW
#define LINE_ROWS16 LINE_ROWS4 ", " LINE_ROWS4 ", " LINE_ROWS4 ", " LINE_ROWS4
#define LINE_INSERT "INSERT INTO purchase_lines (receipt_id, line_no, customer_id, product_id, unit_price_cents, quantity) VALUES "
static const char sql_line_1[] = LINE_INSERT LINE_ROW;
static const char sql_line_batch[] = LINE_INSERT LINE_ROWS16 ", " LINE_ROWS16;
_Static_assert(LINE_BATCH == 32, "sql_line_batch has LINE_BATCH rows");

/* Writes the lines waiting in m->pending. */
static int flush_lines(struct imp *m)
{
    int rc = TD_OK;
    size_t done = 0;
    while (rc == TD_OK && done < m->npending) {
        size_t n = m->npending - done == LINE_BATCH ? LINE_BATCH : 1;
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(m->c->db, n == LINE_BATCH ? sql_line_batch : sql_line_1, &st)) != TD_OK) break;
        for (size_t i = 0; i < n && rc == TD_OK; i++) {
            const struct pending_line *l = &m->pending[done + i];
            int k = (int)i * 6;
            if ((rc = db_bind_int64(st, k + 1, l->receipt_id)) != TD_OK) break;
            if ((rc = db_bind_int64(st, k + 2, l->line_no)) != TD_OK) break;
            rc = l->customer_id ? db_bind_int64(st, k + 3, l->customer_id) : db_bind_null(st, k + 3);
            if (rc != TD_OK) break;
            if ((rc = db_bind_int64(st, k + 4, l->product_id)) != TD_OK) break;
            if ((rc = db_bind_int64(st, k + 5, l->cents)) != TD_OK) break;
            rc = db_bind_int64(st, k + 6, l->quantity);
        }
        if (rc == TD_OK) rc = db_step(st);
        if (rc == TD_DONE) rc = TD_OK;
        db_done(st);
        done += n;
    }
    m->npending = 0;
    return rc;
}

static int add_line(struct imp *m, struct receipt_info *r, int64_t product_id, int64_t cents, int64_t qty)
{
    struct pending_line *l = &m->pending[m->npending++];
    l->receipt_id = r->db_id;
    l->line_no = ++r->nlines;
    l->customer_id = r->customer_id;
    l->product_id = product_id;
    l->cents = cents;
    l->quantity = qty;
    return m->npending == LINE_BATCH ? flush_lines(m) : TD_OK;
}

/* The receipt a line belongs to, from its receipt_id, purchased_at,
 * store_code and customer_ref (together: the line's head), in *out; NULL when
 * the head has a problem. The lines of a receipt usually follow each other
 * with equal heads, so a head equal to the previous line's takes the previous
 * answer without parsing or lookups. */
static int line_receipt(struct imp *m, struct receipt_info **out)
{
    static const int head[] = {P_RECEIPT, P_AT, P_STORE, P_CUSTOMER};
    int rc = TD_OK;
    char key[sizeof m->memo];
    size_t klen = 0;
    *out = NULL;
    for (size_t i = 0; i < sizeof head / sizeof head[0]; i++) {
        memcpy(key + klen, m->v[head[i]], m->vlen[head[i]] + 1);
        klen += m->vlen[head[i]] + 1;
    }
    if (m->memo_r && klen == m->memo_len && memcmp(key, m->memo, klen) == 0) {
        *out = m->memo_r;
        return TD_OK;
    }
    m->memo_r = NULL;
    int64_t problems = m->rep->problems_total;
    int64_t at = 0, store_id = 0, customer_id = 0;
    int at_ok = 0, store_ok = 0, customer_ok = 1;
    if (*m->v[P_AT]) {
        at_ok = m->vlen[P_AT] > 10 && clock_parse(m->v[P_AT], &at) == TD_OK;
        if (!at_ok && (rc = COL_PROBLEM(m, P_AT, "is not a date and time like 2026-11-22 14:05 or 2026-11-22T13:05:00Z"))
                          != TD_OK)
            return rc;
    }
    if (*m->v[P_STORE]) {
        if ((rc = lookup_store(m, P_STORE, &store_id)) != TD_OK) return rc;
        store_ok = store_id > 0;
        if (!store_ok && (rc = COL_PROBLEM(m, P_STORE, "no store has this code")) != TD_OK) return rc;
    }
    if (*m->v[P_CUSTOMER]) {
        if ((rc = lookup_customer(m, P_CUSTOMER, &customer_id)) != TD_OK) return rc;
        customer_ok = customer_id > 0;
        if (!customer_ok && (rc = COL_PROBLEM(m, P_CUSTOMER, "no customer has this loyalty number")) != TD_OK) return rc;
    }
    if (!*m->v[P_RECEIPT]) return TD_OK;
    /* The same time, store and customer on every line of a receipt; the
     * receipt is remembered from the first line where all three are right. */
    struct receipt_info *r = strmap_get(m->receipts, m->v[P_RECEIPT], m->vlen[P_RECEIPT]);
    if (r) {
        static const char same[] = "differs from line %lld of the same receipt";
        long long first = (long long)r->first_line;
        if (at_ok && r->at != at && (rc = COL_PROBLEM(m, P_AT, same, first)) != TD_OK) return rc;
        if (store_ok && r->store_id != store_id && (rc = COL_PROBLEM(m, P_STORE, same, first)) != TD_OK) return rc;
        if (customer_ok && r->customer_id != customer_id && (rc = COL_PROBLEM(m, P_CUSTOMER, same, first)) != TD_OK)
            return rc;
    } else if (at_ok && store_ok && customer_ok) {
        void *slot;
        int added;
        if ((rc = strmap_put(m->receipts, m->v[P_RECEIPT], m->vlen[P_RECEIPT], &slot, &added)) != TD_OK) return rc;
        r = slot;
        r->first_line = m->vline[P_RECEIPT];
        r->at = at;
        r->store_id = store_id;
        r->customer_id = customer_id;
        /* Once the file has a problem nothing is written, and whether the
         * receipt is new no longer matters (ok never becomes 1 again). */
        if (m->ok && (rc = claim_receipt(m, r)) != TD_OK) return rc;
    }
    if (r && at_ok && store_ok && customer_ok && m->rep->problems_total == problems) {
        memcpy(m->memo, key, klen);
        m->memo_len = klen;
        m->memo_r = r;
        *out = r;
    }
    return TD_OK;
}

static int purchase_line(struct imp *m)
{
    int64_t cents = 0, qty = 0;
    struct receipt_info *r;
    int rc = line_receipt(m, &r);
    if (rc != TD_OK) return rc;
    if (*m->v[P_PRICE]) {
        /* The ambiguity check comes first: it says what to write instead. */
        if (ambiguous_amount(m->v[P_PRICE]))
            rc = COL_PROBLEM(m, P_PRICE, "could mean thousands or decimals; write it with decimals, like 1234,00 or 1,23");
        else if (text_parse_cents(m->v[P_PRICE], &cents) != TD_OK) rc = COL_PROBLEM(m, P_PRICE, "is not an amount like 12,50 or 12.50");
        else if (cents < 0) rc = COL_PROBLEM(m, P_PRICE, "is negative");
        else if (cents > PRICE_MAX_CENTS) rc = COL_PROBLEM(m, P_PRICE, "is more than 1000000.00");
        if (rc != TD_OK) return rc;
    }
    if (*m->v[P_QTY]) {
        if (text_parse_int64(m->v[P_QTY], &qty) != TD_OK) rc = COL_PROBLEM(m, P_QTY, "is not a whole number");
        else if (qty < 1) rc = COL_PROBLEM(m, P_QTY, "must be at least 1");
        else if (qty > QUANTITY_MAX) rc = COL_PROBLEM(m, P_QTY, "must be at most %d", QUANTITY_MAX);
        if (rc != TD_OK) return rc;
    }
    if (!m->ok || !r) return TD_OK;
    if (r->known) {
        m->rep->skipped++;
        return TD_OK;
    }
    if (!r->db_id) return TD_E_INTERNAL;   /* claimed when first seen, while ok */
    int64_t product_id = 0;
    if ((rc = upsert_product(m, &product_id)) != TD_OK) return rc;
    if ((rc = add_line(m, r, product_id, cents, qty)) != TD_OK) return rc;
    m->rep->added++;
    return TD_OK;
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
    return m->line_fn(m);
}

static int run(struct dctx *c, const char *kind, const struct column *cols, int ncols, int (*line_fn)(struct imp *m),
               const char *data, size_t len, struct import_report *out)
{
    struct imp m;
    struct csv *csv = NULL;
    import_report_free(out);
    out->kind = kind;
    memset(&m, 0, sizeof m);
    m.c = c;
    m.rep = out;
    m.cols = cols;
    m.ncols = ncols;
    m.line_fn = line_fn;
    m.ok = 1;
    int rc = csv_new(0, FIELD_MAX, FIELDS_MAX, &csv);
    if (rc != TD_OK) goto out;
    /* Purchase imports take turns on PostgreSQL, so the receipt ids one adds
     * form a range no other import's receipts fall into (the customer
     * aggregates are added up over that range at the end). SQLite has one
     * writer anyway. */
    if (line_fn == purchase_line && db_backend(c->db) == DB_POSTGRES &&
        (rc = db_exec(c->db, "SELECT pg_advisory_xact_lock(7306001)")) != TD_OK)
        goto out;
    if ((rc = strmap_new(sizeof(int64_t), MAP_MEM, &m.stores)) != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(int64_t), MAP_MEM, &m.customers)) != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(struct loyalty_info), MAP_MEM, &m.seen)) != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(struct product_info), MAP_MEM, &m.products)) != TD_OK) goto out;
    if ((rc = strmap_new(sizeof(struct receipt_info), MAP_MEM, &m.receipts)) != TD_OK) goto out;
    for (size_t done = 0; done < len && rc == TD_OK;) {
        size_t n = len - done < CHUNK ? len - done : CHUNK;
        rc = csv_feed(csv, data + done, n, on_record, &m);
        done += n;
        if (out->progress) out->progress(out->progress_arg, done, len);
    }
    if (rc == TD_OK) rc = csv_finish(csv, on_record, &m);
    if (rc == TD_E_INVALID && m.header_seen && !m.header_ok) rc = TD_OK;   /* the header stopped the pass */
    if (rc != TD_OK) goto out;
    if (!m.header_seen && (rc = add_problem(&m, 1, 0, NULL, "the file is empty; its first line must name the columns")) != TD_OK)
        goto out;
    if (out->problems_total) {
        rc = TD_E_INVALID;
        goto out;
    }
    if ((rc = flush_lines(&m)) != TD_OK) goto out;
    if (line_fn == purchase_line && (rc = facts_add_receipts(c->db, m.first_receipt, m.last_receipt, c->now_us)) != TD_OK)
        goto out;
    /* Counts only: an audit row holds no personal data. */
    char detail[300];
    int k = snprintf(detail, sizeof detail, "{\"bytes\":%zu,\"lines\":%lld,\"added\":%lld,\"skipped\":%lld", len,
                     (long long)out->lines, (long long)out->added, (long long)out->skipped);
    if (line_fn == purchase_line)
        snprintf(detail + k, sizeof detail - (size_t)k,
                 ",\"receipts_added\":%lld,\"receipts_skipped\":%lld,\"products_added\":%lld,\"products_updated\":%lld}",
                 (long long)out->receipts_added, (long long)out->receipts_skipped, (long long)out->products_added,
                 (long long)out->products_updated);
    else
        snprintf(detail + k, sizeof detail - (size_t)k, "}");
    char action[32];
    snprintf(action, sizeof action, "import.%s", kind);
    rc = domain_audit(c, action, "csv", detail);
out:
    if (rc != TD_OK) {
        out->added = out->skipped = 0;
        out->receipts_added = out->receipts_skipped = out->products_added = out->products_updated = 0;
    }
    csv_free(csv);
    strmap_free(m.stores);
    strmap_free(m.customers);
    strmap_free(m.seen);
    strmap_free(m.products);
    strmap_free(m.receipts);
    return rc;
}

int import_customers(struct dctx *c, const char *data, size_t len, struct import_report *out)
{
    return run(c, "customers", customer_cols, C_NCOLS, customer_line, data, len, out);
}

int import_purchases(struct dctx *c, const char *data, size_t len, struct import_report *out)
{
    return run(c, "purchases", purchase_cols, P_NCOLS, purchase_line, data, len, out);
}
