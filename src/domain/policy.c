/* policy.c — the service policy document and the decision (see policy.h).
 *
 * One table, FIELDS, names every leaf of the document with its JSON path,
 * its place in struct policy, its type and its range. Parsing, refusing
 * unknown fields, reporting missing ones, merging a store override and
 * validating a policy built in C all walk that table, so a new setting is one
 * row plus the rule that uses it.
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
 */
#include "domain/policy.h"
#include "core/errors.h"
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define CENTS_MAX 100000000LL        /* EUR 1 million: larger is a typo in a policy */
#define ITEM_CENTS_MAX 1000000000LL  /* EUR 10 million: as the ledger's cap */
#define COUNT_MAX 1000
#define DAYS_MAX 3650

/* ---- the document ------------------------------------------------------ */

static const char DEFAULT_JSON[] =
    "{\n"
    "  \"version\": 1,\n"
    "  \"tiers\": {\n"
    "    \"none\":     {\"goodwill_limit_cents\": 0},\n"
    "    \"bronze\":   {\"goodwill_limit_cents\": 5000},\n"
    "    \"silver\":   {\"goodwill_limit_cents\": 10000},\n"
    "    \"gold\":     {\"goodwill_limit_cents\": 30000},\n"
    "    \"platinum\": {\"goodwill_limit_cents\": 60000}\n"
    "  },\n"
    "  \"receipt\": {\"return_window_days\": 30, \"card_refund\": false, \"beyond_quantity_to_manager\": false},\n"
    "  \"gift_receipt\": {\"allowed\": true, \"window_days\": 60},\n"
    "  \"no_receipt\": {\"allowed\": true, \"approval_above_cents\": 10000, \"lowest_price_days\": 90,\n"
    "                 \"walk_in_contact_above_cents\": 1000},\n"
    "  \"not_sold_here\": {\"allowed\": true},\n"
    "  \"worn\": {\"soon_days\": 14, \"approval_above_cents\": 5000},\n"
    "  \"repair\": {\"warranty_days\": 730},\n"
    "  \"price_adjustment\": {\"window_days\": 14},\n"
    "  \"complaint\": {\"gesture_cents\": 1000},\n"
    "  \"approval\": {\"above_cents\": 50000, \"walk_in_above_cents\": 10000, \"returns_with_proof\": false},\n"
    "  \"guard\": {\n"
    "    \"amber_at\": 40,\n"
    "    \"linked_accounts\": true,\n"
    "    \"red_at\": 70,\n"
    "    \"no_receipt_30d\": {\"free\": 1, \"points\": 20},\n"
    "    \"no_receipt_90d\": {\"free\": 3, \"points\": 5},\n"
    "    \"return_rate\": {\"min_returns\": 4, \"multiple\": 3, \"points\": 20},\n"
    "    \"not_sold_here_90d\": {\"free\": 2, \"points\": 10},\n"
    "    \"worn_soon_90d\": {\"free\": 1, \"points\": 20},\n"
    "    \"same_item_stores\": {\"at\": 2, \"points\": 30},\n"
    "    \"spree_30d\": {\"cases\": 4, \"stores\": 3, \"points\": 20},\n"
    "    \"spent_lines_90d\": {\"free\": 1, \"points\": 40},\n"
    "    \"quick_return\": {\"days\": 10, \"min_returns\": 3, \"share_percent\": 60, \"points\": 40},\n"
    "    \"style_cycles_90d\": {\"free\": 1, \"points\": 20}\n"
    "  }\n"
    "}\n";

const char *policy_default_json(void)
{
    return DEFAULT_JSON;
}

enum ftype { F_INT, F_I64, F_BOOL };

/* A field added after documents were first saved is optional: a chain
 * document without it (one saved before) takes dflt, so that every stored
 * version keeps loading. */
struct pfield {
    const char *path;
    enum ftype type;
    size_t off;
    long long min, max;
    bool optional;
    long long dflt;
};

#define P_INT(path, m, lo, hi) {path, F_INT, offsetof(struct policy, m), lo, hi, false, 0}
#define P_I64(path, m, lo, hi) {path, F_I64, offsetof(struct policy, m), lo, hi, false, 0}
#define P_BOOL(path, m) {path, F_BOOL, offsetof(struct policy, m), 0, 1, false, 0}
#define P_INT_OPT(path, m, lo, hi, d) {path, F_INT, offsetof(struct policy, m), lo, hi, true, d}
#define P_I64_OPT(path, m, lo, hi, d) {path, F_I64, offsetof(struct policy, m), lo, hi, true, d}
#define P_BOOL_OPT(path, m, d) {path, F_BOOL, offsetof(struct policy, m), 0, 1, true, d}

/* "version" is not here: the chain document's goes to version, an
 * override's to store_version (see walk()). */
