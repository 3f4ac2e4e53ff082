/* clienteling_load.c — reading what an arrival's matcher needs (see
 * clienteling_load.h).
 *
 * Two ways to read what the matcher needs, both one statement per kind of
 * fact over the whole set (never one query per customer), each row merged
 * into one array of candidates (struct crow) sorted by customer id:
 *
 *   one store       driven by the store's customers (those whose book is in
 *                   the store, and those without a book whose home store it
 *                   is) through the indexes: one read of the customers with
 *                   their associate, consent, contact details, tier, last
 *                   visit, objection, earlier outreach, marketing contacts of
 *                   30 days and whether this arrival matched them already;
 *                   then one read each of their stated sizes, their spend
 *                   per category (two years, with the size last bought
 *                   there), and their likes and dislikes. An arrival costs
 *                   what its own store has, not what the chain has.
 *   several stores  (a collection arriving chain-wide) each table read once,
 *                   whole, in storage order, and looked up by id in an array
 *                   indexed by customer id: a million customers cost a
 *                   million rows of each kind once, instead of every store
 *                   walking the indexes for its share.
 *
 * Either way the same handlers fold the rows into the candidates: the
 * category spent most in (the first one on a tie), the size of the first
 * category, in the collection's order, whose size of theirs (stated, else
 * learned from purchases) has stock in their store, likes and dislikes
 * among the collection's facets. The matcher (clienteling_match.c) then
 * decides on plain structs, store by store (clienteling.c).
 *
 * Memory: one struct crow (about 80 bytes) per customer read (the whole
 * chain for several stores). */
#include "domain/clienteling_load.h"

#include <stdlib.h>
#include <string.h>
#include "core/status.h"
#include "core/text.h"
#include "core/vec.h"
#include "db/db.h"

#define DAY_US FACTS_DAY_US
#define TWO_YEARS_US (730 * DAY_US)

struct crow *cl_load_find(struct load *l, int64_t id)
{
    if (l->map) {
        if (id < l->base || id - l->base >= l->span || l->map[id - l->base] < 0)
            return NULL;
        return &l->v[l->map[id - l->base]];
    }
    size_t lo = 0, hi = l->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (l->v[mid].id < id)
            lo = mid + 1;
        else if (l->v[mid].id > id)
            hi = mid;
        else
            return &l->v[mid];
    }
    return NULL;
}

/* Builds the id map when the ids span at most 4 times their number (a
 * chain's customers, numbered from 1); otherwise cl_load_find() searches. */
static int map_ids(struct load *l)
{
    if (l->n == 0)
        return TD_OK;
    l->base = l->v[0].id;
    l->span = l->v[l->n - 1].id - l->base + 1;
    if (l->span > 4 * (int64_t)l->n + 1024)
        return TD_OK;
    if (!(l->map = malloc((size_t)l->span * sizeof *l->map)))
        return TD_E_NOMEM;
    memset(l->map, 0xff, (size_t)l->span * sizeof *l->map);
    for (size_t i = 0; i < l->n; i++)
        l->map[l->v[i].id - l->base] = (int32_t)i;
    return TD_OK;
}

/* A new candidate at the end of l (ids come in ascending order). */
static struct crow *add_row(struct load *l, int64_t id, uint16_t store, int *rc)
{
    if ((*rc = vec_grow(&l->v, &l->cap, l->n, sizeof *l->v, 1024)) != TD_OK)
        return NULL;
    struct crow *r = &l->v[l->n++];
    memset(r, 0, sizeof *r);
    r->id = id;
    r->store = store;
    r->days_since_visit = -1;
    r->best_cat = -1;
    r->size_cat = -1;
    r->liked = -1;
    return r;
}

