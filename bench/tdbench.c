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
 *   tdbench desk DBURL COUNT IDS_FILE          opens COUNT varied cases (customers
 *                                              with their own purchases, with and
 *                                              without receipt, goods not sold here,
 *                                              walk-ins; every kind) as associate
 *                                              staff of their store, writes their ids
 *                                              to IDS_FILE, then times desk_decide()
 *                                              on each, three rounds
 *
 *   tdbench match-setup DBURL CODE SKUS        makes collection CODE of SKUS skus (styles of
 *                                              five sizes, women's and men's, the demo's brands
 *                                              and colours), 100,000 of each in every store,
 *                                              planned to arrive now in every store
 *   tdbench match DBURL CODE                   times matching CODE in every store and writing
 *                                              the ranked tasks (clienteling_arrive_stores:
 *                                              the arrival in all stores at once, one
 *                                              transaction, committed; BENCH_MATCH_EACH=1:
 *                                              clienteling_arrive per store instead)
 *   tdbench outreach DBURL TOKEN COUNT         staff_token_check + the caller's open tasks of
 *                                              today (cl_tasks_each, limit 50), COUNT times
 *   tdbench hold DBURL TOKEN CODE COUNT        staff_token_check + cl_hold_create of a random
 *                                              sku of CODE for a random customer of the
 *                                              caller's store, each in its own durable
 *                                              transaction, COUNT times
 *
 *   tdbench simulate DBURL DRAFT_FILE          writes a draft policy (the default with gold's
 *                                              goodwill limit at EUR 500) to DRAFT_FILE, times
 *                                              simulate_run() over every decision stored (read
 *                                              transaction; run_ms the whole answer, replay_ms
 *                                              without the modelled layer's goodwill
 *                                              economics), then loads the same inputs into
 *                                              memory and times guard_score + policy_decide on
 *                                              them (best of three rounds); pure_cpu_ms is the
 *                                              same loop's best CPU time (the process's), for
 *                                              a machine too busy for wall times
 *
 *   tdbench daily DBURL COUNT                  the daily dashboard's read (insight_daily_each: every
 *                                              rollup row of the period, added up by day) for 30,
 *                                              90 and 365 days up to today in turn, COUNT times,
 *                                              in a read transaction each
 *
 *   tdbench coaching DBURL STORE COUNT         the coaching route's domain calls (coaching_read: the
 *                                              period's month and day rows, the people, their answers
 *                                              and quiz; then the people's newest overrides, 20, or 3
 *                                              for every store: coaching_overrides_of) for STORE's code, or "-" for every
 *                                              store, over 90 and 365 days up to today in turn, COUNT
 *                                              times (after one call not counted), in a read
 *                                              transaction each
 *
 * Output: one line "n=... p50_us=... p99_us=... max_us=..." (match: "candidates=... ms=...";
 * simulate: "cases=... run_ms=... replay_ms=... pure_ms=...").
 * Built by bench/run.sh against build/libtdcore.a; not part of make test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "core/clock.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "core/errors.h"
#include "domain/clienteling.h"
#include "domain/coaching.h"
#include "domain/clienteling_catalog.h"
#include "domain/clienteling_outreach.h"
#include "domain/customer.h"
#include "domain/desk.h"
#include "domain/desk_inputs.h"
#include "domain/insight_daily.h"
#include "domain/simulate.h"
#include "domain/staff.h"
#include "domain/store.h"

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

/* ---- desk: open varied cases, then time the decision -------------------- */

static uint64_t rnd = 0x2545F4914F6CDD1DULL;
static uint64_t next_rand(void)
{
    rnd ^= rnd << 13;
    rnd ^= rnd >> 7;
    rnd ^= rnd << 17;
    return rnd;
}

