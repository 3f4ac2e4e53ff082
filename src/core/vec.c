/* vec.c — a growing array's room (see vec.h).
 *
 * The array's pointer is read and written through memcpy, so one function
 * serves arrays of every element type without a cast through void **. */
#include "core/vec.h"
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int vec_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first)
{
    if (n < *cap) return TD_OK;
    size_t ncap = *cap ? *cap * 2 : first;
    if (ncap <= *cap || ncap > SIZE_MAX / elem) return TD_E_NOMEM;
    void *v;
    memcpy(&v, arrayp, sizeof v);
    void *nv = realloc(v, ncap * elem);
    if (!nv) return TD_E_NOMEM;
    memcpy(arrayp, &nv, sizeof nv);
    *cap = ncap;
    return TD_OK;
}
