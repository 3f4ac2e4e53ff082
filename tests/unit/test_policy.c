/* test_policy.c — the service policy: the decision table under the default
 * policy (the four stories of PRODUCT.md among the rows), cases of several
 * items, each kind of bad document refused with the path of the bad field,
 * and store overrides that replace single fields. */
#define _GNU_SOURCE            /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "domain/guard.h"
#include "domain/policy.h"
#include "fixture.h"
#include "cmocka_main.h"

/* ---- the decision table ------------------------------------------------ */

#define OURS(cond, days, paid, lowest)                                                                                \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest)}
/* Our goods proven through the loyalty card, or on a gift receipt; and a
 * line (of any proof) that has come back in full before. */
#define CARD(cond, days, paid, lowest)                                                                                \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest), .card_proof = true}
#define GIFT(cond, days, paid, lowest)                                                                                \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest), .gift_receipt = true}
#define SPENT .line_quantity = 1, .line_returned = 1, .returned_on = "2026-11-12", .returned_store = "Utrecht Centrum"
#define OURS_SPENT(cond, days, paid, lowest)                                                                          \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest), SPENT}
#define CARD_SPENT(cond, days, paid, lowest)                                                                          \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest), .card_proof = true, SPENT}
#define GIFT_SPENT(cond, days, paid, lowest)                                                                          \
    {.sold_here = true, .condition = POLICY_COND_##cond, .days_since_purchase = (days), .price_paid_cents = (paid), \
     .lowest_recent_cents = (lowest), .gift_receipt = true, SPENT}
#define NOT_OURS(cond, brand_, stated, carried)                                                                      \
    {.sold_here = false, .condition = POLICY_COND_##cond, .days_since_purchase = -1, .brand = (brand_),           \
     .stated_price_cents = (stated), .brand_carried = (carried)}

struct row {
    const char *name;
    enum policy_kind kind;
    bool receipt;
    enum policy_referral referral;
    struct case_item item;
    enum policy_tier tier;
    bool walk_in;
    enum guard_level level;
    enum policy_resolution res;
    int64_t max;
    bool approval;
    enum reason_code reason;     /* the code of one of its reasons */
};

#define C(code) REASON_##code
#define RET POLICY_KIND_RETURN
#define EXC POLICY_KIND_EXCHANGE
#define REP POLICY_KIND_REPAIR
#define CPL POLICY_KIND_COMPLAINT
#define PADJ POLICY_KIND_PRICE_ADJUSTMENT
#define REF POLICY_KIND_REFERRAL
#define NOREF POLICY_REFER_NONE
#define NONE POLICY_TIER_NONE
#define BRONZE POLICY_TIER_BRONZE
#define SILVER POLICY_TIER_SILVER
#define GOLD POLICY_TIER_GOLD
#define PLAT POLICY_TIER_PLATINUM
#define GREEN GUARD_GREEN
#define AMBER GUARD_AMBER
#define RED GUARD_RED
#define R(x) POLICY_RES_##x

/* Default policy: goodwill none 0 / bronze €50 / silver €100 / gold €300 /
 * platinum €600; return window 30 days; no receipt: approval above €100;
 * worn within 14 days: approval above €50; warranty 730 days; price
 * adjustment 14 days; complaint gesture €10; approval above €500; walk-in
 * approval above €100. */
