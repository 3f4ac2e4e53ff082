/* clienteling_catalog.c — styles, variants, stock and collections (see
 * clienteling_catalog.h). */
#include "domain/clienteling_catalog.h"

#include <stdio.h>
#include <string.h>
#include "core/errors.h"
#include "core/status.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/purchase.h"

#define STOCK_MAX 1000000
#define NAME_MAX_LEN 200

static int code_char(char ch)
{
    return (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '_' || ch == '.';
}

int cl_code_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n >= CL_STYLE_CODE_SZ)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!code_char(s[i]))
            return 0;
    return 1;
}

int cl_size_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n >= CL_SIZE_SZ)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '.' ||
              ch == '/' || ch == '-' || ch == '+'))
            return 0;
    }
    return 1;
}

static int sku_valid(const char *s)
{
    size_t n = s ? strlen(s) : 0;
    if (n < 1 || n >= SKU_SZ)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

static void check_style(const struct cl_style_in *in, struct errors *err)
{
    if (!cl_code_valid(in->code))
        errors_add(err, "code", "must be 1 to 32 of A-Z, 0-9, '-', '_', '.'");
    errors_check_text(err, "name", in->name, NAME_MAX_LEN, 1);
    errors_check_text(err, "brand", in->brand, 100, 1);
    errors_check_text(err, "category", in->category, 47, 1);
    errors_check_text(err, "colour", in->colour, 40, 0);
    if (in->price_cents < 0 || in->price_cents > INT64_C(100000000))
        errors_add(err, "price_cents", "must be 0 to 100000000");
    if (in->n_variants < 1 || in->n_variants > CL_VARIANTS_MAX)
        errors_add(err, "variants", "must hold 1 to %d sizes", CL_VARIANTS_MAX);
    for (size_t i = 0; i < in->n_variants && i < CL_VARIANTS_MAX; i++) {
        char field[48];
        const struct cl_variant_in *v = &in->variants[i];
        if (!sku_valid(v->sku)) {
            snprintf(field, sizeof field, "variants[%zu].sku", i);
            errors_add(err, field, "must be 1 to 64 printable characters without spaces");
        }
        if (!cl_size_valid(v->size)) {
            snprintf(field, sizeof field, "variants[%zu].size", i);
            errors_add(err, field, "must be 1 to 8 of A-Z, a-z, 0-9, '.', '/', '-', '+'");
        }
        for (size_t j = 0; j < i; j++) {
            if (v->sku && in->variants[j].sku && strcmp(v->sku, in->variants[j].sku) == 0) {
                snprintf(field, sizeof field, "variants[%zu].sku", i);
                errors_add(err, field, "appears twice");
            }
            if (v->size && in->variants[j].size && strcmp(v->size, in->variants[j].size) == 0) {
                snprintf(field, sizeof field, "variants[%zu].size", i);
                errors_add(err, field, "appears twice");
            }
        }
    }
}

static const char SQL_STYLE_UPSERT[] =
    "INSERT INTO styles (code, name, brand, category, colour, price_cents, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (code) DO UPDATE SET name = excluded.name,"
    " brand = excluded.brand, category = excluded.category, colour = excluded.colour,"
    " price_cents = excluded.price_cents, updated_at = excluded.updated_at RETURNING id";
static const char SQL_SKU_OWNER[] = "SELECT id, COALESCE(style_id, 0) FROM products WHERE sku = ?";
static const char SQL_SIZE_TAKEN[] = "SELECT sku FROM products WHERE style_id = ? AND size = ? AND sku <> ?";
static const char SQL_VARIANT_INSERT[] =
    "INSERT INTO products (sku, name, brand, category, style_id, size) VALUES (?, ?, ?, ?, ?, ?)";
static const char SQL_VARIANT_UPDATE[] =
    "UPDATE products SET name = ?, brand = ?, category = ?, style_id = ?, size = ? WHERE id = ?";

/* Variants are checked against the database before anything is written,
 * so that a refusal changes nothing even outside a transaction's rollback. */
static int check_variants(struct dctx *c, const struct cl_style_in *in, struct errors *err)
{
    int64_t style_id = 0;
    int rc = db_get_int64(c->db, "SELECT id FROM styles WHERE code = ?", &style_id, "t", in->code);
    if (rc == TD_E_NOT_FOUND)
        rc = TD_OK, style_id = 0;
    for (size_t i = 0; rc == TD_OK && i < in->n_variants; i++) {
        const struct cl_variant_in *v = &in->variants[i];
        struct db_stmt *st = NULL;
        char field[48];
        rc = db_get_row(c->db, SQL_SKU_OWNER, &st, "t", v->sku);
        if (rc == TD_OK) {
            int64_t owner = db_col_int64(st, 1);
            db_done(st);
            if (owner != 0 && owner != style_id) {
                snprintf(field, sizeof field, "variants[%zu].sku", i);
                errors_add(err, field, "belongs to another style");
            }
        } else if (rc == TD_E_NOT_FOUND) {
            rc = TD_OK;
        }
        if (rc == TD_OK && style_id) {
            rc = db_get_row(c->db, SQL_SIZE_TAKEN, &st, "itt", style_id, v->size, v->sku);
            if (rc == TD_OK) {
                db_done(st);
                snprintf(field, sizeof field, "variants[%zu].size", i);
                errors_add(err, field, "this style has that size under another sku");
            } else if (rc == TD_E_NOT_FOUND) {
                rc = TD_OK;
            }
        }
    }
    return rc;
}

int cl_style_put(struct dctx *c, const struct cl_style_in *in, struct errors *err, int64_t *id)
{
    *id = 0;
    check_style(in, err);
    if (err->n)
        return TD_E_INVALID;
    int rc = check_variants(c, in, err);
    if (rc != TD_OK)
        return rc;
    if (err->n)
        return TD_E_INVALID;
    rc = db_get_int64(c->db, SQL_STYLE_UPSERT, id, "tttttiii", in->code, in->name, in->brand, in->category,
                      in->colour ? in->colour : "", in->price_cents, c->now_us, c->now_us);
    /* The buying system names a size's product after its style. */
    for (size_t i = 0; rc == TD_OK && i < in->n_variants; i++) {
        const struct cl_variant_in *v = &in->variants[i];
        struct db_stmt *st = NULL;
        rc = db_get_row(c->db, SQL_SKU_OWNER, &st, "t", v->sku);
        if (rc == TD_OK) {
            int64_t product_id = db_col_int64(st, 0);
            db_done(st);
            rc = db_run(c->db, SQL_VARIANT_UPDATE, NULL, "tttiti", in->name, in->brand, in->category, *id, v->size,
                        product_id);
        } else if (rc == TD_E_NOT_FOUND) {
            rc = db_run(c->db, SQL_VARIANT_INSERT, NULL, "ttttit", v->sku, in->name, in->brand, in->category, *id,
                        v->size);
        }
    }
    return rc;
}

int cl_stock_set(struct dctx *c, int64_t store_id, const char *sku, int64_t on_hand, struct errors *err)
{
    if (on_hand < 0 || on_hand > STOCK_MAX)
        errors_add(err, "on_hand", "must be 0 to %d", STOCK_MAX);
    int64_t product_id = 0;
    int rc = sku_valid(sku) ? db_get_int64(c->db, "SELECT id FROM products WHERE sku = ?", &product_id, "t", sku)
                            : TD_E_NOT_FOUND;
    if (rc == TD_E_NOT_FOUND) {
        errors_add(err, "sku", "is not a known sku");
        rc = TD_OK;
    }
    if (rc != TD_OK)
        return rc;
    if (err->n)
        return TD_E_INVALID;
    return db_run(c->db,
                  "INSERT INTO stock (store_id, product_id, on_hand, held, updated_at) VALUES (?, ?, ?, 0, ?)"
                  " ON CONFLICT (store_id, product_id) DO UPDATE SET on_hand = excluded.on_hand,"
                  " updated_at = excluded.updated_at",
                  NULL, "iiii", store_id, product_id, on_hand, c->now_us);
}

int cl_collection_id(struct dctx *c, const char *code, int64_t *id)
{
    *id = 0;
    if (!cl_code_valid(code))
        return TD_E_NOT_FOUND;
    return db_get_int64(c->db, "SELECT id FROM collections WHERE code = ?", id, "t", code);
}

int cl_collection_put(struct dctx *c, const char *code, const char *name, const char *const *styles, size_t n,
                      struct errors *err, int64_t *id)
{
    *id = 0;
    if (!cl_code_valid(code))
        errors_add(err, "code", "must be 1 to 32 of A-Z, 0-9, '-', '_', '.'");
    errors_check_text(err, "name", name, NAME_MAX_LEN, 1);
    if (n < 1 || n > CL_COLLECTION_STYLES_MAX)
        errors_add(err, "styles", "must hold 1 to %d style codes", CL_COLLECTION_STYLES_MAX);
    int rc = TD_OK;
    for (size_t i = 0; rc == TD_OK && i < n && i < CL_COLLECTION_STYLES_MAX; i++) {
        int64_t sid;
        char field[32];
        rc = cl_code_valid(styles[i]) ? db_get_int64(c->db, "SELECT id FROM styles WHERE code = ?", &sid, "t",
                                                     styles[i])
                                      : TD_E_NOT_FOUND;
        if (rc == TD_E_NOT_FOUND) {
            snprintf(field, sizeof field, "styles[%zu]", i);
            errors_add(err, field, "is not a known style");
            rc = TD_OK;
        }
    }
    if (rc != TD_OK)
        return rc;
    if (err->n)
        return TD_E_INVALID;
    rc = db_get_int64(c->db,
                      "INSERT INTO collections (code, name, created_at) VALUES (?, ?, ?)"
                      " ON CONFLICT (code) DO UPDATE SET name = excluded.name RETURNING id",
                      id, "tti", code, name, c->now_us);
    if (rc == TD_OK)
        rc = db_run(c->db, "DELETE FROM collection_styles WHERE collection_id = ?", NULL, "i", *id);
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = db_run(c->db,
                    "INSERT INTO collection_styles (collection_id, style_id)"
                    " SELECT ?, id FROM styles WHERE code = ? ON CONFLICT DO NOTHING",
                    NULL, "it", *id, styles[i]);
    return rc;
}

int cl_collection_plan(struct dctx *c, int64_t collection_id, int64_t store_id, int64_t arrives_at, int hours,
                       struct errors *err)
{
    if (hours == 0)
        hours = CL_FIRST_CHOICE_HOURS_DEFAULT;
    if (hours < 1 || hours > 720)
        errors_add(err, "first_choice_hours", "must be 1 to 720");
    if (arrives_at <= 0)
        errors_add(err, "arrives_at", "is required");
    if (err->n)
        return TD_E_INVALID;
    int64_t arrived = 0;
    int rc = db_get_int64(c->db,
                          "SELECT COALESCE(arrived_at, 0) FROM collection_stores WHERE collection_id = ? AND store_id = ?",
                          &arrived, "ii", collection_id, store_id);
    if (rc == TD_OK && arrived) {
        errors_add(err, "arrives_at", "the collection has arrived in this store already");
        return TD_E_CONFLICT;
    }
    if (rc != TD_OK && rc != TD_E_NOT_FOUND)
        return rc;
    return db_run(c->db,
                  "INSERT INTO collection_stores (collection_id, store_id, arrives_at, first_choice_hours)"
                  " VALUES (?, ?, ?, ?) ON CONFLICT (collection_id, store_id) DO UPDATE SET"
                  " arrives_at = excluded.arrives_at, first_choice_hours = excluded.first_choice_hours",
                  NULL, "iiii", collection_id, store_id, arrives_at, (int64_t)hours);
}

int cl_arrivals_due(struct dctx *c, int (*fn)(void *arg, int64_t collection_id, int64_t store_id), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT collection_id, store_id FROM collection_stores WHERE arrived_at IS NULL"
                      " AND arrives_at <= ? ORDER BY arrives_at, collection_id, store_id LIMIT 100",
                      &st, "i", c->now_us);
    /* fn writes (the arrival's tasks): read the due list first, then call. */
    int64_t due[100][2];
    size_t n = 0;
    while (db_next(st, &rc) && n < 100) {
        due[n][0] = db_col_int64(st, 0);
        due[n][1] = db_col_int64(st, 1);
        n++;
    }
    rc = db_end(st, rc);
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = fn(arg, due[i][0], due[i][1]);
    return rc;
}

