/* cards.c — value cards and the card the desk shows with a case (see
 * cards.h for the states and invariants).
 *
 * A card's category is compared by its folded form (category_key), so the
 * POS's "Keuken" finds a card written for "keuken"; '' is every category.
 * Whether the desk may show a card is one SQL condition (SHOWN below), used
 * by cards_for() and the list alike, so the two never disagree.
 */
#include "domain/cards.h"
#include "db/db.h"
#include "domain/desk.h"
#include "domain/policy.h"
#include "domain/staff.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

ENUM_MAP_DEFINE(cards_outcome_map, CARDS_OUTCOME_MAP);
ENUM_MAP_DEFINE(cards_state_map, CARDS_STATE_MAP);

#define DAY_US (86400LL * 1000000)

#define CARD_COLS                                                                                             \
    "v.id, v.category, v.claim_nl, v.claim_en, v.competitor, COALESCE(v.theme_id, 0), v.verifier_id, s.login," \
    " COALESCE(v.verified_at, 0), COALESCE(v.check_by, 0), v.check_days, COALESCE(v.retired_at, 0),"          \
    " v.created_at, v.updated_at"
#define CARD_FROM " FROM value_cards v JOIN staff s ON s.id = v.verifier_id"
#define SHOWN CARDS_SHOWN_SQL

static enum cards_state state_at(const struct value_card *v, int64_t now)
{
    if (v->retired_at) return CARDS_RETIRED;
    if (!v->verified_at) return CARDS_DRAFT;
    return v->check_by > now ? CARDS_VERIFIED : CARDS_OVERDUE;
}

static int read_card(struct db_stmt *st, int64_t now, struct value_card *out)
{
    memset(out, 0, sizeof *out);
    int64_t check_days = 0;
    int rc = db_readf(st, "ittttiitiiiiii", &out->id, out->category, sizeof out->category, out->claim_nl,
                      sizeof out->claim_nl, out->claim_en, sizeof out->claim_en, out->competitor,
                      sizeof out->competitor, &out->theme_id, &out->verifier_id, out->verifier_login,
                      sizeof out->verifier_login, &out->verified_at, &out->check_by, &check_days, &out->retired_at,
                      &out->created_at, &out->updated_at);
    if (rc != TD_OK) return rc;
    out->check_days = (int)check_days;
    out->state = state_at(out, now);
    return TD_OK;
}

/* Field checks shared by create and update; required only on create. */
static void check_in(struct dctx *c, const struct value_card_in *in, int create, struct errors *err,
                     int64_t *verifier_id)
{
    errors_check_text(err, "category", in->category, CARDS_CATEGORY_MAX, 0);
    errors_check_text(err, "claim_nl", in->claim_nl, CARDS_CLAIM_MAX, create);
    errors_check_text(err, "claim_en", in->claim_en, CARDS_CLAIM_MAX, create);
    errors_check_text(err, "competitor", in->competitor, CARDS_COMPETITOR_MAX, 0);
    if (in->check_days != 0 && in->check_days != -1 && (in->check_days < 1 || in->check_days > 366))
        errors_add(err, "check_days", "must be a number of days from 1 to 366");
    *verifier_id = 0;
    if (!in->verifier_login) {
        if (create) errors_add(err, "verifier", "is required: the staff member who checks the claim");
        return;
    }
    struct staff s;
    int rc = staff_get_by_login(c, in->verifier_login, &s);
    if (rc != TD_OK || !s.active || s.role == ROLE_ASSOCIATE)
        errors_add(err, "verifier", "must be the login of an active manager or admin");
    else
        *verifier_id = s.id;
}

static int theme_exists(struct dctx *c, int64_t theme_id, struct errors *err)
{
    if (theme_id <= 0) return TD_OK;
    int64_t n;
    int rc = db_get_int64(c->db, "SELECT COUNT(*) FROM secret_themes WHERE id = ?", &n, "i", theme_id);
    if (rc == TD_OK && n == 0) errors_add(err, "theme_id", "is no theme of the secrets board");
    return rc;
}

