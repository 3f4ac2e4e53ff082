/* demo_plan.c — the demo's case history, planned (producer thread).
 *
 * Over the last CASE_DAYS days the desk saw returns and other cases. Each
 * customer draws from a stream of their own (STREAM_CASES, index), apart
 * from the stream that made their name and purchases, so planting cases
 * changes nobody's purchases except the abusers' planted buys.
 *
 *   honest returners  HONEST_PERMILLE of customers, 1 or 2 cases each, mostly
 *                     returns of their own recent purchases with the receipt,
 *                     some without it (cheap things, gifts), now and then a
 *                     worn item, goods not sold here (gold and platinum
 *                     customers: the worn dress), a repair or a complaint;
 *   honest kinds      labelled "honest_*" in demo_labels, a few per mille each:
 *     honest_gift        a giver buys presents on their card, the next customer
 *                        brings one (or both) back with the gift receipt weeks
 *                        later; now and then the giver returns a present too;
 *     honest_card        never keeps receipts: brings their own recent
 *                        purchases back a few times, found through the card;
 *     honest_family      buys children's clothes in two sizes every week or
 *                        two and brings one size back within days, with the
 *                        receipt or the card;
 *     honest_big_ticket  returns one expensive purchase with its receipt;
 *     honest_walk_in     has no card, returns something without a receipt
 *                        once or twice, and gives a phone number or e-mail
 *                        address when asked (nine in ten);
 *   abusers           ABUSER_PERMILLE of customers with a long enough history,
 *                     labelled in demo_labels, who also buy as anyone does and
 *                     spread their cases over weeks:
 *     serial_no_receipt  bursts of returns without a receipt at two to four
 *                        stores, a few days apart;
 *     wardrober          buys clothes, wears them, brings them back within
 *                        two to ten days, every few weeks;
 *     cross_store        buys several of one product and returns that product
 *                        at one store after another;
 *     receipted_wardrober buys a dress or suit before a weekend, often the
 *                        style of the last one, and brings it back "as new"
 *                        with the receipt a few days later, again and again;
 *     receipt_reuse      returns a purchase once, then brings the same
 *                        receipt (or the card) back for the same item at other
 *                        stores;
 *     ring               one person with three accounts (the next two
 *                        customers) that share a phone number and a mailbox
 *                        written differently, each bringing a return or two
 *                        without a receipt at different stores;
 *     walk_in_repeater   no card: returns without a receipt at two to four
 *                        stores, days apart; when asked for a contact most give
 *                        their phone number, some their e-mail address one
 *                        time and the phone the next, a few refuse.
 *
 * People are described here by what they do, never by what the guard looks
 * at: nothing in the plan reads the policy or the guard.
 *
 * The plan only says what happens when; the writer replays it through the
 * desk (demo__run_history) in time order, so every stored recommendation is what
 * the desk would have said at that moment. */
#include "sim/demo_gen.h"
#include "core/clock.h"
#include "domain/facts.h"
#include "domain/policy.h"
#include <stdio.h>
#include <string.h>

const char *const demo__role_labels[ROLE_COUNT] = {
    [ROLE_SERIAL] = "serial_no_receipt", [ROLE_WARDROBER] = "wardrober", [ROLE_CROSS] = "cross_store",
    [ROLE_RECEIPTED_WARDROBER] = "receipted_wardrober", [ROLE_RECEIPT_REUSE] = "receipt_reuse", [ROLE_RING] = "ring",
    [ROLE_WALK_IN_REPEATER] = "walk_in_repeater", [ROLE_GIFT] = "honest_gift", [ROLE_CARD] = "honest_card",
    [ROLE_FAMILY] = "honest_family", [ROLE_BIG_TICKET] = "honest_big_ticket", [ROLE_WALK_IN] = "honest_walk_in",
    [ROLE_RING_MEMBER] = "ring", [ROLE_GIFT_RECEIVER] = "honest_gift",
};

/* The day index (into the calendar) of a UTC moment. */
static int day_index(const struct gen *g, int64_t at)
{
    int64_t s = at / US;
    return (int)((s + clock_amsterdam_offset(s)) / DAY_S - g->cal.first_day);
}

/* A product of the given category (-1: any) preferring list prices in
 * [lo, hi] cents: a few draws, then whatever came last; in the size the
 * person being planned wears (which draws nothing). */
