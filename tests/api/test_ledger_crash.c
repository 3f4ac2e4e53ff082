/* test_ledger_crash.c — kill -9 the server at random moments of mixed load,
 * 50 times, on SQLite and on PostgreSQL (docs/reliability.md has the figures).
 *
 * A round: eight credit notes are issued, then six clients work at once —
 * three tills redeem the notes, two desks open cases and resolve them with
 * store credit, an admin's integration imports customer and purchase files
 * by turns — every request with its own Idempotency-Key. The server is
 * killed with SIGKILL when a condition drawn for the round comes true (a
 * number of answers, an import's file all sent, or a number of answers after
 * the first import's). A client stops at its first request that gets no
 * answer. After the restart:
 *   (1) `trustdesk ledger verify` and `trustdesk audit verify` pass;
 *   (2) every import left all of its rows or none, and all of them when it
 *       was answered 200;
 *   (3) no case is half resolved: a case resolved with store credit has its
 *       one credit note, and every note issued for a case belongs to a case
 *       resolved with it;
 *   (4) every request answered 2xx (and every refusal with 409 or 422), sent
 *       again with its key, gets the same status and the same body, with
 *       Idempotent-Replayed: true;
 *   (5) every request cut off (or answered 5xx), sent again with its key,
 *       gets a final answer (a replay when it had committed before the
 *       crash); then each note's history holds exactly the redemptions
 *       answered 201, once each, and its balance is what they leave.
 *   (6) every case resolved has its one survey mail in the outbox, and no
 *       mail is there without its case (the same transaction).
 * Mail is sent all the while: each resolved case's customer is asked the
 * survey question through a real SMTP server on loopback (tests/api/sink.h),
 * which lives through the kills. At the end, once the leases of messages
 * claimed at a kill have run out (the test moves them on, not the clock),
 * every message in the outbox has arrived, by its Message-ID; one may have
 * arrived twice when a kill fell between the SMTP server's 250 and the mark
 * (docs/mail.md), never more than once per kill.
 * The counts (answered, cut off, verified, mailed) are printed at the end.
 * TRUSTDESK_CRASH_ROUNDS sets another number of rounds; TRUSTDESK_CRASH_SEED
 * repeats a run's random choices (the seed is printed), though not the
 * threads' timing. */
#define _GNU_SOURCE            /* vasprintf, open_memstream */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/clock.h"
#include "db/db.h"
#include "harness.h"
#include "sink.h"
#include "cmocka_main.h"

#define ROUNDS 50
#define NOTES 8
#define NOTE_CENTS 20000
#define TILLS 3
#define DESKS 2
#define CALLS_MAX 4096               /* requests kept per round; a full log ends the round's load */
#define FILE_CUSTOMERS 150           /* lines of a customer file */
#define FILE_RECEIPTS 30             /* receipts of a purchase file ... */
#define RECEIPT_LINES 5              /* ... of this many lines each ... */
#define FILE_SKUS 10                 /* ... over this many new products */
#define IMPORT_EVERY 10              /* answers to others between two imports */
#define ANSWERS_MAX 400              /* the kill comes after this many answers at the latest */
#define CASES_PER_ROUND 60           /* at most; then the desks stop for the round */
#define CUSTOMERS (ROUNDS * CASES_PER_ROUND) /* one case each; imported before the first round */
#define IMPORT_CHUNK 500             /* customers a file, for those */

enum kind { K_ISSUE, K_REDEEM, K_OPEN, K_RESOLVE, K_CUSTOMERS, K_PURCHASES };

/* One request of a round, as sent and as answered. */
struct call {
    enum kind kind;
    char path[112];
    char key[48];                    /* the Idempotency-Key, also the till reference of a redemption */
    char *body;                      /* owned */
    int note;                        /* K_REDEEM: which of codes[] */
    int cents;                       /* K_REDEEM */
    char prefix[32];                 /* imports: what the file's loyalty numbers, receipts and SKUs start with */
    long status;                     /* the answer's status (the last one, after a retry) */
    char *answer;                    /* owned: the answer's body */
    long long id;                    /* K_OPEN: the case opened */
    int cut;                         /* sent, but no answer came (the server died, or was gone) */
};

static struct server srv;
static struct sink smtp;
static char staff_token[64], admin_token[64];
static char codes[NOTES][40];
static long long customer_ids[CUSTOMERS];
static int cases_opened;              /* in this round, under lock */
static int round_no;
/* The round's checks read the database through this connection and send
 * requests again through these clients; they are kept here, not on
 * one_round's stack, so that a failing check (which leaves one_round at once)
 * does not leak them: teardown closes them. */
