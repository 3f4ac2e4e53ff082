/* test_clienteling.c — the new collection through the domain, on a real
 * database (SQLite, or PostgreSQL when TRUSTDESK_TEST_PG is set): knitwear
 * arrives in Utrecht; who is matched and who is not, and why; each task
 * with the customer's own associate; matching again writes nothing; a call
 * ends in a hold on the last size M; the second hold on it is refused; the
 * hold expires and the unit goes to the next customer who fits; the
 * contact cap and consent stop outreach; a purchase converts a hold; an
 * associate's book moves to the pool; erasure leaves nothing behind. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/errors.h"
#include "db/db.h"
#include "domain/clienteling.h"
#include "domain/clienteling_book.h"
#include "domain/clienteling_catalog.h"
#include "domain/clienteling_mail.h"
#include "domain/clienteling_outreach.h"
#include "domain/customer.h"
#include "fixture.h"
#include "mail/mail.h"

#define HOUR (3600LL * 1000000)

static const char CUSTOMERS[] =
    "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
    "NL-1,Eva de Vries,eva@example.nl,0612345601,UTR01,ja,ja\n"
    "NL-2,Noor Jansen,noor@example.nl,0612345602,UTR01,ja,nee\n"
    "NL-3,Lars Visser,lars@example.nl,0612345603,UTR01,nee,nee\n"
    "NL-4,Sara Smit,sara@example.nl,0612345604,UTR01,ja,ja\n"
    "NL-5,Tim Bos,tim@example.nl,0612345605,UTR01,ja,ja\n"
    "NL-6,Ilse Mulder,ilse@example.nl,0612345606,UTR01,ja,ja\n"
    "NL-7,Mees Dekker,mees@example.nl,0612345607,AMS01,ja,ja\n";

/* Older knitwear in M and XL, and socks; all in the year before. */
static const char PURCHASES[] =
    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
    "R-1,2026-10-01 10:00,UTR01,NL-1,OLD-M,Trui oud,Noordzee,Truien,89.95,2\n"
    "R-2,2026-10-02 10:00,UTR01,NL-3,OLD-M,Trui oud,Noordzee,Truien,89.95,1\n"
    "R-3,2026-10-03 10:00,UTR01,NL-4,OLD-M,Trui oud,Noordzee,Truien,89.95,1\n"
    "R-4,2026-10-04 10:00,UTR01,NL-5,OLD-XL,Trui oud,Noordzee,Truien,89.95,1\n"
    "R-5,2026-10-05 10:00,UTR01,NL-6,SOK-1,Sokken,Noordzee,Sokken,12.50,1\n"
    "R-6,2026-10-06 10:00,AMS01,NL-7,OLD-M,Trui oud,Noordzee,Truien,89.95,1\n";

struct world {
    struct fixture *f;
    struct actor anna, bram, mia;
    int64_t utr, ams, knit, cust[8];
    struct cl_rules rules;
};

static void begin(struct fixture *f) { assert_int_equal(db_begin(f->db, 1), TD_OK); }
static void commit(struct fixture *f) { assert_int_equal(db_commit(f->db), TD_OK); }

/* Records an e-mail to customer (marketing or transactional) in a
 * transaction of its own, then asks whether another may go out: what
 * cl_contact_check() answers, its problems in err. */
static int mail_then_check(struct fixture *f, struct world *w, int64_t customer, bool marketing, struct errors *err)
{
    begin(f);
    assert_int_equal(cl_contact_add(&f->c, customer, "email", marketing, 0), TD_OK);
    commit(f);
    errors_init(err);
    return cl_contact_check(&f->c, &w->rules, customer, "email", err);
}

static int64_t by_loyalty(struct fixture *f, const char *loyalty)
{
    return fixture_int(f, "SELECT id FROM customers WHERE loyalty_number = '%s'", loyalty);
}

static void style(struct fixture *f, const char *code, const char *name, const char *category,
                  const struct cl_variant_in *v, size_t n)
{
    struct errors err;
    errors_init(&err);
    struct cl_style_in in = {.code = code, .name = name, .brand = "Noordzee", .category = category,
                             .colour = "navy", .price_cents = 8995, .n_variants = n, .variants = v};
    int64_t id;
    begin(f);
    assert_int_equal(cl_style_put(&f->c, &in, &err, &id), TD_OK);
    commit(f);
}

static void stock(struct fixture *f, int64_t store, const char *sku, int64_t n)
{
    struct errors err;
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_stock_set(&f->c, store, sku, n, &err), TD_OK);
    commit(f);
}

