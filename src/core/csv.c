/* csv.c — the streaming CSV tokenizer (see csv.h).
 *
 * A byte-at-a-time state machine with fast paths that copy runs of ordinary
 * bytes at once (most of a file is such runs).
 *
 *   START   at the start of a field  --'"'-->  QUOTED
 *                                     --sep--> START (empty field)
 *                                     --EOL--> START (record ends; or a blank line)
 *                                     --else-> PLAIN
 *   PLAIN   inside an unquoted field  --sep--> START, --EOL--> START (record ends)
 *                                     --'"'--> PLAIN (taken literally; literal_quote)
 *   QUOTED  inside a quoted field     --'"'--> QUOTE
 *   QUOTE   after a '"' in QUOTED     --'"'--> QUOTED (a literal quote)
 *                                     --sep--> START, --EOL--> START (record ends)
 *                                     --else-> PLAIN (CSV_E_AFTER_QUOTE)
 *
 * Invariants:
 *  (1) rec holds at most max_fields fields of at most max_field bytes each, NUL
 *      included in the max_fields * (max_field + 1) bytes allocated up front,
 *      so no write can pass its end;
 *  (2) line is the line of the next byte: it grows at every LF, every CR, but
 *      not at the LF of a CRLF (prev_cr);
 *  (3) until the first line is complete (phase HEAD) input is only collected
 *      in head; the separator and the byte order mark are settled before any
 *      byte reaches the state machine.
 */
#include "core/csv.h"
#include "core/buf.h"
#include <stdlib.h>
#include <string.h>

enum { ST_START, ST_PLAIN, ST_QUOTED, ST_QUOTE };
enum { PHASE_HEAD, PHASE_BODY };

struct csv {
    char sep;
    int had_bom;
    int phase;
    int state;
    int prev_cr;                 /* the last byte was a CR (its LF is not a new line) */
    int head_in_quotes;          /* quote parity while the first line is collected */
    size_t max_field, max_fields;
    int64_t line;
    int64_t records;
    struct buf head;             /* the first line, until the separator is known */
    unsigned char plain_stop[256];  /* bytes that end a run in PLAIN: sep, '"', CR, LF */
    /* the record being read */
    int rec_open;
    int64_t rec_line;
    int rec_error;
    int64_t rec_error_line;
    size_t nf, nf_total;
    char *rb;                    /* field bytes, each followed by NUL */
    size_t rb_len;
    size_t *f_off;               /* offset of each kept field in rb */
    struct csv_field *fields;
    size_t field_start;
    int64_t field_line;
    int field_quoted, field_too_long, field_literal_quote;
};

const char *csv_error_text(int error)
{
    switch (error) {
    case CSV_E_AFTER_QUOTE: return "has text after the closing '\"' of a quoted field";
    case CSV_E_UNCLOSED: return "has a quoted field that is never closed";
    case CSV_E_TOO_MANY_FIELDS: return "has too many fields";
    default: return "is well-formed";
    }
}

int csv_new(char sep, size_t max_field, size_t max_fields, struct csv **out)
{
    *out = NULL;
    if (sep == '"' || sep == '\r' || sep == '\n' || max_field == 0 || max_fields == 0 ||
        max_fields > SIZE_MAX / 2 / (max_field + 1))
        return TD_E_INVALID;
    struct csv *p = calloc(1, sizeof *p);
    if (!p) return TD_E_NOMEM;
    p->sep = sep;
    p->max_field = max_field;
    p->max_fields = max_fields;
    p->line = 1;
    buf_init(&p->head, CSV_HEAD_MAX);
    p->rb = malloc(max_fields * (max_field + 1));
    p->f_off = malloc(max_fields * sizeof *p->f_off);
    p->fields = malloc(max_fields * sizeof *p->fields);
    if (!p->rb || !p->f_off || !p->fields) {
        csv_free(p);
        return TD_E_NOMEM;
    }
    *out = p;
    return TD_OK;
}

void csv_free(struct csv *p)
{
    if (!p) return;
    buf_free(&p->head);
    free(p->rb);
    free(p->f_off);
    free(p->fields);
    free(p);
}

