/* demo_profile.c — what clienteling knows of each demo customer, made on
 * the producer thread beside their purchases (see demo_gen.h):
 *
 *   language      about 6 % are written to in English (customers.lang);
 *   sizes         one per size system, drawn before their purchases, which
 *                 buy mostly in them (so the size learned from the last
 *                 purchase in a category is usually theirs); about a third
 *                 of those in a book told their associate (stated sizes);
 *   book          ~88 % of those with a home store (~85 % of all) have an
 *                 associate there, ~15 % of them a second one; customers
 *                 written to in English mostly have the store's English-
 *                 speaking associate;
 *   likes         brands and colours of things they bought, their main
 *                 category; some dislikes (loud colours, now and then a
 *                 brand of the knitwear collection);
 *   dates, notes  birthdays and anniversaries, a few notes by their associate;
 *   objection     ~0.4 % objected to profiling (GDPR art. 21);
 *   spend         customer_category_spend, counted from the lines as they
 *                 are made: exactly what cl_on_receipts() would count for
 *                 them (spend, lines, the last purchase and the size bought
 *                 last per category), the aggregate the matcher reads.
 *
 * Everything draws from the customer's STREAM_PROFILE stream (pr), which
 * nothing else reads, so adding this moved no other draw.
 */
#include "sim/demo_gen.h"
#include <stdlib.h>
#include <string.h>

/* The size system whose size a customer states for a category, -1: none. */
static int stated_system(int cat)
{
    static const struct { const char *category; int system; } stated[] = {
        {"dames", SZ_DAMES}, {"heren", SZ_HEREN}, {"kinderen", SZ_KIDS}, {"sport", SZ_SHOES},
    };
    for (size_t i = 0; i < COUNT(stated); i++)
        if (strcmp(demo_categories[cat], stated[i].category) == 0) return stated[i].system;
    return -1;
}

void demo__profile_begin(struct rng *pr, struct person *pp, struct customer_row *cu)
{
    for (int s = 0; s < DEMO_NSYSTEMS; s++) pp->size[s] = (uint8_t)demo__draw_size(s, pr);
    cu->lang = rng_pct(pr, 6) ? "en" : "nl";
}

static const char *const disliked_colours[] = {"oranje", "geel", "roze", "print", "bloemenprint", "streep"};
/* Brands of the knitwear collection (demo_catalogue.c), disliked now and then. */
static const char *const disliked_brands[] = {"Esprit", "Tommy Hilfiger", "Scotch & Soda", "Gaastra"};
static const char *const notes_nl[] = {
    "Zoekt een winterjas in camel; bellen als die binnen is.",
    "Houdt van een klassieke snit, geen opvallende prints.",
    "Koopt vaak cadeaus voor haar dochter (maat 128).",
    "Liever gebeld na 17.00 uur.",
    "Komt graag op koopavond passen.",
};
static const char *const notes_en[] = {
    "Looking for a camel winter coat; call when it arrives.",
    "Prefers a classic cut, no loud prints.",
    "Often buys presents for her daughter (size 128).",
    "Prefers a call after 5 pm.",
    "Likes to come in on Thursday evenings to try things on.",
};
static const char *const objection_sources[] = {"in-store", "e-mail", "letter"};

struct prefs { struct pref_row v[8]; int n; };

static void add_pref(struct prefs *p, int64_t id, const char *kind, const char *value, int sentiment, int64_t at)
{
    if (!value || !value[0] || p->n == (int)COUNT(p->v)) return;
    for (int i = 0; i < p->n; i++)
        if (strcmp(p->v[i].kind, kind) == 0 && strcmp(p->v[i].value, value) == 0) return;
    p->v[p->n++] = (struct pref_row){id, kind, value, sentiment, at};
}

static int cmp_pref(const void *a, const void *b)
{
    const struct pref_row *x = a, *y = b;
    int c = strcmp(x->kind, y->kind);
    return c ? c : strcmp(x->value, y->value);
}