static const struct row rows[] = {
    /* the stories */
    {"worn dress: gold, no receipt, not sold here, worn, €240", RET, false, NOREF, NOT_OURS(WORN, "Maison Claire", 24000, false), GOLD,
     false, GREEN, R(STORE_CREDIT), 24000, false, C(GOODWILL_WITHIN)},
    {"vacuum cleaner: defective, brand not carried", REP, false, NOREF, NOT_OURS(DEFECTIVE, "Vorwerk", 0, false), SILVER, false, GREEN,
     R(REPAIR_MANUFACTURER), 0, false, C(REPAIR_MANUFACTURER)},
    {"vacuum cleaner brought as a return", RET, false, NOREF, NOT_OURS(DEFECTIVE, "Vorwerk", 39900, false), BRONZE, false, GREEN,
     R(REPAIR_MANUFACTURER), 0, false, C(REPAIR_MANUFACTURER)},
    {"kitchen scale: cheaper elsewhere, with receipt", RET, true, POLICY_REFER_CHEAPER_ELSEWHERE, OURS(NEW, 5, 2499, 2499), NONE, false,
     GREEN, R(REFER_ELSEWHERE), 2499, false, C(REFER_WITH_AMOUNT)},
    {"kitchen scale as a referral case", REF, true, POLICY_REFER_CHEAPER_ELSEWHERE, OURS(NEW, 5, 2499, 2499), SILVER, false, GREEN,
     R(REFER_ELSEWHERE), 2499, false, C(REFER_WITH_AMOUNT)},
    {"exploiter: red, no receipt", RET, false, NOREF, OURS(NEW, -1, 0, 3999), BRONZE, false, RED, R(STORE_CREDIT), 3999, true,
     C(GUARD_SCRIPT)},
    {"exploiter at amber", RET, false, NOREF, OURS(NEW, -1, 0, 3999), BRONZE, false, AMBER, R(STORE_CREDIT), 3999, true, C(GUARD_MANAGER)},
    /* goods not sold here: goodwill by tier */
    {"bronze, €240 not sold here: above her limit", RET, false, NOREF, NOT_OURS(WORN, NULL, 24000, false), BRONZE, false, GREEN,
     R(STORE_CREDIT), 24000, true, C(GOODWILL_BEYOND)},
    {"platinum, €500 not sold here", RET, false, NOREF, NOT_OURS(USED, NULL, 50000, false), PLAT, false, GREEN, R(STORE_CREDIT), 50000,
     false, C(GOODWILL_WITHIN)},
    {"platinum, €600 not sold here: total above €500", RET, false, NOREF, NOT_OURS(USED, NULL, 60000, false), PLAT, false, GREEN,
     R(STORE_CREDIT), 60000, true, C(APPROVAL_TOTAL)},
    {"no tier, not sold here", RET, false, NOREF, NOT_OURS(NEW, NULL, 2000, false), NONE, false, GREEN, R(DECLINE), 0, false,
     C(GOODWILL_CARD_ONLY)},
    {"walk-in with a gold tier on record counts as none", RET, false, NOREF, NOT_OURS(NEW, NULL, 2000, false), GOLD, true, GREEN,
     R(DECLINE), 0, false, C(GOODWILL_CARD_ONLY)},
    {"gold, price not yet stated", RET, false, NOREF, NOT_OURS(WORN, NULL, 0, false), GOLD, false, GREEN, R(STORE_CREDIT), 0, false,
     C(GOODWILL_ASK_PRICE)},
    {"gold, exactly her limit", RET, false, NOREF, NOT_OURS(NEW, NULL, 30000, false), GOLD, false, GREEN, R(STORE_CREDIT), 30000, false,
     C(GOODWILL_WITHIN)},
    {"gold, one cent above her limit", RET, false, NOREF, NOT_OURS(NEW, NULL, 30001, false), GOLD, false, GREEN, R(STORE_CREDIT), 30001,
     true, C(GOODWILL_BEYOND)},
    {"defective, brand we carry, not sold here", RET, false, NOREF, NOT_OURS(DEFECTIVE, "Philips", 8999, true), SILVER, false, GREEN,
     R(REPAIR_IN_STORE), 0, false, C(REPAIR_BRAND_CARRIED)},
    {"exchange of goods not sold here becomes credit", EXC, false, NOREF, NOT_OURS(NEW, NULL, 5000, false), GOLD, false, GREEN,
     R(STORE_CREDIT), 5000, false, C(GOODWILL_WITHIN)},
    /* our goods with a receipt */
    {"receipt, in window", RET, true, NOREF, OURS(NEW, 10, 4999, 3999), NONE, false, GREEN, R(REFUND), 4999, false,
     C(RECEIPT_REFUND)},
    {"receipt, in window, exchange", EXC, true, NOREF, OURS(NEW, 10, 4999, 3999), NONE, false, GREEN, R(EXCHANGE), 4999, false,
     C(RECEIPT_EXCHANGE)},
    {"receipt, last day of the window", RET, true, NOREF, OURS(USED, 30, 4999, 3999), BRONZE, false, GREEN, R(REFUND), 4999, false,
     C(RECEIPT_REFUND)},
    {"receipt, a day after the window", RET, true, NOREF, OURS(USED, 31, 4999, 3999), BRONZE, false, GREEN, R(STORE_CREDIT), 3999, false,
     C(LOWEST_CREDIT)},
    {"receipt, purchase date unknown", RET, true, NOREF, OURS(NEW, -1, 4999, 3999), BRONZE, false, GREEN, R(STORE_CREDIT), 3999, false,
     C(LOWEST_CREDIT)},
    {"receipt without a price: lowest recent", RET, true, NOREF, OURS(NEW, 3, 0, 1999), BRONZE, false, GREEN, R(REFUND), 1999, false,
     C(RECEIPT_REFUND)},
    {"worn soon after purchase above €50", RET, true, NOREF, OURS(WORN, 5, 8000, 8000), SILVER, false, GREEN, R(REFUND), 8000, true,
     C(WORN_SOON)},
    {"worn soon after purchase below €50", RET, true, NOREF, OURS(WORN, 5, 4000, 4000), SILVER, false, GREEN, R(REFUND), 4000, false,
     C(RECEIPT_REFUND)},
    {"worn, but not soon after purchase", RET, true, NOREF, OURS(WORN, 20, 8000, 8000), SILVER, false, GREEN, R(REFUND), 8000, false,
     C(RECEIPT_REFUND)},
    /* approval thresholds are for goodwill: their own money back with proof is not */
    {"receipt, €600 refund: the customer's own money, no manager", RET, true, NOREF, OURS(NEW, 2, 60000, 60000), GOLD, false,
     GREEN, R(REFUND), 60000, false, C(RECEIPT_REFUND)},
    {"walk-in, €120 refund with the receipt", RET, true, NOREF, OURS(NEW, 2, 12000, 12000), NONE, true, GREEN, R(REFUND), 12000,
     false, C(RECEIPT_REFUND)},
    {"receipt after the window, €600: a manager", RET, true, NOREF, OURS(NEW, 40, 60000, 60000), GOLD, false, GREEN,
     R(STORE_CREDIT), 60000, true, C(APPROVAL_TOTAL)},
    {"walk-in, €90 without a receipt: ask for a contact", RET, false, NOREF, OURS(NEW, -1, 0, 9000), NONE, true, GREEN,
     R(STORE_CREDIT), 9000, false, C(WALK_IN_CONTACT)},
    {"walk-in, €9.99 without a receipt: nothing to ask", RET, false, NOREF, OURS(NEW, -1, 0, 999), NONE, true, GREEN,
     R(STORE_CREDIT), 999, false, C(LOWEST_CREDIT)},
    {"walk-in with a gift receipt: proof, nothing to ask", RET, false, NOREF, GIFT(NEW, 10, 9000, 9000), NONE, true, GREEN,
     R(STORE_CREDIT), 9000, false, C(GIFT_CREDIT)},
    {"a customer without a receipt: the card is their history", RET, false, NOREF, OURS(NEW, -1, 0, 9000), BRONZE, false,
     GREEN, R(STORE_CREDIT), 9000, false, C(LOWEST_CREDIT)},
    {"walk-in, €90 refund", RET, true, NOREF, OURS(NEW, 2, 9000, 9000), NONE, true, GREEN, R(REFUND), 9000, false, C(RECEIPT_REFUND)},
    /* found through the loyalty card: proof of the price and the date */
    {"card, in window: store credit for the price paid", RET, false, NOREF, CARD(NEW, 10, 4999, 3999), BRONZE, false, GREEN,
     R(STORE_CREDIT), 4999, false, C(CARD_CREDIT)},
    {"card, in window, exchange", EXC, false, NOREF, CARD(NEW, 10, 4999, 3999), BRONZE, false, GREEN, R(EXCHANGE), 4999, false,
     C(CARD_EXCHANGE)},
    {"card, €150 in window: no no-receipt approval", RET, false, NOREF, CARD(NEW, 5, 15000, 15000), SILVER, false, GREEN,
     R(STORE_CREDIT), 15000, false, C(CARD_CREDIT)},
    {"card, €600 in window: own money, no manager", RET, false, NOREF, CARD(NEW, 5, 60000, 60000), GOLD, false, GREEN,
     R(STORE_CREDIT), 60000, false, C(CARD_CREDIT)},
    {"card, after the window: as a receipt after it", RET, false, NOREF, CARD(NEW, 40, 4999, 3999), BRONZE, false, GREEN,
     R(STORE_CREDIT), 3999, false, C(LOWEST_CREDIT)},
    {"card, defective after the window: repair", RET, false, NOREF, CARD(DEFECTIVE, 60, 9999, 8999), BRONZE, false, GREEN,
     R(REPAIR_IN_STORE), 0, false, C(REPAIR_WARRANTY)},
    {"card, worn soon above €50: still a manager", RET, false, NOREF, CARD(WORN, 5, 8000, 8000), SILVER, false, GREEN,
     R(STORE_CREDIT), 8000, true, C(WORN_SOON)},
    {"card line already back: a return without a receipt", RET, false, NOREF, CARD_SPENT(NEW, 3, 4999, 3999), BRONZE, false,
     GREEN, R(STORE_CREDIT), 3999, false, C(ALREADY_BACK)},
    {"price adjustment through the card", PADJ, false, NOREF, CARD(NEW, 7, 5000, 4000), NONE, false, GREEN, R(REFUND), 1000,
     false, C(PRICE_REFUND)},
    /* one receipt line, returned once */
    {"receipt line already back: declined", RET, true, NOREF, OURS_SPENT(NEW, 3, 4999, 3999), GOLD, false, GREEN, R(DECLINE), 0,
     false, C(LINE_SPENT_DECLINE)},
    {"receipt line already back, exchange: declined", EXC, true, NOREF, OURS_SPENT(NEW, 3, 4999, 3999), GOLD, false, GREEN,
     R(DECLINE), 0, false, C(LINE_SPENT_DECLINE)},
    {"receipt line already back, as a referral: nothing refunded", REF, true, POLICY_REFER_CHEAPER_ELSEWHERE,
     OURS_SPENT(NEW, 3, 2499, 2499), BRONZE, false, GREEN, R(REFER_ELSEWHERE), 0, false, C(REFER_NOTHING)},
    {"price adjustment of a line that came back", PADJ, true, NOREF, OURS_SPENT(NEW, 7, 5000, 4000), NONE, false, GREEN,
     R(DECLINE), 0, false, C(PRICE_ALREADY_BACK)},
    /* gift receipts: the bearer gets store credit */
    {"gift receipt in its window: store credit", RET, false, NOREF, GIFT(NEW, 45, 4999, 3999), NONE, true, GREEN,
     R(STORE_CREDIT), 4999, false, C(GIFT_CREDIT)},
    {"gift receipt, with the case's receipt box ticked", RET, true, NOREF, GIFT(NEW, 5, 4999, 3999), SILVER, false, GREEN,
     R(STORE_CREDIT), 4999, false, C(GIFT_CREDIT)},
    {"gift receipt, exchange", EXC, false, NOREF, GIFT(NEW, 10, 4999, 3999), NONE, true, GREEN, R(EXCHANGE), 4999, false,
     C(GIFT_EXCHANGE)},
    {"gift receipt, walk-in, €150: no walk-in approval", RET, false, NOREF, GIFT(NEW, 10, 15000, 15000), NONE, true, GREEN,
     R(STORE_CREDIT), 15000, false, C(GIFT_CREDIT)},
    {"gift receipt after its window", RET, false, NOREF, GIFT(NEW, 70, 4999, 3999), BRONZE, false, GREEN, R(STORE_CREDIT), 3999,
     false, C(LOWEST_CREDIT)},
    {"gift receipt line already back: declined", RET, false, NOREF, GIFT_SPENT(NEW, 10, 4999, 3999), NONE, true, GREEN,
     R(DECLINE), 0, false, C(LINE_SPENT_DECLINE)},
    {"gift receipt, no price adjustment for the bearer", PADJ, false, NOREF, GIFT(NEW, 7, 5000, 4000), NONE, true, GREEN,
     R(DECLINE), 0, false, C(PRICE_NO_RECEIPT)},
    /* our goods without a receipt */
    {"no receipt: lowest recent price as credit", RET, false, NOREF, OURS(NEW, -1, 0, 2999), NONE, false, GREEN, R(STORE_CREDIT), 2999,
     false, C(LOWEST_CREDIT)},
    {"no receipt above €100", RET, false, NOREF, OURS(NEW, -1, 0, 12000), NONE, false, GREEN, R(STORE_CREDIT), 12000, true,
     C(NO_RECEIPT_ABOVE)},
    {"no receipt and no known price", RET, false, NOREF, OURS(NEW, -1, 0, 0), NONE, false, GREEN, R(STORE_CREDIT), 0, true,
     C(NO_PRICE)},
    {"no receipt, exchange", EXC, false, NOREF, OURS(NEW, -1, 0, 2999), NONE, false, GREEN, R(EXCHANGE), 2999, false,
     C(LOWEST_EXCHANGE)},
    {"no receipt, defective", RET, false, NOREF, OURS(DEFECTIVE, -1, 0, 2999), NONE, false, GREEN, R(STORE_CREDIT), 2999, false,
     C(LOWEST_CREDIT)},
    {"no receipt, worn 3 days after purchase (loyalty card)", RET, false, NOREF, OURS(WORN, 3, 0, 6000), GOLD, false, GREEN,
     R(STORE_CREDIT), 6000, true, C(WORN_SOON)},
    {"no receipt, the lower of price paid and lowest price", RET, false, NOREF, OURS(NEW, 40, 2500, 2999), NONE, false, GREEN,
     R(STORE_CREDIT), 2500, false, C(LOWEST_CREDIT)},
    /* repairs of our goods */
    {"receipt, defective after the window, in warranty", RET, true, NOREF, OURS(DEFECTIVE, 60, 9999, 8999), NONE, false, GREEN,
     R(REPAIR_IN_STORE), 0, false, C(REPAIR_WARRANTY)},
    {"receipt, defective in the window", RET, true, NOREF, OURS(DEFECTIVE, 10, 9999, 8999), NONE, false, GREEN, R(REFUND), 9999, false,
     C(RECEIPT_REFUND)},
    {"repair outside warranty", REP, true, NOREF, OURS(DEFECTIVE, 800, 9999, 8999), NONE, false, GREEN, R(REPAIR_IN_STORE), 0, false,
     C(REPAIR_QUOTE)},
    {"repair in warranty", REP, true, NOREF, OURS(DEFECTIVE, 100, 9999, 8999), NONE, false, GREEN, R(REPAIR_IN_STORE), 0, false,
     C(REPAIR_WARRANTY)},
    /* price adjustments */
    {"price lowered within 14 days", PADJ, true, NOREF, OURS(NEW, 7, 5000, 4000), NONE, false, GREEN, R(REFUND), 1000, false,
     C(PRICE_REFUND)},
    {"price adjustment after 14 days", PADJ, true, NOREF, OURS(NEW, 20, 5000, 4000), NONE, false, GREEN, R(DECLINE), 0, false,
     C(PRICE_OUT_OF_WINDOW)},
    {"price adjustment without receipt", PADJ, false, NOREF, OURS(NEW, 7, 0, 4000), NONE, false, GREEN, R(DECLINE), 0, false,
     C(PRICE_NO_RECEIPT)},
    {"price adjustment, price not lowered", PADJ, true, NOREF, OURS(NEW, 7, 4000, 4000), NONE, false, GREEN, R(DECLINE), 0, false,
     C(PRICE_NOT_LOWERED)},
    {"price adjustment, not sold here", PADJ, false, NOREF, NOT_OURS(NEW, NULL, 4000, false), GOLD, false, GREEN, R(DECLINE), 0, false,
     C(PRICE_NOT_OURS)},
    /* complaints */
    {"complaint about service", CPL, true, NOREF, OURS(NEW, 3, 2000, 2000), SILVER, false, GREEN, R(STORE_CREDIT), 1000, false,
     C(COMPLAINT_GESTURE)},
    {"complaint about a defective item in the window", CPL, true, NOREF, OURS(DEFECTIVE, 10, 3500, 3500), SILVER, false, GREEN,
     R(REFUND), 3500, false, C(RECEIPT_REFUND)},
    {"complaint about a defective item not sold here", CPL, false, NOREF, NOT_OURS(DEFECTIVE, "Miele", 0, false), SILVER, false, GREEN,
     R(REPAIR_MANUFACTURER), 0, false, C(REPAIR_MANUFACTURER)},
    /* referrals */
    {"referral: not in our range", REF, false, POLICY_REFER_NOT_IN_RANGE, NOT_OURS(NEW, NULL, 0, false), NONE, false, GREEN,
     R(REFER_ELSEWHERE), 0, false, C(REFER_NOTHING)},
    {"referral: out of stock, our goods without receipt", RET, false, POLICY_REFER_OUT_OF_STOCK, OURS(NEW, -1, 0, 2000), NONE, false,
     GREEN, R(REFER_ELSEWHERE), 2000, false, C(REFER_WITH_AMOUNT)},
    {"referral of a defective item of ours: repair instead", RET, true, POLICY_REFER_OTHER, OURS(DEFECTIVE, 60, 9999, 9999), NONE, false,
     GREEN, R(REPAIR_IN_STORE), 0, false, C(REPAIR_WARRANTY)},
    {"referral case without a reason given", REF, false, NOREF, NOT_OURS(NEW, NULL, 0, false), NONE, false, GREEN, R(REFER_ELSEWHERE), 0,
     false, C(REFER_NOTHING)},
    {"referral at red that refunds nothing", REF, false, POLICY_REFER_NOT_IN_RANGE, NOT_OURS(NEW, NULL, 0, false), NONE, false, RED,
     R(REFER_ELSEWHERE), 0, false, C(REFER_NOTHING)},
    /* the guard */
    {"red on a repair asks nothing", REP, false, NOREF, NOT_OURS(DEFECTIVE, "Vorwerk", 0, false), GOLD, false, RED,
     R(REPAIR_MANUFACTURER), 0, false, C(REPAIR_MANUFACTURER)},
    {"amber on a receipt refund", RET, true, NOREF, OURS(NEW, 3, 2000, 2000), GOLD, false, AMBER, R(REFUND), 2000, true,
     C(GUARD_MANAGER)},
    {"red on the worn dress", RET, false, NOREF, NOT_OURS(WORN, NULL, 24000, false), GOLD, false, RED, R(STORE_CREDIT), 24000, true,
     C(GUARD_SCRIPT)},
};

