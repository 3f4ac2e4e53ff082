/* ledger.c — credit notes and their double-entry ledger.
 *
 * See ledger.h for the invariants and the state table. How each one is kept:
 *  (1) triggers in migrations/0002_ledger.sql;
 *  (2) ledger__post() refuses a set of entries that does not sum to zero;
 *  (3) every balance change is one conditional UPDATE (WHERE balance_cents >=
 *      the amount and the status allows it) followed, in the same
 *      transaction, by ledger__post() with the same amount; the CHECK
 *      (balance_cents >= 0) is the last line of defence;
 *  (4) the same UPDATEs set status and balance together.
 *
 * The code of a note is shown once, when it is made; only its hash is stored,
 * so a copy of the database cannot be spent.
 */
#include "domain/ledger.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/customer.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

ENUM_MAP_DEFINE(ledger_status_map, LEDGER_STATUS_MAP);

#define ACC_LIABILITY "credit_note_liability"
#define ACC_TILL "till_clearing"
#define ACC_BREAKAGE "breakage_income"

struct entry {
    const char *account;
    int64_t note_id;            /* 0: no note */
    int64_t amount_cents;       /* debit positive */
};

static const char *funding_account(const char *funding)
{
    return strcmp(funding, "refund") == 0 ? "refunds_clearing" : "goodwill_expense";
}

/* The usual pair of entries on PostgreSQL: the transaction, its text and
 * both entries in one statement (one round trip instead of two or three). */
#define PAIR_TX "t AS (INSERT INTO ledger_transactions (credit_note_id, kind, amount_cents, at, staff_id, store_id, address)" \
                " VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id)"
#define PAIR_TEXT ", x AS (INSERT INTO ledger_texts (transaction_id, reason, till_reference)" \
                  " SELECT id, CAST(? AS TEXT), CAST(? AS TEXT) FROM t)"
#define PAIR_ENTRIES " INSERT INTO ledger_entries (transaction_id, account, credit_note_id, amount_cents)" \
                     " SELECT t.id, e.account, e.note, e.amount FROM t CROSS JOIN (VALUES" \
                     " (1, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))," \
                     " (2, CAST(? AS TEXT), CAST(? AS BIGINT), CAST(? AS BIGINT))) AS e (ord, account, note, amount) ORDER BY e.ord"

static int post_pair_pg(struct dctx *c, int64_t note_id, const char *kind, int64_t amount, int64_t store_id,
                        const char *till_reference, const char *reason, const struct entry *e)
{
    if (till_reference || reason)
        return db_run(c->db, "WITH " PAIR_TX PAIR_TEXT PAIR_ENTRIES, NULL, "itiinnttttnitni", note_id, kind, amount,
                      c->now_us, c->actor.staff_id, store_id, c->addr, reason, till_reference, e[0].account,
                      e[0].note_id, e[0].amount_cents, e[1].account, e[1].note_id, e[1].amount_cents);
    return db_run(c->db, "WITH " PAIR_TX PAIR_ENTRIES, NULL, "itiinnttnitni", note_id, kind, amount, c->now_us,
                  c->actor.staff_id, store_id, c->addr, e[0].account, e[0].note_id, e[0].amount_cents, e[1].account,
                  e[1].note_id, e[1].amount_cents);
}

/* Writes one ledger transaction and its entries (which must sum to zero).
 * The free text (till reference, reason) goes into ledger_texts, outside
 * the append-only rows, where erasure can redact a customer's name. */