/* ---- reads for the API ------------------------------------------------- */

#define STYLE_COLS "SELECT s.id, s.price_cents, s.created_at, s.updated_at, s.code, s.name, s.brand, s.category, s.colour"

static int read_style(struct db_stmt *st, void *out)
{
    struct cl_style *s = out;
    memset(s, 0, sizeof *s);
    return db_readf(st, "iiiiccccc", &s->id, &s->price_cents, &s->created_at, &s->updated_at, s->code, sizeof s->code,
                    s->name, sizeof s->name, s->brand, sizeof s->brand, s->category, sizeof s->category, s->colour,
                    sizeof s->colour);
}

int cl_style_get(struct dctx *c, const char *code, struct cl_style *out)
{
    if (!cl_code_valid(code))
        return TD_E_NOT_FOUND;
    return db_get_read(c->db, STYLE_COLS " FROM styles s WHERE s.code = ?", read_style, out, "t", code);
}

static const char SQL_STYLES_ALL[] = STYLE_COLS " FROM styles s WHERE s.code > ? ORDER BY s.code LIMIT ?";
static const char SQL_STYLES_OF[] = STYLE_COLS
    " FROM collection_styles cs JOIN styles s ON s.id = cs.style_id WHERE cs.collection_id = ? AND s.code > ?"
    " ORDER BY s.code LIMIT ?";

