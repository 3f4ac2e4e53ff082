/* test_clienteling_match.c — the pure part of matching a collection:
 * who is left out and why, that every signal of value raises the score, the
 * reason in Dutch and English, the hold-out's share and stability, the daily
 * cap per associate, and the uplift interval against a published example. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "domain/clienteling_match.h"

static const struct cl_rules rules = {.contact_cap_30d = 2, .holdout_permille = 100, .daily_cap_per_associate = 2};

/* A customer who fits: consent by phone and e-mail, likes the brand, size M in stock. */
static struct cl_candidate fitting(void)
{
    return (struct cl_candidate){.customer_id = 7, .associate_id = 3, .tier = 3, .category_spend_cents = 42000,
                                 .category = "knitwear", .days_since_visit = 12, .likes = 1, .liked = "Acme",
                                 .email_consent = true, .phone_consent = true, .has_email = true, .has_phone = true,
                                 .size = "M"};
}

/* Who is left out: a row's name, what it changes in the fitting customer c,
 * and the skip the match must answer; one list makes both the changes and
 * the rows, so that they cannot drift apart. */
#define LEFT_OUT(X)                                                                                               \
    X(none, "fits", (void)c, CL_OK)                                                                               \
    X(no_consent, "no consent for any channel", c->email_consent = c->phone_consent = false, CL_SKIP_NO_CONSENT)  \
    X(consent_without_address, "consent but no phone or address", c->has_email = c->has_phone = false,            \
      CL_SKIP_NO_CONSENT)                                                                                         \
    X(objected, "objection to profiling", c->objected = true, CL_SKIP_OBJECTED)                                   \
    X(dnc, "asked not to be contacted", c->do_not_contact = true, CL_SKIP_DO_NOT_CONTACT)                         \
    X(at_cap, "at the contact cap", c->contacts_30d = 2, CL_SKIP_OVER_CAP)                                        \
    X(under_cap, "under the contact cap", c->contacts_30d = 1, CL_OK)                                             \
    X(no_size, "no size in stock", c->size = NULL, CL_SKIP_NO_SIZE)                                               \
    X(dislikes_more, "dislikes more than likes", (c->dislikes = 2, c->disliked = "wool"), CL_SKIP_DISLIKES)       \
    X(no_fit, "neither likes nor spend", (c->likes = 0, c->category_spend_cents = 0), CL_SKIP_NO_FIT)             \
    X(spend_only, "spend in the category is a fit", (c->likes = 0, c->liked = ""), CL_OK)                         \
    X(objected_wins, "an objection is named before consent",                                                      \
      (c->objected = true, c->email_consent = c->phone_consent = false), CL_SKIP_OBJECTED)

#define CHANGE(fn, name, body, skip) static void fn(struct cl_candidate *c) { body; }
LEFT_OUT(CHANGE)
#undef CHANGE

static void who_is_left_out(void **state)
{
    (void)state;
    struct row {
        const char *name;
        void (*change)(struct cl_candidate *);
        enum cl_skip skip;
    };
#define ROW(fn, name, body, skip) {name, fn, skip},
    static const struct row rows[] = {LEFT_OUT(ROW)};
#undef ROW
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        struct cl_candidate c = fitting();
        rows[i].change(&c);
        struct cl_result r;
        cl_match(&rules, &c, &r);
        if (r.skip != rows[i].skip)
            fail_msg("%s: got %s, want %s", rows[i].name, cl_skip_name(r.skip), cl_skip_name(rows[i].skip));
        if (r.skip == CL_OK) {
            assert_true(r.n_why >= 1);
            assert_true(r.score > 0 && r.score <= CL_SCORE_MAX);
        } else {
            assert_int_equal(r.score, 0);
        }
    }
    assert_string_equal(cl_skip_name(CL_SKIP_OVER_CAP), "over_contact_cap");
}

static int score_of(const struct cl_candidate *c)
{
    struct cl_result r;
    cl_match(&rules, c, &r);
    assert_int_equal(r.skip, CL_OK);
    return r.score;
}

static void every_signal_of_value_raises_the_score(void **state)
{
    (void)state;
    struct cl_candidate base = fitting(), c;
    base.tier = 1;
    base.category_spend_cents = 5000;
    base.days_since_visit = 200;
    int s0 = score_of(&base);
    c = base, c.tier = 4;
    assert_true(score_of(&c) > s0);
    c = base, c.category_spend_cents = 80000;
    assert_true(score_of(&c) > s0);
    c = base, c.days_since_visit = 5;
    assert_true(score_of(&c) > s0);
    c = base, c.likes = 3;
    assert_true(score_of(&c) > s0);
    c = base, c.answered = 2;
    assert_true(score_of(&c) > s0);
    c = base, c.ignored = 2;
    assert_true(score_of(&c) < s0);
    /* Each signal is capped: the most of everything stays within the scale. */
    c = base, c.tier = 9, c.category_spend_cents = INT64_C(1) << 40, c.days_since_visit = 0, c.likes = 50, c.answered = 50;
    assert_true(score_of(&c) <= CL_SCORE_MAX);
    c = base, c.tier = 0, c.category_spend_cents = 1, c.days_since_visit = -1, c.likes = 0, c.ignored = 50;
    assert_int_equal(score_of(&c), 0);
}

