/* advocacy.c — the anonymous staff survey (see advocacy.h).
 *
 * What keeps an answer anonymous is what is never written: the handler of
 * the public link has no session, the answer's key is random (no order),
 * its time is the UTC day. The rules that keep results anonymous are in
 * advocacy_suppress(), a pure function on counts; advocacy_results() loads
 * the counts of every cell of the round, asks it, and only then reads the
 * slice's figures and comments.
 */
#include "domain/advocacy.h"
#include "core/buf.h"
#include "core/vec.h"
#include "db/db.h"
#include "domain/nps.h"
#include "domain/secrets.h"
#include "domain/store.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_US (86400LL * 1000000)

/* ---- rounds and links ---------------------------------------------------- */

static int add_link(struct dctx *c, int64_t round_id, const struct store *s, struct advocacy_link *l)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(l->token);
    token_hash(l->token, hash);
    l->store_id = s->id;
    memcpy(l->store_code, s->code, sizeof l->store_code);
    return db_run(c->db, "INSERT INTO staff_round_links (token_hash, round_id, store_id) VALUES (?, ?, ?)", NULL,
                  "tii", hash, round_id, s->id);
}

struct all_stores { struct dctx *c; int64_t round_id; struct advocacy_link *links; size_t n; };

static int link_each(void *arg, const struct store *s)
{
    struct all_stores *a = arg;
    if (a->n >= ADVOCACY_STORES_MAX) return TD_E_INVALID;
    return add_link(a->c, a->round_id, s, &a->links[a->n++]);
}

/* The round's departments as stored: folded-unique, one a line. */
static void check_categories(const struct advocacy_round_in *in, struct errors *err, char *out, size_t n)
{
    size_t o = 0;
    out[0] = '\0';
    if (in->n_categories > ADVOCACY_CATEGORIES_MAX) {
        errors_add(err, "categories", "may list at most %d departments", ADVOCACY_CATEGORIES_MAX);
        return;
    }
    for (size_t i = 0; i < in->n_categories; i++) {
        char field[48], key[ADVOCACY_CATEGORY_MAX * 4 + 1];
        snprintf(field, sizeof field, "categories[%zu]", i);
        if (!errors_check_text(err, field, in->categories[i], ADVOCACY_CATEGORY_MAX, 1)) continue;
        if (strchr(in->categories[i], '\n') || domain_fold(key, sizeof key, in->categories[i]) != TD_OK || !key[0]) {
            errors_add(err, field, "must be a name of letters or digits");
            continue;
        }
        for (size_t j = 0; j < i; j++) {
            char other[sizeof key];
            if (domain_fold(other, sizeof other, in->categories[j]) == TD_OK && strcmp(other, key) == 0)
                errors_add(err, field, "is named twice");
        }
        o += (size_t)snprintf(out + o, n - o, "%s%s", o ? "\n" : "", in->categories[i]);
    }
}

int advocacy_round_create(struct dctx *c, const struct advocacy_round_in *in, struct errors *err, int64_t *id,
                          struct advocacy_link *links, size_t *n)
{
    *n = 0;
    char cats[ADVOCACY_CATEGORIES_SZ];
    errors_check_text(err, "name", in->name, ADVOCACY_NAME_MAX, 1);
    if (in->closes_at <= c->now_us || in->closes_at > c->now_us + ADVOCACY_DAYS_MAX * DAY_US)
        errors_add(err, "closes_at", "must lie after now and at most %d days ahead", ADVOCACY_DAYS_MAX);
    if (in->n_stores > ADVOCACY_STORES_MAX) errors_add(err, "store_codes", "may name at most %d stores", ADVOCACY_STORES_MAX);
    check_categories(in, err, cats, sizeof cats);
    struct store *stores = calloc(in->n_stores ? in->n_stores : 1, sizeof *stores);
    if (!stores) return TD_E_NOMEM;
    int rc = TD_OK;
    for (size_t i = 0; rc == TD_OK && !err->n && i < in->n_stores; i++) {
        rc = store_get_by_code(c, in->store_codes[i] ? in->store_codes[i] : "", &stores[i]);
        for (size_t j = 0; rc == TD_OK && j < i; j++)
            if (stores[j].id == stores[i].id) errors_add(err, "store_codes", "names %s twice", stores[i].code);
        if (rc == TD_E_NOT_FOUND) {
            errors_add(err, "store_codes", "%s is no store", in->store_codes[i] ? in->store_codes[i] : "");
            rc = TD_OK;
        }
    }
    if (rc == TD_OK && err->n) rc = TD_E_INVALID;
    if (rc == TD_OK)
        rc = db_get_int64(c->db,
                          "INSERT INTO staff_rounds (name, categories, opens_at, closes_at, created_by, created_at)"
                          " VALUES (?, ?, ?, ?, ?, ?) RETURNING id",
                          id, "ttiini", in->name, cats, c->now_us, in->closes_at, c->actor.staff_id, c->now_us);
    if (rc == TD_OK && in->n_stores) {
        for (size_t i = 0; rc == TD_OK && i < in->n_stores; i++) rc = add_link(c, *id, &stores[i], &links[i]);
        if (rc == TD_OK) *n = in->n_stores;
    } else if (rc == TD_OK) {
        struct all_stores a = {c, *id, links, 0};
        rc = store_each(c, link_each, &a);
        if (rc == TD_E_INVALID) errors_add(err, "store_codes", "the chain has more than %d stores: name them", ADVOCACY_STORES_MAX);
        *n = a.n;
    }
    free(stores);
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)*id);
    if (rc == TD_OK) rc = domain_audit(c, "staff_survey.create", subject, in->name);
    return rc;
}

