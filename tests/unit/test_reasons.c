/* test_reasons.c — the table of reasons (reasons.def) and the enum maps:
 * every reason has a code and both templates, names each of its arguments
 * in both, and renders them (numbers, amounts per language, texts,
 * phrases, the item's prefix); every enum's parser (the policy's, the
 * guard level, a case's, a repair's and a credit note's status) round-trips its names
 * and its "must be one of" list holds them all. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/enum_map.h"
#include "core/errors.h"
#include "domain/desk.h"
#include "domain/guard.h"
#include "domain/ledger.h"
#include "domain/policy.h"
#include "domain/reasons.h"
#include "cmocka_main.h"

/* Bit n-1 set for each {n} in tpl; fails on a brace that is no placeholder. */
static unsigned placeholders(const char *tpl, const char *what)
{
    unsigned seen = 0;
    for (const char *p = tpl; (p = strchr(p, '{')) != NULL; p++) {
        if (p[1] < '1' || p[1] > '9' || p[2] != '}') fail_msg("%s: a brace that is no placeholder: %s", what, tpl);
        seen |= 1u << (p[1] - '1');
    }
    return seen;
}

static void every_code_has_both_templates_and_its_arguments(void **state)
{
    (void)state;
    for (int c = 0; c < REASON_CODE_COUNT; c++) {
        const struct reason_row *row = reason_row((enum reason_code)c);
        assert_non_null(row);
        assert_non_null(row->nl);
        assert_non_null(row->en);
        unsigned nl = placeholders(row->nl, row->name ? row->name : row->en);
        unsigned en = placeholders(row->en, row->name ? row->name : row->en);
        if (nl != en) fail_msg("%s: the Dutch and English templates name different arguments", row->name ? row->name : row->nl);
        if (!row->name) continue;                   /* a phrase: its arguments are the reason's */
        size_t n = strlen(row->args);
        assert_true(n <= REASON_ARGS_MAX);
        assert_true(row->nl[0] != '\0' && row->en[0] != '\0');
        assert_string_not_equal(row->nl, row->en);
        /* Each argument is in the templates, unless a phrase before it takes it. */
        unsigned taken = 0;
        for (size_t i = 0; i < n; i++) {
            assert_non_null(strchr("icpt", row->args[i]));
            if (row->args[i] == 'p') taken |= ~0u << (i + 1);
        }
        for (size_t i = 0; i < n; i++)
            if (!(nl & (1u << i)) && !(taken & (1u << i))) fail_msg("%s: argument %zu is not said", row->name, i + 1);
        if (nl >> n) fail_msg("%s: a placeholder beyond its %zu arguments", row->name, n);
    }
}

static void codes_are_unique_names(void **state)
{
    (void)state;
    for (int a = 0; a < REASON_CODE_COUNT; a++) {
        const char *x = reason_code_name((enum reason_code)a);
        if (!x) continue;
        for (const char *p = x; *p; p++) assert_non_null(strchr("abcdefghijklmnopqrstuvwxyz0123456789_", *p));
        for (int b = a + 1; b < REASON_CODE_COUNT; b++) {
            const char *y = reason_code_name((enum reason_code)b);
            if (y && strcmp(x, y) == 0) fail_msg("code %s twice", x);
        }
    }
    assert_null(reason_code_name(PHRASE_BRAND));
    assert_null(reason_code_name(REASON_CODE_COUNT));
    assert_string_equal(reason_code_name(REASON_GUARD_NO_RECEIPT_30D), "guard_no_receipt_30d");
}

