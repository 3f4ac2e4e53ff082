/* test_addr.c — address sets and the client behind trusted proxies, as
 * tables: which lists parse, what is in a set, whom X-Forwarded-For names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include "core/addr.h"
#include "cmocka_main.h"

static void parse_lists(void **state)
{
    (void)state;
    static const struct { const char *list; int rc; size_t n; } cases[] = {
        {NULL, TD_OK, 0},
        {"", TD_OK, 0},
        {"127.0.0.1", TD_OK, 1},
        {"127.0.0.1,10.0.0.5", TD_OK, 2},
        {" 127.0.0.1 , 10.0.0.5 ,", TD_OK, 2},
        {"10.0.0.0/8,::1,fd00::/8", TD_OK, 3},
        {"10.0.0.0/0", TD_OK, 1},
        {"localhost", TD_E_INVALID, 0},
        {"10.0.0.256", TD_E_INVALID, 0},
        {"10.0.0.0/33", TD_E_INVALID, 0},
        {"10.0.0.0/", TD_E_INVALID, 0},
        {"10.0.0.0/8x", TD_E_INVALID, 0},
        {"::1/129", TD_E_INVALID, 0},
        {"127.0.0.1;10.0.0.5", TD_E_INVALID, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct addr_set s;
        char why[128];
        int rc = addr_set_parse(cases[i].list, &s, why, sizeof why);
        if (rc != cases[i].rc) fail_msg("'%s': %d, want %d", cases[i].list ? cases[i].list : "(null)", rc, cases[i].rc);
        if (rc == TD_OK) assert_int_equal(s.n, cases[i].n);
        else assert_true(why[0] != '\0');
    }
    char many[2048] = "";
    for (int i = 0; i <= ADDR_SET_MAX; i++) {
        char one[24];
        snprintf(one, sizeof one, "%s10.0.0.%d", i ? "," : "", i);
        strncat(many, one, sizeof many - strlen(many) - 1);
    }
    struct addr_set s;
    char why[128];
    assert_int_equal(addr_set_parse(many, &s, why, sizeof why), TD_E_INVALID);
}

static void membership(void **state)
{
    (void)state;
    struct addr_set s;
    char why[128];
    assert_int_equal(addr_set_parse("127.0.0.1, 10.1.0.0/16, 192.168.7.0/25, fd00::/8", &s, why, sizeof why), TD_OK);
    static const struct { const char *addr; int in; } cases[] = {
        {"127.0.0.1", 1},        {"127.0.0.2", 0},          {"10.1.0.1", 1},
        {"10.1.255.255", 1},     {"10.2.0.1", 0},           {"192.168.7.127", 1},
        {"192.168.7.128", 0},    {"fd12::1", 1},            {"fe80::1", 0},
        {"::ffff:127.0.0.1", 1}, {"::ffff:10.2.0.1", 0},    {"::1", 0},
        {"unknown", 0},          {"", 0},                   {NULL, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        if (addr_set_has(&s, cases[i].addr) != cases[i].in)
            fail_msg("%s: want %s", cases[i].addr ? cases[i].addr : "(null)", cases[i].in ? "in" : "out");
}

static void client_behind_proxies(void **state)
{
    (void)state;
    static struct addr_set none, nginx, chain;
    char why[128];
    assert_int_equal(addr_set_parse("", &none, why, sizeof why), TD_OK);
    assert_int_equal(addr_set_parse("127.0.0.1", &nginx, why, sizeof why), TD_OK);
    assert_int_equal(addr_set_parse("127.0.0.1,10.0.0.5", &chain, why, sizeof why), TD_OK);
    static const struct { const struct addr_set *trusted; const char *peer, *xff, *client; } cases[] = {
        /* No trusted proxies: the header is somebody's claim. */
        {&none, "127.0.0.1", "203.0.113.9", "127.0.0.1"},
        {&none, "10.9.9.9", NULL, "10.9.9.9"},
        /* A peer we do not trust may not name anyone. */
        {&nginx, "10.9.9.9", "203.0.113.9", "10.9.9.9"},
        /* Behind nginx: the address nginx appended. */
        {&nginx, "127.0.0.1", "203.0.113.9", "203.0.113.9"},
        {&nginx, "127.0.0.1", NULL, "127.0.0.1"},
        {&nginx, "127.0.0.1", "", "127.0.0.1"},
        /* What the client wrote to the left of it does not count. */
        {&nginx, "127.0.0.1", "198.51.100.1, 203.0.113.9", "203.0.113.9"},
        {&nginx, "127.0.0.1", "198.51.100.1,203.0.113.9", "203.0.113.9"},
        /* Two trusted hops: the first untrusted one from the right. */
        {&chain, "127.0.0.1", "198.51.100.1, 203.0.113.9, 10.0.0.5", "203.0.113.9"},
        {&chain, "127.0.0.1", "10.0.0.5", "10.0.0.5"},
        {&chain, "127.0.0.1", "127.0.0.1, 10.0.0.5", "127.0.0.1"},
        /* A trusted hop that names no address: stop at that hop. */
        {&chain, "127.0.0.1", "203.0.113.9, nonsense, 10.0.0.5", "10.0.0.5"},
        {&nginx, "127.0.0.1", "unknown", "127.0.0.1"},
        {&nginx, "127.0.0.1", "203.0.113.9:4711", "127.0.0.1"},
        /* Empty entries are skipped; text is canonical. */
        {&nginx, "127.0.0.1", "203.0.113.9, ,", "203.0.113.9"},
        {&nginx, "127.0.0.1", " 2001:DB8::0:1 ", "2001:db8::1"},
        {&nginx, "127.0.0.1", "::ffff:203.0.113.9", "203.0.113.9"},
        {&nginx, "::ffff:127.0.0.1", "203.0.113.9", "203.0.113.9"},
        /* A peer that is no address stays as it is. */
        {&nginx, "unknown", "203.0.113.9", "unknown"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[ADDR_TEXT_SZ];
        addr_client(cases[i].trusted, cases[i].peer, &cases[i].xff, cases[i].xff ? 1 : 0, out, sizeof out);
        if (strcmp(out, cases[i].client) != 0)
            fail_msg("case %zu (peer %s, X-Forwarded-For '%s'): %s, want %s", i, cases[i].peer,
                     cases[i].xff ? cases[i].xff : "(none)", out, cases[i].client);
    }
}

/* A list split over several headers reads as one, in the order received. */
static void several_headers(void **state)
{
    (void)state;
    struct addr_set chain;
    char why[128], out[ADDR_TEXT_SZ];
    assert_int_equal(addr_set_parse("127.0.0.1,10.0.0.5", &chain, why, sizeof why), TD_OK);
    const char *two[] = {"198.51.100.1, 203.0.113.9", "10.0.0.5"};
    addr_client(&chain, "127.0.0.1", two, 2, out, sizeof out);
    assert_string_equal(out, "203.0.113.9");
    const char *claim[] = {"203.0.113.9", "198.51.100.1"};
    addr_client(&chain, "127.0.0.1", claim, 2, out, sizeof out);
    assert_string_equal(out, "198.51.100.1");
    const char *trusted_only[] = {"10.0.0.5", ""};
    addr_client(&chain, "127.0.0.1", trusted_only, 2, out, sizeof out);
    assert_string_equal(out, "10.0.0.5");
}

TD_TEST_MAIN("addr", NULL, NULL,
             cmocka_unit_test(parse_lists),
             cmocka_unit_test(membership),
             cmocka_unit_test(client_behind_proxies),
             cmocka_unit_test(several_headers))
