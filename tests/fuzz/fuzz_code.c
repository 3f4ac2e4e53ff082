/* fuzz_code.c — libFuzzer target for credit-note codes as people type them:
 * bytes -> code_parse().
 *
 * Properties on any input:
 *  - a code is accepted only as 16 characters of the alphabet whose last is
 *    the check character of the first fifteen;
 *  - what is accepted reads back the same from its display form, and from
 *    the display form in lower case with spaces instead of dashes;
 *  - one character changed to another of the alphabet is refused.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/code.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char typed[256];
    if (size >= sizeof typed) size = sizeof typed - 1;
    memcpy(typed, data, size);
    typed[size] = '\0';
    char canon[CODE_CHARS + 1];
    if (code_parse(typed, canon) != TD_OK) return 0;
    CHECK(strlen(canon) == CODE_CHARS);
    for (int i = 0; i < CODE_CHARS; i++) CHECK(strchr(alphabet, canon[i]) && canon[i]);
    CHECK(code_check_char(canon) == canon[CODE_CHARS - 1]);
    char shown[CODE_TEXT_SZ], again[CODE_CHARS + 1];
    code_format(canon, shown);
    CHECK(code_parse(shown, again) == TD_OK && strcmp(again, canon) == 0);
    for (char *p = shown; *p; p++) *p = *p == '-' ? ' ' : (char)tolower((unsigned char)*p);
    CHECK(code_parse(shown, again) == TD_OK && strcmp(again, canon) == 0);
    int at = size ? data[0] % CODE_CHARS : 0;
    char changed[CODE_CHARS + 1];
    memcpy(changed, canon, sizeof changed);
    changed[at] = alphabet[(strchr(alphabet, canon[at]) - alphabet + 1) % (sizeof alphabet - 1)];
    CHECK(code_parse(changed, again) != TD_OK);
    return 0;
}
