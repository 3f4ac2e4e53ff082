/* test_nps.c — nps.h: the NPS and its 95 % interval on a table, Wilson's
 * interval of a share, the minimum number of answers, the class moves of a
 * changed answer; and the rollup kept by survey_answer() on SQLite (and
 * PostgreSQL with TRUSTDESK_TEST_PG): counted per store, category,
 * associate, kind and resolution on the first answer's day, a changed answer
 * moving its one, figures read back sorted by name; nps_recount() gives
 * the same counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "db/db.h"
#include "domain/nps.h"
#include "domain/survey.h"
#include "fixture.h"

#define NEAR(a, b) assert_true((a) - (b) < 1e-6 && (b) - (a) < 1e-6)

static void figures_on_a_table(void **state)
{
    (void)state;
    static const struct {
        int64_t p, pa, d, min;
        int too_few;
        double score, low, high;
    } rows[] = {
        {50, 30, 20, 30, 0, 30.0, 14.69219192495733, 45.30780807504267},
        {29, 0, 1, 30, 0, 93.33333333333333, 80.48652621883095, 100.0},      /* clamped above */
        {3, 0, 27, 30, 0, -80.0, -100.0, -58.529670275394125},               /* clamped below */
        {10, 10, 10, 30, 0, 0.0, -29.21741801921938, 29.21741801921938},
        {30, 0, 0, 30, 0, 100.0, 100.0, 100.0},                              /* no spread */
        {10, 10, 9, 30, 1, 0, 0, 0},                                         /* 29: too few */
        {0, 0, 0, 1, 1, 0, 0, 0},                                            /* none at all */
        {1, 0, 0, 1, 0, 100.0, 100.0, 100.0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct nps_figure f;
        nps_figure_of(rows[i].p, rows[i].pa, rows[i].d, rows[i].min, &f);
        if (f.too_few != rows[i].too_few) fail_msg("row %zu: too_few %d", i, f.too_few);
        assert_int_equal(f.n, rows[i].p + rows[i].pa + rows[i].d);
        assert_int_equal(f.promoters, rows[i].p);
        assert_int_equal(f.detractors, rows[i].d);
        NEAR(f.score, rows[i].score);
        NEAR(f.low, rows[i].low);
        NEAR(f.high, rows[i].high);
    }
}

static void shares_with_wilson(void **state)
{
    (void)state;
    static const struct {
        int64_t k, n, min;
        int too_few;
        double share, low, high;
    } rows[] = {
        {0, 30, 30, 0, 0.0, 0.0, 0.11351339317396876},
        {15, 30, 30, 0, 0.5, 0.33154125640533766, 0.6684587435946623},
        {27, 30, 30, 0, 0.9, 0.7437891742081593, 0.9654001112526658},
        {5, 29, 30, 1, 0, 0, 0},
        {0, 0, 1, 1, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct nps_share s;
        nps_share_of(rows[i].k, rows[i].n, rows[i].min, &s);
        if (s.too_few != rows[i].too_few) fail_msg("row %zu: too_few %d", i, s.too_few);
        NEAR(s.share, rows[i].share);
        NEAR(s.low, rows[i].low);
        NEAR(s.high, rows[i].high);
    }
}

static void classes_and_moves(void **state)
{
    (void)state;
    static const struct { int score, class; } cls[] = {{0, NPS_DETRACTOR}, {6, NPS_DETRACTOR}, {7, NPS_PASSIVE},
                                                       {8, NPS_PASSIVE}, {9, NPS_PROMOTER}, {10, NPS_PROMOTER}};
    for (size_t i = 0; i < sizeof cls / sizeof cls[0]; i++) assert_int_equal(nps_class(cls[i].score), cls[i].class);
    static const struct { int before, after; int64_t d[3]; } moves[] = {
        {-1, 3, {1, 0, 0}}, {-1, 8, {0, 1, 0}}, {-1, 10, {0, 0, 1}},
        {3, 9, {-1, 0, 1}}, {9, 7, {0, 1, -1}}, {2, 5, {0, 0, 0}}, {10, 9, {0, 0, 0}},
    };
    for (size_t i = 0; i < sizeof moves / sizeof moves[0]; i++) {
        int64_t d[3];
        nps_delta(moves[i].before, moves[i].after, d);
        for (int k = 0; k < 3; k++)
            if (d[k] != moves[i].d[k]) fail_msg("move %d -> %d: class %d by %lld", moves[i].before, moves[i].after, k,
                                                (long long)d[k]);
    }
}

static void the_setting(void **state)
{
    (void)state;
    char why[160] = "";
    static const char *const bad[] = {"0", "-3", "abc", "30x", "100001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        setenv("TRUSTDESK_NPS_MIN_ANSWERS", bad[i], 1);
        assert_int_equal(nps_settings_from_env(why, sizeof why), TD_E_INVALID);
        assert_non_null(strstr(why, "TRUSTDESK_NPS_MIN_ANSWERS"));
    }
    setenv("TRUSTDESK_NPS_MIN_ANSWERS", "2", 1);
    assert_int_equal(nps_settings_from_env(why, sizeof why), TD_OK);
    assert_int_equal(nps_min_answers(), 2);
    unsetenv("TRUSTDESK_NPS_MIN_ANSWERS");
}

/* ---- the rollup ------------------------------------------------------------ */

struct world {
    struct fixture *f;
    int64_t utr, ams, anna, bram, eva;
};

static void exec(struct fixture *f, const char *sql, const char *types)
{
    (void)types;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_run(f->db, sql, NULL, ""), TD_OK);
    assert_int_equal(db_commit(f->db), TD_OK);
}