static const char *const accusing[] = {"fraud", "fraude", "misbruik", "abuse", "suspic", "verdacht", "exploit", "steal",
                                       "diefstal", "liar", "lieg", "oplicht"};

/* A reason's rendered text; four buffers in turn, so that a message may
 * show a few at once. */
static const char *text(const struct reason *r, enum reason_lang lang)
{
    static char buf[4][REASON_TEXT_SZ];
    static unsigned next;
    return reason_render(r, lang, buf[next++ % 4]);
}
#define NL_OF(r) text((r), REASON_NL)
#define EN_OF(r) text((r), REASON_EN)

static void assert_neutral(const struct reason *r)
{
    for (size_t k = 0; k < sizeof accusing / sizeof accusing[0]; k++) {
        if (strcasestr(NL_OF(r), accusing[k]) || strcasestr(EN_OF(r), accusing[k]))
            fail_msg("accusing word \"%s\" in: %s / %s", accusing[k], NL_OF(r), EN_OF(r));
    }
}

/* The first reason with code, NULL when none has it. */
static const struct reason *said(const struct decision *d, enum reason_code code)
{
    for (size_t k = 0; k < d->n_reasons; k++)
        if (d->reasons[k].code == code) return &d->reasons[k];
    return NULL;
}

/* Some reason has code, is said of item (ANY_ITEM: of any; 0: of the
 * case) and has these leading arguments (long long each). */
