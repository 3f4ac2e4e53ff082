/* import_catalogue.c — the catalogue kind of import (imports.def): the
 * buying system's styles, one line per sku (its size), each style's fields
 * repeated on its lines, and the collection a style belongs to. A style
 * becomes a row through cl_style_put() (clienteling_catalog.h); a line
 * that changes nothing writes nothing, so importing the same file again
 * changes nothing.
 *
 * Invariants (beyond import.c's):
 *  (1) the lines of one style agree on its name, brand, category, colour and
 *      price; a line that differs is a problem naming the column and the
 *      style's first line;
 *  (2) a sku appears on one line of a file;
 *  (3) a collection named on a line exists afterwards (named after its code
 *      when new) and holds the style; no style is taken out of one.
 */
#include "domain/import_parts.h"
#include "core/errors.h"
#include "core/strmap.h"
#include "db/db.h"
#include "domain/clienteling_catalog.h"
#include <string.h>

enum { K_STYLE, K_NAME, K_BRAND, K_CATEGORY, K_COLOUR, K_PRICE, K_SKU, K_SIZE, K_COLLECTION, K_NCOLS };
const struct import__column import__catalogue_cols[K_NCOLS + 1] = {
    [K_STYLE] = {"style_code", COL_REQUIRED | COL_ASCII, CL_STYLE_CODE_SZ - 1},
    [K_NAME] = {"style_name", COL_REQUIRED | COL_TEXT, NAME_MAX_CHARS},
    [K_BRAND] = {"brand", COL_REQUIRED | COL_TEXT, 100},
    [K_CATEGORY] = {"category", COL_REQUIRED | COL_TEXT, 47},
    [K_COLOUR] = {"colour", COL_TEXT, 40},
    [K_PRICE] = {"price", COL_REQUIRED | COL_ASCII, 32},
    [K_SKU] = {"sku", COL_REQUIRED | COL_ASCII, SKU_SZ - 1},
    [K_SIZE] = {"size", COL_REQUIRED | COL_ASCII, CL_SIZE_SZ - 1},
    [K_COLLECTION] = {"collection", COL_ASCII, CL_STYLE_CODE_SZ - 1},
    [K_NCOLS] = {NULL, 0, 0},
};
_Static_assert(K_NCOLS <= IMPORT__NCOLS_MAX, "IMPORT__NCOLS_MAX holds the catalogue columns");

const struct import__count import__catalogue_counts[] = {
    IMPORT__COUNT(styles_added, "styles", "added"), IMPORT__COUNT(styles_updated, "styles", "updated"),
    IMPORT__COUNT(collections_added, "collections", "added"), IMPORT__COUNTS_END,
};

/* The style's fields, the columns they are in. */
static const int FIELDS[] = {K_NAME, K_BRAND, K_CATEGORY, K_COLOUR, K_PRICE};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

struct style_info {
    int64_t first_line;
    uint64_t field[NFIELDS];         /* hashes of the first line's fields */
    int counted;                     /* in styles_added or styles_updated */
};

static uint64_t hash_text(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ull;
    }
    return h;
}

int import__catalogue_begin(struct imp *m)
{
    int rc = strmap_new(sizeof(struct style_info), IMPORT__MAP_MEM, &m->seen);
    if (rc == TD_OK) rc = strmap_new(sizeof(int64_t), IMPORT__MAP_MEM, &m->products);
    return rc;
}

/* The first line of the style sets its fields; later ones must agree. */
static int style_agrees(struct imp *m, struct style_info **out)
{
    void *slot;
    int added, rc;
    *out = NULL;
    if ((rc = strmap_put(m->seen, m->v[K_STYLE], m->vlen[K_STYLE], &slot, &added)) != TD_OK) return rc;
    struct style_info *s = slot;
    if (added) {
        s->first_line = m->vline[K_STYLE];
        for (size_t i = 0; i < NFIELDS; i++) s->field[i] = hash_text(m->v[FIELDS[i]], m->vlen[FIELDS[i]]);
        *out = s;
        return TD_OK;
    }
    int same = 1;
    for (size_t i = 0; i < NFIELDS && rc == TD_OK; i++)
        if (s->field[i] != hash_text(m->v[FIELDS[i]], m->vlen[FIELDS[i]])) {
            same = 0;
            rc = IMPORT__COL_PROBLEM(m, FIELDS[i], "differs from line %lld of the same style", (long long)s->first_line);
        }
    if (same) *out = s;
    return rc;
}

/* 1 when the style is in the database with exactly these fields and the sku
 * is its variant of this size: the line changes nothing. *known: the style
 * exists. */
static int unchanged(struct imp *m, int64_t cents, int *known, int *same)
{
    struct db_stmt *st = NULL;
    *known = *same = 0;
    int rc = db_get_row(m->c->db,
                        "SELECT s.name = ? AND s.brand = ? AND s.category = ? AND s.colour = ? AND s.price_cents = ?"
                        " AND EXISTS (SELECT 1 FROM products p WHERE p.style_id = s.id AND p.sku = ? AND p.size = ?)"
                        " FROM styles s WHERE s.code = ?",
                        &st, "ttttittt", m->v[K_NAME], m->v[K_BRAND], m->v[K_CATEGORY], m->v[K_COLOUR], cents,
                        m->v[K_SKU], m->v[K_SIZE], m->v[K_STYLE]);
    if (rc == TD_E_NOT_FOUND) return TD_OK;
    if (rc != TD_OK) return rc;
    *known = 1;
    *same = db_col_int64(st, 0) != 0;
    db_done(st);
    return TD_OK;
}

