/* test_advocacy.c — the staff survey through advocacy.h and secrets.h on a
 * migrated database: the differencing rule as a table of counts; a round
 * whose links answer once per browser nonce, store no staff id and no time
 * of day; fewer than 5 answers show nothing, comments only from 10, two
 * overlapping slices that together would reveal fewer than 5 refused; the
 * secrets board's folded words, merge, rename and moderation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "domain/advocacy.h"
#include "domain/secrets.h"
#include "fixture.h"

/* ---- the rule on counts ---------------------------------------------------- */

/* Two stores, categories: 0 (not named), 1, 2. Cells row by row. */
static void suppress_table(void **state)
{
    (void)state;
    static const struct {
        int64_t count[6];
        bool round, store[2], cat[3], cell[6];
        const char *why;
    } cases[] = {
        {{0, 0, 0, 0, 0, 0}, false, {false, false}, {false, false, false}, {0}, "nothing"},
        {{4, 0, 0, 0, 0, 0}, false, {false, false}, {false, false, false}, {0}, "four answers show nothing"},
        {{5, 0, 0, 0, 0, 0}, true, {true, false}, {false, false, false}, {0}, "five show the round and the store"},
        {{7, 0, 0, 3, 0, 0}, true, {false, false}, {false, false, false}, {0},
         "round 10 minus store A's 7 would reveal store B's 3: store A is withheld"},
        {{7, 0, 0, 5, 0, 0}, true, {true, true}, {false, false, false}, {0}, "both stores from 5"},
        {{0, 6, 0, 0, 0, 0}, true, {true, false}, {false, true, false}, {false, true, false, false, false, false},
         "the only cell: round, store, category and cell are the same six answers"},
        {{2, 6, 0, 0, 0, 0}, true, {true, false}, {false, false, false}, {false, false, false, false, false, false},
         "store A (8) minus its category 1 (6) would reveal the 2 who named none"},
        {{0, 6, 6, 0, 5, 0}, true, {true, true}, {false, true, true}, {false, true, true, false, true, false},
         "every part at least 5: all shown"},
        {{0, 6, 6, 0, 3, 0}, true, {false, false}, {false, true, true}, {false, false, true, false, false, false},
         "the round minus store A reveals B's 3: A goes; A is still its two cells, and category 1 minus A's cell"
         " reveals B's 3: that cell goes too"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        bool round, store[2], cat[3], cell[6];
        advocacy_suppress(cases[i].count, 2, 3, 5, &round, store, cat, cell);
        if (round != cases[i].round) fail_msg("case %zu (%s): round %d", i, cases[i].why, round);
        for (int s = 0; s < 2; s++)
            if (store[s] != cases[i].store[s]) fail_msg("case %zu (%s): store %d is %d", i, cases[i].why, s, store[s]);
        for (int k = 0; k < 3; k++)
            if (cat[k] != cases[i].cat[k]) fail_msg("case %zu (%s): category %d is %d", i, cases[i].why, k, cat[k]);
        for (int j = 0; j < 6; j++)
            if (cell[j] != cases[i].cell[j]) fail_msg("case %zu (%s): cell %d is %d", i, cases[i].why, j, cell[j]);
    }
}

/* Whatever the counts, no slice that can be worked out from the shown ones
 * holds 1..4 answers: every partition's parts that are withheld hold none
 * or at least 5 (checked on many random grids). */
static void suppress_never_reveals_few(void **state)
{
    (void)state;
    unsigned seed = 7;
    for (int round = 0; round < 2000; round++) {
        enum { S = 3, K = 3 };
        int64_t count[S * K];
        for (int i = 0; i < S * K; i++) {
            seed = seed * 1103515245u + 12345u;
            count[i] = (seed >> 16) % 9;              /* 0..8: many small cells */
        }
        bool r, st[S], cat[K], cell[S * K];
        advocacy_suppress(count, S, K, 5, &r, st, cat, cell);
        int64_t total = 0, stores[S] = {0}, cats[K] = {0};
        for (int s = 0; s < S; s++)
            for (int k = 0; k < K; k++) stores[s] += count[s * K + k], cats[k] += count[s * K + k], total += count[s * K + k];
        /* The round into stores, and into categories. */
        if (r) {
            int64_t rest = 0;
            for (int s = 0; s < S; s++) rest += st[s] ? 0 : stores[s];
            if (rest > 0 && rest < 5) fail_msg("grid %d: the round minus its shown stores reveals %lld", round, (long long)rest);
            rest = 0;
            for (int k = 0; k < K; k++) rest += cat[k] ? 0 : cats[k];
            if (rest > 0 && rest < 5) fail_msg("grid %d: the round minus its shown categories reveals %lld", round, (long long)rest);
        }
        for (int s = 0; s < S; s++) {
            if (!st[s]) continue;
            int64_t rest = 0;
            for (int k = 0; k < K; k++) rest += cell[s * K + k] ? 0 : count[s * K + k];
            if (rest > 0 && rest < 5) fail_msg("grid %d: store %d minus its shown cells reveals %lld", round, s, (long long)rest);
        }
        for (int k = 1; k < K; k++) {
            if (!cat[k]) continue;
            int64_t rest = 0;
            for (int s = 0; s < S; s++) rest += cell[s * K + k] ? 0 : count[s * K + k];
            if (rest > 0 && rest < 5) fail_msg("grid %d: category %d minus its shown cells reveals %lld", round, k, (long long)rest);
        }
        for (int i = 0; i < S * K; i++)
            if (cell[i] && count[i] < 5) fail_msg("grid %d: cell %d shown with %lld", round, i, (long long)count[i]);
        (void)total;
    }
}

/* ---- a round on a database -------------------------------------------------- */

struct adv_fx {
    struct fixture f;
    struct actor admin, mark;
    int64_t round;
    char link_utr[TOKEN_HEX_LEN + 1], link_ams[TOKEN_HEX_LEN + 1];
    int nonce;
};

static int setup(void **state)
{
    struct adv_fx *d = calloc(1, sizeof *d);
    if (!d || fixture_open(&d->f, "advocacy", 1, 1) != 0) return -1;
    if (fixture_stores(&d->f, "UTR01", "AMS01", NULL) != TD_OK) return -1;
    d->admin = fixture_staff(&d->f, "root", "admin", NULL);
    d->mark = fixture_staff(&d->f, "mark", "manager", "UTR01");
    *state = d;
    return 0;
}

struct create_arg { struct adv_fx *d; struct errors err; struct advocacy_link links[ADVOCACY_STORES_MAX]; size_t n; };

static int create_round(struct dctx *c, void *arg)
{
    struct create_arg *a = arg;
    static const char *const cats[] = {"Kleding", "Keuken"};
    struct advocacy_round_in in = {.name = "Najaar 2026", .closes_at = c->now_us + 14 * FIXTURE_DAY,
                                   .categories = cats, .n_categories = 2};
    return advocacy_round_create(c, &in, &a->err, &a->d->round, a->links, &a->n);
}

static void open_round(struct adv_fx *d)
{
    static struct create_arg a;
    memset(&a, 0, sizeof a);
    a.d = d;
    errors_init(&a.err);
    d->f.c.actor = d->admin;
    assert_int_equal(fixture_tx(&d->f, create_round, &a), TD_OK);
    assert_int_equal(a.n, 2);
    for (size_t i = 0; i < a.n; i++)
        memcpy(strcmp(a.links[i].store_code, "UTR01") == 0 ? d->link_utr : d->link_ams, a.links[i].token, TOKEN_HEX_LEN + 1);
}

struct answer_arg { const char *token; struct advocacy_answer_in in; struct errors err; };

static int answer_tx(struct dctx *c, void *arg)
{
    struct answer_arg *a = arg;
    return advocacy_answer(c, a->token, &a->in, &a->err);
}

/* One answer through a link from a browser of its own (or nonce). */
static int answer(struct adv_fx *d, const char *token, int score, const char *category, const char *why,
                  const char *secret, const char *nonce, struct errors *err)
{
    char own[40];
    snprintf(own, sizeof own, "browser-nonce-%08d", ++d->nonce);
    struct answer_arg a = {token, {score, why, secret, category, nonce ? nonce : own}, {0}};
    errors_init(&a.err);
    d->f.c.actor = (struct actor){0};
    int rc = fixture_tx(&d->f, answer_tx, &a);
    if (err) *err = a.err;
    return rc;
}

static void results(struct adv_fx *d, int64_t store, const char *category, struct advocacy_result *r)
{
    struct advocacy_slice s = {store, category};
    assert_int_equal(advocacy_results(&d->f.c, d->round, &s, r), TD_OK);
}

static void answers_are_anonymous_and_once(void **state)
{
    struct adv_fx *d = *state;
    open_round(d);
    struct errors err;
    assert_int_equal(answer(d, d->link_utr, 9, "kleding", "Goede service", "Gratis vermaken!", "nonce-of-browser-1", &err),
                     TD_OK);
    /* The same browser again: refused naming the nonce, nothing stored twice. */
    assert_int_equal(answer(d, d->link_utr, 3, NULL, NULL, NULL, "nonce-of-browser-1", &err), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "nonce"));
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM staff_answers"), 1);
    /* Bad fields are named, nothing stored. */
    assert_int_equal(answer(d, d->link_utr, 11, NULL, NULL, NULL, NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "score"));
    assert_int_equal(answer(d, d->link_utr, -1, NULL, NULL, NULL, NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "score"));
    char big[ADVOCACY_TEXT_MAX + 2];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(answer(d, d->link_utr, 5, NULL, big, NULL, NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "why"));
    assert_int_equal(answer(d, d->link_utr, 5, NULL, NULL, big, NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "secret"));
    assert_int_equal(answer(d, d->link_utr, 5, "Elektra", NULL, NULL, NULL, &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "category"));
    assert_int_equal(answer(d, d->link_utr, 5, NULL, NULL, NULL, "short", &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "nonce"));
    assert_int_equal(answer(d, "0123456789abcdef0123456789abcdef", 5, NULL, NULL, NULL, NULL, &err), TD_E_NOT_FOUND);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM staff_answers"), 1);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM staff_answer_nonces"), 1);
    /* The day, not the time; the department as the round names it. */
    assert_int_equal(fixture_int(&d->f, "SELECT day FROM staff_answers"), FIXTURE_NOW / FIXTURE_DAY);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM staff_answers WHERE category = 'Kleding'"
                                        " AND category_key = 'kleding'"), 1);
    /* No column could hold a person or a time of day. */
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM staff_answers WHERE length(id) = 32"), 1);
    /* A closed round's link answers no more. */
    fixture_at(&d->f, FIXTURE_NOW + 15 * FIXTURE_DAY);
    assert_int_equal(answer(d, d->link_utr, 8, NULL, NULL, NULL, NULL, &err), TD_E_CONFLICT);
    fixture_at(&d->f, FIXTURE_NOW);
}

