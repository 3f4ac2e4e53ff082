/* desk_resolve.c — deciding and resolving a case at the service desk: the
 * recommendation, resolution, approval, rejection, cancelling and the
 * follow-up (see desk.h for the life of a case and desk.c for how its
 * invariants are kept).
 */
#include "domain/desk.h"
#include "domain/desk_internal.h"
#include "core/clock.h"
#include "core/json_safe.h"
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

/* ---- the recommendation -------------------------------------------------- */

static int brand_carried(struct dctx *c, const char *brand, bool *carried)
{
    int yes = 0;
    int rc = db_exists(c->db, "SELECT 1 FROM products WHERE lower(brand) = lower(?) LIMIT 1", &yes, "t", brand);
    *carried = yes;
    return rc;
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
    int rc = db_get_row(c->db, "SELECT l.quantity, COALESCE(x.returned + x.beyond, 0) FROM purchase_lines l"
                               " LEFT JOIN line_returns x ON x.receipt_id = l.receipt_id AND x.line_no = l.line_no"
                               " WHERE l.receipt_id = ? AND l.line_no = ?", &st, "ii", receipt_row, line_no);
    if (rc == TD_OK) {
        out->bought = (int)db_col_int64(st, 0);
        out->returned = (int)db_col_int64(st, 1);
    }
    db_done(st);
    if (rc != TD_OK) return rc == TD_E_NOT_FOUND ? TD_OK : rc;     /* no such line (since erased): nothing to count */
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
    rc = db_get_row(c->db, "SELECT k.at, s.name FROM line_return_claims k JOIN stores s ON s.id = k.store_id"
                           " WHERE k.receipt_id = ? AND k.line_no = ? AND k.case_id <> ?"
                           " ORDER BY k.at DESC, k.case_id DESC LIMIT 1", &st, "iii", receipt_row, line_no, case_id);
    if (rc == TD_OK) {
        int64_t at = db_col_int64(st, 0);
        clock_format_rfc3339(at + (int64_t)clock_amsterdam_offset(at / 1000000) * 1000000, out->on, sizeof out->on);
        out->on[10] = '\0';
        TD_BEST_EFFORT(domain_copy(out->store, sizeof out->store, db_col_text(st, 1)));
    }
    db_done(st);
    return rc == TD_E_NOT_FOUND ? TD_OK : rc;
}

/* Whether a tracked item's goods come back in this kind of case (a
 * complaint about a defect is handled as a return of the item). */
static bool comes_back(const struct desk_case *k, const struct desk_item *it)
{
    return desk__is_return_kind(k->kind) || (k->kind == POLICY_KIND_COMPLAINT && it->condition == POLICY_COND_DEFECTIVE);
}

/* The recommendation for case k as of now, and per item what resolving it
 * would do with its purchase line (lines may be NULL); with seen, what it
 * decided on (desk__inputs_json(), the caller's to free). Reads only. */
static int decide_case(struct dctx *c, const struct desk_case *k, enum policy_referral referral, struct decision *d,
                       struct risk *risk, enum line_claim *lines, json_t **seen)
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
    if (seen && rc == TD_OK && !(*seen = desk__inputs_json(&ci, &facts, &sig, risk, d))) rc = TD_E_NOMEM;
    free(ls);
    return rc;
}

int desk_decide(struct dctx *c, int64_t id, struct decision *d, struct risk *risk)
{
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    int rc = desk_case_get(c, id, k);
    if (rc == TD_OK) rc = decide_case(c, k, POLICY_REFER_NONE, d, risk, NULL, NULL);
    free(k);
    return rc;
}