static struct db *check_db;
static struct client check_staff, check_admin;

/* The round's log and the load's progress, under lock. */
static struct call calls[CALLS_MAX];
static int ncalls;
static int answers;                  /* answers received during the load */
static int files_sent;               /* imports whose whole file was sent */
static int imported_at;              /* answers when the first import was answered, -1 before */
static int running;                  /* clients still working */
static int killed;                   /* the server of this round is dead */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;

/* What the whole run saw. */
static struct {
    long answered, answered_2xx, refusals, cut, verified, committed, imports, imports_cut, imports_cut_whole, resolved;
    long mailed, mailed_twice;
} total;

/* A scarf from another shop, brought back new by a customer with no history
 * (a new one each case, so that the guard sees nothing; more rounds than
 * ROUNDS come back to the first customers): store credit. */
static const char case_body[] =
    "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
    "\"customer_words\":\"Past niet.\",\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Sjaal\","
    "\"stated_price_cents\":3000,\"condition\":\"new\"}]}";
static const char resolve_body[] = "{\"resolution\":\"store_credit\",\"amount_cents\":3000}";

static int is_import(enum kind k) { return k == K_CUSTOMERS || k == K_PURCHASES; }

static void token_client(struct client *c, const char *token)
{
    client_init(c, &srv);
    snprintf(c->bearer, sizeof c->bearer, "%s", token);
    c->no_origin = 1;
}

/* Clients run on threads of their own, where cmocka's asserts must not be
 * used: memory running out there ends the test at once. */
static void *need(void *p)
{
    if (!p) {
        fprintf(stderr, "test_ledger_crash: out of memory\n");
        abort();
    }
    return p;
}

static char *text(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    if (vasprintf(&s, fmt, ap) < 0) s = NULL;
    va_end(ap);
    return need(s);
}

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"kassa", "manager", "UTR01", NULL}, MEMBERS_END};
    static struct client admin;          /* freed by chain_teardown */
    sink_start(&smtp, "accept", 0);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%d", smtp.port);
    setenv("TRUSTDESK_SMTP_URL", url, 1);   /* for every restart of the server too */
    setenv("TRUSTDESK_MAIL_INTERVAL", "1", 1);
    if (chain_start(&srv, &admin, "UTR01", staff) != 0) return -1;
    /* The customers of the cases to come, in files of IMPORT_CHUNK (each
     * well inside a request's time on a loaded machine); every fourth has
     * an e-mail address, so that resolving their case sends mail. */
    for (int from = 0; from < CUSTOMERS; from += IMPORT_CHUNK) {
        char *csv = NULL;
        size_t n = 0;
        FILE *f = open_memstream(&csv, &n);
        if (!f) return -1;
        fputs("loyalty_number,name,email\n", f);
        for (int i = from; i < CUSTOMERS && i < from + IMPORT_CHUNK; i++)
            if (i % 4 == 0) fprintf(f, "CR-%05d,Klant %d,klant%d@example.nl\n", i, i, i);
            else fprintf(f, "CR-%05d,Klant %d,\n", i, i);
        fclose(f);
        struct resp r;
        int rc = req_h(&admin, "POST", "/api/v1/imports/customers", csv, &r, "Content-Type: text/csv", NULL);
        free(csv);
        if (rc != 0 || r.status != 200) return -1;
        resp_free(&r);
    }
    struct db *db = NULL;
    struct db_stmt *st = NULL;
    if (db_open(srv.db_url, &db) != TD_OK ||
        db_prepare(db, "SELECT id FROM customers WHERE loyalty_number LIKE 'CR-%' ORDER BY loyalty_number", &st) != TD_OK)
        return -1;
    for (int i = 0; i < CUSTOMERS && db_step(st) == TD_ROW; i++) customer_ids[i] = db_col_int64(st, 0);
    db_done(st);
    db_close(db);
    if (customer_ids[CUSTOMERS - 1] <= 0) return -1;
    if (cli_token(&srv, "kassa", staff_token, sizeof staff_token) != 0) return -1;
    return cli_token(&srv, ADMIN_LOGIN, admin_token, sizeof admin_token);
}

