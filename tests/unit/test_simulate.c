/* test_simulate.c — the what-if simulator's pure replay (domain/simulate.c):
 * stored decisions replayed under their own policy change nothing; a draft
 * that raises the gold tier's goodwill limit takes the manager out of a
 * gold customer's goodwill and counts it as granted at the desk, and as
 * exposed when the guard flagged the customer later; our own goods back
 * with a receipt are never goodwill; inputs the policy refuses are counted
 * apart; per store and kind; the JSON names the three layers; and the
 * one-pass reader of stored decisions reads what jansson's tree reads, or
 * leaves the document to it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "domain/desk_inputs.h"
#include "domain/desk_internal.h"
#include "domain/goodwill.h"
#include "domain/policy.h"
#include "domain/simulate.h"
#include "fixture.h"

static struct policy base, draft;

static void parse_default(struct policy *p)
{
    struct errors err;
    errors_init(&err);
    const char *doc = policy_default_json();
    assert_int_equal(policy_parse(doc, strlen(doc), &err, p), TD_OK);
}

static int setup(void **state)
{
    (void)state;
    parse_default(&base);
    parse_default(&draft);
    draft.version = 2;
    draft.goodwill_limit_cents[POLICY_TIER_GOLD] = 50000;
    return 0;
}

/* One stored decision as the desk would have kept it: decided under base. */
struct row {
    const char *name;
    enum policy_kind kind;
    bool sold_here, receipt;
    int64_t cents;               /* the stated price, or the price paid */
    enum policy_tier tier;
    int64_t store_id;
    bool flagged_later;
    /* expected under the draft */
    bool changed;
    bool approval_before, approval_after;
    int64_t goodwill_before, goodwill_after;   /* granted without a manager */
    int64_t exposed;
};

static const struct row ROWS[] = {
    {"gold, goods not ours above the old limit", POLICY_KIND_RETURN, false, false, 40000, POLICY_TIER_GOLD, 1, false,
     true, true, false, 0, 40000, 0},
    {"gold, the same, flagged later", POLICY_KIND_RETURN, false, false, 45000, POLICY_TIER_GOLD, 2, true, true, true,
     false, 0, 45000, 45000},
    {"gold, within both limits", POLICY_KIND_RETURN, false, false, 20000, POLICY_TIER_GOLD, 1, true, false, false, false,
     20000, 20000, 0},
    {"gold, above the new limit too", POLICY_KIND_RETURN, false, false, 60000, POLICY_TIER_GOLD, 1, false, false, true,
     true, 0, 0, 0},
    {"silver, goods not ours", POLICY_KIND_RETURN, false, false, 12000, POLICY_TIER_SILVER, 2, true, false, true, true, 0,
     0, 0},
    {"our goods, receipt: refund, never goodwill", POLICY_KIND_RETURN, true, true, 8000, POLICY_TIER_GOLD, 1, true, false,
     false, false, 0, 0, 0},
};
#define N_ROWS (sizeof ROWS / sizeof ROWS[0])

static void make_inputs(const struct row *r, int64_t case_id, struct desk_inputs *in)
{
    memset(in, 0, offsetof(struct desk_inputs, text));
    in->case_id = case_id;
    in->customer_id = case_id;
    in->store_id = r->store_id;
    in->decided_at = case_id * 1000000;
    in->ci.kind = r->kind;
    in->ci.receipt = r->receipt;
    in->ci.n_items = 1;
    struct case_item *it = &in->ci.items[0];
    it->sold_here = r->sold_here;
    it->condition = POLICY_COND_NEW;
    if (r->sold_here) {
        it->days_since_purchase = 5;
        it->price_paid_cents = it->lowest_recent_cents = r->cents;
    } else {
        it->days_since_purchase = -1;
        it->brand = "Elders";
        it->stated_price_cents = r->cents;
    }
    in->facts.tier = r->tier;
    in->facts.visits = 10;
    struct risk risk;
    assert_int_equal(guard_score(&base.guard, &in->signals, &risk), TD_OK);
    in->risk_level = risk.level;
    assert_int_equal(policy_decide(&base, &in->ci, &in->facts, &risk, &in->decision), TD_OK);
}

