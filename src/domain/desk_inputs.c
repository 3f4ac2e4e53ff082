/* desk_inputs.c — each decision's inputs, stored and read back (see
 * desk_inputs.h).
 *
 * The inputs are one JSON document per decision:
 *
 *   {"case": {kind, receipt, referral, walk_in_contact, items: [{...}]},
 *    "facts": {...}, "signals": {...}, "risk": {score, level},
 *    "decision": {resolution, max_amount_cents, needs_approval,
 *                 ask_walk_in_contact, policy_version, items: [{...}]}}
 *
 * with the field names of policy.h and guard.h, and enums by their API
 * names. One table of fields per struct serves both directions, so what is
 * written is what is read.
 *
 * Beside each row, decision_replay (migration 0023) keeps the same inputs
 * in a compact form for the what-if simulator (see "the compact form").
 *
 * Invariants:
 *  (1) a row is written in the transaction that decides the case, after
 *      the conditional UPDATE that claims it (a losing concurrent resolve
 *      stores nothing), with its decision_replay row, whose superseded_at
 *      the case's earlier rows get in the same transaction;
 *  (2) reading refuses a document that lacks a field (TD_E_INTERNAL) rather
 *      than replaying with a default;
 *  (3) decision_replay.inputs, where not NULL, reads back exactly the
 *      inputs of its document (written from the document as read back);
 *      NULL means "read the document".
 */
#include "domain/desk_inputs.h"
#include "domain/desk.h"
#include "domain/desk_internal.h"
#include "core/buf.h"
#include "core/text.h"
#include "db/db.h"
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* ---- the field tables --------------------------------------------------- */

enum ftype { F_INT, F_I64, F_BOOL, F_STR, F_CHARS, F_KIND, F_REFERRAL, F_CONDITION, F_TIER, F_RESOLUTION, F_LEVEL };

struct field {
    const char *name;
    size_t len;                    /* strlen(name) */
    size_t off, size;              /* size: F_CHARS only */
    enum ftype type;
};

#define FLD(s, m, t) {#m, sizeof #m - 1, offsetof(struct s, m), sizeof(((struct s *)0)->m), t}

static const struct field CASE_FIELDS[] = {
    FLD(case_in, kind, F_KIND), FLD(case_in, receipt, F_BOOL), FLD(case_in, referral, F_REFERRAL),
    FLD(case_in, walk_in_contact, F_BOOL),
};
static const struct field ITEM_FIELDS[] = {
    FLD(case_item, sold_here, F_BOOL), FLD(case_item, condition, F_CONDITION),
    FLD(case_item, days_since_purchase, F_INT), FLD(case_item, category, F_STR),
    FLD(case_item, price_paid_cents, F_I64), FLD(case_item, lowest_recent_cents, F_I64),
    FLD(case_item, brand, F_STR), FLD(case_item, description, F_STR),
    FLD(case_item, stated_price_cents, F_I64), FLD(case_item, brand_carried, F_BOOL),
    FLD(case_item, card_proof, F_BOOL), FLD(case_item, gift_receipt, F_BOOL),
    FLD(case_item, line_quantity, F_INT), FLD(case_item, line_returned, F_INT),
    FLD(case_item, returned_on, F_STR), FLD(case_item, returned_store, F_STR),
};
static const struct field FACTS_FIELDS[] = {
    FLD(customer_facts, tier, F_TIER), FLD(customer_facts, lifetime_spend_cents, F_I64),
    FLD(customer_facts, visits, F_INT), FLD(customer_facts, tenure_days, F_INT),
    FLD(customer_facts, cases_30d, F_INT), FLD(customer_facts, cases_90d, F_INT),
    FLD(customer_facts, returns_30d, F_INT), FLD(customer_facts, returns_90d, F_INT),
    FLD(customer_facts, walk_in, F_BOOL),
};
static const struct field SIGNAL_FIELDS[] = {
    FLD(guard_signals, no_receipt_returns_30d, F_INT), FLD(guard_signals, no_receipt_returns_90d, F_INT),
    FLD(guard_signals, returns_90d, F_INT), FLD(guard_signals, purchases_90d, F_INT),
    FLD(guard_signals, category_norm_permille, F_INT), FLD(guard_signals, not_sold_here_claims_90d, F_INT),
    FLD(guard_signals, worn_soon_returns_90d, F_INT), FLD(guard_signals, same_item_stores, F_INT),
    FLD(guard_signals, cases_30d, F_INT), FLD(guard_signals, stores_30d, F_INT),
    FLD(guard_signals, spent_lines_90d, F_INT), FLD(guard_signals, quick_returns, F_INT),
    FLD(guard_signals, quick_purchases, F_INT), FLD(guard_signals, quick_category, F_CHARS),
    FLD(guard_signals, whole_returns, F_INT), FLD(guard_signals, style_cycles, F_INT),
    FLD(guard_signals, linked, F_INT),
};
static const struct field RISK_FIELDS[] = {FLD(risk, score, F_INT), FLD(risk, level, F_LEVEL)};
static const struct field DECISION_FIELDS[] = {
    FLD(decision, resolution, F_RESOLUTION), FLD(decision, max_amount_cents, F_I64),
    FLD(decision, needs_approval, F_BOOL), FLD(decision, ask_walk_in_contact, F_BOOL),
    FLD(decision, policy_version, F_CHARS),
};
static const struct field RESULT_FIELDS[] = {
    FLD(policy_item_result, resolution, F_RESOLUTION), FLD(policy_item_result, amount_cents, F_I64),
    FLD(policy_item_result, needs_approval, F_BOOL), FLD(policy_item_result, proven, F_BOOL),
    FLD(policy_item_result, beyond_quantity, F_BOOL),
};
#define N(t) (sizeof(t) / sizeof((t)[0]))

