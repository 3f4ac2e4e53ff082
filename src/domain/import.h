/* import.h — customers and purchases from CSV files (the loyalty programme's
 * member list, the tills' purchase export). docs/import.md describes the
 * formats for people. The kinds are the rows of imports.def; the route and
 * the command line find them by name (import_kind_find).
 *
 * A file is imported whole or not at all, and importing it again changes
 * nothing:
 *   customers  a loyalty number already in the database is skipped; a new one
 *              becomes a customer through customer_create() (search terms,
 *              consent with source "import" at the time of the import);
 *   purchases  a receipt id already in the database is skipped with all its
 *              lines; a new receipt gets its lines numbered 1..n in file
 *              order; products are upserted by SKU (the last line wins).
 * Any problem in the file — its syntax, a field, a reference to an unknown
 * store or customer — makes the call refuse the file with a report of every
 * problem found (line as an editor shows it, the header being line 1, and
 * column by its header name).
 *
 * The import functions run inside the CALLER's write transaction and may have
 * written rows before they find the first problem: on any status but TD_OK
 * the caller must roll back.
 */
#ifndef TD_IMPORT_H
#define TD_IMPORT_H
#include <stddef.h>
#include <stdint.h>
#include "domain/domain.h"

#define IMPORT_PROBLEMS_MAX 10000   /* problems kept in a report; more are only counted */
#define IMPORT_WARNINGS_MAX 100     /* warnings kept; more are only counted */
#define IMPORT_COLUMN_SZ 64

struct import_problem {
    int64_t line;                    /* 1-based; the header is line 1 */
    int column;                      /* 1-based position in the header, 0 when about the whole line */
    char column_name[IMPORT_COLUMN_SZ]; /* the column's name, "" when about the whole line */
    char problem[160];               /* "is negative" */
};

struct import_report {
    const char *kind;                /* "customers" or "purchases" */
    int64_t lines;                   /* data lines read (the header and blank lines not counted) */
    int64_t added, skipped;          /* customers, or purchase lines */
    int64_t receipts_added, receipts_skipped;
    int64_t products_added, products_updated;
    int64_t styles_added, styles_updated, collections_added;   /* catalogue */
    int64_t problems_total;          /* every problem found */
    size_t nproblems;                /* the first IMPORT_PROBLEMS_MAX of them, in file order */
    struct import_problem *problem;  /* owned; import_report_free() */
    /* Things read in a way the file's writer may not have meant (a '"'
     * inside an unquoted field, taken literally); they do not stop the
     * import. */
    int64_t warnings_total;
    size_t nwarnings;
    struct import_problem warning[IMPORT_WARNINGS_MAX];
    /* Set by the caller before the call, or NULL: told how many bytes of the
     * file have been read, now and then. */
    void (*progress)(void *arg, size_t done, size_t total);
    void *progress_arg;
};

void import_report_init(struct import_report *r);
/* Frees the problems and clears the counts (the progress callback stays). */
void import_report_free(struct import_report *r);

/* Import data[0..len) (UTF-8 CSV, with or without a byte order mark) within
 * the caller's transaction. TD_OK with the counts in *out; TD_E_INVALID when
 * the file has problems (listed in *out; the caller must roll back); another
 * status when the database or memory failed. Writes one audit_log row
 * ("import.customers" / "import.purchases", counts only) on success. */
int import_customers(struct dctx *c, const char *data, size_t len, struct import_report *out) TD_MUST_CHECK;
int import_purchases(struct dctx *c, const char *data, size_t len, struct import_report *out) TD_MUST_CHECK;

/* A kind of file (a row of imports.def), found by its name ("customers"), or
 * NULL; the i-th kind's name for i = 0, 1, ... until NULL. */
struct import_kind;
const struct import_kind *import_kind_find(const char *name);
const char *import_kind_name(size_t i);
/* import_customers() and the others, for the kind k. */
int import_run(struct dctx *c, const struct import_kind *k, const char *data, size_t len,
               struct import_report *out) TD_MUST_CHECK;

/* One count the report's kind reports beyond lines, added and skipped. */
struct import_count {
    const char *name;                /* "receipts_added" */
    const char *group, *verb;        /* "receipts", "added" (for a summary: "receipts: 3 added, 0 skipped") */
    int64_t value;
};
#define IMPORT_COUNTS_MAX 8
/* Fills out[0..n) with the counts of r's kind, in the kind's order; n. */
size_t import_report_counts(const struct import_report *r, struct import_count *out, size_t max);

#endif
