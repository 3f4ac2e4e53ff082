/* desk.c — cases at the service desk (see desk.h for the life of a case).
 *
 * How the invariants are kept:
 *  (1) every state change is one conditional UPDATE (WHERE status = the state
 *      it leaves); a second, concurrent resolve finds no row to change and
 *      gets TD_E_CONFLICT before it can issue anything; the credit note is
 *      issued after that UPDATE in the same transaction;
 *  (2), (3) checked in resolve_check() and approver_check();
 *  (4) desk_decide() only reads;
 *  (5) decide_case() tells, per item, what resolving would do with its
 *      purchase line (claim a unit of what is left, or one beyond it);
 *      plan_lines() keeps that for the resolution chosen (in pending_json
 *      while a manager looks), and claim_lines() makes each claim a
 *      conditional upsert in the resolving transaction — zero rows is
 *      TD_E_CONFLICT before anything is issued; a unit beyond the quantity
 *      is claimed only with an approver.
 *
 * What a case adds to the aggregates is worked out once, by case_facts(),
 * from its items as found at opening: the counts every return adds, the
 * quick returns (with whether nothing of the style was kept) and the
 * receipt lines offered again. A walk-in's contact is kept only when the
 * decision asks for one (keep_walk_in_contact), as a key, with the case's
 * counts added under it before the desk decides with them.
 */
#include "domain/desk.h"
#include "core/clock.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/facts.h"
#include "domain/guard.h"
#include "domain/identity.h"
#include "domain/policy_store.h"
#include "domain/store.h"
#include <jansson.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const REPAIR_STATES[] = {"taken_in", "sent", "at_manufacturer", "back_in_store", "customer_told",
                                            "collected", NULL};

/* ---- names --------------------------------------------------------------- */

#define PARSE_BY_NAME(fn, type, name_of, first, last)                                                                 \
    type fn(const char *s)                                                                                            \
    {                                                                                                                 \
        for (int i = (first); s && i <= (last); i++)                                                                  \
            if (strcmp(name_of((type)i), s) == 0) return (type)i;                                                     \
        return (type)0;                                                                                               \
    }
PARSE_BY_NAME(desk_kind_parse, enum policy_kind, policy_kind_name, POLICY_KIND_RETURN, POLICY_KIND_REFERRAL)
PARSE_BY_NAME(desk_condition_parse, enum policy_condition, policy_condition_name, POLICY_COND_NEW, POLICY_COND_DEFECTIVE)
PARSE_BY_NAME(desk_resolution_parse, enum policy_resolution, policy_resolution_name, POLICY_RES_REFUND, POLICY_RES_DECLINE)
PARSE_BY_NAME(desk_referral_parse, enum policy_referral, policy_referral_name, POLICY_REFER_NOT_IN_RANGE, POLICY_REFER_OTHER)

/* ---- small helpers ------------------------------------------------------- */

static void check_text(struct errors *err, const char *field, const char *s, size_t max, int required)
{
    if (!s || !*s) {
        if (required) errors_add(err, field, "is required");
        return;
    }
    if (!text_utf8_valid(s, strlen(s))) errors_add(err, field, "must be valid UTF-8 text");
    else if (text_utf8_len(s) > max) errors_add(err, field, "is longer than %zu characters", max);
}

static int event(struct dctx *c, int64_t case_id, const char *action, const char *detail)
{
    return db_run(c->db, "INSERT INTO case_events (case_id, at, staff_id, action, detail) VALUES (?, ?, ?, ?, ?)", NULL,
                  "iintt", case_id, c->now_us, c->actor.staff_id, action, detail);
}

static bool is_return_kind(enum policy_kind k)
{
    return k == POLICY_KIND_RETURN || k == POLICY_KIND_EXCHANGE || k == POLICY_KIND_REFERRAL;
}

/* ---- opening a case ------------------------------------------------------ */

static int keep_walk_in_contact(struct dctx *c, struct desk_case *k, const char *contact, enum policy_referral referral,
                                bool quiet, struct errors *err);

struct product_row { int64_t id; char category[NAME_SZ], brand[NAME_SZ], style[FACTS_STYLE_SZ]; };

static int product_by_sku(struct dctx *c, const char *sku, struct product_row *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT id, category, brand, name FROM products WHERE sku = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "t", sku)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        out->id = db_col_int64(st, 0);
        facts_style(db_col_text(st, 3), out->style);
        rc = domain_copy(out->category, sizeof out->category, db_col_text(st, 1));
        if (rc == TD_OK) rc = domain_copy(out->brand, sizeof out->brand, db_col_text(st, 2));
    } else if (rc == TD_DONE) {
        rc = TD_E_NOT_FOUND;
    }
    db_done(st);
    return rc;
}

/* A purchase line of a product, as the case found it. */
struct line_pick {
    int64_t receipt_row, customer_id, purchased_at, price, line_no;   /* receipt_row 0: none found */
    bool spent;                                                       /* no unit of it is left */
};

/* The line of product on the receipt named ref (its POS id), or, when ref is
 * NULL, among the customer's own purchases, newest first. Of the matching
 * lines the first with a unit left — after the units that earlier items of
 * this case (items[0..n)) take from it — is chosen; when none has one, the
 * first (the decision then says it came back before). */
static int find_line(struct dctx *c, const char *ref, int64_t customer_id, int64_t product_id,
                     const struct desk_item *items, size_t n, struct line_pick *out)
{
    struct db_stmt *st = NULL;
    int rc;
    memset(out, 0, sizeof *out);
    if (ref)
        rc = db_prepare(c->db,
                        "SELECT r.id, COALESCE(r.customer_id, 0), r.purchased_at, l.unit_price_cents, l.line_no,"
                        " l.quantity - COALESCE(x.returned, 0) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                        " LEFT JOIN line_returns x ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no"
                        " WHERE r.receipt_ref = ? AND l.product_id = ? ORDER BY l.line_no LIMIT 16", &st);
    else
        rc = db_prepare(c->db,
                        "SELECT r.id, COALESCE(r.customer_id, 0), r.purchased_at, l.unit_price_cents, l.line_no,"
                        " l.quantity - COALESCE(x.returned, 0) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                        " LEFT JOIN line_returns x ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no"
                        " WHERE r.customer_id = ? AND l.product_id = ? ORDER BY r.purchased_at DESC, l.line_no LIMIT 32", &st);
    if (rc != TD_OK) return rc;
    rc = ref ? db_bindf(st, "ti", ref, product_id) : db_bindf(st, "ii", customer_id, product_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct line_pick l = {db_col_int64(st, 0), db_col_int64(st, 1), db_col_int64(st, 2), db_col_int64(st, 3),
                              db_col_int64(st, 4), false};
        int64_t left = db_col_int64(st, 5);
        for (size_t i = 0; i < n; i++)
            left -= items[i].proof[0] && items[i].receipt_row == l.receipt_row && items[i].line_no == l.line_no;
        l.spent = left <= 0;
        if (!out->receipt_row) *out = l;
        if (left > 0) {
            *out = l;
            break;
        }
        rc = TD_OK;
    }
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

static int receipt_exists(struct dctx *c, const char *ref, int *exists)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT 1 FROM receipts WHERE receipt_ref = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "t", ref)) == TD_OK) rc = db_step(st);
    *exists = rc == TD_ROW;
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

/* Checks item i of the request and fills it into items[i]; the items
 * before it are already filled (they may take units of the same line). */
