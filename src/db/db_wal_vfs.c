/* db_wal_vfs.c — the SQLite VFS trustdesk opens its databases with: the
 * system's own (unix) VFS, except that the writes of a transaction to the
 * WAL go to the file as one write instead of two per page.
 *
 * SQLite appends each page of a commit to the WAL with two pwrite() calls
 * (the frame's 24-byte header, then the page). A redemption changes about
 * ten pages (the note, the ledger rows, their indexes, the idempotency row),
 * so its commit made some twenty system calls before its one fsync, each
 * taking the file's lock and updating its times; a raw one-row transaction
 * makes two.
 *
 * Invariants:
 *  (1) nothing is held back past a commit: the frames are gathered in memory
 *      only until the frame that ends a transaction (its header's "database
 *      size after commit" is not zero) is complete, and are then written, all
 *      before SQLite syncs the WAL and before it publishes the commit in the
 *      shared index; so every other connection, and a crash, sees the file
 *      exactly as without this VFS at every moment that matters;
 *  (2) the gathered bytes are written before anything else touches the
 *      file: a read of the same range, a sync, a truncate, a size query, a
 *      file control, a write elsewhere, or closing it;
 *  (3) only the WAL is gathered (SQLITE_OPEN_WAL); every other file, and
 *      every other method, is the underlying VFS's own.
 */
#include "db/db_wal_vfs.h"
#include <stdlib.h>
#include <string.h>

#define WAL_HDR 32               /* the WAL file's header */
#define FRAME_HDR 24             /* each frame's header, before its page */
#define GATHER_MAX (8u << 20)    /* a bigger transaction is written as it comes */
#define GATHER_KEEP (1u << 20)   /* a buffer grown past this is given back after its write */
#define WRITE_MAX (64u << 10)    /* the unix VFS writes at most 128 KiB - 1 per call */

struct wal_file {
    sqlite3_file base;           /* base.pMethods: gather_methods */
    sqlite3_file *real;          /* the underlying VFS's file, allocated after this struct */
    unsigned char *buf;          /* gathered bytes, for [off, off + len) */
    size_t len, cap;
    sqlite3_int64 off;
    sqlite3_int64 commit_end;    /* where the gathered transaction's last frame ends; 0 if not seen yet */
    unsigned page;               /* the WAL's page size; 0 until known */
};

static sqlite3_vfs *real_vfs;
static sqlite3_io_methods gather_methods;

static int flush(struct wal_file *f)
{
    if (!f->len) return SQLITE_OK;
    size_t n = f->len;
    f->len = 0;
    f->commit_end = 0;
    int rc = SQLITE_OK;
    for (size_t done = 0; done < n && rc == SQLITE_OK; done += WRITE_MAX) {
        size_t k = n - done < WRITE_MAX ? n - done : WRITE_MAX;
        rc = f->real->pMethods->xWrite(f->real, f->buf + done, (int)k, f->off + (sqlite3_int64)done);
    }
    if (f->cap > GATHER_KEEP) {
        free(f->buf);
        f->buf = NULL;
        f->cap = 0;
    }
    return rc;
}

static unsigned get32(const unsigned char *p)
{
    return (unsigned)p[0] << 24 | (unsigned)p[1] << 16 | (unsigned)p[2] << 8 | p[3];
}

/* The page size from the WAL's header (written now at offset 0, or read
 * from the file); 0 when the file has none yet. */
static unsigned page_size(struct wal_file *f, const unsigned char *data, int n, sqlite3_int64 off)
{
    if (f->page) return f->page;
    unsigned char hdr[WAL_HDR];
    if (off == 0 && n >= WAL_HDR) memcpy(hdr, data, WAL_HDR);
    else if (f->real->pMethods->xRead(f->real, hdr, WAL_HDR, 0) != SQLITE_OK) return 0;
    unsigned p = get32(hdr + 8);
    if (p >= 512 && p <= 65536 && (p & (p - 1)) == 0) f->page = p;
    return f->page;
}

/* Notes in f->commit_end the end of a commit frame whose header lies in
 * the n bytes written at off. */