#define ROUND_COLS                                                                                         \
    "r.id, r.name, r.categories, r.opens_at, r.closes_at, r.created_at,"                                  \
    " (SELECT COUNT(*) FROM staff_answers a WHERE a.round_id = r.id)"

static int read_round(struct db_stmt *st, void *row)
{
    struct advocacy_round *out = row;
    memset(out, 0, sizeof *out);
    return db_readf(st, "ittiiii", &out->id, out->name, sizeof out->name, out->categories, sizeof out->categories,
                    &out->opens_at, &out->closes_at, &out->created_at, &out->answers);
}

int advocacy_round_get(struct dctx *c, int64_t id, struct advocacy_round *out)
{
    return db_get_read(c->db, "SELECT " ROUND_COLS " FROM staff_rounds r WHERE r.id = ?", read_round, out, "i", id);
}

int advocacy_rounds_each(struct dctx *c, int (*fn)(void *arg, const struct advocacy_round *r), void *arg)
{
    struct db_stmt *st;
    struct advocacy_round r;
    int rc = db_query(c->db, "SELECT " ROUND_COLS " FROM staff_rounds r ORDER BY r.id DESC", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_round(st, &r)) == TD_OK) rc = fn(arg, &r);
    return db_end(st, rc);
}

int advocacy_link_lookup(struct dctx *c, const char *token, struct advocacy_link_info *out, struct errors *err)
{
    if (!token || strlen(token) != TOKEN_HEX_LEN) return TD_E_NOT_FOUND;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(token, hash);
    struct db_stmt *st;
    int rc = db_get_row(c->db,
                        "SELECT r.id, l.store_id, r.opens_at, r.closes_at, r.name, s.name, r.categories"
                        " FROM staff_round_links l JOIN staff_rounds r ON r.id = l.round_id"
                        " JOIN stores s ON s.id = l.store_id WHERE l.token_hash = ?",
                        &st, "t", hash);
    int64_t opens = 0;
    memset(out, 0, sizeof *out);
    if (rc == TD_OK)
        rc = db_readf(st, "iiiittt", &out->round_id, &out->store_id, &opens, &out->closes_at, out->round_name,
                      sizeof out->round_name, out->store_name, sizeof out->store_name, out->categories,
                      sizeof out->categories);
    db_done(st);
    if (rc == TD_OK && (c->now_us < opens || c->now_us >= out->closes_at)) {
        errors_set_message(err, "this survey is closed");
        rc = TD_E_CONFLICT;
    }
    return rc;
}

/* ---- answers ------------------------------------------------------------- */

/* The round's department that name folds to: its key and its name as the
 * round spells it (both n bytes); "" for none given. */
