/* lib/parse.c: lines (CRLF, comments, numbering) and key=value. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include "lib/cli.h"
#include "lib/macro.h"
#include "lib/names.h"
#include <signal.h>
#include "lib/parse.h"
#include "lib/strv.h"

static int collect(char *line, unsigned lineno, void *ud) {
        char *s;
        assert_true(asprintf(&s, "%u:%s", lineno, line) > 0);
        return strv_push_take(ud, s);
}

static void test_lines(void **state) {
        (void)state;
        static const char buf[] = "  a  \r\n# c\n\n\tb\r\nlast";
        strv s = {};
        assert_int_equal(lines_foreach(buf, sizeof buf - 1, LINES_SKIP_BLANK_COMMENT, collect, &s), 0);
        assert_int_equal(s.n, 3);
        assert_string_equal(s.v[0], "1:a");
        assert_string_equal(s.v[1], "4:b");
        assert_string_equal(s.v[2], "5:last");
        strv_free(&s);
        assert_int_equal(lines_foreach(buf, sizeof buf - 1, LINES_NO_TRIM, collect, &s), 0);
        assert_int_equal(s.n, 5);
        assert_string_equal(s.v[0], "1:  a  "); /* CR before LF dropped even untrimmed */
        assert_string_equal(s.v[2], "3:");
        strv_free(&s);
        /* embedded NUL bytes do not run past the buffer */
        static const char nul[] = { 'x', 0, 'y', '\n', 'z' };
        assert_int_equal(lines_foreach(nul, sizeof nul, 0, collect, &s), 0);
        assert_int_equal(s.n, 2);
        assert_string_equal(s.v[0], "1:x");
        strv_free(&s);
}

static int stop_at_two(char *line, unsigned lineno, void *ud) {
        (void)line, (void)ud;
        return lineno == 2 ? -EBADMSG : 0;
}

static void test_lines_stop(void **state) {
        (void)state;
        assert_int_equal(lines_foreach("a\nb\nc\n", 6, 0, stop_at_two, NULL), -EBADMSG);
        assert_int_equal(lines_foreach("", 0, 0, stop_at_two, NULL), 0);
}

static int kv_collect(const char *k, const char *v, unsigned lineno, void *ud) {
        char *s;
        assert_true(asprintf(&s, "%u:%s=%s", lineno, k, v) > 0);
        return strv_push_take(ud, s);
}

static void test_kv(void **state) {
        (void)state;
        static const char buf[] = "# x\n a = 1 \nb=\"two words\"\nc='q'\nd=\ne==x\n";
        strv s = {};
        unsigned bad = 0;
        assert_int_equal(kv_parse(buf, sizeof buf - 1, kv_collect, &s, &bad), 0);
        assert_int_equal(s.n, 5);
        assert_string_equal(s.v[0], "2:a=1");
        assert_string_equal(s.v[1], "3:b=two words");
        assert_string_equal(s.v[2], "4:c=q");
        assert_string_equal(s.v[3], "5:d=");
        assert_string_equal(s.v[4], "6:e==x");
        strv_free(&s);
        assert_int_equal(kv_parse("a=1\nnovalue\n", 12, kv_collect, &s, &bad), -EINVAL);
        assert_int_equal(bad, 2);
        strv_free(&s);
        assert_int_equal(kv_parse("=1\n", 3, kv_collect, &s, &bad), -EINVAL);
        assert_int_equal(bad, 1);
        strv_free(&s);
}

static void test_trim_ctrl(void **state) {
        (void)state;
        char a[] = " \t x y \r\n";
        assert_string_equal(str_trim(a), "x y");
        char b[] = "   ";
        assert_string_equal(str_trim(b), "");
        assert_true(str_has_ctrl("a\tb"));
        assert_true(str_has_ctrl("a\x7f"));
        assert_false(str_has_ctrl("a b-é"));
}

static void test_uint_bounded(void **state) {
        (void)state;
        uint32_t v = 7;
        assert_int_equal(parse_uint_bounded("86400", 86400, &v), 0);
        assert_int_equal(v, 86400);
        assert_int_equal(parse_uint_bounded("0", 5, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_uint_bounded("86401", 86400, &v), -ERANGE);
        assert_int_equal(parse_uint_bounded("99999999999999999999", UINT32_MAX, &v), -ERANGE);
        const char *bad[] = { "", "-1", "+1", " 1", "1 ", "1s", "0x10" };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++)
                assert_int_equal(parse_uint_bounded(bad[i], 100, &v), -EINVAL);
        assert_int_equal(v, 0); /* untouched by the failures */
}

static void test_find_verb(void **state) {
        (void)state;
        static const struct { const char *name; int id; } verbs[] = { { "list", 1 }, { "pin", 2 }, { "unpin", 3 } };
        assert_int_equal(CLI_FIND_VERB(verbs, "pin")->id, 2);
        assert_int_equal(CLI_FIND_VERB(verbs, "unpin")->id, 3);
        assert_null(CLI_FIND_VERB(verbs, "pi"));
        assert_null(CLI_FIND_VERB(verbs, ""));
}

static void test_names(void **state) {
        (void)state;
        assert_string_equal(errno_name(EROFS), "EROFS");
        assert_string_equal(errno_name(ENOSPC), "ENOSPC");
        assert_null(errno_name(0));
        assert_int_equal(errno_from_name("EBUSY"), EBUSY);
        assert_int_equal(errno_from_name("EBUSY2"), 0);
        assert_string_equal(signal_name(SIGTERM), "SIGTERM");
        assert_string_equal(signal_name(SIGKILL), "SIGKILL");
        assert_null(signal_name(0));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_lines),
                cmocka_unit_test(test_lines_stop),
                cmocka_unit_test(test_kv),
                cmocka_unit_test(test_trim_ctrl),
                cmocka_unit_test(test_uint_bounded),
                cmocka_unit_test(test_find_verb),
                cmocka_unit_test(test_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
