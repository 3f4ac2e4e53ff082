/* test_guard.c — the guard's score, level and reasons under the default
 * policy: honest customers with an ordinary return or two stay green, the
 * exploiter of PRODUCT.md is flagged, levels change exactly at the
 * thresholds, and no reason uses an accusing word. */
#define _GNU_SOURCE            /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/errors.h"
#include "domain/guard.h"
#include "domain/policy.h"
#include "fixture.h"
#include "cmocka_main.h"

/* A reason expected: its code, its leading number arguments (ANY: not
 * checked) and, when given, a text argument. */
#define ANY (-1)
struct want {
    enum reason_code code;
    long long n[4];
    const char *text;
};
#define R(c) {.code = REASON_GUARD_##c}
#define RN(c, ...) {.code = REASON_GUARD_##c, .n = {__VA_ARGS__}}
#define RT(c, t, ...) {.code = REASON_GUARD_##c, .n = {__VA_ARGS__}, .text = t}

static int has_reason(const struct risk *r, const struct want *w)
{
    const char *kinds = reason_row(w->code)->args;
    for (size_t k = 0; k < r->n_reasons; k++) {
        if (r->reasons[k].code != w->code) continue;
        int ok = 1;
        for (size_t i = 0; i < 4 && i < strlen(kinds); i++) {
            if (kinds[i] == 't') ok &= !w->text || strcmp(r->reasons[k].args[i].text, w->text) == 0;
            else if (w->n[i] && w->n[i] != ANY) ok &= r->reasons[k].args[i].n == w->n[i];
        }
        if (ok) return 1;
    }
    return 0;
}

struct row {
    const char *name;
    struct guard_signals s;
    int score;                  /* expected exactly */
    enum guard_level level;
    struct want want;           /* some reason has this code and these leading arguments */
};

/* Default thresholds: amber 40, red 70. Points: no-receipt 30d 20 above 1;
 * 90d 5 above 3; return rate 20; not sold here 10 above 2; worn soon 20
 * above 1; same item 30 per store from 2; spree (4 cases, 3 stores) 20. */