static void make_world(struct world *w, struct fixture *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    clienteling_rules_default(&w->rules);
    w->rules.holdout_permille = 0;                 /* the pure tests cover the hold-out */
    assert_int_equal(fixture_stores(f, "UTR01", "AMS01", NULL), TD_OK);
    w->utr = fixture_store_id(f, "UTR01");
    w->ams = fixture_store_id(f, "AMS01");
    w->anna = fixture_staff(f, "anna", "associate", "UTR01");
    w->bram = fixture_staff(f, "bram", "associate", "UTR01");
    w->mia = fixture_staff(f, "mia", "manager", "UTR01");
    /* The catalogue first, so the purchases find their sizes. */
    style(f, "TRUI-OUD", "Trui oud", "Truien", (struct cl_variant_in[]){{"OLD-M", "M"}, {"OLD-XL", "XL"}}, 2);
    style(f, "TRUI-26", "Kabeltrui", "Truien",
          (struct cl_variant_in[]){{"NEW-S", "S"}, {"NEW-M", "M"}, {"NEW-L", "L"}}, 3);
    assert_int_equal(fixture_import(f, CUSTOMERS, PURCHASES), TD_OK);
    for (int i = 1; i <= 7; i++) {
        char l[8];
        snprintf(l, sizeof l, "NL-%d", i);
        w->cust[i] = by_loyalty(f, l);
    }
    stock(f, w->utr, "NEW-M", 1);
    stock(f, w->utr, "NEW-L", 2);
    stock(f, w->utr, "NEW-S", 0);

    struct errors err;
    errors_init(&err);
    begin(f);
    /* Eva and Sara and Tim are Anna's, Noor is Bram's; Lars and Ilse have no book. */
    assert_int_equal(cl_book_assign(&f->c, w->cust[1], w->utr, w->anna.staff_id, 0, &err), TD_OK);
    assert_int_equal(cl_book_assign(&f->c, w->cust[2], w->utr, w->bram.staff_id, w->anna.staff_id, &err), TD_OK);
    assert_int_equal(cl_book_assign(&f->c, w->cust[4], w->utr, w->anna.staff_id, 0, &err), TD_OK);
    assert_int_equal(cl_book_assign(&f->c, w->cust[5], w->utr, w->anna.staff_id, 0, &err), TD_OK);
    /* Noor never bought knitwear, but likes the brand and says she wears M. */
    assert_int_equal(cl_pref_set(&f->c, w->cust[2], CL_PREF_BRAND, "Noordzee", 1, &err), TD_OK);
    assert_int_equal(cl_size_set(&f->c, w->cust[2], "Truien", "M", true, &err), TD_OK);
    /* Sara objects to profiling. */
    assert_int_equal(cl_objection_set(&f->c, w->cust[4], true, "phone call"), TD_OK);
    const char *styles[] = {"TRUI-26"};
    assert_int_equal(cl_collection_put(&f->c, "KNIT-AW26", "Knitwear autumn", styles, 1, &err, &w->knit), TD_OK);
    assert_int_equal(cl_collection_plan(&f->c, w->knit, w->utr, FIXTURE_NOW - HOUR, 0, &err), TD_OK);
    commit(f);
    assert_int_equal(err.n, 0);
}

static int64_t tasks_of(struct world *w, const char *where)
{
    return fixture_int(w->f, "SELECT COUNT(*) FROM outreach_tasks WHERE collection_id = %lld AND %s",
                       (long long)w->knit, where);
}

static void arrive(struct world *w, bool write, struct cl_arrival_summary *s)
{
    begin(w->f);
    assert_int_equal(clienteling_arrive(&w->f->c, &w->rules, w->knit, w->utr, write, s), TD_OK);
    commit(w->f);
}

/* The world with the knitwear collection arrived in Utrecht (written). */
static void arrived_world(struct world *w, struct fixture *f, struct cl_arrival_summary *s)
{
    make_world(w, f);
    arrive(w, true, s);
}