static const struct pfield FIELDS[] = {
    P_I64("tiers.none.goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_NONE], 0, CENTS_MAX),
    P_I64("tiers.bronze.goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_BRONZE], 0, CENTS_MAX),
    P_I64("tiers.silver.goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_SILVER], 0, CENTS_MAX),
    P_I64("tiers.gold.goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_GOLD], 0, CENTS_MAX),
    P_I64("tiers.platinum.goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_PLATINUM], 0, CENTS_MAX),
    P_INT("receipt.return_window_days", return_window_days, 0, 365),
    P_BOOL_OPT("receipt.card_refund", card_refund, 0),
    P_BOOL_OPT("receipt.beyond_quantity_to_manager", beyond_to_manager, 0),
    P_BOOL_OPT("gift_receipt.allowed", gift_allowed, 1),
    P_INT_OPT("gift_receipt.window_days", gift_window_days, 0, 365, 60),
    P_BOOL("no_receipt.allowed", no_receipt_allowed),
    P_I64("no_receipt.approval_above_cents", no_receipt_limit_cents, 0, CENTS_MAX),
    P_INT("no_receipt.lowest_price_days", lowest_price_days, 1, 365),
    P_I64_OPT("no_receipt.walk_in_contact_above_cents", walk_in_contact_above_cents, 0, CENTS_MAX, 1000),
    P_BOOL("not_sold_here.allowed", not_sold_here_allowed),
    P_INT("worn.soon_days", worn_soon_days, 0, 365),
    P_I64("worn.approval_above_cents", worn_limit_cents, 0, CENTS_MAX),
    P_INT("repair.warranty_days", warranty_days, 0, DAYS_MAX),
    P_INT("price_adjustment.window_days", price_adjustment_days, 0, 365),
    P_I64("complaint.gesture_cents", complaint_gesture_cents, 0, CENTS_MAX),
    P_I64("approval.above_cents", approval_above_cents, 0, CENTS_MAX),
    P_I64("approval.walk_in_above_cents", walk_in_approval_above_cents, 0, CENTS_MAX),
    P_BOOL_OPT("approval.returns_with_proof", approval_counts_proven, 0),
    P_INT("guard.amber_at", guard.amber_at, 1, 100),
    P_BOOL_OPT("guard.linked_accounts", guard.linked_accounts, 1),
    P_INT("guard.red_at", guard.red_at, 1, 100),
    P_INT("guard.no_receipt_30d.free", guard.no_receipt_30d_free, 0, COUNT_MAX),
    P_INT("guard.no_receipt_30d.points", guard.no_receipt_30d_points, 0, 100),
    P_INT("guard.no_receipt_90d.free", guard.no_receipt_90d_free, 0, COUNT_MAX),
    P_INT("guard.no_receipt_90d.points", guard.no_receipt_90d_points, 0, 100),
    P_INT("guard.return_rate.min_returns", guard.return_rate_min_returns, 0, COUNT_MAX),
    P_INT("guard.return_rate.multiple", guard.return_rate_multiple, 1, 100),
    P_INT("guard.return_rate.points", guard.return_rate_points, 0, 100),
    P_INT("guard.not_sold_here_90d.free", guard.not_sold_here_90d_free, 0, COUNT_MAX),
    P_INT("guard.not_sold_here_90d.points", guard.not_sold_here_90d_points, 0, 100),
    P_INT("guard.worn_soon_90d.free", guard.worn_soon_90d_free, 0, COUNT_MAX),
    P_INT("guard.worn_soon_90d.points", guard.worn_soon_90d_points, 0, 100),
    P_INT("guard.same_item_stores.at", guard.same_item_stores_at, 0, COUNT_MAX),
    P_INT("guard.same_item_stores.points", guard.same_item_points, 0, 100),
    P_INT("guard.spree_30d.cases", guard.spree_30d_cases, 0, COUNT_MAX),
    P_INT("guard.spree_30d.stores", guard.spree_30d_stores, 0, COUNT_MAX),
    P_INT("guard.spree_30d.points", guard.spree_points, 0, 100),
    P_INT_OPT("guard.spent_lines_90d.free", guard.spent_lines_90d_free, 0, COUNT_MAX, 1),
    P_INT_OPT("guard.spent_lines_90d.points", guard.spent_lines_90d_points, 0, 100, 40),
    P_INT_OPT("guard.quick_return.days", guard.quick_days, 0, 365, 10),
    P_INT_OPT("guard.quick_return.min_returns", guard.quick_min_returns, 2, COUNT_MAX, 3),
    P_INT_OPT("guard.quick_return.share_percent", guard.quick_share_percent, 1, 100, 60),
    P_INT_OPT("guard.quick_return.points", guard.quick_points, 0, 100, 40),
    P_INT_OPT("guard.style_cycles_90d.free", guard.style_cycles_free, 0, COUNT_MAX, 1),
    P_INT_OPT("guard.style_cycles_90d.points", guard.style_cycles_points, 0, 100, 20),
};
#define NFIELDS (sizeof FIELDS / sizeof FIELDS[0])

static const char *const TIER_NAMES[POLICY_TIER_COUNT] = {"none", "bronze", "silver", "gold", "platinum"};

static int field_find(const char *path)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(FIELDS[i].path, path) == 0) return (int)i;
    return -1;
}

/* True when path (n bytes) is a whole prefix of a field's path. */
static int under(const char *field, const char *path, size_t n)
{
    return strncmp(field, path, n) == 0 && field[n] == '.';
}

static int is_branch(const char *path)
{
    size_t n = strlen(path);
    for (size_t i = 0; i < NFIELDS; i++)
        if (under(FIELDS[i].path, path, n)) return 1;
    return 0;
}

static long long field_get(const struct pfield *f, const struct policy *p)
{
    const char *at = (const char *)p + f->off;
    switch (f->type) {
    case F_INT: return *(const int *)(const void *)at;
    case F_I64: return *(const int64_t *)(const void *)at;
    case F_BOOL: return *(const bool *)(const void *)at;
    }
    return 0;
}

static void field_put(const struct pfield *f, struct policy *p, long long v)
{
    char *at = (char *)p + f->off;
    switch (f->type) {
    case F_INT: *(int *)(void *)at = (int)v; break;
    case F_I64: *(int64_t *)(void *)at = (int64_t)v; break;
    case F_BOOL: *(bool *)(void *)at = v != 0; break;
    }
}

/* The optional fields' defaults, before a chain document is read. */
static void put_defaults(struct policy *p)
{
    for (size_t i = 0; i < NFIELDS; i++)
        if (FIELDS[i].optional) field_put(&FIELDS[i], p, FIELDS[i].dflt);
}

static void range_problem(struct errors *err, const struct pfield *f)
{
    if (f->type == F_I64)
        errors_add(err, f->path, "must be between %lld and %lld cents", f->min, f->max);
    else
        errors_add(err, f->path, "must be between %lld and %lld", f->min, f->max);
}

static void field_set(const struct pfield *f, json_t *v, struct policy *p, struct errors *err)
{
    char *at = (char *)p + f->off;
    if (f->type == F_BOOL) {
        if (!json_is_boolean(v)) {
            errors_add(err, f->path, "must be true or false");
            return;
        }
        *(bool *)(void *)at = json_is_true(v);
        return;
    }
    if (!json_is_integer(v)) {
        errors_add(err, f->path, "must be a whole number");
        return;
    }
    json_int_t n = json_integer_value(v);
    if (n < f->min || n > f->max) {
        range_problem(err, f);
        return;
    }
    if (f->type == F_INT) *(int *)(void *)at = (int)n;
    else *(int64_t *)(void *)at = (int64_t)n;
}

/* Marks every leaf at or under path as seen, so a branch of the wrong type
 * is reported once rather than again as missing leaves. */
static void mark_seen(const char *path, bool seen[NFIELDS])
{
    size_t n = strlen(path);
    for (size_t i = 0; i < NFIELDS; i++)
        if (strcmp(FIELDS[i].path, path) == 0 || under(FIELDS[i].path, path, n)) seen[i] = true;
}

/* Reads obj (at prefix, "" for the root) into p: known leaves are set,
 * known branches entered, anything else refused. At the root, "version"
 * goes to *version. */
static void walk(json_t *obj, const char *prefix, struct policy *p, bool seen[NFIELDS], int *version, bool *has_version,
                 struct errors *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        char path[160];
        int n = snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
        if (n < 0 || (size_t)n >= sizeof path || strchr(key, '.') || *key == '\0') {
            errors_add(err, path, "is not a known field");
            continue;
        }
        if (*prefix == '\0' && strcmp(key, "version") == 0) {
            *has_version = true;
            if (!json_is_integer(v)) errors_add(err, "version", "must be a whole number");
            else if (json_integer_value(v) < 1 || json_integer_value(v) > 1000000000) errors_add(err, "version", "must be between 1 and 1000000000");
            else *version = (int)json_integer_value(v);
            continue;
        }
        int i = field_find(path);
        if (i >= 0) {
            seen[i] = true;
            field_set(&FIELDS[i], v, p, err);
        } else if (is_branch(path)) {
            if (!json_is_object(v)) {
                mark_seen(path, seen);
                errors_add(err, path, "must be an object");
            } else {
                walk(v, path, p, seen, version, has_version, err);
            }
        } else {
            errors_add(err, path, "is not a known field");
        }
    }
}

/* The value at the first n bytes of a dotted path, or NULL. */
static json_t *lookup(json_t *root, const char *path, size_t n)
{
    json_t *v = root;
    size_t start = 0;
    for (size_t i = 0; i <= n && v; i++) {
        if (i < n && path[i] != '.') continue;
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)(i - start), path + start);
        v = json_is_object(v) ? json_object_get(v, key) : NULL;
        start = i + 1;
    }
    return v;
}