static int resolve_item(struct dctx *c, const struct policy *p, const struct desk_case_in *in, size_t i,
                        struct desk_item *earlier, struct errors *err)
{
    const struct desk_item_in *x = &in->items[i];
    struct desk_item *it = &earlier[i];
    char f[64];
    memset(it, 0, sizeof *it);
    it->item_no = (int)i + 1;
    it->sold_here = x->sold_here;
    it->condition = x->condition;
    it->days_since_purchase = -1;
    if (x->condition < POLICY_COND_NEW || x->condition > POLICY_COND_DEFECTIVE) {
        snprintf(f, sizeof f, "items[%zu].condition", i);
        errors_add(err, f, "must be one of new, used, worn, defective");
    }
    if (!x->sold_here) {
        snprintf(f, sizeof f, "items[%zu].brand", i);
        check_text(err, f, x->brand, DESK_TEXT_MAX, 1);
        snprintf(f, sizeof f, "items[%zu].description", i);
        check_text(err, f, x->description, DESK_TEXT_MAX, 1);
        if (x->stated_price_cents < 0 || x->stated_price_cents > LEDGER_MAX_CENTS) {
            snprintf(f, sizeof f, "items[%zu].stated_price_cents", i);
            errors_add(err, f, "must be between 0 and %lld cents", (long long)LEDGER_MAX_CENTS);
        }
        if (domain_copy(it->brand, sizeof it->brand, x->brand) != TD_OK ||
            domain_copy(it->description, sizeof it->description, x->description) != TD_OK)
            return TD_OK;                                   /* already reported as too long */
        it->price_cents = x->stated_price_cents;
        return TD_OK;
    }
    snprintf(f, sizeof f, "items[%zu].sku", i);
    if (!x->sku || !*x->sku) {
        errors_add(err, f, "is required for an item sold here");
        return TD_OK;
    }
    struct product_row pr;
    int rc = product_by_sku(c, x->sku, &pr);
    if (rc == TD_E_NOT_FOUND) {
        errors_add(err, f, "no product has this SKU");
        return TD_OK;
    }
    if (rc != TD_OK) return rc;
    it->product_id = pr.id;
    if (domain_copy(it->sku, sizeof it->sku, x->sku) != TD_OK) return TD_OK;
    TD_BEST_EFFORT(domain_copy(it->category, sizeof it->category, pr.category));
    TD_BEST_EFFORT(domain_copy(it->brand, sizeof it->brand, pr.brand));
    TD_BEST_EFFORT(domain_copy(it->style, sizeof it->style, pr.style));
    struct line_pick l = {0};
    if (x->gift_receipt && !x->receipt_ref) {
        snprintf(f, sizeof f, "items[%zu].receipt_id", i);
        errors_add(err, f, "is required with a gift receipt");
        return TD_OK;
    }
    if (x->receipt_ref || in->customer_id) {
        if ((rc = find_line(c, x->receipt_ref, in->customer_id, pr.id, earlier, i, &l)) != TD_OK) return rc;
        if (x->receipt_ref && !l.receipt_row) {
            int exists = 0;
            if ((rc = receipt_exists(c, x->receipt_ref, &exists)) != TD_OK) return rc;
            if (exists) {
                errors_add(err, f, "is not on this receipt");
            } else {
                snprintf(f, sizeof f, "items[%zu].receipt_id", i);
                errors_add(err, f, "no receipt has this id");
            }
            return TD_OK;
        }
        /* A present is returned by someone else: that is what a gift
         * receipt is for. Otherwise a receipt of another customer is not
         * this customer's to bring. */
        if (x->receipt_ref && !x->gift_receipt && l.customer_id && in->customer_id && l.customer_id != in->customer_id) {
            snprintf(f, sizeof f, "items[%zu].receipt_id", i);
            errors_add(err, f, "belongs to another customer's purchase (a present? mark it as a gift receipt)");
            return TD_OK;
        }
    }
    if (l.receipt_row) {
        it->receipt_row = l.receipt_row;
        it->line_no = l.line_no;
        it->spent = l.spent;
        it->price_cents = l.price;
        it->days_since_purchase = l.purchased_at > c->now_us ? 0 : (int)((c->now_us - l.purchased_at) / FACTS_DAY_US);
        if (x->receipt_ref) TD_BEST_EFFORT(domain_copy(it->receipt_ref, sizeof it->receipt_ref, x->receipt_ref));
        /* How the purchase is proven. With no proof the line only tells the
         * price, and no unit of it is counted; a line on the card of which
         * every unit came back already proves nothing. */
        const char *proof = x->gift_receipt ? "gift_receipt"
                          : in->receipt ? "receipt"
                          : in->customer_id && l.customer_id == in->customer_id && !l.spent ? "card"
                                                                                             : "";
        TD_BEST_EFFORT(domain_copy(it->proof, sizeof it->proof, proof));
    }
    return facts_lowest_price(c, pr.id, p->lowest_price_days, &it->lowest_cents);
}

/* Whether nothing of an item's style stays with the customer from the
 * item's receipt once this case's items (items[0..n)) are back: the
 * receipt's lines of that style, less what came back of them before and
 * what this case brings back. A bounded read of one receipt's lines. */
static int style_all_back(struct dctx *c, const struct desk_item *it, const struct desk_item *items, size_t n, int *whole)
{
    struct db_stmt *st = NULL;
    *whole = 0;
    int rc = db_prepare(c->db, "SELECT l.line_no, l.quantity - COALESCE(x.returned, 0), p.name FROM purchase_lines l"
                               " JOIN products p ON p.id = l.product_id LEFT JOIN line_returns x"
                               " ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no WHERE l.receipt_id = ?"
                               " ORDER BY l.line_no LIMIT 200", &st);
    if (rc != TD_OK) return rc;
    int64_t kept = 0;
    if ((rc = db_bindf(st, "i", it->receipt_row)) == TD_OK) {
        while ((rc = db_step(st)) == TD_ROW) {
            char style[FACTS_STYLE_SZ];
            facts_style(db_col_text(st, 2), style);
            if (strcmp(style, it->style) != 0) continue;
            int64_t left = db_col_int64(st, 1), line = db_col_int64(st, 0);
            for (size_t i = 0; i < n; i++)
                left -= items[i].proof[0] && items[i].receipt_row == it->receipt_row && items[i].line_no == line;
            if (left > 0) kept += left;
        }
        if (rc == TD_DONE) rc = TD_OK;
    }
    db_done(st);
    *whole = kept <= 0;
    return rc;
}

/* What a case adds to the aggregates, from its items as they were found
 * at opening (facts.h). A case counts as a return without a receipt when
 * some item lacks proof: a purchase found through the card or on a gift
 * receipt is as good as the receipt for the guard. A return with proof
 * soon after purchase (guard.quick_days; not a defect, not a present, not an
 * exchange) is a quick return, whole when the customer keeps nothing of its
 * style from that receipt; a receipt whose line came back in full is counted as
 * offered again. */
static int case_facts(struct dctx *c, const struct policy *p, enum policy_kind kind, bool receipt, int64_t customer_id,
                      int64_t store_id, int64_t case_id, const struct desk_item *items, size_t n,
                      struct facts_case *fc)
{
    memset(fc, 0, sizeof *fc);
    fc->customer_id = customer_id;
    fc->case_id = case_id;
    fc->store_id = store_id;
    fc->is_return = is_return_kind(kind);
    bool unproven = false;
    for (size_t i = 0; i < n; i++) unproven |= !items[i].proof[0];
    fc->no_receipt = !receipt && unproven;
    int rc = TD_OK;
    for (size_t i = 0; i < n && rc == TD_OK; i++) {
        const struct desk_item *it = &items[i];
        bool claim = kind != POLICY_KIND_REPAIR && it->condition != POLICY_COND_DEFECTIVE;
        if (!it->sold_here) {
            fc->not_sold_here += claim;
            continue;
        }
        fc->items_returned++;
        facts_item_key(it->product_id, it->receipt_row, it->line_no, it->proof[0] != '\0', fc->items[fc->n_products]);
        fc->categories[fc->n_products++] = it->category[0] ? it->category : NULL;
        if (fc->is_return && it->condition == POLICY_COND_WORN && it->days_since_purchase >= 0 &&
            it->days_since_purchase <= p->worn_soon_days)
            fc->worn_soon++;
        bool with_receipt = strcmp(it->proof, "receipt") == 0 || strcmp(it->proof, "gift_receipt") == 0;
        if (fc->is_return && with_receipt && it->spent) fc->spent_lines++;
        /* An exchange keeps the purchase's value in goods (another size):
         * no money back, so it is no return soon after purchase here. */
        bool own = strcmp(it->proof, "receipt") == 0 || strcmp(it->proof, "card") == 0;
        if (fc->is_return && kind != POLICY_KIND_EXCHANGE && own && !it->spent && it->condition != POLICY_COND_DEFECTIVE &&
            it->days_since_purchase >= 0 && it->days_since_purchase <= p->guard.quick_days && customer_id) {
            struct facts_quick *q = &fc->quick[fc->n_quick++];
            q->item_no = it->item_no;
            q->category = it->category[0] ? it->category : NULL;
            q->style = it->style;
            rc = style_all_back(c, it, items, n, &q->whole);
        }
    }
    return rc;
}

static int insert_case(struct dctx *c, const struct desk_case_in *in, int64_t store_id, int64_t *id)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db,
                        "INSERT INTO cases (store_id, customer_id, associate_id, kind, receipt, customer_words, referral_to,"
                        " referral_reason, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)"
                        " RETURNING id", &st);
    if (rc != TD_OK) return rc;
    const char *reason = in->referral.reason ? policy_referral_name(in->referral.reason) : NULL;
    rc = db_bindf(st, "inntitttii", store_id, in->customer_id, c->actor.staff_id, policy_kind_name(in->kind),
                  (int64_t)in->receipt, in->customer_words ? in->customer_words : "",
                  in->referral.to && *in->referral.to ? in->referral.to : NULL, reason, c->now_us, c->now_us);
    if (rc == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        *id = db_col_int64(st, 0);
        rc = TD_OK;
    }
    db_done(st);
    return rc;
}

