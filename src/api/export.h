/* export.h — every table the API answers as JSON, also as a file an analyst
 * opens: CSV for Dutch Excel and .xlsx.
 *
 * A table is a static list of columns: where the value sits in each JSON
 * item (a dotted path, "interval.low"), its header in Dutch and English,
 * and its kind, which decides how it is written. The route builds its JSON
 * items as always and hands them here; the file is made from those items,
 * so the JSON, the CSV and the workbook never disagree.
 *
 *   CSV  UTF-8 with a byte order mark, ';' between fields, a decimal comma,
 *        CRLF; a field with ';', '"' or a line break in double quotes;
 *   xlsx one sheet per table (libxlsxwriter), a bold frozen header row with
 *        a filter, numbers as numbers (cents as euros with two decimals,
 *        shares as percentages, days as dates), widths from the contents.
 *
 * A value that is null or absent is an empty cell, never a zero: "too few"
 * figures stay empty. Headers are in the caller's language (me.lang).
 */
#ifndef TD_EXPORT_H
#define TD_EXPORT_H
#include <stddef.h>
#include <jansson.h>
#include "core/status.h"

struct api_call;
struct buf;

enum export_kind {
    EXPORT_TEXT,      /* a string (a number is written as its digits) */
    EXPORT_INT,       /* a whole number */
    EXPORT_DECIMAL,   /* a number with one decimal (an NPS, hours) */
    EXPORT_CENTS,     /* integer cents, written as euros: 12,50 */
    EXPORT_PERCENT,   /* a share 0..1, written as a percentage: 53,3% */
    EXPORT_DAY,       /* "YYYY-MM-DD" (or the day of an RFC 3339 time): a date */
    EXPORT_FLAG,      /* true/false, written as the column's yes/no texts */
};

struct export_column {
    const char *path;                 /* members of the item, '.'-separated: "came_back.30" */
    const char *nl, *en;              /* the header */
    enum export_kind kind;
    /* EXPORT_FLAG: the texts of true and of false, Dutch and English;
     * NULL writes an empty cell. */
    const char *yes_nl, *yes_en, *no_nl, *no_en;
};

struct export_table {
    const char *sheet_nl, *sheet_en;  /* the workbook's sheet name (at most 31 characters) */
    const struct export_column *cols;
    size_t ncols;
};

/* A column of a kind other than EXPORT_FLAG, and a flag with its texts. */
#define EXPORT_COL(p, n, e, k) {.path = (p), .nl = (n), .en = (e), .kind = (k)}
#define EXPORT_FLAG_COL(p, n, e, ynl, yen, nnl, nen) {(p), (n), (e), EXPORT_FLAG, (ynl), (yen), (nnl), (nen)}
#define EXPORT_COLUMNS(cols) (cols), (sizeof(cols) / sizeof((cols)[0]))
/* Columns several reports share, so that a field has one header in every file. */
#define EXPORT_CASE_COL EXPORT_COL("case_id", "zaak", "case", EXPORT_INT)
#define EXPORT_STORE_COL EXPORT_COL("store_code", "winkel", "store", EXPORT_TEXT)
#define EXPORT_CATEGORY_COL EXPORT_COL("category", "categorie", "category", EXPORT_TEXT)
#define EXPORT_KIND_COL EXPORT_COL("kind", "soort", "kind", EXPORT_TEXT)
#define EXPORT_REASON_COL EXPORT_COL("reason", "reden", "reason", EXPORT_TEXT)
#define EXPORT_RESOLVED_COL EXPORT_COL("resolved_at", "afgehandeld op", "resolved on", EXPORT_DAY)
#define EXPORT_PERSON_COLS EXPORT_COL("login", "login", "login", EXPORT_TEXT), EXPORT_COL("name", "naam", "name", EXPORT_TEXT)

enum export_format { EXPORT_JSON, EXPORT_CSV, EXPORT_XLSX };

/* ?format= as json, csv or xlsx into *out (def when absent); another value
 * is a problem named "format" and TD_E_BAD_REQUEST. */
int api_export_format(struct api_call *a, enum export_format def, enum export_format *out /* OUT */) TD_MUST_CHECK;

/* One table of a workbook: items is borrowed. */
struct export_sheet {
    const struct export_table *t;
    json_t *items;
};

/* Answers the n tables as format (EXPORT_CSV: the first table only;
 * EXPORT_XLSX: one sheet each) with Content-Disposition
 * attachment; filename="<stem>.csv" or ".xlsx". The items stay the
 * caller's. TD_E_BAD_REQUEST for EXPORT_JSON (the caller answers JSON). */
int api_reply_sheets(struct api_call *a, const struct export_sheet *s, size_t n, enum export_format format,
                     const char *stem) TD_MUST_CHECK;

/* api_reply_sheets() of one table. */
int api_reply_table(struct api_call *a, const struct export_table *t, json_t *items, enum export_format format,
                    const char *stem) TD_MUST_CHECK;

/* api_reply_sheets() of table t of the n as CSV, of all n as a workbook. */
int api_reply_one_or_all(struct api_call *a, const struct export_sheet *s, size_t n, size_t t,
                         enum export_format format, const char *stem) TD_MUST_CHECK;

/* A report's file: the answer o (borrowed) as format. */
typedef int api_report_file_fn(struct api_call *a, json_t *o, enum export_format format);
/* The end of a report handler: rc when it is not TD_OK, else the answer o
 * as JSON, or as a file through file() when format asks for one; o is taken
 * over in every case (NULL with rc TD_OK: out of memory). */
int api_reply_report(struct api_call *a, int rc, json_t *o, enum export_format format,
                     api_report_file_fn *file) TD_MUST_CHECK;

/* ?table= as the index of one of the n names into *which (0 when absent);
 * another value is a problem named "table" ("must be a, b or c") and
 * TD_E_BAD_REQUEST. */
int api_export_table_param(struct api_call *a, const char *const *names, size_t n, size_t *which /* OUT */) TD_MUST_CHECK;

/* A report's file name before its extension, in the request's arena (NULL
 * when that is full): what, then "-part" (part NULL: none), "-code" for a
 * store's figures (code NULL or empty: the chain's), and "-from-to":
 * "coaching-points-AMS01-2026-01-01-2026-03-31". */
char *api_export_stem(struct api_call *a, const char *what, const char *part, const char *code, const char *from,
                      const char *to);

/* The CSV of one table into b (appended), headers in English when english,
 * else Dutch: for a caller without a request (the CLI). TD_E_NOMEM when b
 * cannot grow. */
int export_csv(const struct export_table *t, json_t *items, int english, struct buf *b) TD_MUST_CHECK;

/* The what-if simulator's changed cases (api_simulate.c): the items of the
 * answer's exact.changes; `trustdesk simulate --csv` writes them too. */
extern const struct export_table api_simulate_changes;

#endif
