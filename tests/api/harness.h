/* harness.h — API tests talk HTTP to a real `trustdesk serve`.
 *
 * server_start() makes a temporary folder with a fresh SQLite database (or,
 * when TRUSTDESK_TEST_PG is a base URL "postgres://user@host:port/", a fresh
 * database in that PostgreSQL cluster),
 * migrates it, adds an admin account "admin" / "admin-password", starts the
 * server on a free port and waits until it answers. server_stop() sends
 * SIGTERM, waits, and removes the folder.
 */
#ifndef TD_HARNESS_H
#define TD_HARNESS_H
#include <jansson.h>
#include <stddef.h>
#include <sys/types.h>

struct server {
    pid_t pid;
    int port;
    char dir[256];
    char db_url[512];
    char base[64];             /* "http://127.0.0.1:PORT" */
    char log[300];             /* the server's stderr */
    int shared;                /* started on another server's database */
    char read_db[512];         /* when set, started with --read-db (a replica's URL) */
};

struct client {
    void *curl;                /* CURL *, keeps the cookie jar and the connection */
    const struct server *srv;
    char csrf[80];
    char bearer[80];           /* when set, sent as Authorization: Bearer */
    int no_origin;             /* leave out the Origin header */
    int no_csrf;               /* leave out the X-CSRF-Token header */
    /* When set, called once per request as soon as its whole body has been
     * sent (the answer may still be on its way). */
    void (*on_sent)(void *arg);
    void *on_sent_arg;
};

struct resp {
    long status;
    char *body;                /* NUL-terminated */
    size_t len;
    json_t *json;              /* parsed body, NULL when not JSON */
    char headers[4096];
};

#define ADMIN_LOGIN "admin"
#define ADMIN_PASSWORD "admin-password"

const char *trustdesk_bin(void);
int server_start(struct server *s);
/* server_start() in two halves, for a test that prepares the database first
 * (e.g. as an older release left it): server_make_db() makes the folder and
 * an empty database, nothing migrated, at s->db_url; server_start_made()
 * adds the admin (which migrates the rest) and starts the server. */
int server_make_db(struct server *s);
int server_start_made(struct server *s);
/* Starts a second server process on the database of `first` (which keeps
 * owning it: stopping this one leaves the database alone). */
int server_start_shared(struct server *s, const struct server *first);
/* Kills the server process with SIGKILL (a crash) and reaps it. */
void server_kill9(struct server *s);
/* Starts the process again on the same database (a new port). */
int server_restart(struct server *s);
/* 1 when the server runs on PostgreSQL (TRUSTDESK_TEST_PG set). */
int server_is_pg(const struct server *s);
/* Runs one SQL statement on the server's database with sqlite3 or psql
 * (test set-up only, e.g. to age a session); 0 on success. */
int server_sql(const struct server *s, const char *stmt);
/* Runs one query with sqlite3 or psql and puts the first line of its output
 * (the first column of the first row; "" for none) into out; 0 on success. */
int server_sql_value(const struct server *s, const char *query, char *out, size_t n);
/* The integer the query's first row and column holds (-1 on error). */
long long server_sql_int(const struct server *s, const char *query);
void server_stop(struct server *s);
/* Runs `trustdesk ARGS...` (NULL-ended) with stdin_text on its standard
 * input; returns its exit status; its stdout goes to out (may be NULL). */
int run_cli(const char *stdin_text, char *out, size_t out_size, const char *arg0, ...) __attribute__((sentinel));

void client_init(struct client *c, const struct server *s);
void client_free(struct client *c);
/* The value of a cookie in the client's jar; 0 when found. */
int client_cookie(struct client *c, const char *name, char *out, size_t n);
/* Sends a request; body may be NULL. Sends Origin and the CSRF token the
 * last login answered, unless told not to. Returns 0 or -1 on transport error. */
int req(struct client *c, const char *method, const char *path, const char *body, struct resp *r);
/* Same, with extra header lines (NULL-ended). */
int req_h(struct client *c, const char *method, const char *path, const char *body, struct resp *r, ...)
    __attribute__((sentinel));
