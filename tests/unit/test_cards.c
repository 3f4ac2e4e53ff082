/* test_cards.c — value cards through cards.h and quizzes through quiz.h on a
 * migrated database: a card needs a verifier and is shown only once that
 * verifier (or an admin) verified it and until its check date passes; a
 * changed claim is a draft again; the card for a category is found by its
 * folded name, its own before one for every category, against the named
 * competitor before one against none; which cases need a card (a table);
 * the card of a case and the customer's outcome recorded once; a quiz
 * that hands out no right answers and a score per person. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "domain/cards.h"
#include "domain/desk.h"
#include "domain/quiz.h"
#include "fixture.h"
#include "cmocka_main.h"

struct cards_fx {
    struct fixture f;
    struct actor anna, mark, mia, admin;
    int64_t member;
};

static const char purchases[] =
    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
    "R1,2026-11-10 12:00,UTR01,NL-1001,KS-100,Keukenweegschaal,Soehnle,Keuken,24.99,1\n"
    "R2,2026-11-10 12:00,UTR01,NL-1001,DR-1,Jurk,Noordzee,Kleding,89.95,1\n";

static int setup(void **state)
{
    struct cards_fx *d = calloc(1, sizeof *d);
    if (!d || fixture_open(&d->f, "cards", 1, 1) != 0) return -1;
    if (fixture_stores(&d->f, "UTR01", "AMS01", NULL) != TD_OK) return -1;
    if (fixture_import(&d->f, "loyalty_number,name\nNL-1001,Een\n", purchases) != TD_OK) return -1;
    d->member = fixture_int(&d->f, "SELECT id FROM customers WHERE loyalty_number = 'NL-1001'");
    d->anna = fixture_staff(&d->f, "anna", "associate", "UTR01");
    d->mark = fixture_staff(&d->f, "mark", "manager", "UTR01");
    d->mia = fixture_staff(&d->f, "mia", "manager", "AMS01");
    d->admin = fixture_staff(&d->f, "root", "admin", NULL);
    *state = d;
    return 0;
}

struct op { int kind; int64_t id; struct value_card_in in; struct errors err; int64_t out; };

static int op_tx(struct dctx *c, void *arg)
{
    struct op *o = arg;
    switch (o->kind) {
    case 0: return cards_create(c, &o->in, &o->err, &o->out);
    case 1: return cards_verify(c, o->id, &o->err);
    case 2: return cards_update(c, o->id, &o->in, &o->err);
    default: return cards_retire(c, o->id);
    }
}

static int run(struct cards_fx *d, struct actor who, struct op *o)
{
    errors_init(&o->err);
    d->f.c.actor = who;
    return fixture_tx(&d->f, op_tx, o);
}

static int64_t card(struct cards_fx *d, const char *category, const char *claim, const char *competitor, int verify)
{
    struct op o = {.kind = 0, .in = {.category = category, .claim_nl = claim, .claim_en = claim,
                                     .competitor = competitor, .verifier_login = "mark"}};
    assert_int_equal(run(d, d->mark, &o), TD_OK);
    int64_t id = o.out;
    if (verify) {
        struct op v = {.kind = 1, .id = id};
        assert_int_equal(run(d, d->mark, &v), TD_OK);
    }
    return id;
}

static void needs_a_verifier_and_verification(void **state)
{
    struct cards_fx *d = *state;
    struct op o = {.kind = 0, .in = {.category = "Kleding", .claim_nl = "Gratis vermaken binnen 30 dagen",
                                     .claim_en = "Free alterations within 30 days"}};
    assert_int_equal(run(d, d->mark, &o), TD_E_INVALID);
    assert_true(fixture_has_field(&o.err, "verifier"));
    o.in.verifier_login = "anna";                               /* an associate verifies nothing */
    assert_int_equal(run(d, d->mark, &o), TD_E_INVALID);
    assert_true(fixture_has_field(&o.err, "verifier"));
    o.in.verifier_login = "mark";
    o.in.claim_en = NULL;
    o.in.check_days = 400;
    assert_int_equal(run(d, d->mark, &o), TD_E_INVALID);
    assert_true(fixture_has_field(&o.err, "claim_en"));
    assert_true(fixture_has_field(&o.err, "check_days"));
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM value_cards"), 0);
    o.in.claim_en = "Free alterations within 30 days";
    o.in.check_days = 0;
    assert_int_equal(run(d, d->mark, &o), TD_OK);
    int64_t id = o.out;
    struct value_card v;
    assert_int_equal(cards_for(&d->f.c, "kleding", NULL, &v), TD_E_NOT_FOUND);   /* a draft is not shown */
    struct op ver = {.kind = 1, .id = id};
    assert_int_equal(run(d, d->mia, &ver), TD_E_FORBIDDEN);                      /* not the verifier */
    assert_int_equal(run(d, d->mark, &ver), TD_OK);
    assert_int_equal(cards_for(&d->f.c, "KLEDING", NULL, &v), TD_OK);            /* folded */
    assert_int_equal(v.id, id);
    assert_int_equal(v.state, CARDS_VERIFIED);
    assert_int_equal(v.check_by, FIXTURE_NOW + 90 * FIXTURE_DAY);
    /* Overdue after 90 days: not shown until verified again. */
    fixture_at(&d->f, FIXTURE_NOW + 90 * FIXTURE_DAY);
    assert_int_equal(cards_for(&d->f.c, "Kleding", NULL, &v), TD_E_NOT_FOUND);
    assert_int_equal(cards_get(&d->f.c, id, &v), TD_OK);
    assert_int_equal(v.state, CARDS_OVERDUE);
    assert_int_equal(run(d, d->admin, &ver), TD_OK);                             /* an admin may */
    assert_int_equal(cards_for(&d->f.c, "Kleding", NULL, &v), TD_OK);
    /* A changed claim is checked again. */
    struct op up = {.kind = 2, .id = id, .in = {.claim_en = "Free alterations within 60 days", .check_days = -1}};
    assert_int_equal(run(d, d->mark, &up), TD_OK);
    assert_int_equal(cards_get(&d->f.c, id, &v), TD_OK);
    assert_int_equal(v.state, CARDS_DRAFT);
    assert_string_equal(v.claim_nl, "Gratis vermaken binnen 30 dagen");
    assert_int_equal(run(d, d->mark, &ver), TD_OK);
    struct op ret = {.kind = 3, .id = id};
    assert_int_equal(run(d, d->mark, &ret), TD_OK);
    assert_int_equal(cards_for(&d->f.c, "Kleding", NULL, &v), TD_E_NOT_FOUND);
    assert_int_equal(run(d, d->mark, &ver), TD_E_CONFLICT);
    fixture_at(&d->f, FIXTURE_NOW);
}

