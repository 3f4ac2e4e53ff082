/* test_privacy.c — what a copy of the database gives away, on SQLite and
 * PostgreSQL (docs/security.md):
 *   - no credit-note code, in the database files (SQLite: file, WAL,
 *     journal; PostgreSQL: a full pg_dump) nor in a `trustdesk backup`,
 *     while keyed retries still get the same answers;
 *   - after an erasure, no name, e-mail, phone or loyalty number that staff
 *     typed anywhere the API takes free text (the clienteling profile's
 *     likes, dates and notes too), and no remembered answer that replays
 *     them; the bookkeeping stays and `ledger verify` passes;
 *   - a database remembered by an older release keeps its texts and its
 *     answers, without the codes, after the upgrade. */
#define _GNU_SOURCE            /* strcasestr */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include "core/code.h"
#include "core/token.h"
#include "db/db.h"
#include "harness.h"
#include "cmocka_main.h"

static struct server srv;
static struct client admin, anna, mark;

static int setup(void **state)
{
    (void)state;
    static const struct member staff[] = {{"anna", "associate", "UTR01", &anna}, {"mark", "manager", "UTR01", &mark},
                                          MEMBERS_END};
    if (token_init() != TD_OK) return -1;
    return chain_start(&srv, &admin, "UTR01", staff);
}

/* ---- helpers --------------------------------------------------------------- */

/* POSTs body (with an Idempotency-Key when key is not NULL); asserts the
 * status. The caller frees r. */
static void post(struct client *c, const char *path, const char *body, const char *key, long want, struct resp *r)
{
    char hdr[256];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key ? key : "");
    assert_int_equal(req_h(c, "POST", path, body, r, key ? hdr : NULL, NULL), 0);
    if (r->status != want) fprintf(stderr, "POST %s: %ld %s (expected %ld)\n", path, r->status, r->body, want);
    assert_int_equal(r->status, want);
}

/* post() to /api/v1/cases/ID/WHAT. */
static void case_post(struct client *c, long long id, const char *what, const char *body, const char *key, long want,
                      struct resp *r)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/%s", id, what);
    post(c, path, body, key, want, r);
}

static void verify_ledger(const struct server *s)
{
    char out[4096];
    int rc = run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", s->db_url, NULL);
    if (rc != 0) fail_msg("ledger verify failed: %s", out);
    assert_non_null(strstr(out, "ledger verify: ok"));
}

/* The files a copy of the database consists of: SQLite's file, WAL and
 * journal, or a full pg_dump; with `backup`, also a `trustdesk backup`. */
struct files { char path[6][512]; int n; };

static void database_files(const struct server *s, int with_backup, struct files *fs)
{
    static int seq;
    fs->n = 0;
    if (server_is_pg(s)) {
        char cmd[1200];
        snprintf(fs->path[fs->n], sizeof fs->path[0], "%s/dump-%d.sql", s->dir, seq);
        snprintf(cmd, sizeof cmd, "pg_dump '%s' > '%s'", s->db_url, fs->path[fs->n]);
        assert_int_equal(system(cmd), 0);
        fs->n++;
    } else {
        static const char *const suffixes[] = {"", "-wal", "-journal"};
        for (int i = 0; i < 3; i++) snprintf(fs->path[fs->n++], sizeof fs->path[0], "%s%s", s->db_url + 7, suffixes[i]);
    }
    if (with_backup) {
        char out[2048], file[400];
        snprintf(file, sizeof file, "%s/backup-%d.db", s->dir, seq);
        int rc = run_cli(NULL, out, sizeof out, "backup", "--db", s->db_url, "--out", file, NULL);
        if (rc != 0) fail_msg("backup failed: %s", out);
        snprintf(fs->path[fs->n++], sizeof fs->path[0], "%s", file);
        snprintf(fs->path[fs->n++], sizeof fs->path[0], "%s-wal", file);
    }
    seq++;
}

