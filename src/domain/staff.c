/* staff.c — accounts, login with back-off, sessions and API tokens.
 * See staff.h for the session life and throttle.h for the back-off rule.
 *
 * A login attempt:  reserve (throttle_reserve, a transaction: refused 429,
 * or counted as a failure) -> argon2id check, outside any transaction ->
 * failed (throttle_failed) | succeeded (throttle_succeeded + the session, one
 * transaction). */
#include "domain/staff.h"
#include "core/clock.h"
#include "core/text.h"
#include "db/db.h"
#include "domain/staff_cache.h"
#include "domain/store.h"
#include "domain/throttle.h"
#include <stdio.h>
#include <string.h>

const char *staff_role_name(int role)
{
    switch (role) {
    case ROLE_ASSOCIATE: return "associate";
    case ROLE_MANAGER: return "manager";
    case ROLE_ADMIN: return "admin";
    default: return "none";
    }
}

int staff_role_parse(const char *s)
{
    if (!s) return 0;
    if (strcmp(s, "associate") == 0) return ROLE_ASSOCIATE;
    if (strcmp(s, "manager") == 0) return ROLE_MANAGER;
    if (strcmp(s, "admin") == 0) return ROLE_ADMIN;
    return 0;
}

static int login_valid(const char *s)
{
    size_t n = strlen(s);
    if (n < 2 || n >= LOGIN_SZ) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_'))
            return 0;
    return 1;
}

/* Validates the fields present in `in`; `creating` makes login, name, role
 * and password required. Resolves the store code into *store_id (-1: keep).
 * The field errors go to `err`, and TD_E_INVALID when there are any. */
static int validate(struct dctx *c, const struct staff_input *in, int creating, struct errors *err,
                     int64_t *store_id)
{
    *store_id = -1;
    if (creating || in->login) {
        if (!in->login || !login_valid(in->login))
            errors_add(err, "login", "must be 2 to 64 of a-z, 0-9, '.', '-' and '_'");
    }
    if (creating || in->name) errors_check_text(err, "name", in->name, NAME_MAX_CHARS, 1);
    if ((creating || in->role) && !staff_role_parse(in->role))
        errors_add(err, "role", "must be associate, manager or admin");
    if (creating || in->password) {
        if (!in->password || strlen(in->password) < 8) errors_add(err, "password", "must have at least 8 characters");
        else if (strlen(in->password) > 1024) errors_add(err, "password", "is longer than 1024 characters");
    }
    if (in->lang && strcmp(in->lang, "nl") != 0 && strcmp(in->lang, "en") != 0)
        errors_add(err, "lang", "must be nl or en");
    if (in->store_code) {
        *store_id = 0;
        int rc = *in->store_code ? store_id_by_code(c, in->store_code, "store_code", err, store_id) : TD_OK;
        if (rc != TD_OK) return rc;                       /* the database's, not "no such store" */
    }
    if (creating && *store_id <= 0 && in->role && staff_role_parse(in->role) != ROLE_ADMIN && !err->n)
        errors_add(err, "store_code", "is required for associates and managers");
    return err->n ? TD_E_INVALID : TD_OK;
}

int staff_create(struct dctx *c, const struct staff_input *in, struct errors *err, int64_t *out_id)
{
    int64_t store_id;
    int rc = validate(c, in, 1, err, &store_id);
    if (rc != TD_OK) return rc;
    char hash[128];
    rc = token_password_hash(in->password, hash);
    if (rc != TD_OK) return rc;
    rc = db_get_int64(c->db,
                      "INSERT INTO staff (login, name, role, store_id, password_hash, lang, active, created_at, updated_at)"
                      " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
                      out_id, "tttntt" "iii", in->login, in->name, in->role, store_id > 0 ? store_id : 0, hash,
                      in->lang ? in->lang : "nl", (int64_t)(in->active == 0 ? 0 : 1), c->now_us, c->now_us);
    if (rc == TD_E_CONFLICT) errors_add(err, "login", "this login is taken");
    if (rc == TD_OK) rc = domain_audit(c, "staff.create", in->login, staff_role_name(staff_role_parse(in->role)));
    return rc;
}

