/* test_feedback.c — survey.h and followup.h on a fixed clock: the signed
 * link (forged, expired), the one answer and its day to change, who is not
 * asked, the follow-up opened once, reopened only after a recovery, the
 * root causes, and erasure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "db/db.h"
#include "domain/followup.h"
#include "domain/survey.h"
#include "fixture.h"

#define HOUR (3600LL * 1000000)

struct world {
    struct fixture *f;
    int64_t store, eva, case_id;
};

static void begin(struct fixture *f) { assert_int_equal(db_begin(f->db, 1), TD_OK); }
static void commit(struct fixture *f) { assert_int_equal(db_commit(f->db), TD_OK); }

static int64_t new_case(struct world *w, int64_t customer)
{
    int64_t id = 0;
    begin(w->f);
    assert_int_equal(db_get_int64(w->f->db,
                                  "INSERT INTO cases (store_id, customer_id, kind, receipt, customer_words, status,"
                                  " created_at, updated_at) VALUES (?, ?, 'complaint', 0, 'Te lang gewacht', 'resolved',"
                                  " ?, ?) RETURNING id",
                                  &id, "iiii", w->store, customer, w->f->c.now_us, w->f->c.now_us),
                     TD_OK);
    commit(w->f);
    return id;
}

static int64_t with_email(struct world *w, const char *name, const char *email)
{
    int64_t id = fixture_customer(w->f, name, NULL);
    begin(w->f);
    assert_int_equal(db_run(w->f->db, "UPDATE customers SET email = ? WHERE id = ?", NULL, "ti", email, id), TD_OK);
    commit(w->f);
    return id;
}

/* The fixture of a cmocka state with its world: a store, Eva (with an
 * e-mail address) and her resolved complaint. */
static struct fixture *make_world(void **state, struct world *w)
{
    struct fixture *f = *state;
    memset(w, 0, sizeof *w);
    w->f = f;
    assert_int_equal(fixture_stores(f, "UTR01", NULL), 0);
    w->store = fixture_store_id(f, "UTR01");
    w->eva = with_email(w, "Eva Bakker", "eva@example.test");
    w->case_id = new_case(w, w->eva);
    return f;
}

/* Sends round `round` of case_id and returns its link's token. */
static void send(struct world *w, int64_t case_id, int round, int64_t *id, char token[SURVEY_TOKEN_LEN + 1])
{
    begin(w->f);
    assert_int_equal(survey_send(&w->f->c, case_id, round, id), TD_OK);
    int64_t expires = 0;
    if (*id) {
        unsigned char key[32];
        assert_int_equal(survey_key(&w->f->c, key), TD_OK);
        assert_int_equal(db_get_int64(w->f->db, "SELECT expires_at FROM surveys WHERE id = ?", &expires, "i", *id), TD_OK);
        survey_token(&w->f->c, key, *id, expires, token);
    }
    commit(w->f);
}

/* make_world() and round 1 of its case sent (asserts it was). */
static struct fixture *make_world_asked(void **state, struct world *w, int64_t *id, char token[SURVEY_TOKEN_LEN + 1])
{
    struct fixture *f = make_world(state, w);
    send(w, w->case_id, 1, id, token);
    assert_true(*id > 0);
    return f;
}

static int answer(struct world *w, const char *token, int score, const char *comment, struct errors *err,
                  int64_t *followup)
{
    struct survey *s = malloc(sizeof *s);
    errors_init(err);
    begin(w->f);
    int rc = followup_answer(&w->f->c, token, score, comment, err, s, followup);
    if (rc == TD_OK) commit(w->f);
    else db_rollback(w->f->db);
    free(s);
    return rc;
}