/* size zeroed bytes from calloc (asserts they came); the caller frees them. */
static void *zalloc(size_t size)
{
    void *p = calloc(1, size);
    assert_non_null(p);
    return p;
}

static struct simulate_result *replay_all(const struct policy *p)
{
    struct simulate_result *r = zalloc(sizeof *r);
    struct desk_inputs *in = zalloc(sizeof *in);
    simulate_init(r, 0, 100000000, 0);
    for (size_t i = 0; i < N_ROWS; i++) {
        make_inputs(&ROWS[i], (int64_t)i + 1, in);
        assert_int_equal(simulate_step(r, p, in, ROWS[i].flagged_later), TD_OK);
    }
    free(in);
    return r;
}

static void same_policy_changes_nothing(void **state)
{
    (void)state;
    struct simulate_result *r = replay_all(&base);
    assert_int_equal(r->all.cases, N_ROWS);
    assert_int_equal(r->all.changed, 0);
    assert_int_equal(r->n_changes, 0);
    assert_int_equal(r->all.approvals_before, r->all.approvals_after);
    assert_int_equal(r->all.goodwill_before_cents, r->all.goodwill_after_cents);
    assert_int_equal(r->all.goodwill_manager_before_cents, r->all.goodwill_manager_after_cents);
    assert_int_equal(r->exposed_cases, 0);
    assert_int_equal(r->exposed_cents, 0);
    free(r);
}

/* Each row on its own, against its expectations. */
static void each_row_under_the_draft(void **state)
{
    (void)state;
    struct desk_inputs *in = zalloc(sizeof *in);
    struct simulate_result *r = zalloc(sizeof *r);
    for (size_t i = 0; i < N_ROWS; i++) {
        const struct row *w = &ROWS[i];
        simulate_init(r, 0, 1, 0);
        make_inputs(w, 7, in);
        assert_int_equal(simulate_step(r, &draft, in, w->flagged_later), TD_OK);
        print_message("%s\n", w->name);
        assert_int_equal(r->all.changed, w->changed);
        assert_int_equal(r->all.approvals_before, w->approval_before);
        assert_int_equal(r->all.approvals_after, w->approval_after);
        assert_int_equal(r->all.goodwill_before_cents, w->goodwill_before);
        assert_int_equal(r->all.goodwill_after_cents, w->goodwill_after);
        assert_int_equal(r->exposed_cents, w->exposed);
        assert_int_equal(r->n_changes, w->changed);
        if (w->changed) {
            assert_int_equal(r->changes[0].case_id, 7);
            assert_true(r->changes[0].from_approval);
            assert_false(r->changes[0].to_approval);
            assert_int_equal(r->changes[0].from_cents, r->changes[0].to_cents);
            assert_int_equal(r->transitions[POLICY_RES_STORE_CREDIT][POLICY_RES_STORE_CREDIT], 1);
        }
    }
    free(in);
    free(r);
}

static void totals_per_store_and_kind(void **state)
{
    (void)state;
    struct simulate_result *r = replay_all(&draft);
    assert_int_equal(r->all.cases, N_ROWS);
    assert_int_equal(r->all.changed, 2);
    assert_int_equal(r->all.approvals_before, 4);
    assert_int_equal(r->all.approvals_after, 2);
    assert_int_equal(r->all.goodwill_before_cents, 20000);
    assert_int_equal(r->all.goodwill_after_cents, 20000 + 40000 + 45000);
    assert_int_equal(r->all.goodwill_manager_before_cents, 40000 + 45000 + 60000 + 12000);
    assert_int_equal(r->all.goodwill_manager_after_cents, 60000 + 12000);
    assert_int_equal(r->exposed_cases, 1);
    assert_int_equal(r->exposed_cents, 45000);
    assert_int_equal(r->n_stores, 2);
    assert_int_equal(r->stores[0].store_id, 1);
    assert_int_equal(r->stores[0].t.cases, 4);
    assert_int_equal(r->stores[0].t.changed, 1);
    assert_int_equal(r->stores[1].t.cases, 2);
    assert_int_equal(r->stores[1].t.changed, 1);
    assert_int_equal(r->kinds[POLICY_KIND_RETURN].cases, N_ROWS);
    assert_int_equal(r->kinds[POLICY_KIND_COMPLAINT].cases, 0);
    free(r);
}