/* Reports each missing part of a full document once, by its highest
 * absent path: a missing "guard" is one problem, not twenty; a missing
 * leaf in a present object is named in full. */
static void report_missing(json_t *root, const bool seen[NFIELDS], struct errors *err)
{
    char last[160] = "";
    for (size_t i = 0; i < NFIELDS; i++) {
        if (seen[i] || FIELDS[i].optional) continue;
        const char *path = FIELDS[i].path;
        for (size_t n = 1;; n++) {
            if (path[n] != '.' && path[n] != '\0') continue;
            if (!lookup(root, path, n) || path[n] == '\0') {
                char top[160];
                snprintf(top, sizeof top, "%.*s", (int)n, path);
                if (strcmp(top, last) != 0) errors_add(err, top, "is required");
                snprintf(last, sizeof last, "%s", top);
                break;
            }
        }
    }
}

static int load(const char *json, size_t len, struct errors *err, json_t **root /* OUT */)
{
    *root = NULL;
    if (len > POLICY_DOC_MAX) {
        errors_add(err, NULL, "the policy document is longer than %d bytes", POLICY_DOC_MAX);
        return TD_E_INVALID;
    }
    json_error_t jerr;
    json_t *doc = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!doc) {
        errors_add(err, NULL, "is not valid JSON (line %d, column %d): %s", jerr.line, jerr.column, jerr.text);
        return TD_E_INVALID;
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        errors_add(err, NULL, "the policy document must be a JSON object");
        return TD_E_INVALID;
    }
    *root = doc;
    return TD_OK;
}