static void few_answers_show_nothing(void **state)
{
    struct adv_fx *d = *state;
    open_round(d);
    int64_t utr = fixture_store_id(&d->f, "UTR01"), ams = fixture_store_id(&d->f, "AMS01");
    for (int i = 0; i < 4; i++)
        assert_int_equal(answer(d, d->link_utr, 9, "Kleding", "Mooie kleding", "Gratis vermaken", NULL, NULL), TD_OK);
    struct advocacy_result r;
    results(d, 0, NULL, &r);
    assert_false(r.shown);
    assert_int_equal(r.answers, 0);
    assert_int_equal(r.n_comments, 0);
    results(d, utr, NULL, &r);
    assert_false(r.shown);
    /* The fifth: the round and the store show, no comments yet. */
    assert_int_equal(answer(d, d->link_utr, 6, "Kleding", "Te druk", NULL, NULL, NULL), TD_OK);
    results(d, utr, NULL, &r);
    assert_true(r.shown);
    assert_false(r.comments_shown);
    assert_int_equal(r.answers, 5);
    assert_int_equal(r.promoters, 4);
    assert_int_equal(r.detractors, 1);
    assert_true(r.nps > 59.9 && r.nps < 60.1);
    assert_true(r.nps_low < r.nps && r.nps_high > r.nps && r.nps_high <= 100.0);
    assert_int_equal(r.n_comments, 0);
    advocacy_result_free(&r);
    /* Five more (ten): the comments show, in an order that is not the order
     * of answering. */
    for (int i = 0; i < 5; i++)
        assert_int_equal(answer(d, d->link_utr, 10, "Kleding", "Top", NULL, NULL, NULL), TD_OK);
    results(d, utr, "kleding", &r);
    assert_true(r.shown);
    assert_true(r.comments_shown);
    assert_int_equal(r.n_comments, 10);
    advocacy_result_free(&r);
    /* Amsterdam has none: nothing shows for it. */
    results(d, ams, NULL, &r);
    assert_false(r.shown);
}

