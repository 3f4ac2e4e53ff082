/* token.c — random tokens, hashing, sealing and argon2id passwords via
 * libsodium. */
#include "core/token.h"
#include "core/buf.h"
#include <sodium.h>
#include <stdlib.h>
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

void token_hash_request(const unsigned char *key, const char *method, const char *path, const void *body, size_t len,
                        char out[TOKEN_HASH_HEX_LEN + 1])
{
    crypto_generichash_state st;
    unsigned char h[32];
    crypto_generichash_init(&st, key, key ? TOKEN_KEY_LEN : 0, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)method, strlen(method) + 1);
    crypto_generichash_update(&st, (const unsigned char *)path, strlen(path) + 1);
    if (len) crypto_generichash_update(&st, body, len);
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, TOKEN_HASH_HEX_LEN + 1, h, sizeof h);
}

void token_derive(const char *context, const char *a, const char *b, char id[TOKEN_HASH_HEX_LEN + 1],
                  unsigned char key[TOKEN_KEY_LEN])
{
    _Static_assert(crypto_kdf_KEYBYTES == 32 && TOKEN_KEY_LEN >= crypto_kdf_BYTES_MIN, "crypto_kdf sizes");
    crypto_generichash_state st;
    unsigned char master[crypto_kdf_KEYBYTES], sub[32];
    crypto_generichash_init(&st, NULL, 0, sizeof master);
    crypto_generichash_update(&st, (const unsigned char *)context, strlen(context) + 1);
    crypto_generichash_update(&st, (const unsigned char *)b, strlen(b) + 1);
    crypto_generichash_update(&st, (const unsigned char *)a, strlen(a));
    crypto_generichash_final(&st, master, sizeof master);
    crypto_kdf_derive_from_key(sub, sizeof sub, 1, "td-token", master);
    sodium_bin2hex(id, TOKEN_HASH_HEX_LEN + 1, sub, sizeof sub);
    crypto_kdf_derive_from_key(key, TOKEN_KEY_LEN, 2, "td-token", master);
    sodium_memzero(master, sizeof master);
    sodium_memzero(sub, sizeof sub);
}

void token_keyed_hash(const unsigned char key[TOKEN_KEY_LEN], const char *context, const char *text,
                      char out[TOKEN_KEYED_HEX_LEN + 1])
{
    crypto_generichash_state st;
    unsigned char h[crypto_generichash_BYTES_MIN];
    _Static_assert(TOKEN_KEYED_HEX_LEN / 2 <= crypto_generichash_BYTES_MIN, "keyed hash length");
    crypto_generichash_init(&st, key, TOKEN_KEY_LEN, sizeof h);
    crypto_generichash_update(&st, (const unsigned char *)context, strlen(context) + 1);
    crypto_generichash_update(&st, (const unsigned char *)text, strlen(text));
    crypto_generichash_final(&st, h, sizeof h);
    sodium_bin2hex(out, TOKEN_KEYED_HEX_LEN + 1, h, TOKEN_KEYED_HEX_LEN / 2);
}

#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES

int token_seal(const unsigned char key[TOKEN_KEY_LEN], const char *ad, const char *text, struct buf *out)
{
    size_t n = strlen(text), bin_len = SEAL_NONCE + n + SEAL_TAG;
    size_t b64_len = sodium_base64_encoded_len(bin_len, sodium_base64_VARIANT_ORIGINAL);
    unsigned char *bin = malloc(bin_len);
    char *b64 = malloc(b64_len);
    int rc = TD_E_NOMEM;
    if (!bin || !b64) goto out;
    randombytes_buf(bin, SEAL_NONCE);
    unsigned long long clen = 0;
    crypto_aead_xchacha20poly1305_ietf_encrypt(bin + SEAL_NONCE, &clen, (const unsigned char *)text, n,
                                               (const unsigned char *)ad, strlen(ad), NULL, bin, key);
    sodium_bin2base64(b64, b64_len, bin, SEAL_NONCE + (size_t)clen, sodium_base64_VARIANT_ORIGINAL);
    rc = buf_puts(out, b64);
out:
    free(bin);
    free(b64);
    return rc;
}

int token_open(const unsigned char key[TOKEN_KEY_LEN], const char *ad, const char *sealed, struct buf *out)
{
    size_t b64_len = strlen(sealed), bin_len = 0;
    unsigned char *bin = malloc(b64_len / 4 * 3 + 3);
    unsigned char *plain = NULL;
    int rc = TD_E_NOMEM;
    if (!bin) goto out;
    rc = TD_E_INTERNAL;
    if (sodium_base642bin(bin, b64_len / 4 * 3 + 3, sealed, b64_len, NULL, &bin_len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 || bin_len < SEAL_NONCE + SEAL_TAG)
        goto out;
    rc = TD_E_NOMEM;
    if (!(plain = malloc(bin_len - SEAL_NONCE - SEAL_TAG + 1))) goto out;
    unsigned long long plen = 0;
    rc = TD_E_INTERNAL;
    if (crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen, NULL, bin + SEAL_NONCE, bin_len - SEAL_NONCE,
                                                   (const unsigned char *)ad, strlen(ad), bin, key) != 0)
        goto out;
    rc = buf_append(out, plain, (size_t)plen);
out:
    free(bin);
    free(plain);
    return rc;
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
