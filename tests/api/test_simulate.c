/* test_simulate.c — POST /api/v1/policy/simulations on SQLite and
 * PostgreSQL: the chain's own policy replayed over the cases it decided
 * changes nothing; a draft that raises the gold tier's goodwill limit
 * approves more cases without a manager and grants more goodwill at the
 * desk, with counts from the cases made here; a manager sees their own
 * store only; bad drafts, dates and stores are 422 naming the field; money
 * newly exposed to a customer the guard flagged later; `trustdesk simulate`
 * answers the same and exits 2 on bad input; and the database is the same
 * after every simulation (rows counted). A case decided again counts once,
 * with its latest decision (decision_replay's superseded_at), and a customer's
 * erasure (which drops the compact rows) leaves the answer as it was; the
 * modelled layer can be left out. The changed cases as CSV and xlsx, from
 * the API and from `trustdesk simulate --csv`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "harness.h"

static struct server srv;
static struct client admin, anna, mark, mia;
static long long gold1, gold2, silver;
static long long case_over1, case_over2, case_within, case_silver, case_ams;

static const struct member staff[] = {
    {"anna", "associate", "UTR01", &anna},
    {"mark", "manager", "UTR01", &mark},
    {"mia", "manager", "AMS01", &mia},
    MEMBERS_END,
};

/* A return of goods we never sold, stated at cents, resolved as the
 * recommendation says (store credit; a manager's approval when asked). */
static long long goodwill_case(long long customer, const char *store, long long cents, const char *status)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"return\",\"customer_id\":%lld,\"store_code\":\"%s\",\"receipt\":false,"
             "\"items\":[{\"sold_here\":false,\"brand\":\"Elders\",\"description\":\"Jas\","
             "\"stated_price_cents\":%lld,\"condition\":\"new\"}]}", customer, store, cents);
    long long id = case_open(&anna, body);
    snprintf(body, sizeof body, "{\"resolution\":\"store_credit\",\"amount_cents\":%lld}", cents);
    assert_int_equal(case_post_status(&anna, id, "resolve", body), 200);
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT status FROM cases WHERE id = %lld", id);
    char got[32];
    assert_int_equal(server_sql_value(&srv, sql, got, sizeof got), 0);
    assert_string_equal(got, status);
    return id;
}

static int setup(void **state)
{
    (void)state;
    if (chain_start(&srv, &admin, "UTR01 AMS01", staff) != 0) return -1;
    import_csv(&admin, "customers",
               "loyalty_number,name,email,phone,home_store_code,email_marketing_consent,phone_marketing_consent\n"
               "NL-400001,Sanne de Vries,sanne@example.nl,06-11111111,UTR01,nee,nee\n"
               "NL-400002,Kees Jansen,kees@example.nl,06-22222222,UTR01,nee,nee\n"
               "NL-400003,Ans Bos,ans@example.nl,06-33333333,UTR01,nee,nee\n");
    import_csv_ago(&admin, "purchases",
                   "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
                   "R-S-1,@200,UTR01,NL-400001,COAT-1,Wollen jas,Noordzee,Jassen,1600.00,1\n"
                   "R-S-2,@200,UTR01,NL-400002,COAT-1,Wollen jas,Noordzee,Jassen,1600.00,1\n"
                   "R-S-3,@200,UTR01,NL-400003,SCARF-1,Sjaal,Noordzee,Accessoires,600.00,1\n");
    gold1 = customer_id(&anna, "NL-400001");
    gold2 = customer_id(&anna, "NL-400002");
    silver = customer_id(&anna, "NL-400003");
    /* Gold's limit is EUR 300 and silver's EUR 100 (the default policy). */
    case_over1 = goodwill_case(gold1, "UTR01", 40000, "awaiting_approval");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/approve", case_over1);
    assert_int_equal(req_status(&mark, "POST", path, "{\"note\":\"Akkoord.\"}"), 200);
    case_over2 = goodwill_case(gold2, "UTR01", 35000, "awaiting_approval");
    case_within = goodwill_case(gold1, "UTR01", 20000, "resolved");
    case_silver = goodwill_case(silver, "UTR01", 15000, "awaiting_approval");
    case_ams = goodwill_case(gold2, "AMS01", 32000, "awaiting_approval");
    return 0;
}