int policy_validate(const struct policy *p, struct errors *err)
{
    size_t before = err->n + err->dropped;
    if (p->version < 1) errors_add(err, "version", "must be between 1 and 1000000000");
    if (p->store_version < 0) errors_add(err, "version", "of the store override must be positive");
    for (size_t i = 0; i < NFIELDS; i++) {
        long long v = field_get(&FIELDS[i], p);
        if (v < FIELDS[i].min || v > FIELDS[i].max) range_problem(err, &FIELDS[i]);
    }
    if (p->guard.amber_at >= p->guard.red_at)
        errors_add(err, "guard.amber_at", "must be below guard.red_at (%d)", p->guard.red_at);
    for (int t = POLICY_TIER_BRONZE; t < POLICY_TIER_COUNT; t++) {
        if (p->goodwill_limit_cents[t] < p->goodwill_limit_cents[t - 1]) {
            char path[64];
            snprintf(path, sizeof path, "tiers.%s.goodwill_limit_cents", TIER_NAMES[t]);
            errors_add(err, path, "must not be below the %s tier's limit (%lld cents)", TIER_NAMES[t - 1],
                       (long long)p->goodwill_limit_cents[t - 1]);
        }
    }
    return err->n + err->dropped == before ? TD_OK : TD_E_INVALID;
}

int policy_parse(const char *json, size_t len, struct errors *err, struct policy *out)
{
    int rc = TD_OK;
    json_t *root = NULL;
    struct policy p;
    bool seen[NFIELDS] = {false};
    bool has_version = false;
    size_t before = err->n + err->dropped;

    memset(&p, 0, sizeof p);
    put_defaults(&p);
    if ((rc = load(json, len, err, &root)) != TD_OK) goto out;
    walk(root, "", &p, seen, &p.version, &has_version, err);
    if (!has_version) errors_add(err, "version", "is required");
    report_missing(root, seen, err);
    if (err->n + err->dropped != before) {
        rc = TD_E_INVALID;
        goto out;
    }
    if ((rc = policy_validate(&p, err)) != TD_OK) goto out;
    *out = p;
out:
    json_decref(root);
    return rc;
}

int policy_apply_override(const struct policy *base, const char *json, size_t len, struct errors *err,
                          struct policy *out)
{
    int rc = TD_OK;
    json_t *root = NULL;
    struct policy p = *base;
    bool seen[NFIELDS] = {false};
    bool has_version = false;
    size_t before = err->n + err->dropped;

    if ((rc = load(json, len, err, &root)) != TD_OK) goto out;
    walk(root, "", &p, seen, &p.store_version, &has_version, err);
    if (!has_version) errors_add(err, "version", "is required");
    if (err->n + err->dropped != before) {
        rc = TD_E_INVALID;
        goto out;
    }
    if ((rc = policy_validate(&p, err)) != TD_OK) goto out;
    *out = p;
out:
    json_decref(root);
    return rc;
}

/* ---- names ------------------------------------------------------------- */

const char *policy_resolution_name(enum policy_resolution r)
{
    switch (r) {
    case POLICY_RES_REFUND: return "refund";
    case POLICY_RES_STORE_CREDIT: return "store_credit";
    case POLICY_RES_EXCHANGE: return "exchange";
    case POLICY_RES_REPAIR_MANUFACTURER: return "repair_manufacturer";
    case POLICY_RES_REPAIR_IN_STORE: return "repair_in_store";
    case POLICY_RES_REFER_ELSEWHERE: return "refer_elsewhere";
    case POLICY_RES_DECLINE: return "decline";
    }
    return NULL;
}

const char *policy_tier_name(enum policy_tier t)
{
    return t >= POLICY_TIER_NONE && t < POLICY_TIER_COUNT ? TIER_NAMES[t] : NULL;
}

const char *policy_referral_name(enum policy_referral r)
{
    switch (r) {
    case POLICY_REFER_NONE: return "none";
    case POLICY_REFER_NOT_IN_RANGE: return "not_in_range";
    case POLICY_REFER_CHEAPER_ELSEWHERE: return "cheaper_elsewhere";
    case POLICY_REFER_OUT_OF_STOCK: return "out_of_stock";
    case POLICY_REFER_OTHER: return "other";
    }
    return NULL;
}

const char *policy_condition_name(enum policy_condition c)
{
    switch (c) {
    case POLICY_COND_NEW: return "new";
    case POLICY_COND_USED: return "used";
    case POLICY_COND_WORN: return "worn";
    case POLICY_COND_DEFECTIVE: return "defective";
    }
    return NULL;
}

const char *policy_kind_name(enum policy_kind k)
{
    switch (k) {
    case POLICY_KIND_RETURN: return "return";
    case POLICY_KIND_EXCHANGE: return "exchange";
    case POLICY_KIND_REPAIR: return "repair";
    case POLICY_KIND_COMPLAINT: return "complaint";
    case POLICY_KIND_PRICE_ADJUSTMENT: return "price_adjustment";
    case POLICY_KIND_REFERRAL: return "referral";
    }
    return NULL;
}

/* ---- the decision ------------------------------------------------------ */

/* Room kept after the items' reasons for the case-wide ones: the total,
 * the walk-in limit, the walk-in's contact, mixed resolutions and the guard
 * (two at red). */
#define CASE_REASONS 6

struct money {
    char nl[48], en[48];
};