static void the_new_collection(void **state)
{
    struct world w;
    make_world(&w, *state);
    struct fixture *f = w.f;

    /* Due on the scheduler: its date has come. */
    int64_t due = fixture_int(f, "SELECT COUNT(*) FROM collection_stores WHERE arrived_at IS NULL AND arrives_at <= %lld",
                              (long long)FIXTURE_NOW);
    assert_int_equal(due, 1);

    /* The preview says who, and changes nothing. */
    struct cl_arrival_summary s;
    arrive(&w, false, &s);
    assert_int_equal(s.candidates, 6);                 /* Utrecht's customers; Mees is Amsterdam's */
    assert_int_equal(s.matched, 2);                    /* Eva and Noor */
    assert_int_equal(s.tasks, 2);
    assert_int_equal(s.skipped[CL_SKIP_NO_CONSENT], 1); /* Lars */
    assert_int_equal(s.skipped[CL_SKIP_OBJECTED], 1);   /* Sara */
    assert_int_equal(s.skipped[CL_SKIP_NO_SIZE], 1);    /* Tim wears XL */
    assert_int_equal(s.skipped[CL_SKIP_NO_FIT], 1);     /* Ilse bought socks */
    assert_int_equal(tasks_of(&w, "1 = 1"), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM collection_stores WHERE arrived_at IS NOT NULL"), 0);

    /* Released: each task with the customer's own associate. */
    arrive(&w, true, &s);
    assert_int_equal(s.tasks, 2);
    char where[128];
    snprintf(where, sizeof where, "customer_id = %lld AND staff_id = %lld AND status = 'open'", (long long)w.cust[1],
             (long long)w.anna.staff_id);
    assert_int_equal(tasks_of(&w, where), 1);
    snprintf(where, sizeof where, "customer_id = %lld AND staff_id = %lld AND size = 'M'", (long long)w.cust[2],
             (long long)w.bram.staff_id);
    assert_int_equal(tasks_of(&w, where), 1);
    /* Eva (two sweaters bought, learned M) ranks above Noor (likes the brand). */
    assert_true(fixture_int(f, "SELECT score FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[1]) >
                fixture_int(f, "SELECT score FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[2]));

    /* Matching again writes nothing twice. */
    arrive(&w, true, &s);
    assert_int_equal(s.tasks, 0);
    assert_int_equal(s.already, 2);
    assert_int_equal(tasks_of(&w, "1 = 1"), 2);

    /* Anna's list today, with the reason in her language. */
    struct cl_task t;
    int64_t eva_task = fixture_int(f, "SELECT id FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[1]);
    assert_int_equal(cl_task_get(&f->c, eva_task, "nl", &t), TD_OK);
    assert_non_null(strstr(t.why, "maat M (uit aankopen) op voorraad"));
    assert_int_equal(cl_task_get(&f->c, eva_task, "en", &t), TD_OK);
    assert_non_null(strstr(t.why, "on Truien"));
    assert_string_equal(t.channel, "phone");

    /* The call ends in a 48-hour hold on the last M. */
    struct errors err;
    errors_init(&err);
    f->c.actor = w.anna;
    int64_t hold = 0;
    begin(f);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NEW-M", w.cust[1], eva_task, 0, &err, &hold), TD_OK);
    commit(f);
    assert_int_equal(fixture_int(f, "SELECT expires_at - created_at FROM holds WHERE id = %lld", (long long)hold),
                     48 * HOUR);
    assert_int_equal(fixture_int(f, "SELECT outcome = 'hold_made' FROM outreach_tasks WHERE id = %lld",
                                 (long long)eva_task), 1);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM contacts WHERE customer_id = %lld AND marketing = 1",
                                 (long long)w.cust[1]), 1);

    /* Bram tries the same last unit for Noor: refused, nothing changed. */
    f->c.actor = w.bram;
    int64_t noor_task = fixture_int(f, "SELECT id FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[2]);
    errors_init(&err);
    int64_t hold2 = 0;
    begin(f);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NEW-M", w.cust[2], noor_task, 0, &err, &hold2), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "sku"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM holds"), 1);
    assert_int_equal(fixture_int(f, "SELECT on_hand - held FROM stock WHERE product_id ="
                                    " (SELECT id FROM products WHERE sku = 'NEW-M')"), 0);

    /* Bad holds name their field. */
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NOPE", w.cust[2], 0, 500, &err, &hold2), TD_E_INVALID);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "sku"));
    assert_true(fixture_has_field(&err, "hours"));
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NEW-S", w.cust[2], 0, 0, &err, &hold2), TD_E_CONFLICT);
    db_rollback(f->db);

    /* Noor is reached by e-mail (her only consent). While her consent is
     * withdrawn, the mail is refused naming the channel; given again, it goes. */
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE id = %lld AND channel = 'email'",
                                 (long long)noor_task), 1);
    begin(f);
    assert_int_equal(db_run(f->db, "UPDATE customers SET email_consent = 0 WHERE id = ?", NULL, "i", w.cust[2]), TD_OK);
    errors_init(&err);
    assert_int_equal(cl_task_outcome(&f->c, &w.rules, noor_task, CL_OUTCOME_MAILED, &err), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "channel"));
    assert_int_equal(tasks_of(&w, "status = 'open'"), 1);
    begin(f);
    errors_init(&err);
    assert_int_equal(cl_task_outcome(&f->c, &w.rules, noor_task, CL_OUTCOME_MAILED, &err), TD_OK);
    commit(f);
    /* Once done, a task takes no second outcome. */
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_task_outcome(&f->c, &w.rules, noor_task, CL_OUTCOME_REACHED, &err), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "status"));
    /* The cap: two marketing contacts in 30 days, then no more. */
    assert_int_equal(mail_then_check(f, &w, w.cust[2], true, &err), TD_E_CONFLICT);
    assert_true(fixture_has_field(&err, "customer_id"));
    /* A transactional mail does not count. */
    assert_int_equal(mail_then_check(f, &w, w.cust[1], false, &err), TD_OK);

    /* Meanwhile Mia's customer Ilse buys a sweater in M elsewhere in the
     * range: now she fits, but the only M is held. */
    (void)w.mia;
    assert_int_equal(fixture_import(f, NULL,
                                    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,"
                                    "unit_price,quantity\n"
                                    "R-7,2026-11-10 10:00,UTR01,NL-6,OLD-M,Trui oud,Noordzee,Truien,89.95,1\n"),
                     TD_OK);
    /* The import fed the clienteling aggregates (events.def). */
    assert_int_equal(fixture_int(f, "SELECT last_size = 'M' FROM customer_category_spend WHERE customer_id = %lld"
                                    " AND category = 'Truien'", (long long)w.cust[6]), 1);
    arrive(&w, true, &s);
    assert_int_equal(s.tasks, 0);
    assert_int_equal(s.skipped[CL_SKIP_NO_SIZE], 2);    /* Tim, and Ilse while the M is held */

    /* Eva does not come; the hold expires inside the first-choice window
     * (a short one, moved forward), and the M goes to Ilse. */
    begin(f);
    assert_int_equal(db_run(f->db, "UPDATE holds SET expires_at = ? WHERE id = ?", NULL, "ii", FIXTURE_NOW + HOUR, hold),
                     TD_OK);
    commit(f);
    fixture_at(f, FIXTURE_NOW + 2 * HOUR);
    int64_t expired = 0;
    begin(f);
    assert_int_equal(cl_holds_expire(&f->c, &w.rules, &expired), TD_OK);
    commit(f);
    assert_int_equal(expired, 1);
    assert_int_equal(fixture_int(f, "SELECT status = 'released' FROM holds WHERE id = %lld", (long long)hold), 1);
    assert_int_equal(tasks_of(&w, "status = 'open'") >= 1, 1);
    snprintf(where, sizeof where, "customer_id = %lld AND status = 'open'", (long long)w.cust[6]);
    assert_int_equal(tasks_of(&w, where), 1);

    /* Ilse's hold converts when she buys the M in Utrecht. */
    int64_t ilse_task = fixture_int(f, "SELECT id FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[6]);
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NEW-M", w.cust[6], ilse_task, 24, &err, &hold2), TD_OK);
    commit(f);
    assert_int_equal(fixture_import(f, NULL,
                                    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,"
                                    "unit_price,quantity\n"
                                    "R-8,2026-11-18 12:00,UTR01,NL-6,NEW-M,Kabeltrui,Noordzee,Truien,89.95,1\n"),
                     TD_OK);
    assert_int_equal(fixture_int(f, "SELECT status = 'converted' FROM holds WHERE id = %lld", (long long)hold2), 1);
    assert_int_equal(fixture_int(f, "SELECT held FROM stock WHERE product_id = (SELECT id FROM products WHERE sku = 'NEW-M')"),
                     0);

    /* The window ends: open tasks lapse. */
    fixture_at(f, FIXTURE_NOW + 49 * HOUR);
    int64_t lapsed = 0;
    begin(f);
    assert_int_equal(cl_tasks_lapse(&f->c, &lapsed), TD_OK);
    commit(f);
    assert_int_equal(tasks_of(&w, "status = 'open'"), 0);
}

