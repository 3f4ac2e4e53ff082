/* policy_store.h — the versions of the service policy in the database.
 *
 * The chain's document (scope 0) and each store's override (scope = the
 * store's id) are kept as versions in the policies table; rows are never
 * changed, the newest version of a scope is in force. Until an admin saves
 * the first chain version, the built-in default (policy_default_json(),
 * version 1) is in force.
 *
 * Invariants:
 *  (1) a stored chain document passes policy_parse(); a stored override,
 *      merged onto the chain version in force when it was saved, passes
 *      policy_validate();
 *  (2) versions of a scope only rise: saving version <= the newest is
 *      refused (TD_E_CONFLICT, field "version");
 *  (3) a new chain version is refused when any store's override would no
 *      longer merge into a valid policy (the problem names the store).
 */
#ifndef TD_POLICY_STORE_H
#define TD_POLICY_STORE_H
#include <stdint.h>
#include "core/buf.h"
#include "domain/domain.h"
#include "domain/policy.h"

struct policy_version_info {
    int64_t store_id;                     /* 0: the chain */
    int64_t version;
    int64_t created_at;                   /* 0: the built-in default */
    const char *created_by;               /* login, or NULL */
    const char *document;
};

/* The policy in force for a store (0: the chain's alone). Parses at most
 * once per version: parsed policies are cached per process. */
int policy_effective(struct dctx *c, int64_t store_id, struct policy *out /* OUT */) TD_MUST_CHECK;

/* The document in force for a scope into doc, its version into *version;
 * TD_E_NOT_FOUND for a store without an override. */
int policy_current(struct dctx *c, int64_t store_id, struct buf *doc /* OUT */, int64_t *version /* OUT */) TD_MUST_CHECK;

/* Validates and stores a new version of a scope's document. */
int policy_save(struct dctx *c, int64_t store_id, const char *json, size_t len, struct errors *err,
                int64_t *version /* OUT */) TD_MUST_CHECK;

/* Versions of a scope, newest first (the built-in default last for the chain). */
int policy_versions_each(struct dctx *c, int64_t store_id, int (*fn)(void *arg, const struct policy_version_info *v),
                         void *arg) TD_MUST_CHECK;

#endif