#define ANY_ITEM (-1)
static void assert_said(const struct decision *d, enum reason_code code, int item, int n_args, ...)
{
    for (size_t k = 0; k < d->n_reasons; k++) {
        const struct reason *r = &d->reasons[k];
        if (r->code != code || (item != ANY_ITEM && r->item != item)) continue;
        va_list ap;
        va_start(ap, n_args);
        int ok = 1;
        for (int i = 0; i < n_args; i++) ok &= r->args[i].n == va_arg(ap, long long);
        va_end(ap);
        if (ok) return;
    }
    for (size_t k = 0; k < d->n_reasons; k++) print_message("  %s: %s\n", reason_code_name(d->reasons[k].code), EN_OF(&d->reasons[k]));
    fail_msg("no reason %s of item %d with those arguments", reason_code_name(code), item);
}

static void decision_table(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    assert_true(sizeof rows / sizeof rows[0] >= 40);
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const struct row *t = &rows[i];
        struct case_in c = {.kind = t->kind, .receipt = t->receipt, .referral = t->referral, .n_items = 1};
        c.items[0] = t->item;
        struct customer_facts f = {.tier = t->tier, .walk_in = t->walk_in, .visits = 3, .tenure_days = 400};
        struct risk r = {.level = t->level, .score = t->level == RED ? 90 : t->level == AMBER ? 50 : 5, .n_reasons = 1};
        struct decision d;
        assert_int_equal(policy_decide(&p, &c, &f, &r, &d), TD_OK);
        if (d.resolution != t->res || d.max_amount_cents != t->max || d.needs_approval != t->approval)
            fail_msg("%s: got %s %lld %s, want %s %lld %s (%s)", t->name, policy_resolution_name(d.resolution),
                     (long long)d.max_amount_cents, d.needs_approval ? "approval" : "-", policy_resolution_name(t->res),
                     (long long)t->max, t->approval ? "approval" : "-", d.n_reasons ? EN_OF(&d.reasons[0]) : "");
        assert_true(d.n_reasons >= 1 && d.n_reasons <= POLICY_REASONS_MAX);
        for (size_t k = 0; k < d.n_reasons; k++) {
            if (NL_OF(&d.reasons[k])[0] == '\0' || EN_OF(&d.reasons[k])[0] == '\0') fail_msg("%s: empty reason %zu", t->name, k);
            if (strcmp(NL_OF(&d.reasons[k]), EN_OF(&d.reasons[k])) == 0) fail_msg("%s: untranslated: %s", t->name, EN_OF(&d.reasons[k]));
            assert_neutral(&d.reasons[k]);
        }
        if (!said(&d, t->reason)) {
            for (size_t k = 0; k < d.n_reasons; k++) print_message("  %s\n", EN_OF(&d.reasons[k]));
            fail_msg("%s: no reason %s", t->name, reason_code_name(t->reason));
        }
        assert_string_equal(d.policy_version, "1");
        assert_int_equal(d.n_items, 1);
        assert_int_equal(d.items[0].resolution, d.resolution);
    }
}

/* The desk asks a walk-in for a contact above a small amount, for returns
 * of our goods only (never for a complaint's gesture); asking adds no
 * friction, and once one is given it asks no more. */