static void unreplayable_inputs_are_counted_apart(void **state)
{
    (void)state;
    struct desk_inputs *in = zalloc(sizeof *in);
    struct simulate_result *r = zalloc(sizeof *r);
    simulate_init(r, 0, 1, 0);
    make_inputs(&ROWS[0], 1, in);
    in->ci.n_items = 0;                 /* a document the desk could not have stored */
    assert_int_equal(simulate_step(r, &draft, in, false), TD_E_INVALID);
    in->ci.n_items = 1;
    in->signals.cases_30d = -1;         /* a negative count: the guard refuses it */
    assert_int_equal(simulate_step(r, &draft, in, false), TD_E_INVALID);
    assert_int_equal(r->unreplayable, 2);
    assert_int_equal(r->all.cases, 0);
    assert_int_equal(r->n_stores, 0);
    free(in);
    free(r);
}

static void goodwill_is_what_the_ledger_books_as_goodwill(void **state)
{
    (void)state;
    struct case_in ci = {.kind = POLICY_KIND_COMPLAINT, .n_items = 1, .items = {{.sold_here = true}}};
    struct decision d = {.resolution = POLICY_RES_STORE_CREDIT, .max_amount_cents = 1500};
    assert_int_equal(simulate_goodwill_cents(&ci, &d), 1500);      /* a complaint's gesture */
    ci.kind = POLICY_KIND_RETURN;
    assert_int_equal(simulate_goodwill_cents(&ci, &d), 0);         /* our goods back: their own money */
    ci.items[0].sold_here = false;
    assert_int_equal(simulate_goodwill_cents(&ci, &d), 1500);      /* goods we never sold */
    d.resolution = POLICY_RES_REFUND;
    assert_int_equal(simulate_goodwill_cents(&ci, &d), 0);
}

static void json_names_the_three_layers(void **state)
{
    (void)state;
    struct simulate_result *r = replay_all(&draft);
    char *text = simulate_json(r);
    assert_non_null(text);
    json_t *doc = json_loads(text, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "exact"), "layer")), "exact");
    assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "bounded"), "layer")), "bounded");
    json_t *m = json_object_get(doc, "modelled");
    assert_string_equal(json_string_value(json_object_get(m, "layer")), "modelled");
    assert_true(json_is_false(json_object_get(m, "estimable")));
    assert_true(json_is_null(json_object_get(m, "revenue_retained_cents")));
    assert_int_equal(json_integer_value(json_object_get(json_object_get(doc, "bounded"), "exposed_cents")), 45000);
    json_t *changes = json_object_get(json_object_get(doc, "exact"), "changes");
    assert_int_equal(json_array_size(changes), 2);
    json_t *after = json_object_get(json_array_get(changes, 0), "after");
    assert_string_equal(json_string_value(json_object_get(after, "resolution")), "store_credit");
    assert_true(json_is_false(json_object_get(after, "needs_approval")));
    json_decref(doc);
    free(text);
    free(r);
}


/* ---- the stored document, read in one pass ---------------------------------- */

static char *stored_text(const struct desk_inputs *in)
{
    struct risk risk = {.score = in->risk_score, .level = in->risk_level};
    json_t *doc = desk__inputs_json(&in->ci, &in->facts, &in->signals, &risk, &in->decision);
    assert_non_null(doc);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    assert_non_null(text);
    return text;
}

