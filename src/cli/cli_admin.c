/* cli_admin.c — `trustdesk migrate`, `trustdesk user add`, `trustdesk token add|list|revoke`. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/errors.h"
#include "db/db.h"
#include "domain/desk_inputs.h"
#include "domain/identity.h"
#include "domain/staff.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_errors(const struct errors *e)
{
    if (e->message[0]) fprintf(stderr, "trustdesk: %s\n", e->message);
    for (size_t i = 0; i < e->n; i++) fprintf(stderr, "trustdesk: %s %s\n", e->item[i].field, e->item[i].problem);
}

struct backfill_arg { int64_t left; };

static int backfill_tx(struct db *db, void *arg)
{
    struct backfill_arg *b = arg;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "cli"};
    return identity_backfill_step(&c, 5000, &b->left);
}

static int replay_backfill_tx(struct db *db, void *arg)
{
    struct backfill_arg *b = arg;
    struct dctx c = {.db = db, .now_us = clock_now_us(NULL), .addr = "cli"};
    int64_t filled = 0;
    int rc = desk_inputs_backfill_step(&c, DESK_INPUTS_BACKFILL_BATCH, &filled);
    b->left = filled == DESK_INPUTS_BACKFILL_BATCH;    /* a full batch: there may be more */
    return rc;
}

int cli_migrate(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk migrate [--db URL]\n\nCreates the schema or applies the migrations it lacks, and gives\n"
        "customers from before migration 8 their identity keys and decisions\n"
        "from before migration 23 the simulator's compact form (the server's\n"
        "scheduler does the same a batch at a time).\n";
    struct db *db;
    int u = cli_db_command(argc, argv, usage, NULL, NULL, &db);
    if (u >= 0) return u;
    int64_t v = 0;
    int rc = db_schema_version(db, &v);
    struct backfill_arg b = {1};
    while (rc == TD_OK && b.left > 0) rc = db_transact(db, backfill_tx, &b);
    b.left = 1;
    while (rc == TD_OK && b.left > 0) rc = db_transact(db, replay_backfill_tx, &b);
    db_close(db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: migrate failed: %s\n", td_status_message(rc));
        return 1;
    }
    printf("schema at version %lld\n", (long long)v);
    return 0;
}

/* Reads one line (the password) from stdin without its newline. */
static int read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin)) return -1;
    size_t len = strlen(out);
    while (len && (out[len - 1] == '\n' || out[len - 1] == '\r')) out[--len] = '\0';
    return 0;
}

static int user_add_tx(struct db *db, void *arg)
{
    struct { struct staff_input *in; struct errors *err; int64_t id; } *x = arg;
    struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "cli" };
    errors_init(x->err);
    return staff_create(&c, x->in, x->err, &x->id);
}

int cli_user(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk user add --login L --name N --role associate|manager|admin [--store CODE]\n"
        "                          --password-stdin [--db URL]\n"
        "\nCreates a staff account; the password is read from standard input (one line).\n";
    static const char *const opts[] = {"--db", "--login", "--name", "--role", "--store", NULL};
    static const char *const flags[] = {"--password-stdin", NULL};
    int u = cli_check_args(argc, argv, opts, flags, 1, usage);
    if (u) return u == 1 ? 0 : u;
    if (strcmp(cli_positional(argc, argv, opts, 0), "add") != 0 || !cli_flag(argc, argv, "--password-stdin")) {
        fputs(usage, stderr);
        return 2;
    }
    char password[1100];
    if (read_password(password, sizeof password) != 0) {
        fputs("trustdesk: no password on standard input\n", stderr);
        return 2;
    }
    struct staff_input in = {
        .login = cli_opt(argc, argv, "--login", NULL), .name = cli_opt(argc, argv, "--name", NULL),
        .role = cli_opt(argc, argv, "--role", NULL), .store_code = cli_opt(argc, argv, "--store", NULL),
        .password = password, .active = 1,
    };
    struct db *db = NULL;
    if (cli_open_db(cli_db_url(argc, argv), &db)) return 1;
    struct errors err;
    struct { struct staff_input *in; struct errors *err; int64_t id; } x = { &in, &err, 0 };
    int rc = db_transact(db, user_add_tx, &x);
    db_close(db);
    if (rc != TD_OK) {
        print_errors(&err);
        if (!err.n) fprintf(stderr, "trustdesk: %s\n", td_status_message(rc));
        return 1;
    }
    printf("created %s (%s)\n", in.login, in.role);
    return 0;
}

