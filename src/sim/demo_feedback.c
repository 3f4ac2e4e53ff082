/* demo_feedback.c — the demo's feedback: what a newcomer needs to see every
 * feedback screen filled (docs/feedback.md).
 *
 *  - answers to about half of the surveys the case history sent (its
 *    RESOLVED events asked them), scored like a chain with an NPS around
 *    +40, a few with a comment, and the NPS counts made from them;
 *  - a follow-up for every unhappy answer: the older ones called and closed
 *    with a root cause, the newest few (and one in twenty older ones,
 *    overdue) still open or contacted;
 *  - a staff survey round in Utrecht, Amsterdam and Rotterdam with answers
 *    enough to show (and comments), whose secrets make the board's themes,
 *    the clearest ones merged, renamed and shown;
 *  - two verified value cards: free alterations within 30 days for
 *    women's clothing, two years' warranty on kitchen scales (against
 *    Action), each with a quiz question.
 *
 * Answers and follow-ups are written set-wise, one INSERT ... SELECT or
 * UPDATE each over the surveys, so they cost the same few statements at
 * any size; their randomness is a hash of the survey's id and the seed,
 * so a seed gives the same demo. The staff survey and the cards go through
 * the domain (advocacy, secrets, cards, quiz): a few dozen calls. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "db/db.h"
#include "domain/advocacy.h"
#include "domain/cards.h"
#include "domain/nps.h"
#include "domain/quiz.h"
#include "domain/secrets.h"
#include "sim/demo_gen.h"

#define HOUR_US (3600LL * US)

/* A draw 0..999 from the row's id and the seed (one bind, the seed); the
 * factor makes draws of one row independent. Small enough for BIGINT. */
#define DRAW(f) "((id * " #f " + ?) * 104729 % 1000)"

static int answer_surveys(struct gen *g, int64_t s)
{
    /* 45 % answer, within three days of the mail; 0-6: 18 %, 7-8: 24 %,
     * 9-10: 58 % (an NPS near +40). */
    int rc = db_run(g->db,
                    "UPDATE surveys SET score = CASE WHEN " DRAW(31) " < 50 THEN " DRAW(31) " % 4"
                    " WHEN " DRAW(31) " < 180 THEN 4 + " DRAW(31) " % 3 WHEN " DRAW(31) " < 420 THEN 7 + " DRAW(31) " % 2"
                    " ELSE 9 + " DRAW(31) " % 2 END,"
                    " answered_at = sent_at + " DRAW(37) " * 259200000, first_answered_at = sent_at + " DRAW(37) " * 259200000"
                    " WHERE score IS NULL AND sent_at < ? AND " DRAW(17) " < 450",
                    NULL, "iiiiiiiiiii", s, s, s, s, s, s, s, s, s, g->cfg->end_us - 3 * DAY_S * US, s);
    /* A comment with one in six answers. */
    if (rc == TD_OK)
        rc = db_run(g->db,
                    "UPDATE surveys SET comment = CASE"
                    " WHEN score <= 6 AND " DRAW(41) " % 3 = 0 THEN 'Lang moeten wachten bij de kassa, niemand hielp.'"
                    " WHEN score <= 6 AND " DRAW(41) " % 3 = 1 THEN 'De medewerker luisterde niet naar mijn verhaal.'"
                    " WHEN score <= 6 THEN 'Het product was na een week alweer kapot.'"
                    " WHEN score >= 9 AND " DRAW(41) " % 2 = 0 THEN 'Snel en vriendelijk geholpen!'"
                    " WHEN score >= 9 THEN 'Netjes opgelost, dank u wel.'"
                    " ELSE 'Prima, maar het duurde even.' END"
                    " WHERE score IS NOT NULL AND " DRAW(43) " < 170",
                    NULL, "iiii", s, s, s, s);
    return rc;
}

/* A follow-up for every unhappy answer (as followup_answer would have
 * opened it): closed after a call, except the last four days', the newest
 * three and one in twenty older ones (overdue), which are open or
 * contacted. */