static long in_files(const struct files *fs, const char *needle)
{
    long n = 0;
    for (int i = 0; i < fs->n; i++) n += file_occurrences(fs->path[i], needle, 1);
    return n;
}

/* ---- 1. credit-note codes never reach the database ------------------------- */

struct keyed {
    struct client *c;
    char path[160];
    char body[512];
    char key[64];
    long status;
    char *answer;              /* the first answer's body */
};

static void keyed_send(struct keyed *k, long want, struct resp *r)
{
    post(k->c, k->path, k->body, k->key, want, r);
    k->status = r->status;
    k->answer = strdup(r->body);
}

/* A retry with the same key and body answers the same, byte for byte. */
static void keyed_replays(const struct keyed *k)
{
    struct resp r;
    post(k->c, k->path, k->body, k->key, k->status, &r);
    char hdr[32];
    assert_string_equal(resp_header(&r, "Idempotent-Replayed", hdr, sizeof hdr), "true");
    assert_string_equal(r.body, k->answer);
    resp_free(&r);
}

/* Every form of a code a copy could be spent with: as shown, canonical, and
 * all of it but the hint of four that is stored on purpose. */
static void assert_code_absent(const struct files *fs, const char *code)
{
    char canon[CODE_CHARS + 1], shown_but_hint[32];
    assert_int_equal(code_parse(code, canon), TD_OK);
    snprintf(shown_but_hint, sizeof shown_but_hint, "%.17s", code);   /* "TD-XXXX-XXXX-XXXX" */
    const char *forms[] = {code, canon, shown_but_hint, NULL};
    char first12[16];
    snprintf(first12, sizeof first12, "%.12s", canon);
    forms[3] = first12;
    for (int i = 0; i < 4; i++)
        if (in_files(fs, forms[i])) fail_msg("the code %s is in a copy of the database (as \"%s\")", code, forms[i]);
}

