/* desk_inputs_store.c — each decision's inputs in the database: saved with
 * the decision and its compact replay row, read back one case's last or a
 * period's, and the compact form filled in for rows from before it (the
 * document's format, both ways, is desk_inputs.c; invariants there). */
#include "domain/desk_inputs.h"
#include "domain/desk.h"
#include "domain/desk_internal.h"
#include "core/buf.h"
#include "core/json_safe.h"
#include "db/db.h"
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* ---- saving ------------------------------------------------------------- */

/* decision_replay's row beside decision_inputs row id (migration 0023): its
 * compact form, read back from the text stored, and the later decision it
 * is for the case's earlier rows. */
static int replay_save(struct dctx *c, const struct desk_case *k, int64_t id, const char *text)
{
    struct desk_inputs *in = calloc(1, sizeof *in);
    char *compact = NULL;
    int rc = in ? desk__inputs_compact(text, in, &compact) : TD_E_NOMEM;
    if (rc == TD_OK)
        rc = db_run(c->db, "INSERT INTO decision_replay (decided_at, id, case_id, customer_id, store_id, inputs)"
                           " VALUES (?, ?, ?, ?, ?, ?)", NULL, "iiinit", c->now_us, id, k->id, k->customer_id,
                    k->store_id, compact);
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE decision_replay SET superseded_at = ? WHERE (decided_at, id) IN (SELECT decided_at, id"
                           " FROM decision_inputs WHERE case_id = ? AND id < ?)"
                           " AND (superseded_at IS NULL OR superseded_at > ?)", NULL, "iiii", c->now_us, k->id, id,
                    c->now_us);
    free(compact);
    free(in);
    return rc;
}

int desk__inputs_save(struct dctx *c, const struct desk_case *k, const json_t *inputs)
{
    const char *version = json_string_value(json_object_get(json_object_get(inputs, "decision"), "policy_version"));
    char *text = json_safe_text(inputs, JSON_COMPACT);
    int64_t id = 0;
    int rc = text && version ? TD_OK : TD_E_NOMEM;
    if (rc == TD_OK)
        rc = db_get_int64(c->db, "INSERT INTO decision_inputs (case_id, customer_id, store_id, decided_at, policy_version,"
                                 " inputs_json) VALUES (?, ?, ?, ?, ?, ?) RETURNING id", &id, "iniitt", k->id,
                          k->customer_id, k->store_id, c->now_us, version, text);
    if (rc == TD_OK) rc = replay_save(c, k, id, text);
    free(text);
    return rc;
}

#define INPUTS_COLS "SELECT id, case_id, COALESCE(customer_id, 0), store_id, decided_at, policy_version, inputs_json" \
                    " FROM decision_inputs"

/* One row of INPUTS_COLS, or of REPLAY_COLS with replay. */
static int read_cols(struct db_stmt *st, struct desk_inputs *in, bool replay)
{
    if (!replay) {
        memset(in, 0, offsetof(struct desk_inputs, text));
        int rc = db_readf(st, "iiiiit", &in->id, &in->case_id, &in->customer_id, &in->store_id, &in->decided_at,
                          in->policy_version, sizeof in->policy_version);
        return rc == TD_OK ? desk__inputs_parse(db_col_text(st, 6), in, DESK_INPUTS_ANY) : rc;
    }
    /* Everything but the decision's reasons (n_reasons 0), a third of the
     * struct, which a replay of a year would clear for nothing. */
    memset(in, 0, offsetof(struct desk_inputs, decision));
    memset(&in->decision, 0, offsetof(struct decision, reasons));
    memset(&in->decision.n_items, 0, sizeof in->decision - offsetof(struct decision, n_items));
    in->text_used = 0;
    int rc = db_readf(st, "iiiii", &in->id, &in->case_id, &in->customer_id, &in->store_id, &in->decided_at);
    const char *text = db_col_text(st, 5);
    if (rc == TD_OK) rc = text ? desk__inputs_read(text, in) : TD_E_INTERNAL;
    /* The document's version is the column's (desk__inputs_save). */
    if (rc == TD_OK) memcpy(in->policy_version, in->decision.policy_version, sizeof in->policy_version);
    return rc;
}

static int read_row(struct db_stmt *st, void *out)
{
    return read_cols(st, out, false);
}

int desk_inputs_last(struct dctx *c, int64_t case_id, struct desk_inputs *out)
{
    return db_get_read(c->db, INPUTS_COLS " WHERE case_id = ? ORDER BY id DESC LIMIT 1", read_row, out, "i", case_id);
}

/* The loop the readers share: st is prepared and bound. */
static int each_row(struct db_stmt *st, int rc, bool replay, int (*fn)(void *arg, const struct desk_inputs *in), void *arg)
{
    struct desk_inputs *in = rc == TD_OK ? malloc(sizeof *in) : NULL;
    if (rc == TD_OK && !in) rc = TD_E_NOMEM;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_cols(st, in, replay)) == TD_OK) rc = fn(arg, in);
    rc = db_end(st, rc);
    free(in);
    return rc;
}