/* The rows of every table a simulation could touch, as one text. */
static void row_counts(char *out, size_t n)
{
    static const char *const tables[] = {"cases", "case_events", "decision_inputs", "decision_replay", "credit_notes", "ledger_entries",
                                         "audit_log", "policies", "customer_facts", "line_return_claims"};
    size_t k = 0;
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        char q[96];
        snprintf(q, sizeof q, "SELECT COUNT(*) FROM %s", tables[i]);
        long long v = server_sql_int(&srv, q);
        k += (size_t)snprintf(out + k, n - k, "%s=%lld ", tables[i], v);
    }
}

/* text with its first from replaced by to (text freed); malloc'd. */
static char *replaced(char *text, const char *from, const char *to)
{
    char *at = strstr(text, from);
    assert_non_null(at);
    size_t n = strlen(text) - strlen(from) + strlen(to) + 1;
    char *out = malloc(n);
    assert_non_null(out);
    snprintf(out, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
    free(text);
    return out;
}

/* The chain's policy document in force, with one text replaced (from
 * NULL: as it is); malloc'd. */
static char *policy_doc(const char *from, const char *to)
{
    struct resp r;
    req_expect(&admin, "GET", "/api/v1/policy", NULL, 200, &r);
    char *text = json_dumps(json_object_get(r.json, "document"), JSON_COMPACT);
    resp_free(&r);
    return from ? replaced(text, from, to) : text;
}

/* The policy in force with gold's limit at EUR 500. */
static char *gold_draft(void)
{
    return policy_doc("\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":50000");
}

/* Simulates doc (with extra body fields) as c, expecting status. */
static void simulate(struct client *c, const char *doc, const char *extra, long status, struct resp *r)
{
    size_t n = strlen(doc) + (extra ? strlen(extra) : 0) + 32;
    char *body = malloc(n);
    snprintf(body, n, "{\"policy\":%s%s%s}", doc, extra ? "," : "", extra ? extra : "");
    char before[512], after[512];
    row_counts(before, sizeof before);
    req_expect(c, "POST", "/api/v1/policy/simulations", body, status, r);
    row_counts(after, sizeof after);
    assert_string_equal(before, after);           /* nothing written, answered or refused */
    free(body);
}

static void the_policy_in_force_changes_nothing(void **state)
{
    (void)state;
    char *doc = policy_doc(NULL, NULL);
    struct resp r;
    simulate(&admin, doc, NULL, 200, &r);
    expect_ints(r.json, "cases", 5, "exact.cases", 5, "exact.changed", 0, "exact.approvals.before", 4,
                "exact.approvals.after", 4, "exact.goodwill_cents.before", 20000, "exact.goodwill_cents.after", 20000,
                "exact.goodwill_to_manager_cents.before", 122000, "exact.goodwill_to_manager_cents.after", 122000,
                "bounded.exposed_cents", 0, NULL);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r.json, "exact"), "changes")), 0);
    expect_strs(r.json, "exact.layer", "exact", "bounded.layer", "bounded", "modelled.layer", "modelled", NULL);
    assert_true(json_is_false(json_object_get(json_object_get(r.json, "modelled"), "estimable")));
    assert_true(json_is_null(json_object_get(json_object_get(r.json, "modelled"), "revenue_retained_cents")));
    resp_free(&r);
    free(doc);
}

static void has_change(json_t *changes, long long case_id, const char *store, long long cents)
{
    size_t i;
    json_t *c;
    json_array_foreach(changes, i, c) {
        if (jint(c, "case_id") != case_id) continue;
        expect_strs(c, "store_code", store, "kind", "return", "before.resolution", "store_credit", "after.resolution",
                    "store_credit", NULL);
        expect_ints(c, "before.amount_cents", cents, "after.amount_cents", cents, NULL);
        assert_true(json_is_true(json_object_get(json_object_get(c, "before"), "needs_approval")));
        assert_true(json_is_false(json_object_get(json_object_get(c, "after"), "needs_approval")));
        return;
    }
    fail_msg("case %lld is not among the changes", case_id);
}

