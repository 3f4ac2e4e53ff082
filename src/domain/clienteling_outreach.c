/* clienteling_outreach.c — tasks, outcomes, contacts, holds, and what
 * purchases feed (see clienteling_outreach.h). */
#include "domain/clienteling_outreach.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "core/status.h"
#include "core/strmap.h"
#include "db/db.h"
#include "domain/clienteling.h"
#include "domain/clienteling_catalog.h"
#include "domain/events.h"
#include "domain/facts.h"

#define HOUR_US (3600 * INT64_C(1000000))

static const struct {
    const char *name;
    int answered;
} outcomes[CL_OUTCOME_COUNT] = {
#define CL__OUT(e, name, answered) {name, answered},
    CL_OUTCOME_MAP(CL__OUT)
#undef CL__OUT
};

const char *cl_outcome_name(enum cl_outcome o)
{
    return (unsigned)o < CL_OUTCOME_COUNT ? outcomes[o].name : "unknown";
}

int cl_outcome_parse(const char *s, enum cl_outcome *out)
{
    for (int i = 0; s && i < CL_OUTCOME_COUNT; i++)
        if (strcmp(s, outcomes[i].name) == 0) {
            *out = (enum cl_outcome)i;
            return TD_OK;
        }
    return TD_E_INVALID;
}

const char *cl_outcome_list(void)
{
    static const char list[] =
#define CL__LIST(e, name, answered) name ", "
        CL_OUTCOME_MAP(CL__LIST)
#undef CL__LIST
        ;
    static char out[sizeof list];
    if (!out[0]) {
        memcpy(out, list, sizeof list - 3);          /* without the last ", " */
        out[sizeof list - 3] = '\0';
    }
    return out;
}

/* ---- tasks ------------------------------------------------------------- */

#define TASK_COLS                                                                                    \
    "SELECT t.id, t.collection_id, t.store_id, t.customer_id, COALESCE(t.staff_id, 0), t.score,"     \
    " t.lapses_at, COALESCE(t.outcome_at, 0), t.status, t.channel, COALESCE(t.size, ''),"             \
    " COALESCE(t.outcome, ''), k.name, COALESCE(c.name, ''), COALESCE(c.phone, ''),"                 \
    " COALESCE(c.email, ''), t.why_nl, t.why_en"                                                     \
    " FROM outreach_tasks t JOIN collections k ON k.id = t.collection_id"                            \
    " JOIN customers c ON c.id = t.customer_id"

static int read_task(struct db_stmt *st, const char *lang, struct cl_task *t)
{
    memset(t, 0, sizeof *t);
    bool nl = lang && strcmp(lang, "nl") == 0;
    return db_readf(st, nl ? "iiiiiiiiccccccccc" : "iiiiiiiicccccccc-c", &t->id, &t->collection_id, &t->store_id,
                    &t->customer_id, &t->staff_id, &t->score, &t->lapses_at, &t->outcome_at, t->status, sizeof t->status,
                    t->channel, sizeof t->channel, t->size, sizeof t->size, t->outcome, sizeof t->outcome, t->collection,
                    sizeof t->collection, t->customer_name, sizeof t->customer_name, t->phone, sizeof t->phone, t->email,
                    sizeof t->email, t->why, sizeof t->why);
}

/* Both lists walk outreach_tasks_list (store, staff, status, score DESC, id)
 * in the order they show and stop at the limit. The "+ 0" keeps the planner
 * from taking the lapse index (status, lapses_at) instead, which reads every
 * open task of the chain; a task past its window is still open only until
 * the scheduler's next round, so the filter costs nothing. */
static const char SQL_TASKS_STAFF[] = TASK_COLS
    " WHERE t.staff_id = ? AND t.store_id = ? AND t.status = 'open' AND t.lapses_at + 0 > ?"
    " ORDER BY t.score DESC, t.id LIMIT ?";
static const char SQL_TASKS_POOL[] = TASK_COLS
    " WHERE t.store_id = ? AND t.staff_id IS NULL AND t.status = 'open' AND t.lapses_at + 0 > ?"
    " ORDER BY t.score DESC, t.id LIMIT ?";