/* "€ 1.240,50" and "€1,240.50". */
static struct money eur(int64_t cents)
{
    struct money m;
    long long whole = (long long)(cents / 100), frac = (long long)(cents % 100);
    char digits[24], nl[32], en[32];
    int len = snprintf(digits, sizeof digits, "%lld", whole);
    size_t n = len > 0 ? (size_t)len : 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0) {
            nl[o] = '.';
            en[o] = ',';
            o++;
        }
        nl[o] = en[o] = digits[i];
        o++;
    }
    nl[o] = en[o] = '\0';
    snprintf(m.nl, sizeof m.nl, "€ %s,%02lld", nl, frac);
    snprintf(m.en, sizeof m.en, "€%s.%02lld", en, frac);
    return m;
}

struct decide {
    const struct policy *p;
    const struct case_in *c;
    struct decision *d;
    enum policy_tier tier;
    int64_t goodwill_left;          /* of the tier's limit, across the case's items */
    bool gesture_given;
    size_t item;                    /* the item being decided */
    char nl[REASON_TEXT_SZ - 24];   /* the sentence being written; room for "Artikel 16: " */
    char en[REASON_TEXT_SZ - 24];
};

/* Adds x->nl / x->en as a reason. Item reasons stop short of the room kept
 * for the case-wide ones; in a case of several items they name the item. */
static void say(struct decide *x, bool case_wide)
{
    struct decision *d = x->d;
    size_t room = case_wide ? POLICY_REASONS_MAX : POLICY_REASONS_MAX - CASE_REASONS;
    if (d->n_reasons >= room) return;
    struct reason *r = &d->reasons[d->n_reasons++];
    if (!case_wide && x->c->n_items > 1) {
        snprintf(r->nl, sizeof r->nl, "Artikel %d: %s", (int)(x->item + 1) % 100, x->nl);
        snprintf(r->en, sizeof r->en, "Item %d: %s", (int)(x->item + 1) % 100, x->en);
    } else {
        snprintf(r->nl, sizeof r->nl, "%s", x->nl);
        snprintf(r->en, sizeof r->en, "%s", x->en);
    }
}

#define NL(...) snprintf(x->nl, sizeof x->nl, __VA_ARGS__)
#define EN(...) snprintf(x->en, sizeof x->en, __VA_ARGS__)

static const char *referral_nl(enum policy_referral r)
{
    switch (r) {
    case POLICY_REFER_NOT_IN_RANGE: return "niet in ons assortiment";
    case POLICY_REFER_CHEAPER_ELSEWHERE: return "elders goedkoper";
    case POLICY_REFER_OUT_OF_STOCK: return "niet op voorraad";
    default: return "andere reden";
    }
}

static const char *referral_en(enum policy_referral r)
{
    switch (r) {
    case POLICY_REFER_NOT_IN_RANGE: return "not in our range";
    case POLICY_REFER_CHEAPER_ELSEWHERE: return "cheaper elsewhere";
    case POLICY_REFER_OUT_OF_STOCK: return "out of stock";
    default: return "another reason";
    }
}

