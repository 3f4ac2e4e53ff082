/* json_safe.c — see json_safe.h. */
#include "core/json_safe.h"
#include <pthread.h>
#include <stdint.h>

struct sink {
    struct buf *b;
    int rc;                   /* the first failure; every write after it fails too */
};

static int put(const char *text, size_t n, void *arg)
{
    struct sink *s = arg;
    if (s->rc == TD_OK) s->rc = buf_append(s->b, text, n);
    return s->rc == TD_OK ? 0 : -1;
}

int json_safe_buf(struct buf *out, const json_t *doc, size_t flags)
{
    size_t len = out->len;
    struct sink s = {out, TD_OK};
    if (json_dump_callback(doc, put, &s, flags) != 0 && s.rc == TD_OK) s.rc = TD_E_NOMEM;
    if (s.rc != TD_OK) {
        out->len = len;                /* as it was */
        if (out->data) out->data[len] = '\0';
    }
    return s.rc;
}

char *json_safe_text(const json_t *doc, size_t flags)
{
    struct buf b;
    buf_init(&b, SIZE_MAX);
    if (!doc || json_safe_buf(&b, doc, flags) != TD_OK) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}

/* ---- the watch ---------------------------------------------------------------- */

/* When jansson's allocator fails, the allocation is served from this
 * reserve instead (and counted): jansson's parser does not survive a NULL
 * in its lexer (it goes on with a length that no longer matches its
 * buffer, and writes out of bounds), so it gets memory and finishes, and
 * the request that needed it is then answered 503 as a whole. A bump
 * allocator: it is empty again once everything taken from it is freed
 * (what a cache keeps from such a moment keeps its part taken; when the
 * reserve is used up, jansson gets its NULL as before). */
#define RESERVE_SIZE (256u << 10)

static json_malloc_t inner_malloc;
static json_free_t inner_free;
static _Thread_local unsigned long failures;
static _Alignas(16) unsigned char reserve[RESERVE_SIZE];
static size_t reserve_used, reserve_live;
static pthread_mutex_t reserve_lock = PTHREAD_MUTEX_INITIALIZER;

static int in_reserve(const void *p)
{
    uintptr_t a = (uintptr_t)p, lo = (uintptr_t)reserve;
    return a >= lo && a < lo + RESERVE_SIZE;
}

static void *watched_malloc(size_t n)
{
    void *p = inner_malloc(n);
    if (p) return p;
    failures++;
    size_t need = (n + 15) & ~(size_t)15;
    if (n > RESERVE_SIZE || need == 0) return NULL;
    pthread_mutex_lock(&reserve_lock);
    if (need <= RESERVE_SIZE - reserve_used) {
        p = reserve + reserve_used;
        reserve_used += need;
        reserve_live++;
    }
    pthread_mutex_unlock(&reserve_lock);
    return p;
}

static void watched_free(void *p)
{
    if (!in_reserve(p)) {
        inner_free(p);
        return;
    }
    pthread_mutex_lock(&reserve_lock);
    if (--reserve_live == 0) reserve_used = 0;
    pthread_mutex_unlock(&reserve_lock);
}

static void install(void)
{
    json_get_alloc_funcs(&inner_malloc, &inner_free);
    json_set_alloc_funcs(watched_malloc, watched_free);
}

void json_safe_watch(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, install);
}

unsigned long json_safe_failures(void) { return failures; }