int cl_tasks_each(struct dctx *c, int64_t store_id, int64_t staff_id, bool pool, const char *lang, int limit,
                  int (*fn)(void *arg, const struct cl_task *t), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = pool ? db_query(c->db, SQL_TASKS_POOL, &st, "iii", store_id, c->now_us, (int64_t)limit)
                  : db_query(c->db, SQL_TASKS_STAFF, &st, "iiii", staff_id, store_id, c->now_us, (int64_t)limit);
    struct cl_task t;
    while (db_next(st, &rc))
        if ((rc = read_task(st, lang, &t)) == TD_OK) rc = fn(arg, &t);
    return db_end(st, rc);
}

int cl_task_get(struct dctx *c, int64_t task_id, const char *lang, struct cl_task *out)
{
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db, TASK_COLS " WHERE t.id = ?", &st, "i", task_id);
    if (rc == TD_OK) rc = read_task(st, lang, out);
    db_done(st);
    return rc;
}

static const char SQL_SCRIPT_ITEMS[] =
    "SELECT s.code, s.name, s.brand, s.colour, p.sku, p.size, s.price_cents, k.on_hand - k.held"
    " FROM collection_styles cs JOIN styles s ON s.id = cs.style_id JOIN products p ON p.style_id = s.id"
    " JOIN stock k ON k.product_id = p.id AND k.store_id = ?"
    " WHERE cs.collection_id = ? AND p.size = ? AND k.on_hand - k.held > 0 ORDER BY s.price_cents DESC, s.code"
    " LIMIT 20";

int cl_task_items_each(struct dctx *c, const struct cl_task *t, int (*fn)(void *arg, const struct cl_script_item *it),
                       void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_SCRIPT_ITEMS, &st, "iit", t->store_id, t->collection_id, t->size);
    struct cl_script_item it;
    while (db_next(st, &rc))
        if ((rc = db_readf(st, "ssssssii", &it.style_code, &it.name, &it.brand, &it.colour, &it.sku, &it.size,
                                           &it.price_cents, &it.available)) == TD_OK)
            rc = fn(arg, &it);
    return db_end(st, rc);
}

static const char SQL_TASK_BOUGHT[] =
    "SELECT p.sku, p.name, p.brand, p.category, COALESCE(l.size, p.size, ''), s.code, r.purchased_at,"
    " l.unit_price_cents, l.quantity FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
    " JOIN products p ON p.id = l.product_id JOIN stores s ON s.id = r.store_id"
    " WHERE r.customer_id = ? AND p.category IN (SELECT y.category FROM collection_styles cs"
    "  JOIN styles y ON y.id = cs.style_id WHERE cs.collection_id = ?)"
    " ORDER BY r.purchased_at DESC, r.id DESC, l.line_no LIMIT ?";

int cl_task_bought_each(struct dctx *c, const struct cl_task *t, int limit,
                        int (*fn)(void *arg, const struct cl_bought *b), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_TASK_BOUGHT, &st, "iii", t->customer_id, t->collection_id, (int64_t)limit);
    struct cl_bought b;
    while (db_next(st, &rc))
        if ((rc = db_readf(st, "ssssssiii", &b.sku, &b.name, &b.brand, &b.category, &b.size, &b.store_code,
                                            &b.purchased_at, &b.unit_price_cents, &b.quantity)) == TD_OK)
            rc = fn(arg, &b);
    return db_end(st, rc);
}

/* ---- contacts ---------------------------------------------------------- */

int cl_contact_check(struct dctx *c, const struct cl_rules *r, int64_t customer_id, const char *channel,
                     struct errors *err)
{
    bool phone = strcmp(channel, "phone") == 0;
    struct db_stmt *st = NULL;
    int rc = db_get_row(c->db,
                        "SELECT c.email_consent, c.phone_consent,"
                        " CASE WHEN o.customer_id IS NULL THEN 0 ELSE 1 END,"
                        " (SELECT COUNT(*) FROM contacts k WHERE k.customer_id = c.id AND k.marketing = 1"
                        "  AND k.at >= ?)"
                        " FROM customers c LEFT JOIN customer_objections o ON o.customer_id = c.id"
                        " WHERE c.id = ? AND c.erased_at IS NULL",
                        &st, "ii", c->now_us - 30 * FACTS_DAY_US, customer_id);
    if (rc != TD_OK)
        return rc;
    int64_t consent = db_col_int64(st, phone ? 1 : 0), objected = db_col_int64(st, 2), recent = db_col_int64(st, 3);
    db_done(st);
    if (!consent)
        errors_add(err, "channel", "the customer has not consented to marketing by %s", phone ? "phone" : "e-mail");
    else if (objected)
        errors_add(err, "customer_id", "the customer objected to profiling");
    else if (recent >= r->contact_cap_30d)
        errors_add(err, "customer_id", "over the contact cap: %lld marketing contacts in 30 days (cap %d)",
                   (long long)recent, r->contact_cap_30d);
    return err->n ? TD_E_CONFLICT : TD_OK;
}