static void rendering(void **state)
{
    (void)state;
    char out[REASON_TEXT_SZ];
    struct reason r;
    reason_set(&r, REASON_GOODWILL_WITHIN, "gold", (int64_t)124050, (int64_t)30000);
    assert_string_equal(reason_render(&r, REASON_NL, out),
                        "Klant met gold-niveau: tegoedbon voor het genoemde bedrag van € 1.240,50, binnen de goodwill-limiet van"
                        " € 300,00.");
    assert_string_equal(reason_render(&r, REASON_EN, out),
                        "A gold-tier customer: store credit for the stated amount of €1,240.50, within the goodwill limit of"
                        " €300.00.");
    /* A phrase takes the arguments after it. */
    reason_set(&r, REASON_LINE_SPENT_DECLINE, 2, 2, PHRASE_WHERE_ON_AT, "2026-11-12", "Utrecht Centrum");
    r.item = 3;
    assert_string_equal(reason_render(&r, REASON_EN, out),
                        "Item 3: This receipt line has already come back: 2 of 2 bought (last on 2026-11-12 at Utrecht Centrum)."
                        " We take back no more than was bought; explain this kindly.");
    reason_set(&r, REASON_ALREADY_BACK, PHRASE_NOTHING, NULL, NULL);
    assert_string_equal(reason_render(&r, REASON_NL, out),
                        "Deze aankoop is al teruggebracht; het artikel geldt als retour zonder kassabon.");
    reason_set(&r, REASON_REFER_WITH_AMOUNT, PHRASE_REFER_CHEAPER_ELSEWHERE, PHRASE_TO_CREDIT);
    assert_string_equal(reason_render(&r, REASON_NL, out),
                        "De klant gaat liever elders (elders goedkoper): noteer de doorverwijzing met de reden; het bedrag gaat op"
                        " een tegoedbon.");
    /* A long text is cut, never overrun, and never inside a character. */
    char brand[400];
    memset(brand, 'x', sizeof brand);
    memcpy(brand + 90, "é", 2);
    brand[sizeof brand - 1] = '\0';
    reason_set(&r, REASON_REPAIR_MANUFACTURER, PHRASE_BRAND, brand);
    reason_render(&r, REASON_EN, out);
    assert_true(strlen(out) < REASON_TEXT_SZ);
    reason_set(&r, REASON_GUARD_QUICK_CATEGORY, 3, 4, "éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé", 10, 60);
    r.item = 1;
    reason_render(&r, REASON_NL, out);
    size_t n = strlen(out);
    assert_true(n < REASON_TEXT_SZ);
    assert_true(((unsigned char)out[n - 1] & 0xC0) != 0xC0);
    /* An unknown code renders nothing rather than anything. */
    r.code = REASON_CODE_COUNT;
    assert_string_equal(reason_render(&r, REASON_EN, out), "");
}

static void money(void **state)
{
    (void)state;
    char out[48];
    reason_money(0, REASON_NL, out, sizeof out);
    assert_string_equal(out, "€ 0,00");
    reason_money(123456789, REASON_EN, out, sizeof out);
    assert_string_equal(out, "€1,234,567.89");
    reason_money(100000, REASON_NL, out, sizeof out);
    assert_string_equal(out, "€ 1.000,00");
}

/* Every name parses back to its value and stands in the list. */
static void round_trip(const struct enum_map *m)
{
    assert_true(m->n >= 2);
    for (size_t i = 0; i < m->n; i++) {
        int v = -99;
        assert_int_equal(enum_map_value(m, m->rows[i].name, &v), TD_OK);
        assert_int_equal(v, m->rows[i].value);
        assert_string_equal(enum_map_name(m, v), m->rows[i].name);
        assert_non_null(strstr(m->list, m->rows[i].name));
        for (size_t j = i + 1; j < m->n; j++) assert_int_not_equal(m->rows[i].value, m->rows[j].value);
    }
    int v = -99;
    assert_int_equal(enum_map_value(m, "nonsense", &v), TD_E_NOT_FOUND);
    assert_int_equal(enum_map_value(m, NULL, &v), TD_E_NOT_FOUND);
    assert_int_equal(v, -99);
    assert_int_equal(enum_map_find(m, "nonsense", -7), -7);
}