static int insert_item(struct dctx *c, int64_t case_id, const struct desk_item *it)
{
    return db_run(c->db,
                  "INSERT INTO case_items (case_id, item_no, sold_here, receipt_id, product_id, brand, description,"
                  " category, price_cents, lowest_cents, days_since_purchase, item_condition, line_no, proof)"
                  " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", NULL, "iiinntttiiitnt", case_id,
                  (int64_t)it->item_no, (int64_t)it->sold_here, it->receipt_row, it->product_id,
                  it->brand[0] ? it->brand : NULL, it->description[0] ? it->description : NULL,
                  it->category[0] ? it->category : NULL, it->price_cents, it->lowest_cents,
                  (int64_t)it->days_since_purchase, policy_condition_name(it->condition), it->line_no,
                  it->proof[0] ? it->proof : NULL);
}

int desk_case_create(struct dctx *c, const struct desk_case_in *in, struct errors *err, int64_t *id)
{
    if (in->kind < POLICY_KIND_RETURN || in->kind > POLICY_KIND_REFERRAL)
        errors_add(err, "kind", "must be one of return, exchange, repair, complaint, price_adjustment, referral");
    struct store s = {0};
    if (!in->store_code || !*in->store_code) errors_add(err, "store_code", "is required");
    else if (store_get_by_code(c, in->store_code, &s) != TD_OK) errors_add(err, "store_code", "no store has this code");
    if (in->customer_id) {
        struct db_stmt *st = NULL;
        int rc = db_prepare(c->db, "SELECT erased_at IS NULL FROM customers WHERE id = ?", &st);
        if (rc != TD_OK) return rc;
        if ((rc = db_bindf(st, "i", in->customer_id)) == TD_OK) rc = db_step(st);
        int ok = rc == TD_ROW && db_col_int64(st, 0);
        db_done(st);
        if (rc != TD_ROW && rc != TD_DONE) return rc;
        if (!ok) errors_add(err, "customer_id", "no such customer");
    }
    check_text(err, "customer_words", in->customer_words, DESK_WORDS_MAX, 0);
    if (in->referral.to) check_text(err, "referral.to", in->referral.to, DESK_TEXT_MAX, 1);
    if (in->referral.to && !in->referral.reason)
        errors_add(err, "referral.reason", "must be one of not_in_range, cheaper_elsewhere, out_of_stock, other");
    if (in->walk_in_contact && *in->walk_in_contact) {
        char normal[IDENTITY_CONTACT_SZ];
        if (in->customer_id)
            errors_add(err, "walk_in_contact", "is only for a walk-in: a customer's returns count through their account");
        else if (identity_normal_contact(in->walk_in_contact, normal) != TD_OK)
            errors_add(err, "walk_in_contact", "must be a phone number, an e-mail address or an ID reference (a document"
                                               " number, never a citizen service number)");
    }
    if (in->n_items < 1 || in->n_items > POLICY_ITEMS_MAX) {
        errors_add(err, "items", "must hold 1 to %d items", POLICY_ITEMS_MAX);
        return TD_E_INVALID;
    }
    if (err->n) return TD_E_INVALID;

    struct policy p;
    int rc = policy_effective(c, s.id, &p);
    if (rc != TD_OK) return rc;
    struct desk_item *items = calloc(in->n_items, sizeof *items);
    if (!items) return TD_E_NOMEM;
    for (size_t i = 0; i < in->n_items && rc == TD_OK; i++) rc = resolve_item(c, &p, in, i, items, err);
    if (rc == TD_OK && err->n) rc = TD_E_INVALID;
    if (rc == TD_OK) rc = insert_case(c, in, s.id, id);
    for (size_t i = 0; i < in->n_items && rc == TD_OK; i++) rc = insert_item(c, *id, &items[i]);
    if (rc == TD_OK) rc = event(c, *id, "opened", policy_kind_name(in->kind));
    struct facts_case fc;
    if (rc == TD_OK) rc = case_facts(c, &p, in->kind, in->receipt, in->customer_id, s.id, *id, items, in->n_items, &fc);
    if (rc == TD_OK) rc = facts_add_case(c, &fc);
    free(items);
    /* A walk-in's contact given with the case is kept when the desk asks
     * for one (the case as stored is what it decides on). */
    if (rc == TD_OK && in->walk_in_contact && *in->walk_in_contact) {
        struct desk_case *k = malloc(sizeof *k);
        rc = k ? desk_case_get(c, *id, k) : TD_E_NOMEM;
        if (rc == TD_OK) rc = keep_walk_in_contact(c, k, in->walk_in_contact, POLICY_REFER_NONE, true, err);
        free(k);
    }
    return rc;
}

/* ---- reading cases ------------------------------------------------------- */

#define CASE_COLS                                                                                                     \
    "k.id, k.store_id, COALESCE(k.customer_id, 0), COALESCE(k.associate_id, 0), s.code, COALESCE(a.login, ''),"      \
    " k.kind, k.receipt, k.customer_words, COALESCE(k.referral_to, ''), COALESCE(k.referral_reason, ''), k.status,"  \
    " k.version, k.created_at, k.updated_at, COALESCE(k.rec_resolution, ''), COALESCE(k.rec_amount_cents, 0),"        \
    " COALESCE(k.rec_needs_approval, 0), COALESCE(k.policy_version, ''), COALESCE(k.risk_score, 0),"                 \
    " COALESCE(k.risk_level, ''), COALESCE(k.rec_reasons, ''), COALESCE(k.resolution, ''),"                          \
    " COALESCE(k.amount_cents, 0), COALESCE(k.override_reason, ''), COALESCE(k.resolved_at, 0),"                     \
    " COALESCE(k.resolved_by, 0), COALESCE(k.approval_by, 0), COALESCE(k.credit_note_id, 0),"                        \
    " COALESCE(k.approval_note, ''), COALESCE(w.key, '')"
#define CASE_FROM                                                                                                     \
    " FROM cases k JOIN stores s ON s.id = k.store_id LEFT JOIN staff a ON a.id = k.associate_id"                     \
    " LEFT JOIN case_walk_ins w ON w.case_id = k.id"

static int read_case(struct db_stmt *st, struct desk_case *k)
{
    memset(k, 0, offsetof(struct desk_case, items));
    k->n_items = 0;
    k->id = db_col_int64(st, 0);
    k->store_id = db_col_int64(st, 1);
    k->customer_id = db_col_int64(st, 2);
    k->associate_id = db_col_int64(st, 3);
    k->kind = desk_kind_parse(db_col_text(st, 6));
    k->receipt = db_col_int64(st, 7) != 0;
    k->referral_reason = desk_referral_parse(db_col_text(st, 10));
    k->version = db_col_int64(st, 12);
    k->created_at = db_col_int64(st, 13);
    k->updated_at = db_col_int64(st, 14);
    k->rec_amount_cents = db_col_int64(st, 16);
    k->rec_needs_approval = db_col_int64(st, 17) != 0;
    k->risk_score = db_col_int64(st, 19);
    k->amount_cents = db_col_int64(st, 23);
    k->resolved_at = db_col_int64(st, 25);
    k->resolved_by = db_col_int64(st, 26);
    k->approval_by = db_col_int64(st, 27);
    k->credit_note_id = db_col_int64(st, 28);
    if (domain_copy(k->store_code, sizeof k->store_code, db_col_text(st, 4)) != TD_OK ||
        domain_copy(k->associate_login, sizeof k->associate_login, db_col_text(st, 5)) != TD_OK ||
        domain_copy(k->customer_words, sizeof k->customer_words, db_col_text(st, 8)) != TD_OK ||
        domain_copy(k->referral_to, sizeof k->referral_to, db_col_text(st, 9)) != TD_OK ||
        domain_copy(k->status, sizeof k->status, db_col_text(st, 11)) != TD_OK ||
        domain_copy(k->rec_resolution, sizeof k->rec_resolution, db_col_text(st, 15)) != TD_OK ||
        domain_copy(k->policy_version, sizeof k->policy_version, db_col_text(st, 18)) != TD_OK ||
        domain_copy(k->risk_level, sizeof k->risk_level, db_col_text(st, 20)) != TD_OK ||
        domain_copy(k->rec_reasons, sizeof k->rec_reasons, db_col_text(st, 21)) != TD_OK ||
        domain_copy(k->resolution, sizeof k->resolution, db_col_text(st, 22)) != TD_OK ||
        domain_copy(k->override_reason, sizeof k->override_reason, db_col_text(st, 24)) != TD_OK ||
        domain_copy(k->approval_note, sizeof k->approval_note, db_col_text(st, 29)) != TD_OK ||
        domain_copy(k->walk_in_key, sizeof k->walk_in_key, db_col_text(st, 30)) != TD_OK)
        return TD_E_INTERNAL;
    return TD_OK;
}

