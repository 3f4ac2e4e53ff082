/* rng.c — streams of the seeded generator (see rng.h). */
#include "core/rng.h"
#include <math.h>

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void rng_stream(struct rng *r, uint64_t seed, uint64_t kind, uint64_t index)
{
    uint64_t x = seed ^ (kind * 0xd1b54a32d192ed03ull) ^ (index * 0x8cb92ba72f3d8dd7ull);
    for (int i = 0; i < 4; i++) r->s[i] = splitmix64(&x);
}

uint32_t rng_front(struct rng *r, uint32_t n)
{
    uint32_t i = (uint32_t)(pow(rng_unit(r), 1.3) * n);
    return i < n ? i : n - 1;
}