int cl_contact_add(struct dctx *c, int64_t customer_id, const char *channel, bool marketing, int64_t task_id)
{
    return db_run(c->db,
                  "INSERT INTO contacts (customer_id, at, channel, marketing, staff_id, task_id)"
                  " VALUES (?, ?, ?, ?, ?, ?)",
                  NULL, "iitinn", customer_id, c->now_us, channel, (int64_t)(marketing ? 1 : 0), c->actor.staff_id,
                  task_id);
}

/* Closes an open task with its outcome and records the contact it was;
 * *recorded is false when the task was no longer open. No checks: the
 * callers made them (or the contact has happened, as for a hold). */
static int record_outcome(struct dctx *c, const struct cl_task *t, enum cl_outcome outcome, bool *recorded)
{
    const char *channel = outcome == CL_OUTCOME_MAILED ? "email" : t->channel;
    int64_t changed = 0;
    *recorded = false;
    int rc = db_run(c->db,
                    "UPDATE outreach_tasks SET status = 'done', outcome = ?, outcome_at = ?,"
                    " staff_id = COALESCE(staff_id, ?) WHERE id = ? AND status = 'open'",
                    &changed, "tini", cl_outcome_name(outcome), c->now_us, c->actor.staff_id, t->id);
    if (rc != TD_OK || changed == 0)
        return rc;
    *recorded = true;
    rc = cl_contact_add(c, t->customer_id, channel, true, t->id);
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "INSERT INTO customer_outreach (customer_id, answered, ignored, do_not_contact) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT (customer_id) DO UPDATE SET answered = customer_outreach.answered + excluded.answered,"
                    " ignored = customer_outreach.ignored + excluded.ignored,"
                    " do_not_contact = CASE WHEN excluded.do_not_contact = 1 THEN 1"
                    " ELSE customer_outreach.do_not_contact END",
                    NULL, "iiii", t->customer_id, (int64_t)outcomes[outcome].answered,
                    (int64_t)(outcome == CL_OUTCOME_VOICEMAIL || outcome == CL_OUTCOME_NOT_INTERESTED),
                    (int64_t)(outcome == CL_OUTCOME_DO_NOT_CONTACT));
    return rc;
}

int cl_task_outcome(struct dctx *c, const struct cl_rules *r, int64_t task_id, enum cl_outcome outcome,
                    struct errors *err)
{
    struct cl_task t;
    int rc = cl_task_get(c, task_id, "en", &t);
    if (rc != TD_OK)
        return rc;
    if (strcmp(t.status, "open") != 0 || t.lapses_at <= c->now_us) {
        errors_add(err, "status", "the task is %s", strcmp(t.status, "open") ? t.status : "past its first-choice window");
        return TD_E_CONFLICT;
    }
    if ((unsigned)outcome >= CL_OUTCOME_COUNT) {
        errors_add(err, "outcome", "must be one of %s", cl_outcome_list());
        return TD_E_INVALID;
    }
    const char *channel = outcome == CL_OUTCOME_MAILED ? "email" : t.channel;
    if ((rc = cl_contact_check(c, r, t.customer_id, channel, err)) != TD_OK)
        return rc;
    bool recorded;
    rc = record_outcome(c, &t, outcome, &recorded);
    if (rc == TD_OK && !recorded) {
        errors_add(err, "status", "the task was closed by someone else");
        return TD_E_CONFLICT;
    }
    return rc;
}

int cl_tasks_lapse(struct dctx *c, int64_t *n)
{
    return db_run(c->db, "UPDATE outreach_tasks SET status = 'lapsed' WHERE status = 'open' AND lapses_at <= ?", n,
                  "i", c->now_us);
}

/* ---- holds ------------------------------------------------------------- */