static int read_items(struct dctx *c, struct desk_case *k)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db,
                        "SELECT i.item_no, i.sold_here, COALESCE(r.receipt_ref, ''), COALESCE(p.sku, ''),"
                        " COALESCE(i.brand, ''), COALESCE(i.description, COALESCE(p.name, '')), COALESCE(i.category, ''),"
                        " i.price_cents, i.lowest_cents, i.days_since_purchase, i.item_condition, COALESCE(i.product_id, 0),"
                        " COALESCE(i.receipt_id, 0), COALESCE(i.line_no, 0), COALESCE(i.proof, '')"
                        " FROM case_items i LEFT JOIN receipts r ON r.id = i.receipt_id"
                        " LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = ? ORDER BY i.item_no", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "i", k->id)) != TD_OK) goto out;
    k->n_items = 0;
    while ((rc = db_step(st)) == TD_ROW && k->n_items < POLICY_ITEMS_MAX) {
        struct desk_item *it = &k->items[k->n_items++];
        memset(it, 0, sizeof *it);
        it->item_no = (int)db_col_int64(st, 0);
        it->sold_here = db_col_int64(st, 1) != 0;
        it->price_cents = db_col_int64(st, 7);
        it->lowest_cents = db_col_int64(st, 8);
        it->days_since_purchase = (int)db_col_int64(st, 9);
        it->condition = desk_condition_parse(db_col_text(st, 10));
        it->product_id = db_col_int64(st, 11);
        it->receipt_row = db_col_int64(st, 12);
        it->line_no = db_col_int64(st, 13);
        if (domain_copy(it->proof, sizeof it->proof, db_col_text(st, 14)) != TD_OK ||
            domain_copy(it->receipt_ref, sizeof it->receipt_ref, db_col_text(st, 2)) != TD_OK ||
            domain_copy(it->sku, sizeof it->sku, db_col_text(st, 3)) != TD_OK ||
            domain_copy(it->brand, sizeof it->brand, db_col_text(st, 4)) != TD_OK ||
            domain_copy(it->description, sizeof it->description, db_col_text(st, 5)) != TD_OK ||
            domain_copy(it->category, sizeof it->category, db_col_text(st, 6)) != TD_OK) {
            rc = TD_E_INTERNAL;
            goto out;
        }
    }
    if (rc == TD_DONE || rc == TD_ROW) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

int desk_case_get(struct dctx *c, int64_t id, struct desk_case *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT " CASE_COLS CASE_FROM " WHERE k.id = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "i", id)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) rc = read_case(st, out);
    else if (rc == TD_DONE) rc = TD_E_NOT_FOUND;
    db_done(st);
    if (rc == TD_OK) rc = read_items(c, out);
    return rc;
}

int desk_case_events(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct desk_event *e), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db,
                        "SELECT e.at, s.login, e.action, e.detail FROM case_events e LEFT JOIN staff s ON s.id = e.staff_id"
                        " WHERE e.case_id = ? ORDER BY e.id", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "i", id)) != TD_OK) goto out;
    while ((rc = db_step(st)) == TD_ROW) {
        struct desk_event e = {db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3)};
        if ((rc = fn(arg, &e)) != TD_OK) goto out;
    }
    if (rc == TD_DONE) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

int desk_cases_each(struct dctx *c, const struct desk_filter *f, int64_t before, int limit,
                    int (*fn)(void *arg, const struct desk_case *k), void *arg, int64_t *next)
{
    *next = 0;
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db,
                        "SELECT " CASE_COLS CASE_FROM
                        " WHERE (? = 0 OR k.store_id = ?) AND (CAST(? AS TEXT) IS NULL OR k.status = ?)"
                        " AND (CAST(? AS TEXT) IS NULL OR k.kind = ?) AND (? = 0 OR k.associate_id = ?)"
                        " AND (? = 0 OR k.customer_id = ?) AND (? = 0 OR k.created_at >= ?)"
                        " AND (? = 0 OR k.created_at < ?) AND (? = 0 OR k.id < ?)"
                        " ORDER BY k.id DESC LIMIT ?", &st);
    if (rc != TD_OK) goto out;
    rc = db_bindf(st, "iittttiiiiiiiiiii", f->store_id, f->store_id, f->status, f->status, f->kind, f->kind,
                  f->associate_id, f->associate_id, f->customer_id, f->customer_id, f->from_us, f->from_us, f->to_us,
                  f->to_us, before, before, (int64_t)limit + 1);
    int n = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if (++n > limit) {
            rc = TD_DONE;
            break;
        }
        if ((rc = read_case(st, k)) != TD_OK) break;
        *next = k->id;
        rc = fn(arg, k);
    }
    if (rc == TD_DONE) {
        rc = TD_OK;
        if (n <= limit) *next = 0;
    }
out:
    db_done(st);
    free(k);
    return rc;
}

/* ---- the recommendation -------------------------------------------------- */

static int brand_carried(struct dctx *c, const char *brand, bool *carried)
{
    struct db_stmt *st = NULL;
    *carried = false;
    int rc = db_prepare(c->db, "SELECT 1 FROM products WHERE lower(brand) = lower(?) LIMIT 1", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "t", brand)) == TD_OK) rc = db_step(st);
    *carried = rc == TD_ROW;
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

/* ---- purchase lines: what came back -------------------------------------- */

/* What a resolution does with an item's purchase line: nothing; claim a unit
 * of what is left; or take a unit back beyond the quantity bought (only on a
 * manager's approval). */
enum line_claim { LINE_NONE = 0, LINE_CLAIM = 1, LINE_BEYOND = 2 };

/* One purchase line as other cases left it: its units, how many came back,
 * and the last of those returns (its Amsterdam date and store; "" when none
 * came back). */
struct line_state {
    int bought, returned;
    char on[16], store[NAME_SZ];
};

static int line_state(struct dctx *c, int64_t case_id, int64_t receipt_row, int64_t line_no, struct line_state *out)
{
    memset(out, 0, sizeof *out);
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT l.quantity, COALESCE(x.returned + x.beyond, 0) FROM purchase_lines l"
                               " LEFT JOIN line_returns x ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no"
                               " WHERE l.receipt_id = ? AND l.line_no = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "ii", receipt_row, line_no)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        out->bought = (int)db_col_int64(st, 0);
        out->returned = (int)db_col_int64(st, 1);
    }
    db_done(st);
    if (rc != TD_ROW) return rc == TD_DONE ? TD_OK : rc;     /* no such line (since erased): nothing to count */
    if (out->returned == 0) return TD_OK;
    /* Units this case claimed itself (it is decided again after it was
     * resolved) did not come back before it. */
    int64_t mine = 0;
    if ((rc = db_get_int64(c->db, "SELECT COUNT(*) FROM line_return_claims WHERE receipt_id = ? AND line_no = ? AND case_id = ?",
                           &mine, "iii", receipt_row, line_no, case_id)) != TD_OK)
        return rc;
    out->returned -= (int)mine;
    if (out->returned <= 0) {
        out->returned = 0;
        return TD_OK;
    }
    if ((rc = db_prepare(c->db, "SELECT k.at, s.name FROM line_return_claims k JOIN stores s ON s.id = k.store_id"
                                " WHERE k.receipt_id = ? AND k.line_no = ? AND k.case_id <> ?"
                                " ORDER BY k.at DESC, k.case_id DESC LIMIT 1", &st)) != TD_OK)
        return rc;
    if ((rc = db_bindf(st, "iii", receipt_row, line_no, case_id)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) {
        int64_t at = db_col_int64(st, 0);
        clock_format_rfc3339(at + (int64_t)clock_amsterdam_offset(at / 1000000) * 1000000, out->on, sizeof out->on);
        out->on[10] = '\0';
        TD_BEST_EFFORT(domain_copy(out->store, sizeof out->store, db_col_text(st, 1)));
    }
    db_done(st);
    return rc == TD_ROW || rc == TD_DONE ? TD_OK : rc;
}

/* Whether a tracked item's goods come back in this kind of case (a
 * complaint about a defect is handled as a return of the item). */
static bool comes_back(const struct desk_case *k, const struct desk_item *it)
{
    return is_return_kind(k->kind) || (k->kind == POLICY_KIND_COMPLAINT && it->condition == POLICY_COND_DEFECTIVE);
}

/* The recommendation for case k as of now, and per item what resolving it
 * would do with its purchase line (lines may be NULL). Reads only. */