struct token_cmd {
    const char *what;             /* "add", "list" or "revoke" */
    const char *login;
    int64_t days, id;
    char token[TOKEN_HEX_LEN + 1];
    int64_t new_id, expires_at;
};

static int print_token(void *arg, const struct api_token *t)
{
    int64_t now = *(const int64_t *)arg;
    char created[40], expires[40];
    clock_format_rfc3339(t->created_at / 1000000 * 1000000, created, sizeof created);
    clock_format_rfc3339(t->expires_at / 1000000 * 1000000, expires, sizeof expires);
    const char *status = t->revoked_at ? "revoked" : t->expires_at <= now ? "expired" : "active";
    printf("%-6lld %-20s %-21s %-21s %s\n", (long long)t->id, t->login, created, expires, status);
    return TD_OK;
}

static int token_tx(struct db *db, void *arg)
{
    struct token_cmd *x = arg;
    struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "cli" };
    if (strcmp(x->what, "add") == 0) {
        x->expires_at = c.now_us + x->days * 86400LL * 1000000;
        return staff_token_create(&c, x->login, x->expires_at, x->token, &x->new_id);
    }
    return staff_token_revoke(&c, x->id);
}

/* A read: no transaction to retry, so the lines are printed once. */
static int token_list(struct db *db, const char *login)
{
    struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "cli" };
    printf("%-6s %-20s %-21s %-21s %s\n", "id", "login", "created", "expires", "status");
    return staff_token_each(&c, login, print_token, &c.now_us);
}

/* A whole number from 1 to max, or -1. */
static int64_t positive(const char *s, int64_t max)
{
    if (!s || !*s) return -1;
    char *end = NULL;
    long long v = strtoll(s, &end, 10);
    return *end || v < 1 || v > max ? -1 : v;
}

int cli_token(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk token add --login L [--days N] [--db URL]\n"
        "       trustdesk token list [--login L] [--db URL]\n"
        "       trustdesk token revoke --id N [--db URL]\n"
        "\nadd: prints a new API token acting as staff member L, for integrations\n"
        "(send it as 'Authorization: Bearer TOKEN'), valid for N days (default 365,\n"
        "at most 3650). Only its hash is stored.\n"
        "list: every token (of L) with its id, expiry and status (active, expired, revoked).\n"
        "revoke: the token with that id stops working at once.\n";
    static const char *const opts[] = {"--db", "--login", "--days", "--id", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 1, usage);
    if (u) return u == 1 ? 0 : u;
    struct token_cmd x = { .what = cli_positional(argc, argv, opts, 0), .login = cli_opt(argc, argv, "--login", NULL) };
    const char *days = cli_opt(argc, argv, "--days", NULL), *id = cli_opt(argc, argv, "--id", NULL);
    x.days = days ? positive(days, TOKEN_DAYS_MAX) : TOKEN_DAYS_DEFAULT;
    x.id = id ? positive(id, INT64_MAX) : -1;
    int ok = 0;
    if (strcmp(x.what, "add") == 0) ok = x.login && !id && x.days > 0;
    else if (strcmp(x.what, "list") == 0) ok = !days && !id;
    else if (strcmp(x.what, "revoke") == 0) ok = !days && !x.login && x.id > 0;
    if (!ok) {
        fputs(usage, stderr);
        return 2;
    }
    struct db *db = NULL;
    if (cli_open_db(cli_db_url(argc, argv), &db)) return 1;
    int rc = strcmp(x.what, "list") == 0 ? token_list(db, x.login) : db_transact(db, token_tx, &x);
    db_close(db);
    if (rc == TD_E_NOT_FOUND && x.login) {
        fprintf(stderr, "trustdesk: no staff member with login %s\n", x.login);
        return 1;
    }
    if (rc == TD_E_NOT_FOUND) {
        fprintf(stderr, "trustdesk: no API token has id %lld\n", (long long)x.id);
        return 1;
    }
    if (rc == TD_E_CONFLICT) {
        fprintf(stderr, "trustdesk: API token %lld was revoked before\n", (long long)x.id);
        return 1;
    }
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: %s\n", td_status_message(rc));
        return 1;
    }
    if (strcmp(x.what, "add") == 0) {
        char until[40];
        clock_format_rfc3339(x.expires_at / 1000000 * 1000000, until, sizeof until);
        printf("%s\n", x.token);
        fprintf(stderr, "trustdesk: API token %lld for %s, valid until %s\n", (long long)x.new_id, x.login, until);
    } else if (strcmp(x.what, "revoke") == 0) {
        printf("revoked API token %lld\n", (long long)x.id);
    }
    return 0;
}