int cards_create(struct dctx *c, const struct value_card_in *in, struct errors *err, int64_t *id)
{
    int64_t verifier;
    char key[CARDS_CATEGORY_MAX * 4 + 1];
    check_in(c, in, 1, err, &verifier);
    int rc = theme_exists(c, in->theme_id, err);
    if (rc != TD_OK) return rc;
    if (!err->n && domain_fold(key, sizeof key, in->category) != TD_OK) errors_add(err, "category", "is too long");
    if (err->n) return TD_E_INVALID;
    rc = db_get_int64(c->db,
                      "INSERT INTO value_cards (category, category_key, claim_nl, claim_en, competitor, theme_id,"
                      " verifier_id, check_days, created_by, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      id, "tttttniinii", in->category ? in->category : "", key, in->claim_nl, in->claim_en,
                      in->competitor ? in->competitor : "", in->theme_id, verifier,
                      (int64_t)(in->check_days > 0 ? in->check_days : CARDS_CHECK_DAYS), c->actor.staff_id,
                      c->now_us, c->now_us);
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)*id);
    if (rc == TD_OK) rc = domain_audit(c, "card.create", subject, in->claim_en);
    return rc;
}

int cards_update(struct dctx *c, int64_t id, const struct value_card_in *in, struct errors *err)
{
    struct value_card v;
    int rc = cards_get(c, id, &v);
    if (rc != TD_OK) return rc;
    int64_t verifier;
    check_in(c, in, 0, err, &verifier);
    if ((rc = theme_exists(c, in->theme_id, err)) != TD_OK) return rc;
    char key[CARDS_CATEGORY_MAX * 4 + 1];
    if (!err->n && domain_fold(key, sizeof key, in->category ? in->category : v.category) != TD_OK)
        errors_add(err, "category", "is too long");
    if (err->n) return TD_E_INVALID;
    /* A changed claim (or what it is about) is checked again (a draft). */
    bool changed = (in->category && strcmp(in->category, v.category) != 0) ||
                   (in->claim_nl && strcmp(in->claim_nl, v.claim_nl) != 0) ||
                   (in->claim_en && strcmp(in->claim_en, v.claim_en) != 0) ||
                   (in->competitor && strcmp(in->competitor, v.competitor) != 0) ||
                   (verifier && verifier != v.verifier_id);
    rc = db_run(c->db,
                "UPDATE value_cards SET category = ?, category_key = ?, claim_nl = ?, claim_en = ?, competitor = ?,"
                " theme_id = ?, verifier_id = ?, check_days = ?, updated_at = ? WHERE id = ?",
                NULL, "tttttniiii", in->category ? in->category : v.category, key,
                in->claim_nl ? in->claim_nl : v.claim_nl, in->claim_en ? in->claim_en : v.claim_en,
                in->competitor ? in->competitor : v.competitor, in->theme_id > 0 ? in->theme_id : v.theme_id,
                verifier ? verifier : v.verifier_id, (int64_t)(in->check_days > 0 ? in->check_days : v.check_days),
                c->now_us, id);
    if (rc == TD_OK && changed)
        rc = db_run(c->db, "UPDATE value_cards SET verified_at = NULL, check_by = NULL WHERE id = ?", NULL, "i", id);
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)id);
    if (rc == TD_OK) rc = domain_audit(c, "card.update", subject, changed ? "to be verified again" : NULL);
    return rc;
}

int cards_verify(struct dctx *c, int64_t id, struct errors *err)
{
    struct value_card v;
    int rc = cards_get(c, id, &v);
    if (rc != TD_OK) return rc;
    if (c->actor.role != ROLE_ADMIN && c->actor.staff_id != v.verifier_id) {
        errors_set_message(err, "only the card's verifier (%s) or an admin verifies it", v.verifier_login);
        return TD_E_FORBIDDEN;
    }
    if (v.retired_at) {
        errors_add(err, "id", "the card is retired");
        return TD_E_CONFLICT;
    }
    rc = db_run(c->db, "UPDATE value_cards SET verified_at = ?, check_by = ?, updated_at = ? WHERE id = ?", NULL,
                "iiii", c->now_us, c->now_us + (int64_t)v.check_days * DAY_US, c->now_us, id);
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)id);
    if (rc == TD_OK) rc = domain_audit(c, "card.verify", subject, NULL);
    return rc;
}