int cl_hold_create(struct dctx *c, int64_t store_id, const char *sku, int64_t customer_id, int64_t task_id, int hours,
                   struct errors *err, int64_t *id)
{
    *id = 0;
    if (hours == 0)
        hours = CL_HOLD_HOURS_DEFAULT;
    if (hours < 1 || hours > CL_HOLD_HOURS_MAX)
        errors_add(err, "hours", "must be 1 to %d (the longest hold the chain allows)", CL_HOLD_HOURS_MAX);
    int64_t product_id = 0, known = 0;
    int rc = sku && *sku ? db_get_int64(c->db, "SELECT id FROM products WHERE sku = ?", &product_id, "t", sku)
                         : TD_E_NOT_FOUND;
    if (rc == TD_E_NOT_FOUND) {
        errors_add(err, "sku", "is not a known sku");
        rc = TD_OK;
    }
    if (rc == TD_OK)
        rc = db_get_int64(c->db, "SELECT COUNT(*) FROM customers WHERE id = ? AND erased_at IS NULL", &known, "i",
                          customer_id);
    if (rc == TD_OK && !known)
        errors_add(err, "customer_id", "is not a known customer");
    if (rc == TD_OK && task_id) {
        int64_t ok = 0;
        rc = db_get_int64(c->db, "SELECT COUNT(*) FROM outreach_tasks WHERE id = ? AND customer_id = ? AND store_id = ?",
                          &ok, "iii", task_id, customer_id, store_id);
        if (rc == TD_OK && !ok)
            errors_add(err, "task_id", "is not this customer's task in this store");
    }
    if (rc != TD_OK)
        return rc;
    if (err->n)
        return TD_E_INVALID;
    /* The last unit goes to one: the row lock of this UPDATE decides. */
    int64_t taken = 0;
    rc = db_run(c->db,
                "UPDATE stock SET held = held + 1, updated_at = ? WHERE store_id = ? AND product_id = ?"
                " AND on_hand - held >= 1",
                &taken, "iii", c->now_us, store_id, product_id);
    if (rc != TD_OK)
        return rc;
    if (!taken) {
        errors_add(err, "sku", "is not available in this store (every unit on hand is sold out or held)");
        return TD_E_CONFLICT;
    }
    rc = db_get_int64(c->db,
                      "INSERT INTO holds (store_id, product_id, customer_id, staff_id, task_id, status, created_at,"
                      " expires_at) VALUES (?, ?, ?, ?, ?, 'active', ?, ?) RETURNING id",
                      id, "iiinnii", store_id, product_id, customer_id, c->actor.staff_id, task_id, c->now_us,
                      c->now_us + hours * HOUR_US);
    /* The call that ended in this hold is the task's outcome. */
    struct cl_task t;
    if (rc == TD_OK && task_id && (rc = cl_task_get(c, task_id, "en", &t)) == TD_OK && strcmp(t.status, "open") == 0) {
        bool recorded;
        rc = record_outcome(c, &t, CL_OUTCOME_HOLD_MADE, &recorded);
    }
    return rc;
}

/* Moves one hold out of 'active' and gives its unit back, once. */
static int close_hold(struct dctx *c, int64_t hold_id, const char *status, bool *closed)
{
    int64_t changed = 0;
    *closed = false;
    int rc = db_run(c->db, "UPDATE holds SET status = ?, closed_at = ? WHERE id = ? AND status = 'active'", &changed,
                    "tii", status, c->now_us, hold_id);
    if (rc != TD_OK || !changed)
        return rc;
    *closed = true;
    return db_run(c->db,
                  "UPDATE stock SET held = held - 1, updated_at = ? WHERE held > 0 AND (store_id, product_id) ="
                  " (SELECT store_id, product_id FROM holds WHERE id = ?)",
                  NULL, "ii", c->now_us, hold_id);
}

int cl_hold_close(struct dctx *c, int64_t hold_id, const char *status, struct errors *err)
{
    if (!status || (strcmp(status, "released") && strcmp(status, "cancelled"))) {
        errors_add(err, "status", "must be one of released, cancelled");
        return TD_E_INVALID;
    }
    int64_t known = 0;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM holds WHERE id = ?", &known, "i", hold_id);
    if (rc != TD_OK)
        return rc;
    if (!known)
        return TD_E_NOT_FOUND;
    bool closed;
    if ((rc = close_hold(c, hold_id, status, &closed)) != TD_OK)
        return rc;
    if (!closed) {
        errors_add(err, "status", "the hold is no longer active");
        return TD_E_CONFLICT;
    }
    return TD_OK;
}