char csv_separator(const struct csv *p) { return p->phase == PHASE_BODY ? p->sep : 0; }
int csv_had_bom(const struct csv *p) { return p->had_bom; }
int64_t csv_lines(const struct csv *p) { return p->line; }

static void set_error(struct csv *p, int error, int64_t line)
{
    if (p->rec_error) return;
    p->rec_error = error;
    p->rec_error_line = line;
}

static void begin_record(struct csv *p)
{
    p->rec_open = 1;
    p->rec_line = p->line;
    p->rec_error = CSV_E_NONE;
    p->rec_error_line = 0;
    p->nf = p->nf_total = 0;
    p->rb_len = 0;
}

static void begin_field(struct csv *p)
{
    if (!p->rec_open) begin_record(p);
    p->field_start = p->rb_len;
    p->field_line = p->line;
    p->field_quoted = 0;
    p->field_too_long = 0;
    p->field_literal_quote = 0;
}

/* Appends bytes to the current field, keeping at most max_field of them. */
static void put(struct csv *p, const unsigned char *s, size_t n)
{
    if (p->nf >= p->max_fields) return;   /* a field beyond the limit is only counted */
    size_t have = p->rb_len - p->field_start;
    size_t room = p->max_field - have;
    if (n > room) {
        p->field_too_long = 1;
        n = room;
    }
    memcpy(p->rb + p->rb_len, s, n);
    p->rb_len += n;
}

static void end_field(struct csv *p)
{
    p->nf_total++;
    if (p->nf >= p->max_fields) {
        set_error(p, CSV_E_TOO_MANY_FIELDS, p->field_line);
        return;
    }
    p->rb[p->rb_len++] = '\0';
    struct csv_field *f = &p->fields[p->nf];
    p->f_off[p->nf] = p->field_start;
    f->len = p->rb_len - 1 - p->field_start;
    f->line = p->field_line;
    f->quoted = p->field_quoted;
    f->too_long = p->field_too_long;
    f->literal_quote = p->field_literal_quote;
    p->nf++;
}

static int end_record(struct csv *p, csv_record_fn fn, void *arg)
{
    for (size_t i = 0; i < p->nf; i++) p->fields[i].data = p->rb + p->f_off[i];
    struct csv_record rec = {
        .field = p->fields, .n = p->nf, .n_total = p->nf_total, .line = p->rec_line,
        .index = p->records, .error = p->rec_error, .error_line = p->rec_error_line,
    };
    p->rec_open = 0;
    p->records++;
    p->state = ST_START;
    return fn(arg, &rec);
}

/* A line break that is not the LF of a CRLF; ends the record unless quoted. */
static int line_break(struct csv *p, unsigned char ch, csv_record_fn fn, void *arg)
{
    int rc = TD_OK;
    switch (p->state) {
    case ST_QUOTED:
        put(p, &ch, 1);
        break;
    case ST_START:
        if (p->rec_open) {          /* "a,<EOL>": an empty last field */
            begin_field(p);
            end_field(p);
            rc = end_record(p, fn, arg);
        }                           /* else: a blank line, not a record */
        break;
    default:                        /* PLAIN, QUOTE */
        end_field(p);
        rc = end_record(p, fn, arg);
        break;
    }
    p->line++;
    p->prev_cr = ch == '\r';
    return rc;
}

