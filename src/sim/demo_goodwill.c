/* demo_goodwill.c — the demo's planted effect for the goodwill economics
 * (docs/insight.md, "Goodwill economics"), so that its screen shows what a
 * known effect looks like.
 *
 * After the case history, every customer whose first case the desk resolved
 * with goodwill (goodwill_cases_each: a credit note funded as goodwill, or
 * more than a strict policy gives) comes back once more: one receipt of one
 * catalogue product (of those the purchases draw from) at its list price, 30 to 89 days after that case, in
 * the case's store — when that day is before the demo's end. The customers
 * whose first case got nothing beyond strict do not. The estimate counts
 * each customer's first case, so the planted effect is exactly one extra
 * visit within 90 days (and within 180) per customer given goodwill, worth
 * the mean list price: extra_visits moves by 1 against the same demo made
 * with --no-goodwill-effect.
 *
 * The receipts go in with the next receipt ids, and the aggregates learn of
 * them through the import's own event (EVENT_PURCHASES_IMPORTED) at the
 * history's start, as demo_history_start_us() promises the recount; the
 * decisions stored before stay as they were (they did not know the future).
 * Deterministic: each case draws from its own stream (STREAM_GOODWILL).
 */
#include "sim/demo_gen.h"
#include "db/db.h"
#include "domain/events.h"
#include "domain/goodwill.h"
#include <stdio.h>
#include <stdlib.h>

#define PLANT_FIRST_DAY 30
#define PLANT_DAYS 60

struct plant {
    struct gen *g;
    int64_t planted, cents;
};

static int plant_one(void *arg, const struct goodwill_case *k)
{
    struct plant *p = arg;
    struct gen *g = p->g;
    if (!k->goodwill_cents || !k->first) return TD_OK;
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_GOODWILL, (uint64_t)k->case_id);
    int64_t at = k->resolved_at + (int64_t)(PLANT_FIRST_DAY + rng_below(&r, PLANT_DAYS)) * DAY_S * US +
                 (int64_t)rng_below(&r, 8 * 3600) * US;
    /* What the purchases draw from (the new collection's styles are not in it: nobody has bought them yet). */
    int cat = (int)rng_below(&r, NCATEGORIES);
    if (!g->ncat[cat]) return TD_OK;
    const struct demo_product *pr = &g->products[g->by_category[cat][rng_below(&r, (uint32_t)g->ncat[cat])]];
    if (at >= g->cfg->end_us) return TD_OK;
    int64_t id = g->next_receipt_id++;
    char ref[32];
    snprintf(ref, sizeof ref, "GW%010lld", (long long)id);
    int rc = db_run(g->db, "INSERT INTO receipts (id, receipt_ref, store_id, customer_id, purchased_at) VALUES (?, ?, ?, ?, ?)",
                    NULL, "itiii", id, ref, k->store_id, k->customer_id, at);
    if (rc == TD_OK)
        rc = db_run(g->db, "INSERT INTO purchase_lines (receipt_id, line_no, customer_id, product_id, unit_price_cents, quantity)"
                           " VALUES (?, 1, ?, ?, ?, 1)", NULL, "iiii", id, k->customer_id, pr->id, pr->price);
    p->planted++;
    p->cents += pr->price;
    return rc;
}

int demo__plant_goodwill(struct gen *g, int64_t history_start_us)
{
    struct dctx c = {.db = g->db, .now_us = history_start_us, .addr = "demo"};
    if (g->cfg->no_goodwill_effect) return TD_OK;
    struct plant p = {.g = g};
    int64_t first = g->next_receipt_id;
    int rc = goodwill_cases_each(&c, 0, g->cfg->end_us + 1, plant_one, &p);
    if (rc != TD_OK || !p.planted) return rc;
    g->sum->receipts += p.planted;
    g->sum->lines += p.planted;
    struct event ev = {.kind = EVENT_PURCHASES_IMPORTED, .first_receipt = first, .last_receipt = g->next_receipt_id - 1};
    return events_emit(&c, &ev);
}