static void walk_in_contact_above_a_small_amount(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = RET, .n_items = 1};
    c.items[0] = (struct case_item)OURS(NEW, -1, 0, 6000);
    struct customer_facts f = {.walk_in = true};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_true(d.ask_walk_in_contact);
    assert_false(d.needs_approval);
    c.walk_in_contact = true;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_false(d.ask_walk_in_contact);
    assert_false(d.needs_approval);
    assert_null(said(&d, REASON_WALK_IN_CONTACT));
    /* The amount is the policy's: at 0 every return without proof asks. */
    p.walk_in_contact_above_cents = 0;
    c.walk_in_contact = false;
    c.items[0] = (struct case_item)OURS(NEW, -1, 0, 500);
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_true(d.ask_walk_in_contact);
    /* A complaint moves a gesture, not our goods: nothing to ask. */
    c.kind = CPL;
    c.items[0] = (struct case_item)OURS(USED, 10, 6000, 6000);
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_false(d.ask_walk_in_contact);
}

static void stories_in_dutch(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = RET, .receipt = false, .n_items = 1, .items = {NOT_OURS(WORN, NULL, 24000, false)}};
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_non_null(strstr(NL_OF(&d.reasons[0]), "tegoedbon voor het genoemde bedrag van € 240,00"));
    assert_non_null(strstr(NL_OF(&d.reasons[0]), "goodwill-limiet van € 300,00"));

    struct risk red = {.score = 95, .level = RED, .n_reasons = 1};
    c = (struct case_in){.kind = RET, .receipt = false, .n_items = 1, .items = {OURS(NEW, -1, 0, 123456)}};
    f.tier = BRONZE;
    assert_int_equal(policy_decide(&p, &c, &f, &red, &d), TD_OK);
    assert_true(d.needs_approval);
    assert_non_null(strstr(NL_OF(&d.reasons[0]), "€ 1.234,56"));
    assert_non_null(strstr(EN_OF(&d.reasons[0]), "€1,234.56"));
    assert_non_null(strstr(NL_OF(&d.reasons[d.n_reasons - 1]), "Ik vraag even mijn leidinggevende erbij"));
}

/* ---- cases of several items -------------------------------------------- */

static void goodwill_limit_spans_the_case(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = RET, .n_items = 2,
                        .items = {NOT_OURS(WORN, NULL, 20000, false), NOT_OURS(WORN, NULL, 15000, false)}};
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(STORE_CREDIT));
    assert_int_equal(d.max_amount_cents, 35000);
    assert_false(d.items[0].needs_approval);
    assert_true(d.items[1].needs_approval);
    assert_true(d.needs_approval);
    assert_said(&d, REASON_GOODWILL_BEYOND, 2, 2, 15000LL, 10000LL);
}

static void mixed_items_take_the_largest(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = RET, .n_items = 2,
                        .items = {NOT_OURS(DEFECTIVE, "Vorwerk", 0, false), NOT_OURS(WORN, NULL, 24000, false)}};
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(STORE_CREDIT));
    assert_int_equal(d.items[0].resolution, R(REPAIR_MANUFACTURER));
    assert_int_equal(d.max_amount_cents, 24000);
    assert_false(d.needs_approval);
    assert_said(&d, REASON_REPAIR_MANUFACTURER, 1, 0);
    assert_said(&d, REASON_MIXED, 0, 0);
    assert_non_null(strstr(NL_OF(&d.reasons[0]), "Artikel 1: "));
}

static void many_items_keep_room_for_the_script(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = RET, .receipt = false, .n_items = POLICY_ITEMS_MAX};
    for (size_t i = 0; i < c.n_items; i++) c.items[i] = (struct case_item)OURS(NEW, -1, 0, 4000);
    struct customer_facts f = {.tier = SILVER};
    struct risk red = {.score = 100, .level = RED, .n_reasons = 1};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, &red, &d), TD_OK);
    assert_int_equal(d.max_amount_cents, 16 * 4000);
    assert_true(d.needs_approval);
    assert_true(d.n_reasons <= POLICY_REASONS_MAX);
    assert_said(&d, REASON_APPROVAL_TOTAL, 0, 1, 50000LL);
    assert_said(&d, REASON_GUARD_SCRIPT, 0, 0);
}

static void complaint_gesture_once_per_case(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct case_in c = {.kind = CPL, .receipt = true, .n_items = 3,
                        .items = {OURS(NEW, 3, 2000, 2000), OURS(USED, 3, 2000, 2000), OURS(NEW, 3, 2000, 2000)}};
    struct customer_facts f = {.tier = SILVER};
    struct decision d;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(STORE_CREDIT));
    assert_int_equal(d.max_amount_cents, 1000);
}

static void bad_cases_are_refused(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    struct case_in ok = {.kind = RET, .n_items = 1, .items = {OURS(NEW, 3, 100, 100)}}, c;
    assert_int_equal(policy_decide(&p, &ok, &f, NULL, &d), TD_OK);
    c = ok, c.n_items = 0;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.n_items = POLICY_ITEMS_MAX + 1;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.kind = (enum policy_kind)0;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.referral = (enum policy_referral)9;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.items[0].condition = (enum policy_condition)0;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.items[0].price_paid_cents = -1;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    c = ok, c.items[0].days_since_purchase = -2;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_E_INVALID);
    struct customer_facts bad_tier = {.tier = POLICY_TIER_COUNT};
    assert_int_equal(policy_decide(&p, &ok, &bad_tier, NULL, &d), TD_E_INVALID);
    struct risk bad_risk = {.score = 101, .level = RED};
    assert_int_equal(policy_decide(&p, &ok, &f, &bad_risk, &d), TD_E_INVALID);
    assert_int_equal(d.n_reasons, 0);
}

/* ---- the policy's switches for proof and receipt lines -------------------- */

static void decide_one(const struct policy *p, enum policy_kind kind, bool receipt, struct case_item it, enum policy_tier tier,
                       struct decision *d)
{
    struct case_in c = {.kind = kind, .receipt = receipt, .n_items = 1, .items = {it}};
    struct customer_facts f = {.tier = tier};
    assert_int_equal(policy_decide(p, &c, &f, NULL, d), TD_OK);
    for (size_t k = 0; k < d->n_reasons; k++) assert_neutral(&d->reasons[k]);
}