/* A stored enum's name back to its value: 0 and false when the map has
 * none. */
static int read_enum(const struct enum_map *m, const char *s, void *p)
{
    int v = 0, ok = enum_map_value(m, s, &v) == TD_OK;
    *(int *)p = v;          /* the policy's and the guard's enums are int-sized (asserted here) */
    return ok;
}
_Static_assert(sizeof(enum policy_kind) == sizeof(int) && sizeof(enum policy_tier) == sizeof(int) &&
                   sizeof(enum guard_level) == sizeof(int) && sizeof(enum policy_referral) == sizeof(int) &&
                   sizeof(enum policy_condition) == sizeof(int) && sizeof(enum policy_resolution) == sizeof(int),
               "enums stored through int");

/* ---- writing ------------------------------------------------------------ */

static json_t *enum_json(const char *name)
{
    return name ? json_string(name) : json_null();
}

static json_t *fields_json(const void *base, const struct field *f, size_t n)
{
    json_t *o = json_object();
    for (size_t i = 0; o && i < n; i++) {
        const char *p = (const char *)base + f[i].off;
        json_t *v = NULL;
        switch (f[i].type) {
        case F_INT: v = json_integer(*(const int *)p); break;
        case F_I64: v = json_integer(*(const int64_t *)p); break;
        case F_BOOL: v = json_boolean(*(const bool *)p); break;
        case F_STR: v = *(const char *const *)p ? json_string(*(const char *const *)p) : json_null(); break;
        case F_CHARS: v = json_string(p); break;
        case F_KIND: v = enum_json(policy_kind_name(*(const enum policy_kind *)p)); break;
        case F_REFERRAL: v = enum_json(policy_referral_name(*(const enum policy_referral *)p)); break;
        case F_CONDITION: v = enum_json(policy_condition_name(*(const enum policy_condition *)p)); break;
        case F_TIER: v = enum_json(policy_tier_name(*(const enum policy_tier *)p)); break;
        case F_RESOLUTION: v = enum_json(policy_resolution_name(*(const enum policy_resolution *)p)); break;
        case F_LEVEL: v = enum_json(guard_level_name(*(const enum guard_level *)p)); break;
        }
        if (!v || json_object_set_new(o, f[i].name, v) != 0) {
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

static json_t *array_json(const void *base, size_t stride, size_t n, const struct field *f, size_t nf)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, fields_json((const char *)base + i * stride, f, nf)) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* o with "items": items (both taken over); NULL when either is missing. */
static json_t *with_items(json_t *o, json_t *items)
{
    if (o && items && json_object_set_new(o, "items", items) == 0) return o;
    if (!o) json_decref(items);   /* else set_new took items, even on failure */
    json_decref(o);
    return NULL;
}

json_t *desk__inputs_json(const struct case_in *ci, const struct customer_facts *facts,
                          const struct guard_signals *sig, const struct risk *risk, const struct decision *d)
{
    json_t *kase = with_items(fields_json(ci, CASE_FIELDS, N(CASE_FIELDS)),
                              array_json(ci->items, sizeof ci->items[0], ci->n_items, ITEM_FIELDS, N(ITEM_FIELDS)));
    json_t *dec = with_items(fields_json(d, DECISION_FIELDS, N(DECISION_FIELDS)),
                             array_json(d->items, sizeof d->items[0], d->n_items, RESULT_FIELDS, N(RESULT_FIELDS)));
    json_t *o = json_pack("{s:o*,s:o*,s:o*,s:o*,s:o*}", "case", kase, "facts", fields_json(facts, FACTS_FIELDS,
                          N(FACTS_FIELDS)), "signals", fields_json(sig, SIGNAL_FIELDS, N(SIGNAL_FIELDS)), "risk",
                          fields_json(risk, RISK_FIELDS, N(RISK_FIELDS)), "decision", dec);
    /* A member that could not be built leaves its key out: refuse it whole. */
    if (o && json_object_size(o) != 5) {
        json_decref(o);
        o = NULL;
    }
    return o;
}

/* ---- reading ------------------------------------------------------------ */

/* A copy of s in in->text; NULL when it does not fit. */
static const char *keep_text(struct desk_inputs *in, const char *s)
{
    size_t n = strlen(s) + 1;
    if (n > sizeof in->text - in->text_used) return NULL;
    char *p = in->text + in->text_used;
    memcpy(p, s, n);
    in->text_used += n;
    return p;
}

static int fields_read(const json_t *o, void *base, const struct field *f, size_t n, struct desk_inputs *in)
{
    if (!json_is_object(o)) return TD_E_INTERNAL;
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)base + f[i].off;
        const json_t *v = json_object_get(o, f[i].name);
        const char *s = json_string_value(v);
        int ok = 1;
        switch (f[i].type) {
        case F_INT: ok = json_is_integer(v); *(int *)p = (int)json_integer_value(v); break;
        case F_I64: ok = json_is_integer(v); *(int64_t *)p = json_integer_value(v); break;
        case F_BOOL: ok = json_is_boolean(v); *(bool *)p = json_is_true(v); break;
        case F_STR:
            if (json_is_null(v)) *(const char **)p = NULL;
            else ok = s && (*(const char **)p = keep_text(in, s)) != NULL;
            break;
        case F_CHARS: ok = s && domain_copy(p, f[i].size, s) == TD_OK; break;
        case F_KIND: ok = read_enum(&policy_kind_map, s, p); break;
        case F_REFERRAL:
            ok = read_enum(&policy_referral_map, s, p) || (s && strcmp(s, "none") == 0);
            break;
        case F_CONDITION: ok = read_enum(&policy_condition_map, s, p); break;
        case F_TIER: ok = read_enum(&policy_tier_map, s, p); break;
        case F_RESOLUTION: ok = read_enum(&policy_resolution_map, s, p); break;
        case F_LEVEL: ok = read_enum(&guard_level_map, s, p); break;
        }
        if (!ok) return TD_E_INTERNAL;
    }
    return TD_OK;
}

