/* Unit tests of startall/plan.c: --vms lists, selection rules and both orders. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "startall/plan.h"

static void add(struct guest_set *s, uint32_t id, int order, bool onboot) {
        struct guest *g = guest_set_add(s);
        g->id = id;
        g->has_order = order >= 0;
        g->order = order >= 0 ? (uint32_t)order : 0;
        g->onboot = onboot;
}

static void ids(struct guest **v, size_t n, char *buf) {
        buf[0] = 0;
        for (size_t i = 0; i < n; i++)
                sprintf(buf + strlen(buf), "%s%u", i ? " " : "", v[i]->id);
}

static void test_order(void **state) {
        (void)state;
        struct guest_set s = {};
        add(&s, 10, 2, true); add(&s, 20, 1, true); add(&s, 40, 1, true); add(&s, 50, 0, true);
        add(&s, 30, -1, true); add(&s, 9, 3, true); add(&s, 100, 3, true); add(&s, 60, 0, false);
        struct guest **v;
        size_t n;
        uint32_t unknown;
        char buf[128];
        assert_int_equal(plan_select(&s, PLAN_START, false, NULL, 0, &v, &n, &unknown), 0);
        ids(v, n, buf);
        assert_string_equal(buf, "50 20 40 10 9 100 30");
        free(v);
        assert_int_equal(plan_select(&s, PLAN_STOP, false, NULL, 0, &v, &n, &unknown), 0);
        ids(v, n, buf);
        assert_string_equal(buf, "30 100 9 10 40 20 60 50");
        free(v);
        assert_int_equal(plan_select(&s, PLAN_START, true, NULL, 0, &v, &n, &unknown), 0);
        ids(v, n, buf);
        assert_string_equal(buf, "50 60 20 40 10 9 100 30");
        free(v);
        uint32_t vms[] = { 40, 10, 60 };
        assert_int_equal(plan_select(&s, PLAN_START, false, vms, 3, &v, &n, &unknown), 0);
        ids(v, n, buf);
        assert_string_equal(buf, "40 10");
        free(v);
        uint32_t missing[] = { 999 };
        assert_int_equal(plan_select(&s, PLAN_START, false, missing, 1, &v, &n, &unknown), -ENOENT);
        assert_int_equal(unknown, 999);
        s.v[0].is_template = true;
        s.v[1].ha = true;
        assert_int_equal(plan_select(&s, PLAN_START, false, NULL, 0, &v, &n, &unknown), 0);
        ids(v, n, buf);
        assert_string_equal(buf, "50 40 9 100 30");
        free(v);
        uint32_t ha[] = { 20 };
        assert_int_equal(plan_select(&s, PLAN_START, false, ha, 1, &v, &n, &unknown), 0);
        assert_int_equal(n, 1);
        free(v);
        guest_set_free(&s);
}

static void test_vms(void **state) {
        (void)state;
        uint32_t *v;
        size_t n;
        char *bad = NULL;
        assert_int_equal(vms_parse("1,2;3 4", &v, &n, &bad), 0);
        assert_int_equal(n, 4);
        assert_int_equal(v[3], 4);
        free(v);
        assert_int_equal(vms_parse("1,x", &v, &n, &bad), -EINVAL);
        assert_string_equal(bad, "x");
        free(bad);
        bad = NULL;
        assert_int_equal(vms_parse(",", &v, &n, &bad), -EINVAL);
        free(bad);
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_order), cmocka_unit_test(test_vms) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
