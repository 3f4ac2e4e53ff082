/* cli_evaluate.c — `trustdesk evaluate`: how well the guard did on a demo
 * database with planted abusers (sim/evaluate.c), in plain words or as
 * JSON. Exit status: 0 both goals met, 1 a goal missed, 2 usage or error
 * (including a database without planted abusers).
 */
#include "cli/cli.h"
#include "core/json_safe.h"
#include "db/db.h"
#include "sim/evaluate.h"
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: trustdesk evaluate [--db URL] [--json]\n"
    "\n"
    "Measures the quiet guard on a demo database made by `trustdesk demo`, whose\n"
    "case history describes labelled kinds of people: honest ones (ordinary\n"
    "customers, gift givers and receivers, card-reliant customers, busy families,\n"
    "big-ticket returns, walk-ins) and abusers. Reads the recommendations the\n"
    "desk stored when each case was resolved and prints, per kind:\n"
    "  - honest returns that went through without friction (no manager needed,\n"
    "    guard green); goal >= 98 % overall and >= 95 % in every honest kind;\n"
    "  - abusers flagged amber or red by their third and by their fifth return,\n"
    "    and the euros the desk gave them before the flag; goal >= 85 % by the\n"
    "    third, overall.\n"
    "Exit status 0 when the goals are met, 1 when not, 2 on error.\n";

static double pct(int64_t part, int64_t whole)
{
    return whole > 0 ? 100.0 * (double)part / (double)whole : 0.0;
}

static const char *euros(int64_t cents, char *buf, size_t n)
{
    snprintf(buf, n, "%lld", (long long)(cents / 100));
    return buf;
}

static void print_text(const char *url, const struct evaluate_result *r)
{
    char e1[32], e2[32];
    printf("The guard on %s, from the recommendations stored with each case.\n\n", cli_db_label(url));
    printf("Honest people: %lld brought %lld returns.\n", (long long)r->honest_customers, (long long)r->honest_returns);
    printf("  %lld of %lld returns (%.1f %%) went through without friction: no manager needed, guard green.\n",
           (long long)r->honest_smooth, (long long)r->honest_returns, pct(r->honest_smooth, r->honest_returns));
    printf("  %lld needed a manager under the policy's own limits (no receipt above the limit, a walk-in without a\n"
           "  contact, worn soon after purchase, goods not sold here above the tier's goodwill, a large total);\n"
           "  the guard was green. %lld were flagged amber or red by the guard.\n",
           (long long)r->honest_policy_approval, (long long)r->honest_guard);
    printf("    %-20s %6s %8s %8s %7s %6s %6s\n", "kind", "people", "returns", "smooth", "share", "policy", "guard");
    for (size_t i = 0; i < r->n_kinds; i++) {
        const struct evaluate_kind *k = &r->kinds[i];
        if (!k->honest) continue;
        printf("    %-20s %6lld %8lld %8lld %6.1f%% %6lld %6lld%s\n", k->label, (long long)k->people, (long long)k->returns,
               (long long)k->smooth, pct(k->smooth, k->returns), (long long)k->policy_approval, (long long)k->guard_flagged,
               k->returns < EVALUATE_KIND_MIN_RETURNS ? "  (too few to judge)" : "");
    }
    printf("  Goal: at least %d %% without friction overall -> %s; at least %d %% in every honest kind -> %s.\n\n",
           EVALUATE_HONEST_GOAL_PERMILLE / 10, r->honest_goal_met ? "met" : "NOT met", EVALUATE_KIND_GOAL_PERMILLE / 10,
           r->kinds_goal_met ? "met" : "NOT met");

    printf("Abusers: %lld labelled, %lld came to the desk with %lld returns.\n", (long long)r->labels,
           (long long)r->abusers, (long long)r->abuser_returns);
    printf("  %lld of %lld (%.1f %%) were flagged amber or red by their third return, %lld (%.1f %%) by their fifth;\n"
           "  EUR %s was given to them before they were flagged (EUR %s in all).\n",
           (long long)r->abusers_flagged, (long long)r->abusers, pct(r->abusers_flagged, r->abusers),
           (long long)r->abusers_flagged_late, pct(r->abusers_flagged_late, r->abusers),
           euros(r->cents_before_flag, e1, sizeof e1), euros(r->cents_total, e2, sizeof e2));
    printf("    %-20s %6s %8s %9s %9s %12s %10s\n", "kind", "people", "returns", "by 3rd", "by 5th", "EUR before", "EUR all");
    for (size_t i = 0; i < r->n_kinds; i++) {
        const struct evaluate_kind *k = &r->kinds[i];
        if (k->honest) continue;
        printf("    %-20s %6lld %8lld %8.1f%% %8.1f%% %12s %10s\n", k->label, (long long)k->people, (long long)k->returns,
               pct(k->flagged, k->people), pct(k->flagged_late, k->people), euros(k->cents_before_flag, e1, sizeof e1),
               euros(k->cents_total, e2, sizeof e2));
    }
    if (r->n_reasons) {
        printf("  What the guard said when it first flagged them (abusers, most common first):\n");
        for (size_t i = 0; i < r->n_reasons && i < 10; i++)
            printf("    %5lld  %s\n", (long long)r->reasons[i].abusers, r->reasons[i].text);
    }
    printf("  Goal: at least %d %% flagged by their third return -> %s.\n\n", EVALUATE_ABUSER_GOAL_PERMILLE / 10,
           r->abuser_goal_met ? "met" : "NOT met");
    if (r->undecided) printf("(%lld returns had no recommendation stored yet and were left out.)\n\n", (long long)r->undecided);
    printf("%s\n", r->honest_goal_met && r->kinds_goal_met && r->abuser_goal_met ? "All goals met." : "A goal is not met.");
}

