/* alloc_fault.c — see alloc_fault.h. */
#include "alloc_fault.h"
#include <jansson.h>
#include <sqlite3.h>
#include <execinfo.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t k, size_t n);
void *__wrap_realloc(void *p, size_t n);
char *__wrap_strdup(const char *s);
char *__wrap_strndup(const char *s, size_t n);

static atomic_int armed_sources;
static atomic_long countdown;             /* the allocation that fails, counted down */

static int due(int source)
{
    if (!(atomic_load(&armed_sources) & source)) return 0;
    long left = atomic_load(&countdown);
    while (left > 0 && !atomic_compare_exchange_weak(&countdown, &left, left - 1)) {}
    if (left != 1) return 0;
    if (getenv("ALLOC_FAULT_TRACE")) {     /* where the failing allocation was asked for */
        void *at[24];
        backtrace_symbols_fd(at, backtrace(at, 24), 2);
    }
    return 1;
}

void alloc_fault_at(int sources, long n)
{
    atomic_store(&countdown, n);
    atomic_store(&armed_sources, n > 0 ? sources : 0);
}

int alloc_fault_disarm(void)
{
    int fired = atomic_load(&armed_sources) && atomic_load(&countdown) == 0;
    atomic_store(&armed_sources, 0);
    atomic_store(&countdown, 0);
    return fired;
}

/* ---- the project's own calls (--wrap) -------------------------------------- */

void *__wrap_malloc(size_t n) { return due(ALLOC_OWN) ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t k, size_t n) { return due(ALLOC_OWN) ? NULL : __real_calloc(k, n); }
/* realloc(p, 0) frees: it is not an allocation that can fail. */
void *__wrap_realloc(void *p, size_t n) { return n && due(ALLOC_OWN) ? NULL : __real_realloc(p, n); }
char *__wrap_strdup(const char *s) { return due(ALLOC_OWN) ? NULL : __real_strdup(s); }
char *__wrap_strndup(const char *s, size_t n) { return due(ALLOC_OWN) ? NULL : __real_strndup(s, n); }

/* ---- jansson and SQLite --------------------------------------------------- */

static void *j_malloc(size_t n) { return due(ALLOC_LIBS) ? NULL : __real_malloc(n); }
static void j_free(void *p) { free(p); }

/* SQLite wants to know an allocation's size: it is kept in front of it (16
 * bytes, so that the alignment stays what malloc gives). */
static void *s_malloc(int n)
{
    if (due(ALLOC_LIBS)) return NULL;
    size_t *p = __real_malloc(16 + (size_t)n);
    if (!p) return NULL;
    p[0] = (size_t)n;
    return (char *)p + 16;
}
static void s_free(void *p) { if (p) free((char *)p - 16); }
static void *s_realloc(void *p, int n)
{
    if (!p) return s_malloc(n);
    if (due(ALLOC_LIBS)) return NULL;
    size_t *q = __real_realloc((char *)p - 16, 16 + (size_t)n);
    if (!q) return NULL;
    q[0] = (size_t)n;
    return (char *)q + 16;
}
static int s_size(void *p) { return p ? (int)*(size_t *)((char *)p - 16) : 0; }
static int s_roundup(int n) { return (n + 7) & ~7; }
static int s_init(void *arg) { (void)arg; return SQLITE_OK; }
static void s_shutdown(void *arg) { (void)arg; }

int alloc_fault_install(void)
{
    static const struct sqlite3_mem_methods mem = {s_malloc, s_free, s_realloc, s_size, s_roundup, s_init,
                                                   s_shutdown, NULL};
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &mem) != SQLITE_OK) return -1;
    json_set_alloc_funcs(j_malloc, j_free);
    return 0;
}