static int64_t pick_product(const struct gen *g, struct rng *r, int cat, int64_t lo, int64_t hi)
{
    int64_t p = 0;
    for (int tries = 0; tries < 6; tries++) {
        int k = cat >= 0 ? cat : (int)rng_below(r, NCATEGORIES);
        p = g->by_category[k][rng_below(r, (uint32_t)g->ncat[k])];
        if (g->products[p].price >= lo && g->products[p].price <= hi) break;
    }
    int system = g->products[p].system;
    return system >= 0 ? demo__in_size(g, p, g->person->size[system]) : p;
}

static int pick_other_store(const struct gen *g, struct rng *r, const int *used, int nused)
{
    int s = 0;
    for (int tries = 0; tries < 30; tries++) {
        s = demo__pick_store(g, r);
        int fresh = 1;
        for (int k = 0; k < nused; k++) fresh &= used[k] != s;
        if (fresh) break;
    }
    return s;
}

static struct plan_case *person_case(struct person *pp, int day, struct gen *g, struct rng *r, int store, int kind)
{
    if (pp->ncases >= PERSON_CASES || day < CASE_FIRST_DAY || day >= HISTORY_DAYS) return NULL;
    struct plan_case *pc = &pp->cases[pp->ncases];
    memset(pc, 0, sizeof *pc);
    pp->pl_of[pp->ncases++] = -1;
    pc->at = demo__calendar_moment(&g->cal, r, day);
    pc->customer_id = pp->id;
    pc->store = store;
    pc->kind = (uint8_t)kind;
    pc->n_items = 1;
    pc->items[0].product = -1;
    return pc;
}

static struct planted *person_buy(struct person *pp, struct gen *g, struct rng *r, int day, int store, int64_t product,
                                  int qty)
{
    if (pp->npl >= PERSON_PLANTED || day >= HISTORY_DAYS) return NULL;
    struct planted *pl = &pp->pl[pp->npl++];
    memset(pl, 0, sizeof *pl);
    pl->at = demo__calendar_moment(&g->cal, r, day);
    pl->store = store;
    pl->product = product;
    pl->product2 = -1;
    pl->qty = qty;
    return pl;
}

/* Item 0 of case pc: product (an index into g->products) in a condition. */
static void case_item(struct plan_case *pc, int64_t product, int condition)
{
    pc->items[0].product = (int32_t)product;
    pc->items[0].condition = (uint8_t)condition;
}

/* The same, for the person's last planted purchase, whose receipt the case
 * names (see demo__plan_finish). */
static void case_planted(struct person *pp, struct plan_case *pc, int64_t product, int condition)
{
    pp->pl_of[pp->ncases - 1] = (int8_t)(pp->npl - 1);
    case_item(pc, product, condition);
}

/* Bursts of returns without a receipt at a few stores, days apart. */
static void plan_serial(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 40);
    int bursts = rng_pct(r, 35) ? 2 : 1;
    int careful = rng_pct(r, 25);             /* spaces them out: one every one to three weeks */
    for (int b = 0; b < bursts; b++) {
        int stores[4] = {pp->home}, nstores = 2 + (int)rng_below(r, 3);
        for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
        int n = b == 0 ? 4 + (int)rng_below(r, 4) : 2 + (int)rng_below(r, 3);
        for (int j = 0; j < n; j++) {
            if (j) day += careful ? 7 + (int)rng_below(r, 15) : 2 + (int)rng_below(r, 13);
            struct plan_case *pc = person_case(pp, day, g, r, stores[rng_below(r, (uint32_t)nstores)],
                                               rng_pct(r, 90) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
            if (!pc) return;
            pc->n_items = rng_pct(r, 20) ? 2 : 1;
            pc->words = (uint8_t)(rng_pct(r, 50) ? 3 : 4);
            for (int i = 0; i < pc->n_items; i++) {
                pc->items[i].product = (int32_t)pick_product(g, r, -1, 1000, 9000);
                pc->items[i].condition = POLICY_COND_NEW;
            }
        }
        day += 20 + (int)rng_below(r, 40);
    }
}

