/* db_wal_vfs.h — the SQLite VFS that writes each transaction's WAL frames
 * with one write (see db_wal_vfs.c). */
#ifndef TD_DB_WAL_VFS_H
#define TD_DB_WAL_VFS_H
#include <sqlite3.h>

#define DB_WAL_VFS "trustdesk"

/* Registers the VFS DB_WAL_VFS over the default one; once per process,
 * before any connection uses it. An SQLite result code. */
int db_wal_vfs_register(void);

#endif