static const struct row rows[] = {
    {"nothing at all", {0}, 0, GUARD_GREEN, R(NOTHING)},
    {"one ordinary return with receipt", {.returns_90d = 1, .purchases_90d = 10, .category_norm_permille = 100, .cases_30d = 1, .stores_30d = 1},
     0, GUARD_GREEN, R(NOTHING)},
    {"two no-receipt returns in 90 days", {.no_receipt_returns_30d = 1, .no_receipt_returns_90d = 2, .returns_90d = 2, .purchases_90d = 12,
                                           .category_norm_permille = 100, .cases_30d = 1, .stores_30d = 1},
     0, GUARD_GREEN, R(NOTHING)},
    {"two no-receipt returns in 30 days", {.no_receipt_returns_30d = 2, .no_receipt_returns_90d = 2, .returns_90d = 2, .purchases_90d = 8,
                                           .category_norm_permille = 100, .cases_30d = 2, .stores_30d = 1},
     20, GUARD_GREEN, RN(NO_RECEIPT_30D, 2)},
    {"three no-receipt returns in 30 days ask a manager", {.no_receipt_returns_30d = 3, .no_receipt_returns_90d = 3, .returns_90d = 3,
                                                           .purchases_90d = 8, .category_norm_permille = 100, .cases_30d = 3, .stores_30d = 2},
     40, GUARD_AMBER, RN(NO_RECEIPT_30D, 3)},
    {"the exploiter: six no-receipt returns at three stores in a month",
     {.no_receipt_returns_30d = 6, .no_receipt_returns_90d = 6, .returns_90d = 6, .purchases_90d = 0, .category_norm_permille = 80,
      .cases_30d = 6, .stores_30d = 3},
     100, GUARD_RED, RN(SPREE, 6, 3)},
    {"four no-receipt returns at three stores", {.no_receipt_returns_30d = 4, .no_receipt_returns_90d = 4, .returns_90d = 4, .purchases_90d = 20,
                                                 .category_norm_permille = 80, .cases_30d = 4, .stores_30d = 3},
     85, GUARD_RED, RN(NO_RECEIPT_30D, 4)},
    {"returns within three times the norm", {.returns_90d = 4, .purchases_90d = 40, .category_norm_permille = 100}, 0, GUARD_GREEN, R(NOTHING)},
    {"returns above three times the norm", {.returns_90d = 6, .purchases_90d = 10, .category_norm_permille = 100}, 20, GUARD_GREEN, RN(RETURN_RATE, 6, 10, 3)},
    {"three returns are too few to judge a rate", {.returns_90d = 3, .purchases_90d = 3, .category_norm_permille = 100}, 0, GUARD_GREEN, R(NOTHING)},
    {"worn once, soon after purchase", {.worn_soon_returns_90d = 1, .returns_90d = 1, .purchases_90d = 5, .category_norm_permille = 150},
     0, GUARD_GREEN, R(NOTHING)},
    {"wardrobing: three worn soon (exactly amber)", {.worn_soon_returns_90d = 3, .returns_90d = 3, .purchases_90d = 6, .category_norm_permille = 150},
     40, GUARD_AMBER, RN(WORN_SOON, 3)},
    {"two claims for goods not sold here", {.not_sold_here_claims_90d = 2}, 0, GUARD_GREEN, R(NOTHING)},
    {"five claims for goods not sold here", {.not_sold_here_claims_90d = 5}, 30, GUARD_GREEN, RN(NOT_SOLD_HERE, 5)},
    {"serial not-sold-here claims and no receipts", {.not_sold_here_claims_90d = 6, .no_receipt_returns_30d = 3, .no_receipt_returns_90d = 3},
     80, GUARD_RED, RN(NOT_SOLD_HERE, 6)},
    {"serial not-sold-here claims alone", {.not_sold_here_claims_90d = 6}, 40, GUARD_AMBER, RN(NOT_SOLD_HERE, 6)},
    {"same item at two stores", {.same_item_stores = 2}, 30, GUARD_GREEN, RN(SAME_ITEM, 2)},
    {"same item at three stores with two no-receipt returns", {.same_item_stores = 3, .no_receipt_returns_30d = 2, .no_receipt_returns_90d = 2},
     80, GUARD_RED, RN(SAME_ITEM, 3)},
    {"exactly red", {.no_receipt_returns_30d = 4, .no_receipt_returns_90d = 5}, 70, GUARD_RED, RN(NO_RECEIPT_90D, 5)},
    {"many cases at two stores is no spree", {.cases_30d = 5, .stores_30d = 2}, 0, GUARD_GREEN, R(NOTHING)},
    {"four cases at three stores", {.cases_30d = 4, .stores_30d = 3}, 20, GUARD_GREEN, RN(SPREE, 4, 3)},
    {"a busy honest customer", {.returns_90d = 2, .purchases_90d = 30, .category_norm_permille = 120, .cases_30d = 3, .stores_30d = 3},
     0, GUARD_GREEN, R(NOTHING)},
    /* the same receipt line offered again (spent lines 40 above 1) */
    {"a receipt line offered again once", {.spent_lines_90d = 1}, 0, GUARD_GREEN, R(NOTHING)},
    {"a receipt line offered again twice", {.spent_lines_90d = 2}, 40, GUARD_AMBER, RN(SPENT_LINES, 2)},
    /* returns soon after purchase (3 or more, at least 60 % of the category's purchases: 40) */
    {"the honest customer who returns once", {.quick_returns = 1, .quick_purchases = 1, .quick_category = "dames"}, 0,
     GUARD_GREEN, R(NOTHING)},
    {"a busy family: half of the children's clothes back", {.quick_returns = 6, .quick_purchases = 14, .quick_category = "kinderen",
                                                            .returns_90d = 6, .purchases_90d = 30, .category_norm_permille = 150},
     0, GUARD_GREEN, R(NOTHING)},
    {"receipted wardrobing: three of four dresses back within days",
     {.quick_returns = 3, .quick_purchases = 4, .quick_category = "dames"}, 40, GUARD_AMBER, RT(QUICK_CATEGORY, "dames", 3, 4, ANY, 10)},
    {"a return of something bought before the window counts as bought",
     {.quick_returns = 3, .quick_purchases = 2, .quick_category = "heren"}, 40, GUARD_AMBER, RT(QUICK_CATEGORY, "heren", 3, 3)},
    {"two back within days is too few to judge", {.quick_returns = 2, .quick_purchases = 2, .quick_category = "dames"}, 0,
     GUARD_GREEN, R(NOTHING)},
    /* of any category, purchases brought back in full within days (the same 3 and 60 %) */
    {"three of four purchases back in full within days", {.whole_returns = 3, .purchases_90d = 4}, 40, GUARD_AMBER, RN(QUICK_WHOLE, 3, 4, 10)},
    {"a family that buys much brings four back in full", {.whole_returns = 4, .purchases_90d = 20}, 0, GUARD_GREEN, R(NOTHING)},
    /* one style bought and brought back in full (20 above 1) */
    {"one style bought and brought back twice", {.style_cycles = 2}, 20, GUARD_GREEN, R(STYLE_CYCLES)},
    {"one style three times, most of the category", {.style_cycles = 3, .quick_returns = 3, .quick_purchases = 3,
                                                     .quick_category = "dames"},
     80, GUARD_RED, RN(STYLE_CYCLES, 3)},
    /* one person, several accounts: a neutral word on what was counted */
    {"a ring of three accounts", {.no_receipt_returns_30d = 3, .no_receipt_returns_90d = 3, .linked = 1}, 40, GUARD_AMBER, R(LINKED)},
    {"linked accounts with nothing unusual say nothing", {.no_receipt_returns_30d = 1, .linked = 1}, 0, GUARD_GREEN, R(NOTHING)},
    {"absurd counts saturate at 100", {.no_receipt_returns_30d = 2000000000, .no_receipt_returns_90d = 2000000000}, 100, GUARD_RED, R(NO_RECEIPT_30D)},
};

