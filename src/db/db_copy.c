/* db_copy.c — whole-database copy and per-table checksums (see db_copy.h).
 *
 * Invariants:
 *  (1) the destination is written in one transaction: a failed copy leaves
 *      it as empty as it was;
 *  (2) the source is read inside one read transaction, so the copy is one
 *      consistent picture even while servers keep writing to it;
 *  (3) a copy is only reported good after the destination's counts and
 *      checksums, read back, equal the source's.
 */
#include "db/db_copy.h"
#include <sodium.h>
#include <stdio.h>
#include <string.h>

/* Tables the migrations fill themselves: not copied, but compared. */
static int is_meta(const char *table)
{
    return strcmp(table, "schema_migrations") == 0 || strcmp(table, "ledger_accounts") == 0;
}

int db_table_checksum(struct db *db, const char *table, struct db_table_sum *out)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    snprintf(out->name, sizeof out->name, "%s", table);
    out->rows = 0;
    out->sum = 0;
    struct db_stmt *st = NULL;
    int rc = db_prepare_dynamic(db, sql, &st);
    if (rc != TD_OK) return rc;
    while ((rc = db_step(st)) == TD_ROW) {
        crypto_generichash_state h;
        crypto_generichash_init(&h, NULL, 0, 8);
        int n = db_col_count(st);
        for (int i = 0; i < n; i++) {
            const char *v = db_col_text(st, i);
            if (!v) crypto_generichash_update(&h, (const unsigned char *)"\x1e", 1);
            else crypto_generichash_update(&h, (const unsigned char *)v, strlen(v));
            crypto_generichash_update(&h, (const unsigned char *)"\x1f", 1);
        }
        unsigned char d[8];
        crypto_generichash_final(&h, d, sizeof d);
        uint64_t x = 0;
        for (int i = 0; i < 8; i++) x = (x << 8) | d[i];
        out->sum += x;
        out->rows++;
    }
    if (rc == TD_DONE) rc = TD_OK;
    db_done(st);
    return rc;
}

/* Copies one table's rows through a bulk loader built from the source's
 * columns. */
static int copy_table(struct db *from, struct db *to, const char *table,
                      void (*progress)(void *arg, const char *table, int64_t rows), void *arg)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT * FROM %s", table);
    struct db_stmt *src = NULL;
    struct db_loader *l = NULL;
    const char *vals[64];
    int rc = db_prepare_dynamic(from, sql, &src);
    if (rc != TD_OK) return rc;
    int64_t rows = 0;
    int n = 0;
    while ((rc = db_step(src)) == TD_ROW) {
        if (!l) {
            n = db_col_count(src);
            if (n > 64) {
                rc = TD_E_TOO_LARGE;
                break;
            }
            for (int i = 0; i < n; i++) vals[i] = db_col_name(src, i);
            if ((rc = db_loader_begin(to, table, vals, n, &l)) != TD_OK) break;
        }
        for (int i = 0; i < n; i++) vals[i] = db_col_text(src, i);
        if ((rc = db_loader_row(l, vals)) != TD_OK) break;
        if (++rows % 50000 == 0 && progress) progress(arg, table, rows);
    }
    if (rc == TD_DONE) rc = TD_OK;
    if (l) {
        int end = db_loader_end(l);
        if (rc == TD_OK) rc = end;
    }
    if (rc == TD_OK && progress) progress(arg, table, rows);
    db_done(src);
    return rc;
}

int db_copy(struct db *from, struct db *to, void (*progress)(void *arg, const char *table, int64_t rows), void *arg,
            struct db_copy_report *rep, char *why, size_t why_size)
{
    char tables[DB_COPY_MAX_TABLES][64];
    size_t ntables = 0;
    memset(rep, 0, sizeof *rep);
    why[0] = '\0';
    int64_t vfrom = 0, vto = 0;
    int rc = db_schema_version(from, &vfrom);
    if (rc == TD_OK) rc = db_schema_version(to, &vto);
    if (rc != TD_OK) return rc;
    if (vfrom != vto) {
        snprintf(why, why_size, "schema versions differ (source %lld, destination %lld): migrate both first",
                 (long long)vfrom, (long long)vto);
        return TD_E_CONFLICT;
    }
    if ((rc = db_begin(from, 0)) != TD_OK) return rc;
    if ((rc = db_tables(from, tables, DB_COPY_MAX_TABLES, &ntables)) != TD_OK) goto out_from;
    if ((rc = db_begin(to, 1)) != TD_OK) goto out_from;
    /* A table may point at its own later rows (a reissued credit note's
     * replaced_by_id): SQLite checks each INSERT at once unless told to wait
     * for the commit; PostgreSQL checks a COPY when it ends. */
    if (db_backend(to) == DB_SQLITE && (rc = db_exec(to, "PRAGMA defer_foreign_keys = ON")) != TD_OK) goto out_to;
    for (size_t i = 0; i < ntables; i++) {
        if (is_meta(tables[i])) continue;
        struct db_table_sum s;
        if ((rc = db_table_checksum(to, tables[i], &s)) != TD_OK) goto out_to;
        if (s.rows) {
            snprintf(why, why_size, "the destination is not empty (%s has %lld rows)", tables[i], (long long)s.rows);
            rc = TD_E_CONFLICT;
            goto out_to;
        }
    }
    for (size_t i = 0; i < ntables; i++) {
        if (is_meta(tables[i])) continue;
        if ((rc = copy_table(from, to, tables[i], progress, arg)) != TD_OK) {
            snprintf(why, why_size, "copying %s failed: %s", tables[i], db_errmsg(to));
            goto out_to;
        }
        if ((rc = db_sync_ids(to, tables[i])) != TD_OK) goto out_to;
    }
    /* Read back and compare before committing (seeded tables too). */
    for (size_t i = 0; i < ntables && rc == TD_OK; i++) {
        if (strcmp(tables[i], "schema_migrations") == 0) continue;
        size_t k = rep->ntables++;
        snprintf(rep->t[k].name, sizeof rep->t[k].name, "%s", tables[i]);
        if ((rc = db_table_checksum(from, tables[i], &rep->t[k].from)) != TD_OK) break;
        if ((rc = db_table_checksum(to, tables[i], &rep->t[k].to)) != TD_OK) break;
        if (rep->t[k].from.rows != rep->t[k].to.rows || rep->t[k].from.sum != rep->t[k].to.sum) {
            snprintf(why, why_size, "table %s differs after the copy", tables[i]);
            rc = TD_E_INTERNAL;
        }
    }
    if (rc == TD_OK) rc = db_commit(to);
out_to:
    if (rc != TD_OK) db_rollback(to);
out_from:
    db_rollback(from);
    return rc;
}
