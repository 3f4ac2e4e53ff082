/* cli_simulate.c — `trustdesk simulate`: what a policy document would have
 * recommended for the cases decided in a period, beside what the policy of
 * the time recommended (domain/simulate.h), as text or JSON; --csv FILE
 * also writes the changed cases as CSV for Dutch Excel (api/export.h: the
 * columns of the API's ?format=csv).
 *
 * The database is opened without migrating and read in one read
 * transaction that is rolled back: a simulation writes nothing. Exit status
 * 0 (also for a period without cases), 2 for usage, a policy that does not
 * validate, bad dates, an unknown store or a database not migrated to
 * SIMULATE_SCHEMA, 1 when the database fails.
 */
#include "api/export.h"
#include "cli/cli.h"
#include "core/buf.h"
#include "core/clock.h"
#include "core/errors.h"
#include "db/db.h"
#include "domain/simulate.h"
#include "domain/store.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: trustdesk simulate --policy FILE [--db URL] [--from YYYY-MM-DD --to YYYY-MM-DD]\n"
    "                          [--store CODE] [--no-modelled] [--json] [--csv FILE]\n"
    "\n"
    "Replays every case the desk decided in the period (default: the last 90 days;\n"
    "the latest decision of each case) under the chain policy document in FILE, on\n"
    "the inputs stored with each decision (never today's facts), and sets the\n"
    "result beside what the policy of the time recommended, in three layers:\n"
    "  exact     cases, decisions that change, approvals asked, goodwill granted\n"
    "            at the desk and goodwill waiting for a manager, per store and kind;\n"
    "  bounded   cents newly let go without a manager for customers the guard\n"
    "            flagged amber or red later: an upper bound, not a loss;\n"
    "  modelled  revenue retained: the change in goodwill times the revenue\n"
    "            retained per euro of goodwill within 90 days (the goodwill\n"
    "            economics of the period, 95 % interval), or not estimable;\n"
    "            --no-modelled leaves it out (most of the time of a replay).\n"
    "--csv FILE also writes the changed cases to FILE as CSV for Dutch Excel\n"
    "(';', decimal comma, UTF-8 byte order mark), the columns of the API's export.\n"
    "Dates are Amsterdam days, both included. Writes nothing to the database.\n"
    "Exit status 0; 2 for a bad option, a policy that does not validate, bad\n"
    "dates, an unknown store or a database that needs `trustdesk migrate`; 1\n"
    "when the database cannot be read.\n";

/* The file into a malloc'd, NUL-ended buffer; NULL (and a message) when it
 * cannot be read or is longer than a policy document may be. */
static char *read_policy(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "trustdesk: --policy %s: %s\n", path, strerror(errno));
        return NULL;
    }
    char *text = malloc(POLICY_DOC_MAX + 2);
    size_t n = text ? fread(text, 1, POLICY_DOC_MAX + 1, f) : 0;
    int err = ferror(f);
    fclose(f);
    if (!text || err || n > POLICY_DOC_MAX) {
        fprintf(stderr, "trustdesk: --policy %s: %s\n", path,
                !text ? "out of memory" : err ? "cannot be read" : "is longer than a policy document may be (64 KiB)");
        free(text);
        return NULL;
    }
    text[n] = '\0';
    *len = n;
    return text;
}

static void print_problems(const char *what, const struct errors *err)
{
    fprintf(stderr, "trustdesk: %s\n", err->message[0] ? err->message : what);
    for (size_t i = 0; i < err->n; i++)
        fprintf(stderr, "  %s: %s\n", err->item[i].field[0] ? err->item[i].field : "(document)", err->item[i].problem);
}

static const char *eur(int64_t cents, char *buf, size_t n)
{
    snprintf(buf, n, "EUR %s%lld.%02lld", cents < 0 ? "-" : "", (long long)(llabs(cents) / 100),
             (long long)(llabs(cents) % 100));
    return buf;
}

static void print_tally_row(const char *label, const struct simulate_tally *t)
{
    char a[32], b[32];
    printf("    %-16s %7lld %8lld %6lld -> %-6lld %14s -> %s\n", label, (long long)t->cases, (long long)t->changed,
           (long long)t->approvals_before, (long long)t->approvals_after, eur(t->goodwill_before_cents, a, sizeof a),
           eur(t->goodwill_after_cents, b, sizeof b));
}

static void day(int64_t us, char out[32])
{
    clock_format_rfc3339(us + (int64_t)clock_amsterdam_offset(us / 1000000) * 1000000, out, 32);
    out[10] = '\0';
}