/* A random customer's latest purchase line: receipt ref, SKU; 0 when none. */
static int pick_line(struct db *db, int64_t max_id, int64_t *cust, char *ref, char *sku)
{
    struct db_stmt *st = NULL;
    int rc = db_prepare(db, "SELECT r.customer_id, r.receipt_ref, p.sku FROM receipts r JOIN purchase_lines l ON l.receipt_id = r.id"
                            " JOIN products p ON p.id = l.product_id WHERE r.customer_id = ? ORDER BY r.purchased_at DESC LIMIT 1", &st);
    if (rc != TD_OK) return rc;
    int64_t id = 1 + (int64_t)(next_rand() % (uint64_t)max_id);
    if ((rc = db_bindf(st, "i", id)) == TD_OK) rc = db_step(st);
    *cust = 0;
    if (rc == TD_ROW) {
        *cust = db_col_int64(st, 0);
        snprintf(ref, 65, "%s", db_col_text(st, 1));
        snprintf(sku, 65, "%s", db_col_text(st, 2));
        rc = TD_OK;
    } else if (rc == TD_DONE) {
        rc = TD_OK;
    }
    db_done(st);
    return rc;
}

static int bench_desk(struct db *db, long count, const char *ids_file)
{
    static const char *const stores[] = {"UTR01", "AMS01", "RTM01", "DHG01", "EIN01", "GRO01"};
    int64_t max_id = 0;
    if (db_query_int64(db, "SELECT MAX(id) FROM customers", &max_id) != TD_OK || max_id < 1) return 1;
    int64_t *ids = calloc((size_t)count, sizeof *ids), *us = calloc((size_t)count * 3, sizeof *us);
    FILE *out = fopen(ids_file, "w");
    if (!ids || !us || !out) return 1;
    struct dctx c = {.db = db, .addr = "bench"};
    c.now_us = clock_now_us(NULL);
    c.actor.role = ROLE_ASSOCIATE;
    int rc = db_begin(db, 1);
    long made = 0;
    for (long i = 0; i < count && rc == TD_OK; i++) {
        struct desk_case_in in;
        memset(&in, 0, sizeof in);
        char ref[65] = "", sku[65] = "";
        int64_t cust = 0;
        unsigned shape = (unsigned)(next_rand() % 6);
        in.store_code = stores[next_rand() % 6];
        in.customer_words = "bench";
        in.n_items = 1;
        in.kind = (enum policy_kind)(1 + next_rand() % 6);
        if (in.kind == POLICY_KIND_REFERRAL) {
            in.referral.to = "Elders";
            in.referral.reason = POLICY_REFER_CHEAPER_ELSEWHERE;
        }
        if (shape < 3 && (rc = pick_line(db, max_id, &cust, ref, sku)) == TD_OK && cust) {
            in.customer_id = cust;
            in.receipt = shape == 0;
            in.items[0] = (struct desk_item_in){.sold_here = true, .sku = sku, .receipt_ref = shape == 0 ? ref : NULL,
                                                .condition = (enum policy_condition)(1 + next_rand() % 4)};
        } else {
            in.customer_id = shape == 5 ? 0 : 1 + (int64_t)(next_rand() % (uint64_t)max_id);
            in.items[0] = (struct desk_item_in){.sold_here = false, .brand = shape == 4 ? "Vorwerk" : "Mango",
                                                .description = "bench item", .stated_price_cents = 1000 + (int64_t)(next_rand() % 40000),
                                                .condition = (enum policy_condition)(1 + next_rand() % 4)};
        }
        if (rc != TD_OK) break;
        struct errors err;
        errors_init(&err);
        int64_t id = 0;
        int r = desk_case_create(&c, &in, &err, &id);
        if (r == TD_OK) {
            ids[made++] = id;
            fprintf(out, "%lld\n", (long long)id);
        } else if (r != TD_E_INVALID) {   /* an erased customer is refused like at the desk: skip it */
            rc = r;
        }
    }
    if (rc == TD_OK) rc = db_commit(db);
    else db_rollback(db);
    fclose(out);
    size_t n = 0;
    for (int round = 0; round < 3 && rc == TD_OK; round++)
        for (long i = 0; i < made && rc == TD_OK; i++) {
            struct decision d;
            struct risk risk;
            int64_t t0 = clock_mono_us();
            rc = desk_decide(&c, ids[i], &d, &risk);
            us[n++] = clock_mono_us() - t0;
        }
    if (rc != TD_OK) fprintf(stderr, "tdbench desk: %s\n", td_status_code(rc));
    else report(us, n);
    free(ids);
    free(us);
    return rc == TD_OK ? 0 : 1;
}

