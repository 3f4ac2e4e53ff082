/* cli_serve.c — `trustdesk serve`: migrate, check the route table, listen
 * until SIGINT or SIGTERM. */
#include "api/api.h"
#include "api/group.h"
#include "api/jobs.h"
#include "cli/cli.h"
#include "core/addr.h"
#include "core/log.h"
#include "db/db.h"
#include "db/db_ticker.h"
#include "domain/clienteling.h"
#include "domain/goodwill.h"
#include "domain/nps.h"
#include "domain/survey.h"
#include "mail/mail.h"
#include <limits.h>
#include <signal.h>
#include <sys/resource.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: trustdesk serve [--db URL] [--read-db URL] [--listen HOST:PORT] [--threads N]\n"
    "\n"
    "Runs the API (and the web app, when built) until SIGINT or SIGTERM.\n"
    "  --db URL          sqlite:PATH or postgres://... ($TRUSTDESK_DB; default sqlite:data/trustdesk.db)\n"
    "  --read-db URL     postgres://... of a streaming replica of --db for the insight reads\n"
    "                    ($TRUSTDESK_READ_DB; PostgreSQL only; docs/operations.md)\n"
    "  --listen H:P      address to listen on ($TRUSTDESK_LISTEN; default 127.0.0.1:8080; port 0 picks one)\n"
    "  --threads N       worker threads (default: one per core on SQLite, eight per core on PostgreSQL)\n"
    "  --max-body BYTES  largest JSON request body (default 1048576; CSV imports may send up to 256 MiB)\n"
    "  --web DIR         the built web app to serve at / (default: web/dist when it exists; \"\" for none)\n"

    "Environment: TRUSTDESK_SECURE_COOKIES=1 behind TLS; TRUSTDESK_MAX_PER_ADDRESS (default 128);\n"
    "TRUSTDESK_MAX_CONNECTIONS (default 4096; the open-file limit is raised to fit, or it is lowered);\n"
    "TRUSTDESK_CREDIT_NOTE_DAYS (validity, default 730); TRUSTDESK_ASSOCIATE_LIMIT_CENTS (default 50000);\n"
    "TRUSTDESK_TRUSTED_PROXIES=127.0.0.1,10.0.0.5 (addresses or networks whose X-Forwarded-For names\n"
    "the client; default none, and the header is ignored).\n"
    "Clienteling: TRUSTDESK_CONTACT_CAP (marketing contacts per customer in 30 days, 0-20, default 2);\n"
    "TRUSTDESK_HOLDOUT_PERCENT (matched customers kept back to measure outreach, 0-50, default 10);\n"
    "TRUSTDESK_TASKS_PER_ASSOCIATE (outreach tasks per associate per day, 1-500, default 25).\n"
    "Feedback: TRUSTDESK_SURVEY_DAYS (at most one survey per customer in this many days, 0-365, default 90).\n"
    "Mail: TRUSTDESK_SMTP_URL, TRUSTDESK_MAIL_FROM, TRUSTDESK_SHOP_NAME, TRUSTDESK_PUBLIC_URL (docs/mail.md).\n";

static long env_long(const char *name, long def)
{
    const char *v = getenv(name);
    if (!v || !*v) return def;
    char *end;
    long n = strtol(v, &end, 10);
    return *end ? def : n;
}

/* The connections the server may hold at once, with the open files they
 * need: the soft limit is raised towards the hard one (a service manager
 * often starts processes at 1,024), and where even the hard limit is too
 * low the connections are fewer, with a warning. 1,000 connections held
 * open by a slow attacker then still leave room for the tills. */
enum { FILES_BESIDE_CONNECTIONS = 256 };   /* databases, log, web files, listen socket */
static unsigned open_files_for(unsigned connections)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return connections;
    rlim_t want = (rlim_t)connections + FILES_BESIDE_CONNECTIONS;
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        rl.rlim_cur = (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= want) ? want : rl.rlim_max;
        (void)setrlimit(RLIMIT_NOFILE, &rl);
        (void)getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
        unsigned fit = rl.rlim_cur > 2 * FILES_BESIDE_CONNECTIONS ? (unsigned)(rl.rlim_cur - FILES_BESIDE_CONNECTIONS)
                                                                   : (unsigned)(rl.rlim_cur / 2);
        fprintf(stderr, "trustdesk: %u open files allowed; holding at most %u connections, not %u\n",
                (unsigned)rl.rlim_cur, fit, connections);
        return fit;
    }
    return connections;
}

/* --read-db: PostgreSQL beside a PostgreSQL --db, reachable now, and a
 * standby (pg_is_in_recovery()), so that what it says of its lag means
 * something; one that receives no WAL at the moment only earns a warning
 * (its reads go to the primary until it does, api/replica.c). 0 when the
 * server may start (also without --read-db), else the error is printed. */