static void same_str(const char *a, const char *b)
{
    if (!a || !b) assert_ptr_equal(a, b);
    else assert_string_equal(a, b);
}

static void same_inputs(const struct desk_inputs *a, const struct desk_inputs *b)
{
    assert_int_equal(a->ci.kind, b->ci.kind);
    assert_int_equal(a->ci.receipt, b->ci.receipt);
    assert_int_equal(a->ci.referral, b->ci.referral);
    assert_int_equal(a->ci.walk_in_contact, b->ci.walk_in_contact);
    assert_int_equal(a->ci.n_items, b->ci.n_items);
    for (size_t i = 0; i < a->ci.n_items; i++) {
        const struct case_item *x = &a->ci.items[i], *y = &b->ci.items[i];
        assert_int_equal(x->sold_here, y->sold_here);
        assert_int_equal(x->condition, y->condition);
        assert_int_equal(x->days_since_purchase, y->days_since_purchase);
        assert_int_equal(x->price_paid_cents, y->price_paid_cents);
        assert_int_equal(x->lowest_recent_cents, y->lowest_recent_cents);
        assert_int_equal(x->stated_price_cents, y->stated_price_cents);
        assert_int_equal(x->brand_carried, y->brand_carried);
        assert_int_equal(x->card_proof, y->card_proof);
        assert_int_equal(x->gift_receipt, y->gift_receipt);
        assert_int_equal(x->line_quantity, y->line_quantity);
        assert_int_equal(x->line_returned, y->line_returned);
        same_str(x->category, y->category);
        same_str(x->brand, y->brand);
        same_str(x->description, y->description);
        same_str(x->returned_on, y->returned_on);
        same_str(x->returned_store, y->returned_store);
    }
    assert_memory_equal(&a->facts, &b->facts, sizeof a->facts);
    assert_memory_equal(&a->signals, &b->signals, sizeof a->signals);
    assert_int_equal(a->risk_score, b->risk_score);
    assert_int_equal(a->risk_level, b->risk_level);
    assert_int_equal(a->decision.resolution, b->decision.resolution);
    assert_int_equal(a->decision.max_amount_cents, b->decision.max_amount_cents);
    assert_int_equal(a->decision.needs_approval, b->decision.needs_approval);
    assert_int_equal(a->decision.ask_walk_in_contact, b->decision.ask_walk_in_contact);
    assert_string_equal(a->decision.policy_version, b->decision.policy_version);
    assert_int_equal(a->decision.n_items, b->decision.n_items);
    assert_memory_equal(a->decision.items, b->decision.items, a->decision.n_items * sizeof a->decision.items[0]);
}

/* Reads text with the scanner and the tree; and checks that its compact
 * form (decision_replay.inputs) reads back to the tree's inputs, and that
 * every shorter piece of that form is refused. */
static void read_both(const char *text, struct desk_inputs *scan, struct desk_inputs *tree)
{
    static struct desk_inputs from, back;     /* large: not on the stack */
    memset(scan, 0, offsetof(struct desk_inputs, text));
    memset(tree, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_parse(text, tree, DESK_INPUTS_TREE), TD_OK);
    assert_int_equal(desk__inputs_parse(text, scan, DESK_INPUTS_SCAN), TD_OK);
    char *compact = NULL;
    memset(&from, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_compact(text, &from, &compact), TD_OK);
    assert_non_null(compact);
    assert_true(strlen(compact) < strlen(text));
    memset(&back, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_read(compact, &back), TD_OK);
    same_inputs(&back, tree);
    memset(&back, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_read(text, &back), TD_OK);      /* a document by its first byte */
    same_inputs(&back, tree);
    for (size_t cut = 0; cut < strlen(compact); cut++) {
        char *part = strndup(compact, cut);
        assert_non_null(part);
        memset(&back, 0, offsetof(struct desk_inputs, text));
        assert_int_equal(desk__inputs_read(part, &back), TD_E_INTERNAL);
        free(part);
    }
    free(compact);
}

