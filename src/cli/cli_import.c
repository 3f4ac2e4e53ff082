/* cli_import.c — `trustdesk import KIND [--db URL] FILE`, KIND a row of
 * domain/imports.def (customers, purchases, catalogue, stock).
 *
 * Maps the file, imports it in one transaction (db_transact, so a busy
 * database is retried and a refused file leaves nothing behind), shows
 * progress on a terminal for big files, and prints a summary on stdout — or
 * every problem on stderr as "FILE:LINE: column: problem" (the form editors
 * jump to) and exits 1.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "db/db.h"
#include "domain/import.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define PROGRESS_FROM (8u << 20)   /* files smaller than this import too fast to need progress */

static const char usage[] =
    "usage: trustdesk import customers|purchases [--db URL] FILE\n"
    "\n"
    "Imports a CSV file from the loyalty programme (customers) or the tills\n"
    "(purchases), all or nothing; importing the same file again adds nothing.\n"
    "A file with problems imports nothing: every problem is listed as\n"
    "FILE:LINE: column: problem, and the exit status is 1. See docs/import.md.\n";

struct job {
    const struct import_kind *kind;
    const char *data;
    size_t len;
    struct import_report rep;
};

static void on_progress(void *arg, size_t done, size_t total)
{
    (void)arg;
    cli_progress("bytes read", (long long)done, (long long)total);
}

static int import_tx(struct db *db, void *arg)
{
    struct job *j = arg;
    struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "cli" };
    return import_run(&c, j->kind, j->data, j->len, &j->rep);
}

static void print_problems(const char *path, const struct import_report *rep)
{
    for (size_t i = 0; i < rep->nproblems; i++) {
        const struct import_problem *p = &rep->problem[i];
        if (p->column_name[0])
            fprintf(stderr, "%s:%lld: %s: %s\n", path, (long long)p->line, p->column_name, p->problem);
        else
            fprintf(stderr, "%s:%lld: %s\n", path, (long long)p->line, p->problem);
    }
    if ((int64_t)rep->nproblems < rep->problems_total)
        fprintf(stderr, "%s: ... and %lld more problems\n", path, (long long)(rep->problems_total - (int64_t)rep->nproblems));
    fprintf(stderr, "trustdesk: %s has %lld problem%s; nothing was imported\n", path, (long long)rep->problems_total,
            rep->problems_total == 1 ? "" : "s");
}

static void print_summary(const char *path, const struct import_report *rep, int64_t micros)
{
    double s = (double)micros / 1e6;
    printf("imported %s from %s: %lld lines, %lld added, %lld skipped", rep->kind, path, (long long)rep->lines,
           (long long)rep->added, (long long)rep->skipped);
    /* "; receipts: 3 added, 0 skipped; products: ..." */
    struct import_count cnt[IMPORT_COUNTS_MAX];
    size_t n = import_report_counts(rep, cnt, IMPORT_COUNTS_MAX);
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(cnt[i].group, cnt[i - 1].group) != 0) printf("; %s: ", cnt[i].group);
        else printf(", ");
        printf("%lld %s", (long long)cnt[i].value, cnt[i].verb);
    }
    printf(" (%.2f s", s);
    if (s > 0 && rep->lines > 0) printf(", %.0f lines/s", (double)rep->lines / s);
    printf(")\n");
}

int cli_import(int argc, char **argv)
{
    static const char *const opts[] = {"--db", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 2, usage);
    if (u) return u == 1 ? 0 : u;
    const char *kind = cli_positional(argc, argv, opts, 0);
    const char *path = cli_positional(argc, argv, opts, 1);
    const struct import_kind *k = import_kind_find(kind);
    if (!k) {
        fprintf(stderr, "trustdesk: import what? '%s' is not one of:", kind);
        for (size_t i = 0; import_kind_name(i); i++) fprintf(stderr, " %s", import_kind_name(i));
        fprintf(stderr, "\n\n%s", usage);
        return 2;
    }
    int status = 1, fd = -1;
    void *map = MAP_FAILED;
    struct db *db = NULL;
    struct job job = { .kind = k, .data = "" };
    import_report_init(&job.rep);
    struct stat stt;
    if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &stt) != 0) {
        fprintf(stderr, "trustdesk: cannot read %s: %s\n", path, strerror(errno));
        goto out;
    }
    if (!S_ISREG(stt.st_mode)) {
        fprintf(stderr, "trustdesk: %s is not a file\n", path);
        goto out;
    }
    if (stt.st_size > 0) {
        map = mmap(NULL, (size_t)stt.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (map == MAP_FAILED) {
            fprintf(stderr, "trustdesk: cannot map %s: %s\n", path, strerror(errno));
            goto out;
        }
        (void)madvise(map, (size_t)stt.st_size, MADV_SEQUENTIAL);
        job.data = map;
        job.len = (size_t)stt.st_size;
    }
    if (cli_open_db(cli_db_url(argc, argv), &db)) goto out;
    if (job.len >= PROGRESS_FROM) job.rep.progress = on_progress;
    int64_t t0 = clock_mono_us();
    int rc = db_transact(db, import_tx, &job);
    int64_t micros = clock_mono_us() - t0;
    cli_progress_end();
    if (rc == TD_E_INVALID) {
        print_problems(path, &job.rep);
        goto out;
    }
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: importing %s failed: %s; nothing was imported\n", path, td_status_message(rc));
        goto out;
    }
    print_summary(path, &job.rep, micros);
    for (size_t i = 0; i < job.rep.nwarnings; i++) {
        const struct import_problem *w = &job.rep.warning[i];
        fprintf(stderr, "%s:%lld: %s: warning: %s\n", path, (long long)w->line, w->column_name, w->problem);
    }
    if ((int64_t)job.rep.nwarnings < job.rep.warnings_total)
        fprintf(stderr, "%s: ... and %lld more warnings\n", path,
                (long long)(job.rep.warnings_total - (int64_t)job.rep.nwarnings));
    status = 0;
out:
    import_report_free(&job.rep);
    db_close(db);
    if (map != MAP_FAILED) munmap(map, (size_t)stt.st_size);
    if (fd >= 0) close(fd);
    return status;
}
