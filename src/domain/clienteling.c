/* clienteling.c — loading an arrival's candidates and writing its outreach
 * (see clienteling.h).
 *
 * Every read is driven by the store's customers and walks the indexes from
 * them, so an arrival costs what its own store has, not what the chain has
 * (one store of a million-customer chain reads about 1/12 of the rows).
 * Three reads per arrival, each one statement over the whole set:
 *
 *   customers    the store's customers (those whose book is in this store,
 *                and those without a book whose home store it is), with
 *                their associate, consent, contact details, tier, last
 *                visit, objection, earlier outreach, marketing contacts of
 *                30 days and whether this arrival matched them already
 *   categories   per customer and category of the collection: the spend of
 *                two years and the size learned from the last purchase
 *                there, and the stated size (which wins), checked against
 *                the sizes with stock available in this store
 *   likes        each customer's likes and dislikes, looked up among the
 *                collection's facets (categories, style codes, brands,
 *                colours)
 *
 * The matcher (clienteling_match.c) then decides on plain structs, and the
 * rows are written CL_BATCH to one INSERT (one statement, not one per task:
 * on PostgreSQL each statement is a round trip).
 *
 * Memory: one struct crow (about 80 bytes) and one struct cl_result (about
 * 140 bytes) per customer of the store. */
#include "domain/clienteling.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/status.h"
#include "db/db.h"
#include "domain/clienteling_internal.h"
#include "domain/facts.h"

#define FACETS_MAX 256
#define FACET_SZ 64
#define SIZE_SZ 12
#define DAY_US FACTS_DAY_US
#define TWO_YEARS_US (730 * DAY_US)

enum { F_EMAIL_OK = 1, F_PHONE_OK = 2, F_HAS_EMAIL = 4, F_HAS_PHONE = 8, F_OBJECTED = 16, F_DNC = 32, F_DONE = 64,
       F_SIZE_LEARNED = 128 };

struct crow {
    int64_t id, staff_id, spend_cents, best_cat_spend;
    int32_t days_since_visit;
    uint16_t flags;
    uint8_t tier;
    int8_t best_cat;                    /* index into the collection's categories, -1 none */
    int8_t size_cat;                    /* the category the size is from, -1 none */
    int16_t likes, dislikes, liked;     /* liked: facet index, -1 none */
    int16_t answered, ignored, contacts;
    char size[SIZE_SZ];                 /* a size of theirs in stock here */
};

/* What the collection is made of in this store. */
struct facets {
    size_t n_cat, n;                    /* categories are facets[0..n_cat) */
    char kind[FACETS_MAX][12];          /* "category", "brand", "colour", "style" */
    char value[FACETS_MAX][FACET_SZ];
    /* sizes with stock available, per category: "M\0L\0" lists */
    char sizes[FACETS_MAX][256];
    uint16_t by_name[FACETS_MAX];       /* facet indexes sorted by (kind, value) */
};

struct load {
    struct crow *v;
    size_t n, cap;
};