/* A resolved case of store by associate with one item of category (NULL:
 * none), and its sent survey's token. */
static void asked(struct world *w, int64_t store, int64_t associate, const char *kind, const char *resolution,
                  const char *category, char token[SURVEY_TOKEN_LEN + 1])
{
    struct fixture *f = w->f;
    int64_t k = 0, id = 0;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    assert_int_equal(db_get_int64(f->db,
                                  "INSERT INTO cases (store_id, customer_id, associate_id, kind, receipt, customer_words,"
                                  " status, resolution, created_at, updated_at, resolved_at)"
                                  " VALUES (?, ?, ?, ?, 0, 'x', 'resolved', ?, ?, ?, ?) RETURNING id",
                                  &k, "iiittiii", store, w->eva, associate, kind, resolution, f->c.now_us, f->c.now_us,
                                  f->c.now_us),
                     TD_OK);
    assert_int_equal(db_run(f->db,
                            "INSERT INTO case_items (case_id, item_no, sold_here, description, category, price_cents,"
                            " item_condition) VALUES (?, 1, 0, 'a', NULL, 0, 'new'), (?, 2, 0, 'b', ?, 0, 'new')",
                            NULL, "iit", k, k, category),
                     TD_OK);
    int64_t expires = f->c.now_us + SURVEY_VALID_US;
    assert_int_equal(db_get_int64(f->db,
                                  "INSERT INTO surveys (case_id, round, customer_id, store_id, lang, sent_at, expires_at)"
                                  " VALUES (?, 1, ?, ?, 'nl', ?, ?) RETURNING id",
                                  &id, "iiiii", k, w->eva, store, f->c.now_us, expires),
                     TD_OK);
    unsigned char key[32];
    assert_int_equal(survey_key(&f->c, key), TD_OK);
    survey_token(&f->c, key, id, expires, token);
    assert_int_equal(db_commit(f->db), TD_OK);
}

static void answer(struct world *w, const char *token, int score)
{
    struct errors err;
    errors_init(&err);
    struct survey *s = malloc(sizeof *s);
    int before;
    assert_int_equal(db_begin(w->f->db, 1), TD_OK);
    assert_int_equal(survey_answer(&w->f->c, token, score, NULL, &err, &before, s), TD_OK);
    assert_int_equal(db_commit(w->f->db), TD_OK);
    free(s);
}

struct seen {
    char keys[400];
    int64_t n[8], p[8], d[8];
    size_t count;
};

static int collect(void *arg, const struct nps_row *r)
{
    struct seen *s = arg;
    size_t len = strlen(s->keys);
    snprintf(s->keys + len, sizeof s->keys - len, "%s%s=%s", len ? "," : "", r->key, r->label);
    if (s->count < 8) {
        s->n[s->count] = r->f.n;
        s->p[s->count] = r->f.promoters;
        s->d[s->count] = r->f.detractors;
    }
    s->count++;
    return TD_OK;
}

static struct seen figures(struct world *w, enum nps_dim by, int64_t store, const char *key)
{
    int64_t today = w->f->c.now_us / FIXTURE_DAY;
    struct nps_query q = {by, today - 30, today, store, key};
    struct seen s;
    memset(&s, 0, sizeof s);
    assert_int_equal(nps_each(&w->f->c, &q, collect, &s), TD_OK);
    return s;
}

static int recount(struct dctx *c, void *arg)
{
    (void)arg;
    return nps_recount(c);
}

