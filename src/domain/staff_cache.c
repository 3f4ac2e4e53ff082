/* staff_cache.c — see staff_cache.h. A fixed table of slots, the hash's
 * first bytes choosing the slot (a newer entry takes the slot of an older
 * one), under one mutex: a lookup is a copy of a few hundred bytes. */
#include "domain/staff_cache.h"
#include "core/clock.h"
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#define SLOTS 1024

struct slot {
    char hash[TOKEN_HASH_HEX_LEN + 1];   /* "" when empty */
    enum staff_cache_kind kind;
    uint64_t generation;
    int64_t until_mono_us;
    struct staff_cache_entry e;
};

static struct slot slots[SLOTS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic uint64_t generation = 1;

static struct slot *slot_of(const char *hash)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        char ch = hash[i];
        v = v * 16 + (unsigned)(ch <= '9' ? ch - '0' : (ch | 32) - 'a' + 10);
    }
    return &slots[v % SLOTS];
}

int staff_cache_get(enum staff_cache_kind kind, const char hash[TOKEN_HASH_HEX_LEN + 1], struct staff_cache_entry *out,
                    struct staff_cache_mark *mark)
{
    struct slot *s = slot_of(hash);
    int64_t now = clock_mono_us();
    uint64_t g = atomic_load(&generation);
    *mark = (struct staff_cache_mark){g, now};
    int hit = 0;
    pthread_mutex_lock(&lock);
    if (s->kind == kind && s->generation == g && now < s->until_mono_us && strcmp(s->hash, hash) == 0) {
        *out = s->e;
        hit = 1;
    }
    pthread_mutex_unlock(&lock);
    return hit;
}

void staff_cache_put(const struct staff_cache_mark *mark, enum staff_cache_kind kind,
                     const char hash[TOKEN_HASH_HEX_LEN + 1], const struct staff_cache_entry *e)
{
    struct slot *s = slot_of(hash);
    pthread_mutex_lock(&lock);
    memcpy(s->hash, hash, sizeof s->hash);
    s->kind = kind;
    s->generation = mark->generation;
    s->until_mono_us = mark->at_mono_us + STAFF_CACHE_US;
    s->e = *e;
    pthread_mutex_unlock(&lock);
}

void staff_cache_forget(void) { atomic_fetch_add(&generation, 1); }
