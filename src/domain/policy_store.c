/* policy_store.c — policy versions in the database (see policy_store.h).
 *
 * The parsed policy of each (store, chain version, store version) is kept in
 * a small process-wide cache: versions never change once written, so an entry
 * can never be stale; a new version is simply another key. Finding the
 * versions in force is one indexed read per decision.
 */
#include "domain/policy_store.h"
#include "db/db.h"
#include <pthread.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define CACHE_SLOTS 64

struct cached {
    int64_t store_id, chain_version, store_version;   /* chain_version 0: slot empty */
    struct policy p;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CACHE_SLOTS];
static unsigned cache_next;

static int cache_get(int64_t store_id, int64_t cv, int64_t sv, struct policy *out)
{
    int hit = 0;
    pthread_mutex_lock(&cache_lock);
    for (unsigned i = 0; i < CACHE_SLOTS && !hit; i++) {
        const struct cached *e = &cache[i];
        if (e->chain_version == cv && e->store_id == store_id && e->store_version == sv) {
            *out = e->p;
            hit = 1;
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return hit;
}

static void cache_put(int64_t store_id, int64_t cv, int64_t sv, const struct policy *p)
{
    pthread_mutex_lock(&cache_lock);
    struct cached *e = &cache[cache_next++ % CACHE_SLOTS];
    e->store_id = store_id;
    e->chain_version = cv;
    e->store_version = sv;
    e->p = *p;
    pthread_mutex_unlock(&cache_lock);
}

/* The newest version of a scope, 0 when there is none. */
static int newest_version(struct dctx *c, int64_t store_id, int64_t *version)
{
    *version = 0;
    return db_get_int64(c->db, "SELECT COALESCE(MAX(version), 0) FROM policies WHERE store_id = ?", version, "i", store_id);
}

static int load_document(struct dctx *c, int64_t store_id, int64_t version, struct buf *doc)
{
    buf_reset(doc);
    if (store_id == 0 && version == 0) return buf_puts(doc, policy_default_json());
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT document FROM policies WHERE store_id = ? AND version = ?", &st, "ii", store_id,
                        version);
    if (rc == TD_OK) rc = buf_puts(doc, db_col_text(st, 0));
    db_done(st);
    return rc;
}

/* Parses the chain document of version cv and, when sv > 0, merges the
 * store's override of version sv. */
static int build(struct dctx *c, int64_t store_id, int64_t cv, int64_t sv, struct policy *out)
{
    struct buf doc;
    struct errors err;
    errors_init(&err);
    buf_init(&doc, POLICY_DOC_MAX + 1);
    int rc = load_document(c, 0, cv, &doc);
    if (rc == TD_OK) rc = policy_parse(doc.data, doc.len, &err, out);
    if (rc == TD_OK && sv > 0) {
        if ((rc = load_document(c, store_id, sv, &doc)) == TD_OK)
            rc = policy_apply_override(out, doc.data, doc.len, &err, out);
    }
    buf_free(&doc);
    /* A stored version always parsed when it was saved (invariant 1). */
    return rc == TD_E_INVALID ? TD_E_INTERNAL : rc;
}

int policy_effective(struct dctx *c, int64_t store_id, struct policy *out)
{
    int64_t cv = 0, sv = 0;
    int rc = newest_version(c, 0, &cv);
    if (rc == TD_OK && store_id) rc = newest_version(c, store_id, &sv);
    if (rc != TD_OK) return rc;
    int64_t key_cv = cv ? cv : -1;          /* -1: the built-in default */
    if (cache_get(store_id, key_cv, sv, out)) return TD_OK;
    if ((rc = build(c, store_id, cv, sv, out)) != TD_OK) return rc;
    cache_put(store_id, key_cv, sv, out);
    return TD_OK;
}

int policy_current(struct dctx *c, int64_t store_id, struct buf *doc, int64_t *version)
{
    int64_t v = 0;
    int rc = newest_version(c, store_id, &v);
    if (rc != TD_OK) return rc;
    if (v == 0 && store_id) return TD_E_NOT_FOUND;
    *version = v ? v : 1;
    return load_document(c, store_id, v, doc);
}

static int insert_version(struct dctx *c, int64_t store_id, int64_t version, const char *json, size_t len)
{
    char *copy = strndup(json, len);
    if (!copy) return TD_E_NOMEM;
    int rc = db_run(c->db, "INSERT INTO policies (store_id, version, document, created_at, created_by) VALUES (?, ?, ?, ?, ?)",
                    NULL, "iitin", store_id, version, copy, c->now_us, c->actor.staff_id);
    free(copy);
    return rc;
}

/* Checks every store override against a new chain policy. */
static int check_overrides(struct dctx *c, const struct policy *chain, struct errors *err)
{
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT s.code, p.document FROM policies p JOIN stores s ON s.id = p.store_id"
                      " WHERE p.store_id > 0 AND p.version = (SELECT MAX(version) FROM policies q"
                      " WHERE q.store_id = p.store_id)", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        rc = TD_OK;
        struct errors sub;
        errors_init(&sub);
        struct policy merged;
        const char *doc = db_col_text(st, 1);
        if (policy_apply_override(chain, doc, strlen(doc), &sub, &merged) != TD_OK) {
            for (size_t i = 0; i < sub.n; i++)
                errors_add(err, sub.item[i].field[0] ? sub.item[i].field : NULL, "with the override of store %s: %s", db_col_text(st, 0),
                           sub.item[i].problem);
        }
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    return err->n ? TD_E_INVALID : TD_OK;
}

int policy_save(struct dctx *c, int64_t store_id, const char *json, size_t len, struct errors *err, int64_t *version)
{
    int64_t newest = 0;
    int rc = newest_version(c, store_id, &newest);
    if (rc != TD_OK) return rc;
    struct policy p;
    int64_t v;
    if (store_id == 0) {
        if ((rc = policy_parse(json, len, err, &p)) != TD_OK) return rc;
        if ((rc = check_overrides(c, &p, err)) != TD_OK) return rc;
        v = p.version;
        if (newest == 0 && v < 2) {
            errors_add(err, "version", "must be above 1, the built-in default's version");
            return TD_E_CONFLICT;
        }
    } else {
        struct policy chain;
        if ((rc = policy_effective(c, 0, &chain)) != TD_OK) return rc;
        if ((rc = policy_apply_override(&chain, json, len, err, &p)) != TD_OK) return rc;
        v = p.store_version;
    }
    if (v <= newest) {
        errors_add(err, "version", "must be above %lld, the version in force", (long long)newest);
        return TD_E_CONFLICT;
    }
    if ((rc = insert_version(c, store_id, v, json, len)) != TD_OK) return rc;
    *version = v;
    char subject[32];
    snprintf(subject, sizeof subject, "%s%lld", store_id ? "store:" : "chain", store_id ? (long long)store_id : 0LL);
    char detail[32];
    snprintf(detail, sizeof detail, "version %lld", (long long)v);
    return domain_audit(c, "policy.save", store_id ? subject : "chain", detail);
}

int policy_versions_each(struct dctx *c, int64_t store_id, int (*fn)(void *arg, const struct policy_version_info *v),
                         void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT p.version, p.created_at, s.login, p.document FROM policies p"
                      " LEFT JOIN staff s ON s.id = p.created_by WHERE p.store_id = ? ORDER BY p.version DESC",
                      &st, "i", store_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct policy_version_info v = {store_id, db_col_int64(st, 0), db_col_int64(st, 1), db_col_text(st, 2),
                                        db_col_text(st, 3)};
        rc = fn(arg, &v);
    }
    if ((rc = db_end(st, rc)) == TD_OK && store_id == 0) {
        /* The built-in default, version 1 of the chain, comes last. */
        struct policy_version_info v = {0, 1, 0, NULL, policy_default_json()};
        rc = fn(arg, &v);
    }
    return rc;
}