void resp_free(struct resp *r);
/* POST /api/v1/session; keeps the cookie and CSRF token; returns the status. */
long login(struct client *c, const char *user, const char *password);
/* Creates a store and a staff member through the API as an admin client. */
void make_store(struct client *admin, const char *code, const char *name, const char *city);
void make_staff(struct client *admin, const char *login, const char *role, const char *store, const char *password);
/* ---- fixtures: a chain with its staff, customers, cases -------------------
 *
 * The stores the tests know, by code: UTR01 "Utrecht Centrum" (Utrecht),
 * AMS01 "Amsterdam Kalverstraat" (Amsterdam), RTM01 "Rotterdam Lijnbaan"
 * (Rotterdam). A member's password is "LOGIN-password". */
struct member {
    const char *login, *role, *store;
    struct client *c;            /* logged in on this client when set */
};
#define MEMBERS_END {NULL, NULL, NULL, NULL}
/* On a running server: logs the admin in on admin (NULL: a client of its
 * own, freed again), creates the stores (codes separated by spaces, in that
 * order) and the members (ending with MEMBERS_END; NULL: none), and logs in
 * every member that has a client. 0 on success, -1 when a login fails.
 * The server and the clients are kept for chain_teardown(). */
int chain_setup(struct server *s, struct client *admin, const char *stores, const struct member *m);
/* server_start() and chain_setup(). */
int chain_start(struct server *s, struct client *admin, const char *stores, const struct member *m);
/* chain_start() with environment variables (pairs ended by {NULL, NULL})
 * set while the server starts, and unset again. */
struct env_var {
    const char *name, *value;
};
int chain_start_env(struct server *s, struct client *admin, const char *stores, const struct member *m,
                    const struct env_var *env);
/* The chain the insight tests share: Utrecht and Amsterdam, associate anna
 * and manager mark in Utrecht, manager piet in Amsterdam, and the goodwill
 * economics' minimum of matched cases lowered to 8 (a test's few dozen
 * cases); the customers' CSV header and the purchases' header for it. */
int insight_chain_start(struct server *s, struct client *admin, struct client *anna, struct client *mark,
                        struct client *piet);
#define INSIGHT_CUSTOMERS_HEADER "loyalty_number,name,email,home_store_code\n"
#define PURCHASES_HEADER "receipt_id,purchased_at,store_code,customer_ref,sku,product_name,brand,category,unit_price,quantity\n"
/* The insight tests' files: the customers, and the purchases before and
 * after the cases, each started with its header by insight_csv_start(). */
struct insight_csv {
    char customers[8192], before[16384], after[16384];
};
void insight_csv_start(struct insight_csv *x);
/* Imports x->customers, then x->before (the purchases before the cases). */
void insight_csv_import(struct client *admin, const struct insight_csv *x);
/* Appends customer NL-p ("Klant p", kp@example.test) of home store to
 * x->customers. */
void insight_customer(struct insight_csv *x, int p, const char *store);
/* Appends the printf-style text to the string in buf (n bytes); fails the
 * test when it does not fit. */