#define HOLD_COLS                                                                                    \
    "SELECT h.id, h.store_id, h.customer_id, COALESCE(h.staff_id, 0), COALESCE(h.task_id, 0),"       \
    " h.created_at, h.expires_at, COALESCE(h.closed_at, 0), h.status, p.sku, COALESCE(p.size, ''),"  \
    " COALESCE(s.code, ''), p.name, COALESCE(c.name, ''), st.code"                                   \
    " FROM holds h JOIN products p ON p.id = h.product_id LEFT JOIN styles s ON s.id = p.style_id"   \
    " JOIN customers c ON c.id = h.customer_id JOIN stores st ON st.id = h.store_id"

static int read_hold(struct db_stmt *st, void *out)
{
    struct cl_hold *h = out;
    memset(h, 0, sizeof *h);
    return db_readf(st, "iiiiiiiiccccccc", &h->id, &h->store_id, &h->customer_id, &h->staff_id, &h->task_id,
                    &h->created_at, &h->expires_at, &h->closed_at, h->status, sizeof h->status, h->sku, sizeof h->sku,
                    h->size, sizeof h->size, h->style_code, sizeof h->style_code, h->name, sizeof h->name,
                    h->customer_name, sizeof h->customer_name, h->store_code, sizeof h->store_code);
}

static const char SQL_HOLDS[] = HOLD_COLS
    " WHERE h.store_id = ? AND (CAST(? AS TEXT) IS NULL OR p.sku = ? OR s.code = ?) AND (? = 0 OR h.status = 'active')"
    " ORDER BY h.created_at DESC, h.id DESC LIMIT ?";

int cl_holds_each(struct dctx *c, int64_t store_id, const char *sku, bool active_only, int limit,
                  int (*fn)(void *arg, const struct cl_hold *h), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, SQL_HOLDS, &st, "itttii", store_id, sku, sku, sku, (int64_t)active_only, (int64_t)limit);
    struct cl_hold h;
    while (db_next(st, &rc))
        if ((rc = read_hold(st, &h)) == TD_OK) rc = fn(arg, &h);
    return db_end(st, rc);
}

int cl_hold_get(struct dctx *c, int64_t hold_id, struct cl_hold *out)
{
    return db_get_read(c->db, HOLD_COLS " WHERE h.id = ?", read_hold, out, "i", hold_id);
}

#define EXPIRE_BATCH 200

int cl_holds_expire(struct dctx *c, const struct cl_rules *r, int64_t *n)
{
    *n = 0;
    int64_t ids[EXPIRE_BATCH];
    size_t k = 0;
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, "SELECT id FROM holds WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at LIMIT ?",
                      &st, "ii", c->now_us, (int64_t)EXPIRE_BATCH);
    while (db_next(st, &rc) && k < EXPIRE_BATCH)
        ids[k++] = db_col_int64(st, 0);
    if ((rc = db_end(st, rc)) != TD_OK)
        return rc;
    for (size_t i = 0; rc == TD_OK && i < k; i++) {
        bool closed;
        rc = close_hold(c, ids[i], "released", &closed);
        if (rc == TD_OK && closed)
            (*n)++;
    }
    if (rc != TD_OK || *n == 0)
        return rc;
    /* The arrivals still in their first-choice window whose styles had a
     * unit come back: match them again (only customers not matched before
     * are written, so the unit goes to the next one who fits). */
    int64_t again[64][2];
    size_t m = 0;
    rc = db_query(c->db,
                  "SELECT DISTINCT cs.collection_id, cs.store_id FROM holds h JOIN products p ON p.id = h.product_id"
                  " JOIN collection_styles y ON y.style_id = p.style_id"
                  " JOIN collection_stores cs ON cs.collection_id = y.collection_id AND cs.store_id = h.store_id"
                  " WHERE h.status = 'released' AND h.closed_at = ? AND cs.arrived_at IS NOT NULL"
                  " AND cs.arrived_at + cs.first_choice_hours * 3600000000 > ?",
                  &st, "ii", c->now_us, c->now_us);
    while (db_next(st, &rc) && m < 64) {
        again[m][0] = db_col_int64(st, 0);
        again[m][1] = db_col_int64(st, 1);
        m++;
    }
    rc = db_end(st, rc);
    for (size_t i = 0; rc == TD_OK && i < m; i++) {
        struct cl_arrival_summary sum;
        rc = clienteling_arrive(c, r, again[i][0], again[i][1], true, &sum);
    }
    return rc;
}