/* Clothes bought, worn and brought back within days, every few weeks. */
static void plan_wardrober(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 50);
    int episodes = 4 + (int)rng_below(r, 4);
    for (int e = 0; e < episodes && day + 10 < HISTORY_DAYS; e++) {
        int buy_store = rng_pct(r, 60) ? pp->home : demo__pick_store(g, r);
        int cat = rng_pct(r, 75) ? demo__category_index("dames") : demo__category_index("heren");
        struct planted *pl = person_buy(pp, g, r, day, buy_store, pick_product(g, r, cat, 4500, 30000), 1);
        if (!pl) return;
        int back = day + 2 + (int)rng_below(r, 9);
        struct plan_case *pc = person_case(pp, back, g, r, rng_pct(r, 60) ? buy_store : demo__pick_store(g, r),
                                           POLICY_KIND_RETURN);
        if (!pc) return;
        pc->receipt = rng_pct(r, 80);
        pc->words = (uint8_t)(rng_pct(r, 50) ? 0 : 8);
        case_planted(pp, pc, pl->product, POLICY_COND_WORN);
        day += 12 + (int)rng_below(r, 29);
    }
}

/* Several of one product bought at one store, returned at one store after
 * another (the first return often with the receipt). */
static void plan_cross(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 60);
    int targets = rng_pct(r, 70) ? 1 : 2;
    for (int t = 0; t < targets; t++) {
        int stores[6] = {rng_pct(r, 70) ? pp->home : demo__pick_store(g, r)};
        int64_t product = pick_product(g, r, -1, 2000, 15000);
        struct planted *pl = person_buy(pp, g, r, day, stores[0], product, 2 + (int)rng_below(r, 3));
        if (!pl) return;
        int nret = 3 + (int)rng_below(r, 3), rday = day + 1 + (int)rng_below(r, 10);
        for (int j = 0; j < nret && j < 6; j++) {
            if (j) stores[j] = pick_other_store(g, r, stores, j);
            struct plan_case *pc = person_case(pp, rday, g, r, stores[j], POLICY_KIND_RETURN);
            if (!pc) return;
            pc->receipt = j == 0 ? rng_pct(r, 70) : rng_pct(r, 15);
            pc->words = (uint8_t)(j == 0 ? 0 : 1);
            case_planted(pp, pc, product, POLICY_COND_NEW);
            rday += 3 + (int)rng_below(r, 12);
        }
        day = rday + 10 + (int)rng_below(r, 30);
    }
}

/* Another colour of the same type and brand as product p, in its size. */
static int64_t same_style(const struct gen *g, struct rng *r, int64_t p)
{
    const struct demo_product *d = &g->products[p];
    if (d->style_n <= 1) return p;
    int64_t own = (p - d->style_first) / d->size_n;
    int64_t q = (int64_t)rng_below(r, (uint32_t)d->style_n - 1);
    if (q >= own) q++;
    return d->style_first + q * d->size_n + d->size_i;
}

/* A dress or suit before a weekend, "as new" back a few days later with the
 * receipt; often the style of the last one, in another colour. */
static void plan_receipted_wardrober(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 40);
    int episodes = 4 + (int)rng_below(r, 4);
    int64_t last = -1;
    for (int e = 0; e < episodes && day + 6 < HISTORY_DAYS; e++) {
        int cat = rng_pct(r, 70) ? demo__category_index("dames") : demo__category_index("heren");
        int64_t product = last >= 0 && rng_pct(r, 55) ? same_style(g, r, last) : pick_product(g, r, cat, 4000, 25000);
        last = product;
        int buy_store = rng_pct(r, 60) ? pp->home : demo__pick_store(g, r);
        struct planted *pl = person_buy(pp, g, r, day, buy_store, product, 1);
        if (!pl) return;
        struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 4), g, r,
                                           rng_pct(r, 70) ? buy_store : demo__pick_store(g, r), POLICY_KIND_RETURN);
        if (!pc) return;
        pc->receipt = rng_pct(r, 85);
        pc->words = (uint8_t)rng_below(r, 2);
        case_planted(pp, pc, product, POLICY_COND_NEW);
        day += 7 + (int)rng_below(r, 22);
    }
}

/* One purchase returned, then the same item brought back again at other
 * stores with the same receipt (or, now and then, only the card). */
static void plan_receipt_reuse(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 70);
    int stores[6] = {rng_pct(r, 70) ? pp->home : demo__pick_store(g, r)};
    int64_t product = pick_product(g, r, -1, 2000, 12000);
    struct planted *pl = person_buy(pp, g, r, day, stores[0], product, 1);
    if (!pl) return;
    int back = day + 1 + (int)rng_below(r, 20), again = 2 + (int)rng_below(r, 3);
    for (int j = 0; j <= again && j < 6; j++) {
        if (j) {
            stores[j] = pick_other_store(g, r, stores, j);
            back += 3 + (int)rng_below(r, 18);
        }
        struct plan_case *pc = person_case(pp, back, g, r, stores[j], POLICY_KIND_RETURN);
        if (!pc) return;
        pc->receipt = j == 0 || rng_pct(r, 70);
        pc->words = (uint8_t)(pc->receipt ? 0 : 3);
        case_planted(pp, pc, product, POLICY_COND_NEW);
    }
}

