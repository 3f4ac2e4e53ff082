/* policy_doc.c — the service policy as a JSON document (see policy.h and
 * docs/policy.md): parsing, store overrides, validation.
 *
 * One table, FIELDS, names every leaf of the document with its JSON path,
 * its place in struct policy, its type and its range. Parsing, refusing
 * unknown fields, reporting missing ones, merging a store override and
 * validating a policy built in C all walk that table, so a new setting is one
 * row plus the rule that uses it (in policy.c).
 */
#include "domain/policy.h"
#include "core/errors.h"
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#define CENTS_MAX 100000000LL        /* EUR 1 million: larger is a typo in a policy */
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
/* A tier's goodwill limit, and a guard rule's allowance and points (both
 * named after the rule: guard.<r>.free in guard.<r>_free). */
#define P_TIER(t, T) P_I64("tiers." #t ".goodwill_limit_cents", goodwill_limit_cents[POLICY_TIER_##T], 0, CENTS_MAX)
#define P_RULE(r) \
    P_INT("guard." #r ".free", guard.r##_free, 0, COUNT_MAX), P_INT("guard." #r ".points", guard.r##_points, 0, 100)

/* "version" is not here: the chain document's goes to version, an
 * override's to store_version (see walk()). */
static const struct pfield FIELDS[] = {
    P_TIER(none, NONE), P_TIER(bronze, BRONZE), P_TIER(silver, SILVER), P_TIER(gold, GOLD),
    P_TIER(platinum, PLATINUM),
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
    P_RULE(no_receipt_30d),
    P_RULE(no_receipt_90d),
    P_INT("guard.return_rate.min_returns", guard.return_rate_min_returns, 0, COUNT_MAX),
    P_INT("guard.return_rate.multiple", guard.return_rate_multiple, 1, 100),
    P_INT("guard.return_rate.points", guard.return_rate_points, 0, 100),
    P_RULE(not_sold_here_90d),
    P_RULE(worn_soon_90d),
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
    if (f->type == F_BOOL) {
        if (!json_is_boolean(v)) errors_add(err, f->path, "must be true or false");
        else field_put(f, p, json_is_true(v));
        return;
    }
    if (!json_is_integer(v)) {
        errors_add(err, f->path, "must be a whole number");
        return;
    }
    json_int_t n = json_integer_value(v);
    if (n < f->min || n > f->max) range_problem(err, f);
    else field_put(f, p, n);
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
            snprintf(path, sizeof path, "tiers.%s.goodwill_limit_cents", policy_tier_name(t));
            errors_add(err, path, "must not be below the %s tier's limit (%lld cents)", policy_tier_name(t - 1),
                       (long long)p->goodwill_limit_cents[t - 1]);
        }
    }
    return err->n + err->dropped == before ? TD_OK : TD_E_INVALID;
}

/* Reads a document into *p (prepared by the caller: defaults, or the base
 * an override applies to) and, when it is valid, copies it to *out. A chain
 * document's version is the policy's and every field is required; an
 * override's version is the store's and any field may be left out. */
static int read_doc(const char *json, size_t len, bool chain, struct policy *p, struct errors *err, struct policy *out)
{
    int rc = TD_OK;
    json_t *root = NULL;
    bool seen[NFIELDS] = {false};
    bool has_version = false;
    size_t before = err->n + err->dropped;

    if ((rc = load(json, len, err, &root)) != TD_OK) goto out;
    walk(root, "", p, seen, chain ? &p->version : &p->store_version, &has_version, err);
    if (!has_version) errors_add(err, "version", "is required");
    if (chain) report_missing(root, seen, err);
    if (err->n + err->dropped != before) {
        rc = TD_E_INVALID;
        goto out;
    }
    if ((rc = policy_validate(p, err)) != TD_OK) goto out;
    *out = *p;
out:
    json_decref(root);
    return rc;
}

int policy_parse(const char *json, size_t len, struct errors *err, struct policy *out)
{
    struct policy p;
    memset(&p, 0, sizeof p);
    put_defaults(&p);
    return read_doc(json, len, true, &p, err, out);
}

int policy_apply_override(const struct policy *base, const char *json, size_t len, struct errors *err,
                          struct policy *out)
{
    struct policy p = *base;
    return read_doc(json, len, false, &p, err, out);
}
