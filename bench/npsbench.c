/* npsbench.c — the customer's survey for bench rows (n) and (o)
 * (bench/run.sh, BENCH_ONLY=nps).
 *
 *   npsbench tokens DBURL COUNT OUT   asks COUNT more questions (new surveys of
 *                                     resolved cases, not answered, valid 30 days
 *                                     from now) and writes their links' paths to
 *                                     OUT, one a line, for wrk to answer
 *   npsbench topup DBURL TOTAL        answered surveys up to TOTAL (rounds of the
 *                                     resolved cases, scores 0-10, first answers
 *                                     spread over the last 182 days), then the NPS
 *                                     counts made again (nps_recount); one
 *                                     transaction, not timed by the bench
 *   npsbench figures DBURL COUNT      nps_each() of the dashboard's requests (every
 *                                     dimension; 90 and 182 days; the chain and one
 *                                     store) in turn, COUNT times: the in-process
 *                                     floor under GET /api/v1/nps
 *
 * Output: tokens "surveys=..."; topup "answers=... seconds=..."; figures
 * "n=... p50_us=... p99_us=... max_us=...". Built by bench/run.sh against
 * build/libtdcore.a; not part of make test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/nps.h"
#include "domain/survey.h"

#define DAY_US (86400LL * 1000000)

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* New surveys: `rounds` rounds from `first` of every resolved case with a
 * customer, at most `limit`; answered ones (score, spread over 182 days)
 * when answered, else asked now. */
static int add_surveys(struct db *db, int64_t now, int64_t first, int64_t rounds, int64_t limit, int answered)
{
    return db_run(db,
                  "WITH RECURSIVE r(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM r WHERE n + 1 < ?)"
                  " INSERT INTO surveys (case_id, round, customer_id, store_id, lang, sent_at, expires_at, score,"
                  " first_answered_at, answered_at)"
                  " SELECT case_id, round, customer_id, store_id, 'nl', at, at + 2592000000000,"
                  " CASE WHEN ? = 1 THEN (case_id * 7 + round * 13) % 11 END,"
                  " CASE WHEN ? = 1 THEN at END, CASE WHEN ? = 1 THEN at END"
                  " FROM (SELECT k.id AS case_id, ? + r.n AS round, k.customer_id, k.store_id,"
                  " CASE WHEN ? = 1 THEN ? - ((k.id * 31 + r.n * 17) % 182) * 86400000000 - (k.id % 86400) * 1000000"
                  " ELSE ? END AS at"
                  " FROM cases k CROSS JOIN r WHERE k.status = 'resolved' AND k.customer_id IS NOT NULL"
                  " ORDER BY r.n, k.id LIMIT ?) x",
                  NULL, "iiiiiiiii", rounds, (int64_t)answered, (int64_t)answered, (int64_t)answered, first,
                  (int64_t)answered, now, now, limit);
}

static int bench_tokens(struct db *db, long count, const char *out)
{
    struct dctx c = {.db = db, .now_us = clock_now_us(&(struct clock){0}), .addr = "bench"};
    int64_t cases = 0;
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM cases WHERE status = 'resolved' AND customer_id IS NOT NULL", &cases);
    if (rc == TD_OK && cases == 0) rc = TD_E_NOT_FOUND;
    if (rc == TD_OK) rc = db_begin(db, 1);
    if (rc == TD_OK) rc = add_surveys(db, c.now_us, 1000000, count / cases + 1, count, 0);
    FILE *f = rc == TD_OK ? fopen(out, "w") : NULL;
    if (rc == TD_OK && !f) rc = TD_E_IO;
    unsigned char key[32];
    if (rc == TD_OK) rc = survey_key(&c, key);
    struct db_stmt *st = NULL;
    if (rc == TD_OK)
        rc = db_query(db, "SELECT id, expires_at FROM surveys WHERE round >= 1000000 AND score IS NULL ORDER BY id", &st, "");
    long n = 0;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        char token[SURVEY_TOKEN_LEN + 1];
        survey_token(&c, key, db_col_int64(st, 0), db_col_int64(st, 1), token);
        rc = fprintf(f, "/api/v1/surveys/%s\n", token) > 0 ? TD_OK : TD_E_IO;
        n++;
    }
    rc = db_end(st, rc);
    if (f) fclose(f);
    if (rc == TD_OK) rc = db_commit(db);
    else db_rollback(db);
    if (rc != TD_OK) fprintf(stderr, "npsbench tokens: %s\n", td_status_code(rc));
    else printf("surveys=%ld\n", n);
    return rc == TD_OK ? 0 : 1;
}

