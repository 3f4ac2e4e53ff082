/* import_purchases.c — the purchases kind of import (imports.def): the
 * tills' purchase export. A receipt id already in the database is skipped
 * with all its lines; a new receipt gets its lines numbered 1..n in file
 * order; products are upserted by SKU (the last line wins). For speed,
 * purchase lines are inserted IMPORT__LINE_BATCH at a time, and a line with
 * the same receipt head as the line before reuses its answer (see
 * line_receipt).
 *
 * Invariants (beyond import.c's):
 *  (1) each distinct receipt id and SKU goes to the database once per
 *      import (the claim or upsert that writes it): the maps remember it;
 *  (2) the receipts one import adds have ids no other import's receipts
 *      fall between (import__purchase_begin), so that the customer
 *      aggregates are added up over that range at the end.
 */
#include "domain/import_parts.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/strmap.h"
#include "core/text.h"
#include "core/vec.h"
#include "db/db.h"
#include "domain/clienteling_catalog.h"
#include "domain/events.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define QUANTITY_MAX 100000
#define AT_MAX IMPORT__AT_MAX
#define LINE_BATCH IMPORT__LINE_BATCH

enum { P_RECEIPT, P_AT, P_STORE, P_CUSTOMER, P_SKU, P_PRODUCT, P_BRAND, P_CATEGORY, P_PRICE, P_QTY, P_SIZE, P_NCOLS };
const struct import__column import__purchase_cols[P_NCOLS + 1] = {
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
    [P_SIZE] = {"size", COL_ASCII, CL_SIZE_SZ - 1},   /* the size sold, when the sku does not say */
    [P_NCOLS] = {NULL, 0, 0},
};
_Static_assert(P_NCOLS <= IMPORT__NCOLS_MAX, "IMPORT__NCOLS_MAX holds the purchase columns");

const struct import__count import__purchase_counts[] = {
    IMPORT__COUNT(receipts_added, "receipts", "added"), IMPORT__COUNT(receipts_skipped, "receipts", "skipped"),
    IMPORT__COUNT(products_added, "products", "added"), IMPORT__COUNT(products_updated, "products", "updated"),
    IMPORT__COUNTS_END,
};

/* What the maps remember. */
struct import__receipt_info {
    int64_t first_line;
    int64_t at, store_id, customer_id;
    int64_t db_id;                   /* set when claimed, unless known */
    int64_t nlines;                  /* lines given a line_no so far */
    int32_t idx;                     /* its event_receipt, once claimed */
    int known;                       /* in the database before this import: its lines are skipped */
};
struct product_info {
    int64_t id;                      /* 0 until upserted */
    uint64_t values;                 /* hash of name, brand and category last written */
    int updated;                     /* counted in products_updated */
    int32_t idx;                     /* its event_product, once upserted */
};

/* The product's event_product: its id, the category the file gives it
 * (the last line wins, as in the products row) and the catalogue's size. */
static int note_product(struct imp *m, struct product_info *p, const char *catalogue_size)
{
    const char *cat = m->v[P_CATEGORY];
    if (p->idx == 0) {
        int rc = vec_grow(&m->ev_products, &m->cap_products, m->nproducts, sizeof *m->ev_products, 1024);
        if (rc != TD_OK) return rc;
        struct event_product *e = &m->ev_products[m->nproducts++];
        p->idx = (int32_t)m->nproducts;   /* 1-based: 0 is none yet */
        e->id = p->id;
        e->category = NULL;
        e->size = catalogue_size ? arena_strdup(&m->texts, catalogue_size) : NULL;
        if (catalogue_size && !e->size) return TD_E_NOMEM;
    }
    struct event_product *e = &m->ev_products[p->idx - 1];
    if (!e->category || strcmp(e->category, cat) != 0) {
        if (!(e->category = arena_strdup(&m->texts, cat))) return TD_E_NOMEM;
    }
    return TD_OK;
}