/* Maps what cl_style_put() refused to the columns of the line. */
static int put_problems(struct imp *m, const struct errors *err)
{
    static const struct { const char *field; int col; } map[] = {
        {"code", K_STYLE}, {"name", K_NAME}, {"brand", K_BRAND}, {"category", K_CATEGORY}, {"colour", K_COLOUR},
        {"price_cents", K_PRICE}, {"variants[0].sku", K_SKU}, {"variants[0].size", K_SIZE},
    };
    int rc = TD_OK;
    for (size_t i = 0; i < err->n && rc == TD_OK; i++) {
        int col = -1;
        for (size_t j = 0; j < sizeof map / sizeof map[0]; j++)
            if (strcmp(err->item[i].field, map[j].field) == 0) col = map[j].col;
        rc = col >= 0 ? IMPORT__COL_PROBLEM(m, col, "%s", err->item[i].problem)
                      : import__problem(m, m->line, 0, NULL, "%s %s", err->item[i].field, err->item[i].problem);
    }
    if (rc == TD_OK && err->n == 0) rc = import__problem(m, m->line, 0, NULL, "was refused");
    return rc;
}

/* Puts the line's style (with its one sku) unless it changes nothing. */
static int put_style(struct imp *m, struct style_info *s, int64_t cents)
{
    int known, same;
    int rc = unchanged(m, cents, &known, &same);
    if (rc != TD_OK) return rc;
    if (same) {
        m->rep->skipped++;
        return TD_OK;
    }
    struct cl_variant_in v = {m->v[K_SKU], m->v[K_SIZE]};
    struct cl_style_in in = {.code = m->v[K_STYLE], .name = m->v[K_NAME], .brand = m->v[K_BRAND],
                             .category = m->v[K_CATEGORY], .colour = m->v[K_COLOUR], .price_cents = cents,
                             .n_variants = 1, .variants = &v};
    struct errors err;
    errors_init(&err);
    int64_t id;
    rc = cl_style_put(m->c, &in, &err, &id);
    if (rc == TD_E_INVALID) return put_problems(m, &err);
    if (rc != TD_OK) return rc;
    if (!s->counted) {
        if (known) m->rep->styles_updated++;
        else m->rep->styles_added++;
        s->counted = 1;
    }
    m->rep->added++;
    return TD_OK;
}

/* Adds the line's style to its collection, making the collection first. */
static int put_collection(struct imp *m)
{
    const char *code = m->v[K_COLLECTION];
    int64_t made = 0;
    int rc = db_run(m->c->db, "INSERT INTO collections (code, name, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                    &made, "tti", code, code, m->c->now_us);
    if (rc == TD_OK) m->rep->collections_added += made;
    if (rc == TD_OK)
        rc = db_run(m->c->db,
                    "INSERT INTO collection_styles (collection_id, style_id) SELECT c.id, s.id FROM collections c,"
                    " styles s WHERE c.code = ? AND s.code = ? ON CONFLICT DO NOTHING",
                    NULL, "tt", code, m->v[K_STYLE]);
    return rc;
}

int import__catalogue_line(struct imp *m)
{
    int rc = TD_OK;
    int64_t cents = 0;
    struct style_info *s = NULL;
    if (*m->v[K_STYLE] && !cl_code_valid(m->v[K_STYLE])) {
        if ((rc = IMPORT__COL_PROBLEM(m, K_STYLE, "must be 1 to 32 of A-Z, 0-9, '-', '_', '.'")) != TD_OK) return rc;
    } else if (*m->v[K_STYLE] && (rc = style_agrees(m, &s)) != TD_OK) {
        return rc;
    }
    if ((rc = import__price(m, K_PRICE, &cents)) != TD_OK) return rc;
    if (*m->v[K_SIZE] && !cl_size_valid(m->v[K_SIZE]) &&
        (rc = IMPORT__COL_PROBLEM(m, K_SIZE, "must be 1 to 8 of A-Z, a-z, 0-9, '.', '/', '-', '+'")) != TD_OK)
        return rc;
    if (*m->v[K_COLLECTION] && !cl_code_valid(m->v[K_COLLECTION]) &&
        (rc = IMPORT__COL_PROBLEM(m, K_COLLECTION, "must be 1 to 32 of A-Z, 0-9, '-', '_', '.'")) != TD_OK)
        return rc;
    if (*m->v[K_SKU]) {
        void *slot;
        int added;
        if ((rc = strmap_put(m->products, m->v[K_SKU], m->vlen[K_SKU], &slot, &added)) != TD_OK) return rc;
        int64_t *first = slot;
        if (!added) return IMPORT__COL_PROBLEM(m, K_SKU, "appears again; first on line %lld", (long long)*first);
        *first = m->vline[K_SKU];
    }
    if (!m->ok || !s) return TD_OK;
    if ((rc = put_style(m, s, cents)) != TD_OK || !m->ok) return rc;
    return *m->v[K_COLLECTION] ? put_collection(m) : TD_OK;
}