static int teardown(void **state)
{
    db_close(check_db);
    check_db = NULL;
    client_free(&check_staff);
    client_free(&check_admin);
    int rc = chain_teardown(state);
    unsetenv("TRUSTDESK_SMTP_URL");
    unsetenv("TRUSTDESK_MAIL_INTERVAL");
    if (smtp.dir[0]) sink_free(&smtp);
    return rc;
}

/* ---- the load ------------------------------------------------------------ */

/* A new entry in the round's log, NULL when it is full. */
static struct call *call_new(enum kind kind)
{
    pthread_mutex_lock(&lock);
    struct call *k = ncalls < CALLS_MAX ? &calls[ncalls++] : NULL;
    if (k) {
        memset(k, 0, sizeof *k);
        k->kind = kind;
        snprintf(k->key, sizeof k->key, "%c%d-%d", "nrcvkp"[kind], round_no, (int)(k - calls));
    }
    pthread_mutex_unlock(&lock);
    return k;
}

/* POSTs the call with its Idempotency-Key and content type into r; 0 when
 * answered, -1 when not (req_h's word). */
static int post_keyed(struct client *c, const struct call *k, struct resp *r)
{
    char key[80];
    snprintf(key, sizeof key, "Idempotency-Key: %s", k->key);
    return req_h(c, "POST", k->path, k->body, r, key,
                 is_import(k->kind) ? "Content-Type: text/csv" : "Content-Type: application/json", NULL);
}

/* Sends the call with its key. 0 when answered (status and body kept in the
 * call), -1 when no answer came. A request that found the server already
 * gone counts as cut off too: the client cannot tell it from one that was
 * taken in and lost (curl sends a request again on a fresh connection when
 * a kept-alive one turns out dead), and its retry decides either way. */
static int send_call(struct client *c, struct call *k)
{
    struct resp r;
    if (post_keyed(c, k, &r) != 0) {
        k->cut = 1;
        return -1;
    }
    k->status = r.status;
    k->answer = need(strdup(r.body));
    if (k->kind == K_OPEN && r.status == 201) k->id = jint(r.json, "id");
    resp_free(&r);
    return 0;
}

