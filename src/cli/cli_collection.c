/* cli_collection.c — `trustdesk collection arrive|preview|report`: a
 * collection's arrival in a store from the command line, for a buying
 * system's script or a newcomer looking at the demo. The same domain calls
 * as the API (POST …/arrive, GET …/preview, GET …/report) with the rules
 * of the environment (docs/clienteling.md); matching again writes nothing
 * twice. */
#include "cli/cli.h"
#include "core/clock.h"
#include "db/db.h"
#include "domain/clienteling.h"
#include "domain/clienteling_catalog.h"
#include "domain/staff.h"
#include "domain/store.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: trustdesk collection preview --collection CODE --store CODE [--db URL]\n"
    "       trustdesk collection arrive  --collection CODE --store CODE [--db URL]\n"
    "       trustdesk collection report  --collection CODE --store CODE [--db URL]\n"
    "\n"
    "preview: who would get a task, per associate, and why the others would not; writes nothing.\n"
    "arrive:  records the arrival now and writes the outreach tasks (the hold-out gets none);\n"
    "         matching an arrival again writes only customers not matched before.\n"
    "report:  what outreach did within 14 days, and the uplift against the hold-out.\n"
    "Rules: TRUSTDESK_CONTACT_CAP, TRUSTDESK_HOLDOUT_PERCENT, TRUSTDESK_TASKS_PER_ASSOCIATE.\n";

struct run {
    const char *what, *collection, *store;
    struct cl_arrival_summary sum;
    struct cl_report report;
    struct store st;
    char login[CL_STAFF_MAX + 1][LOGIN_SZ];  /* of sum.staff[i]; "" for the pool */
    bool written;
    char why[200];
};

static void print_summary(const struct run *r)
{
    bool written = r->written;
    const struct cl_arrival_summary *s = &r->sum;
    printf("%s %s in %s: %lld customers looked at, %lld fit, %lld tasks %s, %lld kept back (hold-out)\n",
           written ? "arrived:" : "preview:", r->collection, r->store, (long long)s->candidates, (long long)s->matched,
           (long long)s->tasks, written ? "written" : "to write", (long long)s->holdout);
    if (s->already) printf("  %lld matched before (no second task)\n", (long long)s->already);
    for (size_t i = 0; i < s->n_staff; i++) {
        printf("  %-24s %lld tasks\n", r->login[i][0] ? r->login[i] : "store pool", (long long)s->staff[i].tasks);
    }
    for (int k = 0; k < CL_SKIP_COUNT; k++)
        if (s->skipped[k]) printf("  not on the list, %s: %lld\n", cl_skip_name((enum cl_skip)k), (long long)s->skipped[k]);
}

static void print_report(const struct run *r)
{
    const struct cl_report *p = &r->report;
    if (!p->arrived_at) {
        printf("report: %s has not arrived in %s yet\n", r->collection, r->store);
        return;
    }
    printf("report: %s in %s, %d days after arrival\n", r->collection, r->store, CL_REPORT_DAYS);
    printf("  matched %lld, tasks %lld (done %lld, lapsed %lld), reached %lld, holds %lld (converted %lld)\n",
           (long long)p->matched, (long long)p->tasks, (long long)p->done, (long long)p->lapsed, (long long)p->reached,
           (long long)p->holds, (long long)p->holds_converted);
    printf("  bought: %lld of %lld with a task, %lld of %lld kept back\n", (long long)p->bought_treated,
           (long long)p->tasks, (long long)p->bought_holdout, (long long)p->holdout);
    const struct cl_uplift *u = &p->uplift;
    if (u->estimable)
        printf("  uplift %+.1f points (95 %% interval %+.1f to %+.1f)\n", 100 * u->uplift, 100 * u->low, 100 * u->high);
    else
        printf("  uplift: too few to tell\n");
}

static int run_tx(struct db *db, void *arg)
{
    struct run *r = arg;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "cli"};
    int rc = store_get_by_code(&c, r->store, &r->st);
    if (rc == TD_E_NOT_FOUND) snprintf(r->why, sizeof r->why, "no store has the code %s", r->store);
    int64_t cid = 0;
    if (rc == TD_OK && (rc = cl_collection_id(&c, r->collection, &cid)) == TD_E_NOT_FOUND)
        snprintf(r->why, sizeof r->why, "no collection has the code %s", r->collection);
    if (rc != TD_OK) return rc;
    bool write = r->written = strcmp(r->what, "arrive") == 0;
    if (strcmp(r->what, "report") == 0) {
        rc = clienteling_report(&c, cid, r->st.id, &r->report);
    } else {
        struct cl_rules rules;
        clienteling_rules_default(&rules);
        rc = clienteling_arrive(&c, &rules, cid, r->st.id, write, &r->sum);
    }
    if (rc == TD_E_NOT_FOUND)
        snprintf(r->why, sizeof r->why, "%s is not planned for %s (plan it: PUT /api/v1/collections/%s/stores/%s)",
                 r->collection, r->store, r->collection, r->store);
    for (size_t i = 0; rc == TD_OK && i < r->sum.n_staff; i++) {
        struct staff who;
        r->login[i][0] = '\0';
        if (r->sum.staff[i].staff_id && staff_get(&c, r->sum.staff[i].staff_id, &who) == TD_OK)
            snprintf(r->login[i], sizeof r->login[i], "%s", who.login);
    }
    return rc;
}

int cli_collection(int argc, char **argv)
{
    static const char *const opts[] = {"--db", "--collection", "--store", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 1, usage);
    if (u) return u == 1 ? 0 : u;
    struct run *r = calloc(1, sizeof *r);
    if (!r) return 1;
    r->what = cli_positional(argc, argv, opts, 0);
    r->collection = cli_opt(argc, argv, "--collection", NULL);
    r->store = cli_opt(argc, argv, "--store", NULL);
    int status = 2;
    char rule[160];
    if (strcmp(r->what, "arrive") && strcmp(r->what, "preview") && strcmp(r->what, "report"))
        fputs(usage, stderr);
    else if (!r->collection || !r->store)
        fprintf(stderr, "trustdesk: --collection and --store are required\n%s", usage);
    else if (clienteling_rules_from_env(rule, sizeof rule) != TD_OK)
        fprintf(stderr, "trustdesk: %s\n", rule);
    else
        status = -1;
    struct db *db = NULL;
    if (status == -1 && cli_open_db(cli_db_url(argc, argv), &db) != 0) status = 1;
    if (status == -1) {
        int rc = db_transact(db, run_tx, r);
        status = rc == TD_OK ? 0 : 1;
        if (rc == TD_OK && strcmp(r->what, "report") == 0) print_report(r);
        else if (rc == TD_OK) print_summary(r);
        if (rc != TD_OK) fprintf(stderr, "trustdesk: %s\n", r->why[0] ? r->why : td_status_message(rc));
    }
    db_close(db);
    free(r);
    return status;
}