static const char *const accusing[] = {"fraud", "fraude", "misbruik", "abuse", "suspic", "verdacht", "exploit", "steal",
                                       "diefstal", "liar", "lieg"};

static void assert_neutral(const struct reason *r)
{
    char nl[REASON_TEXT_SZ], en[REASON_TEXT_SZ];
    reason_render(r, REASON_NL, nl);
    reason_render(r, REASON_EN, en);
    assert_true(nl[0] != '\0' && en[0] != '\0');
    for (size_t k = 0; k < sizeof accusing / sizeof accusing[0]; k++) {
        if (strcasestr(nl, accusing[k]) || strcasestr(en, accusing[k]))
            fail_msg("accusing word \"%s\" in: %s / %s", accusing[k], nl, en);
    }
}

static void table(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *t = &rows[i];
        struct risk r;
        assert_int_equal(guard_score(&p.guard, &t->s, &r), TD_OK);
        if (r.score != t->score || r.level != t->level)
            fail_msg("%s: score %d level %s, want %d %s", t->name, r.score, guard_level_name(r.level), t->score,
                     guard_level_name(t->level));
        assert_true(r.n_reasons >= 1 && r.n_reasons <= GUARD_REASONS_MAX);
        for (size_t k = 0; k < r.n_reasons; k++) assert_neutral(&r.reasons[k]);
        if (!has_reason(&r, &t->want))
            fail_msg("%s: no reason %s (first: %s)", t->name, reason_code_name(t->want.code), reason_code_name(r.reasons[0].code));
    }
}

static void thresholds_come_from_the_policy(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct guard_signals s = {.no_receipt_returns_30d = 2, .no_receipt_returns_90d = 2};
    struct risk r;
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_int_equal(r.level, GUARD_GREEN);
    p.guard.amber_at = 10;
    p.guard.red_at = 20;
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_int_equal(r.score, 20);
    assert_int_equal(r.level, GUARD_RED);
    p.guard.red_at = 21;
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_int_equal(r.level, GUARD_AMBER);
    p.guard.no_receipt_30d_points = 0;
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_int_equal(r.score, 0);
    assert_int_equal(r.level, GUARD_GREEN);
}

static void negative_counts_are_refused(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct guard_signals s = {.no_receipt_returns_30d = -1};
    struct risk r;
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_E_INVALID);
    assert_int_equal(r.score, 0);
    assert_int_equal(r.n_reasons, 0);
    s = (struct guard_signals){.category_norm_permille = 1001};
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_E_INVALID);
}

/* The words a manager reads, in both languages, for the exploiter. */
static void reasons_render_in_dutch_and_english(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct guard_signals s = {.no_receipt_returns_30d = 6, .no_receipt_returns_90d = 6, .returns_90d = 6,
                              .category_norm_permille = 80, .cases_30d = 6, .stores_30d = 3};
    struct risk r;
    char nl[REASON_TEXT_SZ], en[REASON_TEXT_SZ];
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_int_equal(r.reasons[0].code, REASON_GUARD_NO_RECEIPT_30D);
    assert_string_equal(reason_render(&r.reasons[0], REASON_NL, nl),
                        "6 retouren zonder kassabon in de afgelopen 30 dagen (gebruikelijk: hooguit 1).");
    assert_string_equal(reason_render(&r.reasons[0], REASON_EN, en),
                        "6 returns without a receipt in the last 30 days (usual: at most 1).");
    s = (struct guard_signals){.style_cycles = 3};
    assert_int_equal(guard_score(&p.guard, &s, &r), TD_OK);
    assert_string_equal(reason_render(&r.reasons[0], REASON_NL, nl),
                        "Hetzelfde model is 3 keer gekocht en binnen 10 dagen helemaal teruggebracht, in 90 dagen"
                        " (gebruikelijk: hooguit 1).");
    assert_string_equal(reason_render(&r.reasons[0], REASON_EN, en),
                        "The same style was bought and brought back in full within 10 days 3 times in 90 days"
                        " (usual: at most 1).");
}

static void level_names(void **state)
{
    (void)state;
    assert_string_equal(guard_level_name(GUARD_GREEN), "green");
    assert_string_equal(guard_level_name(GUARD_AMBER), "amber");
    assert_string_equal(guard_level_name(GUARD_RED), "red");
    assert_null(guard_level_name((enum guard_level)7));
}

TD_TEST_MAIN("unit_guard", NULL, NULL,
             cmocka_unit_test(table),
             cmocka_unit_test(thresholds_come_from_the_policy),
             cmocka_unit_test(negative_counts_are_refused),
             cmocka_unit_test(reasons_render_in_dutch_and_english),
             cmocka_unit_test(level_names))