static void the_link_is_signed_and_expires(void **state)
{
    struct world w;
    int64_t id;
    char token[SURVEY_TOKEN_LEN + 1];
    struct fixture *f = make_world_asked(state, &w, &id, token);
    assert_int_equal(strlen(token), SURVEY_TOKEN_LEN);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM mail_outbox WHERE customer_id = %lld", (long long)w.eva), 1);
    struct survey s;
    assert_int_equal(survey_open(&f->c, token, &s), TD_OK);
    assert_int_equal(s.case_id, w.case_id);
    assert_int_equal(s.score, -1);
    /* Every character of the token matters; so does its length. */
    for (size_t i = 0; i < SURVEY_TOKEN_LEN; i += 7) {
        char forged[SURVEY_TOKEN_LEN + 1];
        memcpy(forged, token, sizeof forged);
        forged[i] = forged[i] == 'A' ? 'B' : 'A';
        if (survey_open(&f->c, forged, &s) != TD_E_NOT_FOUND) fail_msg("a token changed at %zu still opens", i);
    }
    assert_int_equal(survey_open(&f->c, "short", &s), TD_E_NOT_FOUND);
    assert_int_equal(survey_open(&f->c, NULL, &s), TD_E_NOT_FOUND);
    /* Sending the same round again writes nothing twice. */
    int64_t again;
    char t2[SURVEY_TOKEN_LEN + 1];
    send(&w, w.case_id, 1, &again, t2);
    assert_int_equal(again, 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM surveys"), 1);
    /* Thirty days later the link has expired, and an answer is refused. */
    fixture_at(f, FIXTURE_NOW + SURVEY_VALID_US);
    assert_int_equal(survey_open(&f->c, token, &s), TD_E_GONE);
    struct errors err;
    int64_t fu;
    assert_int_equal(answer(&w, token, 9, NULL, &err, &fu), TD_E_GONE);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL"), 0);
}

static void one_answer_changed_for_a_day_and_one_alert(void **state)
{
    struct world w;
    int64_t id, fu = 0;
    char token[SURVEY_TOKEN_LEN + 1];
    struct fixture *f = make_world_asked(state, &w, &id, token);
    struct errors err;
    assert_int_equal(answer(&w, token, 11, "x", &err, &fu), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "score"));
    assert_int_equal(answer(&w, token, -1, NULL, &err, &fu), TD_E_INVALID);
    char *huge = malloc(SURVEY_COMMENT_MAX + 2);
    memset(huge, 'x', SURVEY_COMMENT_MAX + 1);
    huge[SURVEY_COMMENT_MAX + 1] = '\0';
    assert_int_equal(answer(&w, token, 5, huge, &err, &fu), TD_E_INVALID);
    free(huge);
    assert_true(fixture_has_field(&err, "comment"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM surveys WHERE answered_at IS NOT NULL"), 0);

    /* A happy answer opens nothing; changed to unhappy within the day, it
     * opens one follow-up; changed again, nobody is alerted twice. */
    assert_int_equal(answer(&w, token, 9, NULL, &err, &fu), TD_OK);
    assert_int_equal(fu, 0);
    fixture_at(f, FIXTURE_NOW + 2 * HOUR);
    assert_int_equal(answer(&w, token, 4, "Niemand hielp", &err, &fu), TD_OK);
    assert_true(fu > 0);
    int64_t first = fu;
    assert_int_equal(fixture_int(f, "SELECT due_at - opened_at FROM followups WHERE id = %lld", (long long)first),
                     FOLLOWUP_DUE_US);
    fixture_at(f, FIXTURE_NOW + 3 * HOUR);
    assert_int_equal(answer(&w, token, 2, "Niemand hielp", &err, &fu), TD_OK);
    assert_int_equal(fu, 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM followups"), 1);
    assert_int_equal(fixture_int(f, "SELECT score FROM surveys WHERE id = %lld", (long long)id), 2);
    assert_int_equal(fixture_int(f, "SELECT first_answered_at FROM surveys WHERE id = %lld", (long long)id), FIXTURE_NOW);
    /* A day after the first answer, it stands. */
    fixture_at(f, FIXTURE_NOW + SURVEY_CHANGE_US);
    assert_int_equal(answer(&w, token, 10, NULL, &err, &fu), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "score"));
    assert_int_equal(fixture_int(f, "SELECT score FROM surveys WHERE id = %lld", (long long)id), 2);
}

static void who_is_not_asked(void **state)
{
    struct world w;
    int64_t id;
    char token[SURVEY_TOKEN_LEN + 1];
    struct fixture *f = make_world_asked(state, &w, &id, token);
    /* Eva again within 90 days: not asked (round 1); after a recovery, asked. */
    int64_t second = new_case(&w, w.eva);
    send(&w, second, 1, &id, token);
    assert_int_equal(id, 0);
    send(&w, second, 2, &id, token);
    assert_true(id > 0);
    /* 90 days on she is asked again. */
    fixture_at(f, FIXTURE_NOW + 91 * FIXTURE_DAY);
    send(&w, new_case(&w, w.eva), 1, &id, token);
    assert_true(id > 0);
    /* No e-mail address; an objection; a walk-in. */
    int64_t noah = fixture_customer(f, "Noah Vos", NULL);
    send(&w, new_case(&w, noah), 1, &id, token);
    assert_int_equal(id, 0);
    int64_t olga = with_email(&w, "Olga Kok", "olga@example.test");
    begin(f);
    assert_int_equal(db_run(f->db, "INSERT INTO customer_objections (customer_id, at, source) VALUES (?, ?, 'desk')", NULL,
                            "ii", olga, f->c.now_us), TD_OK);
    commit(f);
    send(&w, new_case(&w, olga), 1, &id, token);
    assert_int_equal(id, 0);
    int64_t walk_in = 0;
    begin(f);
    assert_int_equal(db_get_int64(f->db, "INSERT INTO cases (store_id, kind, receipt, customer_words, status, created_at,"
                                         " updated_at) VALUES (?, 'complaint', 0, '-', 'resolved', 0, 0) RETURNING id",
                                  &walk_in, "i", w.store), TD_OK);
    commit(f);
    send(&w, walk_in, 1, &id, token);
    assert_int_equal(id, 0);
}

static void closed_after_recovery_and_reopened(void **state)
{
    struct world w;
    struct fixture *f = make_world(state, &w);
    f->c.actor = fixture_staff(f, "mark", "manager", "UTR01");
    int64_t id, fu;
    char token[SURVEY_TOKEN_LEN + 1];
    send(&w, w.case_id, 1, &id, token);
    struct errors err;
    assert_int_equal(answer(&w, token, 3, "Te lang gewacht", &err, &fu), TD_OK);
    struct followup_close in = {"waiting_time", "Gebeld, excuses.", FOLLOWUP_CALL, 0};
    int64_t next = 0;
    errors_init(&err);
    begin(f);
    assert_int_equal(followup_close(&f->c, fu, &in, &err, &next), TD_OK);
    commit(f);
    assert_true(next > 0);
    assert_int_equal(fixture_int(f, "SELECT round FROM surveys WHERE id = %lld", (long long)next), 2);
    /* Closed is closed: no second close, no contact. */
    errors_init(&err);
    begin(f);
    assert_int_equal(followup_contact(&f->c, fu, "nog eens", &err), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "status"));
    /* An unhappy answer to round 2 reopens it, due 48 hours from then. */
    unsigned char key[32];
    assert_int_equal(survey_key(&f->c, key), TD_OK);
    survey_token(&f->c, key, next, fixture_int(f, "SELECT expires_at FROM surveys WHERE id = %lld", (long long)next),
                 token);
    fixture_at(f, FIXTURE_NOW + 5 * HOUR);
    int64_t reopened = 0;
    assert_int_equal(answer(&w, token, 5, NULL, &err, &reopened), TD_OK);
    assert_int_equal(reopened, fu);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM followups WHERE id = %lld AND status = 'open' AND reopened = 1"
                                    " AND due_at = %lld", (long long)fu, (long long)(FIXTURE_NOW + 5 * HOUR + FOLLOWUP_DUE_US)),
                     1);
}

