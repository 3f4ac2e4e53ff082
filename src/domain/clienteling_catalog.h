/* clienteling_catalog.h — the catalogue as the buying system knows it:
 * styles with their sizes (each size a product with its own sku), stock on
 * hand per store and sku, and collections planned to arrive in stores.
 *
 * Invariants:
 *  (1) a sku belongs to at most one style; a style's variants have distinct
 *      sizes;
 *  (2) stock is never negative; setting on hand keeps the held count (holds
 *      are released or converted, never dropped by a stock file), so
 *      available = max(0, on_hand - held);
 *  (3) every write checks all fields first and names each bad one; on any
 *      problem nothing is written (TD_E_INVALID, details in err).
 */
#ifndef TD_CLIENTELING_CATALOG_H
#define TD_CLIENTELING_CATALOG_H
#include <stddef.h>
#include <stdint.h>
#include "domain/domain.h"

struct errors;

#define CL_STYLE_CODE_SZ 33
#define CL_SIZE_SZ 9                        /* 1..8 of A-Z a-z 0-9 . / - + */
#define CL_VARIANTS_MAX 32
#define CL_COLLECTION_STYLES_MAX 2000
#define CL_FIRST_CHOICE_HOURS_DEFAULT 48

struct cl_variant_in {
    const char *sku;
    const char *size;
};

struct cl_style_in {
    const char *code, *name, *brand, *category, *colour;  /* colour may be NULL or "" */
    int64_t price_cents;
    size_t n_variants;                                    /* 1..CL_VARIANTS_MAX */
    const struct cl_variant_in *variants;
};

/* 1 when s is a valid size ("M", "38", "42/32", "XL+"). */
int cl_size_valid(const char *s);
/* 1 when s is a valid style or collection code: 1..32 of A-Z 0-9 - _ . */
int cl_code_valid(const char *s);

/* Creates the style or replaces its fields; adds the variants it lacks (a
 * sku already known as a plain product becomes this style's variant). */
int cl_style_put(struct dctx *c, const struct cl_style_in *in, struct errors *err, int64_t *id /* OUT */) TD_MUST_CHECK;
/* Sets on hand for a sku in a store (0..1,000,000). TD_E_INVALID naming
 * "sku" when the sku is unknown. */
int cl_stock_set(struct dctx *c, int64_t store_id, const char *sku, int64_t on_hand, struct errors *err) TD_MUST_CHECK;

/* Creates the collection or renames it, and sets its styles to exactly
 * these codes (each must exist: "styles[2]: is not a known style"). */
int cl_collection_put(struct dctx *c, const char *code, const char *name, const char *const *styles, size_t n,
                      struct errors *err, int64_t *id /* OUT */) TD_MUST_CHECK;
int cl_collection_id(struct dctx *c, const char *code, int64_t *id /* OUT */) TD_MUST_CHECK;  /* TD_E_NOT_FOUND */
/* Plans (or moves, while it has not arrived) the arrival in a store;
 * hours 0 takes the default. TD_E_CONFLICT once it has arrived. */
int cl_collection_plan(struct dctx *c, int64_t collection_id, int64_t store_id, int64_t arrives_at, int hours,
                       struct errors *err) TD_MUST_CHECK;
/* Calls fn for every planned arrival whose date has come and that has not
 * been matched yet (the scheduler's job), oldest first; stops at fn's first
 * non-OK. */
int cl_arrivals_due(struct dctx *c, int (*fn)(void *arg, int64_t collection_id, int64_t store_id), void *arg) TD_MUST_CHECK;

/* ---- reads for the API ------------------------------------------------- */

struct cl_style {
    int64_t id, price_cents, created_at, updated_at;
    char code[CL_STYLE_CODE_SZ], name[201], brand[101], category[48], colour[41];
};
int cl_style_get(struct dctx *c, const char *code, struct cl_style *out /* OUT */) TD_MUST_CHECK;  /* TD_E_NOT_FOUND */
/* Styles in code order after `after` ("" or NULL: from the first), of one
 * collection (0: all), at most limit; next gets the last code shown when
 * more follow ("" at the end). */
int cl_styles_each(struct dctx *c, int64_t collection_id, const char *after, int limit,
                   int (*fn)(void *arg, const struct cl_style *s), void *arg,
                   char next[CL_STYLE_CODE_SZ] /* OUT */) TD_MUST_CHECK;

/* One variant in one store: a row per (sku, store with a stock line), in
 * the variants' order, then by store code; store_code NULL for a sku no
 * store stocks. Strings are borrowed for the callback. */
struct cl_stock_row {
    const char *sku, *size, *store_code;
    int64_t on_hand, held;
};
int cl_variants_each(struct dctx *c, int64_t style_id, int (*fn)(void *arg, const struct cl_stock_row *r),
                     void *arg) TD_MUST_CHECK;

/* On hand and held of a sku in a store (0 and 0 without a stock line);
 * TD_E_NOT_FOUND when the sku is unknown. */
int cl_stock_get(struct dctx *c, int64_t store_id, const char *sku, int64_t *on_hand /* OUT */,
                 int64_t *held /* OUT */) TD_MUST_CHECK;

struct cl_collection {
    int64_t id, created_at, n_styles;
    char code[CL_STYLE_CODE_SZ], name[201];
};
int cl_collection_get(struct dctx *c, const char *code, struct cl_collection *out /* OUT */) TD_MUST_CHECK;
int cl_collections_each(struct dctx *c, int (*fn)(void *arg, const struct cl_collection *k), void *arg) TD_MUST_CHECK;

/* A collection's planned arrivals, by store code (store_id 0: every store). */
struct cl_arrival {
    int64_t store_id, arrives_at, first_choice_hours, arrived_at;   /* arrived_at 0: not yet */
    const char *store_code;
};
int cl_arrivals_each(struct dctx *c, int64_t collection_id, int64_t store_id,
                     int (*fn)(void *arg, const struct cl_arrival *r), void *arg) TD_MUST_CHECK;

#endif