static void one_pass_reads_what_the_tree_reads(void **state)
{
    (void)state;
    struct desk_inputs *in = zalloc(sizeof *in), *a = zalloc(sizeof *a), *b = zalloc(sizeof *b);
    static const char *const words[] = {
        "Elders", "Zeeman \"de goedkoopste\"", "back\\slash/and slash", "tab\there\nnewline\r\b\f",
        "Café Brûlé – € 40", "emoji \xF0\x9F\x98\x80", "",    /* a DEL (0x7F) the scanner leaves to the tree */
    };
    for (size_t w = 0; w < sizeof words / sizeof words[0]; w++)
        for (size_t r = 0; r < N_ROWS; r++) {
            make_inputs(&ROWS[r], 9, in);
            in->ci.n_items = 2;
            in->ci.items[1] = in->ci.items[0];
            in->ci.items[1].brand = words[w];
            in->ci.items[1].description = words[(w + 1) % 7];
            in->ci.items[1].category = r % 2 ? NULL : words[(w + 2) % 7];
            in->ci.items[1].returned_on = "2026-11-12";
            in->ci.items[1].returned_store = words[(w + 3) % 7];
            in->ci.items[1].days_since_purchase = -1;
            in->ci.items[1].price_paid_cents = 1000000000;
            in->ci.referral = (enum policy_referral)(r % 5);
            in->facts.lifetime_spend_cents = -123456789012LL;
            snprintf(in->signals.quick_category, sizeof in->signals.quick_category, "%s", words[w]);
            in->risk_score = (int)(r * 17);
            in->risk_level = (enum guard_level)(r % 3);
            char *text = stored_text(in);
            read_both(text, a, b);
            same_inputs(a, b);
            /* The same with every character beyond ASCII as \\u escapes (surrogate pairs for the emoji). */
            json_t *doc = json_loads(text, 0, NULL);
            char *ascii = json_dumps(doc, JSON_COMPACT | JSON_ENSURE_ASCII);
            json_decref(doc);
            read_both(ascii, a, b);
            same_inputs(a, b);
            assert_string_equal(a->ci.items[1].brand, words[w]);
            free(ascii);
            free(text);
        }
    /* What the scanner does not take goes to the tree, which decides. */
    static const char *const others[] = {
        "{\"case\":1}",                                      /* not the document: both refuse */
        "{\"facts\":{}}",
        "",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        memset(a, 0, offsetof(struct desk_inputs, text));
        assert_int_equal(desk__inputs_parse(others[i], a, DESK_INPUTS_SCAN), TD_E_INTERNAL);
        assert_int_equal(desk__inputs_parse(others[i], a, DESK_INPUTS_ANY), TD_E_INTERNAL);
    }
    /* White space, another order and an unknown member: the scanner steps
     * aside, the tree reads it as before. */
    make_inputs(&ROWS[0], 9, in);
    char *text = stored_text(in);
    json_t *doc = json_loads(text, 0, NULL);
    json_object_set_new(doc, "note", json_string("added later"));
    char *pretty = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    json_decref(doc);
    memset(a, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_parse(pretty, a, DESK_INPUTS_SCAN), TD_E_INTERNAL);
    memset(a, 0, offsetof(struct desk_inputs, text));
    memset(b, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_parse(pretty, a, DESK_INPUTS_ANY), TD_OK);
    assert_int_equal(desk__inputs_parse(text, b, DESK_INPUTS_SCAN), TD_OK);
    same_inputs(a, b);
    free(pretty);
    free(text);
    /* A DEL in a text: the scanner's UTF-8 check refuses it, the tree reads it. */
    make_inputs(&ROWS[0], 9, in);
    in->ci.items[0].brand = "del \x7F";
    text = stored_text(in);
    memset(a, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_parse(text, a, DESK_INPUTS_SCAN), TD_E_INTERNAL);
    memset(a, 0, offsetof(struct desk_inputs, text));
    assert_int_equal(desk__inputs_parse(text, a, DESK_INPUTS_ANY), TD_OK);
    assert_string_equal(a->ci.items[0].brand, "del \x7F");
    free(text);
    free(in);
    free(a);
    free(b);
}