static void counted_in_the_answers_transaction(void **state)
{
    struct fixture *f = *state;
    struct world w = {f, 0, 0, 0, 0, 0};
    assert_int_equal(fixture_stores(f, "UTR01", "AMS01", NULL), 0);
    w.utr = fixture_store_id(f, "UTR01");
    w.ams = fixture_store_id(f, "AMS01");
    struct actor a = fixture_staff(f, "anna", "associate", "UTR01");
    struct actor b = fixture_staff(f, "bram", "associate", "AMS01");
    w.anna = a.staff_id;
    w.bram = b.staff_id;
    exec(f, "UPDATE staff SET name = 'Zoe Anna' WHERE login = 'anna'", "");
    exec(f, "UPDATE staff SET name = 'Bram Vos' WHERE login = 'bram'", "");
    w.eva = fixture_customer(f, "Eva Bakker", NULL);
    char t1[SURVEY_TOKEN_LEN + 1], t2[SURVEY_TOKEN_LEN + 1], t3[SURVEY_TOKEN_LEN + 1];
    asked(&w, w.utr, w.anna, "return", "refund", "Kleding", t1);
    asked(&w, w.utr, w.anna, "complaint", "store_credit", NULL, t2);
    asked(&w, w.ams, w.bram, "return", "refund", "Keuken", t3);
    answer(&w, t1, 3);
    answer(&w, t2, 10);
    answer(&w, t3, 8);
    /* Every answer once in each of the five dimensions. */
    assert_int_equal(fixture_int(f, "SELECT SUM(promoters + passives + detractors) FROM nps_counts"), 15);
    /* Changed within the day: its one moves from detractor to promoter. */
    fixture_at(f, FIXTURE_NOW + 3600LL * 1000000);
    answer(&w, t1, 9);
    assert_int_equal(fixture_int(f, "SELECT SUM(promoters + passives + detractors) FROM nps_counts"), 15);
    assert_int_equal(fixture_int(f, "SELECT SUM(detractors) FROM nps_counts"), 0);
    answer(&w, t1, 10);                                    /* promoter again: nothing moves */
    assert_int_equal(fixture_int(f, "SELECT SUM(promoters) FROM nps_counts"), 10);

    struct seen s = figures(&w, NPS_STORE, 0, NULL);
    assert_string_equal(s.keys, "AMS01=Store AMS01,UTR01=Store UTR01");
    assert_int_equal(s.n[1], 2);
    assert_int_equal(s.p[1], 2);
    s = figures(&w, NPS_CATEGORY, 0, NULL);                /* the first item with a category */
    assert_string_equal(s.keys, "=,Keuken=Keuken,Kleding=Kleding");
    s = figures(&w, NPS_ASSOCIATE, 0, NULL);               /* by name, not by login or score */
    assert_string_equal(s.keys, "bram=Bram Vos,anna=Zoe Anna");
    s = figures(&w, NPS_ASSOCIATE, w.utr, "anna");
    assert_string_equal(s.keys, "anna=Zoe Anna");
    assert_int_equal(s.n[0], 2);
    s = figures(&w, NPS_KIND, w.utr, NULL);
    assert_string_equal(s.keys, "complaint=complaint,return=return");
    s = figures(&w, NPS_RESOLUTION, 0, NULL);
    assert_string_equal(s.keys, "refund=refund,store_credit=store_credit");
    assert_int_equal(s.n[0], 2);
    assert_int_equal(s.p[0], 1);
    /* Counted afresh from the answers (nps_recount, as after a bulk load):
     * the same figures in every dimension, key, store and day. */
    static const char sum[] = "SELECT SUM((promoters * 3 + passives * 5 + detractors * 7) * (day %% 97 + 1)"
                              " * (store_id %% 89 + 1) * (LENGTH(dim) + 2 * LENGTH(key) + 1)) FROM nps_counts";
    int64_t before = fixture_int(f, sum);
    assert_int_equal(fixture_tx(f, recount, NULL), TD_OK);
    assert_int_equal(fixture_int(f, sum), before);
    assert_int_equal(fixture_int(f, "SELECT SUM(promoters + passives + detractors) FROM nps_counts"), 15);
    /* Another period holds none of it. */
    int64_t today = f->c.now_us / FIXTURE_DAY;
    struct nps_query q = {NPS_STORE, today - 60, today - 31, 0, NULL};
    memset(&s, 0, sizeof s);
    assert_int_equal(nps_each(&f->c, &q, collect, &s), TD_OK);
    assert_int_equal(s.count, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(figures_on_a_table),
        cmocka_unit_test(shares_with_wilson),
        cmocka_unit_test(classes_and_moves),
        cmocka_unit_test(the_setting),
        FIXTURE_TEST(counted_in_the_answers_transaction, fixture_setup_pg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
