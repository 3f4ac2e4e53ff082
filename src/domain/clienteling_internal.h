/* clienteling_internal.h — what the clienteling files share and nobody
 * else needs. */
#ifndef TD_CLIENTELING_INTERNAL_H
#define TD_CLIENTELING_INTERNAL_H
#include <stddef.h>
#include <string.h>

/* Copies src (NULL: "") into dst of size n, cutting what does not fit at a
 * character boundary of UTF-8. */
static inline void cl__copy(char *dst, size_t n, const char *src)
{
    size_t len = src ? strlen(src) : 0;
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)src[len] & 0xC0) == 0x80)
            len--;
    }
    if (len)
        memcpy(dst, src, len);
    dst[len] = '\0';
}

#endif
