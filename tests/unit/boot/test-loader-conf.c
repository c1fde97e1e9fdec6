/* boot/loader-conf.c: a new loader.conf, edits that keep every other byte (golden files), and
 * the getter. */
#include "golden.h"
#include "boot/loader-conf.h"

static void test_new(void **state) {
        (void)state;
        _cleanup_free_ char *out = NULL;
        assert_int_equal(loader_conf_new(3, "proxmox-*", &out), 0);
        assert_string_equal(out, "timeout 3\ndefault proxmox-*\n");
        char *bad = NULL;
        assert_int_equal(loader_conf_new(3, "", &bad), -EINVAL);
        assert_int_equal(loader_conf_new(3, "a b", &bad), -EINVAL);
        assert_int_equal(loader_conf_new(3, "a\nb", &bad), -EINVAL);
        assert_null(bad);
}

static void edit_golden(const char *in, const char *expected, const char *def, const char *timeout, int changed) {
        size_t len;
        _cleanup_free_ char *buf = golden_read(in, &len);
        _cleanup_free_ char *out = NULL;
        assert_int_equal(loader_conf_edit(buf, len, def, timeout, &out), changed);
        golden_compare(expected, out, strlen(out));
}

static void test_edits(void **state) {
        (void)state;
        /* first default replaced in place, the later one dropped, comments and options kept */
        edit_golden("loader-in.conf", "loader-in.default-pin.expected", "proxmox-6.8.12-4-pve.conf", NULL, 1);
        edit_golden("loader-in.conf", "loader-in.default-timeout.expected", "proxmox-*", "5", 1);
        /* CRLF lines keep their CRLF */
        edit_golden("loader-crlf.conf", "loader-crlf.expected", "proxmox-6.8.12-4-pve+*", NULL, 1);
        /* missing default appended after terminating the last line */
        edit_golden("loader-nodefault.conf", "loader-nodefault.expected", "proxmox-*", NULL, 1);
        /* already right: identical bytes, 0 */
        edit_golden("loader-crlf.conf", "loader-crlf.conf", "proxmox-*", "5", 0);
        /* nothing to change at all */
        edit_golden("loader-in.conf", "loader-in.conf", NULL, NULL, 0);

        char *bad = NULL;
        assert_int_equal(loader_conf_edit("", 0, "a b", NULL, &bad), -EINVAL);
        assert_int_equal(loader_conf_edit("", 0, NULL, "", &bad), -EINVAL);
        assert_null(bad);
        _cleanup_free_ char *empty = NULL;
        assert_int_equal(loader_conf_edit("", 0, "proxmox-*", NULL, &empty), 1);
        assert_string_equal(empty, "default proxmox-*\n");
}

static void test_get(void **state) {
        (void)state;
        size_t len;
        _cleanup_free_ char *buf = golden_read("loader-in.conf", &len);
        _cleanup_free_ char *def = NULL, *t = NULL;
        char *none = NULL;
        assert_int_equal(loader_conf_get(buf, len, "default", &def), 0);
        assert_string_equal(def, "acme-*");
        assert_int_equal(loader_conf_get(buf, len, "timeout", &t), 0);
        assert_string_equal(t, "10");
        assert_int_equal(loader_conf_get(buf, len, "time", &none), -ENOENT);
        assert_int_equal(loader_conf_get(buf, len, "random-seed-mode", &none), -ENOENT);
        assert_null(none);
        _cleanup_free_ char *crlf = golden_read("loader-crlf.conf", &len);
        _cleanup_free_ char *d2 = NULL;
        assert_int_equal(loader_conf_get(crlf, len, "default", &d2), 0);
        assert_string_equal(d2, "proxmox-*");
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_new),
                cmocka_unit_test(test_edits),
                cmocka_unit_test(test_get),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