static int ledger__post(struct dctx *c, int64_t note_id, const char *kind, int64_t amount, int64_t store_id,
                        const char *till_reference, const char *reason, const struct entry *e, int n)
{
    int64_t sum = 0;
    for (int i = 0; i < n; i++) sum += e[i].amount_cents;
    if (sum != 0 || n < 2 || amount <= 0) return TD_E_INTERNAL;
    if (n == 2 && db_backend(c->db) == DB_POSTGRES) return post_pair_pg(c, note_id, kind, amount, store_id, till_reference, reason, e);
    int64_t tx = 0;
    int rc = db_get_int64(c->db, "INSERT INTO ledger_transactions (credit_note_id, kind, amount_cents, at, staff_id, store_id,"
                                 " address) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                          &tx, "itiinnt", note_id, kind, amount, c->now_us, c->actor.staff_id, store_id, c->addr);
    if (rc != TD_OK) return rc;
    if ((till_reference || reason) &&
        (rc = db_run(c->db, "INSERT INTO ledger_texts (transaction_id, reason, till_reference) VALUES (?, ?, ?)", NULL,
                     "itt", tx, reason, till_reference)) != TD_OK)
        return rc;
    int i = 0;
    if (n == 2) {                /* the usual pair, in one statement (a round trip on PostgreSQL) */
        rc = db_run(c->db, "INSERT INTO ledger_entries (transaction_id, account, credit_note_id, amount_cents)"
                           " VALUES (?, ?, ?, ?), (?, ?, ?, ?)", NULL, "itniitni", tx, e[0].account, e[0].note_id,
                    e[0].amount_cents, tx, e[1].account, e[1].note_id, e[1].amount_cents);
        i = 2;
    }
    for (; i < n && rc == TD_OK; i++)
        rc = db_run(c->db, "INSERT INTO ledger_entries (transaction_id, account, credit_note_id, amount_cents)"
                           " VALUES (?, ?, ?, ?)", NULL, "itni", tx, e[i].account, e[i].note_id, e[i].amount_cents);
    return rc;
}

#define NOTE_COLS \
    "n.id, n.code_hint, COALESCE(n.customer_id, 0), COALESCE(n.case_id, 0), COALESCE(s.code, ''), n.reason, n.funding," \
    " n.amount_cents, n.balance_cents, n.status, n.issued_at, COALESCE(n.issued_by, 0), n.expires_at," \
    " COALESCE(n.closed_at, 0), COALESCE(n.replaces_id, 0), COALESCE(n.replaced_by_id, 0)"
#define NOTE_FROM " FROM credit_notes n LEFT JOIN stores s ON s.id = n.store_id"
/* NOTE_COLS as an UPDATE of credit_notes returns them (no join there). */
#define NOTE_COLS_RETURNING \
    "id, code_hint, COALESCE(customer_id, 0), COALESCE(case_id, 0)," \
    " COALESCE((SELECT s.code FROM stores s WHERE s.id = credit_notes.store_id), ''), reason, funding," \
    " amount_cents, balance_cents, status, issued_at, COALESCE(issued_by, 0), expires_at," \
    " COALESCE(closed_at, 0), COALESCE(replaces_id, 0), COALESCE(replaced_by_id, 0)"

static int read_note(struct db_stmt *st, void *out)
{
    struct credit_note *o = out;
    return db_readf(st, "itiitttiitiiiiii", &o->id, o->code_hint, sizeof o->code_hint, &o->customer_id, &o->case_id,
                    o->store_code, sizeof o->store_code, o->reason, sizeof o->reason, o->funding, sizeof o->funding,
                    &o->amount_cents, &o->balance_cents, o->status, sizeof o->status, &o->issued_at, &o->issued_by,
                    &o->expires_at, &o->closed_at, &o->replaces_id, &o->replaced_by_id);
}

int ledger_get(struct dctx *c, int64_t id, struct credit_note *out)
{
    return db_get_read(c->db, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.id = ?", read_note, out, "i", id);
}

static void hash_code(const char canon[CODE_CHARS + 1], char hash[TOKEN_HASH_HEX_LEN + 1])
{
    token_hash(canon, hash);
}

int ledger_find(struct dctx *c, const char *code, struct credit_note *out)
{
    char canon[CODE_CHARS + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    if (code_parse(code, canon) != TD_OK) return TD_E_NOT_FOUND;
    hash_code(canon, hash);
    return db_get_read(c->db, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.code_hash = ?", read_note, out, "t", hash);
}

static void check_reason(struct errors *err, const char *field, const char *reason)
{
    if (!reason || !*reason) errors_add(err, field, "is required");
    else if (!text_utf8_valid(reason, strlen(reason))) errors_add(err, field, "must be valid UTF-8 text");
    else if (text_utf8_len(reason) > LEDGER_REASON_MAX) errors_add(err, field, "is longer than %d characters", LEDGER_REASON_MAX);
}

static void check_amount(struct errors *err, int64_t amount)
{
    if (amount <= 0) errors_add(err, "amount_cents", "must be a positive whole number of cents");
    else if (amount > LEDGER_MAX_CENTS) errors_add(err, "amount_cents", "is larger than %lld cents", (long long)LEDGER_MAX_CENTS);
}

/* Inserts a note row and returns its id; the code's hash must be new. */
static int insert_note(struct dctx *c, const char canon[CODE_CHARS + 1], const struct ledger_issue *in,
                       const char *funding, int64_t expires_at, int64_t replaces_id, int64_t *id)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    hash_code(canon, hash);
    return db_get_int64(c->db, "INSERT INTO credit_notes (code_hash, code_hint, customer_id, case_id, store_id, reason, funding,"
                               " amount_cents, balance_cents, status, issued_at, issued_by, expires_at, replaces_id)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'issued', ?, ?, ?, ?) RETURNING id",
                        id, "ttnnnttiiinin", hash, canon + CODE_CHARS - 4, in->customer_id, in->case_id, in->store_id,
                        in->reason, funding, in->amount_cents, in->amount_cents, c->now_us, c->actor.staff_id, expires_at,
                        replaces_id);
}


int ledger_check_loose(struct dctx *c, const struct ledger_config *cfg, const struct ledger_issue *in,
                       struct errors *err)
{
    int admin = c->actor.role == ROLE_ADMIN;
    if (!admin && in->store_id != c->actor.store_id) {
        errors_set_message(err, "a credit note is issued for your own store");
        return TD_E_FORBIDDEN;
    }
    if (in->case_id) {
        struct db_stmt *st;
        char status[24] = "";
        int64_t store = 0;
        int rc = db_get_row(c->db, "SELECT status, store_id FROM cases WHERE id = ?", &st, "i", in->case_id);
        if (rc == TD_OK) {
            snprintf(status, sizeof status, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
            store = db_col_int64(st, 1);
        }
        db_done(st);
        if (rc == TD_E_NOT_FOUND) {
            errors_add(err, "case_id", "no such case");
            return TD_E_INVALID;
        }
        if (rc != TD_OK) return rc;
        if (!admin && store != c->actor.store_id) {
            errors_set_message(err, "case %lld belongs to another store", (long long)in->case_id);
            return TD_E_FORBIDDEN;
        }
        if (strcmp(status, "awaiting_approval") == 0) {
            errors_set_message(err, "case %lld waits for a manager's approval; its credit note is issued when it is approved",
                               (long long)in->case_id);
            return TD_E_CONFLICT;
        }
        if (strcmp(status, "open") == 0) {
            errors_set_message(err, "case %lld is open: resolve it at the desk, which issues its credit note",
                               (long long)in->case_id);
            return TD_E_CONFLICT;
        }
    }
    if (c->actor.role == ROLE_ASSOCIATE && cfg->associate_daily_cents > 0) {
        /* Loose notes only: a note the desk issued for a case is the case's
         * credit_note_id, and the desk has its own limits and approvals. */
        int64_t given = 0;
        int rc = db_get_int64(c->db, "SELECT COALESCE(SUM(n.amount_cents), 0) FROM credit_notes n WHERE n.issued_by = ?"
                                     " AND n.issued_at > ? AND n.funding <> 'reissue'"
                                     " AND NOT EXISTS (SELECT 1 FROM cases k WHERE k.credit_note_id = n.id)",
                              &given, "ii", c->actor.staff_id, c->now_us - 86400LL * 1000000);
        if (rc != TD_OK) return rc;
        if (given + in->amount_cents > cfg->associate_daily_cents) {
            errors_set_message(err, "you issued EUR %lld.%02lld in credit notes outside the desk in the last 24 hours; "
                               "more than EUR %lld.%02lld needs a manager", (long long)(given / 100),
                               (long long)(given % 100), (long long)(cfg->associate_daily_cents / 100),
                               (long long)(cfg->associate_daily_cents % 100));
            return TD_E_FORBIDDEN;
        }
    }
    return TD_OK;
}

int ledger_issue(struct dctx *c, const struct ledger_config *cfg, const struct ledger_issue *in, struct errors *err,
                 char code[CODE_TEXT_SZ], struct credit_note *out)
{
    check_amount(err, in->amount_cents);
    check_reason(err, "reason", in->reason);
    const char *funding = in->funding ? in->funding : "goodwill";
    if (strcmp(funding, "goodwill") != 0 && strcmp(funding, "refund") != 0)
        errors_add(err, "funding", "must be goodwill or refund");
    int64_t expires_at = in->expires_at ? in->expires_at : c->now_us + cfg->validity_us;
    if (expires_at <= c->now_us) errors_add(err, "expires_at", "must lie in the future");
    else if (expires_at > c->now_us + 10LL * 366 * 86400 * 1000000) errors_add(err, "expires_at", "is more than ten years away");
    if (in->customer_id) {
        int usable = 0;
        int rc = customer_alive_locked(c, in->customer_id, &usable);
        if (rc != TD_OK) return rc;
        if (!usable) errors_add(err, "customer_id", "no such customer");
    }
    if (err->n) return TD_E_INVALID;
    if (c->actor.role == ROLE_ASSOCIATE && in->amount_cents > cfg->associate_limit_cents) {
        errors_set_message(err, "credit notes above EUR %lld.%02lld need a manager",
                           (long long)(cfg->associate_limit_cents / 100), (long long)(cfg->associate_limit_cents % 100));
        return TD_E_FORBIDDEN;
    }
    char canon[CODE_CHARS + 1];
    code_new(code);
    if (code_parse(code, canon) != TD_OK) return TD_E_INTERNAL;
    int64_t id = 0;
    int rc = insert_note(c, canon, in, funding, expires_at, 0, &id);
    if (rc != TD_OK) return rc;
    struct entry e[2] = {
        {funding_account(funding), 0, in->amount_cents},
        {ACC_LIABILITY, id, -in->amount_cents},
    };
    if ((rc = ledger__post(c, id, "issue", in->amount_cents, in->store_id, NULL, in->reason, e, 2)) != TD_OK) return rc;
    return ledger_get(c, id, out);
}

/* Says why a note could not pay `amount` (after the conditional UPDATE
 * changed nothing). */
static void explain_refusal(const struct credit_note *n, int64_t amount, int64_t now, struct errors *err)
{
    if (strcmp(n->status, "issued") != 0 && strcmp(n->status, "partly_used") != 0)
        errors_set_message(err, "this credit note is %s", n->status);
    else if (n->expires_at <= now)
        errors_set_message(err, "this credit note has expired");
    else if (n->balance_cents < amount)
        errors_set_message(err, "the balance is %lld cents, less than %lld", (long long)n->balance_cents, (long long)amount);
    else
        errors_set_message(err, "the credit note changed meanwhile; try again");
}

int ledger_redeem(struct dctx *c, const char *code, int64_t amount, int64_t store_id, const char *till_reference,
                  struct errors *err, struct credit_note *out)
{
    check_amount(err, amount);
    if (till_reference && (!text_utf8_valid(till_reference, strlen(till_reference)) ||
                           text_utf8_len(till_reference) > TILL_REF_MAX))
        errors_add(err, "till_reference", "must be text of at most %d characters", TILL_REF_MAX);
    if (err->n) return TD_E_INVALID;
    char canon[CODE_CHARS + 1], hash[TOKEN_HASH_HEX_LEN + 1];
    if (code_parse(code, canon) != TD_OK) return TD_E_NOT_FOUND;
    hash_code(canon, hash);
    /* One statement finds the note by its code and takes the amount, and
     * returns the note as the update left it (under READ COMMITTED another
     * redemption may have moved the balance meanwhile). Only a refusal reads
     * the note again, to say why (or that no note has this code). */
    struct credit_note n;
    int rc = db_get_read(c->db, "UPDATE credit_notes SET balance_cents = balance_cents - ?,"
                                " status = CASE WHEN balance_cents = ? THEN 'used' ELSE 'partly_used' END,"
                                " closed_at = CASE WHEN balance_cents = ? THEN CAST(? AS BIGINT) ELSE NULL END"
                                " WHERE code_hash = ? AND status IN ('issued', 'partly_used') AND balance_cents >= ?"
                                " AND expires_at > ? RETURNING " NOTE_COLS_RETURNING,
                         read_note, &n, "iiiitii", amount, amount, amount, c->now_us, hash, amount, c->now_us);
    if (rc == TD_E_NOT_FOUND) {
        if ((rc = db_get_read(c->db, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.code_hash = ?", read_note, &n, "t", hash)) !=
            TD_OK)
            return rc;
        explain_refusal(&n, amount, c->now_us, err);
        return TD_E_CONFLICT;
    }
    if (rc != TD_OK) return rc;
    struct entry e[2] = { {ACC_LIABILITY, n.id, amount}, {ACC_TILL, 0, -amount} };
    if ((rc = ledger__post(c, n.id, "redeem", amount, store_id, till_reference, NULL, e, 2)) != TD_OK) return rc;
    *out = n;
    return TD_OK;
}

/* Closes an open note whose balance is `balance`, moving it to status;
 * TD_E_CONFLICT when the note changed or is not open. */
static int close_note(struct dctx *c, int64_t id, int64_t balance, const char *status)
{
    int64_t changed = 0;
    int rc = db_run(c->db, "UPDATE credit_notes SET balance_cents = 0, status = ?, closed_at = ?"
                           " WHERE id = ? AND balance_cents = ? AND status IN ('issued', 'partly_used')",
                    &changed, "tiii", status, c->now_us, id, balance);
    if (rc == TD_OK && changed != 1) rc = TD_E_CONFLICT;
    return rc;
}

static int open_with_balance(const struct credit_note *n)
{
    return (strcmp(n->status, "issued") == 0 || strcmp(n->status, "partly_used") == 0) && n->balance_cents > 0;
}

int ledger_void(struct dctx *c, const char *code, const char *reason, struct errors *err, struct credit_note *out)
{
    check_reason(err, "reason", reason);
    if (err->n) return TD_E_INVALID;
    struct credit_note n;
    int rc = ledger_find(c, code, &n);
    if (rc != TD_OK) return rc;
    if (!open_with_balance(&n)) {
        errors_set_message(err, "this credit note is %s and cannot be voided", n.status);
        return TD_E_CONFLICT;
    }
    if ((rc = close_note(c, n.id, n.balance_cents, "void")) != TD_OK) return rc;
    struct entry e[2] = { {ACC_LIABILITY, n.id, n.balance_cents}, {funding_account(n.funding), 0, -n.balance_cents} };
    if ((rc = ledger__post(c, n.id, "void", n.balance_cents, 0, NULL, reason, e, 2)) != TD_OK) return rc;
    char subject[40];
    snprintf(subject, sizeof subject, "credit_note:%lld", (long long)n.id);
    if ((rc = domain_audit(c, "credit_note.void", subject, NULL)) != TD_OK) return rc;
    return ledger_get(c, n.id, out);
}

int ledger_reissue(struct dctx *c, const char *code, const char *reason, struct errors *err,
                   char new_code[CODE_TEXT_SZ], struct credit_note *out)
{
    check_reason(err, "reason", reason);
    if (err->n) return TD_E_INVALID;
    struct credit_note old;
    int rc = ledger_find(c, code, &old);
    if (rc != TD_OK) return rc;
    if (!open_with_balance(&old) || old.expires_at <= c->now_us) {
        errors_set_message(err, "only a valid credit note with a balance can be reissued (this one is %s)",
                           old.expires_at <= c->now_us ? "expired" : old.status);
        return TD_E_CONFLICT;
    }
    if ((rc = close_note(c, old.id, old.balance_cents, "reissued")) != TD_OK) return rc;
    struct ledger_issue in = {
        .amount_cents = old.balance_cents, .reason = reason, .customer_id = old.customer_id,
        .case_id = old.case_id, .store_id = c->actor.store_id,
    };
    char canon[CODE_CHARS + 1];
    code_new(new_code);
    if (code_parse(new_code, canon) != TD_OK) return TD_E_INTERNAL;
    int64_t id = 0;
    if ((rc = insert_note(c, canon, &in, old.funding, old.expires_at, old.id, &id)) != TD_OK) return rc;
    struct entry e[2] = { {ACC_LIABILITY, old.id, old.balance_cents}, {ACC_LIABILITY, id, -old.balance_cents} };
    if ((rc = ledger__post(c, old.id, "reissue", old.balance_cents, 0, NULL, reason, e, 2)) != TD_OK) return rc;
    if ((rc = db_run(c->db, "UPDATE credit_notes SET replaced_by_id = ? WHERE id = ?", NULL, "ii", id, old.id)) != TD_OK)
        return rc;
    char subject[40];
    snprintf(subject, sizeof subject, "credit_note:%lld", (long long)old.id);
    if ((rc = domain_audit(c, "credit_note.reissue", subject, NULL)) != TD_OK) return rc;
    return ledger_get(c, id, out);
}

int ledger_expire_due(struct dctx *c, int limit, int *count)
{
    *count = 0;
    struct db_stmt *st = NULL;
    int64_t ids[256], balances[256];
    int n = 0;
    if (limit > 256) limit = 256;
    int rc = db_query(c->db, "SELECT id, balance_cents FROM credit_notes WHERE balance_cents > 0 AND expires_at <= ?"
                             " AND status IN ('issued', 'partly_used') ORDER BY expires_at LIMIT ?",
                      &st, "ii", c->now_us, (int64_t)limit);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW && n < limit) {
        ids[n] = db_col_int64(st, 0);
        balances[n] = db_col_int64(st, 1);
        n++;
        rc = TD_OK;
    }
    if ((rc = db_end(st, rc)) != TD_OK) return rc;
    for (int i = 0; i < n; i++) {
        if ((rc = close_note(c, ids[i], balances[i], "expired")) != TD_OK) return rc;
        struct entry e[2] = { {ACC_LIABILITY, ids[i], balances[i]}, {ACC_BREAKAGE, 0, -balances[i]} };
        if ((rc = ledger__post(c, ids[i], "expire", balances[i], 0, NULL, "expired", e, 2)) != TD_OK) return rc;
        (*count)++;
    }
    return TD_OK;
}

int ledger_history(struct dctx *c, int64_t note_id, int (*fn)(void *arg, const struct ledger_event *e), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT t.kind, t.at, -e.amount_cents, COALESCE(s.code, ''), x.till_reference, x.reason,"
                             " COALESCE(f.login, '') FROM ledger_entries e JOIN ledger_transactions t ON t.id = e.transaction_id"
                             " LEFT JOIN ledger_texts x ON x.transaction_id = t.id"
                             " LEFT JOIN stores s ON s.id = t.store_id LEFT JOIN staff f ON f.id = t.staff_id"
                             " WHERE e.credit_note_id = ? AND e.account = 'credit_note_liability' ORDER BY t.id",
                      &st, "i", note_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        struct ledger_event e = {
            db_col_text(st, 0), db_col_int64(st, 1), db_col_int64(st, 2), db_col_text(st, 3),
            db_col_text(st, 4), db_col_text(st, 5), db_col_text(st, 6),
        };
        rc = fn(arg, &e);
    }
    return db_end(st, rc);
}

int ledger_each_of_customer(struct dctx *c, int64_t customer_id, int (*fn)(void *arg, const struct credit_note *n), void *arg)
{
    struct db_stmt *st;
    struct credit_note n;
    int rc = db_query(c->db, "SELECT " NOTE_COLS NOTE_FROM " WHERE n.customer_id = ? ORDER BY n.id DESC", &st, "i",
                      customer_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_note(st, &n)) == TD_OK) rc = fn(arg, &n);
    return db_end(st, rc);
}

int ledger_each(struct dctx *c, const char *status, int64_t before, int limit,
                int (*fn)(void *arg, const struct credit_note *n), void *arg, int64_t *next)
{
    struct db_stmt *st;
    *next = 0;
    const char *s = status ? status : "";
    int rc = db_query(c->db, "SELECT " NOTE_COLS NOTE_FROM " WHERE (? = '' OR n.status = ?) AND n.id < ?"
                             " ORDER BY n.id DESC LIMIT ?",
                      &st, "ttii", s, s, before > 0 ? before : INT64_MAX, (int64_t)limit + 1);
    struct credit_note n;
    int seen = 0;
    int64_t last = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if (seen == limit) {
            *next = last;
            break;
        }
        if ((rc = read_note(st, &n)) != TD_OK) break;
        last = n.id;
        seen++;
        rc = fn(arg, &n);
    }
    return db_end(st, rc);
}

int ledger_accounts_each(struct dctx *c, int (*fn)(void *arg, const char *code, const char *name, int64_t sum), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT a.code, a.name, COALESCE((SELECT SUM(e.amount_cents) FROM ledger_entries e"
                             " WHERE e.account = a.code), 0) FROM ledger_accounts a ORDER BY a.code", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        rc = fn(arg, db_col_text(st, 0), db_col_text(st, 1), db_col_int64(st, 2));
    return db_end(st, rc);
}

/* Runs one verification query; every row it returns is a problem, described
 * by `what` with the row's three columns. */
static int verify_query(struct db *db, const char *sql, const char *what,
                        void (*report)(void *arg, const char *problem), void *arg, int64_t *problems)
{
    struct db_stmt *st;
    int rc = db_query(db, sql, &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        char line[300];
        snprintf(line, sizeof line, what, (long long)db_col_int64(st, 0), (long long)db_col_int64(st, 1),
                 (long long)db_col_int64(st, 2));
        report(arg, line);
        (*problems)++;
        rc = TD_OK;
    }
    return db_end(st, rc);
}

int ledger_verify(struct db *db, void (*report)(void *arg, const char *problem), void *arg, int64_t *problems)
{
    static const struct { const char *sql, *what; } checks[] = {
        {"SELECT transaction_id, SUM(amount_cents), COUNT(*) FROM ledger_entries GROUP BY transaction_id"
         " HAVING SUM(amount_cents) <> 0 OR COUNT(*) < 2",
         "transaction %lld: its entries sum to %lld cents over %lld entries (must be 0 over at least 2)"},
        {"SELECT t.id, t.credit_note_id, 0 FROM ledger_transactions t"
         " WHERE NOT EXISTS (SELECT 1 FROM ledger_entries e WHERE e.transaction_id = t.id)",
         "transaction %lld of credit note %lld has no entries"},
        {"SELECT n.id, n.balance_cents, COALESCE((SELECT -SUM(e.amount_cents) FROM ledger_entries e"
         "  WHERE e.credit_note_id = n.id AND e.account = 'credit_note_liability'), 0) AS computed"
         " FROM credit_notes n WHERE n.balance_cents <> COALESCE((SELECT -SUM(e.amount_cents) FROM ledger_entries e"
         "  WHERE e.credit_note_id = n.id AND e.account = 'credit_note_liability'), 0)",
         "credit note %lld: balance is %lld cents but its entries say %lld"},
        {"SELECT id, balance_cents, amount_cents FROM credit_notes WHERE balance_cents < 0 OR balance_cents > amount_cents",
         "credit note %lld: balance %lld cents is outside 0..%lld"},
        {"SELECT id, balance_cents, 0 FROM credit_notes WHERE (balance_cents > 0) <>"
         " (status IN ('issued', 'partly_used'))",
         "credit note %lld: balance %lld cents does not fit its status"},
        {"SELECT 0, COALESCE(SUM(amount_cents), 0), COUNT(*) FROM ledger_entries HAVING COALESCE(SUM(amount_cents), 0) <> 0",
         "the ledger as a whole (%lld) sums to %lld cents over %lld entries instead of 0"},
        {"SELECT 0, (SELECT COALESCE(SUM(balance_cents), 0) FROM credit_notes),"
         " (SELECT COALESCE(-SUM(amount_cents), 0) FROM ledger_entries WHERE account = 'credit_note_liability')"
         " WHERE (SELECT COALESCE(SUM(balance_cents), 0) FROM credit_notes) <>"
         " (SELECT COALESCE(-SUM(amount_cents), 0) FROM ledger_entries WHERE account = 'credit_note_liability')",
         "%lld: outstanding balances total %lld cents but the liability account holds %lld"},
    };
    *problems = 0;
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        int rc = verify_query(db, checks[i].sql, checks[i].what, report, arg, problems);
        if (rc != TD_OK) return rc;
    }
    return TD_OK;
}

struct expire_arg { int64_t now; int count; };

static int expire_tx(struct db *db, void *arg)
{
    struct expire_arg *x = arg;
    struct dctx c = { .db = db, .now_us = x->now, .addr = "scheduler" };
    return ledger_expire_due(&c, 100, &x->count);
}

int ledger_expire_all(struct db *db, int64_t now_us, int64_t *count)
{
    int rc;
    *count = 0;
    for (;;) {
        struct expire_arg x = { now_us, 0 };
        if ((rc = db_transact(db, expire_tx, &x)) != TD_OK) return rc;
        *count += x.count;
        if (x.count < 100) return TD_OK;
    }
}