static uint64_t hash_bytes(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

/* Makes the product of the current line exist with its name, brand and
 * category; *id receives its index in m->ev_products. */
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
        *id = p->idx - 1;
        return TD_OK;
    }
    int changed = 0;
    char size[CL_SIZE_SZ + 4] = "";
    if (!p->id) {
        struct db_stmt *st = NULL;
        rc = db_get_row(m->c->db, "SELECT id, name, brand, category, size FROM products WHERE sku = ?", &st, "t", sku);
        if (rc == TD_OK) {
            p->id = db_col_int64(st, 0);
            changed = strcmp(db_col_text(st, 1), name) != 0 || strcmp(db_col_text(st, 2), brand) != 0 ||
                      strcmp(db_col_text(st, 3), cat) != 0;
            if (db_col_text(st, 4)) snprintf(size, sizeof size, "%s", db_col_text(st, 4));
        }
        db_done(st);
        if (rc != TD_OK && rc != TD_E_NOT_FOUND) return rc;
    } else {
        changed = 1;   /* a later line of this file names the product differently: the last one wins */
    }
    if (!p->id) {
        rc = db_get_int64(m->c->db, "INSERT INTO products (sku, name, brand, category) VALUES (?, ?, ?, ?) RETURNING id",
                          &p->id, "tttt", sku, name, brand, cat);
        if (rc != TD_OK) return rc;
        m->rep->products_added++;
    } else if (changed) {
        rc = db_run(m->c->db, "UPDATE products SET name = ?, brand = ?, category = ? WHERE id = ?", NULL, "ttti", name,
                    brand, cat, p->id);
        if (rc != TD_OK) return rc;
        if (!p->updated) m->rep->products_updated++;
        p->updated = 1;
    }
    p->values = values;
    if ((rc = note_product(m, p, size[0] ? size : NULL)) != TD_OK) return rc;
    *id = p->idx - 1;
    return TD_OK;
}

/* Whether receipt id ref was in the database before this import. On
 * SQLite, whose index orders receipt ids as bytes (as strcmp does), one look
 * in the index answers for a run of them: it finds the first id at or after
 * ref, and every id from ref up to that one is absent (m->gap). Tills
 * number their receipts in order, so most lines of a file fall in the gap
 * of a line before. Rows this import wrote can only narrow a gap, and a
 * receipt id met twice is found through the map before it gets here. */
static int receipt_known(struct imp *m, const char *ref, int *known)
{
    *known = 0;
    if (db_backend(m->c->db) != DB_SQLITE) {
        const int *k = m->known ? strmap_get(m->known, ref, strlen(ref)) : NULL;
        if (k) {
            *known = *k;   /* looked up before the pass */
            return TD_OK;
        }
        return db_exists(m->c->db, "SELECT 1 FROM receipts WHERE receipt_ref = ?", known, "t", ref);
    }
    if (m->gap_lo[0] && strcmp(ref, m->gap_lo) >= 0 && (!m->gap_hi[0] || strcmp(ref, m->gap_hi) < 0)) return TD_OK;
    struct db_stmt *st = NULL;
    int rc = db_get_row(m->c->db, "SELECT receipt_ref FROM receipts WHERE receipt_ref >= ? ORDER BY receipt_ref LIMIT 1",
                        &st, "t", ref);
    if (rc == TD_OK) {
        const char *next = db_col_text(st, 0);
        *known = strcmp(next, ref) == 0;
        snprintf(m->gap_hi, sizeof m->gap_hi, "%s", next);   /* a receipt id is at most RECEIPT_SZ - 1 bytes */
    } else if (rc == TD_E_NOT_FOUND) {
        m->gap_hi[0] = '\0';   /* none after ref */
        rc = TD_OK;
    }
    db_done(st);
    if (rc == TD_OK && !*known) snprintf(m->gap_lo, sizeof m->gap_lo, "%s", ref);
    else m->gap_lo[0] = '\0';
    return rc;
}

/* Claims the receipt of the current line: gives it the next id, to be
 * written with the receipts before it (flush_receipts), or finds that it was
 * already in the database (then its lines are skipped). The ids are handed
 * out from the largest id in the table: imports take turns (the write lock on
 * SQLite, import__purchase_begin's lock on PostgreSQL) and no other writer
 * adds receipts while one runs, so they are free, and higher than every
 * receipt already there. */
