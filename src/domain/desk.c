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
#include "domain/customer.h"
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

/* ---- opening a case ------------------------------------------------------ */

struct product_row { int64_t id; char category[NAME_SZ], brand[NAME_SZ], style[FACTS_STYLE_SZ]; };

static int product_by_sku(struct dctx *c, const char *sku, struct product_row *out)
{
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db, "SELECT id, category, brand, name FROM products WHERE sku = ?", &st, "t", sku);
    if (rc == TD_OK) {
        out->id = db_col_int64(st, 0);
        facts_style(db_col_text(st, 3), out->style);
        rc = domain_copy(out->category, sizeof out->category, db_col_text(st, 1));
        if (rc == TD_OK) rc = domain_copy(out->brand, sizeof out->brand, db_col_text(st, 2));
    }
    db_done(st);
    return rc;
}

/* A purchase line of a product, as the case found it. */
struct line_pick {
    int64_t receipt_row, customer_id, purchased_at, price, line_no;   /* receipt_row 0: none found */
    bool spent;                                                       /* no unit of it is left */
};

/* A purchase line with what is left of it after earlier returns. */
#define SQL_LINES                                                                                          \
    "SELECT r.id, COALESCE(r.customer_id, 0), r.purchased_at, l.unit_price_cents, l.line_no,"                \
    " l.quantity - COALESCE(x.returned, 0) FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"     \
    " LEFT JOIN line_returns x ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no"

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
        rc = db_query(c->db, SQL_LINES " WHERE r.receipt_ref = ? AND l.product_id = ? ORDER BY l.line_no LIMIT 16", &st,
                      "ti", ref, product_id);
    else
        rc = db_query(c->db,
                      SQL_LINES " WHERE r.customer_id = ? AND l.product_id = ? ORDER BY r.purchased_at DESC, l.line_no"
                      " LIMIT 32", &st, "ii", customer_id, product_id);
    while (db_next(st, &rc)) {
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
    }
    return db_end(st, rc);
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
            if ((rc = db_exists(c->db, "SELECT 1 FROM receipts WHERE receipt_ref = ?", &exists, "t", x->receipt_ref)) !=
                TD_OK)
                return rc;
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

static int insert_case(struct dctx *c, const struct desk_case_in *in, int64_t store_id, int64_t *id)
{
    const char *reason = in->referral.reason ? policy_referral_name(in->referral.reason) : NULL;
    return db_get_int64(c->db,
                        "INSERT INTO cases (store_id, customer_id, associate_id, kind, receipt, customer_words, referral_to,"
                        " referral_reason, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)"
                        " RETURNING id",
                        id, "inntitttii", store_id, in->customer_id, c->actor.staff_id, policy_kind_name(in->kind),
                        (int64_t)in->receipt, in->customer_words ? in->customer_words : "",
                        in->referral.to && *in->referral.to ? in->referral.to : NULL, reason, c->now_us, c->now_us);
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
    if (!in->store_code || !*in->store_code) {
        errors_add(err, "store_code", "is required");
    } else {
        int rc = store_get_by_code(c, in->store_code, &s);
        if (rc == TD_E_NOT_FOUND) errors_add(err, "store_code", "no store has this code");
        else if (rc != TD_OK) return rc;                  /* the database's, not "no such store" */
    }
    if (in->customer_id) {
        int alive;
        int rc = customer_alive_locked(c, in->customer_id, &alive);
        if (rc != TD_OK) return rc;
        if (!alive) errors_add(err, "customer_id", "no such customer");
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
