/* import_stock.c — the stock kind of import (imports.def): on hand per
 * store and sku, as the stores' stock system counts it. Each line sets the
 * count through cl_stock_set() (clienteling_catalog.h), which keeps the
 * units held; a line whose count is already so writes nothing, so
 * importing the same file again changes nothing. A store and sku appear
 * together on one line of a file.
 */
#include "domain/import_parts.h"
#include "core/errors.h"
#include "core/strmap.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/clienteling_catalog.h"
#include <stdio.h>
#include <string.h>

#define ON_HAND_MAX 1000000

enum { S_STORE, S_SKU, S_ON_HAND, S_NCOLS };
const struct import__column import__stock_cols[S_NCOLS + 1] = {
    [S_STORE] = {"store_code", COL_REQUIRED | COL_ASCII, CODE_SZ - 1},
    [S_SKU] = {"sku", COL_REQUIRED | COL_ASCII, SKU_SZ - 1},
    [S_ON_HAND] = {"on_hand", COL_REQUIRED | COL_ASCII, 20},
    [S_NCOLS] = {NULL, 0, 0},
};
_Static_assert(S_NCOLS <= IMPORT__NCOLS_MAX, "IMPORT__NCOLS_MAX holds the stock columns");

int import__stock_begin(struct imp *m)
{
    int rc = strmap_new(sizeof(int64_t), IMPORT__MAP_MEM, &m->seen);
    if (rc == TD_OK) rc = strmap_new(sizeof(int64_t), IMPORT__MAP_MEM, &m->products);
    return rc;
}

/* Whether (store, sku) came before in this file: a problem naming its line. */
static int repeated(struct imp *m, int64_t store_id, int *again)
{
    char key[24 + SKU_SZ];
    int n = snprintf(key, sizeof key, "%lld/%s", (long long)store_id, m->v[S_SKU]);
    void *slot;
    int added;
    *again = 0;
    int rc = strmap_put(m->seen, key, (size_t)n, &slot, &added);
    if (rc != TD_OK) return rc;
    int64_t *first = slot;
    if (added) {
        *first = m->vline[S_SKU];
        return TD_OK;
    }
    *again = 1;
    return IMPORT__COL_PROBLEM(m, S_SKU, "appears again for this store; first on line %lld", (long long)*first);
}

int import__stock_line(struct imp *m)
{
    int rc = TD_OK;
    int64_t store_id = 0, product_id = 0, on_hand = 0;
    if (*m->v[S_STORE]) {
        if ((rc = import__lookup_store(m, S_STORE, &store_id)) != TD_OK) return rc;
        if (!store_id && (rc = IMPORT__COL_PROBLEM(m, S_STORE, "no store has this code")) != TD_OK) return rc;
    }
    if (*m->v[S_SKU]) {
        void *slot;
        int added;
        if ((rc = strmap_put(m->products, m->v[S_SKU], m->vlen[S_SKU], &slot, &added)) != TD_OK) return rc;
        int64_t *id = slot;
        if (added) {
            if ((rc = import__query_id(m, "SELECT id FROM products WHERE sku = ?", m->v[S_SKU], id)) != TD_OK) return rc;
            if (!*id) *id = -1;
        }
        product_id = *id > 0 ? *id : 0;
        if (!product_id && (rc = IMPORT__COL_PROBLEM(m, S_SKU, "is not a known sku")) != TD_OK) return rc;
    }
    if (*m->v[S_ON_HAND]) {
        if (text_parse_int64(m->v[S_ON_HAND], &on_hand) != TD_OK) rc = IMPORT__COL_PROBLEM(m, S_ON_HAND, "is not a whole number");
        else if (on_hand < 0) rc = IMPORT__COL_PROBLEM(m, S_ON_HAND, "is negative");
        else if (on_hand > ON_HAND_MAX) rc = IMPORT__COL_PROBLEM(m, S_ON_HAND, "must be at most %d", ON_HAND_MAX);
        if (rc != TD_OK) return rc;
    }
    int again = 0;
    if (store_id && product_id && (rc = repeated(m, store_id, &again)) != TD_OK) return rc;
    if (!m->ok || !store_id || !product_id || again) return TD_OK;
    int64_t same = 0;
    rc = db_get_int64(m->c->db, "SELECT COUNT(*) FROM stock WHERE store_id = ? AND product_id = ? AND on_hand = ?", &same,
                      "iii", store_id, product_id, on_hand);
    if (rc != TD_OK) return rc;
    if (same) {
        m->rep->skipped++;
        return TD_OK;
    }
    struct errors err;
    errors_init(&err);
    if ((rc = cl_stock_set(m->c, store_id, m->v[S_SKU], on_hand, &err)) != TD_OK) return rc;
    m->rep->added++;
    return TD_OK;
}