int cards_retire(struct dctx *c, int64_t id)
{
    int64_t n;
    int rc = db_run(c->db, "UPDATE value_cards SET retired_at = ?, updated_at = ? WHERE id = ? AND retired_at IS NULL",
                    &n, "iii", c->now_us, c->now_us, id);
    if (rc == TD_OK && n == 0) {
        struct value_card v;
        rc = cards_get(c, id, &v);          /* 404, or already retired: fine */
    }
    char subject[24];
    snprintf(subject, sizeof subject, "%lld", (long long)id);
    if (rc == TD_OK && n) rc = domain_audit(c, "card.retire", subject, NULL);
    return rc;
}

int cards_get(struct dctx *c, int64_t id, struct value_card *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT " CARD_COLS CARD_FROM " WHERE v.id = ?", &st, "i", id);
    if (rc == TD_OK) rc = read_card(st, c->now_us, out);
    db_done(st);
    return rc;
}

int cards_each(struct dctx *c, bool shown_only, int (*fn)(void *arg, const struct value_card *v), void *arg)
{
    struct db_stmt *st;
    struct value_card v;
    int rc = shown_only ? db_query(c->db, "SELECT " CARD_COLS CARD_FROM " WHERE" SHOWN " ORDER BY v.id DESC", &st,
                                   "i", c->now_us)
                        : db_query(c->db, "SELECT " CARD_COLS CARD_FROM " ORDER BY v.id DESC", &st, "");
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_card(st, c->now_us, &v)) == TD_OK) rc = fn(arg, &v);
    return db_end(st, rc);
}

int cards_for(struct dctx *c, const char *category, const char *competitor, struct value_card *out)
{
    char key[CARDS_CATEGORY_MAX * 4 + 1], rival[CARDS_COMPETITOR_MAX * 4 + 1];
    if (domain_fold(key, sizeof key, category) != TD_OK) return TD_E_NOT_FOUND;   /* longer than any card's */
    if (domain_fold(rival, sizeof rival, competitor) != TD_OK) rival[0] = '\0';
    struct db_stmt *st;
    /* The category's own card before one for every category; among them
     * one against the competitor the customer names, then one naming no
     * competitor (a card against another chain says nothing here). The
     * competitor is compared folded in C: SQL has no accent folding. */
    int rc = db_query(c->db,
                      "SELECT " CARD_COLS CARD_FROM " WHERE" SHOWN " AND (v.category_key = ? OR v.category_key = '')"
                      " ORDER BY CASE WHEN v.category_key = '' THEN 1 ELSE 0 END, v.verified_at DESC, v.id DESC",
                      &st, "it", c->now_us, key);
    int best = 0, best_own = 0;     /* best: 2 the competitor matches, 1 names none */
    struct value_card v;
    while (rc == TD_OK && best < 2 && (rc = db_step(st)) == TD_ROW) {
        if ((rc = read_card(st, c->now_us, &v)) != TD_OK) break;
        int own = v.category[0] != '\0';
        if (best && best_own && !own) break;     /* the category's own card beats one for all */
        char theirs[sizeof rival];
        if (domain_fold(theirs, sizeof theirs, v.competitor) != TD_OK) continue;
        int score = !theirs[0] ? 1 : (rival[0] && strcmp(theirs, rival) == 0) ? 2 : 0;
        if (score > best) {
            *out = v;
            best = score;
            best_own = own;
        }
    }
    rc = db_end(st, rc);
    if (rc == TD_OK && !best) rc = TD_E_NOT_FOUND;
    return rc;
}

bool cards_matter(int kind, int referral_reason)
{
    if (kind == POLICY_KIND_REFERRAL || kind == POLICY_KIND_PRICE_ADJUSTMENT) return true;
    return (kind == POLICY_KIND_RETURN || kind == POLICY_KIND_EXCHANGE) &&
           referral_reason == POLICY_REFER_CHEAPER_ELSEWHERE;
}