static void the_reason_in_both_languages(void **state)
{
    (void)state;
    struct cl_candidate c = fitting();
    struct cl_result r;
    cl_match(&rules, &c, &r);
    char buf[256];
    cl_why_render(&r, "en", buf, sizeof buf);
    assert_string_equal(buf, "Spent €420 on knitwear; likes Acme; gold tier; size M in stock; last visit 12 days ago");
    cl_why_render(&r, "nl", buf, sizeof buf);
    assert_string_equal(buf, "€ 420 besteed aan knitwear; houdt van Acme; niveau goud; maat M op voorraad; "
                             "laatste bezoek 12 dagen geleden");
    c.size_learned = true, c.category_spend_cents = 0, c.likes = 2, c.tier = 0, c.days_since_visit = 1;
    cl_match(&rules, &c, &r);
    cl_why_render(&r, "en", buf, sizeof buf);
    assert_string_equal(buf, "Likes Acme (and 1 more); size M (from purchases) in stock; visited yesterday");
    /* A buffer too small cuts at a part, never inside one. */
    size_t n = cl_why_render(&r, "en", buf, 30);
    assert_string_equal(buf, "Likes Acme (and 1 more)");
    assert_int_equal(n, strlen(buf));
}

static void the_hold_out_is_a_stable_share(void **state)
{
    (void)state;
    uint8_t key[CL_HOLDOUT_KEY_BYTES], other[CL_HOLDOUT_KEY_BYTES];
    for (int i = 0; i < CL_HOLDOUT_KEY_BYTES; i++)
        key[i] = (uint8_t)(i * 37 + 1), other[i] = (uint8_t)(i * 11 + 5);
    int held = 0, both = 0, low_half = 0;
    for (int64_t id = 1; id <= 100000; id++) {
        bool h = cl_holdout(key, id, 100);
        assert_true(h == cl_holdout(key, id, 100));     /* stable */
        held += h;
        both += h && cl_holdout(other, id, 100);
        low_half += h && id <= 50000;
    }
    /* SipHash of 100,000 ids: 10 % within half a percent point, for
     * this key and every key alike (a fixed key: the count is fixed). */
    assert_true(held > 9500 && held < 10500);
    /* Another arrival's key draws another hold-out (about 1 % in both). */
    assert_true(both > 700 && both < 1300);
    /* Independent of the id range, as it is of the score. */
    assert_true(low_half > 4500 && low_half < 5500);
    assert_false(cl_holdout(key, 42, 0));
}

static void the_daily_cap_sends_the_rest_to_the_pool(void **state)
{
    (void)state;
    struct cl_ranked v[] = {
        {.customer_id = 1, .associate_id = 10, .score = 300}, {.customer_id = 2, .associate_id = 10, .score = 900},
        {.customer_id = 3, .associate_id = 10, .score = 500}, {.customer_id = 4, .associate_id = 20, .score = 500},
        {.customer_id = 5, .associate_id = 0, .score = 800},  {.customer_id = 6, .associate_id = 30, .score = 100},
    };
    struct cl_load loads[] = {{.staff_id = 10, .used = 0}, {.staff_id = 20, .used = 2}};
    cl_assign(&rules, v, 6, loads, 2);
    /* Ordered by score, ties by customer id. */
    int64_t order[] = {2, 5, 3, 4, 1, 6};
    for (int i = 0; i < 6; i++)
        assert_int_equal(v[i].customer_id, order[i]);
    assert_int_equal(v[0].assigned_to, 10);   /* 900: associate 10's first */
    assert_int_equal(v[1].assigned_to, 0);    /* no associate: the pool */
    assert_int_equal(v[2].assigned_to, 10);   /* 500: associate 10's second */
    assert_int_equal(v[3].assigned_to, 0);    /* associate 20 had 2 today already */
    assert_int_equal(v[4].assigned_to, 0);    /* 300: associate 10 is full */
    assert_int_equal(v[5].assigned_to, 0);    /* associate 30 is not in this store's list */
    assert_int_equal(loads[0].used, 2);
    assert_int_equal(loads[1].used, 2);
}

static void the_uplift_interval(void **state)
{
    (void)state;
    struct cl_uplift u;
    /* Newcombe (1998), example (a): 56/70 against 48/80, hybrid score
     * interval 0.0524 to 0.3339. */
    cl_uplift(70, 56, 80, 48, &u);
    assert_true(u.estimable);
    assert_float_equal(u.uplift, 0.2, 1e-9);
    assert_float_equal(u.low, 0.0524, 0.00006);
    assert_float_equal(u.high, 0.3339, 0.00006);
    /* Example (h): 10/10 against 0/20 is a difference of 1 with interval
     * 0.6075 to 1 (here: too few to tell, below the minimum of 20). */
    cl_uplift(10, 10, 20, 0, &u);
    assert_false(u.estimable);
    cl_uplift(40, 40, 40, 0, &u);
    assert_true(u.estimable);
    assert_true(u.low > 0.8 && u.high <= 1.0 + 1e-12);
    /* No effect: the interval holds zero. */
    cl_uplift(500, 50, 500, 50, &u);
    assert_true(u.low < 0 && u.high > 0);
    cl_uplift(0, 0, 0, 0, &u);
    assert_false(u.estimable);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(who_is_left_out),
        cmocka_unit_test(every_signal_of_value_raises_the_score),
        cmocka_unit_test(the_reason_in_both_languages),
        cmocka_unit_test(the_hold_out_is_a_stable_share),
        cmocka_unit_test(the_daily_cap_sends_the_rest_to_the_pool),
        cmocka_unit_test(the_uplift_interval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