static void see_frames(struct wal_file *f, const unsigned char *data, int n, sqlite3_int64 off)
{
    sqlite3_int64 fs = (sqlite3_int64)f->page + FRAME_HDR;
    sqlite3_int64 b = off <= WAL_HDR ? WAL_HDR : WAL_HDR + ((off - WAL_HDR + fs - 1) / fs) * fs;
    for (; b + 8 <= off + n; b += fs)
        if (get32(data + (b - off) + 4) != 0) f->commit_end = b + fs;
}

static int g_write(sqlite3_file *file, const void *data, int n, sqlite3_int64 off)
{
    struct wal_file *f = (struct wal_file *)file;
    int rc = SQLITE_OK;
    if (f->len && off != f->off + (sqlite3_int64)f->len) rc = flush(f);
    if (rc != SQLITE_OK) return rc;
    if (!page_size(f, data, n, off)) return f->real->pMethods->xWrite(f->real, data, n, off);   /* no frames known yet */
    size_t want = f->len + (size_t)n;
    if (want > f->cap && want <= GATHER_MAX) {
        size_t cap = f->cap ? f->cap : 64u << 10;
        while (cap < want) cap *= 2;
        unsigned char *nb = realloc(f->buf, cap);
        if (nb) {
            f->buf = nb;
            f->cap = cap;
        }
    }
    if (want > f->cap) {                                   /* too big to gather: as it comes */
        if ((rc = flush(f)) != SQLITE_OK) return rc;
        return f->real->pMethods->xWrite(f->real, data, n, off);
    }
    if (!f->len) f->off = off;
    memcpy(f->buf + f->len, data, (size_t)n);
    f->len = want;
    see_frames(f, data, n, off);
    if (f->commit_end && f->off + (sqlite3_int64)f->len >= f->commit_end) return flush(f);   /* invariant (1) */
    return SQLITE_OK;
}

static int g_read(sqlite3_file *file, void *out, int n, sqlite3_int64 off)
{
    struct wal_file *f = (struct wal_file *)file;
    if (f->len && off < f->off + (sqlite3_int64)f->len && off + n > f->off) {
        int rc = flush(f);
        if (rc != SQLITE_OK) return rc;
    }
    return f->real->pMethods->xRead(f->real, out, n, off);
}

static int g_close(sqlite3_file *file)
{
    struct wal_file *f = (struct wal_file *)file;
    int rc = flush(f);
    int crc = f->real->pMethods ? f->real->pMethods->xClose(f->real) : SQLITE_OK;
    free(f->buf);
    f->buf = NULL;
    return rc != SQLITE_OK ? rc : crc;
}

/* Every other method: the gathered bytes first (invariant 2), then the real one. */
#define FLUSHED(f, call) \
    do { \
        int frc_ = flush(f); \
        if (frc_ != SQLITE_OK) return frc_; \
        return call; \
    } while (0)

static int g_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    struct wal_file *f = (struct wal_file *)file;
    FLUSHED(f, f->real->pMethods->xTruncate(f->real, size));
}

static int g_sync(sqlite3_file *file, int flags)
{
    struct wal_file *f = (struct wal_file *)file;
    FLUSHED(f, f->real->pMethods->xSync(f->real, flags));
}

static int g_size(sqlite3_file *file, sqlite3_int64 *size)
{
    struct wal_file *f = (struct wal_file *)file;
    FLUSHED(f, f->real->pMethods->xFileSize(f->real, size));
}

static int g_control(sqlite3_file *file, int op, void *arg)
{
    struct wal_file *f = (struct wal_file *)file;
    FLUSHED(f, f->real->pMethods->xFileControl(f->real, op, arg));
}

static int g_lock(sqlite3_file *file, int level)
{
    struct wal_file *f = (struct wal_file *)file;
    return f->real->pMethods->xLock(f->real, level);
}

static int g_unlock(sqlite3_file *file, int level)
{
    struct wal_file *f = (struct wal_file *)file;
    return f->real->pMethods->xUnlock(f->real, level);
}