/* A moment between from and the end, as UTC microseconds. */
static int64_t moment_after(const struct gen *g, struct rng *pr, int64_t from)
{
    int64_t span_s = (g->cfg->end_us - from) / US;
    if (span_s < 1) return g->cfg->end_us;
    return from + (int64_t)rng_below(pr, (uint32_t)(span_s < 4000000000 ? span_s : 4000000000)) * US;
}

/* Spend per category from the customer's lines [lfirst, nlines) of chunk c
 * (their receipts from rfirst on, in time order with consecutive ids), in
 * the order of the categories' names (the table's key). */
static int add_spend(struct gen *g, struct chunk *c, int64_t id, size_t rfirst, size_t lfirst, int64_t top[2])
{
    struct { int64_t spend, lines, last_at, size_at; const char *size; } per[NCATEGORIES];
    memset(per, 0, sizeof per);
    for (size_t l = lfirst; l < c->nlines; l++) {
        const struct line_row *ln = &c->lines[l];
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        const struct demo_product *p = &g->products[ln->product_id - 1];
        per[p->category].spend += ln->price * ln->qty;
        per[p->category].lines++;
        if (rr->at > per[p->category].last_at) per[p->category].last_at = rr->at;
        const char *size = demo__size_of(p);
        if (size) {   /* lines come in time order: the last one wins */
            per[p->category].size = size;
            per[p->category].size_at = rr->at;
        }
    }
    top[0] = top[1] = -1;
    for (int k = 0; k < NCATEGORIES; k++) {
        int cat = g->cat_order[k];
        if (!per[cat].lines) continue;
        struct spend_row *s = demo__push(&c->spend, sizeof *s);
        if (!s) return TD_E_NOMEM;
        *s = (struct spend_row){id, demo_categories[cat], per[cat].spend, per[cat].lines, per[cat].last_at, per[cat].size,
                                per[cat].size_at};
        if (top[0] < 0 || per[cat].spend > per[top[0]].spend) top[1] = top[0], top[0] = cat;
        else if (top[1] < 0 || per[cat].spend > per[top[1]].spend) top[1] = cat;
    }
    return TD_OK;
}

/* Likes and dislikes, sorted by the table's key (kind, value). */
static int add_prefs(struct gen *g, struct chunk *c, struct rng *pr, const struct customer_row *cu, size_t lfirst,
                     int top, int64_t at)
{
    struct prefs p = {.n = 0};
    size_t nl = c->nlines - lfirst;
    int likes = 1 + (int)rng_below(pr, 3);
    for (int k = 0; k < likes; k++) {
        const struct demo_product *d = &g->products[c->lines[lfirst + rng_below(pr, (uint32_t)nl)].product_id - 1];
        if (d->system < 0) continue;               /* likes are of fashion: its brands and colours */
        if (rng_pct(pr, 65)) add_pref(&p, cu->id, "brand", d->brand, 1, at);
        else add_pref(&p, cu->id, "colour", d->colour, 1, at);
    }
    if (top >= 0 && rng_pct(pr, 30)) add_pref(&p, cu->id, "category", demo_categories[top], 1, at);
    if (rng_pct(pr, 20)) add_pref(&p, cu->id, "colour", PICK(pr, disliked_colours), -1, at);
    if (rng_pct(pr, 6)) add_pref(&p, cu->id, "brand", PICK(pr, disliked_brands), -1, at);
    qsort(p.v, (size_t)p.n, sizeof p.v[0], cmp_pref);
    for (int i = 0; i < p.n; i++) {
        struct pref_row *row = demo__push(&c->prefs, sizeof *row);
        if (!row) return TD_E_NOMEM;
        *row = p.v[i];
    }
    return TD_OK;
}