static int read_db_start(struct app *app, struct db *primary, const char *url)
{
    if (!url) return 0;
    if (db_backend(primary) != DB_POSTGRES) {
        fprintf(stderr, "trustdesk: --read-db needs a PostgreSQL --db: a SQLite database has no read replicas\n");
        return -1;
    }
    if (strncmp(url, "postgres://", 11) != 0 && strncmp(url, "postgresql://", 13) != 0) {
        fprintf(stderr, "trustdesk: --read-db must be a postgres:// URL of a streaming replica of --db\n");
        return -1;
    }
    if (snprintf(app->read_db_url, sizeof app->read_db_url, "%s", url) >= (int)sizeof app->read_db_url) {
        fprintf(stderr, "trustdesk: --read-db is longer than %zu characters\n", sizeof app->read_db_url - 1);
        return -1;
    }
    struct db *rdb = NULL;
    struct db_replica st = {0};
    if (app_read_db(app, &rdb) != TD_OK) {
        fprintf(stderr, "trustdesk: --read-db: cannot connect to the read replica (is it running, and may this"
                        " user log in?)\n");
        return -1;
    }
    int rc = db_replica_state(rdb, &st);
    app_read_db_drop(app);                 /* the workers open their own */
    if (rc != TD_OK || !st.standby) {
        fprintf(stderr, "trustdesk: --read-db: %s\n",
                rc != TD_OK ? "cannot read the replica's state"
                            : "that server is not a standby (pg_is_in_recovery() is false); give a streaming"
                              " replica of --db");
        return -1;
    }
    if (!st.streaming)
        log_msg(LOG_WARN, "the read replica receives no WAL from the primary: insight reads go to the primary until it"
                          " does", NULL);
    return 0;
}