/* ---- clienteling: a collection matched in every store ------------------- */

static int store_ids(struct db *db, int64_t *ids, size_t cap, size_t *n)
{
    struct db_stmt *st = NULL;
    *n = 0;
    int rc = db_prepare(db, "SELECT id FROM stores ORDER BY id", &st);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        if (*n < cap) ids[(*n)++] = db_col_int64(st, 0);
        rc = TD_OK;
    }
    db_done(st);
    return rc == TD_DONE ? TD_OK : rc;
}

static int bench_match_setup(struct db *db, const char *code, long skus)
{
    static const char *const brands[] = {"Esprit", "Part Two", "Atelier Oranje", "Gaastra", "Tommy Hilfiger",
                                         "Scotch & Soda", "Selected Femme", "Vero Moda", "Summum", "Van Gils"};
    static const char *const colours[] = {"camel", "grijs", "ecru", "marine", "zwart", "groen", "bordeaux", "antraciet"};
    static const char *const women[] = {"XS", "S", "M", "L", "XL"}, *const men[] = {"S", "M", "L", "XL", "XXL"};
    long nstyles = (skus + 4) / 5;
    char (*codes)[24] = calloc((size_t)nstyles, sizeof *codes);
    const char **list = calloc((size_t)nstyles, sizeof *list);
    int64_t stores[64];
    size_t nstores = 0;
    if (!codes || !list) return 1;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
    struct errors err;
    errors_init(&err);
    int rc = db_begin(db, 1);
    if (rc == TD_OK) rc = store_ids(db, stores, 64, &nstores);
    for (long i = 0; i < nstyles && rc == TD_OK; i++) {
        const char *const *sizes = i % 2 ? men : women;
        char skuv[5][40], name[80];
        struct cl_variant_in v[5];
        snprintf(codes[i], sizeof codes[i], "%s-%04ld", code, i);
        snprintf(name, sizeof name, "Bench knit %ld", i);
        for (int k = 0; k < 5; k++) {
            snprintf(skuv[k], sizeof skuv[k], "%s-%s", codes[i], sizes[k]);
            v[k] = (struct cl_variant_in){skuv[k], sizes[k]};
        }
        list[i] = codes[i];
        struct cl_style_in in = {.code = codes[i], .name = name, .brand = brands[i % 10], .category = i % 2 ? "heren" : "dames",
                                 .colour = colours[(i / 10) % 8], .price_cents = 4995 + (i % 20) * 500, .n_variants = 5,
                                 .variants = v};
        int64_t id;
        rc = cl_style_put(&c, &in, &err, &id);
        for (size_t s = 0; s < nstores && rc == TD_OK; s++)
            for (int k = 0; k < 5 && rc == TD_OK; k++) rc = cl_stock_set(&c, stores[s], skuv[k], 100000, &err);
    }
    int64_t coll = 0;
    if (rc == TD_OK) rc = cl_collection_put(&c, code, "Bench knitwear", list, (size_t)nstyles, &err, &coll);
    for (size_t s = 0; s < nstores && rc == TD_OK; s++) rc = cl_collection_plan(&c, coll, stores[s], c.now_us, 0, &err);
    if (rc == TD_OK) rc = db_commit(db);
    else db_rollback(db);
    if (rc != TD_OK) fprintf(stderr, "tdbench match-setup: %s %s\n", td_status_code(rc), err.n ? err.item[0].problem : "");
    else printf("styles=%ld skus=%ld stores=%zu\n", nstyles, nstyles * 5, nstores);
    free(codes);
    free(list);
    return rc == TD_OK ? 0 : 1;
}

