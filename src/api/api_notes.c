/* api_notes.c — /api/v1/credit-notes: issue, look up, redeem, void, reissue,
 * print; and the ledger views for admins.
 *
 * A wrong code and an unknown code get the same 404. Each such miss counts
 * against the caller's account, and against the address as a backstop
 * (domain/throttle.h): after 20 misses the account must wait (429), so codes
 * cannot be guessed by trying, while the other tills at that address, and
 * integrations with their own tokens, go on. A miss is counted after the
 * request's transaction has ended (api_call.after_end), in one of its own:
 * a look-up runs in a read snapshot, where the write could fail under
 * concurrency and the miss went uncounted. */
#include "api/handlers.h"
#include "api/html.h"
#include "core/clock.h"
#include "core/code.h"
#include "core/text.h"
#include "core/token.h"
#include "db/db.h"
#include "domain/customer.h"
#include "domain/ledger.h"
#include "domain/store.h"
#include "domain/survey.h"
#include "domain/throttle.h"
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

json_t *api_note_json(const struct credit_note *n)
{
    json_t *o = json_pack("{s:I,s:s,s:I,s:I,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:o}",
                          "id", (json_int_t)n->id, "code_hint", n->code_hint,
                          "amount_cents", (json_int_t)n->amount_cents, "balance_cents", (json_int_t)n->balance_cents,
                          "status", n->status, "reason", n->reason, "funding", n->funding,
                          "store_code", api_str_or_null(n->store_code),
                          "issued_at", api_time(n->issued_at), "expires_at", api_time(n->expires_at),
                          "closed_at", api_time(n->closed_at),
                          "customer_id", n->customer_id ? json_integer(n->customer_id) : json_null());
    if (!o) return NULL;
    json_object_set_new(o, "case_id", n->case_id ? json_integer(n->case_id) : json_null());
    json_object_set_new(o, "replaces_id", n->replaces_id ? json_integer(n->replaces_id) : json_null());
    json_object_set_new(o, "replaced_by_id", n->replaced_by_id ? json_integer(n->replaced_by_id) : json_null());
    return o;
}

