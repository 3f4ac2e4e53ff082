/* test_wal_vfs.c — the VFS of db/db_wal_vfs.c under db_open("sqlite:..."):
 * a commit of many pages is one write to the WAL (counted by the kernel,
 * /proc/self/io), another connection (the plain unix VFS) sees every commit
 * at once even when SQLite does not sync it (synchronous=NORMAL), and a
 * transaction bigger than the VFS's buffer, spilled to the WAL before its
 * commit, commits or rolls back whole. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "db/db.h"
#include "fixture.h"

/* The shared fixture (a folder with t.db, opened through db_open, so the
 * VFS under test) and another connection to the same file, through the
 * system's own VFS. */
struct vfs_fixture {
    struct fixture base;
    char file[300];
    sqlite3 *plain;
};

static int setup(void **state)
{
    struct vfs_fixture *v = calloc(1, sizeof *v);
    if (!v) return -1;
    *state = v;
    if (fixture_open(&v->base, "vfs", 0, 0) != 0) return -1;
    snprintf(v->file, sizeof v->file, "%s/t.db", v->base.dir);
    if (db_exec(v->base.db, "PRAGMA wal_autocheckpoint=0; CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)") != TD_OK ||
        sqlite3_open_v2(v->file, &v->plain, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    struct vfs_fixture *v = *state;
    if (!v) return 0;
    sqlite3_close(v->plain);
    int rc = fixture_close(&v->base);
    free(v);
    return rc;
}

/* What the other connection reads: a number, or -1. */
static int64_t plain_int(struct vfs_fixture *f, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(f->plain, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The write system calls this process made so far (-1: not counted here). */
static long writes_so_far(void)
{
    FILE *io = fopen("/proc/self/io", "r");
    if (!io) return -1;
    char line[128];
    long n = -1;
    while (fgets(line, sizeof line, io))
        if (sscanf(line, "syscw: %ld", &n) == 1) break;
    fclose(io);
    return n;
}

static void insert(struct db *db, int n, size_t len)
{
    char *v = malloc(len + 1);
    assert_non_null(v);
    memset(v, 'x', len);
    v[len] = '\0';
    for (int i = 0; i < n; i++) assert_int_equal(db_run(db, "INSERT INTO t (v) VALUES (?)", NULL, "t", v), TD_OK);
    free(v);
}

static void a_commit_of_many_pages_is_one_write(void **state)
{
    struct vfs_fixture *f = *state;
    insert(f->base.db, 1, 10);                       /* the WAL's header, written once */
    long before = writes_so_far();
    if (before < 0) skip();
    assert_int_equal(db_begin(f->base.db, 1), TD_OK);
    insert(f->base.db, 12, 3000);                    /* a dozen pages or so */
    assert_int_equal(db_commit(f->base.db), TD_OK);
    long after = writes_so_far();
    /* SQLite alone writes each page with two calls: 24 or more here. */
    assert_true(after - before <= 2);
    assert_int_equal(plain_int(f, "SELECT COUNT(*) FROM t"), 13);
}

static void every_commit_is_seen_at_once_unsynced_too(void **state)
{
    struct vfs_fixture *f = *state;
    assert_int_equal(db_exec(f->base.db, "PRAGMA synchronous=NORMAL"), TD_OK);   /* no sync at commit */
    for (int i = 1; i <= 40; i++) {
        assert_int_equal(db_begin(f->base.db, 1), TD_OK);
        insert(f->base.db, 1 + i % 3, 100 + (size_t)i * 97);
        assert_int_equal(db_commit(f->base.db), TD_OK);
        int64_t want = 0;
        assert_int_equal(db_query_int64(f->base.db, "SELECT COUNT(*) FROM t", &want), TD_OK);
        assert_int_equal(plain_int(f, "SELECT COUNT(*) FROM t"), want);
    }
}

static void a_transaction_bigger_than_the_buffer_commits_or_rolls_back_whole(void **state)
{
    struct vfs_fixture *f = *state;
    /* A small page cache spills the transaction's pages to the WAL before
     * the commit; 12 MB is more than the VFS gathers. */
    assert_int_equal(db_exec(f->base.db, "PRAGMA cache_size=20"), TD_OK);
    assert_int_equal(db_begin(f->base.db, 1), TD_OK);
    insert(f->base.db, 3000, 4000);
    db_rollback(f->base.db);
    assert_int_equal(plain_int(f, "SELECT COUNT(*) FROM t"), 0);
    assert_int_equal(db_begin(f->base.db, 1), TD_OK);
    insert(f->base.db, 3000, 4000);
    assert_int_equal(db_commit(f->base.db), TD_OK);
    assert_int_equal(plain_int(f, "SELECT COUNT(*) FROM t"), 3000);
    assert_int_equal(plain_int(f, "SELECT SUM(LENGTH(v)) FROM t"), 3000 * 4000);
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(f->plain, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(st, 0), "ok");
    sqlite3_finalize(st);
    /* And the checkpoint copies what the other connection read. */
    assert_int_equal(db_exec(f->base.db, "PRAGMA wal_checkpoint(TRUNCATE)"), TD_OK);
    assert_int_equal(plain_int(f, "SELECT SUM(LENGTH(v)) FROM t"), 3000 * 4000);
}

#define VFS_TEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        VFS_TEST(a_commit_of_many_pages_is_one_write),
        VFS_TEST(every_commit_is_seen_at_once_unsynced_too),
        VFS_TEST(a_transaction_bigger_than_the_buffer_commits_or_rolls_back_whole),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
