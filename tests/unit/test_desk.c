/* test_desk.c — the service desk through desk.h on a migrated database: a
 * case opens with its items (the price of a sold-here item from its receipt
 * line), bad fields are named by index, desk_decide() writes nothing, a
 * case's status never goes back, approvals only by a manager of the store
 * (or an admin) other than the one who opened it, store credit issued once,
 * repairs that skip steps but never undo one; a case opened while its
 * customer is being erased is unlinked with the others. No reason texts:
 * those belong to the policy's tests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "db/db.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "fixture.h"

struct desk_fx {
    struct fixture f;                         /* first: fixture_teardown closes and frees it */
    struct actor anna, mark, mia, admin;      /* associate and manager of UTR01, manager of AMS01 */
    int64_t member;                           /* a bronze loyalty member */
    struct ledger_config lc;
};

static const char purchases[] =
    "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
    "R1,2026-11-10 12:00,UTR01,NL-1001,SCARF-1,Sjaal,Noordzee,Sjaals,39.95,1\n";

static int group_setup(void **state)
{
    struct desk_fx *d = calloc(1, sizeof *d);
    if (!d || fixture_open(&d->f, "desk", 1, 1) != 0) return -1;
    struct fixture *f = &d->f;
    if (fixture_stores(f, "UTR01", "AMS01", NULL) != TD_OK) return -1;
    if (fixture_import(f, "loyalty_number,name\nNL-1001,Een\n", purchases) != TD_OK) return -1;
    d->member = fixture_int(f, "SELECT id FROM customers WHERE loyalty_number = 'NL-1001'");
    d->anna = fixture_staff(f, "anna", "associate", "UTR01");
    d->mark = fixture_staff(f, "mark", "manager", "UTR01");
    d->mia = fixture_staff(f, "mia", "manager", "AMS01");
    d->admin = fixture_staff(f, "root", "admin", NULL);
    d->lc.validity_us = 730LL * FIXTURE_DAY;
    d->lc.associate_limit_cents = 50000;
    *state = d;
    return 0;
}

static struct desk_case_in not_sold_here(int64_t customer, int64_t price, enum policy_condition cond)
{
    struct desk_case_in in = {.kind = POLICY_KIND_RETURN, .customer_id = customer, .store_code = "UTR01",
                              .customer_words = "", .n_items = 1};
    in.items[0] = (struct desk_item_in){.sold_here = false, .brand = "Mango", .description = "Jurk",
                                        .stated_price_cents = price, .condition = cond};
    return in;
}

static int open_as(struct desk_fx *d, struct actor who, const struct desk_case_in *in, struct errors *err, int64_t *id)
{
    d->f.c.actor = who;
    errors_init(err);
    assert_int_equal(db_begin(d->f.db, 1), TD_OK);
    int rc = desk_case_create(&d->f.c, in, err, id);
    if (rc == TD_OK) assert_int_equal(db_commit(d->f.db), TD_OK);
    else db_rollback(d->f.db);
    return rc;
}

static int64_t open_case(struct desk_fx *d, const struct desk_case_in *in)
{
    struct errors err;
    int64_t id = 0;
    assert_int_equal(open_as(d, d->anna, in, &err, &id), TD_OK);
    return id;
}

enum step { RESOLVE_ACCEPT, APPROVE, REJECT, CANCEL, FOLLOW_UP };

/* One step on case id as who, in a transaction of its own. */
static int step_as(struct desk_fx *d, struct actor who, enum step s, int64_t id, struct desk_outcome *out)
{
    struct fixture *f = &d->f;
    struct errors err;
    errors_init(&err);
    struct desk_outcome ignored;
    if (!out) out = &ignored;
    memset(out, 0, sizeof *out);
    f->c.actor = who;
    assert_int_equal(db_begin(f->db, 1), TD_OK);
    int rc = TD_E_INTERNAL;
    struct desk_resolve_in accept = {.accept = true};
    switch (s) {
    case RESOLVE_ACCEPT: rc = desk_resolve(&f->c, &d->lc, id, &accept, &err, out); break;
    case APPROVE: rc = desk_approve(&f->c, &d->lc, id, "ok", &err, out); break;
    case REJECT: rc = desk_reject(&f->c, id, "no", &err); break;
    case CANCEL: rc = desk_cancel(&f->c, id, "klant weg", &err); break;
    case FOLLOW_UP: rc = desk_follow_up(&f->c, id, "gebeld", &err); break;
    }
    if (rc == TD_OK) assert_int_equal(db_commit(f->db), TD_OK);
    else db_rollback(f->db);
    return rc;
}

static const char *status_of(struct desk_fx *d, int64_t id)
{
    static struct desk_case k;
    assert_int_equal(desk_case_get(&d->f.c, id, &k), TD_OK);
    return k.status;
}

