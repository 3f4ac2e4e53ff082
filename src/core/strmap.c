/* strmap.c — open addressing with linear probing over (hash, entry) slots
 * (see strmap.h).
 *
 * Invariants:
 *  (1) the slot table has a power-of-two size and is at most half full, so a
 *      probe always ends at an empty slot;
 *  (2) an entry (value, then key bytes and a NUL) is allocated once from the
 *      arena and never moves; growing the table moves only the slots.
 */
#include "core/strmap.h"
#include "core/arena.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
    size_t len;
    _Alignas(16) unsigned char value[];  /* value_size bytes (rounded to 16), then the key */
};

struct slot {
    uint64_t hash;
    struct entry *e;                     /* NULL: empty */
};

struct strmap {
    struct arena arena;
    size_t value_size;                   /* rounded up to 16 */
    size_t mem_limit;
    struct slot *slots;
    size_t cap, n;
};

/* FNV-1a with a final mix, so that the low bits used for the slot index
 * depend on every byte. */
static uint64_t hash_of(const char *key, size_t len)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)key[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    return h;
}

int strmap_new(size_t value_size, size_t mem_limit, struct strmap **out)
{
    *out = NULL;
    struct strmap *m = calloc(1, sizeof *m);
    if (!m) return TD_E_NOMEM;
    m->value_size = (value_size + 15) & ~(size_t)15;
    m->mem_limit = mem_limit;
    arena_init(&m->arena, mem_limit);
    m->cap = 64;
    m->slots = calloc(m->cap, sizeof *m->slots);
    if (!m->slots) {
        free(m);
        return TD_E_NOMEM;
    }
    *out = m;
    return TD_OK;
}

void strmap_free(struct strmap *m)
{
    if (!m) return;
    arena_free(&m->arena);
    free(m->slots);
    free(m);
}

size_t strmap_count(const struct strmap *m) { return m->n; }

int strmap_values(const struct strmap *m, void ***out)
{
    *out = NULL;
    if (m->n == 0) return TD_OK;
    void **v = malloc(m->n * sizeof *v);
    if (!v) return TD_E_NOMEM;
    size_t k = 0;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i].e) v[k++] = m->slots[i].e->value;
    *out = v;
    return TD_OK;
}

static const char *key_of(const struct strmap *m, const struct entry *e)
{
    return (const char *)e->value + m->value_size;
}

/* The slot holding key, or the empty slot where it would go. */
static struct slot *find(const struct strmap *m, uint64_t h, const char *key, size_t len)
{
    size_t mask = m->cap - 1, i = (size_t)h & mask;
    for (;; i = (i + 1) & mask) {
        struct slot *s = &m->slots[i];
        if (!s->e) return s;
        if (s->hash == h && s->e->len == len && memcmp(key_of(m, s->e), key, len) == 0) return s;
    }
}

void *strmap_get(const struct strmap *m, const char *key, size_t len)
{
    struct slot *s = find(m, hash_of(key, len), key, len);
    return s->e ? s->e->value : NULL;
}

static int grow(struct strmap *m)
{
    size_t ncap = m->cap * 2;
    if (ncap * sizeof(struct slot) > m->mem_limit) return TD_E_NOMEM;
    struct slot *ns = calloc(ncap, sizeof *ns);
    if (!ns) return TD_E_NOMEM;
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->slots[i].e) continue;
        size_t j = (size_t)m->slots[i].hash & (ncap - 1);
        while (ns[j].e) j = (j + 1) & (ncap - 1);
        ns[j] = m->slots[i];
    }
    free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    return TD_OK;
}

int strmap_put(struct strmap *m, const char *key, size_t len, void **value, int *added)
{
    *value = NULL;
    *added = 0;
    uint64_t h = hash_of(key, len);
    struct slot *s = find(m, h, key, len);
    if (s->e) {
        *value = s->e->value;
        return TD_OK;
    }
    if ((m->n + 1) * 2 > m->cap) {
        int rc = grow(m);
        if (rc != TD_OK) return rc;
        s = find(m, h, key, len);
    }
    struct entry *e = arena_alloc(&m->arena, sizeof *e + m->value_size + len + 1);
    if (!e) return TD_E_NOMEM;
    e->len = len;
    memset(e->value, 0, m->value_size);
    memcpy(e->value + m->value_size, key, len);
    e->value[m->value_size + len] = '\0';
    s->hash = h;
    s->e = e;
    m->n++;
    *value = e->value;
    *added = 1;
    return TD_OK;
}