static int add_event(void *arg, const struct ledger_event *e)
{
    json_t *o = json_pack("{s:s,s:o,s:I,s:o,s:o,s:o,s:o}", "kind", e->kind, "at", api_time(e->at),
                          "delta_cents", (json_int_t)e->delta_cents, "store_code", api_str_or_null(e->store_code),
                          "till_reference", api_str_or_null(e->till_reference), "reason", api_str_or_null(e->reason),
                          "staff_login", api_str_or_null(e->staff_login));
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

/* Refuses (429) a caller who typed too many unknown codes. */
static int code_gate(struct api_call *a)
{
    struct throttle_keys k;
    int wait = 0;
    throttle_keys_code(a->me.login, a->d.addr, &k);
    int rc = throttle_check(&a->d, &k, &wait);
    if (rc != TD_OK) return rc;
    if (wait) {
        a->retry_after_s = wait;
        errors_set_message(&a->err, "too many unknown codes; wait %d seconds", wait);
        return TD_E_RATE_LIMITED;
    }
    return TD_OK;
}

static int miss_tx(struct db *db, void *arg)
{
    struct api_call *a = arg;
    struct dctx c = a->d;
    struct throttle_keys k;
    c.db = db;
    throttle_keys_code(a->me.login, a->d.addr, &k);
    return throttle_fail(&c, &k);
}

static int count_miss(struct api_call *a) { return db_transact(a->d.db, miss_tx, a); }

/* A miss (rc == TD_E_NOT_FOUND) is counted once the request is over. */
static int code_miss(struct api_call *a, int rc)
{
    if (rc != TD_E_NOT_FOUND) return rc;
    a->after_end = count_miss;
    errors_set_message(&a->err, "no credit note has this code");
    return rc;
}

int api_notes_issue(struct api_call *a)
{
    static const struct api_field fields[] = {
        {"amount_cents", AT_INT, 1, 0}, {"reason", AT_STRING, 1, LEDGER_REASON_MAX}, {"funding", AT_STRING, 0, 16},
        {"customer_id", AT_INT, 0, 0}, {"case_id", AT_INT, 0, 0}, {"expires_at", AT_STRING, 0, 40},
        {"store_code", AT_STRING, 0, 16}, {0},
    };
    json_t *b = NULL;
    int rc = api_body_fields(a, fields, &b);
    if (rc != TD_OK) return rc;
    struct ledger_issue in = {
        .amount_cents = json_integer_value(json_object_get(b, "amount_cents")),
        .reason = api_str(b, "reason"), .funding = api_str(b, "funding"),
        .customer_id = json_integer_value(json_object_get(b, "customer_id")),
        .case_id = json_integer_value(json_object_get(b, "case_id")),
        .store_id = a->me.store_id,
    };
    if (json_object_get(b, "customer_id") && in.customer_id <= 0) errors_add(&a->err, "customer_id", "no such customer");
    if (json_object_get(b, "case_id") && in.case_id <= 0) errors_add(&a->err, "case_id", "must be a positive case id");
    const char *exp = api_str(b, "expires_at");
    if (exp && clock_parse(exp, &in.expires_at) != TD_OK)
        errors_add(&a->err, "expires_at", "must be a date or date-time like 2028-11-22T10:00:00Z");
    const char *sc = api_str(b, "store_code");
    if (sc && (rc = api_store_of(a, sc, "store_code", &in.store_id)) != TD_OK && rc != TD_E_INVALID) {
        json_decref(b);
        return rc;                                        /* the database's, not "no such store" */
    }
    if (!json_is_integer(json_object_get(b, "amount_cents"))) in.amount_cents = 1;   /* already reported */
    char code[CODE_TEXT_SZ];
    struct credit_note n;
    rc = a->err.n ? TD_E_INVALID : ledger_check_loose(&a->d, &a->app->ledger, &in, &a->err);
    if (rc == TD_OK) rc = ledger_issue(&a->d, &a->app->ledger, &in, &a->err, code, &n);
    json_decref(b);
    if (rc != TD_OK) return rc;
    a->customer_id = n.customer_id;
    json_t *o = api_note_json(&n);
    json_object_set_new(o, "code", json_string(code));
    return api_reply_json(a, 201, o);
}

/* Answers a note; with its history for a look-up (GET), without it for a
 * movement, whose answer must stay small and fast however long the note
 * has been in use. */
static int reply_note(struct api_call *a, const struct credit_note *n, int status, const char *code, int with_history)
{
    a->customer_id = n->customer_id;
    json_t *o = api_note_json(n);
    if (with_history) {
        json_t *hist = json_array();
        int rc = ledger_history(&a->d, n->id, add_event, hist);
        if (rc != TD_OK) {
            json_decref(o);
            json_decref(hist);
            return rc;
        }
        json_object_set_new(o, "history", hist);
    }
    if (code) json_object_set_new(o, "code", json_string(code));
    return api_reply_json(a, status, o);
}

int api_notes_get(struct api_call *a)
{
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    struct credit_note n;
    rc = ledger_find(&a->d, a->r->params[0], &n);
    if (rc != TD_OK) return code_miss(a, rc);
    return reply_note(a, &n, 200, NULL, 1);
}

/* {"code": "..."} of a body-form route (the code stays out of the URL). */
static const char *body_code(struct api_call *a, json_t *b)
{
    const char *code = api_str(b, "code");
    if (!code || !*code) errors_add(&a->err, "code", "is required: the credit note's code");
    return code;
}

/* The note a {"code": "..."} body names, behind the code gate, and (canon
 * not NULL) its canonical code; a miss is counted (code_miss). */
static int find_body_note(struct api_call *a, struct credit_note *n, char canon[CODE_CHARS + 1])
{
    static const struct api_field fields[] = { {"code", AT_STRING, 1, 64}, {0} };
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_fields(a, fields, &b)) != TD_OK) return rc;
    const char *code = body_code(a, b);
    rc = a->err.n ? TD_E_INVALID : ledger_find(&a->d, code, n);
    if (rc == TD_OK && canon && code_parse(code, canon) != TD_OK) rc = TD_E_NOT_FOUND;
    json_decref(b);
    return rc == TD_OK ? TD_OK : code_miss(a, rc);
}

int api_notes_lookup(struct api_call *a)
{
    struct credit_note n;
    int rc = find_body_note(a, &n, NULL);
    if (rc != TD_OK) return rc;
    return reply_note(a, &n, 200, NULL, 1);
}

/* A redemption of code with the fields of b (checked by the caller). */
static int redeem(struct api_call *a, const char *code, json_t *b)
{
    int64_t store_id = 0;
    int rc = api_store_of(a, api_str(b, "store_code"), "store_code", &store_id);
    if (rc != TD_OK && rc != TD_E_INVALID) return rc;     /* the database's, not "no such store" */
    json_t *amt = json_object_get(b, "amount_cents");
    struct credit_note n;
    rc = a->err.n ? TD_E_INVALID
                  : ledger_redeem(&a->d, code, json_integer_value(amt), store_id, api_str(b, "till_reference"), &a->err, &n);
    if (rc != TD_OK) return code_miss(a, rc);
    return reply_note(a, &n, 201, NULL, 0);
}

