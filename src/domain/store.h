/* store.h — the shops of the chain. A store is known to people and files by
 * its code ("UTR01"); ids stay internal. */
#ifndef TD_STORE_H
#define TD_STORE_H
#include <stdint.h>
#include "domain/domain.h"

struct store {
    int64_t id;
    char code[CODE_SZ];
    char name[NAME_SZ];
    char city[NAME_SZ];
};

/* Validates and inserts; TD_E_CONFLICT when the code exists. */
int store_create(struct dctx *c, const struct store *in, struct errors *err, int64_t *out_id /* OUT */) TD_MUST_CHECK;
/* Changes name and/or city (NULL keeps the field). */
int store_update(struct dctx *c, const char *code, const char *name, const char *city, struct errors *err) TD_MUST_CHECK;
int store_get_by_code(struct dctx *c, const char *code, struct store *out /* OUT */) TD_MUST_CHECK;
/* The id of the store with this code into *id; an unknown code is the
 * error "no store has this code" at `field` (TD_OK, *id 0). Anything else
 * the database answers is returned as it is, never read as "no such store". */
int store_id_by_code(struct dctx *c, const char *code, const char *field, struct errors *err,
                     int64_t *id /* OUT */) TD_MUST_CHECK;
int store_get(struct dctx *c, int64_t id, struct store *out /* OUT */) TD_MUST_CHECK;
/* Calls fn for each store in code order; stops at fn's first non-OK. */
int store_each(struct dctx *c, int (*fn)(void *arg, const struct store *s), void *arg) TD_MUST_CHECK;
/* 1 when code has the store-code shape: 2..16 of A-Z, 0-9, '-'. */
int store_code_valid(const char *code);

#endif