static void check_category(const char *cats, const char *name, struct errors *err, char *key, char *spelt, size_t n)
{
    key[0] = spelt[0] = '\0';
    if (!name || !name[0]) return;
    if (!errors_check_text(err, "category", name, ADVOCACY_CATEGORY_MAX, 0)) return;
    char want[ADVOCACY_CATEGORY_MAX * 4 + 1];
    if (domain_fold(want, sizeof want, name) == TD_OK && want[0]) {
        for (const char *p = cats; *p;) {
            const char *end = strchr(p, '\n');
            size_t len = end ? (size_t)(end - p) : strlen(p);
            char one[ADVOCACY_CATEGORY_MAX * 4 + 1], folded[sizeof one];
            if (len < sizeof one) {
                memcpy(one, p, len);
                one[len] = '\0';
                if (domain_fold(folded, sizeof folded, one) == TD_OK && strcmp(folded, want) == 0) {
                    snprintf(key, n, "%s", folded);
                    snprintf(spelt, n, "%s", one);
                    return;
                }
            }
            p += len + (end != NULL);
        }
    }
    errors_add(err, "category", "must be one of the departments of this survey");
}

static void check_nonce(const char *nonce, struct errors *err)
{
    size_t len = nonce ? strlen(nonce) : 0;
    int ok = len >= ADVOCACY_NONCE_MIN && len <= ADVOCACY_NONCE_MAX;
    for (size_t i = 0; ok && i < len; i++) ok = nonce[i] > ' ' && nonce[i] < 127;
    if (!ok)
        errors_add(err, "nonce", "must be the browser's random text of %d to %d printable ASCII characters",
                   ADVOCACY_NONCE_MIN, ADVOCACY_NONCE_MAX);
}

int advocacy_answer(struct dctx *c, const char *token, const struct advocacy_answer_in *in, struct errors *err)
{
    struct advocacy_link_info li;
    int rc = advocacy_link_lookup(c, token, &li, err);
    if (rc != TD_OK) return rc;
    if (in->score < 0 || in->score > 10) errors_add(err, "score", "must be a whole number from 0 to 10");
    errors_check_text(err, "why", in->why, ADVOCACY_TEXT_MAX, 0);
    errors_check_text(err, "secret", in->secret, ADVOCACY_TEXT_MAX, 0);
    char key[ADVOCACY_CATEGORY_MAX * 4 + 1], cat[sizeof key];
    check_category(li.categories, in->category, err, key, cat, sizeof key);
    check_nonce(in->nonce, err);
    if (err->n) return TD_E_INVALID;
    char nonce_hash[TOKEN_HASH_HEX_LEN + 1], id[TOKEN_HEX_LEN + 1];
    token_hash(in->nonce, nonce_hash);
    int64_t added = 0;
    rc = db_run(c->db,
                "INSERT INTO staff_answer_nonces (round_id, nonce_hash) VALUES (?, ?)"
                " ON CONFLICT (round_id, nonce_hash) DO NOTHING",
                &added, "it", li.round_id, nonce_hash);
    if (rc == TD_OK && !added) {
        errors_add(err, "nonce", "this browser has answered this survey already");
        return TD_E_CONFLICT;
    }
    token_new(id);                  /* a random key: rows carry no order */
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "INSERT INTO staff_answers (id, round_id, store_id, day, category, category_key, score, why, secret)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    NULL, "tiiittitt", id, li.round_id, li.store_id, c->now_us / DAY_US, cat, key, (int64_t)in->score,
                    in->why ? in->why : "", in->secret ? in->secret : "");
    if (rc == TD_OK) rc = secrets_file_answer(c, id, in->secret);
    return rc;
}

/* ---- the differencing rule ----------------------------------------------- */

/* Slices as one array: 0 the round, 1..S the stores, then the categories
 * (k = 0..K-1), then the cells (s, k). */
struct grid { size_t s, k; };
static size_t ix_store(const struct grid *g, size_t s) { (void)g; return 1 + s; }
static size_t ix_cat(const struct grid *g, size_t k) { return 1 + g->s + k; }
static size_t ix_cell(const struct grid *g, size_t s, size_t k) { return 1 + g->s + g->k + s * g->k + k; }

/* One partition of a parent into parts: the parent, and part i's index. */
static size_t part_ix(const struct grid *g, size_t kind, size_t p, size_t i)
{
    switch (kind) {
    case 0: return ix_store(g, i);          /* the round into stores */
    case 1: return ix_cat(g, i);            /* the round into categories */
    case 2: return ix_cell(g, p, i);        /* store p into its cells */
    default: return ix_cell(g, i, p);       /* category p into its cells */
    }
}

/* One pass over every partition: derives what subtraction reveals (known),
 * and withholds the smallest shown part where a known parent minus its known
 * parts leaves 1..min-1 answers. 1 when something was withheld. */