/* ---- what purchases feed ---------------------------------------------- */

/* A held sku bought by its customer in its store, in receipts first..last:
 * the hold converted. */
static int convert_holds(struct dctx *c, int64_t first, int64_t last)
{
    int64_t ids[EXPIRE_BATCH];
    size_t k = 0;
    struct db_stmt *st = NULL;
    int rc = db_query(c->db,
                      "SELECT DISTINCT h.id FROM holds h JOIN receipts r ON r.customer_id = h.customer_id"
                      " AND r.store_id = h.store_id JOIN purchase_lines l ON l.receipt_id = r.id"
                      " AND l.product_id = h.product_id WHERE h.status = 'active' AND r.id BETWEEN ? AND ?"
                      " AND r.purchased_at >= h.created_at - 86400000000 LIMIT ?",
                      &st, "iii", first, last, (int64_t)EXPIRE_BATCH);
    while (db_next(st, &rc) && k < EXPIRE_BATCH)
        ids[k++] = db_col_int64(st, 0);
    rc = db_end(st, rc);
    for (size_t i = 0; rc == TD_OK && i < k; i++) {
        bool closed;
        rc = close_hold(c, ids[i], "converted", &closed);
    }
    return rc;
}

/* The column `what` of the customer's latest line with a size in the
 * category of the customer_category_spend row at hand (latest by
 * purchased_at, receipt id, line). */
#define LATEST_SIZED(what)                                                                                   \
    "(SELECT " what " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"                          \
    " JOIN products p ON p.id = l.product_id WHERE r.customer_id = customer_category_spend.customer_id"      \
    " AND p.category = customer_category_spend.category AND COALESCE(l.size, p.size) IS NOT NULL"            \
    " ORDER BY r.purchased_at DESC, r.id DESC, l.line_no DESC LIMIT 1)"

int cl_on_receipts(struct dctx *c, int64_t first, int64_t last)
{
    if (first <= 0 || last < first)
        return TD_OK;
    int rc = db_run(c->db,
                    "INSERT INTO customer_category_spend (customer_id, category, spend_cents, lines, last_at)"
                    " SELECT r.customer_id, p.category, SUM(l.unit_price_cents * l.quantity), COUNT(*),"
                    " MAX(r.purchased_at)"
                    " FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id JOIN products p ON p.id = l.product_id"
                    " WHERE r.id BETWEEN ? AND ? AND r.customer_id IS NOT NULL GROUP BY r.customer_id, p.category"
                    " ON CONFLICT (customer_id, category) DO UPDATE SET"
                    " spend_cents = customer_category_spend.spend_cents + excluded.spend_cents,"
                    " lines = customer_category_spend.lines + excluded.lines,"
                    " last_at = CASE WHEN excluded.last_at > customer_category_spend.last_at THEN excluded.last_at"
                    " ELSE customer_category_spend.last_at END",
                    NULL, "ii", first, last);
    /* The size bought most recently in the category, from the catalogue's
     * sku or the line's own size: for the rows this import touched only
     * (driven by the list of them through the primary key), never a scan of
     * every customer's every category. */
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "UPDATE customer_category_spend SET last_size = COALESCE(" LATEST_SIZED("COALESCE(l.size, p.size)")
                    ", last_size), last_size_at = COALESCE(" LATEST_SIZED("r.purchased_at") ", last_size_at)"
                    " WHERE (customer_id, category) IN (SELECT r2.customer_id, p2.category FROM receipts r2"
                    "  JOIN purchase_lines l2 ON l2.receipt_id = r2.id JOIN products p2 ON p2.id = l2.product_id"
                    "  WHERE r2.id BETWEEN ? AND ? AND r2.customer_id IS NOT NULL"
                    "  AND COALESCE(l2.size, p2.size) IS NOT NULL)",
                    NULL, "ii", first, last);
    return rc == TD_OK ? convert_holds(c, first, last) : rc;
}