static void the_card_for_a_category(void **state)
{
    struct cards_fx *d = *state;
    int64_t all = card(d, "", "Advies van collega's die het zelf gebruiken", NULL, 1);
    assert_int_equal(card(d, "Keuken", "Niet verified", NULL, 0) > 0, 1);
    int64_t kitchen = card(d, "keuken", "Twee jaar garantie, wij regelen de reparatie", NULL, 1);
    int64_t action = card(d, "Keuken", "Bij ons twee jaar garantie; bij de Action één", "Action", 1);
    int64_t hema = card(d, "Keuken", "Tegen de Hema", "HEMA", 1);
    struct value_card v;
    assert_int_equal(cards_for(&d->f.c, "Keuken", NULL, &v), TD_OK);
    assert_int_equal(v.id, kitchen);                     /* names no competitor */
    assert_int_equal(cards_for(&d->f.c, "Keuken", "ACTION", &v), TD_OK);
    assert_int_equal(v.id, action);
    assert_int_equal(cards_for(&d->f.c, "Keuken", "hema", &v), TD_OK);
    assert_int_equal(v.id, hema);
    assert_int_equal(cards_for(&d->f.c, "Keuken", "Blokker", &v), TD_OK);
    assert_int_equal(v.id, kitchen);
    assert_int_equal(cards_for(&d->f.c, "Sport", NULL, &v), TD_OK);
    assert_int_equal(v.id, all);                         /* every category's card */
}

