/* code.c — credit-note codes (see code.h for the format and its check). */
#include "core/code.h"
#include <sodium.h>
#include <string.h>

static const char alphabet[] = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";   /* 31 symbols */
#define BASE 31

static int value_of(char c)
{
    const char *p = c ? strchr(alphabet, c) : NULL;
    return p ? (int)(p - alphabet) : -1;
}

char code_check_char(const char *fifteen)
{
    unsigned sum = 0;
    for (unsigned i = 0; i < CODE_CHARS - 1; i++) sum += (i + 1) * (unsigned)value_of(fifteen[i]);
    return alphabet[sum % BASE];
}

void code_format(const char canon[CODE_CHARS + 1], char out[CODE_TEXT_SZ])
{
    size_t k = 0;
    out[k++] = 'T';
    out[k++] = 'D';
    for (int i = 0; i < CODE_CHARS; i++) {
        if (i % 4 == 0) out[k++] = '-';
        out[k++] = canon[i];
    }
    out[k] = '\0';
}

void code_new(char out[CODE_TEXT_SZ])
{
    char canon[CODE_CHARS + 1];
    for (int i = 0; i < CODE_CHARS - 1; i++) canon[i] = alphabet[randombytes_uniform(BASE)];
    canon[CODE_CHARS - 1] = code_check_char(canon);
    canon[CODE_CHARS] = '\0';
    code_format(canon, out);
}

int code_parse(const char *typed, char canon[CODE_CHARS + 1])
{
    char buf[64];
    size_t n = 0;
    for (const char *p = typed; *p; p++) {
        char c = *p;
        if (c == '-' || c == ' ' || c == '\t') continue;
        if (c >= 'a' && c <= 'z') c = (char)(c - 'a' + 'A');
        if (n >= sizeof buf - 1) return TD_E_NOT_FOUND;
        buf[n++] = c;
    }
    buf[n] = '\0';
    const char *s = buf;
    if (n == CODE_CHARS + 2 && s[0] == 'T' && s[1] == 'D') s += 2;
    if (strlen(s) != CODE_CHARS) return TD_E_NOT_FOUND;
    for (int i = 0; i < CODE_CHARS; i++)
        if (value_of(s[i]) < 0) return TD_E_NOT_FOUND;
    if (code_check_char(s) != s[CODE_CHARS - 1]) return TD_E_NOT_FOUND;
    memcpy(canon, s, CODE_CHARS + 1);
    return TD_OK;
}