static void codes_never_reach_the_database(void **state)
{
    (void)state;
    enum { N = 6 };
    struct keyed k[N];
    char codes[N][32];
    int ncodes = 0;
    struct resp r;
    memset(k, 0, sizeof k);
    for (int i = 0; i < N; i++) snprintf(k[i].key, sizeof k[i].key, "codes-test-%d-a8f3c", i);

    /* A loose note, and one for a customer. */
    post(&anna, "/api/v1/customers", "{\"name\":\"Eva Bakker\"}", NULL, 201, &r);
    long long eva = jint(r.json, "id");
    resp_free(&r);
    k[0].c = &anna;
    snprintf(k[0].path, sizeof k[0].path, "/api/v1/credit-notes");
    snprintf(k[0].body, sizeof k[0].body, "{\"amount_cents\":2500,\"reason\":\"Codes-test goodwill\"}");
    keyed_send(&k[0], 201, &r);
    snprintf(codes[ncodes++], sizeof codes[0], "%s", jstr(r.json, "code"));
    resp_free(&r);
    k[1].c = &anna;
    snprintf(k[1].path, sizeof k[1].path, "/api/v1/credit-notes");
    snprintf(k[1].body, sizeof k[1].body, "{\"amount_cents\":4000,\"reason\":\"Codes-test for Eva\",\"customer_id\":%lld}", eva);
    keyed_send(&k[1], 201, &r);
    snprintf(codes[ncodes++], sizeof codes[0], "%s", jstr(r.json, "code"));
    resp_free(&r);

    /* A case resolved with store credit (through a manager's approval when
     * the policy asks for one). */
    k[2].c = &anna;
    snprintf(k[2].path, sizeof k[2].path, "/api/v1/cases");
    snprintf(k[2].body, sizeof k[2].body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Mango\",\"description\":\"Rok\",\"stated_price_cents\":3000,"
             "\"condition\":\"new\"}]}", eva);
    keyed_send(&k[2], 201, &r);
    long long case_id = jint(r.json, "id");
    resp_free(&r);
    case_post(&anna, case_id, "decision", NULL, NULL, 200, &r);
    long long max = jint(r.json, "max_amount_cents");
    int credit = strcmp(jstr(r.json, "resolution"), "store_credit") == 0 && max > 0;
    resp_free(&r);
    k[3].c = &anna;
    snprintf(k[3].path, sizeof k[3].path, "/api/v1/cases/%lld/resolve", case_id);
    snprintf(k[3].body, sizeof k[3].body, "{\"resolution\":\"store_credit\",\"amount_cents\":%lld%s}", credit ? max : 1500,
             credit ? "" : ",\"override_reason\":\"Goodwill\"");
    keyed_send(&k[3], 200, &r);
    int waits = strcmp(jstr(r.json, "status"), "awaiting_approval") == 0;
    if (!waits) snprintf(codes[ncodes++], sizeof codes[0], "%s", jstr(r.json, "outcome.credit_note.code"));
    resp_free(&r);
    k[4].c = &mark;
    snprintf(k[4].path, sizeof k[4].path, "/api/v1/approvals/%lld/approve", case_id);
    snprintf(k[4].body, sizeof k[4].body, "{\"note\":\"ok\"}");
    if (waits) {
        keyed_send(&k[4], 200, &r);
        snprintf(codes[ncodes++], sizeof codes[0], "%s", jstr(r.json, "outcome.credit_note.code"));
        resp_free(&r);
    }

    /* A reissue (a new code for the rest of the first note). */
    k[5].c = &mark;
    snprintf(k[5].path, sizeof k[5].path, "/api/v1/credit-notes/%s/reissue", codes[0]);
    snprintf(k[5].body, sizeof k[5].body, "{\"reason\":\"Lost at home\"}");
    keyed_send(&k[5], 201, &r);
    snprintf(codes[ncodes++], sizeof codes[0], "%s", jstr(r.json, "code"));
    resp_free(&r);
    assert_int_equal(ncodes, 4);
    for (int i = 0; i < ncodes; i++) assert_int_equal(strlen(codes[i]), 22);

    /* Every keyed request replays its answer, codes included. */
    for (int i = 0; i < N; i++)
        if (k[i].answer) keyed_replays(&k[i]);

    struct files fs;
    database_files(&srv, 1, &fs);
    for (int i = 0; i < ncodes; i++) assert_code_absent(&fs, codes[i]);
    /* ... while the scan sees what is there: the notes' reasons. */
    assert_true(in_files(&fs, "Codes-test for Eva") >= 2);     /* the database and the backup */
    /* A replay after the backup still answers (the keys were not lost). */
    keyed_replays(&k[1]);
    for (int i = 0; i < N; i++) free(k[i].answer);
    verify_ledger(&srv);
}

/* ---- 2. erasure leaves no trace in free text or answers -------------------- */

/* The customer's values as staff may type them: another case, without an
 * accent or with it in capitals, the e-mail in other letters, the phone in
 * other groupings and with +31, the loyalty number without its dash. */
#define P_NAME "Xandrijn Quart\xc3\xa9roni"
#define P_EMAIL "xandrijn.q@quartmail.test"
#define P_PHONE "06-13572468"
#define P_LOYALTY "QX-77771239"
#define T_WORDS "Mevrouw xandrijn quarteroni (Xandrijn.Q@Quartmail.test, +31 6 1357 2468) wil ruilen"
#define T_SHORT "QUART\xc3\x89RONI 06 13 57 24 68"      /* fits the 64 characters of a till or RMA field */
#define T_NOTE "Gebeld met Xandrijn op 0613572468; pas qx 77771239"

/* What no byte of the database may hold after the erasure (compared without
 * case); each is a part of a planted value that nothing else contains. */
static const char *const TRACES[] = {
    "xandrijn", "quarteroni", "quart\xc3\xa9roni", "quart\xc3\x89roni", "quartmail", "13572468", "1357 2468",
    "13 57 24 68", "77771239",
};