static int add_facet(struct facets *f, const char *kind, const char *value)
{
    if (!value || !value[0])
        return TD_OK;
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->kind[i], kind) == 0 && strcmp(f->value[i], value) == 0)
            return TD_OK;
    if (f->n == FACETS_MAX)
        return TD_OK;                   /* a collection of more than 256 facets: the first ones count */
    text_copy_cut(f->kind[f->n], sizeof f->kind[0], kind);
    text_copy_cut(f->value[f->n], sizeof f->value[0], value);
    f->sizes[f->n][0] = '\0';
    f->n++;
    return TD_OK;
}

static bool size_listed(const char *list, const char *size)
{
    for (const char *p = list; *p; p += strlen(p) + 1)
        if (strcmp(p, size) == 0)
            return true;
    return false;
}

static void add_size(char *list, size_t cap, const char *size)
{
    if (!size || !size[0] || size_listed(list, size))
        return;
    size_t used = 0;
    for (const char *p = list; *p; p += strlen(p) + 1)
        used += strlen(p) + 1;
    size_t len = strlen(size);
    if (used + len + 2 > cap)
        return;
    memcpy(list + used, size, len + 1);
    list[used + len + 1] = '\0';
}

static int facet_cmp(const struct facets *f, const char *kind, const char *value, size_t i)
{
    int d = strcmp(kind, f->kind[i]);
    return d ? d : strcmp(value, f->value[i]);
}

/* Sorts by_name (an insertion sort: at most FACETS_MAX facets, once). */
static void index_facets(struct facets *f)
{
    for (size_t i = 0; i < f->n; i++) {
        size_t j = i;
        while (j > 0 && facet_cmp(f, f->kind[i], f->value[i], f->by_name[j - 1]) < 0) {
            f->by_name[j] = f->by_name[j - 1];
            j--;
        }
        f->by_name[j] = (uint16_t)i;
    }
}