static int bench_topup(struct db *db, long total)
{
    struct dctx c = {.db = db, .now_us = clock_now_us(&(struct clock){0}), .addr = "bench"};
    int64_t have = 0, cases = 0, t0 = clock_mono_us();
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM surveys WHERE score IS NOT NULL", &have);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM cases WHERE status = 'resolved' AND customer_id IS NOT NULL", &cases);
    if (rc == TD_OK && cases == 0) rc = TD_E_NOT_FOUND;
    if (rc == TD_OK) rc = db_begin(db, 1);
    if (rc == TD_OK && have < total) rc = add_surveys(db, c.now_us, 100, (total - have) / cases + 1, total - have, 1);
    if (rc == TD_OK) rc = nps_recount(&c);
    if (rc == TD_OK) rc = db_commit(db);
    else db_rollback(db);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM surveys WHERE score IS NOT NULL", &have);
    if (rc != TD_OK) fprintf(stderr, "npsbench topup: %s\n", td_status_code(rc));
    else printf("answers=%lld seconds=%.1f\n", (long long)have, (double)(clock_mono_us() - t0) / 1e6);
    return rc == TD_OK ? 0 : 1;
}

static int count_row(void *arg, const struct nps_row *r)
{
    (void)r;
    ++*(long *)arg;
    return TD_OK;
}

static int bench_figures(struct db *db, long count)
{
    struct dctx c = {.db = db, .now_us = clock_now_us(&(struct clock){0}), .addr = "bench"};
    int64_t store = 0, today = c.now_us / DAY_US;
    int rc = db_query_int64(db, "SELECT id FROM stores WHERE code = 'UTR01'", &store);
    int64_t *us = calloc((size_t)count, sizeof *us);
    if (!us) return 1;
    long i = 0, rows = 0;
    for (; i < count && rc == TD_OK; i++) {
        /* The order of bench/run.sh's requests: dimension, then the period, then the store. */
        struct nps_query q = {(enum nps_dim)(1 + i % 5), today - (i / 5 % 2 ? 181 : 89), today, i / 10 % 2 ? store : 0,
                              NULL};
        int64_t t0 = clock_mono_us();
        if ((rc = db_begin(db, 0)) == TD_OK) {
            rc = nps_each(&c, &q, count_row, &rows);
            db_rollback(db);
        }
        us[i] = clock_mono_us() - t0;
    }
    if (rc != TD_OK) fprintf(stderr, "npsbench figures: %s\n", td_status_code(rc));
    else {
        qsort(us, (size_t)i, sizeof *us, cmp_i64);
        size_t p50 = ((size_t)i * 50 + 99) / 100, p99 = ((size_t)i * 99 + 99) / 100;
        printf("n=%ld p50_us=%lld p99_us=%lld max_us=%lld rows=%ld\n", i, (long long)us[p50 - 1],
               (long long)us[p99 - 1], (long long)us[i - 1], rows);
    }
    free(us);
    return rc == TD_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (token_init() != TD_OK) return 1;
    int64_t a = 0;
    struct db *db = NULL;
    if (argc >= 4 && db_open(argv[2], &db) != TD_OK) {
        fprintf(stderr, "npsbench: cannot open %s\n", argv[2]);
        return 1;
    }
    int rc = 2;
    if (argc == 5 && strcmp(argv[1], "tokens") == 0 && text_parse_int64(argv[3], &a) == TD_OK && a > 0)
        rc = bench_tokens(db, (long)a, argv[4]);
    else if (argc == 4 && strcmp(argv[1], "topup") == 0 && text_parse_int64(argv[3], &a) == TD_OK && a > 0)
        rc = bench_topup(db, (long)a);
    else if (argc == 4 && strcmp(argv[1], "figures") == 0 && text_parse_int64(argv[3], &a) == TD_OK && a > 0)
        rc = bench_figures(db, (long)a);
    else
        fputs("usage: npsbench tokens DBURL COUNT OUT | npsbench topup DBURL TOTAL | npsbench figures DBURL COUNT\n",
              stderr);
    db_close(db);
    return rc;
}
