/* demo_history.c — the planned case history replayed through the desk, in
 * time order, on the writer's side (invariant (7) of demo.c): each case is
 * opened, decided and resolved as an associate of its store would, and
 * approved by the store's manager where the desk asks for it; then the
 * labels of the people the plan describes (demo_labels).
 */
#include "sim/demo_gen.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/desk.h"
#include "domain/ledger.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What a walk-in (person number below 0) says when asked for a contact. */
static void walk_in_contact_text(int64_t person, int kind, char *out, size_t n)
{
    char digits[11];
    demo__phone_digits(-person, 1, digits);
    if (kind == CONTACT_EMAIL) snprintf(out, n, "bezoeker%lld@ziggo.nl", (long long)-person);
    else snprintf(out, n, "%.2s-%s", digits, digits + 2);
}

static int cmp_plan(const void *a, const void *b)
{
    const struct plan_case *x = a, *y = b;
    if (x->at != y->at) return (x->at > y->at) - (x->at < y->at);
    if (x->customer_id != y->customer_id) return (x->customer_id > y->customer_id) - (x->customer_id < y->customer_id);
    if (x->walk_in != y->walk_in) return (x->walk_in > y->walk_in) - (x->walk_in < y->walk_in);
    return (x->store > y->store) - (x->store < y->store);
}

/* One planned case through the desk, as an associate of its store would
 * handle it: open it, ask for the recommendation, resolve with exactly that
 * (resolution and maximum amount); when a manager must approve, the store's
 * manager does so a few minutes later. A recommendation of store credit
 * without a known price (nothing sold lately) is declined instead, with a
 * reason, as the associate cannot name an amount. */
static int run_case(struct gen *g, const struct plan_case *pc, const struct ledger_config *lc)
{
    struct dctx c = {.db = g->db, .now_us = pc->at, .addr = "demo", .events_quiet = demo__bulk_quiet(g)};
    c.actor = (struct actor){g->associate_ids[pc->store][(pc->customer_id + pc->at / US) % ASSOCIATES_PER_STORE],
                             ROLE_ASSOCIATE, g->store_ids[pc->store]};
    struct desk_case_in in;
    memset(&in, 0, sizeof in);
    in.kind = (enum policy_kind)pc->kind;
    in.customer_id = pc->customer_id;
    in.store_code = demo_chain[pc->store].code;
    in.receipt = pc->receipt != 0;
    in.customer_words = demo_case_words.item[pc->words % demo_case_words.n];
    in.n_items = pc->n_items;
    for (size_t i = 0; i < pc->n_items; i++) {
        const struct plan_item *it = &pc->items[i];
        struct desk_item_in *x = &in.items[i];
        x->condition = (enum policy_condition)it->condition;
        if (it->product >= 0) {
            x->sold_here = true;
            x->sku = g->products[it->product].sku;
            x->receipt_ref = it->ref[0] ? it->ref : NULL;
            x->gift_receipt = it->gift != 0;
        } else {
            x->brand = demo_not_ours[it->nsh].brand;
            x->description = demo_not_ours[it->nsh].description;
            x->stated_price_cents = it->stated_cents;
        }
    }
    /* A walk-in without a receipt: the associate asks for a phone number or
     * e-mail address as the case opens (the desk keeps it only where it
     * asks), and the person answers as they are (some refuse). */
    char contact[64];
    if (pc->walk_in && !pc->receipt && pc->contact != CONTACT_REFUSES) {
        walk_in_contact_text(pc->walk_in, pc->contact, contact, sizeof contact);
        in.walk_in_contact = contact;
    }
    struct errors err;
    errors_init(&err);
    int64_t id = 0;
    struct desk_outcome out;
    int rc = desk_case_create(&c, &in, &err, &id);
    if (rc != TD_OK) goto out;
    /* As the associate would: accept the recommendation (decided once, inside
     * the resolve). Store credit with no known price cannot be accepted as
     * it is (the check refuses before writing anything): decline instead. */
    struct desk_resolve_in rin = {.accept = true};
    if (pc->walk_in) {
        rc = db_run(g->db, "INSERT INTO demo_walk_ins (case_id, person, label) VALUES (?, ?, ?)", NULL, "iit", id,
                    pc->walk_in, demo__role_labels[pc->label]);
        if (rc != TD_OK) goto out;
    }
    rc = desk_resolve(&c, lc, id, &rin, &err, &out);
    if (rc == TD_E_INVALID && err.n == 1 && strcmp(err.item[0].field, "amount_cents") == 0) {
        errors_init(&err);
        rin = (struct desk_resolve_in){.resolution = POLICY_RES_DECLINE,
                                       .override_reason = "Geen recente verkoopprijs bekend; de klant komt terug met de kassabon."};
        rc = desk_resolve(&c, lc, id, &rin, &err, &out);
    }
    if (rc != TD_OK) goto out;
    g->sum->cases++;
    if (strcmp(out.status, "awaiting_approval") == 0) {
        c.now_us += 5 * 60 * US;
        c.actor = (struct actor){g->manager_ids[pc->store], ROLE_MANAGER, g->store_ids[pc->store]};
        rc = desk_approve(&c, lc, id, NULL, &err, &out);
        g->sum->approvals++;
    }
out:
    /* A refusal here is the generator's bug, not bad input: say so. */
    if (rc == TD_E_INVALID || rc == TD_E_FORBIDDEN || rc == TD_E_CONFLICT) {
        char who[32];
        snprintf(who, sizeof who, "%lld", (long long)pc->customer_id);
        log_msg(LOG_ERROR, "demo case refused", "customer", who, "field", err.n ? err.item[0].field : "",
                "problem", err.n ? err.item[0].problem : err.message, NULL);
        rc = TD_E_INTERNAL;
    }
    return rc;
}

/* Counts the purchases into the aggregates, replays the planned cases in
 * time order and writes the abusers' labels. */
int demo__run_history(struct gen *g)
{
    int rc = demo__write_chain_facts(g);
    if (rc != TD_OK) return rc;
    if (g->nplan) qsort(g->plan, g->nplan, sizeof *g->plan, cmp_plan);   /* plan is NULL when empty */
    struct ledger_config lc = {.validity_us = 730 * DAY_S * US, .associate_limit_cents = 50000};
    for (size_t i = 0; i < g->nplan && rc == TD_OK; i++) {
        rc = run_case(g, &g->plan[i], &lc);
        if (g->cfg->progress && ((i + 1) % 1024 == 0 || i + 1 == g->nplan))
            g->cfg->progress(g->cfg->progress_arg, "cases", (long long)(i + 1), (long long)g->nplan);
    }
    if (rc == TD_OK) rc = demo__bulk_rollups(g);
    for (size_t i = 0; i < g->nlabels && rc == TD_OK; i++) {
        rc = db_run(g->db, "INSERT INTO demo_labels (customer_id, label, person) VALUES (?, ?, ?)", NULL, "iti",
                    g->labels[i].customer_id, g->labels[i].label, g->labels[i].person);
        g->sum->abusers += strncmp(g->labels[i].label, "honest", 6) != 0;
    }
    return rc;
}