static int run(struct csv *p, const unsigned char *s, size_t n, csv_record_fn fn, void *arg)
{
    const unsigned char sep = (unsigned char)p->sep;
    size_t i = 0;
    while (i < n) {
        unsigned char ch = s[i];
        if (ch == '\n' && p->prev_cr) {   /* the LF of a CRLF: the CR did the work */
            p->prev_cr = 0;
            if (p->state == ST_QUOTED) put(p, &ch, 1);
            i++;
            continue;
        }
        p->prev_cr = 0;
        if (ch == '\r' || ch == '\n') {
            int rc = line_break(p, ch, fn, arg);
            if (rc != TD_OK) return rc;
            i++;
            continue;
        }
        switch (p->state) {
        case ST_START:
            begin_field(p);
            if (ch == '"') {
                p->field_quoted = 1;
                p->state = ST_QUOTED;
                i++;
            } else if (ch == sep) {
                end_field(p);
                i++;
            } else {
                p->state = ST_PLAIN;      /* the byte is read again in PLAIN */
            }
            break;
        case ST_PLAIN: {
            size_t j = i;
            while (j < n && !p->plain_stop[s[j]]) j++;
            if (j > i) {
                put(p, s + i, j - i);
                i = j;
                break;
            }
            if (ch == sep) {
                end_field(p);
                p->state = ST_START;
            } else {                      /* '"': literal, as spreadsheets read it */
                p->field_literal_quote = 1;
                put(p, &ch, 1);
            }
            i++;
            break;
        }
        case ST_QUOTED: {
            size_t j = i;
            while (j < n && s[j] != '"' && s[j] != '\r' && s[j] != '\n') j++;
            if (j > i) {
                put(p, s + i, j - i);
                i = j;
                break;
            }
            p->state = ST_QUOTE;          /* '"' */
            i++;
            break;
        }
        case ST_QUOTE:
            if (ch == '"') {
                put(p, &ch, 1);
                p->state = ST_QUOTED;
                i++;
            } else if (ch == sep) {
                end_field(p);
                p->state = ST_START;
                i++;
            } else {
                set_error(p, CSV_E_AFTER_QUOTE, p->line);
                p->state = ST_PLAIN;
            }
            break;
        }
    }
    return TD_OK;
}

/* The first line is complete (or as long as we look): settle the byte order
 * mark and the separator, then run it through the state machine. */
static int end_head(struct csv *p, csv_record_fn fn, void *arg)
{
    const unsigned char *h = (const unsigned char *)(p->head.data ? p->head.data : "");
    size_t n = p->head.len;
    if (n >= 3 && h[0] == 0xef && h[1] == 0xbb && h[2] == 0xbf) {
        p->had_bom = 1;
        h += 3;
        n -= 3;
    }
    if (!p->sep) {
        size_t commas = 0, semis = 0;
        int q = 0;
        for (size_t i = 0; i < n; i++) {
            if (h[i] == '"') q = !q;
            else if (!q && h[i] == ',') commas++;
            else if (!q && h[i] == ';') semis++;
        }
        p->sep = semis > commas ? ';' : ',';
    }
    memset(p->plain_stop, 0, sizeof p->plain_stop);
    p->plain_stop[(unsigned char)p->sep] = 1;
    p->plain_stop['"'] = 1;
    p->plain_stop['\r'] = 1;
    p->plain_stop['\n'] = 1;
    p->phase = PHASE_BODY;
    int rc = run(p, h, n, fn, arg);
    buf_free(&p->head);
    return rc;
}

int csv_feed(struct csv *p, const char *data, size_t len, csv_record_fn fn, void *arg)
{
    const unsigned char *s = (const unsigned char *)data;
    if (p->phase == PHASE_HEAD) {
        /* Collect up to and including the first line break outside quotes. */
        size_t i = 0, room = CSV_HEAD_MAX - p->head.len;
        int done = 0;
        for (; i < len && i < room; i++) {
            if (s[i] == '"') p->head_in_quotes = !p->head_in_quotes;
            else if (!p->head_in_quotes && (s[i] == '\n' || s[i] == '\r')) {
                i++;
                done = 1;
                break;
            }
        }
        if (i == room) done = 1;
        int rc = buf_append(&p->head, s, i);
        if (rc != TD_OK) return rc;
        if (!done) return TD_OK;
        if ((rc = end_head(p, fn, arg)) != TD_OK) return rc;
        s += i;
        len -= i;
    }
    return run(p, s, len, fn, arg);
}

int csv_finish(struct csv *p, csv_record_fn fn, void *arg)
{
    int rc = TD_OK;
    if (p->phase == PHASE_HEAD && (rc = end_head(p, fn, arg)) != TD_OK) return rc;
    switch (p->state) {
    case ST_QUOTED:
        set_error(p, CSV_E_UNCLOSED, p->field_line);
        end_field(p);
        return end_record(p, fn, arg);
    case ST_PLAIN:
    case ST_QUOTE:
        end_field(p);
        return end_record(p, fn, arg);
    default:
        if (!p->rec_open) return TD_OK;
        begin_field(p);                 /* "a,<EOF>": an empty last field */
        end_field(p);
        return end_record(p, fn, arg);
    }
}