static int follow_up(struct gen *g, int64_t s)
{
    int64_t recent = g->cfg->end_us - 4 * DAY_S * US;
    int rc = db_run(g->db,
                    "INSERT INTO followups (case_id, survey_id, store_id, customer_id, status, opened_at, due_at,"
                    " first_contact_at, closed_at, closed_by, root_cause, action, recovery)"
                    " SELECT case_id, id, store_id, customer_id, st, answered_at, answered_at + 172800000000,"
                    " CASE WHEN st = 'open' THEN NULL ELSE answered_at + (2 + h % 50) * 3600000000 END,"
                    " CASE WHEN st = 'closed' THEN answered_at + (3 + h % 50 + h % 24) * 3600000000 END,"
                    " CASE WHEN st = 'closed' THEN (SELECT MIN(m.id) FROM staff m WHERE m.role = 'manager'"
                    " AND m.store_id = x.store_id) END,"
                    " CASE WHEN st <> 'closed' THEN NULL WHEN h % 5 = 0 THEN 'waiting_time' WHEN h % 5 = 1 THEN 'product_quality'"
                    " WHEN h % 5 = 2 THEN 'policy' WHEN h % 5 = 3 THEN 'staff_attitude' ELSE 'communication' END,"
                    " CASE WHEN st = 'closed' THEN 'Klant gebeld, excuses gemaakt en uitgelegd wat we anders doen.' END,"
                    " CASE WHEN st = 'closed' THEN 'call' END"
                    " FROM (SELECT id, case_id, store_id, customer_id, answered_at, h,"
                    " CASE WHEN answered_at < ? AND rn > 3 AND h2 >= 50 THEN 'closed'"
                    " WHEN h2 % 2 = 0 THEN 'open' ELSE 'contacted' END AS st"
                    " FROM (SELECT id, case_id, store_id, customer_id, answered_at, " DRAW(47) " AS h, " DRAW(53) " AS h2,"
                    " ROW_NUMBER() OVER (ORDER BY answered_at DESC, id DESC) AS rn"
                    " FROM surveys WHERE score <= 6) y) x",
                    NULL, "iii", recent, s, s);
    static const char *const events[] = {
        "INSERT INTO followup_events (followup_id, at, staff_id, action, note)"
        " SELECT id, opened_at, NULL, 'opened', NULL FROM followups",
        "INSERT INTO followup_events (followup_id, at, staff_id, action, note)"
        " SELECT id, first_contact_at, closed_by, 'contacted', 'Gebeld en excuses gemaakt.' FROM followups"
        " WHERE first_contact_at IS NOT NULL",
        "INSERT INTO followup_events (followup_id, at, staff_id, action, note)"
        " SELECT id, closed_at, closed_by, 'closed', root_cause FROM followups WHERE closed_at IS NOT NULL",
    };
    for (size_t i = 0; i < COUNT(events) && rc == TD_OK; i++) rc = db_run(g->db, events[i], NULL, "");
    return rc;
}

/* ---- the staff survey, the secrets board, value cards --------------------- */

static const char *const secrets[] = {
    "Gratis vermaken van kleding binnen 30 dagen",
    "Wij vermaken broeken en jurken gratis",
    "Gratis vermaken, dat weet bijna niemand",
    "Twee jaar garantie op keukenweegschalen, wij regelen de reparatie",
    "Garantie van twee jaar op elektra en keuken",
    "Cadeaubonnen zonder einddatum",
    "",
};
static const char *const whys[] = {
    "Goede kwaliteit voor de prijs.", "Collega's die echt advies geven.", "Soms lang wachten bij de kassa.", "",
};

static int64_t staff_id(struct gen *g, const char *login, int *rc)
{
    int64_t id = 0;
    if (*rc == TD_OK) *rc = db_get_int64(g->db, "SELECT id FROM staff WHERE login = ?", &id, "t", login);
    return id;
}

struct pick { const char *label; int64_t id; };

static int find_theme(void *arg, const struct secrets_theme *t)
{
    struct pick *p = arg;
    if (!p->id && strcmp(t->label, p->label) == 0) p->id = t->id;
    return TD_OK;
}

static int64_t theme(struct dctx *c, const char *label, int *rc)
{
    struct pick p = {label, 0};
    if (*rc == TD_OK) *rc = secrets_board(c, false, 0, 500, find_theme, &p);
    return p.id;
}