static void a_higher_gold_limit_needs_fewer_managers(void **state)
{
    (void)state;
    char *doc = gold_draft();
    struct resp r;
    simulate(&admin, doc, NULL, 200, &r);
    /* The three gold cases above EUR 300 and below EUR 500 go through at
     * the desk; the silver one still waits; the one within stays. */
    expect_ints(r.json, "exact.cases", 5, "exact.changed", 3, "exact.approvals.before", 4, "exact.approvals.after", 1,
                "exact.goodwill_cents.before", 20000, "exact.goodwill_cents.after", 20000 + 40000 + 35000 + 32000,
                "exact.goodwill_to_manager_cents.before", 122000, "exact.goodwill_to_manager_cents.after", 15000,
                "exact.transitions.0.cases", 3, NULL);
    expect_strs(r.json, "exact.transitions.0.from", "store_credit", "exact.transitions.0.to", "store_credit", NULL);
    json_t *exact = json_object_get(r.json, "exact"), *changes = json_object_get(exact, "changes");
    assert_int_equal(json_array_size(changes), 3);
    has_change(changes, case_over1, "UTR01", 40000);
    has_change(changes, case_over2, "UTR01", 35000);
    has_change(changes, case_ams, "AMS01", 32000);
    /* Per store and kind. */
    json_t *stores = json_object_get(exact, "stores");
    assert_int_equal(json_array_size(stores), 2);
    for (size_t i = 0; i < 2; i++) {
        json_t *s = json_array_get(stores, i);
        if (strcmp(jstr(s, "store_code"), "UTR01") == 0)
            expect_ints(s, "cases", 4, "changed", 2, "approvals.before", 3, "approvals.after", 1, NULL);
        else
            expect_strs(s, "store_code", "AMS01", NULL), expect_ints(s, "cases", 1, "changed", 1, NULL);
    }
    expect_strs(exact, "kinds.0.kind", "return", NULL);
    expect_ints(exact, "kinds.0.cases", 5, "kinds.0.changed", 3, NULL);
    /* Nobody was flagged: nothing is exposed. */
    expect_ints(r.json, "bounded.exposed_cases", 0, "bounded.exposed_cents", 0, NULL);
    resp_free(&r);
    free(doc);
}

/* The file of the path's contents; malloc'd, NUL-ended. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    char *text = calloc(1, 65536);
    assert_non_null(text);
    size_t n = fread(text, 1, 65535, f);
    fclose(f);
    text[n] = '\0';
    return text;
}

/* The changed cases of the gold draft as files: CSV for Dutch Excel (byte
 * order mark, ';', decimal comma), a workbook that is a zip with their
 * sheet, and `trustdesk simulate --csv` writing the same CSV. */