static int pass(const struct grid *g, const int64_t *n, int64_t min, bool *shown, bool *known, int *grew)
{
    static const size_t kinds = 4;
    for (size_t kind = 0; kind < kinds; kind++) {
        size_t parents = kind < 2 ? 1 : kind == 2 ? g->s : g->k;
        size_t parts = kind == 0 ? g->s : kind == 1 ? g->k : kind == 2 ? g->k : g->s;
        for (size_t p = 0; p < parents; p++) {
            size_t parent = kind < 2 ? 0 : kind == 2 ? ix_store(g, p) : ix_cat(g, p);
            int64_t rest = 0;
            size_t unknown = 0, last = 0, smallest = 0;
            bool have_smallest = false;
            for (size_t i = 0; i < parts; i++) {
                size_t q = part_ix(g, kind, p, i);
                if (!n[q]) continue;
                if (!known[q]) { rest += n[q]; unknown++; last = q; }
                if (shown[q] && (!have_smallest || n[q] < n[smallest])) { smallest = q; have_smallest = true; }
            }
            if (known[parent] && rest > 0 && rest < min) {
                if (!have_smallest) continue;   /* nothing left to withhold here; the backstop decides */
                shown[smallest] = false;
                return 1;
            }
            if (!known[parent] && n[parent] && !unknown) { known[parent] = true; *grew = 1; }
            if (known[parent] && unknown == 1) { known[last] = true; *grew = 1; }
        }
    }
    return 0;
}

void advocacy_suppress(const int64_t *count, size_t n_store, size_t n_cat, int64_t min, bool *show_round,
                       bool *show_store, bool *show_cat, bool *show_cell)
{
    struct grid g = {n_store, n_cat};
    size_t total = 1 + n_store + n_cat + n_store * n_cat;
    int64_t *n = calloc(total, sizeof *n);
    bool *shown = calloc(total, sizeof *shown), *known = calloc(total, sizeof *known);
    if (!n || !shown || !known) {           /* out of memory: show nothing */
        *show_round = false;
        memset(show_store, 0, n_store * sizeof *show_store);
        memset(show_cat, 0, n_cat * sizeof *show_cat);
        memset(show_cell, 0, n_store * n_cat * sizeof *show_cell);
        free(n), free(shown), free(known);
        return;
    }
    for (size_t s = 0; s < n_store; s++)
        for (size_t k = 0; k < n_cat; k++) {
            int64_t v = count[s * n_cat + k];
            n[ix_cell(&g, s, k)] = v;
            n[ix_store(&g, s)] += v;
            n[ix_cat(&g, k)] += v;
            n[0] += v;
        }
    /* Category 0 ("not named") and its cells are never slices of their own. */
    for (size_t i = 0; i < total; i++) shown[i] = n[i] >= min;
    if (n_cat) shown[ix_cat(&g, 0)] = false;
    for (size_t s = 0; n_cat && s < n_store; s++) shown[ix_cell(&g, s, 0)] = false;
    for (;;) {
        memcpy(known, shown, total * sizeof *known);
        int withheld = 0, grew = 1;
        while (!withheld && grew) {
            grew = 0;
            withheld = pass(&g, n, min, shown, known, &grew);
        }
        if (withheld) continue;
        /* Backstop: whatever subtraction still reveals must have min
         * answers; else the smallest shown slice below the round goes. */
        size_t worst = 0;
        int bad = 0;
        for (size_t i = 1; i < total && !bad; i++) bad = known[i] && n[i] > 0 && n[i] < min;
        if (!bad) break;
        for (size_t i = 1; i < total; i++)
            if (shown[i] && (!worst || n[i] < n[worst])) worst = i;
        if (!worst) break;
        shown[worst] = false;
    }
    *show_round = shown[0];
    for (size_t s = 0; s < n_store; s++) show_store[s] = shown[ix_store(&g, s)];
    for (size_t k = 0; k < n_cat; k++) show_cat[k] = shown[ix_cat(&g, k)];
    for (size_t s = 0; s < n_store; s++)
        for (size_t k = 0; k < n_cat; k++) show_cell[s * n_cat + k] = shown[ix_cell(&g, s, k)];
    free(n), free(shown), free(known);
}

/* ---- results ------------------------------------------------------------- */

/* The round's cells: stores with a link (index in store_ids) by category
 * (0 "not named", then the round's departments in order, folded). */
struct cells {
    size_t n_store, n_cat;
    int64_t *store_ids;
    char (*cat_keys)[ADVOCACY_CATEGORY_MAX * 4 + 1];
    int64_t *count;
};