static int array_read(const json_t *a, void *base, size_t stride, size_t max, size_t *n, const struct field *f,
                      size_t nf, struct desk_inputs *in)
{
    if (!json_is_array(a) || json_array_size(a) > max) return TD_E_INTERNAL;
    *n = json_array_size(a);
    int rc = TD_OK;
    for (size_t i = 0; i < *n && rc == TD_OK; i++)
        rc = fields_read(json_array_get(a, i), (char *)base + i * stride, f, nf, in);
    return rc;
}

static int inputs_tree(const char *text, struct desk_inputs *in)
{
    json_t *o = json_loads(text, 0, NULL);
    if (!o) return TD_E_INTERNAL;
    const json_t *kase = json_object_get(o, "case"), *dec = json_object_get(o, "decision");
    struct risk risk;
    memset(&risk, 0, sizeof risk);
    int rc = fields_read(kase, &in->ci, CASE_FIELDS, N(CASE_FIELDS), in);
    if (rc == TD_OK)
        rc = array_read(json_object_get(kase, "items"), in->ci.items, sizeof in->ci.items[0], POLICY_ITEMS_MAX,
                        &in->ci.n_items, ITEM_FIELDS, N(ITEM_FIELDS), in);
    if (rc == TD_OK) rc = fields_read(json_object_get(o, "facts"), &in->facts, FACTS_FIELDS, N(FACTS_FIELDS), in);
    if (rc == TD_OK) rc = fields_read(json_object_get(o, "signals"), &in->signals, SIGNAL_FIELDS, N(SIGNAL_FIELDS), in);
    if (rc == TD_OK) rc = fields_read(json_object_get(o, "risk"), &risk, RISK_FIELDS, N(RISK_FIELDS), in);
    if (rc == TD_OK) rc = fields_read(dec, &in->decision, DECISION_FIELDS, N(DECISION_FIELDS), in);
    if (rc == TD_OK)
        rc = array_read(json_object_get(dec, "items"), in->decision.items, sizeof in->decision.items[0],
                        POLICY_ITEMS_MAX, &in->decision.n_items, RESULT_FIELDS, N(RESULT_FIELDS), in);
    in->risk_score = risk.score;
    in->risk_level = risk.level;
    json_decref(o);
    return rc;
}