static void answered(const struct call *k)
{
    pthread_mutex_lock(&lock);
    answers++;
    if (is_import(k->kind) && imported_at < 0) imported_at = answers;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void file_sent(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    files_sent++;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void client_done(void)
{
    pthread_mutex_lock(&lock);
    running--;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
}

static void *till(void *arg)
{
    unsigned seed = (unsigned)(uintptr_t)arg;
    struct client c;
    token_client(&c, staff_token);
    struct call *k;
    while ((k = call_new(K_REDEEM))) {
        k->note = (int)(rand_r(&seed) % NOTES);
        /* One in twenty asks more than a note holds: a refusal (409) that
         * its key must keep as well. */
        k->cents = rand_r(&seed) % 20 == 0 ? NOTE_CENTS + 1 : 1 + (int)(rand_r(&seed) % 50);
        snprintf(k->path, sizeof k->path, "/api/v1/credit-notes/%.30s/redemptions", codes[k->note]);
        k->body = text("{\"amount_cents\":%d,\"store_code\":\"UTR01\",\"till_reference\":\"%s\"}", k->cents, k->key);
        if (send_call(&c, k) != 0) break;
        answered(k);
    }
    client_free(&c);
    client_done();
    return NULL;
}

static void *desk(void *arg)
{
    (void)arg;
    struct client c;
    token_client(&c, staff_token);
    struct call *open, *res;
    for (;;) {
        pthread_mutex_lock(&lock);
        long long customer = cases_opened < CASES_PER_ROUND
                                 ? customer_ids[(round_no * CASES_PER_ROUND + cases_opened++) % CUSTOMERS] : 0;
        pthread_mutex_unlock(&lock);
        if (!customer || !(open = call_new(K_OPEN))) break;
        snprintf(open->path, sizeof open->path, "/api/v1/cases");
        open->body = text(case_body, customer);
        if (send_call(&c, open) != 0) break;
        answered(open);
        if (open->status != 201) continue;
        if (!(res = call_new(K_RESOLVE))) break;
        snprintf(res->path, sizeof res->path, "/api/v1/cases/%lld/resolve", open->id);
        res->body = text("%s", resolve_body);
        if (send_call(&c, res) != 0) break;
        answered(res);
    }
    client_free(&c);
    client_done();
    return NULL;
}

/* "YYYY-MM-DD HH:MM" two days ago, as a till writes it. */
static void two_days_ago(char *out, size_t n)
{
    time_t t = time(NULL) - 2 * 86400;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, n, "%Y-%m-%d %H:%M", &tm);
}

/* A file of new rows, all starting with k->prefix. */
static char *import_file(const struct call *k)
{
    char *s = NULL;
    size_t n = 0;
    FILE *f = need(open_memstream(&s, &n));
    if (k->kind == K_CUSTOMERS) {
        fputs("loyalty_number,name\n", f);
        for (int i = 0; i < FILE_CUSTOMERS; i++) fprintf(f, "K%s-%03d,Klant %d van bestand %s\n", k->prefix, i, i, k->prefix);
    } else {
        char at[32];
        two_days_ago(at, sizeof at);
        fputs("receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n", f);
        for (int i = 0; i < FILE_RECEIPTS; i++)
            for (int j = 0; j < RECEIPT_LINES; j++) {
                int sku = (i * RECEIPT_LINES + j) % FILE_SKUS;
                fprintf(f, "P%s-%03d,%s,UTR01,,S%s-%02d,Artikel %d,Noordzee,Shirts,%d.95,1\n", k->prefix, i, at,
                        k->prefix, sku, sku, 10 + sku);
            }
    }
    fclose(f);
    return s;
}

static void *importer(void *arg)
{
    (void)arg;
    struct client c;
    token_client(&c, admin_token);
    c.on_sent = file_sent;
    struct call *k;
    int last = 0;
    for (int i = 0;; i++) {
        /* A file after every IMPORT_EVERY other answers: alone, the imports
         * would crowd out the tills on SQLite, where they hold the one
         * write lock. */
        pthread_mutex_lock(&lock);
        while (!killed && answers < last + IMPORT_EVERY) pthread_cond_wait(&changed, &lock);
        last = answers;
        int stop = killed;
        pthread_mutex_unlock(&lock);
        if (stop || !(k = call_new(i % 2 ? K_PURCHASES : K_CUSTOMERS))) break;
        snprintf(k->prefix, sizeof k->prefix, "%d-%d", round_no, i);
        snprintf(k->path, sizeof k->path, "/api/v1/imports/%s", k->kind == K_CUSTOMERS ? "customers" : "purchases");
        k->body = import_file(k);
        if (send_call(&c, k) != 0) break;
        answered(k);
    }
    client_free(&c);
    client_done();
    return NULL;
}

/* ---- the checks after a restart ----------------------------------------- */

static void verify_with_cli(const char *what)
{
    char out[8192];
    if (run_cli(NULL, out, sizeof out, what, "verify", "--db", srv.db_url, NULL) != 0)
        fail_msg("round %d: %s verify failed:\n%s", round_no, what, out);
}

/* (2): all of an import's rows or none; all when it was answered 200.
 * Returns 1 when the import's rows are there, 0 when none are, -1 when none
 * are though it was answered 200 (the caller fails, saying what the server
 * answers to it now). */
static int import_rows(struct db *db, const struct call *k)
{
    long long have, want;
    if (k->kind == K_CUSTOMERS) {
        have = db_query_intf(db, "SELECT COUNT(*) FROM customers WHERE loyalty_number LIKE 'K%s-%%'", k->prefix);
        want = FILE_CUSTOMERS;
    } else {
        long long receipts = db_query_intf(db, "SELECT COUNT(*) FROM receipts WHERE receipt_ref LIKE 'P%s-%%'", k->prefix);
        long long lines = db_query_intf(db, "SELECT COUNT(*) FROM purchase_lines l JOIN receipts r ON r.id = l.receipt_id"
                                            " WHERE r.receipt_ref LIKE 'P%s-%%'", k->prefix);
        long long products = db_query_intf(db, "SELECT COUNT(*) FROM products WHERE sku LIKE 'S%s-%%'", k->prefix);
        int none = receipts == 0 && lines == 0 && products == 0;
        int all = receipts == FILE_RECEIPTS && lines == FILE_RECEIPTS * RECEIPT_LINES && products == FILE_SKUS;
        if (!none && !all)
            fail_msg("round %d: import %s left part of its rows: %lld receipts, %lld lines, %lld products", round_no,
                     k->key, receipts, lines, products);
        have = all;
        want = 1;
    }
    if (have != 0 && have != want) fail_msg("round %d: import %s left %lld of %lld rows", round_no, k->key, have, want);
    if (k->status == 200 && have != want) return -1;
    return have == want;
}

/* An import answered 200 whose rows are not there: fails, with its answer,
 * what the same request with its key gets now, and what SQLite's integrity
 * check says. A stored answer replayed means the key committed without the
 * rows; a fresh run means nothing committed although 200 was answered; an
 * integrity check that is not "ok" means pages that had committed were lost
 * below the application. */
static void fail_missing_import(const struct call *k)
{
    char integrity[300] = "not run";
    struct db_stmt *st = NULL;
    if (check_db && db_backend(check_db) == DB_SQLITE &&
        db_prepare_dynamic(check_db, "PRAGMA integrity_check", &st) == TD_OK && db_step(st) == TD_ROW)
        snprintf(integrity, sizeof integrity, "%s", db_col_text(st, 0));
    db_done(st);
    struct client c;
    token_client(&c, admin_token);
    char replayed[16] = "", now[600] = "no answer";
    struct resp r;
    if (post_keyed(&c, k, &r) == 0) {
        resp_header(&r, "Idempotent-Replayed", replayed, sizeof replayed);
        snprintf(now, sizeof now, "%ld %.400s (replayed: '%s')", r.status, r.body, replayed);
        resp_free(&r);
    }
    client_free(&c);
    fail_msg("round %d: import %s was answered 200 but its rows are missing; it was answered %.400s, and sent again"
             " now it gets %s; integrity check: %s", round_no, k->key, k->answer ? k->answer : "", now, integrity);
}

/* (3): resolved <=> its credit note exists. */
static void no_half_resolved_case(struct db *db)
{
    long long resolved_without = db_query_intf(db,
        "SELECT COUNT(*) FROM cases c WHERE c.resolution = 'store_credit' AND c.status IN ('resolved', 'followed_up')"
        " AND (c.credit_note_id IS NULL OR (SELECT COUNT(*) FROM credit_notes n WHERE n.case_id = c.id) <> 1"
        " OR NOT EXISTS (SELECT 1 FROM credit_notes n WHERE n.id = c.credit_note_id AND n.case_id = c.id))");
    long long note_without = db_query_intf(db,
        "SELECT COUNT(*) FROM credit_notes n WHERE n.case_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM cases c"
        " WHERE c.id = n.case_id AND c.credit_note_id = n.id AND c.status IN ('resolved', 'followed_up'))");
    if (resolved_without || note_without)
        fail_msg("round %d: %lld cases resolved without their one credit note, %lld notes of cases not resolved",
                 round_no, resolved_without, note_without);
}

/* (6): a resolved case has its one survey mail in the outbox, and every
 * survey mail its resolved case. */
static void no_mail_without_its_case(struct db *db)
{
    long long without_mail = db_query_intf(db,      /* of those with an address */
        "SELECT COUNT(*) FROM cases c JOIN customers cu ON cu.id = c.customer_id"
        " WHERE c.status IN ('resolved', 'followed_up') AND COALESCE(cu.email, '') <> '' AND NOT EXISTS (SELECT 1"
        " FROM surveys v JOIN mail_outbox m ON m.customer_id = v.customer_id AND m.created_at = v.sent_at"
        " WHERE v.customer_id = c.customer_id)");
    long long mails_per_survey = db_query_intf(db,
        "SELECT COUNT(*) FROM surveys v WHERE (SELECT COUNT(*) FROM mail_outbox m WHERE m.customer_id = v.customer_id"
        " AND m.created_at = v.sent_at) <> 1 OR NOT EXISTS (SELECT 1 FROM cases c WHERE c.id = v.case_id"
        " AND c.status IN ('resolved', 'followed_up'))");
    long long without_case = db_query_intf(db,
        "SELECT COUNT(*) FROM mail_outbox m WHERE NOT EXISTS (SELECT 1 FROM surveys v"
        " WHERE v.customer_id = m.customer_id AND v.sent_at = m.created_at)");
    if (without_mail || mails_per_survey || without_case)
        fail_msg("round %d: %lld resolved cases whose customer was never mailed, %lld surveys without their one mail"
                 " or their resolved case, %lld mails without their survey", round_no, without_mail, mails_per_survey,
                 without_case);
}

/* The Message-ID header of a message as the SMTP server received it. */
static int message_id_of(const char *path, char *out, size_t n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return -1;
    char line[1024];
    int found = -1;
    while (found < 0 && fgets(line, sizeof line, f)) {
        if (line[0] == '\r' || line[0] == '\n') break;                /* the end of the headers */
        if (strncasecmp(line, "Message-ID:", 11) == 0) {
            const char *v = line + 11;
            while (*v == ' ') v++;
            snprintf(out, n, "%.*s", (int)strcspn(v, "\r\n"), v);
            found = 0;
        }
    }
    fclose(f);
    return found;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* At the end: the leases of messages claimed at a kill are moved on (as if
 * their ten minutes had passed), every message of the outbox is marked sent
 * once the sender has handed it over, and the SMTP server holds each by its
 * Message-ID: none missing, none that the outbox does not know, and none
 * twice more often than there were kills. */
static void every_mail_arrives(int kills)
{
    struct db *db = NULL;
    assert_int_equal(db_open(srv.db_url, &db), TD_OK);
    assert_int_equal(db_run(db, "UPDATE mail_outbox SET next_attempt_at = 0 WHERE sent_at IS NULL AND failed_at IS NULL",
                            NULL, ""), TD_OK);
    long long waiting = -1, failed = 0;
    for (int64_t end = sink_deadline() + 4 * SINK_WAIT_US; clock_mono_us() < end; sink_pause()) {
        waiting = db_query_intf(db, "SELECT COUNT(*) FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL");
        if (waiting == 0) break;
    }
    failed = db_query_intf(db, "SELECT COUNT(*) FROM mail_outbox WHERE failed_at IS NOT NULL");
    if (waiting != 0 || failed != 0)
        fail_msg("%lld mails still waiting and %lld given up on, with the SMTP server up", waiting, failed);
    long long rows = db_query_intf(db, "SELECT COUNT(*) FROM mail_outbox");
    char **want = calloc((size_t)rows + 1, sizeof *want);
    assert_non_null(want);
    struct db_stmt *st = NULL;
    assert_int_equal(db_prepare(db, "SELECT message_id FROM mail_outbox ORDER BY message_id", &st), TD_OK);
    long long nw = 0;
    while (nw < rows && db_step(st) == TD_ROW) {
        want[nw++] = strdup(db_col_text(st, 0));
    }
    db_done(st);
    db_close(db);
    int got_n = sink_count(&smtp);
    char **got = calloc((size_t)got_n + 1, sizeof *got);
    assert_non_null(got);
    for (int i = 0; i < got_n; i++) {
        char path[256], id[512];
        snprintf(path, sizeof path, "%s/%d.eml", smtp.dir, i + 1);
        if (message_id_of(path, id, sizeof id) != 0) fail_msg("%s has no Message-ID", path);
        got[i] = strdup(id);
    }
    qsort(want, (size_t)nw, sizeof *want, cmp_str);
    qsort(got, (size_t)got_n, sizeof *got, cmp_str);
    long twice = 0;
    long long w = 0;
    for (int g = 0; g < got_n; g++) {
        if (g > 0 && strcmp(got[g], got[g - 1]) == 0) {
            twice++;
            continue;
        }
        while (w < nw && strcmp(want[w], got[g]) < 0) fail_msg("mail %s is marked sent and never arrived", want[w]);
        if (w >= nw || strcmp(want[w], got[g]) != 0) fail_msg("mail %s arrived and is not in the outbox", got[g]);
        w++;
    }
    if (w < nw) fail_msg("mail %s is marked sent and never arrived", want[w]);
    if (twice > kills) fail_msg("%ld mails arrived twice in %d kills", twice, kills);
    total.mailed = nw;
    total.mailed_twice = twice;
    for (long long i = 0; i < nw; i++) free(want[i]);
    for (int i = 0; i < got_n; i++) free(got[i]);
    free(want);
    free(got);
}

/* (4): the same request with the same key gets the same answer. */
static void replay(struct client *c, struct call *k)
{
    char replayed[16];
    struct resp r;
    assert_int_equal(post_keyed(c, k, &r), 0);
    resp_header(&r, "Idempotent-Replayed", replayed, sizeof replayed);
    if (r.status != k->status || strcmp(r.body, k->answer) != 0 || strcmp(replayed, "true") != 0)
        fail_msg("round %d: %s %s answered %ld %s before the crash, and %ld %s (replayed: '%s') after", round_no,
                 k->path, k->key, k->status, k->answer, r.status, r.body, replayed);
    resp_free(&r);
}

/* (5): a request without a final answer, sent again with its key. Returns 1
 * when it had committed before the crash (its stored answer came back). */
static int retry(struct client *c, struct call *k)
{
    char replayed[16];
    struct resp r;
    assert_int_equal(post_keyed(c, k, &r), 0);
    if (!(r.status >= 200 && r.status < 300) && r.status != 409 && r.status != 422)
        fail_msg("round %d: %s %s retried after the crash: %ld %s", round_no, k->path, k->key, r.status, r.body);
    int was_done = strcmp(resp_header(&r, "Idempotent-Replayed", replayed, sizeof replayed), "true") == 0;
    k->status = r.status;
    free(k->answer);
    k->answer = strdup(r.body);
    resp_free(&r);
    return was_done;
}

/* 1 when the note's history holds the redemption with this till reference
 * (the count, so that twice shows). */
static int in_history(json_t *hist, const char *till)
{
    int n = 0;
    for (size_t i = 0; i < json_array_size(hist); i++) {
        const char *t = json_string_value(json_object_get(json_array_get(hist, i), "till_reference"));
        if (t && strcmp(t, till) == 0) n++;
    }
    return n;
}

/* Each note's history holds exactly the redemptions answered 201, once. */
static void notes_hold_exactly_the_paid(struct client *c)
{
    for (int n = 0; n < NOTES; n++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/credit-notes/%.30s", codes[n]);
        struct resp r;
        req_expect(c, "GET", path, NULL, 200, &r);
        json_t *hist = json_object_get(r.json, "history");
        long long spent = 0;
        for (int i = 0; i < ncalls; i++) {
            const struct call *k = &calls[i];
            if (k->kind != K_REDEEM || k->note != n) continue;
            int seen = in_history(hist, k->key);
            if (seen != (k->status == 201))
                fail_msg("round %d: redemption %s answered %ld is in the history %d times", round_no, k->key, k->status,
                         seen);
            spent += seen ? k->cents : 0;
        }
        assert_int_equal(jint(r.json, "balance_cents"), NOTE_CENTS - spent);
        resp_free(&r);
    }
}

static void issue_notes(void)
{
    struct client c;
    token_client(&c, staff_token);
    for (int n = 0; n < NOTES; n++) {
        struct call *k = call_new(K_ISSUE);
        assert_non_null(k);
        snprintf(k->path, sizeof k->path, "/api/v1/credit-notes");
        k->body = text("{\"amount_cents\":%d,\"reason\":\"crash test\"}", NOTE_CENTS);
        assert_int_equal(send_call(&c, k), 0);
        assert_int_equal(k->status, 201);
        json_error_t e;
        json_t *j = json_loads(k->answer, 0, &e);
        snprintf(codes[n], sizeof codes[n], "%s", jstr(j, "code"));
        json_decref(j);
    }
    client_free(&c);
}

static void one_round(unsigned seed)
{
    ncalls = answers = files_sent = killed = cases_opened = 0;
    imported_at = -1;
    issue_notes();
    int how = round_no % 3;
    int target = how == 1 ? 1 + (int)(rand_r(&seed) % 2) : (int)(rand_r(&seed) % (how == 0 ? 150 : 30));
    pthread_t t[TILLS + DESKS + 1];
    int nt = 0;
    running = TILLS + DESKS + 1;
    for (int i = 0; i < TILLS; i++) pthread_create(&t[nt++], NULL, till, (void *)(uintptr_t)rand_r(&seed));
    for (int i = 0; i < DESKS; i++) pthread_create(&t[nt++], NULL, desk, NULL);
    pthread_create(&t[nt++], NULL, importer, NULL);
    /* The crash comes, by turns: once a random number of answers has come
     * back; the moment the first or second import's file is all sent (its
     * transaction about to run); a random number of answers after the first
     * import was answered (imports are slow on PostgreSQL: without this, a
     * round could end before any import was answered there). At the latest
     * after ANSWERS_MAX answers: on SQLite an import may wait long for the
     * write lock while the tills' group commits follow each other. */
    pthread_mutex_lock(&lock);
    while (running > 0 && answers < ANSWERS_MAX &&
           !(how == 0   ? answers > target
             : how == 1 ? files_sent >= target
                        : imported_at >= 0 && answers >= imported_at + target))
        pthread_cond_wait(&changed, &lock);
    pthread_mutex_unlock(&lock);
    server_kill9(&srv);
    pthread_mutex_lock(&lock);
    killed = 1;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    for (int i = 0; i < nt; i++) pthread_join(t[i], NULL);
    assert_int_equal(server_restart(&srv), 0);

    verify_with_cli("ledger");
    verify_with_cli("audit");
    assert_int_equal(db_open(srv.db_url, &check_db), TD_OK);
    struct db *db = check_db;
    for (int i = 0; i < ncalls; i++) {
        struct call *k = &calls[i];
        if (!is_import(k->kind)) continue;
        int whole = import_rows(db, k);
        if (whole < 0) fail_missing_import(k);
        total.imports++;
        if (k->cut) {
            total.imports_cut++;
            total.imports_cut_whole += whole;
        }
    }
    no_half_resolved_case(db);

    token_client(&check_staff, staff_token);
    token_client(&check_admin, admin_token);
    for (int i = 0; i < ncalls; i++) {
        struct call *k = &calls[i];
        struct client *c = is_import(k->kind) ? &check_admin : &check_staff;
        if (k->kind == K_ISSUE) {
            replay(c, k);
        } else if (k->cut) {
            total.cut++;
            total.committed += retry(c, k);
        } else {
            total.answered++;
            if (k->status >= 200 && k->status < 300) {
                total.answered_2xx++;
                replay(c, k);
                total.verified++;
            } else if (k->status == 409 || k->status == 422) {
                replay(c, k);      /* refusals a retry cannot change are kept under the key too */
                total.refusals++;
            } else {
                retry(c, k);       /* a 5xx or 429: a till would try again */
            }
        }
    }
    notes_hold_exactly_the_paid(&check_staff);
    for (int i = 0; i < ncalls; i++)
        if (is_import(calls[i].kind)) {
            int whole = import_rows(db, &calls[i]);
            if (whole < 0) fail_missing_import(&calls[i]);
            if (whole == 0)
                fail_msg("round %d: import %s was retried but its rows are missing", round_no, calls[i].key);
        }
    no_half_resolved_case(db);
    no_mail_without_its_case(db);
    total.resolved = db_query_intf(db, "SELECT COUNT(*) FROM cases WHERE status = 'resolved'");
    db_close(check_db);
    check_db = NULL;
    client_free(&check_staff);
    client_free(&check_admin);
    for (int i = 0; i < ncalls; i++) {
        free(calls[i].body);
        free(calls[i].answer);
    }
}

static void crash_during_mixed_load(void **state)
{
    (void)state;
    const char *r = getenv("TRUSTDESK_CRASH_ROUNDS"), *s = getenv("TRUSTDESK_CRASH_SEED");
    long asked = r && *r ? strtol(r, NULL, 10) : 0;
    int rounds = asked > 0 && asked < 100000 ? (int)asked : ROUNDS;
    unsigned seed = s && *s ? (unsigned)strtoul(s, NULL, 10) : (unsigned)time(NULL);
    print_message("crash loop: %d rounds, seed %u (TRUSTDESK_CRASH_SEED=%u repeats it)\n", rounds, seed, seed);
    memset(&total, 0, sizeof total);
    for (round_no = 0; round_no < rounds; round_no++) one_round(seed + (unsigned)round_no * 7919u);
    verify_with_cli("ledger");
    every_mail_arrives(rounds);
    print_message("crash loop [%s]: %d kills; %ld requests answered (%ld 2xx, %ld refusals such as 409);"
                  " %ld cut off, of which %ld had committed (their retry got the stored answer);"
                  " %ld of %ld 2xx answers verified by replay, the refusals too;"
                  " %ld imports, %ld cut off (%ld whole, %ld left no rows); %ld cases resolved, none half;"
                  " %ld mails, every one arrived, %ld of them twice (a kill between the 250 and the mark)\n",
                  server_is_pg(&srv) ? "postgres" : "sqlite", rounds, total.answered, total.answered_2xx,
                  total.refusals, total.cut, total.committed, total.verified, total.answered_2xx, total.imports,
                  total.imports_cut, total.imports_cut_whole, total.imports_cut - total.imports_cut_whole,
                  total.resolved, total.mailed, total.mailed_twice);
    assert_int_equal(total.verified, total.answered_2xx);
    assert_true(total.mailed > 0);
    assert_true(total.answered_2xx > 0);
    assert_true(total.cut > 0);      /* the kills came while the clients were at work */
}

TD_TEST_MAIN("api_ledger_crash", setup, teardown,
             cmocka_unit_test(crash_during_mixed_load))
