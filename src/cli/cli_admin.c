/* cli_admin.c — `trustdesk migrate`, `trustdesk user add`, `trustdesk token add`. */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/errors.h"
#include "db/db.h"
#include "domain/staff.h"
#include <stdio.h>
#include <string.h>

static void print_errors(const struct errors *e)
{
    if (e->message[0]) fprintf(stderr, "trustdesk: %s\n", e->message);
    for (size_t i = 0; i < e->n; i++) fprintf(stderr, "trustdesk: %s %s\n", e->item[i].field, e->item[i].problem);
}

int cli_migrate(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk migrate [--db URL]\n\nCreates the schema or applies the migrations it lacks.\n";
    static const char *const opts[] = {"--db", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 0, usage);
    if (u) return u == 1 ? 0 : u;
    struct db *db = NULL;
    if (cli_open_db(cli_db_url(argc, argv), &db)) return 1;
    int64_t v = 0;
    int rc = db_schema_version(db, &v);
    db_close(db);
    if (rc != TD_OK) return 1;
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

static int token_add_tx(struct db *db, void *arg)
{
    struct { const char *login; char token[TOKEN_HEX_LEN + 1]; } *x = arg;
    struct dctx c = { .db = db, .now_us = clock_now_us(NULL), .addr = "cli" };
    return staff_token_create(&c, x->login, x->token);
}

int cli_token(int argc, char **argv)
{
    static const char usage[] =
        "usage: trustdesk token add --login L [--db URL]\n"
        "\nPrints a new API token acting as staff member L, for integrations\n"
        "(send it as 'Authorization: Bearer TOKEN'). Only its hash is stored.\n";
    static const char *const opts[] = {"--db", "--login", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 1, usage);
    if (u) return u == 1 ? 0 : u;
    const char *login = cli_opt(argc, argv, "--login", NULL);
    if (strcmp(cli_positional(argc, argv, opts, 0), "add") != 0 || !login) {
        fputs(usage, stderr);
        return 2;
    }
    struct db *db = NULL;
    if (cli_open_db(cli_db_url(argc, argv), &db)) return 1;
    struct { const char *login; char token[TOKEN_HEX_LEN + 1]; } x = { login, "" };
    int rc = db_transact(db, token_add_tx, &x);
    db_close(db);
    if (rc == TD_E_NOT_FOUND) {
        fprintf(stderr, "trustdesk: no staff member with login %s\n", login);
        return 1;
    }
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: %s\n", td_status_message(rc));
        return 1;
    }
    printf("%s\n", x.token);
    return 0;
}
