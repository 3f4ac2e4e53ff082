/* policy.c — the decision (see policy.h); the document it reads is
 * policy_doc.c's.
 *
 * The decision goes item by item (decide_item), then over the whole case
 * (approval thresholds, walk-in, the guard's level). Rules, in order:
 *   referral wanted            -> refer_elsewhere (with the refund a return would get)
 *   repair                     -> repair_manufacturer (brand not carried) | repair_in_store
 *   price adjustment           -> refund of the difference | decline
 *   complaint, not defective   -> store_credit gesture | decline
 *   not sold here, defective   -> as repair
 *   not sold here              -> store_credit at the stated price within the tier's goodwill limit
 *   sold here, line came back  -> decline (or a manager decides)
 *   sold here, receipt, window -> refund | exchange at the price paid
 *   sold here, card, window    -> store_credit (refund if the policy says) | exchange at the price paid
 *   sold here, gift, window    -> store_credit | exchange at the price paid (gift_receipt.window_days)
 *   sold here, defective, late -> repair_in_store
 *   sold here, otherwise       -> store_credit | exchange at the lowest recent price
 *
 * The approval thresholds add up only what is not the customer's own money:
 * returns of our goods with proof within the window are left out. A
 * walk-in's return without proof above no_receipt.walk_in_contact_above_cents
 * asks for a contact (ask_walk_in_contact) and adds no manager for it.
 *
 * Every reason is said with ITEM_SAYS or CASE_SAYS: a code of reasons.def
 * and its arguments, never words; the API renders them (reasons.h).
 */
#include "domain/policy.h"
#include <stdio.h>
#include <string.h>

#define ITEM_CENTS_MAX 1000000000LL  /* EUR 10 million: as the ledger's cap */

/* ---- names ------------------------------------------------------------- */

ENUM_MAP_DEFINE(policy_tier_map, POLICY_TIER_MAP);
ENUM_MAP_DEFINE(policy_kind_map, POLICY_KIND_MAP);
ENUM_MAP_DEFINE(policy_condition_map, POLICY_CONDITION_MAP);
ENUM_MAP_DEFINE(policy_referral_map, POLICY_REFERRAL_MAP);
ENUM_MAP_DEFINE(policy_resolution_map, POLICY_RESOLUTION_MAP);

const char *policy_resolution_name(enum policy_resolution r)
{
    return enum_map_name(&policy_resolution_map, (int)r);
}

const char *policy_tier_name(enum policy_tier t)
{
    return enum_map_name(&policy_tier_map, (int)t);
}

const char *policy_referral_name(enum policy_referral r)
{
    return r == POLICY_REFER_NONE ? "none" : enum_map_name(&policy_referral_map, (int)r);
}

const char *policy_condition_name(enum policy_condition c)
{
    return enum_map_name(&policy_condition_map, (int)c);
}

const char *policy_kind_name(enum policy_kind k)
{
    return enum_map_name(&policy_kind_map, (int)k);
}

/* ---- the decision ------------------------------------------------------ */

/* Room kept after the items' reasons for the case-wide ones: the total,
 * the walk-in limit, the walk-in's contact, mixed resolutions and the guard
 * (two at red). */
#define CASE_REASONS 6

struct decide {
    const struct policy *p;
    const struct case_in *c;
    struct decision *d;
    enum policy_tier tier;
    int64_t goodwill_left;          /* of the tier's limit, across the case's items */
    bool gesture_given;
    size_t item;                    /* the item being decided */
};

/* The place of the next reason, NULL when there is no room: item reasons
 * stop short of the room kept for the case-wide ones. */
static struct reason *next_reason(struct decide *x, bool case_wide)
{
    struct decision *d = x->d;
    size_t room = case_wide ? POLICY_REASONS_MAX : POLICY_REASONS_MAX - CASE_REASONS;
    return d->n_reasons < room ? &d->reasons[d->n_reasons++] : NULL;
}

/* Adds a reason (a code of reasons.def and its arguments); in a case of
 * several items, an item's reason names the item. */
#define SAY(case_wide, ...)                                                                \
    do {                                                                                   \
        struct reason *say_ = next_reason(x, (case_wide));                                 \
        if (say_) {                                                                        \
            reason_set(say_, __VA_ARGS__);                                                 \
            if (!(case_wide) && x->c->n_items > 1) say_->item = (int)x->item + 1;          \
        }                                                                                  \
    } while (0)
