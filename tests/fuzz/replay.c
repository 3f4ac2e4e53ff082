/* replay.c — `make test` runs every fuzz target over its kept corpus
 * (tests/fuzz/corpus/<target>/), without fuzzing: each input is one check
 * of the target's properties, built with the ordinary compiler and the
 * sanitizers. Linked with one fuzz_<target>.c; FUZZ_CORPUS names its
 * folder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void replay_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(FUZZ_CORPUS);
    if (!d) fail_msg("no corpus at %s", FUZZ_CORPUS);
    struct dirent *e;
    int n = 0;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", FUZZ_CORPUS, e->d_name);
        FILE *f = fopen(path, "rb");
        assert_non_null(f);
        fseek(f, 0, SEEK_END);
        long len = ftell(f);
        fseek(f, 0, SEEK_SET);
        uint8_t *buf = malloc((size_t)len + 1);
        assert_non_null(buf);
        assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
        fclose(f);
        LLVMFuzzerTestOneInput(buf, (size_t)len);   /* aborts when a property fails */
        free(buf);
        n++;
    }
    closedir(d);
    print_message("%d inputs of %s replayed\n", n, FUZZ_CORPUS);
    assert_true(n > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(replay_corpus)};
    return cmocka_run_group_tests_name("fuzz_replay", tests, NULL, NULL);
}