static void the_changed_cases_as_files(void **state)
{
    (void)state;
    char *doc = gold_draft();
    size_t n = strlen(doc) + 32;
    char *body = malloc(n);
    snprintf(body, n, "{\"policy\":%s}", doc);
    char before[512], after[512], h[300];
    row_counts(before, sizeof before);
    struct resp r;
    req_expect(&admin, "POST", "/api/v1/policy/simulations?format=csv", body, 200, &r);
    assert_non_null(resp_header(&r, "Content-Type", h, sizeof h));
    assert_non_null(strstr(h, "text/csv"));
    assert_non_null(resp_header(&r, "Content-Disposition", h, sizeof h));
    assert_string_equal(h, "attachment; filename=\"simulation-changes.csv\"");
    const char *head = "\xEF\xBB\xBFzaak;winkel;soort;beslist op;toen: afhandeling;toen: bedrag;toen: manager nodig;"
                       "concept: afhandeling;concept: bedrag;concept: manager nodig;later gemarkeerd\r\n";
    assert_memory_equal(r.body, head, strlen(head));
    char line[160];
    snprintf(line, sizeof line, "\r\n%lld;UTR01;return;", case_over1);
    if (!strstr(r.body, line) || !strstr(r.body, ";store_credit;400,00;ja;store_credit;400,00;nee;nee\r\n") ||
        !strstr(r.body, ";AMS01;return;") || !strstr(r.body, ";320,00;ja;"))
        fail_msg("the CSV:\n%s", r.body);
    int lines = 0;
    for (const char *p = r.body; (p = strstr(p, "\r\n")) != NULL; p += 2) lines++;
    assert_int_equal(lines, 1 + 3);                              /* the header and the three changed cases */
    char csv[8192];
    snprintf(csv, sizeof csv, "%s", r.body);
    resp_free(&r);

    req_expect(&mark, "POST", "/api/v1/policy/simulations?format=xlsx", body, 200, &r);
    assert_non_null(resp_header(&r, "Content-Disposition", h, sizeof h));
    assert_string_equal(h, "attachment; filename=\"simulation-changes-UTR01.xlsx\"");
    char *grid = xlsx_grid(&r, 1), *book = xlsx_part(&r, "xl/workbook.xml");
    assert_true(grid && book);                                   /* a zip with a sheet */
    assert_non_null(strstr(book, "name=\"Gewijzigde zaken\""));
    if (!strstr(grid, ";\"UTR01\";\"return\";") || !strstr(grid, ";\"store_credit\";400;\"ja\";\"store_credit\";400;\"nee\";"))
        fail_msg("the sheet:\n%s", grid);
    assert_null(strstr(grid, "AMS01"));                          /* the manager's own store */
    free(grid);
    free(book);
    resp_free(&r);
    req_expect(&admin, "POST", "/api/v1/policy/simulations?format=pdf", body, 400, &r);
    assert_true(has_err_field(&r, "format"));
    resp_free(&r);
    row_counts(after, sizeof after);
    assert_string_equal(before, after);

    /* The CLI writes the same file. */
    char path[320], out_csv[320], out[65536];
    snprintf(path, sizeof path, "%s/draft-csv.json", srv.dir);
    snprintf(out_csv, sizeof out_csv, "%s/changes.csv", srv.dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(doc, f);
    fclose(f);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--csv", out_csv,
                             "--json", NULL), 0);
    json_t *j = json_loads(out, 0, NULL);                        /* --json still answers on stdout */
    assert_non_null(j);
    json_decref(j);
    char *file = slurp(out_csv);
    assert_string_equal(file, csv);
    free(file);
    snprintf(out_csv, sizeof out_csv, "%s/no-such-dir/changes.csv", srv.dir);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--csv", out_csv,
                             NULL), 1);
    free(body);
    free(doc);
}

static void a_manager_sees_their_own_store(void **state)
{
    (void)state;
    char *doc = gold_draft();
    struct resp r;
    simulate(&mark, doc, NULL, 200, &r);
    expect_strs(r.json, "store_code", "UTR01", NULL);
    expect_ints(r.json, "exact.cases", 4, "exact.changed", 2, "exact.approvals.before", 3, "exact.approvals.after", 1, NULL);
    resp_free(&r);
    simulate(&mia, doc, "\"store_code\":\"AMS01\"", 200, &r);
    expect_ints(r.json, "exact.cases", 1, "exact.changed", 1, NULL);
    resp_free(&r);
    simulate(&mia, doc, "\"store_code\":\"UTR01\"", 403, &r);
    resp_free(&r);
    simulate(&anna, doc, NULL, 403, &r);
    resp_free(&r);
    simulate(&admin, doc, "\"store_code\":\"AMS01\"", 200, &r);
    expect_ints(r.json, "exact.cases", 1, NULL);
    resp_free(&r);
    free(doc);
}

static void expect_field(struct client *c, const char *doc, const char *extra, const char *field)
{
    struct resp r;
    simulate(c, doc, extra, 422, &r);
    if (!has_err_field(&r, field)) fprintf(stderr, "expected a problem with %s: %s\n", field, r.body);
    assert_true(has_err_field(&r, field));
    resp_free(&r);
}

