/* purchase.h — what customers bought, as the POS reported it. Receipts and
 * their lines are bookkeeping: they are never changed by the desk, and an
 * erased customer's receipts stay, unlinked. */
#ifndef TD_PURCHASE_H
#define TD_PURCHASE_H
#include <stdint.h>
#include "domain/domain.h"

#define RECEIPT_SZ 65
#define SKU_SZ 65

struct purchase_line {
    char receipt_id[RECEIPT_SZ];
    int64_t line_no;
    int64_t purchased_at;
    char store_code[CODE_SZ];
    char sku[SKU_SZ];
    char product_name[NAME_SZ];
    char brand[NAME_SZ];
    char category[NAME_SZ];
    int64_t unit_price_cents;
    int64_t quantity;
};

/* Lines of a customer's receipts, newest receipt first, up to `limit`
 * receipts' worth of lines starting after `cursor` (NULL: the newest). */
int purchase_each_of_customer(struct dctx *c, int64_t customer_id, int limit, const char *cursor,
                              int (*fn)(void *arg, const struct purchase_line *l), void *arg,
                              char *next /* OUT */, size_t next_size) TD_MUST_CHECK;

#endif