int staff_update(struct dctx *c, const char *login, const struct staff_input *in, struct errors *err)
{
    int64_t store_id;
    struct staff_input v = *in;
    v.login = NULL; /* the login is the account's name; it does not change */
    int rc = validate(c, &v, 0, err, &store_id);
    if (rc != TD_OK) return rc;
    char hash[128] = "";
    if (in->password && (rc = token_password_hash(in->password, hash)) != TD_OK) return rc;
    int64_t changed = 0;
    rc = db_run(c->db,
                "UPDATE staff SET name = COALESCE(?, name), role = COALESCE(?, role),"
                " store_id = CASE WHEN ? < 0 THEN store_id WHEN ? = 0 THEN NULL ELSE ? END,"
                " password_hash = COALESCE(?, password_hash), lang = COALESCE(?, lang),"
                " active = CASE WHEN ? < 0 THEN active ELSE ? END, updated_at = ? WHERE login = ?",
                &changed, "ttiiittiiit", in->name, in->role, store_id, store_id, store_id, hash[0] ? hash : NULL, in->lang,
                (int64_t)in->active, (int64_t)in->active, c->now_us, login);
    if (rc == TD_OK && !changed) rc = TD_E_NOT_FOUND;
    staff_cache_forget();            /* who a session or token is may have changed */
    if (rc == TD_OK && (in->password || in->active == 0)) {
        /* A new password or a disabled account ends every open session, on
         * every server: a session never outlives the password it was opened
         * with. (A disabled account's API tokens are refused while it stays
         * disabled: staff_token_check reads `active`.) */
        rc = db_run(c->db, "DELETE FROM sessions WHERE staff_id = (SELECT id FROM staff WHERE login = ?)", NULL, "t",
                    login);
    }
    if (rc == TD_OK) rc = domain_audit(c, "staff.update", login, in->role);
    return rc;
}

#define STAFF_COLS "s.id, s.login, s.name, s.role, COALESCE(s.store_id, 0), COALESCE(st.code, ''), s.lang, s.active"
#define STAFF_FROM " FROM staff s LEFT JOIN stores st ON st.id = s.store_id"

static int read_staff(struct db_stmt *st, int col, struct staff *out)
{
    out->id = db_col_int64(st, col);
    out->role = staff_role_parse(db_col_text(st, col + 3));
    out->store_id = db_col_int64(st, col + 4);
    out->active = (int)db_col_int64(st, col + 7);
    if (domain_copy(out->login, sizeof out->login, db_col_text(st, col + 1)) != TD_OK ||
        domain_copy(out->name, sizeof out->name, db_col_text(st, col + 2)) != TD_OK ||
        domain_copy(out->store_code, sizeof out->store_code, db_col_text(st, col + 5)) != TD_OK ||
        domain_copy(out->lang, sizeof out->lang, db_col_text(st, col + 6)) != TD_OK)
        return TD_E_INTERNAL;
    return TD_OK;
}

/* read_staff() of a row that starts with the columns, for db_get_read. */
static int read_staff_row(struct db_stmt *st, void *out) { return read_staff(st, 0, out); }

int staff_get_by_login(struct dctx *c, const char *login, struct staff *out)
{
    return db_get_read(c->db, "SELECT " STAFF_COLS STAFF_FROM " WHERE s.login = ?", read_staff_row, out, "t", login);
}

int staff_get(struct dctx *c, int64_t id, struct staff *out)
{
    return db_get_read(c->db, "SELECT " STAFF_COLS STAFF_FROM " WHERE s.id = ?", read_staff_row, out, "i", id);
}

int staff_each(struct dctx *c, int64_t store_id, int (*fn)(void *arg, const struct staff *s), void *arg)
{
    struct db_stmt *st;
    struct staff s;
    int rc = db_query(c->db, "SELECT " STAFF_COLS STAFF_FROM " WHERE ? = 0 OR s.store_id = ? ORDER BY s.login", &st, "ii",
                      store_id, store_id);
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW)
        if ((rc = read_staff(st, 0, &s)) == TD_OK) rc = fn(arg, &s);
    return db_end(st, rc);
}

/* A valid argon2id hash of a random password, so that an unknown login costs
 * as much time as a known one. */
static const char *dummy_hash(void)
{
    static char hash[128];
    static int ready;
    if (!ready) {
        char pw[TOKEN_HEX_LEN + 1];
        token_new(pw);
        if (token_password_hash(pw, hash) == TD_OK) ready = 1;
    }
    return hash;
}

/* The attempt's reservation (throttle.h), in a transaction of its own. */
struct login_reserve {
    struct dctx *c;
    const struct throttle_keys *k;
    int wait_s;
};