/* One person with three accounts: this customer and the next two (who get a
 * shared phone and a mailbox written another way), each bringing a return or
 * two without a receipt at different stores over a few weeks. */
static void plan_ring(struct gen *g, struct rng *r, struct person *pp, const char *phone, const char *email)
{
    if (pp->index + 2 >= g->cfg->customers || g->npending + 2 > (int)COUNT(g->pending) || (!phone[0] && !email[0])) {
        pp->role = ROLE_SERIAL;
        plan_serial(g, r, pp);
        return;
    }
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 60);
    int stores[4] = {pp->home}, nstores = 3 + (int)rng_below(r, 2);
    for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
    int n = 5 + (int)rng_below(r, 4);
    for (int j = 0; j < n; j++) {
        if (j) day += 2 + (int)rng_below(r, 9);
        struct plan_case *pc = person_case(pp, day, g, r, stores[(j + (int)rng_below(r, 2)) % nstores],
                                           POLICY_KIND_RETURN);
        if (!pc) return;
        pc->customer_id = pp->id + j % 3;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 3 : 4);
        case_item(pc, pick_product(g, r, -1, 1500, 9000), POLICY_COND_NEW);
    }
    /* The second account shares the first one's phone (or, without one, its
     * mailbox, written another way); the third the second's mailbox. */
    struct pending *a = &g->pending[g->npending++], *b = &g->pending[g->npending++];
    memset(a, 0, sizeof *a);
    memset(b, 0, sizeof *b);
    *a = (struct pending){.index = pp->index + 1, .role = ROLE_RING_MEMBER, .person = pp->id, .share_mail = 1};
    *b = (struct pending){.index = pp->index + 2, .role = ROLE_RING_MEMBER, .person = pp->id};
    a->before = b->before = pp->cases[0].at - 30 * DAY_S * US;
    if (phone[0]) snprintf(a->phone, sizeof a->phone, "+31 6 %.4s %.4s", phone + 2, phone + 6);
    else snprintf(a->mail, sizeof a->mail, "%s", email);
}

/* Returns without a receipt at a few stores, days apart, as a walk-in who
 * gives a phone number when asked; some give their e-mail address one time
 * and the phone the next, a few refuse. */
static void plan_walk_in_repeater(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 50);
    int stores[4] = {pp->home}, nstores = 2 + (int)rng_below(r, 3);
    for (int k = 1; k < nstores; k++) stores[k] = pick_other_store(g, r, stores, k);
    unsigned habit = rng_below(r, 10);
    int n = 4 + (int)rng_below(r, 5);
    for (int j = 0; j < n; j++) {
        if (j) day += 2 + (int)rng_below(r, 13);
        struct plan_case *pc = person_case(pp, day, g, r, stores[rng_below(r, (uint32_t)nstores)], POLICY_KIND_RETURN);
        if (!pc) return;
        pc->customer_id = 0;
        pc->walk_in = -(pp->index + 1);
        pc->label = ROLE_WALK_IN_REPEATER;
        pc->contact = habit == 0 ? CONTACT_REFUSES : habit <= 2 && j % 2 ? CONTACT_EMAIL : CONTACT_PHONE;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 2 : 9);
        case_item(pc, pick_product(g, r, -1, 1500, 9000), POLICY_COND_NEW);
    }
}

/* A walk-in (no card) who brings something back without a receipt once or
 * twice, and gives a phone number or e-mail address when asked, nine times
 * in ten. */
static void plan_walk_in(struct gen *g, struct rng *r, struct person *pp)
{
    int n = rng_pct(r, 30) ? 2 : 1;
    unsigned contact = rng_pct(r, 90) ? (rng_pct(r, 60) ? CONTACT_PHONE : CONTACT_EMAIL) : CONTACT_REFUSES;
    for (int j = 0; j < n; j++) {
        struct plan_case *pc = person_case(pp, CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS), g, r,
                                           rng_pct(r, 70) ? pp->home : demo__pick_store(g, r),
                                           rng_pct(r, 85) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pc->customer_id = 0;
        pc->walk_in = -(pp->index + 1);
        pc->label = ROLE_WALK_IN;
        pc->contact = (uint8_t)contact;
        pc->words = (uint8_t)(rng_pct(r, 50) ? 0 : 9);
        pc->items[0].product = (int32_t)pick_product(g, r, -1, 1000, 8000);
        pc->items[0].condition = rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED;
    }
}

