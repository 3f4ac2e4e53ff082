/* cli_evaluate.c — `trustdesk evaluate`: how well the guard did on a demo
 * database with planted abusers (domain/evaluate.c), in plain words or as
 * JSON. Exit status: 0 both goals met, 1 a goal missed, 2 usage or error
 * (including a database without planted abusers).
 */
#include "cli/cli.h"
#include "db/db.h"
#include "domain/evaluate.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: trustdesk evaluate [--db URL] [--json]\n"
    "\n"
    "Measures the quiet guard on a demo database made by `trustdesk demo`,\n"
    "whose case history has planted, labelled abusers among honest customers.\n"
    "Reads the recommendations the desk stored when each case was resolved and\n"
    "prints:\n"
    "  - the share of honest customers' returns that went through without\n"
    "    friction (no manager needed, guard green); goal >= 98 %;\n"
    "  - the share of abusers flagged amber or red at or before their third\n"
    "    return, per kind of abuser, and the reasons that flagged them;\n"
    "    goal >= 85 %.\n"
    "Exit status 0 when both goals are met, 1 when not, 2 on error.\n";

static double pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static void print_text(const char *url, const struct evaluate_result *r)
{
    printf("The guard on %s, from the recommendations stored with each case.\n\n", cli_db_label(url));
    printf("Honest customers: %lld customers brought %lld returns.\n", (long long)r->honest_customers,
           (long long)r->honest_returns);
    printf("  %lld of %lld returns (%.1f %%) went through without friction: no manager needed, guard green.\n",
           (long long)r->honest_smooth, (long long)r->honest_returns, pct(r->honest_smooth, r->honest_returns));
    printf("  %lld needed a manager under the policy's own limits (no receipt above the limit, worn soon after\n"
           "  purchase, goods not sold here above the tier's goodwill, a large total); the guard was green.\n",
           (long long)r->honest_policy_approval);
    printf("  %lld were flagged amber or red by the guard.\n", (long long)r->honest_guard);
    printf("  Goal: at least %d %% without friction -> %s.\n\n", EVALUATE_HONEST_GOAL_PERMILLE / 10,
           r->honest_goal_met ? "met" : "NOT met");

    printf("Abusers: %lld labelled, %lld came to the desk with %lld returns.\n", (long long)r->labels,
           (long long)r->abusers, (long long)r->abuser_returns);
    printf("  %lld of %lld (%.1f %%) were flagged amber or red at or before their %s return.\n",
           (long long)r->abusers_flagged, (long long)r->abusers, pct(r->abusers_flagged, r->abusers),
           EVALUATE_FLAG_BY == 3 ? "third" : "n-th");
    for (size_t i = 0; i < r->n_kinds; i++) {
        const struct evaluate_kind *k = &r->kinds[i];
        printf("    %-20s %5lld of %5lld (%5.1f %%)\n", k->label, (long long)k->flagged, (long long)k->abusers,
               pct(k->flagged, k->abusers));
    }
    if (r->n_reasons) {
        printf("  What the guard said when it first flagged them (abusers, most common first):\n");
        for (size_t i = 0; i < r->n_reasons && i < 8; i++)
            printf("    %5lld  %s\n", (long long)r->reasons[i].abusers, r->reasons[i].text);
    }
    printf("  Goal: at least %d %% flagged in time -> %s.\n\n", EVALUATE_ABUSER_GOAL_PERMILLE / 10,
           r->abuser_goal_met ? "met" : "NOT met");
    if (r->undecided) printf("(%lld returns had no recommendation stored yet and were left out.)\n\n", (long long)r->undecided);
    printf("%s\n", r->honest_goal_met && r->abuser_goal_met ? "Both goals met." : "A goal is not met.");
}

