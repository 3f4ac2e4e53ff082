/* demo.c — the Dutch demo chain (see demo.h).
 *
 * What it makes, for N customers:
 *   12 stores in Dutch cities (UTR01 Utrecht, AMS01 Amsterdam, ...);
 *   per store one manager and four associates, plus one admin;
 *   a department-store catalogue (dames, heren, kinderen, wonen, keuken,
 *   elektra, beauty, sport) with brands and prices in cents;
 *   N customers with Dutch names (accents, particles, double names), e-mail
 *   addresses folded from the names and mobile numbers in the ways people
 *   write them (both one person's own: only a ring's accounts share one),
 *   10-digit loyalty numbers starting with 8, a home store, and for
 *   part of them marketing consent given at loyalty sign-up;
 *   about 9 purchase lines per customer over the last two years plus about
 *   one line per customer on anonymous receipts (no customer);
 *   the customer aggregates those purchases feed (customer_facts,
 *   customer_days, product_price_days, category_days);
 *   their identity keys (keyed hashes of phone and mailbox; identity.h);
 *   clienteling (demo_catalogue.c, demo_profile.c): styles in sizes with
 *   stock per store, the knitwear collection KNIT-AW26 planned to arrive
 *   in Utrecht three days after the end, books, sizes, likes, dates,
 *   notes, objections and the spend per category the matcher reads;
 *   a case history over the last half year: honest customers' returns,
 *   labelled kinds of honest people and planted, labelled abusers (walk-ins
 *   among them), replayed through the desk (see "the case history" below),
 *   with their credit notes, repairs and approvals.
 *
 * Invariants:
 *  (1) the output depends only on the seed, N and end_us: one producer
 *      thread makes customers in id order, each customer (and each
 *      anonymous receipt slot) drawing from its own PRNG stream derived from
 *      (seed, index); the writer only writes what it is given, in order;
 *      (the identity secret, and so the keys made with it, is drawn at random
 *      per database, as identity_secret() does; which accounts share a key
 *      does not depend on it);
 *  (2) search terms and search_text come from customer_index_text(), the
 *      function customer_create() uses, so search finds demo customers
 *      exactly as it finds customers made at the desk;
 *  (3) every consent column set here has its consent_events row, as
 *      customer_create() would write it, and every phone and e-mail its
 *      identity key, as identity_set_customer() would (with `shared`);
 *  (4) rows are written in the order of the indexes they feed (customer ids,
 *      loyalty numbers and receipt references all increase; a customer's
 *      receipts are in time order), so most index inserts append. The one
 *      key that cannot be fed in order, customer_search's (term,
 *      customer_id), is filled from a sorted list after the customers, with
 *      its by-customer index dropped and rebuilt around it (write_terms);
 *  (5) everything happens in one transaction: a failed load leaves nothing;
 *  (6) the purchase aggregates are exactly what facts_add_receipts(db, 1,
 *      last receipt, demo_history_start_us(end)) would count (test_evaluate
 *      compares them): the producer counts them as it makes the rows, because
 *      that function's grouped scans of all lines would take about 30 s at a
 *      million customers, half the demo's time budget;
 *  (7) the case history's cases are made by the desk itself (desk_case_create,
 *      desk_resolve accepting the recommendation, desk_approve) in time order, so what is
 *      stored is what the desk would have recommended at that moment; after it,
 *      the goodwill economics' planted effect (demo_goodwill.c) adds one receipt
 *      within 90 days for each case with goodwill, through the import's event. Only
 *      credit-note codes are random (the ledger's, by design), and the
 *      identity keys (see (1)).
 *
 * Work is split in two: SQLite has one writer, and making the rows (names,
 * folding, formatting) is about a quarter of the work, which a second core
 * can do meanwhile:
 *
 *   producer thread           chunks of 2048 customers       writer (caller)
 *   make_customer ... ------> [spare] -> [ready, FIFO] ----> write_chunk
 *   (plans cases, counts      (+ facts and day rows)
 *    the aggregates)
 *   then sort the terms                                      then write_terms,
 *                                                            run_history
 *
 * (the demo__ functions named here; demo_gen.h says which file holds each).
 */
#include "sim/demo_gen.h"
#include "core/clock.h"
#include "core/log.h"
#include "db/db.h"
#include "domain/facts.h"
#include "domain/identity.h"
#include "domain/policy_store.h"
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void chunk_free(struct chunk *c)
{
    if (!c) return;
    void *parts[] = {c->customers, c->consents, c->receipts, c->lines, c->facts, c->days, c->books.v, c->spend.v,
                     c->sizes.v, c->prefs.v, c->dates.v, c->notes.v, c->objections.v, c};
    for (size_t i = 0; i < COUNT(parts); i++) free(parts[i]);
}