static void names(void **state)
{
    (void)state;
    assert_int_equal(enum_map_find(&policy_kind_map, "return", 0), POLICY_KIND_RETURN);
    assert_int_equal(enum_map_find(&policy_kind_map, "repair", 0), POLICY_KIND_REPAIR);
    assert_int_equal(enum_map_find(&policy_kind_map, "refund", 0), 0);
    assert_int_equal(enum_map_find(&policy_condition_map, "worn", 0), POLICY_COND_WORN);
    assert_int_equal(enum_map_find(&policy_condition_map, "broken", 0), 0);
    assert_int_equal(enum_map_find(&policy_resolution_map, "store_credit", 0), POLICY_RES_STORE_CREDIT);
    assert_int_equal(enum_map_find(&policy_resolution_map, "refer_elsewhere", 0), POLICY_RES_REFER_ELSEWHERE);
    assert_int_equal(enum_map_find(&policy_resolution_map, "", 0), 0);
    assert_int_equal(enum_map_find(&policy_referral_map, "nonsense", 0), 0);
}

static void opens_with_its_items(void **state)
{
    struct desk_fx *d = *state;
    struct desk_case_in in = not_sold_here(d->member, 2000, POLICY_COND_NEW);
    in.receipt = true;
    in.n_items = 2;
    in.items[1] = (struct desk_item_in){.sold_here = true, .receipt_ref = "R1", .sku = "SCARF-1", .condition = POLICY_COND_NEW};
    int64_t id = open_case(d, &in);
    static struct desk_case case_read;
    struct desk_case *k = &case_read;
    assert_int_equal(desk_case_get(&d->f.c, id, k), TD_OK);
    assert_string_equal(k->status, "open");
    assert_string_equal(k->store_code, "UTR01");
    assert_string_equal(k->associate_login, "anna");
    assert_int_equal(k->customer_id, d->member);
    assert_int_equal(k->kind, POLICY_KIND_RETURN);
    assert_int_equal(k->n_items, 2);
    assert_false(k->items[0].sold_here);
    assert_string_equal(k->items[0].brand, "Mango");
    assert_int_equal(k->items[0].price_cents, 2000);
    assert_true(k->items[1].sold_here);
    assert_string_equal(k->items[1].sku, "SCARF-1");
    assert_int_equal(k->items[1].price_cents, 3995);         /* from the receipt line, not the customer */
    assert_string_equal(k->items[1].proof, "receipt");
    assert_string_equal(k->resolution, "");
    assert_true(fixture_int(&d->f, "SELECT COUNT(*) FROM case_events WHERE case_id = %lld", (long long)id) >= 1);
}

static void bad_fields_are_named(void **state)
{
    struct desk_fx *d = *state;
    struct errors err;
    int64_t id = 0;
    int64_t before = fixture_int(&d->f, "SELECT COUNT(*) FROM cases");
    struct { struct desk_case_in in; const char *field; } cases[3];
    for (size_t i = 0; i < 3; i++) cases[i].in = not_sold_here(d->member, 2000, POLICY_COND_NEW);
    cases[0].in.items[0].brand = "";
    cases[0].field = "items[0].brand";
    cases[1].in.items[0].condition = 0;
    cases[1].field = "items[0].condition";
    cases[2].in.n_items = 2;
    cases[2].in.items[1] = (struct desk_item_in){.sold_here = true, .condition = POLICY_COND_NEW};   /* no sku */
    cases[2].field = "items[1].sku";
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(open_as(d, d->anna, &cases[i].in, &err, &id), TD_E_INVALID);
        if (!fixture_has_field(&err, cases[i].field)) fail_msg("case %zu: no problem named %s", i, cases[i].field);
    }
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM cases"), before);
}

static void decide_writes_nothing(void **state)
{
    struct desk_fx *d = *state;
    struct desk_case_in in = not_sold_here(d->member, 2000, POLICY_COND_NEW);
    int64_t id = open_case(d, &in);
    static const char count[] = "SELECT (SELECT COUNT(*) FROM case_events) + (SELECT COUNT(*) FROM cases"
                                " WHERE status <> 'open' OR resolution IS NOT NULL) + (SELECT COUNT(*) FROM credit_notes)";
    int64_t before = fixture_int(&d->f, count);
    struct decision dec;
    struct risk risk;
    assert_int_equal(desk_decide(&d->f.c, id, &dec, &risk), TD_OK);
    assert_int_equal(desk_decide(&d->f.c, id, &dec, &risk), TD_OK);
    assert_int_equal(fixture_int(&d->f, count), before);
    assert_string_equal(status_of(d, id), "open");
}