static void differencing_is_refused(void **state)
{
    struct adv_fx *d = *state;
    open_round(d);
    int64_t utr = fixture_store_id(&d->f, "UTR01");
    /* Utrecht: 7 in Kleding, 3 in Keuken. Kleding alone and the store alone
     * would each have enough, but the store minus Kleding would tell how
     * the three kitchen staff answered. */
    for (int i = 0; i < 7; i++) assert_int_equal(answer(d, d->link_utr, 9, "Kleding", NULL, NULL, NULL, NULL), TD_OK);
    for (int i = 0; i < 3; i++) assert_int_equal(answer(d, d->link_utr, 2, "Keuken", NULL, NULL, NULL, NULL), TD_OK);
    struct advocacy_result store, cloth;
    results(d, utr, NULL, &store);
    results(d, utr, "Kleding", &cloth);
    assert_false(store.shown && cloth.shown);
    assert_true(store.shown || cloth.shown);        /* one of the two may show, never both */
    advocacy_result_free(&store);
    advocacy_result_free(&cloth);
    struct advocacy_result kitchen;
    results(d, utr, "Keuken", &kitchen);
    assert_false(kitchen.shown);
    advocacy_result_free(&kitchen);
    /* Two more kitchen answers: every part has five; both show. */
    for (int i = 0; i < 2; i++) assert_int_equal(answer(d, d->link_utr, 2, "Keuken", NULL, NULL, NULL, NULL), TD_OK);
    results(d, utr, NULL, &store);
    results(d, utr, "Kleding", &cloth);
    assert_true(store.shown && cloth.shown);
    assert_int_equal(store.answers - cloth.answers, 5);
    advocacy_result_free(&store);
    advocacy_result_free(&cloth);
}

