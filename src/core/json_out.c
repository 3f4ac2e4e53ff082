/* json_out.c — see json_out.h. */
#include "core/json_out.h"
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

int json_out_buf(struct buf *out, const json_t *doc, size_t flags)
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

char *json_out_text(const json_t *doc, size_t flags)
{
    struct buf b;
    buf_init(&b, SIZE_MAX);
    if (!doc || json_out_buf(&b, doc, flags) != TD_OK) {
        buf_free(&b);
        return NULL;
    }
    return buf_steal(&b);
}
