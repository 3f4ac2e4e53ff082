/* demo_catalogue.c — the demo chain's catalogue as clienteling knows it:
 * per product type, brand and colour one style, its sizes each a sku; the
 * stock on hand of every sized sku in every store; and the knitwear
 * collection KNIT-AW26 ("Knitwear autumn"), new styles planned to arrive in
 * Utrecht three days after the demo's end, Amsterdam a week after, Rotterdam
 * two weeks after and the other stores three, each with the default first
 * choice of 48 hours. Rows are written as the catalogue import
 * (import_catalogue.c, cl_style_put) writes them: a style's skus carry its
 * name, brand and category, its style_id and their size.
 *
 * Types without sizes (wonen, keuken, elektra, beauty) stay plain products
 * without a style, as goods the buying system does not size.
 *
 * Invariants:
 *  (1) the catalogue stream draws exactly what it drew before sizes existed
 *      (one price per type, brand and colour), so prices do not move;
 *  (2) the skus of one type and brand lie together in g->products, per
 *      colour its sizes smallest first (struct demo_product);
 *  (3) by_category lists the first sku of each colour: a purchase picks a
 *      colour, then a size (demo__in_size);
 *  (4) the collection's skus are in g->products (for their stock) but in no
 *      by_category list: nobody has bought them yet.
 */
#include "sim/demo_gen.h"
#include "core/clock.h"
#include "db/db.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the size systems ---------------------------------------------------- */

const struct demo_size_system demo_size_systems[] = {
    [SZ_DAMES] = {5, {"XS", "S", "M", "L", "XL"}, {8, 22, 34, 24, 12}},
    [SZ_HEREN] = {5, {"S", "M", "L", "XL", "XXL"}, {8, 24, 34, 22, 12}},
    [SZ_KIDS] = {6, {"92", "104", "116", "128", "140", "152"}, {16, 17, 17, 17, 17, 16}},
    [SZ_BABY] = {6, {"56", "62", "68", "74", "80", "86"}, {15, 17, 17, 17, 17, 17}},
    [SZ_SHOES] = {10, {"37", "38", "39", "40", "41", "42", "43", "44", "45", "46"}, {5, 9, 11, 12, 12, 12, 12, 11, 9, 7}},
    [SZ_KIDS_SHOES] = {5, {"28", "30", "32", "34", "36"}, {20, 20, 20, 20, 20}},
    [SZ_SOCKS] = {2, {"39-42", "43-46"}, {55, 45}},
    [SZ_ONE] = {1, {"OS"}, {100}},
};

/* How each sized type of demo_ptypes is sized; the others have no sizes. */
static const struct { const char *category, *name; int system; } type_sizes[] = {
    {"dames", "Jurk", SZ_DAMES}, {"dames", "Gebreide trui", SZ_DAMES}, {"dames", "Vest merinowol", SZ_DAMES},
    {"dames", "Blouse", SZ_DAMES}, {"dames", "Jeans slim fit", SZ_DAMES}, {"dames", "Winterjas", SZ_DAMES},
    {"dames", "Sjaal wol", SZ_ONE},
    {"heren", "Overhemd", SZ_HEREN}, {"heren", "Gebreide trui", SZ_HEREN}, {"heren", "Chino", SZ_HEREN},
    {"heren", "Colbert", SZ_HEREN}, {"heren", "Jeans regular", SZ_HEREN}, {"heren", "Sokken 3-pack", SZ_SOCKS},
    {"kinderen", "Kinderjas", SZ_KIDS}, {"kinderen", "Rompertje 2-pack", SZ_BABY}, {"kinderen", "Pyjama", SZ_KIDS},
    {"kinderen", "Sneakers kids", SZ_KIDS_SHOES},
    {"sport", "Hardloopschoenen", SZ_SHOES}, {"sport", "Sportlegging", SZ_DAMES},
};

static int type_system(const struct demo_ptype *p)
{
    for (size_t i = 0; i < COUNT(type_sizes); i++)
        if (strcmp(type_sizes[i].category, p->category) == 0 && strcmp(type_sizes[i].name, p->name) == 0)
            return type_sizes[i].system;
    return -1;
}

