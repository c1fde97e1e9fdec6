/* Unit tests of startall/pve.c: startup grammar, current section only, HA, built argv. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "startall/pve.h"

static const struct pve_opts opts = { .qm = "/usr/sbin/qm", .pct = "/usr/sbin/pct", .timeout = 180 };

static void test_startup(void **state) {
        (void)state;
        struct guest g = {};
        assert_int_equal(pve_startup_parse("order=3,up=10,down=60", &g), 0);
        assert_true(g.has_order && g.has_up && g.has_down);
        assert_int_equal(g.order, 3);
        assert_int_equal(g.up, 10);
        assert_int_equal(g.down, 60);
        g = (struct guest){};
        assert_int_equal(pve_startup_parse("2,,up=1", &g), 0);
        assert_int_equal(g.order, 2);
        g = (struct guest){};
        assert_int_equal(pve_startup_parse("order=1,foo=2", &g), -EINVAL);
        assert_false(g.has_order); /* the whole value is void */
        assert_int_equal(pve_startup_parse("order=-1", &g), -EINVAL);
        assert_int_equal(pve_startup_parse("up=1.5", &g), -EINVAL);
}

static void test_guest(void **state) {
        (void)state;
        const char *conf = "#desc: x\nname: web\nonboot: 1\nstartup: order=1,down=5\nmemory: 2048\n"
                           "[snap]\nonboot: 0\nname: old\n";
        struct guest g;
        struct diag d = {};
        assert_int_equal(pve_parse_guest(conf, strlen(conf), "100.conf", 100, GUEST_VM, &opts, &g, &d), 0);
        assert_string_equal(g.name, "web");
        assert_true(g.onboot);
        assert_int_equal(g.order, 1);
        assert_string_equal(g.start.v[0], "/usr/sbin/qm");
        assert_string_equal(g.start.v[2], "100");
        assert_int_equal(g.shutdown.n, 5);
        assert_string_equal(g.shutdown.v[4], "5");
        assert_string_equal(g.status.v[1], "status");
        guest_done(&g);

        const char *ct = "hostname: box\nonboot: yes\ntemplate: 1\n";
        assert_int_equal(pve_parse_guest(ct, strlen(ct), "101.conf", 101, GUEST_CT, &opts, &g, &d), 0);
        assert_int_equal(d.warnings, 1);
        assert_false(g.onboot);
        assert_true(g.is_template);
        assert_string_equal(g.name, "box");
        assert_string_equal(g.stop.v[0], "/usr/sbin/pct");
        assert_string_equal(g.shutdown.v[4], "180");
        guest_done(&g);
}

static void test_ha(void **state) {
        (void)state;
        struct guest_set s = {};
        for (uint32_t id = 100; id <= 102; id++) {
                struct guest *g = guest_set_add(&s);
                g->id = id;
                g->compat = true;
        }
        const char *ha = "vm: 100\n\tstate started\nct: 102\n    comment vm: 101\n";
        assert_int_equal(pve_ha_mark(ha, strlen(ha), &s), 0);
        assert_true(s.v[0].ha);
        assert_false(s.v[1].ha);
        assert_true(s.v[2].ha);
        guest_set_free(&s);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_startup), cmocka_unit_test(test_guest), cmocka_unit_test(test_ha),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