static int count(void *arg, const struct cl_book_row *r)
{
    (void)r;
    (*(int *)arg)++;
    return TD_OK;
}

/* A collection arriving in several stores at once (one read of each table
 * for the chain) gives every store what arriving there alone gives, and
 * matching again writes nothing twice. */
static void arriving_chain_wide_is_arriving_in_each_store(void **state)
{
    struct world w;
    make_world(&w, *state);
    struct fixture *f = w.f;
    struct errors err;
    errors_init(&err);
    stock(f, w.ams, "NEW-M", 3);
    stock(f, w.ams, "NEW-L", 3);
    begin(f);
    assert_int_equal(cl_collection_plan(&f->c, w.knit, w.ams, FIXTURE_NOW - HOUR, 0, &err), TD_OK);
    commit(f);
    int64_t stores[2] = {w.utr, w.ams};
    struct cl_arrival_summary alone[2], both[2];
    for (int i = 0; i < 2; i++) {
        begin(f);
        assert_int_equal(clienteling_arrive(&f->c, &w.rules, w.knit, stores[i], false, &alone[i]), TD_OK);
        commit(f);
    }
    begin(f);
    assert_int_equal(clienteling_arrive_stores(&f->c, &w.rules, w.knit, stores, 2, true, both), TD_OK);
    commit(f);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(both[i].candidates, alone[i].candidates);
        assert_int_equal(both[i].matched, alone[i].matched);
        assert_int_equal(both[i].tasks, alone[i].tasks);
        for (int k = 0; k < CL_SKIP_COUNT; k++) assert_int_equal(both[i].skipped[k], alone[i].skipped[k]);
        assert_int_equal(both[i].n_staff, alone[i].n_staff);
        for (size_t k = 0; k < both[i].n_staff; k++) {
            assert_int_equal(both[i].staff[k].staff_id, alone[i].staff[k].staff_id);
            assert_int_equal(both[i].staff[k].tasks, alone[i].staff[k].tasks);
        }
    }
    assert_int_equal(both[0].candidates, 6);
    assert_int_equal(both[0].matched, 2);                 /* Eva and Noor, as in Utrecht alone */
    assert_int_equal(both[1].candidates, 1);              /* Mees */
    char where[160];
    snprintf(where, sizeof where, "customer_id = %lld AND staff_id = %lld AND size = 'M' AND store_id = %lld",
             (long long)w.cust[2], (long long)w.bram.staff_id, (long long)w.utr);
    assert_int_equal(tasks_of(&w, where), 1);
    int64_t written = tasks_of(&w, "1 = 1");
    assert_int_equal(written, both[0].matched + both[1].matched);
    begin(f);
    assert_int_equal(clienteling_arrive_stores(&f->c, &w.rules, w.knit, stores, 2, true, both), TD_OK);
    commit(f);
    assert_int_equal(both[0].matched + both[1].matched, 0);
    assert_int_equal(both[0].already, alone[0].matched);
    assert_int_equal(tasks_of(&w, "1 = 1"), written);
}