int demo__category_index(const char *c)
{
    for (int i = 0; i < NCATEGORIES; i++)
        if (strcmp(demo_categories[i], c) == 0) return i;
    return 0;
}

unsigned demo__draw_size(int system, struct rng *r)
{
    const struct demo_size_system *s = &demo_size_systems[system];
    unsigned total = 0;
    for (unsigned k = 0; k < s->n; k++) total += s->weight[k];
    unsigned x = rng_below(r, total), k = 0;
    while (k + 1 < s->n && x >= s->weight[k]) x -= s->weight[k++];
    return k;
}

int64_t demo__in_size(const struct gen *g, int64_t product, unsigned size)
{
    const struct demo_product *p = &g->products[product];
    if (p->system < 0 || size >= p->size_n) return product;
    return product - p->size_i + size;
}

const char *demo__size_of(const struct demo_product *p)
{
    return p->system < 0 ? NULL : demo_size_systems[p->system].size[p->size_i];
}

/* ---- the catalogue ------------------------------------------------------- */

/* The n-th '|'-separated field of list into out. */
static void field(const char *list, unsigned n, char *out, size_t size)
{
    const char *p = list;
    while (n-- && (p = strchr(p, '|')) != NULL) p++;
    if (!p) p = list;
    size_t len = strcspn(p, "|");
    snprintf(out, size, "%.*s", (int)len, p);
}

static unsigned nfields(const char *list)
{
    unsigned n = 1;
    for (; *list; list++) n += *list == '|';
    return n;
}

/* The knitwear collection: new styles, none sold yet. */
static const struct {
    const char *code, *category, *name, *brand, *colour;
    int64_t cents;
    int system;
} knitwear[] = {
    {"AW26-D01", "dames", "Kabeltrui", "Atelier Oranje", "ecru", 8995, SZ_DAMES},
    {"AW26-D02", "dames", "Coltrui merinowol", "Part Two", "zwart", 11900, SZ_DAMES},
    {"AW26-D03", "dames", "Gebreid vest lang", "Selected Femme", "oudroze", 9995, SZ_DAMES},
    {"AW26-D04", "dames", "Gebreide jurk", "Esprit", "bordeaux", 7995, SZ_DAMES},
    {"AW26-D05", "dames", "Trui alpacamix", "Atelier Oranje", "grijs", 12900, SZ_DAMES},
    {"AW26-D06", "dames", "Sjaal kasjmier", "Gaastra", "camel", 6995, SZ_ONE},
    {"AW26-H01", "heren", "Kabeltrui", "Gaastra", "marine", 9995, SZ_HEREN},
    {"AW26-H02", "heren", "Coltrui merinowol", "Tommy Hilfiger", "antraciet", 11900, SZ_HEREN},
    {"AW26-H03", "heren", "Gebreid vest", "Scotch & Soda", "groen", 10900, SZ_HEREN},
    {"AW26-H04", "heren", "Schipperstrui", "Atelier Oranje", "marine", 8995, SZ_HEREN},
};

/* Days after the demo's end the collection arrives in a store (default: 21). */
static const struct { const char *store; int days; } arrivals[] = {{"UTR01", 3}, {"AMS01", 7}, {"RTM01", 14}};

static const char SQL_STYLE[] =
    "INSERT INTO styles (code, name, brand, category, colour, price_cents, created_at, updated_at)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
static const char SQL_PRODUCT[] = "INSERT INTO products (id, sku, name, brand, category, style_id, size) VALUES (?, ?, ?, ?, ?, ?, ?)";

/* One colour of a type and brand: a style with its sizes (system >= 0) or
 * one plain product; appended to g->products. */