static int bench_match(struct db *db, const char *code)
{
    int64_t stores[64], coll = 0;
    size_t nstores = 0;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
    /* BENCH_NOW_US: match at that time, so two runs can be compared row for row. */
    const char *fixed = getenv("BENCH_NOW_US");
    int64_t at = 0;
    if (fixed && text_parse_int64(fixed, &at) == TD_OK && at > 0) c.now_us = at;
    struct cl_rules rules;
    clienteling_rules_default(&rules);
    static struct cl_arrival_summary sum[64];
    struct cl_arrival_summary all;
    memset(&all, 0, sizeof all);
    int rc = store_ids(db, stores, 64, &nstores);
    if (rc == TD_OK) rc = cl_collection_id(&c, code, &coll);
    int64_t t0 = clock_mono_us();
    if (rc == TD_OK) rc = db_begin(db, 1);
    /* BENCH_MATCH_EACH=1: one clienteling_arrive() per store instead (the
     * API's and the CLI's way), for comparison. */
    const char *each = getenv("BENCH_MATCH_EACH");
    if (rc == TD_OK && each && *each == '1')
        for (size_t s = 0; s < nstores && rc == TD_OK; s++) rc = clienteling_arrive(&c, &rules, coll, stores[s], true, &sum[s]);
    else if (rc == TD_OK)
        rc = clienteling_arrive_stores(&c, &rules, coll, stores, nstores, true, sum);
    for (size_t s = 0; s < nstores && rc == TD_OK; s++)
        all.candidates += sum[s].candidates, all.matched += sum[s].matched, all.tasks += sum[s].tasks,
        all.holdout += sum[s].holdout;
    if (rc == TD_OK) rc = db_commit(db);
    else db_rollback(db);
    int64_t us = clock_mono_us() - t0;
    if (rc != TD_OK) fprintf(stderr, "tdbench match: %s\n", td_status_code(rc));
    else printf("candidates=%lld matched=%lld tasks=%lld holdout=%lld ms=%lld\n", (long long)all.candidates,
                (long long)all.matched, (long long)all.tasks, (long long)all.holdout, (long long)(us / 1000));
    return rc == TD_OK ? 0 : 1;
}

static int count_task(void *arg, const struct cl_task *t)
{
    (void)t;
    ++*(int *)arg;
    return TD_OK;
}