static void proof_switches(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct decision d;
    /* A line already back goes to a manager where the policy says so: the
     * item as one without proof, at the lowest recent price. */
    p.beyond_to_manager = true;
    decide_one(&p, RET, true, (struct case_item)OURS_SPENT(NEW, 3, 4999, 3999), GOLD, &d);
    assert_int_equal(d.resolution, R(STORE_CREDIT));
    assert_int_equal(d.max_amount_cents, 3999);
    assert_true(d.needs_approval);
    assert_true(d.items[0].beyond_quantity);
    assert_false(d.items[0].proven);
    assert_said(&d, REASON_LINE_SPENT_MANAGER, ANY_ITEM, 0);
    assert_said(&d, REASON_LOWEST_CREDIT, ANY_ITEM, 1, (long long)PHRASE_WHY_NO_USABLE_PROOF);
    p = fixture_default_policy();
    decide_one(&p, RET, true, (struct case_item)OURS_SPENT(NEW, 3, 4999, 3999), GOLD, &d);
    assert_true(d.items[0].beyond_quantity);
    assert_false(d.needs_approval);
    /* Two units bought, one back: the second still comes back. */
    struct case_item half = OURS(NEW, 3, 4999, 3999);
    half.line_quantity = 2, half.line_returned = 1;
    decide_one(&p, RET, true, half, GOLD, &d);
    assert_int_equal(d.resolution, R(REFUND));
    assert_false(d.items[0].beyond_quantity);
    assert_true(d.items[0].proven);
    /* The card may refund like a receipt. */
    p.card_refund = true;
    decide_one(&p, RET, false, (struct case_item)CARD(NEW, 10, 4999, 3999), BRONZE, &d);
    assert_int_equal(d.resolution, R(REFUND));
    assert_said(&d, REASON_CARD_REFUND, ANY_ITEM, 2, 30LL, 4999LL);
    /* Gift receipts refused; a shorter window. */
    p = fixture_default_policy();
    p.gift_allowed = false;
    decide_one(&p, RET, false, (struct case_item)GIFT(NEW, 10, 4999, 3999), NONE, &d);
    assert_int_equal(d.resolution, R(DECLINE));
    assert_said(&d, REASON_GIFT_NOT_ALLOWED, ANY_ITEM, 0);
    p = fixture_default_policy();
    p.gift_window_days = 14;
    decide_one(&p, RET, false, (struct case_item)GIFT(NEW, 20, 4999, 3999), NONE, &d);
    assert_int_equal(d.max_amount_cents, 3999);
    assert_said(&d, REASON_LOWEST_CREDIT, ANY_ITEM, 1, (long long)PHRASE_WHY_GIFT_LATE);
    /* Returns with proof count towards the threshold where the policy says so. */
    p = fixture_default_policy();
    p.approval_counts_proven = true;
    decide_one(&p, RET, true, (struct case_item)OURS(NEW, 2, 60000, 60000), GOLD, &d);
    assert_true(d.needs_approval);
    assert_said(&d, REASON_APPROVAL_TOTAL, 0, 1, 50000LL);
}

static void goodwill_beside_own_money(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct customer_facts f = {.tier = PLAT};
    struct decision d;
    /* €400 of her own back with the receipt and €450 of goodwill: only the
     * goodwill counts, and it is below €500. */
    struct case_in c = {.kind = RET, .receipt = true, .n_items = 2,
                        .items = {OURS(NEW, 5, 40000, 40000), NOT_OURS(USED, NULL, 45000, false)}};
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.max_amount_cents, 85000);
    assert_false(d.needs_approval);
    assert_true(d.items[0].proven);
    assert_false(d.items[1].proven);
    /* €550 of goodwill: above it, said as such. */
    c.items[1].stated_price_cents = 55000;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_true(d.needs_approval);
    assert_said(&d, REASON_APPROVAL_BEYOND_PROOF, 0, 1, 50000LL);
    /* Two units of one line of which one came back: the second item of the
     * case is declined, the first refunded. */
    c = (struct case_in){.kind = RET, .receipt = true, .n_items = 2,
                         .items = {OURS(NEW, 5, 2000, 2000), OURS_SPENT(NEW, 5, 2000, 2000)}};
    c.items[0].line_quantity = 2, c.items[0].line_returned = 1;
    c.items[1].line_quantity = 2, c.items[1].line_returned = 2;
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.items[0].resolution, R(REFUND));
    assert_int_equal(d.items[1].resolution, R(DECLINE));
    assert_int_equal(d.max_amount_cents, 2000);
    assert_said(&d, REASON_LINE_SPENT_DECLINE, 2, 2, 2LL, 2LL);
}

/* ---- the document ------------------------------------------------------ */

static void default_document(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    assert_int_equal(p.version, 1);
    assert_int_equal(p.store_version, 0);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_GOLD], 30000);
    assert_int_equal(p.return_window_days, 30);
    assert_true(p.no_receipt_allowed);
    assert_int_equal(p.lowest_price_days, 90);
    assert_int_equal(p.guard.amber_at, 40);
    assert_int_equal(p.guard.red_at, 70);
    assert_int_equal(p.guard.spree_points, 20);
    assert_true(p.gift_allowed);
    assert_int_equal(p.gift_window_days, 60);
    assert_false(p.card_refund);
    assert_false(p.beyond_to_manager);
    assert_false(p.approval_counts_proven);
    for (int t = POLICY_TIER_BRONZE; t < POLICY_TIER_COUNT; t++)
        assert_true(p.goodwill_limit_cents[t] > p.goodwill_limit_cents[t - 1]);
    assert_string_equal(policy_tier_name(POLICY_TIER_PLATINUM), "platinum");
    assert_string_equal(policy_resolution_name(R(REPAIR_MANUFACTURER)), "repair_manufacturer");
    assert_string_equal(policy_referral_name(POLICY_REFER_CHEAPER_ELSEWHERE), "cheaper_elsewhere");
    assert_string_equal(policy_condition_name(POLICY_COND_WORN), "worn");
    assert_string_equal(policy_kind_name(PADJ), "price_adjustment");
    assert_null(policy_resolution_name((enum policy_resolution)0));
    assert_null(policy_tier_name(POLICY_TIER_COUNT));
}

static int apply_override_text(const struct policy *base, const char *json, struct policy *out)
{
    struct errors err;
    errors_init(&err);
    return policy_apply_override(base, json, strlen(json), &err, out);
}

/* The default document with the value at a dotted path replaced (value
 * NULL: removed). Returns a string for the caller to free. */
static char *doc_with(const char *path, json_t *value)
{
    json_error_t jerr;
    json_t *root = json_loads(policy_default_json(), 0, &jerr);
    assert_non_null(root);
    char buf[160];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *obj = root;
    char *key = buf;
    for (char *dot; (dot = strchr(key, '.')) != NULL; key = dot + 1) {
        *dot = '\0';
        obj = json_object_get(obj, key);
        assert_non_null(obj);
    }
    if (value) json_object_set_new(obj, key, value);
    else json_object_del(obj, key);
    char *s = json_dumps(root, 0);
    json_decref(root);
    return s;
}

struct bad {
    const char *name;
    const char *path;            /* where to change the default; NULL: use text */
    const char *value;           /* JSON text of the new value; NULL: remove */
    const char *text;            /* a whole document instead */
    const char *field;           /* expected first problem's field */
    const char *problem;         /* substring of its problem */
};

