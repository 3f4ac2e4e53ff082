/* events.c — events_emit(): the case_events row, then the subscribers of
 * events.def (see events.h for the invariants). The subscribers' prototypes
 * come from the table itself, so this file includes none of their modules.
 */
#include "domain/events.h"
#include "db/db.h"
#include "domain/domain.h"

#define EVENTS_SUBSCRIBER(fn, kinds) int fn(struct dctx *c, const struct event *ev);
#include "domain/events.def"
#undef EVENTS_SUBSCRIBER

static const struct events_subscriber SUBSCRIBERS[] = {
#define EVENTS_SUBSCRIBER(fn, kinds) {#fn, fn, (kinds)},
#include "domain/events.def"
#undef EVENTS_SUBSCRIBER
};

_Static_assert(EVENTS_SUB_COUNT <= 32, "struct dctx's events_quiet has a bit per subscriber");

static const char *const ACTIONS[EVENT_KIND_COUNT] = {
#define EVENTS_ACTION(name, action) action,
    EVENTS_KINDS(EVENTS_ACTION)
#undef EVENTS_ACTION
};

const char *events_action(enum event_kind kind)
{
    return (unsigned)kind < EVENT_KIND_COUNT ? ACTIONS[kind] : NULL;
}

int events_emit_to(struct dctx *c, const struct event *ev, const struct events_subscriber *subs, size_t n)
{
    if ((unsigned)ev->kind >= EVENT_KIND_COUNT) return TD_E_INTERNAL;
    const char *action = ACTIONS[ev->kind];
    int rc = TD_OK;
    if (action && ev->case_id)
        rc = db_run(c->db, "INSERT INTO case_events (case_id, at, staff_id, action, detail) VALUES (?, ?, ?, ?, ?)",
                    NULL, "iintt", ev->case_id, c->now_us, c->actor.staff_id, action, ev->detail);
    for (size_t i = 0; i < n && rc == TD_OK; i++)
        if ((subs[i].kinds & EVENTS_BIT(ev->kind)) && !(c->events_quiet & (1u << i))) rc = subs[i].fn(c, ev);
    return rc;
}

int events_emit(struct dctx *c, const struct event *ev)
{
    return events_emit_to(c, ev, SUBSCRIBERS, sizeof SUBSCRIBERS / sizeof SUBSCRIBERS[0]);
}