static int decide_case(struct dctx *c, const struct desk_case *k, enum policy_referral referral, struct decision *d,
                       struct risk *risk, enum line_claim *lines)
{
    struct case_in ci;
    memset(&ci, 0, sizeof ci);
    ci.kind = k->kind;
    ci.receipt = k->receipt;
    ci.referral = k->referral_reason ? k->referral_reason : referral;
    ci.walk_in_contact = k->walk_in_key[0] != '\0';
    ci.n_items = k->n_items;
    const char *cats[POLICY_ITEMS_MAX];
    int ncats = 0, rc = TD_OK;
    int left[POLICY_ITEMS_MAX] = {0};
    struct line_state *ls = calloc(POLICY_ITEMS_MAX, sizeof *ls);
    if (!ls) return TD_E_NOMEM;
    for (size_t i = 0; i < k->n_items && rc == TD_OK; i++) {
        const struct desk_item *it = &k->items[i];
        struct case_item *x = &ci.items[i];
        x->sold_here = it->sold_here;
        x->condition = it->condition;
        x->days_since_purchase = it->days_since_purchase;
        x->category = it->category[0] ? it->category : NULL;
        if (it->sold_here) {
            x->price_paid_cents = it->price_cents;
            x->lowest_recent_cents = it->lowest_cents;
            x->card_proof = strcmp(it->proof, "card") == 0;
            x->gift_receipt = strcmp(it->proof, "gift_receipt") == 0;
            if (x->category) cats[ncats++] = x->category;
            if (it->receipt_row && it->line_no) {
                if ((rc = line_state(c, k->id, it->receipt_row, it->line_no, &ls[i])) != TD_OK) break;
                int taken = 0;                    /* by earlier items of this case */
                for (size_t j = 0; j < i; j++)
                    taken += k->items[j].proof[0] && k->items[j].receipt_row == it->receipt_row &&
                             k->items[j].line_no == it->line_no;
                left[i] = it->proof[0] ? ls[i].bought - ls[i].returned - taken : 0;
                x->line_quantity = ls[i].bought;
                x->line_returned = ls[i].returned + taken < ls[i].bought ? ls[i].returned + taken : ls[i].bought;
                x->returned_on = ls[i].on[0] ? ls[i].on : NULL;
                x->returned_store = ls[i].store[0] ? ls[i].store : NULL;
            }
        } else {
            x->brand = it->brand;
            x->description = it->description;
            x->stated_price_cents = it->price_cents;
            rc = brand_carried(c, it->brand, &x->brand_carried);
        }
    }
    struct policy p;
    struct customer_facts facts;
    struct guard_signals sig;
    if (rc == TD_OK) rc = policy_effective(c, k->store_id, &p);
    const char *key = k->walk_in_key[0] ? k->walk_in_key : NULL;
    if (rc == TD_OK) rc = facts_load(c, k->customer_id, key, p.guard.linked_accounts, cats, ncats, &facts, &sig);
    if (rc == TD_E_NOT_FOUND) rc = facts_load(c, 0, NULL, false, cats, ncats, &facts, &sig);   /* erased since: as a walk-in */
    if (rc == TD_OK) rc = guard_score(&p.guard, &sig, risk);
    if (rc == TD_OK) {
        rc = policy_decide(&p, &ci, &facts, risk, d);
        if (rc == TD_E_INVALID) rc = TD_E_INTERNAL;
    }
    for (size_t i = 0; lines && rc == TD_OK && i < k->n_items; i++)
        lines[i] = left[i] > 0                 ? LINE_CLAIM
                 : d->items[i].beyond_quantity ? LINE_BEYOND
                                               : LINE_NONE;   /* no proof, or a card line that came back */
    free(ls);
    return rc;
}

int desk_decide(struct dctx *c, int64_t id, struct decision *d, struct risk *risk)
{
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    int rc = desk_case_get(c, id, k);
    if (rc == TD_OK) rc = decide_case(c, k, POLICY_REFER_NONE, d, risk, NULL);
    free(k);
    return rc;
}

/* ---- resolving ----------------------------------------------------------- */

static json_t *reasons_json(const struct reason *r, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) json_array_append_new(a, json_pack("{s:s,s:s}", "nl", r[i].nl, "en", r[i].en));
    return a;
}

static bool moves_money(enum policy_resolution r)
{
    return r == POLICY_RES_REFUND || r == POLICY_RES_STORE_CREDIT || r == POLICY_RES_EXCHANGE ||
           r == POLICY_RES_REFER_ELSEWHERE;
}

/* Details kept while a case waits for approval. */
struct pending {
    const char *referral_to;
    enum policy_referral referral_reason;
    const char *manufacturer, *rma_number;
};

static void resolve_check(const struct desk_case *k, const struct desk_resolve_in *in, const struct decision *d,
                          struct errors *err, bool *override)
{
    if (in->resolution < POLICY_RES_REFUND || in->resolution > POLICY_RES_DECLINE)
        errors_add(err, "resolution", "must be one of refund, store_credit, exchange, repair_manufacturer, repair_in_store,"
                                      " refer_elsewhere, decline");
    if (in->amount_cents < 0 || in->amount_cents > LEDGER_MAX_CENTS)
        errors_add(err, "amount_cents", "must be between 0 and %lld cents", (long long)LEDGER_MAX_CENTS);
    else if (!moves_money(in->resolution) && in->amount_cents != 0)
        errors_add(err, "amount_cents", "must be 0 for a %s", policy_resolution_name(in->resolution)
                                                                  ? policy_resolution_name(in->resolution) : "resolution");
    else if (in->resolution == POLICY_RES_STORE_CREDIT && in->amount_cents == 0)
        errors_add(err, "amount_cents", "must be above 0 for store credit");
    if (in->resolution == POLICY_RES_REFER_ELSEWHERE && !k->referral_to[0]) {
        check_text(err, "referral.to", in->referral.to, DESK_TEXT_MAX, 1);
        if (!in->referral.reason)
            errors_add(err, "referral.reason", "must be one of not_in_range, cheaper_elsewhere, out_of_stock, other");
    }
    check_text(err, "manufacturer", in->manufacturer, DESK_TEXT_MAX, 0);
    check_text(err, "rma_number", in->rma_number, DESK_RMA_MAX, 0);
    *override = in->resolution != d->resolution || in->amount_cents > d->max_amount_cents;
    if (*override) check_text(err, "override_reason", in->override_reason, DESK_NOTE_MAX, 1);
    else check_text(err, "override_reason", in->override_reason, DESK_NOTE_MAX, 0);
}

/* Which lines resolving with (res, amount) claims, from what the decision
 * found (state): units of what is left for every item whose goods come back
 * when money moves (not an item the decision repairs); a unit beyond the
 * quantity only for an item that this resolution pays for — the policy's
 * own amount for it (a manager decides) or more than the recommendation. */
static void plan_lines(const struct desk_case *k, const struct decision *d, const enum line_claim *state,
                       enum policy_resolution res, int64_t amount, enum line_claim *out)
{
    memset(out, 0, POLICY_ITEMS_MAX * sizeof *out);
    if (!moves_money(res) || amount <= 0) return;
    for (size_t i = 0; i < k->n_items; i++) {
        const struct policy_item_result *r = &d->items[i];
        if (!comes_back(k, &k->items[i])) continue;
        if (state[i] == LINE_CLAIM && r->resolution != POLICY_RES_REPAIR_IN_STORE &&
            r->resolution != POLICY_RES_REPAIR_MANUFACTURER)
            out[i] = LINE_CLAIM;
        else if (state[i] == LINE_BEYOND && (r->amount_cents > 0 || amount > d->max_amount_cents))
            out[i] = LINE_BEYOND;
    }
}

/* Claims the planned units, in (receipt, line) order so that two cases
 * never wait for each other's lines in opposite orders. A unit of what is
 * left is a conditional upsert that only one transaction can make for the
 * last unit (on PostgreSQL the second waits and then finds the line spent):
 * if none is left the case was overtaken, TD_E_CONFLICT, nothing is issued.
 * A unit beyond the quantity needs approver (a manager approving now); it
 * is recorded with them. */