int cli_serve(int argc, char **argv)
{
    static const char *const opts[] = {"--db", "--read-db", "--listen", "--threads", "--max-body", "--web", NULL};
    int u = cli_check_args(argc, argv, opts, NULL, 0, usage);
    if (u) return u == 1 ? 0 : u;
    const char *url = cli_db_url(argc, argv);
    const char *env_listen = getenv("TRUSTDESK_LISTEN");
    const char *listen = cli_opt(argc, argv, "--listen", env_listen && *env_listen ? env_listen : "127.0.0.1:8080");
    char rule[160];
    if (clienteling_rules_from_env(rule, sizeof rule) != TD_OK || survey_settings_from_env(rule, sizeof rule) != TD_OK ||
        nps_settings_from_env(rule, sizeof rule) != TD_OK || goodwill_settings_from_env(rule, sizeof rule) != TD_OK) {
        fprintf(stderr, "trustdesk: %s\n", rule);
        return 2;
    }
    struct app app;
    if (app_init(&app, url) != TD_OK) {
        fprintf(stderr, "trustdesk: bad --db value\n");
        return 2;
    }
    app.secure_cookies = env_long("TRUSTDESK_SECURE_COOKIES", 0) != 0;
    app.max_body = (size_t)strtoull(cli_opt(argc, argv, "--max-body", "1048576"), NULL, 10);
    const char *web = cli_opt(argc, argv, "--web", NULL);
    if (!web && access("web/dist/index.html", R_OK) == 0) web = "web/dist";
    char web_real[PATH_MAX];
    if (web && *web && (!realpath(web, web_real) || snprintf(app.web_dir, sizeof app.web_dir, "%s", web_real) >=
                                                        (int)sizeof app.web_dir)) {
        fprintf(stderr, "trustdesk: --web %s: no such folder (or its path is too long)\n", web);
        return 2;
    }
    app.ledger.associate_limit_cents = env_long("TRUSTDESK_ASSOCIATE_LIMIT_CENTS", app.ledger.associate_limit_cents);
    app.ledger.associate_daily_cents = env_long("TRUSTDESK_ASSOCIATE_DAILY_CENTS", app.ledger.associate_daily_cents);
    const char *mt = getenv("TRUSTDESK_METRICS_TOKEN");
    if (mt && snprintf(app.metrics_token, sizeof app.metrics_token, "%s", mt) >= (int)sizeof app.metrics_token) {
        fprintf(stderr, "trustdesk: TRUSTDESK_METRICS_TOKEN is longer than %zu characters\n", sizeof app.metrics_token - 1);
        return 1;
    }
    app.max_uploads = (int)env_long("TRUSTDESK_MAX_UPLOADS", API_MAX_UPLOADS);
    app.ledger.validity_us = env_long("TRUSTDESK_CREDIT_NOTE_DAYS", 730) * 86400LL * 1000000;
    char why[256];
    static struct addr_set trusted;       /* read by the server's threads until http_stop() */
    if (addr_set_parse(getenv("TRUSTDESK_TRUSTED_PROXIES"), &trusted, why, sizeof why) != TD_OK) {
        fprintf(stderr, "trustdesk: TRUSTDESK_TRUSTED_PROXIES: %s\n", why);
        return 2;
    }
    if (api_check_routes(why, sizeof why) != TD_OK) {
        fprintf(stderr, "trustdesk: refusing to start: %s\n", why);
        return 1;
    }
    if (cli_prepare_sqlite_dir(url) != 0) return 1;
    struct db *db = NULL;
    int rc = app_db(&app, &db);
    if (rc == TD_OK) rc = db_migrate(db);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: cannot open or migrate %s: %s\n", cli_db_label(url), td_status_message(rc));
        app_free(&app);
        return 1;
    }
    const char *env_read = getenv("TRUSTDESK_READ_DB");
    if (read_db_start(&app, db, cli_opt(argc, argv, "--read-db", env_read && *env_read ? env_read : NULL)) != 0) {
        app_free(&app);
        return 2;
    }
    /* A worker waits for its database: on SQLite (a local file) one worker
     * per core keeps the cores busy; on PostgreSQL each request waits for
     * network round trips and commits on the server, so more workers (each
     * with its own connection) are needed to keep both sides busy. */
    unsigned threads = (unsigned)strtoul(cli_opt(argc, argv, "--threads", "0"), NULL, 10);
    if (!threads && db_backend(db) == DB_POSTGRES) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        threads = (unsigned)(n > 0 ? n : 2) * 8;
    }
    struct http_config cfg = {
        .listen = listen,
        .threads = threads,
        .max_body = app.max_body,
        .admit = api_admit,
        .max_connections = open_files_for((unsigned)env_long("TRUSTDESK_MAX_CONNECTIONS", 4096)),
        .max_per_address = (unsigned)env_long("TRUSTDESK_MAX_PER_ADDRESS", 128),
        .timeout_s = (unsigned)env_long("TRUSTDESK_TIMEOUT", 30),
        /* Headers and the connection's working memory; libmicrohttpd zeroes
         * it for every request on a kept-alive connection, so keep it small. */
        .header_memory = 16 * 1024,
        .trusted_proxies = &trusted,
    };
    /* Block the stop signals in every thread; this one waits for them. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    if (db_backend(db) == DB_SQLITE && env_long("TRUSTDESK_GROUP_COMMIT", 1) &&
        group_start(&app, &app.group) != TD_OK) {
        fprintf(stderr, "trustdesk: cannot start the group-commit writer\n");
        app_free(&app);
        return 1;
    }
    /* The writer's connection is the database's only long-lived writer. */
    struct http_server *srv = NULL;
    if (log_buffer_start() != TD_OK)
        log_msg(LOG_WARN, "the access log is not buffered: each line is written at once", NULL);
    rc = http_start(&cfg, api_dispatch, &app, &srv);
    if (rc != TD_OK) {
        fprintf(stderr, "trustdesk: cannot listen on %s (in use, or not HOST:PORT)\n", listen);
        log_buffer_stop();
        app_free(&app);
        return 1;
    }
    struct db_ticker *jobs = NULL;
    if (jobs_start(&app, (int)env_long("TRUSTDESK_JOB_INTERVAL", 60), &jobs) != TD_OK)
        log_msg(LOG_WARN, "background jobs could not start", NULL);
    struct mail_config mail;
    struct db_ticker *sender = NULL;
    mail_config_from_env(&mail);
    if (!mail.url[0]) log_msg(LOG_INFO, "TRUSTDESK_SMTP_URL is not set: mail waits in the outbox", NULL);
    else if (mail_sender_start(app.db_url, &mail, (int)env_long("TRUSTDESK_MAIL_INTERVAL", 5), &sender) != TD_OK)
        log_msg(LOG_WARN, "the mail sender could not start", NULL);
    char port[16];
    snprintf(port, sizeof port, "%u", http_port(srv));
    log_msg(LOG_INFO, "listening", "listen", listen, "port", port, "db", cli_db_label(url), "read_db",
            app.read_db_url[0] ? "a PostgreSQL replica" : "none", NULL);
    printf("trustdesk listening on http://%.*s:%s\n", (int)(strrchr(listen, ':') - listen), listen, port);
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    log_msg(LOG_INFO, "stopping", "signal", sig == SIGINT ? "SIGINT" : "SIGTERM", NULL);
    db_ticker_stop(sender);
    db_ticker_stop(jobs);
    group_stop(app.group);       /* answers what it holds; later money requests run inline */
    http_stop(srv);
    log_buffer_stop();           /* the last access lines, after every request ended */
    group_free(app.group);
    app_free(&app);
    return 0;
}