#define ITEM_SAYS(...) SAY(false, __VA_ARGS__)
#define CASE_SAYS(...) SAY(true, __VA_ARGS__)

static enum reason_code referral_phrase(enum policy_referral r)
{
    switch (r) {
    case POLICY_REFER_NOT_IN_RANGE: return PHRASE_REFER_NOT_IN_RANGE;
    case POLICY_REFER_CHEAPER_ELSEWHERE: return PHRASE_REFER_CHEAPER_ELSEWHERE;
    case POLICY_REFER_OUT_OF_STOCK: return PHRASE_REFER_OUT_OF_STOCK;
    default: return PHRASE_REFER_OTHER;
    }
}

static void repair(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    r->amount_cents = 0;
    if (!it->sold_here && !it->brand_carried) {
        r->resolution = POLICY_RES_REPAIR_MANUFACTURER;
        bool brand = it->brand && *it->brand;
        ITEM_SAYS(REASON_REPAIR_MANUFACTURER, brand ? PHRASE_BRAND : PHRASE_NOTHING, brand ? it->brand : "");
    } else if (!it->sold_here) {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        ITEM_SAYS(REASON_REPAIR_BRAND_CARRIED);
    } else if (it->days_since_purchase >= 0 && it->days_since_purchase <= x->p->warranty_days) {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        ITEM_SAYS(REASON_REPAIR_WARRANTY, it->days_since_purchase, x->p->warranty_days);
    } else {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        ITEM_SAYS(REASON_REPAIR_QUOTE);
    }
}

/* How an item of ours is proven: the receipt the customer has, the line
 * found through their loyalty card, a gift receipt; or nothing. */
enum proof { PROOF_NONE, PROOF_RECEIPT, PROOF_CARD, PROOF_GIFT };

static enum proof proof_of(const struct decide *x, const struct case_item *it)
{
    if (it->gift_receipt) return PROOF_GIFT;
    if (x->c->receipt) return PROOF_RECEIPT;
    return it->card_proof ? PROOF_CARD : PROOF_NONE;
}

static bool line_spent(const struct case_item *it)
{
    return it->line_quantity > 0 && it->line_returned >= it->line_quantity;
}

/* " (laatst op 2026-11-12 in Utrecht Centrum)": the last return of the
 * item's line, as far as it is known; the phrase takes the date and the
 * store as the two arguments after it. */
static enum reason_code last_return(const struct case_item *it)
{
    if (it->returned_on && it->returned_store) return PHRASE_WHERE_ON_AT;
    return it->returned_on ? PHRASE_WHERE_ON : PHRASE_NOTHING;
}

/* With proof, within the window: which reason says so. */
static enum reason_code proven_reason(enum proof proof, bool exchange, enum policy_resolution res)
{
    if (proof == PROOF_GIFT) return exchange ? REASON_GIFT_EXCHANGE : REASON_GIFT_CREDIT;
    if (proof == PROOF_CARD)
        return exchange ? REASON_CARD_EXCHANGE : res == POLICY_RES_REFUND ? REASON_CARD_REFUND : REASON_CARD_CREDIT;
    return exchange ? REASON_RECEIPT_EXCHANGE : REASON_RECEIPT_REFUND;
}

/* Our goods coming back. With proof (receipt, loyalty card, gift receipt)
 * within its window: the price paid — refund or exchange with the receipt,
 * store credit through the card (the desk holds no payment data; the
 * policy may refund) and for a gift's bearer. A defective item with proof
 * after the window is repaired; otherwise store credit (or exchange) at the
 * lowest recent selling price. A receipt line that came back in full before
 * proves nothing more: declined, or a manager decides (a line without a
 * receipt — found through the card — that came back is no proof at all). */