static void print_text(const struct simulate_result *r, const char *policy_path)
{
    char a[32], b[32], from[32], to[32];
    day(r->from_us, from);
    day(r->to_us - 1, to);
    printf("What %s would have recommended for the cases decided %s .. %s, beside what the policy of the time did.\n\n",
           policy_path, from, to);
    const struct simulate_tally *t = &r->all;
    if (t->cases == 0 && r->unreplayable == 0) {
        printf("No case was decided in this period: nothing to replay (all counts are zero).\n");
        return;
    }
    printf("EXACT (replayed on the inputs stored with each decision)\n");
    printf("  cases replayed:            %lld\n", (long long)t->cases);
    printf("  decisions that change:     %lld (resolution, amount or approval)\n", (long long)t->changed);
    printf("  approvals asked:           %lld -> %lld\n", (long long)t->approvals_before, (long long)t->approvals_after);
    printf("  goodwill at the desk:      %s -> %s (granted without a manager)\n", eur(t->goodwill_before_cents, a, sizeof a),
           eur(t->goodwill_after_cents, b, sizeof b));
    printf("  goodwill for a manager:    %s -> %s (waits for a manager, who may give less)\n",
           eur(t->goodwill_manager_before_cents, a, sizeof a), eur(t->goodwill_manager_after_cents, b, sizeof b));
    if (r->unreplayable) printf("  not replayable:            %lld stored decisions\n", (long long)r->unreplayable);
    if (r->loader_settings[0])
        printf("  not applied:               %s (read when the inputs were gathered; the stored inputs keep the old)\n",
               r->loader_settings);
    int any = 0;
    for (int f = 1; f < SIMULATE_RES_COUNT; f++)
        for (int k = 1; k < SIMULATE_RES_COUNT; k++)
            if (r->transitions[f][k]) {
                if (!any++) printf("  changes by resolution:\n");
                printf("    %-20s -> %-20s %lld\n", policy_resolution_name((enum policy_resolution)f),
                       policy_resolution_name((enum policy_resolution)k), (long long)r->transitions[f][k]);
            }
    printf("  %-18s %7s %8s %16s %30s\n", "per store", "cases", "changed", "approvals", "goodwill at the desk");
    for (size_t i = 0; i < r->n_stores; i++)
        print_tally_row(r->stores[i].store_id ? r->stores[i].code : "(other stores)", &r->stores[i].t);
    printf("  per kind\n");
    for (int k = 1; k < SIMULATE_KIND_COUNT; k++)
        if (r->kinds[k].cases) print_tally_row(policy_kind_name((enum policy_kind)k), &r->kinds[k]);
    if (r->n_changes) {
        printf("  changed cases%s:\n", r->n_changes < (size_t)t->changed ? " (the first ones)" : "");
        printf("    %8s %-8s %-16s %-34s %s\n", "case", "store", "kind", "before", "after");
        for (size_t i = 0; i < r->n_changes; i++) {
            const struct simulate_change *c = &r->changes[i];
            char was[64], now[64];
            snprintf(was, sizeof was, "%s %s%s", policy_resolution_name(c->from), eur(c->from_cents, a, sizeof a),
                     c->from_approval ? " (manager)" : "");
            snprintf(now, sizeof now, "%s %s%s", policy_resolution_name(c->to), eur(c->to_cents, b, sizeof b),
                     c->to_approval ? " (manager)" : "");
            printf("    %8lld %-8s %-16s %-34s %s\n", (long long)c->case_id, c->store_code, policy_kind_name(c->kind), was, now);
        }
    }
    printf("\nBOUNDED (an upper bound, not a loss)\n");
    printf("  newly exposed:             %s in %lld cases, to %lld customers the guard rated amber or red later\n",
           eur(r->exposed_cents, a, sizeof a), (long long)r->exposed_cases, (long long)r->flagged_customers);
    const struct simulate_modelled *m = &r->modelled;
    if (!m->estimable) {
        printf("\nMODELLED\n  revenue retained:          not estimable: %s.\n", m->reason[0] ? m->reason : SIMULATE_MODELLED_REASON);
        return;
    }
    char c[32];
    printf("\nMODELLED (people may not do what they did before)\n");
    printf("  goodwill, draft - then:    %s\n", eur(m->goodwill_change_cents, a, sizeof a));
    printf("  per euro of goodwill:      %.2f (95 %%: %.2f .. %.2f) within %d days\n", m->per_euro, m->low, m->high,
           m->window_days);
    printf("  revenue retained:          %s (95 %%: %s .. %s)\n", eur(m->retained_cents, a, sizeof a),
           eur(m->retained_low_cents, b, sizeof b), eur(m->retained_high_cents, c, sizeof c));
}