/* Never keeps a receipt: a few of their own recent purchases come back,
 * found through the card. */
static void plan_card(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, 60), n = 2 + (int)rng_below(r, 3);
    for (int j = 0; j < n && day + 3 < HISTORY_DAYS; j++) {
        int store = rng_pct(r, 80) ? pp->home : demo__pick_store(g, r);
        int64_t product = pick_product(g, r, -1, 1000, 15000);
        struct planted *pl = person_buy(pp, g, r, day, store, product, 1);
        if (!pl) return;
        struct plan_case *pc = person_case(pp, day + 2 + (int)rng_below(r, 24), g, r, rng_pct(r, 70) ? store : pp->home,
                                           rng_pct(r, 85) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pc->words = 3;
        case_planted(pp, pc, product, rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED);
        day += 10 + (int)rng_below(r, 40);
    }
}

/* Children's clothes in two sizes every week or two for a few months (two
 * of one, or two colours of a style in sizes next to each other); one size comes back within days,
 * mostly with the receipt. */
static void plan_family(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY - 10 + (int)rng_below(r, 60), n = 4 + (int)rng_below(r, 5);
    int kids = demo__category_index("kinderen");
    for (int j = 0; j < n && day + 3 < HISTORY_DAYS; j++) {
        int store = rng_pct(r, 80) ? pp->home : demo__pick_store(g, r);
        int64_t product = pick_product(g, r, kids, 0, 1000000);
        int two_lines = rng_pct(r, 40);
        struct planted *pl = person_buy(pp, g, r, day, store, product, two_lines ? 1 : 2);
        if (!pl) return;
        if (two_lines) {   /* another colour, a size up (or down): for the other child, or to try */
            int64_t other = same_style(g, r, product);
            const struct demo_product *d = &g->products[other];
            unsigned k = d->size_i + 1u < d->size_n ? d->size_i + 1u : d->size_i ? d->size_i - 1u : d->size_i;
            pl->product2 = demo__in_size(g, other, k);
        }
        if (rng_pct(r, 75)) {
            struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 9), g, r, rng_pct(r, 80) ? store : pp->home,
                                               rng_pct(r, 75) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
            if (!pc) return;
            pc->receipt = rng_pct(r, 70);
            pc->words = 0;
            case_planted(pp, pc, two_lines && rng_pct(r, 50) ? pl->product2 : product, POLICY_COND_NEW);
        }
        day += 5 + (int)rng_below(r, 14);
    }
}

/* One expensive purchase brought back with its receipt. */
static void plan_big_ticket(struct gen *g, struct rng *r, struct person *pp)
{
    int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS - 30);
    static const char *const cats[] = {"elektra", "elektra", "dames", "heren"};
    int64_t product = pick_product(g, r, demo__category_index(PICK(r, cats)), 25000, 60000);
    int store = rng_pct(r, 70) ? pp->home : demo__pick_store(g, r);
    struct planted *pl = person_buy(pp, g, r, day, store, product, 1);
    if (!pl) return;
    struct plan_case *pc = person_case(pp, day + 2 + (int)rng_below(r, 24), g, r, store, POLICY_KIND_RETURN);
    if (!pc) return;
    pc->receipt = rng_pct(r, 90);
    pc->words = (uint8_t)rng_below(r, 3);
    case_planted(pp, pc, product, POLICY_COND_NEW);
}

/* Presents for the next customer, bought on this one's card; now and then
 * the giver brings one back first (demo__plan_finish hands the rest on). */