#define REDEEM_FIELDS {"amount_cents", AT_INT, 1, 0}, {"store_code", AT_STRING, 1, 16}, \
                      {"till_reference", AT_STRING, 0, TILL_REF_MAX}

int api_notes_redeem(struct api_call *a)
{
    static const struct api_field fields[] = { REDEEM_FIELDS, {0} };
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_fields(a, fields, &b)) != TD_OK) return rc;
    rc = redeem(a, a->r->params[0], b);
    json_decref(b);
    return rc;
}

int api_notes_redeem_body(struct api_call *a)
{
    static const struct api_field fields[] = { {"code", AT_STRING, 1, 64}, REDEEM_FIELDS, {0} };
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    if ((rc = api_body_fields(a, fields, &b)) != TD_OK) return rc;
    rc = redeem(a, body_code(a, b), b);
    json_decref(b);
    return rc;
}

static int read_reason(struct api_call *a, json_t **b)
{
    static const struct api_field fields[] = { {"reason", AT_STRING, 1, LEDGER_REASON_MAX}, {0} };
    int rc = api_body_fields(a, fields, b);
    if (rc != TD_OK) return rc;
    return a->err.n ? TD_E_INVALID : TD_OK;
}

int api_notes_void(struct api_call *a)
{
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    struct credit_note n;
    rc = read_reason(a, &b);
    if (rc == TD_OK) rc = ledger_void(&a->d, a->r->params[0], api_str(b, "reason"), &a->err, &n);
    json_decref(b);
    if (rc != TD_OK) return code_miss(a, rc);
    return reply_note(a, &n, 200, NULL, 0);
}

int api_notes_reissue(struct api_call *a)
{
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    json_t *b = NULL;
    struct credit_note n;
    char code[CODE_TEXT_SZ];
    rc = read_reason(a, &b);
    if (rc == TD_OK) rc = ledger_reissue(&a->d, a->r->params[0], api_str(b, "reason"), &a->err, code, &n);
    json_decref(b);
    if (rc != TD_OK) return code_miss(a, rc);
    return reply_note(a, &n, 201, code, 0);
}

/* ---- the printable note ---------------------------------------------------- */

/* An SVG of the QR code of text: one path of unit squares. */
static int put_qr_svg(struct buf *b, const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr) return TD_E_NOMEM;
    int w = qr->width, quiet = 4;
    int rc = buf_printf(b, "<svg class=\"qr\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\""
                           " aria-label=\"QR code\" shape-rendering=\"crispEdges\"><rect width=\"100%%\" height=\"100%%\""
                           " fill=\"#fff\"/><path fill=\"#000\" d=\"", w + 2 * quiet, w + 2 * quiet);
    for (int y = 0; y < w && rc == TD_OK; y++)
        for (int x = 0; x < w && rc == TD_OK; x++)
            if (qr->data[y * w + x] & 1) rc = buf_printf(b, "M%d %dh1v1h-1z", x + quiet, y + quiet);
    if (rc == TD_OK) rc = buf_puts(b, "\"/></svg>");
    QRcode_free(qr);
    return rc;
}

static void euros(int64_t cents, char *out, size_t n)
{
    snprintf(out, n, "%lld,%02lld", (long long)(cents / 100), (long long)(cents % 100));
}

static void amsterdam_date(int64_t us, char *out, size_t n)
{
    int64_t t = us / 1000000;
    t += clock_amsterdam_offset(t);
    char iso[40];
    clock_format_rfc3339(t * 1000000, iso, sizeof iso);
    snprintf(out, n, "%.2s-%.2s-%.4s", iso + 8, iso + 5, iso);   /* DD-MM-YYYY */
}

/* The case's survey, when one waits for its answer: its link as a QR code,
 * for a customer who would rather scan than open the mail. */
static int put_survey(struct api_call *a, const struct credit_note *n)
{
    char url[SURVEY_URL_SZ];
    if (!n->case_id) return TD_OK;
    int rc = survey_link_of_case(&a->d, n->case_id, url);
    if (rc == TD_E_NOT_FOUND) return TD_OK;
    struct buf *b = &a->r->out;
    if (rc == TD_OK) rc = buf_puts(b, "<section class=\"survey\">");
    if (rc == TD_OK) rc = put_qr_svg(b, url);
    if (rc == TD_OK)
        rc = buf_puts(b, "<p><strong>Hoe hebben wij u geholpen?</strong> Scan de code: &eacute;&eacute;n vraag, een"
                         " minuut.</p><p lang=\"en\"><strong>How did we do?</strong> Scan the code: one question, a"
                         " minute.</p></section>");
    return rc;
}

