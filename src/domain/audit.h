/* audit.h — checking the audit log's hash chain.
 *
 * Every audit_log row written by domain_audit() carries the hash of the row
 * before it (prev_hash) and its own (hash, over prev_hash and its fields);
 * audit_head holds the newest hash and the number of chained rows. A row
 * altered in place no longer gives its hash; a row removed or inserted
 * breaks the link of the row after it; rows cut from the end disagree with
 * the head. Someone who rewrites the whole chain from some row on, head
 * included, is not detected by the database alone: write the head down
 * elsewhere (audit_verify() reports it) to catch that too.
 */
#ifndef TD_AUDIT_H
#define TD_AUDIT_H
#include <stdint.h>
#include "core/status.h"
#include "domain/domain.h"

struct db;

#define AUDIT_PROBLEMS_MAX 20

struct audit_report {
    int64_t rows;                     /* rows in audit_log */
    int64_t unchained;                /* written before the chain began */
    int64_t chained;
    char head[DOMAIN_AUDIT_HASH_SZ];  /* the newest hash ("" when no chain yet) */
    int nproblems;                    /* 0: the chain holds */
    int64_t problems_total;
    struct { int64_t id; char text[200]; } problem[AUDIT_PROBLEMS_MAX];
};

/* Reads the whole log in one read transaction. TD_OK whether or not the
 * chain holds (see out->nproblems); another status when reading failed. */
int audit_verify(struct db *db, struct audit_report *out /* OUT */) TD_MUST_CHECK;

#endif