static void status_never_goes_back(void **state)
{
    struct desk_fx *d = *state;
    struct desk_case_in in = not_sold_here(fixture_customer(&d->f, "Nieuw", "NL-2001"), 2000, POLICY_COND_NEW);
    int64_t id = open_case(d, &in);
    struct desk_outcome out;
    assert_int_equal(step_as(d, d->anna, REJECT, id, NULL), TD_E_FORBIDDEN);      /* an associate never approves or rejects */
    assert_int_equal(step_as(d, d->mark, REJECT, id, NULL), TD_E_CONFLICT);       /* not awaiting approval */
    assert_int_equal(step_as(d, d->anna, RESOLVE_ACCEPT, id, &out), TD_OK);
    assert_string_equal(out.status, "resolved");
    assert_string_not_equal(out.credit_code, "");                                  /* store credit for EUR 20 */
    assert_int_equal(out.note.balance_cents, 2000);
    /* resolved: no second resolution, no cancel, and the credit stays one note */
    assert_int_equal(step_as(d, d->anna, RESOLVE_ACCEPT, id, NULL), TD_E_CONFLICT);
    assert_int_equal(step_as(d, d->anna, CANCEL, id, NULL), TD_E_CONFLICT);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM credit_notes WHERE id = (SELECT credit_note_id FROM cases"
                                        " WHERE id = %lld)", (long long)id), 1);
    assert_int_equal(step_as(d, d->anna, FOLLOW_UP, id, NULL), TD_OK);
    assert_string_equal(status_of(d, id), "followed_up");
    static const enum step back[] = {RESOLVE_ACCEPT, APPROVE, REJECT, CANCEL, FOLLOW_UP};
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        if (step_as(d, d->admin, back[i], id, NULL) == TD_OK) fail_msg("step %zu moved a followed-up case", i);
        assert_string_equal(status_of(d, id), "followed_up");
    }
    /* a cancelled case stays cancelled */
    int64_t other = open_case(d, &in);
    assert_int_equal(step_as(d, d->anna, CANCEL, other, NULL), TD_OK);
    assert_int_equal(step_as(d, d->anna, RESOLVE_ACCEPT, other, NULL), TD_E_CONFLICT);
    assert_int_equal(step_as(d, d->anna, CANCEL, other, NULL), TD_E_CONFLICT);
    assert_string_equal(status_of(d, other), "cancelled");
}

static void approvals(void **state)
{
    struct desk_fx *d = *state;
    struct desk_case_in in = not_sold_here(d->member, 30000, POLICY_COND_NEW);   /* beyond a bronze's goodwill */
    int64_t id = open_case(d, &in);
    struct desk_outcome out;
    assert_int_equal(step_as(d, d->anna, RESOLVE_ACCEPT, id, &out), TD_OK);
    assert_string_equal(out.status, "awaiting_approval");
    assert_string_equal(out.credit_code, "");                                      /* nothing issued yet */
    assert_int_equal(step_as(d, d->anna, APPROVE, id, NULL), TD_E_FORBIDDEN);      /* associate */
    assert_int_equal(step_as(d, d->mia, APPROVE, id, NULL), TD_E_FORBIDDEN);       /* manager of another store */
    assert_string_equal(status_of(d, id), "awaiting_approval");
    assert_int_equal(step_as(d, d->mark, REJECT, id, NULL), TD_OK);                /* back to open, reason kept */
    assert_string_equal(status_of(d, id), "open");
    assert_int_equal(step_as(d, d->anna, RESOLVE_ACCEPT, id, NULL), TD_OK);
    assert_int_equal(step_as(d, d->mark, APPROVE, id, &out), TD_OK);
    assert_string_equal(out.status, "resolved");
    assert_string_not_equal(out.credit_code, "");
    assert_int_equal(step_as(d, d->admin, APPROVE, id, NULL), TD_E_CONFLICT);      /* once */
    static struct desk_case case_read;
    struct desk_case *k = &case_read;
    assert_int_equal(desk_case_get(&d->f.c, id, k), TD_OK);
    assert_int_equal(k->approval_by, d->mark.staff_id);
    assert_true(k->credit_note_id > 0);
    /* a manager's own case goes to someone else */
    d->f.c.actor = d->mark;
    struct errors err;
    int64_t own = 0;
    assert_int_equal(open_as(d, d->mark, &in, &err, &own), TD_OK);
    assert_int_equal(step_as(d, d->mark, RESOLVE_ACCEPT, own, &out), TD_OK);
    assert_string_equal(out.status, "awaiting_approval");
    assert_int_equal(step_as(d, d->mark, APPROVE, own, NULL), TD_E_FORBIDDEN);
    assert_int_equal(step_as(d, d->admin, APPROVE, own, NULL), TD_OK);
}

