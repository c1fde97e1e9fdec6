/* Unit tests of esp/grub-install.c against recording stand-ins under a fake root: the arguments
 * for BIOS (one call) and UEFI (two, the second --removable), grub-install.real preferred, a
 * missing program (EXIT_ENV) and a failing one (EXIT_CHILD). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <unistd.h>
#include "esp/grub-install.h"
#include "lib/exitcode.h"
#include "lib/fileio.h"
#include "lib/macro.h"

struct fixture {
        char root[64], log[128];
        struct paths p;
};

/* <root>/usr/sbin/NAME: a script that appends "NAME ARGS" to the log and exits with RC. */
static void stand_in(struct fixture *f, const char *name, int rc) {
        char dir[128], path[192];
        snprintf(dir, sizeof dir, "%s/usr", f->root);
        (void)mkdir(dir, 0755);
        snprintf(dir, sizeof dir, "%s/usr/sbin", f->root);
        (void)mkdir(dir, 0755);
        snprintf(path, sizeof path, "%s/%s", dir, name);
        FILE *s = fopen(path, "w");
        assert_non_null(s);
        fprintf(s, "#!/bin/sh\necho \"%s $*\" >>%s\nexit %d\n", name, f->log, rc);
        fclose(s);
        assert_int_equal(chmod(path, 0755), 0);
}

static char *log_text(struct fixture *f) {
        char *buf = NULL;
        size_t len;
        if (read_file_max(f->log, 65536, &buf, &len) < 0)
                return strdup("");
        return buf;
}

static int setup(void **state) {
        struct fixture *f = calloc(1, sizeof *f);
        snprintf(f->root, sizeof f->root, "/tmp/test-grub-install.XXXXXX");
        assert_non_null(mkdtemp(f->root));
        snprintf(f->log, sizeof f->log, "%s/calls.log", f->root);
        assert_int_equal(paths_init(&f->p, f->root, NULL, NULL, NULL, NULL), 0);
        *state = f;
        return 0;
}

static int teardown(void **state) {
        struct fixture *f = *state;
        const char *rel[] = { "calls.log", "usr/sbin/grub-install", "usr/sbin/grub-install.real", "usr/sbin", "usr", "" };
        for (size_t i = 0; i < ELEMENTSOF(rel); i++) {
                char path[192];
                snprintf(path, sizeof path, "%s/%s", f->root, rel[i]);
                if (unlink(path) < 0)
                        (void)rmdir(path);
        }
        assert_int_equal(access(f->root, F_OK), -1); /* everything went */
        paths_free(&f->p);
        free(f);
        return 0;
}

static void test_bios(void **state) {
        struct fixture *f = *state;
        stand_in(f, "grub-install", 0);
        assert_int_equal(grub_install(&f->p, "/run/espctl/mnt/2F7A-2067", "/dev/sda", false, "proxmox"), 0);
        _cleanup_free_ char *got = log_text(f), *want = NULL;
        assert_true(asprintf(&want, "grub-install --target=i386-pc --directory=%s/usr/lib/grub/i386-pc --no-floppy "
                                    "--boot-directory=/run/espctl/mnt/2F7A-2067 --bootloader-id=proxmox /dev/sda\n",
                             f->root) > 0);
        assert_string_equal(got, want);
}

static void test_uefi_twice_and_real_first(void **state) {
        struct fixture *f = *state;
        stand_in(f, "grub-install", 0);
        stand_in(f, "grub-install.real", 0);
        assert_int_equal(grub_install(&f->p, "/mnt/esp", "/dev/nvme0n1", true, "pve"), 0);
        _cleanup_free_ char *got = log_text(f), *want = NULL;
        const char *common = "--target=x86_64-efi --directory=%s/usr/lib/grub/x86_64-efi --no-floppy "
                             "--efi-directory=/mnt/esp --boot-directory=/mnt/esp --bootloader-id=pve";
        _cleanup_free_ char *a = NULL;
        assert_true(asprintf(&a, common, f->root) > 0);
        assert_true(asprintf(&want, "grub-install.real %s /dev/nvme0n1\ngrub-install.real %s --removable /dev/nvme0n1\n",
                             a, a) > 0);
        assert_string_equal(got, want);
}

static void test_missing_and_failing(void **state) {
        struct fixture *f = *state;
        assert_int_equal(grub_install(&f->p, "/mnt/esp", "/dev/sda", false, "proxmox"), EXIT_ENV);
        stand_in(f, "grub-install", 1);
        assert_int_equal(grub_install(&f->p, "/mnt/esp", "/dev/sda", true, "proxmox"), EXIT_CHILD);
        _cleanup_free_ char *got = log_text(f);
        assert_null(strstr(got, "--removable")); /* stops at the first failure */
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_bios, setup, teardown),
                cmocka_unit_test_setup_teardown(test_uefi_twice_and_real_first, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_and_failing, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