static int claim_receipt(struct imp *m, struct import__receipt_info *r)
{
    int known = 0;
    int rc = receipt_known(m, m->v[P_RECEIPT], &known);
    if (rc != TD_OK) return rc;
    if (known) {
        r->known = 1;
        m->rep->receipts_skipped++;
        return TD_OK;
    }
    r->db_id = m->next_receipt++;
    if (!m->first_receipt) m->first_receipt = r->db_id;
    m->last_receipt = r->db_id;
    m->rep->receipts_added++;
    if ((rc = vec_grow(&m->ev_receipts, &m->cap_receipts, m->nreceipts, sizeof *m->ev_receipts, 1024)) != TD_OK) return rc;
    const char *ref = arena_strdup(&m->texts, m->v[P_RECEIPT]);
    if (!ref) return TD_E_NOMEM;
    r->idx = (int32_t)m->nreceipts;
    m->ev_receipts[m->nreceipts++] = (struct event_receipt){
        .id = r->db_id, .store_id = r->store_id, .customer_id = r->customer_id, .at = r->at, .ref = ref};
    return TD_OK;
}

#define RECEIPT_ROW "(?, ?, ?, ?, ?)"
#define RECEIPT_INSERT "INSERT INTO receipts (id, receipt_ref, store_id, customer_id, purchased_at) VALUES "

static int bind_receipt(struct db_stmt *st, int k, size_t i, void *arg)
{
    const struct imp *m = arg;
    const struct event_receipt *r = &m->ev_receipts[m->receipts_written + i];
    int rc = db_bind_int64(st, k, r->id);
    if (rc == TD_OK) rc = db_bind_text_static(st, k + 1, r->ref);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 2, r->store_id);
    if (rc == TD_OK) rc = r->customer_id ? db_bind_int64(st, k + 3, r->customer_id) : db_bind_null(st, k + 3);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 4, r->at);
    return rc;
}

/* Writes the receipts claimed and not yet written, 32 a statement. */
static int flush_receipts(struct imp *m)
{
    int rc = db_write_rows(m->c->db, RECEIPT_INSERT RECEIPT_ROW, RECEIPT_INSERT DB_ROWS256(RECEIPT_ROW), LINE_BATCH, 5,
                           m->nreceipts - m->receipts_written, bind_receipt, m);
    m->receipts_written = m->nreceipts;
    return rc;
}

/* Purchase lines are written LINE_BATCH at a time, in one multi-row INSERT:
 * a statement's fixed cost is then paid once per batch, not once per line. */
#define LINE_ROW "(?, ?, ?, ?, ?, ?, ?)"
#define LINE_INSERT "INSERT INTO purchase_lines (receipt_id, line_no, customer_id, product_id, unit_price_cents, quantity, size) VALUES "
static const char sql_line_1[] = LINE_INSERT LINE_ROW;
static const char sql_line_batch[] = LINE_INSERT DB_ROWS256(LINE_ROW);
_Static_assert(LINE_BATCH == 256, "sql_line_batch has LINE_BATCH rows");
_Static_assert(sizeof ((struct event_line *)0)->size >= CL_SIZE_SZ, "an event_line holds a size");

/* Binds line i of m->ev_lines from parameter k on. */
static int bind_line(struct db_stmt *st, int k, size_t i, void *arg)
{
    const struct imp *m = arg;
    const struct event_line *l = &m->ev_lines[m->nwritten + i];
    const struct event_receipt *r = &m->ev_receipts[l->receipt];
    int rc = db_bind_int64(st, k, r->id);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 1, l->line_no);
    if (rc == TD_OK) rc = r->customer_id ? db_bind_int64(st, k + 2, r->customer_id) : db_bind_null(st, k + 2);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 3, m->ev_products[l->product].id);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 4, l->cents);
    if (rc == TD_OK) rc = db_bind_int64(st, k + 5, l->quantity);
    if (rc == TD_OK) rc = l->size[0] ? db_bind_text_static(st, k + 6, l->size) : db_bind_null(st, k + 6);
    return rc;
}

/* Writes the lines not yet written, after the receipts they belong to
 * (their foreign key is checked row by row). */
static int flush_lines(struct imp *m)
{
    int rc = flush_receipts(m);
    if (rc == TD_OK)
        rc = db_write_rows(m->c->db, sql_line_1, sql_line_batch, LINE_BATCH, 7, m->nlines - m->nwritten, bind_line, m);
    m->nwritten = m->nlines;
    return rc;
}

/* PostgreSQL: the receipts and lines, kept in memory during the pass, go in
 * two COPYs at the end (the connection cannot serve the pass's queries
 * while a COPY runs). */