static struct crow *find(struct load *l, int64_t id)
{
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

/* Set once by clienteling_rules_from_env() before any thread starts. */
static struct cl_rules chain_rules = {.contact_cap_30d = 2, .holdout_permille = 100, .daily_cap_per_associate = 25};

void clienteling_rules_default(struct cl_rules *out)
{
    *out = chain_rules;
}

/* One setting: unset or empty keeps *v; otherwise a whole number lo..hi. */
static int rule_env(const char *name, long lo, long hi, int *v, char *why, size_t n)
{
    const char *s = getenv(name);
    if (!s || !*s)
        return TD_OK;
    char *end;
    long x = strtol(s, &end, 10);
    if (*end || x < lo || x > hi) {
        snprintf(why, n, "%s must be a whole number from %ld to %ld", name, lo, hi);
        return TD_E_INVALID;
    }
    *v = (int)x;
    return TD_OK;
}

int clienteling_rules_from_env(char *why, size_t n)
{
    struct cl_rules r = chain_rules;
    int pct = r.holdout_permille / 10;
    int rc = rule_env("TRUSTDESK_CONTACT_CAP", 0, 20, &r.contact_cap_30d, why, n);
    if (rc == TD_OK) rc = rule_env("TRUSTDESK_HOLDOUT_PERCENT", 0, 50, &pct, why, n);
    if (rc == TD_OK) rc = rule_env("TRUSTDESK_TASKS_PER_ASSOCIATE", 1, 500, &r.daily_cap_per_associate, why, n);
    if (rc != TD_OK)
        return rc;
    r.holdout_permille = pct * 10;
    chain_rules = r;
    return TD_OK;
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
    cl__copy(f->kind[f->n], sizeof f->kind[0], kind);
    cl__copy(f->value[f->n], sizeof f->value[0], value);
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

static int load_facets(struct db *db, int64_t collection_id, int64_t store_id, struct facets *f)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, SQL_FACET_CATEGORIES, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", collection_id);
    while (cl__step(st, &rc))
        rc = add_facet(f, "category", db_col_text(st, 0));
    db_done(st);
    if (rc != TD_DONE)
        return rc;
    f->n_cat = f->n;
    rc = db_prepare(db, SQL_FACETS, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", collection_id);
    while (cl__step(st, &rc)) {
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
    while (cl__step(st, &rc)) {
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

static int grow(struct load *l)
{
    if (l->n < l->cap)
        return TD_OK;
    size_t cap = l->cap ? l->cap * 2 : 1024;
    struct crow *v = realloc(l->v, cap * sizeof *v);
    if (!v)
        return TD_E_NOMEM;
    l->v = v, l->cap = cap;
    return TD_OK;
}

static int load_candidates(struct dctx *c, int64_t collection_id, int64_t store_id, struct load *l)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_CANDIDATES, &st, "iiiii", c->now_us - 30 * DAY_US, collection_id, store_id,
                      store_id, store_id);
    while (cl__step(st, &rc) && (rc = grow(l)) == TD_OK) {
        struct crow *r = &l->v[l->n++];
        memset(r, 0, sizeof *r);
        r->id = db_col_int64(st, 0);
        r->staff_id = db_col_int64(st, 1);
        r->flags = (uint16_t)((db_col_int64(st, 2) ? F_EMAIL_OK : 0) | (db_col_int64(st, 3) ? F_PHONE_OK : 0) |
                              (db_col_int64(st, 4) ? F_HAS_EMAIL : 0) | (db_col_int64(st, 5) ? F_HAS_PHONE : 0) |
                              (db_col_int64(st, 9) ? F_OBJECTED : 0) | (db_col_int64(st, 12) ? F_DNC : 0) |
                              (db_col_int64(st, 14) ? F_DONE : 0));
        r->tier = (uint8_t)facts_tier((int)db_col_int64(st, 6), db_col_int64(st, 7));
        r->days_since_visit = db_col_is_null(st, 8) ? -1
                                                    : (int32_t)((c->now_us - db_col_int64(st, 8)) / DAY_US);
        if (r->days_since_visit < -1)
            r->days_since_visit = 0;
        r->answered = (int16_t)db_col_int64(st, 10);
        r->ignored = (int16_t)db_col_int64(st, 11);
        r->contacts = (int16_t)db_col_int64(st, 13);
        r->best_cat = -1;
        r->size_cat = -1;
        r->liked = -1;
    }
    return db_end(st, rc);
}

/* Per customer of the store and category of the collection, what they
 * spent there in two years (and the size they last bought) and the size
 * they stated. Binds: two years ago, store, store, collection. */
static const char SQL_CATEGORIES[] =
    "SELECT x.id, k.category, s.spend_cents, s.last_size, z.size,"
    " CASE WHEN s.customer_id IS NULL THEN 0 ELSE 1 END"
    " FROM (" SQL_STORE_CUSTOMERS ") x"
    " CROSS JOIN (SELECT DISTINCT y.category FROM collection_styles cs JOIN styles y ON y.id = cs.style_id"
    "  WHERE cs.collection_id = ?) k"
    " LEFT JOIN customer_category_spend s ON s.customer_id = x.id AND s.category = k.category AND s.last_at >= ?"
    " LEFT JOIN customer_sizes z ON z.customer_id = x.id AND z.category = k.category AND z.source = 'stated'"
    " WHERE s.customer_id IS NOT NULL OR z.customer_id IS NOT NULL";

/* One (customer, category) row. The category spent most in wins (the
 * first category on a tie); the size is the one of the first category,
 * in the collection's order, whose size of theirs (stated, else learned)
 * has stock here. */
static void on_category(struct crow *r, int k, struct db_stmt *st, const struct facets *f)
{
    if (db_col_int64(st, 5)) {
        int64_t spend = db_col_int64(st, 2);
        r->spend_cents += spend;
        if (r->best_cat < 0 || spend > r->best_cat_spend || (spend == r->best_cat_spend && k < r->best_cat)) {
            r->best_cat_spend = spend;
            r->best_cat = (int8_t)k;
        }
    }
    bool stated = !db_col_is_null(st, 4);
    const char *size = stated ? db_col_text(st, 4) : db_col_text(st, 3);
    if (!size || !size[0] || (r->size_cat >= 0 && r->size_cat < k) || !size_listed(f->sizes[k], size))
        return;
    cl__copy(r->size, sizeof r->size, size);
    r->size_cat = (int8_t)k;
    r->flags = (uint16_t)(stated ? r->flags & ~F_SIZE_LEARNED : r->flags | F_SIZE_LEARNED);
}

/* Each customer's likes and dislikes. Binds: store, store. */
static const char SQL_PREFS[] =
    "SELECT x.id, p.kind, p.value, p.sentiment FROM (" SQL_STORE_CUSTOMERS ") x"
    " JOIN customer_prefs p ON p.customer_id = x.id";

static int load_signals(struct dctx *c, struct load *l, const struct facets *f, int64_t collection_id,
                        int64_t store_id)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_CATEGORIES, &st, "iiii", store_id, store_id, collection_id,
                      c->now_us - TWO_YEARS_US);
    while (cl__step(st, &rc)) {
        struct crow *r = find(l, db_col_int64(st, 0));
        int k = category_of(f, db_col_text(st, 1));
        if (r && k >= 0)
            on_category(r, k, st, f);
    }
    if ((rc = db_end(st, rc)) != TD_OK)
        return rc;
    rc = db_query(c->db, SQL_PREFS, &st, "ii", store_id, store_id);
    while (cl__step(st, &rc)) {
        struct crow *r = find(l, db_col_int64(st, 0));
        int k = r ? facet_of(f, db_col_text(st, 1), db_col_text(st, 2)) : -1;
        if (k < 0)
            continue;
        if (db_col_int64(st, 3) > 0) {
            if (r->liked < 0 || k < r->liked)
                r->liked = (int16_t)k;
            r->likes++;
        } else {
            r->dislikes++;
        }
    }
    return db_end(st, rc);
}

static void to_candidate(const struct crow *r, const struct facets *f, struct cl_candidate *out)
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

static const char SQL_ARRIVAL[] =
    "SELECT arrives_at, first_choice_hours, arrived_at, holdout_key FROM collection_stores"
    " WHERE collection_id = ? AND store_id = ?";
static const char SQL_ARRIVAL_SET[] =
    "UPDATE collection_stores SET arrived_at = ?, holdout_key = ? WHERE collection_id = ? AND store_id = ?"
    " AND arrived_at IS NULL";
static const char SQL_STAFF[] =
    "SELECT id FROM staff WHERE store_id = ? AND active = 1 AND role IN ('associate', 'manager') ORDER BY id";
static const char SQL_LOADS[] =
    "SELECT staff_id, COUNT(*) FROM outreach_tasks WHERE store_id = ? AND due_day = ? AND staff_id IS NOT NULL"
    " GROUP BY staff_id";

/* The rows of an arrival go CL_BATCH to a statement; the rest one by one. */
#define CL_BATCH 32
#define TASK_COLS_N 13
#define TASK_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define TASK_ROWS4 TASK_ROW ", " TASK_ROW ", " TASK_ROW ", " TASK_ROW
#define TASK_ROWS16 TASK_ROWS4 ", " TASK_ROWS4 ", " TASK_ROWS4 ", " TASK_ROWS4
#define TASK_INSERT(rows)                                                                            \
    "INSERT INTO outreach_tasks (collection_id, store_id, customer_id, staff_id, status, score, channel, why_nl,"  \
    " why_en, size, due_day, lapses_at, created_at) VALUES " rows                                    \
    " ON CONFLICT (collection_id, store_id, customer_id) DO NOTHING"
static const char SQL_TASK[] = TASK_INSERT(TASK_ROW);
static const char SQL_TASKS[] = TASK_INSERT(TASK_ROWS16 ", " TASK_ROWS16);

struct arrival {
    int64_t arrives_at, hours, arrived_at;
    uint8_t key[CL_HOLDOUT_KEY_BYTES];
    bool has_key;
};

static int read_arrival(struct dctx *c, int64_t collection_id, int64_t store_id, struct arrival *a)
{
    struct db_stmt *st = NULL;
    memset(a, 0, sizeof *a);
    int rc = db_prepare(c->db, SQL_ARRIVAL, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "ii", collection_id, store_id);
    if (rc == TD_OK)
        rc = db_step(st);
    if (rc == TD_ROW) {
        a->arrives_at = db_col_int64(st, 0);
        a->hours = db_col_int64(st, 1);
        a->arrived_at = db_col_int64(st, 2);
        const char *hex = db_col_text(st, 3);
        size_t got = 0;
        a->has_key = hex && sodium_hex2bin(a->key, sizeof a->key, hex, strlen(hex), NULL, &got, NULL) == 0 &&
                     got == sizeof a->key;
        rc = TD_OK;
    } else if (rc == TD_DONE) {
        rc = TD_E_NOT_FOUND;
    }
    db_done(st);
    return rc;
}

static int load_staff(struct db *db, int64_t store_id, int64_t day, struct cl_load *loads, size_t *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, SQL_STAFF, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "i", store_id);
    while (cl__step(st, &rc))
        if (*n < CL_STAFF_MAX)
            loads[(*n)++] = (struct cl_load){.staff_id = db_col_int64(st, 0)};
    db_done(st);
    if (rc != TD_DONE)
        return rc;
    rc = db_prepare(db, SQL_LOADS, &st);
    if (rc == TD_OK)
        rc = db_bindf(st, "ii", store_id, day);
    while (cl__step(st, &rc))
        for (size_t i = 0; i < *n; i++)
            if (loads[i].staff_id == db_col_int64(st, 0))
                loads[i].used = (int)db_col_int64(st, 1);
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

static void count_staff(struct cl_arrival_summary *out, int64_t staff_id)
{
    for (size_t i = 0; i < out->n_staff; i++)
        if (out->staff[i].staff_id == staff_id) {
            out->staff[i].tasks++;
            return;
        }
    if (out->n_staff < CL_STAFF_MAX + 1)
        out->staff[out->n_staff++] = (struct cl_staff_count){.staff_id = staff_id, .tasks = 1};
}

/* One row to write: a task (or hold-out) of the customer l->v[at]. */
struct pending {
    uint32_t at;
    bool holdout;
    int64_t staff_id;                   /* 0: the store pool */
};

/* What the writer needs besides the rows. */
struct writer {
    struct dctx *c;
    int64_t collection_id, store_id, day, lapses_at;
    const struct load *l;
    const struct cl_result *results;
    char why[CL_BATCH][2][512];         /* the reasons of one batch, bound without a copy */
};

static int bind_row(struct writer *w, struct db_stmt *st, int base, int slot, const struct pending *p)
{
    const struct crow *r = &w->l->v[p->at];
    const struct cl_result *res = &w->results[p->at];
    cl_why_render(res, "nl", w->why[slot][0], sizeof w->why[slot][0]);
    cl_why_render(res, "en", w->why[slot][1], sizeof w->why[slot][1]);
    int64_t ints[] = {w->collection_id, w->store_id, r->id};
    int rc = TD_OK;
    for (int i = 0; i < 3 && rc == TD_OK; i++)
        rc = db_bind_int64(st, base + i + 1, ints[i]);
    if (rc == TD_OK) rc = p->staff_id ? db_bind_int64(st, base + 4, p->staff_id) : db_bind_null(st, base + 4);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 5, p->holdout ? "holdout" : "open");
    if (rc == TD_OK) rc = db_bind_int64(st, base + 6, res->score);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 7, res->channel == CL_CHANNEL_PHONE ? "phone" : "email");
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 8, w->why[slot][0]);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 9, w->why[slot][1]);
    if (rc == TD_OK) rc = db_bind_text_static(st, base + 10, r->size);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 11, w->day);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 12, w->lapses_at);
    if (rc == TD_OK) rc = db_bind_int64(st, base + 13, w->c->now_us);
    return rc;
}

