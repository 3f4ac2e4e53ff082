/* events.h — the seam between what happens to a case (or a batch of
 * purchases) and the modules that keep something up to date with it.
 *
 * A writer describes what happened in a struct event and hands it to
 * events_emit(), inside its own transaction. events_emit() records the
 * case_events row (for the kinds that have one) and then calls, in the
 * order of events.def, every subscriber listed there for that kind. The
 * writer never names a subscriber; a module subscribes by adding a row to
 * events.def and defining the function.
 *
 * Invariants:
 *  (1) every emit happens inside the caller's transaction: a subscriber
 *      that fails makes events_emit() fail, and the caller rolls the whole
 *      request back (the case row, its case_events row and what earlier
 *      subscribers wrote);
 *  (2) one transition, one emit: a subscriber is called once per event;
 *  (3) the table is fixed at compile time: no registration, no globals.
 */
#ifndef TD_EVENTS_H
#define TD_EVENTS_H
#include <stddef.h>
#include <stdint.h>
#include "core/status.h"

struct dctx;
struct facts_case;

/* X(name, case_events action or NULL when the kind writes no row) */
#define EVENTS_KINDS(X)                                                                                               \
    X(OPENED, "opened")                   /* a case was opened; counts */                                              \
    X(WALK_IN_KEPT, NULL)                 /* a walk-in's contact was kept; counts, walk_in_key */                      \
    X(OVERRIDDEN, "overridden")           /* the desk departed from the recommendation */                              \
    X(APPROVAL_REQUESTED, "approval_requested")                                                                        \
    X(APPROVED, "approved")                                                                                            \
    X(APPROVAL_REJECTED, "approval_rejected")                                                                          \
    X(RESOLVED, "resolved")                                                                                            \
    X(CANCELLED, "cancelled")                                                                                          \
    X(FOLLOWED_UP, "followed_up")                                                                                      \
    X(REPAIR, "repair")                   /* a repair moved on a step */                                               \
    X(PURCHASES_IMPORTED, NULL)           /* receipts first_receipt..last_receipt were written; purchases */

enum event_kind {
#define EVENTS_ENUM(name, action) EVENT_##name,
    EVENTS_KINDS(EVENTS_ENUM)
#undef EVENTS_ENUM
    EVENT_KIND_COUNT
};

#define EVENTS_BIT(kind) (1u << (kind))

/* PURCHASES_IMPORTED: what the import wrote, so that each subscriber counts
 * its aggregates in memory and writes each of its rows once, without reading
 * the lines back. Indexes point into the same batch. */
struct event_receipt {
    int64_t id, store_id, customer_id, at;   /* customer_id 0: an anonymous sale; at: purchased_at */
    const char *ref;                         /* the till's receipt id */
};
struct event_product {
    int64_t id;
    const char *category;                    /* as the products row has it after the import */
    const char *size;                        /* the catalogue's size of the sku; NULL when none */
};
struct event_line {
    int64_t cents;                           /* unit price */
    int32_t receipt, product;                /* indexes into receipts[] and products[] */
    int32_t line_no, quantity;
    char size[12];                           /* the line's own size; "" when it gives none */
};
struct event_purchases {
    const struct event_receipt *receipts;    /* every receipt the import added, in id order */
    const struct event_product *products;    /* every product a line of them names */
    const struct event_line *lines;          /* every line of them */
    size_t nreceipts, nproducts, nlines;
};

/* What happened. Pointers are borrowed for the call. */
struct event {
    enum event_kind kind;
    int64_t case_id;                      /* case events; 0 for a purchase batch */
    const char *detail;                   /* the case_events row's detail; may be NULL */
    const struct facts_case *counts;      /* OPENED, WALK_IN_KEPT: what the case adds to the aggregates */
    const char *walk_in_key;              /* WALK_IN_KEPT: the contact's key (identity.h) */
    int64_t first_receipt, last_receipt;  /* PURCHASES_IMPORTED: the new receipts' ids, inclusive */
    const struct event_purchases *purchases;  /* PURCHASES_IMPORTED: the new receipts, their lines and products */
};

/* A subscriber: called inside the emitting transaction; a status other than
 * TD_OK fails the emit. */
typedef int (*events_fn)(struct dctx *c, const struct event *ev);

struct events_subscriber {
    const char *name;                     /* the function's name, for messages */
    events_fn fn;
    unsigned kinds;                       /* EVENTS_BIT()s of the kinds it hears */
};

/* The rows of events.def numbered in table order, for struct dctx's
 * events_quiet: EVENTS_SUB_BIT(insight_daily_on_event) leaves that row out. */
enum events_sub {
#define EVENTS_SUBSCRIBER(fn, kinds) EVENTS_SUB_##fn,
#include "domain/events.def"
#undef EVENTS_SUBSCRIBER
    EVENTS_SUB_COUNT
};
#define EVENTS_SUB_BIT(fn) (1u << EVENTS_SUB_##fn)

/* Records ev (a case_events row at c->now_us by c->actor, for the kinds that
 * have an action) and calls the subscribers of events.def that hear its kind,
 * but not those c->events_quiet names, stopping at the first that fails;
 * returns that status. */
int events_emit(struct dctx *c, const struct event *ev) TD_MUST_CHECK;

/* events_emit() against the n subscribers subs instead of events.def (for
 * tests of the seam itself). */
int events_emit_to(struct dctx *c, const struct event *ev, const struct events_subscriber *subs, size_t n) TD_MUST_CHECK;

/* The case_events action of a kind; NULL when it writes no row or is out of
 * range. Static strings. */
const char *events_action(enum event_kind kind);

#endif
