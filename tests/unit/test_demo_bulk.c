/* test_demo_bulk.c — the demo's case history on its bulk path (the default)
 * writes exactly what it writes through the desk's every subscriber
 * (demo_config.desk_history): two demos of one seed, size and end, one on
 * each path, compared table by table and row by row — every table of the
 * schema, not only those the history touches — on SQLite, and on
 * PostgreSQL when TRUSTDESK_TEST_PG names a cluster. The ledger of the bulk
 * demo verifies.
 *
 * Rows are compared as sorted lists of their columns' text, so that an
 * order that follows a random column does not count. What is left out,
 * because two runs of the same path differ there too (random by design):
 *   credit_notes.code_hash, code_hint   the ledger draws every code at random;
 *   identity_secret.secret, and the keys made with it (customer_keys.key,
 *     case_walk_ins.key, walk_in_*.key)  a random secret per database;
 *   mail_outbox.message_id              a random Message-ID per message;
 *   mail_outbox.body_text               only the survey link's token (signed
 *                                       with the database's random key) is
 *                                       masked, the rest is compared;
 *   audit_head.hash, audit_log.hash and prev_hash, and the subject and detail
 *     of the secrets board's audit rows  these name the board's themes, whose
 *                                       ids are random (staff anonymity);
 *   staff_answers.id, secret_themes.id and merged_into, secret_theme_words.theme_id,
 *     secret_words.answer_id, value_cards.theme_id, staff_round_links.token_hash
 *                                       the staff survey's random ids and links;
 *   schema_migrations.applied_at        when each database was migrated.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cmocka_main.h"
#include "core/buf.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/ledger.h"
#include "sim/demo.h"
#include "fixture.h"

#define CUSTOMERS 2000
#define SEED 5
#define END_US 1795305600000000LL   /* 2026-11-22T00:00:00Z */
#define TABLES_MAX 256

static const struct { const char *table, *column; } LEFT_OUT[] = {
    {"credit_notes", "code_hash"},     {"credit_notes", "code_hint"},       {"identity_secret", "secret"},
    {"customer_keys", "key"},          {"case_walk_ins", "key"},            {"walk_in_case_stores", "key"},
    {"walk_in_days", "key"},           {"walk_in_item_stores", "key"},      {"mail_outbox", "message_id"},
    {"audit_head", "hash"},            {"audit_log", "hash"},               {"audit_log", "prev_hash"},
    {"staff_answers", "id"},           {"secret_themes", "id"},             {"secret_themes", "merged_into"},
    {"secret_theme_words", "theme_id"}, {"secret_words", "answer_id"},      {"value_cards", "theme_id"},
    {"staff_round_links", "token_hash"}, {"schema_migrations", "applied_at"},
};

static int left_out(const char *table, const char *column)
{
    for (size_t i = 0; i < sizeof LEFT_OUT / sizeof LEFT_OUT[0]; i++)
        if (strcmp(LEFT_OUT[i].table, table) == 0 && strcmp(LEFT_OUT[i].column, column) == 0) return 1;
    return 0;
}

/* The text of one column as compared: a survey link's token masked, and
 * the secrets board's themes out of their audit rows. */
static void column_text(const char *table, const char *column, const char *v, const char *action, struct buf *out)
{
    if (!v) {
        assert_int_equal(buf_printf(out, "\\N"), TD_OK);
        return;
    }
    if (strcmp(table, "audit_log") == 0 && (strcmp(column, "subject") == 0 || strcmp(column, "detail") == 0) &&
        action && strncmp(action, "secret.", 7) == 0) {
        assert_int_equal(buf_printf(out, "(a theme)"), TD_OK);
        return;
    }
    const char *link = strcmp(table, "mail_outbox") == 0 && strcmp(column, "body_text") == 0 ? strstr(v, "/surveys/") : NULL;
    if (!link) {
        assert_int_equal(buf_printf(out, "%s", v), TD_OK);
        return;
    }
    size_t head = (size_t)(link - v) + strlen("/surveys/"), token = strcspn(v + head, " \r\n\"<");
    assert_int_equal(buf_printf(out, "%.*s(token)%s", (int)head, v, v + head + token), TD_OK);
}