/* Writes rows p[0..n) in statements of CL_BATCH rows and single rows. */
static int write_rows(struct writer *w, const struct pending *p, size_t n)
{
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK;) {
        size_t k = n - i >= CL_BATCH ? CL_BATCH : 1;
        struct db_stmt *st = NULL;
        rc = db_prepare(w->c->db, k == CL_BATCH ? SQL_TASKS : SQL_TASK, &st);
        for (size_t j = 0; j < k && rc == TD_OK; j++)
            rc = bind_row(w, st, (int)j * TASK_COLS_N, (int)j, &p[i + j]);
        if (rc == TD_OK && (rc = db_step(st)) == TD_DONE)
            rc = TD_OK;
        db_done(st);
        i += k;
    }
    return rc;
}

int clienteling_arrive(struct dctx *c, const struct cl_rules *rules, int64_t collection_id, int64_t store_id,
                       bool write, struct cl_arrival_summary *out)
{
    struct load l = {0};
    struct facets *f = NULL;
    struct cl_ranked *ranked = NULL;
    struct cl_result *results = NULL;
    struct pending *rows = NULL;
    struct writer *w = NULL;
    struct arrival a;
    memset(out, 0, sizeof *out);
    int rc = read_arrival(c, collection_id, store_id, &a);
    if (rc != TD_OK)
        goto out;
    if (!a.has_key)
        randombytes_buf(a.key, sizeof a.key);
    out->arrived_at = a.arrived_at ? a.arrived_at : c->now_us;
    out->lapses_at = out->arrived_at + a.hours * 3600 * INT64_C(1000000);
    if (write && !a.arrived_at) {
        char hex[2 * CL_HOLDOUT_KEY_BYTES + 1];
        sodium_bin2hex(hex, sizeof hex, a.key, sizeof a.key);
        rc = db_run(c->db, SQL_ARRIVAL_SET, NULL, "itii", out->arrived_at, hex, collection_id, store_id);
        if (rc != TD_OK)
            goto out;
    }
    if (!(f = calloc(1, sizeof *f))) {
        rc = TD_E_NOMEM;
        goto out;
    }
    if ((rc = load_facets(c->db, collection_id, store_id, f)) != TD_OK) goto out;
    if ((rc = load_candidates(c, collection_id, store_id, &l)) != TD_OK) goto out;
    if ((rc = load_signals(c, &l, f, collection_id, store_id)) != TD_OK) goto out;
    out->candidates = (int64_t)l.n;

    size_t cap = l.n ? l.n : 1;
    ranked = malloc(cap * sizeof *ranked);
    results = malloc(cap * sizeof *results);
    rows = malloc(cap * sizeof *rows);
    if (!ranked || !results || !rows) {
        rc = TD_E_NOMEM;
        goto out;
    }
    size_t n_ranked = 0, n_rows = 0;
    int64_t day = c->now_us / DAY_US;
    for (size_t i = 0; i < l.n; i++) {
        const struct crow *r = &l.v[i];
        if (r->flags & F_DONE) {
            out->already++;
            continue;
        }
        struct cl_candidate cand;
        to_candidate(r, f, &cand);
        cl_match(rules, &cand, &results[i]);
        if (results[i].skip != CL_OK) {
            out->skipped[results[i].skip]++;
            continue;
        }
        out->matched++;
        if (cl_holdout(a.key, r->id, rules->holdout_permille)) {
            out->holdout++;
            rows[n_rows++] = (struct pending){.at = (uint32_t)i, .holdout = true};
            continue;
        }
        ranked[n_ranked++] = (struct cl_ranked){.customer_id = r->id, .associate_id = r->staff_id,
                                                .score = results[i].score};
    }
    struct cl_load loads[CL_STAFF_MAX];
    size_t n_loads = 0;
    if ((rc = load_staff(c->db, store_id, day, loads, &n_loads)) != TD_OK)
        goto out;
    cl_assign(rules, ranked, n_ranked, loads, n_loads);
    out->n_staff = 1;                   /* the pool first, even when empty */
    for (size_t i = 0; i < n_ranked; i++) {
        count_staff(out, ranked[i].assigned_to);
        out->tasks++;
        rows[n_rows++] = (struct pending){.at = (uint32_t)(find(&l, ranked[i].customer_id) - l.v),
                                          .staff_id = ranked[i].assigned_to};
    }
    if (!write || n_rows == 0)
        goto out;
    if (!(w = malloc(sizeof *w))) {
        rc = TD_E_NOMEM;
        goto out;
    }
    *w = (struct writer){.c = c, .collection_id = collection_id, .store_id = store_id, .day = day,
                         .lapses_at = out->lapses_at, .l = &l, .results = results};
    rc = write_rows(w, rows, n_rows);
out:
    free(w);
    free(rows);
    free(results);
    free(ranked);
    free(l.v);
    free(f);
    return rc;
}