/* The modelled layer: the change in goodwill times the goodwill economics'
 * figure per euro and its bounds; less goodwill turns the interval round;
 * not estimable where the estimate is not, with its reason, and in JSON
 * every figure null. */
static void modelled_from_the_goodwill_economics(void **state)
{
    (void)state;
    static const struct {
        int64_t before, manager_before, after, manager_after, want, low, high;
    } rows[] = {
        {1000, 0, 3000, 0, 6000, 4000, 8000},          /* EUR 20 more goodwill at 3 (2 .. 4) per euro */
        {1000, 500, 1000, 2500, 6000, 4000, 8000},     /* the manager's goodwill counts too */
        {3000, 0, 1000, 0, -6000, -8000, -4000},       /* less goodwill: less retained */
        {1000, 0, 1000, 0, 0, 0, 0},
    };
    struct goodwill_estimate e = {.estimable = true, .per_euro = {3, 2, 4}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct simulate_result *r = zalloc(sizeof *r);
        r->all.goodwill_before_cents = rows[i].before;
        r->all.goodwill_manager_before_cents = rows[i].manager_before;
        r->all.goodwill_after_cents = rows[i].after;
        r->all.goodwill_manager_after_cents = rows[i].manager_after;
        simulate_model(r, &e, 90);
        assert_true(r->modelled.estimable);
        if (r->modelled.retained_cents != rows[i].want || r->modelled.retained_low_cents != rows[i].low ||
            r->modelled.retained_high_cents != rows[i].high)
            fail_msg("row %zu: %lld (%lld .. %lld)", i, (long long)r->modelled.retained_cents,
                     (long long)r->modelled.retained_low_cents, (long long)r->modelled.retained_high_cents);
        free(r);
    }
    struct simulate_result *r = zalloc(sizeof *r);
    struct goodwill_estimate none = {.reason = "too few comparable cases"};
    simulate_model(r, &none, 90);
    assert_false(r->modelled.estimable);
    assert_string_equal(r->modelled.reason, "too few comparable cases");
    char *text = simulate_json(r);
    json_t *doc = json_loads(text, 0, NULL), *m = json_object_get(doc, "modelled");
    assert_true(json_is_false(json_object_get(m, "estimable")));
    assert_true(json_is_null(json_object_get(m, "revenue_retained_cents")));
    assert_true(json_is_null(json_object_get(m, "per_euro")));
    assert_string_equal(json_string_value(json_object_get(m, "reason")), "too few comparable cases");
    json_decref(doc);
    free(text);
    simulate_model(r, &e, 90);
    text = simulate_json(r);
    doc = json_loads(text, 0, NULL);
    m = json_object_get(doc, "modelled");
    assert_true(json_is_true(json_object_get(m, "estimable")));
    assert_non_null(json_object_get(json_object_get(m, "revenue_retained_interval_cents"), "low"));
    json_decref(doc);
    free(text);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_policy_changes_nothing),
        cmocka_unit_test(each_row_under_the_draft),
        cmocka_unit_test(totals_per_store_and_kind),
        cmocka_unit_test(unreplayable_inputs_are_counted_apart),
        cmocka_unit_test(goodwill_is_what_the_ledger_books_as_goodwill),
        cmocka_unit_test(json_names_the_three_layers),
        cmocka_unit_test(one_pass_reads_what_the_tree_reads),
        cmocka_unit_test(modelled_from_the_goodwill_economics),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
