/* throttle.h — back-off for repeated failures (wrong passwords, unknown
 * credit-note codes), kept in the database so every server sees it.
 *
 * A failure counts against two keys (rows of login_failures): its own and
 * its address's, the backstop:
 *
 *   kind         key                  counts                                free  fades
 *   LOGIN        login:LOGIN@ADDR     wrong passwords for one account from    5    15 min
 *                                     one address (an unknown login too)
 *   LOGIN_ADDR   login-addr:ADDR      wrong passwords from one address      100     1 min
 *   CODE         code:LOGIN           unknown codes typed by one account     20     1 min
 *   CODE_ADDR    code-addr:ADDR       unknown codes from one address        200    10 s
 *
 * ADDR is the client address (behind a trusted proxy, the one it names:
 * core/addr.h). The rule, throttle_decide() (pure):
 *  (1) a key may fail `free` times; after that each attempt must wait
 *      2^(n - free) seconds, at most 15 minutes, from its last failure;
 *  (2) counts fade: one failure is forgotten per `fades` since the last one,
 *      so over a long time a key gets at most about one try per `fades`, and
 *      a clumsy associate is not held back for the rest of the shift;
 *  (3) the backstop holds back only an own key that has failed itself: a
 *      login (account, address) or an account that has not failed is always
 *      tried, whatever others did from the same address. So another's
 *      failures never refuse a correct password, and an attacker who fails
 *      an account's login from his address locks out only himself.
 *
 * Use:
 *   login   throttle_reserve() before the password check counts the attempt
 *           as a failure atomically (in the database, so it holds across
 *           servers), then throttle_failed() (restart the wait from the end
 *           of the check) or throttle_succeeded() (forget the own key, give
 *           the address its attempt back);
 *   codes   throttle_check() before the look-up (read only), throttle_fail()
 *           after a miss (one atomic upsert per key).
 */
#ifndef TD_THROTTLE_H
#define TD_THROTTLE_H
#include <stdint.h>
#include "domain/domain.h"

/*      name          key prefix    free  fades (s) */
#define THROTTLE_KINDS(X)                        \
    X(LOGIN,          "login",       5,   900)   \
    X(LOGIN_ADDR,     "login-addr",  100, 60)    \
    X(CODE,           "code",        20,  60)    \
    X(CODE_ADDR,      "code-addr",   200, 10)

enum throttle_kind {
#define TD_X(name, prefix, free, fade_s) THROTTLE_##name,
    THROTTLE_KINDS(TD_X)
#undef TD_X
};

#define THROTTLE_MAX_WAIT_S 900

struct throttle_rule {
    const char *prefix;
    int64_t free;             /* failures before any wait */
    int64_t fade_us;          /* one failure forgotten per this much quiet */
};
const struct throttle_rule *throttle_rule(enum throttle_kind kind);

/* One key's row: its failures as of its last failure. */
struct throttle_count {
    int64_t failures;
    int64_t last_at;          /* UTC microseconds */
};

/* An attempt's two keys. */
struct throttle_keys {
    enum throttle_kind own_kind, addr_kind;
    char own[384];            /* room for a 64-character login in UTF-8 and an address */
    char addr[80];
};
/* The keys of a login attempt for `login` from addr, or of a code look-up by
 * the staff member `login` from addr. */
void throttle_keys_login(const char *login, const char *addr, struct throttle_keys *out /* OUT */);
void throttle_keys_code(const char *login, const char *addr, struct throttle_keys *out /* OUT */);

/* The key's failures at time now, after fading (rule 2). Pure. */
int64_t throttle_faded(const struct throttle_rule *r, const struct throttle_count *k, int64_t now);
/* Seconds the attempt must still wait (0: it may try now), by rules 1-3.
 * Pure: the decision, without the database. */
int throttle_decide(const struct throttle_keys *k, const struct throttle_count *own,
                    const struct throttle_count *addr, int64_t now);

/* Reads both keys and decides; no writes. */
int throttle_check(struct dctx *c, const struct throttle_keys *k, int *wait_s /* OUT */) TD_MUST_CHECK;
/* Inside the caller's write transaction: locks both keys' rows, decides, and
 * when the attempt may go ahead (*wait_s == 0) counts it as a failure of
 * both keys. Two attempts never both see the count before the other's. */
int throttle_reserve(struct dctx *c, const struct throttle_keys *k, int *wait_s /* OUT */) TD_MUST_CHECK;
/* A reserved attempt failed; its wait counts from `at` (the end of the
 * check), not from the start of the request. */
int throttle_failed(struct dctx *c, const struct throttle_keys *k, int64_t at) TD_MUST_CHECK;
/* A reserved attempt succeeded: the own key is forgotten, the address key
 * gets the reserved failure back. */
int throttle_succeeded(struct dctx *c, const struct throttle_keys *k) TD_MUST_CHECK;
/* Counts one failure of both keys, fading first (rule 2): one upsert per
 * key, atomic whatever else runs at the same time. */
int throttle_fail(struct dctx *c, const struct throttle_keys *k) TD_MUST_CHECK;

/* Housekeeping (a row of api/jobs.def): deletes the back-off counters not
 * touched for a day, in autocommit; *count says how many. */
int throttle_purge(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