int desk_inputs_each(struct dctx *c, int64_t from_us, int64_t to_us,
                     int (*fn)(void *arg, const struct desk_inputs *in), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, INPUTS_COLS " WHERE decided_at >= ? AND decided_at < ? ORDER BY decided_at, id", &st, "ii",
                      from_us, to_us);
    return each_row(st, rc, false, fn, arg);
}

int desk_inputs_latest_each(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id,
                            int (*fn)(void *arg, const struct desk_inputs *in), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, INPUTS_COLS " d WHERE d.decided_at >= ? AND d.decided_at < ? AND (? = 0 OR d.store_id = ?)"
                                         " AND NOT EXISTS (SELECT 1 FROM decision_inputs n WHERE n.case_id = d.case_id"
                                         " AND n.id > d.id AND n.decided_at < ?) ORDER BY d.decided_at, d.id",
                      &st, "iiiii", from_us, to_us, store_id, store_id, to_us);
    return each_row(st, rc, false, fn, arg);
}

/* The compact form where the row has it, else the document (the rows from
 * before migration 0023, and a customer's after erasure). */
#define REPLAY_COLS "SELECT r.id, r.case_id, COALESCE(r.customer_id, 0), r.store_id, r.decided_at," \
                    " COALESCE(r.inputs, (SELECT d.inputs_json FROM decision_inputs d WHERE d.id = r.id))" \
                    " FROM decision_replay r"

int desk_inputs_replay_each(struct dctx *c, int64_t from_us, int64_t to_us, int64_t store_id,
                            int (*fn)(void *arg, const struct desk_inputs *in), void *arg)
{
    struct db_stmt *st = NULL;
    int rc = db_query(c->db, REPLAY_COLS " WHERE r.decided_at >= ? AND r.decided_at < ? AND (? = 0 OR r.store_id = ?)"
                                         " AND (r.superseded_at IS NULL OR r.superseded_at >= ?) ORDER BY r.decided_at, r.id",
                      &st, "iiiii", from_us, to_us, store_id, store_id, to_us);
    return each_row(st, rc, true, fn, arg);
}

/* ---- the compact form for rows from before it ---------------------------- */

struct filled {
    int64_t at, id;
    char *text;
};

int desk_inputs_backfill_step(struct dctx *c, int limit, int64_t *filled)
{
    struct db_stmt *st = NULL;
    struct desk_inputs *in = malloc(sizeof *in);
    struct filled *rows = limit > 0 ? calloc((size_t)limit, sizeof *rows) : NULL;
    size_t n = 0;
    int rc = in && rows ? TD_OK : TD_E_NOMEM;
    *filled = 0;
    if (rc == TD_OK)
        rc = db_query(c->db, "SELECT r.decided_at, r.id, d.inputs_json FROM decision_replay r JOIN decision_inputs d"
                             " ON d.id = r.id WHERE r.inputs IS NULL ORDER BY r.decided_at, r.id LIMIT ?",
                      &st, "i", (int64_t)limit);
    while (rc == TD_OK && db_next(st, &rc)) {
        const char *doc = db_col_text(st, 2);
        struct filled *f = &rows[n++];
        f->at = db_col_int64(st, 0);
        f->id = db_col_int64(st, 1);
        memset(in, 0, offsetof(struct desk_inputs, text));
        rc = doc ? desk__inputs_compact(doc, in, &f->text) : TD_E_INTERNAL;
        /* A document that does not read, or whose form would be too long,
         * is kept as it is: the reader takes it by its first byte and
         * decides as before. */
        if (rc == TD_E_INTERNAL || (rc == TD_OK && !f->text)) rc = (f->text = strdup(doc ? doc : "")) ? TD_OK : TD_E_NOMEM;
    }
    rc = db_end(st, rc);
    for (size_t i = 0; i < n && rc == TD_OK; i++)
        rc = db_run(c->db, "UPDATE decision_replay SET inputs = ? WHERE decided_at = ? AND id = ? AND inputs IS NULL", NULL,
                    "tii", rows[i].text, rows[i].at, rows[i].id);
    if (rc == TD_OK) *filled = (int64_t)n;
    for (size_t i = 0; rows && i < n; i++) free(rows[i].text);
    free(rows);
    free(in);
    return rc;
}

static int backfill_tx(struct db *db, void *arg)
{
    struct dctx c = {.db = db, .addr = "scheduler"};
    return desk_inputs_backfill_step(&c, DESK_INPUTS_BACKFILL_BATCH, arg);
}

int desk_inputs_backfill_run(struct db *db, int64_t now_us, int64_t *count)
{
    (void)now_us;
    *count = 0;
    return db_transact(db, backfill_tx, count);
}
