/* test_privacy.c — what a copy of the database gives away, on SQLite and
 * PostgreSQL (docs/security.md):
 *   - no credit-note code, in the database files (SQLite: file, WAL,
 *     journal; PostgreSQL: a full pg_dump) nor in a `trustdesk backup`,
 *     while keyed retries still get the same answers;
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

static struct server srv;
static struct client admin, anna, mark;

static int setup(void **state)
{
    (void)state;
    if (token_init() != TD_OK || server_start(&srv) != 0) return -1;
    client_init(&admin, &srv);
    if (login(&admin, ADMIN_LOGIN, ADMIN_PASSWORD) != 201) return -1;
    make_store(&admin, "UTR01", "Utrecht Centrum", "Utrecht");
    make_staff(&admin, "anna", "associate", "UTR01", "anna-password");
    make_staff(&admin, "mark", "manager", "UTR01", "mark-password");
    client_init(&anna, &srv);
    client_init(&mark, &srv);
    if (login(&anna, "anna", "anna-password") != 201 || login(&mark, "mark", "mark-password") != 201) return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    client_free(&admin);
    client_free(&anna);
    client_free(&mark);
    server_stop(&srv);
    return 0;
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

static void verify_ledger(const struct server *s)
{
    char out[4096];
    int rc = run_cli(NULL, out, sizeof out, "ledger", "verify", "--db", s->db_url, NULL);
    if (rc != 0) fail_msg("ledger verify failed: %s", out);
    assert_non_null(strstr(out, "ledger verify: ok"));
}

/* Occurrences of needle in a file's bytes, ASCII letters compared without
 * case (0 when the file is absent). */
static long occurrences(const char *path, const char *needle)
{
    FILE *f = fopen(path, "rb");
    if (!f) return 0;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    size_t got = fread(buf, 1, (size_t)n, f);
    fclose(f);
    long count = 0;
    size_t k = strlen(needle);
    for (size_t i = 0; i + k <= got; i++)
        if (strncasecmp(buf + i, needle, k) == 0) count++;
    free(buf);
    return count;
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
    for (int i = 0; i < fs->n; i++) n += occurrences(fs->path[i], needle);
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
    char path[96];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/decision", case_id);
    post(&anna, path, NULL, NULL, 200, &r);
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
    token_hash_request("POST", "/api/v1/credit-notes", body, strlen(body), hash);
    assert_int_equal(server_make_db(&old), 0);
    plant_old_release(&old, code, answer, hash);
    assert_int_equal(server_start_made(&old), 0);
    struct client c;
    client_init(&c, &old);
    assert_int_equal(login(&c, ADMIN_LOGIN, ADMIN_PASSWORD), 201);

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
    assert_int_equal(req(&c, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(codes_never_reach_the_database),
        cmocka_unit_test(an_upgrade_keeps_texts_and_answers_without_codes),
    };
    return cmocka_run_group_tests_name("api_privacy", tests, setup, teardown);
}