/* ---- resolving ----------------------------------------------------------- */

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
        enum_map_refuse(&policy_resolution_map, "resolution", err);
    if (in->amount_cents < 0 || in->amount_cents > LEDGER_MAX_CENTS)
        errors_add(err, "amount_cents", "must be between 0 and %lld cents", (long long)LEDGER_MAX_CENTS);
    else if (!moves_money(in->resolution) && in->amount_cents != 0)
        errors_add(err, "amount_cents", "must be 0 for a %s", policy_resolution_name(in->resolution)
                                                                  ? policy_resolution_name(in->resolution) : "resolution");
    else if (in->resolution == POLICY_RES_STORE_CREDIT && in->amount_cents == 0)
        errors_add(err, "amount_cents", "must be above 0 for store credit");
    if (in->resolution == POLICY_RES_REFER_ELSEWHERE && !k->referral_to[0]) {
        desk__check_text(err, "referral.to", in->referral.to, DESK_TEXT_MAX, 1);
        if (!in->referral.reason)
            enum_map_refuse(&policy_referral_map, "referral.reason", err);
    }
    desk__check_text(err, "manufacturer", in->manufacturer, DESK_TEXT_MAX, 0);
    desk__check_text(err, "rma_number", in->rma_number, DESK_RMA_MAX, 0);
    *override = in->resolution != d->resolution || in->amount_cents > d->max_amount_cents;
    if (*override) desk__check_text(err, "override_reason", in->override_reason, DESK_NOTE_MAX, 1);
    else desk__check_text(err, "override_reason", in->override_reason, DESK_NOTE_MAX, 0);
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
        bool ours = desk__is_return_kind(k->kind);
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
    return desk__event(c, k->id, EVENT_RESOLVED, detail);
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
int desk__keep_walk_in_contact(struct dctx *c, struct desk_case *k, const char *contact, enum policy_referral referral,
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
    if ((rc = decide_case(c, k, referral, &d, &risk, NULL, NULL)) != TD_OK) return rc;
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
    if (rc == TD_OK) rc = desk__case_facts(c, &p, k->kind, k->receipt, 0, k->store_id, k->id, k->items, k->n_items, &fc);
    struct event kept = {.kind = EVENT_WALK_IN_KEPT, .case_id = k->id, .counts = &fc, .walk_in_key = key};
    if (rc == TD_OK) rc = events_emit(c, &kept);
    if (rc == TD_OK) TD_BEST_EFFORT(domain_copy(k->walk_in_key, sizeof k->walk_in_key, key));
    return rc;
}

int desk_resolve(struct dctx *c, const struct ledger_config *lc, int64_t id, const struct desk_resolve_in *in,
                 struct errors *err, struct desk_outcome *out)
{
    memset(out, 0, sizeof *out);
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    json_t *rec = NULL, *pend = NULL, *seen = NULL;
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
        (rc = desk__keep_walk_in_contact(c, k, in->walk_in_contact, in->referral.reason, false, err)) != TD_OK)
        goto out;
    enum line_claim state[POLICY_ITEMS_MAX] = {LINE_NONE}, lines[POLICY_ITEMS_MAX];
    if ((rc = decide_case(c, k, in->referral.reason, &d, &risk, state, &seen)) != TD_OK) goto out;
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
    if ((rc = desk__inputs_save(c, k, seen)) != TD_OK) goto out;
    rec = json_pack("{s:o,s:o}", "reasons", reason_list_json(d.reasons, d.n_reasons), "risk",
                    reason_list_json(risk.reasons, risk.n_reasons));
    plan_lines(k, &d, state, in->resolution, in->amount_cents, lines);
    json_t *plan = json_array();
    for (size_t i = 0; plan && i < k->n_items; i++) json_array_append_new(plan, json_integer(lines[i]));
    pend = json_pack("{s:s?,s:s?,s:s?,s:s?,s:o?}", "referral_to", in->referral.to,
                     "referral_reason", in->referral.reason ? policy_referral_name(in->referral.reason) : NULL,
                     "manufacturer", in->manufacturer, "rma_number", in->rma_number, "lines", plan);
    char *rec_text = json_safe_text(rec, JSON_COMPACT);
    char *pend_text = json_safe_text(pend, JSON_COMPACT);
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
        if ((rc = desk__event(c, id, EVENT_OVERRIDDEN, detail)) != TD_OK) goto out;
    }
    if (needs) {
        TD_BEST_EFFORT(domain_copy(out->status, sizeof out->status, "awaiting_approval"));
        char detail[96];
        snprintf(detail, sizeof detail, "%s %lld", policy_resolution_name(in->resolution), (long long)in->amount_cents);
        rc = desk__event(c, id, EVENT_APPROVAL_REQUESTED, detail);
        goto out;
    }
    struct pending pd = {in->referral.to, in->referral.reason, in->manufacturer, in->rma_number};
    rc = apply(c, lc, k, in->resolution, in->amount_cents, &pd, lines, 0, err, out);