static int login_reserve_tx(struct db *db, void *arg)
{
    struct login_reserve *x = arg;
    struct dctx c = *x->c;
    c.db = db;
    return throttle_reserve(&c, x->k, &x->wait_s);
}

/* The writes after the password check, in one transaction of their own. */
struct login_write {
    struct dctx *c;
    const struct throttle_keys *k;
    int ok;
    int64_t checked_at;          /* when the check ended (the failure's time) */
    int64_t staff_id;
    const char *csrf;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    char replaces[TOKEN_HASH_HEX_LEN + 1];   /* the hash of the presented session, "" for none */
};

static int login_write_tx(struct db *db, void *arg)
{
    struct login_write *x = arg;
    struct dctx c = *x->c;
    c.db = db;
    int rc;
    if (!x->ok) return throttle_failed(&c, x->k, x->checked_at);
    if ((rc = throttle_succeeded(&c, x->k)) != TD_OK) return rc;
    rc = db_run(db, "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)",
                NULL, "titii", x->hash, x->staff_id, x->csrf, c.now_us, c.now_us);
    if (rc != TD_OK) return rc;
    /* The session this browser had ends with the new one's start. */
    if (x->replaces[0]) {
        staff_cache_forget();
        if ((rc = db_run(db, "DELETE FROM sessions WHERE token_hash = ?", NULL, "t", x->replaces)) != TD_OK) return rc;
    }
    /* Expired sessions of this account are cleaned up on each login. */
    return db_run(db, "DELETE FROM sessions WHERE staff_id = ? AND (last_seen_at < ? OR created_at < ?)", NULL, "iii",
                  x->staff_id, c.now_us - SESSION_IDLE_US, c.now_us - SESSION_MAX_US);
}

/* Reads the account and its password hash; *found = 0 when there is none. */
static int load_for_login(struct dctx *c, const char *login, struct staff *out, char *stored, size_t n, int *found)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT " STAFF_COLS ", s.password_hash" STAFF_FROM " WHERE s.login = ?", &st, "t", login);
    *found = rc == TD_OK;
    if (*found) {
        rc = read_staff(st, 0, out);
        if (rc == TD_OK) rc = domain_copy(stored, n, db_col_text(st, 8));
    } else if (rc == TD_E_NOT_FOUND) {
        rc = TD_OK;
    }
    db_done(st);
    return rc;
}

/* The argon2id check (a tenth of a second, by design); *checked_at gets the
 * request's clock advanced by the time it took. */
static int password_ok(struct dctx *c, const char *login, const char *password, struct staff *out, int64_t *checked_at,
                       int *ok)
{
    char stored[256] = "";
    int found = 0;
    int64_t t0 = clock_mono_us();
    int rc = load_for_login(c, login, out, stored, sizeof stored, &found);
    if (rc != TD_OK) return rc;
    *ok = token_password_verify(found ? stored : dummy_hash(), password) && found && out->active;
    *checked_at = c->now_us + (clock_mono_us() - t0);
    return TD_OK;
}

int staff_password_check(struct dctx *c, const char *login, const char *password, int *retry_after_s)
{
    struct throttle_keys k;
    throttle_keys_login(login, c->addr, &k);
    *retry_after_s = 0;
    int rc = throttle_reserve(c, &k, retry_after_s);
    if (rc != TD_OK) return rc;
    if (*retry_after_s) return TD_E_RATE_LIMITED;
    struct staff s;
    int64_t checked_at = 0;
    int ok = 0;
    if ((rc = password_ok(c, login, password, &s, &checked_at, &ok)) != TD_OK) return rc;
    if (!ok) {
        rc = throttle_failed(c, &k, checked_at);
        return rc == TD_OK ? TD_E_UNAUTHORIZED : rc;
    }
    return throttle_succeeded(c, &k);
}

