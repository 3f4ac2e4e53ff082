/* token.h — random tokens and their hashes (libsodium).
 *
 * A token is 16 random bytes (128 bits) shown as 32 lowercase hex characters.
 * Only its hash (BLAKE2b-256, hex) is ever stored; comparing hashes from the
 * database by equality is safe because the attacker does not control them.
 *
 * Sealing keeps a text in the database that only the holder of a secret
 * (e.g. a client's Idempotency-Key) can read: token_derive() turns the secret
 * into an id that may be stored and a key that never is; token_seal() and
 * token_open() encrypt and authenticate with XChaCha20-Poly1305.
 */
#ifndef TD_TOKEN_H
#define TD_TOKEN_H
#include <stddef.h>
#include "core/status.h"

struct buf;

#define TOKEN_HEX_LEN 32
#define TOKEN_HASH_HEX_LEN 64
#define TOKEN_KEY_LEN 32

int token_init(void) TD_MUST_CHECK;                  /* sodium_init once per process */
void token_new(char out[TOKEN_HEX_LEN + 1]);          /* a fresh random token */
void token_hash(const char *token, char out[TOKEN_HASH_HEX_LEN + 1]);
int token_equal(const char *a, const char *b);
/* Hash (hex) of a request: method, path and body, for idempotency keys;
 * keyed with key (NULL: unkeyed), so that a stored hash cannot be matched
 * against guessed bodies (a walk-in's phone number among all mobile numbers)
 * by anyone without the key. */
void token_hash_request(const unsigned char *key, const char *method, const char *path, const void *body, size_t len,
                        char out[TOKEN_HASH_HEX_LEN + 1]);        /* constant time for equal lengths */
/* From the secret text a (with b and a context naming the use), two values
 * that are independent of each other: id (hex) to store and look up by, and
 * key to seal with. Knowing id does not help to find key: both come from a
 * BLAKE2b hash of the three texts through libsodium's crypto_kdf. */
void token_derive(const char *context, const char *a, const char *b, char id[TOKEN_HASH_HEX_LEN + 1] /* OUT */,
                  unsigned char key[TOKEN_KEY_LEN] /* OUT */);
/* A keyed hash (BLAKE2b under key, its first 64 bits in hex) of a context
 * and a text: the same three always give the same value, and without the
 * key nobody can compute it, nor find the text back by trying candidates
 * (all mobile numbers). For the identity keys the guard counts by
 * (domain/identity.c): 64 bits keep two of ten million customers' contacts
 * apart but for a chance of about one in 10^5, and a clash would only count
 * two accounts together for the guard. */
#define TOKEN_KEYED_HEX_LEN 16
void token_keyed_hash(const unsigned char key[TOKEN_KEY_LEN], const char *context, const char *text,
                      char out[TOKEN_KEYED_HEX_LEN + 1] /* OUT */);
/* Encrypts text with key (XChaCha20-Poly1305, a fresh random nonce) and
 * authenticates it together with ad; appends the result to out as base64. */
int token_seal(const unsigned char key[TOKEN_KEY_LEN], const char *ad, const char *text, struct buf *out) TD_MUST_CHECK;
/* Opens what token_seal() made and appends the text to out; TD_E_INTERNAL
 * when sealed was altered or was sealed with another key or ad. */
int token_open(const unsigned char key[TOKEN_KEY_LEN], const char *ad, const char *sealed, struct buf *out) TD_MUST_CHECK;
/* argon2id password hashing (crypto_pwhash_str, interactive limits). */
int token_password_hash(const char *password, char out[128] /* OUT */) TD_MUST_CHECK;
int token_password_verify(const char *stored, const char *password); /* 1 when it matches */

#endif
