/* cli_audit.c — `trustdesk audit verify`: checks the audit log's hash chain. */
#include "cli/cli.h"
#include "db/db.h"
#include "domain/audit.h"
#include <stdio.h>

int cli_audit(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk audit verify [--db URL]\n"
        "\nverify: follows the audit log's hash chain from its first row to its head; names every\n"
        "        row that was altered, removed or inserted, and exits 1 when there is one. Prints\n"
        "        the head hash: write it down elsewhere (with each backup, say) to catch a\n"
        "        rewrite of the whole chain as well.\n";
    static const char *const verbs[] = {"verify", NULL};
    struct db *db;
    int u = cli_db_command(argc, argv, usage, verbs, NULL, &db);
    if (u >= 0) return u;
    struct audit_report rep;
    int rc = audit_verify(db, &rep);
    db_close(db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: the audit log could not be read: %s\n", td_status_message(rc));
        return 1;
    }
    for (int i = 0; i < rep.nproblems; i++) printf("PROBLEM: %s\n", rep.problem[i].text);
    if (rep.problems_total > rep.nproblems)
        printf("... and %lld more problems\n", (long long)(rep.problems_total - rep.nproblems));
    if (rep.problems_total) {
        printf("audit verify: %lld problem%s in %lld rows\n", (long long)rep.problems_total,
               rep.problems_total == 1 ? "" : "s", (long long)rep.rows);
        return 1;
    }
    printf("audit verify: ok (%lld rows chained", (long long)rep.chained);
    if (rep.unchained) printf(", %lld older rows from before the chain", (long long)rep.unchained);
    printf("); head %s\n", rep.head[0] ? rep.head : "(none yet)");
    return 0;
}