static void return_ours(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    bool exchange = x->c->kind == POLICY_KIND_EXCHANGE;
    int days = it->days_since_purchase;
    enum proof proof = proof_of(x, it);
    bool to_manager = false;

    if (line_spent(it) && (proof == PROOF_CARD || proof == PROOF_NONE)) {
        ITEM_SAYS(REASON_ALREADY_BACK, last_return(it), it->returned_on, it->returned_store);
        proof = PROOF_NONE;
    } else if (line_spent(it) && proof != PROOF_NONE) {
        r->beyond_quantity = true;
        if (!p->beyond_to_manager) {
            r->resolution = POLICY_RES_DECLINE;
            ITEM_SAYS(REASON_LINE_SPENT_DECLINE, it->line_returned, it->line_quantity, last_return(it), it->returned_on,
                      it->returned_store);
            return;
        }
        ITEM_SAYS(REASON_LINE_SPENT_MANAGER, it->line_returned, it->line_quantity, last_return(it), it->returned_on,
                  it->returned_store);
        proof = PROOF_NONE;
        to_manager = true;
    }
    if (proof == PROOF_GIFT && !p->gift_allowed) {
        r->resolution = POLICY_RES_DECLINE;
        ITEM_SAYS(REASON_GIFT_NOT_ALLOWED);
        return;
    }
    int window = proof == PROOF_GIFT ? p->gift_window_days : p->return_window_days;
    bool in_window = proof != PROOF_NONE && days >= 0 && days <= window;

    if (in_window) {
        r->proven = true;
        r->amount_cents = it->price_paid_cents > 0 ? it->price_paid_cents : it->lowest_recent_cents;
        if (exchange) r->resolution = POLICY_RES_EXCHANGE;
        else if (proof == PROOF_RECEIPT || (proof == PROOF_CARD && p->card_refund)) r->resolution = POLICY_RES_REFUND;
        else r->resolution = POLICY_RES_STORE_CREDIT;
        ITEM_SAYS(proven_reason(proof, exchange, r->resolution), window, r->amount_cents);
    } else if (proof != PROOF_NONE && it->condition == POLICY_COND_DEFECTIVE) {
        repair(x, it, r);
        return;
    } else if (proof == PROOF_NONE && !to_manager && !p->no_receipt_allowed) {
        r->resolution = POLICY_RES_DECLINE;
        ITEM_SAYS(REASON_NO_RECEIPT_DECLINE);
        return;
    } else {
        r->resolution = exchange ? POLICY_RES_EXCHANGE : POLICY_RES_STORE_CREDIT;
        int64_t price = it->lowest_recent_cents;
        if (it->price_paid_cents > 0 && (price == 0 || it->price_paid_cents < price)) price = it->price_paid_cents;
        r->amount_cents = price;
        r->needs_approval = to_manager;
        enum reason_code why = proof == PROOF_GIFT ? PHRASE_WHY_GIFT_LATE
                             : proof != PROOF_NONE ? PHRASE_WHY_LATE
                             : to_manager          ? PHRASE_WHY_NO_USABLE_PROOF
                                                   : PHRASE_WHY_NO_RECEIPT;
        if (price == 0) {
            r->needs_approval = true;
            ITEM_SAYS(REASON_NO_PRICE, why);
        } else {
            ITEM_SAYS(exchange ? REASON_LOWEST_EXCHANGE : REASON_LOWEST_CREDIT, why, price);
            if (price > p->no_receipt_limit_cents && !to_manager) {
                r->needs_approval = true;
                ITEM_SAYS(REASON_NO_RECEIPT_ABOVE, p->no_receipt_limit_cents);
            }
        }
    }
    if (it->condition == POLICY_COND_WORN && days >= 0 && days <= p->worn_soon_days && r->amount_cents > p->worn_limit_cents) {
        r->needs_approval = true;
        ITEM_SAYS(REASON_WORN_SOON, days, p->worn_limit_cents);
    }
}

/* Goods we never sold: store credit at the price the customer names, within
 * what is left of the tier's goodwill limit in this case. */
static void goodwill(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    int64_t limit = p->goodwill_limit_cents[x->tier];
    if (!p->not_sold_here_allowed || limit == 0) {
        r->resolution = POLICY_RES_DECLINE;
        ITEM_SAYS(!p->not_sold_here_allowed ? REASON_NOT_SOLD_HERE_REFUSED : REASON_GOODWILL_CARD_ONLY);
        return;
    }
    r->resolution = POLICY_RES_STORE_CREDIT;
    r->amount_cents = it->stated_price_cents;
    if (it->stated_price_cents == 0) {
        ITEM_SAYS(REASON_GOODWILL_ASK_PRICE, limit);
    } else if (it->stated_price_cents <= x->goodwill_left) {
        x->goodwill_left -= it->stated_price_cents;
        ITEM_SAYS(REASON_GOODWILL_WITHIN, policy_tier_name(x->tier), it->stated_price_cents, limit);
    } else {
        r->needs_approval = true;
        ITEM_SAYS(REASON_GOODWILL_BEYOND, it->stated_price_cents, x->goodwill_left);
        x->goodwill_left = 0;
    }
}