static int repair_step(struct desk_fx *d, int64_t id, const char *status, struct errors *err)
{
    errors_init(err);
    d->f.c.actor = d->anna;
    assert_int_equal(db_begin(d->f.db, 1), TD_OK);
    int rc = desk_repair_update(&d->f.c, id, status, NULL, NULL, err);
    if (rc == TD_OK) assert_int_equal(db_commit(d->f.db), TD_OK);
    else db_rollback(d->f.db);
    return rc;
}

static void repairs_skip_but_never_undo(void **state)
{
    struct desk_fx *d = *state;
    struct desk_case_in in = not_sold_here(d->member, 8000, POLICY_COND_DEFECTIVE);
    in.kind = POLICY_KIND_REPAIR;
    int64_t id = open_case(d, &in);
    struct errors err;
    errors_init(&err);
    struct desk_resolve_in res = {.resolution = POLICY_RES_REPAIR_MANUFACTURER, .override_reason = "naar de fabrikant"};
    struct desk_outcome out;
    assert_int_equal(db_begin(d->f.db, 1), TD_OK);
    assert_int_equal(desk_resolve(&d->f.c, &d->lc, id, &res, &err, &out), TD_OK);
    assert_int_equal(db_commit(d->f.db), TD_OK);
    struct desk_repair r;
    assert_int_equal(desk_repair_get(&d->f.c, id, &r), TD_OK);
    assert_string_equal(r.status, "taken_in");
    assert_string_equal(r.manufacturer, "Mango");                                  /* the item's brand */
    assert_int_equal(repair_step(d, id, "at_manufacturer", &err), TD_OK);          /* "sent" skipped */
    assert_int_equal(repair_step(d, id, "sent", &err), TD_E_INVALID);              /* never undone */
    assert_true(fixture_has_field(&err, "status"));
    assert_int_equal(repair_step(d, id, "lost", &err), TD_E_INVALID);
    assert_true(fixture_has_field(&err, "status"));
    assert_int_equal(repair_step(d, id, "collected", &err), TD_OK);
    assert_int_equal(desk_repair_get(&d->f.c, id, &r), TD_OK);
    assert_string_equal(r.status, "collected");
    /* another store's manager does not move it */
    errors_init(&err);
    d->f.c.actor = d->mia;
    assert_int_equal(desk_repair_update(&d->f.c, id, "collected", NULL, NULL, &err), TD_E_FORBIDDEN);
}

static void case_opened_during_erasure_is_unlinked(void **state)
{
    struct desk_fx *d = *state;
    int64_t customer = fixture_customer(&d->f, "Rena Ras", "NL-9001");
    /* The case opens (the customer checked, the case written), not committed yet ... */
    d->f.c.actor = d->anna;
    struct errors err;
    errors_init(&err);
    struct desk_case_in in = not_sold_here(customer, 4000, POLICY_COND_NEW);
    in.customer_words = "Te klein";
    int64_t id = 0;
    assert_int_equal(db_begin(d->f.db, 1), TD_OK);
    assert_int_equal(desk_case_create(&d->f.c, &in, &err, &id), TD_OK);
    /* ... while the customer asks to be erased. */
    struct fixture_eraser e;
    fixture_erase_apart(&d->f, d->admin, customer, &e);
    assert_int_equal(db_commit(d->f.db), TD_OK);
    assert_int_equal(fixture_erase_join(&e), TD_OK);
    /* Whichever went first, the case is the store's and no longer the customer's. */
    assert_int_equal(fixture_int(&d->f, "SELECT erased_at IS NOT NULL FROM customers WHERE id = %lld", (long long)customer), 1);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM cases WHERE id = %lld", (long long)id), 1);
    assert_int_equal(fixture_int(&d->f, "SELECT COUNT(*) FROM cases WHERE customer_id = %lld OR (id = %lld AND"
                                        " customer_words <> '')", (long long)customer, (long long)id), 0);
    /* And a case opened after the erasure is refused. */
    errors_init(&err);
    assert_int_equal(open_as(d, d->anna, &in, &err, &id), TD_E_INVALID);
    assert_string_equal(err.item[0].field, "customer_id");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names),
        cmocka_unit_test(opens_with_its_items),
        cmocka_unit_test(bad_fields_are_named),
        cmocka_unit_test(decide_writes_nothing),
        cmocka_unit_test(status_never_goes_back),
        cmocka_unit_test(approvals),
        cmocka_unit_test(repairs_skip_but_never_undo),
        cmocka_unit_test(case_opened_during_erasure_is_unlinked),
    };
    return cmocka_run_group_tests(tests, group_setup, fixture_teardown);
}