/* ---- reading without a tree ---------------------------------------------
 *
 * A replay reads every stored decision of a period, and jansson's tree of
 * some 80 allocated values per document costs a hundred times the decision
 * itself. The scanner below reads the same documents in one pass into the
 * same field tables, without allocating. It takes only what it fully
 * understands — the members of the tables, each once, all present, integers
 * without fraction or exponent — and hands anything else to inputs_tree(),
 * which decides as before (a missing field is TD_E_INTERNAL). */

struct scan {
    const char *p;
    struct desk_inputs *in;
};

static void skip_ws(struct scan *s)
{
    while (*s->p == ' ' || *s->p == '\n' || *s->p == '\t' || *s->p == '\r') s->p++;
}

static int lit(struct scan *s, char c)
{
    skip_ws(s);
    if (*s->p != c) return 0;
    s->p++;
    return 1;
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9') v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f') v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F') v |= (unsigned)(c - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* Appends code point cp as UTF-8 to out[*k..n); 0 when it does not fit. */
static int put_utf8(char *out, size_t n, size_t *k, unsigned cp)
{
    char b[4];
    size_t m;
    if (cp < 0x80) b[0] = (char)cp, m = 1;
    else if (cp < 0x800) b[0] = (char)(0xC0 | cp >> 6), b[1] = (char)(0x80 | (cp & 0x3F)), m = 2;
    else if (cp < 0x10000)
        b[0] = (char)(0xE0 | cp >> 12), b[1] = (char)(0x80 | ((cp >> 6) & 0x3F)), b[2] = (char)(0x80 | (cp & 0x3F)), m = 3;
    else
        b[0] = (char)(0xF0 | cp >> 18), b[1] = (char)(0x80 | ((cp >> 12) & 0x3F)), b[2] = (char)(0x80 | ((cp >> 6) & 0x3F)),
        b[3] = (char)(0x80 | (cp & 0x3F)), m = 4;
    if (*k + m >= n) return 0;
    memcpy(out + *k, b, m);
    *k += m;
    return 1;
}

/* A JSON string into out (n bytes with its NUL), its length into *len; 0
 * for anything jansson would refuse or decode otherwise (\u0000, a lone
 * surrogate) and for what does not fit. */
static int scan_str(struct scan *s, char *out, size_t n, size_t *len)
{
    if (!lit(s, '"')) return 0;
    const char *raw = s->p;
    size_t k = 0;
    unsigned char top = 0;                                /* the largest byte as written */
    for (;;) {
        unsigned char ch = (unsigned char)*s->p++;
        if (ch == '"') break;
        if (ch < 0x20) return 0;                          /* the NUL at the end, or a raw control */
        if (ch > top) top = ch;
        if (ch != '\\') {
            if (k + 1 >= n) return 0;
            out[k++] = (char)ch;
            continue;
        }
        char e = *s->p++;
        unsigned cp = 0, lo = 0;
        switch (e) {
        case '"': case '\\': case '/': cp = (unsigned char)e; break;
        case 'b': cp = '\b'; break;
        case 'f': cp = '\f'; break;
        case 'n': cp = '\n'; break;
        case 'r': cp = '\r'; break;
        case 't': cp = '\t'; break;
        case 'u':
            if (!hex4(s->p, &cp)) return 0;
            s->p += 4;
            if (cp >= 0xDC00 && cp <= 0xDFFF) return 0;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                if (s->p[0] != '\\' || s->p[1] != 'u' || !hex4(s->p + 2, &lo) || lo < 0xDC00 || lo > 0xDFFF) return 0;
                s->p += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            if (cp == 0) return 0;
            break;
        default: return 0;
        }
        if (!put_utf8(out, n, &k, cp)) return 0;
    }
    out[k] = '\0';
    *len = k;
    /* jansson refuses what is not UTF-8. The text as written holds no raw
     * controls (refused above) and its escapes are ASCII: check it, unless
     * every byte is printable ASCII, which text_utf8_valid() takes (nearly
     * every stored string: category names, "2026-11-12", store codes). */
    return top < 0x7f || text_utf8_valid(raw, (size_t)(s->p - 1 - raw));
}