/* The printable page of the note with this code. */
static int print_page(struct api_call *a, const char *typed)
{
    struct credit_note n;
    char canon[CODE_CHARS + 1], code[CODE_TEXT_SZ];
    int rc = ledger_find(&a->d, typed, &n);
    if (rc != TD_OK) return code_miss(a, rc);
    if (code_parse(typed, canon) != TD_OK) return TD_E_NOT_FOUND;
    code_format(canon, code);
    char bal[32], amt[32], until[16], issued[16];
    euros(n.balance_cents, bal, sizeof bal);
    euros(n.amount_cents, amt, sizeof amt);
    amsterdam_date(n.expires_at, until, sizeof until);
    amsterdam_date(n.issued_at, issued, sizeof issued);
    char nonce[API_NONCE_SZ];
    rc = api_html_begin(a, "nl", "Tegoedbon / Credit note",
                        "body{font-family:system-ui,sans-serif;margin:2rem;color:#111}"
                        ".note{border:2px dashed #333;max-width:32rem;padding:1.5rem;margin:auto}"
                        "h1{margin:0 0 .25rem;font-size:1.6rem}h1 small{font-weight:normal;color:#444}"
                        ".amount{font-size:2.4rem;font-weight:700;margin:.5rem 0}"
                        ".code{font-family:ui-monospace,monospace;font-size:1.5rem;letter-spacing:.08em;margin:.5rem 0;"
                        "white-space:nowrap}"
                        ".qr{width:9rem;height:9rem;float:right;margin-left:1rem}"
                        "dl{clear:both;display:grid;grid-template-columns:auto 1fr;gap:.25rem 1rem}dt{color:#444}"
                        ".survey{clear:both;border-top:1px solid #999;margin-top:1rem;padding-top:.75rem}"
                        ".survey .qr{width:8rem;height:8rem}"
                        "@media print{body{margin:0}button{display:none}}",
                        API_HTML_IMAGES, nonce);
    struct buf *b = &a->r->out;
    if (rc == TD_OK) rc = buf_puts(b, "<main class=\"note\">");
    if (rc == TD_OK) rc = put_qr_svg(b, code);
    if (rc == TD_OK) rc = buf_puts(b, "<h1>Tegoedbon <small>/ Credit note</small></h1><p class=\"amount\">&euro; ");
    if (rc == TD_OK) rc = buf_puts(b, bal);
    if (rc == TD_OK) rc = buf_puts(b, "</p><p class=\"code\" aria-label=\"code\">");
    if (rc == TD_OK) rc = api_html_text(b, code);
    if (rc == TD_OK) rc = buf_puts(b, "</p><dl><dt>Oorspronkelijk bedrag / Original amount</dt><dd>&euro; ");
    if (rc == TD_OK) rc = buf_puts(b, amt);
    if (rc == TD_OK) rc = buf_puts(b, "</dd><dt>Uitgegeven / Issued</dt><dd>");
    if (rc == TD_OK) rc = buf_puts(b, issued);
    if (rc == TD_OK && n.store_code[0]) {
        rc = buf_puts(b, " &middot; ");
        if (rc == TD_OK) rc = api_html_text(b, n.store_code);
    }
    if (rc == TD_OK) rc = buf_puts(b, "</dd><dt>Geldig tot / Valid until</dt><dd>");
    if (rc == TD_OK) rc = buf_puts(b, until);
    if (rc == TD_OK) rc = buf_puts(b, "</dd><dt>Status</dt><dd>");
    if (rc == TD_OK) rc = api_html_text(b, n.status);
    if (rc == TD_OK)
        rc = buf_puts(b, "</dd></dl><p>Te besteden in al onze winkels, ook in delen. Bewaar deze bon goed: wie de code heeft,"
                         " kan het tegoed gebruiken.</p><p lang=\"en\">Spend it in any of our stores, in one go or in parts."
                         " Keep this note safe: whoever has the code can use the credit.</p>");
    if (rc == TD_OK) rc = put_survey(a, &n);
    if (rc == TD_OK) rc = buf_puts(b, "<button type=\"button\" id=\"print\">Afdrukken / Print</button></main>");
    if (rc == TD_OK)
        rc = buf_printf(b, "<script nonce=\"%s\">document.getElementById('print').addEventListener('click',"
                           "function(){window.print();});</script>", nonce);
    if (rc != TD_OK) return rc;
    return api_html_end(a, 200);
}

