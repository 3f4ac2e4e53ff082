/* policy.h — the service policy as data, and the decision it makes.
 *
 * A policy is a versioned JSON document (docs/policy.md): the chain's default,
 * and per store an override document that replaces individual fields. Both
 * parse into one plain struct policy; policy_decide() is a pure function of
 * (policy, case, customer facts, guard result) that recommends a resolution
 * and explains it in reasons (codes with arguments, domain/reasons.h).
 *
 * Invariants:
 *  (1) a struct policy that policy_parse() or policy_apply_override() returns
 *      with TD_OK has passed policy_validate(): every number in range,
 *      amber_at < red_at, tier limits never fall as the tier rises;
 *  (2) a decision carries the version text of the policy that made it, and at
 *      least one reason: a code of reasons.def with its arguments, rendered
 *      in Dutch and English at the edge (reason_render);
 *  (3) no reason accuses the customer: the guard's level only asks for a
 *      manager, with a neutral script for the associate at red;
 *  (4) risk never declines a case by itself, and never adds approval to a
 *      case that moves no money (a repair, a referral without refund);
 *  (5) an item whose receipt line has already come back in full is never
 *      recommended money without a manager (declined, or sent to a manager
 *      when receipt.beyond_quantity_to_manager says so);
 *  (6) a walk-in's return of our goods without proof above
 *      no_receipt.walk_in_contact_above_cents asks for a contact
 *      (ask_walk_in_contact); not giving one adds no friction.
 *
 * Nothing here does I/O, reads a clock or keeps state: days since purchase,
 * lowest recent prices and the customer's aggregates come in as inputs.
 */
#ifndef TD_POLICY_H
#define TD_POLICY_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/enum_map.h"
#include "core/status.h"
#include "domain/guard.h"

struct errors;

#define POLICY_ITEMS_MAX 16
#define POLICY_REASONS_MAX 10
#define POLICY_VERSION_SZ 32
#define POLICY_DOC_MAX (64 * 1024)      /* longer documents are refused */

/* Each enum is a table (core/enum_map.h): X(IDENT, value, "API name"). The
 * maps below give the names, the parsers and the "must be one of" lists. */
#define POLICY_TIER_MAP(X)                                                                  \
    X(POLICY_TIER_NONE, 0, "none") X(POLICY_TIER_BRONZE, 1, "bronze") X(POLICY_TIER_SILVER, 2, "silver") \
    X(POLICY_TIER_GOLD, 3, "gold") X(POLICY_TIER_PLATINUM, 4, "platinum")
enum policy_tier { POLICY_TIER_MAP(ENUM_MAP_VALUE) POLICY_TIER_COUNT };

#define POLICY_KIND_MAP(X)                                                                  \
    X(POLICY_KIND_RETURN, 1, "return") X(POLICY_KIND_EXCHANGE, 2, "exchange") X(POLICY_KIND_REPAIR, 3, "repair") \
    X(POLICY_KIND_COMPLAINT, 4, "complaint") X(POLICY_KIND_PRICE_ADJUSTMENT, 5, "price_adjustment")         \
    X(POLICY_KIND_REFERRAL, 6, "referral")
enum policy_kind { POLICY_KIND_MAP(ENUM_MAP_VALUE) };

#define POLICY_CONDITION_MAP(X)                                                             \
    X(POLICY_COND_NEW, 1, "new") X(POLICY_COND_USED, 2, "used") X(POLICY_COND_WORN, 3, "worn")             \
    X(POLICY_COND_DEFECTIVE, 4, "defective")
enum policy_condition { POLICY_CONDITION_MAP(ENUM_MAP_VALUE) };

/* Why the customer prefers another shop; NONE when they do not (not in the
 * map: a request names a reason or leaves it out). */
