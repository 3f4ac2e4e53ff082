/* demo_purchases.c — what the demo's customers buy: the
 * shopping calendar (busy Saturdays and Decembers, opening hours), their
 * receipts and lines and the anonymous ones, and the aggregates those
 * purchases feed, counted as they are made (invariant (6) of demo.c). A
 * line picks a colour of the catalogue (demo_catalogue.c), then a size:
 * mostly the customer's own, sometimes another (a present, a guess), drawn
 * from a stream of its own so the other draws stay as they were.
 */
#include "sim/demo_gen.h"
#include "core/clock.h"
#include "db/db.h"
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Civil date of a day number since 1970-01-01 (Howard Hinnant's algorithm). */
static void civil_from_days(int64_t z, int *y, unsigned *m, unsigned *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = (int)(yoe + era * 400 + (*m <= 2));
}

void demo__calendar_init(struct calendar *cal, int64_t end_us)
{
    int64_t end_s = end_us / US;
    int64_t end_day = (end_s + clock_amsterdam_offset(end_s)) / DAY_S;
    /* Whole days before the end day, so no purchase lies after end_us. */
    cal->first_day = end_day - HISTORY_DAYS;
    double sum = 0;
    for (int i = 0; i < HISTORY_DAYS; i++) {
        int64_t day = cal->first_day + i;
        int dow = (int)((day + 3) % 7);          /* 0 = Monday; 1970-01-01 was a Thursday */
        int y;
        unsigned m, d;
        civil_from_days(day, &y, &m, &d);
        static const double dow_w[7] = {0.6, 0.9, 0.9, 1.2, 1.1, 1.8, 0.7};
        double w = dow_w[dow];
        if (m == 12) w *= d >= 24 && d <= 26 ? 0.4 : 1.5;   /* December, quiet at Christmas */
        else if (m == 11) w *= 1.2;
        else if (m == 1) w *= 1.25;                        /* winter sale */
        else if (m == 7) w *= 1.1;                         /* summer sale */
        sum += w;
        cal->cdf[i] = sum;
        cal->open_h[i] = dow == 6 ? 12 : dow == 0 ? 11 : 9;
        cal->close_h[i] = dow == 6 ? 17 : dow == 3 ? 21 : 18;   /* koopavond on Thursday */
    }
}

/* A day index in [lo, HISTORY_DAYS) drawn by weight. */
static int calendar_day(const struct calendar *cal, struct rng *r, int lo)
{
    double base = lo > 0 ? cal->cdf[lo - 1] : 0;
    double x = base + rng_unit(r) * (cal->cdf[HISTORY_DAYS - 1] - base);
    int a = lo, b = HISTORY_DAYS - 1;
    while (a < b) {
        int mid = (a + b) / 2;
        if (cal->cdf[mid] < x) a = mid + 1;
        else b = mid;
    }
    return a;
}

/* A moment during opening hours of day index i, as UTC microseconds. */
int64_t demo__calendar_moment(const struct calendar *cal, struct rng *r, int i)
{
    unsigned open = cal->open_h[i], close = cal->close_h[i];
    int64_t local_s = (cal->first_day + i) * DAY_S + open * 3600LL + rng_below(r, (close - open) * 3600u);
    int64_t utc_s = local_s - clock_amsterdam_offset(local_s - 3600);
    return utc_s * US + rng_below(r, 1000) * 1000LL;
}

int demo__pick_store(const struct gen *g, struct rng *r)
{
    unsigned x = rng_below(r, g->store_weight_total);
    for (int i = 0; i < NSTORES; i++) {
        if (x < demo_chain[i].weight) return i;
        x -= demo_chain[i].weight;
    }
    return 0;
}

/* ---- producing customers and receipts (producer thread) ------------------ */

/* Counts one purchase line into the chain-wide aggregates exactly as
 * facts_add_receipts() would: purchases per category and UTC day from
 * cat_day0 on, and the lowest unit price per product and UTC day from
 * price_day0 on. */
static void count_line(struct gen *g, int64_t product_index, int64_t price, int64_t qty, int64_t at)
{
    int64_t cd = at / (DAY_S * US) - g->cat_day0;
    if (cd >= 0 && cd < g->ncat_days) g->cat_days[g->products[product_index].category * g->ncat_days + cd] += qty;
    int64_t d = at / (DAY_S * US) - g->price_day0;
    if (d < 0 || d >= g->nprice_days) return;
    int64_t *m = &g->price_min[product_index * g->nprice_days + d];
    if (*m == 0 || price < *m) *m = price;
}

/* The size of a colour a line buys: the customer's own (wears, per size
 * system; NULL for an anonymous buyer) 85 % of the time, else one drawn by
 * how common sizes are. Draws from sr only. */
static int64_t line_size(const struct gen *g, struct rng *sr, const uint8_t *wears, int64_t product)
{
    int system = g->products[product].system;
    if (system < 0) return product;
    unsigned k = wears && !rng_pct(sr, 15) ? wears[system] : demo__draw_size(system, sr);
    return demo__in_size(g, product, k);
}

/* One receipt with nlines lines for customer_id (0: anonymous). fav are the
 * customer's two favourite categories (-1: none); sizes come from sr and
 * wears (see line_size). */
static int make_receipt(struct gen *g, struct chunk *c, struct rng *r, struct rng *sr, const uint8_t *wears,
                        int64_t customer_id, int store, int64_t at, int nlines, const int fav[2])
{
    if (demo__grow((void **)&c->receipts, &c->receipts_cap, c->nreceipts, sizeof *c->receipts) != TD_OK) return TD_E_NOMEM;
    struct receipt_row *rr = &c->receipts[c->nreceipts++];
    rr->id = g->next_receipt_id++;
    rr->store_id = g->store_ids[store];
    rr->customer_id = customer_id;
    rr->at = at;
    snprintf(rr->ref, sizeof rr->ref, "B%010lld", (long long)rr->id);
    /* January and July are sale months: more lines at a discount. */
    int y;
    unsigned m, d;
    int64_t at_s = at / US;
    civil_from_days((at_s + clock_amsterdam_offset(at_s)) / DAY_S, &y, &m, &d);
    unsigned sale_pct = (m == 1 || m == 7) ? 45 : 10;
    for (int line = 1; line <= nlines; line++) {
        int cat = fav[0] >= 0 && rng_pct(r, 60) ? fav[rng_below(r, 2)] : (int)rng_below(r, NCATEGORIES);
        const struct demo_product *p =
            &g->products[line_size(g, sr, wears, g->by_category[cat][rng_below(r, (uint32_t)g->ncat[cat])])];
        int64_t price = p->price;
        if (rng_pct(r, sale_pct)) {
            static const int off[] = {20, 25, 30, 50};
            price = price * (100 - PICK(r, off)) / 100 / 5 * 5;
        }
        if (demo__grow((void **)&c->lines, &c->lines_cap, c->nlines, sizeof *c->lines) != TD_OK) return TD_E_NOMEM;
        c->lines[c->nlines++] = (struct line_row){
            .receipt_id = rr->id, .line_no = line, .customer_id = customer_id, .product_id = p->id,
            .price = price, .qty = p->price < 3000 && rng_pct(r, 15) ? 2 + rng_below(r, 2) : 1,
        };
        count_line(g, p->id - 1, price, c->lines[c->nlines - 1].qty, at);
        g->sum->lines++;
    }
    g->sum->receipts++;
    if (!customer_id) g->sum->anonymous_receipts++;
    return TD_OK;
}

/* Lines on one receipt: 1 to 4, mostly 1 or 2. */
static int receipt_size(struct rng *r)
{
    static const int sizes[] = {1, 1, 1, 1, 2, 2, 2, 3, 3, 4};
    return PICK(r, sizes);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* One receipt of a purchase the case history planted (see plan_abuser):
 * one line of the product at its list price; its reference goes back into
 * pl->ref so the planned cases can name it. */
static int make_planted(struct gen *g, struct chunk *c, int64_t customer_id, struct planted *pl)
{
    if (demo__grow((void **)&c->receipts, &c->receipts_cap, c->nreceipts, sizeof *c->receipts) != TD_OK) return TD_E_NOMEM;
    struct receipt_row *rr = &c->receipts[c->nreceipts++];
    rr->id = g->next_receipt_id++;
    rr->store_id = g->store_ids[pl->store];
    rr->customer_id = customer_id;
    rr->at = pl->at;
    snprintf(rr->ref, sizeof rr->ref, "B%010lld", (long long)rr->id);
    snprintf(pl->ref, sizeof pl->ref, "%s", rr->ref);
    for (int line = 1; line <= (pl->product2 >= 0 ? 2 : 1); line++) {
        int64_t product = line == 1 ? pl->product : pl->product2;
        const struct demo_product *p = &g->products[product];
        if (demo__grow((void **)&c->lines, &c->lines_cap, c->nlines, sizeof *c->lines) != TD_OK) return TD_E_NOMEM;
        c->lines[c->nlines++] = (struct line_row){
            .receipt_id = rr->id, .line_no = line, .customer_id = customer_id, .product_id = p->id, .price = p->price,
            .qty = pl->qty,
        };
        count_line(g, product, p->price, pl->qty, pl->at);
        g->sum->lines++;
    }
    g->sum->receipts++;
    return TD_OK;
}

#define MAX_RECEIPTS 120

/* The receipts of customer id, in time order (invariant (4)), with the
 * planted purchases pl[0..npl) (in time order) merged in. The planted ones
 * draw nothing from r, so a customer's other receipts do not depend on them. */
int demo__make_purchases(struct gen *g, struct chunk *c, struct rng *r, struct rng *sr, const uint8_t *wears,
                         int64_t id, int64_t created_at, int home, struct planted *pl, int npl)
{
    /* Lines per customer: exponential with mean 9, so most customers have a
     * few and some regulars have many. */
    int want = 1 + (int)(-log(1.0 - rng_unit(r)) * 8.0);
    int sizes[MAX_RECEIPTS];
    int64_t times[MAX_RECEIPTS];
    int n = 0;
    for (int have = 0; have < want && n < MAX_RECEIPTS; have += sizes[n++]) sizes[n] = receipt_size(r);
    /* Only days after the customer signed up. */
    int64_t window_start = (g->cal.first_day * DAY_S - 7200) * US;
    int lo = created_at > window_start ? (int)((created_at - window_start) / (DAY_S * US)) + 1 : 0;
    if (lo >= HISTORY_DAYS) lo = HISTORY_DAYS - 1;
    for (int i = 0; i < n; i++) times[i] = demo__calendar_moment(&g->cal, r, calendar_day(&g->cal, r, lo));
    qsort(times, (size_t)n, sizeof times[0], cmp_i64);
    int fav[2] = {(int)rng_below(r, NCATEGORIES), (int)rng_below(r, NCATEGORIES)};
    int rc = TD_OK, k = 0;
    for (int i = 0; i < n && rc == TD_OK; i++) {
        while (rc == TD_OK && k < npl && pl[k].at < times[i]) rc = make_planted(g, c, id, &pl[k++]);
        int store = rng_pct(r, 80) ? home : demo__pick_store(g, r);
        if (rc == TD_OK) rc = make_receipt(g, c, r, sr, wears, id, store, times[i], sizes[i], fav);
    }
    while (rc == TD_OK && k < npl) rc = make_planted(g, c, id, &pl[k++]);
    return rc;
}

/* Anonymous receipts for slot i of N: their days advance with i, so they
 * are written in (roughly) time order, which keeps the (customer_id,
 * purchased_at) index appending within its NULL section. */
int demo__make_anonymous(struct gen *g, struct chunk *c, int64_t slot, int64_t nslots)
{
    struct rng r, sr;
    rng_stream(&r, g->cfg->seed, STREAM_ANON, (uint64_t)slot);
    rng_stream(&sr, g->cfg->seed, STREAM_ANON_SIZE, (uint64_t)slot);
    int day = (int)(slot * HISTORY_DAYS / nslots);
    static const int none[2] = {-1, -1};
    return make_receipt(g, c, &r, &sr, NULL, 0, demo__pick_store(g, &r), demo__calendar_moment(&g->cal, &r, day),
                        1 + rng_pct(&r, 40), none);
}

/* The customer's row of customer_facts and their customer_days purchases,
 * as facts_add_receipts() counts them: receipts [rfirst, nreceipts) and
 * lines [lfirst, nlines) of chunk c, receipts in time order with
 * consecutive ids, lines in receipt order. */
int demo__count_customer(struct gen *g, struct chunk *c, int64_t id, size_t rfirst, size_t lfirst)
{
    struct facts_row *f = &c->facts[c->ncustomers - 1];
    *f = (struct facts_row){id, 0, (int64_t)(c->nreceipts - rfirst), c->receipts[rfirst].at,
                            c->receipts[c->nreceipts - 1].at};
    for (size_t l = lfirst; l < c->nlines; l++) {
        const struct line_row *ln = &c->lines[l];
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        f->spend += ln->price * ln->qty;
        if (rr->at < g->days_from_us) continue;
        int64_t day = rr->at / (DAY_S * US);
        if (c->ndays && c->days[c->ndays - 1].customer_id == id && c->days[c->ndays - 1].day == day) {
            c->days[c->ndays - 1].purchases += ln->qty;
            continue;
        }
        if (demo__grow((void **)&c->days, &c->days_cap, c->ndays, sizeof *c->days) != TD_OK) return TD_E_NOMEM;
        c->days[c->ndays++] = (struct day_row){id, day, ln->qty};
    }
    return TD_OK;
}