int cl_styles_each(struct dctx *c, int64_t collection_id, const char *after, int limit,
                   int (*fn)(void *arg, const struct cl_style *s), void *arg, char next[CL_STYLE_CODE_SZ])
{
    struct db_stmt *st = NULL;
    const char *from = after ? after : "";
    next[0] = '\0';
    int rc = collection_id ? db_query(c->db, SQL_STYLES_OF, &st, "iti", collection_id, from, (int64_t)limit + 1)
                           : db_query(c->db, SQL_STYLES_ALL, &st, "ti", from, (int64_t)limit + 1);
    int shown = 0;
    struct cl_style s;
    while (db_next(st, &rc)) {
        if (shown == limit) {
            text_copy_cut(next, CL_STYLE_CODE_SZ, s.code);
            break;
        }
        shown++;
        if ((rc = read_style(st, &s)) == TD_OK) rc = fn(arg, &s);
    }
    return db_end(st, rc);
}

int cl_variants_each(struct dctx *c, int64_t style_id, int (*fn)(void *arg, const struct cl_stock_row *r), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT p.sku, COALESCE(p.size, ''), t.code, COALESCE(k.on_hand, 0), COALESCE(k.held, 0)"
                      " FROM products p LEFT JOIN stock k ON k.product_id = p.id LEFT JOIN stores t ON t.id = k.store_id"
                      " WHERE p.style_id = ? ORDER BY p.id, t.code",
                      &st, "i", style_id);
    struct cl_stock_row r;
    while (db_next(st, &rc))
        if ((rc = db_readf(st, "sssii", &r.sku, &r.size, &r.store_code, &r.on_hand, &r.held)) == TD_OK)
            rc = fn(arg, &r);
    return db_end(st, rc);
}

