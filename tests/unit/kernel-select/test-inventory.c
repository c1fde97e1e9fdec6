/* kernel-select/inventory.c: dpkg status parsing, package and /boot file names, and a
 * scan of a fake root. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <sys/stat.h>
#include "kernel-select/inventory.h"
#include "lib/macro.h"

static void test_package_names(void **state) {
        (void)state;
        static const struct { const char *pkg, *version; } cases[] = {
                { "proxmox-kernel-6.8.12-4-pve-signed", "6.8.12-4-pve" },
                { "proxmox-kernel-6.8.12-4-pve", "6.8.12-4-pve" },
                { "pve-kernel-5.15.158-2-pve", "5.15.158-2-pve" },
                { "linux-image-6.1.0-13-amd64", "6.1.0-13-amd64" },
                { "linux-image-6.1.0-13-amd64-unsigned", "6.1.0-13-amd64" },
                { "proxmox-kernel-6.8", "6.8" },
                { "linux-image-amd64", NULL },
                { "proxmox-kernel-helper", NULL },
                { "linux-image-6.1.0-13-amd64-dbg", NULL },
                { "proxmox-kernel-6.8.12-4-pve-signed-dbgsym", NULL },
                { "linux-headers-6.1.0-13-amd64", NULL },
                { "pve-firmware", NULL },
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                _cleanup_free_ char *v = kernel_package_version(cases[i].pkg);
                if (cases[i].version)
                        assert_string_equal(v, cases[i].version);
                else if (v)
                        fail_msg("%s should not be a kernel package, got %s", cases[i].pkg, v);
        }
}

static const char status_db[] =
        "Package: proxmox-kernel-6.8.12-4-pve-signed\n"
        "Status: install ok installed\n"
        "Description: kernel\n"
        " with a continuation line\n"
        "\n"
        "Package: proxmox-kernel-6.8.12-2-pve-signed\r\n"
        "Status: install ok half-configured\r\n"
        "\r\n"
        "Package: proxmox-kernel-6.5.13-6-pve-signed\n"
        "Status: deinstall ok config-files\n"
        "\n"
        "Package: proxmox-kernel-6.5.11-8-pve\n"
        "Status: hold ok installed\n"
        "\n"
        "Package: proxmox-kernel-6.2.16-20-pve\n"
        "Status: purge ok not-installed\n"
        "\n"
        "Package: proxmox-kernel-6.8\n"
        "Status: install ok installed\n"
        "\n"
        "Package: linux-image-amd64\n"
        "Status: install ok installed\n"
        "\n"
        "Status: install ok installed\n"
        "Package: linux-image-6.1.0-13-amd64"; /* no final newline, Status first */

static void test_dpkg_status(void **state) {
        (void)state;
        strv v = {}, s = {};
        assert_int_equal(dpkg_status_parse(status_db, sizeof status_db - 1, &v, &s), 0);
        assert_int_equal(v.n, 4);
        assert_true(strv_contains(&v, "6.8.12-4-pve"));
        assert_true(strv_contains(&v, "6.8.12-2-pve")); /* half-configured counts, as in p-b-t */
        assert_true(strv_contains(&v, "6.5.11-8-pve")); /* hold */
        assert_true(strv_contains(&v, "6.1.0-13-amd64"));
        assert_false(strv_contains(&v, "6.5.13-6-pve"));
        assert_int_equal(s.n, 1);
        assert_string_equal(s.v[0], "6.8");
        strv_free(&v);
        strv_free(&s);
}

static void test_boot_file_names(void **state) {
        (void)state;
        _cleanup_free_ char *a = boot_file_version("vmlinuz-6.8.12-4-pve", "vmlinuz");
        assert_string_equal(a, "6.8.12-4-pve");
        static const char *const ignored[] = { "vmlinuz-6.8.12-4-pve.dpkg-tmp", "vmlinuz-6.8.12-4-pve.bak",
                                               "vmlinuz-6.8.12-4-pve.old", "vmlinuz-6.8.12-4-pve.sig",
                                               "vmlinuz-6.8.12-4-pve~", "vmlinuz", "vmlinuz-", "vmlinuzz-1",
                                               "initrd.img-6.8.12-4-pve" };
        for (size_t i = 0; i < ELEMENTSOF(ignored); i++) {
                _cleanup_free_ char *v = boot_file_version(ignored[i], "vmlinuz");
                if (v)
                        fail_msg("%s should be ignored, got %s", ignored[i], v);
        }
        _cleanup_free_ char *b = boot_file_version("initrd.img-6.1.0-13-amd64", "initrd.img");
        assert_string_equal(b, "6.1.0-13-amd64");
}

static void touch(const char *root, const char *rel) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, rel);
        int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        assert_true(fd >= 0);
        assert_int_equal(write(fd, "x", 1), 1);
        close(fd);
}

static void mkdirs(const char *root, const char *rel) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", root, rel);
        for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = 0;
                mkdir(path, 0755);
                *p = '/';
        }
        mkdir(path, 0755);
}

static void test_scan(void **state) {
        (void)state;
        char root[] = "/tmp/ks-inv-XXXXXX";
        assert_non_null(mkdtemp(root));
        mkdirs(root, "boot");
        mkdirs(root, "lib/modules/6.8.12-4-pve");
        mkdirs(root, "lib/modules/6.8.12-1-pve");
        mkdirs(root, "proc/sys/kernel");
        touch(root, "boot/vmlinuz-6.8.12-4-pve");
        touch(root, "boot/initrd.img-6.8.12-4-pve");
        touch(root, "boot/vmlinuz-6.8.12-2-pve");
        touch(root, "boot/vmlinuz-6.8.12-2-pve.bak");
        touch(root, "boot/config-6.8.12-2-pve");
        char link[4096];
        snprintf(link, sizeof link, "%s/boot/vmlinuz-9.9.9", root);
        assert_int_equal(symlink("/etc/passwd", link), 0); /* would escape --root: ignored */
        char osrel[4096];
        snprintf(osrel, sizeof osrel, "%s/proc/sys/kernel/osrelease", root);
        FILE *f = fopen(osrel, "w");
        fputs("6.8.12-4-PVE\n", f);
        fclose(f);

        struct paths p;
        assert_int_equal(paths_init(&p, root, NULL, NULL, NULL, NULL), 0);
        struct inventory inv;
        unsetenv("SOURCE_DATE_EPOCH");
        assert_int_equal(inventory_load(&p, &inv), 0);
        assert_int_equal(inv.images.n, 2);
        assert_string_equal(inv.images.v[0], "6.8.12-4-pve");
        assert_int_equal(inv.initrds.n, 1);
        assert_int_equal(inv.modules.n, 2);
        assert_false(inv.have_dpkg);
        assert_string_equal(inv.running, "6.8.12-4-pve"); /* lower-cased */
        inventory_free(&inv);

        setenv("SOURCE_DATE_EPOCH", "1700000000", 1);
        assert_int_equal(inventory_load(&p, &inv), 0);
        assert_null(inv.running);
        inventory_free(&inv);
        unsetenv("SOURCE_DATE_EPOCH");

        /* running kernel without image is dropped */
        f = fopen(osrel, "w");
        fputs("6.8.12-1-pve\n", f);
        fclose(f);
        assert_int_equal(inventory_load(&p, &inv), 0);
        assert_null(inv.running);
        inventory_free(&inv);
        paths_free(&p);
        char cmd[4200];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
        assert_int_equal(system(cmd), 0);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_package_names),
                cmocka_unit_test(test_dpkg_status),
                cmocka_unit_test(test_boot_file_names),
                cmocka_unit_test(test_scan),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
