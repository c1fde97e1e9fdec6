/* Unit tests of startall/nodeconf.c and wol.c: node config, wakeonlan value, MAC, names, packet. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "startall/nodeconf.h"
#include "startall/wol.h"

static int parse(const char *text, struct nodeconf *c, struct diag *d) {
        *d = (struct diag){};
        return nodeconf_parse(text, strlen(text), "node.conf", c, d);
}

static void test_node_ok(void **state) {
        (void)state;
        struct nodeconf c;
        struct diag d;
        assert_int_equal(parse("#c\n\ndescription: x\nstartall-onboot-delay: 300\n"
                               "wakeonlan: mac=02:00:00:00:00:0A,broadcast-address=10.0.0.255,bind-interface=vmbr0.5\n",
                               &c, &d), 0);
        assert_int_equal(c.onboot_delay, 300);
        assert_true(c.wol.has_mac && c.wol.has_bcast && c.wol.has_bind);
        assert_int_equal(c.wol.mac[5], 0x0a);
        assert_string_equal(c.wol.bind_if, "vmbr0.5");
        assert_int_equal(parse("", &c, &d), 0);
        assert_int_equal(c.onboot_delay, 0);
}

static void test_node_bad(void **state) {
        (void)state;
        static const char *const bad[] = {
                "startall-onboot-delay: 301", "startall-onboot-delay: -1", "startall-onboot-delay: abc",
                "startall-onboot-delay: 2x", "startall-onboot-delay:", "startall-onboot-delay 2",
                "a: 1\na: 2", "wakeonlan: 02:00:00:00:00", "wakeonlan: 01:00:5e:00:00:01",
                "wakeonlan: 02:00:00:00:00:01,foo=1", "wakeonlan: 02:00:00:00:00:01,mac=02:00:00:00:00:02",
                "wakeonlan: broadcast-address=1.2.3.4", "wakeonlan: 02:00:00:00:00:01,broadcast-address=1.2.3",
                "wakeonlan: 02:00:00:00:00:01,bind-interface=eth0;rm",
        };
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
                struct nodeconf c;
                struct diag d;
                if (parse(bad[i], &c, &d) != -EINVAL || d.errors != 1)
                        fail_msg("accepted: %s", bad[i]);
                assert_int_equal(c.onboot_delay, 0);
        }
}

static void test_mac(void **state) {
        (void)state;
        uint8_t m[6];
        const char *why;
        assert_int_equal(mac_parse("aA:bb:cc:dd:ee:ff", m, &why), 0); /* 0xaa: low bit 0, unicast */
        assert_int_equal(mac_parse("02:bb:CC:dd:ee:ff", m, &why), 0);
        assert_int_equal(m[2], 0xcc);
        assert_int_equal(mac_parse("02-bb-cc-dd-ee-ff", m, &why), -EINVAL);
        assert_non_null(strstr(why, "'-'"));
        assert_int_equal(mac_parse("02bbccddeeff", m, &why), -EINVAL);
        assert_non_null(strstr(why, "bare hex"));
        assert_int_equal(mac_parse("01:00:5e:00:00:01", m, &why), -EINVAL);
        assert_non_null(strstr(why, "unicast"));
        assert_int_equal(mac_parse("02:00:00:00:00:0g", m, &why), -EINVAL);
        char buf[18];
        mac_parse("02:bb:CC:dd:ee:ff", m, &why);
        mac_format(m, buf);
        assert_string_equal(buf, "02:bb:cc:dd:ee:ff");
}

static void test_names(void **state) {
        (void)state;
        assert_true(ifname_valid("eth0"));
        assert_true(ifname_valid("vmbr0.100"));
        assert_true(ifname_valid("eth0:1"));
        assert_false(ifname_valid("e"));
        assert_false(ifname_valid("Eth0"));
        assert_false(ifname_valid("0eth"));
        assert_false(ifname_valid("eth0."));
        assert_false(ifname_valid("abcdefghijklmnop")); /* >= IFNAMSIZ */
        struct in_addr a;
        assert_int_equal(ipv4_parse("255.255.255.255", &a), 0);
        assert_int_equal(ipv4_parse("10.1", &a), -EINVAL);
        assert_int_equal(ipv4_parse("localhost", &a), -EINVAL);
}

static void test_packet(void **state) {
        (void)state;
        const uint8_t mac[6] = { 2, 0x11, 0x22, 0x33, 0x44, 0x55 };
        uint8_t p[WOL_PACKET_SIZE];
        wol_packet(mac, p);
        for (int i = 0; i < 6; i++)
                assert_int_equal(p[i], 0xff);
        for (int k = 0; k < 16; k++)
                assert_memory_equal(p + 6 + 6 * k, mac, 6);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_node_ok), cmocka_unit_test(test_node_bad), cmocka_unit_test(test_mac),
                cmocka_unit_test(test_names), cmocka_unit_test(test_packet),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
