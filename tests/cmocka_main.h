/* cmocka_main.h — a test file's main in one line: the group's name, its
 * setup and teardown (NULL for none), then its tests.
 *
 *   TD_TEST_MAIN("api_audit", setup, chain_teardown,
 *                cmocka_unit_test(the_chain_holds), cmocka_unit_test(logins_are_audited))
 */
#ifndef TD_CMOCKA_MAIN_H
#define TD_CMOCKA_MAIN_H

#define TD_TEST_MAIN(name, setup, teardown, ...)                                  \
    int main(void)                                                                \
    {                                                                             \
        const struct CMUnitTest tests[] = {__VA_ARGS__};                          \
        return cmocka_run_group_tests_name(name, tests, setup, teardown);         \
    }

#endif