static int print_json(const struct evaluate_result *r)
{
    json_t *kinds = json_array(), *reasons = json_array();
    for (size_t i = 0; i < r->n_kinds; i++) {
        const struct evaluate_kind *k = &r->kinds[i];
        json_t *o = json_pack("{s:s,s:b,s:I,s:I,s:I}", "label", k->label, "honest", k->honest, "labelled",
                              (json_int_t)k->labelled, "people", (json_int_t)k->people, "returns", (json_int_t)k->returns);
        if (k->honest)
            json_object_update_new(o, json_pack("{s:I,s:I,s:I,s:f}", "without_friction", (json_int_t)k->smooth,
                                                "policy_approval", (json_int_t)k->policy_approval, "guard_flagged",
                                                (json_int_t)k->guard_flagged, "share", pct(k->smooth, k->returns) / 100));
        else
            json_object_update_new(o, json_pack("{s:I,s:I,s:f,s:f,s:I,s:I}", "flagged_by_3rd", (json_int_t)k->flagged,
                                                "flagged_by_5th", (json_int_t)k->flagged_late, "share_by_3rd",
                                                pct(k->flagged, k->people) / 100, "share_by_5th",
                                                pct(k->flagged_late, k->people) / 100, "cents_before_flag",
                                                (json_int_t)k->cents_before_flag, "cents_total", (json_int_t)k->cents_total));
        json_array_append_new(kinds, o);
    }
    for (size_t i = 0; i < r->n_reasons; i++)
        json_array_append_new(reasons, json_pack("{s:s,s:s,s:I}", "code", r->reasons[i].code, "reason", r->reasons[i].text, "abusers",
                                                 (json_int_t)r->reasons[i].abusers));
    json_t *doc = json_pack(
        "{s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:b,s:f,s:b},s:{s:I,s:I,s:I,s:I,s:I,s:f,s:f,s:I,s:I,s:f,s:b},s:o,s:o,s:I,s:b}",
        "honest", "people", (json_int_t)r->honest_customers, "returns", (json_int_t)r->honest_returns,
        "without_friction", (json_int_t)r->honest_smooth, "policy_approval", (json_int_t)r->honest_policy_approval,
        "guard_flagged", (json_int_t)r->honest_guard, "share", pct(r->honest_smooth, r->honest_returns) / 100, "goal",
        EVALUATE_HONEST_GOAL_PERMILLE / 1000.0, "goal_met", r->honest_goal_met, "kind_goal",
        EVALUATE_KIND_GOAL_PERMILLE / 1000.0, "kinds_goal_met", r->kinds_goal_met,
        "abusers", "labelled", (json_int_t)r->labels, "at_desk", (json_int_t)r->abusers, "returns",
        (json_int_t)r->abuser_returns, "flagged_by_3rd", (json_int_t)r->abusers_flagged, "flagged_by_5th",
        (json_int_t)r->abusers_flagged_late, "share_by_3rd", pct(r->abusers_flagged, r->abusers) / 100, "share_by_5th",
        pct(r->abusers_flagged_late, r->abusers) / 100, "cents_before_flag", (json_int_t)r->cents_before_flag,
        "cents_total", (json_int_t)r->cents_total, "goal", EVALUATE_ABUSER_GOAL_PERMILLE / 1000.0, "goal_met",
        r->abuser_goal_met, "kinds", kinds, "reasons", reasons, "undecided_returns", (json_int_t)r->undecided,
        "goals_met", r->honest_goal_met && r->kinds_goal_met && r->abuser_goal_met);
    char *text = doc ? json_safe_text(doc, JSON_INDENT(2) | JSON_REAL_PRECISION(4)) : NULL;
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
        status = r->honest_goal_met && r->kinds_goal_met && r->abuser_goal_met ? 0 : 1;
    }
    free(r);
    return status;
}
