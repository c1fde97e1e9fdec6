/* lib/version.c: the spec §5.1 vectors both ways, antisymmetry, ties, validity. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib/macro.h"
#include "lib/version.h"

/* Each row is strictly increasing. */
static const char *const chains[][10] = {
        { "6.5.13-6-pve", "6.8.4-2-pve", "6.8.12-2-pve", "6.8.12-4-pve", "6.8.12-10-pve", "6.14.8-2-pve" },
        { "6.1.0-9-amd64", "6.1.0-13-amd64" },
        { "6.8.0~rc3", "6.8.0", "6.8.0-1" },
        { "6.8", "6.8.0" },
        { "123~rc1", "123", "123-a", "123-1", "123^post1", "123.a-1", "123.1-1", "123a-1", "124" },
        { "", "0" },
        { "~1", "" },
        { "B", "a" },
        { "1.0-1", "1.0a" },
        { "1.1", "1a" },
        { "6.1.0-13-amd64", "6.1.0-18-cloud-amd64" },
        { "5.15.158-2-pve", "6.2.16-20-pve", "6.5.11-8-pve" },
};

static void test_chains(void **state) {
        (void)state;
        for (size_t c = 0; c < ELEMENTSOF(chains); c++)
                for (size_t i = 0; i < 10 && chains[c][i]; i++)
                        for (size_t j = i + 1; j < 10 && chains[c][j]; j++) {
                                const char *a = chains[c][i], *b = chains[c][j];
                                if (strverscmp_improved(a, b) >= 0 || strverscmp_improved(b, a) <= 0)
                                        fail_msg("expected '%s' < '%s'", a, b);
                                assert_true(version_compare(a, b) < 0);
                                assert_true(version_compare(b, a) > 0);
                        }
}

static void test_ties(void **state) {
        (void)state;
        assert_int_equal(strverscmp_improved("6.6.0+", "6.6.0"), 0);
        assert_int_equal(strverscmp_improved("010", "10"), 0);
        assert_int_equal(strverscmp_improved("6.8.12-4-pve", "6.8.12-4-pve"), 0);
        /* strcmp breaks the tie so the order is total */
        assert_true(version_compare("6.6.0+", "6.6.0") > 0);
        assert_true(version_compare("010", "10") < 0);
        assert_int_equal(version_compare("6.8.12-4-pve", "6.8.12-4-pve"), 0);
        assert_true(version_compare_newest_first("6.8.12-4-pve", "6.8.12-10-pve") > 0);
}

static void test_valid(void **state) {
        (void)state;
        static const char *const good[] = { "6.8.12-4-pve", "6.1.0-13-amd64", "6.8.0~rc3", "6.6.0+",
                                            "6.6.0+a", "1", "a^b_c", "6.2+1a" };
        static const char *const bad[] = { "", "../x", "a b", "a/b", "6.8..1", "-6.8", ".6", "6.8\n",
                                           "6.8\t1", "6.8.12+3", "6.8.12+3-1", "x+0", "~rc", "6.8;rm" };
        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (!version_is_valid(good[i]))
                        fail_msg("'%s' should be valid", good[i]);
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                if (version_is_valid(bad[i]))
                        fail_msg("'%s' should be invalid", bad[i]);
        char longv[130];
        memset(longv, '1', 129);
        longv[129] = 0;
        assert_false(version_is_valid(longv));
        longv[128] = 0;
        assert_true(version_is_valid(longv));
}

static void test_series(void **state) {
        (void)state;
        assert_true(version_is_series("6.8"));
        assert_true(version_is_series("10.12"));
        assert_false(version_is_series("6.8.0"));
        assert_false(version_is_series("6"));
        assert_false(version_is_series("6."));
        assert_false(version_is_series("6.8-pve"));
        assert_false(version_is_series(""));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_chains),
                cmocka_unit_test(test_ties),
                cmocka_unit_test(test_valid),
                cmocka_unit_test(test_series),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