static int copy_all(struct imp *m)
{
    static const char *const rcols[] = {"id", "receipt_ref", "store_id", "customer_id", "purchased_at"};
    static const char *const lcols[] = {"receipt_id", "line_no", "customer_id", "product_id", "unit_price_cents",
                                        "quantity", "size"};
    char v[6][24];
    const char *vals[7];
    struct db_loader *l = NULL;
    int rc = db_loader_begin(m->c->db, "receipts", rcols, 5, &l);
    for (size_t i = m->receipts_written; rc == TD_OK && i < m->nreceipts; i++) {
        const struct event_receipt *r = &m->ev_receipts[i];
        snprintf(v[0], sizeof v[0], "%lld", (long long)r->id);
        snprintf(v[1], sizeof v[1], "%lld", (long long)r->store_id);
        snprintf(v[2], sizeof v[2], "%lld", (long long)r->customer_id);
        snprintf(v[3], sizeof v[3], "%lld", (long long)r->at);
        vals[0] = v[0], vals[1] = r->ref, vals[2] = v[1], vals[3] = r->customer_id ? v[2] : NULL, vals[4] = v[3];
        rc = db_loader_row(l, vals);
    }
    if (l) {
        int end = db_loader_end(l);
        if (rc == TD_OK) rc = end;
    }
    m->receipts_written = m->nreceipts;
    l = NULL;
    if (rc == TD_OK) rc = db_loader_begin(m->c->db, "purchase_lines", lcols, 7, &l);
    for (size_t i = m->nwritten; rc == TD_OK && i < m->nlines; i++) {
        const struct event_line *ln = &m->ev_lines[i];
        const struct event_receipt *r = &m->ev_receipts[ln->receipt];
        snprintf(v[0], sizeof v[0], "%lld", (long long)r->id);
        snprintf(v[1], sizeof v[1], "%d", (int)ln->line_no);
        snprintf(v[2], sizeof v[2], "%lld", (long long)r->customer_id);
        snprintf(v[3], sizeof v[3], "%lld", (long long)m->ev_products[ln->product].id);
        snprintf(v[4], sizeof v[4], "%lld", (long long)ln->cents);
        snprintf(v[5], sizeof v[5], "%d", (int)ln->quantity);
        vals[0] = v[0], vals[1] = v[1], vals[2] = r->customer_id ? v[2] : NULL, vals[3] = v[3], vals[4] = v[4];
        vals[5] = v[5], vals[6] = ln->size[0] ? ln->size : NULL;
        rc = db_loader_row(l, vals);
    }
    if (l) {
        int end = db_loader_end(l);
        if (rc == TD_OK) rc = end;
    }
    m->nwritten = m->nlines;
    return rc;
}

/* Writes what fills a whole statement: LINE_BATCH receipts once so many
 * wait, and the next LINE_BATCH lines once their receipts are written
 * (PostgreSQL: nothing until the end, copy_all). */
static int flush_full(struct imp *m)
{
    int rc = TD_OK;
    if (db_backend(m->c->db) == DB_POSTGRES) return TD_OK;
    if (m->nreceipts - m->receipts_written >= LINE_BATCH)
        rc = db_write_rows(m->c->db, RECEIPT_INSERT RECEIPT_ROW, RECEIPT_INSERT DB_ROWS256(RECEIPT_ROW), LINE_BATCH, 5,
                           LINE_BATCH, bind_receipt, m);
    if (rc != TD_OK) return rc;
    if (m->nreceipts - m->receipts_written >= LINE_BATCH) m->receipts_written += LINE_BATCH;
    if (m->nlines - m->nwritten < LINE_BATCH) return TD_OK;
    for (size_t i = m->nwritten; i < m->nwritten + LINE_BATCH; i++)
        if ((size_t)m->ev_lines[i].receipt >= m->receipts_written) return TD_OK;   /* the next batch of receipts first */
    rc = db_write_rows(m->c->db, sql_line_1, sql_line_batch, LINE_BATCH, 7, LINE_BATCH, bind_line, m);
    m->nwritten += LINE_BATCH;
    return rc;
}

static int add_line(struct imp *m, struct import__receipt_info *r, int64_t product, int64_t cents, int64_t qty)
{
    int rc = vec_grow(&m->ev_lines, &m->cap_lines, m->nlines, sizeof *m->ev_lines, 1024);
    if (rc != TD_OK) return rc;
    struct event_line *l = &m->ev_lines[m->nlines++];
    l->receipt = r->idx;
    l->product = (int32_t)product;
    l->line_no = (int32_t)++r->nlines;
    l->cents = cents;
    l->quantity = (int32_t)qty;
    memcpy(l->size, m->v[P_SIZE], m->vlen[P_SIZE] + 1);   /* at most CL_SIZE_SZ - 1: the column's limit */
    return flush_full(m);
}

