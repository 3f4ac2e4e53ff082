/* clienteling_load.h — reading an arrival's candidates (clienteling_load.c),
 * private to the clienteling arrival (clienteling.c). */
#ifndef TD_DOMAIN_CLIENTELING_LOAD_H
#define TD_DOMAIN_CLIENTELING_LOAD_H

#include <stdbool.h>
#include <stdint.h>
#include "domain/clienteling.h"
#include "domain/clienteling_match.h"
#include "domain/facts.h"

#define FACETS_MAX 256
#define CATEGORIES_MAX 64               /* a collection's first 64 categories count */
#define FACET_SZ 64
#define SIZE_SZ 12
#define NO_STORE UINT16_MAX

enum { F_EMAIL_OK = 1, F_PHONE_OK = 2, F_HAS_EMAIL = 4, F_HAS_PHONE = 8, F_OBJECTED = 16, F_DNC = 32, F_DONE = 64,
       F_SIZE_LEARNED = 128, F_LOYAL = 256 };

struct crow {
    int64_t id, staff_id, spend_cents, best_cat_spend;
    uint64_t stated;                    /* categories (bit k) with a stated size */
    int32_t days_since_visit;
    uint16_t flags;
    uint16_t store;                     /* index into the arrival's stores; NO_STORE: none of them */
    uint8_t tier;
    int8_t best_cat;                    /* index into the collection's categories, -1 none */
    int8_t size_cat;                    /* the category the size is from, -1 none */
    int16_t likes, dislikes, liked;     /* liked: facet index, -1 none */
    int16_t answered, ignored, contacts;
    char size[SIZE_SZ];                 /* a size of theirs in stock in their store */
};

/* What the collection is made of in one store. */
struct facets {
    size_t n_cat, n;                    /* categories are facets[0..n_cat) */
    char kind[FACETS_MAX][12];          /* "category", "brand", "colour", "style" */
    char value[FACETS_MAX][FACET_SZ];
    /* sizes with stock available, per category: "M\0L\0" lists */
    char sizes[FACETS_MAX][256];
    uint16_t by_name[FACETS_MAX];       /* facet indexes sorted by (kind, value) */
};

/* The candidates, sorted by id; map (when the ids are dense enough) gives
 * the index of id at map[id - base], or -1. */
struct load {
    struct crow *v;
    size_t n, cap;
    int32_t *map;
    int64_t base, span;
};

/* What an arrival reads with: its stores and their facets. */
struct reader {
    struct dctx *c;
    int64_t collection_id;
    const int64_t *stores;
    size_t n_stores;
    struct facets *f;                   /* one per store */
};

/* What the collection is made of in store_id: its categories (in the
 * collection's order), styles, brands and colours, and the sizes in stock. */
int cl_load_facets(struct db *db, int64_t collection_id, int64_t store_id, struct facets *f);
/* The candidates of rd's one store, driven by that store's customers. */
int cl_load_store(struct reader *rd, struct load *l);
/* The candidates of all of rd's stores: every table read once. */
int cl_load_chain(struct reader *rd, struct load *l);
/* The candidate with this id, or NULL. */
struct crow *cl_load_find(struct load *l, int64_t id);
/* The row as the matcher (clienteling_match.h) reads it. */
void cl_load_candidate(const struct crow *r, const struct facets *f, struct cl_candidate *out);
void cl_load_free(struct load *l);

#endif