int api_notes_print(struct api_call *a)
{
    int rc = code_gate(a);
    if (rc != TD_OK) return rc;
    return print_page(a, a->r->params[0]);
}

/* Print links: the token in the URL is random and lives PRINT_LINK_US; the
 * row keeps an id and the code sealed, both derived from the token, so the
 * table cannot be spent and an old link opens nothing. */
#define PRINT_LINK_US (5LL * 60 * 1000000)

int api_notes_print_link(struct api_call *a)
{
    struct credit_note n;
    char canon[CODE_CHARS + 1];
    int rc = find_body_note(a, &n, canon);
    if (rc != TD_OK) return rc;
    char token[TOKEN_HEX_LEN + 1], id[TOKEN_HASH_HEX_LEN + 1];
    unsigned char key[TOKEN_KEY_LEN];
    token_new(token);
    token_derive("print-link", token, "", id, key);
    struct buf sealed;
    buf_init(&sealed, 4096);
    rc = token_seal(key, id, canon, &sealed);
    sodium_memzero(key, sizeof key);
    int64_t expires = a->d.now_us + PRINT_LINK_US;
    if (rc == TD_OK) rc = db_run(a->d.db, "DELETE FROM print_links WHERE expires_at < ?", NULL, "i", a->d.now_us);
    if (rc == TD_OK)
        rc = db_run(a->d.db, "INSERT INTO print_links (id, sealed, staff_id, expires_at) VALUES (?, ?, ?, ?)", NULL, "ttii",
                    id, sealed.data, a->me.id, expires);
    buf_free(&sealed);
    if (rc != TD_OK) return rc;
    char url[128], until[40];
    snprintf(url, sizeof url, "/api/v1/print/%s", token);
    clock_format_rfc3339(expires, until, sizeof until);
    return api_reply_json(a, 201, json_pack("{s:s,s:s}", "url", url, "expires_at", until));
}

int api_print_by_link(struct api_call *a)
{
    const char *token = a->r->params[0];
    char id[TOKEN_HASH_HEX_LEN + 1];
    unsigned char key[TOKEN_KEY_LEN];
    token_derive("print-link", token, "", id, key);
    struct db_stmt *st = NULL;
    struct buf code;
    buf_init(&code, 64);
    int rc = db_get_row(a->d.db, "SELECT sealed FROM print_links WHERE id = ? AND expires_at >= ?", &st, "ti", id,
                        a->d.now_us);
    if (rc == TD_OK) rc = token_open(key, id, db_col_text(st, 0), &code) == TD_OK ? TD_OK : TD_E_NOT_FOUND;
    db_done(st);
    sodium_memzero(key, sizeof key);
    if (rc == TD_E_NOT_FOUND) errors_set_message(&a->err, "this print link has expired or never existed; print the note again");
    if (rc == TD_OK) rc = print_page(a, code.data);
    if (code.data) sodium_memzero(code.data, code.len);
    buf_free(&code);
    return rc;
}

/* ---- lists ------------------------------------------------------------------ */

API_ITEM_ADDER(add_note, struct credit_note, api_note_json)

int api_customers_notes(struct api_call *a)
{
    struct customer cu;
    int rc = api_customer_param(a, &cu);
    if (rc != TD_OK) return rc;
    json_t *items = json_array();
    rc = ledger_each_of_customer(&a->d, cu.id, add_note, items);
    return api_reply_items(a, rc, items, NULL);
}

int api_ledger_notes(struct api_call *a)
{
    const char *status = http_query(a->r, "status");
    int known;
    if (status && enum_map_read(&ledger_status_map, status, "status", &a->err, &known) != TD_OK) return TD_E_INVALID;
    struct api_list_page p;
    int rc = api_page_start(a, 50, 500, &p);
    if (rc != TD_OK) return rc;
    rc = ledger_each(&a->d, status, p.before, p.limit, add_note, p.items, &p.next);
    return api_reply_page(a, rc, &p);
}

static int add_account(void *arg, const char *code, const char *name, int64_t sum)
{
    json_t *o = json_pack("{s:s,s:s,s:I}", "code", code, "name", name, "balance_cents", (json_int_t)sum);
    return json_array_append_new(arg, o) == 0 ? TD_OK : TD_E_NOMEM;
}

int api_ledger_accounts(struct api_call *a)
{
    json_t *items = json_array();
    int rc = ledger_accounts_each(&a->d, add_account, items);
    return api_reply_items(a, rc, items, NULL);
}