static void enum_maps(void **state)
{
    (void)state;
    const struct enum_map *maps[] = {&policy_tier_map, &policy_kind_map, &policy_condition_map, &policy_referral_map,
                                     &policy_resolution_map, &guard_level_map, &desk_status_map, &desk_repair_status_map,
                                     &ledger_status_map};
    for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++) round_trip(maps[i]);
    assert_string_equal(policy_kind_map.list, "return, exchange, repair, complaint, price_adjustment, referral");
    assert_string_equal(policy_referral_map.list, "not_in_range, cheaper_elsewhere, out_of_stock, other");
    assert_string_equal(policy_resolution_map.list,
                        "refund, store_credit, exchange, repair_manufacturer, repair_in_store, refer_elsewhere, decline");
    assert_int_equal(policy_tier_map.n, POLICY_TIER_COUNT);
    assert_string_equal(desk_repair_status_map.list, "taken_in, sent, at_manufacturer, back_in_store, customer_told, collected");
    assert_string_equal(ledger_status_map.list, "issued, partly_used, used, void, expired, reissued");
    assert_string_equal(policy_referral_name(POLICY_REFER_NONE), "none");
    assert_null(policy_kind_name((enum policy_kind)0));

    struct errors err;
    errors_init(&err);
    int v = 0;
    assert_int_equal(enum_map_read(&policy_condition_map, "broken", "items[0].condition", &err, &v), TD_E_NOT_FOUND);
    assert_int_equal(err.n, 1);
    assert_string_equal(err.item[0].field, "items[0].condition");
    assert_string_equal(err.item[0].problem, "must be one of new, used, worn, defective");
    assert_int_equal(enum_map_read(&policy_condition_map, "worn", "c", &err, &v), TD_OK);
    assert_int_equal(v, POLICY_COND_WORN);
    assert_int_equal(err.n, 1);
}

/* docs/openapi.yaml's ReasonCode lists exactly the codes of the table. The
 * spec is found as test_openapi finds it: $TEST_SOURCE_DIR, or next to this
 * file. */
static void the_spec_lists_every_code(void **state)
{
    (void)state;
    char path[1024];
    const char *root = getenv("TEST_SOURCE_DIR");
    if (root) snprintf(path, sizeof path, "%s/docs/openapi.yaml", root);
    else snprintf(path, sizeof path, "%.*sdocs/openapi.yaml", (int)(strlen(__FILE__) - strlen("tests/unit/test_reasons.c")), __FILE__);
    FILE *f = fopen(path, "r");
    if (!f) fail_msg("cannot read %s", path);
    static char spec[1 << 20];
    size_t n = fread(spec, 1, sizeof spec - 1, f);
    fclose(f);
    spec[n] = '\0';
    char *at = strstr(spec, "\n    ReasonCode:\n");
    assert_non_null(at);
    char *list = strstr(at, "enum: [");
    assert_non_null(list);
    char *end = strchr(list, ']');
    assert_non_null(end);
    *end = '\0';
    list += strlen("enum: [");
    size_t listed = 0;
    for (char *tok = list; *tok;) {
        while (*tok == ' ' || *tok == ',' || *tok == '\n') tok++;
        size_t len = strcspn(tok, ", \n");
        if (len == 0) break;
        int found = 0;
        for (int c = 0; c < REASON_CODE_COUNT && !found; c++) {
            const char *name = reason_code_name((enum reason_code)c);
            found = name && strlen(name) == len && strncmp(name, tok, len) == 0;
        }
        if (!found) fail_msg("the spec lists %.*s, which reasons.def has not", (int)len, tok);
        listed++;
        tok += len;
    }
    size_t codes = 0;
    for (int c = 0; c < REASON_CODE_COUNT; c++) codes += reason_code_name((enum reason_code)c) != NULL;
    assert_int_equal(listed, codes);
}

TD_TEST_MAIN("unit_reasons", NULL, NULL,
             cmocka_unit_test(every_code_has_both_templates_and_its_arguments),
             cmocka_unit_test(codes_are_unique_names),
             cmocka_unit_test(rendering),
             cmocka_unit_test(money),
             cmocka_unit_test(enum_maps),
             cmocka_unit_test(the_spec_lists_every_code))
