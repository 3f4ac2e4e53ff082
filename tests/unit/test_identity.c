/* test_identity.c — the forms one person reuses across accounts and the
 * keys made of them: a phone written three ways is one key, a mailbox with
 * dots and a +tag is one key, a walk-in's contact is a phone, an e-mail
 * address or an ID reference and nothing else (never a citizen service
 * number), and without the secret the same contact gives another key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/token.h"
#include "domain/identity.h"

static const struct { const char *in; const char *want; } contacts[] = {
    {"06-12345678", "phone:0612345678"},
    {"+31 6 1234 5678", "phone:0612345678"},
    {"0031612345678", "phone:0612345678"},
    {"+32 470 12 34 56", "phone:0032470123456"},
    {"Jan.Smit+retour@gmail.com", "mail:jansmit@gmail.com"},
    {"jansmit@googlemail.com", "mail:jansmit@gmail.com"},
    {"nl-ab12 cd34", "id:NLAB12CD34"},
    {"123456782", NULL},          /* nine digits, no trunk zero: not a phone, and no ID reference */
    {"12345", NULL},
    {"jan@", NULL},
    {"", NULL},
};

static void contact_forms(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof contacts / sizeof contacts[0]; i++) {
        char out[IDENTITY_CONTACT_SZ];
        int rc = identity_normal_contact(contacts[i].in, out);
        if (!contacts[i].want) {
            if (rc != TD_E_INVALID) fail_msg("\"%s\" accepted as %s", contacts[i].in, out);
            continue;
        }
        if (rc != TD_OK || strcmp(out, contacts[i].want) != 0)
            fail_msg("\"%s\" = %d \"%s\", want \"%s\"", contacts[i].in, rc, out, contacts[i].want);
    }
    /* A customer's phone and e-mail give the same forms as a walk-in's. */
    char a[IDENTITY_CONTACT_SZ], b[IDENTITY_CONTACT_SZ];
    assert_int_equal(identity_normal_phone("06 12 34 56 78", a), TD_OK);
    assert_int_equal(identity_normal_contact("+31612345678", b), TD_OK);
    assert_string_equal(a, b);
    assert_int_equal(identity_normal_mail("J.Smit+x@Gmail.com", a), TD_OK);
    assert_int_equal(identity_normal_contact("jsmit@gmail.com", b), TD_OK);
    assert_string_equal(a, b);
    assert_int_equal(identity_normal_mail("06-12345678", a), TD_E_INVALID);
    assert_int_equal(identity_normal_phone("jan@example.nl", a), TD_E_INVALID);
}

static void keys_are_keyed(void **state)
{
    (void)state;
    unsigned char s1[TOKEN_KEY_LEN], s2[TOKEN_KEY_LEN];
    memset(s1, 1, sizeof s1);
    memset(s2, 2, sizeof s2);
    char k1[IDENTITY_KEY_SZ], k1b[IDENTITY_KEY_SZ], k2[IDENTITY_KEY_SZ], other[IDENTITY_KEY_SZ];
    identity_key(s1, "phone:0612345678", k1);
    identity_key(s1, "phone:0612345678", k1b);
    identity_key(s2, "phone:0612345678", k2);
    identity_key(s1, "phone:0612345679", other);
    assert_string_equal(k1, k1b);                 /* the same contact, the same key */
    assert_string_not_equal(k1, k2);              /* another secret, another key */
    assert_string_not_equal(k1, other);
    assert_int_equal(strlen(k1), IDENTITY_KEY_SZ - 1);
    assert_null(strstr(k1, "612345678"));
    for (const char *p = k1; *p; p++) assert_true((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'f'));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(contact_forms),
        cmocka_unit_test(keys_are_keyed),
    };
    if (token_init() != TD_OK) return 1;
    return cmocka_run_group_tests(tests, NULL, NULL);
}