static int scan_word(struct scan *s, const char *w)
{
    size_t n = strlen(w);
    if (!lit(s, w[0]) || strncmp(s->p, w + 1, n - 1) != 0) return 0;
    s->p += n - 1;
    return 1;
}

static int scan_int(struct scan *s, int64_t *out)
{
    skip_ws(s);
    const char *p = s->p;
    if (*p == '-') p++;
    if (*p < '0' || *p > '9' || (p[0] == '0' && p[1] >= '0' && p[1] <= '9')) return 0;   /* JSON has no "01" */
    uint64_t u = 0;
    const char *digits = p;
    while (*p >= '0' && *p <= '9') u = u * 10 + (uint64_t)(*p++ - '0');   /* exact up to 18 digits: see below */
    int64_t v = (int64_t)(u & INT64_MAX);
    if (*p == '.' || *p == 'e' || *p == 'E' || p - s->p > 19) return 0;   /* a real, or beyond int64: the tree decides */
    if (p - digits > 18) {
        errno = 0;
        long long w = strtoll(s->p, NULL, 10);
        if (errno) return 0;
        v = w;
    } else if (*s->p == '-') {
        v = -v;
    }
    *out = v;
    s->p = p;
    return 1;
}

static int scan_value(struct scan *s, char *p, const struct field *f)
{
    struct desk_inputs *in = s->in;
    char word[48];
    size_t len = 0;
    int64_t v = 0;
    switch (f->type) {
    case F_INT: if (!scan_int(s, &v)) return 0; *(int *)p = (int)v; return 1;
    case F_I64: if (!scan_int(s, &v)) return 0; *(int64_t *)p = v; return 1;
    case F_BOOL:
        if (scan_word(s, "true")) *(bool *)p = true;
        else if (scan_word(s, "false")) *(bool *)p = false;
        else return 0;
        return 1;
    case F_STR:
        if (scan_word(s, "null")) {
            *(const char **)p = NULL;
            return 1;
        }
        if (!scan_str(s, in->text + in->text_used, sizeof in->text - in->text_used, &len)) return 0;
        *(const char **)p = in->text + in->text_used;
        in->text_used += len + 1;
        return 1;
    case F_CHARS: return scan_str(s, p, f->size, &len);
    default: break;
    }
    if (!scan_str(s, word, sizeof word, &len)) return 0;   /* an enum by its name */
    switch (f->type) {
    case F_KIND: return read_enum(&policy_kind_map, word, p);
    case F_REFERRAL: return read_enum(&policy_referral_map, word, p) || strcmp(word, "none") == 0;
    case F_CONDITION: return read_enum(&policy_condition_map, word, p);
    case F_TIER: return read_enum(&policy_tier_map, word, p);
    case F_RESOLUTION: return read_enum(&policy_resolution_map, word, p);
    case F_LEVEL: return read_enum(&guard_level_map, word, p);
    default: return 0;
    }
}

struct items_spec {
    void *base;
    size_t stride, max, *n;
    const struct field *f;
    size_t nf;
};

static int scan_object(struct scan *s, void *base, const struct field *f, size_t n, const struct items_spec *items);

static int scan_items(struct scan *s, const struct items_spec *it)
{
    *it->n = 0;
    if (!lit(s, '[')) return 0;
    if (lit(s, ']')) return 1;
    do {
        if (*it->n == it->max) return 0;
        if (!scan_object(s, (char *)it->base + *it->n * it->stride, it->f, it->nf, NULL)) return 0;
        ++*it->n;
    } while (lit(s, ','));
    return lit(s, ']');
}

/* One object of a field table (and its "items" array when items is set):
 * every member once, all present, nothing else. */
