/* clienteling_catalog.c — styles, variants, stock and collections (see
 * clienteling_catalog.h). */
#include "domain/clienteling_catalog.h"

#include <stdio.h>
#include <string.h>
#include "core/errors.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/clienteling_internal.h"
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
    while (cl__step(st, &rc) && n < 100) {
        due[n][0] = db_col_int64(st, 0);
        due[n][1] = db_col_int64(st, 1);
        n++;
    }
    rc = db_end(st, rc);
    for (size_t i = 0; rc == TD_OK && i < n; i++)
        rc = fn(arg, due[i][0], due[i][1]);
    return rc;
}