static void repair(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    r->amount_cents = 0;
    if (!it->sold_here && !it->brand_carried) {
        r->resolution = POLICY_RES_REPAIR_MANUFACTURER;
        const char *brand = it->brand && *it->brand ? it->brand : NULL;
        NL("Neem het product in en stuur het namens de klant ter reparatie naar de fabrikant%s%s%s; houd de klant op de hoogte.",
           brand ? " (" : "", brand ? brand : "", brand ? ")" : "");
        EN("Take the product in and send it to the manufacturer%s%s%s for repair on the customer's behalf; keep the customer informed.",
           brand ? " (" : "", brand ? brand : "", brand ? ")" : "");
    } else if (!it->sold_here) {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        NL("Wij voeren dit merk: laat het product via de winkel repareren.");
        EN("We carry this brand: have the product repaired through the store.");
    } else if (it->days_since_purchase >= 0 && it->days_since_purchase <= x->p->warranty_days) {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        NL("Gekocht %d dagen geleden, binnen de garantie van %d dagen: kosteloze reparatie via de winkel.",
           it->days_since_purchase, x->p->warranty_days);
        EN("Bought %d days ago, within the %d-day warranty: free repair through the store.", it->days_since_purchase,
           x->p->warranty_days);
    } else {
        r->resolution = POLICY_RES_REPAIR_IN_STORE;
        NL("Reparatie via de winkel; buiten de garantietermijn krijgt de klant eerst een prijsopgave.");
        EN("Repair through the store; outside the warranty period the customer gets a quote first.");
    }
    say(x, false);
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
 * item's line, as far as it is known; "" when nothing is. */
struct where { char nl[112], en[112]; };

static struct where last_return(const struct case_item *it)
{
    struct where w = {"", ""};
    if (it->returned_on && it->returned_store) {
        snprintf(w.nl, sizeof w.nl, " (laatst op %s in %s)", it->returned_on, it->returned_store);
        snprintf(w.en, sizeof w.en, " (last on %s at %s)", it->returned_on, it->returned_store);
    } else if (it->returned_on) {
        snprintf(w.nl, sizeof w.nl, " (laatst op %s)", it->returned_on);
        snprintf(w.en, sizeof w.en, " (last on %s)", it->returned_on);
    }
    return w;
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
        struct where w = last_return(it);
        NL("Deze aankoop is al teruggebracht%s; het artikel geldt als retour zonder kassabon.", w.nl);
        EN("This purchase has already come back%s; the item counts as a return without a receipt.", w.en);
        say(x, false);
        proof = PROOF_NONE;
    } else if (line_spent(it) && proof != PROOF_NONE) {
        struct where w = last_return(it);
        r->beyond_quantity = true;
        if (!p->beyond_to_manager) {
            r->resolution = POLICY_RES_DECLINE;
            NL("Deze kassabonregel is al teruggebracht: %d van %d gekocht%s. Meer dan gekocht nemen wij niet terug; leg dat"
               " vriendelijk uit.", it->line_returned, it->line_quantity, w.nl);
            EN("This receipt line has already come back: %d of %d bought%s. We take back no more than was bought; explain"
               " this kindly.", it->line_returned, it->line_quantity, w.en);
            say(x, false);
            return;
        }
        NL("Deze kassabonregel is al teruggebracht: %d van %d gekocht%s. Een manager beslist of het artikel toch terug kan.",
           it->line_returned, it->line_quantity, w.nl);
        EN("This receipt line has already come back: %d of %d bought%s. A manager decides whether the item can still come"
           " back.", it->line_returned, it->line_quantity, w.en);
        say(x, false);
        proof = PROOF_NONE;
        to_manager = true;
    }
    if (proof == PROOF_GIFT && !p->gift_allowed) {
        r->resolution = POLICY_RES_DECLINE;
        NL("Artikelen met een cadeaubon neemt het beleid van deze winkel niet terug; leg dat vriendelijk uit.");
        EN("This store's policy does not take back goods on a gift receipt; explain this kindly.");
        say(x, false);
        return;
    }
    int window = proof == PROOF_GIFT ? p->gift_window_days : p->return_window_days;
    bool in_window = proof != PROOF_NONE && days >= 0 && days <= window;

    if (in_window) {
        r->proven = true;
        r->amount_cents = it->price_paid_cents > 0 ? it->price_paid_cents : it->lowest_recent_cents;
        struct money m = eur(r->amount_cents);
        if (exchange) r->resolution = POLICY_RES_EXCHANGE;
        else if (proof == PROOF_RECEIPT || (proof == PROOF_CARD && p->card_refund)) r->resolution = POLICY_RES_REFUND;
        else r->resolution = POLICY_RES_STORE_CREDIT;
        if (proof == PROOF_GIFT) {
            if (exchange) {
                NL("Met cadeaubon, binnen %d dagen na aankoop: ruilen voor artikelen tot %s.", window, m.nl);
                EN("With a gift receipt, within %d days of purchase: exchange for goods up to %s.", window, m.en);
            } else {
                NL("Met cadeaubon, binnen %d dagen na aankoop: tegoedbon voor de betaalde prijs, %s.", window, m.nl);
                EN("With a gift receipt, within %d days of purchase: store credit for the price paid, %s.", window, m.en);
            }
        } else if (proof == PROOF_CARD) {
            if (exchange) {
                NL("Aankoop gevonden via de klantenpas, binnen de retourtermijn van %d dagen: ruilen voor artikelen tot %s.", window,
                   m.nl);
                EN("Purchase found through the loyalty card, within the %d-day return window: exchange for goods up to %s.",
                   window, m.en);
            } else if (r->resolution == POLICY_RES_REFUND) {
                NL("Aankoop gevonden via de klantenpas, binnen de retourtermijn van %d dagen: %s terugbetalen via de"
                   " oorspronkelijke betaalwijze.", window, m.nl);
                EN("Purchase found through the loyalty card, within the %d-day return window: refund %s to the original"
                   " payment method.", window, m.en);
            } else {
                NL("Aankoop gevonden via de klantenpas, binnen de retourtermijn van %d dagen: tegoedbon voor de betaalde prijs, %s.",
                   window, m.nl);
                EN("Purchase found through the loyalty card, within the %d-day return window: store credit for the price paid,"
                   " %s.", window, m.en);
            }
        } else if (exchange) {
            NL("Met kassabon binnen de retourtermijn van %d dagen: ruilen voor artikelen tot %s.", window, m.nl);
            EN("With a receipt within the %d-day return window: exchange for goods up to %s.", window, m.en);
        } else {
            NL("Met kassabon binnen de retourtermijn van %d dagen: %s terugbetalen via de oorspronkelijke betaalwijze.", window,
               m.nl);
            EN("With a receipt within the %d-day return window: refund %s to the original payment method.", window, m.en);
        }
        say(x, false);
    } else if (proof != PROOF_NONE && it->condition == POLICY_COND_DEFECTIVE) {
        repair(x, it, r);
        return;
    } else if (proof == PROOF_NONE && !to_manager && !p->no_receipt_allowed) {
        r->resolution = POLICY_RES_DECLINE;
        NL("Zonder kassabon neemt het beleid dit artikel niet terug; zoek samen de aankoop op, bijvoorbeeld via de klantenpas.");
        EN("Without a receipt the policy does not take this item back; look up the purchase together, for example through the loyalty card.");
        say(x, false);
        return;
    } else {
        r->resolution = exchange ? POLICY_RES_EXCHANGE : POLICY_RES_STORE_CREDIT;
        int64_t price = it->lowest_recent_cents;
        if (it->price_paid_cents > 0 && (price == 0 || it->price_paid_cents < price)) price = it->price_paid_cents;
        r->amount_cents = price;
        r->needs_approval = to_manager;
        const char *why_nl = proof == PROOF_GIFT ? "Na de termijn voor cadeaubonnen"
                           : proof != PROOF_NONE ? "Na de retourtermijn"
                           : to_manager          ? "Zonder bruikbaar bewijs van aankoop"
                                                 : "Zonder kassabon";
        const char *why_en = proof == PROOF_GIFT ? "After the gift-receipt period"
                           : proof != PROOF_NONE ? "After the return window"
                           : to_manager          ? "Without usable proof of purchase"
                                                 : "Without a receipt";
        if (price == 0) {
            r->needs_approval = true;
            NL("%s en zonder bekende recente verkoopprijs: een manager stelt het bedrag vast.", why_nl);
            EN("%s and with no known recent selling price: a manager sets the amount.", why_en);
            say(x, false);
        } else {
            struct money m = eur(price);
            if (exchange) {
                NL("%s: ruilen voor artikelen tot de laagste recente verkoopprijs, %s.", why_nl, m.nl);
                EN("%s: exchange for goods up to the lowest recent selling price, %s.", why_en, m.en);
            } else {
                NL("%s: tegoedbon voor de laagste recente verkoopprijs, %s.", why_nl, m.nl);
                EN("%s: store credit at the lowest recent selling price, %s.", why_en, m.en);
            }
            say(x, false);
            if (price > p->no_receipt_limit_cents && !to_manager) {
                struct money lim = eur(p->no_receipt_limit_cents);
                r->needs_approval = true;
                NL("Boven %s tekent een manager mee.", lim.nl);
                EN("Above %s a manager signs off.", lim.en);
                say(x, false);
            }
        }
    }
    if (it->condition == POLICY_COND_WORN && days >= 0 && days <= p->worn_soon_days && r->amount_cents > p->worn_limit_cents) {
        struct money lim = eur(p->worn_limit_cents);
        r->needs_approval = true;
        NL("Gedragen artikel, %d dagen na aankoop teruggebracht: boven %s tekent een manager mee.", days, lim.nl);
        EN("Worn item returned %d days after purchase: above %s a manager signs off.", days, lim.en);
        say(x, false);
    }
}