static int bench_outreach(struct db *db, const char *token, long count)
{
    int64_t *us = malloc(sizeof *us * (size_t)count);
    if (!us) return 1;
    int rc = TD_OK, tasks = 0;
    long i = 0;
    for (; i < count && rc == TD_OK; i++) {
        struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
        struct staff me;
        int64_t t0 = clock_mono_us();
        rc = staff_token_check(&c, token, &me);
        tasks = 0;
        if (rc == TD_OK) rc = cl_tasks_each(&c, me.store_id, me.id, false, "nl", 50, count_task, &tasks);
        us[i] = clock_mono_us() - t0;
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench outreach: %s\n", td_status_code(rc));
    else report(us, (size_t)i);
    fprintf(stderr, "tdbench outreach: %d tasks on the list\n", tasks);
    free(us);
    return rc == TD_OK ? 0 : 1;
}

static int bench_hold(struct db *db, const char *token, const char *code, long count)
{
    int64_t *us = malloc(sizeof *us * (size_t)count), *cust = malloc(sizeof *cust * 4096);
    char (*skus)[65] = malloc(sizeof *skus * 4096);
    if (!us || !cust || !skus) return 1;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
    struct staff me;
    size_t ncust = 0, nskus = 0;
    struct db_stmt *st = NULL;
    int rc = staff_token_check(&c, token, &me);
    if (rc == TD_OK) rc = db_query(db, "SELECT id FROM customers WHERE home_store_id = ? ORDER BY id LIMIT 4096", &st,
                                   "i", me.store_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        cust[ncust++] = db_col_int64(st, 0);
        rc = TD_OK;
    }
    db_done(st);
    if (rc == TD_DONE)
        rc = db_query(db, "SELECT p.sku FROM collections c JOIN collection_styles y ON y.collection_id = c.id"
                          " JOIN products p ON p.style_id = y.style_id WHERE c.code = ? ORDER BY p.id LIMIT 4096",
                      &st, "t", code);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        snprintf(skus[nskus++], sizeof skus[0], "%s", db_col_text(st, 0));
        rc = TD_OK;
    }
    db_done(st);
    if (rc == TD_DONE) rc = ncust && nskus ? TD_OK : TD_E_NOT_FOUND;
    long i = 0;
    for (; i < count && rc == TD_OK; i++) {
        struct errors err;
        errors_init(&err);
        int64_t id = 0, t0 = clock_mono_us();
        c.now_us = clock_now_us(NULL);
        rc = staff_token_check(&c, token, &me);
        if (rc == TD_OK) rc = db_begin(db, 1);
        if (rc == TD_OK) {
            c.actor = (struct actor){me.id, me.role, me.store_id};
            rc = cl_hold_create(&c, me.store_id, skus[next_rand() % nskus], cust[next_rand() % ncust], 0, 0, &err, &id);
            if (rc == TD_OK) rc = db_commit(db);
            else db_rollback(db);
        }
        us[i] = clock_mono_us() - t0;
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench hold: %s\n", td_status_code(rc));
    else report(us, (size_t)i);
    free(us);
    free(cust);
    free(skus);
    return rc == TD_OK ? 0 : 1;
}

/* ---- the what-if simulator ----------------------------------------------- */

/* What the pure decision reads of one stored decision, in memory. */
struct mem_in {
    struct case_in ci;
    struct customer_facts facts;
    struct guard_signals signals;
};

struct loaded {
    struct mem_in *v;
    size_t n, cap;
};

static const char *keep(const char *s)
{
    return s ? strdup(s) : NULL;
}

static int load_one(void *arg, const struct desk_inputs *in)
{
    struct loaded *l = arg;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 1024;
        struct mem_in *v = realloc(l->v, cap * sizeof *v);
        if (!v) return TD_E_NOMEM;
        l->v = v;
        l->cap = cap;
    }
    struct mem_in *m = &l->v[l->n++];
    m->ci = in->ci;
    m->facts = in->facts;
    m->signals = in->signals;
    for (size_t i = 0; i < m->ci.n_items; i++) {
        struct case_item *it = &m->ci.items[i];
        it->category = keep(it->category);
        it->brand = keep(it->brand);
        it->description = keep(it->description);
        it->returned_on = keep(it->returned_on);
        it->returned_store = keep(it->returned_store);
    }
    return TD_OK;
}

