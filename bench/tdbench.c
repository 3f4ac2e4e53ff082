/* tdbench.c — in-process baselines for `make bench` (bench/run.sh).
 *
 * Runs the domain calls that an API request makes, on one connection, with
 * no HTTP, routing or JSON around them, and prints latency percentiles in
 * microseconds: the floor under the server's own numbers.
 *
 *   tdbench search DBURL QUERIES_FILE ROUNDS   customer_search (limit 20)
 *                                              for every line of the file
 *   tdbench get DBURL TOKEN N COUNT            staff_token_check + customer_get
 *                                              of COUNT random ids in 1..N
 *
 * Output: one line "n=... p50_us=... p99_us=... max_us=...".
 * Built by bench/run.sh against build/libtdcore.a; not part of make test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/clock.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/staff.h"

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static void report(int64_t *us, size_t n)
{
    if (n == 0) {
        puts("n=0");
        return;
    }
    qsort(us, n, sizeof *us, cmp_i64);
    size_t p50 = (n * 50 + 99) / 100, p99 = (n * 99 + 99) / 100;
    printf("n=%zu p50_us=%lld p99_us=%lld max_us=%lld\n", n, (long long)us[p50 - 1], (long long)us[p99 - 1],
           (long long)us[n - 1]);
}

static int count_hit(void *arg, const struct customer *c)
{
    (void)c;
    ++*(int *)arg;
    return TD_OK;
}

static int bench_search(struct db *db, const char *file, long rounds)
{
    FILE *f = fopen(file, "r");
    if (!f) {
        perror(file);
        return 1;
    }
    char lines[512][256];
    size_t nq = 0;
    while (nq < 512 && fgets(lines[nq], sizeof lines[nq], f)) {
        lines[nq][strcspn(lines[nq], "\r\n")] = '\0';
        if (lines[nq][0]) nq++;
    }
    fclose(f);
    int64_t *us = malloc(sizeof *us * nq * (size_t)rounds);
    if (!us) return 1;
    size_t n = 0;
    int rc = TD_OK;
    for (long r = 0; r < rounds && rc == TD_OK; r++) {
        for (size_t i = 0; i < nq && rc == TD_OK; i++) {
            struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "bench" };
            char next[600];
            int hits = 0;
            int64_t t0 = clock_mono_us();
            rc = customer_search(&c, lines[i], 20, NULL, count_hit, &hits, next, sizeof next);
            us[n++] = clock_mono_us() - t0;
        }
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench: search failed: %s\n", td_status_message(rc));
    else report(us, n);
    free(us);
    return rc == TD_OK ? 0 : 1;
}

static int bench_get(struct db *db, const char *token, int64_t max_id, long count)
{
    int64_t *us = malloc(sizeof *us * (size_t)count);
    if (!us) return 1;
    uint64_t x = 88172645463325252ull;    /* xorshift64: ids spread like wrk's */
    int rc = TD_OK;
    long i = 0;
    for (; i < count && rc == TD_OK; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "bench" };
        struct staff me;
        struct customer cu;
        int64_t t0 = clock_mono_us();
        rc = staff_token_check(&c, token, &me);
        if (rc == TD_OK) rc = customer_get(&c, 1 + (int64_t)(x % (uint64_t)max_id), &cu);
        us[i] = clock_mono_us() - t0;
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench: get failed: %s\n", td_status_message(rc));
    else report(us, (size_t)i);
    free(us);
    return rc == TD_OK ? 0 : 1;
}

int main(int argc, char **argv)
{
    if (token_init() != TD_OK) return 1;
    int64_t a = 0, b = 0;
    struct db *db = NULL;
    if (argc >= 3 && db_open(argv[2], &db) != TD_OK) {
        fprintf(stderr, "tdbench: cannot open %s\n", argv[2]);
        return 1;
    }
    int rc = 2;
    if (argc == 5 && strcmp(argv[1], "search") == 0 && text_parse_int64(argv[4], &a) == TD_OK && a > 0)
        rc = bench_search(db, argv[3], (long)a);
    else if (argc == 6 && strcmp(argv[1], "get") == 0 && text_parse_int64(argv[4], &a) == TD_OK && a > 0 &&
             text_parse_int64(argv[5], &b) == TD_OK && b > 0)
        rc = bench_get(db, argv[3], a, (long)b);
    else
        fputs("usage: tdbench search DBURL QUERIES_FILE ROUNDS | tdbench get DBURL TOKEN N COUNT\n", stderr);
    db_close(db);
    return rc;
}
