/* db_backend.h — what a storage backend implements (internal to db/). */
#ifndef TD_DB_BACKEND_H
#define TD_DB_BACKEND_H
#include "db/db.h"

struct db_ops {
    enum db_backend backend;
    const char *name;
    void (*close)(struct db *db);
    const char *(*errmsg)(struct db *db);
    int (*exec)(struct db *db, const char *sql);
    /* A new statement for sql; persistent=1 when db.c keeps it in its cache
     * for the connection's life (the backend may prepare it harder). */
    int (*prepare)(struct db *db, const char *sql, int persistent, struct db_stmt **out);
    /* Frees a statement (db.c calls it for private statements at db_done,
     * and for cached ones at db_close, before close). */
    void (*finalize)(struct db_stmt *st);
    /* The number of `?` parameters of a statement. */
    int (*param_count)(struct db_stmt *st);
    int (*bind_int64)(struct db_stmt *st, int idx, int64_t v);
    int (*bind_text)(struct db_stmt *st, int idx, const char *s);
    /* s outlives the statement's use (db_bind_text_static); NULL: bind_text. */
    int (*bind_text_static)(struct db_stmt *st, int idx, const char *s);
    int (*bind_null)(struct db_stmt *st, int idx);
    int (*step)(struct db_stmt *st);
    int64_t (*col_int64)(struct db_stmt *st, int col);
    const char *(*col_text)(struct db_stmt *st, int col);
    int (*col_is_null)(struct db_stmt *st, int col);
    int (*col_count)(struct db_stmt *st);
    const char *(*col_name)(struct db_stmt *st, int col);
    int (*sync_ids)(struct db *db, const char *table);
    /* Bulk loading (db_loader_*); NULL uses prepared INSERTs (db.c). */
    int (*copy_begin)(struct db *db, const char *sql);
    int (*copy_put)(struct db *db, const char *data, size_t len);
    int (*copy_end)(struct db *db, int ok);
    /* SQL listing the user tables, one name per row. */
    const char *tables_sql;
    int64_t (*changes)(struct db_stmt *st);
    /* Ready to run again: results, bindings and the change count cleared. */
    int (*reset)(struct db_stmt *st);
    int (*begin)(struct db *db, int write);
    int (*commit)(struct db *db);
    void (*rollback)(struct db *db);
    int (*purge_deleted)(struct db *db);
    int (*bulk_mode)(struct db *db, int on);
    /* Inside a write transaction: foreign keys checked at commit. */
    int (*defer_foreign_keys)(struct db *db);
    /* SELECT name, definition of the secondary indexes of table ?1 (for
     * db_index_drop); a literal, since statements are cached by address. */
    const char *index_list_sql;
    /* SELECT standby, WAL receiver running, lag in ms (db_replica_state);
     * NULL for a backend that has no replicas. */
    const char *replica_sql;
    /* The @NAME@ placeholders of the migration files: name, replacement,
     * name, replacement, ..., NULL. */
    const char *const *placeholders;
    /* Run in each migration's transaction after its own SQL (NULL: none). */
    const char *after_migration;
};

/* Every backend's struct db begins with this header. The statement cache
 * (db.c) maps the address of a statement's SQL text to the statement,
 * open addressing; a cached statement in use is never handed out twice. */
struct db {
    const struct db_ops *ops;
    int in_tx;
    long fault_countdown;        /* >0: the step that brings it to 0 fails (tests) */
    struct db_stmt **cache;
    size_t cache_cap, cache_n;
};

/* Every backend's struct db_stmt begins with this header (db.c fills it). */
struct db_stmt {
    struct db *db;
    const char *key;             /* the SQL text's address when cached, NULL for a private statement */
    int in_use;
};

int db_sqlite_open(const char *path, struct db **out);
int db_pg_open(const char *url, struct db **out);

/* The embedded migrations (generated at build time from migrations/\*.sql). */
struct db_migration { int64_t version; const char *name; const char *sql; };
extern const struct db_migration db_migrations[];
extern const size_t db_migrations_count;

#endif