static int by_text(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* Every row of table as a line of its compared columns, sorted; *n lines
 * in *lines, each malloc'ed, the array too. */
static void table_lines(struct db *db, const char *table, char ***lines, size_t *n)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare_dynamic(db, sql, &st), TD_OK);
    size_t cap = 0;
    *lines = NULL;
    *n = 0;
    int rc;
    while ((rc = db_step(st)) == TD_ROW) {
        int action = -1;
        for (int i = 0; i < db_col_count(st); i++)
            if (strcmp(db_col_name(st, i), "action") == 0) action = i;
        struct buf b;
        buf_init(&b, 1 << 20);
        for (int i = 0; i < db_col_count(st); i++) {
            if (left_out(table, db_col_name(st, i))) continue;
            column_text(table, db_col_name(st, i), db_col_text(st, i), action >= 0 ? db_col_text(st, action) : NULL, &b);
            assert_int_equal(buf_printf(&b, "|"), TD_OK);
        }
        if (*n == cap) {
            cap = cap ? cap * 2 : 1024;
            *lines = realloc(*lines, cap * sizeof **lines);
            assert_non_null(*lines);
        }
        (*lines)[(*n)++] = strdup(b.data ? b.data : "");
        buf_free(&b);
    }
    assert_int_equal(rc, TD_DONE);
    db_done(st);
    if (*n) qsort(*lines, *n, sizeof **lines, by_text);
}

static void lines_free(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++) free(lines[i]);
    free(lines);
}

static void demo_into(struct fixture *f, const char *hash, int desk_history, struct demo_summary *sum)
{
    struct demo_config cfg = {.seed = SEED, .customers = CUSTOMERS, .end_us = END_US, .password_hash = hash,
                              .desk_history = desk_history};
    assert_int_equal(db_bulk_mode(f->db, 1), TD_OK);
    assert_int_equal(demo_generate(f->db, &cfg, sum), TD_OK);
    assert_int_equal(db_bulk_mode(f->db, 0), TD_OK);
}

static void ledger_problem(void *arg, const char *problem)
{
    (void)arg;
    print_message("ledger: %s\n", problem);
}

static void compare_paths(int pg)
{
    if (pg && !getenv("TRUSTDESK_TEST_PG")) {
        print_message("TRUSTDESK_TEST_PG is not set: PostgreSQL skipped\n");
        return;
    }
    char hash[128];
    assert_int_equal(token_init(), TD_OK);
    assert_int_equal(token_password_hash(DEMO_PASSWORD, hash), TD_OK);   /* one hash: staff rows compare */
    struct fixture desk, bulk;
    assert_int_equal(fixture_open(&desk, "demodesk", pg, 1), 0);
    assert_int_equal(fixture_open(&bulk, "demobulk", pg, 1), 0);
    struct demo_summary sd, sb;
    demo_into(&desk, hash, 1, &sd);
    demo_into(&bulk, hash, 0, &sb);
    assert_memory_equal(&sd, &sb, sizeof sd);
    assert_true(sb.cases > 100 && sb.approvals > 0);
    static char names[TABLES_MAX][64];
    size_t ntables = 0;
    assert_int_equal(db_tables(desk.db, names, TABLES_MAX, &ntables), TD_OK);
    assert_true(ntables > 40);
    int64_t rows = 0;
    for (size_t t = 0; t < ntables; t++) {
        char **a, **b;
        size_t na, nb;
        table_lines(desk.db, names[t], &a, &na);
        table_lines(bulk.db, names[t], &b, &nb);
        if (na != nb) fail_msg("%s: %zu rows through the desk, %zu in bulk", names[t], na, nb);
        for (size_t i = 0; i < na; i++)
            if (strcmp(a[i], b[i]) != 0) fail_msg("%s differs:\n  desk %s\n  bulk %s", names[t], a[i], b[i]);
        rows += (int64_t)na;
        lines_free(a, na);
        lines_free(b, nb);
    }
    /* The rollups the bulk path writes itself are there, and not empty. */
    assert_true(fixture_int(&bulk, "SELECT COUNT(*) FROM insight_days") > 0);
    assert_true(fixture_int(&bulk, "SELECT COUNT(*) FROM coaching_days") > 0);
    assert_true(fixture_int(&bulk, "SELECT COUNT(*) FROM coaching_months") > 0);
    print_message("%zu tables, %lld rows alike\n", ntables, (long long)rows);
    int64_t problems = -1;
    assert_int_equal(ledger_verify(bulk.db, ledger_problem, NULL, &problems), TD_OK);
    assert_int_equal(problems, 0);
    assert_int_equal(fixture_close(&desk), 0);
    assert_int_equal(fixture_close(&bulk), 0);
}

static void bulk_is_the_desk_on_sqlite(void **state)
{
    (void)state;
    compare_paths(0);
}

static void bulk_is_the_desk_on_postgres(void **state)
{
    (void)state;
    compare_paths(1);
}

TD_TEST_MAIN("unit_demo_bulk", NULL, NULL, cmocka_unit_test(bulk_is_the_desk_on_sqlite),
             cmocka_unit_test(bulk_is_the_desk_on_postgres))