static void price_adjustment(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    int days = it->days_since_purchase;
    r->resolution = POLICY_RES_DECLINE;
    if (!it->sold_here) {
        ITEM_SAYS(REASON_PRICE_NOT_OURS);
    } else if (proof_of(x, it) == PROOF_NONE || proof_of(x, it) == PROOF_GIFT || it->price_paid_cents == 0) {
        ITEM_SAYS(REASON_PRICE_NO_RECEIPT);
    } else if (line_spent(it)) {
        ITEM_SAYS(REASON_PRICE_ALREADY_BACK);
    } else if (days < 0 || days > p->price_adjustment_days) {
        ITEM_SAYS(REASON_PRICE_OUT_OF_WINDOW, p->price_adjustment_days);
    } else if (it->lowest_recent_cents <= 0 || it->lowest_recent_cents >= it->price_paid_cents) {
        ITEM_SAYS(REASON_PRICE_NOT_LOWERED);
    } else {
        r->resolution = POLICY_RES_REFUND;
        r->amount_cents = it->price_paid_cents - it->lowest_recent_cents;
        ITEM_SAYS(REASON_PRICE_REFUND, p->price_adjustment_days, r->amount_cents);
    }
}

static void complaint_gesture(struct decide *x, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    if (x->gesture_given) {                 /* one gesture per case */
        r->resolution = POLICY_RES_STORE_CREDIT;
        return;
    }
    x->gesture_given = true;
    if (p->complaint_gesture_cents == 0) {
        r->resolution = POLICY_RES_DECLINE;
        ITEM_SAYS(REASON_COMPLAINT_NO_GESTURE);
    } else {
        r->resolution = POLICY_RES_STORE_CREDIT;
        r->amount_cents = p->complaint_gesture_cents;
        ITEM_SAYS(REASON_COMPLAINT_GESTURE, p->complaint_gesture_cents);
    }
}

/* The customer prefers another shop: decide the item as a return would be,
 * then record it as a referral that carries that refund. */
static void refer(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    enum reason_code why = referral_phrase(x->c->referral != POLICY_REFER_NONE ? x->c->referral : POLICY_REFER_OTHER);
    if (it->sold_here) {
        return_ours(x, it, r);
        if (r->resolution == POLICY_RES_REPAIR_IN_STORE) return;   /* a defective item of ours: repair is better */
        bool refund = r->resolution == POLICY_RES_REFUND;
        if (r->resolution == POLICY_RES_DECLINE || r->resolution == POLICY_RES_EXCHANGE) r->amount_cents = 0;
        r->resolution = POLICY_RES_REFER_ELSEWHERE;
        if (r->amount_cents > 0) {
            ITEM_SAYS(REASON_REFER_WITH_AMOUNT, why, refund ? PHRASE_TO_ORIGINAL : PHRASE_TO_CREDIT);
            return;
        }
    }
    r->resolution = POLICY_RES_REFER_ELSEWHERE;
    r->amount_cents = 0;
    ITEM_SAYS(REASON_REFER_NOTHING, why);
}

static void decide_item(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    enum policy_kind kind = x->c->kind;
    if (kind == POLICY_KIND_REFERRAL || x->c->referral != POLICY_REFER_NONE) refer(x, it, r);
    else if (kind == POLICY_KIND_REPAIR) repair(x, it, r);
    else if (kind == POLICY_KIND_PRICE_ADJUSTMENT) price_adjustment(x, it, r);
    else if (kind == POLICY_KIND_COMPLAINT && it->condition != POLICY_COND_DEFECTIVE) complaint_gesture(x, r);
    else if (!it->sold_here && it->condition == POLICY_COND_DEFECTIVE) repair(x, it, r);
    else if (!it->sold_here) goodwill(x, it, r);
    else return_ours(x, it, r);
}

static bool in_range(long long v, long long lo, long long hi)
{
    return v >= lo && v <= hi;
}

static bool case_valid(const struct case_in *c, const struct customer_facts *f, const struct risk *risk)
{
    if (!in_range(c->kind, POLICY_KIND_RETURN, POLICY_KIND_REFERRAL) || !in_range(c->referral, POLICY_REFER_NONE, POLICY_REFER_OTHER) ||
        c->n_items < 1 || c->n_items > POLICY_ITEMS_MAX || !in_range(f->tier, POLICY_TIER_NONE, POLICY_TIER_PLATINUM))
        return false;
    if (risk && (!in_range(risk->level, GUARD_GREEN, GUARD_RED) || !in_range(risk->score, 0, 100))) return false;
    for (size_t i = 0; i < c->n_items; i++) {
        const struct case_item *it = &c->items[i];
        if (!in_range(it->condition, POLICY_COND_NEW, POLICY_COND_DEFECTIVE) || it->days_since_purchase < -1 ||
            !in_range(it->price_paid_cents, 0, ITEM_CENTS_MAX) || !in_range(it->lowest_recent_cents, 0, ITEM_CENTS_MAX) ||
            !in_range(it->stated_price_cents, 0, ITEM_CENTS_MAX) || it->line_quantity < 0 || it->line_returned < 0)
            return false;
    }
    return true;
}