static int scan_object(struct scan *s, void *base, const struct field *f, size_t n, const struct items_spec *items)
{
    uint32_t seen = 0;
    size_t next = 0;
    int listed = 0;
    char key[48];
    size_t len;
    _Static_assert(N(SIGNAL_FIELDS) < 32 && N(ITEM_FIELDS) < 32, "seen holds one bit a field");
    if (!lit(s, '{')) return 0;
    if (!lit(s, '}')) {
        do {
            /* Written in the table's order: the next field is the likely
             * one, and its name as written (no escapes) is taken as is. */
            size_t i = 0;
            skip_ws(s);
            if (next < n && s->p[0] == '"' && strncmp(s->p + 1, f[next].name, f[next].len) == 0 &&
                s->p[1 + f[next].len] == '"') {
                s->p += f[next].len + 2;
                if (!lit(s, ':')) return 0;
                i = next;
            } else {
                if (!scan_str(s, key, sizeof key, &len) || !lit(s, ':')) return 0;
                if (items && strcmp(key, "items") == 0) {
                    if (listed++ || !scan_items(s, items)) return 0;
                    continue;
                }
                while (i < n && strcmp(f[i].name, key) != 0) i++;
            }
            if (i == n || (seen >> i & 1) || !scan_value(s, (char *)base + f[i].off, &f[i])) return 0;
            seen |= 1u << i;
            next = i + 1;
        } while (lit(s, ','));
        if (!lit(s, '}')) return 0;
    }
    return seen == (1u << n) - 1 && (!items || listed);
}

static int inputs_scan(const char *text, struct desk_inputs *in)
{
    struct scan sc = {text, in}, *s = &sc;
    struct risk risk;
    memset(&risk, 0, sizeof risk);
    const struct items_spec case_items = {in->ci.items, sizeof in->ci.items[0], POLICY_ITEMS_MAX, &in->ci.n_items,
                                          ITEM_FIELDS, N(ITEM_FIELDS)};
    const struct items_spec results = {in->decision.items, sizeof in->decision.items[0], POLICY_ITEMS_MAX,
                                       &in->decision.n_items, RESULT_FIELDS, N(RESULT_FIELDS)};
    unsigned got = 0;
    char key[16];
    size_t len;
    if (!lit(s, '{')) return 0;
    do {
        unsigned bit;
        int ok;
        if (!scan_str(s, key, sizeof key, &len) || !lit(s, ':')) return 0;
        if (strcmp(key, "case") == 0) bit = 1, ok = scan_object(s, &in->ci, CASE_FIELDS, N(CASE_FIELDS), &case_items);
        else if (strcmp(key, "facts") == 0) bit = 2, ok = scan_object(s, &in->facts, FACTS_FIELDS, N(FACTS_FIELDS), NULL);
        else if (strcmp(key, "signals") == 0)
            bit = 4, ok = scan_object(s, &in->signals, SIGNAL_FIELDS, N(SIGNAL_FIELDS), NULL);
        else if (strcmp(key, "risk") == 0) bit = 8, ok = scan_object(s, &risk, RISK_FIELDS, N(RISK_FIELDS), NULL);
        else if (strcmp(key, "decision") == 0)
            bit = 16, ok = scan_object(s, &in->decision, DECISION_FIELDS, N(DECISION_FIELDS), &results);
        else return 0;
        if (!ok || (got & bit)) return 0;
        got |= bit;
    } while (lit(s, ','));
    if (!lit(s, '}') || got != 31) return 0;
    skip_ws(s);
    if (*s->p) return 0;
    in->risk_score = risk.score;
    in->risk_level = risk.level;
    return 1;
}

int desk__inputs_parse(const char *text, struct desk_inputs *in, int how)
{
    size_t used = in->text_used;
    if (how != DESK_INPUTS_TREE && inputs_scan(text, in)) return TD_OK;
    if (how == DESK_INPUTS_SCAN) return TD_E_INTERNAL;
    /* Start the tree from where the scan started: nothing of its part stays. */
    in->text_used = used;
    memset(&in->ci, 0, sizeof in->ci);
    memset(&in->facts, 0, sizeof in->facts);
    memset(&in->signals, 0, sizeof in->signals);
    memset(&in->decision, 0, sizeof in->decision);
    in->risk_score = 0;
    in->risk_level = GUARD_GREEN;
    return inputs_tree(text, in);
}


/* ---- the compact form ----------------------------------------------------
 *
 * decision_replay.inputs (migration 0023) holds the document's fields for
 * the simulator, which reads every decision of a period: "#1" (the form),
 * then CASE_FIELDS, the items' count and each item's ITEM_FIELDS,
 * FACTS_FIELDS, SIGNAL_FIELDS, RISK_FIELDS, DECISION_FIELDS, the results'
 * count and each one's RESULT_FIELDS, in the tables' order. A number (an
 * int, a bool, an enum's value) is zigzagged and written in 5-bit groups,
 * lowest first: '0' + g for a group with more to follow, 'P' + g for the
 * last — printable ASCII, so the column is TEXT on both backends. A string
 * is its length + 1 as a number (0: NULL) and its bytes (UTF-8 without a
 * NUL, as read from the document). Some 100 bytes where the document has
 * 1,200, read without a key or a name to compare.
 *
 * It is written from the document as read back (compact_of), so both
 * forms give the same inputs (tests/unit/test_simulate.c,
 * tests/fuzz/fuzz_inputs.c). A change to a table must change the form's
 * "#1" and come with a migration that sets the column to NULL: a row
 * without it is read from inputs_json. */