static const struct bad bads[] = {
    {"bad JSON", NULL, NULL, "{\"version\": 1,", "", "is not valid JSON"},
    {"empty", NULL, NULL, "", "", "is not valid JSON"},
    {"not an object", NULL, NULL, "[1, 2]", "", "must be a JSON object"},
    {"duplicate key", NULL, NULL, "{\"version\": 1, \"version\": 2}", "", "is not valid JSON"},
    {"unknown top-level field", "colour", "\"blue\"", NULL, "colour", "is not a known field"},
    {"unknown tier", "tiers.diamond", "{\"goodwill_limit_cents\": 1}", NULL, "tiers.diamond", "is not a known field"},
    {"unknown nested field", "guard.spree_30d.days", "7", NULL, "guard.spree_30d.days", "is not a known field"},
    {"wrong type: string for cents", "tiers.gold.goodwill_limit_cents", "\"300\"", NULL, "tiers.gold.goodwill_limit_cents",
     "must be a whole number"},
    {"wrong type: real for cents", "tiers.gold.goodwill_limit_cents", "300.5", NULL, "tiers.gold.goodwill_limit_cents",
     "must be a whole number"},
    {"wrong type: number for a flag", "no_receipt.allowed", "1", NULL, "no_receipt.allowed", "must be true or false"},
    {"wrong type: branch", "tiers", "5", NULL, "tiers", "must be an object"},
    {"negative limit", "tiers.gold.goodwill_limit_cents", "-1", NULL, "tiers.gold.goodwill_limit_cents", "must be between 0 and"},
    {"negative approval threshold", "approval.above_cents", "-500", NULL, "approval.above_cents", "must be between 0 and"},
    {"out of range high", "guard.red_at", "101", NULL, "guard.red_at", "must be between 1 and 100"},
    {"amber equal to red", "guard.amber_at", "70", NULL, "guard.amber_at", "must be below guard.red_at (70)"},
    {"amber above red", "guard.red_at", "30", NULL, "guard.amber_at", "must be below guard.red_at (30)"},
    {"missing version", "version", NULL, NULL, "version", "is required"},
    {"version zero", "version", "0", NULL, "version", "must be between 1"},
    {"version as text", "version", "\"1\"", NULL, "version", "must be a whole number"},
    {"missing section", "guard", NULL, NULL, "guard", "is required"},
    {"missing leaf", "tiers.gold.goodwill_limit_cents", NULL, NULL, "tiers.gold.goodwill_limit_cents", "is required"},
    {"tier limit falls", "tiers.silver.goodwill_limit_cents", "4000", NULL, "tiers.silver.goodwill_limit_cents",
     "must not be below the bronze tier's limit"},
    {"gift window out of range", "gift_receipt.window_days", "400", NULL, "gift_receipt.window_days", "must be between 0 and 365"},
    {"gift switch as text", "gift_receipt.allowed", "\"yes\"", NULL, "gift_receipt.allowed", "must be true or false"},
    {"card refund as a number", "receipt.card_refund", "1", NULL, "receipt.card_refund", "must be true or false"},
    {"beyond quantity as null", "receipt.beyond_quantity_to_manager", "null", NULL, "receipt.beyond_quantity_to_manager",
     "must be true or false"},
    {"returns with proof as text", "approval.returns_with_proof", "\"no\"", NULL, "approval.returns_with_proof",
     "must be true or false"},
    {"unknown gift field", "gift_receipt.refund", "true", NULL, "gift_receipt.refund", "is not a known field"},
    {"gift section of the wrong type", "gift_receipt", "[]", NULL, "gift_receipt", "must be an object"},
};

/* A document saved before the fields for proof and gift receipts existed
 * still loads, with their defaults. */
static void older_documents_take_the_new_defaults(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_loads(policy_default_json(), 0, &jerr);
    json_object_del(root, "gift_receipt");
    json_object_del(json_object_get(root, "receipt"), "card_refund");
    json_object_del(json_object_get(root, "receipt"), "beyond_quantity_to_manager");
    json_object_del(json_object_get(root, "approval"), "returns_with_proof");
    char *text = json_dumps(root, 0);
    struct policy p, dflt = fixture_default_policy();
    struct errors err;
    errors_init(&err);
    assert_int_equal(policy_parse(text, strlen(text), &err, &p), TD_OK);
    assert_true(p.gift_allowed);
    assert_int_equal(p.gift_window_days, 60);
    assert_false(p.card_refund);
    assert_false(p.beyond_to_manager);
    assert_false(p.approval_counts_proven);
    assert_int_equal(p.gift_window_days, dflt.gift_window_days);
    /* A store may switch one of them alone. */
    assert_int_equal(apply_override_text(&p, "{\"version\": 1, \"gift_receipt\": {\"window_days\": 30}}", &p), TD_OK);
    assert_int_equal(p.gift_window_days, 30);
    assert_true(p.gift_allowed);
    json_decref(root);
    free(text);
}

static void bad_documents_are_refused_with_their_path(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof bads / sizeof bads[0]; i++) {
        const struct bad *b = &bads[i];
        char *doc = NULL;
        if (b->path) {
            json_t *v = NULL;
            if (b->value) {
                json_error_t jerr;
                v = json_loads(b->value, JSON_DECODE_ANY, &jerr);
                assert_non_null(v);
            }
            doc = doc_with(b->path, v);
        }
        const char *text = doc ? doc : b->text;
        struct policy p;
        memset(&p, 0x5a, sizeof p);
        struct errors err;
        errors_init(&err);
        int rc = policy_parse(text, strlen(text), &err, &p);
        if (rc != TD_E_INVALID) fail_msg("%s: accepted", b->name);
        if (err.n < 1) fail_msg("%s: no problem recorded", b->name);
        if (strcmp(err.item[0].field, b->field) != 0 || !strstr(err.item[0].problem, b->problem))
            fail_msg("%s: got %s: %s; want %s: %s", b->name, err.item[0].field, err.item[0].problem, b->field, b->problem);
        if (strcmp(b->name, "wrong type: branch") == 0 || strcmp(b->name, "missing section") == 0)
            assert_int_equal(err.n, 1);            /* one problem, not one per leaf */
        assert_int_equal(p.version, 0x5a5a5a5a);   /* *out untouched */
        free(doc);
    }
}

static void a_dotted_key_is_not_a_path(void **state)
{
    (void)state;
    char *doc = doc_with("tiers.gold", NULL);
    /* {"tiers": {..., no gold}, "tiers.gold": {...}} must not fill tiers.gold */
    json_error_t jerr;
    json_t *root = json_loads(doc, 0, &jerr);
    json_object_set_new(root, "tiers.gold", json_pack("{s:i}", "goodwill_limit_cents", 30000));
    char *text = json_dumps(root, 0);
    struct policy p;
    struct errors err;
    errors_init(&err);
    assert_int_equal(policy_parse(text, strlen(text), &err, &p), TD_E_INVALID);
    assert_string_equal(err.item[0].field, "tiers.gold");
    assert_string_equal(err.item[0].problem, "is not a known field");
    assert_string_equal(err.item[1].field, "tiers.gold");
    assert_string_equal(err.item[1].problem, "is required");
    json_decref(root);
    free(text);
    free(doc);
}

static void problems_are_collected_together(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *root = json_loads(policy_default_json(), 0, &jerr);
    json_object_set_new(json_object_get(root, "worn"), "soon_days", json_string("two weeks"));
    json_object_set_new(root, "extra", json_true());
    json_object_set_new(json_object_get(root, "receipt"), "return_window_days", json_integer(400));
    char *text = json_dumps(root, 0);
    struct policy p;
    struct errors err;
    errors_init(&err);
    assert_int_equal(policy_parse(text, strlen(text), &err, &p), TD_E_INVALID);
    assert_int_equal(err.n, 3);
    assert_string_equal(err.item[0].field, "receipt.return_window_days");
    assert_string_equal(err.item[1].field, "worn.soon_days");
    assert_string_equal(err.item[2].field, "extra");
    json_decref(root);
    free(text);
}