void csv_appendf(char *buf, size_t n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* client_init() of a client logged in as no one, freed by chain_teardown(). */
void chain_anon(struct client *c, const struct server *s);
/* The chain the survey tests share: chain_start_env() of Utrecht and
 * Amsterdam with the members m, every resolved case asking for a survey
 * (TRUSTDESK_SURVEY_DAYS 0) and a score shown from min_answers answers on
 * (TRUSTDESK_NPS_MIN_ANSWERS); anon a client logged in as no one. */
int survey_chain_start(struct server *s, struct client *admin, const struct member *m, const char *min_answers,
                       struct client *anon);
/* Keeps another server (e.g. one started with server_start_shared) for
 * chain_teardown(), which stops it before the ones kept earlier. */
void chain_keep(struct server *s);
/* A cmocka teardown: frees the clients chain_setup() logged in and stops the
 * servers kept, the last kept first. */
int chain_teardown(void **state);
/* client_init() and a login as login_name (its member password, or the
 * admin's); asserts 201. */
void client_login(struct client *c, const struct server *s, const char *login_name);
/* The status of one request (asserts it was answered). */
long req_status(struct client *c, const char *method, const char *path, const char *body);
/* Sends a request into r and asserts it was answered with status (printing
 * the body when not); the caller frees r. */
void req_expect(struct client *c, const char *method, const char *path, const char *body, long status,
                struct resp *r);
/* The status GET /api/v1/me answers to a bearer of token (no Origin, no
 * cookie). */
long bearer_me(const struct server *s, const char *token);
/* An API token for login made with `trustdesk token add` into out; 0 on success. */
int cli_token(const struct server *s, const char *login, char *out, size_t n);
/* "YYYY-MM-DD HH:MM" (UTC) of now minus days. */
void days_ago(int days, char *out, size_t n);
/* Returns once every server's staff cache (domain/staff_cache.h: what a
 * session or token check found, kept one second) has ended every entry made
 * before the call: a request sent afterwards reads the database. Not a wait
 * for a condition but the rule itself: a change made elsewhere (another
 * server, SQL, the CLI) counts everywhere within one second. */
void after_staff_cache(void);
/* Moves a resolved case back days in time, as time would have: its
 * resolution, its decisions and its case_outcomes row (migration 0022),
 * whose windows are counted again from the receipts as they stand then.
 * Asserts the SQL ran. */
void case_age(const struct server *s, long long case_id, int days);
/* Makes every write to idempotency_keys fail (on) or lets it be (off): a
 * request with a key then fails after the desk and the event subscribers did
 * all their work, and is rolled back whole. */
void refuse_idempotency_keys(const struct server *s, int on);
/* Posts CSV text to /api/v1/imports/KIND as c; asserts 200 or 201. */
void import_csv(struct client *c, const char *kind, const char *text);
/* The same, with every field "@N" (N digits) replaced by days_ago(N): a
 * purchases file whose dates are relative to today. */
void import_csv_ago(struct client *c, const char *kind, const char *text);
/* How often needle stands in the bytes of a file (0 when it is absent),
 * ASCII letters compared without case when ignore_case is set. */
long file_occurrences(const char *path, const char *needle, int ignore_case);
/* The id of the one customer a search for q finds (asserts there is one). */
long long customer_id(struct client *c, const char *q);
/* POSTs body to path as c; asserts 201 and returns the "id" it answers. */
long long post_id(struct client *c, const char *path, const char *body);
/* Opens a case; asserts 201 and status "open"; returns its id. */
long long case_open(struct client *c, const char *body);
/* The same, the body made with printf's format (fails the test when it
 * does not fit). */
long long case_openf(struct client *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The status of POST /api/v1/cases/ID/WHAT with body as c. */
long case_post_status(struct client *c, long long id, const char *what, const char *body);
/* POST /api/v1/cases/ID/decision as c into r (asserts 200; the caller frees r). */
void case_decide(struct client *c, long long id, struct resp *r);
/* Decides the case and resolves it as the desk recommends (resolution and
 * its maximum amount), as c; asserts it is resolved. */
void case_resolve_as_recommended(struct client *c, long long id);
/* A new customer of store with a name and e-mail of their own ("Klant N"),
 * made by c; its id. A new one for every case keeps the guard from rightly
 * holding a customer's fifth complaint of the day. */
long long customer_new(struct client *c, const char *store);
/* A complaint about the service (nothing sold here), opened at c's desk in
 * store for the customer; its id. */
long long service_complaint_open(struct client *c, const char *store, long long customer);
/* The same, resolved as recommended (the complaint's goodwill gesture). */
long long service_complaint_resolved(struct client *c, const char *store, long long customer);
/* The path of the survey link in the outbox's newest mail
 * ("/api/v1/surveys/TOKEN"). */
void survey_last_link(const struct server *s, char *link, size_t n);
/* Answers the survey at link with score on its public page as anon;
 * asserts 200. */
void survey_answer(struct client *anon, const char *link, int score);
/* One number from the server's database, read through db_open (asserts). */
long long db_int(const struct server *s, const char *sql);
/* The same for a query built with printf's format (fails the test when it
 * does not fit or does not run). */
long long db_intf(const struct server *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* One number from a query built with printf's format on a database the
 * test holds open (fails the test when the query does not run or finds no
 * row). */
struct db;
long long db_query_intf(struct db *db, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- a volley: many requests at once ------------------------------------ */
struct volley_shot {
    const char *method, *path, *body;
    const char *header;        /* one more header line (an Idempotency-Key), or NULL */
    struct resp r;             /* the answer; r.status 0 when none came */
};
/* Sends every shot at the same time, each from a thread and a connection of
 * its own, as the logged-in client as (its session cookie and CSRF token);
 * returns when all have been answered. Free the answers with volley_free(). */
void volley(struct client *as, struct volley_shot *shots, size_t n);
void volley_free(struct volley_shot *shots, size_t n);
/* How many of the shots were answered with status. */
int volley_count(const struct volley_shot *shots, size_t n, long status);

/* The value of a response header (first match, case-insensitive), or "". */
const char *resp_header(struct resp *r, const char *name, char *out, size_t n);
/* json_string_value of a dotted path like "error.code" ("" when absent). */
const char *jstr(json_t *j, const char *path);
long long jint(json_t *j, const char *path);
/* The string field of every object of the array at j's member `array`,
 * joined by commas into out ("a,b,c"): an order to compare at once. */
const char *jjoin(json_t *j, const char *array, const char *field, char *out, size_t n);
/* Asserts what j holds at dotted paths: pairs (path, want) ended by NULL,
 * an int for expect_ints, a string for expect_strs; a failure names the
 * path, what it holds and what was wanted. */
void expect_ints(json_t *j, ...) __attribute__((sentinel));
void expect_strs(json_t *j, ...) __attribute__((sentinel));
/* The number at o[a][b], asserted to be one. */
double jnum2(json_t *o, const char *a, const char *b);
/* Asserts that the interval o[key] ({estimate, low, high}) holds want and is
 * one (low < high); what names it in a failure. */
void expect_interval_holds(const char *what, json_t *o, const char *key, double want);
/* The "field" of details[i] of an error answer ("" when absent). */
const char *err_field(struct resp *r, size_t i);
/* 1 when some details[].field equals field. */
int has_err_field(struct resp *r, const char *field);

/* Sends the request and asserts it was answered with status and an error
 * whose details name field (a failure shows the body). */
void req_expect_field(struct client *c, const char *method, const char *path, const char *body, long status,
                      const char *field);
/* GET path as c: asserts 200 and n elements in the answer's "items". */
void expect_items(struct client *c, const char *path, size_t n);
/* Asserts that text (not NULL) holds every string that follows (NULL-ended);
 * a failure names what and the missing string and shows text. */
void expect_in(const char *what, const char *text, ...) __attribute__((sentinel));

/* ---- reports as files (api/export.c) --------------------------------------
 *
 * report_csv() GETs path as c into r and asserts 200, Content-Type
 * "text/csv; charset=utf-8", a Content-Disposition of
 * `attachment; filename="STEM.csv"` where stem may hold '*' for any run of
 * characters (NULL: unchecked), and a body that opens with the byte-order
 * mark Dutch Excel reads UTF-8 by, then head (NULL: unchecked).
 * report_xlsx() does the same for a workbook (its Content-Type, "STEM.xlsx").
 * The caller frees r. */
void report_csv(struct client *c, const char *path, const char *stem, const char *head, struct resp *r);
void report_xlsx(struct client *c, const char *path, const char *stem, struct resp *r);
/* A report of several tables at path (no query) refuses an unknown table
 * ("?format=csv&table=nope", the problem tables: "must be a, b or c") and
 * an unknown format ("?format=ods"), 400 naming the field. */
void report_refusals(struct client *c, const char *path, const char *tables);
/* Asserts that sheet n (from 1, as xlsx_grid() writes it) of the workbook in
 * r, or its part (e.g. "xl/workbook.xml"), is there and holds every string
 * that follows (NULL-ended). */
void expect_sheet(const struct resp *r, int sheet, ...) __attribute__((sentinel));
void expect_part(const struct resp *r, const char *part, ...) __attribute__((sentinel));

/* The part of the .xlsx in r's body (e.g. "xl/worksheets/sheet1.xml"),
 * read with `unzip -p`; malloc'd, NULL when r holds no zip or no such part. */
char *xlsx_part(const struct resp *r, const char *part);
/* Sheet n (from 1) of the .xlsx in r as text: a line per row, cells by ';'
 * in their columns, a string cell in double quotes (the shared string it
 * names), a number to 10 significant digits ("5", "-78.4"); malloc'd,
 * NULL without it. */
char *xlsx_grid(const struct resp *r, int sheet);

#endif
