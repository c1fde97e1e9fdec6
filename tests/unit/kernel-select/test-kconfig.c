/* kernel-select/kconfig.c: espctl.conf, manual list and pin file parsers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "kernel-select/kconfig.h"
#include "lib/macro.h"

static void test_conf(void **state) {
        (void)state;
        static const char buf[] = "# comment\nprefix=acme\ntitle = \"My Host\"\ntimeout=10\ntries=3\nflavour=-pve\nbogus=1\n";
        struct toolkit_conf c;
        conf_init(&c);
        _cleanup_free_ char *err = NULL;
        assert_int_equal(conf_parse(buf, sizeof buf - 1, "espctl.conf", &c, &err), 0);
        assert_string_equal(c.prefix, "acme");
        assert_string_equal(c.title, "My Host");
        assert_int_equal(c.timeout, 10);
        assert_true(c.timeout_set);
        assert_int_equal(c.tries, 3);
        assert_string_equal(c.flavour, "-pve");
        assert_int_equal(c.warnings.n, 1);
        assert_string_equal(c.warnings.v[0], "espctl.conf:7: unknown key 'bogus' ignored");
        conf_free(&c);

        conf_init(&c);
        assert_int_equal(conf_parse("", 0, "x", &c, &err), 0);
        assert_string_equal(c.prefix, "proxmox");
        assert_string_equal(c.flavour, "auto");
        assert_int_equal(c.timeout, 3);
        assert_false(c.timeout_set);
        conf_free(&c);
}

static void test_conf_errors(void **state) {
        (void)state;
        static const struct { const char *buf, *error; } cases[] = {
                { "timeout=601\n", "f:1: timeout: expected 0-600, got '601'" },
                { "\ntries=21\n", "f:2: tries: expected 0-20, got '21'" },
                { "prefix=systemd\n", "f:1: prefix: expected [a-z][a-z0-9_-]{0,30}, not systemd/boot/linux, got 'systemd'" },
                { "prefix=Acme\n", "f:1: prefix: expected [a-z][a-z0-9_-]{0,30}, not systemd/boot/linux, got 'Acme'" },
                { "timeout=-1\n", "f:1: timeout: expected 0-600, got '-1'" },
                { "no equals sign\n", "f:1: expected key=value" },
                { "flavour=a/b\n", "f:1: flavour: expected auto, none or a substring such as -pve, got 'a/b'" },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                struct toolkit_conf c;
                conf_init(&c);
                char *err = NULL;
                assert_int_equal(conf_parse(cases[i].buf, strlen(cases[i].buf), "f", &c, &err), -EINVAL);
                assert_non_null(err);
                assert_string_equal(err, cases[i].error);
                free(err);
                conf_free(&c);
        }
}

static void test_manual(void **state) {
        (void)state;
        static const char buf[] = "# kept kernels\r\n6.8.12-4-pve\r\n\n  6.5.13-6-pve  \n../etc\n6.8\n6.8.12-4-pve\nbad version\n";
        strv v = {}, w = {};
        assert_int_equal(manual_list_parse(buf, sizeof buf - 1, "manual", &v, &w), 0);
        assert_int_equal(v.n, 3);
        assert_string_equal(v.v[0], "6.8.12-4-pve");
        assert_string_equal(v.v[1], "6.5.13-6-pve");
        assert_string_equal(v.v[2], "6.8");
        assert_int_equal(w.n, 2);
        assert_string_equal(w.v[0], "invalid line: manual:5: expected a kernel version, got '../etc'");
        assert_string_equal(w.v[1], "invalid line: manual:8: expected a kernel version, got 'bad version'");
        strv_free(&v);
        strv_free(&w);
}

static void test_pin_files(void **state) {
        (void)state;
        char *v, *id;
        assert_int_equal(pin_file_parse("6.8.12-4-pve", 12, &v, &id), 0); /* no final newline */
        assert_string_equal(v, "6.8.12-4-pve");
        assert_null(id);
        free(v);
        static const char nb[] = "6.8.12-2-pve\n# espctl boot_id=3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162\n";
        assert_int_equal(pin_file_parse(nb, sizeof nb - 1, &v, &id), 0);
        assert_string_equal(v, "6.8.12-2-pve");
        assert_string_equal(id, "3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162");
        assert_int_equal(next_boot_state_of(v, id, "3f1c2a8e-5b7d-4e21-9c0a-1d2e3f405162"), NEXT_BOOT_ACTIVE);
        assert_int_equal(next_boot_state_of(v, id, "00000000-0000-0000-0000-000000000000"), NEXT_BOOT_SPENT);
        assert_int_equal(next_boot_state_of(v, NULL, "x"), NEXT_BOOT_LEGACY);
        assert_int_equal(next_boot_state_of(NULL, NULL, "x"), NEXT_BOOT_NONE);
        _cleanup_free_ char *text = NULL;
        assert_int_equal(next_boot_pin_render(v, id, &text), 0);
        assert_string_equal(text, nb);
        free(v);
        free(id);
        assert_int_equal(pin_file_parse("\n\n", 2, &v, &id), 0);
        assert_null(v);
        assert_int_equal(pin_file_parse("  \n6.8.12-4-pve\n", 15, &v, &id), 0);
        assert_null(v); /* the first line decides: empty means no pin */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_conf),
                cmocka_unit_test(test_conf_errors),
                cmocka_unit_test(test_manual),
                cmocka_unit_test(test_pin_files),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