static int claim_lines(struct dctx *c, const struct desk_case *k, const enum line_claim *lines, int64_t approver,
                       struct errors *err)
{
    size_t order[POLICY_ITEMS_MAX], n = 0;
    for (size_t i = 0; lines && i < k->n_items; i++) {
        if (lines[i] == LINE_NONE) continue;
        size_t j = n++;
        const struct desk_item *a = &k->items[i];
        for (; j > 0; j--) {
            const struct desk_item *b = &k->items[order[j - 1]];
            if (b->receipt_row < a->receipt_row || (b->receipt_row == a->receipt_row && b->line_no <= a->line_no)) break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
    int rc = TD_OK;
    for (size_t o = 0; o < n && rc == TD_OK; o++) {
        size_t i = order[o];
        const struct desk_item *it = &k->items[i];
        int64_t got = 0, beyond = 0;
        rc = db_run(c->db,
                    "INSERT INTO line_returns (receipt_id, line_no, customer_id, bought, returned)"
                    " SELECT receipt_id, line_no, customer_id, quantity, 1 FROM purchase_lines WHERE receipt_id = ? AND line_no = ?"
                    " ON CONFLICT (receipt_id, line_no) DO UPDATE SET returned = line_returns.returned + 1"
                    " WHERE line_returns.returned < line_returns.bought", &got, "ii", it->receipt_row, it->line_no);
        if (rc == TD_OK && got != 1 && lines[i] == LINE_BEYOND && approver) {
            rc = db_run(c->db, "UPDATE line_returns SET beyond = beyond + 1 WHERE receipt_id = ? AND line_no = ?"
                               " AND returned = bought", &got, "ii", it->receipt_row, it->line_no);
            beyond = 1;
        }
        if (rc == TD_OK && got != 1) {
            errors_set_message(err, "item %d: its receipt line came back in another case meanwhile; ask the desk again",
                               it->item_no);
            rc = TD_E_CONFLICT;
        }
        if (rc == TD_OK)
            rc = db_run(c->db,
                        "INSERT INTO line_return_claims (case_id, item_no, receipt_id, line_no, store_id, at, beyond, approved_by)"
                        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)", NULL, "iiiiiiin", k->id, (int64_t)it->item_no, it->receipt_row,
                        it->line_no, k->store_id, c->now_us, beyond, approver);
    }
    return rc;
}

/* Makes the resolution happen: the purchase lines' units, the credit note,
 * the repair, the referral. approver: the manager approving now, else 0. */
static int apply(struct dctx *c, const struct ledger_config *lc, const struct desk_case *k, enum policy_resolution res,
                 int64_t amount, const struct pending *pd, const enum line_claim *lines, int64_t approver,
                 struct errors *err, struct desk_outcome *out)
{
    int rc = claim_lines(c, k, lines, approver, err);
    if (rc != TD_OK) return rc;
    if (res == POLICY_RES_STORE_CREDIT) {
        bool ours = is_return_kind(k->kind);
        for (size_t i = 0; i < k->n_items; i++) ours &= k->items[i].sold_here;
        char reason[64];
        snprintf(reason, sizeof reason, "case %lld (%s)", (long long)k->id, policy_kind_name(k->kind));
        struct ledger_issue li = {.amount_cents = amount, .reason = reason, .funding = ours ? "refund" : "goodwill",
                                  .customer_id = k->customer_id, .case_id = k->id, .store_id = k->store_id};
        /* The policy (and, above it, a manager) decided the amount: the
         * associate's own limit for loose notes does not apply here. */
        struct ledger_config cfg = *lc;
        cfg.associate_limit_cents = LEDGER_MAX_CENTS;
        if ((rc = ledger_issue(c, &cfg, &li, err, out->credit_code, &out->note)) != TD_OK) return rc;
        rc = db_run(c->db, "UPDATE cases SET credit_note_id = ? WHERE id = ?", NULL, "ii", out->note.id, k->id);
    } else if (res == POLICY_RES_REPAIR_MANUFACTURER || res == POLICY_RES_REPAIR_IN_STORE) {
        const char *maker = pd->manufacturer && *pd->manufacturer ? pd->manufacturer : k->items[0].brand;
        rc = db_run(c->db,
                    "INSERT INTO repairs (case_id, store_id, via, manufacturer, rma_number, status, created_at, updated_at)"
                    " VALUES (?, ?, ?, ?, ?, 'taken_in', ?, ?)", NULL, "iitttii", k->id, k->store_id,
                    res == POLICY_RES_REPAIR_MANUFACTURER ? "manufacturer" : "store", maker && *maker ? maker : NULL,
                    pd->rma_number && *pd->rma_number ? pd->rma_number : NULL, c->now_us, c->now_us);
    } else if (res == POLICY_RES_REFER_ELSEWHERE) {
        const char *to = k->referral_to[0] ? k->referral_to : pd->referral_to;
        enum policy_referral why = k->referral_reason ? k->referral_reason : pd->referral_reason;
        rc = db_run(c->db,
                    "INSERT INTO referrals (case_id, store_id, customer_id, to_name, reason, category, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)", NULL, "iinttti", k->id, k->store_id, k->customer_id, to,
                    policy_referral_name(why), k->items[0].category[0] ? k->items[0].category : NULL, c->now_us);
        /* A referral named only at resolving becomes the case's too. */
        if (rc == TD_OK && !k->referral_to[0])
            rc = db_run(c->db, "UPDATE cases SET referral_to = ?, referral_reason = ? WHERE id = ?", NULL, "tti", to,
                        policy_referral_name(why), k->id);
    }
    if (rc != TD_OK) return rc;
    rc = db_run(c->db, "UPDATE cases SET status = 'resolved', resolved_at = ?, updated_at = ?, version = version + 1"
                       " WHERE id = ?", NULL, "iii", c->now_us, c->now_us, k->id);
    if (rc != TD_OK) return rc;
    char detail[96];
    snprintf(detail, sizeof detail, "%s %lld", policy_resolution_name(res), (long long)amount);
    TD_BEST_EFFORT(domain_copy(out->status, sizeof out->status, "resolved"));
    return event(c, k->id, "resolved", detail);
}

/* Moves a case from one status to another if it is still there. */
static int claim(struct dctx *c, const struct desk_case *k, const char *from, const char *to)
{
    int64_t n = 0;
    int rc = db_run(c->db, "UPDATE cases SET status = ?, updated_at = ?, version = version + 1"
                           " WHERE id = ? AND status = ? AND version = ?", &n, "tiiti", to, c->now_us, k->id, from,
                    k->version);
    if (rc == TD_OK && n != 1) rc = TD_E_CONFLICT;
    return rc;
}

static int status_conflict(struct errors *err, const struct desk_case *k, const char *what)
{
    errors_set_message(err, "this case is %s; it cannot be %s", k->status, what);
    return TD_E_CONFLICT;
}

/* A walk-in's contact, given when the desk asks for it: kept as a key (never
 * as typed) with the case counted under it, so that the decision which
 * follows reads the walk-in's earlier visits. Refused for a customer's case
 * (their account counts) and when it is no phone number, e-mail address or
 * ID reference; where the desk does not ask for one it is not kept: refused
 * at resolving, left out quietly (quiet) when it came with the case, before
 * the desk could ask. */
static int keep_walk_in_contact(struct dctx *c, struct desk_case *k, const char *contact, enum policy_referral referral,
                                bool quiet, struct errors *err)
{
    if (k->customer_id) {
        errors_add(err, "walk_in_contact", "is only for a walk-in: a customer's returns count through their account");
        return TD_E_INVALID;
    }
    char key[IDENTITY_KEY_SZ];
    int rc = identity_contact_key(c, contact, key);
    if (rc == TD_E_INVALID)
        errors_add(err, "walk_in_contact", "must be a phone number, an e-mail address or an ID reference (a document"
                                           " number, never a citizen service number)");
    if (rc != TD_OK) return rc;
    if (k->walk_in_key[0]) {   /* given before, in an earlier request */
        if (strcmp(k->walk_in_key, key) == 0) return TD_OK;
        errors_add(err, "walk_in_contact", "differs from the contact given for this case before");
        return TD_E_INVALID;
    }
    struct decision d;
    struct risk risk;
    if ((rc = decide_case(c, k, referral, &d, &risk, NULL)) != TD_OK) return rc;
    if (!d.ask_walk_in_contact) {
        if (quiet) return TD_OK;           /* given with the case before the desk could ask: not kept */
        errors_add(err, "walk_in_contact", "is not needed for this case: the desk asks for it only for a return without"
                                           " a receipt above the policy's amount");
        return TD_E_INVALID;
    }
    struct policy p;
    struct facts_case fc;
    rc = db_run(c->db, "INSERT INTO case_walk_ins (case_id, key, at) VALUES (?, ?, ?)", NULL, "iti", k->id, key, c->now_us);
    if (rc == TD_OK) rc = policy_effective(c, k->store_id, &p);
    if (rc == TD_OK) rc = case_facts(c, &p, k->kind, k->receipt, 0, k->store_id, k->id, k->items, k->n_items, &fc);
    if (rc == TD_OK) rc = facts_add_walk_in(c, key, &fc);
    if (rc == TD_OK) TD_BEST_EFFORT(domain_copy(k->walk_in_key, sizeof k->walk_in_key, key));
    return rc;
}

int desk_resolve(struct dctx *c, const struct ledger_config *lc, int64_t id, const struct desk_resolve_in *in,
                 struct errors *err, struct desk_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    json_t *rec = NULL, *pend = NULL;
    struct decision d;
    struct risk risk;
    bool override = false;
    int rc = desk_case_get(c, id, k);
    if (rc != TD_OK) goto out;
    if (strcmp(k->status, "open") != 0) {
        rc = status_conflict(err, k, "resolved");
        goto out;
    }
    if (in->walk_in_contact && *in->walk_in_contact &&
        (rc = keep_walk_in_contact(c, k, in->walk_in_contact, in->referral.reason, false, err)) != TD_OK)
        goto out;
    enum line_claim state[POLICY_ITEMS_MAX] = {LINE_NONE}, lines[POLICY_ITEMS_MAX];
    if ((rc = decide_case(c, k, in->referral.reason, &d, &risk, state)) != TD_OK) goto out;
    struct desk_resolve_in accepted;
    if (in->accept) {                /* one decision instead of a decide, then a resolve */
        accepted = *in;
        accepted.resolution = d.resolution;
        accepted.amount_cents = d.max_amount_cents;
        in = &accepted;
    }
    /* A receipt line came back in full since the associate asked (another
     * till, another store), and the request, valid otherwise, still asks for
     * its money without a reason to depart: it is stale, not wrong — say so. */
    resolve_check(k, in, &d, err, &override);
    bool stale = err->n == 1 && strcmp(err->item[0].field, "override_reason") == 0 &&
                 strcmp(err->item[0].problem, "is required") == 0;
    for (size_t i = 0; stale && i < d.n_items; i++) {
        if (!d.items[i].beyond_quantity) continue;
        errors_init(err);
        errors_set_message(err, "item %zu: its receipt line has already come back in full; ask the desk again", i + 1);
        rc = TD_E_CONFLICT;
        goto out;
    }
    if (err->n) {
        rc = TD_E_INVALID;
        goto out;
    }
    bool needs = in->amount_cents > 0 && (d.needs_approval || in->amount_cents > d.max_amount_cents);
    const char *next = needs ? "awaiting_approval" : "resolved";
    if ((rc = claim(c, k, "open", next)) != TD_OK) {
        if (rc == TD_E_CONFLICT) errors_set_message(err, "this case was changed at the same time; reload it");
        goto out;
    }
    rec = json_pack("{s:o,s:o}", "reasons", reasons_json(d.reasons, d.n_reasons), "risk",
                    reasons_json(risk.reasons, risk.n_reasons));
    plan_lines(k, &d, state, in->resolution, in->amount_cents, lines);
    json_t *plan = json_array();
    for (size_t i = 0; plan && i < k->n_items; i++) json_array_append_new(plan, json_integer(lines[i]));
    pend = json_pack("{s:s?,s:s?,s:s?,s:s?,s:o?}", "referral_to", in->referral.to,
                     "referral_reason", in->referral.reason ? policy_referral_name(in->referral.reason) : NULL,
                     "manufacturer", in->manufacturer, "rma_number", in->rma_number, "lines", plan);
    char *rec_text = rec ? json_dumps(rec, JSON_COMPACT) : NULL;
    char *pend_text = pend ? json_dumps(pend, JSON_COMPACT) : NULL;
    if (!rec_text || !pend_text) rc = TD_E_NOMEM;
    else
        rc = db_run(c->db,
                    "UPDATE cases SET rec_resolution = ?, rec_amount_cents = ?, rec_needs_approval = ?, policy_version = ?,"
                    " risk_score = ?, risk_level = ?, rec_reasons = ?, resolution = ?, amount_cents = ?,"
                    " override_reason = ?, resolved_by = ?, pending_json = ? WHERE id = ?", NULL, "tiititttitnti",
                    policy_resolution_name(d.resolution), d.max_amount_cents, (int64_t)d.needs_approval, d.policy_version,
                    (int64_t)risk.score, guard_level_name(risk.level), rec_text, policy_resolution_name(in->resolution),
                    in->amount_cents, override && in->override_reason ? in->override_reason : NULL, c->actor.staff_id,
                    pend_text, id);
    free(rec_text);
    free(pend_text);
    if (rc != TD_OK) goto out;
    out->override = override;
    if (override) {
        char detail[DESK_NOTE_MAX * 4 + 64];
        snprintf(detail, sizeof detail, "recommended %s %lld: %s", policy_resolution_name(d.resolution),
                 (long long)d.max_amount_cents, in->override_reason);
        if ((rc = event(c, id, "overridden", detail)) != TD_OK) goto out;
    }
    if (needs) {
        TD_BEST_EFFORT(domain_copy(out->status, sizeof out->status, "awaiting_approval"));
        char detail[96];
        snprintf(detail, sizeof detail, "%s %lld", policy_resolution_name(in->resolution), (long long)in->amount_cents);
        rc = event(c, id, "approval_requested", detail);
        goto out;
    }
    struct pending pd = {in->referral.to, in->referral.reason, in->manufacturer, in->rma_number};
    rc = apply(c, lc, k, in->resolution, in->amount_cents, &pd, lines, 0, err, out);
out:
    json_decref(rec);
    json_decref(pend);
    free(k);
    return rc;
}

static int approver_check(struct dctx *c, const struct desk_case *k, struct errors *err)
{
    if (c->actor.role == ROLE_ADMIN) return TD_OK;
    if (c->actor.role == ROLE_MANAGER && c->actor.store_id == k->store_id) return TD_OK;
    errors_set_message(err, c->actor.role == ROLE_MANAGER ? "a manager approves cases of their own store only"
                                                          : "only a manager of the store or an admin approves");
    return TD_E_FORBIDDEN;
}

static int load_waiting(struct dctx *c, int64_t id, struct desk_case **k, struct errors *err, const char *what)
{
    *k = malloc(sizeof **k);
    if (!*k) return TD_E_NOMEM;
    int rc = desk_case_get(c, id, *k);
    if (rc != TD_OK) return rc;
    if ((rc = approver_check(c, *k, err)) != TD_OK) return rc;
    if (strcmp((*k)->status, "awaiting_approval") != 0) return status_conflict(err, *k, what);
    return TD_OK;
}

int desk_approve(struct dctx *c, const struct ledger_config *lc, int64_t id, const char *note, struct errors *err,
                 struct desk_outcome *out)
{
    memset(out, 0, sizeof *out);
    check_text(err, "note", note, DESK_NOTE_MAX, 0);
    if (err->n) return TD_E_INVALID;
    struct desk_case *k = NULL;
    json_t *pend = NULL;
    int rc = load_waiting(c, id, &k, err, "approved");
    if (rc != TD_OK) goto out;
    if (k->associate_id == c->actor.staff_id) {
        /* Four eyes: approval is a second person's judgement, even for an
         * admin; a manager's own case goes to another manager or an admin. */
        errors_set_message(err, "a case is approved by someone other than the person who opened it");
        rc = TD_E_FORBIDDEN;
        goto out;
    }
    if ((rc = claim(c, k, "awaiting_approval", "resolved")) != TD_OK) goto out;
    /* pending_json is not among CASE_COLS: read it here. */
    struct db_stmt *st = NULL;
    if ((rc = db_prepare(c->db, "SELECT COALESCE(pending_json, '{}') FROM cases WHERE id = ?", &st)) != TD_OK) goto out;
    if ((rc = db_bindf(st, "i", id)) == TD_OK && (rc = db_step(st)) == TD_ROW) {
        pend = json_loads(db_col_text(st, 0), 0, NULL);
        rc = TD_OK;
    }
    db_done(st);
    if (rc != TD_OK) goto out;
    struct pending pd = {json_string_value(json_object_get(pend, "referral_to")),
                         desk_referral_parse(json_string_value(json_object_get(pend, "referral_reason"))),
                         json_string_value(json_object_get(pend, "manufacturer")),
                         json_string_value(json_object_get(pend, "rma_number"))};
    /* The lines as planned when the case was sent for approval: what the
     * manager sees in its recommendation is what they approve. */
    enum line_claim lines[POLICY_ITEMS_MAX] = {LINE_NONE};
    json_t *plan = json_object_get(pend, "lines");
    for (size_t i = 0; i < k->n_items && i < json_array_size(plan); i++) {
        json_int_t v = json_integer_value(json_array_get(plan, i));
        lines[i] = v == LINE_CLAIM ? LINE_CLAIM : v == LINE_BEYOND ? LINE_BEYOND : LINE_NONE;
    }
    if ((rc = db_run(c->db, "UPDATE cases SET approval_by = ?, approval_note = ? WHERE id = ?", NULL, "iti",
                     c->actor.staff_id, note && *note ? note : NULL, id)) != TD_OK)
        goto out;
    if ((rc = event(c, id, "approved", note && *note ? note : NULL)) != TD_OK) goto out;
    out->override = k->override_reason[0] != '\0';
    rc = apply(c, lc, k, desk_resolution_parse(k->resolution), k->amount_cents, &pd, lines, c->actor.staff_id, err, out);
out:
    json_decref(pend);
    free(k);
    return rc;
}

int desk_reject(struct dctx *c, int64_t id, const char *reason, struct errors *err)
{
    check_text(err, "reason", reason, DESK_NOTE_MAX, 1);
    if (err->n) return TD_E_INVALID;
    struct desk_case *k = NULL;
    int rc = load_waiting(c, id, &k, err, "rejected");
    if (rc == TD_OK) rc = claim(c, k, "awaiting_approval", "open");
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE cases SET resolution = NULL, amount_cents = NULL, override_reason = NULL,"
                           " pending_json = NULL, approval_by = ?, approval_note = ? WHERE id = ?", NULL, "iti",
                    c->actor.staff_id, reason, id);
    if (rc == TD_OK) rc = event(c, id, "approval_rejected", reason);
    free(k);
    return rc;
}

