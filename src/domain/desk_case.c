/* desk_case.c — a case as the desk reads it: its row, items and events,
 * the lists, and what a case adds to the customer aggregates; the small
 * helpers every desk file shares (desk_internal.h). Opening a case
 * (desk.c) and deciding on it (desk_resolve.c) both stand on this file,
 * which calls neither.
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

/* Whether nothing of an item's style stays with the customer from the
 * item's receipt once this case's items (items[0..n)) are back: the
 * receipt's lines of that style, less what came back of them before and
 * what this case brings back. A bounded read of one receipt's lines. */
static int style_all_back(struct dctx *c, const struct desk_item *it, const struct desk_item *items, size_t n, int *whole)
{
    struct db_stmt *st = NULL;
    *whole = 0;
    int rc = db_query(c->db, "SELECT l.line_no, l.quantity - COALESCE(x.returned, 0), p.name FROM purchase_lines l"
                             " JOIN products p ON p.id = l.product_id LEFT JOIN line_returns x"
                             " ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no WHERE l.receipt_id = ?"
                             " ORDER BY l.line_no LIMIT 200", &st, "i", it->receipt_row);
    int64_t kept = 0;
    while (db_next(st, &rc)) {
        char style[FACTS_STYLE_SZ];
        facts_style(db_col_text(st, 2), style);
        if (strcmp(style, it->style) != 0) continue;
        int64_t left = db_col_int64(st, 1), line = db_col_int64(st, 0);
        for (size_t i = 0; i < n; i++)
            left -= items[i].proof[0] && items[i].receipt_row == it->receipt_row && items[i].line_no == line;
        if (left > 0) kept += left;
    }
    *whole = kept <= 0;
    return db_end(st, rc);
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

/* The columns of CASE_COLS in order; '-' for those read by hand. */
static int read_case(struct db_stmt *st, void *out)
{
    struct desk_case *k = out;
    memset(k, 0, offsetof(struct desk_case, items));
    k->n_items = 0;
    k->kind = (enum policy_kind)enum_map_find(&policy_kind_map, db_col_text(st, 6), 0);
    k->receipt = db_col_int64(st, 7) != 0;
    k->referral_reason = (enum policy_referral)enum_map_find(&policy_referral_map, db_col_text(st, 10), POLICY_REFER_NONE);
    k->rec_needs_approval = db_col_int64(st, 17) != 0;
    return db_readf(st, "iiiitt--tt-tiiiti-titttitiiiitt", &k->id, &k->store_id, &k->customer_id, &k->associate_id,
                    k->store_code, sizeof k->store_code, k->associate_login, sizeof k->associate_login,
                    k->customer_words, sizeof k->customer_words, k->referral_to, sizeof k->referral_to,
                    k->status, sizeof k->status, &k->version, &k->created_at, &k->updated_at,
                    k->rec_resolution, sizeof k->rec_resolution, &k->rec_amount_cents,
                    k->policy_version, sizeof k->policy_version, &k->risk_score, k->risk_level, sizeof k->risk_level,
                    k->rec_reasons, sizeof k->rec_reasons, k->resolution, sizeof k->resolution, &k->amount_cents,
                    k->override_reason, sizeof k->override_reason, &k->resolved_at, &k->resolved_by, &k->approval_by,
                    &k->credit_note_id, k->approval_note, sizeof k->approval_note, k->walk_in_key, sizeof k->walk_in_key);
}

static int read_items(struct dctx *c, struct desk_case *k)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT i.item_no, i.sold_here, COALESCE(r.receipt_ref, ''), COALESCE(p.sku, ''),"
                      " COALESCE(i.brand, ''), COALESCE(i.description, COALESCE(p.name, '')), COALESCE(i.category, ''),"
                      " i.price_cents, i.lowest_cents, i.days_since_purchase, i.item_condition, COALESCE(i.product_id, 0),"
                      " COALESCE(i.receipt_id, 0), COALESCE(i.line_no, 0), COALESCE(i.proof, '')"
                      " FROM case_items i LEFT JOIN receipts r ON r.id = i.receipt_id"
                      " LEFT JOIN products p ON p.id = i.product_id WHERE i.case_id = ? ORDER BY i.item_no",
                      &st, "i", k->id);
    k->n_items = 0;
    while (rc == TD_OK && k->n_items < POLICY_ITEMS_MAX && (rc = db_step(st)) == TD_ROW) {
        struct desk_item *it = &k->items[k->n_items++];
        memset(it, 0, sizeof *it);
        it->item_no = (int)db_col_int64(st, 0);
        it->sold_here = db_col_int64(st, 1) != 0;
        it->days_since_purchase = (int)db_col_int64(st, 9);
        it->condition = (enum policy_condition)enum_map_find(&policy_condition_map, db_col_text(st, 10), 0);
        rc = db_readf(st, "--tttttii--iiit", it->receipt_ref, sizeof it->receipt_ref, it->sku, sizeof it->sku, it->brand,
                      sizeof it->brand, it->description, sizeof it->description, it->category, sizeof it->category,
                      &it->price_cents, &it->lowest_cents, &it->product_id, &it->receipt_row, &it->line_no, it->proof,
                      sizeof it->proof);
    }
    return db_end(st, rc);
}

int desk_case_get(struct dctx *c, int64_t id, struct desk_case *out)
{
    int rc = db_get_read(c->db, "SELECT " CASE_COLS CASE_FROM " WHERE k.id = ?", read_case, out, "i", id);
    if (rc == TD_OK) rc = read_items(c, out);
    return rc;
}

int desk_case_events(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct desk_event *e), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT e.at, s.login, e.action, e.detail FROM case_events e LEFT JOIN staff s ON s.id = e.staff_id"
                      " WHERE e.case_id = ? ORDER BY e.id", &st, "i", id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct desk_event e = {db_col_int64(st, 0), db_col_text(st, 1), db_col_text(st, 2), db_col_text(st, 3)};
        rc = fn(arg, &e);
    }
    return db_end(st, rc);
}

int desk_cases_each(struct dctx *c, const struct desk_filter *f, int64_t before, int limit,
                    int (*fn)(void *arg, const struct desk_case *k), void *arg, int64_t *next)
{
    *next = 0;
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT " CASE_COLS CASE_FROM
                      " WHERE (? = 0 OR k.store_id = ?) AND (CAST(? AS TEXT) IS NULL OR k.status = ?)"
                      " AND (CAST(? AS TEXT) IS NULL OR k.kind = ?) AND (? = 0 OR k.associate_id = ?)"
                      " AND (? = 0 OR k.customer_id = ?) AND (? = 0 OR k.created_at >= ?)"
                      " AND (? = 0 OR k.created_at < ?) AND (? = 0 OR k.id < ?)"
                      " ORDER BY k.id DESC LIMIT ?",
                      &st, "iittttiiiiiiiiiii", f->store_id, f->store_id, f->status, f->status, f->kind, f->kind,
                      f->associate_id, f->associate_id, f->customer_id, f->customer_id, f->from_us, f->from_us, f->to_us,
                      f->to_us, before, before, (int64_t)limit + 1);
    int n = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if (++n > limit) break;                /* the row after the page: *next stays on the page's last */
        if ((rc = read_case(st, k)) != TD_OK) break;
        *next = k->id;
        rc = fn(arg, k);
    }
    if (rc == TD_DONE) *next = 0;             /* no row after the page */
    rc = db_end(st, rc);
    free(k);
    return rc;
}
