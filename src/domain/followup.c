/* followup.c — the closed loop of an unhappy answer (see followup.h). */
#include "domain/followup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "core/status.h"
#include "db/db.h"
#include "domain/staff.h"

ENUM_MAP_DEFINE(followup_recovery_map, FOLLOWUP_RECOVERY_MAP);

static const struct root_cause BUILTIN[] = {
    {"product_quality", "Kwaliteit van het product", "Product quality", 1},
    {"staff_attitude", "Houding van de medewerker", "Staff attitude", 1},
    {"waiting_time", "Wachttijd", "Waiting time", 1},
    {"policy", "Ons beleid (regels, termijnen)", "Our policy (rules, terms)", 1},
    {"price", "Prijs", "Price", 1},
    {"repair_delay", "Reparatie duurde te lang", "Repair took too long", 1},
    {"communication", "Uitleg of communicatie", "Explanation or communication", 1},
    {"other", "Anders", "Other", 1},
};
#define N_BUILTIN (sizeof BUILTIN / sizeof BUILTIN[0])

static int add_event(struct dctx *c, int64_t id, const char *action, const char *note)
{
    return db_run(c->db, "INSERT INTO followup_events (followup_id, at, staff_id, action, note) VALUES (?, ?, ?, ?, ?)",
                  NULL, "iintt", id, c->now_us, c->actor.staff_id, action, note && *note ? note : NULL);
}

/* ---- opening on an answer ------------------------------------------------ */

/* The answer s (before: its score until now, -1 for none) opens the case's
 * follow-up, reopens it after a recovery, or — already alerted — nothing. */
static int on_answer(struct dctx *c, const struct survey *s, int before, int64_t *opened)
{
    *opened = 0;
    if (s->score > FOLLOWUP_UNHAPPY_MAX) return TD_OK;
    if (before >= 0 && before <= FOLLOWUP_UNHAPPY_MAX) return TD_OK;   /* this answer alerted already */
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT f.id, f.status, v.round FROM followups f JOIN surveys v ON v.id = f.survey_id"
                               " WHERE f.case_id = ?", &st, "i", s->case_id);
    if (rc == TD_E_NOT_FOUND) {
        rc = db_get_int64(c->db,
                          "INSERT INTO followups (case_id, survey_id, store_id, customer_id, status, opened_at, due_at)"
                          " VALUES (?, ?, ?, ?, 'open', ?, ?) RETURNING id",
                          opened, "iiiiii", s->case_id, s->id, s->store_id, s->customer_id, c->now_us,
                          c->now_us + FOLLOWUP_DUE_US);
        return rc == TD_OK ? add_event(c, *opened, "opened", NULL) : rc;
    }
    if (rc != TD_OK) return rc;
    int64_t id = db_col_int64(st, 0), round = db_col_int64(st, 2);
    int closed = strcmp(db_col_text(st, 1), "closed") == 0;
    db_done(st);
    if (!closed || s->round <= round) return TD_OK;          /* still being put right: no second alert */
    rc = db_run(c->db,
                "UPDATE followups SET status = 'open', survey_id = ?, opened_at = ?, due_at = ?, first_contact_at = NULL,"
                " closed_at = NULL, closed_by = NULL, reopened = reopened + 1 WHERE id = ?",
                NULL, "iiii", s->id, c->now_us, c->now_us + FOLLOWUP_DUE_US, id);
    if (rc == TD_OK) rc = add_event(c, id, "reopened", NULL);
    if (rc == TD_OK) *opened = id;
    return rc;
}

int followup_answer(struct dctx *c, const char *token, int score, const char *comment, struct errors *err,
                    struct survey *out, int64_t *followup_id)
{
    *followup_id = 0;
    int before;
    int rc = survey_answer(c, token, score, comment, err, &before, out);
    return rc == TD_OK ? on_answer(c, out, before, followup_id) : rc;
}

/* ---- reading --------------------------------------------------------------- */

#define FOLLOWUP_COLS                                                                                                  \
    "f.id, f.case_id, f.survey_id, f.store_id, f.customer_id, COALESCE(f.assignee_id, 0), s.code, k.kind, f.status,"  \
    " COALESCE(cu.name, ''), COALESCE(a.login, ''), f.opened_at, f.due_at, COALESCE(f.first_contact_at, 0),"          \
    " COALESCE(f.closed_at, 0), COALESCE(f.root_cause, ''), COALESCE(f.recovery, ''), COALESCE(f.action, ''),"       \
    " COALESCE(f.credit_note_id, 0), f.reopened, COALESCE(v.score, -1), v.round, COALESCE(v.comment, '')"
