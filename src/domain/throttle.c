/* throttle.c — failure back-off in the database (see throttle.h).
 *
 * Fading is computed in two places that must agree: throttle_faded() (C, for
 * decisions) and SQL_FAIL (for the atomic upsert of a failure):
 *   faded = max(0, failures - max(0, now - last_at) / fade_us)
 *   after a failure: failures = faded + 1, last_at = max(last_at, now)
 *
 * Rows lock in one order, own key then address key, so two attempts never
 * wait for each other crosswise. A row left at 0 by a refund or a first
 * attempt is harmless; jobs.c forgets rows a day after their last failure,
 * by when every count has faded (a login pair can gain at most about one
 * failure per 15 minutes, as fast as it fades).
 */
#include "domain/throttle.h"
#include "db/db.h"
#include <stdio.h>
#include <string.h>

static const struct throttle_rule rules[] = {
#define TD_X(name, prefix, free, fade_s) {prefix, free, (int64_t)(fade_s) * 1000000},
    THROTTLE_KINDS(TD_X)
#undef TD_X
};

const struct throttle_rule *throttle_rule(enum throttle_kind kind) { return &rules[kind]; }

void throttle_keys_login(const char *login, const char *addr, struct throttle_keys *out)
{
    out->own_kind = THROTTLE_LOGIN;
    out->addr_kind = THROTTLE_LOGIN_ADDR;
    snprintf(out->own, sizeof out->own, "%s:%s@%s", rules[THROTTLE_LOGIN].prefix, login, addr ? addr : "");
    snprintf(out->addr, sizeof out->addr, "%s:%s", rules[THROTTLE_LOGIN_ADDR].prefix, addr ? addr : "");
}

void throttle_keys_code(const char *login, const char *addr, struct throttle_keys *out)
{
    out->own_kind = THROTTLE_CODE;
    out->addr_kind = THROTTLE_CODE_ADDR;
    snprintf(out->own, sizeof out->own, "%s:%s", rules[THROTTLE_CODE].prefix, login);
    snprintf(out->addr, sizeof out->addr, "%s:%s", rules[THROTTLE_CODE_ADDR].prefix, addr ? addr : "");
}

int64_t throttle_faded(const struct throttle_rule *r, const struct throttle_count *k, int64_t now)
{
    int64_t quiet = now > k->last_at ? now - k->last_at : 0;
    int64_t forgotten = quiet / r->fade_us;
    return k->failures > forgotten ? k->failures - forgotten : 0;
}

/* Seconds one key must still wait by rules 1 and 2. */
static int key_wait(const struct throttle_rule *r, const struct throttle_count *k, int64_t now)
{
    int64_t n = throttle_faded(r, k, now);
    if (n < r->free) return 0;
    int64_t over = n - r->free;
    int64_t delay_s = over >= 10 ? THROTTLE_MAX_WAIT_S : (int64_t)1 << over;
    if (delay_s > THROTTLE_MAX_WAIT_S) delay_s = THROTTLE_MAX_WAIT_S;
    int64_t until = k->last_at + delay_s * 1000000;
    return now >= until ? 0 : (int)((until - now + 999999) / 1000000);
}

int throttle_decide(const struct throttle_keys *k, const struct throttle_count *own,
                    const struct throttle_count *addr, int64_t now)
{
    const struct throttle_rule *ro = &rules[k->own_kind], *ra = &rules[k->addr_kind];
    int wait = key_wait(ro, own, now);
    /* Rule 3: the backstop only for a key that has failed itself. */
    if (throttle_faded(ro, own, now) > 0) {
        int wa = key_wait(ra, addr, now);
        if (wa > wait) wait = wa;
    }
    return wait;
}

/* The (failures, last_at) row db_get_row found (rc TD_OK), or none
 * (zeros); releases st and returns rc. */
static int got_count(int rc, struct db_stmt *st, struct throttle_count *out)
{
    out->failures = rc == TD_OK ? db_col_int64(st, 0) : 0;
    out->last_at = rc == TD_OK ? db_col_int64(st, 1) : 0;
    db_done(st);
    return rc;
}