static int g_reserved(sqlite3_file *file, int *out)
{
    struct wal_file *f = (struct wal_file *)file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int g_sector(sqlite3_file *file)
{
    struct wal_file *f = (struct wal_file *)file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int g_device(sqlite3_file *file)
{
    struct wal_file *f = (struct wal_file *)file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

static int w_open(sqlite3_vfs *vfs, const char *name, sqlite3_file *file, int flags, int *out_flags)
{
    (void)vfs;
    if (!(flags & SQLITE_OPEN_WAL)) return real_vfs->xOpen(real_vfs, name, file, flags, out_flags);
    /* A WAL: ours wraps the real file, which lives right after it. */
    struct wal_file *f = (struct wal_file *)file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *)(f + 1);
    int rc = real_vfs->xOpen(real_vfs, name, f->real, flags, out_flags);
    f->base.pMethods = f->real->pMethods ? &gather_methods : NULL;
    return rc;
}

static int w_delete(sqlite3_vfs *v, const char *n, int sync) { (void)v; return real_vfs->xDelete(real_vfs, n, sync); }
static int w_access(sqlite3_vfs *v, const char *n, int flags, int *out)
{
    (void)v;
    return real_vfs->xAccess(real_vfs, n, flags, out);
}
static int w_fullpath(sqlite3_vfs *v, const char *n, int len, char *out)
{
    (void)v;
    return real_vfs->xFullPathname(real_vfs, n, len, out);
}
static void *w_dlopen(sqlite3_vfs *v, const char *n) { (void)v; return real_vfs->xDlOpen(real_vfs, n); }
static void w_dlerror(sqlite3_vfs *v, int n, char *out) { (void)v; real_vfs->xDlError(real_vfs, n, out); }
static void (*w_dlsym(sqlite3_vfs *v, void *h, const char *s))(void)
{
    (void)v;
    return real_vfs->xDlSym(real_vfs, h, s);
}
static void w_dlclose(sqlite3_vfs *v, void *h) { (void)v; real_vfs->xDlClose(real_vfs, h); }
static int w_random(sqlite3_vfs *v, int n, char *out) { (void)v; return real_vfs->xRandomness(real_vfs, n, out); }
static int w_sleep(sqlite3_vfs *v, int us) { (void)v; return real_vfs->xSleep(real_vfs, us); }
static int w_time(sqlite3_vfs *v, double *out) { (void)v; return real_vfs->xCurrentTime(real_vfs, out); }
static int w_lasterror(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return real_vfs->xGetLastError ? real_vfs->xGetLastError(real_vfs, n, out) : 0;
}
static int w_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return real_vfs->xCurrentTimeInt64(real_vfs, out);
}

static sqlite3_vfs wal_vfs;

int db_wal_vfs_register(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    if (!real_vfs || real_vfs->iVersion < 2) return SQLITE_ERROR;
    gather_methods = (sqlite3_io_methods){
        .iVersion = 1, .xClose = g_close, .xRead = g_read, .xWrite = g_write, .xTruncate = g_truncate,
        .xSync = g_sync, .xFileSize = g_size, .xLock = g_lock, .xUnlock = g_unlock,
        .xCheckReservedLock = g_reserved, .xFileControl = g_control, .xSectorSize = g_sector,
        .xDeviceCharacteristics = g_device,
    };
    wal_vfs = (sqlite3_vfs){
        .iVersion = 2, .szOsFile = (int)sizeof(struct wal_file) + real_vfs->szOsFile,
        .mxPathname = real_vfs->mxPathname, .zName = DB_WAL_VFS, .xOpen = w_open, .xDelete = w_delete,
        .xAccess = w_access, .xFullPathname = w_fullpath, .xDlOpen = w_dlopen, .xDlError = w_dlerror,
        .xDlSym = w_dlsym, .xDlClose = w_dlclose, .xRandomness = w_random, .xSleep = w_sleep,
        .xCurrentTime = w_time, .xGetLastError = w_lasterror, .xCurrentTimeInt64 = w_time64,
    };
    return sqlite3_vfs_register(&wal_vfs, 0);
}