/* ---- the collection report --------------------------------------------- */

static const char SQL_REPORT_TASKS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN status <> 'holdout' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'holdout' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'done' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN status = 'lapsed' THEN 1 ELSE 0 END), 0),"
    " COALESCE(SUM(CASE WHEN outcome IN ('reached', 'hold_made', 'bought') THEN 1 ELSE 0 END), 0)"
    " FROM outreach_tasks WHERE collection_id = ? AND store_id = ?";
static const char SQL_REPORT_HOLDS[] =
    "SELECT COUNT(*), COALESCE(SUM(CASE WHEN h.status = 'converted' THEN 1 ELSE 0 END), 0)"
    " FROM holds h JOIN products p ON p.id = h.product_id"
    " JOIN collection_styles y ON y.style_id = p.style_id AND y.collection_id = ?"
    " WHERE h.store_id = ? AND h.created_at >= ?";
/* Per group (holdout or not): the customers who bought one of the
 * collection's skus in the store within the window. */
static const char SQL_REPORT_BOUGHT[] =
    "SELECT COALESCE(SUM(CASE WHEN t.status = 'holdout' THEN 0 ELSE 1 END), 0),"
    " COALESCE(SUM(CASE WHEN t.status = 'holdout' THEN 1 ELSE 0 END), 0)"
    " FROM outreach_tasks t WHERE t.collection_id = ? AND t.store_id = ? AND EXISTS ("
    "  SELECT 1 FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
    "  JOIN products p ON p.id = l.product_id"
    "  JOIN collection_styles y ON y.style_id = p.style_id AND y.collection_id = t.collection_id"
    "  WHERE r.customer_id = t.customer_id AND r.store_id = t.store_id"
    "  AND r.purchased_at >= ? AND r.purchased_at < ?)";