static void assert_no_trace(const char *where, const char *text)
{
    for (size_t i = 0; i < sizeof TRACES / sizeof TRACES[0]; i++)
        if (strcasestr(text, TRACES[i])) fail_msg("%s still holds \"%s\": %s", where, TRACES[i], text);
}

static long long open_case(const char *body, const char *key)
{
    struct resp r;
    post(&anna, "/api/v1/cases", body, key, 201, &r);
    long long id = jint(r.json, "id");
    resp_free(&r);
    return id;
}

static void erasure_leaves_no_trace(void **state)
{
    (void)state;
    struct resp r;
    char path[160], body[1024];
    snprintf(body, sizeof body,
             "{\"name\":\"" P_NAME "\",\"email\":\"" P_EMAIL "\",\"phone\":\"" P_PHONE "\",\"loyalty_number\":\"" P_LOYALTY "\","
             "\"consent\":{\"phone_marketing\":{\"given\":true,\"source\":\"balie, " T_SHORT "\"}}}");
    post(&anna, "/api/v1/customers", body, NULL, 201, &r);
    long long p = jint(r.json, "id");
    resp_free(&r);
    /* Her clienteling profile: a size, a like, a date and a note naming her. */
    static const char *const profile[][3] = {
        {"PUT", "sizes/Knitwear", "{\"size\":\"M\"}"},
        {"PUT", "preferences", "{\"kind\":\"brand\",\"value\":\"Atelier Quarteroni\",\"sentiment\":\"like\"}"},
        {"POST", "dates", "{\"kind\":\"birthday\",\"month\":5,\"day\":1,\"label\":\"Xandrijn jarig\"}"},
        {"POST", "notes", "{\"text\":\"" T_NOTE "\"}"},
    };
    for (size_t i = 0; i < sizeof profile / sizeof profile[0]; i++) {
        snprintf(path, sizeof path, "/api/v1/customers/%lld/%s", p, profile[i][1]);
        assert_int_equal(req(&anna, profile[i][0], path, profile[i][2], &r), 0);
        assert_true(r.status == 200 || r.status == 201);
        resp_free(&r);
    }
    post(&anna, "/api/v1/customers", "{\"name\":\"Eva Bakker\"}", NULL, 201, &r);
    long long eva = jint(r.json, "id");
    resp_free(&r);
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"Eva Bakker wacht al lang\",\"items\":[{\"sold_here\":false,\"brand\":\"-\","
             "\"description\":\"Service\",\"stated_price_cents\":0,\"condition\":\"new\"}]}", eva);
    open_case(body, NULL);

    /* Case A: a return with words, an item described, an override, a
     * rejection, an approval, a follow-up; its note redeemed at a till. */
    char words_body[1024];
    snprintf(words_body, sizeof words_body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"customer_words\":\"" T_WORDS "\",\"items\":[{\"sold_here\":false,\"brand\":\"" T_SHORT "\","
             "\"description\":\"" T_NOTE "\",\"stated_price_cents\":20000,\"condition\":\"worn\"}]}", p);
    long long a = open_case(words_body, "erase-case-a");
    case_post(&anna, a, "decision", NULL, NULL, 200, &r);
    long long more = jint(r.json, "max_amount_cents") + 5000;
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", a);
    snprintf(body, sizeof body, "{\"resolution\":\"store_credit\",\"amount_cents\":%lld,\"override_reason\":\"" T_WORDS "\"}",
             more);
    post(&anna, path, body, "erase-resolve-a1", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/reject", a);
    post(&mark, path, "{\"reason\":\"" T_NOTE "\"}", NULL, 200, &r);
    resp_free(&r);
    case_post(&anna, a, "resolve", body, "erase-resolve-a2", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "awaiting_approval");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", a);
    post(&mark, path, "{\"note\":\"" T_NOTE "\"}", "erase-approve-a", 200, &r);
    char code_a[32];
    snprintf(code_a, sizeof code_a, "%s", jstr(r.json, "outcome.credit_note.code"));
    assert_int_equal(strlen(code_a), 22);
    resp_free(&r);
    case_post(&anna, a, "follow-up", "{\"note\":\"" T_WORDS "\"}", NULL, 200, &r);
    resp_free(&r);
    char redeem_path[128], redeem_body[256];
    snprintf(redeem_path, sizeof redeem_path, "/api/v1/credit-notes/%s/redemptions", code_a);
    snprintf(redeem_body, sizeof redeem_body, "{\"amount_cents\":1000,\"store_code\":\"UTR01\",\"till_reference\":\"" T_SHORT "\"}");
    post(&anna, redeem_path, redeem_body, "erase-redeem-a", 201, &r);
    long long balance_a = jint(r.json, "balance_cents");
    resp_free(&r);

    /* Case B: a repair at the manufacturer, with an RMA number and a note. */
    snprintf(body, sizeof body,
             "{\"kind\":\"repair\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"" T_SHORT "\",\"description\":\"Stofzuiger\","
             "\"stated_price_cents\":45000,\"condition\":\"defective\"}]}", p);
    long long b = open_case(body, "erase-case-b");
    case_post(&anna, b, "resolve",
              "{\"resolution\":\"repair_manufacturer\",\"amount_cents\":0,\"manufacturer\":\"Service " P_NAME "\","
              "\"rma_number\":\"" T_SHORT "\",\"override_reason\":\"" T_NOTE "\"}", "erase-resolve-b", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/repairs/%lld/status", b);
    post(&anna, path, "{\"status\":\"sent\",\"rma_number\":\"" T_SHORT "\",\"note\":\"" T_NOTE "\"}", NULL, 200, &r);
    resp_free(&r);

    /* Case C: the customer prefers another shop, named after herself. */
    snprintf(body, sizeof body,
             "{\"kind\":\"referral\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"referral\":{\"to\":\"Atelier " P_NAME "\",\"reason\":\"other\"},\"items\":[{\"sold_here\":false,"
             "\"brand\":\"Zara\",\"description\":\"Blazer\",\"stated_price_cents\":9000,\"condition\":\"new\"}]}", p);
    long long cc = open_case(body, "erase-case-c");
    case_post(&anna, cc, "resolve", "{\"resolution\":\"refer_elsewhere\",\"amount_cents\":0,\"override_reason\":\"" T_NOTE "\"}",
              "erase-resolve-c", 200, &r);
    assert_string_equal(jstr(r.json, "status"), "resolved");
    resp_free(&r);

    /* Case D: cancelled with a reason. */
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"customer_id\":%lld,\"store_code\":\"UTR01\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"-\",\"description\":\"" T_WORDS "\",\"stated_price_cents\":0,"
             "\"condition\":\"new\"}]}", p);
    long long d = open_case(body, NULL);
    case_post(&anna, d, "cancel", "{\"reason\":\"" T_NOTE "\"}", NULL, 200, &r);
    resp_free(&r);

    /* A loose note for her: issued, redeemed, reissued, the new one voided. */
    snprintf(body, sizeof body, "{\"amount_cents\":5000,\"reason\":\"" T_WORDS "\",\"customer_id\":%lld}", p);
    post(&mark, "/api/v1/credit-notes", body, "erase-issue-n", 201, &r);
    char code_n[32], code_n2[32];
    snprintf(code_n, sizeof code_n, "%s", jstr(r.json, "code"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/redemptions", code_n);
    post(&anna, path, redeem_body, "erase-redeem-n", 201, &r);
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/reissue", code_n);
    post(&mark, path, "{\"reason\":\"" T_NOTE "\"}", "erase-reissue-n", 201, &r);
    snprintf(code_n2, sizeof code_n2, "%s", jstr(r.json, "code"));
    resp_free(&r);
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/void", code_n2);
    post(&mark, path, "{\"reason\":\"" T_NOTE "\"}", "erase-void-n2", 200, &r);
    resp_free(&r);

    /* The bookkeeping before the erasure. */
    assert_int_equal(req(&admin, "GET", "/api/v1/ledger/accounts", NULL, &r), 0);
    char *accounts = strdup(r.body);
    resp_free(&r);
    long long entries = db_int(&srv, "SELECT COUNT(*) FROM ledger_entries");
    long long transactions = db_int(&srv, "SELECT COUNT(*) FROM ledger_transactions");

    /* Mail for her in the outbox, one sent and one waiting (no SMTP server
     * is set, so it waits). */
    for (int k = 0; k < 2; k++) {
        char mail[1024];
        snprintf(mail, sizeof mail,
                 "INSERT INTO mail_outbox (customer_id, kind, message_id, mail_from, rcpt_to, subject, body_text, lang,"
                 " unsubscribe_url, created_at, next_attempt_at, sent_at) VALUES (%lld, 'marketing', '<plant-%d@w.test>',"
                 " 'winkel@w.test', '" P_EMAIL "', 'Voor " P_NAME "', 'Bel " P_PHONE ", pas " P_LOYALTY "', 'nl',"
                 " 'https://w.test/u/%d', 1, 1, %s)", p, k, k, k ? "NULL" : "2");
        assert_int_equal(server_sql(&srv, mail), 0);
    }

    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", p);
    post(&admin, path, NULL, NULL, 200, &r);
    resp_free(&r);
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM mail_outbox"), 0);

    /* A keyed retry of an old request is neither replayed with her words
     * nor run again: 409, marked as a replay. */
    post(&anna, "/api/v1/cases", words_body, "erase-case-a", 409, &r);
    char hdr[32];
    assert_string_equal(resp_header(&r, "Idempotent-Replayed", hdr, sizeof hdr), "true");
    assert_string_equal(jstr(r.json, "error.code"), "conflict");
    assert_no_trace("the replayed answer", r.body);
    resp_free(&r);
    post(&anna, redeem_path, redeem_body, "erase-redeem-a", 409, &r);
    assert_no_trace("the replayed answer", r.body);
    resp_free(&r);
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM idempotency_keys WHERE form <> 'forgotten' AND customer_id IS NOT NULL"
                              " AND customer_id NOT IN (SELECT id FROM customers WHERE erased_at IS NULL)"), 0);
    assert_true(db_int(&srv, "SELECT COUNT(*) FROM idempotency_keys WHERE form = 'forgotten'") >= 10);

    /* The money is all there: the same accounts, entries and transactions;
     * her note still pays out, with its history. */
    assert_int_equal(req(&admin, "GET", "/api/v1/ledger/accounts", NULL, &r), 0);
    assert_string_equal(r.body, accounts);
    resp_free(&r);
    free(accounts);
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM ledger_entries"), entries);
    assert_int_equal(db_int(&srv, "SELECT COUNT(*) FROM ledger_transactions"), transactions);
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s", code_a);
    req_expect(&anna, "GET", path, NULL, 200, &r);
    assert_int_equal(jint(r.json, "balance_cents"), balance_a);
    assert_true(json_is_null(json_object_get(r.json, "customer_id")));
    assert_int_equal(json_array_size(json_object_get(r.json, "history")), 2);
    assert_non_null(strstr(jstr(r.json, "history.1.till_reference"), "[erased]"));
    assert_no_trace("the note", r.body);
    resp_free(&r);
    verify_ledger(&srv);

    /* The cases stay, their texts redacted where they named her, the rest
     * kept. */
    snprintf(path, sizeof path, "/api/v1/cases/%lld", a);
    req_expect(&anna, "GET", path, NULL, 200, &r);
    assert_no_trace("case A", r.body);
    assert_non_null(strstr(jstr(r.json, "resolution.override_reason"), "wil ruilen"));
    assert_non_null(strstr(jstr(r.json, "items.0.description"), "Gebeld met [erased] op [erased]"));
    resp_free(&r);
    long long ids[] = {b, cc, d};
    for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++) {
        snprintf(path, sizeof path, "/api/v1/cases/%lld", ids[i]);
        assert_int_equal(req(&anna, "GET", path, NULL, &r), 0);
        assert_no_trace("a case", r.body);
        resp_free(&r);
    }

    /* The inputs of her cases' decisions stay for replays, unlinked from
     * her, their texts redacted like the cases'. */
    char sql[256], inputs[8192];
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM decision_inputs WHERE case_id IN (%lld, %lld, %lld)", a, b, cc);
    assert_int_equal(db_int(&srv, sql), 4);             /* case A was decided twice */
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM decision_inputs WHERE customer_id = %lld", p);
    assert_int_equal(db_int(&srv, sql), 0);
    snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM decision_inputs WHERE customer_id IS NOT NULL AND case_id IN"
                              " (%lld, %lld, %lld)", a, b, cc);
    assert_int_equal(db_int(&srv, sql), 0);
    snprintf(sql, sizeof sql, "SELECT inputs_json FROM decision_inputs WHERE case_id = %lld ORDER BY id DESC LIMIT 1", a);
    assert_int_equal(server_sql_value(&srv, sql, inputs, sizeof inputs), 0);
    assert_no_trace("the decision's inputs", inputs);
    assert_non_null(strstr(inputs, "Gebeld met [erased] op [erased]"));

    /* And no byte of the database holds any of it. */
    struct files fs;
    database_files(&srv, 0, &fs);
    for (int i = 0; i < fs.n; i++)
        for (size_t t = 0; t < sizeof TRACES / sizeof TRACES[0]; t++)
            if (file_occurrences(fs.path[i], TRACES[t], 1))
                fail_msg("%s still holds \"%s\" after the erasure", fs.path[i], TRACES[t]);
    assert_true(in_files(&fs, "Eva Bakker wacht al lang") > 0);   /* the scan sees what is there */
}