static struct chunk *chunk_new(void)
{
    struct chunk *c = calloc(1, sizeof *c);
    if (c && (!(c->customers = malloc(CHUNK_CUSTOMERS * sizeof *c->customers)) ||
              !(c->facts = malloc(CHUNK_CUSTOMERS * sizeof *c->facts)))) {
        free(c->customers);
        free(c);
        c = NULL;
    }
    return c;
}

static void chunk_clear(struct chunk *c)
{
    c->ncustomers = c->nconsents = c->nreceipts = c->nlines = c->ndays = 0;
    c->books.n = c->spend.n = c->sizes.n = c->prefs.n = c->dates.n = c->notes.n = c->objections.n = 0;
}

static int take_spare(struct pipeline *p, struct chunk **out)
{
    pthread_mutex_lock(&p->mu);
    while (!p->nspare && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    int rc = p->stop ? TD_E_INTERNAL : TD_OK;
    *out = rc == TD_OK ? p->spare[--p->nspare] : NULL;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static void put_spare(struct pipeline *p, struct chunk *c)
{
    pthread_mutex_lock(&p->mu);
    chunk_clear(c);
    p->spare[p->nspare++] = c;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

static void put_ready(struct pipeline *p, struct chunk *c)
{
    pthread_mutex_lock(&p->mu);
    p->ready[(p->ready_head + p->nready++) % NCHUNKS] = c;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* The oldest ready chunk, or NULL once the producer is done (or stopped)
 * and nothing is left. */
static struct chunk *take_ready(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->nready && !p->producer_done && !p->stop) pthread_cond_wait(&p->cv, &p->mu);
    struct chunk *c = NULL;
    if (p->nready && !p->stop) {
        c = p->ready[p->ready_head];
        p->ready_head = (p->ready_head + 1) % NCHUNKS;
        p->nready--;
        pthread_cond_broadcast(&p->cv);
    }
    pthread_mutex_unlock(&p->mu);
    return c;
}

static void pipeline_stop(struct pipeline *p)
{
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
}

/* Anonymous receipts carry about one line per customer in all; at 1.4
 * lines each that is this many receipts per 1000 customers. */
#define ANON_PER_MILLE 700

static int produce(struct gen *g)
{
    int64_t n = g->cfg->customers, nanon = n * ANON_PER_MILLE / 1000 + 1, anon = 0;
    struct chunk *c = NULL;
    int rc = TD_OK;
    for (int64_t i = 0; i < n && rc == TD_OK; i++) {
        if (!c && (rc = take_spare(&g->pipe, &c)) != TD_OK) break;
        rc = demo__make_customer(g, c, i);
        /* Interleave the anonymous receipts so both kinds advance through
         * the two years together (see demo__make_anonymous). */
        while (rc == TD_OK && anon < (i + 1) * nanon / n) rc = demo__make_anonymous(g, c, anon++, nanon);
        if (rc == TD_OK && c->ncustomers == CHUNK_CUSTOMERS) {
            put_ready(&g->pipe, c);
            c = NULL;
        }
    }
    if (c) {
        if (rc == TD_OK) put_ready(&g->pipe, c);
        else put_spare(&g->pipe, c);
    }
    /* Sorting here overlaps with the writer finishing the last chunks. */
    if (rc == TD_OK) demo__sort_terms(g);
    return rc;
}

static void *producer_main(void *arg)
{
    struct gen *g = arg;
    int rc = produce(g);
    pthread_mutex_lock(&g->pipe.mu);
    g->pipe.producer_rc = rc;
    g->pipe.producer_done = 1;
    pthread_cond_broadcast(&g->pipe.cv);
    pthread_mutex_unlock(&g->pipe.mu);
    return NULL;
}

static int load_pipeline(struct gen *g);

/* Clienteling's tables, whose other indexes are built once after the load
 * (see load_customers). */
static const char *const PROFILE_TABLES[] = {"customer_associates", "customer_category_spend", "customer_prefs",
                                             "customer_sizes", "customer_dates", "customer_notes"};

/* Starts the producer and writes what it makes, then the sorted terms.
 * The rows of clienteling's tables come in customer order: their keys grow
 * at the end, but their other indexes (by associate, category, like) would
 * be fed at a few hundred places at once; those are dropped for the load
 * and built again after it (one sort each). */
static int load_customers(struct gen *g)
{
    struct db_index_set *deferred[COUNT(PROFILE_TABLES)] = {NULL};
    int rc = TD_OK;
    for (size_t i = 0; i < COUNT(PROFILE_TABLES) && rc == TD_OK; i++)
        rc = db_index_drop(g->db, PROFILE_TABLES[i], &deferred[i]);
    if (rc == TD_OK) rc = load_pipeline(g);
    for (size_t i = 0; i < COUNT(PROFILE_TABLES); i++) {
        int rrc = rc == TD_OK ? db_index_restore(g->db, deferred[i]) : TD_OK;   /* frees the set */
        if (rc != TD_OK) db_index_free(deferred[i]);
        if (rc == TD_OK) rc = rrc;
    }
    return rc;
}

static int load_pipeline(struct gen *g)
{
    struct pipeline *p = &g->pipe;
    for (int i = 0; i < NCHUNKS; i++) {
        if (!(p->all[i] = chunk_new())) return TD_E_NOMEM;
        p->spare[p->nspare++] = p->all[i];
    }
    pthread_t producer;
    if (pthread_create(&producer, NULL, producer_main, g) != 0) return TD_E_NOMEM;
    int rc = TD_OK;
    long long written = 0;
    struct chunk *c;
    while ((c = take_ready(p)) != NULL) {
        rc = demo__write_chunk(g, c);
        written += (long long)c->ncustomers;
        put_spare(p, c);
        if (rc != TD_OK) {
            pipeline_stop(p);
            break;
        }
        if (g->cfg->progress) g->cfg->progress(g->cfg->progress_arg, "customers", written, (long long)g->cfg->customers);
    }
    pthread_join(producer, NULL);
    if (rc == TD_OK) rc = p->producer_rc;
    if (rc == TD_OK && written != g->cfg->customers) rc = TD_E_INTERNAL;
    if (rc == TD_OK) rc = demo__write_terms(g);
    if (rc == TD_OK) rc = demo__write_keys(g);
    return rc;
}
/* Purchases are counted into the aggregates as of this moment, so the day
 * windows of the first cases see the purchases before them. */
int64_t demo_history_start_us(int64_t end_us)
{
    int64_t end_s = end_us / US;
    int64_t first_day = (end_s + clock_amsterdam_offset(end_s)) / DAY_S - HISTORY_DAYS;   /* as demo__calendar_init */
    return ((first_day + CASE_FIRST_DAY) * DAY_S - 7200) * US;
}

static void gen_free(struct gen *g)
{
    buf_free(&g->terms);
    buf_free(&g->search_text);
    free(g->products);
    for (int c = 0; c < NCATEGORIES; c++) free(g->by_category[c]);
    free(g->term_list);
    free(g->plan);
    free(g->labels);
    free(g->person);
    free(g->price_min);
    free(g->cat_days);
    free(g->mailboxes);
    free(g->key_list);
    sodium_memzero(g->secret, sizeof g->secret);
    for (size_t i = 0; i < g->npools; i++) free(g->pools[i]);
    free(g->pools);
    for (int i = 0; i < NCHUNKS; i++) chunk_free(g->pipe.all[i]);
    pthread_mutex_destroy(&g->pipe.mu);
    pthread_cond_destroy(&g->pipe.cv);
}

int demo_check_empty(struct db *db, int64_t *stores, int64_t *staff, int64_t *customers)
{
    *stores = *staff = *customers = 0;
    int rc = db_query_int64(db, "SELECT COUNT(*) FROM stores", stores);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM staff", staff);
    if (rc == TD_OK) rc = db_query_int64(db, "SELECT COUNT(*) FROM customers", customers);
    if (rc != TD_OK) return rc;
    return *stores || *staff || *customers ? TD_E_CONFLICT : TD_OK;
}

static int generate(struct gen *g)
{
    int rc;
    if ((rc = demo__load_stores(g)) != TD_OK) return rc;
    if ((rc = demo__load_staff(g)) != TD_OK) return rc;
    if ((rc = demo__load_staff_ids(g)) != TD_OK) return rc;
    if ((rc = demo__load_products(g)) != TD_OK) return rc;
    if ((rc = demo__load_collection(g)) != TD_OK) return rc;
    if (g->cfg->policy_json) {
        /* In force from before the history's first case. */
        struct dctx pc = {.db = g->db, .now_us = demo_history_start_us(g->cfg->end_us) - DAY_S * US, .addr = "cli"};
        struct errors err;
        int64_t version = 0;
        errors_init(&err);
        if ((rc = policy_save(&pc, 0, g->cfg->policy_json, g->cfg->policy_len, &err, &version)) != TD_OK) {
            log_msg(LOG_ERROR, "demo policy refused", "field", err.n ? err.item[0].field : "", "problem",
                    err.n ? err.item[0].problem : err.message, NULL);
            return rc;
        }
    }
    /* The windows facts_add_receipts() would use as of the history's start. */
    int64_t start_day = demo_history_start_us(g->cfg->end_us) / (DAY_S * US);
    g->days_from_us = (start_day - FACTS_PURCHASE_WINDOW_DAYS) * DAY_S * US;
    g->price_day0 = start_day - FACTS_PRICE_KEEP_DAYS;
    g->nprice_days = g->cfg->end_us / (DAY_S * US) - g->price_day0 + 1;
    if (!(g->price_min = calloc((size_t)(g->nproducts * g->nprice_days), sizeof *g->price_min))) return TD_E_NOMEM;
    g->cat_day0 = start_day - FACTS_KEEP_DAYS;
    g->ncat_days = g->cfg->end_us / (DAY_S * US) - g->cat_day0 + 1;
    if (!(g->cat_days = calloc((size_t)(NCATEGORIES * g->ncat_days), sizeof *g->cat_days))) return TD_E_NOMEM;
    for (g->mailbox_cap = 1024; g->mailbox_cap < (size_t)g->cfg->customers * 2; g->mailbox_cap *= 2) {}
    if (!(g->mailboxes = calloc(g->mailbox_cap, sizeof *g->mailboxes))) return TD_E_NOMEM;
    if ((rc = identity_secret(g->db, g->cfg->end_us, 1, g->secret)) != TD_OK) return rc;
    if ((rc = load_customers(g)) != TD_OK) return rc;
    if ((rc = demo__run_history(g)) != TD_OK) return rc;
    if ((rc = demo__plant_goodwill(g, demo_history_start_us(g->cfg->end_us))) != TD_OK) return rc;
    if ((rc = demo__sync_ids(g)) != TD_OK) return rc;
    if ((rc = demo__feedback(g)) != TD_OK) return rc;
    struct dctx c = { .db = g->db, .now_us = g->cfg->end_us, .addr = "cli" };
    char detail[128];
    snprintf(detail, sizeof detail, "seed=%llu customers=%lld", (unsigned long long)g->cfg->seed,
             (long long)g->cfg->customers);
    return domain_audit(&c, "demo.generate", "database", detail);
}

int demo_generate(struct db *db, const struct demo_config *cfg, struct demo_summary *out)
{
    memset(out, 0, sizeof *out);
    if (cfg->customers < 1 || cfg->customers > DEMO_MAX_CUSTOMERS || !cfg->password_hash) return TD_E_INVALID;
    struct gen *g = calloc(1, sizeof *g);
    if (!g) return TD_E_NOMEM;
    g->db = db;
    g->cfg = cfg;
    g->sum = out;
    if (!(g->person = calloc(1, sizeof *g->person))) {
        free(g);
        return TD_E_NOMEM;
    }
    g->next_receipt_id = 1;
    /* Loyalty numbers keep 8 digits of sequence: steps shrink for big runs. */
    g->loyalty_step = 90000000 / cfg->customers;
    if (g->loyalty_step > 40) g->loyalty_step = 40;
    if (g->loyalty_step < 1) g->loyalty_step = 1;
    g->loyalty_seq = 1000000;
    g->next_date_id = g->next_note_id = 1;
    /* Categories in the order of their names (customer_category_spend's key). */
    for (int k = 0; k < NCATEGORIES; k++) {
        int j = k;
        for (; j > 0 && strcmp(demo_categories[g->cat_order[j - 1]], demo_categories[k]) > 0; j--)
            g->cat_order[j] = g->cat_order[j - 1];
        g->cat_order[j] = k;
    }
    buf_init(&g->terms, 8192);
    buf_init(&g->search_text, SEARCH_TEXT_SZ - 1);
    demo__calendar_init(&g->cal, cfg->end_us);
    pthread_mutex_init(&g->pipe.mu, NULL);
    pthread_cond_init(&g->pipe.cv, NULL);
    int rc = db_begin(db, 1);
    if (rc == TD_OK) {
        rc = generate(g);
        if (rc == TD_OK) rc = db_commit(db);
        if (rc != TD_OK) db_rollback(db);
    }
    gen_free(g);
    free(g);
    if (rc != TD_OK) memset(out, 0, sizeof *out);
    return rc;
}