#define COLLECTION_COLS                                                                              \
    "SELECT k.id, k.created_at, (SELECT COUNT(*) FROM collection_styles cs WHERE cs.collection_id = k.id)," \
    " k.code, k.name FROM collections k"

static int read_collection(struct db_stmt *st, void *out)
{
    struct cl_collection *k = out;
    memset(k, 0, sizeof *k);
    return db_readf(st, "iiicc", &k->id, &k->created_at, &k->n_styles, k->code, sizeof k->code, k->name, sizeof k->name);
}

int cl_collection_get(struct dctx *c, const char *code, struct cl_collection *out)
{
    if (!cl_code_valid(code))
        return TD_E_NOT_FOUND;
    return db_get_read(c->db, COLLECTION_COLS " WHERE k.code = ?", read_collection, out, "t", code);
}

int cl_collections_each(struct dctx *c, int (*fn)(void *arg, const struct cl_collection *k), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, COLLECTION_COLS " ORDER BY k.created_at DESC, k.id DESC LIMIT 500", &st, "");
    struct cl_collection k;
    while (db_next(st, &rc))
        if ((rc = read_collection(st, &k)) == TD_OK) rc = fn(arg, &k);
    return db_end(st, rc);
}

int cl_arrivals_each(struct dctx *c, int64_t collection_id, int64_t store_id,
                     int (*fn)(void *arg, const struct cl_arrival *r), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT cs.store_id, cs.arrives_at, cs.first_choice_hours, COALESCE(cs.arrived_at, 0), t.code"
                      " FROM collection_stores cs JOIN stores t ON t.id = cs.store_id"
                      " WHERE cs.collection_id = ? AND (? = 0 OR cs.store_id = ?) ORDER BY t.code",
                      &st, "iii", collection_id, store_id, store_id);
    struct cl_arrival r;
    while (db_next(st, &rc))
        if ((rc = db_readf(st, "iiiis", &r.store_id, &r.arrives_at, &r.first_choice_hours, &r.arrived_at,
                                        &r.store_code)) == TD_OK)
            rc = fn(arg, &r);
    return db_end(st, rc);
}

int cl_stock_get(struct dctx *c, int64_t store_id, const char *sku, int64_t *on_hand, int64_t *held)
{
    *on_hand = *held = 0;
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db,
                        "SELECT COALESCE(k.on_hand, 0), COALESCE(k.held, 0) FROM products p"
                        " LEFT JOIN stock k ON k.product_id = p.id AND k.store_id = ? WHERE p.sku = ?",
                        &st, "it", store_id, sku);
    if (rc != TD_OK)
        return rc;
    *on_hand = db_col_int64(st, 0);
    *held = db_col_int64(st, 1);
    db_done(st);
    return TD_OK;
}