static int add_dates(struct gen *g, struct chunk *c, struct rng *pr, const struct customer_row *cu, int booked)
{
    static const int days_in[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int en = cu->lang[0] == 'e';
    const char *kinds[3] = {"birthday", "anniversary", "other"};
    const char *labels[3] = {"", en ? "Wedding anniversary" : "Trouwdag", en ? "Name day" : "Naamdag"};
    unsigned pct[3] = {booked ? 40u : 10u, booked ? 10u : 2u, booked ? 2u : 0u};
    for (int k = 0; k < 3; k++) {
        if (!rng_pct(pr, pct[k])) continue;
        struct date_row *d = demo__push(&c->dates, sizeof *d);
        if (!d) return TD_E_NOMEM;
        int64_t month = 1 + rng_below(pr, 12);
        *d = (struct date_row){g->next_date_id++, cu->id, kinds[k], month, 1 + rng_below(pr, (uint32_t)days_in[month - 1]),
                               labels[k]};
    }
    return TD_OK;
}

int demo__make_profile(struct gen *g, struct chunk *c, struct rng *pr, const struct customer_row *cu, int home,
                       size_t rfirst, size_t lfirst)
{
    int64_t top[2];
    int rc = add_spend(g, c, cu->id, rfirst, lfirst, top);
    if (rc != TD_OK) return rc;
    if (rng_below(pr, 1000) < 4) {
        struct objection_row *o = demo__push(&c->objections, sizeof *o);
        if (!o) return TD_E_NOMEM;
        *o = (struct objection_row){cu->id, moment_after(g, pr, cu->created_at), PICK(pr, objection_sources)};
        g->sum->objections++;
    }
    /* The book: the home store's associates, the English-speaking one (the
     * fourth, demo__load_staff) for most customers written to in English. */
    int booked = home >= 0 && rng_pct(pr, 88);
    int64_t staff = 0, at = moment_after(g, pr, cu->created_at);
    if (booked) {
        unsigned k = cu->lang[0] == 'e' && rng_pct(pr, 70) ? ASSOCIATES_PER_STORE - 1 : rng_below(pr, ASSOCIATES_PER_STORE);
        staff = g->associate_ids[home][k];
        int64_t second = 0;
        if (rng_pct(pr, 15)) {
            unsigned j = rng_below(pr, ASSOCIATES_PER_STORE);   /* another associate, or the manager */
            second = j == k ? g->manager_ids[home] : g->associate_ids[home][j];
        }
        struct book_row *b = demo__push(&c->books, sizeof *b);
        if (!b) return TD_E_NOMEM;
        *b = (struct book_row){cu->id, g->store_ids[home], staff, second, at};
        g->sum->books++;
        /* Stated sizes, for the categories they buy in, in key order. */
        int states = rng_pct(pr, 35);
        for (int k2 = 0; k2 < NCATEGORIES && states; k2++) {
            int cat = g->cat_order[k2], sys = stated_system(cat);
            if (sys < 0 || (cat != top[0] && cat != top[1]) || !rng_pct(pr, 80)) continue;
            struct size_row *z = demo__push(&c->sizes, sizeof *z);
            if (!z) return TD_E_NOMEM;
            *z = (struct size_row){cu->id, demo_categories[cat], demo_size_systems[sys].size[g->person->size[sys]], "stated", at};
        }
    }
    if (rng_pct(pr, booked ? 55 : 15) && (rc = add_prefs(g, c, pr, cu, lfirst, top[0], at)) != TD_OK) return rc;
    if ((rc = add_dates(g, c, pr, cu, booked)) != TD_OK) return rc;
    if (booked && rng_pct(pr, 4)) {
        struct note_row *n = demo__push(&c->notes, sizeof *n);
        if (!n) return TD_E_NOMEM;
        int en = cu->lang[0] == 'e';
        *n = (struct note_row){g->next_note_id++, cu->id, staff, moment_after(g, pr, at),
                               en ? PICK(pr, notes_en) : PICK(pr, notes_nl)};
    }
    return TD_OK;
}
