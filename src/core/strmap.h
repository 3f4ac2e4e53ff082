/* strmap.h — a hash map from byte strings to small fixed-size values, for
 * the lookups of bulk work (an import resolves each distinct store code,
 * SKU, loyalty number and receipt id once, then asks the map).
 *
 * Keys are copied; values are value_size bytes, zeroed when added, and stay
 * at the same address until strmap_free(). Nothing is ever removed. Keys and
 * values live in one arena that is bounded by mem_limit, so input cannot make
 * the map grow without end.
 */
#ifndef TD_STRMAP_H
#define TD_STRMAP_H
#include <stddef.h>
#include "core/status.h"

struct strmap;

int strmap_new(size_t value_size, size_t mem_limit, struct strmap **out /* OUT */) TD_MUST_CHECK;
void strmap_free(struct strmap *m);                  /* accepts NULL */
/* The value stored for key, or NULL. */
void *strmap_get(const struct strmap *m, const char *key, size_t len);
/* The value stored for key, adding a zeroed one when there is none (then
 * *added is 1). TD_E_NOMEM when memory or mem_limit runs out. */
int strmap_put(struct strmap *m, const char *key, size_t len, void **value /* OUT */, int *added /* OUT */) TD_MUST_CHECK;
size_t strmap_count(const struct strmap *m);
/* Every value, in no particular order: *out is a malloc'd array of
 * strmap_count() pointers (the caller frees it; NULL when the map is empty),
 * valid as long as the map. */
int strmap_values(const struct strmap *m, void ***out /* OUT */) TD_MUST_CHECK;

#endif