/* The receipt a line belongs to, from its receipt_id, purchased_at,
 * store_code and customer_ref (together: the line's head), in *out; NULL when
 * the head has a problem. The lines of a receipt usually follow each other
 * with equal heads, so a head equal to the previous line's takes the previous
 * answer without parsing or lookups. */
static int line_receipt(struct imp *m, struct import__receipt_info **out)
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
        if (!at_ok && (rc = IMPORT__COL_PROBLEM(m, P_AT, "is not a date and time like 2026-11-22 14:05 or 2026-11-22T13:05:00Z"))
                          != TD_OK)
            return rc;
    }
    if (*m->v[P_STORE]) {
        if ((rc = import__lookup_store(m, P_STORE, &store_id)) != TD_OK) return rc;
        store_ok = store_id > 0;
        if (!store_ok && (rc = IMPORT__COL_PROBLEM(m, P_STORE, "no store has this code")) != TD_OK) return rc;
    }
    if (*m->v[P_CUSTOMER]) {
        if ((rc = import__lookup_customer(m, P_CUSTOMER, &customer_id)) != TD_OK) return rc;
        customer_ok = customer_id > 0;
        if (!customer_ok && (rc = IMPORT__COL_PROBLEM(m, P_CUSTOMER, "no customer has this loyalty number")) != TD_OK) return rc;
    }
    if (!*m->v[P_RECEIPT]) return TD_OK;
    /* The same time, store and customer on every line of a receipt; the
     * receipt is remembered from the first line where all three are right. */
    struct import__receipt_info *r = strmap_get(m->receipts, m->v[P_RECEIPT], m->vlen[P_RECEIPT]);
    if (r) {
        static const char same[] = "differs from line %lld of the same receipt";
        long long first = (long long)r->first_line;
        if (at_ok && r->at != at && (rc = IMPORT__COL_PROBLEM(m, P_AT, same, first)) != TD_OK) return rc;
        if (store_ok && r->store_id != store_id && (rc = IMPORT__COL_PROBLEM(m, P_STORE, same, first)) != TD_OK) return rc;
        if (customer_ok && r->customer_id != customer_id && (rc = IMPORT__COL_PROBLEM(m, P_CUSTOMER, same, first)) != TD_OK)
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

int import__purchase_line(struct imp *m)
{
    int64_t cents = 0, qty = 0;
    struct import__receipt_info *r;
    int rc = line_receipt(m, &r);
    if (rc != TD_OK) return rc;
    if ((rc = import__price(m, P_PRICE, &cents)) != TD_OK) return rc;
    if (*m->v[P_SIZE] && !cl_size_valid(m->v[P_SIZE]) &&
        (rc = IMPORT__COL_PROBLEM(m, P_SIZE, "must be 1 to 8 of A-Z, a-z, 0-9, '.', '/', '-', '+'")) != TD_OK)
        return rc;
    if (*m->v[P_QTY]) {
        if (text_parse_int64(m->v[P_QTY], &qty) != TD_OK) rc = IMPORT__COL_PROBLEM(m, P_QTY, "is not a whole number");
        else if (qty < 1) rc = IMPORT__COL_PROBLEM(m, P_QTY, "must be at least 1");
        else if (qty > QUANTITY_MAX) rc = IMPORT__COL_PROBLEM(m, P_QTY, "must be at most %d", QUANTITY_MAX);
        if (rc != TD_OK) return rc;
    }
    if (!m->ok || !r) return TD_OK;
    if (r->known) {
        m->rep->skipped++;
        return TD_OK;
    }
    if (!r->db_id) return TD_E_INTERNAL;   /* claimed when first seen, while ok */
    int64_t product = 0;
    if ((rc = upsert_product(m, &product)) != TD_OK) return rc;
    if ((rc = add_line(m, r, product, cents, qty)) != TD_OK) return rc;
    m->rep->added++;
    return TD_OK;
}

/* ---- PostgreSQL: the lookups of the pass, in batches before it ---------- */

/* On PostgreSQL every query is a round trip to the server, and the pass
 * would make one per receipt id (is it there?) and one per loyalty number.
 * Before the pass, one quick read of the file collects them, and they are
 * looked up PREFETCH_PER to a query: the receipt ids into m->known, the
 * loyalty numbers into the driver's map of customers (as its lookups would
 * have filled it). What this read does not find (a line the pass will
 * refuse, a field the pass reads otherwise) the pass looks up itself. */
#define PREFETCH_PER 256

struct prefetch {
    struct imp *m;
    long ref_col, customer_col;      /* positions in the file; -1: absent */
    size_t nfields;
    char (*refs)[RECEIPT_SZ];        /* PREFETCH_PER receipt ids waiting to be looked up */
    char (*customers)[LOYALTY_SZ];
    size_t nrefs, ncustomers;
};

/* The field's text without spaces and tabs around it, when it fits in n
 * bytes and is printable ASCII; NULL otherwise. */
static const char *prefetch_field(const struct csv_field *f, char *out, size_t n)
{
    size_t a = 0, b = f->len;
    while (a < b && (f->data[a] == ' ' || f->data[a] == '\t')) a++;
    while (b > a && (f->data[b - 1] == ' ' || f->data[b - 1] == '\t')) b--;
    if (f->too_long || b == a || b - a >= n) return NULL;
    for (size_t i = a; i < b; i++)
        if ((unsigned char)f->data[i] < 0x20 || (unsigned char)f->data[i] > 0x7e) return NULL;
    memcpy(out, f->data + a, b - a);
    out[b - a] = '\0';
    return out;
}

#define PREFETCH_REFS "SELECT receipt_ref FROM receipts WHERE receipt_ref IN (" DB_ROWS256("?") ")"
/* The customers found stay locked (FOR KEY SHARE, as each line's foreign key
 * would lock them when written) to the end of the import: an erasure of one of
 * them (FOR UPDATE) waits until the import's receipts are there to unlink, or
 * goes first and its customer is no longer found. The lock comes with the
 * lookup; without it an erasure could end between lookup and line. */
#define PREFETCH_CUSTOMERS "SELECT loyalty_number, id FROM customers WHERE loyalty_number IN (" DB_ROWS256("?") ") FOR KEY SHARE"
_Static_assert(PREFETCH_PER == 256, "the prefetch statements have PREFETCH_PER places");

/* Looks up the n keys of `keys` (each `size` bytes) in one statement: the
 * places beyond n repeat the last key. */
static int prefetch_query(struct imp *m, const char *sql, const char *keys, size_t size, size_t n, int customers)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(m->c->db, sql, &st);
    for (size_t i = 0; rc == TD_OK && i < PREFETCH_PER; i++)
        rc = db_bind_text_static(st, (int)i + 1, keys + (i < n ? i : n - 1) * size);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        const char *key = db_col_text(st, 0);
        void *slot;
        int added;
        if ((rc = strmap_put(customers ? m->customers : m->known, key, strlen(key), &slot, &added)) != TD_OK) break;
        if (customers) *(int64_t *)slot = db_col_int64(st, 1) > 0 ? db_col_int64(st, 1) : -1;
        else *(int *)slot = 1;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    return rc;
}

