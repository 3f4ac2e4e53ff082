/* token.h — random tokens and their hashes (libsodium).
 *
 * A token is 16 random bytes (128 bits) shown as 32 lowercase hex characters.
 * Only its hash (BLAKE2b-256, hex) is ever stored; comparing hashes from the
 * database by equality is safe because the attacker does not control them.
 */
#ifndef TD_TOKEN_H
#define TD_TOKEN_H
#include <stddef.h>
#include "core/status.h"

#define TOKEN_HEX_LEN 32
#define TOKEN_HASH_HEX_LEN 64

int token_init(void) TD_MUST_CHECK;                  /* sodium_init once per process */
void token_new(char out[TOKEN_HEX_LEN + 1]);          /* a fresh random token */
void token_hash(const char *token, char out[TOKEN_HASH_HEX_LEN + 1]);
int token_equal(const char *a, const char *b);
/* Hash (hex) of a request: method, path and body, for idempotency keys. */
void token_hash_request(const char *method, const char *path, const void *body, size_t len,
                        char out[TOKEN_HASH_HEX_LEN + 1]);        /* constant time for equal lengths */
/* argon2id password hashing (crypto_pwhash_str, interactive limits). */
int token_password_hash(const char *password, char out[128] /* OUT */) TD_MUST_CHECK;
int token_password_verify(const char *stored, const char *password); /* 1 when it matches */

#endif
