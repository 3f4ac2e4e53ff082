/* simulate.c — the what-if simulator's pure part (see simulate.h): one
 * stored decision replayed under a draft and tallied, and the result as
 * JSON. Nothing here reads a database or a clock; simulate_run.c gathers
 * the inputs around it.
 *
 * A decision "changes" when its resolution, its amount or its need of a
 * manager differs. Goodwill is counted where the desk grants it on its own
 * (no manager needed) apart from goodwill that waits for a manager, who may
 * give less: raising a tier's goodwill limit moves cents from the second
 * figure to the first.
 */
#include "domain/simulate.h"
#include "core/clock.h"
#include "core/errors.h"
#include "core/json_safe.h"
#include "domain/desk_inputs.h"
#include "domain/goodwill.h"
#include "domain/guard.h"
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void simulate_init(struct simulate_result *r, int64_t from_us, int64_t to_us, int64_t store_id)
{
    memset(r, 0, sizeof *r);
    r->from_us = from_us;
    r->to_us = to_us;
    r->store_id = store_id;
}

int64_t simulate_goodwill_cents(const struct case_in *ci, const struct decision *d)
{
    if (d->resolution != POLICY_RES_STORE_CREDIT) return 0;
    bool ours = ci->kind == POLICY_KIND_RETURN || ci->kind == POLICY_KIND_EXCHANGE || ci->kind == POLICY_KIND_REFERRAL;
    for (size_t i = 0; i < ci->n_items; i++) ours &= ci->items[i].sold_here;
    return ours ? 0 : d->max_amount_cents;
}

void simulate_model(struct simulate_result *r, const struct goodwill_estimate *e, int window_days)
{
    struct simulate_modelled *m = &r->modelled;
    memset(m, 0, sizeof *m);
    m->window_days = window_days;
    const struct simulate_tally *t = &r->all;
    m->goodwill_change_cents = t->goodwill_after_cents + t->goodwill_manager_after_cents - t->goodwill_before_cents -
                               t->goodwill_manager_before_cents;
    if (!e->estimable) {
        snprintf(m->reason, sizeof m->reason, "%s", e->reason ? e->reason : "not estimable");
        return;
    }
    m->estimable = true;
    m->per_euro = e->per_euro.estimate;
    m->low = e->per_euro.low;
    m->high = e->per_euro.high;
    double d = (double)m->goodwill_change_cents, a = d * m->low, b = d * m->high;
    m->retained_cents = llround(d * m->per_euro);
    m->retained_low_cents = llround(a < b ? a : b);     /* less goodwill turns the interval round */
    m->retained_high_cents = llround(a < b ? b : a);
}

/* What leaves the desk without a manager's word. */
static int64_t unattended_cents(const struct decision *d)
{
    return d->needs_approval ? 0 : d->max_amount_cents;
}

static struct simulate_tally *store_tally(struct simulate_result *r, int64_t store_id)
{
    for (size_t i = 0; i < r->n_stores; i++)
        if (r->stores[i].store_id == store_id) return &r->stores[i].t;
    if (r->n_stores == SIMULATE_STORES_MAX) store_id = 0;   /* one row for the rest */
    for (size_t i = 0; store_id == 0 && i < r->n_stores; i++)
        if (r->stores[i].store_id == 0) return &r->stores[i].t;
    struct simulate_store *s = &r->stores[r->n_stores++];
    s->store_id = store_id;
    return &s->t;
}

static void tally(struct simulate_tally *t, bool changed, const struct case_in *ci, const struct decision *before,
                  const struct decision *after)
{
    int64_t gb = simulate_goodwill_cents(ci, before), ga = simulate_goodwill_cents(ci, after);
    t->cases++;
    t->changed += changed;
    t->approvals_before += before->needs_approval;
    t->approvals_after += after->needs_approval;
    *(before->needs_approval ? &t->goodwill_manager_before_cents : &t->goodwill_before_cents) += gb;
    *(after->needs_approval ? &t->goodwill_manager_after_cents : &t->goodwill_after_cents) += ga;
}

