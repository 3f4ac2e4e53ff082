/* test_events.c — events_emit_to(): the subscribers of an event's kind are
 * called once each, in table order; the first that fails stops the emit and
 * its status is returned; kinds a subscriber does not hear leave it alone.
 * No database: the kinds used here write no case_events row. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>
#include "domain/domain.h"
#include "domain/events.h"
#include "cmocka_main.h"

static int calls[3];
static char order[8];
static size_t n_order;

static int note(int i)
{
    calls[i]++;
    if (n_order + 1 < sizeof order) order[n_order++] = (char)('a' + i);
    return TD_OK;
}

static int sub_a(struct dctx *c, const struct event *ev) { (void)c; (void)ev; return note(0); }
static int sub_b(struct dctx *c, const struct event *ev) { (void)c; (void)ev; return note(1); }
static int sub_fail(struct dctx *c, const struct event *ev)
{
    (void)c;
    (void)ev;
    note(2);
    return TD_E_CONFLICT;
}

static void reset(void)
{
    memset(calls, 0, sizeof calls);
    memset(order, 0, sizeof order);
    n_order = 0;
}

static void each_subscriber_of_the_kind_once_in_order(void **state)
{
    (void)state;
    reset();
    const struct events_subscriber subs[] = {
        {"a", sub_a, EVENTS_BIT(EVENT_PURCHASES_IMPORTED) | EVENTS_BIT(EVENT_WALK_IN_KEPT)},
        {"b", sub_b, EVENTS_BIT(EVENT_PURCHASES_IMPORTED)},
        {"a2", sub_a, EVENTS_BIT(EVENT_OPENED)},
    };
    struct dctx c = {0};
    struct event ev = {.kind = EVENT_PURCHASES_IMPORTED, .first_receipt = 1, .last_receipt = 2};
    assert_int_equal(events_emit_to(&c, &ev, subs, 3), TD_OK);
    assert_int_equal(calls[0], 1);
    assert_int_equal(calls[1], 1);
    assert_string_equal(order, "ab");
    reset();
    ev.kind = EVENT_WALK_IN_KEPT;
    assert_int_equal(events_emit_to(&c, &ev, subs, 3), TD_OK);
    assert_string_equal(order, "a");
}

static void the_first_failure_stops_the_emit(void **state)
{
    (void)state;
    reset();
    const unsigned all = EVENTS_BIT(EVENT_PURCHASES_IMPORTED);
    const struct events_subscriber subs[] = {{"a", sub_a, all}, {"fail", sub_fail, all}, {"b", sub_b, all}};
    struct dctx c = {0};
    struct event ev = {.kind = EVENT_PURCHASES_IMPORTED};
    assert_int_equal(events_emit_to(&c, &ev, subs, 3), TD_E_CONFLICT);
    assert_string_equal(order, "ac");
    assert_int_equal(calls[1], 0);
}

static void kinds_and_their_rows(void **state)
{
    (void)state;
    assert_string_equal(events_action(EVENT_OPENED), "opened");
    assert_string_equal(events_action(EVENT_APPROVAL_REJECTED), "approval_rejected");
    assert_string_equal(events_action(EVENT_FOLLOWED_UP), "followed_up");
    assert_string_equal(events_action(EVENT_REPAIR), "repair");
    assert_null(events_action(EVENT_WALK_IN_KEPT));
    assert_null(events_action(EVENT_PURCHASES_IMPORTED));
    assert_null(events_action(EVENT_KIND_COUNT));
    struct dctx c = {0};
    struct event ev = {.kind = EVENT_KIND_COUNT};
    assert_int_equal(events_emit_to(&c, &ev, NULL, 0), TD_E_INTERNAL);
}

TD_TEST_MAIN("unit_events", NULL, NULL,
             cmocka_unit_test(each_subscriber_of_the_kind_once_in_order),
             cmocka_unit_test(the_first_failure_stops_the_emit),
             cmocka_unit_test(kinds_and_their_rows))
