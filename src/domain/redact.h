/* redact.h — an erased customer's personal data out of the free text that
 * staff typed about them.
 *
 * Staff write names, e-mail addresses and phone numbers into case notes,
 * override reasons, approval notes, referral targets, item descriptions,
 * credit-note reasons and till references. Erasing a customer redacts, in
 * every such column of every row that concerns the customer (their cases and
 * what hangs off them, their credit notes and those notes' ledger texts),
 * each form in which staff may have typed the customer's known values:
 *   - the name whole, its family name, and each of its words of three or
 *     more letters that is not a particle (van, der, ...);
 *   - the e-mail address and its local part;
 *   - the phone number in national, +31, 0031 and +31 (0) forms (and the
 *     international forms of a foreign number);
 *   - the loyalty number, and its digits alone when it has letters;
 * case-, accent- and separator-insensitively (text_redact). Every match
 * becomes REDACT_MARK. The bookkeeping (amounts, ids, kinds, times) stays.
 */
#ifndef TD_REDACT_H
#define TD_REDACT_H
#include "domain/domain.h"

#define REDACT_MARK "[erased]"

struct customer;

/* Redacts the customer's known values from the free text of the rows that
 * concern them, inside the caller's (the erasure's) transaction. Call it
 * before the rows are unlinked from the customer. */
int redact_customer(struct dctx *c, const struct customer *cu) TD_MUST_CHECK;

#endif
