/* import_parts.h — what the parts of the import module share: the driver
 * (import.c: the report, the header, the checks every column gets, the pass
 * over the file) and one file per kind of file (import_customers.c,
 * import_purchases.c), listed in imports.def. Not for use outside
 * src/domain/import*.c.
 */
#ifndef TD_IMPORT_PARTS_H
#define TD_IMPORT_PARTS_H
#include "domain/import.h"
#include "domain/customer.h"
#include "domain/purchase.h"
#include "domain/store.h"
#include "core/arena.h"
#include <stddef.h>
#include <stdint.h>

struct strmap;
struct event_receipt;
struct event_product;
struct event_line;

#define IMPORT__NCOLS_MAX 16         /* columns a kind may have */
#define IMPORT__FIELDS_MAX 64        /* fields the tokenizer keeps of one line */
#define IMPORT__FIELD_MAX 4096       /* bytes the tokenizer keeps of one field */
#define IMPORT__AT_MAX 40            /* characters of a purchased_at */
#define IMPORT__LINE_BATCH 256       /* purchase lines per INSERT */
#define IMPORT__MAP_MEM (1u << 30)   /* the most one lookup map may hold */

enum import__col_flag {
    COL_REQUIRED = 1,                /* the column must be in the header and never empty */
    COL_TEXT = 2,                    /* free text: line breaks become spaces; max counts characters */
    COL_ASCII = 4,                   /* an identifier: printable ASCII only */
};

/* One column of a kind's header spec; an array of them ends with {NULL}. */
struct import__column {
    const char *name;
    int flags;
    size_t max;                      /* most characters */
};

/* One count a kind reports beyond lines, added and skipped; an array of
 * them ends with {NULL}. */
struct import__count {
    const char *name;                /* in JSON and the audit row: "receipts_added" */
    const char *group, *verb;        /* in the command line's summary: "receipts", "added" */
    size_t offset;                   /* of the int64_t in struct import_report */
};
/* A row of such an array for the field `name` of struct import_report, and
 * the row that ends it. */
#define IMPORT__COUNT(name, group, verb) {#name, group, verb, offsetof(struct import_report, name)}
#define IMPORT__COUNTS_END {NULL, NULL, NULL, 0}

struct imp;

/* A row of imports.def. */
struct import_kind {
    const char *name;
    const struct import__column *cols;
    int (*line)(struct imp *m);
    int (*begin)(struct imp *m);
    int (*finish)(struct imp *m);
    const struct import__count *counts;
};

struct import__receipt_info;

/* One import in progress. */
struct imp {
    struct dctx *c;
    struct import_report *rep;
    const struct import_kind *kind;
    const struct import__column *cols;
    int ncols;
    int pos[IMPORT__NCOLS_MAX];      /* 0-based position of each column in the file, -1 when absent */
    int col_at[IMPORT__FIELDS_MAX];  /* the column at each position of the file */
    size_t nheader;                  /* fields in the header */
    int header_seen, header_ok;
    int ok;                          /* no problem so far: keep writing */
    size_t problems_cap;
    /* the current line, by column ("" for an absent column) */
    const char *v[IMPORT__NCOLS_MAX];
    size_t vlen[IMPORT__NCOLS_MAX];
    int64_t vline[IMPORT__NCOLS_MAX];
    int64_t line;
    int line_usable;                 /* the line's fields could be told apart */
    struct strmap *stores, *customers;  /* store code, loyalty number -> id (-1: none) */
    /* made by the kind's begin, freed by the driver */
    struct strmap *seen;             /* customers: loyalty numbers of this file -> struct loyalty_info */
    struct strmap *receipts;         /* purchases: receipt ids of this file -> struct import__receipt_info */
    struct strmap *products;         /* purchases: SKUs of this file -> struct product_info */
    /* purchases: what the import added, handed to the subscribers at the end
     * (events.h); lines[nwritten..nlines) are still to be written */
    struct event_receipt *ev_receipts;
    struct event_product *ev_products;
    struct event_line *ev_lines;
    size_t nreceipts, nproducts, nlines, cap_receipts, cap_products, cap_lines, nwritten, receipts_written;
    int64_t next_receipt;            /* the id the next new receipt gets */
    /* SQLite: receipt ids from gap_lo up to gap_hi ("": no end) are not in
     * the database ("" gap_lo: no gap known); see receipt_known */
    char gap_lo[RECEIPT_SZ], gap_hi[RECEIPT_SZ];
    struct arena texts;              /* the products' categories and sizes */
    /* the head of the last line whose receipt was found (see line_receipt) */
    char memo[RECEIPT_SZ + IMPORT__AT_MAX + 1 + CODE_SZ + LOYALTY_SZ];
    size_t memo_len;
    struct import__receipt_info *memo_r;
    const char *data;                /* the whole file, for a kind's begin that looks ahead */
    size_t len;
    struct strmap *known;            /* purchases on PostgreSQL: receipt ids of the file -> in the database (int) */
    int64_t first_receipt, last_receipt;   /* ids of the receipts this import added */
};

/* The rows of imports.def. */
#define IMPORT_KIND(name, columns, line, begin, finish, counts) \
    extern const struct import__column columns[];
#include "domain/imports.def"
#undef IMPORT_KIND
int import__customer_begin(struct imp *m) TD_MUST_CHECK;
int import__customer_line(struct imp *m) TD_MUST_CHECK;
int import__purchase_line(struct imp *m) TD_MUST_CHECK;
int import__purchase_begin(struct imp *m) TD_MUST_CHECK;
int import__purchase_finish(struct imp *m) TD_MUST_CHECK;
int import__catalogue_begin(struct imp *m) TD_MUST_CHECK;
int import__catalogue_line(struct imp *m) TD_MUST_CHECK;
int import__stock_begin(struct imp *m) TD_MUST_CHECK;
int import__stock_line(struct imp *m) TD_MUST_CHECK;
extern const struct import__count import__catalogue_counts[];
extern const struct import__count import__purchase_counts[];

/* Records a problem; column_no 0 and name NULL for one about the whole line.
 * TD_E_NOMEM when the list cannot grow. */
int import__problem(struct imp *m, int64_t line, int column_no, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 5, 6))) TD_MUST_CHECK;

/* A problem with column `col` (an index into m->cols) of the current line. */
#define IMPORT__COL_PROBLEM(m, col, ...) \
    import__problem((m), (m)->vline[col], (m)->pos[col] + 1, (m)->cols[col].name, __VA_ARGS__)

/* The amount in column col of the current line (empty: 0, and no
 * problem); a problem when it is ambiguous, not an amount, negative or
 * over 1,000,000.00. */
int import__price(struct imp *m, int col, int64_t *cents /* OUT */) TD_MUST_CHECK;

/* Runs sql (one text parameter, one id column): *id is the id or 0. */
int import__query_id(struct imp *m, const char *sql, const char *key, int64_t *id) TD_MUST_CHECK;
/* The store whose code, or the customer whose loyalty number, is column col
 * of the current line: *id, or 0 when there is none (remembered per import). */
int import__lookup_store(struct imp *m, int col, int64_t *id) TD_MUST_CHECK;
int import__lookup_customer(struct imp *m, int col, int64_t *id) TD_MUST_CHECK;

#endif