/* ---- the secrets board ----------------------------------------------------- */

static void words_are_folded(void **state)
{
    (void)state;
    char w[SECRETS_WORDS_MAX][64];
    size_t n;
    assert_int_equal(secrets_words("Wij bieden GRATIS vermaken aan, binnen 30 dagen! Gratis.", w, SECRETS_WORDS_MAX, &n),
                     TD_OK);
    assert_int_equal(n, 2);          /* wij, bieden, aan, binnen, 30, dagen and the second gratis left out */
    assert_string_equal(w[0], "gratis");
    assert_string_equal(w[1], "vermaken");
    assert_int_equal(secrets_words("Café-bezorging", w, SECRETS_WORDS_MAX, &n), TD_OK);
    assert_int_equal(n, 2);
    assert_string_equal(w[0], "cafe");
    assert_string_equal(w[1], "bezorging");
    assert_int_equal(secrets_words(NULL, w, SECRETS_WORDS_MAX, &n), TD_OK);
    assert_int_equal(n, 0);
}

struct board_row { int64_t id, answers; char label[SECRETS_LABEL_MAX * 4 + 1]; int status; };
struct board { struct board_row rows[20]; size_t n; };

static int collect(void *arg, const struct secrets_theme *t)
{
    struct board *b = arg;
    if (b->n < 20) {
        b->rows[b->n].id = t->id;
        b->rows[b->n].answers = t->answers;
        b->rows[b->n].status = (int)t->status;
        snprintf(b->rows[b->n].label, sizeof b->rows[b->n].label, "%s", t->label);
        b->n++;
    }
    return TD_OK;
}

struct theme_op { int64_t a, b; int op; struct errors err; };

static int theme_tx(struct dctx *c, void *arg)
{
    struct theme_op *o = arg;
    return o->op == 0 ? secrets_merge(c, o->a, o->b, &o->err)
         : o->op == 1 ? secrets_rename(c, o->a, "Gratis vermaken", &o->err)
                      : secrets_moderate(c, o->a, SECRETS_SHOWN, &o->err);
}