static void books_move_and_erasure_forgets(void **state)
{
    struct world w;
    struct cl_arrival_summary s;
    arrived_world(&w, *state, &s);
    struct fixture *f = w.f;

    /* Anna leaves: her book goes to the pool, her open tasks with it; Noor,
     * whose second associate she was, keeps Bram alone. */
    struct errors err;
    errors_init(&err);
    int64_t moved = 0;
    begin(f);
    assert_int_equal(cl_book_reassign(&f->c, w.utr, w.anna.staff_id, 0, &err, &moved), TD_OK);
    commit(f);
    assert_int_equal(moved, 4);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM customer_associates WHERE staff_id = %lld OR second_id = %lld",
                                 (long long)w.anna.staff_id, (long long)w.anna.staff_id), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE staff_id IS NULL AND customer_id = %lld",
                                 (long long)w.cust[1]), 1);
    /* A reassignment to someone outside the store is refused by name. */
    errors_init(&err);
    assert_int_equal(cl_book_reassign(&f->c, w.utr, w.bram.staff_id, 999999, &err, &moved), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "to_staff_id"));

    /* The pool's book lists Eva; a consent filter keeps Lars out. */
    struct cl_book_filter bf = {.store_id = w.utr, .pool = true, .consent = 3};
    int64_t next = 0;
    int n = 0;
    assert_int_equal(cl_book_each(&f->c, &bf, 0, 50, count, &n, &next), TD_OK);
    assert_int_equal(n, 4);                             /* Eva, Sara, Tim (ex-Anna), Ilse; Lars has no consent */
    bf.category = "Truien";
    n = 0;
    assert_int_equal(cl_book_each(&f->c, &bf, 0, 50, count, &n, &next), TD_OK);
    assert_int_equal(n, 3);                             /* Eva, Sara, Tim bought sweaters */
    bf.size = "XL";
    n = 0;
    assert_int_equal(cl_book_each(&f->c, &bf, 0, 50, count, &n, &next), TD_OK);
    assert_int_equal(n, 1);                             /* Tim */

    /* Erasure leaves no clienteling row of Eva. */
    int64_t date_id, note_id, hold;
    errors_init(&err);
    begin(f);
    assert_int_equal(cl_date_add(&f->c, w.cust[1], "birthday", 2, 29, "", &err, &date_id), TD_OK);
    assert_int_equal(cl_note_add(&f->c, w.cust[1], "Prefers a call after six", &err, &note_id), TD_OK);
    assert_int_equal(cl_hold_create(&f->c, w.utr, "NEW-L", w.cust[1], 0, 0, &err, &hold), TD_OK);
    assert_int_equal(customer_erase(&f->c, w.cust[1]), TD_OK);
    assert_int_equal(cl_customer_erase(&f->c, w.cust[1]), TD_OK);
    commit(f);
    static const char *const tables[] = {"customer_associates", "customer_sizes", "customer_prefs", "customer_dates",
                                         "customer_notes", "customer_objections", "customer_category_spend",
                                         "contacts", "customer_outreach", "outreach_tasks", "holds"};
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (fixture_int(f, "SELECT COUNT(*) FROM %s WHERE customer_id = %lld", tables[i], (long long)w.cust[1]) != 0)
            fail_msg("%s still holds the erased customer", tables[i]);
    assert_int_equal(fixture_int(f, "SELECT held FROM stock WHERE product_id = (SELECT id FROM products WHERE sku = 'NEW-L')"),
                     0);
}