/* The changed cases of r as CSV into path (the API's columns, Dutch
 * headers); says why on stderr and returns 1 when it cannot. */
static int write_csv(const struct simulate_result *r, const char *path)
{
    char *text = simulate_json(r);
    json_t *doc = text ? json_loads(text, 0, NULL) : NULL;
    free(text);
    struct buf b;
    buf_init(&b, (size_t)256 << 20);
    int rc = doc ? export_csv(&api_simulate_changes, json_object_get(json_object_get(doc, "exact"), "changes"), 0, &b)
                 : TD_E_NOMEM;
    json_decref(doc);
    FILE *f = rc == TD_OK ? fopen(path, "wb") : NULL;
    int ok = f && fwrite(b.data, 1, b.len, f) == b.len;
    if (f && fclose(f) != 0) ok = 0;
    if (!ok) fprintf(stderr, "trustdesk: --csv %s: %s\n", path, rc != TD_OK ? td_status_message(rc) : strerror(errno));
    buf_free(&b);
    return ok ? 0 : 1;
}

int cli_simulate(int argc, char **argv)
{
    static const char *const opts[] = {"--db", "--policy", "--from", "--to", "--store", "--csv", NULL};
    static const char *const flags[] = {"--json", "--no-modelled", NULL};
    int u = cli_check_args(argc, argv, opts, flags, 0, usage);
    if (u) return u == 1 ? 0 : u;
    const char *path = cli_opt(argc, argv, "--policy", NULL), *store_code = cli_opt(argc, argv, "--store", NULL);
    if (!path) {
        fprintf(stderr, "trustdesk: --policy FILE is required\n\n%s", usage);
        return 2;
    }
    struct errors err;
    errors_init(&err);
    int64_t from_us = 0, to_us = 0;
    if (simulate_period(cli_opt(argc, argv, "--from", NULL), cli_opt(argc, argv, "--to", NULL),
                        clock_now_us(NULL), "--from", "--to", &err, &from_us, &to_us) != TD_OK) {
        print_problems("the period is not valid", &err);
        return 2;
    }
    size_t len = 0;
    char *doc = read_policy(path, &len);
    if (!doc) return 2;
    struct policy p;
    int rc = policy_parse(doc, len, &err, &p);
    free(doc);
    if (rc != TD_OK) {
        print_problems("the policy document is not valid", &err);
        return 2;
    }
    const char *url = cli_db_url(argc, argv);
    /* Only reads: a mistyped SQLite path must not become a new, empty database. */
    if (strncmp(url, "sqlite:", 7) == 0 && access(url + 7, F_OK) != 0) {
        fprintf(stderr, "trustdesk: %s does not exist\n", url);
        return 2;
    }
    struct db *db = NULL;
    if ((rc = db_open(url, &db)) != TD_OK) {
        fprintf(stderr, "trustdesk: cannot open %s: %s\n", cli_db_label(url), td_status_message(rc));
        return 1;
    }
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "cli"};
    struct simulate_result *r = malloc(sizeof *r);
    int status = 1;
    struct store s = {0};
    int64_t schema = 0;
    if (!r) rc = TD_E_NOMEM;
    else if ((rc = db_begin(db, 0)) == TD_OK) {
        /* It does not migrate (it only reads): an older database is named. */
        if ((rc = db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", &schema)) == TD_OK &&
            schema < SIMULATE_SCHEMA) {
            fprintf(stderr, "trustdesk: the database is at schema version %lld; run `trustdesk migrate` on it first\n",
                    (long long)schema);
            status = 2;
        } else if (rc == TD_OK && store_code && (rc = store_get_by_code(&c, store_code, &s)) == TD_E_NOT_FOUND) {
            fprintf(stderr, "trustdesk: --store %s: no store has this code\n", store_code);
            status = 2;
        } else if (rc == TD_OK) {
            rc = simulate_run(&c, &p, from_us, to_us, s.id, !cli_flag(argc, argv, "--no-modelled"), r);
        }
        db_rollback(db);          /* read only: nothing to keep */
    }
    const char *csv = cli_opt(argc, argv, "--csv", NULL);
    if (status != 2 && rc == TD_OK && csv && write_csv(r, csv) != 0) status = 1;
    else if (status == 2) {
        /* said above */
    } else if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: simulate failed: %s\n", td_status_message(rc));
    } else if (cli_flag(argc, argv, "--json")) {
        char *text = simulate_json(r);
        if (text) {
            puts(text);
            status = 0;
        } else {
            fputs("trustdesk: out of memory\n", stderr);
        }
        free(text);
    } else {
        print_text(r, path);
        status = 0;
    }
    free(r);
    db_close(db);
    return status;
}