/* Goods we never sold: store credit at the price the customer names, within
 * what is left of the tier's goodwill limit in this case. */
static void goodwill(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    const char *tier = TIER_NAMES[x->tier];
    if (!p->not_sold_here_allowed || p->goodwill_limit_cents[x->tier] == 0) {
        r->resolution = POLICY_RES_DECLINE;
        if (!p->not_sold_here_allowed) {
            NL("Artikelen die wij niet verkopen neemt het beleid van deze winkel niet terug; leg dat vriendelijk uit.");
            EN("This store's policy does not take back goods we do not sell; explain this kindly.");
        } else {
            NL("Voor artikelen die wij niet verkopen geven wij tegoed aan klanten met een klantenpas; nodig de klant uit zich aan te melden.");
            EN("For goods we do not sell we give store credit to loyalty-card customers; invite the customer to sign up.");
        }
        say(x, false);
        return;
    }
    r->resolution = POLICY_RES_STORE_CREDIT;
    r->amount_cents = it->stated_price_cents;
    struct money m = eur(it->stated_price_cents), lim = eur(p->goodwill_limit_cents[x->tier]);
    if (it->stated_price_cents == 0) {
        NL("Vraag de klant wat het artikel heeft gekost; dat bedrag wordt de tegoedbon (limiet %s).", lim.nl);
        EN("Ask the customer what the item cost; that amount becomes the store credit (limit %s).", lim.en);
    } else if (it->stated_price_cents <= x->goodwill_left) {
        x->goodwill_left -= it->stated_price_cents;
        NL("Klant met %s-niveau: tegoedbon voor het genoemde bedrag van %s, binnen de goodwill-limiet van %s.", tier, m.nl, lim.nl);
        EN("A %s-tier customer: store credit for the stated amount of %s, within the goodwill limit of %s.", tier, m.en, lim.en);
    } else {
        struct money left = eur(x->goodwill_left);
        x->goodwill_left = 0;
        r->needs_approval = true;
        NL("Tegoedbon voor het genoemde bedrag van %s; dat is meer dan de resterende goodwill-limiet van %s, dus een manager beslist mee.",
           m.nl, left.nl);
        EN("Store credit for the stated amount of %s; that is more than the remaining goodwill limit of %s, so a manager decides too.",
           m.en, left.en);
    }
    say(x, false);
}