static void bad_catalogue_input_names_the_field(void **state)
{
    struct fixture *f = *state;
    struct errors err;
    errors_init(&err);
    struct cl_style_in in = {.code = "bad code", .name = "", .brand = "B", .category = "C", .price_cents = -1,
                             .n_variants = 2,
                             .variants = (struct cl_variant_in[]){{"SKU-1", "M"}, {"SKU-1", "toolongsize"}}};
    int64_t id;
    begin(f);
    assert_int_equal(cl_style_put(&f->c, &in, &err, &id), TD_E_INVALID);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "code"));
    assert_true(fixture_has_field(&err, "name"));
    assert_true(fixture_has_field(&err, "price_cents"));
    assert_true(fixture_has_field(&err, "variants[1].sku"));
    assert_true(fixture_has_field(&err, "variants[1].size"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM styles"), 0);

    /* One sku, two styles: refused. */
    errors_init(&err);
    in = (struct cl_style_in){.code = "A", .name = "A", .brand = "B", .category = "C", .n_variants = 1,
                              .variants = (struct cl_variant_in[]){{"SKU-1", "M"}}};
    begin(f);
    assert_int_equal(cl_style_put(&f->c, &in, &err, &id), TD_OK);
    in.code = "B";
    assert_int_equal(cl_style_put(&f->c, &in, &err, &id), TD_E_INVALID);
    commit(f);
    assert_true(fixture_has_field(&err, "variants[0].sku"));

    errors_init(&err);
    assert_int_equal(fixture_stores(f, "UTR01", NULL), TD_OK);
    begin(f);
    assert_int_equal(cl_stock_set(&f->c, fixture_store_id(f, "UTR01"), "NOPE", -3, &err), TD_E_INVALID);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "sku"));
    assert_true(fixture_has_field(&err, "on_hand"));
    errors_init(&err);
    const char *styles[] = {"A", "ZZZ"};
    begin(f);
    assert_int_equal(cl_collection_put(&f->c, "K", "Knit", styles, 2, &err, &id), TD_E_INVALID);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "styles[1]"));
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM collections"), 0);
}


/* 200 customers who fit, a quarter kept back: the report counts what was
 * planted, and the uplift's interval holds the planted difference. */