int cards_for_case(struct dctx *c, int64_t case_id, struct value_card *out)
{
    struct desk_case *k = malloc(sizeof *k);
    if (!k) return TD_E_NOMEM;
    int rc = desk_case_get(c, case_id, k);
    if (rc == TD_OK && !cards_matter((int)k->kind, (int)k->referral_reason)) rc = TD_E_NOT_FOUND;
    int found = 0;
    for (size_t i = 0; rc == TD_OK && !found && i < k->n_items; i++) {
        if (!k->items[i].category[0]) continue;
        rc = cards_for(c, k->items[i].category, k->referral_to, out);
        if (rc == TD_OK && out->category[0]) found = 1;        /* the category's own card */
        else if (rc == TD_E_NOT_FOUND) rc = TD_OK;
        else if (rc == TD_OK) found = 2;                       /* one for all; a later item may have its own */
    }
    if (rc == TD_OK && !found) rc = cards_for(c, "", k->referral_to, out);
    free(k);
    return rc;
}

int cards_record_case(struct dctx *c, int64_t case_id, int64_t card_id, enum cards_outcome outcome,
                      struct errors *err)
{
    const char *name = enum_map_name(&cards_outcome_map, (int)outcome);
    if (!name) {
        enum_map_refuse(&cards_outcome_map, "outcome", err);
        return TD_E_INVALID;
    }
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT COALESCE(customer_id, 0), store_id FROM cases WHERE id = ?", &st, "i", case_id);
    int64_t customer = rc == TD_OK ? db_col_int64(st, 0) : 0, store = rc == TD_OK ? db_col_int64(st, 1) : 0;
    db_done(st);
    if (rc != TD_OK) return rc;
    if (c->actor.role && c->actor.role != ROLE_ADMIN && c->actor.store_id != store) {
        errors_set_message(err, "the card of a case is recorded by the case's store");
        return TD_E_FORBIDDEN;
    }
    int64_t recorded = 0;
    enum cards_outcome was;
    rc = cards_case_record(c, case_id, &recorded, &was);
    if (rc == TD_E_NOT_FOUND) rc = TD_OK;
    if (rc != TD_OK) return rc;
    if (recorded != card_id) {
        int64_t shown;
        rc = db_get_int64(c->db, "SELECT COUNT(*) FROM value_cards v WHERE v.id = ? AND" SHOWN, &shown, "ii", card_id,
                          c->now_us);
        if (rc != TD_OK) return rc;
        if (!shown) {
            errors_add(err, "card_id", "is no card the desk shows now");
            return TD_E_INVALID;
        }
    }
    rc = db_run(c->db,
                "INSERT INTO case_value_cards (case_id, customer_id, card_id, outcome, shown_by, shown_at, updated_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO UPDATE SET card_id = excluded.card_id,"
                " outcome = excluded.outcome, updated_at = excluded.updated_at",
                NULL, "initnii", case_id, customer, card_id, name, c->actor.staff_id, c->now_us, c->now_us);
    return rc;
}

int cards_case_record(struct dctx *c, int64_t case_id, int64_t *card_id, enum cards_outcome *outcome)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT card_id, outcome FROM case_value_cards WHERE case_id = ?", &st, "i", case_id);
    if (rc == TD_OK) {
        *card_id = db_col_int64(st, 0);
        *outcome = (enum cards_outcome)enum_map_find(&cards_outcome_map, db_col_text(st, 1), CARDS_UNDECIDED);
    }
    db_done(st);
    return rc;
}

int cards_shown_each_of_customer(struct dctx *c, int64_t customer_id,
                                 int (*fn)(void *arg, const struct cards_shown *s), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db,
                      "SELECT k.case_id, k.card_id, k.shown_at, v.claim_nl, v.claim_en, k.outcome"
                      " FROM case_value_cards k JOIN value_cards v ON v.id = k.card_id"
                      " WHERE k.customer_id = ? ORDER BY k.shown_at, k.case_id",
                      &st, "i", customer_id);
    struct cards_shown s;
    while (db_next(st, &rc)) {
        if ((rc = db_readf(st, "iiisss", &s.case_id, &s.card_id, &s.shown_at, &s.claim_nl, &s.claim_en,
                           &s.outcome)) == TD_OK)
            rc = fn(arg, &s);
    }
    return db_end(st, rc);
}
