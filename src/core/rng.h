/* rng.h — a small seeded, splittable pseudo-random generator for data that
 * must come out the same every time (the demo chain, simulations).
 *
 * xoshiro256** (Blackman and Vigna, public domain), its state filled by
 * splitmix64. rng_stream() derives an independent stream from (seed, kind,
 * index), so each customer, receipt slot or planner draws from a stream of
 * its own: what one of them draws never shifts another's. Not for secrets:
 * tokens and codes come from libsodium (core/token.h).
 *
 * Invariant: the numbers drawn depend only on the stream's (seed, kind,
 * index) and on the order of the calls; every function draws exactly one
 * number from the stream (rng_stream none), whatever its arguments.
 *
 * The draws are defined here, inline: the demo calls them tens of millions
 * of times, and a call through another object file would cost more than
 * the draw itself.
 */
#ifndef TD_RNG_H
#define TD_RNG_H
#include <stdint.h>

struct rng { uint64_t s[4]; };

/* Sets r to the stream for (seed, kind, index); kind separates families of
 * streams (customers, staff, the catalogue, ...) that share one seed. */
void rng_stream(struct rng *r, uint64_t seed, uint64_t kind, uint64_t index);

/* The next 64 random bits. */
static inline uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5;
    uint64_t result = ((x << 7) | (x >> 57)) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* Uniform in [0, n) for n >= 1 (Lemire's multiply-shift on the top 32 bits;
 * the bias, below n / 2^32, is irrelevant here and keeps one draw a call). */
static inline uint32_t rng_below(struct rng *r, uint32_t n)
{
    return (uint32_t)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

/* Uniform in [0, 1), in steps of 2^-53. */
static inline double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}

/* True with a chance of pct in 100. */
static inline int rng_pct(struct rng *r, unsigned pct)
{
    return rng_below(r, 100) < pct;
}

/* An index in [0, n) favouring the front of a list ordered from common to
 * rare: P(0) = n^(-1/1.3), about 3 % for a list of 100. */
uint32_t rng_front(struct rng *r, uint32_t n);

#endif