static void the_report_measures_against_the_holdout(void **state)
{
    struct fixture *f = *state;
    struct cl_rules rules;
    clienteling_rules_default(&rules);
    rules.holdout_permille = 250;
    assert_int_equal(fixture_stores(f, "UTR01", NULL), TD_OK);
    int64_t utr = fixture_store_id(f, "UTR01");
    style(f, "TRUI-OUD", "Trui oud", "Truien", (struct cl_variant_in[]){{"OLD-M", "M"}}, 1);
    style(f, "TRUI-26", "Kabeltrui", "Truien", (struct cl_variant_in[]){{"NEW-M", "M"}}, 1);
    static char cust[64 * 1024], buys[64 * 1024];
    size_t a = (size_t)snprintf(cust, sizeof cust, "loyalty_number,name,email,phone,home_store_code,"
                                                   "email_marketing_consent,phone_marketing_consent\n");
    size_t b = (size_t)snprintf(buys, sizeof buys, "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,"
                                                   "brand,category,unit_price,quantity\n");
    for (int i = 1; i <= 200; i++) {
        a += (size_t)snprintf(cust + a, sizeof cust - a, "NL-%d,Klant %d,k%d@example.nl,06%08d,UTR01,ja,ja\n", i, i, i,
                              i);
        b += (size_t)snprintf(buys + b, sizeof buys - b, "R-%d,2026-10-01 10:00,UTR01,NL-%d,OLD-M,Trui,Noordzee,Truien,"
                                                         "50.00,1\n", i, i);
    }
    assert_int_equal(fixture_import(f, cust, buys), TD_OK);
    stock(f, utr, "NEW-M", 500);
    struct errors err;
    errors_init(&err);
    int64_t knit;
    const char *styles[] = {"TRUI-26"};
    begin(f);
    assert_int_equal(cl_collection_put(&f->c, "KNIT", "Knit", styles, 1, &err, &knit), TD_OK);
    assert_int_equal(cl_collection_plan(&f->c, knit, utr, FIXTURE_NOW, 0, &err), TD_OK);
    commit(f);

    struct cl_report rep;
    assert_int_equal(clienteling_report(&f->c, knit, utr, &rep), TD_OK);
    assert_int_equal(rep.arrived_at, 0);               /* not arrived: nothing to report */

    struct cl_arrival_summary s;
    rules.daily_cap_per_associate = 1000;
    begin(f);
    assert_int_equal(clienteling_arrive(&f->c, &rules, knit, utr, true, &s), TD_OK);
    commit(f);
    assert_int_equal(s.matched, 200);
    assert_true(s.holdout > 25 && s.holdout < 75);      /* about a quarter of 200 */
    assert_int_equal(s.holdout + s.tasks, 200);

    /* Every other contacted customer buys in the fortnight, one in ten of
     * the hold-out; one contacted customer buys after the fortnight. */
    b = (size_t)snprintf(buys, sizeof buys, "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,"
                                            "brand,category,unit_price,quantity\n");
    int64_t treated_bought = 0, holdout_bought = 0, nth_t = 0, nth_h = 0, late = 0;
    for (int i = 1; i <= 200; i++) {
        char l[16];
        snprintf(l, sizeof l, "NL-%d", i);
        int64_t id = by_loyalty(f, l);
        int held_back = (int)fixture_int(f, "SELECT COUNT(*) FROM outreach_tasks WHERE customer_id = %lld"
                                            " AND status = 'holdout'", (long long)id);
        const char *when = NULL;
        if (held_back && nth_h++ % 10 == 0)
            when = "2026-11-20 10:00", holdout_bought++;
        else if (!held_back && nth_t++ % 2 == 0)
            when = "2026-11-25 10:00", treated_bought++;
        else if (!held_back && !late++)
            when = "2026-12-20 10:00";
        if (when)
            b += (size_t)snprintf(buys + b, sizeof buys - b, "S-%d,%s,UTR01,NL-%d,NEW-M,Kabeltrui,Noordzee,Truien,"
                                                             "89.95,1\n", i, when, i);
    }
    assert_int_equal(fixture_import(f, NULL, buys), TD_OK);
    assert_int_equal(clienteling_report(&f->c, knit, utr, &rep), TD_OK);
    assert_int_equal(rep.matched, 200);
    assert_int_equal(rep.tasks, s.tasks);
    assert_int_equal(rep.holdout, s.holdout);
    assert_int_equal(rep.bought_treated, treated_bought);
    assert_int_equal(rep.bought_holdout, holdout_bought);
    assert_true(rep.uplift.estimable);
    double planted = (double)treated_bought / (double)rep.tasks - (double)holdout_bought / (double)rep.holdout;
    assert_float_equal(rep.uplift.uplift, planted, 1e-9);
    assert_true(rep.uplift.low < planted && planted < rep.uplift.high);
    assert_true(rep.uplift.low > 0);                    /* 50 % against 10 %: clearly more */
}

/* Noor is reached by e-mail: the mail is in the outbox in her language,
 * signed by Bram, with a one-click unsubscribe link; following the link
 * withdraws her consent, recorded as a consent event. */
