/* throttle.h — back-off for repeated failures (wrong passwords, wrong
 * credit-note codes), kept in the database so every server sees it.
 *
 * A key ("login:anna", "addr:10.0.0.7", "code:10.0.0.7") may fail `free`
 * times; after that each attempt must wait 2^(failures - free) seconds, at
 * most 15 minutes, counted from the last failure. Clearing forgets a key.
 */
#ifndef TD_THROTTLE_H
#define TD_THROTTLE_H
#include "domain/domain.h"

/* *wait_s = seconds the key must still wait (0: it may try now). */
int throttle_wait(struct dctx *c, const char *key, int free_failures, int *wait_s /* OUT */) TD_MUST_CHECK;
int throttle_fail(struct dctx *c, const char *key) TD_MUST_CHECK;
int throttle_clear(struct dctx *c, const char *key) TD_MUST_CHECK;

#endif
