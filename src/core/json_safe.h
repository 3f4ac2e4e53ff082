/* json_safe.h — jansson without silent losses.
 *
 * jansson does not always say when an allocation fails. json_dumps() and
 * json_dump_callback() do not look at the failure of writing an object's
 * key: the text comes back without it ({":"v"}) as if all went well.
 * json_object_set_new() and json_array_append_new() fail without a word
 * when their callers do not check; json_loads() reports some failures as a
 * syntax error of the text. Two remedies:
 *
 *  - json_safe_buf / json_safe_text check every write: the text is whole,
 *    or the caller gets TD_E_NOMEM (NULL);
 *  - json_safe_watch() puts a watch on jansson's allocator (once, before
 *    threads start). An allocation that fails is served from a reserve of
 *    256 KiB instead, so that jansson never meets a NULL (its parser
 *    writes out of bounds when one comes in the middle of a token), and is
 *    counted: json_safe_failures() tells how many failed on this thread,
 *    so that a request that needed the reserve is answered 503 and rolled
 *    back as a whole (api/txn.c), and a body that did not parse for want
 *    of memory is not called malformed (api/json.c).
 */
#ifndef TD_JSON_SAFE_H
#define TD_JSON_SAFE_H
#include <jansson.h>
#include <stddef.h>
#include "core/buf.h"
#include "core/status.h"

/* Appends the text of doc (json_dumps flags) to out; TD_E_NOMEM (or
 * TD_E_TOO_LARGE past out's limit) with out as it was, otherwise TD_OK. */
int json_safe_buf(struct buf *out, const json_t *doc, size_t flags) TD_MUST_CHECK;
/* As json_dumps(): the text (free() it), NULL when it cannot be made whole. */
char *json_safe_text(const json_t *doc, size_t flags);

/* Wraps jansson's allocator (whatever it is at the first call) with the
 * watch; later calls do nothing. */
void json_safe_watch(void);
/* How many of jansson's allocations failed on this thread so far (always 0
 * without json_safe_watch()): compare before and after. */
unsigned long json_safe_failures(void);

#endif