static void root_causes_and_erasure(void **state)
{
    struct world w;
    struct fixture *f = make_world(state, &w);
    struct errors err;
    errors_init(&err);
    begin(f);
    assert_int_equal(followup_root_cause_add(&f->c, "parking", "Parkeren", "Parking", &err), TD_OK);
    commit(f);
    static const struct { const char *code, *nl, *field; int rc; } bad[] = {
        {"parking", "P", "code", TD_E_CONFLICT}, {"waiting_time", "W", "code", TD_E_CONFLICT},
        {"Geen Code", "x", "code", TD_E_INVALID}, {"x", "x", "code", TD_E_INVALID}, {"noise", "", "nl", TD_E_INVALID},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errors_init(&err);
        begin(f);
        int rc = followup_root_cause_add(&f->c, bad[i].code, bad[i].nl, "x", &err);
        db_rollback(f->db);
        if (rc != bad[i].rc || !fixture_has_field(&err, bad[i].field)) fail_msg("row %zu (%s): rc %d", i, bad[i].code, rc);
    }
    int64_t id, fu;
    char token[SURVEY_TOKEN_LEN + 1];
    send(&w, w.case_id, 1, &id, token);
    assert_int_equal(answer(&w, token, 1, "Eva Bakker is boos", &err, &fu), TD_OK);
    begin(f);
    assert_int_equal(feedback_customer_erase(&f->c, w.eva), TD_OK);
    commit(f);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM surveys"), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM followups"), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM followup_events"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(the_link_is_signed_and_expires, fixture_setup_pg),
        FIXTURE_TEST(one_answer_changed_for_a_day_and_one_alert, fixture_setup_pg),
        FIXTURE_TEST(who_is_not_asked, fixture_setup_pg),
        FIXTURE_TEST(closed_after_recovery_and_reopened, fixture_setup_pg),
        FIXTURE_TEST(root_causes_and_erasure, fixture_setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