/* One (customer, category) of an import, counted in memory: what it adds,
 * and its latest line with a size (by purchased_at, receipt id, line: the
 * order cl_on_receipts reads them in). */
struct spend_row {
    int64_t customer_id, spend, lines, last_at;
    const char *category;
    int64_t size_at, size_receipt, size_line;
    const char *size;          /* NULL: no line of the import gives one */
};

static int spend_cmp(const void *x, const void *y)
{
    const struct spend_row *a = *(const struct spend_row *const *)x, *b = *(const struct spend_row *const *)y;
    if (a->customer_id != b->customer_id)
        return a->customer_id < b->customer_id ? -1 : 1;
    return strcmp(a->category, b->category);
}

#define SPEND_KEY_MAX (8 + 4 * NAME_MAX_CHARS)

static int spend_add(struct strmap *m, const struct event_purchases *p, const struct event_line *l)
{
    const struct event_receipt *r = &p->receipts[l->receipt];
    const struct event_product *pr = &p->products[l->product];
    char key[SPEND_KEY_MAX];
    size_t n = strlen(pr->category);
    if (n > sizeof key - 8)
        return TD_E_INTERNAL;   /* the import keeps a category to NAME_MAX_CHARS */
    memcpy(key, &r->customer_id, 8);
    memcpy(key + 8, pr->category, n);
    void *slot;
    int added;
    int rc = strmap_put(m, key, 8 + n, &slot, &added);
    if (rc != TD_OK)
        return rc;
    struct spend_row *s = slot;
    if (added) {
        s->customer_id = r->customer_id;
        s->category = pr->category;
        s->last_at = r->at;
    }
    s->spend += l->cents * l->quantity;
    s->lines++;
    if (r->at > s->last_at)
        s->last_at = r->at;
    const char *size = l->size[0] ? l->size : pr->size;
    if (size && (!s->size || r->at > s->size_at || (r->at == s->size_at && (r->id > s->size_receipt ||
                                                     (r->id == s->size_receipt && l->line_no > s->size_line))))) {
        s->size = size;
        s->size_at = r->at;
        s->size_receipt = r->id;
        s->size_line = l->line_no;
    }
    return TD_OK;
}

static int bind_spend(struct db_stmt *st, int k, size_t i, void *arg)
{
    const struct spend_row *s = ((struct spend_row *const *)arg)[i];
    int rc = db_bind_int64(st, k, s->customer_id);
    if (rc == TD_OK)
        rc = db_bind_text_static(st, k + 1, s->category);
    if (rc == TD_OK)
        rc = db_bind_int64(st, k + 2, s->spend);
    if (rc == TD_OK)
        rc = db_bind_int64(st, k + 3, s->lines);
    if (rc == TD_OK)
        rc = db_bind_int64(st, k + 4, s->last_at);
    if (rc == TD_OK)
        rc = db_bind_text_static(st, k + 5, s->size);
    if (rc == TD_OK)
        rc = s->size ? db_bind_int64(st, k + 6, s->size_at) : db_bind_null(st, k + 6);
    return rc;
}

/* The size bought last: the import's when it gives one and nothing stored
 * is later (a tie goes to the import, whose receipts have the higher ids);
 * for a row stored with a size but without its time, read from the lines
 * (the import's are written by now). */
#define SPEND_SIZE(col, latest)                                                                              \
    " " col " = CASE WHEN excluded.last_size IS NULL THEN customer_category_spend." col                      \
    " WHEN customer_category_spend.last_size IS NULL"                                                        \
    "  OR customer_category_spend.last_size_at <= excluded.last_size_at THEN excluded." col                  \
    " WHEN customer_category_spend.last_size_at IS NOT NULL THEN customer_category_spend." col               \
    " ELSE " latest " END"
#define SPEND_ROW "(?, ?, ?, ?, ?, ?, ?)"
#define SPEND_INSERT                                                                                         \
    "INSERT INTO customer_category_spend (customer_id, category, spend_cents, lines, last_at, last_size,"     \
    " last_size_at) VALUES "
#define SPEND_UPSERT                                                                                                  \
    " ON CONFLICT (customer_id, category) DO UPDATE SET"                                                              \
    " spend_cents = customer_category_spend.spend_cents + excluded.spend_cents,"                                      \
    " lines = customer_category_spend.lines + excluded.lines,"                                                        \
    " last_at = CASE WHEN excluded.last_at > customer_category_spend.last_at THEN excluded.last_at"                   \
    " ELSE customer_category_spend.last_at END,"                                                                      \
    SPEND_SIZE("last_size", LATEST_SIZED("COALESCE(l.size, p.size)")) ","                                            \
    SPEND_SIZE("last_size_at", LATEST_SIZED("r.purchased_at"))