int simulate_step(struct simulate_result *r, const struct policy *p, const struct desk_inputs *in, bool flagged_later)
{
    struct risk risk;
    struct decision d;
    if (guard_score(&p->guard, &in->signals, &risk) != TD_OK || policy_decide(p, &in->ci, &in->facts, &risk, &d) != TD_OK) {
        r->unreplayable++;
        return TD_E_INVALID;
    }
    const struct decision *was = &in->decision;
    bool changed = d.resolution != was->resolution || d.max_amount_cents != was->max_amount_cents ||
                   d.needs_approval != was->needs_approval;
    tally(&r->all, changed, &in->ci, was, &d);
    if (in->ci.kind > 0 && in->ci.kind < SIMULATE_KIND_COUNT) tally(&r->kinds[in->ci.kind], changed, &in->ci, was, &d);
    tally(store_tally(r, in->store_id), changed, &in->ci, was, &d);

    int64_t extra = unattended_cents(&d) - unattended_cents(was);
    if (flagged_later && extra > 0) {
        r->exposed_cases++;
        r->exposed_cents += extra;
    }
    if (!changed) return TD_OK;
    if (was->resolution > 0 && was->resolution < SIMULATE_RES_COUNT && d.resolution > 0 && d.resolution < SIMULATE_RES_COUNT)
        r->transitions[was->resolution][d.resolution]++;
    if (r->n_changes < SIMULATE_CHANGES_MAX)
        r->changes[r->n_changes++] = (struct simulate_change){
            .case_id = in->case_id, .store_id = in->store_id, .decided_at = in->decided_at, .kind = in->ci.kind,
            .from = was->resolution, .to = d.resolution, .from_cents = was->max_amount_cents,
            .to_cents = d.max_amount_cents, .from_approval = was->needs_approval, .to_approval = d.needs_approval,
            .flagged_later = flagged_later};
    return TD_OK;
}

/* ---- the period ---------------------------------------------------------- */

#define DAY_US (86400LL * 1000000)

/* A date "YYYY-MM-DD" (nothing else) to its Amsterdam midnight; with next,
 * the midnight after it. */
static int day_start(const char *s, bool next, int64_t *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return TD_E_INVALID;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9')) return TD_E_INVALID;
    int64_t at = 0;
    if (clock_parse(s, &at) != TD_OK) return TD_E_INVALID;
    char back[32];
    clock_format_rfc3339(at + (int64_t)clock_amsterdam_offset(at / 1000000) * 1000000, back, sizeof back);
    if (strncmp(back, s, 10) != 0) return TD_E_INVALID;        /* "2026-02-30" rolled over */
    if (next) {
        /* Noon of the next day names it whatever the clocks do that night. */
        clock_format_rfc3339(at + DAY_US + DAY_US / 2, back, sizeof back);
        back[10] = '\0';
        if (clock_parse(back, &at) != TD_OK) return TD_E_INVALID;
    }
    *out = at;
    return TD_OK;
}