int staff_login(struct dctx *c, const char *login, const char *password, const char *replaces, struct staff *out,
                char token[TOKEN_HEX_LEN + 1], char csrf[TOKEN_HEX_LEN + 1], int *retry_after_s)
{
    struct throttle_keys k;
    throttle_keys_login(login, c->addr, &k);
    *retry_after_s = 0;
    /* The attempt is counted before the password is checked, atomically:
     * parallel guesses cannot all pass the back-off before any is counted. */
    struct login_reserve res = { .c = c, .k = &k };
    int rc = db_transact(c->db, login_reserve_tx, &res);
    if (rc != TD_OK) return rc;
    if (res.wait_s) {
        *retry_after_s = res.wait_s;
        return TD_E_RATE_LIMITED;
    }
    /* The slow argon2id check runs outside any transaction: a login must
     * never hold the database's write lock for a tenth of a second. */
    struct login_write x = { .c = c, .k = &k, .csrf = csrf };
    if ((rc = password_ok(c, login, password, out, &x.checked_at, &x.ok)) != TD_OK) return rc;
    if (x.ok) {
        /* Always a new random token, whatever the client sent along: an id
         * planted in a browser before the login never becomes valid. */
        token_new(token);
        token_new(csrf);
        token_hash(token, x.hash);
        x.staff_id = out->id;
        if (replaces && *replaces) token_hash(replaces, x.replaces);
    }
    rc = db_transact(c->db, login_write_tx, &x);
    if (rc != TD_OK) return rc;
    return x.ok ? TD_OK : TD_E_UNAUTHORIZED;
}

/* The stored form of a presented session or API token; 0 when the text
 * cannot be one. */
static int token_key(const char *token, char hash[TOKEN_HASH_HEX_LEN + 1])
{
    if (strlen(token) != TOKEN_HEX_LEN) return 0;
    token_hash(token, hash);
    return 1;
}

int staff_session_check(struct dctx *c, const char *token, struct staff *out, char csrf[TOKEN_HEX_LEN + 1])
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!token_key(token, hash)) return TD_E_UNAUTHORIZED;
    /* Seen within the last second and still within its idle and age limits,
     * with no refresh of its last use due: as the database said then. */
    struct staff_cache_entry e;
    struct staff_cache_mark mark;
    if (staff_cache_get(STAFF_CACHE_SESSION, hash, &e, &mark) && c->now_us - e.seen_at <= 60 * 1000000LL &&
        c->now_us - e.created_at <= SESSION_MAX_US) {
        *out = e.staff;
        memcpy(csrf, e.csrf, TOKEN_HEX_LEN + 1);
        return TD_OK;
    }
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT " STAFF_COLS ", x.csrf_token, x.created_at, x.last_seen_at FROM sessions x"
                               " JOIN staff s ON s.id = x.staff_id LEFT JOIN stores st ON st.id = s.store_id"
                               " WHERE x.token_hash = ?", &st, "t", hash);
    int64_t created = 0, seen = 0;
    if (rc == TD_OK) {
        rc = read_staff(st, 0, out);
        if (rc == TD_OK) rc = domain_copy(csrf, TOKEN_HEX_LEN + 1, db_col_text(st, 8));
        created = db_col_int64(st, 9);
        seen = db_col_int64(st, 10);
    } else if (rc == TD_E_NOT_FOUND) {
        rc = TD_E_UNAUTHORIZED;
    }
    db_done(st);
    if (rc != TD_OK) return rc;
    if (!out->active || c->now_us - seen > SESSION_IDLE_US || c->now_us - created > SESSION_MAX_US) {
        TD_BEST_EFFORT(staff_session_end(c, token));
        return TD_E_UNAUTHORIZED;
    }
    if (c->now_us - seen > 60 * 1000000LL) {
        rc = db_run(c->db, "UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?", NULL, "it", c->now_us, hash);
        if (rc == TD_E_BUSY) rc = TD_OK; /* a missed refresh only shortens the idle window */
        else if (rc == TD_OK) seen = c->now_us;
    }
    if (rc == TD_OK) {
        e = (struct staff_cache_entry){.staff = *out, .created_at = created, .seen_at = seen};
        memcpy(e.csrf, csrf, TOKEN_HEX_LEN + 1);
        staff_cache_put(&mark, STAFF_CACHE_SESSION, hash, &e);
    }
    return rc;
}

int staff_session_end(struct dctx *c, const char *token)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_hash(token, hash);
    staff_cache_forget();
    return db_run(c->db, "DELETE FROM sessions WHERE token_hash = ?", NULL, "t", hash);
}

int staff_sessions_end_all(struct dctx *c, int64_t staff_id, int64_t *ended)
{
    staff_cache_forget();
    int rc = db_run(c->db, "DELETE FROM sessions WHERE staff_id = ?", ended, "i", staff_id);
    if (rc != TD_OK) return rc;
    struct staff s;
    if ((rc = staff_get(c, staff_id, &s)) != TD_OK) return rc;
    char detail[32];
    snprintf(detail, sizeof detail, "%lld sessions", (long long)*ended);
    return domain_audit(c, "session.end_all", s.login, detail);
}