static void bad_input_is_refused_naming_the_field(void **state)
{
    (void)state;
    char *doc = policy_doc("\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":-1");
    expect_field(&admin, doc, NULL, "policy.tiers.gold.goodwill_limit_cents");
    free(doc);
    doc = policy_doc("\"amber_at\":40", "\"amber_at\":90");
    expect_field(&admin, doc, NULL, "policy.guard.amber_at");
    free(doc);
    doc = gold_draft();
    expect_field(&admin, doc, "\"from\":\"2026-11-30\",\"to\":\"2026-11-01\"", "to");
    expect_field(&admin, doc, "\"from\":\"30-11-2026\"", "from");
    expect_field(&admin, doc, "\"to\":\"2026-02-30\"", "to");
    expect_field(&admin, doc, "\"store_code\":\"NOPE\"", "store_code");
    expect_field(&admin, doc, "\"colour\":1", "colour");
    expect_field(&admin, "[]", NULL, "policy");
    /* A period without cases: zero counts, said plainly. */
    struct resp r;
    simulate(&admin, doc, "\"from\":\"2020-01-01\",\"to\":\"2020-03-31\"", 200, &r);
    expect_ints(r.json, "cases", 0, "exact.changed", 0, "exact.approvals.before", 0, "bounded.exposed_cents", 0, NULL);
    resp_free(&r);
    free(doc);
}

/* One more case of gold2's: her third return without a receipt in 30 days
 * and her third claim for goods not sold here, which the guard rates amber
 * and sends to a manager. Her two earlier cases were decided before the
 * guard flagged her, and the draft lets their goodwill go without one. */
static void money_newly_exposed_to_a_flagged_customer(void **state)
{
    (void)state;
    long long later = goodwill_case(gold2, "UTR01", 1000, "awaiting_approval");
    char level[16], q[96];
    snprintf(q, sizeof q, "SELECT risk_level FROM cases WHERE id = %lld", later);
    assert_int_equal(server_sql_value(&srv, q, level, sizeof level), 0);
    assert_string_equal(level, "amber");
    char *doc = gold_draft();
    struct resp r;
    simulate(&admin, doc, NULL, 200, &r);
    expect_ints(r.json, "exact.cases", 6, "exact.changed", 3, "bounded.exposed_cases", 2, "bounded.exposed_cents",
                35000 + 32000, "bounded.flagged_customers", 1, NULL);
    resp_free(&r);
    /* The policy in force still changes nothing, flags or not. */
    free(doc);
    doc = policy_doc(NULL, NULL);
    simulate(&admin, doc, NULL, 200, &r);
    expect_ints(r.json, "exact.cases", 6, "exact.changed", 0, "bounded.exposed_cents", 0, NULL);
    resp_free(&r);
    free(doc);
}


/* The CLI on the same database gives the API's figures, and refuses bad
 * input with exit status 2, nothing written. */
static void the_cli_answers_the_same(void **state)
{
    (void)state;
    char path[320], out[65536], before[512], after[512];
    snprintf(path, sizeof path, "%s/draft.json", srv.dir);
    char *doc = gold_draft();
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(doc, f);
    fclose(f);
    free(doc);
    row_counts(before, sizeof before);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--json", NULL), 0);
    json_t *j = json_loads(out, 0, NULL);
    assert_non_null(j);
    expect_ints(j, "exact.cases", 6, "exact.changed", 3, "bounded.exposed_cents", 35000 + 32000, NULL);
    json_decref(j);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--store", "AMS01",
                             NULL), 0);
    assert_non_null(strstr(out, "cases replayed:            1"));
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--from",
                             "2026-11-30", "--to", "2026-11-01", NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--store", "NOPE",
                             NULL), 2);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, "--from",
                             "2020-01-01", "--to", "2020-01-31", NULL), 0);
    assert_non_null(strstr(out, "No case was decided in this period"));
    doc = policy_doc("\"goodwill_limit_cents\":30000", "\"goodwill_limit_cents\":-1");
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(doc, f);
    fclose(f);
    free(doc);
    assert_int_equal(run_cli(NULL, out, sizeof out, "simulate", "--db", srv.db_url, "--policy", path, NULL), 2);
    row_counts(after, sizeof after);
    assert_string_equal(before, after);
}
/* The gold draft's figures that every test after the setup expects. */
static void expect_gold_figures(const char *extra)
{
    char *doc = gold_draft();
    struct resp r;
    simulate(&admin, doc, extra, 200, &r);
    expect_ints(r.json, "exact.cases", 6, "exact.changed", 3, "exact.approvals.before", 5, "exact.approvals.after", 2,
                "bounded.exposed_cases", 2, "bounded.exposed_cents", 35000 + 32000, "bounded.flagged_customers", 1, NULL);
    resp_free(&r);
    free(doc);
}

