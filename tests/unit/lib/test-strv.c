/* lib/strv.c: push, unique, remove, sort. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib/macro.h"
#include "lib/strv.h"
#include "lib/version.h"

static void test_strv(void **state) {
        (void)state;
        _cleanup_strv_ strv s = {};
        for (int i = 0; i < 20; i++) {
                char buf[16];
                snprintf(buf, sizeof buf, "6.%d.0", i);
                assert_int_equal(strv_push(&s, buf), 0);
        }
        assert_int_equal(strv_push_unique(&s, "6.3.0"), 0);
        assert_int_equal(s.n, 20);
        assert_null(s.v[20]);
        strv_remove(&s, "6.3.0");
        assert_int_equal(s.n, 19);
        assert_false(strv_contains(&s, "6.3.0"));
        strv_sort(&s, version_compare_newest_first);
        assert_string_equal(s.v[0], "6.19.0");
        assert_string_equal(s.v[18], "6.0.0");
        assert_null(s.v[19]);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_strv) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
