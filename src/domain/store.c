/* store.c — stores of the chain (see store.h). */
#include "domain/store.h"
#include "db/db.h"
#include <string.h>

int store_code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 2 || n > 16) return 0;
    for (const char *p = code; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-')) return 0;
    return 1;
}

int store_create(struct dctx *c, const struct store *in, struct errors *err, int64_t *out_id)
{
    if (!store_code_valid(in->code)) errors_add(err, "code", "must be 2 to 16 of A-Z, 0-9 and '-'");
    errors_check_text(err, "name", in->name, NAME_MAX_CHARS, 1);
    errors_check_text(err, "city", in->city, NAME_MAX_CHARS, 1);
    if (err->n) return TD_E_INVALID;
    int rc = db_get_int64(c->db, "INSERT INTO stores (code, name, city, created_at) VALUES (?, ?, ?, ?) RETURNING id", out_id,
                          "ttti", in->code, in->name, in->city, c->now_us);
    if (rc == TD_E_CONFLICT) errors_add(err, "code", "a store with this code exists");
    if (rc == TD_OK) rc = domain_audit(c, "store.create", in->code, NULL);
    return rc;
}

int store_update(struct dctx *c, const char *code, const char *name, const char *city, struct errors *err)
{
    if (name) errors_check_text(err, "name", name, NAME_MAX_CHARS, 1);
    if (city) errors_check_text(err, "city", city, NAME_MAX_CHARS, 1);
    if (err->n) return TD_E_INVALID;
    int64_t changed = 0;
    int rc = db_run(c->db, "UPDATE stores SET name = COALESCE(?, name), city = COALESCE(?, city) WHERE code = ?", &changed,
                    "ttt", name, city, code);
    if (rc == TD_OK && !changed) rc = TD_E_NOT_FOUND;
    if (rc == TD_OK) rc = domain_audit(c, "store.update", code, NULL);
    return rc;
}

static int read_row(struct db_stmt *st, struct store *out)
{
    out->id = db_col_int64(st, 0);
    if (domain_copy(out->code, sizeof out->code, db_col_text(st, 1)) != TD_OK ||
        domain_copy(out->name, sizeof out->name, db_col_text(st, 2)) != TD_OK ||
        domain_copy(out->city, sizeof out->city, db_col_text(st, 3)) != TD_OK)
        return TD_E_INTERNAL;
    return TD_OK;
}

/* The store db_get_row found (rc TD_OK), or rc; releases st. */
static int got_row(int rc, struct db_stmt *st, struct store *out)
{
    if (rc == TD_OK) rc = read_row(st, out);
    db_done(st);
    return rc;
}

int store_get_by_code(struct dctx *c, const char *code, struct store *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT id, code, name, city FROM stores WHERE code = ?", &st, "t", code);
    return got_row(rc, st, out);
}

int store_id_by_code(struct dctx *c, const char *code, const char *field, struct errors *err, int64_t *id)
{
    struct store s;
    *id = 0;
    int rc = store_get_by_code(c, code, &s);
    if (rc == TD_OK) *id = s.id;
    if (rc != TD_E_NOT_FOUND) return rc;
    errors_add(err, field, "no store has this code");
    return TD_OK;
}

int store_get(struct dctx *c, int64_t id, struct store *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT id, code, name, city FROM stores WHERE id = ?", &st, "i", id);
    return got_row(rc, st, out);
}

int store_each(struct dctx *c, int (*fn)(void *arg, const struct store *s), void *arg)
{
    struct db_stmt *st;
    struct store s;
    int rc = db_query(c->db, "SELECT id, code, name, city FROM stores ORDER BY code", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_row(st, &s)) == TD_OK) rc = fn(arg, &s);
    return db_end(st, rc);
}