static int add_colour(struct gen *g, const char *code, const char *name, const char *brand, const char *colour,
                      int cat, int64_t cents, int system, int32_t style_first, int32_t style_n, int64_t at)
{
    int64_t style_id = 0;
    int rc = TD_OK;
    if (system >= 0)
        rc = db_get_int64(g->db, SQL_STYLE, &style_id, "tttttiii", code, name, brand, demo_categories[cat], colour,
                          cents, at, at);
    unsigned n = system >= 0 ? demo_size_systems[system].n : 1;
    for (unsigned k = 0; k < n && rc == TD_OK; k++) {
        struct demo_product *dp = &g->products[g->nproducts];
        memset(dp, 0, sizeof *dp);
        dp->id = g->nproducts + 1;
        dp->price = cents;
        dp->category = cat;
        dp->style_first = style_first;
        dp->style_n = style_n;
        dp->system = (int16_t)system;
        dp->size_n = (uint8_t)n;
        dp->size_i = (uint8_t)k;
        dp->style = (int32_t)style_id;
        if (system >= 0) snprintf(dp->sku, sizeof dp->sku, "%s-%s", code, demo_size_systems[system].size[k]);
        else snprintf(dp->sku, sizeof dp->sku, "%s", code);
        snprintf(dp->brand, sizeof dp->brand, "%s", brand);
        snprintf(dp->colour, sizeof dp->colour, "%s", colour);
        g->nproducts++;
        rc = db_run(g->db, SQL_PRODUCT, NULL, "ittttnt", dp->id, dp->sku, name, brand, demo_categories[cat],
                    style_id, system >= 0 ? demo__size_of(dp) : NULL);
    }
    return rc;
}

/* The catalogue: per product type, brand and colour a list price in the
 * type's range ending in ,95 or ,99 (whole euros above 100); a style with
 * a sku per size where the type is sized, else one sku. */
int demo__load_products(struct gen *g)
{
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_CATALOGUE, 0);
    size_t cap = 0, slots = 0;
    for (size_t t = 0; t < demo_nptypes; t++) {
        int sys = type_system(&demo_ptypes[t]);
        size_t k = nfields(demo_ptypes[t].brands) * nfields(demo_ptypes[t].variants);
        cap += k * (sys >= 0 ? demo_size_systems[sys].n : 1);
        slots += k * demo_ptypes[t].popularity;
    }
    for (size_t i = 0; i < COUNT(knitwear); i++) cap += demo_size_systems[knitwear[i].system].n;
    g->products = calloc(cap, sizeof *g->products);
    if (!g->products) return TD_E_NOMEM;
    for (int c = 0; c < NCATEGORIES; c++)
        if (!(g->by_category[c] = calloc(slots, sizeof(int64_t)))) return TD_E_NOMEM;
    int rc = TD_OK;
    unsigned seq[NCATEGORIES] = {0};
    int64_t at = g->cfg->end_us - 400 * DAY_S * US;
    for (size_t t = 0; t < demo_nptypes && rc == TD_OK; t++) {
        const struct demo_ptype *p = &demo_ptypes[t];
        int cat = demo__category_index(p->category), sys = type_system(p);
        for (unsigned b = 0; b < nfields(p->brands) && rc == TD_OK; b++) {
            int32_t first = (int32_t)g->nproducts;
            for (unsigned v = 0; v < nfields(p->variants) && rc == TD_OK; v++) {
                char brand[64], variant[64], code[16], name[200], prefix[4];
                field(p->brands, b, brand, sizeof brand);
                field(p->variants, v, variant, sizeof variant);
                for (int k = 0; k < 3; k++) prefix[k] = (char)(p->category[k] - 'a' + 'A');
                prefix[3] = '\0';
                snprintf(code, sizeof code, "%s-%05u", prefix, (10000 + ++seq[cat] * 7) % 100000);
                snprintf(name, sizeof name, "%s %s, %s", p->name, brand, variant);
                int64_t euros = p->price_lo + rng_below(&r, (uint32_t)(p->price_hi - p->price_lo + 1));
                int64_t cents = euros >= 100 ? euros * 100 : euros * 100 - (rng_pct(&r, 50) ? 5 : 1);
                int64_t colour_first = g->nproducts;
                for (unsigned k = 0; k < p->popularity; k++) g->by_category[cat][g->ncat[cat]++] = colour_first;
                rc = add_colour(g, code, name, brand, variant, cat, cents, sys, first, (int32_t)nfields(p->variants), at);
            }
        }
    }
    g->sum->products = g->nproducts;
    return rc;
}