static void personal_mail_and_one_click_unsubscribe(void **state)
{
    struct world w;
    struct cl_arrival_summary s;
    arrived_world(&w, *state, &s);
    struct fixture *f = w.f;
    int64_t noor_task = fixture_int(f, "SELECT id FROM outreach_tasks WHERE customer_id = %lld", (long long)w.cust[2]);
    begin(f);
    assert_int_equal(db_run(f->db, "UPDATE customers SET lang = 'en' WHERE id = ?", NULL, "i", w.cust[2]), TD_OK);
    commit(f);
    struct cl_mail_site site = {.base_url = "https://desk.example.nl", .from = "service@example.nl",
                                .shop_name = "Het Warenhuis"};
    struct errors err;
    errors_init(&err);
    f->c.actor = w.bram;
    char id[MAIL_ID_SZ];
    begin(f);
    assert_int_equal(cl_task_mail(&f->c, &w.rules, &site, noor_task, &err, id), TD_OK);
    commit(f);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM mail_outbox WHERE customer_id = %lld AND kind = 'marketing'"
                                    " AND rcpt_to = 'noor@example.nl' AND lang = 'en'"
                                    " AND subject = 'Just arrived: Knitwear autumn'"
                                    " AND body_text LIKE 'Dear Noor Jansen,%%' AND body_text LIKE '%%Kabeltrui (navy, size M)%%'"
                                    " AND body_text LIKE '%%Kind regards,%%bram%%'"
                                    " AND unsubscribe_url LIKE 'https://desk.example.nl/api/v1/unsubscribe/%%'",
                                 (long long)w.cust[2]), 1);
    assert_int_equal(fixture_int(f, "SELECT outcome = 'mailed' FROM outreach_tasks WHERE id = %lld", (long long)noor_task),
                     1);
    int64_t row = fixture_int(f, "SELECT id FROM mail_outbox WHERE customer_id = %lld", (long long)w.cust[2]);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(mail_render(f->db, row, &text, &len), TD_OK);
    assert_non_null(strstr(text, "List-Unsubscribe: <https://desk.example.nl/api/v1/unsubscribe/"));
    assert_non_null(strstr(text, "List-Unsubscribe-Post: List-Unsubscribe=One-Click"));
    free(text);

    /* A second mail would pass the cap of 2 only once; then it is refused. */
    int64_t contacts = fixture_int(f, "SELECT COUNT(*) FROM contacts WHERE customer_id = %lld AND marketing = 1",
                                   (long long)w.cust[2]);
    assert_int_equal(contacts, 1);

    /* The link's token, as the mail carries it. */
    struct db_stmt *st = NULL;
    assert_int_equal(db_get_row(f->db, "SELECT unsubscribe_url FROM mail_outbox WHERE id = ?", &st, "i", row), TD_OK);
    char token[128];
    snprintf(token, sizeof token, "%s", strrchr(db_col_text(st, 0), '/') + 1);
    db_done(st);
    int64_t who = 0;
    char lang[3];
    assert_int_equal(cl_unsubscribe_lookup(&f->c, token, &who, lang), TD_OK);
    assert_int_equal(who, w.cust[2]);
    assert_string_equal(lang, "en");
    assert_int_equal(cl_unsubscribe_lookup(&f->c, "0000", &who, lang), TD_E_NOT_FOUND);
    begin(f);
    assert_int_equal(cl_unsubscribe(&f->c, token), TD_OK);
    assert_int_equal(cl_unsubscribe(&f->c, token), TD_OK);       /* twice is harmless */
    commit(f);
    assert_int_equal(fixture_int(f, "SELECT email_consent FROM customers WHERE id = %lld", (long long)w.cust[2]), 0);
    assert_int_equal(fixture_int(f, "SELECT COUNT(*) FROM consent_events WHERE customer_id = %lld"
                                    " AND channel = 'email_marketing' AND given = 0 AND source = 'unsubscribe link'",
                                 (long long)w.cust[2]), 1);
    /* Without consent the next mail is refused by name. */
    errors_init(&err);
    begin(f);
    assert_int_equal(db_run(f->db, "UPDATE outreach_tasks SET status = 'open' WHERE id = ?", NULL, "i", noor_task),
                     TD_OK);
    assert_int_equal(cl_task_mail(&f->c, &w.rules, &site, noor_task, &err, id), TD_E_CONFLICT);
    db_rollback(f->db);
    assert_true(fixture_has_field(&err, "channel"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_new_collection, fixture_setup_pg, fixture_teardown),
        cmocka_unit_test_setup_teardown(arriving_chain_wide_is_arriving_in_each_store, fixture_setup_pg, fixture_teardown),
        cmocka_unit_test_setup_teardown(books_move_and_erasure_forgets, fixture_setup_pg, fixture_teardown),
        cmocka_unit_test_setup_teardown(bad_catalogue_input_names_the_field, fixture_setup_pg, fixture_teardown),
        cmocka_unit_test_setup_teardown(the_report_measures_against_the_holdout, fixture_setup_pg, fixture_teardown),
        cmocka_unit_test_setup_teardown(personal_mail_and_one_click_unsubscribe, fixture_setup_pg, fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