int cl_on_purchases(struct dctx *c, const struct event_purchases *p, int64_t first, int64_t last)
{
    struct strmap *m = NULL;
    struct spend_row **rows = NULL;
    size_t n = 0;
    int rc = strmap_new(sizeof(struct spend_row), 1u << 30, &m);
    for (size_t i = 0; rc == TD_OK && i < p->nlines; i++)
        if (p->receipts[p->lines[i].receipt].customer_id)
            rc = spend_add(m, p, &p->lines[i]);
    if (rc == TD_OK)
        rc = strmap_values(m, (void ***)&rows);
    if (rc == TD_OK && (n = strmap_count(m)) > 0)
        qsort(rows, n, sizeof *rows, spend_cmp);
    if (rc == TD_OK)
        rc = db_write_rows(c->db, SPEND_INSERT SPEND_ROW SPEND_UPSERT, SPEND_INSERT DB_ROWS256(SPEND_ROW) SPEND_UPSERT, 256,
                           7, n, bind_spend, rows);
    free(rows);
    strmap_free(m);
    if (rc != TD_OK || first <= 0 || last < first)
        return rc;
    return convert_holds(c, first, last);
}

int cl_on_event(struct dctx *c, const struct event *ev)
{
    if (ev->kind != EVENT_PURCHASES_IMPORTED)
        return TD_OK;
    return ev->purchases ? cl_on_purchases(c, ev->purchases, ev->first_receipt, ev->last_receipt)
                         : cl_on_receipts(c, ev->first_receipt, ev->last_receipt);
}

/* ---- the scheduler's rows ---------------------------------------------- */

#define ARRIVALS_PER_ROUND 100

struct cl_job {
    int64_t now_us, count;
    int (*step)(struct dctx *c, const struct cl_rules *r, int64_t *n);
};

static int job_tx(struct db *db, void *arg)
{
    struct cl_job *j = arg;
    struct dctx c = {.db = db, .now_us = j->now_us, .addr = "scheduler"};
    struct cl_rules r;
    clienteling_rules_default(&r);
    j->count = 0;
    return j->step(&c, &r, &j->count);
}

static int job_run(struct db *db, int64_t now_us, int (*step)(struct dctx *, const struct cl_rules *, int64_t *),
                   int64_t *count)
{
    struct cl_job j = {now_us, 0, step};
    int rc = db_transact(db, job_tx, &j);
    *count = rc == TD_OK ? j.count : 0;
    return rc;
}

/* Matches the first due arrival (cl_arrivals_due stops at the TD_DONE). */
static int arrive_one(void *arg, int64_t collection_id, int64_t store_id)
{
    void **a = arg;
    struct cl_arrival_summary sum;
    int rc = clienteling_arrive(a[0], a[1], collection_id, store_id, true, &sum);
    return rc == TD_OK ? TD_DONE : rc;
}

static int arrive_step(struct dctx *c, const struct cl_rules *r, int64_t *n)
{
    void *a[2] = {c, (void *)r};
    int rc = cl_arrivals_due(c, arrive_one, a);
    *n = rc == TD_DONE;
    return rc == TD_DONE ? TD_OK : rc;
}

static int lapse_step(struct dctx *c, const struct cl_rules *r, int64_t *n)
{
    (void)r;
    return cl_tasks_lapse(c, n);
}

int cl_job_arrive(struct db *db, int64_t now_us, int64_t *count)
{
    int64_t one = 1;
    int rc = TD_OK;
    *count = 0;
    while (rc == TD_OK && one && *count < ARRIVALS_PER_ROUND)
        if ((rc = job_run(db, now_us, arrive_step, &one)) == TD_OK) *count += one;
    return rc;
}

int cl_job_lapse(struct db *db, int64_t now_us, int64_t *count)
{
    return job_run(db, now_us, lapse_step, count);
}

int cl_job_expire(struct db *db, int64_t now_us, int64_t *count)
{
    return job_run(db, now_us, cl_holds_expire, count);
}
