/* code.h — credit-note codes: unguessable, easy to read aloud and type.
 *
 * A code is "TD-" and four groups of four characters, e.g.
 * TD-7KQM-3HXP-9WZD-4RTB: fifteen random characters and one check character
 * from a 31-letter alphabet without 0/O, 1/I/L (15 x log2(31) = 74 random
 * bits). The check character is sum(i * v_i) mod 31 over the fifteen
 * (i = 1..15); 31 is prime, so any single wrong character and any swap of
 * two different neighbours change it. Reading is case-insensitive and
 * ignores the "TD" prefix, dashes and spaces.
 */
#ifndef TD_CODE_H
#define TD_CODE_H
#include <stddef.h>
#include "core/status.h"

#define CODE_CHARS 16                 /* 15 random + 1 check */
#define CODE_TEXT_SZ 24               /* "TD-XXXX-XXXX-XXXX-XXXX" + NUL */

/* A new random code in display form. */
void code_new(char out[CODE_TEXT_SZ]);
/* Reads what a person typed into the 16 canonical characters (upper case,
 * no separators). TD_E_NOT_FOUND when it cannot be a code: wrong length,
 * a character outside the alphabet, or a wrong check character. */
int code_parse(const char *typed, char canon[CODE_CHARS + 1] /* OUT */) TD_MUST_CHECK;
/* Display form of 16 canonical characters. */
void code_format(const char canon[CODE_CHARS + 1], char out[CODE_TEXT_SZ]);
/* The check character for 15 canonical characters. */
char code_check_char(const char *fifteen);

#endif
