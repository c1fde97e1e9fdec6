/* Unit tests of startall/guests.c: the guest JSON parser on buffers. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "startall/guests.h"

static int parse(const char *json, uint32_t id, struct guest *g, struct diag *d) {
        *d = (struct diag){};
        return guest_parse_json(json, strlen(json), "t.json", id, g, d);
}

static void test_full(void **state) {
        (void)state;
        struct guest g;
        struct diag d;
        const char *j = "{\"id\": 101, \"name\": \"db\", \"type\": \"ct\", \"onboot\": 1, \"order\": 7, \"up\": 30,"
                        " \"down\": 120, \"start\": [\"/a\", \"start\"], \"shutdown\": [\"/a\", \"s\"],"
                        " \"stop\": [\"/a\", \"k\"], \"status\": [\"/a\"], \"start-timeout\": 5, \"ksm\": \"merge\"}";
        assert_int_equal(parse(j, 101, &g, &d), 0);
        assert_int_equal(d.errors, 0);
        assert_int_equal(g.id, 101);
        assert_string_equal(g.name, "db");
        assert_int_equal(g.type, GUEST_CT);
        assert_true(g.onboot);
        assert_true(g.has_order);
        assert_int_equal(g.order, 7);
        assert_int_equal(guest_up(&g), 30);
        assert_int_equal(guest_down(&g, 9), 120);
        assert_int_equal(g.start.n, 2);
        assert_string_equal(g.start.v[1], "start");
        assert_int_equal(g.start_timeout, 5);
        assert_int_equal(g.stop_timeout, GUEST_STOP_TIMEOUT_DEFAULT);
        assert_true(g.ksm_merge);
        guest_done(&g);
}

static void test_defaults(void **state) {
        (void)state;
        struct guest g;
        struct diag d;
        assert_int_equal(parse("{\"id\": 3, \"start\": [\"/bin/true\"]}", 3, &g, &d), 0);
        assert_string_equal(g.name, "guest-3");
        assert_false(g.onboot);
        assert_false(g.has_order);
        assert_int_equal(guest_up(&g), GUEST_UP_DEFAULT_VM);
        assert_int_equal(guest_down(&g, 42), 42);
        guest_done(&g);
        assert_int_equal(parse("{\"id\": 3, \"type\": \"ct\", \"start\": [\"/bin/true\"]}", 3, &g, &d), 0);
        assert_int_equal(guest_up(&g), 0);
        guest_done(&g);
}

static void test_bad(void **state) {
        (void)state;
        static const char *const bad[] = {
                "{\"id\": 5, \"start\": [\"/x\"]",                       /* syntax */
                "{\"id\": 5, \"id\": 5, \"start\": [\"/x\"]}",           /* duplicate */
                "{\"id\": 5, \"onbot\": true, \"start\": [\"/x\"]}",     /* unknown */
                "{\"id\": 5, \"onboot\": \"yes\", \"start\": [\"/x\"]}", /* type */
                "{\"id\": 5, \"onboot\": 2, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"order\": -1, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"order\": 2147483648, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"up\": 1.5, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"up\": 86401, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"start-timeout\": 0, \"start\": [\"/x\"]}",
                "{\"id\": 5, \"start\": \"qemu -name x\"}",
                "{\"id\": 5, \"start\": []}",
                "{\"id\": 5, \"start\": [\"qemu\"]}",
                "{\"id\": 5, \"start\": [\"/x\", 3]}",
                "{\"id\": 5, \"start\": [\"/x\", \"a\\u0000b\"]}",
                "{\"id\": 6, \"start\": [\"/x\"]}", /* id != file name */
                "{\"id\": 0, \"start\": [\"/x\"]}",
                "{\"start\": [\"/x\"]}",
                "{\"id\": 5}",
                "{\"id\": 5, \"name\": \"a b\", \"start\": [\"/x\"]}",
                "{\"id\": 5, \"type\": \"kvm\", \"start\": [\"/x\"]}",
                "{\"id\": 5, \"ksm\": \"yes\", \"start\": [\"/x\"]}",
                "[]",
                "",
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                struct guest g;
                struct diag d;
                int r = parse(bad[i], 5, &g, &d);
                if (r != -EINVAL || d.errors == 0)
                        fail_msg("accepted: %s", bad[i]);
                assert_null(g.name);
        }
}

static void test_argv_limits(void **state) {
        (void)state;
        char *big = malloc(GUEST_ARG_MAX + 2);
        memset(big, 'a', GUEST_ARG_MAX + 1);
        big[GUEST_ARG_MAX + 1] = 0;
        char *argv[] = { "/x", big, NULL };
        assert_non_null(guest_argv_problem(argv, 2));
        big[GUEST_ARG_MAX] = 0;
        assert_null(guest_argv_problem(argv, 2));
        free(big);
}

static void test_file_names(void **state) {
        (void)state;
        uint32_t id;
        assert_true(guest_file_name_id("101.json", "json", &id));
        assert_int_equal(id, 101);
        assert_false(guest_file_name_id("0101.json", "json", &id));
        assert_false(guest_file_name_id(".5.json", "json", &id));
        assert_false(guest_file_name_id("5.json.dpkg-old", "json", &id));
        assert_false(guest_file_name_id("5.json~", "json", &id));
        assert_false(guest_file_name_id(".json", "json", &id));
        assert_false(guest_file_name_id("1000000000.json", "json", &id));
        assert_true(guest_file_name_id("100.conf", "conf", &id));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_full), cmocka_unit_test(test_defaults), cmocka_unit_test(test_bad),
                cmocka_unit_test(test_argv_limits), cmocka_unit_test(test_file_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
