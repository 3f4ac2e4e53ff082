/* fuzz_inputs.c — libFuzzer target for a stored decision's inputs document
 * (decision_inputs.inputs_json): bytes -> desk__inputs_parse(), by the
 * one-pass scanner and by jansson's tree.
 *
 * Properties on any input:
 *  - the reader a replay uses (scanner, else tree) answers what the tree
 *    alone answers;
 *  - whatever the scanner takes, the tree takes too, and both read the
 *    same case, facts, signals, risk and decision;
 *  - whatever is read, its compact form (decision_replay.inputs) reads
 *    back to the same inputs; the bytes read as a compact form are taken
 *    or refused, never overrun.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "domain/desk_inputs.h"
#include "domain/desk_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static int same_str(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

static int same_item(const struct case_item *x, const struct case_item *y)
{
    return x->sold_here == y->sold_here && x->condition == y->condition &&
           x->days_since_purchase == y->days_since_purchase && x->price_paid_cents == y->price_paid_cents &&
           x->lowest_recent_cents == y->lowest_recent_cents && x->stated_price_cents == y->stated_price_cents &&
           x->brand_carried == y->brand_carried && x->card_proof == y->card_proof && x->gift_receipt == y->gift_receipt &&
           x->line_quantity == y->line_quantity && x->line_returned == y->line_returned &&
           same_str(x->category, y->category) && same_str(x->brand, y->brand) &&
           same_str(x->description, y->description) && same_str(x->returned_on, y->returned_on) &&
           same_str(x->returned_store, y->returned_store);
}

static int same(const struct desk_inputs *a, const struct desk_inputs *b)
{
    if (a->ci.kind != b->ci.kind || a->ci.receipt != b->ci.receipt || a->ci.referral != b->ci.referral ||
        a->ci.walk_in_contact != b->ci.walk_in_contact || a->ci.n_items != b->ci.n_items ||
        memcmp(&a->facts, &b->facts, sizeof a->facts) != 0 || memcmp(&a->signals, &b->signals, sizeof a->signals) != 0 ||
        a->risk_score != b->risk_score || a->risk_level != b->risk_level ||
        a->decision.resolution != b->decision.resolution || a->decision.max_amount_cents != b->decision.max_amount_cents ||
        a->decision.needs_approval != b->decision.needs_approval ||
        a->decision.ask_walk_in_contact != b->decision.ask_walk_in_contact ||
        strcmp(a->decision.policy_version, b->decision.policy_version) != 0 || a->decision.n_items != b->decision.n_items ||
        memcmp(a->decision.items, b->decision.items, a->decision.n_items * sizeof a->decision.items[0]) != 0)
        return 0;
    for (size_t i = 0; i < a->ci.n_items; i++)
        if (!same_item(&a->ci.items[i], &b->ci.items[i])) return 0;
    return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct desk_inputs scan, tree, any, back;     /* large: not on the stack */
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    memset(&scan, 0, offsetof(struct desk_inputs, text));
    memset(&tree, 0, offsetof(struct desk_inputs, text));
    memset(&any, 0, offsetof(struct desk_inputs, text));
    int rs = desk__inputs_parse(text, &scan, DESK_INPUTS_SCAN);
    int rt = desk__inputs_parse(text, &tree, DESK_INPUTS_TREE);
    int ra = desk__inputs_parse(text, &any, DESK_INPUTS_ANY);
    CHECK(ra == rt);
    if (rs == TD_OK) {
        CHECK(rt == TD_OK);
        CHECK(same(&scan, &tree));
    }
    if (ra == TD_OK) CHECK(same(&any, &tree));
    if (ra == TD_OK) {
        char *compact = NULL;
        memset(&scan, 0, offsetof(struct desk_inputs, text));
        CHECK(desk__inputs_compact(text, &scan, &compact) == TD_OK);
        if (compact) {
            memset(&back, 0, offsetof(struct desk_inputs, text));
            CHECK(desk__inputs_read(compact, &back) == TD_OK);
            CHECK(same(&back, &tree));
        }
        free(compact);
    }
    memset(&back, 0, offsetof(struct desk_inputs, text));
    if (text[0] == '#') {
        int rr = desk__inputs_read(text, &back);
        CHECK(rr == TD_OK || rr == TD_E_INTERNAL);
    }
    free(text);
    return 0;
}