/* The index of the facet (kind, value), or -1 when the collection has none. */
static int facet_of(const struct facets *f, const char *kind, const char *value)
{
    size_t lo = 0, hi = f->n;
    if (!kind || !value)
        return -1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int d = facet_cmp(f, kind, value, f->by_name[mid]);
        if (d == 0)
            return f->by_name[mid];
        if (d < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

static int category_of(const struct facets *f, const char *cat)
{
    for (size_t i = 0; cat && i < f->n_cat; i++)
        if (strcmp(f->value[i], cat) == 0)
            return (int)i;
    return -1;
}

static const char SQL_FACET_CATEGORIES[] =
    "SELECT DISTINCT s.category FROM collection_styles cs JOIN styles s ON s.id = cs.style_id"
    " WHERE cs.collection_id = ? ORDER BY s.category";
static const char SQL_FACETS[] =
    "SELECT s.code, s.brand, s.colour FROM collection_styles cs JOIN styles s ON s.id = cs.style_id"
    " WHERE cs.collection_id = ? ORDER BY s.code";
static const char SQL_SIZES_IN_STOCK[] =
    "SELECT s.category, p.size FROM collection_styles cs JOIN styles s ON s.id = cs.style_id"
    " JOIN products p ON p.style_id = s.id JOIN stock k ON k.product_id = p.id AND k.store_id = ?"
    " WHERE cs.collection_id = ? AND k.on_hand - k.held > 0 AND p.size IS NOT NULL";

int cl_load_facets(struct db *db, int64_t collection_id, int64_t store_id, struct facets *f)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FACET_CATEGORIES, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", collection_id);
    while (db_next(st, &rc))
        if (f->n < CATEGORIES_MAX)
            rc = add_facet(f, "category", db_col_text(st, 0));
    db_done(st);
    if (rc != TD_DONE)
        return rc;
    f->n_cat = f->n;
    rc = db_prepare(db, SQL_FACETS, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", collection_id);
    while (db_next(st, &rc)) {
        rc = add_facet(f, "style", db_col_text(st, 0));
        if (rc == TD_OK) rc = add_facet(f, "brand", db_col_text(st, 1));
        if (rc == TD_OK) rc = add_facet(f, "colour", db_col_text(st, 2));
    }
    db_done(st);
    if (rc != TD_DONE)
        return rc;
    index_facets(f);
    rc = db_prepare(db, SQL_SIZES_IN_STOCK, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "ii", store_id, collection_id);
    while (db_next(st, &rc)) {
        int k = category_of(f, db_col_text(st, 0));
        if (k >= 0)
            add_size(f->sizes[k], sizeof f->sizes[k], db_col_text(st, 1));
    }
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

/* The store's customers (binds: store, store): those whose book is in this
 * store, and those without a book whose home store it is. */
#define SQL_STORE_CUSTOMERS                                                                          \
    "SELECT customer_id AS id, staff_id FROM customer_associates WHERE store_id = ?"                 \
    " UNION ALL SELECT h.id, NULL FROM customers h WHERE h.home_store_id = ?"                        \
    " AND NOT EXISTS (SELECT 1 FROM customer_associates b WHERE b.customer_id = h.id)"

/* ---- the facts of one row, whichever read it came from ------------------ */

static void set_contact(struct crow *r, int64_t email_ok, int64_t phone_ok, int64_t has_email, int64_t has_phone,
                        int64_t loyal)
{
    r->flags |= (uint16_t)((email_ok ? F_EMAIL_OK : 0) | (phone_ok ? F_PHONE_OK : 0) |
                           (has_email ? F_HAS_EMAIL : 0) | (has_phone ? F_HAS_PHONE : 0) | (loyal ? F_LOYAL : 0));
    r->tier = (uint8_t)facts_tier((r->flags & F_LOYAL) != 0, 0);
}

/* customer_facts: tier and days since the last visit (none: never bought). */
static void set_facts(struct crow *r, const struct dctx *c, int64_t lifetime_cents, bool has_last, int64_t last_at)
{
    r->tier = (uint8_t)facts_tier((r->flags & F_LOYAL) != 0, lifetime_cents);
    r->days_since_visit = has_last ? (int32_t)((c->now_us - last_at) / DAY_US) : -1;
    if (r->days_since_visit < -1)
        r->days_since_visit = 0;
}

static void set_outreach(struct crow *r, int64_t answered, int64_t ignored, int64_t dnc)
{
    r->answered = (int16_t)answered;
    r->ignored = (int16_t)ignored;
    if (dnc)
        r->flags |= F_DNC;
}


/* Keeps size (of category k) when it has stock in the customer's store and
 * no earlier category of the collection gave one. */
static void offer_size(struct crow *r, int k, const char *size, bool learned, const struct facets *f)
{
    if (!size || !size[0] || (r->size_cat >= 0 && r->size_cat < k) || !size_listed(f->sizes[k], size))
        return;
    text_copy_cut(r->size, sizeof r->size, size);
    r->size_cat = (int8_t)k;
    r->flags = (uint16_t)(learned ? r->flags | F_SIZE_LEARNED : r->flags & ~F_SIZE_LEARNED);
}

/* A stated size (column 1 the category, 2 the size): read before the spend,
 * because it wins over the size learned in the same category. */
static void on_stated(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    const struct facets *f = &rd->f[r->store];
    int k = category_of(f, db_col_text(st, 1));
    if (k < 0)
        return;
    r->stated |= UINT64_C(1) << k;
    offer_size(r, k, db_col_text(st, 2), false, f);
}

/* Spend of two years (columns: category, cents, size last bought). */
static void on_spend(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    const struct facets *f = &rd->f[r->store];
    int k = category_of(f, db_col_text(st, 1));
    if (k < 0)
        return;
    int64_t spend = db_col_int64(st, 2);
    r->spend_cents += spend;
    if (r->best_cat < 0 || spend > r->best_cat_spend || (spend == r->best_cat_spend && k < r->best_cat)) {
        r->best_cat_spend = spend;
        r->best_cat = (int8_t)k;
    }
    if (!(r->stated & (UINT64_C(1) << k)))
        offer_size(r, k, db_col_text(st, 3), true, f);
}

/* A like or dislike (columns: kind, value, sentiment); liked is the first
 * liked facet in the collection's order. */
static void on_pref(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    const struct facets *f = &rd->f[r->store];
    int k = facet_of(f, db_col_text(st, 1), db_col_text(st, 2));
    if (k < 0)
        return;
    if (db_col_int64(st, 3) > 0) {
        if (r->liked < 0 || k < r->liked)
            r->liked = (int16_t)k;
        r->likes++;
    } else {
        r->dislikes++;
    }
}

typedef void fold_fn(const struct reader *rd, struct crow *r, struct db_stmt *st);

/* Steps st (rc: how preparing and binding went) and hands each row whose
 * column 0 is a candidate of one of the arrival's stores (of any store when
 * all) to fn; ends the statement's use. */
static int fold(struct reader *rd, struct load *l, struct db_stmt *st, int rc, fold_fn *fn, bool all)
{
    while (db_next(st, &rc)) {
        struct crow *r = cl_load_find(l, db_col_int64(st, 0));
        if (r && (all || r->store != NO_STORE))
            fn(rd, r, st);
    }
    return db_end(st, rc);
}

/* ---- one store: driven by its customers -------------------------------- */

/* Binds: 30 days ago, collection, store, store, store. */
static const char SQL_CANDIDATES[] =
    "SELECT c.id, x.staff_id, c.email_consent, c.phone_consent,"
    " CASE WHEN c.email IS NULL OR c.email = '' THEN 0 ELSE 1 END,"
    " CASE WHEN c.phone IS NULL OR c.phone = '' THEN 0 ELSE 1 END,"
    " CASE WHEN c.loyalty_number IS NULL THEN 0 ELSE 1 END,"
    " COALESCE(f.lifetime_spend_cents, 0), f.last_purchase_at,"
    " CASE WHEN EXISTS (SELECT 1 FROM customer_objections j WHERE j.customer_id = c.id) THEN 1 ELSE 0 END,"
    " COALESCE(o.answered, 0), COALESCE(o.ignored, 0), COALESCE(o.do_not_contact, 0),"
    " (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id AND k.at >= ? AND k.marketing = 1),"
    " CASE WHEN EXISTS (SELECT 1 FROM outreach_tasks t WHERE t.collection_id = ? AND t.store_id = ?"
    "  AND t.customer_id = c.id) THEN 1 ELSE 0 END"
    " FROM (" SQL_STORE_CUSTOMERS ") x JOIN customers c ON c.id = x.id"
    " LEFT JOIN customer_facts f ON f.customer_id = c.id LEFT JOIN customer_outreach o ON o.customer_id = c.id"
    " WHERE c.erased_at IS NULL ORDER BY c.id";
/* Binds: store, store. */
static const char SQL_STORE_STATED[] =
    "SELECT x.id, z.category, z.size FROM (" SQL_STORE_CUSTOMERS ") x"
    " JOIN customer_sizes z ON z.customer_id = x.id AND z.source = 'stated'";
/* Binds: store, store, two years ago. */
static const char SQL_STORE_SPEND[] =
    "SELECT x.id, s.category, s.spend_cents, s.last_size FROM (" SQL_STORE_CUSTOMERS ") x"
    " JOIN customer_category_spend s ON s.customer_id = x.id AND s.last_at >= ?";
static const char SQL_STORE_PREFS[] =
    "SELECT x.id, p.kind, p.value, p.sentiment FROM (" SQL_STORE_CUSTOMERS ") x"
    " JOIN customer_prefs p ON p.customer_id = x.id";

int cl_load_store(struct reader *rd, struct load *l)
{
    struct dctx *c = rd->c;
    int64_t store_id = rd->stores[0];
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_CANDIDATES, &st, "iiiii", c->now_us - 30 * DAY_US, rd->collection_id, store_id,
                      store_id, store_id);
    while (db_next(st, &rc)) {
        struct crow *r = add_row(l, db_col_int64(st, 0), 0, &rc);
        if (!r)
            break;
        r->staff_id = db_col_int64(st, 1);
        set_contact(r, db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5),
                    db_col_int64(st, 6));
        set_facts(r, c, db_col_int64(st, 7), !db_col_is_null(st, 8), db_col_int64(st, 8));
        set_outreach(r, db_col_int64(st, 10), db_col_int64(st, 11), db_col_int64(st, 12));
        r->flags |= (uint16_t)((db_col_int64(st, 9) ? F_OBJECTED : 0) | (db_col_int64(st, 14) ? F_DONE : 0));
        r->contacts = (int16_t)db_col_int64(st, 13);
    }
    if ((rc = db_end(st, rc)) != TD_OK || (rc = map_ids(l)) != TD_OK)
        return rc;
    rc = db_query(c->db, SQL_STORE_STATED, &st, "ii", store_id, store_id);
    if ((rc = fold(rd, l, st, rc, on_stated, false)) != TD_OK)
        return rc;
    rc = db_query(c->db, SQL_STORE_SPEND, &st, "iii", store_id, store_id, c->now_us - TWO_YEARS_US);
    if ((rc = fold(rd, l, st, rc, on_spend, false)) != TD_OK)
        return rc;
    rc = db_query(c->db, SQL_STORE_PREFS, &st, "ii", store_id, store_id);
    return fold(rd, l, st, rc, on_pref, false);
}

/* ---- several stores: every table once ----------------------------------- */

static const char SQL_ALL_CUSTOMERS[] =
    "SELECT id, COALESCE(home_store_id, 0), email_consent, phone_consent,"
    " CASE WHEN email IS NULL OR email = '' THEN 0 ELSE 1 END,"
    " CASE WHEN phone IS NULL OR phone = '' THEN 0 ELSE 1 END,"
    " CASE WHEN loyalty_number IS NULL THEN 0 ELSE 1 END"
    " FROM customers WHERE erased_at IS NULL ORDER BY id";
static const char SQL_ALL_BOOKS[] = "SELECT customer_id, store_id, staff_id FROM customer_associates";
static const char SQL_ALL_FACTS[] =
    "SELECT customer_id, lifetime_spend_cents, last_purchase_at FROM customer_facts";
static const char SQL_ALL_OBJECTIONS[] = "SELECT customer_id FROM customer_objections";
static const char SQL_ALL_OUTREACH[] =
    "SELECT customer_id, answered, ignored, do_not_contact FROM customer_outreach";
static const char SQL_ALL_CONTACTS[] =
    "SELECT customer_id, COUNT(*) FROM contacts WHERE at >= ? AND marketing = 1 GROUP BY customer_id";
static const char SQL_ALL_DONE[] = "SELECT customer_id, store_id FROM outreach_tasks WHERE collection_id = ?";
static const char SQL_ALL_STATED[] = "SELECT customer_id, category, size FROM customer_sizes WHERE source = 'stated'";
static const char SQL_ALL_SPEND[] =
    "SELECT customer_id, category, spend_cents, last_size FROM customer_category_spend WHERE last_at >= ?";
static const char SQL_ALL_PREFS[] = "SELECT customer_id, kind, value, sentiment FROM customer_prefs";

static uint16_t store_index(const struct reader *rd, int64_t store_id)
{
    for (size_t i = 0; i < rd->n_stores; i++)
        if (rd->stores[i] == store_id)
            return (uint16_t)i;
    return NO_STORE;
}

static void on_book(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    r->store = store_index(rd, db_col_int64(st, 1));
    r->staff_id = db_col_int64(st, 2);
}

static void on_facts(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    set_facts(r, rd->c, db_col_int64(st, 1), !db_col_is_null(st, 2), db_col_int64(st, 2));
}

static void on_objection(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    (void)rd, (void)st;
    r->flags |= F_OBJECTED;
}

static void on_outreach(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    (void)rd;
    set_outreach(r, db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3));
}