#define FOLLOWUP_FROM                                                                                                  \
    " FROM followups f JOIN stores s ON s.id = f.store_id JOIN cases k ON k.id = f.case_id"                          \
    " JOIN customers cu ON cu.id = f.customer_id JOIN surveys v ON v.id = f.survey_id"                               \
    " LEFT JOIN staff a ON a.id = f.assignee_id"

static int read_followup(struct db_stmt *st, void *row)
{
    struct followup *o = row;
    int64_t score = -1, round = 0;
    int rc = db_readf(st, "iiiiiitttttiiiitttiiiit", &o->id, &o->case_id, &o->survey_id, &o->store_id, &o->customer_id,
                      &o->assignee_id, o->store_code, sizeof o->store_code, o->case_kind, sizeof o->case_kind,
                      o->status, sizeof o->status, o->customer_name, sizeof o->customer_name, o->assignee_login,
                      sizeof o->assignee_login, &o->opened_at, &o->due_at, &o->first_contact_at, &o->closed_at,
                      o->root_cause, sizeof o->root_cause, o->recovery, sizeof o->recovery, o->action,
                      sizeof o->action, &o->credit_note_id, &o->reopened, &score, &round, o->comment,
                      sizeof o->comment);
    o->score = (int)score;
    o->round = (int)round;
    return rc;
}

/* Calls fn for each follow-up the query st gives; ends st. */
static int each_followup(struct db_stmt *st, int rc, int (*fn)(void *arg, const struct followup *f), void *arg)
{
    struct followup *f = malloc(sizeof *f);
    if (!f && rc == TD_OK) rc = TD_E_NOMEM;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_followup(st, f)) == TD_OK) rc = fn(arg, f);
    free(f);
    return db_end(st, rc);
}

int followup_get(struct dctx *c, int64_t id, struct followup *out)
{
    return db_get_read(c->db, "SELECT " FOLLOWUP_COLS FOLLOWUP_FROM " WHERE f.id = ?", read_followup, out, "i", id);
}

int followup_each(struct dctx *c, int64_t store_id, const char *status, int limit,
                  int (*fn)(void *arg, const struct followup *f), void *arg)
{
    int which = !status ? 0 : strcmp(status, "closed") == 0 ? 2 : 1;
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT " FOLLOWUP_COLS FOLLOWUP_FROM
                      " WHERE (? = 0 OR f.store_id = ?) AND (? = 0 OR (? = 1 AND f.status <> 'closed')"
                      " OR (? = 2 AND f.status = 'closed'))"
                      " ORDER BY CASE WHEN f.status = 'closed' THEN 1 ELSE 0 END,"
                      " CASE WHEN f.status = 'closed' THEN -f.closed_at ELSE f.due_at END, f.id LIMIT ?",
                      &st, "iiiiii", store_id, store_id, (int64_t)which, (int64_t)which, (int64_t)which, (int64_t)limit);
    return each_followup(st, rc, fn, arg);
}

int followup_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct followup *f),
                              void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT " FOLLOWUP_COLS FOLLOWUP_FROM " WHERE f.customer_id = ? ORDER BY f.id", &st, "i",
                      customer_id);
    return each_followup(st, rc, fn, arg);
}

int followup_events_each(struct dctx *c, int64_t id, int (*fn)(void *arg, const struct followup_event *e), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT at, COALESCE(staff_id, 0), action, note FROM followup_events WHERE followup_id = ?"
                             " ORDER BY at, id", &st, "i", id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct followup_event e = {db_col_int64(st, 0), db_col_int64(st, 1), db_col_text(st, 2), db_col_text(st, 3)};
        rc = fn(arg, &e);
    }
    return db_end(st, rc);
}

/* ---- the manager's steps ----------------------------------------------------- */

/* The follow-up, refused with 409 naming "status" when closed. */
static int open_one(struct dctx *c, int64_t id, struct followup *f, struct errors *err)
{
    int rc = followup_get(c, id, f);
    if (rc == TD_OK && strcmp(f->status, "closed") == 0) {
        errors_add(err, "status", "the follow-up is closed; an unhappy answer to the next survey reopens it");
        rc = TD_E_CONFLICT;
    }
    return rc;
}

int followup_assign(struct dctx *c, int64_t id, int64_t staff_id, struct errors *err)
{
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    int rc = open_one(c, id, f, err);
    struct staff s;
    if (rc == TD_OK && staff_id) {
        rc = staff_get(c, staff_id, &s);
        if (rc == TD_E_NOT_FOUND || (rc == TD_OK && (!s.active || s.store_id != f->store_id))) {
            errors_add(err, "staff_login", "is not an active member of the follow-up's store");
            rc = TD_E_INVALID;
        }
    }
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE followups SET assignee_id = ? WHERE id = ?", NULL, "ni", staff_id, id);
    if (rc == TD_OK) rc = add_event(c, id, "assigned", staff_id ? s.login : NULL);
    free(f);
    return rc;
}