static void plan_gift(struct gen *g, struct rng *r, struct person *pp)
{
    if (pp->index + 1 >= g->cfg->customers || g->npending + 1 > (int)COUNT(g->pending)) {
        pp->role = ROLE_NONE;
        return;
    }
    int day = CASE_FIRST_DAY - 20 + (int)rng_below(r, CASE_DAYS - 10);
    int store = rng_pct(r, 70) ? pp->home : demo__pick_store(g, r);
    int n = rng_pct(r, 60) ? 2 : 1, own = rng_pct(r, 30);
    int first = pp->npl;
    for (int k = 0; k < n + own; k++) {
        struct planted *pl = person_buy(pp, g, r, day, store, pick_product(g, r, -1, 1500, 12000), 1);
        if (!pl) return;
        pl->at = pp->pl[first].at + k * 60 * US;   /* one visit, receipt after receipt: in time order */
    }
    if (own) {   /* the last one: the giver changes their mind */
        struct plan_case *pc = person_case(pp, day + 1 + (int)rng_below(r, 20), g, r, store, POLICY_KIND_RETURN);
        if (!pc) return;
        pc->receipt = 1;
        case_planted(pp, pc, pp->pl[pp->npl - 1].product, POLICY_COND_NEW);
    }
    struct pending *p = &g->pending[g->npending++];
    memset(p, 0, sizeof *p);
    p->index = pp->index + 1;
    p->role = ROLE_GIFT_RECEIVER;
    p->person = pp->id;
    p->npresents = n;              /* their references follow in demo__plan_finish */
    p->before = pp->pl[first].at;  /* the receiver has an account by then */
}

/* The presents someone else bought for this customer: most come back with
 * the gift receipt some weeks later, at their own store. */
static void plan_gift_receiver(struct gen *g, struct rng *r, struct person *pp)
{
    const struct pending *f = pp->forced;
    for (int k = 0; k < f->npresents; k++) {
        if (!rng_pct(r, 75)) continue;
        int day = day_index(g, f->presents[k].at) + 7 + (int)rng_below(r, 45);
        struct plan_case *pc = person_case(pp, day, g, r, rng_pct(r, 70) ? pp->home : f->presents[k].store,
                                           rng_pct(r, 80) ? POLICY_KIND_RETURN : POLICY_KIND_EXCHANGE);
        if (!pc) return;
        pc->words = 4;
        case_item(pc, f->presents[k].product, POLICY_COND_NEW);
        pc->items[0].gift = 1;
        snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", f->presents[k].ref);
    }
}

/* Before the customer's purchases are made: their role, and for those with
 * a plan of their own the planted purchases and the cases that use them
 * (ordinary honest returners plan from their purchases, afterwards). phone
 * and email: the customer's, the phone in national digits ("" without). */
void demo__plan_role(struct gen *g, struct person *pp, struct rng *r, const char *phone, const char *email)
{
    pp->role = ROLE_NONE;
    pp->npl = pp->ncases = 0;
    if (pp->forced) {
        pp->role = pp->forced->role;
        if (pp->role == ROLE_GIFT_RECEIVER) plan_gift_receiver(g, r, pp);
        return;
    }
    unsigned x = rng_below(r, 1000);
    int64_t seasoned = g->cfg->end_us - (int64_t)(CASE_DAYS + 30) * DAY_S * US;
    if (x < ABUSER_PERMILLE && pp->created_at < seasoned) {
        static const int kinds[ABUSER_PERMILLE] = {ROLE_SERIAL, ROLE_SERIAL, ROLE_WARDROBER, ROLE_WARDROBER, ROLE_CROSS,
                                                   ROLE_CROSS, ROLE_RECEIPTED_WARDROBER, ROLE_RECEIPT_REUSE, ROLE_RING,
                                                   ROLE_WALK_IN_REPEATER};
        pp->role = kinds[rng_below(r, ABUSER_PERMILLE)];
        switch (pp->role) {
        case ROLE_SERIAL: plan_serial(g, r, pp); break;
        case ROLE_WARDROBER: plan_wardrober(g, r, pp); break;
        case ROLE_CROSS: plan_cross(g, r, pp); break;
        case ROLE_RECEIPTED_WARDROBER: plan_receipted_wardrober(g, r, pp); break;
        case ROLE_RECEIPT_REUSE: plan_receipt_reuse(g, r, pp); break;
        case ROLE_RING: plan_ring(g, r, pp, phone, email); break;
        default: plan_walk_in_repeater(g, r, pp); break;
        }
    } else if (x >= ABUSER_PERMILLE && x < ABUSER_PERMILLE + HONEST_PERMILLE) {
        pp->role = ROLE_HONEST;
    } else if (x >= ABUSER_PERMILLE + HONEST_PERMILLE && x < ABUSER_PERMILLE + HONEST_PERMILLE + HONEST_KINDS_PERMILLE &&
               pp->created_at < seasoned) {
        unsigned y = x - (ABUSER_PERMILLE + HONEST_PERMILLE);
        unsigned z = y * 2 + rng_below(r, 2);            /* halves of a per mille */
        pp->role = z < 4 ? ROLE_GIFT : z < 8 ? ROLE_CARD : z < 11 ? ROLE_FAMILY : z < 13 ? ROLE_BIG_TICKET : ROLE_WALK_IN;
        switch (pp->role) {
        case ROLE_GIFT: plan_gift(g, r, pp); break;
        case ROLE_CARD: plan_card(g, r, pp); break;
        case ROLE_FAMILY: plan_family(g, r, pp); break;
        case ROLE_BIG_TICKET: plan_big_ticket(g, r, pp); break;
        default: plan_walk_in(g, r, pp); break;
        }
    }
}

