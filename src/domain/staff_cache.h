/* staff_cache.h — what a session or API token check found, kept for at most
 * STAFF_CACHE_US in this process, so a request does not read the database
 * twice (on PostgreSQL: two round trips) only to learn who is asking.
 *
 * The rule it keeps: a logout, a new password, a disabled account, a role
 * or store change or a revoked token takes effect at once on the server that
 * made it (every such write in staff.c calls staff_cache_forget, which ends
 * every entry), and on every other server within STAFF_CACHE_US (an entry
 * is used only until then, counted from before the check that filled it).
 * Only what a check accepted is kept; a refusal is read again every time.
 * Entries are keyed by the token's stored hash, never the token.
 */
#ifndef TD_STAFF_CACHE_H
#define TD_STAFF_CACHE_H
#include <stdint.h>
#include "core/token.h"
#include "domain/staff.h"

#define STAFF_CACHE_US 1000000LL      /* one second */

enum staff_cache_kind { STAFF_CACHE_SESSION = 1, STAFF_CACHE_TOKEN = 2 };

struct staff_cache_entry {
    struct staff staff;
    char csrf[TOKEN_HEX_LEN + 1];     /* sessions only */
    int64_t created_at, seen_at;      /* sessions only: as the database had them */
    int64_t expires_at;               /* tokens only */
};

/* A mark taken before a check reads the database; staff_cache_put keeps
 * what the check found only under it. */
struct staff_cache_mark {
    uint64_t generation;
    int64_t at_mono_us;
};
/* 1 and *out when hash has a live entry of this kind, else 0; *mark is
 * taken either way (for the check that reads the database when the entry
 * is missing or will not do). */
int staff_cache_get(enum staff_cache_kind kind, const char hash[TOKEN_HASH_HEX_LEN + 1],
                    struct staff_cache_entry *out /* OUT */, struct staff_cache_mark *mark /* OUT */);
void staff_cache_put(const struct staff_cache_mark *mark, enum staff_cache_kind kind,
                     const char hash[TOKEN_HASH_HEX_LEN + 1], const struct staff_cache_entry *e);
/* Ends every entry (a write that may change who a token or session is). */
void staff_cache_forget(void);

#endif