int followup_contact(struct dctx *c, int64_t id, const char *note, struct errors *err)
{
    errors_check_text(err, "note", note, FOLLOWUP_TEXT_MAX, 0);
    if (err->n) return TD_E_INVALID;
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    int rc = open_one(c, id, f, err);
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE followups SET status = 'contacted', first_contact_at = COALESCE(first_contact_at, ?)"
                           " WHERE id = ?", NULL, "ii", c->now_us, id);
    if (rc == TD_OK) rc = add_event(c, id, "contacted", note);
    free(f);
    return rc;
}

static int root_cause_known(struct dctx *c, const char *code)
{
    for (size_t i = 0; i < N_BUILTIN; i++)
        if (strcmp(BUILTIN[i].code, code) == 0) return TD_OK;
    int64_t n = 0;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM root_causes WHERE code = ?", &n, "t", code);
    return rc == TD_OK && !n ? TD_E_NOT_FOUND : rc;
}

int followup_close(struct dctx *c, int64_t id, const struct followup_close *in, struct errors *err, int64_t *survey_id)
{
    *survey_id = 0;
    errors_check_text(err, "action", in->action, FOLLOWUP_TEXT_MAX, 1);
    int rc = TD_OK;
    if (!in->root_cause || !*in->root_cause) errors_add(err, "root_cause", "is required: one of the chain's root causes");
    else if ((rc = root_cause_known(c, in->root_cause)) == TD_E_NOT_FOUND) {
        errors_add(err, "root_cause", "is not one of the chain's root causes (GET /api/v1/root-causes)");
        rc = TD_OK;
    }
    if (rc != TD_OK) return rc;
    if (in->recovery == FOLLOWUP_CREDIT_NOTE && in->credit_note_id <= 0)
        errors_add(err, "credit_note_id", "is required when the recovery is a credit note");
    if (in->recovery != FOLLOWUP_CREDIT_NOTE && in->credit_note_id)
        errors_add(err, "credit_note_id", "belongs only to the recovery credit_note");
    if (err->n) return TD_E_INVALID;
    struct followup *f = malloc(sizeof *f);
    if (!f) return TD_E_NOMEM;
    rc = open_one(c, id, f, err);
    if (rc == TD_OK && in->credit_note_id) {
        int64_t n = 0;
        rc = db_get_int64(c->db, "SELECT COUNT(*) FROM credit_notes WHERE id = ? AND case_id = ?", &n, "ii",
                          in->credit_note_id, f->case_id);
        if (rc == TD_OK && !n) {
            errors_add(err, "credit_note_id", "is not a credit note issued for this case");
            rc = TD_E_INVALID;
        }
    }
    if (rc == TD_OK)
        rc = db_run(c->db,
                    "UPDATE followups SET status = 'closed', closed_at = ?, closed_by = ?, root_cause = ?, action = ?,"
                    " recovery = ?, credit_note_id = ?, first_contact_at = COALESCE(first_contact_at, ?) WHERE id = ?",
                    NULL, "intttnii", c->now_us, c->actor.staff_id, in->root_cause, in->action,
                    enum_map_name(&followup_recovery_map, (int)in->recovery), in->credit_note_id, c->now_us, id);
    if (rc == TD_OK) rc = add_event(c, id, "closed", in->root_cause);
    /* After the recovery the customer is asked again. */
    if (rc == TD_OK) rc = survey_send(c, f->case_id, f->round + 1, survey_id);
    free(f);
    return rc;
}

/* ---- root causes ----------------------------------------------------------- */

int followup_root_causes_each(struct dctx *c, int (*fn)(void *arg, const struct root_cause *r), void *arg)
{
    int rc = TD_OK;
    for (size_t i = 0; i < N_BUILTIN && rc == TD_OK; i++) rc = fn(arg, &BUILTIN[i]);
    struct db_stmt *st = NULL;
    if (rc == TD_OK) rc = db_query(c->db, "SELECT code, nl, en FROM root_causes ORDER BY code", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct root_cause r = {db_col_text(st, 0), db_col_text(st, 1), db_col_text(st, 2), 0};
        rc = fn(arg, &r);
    }
    return db_end(st, rc);
}

int followup_root_cause_add(struct dctx *c, const char *code, const char *nl, const char *en, struct errors *err)
{
    size_t n = code ? strlen(code) : 0;
    int ok = n >= 2 && n <= 39;
    for (size_t i = 0; ok && i < n; i++) ok = (code[i] >= 'a' && code[i] <= 'z') || code[i] == '_';
    if (!ok) errors_add(err, "code", "must be 2 to 39 of a-z and _");
    errors_check_text(err, "nl", nl, 200, 1);
    errors_check_text(err, "en", en, 200, 1);
    if (err->n) return TD_E_INVALID;
    if (root_cause_known(c, code) == TD_OK) {
        errors_add(err, "code", "is already a root cause");
        return TD_E_CONFLICT;
    }
    return db_run(c->db, "INSERT INTO root_causes (code, nl, en, created_at) VALUES (?, ?, ?, ?)", NULL, "ttti", code, nl,
                  en, c->now_us);
}

