/* token.c — random tokens, hashing and argon2id passwords via libsodium. */
#include "core/token.h"
#include <sodium.h>
#include <string.h>

int token_init(void) { return sodium_init() < 0 ? TD_E_INTERNAL : TD_OK; }

void token_new(char out[TOKEN_HEX_LEN + 1])
{
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2hex(out, TOKEN_HEX_LEN + 1, raw, sizeof raw);
    sodium_memzero(raw, sizeof raw);
}

void token_hash(const char *token, char out[TOKEN_HASH_HEX_LEN + 1])
{
    unsigned char h[32];
    crypto_generichash(h, sizeof h, (const unsigned char *)token, strlen(token), NULL, 0);
    sodium_bin2hex(out, TOKEN_HASH_HEX_LEN + 1, h, sizeof h);
}

void token_hash_request(const char *method, const char *path, const void *body, size_t len,
                        char out[TOKEN_HASH_HEX_LEN + 1])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, NULL, 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
    if (len) crypto_generichash_update(&st, body, len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, TOKEN_HASH_HEX_LEN + 1, h, sizeof h);
}

int token_equal(const char *a, const char *b)
{
    size_t n = strlen(a);
    if (n != strlen(b)) return 0;
    return sodium_memcmp(a, b, n) == 0;
}

int token_password_hash(const char *password, char out[128])
{
    if (crypto_pwhash_str(out, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                          crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
        return TD_E_NOMEM;
    return TD_OK;
}

int token_password_verify(const char *stored, const char *password)
{
    return crypto_pwhash_str_verify(stored, password, strlen(password)) == 0;
}