#define COMPACT_FORM "#1"
#define COMPACT_MAX (DESK_INPUTS_TEXT_SZ + 4096)   /* beyond: the row keeps NULL, the document serves */

static int put_num(struct buf *b, int64_t v)
{
    uint64_t u = ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);   /* zigzag: small negatives stay short */
    char g[13];
    size_t n = 0;
    for (; u >= 32; u >>= 5) g[n++] = (char)('0' + (u & 31));
    g[n++] = (char)('P' + u);
    return buf_append(b, g, n);
}

static int put_str(struct buf *b, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    int rc = put_num(b, s ? (int64_t)n + 1 : 0);
    return rc == TD_OK && n ? buf_append(b, s, n) : rc;
}

static int put_fields(struct buf *b, const void *base, const struct field *f, size_t n)
{
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK; i++) {
        const char *p = (const char *)base + f[i].off;
        switch (f[i].type) {
        case F_INT: rc = put_num(b, *(const int *)p); break;
        case F_I64: rc = put_num(b, *(const int64_t *)p); break;
        case F_BOOL: rc = put_num(b, *(const bool *)p); break;
        case F_STR: rc = put_str(b, *(const char *const *)p); break;
        case F_CHARS: rc = put_str(b, p); break;
        default: rc = put_num(b, *(const int *)p); break;      /* an enum */
        }
    }
    return rc;
}

/* The compact form of in into *out (malloc'd, the caller frees; NULL when
 * it does not fit COMPACT_MAX). */
static int compact_of(const struct desk_inputs *in, char **out)
{
    struct buf b;
    struct risk risk = {.score = in->risk_score, .level = in->risk_level};
    buf_init(&b, COMPACT_MAX);
    int rc = buf_puts(&b, COMPACT_FORM);
    if (rc == TD_OK) rc = put_fields(&b, &in->ci, CASE_FIELDS, N(CASE_FIELDS));
    if (rc == TD_OK) rc = put_num(&b, (int64_t)in->ci.n_items);
    for (size_t i = 0; i < in->ci.n_items && rc == TD_OK; i++)
        rc = put_fields(&b, &in->ci.items[i], ITEM_FIELDS, N(ITEM_FIELDS));
    if (rc == TD_OK) rc = put_fields(&b, &in->facts, FACTS_FIELDS, N(FACTS_FIELDS));
    if (rc == TD_OK) rc = put_fields(&b, &in->signals, SIGNAL_FIELDS, N(SIGNAL_FIELDS));
    if (rc == TD_OK) rc = put_fields(&b, &risk, RISK_FIELDS, N(RISK_FIELDS));
    if (rc == TD_OK) rc = put_fields(&b, &in->decision, DECISION_FIELDS, N(DECISION_FIELDS));
    if (rc == TD_OK) rc = put_num(&b, (int64_t)in->decision.n_items);
    for (size_t i = 0; i < in->decision.n_items && rc == TD_OK; i++)
        rc = put_fields(&b, &in->decision.items[i], RESULT_FIELDS, N(RESULT_FIELDS));
    *out = rc == TD_OK ? buf_steal(&b) : NULL;
    buf_free(&b);
    if (rc == TD_OK && !*out) rc = TD_E_NOMEM;
    return rc == TD_E_TOO_LARGE ? TD_OK : rc;
}