int policy_decide(const struct policy *p, const struct case_in *c, const struct customer_facts *facts, const struct risk *risk,
                  struct decision *out)
{
    memset(out, 0, sizeof *out);
    if (!case_valid(c, facts, risk)) return TD_E_INVALID;

    struct decide dx = {.p = p, .c = c, .d = out};
    struct decide *x = &dx;
    x->tier = facts->walk_in ? POLICY_TIER_NONE : facts->tier;
    x->goodwill_left = p->goodwill_limit_cents[x->tier];
    if (p->store_version > 0) snprintf(out->policy_version, sizeof out->policy_version, "%d+store.%d", p->version, p->store_version);
    else snprintf(out->policy_version, sizeof out->policy_version, "%d", p->version);

    /* Items first; the case takes the resolution of its largest amount
     * (the first item on a tie) and the sum of the amounts. */
    size_t lead = 0;
    bool mixed = false;
    out->n_items = c->n_items;
    for (size_t i = 0; i < c->n_items; i++) {
        struct policy_item_result *r = &out->items[i];
        x->item = i;
        decide_item(x, &c->items[i], r);
        out->max_amount_cents += r->amount_cents;
        out->needs_approval |= r->needs_approval;
        if (r->amount_cents > out->items[lead].amount_cents) lead = i;
        if (r->resolution != out->items[0].resolution) mixed = true;
    }
    out->resolution = out->items[lead].resolution;

    if (mixed) CASE_SAYS(REASON_MIXED);
    /* The approval thresholds are for goodwill: a customer bringing back
     * our goods with proof, within the window, gets their own money back,
     * and that part of the case does not count unless the policy says so. */
    int64_t counted = 0;
    bool left_out = false;
    for (size_t i = 0; i < out->n_items; i++) {
        if (out->items[i].proven && !p->approval_counts_proven) left_out |= out->items[i].amount_cents > 0;
        else counted += out->items[i].amount_cents;
    }
    if (counted > p->approval_above_cents) {
        out->needs_approval = true;
        CASE_SAYS(left_out ? REASON_APPROVAL_BEYOND_PROOF : REASON_APPROVAL_TOTAL, p->approval_above_cents);
    }
    if (facts->walk_in && counted > p->walk_in_approval_above_cents) {
        out->needs_approval = true;
        CASE_SAYS(REASON_WALK_IN_APPROVAL, p->walk_in_approval_above_cents);
    }
    /* A walk-in has no history the guard could count: for a return of our
     * goods without proof above a small amount the desk asks for a phone
     * number, e-mail address or ID reference, kept only as a key for the
     * counts. A walk-in who prefers not to give one meets no more friction
     * than before: asking is no suspicion (the walk-in limits still apply). */
    int64_t unproven = 0;
    for (size_t i = 0; facts->walk_in && i < out->n_items; i++)
        if (c->items[i].sold_here && !out->items[i].proven && out->items[i].resolution != POLICY_RES_DECLINE)
            unproven += out->items[i].amount_cents;
    bool returns = c->kind == POLICY_KIND_RETURN || c->kind == POLICY_KIND_EXCHANGE || c->kind == POLICY_KIND_REFERRAL;
    if (returns && unproven > p->walk_in_contact_above_cents && !c->walk_in_contact) {
        out->ask_walk_in_contact = true;
        CASE_SAYS(REASON_WALK_IN_CONTACT, p->walk_in_contact_above_cents);
    }
    /* The guard asks for a second pair of eyes, in words that suit a
     * routine step; it never refuses and never names a suspicion. */
    if (risk && risk->level != GUARD_GREEN && out->max_amount_cents > 0) {
        out->needs_approval = true;
        CASE_SAYS(REASON_GUARD_MANAGER);
        if (risk->level == GUARD_RED) CASE_SAYS(REASON_GUARD_SCRIPT);
    }
    return TD_OK;
}
