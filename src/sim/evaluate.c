/* evaluate.c — the guard measured on a demo case history (see evaluate.h).
 *
 * One pass over the returns in (person, time) order: each row carries its
 * person and label (a walk-in's from demo_walk_ins, an account's from
 * demo_labels, else the account itself as an ordinary customer), so per
 * person only a small running state is kept. Labels are counted first so
 * that kinds appear in a fixed order and a labelled person who never came
 * to the desk is still counted as labelled.
 */
#include "sim/evaluate.h"
#include "db/db.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ORDINARY "ordinary"

int evaluate_permille(int64_t part, int64_t whole)
{
    return whole > 0 ? (int)(part * 1000 / whole) : -1;
}

static bool is_honest(const char *label)
{
    return strcmp(label, ORDINARY) == 0 || strncmp(label, "honest", 6) == 0;
}

static struct evaluate_kind *kind_of(struct evaluate_result *r, const char *label)
{
    for (size_t i = 0; i < r->n_kinds; i++)
        if (strcmp(r->kinds[i].label, label) == 0) return &r->kinds[i];
    return NULL;
}

static struct evaluate_kind *add_kind(struct evaluate_result *r, const char *label)
{
    struct evaluate_kind *k = kind_of(r, label);
    if (k || r->n_kinds == EVALUATE_KINDS_MAX) return k;
    k = &r->kinds[r->n_kinds++];
    snprintf(k->label, sizeof k->label, "%s", label);
    k->honest = is_honest(label);
    return k;
}

/* The reason's counts replaced by "N", its periods kept:
 * "6 returns without a receipt in the last 30 days (usual: at most 1)."
 * -> "N returns without a receipt in the last 30 days (usual: at most N)." */
static void generalise(const char *in, char out[REASON_TEXT_SZ])
{
    size_t k = 0;
    for (const char *p = in; *p && k + 2 < REASON_TEXT_SZ;) {
        if (!isdigit((unsigned char)*p)) {
            out[k++] = *p++;
            continue;
        }
        const char *end = p;
        while (isdigit((unsigned char)*end)) end++;
        if (strncmp(end, " days", 5) == 0) {
            while (p < end && k + 2 < REASON_TEXT_SZ) out[k++] = *p++;
        } else {
            out[k++] = 'N';
            p = end;
        }
    }
    out[k] = '\0';
}

/* Adds the guard's reasons stored with a case (rec_reasons' "risk"),
 * grouped by their code; a reason stored before codes, by its text. */
static void count_reasons(struct evaluate_result *r, const char *rec_reasons)
{
    json_t *doc = json_loads(rec_reasons, 0, NULL);
    json_t *risk = json_object_get(doc, "risk");
    size_t i;
    json_t *reason;
    json_array_foreach(risk, i, reason) {
        const char *en = json_string_value(json_object_get(reason, "en"));
        const char *code = json_string_value(json_object_get(reason, "code"));
        if (!en) continue;
        if (!code) code = "";
        char text[REASON_TEXT_SZ];
        generalise(en, text);
        size_t k = 0;
        while (k < r->n_reasons && (strcmp(r->reasons[k].code, code) != 0 || (!*code && strcmp(r->reasons[k].text, text) != 0)))
            k++;
        if (k == r->n_reasons) {
            if (k == EVALUATE_REASONS_MAX) continue;
            snprintf(r->reasons[k].code, sizeof r->reasons[k].code, "%s", code);
            snprintf(r->reasons[k].text, sizeof r->reasons[k].text, "%s", text);
            r->n_reasons++;
        }
        r->reasons[k].abusers++;
    }
    json_decref(doc);
}

static int cmp_reason(const void *a, const void *b)
{
    const struct evaluate_reason *x = a, *y = b;
    if (x->abusers != y->abusers) return x->abusers < y->abusers ? 1 : -1;
    return strcmp(x->text, y->text);
}

/* Honest kinds first, "ordinary" leading; then the abusers'; by label. */
static int cmp_kind(const void *a, const void *b)
{
    const struct evaluate_kind *x = a, *y = b;
    if (x->honest != y->honest) return x->honest ? -1 : 1;
    bool ox = strcmp(x->label, ORDINARY) == 0, oy = strcmp(y->label, ORDINARY) == 0;
    if (ox != oy) return ox ? -1 : 1;
    return strcmp(x->label, y->label);
}

/* People per label: accounts of one person count once. */
static int load_labels(struct db *db, struct evaluate_result *r)
{
    static const char *const sql[] = {
        "SELECT label, COUNT(DISTINCT COALESCE(person, customer_id)) FROM demo_labels GROUP BY label",
        "SELECT label, COUNT(DISTINCT person) FROM demo_walk_ins GROUP BY label",
    };
    int rc = TD_OK;
    add_kind(r, ORDINARY);
    for (size_t q = 0; q < 2 && rc == TD_OK; q++) {
        struct db_stmt *st = NULL;
        if ((rc = db_prepare(db, sql[q], &st)) != TD_OK) return rc;
        while ((rc = db_step(st)) == TD_ROW) {
            struct evaluate_kind *k = add_kind(r, db_col_text(st, 0));
            if (!k) {
                rc = TD_E_INVALID;
                break;
            }
            k->labelled += db_col_int64(st, 1);
            if (!k->honest) r->labels += db_col_int64(st, 1);
        }
        db_done(st);
        if (rc == TD_DONE) rc = TD_OK;
    }
    if (rc == TD_OK && r->labels == 0) rc = TD_E_NOT_FOUND;
    return rc;
}