static void on_contacts(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    (void)rd;
    r->contacts = (int16_t)db_col_int64(st, 1);
}

/* Matched already: by this arrival in the customer's own store. */
static void on_done(const struct reader *rd, struct crow *r, struct db_stmt *st)
{
    if (rd->stores[r->store] == db_col_int64(st, 1))
        r->flags |= F_DONE;
}

enum { BIND_NONE, BIND_30_DAYS, BIND_COLLECTION, BIND_TWO_YEARS };

int cl_load_chain(struct reader *rd, struct load *l)
{
    /* In this order: the book decides the store (and the associate) over
     * the home store; stated sizes come before the spend (see on_stated). */
    static const struct {
        const char *sql;
        int bind;
        fold_fn *fn;
        bool all;
    } passes[] = {
        {SQL_ALL_BOOKS, BIND_NONE, on_book, true},
        {SQL_ALL_FACTS, BIND_NONE, on_facts, false},
        {SQL_ALL_OBJECTIONS, BIND_NONE, on_objection, false},
        {SQL_ALL_OUTREACH, BIND_NONE, on_outreach, false},
        {SQL_ALL_CONTACTS, BIND_30_DAYS, on_contacts, false},
        {SQL_ALL_DONE, BIND_COLLECTION, on_done, false},
        {SQL_ALL_STATED, BIND_NONE, on_stated, false},
        {SQL_ALL_SPEND, BIND_TWO_YEARS, on_spend, false},
        {SQL_ALL_PREFS, BIND_NONE, on_pref, false},
    };
    struct dctx *c = rd->c;
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_ALL_CUSTOMERS, &st, "");
    while (db_next(st, &rc)) {
        struct crow *r = add_row(l, db_col_int64(st, 0), store_index(rd, db_col_int64(st, 1)), &rc);
        if (!r)
            break;
        set_contact(r, db_col_int64(st, 2), db_col_int64(st, 3), db_col_int64(st, 4), db_col_int64(st, 5),
                    db_col_int64(st, 6));
    }
    if ((rc = db_end(st, rc)) != TD_OK || (rc = map_ids(l)) != TD_OK)
        return rc;
    for (size_t i = 0; rc == TD_OK && i < sizeof passes / sizeof passes[0]; i++) {
        int64_t v = passes[i].bind == BIND_30_DAYS      ? c->now_us - 30 * DAY_US
                    : passes[i].bind == BIND_COLLECTION ? rd->collection_id
                                                        : c->now_us - TWO_YEARS_US;
        st = NULL;
        rc = db_prepare(c->db, passes[i].sql, &st);
        if (rc == TD_OK && passes[i].bind != BIND_NONE)
            rc = db_bind_int64(st, 1, v);
        rc = fold(rd, l, st, rc, passes[i].fn, passes[i].all);
    }
    return rc;
}

