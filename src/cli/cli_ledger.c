/* cli_ledger.c — `trustdesk ledger verify` and `trustdesk ledger expire`. */
#include "api/jobs.h"
#include "cli/cli.h"
#include "core/clock.h"
#include "db/db.h"
#include "domain/ledger.h"
#include <stdio.h>
#include <string.h>

static void print_problem(void *arg, const char *problem)
{
    (void)arg;
    printf("PROBLEM: %s\n", problem);
}

int cli_ledger(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk ledger verify [--db URL]\n"
        "       trustdesk ledger expire [--db URL]\n"
        "\nverify: recomputes every credit note's balance from the ledger entries and checks\n"
        "        that every transaction sums to zero and no balance is negative; exits 1 and\n"
        "        names each problem when anything is wrong.\n"
        "expire: books the rest of every credit note past its expiry date to breakage now\n"
        "        (a running server does this every minute by itself).\n";
    static const char *const verbs[] = {"verify", "expire", NULL};
    const char *what;
    struct db *db;
    int u = cli_db_command(argc, argv, usage, verbs, &what, &db);
    if (u >= 0) return u;
    int rc, status = 0;
    if (strcmp(what, "verify") == 0) {
        int64_t problems = 0, notes = 0, entries = 0;
        rc = db_begin(db, 0);
        if (rc == TD_OK) rc = ledger_verify(db, print_problem, NULL, &problems);
        if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM credit_notes", &notes);
        if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM ledger_entries", &entries);
        db_rollback(db);
        if (rc != TD_OK) {
            fprintf(stderr, "trustdesk: verification could not run: %s\n", td_status_message(rc));
            status = 1;
        } else if (problems) {
            printf("ledger verify: %lld problem%s in %lld credit notes, %lld entries\n", (long long)problems,
                   problems == 1 ? "" : "s", (long long)notes, (long long)entries);
            status = 1;
        } else {
            printf("ledger verify: ok (%lld credit notes, %lld entries; every transaction sums to zero,"
                   " every balance matches its entries)\n", (long long)notes, (long long)entries);
        }
    } else {   /* expire */
        int expired = 0;
        rc = jobs_run_once(db, clock_now_us(NULL), &expired);
        if (rc != TD_OK) {
            fprintf(stderr, "trustdesk: expiry failed: %s\n", td_status_message(rc));
            status = 1;
        } else {
            printf("%d credit note%s expired\n", expired, expired == 1 ? "" : "s");
        }
    }
    db_close(db);
    return status;
}