int staff_token_create(struct dctx *c, const char *login, int64_t expires_at, char token[TOKEN_HEX_LEN + 1],
                       int64_t *id)
{
    struct staff s;
    if (expires_at <= c->now_us) return TD_E_INVALID;
    int rc = staff_get_by_login(c, login, &s);
    if (rc != TD_OK) return rc;
    char hash[TOKEN_HASH_HEX_LEN + 1];
    token_new(token);
    token_hash(token, hash);
    rc = db_get_int64(c->db, "INSERT INTO api_tokens (token_hash, staff_id, created_at, expires_at) VALUES (?, ?, ?, ?)"
                             " RETURNING id", id, "tiii", hash, s.id, c->now_us, expires_at);
    if (rc == TD_OK) rc = domain_audit(c, "token.create", login, NULL);
    return rc;
}

int staff_token_each(struct dctx *c, const char *login, int (*fn)(void *arg, const struct api_token *t), void *arg)
{
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT x.id, s.login, x.created_at, x.expires_at, COALESCE(x.revoked_at, 0)"
                             " FROM api_tokens x JOIN staff s ON s.id = x.staff_id"
                             " WHERE s.login = COALESCE(?, s.login) ORDER BY x.id", &st, "t", login);
    struct api_token t;
    while (rc == TD_OK && (rc = db_step(st)) == TD_ROW) {
        t.id = db_col_int64(st, 0);
        t.created_at = db_col_int64(st, 2);
        t.expires_at = db_col_int64(st, 3);
        t.revoked_at = db_col_int64(st, 4);
        if ((rc = domain_copy(t.login, sizeof t.login, db_col_text(st, 1))) == TD_OK) rc = fn(arg, &t);
    }
    return db_end(st, rc);
}

int staff_token_revoke(struct dctx *c, int64_t id)
{
    int64_t changed = 0;
    staff_cache_forget();
    int rc = db_run(c->db, "UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", &changed, "ii",
                    c->now_us, id);
    if (rc != TD_OK) return rc;
    if (!changed) {
        int64_t one = 0;
        rc = db_get_int64(c->db, "SELECT 1 FROM api_tokens WHERE id = ?", &one, "i", id);
        return rc == TD_OK ? TD_E_CONFLICT : rc;          /* already revoked, or TD_E_NOT_FOUND */
    }
    char subject[32];
    snprintf(subject, sizeof subject, "token %lld", (long long)id);
    return domain_audit(c, "token.revoke", subject, NULL);
}

int staff_token_check(struct dctx *c, const char *token, struct staff *out)
{
    char hash[TOKEN_HASH_HEX_LEN + 1];
    if (!token_key(token, hash)) return TD_E_UNAUTHORIZED;
    struct staff_cache_entry e;
    struct staff_cache_mark mark;
    if (staff_cache_get(STAFF_CACHE_TOKEN, hash, &e, &mark) && c->now_us < e.expires_at) {
        *out = e.staff;
        return TD_OK;
    }
    struct db_stmt *st;
    int rc = db_get_row(c->db, "SELECT " STAFF_COLS ", x.expires_at FROM api_tokens x JOIN staff s ON s.id = x.staff_id"
                               " LEFT JOIN stores st ON st.id = s.store_id"
                               " WHERE x.token_hash = ? AND x.revoked_at IS NULL AND x.expires_at > ?", &st, "ti", hash, c->now_us);
    e = (struct staff_cache_entry){0};
    if (rc == TD_OK) {
        rc = read_staff(st, 0, out);
        e.expires_at = db_col_int64(st, 8);
    }
    db_done(st);
    if (rc == TD_E_NOT_FOUND) rc = TD_E_UNAUTHORIZED;
    if (rc == TD_OK && !out->active) rc = TD_E_UNAUTHORIZED;
    if (rc == TD_OK) {
        e.staff = *out;
        staff_cache_put(&mark, STAFF_CACHE_TOKEN, hash, &e);
    }
    return rc;
}

int staff_purge_sessions(struct db *db, int64_t now_us, int64_t *count)
{
    return db_run(db, "DELETE FROM sessions WHERE last_seen_at < ?", count, "i", now_us - SESSION_IDLE_US);
}