/* ---- figures ----------------------------------------------------------------- */

static double median_hours(struct dctx *c, int64_t store_id, int64_t since, int close, int *rc)
{
    static const char *const sql[2] = {
        "SELECT first_contact_at - opened_at FROM followups WHERE store_id = ? AND opened_at >= ?"
        " AND first_contact_at IS NOT NULL ORDER BY 1",
        "SELECT closed_at - opened_at FROM followups WHERE store_id = ? AND opened_at >= ?"
        " AND closed_at IS NOT NULL ORDER BY 1",
    };
    int64_t n = 0;
    if ((*rc = db_get_int64(c->db, close ? "SELECT COUNT(*) FROM followups WHERE store_id = ? AND opened_at >= ?"
                                           " AND closed_at IS NOT NULL"
                                         : "SELECT COUNT(*) FROM followups WHERE store_id = ? AND opened_at >= ?"
                                           " AND first_contact_at IS NOT NULL",
                            &n, "ii", store_id, since)) != TD_OK || n == 0)
        return -1;
    struct db_stmt *st;
    *rc = db_query(c->db, sql[close], &st, "ii", store_id, since);
    int64_t i = 0, a = 0, b = 0;
    while (*rc == TD_OK && (*rc = db_step(st)) == TD_ROW) {
        if (i == (n - 1) / 2) a = db_col_int64(st, 0);
        if (i == n / 2) b = db_col_int64(st, 0);
        i++;
    }
    *rc = db_end(st, *rc);
    return (a + b) / 2.0 / 3600e6;
}

int followup_stats_each(struct dctx *c, int64_t store_id, int64_t since,
                        int (*fn)(void *arg, const struct followup_stats *s), void *arg)
{
    struct db_stmt *st;
    const int64_t h24 = 24LL * 3600 * 1000000, h48 = 2 * h24;
    int rc = db_query(c->db,
                      "SELECT s.id, s.code, COUNT(f.id), COUNT(f.first_contact_at), COUNT(f.closed_at),"
                      " SUM(CASE WHEN f.closed_at IS NULL AND f.due_at < ? THEN 1 ELSE 0 END),"
                      " SUM(CASE WHEN f.first_contact_at - f.opened_at <= ? THEN 1 ELSE 0 END),"
                      " SUM(CASE WHEN f.first_contact_at - f.opened_at <= ? THEN 1 ELSE 0 END),"
                      " SUM(CASE WHEN f.closed_at - f.opened_at <= ? THEN 1 ELSE 0 END)"
                      " FROM stores s JOIN followups f ON f.store_id = s.id AND f.opened_at >= ?"
                      " WHERE (? = 0 OR s.id = ?) GROUP BY s.id, s.code ORDER BY s.code",
                      &st, "iiiiiii", c->now_us, h24, h48, h48, since, store_id, store_id);
    struct followup_stats rows[64];
    char codes[64][CODE_SZ];
    size_t n = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW && n < 64) {
        struct followup_stats *s = &rows[n];
        s->store_code = codes[n];
        rc = db_readf(st, "iciiiiiii", &s->store_id, codes[n], (size_t)CODE_SZ, &s->opened, &s->contacted, &s->closed,
                      &s->open_overdue, &s->contacted_24h, &s->contacted_48h, &s->closed_48h);
        n++;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    for (size_t i = 0; i < n && rc == TD_OK; i++) {
        rows[i].median_contact_h = median_hours(c, rows[i].store_id, since, 0, &rc);
        if (rc == TD_OK) rows[i].median_close_h = median_hours(c, rows[i].store_id, since, 1, &rc);
        if (rc == TD_OK) rc = fn(arg, &rows[i]);
    }
    return rc;
}

int feedback_customer_erase(struct dctx *c, int64_t customer_id)
{
    int rc = db_run(c->db,
                    "DELETE FROM followup_events WHERE followup_id IN (SELECT id FROM followups WHERE customer_id = ?)",
                    NULL, "i", customer_id);
    if (rc == TD_OK) rc = db_run(c->db, "DELETE FROM followups WHERE customer_id = ?", NULL, "i", customer_id);
    if (rc == TD_OK) rc = db_run(c->db, "DELETE FROM surveys WHERE customer_id = ?", NULL, "i", customer_id);
    return rc;
}
