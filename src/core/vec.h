/* vec.h — how a growing array makes room: one more element, by doubling.
 *
 * An array is its pointer (NULL while empty), the count n of elements in
 * use and the capacity cap, all kept by the caller; vec_grow() is called
 * before element n is written. The caller frees the pointer.
 */
#ifndef TD_VEC_H
#define TD_VEC_H
#include <stddef.h>
#include "core/status.h"

/* Makes room for element n of the array whose pointer is at arrayp (a
 * T ** passed as void *) with *cap elements of size elem: nothing when
 * n < *cap; otherwise the array is reallocated to twice *cap elements, or
 * first when *cap is 0. TD_E_NOMEM leaves the array and *cap as they were. */
int vec_grow(void *arrayp, size_t *cap, size_t n, size_t elem, size_t first) TD_MUST_CHECK;

#endif
