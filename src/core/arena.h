/* arena.h — a region allocator for the temporaries of one request (lwan).
 *
 * Everything allocated from an arena is freed at once by arena_free(); no
 * single allocation is ever freed. Allocation fails (NULL) past `limit` bytes,
 * which bounds what one request can make the server allocate.
 */
#ifndef TD_ARENA_H
#define TD_ARENA_H
#include <stddef.h>

struct arena_block;
struct arena {
    struct arena_block *head;
    size_t used_total;
    size_t limit;
};

void arena_init(struct arena *a, size_t limit);
void arena_free(struct arena *a);
void *arena_alloc(struct arena *a, size_t n);       /* 16-byte aligned, NULL on failure */
char *arena_strdup(struct arena *a, const char *s); /* NULL in, NULL out */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