int clienteling_report(struct dctx *c, int64_t collection_id, int64_t store_id, struct cl_report *out)
{
    memset(out, 0, sizeof *out);
    struct arrival a;
    int rc = read_arrival(c, collection_id, store_id, &a);
    if (rc != TD_OK || !a.arrived_at)
        return rc;
    out->arrived_at = a.arrived_at;
    struct db_stmt *st = NULL;
    if ((rc = db_get_row(c->db, SQL_REPORT_TASKS, &st, "ii", collection_id, store_id)) != TD_OK)
        return rc;
    out->matched = db_col_int64(st, 0);
    out->tasks = db_col_int64(st, 1);
    out->holdout = db_col_int64(st, 2);
    out->done = db_col_int64(st, 3);
    out->lapsed = db_col_int64(st, 4);
    out->reached = db_col_int64(st, 5);
    db_done(st);
    if ((rc = db_get_row(c->db, SQL_REPORT_HOLDS, &st, "iii", collection_id, store_id, a.arrived_at)) != TD_OK)
        return rc;
    out->holds = db_col_int64(st, 0);
    out->holds_converted = db_col_int64(st, 1);
    db_done(st);
    if ((rc = db_get_row(c->db, SQL_REPORT_BOUGHT, &st, "iiii", collection_id, store_id, a.arrived_at,
                         a.arrived_at + CL_REPORT_DAYS * DAY_US)) != TD_OK)
        return rc;
    out->bought_treated = db_col_int64(st, 0);
    out->bought_holdout = db_col_int64(st, 1);
    db_done(st);
    cl_uplift(out->tasks, out->bought_treated, out->holdout, out->bought_holdout, &out->uplift);
    return TD_OK;
}
