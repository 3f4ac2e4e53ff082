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
#include "domain/desk_internal.h"
#include "core/clock.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/events.h"
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

ENUM_MAP_DEFINE(desk_status_map, DESK_STATUS_MAP);

/* ---- small helpers ------------------------------------------------------- */

void desk__check_text(struct errors *err, const char *field, const char *s, size_t max, int required)
{
    if (!s || !*s) {
        if (required) errors_add(err, field, "is required");
        return;
    }
    if (!text_utf8_valid(s, strlen(s))) errors_add(err, field, "must be valid UTF-8 text");
    else if (text_utf8_len(s) > max) errors_add(err, field, "is longer than %zu characters", max);
}

int desk__event(struct dctx *c, int64_t case_id, enum event_kind kind, const char *detail)
{
    struct event ev = {.kind = kind, .case_id = case_id, .detail = detail};
    return events_emit(c, &ev);
}

bool desk__is_return_kind(enum policy_kind k)
{
    return k == POLICY_KIND_RETURN || k == POLICY_KIND_EXCHANGE || k == POLICY_KIND_REFERRAL;
}

/* ---- opening a case ------------------------------------------------------ */

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
        enum_map_refuse(&policy_condition_map, f, err);
    }
    if (!x->sold_here) {
        snprintf(f, sizeof f, "items[%zu].brand", i);
        desk__check_text(err, f, x->brand, DESK_TEXT_MAX, 1);
        snprintf(f, sizeof f, "items[%zu].description", i);
        desk__check_text(err, f, x->description, DESK_TEXT_MAX, 1);
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
int desk__case_facts(struct dctx *c, const struct policy *p, enum policy_kind kind, bool receipt, int64_t customer_id,
                      int64_t store_id, int64_t case_id, const struct desk_item *items, size_t n,
                      struct facts_case *fc)
{
    memset(fc, 0, sizeof *fc);
    fc->customer_id = customer_id;
    fc->case_id = case_id;
    fc->store_id = store_id;
    fc->is_return = desk__is_return_kind(kind);
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
        enum_map_refuse(&policy_kind_map, "kind", err);
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
    desk__check_text(err, "customer_words", in->customer_words, DESK_WORDS_MAX, 0);
    if (in->referral.to) desk__check_text(err, "referral.to", in->referral.to, DESK_TEXT_MAX, 1);
    if (in->referral.to && !in->referral.reason)
        enum_map_refuse(&policy_referral_map, "referral.reason", err);
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
    struct facts_case fc;
    if (rc == TD_OK) rc = desk__case_facts(c, &p, in->kind, in->receipt, in->customer_id, s.id, *id, items, in->n_items, &fc);
    struct event opened = {.kind = EVENT_OPENED, .case_id = *id, .detail = policy_kind_name(in->kind), .counts = &fc};
    if (rc == TD_OK) rc = events_emit(c, &opened);
    free(items);
    /* A walk-in's contact given with the case is kept when the desk asks
     * for one (the case as stored is what it decides on). */
    if (rc == TD_OK && in->walk_in_contact && *in->walk_in_contact) {
        struct desk_case *k = malloc(sizeof *k);
        rc = k ? desk_case_get(c, *id, k) : TD_E_NOMEM;
        if (rc == TD_OK) rc = desk__keep_walk_in_contact(c, k, in->walk_in_contact, POLICY_REFER_NONE, true, err);
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
    k->kind = (enum policy_kind)enum_map_find(&policy_kind_map, db_col_text(st, 6), 0);
    k->receipt = db_col_int64(st, 7) != 0;
    k->referral_reason = (enum policy_referral)enum_map_find(&policy_referral_map, db_col_text(st, 10), POLICY_REFER_NONE);
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
        it->condition = (enum policy_condition)enum_map_find(&policy_condition_map, db_col_text(st, 10), 0);
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