/* Running state of the person whose returns are being read. */
struct current {
    int64_t person;
    struct evaluate_kind *kind;
    int returns;
    int flagged_at;                  /* the return (1-based) of the first flag, 0: none yet */
};

static void close_person(struct evaluate_result *r, const struct current *cur)
{
    if (!cur->kind) return;
    cur->kind->people++;
    if (cur->kind->honest) {
        r->honest_customers++;
        return;
    }
    r->abusers++;
    if (cur->flagged_at && cur->flagged_at <= EVALUATE_FLAG_BY) {
        r->abusers_flagged++;
        cur->kind->flagged++;
    }
    if (cur->flagged_at && cur->flagged_at <= EVALUATE_FLAG_LATE) {
        r->abusers_flagged_late++;
        cur->kind->flagged_late++;
    }
}

static bool pays(const char *resolution)
{
    return strcmp(resolution, "refund") == 0 || strcmp(resolution, "store_credit") == 0 ||
           strcmp(resolution, "exchange") == 0 || strcmp(resolution, "refer_elsewhere") == 0;
}

int evaluate_run(struct db *db, struct evaluate_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = load_labels(db, out);
    if (rc != TD_OK) return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "SELECT COALESCE(w.person, l.person, k.customer_id), COALESCE(w.label, l.label, '" ORDINARY "'),"
                    " k.rec_resolution IS NULL, COALESCE(k.rec_needs_approval, 0), COALESCE(k.risk_level, ''),"
                    " COALESCE(k.rec_reasons, ''), COALESCE(k.resolution, ''),"
                    " CASE WHEN k.status IN ('resolved', 'followed_up') THEN COALESCE(k.amount_cents, 0) ELSE 0 END"
                    " FROM cases k LEFT JOIN demo_labels l ON l.customer_id = k.customer_id"
                    " LEFT JOIN demo_walk_ins w ON w.case_id = k.id"
                    " WHERE (k.customer_id IS NOT NULL OR w.case_id IS NOT NULL)"
                    " AND k.kind IN ('return', 'exchange', 'referral')"
                    " ORDER BY 1, 2, k.created_at, k.id", &st);
    if (rc != TD_OK) return rc;
    struct current cur = {0};
    while ((rc = db_step(st)) == TD_ROW) {
        int64_t person = db_col_int64(st, 0);
        const char *label = db_col_text(st, 1);
        if (!cur.kind || person != cur.person || strcmp(label, cur.kind->label) != 0) {
            close_person(out, &cur);
            cur = (struct current){person, add_kind(out, label), 0, 0};
            if (!cur.kind) {
                rc = TD_E_INVALID;
                break;
            }
        }
        if (db_col_int64(st, 2)) {
            out->undecided++;
            continue;
        }
        int needs = db_col_int64(st, 3) != 0;
        int green = strcmp(db_col_text(st, 4), "green") == 0;
        int64_t paid = pays(db_col_text(st, 6)) ? db_col_int64(st, 7) : 0;
        struct evaluate_kind *k = cur.kind;
        k->returns++;
        if (k->honest) {
            out->honest_returns++;
            if (!green) k->guard_flagged++, out->honest_guard++;
            else if (needs) k->policy_approval++, out->honest_policy_approval++;
            else k->smooth++, out->honest_smooth++;
            continue;
        }
        out->abuser_returns++;
        cur.returns++;
        if (!cur.flagged_at && !green) {
            cur.flagged_at = cur.returns;
            if (cur.returns <= EVALUATE_FLAG_BY) count_reasons(out, db_col_text(st, 5));
        }
        k->cents_total += paid;
        out->cents_total += paid;
        if (!cur.flagged_at) {
            k->cents_before_flag += paid;
            out->cents_before_flag += paid;
        }
    }
    db_done(st);
    if (rc != TD_DONE) return rc == TD_OK || rc == TD_ROW ? TD_E_INTERNAL : rc;
    close_person(out, &cur);
    qsort(out->reasons, out->n_reasons, sizeof out->reasons[0], cmp_reason);
    qsort(out->kinds, out->n_kinds, sizeof out->kinds[0], cmp_kind);
    out->honest_permille = evaluate_permille(out->honest_smooth, out->honest_returns);
    out->abuser_permille = evaluate_permille(out->abusers_flagged, out->abusers);
    out->honest_goal_met = out->honest_permille >= EVALUATE_HONEST_GOAL_PERMILLE;
    out->abuser_goal_met = out->abuser_permille >= EVALUATE_ABUSER_GOAL_PERMILLE;
    out->kinds_goal_met = 1;
    for (size_t i = 0; i < out->n_kinds; i++) {
        const struct evaluate_kind *k = &out->kinds[i];
        if (k->honest && k->returns >= EVALUATE_KIND_MIN_RETURNS &&
            evaluate_permille(k->smooth, k->returns) < EVALUATE_KIND_GOAL_PERMILLE)
            out->kinds_goal_met = 0;
    }
    return TD_OK;
}