/* ---- stock and the collection ------------------------------------------- */

/* Local day `days` after the demo's last day, 09:00 Amsterdam time, as UTC
 * microseconds. */
static int64_t morning_after(const struct gen *g, int days)
{
    int64_t local_s = (g->cal.first_day + HISTORY_DAYS + days) * DAY_S + 9 * 3600;
    return (local_s - clock_amsterdam_offset(local_s - 3600)) * US;
}

/* On hand of one sized sku in one store: the common sizes and the big
 * stores hold more; about one line in six is sold out. */
static int64_t on_hand(struct rng *r, const struct demo_product *p, unsigned store_weight, int collection)
{
    if (!collection && rng_pct(r, 17)) return 0;
    unsigned w = demo_size_systems[p->system].weight[p->size_i];
    int64_t n = (int64_t)(w * store_weight / 60) + (int64_t)rng_below(r, 3);
    return collection ? n + 2 : n;
}

int demo__load_collection(struct gen *g)
{
    int64_t at = g->cfg->end_us - 30 * DAY_S * US;
    int64_t regular = g->nproducts;
    int rc = TD_OK;
    for (size_t i = 0; i < COUNT(knitwear) && rc == TD_OK; i++) {
        char name[200];
        snprintf(name, sizeof name, "%s %s, %s", knitwear[i].name, knitwear[i].brand, knitwear[i].colour);
        rc = add_colour(g, knitwear[i].code, name, knitwear[i].brand, knitwear[i].colour,
                        demo__category_index(knitwear[i].category), knitwear[i].cents, knitwear[i].system,
                        (int32_t)g->nproducts, 1, at);
    }
    int64_t collection_id = 0;
    if (rc == TD_OK)
        rc = db_get_int64(g->db, "INSERT INTO collections (code, name, created_at) VALUES (?, ?, ?) RETURNING id",
                          &collection_id, "tti", DEMO_COLLECTION_CODE, DEMO_COLLECTION_NAME, at);
    for (int64_t p = regular; p < g->nproducts && rc == TD_OK; p += g->products[p].size_n)
        rc = db_run(g->db, "INSERT INTO collection_styles (collection_id, style_id) VALUES (?, ?)", NULL, "ii",
                    collection_id, (int64_t)g->products[p].style);
    /* Planned per store with the default first choice (the column's default). */
    for (int s = 0; s < NSTORES && rc == TD_OK; s++) {
        int days = 21;
        for (size_t k = 0; k < COUNT(arrivals); k++)
            if (strcmp(arrivals[k].store, demo_chain[s].code) == 0) days = arrivals[k].days;
        rc = db_run(g->db, "INSERT INTO collection_stores (collection_id, store_id, arrives_at) VALUES (?, ?, ?)", NULL,
                    "iii", collection_id, g->store_ids[s], morning_after(g, days));
    }
    /* Stock on hand of every sized sku in every store, as the last stock file said. */
    size_t n = 0, cap = (size_t)g->nproducts * NSTORES;
    struct stock_row *rows = rc == TD_OK ? malloc(cap * sizeof *rows) : NULL;
    if (rc == TD_OK && !rows) rc = TD_E_NOMEM;
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_STOCK, 0);
    for (int s = 0; s < NSTORES && rc == TD_OK; s++)
        for (int64_t p = 0; p < g->nproducts; p++)
            if (g->products[p].system >= 0)
                rows[n++] = (struct stock_row){g->store_ids[s], p + 1,
                                               on_hand(&r, &g->products[p], demo_chain[s].weight, p >= regular),
                                               g->cfg->end_us - (int64_t)rng_below(&r, 86400) * US};
    if (rc == TD_OK) rc = demo__write_stock(g, rows, n);
    free(rows);
    g->sum->styles = 0;
    for (int64_t p = 0; p < g->nproducts; p++) g->sum->styles += g->products[p].system >= 0 && g->products[p].size_i == 0;
    g->sum->products = g->nproducts;
    return rc;
}