static void validate_a_policy_built_in_c(void **state)
{
    (void)state;
    struct policy p = fixture_default_policy();
    struct errors err;
    errors_init(&err);
    assert_int_equal(policy_validate(&p, &err), TD_OK);
    p.guard.amber_at = 80;
    p.worn_limit_cents = -5;
    assert_int_equal(policy_validate(&p, &err), TD_E_INVALID);
    assert_int_equal(err.n, 2);
    assert_string_equal(err.item[0].field, "worn.approval_above_cents");
    assert_string_equal(err.item[1].field, "guard.amber_at");
}

/* ---- store overrides --------------------------------------------------- */

static int apply(const struct policy *base, const char *json, struct errors *err, struct policy *out)
{
    errors_init(err);
    return policy_apply_override(base, json, strlen(json), err, out);
}

static void override_replaces_single_fields(void **state)
{
    (void)state;
    struct policy base = fixture_default_policy(), p;
    struct errors err;
    assert_int_equal(apply(&base, "{\"version\": 3, \"tiers\": {\"gold\": {\"goodwill_limit_cents\": 40000}}}", &err, &p), TD_OK);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_GOLD], 40000);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_SILVER], 10000);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_PLATINUM], 60000);
    assert_int_equal(p.version, 1);
    assert_int_equal(p.store_version, 3);
    assert_int_equal(p.guard.red_at, 70);
    assert_int_equal(p.return_window_days, base.return_window_days);
    assert_int_equal(p.no_receipt_allowed, base.no_receipt_allowed);
    assert_int_equal(p.approval_above_cents, base.approval_above_cents);

    struct case_in c = {.kind = RET, .n_items = 1, .items = {NOT_OURS(WORN, NULL, 35000, false)}};
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    assert_int_equal(policy_decide(&base, &c, &f, NULL, &d), TD_OK);
    assert_true(d.needs_approval);
    assert_string_equal(d.policy_version, "1");
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_false(d.needs_approval);
    assert_string_equal(d.policy_version, "1+store.3");
}

static void override_switches_rules(void **state)
{
    (void)state;
    struct policy base = fixture_default_policy(), p;
    struct errors err;
    struct customer_facts f = {.tier = GOLD};
    struct decision d;
    assert_int_equal(apply(&base, "{\"version\": 1, \"no_receipt\": {\"allowed\": false}, \"not_sold_here\": {\"allowed\": false},"
                                  " \"complaint\": {\"gesture_cents\": 0}}",
                           &err, &p),
                     TD_OK);
    assert_int_equal(p.no_receipt_limit_cents, base.no_receipt_limit_cents);
    struct case_in c = {.kind = RET, .n_items = 1, .items = {OURS(NEW, -1, 0, 2000)}};
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(DECLINE));
    assert_said(&d, REASON_NO_RECEIPT_DECLINE, ANY_ITEM, 0);
    c.items[0] = (struct case_item)NOT_OURS(WORN, NULL, 24000, false);
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(DECLINE));
    assert_int_equal(d.max_amount_cents, 0);
    assert_said(&d, REASON_NOT_SOLD_HERE_REFUSED, ANY_ITEM, 0);
    c.kind = CPL;
    c.items[0] = (struct case_item)OURS(NEW, 2, 2000, 2000);
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(DECLINE));
    assert_said(&d, REASON_COMPLAINT_NO_GESTURE, ANY_ITEM, 0);
    /* the vacuum cleaner still goes to its manufacturer */
    c.kind = RET;
    c.items[0] = (struct case_item)NOT_OURS(DEFECTIVE, "Vorwerk", 0, false);
    assert_int_equal(policy_decide(&p, &c, &f, NULL, &d), TD_OK);
    assert_int_equal(d.resolution, R(REPAIR_MANUFACTURER));
}

static void bad_overrides_are_refused(void **state)
{
    (void)state;
    struct policy base = fixture_default_policy(), p = base;
    struct errors err;
    /* Each refused, naming the field of its first problem. */
    static const struct { const char *doc, *field; } bad[] = {
        {"{\"tiers\": {\"gold\": {\"goodwill_limit_cents\": 40000}}}", "version"},
        {"{\"version\": 2, \"tiers\": {\"gold\": {\"limit\": 1}}}", "tiers.gold.limit"},
        {"{\"version\": 2, \"guard\": {\"amber_at\": 80}}", "guard.amber_at"},
        {"{\"version\": 2, \"tiers\": {\"gold\": {\"goodwill_limit_cents\": 100}}}", "tiers.gold.goodwill_limit_cents"},
        {"{\"version\": 2, \"tiers\": {\"gold\": {\"goodwill_limit_cents\": -1}}}", "tiers.gold.goodwill_limit_cents"},
        {"{\"version\": 2,", ""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(apply(&base, bad[i].doc, &err, &p), TD_E_INVALID);
        if (strcmp(err.item[0].field, bad[i].field) != 0) fail_msg("%s: field %s, wanted %s", bad[i].doc, err.item[0].field, bad[i].field);
    }
    /* out untouched on refusal */
    assert_int_equal(p.store_version, 0);
    assert_int_equal(p.goodwill_limit_cents[POLICY_TIER_GOLD], 30000);
    assert_int_equal(p.guard.amber_at, 40);
    /* in place: base and out the same struct */
    assert_int_equal(apply(&p, "{\"version\": 4, \"receipt\": {\"return_window_days\": 60}}", &err, &p), TD_OK);
    assert_int_equal(p.return_window_days, 60);
    assert_int_equal(p.store_version, 4);
}

TD_TEST_MAIN("unit_policy", NULL, NULL,
             cmocka_unit_test(decision_table),
             cmocka_unit_test(stories_in_dutch),
             cmocka_unit_test(walk_in_contact_above_a_small_amount),
             cmocka_unit_test(goodwill_limit_spans_the_case),
             cmocka_unit_test(mixed_items_take_the_largest),
             cmocka_unit_test(many_items_keep_room_for_the_script),
             cmocka_unit_test(complaint_gesture_once_per_case),
             cmocka_unit_test(bad_cases_are_refused),
             cmocka_unit_test(proof_switches),
             cmocka_unit_test(goodwill_beside_own_money),
             cmocka_unit_test(older_documents_take_the_new_defaults),
             cmocka_unit_test(default_document),
             cmocka_unit_test(bad_documents_are_refused_with_their_path),
             cmocka_unit_test(a_dotted_key_is_not_a_path),
             cmocka_unit_test(problems_are_collected_together),
             cmocka_unit_test(validate_a_policy_built_in_c),
             cmocka_unit_test(override_replaces_single_fields),
             cmocka_unit_test(override_switches_rules),
             cmocka_unit_test(bad_overrides_are_refused))