#define POLICY_REFERRAL_MAP(X)                                                              \
    X(POLICY_REFER_NOT_IN_RANGE, 1, "not_in_range") X(POLICY_REFER_CHEAPER_ELSEWHERE, 2, "cheaper_elsewhere") \
    X(POLICY_REFER_OUT_OF_STOCK, 3, "out_of_stock") X(POLICY_REFER_OTHER, 4, "other")
enum policy_referral { POLICY_REFER_NONE = 0, POLICY_REFERRAL_MAP(ENUM_MAP_VALUE) };

#define POLICY_RESOLUTION_MAP(X)                                                            \
    X(POLICY_RES_REFUND, 1, "refund") X(POLICY_RES_STORE_CREDIT, 2, "store_credit")                         \
    X(POLICY_RES_EXCHANGE, 3, "exchange") X(POLICY_RES_REPAIR_MANUFACTURER, 4, "repair_manufacturer")       \
    X(POLICY_RES_REPAIR_IN_STORE, 5, "repair_in_store") X(POLICY_RES_REFER_ELSEWHERE, 6, "refer_elsewhere") \
    X(POLICY_RES_DECLINE, 7, "decline")
enum policy_resolution { POLICY_RESOLUTION_MAP(ENUM_MAP_VALUE) };

extern const struct enum_map policy_tier_map, policy_kind_map, policy_condition_map, policy_referral_map,
    policy_resolution_map;

struct policy {
    int version;                                    /* the chain document's, >= 1 */
    int store_version;                              /* the store override's, 0: none applied */
    int64_t goodwill_limit_cents[POLICY_TIER_COUNT];/* tiers.<tier>.goodwill_limit_cents */
    int return_window_days;                         /* receipt.return_window_days */
    bool card_refund;                               /* receipt.card_refund */
    bool beyond_to_manager;                         /* receipt.beyond_quantity_to_manager */
    bool gift_allowed;                              /* gift_receipt.allowed */
    int gift_window_days;                           /* gift_receipt.window_days */
    bool no_receipt_allowed;                        /* no_receipt.allowed */
    int64_t no_receipt_limit_cents;                 /* no_receipt.approval_above_cents */
    int lowest_price_days;                          /* no_receipt.lowest_price_days: for the loader */
    int64_t walk_in_contact_above_cents;            /* no_receipt.walk_in_contact_above_cents */
    bool not_sold_here_allowed;                     /* not_sold_here.allowed */
    int worn_soon_days;                             /* worn.soon_days */
    int64_t worn_limit_cents;                       /* worn.approval_above_cents */
    int warranty_days;                              /* repair.warranty_days */
    int price_adjustment_days;                      /* price_adjustment.window_days */
    int64_t complaint_gesture_cents;                /* complaint.gesture_cents */
    int64_t approval_above_cents;                   /* approval.above_cents */
    int64_t walk_in_approval_above_cents;           /* approval.walk_in_above_cents */
    bool approval_counts_proven;                    /* approval.returns_with_proof */
    struct guard_policy guard;                      /* guard.* */
};

/* One item of a case: one of our purchase lines, or a thing not sold here. */
struct case_item {
    bool sold_here;
    enum policy_condition condition;
    int days_since_purchase;                        /* -1: unknown */
    const char *category;                           /* may be NULL; not used by the rules yet */
    /* sold here (from the receipt or the POS line) */
    int64_t price_paid_cents;                       /* 0: unknown (no receipt) */
    int64_t lowest_recent_cents;                    /* lowest selling price in the last lowest_price_days */
    /* not sold here (as the customer tells it) */
    const char *brand, *description;                /* may be NULL */
    int64_t stated_price_cents;
    bool brand_carried;                             /* our chain sells this brand */
    /* How a purchase of ours is proven besides the case's receipt: the line
     * was found through the customer's loyalty card, or the item comes with
     * a gift receipt (brought by someone other than the buyer). */
    bool card_proof, gift_receipt;
    /* The purchase line's units and how many of them came back before this
     * item (in other cases, and earlier items of this one); line_quantity 0
     * when no line is counted. With the last of those returns: its date
     * ("2026-11-12") and store, NULL when not known. */
    int line_quantity, line_returned;
    const char *returned_on, *returned_store;
};