static void a_case_decided_again_counts_once(void **state)
{
    (void)state;
    expect_gold_figures(NULL);
    char path[64], body[96];
    snprintf(path, sizeof path, "/api/v1/approvals/%lld/reject", case_silver);
    assert_int_equal(req_status(&mark, "POST", path, "{\"reason\":\"Liever ruilen.\"}"), 200);
    snprintf(path, sizeof path, "/api/v1/cases/%lld/resolve", case_silver);
    snprintf(body, sizeof body, "{\"resolution\":\"store_credit\",\"amount_cents\":15000}");
    assert_int_equal(req_status(&anna, "POST", path, body), 200);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_inputs WHERE case_id = %lld", case_silver), 2);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_replay WHERE case_id = %lld AND superseded_at IS NOT NULL",
                             case_silver), 1);
    expect_gold_figures(NULL);
    /* Without the modelled layer: the same exact and bounded figures, and
     * the layer says it was not read. */
    char *doc = gold_draft();
    struct resp r;
    simulate(&admin, doc, "\"modelled\":false", 200, &r);
    expect_ints(r.json, "exact.cases", 6, "exact.changed", 3, "bounded.exposed_cents", 35000 + 32000, NULL);
    expect_strs(r.json, "modelled.reason", "the goodwill economics were not read for this replay", NULL);
    resp_free(&r);
    simulate(&admin, doc, "\"modelled\":1", 422, &r);
    resp_free(&r);
    free(doc);
    expect_gold_figures("\"modelled\":true");
}

/* Erasing a customer drops the compact form of their decisions: they are
 * replayed from the redacted documents, to the same figures (they no
 * longer count as flagged: their rows name nobody), until the backfill
 * gives them the form again. */
static void erased_customers_replay_from_their_documents(void **state)
{
    (void)state;
    char path[64];
    snprintf(path, sizeof path, "/api/v1/customers/%lld/erase", silver);
    assert_int_equal(req_status(&admin, "POST", path, "{}"), 200);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_replay WHERE case_id = %lld AND inputs IS NULL"
                                   " AND customer_id IS NULL", case_silver), 2);
    expect_gold_figures(NULL);
    /* `trustdesk migrate` gives them the compact form again, of the
     * redacted documents; the figures stay. */
    char out[4096];
    assert_int_equal(run_cli(NULL, out, sizeof out, "migrate", "--db", srv.db_url, NULL), 0);
    assert_int_equal(db_intf(&srv, "SELECT COUNT(*) FROM decision_replay WHERE inputs IS NULL OR inputs NOT LIKE '#1%%'"), 0);
    expect_gold_figures(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_policy_in_force_changes_nothing),
        cmocka_unit_test(a_higher_gold_limit_needs_fewer_managers),
        cmocka_unit_test(the_changed_cases_as_files),
        cmocka_unit_test(a_manager_sees_their_own_store),
        cmocka_unit_test(bad_input_is_refused_naming_the_field),
        cmocka_unit_test(money_newly_exposed_to_a_flagged_customer),
        cmocka_unit_test(the_cli_answers_the_same),
        cmocka_unit_test(a_case_decided_again_counts_once),
        cmocka_unit_test(erased_customers_replay_from_their_documents),
    };
    return cmocka_run_group_tests(tests, setup, chain_teardown);
}