int simulate_period(const char *from, const char *to, int64_t now_us, const char *from_field, const char *to_field,
                    struct errors *err, int64_t *from_us, int64_t *to_us)
{
    int64_t f = 0, t = now_us;
    int bad = 0;
    if (to && day_start(to, true, &t) != TD_OK) {
        errors_add(err, to_field, "must be a date YYYY-MM-DD");
        bad = 1;
    }
    if (from && day_start(from, false, &f) != TD_OK) {
        errors_add(err, from_field, "must be a date YYYY-MM-DD");
        bad = 1;
    }
    if (bad) return TD_E_INVALID;
    if (!from) f = t - SIMULATE_DEFAULT_DAYS * DAY_US;
    if (f >= t) {
        errors_add(err, to_field, "must not be before %s", from_field);
        return TD_E_INVALID;
    }
    *from_us = f;
    *to_us = t;
    return TD_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

static json_t *tally_json(const struct simulate_tally *t)
{
    return json_pack("{s:I,s:I,s:{s:I,s:I},s:{s:I,s:I},s:{s:I,s:I}}", "cases", (json_int_t)t->cases, "changed",
                     (json_int_t)t->changed, "approvals", "before", (json_int_t)t->approvals_before, "after",
                     (json_int_t)t->approvals_after, "goodwill_cents", "before", (json_int_t)t->goodwill_before_cents,
                     "after", (json_int_t)t->goodwill_after_cents, "goodwill_to_manager_cents", "before",
                     (json_int_t)t->goodwill_manager_before_cents, "after", (json_int_t)t->goodwill_manager_after_cents);
}

static json_t *time_json(int64_t us)
{
    char s[32];
    clock_format_rfc3339(us, s, sizeof s);
    return json_string(s);
}

static json_t *exact_json(const struct simulate_result *r)
{
    json_t *stores = json_array(), *kinds = json_array(), *moves = json_array(), *changes = json_array();
    for (size_t i = 0; i < r->n_stores; i++) {
        json_t *o = tally_json(&r->stores[i].t);
        json_object_set_new(o, "store_code", r->stores[i].store_id ? json_string(r->stores[i].code) : json_null());
        json_array_append_new(stores, o);
    }
    for (int k = 1; k < SIMULATE_KIND_COUNT; k++) {
        if (!r->kinds[k].cases) continue;
        json_t *o = tally_json(&r->kinds[k]);
        json_object_set_new(o, "kind", json_string(policy_kind_name((enum policy_kind)k)));
        json_array_append_new(kinds, o);
    }
    for (int f = 1; f < SIMULATE_RES_COUNT; f++)
        for (int t = 1; t < SIMULATE_RES_COUNT; t++)
            if (r->transitions[f][t])
                json_array_append_new(moves, json_pack("{s:s,s:s,s:I}", "from",
                                                       policy_resolution_name((enum policy_resolution)f), "to",
                                                       policy_resolution_name((enum policy_resolution)t), "cases",
                                                       (json_int_t)r->transitions[f][t]));
    for (size_t i = 0; i < r->n_changes; i++) {
        const struct simulate_change *c = &r->changes[i];
        json_array_append_new(
            changes, json_pack("{s:I,s:s,s:s,s:o,s:{s:s,s:I,s:b},s:{s:s,s:I,s:b},s:b}", "case_id", (json_int_t)c->case_id,
                               "store_code", c->store_code, "kind", policy_kind_name(c->kind), "decided_at",
                               time_json(c->decided_at), "before", "resolution", policy_resolution_name(c->from),
                               "amount_cents", (json_int_t)c->from_cents, "needs_approval", c->from_approval, "after",
                               "resolution", policy_resolution_name(c->to), "amount_cents", (json_int_t)c->to_cents,
                               "needs_approval", c->to_approval, "flagged_later", c->flagged_later));
    }
    json_t *o = tally_json(&r->all);
    if (json_object_update_new(o, json_pack("{s:s,s:o,s:o,s:o,s:o,s:I,s:I}", "layer", "exact", "transitions", moves,
                                            "changes", changes, "stores", stores, "kinds", kinds, "changes_listed",
                                            (json_int_t)r->n_changes, "unreplayable", (json_int_t)r->unreplayable)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *modelled_json(const struct simulate_modelled *m)
{
    if (!m->estimable)
        return json_pack("{s:s,s:b,s:o,s:o,s:o,s:I,s:s}", "layer", "modelled", "estimable", 0, "revenue_retained_cents",
                         json_null(), "revenue_retained_interval_cents", json_null(), "per_euro", json_null(),
                         "goodwill_change_cents", (json_int_t)m->goodwill_change_cents, "reason",
                         m->reason[0] ? m->reason : SIMULATE_MODELLED_REASON);
    return json_pack("{s:s,s:b,s:I,s:{s:I,s:I},s:{s:f,s:f,s:f},s:I,s:i,s:s}", "layer", "modelled", "estimable", 1,
                     "revenue_retained_cents", (json_int_t)m->retained_cents, "revenue_retained_interval_cents", "low",
                     (json_int_t)m->retained_low_cents, "high", (json_int_t)m->retained_high_cents, "per_euro", "estimate",
                     round(m->per_euro * 100) / 100, "low", round(m->low * 100) / 100, "high", round(m->high * 100) / 100,
                     "goodwill_change_cents", (json_int_t)m->goodwill_change_cents, "window_days", m->window_days, "reason",
                     "the change in goodwill times revenue retained per euro of goodwill in the days after a case "
                     "(the goodwill economics of the same period, 95 % bootstrap interval); people may not do what "
                     "they did before");
}

char *simulate_json(const struct simulate_result *r)
{
    json_t *doc = json_pack(
        "{s:o,s:o,s:o,s:o,s:o,s:{s:s,s:I,s:I,s:I,s:s},s:o}", "from", time_json(r->from_us), "to",
        time_json(r->to_us), "loader_settings_changed", r->loader_settings[0] ? json_string(r->loader_settings) : json_null(),
        "cases", json_integer(r->all.cases), "exact", exact_json(r), "bounded", "layer", "bounded", "exposed_cases",
        (json_int_t)r->exposed_cases, "exposed_cents", (json_int_t)r->exposed_cents, "flagged_customers",
        (json_int_t)r->flagged_customers, "meaning",
        "cents the draft lets go without a manager beyond what the policy of the time did, for customers the guard "
        "rated amber or red in a later decision: an upper bound of what abuse could take, not a loss",
        "modelled", modelled_json(&r->modelled));
    char *text = doc ? json_safe_text(doc, JSON_COMPACT) : NULL;
    json_decref(doc);
    return text;
}
