/* fuzz_survey_link.c — libFuzzer target for the signed survey link a
 * customer opens: bytes -> survey_token_read().
 *
 * Properties on any input:
 *  - no input but a token the key made is taken: what is read as a token
 *    is taken only when it is exactly survey_token() of the id and expiry
 *    it names;
 *  - a token made from the input's first bytes (an id and an expiry) reads
 *    back that id while it is valid, is TD_E_GONE from its expiry on, and
 *    is refused with another key;
 *  - any one of its first 53 characters changed (every bit of those is in
 *    the signed bytes) is refused.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>
#include "core/status.h"
#include "domain/survey.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond) do { if (!(cond)) { fprintf(stderr, "property failed: %s\n", #cond); abort(); } } while (0)

static const char url64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static int64_t take64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++) v = v << 8 | p[i];
    return (int64_t)v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static unsigned char key[32], other[32];
    static int ready;
    if (!ready) {
        CHECK(sodium_init() >= 0);
        for (int i = 0; i < 32; i++) key[i] = (unsigned char)(i * 7 + 1), other[i] = (unsigned char)(i * 7 + 2);
        ready = 1;
    }
    const int64_t now = INT64_C(1780000000000000);
    /* The input as a token. */
    char typed[128];
    size_t n = size < sizeof typed - 1 ? size : sizeof typed - 1;
    memcpy(typed, data, n);
    typed[n] = '\0';
    int64_t id = -1;
    int rc = survey_token_read(key, typed, now, &id);
    CHECK(rc == TD_OK || rc == TD_E_NOT_FOUND || rc == TD_E_GONE);
    CHECK(rc == TD_OK || id == 0);
    if (rc == TD_OK) CHECK(strlen(typed) == SURVEY_TOKEN_LEN);
    /* A token made from the input. */
    if (size < 17) return 0;
    int64_t want = take64(data), expires = take64(data + 8);
    char tok[SURVEY_TOKEN_LEN + 1];
    survey_token(NULL, key, want, expires, tok);
    CHECK(strlen(tok) == SURVEY_TOKEN_LEN);
    if (rc == TD_OK) {
        /* What was taken is what the key makes for what it names. */
        char made[SURVEY_TOKEN_LEN + 1];
        unsigned char raw[64];
        size_t len = 0;
        CHECK(sodium_base642bin(raw, sizeof raw, typed, SURVEY_TOKEN_LEN, NULL, &len, NULL,
                                sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0);
        survey_token(NULL, key, id, take64(raw + 8), made);
        CHECK(strcmp(made, typed) == 0);
    }
    rc = survey_token_read(key, tok, now, &id);
    CHECK(expires > now ? rc == TD_OK && id == want : rc == TD_E_GONE && id == 0);
    CHECK(survey_token_read(other, tok, now, &id) == TD_E_NOT_FOUND);
    int at = data[16] % 53;
    const char *was = strchr(url64, tok[at]);
    CHECK(was != NULL);
    tok[at] = url64[(was - url64 + 1 + data[16] / 53) % 64];
    if (tok[at] == *was) tok[at] = url64[(was - url64 + 1) % 64];
    CHECK(survey_token_read(key, tok, now, &id) == TD_E_NOT_FOUND);
    return 0;
}