out:
    json_decref(rec);
    json_decref(pend);
    json_decref(seen);
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
    desk__check_text(err, "note", note, DESK_NOTE_MAX, 0);
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
    if ((rc = db_get_row(c->db, "SELECT COALESCE(pending_json, '{}') FROM cases WHERE id = ?", &st, "i", id)) == TD_OK)
        pend = json_loads(db_col_text(st, 0), 0, NULL);
    db_done(st);
    if (rc != TD_OK) goto out;
    struct pending pd = {json_string_value(json_object_get(pend, "referral_to")),
                         (enum policy_referral)enum_map_find(&policy_referral_map, json_string_value(json_object_get(pend, "referral_reason")), POLICY_REFER_NONE),
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
    if ((rc = desk__event(c, id, EVENT_APPROVED, note && *note ? note : NULL)) != TD_OK) goto out;
    out->override = k->override_reason[0] != '\0';
    rc = apply(c, lc, k, (enum policy_resolution)enum_map_find(&policy_resolution_map, k->resolution, 0), k->amount_cents, &pd, lines, c->actor.staff_id, err, out);
out:
    json_decref(pend);
    free(k);
    return rc;
}

int desk_reject(struct dctx *c, int64_t id, const char *reason, struct errors *err)
{
    desk__check_text(err, "reason", reason, DESK_NOTE_MAX, 1);
    if (err->n) return TD_E_INVALID;
    struct desk_case *k = NULL;
    int rc = load_waiting(c, id, &k, err, "rejected");
    if (rc == TD_OK) rc = claim(c, k, "awaiting_approval", "open");
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE cases SET resolution = NULL, amount_cents = NULL, override_reason = NULL,"
                           " pending_json = NULL, approval_by = ?, approval_note = ? WHERE id = ?", NULL, "iti",
                    c->actor.staff_id, reason, id);
    if (rc == TD_OK) rc = desk__event(c, id, EVENT_APPROVAL_REJECTED, reason);
    free(k);
    return rc;
}

static int simple_step(struct dctx *c, int64_t id, const char *const *from, const char *to, enum event_kind kind,
                       const char *field, const char *text, int required, struct errors *err)
{
    desk__check_text(err, field, text, DESK_NOTE_MAX, required);
    if (err->n) return TD_E_INVALID;
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    int rc = desk_case_get(c, id, k);
    if (rc == TD_OK) {
        const char *const *f = from;
        while (*f && strcmp(*f, k->status) != 0) f++;
        rc = *f ? claim(c, k, *f, to) : status_conflict(err, k, events_action(kind));
    }
    if (rc == TD_OK) rc = desk__event(c, id, kind, text && *text ? text : NULL);
    free(k);
    return rc;
}

int desk_cancel(struct dctx *c, int64_t id, const char *reason, struct errors *err)
{
    static const char *const from[] = {"open", "awaiting_approval", NULL};
    return simple_step(c, id, from, "cancelled", EVENT_CANCELLED, "reason", reason, 1, err);
}

int desk_follow_up(struct dctx *c, int64_t id, const char *note, struct errors *err)
{
    static const char *const from[] = {"resolved", NULL};
    return simple_step(c, id, from, "followed_up", EVENT_FOLLOWED_UP, "note", note, 1, err);
}
