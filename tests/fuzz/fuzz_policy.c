/* fuzz_policy.c — libFuzzer target for the service policy document:
 * bytes -> policy_parse().
 *
 * Properties on any input:
 *  - it never crashes and allocates nothing that outlives the call;
 *  - TD_OK comes with no problems; TD_E_INVALID with at least one problem
 *    or an overall message, and every problem names its field (a JSON path
 *    or "" for the whole document) in valid UTF-8, so the 422 answer can
 *    carry it (control characters quoted from the input are fine: JSON
 *    escapes them);
 *  - parsing is deterministic: the same bytes give the same answer twice.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "core/errors.h"
#include "domain/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static struct errors err1, err2;

/* Fit for the JSON answer: jansson takes any valid UTF-8 (control
 * characters included, they are escaped) and refuses the rest. */
static int json_ok(const char *s)
{
    json_t *j = json_string(s);
    json_decref(j);
    return j != NULL;
}
static struct policy p1, p2;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    errors_init(&err1);
    errors_init(&err2);
    int rc1 = policy_parse(text, size, &err1, &p1);
    int rc2 = policy_parse(text, size, &err2, &p2);
    CHECK(rc1 == rc2);
    CHECK(err1.n == err2.n);
    if (rc1 == TD_OK) {
        CHECK(err1.n == 0);
    } else {
        CHECK(rc1 == TD_E_INVALID);
        CHECK(err1.n > 0 || err1.message[0]);
        for (size_t i = 0; i < err1.n; i++) {
            CHECK(json_ok(err1.item[i].field));
            CHECK(json_ok(err1.item[i].problem));
            CHECK(err1.item[i].problem[0]);
            CHECK(strcmp(err1.item[i].field, err2.item[i].field) == 0);
        }
    }
    free(text);
    return 0;
}