int throttle_check(struct dctx *c, const struct throttle_keys *k, int *wait_s)
{
    struct throttle_count own = {0, 0}, addr = {0, 0};
    *wait_s = 0;
    /* Both keys' rows in one read (a round trip on PostgreSQL). */
    struct db_stmt *st;
    int rc = db_query(c->db, "SELECT key, failures, last_at FROM login_failures WHERE key IN (?, ?)", &st, "tt", k->own,
                      k->addr);
    while (db_next(st, &rc)) {
        const char *key = db_col_text(st, 0);
        struct throttle_count n = {db_col_int64(st, 1), db_col_int64(st, 2)};
        if (strcmp(key, k->own) == 0) own = n;
        if (strcmp(key, k->addr) == 0) addr = n;
    }
    if ((rc = db_end(st, rc)) == TD_OK) *wait_s = throttle_decide(k, &own, &addr, c->now_us);
    return rc;
}

/* Reads a key's row and holds its lock until the transaction ends (an
 * upsert that changes nothing: PostgreSQL locks the row, also one that
 * another transaction is inserting; SQLite's writer holds the database). */
static int lock_count(struct dctx *c, const char *key, struct throttle_count *out)
{
    struct db_stmt *st;
    int rc = db_get_row(c->db, "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 0, ?)"
                               " ON CONFLICT (key) DO UPDATE SET failures = login_failures.failures"
                               " RETURNING failures, last_at", &st, "ti", key, c->now_us);
    rc = got_count(rc, st, out);
    return rc == TD_E_NOT_FOUND ? TD_E_INTERNAL : rc;
}

/* One failure of one key, fading first: see the top of the file. */
#define SQL_FAIL                                                                                         \
    "INSERT INTO login_failures (key, failures, last_at) VALUES (?, 1, ?) ON CONFLICT (key) DO UPDATE SET" \
    " failures = 1 + CASE WHEN excluded.last_at <= login_failures.last_at THEN login_failures.failures"    \
    "   WHEN login_failures.failures > (excluded.last_at - login_failures.last_at) / ?"                    \
    "   THEN login_failures.failures - (excluded.last_at - login_failures.last_at) / ? ELSE 0 END,"        \
    " last_at = CASE WHEN excluded.last_at > login_failures.last_at THEN excluded.last_at"                 \
    "   ELSE login_failures.last_at END"

static int fail_one(struct dctx *c, enum throttle_kind kind, const char *key)
{
    int64_t fade = rules[kind].fade_us;
    return db_run(c->db, SQL_FAIL, NULL, "tiii", key, c->now_us, fade, fade);
}

int throttle_fail(struct dctx *c, const struct throttle_keys *k)
{
    int rc = fail_one(c, k->own_kind, k->own);
    return rc == TD_OK ? fail_one(c, k->addr_kind, k->addr) : rc;
}

int throttle_reserve(struct dctx *c, const struct throttle_keys *k, int *wait_s)
{
    struct throttle_count own, addr;
    *wait_s = 0;
    int rc = lock_count(c, k->own, &own);
    if (rc == TD_OK) rc = lock_count(c, k->addr, &addr);
    if (rc != TD_OK) return rc;
    *wait_s = throttle_decide(k, &own, &addr, c->now_us);
    return *wait_s ? TD_OK : throttle_fail(c, k);
}

int throttle_failed(struct dctx *c, const struct throttle_keys *k, int64_t at)
{
    static const char sql[] = "UPDATE login_failures SET last_at = ? WHERE key = ? AND last_at < ?";
    int rc = db_run(c->db, sql, NULL, "iti", at, k->own, at);
    return rc == TD_OK ? db_run(c->db, sql, NULL, "iti", at, k->addr, at) : rc;
}

int throttle_succeeded(struct dctx *c, const struct throttle_keys *k)
{
    int rc = db_run(c->db, "DELETE FROM login_failures WHERE key = ?", NULL, "t", k->own);
    if (rc == TD_OK)
        rc = db_run(c->db, "UPDATE login_failures SET failures = failures - 1 WHERE key = ? AND failures > 0", NULL, "t",
                    k->addr);
    return rc;
}

int throttle_purge(struct db *db, int64_t now_us, int64_t *count)
{
    return db_run(db, "DELETE FROM login_failures WHERE last_at < ?", count, "i", now_us - 86400LL * 1000000);
}
