/* staff.h — staff accounts, logins, sessions and API tokens.
 *
 * Session life:
 *   (none) --staff_login--> ACTIVE --staff_session_end--> (gone)
 *   ACTIVE --staff_sessions_end_all, a new password or a disabled account
 *            (staff_update), the same browser's next login--> (gone)
 *   ACTIVE --idle > SESSION_IDLE_US or age > SESSION_MAX_US--> (gone, on next use)
 * A session or API token is stored only as the hash of its random token.
 * A session exists only from a successful login, which always makes a new
 * random token: no id a client brings along can ever become valid. Sessions
 * live in the database, so an end reaches every server at its next request.
 *
 * Login back-off (domain/throttle.h): wrong passwords count against the
 * pair (account, client address), with a backstop per address that holds
 * back only pairs that have failed. After 5 failures of a pair each further
 * attempt waits 1, 2, 4 ... seconds (at most 15 minutes) from the last
 * failure; one failure fades per 15 minutes. A success forgets the pair.
 * An account is never locked for addresses that did not fail it.
 */
#ifndef TD_STAFF_H
#define TD_STAFF_H
#include <stdint.h>
#include "core/token.h"
#include "domain/domain.h"

#define SESSION_IDLE_US (2LL * 3600 * 1000000)     /* 2 hours without a request */
#define SESSION_MAX_US (12LL * 3600 * 1000000)     /* one long shift */

struct staff {
    int64_t id;
    char login[LOGIN_SZ];
    char name[NAME_SZ];
    int role;                     /* enum role */
    int64_t store_id;             /* 0 when none */
    char store_code[CODE_SZ];     /* "" when none */
    char lang[3];                 /* "nl" or "en" */
    int active;
};

struct staff_input {              /* NULL / -1 fields are left as they are on update */
    const char *login;
    const char *name;
    const char *role;             /* "associate" | "manager" | "admin" */
    const char *store_code;       /* "" clears the store */
    const char *password;
    const char *lang;
    int active;                   /* -1: unchanged */
};

const char *staff_role_name(int role);
int staff_role_parse(const char *s);          /* 0 when unknown */

int staff_create(struct dctx *c, const struct staff_input *in, struct errors *err, int64_t *out_id /* OUT */) TD_MUST_CHECK;
int staff_update(struct dctx *c, const char *login, const struct staff_input *in, struct errors *err) TD_MUST_CHECK;
int staff_get_by_login(struct dctx *c, const char *login, struct staff *out /* OUT */) TD_MUST_CHECK;
int staff_get(struct dctx *c, int64_t id, struct staff *out /* OUT */) TD_MUST_CHECK;
/* Staff in login order, optionally only of one store (store_id 0: all). */
int staff_each(struct dctx *c, int64_t store_id, int (*fn)(void *arg, const struct staff *s), void *arg) TD_MUST_CHECK;

/* Checks the password with back-off. On success creates a session and
 * returns its token (to put in the cookie, never stored) and CSRF token; the
 * session the client presented (`replaces`, the cookie's token, may be NULL)
 * ends in the same transaction, so one browser never holds two.
 * TD_E_UNAUTHORIZED for a wrong login or password (the same answer for
 * both), TD_E_RATE_LIMITED with *retry_after_s while backing off. Call it
 * outside a transaction: the password check runs first, then the writes
 * (failure counts or the session) in a transaction of their own. */
int staff_login(struct dctx *c, const char *login, const char *password, const char *replaces,
                struct staff *out /* OUT */,
                char token[TOKEN_HEX_LEN + 1] /* OUT */, char csrf[TOKEN_HEX_LEN + 1] /* OUT */,
                int *retry_after_s /* OUT */) TD_MUST_CHECK;
/* TD_OK when password is the active account's password, inside the
 * caller's write transaction and under the same back-off as a login (from
 * c->addr): TD_E_RATE_LIMITED with *retry_after_s, TD_E_UNAUTHORIZED for a
 * wrong password, whose count the caller keeps by committing anyway. */
int staff_password_check(struct dctx *c, const char *login, const char *password,
                         int *retry_after_s /* OUT */) TD_MUST_CHECK;
/* Finds the live session of a token; refreshes its last use at most once a
 * minute. TD_E_UNAUTHORIZED when unknown, expired or the account inactive. */
int staff_session_check(struct dctx *c, const char *token, struct staff *out /* OUT */,
                        char csrf[TOKEN_HEX_LEN + 1] /* OUT */) TD_MUST_CHECK;
int staff_session_end(struct dctx *c, const char *token) TD_MUST_CHECK;
/* Ends every session of the staff member (log out everywhere), audited;
 * *ended gets how many. API tokens are not sessions: they stay. */
int staff_sessions_end_all(struct dctx *c, int64_t staff_id, int64_t *ended /* OUT */) TD_MUST_CHECK;
/* API tokens for integrations (Authorization: Bearer ...):
 *   (none) --staff_token_create--> ACTIVE --staff_token_revoke--> REVOKED
 *   ACTIVE --expires_at passes--> EXPIRED
 * Only ACTIVE tokens authenticate; rows stay, for the audit trail. */
struct api_token {
    int64_t id;
    char login[LOGIN_SZ];
    int64_t created_at, expires_at;
    int64_t revoked_at;           /* 0 when not revoked */
};
#define TOKEN_DAYS_DEFAULT 365
#define TOKEN_DAYS_MAX 3650
/* Makes a token for login valid until expires_at (in the future, else
 * TD_E_INVALID); TD_E_NOT_FOUND for an unknown login. */
int staff_token_create(struct dctx *c, const char *login, int64_t expires_at, char token[TOKEN_HEX_LEN + 1] /* OUT */,
                       int64_t *id /* OUT */) TD_MUST_CHECK;
/* Every token (of login, when not NULL), oldest first. */
int staff_token_each(struct dctx *c, const char *login, int (*fn)(void *arg, const struct api_token *t),
                     void *arg) TD_MUST_CHECK;
/* TD_E_NOT_FOUND for no such token, TD_E_CONFLICT when already revoked. */
int staff_token_revoke(struct dctx *c, int64_t id) TD_MUST_CHECK;
/* The active token's staff member; TD_E_UNAUTHORIZED when unknown, revoked,
 * expired or the account inactive. */
int staff_token_check(struct dctx *c, const char *token, struct staff *out /* OUT */) TD_MUST_CHECK;

/* Housekeeping (a row of api/jobs.def): deletes the sessions idle longer than
 * SESSION_IDLE_US, in autocommit; *count says how many. */
int staff_purge_sessions(struct db *db, int64_t now_us, int64_t *count /* OUT */) TD_MUST_CHECK;

#endif