static int staff_round(struct gen *g, struct dctx *c)
{
    static const char *const stores[] = {"UTR01", "AMS01", "RTM01"};
    struct advocacy_round_in in = {"Personeelsonderzoek najaar", c->now_us + 21 * DAY_S * US, stores, COUNT(stores), NULL, 0};
    struct advocacy_link *links = calloc(ADVOCACY_STORES_MAX, sizeof *links);
    if (!links) return TD_E_NOMEM;
    struct errors err;
    errors_init(&err);
    int64_t round = 0;
    size_t n = 0;
    int rc = advocacy_round_create(c, &in, &err, &round, links, &n);
    struct rng r;
    rng_stream(&r, g->cfg->seed, STREAM_FEEDBACK, 0);
    for (size_t k = 0; k < n && rc == TD_OK; k++)
        for (int i = 0; i < 14 + (int)k * 3 && rc == TD_OK; i++) {
            char nonce[48];
            snprintf(nonce, sizeof nonce, "demo-%lld-%zu-%d-nonce", (long long)round, k, i);
            uint32_t d = rng_below(&r, 100);
            struct advocacy_answer_in a = {d < 15 ? (int)rng_below(&r, 7) : d < 40 ? 7 + (int)rng_below(&r, 2) : 9 + (int)rng_below(&r, 2),
                                           PICK(&r, whys), PICK(&r, secrets), NULL, nonce};
            rc = advocacy_answer(c, links[k].token, &a, &err);
        }
    free(links);
    /* The board: the alterations' words become one theme, shown; the
     * warranty too. */
    int64_t alter = theme(c, "vermaken", &rc), gratis = theme(c, "gratis", &rc), warranty = theme(c, "garantie", &rc);
    int64_t twee = theme(c, "twee", &rc), jaar = theme(c, "jaar", &rc), kleding = theme(c, "kleding", &rc);
    if (rc == TD_OK && alter && gratis) rc = secrets_merge(c, alter, gratis, &err);
    if (rc == TD_OK && alter && kleding) rc = secrets_merge(c, alter, kleding, &err);
    if (rc == TD_OK && warranty && jaar) rc = secrets_merge(c, warranty, jaar, &err);
    if (rc == TD_OK && alter) rc = secrets_rename(c, alter, "Gratis vermaken", &err);
    if (rc == TD_OK && alter) rc = secrets_moderate(c, alter, SECRETS_SHOWN, &err);
    if (rc == TD_OK && warranty && twee) rc = secrets_merge(c, warranty, twee, &err);
    if (rc == TD_OK && warranty) rc = secrets_rename(c, warranty, "Twee jaar garantie", &err);
    if (rc == TD_OK && warranty) rc = secrets_moderate(c, warranty, SECRETS_SHOWN, &err);
    return rc;
}

static int card(struct gen *g, struct dctx *admin, const struct value_card_in *in, const char *q, const char *const a[3],
                int right)
{
    struct errors err;
    errors_init(&err);
    int rc = TD_OK;
    int64_t id = 0, qid = 0, verifier = staff_id(g, in->verifier_login, &rc);
    if (rc == TD_OK) rc = cards_create(admin, in, &err, &id);
    struct dctx v = *admin;
    v.actor = (struct actor){verifier, ROLE_MANAGER, 0};
    if (rc == TD_OK) rc = cards_verify(&v, id, &err);
    struct quiz_question_in qi = {id, q, {a[0], a[1], a[2]}, 3, right};
    if (rc == TD_OK) rc = quiz_question_create(admin, &qi, &err, &qid);
    return rc;
}

static int value_cards(struct gen *g, struct dctx *admin)
{
    int rc = TD_OK;
    int64_t alter = theme(admin, "Gratis vermaken", &rc);
    struct value_card_in clothing = {"dames", "Gratis vermaken binnen 30 dagen", "Free alterations within 30 days", NULL,
                                     "manager.utrecht", 90, alter};
    struct value_card_in scales = {"keuken", "Twee jaar garantie op keukenweegschalen: wij regelen de reparatie",
                                   "Two years' warranty on kitchen scales: we handle the repair", "Action",
                                   "manager.utrecht", 90, theme(admin, "Twee jaar garantie", &rc)};
    if (rc == TD_OK)
        rc = card(g, admin, &clothing, "Hoe lang mag een klant kleding gratis laten vermaken?",
                  (const char *const[]){"7 dagen", "30 dagen", "Nooit gratis"}, 1);
    if (rc == TD_OK)
        rc = card(g, admin, &scales, "Wat doen we als een keukenweegschaal binnen twee jaar kapotgaat?",
                  (const char *const[]){"Wij regelen de reparatie", "De klant belt de fabrikant", "Niets"}, 0);
    return rc;
}

int demo__feedback(struct gen *g)
{
    int64_t s = (int64_t)(g->cfg->seed % 1000);
    struct dctx c = {.db = g->db, .now_us = g->cfg->end_us, .addr = "cli"};
    int rc = answer_surveys(g, s);
    if (rc == TD_OK) rc = nps_recount(&c);
    if (rc == TD_OK) rc = follow_up(g, s);
    /* Head office ran the staff survey two weeks ago; the cards were
     * made and verified since. */
    int64_t admin = staff_id(g, "admin", &rc);
    struct dctx a = {.db = g->db, .now_us = g->cfg->end_us - 14 * DAY_S * US, .actor = {admin, ROLE_ADMIN, 0},
                     .addr = "cli"};
    if (rc == TD_OK) rc = staff_round(g, &a);
    a.now_us = g->cfg->end_us - 3 * DAY_S * US;
    if (rc == TD_OK) rc = value_cards(g, &a);
    return rc;
}