static int print_json(const struct evaluate_result *r)
{
    json_t *kinds = json_array(), *reasons = json_array();
    for (size_t i = 0; i < r->n_kinds; i++) {
        const struct evaluate_kind *k = &r->kinds[i];
        json_array_append_new(kinds, json_pack("{s:s,s:I,s:I,s:I,s:I,s:f}", "label", k->label, "labelled",
                                               (json_int_t)k->labelled, "abusers", (json_int_t)k->abusers, "flagged",
                                               (json_int_t)k->flagged, "returns", (json_int_t)k->returns, "share",
                                               pct(k->flagged, k->abusers) / 100));
    }
    for (size_t i = 0; i < r->n_reasons; i++)
        json_array_append_new(reasons, json_pack("{s:s,s:I}", "reason", r->reasons[i].text, "abusers",
                                                 (json_int_t)r->reasons[i].abusers));
    json_t *doc = json_pack(
        "{s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:b},s:{s:I,s:I,s:I,s:I,s:i,s:f,s:f,s:b,s:o,s:o},s:I,s:b}",
        "honest", "customers", (json_int_t)r->honest_customers, "returns", (json_int_t)r->honest_returns,
        "without_friction", (json_int_t)r->honest_smooth, "policy_approval", (json_int_t)r->honest_policy_approval,
        "guard_flagged", (json_int_t)r->honest_guard, "share", pct(r->honest_smooth, r->honest_returns) / 100, "goal",
        EVALUATE_HONEST_GOAL_PERMILLE / 1000.0, "goal_met", r->honest_goal_met,
        "abusers", "labelled", (json_int_t)r->labels, "at_desk", (json_int_t)r->abusers, "returns",
        (json_int_t)r->abuser_returns, "flagged", (json_int_t)r->abusers_flagged, "flagged_by_return", EVALUATE_FLAG_BY,
        "share", pct(r->abusers_flagged, r->abusers) / 100, "goal", EVALUATE_ABUSER_GOAL_PERMILLE / 1000.0, "goal_met",
        r->abuser_goal_met, "kinds", kinds, "reasons", reasons,
        "undecided_returns", (json_int_t)r->undecided, "goals_met", r->honest_goal_met && r->abuser_goal_met);
    char *text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(4)) : NULL;
    json_decref(doc);
    if (!text) return -1;
    puts(text);
    free(text);
    return 0;
}

int cli_evaluate(int argc, char **argv)
{
    static const char *const opts[] = {"--db", NULL};
    static const char *const flags[] = {"--json", NULL};
    int u = cli_check_args(argc, argv, opts, flags, 0, usage);
    if (u) return u == 1 ? 0 : u;
    const char *url = cli_db_url(argc, argv);
    /* Only reads: a mistyped SQLite path must not become a new, empty database. */
    if (strncmp(url, "sqlite:", 7) == 0 && access(url + 7, F_OK) != 0) {
        fprintf(stderr, "trustdesk: %s does not exist; evaluate needs a demo database (trustdesk demo)\n", url);
        return 2;
    }
    struct db *db = NULL;
    if (cli_open_db(url, &db) != 0) return 2;
    struct evaluate_result *r = malloc(sizeof *r);
    int rc = r ? evaluate_run(db, r) : TD_E_NOMEM;
    db_close(db);
    int status = 2;
    int json = cli_flag(argc, argv, "--json");
    if (rc == TD_E_NOT_FOUND) {
        fprintf(stderr,
                "trustdesk: %s has no planted abusers (demo_labels is empty).\n"
                "trustdesk: evaluate needs a demo database with planted abusers, e.g.\n"
                "trustdesk:   trustdesk demo --db sqlite:/tmp/demo.db --customers 20000\n",
                cli_db_label(url));
    } else if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: evaluate failed: %s\n", td_status_message(rc));
    } else if (json && print_json(r) != 0) {
        fputs("trustdesk: out of memory\n", stderr);
    } else {
        if (!json) print_text(url, r);
        status = r->honest_goal_met && r->abuser_goal_met ? 0 : 1;
    }
    free(r);
    return status;
}