struct case_in {
    enum policy_kind kind;
    bool receipt;                                   /* the customer has the receipt */
    enum policy_referral referral;                  /* the customer prefers another shop */
    bool walk_in_contact;                           /* a walk-in gave a contact for the guard's counts */
    size_t n_items;                                 /* 1..POLICY_ITEMS_MAX */
    struct case_item items[POLICY_ITEMS_MAX];
};

/* Aggregates kept up to date on every purchase and case (never recomputed
 * from history). Only tier and walk_in steer the decision today; the rest
 * feeds the guard's signals and the reports. */
struct customer_facts {
    enum policy_tier tier;
    int64_t lifetime_spend_cents;
    int visits;
    int tenure_days;
    int cases_30d, cases_90d;
    int returns_30d, returns_90d;
    bool walk_in;                                   /* no customer record: tier NONE */
};

struct policy_item_result {
    enum policy_resolution resolution;
    int64_t amount_cents;
    bool needs_approval;
    bool proven;                                    /* our goods back with proof, in the window: the customer's own money */
    bool beyond_quantity;                           /* its receipt line has already come back in full */
};

struct decision {
    enum policy_resolution resolution;              /* of the item with the largest amount */
    int64_t max_amount_cents;                       /* sum over the items */
    bool needs_approval;
    bool ask_walk_in_contact;                       /* ask the walk-in for a phone, e-mail or ID reference */
    char policy_version[POLICY_VERSION_SZ];         /* "3", or "3+store.2" with an override */
    size_t n_reasons;                               /* 1..POLICY_REASONS_MAX */
    struct reason reasons[POLICY_REASONS_MAX];
    size_t n_items;
    struct policy_item_result items[POLICY_ITEMS_MAX];
};

/* The chain's default policy document (static text, valid JSON). */
const char *policy_default_json(void);

/* Parses and validates a chain policy document of len bytes. Every field is
 * required; unknown fields, wrong types and out-of-range numbers are refused
 * with TD_E_INVALID and one problem per bad field in err, named by its JSON
 * path ("tiers.gold.goodwill_limit_cents"). *out is complete only on TD_OK.
 * Allocates only inside the call (jansson), and frees it. */
int policy_parse(const char *json, size_t len, struct errors *err, struct policy *out /* OUT */) TD_MUST_CHECK;

/* A store override: a document with "version" and any subset of the chain
 * document's fields; each given field replaces the base's. The result
 * (base merged with the override) is validated as a whole. base and out may
 * be the same struct; it is written only on TD_OK. */
int policy_apply_override(const struct policy *base, const char *json, size_t len, struct errors *err,
                          struct policy *out /* OUT */) TD_MUST_CHECK;

/* Cross-field and range checks of a policy built in C; TD_E_INVALID with
 * the paths of the bad fields. */
int policy_validate(const struct policy *p, struct errors *err) TD_MUST_CHECK;

/* The recommendation for a case. risk may be NULL (not scored: as green).
 * TD_E_INVALID for a case the desk should not have built (no items, an
 * enum out of range, a negative amount); *out is then zeroed. Pure. */
int policy_decide(const struct policy *p, const struct case_in *c, const struct customer_facts *facts,
                  const struct risk *risk, struct decision *out /* OUT */) TD_MUST_CHECK;

/* API names ("store_credit", "gold", "cheaper_elsewhere", "worn", "return");
 * NULL for a value out of range ("none" for POLICY_REFER_NONE). Static
 * strings. Parsing goes through the maps (enum_map_value, enum_map_read). */
const char *policy_resolution_name(enum policy_resolution r);
const char *policy_tier_name(enum policy_tier t);
const char *policy_referral_name(enum policy_referral r);
const char *policy_condition_name(enum policy_condition c);
const char *policy_kind_name(enum policy_kind k);

#endif