static void which_cases_need_a_card(void **state)
{
    (void)state;
    static const struct { int kind, reason; bool matter; } t[] = {
        {POLICY_KIND_REFERRAL, POLICY_REFER_NONE, true},
        {POLICY_KIND_REFERRAL, POLICY_REFER_OUT_OF_STOCK, true},
        {POLICY_KIND_PRICE_ADJUSTMENT, POLICY_REFER_NONE, true},
        {POLICY_KIND_RETURN, POLICY_REFER_CHEAPER_ELSEWHERE, true},
        {POLICY_KIND_EXCHANGE, POLICY_REFER_CHEAPER_ELSEWHERE, true},
        {POLICY_KIND_RETURN, POLICY_REFER_NONE, false},
        {POLICY_KIND_RETURN, POLICY_REFER_NOT_IN_RANGE, false},
        {POLICY_KIND_REPAIR, POLICY_REFER_CHEAPER_ELSEWHERE, false},
        {POLICY_KIND_COMPLAINT, POLICY_REFER_NONE, false},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (cards_matter(t[i].kind, t[i].reason) != t[i].matter) fail_msg("row %zu", i);
}

static int64_t open_case(struct cards_fx *d, enum policy_kind kind, const char *receipt, const char *sku,
                         enum policy_referral reason)
{
    struct desk_case_in in = {.kind = kind, .customer_id = d->member, .store_code = "UTR01", .receipt = true,
                              .customer_words = "", .n_items = 1};
    in.referral = (struct desk_referral_in){reason ? "Action" : NULL, reason};
    in.items[0] = (struct desk_item_in){.sold_here = true, .receipt_ref = receipt, .sku = sku, .condition = POLICY_COND_NEW};
    struct errors err;
    errors_init(&err);
    int64_t id = 0;
    d->f.c.actor = d->anna;
    assert_int_equal(db_begin(d->f.db, 1), TD_OK);
    int rc = desk_case_create(&d->f.c, &in, &err, &id);
    if (rc != TD_OK) fail_msg("case: %d %s", rc, err.n ? err.item[0].field : "");
    assert_int_equal(db_commit(d->f.db), TD_OK);
    return id;
}

struct rec { int64_t case_id, card_id; enum cards_outcome outcome; struct errors err; };

static int rec_tx(struct dctx *c, void *arg)
{
    struct rec *r = arg;
    return cards_record_case(c, r->case_id, r->card_id, r->outcome, &r->err);
}

static void the_card_of_a_case(void **state)
{
    struct cards_fx *d = *state;
    int64_t kitchen = card(d, "Keuken", "Twee jaar garantie", NULL, 1);
    int64_t clothing = card(d, "Kleding", "Gratis vermaken", NULL, 1);
    int64_t draft = card(d, "Kleding", "Nog niet gecontroleerd", NULL, 0);
    struct value_card v;
    int64_t scale = open_case(d, POLICY_KIND_REFERRAL, "R1", "KS-100", POLICY_REFER_CHEAPER_ELSEWHERE);
    assert_int_equal(cards_for_case(&d->f.c, scale, &v), TD_OK);
    assert_int_equal(v.id, kitchen);
    int64_t dress = open_case(d, POLICY_KIND_RETURN, "R2", "DR-1", POLICY_REFER_CHEAPER_ELSEWHERE);
    assert_int_equal(cards_for_case(&d->f.c, dress, &v), TD_OK);
    assert_int_equal(v.id, clothing);
    int64_t plain = open_case(d, POLICY_KIND_RETURN, "R2", "DR-1", POLICY_REFER_NONE);
    assert_int_equal(cards_for_case(&d->f.c, plain, &v), TD_E_NOT_FOUND);     /* a plain return: no card */
    assert_int_equal(cards_for_case(&d->f.c, 999999, &v), TD_E_NOT_FOUND);
    /* Recorded with the case: shown, then what the customer did. */
    struct rec r = {dress, clothing, CARDS_UNDECIDED, {0}};
    d->f.c.actor = d->anna;
    assert_int_equal(fixture_tx(&d->f, rec_tx, &r), TD_OK);
    r.outcome = CARDS_STAYED;
    assert_int_equal(fixture_tx(&d->f, rec_tx, &r), TD_OK);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM case_value_cards WHERE case_id = %lld", (long long)dress), 1);
    int64_t got;
    enum cards_outcome out;
    assert_int_equal(cards_case_record(&d->f.c, dress, &got, &out), TD_OK);
    assert_int_equal(got, clothing);
    assert_int_equal(out, CARDS_STAYED);
    errors_init(&r.err);
    r.card_id = draft;                                                          /* a card the desk does not show */
    assert_int_equal(fixture_tx(&d->f, rec_tx, &r), TD_E_INVALID);
    assert_true(fixture_has_field(&r.err, "card_id"));
    errors_init(&r.err);
    r.card_id = clothing;
    r.outcome = (enum cards_outcome)9;
    assert_int_equal(fixture_tx(&d->f, rec_tx, &r), TD_E_INVALID);
    assert_true(fixture_has_field(&r.err, "outcome"));
}

/* ---- quizzes --------------------------------------------------------------- */

struct qop { struct quiz_question_in in; struct errors err; int64_t id; int choice; bool correct; int right; };

static int q_create(struct dctx *c, void *arg)
{
    struct qop *q = arg;
    return quiz_question_create(c, &q->in, &q->err, &q->id);
}

static int q_answer(struct dctx *c, void *arg)
{
    struct qop *q = arg;
    return quiz_answer(c, q->id, q->choice, &q->err, &q->correct, &q->right);
}

struct handed { int64_t ids[QUIZ_SIZE + 1]; int right[QUIZ_SIZE + 1]; size_t n; };

static int hand(void *arg, const struct quiz_question *q)
{
    struct handed *h = arg;
    h->ids[h->n] = q->id;
    h->right[h->n++] = q->right;
    return TD_OK;
}

static void quizzes_and_scores(void **state)
{
    struct cards_fx *d = *state;
    int64_t clothing = card(d, "Kleding", "Gratis vermaken binnen 30 dagen", NULL, 1);
    struct qop q = {.in = {.card_id = clothing, .question = "Hoe lang vermaken wij gratis?",
                           .answers = {"7 dagen", "30 dagen"}, .n_answers = 2, .right = 3}};
    errors_init(&q.err);
    d->f.c.actor = d->mark;
    assert_int_equal(fixture_tx(&d->f, q_create, &q), TD_E_INVALID);
    assert_true(fixture_has_field(&q.err, "answers"));
    assert_true(fixture_has_field(&q.err, "right"));
    q.in.answers[2] = "Niet";
    q.in.n_answers = 3;
    q.in.right = 1;
    errors_init(&q.err);
    assert_int_equal(fixture_tx(&d->f, q_create, &q), TD_OK);
    /* Anna's quiz: the question without its answer. */
    struct handed h = {0};
    d->f.c.actor = d->anna;
    assert_int_equal(quiz_next(&d->f.c, hand, &h), TD_OK);
    assert_int_equal(h.n, 1);
    assert_int_equal(h.right[0], -1);
    struct quiz_score s;
    assert_int_equal(quiz_score_of(&d->f.c, d->anna.staff_id, &s), TD_OK);
    assert_int_equal(s.questions, 1);
    assert_int_equal(s.answered, 0);
    q.choice = 0;
    assert_int_equal(fixture_tx(&d->f, q_answer, &q), TD_OK);
    assert_false(q.correct);
    assert_int_equal(q.right, 1);
    assert_int_equal(quiz_score_of(&d->f.c, d->anna.staff_id, &s), TD_OK);
    assert_int_equal(s.answered, 1);
    assert_int_equal(s.correct, 0);
    q.choice = 1;                                   /* again, right this time: the latest counts */
    assert_int_equal(fixture_tx(&d->f, q_answer, &q), TD_OK);
    assert_true(q.correct);
    assert_int_equal(quiz_score_of(&d->f.c, d->anna.staff_id, &s), TD_OK);
    assert_int_equal(s.correct, 1);
    memset(&h, 0, sizeof h);
    assert_int_equal(quiz_next(&d->f.c, hand, &h), TD_OK);
    assert_int_equal(h.n, 0);                       /* answered right: not asked again */
    q.choice = 5;
    errors_init(&q.err);
    assert_int_equal(fixture_tx(&d->f, q_answer, &q), TD_E_INVALID);
    assert_true(fixture_has_field(&q.err, "choice"));
}

TD_TEST_MAIN("unit_cards", NULL, NULL,
             cmocka_unit_test(which_cases_need_a_card),
             FIXTURE_TEST(needs_a_verifier_and_verification, setup),
             FIXTURE_TEST(the_card_for_a_category, setup),
             FIXTURE_TEST(the_card_of_a_case, setup),
             FIXTURE_TEST(quizzes_and_scores, setup))
