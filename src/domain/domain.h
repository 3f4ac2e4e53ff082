/* domain.h — what every business call gets: the connection to use, the time
 * of the request (one clock reading per request, so all rows written by one
 * request agree), and who is acting.
 */
#ifndef TD_DOMAIN_H
#define TD_DOMAIN_H
#include <stdint.h>
#include "core/errors.h"
#include "core/status.h"

struct db;

enum role { ROLE_ASSOCIATE = 1, ROLE_MANAGER = 2, ROLE_ADMIN = 4 };

struct actor {
    int64_t staff_id;        /* 0 for the system (CLI imports, demo) */
    int role;                /* one of enum role, 0 for the system */
    int64_t store_id;        /* the actor's store, 0 when none */
};

struct dctx {
    struct db *db;
    int64_t now_us;          /* UTC microseconds */
    struct actor actor;
    const char *addr;        /* client address for the audit trail, or "cli" */
    /* EVENTS_SUB_BIT()s (events.h) of subscribers that events_emit() leaves
     * out because the caller writes their rows itself afterwards, in bulk
     * (the demo's case history, sim/demo_bulk.c); 0 everywhere else. */
    unsigned events_quiet;
};

/* Fixed field sizes (bytes, including the NUL). Inputs longer than the
 * documented maximum are refused with TD_E_INVALID before they get here. */
#define NAME_MAX_CHARS 200
#define NAME_SZ 801          /* 200 code points of up to 4 bytes */
#define EMAIL_SZ 255
#define PHONE_SZ 41
#define CODE_SZ 17           /* store codes */
#define LOYALTY_SZ 33
#define LOGIN_SZ 65
#define SOURCE_SZ 65

/* Writes one audit_log row, chained to the one before it (audit.h checks
 * the chain), inside the caller's transaction, or in one of its own when
 * called outside a transaction. */
int domain_audit(struct dctx *c, const char *action, const char *subject, const char *detail) TD_MUST_CHECK;
#define DOMAIN_AUDIT_HASH_SZ 65     /* 64 hex digits and NUL */
#define DOMAIN_AUDIT_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"
/* The chain hash of one audit row (staff_id 0: none). */
void domain_audit_hash(const char *prev_hash, int64_t at, int64_t staff_id, const char *action, const char *subject,
                       const char *detail, const char *address, char out[DOMAIN_AUDIT_HASH_SZ]);
/* A whole-number setting from the environment variable name, read before
 * threads start: *v is left alone when it is unset; TD_E_INVALID with *why
 * naming it when it is not a whole number from lo to hi. */
int domain_setting(const char *name, long lo, long hi, int64_t *v, char *why, size_t n) TD_MUST_CHECK;
/* Copies src into dst (size n), refusing (TD_E_INVALID) what does not fit. */
int domain_copy(char *dst, size_t n, const char *src) TD_MUST_CHECK;
/* The text_fold() form of src (NULL: "") into dst (size n): the key by which
 * categories and words compare ("Keuken" and "keuken" alike); TD_E_INVALID
 * when it does not fit. */
int domain_fold(char *dst, size_t n, const char *src) TD_MUST_CHECK;

#endif
