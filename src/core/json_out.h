/* json_out.h — JSON text of a jansson value, whole or not at all.
 *
 * jansson's json_dumps() and json_dump_callback() do not always stop when
 * an allocation (or the callback) fails: the failure of writing an object's
 * key is not looked at, so the text comes back without that key ({":"v"})
 * and looks like success. These check every write: a text is complete, or
 * the caller gets TD_E_NOMEM (NULL) and nothing half-written reaches a row
 * or an answer.
 */
#ifndef TD_JSON_OUT_H
#define TD_JSON_OUT_H
#include <jansson.h>
#include <stddef.h>
#include "core/buf.h"
#include "core/status.h"

/* Appends the text of doc (json_dumps flags) to out; TD_E_NOMEM (or
 * TD_E_TOO_LARGE past out's limit) with out as it was, otherwise TD_OK. */
int json_out_buf(struct buf *out, const json_t *doc, size_t flags) TD_MUST_CHECK;
/* As json_dumps(): the text (free() it), NULL when it cannot be made whole. */
char *json_out_text(const json_t *doc, size_t flags);

#endif