static void cells_free(struct cells *g)
{
    free(g->store_ids);
    free(g->cat_keys);
    free(g->count);
}

static int load_cells(struct dctx *c, const struct advocacy_round *r, struct cells *g)
{
    memset(g, 0, sizeof *g);
    int64_t stores;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM staff_round_links WHERE round_id = ?", &stores, "i", r->id);
    if (rc != TD_OK) return rc;
    g->n_cat = 1;
    for (const char *p = r->categories; *p; p++) g->n_cat += *p == '\n';
    if (r->categories[0]) g->n_cat++;
    g->store_ids = calloc((size_t)stores + 1, sizeof *g->store_ids);
    g->cat_keys = calloc(g->n_cat, sizeof *g->cat_keys);
    g->count = calloc(((size_t)stores + 1) * g->n_cat, sizeof *g->count);
    if (!g->store_ids || !g->cat_keys || !g->count) return TD_E_NOMEM;
    size_t k = 1;
    for (const char *p = r->categories; *p && k < g->n_cat; k++) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        char one[ADVOCACY_CATEGORY_MAX * 4 + 1];
        snprintf(one, sizeof one, "%.*s", (int)len, p);
        if (domain_fold(g->cat_keys[k], sizeof g->cat_keys[k], one) != TD_OK) return TD_E_INTERNAL;
        p += len + (end != NULL);
    }
    struct db_stmt *st;
    rc = db_query(c->db, "SELECT store_id FROM staff_round_links WHERE round_id = ? ORDER BY store_id", &st, "i", r->id);
    while (rc == TD_OK && g->n_store < (size_t)stores && (rc = db_step(st)) == TD_ROW) {
        g->store_ids[g->n_store++] = db_col_int64(st, 0);
        rc = TD_OK;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    rc = db_query(c->db,
                  "SELECT store_id, category_key, COUNT(*) FROM staff_answers WHERE round_id = ?"
                  " GROUP BY store_id, category_key",
                  &st, "i", r->id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        size_t si = 0, ki = 0;
        while (si < g->n_store && g->store_ids[si] != db_col_int64(st, 0)) si++;
        const char *key = db_col_text(st, 1);
        for (size_t j = 1; key && key[0] && j < g->n_cat && !ki; j++)
            if (strcmp(g->cat_keys[j], key) == 0) ki = j;
        if (si < g->n_store) g->count[si * g->n_cat + ki] += db_col_int64(st, 2);
        rc = TD_OK;
    }
    return db_end(st, rc);
}

/* Whether the slice (store index or SIZE_MAX, category index or 0) passes
 * the rule at min. */
static int slice_passes(const struct cells *g, size_t si, size_t ki, int64_t min, int *ok)
{
    size_t cells = g->n_store * g->n_cat;
    bool round, *st = calloc(g->n_store + 1, sizeof *st), *cat = calloc(g->n_cat, sizeof *cat),
                *cell = calloc(cells + 1, sizeof *cell);
    if (!st || !cat || !cell) {
        free(st), free(cat), free(cell);
        return TD_E_NOMEM;
    }
    advocacy_suppress(g->count, g->n_store, g->n_cat, min, &round, st, cat, cell);
    *ok = si == SIZE_MAX ? (ki ? cat[ki] : round) : (ki ? cell[si * g->n_cat + ki] : st[si]);
    free(st), free(cat), free(cell);
    return TD_OK;
}

static void figures(struct advocacy_result *out, const int64_t by_score[11])
{
    int64_t sum = 0;
    for (int s = 0; s <= 10; s++) {
        out->answers += by_score[s];
        sum += by_score[s] * s;
        if (s >= 9) out->promoters += by_score[s];
        else if (s >= 7) out->passives += by_score[s];
        else out->detractors += by_score[s];
    }
    if (!out->answers) return;
    /* The same NPS and 95 % interval as the customers' figures (nps.h);
     * the anonymity rules, not a count, decide whether it is shown. */
    struct nps_figure f;
    nps_figure_of(out->promoters, out->passives, out->detractors, 1, &f);
    out->nps = f.score;
    out->nps_low = f.low;
    out->nps_high = f.high;
    double n = (double)out->answers;
    out->mean = (double)sum / n;
}