static void price_adjustment(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    const struct policy *p = x->p;
    int days = it->days_since_purchase;
    r->resolution = POLICY_RES_DECLINE;
    if (!it->sold_here) {
        NL("Een prijsaanpassing geldt alleen voor artikelen die bij ons gekocht zijn.");
        EN("A price adjustment applies only to goods bought from us.");
    } else if (proof_of(x, it) == PROOF_NONE || proof_of(x, it) == PROOF_GIFT || it->price_paid_cents == 0) {
        NL("Zonder kassabon is de betaalde prijs niet bekend; zoek samen de aankoop op, bijvoorbeeld via de klantenpas.");
        EN("Without a receipt the price paid is not known; look up the purchase together, for example through the loyalty card.");
    } else if (line_spent(it)) {
        NL("Deze aankoop is al teruggebracht; een prijsaanpassing geldt alleen voor wat de klant nog heeft.");
        EN("This purchase has already come back; a price adjustment applies only to what the customer still has.");
    } else if (days < 0 || days > p->price_adjustment_days) {
        NL("De prijsaanpassing geldt tot %d dagen na aankoop; deze aankoop valt daarbuiten.", p->price_adjustment_days);
        EN("Price adjustments apply up to %d days after purchase; this purchase is outside that period.", p->price_adjustment_days);
    } else if (it->lowest_recent_cents <= 0 || it->lowest_recent_cents >= it->price_paid_cents) {
        NL("De prijs is sinds de aankoop niet verlaagd.");
        EN("The price has not been lowered since the purchase.");
    } else {
        r->resolution = POLICY_RES_REFUND;
        r->amount_cents = it->price_paid_cents - it->lowest_recent_cents;
        struct money m = eur(r->amount_cents);
        NL("De prijs is binnen %d dagen na aankoop verlaagd: %s verschil terugbetalen via de oorspronkelijke betaalwijze.",
           p->price_adjustment_days, m.nl);
        EN("The price was lowered within %d days of purchase: refund the %s difference to the original payment method.",
           p->price_adjustment_days, m.en);
    }
    say(x, false);
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
        NL("Luister, bied excuses aan en leg de klacht vast; het beleid voorziet niet in een vergoeding.");
        EN("Listen, apologise and record the complaint; the policy provides no compensation.");
    } else {
        struct money m = eur(p->complaint_gesture_cents);
        r->resolution = POLICY_RES_STORE_CREDIT;
        r->amount_cents = p->complaint_gesture_cents;
        NL("Bied excuses aan en geef als gebaar een tegoedbon van %s.", m.nl);
        EN("Apologise and offer store credit of %s as a gesture.", m.en);
    }
    say(x, false);
}

/* The customer prefers another shop: decide the item as a return would be,
 * then record it as a referral that carries that refund. */
static void refer(struct decide *x, const struct case_item *it, struct policy_item_result *r)
{
    enum policy_referral why = x->c->referral != POLICY_REFER_NONE ? x->c->referral : POLICY_REFER_OTHER;
    if (it->sold_here) {
        return_ours(x, it, r);
        if (r->resolution == POLICY_RES_REPAIR_IN_STORE) return;   /* a defective item of ours: repair is better */
        bool refund = r->resolution == POLICY_RES_REFUND;
        if (r->resolution == POLICY_RES_DECLINE || r->resolution == POLICY_RES_EXCHANGE) r->amount_cents = 0;
        r->resolution = POLICY_RES_REFER_ELSEWHERE;
        if (r->amount_cents > 0) {
            NL("De klant gaat liever elders (%s): noteer de doorverwijzing met de reden; het bedrag gaat %s.", referral_nl(why),
               refund ? "terug via de oorspronkelijke betaalwijze" : "op een tegoedbon");
            EN("The customer prefers another shop (%s): record the referral with its reason; the amount goes %s.",
               referral_en(why), refund ? "back to the original payment method" : "onto store credit");
            say(x, false);
            return;
        }
    }
    r->resolution = POLICY_RES_REFER_ELSEWHERE;
    r->amount_cents = 0;
    NL("De klant gaat liever elders (%s): noteer de doorverwijzing met de reden; er wordt niets terugbetaald.", referral_nl(why));
    EN("The customer prefers another shop (%s): record the referral with its reason; nothing is refunded.", referral_en(why));
    say(x, false);
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

    if (mixed) {
        NL("De artikelen krijgen verschillende oplossingen; zie de redenen per artikel.");
        EN("The items get different resolutions; see the reasons per item.");
        say(x, true);
    }
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
        struct money lim = eur(p->approval_above_cents);
        out->needs_approval = true;
        if (left_out) {
            NL("Het bedrag buiten de retouren met bewijs van aankoop ligt boven %s: een manager keurt goed.", lim.nl);
            EN("The amount beyond the returns with proof of purchase is above %s: a manager approves.", lim.en);
        } else {
            NL("Het totaal ligt boven %s: een manager keurt goed.", lim.nl);
            EN("The total is above %s: a manager approves.", lim.en);
        }
        say(x, true);
    }
    if (facts->walk_in && counted > p->walk_in_approval_above_cents) {
        struct money lim = eur(p->walk_in_approval_above_cents);
        out->needs_approval = true;
        NL("Voor klanten zonder klantenpas keurt een manager bedragen boven %s goed.", lim.nl);
        EN("For customers without a loyalty card a manager approves amounts above %s.", lim.en);
        say(x, true);
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
        struct money lim = eur(p->walk_in_contact_above_cents);
        out->ask_walk_in_contact = true;
        NL("Vraag een telefoonnummer, e-mail of ID-nummer (geen bon, boven %s); alleen als code bewaard om retouren te"
           " tellen. Liever niet? Dan gaat de retour gewoon door.", lim.nl);
        EN("Ask for a phone number, e-mail or ID reference (no receipt, above %s); kept only as a code to count returns."
           " If the customer prefers not to, the return goes ahead.", lim.en);
        say(x, true);
    }
    /* The guard asks for a second pair of eyes, in words that suit a
     * routine step; it never refuses and never names a suspicion. */
    if (risk && risk->level != GUARD_GREEN && out->max_amount_cents > 0) {
        out->needs_approval = true;
        NL("Vraag een manager om deze zaak mee af te ronden; dat is een gewone stap bij deze zaak.");
        EN("Ask a manager to help complete this case; it is a routine step for this case.");
        say(x, true);
        if (risk->level == GUARD_RED) {
            NL("Zeg tegen de klant: \"Ik vraag even mijn leidinggevende erbij om dit samen met u af te ronden.\"");
            EN("Say to the customer: \"I'll ask my manager to join us so we can complete this together.\"");
            say(x, true);
        }
    }
    return TD_OK;
}
