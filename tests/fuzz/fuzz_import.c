/* fuzz_import.c — libFuzzer target for the CSV imports: bytes -> import
 * of the kind the first byte picks from the table of kinds (imports.def,
 * in its order: customers, purchases, catalogue, stock) into a real SQLite
 * database, inside a transaction that is rolled back after each input.
 *
 * Properties on any input:
 *  - the import answers TD_OK or TD_E_INVALID (nothing else: the file can
 *    be wrong, the program cannot);
 *  - TD_OK: no problems, and every data line was added or skipped;
 *  - TD_E_INVALID: at least one problem, each on a line of the file
 *    (1 <= line <= lines seen + 1) and in valid UTF-8, so the report can
 *    be answered as JSON;
 *  - warnings, too, name a line and are valid UTF-8.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "core/text.h"
#include "db/db.h"
#include "domain/import.h"
#include "domain/store.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static struct db *db;
static struct dctx ctx;
static char path[64];

static void remove_db(void)
{
    db_close(db);
    char wal[80];
    unlink(path);
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
}

static void open_once(void)
{
    if (db) return;
    snprintf(path, sizeof path, "/tmp/td-fuzz-import-%d.db", (int)getpid());
    char url[80];
    snprintf(url, sizeof url, "sqlite:%s", path);
    CHECK(db_open(url, &db) == TD_OK && db_migrate(db) == TD_OK);
    atexit(remove_db);
    ctx.db = db;
    ctx.now_us = 1795000000000000LL;
    ctx.addr = "fuzz";
    struct store s = {0};
    snprintf(s.code, sizeof s.code, "UTR01");
    snprintf(s.name, sizeof s.name, "Utrecht");
    snprintf(s.city, sizeof s.city, "Utrecht");
    struct errors err;
    errors_init(&err);
    int64_t id;
    CHECK(db_begin(db, 1) == TD_OK && store_create(&ctx, &s, &err, &id) == TD_OK && db_commit(db) == TD_OK);
}

static void check_problems(const struct import_problem *p, size_t n, int64_t lines)
{
    for (size_t i = 0; i < n; i++) {
        CHECK(p[i].line >= 1);
        CHECK(p[i].line <= lines + 2);
        CHECK(p[i].column >= 0);
        CHECK(text_utf8_valid(p[i].problem, strlen(p[i].problem)));
        CHECK(text_utf8_valid(p[i].column_name, strlen(p[i].column_name)));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    open_once();
    static size_t nkinds;
    if (!nkinds)
        while (import_kind_name(nkinds)) nkinds++;
    const struct import_kind *kind = import_kind_find(import_kind_name(data[0] % nkinds));
    CHECK(kind != NULL);
    struct import_report rep;
    import_report_init(&rep);
    CHECK(db_begin(db, 1) == TD_OK);
    const char *csv = (const char *)data + 1;
    int rc = import_run(&ctx, kind, csv, size - 1, &rep);
    db_rollback(db);
    CHECK(rc == TD_OK || rc == TD_E_INVALID);
    /* Lines the tokenizer saw: a bound for every line a problem names. */
    int64_t seen = 1;
    for (size_t i = 1; i < size; i++) seen += data[i] == '\n' || data[i] == '\r';
    if (rc == TD_OK) {
        CHECK(rep.problems_total == 0);
        CHECK(rep.added + rep.skipped == rep.lines);
    } else {
        CHECK(rep.problems_total >= 1 && rep.nproblems >= 1);
        check_problems(rep.problem, rep.nproblems, seen);
    }
    check_problems(rep.warning, rep.nwarnings, seen);
    import_report_free(&rep);
    return 0;
}
