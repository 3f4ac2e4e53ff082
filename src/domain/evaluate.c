/* evaluate.c — the guard measured on a demo case history (see evaluate.h).
 *
 * One pass over the returns in (customer, time) order: a customer's label
 * comes with each row (LEFT JOIN demo_labels), so per customer only a small
 * running state is kept. Labels are counted first so that kinds appear in
 * label order and an abuser who never came to the desk is still counted as
 * labelled.
 */
#include "domain/evaluate.h"
#include "db/db.h"
#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int permille(int64_t part, int64_t whole)
{
    return whole > 0 ? (int)(part * 1000 / whole) : -1;
}

static struct evaluate_kind *kind_of(struct evaluate_result *r, const char *label)
{
    for (size_t i = 0; i < r->n_kinds; i++)
        if (strcmp(r->kinds[i].label, label) == 0) return &r->kinds[i];
    return NULL;
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

/* Adds the guard's reasons stored with a case (rec_reasons' "risk"). */
static void count_reasons(struct evaluate_result *r, const char *rec_reasons)
{
    json_t *doc = json_loads(rec_reasons, 0, NULL);
    json_t *risk = json_object_get(doc, "risk");
    size_t i;
    json_t *reason;
    json_array_foreach(risk, i, reason) {
        const char *en = json_string_value(json_object_get(reason, "en"));
        if (!en) continue;
        char text[REASON_TEXT_SZ];
        generalise(en, text);
        size_t k = 0;
        while (k < r->n_reasons && strcmp(r->reasons[k].text, text) != 0) k++;
        if (k == r->n_reasons) {
            if (k == EVALUATE_REASONS_MAX) continue;
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

static int load_labels(struct db *db, struct evaluate_result *r)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "SELECT label, COUNT(*) FROM demo_labels WHERE label <> 'honest' GROUP BY label ORDER BY label",
                        &st);
    if (rc != TD_OK) return rc;
    while ((rc = db_step(st)) == TD_ROW) {
        if (r->n_kinds == EVALUATE_KINDS_MAX) {
            rc = TD_E_INVALID;
            break;
        }
        struct evaluate_kind *k = &r->kinds[r->n_kinds++];
        snprintf(k->label, sizeof k->label, "%s", db_col_text(st, 0));
        k->labelled = db_col_int64(st, 1);
        r->labels += k->labelled;
    }
    db_done(st);
    if (rc == TD_DONE) rc = r->labels > 0 ? TD_OK : TD_E_NOT_FOUND;
    return rc;
}

/* Running state of the customer whose returns are being read. */
struct current {
    int64_t customer_id;
    struct evaluate_kind *kind;      /* NULL: honest */
    int returns;
    int flagged;
};

static void close_customer(struct evaluate_result *r, const struct current *cur)
{
    if (!cur->customer_id) return;
    if (!cur->kind) {
        r->honest_customers++;
        return;
    }
    r->abusers++;
    cur->kind->abusers++;
    if (cur->flagged) {
        r->abusers_flagged++;
        cur->kind->flagged++;
    }
}

int evaluate_run(struct db *db, struct evaluate_result *out)
{
    memset(out, 0, sizeof *out);
    int rc = load_labels(db, out);
    if (rc != TD_OK) return rc;
    struct db_stmt *st = NULL;
    rc = db_prepare(db,
                    "SELECT k.customer_id, COALESCE(l.label, 'honest'), k.rec_resolution IS NULL,"
                    " COALESCE(k.rec_needs_approval, 0), COALESCE(k.risk_level, ''), COALESCE(k.rec_reasons, '')"
                    " FROM cases k LEFT JOIN demo_labels l ON l.customer_id = k.customer_id"
                    " WHERE k.customer_id IS NOT NULL AND k.kind IN ('return', 'exchange', 'referral')"
                    " ORDER BY k.customer_id, k.created_at, k.id", &st);
    if (rc != TD_OK) return rc;
    struct current cur = {0};
    while ((rc = db_step(st)) == TD_ROW) {
        int64_t customer = db_col_int64(st, 0);
        if (customer != cur.customer_id) {
            close_customer(out, &cur);
            const char *label = db_col_text(st, 1);
            cur = (struct current){customer, strcmp(label, "honest") == 0 ? NULL : kind_of(out, label), 0, 0};
        }
        if (db_col_int64(st, 2)) {
            out->undecided++;
            continue;
        }
        int needs = db_col_int64(st, 3) != 0;
        const char *level = db_col_text(st, 4);
        int green = strcmp(level, "green") == 0;
        if (!cur.kind) {
            out->honest_returns++;
            if (!green) out->honest_guard++;
            else if (needs) out->honest_policy_approval++;
            else out->honest_smooth++;
            continue;
        }
        out->abuser_returns++;
        cur.kind->returns++;
        if (++cur.returns <= EVALUATE_FLAG_BY && !cur.flagged && !green) {
            cur.flagged = 1;
            count_reasons(out, db_col_text(st, 5));
        }
    }
    db_done(st);
    if (rc != TD_DONE) return rc;
    close_customer(out, &cur);
    qsort(out->reasons, out->n_reasons, sizeof out->reasons[0], cmp_reason);
    out->honest_permille = permille(out->honest_smooth, out->honest_returns);
    out->abuser_permille = permille(out->abusers_flagged, out->abusers);
    out->honest_goal_met = out->honest_permille >= EVALUATE_HONEST_GOAL_PERMILLE;
    out->abuser_goal_met = out->abuser_permille >= EVALUATE_ABUSER_GOAL_PERMILLE;
    return TD_OK;
}