/* ---- 3. an upgraded database ------------------------------------------------- */

/* A database as release 0003 left it: a note (issued, partly redeemed, with
 * a reason and a till reference in the ledger rows) and the remembered
 * answer of its issue, code and all. */
static void plant_old_release(const struct server *s, const char *code, const char *answer, const char *hash)
{
    struct db *db = NULL;
    char canon[CODE_CHARS + 1], code_hash[TOKEN_HASH_HEX_LEN + 1];
    assert_int_equal(code_parse(code, canon), TD_OK);
    token_hash(canon, code_hash);
    assert_int_equal(db_open(s->db_url, &db), TD_OK);
    assert_int_equal(db_migrate_to(db, 3), TD_OK);
    assert_int_equal(db_begin(db, 1), TD_OK);
    int64_t now = (int64_t)time(NULL) * 1000000 - 3600LL * 1000000, year = 366LL * 86400 * 1000000;
    assert_int_equal(db_run(db, "INSERT INTO credit_notes (id, code_hash, code_hint, reason, funding, amount_cents, balance_cents,"
                                " status, issued_at, expires_at) VALUES (1, ?, ?, 'Upgrade goodwill', 'goodwill', 5000, 3000,"
                                " 'partly_used', ?, ?)", NULL, "ttii", code_hash, canon + 12, now, now + year), TD_OK);
    assert_int_equal(db_run(db, "INSERT INTO ledger_transactions (id, credit_note_id, kind, amount_cents, at, reason)"
                                " VALUES (1, 1, 'issue', 5000, ?, 'Upgrade goodwill')", NULL, "i", now), TD_OK);
    assert_int_equal(db_run(db, "INSERT INTO ledger_transactions (id, credit_note_id, kind, amount_cents, at, till_reference)"
                                " VALUES (2, 1, 'redeem', 2000, ?, 'till-upgrade-7')", NULL, "i", now + 1), TD_OK);
    assert_int_equal(db_exec(db, "INSERT INTO ledger_entries (transaction_id, account, credit_note_id, amount_cents) VALUES"
                                 " (1, 'goodwill_expense', NULL, 5000), (1, 'credit_note_liability', 1, -5000),"
                                 " (2, 'credit_note_liability', 1, 2000), (2, 'till_clearing', NULL, -2000)"), TD_OK);
    assert_int_equal(db_run(db, "INSERT INTO idempotency_keys (scope, idem_key, request_hash, status, response, created_at)"
                                " VALUES ('staff:1', 'old-release-key-1', ?, 201, ?, ?)", NULL, "tti", hash, answer, now),
                     TD_OK);
    assert_int_equal(db_commit(db), TD_OK);
    assert_int_equal(db_sync_ids(db, "credit_notes"), TD_OK);
    assert_int_equal(db_sync_ids(db, "ledger_transactions"), TD_OK);
    db_close(db);
}