static int prefetch_flush(struct prefetch *p)
{
    int rc = TD_OK;
    if (p->nrefs) rc = prefetch_query(p->m, PREFETCH_REFS, p->refs[0], RECEIPT_SZ, p->nrefs, 0);
    if (rc == TD_OK && p->ncustomers)
        rc = prefetch_query(p->m, PREFETCH_CUSTOMERS, p->customers[0], LOYALTY_SZ, p->ncustomers, 1);
    p->nrefs = p->ncustomers = 0;
    return rc;
}

/* Adds the text of field f to the keys waiting (once per file): a receipt
 * id not yet known (0), a loyalty number as absent (-1) until found. */
static int prefetch_add(struct prefetch *p, const struct csv_field *f, int customers)
{
    char key[RECEIPT_SZ > LOYALTY_SZ ? RECEIPT_SZ : LOYALTY_SZ];
    const char *k = prefetch_field(f, key, customers ? LOYALTY_SZ : RECEIPT_SZ);
    if (!k || (customers && !customer_loyalty_valid(k))) return TD_OK;
    void *slot;
    int added;
    int rc = strmap_put(customers ? p->m->customers : p->m->known, k, strlen(k), &slot, &added);
    if (rc != TD_OK || !added) return rc;
    if (customers) {
        *(int64_t *)slot = -1;
        memcpy(p->customers[p->ncustomers++], k, strlen(k) + 1);
    } else {
        memcpy(p->refs[p->nrefs++], k, strlen(k) + 1);
    }
    return p->nrefs == PREFETCH_PER || p->ncustomers == PREFETCH_PER ? prefetch_flush(p) : TD_OK;
}