void cl_load_candidate(const struct crow *r, const struct facets *f, struct cl_candidate *out)
{
    *out = (struct cl_candidate){
        .customer_id = r->id,
        .associate_id = r->staff_id,
        .tier = r->tier,
        .category_spend_cents = r->spend_cents,
        .category = r->best_cat >= 0 ? f->value[r->best_cat] : "",
        .days_since_visit = r->days_since_visit,
        .likes = r->likes,
        .liked = r->liked >= 0 ? f->value[r->liked] : "",
        .dislikes = r->dislikes,
        .answered = r->answered,
        .ignored = r->ignored,
        .do_not_contact = (r->flags & F_DNC) != 0,
        .email_consent = (r->flags & F_EMAIL_OK) != 0,
        .phone_consent = (r->flags & F_PHONE_OK) != 0,
        .has_email = (r->flags & F_HAS_EMAIL) != 0,
        .has_phone = (r->flags & F_HAS_PHONE) != 0,
        .objected = (r->flags & F_OBJECTED) != 0,
        .contacts_30d = r->contacts,
        .size = r->size[0] ? r->size : NULL,
        .size_learned = (r->flags & F_SIZE_LEARNED) != 0,
    };
}

void cl_load_free(struct load *l)
{
    free(l->map);
    free(l->v);
    *l = (struct load){0};
}
