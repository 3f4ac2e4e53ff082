/* db_copy.h — copying a whole trustdesk database between backends, and a
 * checksum per table to prove the copy is faithful.
 *
 * The checksum of a table is the sum (mod 2^64) of a 64-bit BLAKE2b hash of
 * each row's canonical text (values as text, NULL marked, fields separated),
 * so it does not depend on row order or on the backend's collation.
 */
#ifndef TD_DB_COPY_H
#define TD_DB_COPY_H
#include <stdint.h>
#include "db/db.h"

#define DB_COPY_MAX_TABLES 256           /* the schema has 65 tables at migration 13 */

struct db_table_sum {
    char name[64];
    int64_t rows;
    uint64_t sum;
};

struct db_copy_report {
    size_t ntables;
    struct { char name[64]; struct db_table_sum from, to; } t[DB_COPY_MAX_TABLES];
};

/* Row count and checksum of one table. */
int db_table_checksum(struct db *db, const char *table, struct db_table_sum *out /* OUT */) TD_MUST_CHECK;

/* Copies every table of `from` (read in one consistent snapshot) into `to`,
 * which must be migrated to the same schema version and hold no rows, in one
 * transaction; then compares row counts and checksums of every table.
 * TD_E_CONFLICT when `to` is not empty or the versions differ (why says
 * what), TD_E_INTERNAL when a checksum differs (the report shows which). */
int db_copy(struct db *from, struct db *to, void (*progress)(void *arg, const char *table, int64_t rows),
            void *arg, struct db_copy_report *rep /* OUT */, char *why, size_t why_size) TD_MUST_CHECK;

#endif