static int simple_step(struct dctx *c, int64_t id, const char *const *from, const char *to, const char *action,
                       const char *field, const char *text, int required, struct errors *err)
{
    check_text(err, field, text, DESK_NOTE_MAX, required);
    if (err->n) return TD_E_INVALID;
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    int rc = desk_case_get(c, id, k);
    if (rc == TD_OK) {
        const char *const *f = from;
        while (*f && strcmp(*f, k->status) != 0) f++;
        rc = *f ? claim(c, k, *f, to) : status_conflict(err, k, action);
    }
    if (rc == TD_OK) rc = event(c, id, action, text && *text ? text : NULL);
    free(k);
    return rc;
}

int desk_cancel(struct dctx *c, int64_t id, const char *reason, struct errors *err)
{
    static const char *const from[] = {"open", "awaiting_approval", NULL};
    return simple_step(c, id, from, "cancelled", "cancelled", "reason", reason, 1, err);
}

int desk_follow_up(struct dctx *c, int64_t id, const char *note, struct errors *err)
{
    static const char *const from[] = {"resolved", NULL};
    return simple_step(c, id, from, "followed_up", "followed_up", "note", note, 1, err);
}

/* ---- repairs --------------------------------------------------------------- */

#define REPAIR_COLS                                                                                                   \
    "r.case_id, COALESCE(k.customer_id, 0), s.code, r.via, COALESCE(r.manufacturer, ''), COALESCE(r.rma_number, ''),"\
    " r.status, COALESCE((SELECT COALESCE(i.description, p.name) FROM case_items i LEFT JOIN products p"             \
    " ON p.id = i.product_id WHERE i.case_id = r.case_id AND i.item_no = 1), ''), r.created_at, r.updated_at, r.store_id"