static int theme_do(struct adv_fx *d, int op, int64_t a, int64_t b)
{
    struct theme_op o = {a, b, op, {0}};
    errors_init(&o.err);
    d->f.c.actor = d->mark;
    return fixture_tx(&d->f, theme_tx, &o);
}

static void board_merge_rename_moderate(void **state)
{
    struct adv_fx *d = *state;
    open_round(d);
    int64_t utr = fixture_store_id(&d->f, "UTR01");
    assert_int_equal(answer(d, d->link_utr, 9, NULL, NULL, "Gratis vermaken", NULL, NULL), TD_OK);
    assert_int_equal(answer(d, d->link_utr, 9, NULL, NULL, "gratis VERMAKEN binnen 30 dagen", NULL, NULL), TD_OK);
    assert_int_equal(answer(d, d->link_ams, 8, NULL, NULL, "Vermaken is gratis bij ons", NULL, NULL), TD_OK);
    assert_int_equal(answer(d, d->link_ams, 8, NULL, NULL, "Wij vérmaken kleding", NULL, NULL), TD_OK);
    assert_int_equal(answer(d, d->link_ams, 7, NULL, NULL, "Bezorging", NULL, NULL), TD_OK);
    /* Themes made by answers keep the day, not the time, and no order. */
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM secret_themes WHERE updated_at %% %lld <> 0",
                                 (long long)FIXTURE_DAY), 0);
    assert_true(fixture_int(&d->f, "SELECT MAX(id) - MIN(id) FROM secret_themes") > 1000);
    struct board b = {0};
    assert_int_equal(secrets_board(&d->f.c, false, 0, 20, collect, &b), TD_OK);
    assert_string_equal(b.rows[0].label, "vermaken");        /* four answers, accents and case folded */
    assert_int_equal(b.rows[0].answers, 4);
    assert_string_equal(b.rows[1].label, "gratis");
    assert_int_equal(b.rows[1].answers, 3);
    int64_t vermaken = b.rows[0].id, gratis = b.rows[1].id;
    /* Merged: an answer with both words counts once. */
    assert_int_equal(theme_do(d, 0, vermaken, gratis), TD_OK);
    assert_int_equal(theme_do(d, 0, vermaken, vermaken), TD_E_INVALID);
    assert_int_equal(theme_do(d, 1, vermaken, 0), TD_OK);
    memset(&b, 0, sizeof b);
    assert_int_equal(secrets_board(&d->f.c, false, 0, 20, collect, &b), TD_OK);
    assert_string_equal(b.rows[0].label, "Gratis vermaken");
    assert_int_equal(b.rows[0].answers, 4);
    for (size_t i = 0; i < b.n; i++) assert_int_not_equal(b.rows[i].id, gratis);   /* merged away */
    assert_int_equal(theme_do(d, 1, gratis, 0), TD_E_CONFLICT);                       /* a merged theme stays merged */
    /* A later answer with the merged word counts in the theme it went to. */
    assert_int_equal(answer(d, d->link_utr, 9, NULL, NULL, "Gratis!", NULL, NULL), TD_OK);
    memset(&b, 0, sizeof b);
    assert_int_equal(secrets_board(&d->f.c, false, utr, 20, collect, &b), TD_OK);
    assert_int_equal(b.rows[0].answers, 3);                  /* Utrecht's three */
    /* Associates see only what a moderator showed. */
    memset(&b, 0, sizeof b);
    assert_int_equal(secrets_board(&d->f.c, true, 0, 20, collect, &b), TD_OK);
    assert_int_equal(b.n, 0);
    assert_int_equal(theme_do(d, 2, vermaken, 0), TD_OK);
    memset(&b, 0, sizeof b);
    assert_int_equal(secrets_board(&d->f.c, true, 0, 20, collect, &b), TD_OK);
    assert_int_equal(b.n, 1);
    assert_int_equal(b.rows[0].answers, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(suppress_table),
        cmocka_unit_test(suppress_never_reveals_few),
        cmocka_unit_test(words_are_folded),
        FIXTURE_TEST(answers_are_anonymous_and_once, setup),
        FIXTURE_TEST(few_answers_show_nothing, setup),
        FIXTURE_TEST(differencing_is_refused, setup),
        FIXTURE_TEST(board_merge_rename_moderate, setup),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
