/* lib/paths.c: every base placed under --root unless overridden. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include "lib/macro.h"
#include "lib/paths.h"

static void test_paths(void **state) {
        (void)state;
        struct paths p;
        assert_int_equal(paths_init(&p, "/tmp/fake//", NULL, NULL, NULL, NULL), 0);
        assert_string_equal(p.root, "/tmp/fake");
        assert_string_equal(p.sysfs, "/tmp/fake/sys");
        assert_string_equal(p.efivars, "/tmp/fake/sys/firmware/efi/efivars");
        _cleanup_free_ char *a = paths_root(&p, PATH_PIN), *b = paths_run(&p, RUN_ESPCTL_LOCK),
                            *c = paths_proc(&p, PROC_BOOT_ID);
        assert_string_equal(a, "/tmp/fake/etc/kernel/proxmox-boot-pin");
        assert_string_equal(b, "/tmp/fake/run/espctl.lock");
        assert_string_equal(c, "/tmp/fake/proc/sys/kernel/random/boot_id");
        assert_false(paths_root_is_real(&p));
        paths_free(&p);

        assert_int_equal(paths_init(&p, NULL, "/sys", "/proc", "/run", "/tmp/ev"), 0);
        assert_string_equal(p.root, "/");
        assert_true(paths_root_is_real(&p));
        _cleanup_free_ char *d = paths_root(&p, PATH_PIN), *e = paths_sysfs(&p, SYSFS_KSM_DIR);
        assert_string_equal(d, "/etc/kernel/proxmox-boot-pin");
        assert_string_equal(e, "/sys/kernel/mm/ksm");
        assert_string_equal(p.efivars, "/tmp/ev");
        paths_free(&p);
        _cleanup_free_ char *j = path_join("a/", "/b");
        assert_string_equal(j, "a/b");
}

int main(void) {
        const struct CMUnitTest tests[] = { cmocka_unit_test(test_paths) };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