#define REPAIR_FROM " FROM repairs r JOIN cases k ON k.id = r.case_id JOIN stores s ON s.id = r.store_id"

static int read_repair(struct db_stmt *st, struct desk_repair *r)
{
    r->case_id = db_col_int64(st, 0);
    r->customer_id = db_col_int64(st, 1);
    r->created_at = db_col_int64(st, 8);
    r->updated_at = db_col_int64(st, 9);
    r->store_id = db_col_int64(st, 10);
    if (domain_copy(r->store_code, sizeof r->store_code, db_col_text(st, 2)) != TD_OK ||
        domain_copy(r->via, sizeof r->via, db_col_text(st, 3)) != TD_OK ||
        domain_copy(r->manufacturer, sizeof r->manufacturer, db_col_text(st, 4)) != TD_OK ||
        domain_copy(r->rma_number, sizeof r->rma_number, db_col_text(st, 5)) != TD_OK ||
        domain_copy(r->status, sizeof r->status, db_col_text(st, 6)) != TD_OK ||
        domain_copy(r->description, sizeof r->description, db_col_text(st, 7)) != TD_OK)
        return TD_E_INTERNAL;
    return TD_OK;
}

int desk_repairs_each(struct dctx *c, int64_t store_id, bool open_only, int (*fn)(void *arg, const struct desk_repair *r),
                      void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT " REPAIR_COLS REPAIR_FROM " WHERE (? = 0 OR r.store_id = ?)"
                               " AND (? = 0 OR r.status <> 'collected') ORDER BY r.created_at, r.case_id LIMIT 1000", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "iii", store_id, store_id, (int64_t)open_only)) != TD_OK) goto out;
    struct desk_repair r;
    while ((rc = db_step(st)) == TD_ROW) {
        if ((rc = read_repair(st, &r)) != TD_OK || (rc = fn(arg, &r)) != TD_OK) goto out;
    }
    if (rc == TD_DONE) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

int desk_repair_get(struct dctx *c, int64_t case_id, struct desk_repair *out)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, "SELECT " REPAIR_COLS REPAIR_FROM " WHERE r.case_id = ?", &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "i", case_id)) == TD_OK) rc = db_step(st);
    if (rc == TD_ROW) rc = read_repair(st, out);
    else if (rc == TD_DONE) rc = TD_E_NOT_FOUND;
    db_done(st);
    return rc;
}

static int repair_state(const char *s)
{
    for (int i = 0; s && REPAIR_STATES[i]; i++)
        if (strcmp(REPAIR_STATES[i], s) == 0) return i;
    return -1;
}

int desk_repair_update(struct dctx *c, int64_t case_id, const char *status, const char *rma_number, const char *note,
                       struct errors *err)
{
    struct desk_repair r;
    int rc = desk_repair_get(c, case_id, &r);
    if (rc != TD_OK) return rc;
    if (c->actor.role != ROLE_ADMIN && c->actor.store_id != r.store_id) {
        errors_set_message(err, "a repair is moved on by the store that took it in (%s)", r.store_code);
        return TD_E_FORBIDDEN;
    }
    int to = repair_state(status), from = repair_state(r.status);
    if (to < 0)
        errors_add(err, "status", "must be one of taken_in, sent, at_manufacturer, back_in_store, customer_told, collected");
    else if (to < from)
        errors_add(err, "status", "cannot go back from %s to %s", r.status, status);
    else if (strcmp(r.via, "store") == 0 && (to == 1 || to == 2))
        errors_add(err, "status", "an in-store repair is not sent to the manufacturer");
    check_text(err, "rma_number", rma_number, DESK_RMA_MAX, 0);
    check_text(err, "note", note, DESK_NOTE_MAX, 0);
    if (err->n) return TD_E_INVALID;
    int64_t n = 0;
    rc = db_run(c->db, "UPDATE repairs SET status = ?, rma_number = COALESCE(?, rma_number), updated_at = ?"
                       " WHERE case_id = ? AND status = ?", &n, "ttiit", status, rma_number && *rma_number ? rma_number : NULL,
                c->now_us, case_id, r.status);
    if (rc == TD_OK && n != 1) {
        errors_set_message(err, "this repair was changed at the same time; reload it");
        rc = TD_E_CONFLICT;
    }
    char detail[DESK_NOTE_MAX * 4 + 64];
    snprintf(detail, sizeof detail, "%s%s%s", status, note && *note ? ": " : "", note && *note ? note : "");
    if (rc == TD_OK) rc = event(c, case_id, "repair", detail);
    return rc;
}

/* ---- the store dashboard -------------------------------------------------- */

static int per_day(struct dctx *c, const char *sql, int64_t store_id, int64_t first_day, struct desk_dashboard *out,
                   int credit)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(c->db, sql, &st);
    if (rc != TD_OK) return rc;
    if ((rc = db_bindf(st, "ii", store_id, first_day * FACTS_DAY_US)) != TD_OK) goto out;
    while ((rc = db_step(st)) == TD_ROW) {
        int64_t i = db_col_int64(st, 0) - first_day;
        if (i < 0 || i >= 30) continue;
        if (credit) out->days[i].credit_cents = db_col_int64(st, 1);
        else out->days[i].cases = db_col_int64(st, 1);
    }
    if (rc == TD_DONE) rc = TD_OK;
out:
    db_done(st);
    return rc;
}

static int count(struct dctx *c, const char *sql, int64_t a, int64_t b, int64_t *n)
{
    return db_get_int64(c->db, sql, n, "ii", a, b);
}

int desk_dashboard(struct dctx *c, int64_t store_id, struct desk_dashboard *out)
{
    memset(out, 0, sizeof *out);
    int64_t today = c->now_us / FACTS_DAY_US, first = today - 29;
    for (int i = 0; i < 30; i++) out->days[i].day = first + i;
    int rc = per_day(c, "SELECT created_at / 86400000000, COUNT(*) FROM cases WHERE store_id = ? AND created_at >= ?"
                        " GROUP BY created_at / 86400000000", store_id, first, out, 0);
    if (rc == TD_OK)
        rc = per_day(c, "SELECT issued_at / 86400000000, SUM(amount_cents) FROM credit_notes WHERE store_id = ?"
                        " AND issued_at >= ? AND replaces_id IS NULL GROUP BY issued_at / 86400000000", store_id, first,
                     out, 1);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM cases WHERE store_id = ? AND status = 'awaiting_approval' AND created_at >= ?",
                   store_id, 0, &out->approvals_waiting);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM repairs WHERE store_id = ? AND status <> 'collected' AND created_at < ?",
                   store_id, c->now_us + 1, &out->repairs_open);
    if (rc == TD_OK)
        rc = count(c, "SELECT COUNT(*) FROM repairs WHERE store_id = ? AND status <> 'collected' AND created_at < ?",
                   store_id, c->now_us - DESK_REPAIR_OVERDUE_DAYS * FACTS_DAY_US, &out->repairs_overdue);
    return rc;
}