static int get_num(struct scan *s, int64_t *out)
{
    uint64_t u = 0;
    for (unsigned shift = 0; shift < 65; shift += 5) {
        unsigned char ch = (unsigned char)*s->p++;
        if (ch < '0' || ch >= 'P' + 32) return 0;      /* also the NUL at the end */
        if (ch < 'P') {
            u |= (uint64_t)(ch - '0') << shift;
            continue;
        }
        u |= (uint64_t)(ch - 'P') << shift;
        *out = (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
        return 1;
    }
    return 0;
}

/* A string of n bytes (with its NUL) into out; 0 when it does not fit or
 * the text ends first. */
static int get_str(struct scan *s, char *out, size_t n, int64_t len)
{
    if (len < 0 || (uint64_t)len >= n || memchr(s->p, '\0', (size_t)len)) return 0;
    memcpy(out, s->p, (size_t)len);
    out[len] = '\0';
    s->p += len;
    return 1;
}

/* The enum maps by field type, for the check of a stored value. */
static const struct enum_map *map_of(enum ftype t)
{
    switch (t) {
    case F_KIND: return &policy_kind_map;
    case F_REFERRAL: return &policy_referral_map;
    case F_CONDITION: return &policy_condition_map;
    case F_TIER: return &policy_tier_map;
    case F_RESOLUTION: return &policy_resolution_map;
    case F_LEVEL: return &guard_level_map;
    default: return NULL;
    }
}

static int get_fields(struct scan *s, void *base, const struct field *f, size_t n)
{
    struct desk_inputs *in = s->in;
    for (size_t i = 0; i < n; i++) {
        char *p = (char *)base + f[i].off;
        int64_t v = 0;
        if (!get_num(s, &v)) return 0;
        switch (f[i].type) {
        case F_INT:
            if (v < INT_MIN || v > INT_MAX) return 0;
            *(int *)p = (int)v;
            break;
        case F_I64: *(int64_t *)p = v; break;
        case F_BOOL:
            if (v != 0 && v != 1) return 0;
            *(bool *)p = v;
            break;
        case F_STR:
            if (v == 0) {
                *(const char **)p = NULL;
                break;
            }
            if (!get_str(s, in->text + in->text_used, sizeof in->text - in->text_used, v - 1)) return 0;
            *(const char **)p = in->text + in->text_used;
            in->text_used += (size_t)v;
            break;
        case F_CHARS:
            if (v == 0 || !get_str(s, p, f[i].size, v - 1)) return 0;
            break;
        default:
            /* An enum: one the document could have named ("none": 0 for
             * the referral). */
            if (v < 0 || v > INT_MAX || (!enum_map_name(map_of(f[i].type), (int)v) && !(f[i].type == F_REFERRAL && v == 0)))
                return 0;
            *(int *)p = (int)v;
            break;
        }
    }
    return 1;
}

static int get_count(struct scan *s, size_t max, size_t *n)
{
    int64_t v = 0;
    if (!get_num(s, &v) || v < 0 || (uint64_t)v > max) return 0;
    *n = (size_t)v;
    return 1;
}

static int compact_read(const char *text, struct desk_inputs *in)
{
    struct scan sc = {text + strlen(COMPACT_FORM), in}, *s = &sc;
    struct risk risk;
    memset(&risk, 0, sizeof risk);
    if (strncmp(text, COMPACT_FORM, strlen(COMPACT_FORM)) != 0) return 0;
    if (!get_fields(s, &in->ci, CASE_FIELDS, N(CASE_FIELDS)) || !get_count(s, POLICY_ITEMS_MAX, &in->ci.n_items)) return 0;
    for (size_t i = 0; i < in->ci.n_items; i++)
        if (!get_fields(s, &in->ci.items[i], ITEM_FIELDS, N(ITEM_FIELDS))) return 0;
    if (!get_fields(s, &in->facts, FACTS_FIELDS, N(FACTS_FIELDS)) ||
        !get_fields(s, &in->signals, SIGNAL_FIELDS, N(SIGNAL_FIELDS)) || !get_fields(s, &risk, RISK_FIELDS, N(RISK_FIELDS)) ||
        !get_fields(s, &in->decision, DECISION_FIELDS, N(DECISION_FIELDS)) ||
        !get_count(s, POLICY_ITEMS_MAX, &in->decision.n_items))
        return 0;
    for (size_t i = 0; i < in->decision.n_items; i++)
        if (!get_fields(s, &in->decision.items[i], RESULT_FIELDS, N(RESULT_FIELDS))) return 0;
    if (*s->p) return 0;
    in->risk_score = risk.score;
    in->risk_level = risk.level;
    return 1;
}

int desk__inputs_compact(const char *text, struct desk_inputs *in, char **compact)
{
    *compact = NULL;
    int rc = desk__inputs_parse(text, in, DESK_INPUTS_ANY);
    if (rc == TD_OK) rc = compact_of(in, compact);
    return rc;
}

int desk__inputs_read(const char *text, struct desk_inputs *in)
{
    if (text[0] != COMPACT_FORM[0]) return desk__inputs_parse(text, in, DESK_INPUTS_ANY);
    return compact_read(text, in) ? TD_OK : TD_E_INTERNAL;
}