static int prefetch_record(void *arg, struct csv_record *rec)
{
    struct prefetch *p = arg;
    if (rec->index == 0) {
        p->nfields = rec->n_total;
        for (size_t i = 0; i < rec->n; i++) {
            char name[32];
            const char *k = prefetch_field(&rec->field[i], name, sizeof name);
            if (k && strcasecmp(k, import__purchase_cols[P_RECEIPT].name) == 0) p->ref_col = (long)i;
            if (k && strcasecmp(k, import__purchase_cols[P_CUSTOMER].name) == 0) p->customer_col = (long)i;
        }
        return p->ref_col >= 0 ? TD_OK : TD_DONE;   /* without receipt ids the pass says what is wrong */
    }
    if (rec->error || rec->n_total != p->nfields) return TD_OK;
    int rc = prefetch_add(p, &rec->field[p->ref_col], 0);
    if (rc == TD_OK && p->customer_col >= 0) rc = prefetch_add(p, &rec->field[p->customer_col], 1);
    return rc;
}

static int prefetch(struct imp *m)
{
    struct prefetch p = {.m = m, .ref_col = -1, .customer_col = -1};
    struct csv *csv = NULL;
    int rc = strmap_new(sizeof(int), IMPORT__MAP_MEM, &m->known);
    if (rc == TD_OK) rc = csv_new(0, IMPORT__FIELD_MAX, IMPORT__FIELDS_MAX, &csv);
    p.refs = rc == TD_OK ? malloc(PREFETCH_PER * sizeof *p.refs) : NULL;
    p.customers = p.refs ? malloc(PREFETCH_PER * sizeof *p.customers) : NULL;
    if (rc == TD_OK && !p.customers) rc = TD_E_NOMEM;
    if (rc == TD_OK) rc = csv_feed(csv, m->data, m->len, prefetch_record, &p);
    if (rc == TD_OK) rc = csv_finish(csv, prefetch_record, &p);
    if (rc == TD_DONE) rc = TD_OK;
    if (rc == TD_OK) rc = prefetch_flush(&p);
    csv_free(csv);
    free(p.refs);
    free(p.customers);
    return rc;
}

/* Makes the maps of receipts and products. Purchase imports take turns on
 * PostgreSQL, so the receipt ids one adds form a range no other import's
 * receipts fall into (the customer aggregates are added up over that range at
 * the end). SQLite has one writer anyway. */
int import__purchase_begin(struct imp *m)
{
    int rc = TD_OK;
    if (db_backend(m->c->db) == DB_POSTGRES && (rc = db_exec(m->c->db, "SELECT pg_advisory_xact_lock(7306001)")) != TD_OK)
        return rc;
    arena_init(&m->texts, IMPORT__MAP_MEM);
    if ((rc = db_query_int64(m->c->db, "SELECT COALESCE(MAX(id), 0) + 1 FROM receipts", &m->next_receipt)) != TD_OK)
        return rc;
    if (db_backend(m->c->db) == DB_POSTGRES && (rc = prefetch(m)) != TD_OK) return rc;
    if ((rc = strmap_new(sizeof(struct product_info), IMPORT__MAP_MEM, &m->products)) != TD_OK) return rc;
    return strmap_new(sizeof(struct import__receipt_info), IMPORT__MAP_MEM, &m->receipts);
}

/* Writes the lines still waiting and tells what came in (events.h): the
 * subscribers count their aggregates from the receipts, lines and products
 * handed over, in memory. */
int import__purchase_finish(struct imp *m)
{
    int rc = db_backend(m->c->db) == DB_POSTGRES ? copy_all(m) : flush_lines(m);
    if (rc == TD_OK && m->nreceipts) rc = db_sync_ids(m->c->db, "receipts");   /* PostgreSQL's identity follows */
    if (rc != TD_OK) return rc;
    struct event_purchases p = {m->ev_receipts, m->ev_products, m->ev_lines, m->nreceipts, m->nproducts, m->nlines};
    struct event ev = {.kind = EVENT_PURCHASES_IMPORTED, .first_receipt = m->first_receipt, .last_receipt = m->last_receipt,
                       .purchases = &p};
    return events_emit(m->c, &ev);
}