/* An honest customer's cases, from their own recent purchases: lines of
 * chunk c from lfirst on, their receipts from rfirst on (ids contiguous). */
void demo__plan_honest(struct gen *g, const struct chunk *c, struct rng *r, struct person *pp, size_t rfirst,
                        size_t lfirst)
{
    size_t recent[64];
    int n = 0;
    int64_t spend = 0;
    for (size_t l = lfirst; l < c->nlines; l++) {
        const struct line_row *ln = &c->lines[l];
        spend += ln->price * ln->qty;
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        int d = day_index(g, rr->at);
        if (d >= CASE_FIRST_DAY - 25 && d < HISTORY_DAYS - 1 && n < 64) recent[n++] = l;
    }
    int tier_gold = pp->member && spend >= FACTS_GOLD_CENTS, tier_plat = pp->member && spend >= FACTS_PLATINUM_CENTS;
    unsigned many = rng_below(r, 100);
    int cases = many < 65 ? 1 : many < 92 ? 2 : 3;
    size_t used[3];
    int nused = 0;
    for (int k = 0; k < cases; k++) {
        unsigned t = rng_below(r, 100);
        if (t >= 95 && rng_pct(r, 60)) {                 /* presents they got, without receipts, in one visit */
            int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS);
            struct plan_case *pc = person_case(pp, day, g, r, pp->home, POLICY_KIND_RETURN);
            if (!pc) continue;
            pc->n_items = 2;
            pc->words = 4;
            for (int i = 0; i < 2; i++) {
                pc->items[i].product = (int32_t)pick_product(g, r, -1, 1000, 6000);
                pc->items[i].condition = POLICY_COND_NEW;
            }
            continue;
        }
        if (t >= 82 && t < 88 && tier_gold) {            /* the worn dress */
            int day = CASE_FIRST_DAY + (int)rng_below(r, CASE_DAYS);
            struct plan_case *pc = person_case(pp, day, g, r, rng_pct(r, 80) ? pp->home : demo__pick_store(g, r),
                                               POLICY_KIND_RETURN);
            if (!pc) continue;
            unsigned w = rng_below(r, DEMO_NOT_OURS_GOODS);
            pc->items[0].nsh = (int16_t)w;
            pc->items[0].condition = rng_pct(r, 60) ? POLICY_COND_WORN : POLICY_COND_USED;
            int64_t top = tier_plat ? 55000 : 28000;
            pc->items[0].stated_cents = (4000 + (int64_t)rng_below(r, (uint32_t)(top - 4000) / 500) * 500);
            pc->words = 6;
            continue;
        }
        if (t >= 82 && t < 88) t = 0;                    /* not gold: an ordinary return instead */
        if (n == 0) continue;
        size_t l = recent[rng_below(r, (uint32_t)n)];
        if (t >= 62 && t < 78)                           /* without a receipt: mostly cheaper things */
            for (int tries = 0; tries < 4 && c->lines[l].price > 10000; tries++) l = recent[rng_below(r, (uint32_t)n)];
        if (t >= 78 && t < 82)                           /* worn: clothes, if any */
            for (int tries = 0; tries < 4 && g->products[c->lines[l].product_id - 1].category > 1; tries++)
                l = recent[rng_below(r, (uint32_t)n)];
        /* A purchase comes back once: another case takes another line. */
        int taken = 0;
        for (int u = 0; u < nused; u++) taken |= used[u] == l;
        if (taken) continue;
        used[nused++] = l;
        const struct line_row *ln = &c->lines[l];
        const struct receipt_row *rr = &c->receipts[rfirst + (size_t)(ln->receipt_id - c->receipts[rfirst].id)];
        int bought = day_index(g, rr->at), store = 0, kind = POLICY_KIND_RETURN, receipt = 1, day;
        enum policy_condition cond = rng_pct(r, 85) ? POLICY_COND_NEW : POLICY_COND_USED;
        for (int s = 0; s < NSTORES; s++)
            if (g->store_ids[s] == rr->store_id) store = s;
        if (t < 62) {                                    /* with the receipt, within the month */
            day = bought + 1 + (int)rng_below(r, 27);
            if (rng_pct(r, 30)) store = pp->home;
            if (rng_pct(r, 15)) kind = POLICY_KIND_EXCHANGE;
        } else if (t < 78) {
            day = bought + 3 + (int)rng_below(r, 42);
            receipt = 0;
            store = rng_pct(r, 80) ? pp->home : store;
        } else if (t < 82) {                             /* worn once; mostly weeks later */
            day = bought + (rng_pct(r, 75) ? 15 + (int)rng_below(r, 14) : 3 + (int)rng_below(r, 10));
            cond = POLICY_COND_WORN;
        } else if (t < 95) {                             /* a repair of something of ours */
            day = bought + 10 + (int)rng_below(r, 60);
            kind = POLICY_KIND_REPAIR;
            cond = POLICY_COND_DEFECTIVE;
        } else {                                         /* a complaint */
            day = bought + 2 + (int)rng_below(r, 30);
            kind = POLICY_KIND_COMPLAINT;
            cond = POLICY_COND_USED;
        }
        struct plan_case *pc = person_case(pp, day, g, r, store, kind);
        if (!pc) continue;
        pc->receipt = (uint8_t)receipt;
        pc->words = (uint8_t)(kind == POLICY_KIND_REPAIR ? 5 : kind == POLICY_KIND_COMPLAINT ? 7 : receipt ? rng_below(r, 3) : 3);
        case_item(pc, ln->product_id - 1, cond);
        if (receipt) snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", rr->ref);
        if (kind == POLICY_KIND_REPAIR && rng_pct(r, 15)) {   /* the vacuum cleaner of a brand we do not carry */
            pc->items[0].product = -1;
            pc->items[0].nsh = (int16_t)(DEMO_NOT_OURS_GOODS + rng_below(r, (uint32_t)(DEMO_NOT_OURS - DEMO_NOT_OURS_GOODS)));
            pc->items[0].stated_cents = 0;
            pc->items[0].ref[0] = '\0';
            pc->receipt = 0;
        }
    }
}

