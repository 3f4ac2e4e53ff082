/* cli_demo.c — `trustdesk demo`: fill a new database with the Dutch demo
 * chain (sim/demo.c) and print what was made and how to log in.
 *
 * It refuses a database that already has stores, staff or customers: the
 * demo is for a new database only, and loading it into a real one would mix
 * invented customers with real ones. The load runs in bulk mode (relaxed
 * durability) inside one transaction, so a failure leaves the database as
 * it was.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "sim/demo.h"
#include "domain/policy.h"
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: trustdesk demo [--db URL] [--customers N] [--seed N] [--end YYYY-MM-DD] [--policy FILE]\n"
    "                      [--no-goodwill-effect] [--desk-history]\n"
    "\n"
    "Fills a NEW database with a Dutch demo chain: 12 stores, 61 staff, a\n"
    "department-store catalogue, N customers (default 20000) with about 10\n"
    "purchase lines each over the two years before --end (default: now),\n"
    "and half a year of cases at the desk: honest customers' returns and about\n"
    "1 % labelled abusers, for `trustdesk evaluate`. For clienteling: styles in\n"
    "sizes with stock per store, associates' books, sizes, likes and dates, and\n"
    "the knitwear collection KNIT-AW26 arriving in Utrecht 3 days after --end.\n"
    "The same seed, N and end date always give the same data (credit-note codes\n"
    "and identity keys aside, which are random by design). --policy FILE puts a\n"
    "chain policy document (version 2 or above) in force for the whole history,\n"
    "to measure another policy on the same people. Every customer given goodwill\n"
    "comes back once more within 90 days (a planted effect for the goodwill\n"
    "economics); --no-goodwill-effect leaves it out, to see the data without it.\n"
    "The cases go through the desk one by one, in time order; the rollups\n"
    "only reports read (insight_days, coaching_days, coaching_months) are\n"
    "written in bulk after the last case; --desk-history has the desk's\n"
    "subscribers write them case by case instead (the same rows, slower).\n"
    "All demo staff share the password '" DEMO_PASSWORD "' (demo data only).\n";

static void on_progress(void *arg, const char *what, long long done, long long total)
{
    (void)arg;
    cli_progress(what, done, total);
    if (done == total) cli_progress_end();
}

static int parse_count(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
    return text_parse_int64(s, out) == TD_OK && *out >= lo && *out <= hi ? 0 : -1;
}

int cli_demo(int argc, char **argv)
{
    static const char *const opts[] = {"--db", "--customers", "--seed", "--end", "--policy", NULL};
    static const char *const flags[] = {"--no-goodwill-effect", "--desk-history", NULL};
    int u = cli_check_args(argc, argv, opts, flags, 0, usage);
    if (u) return u == 1 ? 0 : u;
    const char *url = cli_db_url(argc, argv);
    int64_t customers = 0, seed = 0;
    if (parse_count(cli_opt(argc, argv, "--customers", "20000"), 1, DEMO_MAX_CUSTOMERS, &customers) != 0) {
        fprintf(stderr, "trustdesk: --customers must be a number from 1 to %d\n", DEMO_MAX_CUSTOMERS);
        return 2;
    }
    if (parse_count(cli_opt(argc, argv, "--seed", "1"), 0, INT64_MAX, &seed) != 0) {
        fputs("trustdesk: --seed must be a non-negative number\n", stderr);
        return 2;
    }
    int64_t end_us = clock_now_us(NULL);
    const char *end = cli_opt(argc, argv, "--end", NULL);
    if (end) {
        /* The end of that day, Amsterdam time. */
        if (strlen(end) != 10 || clock_parse(end, &end_us) != TD_OK) {
            fputs("trustdesk: --end must be a date like 2026-11-22\n", stderr);
            return 2;
        }
        end_us += 86400LL * 1000000 - 1;
    }

    char policy[POLICY_DOC_MAX + 1];
    size_t policy_len = 0;
    const char *policy_file = cli_opt(argc, argv, "--policy", NULL);
    if (policy_file) {
        FILE *f = fopen(policy_file, "rb");
        if (!f) {
            fprintf(stderr, "trustdesk: cannot read %s\n", policy_file);
            return 2;
        }
        policy_len = fread(policy, 1, sizeof policy - 1, f);
        int too_long = !feof(f);
        fclose(f);
        if (too_long) {
            fprintf(stderr, "trustdesk: %s is longer than %d bytes\n", policy_file, POLICY_DOC_MAX);
            return 2;
        }
        policy[policy_len] = '\0';
    }

    int64_t t0 = clock_mono_us();
    struct db *db = NULL;
    if (cli_prepare_sqlite_dir(url) != 0) return 1;
    int rc = db_open(url, &db);
    if (rc == TD_OK) rc = db_migrate(db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: cannot open or migrate %s: %s\n", url, td_status_message(rc));
        db_close(db);
        return 1;
    }
    int64_t nstores, nstaff, ncustomers;
    rc = demo_check_empty(db, &nstores, &nstaff, &ncustomers);
    if (rc == TD_E_CONFLICT) {
        fprintf(stderr,
                "trustdesk: %s already has data (%lld stores, %lld staff, %lld customers);\n"
                "trustdesk: demo only fills a new, empty database. Pick another --db.\n",
                url, (long long)nstores, (long long)nstaff, (long long)ncustomers);
        db_close(db);
        return 1;
    }
    /* One argon2id hash shared by every demo account (demo data only). */
    char hash[128];
    if (rc == TD_OK) rc = token_password_hash(DEMO_PASSWORD, hash);
    struct demo_config cfg = {
        .seed = (uint64_t)seed, .customers = customers, .end_us = end_us, .password_hash = hash,
        .progress = on_progress, .policy_json = policy_file ? policy : NULL, .policy_len = policy_len,
        .no_goodwill_effect = cli_flag(argc, argv, "--no-goodwill-effect"),
        .desk_history = cli_flag(argc, argv, "--desk-history"),
    };
    struct demo_summary sum;
    if (rc == TD_OK) rc = db_bulk_mode(db, 1);
    if (rc == TD_OK) {
        rc = demo_generate(db, &cfg, &sum);
        int brc = db_bulk_mode(db, 0);
        if (rc == TD_OK) rc = brc;
    }
    cli_progress_end();
    db_close(db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: demo failed: %s\n", td_status_message(rc));
        return 1;
    }
    double secs = (double)(clock_mono_us() - t0) / 1e6;
    printf("demo chain created in %s in %.1f s (seed %lld)\n", url, secs, (long long)seed);
    printf("  %lld stores, %lld staff, %lld products\n", (long long)sum.stores, (long long)sum.staff,
           (long long)sum.products);
    printf("  %lld customers (%lld with e-mail consent, %lld with phone consent), %lld search terms\n",
           (long long)sum.customers, (long long)sum.email_consents, (long long)sum.phone_consents,
           (long long)sum.search_terms);
    printf("  %lld receipts (%lld anonymous) with %lld purchase lines\n", (long long)sum.receipts,
           (long long)sum.anonymous_receipts, (long long)sum.lines);
    printf("  %lld cases at the desk over the last half year (%lld approved by a manager),"
           " %lld planted abusers (see trustdesk evaluate)\n", (long long)sum.cases, (long long)sum.approvals,
           (long long)sum.abusers);
    printf("  clienteling: %lld styles in sizes with stock per store, %lld customers in an associate's book"
           " (%lld objected to profiling);\n    collection KNIT-AW26 (Knitwear autumn) arrives in Utrecht (UTR01)"
           " 3 days after the end, Amsterdam after 7, Rotterdam after 14\n",
           (long long)sum.styles, (long long)sum.books, (long long)sum.objections);
    printf("logins (password for all demo staff: %s):\n", DEMO_PASSWORD);
    printf("  %-20s admin\n", DEMO_LOGIN_ADMIN);
    printf("  %-20s manager of Utrecht (UTR01)\n", DEMO_LOGIN_MANAGER);
    printf("  %-20s associate in Utrecht (UTR01)\n", DEMO_LOGIN_ASSOCIATE);
    return 0;
}