static void an_upgrade_keeps_texts_and_answers_without_codes(void **state)
{
    (void)state;
    struct server old;
    char code[CODE_TEXT_SZ], answer[512], hash[TOKEN_HASH_HEX_LEN + 1];
    const char *body = "{\"amount_cents\":5000,\"reason\":\"Upgrade goodwill\"}";
    code_new(code);
    snprintf(answer, sizeof answer, "{\"id\":1,\"code_hint\":\"%s\",\"amount_cents\":5000,\"balance_cents\":5000,"
             "\"status\":\"issued\",\"reason\":\"Upgrade goodwill\",\"code\":\"%s\",\"customer_id\":null}", code + 18, code);
    token_hash_request(NULL, "POST", "/api/v1/credit-notes", body, strlen(body), hash);
    assert_int_equal(server_make_db(&old), 0);
    plant_old_release(&old, code, answer, hash);
    assert_int_equal(server_start_made(&old), 0);
    struct client c;
    client_login(&c, &old, ADMIN_LOGIN);

    /* The old answer replays, without its code. */
    struct resp r;
    char hdr[300];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: old-release-key-1");
    assert_int_equal(req_h(&c, "POST", "/api/v1/credit-notes", body, &r, hdr, NULL), 0);
    assert_int_equal(r.status, 201);
    assert_string_equal(resp_header(&r, "Idempotent-Replayed", hdr, sizeof hdr), "true");
    assert_int_equal(jint(r.json, "id"), 1);
    assert_string_equal(jstr(r.json, "code_hint"), code + 18);
    assert_null(json_object_get(r.json, "code"));
    resp_free(&r);
    /* The texts moved out of the ledger rows and still show. */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s", code);
    req_expect(&c, "GET", path, NULL, 200, &r);
    assert_int_equal(jint(r.json, "balance_cents"), 3000);
    assert_string_equal(jstr(r.json, "history.0.reason"), "Upgrade goodwill");
    assert_string_equal(jstr(r.json, "history.1.till_reference"), "till-upgrade-7");
    resp_free(&r);
    /* The note keeps moving on the upgraded database. */
    snprintf(path, sizeof path, "/api/v1/credit-notes/%s/redemptions", code);
    make_store(&c, "UTR01", "Utrecht Centrum", "Utrecht");
    post(&c, path, "{\"amount_cents\":500,\"store_code\":\"UTR01\",\"till_reference\":\"till-8\"}", "new-key-1", 201, &r);
    assert_int_equal(jint(r.json, "balance_cents"), 2500);
    resp_free(&r);
    client_free(&c);
    verify_ledger(&old);
    struct files fs;
    database_files(&old, 1, &fs);
    assert_code_absent(&fs, code);
    assert_true(in_files(&fs, "till-upgrade-7") > 0);
    server_stop(&old);
}

TD_TEST_MAIN("api_privacy", setup, chain_teardown,
             cmocka_unit_test(codes_never_reach_the_database),
             cmocka_unit_test(erasure_leaves_no_trace),
             cmocka_unit_test(an_upgrade_keeps_texts_and_answers_without_codes))
