/* store.c — stores of the chain (see store.h). */
#include "domain/store.h"
#include "core/text.h"
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

static void check_text(struct errors *err, const char *field, const char *v, int required)
{
    if (!v || !*v) {
        if (required) errors_add(err, field, "is required");
        return;
    }
    if (!text_utf8_valid(v, strlen(v))) errors_add(err, field, "must be valid UTF-8 text");
    else if (text_utf8_len(v) > NAME_MAX_CHARS) errors_add(err, field, "is longer than %d characters", NAME_MAX_CHARS);
}

int store_create(struct dctx *c, const struct store *in, struct errors *err, int64_t *out_id)
{
    if (!store_code_valid(in->code)) errors_add(err, "code", "must be 2 to 16 of A-Z, 0-9 and '-'");
    check_text(err, "name", in->name, 1);
    check_text(err, "city", in->city, 1);
    if (err->n) return TD_E_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "INSERT INTO stores (code, name, city, created_at) VALUES (?, ?, ?, ?) RETURNING id", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, in->code)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 2, in->name)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 3, in->city)) != TD_OK) goto out;
    if ((rc = db_bind_int64(st, 4, c->now_us)) != TD_OK) goto out;
    rc = db_step(st);
    if (rc == TD_ROW) {
        *out_id = db_col_int64(st, 0);
        rc = TD_OK;
    } else if (rc == TD_E_CONFLICT) {
        errors_add(err, "code", "a store with this code exists");
    }
out:
    db_done(st);
    if (rc == TD_OK) rc = domain_audit(c, "store.create", in->code, NULL);
    return rc;
}

int store_update(struct dctx *c, const char *code, const char *name, const char *city, struct errors *err)
{
    if (name) check_text(err, "name", name, 1);
    if (city) check_text(err, "city", city, 1);
    if (err->n) return TD_E_INVALID;
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "UPDATE stores SET name = COALESCE(?, name), city = COALESCE(?, city) WHERE code = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bind_text(st, 1, name)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 2, city)) != TD_OK) goto out;
    if ((rc = db_bind_text(st, 3, code)) != TD_OK) goto out;
    rc = db_step(st);
    if (rc == TD_DONE) rc = db_changes(st) ? TD_OK : TD_E_NOT_FOUND;
out:
    db_done(st);
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

static int get_one(struct dctx *c, const char *sql, const char *code, int64_t id, struct store *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, sql, &st);
    if (rc != TD_OK) return rc;
    rc = code ? db_bind_text(st, 1, code) : db_bind_int64(st, 1, id);
    if (rc == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) rc = read_row(st, out);
    else if (rc == TD_DONE) rc = TD_E_NOT_FOUND;
    db_done(st);
    return rc;
}

int store_get_by_code(struct dctx *c, const char *code, struct store *out)
{
    return get_one(c, "SELECT id, code, name, city FROM stores WHERE code = ?", code, 0, out);
}

int store_get(struct dctx *c, int64_t id, struct store *out)
{
    return get_one(c, "SELECT id, code, name, city FROM stores WHERE id = ?", NULL, id, out);
}

int store_each(struct dctx *c, int (*fn)(void *arg, const struct store *s), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT id, code, name, city FROM stores ORDER BY code", &st);
    if (rc != TD_OK) return rc;
    struct store s;
    while ((rc = db_step(st)) == TD_ROW) {
        if ((rc = read_row(st, &s)) != TD_OK) break;
        if ((rc = fn(arg, &s)) != TD_OK) break;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    return rc;
}