/* After the customer's purchases: the planted receipts' references go into
 * the cases that bring those purchases back, the cases into the plan, the
 * labels onto the accounts that bring them (a ring's onto all three, as one
 * person), and a giver's presents to the next customer. */
int demo__plan_finish(struct gen *g, struct person *pp)
{
    int64_t ids[PERSON_CASES];
    int nids = 0;
    for (int k = 0; k < pp->ncases; k++) {
        struct plan_case *pc = &pp->cases[k];
        if (pp->pl_of[k] >= 0 && pc->receipt)
            snprintf(pc->items[0].ref, sizeof pc->items[0].ref, "%s", pp->pl[pp->pl_of[k]].ref);
        if (demo__grow((void **)&g->plan, &g->plan_cap, g->nplan, sizeof *g->plan) != TD_OK) return TD_E_NOMEM;
        g->plan[g->nplan++] = *pc;
        int seen = !pc->customer_id;
        for (int i = 0; i < nids && !seen; i++) seen = ids[i] == pc->customer_id;
        if (!seen) ids[nids++] = pc->customer_id;
    }
    const char *label = demo__role_labels[pp->role];
    for (int i = 0; label && i < nids; i++) {
        if (demo__grow((void **)&g->labels, &g->labels_cap, g->nlabels, sizeof *g->labels) != TD_OK) return TD_E_NOMEM;
        g->labels[g->nlabels++] = (struct plan_label){ids[i], pp->role == ROLE_RING ? pp->id : ids[i], label};
    }
    if (pp->role == ROLE_GIFT && g->npending > 0) {
        struct pending *p = &g->pending[g->npending - 1];
        for (int k = 0; k < p->npresents && k < PRESENTS_MAX; k++) {
            snprintf(p->presents[k].ref, sizeof p->presents[k].ref, "%s", pp->pl[k].ref);
            p->presents[k].product = (int32_t)pp->pl[k].product;
            p->presents[k].at = pp->pl[k].at;
            p->presents[k].store = pp->pl[k].store;
        }
    }
    return TD_OK;
}
