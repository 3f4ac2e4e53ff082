/* test_demo_feedback.c — what the demo gives the feedback screens: answers
 * to its surveys counted exactly in nps_counts (as nps_count_answer would
 * have, in every dimension), a follow-up for every unhappy answer with the
 * older ones closed and a few open, a staff survey answered in three stores
 * with enough answers to show, the board's two themes shown, and two
 * verified value cards the desk finds (women's clothing; kitchen scales
 * against Action), each with a quiz question. One demo of seed 11. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/token.h"
#include "db/db.h"
#include "domain/cards.h"
#include "sim/demo.h"
#include "fixture.h"

#define CUSTOMERS 4000
#define END_US 1795305600000000LL   /* 2026-11-22T00:00:00Z */

FIXTURE_DEMO_GROUP("td-demofb", 11, CUSTOMERS, END_US)

static int64_t count(const char *sql) { return fixture_count(db, sql); }

static void answers_and_their_counts(void **state)
{
    (void)state;
    int64_t sent = count("SELECT COUNT(*) FROM surveys"), answered = count("SELECT COUNT(*) FROM surveys WHERE score IS NOT NULL");
    assert_true(sent > 50);
    assert_true(answered * 100 > sent * 30 && answered * 100 < sent * 60);
    assert_int_equal(count("SELECT COUNT(*) FROM surveys WHERE score IS NOT NULL AND (answered_at > "
                           "1795305600000000 OR answered_at < sent_at)"), 0);
    assert_true(count("SELECT COUNT(*) FROM surveys WHERE comment IS NOT NULL") > 0);
    /* Every dimension counts every answer once; by class as well. */
    static const char *const dims[] = {"store", "category", "associate", "kind", "resolution"};
    for (size_t i = 0; i < 5; i++) {
        char sql[200];
        snprintf(sql, sizeof sql, "SELECT SUM(promoters + passives + detractors) FROM nps_counts WHERE dim = '%s'", dims[i]);
        if (count(sql) != answered) fail_msg("%s counts %lld of %lld answers", dims[i], (long long)count(sql),
                                             (long long)answered);
    }
    assert_int_equal(count("SELECT SUM(detractors) FROM nps_counts WHERE dim = 'store'"),
                     count("SELECT COUNT(*) FROM surveys WHERE score <= 6"));
    assert_int_equal(count("SELECT SUM(promoters) FROM nps_counts WHERE dim = 'kind'"),
                     count("SELECT COUNT(*) FROM surveys WHERE score >= 9"));
    /* A chain that does well, not perfectly: between +20 and +60. */
    int64_t p = count("SELECT COUNT(*) FROM surveys WHERE score >= 9"), d = count("SELECT COUNT(*) FROM surveys WHERE score <= 6");
    assert_true((p - d) * 100 > answered * 20 && (p - d) * 100 < answered * 60);
}

static void a_follow_up_for_every_unhappy_answer(void **state)
{
    (void)state;
    assert_int_equal(count("SELECT COUNT(*) FROM followups"), count("SELECT COUNT(*) FROM surveys WHERE score <= 6"));
    assert_true(count("SELECT COUNT(*) FROM followups WHERE status = 'closed' AND root_cause IS NOT NULL"
                      " AND closed_by IS NOT NULL AND closed_at > first_contact_at") > 0);
    assert_true(count("SELECT COUNT(*) FROM followups WHERE status <> 'closed'") > 0);
    assert_int_equal(count("SELECT COUNT(*) FROM followups WHERE status = 'open' AND first_contact_at IS NOT NULL"), 0);
    assert_int_equal(count("SELECT COUNT(*) FROM followup_events WHERE action = 'opened'"), count("SELECT COUNT(*) FROM followups"));
}

static void a_staff_survey_a_board_and_cards(void **state)
{
    (void)state;
    assert_int_equal(count("SELECT COUNT(*) FROM staff_rounds"), 1);
    assert_int_equal(count("SELECT COUNT(DISTINCT store_id) FROM staff_answers"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM (SELECT store_id FROM staff_answers GROUP BY store_id"
                           " HAVING COUNT(*) >= 10) x"), 3);
    assert_int_equal(count("SELECT COUNT(*) FROM secret_themes WHERE status = 'shown'"
                           " AND label IN ('Gratis vermaken', 'Twee jaar garantie')"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM value_cards WHERE verified_at IS NOT NULL"), 2);
    assert_int_equal(count("SELECT COUNT(*) FROM quiz_questions"), 2);
    struct dctx c = {.db = db, .now_us = END_US, .addr = "test"};
    struct value_card v;
    assert_int_equal(cards_for(&c, "Dames", NULL, &v), TD_OK);
    assert_string_equal(v.claim_en, "Free alterations within 30 days");
    assert_int_equal(cards_for(&c, "keuken", "Action", &v), TD_OK);
    assert_string_equal(v.competitor, "Action");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(answers_and_their_counts),
        cmocka_unit_test(a_follow_up_for_every_unhappy_answer),
        cmocka_unit_test(a_staff_survey_a_board_and_cards),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