static int read_comments(struct dctx *c, int64_t round_id, int64_t store_id, const char *key,
                         struct advocacy_result *out)
{
    struct buf b;
    buf_init(&b, 64u << 20);
    size_t cap = 0;
    struct db_stmt *st;
    /* Ordered by the random key: the order tells nothing. */
    int rc = db_query(c->db,
                      "SELECT why, secret FROM staff_answers WHERE round_id = ? AND (? = 0 OR store_id = ?)"
                      " AND (? = '' OR category_key = ?) AND (why <> '' OR secret <> '') ORDER BY id",
                      &st, "iiitt", round_id, store_id, store_id, key, key);
    size_t *offs = NULL;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if ((rc = vec_grow(&offs, &cap, out->n_comments, 2 * sizeof *offs, 32)) != TD_OK) break;   /* a pair a comment */
        offs[2 * out->n_comments] = b.len;
        rc = buf_append(&b, db_col_text(st, 0), strlen(db_col_text(st, 0)) + 1);
        offs[2 * out->n_comments + 1] = b.len;
        if (rc == TD_OK) rc = buf_append(&b, db_col_text(st, 1), strlen(db_col_text(st, 1)) + 1);
        out->n_comments++;
    }
    rc = db_end(st, rc);
    if (rc == TD_OK && out->n_comments && !(out->comments = calloc(out->n_comments, sizeof *out->comments)))
        rc = TD_E_NOMEM;
    if (rc == TD_OK) {
        out->text = buf_steal(&b);
        for (size_t i = 0; i < out->n_comments; i++) {
            out->comments[i].why = out->text + offs[2 * i];
            out->comments[i].secret = out->text + offs[2 * i + 1];
        }
    }
    if (rc != TD_OK) out->n_comments = 0;
    free(offs);
    buf_free(&b);
    return rc;
}

int advocacy_results(struct dctx *c, int64_t round_id, const struct advocacy_slice *slice,
                     struct advocacy_result *out)
{
    memset(out, 0, sizeof *out);
    struct advocacy_round r;
    int rc = advocacy_round_get(c, round_id, &r);
    if (rc != TD_OK) return rc;
    struct cells g;
    rc = load_cells(c, &r, &g);
    size_t si = SIZE_MAX, ki = 0;
    char key[ADVOCACY_CATEGORY_MAX * 4 + 1] = "";
    if (rc == TD_OK && slice->store_id) {
        for (si = 0; si < g.n_store && g.store_ids[si] != slice->store_id; si++) {}
        if (si == g.n_store) rc = TD_E_NOT_FOUND;             /* the round has no link for that store */
    }
    if (rc == TD_OK && slice->category && slice->category[0]) {
        if (domain_fold(key, sizeof key, slice->category) != TD_OK) key[0] = '\0';
        for (size_t j = 1; key[0] && j < g.n_cat && !ki; j++)
            if (strcmp(g.cat_keys[j], key) == 0) ki = j;
        if (!ki) rc = TD_E_INVALID;
    }
    int ok = 0, comments_ok = 0;
    if (rc == TD_OK) rc = slice_passes(&g, si, ki, ADVOCACY_MIN_ANSWERS, &ok);
    if (rc == TD_OK && ok) rc = slice_passes(&g, si, ki, ADVOCACY_MIN_COMMENTS, &comments_ok);
    cells_free(&g);
    if (rc != TD_OK) return rc;
    out->shown = ok;
    out->comments_shown = comments_ok;
    if (!ok) {
        out->reason = "too few answers: figures are shown from 5 answers, and never where another slice could be"
                      " subtracted to reveal fewer";
        return TD_OK;
    }
    int64_t by_score[11] = {0};
    struct db_stmt *st;
    rc = db_query(c->db,
                  "SELECT score, COUNT(*) FROM staff_answers WHERE round_id = ? AND (? = 0 OR store_id = ?)"
                  " AND (? = '' OR category_key = ?) GROUP BY score",
                  &st, "iiitt", round_id, slice->store_id, slice->store_id, key, key);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        int64_t s = db_col_int64(st, 0);
        if (s >= 0 && s <= 10) by_score[s] = db_col_int64(st, 1);
        rc = TD_OK;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    figures(out, by_score);
    if (!comments_ok) {
        out->reason = "comments are shown from 10 answers, and never where another slice could be subtracted to"
                      " reveal fewer";
        return TD_OK;
    }
    return read_comments(c, round_id, slice->store_id, key, out);
}

void advocacy_result_free(struct advocacy_result *r)
{
    free(r->comments);
    free(r->text);
    r->comments = NULL;
    r->text = NULL;
    r->n_comments = 0;
}