/* The CPU time the process has used so far. */
static int64_t cpu_us(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int bench_simulate(struct db *db, const char *draft_file)
{
    /* The default document with gold's limit raised: the editor's example. */
    const char *def = policy_default_json(), *at = strstr(def, "\"goodwill_limit_cents\": 30000");
    FILE *f = fopen(draft_file, "w");
    if (!at || !f) return 1;
    fprintf(f, "%.*s\"goodwill_limit_cents\": 50000%s", (int)(at - def), def, at + strlen("\"goodwill_limit_cents\": 30000"));
    fclose(f);
    struct errors err;
    errors_init(&err);
    struct policy p;
    if (policy_parse(def, strlen(def), &err, &p) != TD_OK) return 1;
    p.goodwill_limit_cents[POLICY_TIER_GOLD] = 50000;
    struct dctx c = {.db = db, .addr = "bench", .now_us = clock_now_us(NULL)};
    struct simulate_result *r = malloc(sizeof *r);
    struct loaded l = {0};
    if (!r) return 1;
    /* The whole answer, then without the modelled layer (the goodwill
     * economics it reads): the replay's own share. */
    int64_t run_us[2] = {0, 0}, t0 = 0;
    int rc = TD_OK;
    for (int modelled = 1; modelled >= 0 && rc == TD_OK; modelled--) {
        t0 = clock_mono_us();
        if ((rc = db_begin(db, 0)) == TD_OK) rc = simulate_run(&c, &p, 0, INT64_MAX / 2, 0, modelled, r);
        db_rollback(db);
        run_us[modelled] = clock_mono_us() - t0;
    }
    if (rc == TD_OK && (rc = db_begin(db, 0)) == TD_OK) {
        rc = desk_inputs_latest_each(&c, 0, INT64_MAX / 2, 0, load_one, &l);
        db_rollback(db);
    }
    int64_t best = INT64_MAX, best_cpu = INT64_MAX, sink = 0;
    for (int round = 0; round < 3 && rc == TD_OK; round++) {
        t0 = clock_mono_us();
        int64_t c0 = cpu_us();
        for (size_t i = 0; i < l.n && rc == TD_OK; i++) {
            struct risk risk;
            struct decision d;
            rc = guard_score(&p.guard, &l.v[i].signals, &risk);
            if (rc == TD_OK) rc = policy_decide(&p, &l.v[i].ci, &l.v[i].facts, &risk, &d);
            sink += d.max_amount_cents + d.needs_approval;
        }
        int64_t us = clock_mono_us() - t0, cpu = cpu_us() - c0;
        if (us < best) best = us;
        if (cpu < best_cpu) best_cpu = cpu;
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench simulate: %s\n", td_status_code(rc));
    else printf("cases=%lld loaded=%zu run_ms=%.1f replay_ms=%.1f pure_ms=%.1f pure_cpu_ms=%.1f changed=%lld sink=%lld\n",
                (long long)r->all.cases, l.n, (double)run_us[1] / 1000.0, (double)run_us[0] / 1000.0, (double)best / 1000.0,
                (double)best_cpu / 1000.0, (long long)r->all.changed, (long long)sink);
    for (size_t i = 0; i < l.n; i++)
        for (size_t k = 0; k < l.v[i].ci.n_items; k++) {
            struct case_item *it = &l.v[i].ci.items[k];
            free((char *)it->category), free((char *)it->brand), free((char *)it->description);
            free((char *)it->returned_on), free((char *)it->returned_store);
        }
    free(l.v);
    free(r);
    return rc == TD_OK ? 0 : 1;
}

static int add_day(void *arg, const struct insight_daily_row *r)
{
    int64_t *sum = arg;
    sum[0]++;
    sum[1] += r->n.opened + r->n.resolved;
    return TD_OK;
}

static int bench_daily(struct db *db, long count)
{
    int64_t *us = malloc(sizeof *us * (size_t)count), sum[2] = {0, 0};
    if (!us) return 1;
    static const int64_t periods[] = {30, 90, 365};
    int rc = TD_OK;
    long i = 0;
    for (; i < count && rc == TD_OK; i++) {
        struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
        int64_t to = insight_daily_day(c.now_us), from = to - periods[i % 3] + 1;
        int64_t t0 = clock_mono_us();
        rc = db_begin(db, 0);
        if (rc == TD_OK) rc = insight_daily_each(&c, from, to, add_day, sum);
        db_rollback(db);
        us[i] = clock_mono_us() - t0;
    }
    if (rc != TD_OK) fprintf(stderr, "tdbench daily: %s\n", td_status_code(rc));
    else report(us, (size_t)i);
    fprintf(stderr, "tdbench daily: %lld rows read\n", (long long)sum[0]);
    free(us);
    return rc == TD_OK ? 0 : 1;
}

static int count_override(void *arg, size_t i, const struct coaching_override *o)
{
    (void)i, (void)o;
    ++*(int64_t *)arg;
    return TD_OK;
}

/* The Amsterdam midnight at or before us (a switch of summer time between
 * that midnight and us moves it by the difference of the offsets). */
static int64_t amsterdam_midnight(int64_t us)
{
    int64_t day = 86400LL * 1000000, off = (int64_t)clock_amsterdam_offset(us / 1000000) * 1000000;
    int64_t m = us - (us + off) % day;
    return m + off - (int64_t)clock_amsterdam_offset(m / 1000000) * 1000000;
}

static int bench_coaching(struct db *db, const char *code, long count)
{
    int64_t *us = malloc(sizeof *us * (size_t)count), people = 0, overrides = 0;
    if (!us) return 1;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "bench"};
    struct store st = {0};
    int rc = strcmp(code, "-") == 0 ? TD_OK : store_get_by_code(&c, code, &st);
    static const int64_t periods[] = {90, 365};
    int64_t day = 86400LL * 1000000, half = day / 2;
    long i = -1;                                   /* one call first, not counted: the connection warms up */
    for (; i < count && rc == TD_OK; i++) {
        /* The route's periods: Amsterdam dates up to today, both included. */
        struct coaching_query q = {.store_id = st.id};
        q.to_us = amsterdam_midnight(amsterdam_midnight(clock_now_us(NULL)) + day + half);
        q.from_us = amsterdam_midnight(q.to_us - periods[(i + 2) % 2] * day + half);
        struct coaching_report r;
        int64_t t0 = clock_mono_us();
        rc = db_begin(db, 0);
        int read = rc == TD_OK && (rc = coaching_read(&c, &q, &r)) == TD_OK;
        int64_t *ids = read ? malloc((r.n ? r.n : 1) * sizeof *ids) : NULL;
        if (read && !ids) rc = TD_E_NOMEM;
        for (size_t k = 0; ids && k < r.n; k++) ids[k] = r.people[k].staff_id;
        if (rc == TD_OK) rc = coaching_overrides_of(&c, &q, ids, r.n, st.id ? 20 : 3, count_override, &overrides);
        free(ids);
        if (read) people += (int64_t)r.n, coaching_report_free(&r);
        db_rollback(db);
        if (i >= 0) us[i] = clock_mono_us() - t0;
    }
    if (i < 0) i = 0;
    if (rc != TD_OK) fprintf(stderr, "tdbench coaching: %s\n", td_status_code(rc));
    else report(us, (size_t)i);
    fprintf(stderr, "tdbench coaching: %lld people, %lld overrides read\n", (long long)people, (long long)overrides);
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
    else if (argc == 5 && strcmp(argv[1], "desk") == 0 && text_parse_int64(argv[3], &a) == TD_OK && a > 0)
        rc = bench_desk(db, (long)a, argv[4]);
    else if (argc == 5 && strcmp(argv[1], "match-setup") == 0 && text_parse_int64(argv[4], &a) == TD_OK && a > 0)
        rc = bench_match_setup(db, argv[3], (long)a);
    else if (argc == 4 && strcmp(argv[1], "match") == 0)
        rc = bench_match(db, argv[3]);
    else if (argc == 5 && strcmp(argv[1], "outreach") == 0 && text_parse_int64(argv[4], &a) == TD_OK && a > 0)
        rc = bench_outreach(db, argv[3], (long)a);
    else if (argc == 6 && strcmp(argv[1], "hold") == 0 && text_parse_int64(argv[5], &a) == TD_OK && a > 0)
        rc = bench_hold(db, argv[3], argv[4], (long)a);
    else if (argc == 4 && strcmp(argv[1], "simulate") == 0)
        rc = bench_simulate(db, argv[3]);
    else if (argc == 4 && strcmp(argv[1], "daily") == 0 && text_parse_int64(argv[3], &a) == TD_OK && a > 0)
        rc = bench_daily(db, (long)a);
    else if (argc == 5 && strcmp(argv[1], "coaching") == 0 && text_parse_int64(argv[4], &a) == TD_OK && a > 0)
        rc = bench_coaching(db, argv[3], (long)a);
    else
        fputs("usage: tdbench search DBURL QUERIES_FILE ROUNDS | tdbench get DBURL TOKEN N COUNT"
              " | tdbench desk DBURL COUNT IDS_FILE | tdbench match-setup DBURL CODE SKUS | tdbench match DBURL CODE"
              " | tdbench outreach DBURL TOKEN COUNT | tdbench hold DBURL TOKEN CODE COUNT | tdbench simulate DBURL DRAFT_FILE"
              " | tdbench daily DBURL COUNT | tdbench coaching DBURL STORE COUNT\n",
              stderr);
    db_close(db);
    return rc;
}
